"""Load balancers provision before they are active, and a marked one fails
(emulator/extensions/elbv2_load_balancer_provisioning.py)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from moto import mock_aws

from emulator import realism
from emulator.extensions import elbv2_load_balancer_provisioning as extension
from tests.unit.helpers import wait_until

SCALE = 0.03  # 150 s of provisioning in 4.5 s: a window a loaded CI machine cannot miss


@pytest.fixture(scope="module")
def elbv2(aws_client: Callable[[str], Any]) -> Any:
    return aws_client("elbv2")


@pytest.fixture(scope="module")
def subnets(aws_client: Callable[[str], Any]) -> list[str]:
    return create_subnets(aws_client("ec2"))


def create_subnets(ec2: Any) -> list[str]:
    vpc_id = ec2.create_vpc(CidrBlock="10.91.0.0/16")["Vpc"]["VpcId"]
    return [
        ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.91.{i}.0/24", AvailabilityZone=f"us-east-1{zone}")["Subnet"][
            "SubnetId"
        ]
        for i, zone in enumerate("ab")
    ]


def create(elbv2: Any, subnets: list[str], marker: str = "") -> tuple[str, dict[str, str]]:
    name = f"lb{marker}-{uuid.uuid4().hex[:8]}"
    created = elbv2.create_load_balancer(Name=name, Subnets=subnets)["LoadBalancers"][0]
    return created["LoadBalancerArn"], created["State"]


def state(elbv2: Any, arn: str) -> dict[str, str]:
    return elbv2.describe_load_balancers(LoadBalancerArns=[arn])["LoadBalancers"][0]["State"]


def test_plain_mode_is_active_at_the_first_describe(elbv2: Any, subnets: list[str]) -> None:
    """The gap: moto's load balancer is active as soon as anyone looks."""
    arn, created = create(elbv2, subnets)
    assert created == {"Code": "provisioning"}
    assert state(elbv2, arn) == {"Code": "active"}


def test_realistic_mode_provisions_for_a_while(elbv2: Any, subnets: list[str], realistic: Callable[..., Any]) -> None:
    realistic(time_scale=SCALE)
    seconds = realism.TYPICAL[extension.BEHAVIOUR].seconds * SCALE
    started = time.monotonic()
    arn, created = create(elbv2, subnets)
    assert created == {"Code": "provisioning"}
    assert state(elbv2, arn) == {"Code": "provisioning"}
    assert elbv2.describe_load_balancers()["LoadBalancers"], "describing all does not move it on either"
    assert state(elbv2, arn) == {"Code": "provisioning"}

    wait_until(lambda: state(elbv2, arn)["Code"] == "active", "the load balancer is active", timeout=seconds + 3)
    assert time.monotonic() - started >= seconds * 0.9
    # listeners work meanwhile and after; deleting works as ever
    elbv2.delete_load_balancer(LoadBalancerArn=arn)


def test_a_load_balancer_named_to_fail_ends_failed_with_a_reason(
    elbv2: Any, subnets: list[str], realistic: Callable[..., Any]
) -> None:
    realistic(time_scale=SCALE)
    arn, _created = create(elbv2, subnets, marker=f"-{extension.FAIL_MARKER}")
    assert state(elbv2, arn) == {"Code": "provisioning"}

    def settled() -> dict | None:
        now = state(elbv2, arn)
        return now if now["Code"] != "provisioning" else None

    failed = wait_until(
        settled,
        "the load balancer has provisioned",
        timeout=realism.TYPICAL[extension.BEHAVIOUR].seconds * SCALE + 3,
    )
    assert failed == {"Code": "failed", "Reason": extension.FAILED_REASON}
    elbv2.delete_load_balancer(LoadBalancerArn=arn)


def test_plain_mode_fails_the_marked_load_balancer_at_the_first_describe(elbv2: Any, subnets: list[str]) -> None:
    arn, created = create(elbv2, subnets, marker=f"-{extension.FAIL_MARKER}")
    assert created == {"Code": "provisioning"}
    assert state(elbv2, arn) == {"Code": "failed", "Reason": extension.FAILED_REASON}
    elbv2.delete_load_balancer(LoadBalancerArn=arn)


def test_install_twice_patches_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """In this process (mock_aws): moto alone is active at once and never fails; install() changes that, once."""
    from moto.elbv2.models import FakeLoadBalancer

    for owner, name, _make in extension.PATCHES:
        if name in vars(owner):
            monkeypatch.setattr(owner, name, vars(owner)[name])
        else:
            monkeypatch.setattr(owner, name, None, raising=False)
            monkeypatch.delattr(owner, name)
    for owner, name, _make in extension.PATCHES:
        value = vars(owner).get(name)
        while hasattr(value, "__wrapped__"):
            value = value.__wrapped__
        if value is not None:
            monkeypatch.setattr(owner, name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        session = boto3.session.Session(aws_access_key_id="t", aws_secret_access_key="t", region_name="us-east-1")
        ec2, elbv2 = session.client("ec2"), session.client("elbv2")
        subnets = create_subnets(ec2)
        assert not extension.is_installed()
        arn, _created = create(elbv2, subnets, marker=f"-{extension.FAIL_MARKER}")
        assert state(elbv2, arn) == {"Code": "active"}, "moto never fails a load balancer"

        extension.install()
        extension.install()
        assert extension.is_installed()
        assert not hasattr(FakeLoadBalancer.activate.__wrapped__, "__wrapped__"), "install() must not wrap twice"
        arn, _created = create(elbv2, subnets, marker=f"-{extension.FAIL_MARKER}")
        assert state(elbv2, arn)["Code"] == "failed"
