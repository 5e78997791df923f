# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Managers behind cloudops.fargate.ecr_repository and ecr_repository_info, and their pure helpers.

The helpers validate and normalise what the caller asked for (repository name, lifecycle and
repository policies, tags) so that every bad input fails before the first AWS call, and compare
policies as parsed JSON so that key order, whitespace and equivalent spellings never count as a change.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from copy import deepcopy
from typing import Any

from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.cloudops.fargate.plugins.module_utils._common import AWSActionError
from ansible_collections.cloudops.fargate.plugins.module_utils._common import BaseResourceManager
from ansible_collections.cloudops.fargate.plugins.module_utils._common import InputError
from ansible_collections.cloudops.fargate.plugins.module_utils._common import batches
from ansible_collections.cloudops.fargate.plugins.module_utils._common import call
from ansible_collections.cloudops.fargate.plugins.module_utils._common import merged_tags
from ansible_collections.cloudops.fargate.plugins.module_utils._common import paginate
from ansible_collections.cloudops.fargate.plugins.module_utils._common import wanted_tags

# --- names -------------------------------------------------------------------------------------------

REPOSITORY_NAME_PATTERN = r"(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*"
REPOSITORY_NAME_MIN_LENGTH = 2
REPOSITORY_NAME_MAX_LENGTH = 256
_REPOSITORY_NAME_RE = re.compile(REPOSITORY_NAME_PATTERN)

# describe_repositories takes at most this many names per call.
_DESCRIBE_BATCH = 100

TAG_MUTABILITY_CHOICES = ("MUTABLE", "IMMUTABLE")
ENCRYPTION_TYPES = ("AES256", "KMS")

LIFECYCLE_TAG_STATUSES = ("tagged", "untagged", "any")
LIFECYCLE_COUNT_TYPES = ("imageCountMoreThan", "sinceImagePushed")
LIFECYCLE_COUNT_UNITS = ("days",)
LIFECYCLE_ACTION_TYPES = ("expire",)
_LIFECYCLE_TAG_LISTS = ("tagPrefixList", "tagPatternList")


class EcrInputError(InputError):
    """The caller's arguments cannot describe a valid repository; the message names the option."""


def repository_name_errors(name: Any, option: str = "name") -> list[str]:
    """Why ``name`` is not a valid ECR repository name; an empty list when it is."""
    if not isinstance(name, str):
        return [f"{option} must be a string"]
    errors = []
    if not REPOSITORY_NAME_MIN_LENGTH <= len(name) <= REPOSITORY_NAME_MAX_LENGTH:
        errors.append(
            f"{option} must be {REPOSITORY_NAME_MIN_LENGTH} to {REPOSITORY_NAME_MAX_LENGTH} characters long,"
            f" {name!r} has {len(name)}"
        )
    if not _REPOSITORY_NAME_RE.fullmatch(name):
        errors.append(
            f"{option} {name!r} is not a valid repository name: lowercase letters and digits, single '.', '_'"
            f" or '-' between them, and '/' between path components (pattern {REPOSITORY_NAME_PATTERN})"
        )
    return errors


def validate_repository_name(name: Any, option: str = "name") -> None:
    errors = repository_name_errors(name, option)
    if errors:
        raise EcrInputError("; ".join(errors))


# --- policies: parsing ------------------------------------------------------------------------------


def parse_policy_option(value: Any, option: str) -> dict[str, Any] | None:
    """A policy option as the module received it, parsed.

    ``None`` (unset) means leave the policy alone and is returned as ``None``; ``{}``, ``"{}"`` and an
    empty or blank string mean remove it and are returned as ``{}``; anything else must be a JSON object.
    """
    if value is None:
        return None
    if isinstance(value, (bytes, bytearray)):
        value = value.decode("utf-8")
    if isinstance(value, str):
        if not value.strip():
            return {}
        try:
            value = json.loads(value)
        except ValueError as e:
            raise EcrInputError(f"{option} is not valid JSON: {e}") from None
    if not isinstance(value, dict):
        raise EcrInputError(f"{option} must be a JSON object, not {type(value).__name__}")
    return value


def parse_policy_text(text: str | None) -> dict[str, Any] | None:
    """A policy text as AWS returns it, parsed; ``None`` when there is none."""
    if text is None or not str(text).strip():
        return None
    return json.loads(text)


# --- lifecycle policy --------------------------------------------------------------------------------


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_positive_int(value: Any) -> bool:
    return _is_int(value) and value > 0


def _one_of(choices: tuple[str, ...]) -> str:
    return ", ".join(choices)


