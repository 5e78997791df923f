"""Unit tests of the pure functions of plugins/module_utils/_route_tables.py: input normalisation, reading what
DescribeRouteTables lists (which routes the module manages), and the plan: routes, subnets, tags and the diff."""

from __future__ import annotations

import pytest

from ansible_collections.cloudops.fargate.plugins.module_utils._common import InputError
from ansible_collections.cloudops.fargate.plugins.module_utils._route_tables import Route
from ansible_collections.cloudops.fargate.plugins.module_utils._route_tables import described_table
from ansible_collections.cloudops.fargate.plugins.module_utils._route_tables import display_route
from ansible_collections.cloudops.fargate.plugins.module_utils._route_tables import find_tables
from ansible_collections.cloudops.fargate.plugins.module_utils._route_tables import is_managed
from ansible_collections.cloudops.fargate.plugins.module_utils._route_tables import known_targets
from ansible_collections.cloudops.fargate.plugins.module_utils._route_tables import normalize_dest
from ansible_collections.cloudops.fargate.plugins.module_utils._route_tables import plan_tables
from ansible_collections.cloudops.fargate.plugins.module_utils._route_tables import result
from ansible_collections.cloudops.fargate.plugins.module_utils._route_tables import route_changes
from ansible_collections.cloudops.fargate.plugins.module_utils._route_tables import route_dest
from ansible_collections.cloudops.fargate.plugins.module_utils._route_tables import route_target
from ansible_collections.cloudops.fargate.plugins.module_utils._route_tables import sorted_routes
from ansible_collections.cloudops.fargate.plugins.module_utils._route_tables import wanted_route
from ansible_collections.cloudops.fargate.plugins.module_utils._route_tables import wanted_tables

IGW = "igw-0123456789abcdef0"
NAT_A = "nat-0aaaaaaaaaaaaaaaa"
NAT_B = "nat-0bbbbbbbbbbbbbbbb"
VPCE = "vpce-0123456789abcdef0"
PL = "pl-63a5400a"
LOCAL = {"DestinationCidrBlock": "10.20.0.0/16", "GatewayId": "local", "Origin": "CreateRouteTable", "State": "active"}


def aws_route(dest, origin="CreateRoute", state="active", **target):
    route = {"Origin": origin, "State": state, **target}
    if dest.startswith("pl-"):
        route["DestinationPrefixListId"] = dest
    elif ":" in dest:
        route["DestinationIpv6CidrBlock"] = dest
    else:
        route["DestinationCidrBlock"] = dest
    return route


def aws_table(table_id, name=None, routes=(), subnets=None, main=False, tags=None):
    associations = []
    if main:
        associations.append({"Main": True, "RouteTableAssociationId": f"{table_id}-main",
                             "AssociationState": {"State": "associated"}})
    for subnet in subnets or []:
        associations.append({"Main": False, "RouteTableAssociationId": f"{table_id}-{subnet}", "SubnetId": subnet,
                             "AssociationState": {"State": "associated"}})
    all_tags = dict(tags or {})
    if name is not None:
        all_tags["Name"] = name
    return {
        "RouteTableId": table_id,
        "VpcId": "vpc-1",
        "Associations": associations,
        "Routes": [LOCAL, *routes],
        "Tags": [{"Key": k, "Value": v} for k, v in all_tags.items()],
    }


def specs(*tables, tags=None):
    return wanted_tables(list(tables), {"Stack": "unit"} if tags is None else tags)


# --- input -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"), [("0.0.0.0/0", "0.0.0.0/0"), (" 10.1.0.0/16 ", "10.1.0.0/16"), ("192.0.2.1", "192.0.2.1/32")]
)
def test_destinations_are_canonical_ipv4_blocks(given, expected):
    assert normalize_dest(given) == expected


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (None, "dest is required"),
        ("", "dest is required"),
        ("10.0.0.1/8", "has host bits set"),
        ("10.0.0.0/33", "is not an IPv4 CIDR block"),
        ("internet", "is not an IPv4 CIDR block"),
        ("::/0", "only IPv4 destinations"),
    ],
)
def test_bad_destinations(given, message):
    with pytest.raises(ValueError, match=message):
        normalize_dest(given)


