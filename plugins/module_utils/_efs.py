# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Manager behind cloudops.fargate.efs_file_system, and its pure helpers.

A file system is identified by its creation token (by default a digest of its name, which carries the stack and
the environment), so a run interrupted after CreateFileSystem finds the file system it made instead of making a
second one. The helpers validate what the caller asked for (every bad input fails before the first AWS call,
those that depend on the subnets or the existing file system before the first change), read the file system with
its mount targets, policies and tags into the module's return shape, and compare both sides in the same terms.

What changes in place: the throughput (UpdateFileSystem), the lifecycle policies (PutLifecycleConfiguration), the
backup policy (PutBackupPolicy), the file system policy (PutFileSystemPolicy), the tags, and the mount targets:
created, deleted, their security groups changed (ModifyMountTargetSecurityGroups), or replaced when their IP address
changes. What cannot (encryption, KMS key, performance mode) is an error that names the field.

Slow parts: a new file system takes seconds, a mount target about a minute and a half to become available, and a
deleted mount target a while to disappear. The module waits (within ``wait_timeout``) for what the next step needs
(the file system before its mount targets and policies, a deleted mount target before a new one in its Availability
Zone, every mount target before the file system is deleted) and, with ``wait``, for everything to be available.

FileSystemInfoManager, behind cloudops.fargate.efs_file_system_info, reads file systems with the same readers
(every file system in the shape efs_file_system returns) and adds their access points in efs_access_point's shape.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Callable
from copy import deepcopy
from typing import Any

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.policy import compare_policies
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.cloudops.fargate.plugins.module_utils._common import TAG_VALUE_MAX_LENGTH
from ansible_collections.cloudops.fargate.plugins.module_utils._common import AWSActionError
from ansible_collections.cloudops.fargate.plugins.module_utils._common import BaseResourceManager
from ansible_collections.cloudops.fargate.plugins.module_utils._common import Deadline
from ansible_collections.cloudops.fargate.plugins.module_utils._common import InputError
from ansible_collections.cloudops.fargate.plugins.module_utils._common import call
from ansible_collections.cloudops.fargate.plugins.module_utils._common import idempotency_token
from ansible_collections.cloudops.fargate.plugins.module_utils._common import paginate
from ansible_collections.cloudops.fargate.plugins.module_utils._common import tag_errors as shared_tag_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._common import wait
from ansible_collections.cloudops.fargate.plugins.module_utils._common import wanted_tags as shared_wanted_tags
from ansible_collections.cloudops.fargate.plugins.module_utils._efs_access_point import AccessPointInputError
from ansible_collections.cloudops.fargate.plugins.module_utils._efs_access_point import describe_access_points
from ansible_collections.cloudops.fargate.plugins.module_utils._efs_access_point import file_system_id_of

# --- choices and limits ---------------------------------------------------------------------------------------

NAME_TAG = "Name"
PERFORMANCE_MODES = ("generalPurpose", "maxIO")
THROUGHPUT_MODES = ("bursting", "provisioned", "elastic")
# What AWS uses when CreateFileSystem names none.
AWS_DEFAULT_PERFORMANCE_MODE = "generalPurpose"
AWS_DEFAULT_THROUGHPUT_MODE = "bursting"
MIN_PROVISIONED_THROUGHPUT = 1.0

# The lifecycle transitions AWS accepts (LifecyclePolicy in the EFS API reference), in the order of their days.
TRANSITION_DAYS = (
    "AFTER_1_DAY",
    "AFTER_7_DAYS",
    "AFTER_14_DAYS",
    "AFTER_30_DAYS",
    "AFTER_60_DAYS",
    "AFTER_90_DAYS",
    "AFTER_180_DAYS",
    "AFTER_270_DAYS",
    "AFTER_365_DAYS",
)
TRANSITION_TO_IA_CHOICES = TRANSITION_DAYS
TRANSITION_TO_ARCHIVE_CHOICES = TRANSITION_DAYS
TRANSITION_TO_PRIMARY_STORAGE_CLASS_CHOICES = ("AFTER_1_ACCESS",)
# option name -> the key of its LifecyclePolicy object; PutLifecycleConfiguration takes one key per object.
LIFECYCLE_FIELDS = {
    "transition_to_ia": "TransitionToIA",
    "transition_to_archive": "TransitionToArchive",
    "transition_to_primary_storage_class": "TransitionToPrimaryStorageClass",
}

BACKUP_ENABLED = "ENABLED"
BACKUP_DISABLED = "DISABLED"
_BACKUP_ON = ("ENABLED", "ENABLING")

CREATION_TOKEN_MAX_LENGTH = 64
POLICY_MAX_LENGTH = 20000
MAX_SECURITY_GROUPS = 5
DEFAULT_WAIT_TIMEOUT = 600
POLL_DELAY = 5

# The EFS API's own patterns (botocore's service model).
SUBNET_ID_PATTERN = re.compile(r"^subnet-[0-9a-f]{8,40}$")
SECURITY_GROUP_ID_PATTERN = re.compile(r"^sg-[0-9a-f]{8,40}$")
KMS_KEY_ID_PATTERN = re.compile(
    r"^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32}|alias/[a-zA-Z0-9/_-]+|"
    r"(arn:aws[-a-z]*:kms:[a-z0-9-]+:\d{12}:((key/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})|"
    r"(key/mrk-[0-9a-f]{32})|(alias/[a-zA-Z0-9/_-]+))))$"
)

# --- the file system policy -----------------------------------------------------------------------------------

POLICY_VERSION = "2012-10-17"
# Refuses every request that does not come over TLS (aws:SecureTransport is false for an NFS client mounting
# without the mount helper's tls option, and for API calls over plain HTTP).
DENY_INSECURE_TRANSPORT_STATEMENT: dict[str, Any] = {
    "Sid": "DenyInsecureTransport",
    "Effect": "Deny",
    "Principal": {"AWS": "*"},
    "Action": "*",
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}
# What the default file system policy (no policy at all) grants: full access to any client that connects through
# a mount target. A policy holding only a Deny would grant nothing to a client mounting without IAM authorization
# (an allow in either the file system policy or an identity policy is needed), so the policy this module writes
# when the task gives none keeps this grant next to the Deny -- the EFS console's "Enforce in-transit encryption
# for all clients" writes the same pair.
ALLOW_ACCESS_VIA_MOUNT_TARGET_STATEMENT: dict[str, Any] = {
    "Sid": "AllowAccessViaMountTarget",
    "Effect": "Allow",
    "Principal": {"AWS": "*"},
    "Action": ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite", "elasticfilesystem:ClientRootAccess"],
    "Condition": {"Bool": {"elasticfilesystem:AccessedViaMountTarget": "true"}},
}

# --- waiters ---------------------------------------------------------------------------------------------------

