"""ECS services without security groups get the VPC's default one (emulator/extensions/ecs_service_default_security_group.py)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from emulator.extensions import ecs_service_default_security_group


def create_network(ec2: Any) -> dict[str, Any]:
    vpc_id = ec2.create_vpc(CidrBlock="10.61.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.61.1.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName=f"svc-{uuid.uuid4().hex[:8]}", Description="svc", VpcId=vpc_id)[
        "GroupId"
    ]
    default = ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "group-name", "Values": ["default"]}]
    )["SecurityGroups"][0]["GroupId"]
    return {"vpc_id": vpc_id, "subnet": subnet, "group": group, "default": default}


def create_cluster_and_task_definition(ecs: Any) -> tuple[str, str]:
    cluster = f"sg-{uuid.uuid4().hex[:8]}"
    ecs.create_cluster(clusterName=cluster)
    arn = ecs.register_task_definition(
        family=cluster,
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="256",
        memory="512",
        containerDefinitions=[{"name": "web", "image": "nginx:1.27"}],
    )["taskDefinition"]["taskDefinitionArn"]
    return cluster, arn


def create_service(ecs: Any, cluster: str, task_definition: str, awsvpc: dict[str, Any]) -> dict[str, Any]:
    return ecs.create_service(
        cluster=cluster,
        serviceName=f"web-{uuid.uuid4().hex[:6]}",
        taskDefinition=task_definition,
        desiredCount=1,
        launchType="FARGATE",
        networkConfiguration={"awsvpcConfiguration": awsvpc},
    )["service"]


def awsvpc_of(ecs: Any, cluster: str, name: str) -> dict[str, Any]:
    service = ecs.describe_services(cluster=cluster, services=[name])["services"][0]
    return service["networkConfiguration"]["awsvpcConfiguration"]


@pytest.fixture(scope="module")
def ec2(aws_client: Callable[[str], Any]) -> Any:
    return aws_client("ec2")


@pytest.fixture(scope="module")
def ecs(aws_client: Callable[[str], Any]) -> Any:
    return aws_client("ecs")


@pytest.fixture(scope="module")
def network(ec2: Any) -> dict[str, Any]:
    return create_network(ec2)


@pytest.fixture
def setup(ecs: Any) -> tuple[str, str]:
    return create_cluster_and_task_definition(ecs)


# --------------------------------------------------------------------------- through the emulator


@pytest.mark.parametrize("groups", [None, []])
def test_create_without_security_groups_uses_the_default_group(
    ecs: Any, network: dict[str, Any], setup: tuple[str, str], groups: Any
) -> None:
    cluster, task_definition = setup
    awsvpc: dict[str, Any] = {"subnets": [network["subnet"]]}
    if groups is not None:
        awsvpc["securityGroups"] = groups
    service = create_service(ecs, cluster, task_definition, awsvpc)

    expected = {"subnets": [network["subnet"]], "securityGroups": [network["default"]], "assignPublicIp": "DISABLED"}
    assert service["networkConfiguration"]["awsvpcConfiguration"] == expected
    assert awsvpc_of(ecs, cluster, service["serviceName"]) == expected


def test_given_security_groups_and_public_ip_are_kept(
    ecs: Any, network: dict[str, Any], setup: tuple[str, str]
) -> None:
    cluster, task_definition = setup
    awsvpc = {"subnets": [network["subnet"]], "securityGroups": [network["group"]], "assignPublicIp": "ENABLED"}
    service = create_service(ecs, cluster, task_definition, dict(awsvpc))
    assert awsvpc_of(ecs, cluster, service["serviceName"]) == awsvpc


def test_unknown_subnet_is_still_refused(ecs: Any, network: dict[str, Any], setup: tuple[str, str]) -> None:
    cluster, task_definition = setup
    with pytest.raises(ClientError) as raised:
        create_service(ecs, cluster, task_definition, {"subnets": ["subnet-0000000000000000f"]})
    assert raised.value.response["Error"]["Code"] == "InvalidParameterException"
    assert "subnet-0000000000000000f" in raised.value.response["Error"]["Message"]


def test_update_fills_in_and_validates_like_create(ecs: Any, network: dict[str, Any], setup: tuple[str, str]) -> None:
    cluster, task_definition = setup
    given = {"subnets": [network["subnet"]], "securityGroups": [network["group"]]}
    name = create_service(ecs, cluster, task_definition, given)["serviceName"]

    ecs.update_service(
        cluster=cluster, service=name, networkConfiguration={"awsvpcConfiguration": {"subnets": [network["subnet"]]}}
    )
    assert awsvpc_of(ecs, cluster, name) == {
        "subnets": [network["subnet"]],
        "securityGroups": [network["default"]],
        "assignPublicIp": "DISABLED",
    }

    for bad in (
        {"subnets": ["subnet-0000000000000000f"]},
        {"subnets": [network["subnet"]], "securityGroups": ["sg-0000000000000000f"]},
    ):
        with pytest.raises(ClientError) as raised:
            ecs.update_service(cluster=cluster, service=name, networkConfiguration={"awsvpcConfiguration": bad})
        assert raised.value.response["Error"]["Code"] == "InvalidParameterException"
    assert awsvpc_of(ecs, cluster, name)["securityGroups"] == [network["default"]], "a refused update stores nothing"


# --------------------------------------------------------------------------- plain moto


def test_moto_alone_fails_without_security_groups_and_install_fixes_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Proves the extension is still needed: if the first assertions fail, moto fixed the gap; drop the extension."""
    from moto import mock_aws
    from moto.ecs.models import EC2ContainerServiceBackend, Service

    for owner, name in ((Service, "_validate_network"), (EC2ContainerServiceBackend, "update_service")):
        method = getattr(owner, name)
        while hasattr(method, "__wrapped__"):
            method = method.__wrapped__
        monkeypatch.setattr(owner, name, method)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)  # mock_aws intercepts the real AWS endpoints only
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")

    with mock_aws():
        session = boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
        )
        ec2, ecs = session.client("ec2"), session.client("ecs")
        network = create_network(ec2)
        cluster, task_definition = create_cluster_and_task_definition(ecs)
        assert not ecs_service_default_security_group.is_installed()
        with pytest.raises(Exception):  # noqa: B017 - moto fails with an internal KeyError
            create_service(ecs, cluster, task_definition, {"subnets": [network["subnet"]]})
        name = create_service(ecs, cluster, task_definition, {"subnets": [network["subnet"]], "securityGroups": []})[
            "serviceName"
        ]
        assert awsvpc_of(ecs, cluster, name)["securityGroups"] == []
        ecs.update_service(
            cluster=cluster,
            service=name,
            networkConfiguration={"awsvpcConfiguration": {"subnets": ["subnet-0000000000000000f"]}},
        )

        ecs_service_default_security_group.install()
        ecs_service_default_security_group.install()

        assert ecs_service_default_security_group.is_installed()
        assert Service._validate_network.__wrapped__.__name__ == "_validate_network"
        assert not hasattr(Service._validate_network.__wrapped__, "__wrapped__"), "install() must not wrap twice"
        fixed = create_service(ecs, cluster, task_definition, {"subnets": [network["subnet"]]})
        assert fixed["networkConfiguration"]["awsvpcConfiguration"]["securityGroups"] == [network["default"]]
        with pytest.raises(ClientError):
            ecs.update_service(
                cluster=cluster,
                service=name,
                networkConfiguration={"awsvpcConfiguration": {"subnets": ["subnet-0000000000000000f"]}},
            )
