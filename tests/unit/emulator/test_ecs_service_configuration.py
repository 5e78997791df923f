"""ECS services keep what CreateService and UpdateService are given (emulator/extensions/ecs_service_configuration.py)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from emulator.extensions import ecs_service_configuration
from emulator.extensions.ecs_service_configuration import DEFAULT_DEPLOYMENT_CONFIGURATION


def create_subnet(ec2: Any) -> str:
    vpc_id = ec2.create_vpc(CidrBlock="10.62.0.0/16")["Vpc"]["VpcId"]
    return ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.62.1.0/24")["Subnet"]["SubnetId"]


def setup_cluster(ecs: Any, **cluster_args: Any) -> tuple[str, str]:
    """A new cluster and a task definition of two revisions in it; returns (cluster, family)."""
    cluster = f"cfg-{uuid.uuid4().hex[:8]}"
    ecs.create_cluster(clusterName=cluster, **cluster_args)
    for image in ("nginx:1.27", "nginx:1.28"):
        ecs.register_task_definition(
            family=cluster,
            networkMode="awsvpc",
            requiresCompatibilities=["FARGATE"],
            cpu="256",
            memory="512",
            containerDefinitions=[{"name": "web", "image": image, "portMappings": [{"containerPort": 80}]}],
        )
    return cluster, cluster


def create_service(ecs: Any, cluster: str, family: str, subnet: str, **kwargs: Any) -> dict[str, Any]:
    request = {
        "cluster": cluster,
        "serviceName": f"web-{uuid.uuid4().hex[:6]}",
        "taskDefinition": f"{family}:1",
        "desiredCount": 1,
        "networkConfiguration": {"awsvpcConfiguration": {"subnets": [subnet], "securityGroups": []}},
    }
    request.update(kwargs)
    if "capacityProviderStrategy" not in request and "launchType" not in request:
        request["launchType"] = "FARGATE"
    request = {key: value for key, value in request.items() if value is not None}
    return ecs.create_service(**request)["service"]


def describe(ecs: Any, cluster: str, name: str) -> dict[str, Any]:
    return ecs.describe_services(cluster=cluster, services=[name])["services"][0]


@pytest.fixture(scope="module")
def ecs(aws_client: Callable[[str], Any]) -> Any:
    return aws_client("ecs")


@pytest.fixture(scope="module")
def subnet(aws_client: Callable[[str], Any]) -> str:
    return create_subnet(aws_client("ec2"))


@pytest.fixture
def cluster(ecs: Any) -> tuple[str, str]:
    return setup_cluster(ecs)


# --------------------------------------------------------------------------- create


def test_create_reports_aws_defaults(ecs: Any, subnet: str, cluster: tuple[str, str]) -> None:
    service = create_service(ecs, *cluster, subnet)
    described = describe(ecs, cluster[0], service["serviceName"])
    for reported in (service, described):
        assert reported["deploymentConfiguration"] == DEFAULT_DEPLOYMENT_CONFIGURATION
        assert reported["availabilityZoneRebalancing"] == "ENABLED"
        assert reported["enableExecuteCommand"] is False
        assert reported["enableECSManagedTags"] is False
        assert "healthCheckGracePeriodSeconds" not in reported, "no load balancer, none given: AWS reports none"
        assert reported["platformVersion"] == "LATEST"
        assert reported["launchType"] == "FARGATE"
        assert reported["createdAt"]
    assert described["deployments"][0]["platformVersion"] == "1.4.0", "the deployment names the version LATEST is"


def test_create_keeps_what_it_is_given(ecs: Any, subnet: str, cluster: tuple[str, str]) -> None:
    target_group = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef"
    service = create_service(
        ecs,
        *cluster,
        subnet,
        deploymentConfiguration={
            "deploymentCircuitBreaker": {"enable": True, "rollback": True},
            "minimumHealthyPercent": 50,
        },
        enableExecuteCommand=True,
        enableECSManagedTags=True,
        loadBalancers=[{"targetGroupArn": target_group, "containerName": "web", "containerPort": 80}],
        platformVersion="1.4.0",
    )
    described = describe(ecs, cluster[0], service["serviceName"])
    assert described["deploymentConfiguration"] == {
        "deploymentCircuitBreaker": {"enable": True, "rollback": True},
        "maximumPercent": 200,
        "minimumHealthyPercent": 50,
        "strategy": "ROLLING",
        "bakeTimeInMinutes": 0,
    }
    assert described["enableExecuteCommand"] is True
    assert described["enableECSManagedTags"] is True
    assert described["healthCheckGracePeriodSeconds"] == 0, "a service with load balancers reports the default 0"
    assert described["platformVersion"] == "1.4.0"

    graced = create_service(ecs, *cluster, subnet, healthCheckGracePeriodSeconds=45)
    assert describe(ecs, cluster[0], graced["serviceName"])["healthCheckGracePeriodSeconds"] == 45


def test_the_defaults_are_the_ones_aws_answers_with(ecs: Any, subnet: str, cluster: tuple[str, str]) -> None:
    """A CreateService answer of AWS (2026, a Fargate service given no deployment configuration nor rebalancing)."""
    described = describe(ecs, cluster[0], create_service(ecs, *cluster, subnet)["serviceName"])
    assert described["deploymentConfiguration"] == {
        "deploymentCircuitBreaker": {"enable": False, "rollback": False},
        "maximumPercent": 200,
        "minimumHealthyPercent": 100,
        "strategy": "ROLLING",
        "bakeTimeInMinutes": 0,
    }
    assert described["availabilityZoneRebalancing"] == "ENABLED"


def test_availability_zone_rebalancing_given_or_not_compatible(ecs: Any, subnet: str, cluster: tuple[str, str]) -> None:
    disabled = create_service(ecs, *cluster, subnet, availabilityZoneRebalancing="DISABLED")
    assert describe(ecs, cluster[0], disabled["serviceName"])["availabilityZoneRebalancing"] == "DISABLED"
    binpack = create_service(
        ecs, *cluster, subnet, launchType="EC2", placementStrategy=[{"type": "binpack", "field": "memory"}]
    )
    placed = describe(ecs, cluster[0], binpack["serviceName"])
    assert placed["availabilityZoneRebalancing"] == "DISABLED", "binpack placement: created with rebalancing off"


def test_update_keeps_or_changes_availability_zone_rebalancing(ecs: Any, subnet: str, cluster: tuple[str, str]) -> None:
    name = create_service(ecs, *cluster, subnet)["serviceName"]
    ecs.update_service(cluster=cluster[0], service=name, desiredCount=2)
    assert describe(ecs, cluster[0], name)["availabilityZoneRebalancing"] == "ENABLED", "not given: kept"
    updated = ecs.update_service(cluster=cluster[0], service=name, availabilityZoneRebalancing="DISABLED")["service"]
    assert updated["availabilityZoneRebalancing"] == "DISABLED"
    assert describe(ecs, cluster[0], name)["availabilityZoneRebalancing"] == "DISABLED"


def test_a_given_strategy_is_kept_and_other_controllers_have_none(
    ecs: Any, subnet: str, cluster: tuple[str, str]
) -> None:
    blue_green = create_service(
        ecs, *cluster, subnet, deploymentConfiguration={"strategy": "BLUE_GREEN", "bakeTimeInMinutes": 5}
    )
    configuration = describe(ecs, cluster[0], blue_green["serviceName"])["deploymentConfiguration"]
    assert (configuration["strategy"], configuration["bakeTimeInMinutes"]) == ("BLUE_GREEN", 5)

    external = create_service(ecs, *cluster, subnet, deploymentController={"type": "EXTERNAL"})
    configuration = describe(ecs, cluster[0], external["serviceName"])["deploymentConfiguration"]
    assert "strategy" not in configuration and "bakeTimeInMinutes" not in configuration
    assert configuration["maximumPercent"] == 200


def test_capacity_provider_strategy_replaces_the_launch_type(ecs: Any, subnet: str, cluster: tuple[str, str]) -> None:
    strategy = [
        {"capacityProvider": "FARGATE_SPOT", "weight": 2},
        {"capacityProvider": "FARGATE", "base": 1, "weight": 1},
    ]
    service = create_service(ecs, *cluster, subnet, capacityProviderStrategy=strategy)
    described = describe(ecs, cluster[0], service["serviceName"])
    assert "launchType" not in described
    assert described["capacityProviderStrategy"] == [
        {"capacityProvider": "FARGATE_SPOT", "weight": 2, "base": 0},
        {"capacityProvider": "FARGATE", "weight": 1, "base": 1},
    ]
    assert described["platformVersion"] == "LATEST"
    assert "launchType" not in described["deployments"][0]
    assert described["deployments"][0]["capacityProviderStrategy"] == described["capacityProviderStrategy"]


def test_launch_type_and_strategy_together_are_refused(ecs: Any, subnet: str, cluster: tuple[str, str]) -> None:
    with pytest.raises(ClientError) as raised:
        create_service(
            ecs, *cluster, subnet, launchType="FARGATE", capacityProviderStrategy=[{"capacityProvider": "FARGATE"}]
        )
    assert raised.value.response["Error"]["Code"] == "InvalidParameterException"
    assert ecs.list_services(cluster=cluster[0])["serviceArns"] == []


def test_cluster_default_strategy_applies_when_neither_is_given(ecs: Any, subnet: str) -> None:
    default = [{"capacityProvider": "FARGATE_SPOT", "weight": 1, "base": 0}]
    cluster = setup_cluster(ecs, capacityProviders=["FARGATE", "FARGATE_SPOT"], defaultCapacityProviderStrategy=default)
    service = create_service(ecs, *cluster, subnet, launchType=None)
    described = describe(ecs, cluster[0], service["serviceName"])
    assert described["capacityProviderStrategy"] == default
    assert "launchType" not in described


# --------------------------------------------------------------------------- update


def test_update_merges_the_deployment_configuration(ecs: Any, subnet: str, cluster: tuple[str, str]) -> None:
    name = create_service(ecs, *cluster, subnet, deploymentConfiguration={"maximumPercent": 150})["serviceName"]
    ecs.update_service(
        cluster=cluster[0],
        service=name,
        deploymentConfiguration={"deploymentCircuitBreaker": {"enable": True, "rollback": False}},
    )
    assert describe(ecs, cluster[0], name)["deploymentConfiguration"] == {
        "deploymentCircuitBreaker": {"enable": True, "rollback": False},
        "maximumPercent": 150,
        "minimumHealthyPercent": 100,
        "strategy": "ROLLING",
        "bakeTimeInMinutes": 0,
    }


def test_update_reports_the_task_definition_arn(ecs: Any, subnet: str, cluster: tuple[str, str]) -> None:
    name = create_service(ecs, *cluster, subnet)["serviceName"]
    for given in (f"{cluster[1]}:2", cluster[1]):
        updated = ecs.update_service(cluster=cluster[0], service=name, taskDefinition=given)["service"]
        assert updated["taskDefinition"] == f"arn:aws:ecs:us-east-1:123456789012:task-definition/{cluster[1]}:2"
        assert describe(ecs, cluster[0], name)["taskDefinition"] == updated["taskDefinition"]
    with pytest.raises(ClientError):
        ecs.update_service(cluster=cluster[0], service=name, taskDefinition=f"{cluster[1]}:9")


def test_update_moves_between_launch_type_and_strategy(ecs: Any, subnet: str, cluster: tuple[str, str]) -> None:
    name = create_service(ecs, *cluster, subnet)["serviceName"]
    ecs.update_service(
        cluster=cluster[0], service=name, capacityProviderStrategy=[{"capacityProvider": "FARGATE_SPOT", "weight": 1}]
    )
    described = describe(ecs, cluster[0], name)
    assert "launchType" not in described
    assert described["capacityProviderStrategy"] == [{"capacityProvider": "FARGATE_SPOT", "weight": 1, "base": 0}]

    ecs.update_service(cluster=cluster[0], service=name, capacityProviderStrategy=[])
    described = describe(ecs, cluster[0], name)
    assert described["launchType"] == "FARGATE"
    assert "capacityProviderStrategy" not in described


def test_update_of_the_flags(ecs: Any, subnet: str, cluster: tuple[str, str]) -> None:
    name = create_service(ecs, *cluster, subnet)["serviceName"]
    ecs.update_service(
        cluster=cluster[0],
        service=name,
        enableExecuteCommand=True,
        enableECSManagedTags=True,
        healthCheckGracePeriodSeconds=30,
        propagateTags="SERVICE",
    )
    described = describe(ecs, cluster[0], name)
    assert (described["enableExecuteCommand"], described["enableECSManagedTags"]) == (True, True)
    assert described["healthCheckGracePeriodSeconds"] == 30
    assert described["propagateTags"] == "SERVICE"


# --------------------------------------------------------------------------- plain moto


def test_moto_alone_drops_the_configuration_and_install_keeps_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Proves the extension is still needed: if the first assertions fail, moto fixed the gap; drop the extension."""
    from moto import mock_aws
    from moto.ecs.models import EC2ContainerServiceBackend
    from moto.ecs.responses import EC2ContainerServiceResponse

    for owner, name in (
        (EC2ContainerServiceResponse, "create_service"),
        (EC2ContainerServiceBackend, "create_service"),
        (EC2ContainerServiceBackend, "update_service"),
    ):
        method = getattr(owner, name)
        while hasattr(method, "__wrapped__"):
            method = method.__wrapped__
        monkeypatch.setattr(owner, name, method)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")

    with mock_aws():
        session = boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
        )
        ecs = session.client("ecs")
        subnet = create_subnet(session.client("ec2"))
        cluster = setup_cluster(ecs)
        assert not ecs_service_configuration.is_installed()
        configuration = {"deploymentCircuitBreaker": {"enable": True, "rollback": True}}
        plain = create_service(ecs, *cluster, subnet, deploymentConfiguration=configuration, enableExecuteCommand=True)
        assert "deploymentConfiguration" not in plain
        assert "enableExecuteCommand" not in plain
        assert "availabilityZoneRebalancing" not in plain
        updated = ecs.update_service(
            cluster=cluster[0], service=plain["serviceName"], taskDefinition=f"{cluster[1]}:2"
        )["service"]
        assert updated["taskDefinition"] == f"{cluster[1]}:2"

        ecs_service_configuration.install()
        ecs_service_configuration.install()

        assert ecs_service_configuration.is_installed()
        assert not hasattr(EC2ContainerServiceBackend.create_service.__wrapped__, "__wrapped__"), (
            "install() must not wrap twice"
        )
        fixed = create_service(ecs, *cluster, subnet, deploymentConfiguration=configuration, enableExecuteCommand=True)
        assert fixed["deploymentConfiguration"]["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
        assert fixed["enableExecuteCommand"] is True
        assert fixed["deploymentConfiguration"]["strategy"] == "ROLLING"
        assert fixed["availabilityZoneRebalancing"] == "ENABLED"
        updated = ecs.update_service(
            cluster=cluster[0], service=fixed["serviceName"], taskDefinition=f"{cluster[1]}:2"
        )["service"]
        assert updated["taskDefinition"].startswith("arn:aws:ecs:")
