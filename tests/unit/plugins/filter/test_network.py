"""The network role's filters: the subnet layout and plan, CIDR checks and resources by Name tag."""

from __future__ import annotations

import ipaddress

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.cloudops.fargate.plugins.filter.network import FilterModule
from ansible_collections.cloudops.fargate.plugins.filter.network import by_name_tag
from ansible_collections.cloudops.fargate.plugins.filter.network import cidr_prefix
from ansible_collections.cloudops.fargate.plugins.filter.network import overlapping_cidrs
from ansible_collections.cloudops.fargate.plugins.filter.network import security_group_rule_errors
from ansible_collections.cloudops.fargate.plugins.filter.network import subnet_layout
from ansible_collections.cloudops.fargate.plugins.filter.network import private_route_tables
from ansible_collections.cloudops.fargate.plugins.filter.network import subnet_plan
from ansible_collections.cloudops.fargate.plugins.filter.network import vpc_subnets

# --- subnet_layout, subnet_plan, cidr_prefix, overlapping_cidrs, by_name_tag ------------------------------------


def zones(count, region="us-east-1"):
    return [f"{region}{letter}" for letter in "abcdefgh"[:count]]


def cidrs(layout, tier):
    return [entry[f"{tier}_cidr"] for entry in layout]


@pytest.mark.parametrize(
    "vpc, count, public, private",
    [
        ("10.0.0.0/16", 2, ["10.0.0.0/20", "10.0.16.0/20"], ["10.0.128.0/20", "10.0.144.0/20"]),
        ("10.0.0.0/16", 3, ["10.0.0.0/20", "10.0.16.0/20", "10.0.32.0/20"], ["10.0.128.0/20", "10.0.144.0/20", "10.0.160.0/20"]),
        ("172.16.0.0/20", 2, ["172.16.0.0/24", "172.16.1.0/24"], ["172.16.8.0/24", "172.16.9.0/24"]),
        # the smallest VPC the network role takes, with the most zones it takes: /28 subnets, AWS's smallest
        (
            "10.0.0.0/24",
            6,
            ["10.0.0.0/28", "10.0.0.16/28", "10.0.0.32/28", "10.0.0.48/28", "10.0.0.64/28", "10.0.0.80/28"],
            ["10.0.0.128/28", "10.0.0.144/28", "10.0.0.160/28", "10.0.0.176/28", "10.0.0.192/28", "10.0.0.208/28"],
        ),
        # eight zones fill both halves exactly
        ("10.0.0.0/24", 8, [f"10.0.0.{16 * i}/28" for i in range(8)], [f"10.0.0.{128 + 16 * i}/28" for i in range(8)]),
        ("10.0.0.0/16", 0, [], []),
    ],
)
def test_subnet_layout_derives_the_blocks(vpc, count, public, private):
    layout = subnet_layout(vpc, zones(count))
    assert cidrs(layout, "public") == public
    assert cidrs(layout, "private") == private
    assert [entry["az"] for entry in layout] == zones(count)
    assert [entry["index"] for entry in layout] == list(range(count))
    assert [entry["suffix"] for entry in layout] == list("abcdefgh"[:count])


@pytest.mark.parametrize("prefix", range(16, 25))
@pytest.mark.parametrize("count", [1, 2, 3, 6, 8])
def test_derived_subnets_lie_inside_the_vpc_and_never_overlap(prefix, count):
    vpc = f"10.0.0.0/{prefix}"
    layout = subnet_layout(vpc, zones(count))
    blocks = cidrs(layout, "public") + cidrs(layout, "private")
    network = ipaddress.IPv4Network(vpc)
    assert all(ipaddress.IPv4Network(block).subnet_of(network) for block in blocks)
    assert all(ipaddress.IPv4Network(block).prefixlen == prefix + 4 <= 28 for block in blocks)
    assert overlapping_cidrs(blocks) == []


def test_adding_a_zone_never_moves_the_subnets_of_the_others():
    for count in range(1, 8):
        assert subnet_layout("10.0.0.0/16", zones(count)) == subnet_layout("10.0.0.0/16", zones(count + 1))[:count]


