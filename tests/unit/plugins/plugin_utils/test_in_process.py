"""The collection's modules, and amazon.aws's (in wait_until's reads, and through the repository's
action_plugins/normal.py), run in the task's worker (plugins/plugin_utils/in_process.py) with the results, failures,
check mode, diff and no_log a process of their own gives, and in a process of their own whenever the worker is not
the same: another interpreter, async, another collection, or the switch turned off. Real ansible-playbook runs
against the emulator, with the repository's ansible.cfg."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from ansible_collections.cloudops.fargate.plugins.plugin_utils import in_process
from tests.unit.helpers import running_emulator

ANSIBLE_PLAYBOOK = Path(sys.executable).parent / "ansible-playbook"
REPO_ROOT = Path(__file__).resolve().parents[4]
IN_WORKER = "in the task's worker"


@pytest.fixture(scope="module")
def emulator_url(tmp_path_factory: pytest.TempPathFactory) -> Any:
    with running_emulator(tmp_path_factory.mktemp("in-process-emulator"), timeout=30) as url:
        yield url


def _tasks(name: str, url: str) -> list[dict[str, Any]]:
    group = f"/cloudops/in-process/{name}"
    return [
        {"name": "Create", "cloudops.fargate.log_group": {"name": group, "retention_days": 7}, "register": "created"},
        {"name": "Again", "cloudops.fargate.log_group": {"name": group, "retention_days": 7}, "register": "again"},
        {
            "name": "Predict a change",
            "cloudops.fargate.log_group": {"name": group, "retention_days": 30},
            "check_mode": True,
            "diff": True,
            "register": "predicted",
        },
        {
            "name": "Refuse a bad retention",
            "cloudops.fargate.log_group": {"name": group, "retention_days": 2},
            "register": "refused",
            "ignore_errors": True,
        },
        {
            "name": "Read with the region from the task's environment only",
            "cloudops.fargate.log_group": {"name": group, "retention_days": 7},
            "environment": {"AWS_DEFAULT_REGION": "us-east-1"},
            "module_defaults": {
                "group/cloudops.fargate.aws": {"endpoint_url": url, "access_key": "testing", "secret_key": "testing"}
            },
            "register": "from_environment",
        },
        {
            "name": "Wait on the log group",
            "cloudops.fargate.wait_until": {
                "what": "the log group",
                "read": {"module": "cloudops.fargate.stack_info", "args": {"stack": name, "environment": "test"}},
                "ready": "result is not failed",
                "timeout": 30,
                "delay": 1,
            },
            "register": "waited",
        },
        {
            "name": "Wait with a module of amazon.aws",
            "cloudops.fargate.wait_until": {
                "what": "the caller",
                "read": {"module": "amazon.aws.aws_caller_info"},
                "ready": "result.account | length > 0",
                "timeout": 30,
                "delay": 1,
            },
            "register": "caller",
        },
        {
            "name": "A module of amazon.aws in a task of its own (the repository's action_plugins/normal.py)",
            "amazon.aws.aws_caller_info": {},
            "register": "caller_task",
        },
        {
            "name": "A module of ansible.builtin that reads local files",
            "ansible.builtin.stat": {"path": "/"},
            "register": "builtin",
        },
        {
            "name": "Another module of ansible.builtin",
            "ansible.builtin.ping": {},
            "register": "builtin_other",
        },
    ]


def _run(directory: Path, url: str, tasks: list[dict[str, Any]], *options: str, interpreter: str = sys.executable,
         **env: str) -> tuple[subprocess.CompletedProcess, dict[str, Any]]:
    (directory / "inventory").write_text(
        f"localhost ansible_connection=local ansible_python_interpreter={interpreter}\n"
    )
    saved = [task["register"] for task in tasks]
    save = {
        "name": "Save the results",
        "ansible.builtin.copy": {
            "content": "{{ {" + ", ".join(f"'{name}': {name}" for name in saved) + "} | to_json }}",
            "dest": str(directory / "results.json"),
            "mode": "0600",
        },
        "check_mode": False,
    }
    play = {
        "name": "Run modules",
        "hosts": "localhost",
        "gather_facts": False,
        "module_defaults": {
            "group/cloudops.fargate.aws": {
                "region": "us-east-1",
                "endpoint_url": url,
                "access_key": "testing",
                "secret_key": "testing",
            }
        },
        "tasks": [*tasks, save],
    }
    (directory / "playbook.yml").write_text(yaml.safe_dump([play], sort_keys=False))
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ANSIBLE_", "CLOUDOPS_"))}
    environment.update(
        ANSIBLE_CONFIG=str(REPO_ROOT / "ansible.cfg"),
        ANSIBLE_LOCAL_TEMP=str(directory / "ansible-tmp"),
        ANSIBLE_NOCOLOR="true",
        ANSIBLE_DEPRECATION_WARNINGS="false",
        TMPDIR=str(directory),
        **env,
    )
    completed = subprocess.run(
        [str(ANSIBLE_PLAYBOOK), "-i", str(directory / "inventory"), str(directory / "playbook.yml"), *options],
        cwd=REPO_ROOT, env=environment, capture_output=True, text=True, timeout=180, check=False,
    )
    results = directory / "results.json"
    assert results.exists(), completed.stdout + completed.stderr
    return completed, json.loads(results.read_text())


def _comparable(result: dict[str, Any]) -> dict[str, Any]:
    """A result without what differs between two log groups of different names, or two runs."""
    result = json.loads(json.dumps(result).replace("/in-process/worker", "/in-process/N").replace(
        "/in-process/process", "/in-process/N"))
    for volatile in ("creation_time", "started", "elapsed", "attempts", "ready_after"):
        result.pop(volatile, None)
        if isinstance(result.get("log_group"), dict):
            result["log_group"].pop(volatile, None)
    return result


def test_results_failures_check_mode_and_diff_are_those_of_a_process_of_its_own(tmp_path, emulator_url):
    (tmp_path / "worker").mkdir()
    (tmp_path / "process").mkdir()
    in_worker, worker_results = _run(tmp_path / "worker", emulator_url, _tasks("worker", emulator_url), "-vvv")
    in_process, process_results = _run(
        tmp_path / "process", emulator_url, _tasks("process", emulator_url), "-vvv", CLOUDOPS_MODULES_IN_PROCESS="0"
    )
    assert in_worker.returncode == 0, in_worker.stdout + in_worker.stderr
    assert in_process.returncode == 0, in_process.stdout + in_process.stderr

    # Every module of the collection ran in its worker, wait_until's reads too, amazon.aws's (in a wait and in a task
    # of its own) and ansible.builtin's stat; its other modules never, and none with the switch off.
    assert in_worker.stdout.count(IN_WORKER) == 9
    assert "Running ansible.builtin.stat in the task's worker" in in_worker.stdout
    assert "AnsiballZ_ping.py" in in_worker.stdout
    assert "AnsiballZ_log_group.py" not in in_worker.stdout
    assert IN_WORKER not in in_process.stdout
    assert "AnsiballZ_log_group.py" in in_process.stdout

    assert worker_results["created"]["changed"] is True
    assert worker_results["again"]["changed"] is False
    assert worker_results["predicted"]["changed"] is True
    assert worker_results["predicted"]["diff"]["after"]["retention_in_days"] == 30
    assert worker_results["refused"]["failed"] is True
    assert "retention_days" in worker_results["refused"]["msg"]
    assert worker_results["from_environment"]["changed"] is False
    assert worker_results["waited"]["failed"] is False
    assert worker_results["caller"]["account"] == "123456789012"
    assert worker_results["caller_task"]["account"] == "123456789012"
    assert worker_results["builtin"]["stat"]["isdir"] is True
    assert worker_results["builtin_other"]["ping"] == "pong"
    for name, result in worker_results.items():
        assert _comparable(result) == _comparable(process_results[name]), name


def test_another_interpreter_runs_the_module_in_a_process_of_its_own(tmp_path, emulator_url):
    """A link to the same interpreter is the same interpreter; a wrapper script is another one."""
    wrapper = tmp_path / "python"
    wrapper.write_text(f"#!/bin/sh\nexec {sys.executable} \"$@\"\n")
    wrapper.chmod(0o755)
    tasks = _tasks("wrapped", emulator_url)[:1]
    completed, results = _run(tmp_path, emulator_url, tasks, "-vvv", interpreter=str(wrapper))
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert IN_WORKER not in completed.stdout
    assert "AnsiballZ_log_group.py" in completed.stdout
    assert results["created"]["changed"] is True


def test_no_log_hides_the_result_and_async_runs_as_ansible_runs_it(tmp_path, emulator_url):
    tasks = [
        {
            "name": "Hidden",
            "cloudops.fargate.log_group": {"name": "/cloudops/in-process/hidden", "retention_days": 7},
            "no_log": True,
            "register": "hidden",
        },
        {
            "name": "In the background",
            "cloudops.fargate.log_group": {"name": "/cloudops/in-process/async", "retention_days": 7},
            "async": 60,
            "poll": 1,
            "register": "background",
        },
    ]
    completed, results = _run(tmp_path, emulator_url, tasks, "-vvv")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "/cloudops/in-process/hidden" not in completed.stdout
    assert results["hidden"]["changed"] is True
    assert results["background"]["changed"] is True
    assert completed.stdout.count(IN_WORKER) == 1


def test_run_in_process_reports_exit_status_output_and_exceptions_as_a_process_would(monkeypatch):
    monkeypatch.setattr(in_process._internal, "is_controller", True)
    for name in ("TEST_IN_PROCESS",):
        monkeypatch.delenv(name, raising=False)
    arguments = {"_ansible_tmpdir": None, "_ansible_remote_tmp": "/tmp"}

    ok = in_process.run_in_process("ansible.modules.ping", {"data": "pong", **arguments}, {"TEST_IN_PROCESS": "1"})
    assert ok["rc"] == 0
    assert json.loads(ok["stdout"])["ping"] == "pong"
    assert os.environ["TEST_IN_PROCESS"] == "1"
    assert in_process._internal.is_controller is True

    crashed = in_process.run_in_process("ansible.modules.ping", {"data": "crash", **arguments}, {})
    assert crashed["rc"] == 1
    result = json.loads(crashed["stdout"])
    assert result["failed"] is True
    assert "boom" in json.dumps(result)
    assert in_process._internal.is_controller is True


def test_preload_imports_the_module_utils_a_worker_would_import_once(monkeypatch):
    names = [
        "ansible_collections.cloudops.fargate.plugins.module_utils._route_tables",
        "ansible_collections.amazon.aws.plugins.module_utils.modules",
    ]
    for name in names:
        monkeypatch.delitem(sys.modules, name, raising=False)
    monkeypatch.setattr(in_process, "_PRELOADED", [])
    in_process.preload()
    assert all(name in sys.modules for name in names)

    monkeypatch.delitem(sys.modules, names[0])
    in_process.preload()
    assert names[0] not in sys.modules, "once per process"


def test_preload_leaves_what_cannot_be_imported_to_the_run_that_needs_it(monkeypatch):
    monkeypatch.setattr(in_process, "_PRELOADED", [])
    monkeypatch.setattr(in_process, "AMAZON_AWS_MODULE_UTILS", ("no_such_module_utils",))
    in_process.preload()
    assert "ansible_collections.amazon.aws.plugins.module_utils.no_such_module_utils" not in sys.modules
