# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Manager behind cloudops.fargate.ecs_service_scaling, and its pure helpers.

One ECS service's auto scaling is three things in Application Auto Scaling, all keyed by the resource ID
``service/<cluster>/<service>`` and the scalable dimension ``ecs:service:DesiredCount``: the scalable target (minimum
and maximum task count), its scaling policies (target tracking here, by name) and its scheduled actions (by name).

The helpers validate the task's arguments (every error at once, before the first AWS call) and bring both sides of
every comparison into one shape, with AWS's documented defaults filled in: a target tracking policy's cooldowns are
300 seconds for ECS services and DisableScaleIn is false when AWS leaves them out; a scheduled action's time zone is
UTC when it has none; times are compared in UTC to the second.

Nothing here takes a client token: RegisterScalableTarget, PutScalingPolicy and PutScheduledAction create or
replace by key, so a run after an interrupted one completes what is missing and never makes a duplicate, and a
repeated call is safe. Application Auto Scaling sees an ECS service through ECS, which is eventually consistent: right
after CreateService, RegisterScalableTarget answers that the service does not exist. When DescribeServices has just
shown the service ACTIVE, that answer is retried (``SERVICE_NOT_YET_VISIBLE``), as is the refusal while a new
service-linked role propagates (``SERVICE_LINKED_ROLE_NOT_YET_USABLE``) on an account's first registration.
DeregisterScalableTarget deletes the target's policies and scheduled actions with it.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from copy import deepcopy
from dataclasses import dataclass
from typing import Any

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.cloudops.fargate.plugins.module_utils._common import AWSActionError
from ansible_collections.cloudops.fargate.plugins.module_utils._common import BaseResourceManager
from ansible_collections.cloudops.fargate.plugins.module_utils._common import InputError
from ansible_collections.cloudops.fargate.plugins.module_utils._common import Transient
from ansible_collections.cloudops.fargate.plugins.module_utils._common import call
from ansible_collections.cloudops.fargate.plugins.module_utils._common import call_through
from ansible_collections.cloudops.fargate.plugins.module_utils._common import paginate

# --- constants and defaults ------------------------------------------------------------------------------

SERVICE_NAMESPACE = "ecs"
SCALABLE_DIMENSION = "ecs:service:DesiredCount"
TARGET_TRACKING = "TargetTrackingScaling"

CPU = "ECSServiceAverageCPUUtilization"
MEMORY = "ECSServiceAverageMemoryUtilization"
ALB_REQUEST_COUNT = "ALBRequestCountPerTarget"
# The module's short metric names and AWS's own, both accepted.
METRICS = {
    "cpu": CPU,
    "memory": MEMORY,
    "alb_request_count_per_target": ALB_REQUEST_COUNT,
    CPU: CPU,
    MEMORY: MEMORY,
    ALB_REQUEST_COUNT: ALB_REQUEST_COUNT,
}
PERCENT_METRICS = (CPU, MEMORY)

# Application Auto Scaling's defaults for an ECS service ("Define cooldown periods", Application Auto Scaling User
# Guide; TargetTrackingScalingPolicyConfiguration in the API reference).
DEFAULT_SCALE_IN_COOLDOWN = 300
DEFAULT_SCALE_OUT_COOLDOWN = 300
DEFAULT_DISABLE_SCALE_IN = False
DEFAULT_TIMEZONE = "UTC"

# RegisterScalableTarget right after CreateService: "ECS service doesn't exist: service/<cluster>/<service>" while the
# new service is not yet visible to Application Auto Scaling (ECS API reference, "Request eventual consistency").
# terraform-provider-aws internal/service/appautoscaling target.go (registerScalableTarget) retries exactly that for
# propagationTimeout, 2 minutes; so does the module, for a service DescribeServices shows ACTIVE. Any other
# ValidationException (capacities, a service that really is missing) fails at once.
SERVICE_NOT_YET_VISIBLE = Transient("ValidationException", "ECS service doesn't exist")
SERVICE_VISIBILITY_TIMEOUT = 120
# The account's first RegisterScalableTarget for ECS makes Application Auto Scaling create its service-linked role
# AWSServiceRoleForApplicationAutoScaling_ECSService ("Service-linked roles for Application Auto Scaling"); until IAM
# has propagated a new role the call answers "Unable to assume IAM role", which terraform-provider-aws target.go
# (registerScalableTarget) retries for the same 2 minutes.
SERVICE_LINKED_ROLE_NOT_YET_USABLE = Transient("ValidationException", "Unable to assume IAM role")

