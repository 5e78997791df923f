"""cloudops.fargate.efs_file_system_info against moto in this process.

File systems are made with cloudops.fargate.efs_file_system and access points with cloudops.fargate.efs_access_point
where the test is about the shape (the info module must return exactly what they return), and with boto3 where
only their identity matters. The emulator extensions those modules' tests install are installed here too: moto
5.2.5 lacks PutBackupPolicy and UpdateFileSystem, answers DescribeBackupPolicy wrongly, ignores ClientToken on
CreateAccessPoint and lists no error for the access points of a missing file system.
"""

from __future__ import annotations

import pytest

from ansible_collections.cloudops.fargate.plugins.module_utils._efs import EfsInputError
from ansible_collections.cloudops.fargate.plugins.module_utils._efs import default_creation_token
from ansible_collections.cloudops.fargate.plugins.module_utils._efs import info_filters
from ansible_collections.cloudops.fargate.plugins.module_utils._efs import info_order
from ansible_collections.cloudops.fargate.plugins.module_utils._efs import matches_info_filters
from ansible_collections.cloudops.fargate.plugins.modules import efs_access_point
from ansible_collections.cloudops.fargate.plugins.modules import efs_file_system
from ansible_collections.cloudops.fargate.plugins.modules import efs_file_system_info
from emulator.extensions import efs_access_point_client_token
from emulator.extensions import efs_access_point_not_found
from emulator.extensions import efs_backup_policy
from emulator.extensions import efs_update_file_system
from tests.unit.plugins.modules.test_documentation import documentation

NAME = "unit-local-static"
OTHER = "unit-local-other"
ACCOUNT = "123456789012"
REGION = "us-east-1"

POSIX_USER = {"uid": 101, "gid": 101, "secondary_gids": [2000, 1000]}
ROOT_DIRECTORY = {"path": "/nginx", "creation_info": {"owner_uid": 101, "owner_gid": 101, "permissions": "750"}}


@pytest.fixture(autouse=True)
def emulator_extensions():
    """The EFS gaps of moto 5.2.5 filled, process-wide (installation is idempotent)."""
    efs_backup_policy.install()
    efs_update_file_system.install()
    efs_access_point_client_token.install()
    efs_access_point_not_found.install()


@pytest.fixture
def efs(aws):
    return aws("efs")


@pytest.fixture
def ec2(aws):
    return aws("ec2")


@pytest.fixture
def net(ec2):
    """A VPC with subnets in two zones and a security group."""
    vpc = ec2.create_vpc(CidrBlock="10.50.0.0/16")["Vpc"]["VpcId"]

    def subnet(cidr, zone):
        return ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=zone)["Subnet"]["SubnetId"]

    return {
        "a": subnet("10.50.1.0/24", "us-east-1a"),
        "b": subnet("10.50.2.0/24", "us-east-1b"),
        "sg": ec2.create_security_group(GroupName="efs", Description="efs", VpcId=vpc)["GroupId"],
    }


@pytest.fixture
def run(run_module):
    def run_info(args, check_mode=False):
        return run_module(efs_file_system_info, args, check_mode=check_mode)

    return run_info


@pytest.fixture
def managed(run_module, net):
    """A file system as efs_file_system makes it, with two mount targets, a lifecycle and backups, and its return."""
    args = {
        "name": NAME,
        "throughput_mode": "elastic",
        "lifecycle_policies": {
            "transition_to_ia": "AFTER_30_DAYS",
            "transition_to_primary_storage_class": "AFTER_1_ACCESS",
        },
        "mount_targets": [
            {"subnet_id": net["a"], "security_groups": [net["sg"]]},
            {"subnet_id": net["b"], "security_groups": [net["sg"]]},
        ],
        "tags": {"Stack": "unit", "Environment": "local"},
    }
    created = run_module(efs_file_system, args)
    assert not created["failed"] and created["changed"], created
    again = run_module(efs_file_system, args)  # unchanged: what efs_file_system returns of an existing one
    assert not again["failed"] and not again["changed"], again
    return again["file_system"]