def test_a_route_has_one_target():
    assert wanted_route({"dest": "0.0.0.0/0", "gateway_id": IGW, "nat_gateway_id": None}) == Route(
        "0.0.0.0/0", "gateway_id", IGW
    )
    assert wanted_route({"dest": "0.0.0.0/0", "gateway_id": "", "nat_gateway_id": NAT_A}) == Route(
        "0.0.0.0/0", "nat_gateway_id", NAT_A
    )
    assert wanted_route({"dest": "10.9.0.0/16", "gateway_id": "vgw-1"}).target == "vgw-1"


@pytest.mark.parametrize(
    ("route", "message"),
    [
        ({"dest": "0.0.0.0/0"}, "give exactly one target of gateway_id, nat_gateway_id$"),
        ({"dest": "0.0.0.0/0", "gateway_id": IGW, "nat_gateway_id": NAT_A}, r"\(gateway_id, nat_gateway_id given\)"),
        ({"dest": "0.0.0.0/0", "gateway_id": NAT_A}, "a NAT gateway is nat_gateway_id"),
        ({"dest": "0.0.0.0/0", "gateway_id": "igw"}, "does not start with igw- or vgw-"),
        ({"dest": "0.0.0.0/0", "nat_gateway_id": IGW}, "does not start with nat-"),
        ({"dest": "0.0.0.0/0", "gateway_id": VPCE}, "does not start with igw- or vgw-"),
        ("0.0.0.0/0 via igw", "a route is a dict"),
    ],
)
def test_bad_routes(route, message):
    with pytest.raises(ValueError, match=message):
        wanted_route(route)


def test_wanted_tables_add_the_name_to_the_tags_and_normalise():
    [spec] = specs({
        "name": "public",
        "subnets": ["subnet-b", "subnet-a", "subnet-b"],
        "routes": [{"dest": "0.0.0.0/0", "gateway_id": IGW}, {"dest": "192.0.2.1", "nat_gateway_id": NAT_A}],
    }, tags={"Stack": "unit", "Count": 3})
    assert spec.tags == {"Stack": "unit", "Count": "3", "Name": "public"}
    assert spec.subnets == ["subnet-a", "subnet-b"]
    assert spec.routes == {
        "0.0.0.0/0": Route("0.0.0.0/0", "gateway_id", IGW),
        "192.0.2.1/32": Route("192.0.2.1/32", "nat_gateway_id", NAT_A),
    }
    assert spec.purge_subnets and spec.purge_routes


def test_every_input_error_at_once():
    with pytest.raises(InputError) as error:
        specs(
            {"name": "a", "subnets": ["subnet-1", "10.0.0.0/24"], "routes": [{"dest": "0.0.0.0/0"}]},
            {"name": "a", "subnets": ["subnet-1"], "routes": [
                {"dest": "10.1.0.0/16", "gateway_id": IGW}, {"dest": "10.1.0.0/16", "gateway_id": IGW},
            ]},
            {"name": "", "routes": []},
            tags={"Name": "x", "aws:y": "z"},
        )
    lines = str(error.value).splitlines()
    assert lines == [
        "tags aws:y: keys starting with 'aws:' are reserved by AWS",
        "tags: Name is each table's route_tables[].name, not a tag of all of them",
        "route_tables: the name 'a' is used more than once (a name identifies a table)",
        "route table 'a' subnets: '10.0.0.0/24' is not a subnet ID (subnet-...)",
        "route table 'a' route 0: dest 0.0.0.0/0: give exactly one target of gateway_id, nat_gateway_id",
        "route table 'a' route 1: dest 10.1.0.0/16 is given twice; a table has one route to it",
        "route_tables[2]: name is required and cannot be empty",
    ]


def test_a_subnet_in_two_tables_names_both():
    with pytest.raises(InputError, match="route table 'b' subnets: subnet-1 is also a subnet of route table 'a'"):
        specs({"name": "a", "subnets": ["subnet-1"]}, {"name": "b", "subnets": ["subnet-1"]})


# --- what AWS lists ---------------------------------------------------------------------------------------------------


