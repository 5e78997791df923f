"""ECS task definitions: port mappings come back with the protocol and host port AWS fills in.

moto 5.2.5 stores a container's ``portMappings`` exactly as registered: ``[{"containerPort": 80}]`` is described
as ``[{"containerPort": 80}]``. AWS fills in what was left out when it registers the task definition, and
RegisterTaskDefinition and DescribeTaskDefinition return it (PortMapping in the ECS API reference):

* ``protocol`` - "Valid values are tcp and udp. The default is tcp", and the description says ``tcp``;
* ``hostPort`` - "If you use containers in a task with the awsvpc or host network mode, the hostPort can either be
  left blank or set to the same value as the containerPort": left blank, it is described as the containerPort.

So a client that registers ``{"containerPort": 80}`` on Fargate reads back ``{"containerPort": 80, "hostPort": 80,
"protocol": "tcp"}``, and a client comparing what it wants with what is registered (cloudops.fargate.ecs_task_definition
registers a new revision only when they differ) must treat both as the same. Without this extension the emulator
never shows the filled-in form, so that comparison would go untested against it.

The wrapper fills both in after moto registers the task definition (the stored container definitions are what
every later Describe returns): ``protocol`` ``tcp`` where it is missing, and in ``awsvpc`` and ``host`` network mode
``hostPort`` equal to ``containerPort`` where it is missing. In ``bridge`` mode a missing host port is a dynamic one
and stays missing, as do mappings given by ``containerPortRange``. Everything else about registration is moto's.
"""

from __future__ import annotations

import functools
from typing import Any

from moto.ecs.models import EC2ContainerServiceBackend, TaskDefinition

from emulator.extensions import _patching
from emulator.extensions._patching import Patch

DEFAULT_PROTOCOL = "tcp"
# Network modes in which the host port of a mapping is its container port.
STATIC_PORT_NETWORK_MODES = ("awsvpc", "host")


def fill_port_mappings(task_definition: TaskDefinition) -> None:
    """Give every port mapping of ``task_definition`` the protocol and host port AWS fills in."""
    static = task_definition.network_mode in STATIC_PORT_NETWORK_MODES
    for container in task_definition.container_definitions:
        mappings = container.get("portMappings")
        if not mappings:
            continue
        filled = []
        for mapping in mappings:
            mapping = dict(mapping)
            mapping.setdefault("protocol", DEFAULT_PROTOCOL)
            if static and "containerPort" in mapping and mapping.get("hostPort") is None:
                mapping["hostPort"] = mapping["containerPort"]
            filled.append(mapping)
        container["portMappings"] = filled


def _wrap(original: Any) -> Any:
    @functools.wraps(original)
    def register_task_definition(self: EC2ContainerServiceBackend, *args: Any, **kwargs: Any) -> TaskDefinition:
        task_definition = original(self, *args, **kwargs)
        fill_port_mappings(task_definition)
        return task_definition

    return register_task_definition


PATCHES = (Patch(EC2ContainerServiceBackend, "register_task_definition", _wrap),)


def is_installed() -> bool:
    return _patching.installed(__name__, PATCHES)


def install() -> None:
    _patching.install(__name__, PATCHES)
