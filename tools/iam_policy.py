"""The IAM actions behind the emulator's request counts, and whether the operator policy allows them.

The emulator counts AWS calls by ``service:Action`` (``GET /_emulator/requests``): the service is the SigV4 signing
name, the action the operation for query and JSON protocols and ``METHOD path`` for REST ones (EFS, ...). This maps
each to its IAM action: the REST ones through botocore's model of the service (method and URI template), the few
whose IAM name differs from the operation through ``IAM_NAMES``.

    python tools/iam_policy.py actions COUNTS.json             # the IAM actions, one a line
    python tools/iam_policy.py check COUNTS.json [POLICY ...]  # exit 1 naming the ones the policy does not allow

``COUNTS.json`` is what ``/_emulator/requests`` answers (``{"by_action": {...}}``) or a plain
``{"service:Action": count}`` object; ``-`` reads it from stdin. The check compares action names only (``*`` and
``?`` wildcards honoured, case-insensitive, ``NotAction`` and unconditional ``Deny`` of every resource too): resources
and conditions are the policy's business, not this script's. POLICY defaults to policies/operator-policy*.json.
"""

from __future__ import annotations

import argparse
import fnmatch
import functools
import json
import re
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_POLICIES = sorted(REPO_ROOT.glob("policies/operator-policy*.json"))

# SigV4 signing name -> IAM service prefix, where they differ.
IAM_PREFIXES = {"monitoring": "cloudwatch", "email": "ses"}
# SigV4 signing name -> botocore's service name, where they differ (only REST protocols need the model).
BOTOCORE_NAMES = {
    "elasticfilesystem": "efs",
    "elasticloadbalancing": "elbv2",
    "servicequotas": "service-quotas",
    "execute-api": "apigateway",
}
# "prefix:Operation" -> the IAM action AWS authorizes it as, where the names differ.
IAM_NAMES = {
    "s3:ListObjectsV2": "s3:ListBucket",
    "s3:ListObjects": "s3:ListBucket",
    "s3:HeadBucket": "s3:ListBucket",
    "s3:HeadObject": "s3:GetObject",
    "s3:GetBucketLifecycleConfiguration": "s3:GetLifecycleConfiguration",
    "s3:PutBucketLifecycleConfiguration": "s3:PutLifecycleConfiguration",
    "s3:GetBucketEncryption": "s3:GetEncryptionConfiguration",
    "s3:PutBucketEncryption": "s3:PutEncryptionConfiguration",
    "s3:DeleteObjects": "s3:DeleteObject",
}
REST_ACTION = re.compile(r"^(?P<method>[A-Z]+) (?P<path>/\S*)$")


class UnknownAction(ValueError):
    """A counted call this script cannot name as an IAM action."""


@functools.lru_cache(maxsize=None)
def _rest_routes(service: str) -> tuple[tuple[str, re.Pattern[str], str], ...]:
    """(method, path regex, operation) of every operation of a botocore service, most literal segments first."""
    import botocore.session

    model = botocore.session.get_session().get_service_model(BOTOCORE_NAMES.get(service, service))
    routes = []
    for name in model.operation_names:
        http = model.operation_model(name).http
        template = http.get("requestUri", "/").split("?", 1)[0]
        pattern = "".join(
            (
                "[^/]+"
                if part.startswith("{") and not part.endswith("+}")
                else ".+" if part.startswith("{") else re.escape(part)
            )
            for part in re.split(r"(\{[^}]+\})", template)
            if part
        )
        literal = len(re.sub(r"\{[^}]+\}", "", template))
        routes.append((literal, http.get("method", "POST"), re.compile(f"^{pattern}/?$"), name))
    routes.sort(key=lambda route: -route[0])
    return tuple((method, pattern, name) for _literal, method, pattern, name in routes)


def iam_action(counted: str) -> str:
    """The IAM action of one counted ``service:Action``; UnknownAction when it cannot be told."""
    service, _, action = counted.partition(":")
    if not service or not action or service == "unknown":
        raise UnknownAction(f"{counted}: not a signed AWS call (no SigV4 service)")
    rest = REST_ACTION.match(action)
    if rest:
        try:
            routes = _rest_routes(service)
        except Exception as error:  # botocore's UnknownServiceError and friends: say which call, not a traceback
            raise UnknownAction(f"{counted}: no botocore model for service {service!r} ({error})") from None
        path = rest["path"].split("?", 1)[0]
        operation = next(
            (name for method, pattern, name in routes if method == rest["method"] and pattern.match(path)), None
        )
        if operation is None:
            raise UnknownAction(f"{counted}: no operation of {service!r} answers {rest['method']} {path}")
        action = operation
    named = f"{IAM_PREFIXES.get(service, service)}:{action}"
    return IAM_NAMES.get(named, named)


