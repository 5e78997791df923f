"""cloudops.fargate.ecs_service_scaling against moto in this process; every outcome is read back with boto3."""

from __future__ import annotations

import datetime
import functools

import pytest

from ansible_collections.cloudops.fargate.plugins.modules import ecs_service_scaling
from tests.unit import helpers
from tests.unit.helpers import assert_ok

CLUSTER = "unit-cluster"
SERVICE = "web"
RESOURCE_ID = f"service/{CLUSTER}/{SERVICE}"
NAMESPACE = "ecs"
DIMENSION = "ecs:service:DesiredCount"
KEY = {"ServiceNamespace": NAMESPACE, "ScalableDimension": DIMENSION}

LB_ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/unit-alb/0123456789abcdef"
TG_ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/unit-web/fedcba9876543210"
LABEL = "app/unit-alb/0123456789abcdef/targetgroup/unit-web/fedcba9876543210"

CPU_POLICY = {"name": "cpu", "metric": "cpu", "target_value": 60}
CPU_COMPARED = {
    "policy_name": "cpu",
    "policy_type": "TargetTrackingScaling",
    "target_tracking_scaling_policy_configuration": {
        "target_value": 60.0,
        "predefined_metric_specification": {"predefined_metric_type": "ECSServiceAverageCPUUtilization"},
        "scale_in_cooldown": 300,
        "scale_out_cooldown": 300,
        "disable_scale_in": False,
    },
}
NIGHT = {
    "name": "night",
    "schedule": "cron(0 20 * * ? *)",
    "timezone": "Europe/Berlin",
    "min_capacity": 0,
    "max_capacity": 1,
}
NIGHT_COMPARED = {
    "scheduled_action_name": "night",
    "schedule": "cron(0 20 * * ? *)",
    "timezone": "Europe/Berlin",
    "start_time": None,
    "end_time": None,
    "scalable_target_action": {"min_capacity": 0, "max_capacity": 1},
}


@pytest.fixture(autouse=True)
def deregister_cascade_extension():
    """On AWS, deregistering a scalable target deletes its policies and scheduled actions; moto 5.2.5 needs the
    project's extension to do the same."""
    from emulator.extensions import application_autoscaling_deregister_cascade

    application_autoscaling_deregister_cascade.install()


@pytest.fixture
def ecs(aws):
    client = aws("ecs")
    client.create_cluster(clusterName=CLUSTER)
    client.register_task_definition(
        family="unit", containerDefinitions=[{"name": "app", "image": "nginx", "memory": 64}]
    )
    client.create_service(
        cluster=CLUSTER, serviceName=SERVICE, taskDefinition="unit", desiredCount=2, launchType="FARGATE"
    )
    return client


@pytest.fixture
def aas(aws, ecs):
    return aws("application-autoscaling")


@pytest.fixture
def args():
    return {
        "cluster": CLUSTER,
        "service": SERVICE,
        "min_capacity": 1,
        "max_capacity": 4,
        "target_tracking_policies": [CPU_POLICY],
        "scheduled_actions": [NIGHT],
    }


@pytest.fixture
def run(run_module):
    def run_scaling(args, check_mode=False, diff=False):
        return run_module(ecs_service_scaling, args, check_mode=check_mode, diff=diff)

    return run_scaling


@pytest.fixture
def created(run, args, aas):
    assert_ok(run(args), changed=True)
    return snapshot(aas)


def targets(aas, resource_id=RESOURCE_ID):
    found = aas.describe_scalable_targets(ServiceNamespace=NAMESPACE)["ScalableTargets"]
    return [t for t in found if t["ResourceId"] == resource_id]


def capacity_of(aas):
    (target,) = targets(aas)
    return target["MinCapacity"], target["MaxCapacity"]


def policies(aas, resource_id=RESOURCE_ID):
    found = aas.describe_scaling_policies(ServiceNamespace=NAMESPACE, ResourceId=resource_id)["ScalingPolicies"]
    return {p["PolicyName"]: p for p in found if p["ResourceId"] == resource_id}


def actions(aas, resource_id=RESOURCE_ID):
    found = aas.describe_scheduled_actions(ServiceNamespace=NAMESPACE, ResourceId=resource_id)["ScheduledActions"]
    return {a["ScheduledActionName"]: a for a in found if a["ResourceId"] == resource_id}


def config_of(aas, name):
    return policies(aas)[name]["TargetTrackingScalingPolicyConfiguration"]