def create(efs, token, name=None, **tags):
    """A file system made directly; returns its ID."""
    if name is not None:
        tags["Name"] = name
    response = efs.create_file_system(CreationToken=token, Tags=[{"Key": k, "Value": v} for k, v in tags.items()])
    return response["FileSystemId"]


def create_access_point(efs, file_system_id, name, **tags):
    tags = dict(tags, Name=name)
    return efs.create_access_point(
        ClientToken=f"{file_system_id}-{name}",
        FileSystemId=file_system_id,
        Tags=[{"Key": k, "Value": v} for k, v in tags.items()],
    )["AccessPointId"]


def found(result):
    """The IDs of the file systems found, in the order returned."""
    assert not result["failed"], result.get("msg", result)
    assert result["changed"] is False
    return [fs["file_system_id"] for fs in result["file_systems"]]


def snapshot(efs):
    file_systems = [
        {k: v for k, v in fs.items() if k != "SizeInBytes"} for fs in efs.describe_file_systems()["FileSystems"]
    ]
    return file_systems, efs.describe_access_points()["AccessPoints"]


# --- nothing to find ----------------------------------------------------------------------------------------------


def test_no_file_systems_is_an_empty_list(run, efs):
    result = run({})
    assert found(result) == []
    assert result["file_systems"] == []


@pytest.mark.parametrize(
    "args",
    [
        {"name": "nobody"},
        {"creation_token": "no-such-token"},
        {"file_system_id": "fs-0123456789abcdef0"},
        {"file_system_id": f"arn:aws:elasticfilesystem:{REGION}:{ACCOUNT}:file-system/fs-0123456789abcdef0"},
        {"tags": {"Stack": "nobody"}},
    ],
)
def test_no_match_is_an_empty_list_not_an_error(run, efs, args):
    create(efs, "token-1", NAME, Stack="unit")
    assert found(run(args)) == []


# --- each option on its own -------------------------------------------------------------------------------------


def test_no_options_list_every_file_system_by_name(run, efs):
    b = create(efs, "token-b", "b-name")
    a = create(efs, "token-a", "a-name")
    untagged = create(efs, "token-untagged")
    assert found(run({})) == [untagged, a, b]


def test_every_page_of_file_systems_is_read(run, efs):
    """DescribeFileSystems returns a page (10 items in moto, 100 on AWS) and NextMarker; all pages count."""
    ids = [create(efs, f"token-{i:02d}", f"fs-{i:02d}") for i in range(23)]
    assert found(run({})) == ids
    assert found(run({"tags": {"Name": "fs-22"}})) == [ids[22]]


def test_name_finds_the_file_system_of_the_derived_creation_token(run, efs):
    """Even when its Name tag was changed outside the module, the token efs_file_system derives from the name
    finds it."""
    mine = create(efs, default_creation_token(NAME), "renamed-by-hand")
    create(efs, "token-other", OTHER)
    assert found(run({"name": NAME})) == [mine]


def test_name_finds_file_systems_by_their_name_tag(run, efs):
    custom = create(efs, "a-token-of-its-own", NAME)
    create(efs, "token-other", OTHER)
    assert found(run({"name": NAME})) == [custom]


def test_name_puts_the_derived_token_s_file_system_first(run, efs):
    older = create(efs, "a-token-of-its-own", NAME)
    mine = create(efs, default_creation_token(NAME), NAME)
    assert found(run({"name": NAME})) == [mine, older]


def test_name_of_a_file_system_made_by_efs_file_system(run, efs, managed):
    create(efs, "token-other", OTHER)
    assert found(run({"name": NAME})) == [managed["file_system_id"]]


def test_creation_token(run, efs):
    wanted = create(efs, "token-1", NAME)
    create(efs, "token-2", NAME)
    assert found(run({"creation_token": "token-1"})) == [wanted]


