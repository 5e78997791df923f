"""cloudops.fargate.security_groups against moto in this process; every outcome is read back with boto3 and every AWS
operation the module calls is recorded (the ``calls`` fixture), so that a no-op run is shown to make one
DescribeSecurityGroups and bad input to call nothing."""

from __future__ import annotations

import copy

import botocore.client
import pytest
from botocore.exceptions import ClientError
from moto.ec2.models.security_groups import SecurityGroupRule

from ansible_collections.amazon.aws.plugins.module_utils import cloud
from ansible_collections.cloudops.fargate.plugins.module_utils._security_groups import DEFAULT_GROUP_KEY
from ansible_collections.cloudops.fargate.plugins.modules import security_groups
from tests.unit.helpers import assert_ok, four_steps

DESCRIBE = ("ec2", "DescribeSecurityGroups")
# What check mode may call: nothing else.
READ_ONLY = {"DescribeSecurityGroups", "DescribeVpcs"}
DESCRIPTIONS = {"alb": "Load balancer", "service": "Fargate tasks", "efs": "EFS mount targets"}


@pytest.fixture(autouse=True)
def group_rules_compare_without_description(monkeypatch):
    """AWS identifies a rule without its description; moto 5.2 compares a group rule's (UserIdGroupPairs) description
    too, so that UpdateSecurityGroupRuleDescriptions* silently skips a group rule whose description changes. Here
    moto compares group rules the way it already compares CIDR rules, without their description."""
    original = SecurityGroupRule.__eq__

    def plain(rule):
        twin = copy.copy(rule)
        twin.source_group = {k: v for k, v in (rule.source_group or {}).items() if k != "Description"}
        return twin

    monkeypatch.setattr(SecurityGroupRule, "__eq__", lambda self, other: original(plain(self), plain(other)))


@pytest.fixture
def ec2(aws):
    """A boto3 client of the test itself: its calls are not recorded as the module's."""
    client = aws("ec2")
    client._unit_test_client = True
    return client


