"""Unit tests of the pure functions of plugins/module_utils/_efs.py."""

from __future__ import annotations

import json

import pytest
from botocore.waiter import WaiterModel

from ansible_collections.cloudops.fargate.plugins.module_utils._common import idempotency_token
from ansible_collections.cloudops.fargate.plugins.module_utils._efs import ALLOW_ACCESS_VIA_MOUNT_TARGET_STATEMENT
from ansible_collections.cloudops.fargate.plugins.module_utils._efs import DENY_INSECURE_TRANSPORT_STATEMENT
from ansible_collections.cloudops.fargate.plugins.module_utils._efs import POLICY_MAX_LENGTH
from ansible_collections.cloudops.fargate.plugins.module_utils._efs import WAITER_CONFIG
from ansible_collections.cloudops.fargate.plugins.module_utils._efs import EfsInputError
from ansible_collections.cloudops.fargate.plugins.module_utils._efs import absent_settings
from ansible_collections.cloudops.fargate.plugins.module_utils._efs import backup_enabled
from ansible_collections.cloudops.fargate.plugins.module_utils._efs import default_creation_token
from ansible_collections.cloudops.fargate.plugins.module_utils._efs import default_policy
from ansible_collections.cloudops.fargate.plugins.module_utils._efs import dns_name
from ansible_collections.cloudops.fargate.plugins.module_utils._efs import encryption_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._efs import has_deny_insecure_transport
from ansible_collections.cloudops.fargate.plugins.module_utils._efs import identity_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._efs import immutable_differences
from ansible_collections.cloudops.fargate.plugins.module_utils._efs import immutable_message
from ansible_collections.cloudops.fargate.plugins.module_utils._efs import is_deny_insecure_transport
from ansible_collections.cloudops.fargate.plugins.module_utils._efs import kms_key_equivalent
from ansible_collections.cloudops.fargate.plugins.module_utils._efs import lifecycle_dict
from ansible_collections.cloudops.fargate.plugins.module_utils._efs import lifecycle_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._efs import lifecycle_request
from ansible_collections.cloudops.fargate.plugins.module_utils._efs import mount_target_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._efs import mount_target_network_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._efs import mount_target_plan
from ansible_collections.cloudops.fargate.plugins.module_utils._efs import normalize_file_system
from ansible_collections.cloudops.fargate.plugins.module_utils._efs import normalize_mount_target
from ansible_collections.cloudops.fargate.plugins.module_utils._efs import parse_policy
from ansible_collections.cloudops.fargate.plugins.module_utils._efs import policies_differ
from ansible_collections.cloudops.fargate.plugins.module_utils._efs import predicted_file_system
from ansible_collections.cloudops.fargate.plugins.module_utils._efs import state_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._efs import tag_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._efs import throughput_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._efs import wanted_lifecycle_policies
from ansible_collections.cloudops.fargate.plugins.module_utils._efs import wanted_policy
from ansible_collections.cloudops.fargate.plugins.module_utils._efs import wanted_settings
from ansible_collections.cloudops.fargate.plugins.module_utils._efs import wanted_tags

SUBNET_A = "subnet-0123456789abcdef0"
SUBNET_B = "subnet-0123456789abcdef1"
SUBNET_A2 = "subnet-0123456789abcdef2"
SG = "sg-0123456789abcdef0"
SG2 = "sg-0123456789abcdef1"
VPC = "vpc-0123456789abcdef0"
KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
KEY_ARN = f"arn:aws:kms:us-east-1:123456789012:key/{KEY_ID}"
FS_ARN = "arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/fs-0123456789abcdef0"


def params(**overrides):
    """Module parameters as AnsibleModule hands them over: unset options are None."""
    base = {
        "state": "present",
        "name": "demo-local-static",
        "creation_token": None,
        "encrypted": True,
        "kms_key_id": None,
        "performance_mode": None,
        "throughput_mode": None,
        "provisioned_throughput_in_mibps": None,
        "lifecycle_policies": None,
        "backup": True,
        "policy": None,
        "deny_insecure_transport": True,
        "mount_targets": None,
        "tags": None,
        "purge_tags": True,
        "wait": True,
        "wait_timeout": 600,
    }
    base.update(overrides)
    return base


def lifecycle(**values):
    """The lifecycle_policies option as AnsibleModule fills it: every suboption present."""
    option = {"transition_to_ia": None, "transition_to_archive": None, "transition_to_primary_storage_class": None}
    option.update(values)
    return option


def mt(subnet=SUBNET_A, zone="us-east-1a", state="available", groups=(SG,), ip="10.0.1.10", mount_target_id="fsmt-1"):
    return {
        "mount_target_id": mount_target_id,
        "subnet_id": subnet,
        "availability_zone_name": zone,
        "availability_zone_id": "use1-az" + zone[-1],
        "ip_address": ip,
        "life_cycle_state": state,
        "security_groups": list(groups) if groups is not None else None,
    }


