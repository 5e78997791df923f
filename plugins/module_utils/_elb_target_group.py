# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Manager behind cloudops.fargate.elb_target_group, and its pure helpers.

The helpers validate what the caller asked for and fill in the defaults (one table, per target type),
so that every bad input fails before the first AWS call; they read a target group from AWS into the
module's return shape, filling in what AWS leaves out with AWS's own defaults, so that both sides of
every comparison are in the same terms.

What AWS can change in place: the health check (ModifyTargetGroup), the attributes (deregistration
delay, stickiness, slow start, load balancing algorithm: ModifyTargetGroupAttributes) and the tags.
What it cannot (target type, VPC, protocol, port, protocol version) is a replacement: delete, then
create again under the same name. AWS refuses to delete a target group a listener or a rule forwards
to, so that is looked up first and reported with the listeners' and rules' ARNs.

AWS is eventually consistent there: for a while after DeleteLoadBalancer a target group still lists the deleted load
balancer in ``LoadBalancerArns``, and DeleteTargetGroup answers ``ResourceInUse`` "Target group '<arn>' is currently in
use by a listener or a rule". When every load balancer the target group lists is gone (DescribeLoadBalancers answers
``LoadBalancerNotFound``), the delete is retried on that answer for ``DELETE_TIMEOUT``; when one of them still exists,
the target group is really in use and the module refuses at once.
"""

from __future__ import annotations

import re
from copy import deepcopy
from typing import Any

from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.cloudops.fargate.plugins.module_utils._common import AWSActionError
from ansible_collections.cloudops.fargate.plugins.module_utils._common import BaseResourceManager
from ansible_collections.cloudops.fargate.plugins.module_utils._common import InputError
from ansible_collections.cloudops.fargate.plugins.module_utils._common import Transient
from ansible_collections.cloudops.fargate.plugins.module_utils._common import call
from ansible_collections.cloudops.fargate.plugins.module_utils._common import call_through
from ansible_collections.cloudops.fargate.plugins.module_utils._common import merged_tags
from ansible_collections.cloudops.fargate.plugins.module_utils._common import paginate
from ansible_collections.cloudops.fargate.plugins.module_utils._common import wanted_tags
from ansible_collections.cloudops.fargate.plugins.module_utils._common import without_aws_tags

# --- choices and defaults -------------------------------------------------------------------------------

TARGET_TYPES = ("ip", "instance", "lambda", "alb")
PROTOCOLS = ("HTTP", "HTTPS")
PROTOCOL_VERSIONS = ("HTTP1", "HTTP2", "GRPC")
HEALTH_CHECK_PROTOCOLS = ("HTTP", "HTTPS")
STICKINESS_TYPES = ("lb_cookie", "app_cookie")
LOAD_BALANCING_ALGORITHMS = ("round_robin", "least_outstanding_requests", "weighted_random")

# The module's defaults, in one place; the argument spec and DOCUMENTATION state the same values (a unit
# test holds them together). Options whose default depends on the target type have none in the spec.
DEFAULT_TARGET_TYPE = "ip"
DEFAULT_PORT = 80
DEFAULT_PROTOCOL = "HTTP"
DEFAULT_PROTOCOL_VERSION = "HTTP1"
DEFAULT_DEREGISTRATION_DELAY = 30
DEFAULT_SLOW_START_SECONDS = 0
DEFAULT_LOAD_BALANCING_ALGORITHM = "round_robin"
HEALTH_CHECK_DEFAULTS: dict[str, Any] = {
    "path": "/healthz",
    "interval_seconds": 15,
    "timeout_seconds": 5,
    "healthy_threshold": 3,
    "unhealthy_threshold": 3,
}
DEFAULT_HEALTH_CHECK_PORT = "traffic-port"
DEFAULT_HTTP_MATCHER = "200-399"
DEFAULT_GRPC_MATCHER = "12"
STICKINESS_DEFAULTS: dict[str, Any] = {"enabled": False, "type": "lb_cookie", "duration_seconds": 86400}

# An ALB-type target group (targets are an Application Load Balancer, behind a Network Load Balancer)
# always uses TCP; a Lambda target group has no protocol, port or VPC.
ALB_TARGET_PROTOCOL = "TCP"

# What each target type has: a network endpoint (VPC, port, protocol, health check protocol and port), a
# protocol version, which attributes, and whether the health check is managed when not given.
_TARGET_TYPE_RULES: dict[str, dict[str, Any]] = {
    "ip": {
        "network": True,
        "protocol_version": True,
        "attributes": ("deregistration_delay", "stickiness", "slow_start_seconds", "load_balancing_algorithm"),
        "health_check_by_default": True,
    },
    "instance": {
        "network": True,
        "protocol_version": True,
        "attributes": ("deregistration_delay", "stickiness", "slow_start_seconds", "load_balancing_algorithm"),
        "health_check_by_default": True,
    },
    "alb": {
        "network": True,
        "protocol_version": False,
        "attributes": ("deregistration_delay",),
        "health_check_by_default": True,
    },
    "lambda": {
        "network": False,
        "protocol_version": False,
        "attributes": (),
        "health_check_by_default": False,
    },
}

ATTRIBUTE_OPTIONS = ("deregistration_delay", "stickiness", "slow_start_seconds", "load_balancing_algorithm")

# Fields AWS cannot change after the target group is created.
IMMUTABLE_FIELDS = ("target_type", "vpc_id", "protocol", "port", "protocol_version")

# What AWS holds for an attribute nobody has set (DescribeTargetGroupAttributes may leave some out).
AWS_ATTRIBUTE_DEFAULTS = {
    "deregistration_delay.timeout_seconds": "300",
    "stickiness.enabled": "false",
    "stickiness.type": "lb_cookie",
    "stickiness.lb_cookie.duration_seconds": "86400",
    "stickiness.app_cookie.duration_seconds": "86400",
    "stickiness.app_cookie.cookie_name": "",
    "slow_start.duration_seconds": "0",
    "load_balancing.algorithm.type": "round_robin",
}

# The health check AWS gives a Lambda target group: disabled, with these settings.
LAMBDA_AWS_HEALTH_CHECK = {
    "enabled": False,
    "path": "/",
    "protocol": None,
    "port": None,
    "interval_seconds": 35,
    "timeout_seconds": 30,
    "healthy_threshold": 5,
    "unhealthy_threshold": 2,
    "matcher": "200",
}

_HEALTH_CHECK_API_NAMES = {
    "enabled": "HealthCheckEnabled",
    "path": "HealthCheckPath",
    "protocol": "HealthCheckProtocol",
    "port": "HealthCheckPort",
    "interval_seconds": "HealthCheckIntervalSeconds",
    "timeout_seconds": "HealthCheckTimeoutSeconds",
    "healthy_threshold": "HealthyThresholdCount",
    "unhealthy_threshold": "UnhealthyThresholdCount",
}
HEALTH_CHECK_FIELDS = tuple(_HEALTH_CHECK_API_NAMES) + ("matcher",)
STICKINESS_FIELDS = ("enabled", "type", "duration_seconds", "cookie_name")

# --- limits ------------------------------------------------------------------------------------------------

NAME_MAX_LENGTH = 32
_NAME_RE = re.compile(r"^[A-Za-z0-9-]+$")
_VPC_ID_RE = re.compile(r"^vpc-[0-9a-f]+$")
PORT_RANGE = (1, 65535)
HEALTH_CHECK_PATH_MAX_LENGTH = 1024
INTERVAL_RANGE = (5, 300)
TIMEOUT_RANGE = (2, 120)
THRESHOLD_RANGE = (2, 10)
HTTP_CODE_RANGE = (200, 499)
GRPC_CODE_RANGE = (0, 99)
DEREGISTRATION_DELAY_RANGE = (0, 3600)
STICKINESS_DURATION_RANGE = (1, 604800)
SLOW_START_RANGE = (30, 900)
# RFC 6265 cookie-name (an RFC 7230 token); AWSALB, AWSALBAPP and AWSALBTG are reserved by the load balancer.
_COOKIE_NAME_RE = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
_RESERVED_COOKIE_PREFIX = "AWSALB"


class TargetGroupInputError(InputError):
    """The caller's arguments cannot describe a valid target group; the message names the option."""


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _range_error(option: str, value: Any, bounds: tuple[int, int]) -> str | None:
    low, high = bounds
    if not _is_int(value) or not low <= value <= high:
        return f"{option} must be an integer from {low} to {high}, not {value!r}"
    return None