def test_explicit_blocks_are_used_as_given_in_zone_order():
    layout = subnet_layout("10.0.0.0/16", zones(2), ["10.0.1.0/24", "10.0.2.0/24"], ["10.0.11.0/24", "10.0.12.0/24"])
    assert cidrs(layout, "public") == ["10.0.1.0/24", "10.0.2.0/24"]
    assert cidrs(layout, "private") == ["10.0.11.0/24", "10.0.12.0/24"]


@pytest.mark.parametrize(
    "public, private, expected_public, expected_private",
    [
        (["10.0.1.0/24", "10.0.2.0/24"], None, ["10.0.1.0/24", "10.0.2.0/24"], ["10.0.128.0/20", "10.0.144.0/20"]),
        (None, ["10.0.11.0/24", "10.0.12.0/24"], ["10.0.0.0/20", "10.0.16.0/20"], ["10.0.11.0/24", "10.0.12.0/24"]),
        ([], [], ["10.0.0.0/20", "10.0.16.0/20"], ["10.0.128.0/20", "10.0.144.0/20"]),  # the roles' default: derived
        # more blocks than zones: the first ones (the role checks the count before)
        (["10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24"], None, ["10.0.1.0/24", "10.0.2.0/24"], ["10.0.128.0/20", "10.0.144.0/20"]),
    ],
)
def test_one_tier_explicit_the_other_derived(public, private, expected_public, expected_private):
    layout = subnet_layout("10.0.0.0/16", zones(2), public, private)
    assert cidrs(layout, "public") == expected_public
    assert cidrs(layout, "private") == expected_private


@pytest.mark.parametrize(
    "zone_names, suffixes",
    [
        (["us-east-1a", "us-east-1b"], ["a", "b"]),
        (["0", "1", "2"], ["0", "1", "2"]),  # validate.yml previews the layout with range(n) | map('string')
        (["eu-west-3a", "zone-1"], ["a", "1"]),  # no letter at the end: the index
    ],
)
def test_zone_suffix_is_the_zone_letter_else_the_index(zone_names, suffixes):
    assert [entry["suffix"] for entry in subnet_layout("10.0.0.0/16", zone_names)] == suffixes


def test_more_than_eight_zones_do_not_fit():
    with pytest.raises(AnsibleFilterError, match="at most 8 availability zones"):
        subnet_layout("10.0.0.0/16", [f"zone{i}" for i in range(9)])


@pytest.mark.parametrize(
    "vpc",
    ["10.0.0.1/16", "10.0.0.0/33", "10.0.0.256/24", "not-a-cidr", "", None, "fd00::/56", " 10.0.0.0/16"],
)
def test_bad_vpc_cidr_is_a_filter_error_naming_it(vpc):
    with pytest.raises(AnsibleFilterError, match="VPC CIDR .* is not an IPv4 CIDR block"):
        subnet_layout(vpc, zones(2))


@pytest.mark.parametrize("vpc", ["10.0.0.0/25", "10.0.0.0/28", "10.0.0.0/29"])
def test_a_vpc_smaller_than_a_slash_24_is_refused(vpc):
    with pytest.raises(AnsibleFilterError):
        subnet_layout(vpc, zones(2))


def test_fewer_explicit_blocks_than_zones_is_a_filter_error():
    with pytest.raises(AnsibleFilterError):
        subnet_layout("10.0.0.0/16", zones(3), ["10.0.1.0/24", "10.0.2.0/24"])


def test_explicit_blocks_are_not_checked_by_the_layout():
    """Checking them is validate.yml's job (ipv4_cidr, cidr_within, overlapping_cidrs): the layout passes them on."""
    layout = subnet_layout("10.0.0.0/16", zones(1), ["192.168.0.0/24"], ["not-a-cidr"])
    assert cidrs(layout, "public") == ["192.168.0.0/24"] and cidrs(layout, "private") == ["not-a-cidr"]