SUBNETS = {
    SUBNET_A: {
        "subnet_id": SUBNET_A,
        "vpc_id": VPC,
        "availability_zone_name": "us-east-1a",
        "availability_zone_id": "use1-aza",
        "cidr_block": "10.0.1.0/24",
    },
    SUBNET_B: {
        "subnet_id": SUBNET_B,
        "vpc_id": VPC,
        "availability_zone_name": "us-east-1b",
        "availability_zone_id": "use1-azb",
        "cidr_block": "10.0.2.0/24",
    },
    SUBNET_A2: {
        "subnet_id": SUBNET_A2,
        "vpc_id": VPC,
        "availability_zone_name": "us-east-1a",
        "availability_zone_id": "use1-aza",
        "cidr_block": "10.0.3.0/24",
    },
}


# --- identity ---------------------------------------------------------------------------------------------------


def test_default_creation_token_is_the_name_s_idempotency_token():
    token = default_creation_token("demo-local-static")
    assert token == idempotency_token("demo-local-static")
    assert len(token) == 64
    assert token != default_creation_token("demo-prod-static")


@pytest.mark.parametrize(
    ("name", "token", "message"),
    [
        ("demo", None, None),
        ("x" * 256, "t" * 64, None),
        ("", None, "name must not be empty"),
        (None, None, "name must not be empty"),
        ("x" * 257, None, "at most 256 characters"),
        ("demo", "", "creation_token must be 1 to 64"),
        ("demo", "t" * 65, "creation_token must be 1 to 64"),
    ],
)
def test_identity_errors(name, token, message):
    errors = identity_errors(name, token)
    assert (message is None) == (errors == [])
    if message:
        assert message in " ".join(errors)


# --- encryption and throughput --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encrypted", "key", "message"),
    [
        (True, None, None),
        (False, None, None),
        (True, KEY_ID, None),
        (True, KEY_ARN, None),
        (True, "alias/efs", None),
        (True, "arn:aws:kms:us-east-1:123456789012:alias/efs", None),
        (True, "mrk-" + "0" * 32, None),
        (False, KEY_ID, "only valid with encrypted=true"),
        (True, "efs key", "is neither a key ID"),
        (True, "alias/", "is neither a key ID"),
    ],
)
def test_encryption_errors(encrypted, key, message):
    errors = encryption_errors(encrypted, key)
    assert (message is None) == (errors == [])
    if message:
        assert message in " ".join(errors)


@pytest.mark.parametrize(
    ("performance", "mode", "provisioned", "messages"),
    [
        (None, None, None, []),
        (None, "bursting", None, []),
        (None, "elastic", None, []),
        ("generalPurpose", "provisioned", 1.0, []),
        (None, "provisioned", None, ["provisioned_throughput_in_mibps is required"]),
        (None, None, 10.0, ["only valid with throughput_mode=provisioned"]),
        (None, "elastic", 10.0, ["only valid with throughput_mode=provisioned"]),
        (None, "provisioned", 0.9, ["must be at least 1"]),
        ("maxIO", "elastic", None, ["elastic is not available with performance_mode=maxIO"]),
        ("maxIO", "provisioned", 5.0, []),
    ],
)
def test_throughput_errors(performance, mode, provisioned, messages):
    errors = throughput_errors(performance, mode, provisioned)
    assert len(errors) == len(messages)
    for message in messages:
        assert message in " ".join(errors)


# --- lifecycle --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "expected"),
    [
        (None, None),
        (lifecycle(), {}),
        (lifecycle(transition_to_ia="AFTER_30_DAYS"), {"transition_to_ia": "AFTER_30_DAYS"}),
        (
            {"transition_to_primary_storage_class": "AFTER_1_ACCESS"},
            {"transition_to_primary_storage_class": "AFTER_1_ACCESS"},
        ),
    ],
)
def test_wanted_lifecycle_policies(option, expected):
    assert wanted_lifecycle_policies(option) == expected


@pytest.mark.parametrize(
    ("policies", "message"),
    [
        (None, None),
        ({}, None),
        ({"transition_to_ia": "AFTER_1_DAY", "transition_to_archive": "AFTER_7_DAYS"}, None),
        ({"transition_to_ia": "AFTER_180_DAYS", "transition_to_archive": "AFTER_365_DAYS"}, None),
        ({"transition_to_archive": "AFTER_1_DAY"}, None),
        ({"transition_to_ia": "AFTER_30_DAYS", "transition_to_archive": "AFTER_30_DAYS"}, "must be later than"),
        ({"transition_to_ia": "AFTER_90_DAYS", "transition_to_archive": "AFTER_60_DAYS"}, "must be later than"),
        ({"transition_to_ia": "AFTER_2_DAYS"}, "transition_to_ia must be one of"),
        ({"transition_to_primary_storage_class": "AFTER_2_ACCESSES"}, "transition_to_primary_storage_class must be"),
    ],
)
def test_lifecycle_errors(policies, message):
    errors = lifecycle_errors(policies)
    assert (message is None) == (errors == [])
    if message:
        assert message in " ".join(errors)


