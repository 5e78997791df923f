# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Manager behind cloudops.fargate.ecs_task_definition, and its pure helpers.

A task definition family is a list of immutable revisions. The module registers a new revision only when
the definition it is asked for differs from the latest ACTIVE revision of the family. Both sides are
compared after normalisation (``normalize_task_definition``): what AWS fills in on registration (a
container's ``essential: true`` and ``cpu: 0``, a port mapping's ``protocol: tcp`` and, in ``awsvpc`` or
``host`` mode, ``hostPort`` equal to ``containerPort``, empty lists, the EFS root directory ...) is filled in
on both sides, what AWS computes (``revision``, ``status``, ``registeredAt`` ...) is left out, key and list
order never count, and a container's ``environment`` and ``secrets`` are compared as maps by name.
RegisterTaskDefinition takes no idempotency token; comparing with the latest revision is what makes a
re-run safe: a run interrupted after registering finds its revision as the latest and changes nothing.

Validators meant for reuse (by the fargate role, through a filter or an assert) are pure functions of
plain values, with no AWS call:

* ``parse_cpu(value)`` / ``parse_memory(value)``: task CPU units / memory MiB from ``1024``, ``"1024"``,
  ``"1 vCPU"`` / ``"2 GB"``, as AWS converts them on registration.
* ``fargate_cpu_memory_errors(cpu, memory)`` / ``is_valid_fargate_size(cpu, memory)``: whether the pair is
  one of Fargate's task sizes (``FARGATE_CPU_MEMORY``, from the RegisterTaskDefinition API reference).
* ``image_tag_errors(value, option)``: an image tag (``[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}``) or a digest
  (``sha256:<64 hex digits>``), the part after the repository; the one owner of that rule.
* ``image_reference_errors(image)`` / ``is_valid_image_reference(image)``: ``repository:tag`` or
  ``repository@sha256:<64 hex digits>``.
* ``is_valid_secret_reference(value_from)``: an SSM parameter (ARN or name) or a Secrets Manager secret ARN.
* ``looks_like_secret_name(name)``: whether an environment variable's name calls for ``secrets`` instead.

``definition_errors(params)`` runs all of them (and the rest: ports, secrets, volumes, mount points, roles ...)
over the module's parameters, each message naming the container and the field; ``wanted_task_definition(params)``
raises ``TaskDefinitionInputError`` with them all, or returns the RegisterTaskDefinition request.
"""

from __future__ import annotations

import json
import re
from copy import deepcopy
from decimal import Decimal
from typing import Any

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.cloudops.fargate.plugins.module_utils._common import AWSActionError
from ansible_collections.cloudops.fargate.plugins.module_utils._common import BaseResourceManager
from ansible_collections.cloudops.fargate.plugins.module_utils._common import InputError
from ansible_collections.cloudops.fargate.plugins.module_utils._common import call
from ansible_collections.cloudops.fargate.plugins.module_utils._common import merged_tags
from ansible_collections.cloudops.fargate.plugins.module_utils._common import paginate
from ansible_collections.cloudops.fargate.plugins.module_utils._common import tag_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._common import wanted_tags
from ansible_collections.cloudops.fargate.plugins.module_utils._common import without_aws_tags

try:
    from botocore.validate import ParamValidator
except ImportError:
    pass  # AnsibleAWSModule reports the missing dependency

# --- choices and defaults -------------------------------------------------------------------------------

NETWORK_MODES = ("awsvpc", "bridge", "host", "none")
DEFAULT_NETWORK_MODE = "awsvpc"
COMPATIBILITIES = ("FARGATE", "EC2", "EXTERNAL")
DEFAULT_REQUIRES_COMPATIBILITIES = ("FARGATE",)
CPU_ARCHITECTURES = ("X86_64", "ARM64")
OPERATING_SYSTEM_FAMILIES = ("LINUX",)
RUNTIME_PLATFORM_DEFAULTS = {"cpu_architecture": "X86_64", "operating_system_family": "LINUX"}
# What ECS uses when a task definition has no runtimePlatform.
AWS_RUNTIME_PLATFORM = {"cpuArchitecture": "X86_64", "operatingSystemFamily": "LINUX"}
# What ECS uses when a task definition has no networkMode.
AWS_DEFAULT_NETWORK_MODE = "bridge"

# Fargate task sizes: task CPU units -> the memory sizes (MiB) allowed with it. From the API reference of
# RegisterTaskDefinition (``memory``) and the ECS Developer Guide, "Task size" / "Troubleshoot Amazon ECS task
# definition invalid CPU or memory errors"; 8192 and 16384 units need Linux platform version 1.4.0 or later.
FARGATE_CPU_MEMORY: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4096 + 1, 1024)),
    1024: tuple(range(2048, 8192 + 1, 1024)),
    2048: tuple(range(4096, 16384 + 1, 1024)),
    4096: tuple(range(8192, 30720 + 1, 1024)),
    8192: tuple(range(16384, 61440 + 1, 4096)),
    16384: tuple(range(32768, 122880 + 1, 8192)),
}
# CPU units a task on EC2 (or external instances) may have.
EC2_CPU_RANGE = (128, 196608)
EPHEMERAL_STORAGE_RANGE = (21, 200)
PORT_RANGE = (1, 65535)
PORT_PROTOCOLS = ("tcp", "udp")
DEPENDS_ON_CONDITIONS = ("START", "COMPLETE", "SUCCESS", "HEALTHY")
EFS_SWITCHES = ("ENABLED", "DISABLED")
NAME_MAX_LENGTH = 255
_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
_ROLE_ARN_RE = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$")
_FILE_SYSTEM_ID_RE = re.compile(r"^fs-[0-9a-f]{8,40}$")
_ACCESS_POINT_ID_RE = re.compile(r"^fsap-[0-9a-f]{8,40}$")

# AWS fills these into every container definition it registers.
CONTAINER_DEFAULTS: dict[str, Any] = {"essential": True, "cpu": 0, "versionConsistency": "enabled"}
# ... and these into a health check (HealthCheck in the API reference).
HEALTH_CHECK_DEFAULTS: dict[str, Any] = {"interval": 30, "timeout": 5, "retries": 3}
# ... and these into an EFS volume (EFSVolumeConfiguration, EFSAuthorizationConfig).
EFS_DEFAULTS: dict[str, Any] = {"rootDirectory": "/", "transitEncryption": "DISABLED"}
EFS_AUTHORIZATION_DEFAULTS: dict[str, Any] = {"iam": "DISABLED"}
# What RegisterTaskDefinition fills into a container definition that leaves these out, as DescribeTaskDefinition then
# returns it (an AWS answer for a Fargate task definition and the AWS CLI reference's register-task-definition example;
# emulator/extensions/ecs_task_definition_defaults.py): check mode predicts the same.
REGISTERED_CONTAINER_DEFAULTS: dict[str, Any] = {
    "cpu": 0,
    "portMappings": [],
    "essential": True,
    "environment": [],
    "mountPoints": [],
    "volumesFrom": [],
    "systemControls": [],
}
# Network modes in which a port mapping's hostPort is the containerPort.
STATIC_PORT_NETWORK_MODES = ("awsvpc", "host")

# Fields of a DescribeTaskDefinition result that are the definition (compared); everything else (revision,
# status, taskDefinitionArn, compatibilities, requiresAttributes, registeredAt, registeredBy ...) is
# computed by AWS and never compared. Keys are the API's, values the names used in the diff (``task.<name>``).
COMPARED_TASK_FIELDS = {
    "cpu": "cpu",
    "memory": "memory",
    "networkMode": "network_mode",
    "requiresCompatibilities": "requires_compatibilities",
    "executionRoleArn": "execution_role_arn",
    "taskRoleArn": "task_role_arn",
    "volumes": "volumes",
    "runtimePlatform": "runtime_platform",
    "ephemeralStorage": "ephemeral_storage",
    # not options of the module: a latest revision that has them differs from what the module registers
    "placementConstraints": "placement_constraints",
    "proxyConfiguration": "proxy_configuration",
    "inferenceAccelerators": "inference_accelerators",
    "pidMode": "pid_mode",
    "ipcMode": "ipc_mode",
}

# Keys whose values are the user's own data (maps of arbitrary keys, name/value lists): returned as AWS has
# them, not converted to snake_case (the key itself is).
VERBATIM_KEYS = frozenset(
    {"environment", "secrets", "secretOptions", "options", "dockerLabels", "driverOpts", "labels"}
)
_SNAKE_OVERRIDES = {"sizeInGiB": "size_in_gib"}

# An environment variable whose name has one of these words (or a word ending in one) should be a secret.
SECRET_NAME_WORDS = ("PASSWORD", "PASSWD", "SECRET", "TOKEN", "KEY")
# ... unless its last word says it is a reference to where the secret is: FOO_PASSWORD_FILE.
SECRET_REFERENCE_SUFFIXES = ("FILE", "PATH")

# Docker image references (distribution/reference grammar), restricted to the two forms the module takes.
_PATH_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = rf"{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*(?::[0-9]+)?"
_REPOSITORY = rf"(?:{_DOMAIN}/)?{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*"
_REPOSITORY_RE = re.compile(_REPOSITORY)
# What follows the repository (ECR's and Docker's rules): a tag after ':', a digest after '@'.
_IMAGE_TAG_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
_IMAGE_DIGEST_RE = re.compile(r"sha256:[0-9a-fA-F]{64}")
IMAGE_MAX_LENGTH = 255

# Secret references: an SSM parameter by ARN or name (a name is looked up in the task's region), or a Secrets
# Manager secret by ARN, optionally with :json-key:version-stage:version-id.
_SSM_ARN_RE = re.compile(r"^arn:aws[a-z-]*:ssm:[a-z0-9-]+:\d{12}:parameter/?[A-Za-z0-9_.\-/]{1,2048}$")
_SSM_NAME_RE = re.compile(r"^/?[A-Za-z0-9_.\-]+(?:/[A-Za-z0-9_.\-]+)*$")
_SECRETS_MANAGER_ARN_RE = re.compile(
    r"^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]{1,512}(?::[^:]*){0,3}$"
)
SSM_NAME_MAX_LENGTH = 2048


class TaskDefinitionInputError(InputError):
    """The caller's arguments cannot describe a valid task definition; the message names every problem."""


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _label(container: Any, index: int) -> str:
    name = container.get("name") if isinstance(container, dict) else None
    return f"container {name!r}" if isinstance(name, str) and name else f"container #{index + 1}"