_RETRIED_ERRORS = (
    "ThrottlingException",
    "Throttling",
    "TooManyRequests",
    "RequestLimitExceeded",
    "InternalServerError",
)
_RETRIES = tuple({"state": "retry", "matcher": "error", "expected": code} for code in _RETRIED_ERRORS)
_NOT_AVAILABLE_MOUNT_TARGETS = "length(MountTargets[?LifeCycleState != 'available'])"
_GOING_MOUNT_TARGETS = "length(MountTargets[?LifeCycleState == 'deleting' || LifeCycleState == 'deleted'])"
WAITER_CONFIG: dict[str, Any] = {
    "version": 2,
    "waiters": {
        # DescribeFileSystems(FileSystemId=...)
        "FileSystemAvailable": {
            "operation": "DescribeFileSystems",
            "delay": POLL_DELAY,
            "maxAttempts": 120,
            "acceptors": [
                {
                    "state": "success",
                    "matcher": "pathAll",
                    "argument": "FileSystems[].LifeCycleState",
                    "expected": "available",
                },
                {
                    "state": "failure",
                    "matcher": "pathAny",
                    "argument": "FileSystems[].LifeCycleState",
                    "expected": "error",
                },
                # right after CreateFileSystem, the new file system may not be visible yet
                {"state": "retry", "matcher": "error", "expected": "FileSystemNotFound"},
                *_RETRIES,
            ],
        },
        "FileSystemDeleted": {
            "operation": "DescribeFileSystems",
            "delay": POLL_DELAY,
            "maxAttempts": 120,
            "acceptors": [
                {"state": "success", "matcher": "error", "expected": "FileSystemNotFound"},
                {"state": "success", "matcher": "path", "argument": "length(FileSystems) == `0`", "expected": True},
                {
                    "state": "success",
                    "matcher": "pathAll",
                    "argument": "FileSystems[].LifeCycleState",
                    "expected": "deleted",
                },
                *_RETRIES,
            ],
        },
        # DescribeMountTargets(FileSystemId=...): every mount target available, and those deleted gone
        "MountTargetsAvailable": {
            "operation": "DescribeMountTargets",
            "delay": POLL_DELAY,
            "maxAttempts": 120,
            "acceptors": [
                {
                    "state": "success",
                    "matcher": "path",
                    "argument": f"{_NOT_AVAILABLE_MOUNT_TARGETS} == `0`",
                    "expected": True,
                },
                {
                    "state": "failure",
                    "matcher": "pathAny",
                    "argument": "MountTargets[].LifeCycleState",
                    "expected": "error",
                },
                *_RETRIES,
            ],
        },
        # no mount target of the file system is still being deleted
        "MountTargetsDeleted": {
            "operation": "DescribeMountTargets",
            "delay": POLL_DELAY,
            "maxAttempts": 120,
            "acceptors": [
                {"state": "success", "matcher": "path", "argument": f"{_GOING_MOUNT_TARGETS} == `0`", "expected": True},
                {"state": "success", "matcher": "error", "expected": "FileSystemNotFound"},
                *_RETRIES,
            ],
        },
        # the file system has no mount target left (DeleteFileSystem refuses until then)
        "NoMountTargets": {
            "operation": "DescribeMountTargets",
            "delay": POLL_DELAY,
            "maxAttempts": 120,
            "acceptors": [
                {"state": "success", "matcher": "path", "argument": "length(MountTargets) == `0`", "expected": True},
                {"state": "success", "matcher": "error", "expected": "FileSystemNotFound"},
                *_RETRIES,
            ],
        },
    },
}


class EfsInputError(InputError):
    """The caller's arguments cannot describe a file system; the message names the option(s)."""


def _fail_on(errors: list[str]) -> None:
    if errors:
        raise EfsInputError(" ".join(errors))


# --- validation of the module's parameters ------------------------------------------------------------------------


def default_creation_token(name: str) -> str:
    """The creation token of a file system named ``name`` when the task gives none (64 hex digits)."""
    return idempotency_token(name, length=CREATION_TOKEN_MAX_LENGTH)


def identity_errors(name: str | None, creation_token: str | None) -> list[str]:
    errors = []
    if not name:
        errors.append("name must not be empty.")
    elif len(name) > TAG_VALUE_MAX_LENGTH:
        errors.append(f"name must be at most {TAG_VALUE_MAX_LENGTH} characters long (it is the Name tag's value).")
    if creation_token is not None and not 1 <= len(creation_token) <= CREATION_TOKEN_MAX_LENGTH:
        errors.append(f"creation_token must be 1 to {CREATION_TOKEN_MAX_LENGTH} characters long.")
    return errors


def encryption_errors(encrypted: bool, kms_key_id: str | None) -> list[str]:
    errors = []
    if kms_key_id is not None:
        if not encrypted:
            errors.append("kms_key_id is only valid with encrypted=true.")
        if not KMS_KEY_ID_PATTERN.match(kms_key_id):
            errors.append(
                f"kms_key_id {kms_key_id!r} is neither a key ID, a multi-Region key ID, an alias name (alias/...)"
                " nor a key or alias ARN."
            )
    return errors


def throughput_errors(
    performance_mode: str | None, throughput_mode: str | None, provisioned: float | None
) -> list[str]:
    errors = []
    if throughput_mode == "provisioned" and provisioned is None:
        errors.append("provisioned_throughput_in_mibps is required with throughput_mode=provisioned.")
    if provisioned is not None:
        if throughput_mode != "provisioned":
            errors.append("provisioned_throughput_in_mibps is only valid with throughput_mode=provisioned.")
        if provisioned < MIN_PROVISIONED_THROUGHPUT:
            errors.append(f"provisioned_throughput_in_mibps must be at least {MIN_PROVISIONED_THROUGHPUT:g}.")
    if throughput_mode == "elastic" and performance_mode == "maxIO":
        errors.append("throughput_mode=elastic is not available with performance_mode=maxIO.")
    return errors


def wanted_lifecycle_policies(option: dict[str, Any] | None) -> dict[str, str] | None:
    """The lifecycle_policies option without its unset transitions; None leaves the lifecycle alone."""
    if option is None:
        return None
    return {key: value for key, value in option.items() if key in LIFECYCLE_FIELDS and value is not None}


def lifecycle_errors(policies: dict[str, str] | None) -> list[str]:
    if not policies:
        return []
    errors = []
    for key, choices in (
        ("transition_to_ia", TRANSITION_TO_IA_CHOICES),
        ("transition_to_archive", TRANSITION_TO_ARCHIVE_CHOICES),
        ("transition_to_primary_storage_class", TRANSITION_TO_PRIMARY_STORAGE_CLASS_CHOICES),
    ):
        if key in policies and policies[key] not in choices:
            errors.append(f"lifecycle_policies.{key} must be one of {', '.join(choices)}, not {policies[key]!r}.")
    to_ia, to_archive = policies.get("transition_to_ia"), policies.get("transition_to_archive")
    both_valid = to_ia in TRANSITION_DAYS and to_archive in TRANSITION_DAYS
    if both_valid and TRANSITION_DAYS.index(to_archive) <= TRANSITION_DAYS.index(to_ia):
        errors.append(
            f"lifecycle_policies.transition_to_archive ({to_archive}) must be later than"
            f" lifecycle_policies.transition_to_ia ({to_ia}): files move to Archive only after Infrequent Access."
        )
    return errors


def parse_policy(value: Any) -> dict[str, Any]:
    """The policy option (a dict, or JSON text) as a dict; EfsInputError when it is not a policy document."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as e:
            raise EfsInputError(f"policy is not valid JSON: {e}.") from None
    if not isinstance(value, dict):
        raise EfsInputError("policy must be a JSON object (a policy document).")
    statements = value.get("Statement")
    if not isinstance(statements, (list, dict)) or not statements:
        raise EfsInputError("policy must have a Statement (one statement or a list of them).")
    for statement in statements if isinstance(statements, list) else [statements]:
        if not isinstance(statement, dict) or statement.get("Effect") not in ("Allow", "Deny"):
            raise EfsInputError("every statement of policy must be an object with Effect Allow or Deny.")
    return value


def _statements(policy: dict[str, Any]) -> list[dict[str, Any]]:
    statements = policy.get("Statement") or []
    return list(statements) if isinstance(statements, list) else [statements]


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def _is_everyone(principal: Any) -> bool:
    if principal == "*":
        return True
    return isinstance(principal, dict) and set(principal) == {"AWS"} and _as_list(principal["AWS"]) == ["*"]


def is_deny_insecure_transport(statement: dict[str, Any]) -> bool:
    """Whether a statement denies everyone every action without TLS (its Sid and Resource do not matter)."""
    if statement.get("Effect") != "Deny" or "NotAction" in statement or "NotPrincipal" in statement:
        return False
    if not _is_everyone(statement.get("Principal")):
        return False
    if not any(action in ("*", "elasticfilesystem:*") for action in _as_list(statement.get("Action"))):
        return False
    condition = statement.get("Condition")
    if not isinstance(condition, dict) or len(condition) != 1:
        return False
    operator, tests = next(iter(condition.items()))
    if operator != "Bool" or not isinstance(tests, dict) or len(tests) != 1:
        return False
    key, value = next(iter(tests.items()))
    return key.lower() == "aws:securetransport" and [str(v).lower() for v in _as_list(value)] == ["false"]


def has_deny_insecure_transport(policy: dict[str, Any] | None) -> bool:
    return bool(policy) and any(is_deny_insecure_transport(s) for s in _statements(policy))


def default_policy() -> dict[str, Any]:
    """The policy written when the task gives none: AWS's default access through mount targets, TLS only."""
    return {
        "Version": POLICY_VERSION,
        "Statement": [deepcopy(ALLOW_ACCESS_VIA_MOUNT_TARGET_STATEMENT), deepcopy(DENY_INSECURE_TRANSPORT_STATEMENT)],
    }