@pytest.fixture
def vpc_id(ec2):
    """A VPC with an IPv6 block: AWS (and moto) give a new group allow-all egress for IPv4 and IPv6."""
    return ec2.create_vpc(CidrBlock="10.20.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]["VpcId"]


@pytest.fixture
def prefix_list(ec2):
    return ec2.create_managed_prefix_list(
        PrefixListName="unit-offices", MaxEntries=5, AddressFamily="IPv4", Entries=[{"Cidr": "192.0.2.0/24"}]
    )["PrefixList"]["PrefixListId"]


@pytest.fixture
def run(recorded_runner):
    return recorded_runner(security_groups, READ_ONLY)


@pytest.fixture
def args(vpc_id, prefix_list):
    """The role's alb -> service -> efs groups, with CIDR, IPv6, prefix list and group targets."""
    return {
        "vpc_id": vpc_id,
        "tags": {"Stack": "unit"},
        "groups": [
            {
                "key": "alb",
                "name": "unit-alb",
                "description": DESCRIPTIONS["alb"],
                "tags": {"Purpose": "alb"},
                "ingress": [
                    {"proto": "tcp", "ports": [80, "443"], "cidr_ip": ["203.0.113.0/24"], "rule_desc": "clients"},
                    {"proto": "tcp", "ports": [80, 443], "cidr_ipv6": "2001:DB8::/32", "rule_desc": "clients"},
                ],
                "egress": [{"proto": "tcp", "ports": [8080], "group": "service", "rule_desc": "nginx"}],
            },
            {
                "key": "service",
                "name": "unit-service",
                "description": DESCRIPTIONS["service"],
                "tags": {"Purpose": "service"},
                "ingress": [{"proto": "tcp", "ports": ["8080"], "group": "alb", "rule_desc": "load balancer"}],
                "egress": [
                    {"proto": "tcp", "ports": 443, "cidr_ip": "0.0.0.0/0", "rule_desc": "AWS APIs"},
                    # moto keeps no description of a prefix list rule (AWS does): this one has none
                    {"proto": "6", "ports": 443, "ip_prefix": prefix_list},
                    {"proto": "tcp", "ports": [2049], "group": "efs", "rule_desc": "EFS"},
                    {"proto": "udp", "ports": ["53-53"], "cidr_ip": "10.20.0.2/32", "rule_desc": "DNS"},
                ],
            },
            {
                "key": "efs",
                "name": "unit-efs",
                "description": DESCRIPTIONS["efs"],
                "tags": {"Purpose": "efs"},
                "ingress": [{"proto": "tcp", "from_port": 2049, "to_port": 2049, "group": "service",
                             "rule_desc": "Fargate tasks"}],
            },
        ],
    }


def read_back(ec2, vpc_id, default=False):
    """The VPC's groups by name (the default group only when ``default``), rules as sorted tuples with group targets
    by name."""
    listed = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["SecurityGroups"]
    names = {g["GroupId"]: g["GroupName"] for g in listed}

    def rules(permissions):
        found = []
        for p in permissions:
            ports = (p["IpProtocol"], p.get("FromPort"), p.get("ToPort"))
            found += [(*ports, "cidr_ip", r["CidrIp"], r.get("Description")) for r in p.get("IpRanges", [])]
            found += [(*ports, "cidr_ipv6", r["CidrIpv6"], r.get("Description")) for r in p.get("Ipv6Ranges", [])]
            found += [(*ports, "ip_prefix", r["PrefixListId"], r.get("Description")) for r in p.get("PrefixListIds", [])]
            found += [
                (*ports, "group", names.get(r["GroupId"], r["GroupId"]), r.get("Description"))
                for r in p.get("UserIdGroupPairs", [])
            ]
        return sorted(found, key=str)

    return {
        g["GroupName"]: {
            "description": g["Description"],
            "tags": {t["Key"]: t["Value"] for t in g.get("Tags", [])},
            "ingress": rules(g["IpPermissions"]),
            "egress": rules(g["IpPermissionsEgress"]),
        }
        for g in listed
        if default or g["GroupName"] != "default"
    }


def expected_groups(prefix_list):
    def tcp(port, kind, target, description):
        return ("tcp", port, port, kind, target, description)

    return {
        "unit-alb": {
            "description": DESCRIPTIONS["alb"],
            "tags": {"Stack": "unit", "Purpose": "alb"},
            "ingress": sorted([
                tcp(80, "cidr_ip", "203.0.113.0/24", "clients"),
                tcp(443, "cidr_ip", "203.0.113.0/24", "clients"),
                tcp(80, "cidr_ipv6", "2001:db8::/32", "clients"),
                tcp(443, "cidr_ipv6", "2001:db8::/32", "clients"),
            ], key=str),
            "egress": [tcp(8080, "group", "unit-service", "nginx")],
        },
        "unit-service": {
            "description": DESCRIPTIONS["service"],
            "tags": {"Stack": "unit", "Purpose": "service"},
            "ingress": [tcp(8080, "group", "unit-alb", "load balancer")],
            "egress": sorted([
                tcp(443, "cidr_ip", "0.0.0.0/0", "AWS APIs"),
                tcp(443, "ip_prefix", prefix_list, None),
                tcp(2049, "group", "unit-efs", "EFS"),
                ("udp", 53, 53, "cidr_ip", "10.20.0.2/32", "DNS"),
            ], key=str),
        },
        "unit-efs": {
            "description": DESCRIPTIONS["efs"],
            "tags": {"Stack": "unit", "Purpose": "efs"},
            "ingress": [tcp(2049, "group", "unit-service", "Fargate tasks")],
            "egress": [],  # AWS's allow-all IPv4 and IPv6 egress revoked
        },
    }


def expected_diff_after(prefix_list):
    def tcp(port, desc=None, **target):
        rule = {"proto": "tcp", "from_port": port, "to_port": port, **target}
        return dict(rule, rule_desc=desc) if desc else rule

    return {
        "alb": {
            "name": "unit-alb",
            "description": DESCRIPTIONS["alb"],
            "tags": {"Purpose": "alb", "Stack": "unit"},
            "ingress": [
                tcp(80, "clients", cidr_ip="203.0.113.0/24"),
                tcp(80, "clients", cidr_ipv6="2001:db8::/32"),
                tcp(443, "clients", cidr_ip="203.0.113.0/24"),
                tcp(443, "clients", cidr_ipv6="2001:db8::/32"),
            ],
            "egress": [tcp(8080, "nginx", group="service")],
        },
        "service": {
            "name": "unit-service",
            "description": DESCRIPTIONS["service"],
            "tags": {"Purpose": "service", "Stack": "unit"},
            "ingress": [tcp(8080, "load balancer", group="alb")],
            "egress": [
                tcp(443, "AWS APIs", cidr_ip="0.0.0.0/0"),
                tcp(443, ip_prefix=prefix_list),
                tcp(2049, "EFS", group="efs"),
                {"proto": "udp", "from_port": 53, "to_port": 53, "cidr_ip": "10.20.0.2/32", "rule_desc": "DNS"},
            ],
        },
        "efs": {
            "name": "unit-efs",
            "description": DESCRIPTIONS["efs"],
            "tags": {"Purpose": "efs", "Stack": "unit"},
            "ingress": [tcp(2049, "Fargate tasks", group="service")],
            "egress": [],
        },
    }


def without_ids(result):
    """``security_groups`` without what only AWS assigns (the group IDs): what check mode predicts."""

    def pairs(permissions):
        return [
            dict(p, user_id_group_pairs=[{k: v for k, v in pair.items() if k != "group_id"}
                                         for pair in p["user_id_group_pairs"]])
            for p in permissions
        ]

    return [
        dict({k: v for k, v in g.items() if k != "group_id"},
             ip_permissions=pairs(g["ip_permissions"]), ip_permissions_egress=pairs(g["ip_permissions_egress"]))
        for g in result["security_groups"]
    ]


def operations(calls):
    return [operation for _service, operation in calls]


# --- the four steps -------------------------------------------------------------------------------------------


def test_three_groups_referring_to_each_other_four_steps(run, args, ec2, vpc_id, prefix_list, calls):
    last = four_steps(
        run,
        args,
        ec2,
        lambda client: read_back(client, vpc_id),
        expected_groups(prefix_list),
        {},
        expected_diff_after(prefix_list),
        normalise=without_ids,
    )
    ids = {g["GroupName"]: g["GroupId"] for g in ec2.describe_security_groups()["SecurityGroups"]}
    assert last["group_ids"] == {"alb": ids["unit-alb"], "service": ids["unit-service"], "efs": ids["unit-efs"]}
    assert operations(calls) == ["DescribeSecurityGroups"]  # the real no-op run: one call, nothing else


def test_check_mode_predicts_new_groups_without_ids_and_by_key(run, args, ec2, vpc_id):
    result = run(args, check_mode=True)
    assert_ok(result, changed=True)
    assert result["group_ids"] == {"alb": None, "service": None, "efs": None}
    assert read_back(ec2, vpc_id) == {}
    service = result["security_groups"][1]
    assert service["group_id"] is None and service["group_name"] == "unit-service"
    assert service["tags"] == {"Stack": "unit", "Purpose": "service"}
    nfs = [p for p in service["ip_permissions_egress"] if p.get("from_port") == 2049]
    assert nfs == [{
        "ip_protocol": "tcp", "from_port": 2049, "to_port": 2049, "ip_ranges": [], "ipv6_ranges": [],
        "prefix_list_ids": [], "user_id_group_pairs": [{"group_id": None, "group": "efs", "description": "EFS"}],
    }]
    # one IpPermission per protocol and port: the CIDR and prefix list targets of tcp/443 share one
    https = [p for p in service["ip_permissions_egress"] if p.get("from_port") == 443]
    assert len(https) == 1 and len(https[0]["ip_ranges"]) == 1 and len(https[0]["prefix_list_ids"]) == 1


def test_real_run_returns_what_aws_lists_and_makes_few_calls(run, args, ec2, vpc_id, calls):
    result = run(args)
    assert_ok(result, changed=True)
    ids = result["group_ids"]
    alb = result["security_groups"][0]
    assert alb["group_id"] == ids["alb"] and alb["vpc_id"] == vpc_id
    assert alb["ip_permissions_egress"] == [{
        "ip_protocol": "tcp", "from_port": 8080, "to_port": 8080, "ip_ranges": [], "ipv6_ranges": [],
        "prefix_list_ids": [],
        "user_id_group_pairs": [{"group_id": ids["service"], "group": "service", "description": "nginx"}],
    }]
    assert result["security_groups"][2]["ip_permissions_egress"] == []
    done = operations(calls)
    assert done.count("CreateSecurityGroup") == 3
    assert done.count("DescribeSecurityGroups") == 2  # the read, and the read back after the changes
    assert "CreateTags" not in done  # tags go with the creation
    assert "DescribeTags" not in done


# --- changes to existing groups ----------------------------------------------------------------------------------


def test_changed_port_removed_rule_and_descriptions(run, args, ec2, vpc_id, prefix_list, calls):
    assert_ok(run(args), changed=True)
    alb, service, _efs = args["groups"]
    alb["ingress"] = [{"proto": "tcp", "ports": [80, 443], "cidr_ip": "203.0.113.0/24", "rule_desc": "the internet"}]
    alb["egress"] = [{"proto": "tcp", "ports": [8081], "group": "service", "rule_desc": "nginx"}]
    service["ingress"] = [{"proto": "tcp", "ports": [8080], "group": "alb", "rule_desc": "ALB"}]

    result = run(args, diff=True)
    assert_ok(result, changed=True)
    before, after = expected_diff_after(prefix_list), result["diff"]["after"]
    assert result["diff"]["before"] == {"alb": before["alb"], "service": before["service"]}
    assert after["alb"]["ingress"] == [
        {"proto": "tcp", "from_port": port, "to_port": port, "cidr_ip": "203.0.113.0/24", "rule_desc": "the internet"}
        for port in (80, 443)
    ]
    assert after["alb"]["egress"] == [
        {"proto": "tcp", "from_port": 8081, "to_port": 8081, "group": "service", "rule_desc": "nginx"}
    ]
    assert after["service"]["ingress"] == [
        {"proto": "tcp", "from_port": 8080, "to_port": 8080, "group": "alb", "rule_desc": "ALB"}
    ]
    assert set(after) == {"alb", "service"}

    done = operations(calls)
    assert sorted(done) == sorted([
        "DescribeSecurityGroups",
        "AuthorizeSecurityGroupEgress",  # alb: 8081
        "RevokeSecurityGroupEgress",  # alb: 8080
        "RevokeSecurityGroupIngress",  # alb: the IPv6 rules
        "UpdateSecurityGroupRuleDescriptionsIngress",  # alb: the CIDR rules
        "UpdateSecurityGroupRuleDescriptionsIngress",  # service: the group rule
        "DescribeSecurityGroups",
    ])

    groups = read_back(ec2, vpc_id)
    assert groups["unit-alb"]["ingress"] == sorted(
        [("tcp", port, port, "cidr_ip", "203.0.113.0/24", "the internet") for port in (80, 443)], key=str
    )
    assert groups["unit-alb"]["egress"] == [("tcp", 8081, 8081, "group", "unit-service", "nginx")]
    assert groups["unit-service"]["ingress"] == [("tcp", 8080, 8080, "group", "unit-alb", "ALB")]
    assert groups["unit-efs"] == expected_groups(prefix_list)["unit-efs"]

    assert_ok(run(args), changed=False)
    assert calls == [DESCRIBE]


def test_rules_added_behind_the_module_are_revoked(run, args, ec2, vpc_id, prefix_list):
    result = run(args)
    efs_id = result["group_ids"]["efs"]
    ec2.authorize_security_group_ingress(GroupId=efs_id, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
    ])
    ec2.authorize_security_group_egress(GroupId=efs_id, IpPermissions=[
        {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
    ])
    assert_ok(run(args, check_mode=True), changed=True)
    assert_ok(run(args), changed=True)
    assert read_back(ec2, vpc_id) == expected_groups(prefix_list)


def test_an_existing_group_is_found_by_name_and_adopted(run, args, ec2, vpc_id, prefix_list, calls):
    existing = ec2.create_security_group(
        GroupName="unit-efs", Description=DESCRIPTIONS["efs"], VpcId=vpc_id,
        TagSpecifications=[{"ResourceType": "security-group", "Tags": [{"Key": "Old", "Value": "1"}]}],
    )["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=existing, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "ssh"}]}
    ])

    result = run(args, diff=True)
    assert_ok(result, changed=True)
    assert result["group_ids"]["efs"] == existing
    assert operations(calls).count("CreateSecurityGroup") == 2
    assert result["diff"]["before"] == {"efs": {
        "name": "unit-efs",
        "description": DESCRIPTIONS["efs"],
        "tags": {"Old": "1"},
        "ingress": [{"proto": "tcp", "from_port": 22, "to_port": 22, "cidr_ip": "0.0.0.0/0", "rule_desc": "ssh"}],
        "egress": [{"proto": "-1", "cidr_ip": "0.0.0.0/0"}, {"proto": "-1", "cidr_ipv6": "::/0"}],
    }}
    # the rule that refers to a group still to create is shown by its key, as in check mode
    assert result["diff"]["after"]["efs"]["ingress"] == [
        {"proto": "tcp", "from_port": 2049, "to_port": 2049, "group": "service", "rule_desc": "Fargate tasks"}
    ]
    assert read_back(ec2, vpc_id) == expected_groups(prefix_list)
    assert_ok(run(args), changed=False)


