"""S3 bucket policies: a statement applies only when its conditions hold; requests arrive over TLS.

What AWS does (IAM user guide, "Policy evaluation logic" and "IAM JSON policy elements: Condition"; S3 user guide,
"Enforcing encryption in transit with TLS1.2 or higher" and the AWS Security Hub control S3.5, which asks every bucket
policy to deny ``aws:SecureTransport`` ``false``): a statement whose ``Condition`` block does not hold for the
request does not apply to it, whatever its effect, so a ``Deny`` with ``{"Bool": {"aws:SecureTransport": "false"}}``
denies requests made over plain HTTP and leaves HTTPS requests to the other statements. AWS's SDKs and CLI speak
HTTPS to S3's endpoints.

moto 5.2.5 (s3/models.py ``FakeBucket.get_permission``, iam/access_control.py ``IAMPolicyStatement``) evaluates the
bucket policy of every object request without any condition values, and a statement whose conditions do not match
is DENIED rather than not applying: a bucket with the TLS-only deny refuses every GetObject and PutObject of its own
account with ``403 Forbidden``. The emulator listens on plain HTTP on 127.0.0.1, standing in for S3's HTTPS
endpoint.

The patch evaluates bucket policies statement by statement: a statement with no ``Condition`` is judged by moto; a
statement whose conditions are all ``Bool`` on ``aws:SecureTransport`` is judged with the value ``true`` (the
transport the SDKs use against AWS) and applies only when they hold; a statement with any other condition is judged
the stricter way, a ``Deny`` applying and an ``Allow`` not granting. Wrapped: ``FakeBucket.get_permission``.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from moto.iam.access_control import IAMPolicyStatement, PermissionResult
from moto.s3.models import FakeBucket

from emulator.extensions import _patching
from emulator.extensions._patching import Patch

SECURE_TRANSPORT = "aws:securetransport"
# What the request carries: AWS's SDKs call S3 over HTTPS.
REQUEST_SECURE_TRANSPORT = "true"


def _condition_holds(condition: dict[str, Any]) -> bool | None:
    """Whether a statement's conditions hold for an HTTPS request; None when one of them is not modelled."""
    for operator, keys in condition.items():
        if operator.lower() not in ("bool", "bool:ifexists") or not isinstance(keys, dict):
            return None
        for key, expected in keys.items():
            if key.lower() != SECURE_TRANSPORT:
                return None
            values = expected if isinstance(expected, list) else [expected]
            if REQUEST_SECURE_TRANSPORT not in [str(value).lower() for value in values]:
                return False
    return True


def statement_permission(statement: dict[str, Any], action: str, resource: str) -> Any:
    """One statement's verdict on the request, its conditions judged as AWS would (or more strictly)."""
    condition = statement.get("Condition")
    if not condition:
        return IAMPolicyStatement(statement).is_action_permitted(action, resource)
    unconditional = IAMPolicyStatement({key: value for key, value in statement.items() if key != "Condition"})
    verdict = unconditional.is_action_permitted(action, resource)
    if verdict == PermissionResult.NEUTRAL:
        return verdict
    holds = _condition_holds(condition)
    if holds is None:  # not modelled: the stricter reading
        return verdict if verdict == PermissionResult.DENIED else PermissionResult.NEUTRAL
    return verdict if holds else PermissionResult.NEUTRAL


def policy_permission(policy: dict[str, Any], action: str, resource: str) -> Any:
    statements = policy.get("Statement") or []
    permitted = False
    for statement in statements if isinstance(statements, list) else [statements]:
        verdict = statement_permission(statement, action, resource)
        if verdict == PermissionResult.DENIED:
            return verdict
        permitted = permitted or verdict == PermissionResult.PERMITTED
    return PermissionResult.PERMITTED if permitted else PermissionResult.NEUTRAL


def _get_permission(original: Any) -> Any:
    @functools.wraps(original)
    def get_permission(self: FakeBucket, action: str, resource: str) -> Any:
        if self.policy is None:
            return original(self, action, resource)
        policy = self.policy.decode() if isinstance(self.policy, bytes) else self.policy
        return policy_permission(json.loads(policy), action, resource)

    return get_permission


PATCHES = [Patch(FakeBucket, "get_permission", _get_permission)]


def is_installed() -> bool:
    return _patching.installed(__name__, PATCHES)


def install() -> None:
    _patching.install(__name__, PATCHES)