# --- limits ------------------------------------------------------------------------------------------------

_ECS_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
POLICY_NAME_MAX_LENGTH = 256
_POLICY_NAME_RE = re.compile(r"^[\x20-\x7e]+$")  # \p{Print}
SCHEDULED_ACTION_NAME_MAX_LENGTH = 256
_SCHEDULED_ACTION_NAME_BAD = re.compile(r"[\x00-\x1f\x7f-\x9f:/|]")
_LOAD_BALANCER_ARN_RE = re.compile(
    r"^arn:[^:]+:elasticloadbalancing:[^:]*:[^:]*:loadbalancer/(?P<label>app/[^/]+/[0-9A-Za-z]+)$"
)
_TARGET_GROUP_ARN_RE = re.compile(
    r"^arn:[^:]+:elasticloadbalancing:[^:]*:[^:]*:(?P<label>targetgroup/[^/]+/[0-9A-Za-z]+)$"
)
_RESOURCE_LABEL_RE = re.compile(r"^app/[^/]+/[0-9A-Za-z]+/targetgroup/[^/]+/[0-9A-Za-z]+$")
_AT_RE = re.compile(r"^at\((?P<moment>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$")
_RATE_RE = re.compile(r"^rate\((?P<value>\d+) (?P<unit>minute|minutes|hour|hours|day|days)\)$")
_CRON_RE = re.compile(r"^cron\((?P<fields>[^()]+)\)$")
CRON_FIELDS = 6
COOLDOWN_MAX = 31536000  # a year: far beyond any useful value, guards against typos


class ScalingInputError(InputError):
    """The caller's arguments cannot describe valid auto scaling; the message names the option."""


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# --- names and identifiers --------------------------------------------------------------------------------


def short_name(value: str, kind: str) -> str:
    """The name of an ECS cluster or service given by name or ARN (old and new service ARN formats)."""
    if isinstance(value, str) and value.startswith("arn:") and f":{kind}/" in value:
        return value.rsplit("/", 1)[-1]
    return value


def resource_id(cluster: str, service: str) -> str:
    return f"service/{short_name(cluster, 'cluster')}/{short_name(service, 'service')}"


def ecs_name_errors(value: Any, option: str, kind: str) -> list[str]:
    if not isinstance(value, str) or not value:
        return [f"{option} must be a non-empty string"]
    name = short_name(value, kind)
    if not _ECS_NAME_RE.match(name):
        return [f"{option} {value!r} is not an ECS {kind} name or ARN (1 to 255 letters, digits, '_' and '-')"]
    return []


def validate_identity(params: dict[str, Any]) -> str:
    """The resource ID of the task's service; raises ScalingInputError when cluster or service is not valid."""
    errors = ecs_name_errors(params["cluster"], "cluster", "cluster") + ecs_name_errors(
        params["service"], "service", "service"
    )
    if errors:
        raise ScalingInputError("; ".join(errors))
    return resource_id(params["cluster"], params["service"])


# --- scalable target ---------------------------------------------------------------------------------------


def capacity_errors(min_capacity: Any, max_capacity: Any, where: str = "") -> list[str]:
    errors = []
    for option, value in (("min_capacity", min_capacity), ("max_capacity", max_capacity)):
        if value is not None and (not _is_int(value) or value < 0):
            errors.append(f"{where}{option} must be an integer of at least 0, not {value!r}")
    if not errors and _is_int(min_capacity) and _is_int(max_capacity) and min_capacity > max_capacity:
        errors.append(
            f"{where}min_capacity ({min_capacity}) must not be greater than {where}max_capacity ({max_capacity})"
        )
    return errors


def normalize_target(description: dict[str, Any]) -> dict[str, Any]:
    """A DescribeScalableTargets entry in the module's return shape."""
    return camel_dict_to_snake_dict(description)


def predicted_target(rid: str, min_capacity: int, max_capacity: int, current: dict[str, Any] | None) -> dict[str, Any]:
    target = (
        deepcopy(current)
        if current
        else {
            "service_namespace": SERVICE_NAMESPACE,
            "resource_id": rid,
            "scalable_dimension": SCALABLE_DIMENSION,
        }
    )
    target.update(min_capacity=min_capacity, max_capacity=max_capacity)
    return target


# --- target tracking policies --------------------------------------------------------------------------------


def label_from_arns(target_group_arn: str, load_balancer_arn: str) -> str | None:
    """``app/<alb>/<id>/targetgroup/<tg>/<id>`` from the two ARNs; None when either is not the right kind of ARN."""
    balancer = _LOAD_BALANCER_ARN_RE.match(load_balancer_arn or "")
    group = _TARGET_GROUP_ARN_RE.match(target_group_arn or "")
    if not balancer or not group:
        return None
    return f"{balancer.group('label')}/{group.group('label')}"


