"""cloudops.fargate.efs_access_point against moto in this process; every outcome is read back with boto3."""

from __future__ import annotations

import botocore.waiter
import pytest
from moto.efs.models import AccessPoint

from ansible_collections.cloudops.fargate.plugins.module_utils import _efs_access_point
from ansible_collections.cloudops.fargate.plugins.module_utils._efs_access_point import client_token
from ansible_collections.cloudops.fargate.plugins.module_utils._efs_access_point import spec_of
from ansible_collections.cloudops.fargate.plugins.module_utils._efs_access_point import wanted_settings
from ansible_collections.cloudops.fargate.plugins.modules import efs_access_point
from emulator.extensions import efs_access_point_client_token
from emulator.extensions import efs_access_point_not_found
from tests.unit.helpers import assert_ok

NAME = "unit-nginx"
POSIX_USER = {"uid": 101, "gid": 101, "secondary_gids": [2000, 1000]}
ROOT_DIRECTORY = {"path": "/nginx", "creation_info": {"owner_uid": 101, "owner_gid": 101, "permissions": "750"}}
# What the module returns for them: secondary GIDs sorted, permissions with four digits.
POSIX_USER_OUT = {"uid": 101, "gid": 101, "secondary_gids": [1000, 2000]}
ROOT_DIRECTORY_OUT = {"path": "/nginx", "creation_info": {"owner_uid": 101, "owner_gid": 101, "permissions": "0750"}}


@pytest.fixture(autouse=True)
def emulator_extensions():
    """AWS's ClientToken and not-found behaviour in moto (process-wide and idempotent)."""
    efs_access_point_client_token.install()
    efs_access_point_not_found.install()


@pytest.fixture
def efs(aws):
    return aws("efs")


@pytest.fixture
def file_system_id(efs):
    return efs.create_file_system(CreationToken="unit-fs")["FileSystemId"]


@pytest.fixture
def args(file_system_id):
    return {
        "file_system_id": file_system_id,
        "name": NAME,
        "posix_user": POSIX_USER,
        "root_directory": ROOT_DIRECTORY,
        "tags": {"Stack": "unit"},
    }


@pytest.fixture
def run(run_module):
    def run_access_point(args, check_mode=False, diff=False):
        return run_module(efs_access_point, args, check_mode=check_mode, diff=diff)

    return run_access_point


@pytest.fixture
def created(run, args, efs):
    """The access point of ``args`` created for real; returns its DescribeAccessPoints entry."""
    assert_ok(run(args), changed=True)
    return describe(efs)


@pytest.fixture
def no_sleep(monkeypatch):
    """botocore's waiters poll without sleeping; returns the delays they asked for."""
    delays = []

    class FakeTime:
        @staticmethod
        def sleep(seconds):
            delays.append(seconds)

    monkeypatch.setattr(botocore.waiter, "time", FakeTime)
    return delays


def access_points(efs):
    return efs.describe_access_points()["AccessPoints"]


def tags_of(entry):
    return {t["Key"]: t["Value"] for t in entry.get("Tags", [])}


def named(efs, name=NAME):
    return [ap for ap in access_points(efs) if tags_of(ap).get("Name") == name]


def describe(efs, name=NAME):
    found = named(efs, name)
    assert len(found) == 1, found
    return found[0]


def snapshot(efs):
    """Everything a failed or check-mode run must leave untouched."""
    return sorted((ap["AccessPointId"], repr(ap)) for ap in access_points(efs))


def create_directly(efs, file_system_id, name=NAME, token="by-hand", **request):
    """An access point made outside the module (by an earlier run, another tool or the console)."""
    tags = [{"Key": "Name", "Value": name}, *request.pop("Tags", [])]
    return efs.create_access_point(ClientToken=token, FileSystemId=file_system_id, Tags=tags, **request)


# --- create --------------------------------------------------------------------------------------------


