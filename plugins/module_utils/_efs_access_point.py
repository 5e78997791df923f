# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Manager behind cloudops.fargate.efs_access_point, and its pure helpers.

An access point is identified by its file system and its ``Name`` tag. AWS cannot change an access point's
POSIX user or root directory after it is created (there is no UpdateAccessPoint), so a different spec is a
replacement: the new access point is created first and the old one deleted after it (an ECS task mounting
the old one by id keeps working until the new one exists). Only the tags change in place.

Both sides of every comparison are normalised first: AWS leaves ``SecondaryGids`` out when there are none,
gives an access point created without a root directory the path ``/``, and keeps permissions as the string
it was given (``750`` and ``0750`` are the same mode). The normalised spec is also what the ClientToken is
made of, so a re-run of an interrupted create sends the same token (and a different spec a different one).
An interrupted replacement leaves two access points of one name behind; the next run keeps the one that
matches the spec and deletes the others.

Every input is validated before the first AWS call.
"""

from __future__ import annotations

import json
import re
import unicodedata
from copy import deepcopy
from typing import Any

from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.cloudops.fargate.plugins.module_utils._common import TAG_KEY_MAX_LENGTH
from ansible_collections.cloudops.fargate.plugins.module_utils._common import TAG_VALUE_MAX_LENGTH
from ansible_collections.cloudops.fargate.plugins.module_utils._common import AWSActionError
from ansible_collections.cloudops.fargate.plugins.module_utils._common import BaseResourceManager
from ansible_collections.cloudops.fargate.plugins.module_utils._common import InputError
from ansible_collections.cloudops.fargate.plugins.module_utils._common import call
from ansible_collections.cloudops.fargate.plugins.module_utils._common import idempotency_token
from ansible_collections.cloudops.fargate.plugins.module_utils._common import merged_tags
from ansible_collections.cloudops.fargate.plugins.module_utils._common import paginate
from ansible_collections.cloudops.fargate.plugins.module_utils._common import tag_errors as shared_tag_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._common import wait
from ansible_collections.cloudops.fargate.plugins.module_utils._common import wanted_tags
from ansible_collections.cloudops.fargate.plugins.module_utils._common import without_aws_tags

# --- constants ------------------------------------------------------------------------------------------

NAME_TAG = "Name"
DEFAULT_ROOT_PATH = "/"
DEFAULT_WAIT_TIMEOUT = 300
POLL_DELAY = 3

# Limits of the EFS API (botocore's efs service model: Uid, Gid, OwnerUid, OwnerGid, SecondaryGids, Path,
# Permissions; TagKey and TagValue).
ID_RANGE = (0, 4294967295)
SECONDARY_GIDS_MAX = 16
PATH_MAX_LENGTH = 100
PATH_MAX_DEPTH = 4
# Path pattern ^(\/|(\/(?!\.)+[^$#<>;`|&?{}^*/\n]+){1,4})$: these characters are refused in a path component.
PATH_FORBIDDEN_CHARACTERS = "$#<>;`|&?{}^*\n"
_PERMISSIONS_RE = re.compile(r"^[0-7]{3,4}$")
_FILE_SYSTEM_ID_RE = re.compile(r"^fs-[0-9a-f]{8,40}$")
_FILE_SYSTEM_ARN_RE = re.compile(r"^arn:aws[-a-z]*:elasticfilesystem:[0-9a-z-:]+:file-system/(fs-[0-9a-f]{8,40})$")
# Besides letters, numbers and spaces, the only characters EFS accepts in a tag key or value.
_TAG_PUNCTUATION = "_.:/=+-@"

# The fields that cannot change after creation: a difference in any of them is a replacement.
IMMUTABLE_FIELDS = ("posix_user", "root_directory")

LIFE_CYCLE_AVAILABLE = "available"
LIFE_CYCLE_CREATING = "creating"
LIFE_CYCLE_ERROR = "error"
# Access points on their way out: not candidates to keep, nothing left to delete.
GOING_STATES = ("deleting", "deleted")

_NOT_FOUND = "AccessPointNotFound"
_FILE_SYSTEM_NOT_FOUND = "FileSystemNotFound"
_ALREADY_EXISTS = "AccessPointAlreadyExists"

_RETRIED_ERRORS = ("ThrottlingException", "TooManyRequestsException")
_LIFE_CYCLE = "AccessPoints[0].LifeCycleState"
WAITER_CONFIG = {
    "version": 2,
    "waiters": {
        # creating -> available; error (or a deletion someone else started) ends the wait at once. Right after
        # CreateAccessPoint, DescribeAccessPoints may not know the id yet: that is retried.
        "AccessPointAvailable": {
            "operation": "DescribeAccessPoints",
            "delay": POLL_DELAY,
            "maxAttempts": 100,
            "acceptors": [
                {"state": "success", "matcher": "path", "argument": _LIFE_CYCLE, "expected": LIFE_CYCLE_AVAILABLE},
                {"state": "failure", "matcher": "path", "argument": _LIFE_CYCLE, "expected": LIFE_CYCLE_ERROR},
                *(
                    {"state": "failure", "matcher": "path", "argument": _LIFE_CYCLE, "expected": s}
                    for s in GOING_STATES
                ),
                {"state": "retry", "matcher": "error", "expected": _NOT_FOUND},
                *({"state": "retry", "matcher": "error", "expected": code} for code in _RETRIED_ERRORS),
            ],
        },
        # deleting -> gone (AccessPointNotFound), or ``deleted`` while AWS still lists it.
        "AccessPointDeleted": {
            "operation": "DescribeAccessPoints",
            "delay": POLL_DELAY,
            "maxAttempts": 100,
            "acceptors": [
                {"state": "success", "matcher": "error", "expected": _NOT_FOUND},
                {"state": "success", "matcher": "path", "argument": _LIFE_CYCLE, "expected": "deleted"},
                *({"state": "retry", "matcher": "error", "expected": code} for code in _RETRIED_ERRORS),
            ],
        },
    },
}


class AccessPointInputError(InputError):
    """The caller's arguments cannot describe a valid access point; the message names the options."""


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _id_errors(option: str, value: Any) -> list[str]:
    low, high = ID_RANGE
    if not _is_int(value) or not low <= value <= high:
        return [f"{option} must be an integer from {low} to {high}, not {value!r}"]
    return []


