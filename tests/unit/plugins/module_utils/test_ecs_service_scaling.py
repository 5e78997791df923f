"""Unit tests of the pure functions of plugins/module_utils/_ecs_service_scaling.py."""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service_scaling import ScalingInputError
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service_scaling import capacity_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service_scaling import comparable_policy
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service_scaling import comparable_scheduled_action
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service_scaling import iso
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service_scaling import label_from_arns
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service_scaling import needs_recreate
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service_scaling import normalize_policy
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service_scaling import normalize_scheduled_action
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service_scaling import parse_time
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service_scaling import policy_request
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service_scaling import predicted_policy
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service_scaling import predicted_target
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service_scaling import resource_id
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service_scaling import schedule_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service_scaling import scheduled_action_name_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service_scaling import scheduled_action_request
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service_scaling import timezone_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service_scaling import validate_identity
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service_scaling import wanted_policy
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service_scaling import wanted_scaling
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service_scaling import wanted_scheduled_action

UTC = datetime.timezone.utc
LB_ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/unit-alb/0123456789abcdef"
NLB_ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/unit-nlb/0123456789abcdef"
TG_ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/unit-web/fedcba9876543210"
LABEL = "app/unit-alb/0123456789abcdef/targetgroup/unit-web/fedcba9876543210"
RID = "service/unit/web"


def policy(**overrides):
    """A target_tracking_policies entry as AnsibleModule hands it over: suboption defaults applied."""
    value = {
        "name": "cpu",
        "metric": "cpu",
        "target_value": 60.0,
        "resource_label": None,
        "target_group_arn": None,
        "load_balancer_arn": None,
        "scale_in_cooldown": 300,
        "scale_out_cooldown": 300,
        "disable_scale_in": False,
    }
    value.update(overrides)
    return value


def action(**overrides):
    value = {
        "name": "night",
        "schedule": "cron(0 20 * * ? *)",
        "timezone": None,
        "min_capacity": 0,
        "max_capacity": 1,
        "start_time": None,
        "end_time": None,
    }
    value.update(overrides)
    return value


def params(**overrides):
    base = {
        "state": "present",
        "cluster": "unit",
        "service": "web",
        "min_capacity": 1,
        "max_capacity": 4,
        "target_tracking_policies": None,
        "purge_policies": True,
        "scheduled_actions": None,
        "purge_scheduled_actions": True,
    }
    base.update(overrides)
    return base


# --- identity -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cluster", "service", "expected"),
    [
        ("unit", "web", "service/unit/web"),
        ("arn:aws:ecs:us-east-1:123456789012:cluster/unit", "web", "service/unit/web"),
        ("unit", "arn:aws:ecs:us-east-1:123456789012:service/unit/web", "service/unit/web"),
        ("unit", "arn:aws:ecs:us-east-1:123456789012:service/web", "service/unit/web"),  # the old ARN format
    ],
)
def test_resource_id(cluster, service, expected):
    assert resource_id(cluster, service) == expected
    assert validate_identity({"cluster": cluster, "service": service}) == expected


@pytest.mark.parametrize(
    ("cluster", "service", "message"),
    [
        ("", "web", "cluster must be a non-empty string"),
        ("a b", "web", "cluster 'a b' is not an ECS cluster name"),
        ("unit", "a/b", "service 'a/b' is not an ECS service name"),
        ("unit", "x" * 256, "is not an ECS service name"),
    ],
)
def test_validate_identity_errors(cluster, service, message):
    with pytest.raises(ScalingInputError) as raised:
        validate_identity({"cluster": cluster, "service": service})
    assert message in str(raised.value)


