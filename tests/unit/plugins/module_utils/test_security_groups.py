"""Unit tests of the pure functions of plugins/module_utils/_security_groups.py: rule normalisation (ports, protocols,
targets), reading AWS's permissions, the permission diff, and the shapes sent to AWS and returned."""

from __future__ import annotations

import pytest

from ansible_collections.cloudops.fargate.plugins.module_utils._common import InputError
from ansible_collections.cloudops.fargate.plugins.module_utils._security_groups import Permission
from ansible_collections.cloudops.fargate.plugins.module_utils._security_groups import RuleError
from ansible_collections.cloudops.fargate.plugins.module_utils._security_groups import api_permissions
from ansible_collections.cloudops.fargate.plugins.module_utils._security_groups import described_rules
from ansible_collections.cloudops.fargate.plugins.module_utils._security_groups import display_rules
from ansible_collections.cloudops.fargate.plugins.module_utils._security_groups import normalize_protocol
from ansible_collections.cloudops.fargate.plugins.module_utils._security_groups import parse_port_range
from ansible_collections.cloudops.fargate.plugins.module_utils._security_groups import port_ranges
from ansible_collections.cloudops.fargate.plugins.module_utils._security_groups import resolved
from ansible_collections.cloudops.fargate.plugins.module_utils._security_groups import result_permissions
from ansible_collections.cloudops.fargate.plugins.module_utils._security_groups import rule_changes
from ansible_collections.cloudops.fargate.plugins.module_utils._security_groups import rule_permissions
from ansible_collections.cloudops.fargate.plugins.module_utils._security_groups import wanted_groups
from ansible_collections.cloudops.fargate.plugins.module_utils._security_groups import wanted_rules

KEYS = frozenset({"alb", "service", "efs"})
SG = "sg-0123456789abcdef0"
PL = "pl-0123456789abcdef0"


def tcp(port, kind, target, to_port=None):
    return Permission("tcp", port, port if to_port is None else to_port, kind, target)


# --- protocols -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "protocol"),
    [
        ("tcp", "tcp"), ("TCP", "tcp"), ("6", "tcp"), (6, "tcp"),
        ("udp", "udp"), ("17", "udp"),
        ("icmp", "icmp"), ("1", "icmp"),
        ("icmpv6", "icmpv6"), ("58", "icmpv6"),
        ("all", "-1"), ("ALL", "-1"), ("-1", "-1"), (-1, "-1"),
        ("50", "50"), ("050", "50"), (47, "47"),
    ],
)
def test_protocol_names_and_numbers_are_one(given, protocol):
    assert normalize_protocol(given) == protocol


@pytest.mark.parametrize("given", ["tcpp", "256", "-2", "", None, True])
def test_unknown_protocols_are_refused(given):
    with pytest.raises(RuleError):
        normalize_protocol(given)


# --- ports -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [(80, (80, 80)), ("80", (80, 80)), (" 443 ", (443, 443)), ("8000-8100", (8000, 8100)), ("1 - 2", (1, 2))],
)
def test_port_forms(given, expected):
    assert parse_port_range(given) == expected


@pytest.mark.parametrize("given", ["http", "80-", "-80-90", "1-2-3", True, ""])
def test_bad_port_forms(given):
    with pytest.raises(RuleError, match="is not a port or a 'from-to' range"):
        parse_port_range(given)


@pytest.mark.parametrize(
    ("rule", "protocol", "expected"),
    [
        ({"ports": [80, "443", "8000-8001", 80]}, "tcp", [(80, 80), (443, 443), (8000, 8001)]),
        ({"ports": 53}, "udp", [(53, 53)]),
        ({"ports": "1024-2048"}, "tcp", [(1024, 2048)]),
        ({"from_port": 2049, "to_port": "2049"}, "tcp", [(2049, 2049)]),
        ({}, "icmp", [(-1, -1)]),
        ({"icmp_type": 8}, "icmp", [(8, -1)]),
        ({"icmp_type": 3, "icmp_code": 4}, "icmpv6", [(3, 4)]),
        ({"from_port": 8, "to_port": 0}, "icmp", [(8, 0)]),
        # every port of these protocols is allowed, whatever is given (as AWS does)
        ({"ports": [80]}, "-1", [(None, None)]),
        ({}, "-1", [(None, None)]),
        ({"from_port": -1, "to_port": -1}, "50", [(None, None)]),
    ],
)
def test_port_ranges(rule, protocol, expected):
    assert port_ranges(rule, protocol) == expected