# --- names -------------------------------------------------------------------------------------------------


def name_errors(name: Any, option: str = "name") -> list[str]:
    """Why ``name`` is not a valid target group name; an empty list when it is."""
    if not isinstance(name, str):
        return [f"{option} must be a string"]
    errors = []
    if not 1 <= len(name) <= NAME_MAX_LENGTH:
        errors.append(f"{option} must be 1 to {NAME_MAX_LENGTH} characters long, {name!r} has {len(name)}")
    if name and not _NAME_RE.match(name):
        errors.append(f"{option} {name!r} may contain only letters, digits and hyphens")
    if name.startswith("-") or name.endswith("-"):
        errors.append(f"{option} {name!r} must not begin or end with a hyphen")
    if name.lower().startswith("internal-"):
        errors.append(f"{option} {name!r} must not begin with 'internal-'")
    return errors


def validate_name(name: Any, option: str = "name") -> None:
    errors = name_errors(name, option)
    if errors:
        raise TargetGroupInputError("; ".join(errors))


# --- health check ------------------------------------------------------------------------------------------


def matcher_errors(matcher: Any, grpc: bool, option: str = "health_check.matcher") -> list[str]:
    """Why ``matcher`` is not a valid success-code list (``200``, ``200,202`` or ``200-299``): HTTP codes 200
    to 499, gRPC codes 0 to 99."""
    low, high = GRPC_CODE_RANGE if grpc else HTTP_CODE_RANGE
    kind = "gRPC" if grpc else "HTTP"
    a_kind = "a gRPC" if grpc else "an HTTP"
    if not isinstance(matcher, str) or not matcher.strip():
        return [f"{option} must be a non-empty string of {kind} codes"]
    errors = []
    for item in matcher.split(","):
        item = item.strip()
        match = re.fullmatch(r"(\d+)(?:-(\d+))?", item)
        if not match:
            errors.append(
                f"{option} {matcher!r}: {item!r} is neither {a_kind} code nor a range of them"
                f" (like {low} or {low}-{high})"
            )
            continue
        first = int(match.group(1))
        last = int(match.group(2)) if match.group(2) is not None else first
        if not (low <= first <= high and low <= last <= high):
            errors.append(f"{option} {matcher!r}: {kind} codes must be from {low} to {high}")
        elif last < first:
            errors.append(f"{option} {matcher!r}: the range {item!r} ends before it starts")
    return errors


def canonical_matcher(matcher: str | None) -> tuple[str, ...] | None:
    """A success-code list for comparison: items without blanks, sorted, duplicates dropped."""
    if matcher is None:
        return None
    return tuple(sorted({item.strip() for item in str(matcher).split(",") if item.strip()}))


def canonical_health_check_port(port: Any) -> str | None:
    """Ports as AWS returns them: strings, ``traffic-port`` as is."""
    if port is None:
        return None
    return str(port).strip()


def health_check_port_errors(port: Any, option: str = "health_check.port") -> list[str]:
    if port == DEFAULT_HEALTH_CHECK_PORT:
        return []
    text = str(port).strip()
    if text.isdigit() and PORT_RANGE[0] <= int(text) <= PORT_RANGE[1]:
        return []
    return [
        f"{option} must be {DEFAULT_HEALTH_CHECK_PORT} or a port from {PORT_RANGE[0]} to {PORT_RANGE[1]}, not {port!r}"
    ]


