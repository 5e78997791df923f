# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Manager behind cloudops.fargate.ecs_service, and its pure helpers.

The helpers validate what the caller asked for and fill in the defaults (so every bad input fails before the first
AWS call), read a service from DescribeServices into the module's terms (filling in what AWS leaves out with AWS's
own defaults), compare the two field by field and build the one UpdateService request that closes the gap.

What UpdateService can change on a rolling-update (``ECS`` deployment controller) service today: task definition,
desired count, deployment configuration, network configuration, load balancers, capacity provider strategy (from a
launch type to a strategy, and back to the launch type with an empty list), platform version, health check grace
period, execute command, managed tags and tag propagation. What it cannot: the name and the cluster (the identity),
a launch type other than the one the service has (EC2 to FARGATE), and anything at all on a service run by another
deployment controller; the module refuses those with a message naming them.

A create on a fresh account is refused while ECS creates its service-linked role (``SERVICE_LINKED_ROLE_PENDING``);
that refusal alone is retried, up to wait_timeout, and the client token keeps the retries to one service.

A rollout is awaited with a waiter on DescribeServices: the deployment the run started (or, when nothing changed, the
primary one) must reach ``rolloutState`` COMPLETED with ``runningCount`` equal to ``desiredCount``; a ``FAILED``
deployment (circuit breaker), one that is no longer in the service (rolled back) or the timeout fail the task with
the service's recent events and the stopped tasks' reasons. Only AWS's verdict on the deployment ends the wait early:
launches that fail while it is IN_PROGRESS (an execution role IAM has not yet propagated, which the service's events
report as "failed to launch a task" and ``failedTasks`` counts) are waited through, as AWS retries them and completes
the deployment unless its circuit breaker marks it FAILED.
"""

from __future__ import annotations

import re
from copy import deepcopy
from typing import Any

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.cloudops.fargate.plugins.module_utils._common import AWSActionError
from ansible_collections.cloudops.fargate.plugins.module_utils._common import BaseResourceManager
from ansible_collections.cloudops.fargate.plugins.module_utils._common import InputError
from ansible_collections.cloudops.fargate.plugins.module_utils._common import Transient
from ansible_collections.cloudops.fargate.plugins.module_utils._common import call
from ansible_collections.cloudops.fargate.plugins.module_utils._common import call_through
from ansible_collections.cloudops.fargate.plugins.module_utils._common import idempotency_token
from ansible_collections.cloudops.fargate.plugins.module_utils._common import tag_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._common import wait
from ansible_collections.cloudops.fargate.plugins.module_utils._common import wanted_tags

# --- choices and defaults -------------------------------------------------------------------------------

STATES = ("present", "absent")
LAUNCH_TYPES = ("FARGATE",)
PROPAGATE_TAGS = ("NONE", "SERVICE", "TASK_DEFINITION")

# The module's defaults, in one place; the argument spec and DOCUMENTATION state the same values.
DEFAULT_LAUNCH_TYPE = "FARGATE"
DEFAULT_DESIRED_COUNT = 1  # a new service's count when desired_count is not given
DEFAULT_CIRCUIT_BREAKER = {"enable": True, "rollback": True}
DEFAULT_MINIMUM_HEALTHY_PERCENT = 100
DEFAULT_MAXIMUM_PERCENT = 200
DEFAULT_ASSIGN_PUBLIC_IP = False
DEFAULT_PLATFORM_VERSION = "LATEST"
DEFAULT_PROPAGATE_TAGS = "SERVICE"
DEFAULT_ENABLE_ECS_MANAGED_TAGS = True
DEFAULT_CAPACITY_PROVIDER_WEIGHT = 1
DEFAULT_CAPACITY_PROVIDER_BASE = 0
DEFAULT_WAIT_TIMEOUT = 600

# What DescribeServices leaves out stands for AWS's defaults.
AWS_DEFAULT_CIRCUIT_BREAKER = {"enable": False, "rollback": False}
AWS_DEFAULT_MINIMUM_HEALTHY_PERCENT = 100
AWS_DEFAULT_MAXIMUM_PERCENT = 200
AWS_DEFAULT_HEALTH_CHECK_GRACE_PERIOD = 0
AWS_DEFAULT_PROPAGATE_TAGS = "NONE"

FARGATE_CAPACITY_PROVIDERS = ("FARGATE", "FARGATE_SPOT")
# Seconds between two looks at a rollout or a deletion (a unit test shortens it).
POLL_DELAY = 5
EVENTS_RETURNED = 10
STOPPED_TASKS_REPORTED = 10
# DescribeServices takes at most 10 services a call.
DESCRIBE_SERVICES_BATCH = 10
# ECS's clientToken: up to 36 ASCII characters.
CLIENT_TOKEN_LENGTH = 36
# A fresh account has no ECS service-linked role: its first CreateCluster or CreateService makes ECS create it, and
# until the role is usable ECS refuses both with this (ECS developer guide, "Using service-linked roles for Amazon
# ECS"). terraform-provider-aws internal/service/ecs cluster.go retryClusterCreate and service.go retryServiceCreate
# retry exactly this message (for propagationTimeout, 2 minutes); the modules retry it up to their wait_timeout. Any
# other InvalidParameterException (a bad request, a create that is not idempotent) fails at once.
SERVICE_LINKED_ROLE_PENDING = Transient("InvalidParameterException", "Unable to assume the service linked role")

# --- limits ------------------------------------------------------------------------------------------------

_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
_PARTITION = r"arn:aws[a-z-]*"
_CLUSTER_ARN_RE = re.compile(rf"^{_PARTITION}:ecs:[a-z0-9-]+:\d{{12}}:cluster/([A-Za-z0-9_-]{{1,255}})$")
_TASK_DEFINITION_RE = re.compile(
    rf"^(?:{_PARTITION}:ecs:[a-z0-9-]+:\d{{12}}:task-definition/)?([A-Za-z0-9_-]{{1,255}})(?::([1-9][0-9]*))?$"
)
_SUBNET_RE = re.compile(r"^subnet-[0-9a-f]+$")
_SECURITY_GROUP_RE = re.compile(r"^sg-[0-9a-f]+$")
_TARGET_GROUP_ARN_RE = re.compile(
    rf"^{_PARTITION}:elasticloadbalancing:[a-z0-9-]+:\d{{12}}:targetgroup/[A-Za-z0-9-]{{1,32}}/[0-9a-f]+$"
)
_PLATFORM_VERSION_RE = re.compile(r"^(LATEST|\d+\.\d+\.\d+)$")
_DEPLOYMENT_ID_RE = re.compile(r"^[A-Za-z0-9/_.:-]+$")
MAX_SUBNETS = 16
MAX_SECURITY_GROUPS = 5
MAX_LOAD_BALANCERS = 5
MAX_CAPACITY_PROVIDERS = 20
PORT_RANGE = (1, 65535)
MAX_INT32 = 2147483647
# A rolling update's DeploymentConfiguration. minimumHealthyPercent is the share of the desired count that keeps
# running, so at most 100. maximumPercent counts old and new tasks together: at least 100 here, as fewer would stop
# tasks before their replacements start, which is minimum_healthy_percent's to say. The ECS API reference gives it no
# upper limit (an Integer; 200 is only its default), so neither does the module.
MINIMUM_HEALTHY_PERCENT_RANGE = (0, 100)
MAXIMUM_PERCENT_RANGE = (100, MAX_INT32)
WEIGHT_RANGE = (0, 1000)
BASE_RANGE = (0, 100000)
MAX_TAGS = 50
# The deployment strategies of the ECS deployment controller (DeploymentConfiguration.strategy), in the module's words.
DEPLOYMENT_STRATEGIES = {"rolling": "ROLLING", "blue_green": "BLUE_GREEN", "linear": "LINEAR", "canary": "CANARY"}
# ECS API reference, DeploymentConfiguration, CanaryConfiguration and LinearConfiguration: percents are multiples of
# 0.1; bakes are whole minutes up to a day.
BAKE_MINUTES_RANGE = (0, 1440)
CANARY_PERCENT_RANGE = (0.1, 100.0)
STEP_PERCENT_RANGE = (3.0, 100.0)
MAX_DEPLOYMENT_ALARMS = 10
# A failure report reads this many of the service's latest deployments for the alarms that fired.
SERVICE_DEPLOYMENTS_READ = 5
# ServiceDeployment statuses of a deployment not yet over.
SERVICE_DEPLOYMENTS_UNDER_WAY = ("PENDING", "IN_PROGRESS", "STOP_REQUESTED", "ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS")
_LISTENER_RULE_ARN_RE = re.compile(
    rf"^{_PARTITION}:elasticloadbalancing:[a-z0-9-]+:\d{{12}}:listener-rule/app/[A-Za-z0-9-]{{1,32}}/[0-9a-f]+/[0-9a-f]+/"
    r"[0-9a-f]+$"
)
_ROLE_ARN_RE = re.compile(rf"^{_PARTITION}:iam::\d{{12}}:role/[\w+=,.@/-]{{1,512}}$")
_ALARM_NAME_RE = re.compile(r"^[^\x00-\x1f]{1,255}$")


class ServiceInputError(InputError):
    """The caller's arguments cannot describe a valid service; the message names every bad option."""


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _range_error(option: str, value: Any, low: int, high: int) -> str | None:
    if not _is_int(value) or not low <= value <= high:
        return f"{option} must be an integer from {low} to {high}, not {value!r}"
    return None