@pytest.mark.parametrize(
    ("rule", "protocol", "message"),
    [
        ({}, "tcp", "proto tcp needs ports"),
        ({"ports": []}, "tcp", "ports is empty"),
        ({"ports": ["90-80"]}, "tcp", "port range 90-80"),
        ({"ports": [70000]}, "udp", "port range 70000-70000"),
        ({"from_port": -1, "to_port": -1}, "tcp", "port range -1--1"),
        ({"from_port": 80}, "tcp", "from_port and to_port go together"),
        ({"ports": [80], "to_port": 80}, "tcp", "ports cannot go with"),
        ({"icmp_type": 8}, "tcp", "icmp_type and icmp_code are for proto icmp"),
        ({"icmp_type": 8, "from_port": 8}, "icmp", "cannot go with from_port"),
        ({"icmp_code": 4}, "icmp", "any type takes any code"),
        ({"icmp_type": 300}, "icmp", "each -1 (any) or 0-255"),
    ],
)
def test_bad_port_ranges(rule, protocol, message):
    with pytest.raises(RuleError, match=message.replace("(", r"\(").replace(")", r"\)")):
        port_ranges(rule, protocol)


# --- rules ------------------------------------------------------------------------------------------------------


def test_a_rule_is_every_port_range_with_every_target():
    rule = {
        "proto": "tcp",
        "ports": [80, 443],
        "cidr_ip": ["10.0.0.0/8", "192.168.0.0/16"],
        "cidr_ipv6": "2001:DB8::/32",
        "ip_prefix": PL,
        "group_id": [SG],
        "group": "alb",
        "rule_desc": "web",
    }
    permissions = dict(rule_permissions(rule, KEYS))
    targets = [
        ("cidr_ip", "10.0.0.0/8"), ("cidr_ip", "192.168.0.0/16"), ("cidr_ipv6", "2001:db8::/32"),
        ("ip_prefix", PL), ("group_id", SG), ("group", "alb"),
    ]
    assert permissions == {tcp(port, kind, target): "web" for port in (80, 443) for kind, target in targets}


def test_a_cidr_without_prefix_is_a_host_and_an_empty_description_is_none():
    assert rule_permissions({"proto": "all", "cidr_ip": "10.0.0.1", "rule_desc": ""}, KEYS) == [
        (Permission("-1", None, None, "cidr_ip", "10.0.0.1/32"), None)
    ]


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("tcp 80", "a rule is a dict"),
        ({"proto": "tcp", "ports": 80, "cidr": "10.0.0.0/8"}, "unknown key(s) cidr"),
        ({"proto": "tcp", "ports": 80, "group_name": "x"}, "use group (the key"),
        ({"ports": 80, "cidr_ip": "10.0.0.0/8"}, "proto is required"),
        ({"proto": "tcp", "ports": 80}, "no target"),
        ({"proto": "tcp", "ports": 80, "cidr_ip": []}, "no target"),
        ({"proto": "tcp", "ports": 80, "cidr_ip": "10.0.0.1/8"}, "has host bits set"),
        ({"proto": "tcp", "ports": 80, "cidr_ip": "2001:db8::/32"}, "is an IPv6 block: give it as cidr_ipv6"),
        ({"proto": "tcp", "ports": 80, "cidr_ipv6": "10.0.0.0/8"}, "is an IPv4 block: give it as cidr_ip"),
        ({"proto": "tcp", "ports": 80, "cidr_ip": "10.0.0.0/33"}, "is not a CIDR block"),
        ({"proto": "tcp", "ports": 80, "group_id": "web"}, "is not a security group ID"),
        ({"proto": "tcp", "ports": 80, "ip_prefix": "com.amazonaws.s3"}, "is not a prefix list ID"),
        ({"proto": "tcp", "ports": 80, "group": "nginx"}, "group 'nginx' is not the key of any group"),
        ({"proto": "tcp", "ports": 80, "cidr_ip": [None]}, "is not a non-empty string"),
        ({"proto": "tcp", "ports": 80, "cidr_ip": "0.0.0.0/0", "rule_desc": "x" * 256}, "longer than 255"),
    ],
)
def test_bad_rules(rule, message):
    with pytest.raises(RuleError) as error:
        rule_permissions(rule, KEYS)
    assert message in str(error.value)


def test_wanted_rules_name_the_rule_and_merge_duplicates():
    rules = [
        {"proto": "tcp", "ports": [443], "cidr_ip": "0.0.0.0/0", "rule_desc": "https"},
        {"proto": "6", "ports": "443", "cidr_ip": ["0.0.0.0/0"], "rule_desc": "https"},  # the same: one
        {"proto": "tcp"},
        {"proto": "tcp", "from_port": 443, "to_port": 443, "cidr_ip": "0.0.0.0/0", "rule_desc": "other"},
    ]
    wanted, errors = wanted_rules(rules, "group 'alb' egress", KEYS)
    assert wanted == {tcp(443, "cidr_ip", "0.0.0.0/0"): "https"}
    assert errors[0] == "group 'alb' egress rule 2: proto tcp needs ports, or from_port and to_port"
    assert errors[1].startswith("group 'alb' egress rule 3: ") and "is also rule 0" in errors[1]
    assert len(errors) == 2