def _wanted_health_check(
    given: dict[str, Any] | None, target_type: str, protocol: str | None, protocol_version: str | None
) -> tuple[dict[str, Any] | None, list[str]]:
    """The health check asked for, defaults filled in; ``None`` when it is left alone."""
    rules = _TARGET_TYPE_RULES[target_type]
    if given is None and not rules["health_check_by_default"]:
        return None, []
    given = dict(given or {})
    errors = []
    wanted: dict[str, Any] = {"enabled": True}
    for field, default in HEALTH_CHECK_DEFAULTS.items():
        value = given.get(field)
        wanted[field] = default if value is None else value

    path = wanted["path"]
    if not isinstance(path, str) or not path.startswith("/"):
        errors.append(f"health_check.path must start with '/', not {path!r}")
    elif len(path) > HEALTH_CHECK_PATH_MAX_LENGTH:
        errors.append(f"health_check.path must be at most {HEALTH_CHECK_PATH_MAX_LENGTH} characters long")
    for field, bounds in (
        ("interval_seconds", INTERVAL_RANGE),
        ("timeout_seconds", TIMEOUT_RANGE),
        ("healthy_threshold", THRESHOLD_RANGE),
        ("unhealthy_threshold", THRESHOLD_RANGE),
    ):
        error = _range_error(f"health_check.{field}", wanted[field], bounds)
        if error:
            errors.append(error)
    interval, timeout = wanted["interval_seconds"], wanted["timeout_seconds"]
    if _is_int(interval) and _is_int(timeout) and timeout >= interval:
        errors.append(
            f"health_check.timeout_seconds ({timeout}) must be less than health_check.interval_seconds ({interval})"
        )

    if rules["network"]:
        hc_protocol = given.get("protocol")
        if hc_protocol is None:
            hc_protocol = protocol if protocol in HEALTH_CHECK_PROTOCOLS else DEFAULT_PROTOCOL
        if hc_protocol not in HEALTH_CHECK_PROTOCOLS:
            errors.append(
                f"health_check.protocol must be one of {', '.join(HEALTH_CHECK_PROTOCOLS)}, not {hc_protocol!r}"
            )
        wanted["protocol"] = hc_protocol
        port = given.get("port")
        port = DEFAULT_HEALTH_CHECK_PORT if port is None else port
        errors.extend(health_check_port_errors(port))
        wanted["port"] = canonical_health_check_port(port)
    else:
        for field in ("protocol", "port"):
            if given.get(field) is not None:
                errors.append(f"health_check.{field} is not allowed with target_type {target_type}")

    grpc = protocol_version == "GRPC"
    matcher = given.get("matcher")
    if matcher is None:
        matcher = DEFAULT_GRPC_MATCHER if grpc else DEFAULT_HTTP_MATCHER
    matcher = str(matcher) if _is_int(matcher) else matcher
    errors.extend(matcher_errors(matcher, grpc))
    wanted["matcher"] = ",".join(item.strip() for item in matcher.split(",")) if isinstance(matcher, str) else matcher
    return wanted, errors


# --- attributes --------------------------------------------------------------------------------------------


def _wanted_stickiness(given: dict[str, Any] | None) -> tuple[dict[str, Any], list[str]]:
    """Stickiness asked for; when disabled only ``enabled`` is managed, the rest is left as it is."""
    given = dict(given or {})
    enabled = given.get("enabled")
    enabled = STICKINESS_DEFAULTS["enabled"] if enabled is None else enabled
    if not enabled:
        return {"enabled": False}, []
    errors = []
    sticky_type = given.get("type") or STICKINESS_DEFAULTS["type"]
    duration = given.get("duration_seconds")
    duration = STICKINESS_DEFAULTS["duration_seconds"] if duration is None else duration
    cookie_name = given.get("cookie_name")
    if sticky_type not in STICKINESS_TYPES:
        errors.append(f"stickiness.type must be one of {', '.join(STICKINESS_TYPES)}, not {sticky_type!r}")
    error = _range_error("stickiness.duration_seconds", duration, STICKINESS_DURATION_RANGE)
    if error:
        errors.append(error)
    if sticky_type == "app_cookie":
        if not cookie_name:
            errors.append("stickiness.cookie_name is required when stickiness.type is app_cookie")
        elif not _COOKIE_NAME_RE.match(cookie_name):
            errors.append(f"stickiness.cookie_name {cookie_name!r} is not a valid cookie name")
        elif cookie_name.upper().startswith(_RESERVED_COOKIE_PREFIX):
            errors.append(
                f"stickiness.cookie_name {cookie_name!r} must not begin with {_RESERVED_COOKIE_PREFIX}:"
                " the load balancer reserves AWSALB, AWSALBAPP and AWSALBTG"
            )
    elif cookie_name:
        errors.append("stickiness.cookie_name is only valid when stickiness.type is app_cookie")
        cookie_name = None
    return {
        "enabled": True,
        "type": sticky_type,
        "duration_seconds": duration,
        "cookie_name": cookie_name if sticky_type == "app_cookie" else None,
    }, errors


def _wanted_attributes(params: dict[str, Any], target_type: str) -> tuple[dict[str, Any], list[str]]:
    supported = _TARGET_TYPE_RULES[target_type]["attributes"]
    errors = []
    wanted: dict[str, Any] = {}
    for option in ATTRIBUTE_OPTIONS:
        if option not in supported:
            if params.get(option) is not None:
                errors.append(f"{option} is not supported for target_type {target_type}")
            wanted[option] = None

    if "deregistration_delay" in supported:
        value = params.get("deregistration_delay")
        value = DEFAULT_DEREGISTRATION_DELAY if value is None else value
        error = _range_error("deregistration_delay", value, DEREGISTRATION_DELAY_RANGE)
        if error:
            errors.append(error)
        wanted["deregistration_delay"] = value
    if "slow_start_seconds" in supported:
        value = params.get("slow_start_seconds")
        value = DEFAULT_SLOW_START_SECONDS if value is None else value
        if not (_is_int(value) and (value == 0 or SLOW_START_RANGE[0] <= value <= SLOW_START_RANGE[1])):
            errors.append(
                f"slow_start_seconds must be 0 (off) or from {SLOW_START_RANGE[0]} to {SLOW_START_RANGE[1]},"
                f" not {value!r}"
            )
        wanted["slow_start_seconds"] = value
    if "load_balancing_algorithm" in supported:
        value = params.get("load_balancing_algorithm") or DEFAULT_LOAD_BALANCING_ALGORITHM
        if value not in LOAD_BALANCING_ALGORITHMS:
            errors.append(
                f"load_balancing_algorithm must be one of {', '.join(LOAD_BALANCING_ALGORITHMS)}, not {value!r}"
            )
        wanted["load_balancing_algorithm"] = value
    if "stickiness" in supported:
        wanted["stickiness"], stickiness_errors = _wanted_stickiness(params.get("stickiness"))
        errors.extend(stickiness_errors)

    if wanted.get("load_balancing_algorithm") == "weighted_random":
        if wanted.get("slow_start_seconds"):
            errors.append(
                "slow_start_seconds must be 0 with load_balancing_algorithm weighted_random (AWS refuses both)"
            )
        if (wanted.get("stickiness") or {}).get("enabled"):
            errors.append(
                "stickiness cannot be enabled with load_balancing_algorithm weighted_random (AWS refuses both)"
            )
    return wanted, errors


