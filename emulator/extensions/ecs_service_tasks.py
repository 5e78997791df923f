"""ECS ListTasks: ``serviceName`` lists that service's tasks only, and without ``desiredStatus`` only running ones.

AWS (ECS API reference, ListTasks): ``serviceName`` "filters the results to only include tasks that belong to that
service" -- a service's tasks are those in its task group ``service:<service name>`` -- and without a
``desiredStatus`` the result holds the tasks whose desired status is ``RUNNING``: stopped tasks are listed only with
``desiredStatus=STOPPED`` (the AWS CLI's ``list-tasks`` shows no stopped task unless asked for them).

moto 5.2.5's ``EC2ContainerServiceBackend.list_tasks`` ignores ``serviceName`` ("We can't filter on service_name
until the backend actually launches tasks as part of the service creation process") and, without ``desiredStatus``,
lists stopped tasks too. So ``ListTasks(serviceName=web, desiredStatus=STOPPED)`` -- how a deployment's failed tasks
are found (``cloudops.fargate.ecs_service`` reports their ``stoppedReason``) -- returned every stopped task of the
cluster, whichever service or RunTask call started it.

The wrapper hands moto ``desiredStatus=RUNNING`` when none is given and keeps, when ``serviceName`` (a name or a
service ARN) is given, the tasks of group ``service:<name>`` (the service tasks ecs_service_deployments makes carry
that group, as on AWS).
"""

from __future__ import annotations

import functools
import inspect
from typing import Any

from moto.ecs.models import EC2ContainerServiceBackend

from emulator.extensions import _patching
from emulator.extensions._patching import Patch

DEFAULT_DESIRED_STATUS = "RUNNING"


def service_group(service_name_or_arn: str) -> str:
    return f"service:{service_name_or_arn.split('/')[-1]}"


def _filtered(original: Any) -> Any:
    signature = inspect.signature(original)

    @functools.wraps(original)
    def list_tasks(self: EC2ContainerServiceBackend, *args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(self, *args, **kwargs)
        if not bound.arguments.get("desiredStatus"):
            bound.arguments["desiredStatus"] = DEFAULT_DESIRED_STATUS
        tasks = original(*bound.args, **bound.kwargs)
        service_name = bound.arguments.get("service_name")
        if service_name:
            group = service_group(service_name)
            tasks = [task for task in tasks if getattr(task, "group", None) == group]
        return tasks

    return list_tasks


PATCHES = (Patch(EC2ContainerServiceBackend, "list_tasks", _filtered),)


def is_installed() -> bool:
    return _patching.installed(__name__, PATCHES)


def install() -> None:
    _patching.install(__name__, PATCHES)
