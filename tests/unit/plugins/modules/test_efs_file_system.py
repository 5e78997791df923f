"""cloudops.fargate.efs_file_system against moto in this process; every outcome is read back with boto3.

moto 5.2.5 lacks PutBackupPolicy and UpdateFileSystem and answers DescribeBackupPolicy wrongly: the emulator's
extensions (emulator/extensions/efs_backup_policy.py, efs_update_file_system.py) are installed for these tests.
"""

from __future__ import annotations

import functools
import json

import pytest

from ansible_collections.cloudops.fargate.plugins.module_utils import _efs
from ansible_collections.cloudops.fargate.plugins.module_utils._common import idempotency_token
from ansible_collections.cloudops.fargate.plugins.modules import efs_file_system
from emulator.extensions import efs_backup_policy
from emulator.extensions import efs_update_file_system
from tests.unit import helpers
from tests.unit.helpers import assert_ok

NAME = "unit-local-static"
TOKEN = idempotency_token(NAME)
ACCOUNT = "123456789012"
REGION = "us-east-1"

DENY = {
    "Sid": "DenyInsecureTransport",
    "Effect": "Deny",
    "Principal": {"AWS": "*"},
    "Action": "*",
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}
ALLOW_VIA_MOUNT_TARGET = {
    "Sid": "AllowAccessViaMountTarget",
    "Effect": "Allow",
    "Principal": {"AWS": "*"},
    "Action": ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite", "elasticfilesystem:ClientRootAccess"],
    "Condition": {"Bool": {"elasticfilesystem:AccessedViaMountTarget": "true"}},
}
DEFAULT_POLICY = {"Version": "2012-10-17", "Statement": [ALLOW_VIA_MOUNT_TARGET, DENY]}
TASK_ROLE_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "TaskRole",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::123456789012:role/task"},
            "Action": ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
        }
    ],
}


@pytest.fixture(autouse=True)
def emulator_extensions():
    """The EFS gaps of moto 5.2.5 filled, process-wide (installation is idempotent)."""
    efs_backup_policy.install()
    efs_update_file_system.install()


@pytest.fixture
def efs(aws):
    return aws("efs")


@pytest.fixture
def ec2(aws):
    return aws("ec2")


@pytest.fixture
def backend(aws):
    from moto.efs.models import efs_backends

    return efs_backends[ACCOUNT][REGION]


class Network:
    """A VPC with subnets in three zones (and a second one in zone a), two security groups; another VPC."""

    def __init__(self, ec2):
        self.vpc = ec2.create_vpc(CidrBlock="10.50.0.0/16")["Vpc"]["VpcId"]

        def subnet(vpc, cidr, zone):
            return ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=zone)["Subnet"]["SubnetId"]

        self.a = subnet(self.vpc, "10.50.1.0/24", "us-east-1a")
        self.b = subnet(self.vpc, "10.50.2.0/24", "us-east-1b")
        self.c = subnet(self.vpc, "10.50.3.0/24", "us-east-1c")
        self.a2 = subnet(self.vpc, "10.50.11.0/24", "us-east-1a")
        self.sg = ec2.create_security_group(GroupName="efs", Description="efs", VpcId=self.vpc)["GroupId"]
        self.sg2 = ec2.create_security_group(GroupName="vpn", Description="vpn", VpcId=self.vpc)["GroupId"]
        self.other_vpc = ec2.create_vpc(CidrBlock="10.60.0.0/16")["Vpc"]["VpcId"]
        self.other_subnet = subnet(self.other_vpc, "10.60.1.0/24", "us-east-1b")
        self.other_sg = ec2.create_security_group(GroupName="x", Description="x", VpcId=self.other_vpc)["GroupId"]


@pytest.fixture
def net(ec2):
    return Network(ec2)


@pytest.fixture
def args():
    return {"name": NAME, "tags": {"Stack": "unit"}}


@pytest.fixture
def run(run_module):
    def run_file_system(args, check_mode=False, diff=False):
        return run_module(efs_file_system, args, check_mode=check_mode, diff=diff)

    return run_file_system


@pytest.fixture
def created(run, args, efs):
    """The file system of ``args`` created for real; returns its DescribeFileSystems entry."""
    assert_ok(run(args), changed=True)
    return describe(efs)


def file_systems(efs):
    return efs.describe_file_systems()["FileSystems"]


def describe(efs, token=TOKEN):
    found = efs.describe_file_systems(CreationToken=token)["FileSystems"]
    assert len(found) == 1, found
    return found[0]


def fs_id(efs):
    return describe(efs)["FileSystemId"]


def mount_targets(efs, file_system_id=None):
    file_system_id = file_system_id or fs_id(efs)
    result = {}
    for mt in efs.describe_mount_targets(FileSystemId=file_system_id)["MountTargets"]:
        groups = efs.describe_mount_target_security_groups(MountTargetId=mt["MountTargetId"]).get("SecurityGroups")
        result[mt["SubnetId"]] = dict(mt, SecurityGroups=sorted(groups or []))
    return result


def policy_of(efs):
    return json.loads(efs.describe_file_system_policy(FileSystemId=fs_id(efs))["Policy"])


def backup_of(efs):
    return efs.describe_backup_policy(FileSystemId=fs_id(efs))["BackupPolicy"]["Status"]


def lifecycle_of(efs):
    return efs.describe_lifecycle_configuration(FileSystemId=fs_id(efs))["LifecyclePolicies"]


def tags_of(efs):
    return {t["Key"]: t["Value"] for t in efs.list_tags_for_resource(ResourceId=fs_id(efs))["Tags"]}


