"""Integration fixtures: one emulator on a free loopback port, and a runner for the real playbooks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
import pytest
import yaml

from emulator import server
from tests.integration.readme import ReadmeRun, readme_run

REPO_ROOT = Path(__file__).resolve().parents[2]
REGION = "us-east-1"
LOCAL_INVENTORY = REPO_ROOT / "inventories" / "local"
# Shared by every playbook run of the suites (tools/code_cache.py); never by the README's runs (readme.py).
CODE_CACHE = REPO_ROOT / ".cache" / "test-code"
# The local inventory keeps certificates, the "EFS mount" and outputs under the repository's .emulator/;
# pytest-xdist workers run stacks of the same name at once, so each worker process gets folders of its own.
_WORKER_FILES = Path(tempfile.mkdtemp(prefix="cloudops-integration-"))
_STACK = "{{ cloudops_stack }}-{{ cloudops_environment }}"
WORKER_LOCAL_FILES = {
    "loadbalancer_pki_dir": f"{_WORKER_FILES}/pki/{_STACK}/loadbalancer",
    "storage_pki_dir": f"{_WORKER_FILES}/pki/{_STACK}/storage",
    "cloudops_outputs_dir": f"{_WORKER_FILES}/outputs",
}


@dataclass
class PlaybookRun:
    """What one ansible-playbook run did, read from the json callback."""

    returncode: int
    output: dict[str, Any]
    stderr: str
    stats: dict[str, dict[str, int]] = field(default_factory=dict)

    def changed(self, host: str = "demo") -> int:
        return self.stats.get(host, {}).get("changed", 0)

    def failures(self, host: str = "demo") -> int:
        return self.stats.get(host, {}).get("failures", 0)

    def task_results(self, name_part: str, host: str = "demo") -> list[dict[str, Any]]:
        """Results of every task whose name contains ``name_part`` (loop items flattened)."""
        found = []
        for play in self.output.get("plays", []):
            for task in play.get("tasks", []):
                if name_part not in task["task"]["name"]:
                    continue
                result = task["hosts"].get(host)
                if result is None:
                    continue
                found.extend(result.get("results", [result]))
        return found

    def failure_messages(self, host: str = "demo") -> str:
        messages = []
        for play in self.output.get("plays", []):
            for task in play.get("tasks", []):
                result = task["hosts"].get(host, {})
                for item in result.get("results", [result]):
                    if item.get("failed"):
                        messages.append(str(item.get("msg", "")))
        return "\n".join(messages)

    def changed_tasks(self, host: str = "demo") -> list[str]:
        names = []
        for play in self.output.get("plays", []):
            for task in play.get("tasks", []):
                if task["hosts"].get(host, {}).get("changed"):
                    names.append(task["task"]["name"])
        return names


def write_inventory(directory: Path, hosts: dict[str, dict]) -> Path:
    """An inventory with the local group_vars and the given stacks."""
    inventory = directory / "inventory"
    (inventory / "group_vars").mkdir(parents=True)
    (inventory / "group_vars" / "all.yml").write_text((LOCAL_INVENTORY / "group_vars" / "all.yml").read_text())
    (inventory / "hosts.yml").write_text(yaml.safe_dump({"fargate_stacks": {"hosts": hosts}}))
    return inventory


def _ansible_env(endpoint: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ANSIBLE_"))}
    env.update(
        AWS_ENDPOINT_URL=endpoint,
        ANSIBLE_CONFIG=str(REPO_ROOT / "ansible.cfg"),
        ANSIBLE_STDOUT_CALLBACK="ansible.posix.json",
        ANSIBLE_DEPRECATION_WARNINGS="false",
        ANSIBLE_FORCE_COLOR="false",
        ANSIBLE_NOCOLOR="true",
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        # Every module run's compiled module_utils and botocore models, shared across runs (tools/code_cache.py).
        CLOUDOPS_TEST_CODE_CACHE=str(CODE_CACHE),
    )
    return env


def run_playbook(
    endpoint: str,
    playbook: str = "site.yml",
    inventory: Path | str = LOCAL_INVENTORY,
    extra_vars: dict[str, Any] | None = None,
    check: bool = False,
    diff: bool = False,
    args: list[str] | None = None,
    inventory_files: bool = False,
) -> PlaybookRun:
    """``inventory_files``: keep the inventory's own local files (under .emulator/) instead of this worker's, to act
    on the stack that the README's runs build."""
    command = [str(Path(sys.executable).parent / "ansible-playbook"), "-i", str(inventory), playbook]
    command += ["-e", json.dumps({**({} if inventory_files else WORKER_LOCAL_FILES), **(extra_vars or {})})]
    if check:
        command.append("--check")
    if diff:
        command.append("--diff")
    command += args or []
    completed = subprocess.run(
        command, cwd=REPO_ROOT, env=_ansible_env(endpoint), capture_output=True, text=True, timeout=900, check=False
    )
    try:
        # Warnings can precede the JSON document on stdout.
        output = json.loads(completed.stdout[completed.stdout.index("{") :])
    except ValueError:
        output = {}
    return PlaybookRun(
        returncode=completed.returncode,
        output=output,
        stderr=completed.stderr + ("" if output else completed.stdout),
        stats=output.get("stats", {}),
    )


