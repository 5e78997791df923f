"""Unit tests of the pure functions of plugins/module_utils/_elb_target_group.py."""

from __future__ import annotations

import pytest

from ansible_collections.cloudops.fargate.plugins.module_utils._elb_target_group import AWS_ATTRIBUTE_DEFAULTS
from ansible_collections.cloudops.fargate.plugins.module_utils._elb_target_group import LAMBDA_AWS_HEALTH_CHECK
from ansible_collections.cloudops.fargate.plugins.module_utils._elb_target_group import TargetGroupInputError
from ansible_collections.cloudops.fargate.plugins.module_utils._elb_target_group import actions_forward_to
from ansible_collections.cloudops.fargate.plugins.module_utils._elb_target_group import attribute_changes
from ansible_collections.cloudops.fargate.plugins.module_utils._elb_target_group import attributes_dict
from ansible_collections.cloudops.fargate.plugins.module_utils._elb_target_group import attributes_request
from ansible_collections.cloudops.fargate.plugins.module_utils._elb_target_group import canonical_health_check_port
from ansible_collections.cloudops.fargate.plugins.module_utils._elb_target_group import canonical_matcher
from ansible_collections.cloudops.fargate.plugins.module_utils._elb_target_group import desired_stickiness
from ansible_collections.cloudops.fargate.plugins.module_utils._elb_target_group import health_check_changes
from ansible_collections.cloudops.fargate.plugins.module_utils._elb_target_group import health_check_port_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._elb_target_group import health_check_request
from ansible_collections.cloudops.fargate.plugins.module_utils._elb_target_group import immutable_differences
from ansible_collections.cloudops.fargate.plugins.module_utils._elb_target_group import in_use_message
from ansible_collections.cloudops.fargate.plugins.module_utils._elb_target_group import matcher_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._elb_target_group import name_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._elb_target_group import normalize_attributes
from ansible_collections.cloudops.fargate.plugins.module_utils._elb_target_group import normalize_stickiness
from ansible_collections.cloudops.fargate.plugins.module_utils._elb_target_group import normalize_target_group
from ansible_collections.cloudops.fargate.plugins.module_utils._elb_target_group import predicted_target_group
from ansible_collections.cloudops.fargate.plugins.module_utils._elb_target_group import validate_name
from ansible_collections.cloudops.fargate.plugins.module_utils._elb_target_group import wanted_settings
from ansible_collections.cloudops.fargate.plugins.module_utils._elb_target_group import wanted_tags

VPC = "vpc-0123456789abcdef0"
ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/unit-web/0123456789abcdef"
LB_ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/unit/0123456789abcdef"
LISTENER_ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/unit/0123456789abcdef/1"
RULE_ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/unit/0123456789abcdef/1/2"

DEFAULT_HEALTH_CHECK = {
    "enabled": True,
    "path": "/healthz",
    "protocol": "HTTP",
    "port": "traffic-port",
    "interval_seconds": 15,
    "timeout_seconds": 5,
    "healthy_threshold": 3,
    "unhealthy_threshold": 3,
    "matcher": "200-399",
}


def params(**overrides):
    """Module parameters as AnsibleModule hands them over: unset options are None."""
    base = {
        "name": "unit-web",
        "target_type": "ip",
        "vpc_id": VPC,
        "protocol": None,
        "port": None,
        "protocol_version": None,
        "health_check": None,
        "deregistration_delay": None,
        "stickiness": None,
        "slow_start_seconds": None,
        "load_balancing_algorithm": None,
        "replace_on_change": True,
        "tags": None,
        "purge_tags": True,
    }
    base.update(overrides)
    return base


def health_check(**overrides):
    """The health_check option as AnsibleModule fills it: suboption defaults applied."""
    value = {
        "path": "/healthz",
        "protocol": None,
        "port": None,
        "interval_seconds": 15,
        "timeout_seconds": 5,
        "healthy_threshold": 3,
        "unhealthy_threshold": 3,
        "matcher": None,
    }
    value.update(overrides)
    return value


def stickiness(**overrides):
    value = {"enabled": False, "type": "lb_cookie", "duration_seconds": 86400, "cookie_name": None}
    value.update(overrides)
    return value


def errors_of(**overrides):
    with pytest.raises(TargetGroupInputError) as raised:
        wanted_settings(params(**overrides))
    return str(raised.value)