def iam_actions(counts: Iterable[str]) -> tuple[list[str], list[str]]:
    """The sorted, distinct IAM actions of the counted calls, and the messages for those that could not be named."""
    actions, unknown = set(), []
    for counted in counts:
        try:
            actions.add(iam_action(counted))
        except UnknownAction as error:
            unknown.append(str(error))
    return sorted(actions), unknown


def load_counts(source: str) -> dict[str, int]:
    text = sys.stdin.read() if source == "-" else Path(source).read_text()
    data = json.loads(text)
    counts = data.get("by_action", data) if isinstance(data, dict) else None
    if not isinstance(counts, dict):
        raise ValueError(
            f"{source}: expected an object of 'service:Action' counts or the emulator's {{'by_action': ...}}"
        )
    return counts


def _as_list(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value or [])


def _matches(patterns: Iterable[str], action: str) -> bool:
    return any(fnmatch.fnmatchcase(action.lower(), pattern.lower()) for pattern in patterns)


def _statements(policy: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    statements = policy.get("Statement", [])
    return [statements] if isinstance(statements, dict) else list(statements)


def _covers(statement: Mapping[str, Any], action: str) -> bool:
    if "NotAction" in statement:
        return not _matches(_as_list(statement["NotAction"]), action)
    return _matches(_as_list(statement.get("Action")), action)


def allowed(action: str, policies: Iterable[Mapping[str, Any]]) -> bool:
    """Whether some Allow statement names the action and no Deny of every resource without conditions does."""
    statements = [statement for policy in policies for statement in _statements(policy)]
    denied = any(
        statement.get("Effect") == "Deny"
        and "*" in _as_list(statement.get("Resource"))
        and not statement.get("Condition")
        and _covers(statement, action)
        for statement in statements
    )
    return not denied and any(
        statement.get("Effect") == "Allow" and _covers(statement, action) for statement in statements
    )


def missing(actions: Iterable[str], policies: Iterable[Mapping[str, Any]]) -> list[str]:
    policies = list(policies)
    return sorted(action for action in set(actions) if not allowed(action, policies))


def policy_actions(policies: Iterable[Mapping[str, Any]]) -> list[str]:
    """Every action (or pattern) the policies' Allow statements name."""
    return sorted(
        {
            action
            for policy in policies
            for statement in _statements(policy)
            if statement.get("Effect") == "Allow"
            for action in _as_list(statement.get("Action"))
        }
    )


def load_policies(paths: Iterable[Path | str]) -> list[dict[str, Any]]:
    return [json.loads(Path(path).read_text()) for path in paths]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tools/iam_policy.py", description=__doc__.split("\n", 1)[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("actions", help="print the IAM actions of the counted calls").add_argument("counts")
    check = commands.add_parser("check", help="exit 1 when the policy lacks an action of the counted calls")
    check.add_argument("counts")
    check.add_argument("policies", nargs="*", type=Path, help="default: policies/operator-policy*.json")
    args = parser.parse_args(argv)

    try:
        actions, unknown = iam_actions(load_counts(args.counts))
    except (OSError, ValueError) as error:
        print(f"iam_policy: {error}", file=sys.stderr)
        return 2
    for message in unknown:
        print(f"iam_policy: cannot name the IAM action of {message}", file=sys.stderr)
    if args.command == "actions":
        print("\n".join(actions))
        return 1 if unknown else 0

    paths = args.policies or DEFAULT_POLICIES
    if not paths:
        print("iam_policy: no policy given and none at policies/operator-policy*.json", file=sys.stderr)
        return 2
    lacking = missing(actions, load_policies(paths))
    for action in lacking:
        print(f"missing: {action}")
    if lacking or unknown:
        print(
            f"iam_policy: {len(lacking)} of {len(actions)} action(s) not allowed by {', '.join(map(str, paths))}"
            + (f"; {len(unknown)} call(s) not named" if unknown else ""),
            file=sys.stderr,
        )
        return 1
    print(f"all {len(actions)} action(s) allowed by {', '.join(map(str, paths))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