def test_subnet_plan_lists_public_subnets_first_then_private():
    plan = subnet_plan(subnet_layout("10.0.0.0/16", zones(2)), "demo-local")
    assert plan == [
        {"name": "demo-local-public-a", "tier": "public", "az": "us-east-1a", "suffix": "a", "cidr": "10.0.0.0/20"},
        {"name": "demo-local-public-b", "tier": "public", "az": "us-east-1b", "suffix": "b", "cidr": "10.0.16.0/20"},
        {"name": "demo-local-private-a", "tier": "private", "az": "us-east-1a", "suffix": "a", "cidr": "10.0.128.0/20"},
        {"name": "demo-local-private-b", "tier": "private", "az": "us-east-1b", "suffix": "b", "cidr": "10.0.144.0/20"},
    ]
    assert subnet_plan([], "demo-local") == []


def test_vpc_subnets_tag_each_subnet_with_its_tier():
    plan = subnet_plan(subnet_layout("10.0.0.0/16", zones(1)), "demo-local")
    assert vpc_subnets(plan) == [
        {"name": "demo-local-public-a", "cidr": "10.0.0.0/20", "az": "us-east-1a", "tags": {"Tier": "public"}},
        {"name": "demo-local-private-a", "cidr": "10.0.128.0/20", "az": "us-east-1a", "tags": {"Tier": "private"}},
    ]


@pytest.mark.parametrize(
    "mode, nats, expected",
    [
        ("per_az", ["nat-a", "nat-b"], [("demo-local-private-a", "subnet-a", "nat-a"), ("demo-local-private-b", "subnet-b", "nat-b")]),
        ("single", ["nat-a"], [("demo-local-private-a", "subnet-a", "nat-a"), ("demo-local-private-b", "subnet-b", "nat-a")]),
        ("per_az", ["nat-a", ""], [("demo-local-private-a", "subnet-a", "nat-a")]),
        ("single", [], []),
    ],
)
def test_private_route_tables_route_each_zone_through_its_gateway(mode, nats, expected):
    layout = subnet_layout("10.0.0.0/16", zones(2))
    tables = private_route_tables(layout, "demo-local", ["subnet-a", "subnet-b"], nats, mode)
    assert [(t["name"], t["subnets"][0], t["routes"][0]["nat_gateway_id"]) for t in tables] == expected
    assert all(t["routes"] == [{"dest": "0.0.0.0/0", "nat_gateway_id": e[2]}] for t, e in zip(tables, expected))


def test_private_route_tables_leave_out_a_zone_without_its_subnet():
    layout = subnet_layout("10.0.0.0/16", zones(2))
    assert [t["name"] for t in private_route_tables(layout, "p", ["", "subnet-b"], ["nat-a", "nat-b"], "per_az")] == ["p-private-b"]


def test_subnet_names_are_unique_for_a_regions_zones():
    for count in range(1, 9):
        names = [entry["name"] for entry in subnet_plan(subnet_layout("10.0.0.0/16", zones(count)), "demo-local")]
        assert len(names) == len(set(names))


@pytest.mark.parametrize(
    "value, expected",
    [("10.0.0.0/16", 16), ("10.0.0.0/24", 24), ("0.0.0.0/0", 0), ("10.0.0.1/32", 32), ("10.0.0.1", 32), (ipaddress.IPv4Network("10.0.0.0/20"), 20)],
)
def test_cidr_prefix(value, expected):
    assert cidr_prefix(value) == expected


@pytest.mark.parametrize("value", ["10.0.0.1/16", "10.0.0.0/40", "fd00::/8", "", None, "10.0.0.0/16 "])
def test_cidr_prefix_of_a_bad_block_is_a_filter_error(value):
    with pytest.raises(AnsibleFilterError, match="is not an IPv4 CIDR block"):
        cidr_prefix(value)