def _sort_key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


# --- task size -----------------------------------------------------------------------------------------------

_CPU_TEXT_RE = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)\s*vcpus?\s*$", re.IGNORECASE)
_MEMORY_TEXT_RE = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)\s*gb\s*$", re.IGNORECASE)


def _units(value: Any, what: str, text_re: re.Pattern[str], unit: str) -> int:
    if _is_int(value):
        number = value
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    elif isinstance(value, str) and text_re.match(value):
        scaled = Decimal(text_re.match(value).group(1)) * 1024
        if scaled != scaled.to_integral_value():
            raise TaskDefinitionInputError(f"{what} {value!r} is not a whole number of units")
        number = int(scaled)
    else:
        raise TaskDefinitionInputError(
            f"{what} must be an integer or a string like '1024' or '1 {unit}', not {value!r}"
        )
    if number <= 0:
        raise TaskDefinitionInputError(f"{what} must be positive, not {value!r}")
    return number


def parse_cpu(value: Any) -> int:
    """Task CPU units from ``1024``, ``"1024"``, ``"1 vCPU"`` or ``"0.25 vcpu"``, as ECS converts them on
    registration (1 vCPU = 1024 units); raises TaskDefinitionInputError."""
    return _units(value, "cpu", _CPU_TEXT_RE, "vCPU")


def parse_memory(value: Any) -> int:
    """Task memory in MiB from ``2048``, ``"2048"``, ``"2 GB"`` or ``"0.5GB"``, as ECS converts it on
    registration (1 GB = 1024 MiB); raises TaskDefinitionInputError."""
    return _units(value, "memory", _MEMORY_TEXT_RE, "GB")


def fargate_memory_values(cpu: int) -> tuple[int, ...]:
    """The memory sizes (MiB) Fargate allows with ``cpu`` units; empty when ``cpu`` is not a Fargate size."""
    return FARGATE_CPU_MEMORY.get(cpu, ())


def _describe_memory_values(values: tuple[int, ...]) -> str:
    if len(values) <= 4:
        return ", ".join(str(v) for v in values)
    step = values[1] - values[0]
    return f"{values[0]} to {values[-1]} in steps of {step}"


def fargate_cpu_memory_errors(cpu: Any, memory: Any) -> list[str]:
    """Why ``cpu`` and ``memory`` are not a Fargate task size; an empty list when they are. Both may be
    given in any form ``parse_cpu`` / ``parse_memory`` take."""
    errors = []
    cpu_units = memory_mib = None
    if cpu is None:
        errors.append("cpu is required for Fargate")
    else:
        try:
            cpu_units = parse_cpu(cpu)
        except TaskDefinitionInputError as e:
            errors.append(str(e))
    if memory is None:
        errors.append("memory is required for Fargate")
    else:
        try:
            memory_mib = parse_memory(memory)
        except TaskDefinitionInputError as e:
            errors.append(str(e))
    if errors:
        return errors
    if cpu_units not in FARGATE_CPU_MEMORY:
        sizes = ", ".join(str(c) for c in FARGATE_CPU_MEMORY)
        return [f"cpu {cpu_units} is not a Fargate task size; Fargate takes cpu {sizes}"]
    allowed = FARGATE_CPU_MEMORY[cpu_units]
    if memory_mib not in allowed:
        allowed_text = _describe_memory_values(allowed)
        return [
            f"memory {memory_mib} is not allowed with cpu {cpu_units} on Fargate; with cpu {cpu_units} memory must be"
            + f" {allowed_text} (MiB)"
        ]
    return []