def test_create_four_steps(run, args, efs, file_system_id):
    # 1. check mode predicts the creation and creates nothing
    result = run(args, check_mode=True, diff=True)
    assert_ok(result, changed=True)
    assert access_points(efs) == []
    predicted = result["access_point"]
    assert predicted == {
        "file_system_id": file_system_id,
        "name": NAME,
        "posix_user": POSIX_USER_OUT,
        "root_directory": ROOT_DIRECTORY_OUT,
        "life_cycle_state": "available",
        "tags": {"Stack": "unit", "Name": NAME},
    }
    assert result["diff"] == {"before": {}, "after": predicted}
    assert result["replaced"] is False
    assert result["deleted_access_point_ids"] == []

    # 2. for real
    result = run(args, diff=True)
    assert_ok(result, changed=True)
    entry = describe(efs)
    assert entry["FileSystemId"] == file_system_id
    assert entry["PosixUser"] == {"Uid": 101, "Gid": 101, "SecondaryGids": [1000, 2000]}
    assert entry["RootDirectory"] == {
        "Path": "/nginx",
        "CreationInfo": {"OwnerUid": 101, "OwnerGid": 101, "Permissions": "0750"},
    }
    assert tags_of(entry) == {"Stack": "unit", "Name": NAME}
    assert result["access_point"] == dict(
        predicted, access_point_id=entry["AccessPointId"], access_point_arn=entry["AccessPointArn"]
    )
    assert result["diff"] == {"before": {}, "after": predicted}
    assert entry["ClientToken"] == client_token(file_system_id, NAME, spec_of(wanted_settings(dict(args))))

    # 3. again in check mode: nothing to do
    result = run(args, check_mode=True, diff=True)
    assert_ok(result, changed=False)
    assert result["diff"] == {"before": {}, "after": {}}
    assert result["access_point"]["access_point_id"] == entry["AccessPointId"]

    # 4. again for real: nothing to do
    result = run(args, diff=True)
    assert_ok(result, changed=False)
    assert result["access_point"]["access_point_id"] == entry["AccessPointId"]
    assert [ap["AccessPointId"] for ap in access_points(efs)] == [entry["AccessPointId"]]


def test_create_with_only_the_required_options(run, efs, file_system_id):
    args = {"file_system_id": file_system_id, "name": NAME}
    result = run(args)
    assert_ok(result, changed=True)
    entry = describe(efs)
    assert "PosixUser" not in entry
    assert entry["RootDirectory"] == {"Path": "/"}
    assert tags_of(entry) == {"Name": NAME}
    assert result["access_point"]["posix_user"] is None
    assert result["access_point"]["root_directory"] == {"path": "/", "creation_info": None}
    # AWS's filled-in root directory "/" is what was asked for
    assert_ok(run(args), changed=False)
    assert_ok(run(dict(args, root_directory={"path": "/"})), changed=False)
    assert_ok(run(dict(args, root_directory={})), changed=False)


def test_file_system_by_arn(run, args, efs, file_system_id):
    arn = efs.describe_file_systems(FileSystemId=file_system_id)["FileSystems"][0]["FileSystemArn"]
    result = run(dict(args, file_system_id=arn))
    assert_ok(result, changed=True)
    assert result["access_point"]["file_system_id"] == file_system_id
    assert_ok(run(args), changed=False)


@pytest.mark.parametrize(
    ("request_posix_user", "request_root", "posix_user", "root_directory"),
    [
        # AWS leaves SecondaryGids out, the module asks for none
        ({"Uid": 1, "Gid": 2}, {"Path": "/a"}, {"uid": 1, "gid": 2}, {"path": "/a"}),
        ({"Uid": 1, "Gid": 2}, {"Path": "/a"}, {"uid": 1, "gid": 2, "secondary_gids": []}, {"path": "/a"}),
        # another order, a duplicate
        ({"Uid": 1, "Gid": 2, "SecondaryGids": [5, 3]}, None, {"uid": 1, "gid": 2, "secondary_gids": [3, 5, 3]}, None),
        # permissions with three digits on AWS, four in the task (and the other way round)
        (
            None,
            {"Path": "/b", "CreationInfo": {"OwnerUid": 0, "OwnerGid": 0, "Permissions": "755"}},
            None,
            {"path": "/b", "creation_info": {"owner_uid": 0, "owner_gid": 0, "permissions": "0755"}},
        ),
        (
            None,
            {"Path": "/b", "CreationInfo": {"OwnerUid": 0, "OwnerGid": 0, "Permissions": "0700"}},
            None,
            {"path": "/b", "creation_info": {"owner_uid": 0, "owner_gid": 0, "permissions": "700"}},
        ),
    ],
)
def test_aws_defaults_are_no_change(
    run, efs, file_system_id, request_posix_user, request_root, posix_user, root_directory
):
    request = {}
    if request_posix_user is not None:
        request["PosixUser"] = request_posix_user
    if request_root is not None:
        request["RootDirectory"] = request_root
    existing = create_directly(efs, file_system_id, **request)["AccessPointId"]
    args = {"file_system_id": file_system_id, "name": NAME, "posix_user": posix_user, "root_directory": root_directory}
    result = run(args, check_mode=True, diff=True)
    assert_ok(result, changed=False)
    result = run(args)
    assert_ok(result, changed=False)
    assert result["access_point"]["access_point_id"] == existing
    assert [ap["AccessPointId"] for ap in access_points(efs)] == [existing]


