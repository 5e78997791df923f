# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Manager behind cloudops.fargate.log_group, and its pure helpers.

One CloudWatch Logs log group: its retention (PutRetentionPolicy / DeleteRetentionPolicy), its KMS key
(AssociateKmsKey / DisassociateKmsKey) and its tags (TagResource / UntagResource / ListTagsForResource, on the
log group's ARN without the trailing ``:*``; the older TagLogGroup family is deprecated).

The helpers validate what the caller asked for (every bad input fails before the first AWS call) and read a
DescribeLogGroups entry into the module's return shape. The manager never calls a mutating API in check mode:
it records each difference, and stops before the call.

CreateLogGroup takes no client token. The log group is looked up before it is created, and a
``ResourceAlreadyExistsException`` (another run, or an interrupted one, created it in between) is answered by
reading the log group and converging it like any existing one: never a failure, never a duplicate.
"""

from __future__ import annotations

import re
from typing import Any

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.cloudops.fargate.plugins.module_utils import _common
from ansible_collections.cloudops.fargate.plugins.module_utils._common import AWSActionError
from ansible_collections.cloudops.fargate.plugins.module_utils._common import BaseResourceManager
from ansible_collections.cloudops.fargate.plugins.module_utils._common import InputError
from ansible_collections.cloudops.fargate.plugins.module_utils._common import call
from ansible_collections.cloudops.fargate.plugins.module_utils._common import pages
from ansible_collections.cloudops.fargate.plugins.module_utils._common import wanted_tags

# --- limits, from the CloudWatch Logs API (botocore's logs service model) ---------------------------------

# Shape ``Days``: "Possible values are: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096,
# 1827, 2192, 2557, 2922, 3288, and 3653." (Never expire is the absence of a policy: DeleteRetentionPolicy.)
RETENTION_DAYS = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)
# Shape ``LogGroupName``: 1 to 512 of these characters.
NAME_PATTERN = re.compile(r"^[.\-_/#A-Za-z0-9]{1,512}$")
NAME_MAX_LENGTH = 512
# CloudWatch Logs takes the key's ARN (not a key ID, nor an alias), and describes the log group with it.
KMS_KEY_ARN_PATTERN = re.compile(r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/[A-Za-z0-9-]+$")
# The logs API's limit of tags (shape Tags); keys and values have AWS's usual lengths.
MAX_TAGS = 50

# The fields the diff shows.
DIFF_FIELDS = ("retention_in_days", "kms_key_id", "tags")


class LogGroupInputError(InputError):
    """The module's arguments cannot work; the message names every bad option."""


# --- validation and the wanted state ----------------------------------------------------------------------


def name_errors(name: Any) -> list[str]:
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        message = (
            f"name must be 1 to {NAME_MAX_LENGTH} characters of letters, digits and . - _ / # (CloudWatch Logs'"
            f" log group names), not {name!r}"
        )
        return [message]
    return []


def retention_errors(retention_days: Any, purge_retention: bool) -> list[str]:
    errors = []
    if retention_days is not None and (isinstance(retention_days, bool) or retention_days not in RETENTION_DAYS):
        allowed = ", ".join(str(days) for days in RETENTION_DAYS)
        errors.append(
            f"retention_days must be one of CloudWatch Logs' allowed values ({allowed}), not {retention_days!r};"
            " to keep log events forever, leave retention_days unset and set purge_retention: true"
        )
    if retention_days is not None and purge_retention:
        errors.append(
            "retention_days and purge_retention: true contradict each other: purge_retention removes the retention"
            " policy (never expire) and only applies when retention_days is not set"
        )
    return errors


def kms_key_errors(kms_key_id: Any) -> list[str]:
    if kms_key_id is None or kms_key_id == "" or KMS_KEY_ARN_PATTERN.match(str(kms_key_id)):
        return []
    message = (
        "kms_key_id must be the ARN of a KMS key (arn:aws:kms:<region>:<account>:key/<key id>; CloudWatch Logs"
        f' takes neither a key ID nor an alias), or "" to remove the key, not {kms_key_id!r}'
    )
    return [message]


def tag_errors(tags: dict[str, Any] | None) -> list[str]:
    return _common.tag_errors(tags, lengths=True, max_tags=MAX_TAGS)


def validate_name(name: Any) -> None:
    errors = name_errors(name)
    if errors:
        raise LogGroupInputError("; ".join(errors))


def wanted_settings(params: dict[str, Any]) -> dict[str, Any]:
    """The log group the task asks for, validated; raises LogGroupInputError naming every bad option.

    ``retention_days`` None leaves the retention alone (unless ``purge_retention``); ``kms_key_id`` None leaves
    the key alone and ``""`` removes it; ``tags`` None leaves the tags alone.
    """
    errors = (
        name_errors(params["name"])
        + retention_errors(params.get("retention_days"), bool(params.get("purge_retention")))
        + kms_key_errors(params.get("kms_key_id"))
        + tag_errors(params.get("tags"))
    )
    if errors:
        raise LogGroupInputError("; ".join(errors))
    return {
        "name": params["name"],
        "retention_days": params.get("retention_days"),
        "purge_retention": bool(params.get("purge_retention")),
        "kms_key_id": params.get("kms_key_id"),
        "tags": wanted_tags(params.get("tags")),
        "purge_tags": bool(params.get("purge_tags", True)),
    }


# --- comparing --------------------------------------------------------------------------------------------


def retention_change(current: int | None, retention_days: int | None, purge_retention: bool):
    """``(before, after)`` when the retention must change (``after`` None: never expire), else None."""
    if retention_days is not None:
        after = retention_days
    elif purge_retention:
        after = None
    else:
        return None
    return None if current == after else (current, after)


def kms_key_change(current: str | None, kms_key_id: str | None):
    """``(before, after)`` when the KMS key must change (``after`` None: no key), else None."""
    if kms_key_id is None:
        return None
    after = kms_key_id or None
    return None if (current or None) == after else (current or None, after)


# --- reading ----------------------------------------------------------------------------------------------


def exact_match(log_groups: list[dict[str, Any]], name: str) -> dict[str, Any] | None:
    """The entry named exactly ``name`` among DescribeLogGroups' answer to a name *prefix*."""
    for log_group in log_groups:
        if log_group.get("logGroupName") == name:
            return log_group
    return None


def tagging_arn(description: dict[str, Any]) -> str:
    """The ARN the tagging APIs take: ``logGroupArn``, or ``arn`` without its trailing ``:*``."""
    if description.get("logGroupArn"):
        return description["logGroupArn"]
    arn = description["arn"]
    return arn[:-2] if arn.endswith(":*") else arn


def normalize_log_group(description: dict[str, Any], tags: dict[str, str] | None) -> dict[str, Any]:
    """A DescribeLogGroups entry (with its tags) in the module's return shape."""
    return {
        "log_group_name": description["logGroupName"],
        "arn": description.get("arn"),
        "log_group_arn": tagging_arn(description) if description.get("arn") or description.get("logGroupArn") else None,
        "retention_in_days": description.get("retentionInDays"),
        "kms_key_id": description.get("kmsKeyId"),
        "creation_time": description.get("creationTime"),
        "stored_bytes": description.get("storedBytes", 0),
        "tags": dict(tags or {}),
    }


def predicted_log_group(wanted: dict[str, Any]) -> dict[str, Any]:
    """The log group a creation makes; what AWS assigns (ARNs, creation time) is None."""
    return {
        "log_group_name": wanted["name"],
        "arn": None,
        "log_group_arn": None,
        "retention_in_days": wanted["retention_days"],
        "kms_key_id": wanted["kms_key_id"] or None,
        "creation_time": None,
        "stored_bytes": 0,
        "tags": dict(wanted["tags"] or {}),
    }


def diff_view(log_group: dict[str, Any]) -> dict[str, Any]:
    """The diff's picture of a whole log group (creation, deletion)."""
    if not log_group:
        return {}
    return {"log_group_name": log_group["log_group_name"], **{field: log_group[field] for field in DIFF_FIELDS}}


def create_request(wanted: dict[str, Any]) -> dict[str, Any]:
    """CreateLogGroup's arguments: the name, the key and the tags (the retention comes after)."""
    request: dict[str, Any] = {"logGroupName": wanted["name"]}
    if wanted["kms_key_id"]:
        request["kmsKeyId"] = wanted["kms_key_id"]
    if wanted["tags"]:
        request["tags"] = dict(wanted["tags"])
    return request


def account_policy_message(description: dict[str, Any], change) -> str | None:
    """A warning when an account-level retention policy decides the retention and the task asks otherwise.

    DescribeLogGroups then reports the policy's retention (and ``retentionPolicyName``), whatever
    PutRetentionPolicy stores, so applying the change would report it again on every run.
    """
    policy = description.get("retentionPolicyName")
    if not policy or change is None:
        return None
    before, after = change
    wanted = "never expire" if after is None else f"{after} days"
    current = "never expire" if before is None else f"{before} days"
    return (
        f"The retention of log group {description['logGroupName']} is set by the account-level retention policy"
        f" {policy} ({current}); the task's retention ({wanted}) is left unapplied. Change the account policy instead."
    )


# --- manager ----------------------------------------------------------------------------------------------

_NOT_FOUND = "ResourceNotFoundException"
_ALREADY_EXISTS = "ResourceAlreadyExistsException"
# "Multiple concurrent requests to update the same resource were in conflict": worth another try.
_RETRIED_CODES = ["OperationAbortedException"]
# A created log group that is gone again before it can be read (deleted in between): try the creation again.
_CREATE_ATTEMPTS = 3


def _setting_retention(name: str, days: int) -> str:
    return f"set the retention of log group {name} to {days} days"


class LogGroupManager(BaseResourceManager):
    """Creates, updates and deletes one log group; ``log_group`` holds the result."""

    def __init__(self, module) -> None:
        super().__init__(module)
        self.logs = self.client("logs")
        self.log_group: dict[str, Any] = {}

    def client(self, service: str):
        """BaseResourceManager's client, retrying also CloudWatch Logs' concurrent-update conflicts."""
        return super().client(service, AWSRetry.jittered_backoff(catch_extra_error_codes=_RETRIED_CODES))

    # --- reading ---

    def describe(self, name: str) -> dict[str, Any] | None:
        """The DescribeLogGroups entry of exactly ``name`` (the API filters by prefix); None when missing."""
        what = f"describe log group {name}"
        for response in pages(self.logs.describe_log_groups, what, token="nextToken", logGroupNamePrefix=name):
            found = exact_match(response.get("logGroups", []), name)
            if found is not None:
                return found
        return None

    def tags(self, arn: str) -> dict[str, str] | None:
        """The log group's tags; None when it is gone."""
        response = call(
            self.logs.list_tags_for_resource,
            f"list the tags of log group {arn}",
            answers={_NOT_FOUND: None},
            resourceArn=arn,
        )
        return None if response is None else response.get("tags", {})

    def read(self, name: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """``(DescribeLogGroups entry, return shape)``, or None when the log group does not exist."""
        description = self.describe(name)
        if description is None:
            return None
        tags = self.tags(tagging_arn(description))
        if tags is None:
            return None
        return description, normalize_log_group(description, tags)

    # --- present ---

    def ensure_present(self, wanted: dict[str, Any]) -> None:
        name = wanted["name"]
        found = self.read(name)
        for _attempt in range(_CREATE_ATTEMPTS):
            if found is not None:
                break
            if self.check_mode:
                self._predict_creation(wanted)
                return
            if self._create(wanted):
                return
            # someone else created it since the lookup: read it and converge it like any existing one
            found = self.read(name)
        if found is None:
            raise AWSActionError(f"Log group {name} keeps being created and deleted by someone else; try again later")
        self._converge(wanted, *found)

    def _predict_creation(self, wanted: dict[str, Any]) -> None:
        self.log_group = predicted_log_group(wanted)
        self.changed = True
        self.set_diff(before={}, after=diff_view(self.log_group))

    def _create(self, wanted: dict[str, Any]) -> bool:
        """Create the log group; False when it exists already (created since the lookup)."""
        name = wanted["name"]
        created = call(
            self.logs.create_log_group,
            f"create log group {name}",
            answers={_ALREADY_EXISTS: False},
            **create_request(wanted),
        )
        if created is False:
            return False
        self._predict_creation(wanted)
        days = wanted["retention_days"]
        if days is not None:
            call(
                self.logs.put_retention_policy, _setting_retention(name, days), logGroupName=name, retentionInDays=days
            )
        found = self.read(name)
        if found is not None:
            self.log_group = found[1]
        return True

    def _converge(self, wanted: dict[str, Any], description: dict[str, Any], current: dict[str, Any]) -> None:
        self.log_group = dict(current)
        self._update_kms_key(wanted, current)
        self._update_retention(wanted, description, current)
        after = self.sync_tags(
            self.logs,
            "logs",
            current["log_group_arn"],
            current["tags"],
            wanted["tags"],
            wanted["purge_tags"],
            f"log group {wanted['name']}",
        )
        if after is not None:
            self.log_group["tags"] = after
        if self.changed and not self.check_mode:
            found = self.read(wanted["name"])
            if found is not None:
                self.log_group = found[1]

    def _update_kms_key(self, wanted: dict[str, Any], current: dict[str, Any]) -> None:
        change = kms_key_change(current["kms_key_id"], wanted["kms_key_id"])
        if change is None:
            return
        before, after = change
        self.log_group["kms_key_id"] = after
        name = wanted["name"]
        if after is None:
            method, request = self.logs.disassociate_kms_key, {}
            what = f"disassociate the KMS key from log group {name}"
        else:
            method, request = self.logs.associate_kms_key, {"kmsKeyId": after}
            what = f"associate KMS key {after} with log group {name}"
        self.act("kms_key_id", before, after, method, what, logGroupName=name, **request)

    def _update_retention(self, wanted: dict[str, Any], description: dict[str, Any], current: dict[str, Any]) -> None:
        change = retention_change(current["retention_in_days"], wanted["retention_days"], wanted["purge_retention"])
        warning = account_policy_message(description, change)
        if warning is not None:
            self.module.warn(warning)
            return
        if change is None:
            return
        before, after = change
        self.log_group["retention_in_days"] = after
        name = wanted["name"]
        if after is None:
            method, request = self.logs.delete_retention_policy, {}
            what = f"remove the retention policy of log group {name}"
        else:
            method, request = self.logs.put_retention_policy, {"retentionInDays": after}
            what = _setting_retention(name, after)
        self.act("retention_in_days", before, after, method, what, logGroupName=name, **request)

    # --- absent ---

    def ensure_absent(self, name: str) -> None:
        found = self.read(name)
        if found is None:
            return
        current = found[1]
        self.set_diff(before=diff_view(current), after={})
        try:
            self.change(
                self.logs.delete_log_group,
                f"delete log group {name}",
                answers={_NOT_FOUND: False},  # deleted by someone else since the lookup: the outcome is the same
                logGroupName=name,
            )
        except AWSActionError:
            self.log_group = current  # still there: the failure reports it
            raise