# --- identity -------------------------------------------------------------------------------------------


def file_system_id_of(value: Any) -> str:
    """The file system id of an id or an ARN; raises AccessPointInputError for anything else."""
    if isinstance(value, str):
        if _FILE_SYSTEM_ID_RE.match(value):
            return value
        match = _FILE_SYSTEM_ARN_RE.match(value)
        if match:
            return match.group(1)
    raise AccessPointInputError(
        f"file_system_id {value!r} is neither a file system id (fs- and 8 to 40 hexadecimal digits) nor its ARN"
    )


def _tag_text_ok(text: str) -> bool:
    """Whether every character is one EFS accepts in a tag: letters, numbers, spaces and ``_.:/=+-@``."""
    return all(ch.isalnum() or unicodedata.category(ch).startswith("Z") or ch in _TAG_PUNCTUATION for ch in text)


def name_errors(name: Any, option: str = "name") -> list[str]:
    """Why ``name`` cannot be the value of the Name tag; an empty list when it can."""
    if not isinstance(name, str) or not name:
        return [f"{option} must be a non-empty string"]
    errors = []
    if len(name) > TAG_VALUE_MAX_LENGTH:
        errors.append(
            f"{option} must be at most {TAG_VALUE_MAX_LENGTH} characters long (it is the value of the Name tag),"
            f" it has {len(name)}"
        )
    if not _tag_text_ok(name):
        errors.append(f"{option} {name!r} may contain only letters, numbers, spaces and {_TAG_PUNCTUATION}")
    return errors