def test_file_system_id_and_arn(run, efs):
    wanted = create(efs, "token-1", NAME)
    create(efs, "token-2", OTHER)
    assert found(run({"file_system_id": wanted})) == [wanted]
    arn = efs.describe_file_systems(FileSystemId=wanted)["FileSystems"][0]["FileSystemArn"]
    assert found(run({"file_system_id": arn})) == [wanted]


def test_tags_must_all_match(run, efs):
    local = create(efs, "token-1", NAME, Stack="unit", Environment="local")
    prod = create(efs, "token-2", OTHER, Stack="unit", Environment="prod")
    create(efs, "token-3", "third", Stack="other", Environment="local")
    assert found(run({"tags": {"Stack": "unit"}})) == [prod, local]
    assert found(run({"tags": {"Stack": "unit", "Environment": "local"}})) == [local]
    assert found(run({"tags": {"Stack": "unit", "Environment": "staging"}})) == []
    assert found(run({"tags": {"Stack": "unit", "Missing": ""}})) == []


def test_tag_values_compare_as_strings(run, efs):
    wanted = create(efs, "token-1", NAME, Replicas="2", Enabled="True")
    assert found(run({"tags": {"Replicas": 2, "Enabled": True}})) == [wanted]


# --- AND semantics ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, expected",
    [
        ({"name": NAME, "tags": {"Stack": "unit"}}, "mine"),
        ({"name": NAME, "tags": {"Stack": "other"}}, "custom"),
        ({"name": NAME, "tags": {"Stack": "nobody"}}, None),
        ({"name": OTHER, "tags": {"Stack": "other"}}, None),
        ({"name": NAME, "creation_token": "token-custom"}, "custom"),
        ({"name": OTHER, "creation_token": "token-custom"}, None),
        ({"creation_token": "token-custom", "tags": {"Stack": "unit"}}, None),
        ({"creation_token": "token-custom", "tags": {"Stack": "other"}}, "custom"),
        ({"file_system_id": "mine", "name": NAME}, "mine"),
        ({"file_system_id": "mine", "name": OTHER}, None),
        ({"file_system_id": "mine", "creation_token": "token-custom"}, None),
        (
            {"file_system_id": "custom", "creation_token": "token-custom", "name": NAME, "tags": {"Stack": "other"}},
            "custom",
        ),
        ({"file_system_id": "custom", "creation_token": "token-custom", "name": NAME, "tags": {"Stack": "unit"}}, None),
    ],
)
def test_options_combine_with_and(run, efs, args, expected):
    ids = {
        "mine": create(efs, default_creation_token(NAME), NAME, Stack="unit"),
        "custom": create(efs, "token-custom", NAME, Stack="other"),
        "other": create(efs, "token-other", OTHER, Stack="unit"),
    }
    if args.get("file_system_id") in ids:
        args = dict(args, file_system_id=ids[args["file_system_id"]])
    assert found(run(args)) == ([ids[expected]] if expected else [])


# --- what each file system holds ------------------------------------------------------------------------------------


def test_shaped_exactly_like_efs_file_system_s_return(run, managed):
    result = run({"name": NAME})
    assert found(result) == [managed["file_system_id"]]
    item = dict(result["file_systems"][0])
    assert item.pop("access_points") == []
    # SizeInBytes carries the time it was read
    assert set(item.pop("size_in_bytes")) == set(managed["size_in_bytes"])
    assert item == {k: v for k, v in managed.items() if k != "size_in_bytes"}