def _lifecycle_rule_errors(rule: Any, where: str) -> list[str]:
    if not isinstance(rule, dict):
        return [f"{where} must be an object"]
    errors = []
    if not _is_positive_int(rule.get("rulePriority")):
        errors.append(f"{where}.rulePriority must be a positive integer")
    if "description" in rule and not isinstance(rule["description"], str):
        errors.append(f"{where}.description must be a string")

    selection = rule.get("selection")
    if not isinstance(selection, dict):
        errors.append(f"{where}.selection must be an object")
    else:
        errors.extend(_lifecycle_selection_errors(selection, f"{where}.selection"))

    action = rule.get("action")
    if not isinstance(action, dict):
        errors.append(f"{where}.action must be an object")
    elif action.get("type") not in LIFECYCLE_ACTION_TYPES:
        errors.append(f"{where}.action.type must be {_one_of(LIFECYCLE_ACTION_TYPES)}")
    return errors


def _lifecycle_selection_errors(selection: dict[str, Any], where: str) -> list[str]:
    errors = []
    tag_status = selection.get("tagStatus")
    if tag_status not in LIFECYCLE_TAG_STATUSES:
        errors.append(f"{where}.tagStatus must be one of {_one_of(LIFECYCLE_TAG_STATUSES)}")

    count_type = selection.get("countType")
    if count_type not in LIFECYCLE_COUNT_TYPES:
        errors.append(f"{where}.countType must be one of {_one_of(LIFECYCLE_COUNT_TYPES)}")

    if not _is_positive_int(selection.get("countNumber")):
        errors.append(f"{where}.countNumber must be a positive integer")

    if count_type == "sinceImagePushed":
        if selection.get("countUnit") not in LIFECYCLE_COUNT_UNITS:
            errors.append(
                f"{where}.countUnit must be {_one_of(LIFECYCLE_COUNT_UNITS)} when countType is sinceImagePushed"
            )
    elif "countUnit" in selection:
        errors.append(f"{where}.countUnit is only valid when countType is sinceImagePushed")

    given_lists = [key for key in _LIFECYCLE_TAG_LISTS if key in selection]
    for key in given_lists:
        value = selection[key]
        if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
            errors.append(f"{where}.{key} must be a non-empty list of non-empty strings")
    if tag_status == "tagged" and not given_lists:
        errors.append(f"{where} needs tagPrefixList or tagPatternList when tagStatus is tagged")
    elif tag_status in ("untagged", "any"):
        for key in given_lists:
            errors.append(f"{where}.{key} is only valid when tagStatus is tagged")
    return errors


def lifecycle_policy_errors(policy: Any, option: str = "lifecycle_policy") -> list[str]:
    """Why ``policy`` (parsed) is not a valid ECR lifecycle policy; an empty list when it is.

    Rules are named by their index in ``rules``, counted from 0.
    """
    if not isinstance(policy, dict):
        return [f"{option} must be a JSON object"]
    rules = policy.get("rules")
    if not isinstance(rules, list) or not rules:
        return [f"{option}.rules must be a non-empty list"]

    errors = []
    first_with_priority: dict[int, int] = {}
    any_rules: list[int] = []
    for index, rule in enumerate(rules):
        where = f"{option}.rules[{index}]"
        errors.extend(_lifecycle_rule_errors(rule, where))
        if not isinstance(rule, dict):
            continue
        priority = rule.get("rulePriority")
        if _is_positive_int(priority):
            if priority in first_with_priority:
                errors.append(
                    f"{where}.rulePriority {priority} is not unique: {option}.rules[{first_with_priority[priority]}]"
                    " has it too"
                )
            else:
                first_with_priority[priority] = index
        selection = rule.get("selection")
        if isinstance(selection, dict) and selection.get("tagStatus") == "any":
            any_rules.append(index)

    if len(any_rules) > 1:
        which = " and ".join(f"{option}.rules[{i}]" for i in any_rules)
        errors.append(f"{option}: at most one rule may have selection.tagStatus any, {which} do")
    elif any_rules and first_with_priority:
        index = any_rules[0]
        priority = rules[index].get("rulePriority")
        highest = max(first_with_priority)
        if _is_positive_int(priority) and priority != highest:
            errors.append(
                f"{option}.rules[{index}] has selection.tagStatus any and must have the highest rulePriority"
                f" ({priority} is lower than {highest})"
            )
    return errors


def normalize_lifecycle_policy(policy: dict[str, Any] | None) -> dict[str, Any] | None:
    """The canonical form of a lifecycle policy: rules ordered by priority (they are unique)."""
    if not policy:
        return None
    result = deepcopy(policy)
    rules = result.get("rules")
    if isinstance(rules, list) and all(isinstance(r, dict) and _is_int(r.get("rulePriority")) for r in rules):
        result["rules"] = sorted(rules, key=lambda r: r["rulePriority"])
    return result


def lifecycle_policies_equal(current: dict[str, Any] | None, wanted: dict[str, Any] | None) -> bool:
    """Whether two parsed lifecycle policies mean the same; ``None`` and ``{}`` both mean no policy."""
    return normalize_lifecycle_policy(current) == normalize_lifecycle_policy(wanted)