def snapshot(efs):
    """Everything a failed or check-mode run must leave untouched."""
    result = {}
    for fs in file_systems(efs):
        identifier = fs["FileSystemId"]
        try:
            policy = efs.describe_file_system_policy(FileSystemId=identifier)["Policy"]
        except efs.exceptions.PolicyNotFound:
            policy = None
        fs = {k: v for k, v in fs.items() if k != "SizeInBytes"}
        result[identifier] = (
            fs,
            mount_targets(efs, identifier),
            policy,
            efs.describe_backup_policy(FileSystemId=identifier)["BackupPolicy"],
            efs.describe_lifecycle_configuration(FileSystemId=identifier)["LifecyclePolicies"],
        )
    return result


def without_aws_assigned(file_system):
    """A returned file system without what only AWS knows, to compare with the check mode prediction."""
    volatile = ("file_system_id", "file_system_arn", "owner_id", "creation_time", "size_in_bytes", "dns_name")
    result = {k: v for k, v in file_system.items() if k not in volatile}
    result["mount_targets"] = [
        dict(mt, mount_target_id=None, ip_address=None) for mt in result.get("mount_targets", [])
    ]
    return result


# --- create ---------------------------------------------------------------------------------------------------


def test_create_four_steps(run, args, efs, net):
    full = dict(
        args,
        throughput_mode="elastic",
        lifecycle_policies={
            "transition_to_ia": "AFTER_30_DAYS",
            "transition_to_primary_storage_class": "AFTER_1_ACCESS",
        },
        mount_targets=[
            {"subnet_id": net.a, "security_groups": [net.sg]},
            {"subnet_id": net.b, "security_groups": [net.sg, net.sg2]},
        ],
    )
    # 1. check mode predicts the file system and creates nothing
    result = run(full, check_mode=True, diff=True)
    assert_ok(result, changed=True)
    assert file_systems(efs) == []
    predicted = result["file_system"]
    assert predicted == {
        "creation_token": TOKEN,
        "name": NAME,
        "life_cycle_state": "available",
        "encrypted": True,
        "kms_key_id": None,
        "performance_mode": "generalPurpose",
        "throughput_mode": "elastic",
        "provisioned_throughput_in_mibps": None,
        "number_of_mount_targets": 2,
        "tags": {"Name": NAME, "Stack": "unit"},
        "mount_targets": [
            {
                "mount_target_id": None,
                "subnet_id": net.a,
                "availability_zone_name": "us-east-1a",
                "availability_zone_id": result["file_system"]["mount_targets"][0]["availability_zone_id"],
                "ip_address": None,
                "life_cycle_state": "available",
                "security_groups": [net.sg],
            },
            {
                "mount_target_id": None,
                "subnet_id": net.b,
                "availability_zone_name": "us-east-1b",
                "availability_zone_id": result["file_system"]["mount_targets"][1]["availability_zone_id"],
                "ip_address": None,
                "life_cycle_state": "available",
                "security_groups": sorted([net.sg, net.sg2]),
            },
        ],
        "policy": DEFAULT_POLICY,
        "backup_policy": {"status": "ENABLED"},
        "lifecycle_policies": {
            "transition_to_ia": "AFTER_30_DAYS",
            "transition_to_primary_storage_class": "AFTER_1_ACCESS",
        },
    }
    assert predicted["mount_targets"][0]["availability_zone_id"]
    assert result["diff"] == {"before": {}, "after": predicted}

    # 2. for real
    result = run(full, diff=True)
    assert_ok(result, changed=True)
    entry = describe(efs)
    assert (entry["Encrypted"], entry["PerformanceMode"], entry["ThroughputMode"]) == (
        True,
        "generalPurpose",
        "elastic",
    )
    assert tags_of(efs) == {"Name": NAME, "Stack": "unit"}
    assert backup_of(efs) == "ENABLED"
    assert policy_of(efs) == DEFAULT_POLICY
    assert lifecycle_of(efs) == [
        {"TransitionToIA": "AFTER_30_DAYS"},
        {"TransitionToPrimaryStorageClass": "AFTER_1_ACCESS"},
    ]
    targets = mount_targets(efs)
    assert set(targets) == {net.a, net.b}
    assert targets[net.a]["SecurityGroups"] == [net.sg]
    assert targets[net.b]["SecurityGroups"] == sorted([net.sg, net.sg2])
    returned = result["file_system"]
    assert returned["file_system_id"] == entry["FileSystemId"]
    assert returned["dns_name"] == f"{entry['FileSystemId']}.efs.us-east-1.amazonaws.com"
    assert without_aws_assigned(returned) == predicted
    assert {mt["mount_target_id"] for mt in returned["mount_targets"]} == {t["MountTargetId"] for t in targets.values()}
    assert [mt["ip_address"] for mt in returned["mount_targets"]] == [
        targets[net.a]["IpAddress"],
        targets[net.b]["IpAddress"],
    ]
    assert result["diff"] == {"before": {}, "after": predicted}

    # 3. again in check mode: nothing to do
    state = snapshot(efs)
    result = run(full, check_mode=True, diff=True)
    assert_ok(result, changed=False)
    assert result["diff"] == {"before": {}, "after": {}}
    assert result["file_system"]["file_system_id"] == entry["FileSystemId"]

    # 4. again for real: nothing to do
    result = run(full, diff=True)
    assert_ok(result, changed=False)
    assert result["diff"] == {"before": {}, "after": {}}
    assert snapshot(efs) == state
    assert len(file_systems(efs)) == 1


def test_mount_targets_as_asked_are_not_checked_against_their_subnets_again(run, args, efs, net, calls):
    full = dict(args, mount_targets=[{"subnet_id": net.a, "security_groups": [net.sg]}])
    assert_ok(run(full), changed=True)
    calls.clear()
    assert_ok(run(full), changed=False)
    assert not [c for c in calls if c[0] == "ec2"], "nothing new to check"
    calls.clear()
    moved = dict(args, mount_targets=[{"subnet_id": net.a, "security_groups": [net.other_sg]}])
    result = run(moved)
    assert result["failed"] and net.other_sg in result["msg"], "a new group is checked before it is set"
    assert ("ec2", "DescribeSecurityGroups") in calls