def test_mount_targets_policies_and_tags_are_included(run, managed, net):
    item = run({"file_system_id": managed["file_system_id"]})["file_systems"][0]
    assert [
        (mt["subnet_id"], mt["availability_zone_name"], mt["security_groups"], mt["life_cycle_state"])
        for mt in item["mount_targets"]
    ] == [
        (net["a"], "us-east-1a", [net["sg"]], "available"),
        (net["b"], "us-east-1b", [net["sg"]], "available"),
    ]
    assert all(mt["ip_address"] and mt["mount_target_id"].startswith("fsmt-") for mt in item["mount_targets"])
    assert item["number_of_mount_targets"] == 2
    assert [s["Sid"] for s in item["policy"]["Statement"]] == ["AllowAccessViaMountTarget", "DenyInsecureTransport"]
    assert item["backup_policy"] == {"status": "ENABLED"}
    assert item["lifecycle_policies"] == {
        "transition_to_ia": "AFTER_30_DAYS",
        "transition_to_primary_storage_class": "AFTER_1_ACCESS",
    }
    assert item["throughput_mode"] == "elastic"
    assert item["dns_name"] == f"{managed['file_system_id']}.efs.{REGION}.amazonaws.com"
    assert item["tags"] == {"Name": NAME, "Stack": "unit", "Environment": "local"}
    assert item["name"] == NAME


def test_without_policies_only_the_states_are_read(run, managed, net, calls):
    full = run({"file_system_id": managed["file_system_id"]})["file_systems"][0]
    calls.clear()
    item = run({"file_system_id": managed["file_system_id"], "policies": False})["file_systems"][0]
    assert sorted({operation for _service, operation in calls}) == [
        "DescribeAccessPoints", "DescribeFileSystems", "DescribeMountTargetSecurityGroups", "DescribeMountTargets"
    ]
    assert item["mount_targets"] == full["mount_targets"]
    assert (item["policy"], item["backup_policy"], item["lifecycle_policies"]) == (None, {"status": None}, {})
    assert item["tags"] == full["tags"]


def test_without_mount_targets_or_policies_two_calls_read_tags_and_access_points(run, run_module, managed, calls):
    calls.clear()
    item = run({"name": NAME, "mount_targets": False, "policies": False})["file_systems"][0]
    assert calls == [("efs", "DescribeFileSystems"), ("efs", "DescribeAccessPoints")]
    assert item["mount_targets"] == []
    assert item["tags"]["Stack"] == "unit"


def test_a_file_system_without_extras(run, efs):
    file_system_id = create(efs, "token-1")
    item = run({"file_system_id": file_system_id})["file_systems"][0]
    assert item["mount_targets"] == []
    assert item["access_points"] == []
    assert item["policy"] is None
    assert item["lifecycle_policies"] == {}
    assert item["tags"] == {}
    # AWS leaves Name out without a Name tag (null here); moto 5.2.5 answers "" (not worth an extension)
    assert not item["name"]


def test_access_points_are_included_in_efs_access_point_s_shape(run, run_module, managed, efs):
    file_system_id = managed["file_system_id"]
    other = create(efs, "token-other", OTHER)
    create_access_point(efs, other, "elsewhere")
    returned = {}
    for name, tags in (("ui", {"Purpose": "ui"}), ("config", {"Purpose": "config", "Stack": "unit"})):
        args = {
            "file_system_id": file_system_id,
            "name": name,
            "posix_user": POSIX_USER,
            "root_directory": ROOT_DIRECTORY,
            "tags": tags,
        }
        result = run_module(efs_access_point, args)
        assert not result["failed"] and result["changed"], result
        returned[name] = result["access_point"]

    result = run({"name": NAME})
    assert found(result) == [file_system_id]
    access_points = result["file_systems"][0]["access_points"]
    assert access_points == [returned["config"], returned["ui"]]  # by name
    assert access_points[0]["tags"] == {"Name": "config", "Purpose": "config", "Stack": "unit"}
    assert access_points[1]["tags"] == {"Name": "ui", "Purpose": "ui"}
    assert access_points[0]["posix_user"] == {"uid": 101, "gid": 101, "secondary_gids": [1000, 2000]}
    assert access_points[0]["root_directory"]["creation_info"]["permissions"] == "0750"
    assert {
        "access_point_id",
        "access_point_arn",
        "name",
        "posix_user",
        "root_directory",
        "life_cycle_state",
        "tags",
    } <= set(access_points[0])

    other_item = run({"file_system_id": other})["file_systems"][0]
    assert [ap["name"] for ap in other_item["access_points"]] == ["elsewhere"]