def description(**overrides):
    """A DescribeTargetGroups entry as AWS returns it for an ip target group."""
    value = {
        "TargetGroupArn": ARN,
        "TargetGroupName": "unit-web",
        "Protocol": "HTTP",
        "Port": 80,
        "VpcId": VPC,
        "HealthCheckProtocol": "HTTP",
        "HealthCheckPort": "traffic-port",
        "HealthCheckEnabled": True,
        "HealthCheckIntervalSeconds": 15,
        "HealthCheckTimeoutSeconds": 5,
        "HealthyThresholdCount": 3,
        "UnhealthyThresholdCount": 3,
        "HealthCheckPath": "/healthz",
        "Matcher": {"HttpCode": "200-399"},
        "LoadBalancerArns": [],
        "TargetType": "ip",
        "ProtocolVersion": "HTTP1",
        "IpAddressType": "ipv4",
    }
    value.update(overrides)
    return value


# --- names ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["a", "web", "demo-local-web", "A1-b2", "x" * 32, "internal", "my-internal-web"])
def test_valid_names(name):
    assert name_errors(name) == []
    validate_name(name)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "must be 1 to 32 characters long, '' has 0"),
        ("x" * 33, "must be 1 to 32 characters long"),
        ("web_app", "may contain only letters, digits and hyphens"),
        ("web.app", "may contain only letters, digits and hyphens"),
        ("web app", "may contain only letters, digits and hyphens"),
        ("-web", "must not begin or end with a hyphen"),
        ("web-", "must not begin or end with a hyphen"),
        ("internal-web", "must not begin with 'internal-'"),
        ("Internal-Web", "must not begin with 'internal-'"),
        (None, "name must be a string"),
        (12, "name must be a string"),
    ],
)
def test_invalid_names(name, message):
    errors = name_errors(name)
    assert any(message in error for error in errors), errors
    with pytest.raises(TargetGroupInputError):
        validate_name(name)


def test_name_errors_name_the_option():
    assert name_errors("-", option="target_group")[0].startswith("target_group ")


# --- matcher and health check port -----------------------------------------------------------------------------


@pytest.mark.parametrize("matcher", ["200", "200-399", "200,204", "200, 204,300-310", "499", "200-200"])
def test_valid_http_matchers(matcher):
    assert matcher_errors(matcher, grpc=False) == []


@pytest.mark.parametrize("matcher", ["0", "12", "0-99", "0,5,10-20"])
def test_valid_grpc_matchers(matcher):
    assert matcher_errors(matcher, grpc=True) == []


@pytest.mark.parametrize(
    ("matcher", "grpc", "message"),
    [
        ("", False, "must be a non-empty string of HTTP codes"),
        (None, False, "must be a non-empty string"),
        ("ok", False, "'ok' is neither an HTTP code nor a range"),
        ("200-", False, "is neither an HTTP code nor a range"),
        ("200,,204", False, "is neither an HTTP code nor a range"),
        ("199", False, "HTTP codes must be from 200 to 499"),
        ("500", False, "HTTP codes must be from 200 to 499"),
        ("200-500", False, "HTTP codes must be from 200 to 499"),
        ("299-200", False, "the range '299-200' ends before it starts"),
        ("100", True, "gRPC codes must be from 0 to 99"),
        ("200-399", True, "gRPC codes must be from 0 to 99"),
    ],
)
def test_invalid_matchers(matcher, grpc, message):
    errors = matcher_errors(matcher, grpc=grpc)
    assert any(message in error for error in errors), errors


def test_canonical_matcher_ignores_order_blanks_and_duplicates():
    assert canonical_matcher("200,204") == canonical_matcher("204, 200") == canonical_matcher(" 200,204,200 ")
    assert canonical_matcher("200") != canonical_matcher("200-299")
    assert canonical_matcher(None) is None


@pytest.mark.parametrize("port", ["traffic-port", 1, 8080, "8080", 65535, " 80 "])
def test_valid_health_check_ports(port):
    assert health_check_port_errors(port) == []


@pytest.mark.parametrize("port", [0, 65536, "any", "", "80a", -1])
def test_invalid_health_check_ports(port):
    assert health_check_port_errors(port)[0].startswith("health_check.port must be traffic-port or a port")


def test_canonical_health_check_port():
    assert canonical_health_check_port(8080) == "8080"
    assert canonical_health_check_port("traffic-port") == "traffic-port"
    assert canonical_health_check_port(None) is None


# --- wanted settings: defaults ---------------------------------------------------------------------------------


