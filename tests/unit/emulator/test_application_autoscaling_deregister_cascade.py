"""DeregisterScalableTarget deletes the target's policies and scheduled actions
(emulator/extensions/application_autoscaling_deregister_cascade.py)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from emulator.extensions import application_autoscaling_deregister_cascade

NAMESPACE = "ecs"
DIMENSION = "ecs:service:DesiredCount"


def create_service(ecs: Any) -> str:
    """A fresh ECS service (the emulator is shared by the session); returns its scalable target's resource ID."""
    cluster = f"cluster-{uuid.uuid4().hex[:10]}"
    service = f"svc-{uuid.uuid4().hex[:6]}"
    ecs.create_cluster(clusterName=cluster)
    family = f"family-{uuid.uuid4().hex[:8]}"
    ecs.register_task_definition(family=family, containerDefinitions=[{"name": "app", "image": "nginx", "memory": 64}])
    ecs.create_service(cluster=cluster, serviceName=service, taskDefinition=family, desiredCount=1)
    return f"service/{cluster}/{service}"


def register_with_policy_and_action(aas: Any, resource_id: str) -> None:
    key = {"ServiceNamespace": NAMESPACE, "ResourceId": resource_id, "ScalableDimension": DIMENSION}
    aas.register_scalable_target(MinCapacity=1, MaxCapacity=4, **key)
    aas.put_scaling_policy(
        PolicyName="cpu",
        PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration={
            "TargetValue": 60.0,
            "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"},
        },
        **key,
    )
    aas.put_scheduled_action(
        ScheduledActionName="night",
        Schedule="cron(0 20 * * ? *)",
        ScalableTargetAction={"MinCapacity": 0, "MaxCapacity": 1},
        **key,
    )


def policies_of(aas: Any, resource_id: str) -> list[str]:
    policies = aas.describe_scaling_policies(ServiceNamespace=NAMESPACE, ResourceId=resource_id)["ScalingPolicies"]
    return [p["PolicyName"] for p in policies if p["ResourceId"] == resource_id]


def actions_of(aas: Any, resource_id: str) -> list[str]:
    actions = aas.describe_scheduled_actions(ServiceNamespace=NAMESPACE, ResourceId=resource_id)["ScheduledActions"]
    return [a["ScheduledActionName"] for a in actions if a["ResourceId"] == resource_id]


def deregister(aas: Any, resource_id: str) -> None:
    aas.deregister_scalable_target(ServiceNamespace=NAMESPACE, ResourceId=resource_id, ScalableDimension=DIMENSION)


@pytest.fixture(scope="module")
def ecs(aws_client: Callable[[str], Any]) -> Any:
    return aws_client("ecs")


@pytest.fixture(scope="module")
def aas(aws_client: Callable[[str], Any]) -> Any:
    return aws_client("application-autoscaling")


@pytest.fixture(scope="module")
def cloudwatch(aws_client: Callable[[str], Any]) -> Any:
    return aws_client("cloudwatch")


# --------------------------------------------------------------------------- through the emulator


def test_deregister_deletes_policies_and_scheduled_actions(ecs: Any, aas: Any) -> None:
    resource_id = create_service(ecs)
    register_with_policy_and_action(aas, resource_id)
    assert policies_of(aas, resource_id) == ["cpu"]
    assert actions_of(aas, resource_id) == ["night"]

    deregister(aas, resource_id)

    assert policies_of(aas, resource_id) == []
    assert actions_of(aas, resource_id) == []


def test_deregister_deletes_the_policy_alarms(ecs: Any, aas: Any, cloudwatch: Any) -> None:
    resource_id = create_service(ecs)
    register_with_policy_and_action(aas, resource_id)
    policy = aas.describe_scaling_policies(ServiceNamespace=NAMESPACE, ResourceId=resource_id)["ScalingPolicies"][0]
    alarm_names = [alarm["AlarmName"] for alarm in policy["Alarms"]]
    assert alarm_names and len(cloudwatch.describe_alarms(AlarmNames=alarm_names)["MetricAlarms"]) == len(alarm_names)

    deregister(aas, resource_id)

    assert cloudwatch.describe_alarms(AlarmNames=alarm_names)["MetricAlarms"] == []


def test_other_targets_keep_theirs(ecs: Any, aas: Any) -> None:
    kept, dropped = create_service(ecs), create_service(ecs)
    register_with_policy_and_action(aas, kept)
    register_with_policy_and_action(aas, dropped)

    deregister(aas, dropped)

    assert policies_of(aas, kept) == ["cpu"]
    assert actions_of(aas, kept) == ["night"]


def test_registering_again_starts_without_policies(ecs: Any, aas: Any) -> None:
    resource_id = create_service(ecs)
    register_with_policy_and_action(aas, resource_id)
    deregister(aas, resource_id)

    aas.register_scalable_target(
        ServiceNamespace=NAMESPACE, ResourceId=resource_id, ScalableDimension=DIMENSION, MinCapacity=1, MaxCapacity=2
    )

    assert policies_of(aas, resource_id) == []
    assert actions_of(aas, resource_id) == []


def test_unknown_target_is_still_refused(ecs: Any, aas: Any) -> None:
    resource_id = create_service(ecs)

    with pytest.raises(ClientError) as raised:
        deregister(aas, resource_id)

    assert raised.value.response["Error"]["Code"] == "ValidationException"


# --------------------------------------------------------------------------- plain moto


def test_moto_alone_keeps_policies_and_install_fixes_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Proves the extension is still needed: if the first assertion fails, moto fixed the gap; drop the extension."""
    from moto import mock_aws
    from moto.applicationautoscaling.models import ApplicationAutoscalingBackend

    current = ApplicationAutoscalingBackend.deregister_scalable_target
    moto_original = getattr(current, "__wrapped__", current)
    monkeypatch.setattr(ApplicationAutoscalingBackend, "deregister_scalable_target", moto_original)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)  # mock_aws intercepts the real AWS endpoints only

    with mock_aws():
        session = boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
        )
        ecs, aas = session.client("ecs"), session.client("application-autoscaling")
        left_behind = create_service(ecs)
        register_with_policy_and_action(aas, left_behind)
        assert not application_autoscaling_deregister_cascade.is_installed()
        deregister(aas, left_behind)
        assert policies_of(aas, left_behind) == ["cpu"]
        assert actions_of(aas, left_behind) == ["night"]

        application_autoscaling_deregister_cascade.install()
        application_autoscaling_deregister_cascade.install()

        assert application_autoscaling_deregister_cascade.is_installed()
        installed = ApplicationAutoscalingBackend.deregister_scalable_target
        assert installed.__wrapped__ is moto_original, "install() must not wrap twice"
        cascaded = create_service(ecs)
        register_with_policy_and_action(aas, cascaded)
        deregister(aas, cascaded)
        assert policies_of(aas, cascaded) == []
        assert actions_of(aas, cascaded) == []
