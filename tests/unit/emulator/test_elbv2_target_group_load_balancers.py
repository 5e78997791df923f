"""Target groups stop naming deleted load balancers (emulator/extensions/elbv2_target_group_load_balancers.py)."""

from __future__ import annotations

import uuid
from typing import Any

import boto3
from moto import mock_aws
from moto.elbv2.models import ELBv2Backend

from emulator.extensions import elbv2_target_group_load_balancers as extension


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


def test_plain_moto_has_the_gap_and_the_patch_fills_it(monkeypatch):
    for name in extension.PATCHED_METHODS:
        method = getattr(ELBv2Backend, name)
        monkeypatch.setattr(ELBv2Backend, name, getattr(method, "__wrapped__", method))
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