def test_defaults_for_an_ip_target_group():
    wanted = wanted_settings(params())
    assert wanted == {
        "name": "unit-web",
        "target_type": "ip",
        "vpc_id": VPC,
        "protocol": "HTTP",
        "port": 80,
        "protocol_version": "HTTP1",
        "health_check": DEFAULT_HEALTH_CHECK,
        "deregistration_delay": 30,
        "stickiness": {"enabled": False},
        "slow_start_seconds": 0,
        "load_balancing_algorithm": "round_robin",
        "tags": None,
        "purge_tags": True,
        "replace_on_change": True,
    }


def test_given_health_check_fills_the_rest_with_defaults():
    wanted = wanted_settings(params(health_check=health_check(path="/ready", port=8080)))
    assert wanted["health_check"] == dict(DEFAULT_HEALTH_CHECK, path="/ready", port="8080")


def test_health_check_protocol_defaults_to_the_protocol():
    assert wanted_settings(params(protocol="HTTPS"))["health_check"]["protocol"] == "HTTPS"
    wanted = wanted_settings(params(protocol="HTTPS", health_check=health_check(protocol="HTTP")))
    assert wanted["health_check"]["protocol"] == "HTTP"


def test_matcher_default_follows_the_protocol_version():
    assert wanted_settings(params())["health_check"]["matcher"] == "200-399"
    assert wanted_settings(params(protocol_version="HTTP2"))["health_check"]["matcher"] == "200-399"
    assert wanted_settings(params(protocol_version="GRPC"))["health_check"]["matcher"] == "12"


def test_matcher_is_stored_without_blanks():
    assert (
        wanted_settings(params(health_check=health_check(matcher="200, 204")))["health_check"]["matcher"] == "200,204"
    )


def test_alb_target_group_defaults():
    wanted = wanted_settings(params(target_type="alb"))
    assert wanted["protocol"] == "TCP"
    assert wanted["port"] == 80
    assert wanted["protocol_version"] is None
    assert wanted["health_check"]["protocol"] == "HTTP"
    assert wanted["deregistration_delay"] == 30
    assert wanted["stickiness"] is None
    assert wanted["slow_start_seconds"] is None
    assert wanted["load_balancing_algorithm"] is None


def test_lambda_target_group_defaults():
    wanted = wanted_settings(params(target_type="lambda", vpc_id=None))
    assert (wanted["vpc_id"], wanted["protocol"], wanted["port"], wanted["protocol_version"]) == (None,) * 4
    assert wanted["health_check"] is None
    assert all(wanted[option] is None for option in ("deregistration_delay", "stickiness", "slow_start_seconds"))


def test_lambda_health_check_given_is_enabled_without_protocol_or_port():
    wanted = wanted_settings(params(target_type="lambda", vpc_id=None, health_check=health_check(path="/ping")))
    assert wanted["health_check"]["enabled"] is True
    assert wanted["health_check"]["path"] == "/ping"
    assert "protocol" not in wanted["health_check"] and "port" not in wanted["health_check"]


def test_stickiness_enabled_defaults():
    wanted = wanted_settings(params(stickiness=stickiness(enabled=True)))
    assert wanted["stickiness"] == {
        "enabled": True,
        "type": "lb_cookie",
        "duration_seconds": 86400,
        "cookie_name": None,
    }


def test_stickiness_disabled_ignores_the_rest():
    wanted = wanted_settings(params(stickiness=stickiness(type="app_cookie", duration_seconds=0)))
    assert wanted["stickiness"] == {"enabled": False}


def test_app_cookie_stickiness():
    wanted = wanted_settings(params(stickiness=stickiness(enabled=True, type="app_cookie", cookie_name="SESSION")))
    assert wanted["stickiness"]["cookie_name"] == "SESSION"


def test_tags_become_strings():
    assert wanted_tags({"Count": 3, "Empty": None, "On": True}) == {"Count": "3", "Empty": "", "On": "True"}
    assert wanted_tags(None) is None
    assert wanted_settings(params(tags={"Count": 3}))["tags"] == {"Count": "3"}


