"""DescribeNatGateways honours tag:<Key> and tag-key filters (emulator/extensions/nat_gateway_tag_filters.py)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import boto3
import pytest

from emulator.extensions import nat_gateway_tag_filters


@dataclass(frozen=True)
class NatWorld:
    vpc_id: str
    subnet_a: str
    subnet_b: str
    nat_a: str
    nat_b: str
    stack_a: str
    stack_b: str
    key_only_on_a: str


def create_nat_world(ec2: Any) -> NatWorld:
    """Two NAT gateways in one VPC, in different subnets, with different Stack tags; only A has an extra tag key."""
    suffix = uuid.uuid4().hex[:8]  # the emulator is shared by the session: keep our tags unique
    stack_a, stack_b, key_only_on_a = f"alpha-{suffix}", f"beta-{suffix}", f"OnlyOnA-{suffix}"
    vpc_id = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    subnet_a = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.20.1.0/24")["Subnet"]["SubnetId"]
    subnet_b = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.20.2.0/24")["Subnet"]["SubnetId"]

    def create_nat(subnet_id: str, tags: dict[str, str]) -> str:
        allocation_id = ec2.allocate_address(Domain="vpc")["AllocationId"]
        return ec2.create_nat_gateway(
            SubnetId=subnet_id,
            AllocationId=allocation_id,
            TagSpecifications=[
                {"ResourceType": "natgateway", "Tags": [{"Key": key, "Value": value} for key, value in tags.items()]}
            ],
        )["NatGateway"]["NatGatewayId"]

    nat_a = create_nat(subnet_a, {"Stack": stack_a, "Name": "nat-a", key_only_on_a: "yes"})
    nat_b = create_nat(subnet_b, {"Stack": stack_b, "Name": "nat-b"})
    return NatWorld(vpc_id, subnet_a, subnet_b, nat_a, nat_b, stack_a, stack_b, key_only_on_a)


def nat_ids(ec2: Any, *filters: tuple[str, list[str]], **kwargs: Any) -> set[str]:
    request_filters = [{"Name": name, "Values": values} for name, values in filters]
    response = ec2.describe_nat_gateways(Filters=request_filters, **kwargs)
    return {gateway["NatGatewayId"] for gateway in response["NatGateways"]}


@pytest.fixture(scope="module")
def ec2(aws_client: Callable[[str], Any]) -> Any:
    return aws_client("ec2")


@pytest.fixture(scope="module")
def world(ec2: Any) -> NatWorld:
    return create_nat_world(ec2)


def test_no_filter_returns_both(ec2: Any, world: NatWorld) -> None:
    assert {world.nat_a, world.nat_b} <= nat_ids(ec2)


def test_tag_filter_returns_only_the_matching_gateway(ec2: Any, world: NatWorld) -> None:
    assert nat_ids(ec2, ("tag:Stack", [world.stack_a])) == {world.nat_a}
    assert nat_ids(ec2, ("tag:Stack", [world.stack_b])) == {world.nat_b}
    assert nat_ids(ec2, ("tag:Stack", [world.stack_a, world.stack_b])) == {world.nat_a, world.nat_b}
    assert nat_ids(ec2, ("tag:Stack", ["no-such-stack"])) == set()


def test_tag_filter_supports_wildcards(ec2: Any, world: NatWorld) -> None:
    in_vpc = ("vpc-id", [world.vpc_id])

    assert nat_ids(ec2, ("tag:Stack", ["alpha-*"]), in_vpc) == {world.nat_a}
    assert nat_ids(ec2, ("tag:Stack", ["*-" + world.stack_a.split("-")[1]])) == {world.nat_a, world.nat_b}
    assert nat_ids(ec2, ("tag:Name", ["nat-?"]), in_vpc) == {world.nat_a, world.nat_b}


def test_tag_key_filter(ec2: Any, world: NatWorld) -> None:
    assert nat_ids(ec2, ("tag-key", [world.key_only_on_a])) == {world.nat_a}
    assert nat_ids(ec2, ("tag-key", ["Stack"]), ("vpc-id", [world.vpc_id])) == {world.nat_a, world.nat_b}
    assert nat_ids(ec2, ("tag-key", ["NoSuchKey-" + world.stack_a])) == set()


def test_tag_filters_combine_with_moto_filters(ec2: Any, world: NatWorld) -> None:
    stack_a = ("tag:Stack", [world.stack_a])

    assert nat_ids(ec2, ("subnet-id", [world.subnet_b])) == {world.nat_b}
    assert nat_ids(ec2, stack_a, ("subnet-id", [world.subnet_a])) == {world.nat_a}
    assert nat_ids(ec2, stack_a, ("subnet-id", [world.subnet_b])) == set()
    assert nat_ids(ec2, stack_a, ("state", ["available"])) == {world.nat_a}
    assert nat_ids(ec2, stack_a, ("state", ["deleted"])) == set()
    assert nat_ids(ec2, stack_a, ("tag-key", ["Name"])) == {world.nat_a}
    assert nat_ids(ec2, stack_a, NatGatewayIds=[world.nat_b]) == set()


def test_moto_alone_ignores_tag_filters_and_install_fixes_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Proves the extension is still needed: if the first assertion fails, moto fixed the gap; drop the extension."""
    from moto import mock_aws
    from moto.ec2.models.nat_gateways import NatGatewayBackend

    current = NatGatewayBackend.describe_nat_gateways
    moto_original = getattr(current, "__wrapped__", current)
    monkeypatch.setattr(NatGatewayBackend, "describe_nat_gateways", moto_original)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)  # mock_aws intercepts the real AWS endpoints only

    with mock_aws():
        ec2 = boto3.client("ec2", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
        world = create_nat_world(ec2)
        assert not nat_gateway_tag_filters.is_installed()
        assert nat_ids(ec2, ("tag:Stack", [world.stack_a])) == {world.nat_a, world.nat_b}

        nat_gateway_tag_filters.install()
        nat_gateway_tag_filters.install()

        assert NatGatewayBackend.describe_nat_gateways.__wrapped__ is moto_original, "install() must not wrap twice"
        assert nat_ids(ec2, ("tag:Stack", [world.stack_a])) == {world.nat_a}
