"""Unit tests of the pure functions of plugins/module_utils/_efs_access_point.py."""

from __future__ import annotations

import pytest

from ansible_collections.cloudops.fargate.plugins.module_utils._common import waiter_settings
from ansible_collections.cloudops.fargate.plugins.module_utils._efs_access_point import POLL_DELAY
from ansible_collections.cloudops.fargate.plugins.module_utils._efs_access_point import AccessPointInputError
from ansible_collections.cloudops.fargate.plugins.module_utils._efs_access_point import choose
from ansible_collections.cloudops.fargate.plugins.module_utils._efs_access_point import client_token
from ansible_collections.cloudops.fargate.plugins.module_utils._efs_access_point import create_request
from ansible_collections.cloudops.fargate.plugins.module_utils._efs_access_point import file_system_id_of
from ansible_collections.cloudops.fargate.plugins.module_utils._efs_access_point import identity_of
from ansible_collections.cloudops.fargate.plugins.module_utils._efs_access_point import immutable_message
from ansible_collections.cloudops.fargate.plugins.module_utils._efs_access_point import is_usable
from ansible_collections.cloudops.fargate.plugins.module_utils._efs_access_point import name_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._efs_access_point import normalize_access_point
from ansible_collections.cloudops.fargate.plugins.module_utils._efs_access_point import normalize_permissions
from ansible_collections.cloudops.fargate.plugins.module_utils._efs_access_point import normalize_posix_user
from ansible_collections.cloudops.fargate.plugins.module_utils._efs_access_point import normalize_root_directory
from ansible_collections.cloudops.fargate.plugins.module_utils._efs_access_point import path_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._efs_access_point import permissions_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._efs_access_point import predicted_access_point
from ansible_collections.cloudops.fargate.plugins.module_utils._efs_access_point import preferred
from ansible_collections.cloudops.fargate.plugins.module_utils._efs_access_point import spec_differences
from ansible_collections.cloudops.fargate.plugins.module_utils._efs_access_point import spec_of
from ansible_collections.cloudops.fargate.plugins.module_utils._efs_access_point import tag_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._efs_access_point import wanted_posix_user
from ansible_collections.cloudops.fargate.plugins.module_utils._efs_access_point import wanted_root_directory
from ansible_collections.cloudops.fargate.plugins.module_utils._efs_access_point import wanted_settings
from ansible_collections.cloudops.fargate.plugins.module_utils._efs_access_point import with_name

FS = "fs-0123456789abcdef0"
FS_ARN = f"arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/{FS}"
ROOT = {"path": "/", "creation_info": None}


def params(**overrides):
    """Module parameters as AnsibleModule hands them over: unset options are None."""
    base = {
        "state": "present",
        "file_system_id": FS,
        "name": "web",
        "posix_user": None,
        "root_directory": None,
        "replace_on_change": True,
        "wait": True,
        "wait_timeout": 300,
        "tags": None,
        "purge_tags": True,
    }
    base.update(overrides)
    return base


def access_point(ap_id="fsap-1", state="available", posix_user=None, root_directory=None, name="web"):
    return {
        "access_point_id": ap_id,
        "access_point_arn": f"arn:aws:elasticfilesystem:us-east-1:123456789012:access-point/{ap_id}",
        "file_system_id": FS,
        "name": name,
        "posix_user": posix_user,
        "root_directory": root_directory or dict(ROOT),
        "life_cycle_state": state,
        "tags": {"Name": name},
    }


# --- identity ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (FS, FS),
        ("fs-01234567", "fs-01234567"),
        (FS_ARN, FS),
        (f"arn:aws-cn:elasticfilesystem:cn-north-1:123456789012:file-system/{FS}", FS),
    ],
)
def test_file_system_id_of(value, expected):
    assert file_system_id_of(value) == expected


@pytest.mark.parametrize(
    "value",
    [None, "", "fs-123", "fs-XYZ01234", "fs_01234567", f"{FS}x", "arn:aws:s3:::fs-01234567", FS_ARN + "/x", 12],
)
def test_file_system_id_of_rejects(value):
    with pytest.raises(AccessPointInputError, match="is neither a file system id"):
        file_system_id_of(value)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("web", None),
        ("demo-local nginx_1.0:/=+@", None),
        ("Zugangspunkt-ä", None),
        ("a" * 256, None),
        ("", "must be a non-empty string"),
        (None, "must be a non-empty string"),
        ("a" * 257, "at most 256 characters long"),
        ("web!", "may contain only letters"),
        ("web\n", "may contain only letters"),
    ],
)
def test_name_errors(name, message):
    errors = name_errors(name)
    if message is None:
        assert errors == []
    else:
        assert any(message in e for e in errors), errors