def test_tags_left_out_are_left_alone(run, args, efs, created):
    efs.tag_resource(ResourceId=created["AccessPointId"], Tags=[{"Key": "Owner", "Value": "ops"}])
    without_tags = {k: v for k, v in args.items() if k != "tags"}
    assert_ok(run(without_tags), changed=False)
    assert tags_of(describe(efs)) == {"Stack": "unit", "Name": NAME, "Owner": "ops"}


def test_other_names_and_file_systems_are_not_confused(run, args, efs, file_system_id):
    other_fs = efs.create_file_system(CreationToken="other-fs")["FileSystemId"]
    create_directly(efs, other_fs, token="other-fs")
    create_directly(efs, file_system_id, name="unit-other", token="other-name")
    result = run(args)
    assert_ok(result, changed=True)
    assert len(access_points(efs)) == 3
    assert_ok(run(args), changed=False)
    assert_ok(run(dict(args, state="absent")), changed=True)
    assert sorted((ap["FileSystemId"], tags_of(ap)["Name"]) for ap in access_points(efs)) == sorted(
        [(other_fs, NAME), (file_system_id, "unit-other")]
    )


# --- tags in place ----------------------------------------------------------------------------------------


def test_tag_update_in_place(run, args, efs, created):
    access_point_id = created["AccessPointId"]
    changed = dict(args, tags={"Stack": "unit", "Team": "web"})
    before = snapshot(efs)
    result = run(changed, check_mode=True, diff=True)
    assert_ok(result, changed=True)
    assert snapshot(efs) == before
    assert result["diff"] == {
        "before": {"tags": {"Stack": "unit", "Name": NAME}},
        "after": {"tags": {"Stack": "unit", "Name": NAME, "Team": "web"}},
    }
    assert result["replaced"] is False

    result = run(changed, diff=True)
    assert_ok(result, changed=True)
    assert result["replaced"] is False
    assert result["deleted_access_point_ids"] == []
    entry = describe(efs)
    assert entry["AccessPointId"] == access_point_id
    assert tags_of(entry) == {"Stack": "unit", "Name": NAME, "Team": "web"}
    assert result["access_point"]["tags"] == tags_of(entry)
    assert_ok(run(changed, check_mode=True), changed=False)
    assert_ok(run(changed), changed=False)


def test_purge_tags_keeps_name(run, args, efs, created):
    result = run(dict(args, tags={}), diff=True)
    assert_ok(result, changed=True)
    assert result["diff"]["after"] == {"tags": {"Name": NAME}}
    assert tags_of(describe(efs)) == {"Name": NAME}
    assert describe(efs)["AccessPointId"] == created["AccessPointId"]


def test_purge_tags_false_adds_only(run, args, efs, created):
    result = run(dict(args, tags={"Team": "web"}, purge_tags=False))
    assert_ok(result, changed=True)
    assert tags_of(describe(efs)) == {"Stack": "unit", "Name": NAME, "Team": "web"}
    assert_ok(run(dict(args, tags={"Team": "web"}, purge_tags=False)), changed=False)


def test_name_tag_given_in_tags_is_accepted_when_equal(run, args, efs, created):
    assert_ok(run(dict(args, tags={"Stack": "unit", "Name": NAME})), changed=False)


# --- replacement ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        ({"posix_user": {"uid": 102, "gid": 101}}, ["posix_user"]),
        ({"posix_user": None}, ["posix_user"]),
        ({"root_directory": {"path": "/nginx-v2"}}, ["root_directory"]),
        (
            {
                "root_directory": {
                    "path": "/nginx",
                    "creation_info": {"owner_uid": 101, "owner_gid": 101, "permissions": "0700"},
                }
            },
            ["root_directory"],
        ),
        ({"posix_user": {"uid": 1, "gid": 1}, "root_directory": None}, ["posix_user", "root_directory"]),
    ],
)
def test_replacement(run, args, efs, created, overrides, fields):
    old_id = created["AccessPointId"]
    changed = dict(args, **overrides)

    # check mode predicts the replacement and changes nothing
    before = snapshot(efs)
    result = run(changed, check_mode=True, diff=True)
    assert_ok(result, changed=True)
    assert snapshot(efs) == before
    assert result["replaced"] is True
    assert result["deleted_access_point_ids"] == [old_id]
    predicted = result["access_point"]
    assert "access_point_id" not in predicted
    assert result["diff"]["before"]["access_point_id"] == old_id
    assert result["diff"]["after"] == predicted
    assert ", ".join(fields) in result["diff"]["before_header"]

    # for real: a new access point, the old one gone, exactly one left
    result = run(changed, diff=True)
    assert_ok(result, changed=True)
    assert result["replaced"] is True
    assert result["deleted_access_point_ids"] == [old_id]
    entry = describe(efs)
    assert entry["AccessPointId"] != old_id
    assert len(access_points(efs)) == 1
    assert result["access_point"] == dict(
        predicted, access_point_id=entry["AccessPointId"], access_point_arn=entry["AccessPointArn"]
    )
    assert result["diff"]["after"] == predicted
    assert tags_of(entry) == {"Stack": "unit", "Name": NAME}

    # and then nothing to do
    result = run(changed, check_mode=True, diff=True)
    assert_ok(result, changed=False)
    assert result["replaced"] is False
    assert_ok(run(changed), changed=False)
    assert describe(efs)["AccessPointId"] == entry["AccessPointId"]