# --- tags ---------------------------------------------------------------------------------------------------------


def test_tags_are_purged_but_aws_tags_stay(run, args, ec2, vpc_id, calls):
    ids = run(args)["group_ids"]
    # moto lets a test set an aws: tag (AWS keeps them to itself, CloudFormation's for example)
    ec2.create_tags(Resources=[ids["alb"]], Tags=[
        {"Key": "aws:cloudformation:stack-name", "Value": "old"}, {"Key": "Extra", "Value": "x"},
    ])
    result = run(args, diff=True)
    assert_ok(result, changed=True)
    assert result["diff"]["before"]["alb"]["tags"] == {
        "Extra": "x", "Purpose": "alb", "Stack": "unit", "aws:cloudformation:stack-name": "old",
    }
    assert result["diff"]["after"]["alb"]["tags"] == {
        "Purpose": "alb", "Stack": "unit", "aws:cloudformation:stack-name": "old",
    }
    assert operations(calls).count("DeleteTags") == 1
    assert read_back(ec2, vpc_id)["unit-alb"]["tags"] == {
        "Stack": "unit", "Purpose": "alb", "aws:cloudformation:stack-name": "old",
    }
    assert_ok(run(args), changed=False)

    ec2.create_tags(Resources=[ids["alb"]], Tags=[{"Key": "Extra", "Value": "x"}])
    assert_ok(run(dict(args, purge_tags=False)), changed=False)