def test_defaults_are_secure(run, efs):
    result = run({"name": NAME})
    assert_ok(result, changed=True)
    entry = describe(efs)
    assert entry["Encrypted"] is True  # EFS.1
    assert backup_of(efs) == "ENABLED"  # EFS.7
    assert policy_of(efs) == DEFAULT_POLICY
    assert entry["ThroughputMode"] == "bursting"
    assert tags_of(efs) == {"Name": NAME}
    assert result["file_system"]["creation_token"] == TOKEN == entry["CreationToken"]
    assert result["file_system"]["mount_targets"] == []
    assert result["file_system"]["backup_policy"] == {"status": "ENABLED"}
    assert_ok(run({"name": NAME}), changed=False)


def test_create_without_backup_and_policy(run, efs):
    args = {"name": NAME, "backup": False, "deny_insecure_transport": False}
    result = run(args)
    assert_ok(result, changed=True)
    assert backup_of(efs) == "DISABLED"
    with pytest.raises(efs.exceptions.PolicyNotFound):
        efs.describe_file_system_policy(FileSystemId=fs_id(efs))
    assert result["file_system"]["policy"] is None
    assert result["file_system"]["backup_policy"] == {"status": "DISABLED"}
    assert_ok(run(args), changed=False)


def test_create_provisioned_max_io_unencrypted(run, efs):
    args = {
        "name": NAME,
        "encrypted": False,
        "performance_mode": "maxIO",
        "throughput_mode": "provisioned",
        "provisioned_throughput_in_mibps": 64,
    }
    result = run(args)
    assert_ok(result, changed=True)
    entry = describe(efs)
    assert (entry["Encrypted"], entry["PerformanceMode"], entry["ThroughputMode"]) == (False, "maxIO", "provisioned")
    assert entry["ProvisionedThroughputInMibps"] == 64
    assert_ok(run(args), changed=False)


def test_explicit_creation_token(run, efs):
    result = run({"name": NAME, "creation_token": "my-token"})
    assert_ok(result, changed=True)
    assert describe(efs, "my-token")["FileSystemId"] == result["file_system"]["file_system_id"]
    assert_ok(run({"name": NAME, "creation_token": "my-token"}), changed=False)
    assert efs.describe_file_systems(CreationToken=TOKEN)["FileSystems"] == []


def test_interrupted_create_is_finished_not_duplicated(run, args, efs, net):
    """A create that stopped right after CreateFileSystem: the same token finds that file system."""
    made = efs.create_file_system(CreationToken=TOKEN, Encrypted=True)["FileSystemId"]
    result = run(dict(args, mount_targets=[{"subnet_id": net.a, "security_groups": [net.sg]}]), diff=True)
    assert_ok(result, changed=True)
    assert [fs["FileSystemId"] for fs in file_systems(efs)] == [made]
    assert result["file_system"]["file_system_id"] == made
    assert tags_of(efs) == {"Name": NAME, "Stack": "unit"}
    assert set(mount_targets(efs)) == {net.a}
    assert policy_of(efs) == DEFAULT_POLICY
    # created without Backup: DISABLED, which backup's default (true) turns on
    assert set(result["diff"]["after"]) == {"tags", "policy", "backup_policy", "mount_targets"}
    assert backup_of(efs) == "ENABLED"


def test_created_by_someone_else_between_lookup_and_create(run, args, efs, monkeypatch):
    """FileSystemAlreadyExists from CreateFileSystem: the module converges the existing file system."""
    made = efs.create_file_system(CreationToken=TOKEN, Encrypted=True, Backup=True)["FileSystemId"]
    original = _efs.FileSystemManager.read
    calls = []

    def read_missing_once(self, token):
        calls.append(token)
        return None if len(calls) == 1 else original(self, token)

    monkeypatch.setattr(_efs.FileSystemManager, "read", read_missing_once)
    result = run(args, diff=True)
    assert_ok(result, changed=True)
    assert [fs["FileSystemId"] for fs in file_systems(efs)] == [made]
    assert result["file_system"]["file_system_id"] == made
    assert tags_of(efs) == {"Name": NAME, "Stack": "unit"}
    assert set(result["diff"]["after"]) == {"tags", "policy"}


# --- updates in place: the four steps -------------------------------------------------------------------------


# The four steps (STYLE.md 14) on this module's resource.
four_steps = functools.partial(helpers.four_steps, snapshot=snapshot, key="file_system", normalise=without_aws_assigned)


def test_throughput_to_elastic(run, args, efs, created):
    four_steps(
        run,
        dict(args, throughput_mode="elastic"),
        efs,
        lambda c: describe(c)["ThroughputMode"],
        "elastic",
        {"throughput_mode": "bursting"},
        {"throughput_mode": "elastic"},
    )


def test_throughput_to_provisioned_then_more(run, args, efs, created):
    provisioned = dict(args, throughput_mode="provisioned", provisioned_throughput_in_mibps=32)
    four_steps(
        run,
        provisioned,
        efs,
        lambda c: (describe(c)["ThroughputMode"], describe(c)["ProvisionedThroughputInMibps"]),
        ("provisioned", 32),
        {"throughput_mode": "bursting", "provisioned_throughput_in_mibps": None},
        {"throughput_mode": "provisioned", "provisioned_throughput_in_mibps": 32.0},
    )
    four_steps(
        run,
        dict(provisioned, provisioned_throughput_in_mibps=128.5),
        efs,
        lambda c: describe(c)["ProvisionedThroughputInMibps"],
        128.5,
        {"provisioned_throughput_in_mibps": 32.0},
        {"provisioned_throughput_in_mibps": 128.5},
    )


