"""A VPC, subnet, internet gateway or route table just created is unknown to the calls naming it for a moment, in
realistic mode (emulator/extensions/ec2_new_resource_visibility.py); the collection's vpc and route_tables modules
converge all the same."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

import pytest
from botocore.exceptions import ClientError

from emulator import realism
from emulator.extensions import ec2_new_resource_visibility as extension
from tests.unit.emulator.conftest import fresh_account_clients
from tests.unit.helpers import assert_ok

TYPICAL = realism.TYPICAL[extension.BEHAVIOUR].seconds  # 2 s
# Stretched for the tests that are about the refusals (none waits it out): every call they make right after the creates
# lands inside it, however busy the machine.
REFUSING = {extension.BEHAVIOUR: 10.0}
SHORT_SCALE = 0.5  # 1 s, waited out: longer than a few calls take on a loaded machine


class Network(NamedTuple):
    vpc_id: str
    subnet_id: str
    igw_id: str
    route_table_id: str


@pytest.fixture
def ec2(aws_client: Callable[[str], Any]) -> Any:
    return aws_client("ec2")


def tagged(kind: str, tag: str) -> list[dict[str, Any]]:
    return [{"ResourceType": kind, "Tags": [{"Key": "Test", "Value": tag}]}]


def build(ec2: Any, tag: str, attach: bool = False) -> Network:
    """A VPC with a subnet and a route table, and an internet gateway (detached unless ``attach``), tagged ``tag``."""
    vpc_id = ec2.create_vpc(CidrBlock="10.93.0.0/16", TagSpecifications=tagged("vpc", tag))["Vpc"]["VpcId"]
    subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.93.1.0/24", TagSpecifications=tagged("subnet", tag))[
        "Subnet"
    ]["SubnetId"]
    igw_id = ec2.create_internet_gateway(TagSpecifications=tagged("internet-gateway", tag))["InternetGateway"][
        "InternetGatewayId"
    ]
    route_table_id = ec2.create_route_table(VpcId=vpc_id, TagSpecifications=tagged("route-table", tag))["RouteTable"][
        "RouteTableId"
    ]
    if attach:
        ec2.attach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc_id)
    return Network(vpc_id, subnet_id, igw_id, route_table_id)


def refusal(call: Callable[[], Any]) -> tuple[str, str]:
    with pytest.raises(ClientError) as raised:
        call()
    return raised.value.response["Error"]["Code"], raised.value.response["Error"]["Message"]


def listed(ec2: Any, tag: str) -> dict[str, list[str]]:
    """The IDs of the resources tagged ``tag`` that the filtered describe calls list."""
    filters = [{"Name": "tag:Test", "Values": [tag]}]
    return {
        "vpcs": [v["VpcId"] for v in ec2.describe_vpcs(Filters=filters)["Vpcs"]],
        "subnets": [s["SubnetId"] for s in ec2.describe_subnets(Filters=filters)["Subnets"]],
        "gateways": [
            g["InternetGatewayId"] for g in ec2.describe_internet_gateways(Filters=filters)["InternetGateways"]
        ],
        "route_tables": [t["RouteTableId"] for t in ec2.describe_route_tables(Filters=filters)["RouteTables"]],
    }


def use(ec2: Any, new: Network) -> None:
    """What a client does right after building ``new``: every call naming one of its resources."""
    ec2.describe_vpcs(VpcIds=[new.vpc_id])
    ec2.modify_vpc_attribute(VpcId=new.vpc_id, EnableDnsHostnames={"Value": True})
    assert ec2.describe_vpc_attribute(VpcId=new.vpc_id, Attribute="enableDnsHostnames")["EnableDnsHostnames"]["Value"]
    ec2.modify_subnet_attribute(SubnetId=new.subnet_id, MapPublicIpOnLaunch={"Value": True})
    assert ec2.describe_subnets(SubnetIds=[new.subnet_id])["Subnets"][0]["MapPublicIpOnLaunch"]
    ec2.attach_internet_gateway(InternetGatewayId=new.igw_id, VpcId=new.vpc_id)
    ec2.create_route(RouteTableId=new.route_table_id, DestinationCidrBlock="0.0.0.0/0", GatewayId=new.igw_id)
    ec2.associate_route_table(RouteTableId=new.route_table_id, SubnetId=new.subnet_id)
    ec2.create_tags(Resources=list(new), Tags=[{"Key": "Used", "Value": "yes"}])
    (table,) = ec2.describe_route_tables(RouteTableIds=[new.route_table_id])["RouteTables"]
    assert {r.get("GatewayId") for r in table["Routes"]} == {"local", new.igw_id}
    assert [a["SubnetId"] for a in table["Associations"]] == [new.subnet_id]
    assert ec2.describe_internet_gateways(InternetGatewayIds=[new.igw_id])["InternetGateways"][0]["Attachments"] == [
        {"State": "available", "VpcId": new.vpc_id}
    ]


# --------------------------------------------------------------------------- plain mode: moto's, at once


def test_plain_mode_knows_new_resources_at_once(ec2: Any) -> None:
    tag = uuid.uuid4().hex
    new = build(ec2, tag)
    assert listed(ec2, tag) == {
        "vpcs": [new.vpc_id],
        "subnets": [new.subnet_id],
        "gateways": [new.igw_id],
        "route_tables": [new.route_table_id],
    }
    use(ec2, new)


# --------------------------------------------------------------------------- realistic mode: AWS's window


def test_calls_naming_a_new_resource_answer_not_found_and_lists_leave_it_out(
    ec2: Any, realistic: Callable[..., Any]
) -> None:
    settled = build(ec2, uuid.uuid4().hex)  # in plain mode: known at once, whatever the mode later
    realistic(behaviour_seconds=REFUSING)
    tag = uuid.uuid4().hex
    new = build(ec2, tag)  # CreateSubnet and CreateRouteTable in the new VPC are accepted

    def not_found(noun: str, resource_id: str) -> str:
        return f"The {noun} ID '{resource_id}' does not exist"

    vpc = ("InvalidVpcID.NotFound", not_found("vpc", new.vpc_id))
    subnet = ("InvalidSubnetID.NotFound", not_found("subnet", new.subnet_id))
    gateway = ("InvalidInternetGatewayID.NotFound", not_found("internetGateway", new.igw_id))
    table = ("InvalidRouteTableID.NotFound", not_found("routeTable", new.route_table_id))
    refused = {
        "DescribeVpcs": (lambda: ec2.describe_vpcs(VpcIds=[settled.vpc_id, new.vpc_id]), vpc),
        "DescribeVpcAttribute": (
            lambda: ec2.describe_vpc_attribute(VpcId=new.vpc_id, Attribute="enableDnsSupport"),
            vpc,
        ),
        "ModifyVpcAttribute": (
            lambda: ec2.modify_vpc_attribute(VpcId=new.vpc_id, EnableDnsHostnames={"Value": True}),
            vpc,
        ),
        "CreateTags": (
            lambda: ec2.create_tags(Resources=[settled.vpc_id, new.vpc_id], Tags=[{"Key": "k", "Value": "v"}]),
            vpc,
        ),
        "AttachInternetGateway to the new VPC": (
            lambda: ec2.attach_internet_gateway(InternetGatewayId=settled.igw_id, VpcId=new.vpc_id),
            vpc,
        ),
        "DescribeSubnets": (lambda: ec2.describe_subnets(SubnetIds=[new.subnet_id]), subnet),
        "ModifySubnetAttribute": (
            lambda: ec2.modify_subnet_attribute(SubnetId=new.subnet_id, MapPublicIpOnLaunch={"Value": True}),
            subnet,
        ),
        "AssociateRouteTable of the new subnet": (
            lambda: ec2.associate_route_table(RouteTableId=settled.route_table_id, SubnetId=new.subnet_id),
            subnet,
        ),
        "DescribeInternetGateways": (lambda: ec2.describe_internet_gateways(InternetGatewayIds=[new.igw_id]), gateway),
        "AttachInternetGateway of the new gateway": (
            lambda: ec2.attach_internet_gateway(InternetGatewayId=new.igw_id, VpcId=settled.vpc_id),
            gateway,
        ),
        "CreateRoute to the new gateway": (
            lambda: ec2.create_route(
                RouteTableId=settled.route_table_id, DestinationCidrBlock="0.0.0.0/0", GatewayId=new.igw_id
            ),
            ("InvalidGatewayID.NotFound", not_found("gateway", new.igw_id)),
        ),
        "DescribeRouteTables": (lambda: ec2.describe_route_tables(RouteTableIds=[new.route_table_id]), table),
        "CreateRoute in the new table": (
            lambda: ec2.create_route(
                RouteTableId=new.route_table_id, DestinationCidrBlock="0.0.0.0/0", GatewayId=settled.igw_id
            ),
            table,
        ),
        "AssociateRouteTable of the new table": (
            lambda: ec2.associate_route_table(RouteTableId=new.route_table_id, SubnetId=settled.subnet_id),
            table,
        ),
    }
    answers = {name: refusal(call) for name, (call, _expected) in refused.items()}
    lists = listed(ec2, tag)

    assert answers == {name: expected for name, (_call, expected) in refused.items()}
    assert lists == {"vpcs": [], "subnets": [], "gateways": [], "route_tables": []}
    main = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [new.vpc_id]}])["RouteTables"]
    assert [t["Associations"][0]["Main"] for t in main] == [True], "the new VPC's main table is there at once"
    (kept,) = ec2.describe_route_tables(RouteTableIds=[settled.route_table_id])["RouteTables"]
    assert kept["Associations"] == [] and len(kept["Routes"]) == 1, "the refused calls changed nothing"


def test_a_new_resource_is_known_once_its_time_is_up(ec2: Any, realistic: Callable[..., Any]) -> None:
    realistic(time_scale=SHORT_SCALE)
    tag = uuid.uuid4().hex
    new = build(ec2, tag)
    code, _message = refusal(lambda: ec2.describe_route_tables(RouteTableIds=[new.route_table_id]))
    assert code == "InvalidRouteTableID.NotFound", "the table made last is not known yet"

    time.sleep(TYPICAL * SHORT_SCALE + 0.1)
    assert listed(ec2, tag) == {
        "vpcs": [new.vpc_id],
        "subnets": [new.subnet_id],
        "gateways": [new.igw_id],
        "route_tables": [new.route_table_id],
    }
    use(ec2, new)


def test_a_new_accounts_default_vpc_made_in_realistic_mode_is_known_at_once(
    emulator_endpoint: str, realistic: Callable[..., Any]
) -> None:
    realistic(behaviour_seconds=REFUSING)
    # A fresh account: its EC2 backend, and with it the default VPC and its subnets, is made by this first call.
    ec2 = fresh_account_clients(emulator_endpoint, f"2200{uuid.uuid4().int % 10**8:08d}")("ec2")
    (vpc,) = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["Subnets"]

    assert subnets and ec2.describe_subnets(SubnetIds=[s["SubnetId"] for s in subnets])["Subnets"]
    ec2.modify_vpc_attribute(VpcId=vpc["VpcId"], EnableDnsHostnames={"Value": True})
    (main,) = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["RouteTables"]
    ec2.describe_route_tables(RouteTableIds=[main["RouteTableId"]])


# --------------------------------------------------------------------------- in this process: the modules converge


@pytest.fixture
def realistic_here(aws: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The extension installed in this process's moto for this test only, realistic mode at ``SHORT_SCALE``, and the
    modules' retries on a clock forty times faster (their waits between tries really pass, shortened)."""
    from ansible_collections.amazon.aws.plugins.module_utils import cloud

    from ansible_collections.cloudops.fargate.plugins.module_utils import _route_tables

    for patch in extension.PATCHES:
        monkeypatch.setattr(patch.owner, patch.name, getattr(patch.owner, patch.name))  # put back afterwards
    extension.install()
    extension.install()
    assert extension.is_installed()
    quick = staticmethod(lambda seconds: time.sleep(seconds / 40))
    monkeypatch.setattr(cloud, "time", type("Time", (), {"sleep": quick}))
    monkeypatch.setattr(_route_tables, "_sleep", quick)
    realism.configure({"realistic": True, "time_scale": SHORT_SCALE, "throttle_rate": 0.0})
    yield
    realism.reset()


