"""ELBv2: a target group stops naming a load balancer once nothing of that load balancer forwards to it, a little
after DeleteLoadBalancer as on AWS.

moto 5.2.5 appends a load balancer's ARN to a target group's ``LoadBalancerArns`` when a listener or
rule starts forwarding to it, and never takes it out again: after DeleteLoadBalancer or
DeleteListener the target group still claims to be in use by a load balancer that may no longer
exist. Clients that check ``LoadBalancerArns`` before deleting a target group (as AWS refuses to
delete one in use) then refuse to delete it forever.

After every call that removes or redirects forwarding, the patch recomputes each target group's
``LoadBalancerArns`` from the listeners and rules that exist, as AWS reports them.

AWS is eventually consistent here: for a while after DeleteLoadBalancer, DescribeTargetGroups still lists the deleted
load balancer in the target groups it forwarded to, and DeleteTargetGroup answers ``ResourceInUse`` "Target group
'<arn>' is currently in use by a listener or a rule" (HTTP 400; the message as AWS sends it, e.g. in
hashicorp/terraform-provider-aws#16889). terraform-provider-aws ``internal/service/elbv2/target_group.go`` retries
DeleteTargetGroup on that message for 2 minutes (``targetGroupDeleteTimeout``); as terraform deletes a listener before
the target group it forwards to, that retry is for the same lag after DeleteListener (and after a rule or listener
stops forwarding). In realistic mode the patch keeps a load balancer that stopped forwarding to a target group --
deleted, or its listener or rule deleted or changed -- in that target group's ``LoadBalancerArns`` for
``realism.lingers('target_group.lingering')`` (AWS does not document whether DescribeTargetGroups shows it; the
stricter reading is that the state is consistent with the refusal) and refuses DeleteTargetGroup meanwhile with AWS's
message; a load balancer forwarding to it again ends its lingering; expired entries leave when target groups are next
described or deleted. Plain mode (no lingering) frees the target group at once.
"""

from __future__ import annotations

import functools
import threading
from typing import Any

from moto.elbv2.exceptions import ResourceInUseError
from moto.elbv2.models import ELBv2Backend, FakeTargetGroup

from emulator import realism
from emulator.extensions import _patching
from emulator.extensions._patching import Patch

LINGERING = "target_group.lingering"
# Calls after which a target group may have lost a load balancer.
PATCHED_METHODS = ("delete_load_balancer", "delete_listener", "delete_rule", "modify_listener", "modify_rule")

_LINGERING = "_emulator_lingering"  # on moto's FakeTargetGroup: deleted load balancer ARN -> Timer
_lock = threading.RLock()


def in_use_message(target_group_arn: str) -> str:
    return f"Target group '{target_group_arn}' is currently in use by a listener or a rule"


def _forwarded_target_groups(backend: ELBv2Backend, listener: Any) -> set[str]:
    actions = list(getattr(listener, "default_actions", []) or [])
    for rule in listener.rules.values():
        actions.extend(rule.actions)
    found: set[str] = set()
    for action in actions:
        found.update(backend._get_target_group_arns_from(action_data=action.data))
    return found


def _lingering(target_group: FakeTargetGroup) -> dict[str, realism.Timer]:
    """The deleted load balancers still listed, those whose time is up dropped."""
    lingering = target_group.__dict__.setdefault(_LINGERING, {})
    for arn, timer in list(lingering.items()):
        if timer.done:
            del lingering[arn]
    return lingering


def recompute_load_balancer_arns(backend: ELBv2Backend) -> None:
    """Each target group's ``LoadBalancerArns``: the load balancers forwarding to it, and those that stopped lately."""
    users: dict[str, list[str]] = {}
    for load_balancer in backend.load_balancers.values():
        for listener in load_balancer.listeners.values():
            for target_group_arn in _forwarded_target_groups(backend, listener):
                users.setdefault(target_group_arn, [])
                if load_balancer.arn not in users[target_group_arn]:
                    users[target_group_arn].append(load_balancer.arn)
    linger = realism.lingers(LINGERING)
    with _lock:
        for target_group in backend.target_groups.values():
            lingering = _lingering(target_group)
            forwarding = users.get(target_group.arn, [])
            for arn in target_group.load_balancer_arns:
                if arn in forwarding:
                    lingering.pop(arn, None)
                elif linger > 0 and arn not in lingering:
                    lingering[arn] = realism.Timer.of(LINGERING, subject=target_group.arn)
            target_group.load_balancer_arns = [*forwarding, *(arn for arn in lingering if arn not in forwarding)]


def drop_expired(backend: ELBv2Backend) -> None:
    """Take the deleted load balancers whose time is up out of ``LoadBalancerArns``."""
    with _lock:
        for target_group in backend.target_groups.values():
            if not target_group.__dict__.get(_LINGERING):
                continue
            before = set(target_group.__dict__[_LINGERING])
            expired = before - set(_lingering(target_group))
            if expired:
                target_group.load_balancer_arns = [a for a in target_group.load_balancer_arns if a not in expired]


def _recomputing(original: Any) -> Any:
    @functools.wraps(original)
    def method(self: ELBv2Backend, *args: Any, **kwargs: Any) -> Any:
        result = original(self, *args, **kwargs)
        recompute_load_balancer_arns(self)
        return result

    return method


def _describe_target_groups_current(original: Any) -> Any:
    @functools.wraps(original)
    def describe_target_groups(self: ELBv2Backend, *args: Any, **kwargs: Any) -> Any:
        drop_expired(self)
        return original(self, *args, **kwargs)

    return describe_target_groups


def _delete_target_group_refusing_lingering(original: Any) -> Any:
    @functools.wraps(original)
    def delete_target_group(self: ELBv2Backend, target_group_arn: str) -> Any:
        drop_expired(self)
        target_group = self.target_groups.get(target_group_arn)
        if target_group is not None and target_group.__dict__.get(_LINGERING):
            raise ResourceInUseError(in_use_message(target_group_arn))
        return original(self, target_group_arn)

    return delete_target_group


PATCHES = (
    *(Patch(ELBv2Backend, name, _recomputing) for name in PATCHED_METHODS),
    Patch(ELBv2Backend, "describe_target_groups", _describe_target_groups_current),
    Patch(ELBv2Backend, "delete_target_group", _delete_target_group_refusing_lingering),
)


def is_installed() -> bool:
    return _patching.installed(__name__, PATCHES)


def install() -> None:
    _patching.install(__name__, PATCHES)