def test_throughput_left_out_is_left_alone(run, args, efs, created):
    assert_ok(run(dict(args, throughput_mode="elastic")), changed=True)
    assert_ok(run(args), changed=False)
    assert describe(efs)["ThroughputMode"] == "elastic"


def test_lifecycle_add_change_remove(run, args, efs, created):
    four_steps(
        run,
        dict(args, lifecycle_policies={"transition_to_ia": "AFTER_7_DAYS"}),
        efs,
        lifecycle_of,
        [{"TransitionToIA": "AFTER_7_DAYS"}],
        {"lifecycle_policies": {}},
        {"lifecycle_policies": {"transition_to_ia": "AFTER_7_DAYS"}},
    )
    four_steps(
        run,
        dict(
            args,
            lifecycle_policies={
                "transition_to_ia": "AFTER_90_DAYS",
                "transition_to_primary_storage_class": "AFTER_1_ACCESS",
            },
        ),
        efs,
        lifecycle_of,
        [{"TransitionToIA": "AFTER_90_DAYS"}, {"TransitionToPrimaryStorageClass": "AFTER_1_ACCESS"}],
        {"lifecycle_policies": {"transition_to_ia": "AFTER_7_DAYS"}},
        {
            "lifecycle_policies": {
                "transition_to_ia": "AFTER_90_DAYS",
                "transition_to_primary_storage_class": "AFTER_1_ACCESS",
            }
        },
    )
    assert_ok(run(args), changed=False)  # left out: left alone
    four_steps(
        run,
        dict(args, lifecycle_policies={}),
        efs,
        lifecycle_of,
        [],
        {
            "lifecycle_policies": {
                "transition_to_ia": "AFTER_90_DAYS",
                "transition_to_primary_storage_class": "AFTER_1_ACCESS",
            }
        },
        {"lifecycle_policies": {}},
    )


def test_archive_transition_with_elastic_throughput(run, args, efs, created):
    wanted = dict(
        args,
        throughput_mode="elastic",
        lifecycle_policies={"transition_to_ia": "AFTER_30_DAYS", "transition_to_archive": "AFTER_90_DAYS"},
    )
    result = run(wanted, diff=True)
    assert_ok(result, changed=True)
    assert set(result["diff"]["after"]) == {"throughput_mode", "lifecycle_policies"}
    assert lifecycle_of(efs) == [{"TransitionToIA": "AFTER_30_DAYS"}, {"TransitionToArchive": "AFTER_90_DAYS"}]
    assert_ok(run(wanted), changed=False)


def test_archive_transition_needs_elastic_on_the_existing_file_system(run, args, efs, created):
    state = snapshot(efs)
    result = run(dict(args, lifecycle_policies={"transition_to_archive": "AFTER_90_DAYS"}, tags={"New": "x"}))
    assert result["failed"]
    assert "transition_to_archive needs throughput_mode=elastic" in result["msg"]
    assert snapshot(efs) == state


def test_backup_off_and_on(run, args, efs, created):
    four_steps(
        run,
        dict(args, backup=False),
        efs,
        backup_of,
        "DISABLED",
        {"backup_policy": {"status": "ENABLED"}},
        {"backup_policy": {"status": "DISABLED"}},
    )
    four_steps(
        run,
        args,
        efs,
        backup_of,
        "ENABLED",
        {"backup_policy": {"status": "DISABLED"}},
        {"backup_policy": {"status": "ENABLED"}},
    )


def test_own_policy_gets_the_deny_statement(run, args, efs, created):
    wanted = {"Version": "2012-10-17", "Statement": TASK_ROLE_POLICY["Statement"] + [DENY]}
    four_steps(
        run,
        dict(args, policy=TASK_ROLE_POLICY),
        efs,
        policy_of,
        wanted,
        {"policy": DEFAULT_POLICY},
        {"policy": wanted},
    )
    # the same policy as JSON text, spelled differently, is no change
    text = json.dumps({"Statement": TASK_ROLE_POLICY["Statement"], "Version": "2012-10-17"}, indent=4)
    assert_ok(run(dict(args, policy=text), check_mode=True), changed=False)
    assert_ok(run(dict(args, policy=text)), changed=False)


def test_own_policy_with_an_equivalent_deny_is_kept_as_is(run, args, efs, created):
    own = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "NoPlainNfs",
                "Effect": "Deny",
                "Principal": "*",
                "Action": ["*"],
                "Resource": "*",
                "Condition": {"Bool": {"aws:SecureTransport": False}},
            }
        ],
    }
    result = run(dict(args, policy=own))
    assert_ok(result, changed=True)
    assert policy_of(efs) == own
    assert_ok(run(dict(args, policy=own)), changed=False)


def test_policy_stored_with_the_file_system_as_resource_is_no_change(run, args, efs, created):
    """EFS writes the file system's ARN into every statement stored without a Resource."""
    arn = describe(efs)["FileSystemArn"]
    stored = {"Version": "2012-10-17", "Statement": [dict(item, Resource=arn) for item in DEFAULT_POLICY["Statement"]]}
    efs.put_file_system_policy(FileSystemId=fs_id(efs), Policy=json.dumps(stored))
    assert_ok(run(args, check_mode=True), changed=False)
    assert_ok(run(args), changed=False)
    assert policy_of(efs) == stored


def test_policy_without_deny(run, args, efs, created):
    result = run(dict(args, policy=TASK_ROLE_POLICY, deny_insecure_transport=False))
    assert_ok(result, changed=True)
    assert policy_of(efs) == TASK_ROLE_POLICY
    # neither policy nor deny_insecure_transport: the policy is left as it is
    assert_ok(run(dict(args, deny_insecure_transport=False)), changed=False)
    assert policy_of(efs) == TASK_ROLE_POLICY
    # back to the default
    result = run(args, diff=True)
    assert_ok(result, changed=True)
    assert result["diff"] == {"before": {"policy": TASK_ROLE_POLICY}, "after": {"policy": DEFAULT_POLICY}}
    assert policy_of(efs) == DEFAULT_POLICY