def _policy_label(policy: dict[str, Any], where: str, metric: str | None) -> tuple[str | None, list[str]]:
    label = policy.get("resource_label")
    target_group_arn = policy.get("target_group_arn")
    load_balancer_arn = policy.get("load_balancer_arn")
    given = [o for o in ("resource_label", "target_group_arn", "load_balancer_arn") if policy.get(o) is not None]
    if metric != ALB_REQUEST_COUNT:
        if given:
            return None, [f"{where}.{', '.join(given)}: only valid with metric alb_request_count_per_target"]
        return None, []
    if label is not None and (target_group_arn is not None or load_balancer_arn is not None):
        return None, [f"{where}: give either resource_label or target_group_arn and load_balancer_arn, not both"]
    if label is not None:
        if not _RESOURCE_LABEL_RE.match(label):
            return None, [
                f"{where}.resource_label {label!r} is not app/<load balancer>/<id>/targetgroup/<target group>/<id>"
            ]
        return label, []
    if target_group_arn is None or load_balancer_arn is None:
        return None, [
            (
                f"{where}: metric alb_request_count_per_target needs resource_label, or target_group_arn and"
                " load_balancer_arn to build it from"
            )
        ]
    errors = []
    if not _LOAD_BALANCER_ARN_RE.match(load_balancer_arn):
        errors.append(f"{where}.load_balancer_arn {load_balancer_arn!r} is not the ARN of an Application Load Balancer")
    if not _TARGET_GROUP_ARN_RE.match(target_group_arn):
        errors.append(f"{where}.target_group_arn {target_group_arn!r} is not the ARN of a target group")
    if errors:
        return None, errors
    return label_from_arns(target_group_arn, load_balancer_arn), []


def policy_name_errors(name: Any, where: str) -> list[str]:
    if not isinstance(name, str) or not name:
        return [f"{where}.name must be a non-empty string"]
    errors = []
    if len(name) > POLICY_NAME_MAX_LENGTH:
        errors.append(f"{where}.name must be at most {POLICY_NAME_MAX_LENGTH} characters long")
    if not _POLICY_NAME_RE.match(name):
        errors.append(f"{where}.name {name!r} may contain only printable ASCII characters")
    return errors


def wanted_policy(policy: dict[str, Any], index: int) -> tuple[dict[str, Any] | None, list[str]]:
    """One target tracking policy of the task in the compare shape, and what is wrong with it."""
    where = f"target_tracking_policies[{index}]"
    if isinstance(policy.get("name"), str) and policy["name"]:
        where = f"target_tracking_policies[{policy['name']}]"
    errors = policy_name_errors(policy.get("name"), where)
    metric = METRICS.get(policy.get("metric"))
    if metric is None:
        errors.append(f"{where}.metric {policy.get('metric')!r} is not one of {', '.join(METRICS)}")
    label, label_errors = _policy_label(policy, where, metric)
    errors.extend(label_errors)
    value = policy.get("target_value")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        errors.append(f"{where}.target_value must be a number above 0, not {value!r}")
    elif metric in PERCENT_METRICS and value > 100:
        errors.append(f"{where}.target_value {value} is a utilisation in percent: at most 100")
    for option in ("scale_in_cooldown", "scale_out_cooldown"):
        cooldown = policy.get(option)
        if not _is_int(cooldown) or not 0 <= cooldown <= COOLDOWN_MAX:
            errors.append(f"{where}.{option} must be an integer of seconds from 0 to {COOLDOWN_MAX}, not {cooldown!r}")
    if errors:
        return None, errors
    specification: dict[str, Any] = {"predefined_metric_type": metric}
    if label is not None:
        specification["resource_label"] = label
    return {
        "policy_name": policy["name"],
        "policy_type": TARGET_TRACKING,
        "target_tracking_scaling_policy_configuration": {
            "target_value": float(value),
            "predefined_metric_specification": specification,
            "scale_in_cooldown": policy["scale_in_cooldown"],
            "scale_out_cooldown": policy["scale_out_cooldown"],
            "disable_scale_in": bool(policy["disable_scale_in"]),
        },
    }, []


