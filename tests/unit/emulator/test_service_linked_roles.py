"""Elastic Load Balancing, Application Auto Scaling (ECS) and Client VPN create their service-linked roles on first
use, in realistic mode; RegisterScalableTarget is refused until the new role is assumable
(emulator/extensions/service_linked_roles.py).

Each test works in an account of its own (STS AssumeRole into it): the roles are account-wide, and a fresh account is
the one that has none."""

from __future__ import annotations

import itertools
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from emulator import realism
from emulator.extensions import ec2_client_vpn, service_linked_roles
from emulator.extensions.service_linked_roles import (
    CLIENT_VPN,
    ECS_AUTO_SCALING,
    ELASTIC_LOAD_BALANCING,
    LINKED_ROLES,
    LinkedRole,
)
from tests.unit.emulator.conftest import REGION, fresh_account_clients, set_realism
from tests.unit.helpers import import_pki, wait_until

DIMENSION = "ecs:service:DesiredCount"
_accounts = itertools.count(1)


@dataclass(frozen=True)
class Account:
    id: str
    client: Callable[[str], Any]


@pytest.fixture
def account(emulator_endpoint: str) -> Account:
    """A fresh account of the session's emulator."""
    account_id = f"2200{next(_accounts):08d}"
    return Account(account_id, fresh_account_clients(emulator_endpoint, account_id))


def service_linked_roles_of(iam: Any) -> list[dict[str, Any]]:
    return iam.list_roles(PathPrefix="/aws-service-role/")["Roles"]


def roles_of(iam: Any, linked: LinkedRole) -> list[dict[str, Any]]:
    return iam.list_roles(PathPrefix=linked.path)["Roles"]


def assert_made_as_aws(iam: Any, linked: LinkedRole) -> dict[str, Any]:
    """The account has exactly one role for ``linked``, under AWS's name, path, trust and managed policy."""
    (role,) = roles_of(iam, linked)
    assert (role["RoleName"], role["Path"]) == (linked.name, linked.path)
    assert role["AssumeRolePolicyDocument"]["Statement"] == [
        {"Action": ["sts:AssumeRole"], "Effect": "Allow", "Principal": {"Service": [linked.service]}}
    ]
    attached = iam.list_attached_role_policies(RoleName=linked.name)["AttachedPolicies"]
    assert [policy["PolicyName"] for policy in attached] == [linked.policy]
    return role


def error_of(call: Callable[[], Any]) -> tuple[str, str]:
    with pytest.raises(ClientError) as raised:
        call()
    return raised.value.response["Error"]["Code"], raised.value.response["Error"]["Message"]


# --------------------------------------------------------------------------- the first uses


def subnets(ec2: Any) -> tuple[str, list[str]]:
    vpc_id = ec2.create_vpc(CidrBlock="10.91.0.0/16")["Vpc"]["VpcId"]
    return vpc_id, [
        ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.91.{i}.0/24", AvailabilityZone=f"{REGION}{zone}")["Subnet"][
            "SubnetId"
        ]
        for i, zone in enumerate("ab")
    ]


def create_target_group(account: Account) -> None:
    vpc_id = subnets(account.client("ec2"))[0]
    account.client("elbv2").create_target_group(
        Name=f"tg-{uuid.uuid4().hex[:8]}", Protocol="HTTP", Port=80, VpcId=vpc_id, TargetType="ip"
    )


def create_application_load_balancer(account: Account) -> None:
    subnet_ids = subnets(account.client("ec2"))[1]
    account.client("elbv2").create_load_balancer(Name=f"lb-{uuid.uuid4().hex[:8]}", Subnets=subnet_ids)


def create_classic_load_balancer(account: Account) -> None:
    account.client("elb").create_load_balancer(
        LoadBalancerName=f"clb-{uuid.uuid4().hex[:8]}",
        Listeners=[{"Protocol": "HTTP", "LoadBalancerPort": 80, "InstancePort": 8080}],
        AvailabilityZones=[f"{REGION}a"],
    )


def client_vpn_request(account: Account) -> dict[str, Any]:
    pki = import_pki(account.client("acm"))
    return {
        "ClientCidrBlock": "172.16.0.0/22",
        "ServerCertificateArn": pki.server_arn,
        "AuthenticationOptions": [
            {
                "Type": "certificate-authentication",
                "MutualAuthentication": {"ClientRootCertificateChainArn": pki.client_root_arn},
            }
        ],
        "ConnectionLogOptions": {"Enabled": False},
    }


def new_service(account: Account) -> str:
    """An ECS service made in plain mode (no ECS service-linked role needed, visible to Auto Scaling at once); returns
    its scalable target's resource ID."""
    ecs = account.client("ecs")
    cluster, service, family = (f"{kind}-{uuid.uuid4().hex[:8]}" for kind in ("cluster", "svc", "family"))
    ecs.create_cluster(clusterName=cluster)
    ecs.register_task_definition(family=family, containerDefinitions=[{"name": "app", "image": "nginx", "memory": 64}])
    ecs.create_service(cluster=cluster, serviceName=service, taskDefinition=family, desiredCount=0)
    return f"service/{cluster}/{service}"


