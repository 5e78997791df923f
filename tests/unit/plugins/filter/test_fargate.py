"""The fargate layer's filters: image references, secret ARNs for IAM, sizes, secrets and scaling policies."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.cloudops.fargate.plugins.filter import fargate

REPO = "123456789012.dkr.ecr.us-east-1.amazonaws.com/demo-local/app"
DIGEST = "sha256:" + "a" * 64


@pytest.mark.parametrize(
    "tag, expected",
    [("1.2.3", f"{REPO}:1.2.3"), ("latest", f"{REPO}:latest"), ("v1_rc.2-x", f"{REPO}:v1_rc.2-x"), (DIGEST, f"{REPO}@{DIGEST}")],
)
def test_image_reference_is_repo_tag_or_repo_at_digest(tag, expected):
    assert fargate.image_reference(REPO, tag) == expected


@pytest.mark.parametrize("tag", ["", ".hidden", "-dash", "a" * 129, "sha256:abc", "has space", "tag:colon"])
def test_image_reference_refuses_anything_else(tag):
    with pytest.raises(AnsibleFilterError, match="image tag"):
        fargate.image_reference(REPO, tag)


def test_secret_arns_keep_each_services_resources_once():
    values = [
        "arn:aws:ssm:us-east-1:123456789012:parameter/demo/db-url",
        "/demo/api-url",
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:demo/db-AbCdEf:password::",
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:demo/db-AbCdEf:user::",
    ]
    assert fargate.secret_arns(values, "ssm", "us-east-1", "123456789012") == [
        "arn:aws:ssm:us-east-1:123456789012:parameter/demo/db-url",
        "arn:aws:ssm:us-east-1:123456789012:parameter/demo/api-url",
    ]
    assert fargate.secret_arns(values, "secretsmanager", "us-east-1", "123456789012") == [
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:demo/db-AbCdEf"
    ]
    assert fargate.secret_arns([], "ssm", "us-east-1", "1") == []


def test_fargate_size_errors_name_the_rule():
    assert fargate.fargate_size_errors(512, 1024) == []
    (error,) = fargate.fargate_size_errors(256, 4096)
    assert "memory 4096" in error and "cpu 256" in error


def test_plain_secret_values_are_found():
    secrets = {
        "DB_URL": "arn:aws:ssm:us-east-1:123456789012:parameter/demo/db-url",
        "API": "/demo/api",
        "PASSWORD": "hunter2",
        "TOKEN": "s3cr3t value",
    }
    assert fargate.invalid_secret_references(secrets) == ["PASSWORD", "TOKEN"]


def test_secret_looking_environment_names_are_found():
    assert fargate.secret_looking_names({"DB_PASSWORD": "x", "LOG_LEVEL": "info", "API_TOKEN": "y"}) == ["API_TOKEN", "DB_PASSWORD"]


def test_target_tracking_policies_skip_zero_targets_and_name_the_alb_resources():
    policies = fargate.target_tracking_policies(
        {"cpu": 60, "memory": 0, "alb_request_count_per_target": 500}, "demo-local", 120, "arn:tg", "arn:lb"
    )
    assert [p["name"] for p in policies] == ["demo-local-cpu", "demo-local-alb-request-count-per-target"]
    assert policies[0] == {
        "name": "demo-local-cpu", "metric": "cpu", "target_value": 60.0, "scale_in_cooldown": 120, "scale_out_cooldown": 120,
    }
    assert policies[1]["target_group_arn"] == "arn:tg" and policies[1]["load_balancer_arn"] == "arn:lb"
    assert fargate.target_tracking_policies({}, "p", 60) == []


def test_deployment_progress_names_the_deployment_its_counts_and_revision():
    deployment = {
        "status": "PRIMARY",
        "rollout_state": "IN_PROGRESS",
        "running_count": 1,
        "desired_count": 3,
        "task_definition": "arn:aws:ecs:us-east-1:123456789012:task-definition/demo-local-web:5",
    }
    assert fargate.deployment_progress(deployment) == "PRIMARY IN_PROGRESS 1/3 running (demo-local-web:5)"
    assert fargate.deployment_progress({}) == "0/0 running"


def test_service_progress_names_the_service_its_status_and_running_tasks():
    service = {"service_name": "demo-local-web", "status": "DRAINING", "running_count": 2}
    assert fargate.service_progress(service) == "demo-local-web DRAINING, 2 running"


# --- deployment strategies, alarms and rollout progress -----------------------------------------------------------

from ansible_collections.cloudops.fargate.plugins.filter.fargate import deployment_strategy_errors  # noqa: E402
from ansible_collections.cloudops.fargate.plugins.filter.fargate import rollout_progress  # noqa: E402
from ansible_collections.cloudops.fargate.plugins.filter.fargate import service_alarms  # noqa: E402

CANARY = {"percent": 5, "bake_time_minutes": 5}
LINEAR = {"step_percent": 20, "step_bake_time_minutes": 2}


def test_strategy_errors_name_the_roles_variables():
    assert deployment_strategy_errors("rolling", 5, CANARY, LINEAR) == []
    assert deployment_strategy_errors("canary", "5", {"percent": "5", "bake_time_minutes": "5"}, LINEAR) == []
    errors = deployment_strategy_errors("canary", 5, {"percent": 0.05, "bake_time_minutes": 2000}, LINEAR)
    assert any(e.startswith("fargate_canary_percent must be a multiple of 0.1") for e in errors), errors
    assert any(e.startswith("fargate_canary_bake_minutes") for e in errors), errors
    errors = deployment_strategy_errors("linear", 1441, CANARY, {"step_percent": 1, "step_bake_time_minutes": 2})
    assert any(e.startswith("fargate_deployment_bake_minutes") for e in errors), errors
    assert any(e.startswith("fargate_linear_step_percent") for e in errors), errors
    assert not any("canary" in e for e in errors), "the canary settings count only for a canary"


def test_service_alarms_take_the_worst_of_both_target_groups():
    lb = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/demo-local-alb/0123456789abcdef"
    tg = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/demo-local-web/0a"
    alt = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/demo-local-web-alt/0b"
    thresholds = {"error_percent": 5, "response_time_seconds": 2, "unhealthy_targets": 1, "evaluation_minutes": 2}
    alarms = service_alarms("demo-local", lb, [tg, alt], thresholds)
    assert [a["name"] for a in alarms] == ["demo-local-target-5xx", "demo-local-response-time", "demo-local-unhealthy-targets"]
    errors = alarms[0]
    assert errors["threshold"] == 5.0 and errors["evaluation_periods"] == 2
    returned = [m for m in errors["metrics"] if m["return_data"]]
    assert returned == [{"id": "worst", "expression": "MAX([rate0, rate1])", "label": "5xx percent", "return_data": True}]
    dimensions = errors["metrics"][0]["metric_stat"]["metric"]["dimensions"]
    assert dimensions == [
        {"name": "TargetGroup", "value": "targetgroup/demo-local-web/0a"},
        {"name": "LoadBalancer", "value": "app/demo-local-alb/0123456789abcdef"},
    ]
    # a rolling service has one target group
    (alone,) = [a for a in service_alarms("demo-local", lb, [tg, ""], thresholds) if a["name"].endswith("unhealthy-targets")]
    assert alone["metrics"][-1]["expression"] == "MAX([unhealthy0])"


def test_rollout_progress_shows_the_phase_the_split_and_the_bake_left():
    import datetime

    now = datetime.datetime(2026, 1, 1, 12, 3, 30, tzinfo=datetime.timezone.utc)
    service = {
        "traffic": [{"target_group": "web", "weight": 0.0}, {"target_group": "web-alt", "weight": 100.0}],
        "service_deployments": [
            {
                "status": "IN_PROGRESS",
                "lifecycle_stage": "BAKE_TIME",
                "updated_at": "2026-01-01T12:00:00+00:00",
                "deployment_configuration": {"bake_time_in_minutes": 5},
                "target_service_revision": {"requested_production_traffic_weight": 100.0},
            }
        ],
    }
    assert rollout_progress(service, now) == ["BAKE_TIME, new revision at 100%, 1m30s of 5m bake left"]
    canary = {"service_deployments": [{"lifecycle_stage": "PRODUCTION_TRAFFIC_SHIFT", "target_service_revision": {"requested_production_traffic_weight": 5.0}}]}
    assert rollout_progress(canary) == ["PRODUCTION_TRAFFIC_SHIFT, new revision at 5%"]
    rolling = {"deployments": [{"status": "PRIMARY", "rollout_state": "IN_PROGRESS", "running_count": 1, "desired_count": 2}]}
    assert rollout_progress(rolling) == ["PRIMARY IN_PROGRESS 1/2 running"]


def test_operational_alarms_cover_what_the_stack_has():
    from ansible_collections.cloudops.fargate.plugins.filter.fargate import operational_alarms

    lb = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/demo-local-alb/0123456789abcdef"
    tg = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/demo-local-web/0a"
    thresholds = {"evaluation_minutes": 1, "efs_io_limit_percent": 95, "efs_burst_credit_bytes": 0, "vpn_auth_failures": 5}
    full = operational_alarms("demo-local", "demo-local", "demo-local-web", [tg, ""], lb, ["nat-1", "nat-2"], "fs-1", "cvpn-endpoint-1", thresholds)
    by_name = {a["name"]: a for a in full}
    assert set(by_name) == {
        "demo-local-no-healthy-targets",
        "demo-local-below-desired-count",
        "demo-local-nat-port-allocation",
        "demo-local-efs-io-limit",
        "demo-local-vpn-auth-failures",
    }
    for alarm in full:
        assert [m["id"] for m in alarm["metrics"] if m["return_data"]] == ["value"], alarm["name"]
    assert by_name["demo-local-nat-port-allocation"]["metrics"][-1]["expression"] == "SUM([ports0, ports1])"
    assert by_name["demo-local-no-healthy-targets"]["comparison"] == "LessThanThreshold"
    assert by_name["demo-local-no-healthy-targets"]["treat_missing_data"] == "breaching"
    assert by_name["demo-local-below-desired-count"]["evaluation_periods"] == 5
    vpn = by_name["demo-local-vpn-auth-failures"]["metrics"][0]["metric_stat"]
    assert vpn["period"] == 300 and vpn["metric"]["dimensions"] == [{"name": "Endpoint", "value": "cvpn-endpoint-1"}]
    # without a VPN, NAT gateways or file system, no alarm for them; burst credits only with bursting throughput
    lean = operational_alarms("demo-local", "demo-local", "demo-local-web", [tg], lb, [], "", "", dict(thresholds, efs_burst_credit_bytes=1))
    assert [a["name"] for a in lean] == ["demo-local-no-healthy-targets", "demo-local-below-desired-count"]
    bursting = operational_alarms("demo-local", "c", "s", [tg], lb, [], "fs-1", "", dict(thresholds, efs_burst_credit_bytes=10))
    assert "demo-local-efs-burst-credits" in [a["name"] for a in bursting]