def snapshot(aas):
    """Everything a failed or check-mode run must leave untouched."""
    return {"targets": targets(aas), "policies": policies(aas), "actions": actions(aas)}


SERVER_FIELDS = ("policy_arn", "alarms", "creation_time", "scheduled_action_arn", "scalable_target_arn")


def without_server_fields(result):
    """What check mode can predict: everything but the ARNs, alarms and creation times AWS assigns."""

    def strip(item):
        return {k: v for k, v in item.items() if k not in SERVER_FIELDS}

    return {
        "scalable_target": strip(result["scalable_target"]),
        "policies": [strip(p) for p in result["policies"]],
        "scheduled_actions": [strip(a) for a in result["scheduled_actions"]],
    }


# The four steps (STYLE.md 14) on this module's resource.
four_steps = functools.partial(helpers.four_steps, snapshot=snapshot, normalise=without_server_fields)


# --- create ------------------------------------------------------------------------------------------------


def test_create_four_steps(run, args, aas):
    # 1. check mode predicts and registers nothing
    result = run(args, check_mode=True, diff=True)
    assert_ok(result, changed=True)
    assert snapshot(aas) == {"targets": [], "policies": {}, "actions": {}}
    assert result["scalable_target"] == {
        "service_namespace": NAMESPACE,
        "resource_id": RESOURCE_ID,
        "scalable_dimension": DIMENSION,
        "min_capacity": 1,
        "max_capacity": 4,
    }
    common = {"service_namespace": NAMESPACE, "resource_id": RESOURCE_ID, "scalable_dimension": DIMENSION}
    assert result["policies"] == [dict(CPU_COMPARED, **common)]
    assert result["scheduled_actions"] == [dict(NIGHT_COMPARED, **common)]
    assert result["diff"] == {
        "before": {"scalable_target": {}, "policies": {"cpu": None}, "scheduled_actions": {"night": None}},
        "after": {
            "scalable_target": {"min_capacity": 1, "max_capacity": 4},
            "policies": {"cpu": CPU_COMPARED},
            "scheduled_actions": {"night": NIGHT_COMPARED},
        },
    }
    predicted = result

    # 2. for real
    result = run(args, diff=True)
    assert_ok(result, changed=True)
    assert capacity_of(aas) == (1, 4)
    assert config_of(aas, "cpu") == {
        "TargetValue": 60.0,
        "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"},
        "ScaleInCooldown": 300,
        "ScaleOutCooldown": 300,
        "DisableScaleIn": False,
    }
    night = actions(aas)["night"]
    assert (night["Schedule"], night["Timezone"], night["ScalableTargetAction"]) == (
        "cron(0 20 * * ? *)",
        "Europe/Berlin",
        {"MinCapacity": 0, "MaxCapacity": 1},
    )
    assert result["diff"] == predicted["diff"]
    assert without_server_fields(result) == without_server_fields(predicted)
    assert result["scalable_target"]["scalable_target_arn"] == targets(aas)[0]["ScalableTargetARN"]
    assert result["policies"][0]["policy_arn"] == policies(aas)["cpu"]["PolicyARN"]
    assert result["scheduled_actions"][0]["scheduled_action_arn"] == night["ScheduledActionARN"]

    # 3. and 4. again: nothing to do
    state = snapshot(aas)
    result = run(args, check_mode=True, diff=True)
    assert_ok(result, changed=False)
    assert result["diff"] == {"before": {}, "after": {}}
    assert_ok(run(args), changed=False)
    assert snapshot(aas) == state


def test_create_target_only(run, aas):
    args = {"cluster": CLUSTER, "service": SERVICE, "min_capacity": 2, "max_capacity": 2}
    result = run(args)
    assert_ok(result, changed=True)
    assert capacity_of(aas) == (2, 2)
    assert result["policies"] == [] and result["scheduled_actions"] == []
    assert_ok(run(args), changed=False)


def test_arns_are_accepted_for_cluster_and_service(run, args, aas, ecs, created):
    cluster_arn = ecs.describe_clusters(clusters=[CLUSTER])["clusters"][0]["clusterArn"]
    service_arn = ecs.describe_services(cluster=CLUSTER, services=[SERVICE])["services"][0]["serviceArn"]
    result = run(dict(args, cluster=cluster_arn, service=service_arn))
    assert_ok(result, changed=False)
    assert result["scalable_target"]["resource_id"] == RESOURCE_ID