def normalize_policy(description: dict[str, Any]) -> dict[str, Any]:
    """A DescribeScalingPolicies entry in the module's return shape, with AWS's defaults filled in."""
    policy = camel_dict_to_snake_dict(description)
    config = policy.get("target_tracking_scaling_policy_configuration")
    if config is not None:
        config.setdefault("scale_in_cooldown", DEFAULT_SCALE_IN_COOLDOWN)
        config.setdefault("scale_out_cooldown", DEFAULT_SCALE_OUT_COOLDOWN)
        config.setdefault("disable_scale_in", DEFAULT_DISABLE_SCALE_IN)
        if config.get("target_value") is not None:
            config["target_value"] = float(config["target_value"])
    return policy


def comparable_policy(policy: dict[str, Any]) -> dict[str, Any]:
    """The part of a policy (normalised) that the task manages."""
    result = {"policy_name": policy.get("policy_name"), "policy_type": policy.get("policy_type")}
    for key in ("target_tracking_scaling_policy_configuration", "step_scaling_policy_configuration"):
        if policy.get(key) is not None:
            result[key] = deepcopy(policy[key])
    return result


def policy_request(policy: dict[str, Any]) -> dict[str, Any]:
    config = policy["target_tracking_scaling_policy_configuration"]
    specification = {"PredefinedMetricType": config["predefined_metric_specification"]["predefined_metric_type"]}
    if config["predefined_metric_specification"].get("resource_label"):
        specification["ResourceLabel"] = config["predefined_metric_specification"]["resource_label"]
    return {
        "PolicyName": policy["policy_name"],
        "PolicyType": TARGET_TRACKING,
        "TargetTrackingScalingPolicyConfiguration": {
            "TargetValue": config["target_value"],
            "PredefinedMetricSpecification": specification,
            "ScaleInCooldown": config["scale_in_cooldown"],
            "ScaleOutCooldown": config["scale_out_cooldown"],
            "DisableScaleIn": config["disable_scale_in"],
        },
    }


def predicted_policy(rid: str, wanted: dict[str, Any], current: dict[str, Any] | None) -> dict[str, Any]:
    result = deepcopy(current) if current else {}
    result.pop("step_scaling_policy_configuration", None)
    result.update(deepcopy(wanted))
    result.update(service_namespace=SERVICE_NAMESPACE, resource_id=rid, scalable_dimension=SCALABLE_DIMENSION)
    return result


# --- scheduled actions ----------------------------------------------------------------------------------------


def _as_utc(moment: datetime.datetime) -> datetime.datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment.astimezone(datetime.timezone.utc).replace(microsecond=0)


def parse_time(value: Any) -> datetime.datetime:
    """An ISO 8601 date and time (naive means UTC, as the API says) as an aware UTC datetime; ValueError if not."""
    if isinstance(value, datetime.datetime):
        return _as_utc(value)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(value)
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    return _as_utc(datetime.datetime.fromisoformat(text))


def iso(moment: datetime.datetime | None) -> str | None:
    return None if moment is None else _as_utc(moment).isoformat()


def schedule_errors(schedule: Any, where: str) -> list[str]:
    if not isinstance(schedule, str) or not schedule:
        return [f"{where}.schedule must be a non-empty string"]
    at = _AT_RE.match(schedule)
    if at:
        try:
            datetime.datetime.strptime(at.group("moment"), "%Y-%m-%dT%H:%M:%S")
        except ValueError:
            return [f"{where}.schedule {schedule!r}: {at.group('moment')} is not a date and time"]
        return []
    rate = _RATE_RE.match(schedule)
    if rate:
        if int(rate.group("value")) < 1:
            return [f"{where}.schedule {schedule!r}: the rate must be a positive integer"]
        return []
    cron = _CRON_RE.match(schedule)
    if cron:
        fields = cron.group("fields").split()
        if len(fields) != CRON_FIELDS:
            return [
                (
                    f"{where}.schedule {schedule!r}: a cron expression has {CRON_FIELDS} fields (minutes hours"
                    f" day-of-month month day-of-week year), not {len(fields)}"
                )
            ]
        return []
    return [
        (
            f"{where}.schedule {schedule!r} is none of at(yyyy-mm-ddThh:mm:ss), rate(<value> <unit>) and"
            " cron(<minutes> <hours> <day-of-month> <month> <day-of-week> <year>)"
        )
    ]


def _known_timezones() -> set[str]:
    try:
        import zoneinfo  # pylint: disable=import-outside-toplevel  # Python 3.9+
    except ImportError:
        return set()
    try:
        return set(zoneinfo.available_timezones())
    except (OSError, ValueError):  # no readable tz database here: AWS validates
        return set()