def test_replacement_carries_tags_over(run, args, efs, created):
    efs.tag_resource(ResourceId=created["AccessPointId"], Tags=[{"Key": "Owner", "Value": "ops"}])
    without_tags = {k: v for k, v in args.items() if k != "tags"}
    result = run(dict(without_tags, root_directory={"path": "/other"}))
    assert_ok(result, changed=True)
    assert tags_of(describe(efs)) == {"Stack": "unit", "Name": NAME, "Owner": "ops"}

    result = run(dict(args, root_directory={"path": "/third"}, tags={"Team": "web"}))
    assert_ok(result, changed=True)
    assert tags_of(describe(efs)) == {"Team": "web", "Name": NAME}


def test_replace_creates_the_new_one_before_deleting_the_old(run, args, efs, created, monkeypatch):
    calls = []
    original_create = AccessPoint.__init__

    def record_create(self, *a, **k):
        calls.append("create")
        original_create(self, *a, **k)

    from moto.efs.models import EFSBackend

    original_delete = EFSBackend.delete_access_point

    def record_delete(self, access_point_id):
        calls.append("delete")
        return original_delete(self, access_point_id)

    monkeypatch.setattr(AccessPoint, "__init__", record_create)
    monkeypatch.setattr(EFSBackend, "delete_access_point", record_delete)
    assert_ok(run(dict(args, root_directory={"path": "/other"})), changed=True)
    assert calls == ["create", "delete"]


@pytest.mark.parametrize("check_mode", [True, False])
def test_replace_on_change_false_fails_naming_the_fields(run, args, efs, created, check_mode):
    before = snapshot(efs)
    changed = dict(args, posix_user={"uid": 1, "gid": 1}, root_directory={"path": "/x"}, replace_on_change=False)
    result = run(changed, check_mode=check_mode)
    assert result["failed"]
    assert result["msg"].startswith(f"posix_user, root_directory of access point {NAME} ({created['AccessPointId']})")
    assert "cannot change after it is created" in result["msg"]
    assert "replace_on_change: true" in result["msg"]
    assert result["access_point"]["access_point_id"] == created["AccessPointId"]
    assert snapshot(efs) == before


def test_replace_on_change_false_allows_tag_updates(run, args, efs, created):
    result = run(dict(args, tags={"Stack": "other"}, replace_on_change=False))
    assert_ok(result, changed=True)
    assert describe(efs)["AccessPointId"] == created["AccessPointId"]


def test_access_point_in_error_is_replaced(run, args, efs, created, monkeypatch):
    broken = created["AccessPointId"]
    original = AccessPoint.info_json

    def info_json(self):
        result = original(self)
        if self.access_point_id == broken:
            result["LifeCycleState"] = "error"
        return result

    monkeypatch.setattr(AccessPoint, "info_json", info_json)
    result = run(args, diff=True)
    assert_ok(result, changed=True)
    assert result["replaced"] is True
    assert result["deleted_access_point_ids"] == [broken]
    assert "life_cycle_state" in result["diff"]["before_header"]
    assert describe(efs)["AccessPointId"] != broken


# --- interrupted runs ---------------------------------------------------------------------------------------