def test_a_module_tag_change_is_one_call_for_all_groups(run, args, ec2, vpc_id, calls):
    run(args)
    result = run(dict(args, tags={"Stack": "unit", "Team": "web"}))
    assert_ok(result, changed=True)
    assert operations(calls) == ["DescribeSecurityGroups", "CreateTags", "DescribeSecurityGroups"]
    assert {g["tags"]["Team"] for g in read_back(ec2, vpc_id).values()} == {"web"}
    assert [g["tags"]["Team"] for g in result["security_groups"]] == ["web"] * 3


# --- the default group --------------------------------------------------------------------------------------------


def test_empty_default_group_four_steps(run, ec2, vpc_id):
    default = ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "group-name", "Values": ["default"]}]
    )["SecurityGroups"][0]
    default_id = default["GroupId"]
    # AWS's default group lets its members reach one another; moto's has only the egress
    ec2.authorize_security_group_ingress(GroupId=default_id, IpPermissions=[
        {"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": default_id}]}
    ])
    document = {"name": "default", "description": default["Description"], "tags": {}}
    four_steps(
        run,
        {"vpc_id": vpc_id, "groups": [], "empty_default_group": True},
        ec2,
        lambda client: read_back(client, vpc_id, default=True),
        {"default": {"description": default["Description"], "tags": {}, "ingress": [], "egress": []}},
        {DEFAULT_GROUP_KEY: dict(
            document,
            ingress=[{"proto": "-1", "group_id": default_id}],
            egress=[{"proto": "-1", "cidr_ip": "0.0.0.0/0"}, {"proto": "-1", "cidr_ipv6": "::/0"}],
        )},
        {DEFAULT_GROUP_KEY: dict(document, ingress=[], egress=[])},
        key="group_ids",
    )