def test_lifecycle_request_and_dict_round_trip():
    option = {
        "transition_to_primary_storage_class": "AFTER_1_ACCESS",
        "transition_to_ia": "AFTER_30_DAYS",
        "transition_to_archive": "AFTER_90_DAYS",
    }
    request = lifecycle_request(option)
    assert request == [
        {"TransitionToIA": "AFTER_30_DAYS"},
        {"TransitionToArchive": "AFTER_90_DAYS"},
        {"TransitionToPrimaryStorageClass": "AFTER_1_ACCESS"},
    ]
    assert lifecycle_dict(request) == option
    assert lifecycle_request({}) == []
    assert lifecycle_dict(None) == {}
    assert lifecycle_dict([{"TransitionToIA": "AFTER_7_DAYS", "Unknown": "x"}]) == {"transition_to_ia": "AFTER_7_DAYS"}


# --- the file system policy ---------------------------------------------------------------------------------------


def statement(**overrides):
    result = dict(DENY_INSECURE_TRANSPORT_STATEMENT)
    result.update(overrides)
    return {k: v for k, v in result.items() if v is not None}


@pytest.mark.parametrize(
    ("candidate", "expected"),
    [
        (DENY_INSECURE_TRANSPORT_STATEMENT, True),
        (statement(Sid=None), True),
        (statement(Sid="Other", Resource=FS_ARN), True),
        (statement(Principal="*"), True),
        (statement(Principal={"AWS": ["*"]}), True),
        (statement(Action=["*"]), True),
        (statement(Action="elasticfilesystem:*"), True),
        (statement(Condition={"Bool": {"aws:SecureTransport": False}}), True),
        (statement(Condition={"Bool": {"aws:securetransport": ["false"]}}), True),
        (statement(Effect="Allow"), False),
        (statement(Principal={"AWS": "arn:aws:iam::123456789012:root"}), False),
        (statement(Action="elasticfilesystem:ClientMount"), False),
        (statement(Condition={"Bool": {"aws:SecureTransport": "true"}}), False),
        (statement(Condition={"Bool": {"aws:SecureTransport": "false", "aws:ViaAWSService": "false"}}), False),
        (
            statement(
                Condition={"Bool": {"aws:SecureTransport": "false"}, "IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}
            ),
            False,
        ),
        (statement(Condition={"StringEquals": {"aws:SecureTransport": "false"}}), False),
        (statement(Condition=None), False),
        (dict(statement(), NotAction="x"), False),
    ],
)
def test_is_deny_insecure_transport(candidate, expected):
    assert is_deny_insecure_transport(candidate) is expected


def test_default_policy_keeps_default_access_and_denies_plain_transport():
    policy = default_policy()
    assert policy["Statement"] == [ALLOW_ACCESS_VIA_MOUNT_TARGET_STATEMENT, DENY_INSECURE_TRANSPORT_STATEMENT]
    assert has_deny_insecure_transport(policy)
    policy["Statement"].clear()
    assert default_policy()["Statement"], "a fresh copy each time"


OWN = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "elasticfilesystem:ClientMount"}],
}


@pytest.mark.parametrize(
    ("option", "deny", "expected"),
    [
        (None, True, default_policy()),
        (None, False, None),
        (OWN, False, OWN),
        (json.dumps(OWN), False, OWN),
        (OWN, True, {"Version": "2012-10-17", "Statement": OWN["Statement"] + [DENY_INSECURE_TRANSPORT_STATEMENT]}),
        (
            {"Statement": OWN["Statement"][0]},
            True,
            {"Statement": [OWN["Statement"][0], DENY_INSECURE_TRANSPORT_STATEMENT]},
        ),
        (default_policy(), True, default_policy()),
        (
            {"Statement": [statement(Sid="Mine", Principal="*")]},
            True,
            {"Statement": [statement(Sid="Mine", Principal="*")]},
        ),
    ],
)
def test_wanted_policy(option, deny, expected):
    assert wanted_policy(option, deny) == expected


def test_wanted_policy_does_not_change_the_option():
    option = json.loads(json.dumps(OWN))
    wanted_policy(option, True)
    assert option == OWN


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("{", "policy is not valid JSON"),
        ("[]", "policy must be a JSON object"),
        ([], "policy must be a JSON object"),
        ({}, "policy must have a Statement"),
        ({"Statement": []}, "policy must have a Statement"),
        ({"Statement": "x"}, "policy must have a Statement"),
        ({"Statement": [{"Effect": "allow"}]}, "Effect Allow or Deny"),
        ({"Statement": ["x"]}, "Effect Allow or Deny"),
    ],
)
def test_parse_policy_errors(value, message):
    with pytest.raises(EfsInputError, match=message):
        parse_policy(value)


