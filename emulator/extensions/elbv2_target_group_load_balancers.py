"""ELBv2: a target group stops naming a load balancer once nothing of that load balancer forwards to it.

moto 5.2.5 appends a load balancer's ARN to a target group's ``LoadBalancerArns`` when a listener or
rule starts forwarding to it, and never takes it out again: after DeleteLoadBalancer or
DeleteListener the target group still claims to be in use by a load balancer that may no longer
exist. Clients that check ``LoadBalancerArns`` before deleting a target group (as AWS refuses to
delete one in use) then refuse to delete it forever.

After every call that removes or redirects forwarding, the patch recomputes each target group's
``LoadBalancerArns`` from the listeners and rules that exist, as AWS reports them.
"""

from __future__ import annotations

import functools
from typing import Any

from moto.elbv2.models import ELBv2Backend

from emulator.extensions import _patching
from emulator.extensions._patching import Patch

# Calls after which a target group may have lost a load balancer.
PATCHED_METHODS = ("delete_load_balancer", "delete_listener", "delete_rule", "modify_listener", "modify_rule")


def _forwarded_target_groups(backend: ELBv2Backend, listener: Any) -> set[str]:
    actions = list(getattr(listener, "default_actions", []) or [])
    for rule in listener.rules.values():
        actions.extend(rule.actions)
    found: set[str] = set()
    for action in actions:
        found.update(backend._get_target_group_arns_from(action_data=action.data))
    return found


def recompute_load_balancer_arns(backend: ELBv2Backend) -> None:
    users: dict[str, list[str]] = {}
    for load_balancer in backend.load_balancers.values():
        for listener in load_balancer.listeners.values():
            for target_group_arn in _forwarded_target_groups(backend, listener):
                users.setdefault(target_group_arn, [])
                if load_balancer.arn not in users[target_group_arn]:
                    users[target_group_arn].append(load_balancer.arn)
    for target_group in backend.target_groups.values():
        target_group.load_balancer_arns = users.get(target_group.arn, [])


def _recomputing(original: Any) -> Any:
    @functools.wraps(original)
    def method(self: ELBv2Backend, *args: Any, **kwargs: Any) -> Any:
        result = original(self, *args, **kwargs)
        recompute_load_balancer_arns(self)
        return result

    return method


PATCHES = tuple(Patch(ELBv2Backend, name, _recomputing) for name in PATCHED_METHODS)


def is_installed() -> bool:
    return _patching.installed(__name__, PATCHES)


def install() -> None:
    _patching.install(__name__, PATCHES)