def tag_errors(tags: dict[str, str] | None, name: str) -> list[str]:
    """The shared rule (no ``aws:`` keys) plus EFS's own: each key and value by its length and by the characters
    EFS accepts, named one by one, and a Name tag equal to ``name``."""
    errors = shared_tag_errors(tags)
    for key, value in without_aws_tags(tags).items():
        if not 1 <= len(key) <= TAG_KEY_MAX_LENGTH:
            errors.append(f"tags: the key {key!r} must be 1 to {TAG_KEY_MAX_LENGTH} characters long")
        elif not _tag_text_ok(key):
            errors.append(f"tags: the key {key!r} may contain only letters, numbers, spaces and {_TAG_PUNCTUATION}")
        if len(value) > TAG_VALUE_MAX_LENGTH:
            errors.append(f"tags: the value of {key!r} must be at most {TAG_VALUE_MAX_LENGTH} characters long")
        elif not _tag_text_ok(value):
            errors.append(
                f"tags: the value of {key!r} may contain only letters, numbers, spaces and {_TAG_PUNCTUATION}"
            )
    if tags and NAME_TAG in tags and tags[NAME_TAG] != name:
        errors.append(
            f"tags.{NAME_TAG} is {tags[NAME_TAG]!r} but name is {name!r}; the Name tag is the name, leave it out of tags"
        )
    return errors


def with_name(tags: dict[str, str] | None, name: str) -> dict[str, str] | None:
    """Wanted tags with the Name tag, which purge_tags must never remove; ``None`` stays ``None``."""
    if tags is None:
        return None
    return {**tags, NAME_TAG: name}


# --- spec: POSIX user and root directory ----------------------------------------------------------------


def normalize_permissions(permissions: str) -> str:
    """Octal permissions with four digits: ``750`` and ``0750`` are the same mode."""
    return permissions.zfill(4)


def permissions_errors(permissions: Any, option: str = "root_directory.creation_info.permissions") -> list[str]:
    if not isinstance(permissions, str):
        kind = type(permissions).__name__
        return [
            (
                f'{option} must be a quoted string of 3 or 4 octal digits like "0750", not the {kind}'
                f" {permissions!r} (YAML reads an unquoted 0750 as the decimal number 488)"
            )
        ]
    if not _PERMISSIONS_RE.match(permissions):
        return [f'{option} must be 3 or 4 octal digits (0-7) like "0750", not {permissions!r}']
    return []


def path_errors(path: Any, option: str = "root_directory.path") -> list[str]:
    """Why ``path`` is not a root directory path EFS accepts; an empty list when it is."""
    if not isinstance(path, str) or not path:
        return [f"{option} must be a non-empty string"]
    errors = []
    if not path.startswith("/"):
        errors.append(f"{option} {path!r} must be absolute (begin with /)")
    if len(path) > PATH_MAX_LENGTH:
        errors.append(f"{option} must be at most {PATH_MAX_LENGTH} characters long, it has {len(path)}")
    if path == DEFAULT_ROOT_PATH or not path.startswith("/"):
        return errors
    components = path[1:].split("/")
    if path.endswith("/"):
        errors.append(f"{option} {path!r} must not end with /")
    elif "" in components:
        errors.append(f"{option} {path!r} must not contain //")
    if any(c in (".", "..") for c in components):
        errors.append(f"{option} {path!r} must not contain . or .. components")
    elif any(c.startswith(".") for c in components):
        errors.append(f"{option} {path!r}: a directory name must not begin with a dot")
    if len([c for c in components if c]) > PATH_MAX_DEPTH:
        errors.append(f"{option} {path!r} may have at most {PATH_MAX_DEPTH} directories")
    forbidden = sorted({ch for ch in path if ch in PATH_FORBIDDEN_CHARACTERS})
    if forbidden:
        shown = " ".join("\\n" if ch == "\n" else ch for ch in forbidden)
        errors.append(f"{option} {path!r} must not contain {shown}")
    return errors


def wanted_posix_user(given: dict[str, Any] | None) -> tuple[dict[str, Any] | None, list[str]]:
    """The POSIX user asked for, normalised (secondary GIDs sorted, without duplicates); ``None`` for none."""
    if given is None:
        return None, []
    errors = _id_errors("posix_user.uid", given.get("uid")) + _id_errors("posix_user.gid", given.get("gid"))
    secondary = given.get("secondary_gids") or []
    for index, gid in enumerate(secondary):
        errors.extend(_id_errors(f"posix_user.secondary_gids[{index}]", gid))
    unique = sorted({g for g in secondary if _is_int(g)})
    if len(unique) > SECONDARY_GIDS_MAX:
        errors.append(f"posix_user.secondary_gids may hold at most {SECONDARY_GIDS_MAX} GIDs, not {len(unique)}")
    return {"uid": given.get("uid"), "gid": given.get("gid"), "secondary_gids": unique}, errors