def test_tags_add_purge_and_keep_name(run, args, efs, created):
    four_steps(
        run,
        dict(args, tags={"Stack": "unit", "Owner": "ops"}),
        efs,
        tags_of,
        {"Name": NAME, "Stack": "unit", "Owner": "ops"},
        {"tags": {"Name": NAME, "Stack": "unit"}},
        {"tags": {"Name": NAME, "Stack": "unit", "Owner": "ops"}},
    )
    four_steps(
        run,
        dict(args, tags={"Owner": "ops"}),
        efs,
        tags_of,
        {"Name": NAME, "Owner": "ops"},
        {"tags": {"Name": NAME, "Stack": "unit", "Owner": "ops"}},
        {"tags": {"Name": NAME, "Owner": "ops"}},
    )
    assert_ok(run(dict(args, tags={"Extra": "1"}, purge_tags=False)), changed=True)
    assert tags_of(efs) == {"Name": NAME, "Owner": "ops", "Extra": "1"}
    assert_ok(run({"name": NAME}), changed=False)  # tags left out: left alone


def test_name_tag_is_restored(run, args, efs, created):
    efs.tag_resource(ResourceId=fs_id(efs), Tags=[{"Key": "Name", "Value": "renamed"}])
    result = run({"name": NAME}, diff=True)
    assert_ok(result, changed=True)
    assert tags_of(efs)["Name"] == NAME
    assert result["file_system"]["name"] == NAME


# --- mount targets ---------------------------------------------------------------------------------------------


def subnets_and_groups(client):
    return {subnet: target["SecurityGroups"] for subnet, target in mount_targets(client).items()}


def test_mount_target_added(run, args, efs, net):
    base = dict(args, mount_targets=[{"subnet_id": net.a, "security_groups": [net.sg]}])
    assert_ok(run(base), changed=True)
    view_a = {
        "subnet_id": net.a,
        "availability_zone_name": "us-east-1a",
        "ip_address": mount_targets(efs)[net.a]["IpAddress"],
        "security_groups": [net.sg],
    }
    view_b = {
        "subnet_id": net.b,
        "availability_zone_name": "us-east-1b",
        "ip_address": None,
        "security_groups": [net.sg],
    }
    before = snapshot(efs)
    wanted = dict(args, mount_targets=base["mount_targets"] + [{"subnet_id": net.b, "security_groups": [net.sg]}])
    result = run(wanted, check_mode=True, diff=True)
    assert_ok(result, changed=True)
    assert result["diff"] == {"before": {"mount_targets": [view_a]}, "after": {"mount_targets": [view_a, view_b]}}
    assert snapshot(efs) == before
    result = run(wanted, diff=True)
    assert_ok(result, changed=True)
    assert subnets_and_groups(efs) == {net.a: [net.sg], net.b: [net.sg]}
    assert result["file_system"]["number_of_mount_targets"] == 2
    assert_ok(run(wanted), changed=False)


def test_mount_target_removed_and_security_groups_changed(run, args, efs, net):
    two = dict(
        args,
        mount_targets=[
            {"subnet_id": net.a, "security_groups": [net.sg]},
            {"subnet_id": net.b, "security_groups": [net.sg]},
        ],
    )
    assert_ok(run(two), changed=True)
    kept_id = mount_targets(efs)[net.a]["MountTargetId"]
    wanted = dict(args, mount_targets=[{"subnet_id": net.a, "security_groups": [net.sg2, net.sg]}])
    result = run(wanted, diff=True)
    assert_ok(result, changed=True)
    assert subnets_and_groups(efs) == {net.a: sorted([net.sg, net.sg2])}
    assert mount_targets(efs)[net.a]["MountTargetId"] == kept_id  # changed in place
    assert [mt["subnet_id"] for mt in result["diff"]["before"]["mount_targets"]] == [net.a, net.b]
    assert result["diff"]["after"]["mount_targets"][0]["security_groups"] == sorted([net.sg, net.sg2])
    assert_ok(run(wanted), changed=False)


def test_security_groups_left_out_are_left_alone(run, args, efs, net):
    assert_ok(run(dict(args, mount_targets=[{"subnet_id": net.a, "security_groups": [net.sg]}])), changed=True)
    assert_ok(run(dict(args, mount_targets=[{"subnet_id": net.a}])), changed=False)
    assert subnets_and_groups(efs) == {net.a: [net.sg]}


def test_ip_address_change_replaces_the_mount_target(run, args, efs, net):
    assert_ok(run(dict(args, mount_targets=[{"subnet_id": net.a, "ip_address": "10.50.1.10"}])), changed=True)
    old = mount_targets(efs)[net.a]
    assert old["IpAddress"] == "10.50.1.10"
    wanted = dict(args, mount_targets=[{"subnet_id": net.a, "ip_address": "10.50.1.20"}])
    result = run(wanted, diff=True)
    assert_ok(result, changed=True)
    new = mount_targets(efs)[net.a]
    assert new["IpAddress"] == "10.50.1.20"
    assert new["MountTargetId"] != old["MountTargetId"]
    assert result["diff"]["before"]["mount_targets"][0]["ip_address"] == "10.50.1.10"
    assert result["diff"]["after"]["mount_targets"][0]["ip_address"] == "10.50.1.20"
    assert_ok(run(wanted), changed=False)
    assert_ok(run(dict(args, mount_targets=[{"subnet_id": net.a}])), changed=False)  # no address: keep it