@pytest.fixture(scope="session")
def emulator_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    state_dir = tmp_path_factory.mktemp("emulator-state")
    port = server.free_port()
    server.start(port, state_dir, timeout=60)
    try:
        yield server.endpoint_url(port)
    finally:
        server.stop(port, state_dir)


def realism(endpoint: str, **changes: Any) -> dict[str, Any]:
    """The emulator's realism settings (emulator/realism.py), after ``changes`` when given."""
    body = json.dumps(changes).encode() if changes else None
    request = urllib.request.Request(f"{endpoint}/_emulator/realism", data=body, method="PUT" if changes else "GET")
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def unsupported_zones(endpoint: str, service_name: str, zones: list[str]) -> None:
    """Make an endpoint service cover every zone but ``zones``, as AWS's services do in some accounts
    (emulator/extensions/ec2_endpoint_service_zones.py); a reset covers every zone again."""
    body = json.dumps({"service_name": service_name, "unsupported_zones": zones, "region": REGION}).encode()
    request = urllib.request.Request(
        f"{endpoint}/moto-api/emulator/vpc-endpoint-service-zones", data=body, method="PUT"
    )
    with urllib.request.urlopen(request, timeout=30):
        pass


def reset_emulator(endpoint: str) -> None:
    """Forget every resource: each scenario starts from an empty account."""
    request = urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request, timeout=30):
        pass


@pytest.fixture(scope="session")
def aws(emulator_endpoint: str) -> Callable[[str], Any]:
    session = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
    )

    # The realistic tests throttle a share of every caller's calls, these reads included; they are not what is under
    # test, so they retry far longer than an SDK's default three attempts (5% throttled: 1 call in 8,000 fails).
    patient = Config(retries={"mode": "standard", "max_attempts": 10})

    def client(service: str) -> Any:
        return session.client(service, endpoint_url=emulator_endpoint, config=patient)

    return client


@pytest.fixture(scope="session")
def playbook(emulator_endpoint: str) -> Callable[..., PlaybookRun]:
    def run(*args: Any, **kwargs: Any) -> PlaybookRun:
        return run_playbook(emulator_endpoint, *args, **kwargs)

    return run


@pytest.fixture(scope="session")
def readme(emulator_endpoint: str) -> Callable[[str], ReadmeRun]:
    """A command line of the README, run as a user runs it (tests/integration/readme.py)."""

    def run(command_line: str) -> ReadmeRun:
        return readme_run(emulator_endpoint, command_line)

    return run


@pytest.fixture(scope="module")
def iam_checking_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An emulator of its own whose moto judges policies on their actions (EMULATOR_IAM_CHECK_ACTIONS, see
    emulator/server.py). It enforces nothing until the test posts to /moto-api/reset-auth after its own set-up."""
    state_dir = tmp_path_factory.mktemp("emulator-iam-state")
    port = server.free_port()
    with pytest.MonkeyPatch.context() as patch:  # the server process inherits this environment at its start only
        patch.setenv("EMULATOR_IAM_CHECK_ACTIONS", "1")
        server.start(port, state_dir, timeout=60)
    try:
        yield server.endpoint_url(port)
    finally:
        server.stop(port, state_dir)