def test_policy_too_long():
    big = {"Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "x" * POLICY_MAX_LENGTH}]}
    with pytest.raises(EfsInputError, match="at most 20000 characters"):
        wanted_policy(big, False)


@pytest.mark.parametrize(
    ("current", "wanted", "differ"),
    [
        (None, None, False),
        (OWN, None, False),
        (None, OWN, True),
        (OWN, OWN, False),
        (OWN, {"Version": "2012-10-17", "Statement": OWN["Statement"][0]}, False),
        (
            OWN,
            {
                "Version": "2012-10-17",
                "Statement": [dict(OWN["Statement"][0], Action=["elasticfilesystem:ClientMount"])],
            },
            False,
        ),
        (
            OWN,
            {"Version": "2012-10-17", "Statement": [dict(OWN["Statement"][0], Action="elasticfilesystem:ClientWrite")]},
            True,
        ),
        (OWN, default_policy(), True),
    ],
)
def test_policies_differ(current, wanted, differ):
    assert policies_differ(current, wanted) is differ


def _with_resource(policy, resource):
    result = json.loads(json.dumps(policy))
    for item in result["Statement"]:
        item["Resource"] = resource
    return result


@pytest.mark.parametrize(
    ("current", "wanted", "differ"),
    [
        # EFS stores a statement without Resource with the file system's ARN as its Resource
        (_with_resource(default_policy(), FS_ARN), default_policy(), False),
        (_with_resource(default_policy(), [FS_ARN]), default_policy(), False),
        (default_policy(), _with_resource(default_policy(), FS_ARN), False),
        (_with_resource(default_policy(), FS_ARN.replace("fs-0", "fs-9")), default_policy(), True),
        (_with_resource(default_policy(), "*"), default_policy(), True),
    ],
)
def test_policies_differ_the_file_system_s_own_resource(current, wanted, differ):
    assert policies_differ(current, wanted, FS_ARN) is differ
    assert policies_differ(current, wanted) is (current != wanted)


# --- mount targets ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("targets", "messages"),
    [
        (None, []),
        ([], []),
        ([{"subnet_id": SUBNET_A, "security_groups": [SG, SG2], "ip_address": "10.0.1.10"}], []),
        ([{"subnet_id": SUBNET_A, "security_groups": None, "ip_address": None}], []),
        ([{"subnet_id": "subnet-xyz"}], ["is not a subnet ID"]),
        ([{"subnet_id": "subnet-0123"}], ["is not a subnet ID"]),
        ([{"subnet_id": SUBNET_A}, {"subnet_id": SUBNET_A}], ["listed more than once"]),
        ([{"subnet_id": SUBNET_A, "security_groups": []}], ["must not be empty"]),
        ([{"subnet_id": SUBNET_A, "security_groups": ["default"]}], ["is not a security group ID"]),
        ([{"subnet_id": SUBNET_A, "security_groups": [f"sg-0000000{i}" for i in range(6)]}], ["at most 5"]),
        ([{"subnet_id": SUBNET_A, "security_groups": [SG] * 6}], []),
        ([{"subnet_id": SUBNET_A, "ip_address": "fe80::1"}], ["is not an IPv4 address"]),
        ([{"subnet_id": "x", "ip_address": "x"}], ["is not a subnet ID", "is not an IPv4 address"]),
    ],
)
def test_mount_target_errors(targets, messages):
    errors = mount_target_errors(targets)
    assert len(errors) == len(messages), errors
    for message in messages:
        assert message in " ".join(errors)


@pytest.mark.parametrize(
    ("targets", "groups", "messages"),
    [
        ([{"subnet_id": SUBNET_A}, {"subnet_id": SUBNET_B}], {}, []),
        ([{"subnet_id": SUBNET_A, "security_groups": [SG], "ip_address": "10.0.1.4"}], {SG: VPC}, []),
        ([{"subnet_id": "subnet-0000000000000000f"}], {}, ["does not exist"]),
        (
            [{"subnet_id": SUBNET_A}, {"subnet_id": SUBNET_A2}],
            {},
            [f"subnets {SUBNET_A}, {SUBNET_A2} are all in us-east-1a"],
        ),
        ([{"subnet_id": SUBNET_A, "ip_address": "10.0.2.4"}], {}, ["is not in subnet"]),
        ([{"subnet_id": SUBNET_A, "ip_address": "10.0.1.0"}], {}, ["is reserved by AWS"]),
        ([{"subnet_id": SUBNET_A, "ip_address": "10.0.1.3"}], {}, ["is reserved by AWS"]),
        ([{"subnet_id": SUBNET_A, "ip_address": "10.0.1.255"}], {}, ["is reserved by AWS"]),
        ([{"subnet_id": SUBNET_A, "security_groups": [SG]}], {}, [f"security group {SG} does not exist"]),
        ([{"subnet_id": SUBNET_A, "security_groups": [SG]}], {SG: "vpc-other"}, ["is in vpc-other, not in"]),
    ],
)
def test_mount_target_network_errors(targets, groups, messages):
    targets = [{"security_groups": None, "ip_address": None, **t} for t in targets]
    errors = mount_target_network_errors(targets, SUBNETS, groups)
    assert len(errors) == len(messages), errors
    for message in messages:
        assert message in " ".join(errors)