def test_move_to_another_subnet_in_the_same_zone(run, args, efs, net):
    assert_ok(run(dict(args, mount_targets=[{"subnet_id": net.a}])), changed=True)
    wanted = dict(args, mount_targets=[{"subnet_id": net.a2}])
    result = run(wanted)
    assert_ok(result, changed=True)
    assert set(mount_targets(efs)) == {net.a2}
    assert_ok(run(wanted), changed=False)


def test_empty_list_deletes_every_mount_target_left_out_keeps_them(run, args, efs, net):
    assert_ok(run(dict(args, mount_targets=[{"subnet_id": net.a}, {"subnet_id": net.b}])), changed=True)
    assert_ok(run(args), changed=False)
    assert set(mount_targets(efs)) == {net.a, net.b}
    result = run(dict(args, mount_targets=[]))
    assert_ok(result, changed=True)
    assert mount_targets(efs) == {}
    assert result["file_system"]["mount_targets"] == []


# --- waiting --------------------------------------------------------------------------------------------------


@pytest.fixture
def slow_mount_targets(monkeypatch):
    """Mount targets stay 'creating' until the test says otherwise (moto makes them available at once)."""
    from moto.efs.models import MountTarget

    original = MountTarget.__init__

    def creating(self, *a, **k):
        original(self, *a, **k)
        self.life_cycle_state = "creating"

    monkeypatch.setattr(MountTarget, "__init__", creating)


def test_wait_false_returns_at_once_and_polls_without_changes(run, args, efs, net, backend, slow_mount_targets):
    wanted = dict(args, mount_targets=[{"subnet_id": net.a}, {"subnet_id": net.b}], wait=False)
    result = run(wanted)
    assert_ok(result, changed=True)
    assert [mt["life_cycle_state"] for mt in result["file_system"]["mount_targets"]] == ["creating", "creating"]
    assert all(mt["mount_target_id"] for mt in result["file_system"]["mount_targets"])

    # polled again with the same arguments: nothing changes, the states are reported
    result = run(wanted)
    assert_ok(result, changed=False)
    assert [mt["life_cycle_state"] for mt in result["file_system"]["mount_targets"]] == ["creating", "creating"]

    # waiting with no time left fails and says what it waited for
    result = run(dict(wanted, wait=True, wait_timeout=0))
    assert result["failed"]
    assert "Timed out after 0 seconds waiting for the mount targets" in result["msg"]
    assert result["file_system"]["file_system_id"] == fs_id(efs)

    for mount_target in backend.mount_targets_by_id.values():
        mount_target.life_cycle_state = "available"
    result = run(dict(wanted, wait=True))
    assert_ok(result, changed=False)
    assert [mt["life_cycle_state"] for mt in result["file_system"]["mount_targets"]] == ["available", "available"]


def test_check_mode_predicts_creating_without_wait(run, args, net, efs):
    result = run(dict(args, mount_targets=[{"subnet_id": net.a}], wait=False), check_mode=True)
    assert_ok(result, changed=True)
    assert result["file_system"]["mount_targets"][0]["life_cycle_state"] == "creating"
    assert file_systems(efs) == []


def test_new_file_system_is_awaited_before_its_mount_targets(run, args, net, efs, monkeypatch):
    from moto.efs.models import FileSystem

    original = FileSystem.__init__

    def creating(self, *a, **k):
        original(self, *a, **k)
        self.life_cycle_state = "creating"

    monkeypatch.setattr(FileSystem, "__init__", creating)
    result = run(dict(args, mount_targets=[{"subnet_id": net.a}], wait=False, wait_timeout=0))
    assert result["failed"]
    assert "Timed out after 0 seconds waiting for file system" in result["msg"]
    assert mount_targets(efs) == {}  # none was attempted on a file system that is not available


# --- immutable fields -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("check_mode", [False, True])
@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        ({"encrypted": False}, "encrypted"),
        ({"performance_mode": "maxIO"}, "performance_mode"),
        ({"encrypted": False, "performance_mode": "maxIO"}, "encrypted, performance_mode"),
    ],
)
def test_immutable_change_fails_and_changes_nothing(run, args, efs, created, overrides, fields, check_mode):
    state = snapshot(efs)
    result = run({**args, "tags": {"Other": "x"}, "backup": False, **overrides}, check_mode=check_mode)
    assert result["failed"]
    assert result["msg"].startswith(f"{fields} of file system {NAME} ({fs_id(efs)}) cannot change after it is created")
    assert snapshot(efs) == state


@pytest.fixture
def kms(aws):
    return aws("kms")


def test_kms_key_by_id_arn_and_alias(run, args, efs, kms):
    key = kms.create_key()["KeyMetadata"]
    kms.create_alias(AliasName="alias/efs-unit", TargetKeyId=key["KeyId"])
    assert_ok(run(dict(args, kms_key_id=key["KeyId"])), changed=True)
    assert describe(efs)["KmsKeyId"] == key["KeyId"]
    for same in (key["KeyId"], key["Arn"], "alias/efs-unit"):
        assert_ok(run(dict(args, kms_key_id=same)), changed=False)
    other = kms.create_key()["KeyMetadata"]
    kms.create_alias(AliasName="alias/efs-other", TargetKeyId=other["KeyId"])
    for different in (other["Arn"], other["KeyId"], "alias/efs-other", "alias/no-such-key"):
        result = run(dict(args, kms_key_id=different))
        assert result["failed"], different
        assert result["msg"].startswith(f"kms_key_id of file system {NAME}")


# --- bad input fails before anything changes --------------------------------------------------------------------