def register(aas: Any, resource_id: str) -> str:
    return aas.register_scalable_target(
        ServiceNamespace="ecs", ResourceId=resource_id, ScalableDimension=DIMENSION, MinCapacity=1, MaxCapacity=3
    )["ScalableTargetARN"]


def targets_of(aas: Any, resource_id: str) -> list[dict[str, Any]]:
    return aas.describe_scalable_targets(ServiceNamespace="ecs", ResourceIds=[resource_id])["ScalableTargets"]


def unable_to_assume(account: Account) -> str:
    return f"Unable to assume IAM role: arn:aws:iam::{account.id}:role{ECS_AUTO_SCALING.path}{ECS_AUTO_SCALING.name}"


# --------------------------------------------------------------------------- through the emulator


def test_plain_mode_creates_no_role_and_refuses_nothing(account: Account) -> None:
    """The gap as the suites keep it: no role appears, so their IAM role counts stay as they were."""
    create_target_group(account)
    create_application_load_balancer(account)
    create_classic_load_balancer(account)
    account.client("ec2").create_client_vpn_endpoint(**client_vpn_request(account))
    assert register(account.client("application-autoscaling"), new_service(account))
    assert service_linked_roles_of(account.client("iam")) == []


@pytest.mark.parametrize(
    "first_use", [create_target_group, create_application_load_balancer, create_classic_load_balancer]
)
def test_the_first_load_balancer_or_target_group_makes_the_elb_role_usable_at_once(
    account: Account, realistic: Callable[..., Any], first_use: Callable[[Account], None]
) -> None:
    realistic(time_scale=1.0)
    iam = account.client("iam")

    first_use(account)
    assert_made_as_aws(iam, ELASTIC_LOAD_BALANCING)

    create_target_group(account)
    create_application_load_balancer(account)
    assert [role["RoleName"] for role in service_linked_roles_of(iam)] == [ELASTIC_LOAD_BALANCING.name], "made once"


def test_the_first_client_vpn_endpoint_makes_the_client_vpn_role_and_a_refused_one_does_not(
    account: Account, realistic: Callable[..., Any]
) -> None:
    realistic(time_scale=1.0)
    ec2, iam = account.client("ec2"), account.client("iam")
    request = client_vpn_request(account)

    assert error_of(lambda: ec2.create_client_vpn_endpoint(DryRun=True, **request))[0] == "DryRunOperation"
    assert service_linked_roles_of(iam) == [], "a refused call creates no role"

    endpoint_id = ec2.create_client_vpn_endpoint(**request)["ClientVpnEndpointId"]
    role = assert_made_as_aws(iam, CLIENT_VPN)
    assert role["Description"] == CLIENT_VPN.description
    assert [e["ClientVpnEndpointId"] for e in ec2.describe_client_vpn_endpoints()["ClientVpnEndpoints"]] == [
        endpoint_id
    ], "usable at once: the endpoint is created"


def test_the_first_register_scalable_target_makes_the_role_and_is_refused_until_it_is_assumable(
    account: Account, realistic: Callable[..., Any], emulator_endpoint: str
) -> None:
    set_realism(emulator_endpoint, realistic=False)
    resource_id = new_service(account)
    realistic(time_scale=0.1)
    window = realism.TYPICAL["service_linked_role.creation"].seconds * 0.1
    aas, iam = account.client("application-autoscaling"), account.client("iam")

    started = time.monotonic()
    assert error_of(lambda: register(aas, resource_id)) == ("ValidationException", unable_to_assume(account))
    assert_made_as_aws(iam, ECS_AUTO_SCALING)
    assert targets_of(aas, resource_id) == [], "the refused call registered nothing"

    refusals = []

    def registered() -> bool:
        try:
            return bool(register(aas, resource_id))
        except ClientError as error:
            refusals.append((error.response["Error"]["Code"], error.response["Error"]["Message"]))
            return False

    wait_until(registered, "the service-linked role is assumable", timeout=10, interval=0.05)
    assert time.monotonic() - started >= window * 0.9
    assert set(refusals) <= {("ValidationException", unable_to_assume(account))}
    assert [target["MinCapacity"] for target in targets_of(aas, resource_id)] == [1]
    assert len(roles_of(iam, ECS_AUTO_SCALING)) == 1, "made once"


def test_an_inconsistent_scalable_target_is_refused_by_moto_and_makes_no_role(
    account: Account, realistic: Callable[..., Any]
) -> None:
    realistic(time_scale=1.0)
    aas = account.client("application-autoscaling")
    assert error_of(
        lambda: aas.register_scalable_target(
            ServiceNamespace="ecs", ResourceId="cluster/x", ScalableDimension=DIMENSION, MinCapacity=1, MaxCapacity=3
        )
    ) == ("ValidationException", "Unsupported service namespace, resource type or scalable dimension")
    assert service_linked_roles_of(account.client("iam")) == []