def wanted_policy(option: Any, deny_insecure_transport: bool) -> dict[str, Any] | None:
    """The file system policy the task asks for; None leaves the policy alone."""
    if option is None:
        return default_policy() if deny_insecure_transport else None
    policy = deepcopy(parse_policy(option))
    if deny_insecure_transport and not has_deny_insecure_transport(policy):
        policy["Statement"] = _statements(policy) + [deepcopy(DENY_INSECURE_TRANSPORT_STATEMENT)]
    if len(json.dumps(policy)) > POLICY_MAX_LENGTH:
        raise EfsInputError(f"policy must be at most {POLICY_MAX_LENGTH} characters long.")
    return policy


def without_own_resource(policy: dict[str, Any], file_system_arn: str | None) -> dict[str, Any]:
    """The policy without ``Resource`` elements that name just this file system: EFS adds one to every statement
    that has none when it stores a policy, so a statement with it and one without mean the same."""
    if not file_system_arn:
        return policy
    result = deepcopy(policy)
    statements = result.get("Statement")
    for statement in statements if isinstance(statements, list) else [statements]:
        if isinstance(statement, dict) and statement.get("Resource") in (file_system_arn, [file_system_arn]):
            del statement["Resource"]
    return result


def policies_differ(
    current: dict[str, Any] | None, wanted: dict[str, Any] | None, file_system_arn: str | None = None
) -> bool:
    """Whether the current policy must be replaced by ``wanted`` (None: left alone); compared as parsed JSON,
    with the equivalent spellings IAM accepts (a string or a one-element list, ...) counted as equal, and a
    statement's ``Resource`` naming the file system itself counted as left out."""
    if wanted is None:
        return False
    if current is None:
        return True
    return compare_policies(
        without_own_resource(current, file_system_arn), without_own_resource(wanted, file_system_arn)
    )


def mount_target_errors(mount_targets: list[dict[str, Any]] | None) -> list[str]:
    """What is wrong with the mount_targets option on its own (the subnets are read later)."""
    errors: list[str] = []
    seen: set[str] = set()
    for index, entry in enumerate(mount_targets or []):
        where = f"mount_targets[{index}]"
        subnet_id = entry.get("subnet_id")
        if not subnet_id or not SUBNET_ID_PATTERN.match(subnet_id):
            errors.append(f"{where}.subnet_id {subnet_id!r} is not a subnet ID (subnet-<hex digits>).")
        elif subnet_id in seen:
            errors.append(f"{where}.subnet_id {subnet_id} is listed more than once.")
        else:
            seen.add(subnet_id)
        groups = entry.get("security_groups")
        if groups is not None:
            if not groups:
                errors.append(f"{where}.security_groups must not be empty (leave it out to keep AWS's choice).")
            if len(set(groups)) > MAX_SECURITY_GROUPS:
                errors.append(f"{where}.security_groups may hold at most {MAX_SECURITY_GROUPS} security groups.")
            for group in groups:
                if not isinstance(group, str) or not SECURITY_GROUP_ID_PATTERN.match(group):
                    errors.append(f"{where}.security_groups: {group!r} is not a security group ID (sg-<hex digits>).")
        ip_address = entry.get("ip_address")
        if ip_address is not None:
            try:
                ipaddress.IPv4Address(ip_address)
            except ValueError:
                errors.append(f"{where}.ip_address {ip_address!r} is not an IPv4 address.")
    return errors


def tag_errors(name: str, tags: dict[str, Any] | None) -> list[str]:
    """The shared tag rules, and a Name tag in ``tags`` equal to ``name``."""
    errors = shared_tag_errors(tags)
    if tags and NAME_TAG in tags and tags[NAME_TAG] != name:
        errors.append(
            f"tags.Name ({tags[NAME_TAG]!r}) must be left out or equal name ({name!r}): name is the Name tag."
        )
    return errors


def wanted_tags(name: str, tags: dict[str, Any] | None, purge: bool) -> tuple[dict[str, str], bool]:
    """The tags to converge to and whether to purge others: the Name tag always, the task's tags when given."""
    if tags is None:
        return {NAME_TAG: name}, False
    return {**shared_wanted_tags(tags), NAME_TAG: name}, purge