# --- capacities --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("low", "high", "messages"),
    [
        (0, 0, []),
        (1, 10, []),
        (None, 3, []),
        (3, None, []),
        (5, 2, ["min_capacity (5) must not be greater than max_capacity (2)"]),
        (-1, 2, ["min_capacity must be an integer of at least 0"]),
        (1, -2, ["max_capacity must be an integer of at least 0"]),
        (True, 2, ["min_capacity must be an integer"]),
    ],
)
def test_capacity_errors(low, high, messages):
    errors = capacity_errors(low, high)
    assert len(errors) == len(messages), errors
    for error, message in zip(errors, messages, strict=True):
        assert message in error


def test_predicted_target_keeps_what_aws_reported():
    assert predicted_target(RID, 1, 3, None) == {
        "service_namespace": "ecs",
        "resource_id": RID,
        "scalable_dimension": "ecs:service:DesiredCount",
        "min_capacity": 1,
        "max_capacity": 3,
    }
    current = {"resource_id": RID, "min_capacity": 2, "max_capacity": 2, "scalable_target_arn": "arn"}
    assert predicted_target(RID, 1, 3, current) == dict(current, min_capacity=1, max_capacity=3)
    assert current["min_capacity"] == 2, "the input is not modified"


# --- policies ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target_group_arn", "load_balancer_arn", "expected"),
    [
        (TG_ARN, LB_ARN, LABEL),
        (TG_ARN, NLB_ARN, None),
        (LB_ARN, LB_ARN, None),
        (TG_ARN, "", None),
        (
            "arn:aws-us-gov:elasticloadbalancing:us-gov-west-1:1:targetgroup/t/1",
            "arn:aws-us-gov:elasticloadbalancing:us-gov-west-1:1:loadbalancer/app/a/2",
            "app/a/2/targetgroup/t/1",
        ),
    ],
)
def test_label_from_arns(target_group_arn, load_balancer_arn, expected):
    assert label_from_arns(target_group_arn, load_balancer_arn) == expected


@pytest.mark.parametrize(
    ("metric", "aws_name"),
    [
        ("cpu", "ECSServiceAverageCPUUtilization"),
        ("memory", "ECSServiceAverageMemoryUtilization"),
        ("ECSServiceAverageMemoryUtilization", "ECSServiceAverageMemoryUtilization"),
    ],
)
def test_wanted_policy_metrics(metric, aws_name):
    wanted, errors = wanted_policy(policy(metric=metric, target_value=50, disable_scale_in=True), 0)
    assert errors == []
    assert wanted == {
        "policy_name": "cpu",
        "policy_type": "TargetTrackingScaling",
        "target_tracking_scaling_policy_configuration": {
            "target_value": 50.0,
            "predefined_metric_specification": {"predefined_metric_type": aws_name},
            "scale_in_cooldown": 300,
            "scale_out_cooldown": 300,
            "disable_scale_in": True,
        },
    }


@pytest.mark.parametrize(
    "overrides",
    [
        {"resource_label": LABEL},
        {"target_group_arn": TG_ARN, "load_balancer_arn": LB_ARN},
    ],
)
def test_wanted_policy_alb_label(overrides):
    wanted, errors = wanted_policy(policy(metric="alb_request_count_per_target", target_value=1000, **overrides), 0)
    assert errors == []
    assert wanted["target_tracking_scaling_policy_configuration"]["predefined_metric_specification"] == {
        "predefined_metric_type": "ALBRequestCountPerTarget",
        "resource_label": LABEL,
    }


ALB = "alb_request_count_per_target"


