# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Manager behind cloudops.fargate.iam_role, and its pure helpers.

One IAM role with its trust policy, description, maximum session duration, inline policies, attached managed
policies and tags; nothing else (no instance profiles: a deletion only takes the role out of the instance
profiles it is in, and never deletes them).

Both sides of every comparison are normalised first: policy documents are compared as parsed JSON (IAM returns
them URL-encoded JSON, which botocore usually decodes already: ``policy_document`` takes either), a missing
description is "", managed policies are compared as sets of ARNs.

CreateRole takes no client token. The role is read before it is created, and an ``EntityAlreadyExists`` (another
run, or an interrupted one, created it in between) is answered by reading the role and converging it. Every input
is validated before the first AWS call; check mode records each difference and stops before the call.
"""

from __future__ import annotations

import json
import re
import unicodedata
from contextlib import contextmanager
from copy import deepcopy
from typing import Any
from urllib.parse import unquote

from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.cloudops.fargate.plugins.module_utils._common import AWSActionError
from ansible_collections.cloudops.fargate.plugins.module_utils._common import BaseResourceManager
from ansible_collections.cloudops.fargate.plugins.module_utils._common import InputError
from ansible_collections.cloudops.fargate.plugins.module_utils._common import call
from ansible_collections.cloudops.fargate.plugins.module_utils._common import paginate
from ansible_collections.cloudops.fargate.plugins.module_utils._common import tag_errors as shared_tag_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._common import wait
from ansible_collections.cloudops.fargate.plugins.module_utils._common import wanted_tags

# --- limits, from the IAM API (botocore's iam service model) ------------------------------------------------

# roleNameType: 1 to 64 of [\w+=,.@-] (IAM's \w is ASCII); policyNameType the same, 1 to 128.
NAME_MAX_LENGTH = 64
POLICY_NAME_MAX_LENGTH = 128
_NAME_CHARACTERS = r"[A-Za-z0-9_+=,.@-]"
# pathType: "/" or "/" + printable ASCII + "/", at most 512 characters.
PATH_MAX_LENGTH = 512
_PATH_RE = re.compile(r"^(/|/[\x21-\x7e]+/)$")
# roleDescriptionType: at most 1000 of tab, newline, carriage return, printable ASCII and U+00A1 to U+00FF.
DESCRIPTION_MAX_LENGTH = 1000
_DESCRIPTION_RE = re.compile(r"^[\t\n\r\x20-\x7e\xa1-\xff]*$")
# roleMaxSessionDurationType; what AWS applies when none is given.
MAX_SESSION_RANGE = (3600, 43200)
DEFAULT_MAX_SESSION_DURATION = 3600
DEFAULT_PATH = "/"
# A managed policy's ARN: AWS's own (account "aws") or a customer's, with the policy's path.
_POLICY_ARN_RE = re.compile(r"^arn:aws[a-z-]*:iam::(aws|\d{12}):policy/[\x21-\x7e]+$")
# tagListType, tagKeyType, tagValueType: besides letters, numbers and spaces only these characters.
MAX_TAGS = 50
_TAG_PUNCTUATION = "_.:/=+-@"

# The fields the diff shows (of a whole role on creation and deletion).
DIFF_FIELDS = (
    "role_name",
    "path",
    "description",
    "max_session_duration",
    "assume_role_policy_document",
    "inline_policies",
    "managed_policy_arns",
    "tags",
)

_NOT_FOUND = "NoSuchEntity"
_ALREADY_EXISTS = "EntityAlreadyExists"
# IAM is eventually consistent: a role just created may not be found at once. botocore's RoleExists waiter.
ROLE_EXISTS_TIMEOUT = 60
ROLE_EXISTS_DELAY = 1


class IamRoleInputError(InputError):
    """The module's arguments cannot describe a valid role; the message names every bad option."""


# --- validation ------------------------------------------------------------------------------------------------


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def name_errors(name: Any, option: str = "name", max_length: int = NAME_MAX_LENGTH) -> list[str]:
    if not isinstance(name, str) or not re.match(rf"^{_NAME_CHARACTERS}{{1,{max_length}}}$", name):
        return [
            f"{option} must be 1 to {max_length} characters of letters, digits and _ + = , . @ - (IAM's names),"
            f" not {name!r}"
        ]
    return []