def test_a_role_made_beforehand_is_assumable_at_once(
    account: Account, realistic: Callable[..., Any], emulator_endpoint: str
) -> None:
    set_realism(emulator_endpoint, realistic=False)
    resource_id = new_service(account)
    realistic(time_scale=1.0)
    aas, iam = account.client("application-autoscaling"), account.client("iam")

    iam.create_service_linked_role(AWSServiceName=ECS_AUTO_SCALING.service)
    assert register(aas, resource_id)
    assert len(roles_of(iam, ECS_AUTO_SCALING)) == 1


@pytest.mark.parametrize("linked", list(LINKED_ROLES.values()), ids=list(LINKED_ROLES))
def test_create_service_linked_role_names_the_role_as_aws_once(account: Account, linked: LinkedRole) -> None:
    iam = account.client("iam")
    role = iam.create_service_linked_role(AWSServiceName=linked.service)["Role"]
    assert (role["RoleName"], role["Path"]) == (linked.name, linked.path)
    assert role["Arn"] == f"arn:aws:iam::{account.id}:role{linked.path}{linked.name}"
    assert_made_as_aws(iam, linked)

    assert error_of(lambda: iam.create_service_linked_role(AWSServiceName=linked.service)) == (
        "InvalidInput",
        f"Service role name {linked.name} has been taken in this account, please try a different suffix.",
    )
    assert len(roles_of(iam, linked)) == 1


def test_a_role_made_by_create_service_linked_role_is_not_made_again(
    account: Account, realistic: Callable[..., Any]
) -> None:
    realistic(time_scale=1.0)
    iam = account.client("iam")
    iam.create_service_linked_role(AWSServiceName=ELASTIC_LOAD_BALANCING.service, Description="made by hand")
    create_target_group(account)
    (role,) = roles_of(iam, ELASTIC_LOAD_BALANCING)
    assert role["Description"] == "made by hand"


# --------------------------------------------------------------------------- plain moto


def test_moto_alone_never_creates_the_roles_and_install_does(monkeypatch: pytest.MonkeyPatch) -> None:
    """Proves the extension is still needed: if the first assertions fail, moto fixed the gap; drop the extension."""
    from moto import mock_aws
    from moto.applicationautoscaling.models import ApplicationAutoscalingBackend
    from moto.ec2.responses import EC2Response
    from moto.elb.models import ELBBackend
    from moto.elbv2.models import ELBv2Backend
    from moto.iam.models import IAMBackend

    for owner, name in (
        (ELBv2Backend, "create_load_balancer"),
        (ELBv2Backend, "create_target_group"),
        (ELBBackend, "create_load_balancer"),
        (ApplicationAutoscalingBackend, "register_scalable_target"),
        (IAMBackend, "create_service_linked_role"),
    ):
        method = getattr(owner, name)
        while hasattr(method, "__wrapped__"):
            method = method.__wrapped__
        monkeypatch.setattr(owner, name, method)
    # moto has no Client VPN: the action ec2_client_vpn adds, unwrapped, is what this extension wraps.
    added = ec2_client_vpn.create_client_vpn_endpoint
    monkeypatch.setattr(EC2Response, "create_client_vpn_endpoint", added, raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("MOTO_IAM_LOAD_MANAGED_POLICIES", raising=False)

    try:
        realism.configure({"realistic": True, "time_scale": 1.0})
        with mock_aws():
            session = boto3.session.Session(
                aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
            )
            ec2, elbv2, aas, iam = (session.client(name) for name in ("ec2", "elbv2", "application-autoscaling", "iam"))
            vpc_id = subnets(ec2)[0]
            assert not service_linked_roles.is_installed()
            elbv2.create_target_group(Name="first", Protocol="HTTP", Port=80, VpcId=vpc_id, TargetType="ip")
            assert service_linked_roles_of(iam) == [], "moto creates no service-linked role"
            for linked in LINKED_ROLES.values():
                assert iam.create_service_linked_role(AWSServiceName=linked.service)["Role"]["RoleName"] != linked.name
                with pytest.raises(ClientError, match="EntityAlreadyExists"):
                    iam.create_service_linked_role(AWSServiceName=linked.service)
            for role in service_linked_roles_of(iam):
                iam.delete_service_linked_role(RoleName=role["RoleName"])

            service_linked_roles.install()
            service_linked_roles.install()

            assert service_linked_roles.is_installed()
            assert not hasattr(ApplicationAutoscalingBackend.register_scalable_target.__wrapped__, "__wrapped__"), (
                "install() must not wrap twice"
            )
            elbv2.create_target_group(Name="second", Protocol="HTTP", Port=80, VpcId=vpc_id, TargetType="ip")
            assert [role["RoleName"] for role in service_linked_roles_of(iam)] == [ELASTIC_LOAD_BALANCING.name]
            # The role's refusal comes before moto looks for the (here missing) ECS service.
            assert error_of(lambda: register(aas, "service/none/none"))[1].startswith("Unable to assume IAM role")
            assert sorted(role["RoleName"] for role in service_linked_roles_of(iam)) == sorted(
                [ELASTIC_LOAD_BALANCING.name, ECS_AUTO_SCALING.name]
            )
    finally:
        realism.reset()