@pytest.mark.parametrize(
    ("overrides", "messages"),
    [
        ({"metric": "disk"}, ["metric 'disk' is not one of"]),
        ({"metric": ALB}, ["needs resource_label, or target_group_arn and load_balancer_arn"]),
        ({"metric": ALB, "load_balancer_arn": LB_ARN}, ["needs resource_label"]),
        ({"metric": ALB, "resource_label": "app/x"}, ["is not app/<load balancer>/<id>/targetgroup"]),
        ({"metric": ALB, "resource_label": LABEL, "load_balancer_arn": LB_ARN}, ["give either resource_label"]),
        ({"metric": ALB, "target_group_arn": TG_ARN, "load_balancer_arn": NLB_ARN}, ["Application Load Balancer"]),
        ({"metric": ALB, "target_group_arn": "tg", "load_balancer_arn": LB_ARN}, ["is not the ARN of a target group"]),
        ({"target_group_arn": TG_ARN}, ["target_group_arn: only valid with metric alb_request_count_per_target"]),
        ({"target_value": 0}, ["target_value must be a number above 0"]),
        ({"target_value": -5.0}, ["target_value must be a number above 0"]),
        ({"target_value": 100.5}, ["at most 100"]),
        ({"metric": ALB, "resource_label": LABEL, "target_value": 5000}, []),
        ({"scale_in_cooldown": -1}, ["scale_in_cooldown must be an integer of seconds"]),
        ({"scale_out_cooldown": None}, ["scale_out_cooldown must be an integer of seconds"]),
        ({"name": ""}, ["name must be a non-empty string"]),
        ({"name": "x" * 257}, ["at most 256 characters"]),
        ({"name": "tab\there"}, ["printable"]),
        ({"metric": "disk", "target_value": 0}, ["metric 'disk'", "target_value must be"]),
    ],
)
def test_wanted_policy_errors(overrides, messages):
    wanted, errors = wanted_policy(policy(**overrides), 3)
    assert len(errors) == len(messages), errors
    for error, message in zip(errors, messages, strict=True):
        assert message in error
    assert (wanted is None) == bool(messages)


def test_policy_errors_name_the_policy_or_its_index():
    _wanted, errors = wanted_policy(policy(target_value=0), 3)
    assert errors[0].startswith("target_tracking_policies[cpu].target_value")
    _wanted, errors = wanted_policy(policy(name="", target_value=0), 3)
    assert errors[0].startswith("target_tracking_policies[3].name")


AWS_POLICY = {
    "PolicyARN": "arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:1:resource/ecs/" + RID + ":policyName/cpu",
    "PolicyName": "cpu",
    "ServiceNamespace": "ecs",
    "ResourceId": RID,
    "ScalableDimension": "ecs:service:DesiredCount",
    "PolicyType": "TargetTrackingScaling",
    "TargetTrackingScalingPolicyConfiguration": {
        "TargetValue": 60,
        "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"},
    },
    "Alarms": [{"AlarmName": "a", "AlarmARN": "arn:a"}],
    "CreationTime": datetime.datetime(2030, 1, 1, tzinfo=UTC),
}


def test_normalize_policy_fills_aws_defaults():
    normalised = normalize_policy(AWS_POLICY)
    assert normalised["target_tracking_scaling_policy_configuration"] == {
        "target_value": 60.0,
        "predefined_metric_specification": {"predefined_metric_type": "ECSServiceAverageCPUUtilization"},
        "scale_in_cooldown": 300,
        "scale_out_cooldown": 300,
        "disable_scale_in": False,
    }
    assert normalised["alarms"] == [{"alarm_name": "a", "alarm_arn": "arn:a"}]
    assert normalised["policy_arn"] == AWS_POLICY["PolicyARN"]
    wanted, _errors = wanted_policy(policy(), 0)
    assert comparable_policy(normalised) == wanted


def test_normalize_policy_keeps_explicit_values():
    explicit = dict(
        AWS_POLICY,
        TargetTrackingScalingPolicyConfiguration=dict(
            AWS_POLICY["TargetTrackingScalingPolicyConfiguration"],
            ScaleInCooldown=0,
            ScaleOutCooldown=60,
            DisableScaleIn=True,
        ),
    )
    config = normalize_policy(explicit)["target_tracking_scaling_policy_configuration"]
    assert (config["scale_in_cooldown"], config["scale_out_cooldown"], config["disable_scale_in"]) == (0, 60, True)