def test_mount_target_network_errors_one_vpc():
    subnets = dict(SUBNETS, **{SUBNET_B: dict(SUBNETS[SUBNET_B], vpc_id="vpc-other")})
    errors = mount_target_network_errors(
        [{"subnet_id": SUBNET_A, "security_groups": None}, {"subnet_id": SUBNET_B, "security_groups": None}],
        subnets,
        {},
    )
    assert errors == [f"mount_targets: all subnets must be in one VPC ({VPC}: {SUBNET_A}; vpc-other: {SUBNET_B})."]


def wanted_mt(subnet, groups=None, ip=None):
    return {"subnet_id": subnet, "security_groups": groups, "ip_address": ip}


def test_plan_left_out_changes_nothing():
    plan = mount_target_plan([mt(), mt(SUBNET_B, "us-east-1b", state="deleting")], None, SUBNETS, True)
    assert (plan["delete"], plan["create"], plan["modify"]) == ([], [], [])
    assert plan["after"] == [mt()]


def test_plan_same_is_nothing():
    plan = mount_target_plan([mt()], [wanted_mt(SUBNET_A, [SG])], SUBNETS, True)
    assert (plan["delete"], plan["create"], plan["modify"], plan["wait_for_deletion"]) == ([], [], [], False)
    assert plan["after"] == [mt()]


def test_plan_create_delete_modify():
    current = [mt(SUBNET_A, groups=[SG]), mt(SUBNET_B, "us-east-1b", mount_target_id="fsmt-2")]
    wanted = [wanted_mt(SUBNET_A, [SG, SG2])]
    plan = mount_target_plan(current, wanted, SUBNETS, True)
    assert plan["delete"] == [current[1]]
    assert plan["create"] == []
    assert plan["modify"] == [(current[0], [SG, SG2])]
    assert plan["after"] == [dict(current[0], security_groups=[SG, SG2])]
    assert plan["wait_for_deletion"] is False


def test_plan_new_mount_target_prediction():
    plan = mount_target_plan([], [wanted_mt(SUBNET_B, [SG], "10.0.2.9")], SUBNETS, False)
    assert plan["create"] == [wanted_mt(SUBNET_B, [SG], "10.0.2.9")]
    assert plan["after"] == [
        {
            "mount_target_id": None,
            "subnet_id": SUBNET_B,
            "availability_zone_name": "us-east-1b",
            "availability_zone_id": "use1-azb",
            "ip_address": "10.0.2.9",
            "life_cycle_state": "creating",
            "security_groups": [SG],
        }
    ]


@pytest.mark.parametrize(
    ("current", "wanted", "deleted", "created", "waits"),
    [
        # a new address: the mount target is replaced, in its own zone, so the deletion is awaited
        ([mt(ip="10.0.1.10")], [wanted_mt(SUBNET_A, ip="10.0.1.20")], ["fsmt-1"], [SUBNET_A], True),
        ([mt(ip="10.0.1.10")], [wanted_mt(SUBNET_A, ip="10.0.1.10")], [], [], False),
        ([mt(ip="10.0.1.10")], [wanted_mt(SUBNET_A)], [], [], False),
        # another subnet of the same zone
        ([mt()], [wanted_mt(SUBNET_A2)], ["fsmt-1"], [SUBNET_A2], True),
        # another zone: nothing to wait for
        ([mt()], [wanted_mt(SUBNET_B)], ["fsmt-1"], [SUBNET_B], False),
        # a mount target in error is replaced
        ([mt(state="error")], [wanted_mt(SUBNET_A)], ["fsmt-1"], [SUBNET_A], True),
        # one still being deleted (by an earlier run) is not counted, but its zone is awaited
        ([mt(state="deleting", groups=None)], [wanted_mt(SUBNET_A)], [], [SUBNET_A], True),
        ([mt(state="deleting", groups=None)], [], [], [], False),
        ([mt(), mt(SUBNET_B, "us-east-1b", mount_target_id="fsmt-2")], [], ["fsmt-1", "fsmt-2"], [], False),
    ],
)
def test_plan_replacements_and_waits(current, wanted, deleted, created, waits):
    plan = mount_target_plan(current, wanted, SUBNETS, True)
    assert [m["mount_target_id"] for m in plan["delete"]] == deleted
    assert [e["subnet_id"] for e in plan["create"]] == created
    assert plan["wait_for_deletion"] is waits


def test_plan_unknown_security_groups_are_not_changed():
    """A mount target still being created may not tell its security groups: compared on a later run."""
    plan = mount_target_plan([mt(state="creating", groups=None)], [wanted_mt(SUBNET_A, [SG2])], SUBNETS, False)
    assert plan["modify"] == []


def test_plan_sorted_by_zone():
    plan = mount_target_plan([], [wanted_mt(SUBNET_B), wanted_mt(SUBNET_A)], SUBNETS, True)
    assert [m["subnet_id"] for m in plan["after"]] == [SUBNET_A, SUBNET_B]