BAD_INPUTS = [
    ({"name": ""}, "name must not be empty"),
    ({"name": "x" * 257}, "name must be at most 256 characters"),
    ({"creation_token": "t" * 65}, "creation_token must be 1 to 64 characters"),
    ({"encrypted": False, "kms_key_id": "alias/x"}, "kms_key_id is only valid with encrypted=true"),
    ({"kms_key_id": "my key"}, "is neither a key ID"),
    ({"throughput_mode": "provisioned"}, "provisioned_throughput_in_mibps is required"),
    ({"provisioned_throughput_in_mibps": 10}, "only valid with throughput_mode=provisioned"),
    ({"throughput_mode": "provisioned", "provisioned_throughput_in_mibps": 0.5}, "must be at least 1"),
    (
        {"throughput_mode": "elastic", "performance_mode": "maxIO"},
        "elastic is not available with performance_mode=maxIO",
    ),
    ({"throughput_mode": "fast"}, "throughput_mode"),
    ({"performance_mode": "fast"}, "performance_mode"),
    ({"lifecycle_policies": {"transition_to_ia": "AFTER_2_DAYS"}}, "transition_to_ia"),
    ({"lifecycle_policies": {"transition_to_primary_storage_class": "AFTER_2_ACCESS"}}, "transition_to_primary"),
    (
        {
            "throughput_mode": "elastic",
            "lifecycle_policies": {"transition_to_ia": "AFTER_30_DAYS", "transition_to_archive": "AFTER_30_DAYS"},
        },
        "must be later than lifecycle_policies.transition_to_ia",
    ),
    ({"lifecycle_policies": {"transition_to_archive": "AFTER_90_DAYS"}}, "needs throughput_mode=elastic"),
    (
        {"throughput_mode": "bursting", "lifecycle_policies": {"transition_to_archive": "AFTER_90_DAYS"}},
        "needs throughput_mode=elastic",
    ),
    ({"policy": "{not json"}, "policy is not valid JSON"),
    ({"policy": "[1, 2]"}, "policy must be a JSON object"),
    ({"policy": {"Version": "2012-10-17"}}, "policy must have a Statement"),
    ({"policy": {"Statement": [{"Effect": "Maybe"}]}}, "Effect Allow or Deny"),
    ({"mount_targets": [{"subnet_id": "subnet_1"}]}, "is not a subnet ID"),
    (
        {"mount_targets": [{"subnet_id": "subnet-0123456789abcdef0"}, {"subnet_id": "subnet-0123456789abcdef0"}]},
        "listed more than once",
    ),
    (
        {"mount_targets": [{"subnet_id": "subnet-0123456789abcdef0", "security_groups": ["default"]}]},
        "is not a security group ID",
    ),
    (
        {"mount_targets": [{"subnet_id": "subnet-0123456789abcdef0", "security_groups": []}]},
        "security_groups must not be empty",
    ),
    (
        {
            "mount_targets": [
                {"subnet_id": "subnet-0123456789abcdef0", "security_groups": [f"sg-0000000{i}" for i in range(6)]}
            ]
        },
        "at most 5 security groups",
    ),
    (
        {"mount_targets": [{"subnet_id": "subnet-0123456789abcdef0", "ip_address": "10.0.0.300"}]},
        "is not an IPv4 address",
    ),
    ({"tags": {"aws:owner": "me"}}, "reserved by AWS"),
    ({"tags": {"Name": "other"}}, "tags.Name ('other') must be left out or equal name"),
    ({"wait_timeout": -1}, "wait_timeout must not be negative"),
]


@pytest.mark.parametrize(("overrides", "message"), BAD_INPUTS)
@pytest.mark.parametrize("check_mode", [True, False])
def test_bad_input_fails_before_anything_is_created(run, args, efs, overrides, message, check_mode):
    result = run({**args, **overrides}, check_mode=check_mode)
    assert result["failed"]
    assert message in result["msg"]
    assert file_systems(efs) == []


@pytest.mark.parametrize(
    ("overrides", "message"), [b for b in BAD_INPUTS if "name" not in b[0] and "creation_token" not in b[0]]
)
def test_bad_input_fails_on_an_existing_file_system_without_changes(run, args, efs, created, overrides, message):
    state = snapshot(efs)
    result = run({**args, "backup": False, "tags": {"Other": "1"}, **overrides})
    assert result["failed"]
    assert message in result["msg"]
    assert snapshot(efs) == state


def test_every_error_is_reported_at_once(run, args, efs):
    result = run(dict(args, throughput_mode="provisioned", policy="{", mount_targets=[{"subnet_id": "x"}]))
    assert result["failed"]
    for message in ("provisioned_throughput_in_mibps is required", "policy is not valid JSON", "is not a subnet ID"):
        assert message in result["msg"]


def network_cases(net):
    return [
        ([{"subnet_id": "subnet-0123456789abcdef0"}], "subnet subnet-0123456789abcdef0 does not exist"),
        ([{"subnet_id": net.a}, {"subnet_id": net.a2}], f"subnets {net.a}, {net.a2} are all in us-east-1a"),
        ([{"subnet_id": net.a}, {"subnet_id": net.other_subnet}], "all subnets must be in one VPC"),
        ([{"subnet_id": net.a, "ip_address": "10.50.2.10"}], f"ip_address 10.50.2.10 is not in subnet {net.a}"),
        ([{"subnet_id": net.a, "ip_address": "10.50.1.2"}], "is reserved by AWS"),
        ([{"subnet_id": net.a, "ip_address": "10.50.1.255"}], "is reserved by AWS"),
        (
            [{"subnet_id": net.a, "security_groups": ["sg-0123456789abcdef0"]}],
            "security group sg-0123456789abcdef0 does not exist",
        ),
        (
            [{"subnet_id": net.a, "security_groups": [net.other_sg]}],
            f"security group {net.other_sg} is in {net.other_vpc}",
        ),
    ]