def test_interrupted_create_found_by_name(run, args, efs, file_system_id):
    """An earlier run was killed after CreateAccessPoint: the lookup finds the access point it made."""
    token = client_token(file_system_id, NAME, spec_of(wanted_settings(dict(args))))
    existing = efs.create_access_point(
        ClientToken=token,
        FileSystemId=file_system_id,
        Tags=[{"Key": "Name", "Value": NAME}, {"Key": "Stack", "Value": "unit"}],
        PosixUser={"Uid": 101, "Gid": 101, "SecondaryGids": [1000, 2000]},
        RootDirectory={"Path": "/nginx", "CreationInfo": {"OwnerUid": 101, "OwnerGid": 101, "Permissions": "0750"}},
    )["AccessPointId"]
    result = run(args)
    assert_ok(result, changed=False)
    assert result["access_point"]["access_point_id"] == existing
    assert [ap["AccessPointId"] for ap in access_points(efs)] == [existing]


def test_interrupted_create_same_token_no_duplicate(run, args, efs, file_system_id, monkeypatch):
    """The access point appears after the lookup (the killed run's create lands late, or a retried request):
    the create sends the same ClientToken, AWS answers AccessPointAlreadyExists, and that one is used."""
    token = client_token(file_system_id, NAME, spec_of(wanted_settings(dict(args))))
    existing = efs.create_access_point(
        ClientToken=token,
        FileSystemId=file_system_id,
        Tags=[{"Key": "Name", "Value": NAME}, {"Key": "Stack", "Value": "unit"}],
        PosixUser={"Uid": 101, "Gid": 101, "SecondaryGids": [1000, 2000]},
        RootDirectory={"Path": "/nginx", "CreationInfo": {"OwnerUid": 101, "OwnerGid": 101, "Permissions": "0750"}},
    )["AccessPointId"]
    monkeypatch.setattr(_efs_access_point.AccessPointManager, "find", lambda self, fs, name: [])

    result = run(args)
    assert_ok(result, changed=True)
    assert result["access_point"]["access_point_id"] == existing
    assert [ap["AccessPointId"] for ap in access_points(efs)] == [existing]


def test_different_spec_sends_a_different_token(run, args, efs, file_system_id, monkeypatch):
    """A token is the spec's: an access point of another spec made with its token is not taken for this one."""
    other_spec = dict(args, root_directory={"path": "/other"})
    other_token = client_token(file_system_id, NAME, spec_of(wanted_settings(dict(other_spec))))
    create_directly(efs, file_system_id, token=other_token, RootDirectory={"Path": "/other"})
    monkeypatch.setattr(_efs_access_point.AccessPointManager, "find", lambda self, fs, name: [])
    result = run(args)
    assert_ok(result, changed=True)
    assert len(access_points(efs)) == 2
    assert result["access_point"]["root_directory"] == ROOT_DIRECTORY_OUT


def test_token_of_a_deleted_access_point_gets_a_salted_token(run, args, efs, file_system_id, monkeypatch):
    """Should AWS remember a token after its access point is deleted, the create moves to a token of its own."""
    plain = client_token(file_system_id, NAME, spec_of(wanted_settings(dict(args))))
    gone = "fsap-00000000deadbeef"
    original = efs_access_point_client_token.holder_of
    monkeypatch.setattr(
        efs_access_point_client_token,
        "holder_of",
        lambda backend, token: gone if token == plain else original(backend, token),
    )
    result = run(args)
    assert_ok(result, changed=True)
    entry = describe(efs)
    assert entry["ClientToken"] == client_token(file_system_id, NAME, spec_of(wanted_settings(dict(args))), gone)
    assert_ok(run(args), changed=False)


def test_interrupted_replacement_leaves_duplicates_that_are_cleaned_up(run, args, efs, file_system_id):
    """A killed replacement left the old access point next to the new one: keep the one matching the task."""
    old = create_directly(efs, file_system_id, token="old", RootDirectory={"Path": "/old"})["AccessPointId"]
    assert_ok(run(dict(args, replace_on_change=True, root_directory=ROOT_DIRECTORY)), changed=True)
    # simulate the kill: the old one is back (as if its deletion never happened)
    old = create_directly(efs, file_system_id, token="old-again", RootDirectory={"Path": "/old"})["AccessPointId"]
    new = next(ap["AccessPointId"] for ap in named(efs) if ap["AccessPointId"] != old)
    assert len(named(efs)) == 2

    before = snapshot(efs)
    result = run(args, check_mode=True, diff=True)
    assert_ok(result, changed=True)
    assert snapshot(efs) == before
    assert result["deleted_access_point_ids"] == [old]
    assert result["diff"] == {
        "before": {"duplicate_access_point_ids": [old]},
        "after": {"duplicate_access_point_ids": []},
    }
    assert any("would delete" in w and old in w for w in result["warnings"])

    result = run(args, diff=True)
    assert_ok(result, changed=True)
    assert result["replaced"] is False
    assert result["deleted_access_point_ids"] == [old]
    assert result["access_point"]["access_point_id"] == new
    assert any(f"kept {new}" in w and old in w for w in result["warnings"])
    assert [ap["AccessPointId"] for ap in access_points(efs)] == [new]

    result = run(args)
    assert_ok(result, changed=False)
    assert "warnings" not in result