def test_interrupted_run_is_completed_without_duplicates(run, args, aas):
    """A run interrupted after RegisterScalableTarget: the next one finds the target and adds what is missing."""
    aas.register_scalable_target(ResourceId=RESOURCE_ID, MinCapacity=1, MaxCapacity=4, **KEY)
    result = run(args, diff=True)
    assert_ok(result, changed=True)
    assert set(result["diff"]["after"]) == {"policies", "scheduled_actions"}
    assert len(targets(aas)) == 1
    assert list(policies(aas)) == ["cpu"] and list(actions(aas)) == ["night"]
    assert_ok(run(args), changed=False)


# --- updates -------------------------------------------------------------------------------------------------


def test_capacity_in_place(run, args, aas, created):
    four_steps(
        run,
        dict(args, min_capacity=2, max_capacity=8),
        aas,
        capacity_of,
        expected=(2, 8),
        diff_before={"scalable_target": {"min_capacity": 1, "max_capacity": 4}},
        diff_after={"scalable_target": {"min_capacity": 2, "max_capacity": 8}},
    )


def test_only_the_changed_capacity_is_in_the_diff(run, args, aas, created):
    result = run(dict(args, max_capacity=6), diff=True)
    assert_ok(result, changed=True)
    assert result["diff"] == {
        "before": {"scalable_target": {"max_capacity": 4}},
        "after": {"scalable_target": {"max_capacity": 6}},
    }
    assert capacity_of(aas) == (1, 6)


@pytest.mark.parametrize(
    ("change", "field", "value"),
    [
        ({"target_value": 75}, "target_value", 75.0),
        ({"scale_in_cooldown": 600}, "scale_in_cooldown", 600),
        ({"scale_out_cooldown": 30}, "scale_out_cooldown", 30),
        ({"disable_scale_in": True}, "disable_scale_in", True),
    ],
)
def test_policy_field_in_place(run, args, aas, created, change, field, value):
    arn = policies(aas)["cpu"]["PolicyARN"].split(":resource/")[1]
    changed = dict(
        CPU_COMPARED,
        target_tracking_scaling_policy_configuration=dict(
            CPU_COMPARED["target_tracking_scaling_policy_configuration"], **{field: value}
        ),
    )
    api_name = {
        "target_value": "TargetValue",
        "scale_in_cooldown": "ScaleInCooldown",
        "scale_out_cooldown": "ScaleOutCooldown",
        "disable_scale_in": "DisableScaleIn",
    }[field]
    four_steps(
        run,
        dict(args, target_tracking_policies=[dict(CPU_POLICY, **change)]),
        aas,
        lambda client: config_of(client, "cpu")[api_name],
        expected=value,
        diff_before={"policies": {"cpu": CPU_COMPARED}},
        diff_after={"policies": {"cpu": changed}},
    )
    assert policies(aas)["cpu"]["PolicyARN"].split(":resource/")[1] == arn


def test_metric_change_in_place(run, args, aas, created):
    result = run(dict(args, target_tracking_policies=[dict(CPU_POLICY, metric="memory")]), diff=True)
    assert_ok(result, changed=True)
    assert config_of(aas, "cpu")["PredefinedMetricSpecification"] == {
        "PredefinedMetricType": "ECSServiceAverageMemoryUtilization"
    }
    assert list(result["diff"]["after"]["policies"]) == ["cpu"]


def test_aws_metric_names_are_accepted(run, args, aas, created):
    same = dict(args, target_tracking_policies=[dict(CPU_POLICY, metric="ECSServiceAverageCPUUtilization")])
    assert_ok(run(same), changed=False)


def test_policy_without_aws_defaults_equals_the_defaults(run, args, aas, created):
    """A policy AWS reports without cooldowns and DisableScaleIn (put by someone else) equals the module's defaults."""
    aas.put_scaling_policy(
        PolicyName="cpu",
        ResourceId=RESOURCE_ID,
        PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration={
            "TargetValue": 60,
            "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"},
        },
        **KEY,
    )
    assert "ScaleInCooldown" not in config_of(aas, "cpu")
    assert_ok(run(args, check_mode=True), changed=False)
    assert_ok(run(args), changed=False)


