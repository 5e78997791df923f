"""Unit tests of the pure functions of plugins/module_utils/_vpc.py: input validation and tag precedence, reading
AWS's answers, choosing the VPC and the gateway, the DNS call order, the plan with its diff and results, and the
batching of tag calls."""

from __future__ import annotations

import pytest

from ansible_collections.cloudops.fargate.plugins.module_utils._common import InputError
from ansible_collections.cloudops.fargate.plugins.module_utils._vpc import Change
from ansible_collections.cloudops.fargate.plugins.module_utils._vpc import detached_gateway
from ansible_collections.cloudops.fargate.plugins.module_utils._vpc import dns_steps
from ansible_collections.cloudops.fargate.plugins.module_utils._vpc import gateway_state
from ansible_collections.cloudops.fargate.plugins.module_utils._vpc import ipv4_block
from ansible_collections.cloudops.fargate.plugins.module_utils._vpc import plan
from ansible_collections.cloudops.fargate.plugins.module_utils._vpc import subnet_state
from ansible_collections.cloudops.fargate.plugins.module_utils._vpc import tag_batches
from ansible_collections.cloudops.fargate.plugins.module_utils._vpc import tag_filters
from ansible_collections.cloudops.fargate.plugins.module_utils._vpc import the_vpc
from ansible_collections.cloudops.fargate.plugins.module_utils._vpc import vpc_state
from ansible_collections.cloudops.fargate.plugins.module_utils._vpc import wanted_vpc

IDENTITY = {"Stack": "demo", "Environment": "prod"}


def aws_tags(tags):
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def spec(**changes):
    options = {
        "name": "demo-vpc",
        "cidr_block": "10.0.0.0/16",
        "identifying_tags": dict(IDENTITY),
        "tags": {"Team": "web"},
        "subnets": [
            {"name": "demo-public-a", "cidr": "10.0.0.0/24", "az": "us-east-1a", "tags": {"Tier": "public"},
             "map_public_ip_on_launch": True},
            {"name": "demo-private-a", "cidr": "10.0.10.0/24", "az": "us-east-1a", "tags": {"Tier": "private"}},
        ],
        "internet_gateway": {"name": "demo-igw"},
    }
    options.update(changes)
    return wanted_vpc(**options)


def tags(name, **extra):
    return {"Team": "web", **extra, **IDENTITY, "Name": name}


# --- input ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "block", "errors"),
    [
        ("10.0.0.0/16", "10.0.0.0/16", []),
        (" 10.0.0.0/28 ", "10.0.0.0/28", []),
        ("10.0.0.1/16", None, ["cidr_block 10.0.0.1/16 has host bits set; the block is 10.0.0.0/16"]),
        ("10.0.0.0/8", None, ["cidr_block 10.0.0.0/8: AWS takes blocks from /16 to /28"]),
        ("10.0.0.0/29", None, ["cidr_block 10.0.0.0/29: AWS takes blocks from /16 to /28"]),
        ("10.0.0.0", None, ["cidr_block '10.0.0.0' is not an IPv4 block (a.b.c.d/n)"]),
        ("2001:db8::/56", None, ["cidr_block '2001:db8::/56' is not an IPv4 block (a.b.c.d/n)"]),
        ("ten", None, ["cidr_block 'ten' is not an IPv4 block (a.b.c.d/n)"]),
        (None, None, ["cidr_block '' is not an IPv4 block (a.b.c.d/n)"]),
    ],
)
def test_ipv4_blocks(value, block, errors):
    network, found = ipv4_block(value, "cidr_block")
    assert (str(network) if network else None, found) == (block, errors)


def test_every_resource_gets_the_tags_then_its_own_then_the_identifying_tags_then_its_name():
    wanted = spec(
        tags={"Team": "web", "Stack": "other", "Name": "other", "Count": 3},
        subnets=[{"name": "a", "cidr": "10.0.0.0/24", "az": "us-east-1a",
                  "tags": {"Tier": "public", "Team": "subnet", "Environment": "other", "Empty": None}}],
    )
    assert wanted.tags == {"Team": "web", "Count": "3", **IDENTITY, "Name": "demo-vpc"}
    assert wanted.subnets[0].tags == {"Team": "subnet", "Count": "3", "Tier": "public", "Empty": "", **IDENTITY,
                                      "Name": "a"}
    assert wanted.internet_gateway.tags == {"Team": "web", "Count": "3", **IDENTITY, "Name": "demo-igw"}
    assert wanted.identifying_tags == IDENTITY