def path_errors(path: Any) -> list[str]:
    if not isinstance(path, str) or len(path) > PATH_MAX_LENGTH or not _PATH_RE.match(path):
        return [
            f"path must be / or begin and end with / with printable ASCII characters between (at most"
            f" {PATH_MAX_LENGTH} characters), like /service-role/, not {path!r}"
        ]
    return []


def description_errors(description: Any) -> list[str]:
    if description is None:
        return []
    errors = []
    if len(description) > DESCRIPTION_MAX_LENGTH:
        errors.append(f"description must be at most {DESCRIPTION_MAX_LENGTH} characters long, it has {len(description)}")
    if not _DESCRIPTION_RE.match(description):
        bad = sorted({ch for ch in description if not _DESCRIPTION_RE.match(ch)})
        errors.append(
            f"description may contain only printable Latin-1 characters, tabs and line breaks, not {''.join(bad)!r}"
        )
    return errors


def max_session_errors(value: Any) -> list[str]:
    low, high = MAX_SESSION_RANGE
    if value is None or (_is_int(value) and low <= value <= high):
        return []
    return [f"max_session_duration must be from {low} to {high} seconds (1 to 12 hours), not {value!r}"]


def _tag_text_ok(text: str) -> bool:
    """Whether every character is one IAM accepts in a tag: letters, numbers, spaces and ``_.:/=+-@``."""
    return all(unicodedata.category(ch)[0] in "LNZ" or ch in _TAG_PUNCTUATION for ch in text)


def tag_errors(tags: dict[str, Any] | None) -> list[str]:
    """The shared rules (no ``aws:`` keys, lengths) and IAM's: its characters and at most 50 tags."""
    return shared_tag_errors(
        tags, max_tags=MAX_TAGS, lengths=True, text_ok=_tag_text_ok,
        allowed=f"letters, numbers, spaces and {_TAG_PUNCTUATION}",
    )


def wanted_policy(value: Any, option: str) -> tuple[dict[str, Any] | None, list[str]]:
    """A policy document given as a JSON string or a dict, parsed; ``None`` stays ``None``."""
    if value is None:
        return None, []
    if isinstance(value, (str, bytes)):
        try:
            document = json.loads(value)
        except ValueError as e:
            return None, [f"{option} is not valid JSON: {e}"]
    else:
        document = value
    if not isinstance(document, dict):
        return None, [f"{option} must be a policy document (a JSON object with a Statement), not a {type(document).__name__}"]
    if not document:
        return None, [f"{option} must be a policy document (a JSON object with a Statement), not an empty object"]
    try:
        document = json.loads(json.dumps(document))
    except (TypeError, ValueError) as e:
        return None, [f"{option} cannot be written as JSON: {e}"]
    return document, []


def wanted_inline_policies(value: Any) -> tuple[dict[str, dict[str, Any]] | None, list[str]]:
    """Inline policies by name, their documents parsed; ``None`` leaves the role's inline policies alone."""
    if value is None:
        return None, []
    if not isinstance(value, dict):
        return None, [f"inline_policies must be a dict of policy name to policy document, not {value!r}"]
    policies: dict[str, dict[str, Any]] = {}
    errors: list[str] = []
    for name, document in value.items():
        name_problems = name_errors(name, f"inline_policies: the name {name!r}", POLICY_NAME_MAX_LENGTH)
        errors.extend(name_problems)
        parsed, problems = wanted_policy(document, f"inline_policies.{name}")
        errors.extend(problems)
        if not name_problems and parsed is not None:
            policies[name] = parsed
    return policies, errors