def test_a_file_system_being_deleted_is_listed_with_its_state(run, efs, aws):
    from moto.efs.models import efs_backends

    file_system_id = create(efs, "token-1", NAME)
    efs_backends[ACCOUNT][REGION].file_systems_by_id[file_system_id].life_cycle_state = "deleting"
    item = run({"name": NAME})["file_systems"][0]
    assert item["life_cycle_state"] == "deleting"
    assert item["policy"] is None
    assert item["backup_policy"] == {"status": "DISABLED"}


# --- check mode and bad input -------------------------------------------------------------------------------------


def test_check_mode_reads_the_same_and_changes_nothing(run, efs, managed):
    create_access_point(efs, managed["file_system_id"], "ui")
    before = snapshot(efs)
    normal = run({"name": NAME})
    checked = run({"name": NAME}, check_mode=True)
    assert found(checked) == found(normal) == [managed["file_system_id"]]
    for item in (normal, checked):
        item["file_systems"][0].pop("size_in_bytes")
    assert checked["file_systems"] == normal["file_systems"]
    assert "diff" not in checked
    assert snapshot(efs) == before


@pytest.mark.parametrize(
    "args, message",
    [
        ({"name": ""}, "name must not be empty"),
        ({"name": "x" * 257}, "name must be at most 256 characters"),
        ({"creation_token": ""}, "creation_token must be 1 to 64 characters long"),
        ({"creation_token": "t" * 65}, "creation_token must be 1 to 64 characters long"),
        ({"file_system_id": "my-file-system"}, "file_system_id 'my-file-system' is neither a file system id"),
        ({"file_system_id": "fs-XYZ"}, "file_system_id 'fs-XYZ'"),
    ],
)
def test_bad_input_fails_before_any_call(run, efs, monkeypatch, args, message):
    create(efs, "token-1", NAME)
    before = snapshot(efs)

    def no_manager(module):
        raise AssertionError("the manager was built despite bad input")

    monkeypatch.setattr(efs_file_system_info, "FileSystemInfoManager", no_manager)
    result = run(args)
    assert result["failed"]
    assert message in result["msg"]
    assert snapshot(efs) == before


def test_every_bad_option_is_named_at_once():
    with pytest.raises(EfsInputError) as e:
        info_filters({"name": "", "creation_token": "", "file_system_id": "nope", "tags": None})
    assert "name must not be empty" in str(e.value)
    assert "creation_token" in str(e.value)
    assert "file_system_id 'nope'" in str(e.value)


# --- the pure helpers -----------------------------------------------------------------------------------------------


def test_info_filters_normalise():
    arn = f"arn:aws:elasticfilesystem:{REGION}:{ACCOUNT}:file-system/fs-0123456789abcdef0"
    assert info_filters({"name": None, "creation_token": None, "file_system_id": arn, "tags": {"A": 1, "B": None}}) == {
        "name": None,
        "creation_token": None,
        "file_system_id": "fs-0123456789abcdef0",
        "tags": {"A": "1", "B": ""},
    }
    assert info_filters({}) == {"name": None, "creation_token": None, "file_system_id": None, "tags": None}


def _description(token, file_system_id="fs-00000001", **tags):
    return {
        "CreationToken": token,
        "FileSystemId": file_system_id,
        "Tags": [{"Key": k, "Value": v} for k, v in tags.items()],
    }


_MINE = _description(default_creation_token(NAME), "fs-00000001", Name="renamed", Stack="unit")
_TAGGED = _description("custom", "fs-00000002", Name=NAME, Stack="unit", Environment="local")