@pytest.mark.parametrize(
    ("tags", "message"),
    [
        (None, None),
        ({}, None),
        ({"Stack": "demo", "Name": "web"}, None),
        ({"Stack": ""}, None),
        ({"aws:cloudformation:stack": "x"}, "reserved by AWS"),
        ({"AWS:x": "x"}, "reserved by AWS"),
        ({"": "x"}, "must be 1 to 128 characters long"),
        ({"k" * 129: "x"}, "must be 1 to 128 characters long"),
        ({"k": "v" * 257}, "at most 256 characters long"),
        ({"k!": "v"}, "the key 'k!' may contain only"),
        ({"k": "v;"}, "the value of 'k' may contain only"),
        ({"Name": "other"}, "the Name tag is the name"),
    ],
)
def test_tag_errors(tags, message):
    errors = tag_errors(tags, "web")
    if message is None:
        assert errors == []
    else:
        assert any(message in e for e in errors), errors


def test_with_name():
    assert with_name(None, "web") is None
    assert with_name({}, "web") == {"Name": "web"}
    assert with_name({"Stack": "a", "Name": "web"}, "web") == {"Stack": "a", "Name": "web"}


# --- spec ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/", None),
        ("/nginx", None),
        ("/a/b/c/d", None),
        ("/data-1/ui_v2.0", None),
        ("/a.b", None),
        ("/" + "a" * 99, None),
        ("/" + "a" * 100, "at most 100 characters long"),
        ("", "non-empty string"),
        (None, "non-empty string"),
        ("nginx", "must be absolute"),
        ("./nginx", "must be absolute"),
        ("/a/b/c/d/e", "at most 4 directories"),
        ("/a/", "must not end with /"),
        ("/a//b", "must not contain //"),
        ("//", "must not end with /"),
        ("/..", "must not contain . or .. components"),
        ("/a/..", "must not contain . or .. components"),
        ("/a/../b", "must not contain . or .. components"),
        ("/.", "must not contain . or .. components"),
        ("/.ssh", "must not begin with a dot"),
        ("/a/.git", "must not begin with a dot"),
        ("/a$b", "must not contain $"),
        ("/a b?*", "must not contain * ?"),
        ("/a\nb", "must not contain \\n"),
        ("/a`b|c&d", "must not contain & ` |"),
    ],
)
def test_path_errors(path, message):
    errors = path_errors(path)
    if message is None:
        assert errors == []
    else:
        assert any(message in e for e in errors), errors


@pytest.mark.parametrize(
    ("permissions", "message"),
    [
        ("750", None),
        ("0750", None),
        ("1777", None),
        ("000", None),
        ("75", "3 or 4 octal digits"),
        ("07500", "3 or 4 octal digits"),
        ("0780", "3 or 4 octal digits"),
        ("rwx", "3 or 4 octal digits"),
        ("", "3 or 4 octal digits"),
        (750, "must be a quoted string"),
        (488, "must be a quoted string"),
        (None, "must be a quoted string"),
    ],
)
def test_permissions_errors(permissions, message):
    errors = permissions_errors(permissions)
    if message is None:
        assert errors == []
    else:
        assert any(message in e for e in errors), errors


@pytest.mark.parametrize(("given", "expected"), [("750", "0750"), ("0750", "0750"), ("1777", "1777"), ("007", "0007")])
def test_normalize_permissions(given, expected):
    assert normalize_permissions(given) == expected


