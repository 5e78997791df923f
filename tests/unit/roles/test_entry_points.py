"""The roles' entry points that build or remove a layer in parts (tasks_from: start, finish, ...) refuse to run out of
order, before any AWS call: the asserts come first, so these runs need no emulator (no endpoint is even configured)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[3]
ANSIBLE_PLAYBOOK = Path(sys.executable).parent / "ansible-playbook"
LATER_PARTS = {"network": ["finish"], "storage": ["finish", "finish_vpn"], "loadbalancer": ["finish"],
               "registry": ["finish"], "fargate": ["finish"]}


def run_entry_point(tmp_path: Path, role: str, tasks_from: str, **role_vars: object) -> subprocess.CompletedProcess:
    play = [{
        "name": "One entry point of a role",
        "hosts": "localhost",
        "gather_facts": False,
        "vars": {"cloudops_stack": "demo", "cloudops_environment": "local", "cloudops_inputs_checked": True,
                 "aws_region": "eu-west-1", **role_vars},
        "tasks": [{"name": "Run the entry point", "ansible.builtin.include_role": {
            "name": f"cloudops.fargate.{role}", "tasks_from": tasks_from}}],
    }]
    playbook = tmp_path / "play.yml"
    playbook.write_text(yaml.safe_dump(play))
    env = {key: value for key, value in os.environ.items() if not key.startswith(("AWS_", "ANSIBLE_"))}
    env.update(ANSIBLE_CONFIG=str(REPO_ROOT / "ansible.cfg"), ANSIBLE_STDOUT_CALLBACK="json",
               # Any AWS call would fail at once: nothing listens there.
               AWS_ENDPOINT_URL="http://127.0.0.1:9", AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing")
    return subprocess.run([str(ANSIBLE_PLAYBOOK), "-i", "localhost,", "-c", "local", str(playbook)],
                          cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=False, timeout=300)


def failed_task(completed: subprocess.CompletedProcess) -> tuple[str, str]:
    """The name and message of the task that failed."""
    for play in json.loads(completed.stdout)["plays"]:
        for task in play["tasks"]:
            result = task["hosts"].get("localhost", {})
            if result.get("failed"):
                return task["task"]["name"], result.get("msg", "")
    raise AssertionError(f"nothing failed:\n{completed.stdout[-3000:]}")


def test_every_entry_point_shares_main_s_argument_spec():
    for role, later in LATER_PARTS.items():
        spec_file = REPO_ROOT / "roles" / role / "meta" / "argument_specs.yml"
        specs = yaml.safe_load(spec_file.read_text())["argument_specs"]
        for entry_point in ["start", *later]:
            assert specs[entry_point] == specs["main"], (role, entry_point)
            assert (REPO_ROOT / "roles" / role / "tasks" / f"{entry_point}.yml").is_file(), (role, entry_point)


@pytest.mark.parametrize(("role", "tasks_from"),
                         [(role, part) for role, parts in LATER_PARTS.items() for part in parts])
def test_a_later_part_without_start_stops_before_any_aws_call(tmp_path, role, tasks_from):
    completed = run_entry_point(tmp_path, role, tasks_from)

    assert completed.returncode == 2, completed.stdout[-3000:]
    name, message = failed_task(completed)
    assert name.endswith(" : Check that part start ran first"), name
    assert f"tasks_from: {tasks_from} finishes what tasks_from: start began: run start first" in message