@pytest.mark.parametrize(
    "values, expected",
    [
        ([], []),
        (["10.0.0.0/16"], []),
        (["10.0.0.0/16", "10.1.0.0/16"], []),
        (["10.0.0.0/24", "10.0.1.0/24"], []),  # adjacent is not overlapping
        (["10.0.0.0/16", "10.0.0.0/16"], ["10.0.0.0/16 overlaps 10.0.0.0/16"]),  # identical
        (["10.0.0.0/16", "10.0.128.0/20"], ["10.0.0.0/16 overlaps 10.0.128.0/20"]),  # nested, either way round
        (["10.0.128.0/20", "10.0.0.0/16"], ["10.0.128.0/20 overlaps 10.0.0.0/16"]),
        (["0.0.0.0/0", "192.168.1.0/24"], ["0.0.0.0/0 overlaps 192.168.1.0/24"]),
        # every pair, in the order given
        (
            ["10.0.0.0/16", "172.16.0.0/22", "10.0.1.0/24", "10.0.0.0/8"],
            ["10.0.0.0/16 overlaps 10.0.1.0/24", "10.0.0.0/16 overlaps 10.0.0.0/8", "10.0.1.0/24 overlaps 10.0.0.0/8"],
        ),
        # the storage role's check: the VPN's client block against the VPC
        (["172.16.0.0/22", "10.0.0.0/16"], []),
        (["10.0.0.0/22", "10.0.0.0/16"], ["10.0.0.0/22 overlaps 10.0.0.0/16"]),
    ],
)
def test_overlapping_cidrs(values, expected):
    assert overlapping_cidrs(values) == expected


@pytest.mark.parametrize("values", [["10.0.0.0/16", "10.0.0.1/24"], ["10.0.0.0/16", "nope"], ["10.0.0.0/16", None], ["fd00::/8"]])
def test_overlapping_cidrs_refuses_a_bad_block_naming_it(values):
    with pytest.raises(AnsibleFilterError, match=r"CIDR .* is not an IPv4 CIDR block"):
        overlapping_cidrs(values)


@pytest.mark.parametrize(
    "resources, tags_key, expected",
    [
        (None, "tags", {}),
        ([], "tags", {}),
        (
            [{"id": "a", "tags": {"Name": "x"}}, {"id": "b", "tags": {}}, {"id": "c", "tags": None}, {"id": "d"}],
            "tags",
            {"x": {"id": "a", "tags": {"Name": "x"}}},
        ),
        ([{"id": "a", "tags": {"Name": ""}}], "tags", {}),  # an empty name is no name
        ([{"id": "a", "tags": {"Name": "x"}}, {"id": "b", "tags": {"Name": "x"}}], "tags", {"x": {"id": "b", "tags": {"Name": "x"}}}),  # the last wins
        ([{"id": "a", "resource_tags": {"Name": "x"}}], "resource_tags", {"x": {"id": "a", "resource_tags": {"Name": "x"}}}),
    ],
)
def test_by_name_tag(resources, tags_key, expected):
    assert by_name_tag(resources, tags_key) == expected


def test_filter_module_exposes_every_filter():
    assert set(FilterModule().filters()) == {
        "subnet_layout",
        "subnet_plan",
        "vpc_subnets",
        "private_route_tables",
        "cidr_prefix",
        "overlapping_cidrs",
        "by_name_tag",
        "security_group_rule_errors",
    }


# --- security_group_rule_errors ------------------------------------------------------------------------------


def test_security_group_rule_errors_name_the_variable_and_the_rule():
    good = [{"proto": "tcp", "ports": [5432], "cidr_ip": "10.0.0.0/16", "rule_desc": "database"},
            {"proto": "tcp", "ports": [2049], "group": "efs"}]
    assert security_group_rule_errors(good, "network_service_extra_egress", ["efs"]) == []
    bad = [{"proto": "tcp", "ports": [5432]}, {"proto": "tcp", "ports": ["70000"], "cidr_ip": "10.0.0.0/16"},
           {"proto": "tcp", "ports": [443], "group": "cache"}, {"proto": "tcp", "ports": [443], "cidr": "10.0.0.0/8"}]
    errors = security_group_rule_errors(bad, "network_service_extra_egress", ["efs"])
    assert [e.split(":", maxsplit=1)[0] for e in errors] == [f"network_service_extra_egress rule {i}" for i in range(4)]
    assert security_group_rule_errors("tcp/443", "network_service_extra_egress") == [
        "network_service_extra_egress must be a list of rules"
    ]