def test_alb_policy_from_arns_and_from_label(run, args, aas, created):
    from_arns = dict(
        args,
        target_tracking_policies=[
            CPU_POLICY,
            {
                "name": "requests",
                "metric": "alb_request_count_per_target",
                "target_value": 1000,
                "target_group_arn": TG_ARN,
                "load_balancer_arn": LB_ARN,
            },
        ],
    )
    result = run(from_arns, diff=True)
    assert_ok(result, changed=True)
    assert result["diff"]["before"] == {"policies": {"requests": None}}
    assert config_of(aas, "requests")["PredefinedMetricSpecification"] == {
        "PredefinedMetricType": "ALBRequestCountPerTarget",
        "ResourceLabel": LABEL,
    }
    assert [p["policy_name"] for p in result["policies"]] == ["cpu", "requests"]
    from_label = dict(
        args,
        target_tracking_policies=[
            CPU_POLICY,
            {"name": "requests", "metric": "ALBRequestCountPerTarget", "target_value": 1000.0, "resource_label": LABEL},
        ],
    )
    assert_ok(run(from_label), changed=False)
    assert_ok(run(from_arns), changed=False)


def test_step_scaling_policy_of_the_same_name_is_replaced(run, args, aas, created):
    aas.delete_scaling_policy(PolicyName="cpu", ResourceId=RESOURCE_ID, **KEY)
    aas.put_scaling_policy(
        PolicyName="cpu",
        ResourceId=RESOURCE_ID,
        PolicyType="StepScaling",
        StepScalingPolicyConfiguration={
            "AdjustmentType": "ChangeInCapacity",
            "StepAdjustments": [{"MetricIntervalLowerBound": 0, "ScalingAdjustment": 1}],
        },
        **KEY,
    )
    result = run(args, diff=True)
    assert_ok(result, changed=True)
    assert result["diff"]["before"]["policies"]["cpu"]["policy_type"] == "StepScaling"
    policy = policies(aas)["cpu"]
    assert policy["PolicyType"] == "TargetTrackingScaling"
    assert "StepScalingPolicyConfiguration" not in policy
    assert_ok(run(args), changed=False)


def test_scheduled_action_in_place(run, args, aas, created):
    changed_night = dict(NIGHT, schedule="cron(0 22 * * ? *)", max_capacity=2, start_time="2030-01-01T00:00:00Z")
    after = dict(
        NIGHT_COMPARED,
        schedule="cron(0 22 * * ? *)",
        start_time="2030-01-01T00:00:00+00:00",
        scalable_target_action={"min_capacity": 0, "max_capacity": 2},
    )

    def read_back(client):
        action = actions(client)["night"]
        return action["Schedule"], action["ScalableTargetAction"], action["StartTime"]

    four_steps(
        run,
        dict(args, scheduled_actions=[changed_night]),
        aas,
        read_back,
        expected=(
            "cron(0 22 * * ? *)",
            {"MinCapacity": 0, "MaxCapacity": 2},
            datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc),
        ),
        diff_before={"scheduled_actions": {"night": NIGHT_COMPARED}},
        diff_after={"scheduled_actions": {"night": after}},
    )


@pytest.mark.parametrize(
    "spelling",
    ["2030-01-01T00:00:00Z", "2030-01-01T00:00:00+00:00", "2030-01-01 00:00:00", "2030-01-01T01:00:00+01:00"],
)
def test_times_compare_in_utc(run, args, aas, spelling):
    with_start = dict(args, scheduled_actions=[dict(NIGHT, start_time="2030-01-01T00:00:00Z")])
    assert_ok(run(with_start), changed=True)
    assert_ok(run(dict(args, scheduled_actions=[dict(NIGHT, start_time=spelling)])), changed=False)


def test_timezone_utc_is_the_default(run, args, aas):
    utc_night = dict(NIGHT, timezone=None)
    result = run(dict(args, scheduled_actions=[utc_night]))
    assert_ok(result, changed=True)
    assert result["scheduled_actions"][0]["timezone"] == "UTC"
    assert_ok(run(dict(args, scheduled_actions=[dict(NIGHT, timezone="UTC")])), changed=False)
    assert_ok(run(dict(args, scheduled_actions=[utc_night])), changed=False)