def timezone_errors(timezone: Any, where: str) -> list[str]:
    if timezone is None:
        return []
    if not isinstance(timezone, str) or not timezone.strip():
        return [f"{where}.timezone must be a non-empty string"]
    known = _known_timezones()
    if known and timezone not in known and timezone != DEFAULT_TIMEZONE:
        return [f"{where}.timezone {timezone!r} is not an IANA time zone name (such as Europe/Berlin)"]
    return []


def scheduled_action_name_errors(name: Any, where: str) -> list[str]:
    if not isinstance(name, str) or not name:
        return [f"{where}.name must be a non-empty string"]
    errors = []
    if len(name) > SCHEDULED_ACTION_NAME_MAX_LENGTH:
        errors.append(f"{where}.name must be at most {SCHEDULED_ACTION_NAME_MAX_LENGTH} characters long")
    if _SCHEDULED_ACTION_NAME_BAD.search(name) or name != name.strip(" "):
        errors.append(
            f"{where}.name {name!r} must not contain ':', '/', '|' or control characters, nor begin or end with a space"
        )
    return errors


def wanted_scheduled_action(action: dict[str, Any], index: int) -> tuple[dict[str, Any] | None, list[str]]:
    """One scheduled action of the task in the compare shape, and what is wrong with it."""
    where = f"scheduled_actions[{index}]"
    if isinstance(action.get("name"), str) and action["name"]:
        where = f"scheduled_actions[{action['name']}]"
    errors = scheduled_action_name_errors(action.get("name"), where)
    errors.extend(schedule_errors(action.get("schedule"), where))
    errors.extend(timezone_errors(action.get("timezone"), where))
    min_capacity, max_capacity = action.get("min_capacity"), action.get("max_capacity")
    if min_capacity is None and max_capacity is None:
        errors.append(f"{where} needs min_capacity, max_capacity or both")
    errors.extend(capacity_errors(min_capacity, max_capacity, f"{where}."))
    times: dict[str, datetime.datetime | None] = {}
    for option in ("start_time", "end_time"):
        value = action.get(option)
        times[option] = None
        if value is None:
            continue
        try:
            times[option] = parse_time(value)
        except ValueError:
            errors.append(f"{where}.{option} {value!r} is not an ISO 8601 date and time (such as 2030-01-31T18:00:00Z)")
    if times["start_time"] and times["end_time"] and times["start_time"] >= times["end_time"]:
        errors.append(f"{where}.end_time must be after start_time")
    if errors:
        return None, errors
    target_action = {}
    if min_capacity is not None:
        target_action["min_capacity"] = min_capacity
    if max_capacity is not None:
        target_action["max_capacity"] = max_capacity
    return {
        "scheduled_action_name": action["name"],
        "schedule": action["schedule"],
        "timezone": action.get("timezone") or DEFAULT_TIMEZONE,
        "start_time": iso(times["start_time"]),
        "end_time": iso(times["end_time"]),
        "scalable_target_action": target_action,
    }, []


def normalize_scheduled_action(description: dict[str, Any]) -> dict[str, Any]:
    """A DescribeScheduledActions entry in the module's return shape: UTC when it has no time zone, times in ISO
    8601 UTC to the second."""
    action = camel_dict_to_snake_dict(
        {key: value for key, value in description.items() if key not in ("StartTime", "EndTime")}
    )
    action["timezone"] = description.get("Timezone") or DEFAULT_TIMEZONE
    for key, field in (("StartTime", "start_time"), ("EndTime", "end_time")):
        value = description.get(key)
        action[field] = iso(parse_time(value)) if value is not None else None
    action["scalable_target_action"] = {
        key: value for key, value in (action.get("scalable_target_action") or {}).items() if value is not None
    }
    return action


SCHEDULED_ACTION_FIELDS = (
    "scheduled_action_name",
    "schedule",
    "timezone",
    "start_time",
    "end_time",
    "scalable_target_action",
)


def comparable_scheduled_action(action: dict[str, Any]) -> dict[str, Any]:
    return {field: deepcopy(action.get(field)) for field in SCHEDULED_ACTION_FIELDS}


def needs_recreate(current: dict[str, Any], wanted: dict[str, Any]) -> list[str]:
    """Fields the scheduled action has and the task drops: PutScheduledAction leaves an unspecified field as it is,
    so only a delete and a new put removes them."""
    dropped = [field for field in ("start_time", "end_time") if current.get(field) and not wanted.get(field)]
    dropped += [
        f"scalable_target_action.{key}"
        for key in (current.get("scalable_target_action") or {})
        if key not in wanted["scalable_target_action"]
    ]
    return dropped


