"""Task definitions come back with the defaults AWS fills in (emulator/extensions/ecs_task_definition_defaults.py)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

import boto3
import botocore.session
import pytest

from emulator.extensions import ecs_task_definition_defaults
from emulator.extensions.ecs_task_definition_defaults import EFS_DEFAULTS, HEALTH_CHECK_DEFAULTS


def register(ecs: Any, **overrides: Any) -> dict[str, Any]:
    """A Fargate task definition like the one of AWS's answer quoted in the extension's docstring."""
    params: dict[str, Any] = {
        "family": f"defaults-{uuid.uuid4().hex[:12]}",
        "networkMode": "awsvpc",
        "requiresCompatibilities": ["FARGATE"],
        "cpu": "256",
        "memory": "512",
        "containerDefinitions": [
            {
                "name": "app",
                "image": "nginx:1.27.3",
                "essential": True,
                "portMappings": [{"containerPort": 8080, "protocol": "tcp"}],
                "environment": [{"name": "DB_PORT", "value": "5432"}],
                "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/app"}},
            }
        ],
    }
    params.update(overrides)
    return ecs.register_task_definition(**params)["taskDefinition"]


def container(definition: dict[str, Any], name: str = "app") -> dict[str, Any]:
    return next(c for c in definition["containerDefinitions"] if c["name"] == name)


@pytest.fixture(scope="module")
def ecs(aws_client: Callable[[str], Any]) -> Any:
    return aws_client("ecs")


# --------------------------------------------------------------------------- through the emulator


def test_registration_answers_with_the_filled_in_definition(ecs: Any) -> None:
    registered = register(ecs)
    described = ecs.describe_task_definition(taskDefinition=registered["taskDefinitionArn"])["taskDefinition"]

    for definition in (registered, described):
        app = container(definition)
        assert (app["cpu"], app["essential"]) == (0, True)
        assert (app["mountPoints"], app["volumesFrom"], app["systemControls"]) == ([], [], [])
        assert app["portMappings"] == [{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}]
        assert app["environment"] == [{"name": "DB_PORT", "value": "5432"}], "given values are kept"
        assert "healthCheck" not in app and "versionConsistency" not in app, "AWS adds neither unasked"
        assert (definition["volumes"], definition["placementConstraints"]) == ([], [])
        assert definition["registeredAt"]
    assert described["registeredAt"] == registered["registeredAt"]


def test_a_bare_container_gets_every_default(ecs: Any) -> None:
    app = container(register(ecs, containerDefinitions=[{"name": "app", "image": "busybox:1.36"}]))

    assert {key: app[key] for key in ecs_task_definition_defaults.CONTAINER_DEFAULTS} == {
        "cpu": 0,
        "portMappings": [],
        "essential": True,
        "environment": [],
        "mountPoints": [],
        "volumesFrom": [],
        "systemControls": [],
    }


def test_a_health_check_gets_its_interval_timeout_and_retries(ecs: Any) -> None:
    registered = register(
        ecs,
        containerDefinitions=[
            {"name": "app", "image": "nginx:1.27.3", "healthCheck": {"command": ["CMD-SHELL", "true"], "retries": 5}},
            {"name": "sidecar", "image": "busybox:1.36", "essential": False},
        ],
    )

    assert container(registered)["healthCheck"] == {
        "command": ["CMD-SHELL", "true"],
        "interval": 30,
        "timeout": 5,
        "retries": 5,
    }, "no startPeriod: it is off unless given"
    assert container(registered, "sidecar")["essential"] is False


def test_an_efs_volume_gets_transit_encryption_and_iam_off(ecs: Any) -> None:
    registered = register(
        ecs,
        volumes=[
            {"name": "plain", "efsVolumeConfiguration": {"fileSystemId": "fs-0123456789abcdef0"}},
            {
                "name": "access-point",
                "efsVolumeConfiguration": {
                    "fileSystemId": "fs-0123456789abcdef0",
                    "transitEncryption": "ENABLED",
                    "authorizationConfig": {"accessPointId": "fsap-0123456789abcdef0"},
                },
            },
        ],
    )
    volumes = {volume["name"]: volume["efsVolumeConfiguration"] for volume in registered["volumes"]}

    assert volumes["plain"] == {
        "fileSystemId": "fs-0123456789abcdef0",
        "rootDirectory": "/",
        "transitEncryption": "DISABLED",
    }
    assert volumes["access-point"] == {
        "fileSystemId": "fs-0123456789abcdef0",
        "rootDirectory": "/",
        "transitEncryption": "ENABLED",
        "authorizationConfig": {"accessPointId": "fsap-0123456789abcdef0", "iam": "DISABLED"},
    }


# --------------------------------------------------------------------------- the values against AWS's documentation


def test_the_filled_values_are_the_documented_ones() -> None:
    """botocore carries the API reference text of HealthCheck, EFSVolumeConfiguration and EFSAuthorizationConfig."""
    model = botocore.session.get_session().get_service_model("ecs")

    def text(shape: str, member: str) -> str:
        return " ".join(re.sub(r"<[^>]+>", "", model.shape_for(shape).members[member].documentation).split())

    assert f"The default value is {HEALTH_CHECK_DEFAULTS['interval']} seconds." in text("HealthCheck", "interval")
    assert f"The default value is {HEALTH_CHECK_DEFAULTS['timeout']}." in text("HealthCheck", "timeout")
    assert f"The default value is {HEALTH_CHECK_DEFAULTS['retries']}." in text("HealthCheck", "retries")
    assert "By default, the startPeriod is off." in text("HealthCheck", "startPeriod")
    omitted = f"If this parameter is omitted, the default value of {EFS_DEFAULTS['transitEncryption']} is used."
    assert omitted in text("EFSVolumeConfiguration", "transitEncryption")
    assert omitted in text("EFSAuthorizationConfig", "iam")


# --------------------------------------------------------------------------- plain moto


def test_moto_alone_lacks_the_defaults_and_install_fills_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """Proves the extension is still needed: if the first assertions fail, moto fixed the gap; drop the extension."""
    from moto import mock_aws
    from moto.ecs.models import EC2ContainerServiceBackend

    original = EC2ContainerServiceBackend.register_task_definition
    while getattr(original, "emulator_extension", None) is not None:
        original = original.__wrapped__
    monkeypatch.setattr(EC2ContainerServiceBackend, "register_task_definition", original)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)  # mock_aws intercepts the real AWS endpoints only

    health_check = [{"name": "app", "image": "nginx:1.27.3", "healthCheck": {"command": ["CMD-SHELL", "true"]}}]
    with mock_aws():
        ecs = boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
        ).client("ecs")
        assert not ecs_task_definition_defaults.is_installed()
        plain = register(ecs, containerDefinitions=health_check)
        assert "systemControls" not in container(plain)
        assert container(plain)["healthCheck"] == {"command": ["CMD-SHELL", "true"]}
        assert "registeredAt" not in plain

        ecs_task_definition_defaults.install()
        ecs_task_definition_defaults.install()

        assert ecs_task_definition_defaults.is_installed()
        assert EC2ContainerServiceBackend.register_task_definition.__wrapped__ is original, "install() wraps once"
        fixed = register(ecs, containerDefinitions=health_check)
        assert container(fixed)["systemControls"] == []
        assert container(fixed)["healthCheck"]["interval"] == 30
        assert fixed["registeredAt"]