# --- the module's arguments ----------------------------------------------------------------------------------


def _wanted_network(params: dict[str, Any], target_type: str) -> tuple[dict[str, Any], list[str]]:
    """VPC, port and protocol asked for, defaults filled in; all ``None`` for a target type without them."""
    if not _TARGET_TYPE_RULES[target_type]["network"]:
        errors = [
            f"{option} is not allowed with target_type {target_type}"
            for option in ("vpc_id", "port", "protocol")
            if params.get(option) is not None
        ]
        return {"vpc_id": None, "port": None, "protocol": None}, errors
    errors = []
    vpc_id = params.get("vpc_id")
    if not vpc_id:
        errors.append(f"vpc_id is required with state present and target_type {target_type}")
    elif not _VPC_ID_RE.match(vpc_id):
        errors.append(f"vpc_id {vpc_id!r} is not a VPC ID (vpc- and hexadecimal digits)")
    port = params.get("port")
    port = DEFAULT_PORT if port is None else port
    error = _range_error("port", port, PORT_RANGE)
    if error:
        errors.append(error)
    protocol = params.get("protocol")
    if target_type == "alb":
        if protocol is not None:
            errors.append(f"protocol is not allowed with target_type alb: it is always {ALB_TARGET_PROTOCOL}")
        protocol = ALB_TARGET_PROTOCOL
    else:
        protocol = protocol or DEFAULT_PROTOCOL
        if protocol not in PROTOCOLS:
            errors.append(f"protocol must be one of {', '.join(PROTOCOLS)}, not {protocol!r}")
    return {"vpc_id": vpc_id, "port": port, "protocol": protocol}, errors


def _wanted_protocol_version(given: str | None, target_type: str) -> tuple[str | None, list[str]]:
    if not _TARGET_TYPE_RULES[target_type]["protocol_version"]:
        return None, [] if given is None else [f"protocol_version is not allowed with target_type {target_type}"]
    protocol_version = given or DEFAULT_PROTOCOL_VERSION
    if protocol_version not in PROTOCOL_VERSIONS:
        return protocol_version, [
            f"protocol_version must be one of {', '.join(PROTOCOL_VERSIONS)}, not {protocol_version!r}"
        ]
    return protocol_version, []


def wanted_settings(params: dict[str, Any]) -> dict[str, Any]:
    """The target group the caller asked for, validated, defaults filled in; raises TargetGroupInputError
    naming every bad option. ``None`` for a field means it does not apply or is left alone."""
    errors = name_errors(params.get("name"))
    target_type = params.get("target_type") or DEFAULT_TARGET_TYPE
    if target_type not in TARGET_TYPES:
        raise TargetGroupInputError(f"target_type must be one of {', '.join(TARGET_TYPES)}, not {target_type!r}")
    wanted: dict[str, Any] = {
        "name": params.get("name"),
        "target_type": target_type,
        "tags": wanted_tags(params.get("tags")),
        "purge_tags": params.get("purge_tags", True),
        "replace_on_change": params.get("replace_on_change", True),
    }
    network, network_errors = _wanted_network(params, target_type)
    wanted.update(network)
    errors.extend(network_errors)
    wanted["protocol_version"], version_errors = _wanted_protocol_version(params.get("protocol_version"), target_type)
    errors.extend(version_errors)
    wanted["health_check"], health_check_errors = _wanted_health_check(
        params.get("health_check"), target_type, wanted["protocol"], wanted["protocol_version"]
    )
    errors.extend(health_check_errors)
    attributes, attribute_errors = _wanted_attributes(params, target_type)
    wanted.update(attributes)
    errors.extend(attribute_errors)

    # the aws: rule in this module's own wording, one error per key
    for key in wanted["tags"] or {}:
        if key.lower().startswith("aws:"):
            errors.append(f"tags: the key {key!r} is reserved by AWS (aws: prefix)")

    if errors:
        raise TargetGroupInputError("; ".join(errors))
    return wanted


# --- the resource as returned ------------------------------------------------------------------------------


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def normalize_health_check(description: dict[str, Any]) -> dict[str, Any]:
    """The health check of a DescribeTargetGroups entry in the module's terms."""
    matcher = description.get("Matcher") or {}
    return {
        "enabled": bool(description.get("HealthCheckEnabled", True)),
        "path": description.get("HealthCheckPath"),
        "protocol": description.get("HealthCheckProtocol"),
        "port": canonical_health_check_port(description.get("HealthCheckPort")),
        "interval_seconds": _int_or_none(description.get("HealthCheckIntervalSeconds")),
        "timeout_seconds": _int_or_none(description.get("HealthCheckTimeoutSeconds")),
        "healthy_threshold": _int_or_none(description.get("HealthyThresholdCount")),
        "unhealthy_threshold": _int_or_none(description.get("UnhealthyThresholdCount")),
        "matcher": matcher.get("GrpcCode") if matcher.get("GrpcCode") is not None else matcher.get("HttpCode"),
    }


def attributes_dict(attributes: list[dict[str, str]] | dict[str, str] | None) -> dict[str, str]:
    """DescribeTargetGroupAttributes' list as a dict."""
    if isinstance(attributes, dict):
        return dict(attributes)
    return {item["Key"]: item.get("Value", "") for item in attributes or []}


def normalize_stickiness(raw: dict[str, str]) -> dict[str, Any]:
    """Stickiness attributes in the module's terms; the duration and cookie are those of the type in use."""
    values = dict(AWS_ATTRIBUTE_DEFAULTS, **{k: v for k, v in raw.items() if v is not None})
    sticky_type = values["stickiness.type"]
    if sticky_type == "app_cookie":
        duration = values["stickiness.app_cookie.duration_seconds"]
        cookie_name = values["stickiness.app_cookie.cookie_name"] or None
    else:
        duration = values["stickiness.lb_cookie.duration_seconds"]
        cookie_name = None
    return {
        "enabled": str(values["stickiness.enabled"]).lower() == "true",
        "type": sticky_type,
        "duration_seconds": _int_or_none(duration),
        "cookie_name": cookie_name,
    }