def test_duplicates_of_the_same_spec_keep_one(run, args, efs, file_system_id):
    spec = {
        "PosixUser": {"Uid": 101, "Gid": 101, "SecondaryGids": [1000, 2000]},
        "RootDirectory": {"Path": "/nginx", "CreationInfo": {"OwnerUid": 101, "OwnerGid": 101, "Permissions": "750"}},
        "Tags": [{"Key": "Stack", "Value": "unit"}],
    }
    ids = sorted(create_directly(efs, file_system_id, token=t, **dict(spec))["AccessPointId"] for t in ("a", "b", "c"))
    result = run(args)
    assert_ok(result, changed=True)
    assert result["access_point"]["access_point_id"] == ids[0]
    assert result["deleted_access_point_ids"] == ids[1:]
    assert [ap["AccessPointId"] for ap in access_points(efs)] == [ids[0]]


def test_duplicates_none_matching_are_all_replaced(run, args, efs, file_system_id):
    old = sorted(
        create_directly(efs, file_system_id, token=t, RootDirectory={"Path": f"/{t}"})["AccessPointId"] for t in "ab"
    )
    result = run(args)
    assert_ok(result, changed=True)
    assert result["replaced"] is True
    assert sorted(result["deleted_access_point_ids"]) == old
    assert len(access_points(efs)) == 1
    assert describe(efs)["AccessPointId"] not in old


# --- waiting ------------------------------------------------------------------------------------------------


def creating_for(monkeypatch, polls):
    """New access points report ``creating`` for their first ``polls`` descriptions, then ``available``."""
    seen = {}
    original = AccessPoint.info_json

    def info_json(self):
        result = original(self)
        seen[self.access_point_id] = seen.get(self.access_point_id, 0) + 1
        if seen[self.access_point_id] <= polls:
            result["LifeCycleState"] = "creating"
        return result

    monkeypatch.setattr(AccessPoint, "info_json", info_json)
    return seen


def test_wait_until_available(run, args, efs, monkeypatch, no_sleep):
    creating_for(monkeypatch, polls=3)  # the create's answer, then two polls
    result = run(dict(args, wait_timeout=30))
    assert_ok(result, changed=True)
    assert result["access_point"]["life_cycle_state"] == "available"
    assert len(no_sleep) == 2


def test_wait_times_out(run, args, efs, monkeypatch, no_sleep):
    creating_for(monkeypatch, polls=1000)
    result = run(dict(args, wait_timeout=6))
    assert result["failed"]
    assert "Timed out after 6 seconds waiting for access point" in result["msg"]
    assert "(it is creating)" in result["msg"]
    assert result["access_point"]["life_cycle_state"] == "creating"


def test_wait_false_returns_at_once_and_a_rerun_changes_nothing(run, args, efs, monkeypatch, no_sleep):
    creating_for(monkeypatch, polls=3)  # the create's answer, this test's describe, the first re-run
    no_wait = dict(args, wait=False)
    result = run(no_wait, check_mode=True)
    assert result["access_point"]["life_cycle_state"] == "creating"
    result = run(no_wait)
    assert_ok(result, changed=True)
    assert result["access_point"]["life_cycle_state"] == "creating"
    assert result["access_point"]["access_point_id"] == describe(efs)["AccessPointId"]
    assert no_sleep == []
    result = run(no_wait)  # DescribeAccessPoints still says creating
    assert_ok(result, changed=False)
    assert result["access_point"]["life_cycle_state"] == "creating"
    result = run(no_wait)
    assert_ok(result, changed=False)
    assert result["access_point"]["life_cycle_state"] == "available"
    assert len(access_points(efs)) == 1


def test_wait_true_on_rerun_waits_for_a_creating_one(run, args, efs, monkeypatch, no_sleep):
    creating_for(monkeypatch, polls=3)
    assert_ok(run(dict(args, wait=False)), changed=True)
    result = run(args)
    assert_ok(result, changed=False)
    assert result["access_point"]["life_cycle_state"] == "available"


