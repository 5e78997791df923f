"""The account's first CreateCluster or CreateService creates AWSServiceRoleForECS and is refused until the role is
usable, in realistic mode (emulator/extensions/ecs_service_linked_role.py).

Each test works in an account of its own (STS AssumeRole into it): the role is account-wide, and a fresh account is
the one that has none."""

from __future__ import annotations

import itertools
import time
import uuid
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from emulator import realism
from emulator.extensions import ecs_service_linked_role
from emulator.extensions.ecs_service_linked_role import MESSAGE, PATH, ROLE_NAME, TAKEN
from tests.unit.emulator.conftest import REGION, fresh_account_clients, set_realism
from tests.unit.helpers import wait_until

_accounts = itertools.count(1)


@pytest.fixture
def account(emulator_endpoint: str) -> Callable[[str], Any]:
    """Clients of a fresh account of the session's emulator."""
    return fresh_account_clients(emulator_endpoint, f"2100{next(_accounts):08d}")


def ecs_roles(iam: Any) -> list[dict[str, Any]]:
    return iam.list_roles(PathPrefix=PATH)["Roles"]


def error_of(call: Callable[[], Any]) -> tuple[str, str]:
    with pytest.raises(ClientError) as raised:
        call()
    return raised.value.response["Error"]["Code"], raised.value.response["Error"]["Message"]


def new_task_definition(ecs: Any) -> str:
    family = f"slr-{uuid.uuid4().hex[:8]}"
    ecs.register_task_definition(family=family, containerDefinitions=[{"name": "app", "image": "nginx", "memory": 64}])
    return family


# --------------------------------------------------------------------------- through the emulator


def test_plain_mode_creates_no_role_and_refuses_nothing(account: Callable[[str], Any]) -> None:
    """The gap as the suites keep it: no role appears, so their IAM role counts stay as they were."""
    ecs, iam = account("ecs"), account("iam")
    ecs.create_cluster(clusterName="first")
    ecs.create_service(cluster="first", serviceName="web", taskDefinition=new_task_definition(ecs), desiredCount=0)
    assert ecs_roles(iam) == []


def test_the_first_create_cluster_makes_the_role_and_is_refused_until_it_is_usable(
    account: Callable[[str], Any], realistic: Callable[..., Any]
) -> None:
    realistic(time_scale=0.05)
    window = realism.TYPICAL["service_linked_role.creation"].seconds * 0.05
    ecs, iam = account("ecs"), account("iam")

    started = time.monotonic()
    assert error_of(lambda: ecs.create_cluster(clusterName="first")) == ("InvalidParameterException", MESSAGE)
    (role,) = ecs_roles(iam)
    assert (role["RoleName"], role["Path"]) == (ROLE_NAME, PATH)
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": ["ecs.amazonaws.com"]}
    assert ecs.list_clusters()["clusterArns"] == [], "the refused call created nothing"

    refusals = []

    def created() -> bool:
        try:
            ecs.create_cluster(clusterName="first")
        except ClientError as error:
            refusals.append(error.response["Error"]["Message"])
            return False
        return True

    wait_until(created, "the service-linked role is usable", timeout=5, interval=0.05)
    assert time.monotonic() - started >= window * 0.9
    assert set(refusals) <= {MESSAGE}
    assert len(ecs_roles(iam)) == 1, "made once"
    ecs.create_service(cluster="first", serviceName="web", taskDefinition=new_task_definition(ecs), desiredCount=0)


def test_the_first_create_service_makes_it_too(
    account: Callable[[str], Any], realistic: Callable[..., Any], emulator_endpoint: str
) -> None:
    ecs, iam = account("ecs"), account("iam")
    set_realism(emulator_endpoint, realistic=False)  # a cluster made before realistic mode: no role yet
    ecs.create_cluster(clusterName="before")
    family = new_task_definition(ecs)
    realistic(time_scale=0.05)

    assert error_of(lambda: ecs.create_service(cluster="before", serviceName="web", taskDefinition=family)) == (
        "InvalidParameterException",
        MESSAGE,
    )
    assert [role["RoleName"] for role in ecs_roles(iam)] == [ROLE_NAME]
    assert ecs.list_services(cluster="before")["serviceArns"] == []


def test_a_role_made_beforehand_is_usable_at_once(account: Callable[[str], Any], realistic: Callable[..., Any]) -> None:
    realistic(time_scale=1.0)
    ecs, iam = account("ecs"), account("iam")
    role = iam.create_service_linked_role(AWSServiceName="ecs.amazonaws.com")["Role"]
    assert (role["RoleName"], role["Path"]) == (ROLE_NAME, PATH)

    ecs.create_cluster(clusterName="first")
    assert error_of(lambda: iam.create_service_linked_role(AWSServiceName="ecs.amazonaws.com")) == (
        "InvalidInput",
        TAKEN,
    )


# --------------------------------------------------------------------------- plain moto


def test_moto_alone_never_creates_the_role_and_install_does(monkeypatch: pytest.MonkeyPatch) -> None:
    """Proves the extension is still needed: if the first assertions fail, moto fixed the gap; drop the extension."""
    from moto import mock_aws
    from moto.ecs.models import EC2ContainerServiceBackend
    from moto.iam.models import IAMBackend

    for owner, name in (
        (EC2ContainerServiceBackend, "create_cluster"),
        (EC2ContainerServiceBackend, "create_service"),
        (IAMBackend, "create_service_linked_role"),
    ):
        method = getattr(owner, name)
        while hasattr(method, "__wrapped__"):
            method = method.__wrapped__
        monkeypatch.setattr(owner, name, method)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("MOTO_IAM_LOAD_MANAGED_POLICIES", raising=False)

    try:
        realism.configure({"realistic": True, "time_scale": 1.0})
        with mock_aws():
            session = boto3.session.Session(
                aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
            )
            ecs, iam = session.client("ecs"), session.client("iam")
            assert not ecs_service_linked_role.is_installed()
            ecs.create_cluster(clusterName="first")
            assert ecs_roles(iam) == [], "moto creates no service-linked role"
            assert iam.create_service_linked_role(AWSServiceName="ecs.amazonaws.com")["Role"]["RoleName"] != ROLE_NAME
            iam.delete_service_linked_role(RoleName=ecs_roles(iam)[0]["RoleName"])

            ecs_service_linked_role.install()
            ecs_service_linked_role.install()

            assert ecs_service_linked_role.is_installed()
            assert not hasattr(EC2ContainerServiceBackend.create_cluster.__wrapped__, "__wrapped__"), (
                "install() must not wrap twice"
            )
            assert error_of(lambda: ecs.create_cluster(clusterName="second"))[1] == MESSAGE
            assert [role["RoleName"] for role in ecs_roles(iam)] == [ROLE_NAME]
    finally:
        realism.reset()