def test_dropping_an_end_time_removes_it(run, args, aas):
    bounded = dict(NIGHT, start_time="2030-01-01T00:00:00Z", end_time="2030-06-01T00:00:00Z")
    assert_ok(run(dict(args, scheduled_actions=[bounded])), changed=True)
    assert "EndTime" in actions(aas)["night"]
    created_at = actions(aas)["night"]["CreationTime"]
    unbounded = dict(NIGHT, start_time="2030-01-01T00:00:00Z")
    result = run(dict(args, scheduled_actions=[unbounded]), diff=True)
    assert_ok(result, changed=True)
    assert result["diff"]["before"]["scheduled_actions"]["night"]["end_time"] == "2030-06-01T00:00:00+00:00"
    assert result["diff"]["after"]["scheduled_actions"]["night"]["end_time"] is None
    assert actions(aas)["night"].get("EndTime") is None
    # AWS keeps a field PutScheduledAction leaves out, so the action was deleted and put again
    assert actions(aas)["night"]["CreationTime"] > created_at
    assert actions(aas)["night"]["StartTime"] == datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc)
    assert_ok(run(dict(args, scheduled_actions=[unbounded])), changed=False)


def test_dropping_a_capacity_of_a_scheduled_action_removes_it(run, args, aas, created):
    only_max = {k: v for k, v in NIGHT.items() if k != "min_capacity"}
    assert_ok(run(dict(args, scheduled_actions=[only_max])), changed=True)
    assert actions(aas)["night"]["ScalableTargetAction"] == {"MaxCapacity": 1}
    assert_ok(run(dict(args, scheduled_actions=[only_max])), changed=False)


# --- purge -----------------------------------------------------------------------------------------------------


def test_purge_unwanted_policies_and_actions(run, args, aas, created):
    morning = {"name": "morning", "schedule": "cron(0 7 ? * MON-FRI *)", "min_capacity": 2}
    memory = {"name": "memory", "metric": "memory", "target_value": 70}
    assert_ok(
        run(dict(args, target_tracking_policies=[CPU_POLICY, memory], scheduled_actions=[NIGHT, morning])), changed=True
    )
    assert sorted(policies(aas)) == ["cpu", "memory"] and sorted(actions(aas)) == ["morning", "night"]

    def read_back(client):
        return sorted(policies(client)), sorted(actions(client))

    four_steps(
        run,
        dict(args, target_tracking_policies=[memory], scheduled_actions=[morning]),
        aas,
        read_back,
        expected=(["memory"], ["morning"]),
        diff_before={"policies": {"cpu": CPU_COMPARED}, "scheduled_actions": {"night": NIGHT_COMPARED}},
        diff_after={"policies": {"cpu": None}, "scheduled_actions": {"night": None}},
    )


def test_empty_lists_purge_everything(run, args, aas, created):
    result = run(dict(args, target_tracking_policies=[], scheduled_actions=[]))
    assert_ok(result, changed=True)
    assert policies(aas) == {} and actions(aas) == {}
    assert result["policies"] == [] and result["scheduled_actions"] == []
    assert capacity_of(aas) == (1, 4)


def test_without_purge_unlisted_ones_stay(run, args, aas, created):
    memory = {"name": "memory", "metric": "memory", "target_value": 70}
    result = run(
        dict(
            args,
            target_tracking_policies=[memory],
            purge_policies=False,
            scheduled_actions=[],
            purge_scheduled_actions=False,
        )
    )
    assert_ok(result, changed=True)
    assert sorted(policies(aas)) == ["cpu", "memory"]
    assert list(actions(aas)) == ["night"]
    assert [p["policy_name"] for p in result["policies"]] == ["cpu", "memory"]


def test_lists_left_out_are_left_alone(run, args, aas, created):
    result = run({"cluster": CLUSTER, "service": SERVICE, "min_capacity": 1, "max_capacity": 4})
    assert_ok(result, changed=False)
    assert list(policies(aas)) == ["cpu"] and list(actions(aas)) == ["night"]
    assert [p["policy_name"] for p in result["policies"]] == ["cpu"]


def test_other_services_are_left_alone(run, args, aas, ecs, created):
    ecs.create_service(cluster=CLUSTER, serviceName=f"{SERVICE}2", taskDefinition="unit", desiredCount=1)
    other = dict(args, service=f"{SERVICE}2", target_tracking_policies=[], scheduled_actions=[])
    assert_ok(run(other), changed=True)
    assert list(policies(aas)) == ["cpu"] and list(actions(aas)) == ["night"]
    assert_ok(run({"cluster": CLUSTER, "service": f"{SERVICE}2", "state": "absent"}), changed=True)
    assert capacity_of(aas) == (1, 4)
    assert list(policies(aas)) == ["cpu"]