# --- wanted settings: each rule ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": "bad_name"}, "name 'bad_name' may contain only letters, digits and hyphens"),
        ({"vpc_id": None}, "vpc_id is required with state present and target_type ip"),
        ({"vpc_id": "subnet-0123"}, "vpc_id 'subnet-0123' is not a VPC ID"),
        ({"port": 0}, "port must be an integer from 1 to 65535, not 0"),
        ({"port": 65536}, "port must be an integer from 1 to 65535"),
        ({"protocol": "TCP"}, "protocol must be one of HTTP, HTTPS, not 'TCP'"),
        ({"protocol_version": "HTTP3"}, "protocol_version must be one of HTTP1, HTTP2, GRPC"),
        ({"target_type": "lambda"}, "vpc_id is not allowed with target_type lambda"),
        ({"target_type": "lambda", "vpc_id": None, "port": 80}, "port is not allowed with target_type lambda"),
        (
            {"target_type": "lambda", "vpc_id": None, "protocol": "HTTP"},
            "protocol is not allowed with target_type lambda",
        ),
        (
            {"target_type": "lambda", "vpc_id": None, "protocol_version": "HTTP1"},
            "protocol_version is not allowed with target_type lambda",
        ),
        (
            {"target_type": "lambda", "vpc_id": None, "health_check": health_check(port=80)},
            "health_check.port is not allowed with target_type lambda",
        ),
        (
            {"target_type": "lambda", "vpc_id": None, "health_check": health_check(protocol="HTTP")},
            "health_check.protocol is not allowed with target_type lambda",
        ),
        ({"target_type": "lambda", "vpc_id": None, "deregistration_delay": 5}, "deregistration_delay is not supported"),
        ({"target_type": "alb", "protocol": "HTTPS"}, "protocol is not allowed with target_type alb: it is always TCP"),
        ({"target_type": "alb", "protocol_version": "HTTP1"}, "protocol_version is not allowed with target_type alb"),
        ({"target_type": "alb", "stickiness": stickiness()}, "stickiness is not supported for target_type alb"),
        (
            {"target_type": "alb", "load_balancing_algorithm": "round_robin"},
            "load_balancing_algorithm is not supported",
        ),
        ({"target_type": "alb", "slow_start_seconds": 0}, "slow_start_seconds is not supported for target_type alb"),
        ({"target_type": "container"}, "target_type must be one of ip, instance, lambda, alb"),
        ({"health_check": health_check(path="healthz")}, "health_check.path must start with '/', not 'healthz'"),
        ({"health_check": health_check(path="/" + "x" * 1024)}, "health_check.path must be at most 1024 characters"),
        ({"health_check": health_check(protocol="TCP")}, "health_check.protocol must be one of HTTP, HTTPS"),
        ({"health_check": health_check(port="any")}, "health_check.port must be traffic-port or a port"),
        ({"health_check": health_check(interval_seconds=4)}, "health_check.interval_seconds must be an integer from 5"),
        ({"health_check": health_check(interval_seconds=301)}, "health_check.interval_seconds must be an integer"),
        ({"health_check": health_check(timeout_seconds=1)}, "health_check.timeout_seconds must be an integer from 2"),
        (
            {"health_check": health_check(timeout_seconds=121, interval_seconds=300)},
            "health_check.timeout_seconds must be an integer from 2 to 120",
        ),
        (
            {"health_check": health_check(timeout_seconds=15, interval_seconds=15)},
            "health_check.timeout_seconds (15) must be less than health_check.interval_seconds (15)",
        ),
        ({"health_check": health_check(healthy_threshold=1)}, "health_check.healthy_threshold must be an integer"),
        ({"health_check": health_check(healthy_threshold=11)}, "health_check.healthy_threshold must be an integer"),
        ({"health_check": health_check(unhealthy_threshold=1)}, "health_check.unhealthy_threshold must be an integer"),
        ({"health_check": health_check(matcher="600")}, "HTTP codes must be from 200 to 499"),
        ({"protocol_version": "GRPC", "health_check": health_check(matcher="200")}, "gRPC codes must be from 0 to 99"),
        ({"deregistration_delay": -1}, "deregistration_delay must be an integer from 0 to 3600, not -1"),
        ({"deregistration_delay": 3601}, "deregistration_delay must be an integer from 0 to 3600"),
        ({"slow_start_seconds": 29}, "slow_start_seconds must be 0 (off) or from 30 to 900, not 29"),
        ({"slow_start_seconds": 901}, "slow_start_seconds must be 0 (off) or from 30 to 900"),
        ({"load_balancing_algorithm": "random"}, "load_balancing_algorithm must be one of round_robin"),
        ({"stickiness": stickiness(enabled=True, type="source_ip")}, "stickiness.type must be one of lb_cookie"),
        (
            {"stickiness": stickiness(enabled=True, duration_seconds=0)},
            "stickiness.duration_seconds must be an integer",
        ),
        ({"stickiness": stickiness(enabled=True, duration_seconds=604801)}, "stickiness.duration_seconds must be"),
        ({"stickiness": stickiness(enabled=True, type="app_cookie")}, "stickiness.cookie_name is required"),
        (
            {"stickiness": stickiness(enabled=True, type="app_cookie", cookie_name="bad cookie")},
            "stickiness.cookie_name 'bad cookie' is not a valid cookie name",
        ),
        (
            {"stickiness": stickiness(enabled=True, type="app_cookie", cookie_name="AWSALBTG")},
            "must not begin with AWSALB",
        ),
        ({"stickiness": stickiness(enabled=True, cookie_name="S")}, "stickiness.cookie_name is only valid when"),
        (
            {"load_balancing_algorithm": "weighted_random", "slow_start_seconds": 30},
            "slow_start_seconds must be 0 with load_balancing_algorithm weighted_random",
        ),
        (
            {"load_balancing_algorithm": "weighted_random", "stickiness": stickiness(enabled=True)},
            "stickiness cannot be enabled with load_balancing_algorithm weighted_random",
        ),
        ({"tags": {"aws:cloudformation:stack-name": "x"}}, "the key 'aws:cloudformation:stack-name' is reserved"),
    ],
)
def test_each_rule(overrides, message):
    assert message in errors_of(**overrides)