def test_route_destinations_and_targets():
    assert route_dest(aws_route("0.0.0.0/0", NatGatewayId=NAT_A)) == "0.0.0.0/0"
    assert route_dest(aws_route("2001:db8::/56", GatewayId=IGW)) == "2001:db8::/56"
    assert route_dest(aws_route(PL, GatewayId=VPCE)) == PL
    assert route_target(aws_route("0.0.0.0/0", NatGatewayId=NAT_A)) == ("nat_gateway_id", NAT_A)
    assert route_target(aws_route("0.0.0.0/0", GatewayId=IGW)) == ("gateway_id", IGW)
    assert route_target(aws_route(PL, GatewayId=VPCE)) == ("vpc_endpoint_id", VPCE)
    assert route_target(aws_route("10.9.0.0/16", InstanceId="i-1", NetworkInterfaceId="eni-1")) == ("instance_id", "i-1")
    assert route_target(aws_route("10.8.0.0/16", TransitGatewayId="tgw-1")) == ("transit_gateway_id", "tgw-1")
    assert route_target({"DestinationCidrBlock": "10.7.0.0/16"}) == ("", "")


@pytest.mark.parametrize(
    ("route", "managed"),
    [
        (aws_route("0.0.0.0/0", NatGatewayId=NAT_A), True),
        (aws_route("0.0.0.0/0", state="blackhole", NatGatewayId=NAT_A), True),
        (aws_route("10.9.0.0/16", TransitGatewayId="tgw-1"), True),
        (LOCAL, False),
        (aws_route("172.16.0.0/12", origin="EnableVgwRoutePropagation", GatewayId="vgw-1"), False),
        (aws_route("172.17.0.0/16", origin="Advertisement", NetworkInterfaceId="eni-1"), False),
        (aws_route(PL, GatewayId=VPCE), False),  # a gateway endpoint's
        (aws_route("::/0", GatewayId=IGW), False),  # IPv6: amazon.aws leaves it too
    ],
)
def test_which_routes_the_module_manages(route, managed):
    assert is_managed(route) is managed


def test_described_table_reads_live_subnet_associations_only():
    listed = aws_table("rtb-1", "public", subnets=["subnet-1"], main=True, tags={"Stack": "unit"})
    listed["Associations"] += [
        {"Main": False, "RouteTableAssociationId": "a-gw", "GatewayId": IGW, "AssociationState": {"State": "associated"}},
        {"Main": False, "RouteTableAssociationId": "a-old", "SubnetId": "subnet-2",
         "AssociationState": {"State": "disassociated"}},
    ]
    table = described_table(listed)
    assert table.name == "public" and table.main
    assert table.associations == {"subnet-1": "rtb-1-subnet-1"}
    assert table.tags == {"Stack": "unit", "Name": "public"}


def test_known_targets_are_those_of_every_route_blackhole_too():
    tables = [aws_table("rtb-1", routes=[aws_route("0.0.0.0/0", state="blackhole", NatGatewayId=NAT_A),
                                         aws_route(PL, GatewayId=VPCE)])]
    assert known_targets(tables) == {"local", NAT_A, VPCE}


def test_routes_show_state_only_when_not_active_and_sort_by_address():
    routes = [
        display_route(Route(PL, "vpc_endpoint_id", VPCE)),
        display_route(Route("10.9.0.0/16", "gateway_id", IGW), "active"),
        display_route(Route("::/0", "gateway_id", IGW)),
        display_route(Route("0.0.0.0/0", "nat_gateway_id", NAT_A), "blackhole"),
        display_route(Route("10.10.0.0/16", "gateway_id", IGW)),
    ]
    assert sorted_routes(routes) == [
        {"dest": "0.0.0.0/0", "nat_gateway_id": NAT_A, "state": "blackhole"},
        {"dest": "10.9.0.0/16", "gateway_id": IGW},
        {"dest": "10.10.0.0/16", "gateway_id": IGW},
        {"dest": "::/0", "gateway_id": IGW},
        {"dest": PL, "vpc_endpoint_id": VPCE},
    ]


# --- routes -----------------------------------------------------------------------------------------------------------


def test_route_changes_create_replace_and_purge_only_managed_routes():
    table = described_table(aws_table("rtb-1", routes=[
        aws_route("0.0.0.0/0", NatGatewayId=NAT_A),
        aws_route("10.1.0.0/16", NatGatewayId=NAT_A),  # another target wanted
        aws_route("10.2.0.0/16", state="blackhole", NatGatewayId=NAT_B),  # the wanted target, gone
        aws_route("10.3.0.0/16", GatewayId=IGW),  # not wanted
        aws_route("172.16.0.0/12", origin="EnableVgwRoutePropagation", GatewayId="vgw-1"),
        aws_route(PL, GatewayId=VPCE),
        aws_route("::/0", GatewayId=IGW),
    ]))
    wanted = {
        "0.0.0.0/0": Route("0.0.0.0/0", "nat_gateway_id", NAT_A),
        "10.1.0.0/16": Route("10.1.0.0/16", "nat_gateway_id", NAT_B),
        "10.2.0.0/16": Route("10.2.0.0/16", "nat_gateway_id", NAT_B),
        "10.4.0.0/16": Route("10.4.0.0/16", "gateway_id", IGW),
    }
    changes = route_changes(table, wanted, purge=True)
    assert changes.create == [wanted["10.4.0.0/16"]]
    assert changes.replace == [wanted["10.1.0.0/16"], wanted["10.2.0.0/16"]]
    assert changes.delete == ["10.3.0.0/16"]
    assert route_changes(table, wanted, purge=False).delete == []
    assert route_changes(None, wanted, purge=True) == (list(wanted.values()), [], [])