# --- repository policy ---------------------------------------------------------------------------------

_ROOT_ARN_RE = re.compile(r"^arn:[^:]+:iam::(\d{12}):root$")
_STATEMENT_LIST_KEYS = ("Action", "NotAction", "Resource", "NotResource")
_PRINCIPAL_KEYS = ("Principal", "NotPrincipal")


def repository_policy_errors(policy: Any, option: str = "repository_policy") -> list[str]:
    """Why ``policy`` (parsed) is not a usable repository policy; an empty list when it is.

    A single statement may be given as an object instead of a list of one, as IAM's grammar allows.
    """
    if not isinstance(policy, dict):
        return [f"{option} must be a JSON object"]
    statements = policy.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list) or not statements:
        return [f"{option}.Statement must be a non-empty list of statements"]
    errors = []
    for index, statement in enumerate(statements):
        where = f"{option}.Statement[{index}]"
        if not isinstance(statement, dict):
            errors.append(f"{where} must be an object")
        elif statement.get("Effect") not in ("Allow", "Deny"):
            errors.append(f"{where}.Effect must be Allow or Deny")
    return errors


def _single(value: Any) -> Any:
    """A list of one as its only element, so ``"a"`` and ``["a"]`` compare equal."""
    if isinstance(value, list) and len(value) == 1:
        return value[0]
    return value


def _canonical_principal_value(value: Any) -> Any:
    value = _single(value)
    if isinstance(value, str):
        match = _ROOT_ARN_RE.match(value)
        if match:
            return match.group(1)
    if isinstance(value, list):
        return [_canonical_principal_value(v) for v in value]
    return value


def _canonical_principal(principal: Any) -> Any:
    if isinstance(principal, dict):
        canonical = {key: _canonical_principal_value(value) for key, value in principal.items()}
        if canonical == {"AWS": "*"}:
            return "*"
        return canonical
    return principal


def _canonical_statement(statement: Any) -> Any:
    if not isinstance(statement, dict):
        return statement
    result = dict(statement)
    for key in _STATEMENT_LIST_KEYS:
        if key in result:
            result[key] = _single(result[key])
    for key in _PRINCIPAL_KEYS:
        if key in result:
            result[key] = _canonical_principal(result[key])
    return result


def normalize_repository_policy(policy: dict[str, Any] | None) -> dict[str, Any] | None:
    """The canonical form of a repository policy, for comparison only.

    ``Statement`` is always a list; a one-element list of actions, resources or principals is its element;
    ``{"AWS": "*"}`` is ``"*"``; an account's root ARN is its account ID.
    """
    if not policy:
        return None
    result = deepcopy(policy)
    statements = result.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    if isinstance(statements, list):
        result["Statement"] = [_canonical_statement(s) for s in statements]
    return result


def repository_policies_equal(current: dict[str, Any] | None, wanted: dict[str, Any] | None) -> bool:
    """Whether two parsed repository policies mean the same; ``None`` and ``{}`` both mean no policy."""
    return normalize_repository_policy(current) == normalize_repository_policy(wanted)


# --- encryption ----------------------------------------------------------------------------------------

_KMS_KEY_ARN_RE = re.compile(r"^arn:[^:]+:kms:[^:]*:[^:]*:key/(?P<key_id>.+)$")


def _kms_key_id(key: str) -> str | None:
    """The key ID of a key ARN or a bare key ID; ``None`` for aliases."""
    match = _KMS_KEY_ARN_RE.match(key)
    if match:
        return match.group("key_id")
    if key.startswith("alias/") or key.startswith("arn:"):
        return None
    return key


def is_kms_alias(key: str | None) -> bool:
    return bool(key) and (key.startswith("alias/") or bool(re.match(r"^arn:[^:]+:kms:[^:]*:[^:]*:alias/", key)))


def kms_keys_match(current: str | None, wanted: str | None) -> bool:
    """Whether two references to a KMS key are the same key, as far as can be told without KMS.

    A key ARN and its bare key ID match; aliases match only themselves (resolve them first).
    """
    if current == wanted:
        return True
    if not current or not wanted:
        return False
    current_id, wanted_id = _kms_key_id(current), _kms_key_id(wanted)
    return current_id is not None and current_id == wanted_id