# --- tags ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tags", "purge", "expected"),
    [
        (None, True, ({"Name": "n"}, False)),
        ({}, True, ({"Name": "n"}, True)),
        ({"Stack": "s", "Count": 3}, False, ({"Stack": "s", "Count": "3", "Name": "n"}, False)),
        ({"Name": "n"}, True, ({"Name": "n"}, True)),
    ],
)
def test_wanted_tags(tags, purge, expected):
    assert wanted_tags("n", tags, purge) == expected


@pytest.mark.parametrize(
    ("tags", "message"),
    [
        (None, None),
        ({"Name": "n", "Stack": "s"}, None),
        ({"aws:cloudformation:stack-name": "x"}, "reserved by AWS"),
        ({"AWS:x": "x"}, "reserved by AWS"),
        ({"Name": "other"}, "must be left out or equal name"),
    ],
)
def test_tag_errors(tags, message):
    errors = tag_errors("n", tags)
    assert (message is None) == (errors == [])
    if message:
        assert message in " ".join(errors)


# --- existing file system ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "wanted", "expected"),
    [
        (KEY_ARN, KEY_ARN, True),
        (KEY_ARN, KEY_ID, True),
        (KEY_ID, KEY_ARN, True),
        (KEY_ARN, "0000abcd-12ab-34cd-56ef-1234567890ab", False),
        (KEY_ARN, KEY_ARN.replace("1234abcd", "0000abcd"), False),
        (None, KEY_ID, False),
        (KEY_ARN, "alias/efs", None),
        (KEY_ARN, "arn:aws:kms:us-east-1:123456789012:alias/efs", None),
        ("alias/efs", KEY_ID, None),
    ],
)
def test_kms_key_equivalent(current, wanted, expected):
    assert kms_key_equivalent(current, wanted) is expected


CURRENT = {
    "file_system_id": "fs-0123456789abcdef0",
    "encrypted": True,
    "kms_key_id": KEY_ARN,
    "performance_mode": "generalPurpose",
    "throughput_mode": "bursting",
}


@pytest.mark.parametrize(
    ("wanted", "same_key", "expected"),
    [
        ({"encrypted": True}, True, {}),
        ({"encrypted": True, "kms_key_id": KEY_ID}, True, {}),
        ({"encrypted": True, "performance_mode": "generalPurpose"}, True, {}),
        ({"encrypted": False}, True, {"encrypted": (True, False)}),
        ({"encrypted": True, "kms_key_id": "alias/x"}, False, {"kms_key_id": (KEY_ARN, "alias/x")}),
        ({"encrypted": True, "kms_key_id": None}, False, {}),
        (
            {"encrypted": False, "performance_mode": "maxIO"},
            True,
            {"encrypted": (True, False), "performance_mode": ("generalPurpose", "maxIO")},
        ),
    ],
)
def test_immutable_differences(wanted, same_key, expected):
    assert immutable_differences(CURRENT, wanted, same_kms_key=same_key) == expected


def test_immutable_message_names_fields_and_values():
    message = immutable_message(
        "demo", "fs-1", {"encrypted": (True, False), "performance_mode": ("generalPurpose", "maxIO")}
    )
    assert message.startswith(
        "encrypted, performance_mode of file system demo (fs-1) cannot change after it is created"
    )
    assert "encrypted is True, the task asks for False" in message
    assert "performance_mode is 'generalPurpose', the task asks for 'maxIO'" in message
    assert "Nothing was changed" in message


@pytest.mark.parametrize(
    ("current", "wanted", "message"),
    [
        (CURRENT, {"throughput_mode": "elastic"}, None),
        (dict(CURRENT, performance_mode="maxIO"), {"throughput_mode": "elastic"}, "elastic is not available"),
        (CURRENT, {"throughput_mode": "elastic", "lifecycle_policies": {"transition_to_archive": "AFTER_1_DAY"}}, None),
        (
            dict(CURRENT, throughput_mode="elastic"),
            {"lifecycle_policies": {"transition_to_archive": "AFTER_1_DAY"}},
            None,
        ),
        (
            CURRENT,
            {"lifecycle_policies": {"transition_to_archive": "AFTER_1_DAY"}},
            "would use bursting and generalPurpose",
        ),
        (
            dict(CURRENT, performance_mode="maxIO", throughput_mode="elastic"),
            {"lifecycle_policies": {"transition_to_archive": "AFTER_1_DAY"}},
            "needs throughput_mode=elastic",
        ),
        (
            dict(CURRENT, file_system_id="(new)"),
            {"lifecycle_policies": {"transition_to_archive": "AFTER_1_DAY"}},
            "a new file system",
        ),
        (CURRENT, {"lifecycle_policies": {"transition_to_ia": "AFTER_1_DAY"}}, None),
    ],
)
def test_state_errors(current, wanted, message):
    errors = state_errors(current, wanted)
    assert (message is None) == (errors == [])
    if message:
        assert message in " ".join(errors)


# --- reading --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arn", "expected"),
    [
        (FS_ARN, "fs-1.efs.us-east-1.amazonaws.com"),
        ("arn:aws:elasticfilesystem:eu-west-3:123456789012:file-system/fs-1", "fs-1.efs.eu-west-3.amazonaws.com"),
        (
            "arn:aws-cn:elasticfilesystem:cn-north-1:123456789012:file-system/fs-1",
            "fs-1.efs.cn-north-1.amazonaws.com.cn",
        ),
    ],
)
def test_dns_name(arn, expected):
    assert dns_name("fs-1", arn) == expected