def test_the_default_group_is_left_alone_unless_asked(run, args, ec2, vpc_id):
    run(args)
    assert read_back(ec2, vpc_id, default=True)["default"]["egress"] != []


def test_empty_default_group_and_a_group_named_default_conflict(run, vpc_id, calls):
    group = {"key": "default", "name": "default", "description": "default VPC security group"}
    result = run({"vpc_id": vpc_id, "groups": [group], "empty_default_group": True})
    assert result["failed"] and "names the default group" in result["msg"], result
    assert calls == []


# --- refusals ------------------------------------------------------------------------------------------------------


def test_a_changed_description_fails_before_any_change(run, args, ec2, vpc_id, calls):
    run(args)
    before = read_back(ec2, vpc_id)
    args["groups"][0]["egress"] = []  # a change that must not happen either
    args["groups"][1]["description"] = "Something else"
    args["tags"] = {"Stack": "other"}
    result = run(args)
    assert result["failed"]
    assert "'service'" in result["msg"] and "'Fargate tasks'" in result["msg"] and "'Something else'" in result["msg"]
    assert calls == [DESCRIBE]
    assert read_back(ec2, vpc_id) == before


@pytest.mark.parametrize(
    ("where", "rule", "message"),
    [
        (("alb", "ingress", 1), {"proto": "tcp", "ports": [22], "cidr": "10.0.0.0/8"},
         "group 'alb' ingress rule 1: unknown key(s) cidr"),
        (("service", "egress", 0), {"ports": [443], "cidr_ip": "0.0.0.0/0"}, "group 'service' egress rule 0: proto is required"),
        (("efs", "ingress", 0), {"proto": "tcp", "ports": ["2049-111"], "cidr_ip": "10.0.0.0/8"},
         "group 'efs' ingress rule 0: port range 2049-111"),
        (("alb", "egress", 0), {"proto": "tcp", "ports": [80], "group": "nginx"},
         "group 'alb' egress rule 0: group 'nginx' is not the key of any group"),
        (("alb", "egress", 0), {"proto": "tcp", "ports": [80]}, "group 'alb' egress rule 0: no target"),
        (("alb", "egress", 0), {"proto": "tcp", "ports": [80], "group_name": "unit-service"},
         "use group (the key of a group of this module) or group_id"),
        (("alb", "ingress", 0), {"proto": "tcp", "ports": [80], "cidr_ip": "10.0.0.1/8"}, "has host bits set"),
    ],
)
def test_bad_rule_input_fails_naming_the_rule_and_calls_nothing(run, args, ec2, vpc_id, calls, where, rule, message):
    key, direction, index = where
    group = next(g for g in args["groups"] if g["key"] == key)
    rules = list(group.get(direction, []))
    rules[index:index + 1] = [rule]
    group[direction] = rules
    result = run(args)
    assert result["failed"] and message in result["msg"], result
    assert calls == []
    assert read_back(ec2, vpc_id) == {}