# --- identity ----------------------------------------------------------------------------------------------


def cluster_name(cluster: str) -> str:
    """The cluster's name, from a name or an ARN."""
    match = _CLUSTER_ARN_RE.match(cluster or "")
    return match.group(1) if match else cluster


def identity_errors(params: dict[str, Any]) -> list[str]:
    errors = []
    name = params.get("name")
    if not isinstance(name, str) or not _NAME_RE.match(name):
        errors.append(f"name must be 1 to 255 letters, digits, hyphens and underscores, not {name!r}")
    cluster = params.get("cluster")
    if not isinstance(cluster, str) or not (_NAME_RE.match(cluster) or _CLUSTER_ARN_RE.match(cluster)):
        errors.append(f"cluster must be a cluster name (letters, digits, hyphens, underscores) or ARN, not {cluster!r}")
    timeout = params.get("wait_timeout", DEFAULT_WAIT_TIMEOUT)
    if not _is_int(timeout) or timeout < 0:
        errors.append(f"wait_timeout must be a number of seconds, 0 or more, not {timeout!r}")
    return errors


def wanted_identity(params: dict[str, Any]) -> dict[str, Any]:
    """What ``state=absent`` needs, validated."""
    errors = identity_errors(params)
    if errors:
        raise ServiceInputError("; ".join(errors))
    return {
        "name": params["name"],
        "cluster": params["cluster"],
        "wait": params.get("wait", True),
        "wait_timeout": params.get("wait_timeout", DEFAULT_WAIT_TIMEOUT),
    }


# --- task definitions --------------------------------------------------------------------------------------


def task_definition_ref(value: str | None) -> str | None:
    """``family:revision`` (or ``family``) of a task definition given as either or as an ARN."""
    if not value:
        return None
    match = _TASK_DEFINITION_RE.match(value)
    if not match:
        return value
    family, revision = match.groups()
    return f"{family}:{revision}" if revision else family


def has_revision(value: str | None) -> bool:
    match = _TASK_DEFINITION_RE.match(value or "")
    return bool(match and match.group(2))


def task_definition_errors(definition: dict[str, Any], wanted: dict[str, Any], current_ref: str | None) -> list[str]:
    """Why the service cannot run ``definition`` as asked (DescribeTaskDefinition's ``taskDefinition``)."""
    errors = []
    ref = task_definition_ref(definition.get("taskDefinitionArn"))
    if definition.get("status") == "INACTIVE" and ref != current_ref:
        errors.append(f"task definition {ref} is INACTIVE (deregistered); AWS runs no new tasks from it")
    if is_fargate(wanted["launch_type"], wanted["capacity_provider_strategy"]):
        if "FARGATE" not in (definition.get("compatibilities") or []):
            errors.append(
                f"task definition {ref} is not compatible with Fargate (requiresCompatibilities lacks FARGATE)"
            )
        if definition.get("networkMode") not in (None, "awsvpc"):
            errors.append(
                f"task definition {ref} uses network mode {definition.get('networkMode')}; Fargate needs awsvpc"
            )
    containers = {c.get("name"): c for c in definition.get("containerDefinitions") or []}
    for index, load_balancer in enumerate(wanted["load_balancers"] or []):
        name, port = load_balancer["container_name"], load_balancer["container_port"]
        container = containers.get(name)
        if container is None:
            errors.append(
                f"load_balancers[{index}].container_name {name!r} is not a container of task definition {ref}"
                f" (it has {', '.join(sorted(str(n) for n in containers)) or 'none'})"
            )
            continue
        ports = sorted({m.get("containerPort") for m in container.get("portMappings") or [] if m.get("containerPort")})
        if port not in ports:
            errors.append(
                f"load_balancers[{index}].container_port {port} is not a port mapping of container {name} in task"
                f" definition {ref} (it maps {', '.join(str(p) for p in ports) or 'no port'})"
            )
    return errors


# --- the module's arguments ----------------------------------------------------------------------------------


def is_fargate(launch_type: str | None, strategy: list[dict[str, Any]] | None) -> bool:
    if strategy:
        return all(item["capacity_provider"] in FARGATE_CAPACITY_PROVIDERS for item in strategy)
    return launch_type == "FARGATE"


def deployment_errors(minimum_healthy_percent: Any, maximum_percent: Any, option_prefix: str = "") -> list[str]:
    """What AWS refuses in a rolling update's deployment configuration (``MINIMUM_HEALTHY_PERCENT_RANGE``,
    ``MAXIMUM_PERCENT_RANGE``), and a maximum that leaves no room to replace a task. The options are named with
    ``option_prefix`` (the fargate role's are ``fargate_...``)."""
    minimum, maximum = f"{option_prefix}minimum_healthy_percent", f"{option_prefix}maximum_percent"
    errors = [
        error
        for error in (
            _range_error(minimum, minimum_healthy_percent, *MINIMUM_HEALTHY_PERCENT_RANGE),
            _range_error(maximum, maximum_percent, *MAXIMUM_PERCENT_RANGE),
        )
        if error
    ]
    if not errors and 0 < minimum_healthy_percent and maximum_percent <= minimum_healthy_percent:
        errors.append(
            f"{maximum} ({maximum_percent}) must be above {minimum} ({minimum_healthy_percent}), or no task could be"
            " replaced during a deployment"
        )
    return errors


def _percents(params: dict[str, Any]) -> tuple[Any, Any]:
    """minimum_healthy_percent and maximum_percent, the module's defaults for those not given."""
    minimum, maximum = params.get("minimum_healthy_percent"), params.get("maximum_percent")
    return (
        DEFAULT_MINIMUM_HEALTHY_PERCENT if minimum is None else minimum,
        DEFAULT_MAXIMUM_PERCENT if maximum is None else maximum,
    )