def test_comparable_policy_of_a_step_scaling_policy_differs():
    step = {
        "PolicyName": "cpu",
        "PolicyType": "StepScaling",
        "StepScalingPolicyConfiguration": {"AdjustmentType": "ChangeInCapacity"},
    }
    wanted, _errors = wanted_policy(policy(), 0)
    assert comparable_policy(normalize_policy(step)) == {
        "policy_name": "cpu",
        "policy_type": "StepScaling",
        "step_scaling_policy_configuration": {"adjustment_type": "ChangeInCapacity"},
    }
    assert comparable_policy(normalize_policy(step)) != wanted


def test_policy_request():
    wanted, _errors = wanted_policy(policy(metric=ALB, resource_label=LABEL, target_value=100, scale_in_cooldown=0), 0)
    assert policy_request(wanted) == {
        "PolicyName": "cpu",
        "PolicyType": "TargetTrackingScaling",
        "TargetTrackingScalingPolicyConfiguration": {
            "TargetValue": 100.0,
            "PredefinedMetricSpecification": {
                "PredefinedMetricType": "ALBRequestCountPerTarget",
                "ResourceLabel": LABEL,
            },
            "ScaleInCooldown": 0,
            "ScaleOutCooldown": 300,
            "DisableScaleIn": False,
        },
    }


def test_predicted_policy_replaces_a_step_configuration():
    wanted, _errors = wanted_policy(policy(), 0)
    current = {
        "policy_name": "cpu",
        "policy_arn": "arn",
        "policy_type": "StepScaling",
        "step_scaling_policy_configuration": {"adjustment_type": "ChangeInCapacity"},
    }
    predicted = predicted_policy(RID, wanted, current)
    assert "step_scaling_policy_configuration" not in predicted
    assert predicted["policy_arn"] == "arn"
    assert predicted["policy_type"] == "TargetTrackingScaling"
    assert predicted["resource_id"] == RID


# --- scheduled actions -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2030-01-01T00:00:00Z", datetime.datetime(2030, 1, 1, tzinfo=UTC)),
        ("2030-01-01T00:00:00", datetime.datetime(2030, 1, 1, tzinfo=UTC)),
        ("2030-01-01 00:00:00", datetime.datetime(2030, 1, 1, tzinfo=UTC)),
        ("2030-01-01T02:00:00+02:00", datetime.datetime(2030, 1, 1, tzinfo=UTC)),
        ("2030-01-01T00:00:00.900Z", datetime.datetime(2030, 1, 1, tzinfo=UTC)),
        (
            datetime.datetime(2030, 1, 1, 1, tzinfo=datetime.timezone(datetime.timedelta(hours=1))),
            datetime.datetime(2030, 1, 1, tzinfo=UTC),
        ),
    ],
)
def test_parse_time(value, expected):
    assert parse_time(value) == expected


@pytest.mark.parametrize("value", ["", "tomorrow", "2030-13-01T00:00:00", None, 5])
def test_parse_time_refuses(value):
    with pytest.raises(ValueError):
        parse_time(value)


def test_iso():
    assert iso(None) is None
    assert iso(datetime.datetime(2030, 1, 1, 12, 30, 15, 500)) == "2030-01-01T12:30:15+00:00"


