"""Application Auto Scaling DeregisterScalableTarget: delete the target's scaling policies and scheduled actions.

On AWS, "Deregistering a scalable target deletes the scaling policies and the scheduled actions that are associated
with it" (Application Auto Scaling API reference, DeregisterScalableTarget). moto 5.2.5's
``ApplicationAutoscalingBackend.deregister_scalable_target`` removes the target alone: its policies (and their
CloudWatch alarms) and its scheduled actions stay, DescribeScalingPolicies / DescribeScheduledActions keep returning
them, and a target registered again later silently inherits them.

The wrapper lets moto deregister the target exactly as before (an unknown target is still a ValidationException and
nothing else is touched), then deletes, for the same service namespace, resource ID and scalable dimension, every
scaling policy -- through moto's own ``delete_scaling_policy``, which also deletes the policy's alarms -- and every
scheduled action.
"""

from __future__ import annotations

import functools
from typing import Any

from moto.applicationautoscaling.models import ApplicationAutoscalingBackend

from emulator.extensions import _patching
from emulator.extensions._patching import Patch


def _same_target(item: Any, namespace: str, resource_id: str, dimension: str) -> bool:
    return (
        item.service_namespace == namespace and item.resource_id == resource_id and item.scalable_dimension == dimension
    )


def delete_dependents(backend: ApplicationAutoscalingBackend, namespace: str, resource_id: str, dimension: str) -> None:
    """Delete the scaling policies and scheduled actions of one (deregistered) scalable target."""
    for policy in [p for p in backend.policies.values() if _same_target(p, namespace, resource_id, dimension)]:
        backend.delete_scaling_policy(policy.policy_name, namespace, resource_id, dimension)
    backend.scheduled_actions = [
        action for action in backend.scheduled_actions if not _same_target(action, namespace, resource_id, dimension)
    ]


def _cascade(original: Any) -> Any:
    @functools.wraps(original)
    def deregister_scalable_target(
        self: ApplicationAutoscalingBackend, namespace: str, r_id: str, dimension: str
    ) -> None:
        original(self, namespace, r_id, dimension)
        delete_dependents(self, namespace, r_id, dimension)

    return deregister_scalable_target


PATCHES = (Patch(ApplicationAutoscalingBackend, "deregister_scalable_target", _cascade),)


def is_installed() -> bool:
    return _patching.installed(__name__, PATCHES)


def install() -> None:
    _patching.install(__name__, PATCHES)