@pytest.mark.parametrize("value", [0, 30, 900])
def test_slow_start_bounds(value):
    assert wanted_settings(params(slow_start_seconds=value))["slow_start_seconds"] == value


@pytest.mark.parametrize("value", [0, 3600])
def test_deregistration_delay_bounds(value):
    assert wanted_settings(params(deregistration_delay=value))["deregistration_delay"] == value


def test_weighted_random_alone_is_fine():
    assert wanted_settings(params(load_balancing_algorithm="weighted_random"))["load_balancing_algorithm"] == (
        "weighted_random"
    )


def test_all_errors_are_reported_together():
    message = errors_of(name="-x", port=0, health_check=health_check(path="x", healthy_threshold=20))
    for part in ("must not begin or end with a hyphen", "port must be", "health_check.path", "healthy_threshold"):
        assert part in message


# --- reading AWS -----------------------------------------------------------------------------------------------


def test_normalize_target_group_fills_aws_defaults():
    result = normalize_target_group(description(), attributes=[], tags={"Stack": "unit"})
    assert result == {
        "target_group_arn": ARN,
        "target_group_name": "unit-web",
        "target_type": "ip",
        "vpc_id": VPC,
        "protocol": "HTTP",
        "port": 80,
        "protocol_version": "HTTP1",
        "health_check": DEFAULT_HEALTH_CHECK,
        "deregistration_delay": 300,
        "stickiness": {"enabled": False, "type": "lb_cookie", "duration_seconds": 86400, "cookie_name": None},
        "slow_start_seconds": 0,
        "load_balancing_algorithm": "round_robin",
        "load_balancer_arns": [],
        "tags": {"Stack": "unit"},
    }


def test_normalize_target_group_reads_attributes():
    attributes = [
        {"Key": "deregistration_delay.timeout_seconds", "Value": "30"},
        {"Key": "stickiness.enabled", "Value": "true"},
        {"Key": "stickiness.type", "Value": "app_cookie"},
        {"Key": "stickiness.app_cookie.cookie_name", "Value": "SESSION"},
        {"Key": "stickiness.app_cookie.duration_seconds", "Value": "600"},
        {"Key": "stickiness.lb_cookie.duration_seconds", "Value": "60"},
        {"Key": "slow_start.duration_seconds", "Value": "45"},
        {"Key": "load_balancing.algorithm.type", "Value": "least_outstanding_requests"},
        {"Key": "load_balancing.cross_zone.enabled", "Value": "use_load_balancer_configuration"},
    ]
    result = normalize_target_group(description(LoadBalancerArns=[LB_ARN]), attributes=attributes)
    assert result["deregistration_delay"] == 30
    assert result["stickiness"] == {
        "enabled": True,
        "type": "app_cookie",
        "duration_seconds": 600,
        "cookie_name": "SESSION",
    }
    assert result["slow_start_seconds"] == 45
    assert result["load_balancing_algorithm"] == "least_outstanding_requests"
    assert result["load_balancer_arns"] == [LB_ARN]
    assert result["tags"] == {}