def test_replacement_without_wait_keeps_the_old_until_the_new_is_available(
    run, args, efs, created, monkeypatch, no_sleep
):
    old = created["AccessPointId"]
    creating_for(monkeypatch, polls=2)  # created is already past its first description
    changed = dict(args, root_directory={"path": "/v2"}, wait=False)
    result = run(changed)
    assert_ok(result, changed=True)
    assert result["replaced"] is True
    assert result["deleted_access_point_ids"] == []
    assert result["access_point"]["life_cycle_state"] == "creating"
    assert len(named(efs)) == 2

    # the next poll sees it available and deletes the old one
    result = run(changed)
    assert_ok(result, changed=True)
    assert result["deleted_access_point_ids"] == [old]
    assert [ap["RootDirectory"]["Path"] for ap in named(efs)] == ["/v2"]
    assert_ok(run(changed), changed=False)


# --- absent ------------------------------------------------------------------------------------------------


def test_delete_four_steps(run, args, efs, created):
    absent = {"file_system_id": args["file_system_id"], "name": NAME, "state": "absent"}

    result = run(absent, check_mode=True, diff=True)
    assert_ok(result, changed=True)
    assert describe(efs)["AccessPointId"] == created["AccessPointId"]
    assert result["diff"]["before"]["access_point_id"] == created["AccessPointId"]
    assert result["diff"]["after"] == {}
    assert result["access_point"] == {}
    assert result["deleted_access_point_ids"] == [created["AccessPointId"]]

    result = run(absent, diff=True)
    assert_ok(result, changed=True)
    assert access_points(efs) == []
    assert result["deleted_access_point_ids"] == [created["AccessPointId"]]

    assert_ok(run(absent, check_mode=True), changed=False)
    result = run(absent)
    assert_ok(result, changed=False)
    assert result["access_point"] == {}
    assert result["deleted_access_point_ids"] == []


def test_delete_removes_every_access_point_of_the_name(run, efs, file_system_id):
    ids = sorted(create_directly(efs, file_system_id, token=t)["AccessPointId"] for t in "ab")
    result = run({"file_system_id": file_system_id, "name": NAME, "state": "absent"})
    assert_ok(result, changed=True)
    assert sorted(result["deleted_access_point_ids"]) == ids
    assert access_points(efs) == []


def test_delete_ignores_present_only_options(run, efs, file_system_id):
    result = run(
        {
            "file_system_id": file_system_id,
            "name": NAME,
            "state": "absent",
            "root_directory": {"path": "relative/.."},
            "posix_user": {"uid": -1, "gid": 0},
        }
    )
    assert_ok(result, changed=False)


def test_delete_waits_until_gone(run, args, efs, created, monkeypatch, no_sleep):
    from moto.efs.models import EFSBackend

    remaining = {"polls": 2}
    original_delete = EFSBackend.delete_access_point
    original_describe = EFSBackend.describe_access_points
    deleting = {}

    def delete_access_point(self, access_point_id):
        deleting[access_point_id] = self.access_points[access_point_id]
        return original_delete(self, access_point_id)

    def describe_access_points(self, access_point_id, file_system_id):
        if access_point_id in deleting and remaining["polls"] > 0:
            remaining["polls"] -= 1
            return [deleting[access_point_id]]
        return original_describe(self, access_point_id, file_system_id)

    original_info = AccessPoint.info_json

    def info_json(self):
        result = original_info(self)
        if self.access_point_id in deleting:
            result["LifeCycleState"] = "deleting"
        return result

    monkeypatch.setattr(EFSBackend, "delete_access_point", delete_access_point)
    monkeypatch.setattr(EFSBackend, "describe_access_points", describe_access_points)
    monkeypatch.setattr(AccessPoint, "info_json", info_json)
    result = run({"file_system_id": args["file_system_id"], "name": NAME, "state": "absent"})
    assert_ok(result, changed=True)
    assert remaining["polls"] == 0
    assert len(no_sleep) == 2


def test_missing_file_system(run, args, efs):
    missing = "fs-0123456789abcdef0"
    result = run(dict(args, file_system_id=missing))
    assert result["failed"]
    assert result["msg"].startswith(f"File system {missing} does not exist")
    assert access_points(efs) == []
    assert_ok(run({"file_system_id": missing, "name": NAME, "state": "absent"}), changed=False)


# --- bad input fails before anything is created ---------------------------------------------------------