def _strategy_items(given: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The items of a capacity provider strategy in the given order, the module's defaults filled in."""
    items = []
    for item in given:
        item = item or {}
        weight, base = item.get("weight"), item.get("base")
        items.append(
            {
                "capacity_provider": item.get("capacity_provider"),
                "weight": DEFAULT_CAPACITY_PROVIDER_WEIGHT if weight is None else weight,
                "base": DEFAULT_CAPACITY_PROVIDER_BASE if base is None else base,
            }
        )
    return items


def _strategy_errors(given: list[dict[str, Any]] | None) -> list[str]:
    if given is None:
        return []
    if not given:
        return ["capacity_provider_strategy must not be empty; leave it out to use launch_type"]
    errors = []
    strategy = _strategy_items(given)
    for index, item in enumerate(strategy):
        where = f"capacity_provider_strategy[{index}]"
        provider = item["capacity_provider"]
        if not isinstance(provider, str) or not _NAME_RE.match(provider):
            errors.append(f"{where}.capacity_provider must be a capacity provider name, not {provider!r}")
        for option, bounds in (("weight", WEIGHT_RANGE), ("base", BASE_RANGE)):
            error = _range_error(f"{where}.{option}", item[option], *bounds)
            if error:
                errors.append(error)
    names = [item["capacity_provider"] for item in strategy]
    if len(names) != len(set(names)):
        errors.append("capacity_provider_strategy names a capacity provider more than once")
    if len(strategy) > MAX_CAPACITY_PROVIDERS:
        errors.append(f"capacity_provider_strategy: at most {MAX_CAPACITY_PROVIDERS} capacity providers")
    if sum(1 for item in strategy if _is_int(item["base"]) and item["base"] > 0) > 1:
        errors.append("capacity_provider_strategy: only one capacity provider may have a base above 0")
    if all(_is_int(item["weight"]) for item in strategy) and not any(item["weight"] for item in strategy):
        errors.append("capacity_provider_strategy: at least one capacity provider needs a weight above 0")
    return errors


def _launch_type_errors(launch_type: str | None, strategy: list[dict[str, Any]] | None) -> list[str]:
    if strategy:
        return ["launch_type and capacity_provider_strategy are mutually exclusive"] if launch_type is not None else []
    launch_type = launch_type or DEFAULT_LAUNCH_TYPE
    if launch_type not in LAUNCH_TYPES:
        return [f"launch_type must be one of {', '.join(LAUNCH_TYPES)}, not {launch_type!r}"]
    return []


def _network(given: dict[str, Any] | None) -> dict[str, Any] | None:
    """The network configuration in the given order (AWS keeps it; compared as sets), duplicates dropped."""
    if given is None:
        return None
    subnets = given.get("subnets") or []
    security_groups = given.get("security_groups") or None
    assign_public_ip = given.get("assign_public_ip")
    return {
        "subnets": list(dict.fromkeys(subnets)),
        "security_groups": list(dict.fromkeys(security_groups)) if security_groups else None,
        "assign_public_ip": bool(DEFAULT_ASSIGN_PUBLIC_IP if assign_public_ip is None else assign_public_ip),
    }


def _network_errors(given: dict[str, Any] | None) -> list[str]:
    if given is None:
        return []
    errors = []
    subnets = given.get("subnets") or []
    security_groups = given.get("security_groups") or []
    if not subnets:
        errors.append(
            "network.subnets is required with network (the tasks' subnets"
            + (", which assign_public_ip needs" if _network(given)["assign_public_ip"] else "")
            + ")"
        )
    elif len(subnets) > MAX_SUBNETS:
        errors.append(f"network.subnets: at most {MAX_SUBNETS} subnets")
    for subnet in subnets:
        if not isinstance(subnet, str) or not _SUBNET_RE.match(subnet):
            errors.append(f"network.subnets: {subnet!r} is not a subnet ID")
    for group in security_groups:
        if not isinstance(group, str) or not _SECURITY_GROUP_RE.match(group):
            errors.append(f"network.security_groups: {group!r} is not a security group ID")
    if len(security_groups) > MAX_SECURITY_GROUPS:
        errors.append(f"network.security_groups: at most {MAX_SECURITY_GROUPS} security groups")
    return errors


# A load balancer's advanced configuration (blue/green, linear and canary deployments), module name -> AWS name.
ADVANCED_LOAD_BALANCER_FIELDS = {
    "alternate_target_group_arn": "alternateTargetGroupArn",
    "production_listener_rule_arn": "productionListenerRule",
    "test_listener_rule_arn": "testListenerRule",
    "role_arn": "roleArn",
}


def _load_balancer_key(load_balancer: dict[str, Any]) -> tuple[str, str, str]:
    # ECS moves production traffic between the target group and its alternate at each deployment: the pair, in
    # either order, is one load balancer.
    groups = sorted(str(arn) for arn in (load_balancer["target_group_arn"], load_balancer.get("alternate_target_group_arn")) if arn)
    return (
        " ".join(groups),
        str(load_balancer["container_name"]),
        str(load_balancer["container_port"]),
    )


def _load_balancer_items(given: list[dict[str, Any]]) -> list[dict[str, Any]]:
    items = []
    for item in given:
        item = item or {}
        entry = {
            "target_group_arn": item.get("target_group_arn"),
            "container_name": item.get("container_name"),
            "container_port": item.get("container_port"),
        }
        entry.update({field: item[field] for field in ADVANCED_LOAD_BALANCER_FIELDS if item.get(field)})
        items.append(entry)
    return items


def _load_balancers(given: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
    return None if given is None else sorted(_load_balancer_items(given), key=_load_balancer_key)


def _load_balancer_errors(given: list[dict[str, Any]] | None) -> list[str]:
    if given is None:
        return []
    errors = []
    if len(given) > MAX_LOAD_BALANCERS:
        errors.append(f"load_balancers: at most {MAX_LOAD_BALANCERS} target groups per service")
    load_balancers = _load_balancer_items(given)
    for index, item in enumerate(load_balancers):
        where = f"load_balancers[{index}]"
        arn, name = item["target_group_arn"], item["container_name"]
        if not isinstance(arn, str) or not _TARGET_GROUP_ARN_RE.match(arn):
            errors.append(f"{where}.target_group_arn is not a target group ARN: {arn!r}")
        if not isinstance(name, str) or not _NAME_RE.match(name):
            errors.append(f"{where}.container_name must be a container name, not {name!r}")
        error = _range_error(f"{where}.container_port", item["container_port"], *PORT_RANGE)
        if error:
            errors.append(error)
        errors.extend(_advanced_load_balancer_errors(item, where))
    keys = [_load_balancer_key(item) for item in load_balancers]
    if len(keys) != len(set(keys)):
        errors.append("load_balancers lists the same target group, container and port more than once")
    return errors


def _advanced_load_balancer_errors(item: dict[str, Any], where: str) -> list[str]:
    errors = []
    alternate = item.get("alternate_target_group_arn")
    if alternate is not None and not _TARGET_GROUP_ARN_RE.match(str(alternate)):
        errors.append(f"{where}.alternate_target_group_arn is not a target group ARN: {alternate!r}")
    elif alternate is not None and alternate == item.get("target_group_arn"):
        errors.append(f"{where}.alternate_target_group_arn must be another target group than target_group_arn")
    for field in ("production_listener_rule_arn", "test_listener_rule_arn"):
        value = item.get(field)
        if value is not None and not _LISTENER_RULE_ARN_RE.match(str(value)):
            errors.append(f"{where}.{field} is not an Application Load Balancer listener rule ARN: {value!r}")
    role = item.get("role_arn")
    if role is not None and not _ROLE_ARN_RE.match(str(role)):
        errors.append(f"{where}.role_arn is not an IAM role ARN: {role!r}")
    given = [field for field in ADVANCED_LOAD_BALANCER_FIELDS if item.get(field)]
    required = ("alternate_target_group_arn", "production_listener_rule_arn", "role_arn")
    if given and any(field not in given for field in required):
        missing = ", ".join(f"{where}.{field}" for field in required if field not in given)
        errors.append(f"{missing} must be given with the other settings of a blue/green, linear or canary deployment")
    return errors


def _is_tenth(value: float) -> bool:
    return abs(round(value * 10) - value * 10) < 1e-6


def _percent_error(option: str, value: Any, low: float, high: float) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"{option} must be a number, not {value!r}"
    if not low <= value <= high or not _is_tenth(float(value)):
        return f"{option} must be a multiple of 0.1 from {low} to {high}, not {value}"
    return None


def strategy_errors(params: dict[str, Any], option_prefix: str = "") -> list[str]:
    """What AWS refuses in the deployment strategy's settings, and settings given for another strategy. The options
    are named with ``option_prefix``."""
    strategy = params.get("deployment_strategy")
    canary, linear = params.get("canary"), params.get("linear")
    errors = []
    bake = params.get("bake_time_minutes")
    if bake is not None:
        error = _range_error(f"{option_prefix}bake_time_minutes", bake, *BAKE_MINUTES_RANGE)
        errors.extend([error] if error else [])
    if strategy == "blue_green" and bake is None:
        errors.append(f"{option_prefix}bake_time_minutes is required with {option_prefix}deployment_strategy=blue_green")
    if canary is not None:
        if strategy != "canary":
            errors.append(f"{option_prefix}canary is for {option_prefix}deployment_strategy=canary only")
        error = _percent_error(f"{option_prefix}canary.percent", canary.get("percent"), *CANARY_PERCENT_RANGE)
        errors.extend([error] if error else [])
        error = _range_error(f"{option_prefix}canary.bake_time_minutes", canary.get("bake_time_minutes"), *BAKE_MINUTES_RANGE)
        errors.extend([error] if error else [])
    if linear is not None:
        if strategy != "linear":
            errors.append(f"{option_prefix}linear is for {option_prefix}deployment_strategy=linear only")
        error = _percent_error(f"{option_prefix}linear.step_percent", linear.get("step_percent"), *STEP_PERCENT_RANGE)
        errors.extend([error] if error else [])
        error = _range_error(
            f"{option_prefix}linear.step_bake_time_minutes", linear.get("step_bake_time_minutes"), *BAKE_MINUTES_RANGE
        )
        errors.extend([error] if error else [])
    if strategy not in (None, "rolling"):
        load_balancers = _load_balancer_items(params.get("load_balancers") or [])
        for index, item in enumerate(load_balancers):
            if not item.get("alternate_target_group_arn"):
                errors.append(
                    f"load_balancers[{index}] needs alternate_target_group_arn, production_listener_rule_arn and"
                    f" role_arn: ECS shifts traffic between two target groups with deployment_strategy={strategy}"
                )
    alarms = params.get("deployment_alarms")
    if alarms is not None:
        names = alarms.get("alarm_names") or []
        if len(names) > MAX_DEPLOYMENT_ALARMS:
            errors.append(f"{option_prefix}deployment_alarms.alarm_names: at most {MAX_DEPLOYMENT_ALARMS} alarms")
        errors.extend(
            f"{option_prefix}deployment_alarms.alarm_names: {name!r} is not a CloudWatch alarm name"
            for name in names
            if not isinstance(name, str) or not _ALARM_NAME_RE.match(name)
        )
        if alarms.get("enable", True) and not names:
            errors.append(f"{option_prefix}deployment_alarms.alarm_names must name at least one alarm when enabled")
    return errors


def _optional_range_errors(params: dict[str, Any], option: str, low: int, high: int) -> list[str]:
    value = params.get(option)
    error = None if value is None else _range_error(option, value, low, high)
    return [error] if error else []


def service_errors(params: dict[str, Any]) -> list[str]:
    """Every option of ``params`` AWS would refuse, and the rules between options, before any AWS call."""
    errors = identity_errors(params)
    task_definition = params.get("task_definition")
    if not isinstance(task_definition, str) or not _TASK_DEFINITION_RE.match(task_definition):
        errors.append(
            f"task_definition must be family:revision, a family (its latest ACTIVE revision) or a task definition ARN,"
            f" not {task_definition!r}"
        )
    errors.extend(_optional_range_errors(params, "desired_count", 0, MAX_INT32))
    errors.extend(deployment_errors(*_percents(params)))
    errors.extend(_strategy_errors(params.get("capacity_provider_strategy")))
    errors.extend(_launch_type_errors(params.get("launch_type"), params.get("capacity_provider_strategy")))
    errors.extend(_network_errors(params.get("network")))
    errors.extend(_load_balancer_errors(params.get("load_balancers")))
    errors.extend(strategy_errors(params))
    errors.extend(_optional_range_errors(params, "health_check_grace_period_seconds", 0, MAX_INT32))
    platform_version = params.get("platform_version") or DEFAULT_PLATFORM_VERSION
    if not _PLATFORM_VERSION_RE.match(str(platform_version)):
        errors.append(f"platform_version must be LATEST or a version like 1.4.0, not {platform_version!r}")
    propagate_tags = params.get("propagate_tags") or DEFAULT_PROPAGATE_TAGS
    if propagate_tags not in PROPAGATE_TAGS:
        errors.append(f"propagate_tags must be one of {', '.join(PROPAGATE_TAGS)}, not {propagate_tags!r}")
    errors.extend(tag_errors(params.get("tags"), max_tags=MAX_TAGS, lengths=True))
    return errors


def wanted_settings(params: dict[str, Any]) -> dict[str, Any]:
    """The service the caller asked for, validated (``service_errors``), defaults filled in; raises
    ServiceInputError naming every bad option. ``None`` for a field means it is left alone."""
    errors = service_errors(params)
    if errors:
        raise ServiceInputError("; ".join(errors))
    minimum, maximum = _percents(params)
    breaker = dict(DEFAULT_CIRCUIT_BREAKER)
    breaker.update({k: bool(v) for k, v in (params.get("deployment_circuit_breaker") or {}).items() if v is not None})
    breaker["rollback"] = breaker["rollback"] and breaker["enable"]  # no rollback without the breaker
    strategy = params.get("capacity_provider_strategy")
    strategy = sorted(_strategy_items(strategy), key=lambda item: str(item["capacity_provider"])) if strategy else None
    managed_tags = params.get("enable_ecs_managed_tags")
    alarms = params.get("deployment_alarms")
    return {
        "name": params["name"],
        "cluster": params["cluster"],
        "task_definition": params["task_definition"],
        "task_definition_ref": task_definition_ref(params["task_definition"]),
        "task_definition_arn": None,  # filled in once the task definition is described
        "desired_count": params.get("desired_count"),
        "desired_count_managed_externally": bool(params.get("desired_count_managed_externally")),
        "deployment_circuit_breaker": breaker,
        "minimum_healthy_percent": minimum,
        "maximum_percent": maximum,
        "deployment_strategy": DEPLOYMENT_STRATEGIES.get(params.get("deployment_strategy") or ""),
        "bake_time_minutes": params.get("bake_time_minutes"),
        "canary": None
        if params.get("canary") is None
        else {
            "canaryPercent": float(params["canary"]["percent"]),
            "canaryBakeTimeInMinutes": params["canary"]["bake_time_minutes"],
        },
        "linear": None
        if params.get("linear") is None
        else {
            "stepPercent": float(params["linear"]["step_percent"]),
            "stepBakeTimeInMinutes": params["linear"]["step_bake_time_minutes"],
        },
        "deployment_alarms": None
        if alarms is None
        else {
            "alarmNames": sorted(set(alarms.get("alarm_names") or [])),
            "enable": bool(alarms.get("enable", True)),
            "rollback": bool(alarms.get("rollback", True)),
        },
        "launch_type": None if strategy else params.get("launch_type") or DEFAULT_LAUNCH_TYPE,
        "capacity_provider_strategy": strategy,
        "network": _network(params.get("network")),
        "load_balancers": _load_balancers(params.get("load_balancers")),
        "health_check_grace_period_seconds": params.get("health_check_grace_period_seconds"),
        "platform_version": params.get("platform_version") or DEFAULT_PLATFORM_VERSION,
        "enable_execute_command": params.get("enable_execute_command"),
        "propagate_tags": params.get("propagate_tags") or DEFAULT_PROPAGATE_TAGS,
        "enable_ecs_managed_tags": DEFAULT_ENABLE_ECS_MANAGED_TAGS if managed_tags is None else bool(managed_tags),
        "tags": wanted_tags(params.get("tags")),
        "purge_tags": params.get("purge_tags", True),
        "force_new_deployment": bool(params.get("force_new_deployment")),
        "wait": params.get("wait", True),
        "wait_timeout": params.get("wait_timeout", DEFAULT_WAIT_TIMEOUT),
    }


# --- reading AWS ---------------------------------------------------------------------------------------------


def normalized_strategy(strategy: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """A capacity provider strategy (AWS's camelCase) in the module's terms, sorted."""
    return sorted(
        (
            {
                "capacity_provider": item.get("capacityProvider"),
                "weight": item.get("weight", 0),
                "base": item.get("base", 0),
            }
            for item in strategy or []
        ),
        key=lambda item: str(item["capacity_provider"]),
    )


def normalized_network(configuration: dict[str, Any] | None) -> dict[str, Any] | None:
    awsvpc = (configuration or {}).get("awsvpcConfiguration")
    if not awsvpc:
        return None
    return {
        "subnets": sorted(set(awsvpc.get("subnets") or [])),
        "security_groups": sorted(set(awsvpc.get("securityGroups") or [])),
        "assign_public_ip": awsvpc.get("assignPublicIp") == "ENABLED",
    }


def normalized_load_balancers(load_balancers: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    result = []
    for lb in load_balancers or []:
        entry = {
            "target_group_arn": lb.get("targetGroupArn"),
            "container_name": lb.get("containerName"),
            "container_port": lb.get("containerPort"),
        }
        advanced = lb.get("advancedConfiguration") or {}
        entry.update({field: advanced[aws] for field, aws in ADVANCED_LOAD_BALANCER_FIELDS.items() if advanced.get(aws)})
        result.append(entry)
    return sorted(result, key=_load_balancer_key)


def _float_percents(configuration: dict[str, Any] | None, percent: str) -> dict[str, Any] | None:
    if not configuration:
        return None
    return dict(configuration, **{percent: float(configuration[percent])} if percent in configuration else {})


def _alarms(alarms: dict[str, Any] | None) -> dict[str, Any]:
    alarms = alarms or {}
    return {
        "alarmNames": sorted(set(alarms.get("alarmNames") or [])),
        "enable": bool(alarms.get("enable", False)),
        "rollback": bool(alarms.get("rollback", False)),
    }


def current_settings(service: dict[str, Any]) -> dict[str, Any]:
    """A DescribeServices entry in the terms of ``wanted_settings``, AWS's defaults filled in."""
    deployment_configuration = service.get("deploymentConfiguration") or {}
    breaker = deployment_configuration.get("deploymentCircuitBreaker") or {}
    strategy = normalized_strategy(service.get("capacityProviderStrategy"))
    return {
        "task_definition_ref": task_definition_ref(service.get("taskDefinition")),
        "desired_count": service.get("desiredCount"),
        "deployment_circuit_breaker": {
            "enable": bool(breaker.get("enable", AWS_DEFAULT_CIRCUIT_BREAKER["enable"])),
            "rollback": bool(breaker.get("rollback", AWS_DEFAULT_CIRCUIT_BREAKER["rollback"])),
        },
        "minimum_healthy_percent": deployment_configuration.get(
            "minimumHealthyPercent", AWS_DEFAULT_MINIMUM_HEALTHY_PERCENT
        ),
        "maximum_percent": deployment_configuration.get("maximumPercent", AWS_DEFAULT_MAXIMUM_PERCENT),
        "deployment_strategy": deployment_configuration.get("strategy") or "ROLLING",
        "bake_time_minutes": deployment_configuration.get("bakeTimeInMinutes"),
        "canary": _float_percents(deployment_configuration.get("canaryConfiguration"), "canaryPercent"),
        "linear": _float_percents(deployment_configuration.get("linearConfiguration"), "stepPercent"),
        "deployment_alarms": _alarms(deployment_configuration.get("alarms")),
        "launch_type": service.get("launchType") or None,
        "capacity_provider_strategy": strategy or None,
        "network": normalized_network(service.get("networkConfiguration")),
        "load_balancers": normalized_load_balancers(service.get("loadBalancers")),
        "health_check_grace_period_seconds": service.get(
            "healthCheckGracePeriodSeconds", AWS_DEFAULT_HEALTH_CHECK_GRACE_PERIOD
        ),
        "platform_version": service.get("platformVersion") or DEFAULT_PLATFORM_VERSION,
        "enable_execute_command": bool(service.get("enableExecuteCommand", False)),
        "propagate_tags": service.get("propagateTags") or AWS_DEFAULT_PROPAGATE_TAGS,
        "enable_ecs_managed_tags": bool(service.get("enableECSManagedTags", False)),
        "tags": boto3_tag_list_to_ansible_dict(service.get("tags") or [], "key", "value"),
    }


def normalize_service(service: dict[str, Any] | None) -> dict[str, Any]:
    """A DescribeServices entry as the module returns it: snake_case, tags as a dict, the last events only."""
    if not service:
        return {}
    raw = dict(service)
    tags = raw.pop("tags", None) or []
    events = raw.pop("events", None) or []
    result = camel_dict_to_snake_dict(raw)
    result["tags"] = boto3_tag_list_to_ansible_dict(tags, "key", "value")
    result["events"] = [camel_dict_to_snake_dict(event) for event in events[:EVENTS_RETURNED]]
    return result


def primary_deployment(service: dict[str, Any] | None) -> dict[str, Any] | None:
    """The PRIMARY deployment of a service in either casing."""
    for deployment in (service or {}).get("deployments") or []:
        if deployment.get("status") == "PRIMARY":
            return deployment
    return None


def rollout_state(service: dict[str, Any] | None) -> str | None:
    primary = primary_deployment(service)
    if primary is None:
        return None
    return primary.get("rollout_state", primary.get("rolloutState"))


def rollout_complete(service: dict[str, Any] | None) -> bool:
    """Whether the service is where a rollout ends: primary deployment COMPLETED, every desired task running."""
    if not service or service.get("status") != "ACTIVE":
        return False
    running = service.get("running_count", service.get("runningCount"))
    desired = service.get("desired_count", service.get("desiredCount"))
    return rollout_state(service) == "COMPLETED" and running == desired


# --- comparing and requesting --------------------------------------------------------------------------------


def _network_request(network: dict[str, Any]) -> dict[str, Any]:
    """An awsvpc configuration; without security groups AWS uses the VPC's default one."""
    awsvpc: dict[str, Any] = {"subnets": list(network["subnets"])}
    if network["security_groups"]:
        awsvpc["securityGroups"] = list(network["security_groups"])
    awsvpc["assignPublicIp"] = "ENABLED" if network["assign_public_ip"] else "DISABLED"
    return {"awsvpcConfiguration": awsvpc}


def _strategy_request(strategy: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"capacityProvider": item["capacity_provider"], "weight": item["weight"], "base": item["base"]}
        for item in strategy
    ]


def _load_balancers_request(load_balancers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    request = []
    for lb in load_balancers:
        entry = {
            "targetGroupArn": lb["target_group_arn"],
            "containerName": lb["container_name"],
            "containerPort": lb["container_port"],
        }
        advanced = {aws: lb[field] for field, aws in ADVANCED_LOAD_BALANCER_FIELDS.items() if lb.get(field)}
        if advanced:
            entry["advancedConfiguration"] = advanced
        request.append(entry)
    return request


def _current_pairs_kept(wanted: list[dict[str, Any]], current: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``wanted`` with each target group pair in the order the service has it now: ECS decides which of the two takes
    production traffic, and an update that swapped them back would start a deployment for nothing."""
    by_pair = {_load_balancer_key(lb): lb for lb in current}
    kept = []
    for lb in wanted:
        now = by_pair.get(_load_balancer_key(lb))
        if now is not None and lb.get("alternate_target_group_arn") and now.get("alternate_target_group_arn"):
            lb = dict(
                lb, target_group_arn=now["target_group_arn"], alternate_target_group_arn=now["alternate_target_group_arn"]
            )
        kept.append(lb)
    return kept


def _deployment_configuration(current: dict[str, Any] | None, wanted: dict[str, Any]) -> dict[str, Any]:
    """The deployment configuration asked for, over what the service has (alarms and the like are kept)."""
    configuration = deepcopy(current or {})
    configuration.update(
        deploymentCircuitBreaker=dict(wanted["deployment_circuit_breaker"]),
        maximumPercent=wanted["maximum_percent"],
        minimumHealthyPercent=wanted["minimum_healthy_percent"],
    )
    for field, aws in _STRATEGY_FIELDS.items():
        if wanted.get(field) is not None:
            configuration[aws] = deepcopy(wanted[field])
    strategy = configuration.get("strategy") or "ROLLING"
    # AWS refuses the settings of another strategy (and keeps a rolling service's bake time out of its answer).
    if strategy != "CANARY":
        configuration.pop("canaryConfiguration", None)
    if strategy != "LINEAR":
        configuration.pop("linearConfiguration", None)
    if strategy == "ROLLING":
        configuration.pop("bakeTimeInMinutes", None)
    return configuration


# Module settings of the deployment configuration -> their DeploymentConfiguration fields.
_STRATEGY_FIELDS = {
    "deployment_strategy": "strategy",
    "bake_time_minutes": "bakeTimeInMinutes",
    "canary": "canaryConfiguration",
    "linear": "linearConfiguration",
    "deployment_alarms": "alarms",
}


def immutable_errors(service: dict[str, Any], wanted: dict[str, Any]) -> list[str]:
    """What the task asks for that AWS cannot change on this existing service."""
    errors = []
    controller = (service.get("deploymentController") or {}).get("type", "ECS")
    if controller != "ECS":
        errors.append(
            f"service {service.get('serviceName')} uses the {controller} deployment controller; this module manages"
            " rolling-update (ECS) services only"
        )
    current_launch_type = service.get("launchType") or None
    if wanted["capacity_provider_strategy"] is None and current_launch_type not in (None, wanted["launch_type"]):
        errors.append(
            f"launch_type of service {service.get('serviceName')} is {current_launch_type} and AWS cannot change a"
            f" service's launch type to {wanted['launch_type']}; delete the service (state=absent) and run again"
        )
    return errors


def service_changes(
    service: dict[str, Any], wanted: dict[str, Any]
) -> tuple[list[tuple[str, Any, Any]], dict[str, Any]]:
    """The differences (field, before, after) between a DescribeServices entry and ``wanted``, and the
    UpdateService parameters (without cluster and service) that remove them."""
    current = current_settings(service)
    changes: list[tuple[str, Any, Any]] = []
    request: dict[str, Any] = {}

    def differ(field: str, before: Any, after: Any, **parameters: Any) -> None:
        if before != after:
            changes.append((field, before, after))
            request.update(parameters)

    differ(
        "task_definition",
        current["task_definition_ref"],
        wanted["task_definition_ref"],
        taskDefinition=wanted.get("task_definition_arn") or wanted["task_definition"],
    )
    if wanted["desired_count"] is not None and not wanted["desired_count_managed_externally"]:
        differ("desired_count", current["desired_count"], wanted["desired_count"], desiredCount=wanted["desired_count"])
    configuration = _deployment_configuration(service.get("deploymentConfiguration"), wanted)
    for field in ("deployment_circuit_breaker", "minimum_healthy_percent", "maximum_percent"):
        differ(field, current[field], wanted[field], deploymentConfiguration=configuration)
    for field in _STRATEGY_FIELDS:
        if wanted.get(field) is not None:
            differ(field, current[field], wanted[field], deploymentConfiguration=configuration)

    if wanted["capacity_provider_strategy"] is not None:
        strategy = wanted["capacity_provider_strategy"]
        if current["launch_type"] is not None:
            changes.append(("launch_type", current["launch_type"], None))
        differ(
            "capacity_provider_strategy",
            current["capacity_provider_strategy"] or [],
            strategy,
            capacityProviderStrategy=_strategy_request(strategy),
        )
        if current["launch_type"] is not None:
            request["capacityProviderStrategy"] = _strategy_request(strategy)
    elif current["capacity_provider_strategy"]:  # back to the launch type: an empty strategy
        changes.append(("capacity_provider_strategy", current["capacity_provider_strategy"], []))
        changes.append(("launch_type", None, wanted["launch_type"]))
        request["capacityProviderStrategy"] = []

    if wanted["network"] is not None:
        after = dict(wanted["network"])
        if after["security_groups"] is None:  # left out: the service keeps its groups
            after["security_groups"] = (current["network"] or {}).get("security_groups") or []
        compared = dict(after, subnets=sorted(after["subnets"]), security_groups=sorted(after["security_groups"]))
        differ("network", current["network"], compared, networkConfiguration=_network_request(after))
    if wanted["load_balancers"] is not None:
        load_balancers = _current_pairs_kept(wanted["load_balancers"], current["load_balancers"])
        differ(
            "load_balancers",
            current["load_balancers"],
            load_balancers,
            loadBalancers=_load_balancers_request(load_balancers),
        )
    if wanted["health_check_grace_period_seconds"] is not None:
        differ(
            "health_check_grace_period_seconds",
            current["health_check_grace_period_seconds"],
            wanted["health_check_grace_period_seconds"],
            healthCheckGracePeriodSeconds=wanted["health_check_grace_period_seconds"],
        )
    if is_fargate(wanted["launch_type"], wanted["capacity_provider_strategy"]):
        differ(
            "platform_version",
            current["platform_version"],
            wanted["platform_version"],
            platformVersion=wanted["platform_version"],
        )
    if wanted["enable_execute_command"] is not None:
        differ(
            "enable_execute_command",
            current["enable_execute_command"],
            wanted["enable_execute_command"],
            enableExecuteCommand=wanted["enable_execute_command"],
        )
    differ(
        "propagate_tags", current["propagate_tags"], wanted["propagate_tags"], propagateTags=wanted["propagate_tags"]
    )
    differ(
        "enable_ecs_managed_tags",
        current["enable_ecs_managed_tags"],
        wanted["enable_ecs_managed_tags"],
        enableECSManagedTags=wanted["enable_ecs_managed_tags"],
    )
    if wanted["force_new_deployment"]:
        changes.append(("force_new_deployment", False, True))
        request["forceNewDeployment"] = True
    return changes, request


def create_request(wanted: dict[str, Any], client_token: str) -> dict[str, Any]:
    """CreateService's parameters for ``wanted``."""
    desired = wanted["desired_count"]
    request: dict[str, Any] = {
        "cluster": wanted["cluster"],
        "serviceName": wanted["name"],
        "taskDefinition": wanted.get("task_definition_arn") or wanted["task_definition"],
        "desiredCount": DEFAULT_DESIRED_COUNT if desired is None else desired,
        "clientToken": client_token,
        "schedulingStrategy": "REPLICA",
        "deploymentController": {"type": "ECS"},
        "deploymentConfiguration": _deployment_configuration(None, wanted),
        "propagateTags": wanted["propagate_tags"],
        "enableECSManagedTags": wanted["enable_ecs_managed_tags"],
    }
    if wanted["capacity_provider_strategy"] is not None:
        request["capacityProviderStrategy"] = _strategy_request(wanted["capacity_provider_strategy"])
    else:
        request["launchType"] = wanted["launch_type"]
    if is_fargate(wanted["launch_type"], wanted["capacity_provider_strategy"]):
        request["platformVersion"] = wanted["platform_version"]
    if wanted["network"] is not None:
        request["networkConfiguration"] = _network_request(wanted["network"])
    if wanted["load_balancers"]:
        request["loadBalancers"] = _load_balancers_request(wanted["load_balancers"])
    if wanted["health_check_grace_period_seconds"] is not None:
        request["healthCheckGracePeriodSeconds"] = wanted["health_check_grace_period_seconds"]
    if wanted["enable_execute_command"] is not None:
        request["enableExecuteCommand"] = wanted["enable_execute_command"]
    if wanted["tags"]:
        request["tags"] = ansible_dict_to_boto3_tag_list(wanted["tags"], "key", "value")
    return request


# Request parameters that are not fields of the service.
_NOT_SERVICE_FIELDS = ("cluster", "clientToken", "forceNewDeployment", "tags")


def predicted_service(current: dict[str, Any] | None, request: dict[str, Any]) -> dict[str, Any]:
    """The service (in the module's return shape) after ``request`` (CreateService's or UpdateService's) is
    applied to ``current`` (the module's return shape, or None for a new service)."""
    service = (
        deepcopy(current)
        if current
        else {
            "status": "ACTIVE",
            "running_count": 0,
            "pending_count": 0,
            "deployments": [],
            "events": [],
            "tags": {},
            "load_balancers": [],
            "enable_execute_command": False,
            "health_check_grace_period_seconds": AWS_DEFAULT_HEALTH_CHECK_GRACE_PERIOD
            if request.get("loadBalancers")
            else None,
        }
    )
    for key, value in request.items():
        if key in _NOT_SERVICE_FIELDS:
            continue
        snake = camel_dict_to_snake_dict({key: value})
        service.update(snake)
    if "capacityProviderStrategy" in request:
        if request["capacityProviderStrategy"]:
            service["launch_type"] = None
        else:
            service["capacity_provider_strategy"] = []
            service["launch_type"] = DEFAULT_LAUNCH_TYPE
    if "tags" in request:
        service["tags"] = boto3_tag_list_to_ansible_dict(request["tags"], "key", "value")
    return {key: value for key, value in service.items() if value is not None}


# --- failure reports -----------------------------------------------------------------------------------------


def _when(value: Any) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value or "")


def stopped_task_summary(task: dict[str, Any]) -> dict[str, Any]:
    """A DescribeTasks entry reduced to why it stopped (snake_case)."""
    return {
        "task_arn": task.get("taskArn"),
        "task_definition_arn": task.get("taskDefinitionArn"),
        "started_by": task.get("startedBy"),
        "stop_code": task.get("stopCode"),
        "stopped_reason": task.get("stoppedReason"),
        "stopped_at": task.get("stoppedAt"),
        "containers": [
            {"name": c.get("name"), "reason": c.get("reason"), "exit_code": c.get("exitCode")}
            for c in task.get("containers") or []
            if c.get("reason") or c.get("exitCode") not in (None, 0)
        ],
    }


def failure_report(headline: str, events: list[dict[str, Any]], stopped_tasks: list[dict[str, Any]]) -> str:
    """The task's error message: what happened, why the tasks stopped, and what the service said."""
    lines = [headline]
    reasons: list[str] = []
    for task in stopped_tasks:
        task_id = str(task.get("task_arn") or "").rsplit("/", 1)[-1]
        reason = task.get("stopped_reason") or "no reason given"
        details = "; ".join(f"{c['name']}: {c['reason']}" for c in task.get("containers") or [] if c.get("reason"))
        line = f"  - task {task_id}: {reason}" + (f" ({details})" if details and details not in reason else "")
        if line not in reasons:
            reasons.append(line)
    if reasons:
        lines.append("Stopped tasks:")
        lines.extend(reasons)
    if events:
        lines.append("Recent service events (newest first):")
        lines.extend(f"  - {_when(e.get('created_at'))} {e.get('message')}" for e in events)
    return "\n".join(lines)


# --- waiters -----------------------------------------------------------------------------------------------

# The waiters' own delay and attempts are placeholders: wait() sets both from wait_timeout.


def inactive_waiter_config(delay: float = POLL_DELAY, max_attempts: int = 1) -> dict[str, Any]:
    """Deleted: DescribeServices no longer knows the service, or it is INACTIVE. (botocore's ServicesInactive
    counts an unknown service as a failure.)"""
    return {
        "version": 2,
        "waiters": {
            "ServiceInactive": {
                "operation": "DescribeServices",
                "delay": delay,
                "maxAttempts": max_attempts,
                "acceptors": [
                    {"matcher": "pathAny", "argument": "failures[].reason", "expected": "MISSING", "state": "success"},
                    {"matcher": "pathAny", "argument": "services[].status", "expected": "INACTIVE", "state": "success"},
                ],
            }
        },
    }


def rollout_waiter_config(
    deployment_id: str, delay: float = POLL_DELAY, max_attempts: int = 1, has_rollout_state: bool = True
) -> dict[str, Any]:
    """Rolled out: deployment ``deployment_id`` is the PRIMARY one and COMPLETED and every desired task runs.
    Failed: it is FAILED, or gone from the service (rolled back or replaced), or the service is no longer ACTIVE."""
    if not _DEPLOYMENT_ID_RE.match(deployment_id):
        raise ValueError(f"unexpected deployment id {deployment_id!r}")
    this = f"id=='{deployment_id}'"
    if has_rollout_state:
        success = (
            f"length(services[?status=='ACTIVE' && runningCount == desiredCount"
            f" && length(deployments[?{this} && status=='PRIMARY' && rolloutState=='COMPLETED']) > `0`]) > `0`"
        )
    else:  # a service whose deployments have no rolloutState: one deployment left, every task running
        success = (
            f"length(services[?status=='ACTIVE' && runningCount == desiredCount && length(deployments) == `1`"
            f" && length(deployments[?{this}]) > `0`]) > `0`"
        )
    return {
        "version": 2,
        "waiters": {
            "ServiceRolledOut": {
                "operation": "DescribeServices",
                "delay": delay,
                "maxAttempts": max_attempts,
                "acceptors": [
                    {"matcher": "path", "argument": success, "expected": True, "state": "success"},
                    {"matcher": "pathAny", "argument": "failures[].reason", "expected": "MISSING", "state": "failure"},
                    {
                        "matcher": "pathAny",
                        "argument": f"services[].deployments[] | [?{this}].rolloutState",
                        "expected": "FAILED",
                        "state": "failure",
                    },
                    {
                        "matcher": "path",
                        "argument": f"length(services[?status=='ACTIVE'].deployments[] | [?{this}])",
                        "expected": 0,
                        "state": "failure",
                    },
                ],
            }
        },
    }


def _failure_in_events(raw: dict[str, Any] | None, deployment_id: str) -> str | None:
    """Why deployment ``deployment_id`` failed, from the service's event "(deployment ID) deployment failed:
    REASON" (ECS lists a failed deployment only until its rollback completes; the event stays longer)."""
    marker = f"(deployment {deployment_id}) deployment failed: "
    for event in (raw or {}).get("events") or []:
        message = event.get("message") or ""
        if marker in message:
            reason = message.split(marker, 1)[1].strip()
            breaker = ((raw or {}).get("deploymentConfiguration") or {}).get("deploymentCircuitBreaker") or {}
            if breaker.get("enable") and "alarm" not in reason.lower():
                return f"ECS deployment circuit breaker: {reason}"
            return reason
    return None


def rollout_failure_headline(raw: dict[str, Any] | None, name: str, deployment_id: str, timeout: int | None) -> str:
    """What ended the wait for deployment ``deployment_id``, from the service as it is now (``raw``, a
    DescribeServices entry): the timeout (``timeout`` set), the service's deletion, the deployment's failure (and
    the rollback), or another deployment that replaced it."""
    service = normalize_service(raw)
    ours = next((d for d in (raw or {}).get("deployments") or [] if d.get("id") == deployment_id), None)
    primary = primary_deployment(raw) or {}
    if timeout is not None:
        return (
            f"Timed out after {timeout} seconds waiting for deployment {deployment_id} of ECS service {name} to"
            f" complete: rollout {(ours or primary).get('rolloutState', 'state unknown')},"
            f" {service.get('running_count', 0)} of {service.get('desired_count', 0)} tasks running"
            f" ({(ours or {}).get('failedTasks', 0)} failed to start)."
        )
    if raw is None or raw.get("status") != "ACTIVE":
        return f"ECS service {name} was deleted while deployment {deployment_id} rolled out."
    if ours is not None and ours.get("rolloutState") == "FAILED":
        reason = ours.get("rolloutStateReason", "FAILED")
        headline = f"Deployment {deployment_id} of ECS service {name} failed: {reason}"
        if primary.get("id") != deployment_id:
            headline += (
                f" The service rolled back to {task_definition_ref(primary.get('taskDefinition'))}"
                f" (deployment {primary.get('id')})."
            )
        return headline
    failure = _failure_in_events(raw, deployment_id)
    if failure is not None:  # failed and already rolled back between two polls: its events still say so
        headline = f"Deployment {deployment_id} of ECS service {name} failed: {failure}"
        if primary.get("id") != deployment_id:
            headline += (
                f" The service rolled back to {task_definition_ref(primary.get('taskDefinition'))}"
                f" (deployment {primary.get('id')})."
            )
        return headline
    return (
        f"Deployment {deployment_id} of ECS service {name} is gone: the service now runs deployment"
        f" {primary.get('id')} ({primary.get('rolloutStateReason') or primary.get('rolloutState')})."
    )


# --- reading -----------------------------------------------------------------------------------------------


def describe_services(
    ecs, cluster: str, services: list[str], what: str, include: list[str] | None = None
) -> list[dict[str, Any]] | None:
    """The DescribeServices entries of ``services`` (names or ARNs), ``DESCRIBE_SERVICES_BATCH`` a call; None when
    the cluster does not exist. ``what`` names the lookup in a failure."""
    found: list[dict[str, Any]] = []
    extra = {"include": include} if include else {}
    for start in range(0, len(services), DESCRIBE_SERVICES_BATCH):
        response = call(
            ecs.describe_services,
            what,
            answers={"ClusterNotFoundException": None},
            cluster=cluster,
            services=services[start : start + DESCRIBE_SERVICES_BATCH],
            **extra,
        )
        if response is None:
            return None
        found.extend(response.get("services") or [])
    return found


# --- manager -----------------------------------------------------------------------------------------------


class ServiceManager(BaseResourceManager):
    """Creates, updates, rolls out and deletes one ECS service; ``service`` holds the result."""

    def __init__(self, module) -> None:
        super().__init__(module)
        self.ecs = self.client("ecs")
        self.service: dict[str, Any] = {}
        self.cluster_missing = False
        self._elbv2 = None  # only a rollout's traffic split needs it

    # --- reading ---

    def describe(self, cluster: str, name: str) -> dict[str, Any] | None:
        """The DescribeServices entry of the service (with tags); None when there is none or no such cluster."""
        found = describe_services(
            self.ecs, cluster, [name], f"describe ECS service {name} in cluster {cluster}", include=["TAGS"]
        )
        if found is None:
            self.cluster_missing = True
            return None
        return next((service for service in found if service.get("serviceName") == name), None)

    def find(
        self, cluster: str, names: list[str], rollouts: bool = False, outcome_of: str | None = None
    ) -> list[dict[str, Any]]:
        """The ACTIVE and DRAINING services among ``names`` (names or ARNs), in that order, in the module's return
        shape; those not found (or no such cluster) are left out. With ``rollouts``, a service whose rollout is in
        progress also gets its ``service_deployments`` in progress and the ``traffic`` of its production listener
        rules. With ``outcome_of`` (a deployment id), each also gets that deployment's ``deployment_outcome``."""
        found = describe_services(
            self.ecs, cluster, list(dict.fromkeys(names)), f"describe the services of ECS cluster {cluster}", ["TAGS"]
        )
        by_key: dict[str, dict[str, Any]] = {}
        for service in found or []:
            if service.get("status") in ("ACTIVE", "DRAINING"):
                by_key[service.get("serviceName")] = by_key[service.get("serviceArn")] = service
        result = []
        for name in names:
            if name not in by_key:
                continue
            raw = by_key[name]
            service = normalize_service(raw)
            if rollouts and any(d.get("rolloutState") == "IN_PROGRESS" for d in raw.get("deployments") or []):
                service["service_deployments"] = self.service_deployments_in_progress(cluster, raw)
                service["traffic"] = self.production_traffic(raw)
            if outcome_of:
                service["deployment_outcome"] = self.deployment_outcome(cluster, raw, outcome_of)
            result.append(service)
        return result

    def service_deployments_in_progress(self, cluster: str, raw: dict[str, Any]) -> list[dict[str, Any]]:
        """The service deployments of ``raw`` (a DescribeServices entry) that are not over, in the return shape: each
        with its ``status``, ``lifecycle_stage`` (the phase of a blue/green, linear or canary deployment) and when
        that stage began (``updated_at``)."""
        under_way = self.service_deployments(cluster, raw["serviceName"], status=list(SERVICE_DEPLOYMENTS_UNDER_WAY))
        return [camel_dict_to_snake_dict(d) for d in under_way]

    def service_deployments(self, cluster: str, name: str, **filters: Any) -> list[dict[str, Any]]:
        """The newest ``SERVICE_DEPLOYMENTS_READ`` service deployments of service ``name`` matching ``filters``
        (ListServiceDeployments' ``status``, ``createdAt``), as DescribeServiceDeployments tells them."""
        listed = call(
            self.ecs.list_service_deployments,
            f"list the deployments of ECS service {name}",
            cluster=cluster,
            service=name,
            maxResults=SERVICE_DEPLOYMENTS_READ,
            **filters,
        )
        arns = [d["serviceDeploymentArn"] for d in listed.get("serviceDeployments") or []][:SERVICE_DEPLOYMENTS_READ]
        if not arns:
            return []
        described = call(
            self.ecs.describe_service_deployments,
            f"describe the deployments of ECS service {name}",
            serviceDeploymentArns=arns,
        )
        return described.get("serviceDeployments") or []

    def production_traffic(self, raw: dict[str, Any]) -> list[dict[str, Any]]:
        """How the production listener rules of ``raw``'s load balancers split traffic now: one entry per target
        group with its ``target_group_arn``, ``target_group`` (name) and ``weight`` (percent of the rule's total)."""
        rules = [
            (lb.get("advancedConfiguration") or {}).get("productionListenerRule")
            for lb in raw.get("loadBalancers") or []
        ]
        rules = [rule for rule in rules if rule]
        if not rules:
            return []
        if self._elbv2 is None:
            self._elbv2 = self.client("elbv2")
        described = call(self._elbv2.describe_rules, "describe the production listener rules", RuleArns=rules)
        traffic = []
        for rule in described.get("Rules") or []:
            groups = [
                group
                for action in rule.get("Actions") or []
                if action.get("Type") == "forward"
                for group in (action.get("ForwardConfig") or {}).get("TargetGroups") or []
            ]
            total = sum(group.get("Weight", 1) for group in groups) or 1
            traffic.extend(
                {
                    "target_group_arn": group["TargetGroupArn"],
                    "target_group": group["TargetGroupArn"].split(":targetgroup/", 1)[-1].split("/", 1)[0],
                    "weight": round(100.0 * group.get("Weight", 1) / total, 1),
                }
                for group in groups
            )
        return traffic

    def describe_task_definition(self, task_definition: str) -> dict[str, Any] | None:
        response = call(
            self.ecs.describe_task_definition,
            f"describe task definition {task_definition}",
            answers={"ClientException": None},
            taskDefinition=task_definition,
        )
        return (response or {}).get("taskDefinition")

    def stopped_tasks(self, cluster: str, name: str, deployment_id: str | None) -> list[dict[str, Any]]:
        """The service's stopped tasks (those of ``deployment_id`` when it has any), newest first."""
        what = f"list the stopped tasks of ECS service {name}"
        try:
            arns = call(
                self.ecs.list_tasks, what, cluster=cluster, serviceName=name, desiredStatus="STOPPED", maxResults=100
            ).get("taskArns")
            if not arns:
                return []
            tasks = call(self.ecs.describe_tasks, what, cluster=cluster, tasks=arns[:100]).get("tasks") or []
        except AWSActionError:
            return []  # only used to explain a failure: the failure itself is the message
        mine = [task for task in tasks if deployment_id and task.get("startedBy") == deployment_id]
        chosen = mine or tasks
        chosen.sort(key=lambda task: _when(task.get("stoppedAt")), reverse=True)
        return [stopped_task_summary(task) for task in chosen[:STOPPED_TASKS_REPORTED]]

    # --- present ---

    def ensure_present(self, wanted: dict[str, Any]) -> None:
        cluster, name = wanted["cluster"], wanted["name"]
        raw = self.describe(cluster, name)
        if self.cluster_missing and not self.check_mode:
            raise AWSActionError(f"ECS cluster {cluster} does not exist; create it before its service {name}")
        status = (raw or {}).get("status")
        current_ref = task_definition_ref(raw.get("taskDefinition")) if status == "ACTIVE" else None
        self._resolve_task_definition(wanted, current_ref)

        if raw is None or status == "INACTIVE":
            self._create(wanted, previous=raw)
            return
        if status == "DRAINING":  # deleted, still stopping its tasks: AWS refuses to create it again until INACTIVE
            if not self.check_mode:
                self._wait_inactive(
                    cluster, name, wanted["wait_timeout"], "to finish draining before it is created again"
                )
                raw = self.describe(cluster, name)
            self._create(wanted, previous=raw)
            return
        self._update(raw, wanted)

    def _resolve_task_definition(self, wanted: dict[str, Any], current_ref: str | None) -> None:
        """Look the task definition up: its ARN and revision for comparing, its containers for checking the load
        balancers. One that does not exist fails the task, except in check mode, where an earlier task of the same
        run (registering it) has not really run either."""
        definition = self.describe_task_definition(wanted["task_definition"])
        if definition is None:
            if self.check_mode:
                return
            raise AWSActionError(
                f"task definition {wanted['task_definition']} does not exist (or has no ACTIVE revision)"
            )
        wanted["task_definition_arn"] = definition.get("taskDefinitionArn")
        wanted["task_definition_ref"] = task_definition_ref(definition.get("taskDefinitionArn"))
        errors = task_definition_errors(definition, wanted, current_ref)
        if errors:
            raise AWSActionError("; ".join(errors))

    def _create(self, wanted: dict[str, Any], previous: dict[str, Any] | None) -> None:
        cluster, name = wanted["cluster"], wanted["name"]
        if wanted["network"] is None and is_fargate(wanted["launch_type"], wanted["capacity_provider_strategy"]):
            raise AWSActionError(
                f"network.subnets is required to create service {name}: Fargate tasks run in awsvpc mode"
            )
        # The token names this incarnation of the service: a re-run after an interrupted create sends the same one,
        # a create after a deletion (previous is INACTIVE) another.
        incarnation = _when((previous or {}).get("createdAt"))
        token = idempotency_token(cluster_name(cluster), name, incarnation, length=CLIENT_TOKEN_LENGTH)
        request = create_request(wanted, token)
        predicted = predicted_service(None, request)
        self.set_diff(before={}, after=predicted)
        self.service = predicted
        self.changed = True
        if self.check_mode:
            return
        # Retrying a fresh account's refusal is safe: AWS refused before creating anything, and the client token makes
        # AWS answer a repeated create that did go through with the service it made.
        created = call_through(
            self.ecs.create_service,
            f"create ECS service {name} in cluster {cluster}",
            (SERVICE_LINKED_ROLE_PENDING,),
            wanted["wait_timeout"],
            **request,
        )
        self._finish(wanted, primary_deployment(created["service"]))

    def _update(self, raw: dict[str, Any], wanted: dict[str, Any]) -> None:
        cluster, name = wanted["cluster"], wanted["name"]
        current = normalize_service(raw)
        errors = immutable_errors(raw, wanted)
        if errors:
            raise AWSActionError("; ".join(errors), service=current)
        changes, request = service_changes(raw, wanted)
        self.service = predicted_service(current, request)
        deployment = primary_deployment(raw)
        if changes:  # one UpdateService for every field
            for field, before, after in changes:
                self.differences.add(field, before, after)
            updated = self.change(
                self.ecs.update_service,
                f"update ECS service {name} in cluster {cluster}",
                cluster=cluster,
                service=name,
                **request,
            )
            if updated is not None:
                deployment = primary_deployment(updated["service"])
        self._update_tags(raw, wanted)
        if self.check_mode:
            return
        self._finish(wanted, deployment)

    def _update_tags(self, raw: dict[str, Any], wanted: dict[str, Any]) -> None:
        current_tags = boto3_tag_list_to_ansible_dict(raw.get("tags") or [], "key", "value")
        after = self.sync_tags(
            self.ecs,
            "ecs",
            raw["serviceArn"],
            current_tags,
            wanted["tags"],
            wanted["purge_tags"],
            f"ECS service {wanted['name']}",
        )
        if after is not None:
            self.service["tags"] = after

    def _finish(self, wanted: dict[str, Any], deployment: dict[str, Any] | None) -> None:
        """Wait for the rollout when asked to, then read the service as it is (unless nothing changed and nothing
        was awaited: then it is as read at the start)."""
        cluster, name = wanted["cluster"], wanted["name"]
        waiting = wanted["wait"] and deployment is not None
        if waiting:
            self._wait_rollout(cluster, name, deployment, wanted["wait_timeout"])
        if self.changed or waiting:
            self.service = normalize_service(self.describe(cluster, name)) or self.service

    # --- waiting ---

    def _wait_rollout(self, cluster: str, name: str, deployment: dict[str, Any], timeout: int) -> None:
        deployment_id = deployment["id"]
        if not _DEPLOYMENT_ID_RE.match(deployment_id):
            raise AWSActionError(f"Cannot wait for deployment {deployment_id!r} of ECS service {name}: unexpected id")
        model = rollout_waiter_config(deployment_id, has_rollout_state="rolloutState" in deployment)
        try:
            wait(
                self.ecs,
                "ServiceRolledOut",
                f"deployment {deployment_id} of ECS service {name} to complete",
                timeout,
                POLL_DELAY,
                model=model,
                cluster=cluster,
                services=[name],
            )
        except AWSActionError as e:
            # the failure report says what ended the wait (wait() raises a timeout without an exception)
            raw = self.describe(cluster, name)
            report = self.failure(cluster, name, raw, deployment, timeout if e.exception is None else None)
            service = normalize_service(raw)
            raise AWSActionError(
                report["message"],
                service=service,
                events=report["events"],
                stopped_tasks=report["stopped_tasks"],
                rollout_state=rollout_state(service),
                rollout_complete=False,
            ) from e

    def failure(
        self, cluster: str, name: str, raw: dict[str, Any] | None, deployment: dict[str, Any], timeout: int | None
    ) -> dict[str, Any]:
        """Why ``deployment`` (a DescribeServices deployment of the service) did not complete, ``raw`` being the
        service now: the ``message`` (what ended it, the stopped tasks' reasons, the service's last events), the
        ``events``, the ``stopped_tasks`` and the deployment ``alarms`` that fired."""
        deployment_id = deployment["id"]
        events = normalize_service(raw).get("events") or []
        stopped = self.stopped_tasks(cluster, name, deployment_id)
        headline = rollout_failure_headline(raw, name, deployment_id, timeout)
        watched = ((raw or {}).get("deploymentConfiguration") or {}).get("alarms") or {}
        alarms = self.triggered_alarms(cluster, name, deployment.get("createdAt")) if watched.get("enable") else []
        if alarms:
            headline += f" Alarms that fired during the deployment: {', '.join(alarms)}."
        return {
            "message": failure_report(headline, events, stopped),
            "events": events,
            "stopped_tasks": stopped,
            "alarms": alarms,
        }

    def deployment_outcome(self, cluster: str, raw: dict[str, Any], deployment_id: str) -> dict[str, Any]:
        """Whether deployment ``deployment_id`` of ``raw`` (a DescribeServices entry) completed: it is the PRIMARY one,
        COMPLETED, with every desired task running. A deployment that failed, was rolled back or was replaced did
        not; then the result says why (``failure``)."""
        primary = primary_deployment(raw) or {}
        if primary.get("id") == deployment_id and rollout_complete(raw):
            return {"deployment_id": deployment_id, "succeeded": True}
        if primary.get("id") == deployment_id and primary.get("rolloutState") == "IN_PROGRESS":
            message = f"Deployment {deployment_id} of ECS service {raw['serviceName']} is still rolling out."
            return {"deployment_id": deployment_id, "succeeded": False, "in_progress": True, "message": message}
        ours = next((d for d in raw.get("deployments") or [] if d.get("id") == deployment_id), {"id": deployment_id})
        report = self.failure(cluster, raw["serviceName"], raw, ours, None)
        return {"deployment_id": deployment_id, "succeeded": False, "in_progress": False, **report}

    def triggered_alarms(self, cluster: str, name: str, since: Any) -> list[str]:
        """The deployment alarms that fired in the service deployments started since ``since`` (newest first), from
        ListServiceDeployments and DescribeServiceDeployments; a failure report is made without them if ECS cannot
        say."""
        try:
            deployments = self.service_deployments(cluster, name, **({"createdAt": {"after": since}} if since else {}))
        except AWSActionError:
            return []
        names: list[str] = []
        for deployment in deployments:
            for alarm in (deployment.get("alarms") or {}).get("triggeredAlarmNames") or []:
                if alarm not in names:
                    names.append(alarm)
        return names

    def _wait_inactive(self, cluster: str, name: str, timeout: int, what: str) -> None:
        def latest() -> tuple[str, dict[str, Any]]:
            service = normalize_service(self.describe(cluster, name))
            return f"it is {service.get('status')}", {"service": service}

        wait(
            self.ecs,
            "ServiceInactive",
            f"ECS service {name} {what}",
            timeout,
            POLL_DELAY,
            model=inactive_waiter_config(),
            describe=latest,
            cluster=cluster,
            services=[name],
        )

    # --- absent ---

    def ensure_absent(self, wanted: dict[str, Any]) -> None:
        cluster, name = wanted["cluster"], wanted["name"]
        raw = self.describe(cluster, name)
        if raw is None:
            return
        current = normalize_service(raw)
        self.service = current
        if raw.get("status") == "ACTIVE":
            self.changed = True
            self.set_diff(before=current, after={})
            if self.check_mode:
                self.service = dict(current, status="INACTIVE" if wanted["wait"] else "DRAINING", desired_count=0)
                return
            self._delete(raw)
        if self.check_mode or not wanted["wait"] or raw.get("status") == "INACTIVE":
            self.service = normalize_service(self.describe(cluster, name)) if self.changed else current
            return
        self._wait_inactive(cluster, name, wanted["wait_timeout"], "to be deleted")
        self.service = normalize_service(self.describe(cluster, name))

    def _delete(self, raw: dict[str, Any]) -> None:
        """Scale to 0, then delete; a service deleted by someone else since it was read is gone already."""
        cluster, name = raw["clusterArn"], raw["serviceName"]
        what = f"delete ECS service {name}"
        gone = {("ServiceNotFoundException", "ServiceNotActiveException"): False}
        if raw.get("desiredCount"):
            scaled = call(self.ecs.update_service, what, answers=gone, cluster=cluster, service=name, desiredCount=0)
            if scaled is False:
                return
        call(self.ecs.delete_service, what, answers=gone, cluster=cluster, service=name, force=True)