# --- absent ------------------------------------------------------------------------------------------------


def test_absent_four_steps(run, args, aas, created):
    absent = {"cluster": CLUSTER, "service": SERVICE, "state": "absent"}

    result = run(absent, check_mode=True, diff=True)
    assert_ok(result, changed=True)
    assert snapshot(aas) == created
    assert result["diff"]["before"]["scalable_target"]["min_capacity"] == 1
    assert [p["policy_name"] for p in result["diff"]["before"]["policies"]] == ["cpu"]
    assert [a["scheduled_action_name"] for a in result["diff"]["before"]["scheduled_actions"]] == ["night"]
    assert result["diff"]["after"] == {}
    assert (result["scalable_target"], result["policies"], result["scheduled_actions"]) == ({}, [], [])

    result = run(absent, diff=True)
    assert_ok(result, changed=True)
    assert snapshot(aas) == {"targets": [], "policies": {}, "actions": {}}

    assert_ok(run(absent, check_mode=True), changed=False)
    result = run(absent, diff=True)
    assert_ok(result, changed=False)
    assert result["diff"] == {"before": {}, "after": {}}


def test_absent_without_a_service(run, aas):
    assert_ok(run({"cluster": CLUSTER, "service": "never-was", "state": "absent"}), changed=False)


def test_absent_leaves_the_desired_count(run, args, aas, ecs, created):
    assert_ok(run({"cluster": CLUSTER, "service": SERVICE, "state": "absent"}), changed=True)
    assert ecs.describe_services(cluster=CLUSTER, services=[SERVICE])["services"][0]["desiredCount"] == 2


# --- the service must exist ------------------------------------------------------------------------------


def test_missing_service_fails_before_anything_is_registered(run, args, aas):
    result = run(dict(args, service="missing"))
    assert result["failed"]
    assert "ECS service missing does not exist in cluster unit-cluster" in result["msg"]
    assert (
        snapshot(aas)["targets"] == []
        and aas.describe_scaling_policies(ServiceNamespace=NAMESPACE)["ScalingPolicies"] == []
    )


def test_missing_service_in_check_mode_warns_and_predicts(run, args, aas):
    result = run(dict(args, service="missing"), check_mode=True)
    assert_ok(result, changed=True)
    assert any("ECS service missing does not exist" in w for w in result["warnings"])
    assert result["scalable_target"]["resource_id"] == f"service/{CLUSTER}/missing"
    assert aas.describe_scalable_targets(ServiceNamespace=NAMESPACE)["ScalableTargets"] == []


def test_deleted_service_fails(run, args, aas, ecs):
    ecs.update_service(cluster=CLUSTER, service=SERVICE, desiredCount=0)
    ecs.delete_service(cluster=CLUSTER, service=SERVICE)
    result = run(args)
    assert result["failed"]
    assert "ECS service web of cluster unit-cluster is deleted (" in result["msg"]
    assert snapshot(aas) == {"targets": [], "policies": {}, "actions": {}}


# --- a new service not yet visible to Application Auto Scaling ------------------------------------------------------


class _Clock:
    """A clock that moves only when something sleeps on it."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    """The emulator's clock (realism.now) and call_through's, one clock moved on only by call_through's pauses: the
    retries ride out AWS's own delays in no time, whatever the load on the machine."""
    from ansible_collections.cloudops.fargate.plugins.module_utils import _common
    from ansible_collections.cloudops.fargate.plugins.module_utils import _ecs_service_scaling
    from emulator import realism

    shared = _Clock()
    monkeypatch.setattr(realism, "now", shared)
    quick = functools.partial(_common.call_through, sleep=shared.sleep, clock=shared)
    monkeypatch.setattr(_ecs_service_scaling, "call_through", quick, raising=False)
    return shared


@pytest.fixture
def new_service(ecs, clock):
    """Service api created now, in realistic mode at AWS's own clock: Application Auto Scaling answers
    RegisterScalableTarget for it with "ECS service doesn't exist" for 5 s
    (emulator/extensions/application_autoscaling_service_visibility.py); plain mode again afterwards."""
    from emulator import realism
    from emulator.extensions import application_autoscaling_service_visibility

    application_autoscaling_service_visibility.install()
    realism.configure({"realistic": True, "time_scale": 1.0, "throttle_rate": 0.0})
    ecs.create_service(cluster=CLUSTER, serviceName="api", taskDefinition="unit", desiredCount=1, launchType="FARGATE")
    yield "api"
    realism.reset()