def scheduled_action_request(action: dict[str, Any]) -> dict[str, Any]:
    request: dict[str, Any] = {
        "ScheduledActionName": action["scheduled_action_name"],
        "Schedule": action["schedule"],
        "Timezone": action["timezone"],
        "ScalableTargetAction": {
            {"min_capacity": "MinCapacity", "max_capacity": "MaxCapacity"}[key]: value
            for key, value in action["scalable_target_action"].items()
        },
    }
    if action["start_time"]:
        request["StartTime"] = parse_time(action["start_time"])
    if action["end_time"]:
        request["EndTime"] = parse_time(action["end_time"])
    return request


def predicted_scheduled_action(rid: str, wanted: dict[str, Any], current: dict[str, Any] | None) -> dict[str, Any]:
    result = deepcopy(current) if current else {}
    result.update(deepcopy(wanted))
    result.update(service_namespace=SERVICE_NAMESPACE, resource_id=rid, scalable_dimension=SCALABLE_DIMENSION)
    return result


# --- wanted state -------------------------------------------------------------------------------------------------


def _by_name(items: list[dict[str, Any]], key: str, option: str, errors: list[str]) -> dict[str, dict[str, Any]]:
    result: dict[str, dict[str, Any]] = {}
    for item in items:
        if item[key] in result:
            errors.append(f"{option} names {item[key]!r} more than once")
        result[item[key]] = item
    return result


def wanted_scaling(params: dict[str, Any]) -> dict[str, Any]:
    """The auto scaling the task asks for, validated and normalised; raises ScalingInputError naming every problem."""
    errors: list[str] = []
    try:
        rid = validate_identity(params)
    except ScalingInputError as e:
        errors.append(str(e))
        rid = None
    for option in ("min_capacity", "max_capacity"):
        if params.get(option) is None:
            errors.append(f"{option} is required with state present")
    errors.extend(capacity_errors(params.get("min_capacity"), params.get("max_capacity")))

    policies = None
    if params.get("target_tracking_policies") is not None:
        valid = []
        for index, policy in enumerate(params["target_tracking_policies"]):
            wanted, policy_errors = wanted_policy(policy, index)
            errors.extend(policy_errors)
            if wanted is not None:
                valid.append(wanted)
        policies = _by_name(valid, "policy_name", "target_tracking_policies", errors)

    actions = None
    if params.get("scheduled_actions") is not None:
        valid = []
        for index, action in enumerate(params["scheduled_actions"]):
            wanted, action_errors = wanted_scheduled_action(action, index)
            errors.extend(action_errors)
            if wanted is not None:
                valid.append(wanted)
        actions = _by_name(valid, "scheduled_action_name", "scheduled_actions", errors)

    if errors:
        raise ScalingInputError("; ".join(errors))
    return {
        "resource_id": rid,
        "min_capacity": params["min_capacity"],
        "max_capacity": params["max_capacity"],
        "policies": policies,
        "purge_policies": params["purge_policies"],
        "scheduled_actions": actions,
        "purge_scheduled_actions": params["purge_scheduled_actions"],
    }