def wanted_managed_policy_arns(value: Any) -> tuple[list[str] | None, list[str]]:
    """The managed policies' ARNs, sorted and without duplicates; ``None`` leaves the attached ones alone."""
    if value is None:
        return None, []
    bad = [arn for arn in value if not isinstance(arn, str) or not _POLICY_ARN_RE.match(arn)]
    if bad:
        return None, [
            "managed_policy_arns must be ARNs of managed policies (arn:aws:iam::aws:policy/<name> or"
            f" arn:aws:iam::<account>:policy/<path><name>), not {', '.join(repr(arn) for arn in bad)}"
        ]
    return sorted(set(value)), []


def identity_of(params: dict[str, Any]) -> dict[str, Any]:
    """What state=absent needs: the role's name, validated."""
    errors = name_errors(params["name"])
    if errors:
        raise IamRoleInputError.of(errors)
    return {"name": params["name"]}


def wanted_settings(params: dict[str, Any]) -> dict[str, Any]:
    """The role asked for, validated and normalised; raises IamRoleInputError naming every bad option."""
    errors = name_errors(params["name"])
    errors += path_errors(params["path"])
    errors += description_errors(params.get("description"))
    errors += max_session_errors(params.get("max_session_duration"))
    trust, problems = wanted_policy(params.get("assume_role_policy_document"), "assume_role_policy_document")
    errors += problems
    if params.get("assume_role_policy_document") is None:
        errors.append("assume_role_policy_document is required with state=present: the trust policy of the role")
    inline, problems = wanted_inline_policies(params.get("inline_policies"))
    errors += problems
    managed, problems = wanted_managed_policy_arns(params.get("managed_policy_arns"))
    errors += problems
    errors += tag_errors(params.get("tags"))
    if errors:
        raise IamRoleInputError.of(errors)
    return {
        "name": params["name"],
        "path": params["path"],
        "description": params.get("description"),
        "max_session_duration": params.get("max_session_duration"),
        "assume_role_policy_document": trust,
        "inline_policies": inline,
        "purge_inline_policies": params["purge_inline_policies"],
        "managed_policy_arns": managed,
        "purge_managed_policies": params["purge_managed_policies"],
        "tags": wanted_tags(params.get("tags")),
        "purge_tags": params["purge_tags"],
    }


# --- reading and comparing ---------------------------------------------------------------------------------


def policy_document(document: Any) -> Any:
    """A policy document as IAM returns it, parsed: a dict (botocore decoded it), URL-encoded JSON (it did not)
    or plain JSON. Anything that is none of these comes back as it is, so that it differs from any wanted one."""
    if document is None or isinstance(document, dict):
        return document
    text = document.decode("utf-8") if isinstance(document, bytes) else str(document)
    for candidate in (text, unquote(text)):
        try:
            return json.loads(candidate)
        except ValueError:
            continue
    return text