@pytest.mark.parametrize(
    "description, filters, expected",
    [
        (_MINE, {}, True),
        (_MINE, {"name": NAME}, True),  # by the derived token
        (_TAGGED, {"name": NAME}, True),  # by the Name tag
        (_TAGGED, {"name": OTHER}, False),
        (_TAGGED, {"creation_token": "custom"}, True),
        (_TAGGED, {"creation_token": "other"}, False),
        (_TAGGED, {"file_system_id": "fs-00000002"}, True),
        (_TAGGED, {"file_system_id": "fs-00000001"}, False),
        (_TAGGED, {"tags": {"Stack": "unit", "Environment": "local"}}, True),
        (_TAGGED, {"tags": {"Stack": "unit", "Environment": "prod"}}, False),
        (_TAGGED, {"tags": {"Owner": ""}}, False),  # a missing tag is not an empty one
        (_TAGGED, {"tags": {}}, True),
        (_TAGGED, {"name": NAME, "creation_token": "custom", "file_system_id": "fs-00000002"}, True),
        (_TAGGED, {"name": NAME, "creation_token": "custom", "file_system_id": "fs-00000001"}, False),
        (_MINE, {"name": NAME, "tags": {"Stack": "other"}}, False),
        ({"CreationToken": "bare", "FileSystemId": "fs-00000003"}, {"tags": {"Name": "x"}}, False),
    ],
)
def test_matches_info_filters(description, filters, expected):
    full = {"name": None, "creation_token": None, "file_system_id": None, "tags": None, **filters}
    assert matches_info_filters(description, full) is expected


def test_info_order():
    file_systems = [
        {"file_system_id": "fs-3", "name": "b", "creation_token": "t3", "creation_time": "2024-01-01"},
        {"file_system_id": "fs-2", "name": NAME, "creation_token": "t2", "creation_time": "2023-01-01"},
        {
            "file_system_id": "fs-1",
            "name": NAME,
            "creation_token": default_creation_token(NAME),
            "creation_time": "2024-06-01",
        },
        {"file_system_id": "fs-0", "name": None, "tags": {}, "creation_token": "t0", "creation_time": "2025-01-01"},
    ]
    by_name = sorted(file_systems, key=info_order({"name": None}))
    assert [fs["file_system_id"] for fs in by_name] == ["fs-0", "fs-3", "fs-2", "fs-1"]
    preferred = sorted(file_systems, key=info_order({"name": NAME}))
    assert [fs["file_system_id"] for fs in preferred] == ["fs-1", "fs-0", "fs-3", "fs-2"]


# --- documentation ----------------------------------------------------------------------------------------------


def test_return_documents_what_efs_file_system_and_efs_access_point_return():
    """Every key of efs_file_system's file_system (and of efs_access_point's access_point) is documented here."""
    mine = documentation(efs_file_system_info, "RETURN")["file_systems"]["contains"]
    theirs = documentation(efs_file_system, "RETURN")["file_system"]["contains"]
    assert set(mine) - {"access_points"} == set(theirs)
    assert set(mine["mount_targets"]["contains"]) == set(theirs["mount_targets"]["contains"])
    access_point = documentation(efs_access_point, "RETURN")["access_point"]["contains"]
    assert set(mine["access_points"]["contains"]) == set(access_point)


def _undocumented(value, documented, where):
    missing = []
    for key, item in value.items():
        if key not in documented:
            missing.append(f"{where}{key}")
            continue
        contains = documented[key].get("contains")
        if contains and isinstance(item, dict):
            missing += _undocumented(item, contains, f"{where}{key}.")
        elif contains and isinstance(item, list):
            for element in item:
                missing += _undocumented(element, contains, f"{where}{key}[].")
    return missing


def test_return_documents_every_returned_key(run, run_module, efs, managed):
    args = {
        "file_system_id": managed["file_system_id"],
        "name": "ui",
        "posix_user": POSIX_USER,
        "root_directory": ROOT_DIRECTORY,
    }
    assert not run_module(efs_access_point, args)["failed"]
    result = run({})
    documented = documentation(efs_file_system_info, "RETURN")
    assert set(result) - {"changed", "failed"} == set(documented)
    assert result["file_systems"][0]["access_points"]
    assert _undocumented({"file_systems": result["file_systems"]}, documented, "") == []
