"""Target groups stop naming deleted load balancers, at once in plain mode and a little later in realistic mode
(emulator/extensions/elbv2_target_group_load_balancers.py)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from emulator import realism
from emulator.extensions import elbv2_target_group_load_balancers as extension
from tests.unit.helpers import wait_until


def build(ec2: Any, elbv2: Any) -> tuple[str, str, str]:
    """An ALB with an HTTP listener forwarding to a target group: (alb arn, listener arn, group arn)."""
    suffix = uuid.uuid4().hex[:10]
    vpc_id = ec2.create_vpc(CidrBlock="10.78.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.78.{i}.0/24", AvailabilityZone=f"us-east-1{zone}")["Subnet"][
            "SubnetId"
        ]
        for i, zone in enumerate("ab")
    ]
    alb = elbv2.create_load_balancer(Name=f"lb-{suffix}", Subnets=subnets)["LoadBalancers"][0]["LoadBalancerArn"]
    group = elbv2.create_target_group(Name=f"tg-{suffix}", Protocol="HTTP", Port=80, VpcId=vpc_id, TargetType="ip")[
        "TargetGroups"
    ][0]["TargetGroupArn"]
    listener = elbv2.create_listener(
        LoadBalancerArn=alb, Protocol="HTTP", Port=80, DefaultActions=[{"Type": "forward", "TargetGroupArn": group}]
    )["Listeners"][0]["ListenerArn"]
    return alb, listener, group


def users(elbv2: Any, group: str) -> list[str]:
    return elbv2.describe_target_groups(TargetGroupArns=[group])["TargetGroups"][0]["LoadBalancerArns"]


def test_deleting_the_load_balancer_frees_its_target_groups(aws_client):
    ec2, elbv2 = aws_client("ec2"), aws_client("elbv2")
    alb, _listener, group = build(ec2, elbv2)
    assert users(elbv2, group) == [alb]
    elbv2.delete_load_balancer(LoadBalancerArn=alb)
    assert users(elbv2, group) == []
    elbv2.delete_target_group(TargetGroupArn=group)


def test_deleting_the_listener_frees_its_target_groups(aws_client):
    ec2, elbv2 = aws_client("ec2"), aws_client("elbv2")
    alb, listener, group = build(ec2, elbv2)
    elbv2.delete_listener(ListenerArn=listener)
    assert users(elbv2, group) == []
    assert elbv2.describe_load_balancers(LoadBalancerArns=[alb])["LoadBalancers"]


def test_a_listener_still_forwarding_keeps_the_group_in_use(aws_client):
    ec2, elbv2 = aws_client("ec2"), aws_client("elbv2")
    alb, _listener, group = build(ec2, elbv2)
    elbv2.create_listener(
        LoadBalancerArn=alb, Protocol="HTTP", Port=8080, DefaultActions=[{"Type": "forward", "TargetGroupArn": group}]
    )
    elbv2.delete_listener(ListenerArn=_listener)
    assert users(elbv2, group) == [alb]


def delete_error(elbv2: Any, group: str) -> tuple[str, str]:
    with pytest.raises(ClientError) as raised:
        elbv2.delete_target_group(TargetGroupArn=group)
    return raised.value.response["Error"]["Code"], raised.value.response["Error"]["Message"]


def test_realistic_mode_keeps_a_deleted_load_balancer_listed_for_a_while(
    aws_client: Callable[[str], Any], realistic: Callable[..., Any]
) -> None:
    # Held for a fixed 6 s whatever the scale: a 1.5 s window was missed between two calls on a loaded CI machine.
    lingering = 6.0
    realistic(time_scale=0.1, behaviour_seconds={extension.LINGERING: lingering})
    ec2, elbv2 = aws_client("ec2"), aws_client("elbv2")
    alb, _listener, group = build(ec2, elbv2)
    other_alb, listener, other_group = build(ec2, elbv2)

    elbv2.delete_load_balancer(LoadBalancerArn=alb)
    assert users(elbv2, group) == [alb], "AWS still lists the deleted load balancer"
    assert delete_error(elbv2, group) == ("ResourceInUse", extension.in_use_message(group))
    elbv2.delete_listener(ListenerArn=listener)
    assert users(elbv2, other_group) == [other_alb], "a deleted listener's target group is let go of later too"
    assert delete_error(elbv2, other_group) == ("ResourceInUse", extension.in_use_message(other_group))
    assert users(elbv2, group) == [alb], "other calls do not end the lingering early"

    wait_until(lambda: users(elbv2, group) == [], "the target group no longer lists it", timeout=lingering + 3)
    elbv2.delete_target_group(TargetGroupArn=group)
    wait_until(lambda: users(elbv2, other_group) == [], "the other no longer lists it", timeout=lingering + 3)
    elbv2.delete_target_group(TargetGroupArn=other_group)
    elbv2.delete_load_balancer(LoadBalancerArn=other_alb)


def test_realistic_mode_refuses_the_delete_until_the_time_is_up_without_describing(
    aws_client: Callable[[str], Any], realistic: Callable[..., Any]
) -> None:
    scale = 0.1
    realistic(time_scale=scale)
    ec2, elbv2 = aws_client("ec2"), aws_client("elbv2")
    alb, _listener, group = build(ec2, elbv2)
    elbv2.delete_load_balancer(LoadBalancerArn=alb)

    def deleted() -> bool:
        try:
            elbv2.delete_target_group(TargetGroupArn=group)
        except ClientError as error:
            if error.response["Error"]["Code"] != "ResourceInUse":
                raise
            return False
        return True

    wait_until(deleted, "DeleteTargetGroup succeeds", timeout=realism.TYPICAL[extension.LINGERING].seconds * scale + 3)


def test_plain_moto_has_the_gap_and_the_patch_fills_it(monkeypatch):
    for owner, name, _make in extension.PATCHES:
        method = getattr(owner, name)
        monkeypatch.setattr(owner, name, getattr(method, "__wrapped__", method))
    with mock_aws():
        session = boto3.session.Session(aws_access_key_id="t", aws_secret_access_key="t", region_name="us-east-1")
        ec2, elbv2 = session.client("ec2"), session.client("elbv2")
        alb, _listener, group = build(ec2, elbv2)
        elbv2.delete_load_balancer(LoadBalancerArn=alb)
        assert users(elbv2, group) == [alb]

        extension.install()
        extension.install()
        assert extension.is_installed()
        alb, _listener, group = build(ec2, elbv2)
        elbv2.delete_load_balancer(LoadBalancerArn=alb)
        assert users(elbv2, group) == []