def normalized_mount_targets(option: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
    if option is None:
        return None
    result = []
    for entry in option:
        groups = entry.get("security_groups")
        result.append(
            {
                "subnet_id": entry["subnet_id"],
                "security_groups": sorted(set(groups)) if groups is not None else None,
                "ip_address": entry.get("ip_address"),
            }
        )
    return result


def absent_settings(params: dict[str, Any]) -> dict[str, Any]:
    """What ``state=absent`` needs; only the identity is validated."""
    _fail_on(identity_errors(params["name"], params.get("creation_token")))
    _fail_on([] if params["wait_timeout"] >= 0 else ["wait_timeout must not be negative."])
    return {
        "name": params["name"],
        "creation_token": params.get("creation_token") or default_creation_token(params["name"]),
        "wait": params["wait"],
        "wait_timeout": params["wait_timeout"],
    }


def wanted_settings(params: dict[str, Any]) -> dict[str, Any]:
    """Validate every present-state option at once and return the file system the task describes."""
    name = params["name"]
    errors = identity_errors(name, params.get("creation_token"))
    errors += encryption_errors(params["encrypted"], params.get("kms_key_id"))
    errors += throughput_errors(
        params.get("performance_mode"), params.get("throughput_mode"), params.get("provisioned_throughput_in_mibps")
    )
    lifecycle = wanted_lifecycle_policies(params.get("lifecycle_policies"))
    errors += lifecycle_errors(lifecycle)
    if lifecycle and "transition_to_archive" in lifecycle:
        if params.get("performance_mode") == "maxIO":
            errors.append("lifecycle_policies.transition_to_archive is not available with performance_mode=maxIO.")
        if params.get("throughput_mode") not in (None, "elastic"):
            errors.append("lifecycle_policies.transition_to_archive needs throughput_mode=elastic.")
    errors += mount_target_errors(params.get("mount_targets"))
    errors += tag_errors(name or "", params.get("tags"))
    if params["wait_timeout"] < 0:
        errors.append("wait_timeout must not be negative.")
    policy = None
    try:
        policy = wanted_policy(params.get("policy"), params["deny_insecure_transport"])
    except EfsInputError as e:
        errors.append(str(e))
    _fail_on(errors)
    tags, purge = wanted_tags(name, params.get("tags"), params["purge_tags"])
    return {
        "name": name,
        "creation_token": params.get("creation_token") or default_creation_token(name),
        "encrypted": params["encrypted"],
        "kms_key_id": params.get("kms_key_id"),
        "performance_mode": params.get("performance_mode"),
        "throughput_mode": params.get("throughput_mode"),
        "provisioned_throughput_in_mibps": params.get("provisioned_throughput_in_mibps"),
        "lifecycle_policies": lifecycle,
        "backup": params.get("backup"),
        "policy": policy,
        "mount_targets": normalized_mount_targets(params.get("mount_targets")),
        "tags": tags,
        "purge_tags": purge,
        "wait": params["wait"],
        "wait_timeout": params["wait_timeout"],
    }


# --- checks that need the subnets or the existing file system ------------------------------------------------------


def subnet_facts(subnet: dict[str, Any]) -> dict[str, Any]:
    """What the module needs of a DescribeSubnets entry."""
    return {
        "subnet_id": subnet["SubnetId"],
        "vpc_id": subnet.get("VpcId"),
        "availability_zone_name": subnet.get("AvailabilityZone"),
        "availability_zone_id": subnet.get("AvailabilityZoneId"),
        "cidr_block": subnet.get("CidrBlock"),
    }


def mount_target_network_errors(
    mount_targets: list[dict[str, Any]], subnets: dict[str, dict[str, Any]], security_group_vpcs: dict[str, str]
) -> list[str]:
    """Mount targets against the subnets and security groups as EC2 knows them: one per Availability Zone (an
    AWS rule), all in one VPC, the IP address inside its subnet, the security groups in that VPC."""
    errors = []
    missing = [entry["subnet_id"] for entry in mount_targets if entry["subnet_id"] not in subnets]
    if missing:
        errors.append(f"mount_targets: subnet {', '.join(missing)} does not exist.")
    by_zone: dict[str, list[str]] = {}
    vpcs: dict[str, list[str]] = {}
    for entry in mount_targets:
        subnet = subnets.get(entry["subnet_id"])
        if subnet is None:
            continue
        by_zone.setdefault(subnet["availability_zone_name"], []).append(subnet["subnet_id"])
        vpcs.setdefault(subnet["vpc_id"], []).append(subnet["subnet_id"])
        ip_address = entry.get("ip_address")
        if ip_address and subnet.get("cidr_block"):
            network = ipaddress.IPv4Network(subnet["cidr_block"])
            address = ipaddress.IPv4Address(ip_address)
            if address not in network:
                errors.append(
                    f"mount_targets: ip_address {ip_address} is not in subnet {subnet['subnet_id']} ({network})."
                )
            elif int(address) - int(network.network_address) < 4 or address == network.broadcast_address:
                errors.append(
                    f"mount_targets: ip_address {ip_address} is reserved by AWS in subnet {subnet['subnet_id']}"
                    " (the first four addresses and the last one of every subnet)."
                )
        for group in entry.get("security_groups") or []:
            if group not in security_group_vpcs:
                errors.append(f"mount_targets: security group {group} does not exist.")
            elif security_group_vpcs[group] != subnet["vpc_id"]:
                errors.append(
                    f"mount_targets: security group {group} is in {security_group_vpcs[group]}, not in"
                    f" {subnet['vpc_id']} (the VPC of subnet {subnet['subnet_id']})."
                )
    for zone, subnet_ids in sorted(by_zone.items()):
        if len(subnet_ids) > 1:
            errors.append(
                f"mount_targets: subnets {', '.join(subnet_ids)} are all in {zone}; a file system can have only one"
                " mount target per Availability Zone."
            )
    if len(vpcs) > 1:
        described = "; ".join(f"{vpc}: {', '.join(ids)}" for vpc, ids in sorted(vpcs.items()))
        errors.append(f"mount_targets: all subnets must be in one VPC ({described}).")
    return errors


def kms_key_equivalent(current: str | None, wanted: str) -> bool | None:
    """True when the two name the same key by their text alone, None when only KMS can tell (aliases)."""
    if current is None:
        return False
    if current == wanted:
        return True
    for one, other in ((current, wanted), (wanted, current)):
        if one.startswith("arn:") and ":key/" in one and not other.startswith(("arn:", "alias/")):
            return one.rsplit(":key/", 1)[1] == other
    if current.startswith("arn:") and ":key/" in current and wanted.startswith("arn:") and ":key/" in wanted:
        return False
    return None


def immutable_differences(
    current: dict[str, Any], wanted: dict[str, Any], same_kms_key: bool = True
) -> dict[str, tuple[Any, Any]]:
    """Fields AWS cannot change on an existing file system that differ from the task's; unset options count as
    equal (``same_kms_key`` is the caller's verdict on the KMS key)."""
    found: dict[str, tuple[Any, Any]] = {}
    if bool(current.get("encrypted")) != wanted["encrypted"]:
        found["encrypted"] = (bool(current.get("encrypted")), wanted["encrypted"])
    if wanted.get("kms_key_id") is not None and not same_kms_key:
        found["kms_key_id"] = (current.get("kms_key_id"), wanted["kms_key_id"])
    if wanted.get("performance_mode") is not None and current.get("performance_mode") != wanted["performance_mode"]:
        found["performance_mode"] = (current.get("performance_mode"), wanted["performance_mode"])
    return found


def immutable_message(name: str, file_system_id: str, found: dict[str, tuple[Any, Any]]) -> str:
    described = "; ".join(
        f"{field} is {before!r}, the task asks for {after!r}" for field, (before, after) in found.items()
    )
    return (
        f"{', '.join(found)} of file system {name} ({file_system_id}) cannot change after it is created ({described})."
        " Nothing was changed. Keep the task's value equal to the file system's, or create a new file system under"
        " another name and copy the data over."
    )


def state_errors(current: dict[str, Any], wanted: dict[str, Any]) -> list[str]:
    """Combinations AWS refuses, given what the existing file system keeps."""
    errors = []
    performance_mode = current.get("performance_mode")
    throughput_mode = wanted.get("throughput_mode") or current.get("throughput_mode")
    if wanted.get("throughput_mode") == "elastic" and performance_mode == "maxIO":
        errors.append(
            f"throughput_mode=elastic is not available: file system {current.get('file_system_id')} uses maxIO."
        )
    name = (
        f"file system {current.get('file_system_id')}"
        if current.get("file_system_id") != "(new)"
        else "a new file system"
    )
    archive = "transition_to_archive" in (wanted.get("lifecycle_policies") or {})
    if archive and (performance_mode == "maxIO" or throughput_mode != "elastic"):
        errors.append(
            "lifecycle_policies.transition_to_archive needs throughput_mode=elastic and"
            f" performance_mode=generalPurpose ({name} would use {throughput_mode} and {performance_mode})."
        )
    return errors


# --- reading ------------------------------------------------------------------------------------------------------


def dns_name(file_system_id: str, file_system_arn: str | None) -> str:
    """``<fs-id>.efs.<region>.amazonaws.com`` (``.com.cn`` in the China partition), from the file system's ARN."""
    parts = (file_system_arn or "").split(":")
    region = parts[3] if len(parts) > 3 else ""
    suffix = "amazonaws.com.cn" if len(parts) > 1 and parts[1] == "aws-cn" else "amazonaws.com"
    return f"{file_system_id}.efs.{region}.{suffix}"


def lifecycle_dict(policies: list[dict[str, str]] | None) -> dict[str, str]:
    """DescribeLifecycleConfiguration's list of one-key objects as the option's dict."""
    by_key = {aws_key: option for option, aws_key in LIFECYCLE_FIELDS.items()}
    result = {}
    for policy in policies or []:
        for key, value in policy.items():
            if key in by_key and value is not None:
                result[by_key[key]] = value
    return result


def lifecycle_request(policies: dict[str, str]) -> list[dict[str, str]]:
    """The option's dict as PutLifecycleConfiguration wants it: one transition per object."""
    return [{aws_key: policies[option]} for option, aws_key in LIFECYCLE_FIELDS.items() if option in policies]


def normalize_mount_target(description: dict[str, Any], security_groups: list[str] | None) -> dict[str, Any]:
    return {
        "mount_target_id": description.get("MountTargetId"),
        "subnet_id": description.get("SubnetId"),
        "availability_zone_name": description.get("AvailabilityZoneName"),
        "availability_zone_id": description.get("AvailabilityZoneId"),
        "ip_address": description.get("IpAddress"),
        "life_cycle_state": description.get("LifeCycleState"),
        "security_groups": sorted(security_groups) if security_groups is not None else None,
    }


def _mount_target_order(mount_target: dict[str, Any]) -> tuple[str, str]:
    return (mount_target.get("availability_zone_name") or "", mount_target.get("subnet_id") or "")


def normalize_file_system(
    description: dict[str, Any],
    mount_targets: list[dict[str, Any]],
    policy: dict[str, Any] | None,
    backup_status: str | None,
    lifecycle: dict[str, str],
) -> dict[str, Any]:
    """A DescribeFileSystems entry and what goes with it, in the module's return shape."""
    result = camel_dict_to_snake_dict(description, ignore_list=["Tags"])
    result["tags"] = boto3_tag_list_to_ansible_dict(description.get("Tags") or [])
    for key in ("kms_key_id", "provisioned_throughput_in_mibps", "name"):
        result.setdefault(key, None)
    result["mount_targets"] = sorted(mount_targets, key=_mount_target_order)
    result["policy"] = policy
    result["backup_policy"] = {"status": backup_status}
    result["lifecycle_policies"] = lifecycle
    result["dns_name"] = dns_name(description["FileSystemId"], description.get("FileSystemArn"))
    return result


def backup_enabled(status: str | None) -> bool:
    return status in _BACKUP_ON


def is_going(mount_target: dict[str, Any]) -> bool:
    return mount_target.get("life_cycle_state") in ("deleting", "deleted")


def mount_target_view(mount_target: dict[str, Any]) -> dict[str, Any]:
    """What the diff shows of a mount target."""
    return {
        "subnet_id": mount_target.get("subnet_id"),
        "availability_zone_name": mount_target.get("availability_zone_name"),
        "ip_address": mount_target.get("ip_address"),
        "security_groups": mount_target.get("security_groups"),
    }


def mount_target_plan(
    current: list[dict[str, Any]], wanted: list[dict[str, Any]] | None, subnets: dict[str, dict[str, Any]], wait: bool
) -> dict[str, Any]:
    """What to do to the mount targets: ``delete`` (current entries), ``create`` (wanted entries), ``modify``
    ((current entry, security groups)), ``after`` (the mount targets as they end up, predicted), and
    ``wait_for_deletion`` (a new mount target needs an Availability Zone a deleted one still holds)."""
    plan: dict[str, Any] = {"delete": [], "create": [], "modify": [], "after": [], "wait_for_deletion": False}
    active = [mt for mt in current if not is_going(mt)]
    if wanted is None:
        plan["after"] = deepcopy(active)
        return plan
    by_subnet = {mt["subnet_id"]: mt for mt in active}
    wanted_subnets = {entry["subnet_id"] for entry in wanted}
    for mt in active:
        if mt["subnet_id"] not in wanted_subnets:
            plan["delete"].append(mt)
    for entry in wanted:
        mt = by_subnet.get(entry["subnet_id"])
        replace = mt is not None and (
            mt.get("life_cycle_state") == "error"
            or (entry.get("ip_address") is not None and entry["ip_address"] != mt.get("ip_address"))
        )
        if mt is None or replace:
            if replace:
                plan["delete"].append(mt)
            plan["create"].append(entry)
            subnet = subnets.get(entry["subnet_id"], {})
            plan["after"].append(
                {
                    "mount_target_id": None,
                    "subnet_id": entry["subnet_id"],
                    "availability_zone_name": subnet.get("availability_zone_name"),
                    "availability_zone_id": subnet.get("availability_zone_id"),
                    "ip_address": entry.get("ip_address"),
                    "life_cycle_state": "available" if wait else "creating",
                    "security_groups": entry.get("security_groups"),
                }
            )
            continue
        after = deepcopy(mt)
        groups = entry.get("security_groups")
        known = mt.get("security_groups")  # None while AWS will not tell (a mount target still being created)
        if groups is not None and known is not None and groups != sorted(known):
            plan["modify"].append((mt, groups))
            after["security_groups"] = list(groups)
        plan["after"].append(after)
    plan["after"].sort(key=_mount_target_order)
    freed_zones = {mt.get("availability_zone_name") for mt in plan["delete"]}
    freed_zones |= {mt.get("availability_zone_name") for mt in current if is_going(mt)}
    new_zones = {subnets.get(entry["subnet_id"], {}).get("availability_zone_name") for entry in plan["create"]}
    plan["wait_for_deletion"] = bool(freed_zones & new_zones)
    return plan


def plan_changes(plan: dict[str, Any]) -> bool:
    return bool(plan["delete"] or plan["create"] or plan["modify"])


def predicted_file_system(wanted: dict[str, Any], mount_targets: list[dict[str, Any]]) -> dict[str, Any]:
    """The file system a create would make, as far as it is known before it exists."""
    throughput_mode = wanted["throughput_mode"] or AWS_DEFAULT_THROUGHPUT_MODE
    return {
        "creation_token": wanted["creation_token"],
        "name": wanted["name"],
        "life_cycle_state": "available",
        "encrypted": wanted["encrypted"],
        "kms_key_id": wanted["kms_key_id"],
        "performance_mode": wanted["performance_mode"] or AWS_DEFAULT_PERFORMANCE_MODE,
        "throughput_mode": throughput_mode,
        "provisioned_throughput_in_mibps": wanted["provisioned_throughput_in_mibps"],
        "number_of_mount_targets": len(mount_targets),
        "tags": dict(wanted["tags"]),
        "mount_targets": mount_targets,
        "policy": deepcopy(wanted["policy"]),
        "backup_policy": {"status": BACKUP_ENABLED if wanted["backup"] else BACKUP_DISABLED},
        "lifecycle_policies": dict(wanted["lifecycle_policies"] or {}),
    }


# --- manager ---------------------------------------------------------------------------------------------------


class FileSystemManager(BaseResourceManager):
    """Creates, updates and deletes one EFS file system and its mount targets; ``file_system`` holds the result."""

    def __init__(self, module) -> None:
        super().__init__(module)
        self.efs = self.client("efs")
        self._ec2 = None
        self._kms = None
        self.file_system: dict[str, Any] = {}
        self._deadline = Deadline(0)
        self._token: str | None = None

    @property
    def ec2(self):
        if self._ec2 is None:
            self._ec2 = self.client("ec2")
        return self._ec2

    @property
    def kms(self):
        if self._kms is None:
            self._kms = self.client("kms")
        return self._kms

    def _start_clock(self, timeout: int) -> None:
        self._deadline = Deadline(timeout)

    # --- reading ---

    def describe(self, creation_token: str) -> dict[str, Any] | None:
        found = call(
            self.efs.describe_file_systems,
            "look the file system up by its creation token",
            CreationToken=creation_token,
        )["FileSystems"]
        return found[0] if found else None

    def _mount_targets(self, file_system_id: str) -> list[dict[str, Any]]:
        descriptions = paginate(
            self.efs.describe_mount_targets,
            f"describe the mount targets of {file_system_id}",
            "MountTargets",
            token="Marker",
            answers={"FileSystemNotFound": []},
            FileSystemId=file_system_id,
        )
        result = []
        for description in descriptions:
            groups: list[str] | None = None
            if description.get("LifeCycleState") not in ("deleting", "deleted"):
                groups = self._security_groups(description["MountTargetId"])
            result.append(normalize_mount_target(description, groups))
        return result

    def _security_groups(self, mount_target_id: str) -> list[str] | None:
        response = call(
            self.efs.describe_mount_target_security_groups,
            f"describe the security groups of mount target {mount_target_id}",
            answers={("MountTargetNotFound", "IncorrectMountTargetState"): None},
            MountTargetId=mount_target_id,
        )
        return None if response is None else list(response.get("SecurityGroups") or [])

    def _policy(self, file_system_id: str) -> dict[str, Any] | None:
        response = call(
            self.efs.describe_file_system_policy,
            f"describe the file system policy of {file_system_id}",
            answers={("PolicyNotFound", "FileSystemNotFound"): {}},
            FileSystemId=file_system_id,
        )
        text = response.get("Policy")
        return json.loads(text) if text else None

    def _backup_status(self, file_system_id: str) -> str:
        # a One Zone file system created without backups has no backup policy: disabled
        response = call(
            self.efs.describe_backup_policy,
            f"describe the backup policy of {file_system_id}",
            answers={("PolicyNotFound", "FileSystemNotFound"): {}},
            FileSystemId=file_system_id,
        )
        return (response.get("BackupPolicy") or {}).get("Status") or BACKUP_DISABLED

    def _lifecycle(self, file_system_id: str) -> dict[str, str]:
        response = call(
            self.efs.describe_lifecycle_configuration,
            f"describe the lifecycle configuration of {file_system_id}",
            answers={"FileSystemNotFound": {}},
            FileSystemId=file_system_id,
        )
        return lifecycle_dict(response.get("LifecyclePolicies"))

    def read(self, creation_token: str) -> dict[str, Any] | None:
        description = self.describe(creation_token)
        if description is None:
            return None
        return self.complete(description)

    def complete(
        self, description: dict[str, Any], mount_targets: bool = True, policies: bool = True
    ) -> dict[str, Any]:
        """A DescribeFileSystems entry with its mount targets and policies, in the module's return shape; what is
        not asked for is not read (no mount targets; no policy, a backup status of None, no lifecycle policies)."""
        file_system_id = description["FileSystemId"]
        targets = self._mount_targets(file_system_id) if mount_targets else []
        if not policies:
            return normalize_file_system(description, targets, None, None, {})
        if description.get("LifeCycleState") in ("deleting", "deleted"):
            return normalize_file_system(description, targets, None, BACKUP_DISABLED, {})
        return normalize_file_system(
            description,
            targets,
            self._policy(file_system_id),
            self._backup_status(file_system_id),
            self._lifecycle(file_system_id),
        )

    def _subnets(self, mount_targets: list[dict[str, Any]] | None) -> dict[str, dict[str, Any]]:
        """The subnets of the mount targets, checked with their security groups before anything changes."""
        if not mount_targets:
            return {}
        subnet_ids = sorted({entry["subnet_id"] for entry in mount_targets})
        group_ids = sorted({group for entry in mount_targets for group in entry.get("security_groups") or []})
        what = "describe the subnets and security groups of the mount targets"
        found = call(self.ec2.describe_subnets, what, Filters=[{"Name": "subnet-id", "Values": subnet_ids}])
        subnets = {s["SubnetId"]: subnet_facts(s) for s in found.get("Subnets", [])}
        group_vpcs: dict[str, str] = {}
        if group_ids:
            groups = call(self.ec2.describe_security_groups, what, Filters=[{"Name": "group-id", "Values": group_ids}])
            group_vpcs = {g["GroupId"]: g.get("VpcId") for g in groups.get("SecurityGroups", [])}
        errors = mount_target_network_errors(mount_targets, subnets, group_vpcs)
        if errors:
            raise AWSActionError(" ".join(errors))
        return subnets

    def _same_kms_key(self, current: str | None, wanted: str | None) -> bool:
        if wanted is None:
            return True
        verdict = kms_key_equivalent(current, wanted)
        if verdict is not None:
            return verdict
        return self._key_arn(current) == self._key_arn(wanted)

    def _key_arn(self, key: str | None) -> str | None:
        if key is None:
            return None
        response = call(
            self.kms.describe_key,
            f"look KMS key {key} up to compare it with the file system's",
            answers={"NotFoundException": None},
            KeyId=key,
        )
        if response is None:
            return f"(no such key: {key})"  # never equal to another key's ARN
        return response["KeyMetadata"]["Arn"]

    # --- waiting ---

    def _wait(self, waiter_name: str, what: str, **request: Any) -> None:
        """Wait within what is left of ``wait_timeout``: every wait of one run shares it."""
        wait(
            self.efs,
            waiter_name,
            what,
            round(self._deadline.remaining),
            POLL_DELAY,
            model=WAITER_CONFIG,
            describe=self._latest,
            **request,
        )

    def _latest(self) -> tuple[str, dict[str, Any]]:
        latest = self.read(self._token) if self._token else None
        return "", {"file_system": latest or self.file_system}

    def _wait_file_system_available(self, file_system_id: str) -> None:
        self._wait(
            "FileSystemAvailable", f"file system {file_system_id} to become available", FileSystemId=file_system_id
        )

    def _wait_everything_available(self, file_system_id: str) -> None:
        self._wait_file_system_available(file_system_id)
        self._wait(
            "MountTargetsAvailable",
            f"the mount targets of file system {file_system_id} to become available",
            FileSystemId=file_system_id,
        )

    # --- present ---

    def ensure_present(self, wanted: dict[str, Any]) -> None:
        self._token = wanted["creation_token"]
        self._start_clock(wanted["wait_timeout"])
        current = self.read(wanted["creation_token"])
        if current is None:
            new = {
                "file_system_id": "(new)",
                "performance_mode": wanted["performance_mode"] or AWS_DEFAULT_PERFORMANCE_MODE,
                "throughput_mode": AWS_DEFAULT_THROUGHPUT_MODE,
            }
            errors = state_errors(new, wanted)
            if errors:
                raise AWSActionError(" ".join(errors))
            subnets = self._subnets(wanted["mount_targets"])
            self._create(wanted, subnets)
        else:
            self._update(current, wanted)

    def _update(self, current: dict[str, Any], wanted: dict[str, Any]) -> None:
        file_system_id = current["file_system_id"]
        if current.get("life_cycle_state") in ("deleting", "deleted"):
            raise AWSActionError(
                f"File system {wanted['name']} ({file_system_id}) is being deleted; run the task again once it is"
                " gone to create it anew.",
                file_system=current,
            )
        same_key = self._same_kms_key(current.get("kms_key_id"), wanted["kms_key_id"])
        immutable = immutable_differences(current, wanted, same_kms_key=same_key)
        if immutable:
            raise AWSActionError(immutable_message(wanted["name"], file_system_id, immutable), file_system=current)
        errors = state_errors(current, wanted)
        if errors:
            raise AWSActionError(" ".join(errors), file_system=current)
        plan = mount_target_plan(current["mount_targets"], wanted["mount_targets"], {}, wanted["wait"])
        if plan["create"] or plan["modify"]:
            # Only what is new is checked against its subnets and groups (before anything changes).
            subnets = self._subnets(wanted["mount_targets"])
            plan = mount_target_plan(current["mount_targets"], wanted["mount_targets"], subnets, wanted["wait"])
        throughput = self._throughput_changes(current, wanted)
        lifecycle = wanted["lifecycle_policies"]
        lifecycle_change = lifecycle is not None and lifecycle != current["lifecycle_policies"]
        backup_change = wanted["backup"] is not None and wanted["backup"] != backup_enabled(
            current["backup_policy"]["status"]
        )
        policy_change = policies_differ(current["policy"], wanted["policy"], current.get("file_system_arn"))
        later_changes = lifecycle_change or backup_change or policy_change or plan_changes(plan)
        self.file_system = deepcopy(current)

        # Each of these calls wants an available file system; UpdateFileSystem leaves it "updating" for a while,
        # and must come first: an Archive transition needs the Elastic throughput it may switch to.
        self._update_tags(current, wanted)
        if throughput:
            if not self.check_mode and current.get("life_cycle_state") != "available":
                self._wait_file_system_available(file_system_id)
            self._update_throughput(current, throughput)
        if later_changes and not self.check_mode and (throughput or current.get("life_cycle_state") != "available"):
            self._wait_file_system_available(file_system_id)
        if lifecycle_change:
            self._put_lifecycle(current, lifecycle)
        if backup_change:
            self._put_backup(current, wanted["backup"])
        if policy_change:
            self._put_policy(current, wanted["policy"])
        if plan_changes(plan):
            self._apply_mount_targets(current, plan)

        if self.check_mode:
            return
        settled = current.get("life_cycle_state") == "available" and all(
            mt.get("life_cycle_state") == "available" for mt in current["mount_targets"]
        )
        if wanted["wait"]:
            self._wait_everything_available(file_system_id)
        if self.changed or not settled:
            self.file_system = self.read(wanted["creation_token"]) or self.file_system

    def _create(self, wanted: dict[str, Any], subnets: dict[str, dict[str, Any]]) -> None:
        plan = mount_target_plan([], wanted["mount_targets"] or [], subnets, wanted["wait"])
        predicted = predicted_file_system(wanted, plan["after"])
        self.changed = True
        self.set_diff(before={}, after=predicted)
        if self.check_mode:
            self.file_system = predicted
            return
        request: dict[str, Any] = {
            "CreationToken": wanted["creation_token"],
            "Encrypted": wanted["encrypted"],
            "Tags": ansible_dict_to_boto3_tag_list(wanted["tags"]),
        }
        if wanted["performance_mode"] is not None:
            request["PerformanceMode"] = wanted["performance_mode"]
        if wanted["kms_key_id"] is not None:
            request["KmsKeyId"] = wanted["kms_key_id"]
        if wanted["throughput_mode"] is not None:
            request["ThroughputMode"] = wanted["throughput_mode"]
        if wanted["provisioned_throughput_in_mibps"] is not None:
            request["ProvisionedThroughputInMibps"] = wanted["provisioned_throughput_in_mibps"]
        if wanted["backup"] is not None:
            request["Backup"] = wanted["backup"]
        what = f"create file system {wanted['name']}"

        def made_meanwhile(error: Exception) -> dict[str, Any]:
            """FileSystemAlreadyExists: another run made it with the same token since it was looked up."""
            existing = self.read(wanted["creation_token"])
            if existing is None:
                raise AWSActionError(f"Failed to {what}", exception=error) from error
            return {"existing": existing}

        response = call(
            self.efs.create_file_system, what, answers={"FileSystemAlreadyExists": made_meanwhile}, **request
        )
        if "existing" in response:  # converge that one instead
            self.changed = False
            self._diff_override = None
            self._update(response["existing"], wanted)
            return
        file_system_id = response["FileSystemId"]
        self._wait_file_system_available(file_system_id)
        current = {"file_system_id": file_system_id, "name": wanted["name"]}
        if wanted["lifecycle_policies"]:
            self._put_lifecycle(current, wanted["lifecycle_policies"], record=False)
        if wanted["policy"] is not None:
            self._put_policy(current, wanted["policy"], record=False)
        for entry in plan["create"]:
            self._create_mount_target(current, entry)
        if wanted["wait"]:
            self._wait_everything_available(file_system_id)
        self.file_system = self.read(wanted["creation_token"]) or predicted

    # --- updates ---

    def _throughput_changes(self, current: dict[str, Any], wanted: dict[str, Any]) -> dict[str, Any]:
        changes: dict[str, Any] = {}
        mode = wanted["throughput_mode"]
        if mode is None:
            return changes
        if mode != current.get("throughput_mode"):
            changes["throughput_mode"] = mode
        if mode == "provisioned" and wanted["provisioned_throughput_in_mibps"] != current.get(
            "provisioned_throughput_in_mibps"
        ):
            changes["provisioned_throughput_in_mibps"] = wanted["provisioned_throughput_in_mibps"]
        return changes

    def _update_throughput(self, current: dict[str, Any], changes: dict[str, Any]) -> None:
        for field, after in changes.items():
            self.differences.add(field, current.get(field), after)
            self.file_system[field] = after
        request: dict[str, Any] = {"ThroughputMode": changes.get("throughput_mode", current.get("throughput_mode"))}
        if request["ThroughputMode"] == "provisioned":
            request["ProvisionedThroughputInMibps"] = changes.get(
                "provisioned_throughput_in_mibps", current.get("provisioned_throughput_in_mibps")
            )
        self.change(
            self.efs.update_file_system,
            f"update the throughput of file system {current['file_system_id']}",
            FileSystemId=current["file_system_id"],
            **request,
        )

    def _put(
        self,
        field: str,
        current: dict[str, Any],
        after: Any,
        record: bool,
        method: Callable[..., Any],
        what: str,
        **request: Any,
    ) -> None:
        """Put one setting of the file system: in an update (``record``) as a change of ``field``, recorded and
        gated on check mode; on a file system just created (never in check mode), only the call."""
        request["FileSystemId"] = current["file_system_id"]
        if not record:
            call(method, what, **request)
            return
        self.file_system[field] = deepcopy(after)
        self.act(field, current[field], after, method, what, **request)

    def _put_lifecycle(self, current: dict[str, Any], policies: dict[str, str], record: bool = True) -> None:
        self._put(
            "lifecycle_policies",
            current,
            dict(policies),
            record,
            self.efs.put_lifecycle_configuration,
            f"put the lifecycle configuration of file system {current['file_system_id']}",
            LifecyclePolicies=lifecycle_request(policies),
        )

    def _put_backup(self, current: dict[str, Any], enabled: bool) -> None:
        status = BACKUP_ENABLED if enabled else BACKUP_DISABLED
        self._put(
            "backup_policy",
            current,
            {"status": status},
            True,
            self.efs.put_backup_policy,
            f"put the backup policy of file system {current['file_system_id']}",
            BackupPolicy={"Status": status},
        )

    def _put_policy(self, current: dict[str, Any], policy: dict[str, Any], record: bool = True) -> None:
        self._put(
            "policy",
            current,
            policy,
            record,
            self.efs.put_file_system_policy,
            f"put the file system policy of {current['file_system_id']}",
            Policy=json.dumps(policy),
        )

    def _update_tags(self, current: dict[str, Any], wanted: dict[str, Any]) -> None:
        file_system_id = current["file_system_id"]
        after = self.sync_tags(
            self.efs,
            "efs",
            file_system_id,
            current["tags"],
            wanted["tags"],
            wanted["purge_tags"],
            f"file system {file_system_id}",
        )
        if after is not None:
            self.file_system["tags"] = after
            if NAME_TAG in after:
                self.file_system["name"] = after[NAME_TAG]

    def _apply_mount_targets(self, current: dict[str, Any], plan: dict[str, Any]) -> None:
        before = [mount_target_view(mt) for mt in current["mount_targets"] if not is_going(mt)]
        after = [mount_target_view(mt) for mt in plan["after"]]
        self.differences.add("mount_targets", before, after)
        self.file_system["mount_targets"] = deepcopy(plan["after"])
        self.file_system["number_of_mount_targets"] = len(plan["after"])
        self.changed = True
        if self.check_mode:
            return
        file_system_id = current["file_system_id"]
        for mount_target in plan["delete"]:
            self._delete_mount_target(mount_target)
        if plan["wait_for_deletion"]:
            self._wait(
                "MountTargetsDeleted",
                f"the deleted mount targets of file system {file_system_id} to go (a new one needs their zone)",
                FileSystemId=file_system_id,
            )
        for entry in plan["create"]:
            self._create_mount_target(current, entry)
        for mount_target, groups in plan["modify"]:
            call(
                self.efs.modify_mount_target_security_groups,
                f"change the security groups of mount target {mount_target['mount_target_id']}",
                MountTargetId=mount_target["mount_target_id"],
                SecurityGroups=groups,
            )

    def _create_mount_target(self, current: dict[str, Any], entry: dict[str, Any]) -> None:
        request: dict[str, Any] = {"FileSystemId": current["file_system_id"], "SubnetId": entry["subnet_id"]}
        if entry.get("security_groups") is not None:
            request["SecurityGroups"] = entry["security_groups"]
        if entry.get("ip_address") is not None:
            request["IpAddress"] = entry["ip_address"]
        call(
            self.efs.create_mount_target,
            f"create a mount target of file system {current['file_system_id']} in {entry['subnet_id']}",
            **request,
        )

    def _delete_mount_target(self, mount_target: dict[str, Any]) -> None:
        call(
            self.efs.delete_mount_target,
            f"delete mount target {mount_target['mount_target_id']}",
            answers={"MountTargetNotFound": False},
            MountTargetId=mount_target["mount_target_id"],
        )

    # --- absent ---

    def ensure_absent(self, wanted: dict[str, Any]) -> None:
        self._token = wanted["creation_token"]
        self._start_clock(wanted["wait_timeout"])
        current = self.read(wanted["creation_token"])
        if current is None:
            return
        file_system_id = current["file_system_id"]
        if current.get("life_cycle_state") in ("deleting", "deleted"):
            # deleted by an earlier run that did not wait: nothing left to start
            self.file_system = current
            if wanted["wait"] and not self.check_mode:
                self._wait(
                    "FileSystemDeleted", f"file system {file_system_id} to be deleted", FileSystemId=file_system_id
                )
                self.file_system = {}
            return
        live_mount_targets = [mount_target for mount_target in current["mount_targets"] if not is_going(mount_target)]
        if current["mount_targets"] and not live_mount_targets and not wanted["wait"]:
            # An earlier call without wait started every deletion: nothing more to start until they are gone.
            self.file_system = current
            return
        self.changed = True
        self.set_diff(before=current, after={})
        if self.check_mode:
            return
        for mount_target in live_mount_targets:
            self._delete_mount_target(mount_target)
        if current["mount_targets"]:
            if not wanted["wait"]:
                # AWS deletes a file system only without mount targets (about a minute each): the caller awaits
                # them, printing progress, and calls again to delete the file system.
                self.file_system = self.read(wanted["creation_token"]) or {}
                return
            self._wait(
                "NoMountTargets",
                f"the mount targets of file system {file_system_id} to be deleted (AWS deletes a file system only"
                " without mount targets)",
                FileSystemId=file_system_id,
            )
        deleted = call(
            self.efs.delete_file_system,
            f"delete file system {wanted['name']} ({file_system_id})",
            answers={"FileSystemNotFound": False},
            FileSystemId=file_system_id,
        )
        if deleted is False:
            return
        if wanted["wait"]:
            self._wait("FileSystemDeleted", f"file system {file_system_id} to be deleted", FileSystemId=file_system_id)
            return
        self.file_system = self.read(wanted["creation_token"]) or {}


# --- efs_file_system_info -------------------------------------------------------------------------------------------


def info_filters(params: dict[str, Any]) -> dict[str, Any]:
    """The lookup efs_file_system_info's options describe, validated (EfsInputError names every bad option).

    ``file_system_id`` may be an ID or an ARN (DescribeFileSystems takes both; the ID is what the filters compare);
    ``tags`` values are compared as strings, as EFS stores them.
    """
    errors = []
    name = params.get("name")
    if name is not None:
        errors += identity_errors(name, None)
    creation_token = params.get("creation_token")
    if creation_token is not None and not 1 <= len(creation_token) <= CREATION_TOKEN_MAX_LENGTH:
        errors.append(f"creation_token must be 1 to {CREATION_TOKEN_MAX_LENGTH} characters long.")
    file_system_id = params.get("file_system_id")
    if file_system_id is not None:
        try:
            file_system_id = file_system_id_of(file_system_id)
        except AccessPointInputError as e:
            errors.append(f"{e}.")
    _fail_on(errors)
    return {
        "name": name,
        "creation_token": creation_token,
        "file_system_id": file_system_id,
        "tags": shared_wanted_tags(params.get("tags")),
    }


def matches_info_filters(description: dict[str, Any], filters: dict[str, Any]) -> bool:
    """Whether a DescribeFileSystems entry passes every filter given (AND). ``name`` matches the file system
    efs_file_system creates under that name (by the creation token it derives from it) and any file system whose
    Name tag is the name (one created with a creation token of its own)."""
    tags = boto3_tag_list_to_ansible_dict(description.get("Tags") or [])
    name = filters.get("name")
    if name is not None and not (
        description.get("CreationToken") == default_creation_token(name) or tags.get(NAME_TAG) == name
    ):
        return False
    if filters.get("creation_token") is not None and description.get("CreationToken") != filters["creation_token"]:
        return False
    if filters.get("file_system_id") is not None and description.get("FileSystemId") != filters["file_system_id"]:
        return False
    return all(key in tags and tags[key] == value for key, value in (filters.get("tags") or {}).items())


def info_order(filters: dict[str, Any]):
    """The sort key of the file systems found: by Name tag, then oldest first; with ``name``, the file system
    efs_file_system manages under that name (the derived creation token) before others that carry the tag."""
    preferred = default_creation_token(filters["name"]) if filters.get("name") is not None else None

    def key(file_system: dict[str, Any]) -> tuple[int, str, str, str]:
        return (
            0 if preferred is not None and file_system.get("creation_token") == preferred else 1,
            file_system.get("name") or file_system.get("tags", {}).get(NAME_TAG) or "",
            str(file_system.get("creation_time") or ""),
            file_system.get("file_system_id") or "",
        )

    return key


def _access_point_order(access_point: dict[str, Any]) -> tuple[str, str]:
    return (access_point.get("name") or "", access_point.get("access_point_id") or "")


class FileSystemInfoManager(FileSystemManager):
    """Reads file systems for efs_file_system_info: the file system readers of FileSystemManager (it never calls
    its mutating methods), plus the access points of each file system."""

    def list_file_systems(
        self, filters: dict[str, Any], mount_targets: bool = True, policies: bool = True
    ) -> list[dict[str, Any]]:
        """Every file system that passes ``filters`` (see info_filters), each in efs_file_system's return shape
        with its ``access_points``; an empty list when none does. Without ``mount_targets`` or ``policies``, those
        are not read (an empty list; no policy, a backup status of None and no lifecycle policies)."""
        result = []
        for description in self._descriptions(filters):
            if not matches_info_filters(description, filters):
                continue
            file_system = self.complete(description, mount_targets=mount_targets, policies=policies)
            file_system["access_points"] = self.access_points(description["FileSystemId"])
            result.append(file_system)
        return sorted(result, key=info_order(filters))

    def _descriptions(self, filters: dict[str, Any]) -> list[dict[str, Any]]:
        """DescribeFileSystems narrowed by the server where it can be (one file system ID or creation token;
        AWS takes one of them per request); the other filters are applied by the caller."""
        request: dict[str, Any] = {}
        if filters.get("file_system_id") is not None:
            request["FileSystemId"] = filters["file_system_id"]
        elif filters.get("creation_token") is not None:
            request["CreationToken"] = filters["creation_token"]
        return paginate(
            self.efs.describe_file_systems,
            "describe the file systems",
            "FileSystems",
            token="Marker",
            answers={"FileSystemNotFound": []},
            **request,
        )

    def access_points(self, file_system_id: str) -> list[dict[str, Any]]:
        """The access points of a file system in efs_access_point's return shape, by name; none when the file
        system is gone."""
        return sorted(describe_access_points(self.efs, file_system_id) or [], key=_access_point_order)
