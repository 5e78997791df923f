"""Emulator process lifecycle, CLI, request counter and moto configuration."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

import pytest
from werkzeug.test import Client

from emulator import extensions, realism, server

REPO_ROOT = Path(__file__).resolve().parents[3]
TEST_DIR = Path(__file__).resolve().parent


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    # The caller's emulator settings must not leak into what each test spells out.
    inherited = ("AWS_ENDPOINT_URL", "EMULATOR_STATE_DIR")
    base_env = {name: value for name, value in os.environ.items() if name not in inherited}
    return subprocess.run(
        [sys.executable, "-m", "emulator", *args],
        cwd=REPO_ROOT,
        env={**base_env, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def port_of(endpoint: str) -> int:
    port = urlsplit(endpoint).port
    assert port is not None
    return port


def process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def request_counts(endpoint: str, method: str = "GET") -> dict[str, Any]:
    request = urllib.request.Request(endpoint + server.REQUESTS_PATH, method=method)
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(request, timeout=5) as response:
        return json.loads(response.read())


# --------------------------------------------------------------------------- lifecycle


def test_start_health_stop_by_pid(tmp_path: Path) -> None:
    port = server.free_port()
    pid = server.start(port, tmp_path, timeout=30)
    try:
        assert pid is not None and process_exists(pid)
        assert server.is_up(port)
        assert server.pid_file(port, tmp_path).read_text().strip() == str(pid)
    finally:
        stopped = server.stop(port, tmp_path)

    assert stopped is True
    assert not process_exists(pid)
    assert not server.pid_file(port, tmp_path).exists()
    assert not server.is_up(port)
    assert server.stop(port, tmp_path) is False, "a second stop has nothing to stop"


def test_start_when_already_up_is_a_no_op(emulator_endpoint: str, emulator_state_dir: Path) -> None:
    port = port_of(emulator_endpoint)
    pid_path = server.pid_file(port, emulator_state_dir)
    recorded_pid = pid_path.read_text()

    assert server.start(port, emulator_state_dir) == int(recorded_pid)
    result = run_cli("start", "--port", str(port), "--state-dir", str(emulator_state_dir))

    assert result.returncode == 0, result.stderr
    assert "already up" in result.stdout
    assert pid_path.read_text() == recorded_pid


def test_log_file_is_written(emulator_endpoint: str, emulator_state_dir: Path) -> None:
    port = port_of(emulator_endpoint)
    assert server.is_up(port)

    log = server.log_file(port, emulator_state_dir).read_text()

    assert f"starting emulator on {emulator_endpoint}" in log
    assert f"GET {server.HEALTH_PATH}" in log


def test_cli_start_status_stop(tmp_path: Path) -> None:
    port = str(server.free_port())
    state_dir = ("--state-dir", str(tmp_path))

    down = run_cli("status", "--port", port)
    assert (down.returncode, down.stdout.split()[0]) == (1, "down")

    started = run_cli("start", "--port", port, *state_dir)
    try:
        assert started.returncode == 0, started.stderr
        assert "waiting for emulator" in started.stdout
        health = run_cli("health", "--port", port)
        assert (health.returncode, health.stdout.strip()) == (0, "up"), "server must outlive the CLI that started it"
    finally:
        stopped = run_cli("stop", "--port", port, *state_dir)

    assert stopped.returncode == 0, stopped.stderr
    assert "stopped emulator pid" in stopped.stdout
    assert run_cli("status", "--port", port).returncode == 1
    again = run_cli("stop", "--port", port, *state_dir)
    assert again.returncode == 0 and "no emulator running" in again.stdout


# --------------------------------------------------------------------------- configuration


def test_port_comes_from_flag_then_aws_endpoint_url_then_default() -> None:
    assert server.resolve_port(None, {}) == server.DEFAULT_PORT
    assert server.resolve_port(None, {"AWS_ENDPOINT_URL": "http://127.0.0.1:4599"}) == 4599
    assert server.resolve_port(None, {"AWS_ENDPOINT_URL": "http://localhost:4600/"}) == 4600
    assert server.resolve_port(5001, {"AWS_ENDPOINT_URL": "http://127.0.0.1:4599"}) == 5001


def test_cli_reads_port_from_aws_endpoint_url(emulator_endpoint: str) -> None:
    result = run_cli("status", env={"AWS_ENDPOINT_URL": emulator_endpoint})

    assert (result.returncode, result.stdout.strip()) == (0, "up")


def test_refuses_non_loopback_host(tmp_path: Path) -> None:
    with pytest.raises(server.EmulatorError, match=r"only listens on 127\.0\.0\.1"):
        server.check_host("0.0.0.0")
    with pytest.raises(server.EmulatorError, match=r"refusing host '10\.1\.2\.3'"):
        server.resolve_port(None, {"AWS_ENDPOINT_URL": "http://10.1.2.3:4566"})

    by_flag = run_cli("start", "--host", "0.0.0.0", "--port", str(server.free_port()), "--state-dir", str(tmp_path))
    by_env = run_cli("start", "--state-dir", str(tmp_path), env={"AWS_ENDPOINT_URL": "http://10.1.2.3:4566"})

    for result in (by_flag, by_env):
        assert result.returncode == 1
        assert "refusing host" in result.stderr
    assert list(tmp_path.iterdir()) == [], "nothing may be spawned for a refused host"


def test_aws_managed_iam_policies_are_loaded(aws_client: Callable[[str], Any]) -> None:
    arn = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"

    policy = aws_client("iam").get_policy(PolicyArn=arn)["Policy"]

    assert policy["PolicyName"] == "AmazonECSTaskExecutionRolePolicy"


# --------------------------------------------------------------------------- request counter


def test_request_counter_counts_by_service_and_action(emulator_endpoint: str, aws_client: Callable[[str], Any]) -> None:
    request_counts(emulator_endpoint, method="DELETE")
    ec2 = aws_client("ec2")

    ec2.describe_vpcs()
    ec2.describe_vpcs()
    aws_client("sts").get_caller_identity()  # query protocol, form body
    aws_client("ecs").list_clusters()  # JSON protocol, X-Amz-Target
    aws_client("s3").list_buckets()  # REST protocol
    assert server.is_up(port_of(emulator_endpoint))  # control endpoints are not counted

    assert request_counts(emulator_endpoint) == {
        "total": 5,
        "by_action": {"ec2:DescribeVpcs": 2, "ecs:ListClusters": 1, "s3:GET /": 1, "sts:GetCallerIdentity": 1},
    }
    assert request_counts(emulator_endpoint, method="DELETE") == {"total": 0, "by_action": {}}
    assert request_counts(emulator_endpoint)["total"] == 0


def test_request_counter_hands_the_form_body_on_untouched() -> None:
    def echo_body(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))]

    counter = server.RequestCounter(echo_body)
    body = "Action=CreateVpc&Version=2016-11-15&CidrBlock=10.0.0.0%2F16"
    authorization = "AWS4-HMAC-SHA256 Credential=testing/20250101/eu-west-1/ec2/aws4_request, SignedHeaders=host"

    response = Client(counter).post(
        "/",
        data=body,
        content_type="application/x-www-form-urlencoded; charset=utf-8",
        headers={"Authorization": authorization},
    )

    assert response.get_data(as_text=True) == body
    assert counter.snapshot() == {"total": 1, "by_action": {"ec2:CreateVpc": 1}}


def test_realistic_mode_holds_each_counted_call_for_the_api_round_trip(monkeypatch: pytest.MonkeyPatch) -> None:
    def answer(_environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    sleeps: list[float] = []
    monkeypatch.setattr(server, "time", SimpleNamespace(sleep=sleeps.append, monotonic=time.monotonic))
    client = Client(server.RequestCounter(answer))
    authorization = "AWS4-HMAC-SHA256 Credential=testing/20250101/us-east-1/sts/aws4_request, SignedHeaders=host"
    try:
        client.get("/?Action=GetCallerIdentity", headers={"Authorization": authorization})
        assert sleeps == [], "plain mode answers at once"

        realism.configure({"realistic": True, "time_scale": 2.0, "throttle_rate": 0.0})
        client.get("/?Action=GetCallerIdentity", headers={"Authorization": authorization})
        assert sleeps == [pytest.approx(realism.TYPICAL["api.call"].seconds * 2)]
        for path in (server.HEALTH_PATH, server.REQUESTS_PATH, server.TIMERS_PATH, "/moto-api/data.json"):
            client.get(path)
        assert len(sleeps) == 1, "control endpoints are no AWS API calls"
    finally:
        realism.reset()


def test_realistic_mode_delays_the_served_calls(
    emulator_endpoint: str, aws_client: Callable[[str], Any], realistic: Callable[..., dict[str, Any]]
) -> None:
    # a second per call: a health check, which is not delayed, takes far less even on a busy machine
    realistic(behaviour_seconds={"api.call": 1.0})
    sts = aws_client("sts")
    started = time.monotonic()
    sts.get_caller_identity()
    assert time.monotonic() - started >= 1.0
    started = time.monotonic()
    assert server.is_up(port_of(emulator_endpoint), timeout=5.0)
    assert time.monotonic() - started < 1.0


def test_timers_endpoint_reads_and_clears_the_recording() -> None:
    client = Client(server.RequestCounter(lambda _environ, _start: []))
    realism.clear_recorded()
    realism.record("ecs.rollout", 1.5, "arn:aws:ecs:us-east-1:123456789012:service/c/s")

    answer = client.get(server.TIMERS_PATH).get_json()

    assert answer["elapsed"] >= 0
    assert answer["timers"] == [
        {
            "behaviour": "ecs.rollout",
            "subject": "arn:aws:ecs:us-east-1:123456789012:service/c/s",
            "started": pytest.approx(0, abs=answer["elapsed"] + 0.01),
            "duration": 1.5,
        }
    ]
    assert client.delete(server.TIMERS_PATH).get_json()["timers"] == []
    assert client.get(server.TIMERS_PATH).get_json()["timers"] == []
    assert client.put(server.TIMERS_PATH).status_code == 404


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"QUERY_STRING": "Action=GetCallerIdentity"}, "GetCallerIdentity"),
        ({"HTTP_X_AMZ_TARGET": "AmazonEC2ContainerServiceV20141113.CreateCluster"}, "CreateCluster"),
        (
            {"REQUEST_METHOD": "POST", "PATH_INFO": "/service/GraniteServiceVersion20100801/operation/PutMetricData"},
            "PutMetricData",
        ),
        ({"REQUEST_METHOD": "PUT", "PATH_INFO": "/my-bucket/key.txt"}, "PUT /my-bucket/key.txt"),
    ],
)
def test_request_action_per_protocol(environ: dict[str, Any], expected: str) -> None:
    assert server.request_action(environ) == expected


def test_request_service_from_credential_scope() -> None:
    scope = "Credential=AKID/20250101/us-east-1/logs/aws4_request"
    assert server.request_service({"HTTP_AUTHORIZATION": f"AWS4-HMAC-SHA256 {scope}, SignedHeaders=host"}) == "logs"
    presigned = "X-Amz-Credential=AKID%2F20250101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=abc"
    assert server.request_service({"QUERY_STRING": presigned}) == "s3"
    assert server.request_service({}) == "unknown"


# --------------------------------------------------------------------------- extension mechanism


def test_install_all_installs_each_extension_once() -> None:
    # In a child process: the patches are process-wide and would leak into the in-process moto tests.
    script = (
        "from emulator import extensions\n"
        "from moto.ec2.models.nat_gateways import NatGatewayBackend\n"
        "extensions.install_all()\n"
        "patched = NatGatewayBackend.describe_nat_gateways\n"
        "assert extensions.install_all() == []\n"
        "assert NatGatewayBackend.describe_nat_gateways is patched\n"
    )
    subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, check=True, timeout=120)


def test_every_extension_has_its_own_test_file() -> None:
    missing = [
        name for name in extensions.extension_names() if not (TEST_DIR / f"test_{name.rsplit('.', 1)[-1]}.py").exists()
    ]
    assert missing == []