def test_the_vpc_and_route_tables_modules_converge_despite_not_found(
    run_module: Callable[..., dict[str, Any]], calls: list[tuple[str, str]], realistic_here: None
) -> None:
    from ansible_collections.cloudops.fargate.plugins.modules import route_tables, vpc

    network = {
        "name": "visibility",
        "cidr_block": "10.94.0.0/16",
        "identifying_tags": {"Stack": "visibility"},
        "subnets": [
            {"name": "visibility-public", "cidr": "10.94.0.0/24", "az": "us-east-1a", "map_public_ip_on_launch": True},
            {"name": "visibility-private", "cidr": "10.94.1.0/24", "az": "us-east-1b"},
        ],
        "internet_gateway": {"name": "visibility-igw"},
    }
    built = run_module(vpc, network)
    assert_ok(built, changed=True)
    # The new VPC and subnets are read back until EC2 knows them (the gateway, created before the subnets, is known by
    # the time it is attached).
    for retried in ("DescribeVpcs", "DescribeSubnets"):
        assert calls.count(("ec2", retried)) > 1, f"{retried} answered NotFound first"

    public = {
        "vpc_id": built["vpc"]["id"],
        "tags": {"Stack": "visibility"},
        "route_tables": [
            {
                "name": "visibility-public",
                "subnets": [built["subnets"][0]["id"]],
                "routes": [{"dest": "0.0.0.0/0", "gateway_id": built["internet_gateway"]["id"]}],
            }
        ],
    }
    calls.clear()
    routed = run_module(route_tables, public)
    assert_ok(routed, changed=True)
    assert calls.count(("ec2", "CreateRoute")) > 1, "CreateRoute in the new table answered NotFound first"

    assert_ok(run_module(vpc, network), changed=False)
    assert_ok(run_module(route_tables, public), changed=False)