def test_every_input_error_is_reported_at_once(run, args, calls):
    args["groups"][0]["ingress"][0]["proto"] = "tcpp"
    args["groups"][2]["egress"] = [{"proto": "icmp", "icmp_type": 8, "ports": [1], "cidr_ip": "0.0.0.0/0"}]
    args["groups"][2]["key"] = "alb"
    result = run(args)
    assert result["failed"]
    assert "group 'alb' ingress rule 0: proto 'tcpp'" in result["msg"]
    assert "ports cannot go with" in result["msg"]
    assert "the key 'alb' is used more than once" in result["msg"]
    assert calls == []


def test_an_aws_error_names_the_group_and_is_not_retried(run, args, ec2, vpc_id, monkeypatch):
    run(args)
    sleeps = []
    monkeypatch.setattr(cloud, "time", type("Time", (), {"sleep": staticmethod(sleeps.append)}))
    args["groups"][0]["egress"].append({"proto": "tcp", "ports": [9000], "group_id": "sg-0123456789abcdef0"})
    result = run(args)
    assert result["failed"]
    assert "authorize egress rules of security group alb" in result["msg"], result
    assert sleeps == []


# --- races and eventual consistency -------------------------------------------------------------------------------


def intercept(monkeypatch, handler):
    """``handler(client, operation, params, proceed)`` sees every call of the module's clients; ``proceed()`` makes
    the call (the ``calls`` fixture still records it)."""
    original = botocore.client.BaseClient._make_api_call

    def intercepted(self, operation, params):
        if getattr(self, "_unit_test_client", False):
            return original(self, operation, params)
        return handler(self, operation, params, lambda: original(self, operation, params))

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", intercepted)