@pytest.mark.parametrize(
    ("schedule", "message"),
    [
        ("at(2030-01-01T00:00:00)", None),
        ("rate(1 minute)", None),
        ("rate(5 minutes)", None),
        ("rate(2 hours)", None),
        ("rate(1 day)", None),
        ("cron(0 20 * * ? *)", None),
        ("cron(0/15 8-18 ? * MON-FRI *)", None),
        ("", "must be a non-empty string"),
        ("daily", "is none of"),
        ("at(2030-01-01)", "is none of"),
        ("at(2030-02-30T00:00:00)", "is not a date and time"),
        ("rate(0 minutes)", "positive integer"),
        ("rate(5 weeks)", "is none of"),
        ("rate(five minutes)", "is none of"),
        ("cron(0 20 * * ?)", "has 6 fields"),
        ("cron(0 20 * * ? * *)", "has 6 fields"),
        ("CRON(0 20 * * ? *)", "is none of"),
    ],
)
def test_schedule_errors(schedule, message):
    errors = schedule_errors(schedule, "x")
    assert (errors == []) if message is None else (message in errors[0])


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("night", None),
        ("scale down at night", None),
        ("", "non-empty"),
        ("a:b", "must not contain"),
        ("a|b", "must not contain"),
        (" night", "begin or end with a space"),
        ("night ", "begin or end with a space"),
        ("x" * 257, "at most 256"),
    ],
)
def test_scheduled_action_name_errors(name, message):
    errors = scheduled_action_name_errors(name, "x")
    assert (errors == []) if message is None else (message in errors[0])


@pytest.mark.parametrize(
    ("timezone", "ok"),
    [
        (None, True),
        ("UTC", True),
        ("Europe/Berlin", True),
        ("America/New_York", True),
        ("Mars/Olympus", False),
        ("", False),
    ],
)
def test_timezone_errors(timezone, ok):
    assert (timezone_errors(timezone, "x") == []) is ok


def test_wanted_scheduled_action():
    wanted, errors = wanted_scheduled_action(
        action(max_capacity=None, start_time="2030-01-01T01:00:00+01:00", end_time="2030-02-01T00:00:00Z"), 0
    )
    assert errors == []
    assert wanted == {
        "scheduled_action_name": "night",
        "schedule": "cron(0 20 * * ? *)",
        "timezone": "UTC",
        "start_time": "2030-01-01T00:00:00+00:00",
        "end_time": "2030-02-01T00:00:00+00:00",
        "scalable_target_action": {"min_capacity": 0},
    }


@pytest.mark.parametrize(
    ("overrides", "messages"),
    [
        ({"min_capacity": None, "max_capacity": None}, ["needs min_capacity, max_capacity or both"]),
        ({"min_capacity": 2, "max_capacity": 1}, ["min_capacity (2) must not be greater"]),
        ({"start_time": "soon"}, ["start_time 'soon' is not an ISO 8601"]),
        ({"end_time": "later"}, ["end_time 'later' is not an ISO 8601"]),
        ({"start_time": "2030-01-01T00:00:00Z", "end_time": "2030-01-01T00:00:00Z"}, ["end_time must be after"]),
        ({"schedule": "x", "name": "a/b"}, ["must not contain", "is none of"]),
    ],
)
def test_wanted_scheduled_action_errors(overrides, messages):
    wanted, errors = wanted_scheduled_action(action(**overrides), 1)
    assert wanted is None
    assert len(errors) == len(messages), errors
    for error, message in zip(errors, messages, strict=True):
        assert message in error


AWS_ACTION = {
    "ScheduledActionName": "night",
    "ScheduledActionARN": "arn:aws:autoscaling:us-east-1:123456789012:scheduledAction:1:scheduledActionName/night",
    "ServiceNamespace": "ecs",
    "Schedule": "cron(0 20 * * ? *)",
    "ResourceId": RID,
    "ScalableDimension": "ecs:service:DesiredCount",
    "StartTime": datetime.datetime(2030, 1, 1, 1, tzinfo=datetime.timezone(datetime.timedelta(hours=1))),
    "ScalableTargetAction": {"MinCapacity": 0, "MaxCapacity": 1},
    "CreationTime": datetime.datetime(2029, 1, 1, tzinfo=UTC),
}