# --- what AWS lists -----------------------------------------------------------------------------------------------


def test_described_rules_read_every_kind_of_target():
    permissions = [
        {
            "IpProtocol": "tcp", "FromPort": 80, "ToPort": 81,
            "IpRanges": [{"CidrIp": "10.0.0.0/8", "Description": "vpc"}],
            "Ipv6Ranges": [{"CidrIpv6": "2001:DB8::/32", "Description": ""}],
            "PrefixListIds": [{"PrefixListId": PL, "Description": "offices"}],
            "UserIdGroupPairs": [{"GroupId": SG, "UserId": "123456789012", "Description": "alb"}],
        },
        {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}], "Ipv6Ranges": [], "UserIdGroupPairs": []},
        {"IpProtocol": "50", "FromPort": -1, "ToPort": -1, "IpRanges": [{"CidrIp": "10.1.0.0/16"}]},
        {"IpProtocol": "icmp", "FromPort": 8, "ToPort": -1, "IpRanges": [{"CidrIp": "10.2.0.0/16"}]},
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "UserIdGroupPairs": [{"GroupName": "amazon-elb-sg"}]},
    ]
    assert described_rules(permissions) == {
        tcp(80, "cidr_ip", "10.0.0.0/8", 81): "vpc",
        tcp(80, "cidr_ipv6", "2001:db8::/32", 81): None,
        tcp(80, "ip_prefix", PL, 81): "offices",
        tcp(80, "group_id", SG, 81): "alb",
        Permission("-1", None, None, "cidr_ip", "0.0.0.0/0"): None,
        Permission("50", None, None, "cidr_ip", "10.1.0.0/16"): None,
        Permission("icmp", 8, -1, "cidr_ip", "10.2.0.0/16"): None,
    }
    assert described_rules(None) == {}


def test_a_declared_rule_equals_what_aws_lists_for_it():
    declared = {"proto": "all", "cidr_ipv6": "::/0"}
    listed = [{"IpProtocol": "-1", "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}]
    assert dict(rule_permissions(declared, KEYS)) == described_rules(listed)


# --- the permission diff ------------------------------------------------------------------------------------------


def test_rule_changes():
    kept, moved, gone = tcp(443, "cidr_ip", "0.0.0.0/0"), tcp(8080, "group_id", SG), tcp(22, "cidr_ip", "0.0.0.0/0")
    relabelled, unlabelled = tcp(2049, "group_id", SG), tcp(53, "cidr_ip", "10.0.0.2/32")
    current = {kept: "https", Permission("tcp", 8000, 8000, "group_id", SG): "nginx", gone: "ssh",
               relabelled: "efs", unlabelled: "dns"}
    wanted = {kept: "https", moved: "nginx", relabelled: "EFS", unlabelled: None}
    changes = rule_changes(current, wanted)
    assert changes.authorize == {moved: "nginx"}
    assert changes.revoke == {Permission("tcp", 8000, 8000, "group_id", SG): "nginx", gone: "ssh"}
    assert changes.describe == {relabelled: "EFS", unlabelled: None}
    assert changes
    assert not rule_changes(current, current)
    assert rule_changes({}, {}) == ({}, {}, {})


def test_api_permissions_group_targets_of_one_protocol_and_port():
    rules = {
        tcp(443, "cidr_ip", "0.0.0.0/0"): "https",
        tcp(443, "ip_prefix", PL): None,
        tcp(443, "group_id", SG): "alb",
        tcp(443, "cidr_ipv6", "::/0"): "https",
        tcp(80, "cidr_ip", "0.0.0.0/0"): None,
        Permission("-1", None, None, "cidr_ip", "10.0.0.0/8"): "all",
        Permission("50", None, None, "cidr_ip", "10.0.0.0/8"): None,
    }
    assert api_permissions(rules) == [
        {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "10.0.0.0/8", "Description": "all"}]},
        {"IpProtocol": "50", "FromPort": -1, "ToPort": -1, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]},
        {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
        {
            "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
            "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "https"}],
            "Ipv6Ranges": [{"CidrIpv6": "::/0", "Description": "https"}],
            "UserIdGroupPairs": [{"GroupId": SG, "Description": "alb"}],
            "PrefixListIds": [{"PrefixListId": PL}],  # no description: an update without one removes it
        },
    ]


def test_api_permissions_refuse_a_group_still_to_create():
    with pytest.raises(ValueError, match="unresolved group 'efs'"):
        api_permissions({tcp(2049, "group", "efs"): None})