def test_a_wanted_route_to_the_vpc_cidr_is_refused():
    [spec] = specs({"name": "public", "routes": [{"dest": "10.20.0.0/16", "gateway_id": IGW}]})
    with pytest.raises(InputError, match="dest 10.20.0.0/16 is the VPC's local route"):
        plan_tables([spec], [aws_table("rtb-main", main=True)], purge_tags=True)


# --- finding and planning tables ----------------------------------------------------------------------------------------


def test_tables_are_found_by_name_and_two_of_one_name_fail_naming_them():
    tables = [described_table(t) for t in (
        aws_table("rtb-main", main=True), aws_table("rtb-1", "public"), aws_table("rtb-2", "private"),
        aws_table("rtb-3", "private"), aws_table("rtb-4", "other"), aws_table("rtb-5", "other"),
    )]
    found = find_tables(specs({"name": "public"}), tables)
    assert {name: t.table_id for name, t in found.items()} == {"public": "rtb-1"}  # the other duplicates are not ours
    with pytest.raises(InputError, match=r"route table 'private': the VPC has 2 tables of this Name \(rtb-2, rtb-3\)"):
        find_tables(specs({"name": "public"}, {"name": "private"}), tables)


def test_a_new_table_is_planned_with_everything_to_do():
    listed = [aws_table("rtb-main", main=True), aws_table("rtb-other", "other", subnets=["subnet-2"])]
    [plan] = plan_tables(specs({
        "name": "public", "subnets": ["subnet-1", "subnet-2"], "routes": [{"dest": "0.0.0.0/0", "gateway_id": IGW}],
    }), listed, purge_tags=True)
    assert plan.current is None and plan.table_id == "" and plan.changed
    assert plan.create_routes == [Route("0.0.0.0/0", "gateway_id", IGW)]
    assert plan.associate == ["subnet-1"]
    assert plan.move == [("subnet-2", "rtb-other-subnet-2")]
    assert plan.before is None
    assert plan.after == {
        "name": "public",
        "tags": {"Name": "public", "Stack": "unit"},
        "subnets": ["subnet-1", "subnet-2"],
        "routes": [{"dest": "0.0.0.0/0", "gateway_id": IGW}],
    }
    assert result(plan, "") == {"id": "", **plan.after}


def test_an_unchanged_table_has_nothing_to_do_and_shows_the_routes_it_leaves_alone():
    listed = [aws_table("rtb-1", "private", subnets=["subnet-1"], tags={"Stack": "unit", "aws:x": "y"}, routes=[
        aws_route("0.0.0.0/0", NatGatewayId=NAT_A), aws_route(PL, GatewayId=VPCE),
    ])]
    [plan] = plan_tables(specs({
        "name": "private", "subnets": ["subnet-1"], "routes": [{"dest": "0.0.0.0/0", "nat_gateway_id": NAT_A}],
    }), listed, purge_tags=True)
    assert not plan.changed
    assert plan.before == plan.after
    assert plan.after["routes"] == [{"dest": "0.0.0.0/0", "nat_gateway_id": NAT_A}, {"dest": PL, "vpc_endpoint_id": VPCE}]
    assert plan.after["tags"] == {"Name": "private", "Stack": "unit", "aws:x": "y"}
    assert (plan.create_routes, plan.replace_routes, plan.delete_routes) == ([], [], [])
    assert (plan.associate, plan.move, plan.disassociate, plan.tags_to_set, plan.tags_to_unset) == ([], [], [], {}, [])


