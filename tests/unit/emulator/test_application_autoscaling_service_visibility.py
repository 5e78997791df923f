"""RegisterScalableTarget does not see an ECS service created a moment ago, in realistic mode
(emulator/extensions/application_autoscaling_service_visibility.py)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from emulator import realism
from emulator.extensions import application_autoscaling_service_visibility
from tests.unit.emulator.conftest import REGION, set_realism
from tests.unit.helpers import wait_until

DIMENSION = "ecs:service:DesiredCount"


def ensure_service_linked_roles(iam: Any) -> None:
    """ECS's and Application Auto Scaling's service-linked roles made beforehand, so realistic mode's first
    CreateCluster and RegisterScalableTarget are not refused while they are new (service_linked_roles.py)."""
    for service in ("ecs.amazonaws.com", "ecs.application-autoscaling.amazonaws.com"):
        try:
            iam.create_service_linked_role(AWSServiceName=service)
        except ClientError as error:
            if error.response["Error"]["Code"] not in ("InvalidInput", "EntityAlreadyExists"):
                raise


def create_service(ecs: Any) -> str:
    """A fresh ECS service (the emulator is shared by the session); returns its scalable target's resource ID."""
    cluster = f"cluster-{uuid.uuid4().hex[:10]}"
    service = f"svc-{uuid.uuid4().hex[:6]}"
    ecs.create_cluster(clusterName=cluster)
    family = f"family-{uuid.uuid4().hex[:8]}"
    ecs.register_task_definition(family=family, containerDefinitions=[{"name": "app", "image": "nginx", "memory": 64}])
    ecs.create_service(cluster=cluster, serviceName=service, taskDefinition=family, desiredCount=0)
    return f"service/{cluster}/{service}"


def register(aas: Any, resource_id: str) -> str:
    return aas.register_scalable_target(
        ServiceNamespace="ecs", ResourceId=resource_id, ScalableDimension=DIMENSION, MinCapacity=1, MaxCapacity=3
    )["ScalableTargetARN"]


def error_of(call: Callable[[], Any]) -> tuple[str, str]:
    with pytest.raises(ClientError) as raised:
        call()
    return raised.value.response["Error"]["Code"], raised.value.response["Error"]["Message"]


@pytest.fixture(scope="module")
def clients(aws_client: Callable[[str], Any]) -> tuple[Any, Any]:
    ensure_service_linked_roles(aws_client("iam"))
    return aws_client("ecs"), aws_client("application-autoscaling")


# --------------------------------------------------------------------------- through the emulator


def test_plain_mode_registers_a_new_service_at_once(clients: tuple[Any, Any]) -> None:
    ecs, aas = clients
    assert register(aas, create_service(ecs))


def test_a_new_service_is_refused_until_auto_scaling_sees_it(
    clients: tuple[Any, Any], realistic: Callable[..., Any]
) -> None:
    # a window of 3 s: the register right after the create lands inside it however busy the machine
    realistic(time_scale=0.6)
    window = realism.TYPICAL["scalable_target.service_visibility"].seconds * 0.6
    ecs, aas = clients
    started = time.monotonic()
    resource_id = create_service(ecs)

    assert error_of(lambda: register(aas, resource_id)) == (
        "ValidationException",
        f"ECS service doesn't exist: {resource_id}",
    )
    assert aas.describe_scalable_targets(ServiceNamespace="ecs", ResourceIds=[resource_id])["ScalableTargets"] == []

    def registered() -> bool:
        try:
            return bool(register(aas, resource_id))
        except ClientError as error:
            assert error.response["Error"]["Code"] == "ValidationException"
            return False

    wait_until(registered, "Auto Scaling sees the service", timeout=window + 10, interval=0.05)
    assert time.monotonic() - started >= window * 0.9


def test_a_service_made_before_realistic_mode_stays_visible(
    clients: tuple[Any, Any], realistic: Callable[..., Any], emulator_endpoint: str
) -> None:
    """The delay is fixed when the service is created: switching modes moves no service back."""
    ecs, aas = clients
    set_realism(emulator_endpoint, realistic=False)
    resource_id = create_service(ecs)
    realistic(time_scale=1.0)
    assert register(aas, resource_id)


def test_a_missing_service_is_still_refused_by_moto(clients: tuple[Any, Any]) -> None:
    ecs, aas = clients
    resource_id = create_service(ecs).rsplit("/", 1)[0] + "/missing"
    assert error_of(lambda: register(aas, resource_id)) == (
        "ValidationException",
        f"ECS service doesn't exist: {resource_id}",
    )


# --------------------------------------------------------------------------- plain moto


def test_moto_alone_sees_a_new_service_at_once_and_install_does_not(monkeypatch: pytest.MonkeyPatch) -> None:
    """Proves the extension is still needed: if the first assertion fails, moto fixed the gap; drop the extension."""
    from moto import mock_aws
    from moto.applicationautoscaling.models import ApplicationAutoscalingBackend
    from moto.ecs.models import EC2ContainerServiceBackend

    for owner, name in (
        (EC2ContainerServiceBackend, "create_service"),
        (ApplicationAutoscalingBackend, "register_scalable_target"),
    ):
        method = getattr(owner, name)
        while hasattr(method, "__wrapped__"):
            method = method.__wrapped__
        monkeypatch.setattr(owner, name, method)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)

    try:
        realism.configure({"realistic": True, "time_scale": 1.0})
        with mock_aws():
            session = boto3.session.Session(
                aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
            )
            ecs, aas = session.client("ecs"), session.client("application-autoscaling")
            assert not application_autoscaling_service_visibility.is_installed()
            assert register(aas, create_service(ecs)), "moto sees a new service at once"

            application_autoscaling_service_visibility.install()
            application_autoscaling_service_visibility.install()

            assert application_autoscaling_service_visibility.is_installed()
            assert not hasattr(ApplicationAutoscalingBackend.register_scalable_target.__wrapped__, "__wrapped__"), (
                "install() must not wrap twice"
            )
            resource_id = create_service(ecs)
            assert error_of(lambda: register(aas, resource_id))[0] == "ValidationException"
    finally:
        realism.reset()