@pytest.mark.parametrize(
    ("given", "expected", "message"),
    [
        (None, None, None),
        ({"uid": 1, "gid": 2, "secondary_gids": None}, {"uid": 1, "gid": 2, "secondary_gids": []}, None),
        ({"uid": 1, "gid": 2, "secondary_gids": [9, 3, 9]}, {"uid": 1, "gid": 2, "secondary_gids": [3, 9]}, None),
        (
            {"uid": 0, "gid": 4294967295, "secondary_gids": []},
            {"uid": 0, "gid": 4294967295, "secondary_gids": []},
            None,
        ),
        ({"uid": -1, "gid": 2}, None, "posix_user.uid must be an integer from 0 to 4294967295"),
        ({"uid": 1, "gid": 4294967296}, None, "posix_user.gid must be an integer"),
        ({"uid": True, "gid": 2}, None, "posix_user.uid must be an integer"),
        ({"uid": 1, "gid": 2, "secondary_gids": [1, -1]}, None, "posix_user.secondary_gids[1] must be"),
        ({"uid": 1, "gid": 2, "secondary_gids": list(range(17))}, None, "at most 16 GIDs"),
    ],
)
def test_wanted_posix_user(given, expected, message):
    wanted, errors = wanted_posix_user(given)
    if message is None:
        assert errors == []
        assert wanted == expected
    else:
        assert any(message in e for e in errors), errors


def test_sixteen_secondary_gids_are_fine_and_duplicates_do_not_count():
    _wanted, errors = wanted_posix_user({"uid": 1, "gid": 2, "secondary_gids": list(range(16)) * 2})
    assert errors == []


@pytest.mark.parametrize(
    ("given", "expected", "message"),
    [
        (None, ROOT, None),
        ({}, ROOT, None),
        ({"path": None, "creation_info": None}, ROOT, None),
        ({"path": "/a", "creation_info": None}, {"path": "/a", "creation_info": None}, None),
        (
            {"path": "/a", "creation_info": {"owner_uid": 1, "owner_gid": 2, "permissions": "755"}},
            {"path": "/a", "creation_info": {"owner_uid": 1, "owner_gid": 2, "permissions": "0755"}},
            None,
        ),
        ({"path": "a"}, None, "root_directory.path 'a' must be absolute"),
        (
            {"path": "/a", "creation_info": {"owner_uid": 1, "owner_gid": -2, "permissions": "755"}},
            None,
            "root_directory.creation_info.owner_gid must be an integer",
        ),
        (
            {"path": "/a", "creation_info": {"owner_uid": 1, "owner_gid": 2, "permissions": "9"}},
            None,
            "root_directory.creation_info.permissions must be 3 or 4 octal digits",
        ),
    ],
)
def test_wanted_root_directory(given, expected, message):
    wanted, errors = wanted_root_directory(given)
    if message is None:
        assert errors == []
        assert wanted == expected
    else:
        assert any(message in e for e in errors), errors


# --- the module's arguments ----------------------------------------------------------------------------------


def test_wanted_settings_defaults():
    wanted = wanted_settings(params())
    assert wanted == {
        "file_system_id": FS,
        "name": "web",
        "posix_user": None,
        "root_directory": ROOT,
        "tags": None,
        "purge_tags": True,
        "replace_on_change": True,
        "wait": True,
        "wait_timeout": 300,
    }


def test_wanted_settings_normalises():
    wanted = wanted_settings(
        params(
            file_system_id=FS_ARN,
            posix_user={"uid": 1, "gid": 2, "secondary_gids": [5, 4]},
            root_directory={"path": "/x", "creation_info": {"owner_uid": 1, "owner_gid": 2, "permissions": "700"}},
            tags={"Stack": "demo", "Count": 3},
            purge_tags=False,
            wait=False,
        )
    )
    assert wanted["file_system_id"] == FS
    assert wanted["posix_user"] == {"uid": 1, "gid": 2, "secondary_gids": [4, 5]}
    assert wanted["root_directory"]["creation_info"]["permissions"] == "0700"
    assert wanted["tags"] == {"Stack": "demo", "Count": "3", "Name": "web"}
    assert (wanted["purge_tags"], wanted["wait"]) == (False, False)


def test_wanted_settings_reports_every_error():
    with pytest.raises(AccessPointInputError) as raised:
        wanted_settings(
            params(
                file_system_id="nope",
                name="",
                posix_user={"uid": -1, "gid": 0},
                root_directory={"path": "/a/.."},
                tags={"aws:x": "1"},
                wait_timeout=-5,
            )
        )
    message = str(raised.value)
    for part in (
        "file_system_id 'nope'",
        "name must be a non-empty string",
        "posix_user.uid",
        "must not contain . or .. components",
        "reserved by AWS",
        "wait_timeout must be",
    ):
        assert part in message