def test_normalize_scheduled_action():
    normalised = normalize_scheduled_action(AWS_ACTION)
    assert normalised["timezone"] == "UTC"
    assert normalised["start_time"] == "2030-01-01T00:00:00+00:00"
    assert normalised["end_time"] is None
    assert normalised["scalable_target_action"] == {"min_capacity": 0, "max_capacity": 1}
    assert normalised["scheduled_action_arn"] == AWS_ACTION["ScheduledActionARN"]
    wanted, _errors = wanted_scheduled_action(action(start_time="2030-01-01T00:00:00Z"), 0)
    assert comparable_scheduled_action(normalised) == wanted


def test_normalize_scheduled_action_drops_null_capacities():
    normalised = normalize_scheduled_action(
        dict(AWS_ACTION, ScalableTargetAction={"MinCapacity": 2, "MaxCapacity": None}, Timezone="Europe/Berlin")
    )
    assert normalised["scalable_target_action"] == {"min_capacity": 2}
    assert normalised["timezone"] == "Europe/Berlin"


@pytest.mark.parametrize(
    ("current", "wanted", "expected"),
    [
        ({}, {}, []),
        ({"start_time": "t"}, {"start_time": "t"}, []),
        ({"start_time": "t"}, {"start_time": None}, ["start_time"]),
        ({"end_time": "t"}, {}, ["end_time"]),
        ({"start_time": None}, {"start_time": "t"}, []),
        (
            {"scalable_target_action": {"min_capacity": 1, "max_capacity": 2}},
            {"scalable_target_action": {"max_capacity": 3}},
            ["scalable_target_action.min_capacity"],
        ),
        (
            {"scalable_target_action": {"min_capacity": 1}},
            {"scalable_target_action": {"min_capacity": 1, "max_capacity": 3}},
            [],
        ),
    ],
)
def test_needs_recreate(current, wanted, expected):
    wanted = dict({"scalable_target_action": {}}, **wanted)
    assert needs_recreate(current, wanted) == expected


def test_scheduled_action_request():
    wanted, _errors = wanted_scheduled_action(action(timezone="Europe/Berlin", start_time="2030-01-01T00:00:00Z"), 0)
    assert scheduled_action_request(wanted) == {
        "ScheduledActionName": "night",
        "Schedule": "cron(0 20 * * ? *)",
        "Timezone": "Europe/Berlin",
        "ScalableTargetAction": {"MinCapacity": 0, "MaxCapacity": 1},
        "StartTime": datetime.datetime(2030, 1, 1, tzinfo=UTC),
    }


# --- wanted state -------------------------------------------------------------------------------------------------


def test_wanted_scaling():
    wanted = wanted_scaling(params(target_tracking_policies=[policy()], scheduled_actions=[action()]))
    assert wanted["resource_id"] == RID
    assert (wanted["min_capacity"], wanted["max_capacity"]) == (1, 4)
    assert list(wanted["policies"]) == ["cpu"]
    assert list(wanted["scheduled_actions"]) == ["night"]
    assert wanted["purge_policies"] is True and wanted["purge_scheduled_actions"] is True


def test_wanted_scaling_leaves_unset_lists_unset():
    wanted = wanted_scaling(params())
    assert wanted["policies"] is None and wanted["scheduled_actions"] is None
    wanted = wanted_scaling(params(target_tracking_policies=[], scheduled_actions=[]))
    assert wanted["policies"] == {} and wanted["scheduled_actions"] == {}


def test_wanted_scaling_reports_every_error():
    with pytest.raises(ScalingInputError) as raised:
        wanted_scaling(
            params(
                service="a b",
                min_capacity=None,
                max_capacity=-1,
                target_tracking_policies=[policy(), policy(target_value=70), policy(name="m", metric=ALB)],
                scheduled_actions=[action(schedule="x")],
            )
        )
    message = str(raised.value)
    for part in (
        "service 'a b'",
        "min_capacity is required",
        "max_capacity must be an integer of at least 0",
        "names 'cpu' more than once",
        "target_tracking_policies[m]: metric alb_request_count_per_target needs",
        "scheduled_actions[night].schedule 'x'",
    ):
        assert part in message