def normalize_attributes(raw: dict[str, str], target_type: str) -> dict[str, Any]:
    """The attributes the module manages, AWS's defaults filled in; ``None`` where the target type has none."""
    supported = _TARGET_TYPE_RULES.get(target_type, _TARGET_TYPE_RULES["ip"])["attributes"]
    values = dict(AWS_ATTRIBUTE_DEFAULTS, **raw)
    result: dict[str, Any] = dict.fromkeys(ATTRIBUTE_OPTIONS)
    if "deregistration_delay" in supported:
        result["deregistration_delay"] = _int_or_none(values["deregistration_delay.timeout_seconds"])
    if "stickiness" in supported:
        result["stickiness"] = normalize_stickiness(raw)
    if "slow_start_seconds" in supported:
        result["slow_start_seconds"] = _int_or_none(values["slow_start.duration_seconds"])
    if "load_balancing_algorithm" in supported:
        result["load_balancing_algorithm"] = values["load_balancing.algorithm.type"]
    return result


def normalize_target_group(
    description: dict[str, Any], attributes: dict[str, str] | None = None, tags: dict[str, str] | None = None
) -> dict[str, Any]:
    """A DescribeTargetGroups entry with its attributes and tags, in the module's return shape."""
    target_type = description.get("TargetType") or "instance"
    result = {
        "target_group_arn": description.get("TargetGroupArn"),
        "target_group_name": description.get("TargetGroupName"),
        "target_type": target_type,
        "vpc_id": description.get("VpcId"),
        "protocol": description.get("Protocol"),
        "port": _int_or_none(description.get("Port")),
        "protocol_version": description.get("ProtocolVersion"),
        "health_check": normalize_health_check(description),
    }
    result.update(normalize_attributes(attributes_dict(attributes), target_type))
    result["load_balancer_arns"] = list(description.get("LoadBalancerArns") or [])
    result["tags"] = dict(tags or {})
    return result


def predicted_target_group(wanted: dict[str, Any], tags: dict[str, str] | None = None) -> dict[str, Any]:
    """The target group a create would make, for check mode and the diff: no ARN yet, no load balancers."""
    health_check = deepcopy(wanted["health_check"])
    if health_check is None:
        health_check = dict(LAMBDA_AWS_HEALTH_CHECK)
    else:
        health_check = {field: health_check.get(field) for field in HEALTH_CHECK_FIELDS}
    result = {
        "target_group_name": wanted["name"],
        "target_type": wanted["target_type"],
        "vpc_id": wanted["vpc_id"],
        "protocol": wanted["protocol"],
        "port": wanted["port"],
        "protocol_version": wanted["protocol_version"],
        "health_check": health_check,
    }
    for option in ATTRIBUTE_OPTIONS:
        value = deepcopy(wanted[option])
        if option == "stickiness" and value is not None and not value["enabled"]:
            # disabled: type, duration and cookie stay as AWS creates them
            value = normalize_stickiness({})
        result[option] = value
    result["load_balancer_arns"] = []
    result["tags"] = merged_tags({}, wanted["tags"], wanted["purge_tags"]) if tags is None else dict(tags)
    return result


# --- comparison --------------------------------------------------------------------------------------------