def test_the_options_normalised():
    wanted = spec(cidr_block=" 10.0.0.0/16", internet_gateway=None, dns_hostnames=False)
    assert wanted.cidr_block == "10.0.0.0/16"
    assert wanted.internet_gateway is None
    assert (wanted.dns_support, wanted.dns_hostnames) == (True, False)
    assert [(s.name, s.cidr, s.az, s.map_public_ip_on_launch) for s in wanted.subnets] == [
        ("demo-public-a", "10.0.0.0/24", "us-east-1a", True),
        ("demo-private-a", "10.0.10.0/24", "us-east-1a", False),
    ]


def test_every_input_error_is_reported_at_once():
    with pytest.raises(InputError) as raised:
        spec(
            name=" ",
            cidr_block="10.0.0.0/16",
            identifying_tags={"Name": "x", "aws:y": "1"},
            tags={"k" * 129: "v"},
            dns_support=False,
            subnets=[
                {"name": "a", "cidr": "10.1.0.0/24", "az": "us-east-1a"},
                {"name": "a", "cidr": "10.0.0.0/23", "az": ""},
                {"name": "", "cidr": "10.0.1.0/24", "az": "us-east-1b", "tags": {"aws:z": "1"}},
                {"name": "d", "cidr": "10.0.1.0/24", "az": "us-east-1b"},
                {"name": "e", "cidr": "10.0.0.1/24", "az": "us-east-1b"},
            ],
            internet_gateway={"name": ""},
        )
    assert str(raised.value).splitlines() == [
        "name: the VPC's Name tag cannot be empty",
        "identifying_tags: Name cannot identify the stack; each resource gets its own Name",
        "identifying_tags aws:y: keys starting with 'aws:' are reserved by AWS",
        f"tags {'k' * 129}: a tag key is 1 to 128 characters",
        "dns_hostnames needs dns_support: AWS gives DNS hostnames only in a VPC with DNS support",
        "subnet a: cidr 10.1.0.0/24 is not inside cidr_block 10.0.0.0/16",
        "subnet a: az cannot be empty",
        "subnets[2]: name cannot be empty",
        "subnets[2] tags aws:z: keys starting with 'aws:' are reserved by AWS",
        "subnet e: cidr 10.0.0.1/24 has host bits set; the block is 10.0.0.0/24",
        "subnets: the name a is used more than once",
        "subnets: the cidr 10.0.1.0/24 is used more than once",
        "subnet a (10.0.0.0/23) and subnets[2] (10.0.1.0/24) overlap",
        "subnet a (10.0.0.0/23) and subnet d (10.0.1.0/24) overlap",
        "internet_gateway: name cannot be empty",
    ]


def test_identifying_tags_are_required():
    with pytest.raises(InputError, match="identifying_tags: at least one tag is needed to find the stack's VPC"):
        spec(identifying_tags={})


# --- reading -------------------------------------------------------------------------------------------------------


def test_tag_filters_are_sorted_and_all_must_match():
    assert tag_filters(IDENTITY) == [
        {"Name": "tag:Environment", "Values": ["prod"]},
        {"Name": "tag:Stack", "Values": ["demo"]},
    ]


def test_the_vpc_is_none_or_the_one_with_the_block():
    assert the_vpc([], "10.0.0.0/16") is None
    found = {"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16"}
    assert the_vpc([found], "10.0.0.0/16") is found


def test_two_vpcs_are_refused_naming_them():
    vpcs = [{"VpcId": "vpc-2", "CidrBlock": "10.0.0.0/16"}, {"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16"}]
    with pytest.raises(InputError) as raised:
        the_vpc(vpcs, "10.0.0.0/16")
    assert str(raised.value) == "2 VPCs carry the identifying tags (vpc-1, vpc-2); remove the extra ones first."