def test_identity_of():
    assert identity_of(params(state="absent", file_system_id=FS_ARN, root_directory={"path": "bad"})) == {
        "file_system_id": FS,
        "name": "web",
        "wait": True,
        "wait_timeout": 300,
    }
    with pytest.raises(AccessPointInputError, match="name must be"):
        identity_of(params(state="absent", name=""))


# --- comparison and tokens ---------------------------------------------------------------------------------


def test_spec_differences():
    current = access_point(posix_user={"uid": 1, "gid": 1, "secondary_gids": []})
    wanted = wanted_settings(params(posix_user={"uid": 1, "gid": 1}))
    assert spec_differences(current, wanted) == {}
    wanted = wanted_settings(params(posix_user={"uid": 2, "gid": 1}, root_directory={"path": "/x"}))
    assert spec_differences(current, wanted) == {
        "posix_user": ({"uid": 1, "gid": 1, "secondary_gids": []}, {"uid": 2, "gid": 1, "secondary_gids": []}),
        "root_directory": (ROOT, {"path": "/x", "creation_info": None}),
    }


def test_client_token_is_stable_and_follows_the_spec():
    spec = spec_of(wanted_settings(params(posix_user={"uid": 1, "gid": 2, "secondary_gids": [3, 2]})))
    same_spec = spec_of(wanted_settings(params(posix_user={"uid": 1, "gid": 2, "secondary_gids": [2, 3, 3]})))
    token = client_token(FS, "web", spec)
    assert token == client_token(FS, "web", same_spec)
    assert len(token) <= 64
    others = {
        client_token("fs-00000000", "web", spec),
        client_token(FS, "web2", spec),
        client_token(FS, "web", spec_of(wanted_settings(params()))),
        client_token(FS, "web", spec, "fsap-gone"),
    }
    assert token not in others
    assert len(others) == 4


def test_client_token_ignores_tags_and_wait():
    base = spec_of(wanted_settings(params()))
    other = spec_of(wanted_settings(params(tags={"a": "b"}, wait=False, purge_tags=False)))
    assert client_token(FS, "web", base) == client_token(FS, "web", other)


# --- reading AWS's answer ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (None, None),
        ({}, None),
        ({"Uid": 1, "Gid": 2}, {"uid": 1, "gid": 2, "secondary_gids": []}),
        ({"Uid": 1, "Gid": 2, "SecondaryGids": []}, {"uid": 1, "gid": 2, "secondary_gids": []}),
        ({"Uid": 1, "Gid": 2, "SecondaryGids": [7, 3]}, {"uid": 1, "gid": 2, "secondary_gids": [3, 7]}),
    ],
)
def test_normalize_posix_user(given, expected):
    assert normalize_posix_user(given) == expected


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (None, ROOT),
        ({}, ROOT),
        ({"Path": "/"}, ROOT),
        ({"Path": "/a"}, {"path": "/a", "creation_info": None}),
        (
            {"Path": "/a", "CreationInfo": {"OwnerUid": 1, "OwnerGid": 2, "Permissions": "750"}},
            {"path": "/a", "creation_info": {"owner_uid": 1, "owner_gid": 2, "permissions": "0750"}},
        ),
    ],
)
def test_normalize_root_directory(given, expected):
    assert normalize_root_directory(given) == expected


def test_normalize_access_point_takes_the_name_from_the_tag():
    description = {
        "ClientToken": "t",
        "Name": "stale",
        "Tags": [{"Key": "Name", "Value": "web"}, {"Key": "Stack", "Value": "demo"}],
        "AccessPointId": "fsap-1",
        "AccessPointArn": "arn:aws:elasticfilesystem:us-east-1:123456789012:access-point/fsap-1",
        "FileSystemId": FS,
        "RootDirectory": {"Path": "/"},
        "OwnerId": "123456789012",
        "LifeCycleState": "creating",
    }
    assert normalize_access_point(description) == {
        "access_point_id": "fsap-1",
        "access_point_arn": "arn:aws:elasticfilesystem:us-east-1:123456789012:access-point/fsap-1",
        "file_system_id": FS,
        "name": "web",
        "posix_user": None,
        "root_directory": ROOT,
        "life_cycle_state": "creating",
        "tags": {"Name": "web", "Stack": "demo"},
    }
    del description["Tags"]
    assert normalize_access_point(description)["name"] == "stale"


