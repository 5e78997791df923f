"""Application Auto Scaling RegisterScalableTarget: a new ECS service is not visible to it at once.

What AWS does: Application Auto Scaling checks the ECS service behind ``service/<cluster>/<service>`` through ECS,
which is eventually consistent ("the result of an API command you run that affects your Amazon ECS resources might
not be immediately visible to all subsequent commands you run" -- ECS API reference, Request eventual consistency);
for a few seconds after CreateService, RegisterScalableTarget answers ``ValidationException`` "ECS service doesn't
exist: service/<cluster>/<service>". terraform-provider-aws internal/service/appautoscaling/target.go
(``registerScalableTarget``) retries that message for ``propagationTimeout`` (2 minutes).

moto 5.2.5's ``ApplicationAutoscalingBackend.register_scalable_target`` raises that error only for a service
DescribeServices does not find, so a target registered right after CreateService always succeeds.

The patch notes when each ECS service is created (``EC2ContainerServiceBackend.create_service``, once per service:
an idempotent CreateService answering with the existing service does not restart it) and, for
``realism.lingers("scalable_target.service_visibility")`` after (0 in plain mode, fixed at creation), answers
RegisterScalableTarget of namespace ``ecs`` for that service with AWS's error, before moto registers anything.
"""

from __future__ import annotations

import functools
from typing import Any

from moto.applicationautoscaling.exceptions import AWSValidationException
from moto.applicationautoscaling.models import ApplicationAutoscalingBackend
from moto.ecs.models import EC2ContainerServiceBackend

from emulator import realism
from emulator.extensions import _patching
from emulator.extensions._patching import Patch

_VISIBLE = "_emulator_autoscaling_visibility"  # realism.Timer on a moto ECS Service: until Auto Scaling sees it


def not_yet_visible(backend: ApplicationAutoscalingBackend, resource_id: str) -> bool:
    """Whether ``service/<cluster>/<service>`` names an ECS service created too recently for Auto Scaling to see."""
    parts = resource_id.split("/")
    if len(parts) != 3 or parts[0] != "service":
        return False
    service = backend.ecs_backend.services.get(f"{parts[1]}:{parts[2]}")
    visibility = getattr(service, _VISIBLE, None)
    return visibility is not None and not visibility.done


# --------------------------------------------------------------------------- wrappers


def _noting_creation(original: Any) -> Any:
    @functools.wraps(original)
    def create_service(self: EC2ContainerServiceBackend, *args: Any, **kwargs: Any) -> Any:
        service = original(self, *args, **kwargs)
        if getattr(service, _VISIBLE, None) is None:
            setattr(service, _VISIBLE, realism.Timer.of("scalable_target.service_visibility", subject=service.arn))
        return service

    return create_service


def _refuse_unseen_services(original: Any) -> Any:
    @functools.wraps(original)
    def register_scalable_target(
        self: ApplicationAutoscalingBackend, namespace: str, r_id: str, *args: Any, **kwargs: Any
    ) -> Any:
        if namespace == "ecs" and not_yet_visible(self, r_id):
            raise AWSValidationException(f"ECS service doesn't exist: {r_id}")
        return original(self, namespace, r_id, *args, **kwargs)

    return register_scalable_target


PATCHES = (
    Patch(EC2ContainerServiceBackend, "create_service", _noting_creation),
    Patch(ApplicationAutoscalingBackend, "register_scalable_target", _refuse_unseen_services),
)


def is_installed() -> bool:
    return _patching.installed(__name__, PATCHES)


def install() -> None:
    _patching.install(__name__, PATCHES)