def test_register_right_after_create_service_waits_until_auto_scaling_sees_it(run, args, aas, calls, clock, new_service):
    started = clock()
    result = run(dict(args, service=new_service))
    assert_ok(result, changed=True)
    assert calls.count(("application-autoscaling", "RegisterScalableTarget")) > 1, "refused first"
    assert 5 <= clock() - started < 30, "retried until Application Auto Scaling saw the service, with backoff"
    assert [t["MinCapacity"] for t in targets(aas, f"service/{CLUSTER}/{new_service}")] == [1]
    assert set(policies(aas, f"service/{CLUSTER}/{new_service}")) == {"cpu"}
    assert_ok(run(dict(args, service=new_service)), changed=False)


def test_first_register_in_an_account_waits_for_the_service_linked_role(clock, run, args, aas, calls):
    """An account's first RegisterScalableTarget for ECS makes Application Auto Scaling create its service-linked role
    and is refused ("Unable to assume IAM role") until IAM has propagated it (emulator/extensions/
    service_linked_roles.py, 15 s at AWS's clock): retried, as terraform-provider-aws does, and nothing is left half
    made."""
    from emulator import realism
    from emulator.extensions import service_linked_roles

    service_linked_roles.install()
    realism.configure({"realistic": True, "time_scale": 1.0, "throttle_rate": 0.0})
    try:
        started = clock()
        result = run(args)
    finally:
        realism.reset()
    assert_ok(result, changed=True)
    assert calls.count(("application-autoscaling", "RegisterScalableTarget")) > 1, "refused first"
    assert 15 <= clock() - started < 45
    assert [t["MinCapacity"] for t in targets(aas)] == [1]
    assert set(policies(aas, RESOURCE_ID)) == {"cpu"}


def test_register_past_the_timeout_fails_saying_how_long(run, args, aas, clock, new_service, monkeypatch):
    from ansible_collections.cloudops.fargate.plugins.module_utils import _ecs_service_scaling

    monkeypatch.setattr(_ecs_service_scaling, "SERVICE_VISIBILITY_TIMEOUT", 3)  # less than AWS's 5 s
    result = run(dict(args, service=new_service))
    assert result["failed"]
    assert (
        f"Failed to register the scalable target service/{CLUSTER}/{new_service} (AWS still answered"
        " ValidationException after 3 s)" in result["msg"]
    )
    assert targets(aas, f"service/{CLUSTER}/{new_service}") == []


def test_register_refused_for_another_reason_fails_at_once(run, args, aas, calls, clock, monkeypatch):
    """Only "ECS service doesn't exist" for an ACTIVE service is retried, not every ValidationException."""
    from moto.applicationautoscaling.exceptions import AWSValidationException
    from moto.applicationautoscaling.models import ApplicationAutoscalingBackend

    def refused(self, *args, **kwargs):
        raise AWSValidationException("Maximum capacity cannot be less than minimum capacity")

    monkeypatch.setattr(ApplicationAutoscalingBackend, "register_scalable_target", refused)
    result = run(args)
    assert result["failed"]
    assert "Maximum capacity cannot be less than minimum capacity" in result["msg"]
    assert "still answered" not in result["msg"]
    assert calls.count(("application-autoscaling", "RegisterScalableTarget")) == 1


# --- bad input fails before anything changes ------------------------------------------------------------------


def _policy(**change):
    return {"target_tracking_policies": [dict(CPU_POLICY, **change)]}


def _action(**change):
    return {"scheduled_actions": [{k: v for k, v in dict(NIGHT, **change).items() if v is not None}]}


