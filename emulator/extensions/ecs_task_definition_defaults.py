"""ECS task definitions come back with the defaults AWS fills in on registration, not only with what was registered.

RegisterTaskDefinition and DescribeTaskDefinition return the task definition as ECS stored it, with what was left out
filled in. A RegisterTaskDefinition answer of AWS (2026, a Fargate task definition whose one container was given
``name``, ``image``, ``essential``, ``portMappings``, ``environment``, ``secrets`` and ``logConfiguration``) reads
``"cpu": 0``, ``"mountPoints": []``, ``"volumesFrom": []`` and ``"systemControls": []`` on the container, and
``"volumes": []``, ``"placementConstraints": []``, ``"status": "ACTIVE"``, ``"registeredAt"`` and ``"registeredBy"``
on the task definition; the AWS CLI reference's register-task-definition example (awscli/examples/ecs) shows
``"portMappings": []``, ``"environment": []`` and ``"essential": true`` filled in the same way. The ECS API reference
states the rest:

* HealthCheck: ``interval`` "The default value is 30 seconds", ``timeout`` "The default value is 5", ``retries``
  "The default value is 3" (``startPeriod`` "is off" by default, so it stays absent);
* EFSVolumeConfiguration ``transitEncryption`` and EFSAuthorizationConfig ``iam``: "If this parameter is omitted,
  the default value of DISABLED is used".

moto 5.2.5 fills ``cpu``, ``portMappings``, ``essential``, ``environment``, ``mountPoints`` and ``volumesFrom`` of a
container and an EFS volume's ``rootDirectory``, but not ``systemControls``, a health check's interval, timeout and
retries, an EFS volume's ``transitEncryption`` or its authorization's ``iam``, nor ``registeredAt``. A client that
compares what it wants with what is registered (cloudops.fargate.ecs_task_definition registers a new revision only
when they differ) must treat the filled-in form as the same as its own; without this extension the emulator never
shows that form, so the comparison would go untested against it.

The wrapper fills these in after moto registers the task definition (what every later Describe returns). Values
given are kept. Port mappings are ecs_task_definition_port_mappings' (both wrap ``register_task_definition`` after
moto has acted and touch different members, so their order does not matter).
"""

from __future__ import annotations

import copy
import functools
from typing import Any

from moto.core.utils import utcnow
from moto.ecs.models import EC2ContainerServiceBackend, TaskDefinition

from emulator.extensions import _patching
from emulator.extensions._patching import Patch

# What a container definition is given when it leaves these out.
CONTAINER_DEFAULTS: dict[str, Any] = {
    "cpu": 0,
    "portMappings": [],
    "essential": True,
    "environment": [],
    "mountPoints": [],
    "volumesFrom": [],
    "systemControls": [],
}
HEALTH_CHECK_DEFAULTS: dict[str, Any] = {"interval": 30, "timeout": 5, "retries": 3}
EFS_DEFAULTS: dict[str, Any] = {"rootDirectory": "/", "transitEncryption": "DISABLED"}
EFS_AUTHORIZATION_DEFAULTS: dict[str, Any] = {"iam": "DISABLED"}


def _with_defaults(given: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    filled = dict(given)
    for key, value in defaults.items():
        if filled.get(key) is None:
            filled[key] = copy.deepcopy(value)
    return filled


def fill_defaults(task_definition: TaskDefinition) -> None:
    """Give ``task_definition`` the members AWS fills in on registration."""
    containers = []
    for container in task_definition.container_definitions:
        container = _with_defaults(container, CONTAINER_DEFAULTS)
        if isinstance(container.get("healthCheck"), dict):
            container["healthCheck"] = _with_defaults(container["healthCheck"], HEALTH_CHECK_DEFAULTS)
        containers.append(container)
    task_definition.container_definitions = containers
    for volume in task_definition.volumes or []:
        efs = volume.get("efsVolumeConfiguration")
        if not isinstance(efs, dict):
            continue
        efs = _with_defaults(efs, EFS_DEFAULTS)
        if isinstance(efs.get("authorizationConfig"), dict):
            efs["authorizationConfig"] = _with_defaults(efs["authorizationConfig"], EFS_AUTHORIZATION_DEFAULTS)
        volume["efsVolumeConfiguration"] = efs
    if getattr(task_definition, "registered_at", None) is None:
        task_definition.registered_at = utcnow()


def _wrap(original: Any) -> Any:
    @functools.wraps(original)
    def register_task_definition(self: EC2ContainerServiceBackend, *args: Any, **kwargs: Any) -> TaskDefinition:
        task_definition = original(self, *args, **kwargs)
        fill_defaults(task_definition)
        return task_definition

    return register_task_definition


PATCHES = (Patch(EC2ContainerServiceBackend, "register_task_definition", _wrap),)


def is_installed() -> bool:
    return _patching.installed(__name__, PATCHES)


def install() -> None:
    _patching.install(__name__, PATCHES)