BAD_INPUTS = [
    ({"file_system_id": "fs_123"}, "is neither a file system id"),
    ({"file_system_id": "arn:aws:s3:::bucket"}, "is neither a file system id"),
    ({"name": ""}, "name must be a non-empty string"),
    ({"name": "a" * 257}, "name must be at most 256 characters long"),
    ({"name": "web!"}, "may contain only letters, numbers, spaces"),
    ({"posix_user": {"uid": -1, "gid": 0}}, "posix_user.uid must be an integer from 0 to 4294967295"),
    ({"posix_user": {"uid": 0, "gid": 4294967296}}, "posix_user.gid must be an integer from 0 to 4294967295"),
    ({"posix_user": {"uid": 0, "gid": 0, "secondary_gids": [1, -2]}}, "posix_user.secondary_gids[1] must be"),
    ({"posix_user": {"uid": 0, "gid": 0, "secondary_gids": list(range(17))}}, "at most 16 GIDs"),
    ({"posix_user": {"gid": 0}}, "uid"),
    ({"root_directory": {"path": "nginx"}}, "must be absolute"),
    ({"root_directory": {"path": "/a/../b"}}, "must not contain . or .. components"),
    ({"root_directory": {"path": "/a/./b"}}, "must not contain . or .. components"),
    ({"root_directory": {"path": "/.hidden"}}, "must not begin with a dot"),
    ({"root_directory": {"path": "/" + "a" * 100}}, "must be at most 100 characters long"),
    ({"root_directory": {"path": "/a/b/c/d/e"}}, "at most 4 directories"),
    ({"root_directory": {"path": "/a/"}}, "must not end with /"),
    ({"root_directory": {"path": "/a//b"}}, "must not contain //"),
    ({"root_directory": {"path": "/a;b"}}, "must not contain ;"),
    (
        {"root_directory": {"path": "/a", "creation_info": {"owner_uid": 0, "owner_gid": 0, "permissions": "0780"}}},
        "permissions must be 3 or 4 octal digits",
    ),
    (
        {"root_directory": {"path": "/a", "creation_info": {"owner_uid": 0, "owner_gid": 0, "permissions": "07500"}}},
        "permissions must be 3 or 4 octal digits",
    ),
    (
        {"root_directory": {"path": "/a", "creation_info": {"owner_uid": 0, "owner_gid": 0, "permissions": 488}}},
        "must be a quoted string",
    ),
    (
        {"root_directory": {"path": "/a", "creation_info": {"owner_uid": -5, "owner_gid": 0, "permissions": "750"}}},
        "root_directory.creation_info.owner_uid must be an integer from 0 to 4294967295",
    ),
    (
        {"root_directory": {"path": "/a", "creation_info": {"owner_uid": 0, "owner_gid": 0}}},
        "permissions",
    ),
    ({"tags": {"aws:owner": "me"}}, "reserved by AWS"),
    ({"tags": {"Name": "other"}}, "the Name tag is the name"),
    ({"tags": {"k" * 129: "v"}}, "must be 1 to 128 characters long"),
    ({"tags": {"Team": "a" * 257}}, "must be at most 256 characters long"),
    ({"tags": {"Team": "web;rm"}}, "may contain only letters, numbers, spaces"),
    ({"wait_timeout": -1}, "wait_timeout must be a number of seconds"),
]


@pytest.mark.parametrize(("overrides", "message"), BAD_INPUTS)
@pytest.mark.parametrize("check_mode", [True, False])
def test_bad_input_fails_before_anything_is_created(run, args, efs, overrides, message, check_mode):
    result = run({**args, **overrides}, check_mode=check_mode)
    assert result["failed"]
    assert message in result["msg"]
    assert access_points(efs) == []


@pytest.mark.parametrize(
    ("overrides", "message"), [b for b in BAD_INPUTS if "name" not in b[0] and "file_system_id" not in b[0]]
)
def test_bad_input_fails_on_an_existing_access_point_without_changes(run, args, efs, created, overrides, message):
    before = snapshot(efs)
    # valid changes alongside (a tag and a replacement), to show nothing at all is applied
    result = run({**args, "tags": {"Stack": "other"}, "root_directory": {"path": "/other"}, **overrides})
    assert result["failed"]
    assert message in result["msg"]
    assert snapshot(efs) == before


def test_every_error_is_reported_at_once(run, args, efs):
    result = run(dict(args, posix_user={"uid": -1, "gid": 0}, root_directory={"path": "x"}, tags={"aws:x": "y"}))
    assert result["failed"]
    for message in ("posix_user.uid must be", "root_directory.path 'x' must be absolute", "reserved by AWS"):
        assert message in result["msg"]


def test_absent_validates_the_identity(run, efs):
    result = run({"file_system_id": "nope", "name": NAME, "state": "absent"})
    assert result["failed"]
    assert "is neither a file system id" in result["msg"]