def immutable_differences(current: dict[str, Any], wanted: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """The fields that differ and cannot change in place, as {field: (current, wanted)}, in IMMUTABLE_FIELDS
    order. A field the wanted target group has no value for (it does not apply) is not compared."""
    differences = {}
    for field in IMMUTABLE_FIELDS:
        value = wanted.get(field)
        if field == "protocol_version" and value is None:
            continue
        if current.get(field) != value:
            differences[field] = (current.get(field), value)
    return differences


def _health_check_values_equal(field: str, current: Any, wanted: Any) -> bool:
    if field == "matcher":
        return canonical_matcher(current) == canonical_matcher(wanted)
    if field == "port":
        return canonical_health_check_port(current) == canonical_health_check_port(wanted)
    return current == wanted


def health_check_changes(
    current: dict[str, Any], wanted: dict[str, Any] | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The health check fields that change, as (before, after) dicts of only those fields."""
    if wanted is None:
        return {}, {}
    before, after = {}, {}
    for field in HEALTH_CHECK_FIELDS:
        if field not in wanted:
            continue
        if not _health_check_values_equal(field, current.get(field), wanted[field]):
            before[field] = current.get(field)
            after[field] = wanted[field]
    return before, after


def desired_stickiness(current: dict[str, Any] | None, wanted: dict[str, Any] | None) -> dict[str, Any] | None:
    """The stickiness the target group should end up with: when disabling, the rest stays as it is."""
    if wanted is None:
        return deepcopy(current)
    if not wanted["enabled"]:
        return dict(current or normalize_stickiness({}), enabled=False)
    return {field: wanted.get(field) for field in STICKINESS_FIELDS}


def attribute_changes(current: dict[str, Any], wanted: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """The attribute options that change, as {option: (before, after)}; stickiness as the changed fields."""
    changes: dict[str, tuple[Any, Any]] = {}
    for option in ATTRIBUTE_OPTIONS:
        value = wanted.get(option)
        if value is None:
            continue
        if option == "stickiness":
            after = desired_stickiness(current.get("stickiness"), value)
            before = current.get("stickiness") or {}
            changed = [field for field in STICKINESS_FIELDS if before.get(field) != after.get(field)]
            if changed:
                changes[option] = ({f: before.get(f) for f in changed}, {f: after[f] for f in changed})
        elif current.get(option) != value:
            changes[option] = (current.get(option), value)
    return changes


def attributes_request(
    changes: dict[str, tuple[Any, Any]], stickiness_after: dict[str, Any] | None
) -> list[dict[str, str]]:
    """The ModifyTargetGroupAttributes list for ``changes``; stickiness is sent whole when any part changes.

    weighted_random excludes stickiness and slow start: a switch to it comes after they are turned off in the
    same list, a switch away from it before they are turned on, should AWS ever apply the list in order.
    """
    request: list[tuple[str, Any]] = []
    algorithm = changes.get("load_balancing_algorithm")
    algorithm_first = bool(algorithm) and algorithm[1] != "weighted_random"
    if algorithm and algorithm_first:
        request.append(("load_balancing.algorithm.type", algorithm[1]))
    if "deregistration_delay" in changes:
        request.append(("deregistration_delay.timeout_seconds", changes["deregistration_delay"][1]))
    if "slow_start_seconds" in changes:
        request.append(("slow_start.duration_seconds", changes["slow_start_seconds"][1]))
    if "stickiness" in changes and stickiness_after is not None:
        request.append(("stickiness.enabled", "true" if stickiness_after["enabled"] else "false"))
        if stickiness_after["enabled"]:
            sticky_type = stickiness_after["type"]
            request.append(("stickiness.type", sticky_type))
            request.append((f"stickiness.{sticky_type}.duration_seconds", stickiness_after["duration_seconds"]))
            if sticky_type == "app_cookie":
                request.append(("stickiness.app_cookie.cookie_name", stickiness_after["cookie_name"]))
    if algorithm and not algorithm_first:
        request.append(("load_balancing.algorithm.type", algorithm[1]))
    return [{"Key": key, "Value": str(value)} for key, value in request]


def health_check_request(after: dict[str, Any], protocol_version: str | None) -> dict[str, Any]:
    """CreateTargetGroup / ModifyTargetGroup parameters for the health check fields in ``after``."""
    request: dict[str, Any] = {}
    for field, api_name in _HEALTH_CHECK_API_NAMES.items():
        if field in after and after[field] is not None:
            request[api_name] = after[field]
    if after.get("matcher") is not None:
        key = "GrpcCode" if protocol_version == "GRPC" else "HttpCode"
        request["Matcher"] = {key: after["matcher"]}
    return request


def actions_forward_to(actions: list[dict[str, Any]] | None, target_group_arn: str) -> bool:
    """Whether any of a listener's or rule's actions forwards to the target group."""
    for action in actions or []:
        if action.get("TargetGroupArn") == target_group_arn:
            return True
        for group in (action.get("ForwardConfig") or {}).get("TargetGroups") or []:
            if group.get("TargetGroupArn") == target_group_arn:
                return True
    return False


def _named(kind: str, arns: list[str]) -> str:
    return f"{kind}{'s' if len(arns) > 1 else ''} {', '.join(arns)}"


def in_use_message(name: str, users: dict[str, list[str]], doing: str, reason: str | None = None) -> str:
    """Why the target group cannot be deleted, naming the listeners and rules that forward to it."""
    parts = []
    if users.get("listener_arns"):
        parts.append(_named("listener", users["listener_arns"]))
    if users.get("rule_arns"):
        parts.append(_named("rule", users["rule_arns"]))
    if not parts:
        parts.append(_named("load balancer", users.get("load_balancer_arns") or []))
    why = f" ({reason})" if reason else ""
    return (
        f"Cannot {doing} target group {name}{why}: it is in use by {' and '.join(parts)}, and AWS refuses to"
        " delete a target group a listener or rule forwards to. Remove it from the listener (and rules) first,"
        " then run this task again."
    )


def tags_of(response: dict[str, Any], arn: str) -> dict[str, str]:
    """The tags of ``arn`` in a DescribeTags response."""
    for description in response.get("TagDescriptions", []):
        if description.get("ResourceArn") == arn:
            return boto3_tag_list_to_ansible_dict(description.get("Tags", []))
    return {}


# --- manager -----------------------------------------------------------------------------------------------

_NOT_FOUND = "TargetGroupNotFound"
_LOAD_BALANCER_NOT_FOUND = "LoadBalancerNotFound"
# How long DeleteTargetGroup is retried while AWS still counts a deleted load balancer as a user of the target group:
# terraform-provider-aws internal/service/elbv2 target_group.go retries this answer for targetGroupDeleteTimeout,
# 2 minutes. The message is AWS's (hashicorp/terraform-provider-aws#16889); the same code with another message (or
# with a load balancer that still exists) is no transient.
DELETE_TIMEOUT = 120
RELEASING = Transient("ResourceInUse", "is currently in use by a listener or a rule")
# Listener protocols that have rules (Network and Gateway Load Balancer listeners have none).
_PROTOCOLS_WITH_RULES = ("HTTP", "HTTPS")


class TargetGroupManager(BaseResourceManager):
    """Creates, updates, replaces and deletes one target group; ``target_group`` holds the result."""

    def __init__(self, module) -> None:
        super().__init__(module)
        self.elbv2 = self.client("elbv2")
        self.target_group: dict[str, Any] = {}
        self.replaced = False
        self._replacement_fields: list[str] = []

    def diff(self) -> dict[str, Any]:
        result = super().diff()
        if self._replacement_fields:
            name = (result.get("before") or {}).get("target_group_name", "")
            fields = ", ".join(self._replacement_fields)
            result = dict(
                result,
                before_header=f"target group {name} (deleted: {fields} cannot change in place)",
                after_header=f"target group {name} (created again)",
            )
        return result

    # --- reading ---

    def describe(self, name: str) -> dict[str, Any] | None:
        """The DescribeTargetGroups entry of ``name``; ``None`` when there is none."""
        response = call(
            self.elbv2.describe_target_groups, f"describe target group {name}", answers={_NOT_FOUND: None}, Names=[name]
        )
        found = response["TargetGroups"] if response else []
        return found[0] if found else None

    def attributes(self, arn: str) -> dict[str, str]:
        response = call(
            self.elbv2.describe_target_group_attributes,
            f"describe the attributes of target group {arn}",
            TargetGroupArn=arn,
        )
        return attributes_dict(response.get("Attributes"))

    def tags(self, arn: str) -> dict[str, str]:
        response = call(self.elbv2.describe_tags, f"describe the tags of target group {arn}", ResourceArns=[arn])
        return tags_of(response, arn)

    def read(self, name: str) -> dict[str, Any] | None:
        description = self.describe(name)
        if description is None:
            return None
        arn = description["TargetGroupArn"]
        return normalize_target_group(description, self.attributes(arn), self.tags(arn))

    def _listeners(self, load_balancer_arn: str) -> list[dict[str, Any]]:
        return paginate(
            self.elbv2.describe_listeners,
            f"describe the listeners of {load_balancer_arn}",
            "Listeners",
            token="Marker",
            answers={"LoadBalancerNotFound": []},
            LoadBalancerArn=load_balancer_arn,
        )

    def _rules(self, listener_arn: str) -> list[dict[str, Any]]:
        return paginate(
            self.elbv2.describe_rules,
            f"describe the rules of {listener_arn}",
            "Rules",
            token="Marker",
            answers={"ListenerNotFound": []},
            ListenerArn=listener_arn,
        )

    def users(self, current: dict[str, Any]) -> dict[str, list[str]]:
        """The load balancers, listeners and (non-default) rules that forward to the target group."""
        arn = current["target_group_arn"]
        listener_arns: list[str] = []
        rule_arns: list[str] = []
        for load_balancer_arn in current["load_balancer_arns"]:
            for listener in self._listeners(load_balancer_arn):
                if actions_forward_to(listener.get("DefaultActions"), arn):
                    listener_arns.append(listener["ListenerArn"])
                if listener.get("Protocol") not in _PROTOCOLS_WITH_RULES:
                    continue
                for rule in self._rules(listener["ListenerArn"]):
                    if not rule.get("IsDefault") and actions_forward_to(rule.get("Actions"), arn):
                        rule_arns.append(rule["RuleArn"])
        return {
            "load_balancer_arns": list(current["load_balancer_arns"]),
            "listener_arns": listener_arns,
            "rule_arns": rule_arns,
        }

    def _load_balancer_gone(self, load_balancer_arn: str) -> bool:
        """Whether DescribeLoadBalancers no longer knows the load balancer (deleted, or being deleted)."""
        response = call(
            self.elbv2.describe_load_balancers,
            f"describe load balancer {load_balancer_arn}",
            answers={_LOAD_BALANCER_NOT_FOUND: None},
            LoadBalancerArns=[load_balancer_arn],
        )
        return not (response or {}).get("LoadBalancers")

    def _refuse_if_in_use(self, current: dict[str, Any], doing: str, reason: str | None = None) -> list[str]:
        """Fail, naming the users, when a listener or rule of a load balancer the target group lists still forwards
        to it. Returns the load balancers it still lists without forwarding to it (AWS lets go of them a little after
        DeleteLoadBalancer, DeleteListener or a change of the forwarding): the delete waits for them."""
        listed = current["load_balancer_arns"]
        if not listed:
            return []
        gone = [arn for arn in listed if self._load_balancer_gone(arn)]
        if len(gone) == len(listed):
            return gone
        users = self.users(current)
        if not users["listener_arns"] and not users["rule_arns"]:
            return list(listed)
        message = in_use_message(current["target_group_name"], users, doing, reason)
        raise AWSActionError(message, target_group=current, **users)

    # --- present ---

    def ensure_present(self, wanted: dict[str, Any]) -> None:
        current = self.read(wanted["name"])
        if current is None:
            self._create(wanted, before={})
            return
        immutable = immutable_differences(current, wanted)
        if immutable:
            self._replace(current, wanted, immutable)
            return
        self.target_group = deepcopy(current)
        self._update_health_check(current, wanted)
        self._update_attributes(current, wanted)
        self._update_tags(current, wanted)
        if self.changed and not self.check_mode:
            self.target_group = self.read(wanted["name"]) or self.target_group

    def _replace(self, current: dict[str, Any], wanted: dict[str, Any], immutable: dict[str, tuple[Any, Any]]) -> None:
        name = wanted["name"]
        described = "; ".join(
            f"{field} is {before!r}, the task asks for {after!r}" for field, (before, after) in immutable.items()
        )
        if not wanted["replace_on_change"]:
            raise AWSActionError(
                f"{', '.join(immutable)} of target group {name} cannot change after it is created ({described})."
                " Set replace_on_change: true to delete it and create it again (it must not be in use by a"
                " listener or rule).",
                target_group=current,
            )
        releasing = self._refuse_if_in_use(current, "replace", f"to change {', '.join(immutable)}")
        self.replaced = True
        self._replacement_fields = list(immutable)
        tags = merged_tags(without_aws_tags(current["tags"]), wanted["tags"], wanted["purge_tags"])
        self._delete(current, releasing)
        self._create(wanted, before=current, tags=tags)

    def _create(self, wanted: dict[str, Any], before: dict[str, Any], tags: dict[str, str] | None = None) -> None:
        name = wanted["name"]
        predicted = predicted_target_group(wanted, tags=tags)
        self.changed = True
        self.set_diff(before=before, after=predicted)
        if self.check_mode:
            self.target_group = predicted
            return
        request: dict[str, Any] = {"Name": name, "TargetType": wanted["target_type"]}
        if wanted["vpc_id"] is not None:
            request.update(VpcId=wanted["vpc_id"], Protocol=wanted["protocol"], Port=wanted["port"])
        if wanted["protocol_version"] is not None:
            request["ProtocolVersion"] = wanted["protocol_version"]
        if wanted["health_check"] is not None:
            request.update(health_check_request(wanted["health_check"], wanted["protocol_version"]))
        if predicted["tags"]:
            request["Tags"] = ansible_dict_to_boto3_tag_list(predicted["tags"])
        what = "create target group" if not before else "create target group (the old one is already deleted)"
        created = call(self.elbv2.create_target_group, f"{what} {name}", **request)["TargetGroups"][0]
        arn = created["TargetGroupArn"]
        current_attributes = normalize_attributes(self.attributes(arn), wanted["target_type"])
        changes = attribute_changes(current_attributes, wanted)
        if changes:
            stickiness = desired_stickiness(current_attributes.get("stickiness"), wanted.get("stickiness"))
            self._modify_attributes(name, arn, attributes_request(changes, stickiness))
        self.target_group = self.read(name) or predicted

    def _update_health_check(self, current: dict[str, Any], wanted: dict[str, Any]) -> None:
        before, after = health_check_changes(current["health_check"], wanted["health_check"])
        if not after:
            return
        self.target_group["health_check"].update(after)
        self.act(
            "health_check",
            before,
            after,
            self.elbv2.modify_target_group,
            f"modify the health check of target group {wanted['name']}",
            TargetGroupArn=current["target_group_arn"],
            **health_check_request(after, current["protocol_version"]),
        )

    def _update_attributes(self, current: dict[str, Any], wanted: dict[str, Any]) -> None:
        changes = attribute_changes(current, wanted)
        if not changes:
            return
        for option, (before, after) in changes.items():
            self.differences.add(option, before, after)
        self.changed = True
        stickiness = desired_stickiness(current.get("stickiness"), wanted.get("stickiness"))
        for option in changes:
            self.target_group[option] = stickiness if option == "stickiness" else wanted[option]
        if self.check_mode:
            return
        self._modify_attributes(wanted["name"], current["target_group_arn"], attributes_request(changes, stickiness))

    def _modify_attributes(self, name: str, arn: str, attributes: list[dict[str, str]]) -> None:
        call(
            self.elbv2.modify_target_group_attributes,
            f"modify the attributes of target group {name}",
            TargetGroupArn=arn,
            Attributes=attributes,
        )

    def _update_tags(self, current: dict[str, Any], wanted: dict[str, Any]) -> None:
        after = self.sync_tags(
            self.elbv2,
            "elbv2",
            current["target_group_arn"],
            current["tags"],
            wanted["tags"],
            wanted["purge_tags"],
            f"target group {wanted['name']}",
        )
        if after is not None:
            self.target_group["tags"] = after

    def ensure_absent(self, name: str) -> None:
        current = self.read(name)
        if current is None:
            return
        releasing = self._refuse_if_in_use(current, "delete")
        self.changed = True
        self.set_diff(before=current, after={})
        self._delete(current, releasing)

    def _delete(self, current: dict[str, Any], releasing: list[str] | None = None) -> None:
        """DeleteTargetGroup. With ``releasing`` (deleted load balancers the target group still lists), AWS's
        ``ResourceInUse`` is retried for ``DELETE_TIMEOUT`` while AWS lets go of them; without, it fails at once."""
        if self.check_mode:
            return
        name = current["target_group_name"]

        def taken_up(exception: Exception):
            """A listener took it up since it was read (say which), or AWS never let go of the deleted load
            balancers (say so)."""
            latest = self.read(name) or current
            users = self.users(latest)
            if releasing and not (users["listener_arns"] or users["rule_arns"]):
                message = (
                    f"Cannot delete target group {name}: AWS still counts the"
                    f" {_named('load balancer', users['load_balancer_arns'] or releasing)}, deleted or no longer"
                    f" forwarding to it, as using it after"
                    f" {DELETE_TIMEOUT} seconds (DeleteTargetGroup answers ResourceInUse). Run this task again later."
                )
            else:
                message = in_use_message(name, users, "delete")
            raise AWSActionError(message, exception=exception, target_group=latest, **users)

        call_through(
            self.elbv2.delete_target_group,
            f"delete target group {name}",
            (RELEASING,) if releasing else (),
            DELETE_TIMEOUT if releasing else 0,
            answers={_NOT_FOUND: False, "ResourceInUse": taken_up},
            TargetGroupArn=current["target_group_arn"],
        )


# --- reading many: cloudops.fargate.elb_target_group_info --------------------------------------------------


def normalize_target_health(description: dict[str, Any]) -> dict[str, Any]:
    """A DescribeTargetHealth entry in the info module's terms: where the target is, and how it is doing
    (``reason`` and ``description`` say why it is not healthy, e.g. ``Target.FailedHealthChecks``)."""
    target = description.get("Target") or {}
    health = description.get("TargetHealth") or {}
    return {
        "id": target.get("Id"),
        "port": _int_or_none(target.get("Port")),
        "availability_zone": target.get("AvailabilityZone"),
        "state": health.get("State"),
        "reason": health.get("Reason"),
        "description": health.get("Description"),
    }


def unique_names(names: list[str] | None) -> list[str] | None:
    """The names in the order given, each once; ``None`` (every target group) stays ``None``."""
    if names is None:
        return None
    return list(dict.fromkeys(names))


class TargetGroupInfoManager(TargetGroupManager):
    """Reads target groups (by name, or all of the account and region) in the shape of
    cloudops.fargate.elb_target_group's ``target_group``, optionally with the health of their targets.
    A target group that is missing, or deleted while it is read, is left out."""

    def _optional(self, method, what: str, **request: Any) -> dict[str, Any] | None:
        """One ELBv2 call on a target group; ``None`` when the target group is gone."""
        return call(method, f"describe the {what}", answers={_NOT_FOUND: None}, **request)

    def all_descriptions(self) -> list[dict[str, Any]]:
        """Every DescribeTargetGroups entry of the account and region, every page."""
        return paginate(
            self.elbv2.describe_target_groups, "describe the target groups", "TargetGroups", token="Marker",
            answers={_NOT_FOUND: []},
        )

    def target_health(self, arn: str) -> list[dict[str, Any]] | None:
        """The targets of the target group with their health, by id and port; ``None`` when it is gone."""
        response = self._optional(self.elbv2.describe_target_health, f"target health of {arn}", TargetGroupArn=arn)
        if response is None:
            return None
        targets = [normalize_target_health(item) for item in response.get("TargetHealthDescriptions", [])]
        return sorted(targets, key=lambda target: (str(target["id"]), target["port"] or 0))

    def complete(self, description: dict[str, Any], include_target_health: bool) -> dict[str, Any] | None:
        """A DescribeTargetGroups entry with attributes, tags (and targets); ``None`` when it is gone."""
        arn = description["TargetGroupArn"]
        attributes = self._optional(
            self.elbv2.describe_target_group_attributes, f"attributes of {arn}", TargetGroupArn=arn
        )
        tags = self._optional(self.elbv2.describe_tags, f"tags of {arn}", ResourceArns=[arn])
        if attributes is None or tags is None:
            return None
        result = normalize_target_group(description, attributes_dict(attributes.get("Attributes")), tags_of(tags, arn))
        if include_target_health:
            targets = self.target_health(arn)
            if targets is None:
                return None
            result["targets"] = targets
        return result

    def list_target_groups(self, names: list[str] | None, include_target_health: bool) -> list[dict[str, Any]]:
        """The target groups named (in that order, missing ones left out), or all of them by name."""
        names = unique_names(names)
        if names is None:
            descriptions = sorted(self.all_descriptions(), key=lambda item: item.get("TargetGroupName") or "")
        else:
            descriptions = [found for found in (self.describe(name) for name in names) if found is not None]
        results = []
        for description in descriptions:
            completed = self.complete(description, include_target_health)
            if completed is not None:
                results.append(completed)
        return results
