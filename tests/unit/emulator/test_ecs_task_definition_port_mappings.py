"""Port mappings come back as AWS fills them in (emulator/extensions/ecs_task_definition_port_mappings.py)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

import boto3
import botocore.session
import pytest

from emulator.extensions import ecs_task_definition_port_mappings


def register(ecs: Any, network_mode: str, port_mappings: list[dict[str, Any]], family: str | None = None) -> dict:
    params: dict[str, Any] = {
        "family": family or f"ports-{uuid.uuid4().hex[:12]}",  # the emulator is shared by the session
        "networkMode": network_mode,
        "containerDefinitions": [
            {"name": "web", "image": "nginx:1.27.3", "memory": 128, "portMappings": port_mappings},
            {"name": "plain", "image": "busybox:1.36", "memory": 64},
        ],
    }
    if network_mode == "awsvpc":
        params.update(requiresCompatibilities=["FARGATE"], cpu="256", memory="512")
    return ecs.register_task_definition(**params)["taskDefinition"]


def mappings(definition: dict[str, Any], container: str = "web") -> list[dict[str, Any]]:
    return next(c for c in definition["containerDefinitions"] if c["name"] == container)["portMappings"]


@pytest.fixture(scope="module")
def ecs(aws_client: Callable[[str], Any]) -> Any:
    return aws_client("ecs")


# --------------------------------------------------------------------------- through the emulator


@pytest.mark.parametrize("network_mode", ["awsvpc", "host"])
def test_static_modes_get_protocol_and_host_port(ecs: Any, network_mode: str) -> None:
    registered = register(ecs, network_mode, [{"containerPort": 8080}, {"containerPort": 53, "protocol": "udp"}])

    want = [
        {"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"},
        {"containerPort": 53, "hostPort": 53, "protocol": "udp"},
    ]
    assert mappings(registered) == want, "RegisterTaskDefinition answers with the filled-in mappings"
    described = ecs.describe_task_definition(taskDefinition=registered["taskDefinitionArn"])["taskDefinition"]
    assert mappings(described) == want
    assert mappings(described, "plain") == [], "a container without mappings keeps moto's empty list"


def test_bridge_mode_keeps_a_missing_host_port_dynamic(ecs: Any) -> None:
    registered = register(ecs, "bridge", [{"containerPort": 8080}, {"containerPort": 9090, "hostPort": 80}])

    assert mappings(registered) == [
        {"containerPort": 8080, "protocol": "tcp"},
        {"containerPort": 9090, "hostPort": 80, "protocol": "tcp"},
    ]


def test_given_values_are_kept(ecs: Any) -> None:
    given = [{"containerPort": 8080, "hostPort": 8080, "protocol": "udp", "name": "web", "appProtocol": "http"}]
    registered = register(ecs, "awsvpc", given)

    assert mappings(registered) == given


def test_port_ranges_are_left_alone(ecs: Any) -> None:
    registered = register(ecs, "awsvpc", [{"containerPortRange": "9000-9010"}])

    assert mappings(registered) == [{"containerPortRange": "9000-9010", "protocol": "tcp"}]


def test_every_revision_is_filled(ecs: Any) -> None:
    family = f"ports-{uuid.uuid4().hex[:12]}"
    first = register(ecs, "awsvpc", [{"containerPort": 80}], family=family)
    second = register(ecs, "awsvpc", [{"containerPort": 81}], family=family)

    assert (first["revision"], second["revision"]) == (1, 2)
    listed = ecs.list_task_definitions(familyPrefix=family)["taskDefinitionArns"]
    assert [mappings(ecs.describe_task_definition(taskDefinition=arn)["taskDefinition"]) for arn in listed] == [
        [{"containerPort": 80, "hostPort": 80, "protocol": "tcp"}],
        [{"containerPort": 81, "hostPort": 81, "protocol": "tcp"}],
    ]


# --------------------------------------------------------------------------- the rules against AWS's documentation


def test_the_filled_values_are_the_documented_ones() -> None:
    """botocore carries the API reference text of PortMapping: tcp is the default protocol, and in awsvpc and host
    mode the host port is the container port."""
    shape = botocore.session.get_session().get_service_model("ecs").shape_for("PortMapping")
    protocol = re.sub(r"<[^>]+>", "", shape.members["protocol"].documentation)
    host_port = re.sub(r"<[^>]+>", "", shape.members["hostPort"].documentation)

    assert f"The default is {ecs_task_definition_port_mappings.DEFAULT_PROTOCOL}." in protocol
    assert "awsvpc or host network mode, the hostPort can either be left blank or set to the same value as the" in (
        " ".join(host_port.split())
    )
    assert ecs_task_definition_port_mappings.STATIC_PORT_NETWORK_MODES == ("awsvpc", "host")


# --------------------------------------------------------------------------- plain moto


def test_moto_alone_lacks_the_defaults_and_install_fills_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """Proves the extension is still needed: if the first assertion fails, moto fixed the gap; drop the extension."""
    from moto import mock_aws
    from moto.ecs.models import EC2ContainerServiceBackend

    current = EC2ContainerServiceBackend.register_task_definition
    original = current
    while getattr(original, "emulator_extension", None) is not None:
        original = original.__wrapped__
    monkeypatch.setattr(EC2ContainerServiceBackend, "register_task_definition", original)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)  # mock_aws intercepts the real AWS endpoints only

    with mock_aws():
        ecs = boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
        ).client("ecs")
        assert not ecs_task_definition_port_mappings.is_installed()
        assert mappings(register(ecs, "awsvpc", [{"containerPort": 8080}])) == [{"containerPort": 8080}]

        ecs_task_definition_port_mappings.install()
        ecs_task_definition_port_mappings.install()

        assert ecs_task_definition_port_mappings.is_installed()
        assert EC2ContainerServiceBackend.register_task_definition.__wrapped__ is original, "install() wraps once"
        assert mappings(register(ecs, "awsvpc", [{"containerPort": 8080}])) == [
            {"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}
        ]