def test_a_group_created_meanwhile_is_converged(run, args, ec2, vpc_id, prefix_list, calls, monkeypatch):
    created = {}

    def create_behind_the_module(_client, operation, _params, proceed):
        response = proceed()
        if operation == "DescribeSecurityGroups" and not created:
            created["id"] = ec2.create_security_group(
                GroupName="unit-service", Description=DESCRIPTIONS["service"], VpcId=vpc_id,
                TagSpecifications=[{"ResourceType": "security-group", "Tags": [{"Key": "Old", "Value": "1"}]}],
            )["GroupId"]
            ec2.authorize_security_group_ingress(GroupId=created["id"], IpPermissions=[
                {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
            ])
        return response

    intercept(monkeypatch, create_behind_the_module)
    result = run(args)
    assert_ok(result, changed=True)
    assert result["group_ids"]["service"] == created["id"]
    assert operations(calls).count("CreateSecurityGroup") == 3  # one answered InvalidGroup.Duplicate
    assert [g["GroupName"] for g in ec2.describe_security_groups()["SecurityGroups"]].count("unit-service") == 1
    assert read_back(ec2, vpc_id) == expected_groups(prefix_list)
    assert_ok(run(args), changed=False)


def test_a_group_created_meanwhile_with_another_description_fails_naming_it(run, args, ec2, vpc_id, monkeypatch):
    def create_behind_the_module(_client, operation, _params, proceed):
        response = proceed()
        if operation == "DescribeSecurityGroups" and not read_back(ec2, vpc_id):
            ec2.create_security_group(GroupName="unit-service", Description="Not ours", VpcId=vpc_id)
        return response

    intercept(monkeypatch, create_behind_the_module)
    result = run(args)
    assert result["failed"] and "'service'" in result["msg"] and "'Not ours'" in result["msg"], result


def test_a_new_group_aws_does_not_know_yet_is_retried(run, args, ec2, vpc_id, prefix_list, monkeypatch):
    sleeps = []
    monkeypatch.setattr(cloud, "time", type("Time", (), {"sleep": staticmethod(sleeps.append)}))
    attempts = []

    def not_yet(_client, operation, params, proceed):
        if operation == "AuthorizeSecurityGroupIngress":
            attempts.append(params["GroupId"])
            if len(attempts) == 1:
                error = {"Error": {"Code": "InvalidGroup.NotFound", "Message": f"'{params['GroupId']}' does not exist"}}
                raise ClientError(error, operation)
        return proceed()

    intercept(monkeypatch, not_yet)
    result = run(args)
    assert_ok(result, changed=True)
    assert attempts[0] == attempts[1] == result["group_ids"]["alb"]
    assert len(sleeps) == 1
    assert read_back(ec2, vpc_id) == expected_groups(prefix_list)