def wanted_root_directory(given: dict[str, Any] | None) -> tuple[dict[str, Any], list[str]]:
    """The root directory asked for, normalised; AWS's ``/`` (and no creation info) when not given."""
    given = given or {}
    path = given.get("path")
    path = DEFAULT_ROOT_PATH if path is None else path
    errors = path_errors(path)
    creation_info = given.get("creation_info")
    wanted_info = None
    if creation_info is not None:
        errors.extend(_id_errors("root_directory.creation_info.owner_uid", creation_info.get("owner_uid")))
        errors.extend(_id_errors("root_directory.creation_info.owner_gid", creation_info.get("owner_gid")))
        permissions = creation_info.get("permissions")
        permission_problems = permissions_errors(permissions)
        errors.extend(permission_problems)
        wanted_info = {
            "owner_uid": creation_info.get("owner_uid"),
            "owner_gid": creation_info.get("owner_gid"),
            "permissions": permissions if permission_problems else normalize_permissions(permissions),
        }
    return {"path": path, "creation_info": wanted_info}, errors


def wanted_settings(params: dict[str, Any]) -> dict[str, Any]:
    """The access point the caller asked for, validated and normalised; raises AccessPointInputError naming
    every bad option."""
    errors: list[str] = []
    try:
        file_system_id = file_system_id_of(params.get("file_system_id"))
    except AccessPointInputError as e:
        errors.append(str(e))
        file_system_id = params.get("file_system_id")
    name = params.get("name")
    errors.extend(name_errors(name))
    posix_user, posix_errors = wanted_posix_user(params.get("posix_user"))
    root_directory, root_errors = wanted_root_directory(params.get("root_directory"))
    tags = wanted_tags(params.get("tags"))
    errors.extend(posix_errors + root_errors + tag_errors(tags, name))
    timeout = params.get("wait_timeout", DEFAULT_WAIT_TIMEOUT)
    if not _is_int(timeout) or timeout < 0:
        errors.append(f"wait_timeout must be a number of seconds, 0 or more, not {timeout!r}")
    if errors:
        raise AccessPointInputError("; ".join(errors))
    return {
        "file_system_id": file_system_id,
        "name": name,
        "posix_user": posix_user,
        "root_directory": root_directory,
        "tags": with_name(tags, name),
        "purge_tags": params.get("purge_tags", True),
        "replace_on_change": params.get("replace_on_change", True),
        "wait": params.get("wait", True),
        "wait_timeout": timeout,
    }


def identity_of(params: dict[str, Any]) -> dict[str, Any]:
    """File system and name of the access point the task means, validated (state=absent needs only these)."""
    errors: list[str] = []
    try:
        file_system_id = file_system_id_of(params.get("file_system_id"))
    except AccessPointInputError as e:
        errors.append(str(e))
        file_system_id = None
    errors.extend(name_errors(params.get("name")))
    timeout = params.get("wait_timeout", DEFAULT_WAIT_TIMEOUT)
    if not _is_int(timeout) or timeout < 0:
        errors.append(f"wait_timeout must be a number of seconds, 0 or more, not {timeout!r}")
    if errors:
        raise AccessPointInputError("; ".join(errors))
    return {
        "file_system_id": file_system_id,
        "name": params["name"],
        "wait": params.get("wait", True),
        "wait_timeout": timeout,
    }


def spec_of(access_point: dict[str, Any]) -> dict[str, Any]:
    """What cannot change in place, of a normalised access point or of wanted_settings()."""
    return {field: deepcopy(access_point.get(field)) for field in IMMUTABLE_FIELDS}