def encryption_differences(current: dict[str, Any], wanted: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """The encryption settings that differ, as {option: (current, wanted)}; they cannot change in place."""
    if current.get("encryption_type") != wanted["encryption_type"]:
        return {"encryption_type": (current.get("encryption_type"), wanted["encryption_type"])}
    if wanted["encryption_type"] == "KMS" and not kms_keys_match(current.get("kms_key"), wanted.get("kms_key")):
        return {"kms_key": (current.get("kms_key"), wanted.get("kms_key"))}
    return {}


# --- registry scanning ----------------------------------------------------------------------------------
#
# The registry's scanning configuration (GetRegistryScanningConfiguration), not the repository alone, decides how
# a repository's images are scanned (ECR user guide, "Filters to choose which repositories are scanned"):
# * BASIC: a repository's own scan on push, or a registry rule with SCAN_ON_PUSH whose filter matches it, scans
#   each pushed image; otherwise its frequency is MANUAL (scans someone starts).
# * ENHANCED (Amazon Inspector): only the registry's rules count, CONTINUOUS_SCAN over SCAN_ON_PUSH when both
#   match; a repository no rule matches has scanning disabled, whatever its own scan on push says.
# A filter without a wildcard matches every name that contains it; with wildcards, ``*`` stands for zero or more
# characters of the whole name.

SCAN_TYPES = ("BASIC", "ENHANCED")
# The frequencies each scan type's rules may have, the one that wins first when rules of both match.
_RULE_FREQUENCIES = {"BASIC": ("SCAN_ON_PUSH",), "ENHANCED": ("CONTINUOUS_SCAN", "SCAN_ON_PUSH")}
_FILTER_TYPES = ("WILDCARD",)


def scanning_filter_matches(repository_filter: str, repository_name: str) -> bool:
    """Whether a registry scanning filter matches ``repository_name``, as ECR matches them."""
    if not repository_filter:
        return False
    if "*" not in repository_filter:
        return repository_filter in repository_name
    pattern = ".*".join(re.escape(part) for part in repository_filter.split("*"))
    return re.fullmatch(pattern, repository_name) is not None


def matching_scanning_rule(configuration: dict[str, Any], repository_name: str) -> tuple[str, str] | None:
    """(frequency, filter) of the registry rule that applies to ``repository_name`` under the configuration's scan
    type; ``None`` when none does. Rules of a frequency the scan type does not take are left out."""
    frequencies = _RULE_FREQUENCIES.get(configuration.get("scanType") or "BASIC", ())
    best: tuple[int, str, str] | None = None
    for rule in configuration.get("rules") or []:
        frequency = rule.get("scanFrequency")
        if frequency not in frequencies:
            continue
        for repository_filter in rule.get("repositoryFilters") or []:
            text = repository_filter.get("filter") or ""
            if repository_filter.get("filterType", "WILDCARD") not in _FILTER_TYPES:
                continue
            if scanning_filter_matches(text, repository_name):
                rank = frequencies.index(frequency)
                if best is None or rank < best[0]:
                    best = (rank, frequency, text)
                break
    return None if best is None else (best[1], best[2])


def applicable_scanning(
    configuration: dict[str, Any] | None, repository_name: str, scan_on_push: bool
) -> dict[str, Any]:
    """Which scanning applies to a repository: ``type`` (BASIC, ENHANCED, or None when nothing scans its images),
    ``frequency`` (SCAN_ON_PUSH, CONTINUOUS_SCAN, MANUAL or None), ``filter`` (that of the registry rule that
    applies, or None), ``registry_scan_type`` and ``applies_because`` (in words).

    ``configuration`` is the ``scanningConfiguration`` of GetRegistryScanningConfiguration; ``None`` when it could
    not be read, and then nothing is known.
    """
    if configuration is None:
        return {
            "type": None,
            "frequency": None,
            "filter": None,
            "registry_scan_type": None,
            "applies_because": "the registry's scanning configuration could not be read",
        }
    scan_type = configuration.get("scanType") or "BASIC"
    rule = matching_scanning_rule(configuration, repository_name)
    frequency, repository_filter = rule if rule else (None, None)
    result: dict[str, Any] = {"registry_scan_type": scan_type, "filter": repository_filter}
    if scan_type == "ENHANCED":
        if rule:
            result.update(
                type="ENHANCED",
                frequency=frequency,
                applies_because=(
                    f"the registry uses ENHANCED scanning (Amazon Inspector) and its {frequency} rule's filter"
                    f" {repository_filter!r} matches the repository; the repository's scan on push is ignored"
                ),
            )
        else:
            result.update(
                type=None,
                frequency=None,
                applies_because=(
                    "the registry uses ENHANCED scanning (Amazon Inspector) and none of its rules' filters matches"
                    " the repository, so its scanning is disabled; the repository's scan on push is ignored"
                ),
            )
    elif scan_on_push:
        result.update(
            type="BASIC",
            frequency="SCAN_ON_PUSH",
            filter=None,
            applies_because="the registry uses BASIC scanning and the repository has scan on push",
        )
    elif rule:
        result.update(
            type="BASIC",
            frequency=frequency,
            applies_because=(
                f"the registry uses BASIC scanning and its {frequency} rule's filter {repository_filter!r} matches"
                " the repository"
            ),
        )
    else:
        result.update(
            type="BASIC",
            frequency="MANUAL",
            applies_because=(
                "the registry uses BASIC scanning, the repository has no scan on push and no registry rule's filter"
                " matches it: only scans someone starts"
            ),
        )
    return result


def scanning_warning(repository_name: str, scan_on_push: bool, scanning: dict[str, Any]) -> str | None:
    """What to tell the caller when a repository asks for scan on push and that is not what scans it; else None."""
    if not scan_on_push or scanning.get("registry_scan_type") != "ENHANCED":
        return None
    if scanning.get("type") == "ENHANCED":
        return (
            f"ECR repository {repository_name} has scan on push, which the registry's ENHANCED scanning ignores: its"
            f" {scanning['frequency']} rule (filter {scanning['filter']!r}) scans the repository's images instead."
        )
    return (
        f"ECR repository {repository_name} has scan on push, but the registry uses ENHANCED scanning, which ignores"
        " it, and none of the registry's scanning rules matches the repository: nothing scans its images. Add a filter"
        " that matches it to a rule of the registry's scanning configuration."
    )


# --- the module's arguments ------------------------------------------------------------------------


def wanted_settings(params: dict[str, Any]) -> dict[str, Any]:
    """The repository the caller asked for, validated; raises EcrInputError naming the bad option.

    ``lifecycle_policy`` and ``repository_policy`` are ``None`` (leave alone), ``{}`` (remove) or a dict.
    """
    errors = repository_name_errors(params.get("name"))
    wanted: dict[str, Any] = {
        "name": params.get("name"),
        "image_tag_mutability": params.get("image_tag_mutability"),
        "scan_on_push": params.get("scan_on_push"),
        "encryption_type": params.get("encryption_type"),
        "kms_key": params.get("kms_key"),
        "tags": wanted_tags(params.get("tags")),
        "purge_tags": params.get("purge_tags", True),
    }
    if wanted["encryption_type"] == "KMS" and not wanted["kms_key"]:
        errors.append("encryption_type KMS requires kms_key")
    if wanted["encryption_type"] != "KMS" and wanted["kms_key"]:
        errors.append(f"kms_key is only valid with encryption_type KMS, not {wanted['encryption_type']}")

    for option, validate in (
        ("lifecycle_policy", lifecycle_policy_errors),
        ("repository_policy", repository_policy_errors),
    ):
        try:
            policy = parse_policy_option(params.get(option), option)
        except EcrInputError as e:
            errors.append(str(e))
            policy = None
        if policy:
            errors.extend(validate(policy, option))
        wanted[option] = policy

    if errors:
        raise EcrInputError("; ".join(errors))
    return wanted


# --- the resource as returned -----------------------------------------------------------------------


def normalize_repository(
    description: dict[str, Any],
    tags: dict[str, str] | None = None,
    lifecycle_policy: dict[str, Any] | None = None,
    repository_policy: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A DescribeRepositories entry plus its tags and policies, in the module's return shape."""
    encryption = description.get("encryptionConfiguration") or {"encryptionType": "AES256"}
    result = {
        "repository_name": description.get("repositoryName"),
        "repository_arn": description.get("repositoryArn"),
        "repository_uri": description.get("repositoryUri"),
        "registry_id": description.get("registryId"),
        "image_tag_mutability": description.get("imageTagMutability"),
        "scan_on_push": bool((description.get("imageScanningConfiguration") or {}).get("scanOnPush", False)),
        "encryption_type": encryption.get("encryptionType"),
        "lifecycle_policy": lifecycle_policy or None,
        "repository_policy": repository_policy or None,
        "tags": dict(tags or {}),
    }
    if str(encryption.get("encryptionType", "")).startswith("KMS"):
        result["kms_key"] = encryption.get("kmsKey")
    return result


def predicted_repository(wanted: dict[str, Any]) -> dict[str, Any]:
    """The repository a create would make, for check mode: no ARN, URI or registry yet."""
    result = {
        "repository_name": wanted["name"],
        "image_tag_mutability": wanted["image_tag_mutability"],
        "scan_on_push": wanted["scan_on_push"],
        "encryption_type": wanted["encryption_type"],
        "lifecycle_policy": wanted["lifecycle_policy"] or None,
        "repository_policy": wanted["repository_policy"] or None,
        "tags": merged_tags({}, wanted["tags"], wanted["purge_tags"]),
    }
    if wanted["encryption_type"] == "KMS":
        result["kms_key"] = wanted["kms_key"]
    return result


def has_all_tags(tags: dict[str, str], wanted: dict[str, Any] | None) -> bool:
    """Whether ``tags`` carries every key of ``wanted`` with the same value (compared as strings)."""
    return all(key in tags and tags[key] == value for key, value in (wanted_tags(wanted) or {}).items())


def _dump_policy(policy: dict[str, Any]) -> str:
    return json.dumps(policy, sort_keys=True)


# option -> (the call that puts it, its text parameter, the call that deletes it, the error code of no policy,
# the policy in words)
_POLICY_CALLS = {
    "lifecycle_policy": (
        "put_lifecycle_policy",
        "lifecyclePolicyText",
        "delete_lifecycle_policy",
        "LifecyclePolicyNotFoundException",
        "lifecycle policy",
    ),
    "repository_policy": (
        "set_repository_policy",
        "policyText",
        "delete_repository_policy",
        "RepositoryPolicyNotFoundException",
        "repository policy",
    ),
}


# --- managers ----------------------------------------------------------------------------------------


class EcrReader(BaseResourceManager):
    """Reads repositories, with their tags and policies, in the module's return shape."""

    def __init__(self, module) -> None:
        super().__init__(module)
        self.ecr = self.client("ecr")

    def describe(self, name: str) -> dict[str, Any] | None:
        """The DescribeRepositories entry of ``name``; ``None`` when there is no such repository."""
        response = call(
            self.ecr.describe_repositories,
            f"describe ECR repository {name}",
            answers={"RepositoryNotFoundException": {}},
            repositoryNames=[name],
        )
        found = response.get("repositories")
        return found[0] if found else None

    def describe_names(self, names: list[str]) -> list[dict[str, Any]]:
        """The entries of the repositories among ``names`` that exist, in the order of ``names``."""
        unique = list(dict.fromkeys(names))
        found: dict[str, dict[str, Any]] = {}
        for batch in batches(unique, _DESCRIBE_BATCH):
            response = call(
                self.ecr.describe_repositories,
                "describe ECR repositories",
                answers={"RepositoryNotFoundException": None},
                repositoryNames=batch,
            )
            if response is None:
                # One missing name fails the whole call: ask for each on its own.
                entries = [entry for entry in (self.describe(name) for name in batch) if entry]
            else:
                entries = response["repositories"]
            found.update((entry["repositoryName"], entry) for entry in entries)
        return [found[name] for name in unique if name in found]

    def describe_all(self) -> list[dict[str, Any]]:
        """Every repository of the registry, ordered by name."""
        entries = paginate(
            self.ecr.describe_repositories, "list ECR repositories", "repositories", token="nextToken", maxResults=1000
        )
        return sorted(entries, key=lambda entry: entry["repositoryName"])

    def tags(self, arn: str) -> dict[str, str]:
        response = call(self.ecr.list_tags_for_resource, f"list tags of {arn}", resourceArn=arn)
        return boto3_tag_list_to_ansible_dict(response.get("tags", []))

    def lifecycle_policy(self, name: str) -> dict[str, Any] | None:
        response = call(
            self.ecr.get_lifecycle_policy,
            f"get the lifecycle policy of ECR repository {name}",
            answers={("LifecyclePolicyNotFoundException", "RepositoryNotFoundException"): {}},
            repositoryName=name,
        )
        return parse_policy_text(response.get("lifecyclePolicyText"))

    def repository_policy(self, name: str) -> dict[str, Any] | None:
        response = call(
            self.ecr.get_repository_policy,
            f"get the repository policy of ECR repository {name}",
            answers={("RepositoryPolicyNotFoundException", "RepositoryNotFoundException"): {}},
            repositoryName=name,
        )
        return parse_policy_text(response.get("policyText"))

    def registry_scanning_configuration(self) -> dict[str, Any] | None:
        """The registry's ``scanningConfiguration``; ``None``, with a warning, when the caller may not read it."""
        response = call(
            self.ecr.get_registry_scanning_configuration,
            "get the scanning configuration of the ECR registry",
            answers={"AccessDeniedException": None},
        )
        if response is None:
            self.module.warn(
                "Could not read the ECR registry's scanning configuration (AccessDeniedException: the caller lacks"
                " ecr:GetRegistryScanningConfiguration), so which scanning applies to the repository is unknown."
            )
            return None
        return response.get("scanningConfiguration") or {"scanType": "BASIC", "rules": []}

    def read_scanning(self, repository: dict[str, Any]) -> dict[str, Any]:
        """Which scanning applies to ``repository`` (in the return shape); warns when its scan on push is ignored."""
        name, scan_on_push = repository["repository_name"], bool(repository.get("scan_on_push"))
        result = applicable_scanning(self.registry_scanning_configuration(), name, scan_on_push)
        warning = scanning_warning(name, scan_on_push, result)
        if warning:
            self.module.warn(warning)
        return result

    def complete(self, description: dict[str, Any], tags: dict[str, str] | None = None) -> dict[str, Any]:
        """A DescribeRepositories entry with its tags and policies, in the return shape."""
        name = description["repositoryName"]
        return normalize_repository(
            description,
            tags=self.tags(description["repositoryArn"]) if tags is None else tags,
            lifecycle_policy=self.lifecycle_policy(name),
            repository_policy=self.repository_policy(name),
        )

    def read(self, name: str) -> dict[str, Any] | None:
        description = self.describe(name)
        return None if description is None else self.complete(description)


def image_id(reference: str) -> dict[str, str]:
    """The ECR imageId of an image reference: a digest ``sha256:<hex>`` or a tag."""
    return {"imageDigest": reference} if reference.startswith("sha256:") else {"imageTag": reference}


def normalize_image(detail: dict[str, Any]) -> dict[str, Any]:
    """A DescribeImages entry in the return shape: what a deploy needs to know of the image, scan included."""
    pushed_at = detail.get("imagePushedAt")
    summary = detail.get("imageScanFindingsSummary") or {}
    return {
        "image_digest": detail.get("imageDigest"),
        "image_tags": sorted(detail.get("imageTags") or []),
        "image_pushed_at": pushed_at.isoformat() if hasattr(pushed_at, "isoformat") else pushed_at,
        "image_size_in_bytes": detail.get("imageSizeInBytes"),
        "image_manifest_media_type": detail.get("imageManifestMediaType"),
        "scan_status": (detail.get("imageScanStatus") or {}).get("status"),
        "finding_severity_counts": dict(summary.get("findingSeverityCounts") or {}),
    }


class EcrRepositoryInfoManager(EcrReader):
    def list_repositories(
        self, names: list[str] | None, tags: dict[str, Any] | None, image: str | None = None, details: bool = True
    ) -> list[dict[str, Any]]:
        """The repositories named in ``names`` (all when ``None``) that carry every tag of ``tags``; with ``image``,
        each with the image of that tag or digest under ``image`` (``None`` when the repository does not hold it).
        Without ``details``, only what DescribeRepositories says: no tags (unless ``tags`` filters) and no policies."""
        descriptions = self.describe_names(names) if names is not None else self.describe_all()
        result = []
        for description in descriptions:
            repository_tags = self.tags(description["repositoryArn"]) if details or tags else None
            if has_all_tags(repository_tags or {}, tags):
                repository = (
                    self.complete(description, tags=repository_tags)
                    if details
                    else normalize_repository(description, tags=repository_tags)
                )
                if image is not None:
                    repository["image"] = self.image(description, image)
                result.append(repository)
        return result

    def image(self, description: dict[str, Any], reference: str) -> dict[str, Any] | None:
        """The repository's image of tag or digest ``reference`` in the return shape; ``None`` when it has none."""
        name = description["repositoryName"]
        response = call(
            self.ecr.describe_images,
            f"describe image {reference} in ECR repository {name}",
            answers={"ImageNotFoundException": None},
            repositoryName=name,
            registryId=description["registryId"],
            imageIds=[image_id(reference)],
        )
        found = (response or {}).get("imageDetails") or []
        return normalize_image(found[0]) if found else None


class EcrRepositoryManager(EcrReader):
    """Creates, updates and deletes one repository; ``repository`` holds the result."""

    def __init__(self, module) -> None:
        super().__init__(module)
        self.repository: dict[str, Any] = {}
        self.scanning: dict[str, Any] = {}

    # --- present ---

    def ensure_present(self, wanted: dict[str, Any]) -> None:
        """Create or update the repository, then read which scanning applies to it (read-only, in check mode too)."""
        self._converge(wanted)
        self.scanning = self.read_scanning(self.repository)

    def _converge(self, wanted: dict[str, Any]) -> None:
        current = self.read(wanted["name"])
        if current is None:
            self._create(wanted)
            return
        self._refuse_encryption_change(current, wanted)
        self.repository = deepcopy(current)
        self._update_image_tag_mutability(current, wanted)
        self._update_scan_on_push(current, wanted)
        self._update_policy("lifecycle_policy", current, wanted, lifecycle_policies_equal)
        self._update_policy("repository_policy", current, wanted, repository_policies_equal)
        self._update_tags(current, wanted)
        if self.changed and not self.check_mode:
            self.repository = self.read(wanted["name"]) or self.repository

    def _refuse_encryption_change(self, current: dict[str, Any], wanted: dict[str, Any]) -> None:
        differences = encryption_differences(current, wanted)
        if "kms_key" in differences and (is_kms_alias(current.get("kms_key")) or is_kms_alias(wanted["kms_key"])):
            if kms_keys_match(self._resolve_kms_key(current.get("kms_key")), self._resolve_kms_key(wanted["kms_key"])):
                differences = {}
        for option, (before, after) in differences.items():
            raise AWSActionError(
                f"{option} of ECR repository {wanted['name']} cannot change after it is created: it is"
                f" {before}, the task asks for {after}. Delete the repository (and its images) and create it"
                f" again to change it.",
                repository=current,
            )

    def _resolve_kms_key(self, key: str | None) -> str | None:
        """The ARN of the key behind an alias; the reference itself when KMS cannot tell."""
        if not key:
            return key
        try:
            return call(self.client("kms").describe_key, f"look KMS key {key} up", KeyId=key)["KeyMetadata"]["Arn"]
        except AWSActionError:
            return key  # no such key, or no kms:DescribeKey: compare the references as they are

    def _create(self, wanted: dict[str, Any]) -> None:
        name = wanted["name"]
        predicted = predicted_repository(wanted)
        self.changed = True
        self.set_diff(before={}, after=predicted)
        if self.check_mode:
            self.repository = predicted
            return
        encryption = {"encryptionType": wanted["encryption_type"]}
        if wanted["encryption_type"] == "KMS":
            encryption["kmsKey"] = wanted["kms_key"]
        request: dict[str, Any] = {
            "repositoryName": name,
            "imageTagMutability": wanted["image_tag_mutability"],
            "imageScanningConfiguration": {"scanOnPush": wanted["scan_on_push"]},
            "encryptionConfiguration": encryption,
        }
        if predicted["tags"]:
            request["tags"] = ansible_dict_to_boto3_tag_list(predicted["tags"])
        call(self.ecr.create_repository, f"create ECR repository {name}", **request)
        for option in _POLICY_CALLS:
            if wanted[option]:
                method, what, kwargs = self._policy_call(option, name, wanted[option])
                call(method, what, **kwargs)
        self.repository = self.read(name) or predicted

    def _update_image_tag_mutability(self, current: dict[str, Any], wanted: dict[str, Any]) -> None:
        value = wanted["image_tag_mutability"]
        self.repository["image_tag_mutability"] = value
        self.act(
            "image_tag_mutability",
            current["image_tag_mutability"],
            value,
            self.ecr.put_image_tag_mutability,
            f"set the tag mutability of ECR repository {wanted['name']}",
            repositoryName=wanted["name"],
            imageTagMutability=value,
        )

    def _update_scan_on_push(self, current: dict[str, Any], wanted: dict[str, Any]) -> None:
        value = wanted["scan_on_push"]
        self.repository["scan_on_push"] = value
        self.act(
            "scan_on_push",
            current["scan_on_push"],
            value,
            self.ecr.put_image_scanning_configuration,
            f"set scan on push of ECR repository {wanted['name']}",
            repositoryName=wanted["name"],
            imageScanningConfiguration={"scanOnPush": value},
        )

    def _policy_call(
        self, option: str, name: str, policy: dict[str, Any] | None
    ) -> tuple[Callable[..., Any], str, dict[str, Any]]:
        """The call (method, what, arguments) that gives repository ``name`` the policy ``option``, or deletes it
        when ``policy`` is None (a policy already gone counts as deleted)."""
        put, text_key, delete, not_found, words = _POLICY_CALLS[option]
        if policy is None:
            return (
                getattr(self.ecr, delete),
                f"delete the {words} of ECR repository {name}",
                {"answers": {not_found: False}, "repositoryName": name},
            )
        verb = put.split("_", 1)[0]
        return (
            getattr(self.ecr, put),
            f"{verb} the {words} of ECR repository {name}",
            {"repositoryName": name, text_key: _dump_policy(policy)},
        )

    def _update_policy(
        self, option: str, current: dict[str, Any], wanted: dict[str, Any], equal: Callable[..., bool]
    ) -> None:
        """A policy option: left alone when unset, compared by meaning (``equal``), ``{}`` deletes it."""
        policy = wanted[option]
        if policy is None or equal(current[option], policy):
            return
        after = policy or None
        self.repository[option] = after
        method, what, kwargs = self._policy_call(option, wanted["name"], after)
        self.act(option, current[option], after, method, what, **kwargs)

    def _update_tags(self, current: dict[str, Any], wanted: dict[str, Any]) -> None:
        after = self.sync_tags(
            self.ecr,
            "ecr",
            current["repository_arn"],
            current["tags"],
            wanted["tags"],
            wanted["purge_tags"],
            f"ECR repository {wanted['name']}",
        )
        if after is not None:
            self.repository["tags"] = after

    def image_count(self, name: str) -> int:
        """How many images (by digest) the repository holds; 0 when it does not exist."""
        images = paginate(
            self.ecr.list_images,
            f"list the images of ECR repository {name}",
            "imageIds",
            token="nextToken",
            answers={"RepositoryNotFoundException": []},
            repositoryName=name,
            maxResults=1000,
        )
        return len({image.get("imageDigest", "") for image in images})

    def ensure_absent(self, name: str, force: bool) -> None:
        current = self.read(name)
        if current is None:
            return
        count = self.image_count(name)
        if count and not force:
            raise AWSActionError(
                f"ECR repository {name} holds {count} image{'s' if count != 1 else ''}; set force: true to"
                " delete it with its images",
                repository=current,
            )
        self.set_diff(before=current, after={})
        self.change(
            self.ecr.delete_repository,
            f"delete ECR repository {name}",
            answers={"RepositoryNotFoundException": False},
            repositoryName=name,
            force=bool(force),
        )