def test_subnets_move_between_tables_of_the_run_and_the_rest_is_purged_or_kept():
    listed = [
        aws_table("rtb-main", main=True),
        aws_table("rtb-a", "a", subnets=["subnet-1", "subnet-2", "subnet-3"]),
        aws_table("rtb-b", "b", subnets=["subnet-4"]),
    ]
    wanted = specs(
        {"name": "a", "subnets": ["subnet-1"]},
        {"name": "b", "subnets": ["subnet-2"], "purge_subnets": False},
    )
    plan_a, plan_b = plan_tables(wanted, listed, purge_tags=True)
    # subnet-2 moves to b: a does not disassociate it; subnet-3 is a's and not wanted: disassociated
    assert plan_a.disassociate == [("subnet-3", "rtb-a-subnet-3")]
    assert plan_a.after["subnets"] == ["subnet-1"]
    assert plan_b.move == [("subnet-2", "rtb-a-subnet-2")]
    assert plan_b.disassociate == []
    assert plan_b.after["subnets"] == ["subnet-2", "subnet-4"]  # subnet-4 kept: purge_subnets is false
    assert plan_a.before["subnets"] == ["subnet-1", "subnet-2", "subnet-3"]


def test_a_subnet_of_the_main_table_explicitly_moves_and_an_implicit_one_is_associated():
    listed = [aws_table("rtb-main", main=True, subnets=["subnet-1"]), aws_table("rtb-a", "a")]
    [plan] = plan_tables(specs({"name": "a", "subnets": ["subnet-1", "subnet-2"]}), listed, purge_tags=True)
    assert plan.move == [("subnet-1", "rtb-main-subnet-1")]  # an explicit association, not the main one
    assert plan.associate == ["subnet-2"]
    assert all(association != "rtb-main-main" for _subnet, association in plan.move + plan.disassociate)


def test_the_main_table_named_by_the_run_keeps_its_main_association():
    listed = [aws_table("rtb-main", "main", main=True, subnets=["subnet-1"])]
    [plan] = plan_tables(specs({"name": "main"}), listed, purge_tags=True)
    assert plan.disassociate == [("subnet-1", "rtb-main-subnet-1")]


def test_tags_purge_but_keep_aws_tags_and_diff_shows_the_change():
    listed = [aws_table("rtb-1", "public", tags={"Old": "1", "aws:cloudformation:stack-name": "s"})]
    [plan] = plan_tables(specs({"name": "public"}), listed, purge_tags=True)
    assert plan.tags_to_set == {"Stack": "unit"} and plan.tags_to_unset == ["Old"]
    assert plan.after["tags"] == {"Name": "public", "Stack": "unit", "aws:cloudformation:stack-name": "s"}
    assert plan.before["tags"] == {"Name": "public", "Old": "1", "aws:cloudformation:stack-name": "s"}

    [kept] = plan_tables(specs({"name": "public"}), listed, purge_tags=False)
    assert kept.tags_to_unset == [] and kept.after["tags"]["Old"] == "1"


def test_a_blackhole_route_shows_in_the_diff_and_is_replaced():
    listed = [aws_table("rtb-1", "private", routes=[aws_route("0.0.0.0/0", state="blackhole", NatGatewayId=NAT_A)])]
    [plan] = plan_tables(specs({"name": "private", "routes": [{"dest": "0.0.0.0/0", "nat_gateway_id": NAT_A}]},
                               tags={}), listed, purge_tags=True)
    assert plan.changed
    assert plan.replace_routes == [Route("0.0.0.0/0", "nat_gateway_id", NAT_A)]
    assert plan.before["routes"] == [{"dest": "0.0.0.0/0", "nat_gateway_id": NAT_A, "state": "blackhole"}]
    assert plan.after["routes"] == [{"dest": "0.0.0.0/0", "nat_gateway_id": NAT_A}]


def test_purge_routes_false_keeps_the_unlisted_routes_in_the_result():
    listed = [aws_table("rtb-1", "public", routes=[aws_route("0.0.0.0/0", GatewayId=IGW),
                                                   aws_route("10.9.0.0/16", GatewayId=IGW)])]
    [plan] = plan_tables(specs({"name": "public", "purge_routes": False,
                                "routes": [{"dest": "0.0.0.0/0", "gateway_id": IGW}]}, tags={}), listed, purge_tags=True)
    assert plan.delete_routes == [] and not plan.changed
    assert plan.after["routes"] == [{"dest": "0.0.0.0/0", "gateway_id": IGW}, {"dest": "10.9.0.0/16", "gateway_id": IGW}]