def spec_differences(current: dict[str, Any], wanted: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """The fields that differ between an access point and the wanted spec: field -> (current, wanted)."""
    return {
        field: (current.get(field), wanted.get(field))
        for field in IMMUTABLE_FIELDS
        if current.get(field) != wanted.get(field)
    }


def client_token(file_system_id: str, name: str, spec: dict[str, Any], *salt: str) -> str:
    """The ClientToken of a create: the same file system, name and spec always give the same token, a
    different spec a different one. ``salt`` (the id of a deleted access point that held the plain token)
    moves it aside."""
    return idempotency_token(file_system_id, name, json.dumps(spec, sort_keys=True), *salt)


# --- the access point as returned ---------------------------------------------------------------------------


def normalize_posix_user(posix_user: dict[str, Any] | None) -> dict[str, Any] | None:
    if not posix_user:
        return None
    return {
        "uid": posix_user.get("Uid"),
        "gid": posix_user.get("Gid"),
        "secondary_gids": sorted(set(posix_user.get("SecondaryGids") or [])),
    }


def normalize_root_directory(root_directory: dict[str, Any] | None) -> dict[str, Any]:
    root_directory = root_directory or {}
    info = root_directory.get("CreationInfo")
    return {
        "path": root_directory.get("Path") or DEFAULT_ROOT_PATH,
        "creation_info": None
        if not info
        else {
            "owner_uid": info.get("OwnerUid"),
            "owner_gid": info.get("OwnerGid"),
            "permissions": normalize_permissions(str(info.get("Permissions", ""))),
        },
    }


def normalize_access_point(description: dict[str, Any]) -> dict[str, Any]:
    """A DescribeAccessPoints entry in the module's terms (the name is the Name tag's value)."""
    tags = boto3_tag_list_to_ansible_dict(description.get("Tags") or [])
    return {
        "access_point_id": description.get("AccessPointId"),
        "access_point_arn": description.get("AccessPointArn"),
        "file_system_id": description.get("FileSystemId"),
        "name": tags.get(NAME_TAG, description.get("Name")),
        "posix_user": normalize_posix_user(description.get("PosixUser")),
        "root_directory": normalize_root_directory(description.get("RootDirectory")),
        "life_cycle_state": description.get("LifeCycleState"),
        "tags": tags,
    }


def predicted_access_point(wanted: dict[str, Any], tags: dict[str, str]) -> dict[str, Any]:
    """The access point a create makes (check mode's answer): no id or ARN before AWS assigns them."""
    return {
        "file_system_id": wanted["file_system_id"],
        "name": wanted["name"],
        "posix_user": deepcopy(wanted["posix_user"]),
        "root_directory": deepcopy(wanted["root_directory"]),
        "life_cycle_state": LIFE_CYCLE_AVAILABLE if wanted["wait"] else LIFE_CYCLE_CREATING,
        "tags": dict(tags),
    }


def create_request(wanted: dict[str, Any], token: str, tags: dict[str, str]) -> dict[str, Any]:
    request: dict[str, Any] = {
        "ClientToken": token,
        "FileSystemId": wanted["file_system_id"],
        "Tags": ansible_dict_to_boto3_tag_list(tags),
    }
    posix_user = wanted["posix_user"]
    if posix_user is not None:
        request["PosixUser"] = {"Uid": posix_user["uid"], "Gid": posix_user["gid"]}
        if posix_user["secondary_gids"]:
            request["PosixUser"]["SecondaryGids"] = list(posix_user["secondary_gids"])
    root = wanted["root_directory"]
    request["RootDirectory"] = {"Path": root["path"]}
    if root["creation_info"] is not None:
        info = root["creation_info"]
        request["RootDirectory"]["CreationInfo"] = {
            "OwnerUid": info["owner_uid"],
            "OwnerGid": info["owner_gid"],
            "Permissions": info["permissions"],
        }
    return request


def is_usable(access_point: dict[str, Any]) -> bool:
    """Neither on its way out nor failed: an access point worth keeping."""
    return access_point["life_cycle_state"] not in GOING_STATES + (LIFE_CYCLE_ERROR,)


def _preference(access_point: dict[str, Any]) -> tuple[int, str]:
    # available first, then creating (or updating); ties broken by id so every run picks the same one
    return (0 if access_point["life_cycle_state"] == LIFE_CYCLE_AVAILABLE else 1, access_point["access_point_id"] or "")


def choose(found: list[dict[str, Any]], wanted: dict[str, Any]) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """Of the access points with the name (none on its way out), the one to keep — one that matches the spec
    and is usable, preferably available — and the others; ``(None, found)`` when none matches."""
    matching = sorted(
        (ap for ap in found if is_usable(ap) and not spec_differences(ap, wanted)),
        key=_preference,
    )
    if not matching:
        return None, sorted(found, key=_preference)
    keep = matching[0]
    return keep, sorted((ap for ap in found if ap is not keep), key=_preference)


def preferred(found: list[dict[str, Any]]) -> dict[str, Any]:
    """The access point that stands for the name in messages and diffs when several have it."""
    return min(found, key=lambda ap: (0 if is_usable(ap) else 1, *_preference(ap)))


def immutable_message(name: str, current: dict[str, Any], differences: dict[str, tuple[Any, Any]]) -> str:
    described = "; ".join(
        f"{field} is {before!r}, the task asks for {after!r}" for field, (before, after) in differences.items()
    )
    return (
        f"{', '.join(differences)} of access point {name} ({current['access_point_id']}) cannot change after it is"
        f" created ({described}). Set replace_on_change: true to create a new access point with the new settings"
        " and delete this one (tasks that mount it by id must then use the new id)."
    )


def describe_access_points(efs, file_system_id: str) -> list[dict[str, Any]] | None:
    """Every access point of a file system, normalised; ``None`` when the file system does not exist."""
    found = paginate(
        efs.describe_access_points,
        f"describe the access points of file system {file_system_id}",
        "AccessPoints",
        answers={_FILE_SYSTEM_NOT_FOUND: None},
        FileSystemId=file_system_id,
    )
    return None if found is None else [normalize_access_point(description) for description in found]


# --- manager -----------------------------------------------------------------------------------------------


class AccessPointManager(BaseResourceManager):
    """Creates, replaces, re-tags and deletes the access points of one name in one file system;
    ``access_point`` holds the result, ``deleted_access_point_ids`` what was (or would be) deleted."""

    def __init__(self, module) -> None:
        super().__init__(module)
        self.efs = self.client("efs")
        self.access_point: dict[str, Any] = {}
        self.replaced = False
        self.deleted_access_point_ids: list[str] = []
        self._replacement_fields: list[str] = []
        self._stale_id = ""

    def diff(self) -> dict[str, Any]:
        result = super().diff()
        if self._replacement_fields:
            before = result.get("before") or {}
            fields = ", ".join(self._replacement_fields)
            result = dict(
                result,
                before_header=f"access point {before.get('name', '')} {before.get('access_point_id', '')}"
                f" (deleted: {fields} cannot change in place)",
                after_header=f"access point {before.get('name', '')} (created in its place)",
            )
        return result

    # --- reading ---

    def find(self, file_system_id: str, name: str) -> list[dict[str, Any]] | None:
        """Every access point of the file system whose Name tag is ``name``; ``None`` when the file system
        does not exist."""
        found = describe_access_points(self.efs, file_system_id)
        if found is None:
            return None
        return [ap for ap in found if ap["name"] == name and ap["file_system_id"] == file_system_id]

    def _description(self, access_point_id: str) -> dict[str, Any] | None:
        response = call(
            self.efs.describe_access_points,
            f"describe access point {access_point_id}",
            answers={_NOT_FOUND: None},
            AccessPointId=access_point_id,
        )
        entries = (response or {}).get("AccessPoints") or []
        return entries[0] if entries else None

    def describe(self, access_point_id: str) -> dict[str, Any] | None:
        description = self._description(access_point_id)
        return normalize_access_point(description) if description else None

    # --- present ---

    def ensure_present(self, wanted: dict[str, Any]) -> None:
        file_system_id, name = wanted["file_system_id"], wanted["name"]
        found = self.find(file_system_id, name)
        if found is None:
            raise AWSActionError(
                f"File system {file_system_id} does not exist; create it before its access point {name}",
                access_point={},
            )
        found = [ap for ap in found if ap["life_cycle_state"] not in GOING_STATES]
        keep, others = choose(found, wanted)
        if keep is None and not found:
            self.changed = True
            self.set_diff(before={}, after=predicted_access_point(wanted, self._creation_tags(wanted, None)))
            self.access_point = self._create(wanted, self._creation_tags(wanted, None))
            return
        if keep is None:
            self._replace(preferred(found), found, wanted)
            return
        self.access_point = deepcopy(keep)
        self._update_tags(keep, wanted)
        if wanted["wait"] and not self.check_mode and keep["life_cycle_state"] != LIFE_CYCLE_AVAILABLE:
            self.access_point = self._wait_available(keep["access_point_id"], wanted["wait_timeout"])
        if others:
            self._delete_duplicates(keep, others, wanted)
        if self.changed and not self.check_mode:
            self.access_point = self.describe(keep["access_point_id"]) or self.access_point

    def _creation_tags(self, wanted: dict[str, Any], current: dict[str, Any] | None) -> dict[str, str]:
        """The tags a new access point gets: the old one's (on a replacement) brought to ``tags``, and Name."""
        base = without_aws_tags(current["tags"]) if current else {}
        tags = merged_tags(base, wanted["tags"], wanted["purge_tags"])
        tags[NAME_TAG] = wanted["name"]
        return tags

    def _replace(self, current: dict[str, Any], found: list[dict[str, Any]], wanted: dict[str, Any]) -> None:
        differences = spec_differences(current, wanted)
        if not is_usable(current) and not differences:
            differences = {"life_cycle_state": (current["life_cycle_state"], LIFE_CYCLE_AVAILABLE)}
        if not wanted["replace_on_change"]:
            raise AWSActionError(immutable_message(wanted["name"], current, differences), access_point=current)
        self.changed = True
        self.replaced = True
        self._replacement_fields = list(differences)
        tags = self._creation_tags(wanted, current)
        self.set_diff(before=current, after=predicted_access_point(wanted, tags))
        # create first, delete after: whatever mounts the old one by id keeps working until the new one exists
        # (check mode predicts ``available`` with wait, ``creating`` without, as AWS answers a create)
        self.access_point = self._create(wanted, tags)
        if self.access_point["life_cycle_state"] == LIFE_CYCLE_AVAILABLE:
            self._delete_all(found, wanted["wait"], wanted["wait_timeout"])
        # else (wait=false, still creating): the old ones stay until it is available; the next run deletes them

    def _delete_duplicates(self, keep: dict[str, Any], others: list[dict[str, Any]], wanted: dict[str, Any]) -> None:
        ready = self.access_point.get("life_cycle_state") == LIFE_CYCLE_AVAILABLE or (
            self.check_mode and wanted["wait"]
        )
        if not ready:
            return  # not before the one kept is available (wait=false): a later run deletes them
        ids = [ap["access_point_id"] for ap in others]
        self.changed = True
        self.differences.add("duplicate_access_point_ids", ids, [])
        self.module.warn(
            f"File system {wanted['file_system_id']} had {len(others) + 1} access points named {wanted['name']!r}"
            f" (a replacement interrupted or not finished yet leaves two): kept {keep['access_point_id']}, which matches the task,"
            f" {'and would delete' if self.check_mode else 'deleted'} {', '.join(ids)}"
        )
        self._delete_all(others, wanted["wait"], wanted["wait_timeout"])

    def _create(self, wanted: dict[str, Any], tags: dict[str, str]) -> dict[str, Any]:
        predicted = predicted_access_point(wanted, tags)
        if self.check_mode:
            return predicted
        spec = spec_of(wanted)
        token = client_token(wanted["file_system_id"], wanted["name"], spec)
        created = self._create_with_token(wanted, tags, token)
        if created is None:
            # the token is held by an access point that is gone, going or failed: a token of its own, as stable
            token = client_token(wanted["file_system_id"], wanted["name"], spec, self._stale_id)
            created = self._create_with_token(wanted, tags, token)
        if created is None:
            raise AWSActionError(
                f"Failed to create access point {wanted['name']}: AWS answers that its ClientToken belongs to"
                f" access point {self._stale_id}, which is gone or failed",
                access_point={},
            )
        if wanted["wait"]:
            return self._wait_available(created["access_point_id"], wanted["wait_timeout"])
        return created

    def _create_with_token(self, wanted: dict[str, Any], tags: dict[str, str], token: str) -> dict[str, Any] | None:
        """The access point made (or earlier made) with ``token``; ``None`` when the token is held by one that
        is gone, going or failed."""
        what = "the new access point" if self.replaced else "access point"

        def no_file_system(_error: Exception) -> None:
            raise AWSActionError(f"File system {wanted['file_system_id']} does not exist", access_point={})

        description = call(
            self.efs.create_access_point,
            f"create {what} {wanted['name']}",
            answers={_ALREADY_EXISTS: self._made_before, _FILE_SYSTEM_NOT_FOUND: no_file_system},
            **create_request(wanted, token, tags),
        )
        return normalize_access_point(description) if description else None

    def _made_before(self, error: Exception) -> dict[str, Any] | None:
        """CreateAccessPoint's AccessPointAlreadyExists: an earlier, interrupted run (or a retried request)
        created one with this token. Its description when it is usable (that one is ours), else None."""
        existing_id = (getattr(error, "response", None) or {}).get("AccessPointId")
        existing = self._description(existing_id) if existing_id else None
        if existing is not None and is_usable(normalize_access_point(existing)):
            return existing
        self._stale_id = existing_id or ""
        return None

    def _update_tags(self, current: dict[str, Any], wanted: dict[str, Any]) -> None:
        access_point_id = current["access_point_id"]
        after = self.sync_tags(
            self.efs,
            "efs",
            access_point_id,
            current["tags"],
            wanted["tags"],
            wanted["purge_tags"],
            f"access point {access_point_id}",
        )
        if after is not None:
            self.access_point["tags"] = after

    def _wait_available(self, access_point_id: str, timeout: int) -> dict[str, Any]:
        self._wait("AccessPointAvailable", access_point_id, timeout, "to become available")
        return self.describe(access_point_id) or {}

    def _wait(self, waiter_name: str, access_point_id: str, timeout: int, what: str) -> None:
        def latest() -> tuple[str, dict[str, Any]]:
            found = self.describe(access_point_id) or {}
            return f"it is {found.get('life_cycle_state')}", {"access_point": found}

        wait(
            self.efs,
            waiter_name,
            f"access point {access_point_id} {what}",
            timeout,
            POLL_DELAY,
            model=WAITER_CONFIG,
            describe=latest,
            AccessPointId=access_point_id,
        )

    # --- absent ---

    def ensure_absent(self, identity: dict[str, Any]) -> None:
        found = self.find(identity["file_system_id"], identity["name"])
        if not found:  # no such access point, or no such file system (and so no access point)
            return
        to_delete = [ap for ap in found if ap["life_cycle_state"] not in GOING_STATES]
        if to_delete:
            self.changed = True
            self.set_diff(before=preferred(to_delete), after={})
            self._delete_all(to_delete, wait=False, timeout=identity["wait_timeout"])
        if identity["wait"] and not self.check_mode:
            for access_point in found:
                self._wait(
                    "AccessPointDeleted", access_point["access_point_id"], identity["wait_timeout"], "to be deleted"
                )

    def _delete_all(self, access_points: list[dict[str, Any]], wait: bool, timeout: int) -> None:
        for access_point in access_points:
            self.deleted_access_point_ids.append(access_point["access_point_id"])
            if not self.check_mode:
                self._delete(access_point["access_point_id"])
        if wait and not self.check_mode:
            for access_point in access_points:
                self._wait("AccessPointDeleted", access_point["access_point_id"], timeout, "to be deleted")

    def _delete(self, access_point_id: str) -> None:
        call(
            self.efs.delete_access_point,
            f"delete access point {access_point_id}",
            answers={_NOT_FOUND: False},
            AccessPointId=access_point_id,
        )