@pytest.mark.parametrize("case", range(8))
@pytest.mark.parametrize("check_mode", [True, False])
def test_mount_target_network_checked_before_anything_is_created(run, args, efs, net, case, check_mode):
    targets, message = network_cases(net)[case]
    result = run(dict(args, mount_targets=targets), check_mode=check_mode)
    assert result["failed"]
    assert message in result["msg"]
    assert file_systems(efs) == []


def test_mount_target_network_checked_before_an_update(run, args, efs, net):
    assert_ok(run(dict(args, mount_targets=[{"subnet_id": net.a}])), changed=True)
    state = snapshot(efs)
    result = run(dict(args, backup=False, mount_targets=[{"subnet_id": net.b}, {"subnet_id": net.other_subnet}]))
    assert result["failed"]
    assert "all subnets must be in one VPC" in result["msg"]
    assert snapshot(efs) == state


# --- delete ------------------------------------------------------------------------------------------------------


def test_delete_four_steps(run, args, efs, net):
    assert_ok(run(dict(args, mount_targets=[{"subnet_id": net.a}, {"subnet_id": net.b}])), changed=True)
    identifier = fs_id(efs)
    absent = {"name": NAME, "state": "absent"}

    result = run(absent, check_mode=True, diff=True)
    assert_ok(result, changed=True)
    assert fs_id(efs) == identifier
    assert len(mount_targets(efs)) == 2
    assert result["diff"]["before"]["file_system_id"] == identifier
    assert result["diff"]["after"] == {}
    assert result["file_system"] == {}

    result = run(absent, diff=True)
    assert_ok(result, changed=True)
    assert file_systems(efs) == []
    assert result["file_system"] == {}

    assert_ok(run(absent, check_mode=True), changed=False)
    result = run(absent)
    assert_ok(result, changed=False)
    assert result["file_system"] == {}


def test_delete_of_nothing_is_unchanged(run, efs):
    assert_ok(run({"name": NAME, "state": "absent"}), changed=False)


def test_delete_ignores_present_only_options(run, efs):
    result = run({"name": NAME, "state": "absent", "throughput_mode": "provisioned", "policy": "{"})
    assert_ok(result, changed=False)


def test_delete_leaves_other_file_systems_alone(run, args, efs, created):
    assert_ok(run(dict(args, name="unit-local-other")), changed=True)
    assert_ok(run({"name": NAME, "state": "absent"}), changed=True)
    assert [fs["CreationToken"] for fs in file_systems(efs)] == [idempotency_token("unit-local-other")]


def test_delete_waits_for_the_mount_targets_before_the_file_system(run, args, efs, net, backend, monkeypatch):
    """AWS refuses DeleteFileSystem while mount targets exist; a slow mount target deletion times out instead."""
    from moto.efs.models import EFSBackend

    assert_ok(run(dict(args, mount_targets=[{"subnet_id": net.a}])), changed=True)

    def still_deleting(self, mount_target_id):
        self.mount_targets_by_id[mount_target_id].life_cycle_state = "deleting"

    monkeypatch.setattr(EFSBackend, "delete_mount_target", still_deleting)
    result = run({"name": NAME, "state": "absent", "wait_timeout": 0})
    assert result["failed"]
    assert "Timed out after 0 seconds waiting for the mount targets" in result["msg"]
    assert fs_id(efs)  # not deleted, and no FileSystemInUse error either


def test_delete_without_wait_starts_the_mount_targets_and_a_later_call_deletes_the_file_system(
    run, args, efs, net, backend, monkeypatch
):
    """wait=false leaves the mount targets' minute or so to a wait that prints progress (the storage role's)."""
    from moto.efs.models import EFSBackend

    assert_ok(run(dict(args, mount_targets=[{"subnet_id": net.a}, {"subnet_id": net.b}])), changed=True)
    identifier = fs_id(efs)
    absent = {"name": NAME, "state": "absent", "wait": False}
    really_delete = EFSBackend.delete_mount_target

    def still_deleting(self, mount_target_id):
        self.mount_targets_by_id[mount_target_id].life_cycle_state = "deleting"

    monkeypatch.setattr(EFSBackend, "delete_mount_target", still_deleting)
    assert_ok(run(absent, check_mode=True), changed=True)
    assert {mt["LifeCycleState"] for mt in mount_targets(efs).values()} == {"available"}

    started = run(absent)
    assert_ok(started, changed=True)
    assert fs_id(efs) == identifier
    assert {mt["life_cycle_state"] for mt in started["file_system"]["mount_targets"]} == {"deleting"}
    # Nothing more to start while AWS deletes them, in check mode or not.
    assert_ok(run(absent, check_mode=True), changed=False)
    assert_ok(run(absent), changed=False)
    assert fs_id(efs) == identifier

    for mount_target_id in list(backend.mount_targets_by_id):
        really_delete(backend, mount_target_id)
    assert_ok(run(absent), changed=True)
    assert file_systems(efs) == []
    assert_ok(run(absent), changed=False)


# --- documentation ------------------------------------------------------------------------------------------------


def test_documented_choices_are_the_api_s():
    """The lifecycle and mode choices are botocore's enums (the EFS API reference)."""
    import botocore.session

    model = botocore.session.get_session().get_service_model("efs")
    assert set(_efs.TRANSITION_TO_IA_CHOICES) == set(model.shape_for("TransitionToIARules").enum)
    assert set(_efs.TRANSITION_TO_ARCHIVE_CHOICES) == set(model.shape_for("TransitionToArchiveRules").enum)
    assert set(_efs.TRANSITION_TO_PRIMARY_STORAGE_CLASS_CHOICES) == set(
        model.shape_for("TransitionToPrimaryStorageClassRules").enum
    )
    assert set(_efs.THROUGHPUT_MODES) == set(model.shape_for("ThroughputMode").enum)
    assert set(_efs.PERFORMANCE_MODES) == set(model.shape_for("PerformanceMode").enum)