def test_resolved_replaces_known_keys_only():
    rules = {tcp(2049, "group", "efs"): "EFS", tcp(8080, "group", "alb"): None, tcp(443, "cidr_ip", "0.0.0.0/0"): None}
    assert resolved(rules, {"efs": SG, "alb": None}) == {
        tcp(2049, "group_id", SG): "EFS", tcp(8080, "group", "alb"): None, tcp(443, "cidr_ip", "0.0.0.0/0"): None,
    }


def test_resolved_refuses_one_rule_by_key_and_by_id_with_two_descriptions():
    with pytest.raises(InputError, match="declared twice"):
        resolved({tcp(2049, "group", "efs"): "EFS", tcp(2049, "group_id", SG): "NFS"}, {"efs": SG})
    assert resolved({tcp(2049, "group", "efs"): "EFS", tcp(2049, "group_id", SG): "EFS"}, {"efs": SG}) == {
        tcp(2049, "group_id", SG): "EFS"
    }


# --- what the module shows ----------------------------------------------------------------------------------------


def test_display_rules_show_groups_of_the_module_by_key_sorted():
    rules = {
        tcp(2049, "group_id", SG): "EFS",
        tcp(2049, "group_id", "sg-0fedcba9876543210"): None,
        tcp(443, "group", "service"): None,
        Permission("-1", None, None, "cidr_ip", "0.0.0.0/0"): None,
    }
    assert display_rules(rules, {SG: "efs"}) == [
        {"proto": "-1", "cidr_ip": "0.0.0.0/0"},
        {"proto": "tcp", "from_port": 443, "to_port": 443, "group": "service"},
        {"proto": "tcp", "from_port": 2049, "to_port": 2049, "group": "efs", "rule_desc": "EFS"},
        {"proto": "tcp", "from_port": 2049, "to_port": 2049, "group_id": "sg-0fedcba9876543210"},
    ]


def test_result_permissions_in_ec2_security_group_info_form():
    rules = {
        tcp(2049, "group", "efs"): "EFS",
        tcp(2049, "group_id", SG): "alb",
        tcp(443, "cidr_ip", "0.0.0.0/0"): None,
        Permission("-1", None, None, "cidr_ipv6", "::/0"): None,
    }
    empty = {"ip_ranges": [], "ipv6_ranges": [], "prefix_list_ids": [], "user_id_group_pairs": []}
    assert result_permissions(rules, {SG: "alb"}) == [
        {"ip_protocol": "-1", **empty, "ipv6_ranges": [{"cidr_ipv6": "::/0"}]},
        {"ip_protocol": "tcp", "from_port": 443, "to_port": 443, **empty, "ip_ranges": [{"cidr_ip": "0.0.0.0/0"}]},
        {"ip_protocol": "tcp", "from_port": 2049, "to_port": 2049, **empty, "user_id_group_pairs": [
            {"group_id": SG, "group": "alb", "description": "alb"},
            {"group_id": None, "group": "efs", "description": "EFS"},
        ]},
    ]


# --- the whole input ----------------------------------------------------------------------------------------------


def group(key, **extra):
    return dict({"key": key, "name": f"unit-{key}", "description": key, "tags": None, "ingress": [], "egress": []},
                **extra)


def test_wanted_groups_merge_tags_and_normalise_rules():
    specs = wanted_groups(
        [group("alb", tags={"Purpose": "alb", "Stack": "mine"},
               egress=[{"proto": "tcp", "ports": 8080, "group": "service"}]), group("service")],
        {"Stack": "unit", "Count": 3},
        False,
    )
    assert [s.key for s in specs] == ["alb", "service"]
    assert specs[0].tags == {"Stack": "mine", "Count": "3", "Purpose": "alb"}
    assert specs[1].tags == {"Stack": "unit", "Count": "3"}
    assert specs[0].rules == {"ingress": {}, "egress": {tcp(8080, "group", "service"): None}}


def test_wanted_groups_report_every_problem():
    with pytest.raises(InputError) as error:
        wanted_groups(
            [
                group("alb", ingress=[{"proto": "tcp"}]),
                group("alb", name="unit-x", tags={"aws:owner": "me"}),
                group("(default)", name="unit-alb", description=" "),
                group("default", name="default", egress=[{"proto": "all", "group": "db"}]),
            ],
            {"aws:x": "y"},
            True,
        )
    message = str(error.value)
    for expected in (
        "the key 'alb' is used more than once",
        "the name 'unit-alb' is used more than once",
        "the key '(default)' is reserved",
        "tags aws:x: keys starting with 'aws:' are reserved",
        "group 'alb' tags aws:owner",
        "group 'alb' ingress rule 0: proto tcp needs ports",
        "group '(default)': the description is required",
        "group 'default' names the default group",
        "group 'default' egress rule 0: group 'db' is not the key of any group",
    ):
        assert expected in message, message