def is_valid_fargate_size(cpu: Any, memory: Any) -> bool:
    """Whether ``cpu`` and ``memory`` are one of Fargate's task sizes."""
    return not fargate_cpu_memory_errors(cpu, memory)


# --- images --------------------------------------------------------------------------------------------------


def image_tag_errors(value: Any, option: str = "image tag") -> list[str]:
    """Why ``value`` is neither an image tag (letters, digits, ``_ . -``, at most 128, not starting with ``.`` or
    ``-``) nor a digest ``sha256:<64 hex digits>``; empty when it is one. ``option`` names the value."""
    text = value if isinstance(value, str) else ""
    if _IMAGE_TAG_RE.fullmatch(text) or _IMAGE_DIGEST_RE.fullmatch(text):
        return []
    return [
        f"{option} {value!r} must be a tag (letters, digits, '_', '.', '-', at most 128 characters, not starting with"
        " '.' or '-') or a digest 'sha256:' followed by 64 hex digits"
    ]


def image_reference_errors(image: Any, where: str = "image") -> list[str]:
    """Why ``image`` is not ``repository:tag`` or ``repository@sha256:<64 hex digits>``; empty when it is.

    The repository is a Docker repository name, optionally behind a registry host (and port): ``nginx``,
    ``library/nginx``, ``123456789012.dkr.ecr.us-east-1.amazonaws.com/app``; the tag or digest follows
    ``image_tag_errors``. An image without a tag (Docker's implicit ``latest``) is refused: a task definition should
    name what it runs.
    """
    if not isinstance(image, str) or not image:
        return [f"{where} must be a non-empty string, not {image!r}"]

    def refused(reason: str) -> list[str]:
        return [f"{where} {image!r} is not repository:tag or repository@sha256:<64 hex digits> ({reason})"]

    if "@" in image:
        repository, digest = image.split("@", 1)
        if not (_REPOSITORY_RE.fullmatch(repository) and digest.startswith("sha256:") and not image_tag_errors(digest)):
            return refused("a digest must be sha256: followed by 64 hex digits, after a valid repository name")
        if len(repository) > IMAGE_MAX_LENGTH:
            return [f"{where} {image!r}: the repository is longer than {IMAGE_MAX_LENGTH} characters"]
        return []
    if ":" not in image.rsplit("/", 1)[-1]:
        return refused("it has no tag")
    repository, tag = image.rsplit(":", 1)
    if not (_REPOSITORY_RE.fullmatch(repository) and not image_tag_errors(tag)):
        return refused("the repository or the tag has characters Docker does not allow")
    if len(image) > IMAGE_MAX_LENGTH:
        return [f"{where} {image!r} is longer than {IMAGE_MAX_LENGTH} characters"]
    return []


def is_valid_image_reference(image: Any) -> bool:
    """Whether ``image`` is ``repository:tag`` or ``repository@sha256:<64 hex digits>``."""
    return not image_reference_errors(image)


# --- secrets and environment -----------------------------------------------------------------------------------


def is_valid_secret_reference(value_from: Any) -> bool:
    """Whether ``value_from`` can name a secret for ECS: an SSM parameter ARN or name, or a Secrets Manager
    secret ARN (optionally with ``:json-key:version-stage:version-id``). ECS reads a bare name as an SSM
    parameter of the task's region."""
    if not isinstance(value_from, str) or not value_from:
        return False
    if value_from.startswith("arn:"):
        return bool(_SSM_ARN_RE.match(value_from) or _SECRETS_MANAGER_ARN_RE.match(value_from))
    return len(value_from) <= SSM_NAME_MAX_LENGTH and bool(_SSM_NAME_RE.match(value_from))