def test_another_primary_block_is_refused():
    with pytest.raises(InputError) as raised:
        the_vpc([{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16"}], "10.1.0.0/16")
    assert str(raised.value).startswith(
        "cidr_block 10.1.0.0/16 differs from the block of the existing VPC vpc-1 (10.0.0.0/16): a VPC's primary block"
        " cannot change."
    )


def test_states_of_aws_answers():
    assert vpc_state({"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16", "Tags": aws_tags({"Name": "v"})}, True, False) == {
        "id": "vpc-1", "cidr_block": "10.0.0.0/16", "dns_support": True, "dns_hostnames": False, "tags": {"Name": "v"},
    }
    assert subnet_state({"SubnetId": "subnet-1", "CidrBlock": "10.0.0.0/24", "AvailabilityZone": "us-east-1a"}) == {
        "id": "subnet-1", "name": "", "cidr_block": "10.0.0.0/24", "availability_zone": "us-east-1a",
        "map_public_ip_on_launch": False, "tags": {},
    }
    gateway = {"InternetGatewayId": "igw-1", "Attachments": [{"VpcId": "vpc-1", "State": "available"}]}
    assert gateway_state(gateway, "vpc-1") == {"id": "igw-1", "attached": True, "tags": {}}
    assert gateway_state(gateway, "vpc-2")["attached"] is False
    assert gateway_state(gateway, None)["attached"] is False
    leaving = {"InternetGatewayId": "igw-1", "Attachments": [{"VpcId": "vpc-1", "State": "detaching"}]}
    assert gateway_state(leaving, "vpc-1")["attached"] is False


def test_the_detached_gateway_is_the_first_free_one():
    gateways = [
        {"InternetGatewayId": "igw-3", "Attachments": []},
        {"InternetGatewayId": "igw-1", "Attachments": [{"VpcId": "vpc-9", "State": "available"}]},
        {"InternetGatewayId": "igw-2", "Attachments": [{"VpcId": "vpc-9", "State": "detached"}]},
    ]
    assert detached_gateway(gateways)["InternetGatewayId"] == "igw-2"
    assert detached_gateway(gateways[1:2]) is None
    assert detached_gateway([]) is None


# --- DNS -----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "wanted", "steps"),
    [
        ((True, True), (True, True), []),
        ((True, False), (True, True), [("dns_hostnames", True)]),
        ((False, False), (True, True), [("dns_support", True), ("dns_hostnames", True)]),
        ((True, True), (False, False), [("dns_hostnames", False), ("dns_support", False)]),
        ((True, True), (True, False), [("dns_hostnames", False)]),
        ((False, False), (True, False), [("dns_support", True)]),
        ((True, False), (False, False), [("dns_support", False)]),
    ],
)
def test_dns_steps_one_attribute_each_in_an_order_aws_accepts(current, wanted, steps):
    def as_dict(pair):
        return {"dns_support": pair[0], "dns_hostnames": pair[1]}

    assert dns_steps(as_dict(current), as_dict(wanted)) == steps


# --- the plan ------------------------------------------------------------------------------------------------------


def test_a_new_network_is_all_creations():
    new = plan(spec(), None, [], None, purge_tags=True)
    assert new.changed
    assert new.vpc.create and new.vpc.settings == [("dns_hostnames", True)]  # a new VPC has DNS support only
    assert [c.settings for c in new.subnets] == [[("map_public_ip_on_launch", True)], []]
    assert new.gateway.create and new.gateway.settings == [("attached", True)]
    assert new.diff() == {
        "before": {},
        "after": {
            "vpc": {"cidr_block": "10.0.0.0/16", "dns_support": True, "dns_hostnames": True,
                    "tags": dict(sorted(tags("demo-vpc").items()))},
            "subnets": {
                "demo-public-a": {"cidr_block": "10.0.0.0/24", "availability_zone": "us-east-1a",
                                  "map_public_ip_on_launch": True,
                                  "tags": dict(sorted(tags("demo-public-a", Tier="public").items()))},
                "demo-private-a": {"cidr_block": "10.0.10.0/24", "availability_zone": "us-east-1a",
                                   "map_public_ip_on_launch": False,
                                   "tags": dict(sorted(tags("demo-private-a", Tier="private").items()))},
            },
            "internet_gateway": {"attached": True, "tags": dict(sorted(tags("demo-igw").items()))},
        },
    }
    results = new.results()
    assert results["vpc"]["id"] == "" and results["internet_gateway"] == {"id": "", "tags": tags("demo-igw")}
    assert results["subnets"][0] == {
        "id": "", "name": "demo-public-a", "cidr_block": "10.0.0.0/24", "availability_zone": "us-east-1a",
        "map_public_ip_on_launch": True, "tags": tags("demo-public-a", Tier="public"),
    }


def current_network():
    vpc = {"id": "vpc-1", "cidr_block": "10.0.0.0/16", "dns_support": True, "dns_hostnames": True,
           "tags": tags("demo-vpc")}
    subnets = [
        {"id": "subnet-1", "name": "demo-public-a", "cidr_block": "10.0.0.0/24", "availability_zone": "us-east-1a",
         "map_public_ip_on_launch": True, "tags": tags("demo-public-a", Tier="public")},
        {"id": "subnet-2", "name": "demo-private-a", "cidr_block": "10.0.10.0/24", "availability_zone": "us-east-1a",
         "map_public_ip_on_launch": False, "tags": tags("demo-private-a", Tier="private")},
        {"id": "subnet-9", "name": "by-hand", "cidr_block": "10.0.99.0/24", "availability_zone": "us-east-1c",
         "map_public_ip_on_launch": False, "tags": {"Name": "by-hand"}},
    ]
    gateway = {"id": "igw-1", "attached": True, "tags": tags("demo-igw")}
    return vpc, subnets, gateway


def test_a_converged_network_changes_nothing_and_subnets_not_listed_are_left_out():
    vpc, subnets, gateway = current_network()
    same = plan(spec(), vpc, subnets, gateway, purge_tags=True)
    assert not same.changed
    assert same.diff() == {"before": {}, "after": {}}
    assert [s["id"] for s in same.results()["subnets"]] == ["subnet-1", "subnet-2"]
    assert same.results()["vpc"] == vpc and same.results()["internet_gateway"] == {"id": "igw-1", "tags": gateway["tags"]}


def test_drift_is_planned_per_resource():
    vpc, subnets, gateway = current_network()
    vpc["dns_hostnames"] = False
    vpc["tags"] = dict(vpc["tags"], Extra="x", **{"aws:cloudformation:stack-name": "s"})
    subnets[0]["map_public_ip_on_launch"] = False
    subnets[1]["tags"] = dict(subnets[1]["tags"], Team="old")
    gateway["attached"] = False
    drift = plan(spec(), vpc, subnets, gateway, purge_tags=True)
    assert drift.changed
    assert (drift.vpc.settings, drift.vpc.tags_set, drift.vpc.tags_unset) == ([("dns_hostnames", True)], {}, ["Extra"])
    assert drift.vpc.after["tags"] == dict(tags("demo-vpc"), **{"aws:cloudformation:stack-name": "s"})
    assert drift.subnets[0].settings == [("map_public_ip_on_launch", True)]
    assert (drift.subnets[1].tags_set, drift.subnets[1].tags_unset) == ({"Team": "web"}, [])
    assert drift.gateway.settings == [("attached", True)] and not drift.gateway.create
    diff = drift.diff()
    assert set(diff["before"]) == set(diff["after"]) == {"vpc", "subnets", "internet_gateway"}
    assert diff["before"]["internet_gateway"]["attached"] is False
    assert diff["before"]["subnets"]["demo-private-a"]["tags"]["Team"] == "old"

    kept = plan(spec(), vpc, subnets, gateway, purge_tags=False)
    assert kept.vpc.tags_unset == [] and kept.vpc.after["tags"]["Extra"] == "x"


def test_a_subnet_in_another_zone_and_an_overlapping_new_one_are_refused():
    vpc, subnets, gateway = current_network()
    subnets[1]["availability_zone"] = "us-east-1b"
    subnets.append({"id": "subnet-8", "name": "", "cidr_block": "10.0.20.0/23", "availability_zone": "us-east-1a",
                    "map_public_ip_on_launch": False, "tags": {}})
    wanted = spec(subnets=[
        {"name": "demo-private-a", "cidr": "10.0.10.0/24", "az": "us-east-1a"},
        {"name": "demo-private-c", "cidr": "10.0.21.0/24", "az": "us-east-1c"},
    ])
    with pytest.raises(InputError) as raised:
        plan(wanted, vpc, subnets, gateway, purge_tags=True)
    assert str(raised.value).splitlines() == [
        "subnet demo-private-a: subnet-2 (10.0.10.0/24) is in us-east-1b, not in us-east-1a; a subnet's zone cannot"
        " change. Ask for us-east-1b, or delete the subnet first.",
        "subnet demo-private-c: cidr 10.0.21.0/24 overlaps subnet subnet-8 (10.0.20.0/23) of the VPC",
    ]


def test_without_internet_gateway_there_is_no_gateway_change():
    vpc, subnets, _gateway = current_network()
    without = plan(spec(internet_gateway=None), vpc, subnets, None, purge_tags=True)
    assert without.gateway is None and not without.changed
    assert without.results()["internet_gateway"] == {}


def test_a_change_is_changed_when_created_or_when_it_has_calls():
    assert Change(None, {}).changed
    assert not Change({"id": "x"}, {}).changed
    assert Change({"id": "x"}, {}, tags_unset=["A"]).changed
    assert Change({"id": "x"}, {}, settings=[("attached", True)]).changed


def test_tag_batches_share_one_call_per_change():
    to_set, to_unset = tag_batches([
        ("vpc-1", {"Team": "api"}, ["Extra"]),
        ("subnet-1", {"Team": "api"}, []),
        ("subnet-2", {"Team": "api", "Tier": "x"}, ["Extra"]),
        ("igw-1", {}, []),
    ])
    assert to_set == {(("Team", "api"),): ["vpc-1", "subnet-1"], (("Team", "api"), ("Tier", "x")): ["subnet-2"]}
    assert to_unset == {("Extra",): ["vpc-1", "subnet-2"]}