def _sorted_values(items: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    return [items[name] for name in sorted(items)]


# --- manager -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _NamedKind:
    """How one kind of named item of a scalable target (policies, scheduled actions) is compared and written."""

    field: str
    comparable: Callable[[dict[str, Any]], Any]
    recreate: Callable[[dict[str, Any], dict[str, Any]], bool]
    predicted: Callable[[str, dict[str, Any], dict[str, Any] | None], dict[str, Any]]
    delete: tuple[Any, str, str]
    put: tuple[Any, str, Callable[[dict[str, Any]], dict[str, Any]]]


_TARGET_KEY = {"ServiceNamespace": SERVICE_NAMESPACE, "ScalableDimension": SCALABLE_DIMENSION}


class ServiceScalingManager(BaseResourceManager):
    """Registers, updates and deregisters the auto scaling of one ECS service; the results are in
    ``scalable_target``, ``policies`` and ``scheduled_actions``."""

    def __init__(self, module) -> None:
        super().__init__(module)
        self.autoscaling = self.client("application-autoscaling")
        self.scalable_target: dict[str, Any] = {}
        self.policies: list[dict[str, Any]] = []
        self.scheduled_actions: list[dict[str, Any]] = []

    # --- reading ---

    def read_target(self, rid: str) -> dict[str, Any] | None:
        response = call(
            self.autoscaling.describe_scalable_targets,
            f"describe the scalable target {rid}",
            ResourceIds=[rid],
            **_TARGET_KEY,
        )
        for target in response.get("ScalableTargets", []):
            if target.get("ResourceId") == rid and target.get("ScalableDimension") == SCALABLE_DIMENSION:
                return normalize_target(target)
        return None

    def _read_own(self, method, what: str, items: str, rid: str) -> list[dict[str, Any]]:
        """Every item of a paged describe call that belongs to ``rid``'s scalable target, matched exactly: moto
        5.2.5 matches ResourceId as a substring (service/c/web finds web2)."""
        return [
            item
            for item in paginate(method, what, items, ResourceId=rid, **_TARGET_KEY)
            if item.get("ResourceId") == rid and item.get("ScalableDimension") == SCALABLE_DIMENSION
        ]

    def read_policies(self, rid: str) -> dict[str, dict[str, Any]]:
        policies = self._read_own(
            self.autoscaling.describe_scaling_policies,
            f"describe the scaling policies of {rid}",
            "ScalingPolicies",
            rid,
        )
        return {policy["PolicyName"]: normalize_policy(policy) for policy in policies}

    def read_scheduled_actions(self, rid: str) -> dict[str, dict[str, Any]]:
        actions = self._read_own(
            self.autoscaling.describe_scheduled_actions,
            f"describe the scheduled actions of {rid}",
            "ScheduledActions",
            rid,
        )
        return {action["ScheduledActionName"]: normalize_scheduled_action(action) for action in actions}

    def service_status(self, rid: str) -> str | None:
        """The status of the ECS service behind ``rid`` (``ACTIVE``, ``DRAINING``, ``INACTIVE``), None when missing."""
        _namespace, cluster, service = rid.split("/")
        response = call(
            self.client("ecs").describe_services,
            f"describe ECS service {service} of cluster {cluster}",
            answers={"ClusterNotFoundException": None},
            cluster=cluster,
            services=[service],
        )
        for description in (response or {}).get("services", []):
            if description.get("serviceName") == service:
                return description.get("status")
        return None

    def _read_all(self, rid: str) -> None:
        self.scalable_target = self.read_target(rid) or {}
        self.policies = _sorted_values(self.read_policies(rid))
        self.scheduled_actions = _sorted_values(self.read_scheduled_actions(rid))

    # --- present ---

    def ensure_present(self, wanted: dict[str, Any]) -> None:
        rid = wanted["resource_id"]
        target = self.read_target(rid)
        policies = self.read_policies(rid)
        actions = self.read_scheduled_actions(rid)
        # a new target needs the service: DescribeServices must show it ACTIVE
        service_active = self._require_service(rid) if target is None else False

        self._ensure_target(rid, target, wanted, service_active)
        result_policies = self._ensure_policies(rid, policies, wanted)
        result_actions = self._ensure_scheduled_actions(rid, actions, wanted)
        if self.changed and not self.check_mode:
            self._read_all(rid)
        else:
            self.policies = _sorted_values(result_policies)
            self.scheduled_actions = _sorted_values(result_actions)

    def _require_service(self, rid: str) -> bool:
        """A scalable target can only be registered for an existing service: fail before any change when it is
        missing; in check mode (the service may be created by an earlier task in check mode too) warn instead.
        Returns whether DescribeServices shows the service ACTIVE."""
        status = self.service_status(rid)
        if status == "ACTIVE":
            return True
        message = f"ECS service {rid.split('/')[2]} does not exist in cluster {rid.split('/')[1]}"
        if status is not None:
            message = f"ECS service {rid.split('/')[2]} of cluster {rid.split('/')[1]} is deleted ({status})"
        if self.check_mode:
            self.module.warn(f"{message}; the prediction assumes it will exist.")
            return False
        raise AWSActionError(f"{message}: create the service before its auto scaling.")

    def _ensure_target(
        self, rid: str, target: dict[str, Any] | None, wanted: dict[str, Any], service_active: bool = False
    ) -> None:
        """Register the target with the wanted capacities. With ``service_active`` (DescribeServices has just shown
        the service ACTIVE), Application Auto Scaling not seeing the service yet is retried."""
        before = {} if target is None else {k: target.get(k) for k in ("min_capacity", "max_capacity")}
        after = {"min_capacity": wanted["min_capacity"], "max_capacity": wanted["max_capacity"]}
        changed_fields = {k: v for k, v in after.items() if before.get(k) != v}
        self.scalable_target = predicted_target(rid, wanted["min_capacity"], wanted["max_capacity"], target)
        if not changed_fields:
            return
        self.act("scalable_target", {k: before[k] for k in changed_fields if k in before}, changed_fields, None)
        if self.check_mode:
            return
        call_through(
            self.autoscaling.register_scalable_target,
            f"register the scalable target {rid}",
            (SERVICE_LINKED_ROLE_NOT_YET_USABLE, SERVICE_NOT_YET_VISIBLE) if service_active else (SERVICE_LINKED_ROLE_NOT_YET_USABLE,),
            SERVICE_VISIBILITY_TIMEOUT,
            ResourceId=rid,
            MinCapacity=wanted["min_capacity"],
            MaxCapacity=wanted["max_capacity"],
            **_TARGET_KEY,
        )

    def _ensure_policies(
        self, rid: str, current: dict[str, dict[str, Any]], wanted: dict[str, Any]
    ) -> dict[str, dict[str, Any]]:
        return self._ensure_named(
            rid,
            current,
            wanted["policies"],
            wanted["purge_policies"],
            _NamedKind(
                field="policies",
                comparable=comparable_policy,
                # the type of a policy does not change in place
                recreate=lambda existing, _policy: existing.get("policy_type") != TARGET_TRACKING,
                predicted=predicted_policy,
                delete=(self.autoscaling.delete_scaling_policy, "PolicyName", "scaling policy"),
                put=(self.autoscaling.put_scaling_policy, "policy_name", policy_request),
            ),
        )

    def _ensure_scheduled_actions(
        self, rid: str, current: dict[str, dict[str, Any]], wanted: dict[str, Any]
    ) -> dict[str, dict[str, Any]]:
        return self._ensure_named(
            rid,
            current,
            wanted["scheduled_actions"],
            wanted["purge_scheduled_actions"],
            _NamedKind(
                field="scheduled_actions",
                comparable=comparable_scheduled_action,
                recreate=needs_recreate,
                predicted=predicted_scheduled_action,
                delete=(self.autoscaling.delete_scheduled_action, "ScheduledActionName", "scheduled action"),
                put=(self.autoscaling.put_scheduled_action, "scheduled_action_name", scheduled_action_request),
            ),
        )

    def _ensure_named(
        self,
        rid: str,
        current: dict[str, dict[str, Any]],
        wanted: dict[str, dict[str, Any]] | None,
        purge: bool,
        kind: "_NamedKind",
    ) -> dict[str, dict[str, Any]]:
        """Bring a target's named policies or scheduled actions to ``wanted``: the differences are recorded as one
        field; those that cannot change in place are deleted and put again."""
        result = deepcopy(current)
        if wanted is None:
            return result
        before: dict[str, Any] = {}
        after: dict[str, Any] = {}
        to_delete = []
        to_put = []
        if purge:
            for name in sorted(set(current) - set(wanted)):
                before[name] = kind.comparable(current[name])
                after[name] = None
                to_delete.append(name)
                del result[name]
        for name in sorted(wanted):
            item = wanted[name]
            existing = current.get(name)
            if existing is not None and kind.comparable(existing) == item:
                continue
            before[name] = None if existing is None else kind.comparable(existing)
            after[name] = deepcopy(item)
            if existing is not None and kind.recreate(existing, item):
                to_delete.append(name)
            to_put.append(item)
            result[name] = kind.predicted(rid, item, existing)
        if not before:
            return result
        self.act(kind.field, before, after, None)
        if self.check_mode:
            return result
        delete_method, name_key, noun = kind.delete
        for name in to_delete:
            call(
                delete_method,
                f"delete {noun} {name} of {rid}",
                answers={"ObjectNotFoundException": False},
                ResourceId=rid,
                **{name_key: name},
                **_TARGET_KEY,
            )
        put_method, item_name_key, request = kind.put
        for item in to_put:
            call(put_method, f"put {noun} {item[item_name_key]} of {rid}", ResourceId=rid, **_TARGET_KEY, **request(item))
        return result

    # --- absent ---

    def ensure_absent(self, rid: str) -> None:
        target = self.read_target(rid)
        if target is None:
            return
        before = {
            "scalable_target": target,
            "policies": _sorted_values(self.read_policies(rid)),
            "scheduled_actions": _sorted_values(self.read_scheduled_actions(rid)),
        }
        self.set_diff(before=before, after={})
        # deletes the target's scaling policies and scheduled actions with it
        self.change(
            self.autoscaling.deregister_scalable_target,
            f"deregister the scalable target {rid}",
            answers={"ObjectNotFoundException": False},
            ResourceId=rid,
            **_TARGET_KEY,
        )