def test_predicted_access_point_and_create_request():
    wanted = wanted_settings(
        params(
            posix_user={"uid": 1, "gid": 2, "secondary_gids": [4]},
            root_directory={"path": "/x", "creation_info": {"owner_uid": 1, "owner_gid": 2, "permissions": "750"}},
            wait=False,
        )
    )
    tags = {"Name": "web", "Stack": "demo"}
    assert predicted_access_point(wanted, tags) == {
        "file_system_id": FS,
        "name": "web",
        "posix_user": {"uid": 1, "gid": 2, "secondary_gids": [4]},
        "root_directory": {"path": "/x", "creation_info": {"owner_uid": 1, "owner_gid": 2, "permissions": "0750"}},
        "life_cycle_state": "creating",
        "tags": tags,
    }
    request = create_request(wanted, "token", tags)
    assert request == {
        "ClientToken": "token",
        "FileSystemId": FS,
        "Tags": [{"Key": "Name", "Value": "web"}, {"Key": "Stack", "Value": "demo"}],
        "PosixUser": {"Uid": 1, "Gid": 2, "SecondaryGids": [4]},
        "RootDirectory": {"Path": "/x", "CreationInfo": {"OwnerUid": 1, "OwnerGid": 2, "Permissions": "0750"}},
    }


def test_create_request_leaves_out_what_is_not_asked_for():
    wanted = wanted_settings(params(posix_user={"uid": 1, "gid": 2}))
    request = create_request(wanted, "token", {"Name": "web"})
    assert request["PosixUser"] == {"Uid": 1, "Gid": 2}
    assert request["RootDirectory"] == {"Path": "/"}
    assert "PosixUser" not in create_request(wanted_settings(params()), "token", {"Name": "web"})


# --- which access point to keep -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "usable"),
    [("available", True), ("creating", True), ("updating", True), ("error", False), ("deleting", False)],
)
def test_is_usable(state, usable):
    assert is_usable(access_point(state=state)) is usable


def test_choose_keeps_a_matching_one_preferring_available():
    wanted = wanted_settings(params(root_directory={"path": "/x"}))
    x = {"path": "/x", "creation_info": None}
    other = access_point("fsap-0", root_directory={"path": "/old", "creation_info": None})
    creating = access_point("fsap-1", state="creating", root_directory=x)
    available = access_point("fsap-2", root_directory=x)
    failed = access_point("fsap-3", state="error", root_directory=x)
    keep, others = choose([other, creating, available, failed], wanted)
    assert keep is available
    assert [ap["access_point_id"] for ap in others] == ["fsap-0", "fsap-1", "fsap-3"]
    keep, others = choose([creating, other], wanted)
    assert keep is creating and others == [other]


def test_choose_ties_by_id():
    wanted = wanted_settings(params())
    keep, others = choose([access_point("fsap-b"), access_point("fsap-a")], wanted)
    assert keep["access_point_id"] == "fsap-a"
    assert [ap["access_point_id"] for ap in others] == ["fsap-b"]


def test_choose_none_matching():
    wanted = wanted_settings(params(root_directory={"path": "/x"}))
    found = [
        access_point("fsap-1"),
        access_point("fsap-0", state="error", root_directory={"path": "/x", "creation_info": None}),
    ]
    keep, others = choose(found, wanted)
    assert keep is None
    assert len(others) == 2
    assert choose([], wanted) == (None, [])


def test_preferred_puts_usable_first():
    failed = access_point("fsap-0", state="error")
    creating = access_point("fsap-1", state="creating")
    available = access_point("fsap-2")
    assert preferred([failed, creating, available]) is available
    assert preferred([failed, creating]) is creating
    assert preferred([failed]) is failed


def test_immutable_message_names_the_fields():
    current = access_point(posix_user=None)
    message = immutable_message("web", current, {"posix_user": (None, {"uid": 1, "gid": 1, "secondary_gids": []})})
    assert message.startswith("posix_user of access point web (fsap-1) cannot change after it is created")
    assert "replace_on_change: true" in message


@pytest.mark.parametrize(
    ("timeout", "expected"),
    [(300, (3, 101)), (0, (3, 1)), (1, (1, 2)), (2, (2, 2)), (10, (3, 4))],
)
def test_waiter_settings(timeout, expected):
    assert waiter_settings(timeout, POLL_DELAY) == expected