def test_normalize_grpc_matcher():
    result = normalize_target_group(description(ProtocolVersion="GRPC", Matcher={"GrpcCode": "12"}))
    assert result["health_check"]["matcher"] == "12"


def test_normalize_lambda_target_group():
    entry = {
        "TargetGroupArn": ARN,
        "TargetGroupName": "unit-fn",
        "HealthCheckEnabled": False,
        "HealthCheckIntervalSeconds": 35,
        "HealthCheckTimeoutSeconds": 30,
        "HealthyThresholdCount": 5,
        "UnhealthyThresholdCount": 2,
        "HealthCheckPath": "/",
        "Matcher": {"HttpCode": "200"},
        "TargetType": "lambda",
    }
    result = normalize_target_group(entry, attributes={"lambda.multi_value_headers.enabled": "false"})
    assert (result["vpc_id"], result["protocol"], result["port"], result["protocol_version"]) == (None,) * 4
    assert result["health_check"] == LAMBDA_AWS_HEALTH_CHECK
    assert all(result[o] is None for o in ("deregistration_delay", "stickiness", "slow_start_seconds"))
    assert result["load_balancing_algorithm"] is None


def test_normalize_alb_target_group_has_only_deregistration_delay():
    attributes = {"deregistration_delay.timeout_seconds": "60", "stickiness.type": "source_ip"}
    result = normalize_attributes(attributes, "alb")
    assert result == {
        "deregistration_delay": 60,
        "stickiness": None,
        "slow_start_seconds": None,
        "load_balancing_algorithm": None,
    }


def test_normalize_stickiness():
    assert normalize_stickiness({}) == {
        "enabled": False,
        "type": "lb_cookie",
        "duration_seconds": 86400,
        "cookie_name": None,
    }
    lb = normalize_stickiness(
        {
            "stickiness.enabled": "true",
            "stickiness.lb_cookie.duration_seconds": "60",
            "stickiness.app_cookie.cookie_name": "LEFTOVER",
        }
    )
    assert lb == {"enabled": True, "type": "lb_cookie", "duration_seconds": 60, "cookie_name": None}
    app = normalize_stickiness({"stickiness.type": "app_cookie", "stickiness.app_cookie.cookie_name": ""})
    assert app == {"enabled": False, "type": "app_cookie", "duration_seconds": 86400, "cookie_name": None}


def test_attributes_dict():
    assert attributes_dict([{"Key": "a", "Value": "1"}, {"Key": "b"}]) == {"a": "1", "b": ""}
    assert attributes_dict({"a": "1"}) == {"a": "1"}
    assert attributes_dict(None) == {}


def test_aws_attribute_defaults_cover_every_managed_key():
    request = attributes_request(
        {
            "deregistration_delay": (1, 2),
            "slow_start_seconds": (0, 30),
            "load_balancing_algorithm": ("a", "b"),
            "stickiness": ({}, {}),
        },
        {"enabled": True, "type": "app_cookie", "duration_seconds": 5, "cookie_name": "S"},
    )
    assert {item["Key"] for item in request} <= set(AWS_ATTRIBUTE_DEFAULTS)


# --- prediction ------------------------------------------------------------------------------------------------


def test_predicted_target_group_matches_what_aws_reports():
    wanted = wanted_settings(params(tags={"Stack": "unit"}))
    aws_after_create = normalize_target_group(
        description(),
        attributes={"deregistration_delay.timeout_seconds": "30"},
        tags={"Stack": "unit"},
    )
    predicted = predicted_target_group(wanted)
    assert predicted == {k: v for k, v in aws_after_create.items() if k != "target_group_arn"}


def test_predicted_lambda_target_group_has_aws_health_check():
    wanted = wanted_settings(params(target_type="lambda", vpc_id=None))
    assert predicted_target_group(wanted)["health_check"] == LAMBDA_AWS_HEALTH_CHECK


def test_predicted_tags_for_a_replacement_are_the_carried_over_ones():
    wanted = wanted_settings(params(tags={"Stack": "unit"}))
    assert predicted_target_group(wanted, tags={"Stack": "unit", "Manual": "yes"})["tags"] == {
        "Stack": "unit",
        "Manual": "yes",
    }


# --- comparison ------------------------------------------------------------------------------------------------