def _name_words(name: str) -> list[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    return [word for word in re.split(r"[^A-Za-z0-9]+", spaced.upper()) if word]


def looks_like_secret_name(name: Any) -> bool:
    """Whether an environment variable named ``name`` looks like it holds a secret: one of its words (split at
    ``_``, ``-``, ``.`` and camelCase) is or ends with PASSWORD, PASSWD, SECRET, TOKEN or KEY (``DB_PASSWORD``,
    ``apiKey``, ``CLIENTSECRET``), unless the last word is FILE or PATH (``DB_PASSWORD_FILE`` names a file)."""
    if not isinstance(name, str):
        return False
    words = _name_words(name)
    if not words or words[-1] in SECRET_REFERENCE_SUFFIXES:
        return False
    return any(word.endswith(secret) for word in words for secret in SECRET_NAME_WORDS)


def _secret_list_errors(label: str, field: str, entries: Any) -> tuple[list[str], set[str]]:
    if not isinstance(entries, list):
        return [f"{label}: {field} must be a list of {{name, valueFrom}}"], set()
    errors: list[str] = []
    names: set[str] = set()
    for position, entry in enumerate(entries):
        if not isinstance(entry, dict) or set(entry) != {"name", "valueFrom"}:
            keys = sorted(entry) if isinstance(entry, dict) else entry
            errors.append(f"{label}: {field}[{position}] must have exactly the keys name and valueFrom, not {keys!r}")
            continue
        name, value_from = entry["name"], entry["valueFrom"]
        if not isinstance(name, str) or not name:
            errors.append(f"{label}: {field}[{position}].name must be a non-empty string")
            continue
        if name in names:
            errors.append(f"{label}: {field} names {name} more than once")
        names.add(name)
        if not is_valid_secret_reference(value_from):
            errors.append(
                f"{label}: {field} {name}: valueFrom {value_from!r} is neither an SSM parameter (ARN or name) nor a"
                " Secrets Manager secret ARN"
            )
    return errors, names


def _environment_errors(label: str, environment: Any) -> tuple[list[str], set[str]]:
    if not isinstance(environment, list):
        return [f"{label}: environment must be a list of {{name, value}}"], set()
    errors: list[str] = []
    names: set[str] = set()
    for position, entry in enumerate(environment):
        if not isinstance(entry, dict) or not set(entry) <= {"name", "value"} or "name" not in entry:
            keys = sorted(entry) if isinstance(entry, dict) else entry
            errors.append(f"{label}: environment[{position}] must have the keys name and value, not {keys!r}")
            continue
        name = entry["name"]
        if not isinstance(name, str) or not name:
            errors.append(f"{label}: environment[{position}].name must be a non-empty string")
            continue
        if name in names:
            errors.append(f"{label}: environment names {name} more than once")
        names.add(name)
        value = entry.get("value")
        if value is not None and not isinstance(value, str):
            errors.append(f"{label}: environment {name}: value must be a string (quote it), not {value!r}")
        if looks_like_secret_name(name):
            errors.append(
                f"{label}: environment {name} looks like a secret; pass it in secrets instead, with valueFrom an SSM"
                " parameter or a Secrets Manager secret ARN (the execution role reads it when the task starts)"
            )
    return errors, names


# --- containers ------------------------------------------------------------------------------------------------


def _port_mapping_errors(label: str, mappings: Any, network_mode: str) -> list[str]:
    if not isinstance(mappings, list):
        return [f"{label}: portMappings must be a list"]
    if mappings and network_mode == "none":
        return [f"{label}: portMappings are not allowed with network_mode none"]
    errors = []
    for position, mapping in enumerate(mappings):
        where = f"{label}: portMappings[{position}]"
        if not isinstance(mapping, dict):
            errors.append(f"{where} must be a dict")
            continue
        container_port = mapping.get("containerPort")
        host_port = mapping.get("hostPort")
        if container_port is None and mapping.get("containerPortRange") is None:
            errors.append(f"{where}.containerPort is required")
        low, high = PORT_RANGE
        if container_port is not None and not (_is_int(container_port) and low <= container_port <= high):
            errors.append(f"{where}.containerPort must be an integer from {low} to {high}, not {container_port!r}")
        if host_port is not None:
            dynamic = network_mode == "bridge" and host_port == 0
            if not dynamic and not (_is_int(host_port) and low <= host_port <= high):
                errors.append(f"{where}.hostPort must be an integer from {low} to {high}, not {host_port!r}")
            elif (
                network_mode in STATIC_PORT_NETWORK_MODES and container_port is not None and host_port != container_port
            ):
                errors.append(
                    f"{where}.hostPort ({host_port}) must equal containerPort ({container_port}) with network_mode"
                    f" {network_mode}, or be left out"
                )
        protocol = mapping.get("protocol")
        if protocol is not None and protocol not in PORT_PROTOCOLS:
            errors.append(f"{where}.protocol must be one of {', '.join(PORT_PROTOCOLS)}, not {protocol!r}")
    return errors


def _reference_errors(label: str, container: dict[str, Any], names: set[str], volume_names: set[str]) -> list[str]:
    """mountPoints, volumesFrom and dependsOn must name volumes and containers of this task definition."""
    errors = []
    mount_points = container.get("mountPoints") or []
    if not isinstance(mount_points, list):
        errors.append(f"{label}: mountPoints must be a list")
        mount_points = []
    for position, mount in enumerate(mount_points):
        where = f"{label}: mountPoints[{position}]"
        if not isinstance(mount, dict):
            errors.append(f"{where} must be a dict")
            continue
        if mount.get("sourceVolume") not in volume_names:
            known = ", ".join(sorted(volume_names)) or "none"
            errors.append(
                f"{where}.sourceVolume {mount.get('sourceVolume')!r} is not a volume of the task (volumes: {known})"
            )
        path = mount.get("containerPath")
        if not isinstance(path, str) or not path.startswith("/"):
            errors.append(f"{where}.containerPath must be an absolute path, not {path!r}")
    volumes_from = container.get("volumesFrom") or []
    for position, entry in enumerate(volumes_from if isinstance(volumes_from, list) else []):
        source = entry.get("sourceContainer") if isinstance(entry, dict) else None
        if source not in names or source == container.get("name"):
            errors.append(
                f"{label}: volumesFrom[{position}].sourceContainer {source!r} is not another container of the task"
            )
    depends_on = container.get("dependsOn") or []
    for position, entry in enumerate(depends_on if isinstance(depends_on, list) else []):
        entry = entry if isinstance(entry, dict) else {}
        other = entry.get("containerName")
        if other not in names or other == container.get("name"):
            errors.append(
                f"{label}: dependsOn[{position}].containerName {other!r} is not another container of the task"
            )
        if entry.get("condition") not in DEPENDS_ON_CONDITIONS:
            errors.append(
                f"{label}: dependsOn[{position}].condition must be one of {', '.join(DEPENDS_ON_CONDITIONS)},"
                f" not {entry.get('condition')!r}"
            )
    return errors


def container_definitions_errors(
    containers: Any,
    network_mode: str = DEFAULT_NETWORK_MODE,
    volume_names: set[str] | frozenset[str] = frozenset(),
    fargate: bool = True,
    task_cpu: int | None = None,
    task_memory: int | None = None,
) -> list[str]:
    """Why ``containers`` (container definitions in the ECS API's camelCase shape) cannot be registered; each
    message names the container and the field."""
    if not isinstance(containers, list) or not containers:
        return ["container_definitions must be a non-empty list of container definitions"]
    errors: list[str] = []
    names: list[str] = []
    for index, container in enumerate(containers):
        if not isinstance(container, dict):
            errors.append(f"container_definitions[{index}] must be a dict, not {container!r}")
            continue
        name = container.get("name")
        if not isinstance(name, str) or not _NAME_RE.match(name):
            errors.append(
                f"{_label(container, index)}: name is required: up to {NAME_MAX_LENGTH} letters, digits, underscores"
                f" and hyphens, not {name!r}"
            )
        elif name in names:
            errors.append(f"container {name!r}: name is used by more than one container")
        else:
            names.append(name)
    known = set(names)
    essential = False
    total_cpu = 0
    for index, container in enumerate(containers):
        if not isinstance(container, dict):
            continue
        label = _label(container, index)
        if "image" not in container:
            errors.append(f"{label}: image is required")
        else:
            errors.extend(image_reference_errors(container["image"], f"{label}: image"))
        errors.extend(_port_mapping_errors(label, container.get("portMappings") or [], network_mode))
        env_errors, env_names = _environment_errors(label, container.get("environment") or [])
        errors.extend(env_errors)
        secret_errors, secret_names = _secret_list_errors(label, "secrets", container.get("secrets") or [])
        errors.extend(secret_errors)
        for both in sorted(env_names & secret_names):
            errors.append(f"{label}: {both} is both in environment and in secrets")
        log_configuration = container.get("logConfiguration")
        if log_configuration is not None:
            if not isinstance(log_configuration, dict) or not log_configuration.get("logDriver"):
                errors.append(f"{label}: logConfiguration.logDriver is required")
            else:
                errors.extend(
                    _secret_list_errors(
                        label, "logConfiguration.secretOptions", log_configuration.get("secretOptions") or []
                    )[0]
                )
        errors.extend(_reference_errors(label, container, known, set(volume_names)))
        if container.get("essential", True) is not False:
            essential = True
        for field in ("memory", "memoryReservation"):
            value = container.get(field)
            if value is None:
                continue
            if not (_is_int(value) and value > 0):
                errors.append(f"{label}: {field} must be a positive integer (MiB), not {value!r}")
            elif task_memory is not None and value > task_memory:
                errors.append(f"{label}: {field} ({value}) is more than the task's memory ({task_memory})")
        if (
            not fargate
            and task_memory is None
            and container.get("memory") is None
            and container.get("memoryReservation") is None
        ):
            errors.append(f"{label}: memory or memoryReservation is required when the task has no memory")
        cpu = container.get("cpu")
        if cpu is not None:
            if not (_is_int(cpu) and cpu >= 0):
                errors.append(f"{label}: cpu must be a non-negative integer (CPU units), not {cpu!r}")
            else:
                total_cpu += cpu
    if names and not essential:
        errors.append("container_definitions: at least one container must be essential")
    if task_cpu is not None and total_cpu > task_cpu:
        errors.append(
            f"container_definitions: the containers' cpu adds up to {total_cpu}, more than the task's cpu ({task_cpu})"
        )
    return errors


# --- volumes ------------------------------------------------------------------------------------------------------


def _efs_errors(where: str, efs: Any) -> list[str]:
    if not isinstance(efs, dict):
        return [f"{where} must be a dict"]
    errors = []
    if not isinstance(efs.get("fileSystemId"), str) or not _FILE_SYSTEM_ID_RE.match(efs["fileSystemId"]):
        errors.append(f"{where}.fileSystemId must be a file system ID (fs-...), not {efs.get('fileSystemId')!r}")
    transit = efs.get("transitEncryption", EFS_DEFAULTS["transitEncryption"])
    if transit not in EFS_SWITCHES:
        errors.append(f"{where}.transitEncryption must be ENABLED or DISABLED, not {transit!r}")
    authorization = efs.get("authorizationConfig") or {}
    if not isinstance(authorization, dict):
        return errors + [f"{where}.authorizationConfig must be a dict"]
    iam = authorization.get("iam", EFS_AUTHORIZATION_DEFAULTS["iam"])
    if iam not in EFS_SWITCHES:
        errors.append(f"{where}.authorizationConfig.iam must be ENABLED or DISABLED, not {iam!r}")
    access_point = authorization.get("accessPointId")
    if access_point is not None and (not isinstance(access_point, str) or not _ACCESS_POINT_ID_RE.match(access_point)):
        errors.append(
            f"{where}.authorizationConfig.accessPointId must be an access point ID (fsap-...), not {access_point!r}"
        )
    if (iam == "ENABLED" or access_point) and transit != "ENABLED":
        errors.append(
            f"{where}.transitEncryption must be ENABLED with an access point or IAM authorization (authorizationConfig)"
        )
    if access_point and efs.get("rootDirectory", "/") != "/":
        errors.append(
            f"{where}.rootDirectory must be left out (or /) with an access point; the access point sets the path"
        )
    return errors


def volumes_errors(volumes: Any, fargate: bool = True) -> tuple[list[str], set[str]]:
    """Why ``volumes`` (in the ECS API's camelCase shape) cannot be registered, and the volume names."""
    if volumes is None:
        return [], set()
    if not isinstance(volumes, list):
        return ["volumes must be a list of volumes"], set()
    errors: list[str] = []
    names: set[str] = set()
    for index, volume in enumerate(volumes):
        if not isinstance(volume, dict):
            errors.append(f"volumes[{index}] must be a dict")
            continue
        name = volume.get("name")
        if not isinstance(name, str) or not _NAME_RE.match(name):
            errors.append(f"volumes[{index}].name is required: letters, digits, underscores and hyphens, not {name!r}")
            continue
        if name in names:
            errors.append(f"volume {name!r}: name is used by more than one volume")
        names.add(name)
        where = f"volume {name!r}: efsVolumeConfiguration"
        if "efsVolumeConfiguration" in volume:
            errors.extend(_efs_errors(where, volume["efsVolumeConfiguration"]))
        if fargate and "dockerVolumeConfiguration" in volume:
            errors.append(f"volume {name!r}: dockerVolumeConfiguration is not supported on Fargate")
        if fargate and (volume.get("host") or {}).get("sourcePath"):
            errors.append(f"volume {name!r}: host.sourcePath is not supported on Fargate")
    return errors, names


# --- the module's arguments ---------------------------------------------------------------------------------------


def family_errors(family: Any) -> list[str]:
    if not isinstance(family, str) or not _NAME_RE.match(family):
        return [f"family must be 1 to {NAME_MAX_LENGTH} letters, digits, underscores and hyphens, not {family!r}"]
    return []


def validate_family(family: Any) -> str:
    """``family``, when it is a valid family name; raises TaskDefinitionInputError otherwise."""
    errors = family_errors(family)
    if errors:
        raise TaskDefinitionInputError("; ".join(errors))
    return family


def _uses_awslogs(containers: list[Any]) -> bool:
    return any(
        isinstance(c, dict)
        and isinstance(c.get("logConfiguration"), dict)
        and c["logConfiguration"].get("logDriver") == "awslogs"
        for c in containers
    )


def _uses_secrets(containers: list[Any]) -> bool:
    return any(
        isinstance(c, dict)
        and (
            c.get("secrets")
            or (isinstance(c.get("logConfiguration"), dict) and c["logConfiguration"].get("secretOptions"))
        )
        for c in containers
    )


def _compatibilities(params: dict[str, Any]) -> list[str]:
    return list(params.get("requires_compatibilities", DEFAULT_REQUIRES_COMPATIBILITIES) or [])


def _task_size(params: dict[str, Any], fargate: bool) -> tuple[int | None, int | None, list[str]]:
    """The task's cpu units and memory MiB (None when not given or not readable), and what is wrong with them:
    on Fargate one of its task sizes, elsewhere each optional, the cpu within ``EC2_CPU_RANGE``."""
    if fargate:
        errors = fargate_cpu_memory_errors(params.get("cpu"), params.get("memory"))
        if errors:
            return None, None, errors
        return parse_cpu(params["cpu"]), parse_memory(params["memory"]), []
    errors = []
    sizes: dict[str, int] = {}
    for option, parse in (("cpu", parse_cpu), ("memory", parse_memory)):
        if params.get(option) is None:
            continue
        try:
            sizes[option] = parse(params[option])
        except TaskDefinitionInputError as e:
            errors.append(str(e))
            continue
        if option == "cpu" and not EC2_CPU_RANGE[0] <= sizes["cpu"] <= EC2_CPU_RANGE[1]:
            errors.append(f"cpu must be from {EC2_CPU_RANGE[0]} to {EC2_CPU_RANGE[1]} units, not {sizes['cpu']}")
    return sizes.get("cpu"), sizes.get("memory"), errors


def definition_errors(params: dict[str, Any]) -> list[str]:
    """Every problem with the module's parameters, each naming the option (and the container, the field)."""
    errors = family_errors(params.get("family"))
    compatibilities = _compatibilities(params)
    if not compatibilities:
        errors.append("requires_compatibilities must name at least one of " + ", ".join(COMPATIBILITIES))
    elif len(set(compatibilities)) != len(compatibilities):
        errors.append("requires_compatibilities names a value more than once")
    fargate = "FARGATE" in compatibilities
    network_mode = params.get("network_mode") or DEFAULT_NETWORK_MODE
    if fargate and network_mode != "awsvpc":
        errors.append(f"network_mode must be awsvpc with FARGATE in requires_compatibilities, not {network_mode}")
    cpu, memory, size_errors = _task_size(params, fargate)
    errors.extend(size_errors)

    for option in ("execution_role_arn", "task_role_arn"):
        value = params.get(option)
        if value is not None and not _ROLE_ARN_RE.match(str(value)):
            errors.append(f"{option} must be an IAM role ARN (arn:aws:iam::<account>:role/<name>), not {value!r}")

    volume_errors, volume_names = volumes_errors(params.get("volumes"), fargate=fargate)
    errors.extend(volume_errors)
    containers = params.get("container_definitions")
    errors.extend(
        container_definitions_errors(
            containers, network_mode, volume_names, fargate=fargate, task_cpu=cpu, task_memory=memory
        )
    )
    container_list = containers if isinstance(containers, list) else []
    if params.get("execution_role_arn") is None:
        if _uses_secrets(container_list):
            errors.append("execution_role_arn is required with secrets: ECS reads them with the task execution role")
        if fargate and _uses_awslogs(container_list):
            errors.append("execution_role_arn is required on Fargate with the awslogs log driver")

    storage = params.get("ephemeral_storage")
    if storage is not None:
        low, high = EPHEMERAL_STORAGE_RANGE
        if not fargate:
            errors.append("ephemeral_storage is only supported with FARGATE in requires_compatibilities")
        elif not (_is_int(storage) and low <= storage <= high):
            errors.append(f"ephemeral_storage must be an integer from {low} to {high} (GiB), not {storage!r}")

    keep = params.get("keep_revisions")
    if keep is not None and not (_is_int(keep) and keep >= 1):
        errors.append(f"keep_revisions must be at least 1 (the latest revision is always kept), not {keep!r}")
    errors.extend(tag_errors(params.get("tags")))
    return errors


def wanted_task_definition(params: dict[str, Any]) -> dict[str, Any]:
    """The task definition the caller asked for, validated (``definition_errors``): ``{"family", "request", "tags",
    "purge_tags", "keep_revisions"}`` where ``request`` holds RegisterTaskDefinition's parameters (without tags).
    Raises TaskDefinitionInputError naming every problem."""
    errors = definition_errors(params)
    if errors:
        raise TaskDefinitionInputError("; ".join(errors))
    compatibilities = _compatibilities(params)
    cpu, memory, _errors = _task_size(params, "FARGATE" in compatibilities)
    request: dict[str, Any] = {
        "family": params["family"],
        "containerDefinitions": deepcopy(params["container_definitions"]),
        "networkMode": params.get("network_mode") or DEFAULT_NETWORK_MODE,
        "requiresCompatibilities": compatibilities,
    }
    if cpu is not None:
        request["cpu"] = str(cpu)
    if memory is not None:
        request["memory"] = str(memory)
    if params.get("execution_role_arn"):
        request["executionRoleArn"] = params["execution_role_arn"]
    if params.get("task_role_arn"):
        request["taskRoleArn"] = params["task_role_arn"]
    if params.get("volumes"):
        request["volumes"] = deepcopy(params["volumes"])
    platform = params.get("runtime_platform")
    if platform is not None:
        platform = {**RUNTIME_PLATFORM_DEFAULTS, **{k: v for k, v in platform.items() if v is not None}}
        request["runtimePlatform"] = {
            "cpuArchitecture": platform["cpu_architecture"],
            "operatingSystemFamily": platform["operating_system_family"],
        }
    if params.get("ephemeral_storage") is not None:
        request["ephemeralStorage"] = {"sizeInGiB": params["ephemeral_storage"]}
    return {
        "family": params["family"],
        "request": request,
        "tags": wanted_tags(params.get("tags")),
        "purge_tags": params.get("purge_tags", True),
        "keep_revisions": params.get("keep_revisions"),
    }


def request_shape_errors(request: dict[str, Any], input_shape: Any) -> list[str]:
    """What botocore would refuse in a RegisterTaskDefinition request (unknown keys, wrong types, missing
    required members of the passed-through container definitions and volumes), checked before any call."""
    report = ParamValidator().validate(request, input_shape)
    if not report.has_errors():
        return []
    containers = request.get("containerDefinitions") or []

    def name_container(match: re.Match[str]) -> str:
        index = int(match.group(1))
        name = (
            containers[index].get("name") if index < len(containers) and isinstance(containers[index], dict) else None
        )
        return f"{match.group(0)} (container {name!r})" if name else match.group(0)

    lines = report.generate_report().splitlines()
    return [
        re.sub(r"containerDefinitions\[(\d+)\]", name_container, line.strip())
        for line in lines
        if line.strip() and not line.startswith("Parameter validation failed")
    ]


# --- normalisation ------------------------------------------------------------------------------------------------


def _compact(value: Any) -> Any:
    """``value`` without None, empty lists and empty dicts, at any depth."""
    if isinstance(value, dict):
        result = {}
        for key, item in value.items():
            item = _compact(item)
            if item is None or item == [] or item == {}:
                continue
            result[key] = item
        return result
    if isinstance(value, list):
        return [_compact(item) for item in value]
    return value


def _canonical_units(value: Any, parse) -> Any:
    if value is None:
        return None
    try:
        return str(parse(value))
    except TaskDefinitionInputError:
        return str(value)


def _normalize_port_mapping(mapping: dict[str, Any], network_mode: str) -> dict[str, Any]:
    mapping = dict(mapping)
    mapping.setdefault("protocol", "tcp")
    container_port = mapping.get("containerPort")
    if network_mode in STATIC_PORT_NETWORK_MODES and container_port is not None:
        mapping.setdefault("hostPort", container_port)
    elif network_mode == "bridge" and mapping.get("hostPort") == 0:
        del mapping["hostPort"]
    return mapping


def _by_name(entries: list[dict[str, Any]], value_key: str) -> dict[str, Any]:
    return {entry.get("name"): entry.get(value_key) for entry in entries if isinstance(entry, dict)}


def normalize_container(container: dict[str, Any], network_mode: str) -> dict[str, Any]:
    """A container definition in comparable form: AWS's defaults filled in, empty values dropped, lists whose
    order does not matter sorted, ``environment`` and ``secrets`` as maps by name; without its name."""
    container = _compact(deepcopy(container))
    container.pop("name", None)
    for key, default in CONTAINER_DEFAULTS.items():
        container.setdefault(key, default)
    if "portMappings" in container:
        container["portMappings"] = sorted(
            (_normalize_port_mapping(m, network_mode) for m in container["portMappings"]), key=_sort_key
        )
    for key, value_key in (("environment", "value"), ("secrets", "valueFrom")):
        if key in container:
            container[key] = _by_name(container[key], value_key)
    for key, defaults in (("mountPoints", {"readOnly": False}), ("volumesFrom", {"readOnly": False})):
        if key in container:
            container[key] = sorted(({**defaults, **item} for item in container[key]), key=_sort_key)
    for key in ("dependsOn", "ulimits", "systemControls", "extraHosts"):
        if key in container:
            container[key] = sorted(container[key], key=_sort_key)
    if "healthCheck" in container:
        health_check = {**HEALTH_CHECK_DEFAULTS, **container["healthCheck"]}
        if not health_check.get("startPeriod"):
            health_check.pop("startPeriod", None)
        container["healthCheck"] = health_check
    log_configuration = container.get("logConfiguration")
    if log_configuration and "secretOptions" in log_configuration:
        log_configuration["secretOptions"] = _by_name(log_configuration["secretOptions"], "valueFrom")
    return _compact(container)


def _normalize_volume(volume: dict[str, Any]) -> dict[str, Any]:
    volume = _compact(deepcopy(volume))
    volume.pop("name", None)
    if not volume.get("configuredAtLaunch"):
        volume.pop("configuredAtLaunch", None)
    efs = volume.get("efsVolumeConfiguration")
    if efs is not None:
        efs = {**EFS_DEFAULTS, **efs}
        if "authorizationConfig" in efs:
            efs["authorizationConfig"] = {**EFS_AUTHORIZATION_DEFAULTS, **efs["authorizationConfig"]}
        volume["efsVolumeConfiguration"] = efs
    return volume


def normalize_task_definition(definition: dict[str, Any]) -> dict[str, Any]:
    """A task definition (a DescribeTaskDefinition ``taskDefinition`` or a RegisterTaskDefinition request) in
    comparable form: ``{"task": {diff name: value}, "containers": {name: container}}``. Only the fields of
    ``COMPARED_TASK_FIELDS`` count; cpu and memory as canonical unit strings; volumes by name."""
    network_mode = definition.get("networkMode") or AWS_DEFAULT_NETWORK_MODE
    task: dict[str, Any] = {}
    for api_name, name in COMPARED_TASK_FIELDS.items():
        task[name] = deepcopy(definition.get(api_name))
    task["network_mode"] = network_mode
    task["cpu"] = _canonical_units(task["cpu"], parse_cpu)
    task["memory"] = _canonical_units(task["memory"], parse_memory)
    task["requires_compatibilities"] = sorted(set(task["requires_compatibilities"] or []))
    task["volumes"] = {
        volume.get("name"): _normalize_volume(volume) for volume in task["volumes"] or [] if isinstance(volume, dict)
    }
    task["runtime_platform"] = {**AWS_RUNTIME_PLATFORM, **(task["runtime_platform"] or {})}
    task["ephemeral_storage"] = (task["ephemeral_storage"] or {}).get("sizeInGiB")
    if task["placement_constraints"]:
        task["placement_constraints"] = sorted(task["placement_constraints"], key=_sort_key)
    containers = {
        container.get("name"): normalize_container(container, network_mode)
        for container in definition.get("containerDefinitions") or []
        if isinstance(container, dict)
    }
    return {"task": _compact(task), "containers": containers}


def definition_differences(before: dict[str, Any], after: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """The named differences between two normalised task definitions: ``task.<field>`` for the task's own
    fields, ``containers.<name>.<field>`` for a container's, ``containers.<name>`` for a container added or
    removed. Empty when they are the same."""
    differences = []
    task_before, task_after = before["task"], after["task"]
    for name in list(COMPARED_TASK_FIELDS.values()):
        if task_before.get(name) != task_after.get(name):
            differences.append((f"task.{name}", task_before.get(name), task_after.get(name)))
    containers_before, containers_after = before["containers"], after["containers"]
    names = list(containers_after) + [name for name in containers_before if name not in containers_after]
    for name in names:
        old, new = containers_before.get(name), containers_after.get(name)
        if old is None or new is None:
            differences.append((f"containers.{name}", old, new))
            continue
        fields = list(new) + [field for field in old if field not in new]
        for field in fields:
            if old.get(field) != new.get(field):
                differences.append((f"containers.{name}.{field}", old.get(field), new.get(field)))
    return differences


# --- results -------------------------------------------------------------------------------------------------------


def _snake_key(key: str) -> str:
    if key in _SNAKE_OVERRIDES:
        return _SNAKE_OVERRIDES[key]
    return next(iter(camel_dict_to_snake_dict({key: None})))


def to_snake(value: Any) -> Any:
    """camel_dict_to_snake_dict at every depth, except below ``VERBATIM_KEYS`` (environment, secrets, log
    options, Docker labels ...), whose values are the user's own keys and stay as AWS returns them."""
    if isinstance(value, dict):
        return {
            _snake_key(key): deepcopy(item) if key in VERBATIM_KEYS else to_snake(item) for key, item in value.items()
        }
    if isinstance(value, list):
        return [to_snake(item) for item in value]
    return value


def task_definition_result(description: dict[str, Any], tags: dict[str, str]) -> dict[str, Any]:
    """The module's ``task_definition``: the description in snake_case (see ``to_snake``) with tags as a dict."""
    result = to_snake(description)
    result["tags"] = dict(tags)
    return result


def _filled(given: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    """``given`` with ``defaults`` for the keys it leaves out (or gives as None)."""
    filled = dict(given)
    for key, value in defaults.items():
        if filled.get(key) is None:
            filled[key] = deepcopy(value)
    return filled


def predicted_description(request: dict[str, Any]) -> dict[str, Any]:
    """What DescribeTaskDefinition would return for ``request`` once registered, less what only AWS knows
    (ARN, revision, registration time): what AWS fills in on registration filled in (``REGISTERED_CONTAINER_DEFAULTS``,
    a health check's interval, timeout and retries, an EFS volume's root directory, transit encryption and IAM
    authorization), the values given kept."""
    description = deepcopy(request)
    network_mode = description.get("networkMode") or AWS_DEFAULT_NETWORK_MODE
    containers = []
    for container in description.get("containerDefinitions") or []:
        filled = _filled(container, REGISTERED_CONTAINER_DEFAULTS)
        filled["portMappings"] = [_normalize_port_mapping(m, network_mode) for m in filled["portMappings"]]
        if isinstance(filled.get("healthCheck"), dict):
            filled["healthCheck"] = _filled(filled["healthCheck"], HEALTH_CHECK_DEFAULTS)
        containers.append(filled)
    description["containerDefinitions"] = containers
    volumes = []
    for volume in description.get("volumes") or []:
        volume = dict(volume)
        if isinstance(volume.get("efsVolumeConfiguration"), dict):
            efs = _filled(volume["efsVolumeConfiguration"], EFS_DEFAULTS)
            if isinstance(efs.get("authorizationConfig"), dict):
                efs["authorizationConfig"] = _filled(efs["authorizationConfig"], EFS_AUTHORIZATION_DEFAULTS)
            volume["efsVolumeConfiguration"] = efs
        volumes.append(volume)
    description["volumes"] = volumes
    description.setdefault("placementConstraints", [])
    description["status"] = "ACTIVE"
    return description


def revision_of(arn: str) -> int:
    """The revision number at the end of a task definition ARN (``...:task-definition/<family>:<revision>``)."""
    return int(arn.rsplit(":", 1)[1])


def family_of(arn: str) -> str:
    return arn.rsplit("/", 1)[-1].rsplit(":", 1)[0]


def revisions_to_deregister(active_arns: list[str], keep: int | None, registering: bool) -> list[str]:
    """The ACTIVE revisions (ARNs, any order) to deregister so that the last ``keep`` stay, counting the
    revision this run registers when ``registering``. Never the newest one; nothing when ``keep`` is None."""
    if keep is None:
        return []
    ordered = sorted(active_arns, key=revision_of)
    total = len(ordered) + (1 if registering else 0)
    # at least one is kept, and the newest is last: it is the one registered now, or the latest ACTIVE one
    surplus = max(0, total - max(keep, 1))
    return ordered[:surplus]


# --- manager --------------------------------------------------------------------------------------------------------

# DescribeTaskDefinition answers ClientException for a revision it does not know (deleted since it was listed).
_NOT_FOUND = "ClientException"


class TaskDefinitionManager(BaseResourceManager):
    """Registers, cleans up and deregisters the revisions of one task definition family."""

    def __init__(self, module) -> None:
        super().__init__(module)
        self.ecs = self.client("ecs")
        self.task_definition: dict[str, Any] = {}
        self.arn: str | None = None
        self.revision: int | None = None
        self.registered = False
        self.deregistered: list[str] = []
        self._headers: tuple[str, str] | None = None

    def diff(self) -> dict[str, Any]:
        result = super().diff()
        if self._headers:
            result = dict(result, before_header=self._headers[0], after_header=self._headers[1])
        return result

    # --- reading ---

    def active_arns(self, family: str) -> list[str]:
        """The ARNs of the family's ACTIVE revisions, oldest first."""
        arns = paginate(
            self.ecs.list_task_definitions,
            f"list the revisions of task definition family {family}",
            "taskDefinitionArns",
            token="nextToken",
            familyPrefix=family,
            status="ACTIVE",
        )
        # familyPrefix is the whole family name; checked anyway so that another family never counts
        return sorted({arn for arn in arns if family_of(arn) == family}, key=revision_of)

    def describe(self, arn: str) -> tuple[dict[str, Any], dict[str, str]] | None:
        """A revision's description and tags; None when it is gone."""
        response = call(
            self.ecs.describe_task_definition,
            f"describe task definition {arn}",
            answers={_NOT_FOUND: None},
            taskDefinition=arn,
            include=["TAGS"],
        )
        if response is None:
            return None
        tags = boto3_tag_list_to_ansible_dict(response.get("tags") or [], "key", "value")
        return response["taskDefinition"], tags

    def latest(self, arns: list[str]) -> tuple[dict[str, Any], dict[str, str]] | None:
        """The newest of ``arns`` that is still ACTIVE when described."""
        for arn in reversed(arns):
            found = self.describe(arn)
            if found is not None and found[0].get("status", "ACTIVE") == "ACTIVE":
                return found
        return None

    # --- present ---

    def ensure_present(self, wanted: dict[str, Any]) -> None:
        family = wanted["family"]
        input_shape = self.ecs.meta.service_model.operation_model("RegisterTaskDefinition").input_shape
        shape_errors = request_shape_errors(wanted["request"], input_shape)
        if shape_errors:
            raise TaskDefinitionInputError("Invalid task definition: " + "; ".join(shape_errors))

        arns = self.active_arns(family)
        current = self.latest(arns)
        if current is None:
            self._register(wanted, None, None)
        else:
            description, tags = current
            differences = definition_differences(
                normalize_task_definition(description), normalize_task_definition(wanted["request"])
            )
            if differences:
                self._register(wanted, current, differences)
            else:
                self.arn, self.revision = description["taskDefinitionArn"], description["revision"]
                self.task_definition = task_definition_result(description, tags)
                self._update_tags(tags, wanted)
        self._clean_up(arns, wanted["keep_revisions"])

    def _register(
        self,
        wanted: dict[str, Any],
        current: tuple[dict[str, Any], dict[str, str]] | None,
        differences: list[tuple[str, Any, Any]] | None,
    ) -> None:
        family = wanted["family"]
        current_tags = without_aws_tags(current[1]) if current else {}
        tags = merged_tags(current_tags, wanted["tags"], wanted["purge_tags"])
        predicted = task_definition_result(predicted_description(wanted["request"]), tags)
        self.changed = True
        self.registered = True
        if current is None:
            self.set_diff(before={}, after=predicted)
        else:
            for name, before, after in differences or []:
                self.differences.add(name, before, after)
            self.differences.add("tags", current_tags, tags)
            self._headers = (f"{family}:{current[0]['revision']}", f"{family}: new revision")
        if self.check_mode:
            self.task_definition = predicted
            return
        request = dict(wanted["request"])
        if tags:
            request["tags"] = ansible_dict_to_boto3_tag_list(tags, "key", "value")
        response = call(
            self.ecs.register_task_definition, f"register a revision of task definition family {family}", **request
        )
        description = response["taskDefinition"]
        if "tags" in response:
            tags = boto3_tag_list_to_ansible_dict(response["tags"] or [], "key", "value")
        self.arn, self.revision = description["taskDefinitionArn"], description["revision"]
        self.task_definition = task_definition_result(description, tags)
        if self._headers:
            self._headers = (self._headers[0], f"{family}:{self.revision}")

    def _update_tags(self, current: dict[str, str], wanted: dict[str, Any]) -> None:
        after = self.sync_tags(
            self.ecs, "ecs", self.arn, current, wanted["tags"], wanted["purge_tags"], f"task definition {self.arn}"
        )
        if after is not None:
            self.task_definition["tags"] = after

    def _clean_up(self, arns: list[str], keep: int | None) -> None:
        """Deregister the ACTIVE revisions older than the last ``keep`` (counting one registered now)."""
        doomed = revisions_to_deregister(arns, keep, self.registered)
        doomed = [arn for arn in doomed if arn != self.arn]
        if not doomed:
            return
        self.changed = True
        self.differences.add("deregistered", [], list(doomed))
        self._deregister(doomed)

    def _deregister(self, arns: list[str]) -> None:
        for arn in arns:
            if not self.check_mode:
                try:
                    call(self.ecs.deregister_task_definition, f"deregister task definition {arn}", taskDefinition=arn)
                except AWSActionError as e:
                    e.result.update(deregistered=list(self.deregistered))  # what the run did before it failed
                    raise
            self.deregistered.append(arn)

    # --- absent ---

    def ensure_absent(self, family: str) -> None:
        arns = self.active_arns(family)
        if not arns:
            return
        self.changed = True
        self.differences.add("active_revisions", list(arns), [])
        self._deregister(arns)
