"""IAM roles take a while to become usable: a new role, or one just granted more, is not yet assumable by a service.

What AWS does. IAM is eventually consistent: "changes that you make are not always immediately visible ... you must
verify that the changes have been propagated before production workflows depend on them" (IAM user guide,
troubleshoot_general.html#troubleshoot_general_eventual-consistency). A service asked to use a role in that window
cannot assume it. For EC2 CreateFlowLogs with a ``DeliverLogsPermissionArn`` the whole call fails with HTTP 400
``InvalidParameter`` "Unable to assume given IAM role: '<role ARN>'" and no flow log is created (the answer quoted in
terraform-provider-aws issue #29323). terraform-provider-aws internal/service/ec2/vpc_flow_log.go
(``resourceLogFlowCreate``) therefore retries exactly that error, ``tfresource.RetryWhenAWSErrMessageContains(ctx,
iamPropagationTimeout, ..., errCodeInvalidParameter, "Unable to assume given IAM role")``, for
``iamPropagationTimeout`` (2 minutes, internal/service/ec2/wait.go; internal/service/iam/consts.go
``propagationTimeout`` likewise), and only afterwards checks the response's ``Unsuccessful`` items.

moto 5.2.5: every IAM write takes effect at once and no service ever assumes a role. CreateFlowLogs only checks the
destination: a missing log group gives the flow log ``DeliverLogsStatus`` FAILED with "Access error", a missing S3
bucket an ``Unsuccessful`` item; the role is never looked at.

The patch (realistic mode; ``TYPICAL["iam.propagation"]``, 0 in plain mode, so plain mode is unchanged):

* wraps the IAM backend's writes that give a role something new (``create_role``, which service-linked roles go
  through too, ``put_role_policy``, ``attach_role_policy``, ``update_assume_role_policy``, the permissions boundary
  writes, and a new default version of a managed policy attached to the role) to restart the role's propagation
  window. Removals (``delete_role_policy``, ``detach_role_policy``) do not: on AWS the old grants linger a while,
  which never stops a service from assuming the role. ``delete_role`` forgets the role;
* exposes ``role_usable(role_arn)`` and ``propagation_left(role_arn)`` for the extensions of services that assume
  roles (ECS task execution roles and the like). A role IAM never changed here (or does not know) counts as usable:
  whether a role exists is not this extension's gap;
* refuses CreateFlowLogs whose ``DeliverLogsPermissionArn`` is not usable yet with AWS's ``InvalidParameter``, before
  moto creates anything.
"""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Callable
from typing import Any

from moto.ec2.exceptions import InvalidParameter
from moto.ec2.models.flow_logs import FlowLogsBackend
from moto.iam.models import IAMBackend

from emulator import realism
from emulator.extensions import _patching
from emulator.extensions._patching import Patch

BEHAVIOUR = "iam.propagation"
UNABLE_TO_ASSUME = "Unable to assume given IAM role: '{arn}'"

_lock = threading.Lock()
# (account id, role name) -> the propagation window of the role's last change, while it lasts.
_windows: dict[tuple[str, str], realism.Timer] = {}


def role_key(role_arn: str) -> tuple[str, str] | None:
    """(account id, role name) of ``arn:<partition>:iam::<account>:role/<path/>name``; None for anything else. Role
    names are unique in an account whatever their path, so the key holds for an ARN given with or without one."""
    parts = role_arn.split(":", 5)
    if len(parts) != 6 or parts[2] != "iam" or not parts[5].startswith("role/"):
        return None
    return parts[4], parts[5].rsplit("/", 1)[-1]


def role_changed(account_id: str, role_name: str) -> None:
    """Start the propagation window of a role that IAM just changed (a later end wins over an earlier one)."""
    timer = realism.Timer.of(BEHAVIOUR, subject=role_name)
    key = (account_id, role_name)
    with _lock:
        current = _windows.get(key)
        if timer.done:
            if current is not None and current.done:
                del _windows[key]
        elif current is None or current.left < timer.left:
            _windows[key] = timer


def role_forgotten(account_id: str, role_name: str) -> None:
    with _lock:
        _windows.pop((account_id, role_name), None)