def current(**overrides):
    value = normalize_target_group(description(), attributes={"deregistration_delay.timeout_seconds": "30"})
    value.update(overrides)
    return value


def test_no_immutable_differences():
    assert immutable_differences(current(), wanted_settings(params())) == {}


def test_immutable_differences_in_order():
    wanted = wanted_settings(params(port=8080, protocol="HTTPS", target_type="instance", vpc_id="vpc-0fff"))
    assert immutable_differences(current(), wanted) == {
        "target_type": ("ip", "instance"),
        "vpc_id": (VPC, "vpc-0fff"),
        "protocol": ("HTTP", "HTTPS"),
        "port": (80, 8080),
    }


def test_protocol_version_not_compared_where_it_does_not_apply():
    alb = normalize_target_group(description(TargetType="alb", Protocol="TCP", ProtocolVersion=None))
    assert immutable_differences(alb, wanted_settings(params(target_type="alb"))) == {}
    wanted = wanted_settings(params(protocol_version="GRPC"))
    assert immutable_differences(current(), wanted) == {"protocol_version": ("HTTP1", "GRPC")}


def test_health_check_no_changes():
    assert health_check_changes(current()["health_check"], wanted_settings(params())["health_check"]) == ({}, {})


def test_health_check_changes_only_the_changed_fields():
    wanted = wanted_settings(params(health_check=health_check(path="/ready", healthy_threshold=5)))["health_check"]
    assert health_check_changes(current()["health_check"], wanted) == (
        {"path": "/healthz", "healthy_threshold": 3},
        {"path": "/ready", "healthy_threshold": 5},
    )


def test_health_check_equivalent_spellings():
    now = dict(current()["health_check"], matcher="200,204", port="8080")
    wanted = dict(DEFAULT_HEALTH_CHECK, matcher="204,200", port=8080)
    assert health_check_changes(now, wanted) == ({}, {})


def test_health_check_left_alone():
    assert health_check_changes(current()["health_check"], None) == ({}, {})


def test_health_check_enabling():
    before, after = health_check_changes(LAMBDA_AWS_HEALTH_CHECK, {"enabled": True, "path": "/"})
    assert (before, after) == ({"enabled": False}, {"enabled": True})


def test_desired_stickiness():
    now = {"enabled": True, "type": "app_cookie", "duration_seconds": 60, "cookie_name": "S"}
    assert desired_stickiness(now, None) == now
    assert desired_stickiness(now, {"enabled": False}) == dict(now, enabled=False)
    assert desired_stickiness(None, {"enabled": False}) == normalize_stickiness({})
    wanted = {"enabled": True, "type": "lb_cookie", "duration_seconds": 10, "cookie_name": None}
    assert desired_stickiness(now, wanted) == wanted


def test_attribute_changes_none():
    assert attribute_changes(current(), wanted_settings(params())) == {}


def test_attribute_changes_each_option():
    wanted = wanted_settings(
        params(
            deregistration_delay=5,
            slow_start_seconds=60,
            load_balancing_algorithm="least_outstanding_requests",
            stickiness=stickiness(enabled=True, duration_seconds=100),
        )
    )
    assert attribute_changes(current(), wanted) == {
        "deregistration_delay": (30, 5),
        "stickiness": ({"enabled": False, "duration_seconds": 86400}, {"enabled": True, "duration_seconds": 100}),
        "slow_start_seconds": (0, 60),
        "load_balancing_algorithm": ("round_robin", "least_outstanding_requests"),
    }


def test_attribute_changes_disabling_stickiness_leaves_the_rest():
    now = current(stickiness={"enabled": True, "type": "app_cookie", "duration_seconds": 60, "cookie_name": "S"})
    assert attribute_changes(now, wanted_settings(params())) == {"stickiness": ({"enabled": True}, {"enabled": False})}


def test_attribute_changes_skip_what_is_left_alone():
    lambda_current = normalize_target_group({"TargetGroupArn": ARN, "TargetType": "lambda"})
    assert attribute_changes(lambda_current, wanted_settings(params(target_type="lambda", vpc_id=None))) == {}


def test_attributes_request():
    changes = {"deregistration_delay": (300, 30), "slow_start_seconds": (0, 30)}
    assert attributes_request(changes, None) == [
        {"Key": "deregistration_delay.timeout_seconds", "Value": "30"},
        {"Key": "slow_start.duration_seconds", "Value": "30"},
    ]