BAD_INPUTS = [
    ({"min_capacity": 5, "max_capacity": 2}, "min_capacity (5) must not be greater than max_capacity (2)"),
    ({"min_capacity": -1}, "min_capacity must be an integer of at least 0"),
    ({"min_capacity": None}, "min_capacity"),
    ({"max_capacity": None}, "max_capacity"),
    ({"cluster": "bad cluster"}, "cluster 'bad cluster' is not an ECS cluster name or ARN"),
    ({"service": "bad/service"}, "is not an ECS service name or ARN"),
    (_policy(metric="requests"), "metric"),
    (_policy(metric="alb_request_count_per_target"), "needs resource_label, or target_group_arn and load_balancer_arn"),
    (_policy(metric="alb_request_count_per_target", target_group_arn=TG_ARN), "needs resource_label"),
    (_policy(resource_label=LABEL), "only valid with metric alb_request_count_per_target"),
    (_policy(metric="alb_request_count_per_target", resource_label="targetgroup/x/1"), "is not app/<load balancer>"),
    (
        _policy(metric="alb_request_count_per_target", resource_label=LABEL, target_group_arn=TG_ARN),
        "give either resource_label or target_group_arn and load_balancer_arn",
    ),
    (
        _policy(metric="alb_request_count_per_target", target_group_arn=LB_ARN, load_balancer_arn=LB_ARN),
        "is not the ARN of a target group",
    ),
    (
        _policy(metric="alb_request_count_per_target", target_group_arn=TG_ARN, load_balancer_arn=TG_ARN),
        "is not the ARN of an Application Load Balancer",
    ),
    (_policy(target_value=0), "target_value must be a number above 0"),
    (_policy(target_value=101), "at most 100"),
    (_policy(scale_in_cooldown=-1), "scale_in_cooldown must be an integer of seconds"),
    (_policy(name="bad\tname"), "printable"),
    ({"target_tracking_policies": [CPU_POLICY, dict(CPU_POLICY, target_value=50)]}, "names 'cpu' more than once"),
    (_action(schedule="daily"), "is none of at("),
    (_action(schedule="cron(0 20 * * ?)"), "a cron expression has 6 fields"),
    (_action(schedule="rate(0 minutes)"), "the rate must be a positive integer"),
    (_action(schedule="rate(5 weeks)"), "is none of at("),
    (_action(schedule="at(2030-02-30T00:00:00)"), "is not a date and time"),
    (_action(min_capacity=3, max_capacity=1), "min_capacity (3) must not be greater than"),
    (_action(min_capacity=None, max_capacity=None), "needs min_capacity, max_capacity or both"),
    (_action(start_time="tomorrow"), "start_time 'tomorrow' is not an ISO 8601 date and time"),
    (_action(start_time="2030-02-01T00:00:00Z", end_time="2030-01-01T00:00:00Z"), "end_time must be after start_time"),
    (_action(name="a/b"), "must not contain ':', '/', '|'"),
    (_action(timezone="Mars/Olympus"), "is not an IANA time zone name"),
    ({"scheduled_actions": [NIGHT, NIGHT]}, "names 'night' more than once"),
]


@pytest.mark.parametrize(("overrides", "message"), BAD_INPUTS)
@pytest.mark.parametrize("check_mode", [True, False])
def test_bad_input_fails_before_anything_is_created(run, args, aas, overrides, message, check_mode):
    result = run({**args, **overrides}, check_mode=check_mode)
    assert result["failed"], result
    assert message in result["msg"]
    assert aas.describe_scalable_targets(ServiceNamespace=NAMESPACE)["ScalableTargets"] == []
    assert aas.describe_scaling_policies(ServiceNamespace=NAMESPACE)["ScalingPolicies"] == []
    assert aas.describe_scheduled_actions(ServiceNamespace=NAMESPACE)["ScheduledActions"] == []


@pytest.mark.parametrize(("overrides", "message"), [b for b in BAD_INPUTS if not {"cluster", "service"} & set(b[0])])
def test_bad_input_fails_on_existing_scaling_without_changes(run, args, aas, created, overrides, message):
    state = snapshot(aas)
    # a valid change alongside, to show nothing at all is applied
    result = run({**args, "max_capacity": 9, "scheduled_actions": [], **overrides})
    assert result["failed"]
    assert message in result["msg"]
    assert snapshot(aas) == state


def test_every_error_is_reported_at_once(run, args, aas):
    result = run(dict(args, min_capacity=5, max_capacity=2, **_policy(target_value=0), **_action(schedule="x")))
    assert result["failed"]
    for message in ("min_capacity (5)", "target_value must be", "is none of at("):
        assert message in result["msg"]


def test_absent_with_a_bad_service_name_fails(run, aas):
    result = run({"cluster": CLUSTER, "service": "bad service", "state": "absent"})
    assert result["failed"]
    assert "is not an ECS service name or ARN" in result["msg"]


def test_absent_ignores_present_only_options(run, aas):
    result = run({"cluster": CLUSTER, "service": SERVICE, "state": "absent", "min_capacity": 9, "max_capacity": 1})
    assert_ok(result, changed=False)