def propagation_left(role_arn: str) -> float:
    """Seconds until the role's last change has reached every service; 0 when it has (always in plain mode)."""
    key = role_key(role_arn)
    if key is None:
        return 0.0
    with _lock:
        timer = _windows.get(key)
        if timer is None:
            return 0.0
        if timer.done:
            del _windows[key]
            return 0.0
        return timer.left


def role_usable(role_arn: str) -> bool:
    """Whether a service can assume ``role_arn`` now with everything IAM was last told about it."""
    return propagation_left(role_arn) == 0.0


# --------------------------------------------------------------------------- IAM writes


def _restarts(argument: str) -> Callable[[Any], Any]:
    """A wrapper factory for a write naming its role in ``argument``: after the write, the role's window restarts."""

    def make(original: Any) -> Any:
        signature = inspect.signature(original)

        @functools.wraps(original)
        def write(self: IAMBackend, *args: Any, **kwargs: Any) -> Any:
            result = original(self, *args, **kwargs)
            role_changed(self.account_id, signature.bind(self, *args, **kwargs).arguments[argument])
            return result

        return write

    return make


def _roles_attached_to(backend: IAMBackend, policy_arn: str) -> list[str]:
    return [role.name for role in backend.get_roles() if policy_arn in role.managed_policies]


def _new_policy_version(original: Any) -> Any:
    @functools.wraps(original)
    def create_policy_version(
        self: IAMBackend, policy_arn: str, policy_document: str, set_as_default: bool, *args: Any, **kwargs: Any
    ) -> Any:
        version = original(self, policy_arn, policy_document, set_as_default, *args, **kwargs)
        if set_as_default:
            for role_name in _roles_attached_to(self, policy_arn):
                role_changed(self.account_id, role_name)
        return version

    return create_policy_version


def _new_default_version(original: Any) -> Any:
    @functools.wraps(original)
    def set_default_policy_version(self: IAMBackend, policy_arn: str, *args: Any, **kwargs: Any) -> Any:
        result = original(self, policy_arn, *args, **kwargs)
        for role_name in _roles_attached_to(self, policy_arn):
            role_changed(self.account_id, role_name)
        return result

    return set_default_policy_version


def _forgets(original: Any) -> Any:
    @functools.wraps(original)
    def delete_role(self: IAMBackend, role_name: str, *args: Any, **kwargs: Any) -> Any:
        result = original(self, role_name, *args, **kwargs)
        role_forgotten(self.account_id, role_name)
        return result

    return delete_role


# --------------------------------------------------------------------------- services assuming roles


def _flow_logs_assume_the_role(original: Any) -> Any:
    signature = inspect.signature(original)

    @functools.wraps(original)
    def create_flow_logs(self: FlowLogsBackend, *args: Any, **kwargs: Any) -> Any:
        role_arn = signature.bind(self, *args, **kwargs).arguments.get("deliver_logs_permission_arn")
        if role_arn and not role_usable(role_arn):
            raise InvalidParameter(UNABLE_TO_ASSUME.format(arn=role_arn))
        return original(self, *args, **kwargs)

    return create_flow_logs


PATCHES = (
    Patch(IAMBackend, "create_role", _restarts("role_name")),
    Patch(IAMBackend, "put_role_policy", _restarts("role_name")),
    Patch(IAMBackend, "attach_role_policy", _restarts("role_name")),
    Patch(IAMBackend, "update_assume_role_policy", _restarts("role_name")),
    Patch(IAMBackend, "put_role_permissions_boundary", _restarts("role_name")),
    Patch(IAMBackend, "delete_role_permissions_boundary", _restarts("role_name")),
    Patch(IAMBackend, "create_policy_version", _new_policy_version),
    Patch(IAMBackend, "set_default_policy_version", _new_default_version),
    Patch(IAMBackend, "delete_role", _forgets),
    Patch(FlowLogsBackend, "create_flow_logs", _flow_logs_assume_the_role),
)


def is_installed() -> bool:
    return _patching.installed(__name__, PATCHES)


def install() -> None:
    _patching.install(__name__, PATCHES)