def test_normalize_file_system():
    description = {
        "OwnerId": "123456789012",
        "CreationToken": "t",
        "FileSystemId": "fs-0123456789abcdef0",
        "FileSystemArn": FS_ARN,
        "LifeCycleState": "available",
        "Name": "demo",
        "NumberOfMountTargets": 2,
        "SizeInBytes": {"Value": 6144, "ValueInIA": 0, "ValueInStandard": 6144},
        "PerformanceMode": "generalPurpose",
        "Encrypted": True,
        "ThroughputMode": "elastic",
        "Tags": [{"Key": "Name", "Value": "demo"}, {"Key": "Stack", "Value": "s"}],
    }
    targets = [mt(SUBNET_B, "us-east-1b"), mt(SUBNET_A, "us-east-1a")]
    result = normalize_file_system(
        description, targets, default_policy(), "ENABLED", {"transition_to_ia": "AFTER_7_DAYS"}
    )
    assert result["file_system_id"] == "fs-0123456789abcdef0"
    assert result["tags"] == {"Name": "demo", "Stack": "s"}
    assert result["size_in_bytes"] == {"value": 6144, "value_in_ia": 0, "value_in_standard": 6144}
    assert result["kms_key_id"] is None and result["provisioned_throughput_in_mibps"] is None
    assert [m["subnet_id"] for m in result["mount_targets"]] == [SUBNET_A, SUBNET_B]
    assert result["policy"] == default_policy()
    assert result["backup_policy"] == {"status": "ENABLED"}
    assert result["lifecycle_policies"] == {"transition_to_ia": "AFTER_7_DAYS"}
    assert result["dns_name"] == "fs-0123456789abcdef0.efs.us-east-1.amazonaws.com"


def test_normalize_mount_target():
    description = {
        "MountTargetId": "fsmt-1",
        "FileSystemId": "fs-1",
        "SubnetId": SUBNET_A,
        "LifeCycleState": "creating",
        "IpAddress": "10.0.1.4",
        "NetworkInterfaceId": "eni-1",
        "AvailabilityZoneId": "use1-az6",
        "AvailabilityZoneName": "us-east-1a",
        "VpcId": VPC,
        "OwnerId": "123456789012",
    }
    assert normalize_mount_target(description, [SG2, SG]) == {
        "mount_target_id": "fsmt-1",
        "subnet_id": SUBNET_A,
        "availability_zone_name": "us-east-1a",
        "availability_zone_id": "use1-az6",
        "ip_address": "10.0.1.4",
        "life_cycle_state": "creating",
        "security_groups": [SG, SG2],
    }
    assert normalize_mount_target(description, None)["security_groups"] is None


@pytest.mark.parametrize(
    ("status", "enabled"),
    [("ENABLED", True), ("ENABLING", True), ("DISABLED", False), ("DISABLING", False), (None, False)],
)
def test_backup_enabled(status, enabled):
    assert backup_enabled(status) is enabled


# --- settings -------------------------------------------------------------------------------------------------------


def test_wanted_settings_defaults():
    wanted = wanted_settings(params())
    assert wanted == {
        "name": "demo-local-static",
        "creation_token": idempotency_token("demo-local-static"),
        "encrypted": True,
        "kms_key_id": None,
        "performance_mode": None,
        "throughput_mode": None,
        "provisioned_throughput_in_mibps": None,
        "lifecycle_policies": None,
        "backup": True,
        "policy": default_policy(),
        "mount_targets": None,
        "tags": {"Name": "demo-local-static"},
        "purge_tags": False,
        "wait": True,
        "wait_timeout": 600,
    }


def test_wanted_settings_everything():
    wanted = wanted_settings(
        params(
            creation_token="token",
            kms_key_id=KEY_ID,
            performance_mode="generalPurpose",
            throughput_mode="elastic",
            lifecycle_policies=lifecycle(transition_to_ia="AFTER_7_DAYS", transition_to_archive="AFTER_90_DAYS"),
            backup=False,
            policy=json.dumps(OWN),
            deny_insecure_transport=False,
            mount_targets=[{"subnet_id": SUBNET_A, "security_groups": [SG2, SG, SG2], "ip_address": None}],
            tags={"Stack": "s"},
            wait=False,
            wait_timeout=30,
        )
    )
    assert wanted["creation_token"] == "token"
    assert wanted["lifecycle_policies"] == {
        "transition_to_ia": "AFTER_7_DAYS",
        "transition_to_archive": "AFTER_90_DAYS",
    }
    assert wanted["policy"] == OWN
    assert wanted["mount_targets"] == [{"subnet_id": SUBNET_A, "security_groups": [SG, SG2], "ip_address": None}]
    assert (wanted["tags"], wanted["purge_tags"]) == ({"Stack": "s", "Name": "demo-local-static"}, True)
    assert (wanted["backup"], wanted["wait"], wanted["wait_timeout"]) == (False, False, 30)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {
                "lifecycle_policies": lifecycle(transition_to_archive="AFTER_90_DAYS"),
                "performance_mode": "maxIO",
                "throughput_mode": "elastic",
            },
            "not available with performance_mode=maxIO",
        ),
        (
            {"lifecycle_policies": lifecycle(transition_to_archive="AFTER_90_DAYS"), "throughput_mode": "bursting"},
            "needs throughput_mode=elastic",
        ),
        ({"wait_timeout": -5}, "wait_timeout must not be negative"),
        ({"policy": "{"}, "policy is not valid JSON"),
    ],
)
def test_wanted_settings_errors(overrides, message):
    with pytest.raises(EfsInputError, match=message):
        wanted_settings(params(**overrides))


