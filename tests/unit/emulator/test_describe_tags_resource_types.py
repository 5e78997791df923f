"""DescribeTags uses AWS's resource type names (emulator/extensions/describe_tags_resource_types.py)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import boto3
import botocore.session
import pytest

from emulator.extensions import describe_tags_resource_types


@dataclass(frozen=True)
class TaggedWorld:
    vpc_id: str
    nat_id: str
    eip_id: str
    flow_log_id: str
    suffix: str


def tag_spec(resource_type: str, **tags: str) -> list[dict[str, Any]]:
    return [{"ResourceType": resource_type, "Tags": [{"Key": key, "Value": value} for key, value in tags.items()]}]


def create_tagged_world(ec2: Any) -> TaggedWorld:
    """A VPC, an EIP, a NAT gateway and a flow log, each tagged at creation with its own Name and a shared Stack."""
    suffix = uuid.uuid4().hex[:8]  # the emulator is shared by the session: keep our tags unique
    stack = f"tags-{suffix}"
    vpc_id = ec2.create_vpc(CidrBlock="10.30.0.0/16", TagSpecifications=tag_spec("vpc", Name="vpc", Stack=stack))[
        "Vpc"
    ]["VpcId"]
    subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.30.1.0/24")["Subnet"]["SubnetId"]
    eip_id = ec2.allocate_address(Domain="vpc", TagSpecifications=tag_spec("elastic-ip", Name="eip", Stack=stack))[
        "AllocationId"
    ]
    nat_allocation_id = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat_id = ec2.create_nat_gateway(
        SubnetId=subnet_id,
        AllocationId=nat_allocation_id,
        TagSpecifications=tag_spec("natgateway", Name="nat", Stack=stack),
    )["NatGateway"]["NatGatewayId"]
    flow_log_id = ec2.create_flow_logs(
        ResourceIds=[vpc_id],
        ResourceType="VPC",
        TrafficType="ALL",
        LogDestinationType="cloud-watch-logs",
        LogGroupName=f"/test/{suffix}",
        DeliverLogsPermissionArn="arn:aws:iam::123456789012:role/flow-logs",
        TagSpecifications=tag_spec("vpc-flow-log", Name="flow-log", Stack=stack),
    )["FlowLogIds"][0]
    return TaggedWorld(vpc_id, nat_id, eip_id, flow_log_id, suffix)


def tags_of(ec2: Any, resource_id: str, *filters: tuple[str, list[str]]) -> set[tuple[str, str, str, str]]:
    request_filters = [{"Name": "resource-id", "Values": [resource_id]}]
    request_filters += [{"Name": name, "Values": values} for name, values in filters]
    response = ec2.describe_tags(Filters=request_filters)
    return {(tag["ResourceId"], tag["ResourceType"], tag["Key"], tag["Value"]) for tag in response["Tags"]}


def expected(resource_id: str, resource_type: str, name: str, suffix: str) -> set[tuple[str, str, str, str]]:
    return {(resource_id, resource_type, "Name", name), (resource_id, resource_type, "Stack", f"tags-{suffix}")}


@pytest.fixture(scope="module")
def ec2(aws_client: Callable[[str], Any]) -> Any:
    return aws_client("ec2")


@pytest.fixture(scope="module")
def world(ec2: Any) -> TaggedWorld:
    return create_tagged_world(ec2)


def test_nat_gateway_tags_found_by_natgateway_type(ec2: Any, world: TaggedWorld) -> None:
    want = expected(world.nat_id, "natgateway", "nat", world.suffix)

    assert tags_of(ec2, world.nat_id, ("resource-type", ["natgateway"])) == want
    assert tags_of(ec2, world.nat_id) == want, "ResourceType is AWS's name without a type filter too"


def test_elastic_ip_tags_found_by_elastic_ip_type(ec2: Any, world: TaggedWorld) -> None:
    want = expected(world.eip_id, "elastic-ip", "eip", world.suffix)

    assert tags_of(ec2, world.eip_id, ("resource-type", ["elastic-ip"])) == want
    assert tags_of(ec2, world.eip_id) == want


def test_flow_log_tags_found_by_vpc_flow_log_type(ec2: Any, world: TaggedWorld) -> None:
    want = expected(world.flow_log_id, "vpc-flow-log", "flow-log", world.suffix)

    assert tags_of(ec2, world.flow_log_id, ("resource-type", ["vpc-flow-log"])) == want
    assert tags_of(ec2, world.flow_log_id) == want


def test_types_whose_names_agree_are_unchanged(ec2: Any, world: TaggedWorld) -> None:
    want = expected(world.vpc_id, "vpc", "vpc", world.suffix)

    assert tags_of(ec2, world.vpc_id, ("resource-type", ["vpc"])) == want
    assert tags_of(ec2, world.vpc_id) == want


def test_type_filter_for_another_type_excludes(ec2: Any, world: TaggedWorld) -> None:
    assert tags_of(ec2, world.nat_id, ("resource-type", ["vpc"])) == set()
    assert tags_of(ec2, world.nat_id, ("resource-type", ["elastic-ip"])) == set()
    assert tags_of(ec2, world.eip_id, ("resource-type", ["natgateway"])) == set()
    assert tags_of(ec2, world.flow_log_id, ("resource-type", ["natgateway", "vpc"])) == set()
    assert tags_of(ec2, world.vpc_id, ("resource-type", ["natgateway", "elastic-ip", "vpc-flow-log"])) == set()


def test_type_filter_with_several_values_matches_any(ec2: Any, world: TaggedWorld) -> None:
    either = ("resource-type", ["vpc", "natgateway"])

    assert tags_of(ec2, world.nat_id, either) == expected(world.nat_id, "natgateway", "nat", world.suffix)
    assert tags_of(ec2, world.vpc_id, either) == expected(world.vpc_id, "vpc", "vpc", world.suffix)


def test_moto_spellings_match_nothing(ec2: Any, world: TaggedWorld) -> None:
    # On AWS these are not resource types; matching them would contradict the ResourceType returned.
    assert tags_of(ec2, world.nat_id, ("resource-type", ["nat-gateway"])) == set()
    assert tags_of(ec2, world.eip_id, ("resource-type", ["vpc-elastic-ip"])) == set()
    assert tags_of(ec2, world.flow_log_id, ("resource-type", ["flow-logs"])) == set()


def test_type_filter_combines_with_other_filters(ec2: Any, world: TaggedWorld) -> None:
    nat_type = ("resource-type", ["natgateway"])

    assert tags_of(ec2, world.nat_id, nat_type, ("key", ["Name"])) == {(world.nat_id, "natgateway", "Name", "nat")}
    assert tags_of(ec2, world.nat_id, nat_type, ("value", ["na?"])) == {(world.nat_id, "natgateway", "Name", "nat")}
    assert tags_of(ec2, world.nat_id, nat_type, ("key", ["NoSuchKey"])) == set()

    response = ec2.describe_tags(
        Filters=[
            {"Name": "resource-type", "Values": ["natgateway"]},
            {"Name": "value", "Values": [f"tags-{world.suffix}"]},
        ]
    )
    assert {(tag["ResourceId"], tag["ResourceType"]) for tag in response["Tags"]} == {(world.nat_id, "natgateway")}


def test_describe_nat_gateways_still_reports_tags(ec2: Any, world: TaggedWorld) -> None:
    gateway = ec2.describe_nat_gateways(NatGatewayIds=[world.nat_id])["NatGateways"][0]
    assert {(tag["Key"], tag["Value"]) for tag in gateway["Tags"]} == {
        ("Name", "nat"),
        ("Stack", f"tags-{world.suffix}"),
    }


def test_name_table_only_holds_real_differences() -> None:
    from moto.ec2.utils import EC2_RESOURCE_TO_PREFIX

    aws_types = set(botocore.session.get_session().get_service_model("ec2").shape_for("ResourceType").enum)
    for aws_name, moto_name in describe_tags_resource_types.AWS_TO_MOTO.items():
        assert aws_name != moto_name
        assert aws_name in aws_types, f"{aws_name} is not an AWS EC2 resource type"
        assert (
            aws_name not in EC2_RESOURCE_TO_PREFIX
        ), f"moto now calls {aws_name} by AWS's name; drop it from the table"
        assert moto_name in EC2_RESOURCE_TO_PREFIX, f"moto no longer knows {moto_name}; update the table"
        assert moto_name not in aws_types


def test_moto_alone_uses_its_own_type_names_and_install_fixes_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Proves the extension is still needed: if the first assertions fail, moto fixed the gap; drop the extension."""
    from moto import mock_aws
    from moto.ec2.models import EC2Backend
    from moto.ec2.models.tags import TagBackend

    assert EC2Backend.describe_tags is TagBackend.describe_tags, "EC2Backend must get describe_tags from TagBackend"

    current = TagBackend.describe_tags
    moto_original = getattr(current, "__wrapped__", current)
    monkeypatch.setattr(TagBackend, "describe_tags", moto_original)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)  # mock_aws intercepts the real AWS endpoints only

    with mock_aws():
        ec2 = boto3.client("ec2", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
        world = create_tagged_world(ec2)
        assert not describe_tags_resource_types.is_installed()
        assert tags_of(ec2, world.nat_id, ("resource-type", ["natgateway"])) == set()
        assert tags_of(ec2, world.nat_id) == expected(world.nat_id, "nat-gateway", "nat", world.suffix)
        assert tags_of(ec2, world.eip_id, ("resource-type", ["elastic-ip"])) == set()
        assert tags_of(ec2, world.flow_log_id, ("resource-type", ["vpc-flow-log"])) == set()

        describe_tags_resource_types.install()
        describe_tags_resource_types.install()

        assert TagBackend.describe_tags.__wrapped__ is moto_original, "install() must not wrap twice"
        assert EC2Backend.describe_tags is TagBackend.describe_tags
        want_nat = expected(world.nat_id, "natgateway", "nat", world.suffix)
        assert tags_of(ec2, world.nat_id, ("resource-type", ["natgateway"])) == want_nat
        assert tags_of(ec2, world.nat_id) == want_nat
        assert tags_of(ec2, world.eip_id, ("resource-type", ["elastic-ip"])) == expected(
            world.eip_id, "elastic-ip", "eip", world.suffix
        )
        assert tags_of(ec2, world.flow_log_id, ("resource-type", ["vpc-flow-log"])) == expected(
            world.flow_log_id, "vpc-flow-log", "flow-log", world.suffix
        )
        assert tags_of(ec2, world.vpc_id, ("resource-type", ["vpc"])) == expected(
            world.vpc_id, "vpc", "vpc", world.suffix
        )