def test_attributes_request_switch_to_weighted_random_comes_last():
    changes = {
        "slow_start_seconds": (60, 0),
        "load_balancing_algorithm": ("round_robin", "weighted_random"),
        "stickiness": ({"enabled": True}, {"enabled": False}),
    }
    assert attributes_request(changes, {"enabled": False}) == [
        {"Key": "slow_start.duration_seconds", "Value": "0"},
        {"Key": "stickiness.enabled", "Value": "false"},
        {"Key": "load_balancing.algorithm.type", "Value": "weighted_random"},
    ]


def test_attributes_request_switch_away_from_weighted_random_comes_first():
    changes = {
        "slow_start_seconds": (0, 60),
        "load_balancing_algorithm": ("weighted_random", "round_robin"),
    }
    assert attributes_request(changes, None) == [
        {"Key": "load_balancing.algorithm.type", "Value": "round_robin"},
        {"Key": "slow_start.duration_seconds", "Value": "60"},
    ]


def test_attributes_request_stickiness():
    changes = {"stickiness": ({}, {})}
    assert attributes_request(changes, {"enabled": False, "type": "lb_cookie"}) == [
        {"Key": "stickiness.enabled", "Value": "false"}
    ]
    assert attributes_request(changes, {"enabled": True, "type": "lb_cookie", "duration_seconds": 60}) == [
        {"Key": "stickiness.enabled", "Value": "true"},
        {"Key": "stickiness.type", "Value": "lb_cookie"},
        {"Key": "stickiness.lb_cookie.duration_seconds", "Value": "60"},
    ]
    app = {"enabled": True, "type": "app_cookie", "duration_seconds": 60, "cookie_name": "S"}
    assert attributes_request(changes, app) == [
        {"Key": "stickiness.enabled", "Value": "true"},
        {"Key": "stickiness.type", "Value": "app_cookie"},
        {"Key": "stickiness.app_cookie.duration_seconds", "Value": "60"},
        {"Key": "stickiness.app_cookie.cookie_name", "Value": "S"},
    ]


def test_health_check_request():
    assert health_check_request(DEFAULT_HEALTH_CHECK, "HTTP1") == {
        "HealthCheckEnabled": True,
        "HealthCheckPath": "/healthz",
        "HealthCheckProtocol": "HTTP",
        "HealthCheckPort": "traffic-port",
        "HealthCheckIntervalSeconds": 15,
        "HealthCheckTimeoutSeconds": 5,
        "HealthyThresholdCount": 3,
        "UnhealthyThresholdCount": 3,
        "Matcher": {"HttpCode": "200-399"},
    }
    assert health_check_request({"matcher": "12"}, "GRPC") == {"Matcher": {"GrpcCode": "12"}}
    assert health_check_request({"path": "/x"}, "HTTP1") == {"HealthCheckPath": "/x"}


# --- in use --------------------------------------------------------------------------------------------------


def test_actions_forward_to():
    assert actions_forward_to([{"Type": "forward", "TargetGroupArn": ARN}], ARN)
    weighted = {
        "Type": "forward",
        "ForwardConfig": {"TargetGroups": [{"TargetGroupArn": "other", "Weight": 1}, {"TargetGroupArn": ARN}]},
    }
    assert actions_forward_to([{"Type": "authenticate-oidc"}, weighted], ARN)
    assert not actions_forward_to([{"Type": "fixed-response"}], ARN)
    assert not actions_forward_to([{"Type": "forward", "TargetGroupArn": "other"}], ARN)
    assert not actions_forward_to(None, ARN)


def test_in_use_message_names_listeners_and_rules():
    message = in_use_message(
        "unit-web",
        {"load_balancer_arns": [LB_ARN], "listener_arns": [LISTENER_ARN], "rule_arns": [RULE_ARN, RULE_ARN + "3"]},
        "replace",
        "to change port",
    )
    assert message.startswith(
        f"Cannot replace target group unit-web (to change port): it is in use by listener {LISTENER_ARN} and rules"
        f" {RULE_ARN}, {RULE_ARN}3"
    )
    assert "Remove it from the listener (and rules) first" in message


def test_in_use_message_falls_back_to_load_balancers():
    message = in_use_message(
        "unit-web", {"load_balancer_arns": [LB_ARN], "listener_arns": [], "rule_arns": []}, "delete"
    )
    assert message.startswith(f"Cannot delete target group unit-web: it is in use by load balancer {LB_ARN}")