def test_wanted_settings_reports_every_error():
    with pytest.raises(EfsInputError) as raised:
        wanted_settings(
            params(name="", throughput_mode="provisioned", tags={"aws:x": "y"}, mount_targets=[{"subnet_id": "x"}])
        )
    for message in (
        "name must not be empty",
        "provisioned_throughput_in_mibps is required",
        "reserved by AWS",
        "not a subnet ID",
    ):
        assert message in str(raised.value)


def test_absent_settings_checks_only_the_identity():
    settings = absent_settings(params(state="absent", throughput_mode="provisioned", policy="{"))
    assert settings == {
        "name": "demo-local-static",
        "creation_token": idempotency_token("demo-local-static"),
        "wait": True,
        "wait_timeout": 600,
    }
    with pytest.raises(EfsInputError, match="name must not be empty"):
        absent_settings(params(name=""))


def test_predicted_file_system():
    wanted = wanted_settings(params(tags={"Stack": "s"}))
    predicted = predicted_file_system(wanted, [])
    assert predicted["throughput_mode"] == "bursting"
    assert predicted["performance_mode"] == "generalPurpose"
    assert predicted["backup_policy"] == {"status": "ENABLED"}
    assert predicted["lifecycle_policies"] == {}
    assert predicted["tags"] == {"Stack": "s", "Name": "demo-local-static"}
    assert predicted["number_of_mount_targets"] == 0
    assert predicted_file_system(dict(wanted, backup=False), [])["backup_policy"] == {"status": "DISABLED"}


# --- waiting --------------------------------------------------------------------------------------------------------


def _acceptor_state(waiter_name, response):
    """The state the first matching acceptor of a waiter gives a response (None: keep waiting)."""
    config = WaiterModel(WAITER_CONFIG).get_waiter(waiter_name)
    for acceptor in config.acceptors:
        if acceptor.matcher_func(response):
            return acceptor.state
    return None


def _mts(*states):
    return {"MountTargets": [{"LifeCycleState": state} for state in states]}


def _error(code):
    return {"Error": {"Code": code, "Message": "x"}}


@pytest.mark.parametrize(
    ("waiter", "response", "state"),
    [
        ("FileSystemAvailable", {"FileSystems": [{"LifeCycleState": "available"}]}, "success"),
        ("FileSystemAvailable", {"FileSystems": [{"LifeCycleState": "creating"}]}, None),
        ("FileSystemAvailable", {"FileSystems": [{"LifeCycleState": "updating"}]}, None),
        ("FileSystemAvailable", {"FileSystems": [{"LifeCycleState": "error"}]}, "failure"),
        ("FileSystemAvailable", _error("FileSystemNotFound"), "retry"),
        ("FileSystemAvailable", _error("ThrottlingException"), "retry"),
        ("FileSystemDeleted", _error("FileSystemNotFound"), "success"),
        ("FileSystemDeleted", {"FileSystems": []}, "success"),
        ("FileSystemDeleted", {"FileSystems": [{"LifeCycleState": "deleting"}]}, None),
        ("FileSystemDeleted", {"FileSystems": [{"LifeCycleState": "deleted"}]}, "success"),
        ("MountTargetsAvailable", _mts(), "success"),
        ("MountTargetsAvailable", _mts("available", "available"), "success"),
        ("MountTargetsAvailable", _mts("available", "creating"), None),
        ("MountTargetsAvailable", _mts("available", "deleting"), None),
        ("MountTargetsAvailable", _mts("available", "error"), "failure"),
        ("MountTargetsDeleted", _mts("available", "creating"), "success"),
        ("MountTargetsDeleted", _mts("available", "deleting"), None),
        ("MountTargetsDeleted", _mts("deleted"), None),
        ("MountTargetsDeleted", _error("FileSystemNotFound"), "success"),
        ("NoMountTargets", _mts(), "success"),
        ("NoMountTargets", _mts("deleting"), None),
        ("NoMountTargets", _error("FileSystemNotFound"), "success"),
        ("NoMountTargets", _error("Throttling"), "retry"),
    ],
)
def test_waiter_acceptors(waiter, response, state):
    assert _acceptor_state(waiter, response) == state
