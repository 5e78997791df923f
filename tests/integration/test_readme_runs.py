"""Every playbook run exactly as the README tells a user: from the repository root, with the README's command line,
the default inventory (inventories/local) and its own files under .emulator/, and no variable that make exports
(no ANSIBLE_CONFIG, no venv first on PATH). Only AWS_ENDPOINT_URL, the emulator's documented knob, points the local
inventory at this test's emulator. Bad input of every layer stops site.yml on an empty account before anything is
created."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.integration.aws_state import stack_resources
from tests.integration.conftest import REPO_ROOT, reset_emulator

VENV_BIN = Path(sys.executable).parent
RECAP = re.compile(r"^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.MULTILINE)


@dataclass
class ReadmeRun:
    returncode: int
    output: str

    def recap(self, host: str = "demo") -> dict[str, int]:
        for match in RECAP.finditer(self.output):
            if match.group(1) == host:
                return {"ok": int(match[2]), "changed": int(match[3]), "unreachable": int(match[4]), "failed": int(match[5])}
        return {}


def readme_run(endpoint: str, command_line: str) -> ReadmeRun:
    """``command_line`` as the README prints it, run from the repository root in a user's shell environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ANSIBLE_", "MOLECULE_"))}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if Path(p) != VENV_BIN)
    env["AWS_ENDPOINT_URL"] = endpoint
    argv = command_line.split()
    # The README's .venv/bin is this interpreter's venv (make installs into .venv).
    argv[0] = str(VENV_BIN / Path(argv[0]).name)
    completed = subprocess.run(
        argv, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=900, check=False
    )
    return ReadmeRun(completed.returncode, completed.stdout + completed.stderr)


@pytest.fixture(scope="module")
def readme(emulator_endpoint):
    def run(command_line: str) -> ReadmeRun:
        return readme_run(emulator_endpoint, command_line)

    return run


# One bad input per layer; each must stop the run before the first layer creates anything.
BAD_INPUTS = {
    "network": ("network_az_count=9", "network_az_count (9) must be from 2 to 6"),
    "registry": ("registry_keep_image_count=0", "registry_keep_image_count (0)"),
    "storage": ("storage_efs_transition_to_ia=AFTER_2_DAYS", "storage_efs_transition_to_ia (AFTER_2_DAYS)"),
    "loadbalancer": ("loadbalancer_certificate_arn=arn:aws:iam::1:x", "loadbalancer_certificate_arn (arn:aws:iam::1:x)"),
    "fargate": ("fargate_cpu=300", "fargate_cpu (300)"),
}


@pytest.mark.parametrize("layer", list(BAD_INPUTS))
def test_bad_input_of_any_layer_stops_site_on_an_empty_account(emulator_endpoint, readme, aws, layer):
    reset_emulator(emulator_endpoint)
    option, message = BAD_INPUTS[layer]
    refused = readme(f".venv/bin/ansible-playbook site.yml -e {option}")
    assert refused.returncode != 0
    assert message in " ".join(refused.output.split()), refused.output[-3000:]
    assert refused.recap()["changed"] == 0
    assert stack_resources(aws, "demo") == {}


@pytest.fixture(scope="module")
def built(emulator_endpoint, readme):
    reset_emulator(emulator_endpoint)
    # Options typed on the command line arrive as strings; the roles work with what their specs coerce.
    run = readme(
        ".venv/bin/ansible-playbook site.yml -e network_wait_timeout=600 -e storage_wait_timeout=600"
        " -e loadbalancer_wait_timeout=600 -e fargate_wait_timeout=600 -e network_az_count=2"
        " -e loadbalancer_http_redirect=true"
    )
    assert run.returncode == 0, run.output[-5000:]
    return run


def test_site(built, aws):
    assert built.recap()["failed"] == 0 and built.recap()["changed"] > 0
    resources = stack_resources(aws, "demo")
    assert resources["vpcs"] and resources["clusters"] and resources["load_balancers"]


def test_drift(built, readme):
    checked = readme(".venv/bin/ansible-playbook playbooks/drift.yml")
    assert checked.returncode == 0, checked.output[-5000:]
    assert "matches its inventory" in checked.output


def test_preflight(built, readme):
    checked = readme(".venv/bin/ansible-playbook playbooks/preflight.yml")
    assert checked.returncode == 0, checked.output[-5000:]
    assert checked.recap()["changed"] == 0


def test_vpn_client_config(built, readme):
    exported = readme(".venv/bin/ansible-playbook playbooks/vpn_client_config.yml -e operator=alice")
    assert exported.returncode == 0, exported.output[-5000:]
    profile = REPO_ROOT / ".emulator" / "pki" / "demo-local" / "storage" / "clients" / "alice.ovpn"
    assert "alice" in exported.output
    assert profile.is_file() and profile.stat().st_mode & 0o777 == 0o600
    assert "<cert>" in profile.read_text()


def test_deploy(built, readme, aws):
    deployed = readme(".venv/bin/ansible-playbook -i inventories/local playbooks/deploy.yml -e image_tag=1.4.2")
    assert deployed.returncode == 0, deployed.output[-5000:]
    (service,) = aws("ecs").describe_services(cluster="demo-local", services=["demo-local-web"])["services"]
    definition = aws("ecs").describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
    assert any(c["image"].endswith("/app:1.4.2") for c in definition["containerDefinitions"])


def test_teardown(built, readme, aws):
    torn_down = readme(".venv/bin/ansible-playbook playbooks/teardown.yml")
    assert torn_down.returncode == 0, torn_down.output[-5000:]
    assert stack_resources(aws, "demo") == {}