def _date(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def normalize_role(
    role: dict[str, Any], inline_policies: dict[str, Any], managed_policy_arns: list[str], tags: dict[str, str]
) -> dict[str, Any]:
    """A GetRole (or CreateRole) answer with the role's policies and tags, in the module's return shape."""
    return {
        "role_name": role["RoleName"],
        "role_id": role.get("RoleId") or "",
        "arn": role.get("Arn") or "",
        "path": role.get("Path") or DEFAULT_PATH,
        "description": role.get("Description") or "",
        "max_session_duration": int(role.get("MaxSessionDuration") or DEFAULT_MAX_SESSION_DURATION),
        "assume_role_policy_document": policy_document(role.get("AssumeRolePolicyDocument")),
        "inline_policies": {name: policy_document(doc) for name, doc in sorted(inline_policies.items())},
        "managed_policy_arns": sorted(set(managed_policy_arns)),
        "tags": dict(tags),
        "create_date": _date(role.get("CreateDate")),
    }


def predicted_role(wanted: dict[str, Any]) -> dict[str, Any]:
    """The role CreateRole makes, before its inline and managed policies; what AWS assigns is "" (or None)."""
    return {
        "role_name": wanted["name"],
        "role_id": "",
        "arn": "",
        "path": wanted["path"],
        "description": wanted["description"] or "",
        "max_session_duration": wanted["max_session_duration"] or DEFAULT_MAX_SESSION_DURATION,
        "assume_role_policy_document": deepcopy(wanted["assume_role_policy_document"]),
        "inline_policies": {},
        "managed_policy_arns": [],
        "tags": dict(wanted["tags"] or {}),
        "create_date": None,
    }


def diff_view(role: dict[str, Any]) -> dict[str, Any]:
    """The diff's picture of a whole role (creation, deletion)."""
    if not role:
        return {}
    return {field: deepcopy(role[field]) for field in DIFF_FIELDS}


def policy_json(document: dict[str, Any]) -> str:
    return json.dumps(document)


def create_request(wanted: dict[str, Any]) -> dict[str, Any]:
    """CreateRole's arguments (the inline and managed policies come after)."""
    request: dict[str, Any] = {
        "RoleName": wanted["name"],
        "Path": wanted["path"],
        "AssumeRolePolicyDocument": policy_json(wanted["assume_role_policy_document"]),
    }
    if wanted["description"]:
        request["Description"] = wanted["description"]
    if wanted["max_session_duration"] is not None:
        request["MaxSessionDuration"] = wanted["max_session_duration"]
    if wanted["tags"]:
        request["Tags"] = ansible_dict_to_boto3_tag_list(wanted["tags"])
    return request


def inline_policy_changes(
    current: dict[str, Any], wanted: dict[str, dict[str, Any]] | None, purge: bool
) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Inline policies to put (new or different documents) and names to delete (with ``purge``, the unlisted)."""
    if wanted is None:
        return {}, []
    to_put = {name: document for name, document in sorted(wanted.items()) if current.get(name) != document}
    to_delete = sorted(name for name in current if name not in wanted) if purge else []
    return to_put, to_delete


def managed_policy_changes(current: list[str], wanted: list[str] | None, purge: bool) -> tuple[list[str], list[str]]:
    """Managed policy ARNs to attach and to detach (with ``purge``, those not listed)."""
    if wanted is None:
        return [], []
    to_attach = sorted(set(wanted) - set(current))
    to_detach = sorted(set(current) - set(wanted)) if purge else []
    return to_attach, to_detach


def path_message(current: dict[str, Any], path: str) -> str | None:
    """The failure when the task asks for another path than the role's: IAM cannot change it."""
    if current["path"] == path:
        return None
    return (
        f"path of role {current['role_name']} is {current['path']!r}, the task asks for {path!r}: IAM cannot change"
        f" the path of a role. Set path: {current['path']!r}, or delete the role (state: absent) and create it again"
        " (its ARN and role ID change)"
    )


# --- manager ----------------------------------------------------------------------------------------------------


class IamRoleManager(BaseResourceManager):
    """Creates, updates and deletes one IAM role; ``iam_role`` holds the result."""

    def __init__(self, module) -> None:
        super().__init__(module)
        self.iam = self.client("iam")
        self.iam_role: dict[str, Any] = {}

    @contextmanager
    def _reporting(self):
        """A failure reports what has changed so far, and the role as far as it got."""
        try:
            yield
        except AWSActionError as e:
            e.result.setdefault("changed", self.changed)
            e.result.setdefault("iam_role", self.iam_role)
            raise

    # --- reading ---

    def _get_role(self, name: str) -> dict[str, Any] | None:
        response = call(self.iam.get_role, f"describe role {name}", answers={_NOT_FOUND: None}, RoleName=name)
        return None if response is None else response["Role"]

    def _list(self, method, what: str, items: str, name: str) -> list[Any] | None:
        return paginate(method, what, items, token="IsTruncated", answers={_NOT_FOUND: None}, RoleName=name)

    def _inline_policies(self, name: str) -> dict[str, Any] | None:
        names = self._list(self.iam.list_role_policies, f"list the inline policies of role {name}", "PolicyNames", name)
        if names is None:
            return None
        policies = {}
        for policy_name in names:
            response = call(
                self.iam.get_role_policy,
                f"read inline policy {policy_name} of role {name}",
                answers={_NOT_FOUND: None},
                RoleName=name,
                PolicyName=policy_name,
            )
            if response is not None:  # deleted since the listing: not there
                policies[policy_name] = response["PolicyDocument"]
        return policies

    def read(self, name: str) -> dict[str, Any] | None:
        """The role in the return shape, or None when it does not exist (or is deleted while being read)."""
        role = self._get_role(name)
        if role is None:
            return None
        inline = self._inline_policies(name)
        attached = self._list(
            self.iam.list_attached_role_policies, f"list the managed policies of role {name}", "AttachedPolicies", name
        )
        if inline is None or attached is None:
            return None
        # GetRole answers with every tag of the role (at most 50, never paged), as terraform-provider-aws reads
        # them: ListRoleTags would only repeat them.
        return normalize_role(
            role,
            inline,
            [policy["PolicyArn"] for policy in attached],
            boto3_tag_list_to_ansible_dict(role.get("Tags") or []),
        )

    # --- present ---

    def ensure_present(self, wanted: dict[str, Any]) -> None:
        with self._reporting():
            name = wanted["name"]
            current = self.read(name)
            created = False
            if current is None:
                current = self._create(wanted)
                created = current is not None
            if current is None:
                # created by someone else since the lookup: read it and converge it like any existing one
                current = self.read(name)
                if current is None:
                    raise AWSActionError(
                        f"Role {name} was created by someone else and is gone again; try again later"
                    )
            message = path_message(current, wanted["path"])
            if message:
                raise AWSActionError(message, iam_role=current)
            self.iam_role = deepcopy(current)
            self._update_trust_policy(wanted, current)
            self._update_settings(wanted, current)
            self._update_inline_policies(wanted, current)
            self._update_managed_policies(wanted, current)
            self._update_tags(wanted, current)
            if created:
                self.set_diff(before={}, after=diff_view(self.iam_role))
            if self.changed and not self.check_mode:
                self.iam_role = self.read(name) or self.iam_role

    def _create(self, wanted: dict[str, Any]) -> dict[str, Any] | None:
        """Create the role (without its policies); the role as created (predicted in check mode), or None when it
        exists already (created since the lookup)."""
        name = wanted["name"]
        if self.check_mode:
            self.changed = True
            return predicted_role(wanted)
        response = call(
            self.iam.create_role, f"create role {name}", answers={_ALREADY_EXISTS: None}, **create_request(wanted)
        )
        if response is None:
            return None
        self.changed = True
        wait(
            self.iam, "role_exists", f"role {name} to exist", ROLE_EXISTS_TIMEOUT, ROLE_EXISTS_DELAY, RoleName=name
        )
        role = response["Role"]
        if role.get("AssumeRolePolicyDocument") is None:
            role = dict(role, AssumeRolePolicyDocument=wanted["assume_role_policy_document"])
        return normalize_role(role, {}, [], wanted["tags"] or {})

    def _update_trust_policy(self, wanted: dict[str, Any], current: dict[str, Any]) -> None:
        after = wanted["assume_role_policy_document"]
        name = wanted["name"]
        if self.act(
            "assume_role_policy_document", current["assume_role_policy_document"], after,
            self.iam.update_assume_role_policy, f"update the trust policy of role {name}",
            RoleName=name, PolicyDocument=policy_json(after),
        ):
            self.iam_role["assume_role_policy_document"] = deepcopy(after)

    def _update_settings(self, wanted: dict[str, Any], current: dict[str, Any]) -> None:
        """Description and maximum session duration: one UpdateRole with both, since it resets an omitted
        MaxSessionDuration to one hour."""
        description = current["description"] if wanted["description"] is None else wanted["description"]
        duration = current["max_session_duration"] if wanted["max_session_duration"] is None else wanted["max_session_duration"]
        changed = self.differences.add("description", current["description"], description)
        changed = self.differences.add("max_session_duration", current["max_session_duration"], duration) or changed
        if not changed:
            return
        name = wanted["name"]
        self.change(
            self.iam.update_role, f"update the description and maximum session duration of role {name}",
            RoleName=name, Description=description, MaxSessionDuration=duration,
        )
        self.iam_role.update(description=description, max_session_duration=duration)

    def _update_inline_policies(self, wanted: dict[str, Any], current: dict[str, Any]) -> None:
        """Put the new and changed inline policies, then delete the unlisted ones (never a moment without the
        permissions asked for)."""
        policies = current["inline_policies"]
        to_put, to_delete = inline_policy_changes(policies, wanted["inline_policies"], wanted["purge_inline_policies"])
        if not (to_put or to_delete):
            return
        names = sorted(set(to_put) | set(to_delete))
        self.differences.add(
            "inline_policies",
            {name: policies[name] for name in names if name in policies},
            {name: to_put[name] for name in names if name in to_put},
        )
        self.changed = True
        after = {name: document for name, document in policies.items() if name not in to_delete}
        after.update(deepcopy(to_put))
        self.iam_role["inline_policies"] = dict(sorted(after.items()))
        if self.check_mode:
            return
        role = wanted["name"]
        for name, document in to_put.items():
            call(
                self.iam.put_role_policy, f"put inline policy {name} of role {role}",
                RoleName=role, PolicyName=name, PolicyDocument=policy_json(document),
            )
        for name in to_delete:
            call(
                self.iam.delete_role_policy, f"delete inline policy {name} of role {role}",
                answers={_NOT_FOUND: False}, RoleName=role, PolicyName=name,
            )

    def _update_managed_policies(self, wanted: dict[str, Any], current: dict[str, Any]) -> None:
        """Attach the missing managed policies, then detach the unlisted ones."""
        arns = current["managed_policy_arns"]
        to_attach, to_detach = managed_policy_changes(arns, wanted["managed_policy_arns"], wanted["purge_managed_policies"])
        if not (to_attach or to_detach):
            return
        after = sorted((set(arns) | set(to_attach)) - set(to_detach))
        self.differences.add("managed_policy_arns", list(arns), after)
        self.changed = True
        self.iam_role["managed_policy_arns"] = after
        if self.check_mode:
            return
        role = wanted["name"]
        for arn in to_attach:
            call(self.iam.attach_role_policy, f"attach managed policy {arn} to role {role}", RoleName=role, PolicyArn=arn)
        for arn in to_detach:
            call(
                self.iam.detach_role_policy, f"detach managed policy {arn} from role {role}",
                answers={_NOT_FOUND: False}, RoleName=role, PolicyArn=arn,
            )

    def _update_tags(self, wanted: dict[str, Any], current: dict[str, Any]) -> None:
        name = wanted["name"]
        after = self.sync_tags(self.iam, "iam", name, current["tags"], wanted["tags"], wanted["purge_tags"], f"role {name}")
        if after is not None:
            self.iam_role["tags"] = after

    # --- absent ---

    def ensure_absent(self, identity: dict[str, Any]) -> None:
        """Detach the managed policies, delete the inline ones, take the role out of its instance profiles (which
        stay), then delete the role. Anything already gone is no failure."""
        with self._reporting():
            name = identity["name"]
            current = self.read(name)
            if current is None:
                return
            self.changed = True
            self.set_diff(before=diff_view(current), after={})
            if self.check_mode:
                return
            gone = {_NOT_FOUND: False}
            for arn in current["managed_policy_arns"]:
                call(
                    self.iam.detach_role_policy, f"detach managed policy {arn} from role {name}",
                    answers=gone, RoleName=name, PolicyArn=arn,
                )
            for policy_name in current["inline_policies"]:
                call(
                    self.iam.delete_role_policy, f"delete inline policy {policy_name} of role {name}",
                    answers=gone, RoleName=name, PolicyName=policy_name,
                )
            profiles = self._list(
                self.iam.list_instance_profiles_for_role, f"list the instance profiles of role {name}",
                "InstanceProfiles", name,
            )
            for profile in profiles or []:
                call(
                    self.iam.remove_role_from_instance_profile,
                    f"remove role {name} from instance profile {profile['InstanceProfileName']}",
                    answers=gone, RoleName=name, InstanceProfileName=profile["InstanceProfileName"],
                )
            call(self.iam.delete_role, f"delete role {name}", answers=gone, RoleName=name)
