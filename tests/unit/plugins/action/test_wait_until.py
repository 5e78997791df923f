"""cloudops.fargate.wait_until: the progress lines and messages, option checks, the poll loop on a fake clock, and
real ansible-playbook runs (a file another thread creates, a timeout, a fail expression, bad options, module_defaults
against the emulator, check mode)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any
from unittest import mock

import boto3
import pytest
import yaml
from ansible.errors import AnsibleActionFail
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar
from ansible.template import trust_as_template

from ansible_collections.cloudops.fargate.plugins.action import wait_until
from ansible_collections.cloudops.fargate.plugins.action.wait_until import ActionModule
from ansible_collections.cloudops.fargate.plugins.action.wait_until import OptionError
from ansible_collections.cloudops.fargate.plugins.action.wait_until import ProgressReporter
from ansible_collections.cloudops.fargate.plugins.action.wait_until import ReadyTimes
from ansible_collections.cloudops.fargate.plugins.action.wait_until import done_line
from ansible_collections.cloudops.fargate.plugins.action.wait_until import fail_message
from ansible_collections.cloudops.fargate.plugins.action.wait_until import pending_value
from ansible_collections.cloudops.fargate.plugins.action.wait_until import progress_line
from ansible_collections.cloudops.fargate.plugins.action.wait_until import shorten
from ansible_collections.cloudops.fargate.plugins.action.wait_until import summarize
from ansible_collections.cloudops.fargate.plugins.action.wait_until import timeout_message
from ansible_collections.cloudops.fargate.plugins.action.wait_until import validated_options
from tests.unit.helpers import running_emulator

REPO_ROOT = Path(__file__).resolve().parents[4]
ANSIBLE_PLAYBOOK = Path(sys.executable).parent / "ansible-playbook"
ENDPOINTS = "the interface endpoints"
NOT_SETTLED = "result.vpc_endpoints | rejectattr('state', 'in', ['available', 'failed'])"

# --- progress lines and messages -----------------------------------------------------------------------------


def test_shorten_marks_the_cut():
    assert shorten("vpce-1", 10) == "vpce-1"
    assert shorten("x" * 20, 10) == "xxxxxxx..."


def test_summarize_names_the_first_items_and_counts_the_rest():
    assert summarize(["vpce-1"]) == "vpce-1"
    assert summarize(["vpce-1", "vpce-2"]) == "vpce-1, vpce-2"
    assert summarize([f"vpce-{n}" for n in range(1, 8)]) == "vpce-1, vpce-2, vpce-3 and 4 more"


def test_summarize_keeps_to_its_width_but_always_shows_one_item():
    long_ids = ["a" * 40, "b" * 40, "c" * 40]
    assert summarize(long_ids, max_chars=60) == "a" * 40 + " and 2 more"
    assert summarize(["z" * 100], max_chars=20) == "z" * 17 + "..."


def test_pending_value_gives_a_list_a_string_or_nothing():
    assert pending_value(["vpce-2", "vpce-1"]) == ["vpce-2", "vpce-1"]
    assert pending_value(("a",)) == ["a"]
    assert pending_value({"b", "a"}) == ["a", "b"]
    assert pending_value({"nat-1": "pending"}) == ["nat-1"]
    assert pending_value("  2 tasks starting ") == "2 tasks starting"
    assert pending_value("") is None
    assert pending_value(None) is None
    assert pending_value(3) == "3"


def test_progress_line_with_a_list_a_string_and_nothing_pending():
    assert (
        progress_line(ENDPOINTS, ["vpce-1", "vpce-2"], 45.4, 600)
        == "Waiting for the interface endpoints: 2 pending (vpce-1, vpce-2), 45 s elapsed of 600 s"
    )
    assert (
        progress_line("the service", "1 of 2 tasks running", 3, 60)
        == "Waiting for the service: 1 of 2 tasks running, 3 s elapsed of 60 s"
    )
    assert progress_line(ENDPOINTS, None, 0.2, 600) == "Waiting for the interface endpoints: 0 s elapsed of 600 s"
    assert progress_line(ENDPOINTS, [], 5, 600) == "Waiting for the interface endpoints: 5 s elapsed of 600 s"


def test_progress_line_stays_short_with_many_pending():
    line = progress_line(ENDPOINTS, [f"vpce-0123456789abcdef{n}" for n in range(7)], 45, 600)
    assert line == (
        "Waiting for the interface endpoints: 7 pending (vpce-0123456789abcdef0, vpce-0123456789abcdef1 and 5 more), "
        "45 s elapsed of 600 s"
    )


def test_done_line():
    assert done_line(ENDPOINTS, 94.6) == "the interface endpoints: ready after 95 s"


def test_timeout_message_names_what_is_pending_or_else_the_unmet_expression():
    assert (
        timeout_message(ENDPOINTS, 600, ["vpce-1", "vpce-2"], "unused")
        == "Timed out after 600 s waiting for the interface endpoints; still pending: vpce-1, vpce-2"
    )
    assert (
        timeout_message("the service", 60, "1 of 2 tasks running", "unused")
        == "Timed out after 60 s waiting for the service; still pending: 1 of 2 tasks running"
    )
    assert timeout_message(ENDPOINTS, 600, None, "result.vpc_endpoints | length == 0") == (
        "Timed out after 600 s waiting for the interface endpoints; "
        "the last state did not satisfy: result.vpc_endpoints | length == 0"
    )
    many = timeout_message(ENDPOINTS, 600, [f"vpce-{n}" for n in range(15)], "unused")
    assert many.endswith("vpce-8, vpce-9 and 5 more")


def test_fail_message_names_what_and_the_expression():
    assert fail_message(ENDPOINTS, "result.failed_count > 0") == (
        "Stopped waiting for the interface endpoints: the last state satisfied the fail expression: "
        "result.failed_count > 0"
    )


def test_progress_reporter_prints_the_start_changes_and_otherwise_every_quiet_seconds():
    reporter = ProgressReporter(ENDPOINTS, 600, quiet_seconds=30)
    assert reporter.not_ready(1, ["vpce-1", "vpce-2"]) == progress_line(ENDPOINTS, ["vpce-1", "vpce-2"], 1, 600)
    assert reporter.not_ready(16, ["vpce-1", "vpce-2"]) is None
    assert reporter.not_ready(31, ["vpce-1", "vpce-2"]) == progress_line(ENDPOINTS, ["vpce-1", "vpce-2"], 31, 600)
    assert reporter.not_ready(46, ["vpce-1", "vpce-2"]) is None
    # A change is printed at once, and restarts the quiet period.
    assert reporter.not_ready(47, ["vpce-2"]) == progress_line(ENDPOINTS, ["vpce-2"], 47, 600)
    assert reporter.not_ready(62, ["vpce-2"]) is None
    assert reporter.ready(70) == "the interface endpoints: ready after 70 s"


def test_progress_reporter_is_silent_when_ready_at_once():
    assert ProgressReporter(ENDPOINTS, 600, quiet_seconds=30).ready(1) is None


def test_progress_reporter_with_quiet_seconds_zero_prints_every_poll():
    reporter = ProgressReporter(ENDPOINTS, 600, quiet_seconds=0)
    assert all(reporter.not_ready(second, None) for second in range(5))


def test_ready_times_record_when_each_item_left_pending_and_the_rest_at_the_end():
    times = ReadyTimes()
    times.not_ready(1.04, ["nat-1", "nat-2", "nat-3"])
    times.not_ready(12.0, ["nat-2", "nat-3"])
    times.not_ready(23.46, ["nat-3", 4])
    assert times.ready_after == {"nat-1": 12.0, "nat-2": 23.5}
    times.ready(34.0)
    assert times.ready_after == {"nat-1": 12.0, "nat-2": 23.5, "nat-3": 34.0, "4": 34.0}


def test_ready_times_keep_the_first_time_and_ignore_a_string_or_nothing():
    times = ReadyTimes()
    times.not_ready(1, ["a", "b"])
    times.not_ready(2, ["b"])
    times.not_ready(3, "2 of 3 tasks running")  # says nothing about the items
    times.not_ready(4, None)
    times.not_ready(5, ["a", "b"])  # a is back: it keeps its first time
    times.ready(6)
    assert times.ready_after == {"a": 2, "b": 6}
    nothing = ReadyTimes()
    nothing.not_ready(1, "starting")
    nothing.ready(2)
    assert nothing.ready_after == {}


# --- options ---------------------------------------------------------------------------------------------------


def _args(**changes: Any) -> dict[str, Any]:
    args = {
        "what": ENDPOINTS,
        "read": {"module": "amazon.aws.ec2_vpc_endpoint_info"},
        "ready": "result.vpc_endpoints | length == 0",
        "timeout": 600,
    }
    args.update(changes)
    return {k: v for k, v in args.items() if v is not None}


def test_options_get_their_defaults_and_ready_becomes_a_list():
    options = validated_options(_args())
    assert options["ready"] == ["result.vpc_endpoints | length == 0"]
    assert options["read"] == {"module": "amazon.aws.ec2_vpc_endpoint_info", "args": {}}
    assert options["delay"] == 15
    assert options["quiet_seconds"] == 30
    assert options["fail"] is None and options["pending"] is None and options["fail_msg"] is None


def test_options_convert_templated_numbers():
    options = validated_options(_args(timeout="90", delay="2.5", fail=["a", "b"]))
    assert (options["timeout"], options["delay"], options["fail"]) == (90, 2.5, ["a", "b"])


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"delay": 0}, "delay must be more than 0"),
        ({"delay": -1}, "delay must be more than 0"),
        ({"timeout": -5}, "timeout must be 0 or more"),
        ({"quiet_seconds": -1}, "quiet_seconds must be 0 or more"),
        ({"what": None}, "missing required arguments: what"),
        ({"what": " "}, "what must not be empty"),
        ({"timeout": None}, "missing required arguments: timeout"),
        ({"timeout": "soon"}, "'timeout'"),
        ({"read": {"args": {}}}, "missing required arguments: module found in read"),
        ({"read": {"module": ""}}, "read.module must not be empty"),
        ({"ready": []}, "ready must hold at least one expression"),
        ({"ready": ["a", 3]}, "'ready'"),
        ({"fail": [""]}, "fail must not hold an empty expression"),
        ({"pending": ["a"]}, "'pending'"),
        ({"fail_msg": 3}, "'fail_msg'"),
        ({"retries": 3}, "Unsupported parameters for (cloudops.fargate.wait_until) module: retries"),
    ],
)
def test_bad_options_are_refused_naming_the_option(changes, named):
    with pytest.raises(OptionError) as raised:
        validated_options(_args(**changes))
    assert named in str(raised.value)


class _NoTemplating:
    """A template engine for finalize_task_arg that must not be asked to template anything."""

    def template(self, value: Any) -> Any:
        raise AssertionError(f"templated {value!r}")

    def resolve_to_container(self, value: Any) -> Any:
        raise AssertionError(f"resolved {value!r}")


@pytest.mark.parametrize("name", ["ready", "pending", "fail", "fail_msg"])
def test_the_expressions_and_fail_msg_reach_the_action_untemplated(name):
    value = "result.stat.exists and '{{' not in result.stat.path"
    assert ActionModule.finalize_task_arg(name, value, _NoTemplating(), None) is value
    template = "{{ result.stat.path }} is missing"
    if name in ("pending", "fail_msg"):
        assert ActionModule.finalize_task_arg(name, template, _NoTemplating(), None) is template


def test_other_options_are_templated_as_usual():
    templar = mock.Mock()
    templar.template.return_value = 600
    assert ActionModule.finalize_task_arg("timeout", "{{ wait_timeout }}", templar, None) == 600
    templar.template.assert_called_once_with("{{ wait_timeout }}")


def test_ready_as_a_variable_holding_a_list_of_expressions_gives_the_list():
    templar = mock.Mock()
    templar.resolve_to_container.return_value = ["result.a", "result.b"]
    assert ActionModule.finalize_task_arg("ready", "{{ conditions }}", templar, None) == ["result.a", "result.b"]
    templar.resolve_to_container.return_value = "result.a"
    assert ActionModule.finalize_task_arg("ready", "{{ condition }}", templar, None) == "{{ condition }}"


# --- the poll loop, on a fake clock ------------------------------------------------------------------------------


class FakeClock:
    """time.monotonic and time.sleep of the action; each read of the module takes ``poll_seconds``."""

    def __init__(self, poll_seconds: float = 1.0) -> None:
        self.now = 1000.0
        self.poll_seconds = poll_seconds
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def _trusted(value: Any) -> Any:
    """Expressions as a playbook's YAML gives them: trusted for templating."""
    if isinstance(value, str):
        return trust_as_template(value)
    if isinstance(value, list):
        return [_trusted(item) for item in value]
    return value


def _action(monkeypatch, clock, states, no_log=False, **changes):
    """An action whose read module returns ``states`` one after the other (the last one from then on)."""
    args = {
        "what": ENDPOINTS,
        "read": {"module": "amazon.aws.ec2_vpc_endpoint_info", "args": {"filters": {"vpc-id": "vpc-1"}}},
        "ready": "result.pending | length == 0",
        "pending": "result.pending",
        "timeout": 60,
        "delay": 10,
        "quiet_seconds": 30,
    }
    args.update(changes)
    args = {k: _trusted(v) for k, v in args.items() if v is not None}
    task = mock.MagicMock()
    task.args = args
    task.async_val = 0
    task.check_mode = False
    task.no_log = no_log
    connection = mock.MagicMock()
    connection._shell.tmpdir = None
    action = ActionModule(task, connection, mock.MagicMock(), DataLoader(), Templar(loader=DataLoader()), None)

    monkeypatch.setattr(wait_until.time, "monotonic", clock.monotonic)
    monkeypatch.setattr(wait_until.time, "sleep", clock.sleep)
    monkeypatch.setattr(action, "_resolve_module", lambda name: name)
    monkeypatch.setattr(wait_until, "_apply_action_arg_defaults", lambda module, task, args, templar: args)
    remaining = list(states)
    calls = []

    def execute_module(module_name, module_args, task_vars):
        calls.append((module_name, module_args))
        clock.now += clock.poll_seconds
        state = remaining.pop(0) if len(remaining) > 1 else remaining[0]
        return dict(state, changed=False)

    monkeypatch.setattr(action, "_execute_module", execute_module)
    lines: list[str] = []
    # Progress goes to stderr: a line sent to stdout would not match what the tests expect.
    monkeypatch.setattr(
        action, "_display", mock.Mock(display=lambda line, stderr=False: lines.append(line if stderr else f"STDOUT {line}"))
    )
    return action, calls, lines


def test_loop_polls_until_ready_printing_the_start_changes_and_the_end(monkeypatch):
    clock = FakeClock()
    states = [
        {"pending": ["vpce-1", "vpce-2"]},
        {"pending": ["vpce-1", "vpce-2"]},
        {"pending": ["vpce-2"]},
        {"pending": []},
    ]
    action, calls, lines = _action(monkeypatch, clock, states)
    before = time.time()
    result = action.run(task_vars={})
    assert before <= result.pop("started") <= time.time()
    assert result == {
        "pending": [],
        "changed": False,
        "attempts": 4,
        "elapsed": 34,
        "what": ENDPOINTS,
        # Polls end at 1, 12, 23 and 34 s: vpce-1 is gone at the third, vpce-2 at the fourth, the ready one.
        "ready_after": {"vpce-1": 23.0, "vpce-2": 34.0},
    }
    assert calls == [("amazon.aws.ec2_vpc_endpoint_info", {"filters": {"vpc-id": "vpc-1"}})] * 4
    assert clock.sleeps == [10, 10, 10]
    assert lines == [
        "Waiting for the interface endpoints: 2 pending (vpce-1, vpce-2), 1 s elapsed of 60 s",
        "Waiting for the interface endpoints: 1 pending (vpce-2), 23 s elapsed of 60 s",
        "the interface endpoints: ready after 34 s",
    ]


def test_loop_ready_after_times_items_leaving_pending_at_different_polls(monkeypatch):
    clock = FakeClock(poll_seconds=0.25)
    states = [
        {"pending": ["nat-1", "nat-2", "nat-3"]},
        {"pending": ["nat-2", "nat-3", "nat-4"]},
        {"pending": ["nat-3", "nat-4"]},
        {"pending": ["nat-3", "nat-4"]},
        {"pending": []},
    ]
    action, _calls, _lines = _action(monkeypatch, clock, states, delay=2)
    result = action.run(task_vars={})
    # Polls end at 0.25, 2.5, 4.75, 7 and 9.25 s; nat-4 was never pending at the first poll, and is timed alike.
    assert result["ready_after"] == {"nat-1": 2.5, "nat-2": 4.8, "nat-3": 9.2, "nat-4": 9.2}
    assert result["attempts"] == 5


def test_loop_ready_after_is_empty_without_pending_or_when_ready_at_once(monkeypatch):
    action, _calls, _lines = _action(monkeypatch, FakeClock(), [{"pending": ["x"]}, {"pending": []}], pending=None)
    assert action.run(task_vars={})["ready_after"] == {}
    action, _calls, _lines = _action(monkeypatch, FakeClock(), [{"pending": []}])
    assert action.run(task_vars={})["ready_after"] == {}


def test_loop_ready_after_of_a_timeout_holds_only_the_items_that_became_ready(monkeypatch):
    states = [{"pending": ["vpce-1", "vpce-2"]}, {"pending": ["vpce-2"]}]
    action, _calls, _lines = _action(monkeypatch, FakeClock(), states, timeout=25)
    result = action.run(task_vars={})
    assert result["failed"] is True
    assert result["ready_after"] == {"vpce-1": 12.0}


def test_loop_lines_name_the_host_when_the_play_runs_on_several(monkeypatch):
    states = [{"pending": ["vpce-1"]}, {"pending": []}]
    action, _calls, lines = _action(monkeypatch, FakeClock(), states)
    action.run(task_vars={"inventory_hostname": "demo", "ansible_play_batch": ["demo", "other"]})
    assert lines == [
        "[demo] Waiting for the interface endpoints: 1 pending (vpce-1), 1 s elapsed of 60 s",
        "[demo] the interface endpoints: ready after 12 s",
    ]


def test_loop_lines_leave_out_what_is_pending_under_no_log(monkeypatch):
    states = [{"pending": ["secret-1"]}, {"pending": []}]
    action, _calls, lines = _action(monkeypatch, FakeClock(), states, no_log=True)
    action.run(task_vars={})
    assert lines == [
        "Waiting for the interface endpoints: 1 s elapsed of 60 s",
        "the interface endpoints: ready after 12 s",
    ]


def test_loop_ready_at_the_first_poll_prints_nothing(monkeypatch):
    action, calls, lines = _action(monkeypatch, FakeClock(), [{"pending": []}])
    result = action.run(task_vars={})
    assert (result["attempts"], lines, len(calls)) == (1, [], 1)


def test_loop_never_sleeps_past_the_deadline_and_polls_at_it(monkeypatch):
    clock = FakeClock(poll_seconds=1)
    action, calls, lines = _action(monkeypatch, clock, [{"pending": ["vpce-1"]}], timeout=25)
    result = action.run(task_vars={})
    # Polls end at 1, 12, 23 s; the sleep after the third is cut to the 2 s left; the fourth poll is the last.
    assert clock.sleeps == [10, 10, 2]
    assert result["failed"] is True
    assert result["attempts"] == 4
    assert result["msg"] == "Timed out after 25 s waiting for the interface endpoints; still pending: vpce-1"
    assert lines == ["Waiting for the interface endpoints: 1 pending (vpce-1), 1 s elapsed of 25 s"]


def test_loop_timeout_without_pending_names_the_first_unmet_expression(monkeypatch):
    ready = ["result.pending is defined", "result.pending | length == 0"]
    action, _calls, _lines = _action(
        monkeypatch, FakeClock(), [{"pending": ["x"]}], ready=ready, pending=None, timeout=0
    )
    result = action.run(task_vars={})
    assert result["msg"] == (
        "Timed out after 0 s waiting for the interface endpoints; the last state did not satisfy: "
        "result.pending | length == 0"
    )
    assert result["attempts"] == 1


def test_loop_stops_at_once_when_a_fail_expression_holds(monkeypatch):
    states = [{"pending": ["vpce-1"], "failed_ids": []}, {"pending": ["vpce-1"], "failed_ids": ["vpce-1"]}]
    action, calls, _lines = _action(
        monkeypatch,
        FakeClock(),
        states,
        fail="result.failed_ids | length > 0",
        fail_msg="failed: {{ result.failed_ids | join(', ') }} (of {{ expected }})",
    )
    result = action.run(task_vars={"expected": 2})
    assert (result["failed"], result["msg"], len(calls)) == (True, "failed: vpce-1 (of 2)", 2)


def test_loop_expressions_see_the_task_variables_beside_result(monkeypatch):
    action, _calls, _lines = _action(
        monkeypatch, FakeClock(), [{"pending": ["vpce-1", "vpce-2"]}], ready="result.pending | length <= allowed"
    )
    assert action.run(task_vars={"allowed": 2})["attempts"] == 1


def test_loop_fails_at_once_when_the_read_module_fails(monkeypatch):
    failure = {"failed": True, "msg": "Region us-east-9 does not seem to be available", "exception": "Traceback"}
    action, calls, _lines = _action(monkeypatch, FakeClock(), [failure])
    result = action.run(task_vars={})
    assert result["msg"] == (
        "Reading the interface endpoints with amazon.aws.ec2_vpc_endpoint_info failed: "
        "Region us-east-9 does not seem to be available"
    )
    assert "exception" not in result and len(calls) == 1


def test_loop_refuses_bad_options_before_any_poll(monkeypatch):
    action, calls, _lines = _action(monkeypatch, FakeClock(), [{"pending": []}], delay=0)
    with pytest.raises(AnsibleActionFail, match="delay must be more than 0"):
        action.run(task_vars={})
    assert calls == []


def test_loop_names_an_expression_that_cannot_be_evaluated(monkeypatch):
    action, _calls, _lines = _action(monkeypatch, FakeClock(), [{"pending": []}], ready="result.nothing.here")
    with pytest.raises(AnsibleActionFail, match=r"ready: the expression 'result.nothing.here' could not be evaluated"):
        action.run(task_vars={})


# --- ansible-playbook runs ---------------------------------------------------------------------------------------


def _environment(**more: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
    # Credentials and region come from module_defaults in these plays, or nowhere.
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION", "AWS_REGION"):
        env.pop(name, None)
    env.update(
        ANSIBLE_CONFIG=str(REPO_ROOT / "ansible.cfg"),
        ANSIBLE_NOCOLOR="true",
        ANSIBLE_FORCE_COLOR="false",
        ANSIBLE_DEPRECATION_WARNINGS="false",
        ANSIBLE_LOCAL_TEMP=str(more.pop("local_temp")),
        **more,
    )
    return env


def _playbook(directory: Path, tasks: list[dict[str, Any]], saved: list[str], **play: Any) -> list[str]:
    """Write inventory and playbook; the last task saves the registered ``saved`` variables to results.json.

    Returns the ansible-playbook command."""
    (directory / "inventory").write_text(
        f"localhost ansible_connection=local ansible_python_interpreter={sys.executable}\n"
    )
    content = "{{ {" + ", ".join(f"'{name}': {name}" for name in saved) + "} | to_json }}"
    save = {
        "name": "Save the results",
        "ansible.builtin.copy": {"content": content, "dest": str(directory / "results.json"), "mode": "0600"},
        "check_mode": False,
    }
    plays = [{"name": "Wait", "hosts": "localhost", "gather_facts": False, **play, "tasks": [*tasks, save]}]
    (directory / "playbook.yml").write_text(yaml.safe_dump(plays, sort_keys=False))
    return [str(ANSIBLE_PLAYBOOK), "-i", str(directory / "inventory"), str(directory / "playbook.yml")]


def _run(directory: Path, command: list[str], **env: str) -> tuple[subprocess.CompletedProcess, dict[str, Any]]:
    completed = subprocess.run(
        command,
        cwd=directory,
        env=_environment(local_temp=directory / "ansible-tmp", **env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    results = directory / "results.json"
    assert results.exists(), completed.stdout + completed.stderr
    return completed, json.loads(results.read_text())


@pytest.mark.parametrize("check", [False, True], ids=["run", "check_mode"])
def test_playbook_waits_for_a_file_printing_progress_while_it_runs(tmp_path, check):
    """The file appears only once the first progress line has reached this process: so the line is shown while the
    task is still waiting, not when it ends."""
    flag = tmp_path / "flag"
    wait = {
        "name": "Wait for the flag file",
        "cloudops.fargate.wait_until": {
            "what": "the flag file",
            "read": {"module": "ansible.builtin.stat", "args": {"path": str(flag), "get_checksum": False}},
            "ready": "result.stat.exists",
            "pending": "result.stat.exists | ternary([], ['flag'])",
            "timeout": 30,
            "delay": 0.3,
            "quiet_seconds": 0.5,
        },
        "register": "waited",
    }
    mode = {"name": "Record the mode", "ansible.builtin.set_fact": {"checking": "{{ ansible_check_mode }}"}}
    command = _playbook(tmp_path, [wait, mode], ["waited", "checking"]) + (["--check"] if check else [])

    created_by: list[str] = []
    lock = threading.Lock()

    def create(reason: str) -> None:
        with lock:
            if not created_by:
                created_by.append(reason)
                flag.write_text("")

    # Never leave the playbook waiting, whatever happens to its output.
    fallback = threading.Timer(20, create, args=("fallback",))
    fallback.start()
    lines: list[str] = []
    try:
        process = subprocess.Popen(
            command,
            cwd=tmp_path,
            env=_environment(local_temp=tmp_path / "ansible-tmp"),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        trigger = None
        for line in process.stdout:
            lines.append(line.rstrip("\n"))
            if trigger is None and line.startswith("Waiting for the flag file"):
                trigger = threading.Timer(1.0, create, args=("progress line",))
                trigger.start()
        process.wait(timeout=60)
    finally:
        fallback.cancel()
    output = "\n".join(lines)
    assert process.returncode == 0, output
    assert created_by == ["progress line"], output

    progress = [line for line in lines if line.startswith("Waiting for the flag file")]
    assert re.fullmatch(r"Waiting for the flag file: 1 pending \(flag\), \d+ s elapsed of 30 s", progress[0]), progress
    done = [line for line in lines if line.startswith("the flag file: ready after ")]
    assert len(done) == 1, output
    next_task = next(n for n, line in enumerate(lines) if line.startswith("TASK [Record the mode]"))
    assert lines.index(progress[0]) < lines.index(done[0]) < next_task

    results = json.loads((tmp_path / "results.json").read_text())
    waited = results["waited"]
    assert waited["stat"]["exists"] is True
    assert waited["attempts"] > 1
    assert isinstance(waited["elapsed"], int) and waited["elapsed"] >= 1
    assert waited["what"] == "the flag file"
    assert list(waited["ready_after"]) == ["flag"]
    assert 1 <= waited["ready_after"]["flag"] <= waited["elapsed"] + 0.5
    assert isinstance(waited["started"], float) and waited["started"] <= time.time() - waited["elapsed"] + 0.5
    assert waited["changed"] is False and not waited.get("failed")
    assert results["checking"] is check


@pytest.fixture(scope="module")
def failures(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess, dict[str, Any]]:
    """One playbook run of every way the wait fails, each task ignoring its error."""
    directory = tmp_path_factory.mktemp("wait-until-failures")
    missing = str(directory / "missing")

    def task(register: str, **options: Any) -> dict[str, Any]:
        args = {
            "what": "the missing files",
            "read": {"module": "ansible.builtin.stat", "args": {"path": missing, "get_checksum": False}},
            "ready": "result.stat.exists",
            "timeout": 30,
            "delay": 0.3,
        }
        args.update(options)
        args = {k: v for k, v in args.items() if v is not None}
        return {"name": register, "cloudops.fargate.wait_until": args, "register": register, "ignore_errors": True}

    tasks = [
        task("timed_out", timeout=1, pending="['vpce-1', 'vpce-2']"),
        task("timed_out_unmet", timeout=0, ready=["result.stat is defined", "result.stat.exists"]),
        task("failed_at_once", fail="not result.stat.exists", fail_msg="{{ result.stat.exists }}: {{ hint }} missing"),
        task("failed_default", fail=["false", "not result.stat.exists"]),
        task("read_failed", read={"module": "ansible.builtin.stat", "args": {}}),
        task("zero_delay", delay=0),
        task("no_what", what=None),
        task("unknown_module", read={"module": "cloudops.fargate.no_such_module"}),
    ]
    command = _playbook(directory, tasks, [t["register"] for t in tasks], vars={"hint": "the file is"})
    return _run(directory, command)


def test_playbook_timeout_names_what_and_what_is_pending(failures):
    _completed, results = failures
    timed_out = results["timed_out"]
    assert timed_out["failed"] is True
    assert timed_out["msg"] == "Timed out after 1 s waiting for the missing files; still pending: vpce-1, vpce-2"
    assert timed_out["attempts"] >= 1 and timed_out["stat"] == {"exists": False}
    assert results["timed_out_unmet"]["msg"] == (
        "Timed out after 0 s waiting for the missing files; the last state did not satisfy: result.stat.exists"
    )


def test_playbook_fail_expression_stops_at_once(failures):
    completed, results = failures
    assert results["failed_at_once"]["attempts"] == 1
    assert results["failed_at_once"]["msg"] == "False: the file is missing"
    assert results["failed_default"]["attempts"] == 1
    assert results["failed_default"]["msg"] == (
        "Stopped waiting for the missing files: the last state satisfied the fail expression: not result.stat.exists"
    )
    # The failure shown is this message, not the read module's.
    assert "Task failed: Action failed: False: the file is missing" in completed.stdout


def test_playbook_read_module_failure_fails_at_once_with_its_message(failures):
    completed, results = failures
    read_failed = results["read_failed"]
    assert read_failed["attempts"] == 1
    assert read_failed["msg"] == (
        "Reading the missing files with ansible.builtin.stat failed: missing required arguments: path"
    )
    assert "Action failed: Reading the missing files with ansible.builtin.stat failed" in completed.stdout


def test_playbook_bad_options_fail_naming_the_option_before_any_poll(failures):
    _completed, results = failures
    assert results["zero_delay"]["msg"] == "delay must be more than 0 seconds, got 0"
    assert results["no_what"]["msg"] == "missing required arguments: what"
    assert (
        results["unknown_module"]["msg"] == "read.module: no module named 'cloudops.fargate.no_such_module' was found"
    )
    assert not any("attempts" in results[name] for name in ("zero_delay", "no_what", "unknown_module"))


@pytest.fixture(scope="module")
def emulator_url(tmp_path_factory: pytest.TempPathFactory) -> Any:
    with running_emulator(tmp_path_factory.mktemp("wait-until-emulator"), timeout=30) as url:
        yield url


def test_playbook_module_defaults_reach_the_read_module_with_groups(tmp_path, emulator_url):
    """stat's path only from module_defaults; ec2_vpc_endpoint_info's region, endpoint and credentials only from
    group/cloudops.fargate.aws (no AWS_* variables in the environment). The group's options do not reach the action
    itself: it would refuse them as unsupported parameters."""
    ec2 = boto3.client(
        "ec2",
        endpoint_url=emulator_url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    vpc_id = ec2.create_vpc(CidrBlock="10.61.0.0/16")["Vpc"]["VpcId"]
    subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.61.1.0/24")["Subnet"]["SubnetId"]
    endpoint_id = ec2.create_vpc_endpoint(
        VpcId=vpc_id, ServiceName="com.amazonaws.us-east-1.logs", VpcEndpointType="Interface", SubnetIds=[subnet_id]
    )["VpcEndpoint"]["VpcEndpointId"]
    present = tmp_path / "present"
    present.write_text("")

    tasks = [
        {
            "name": "Wait for the file",
            "cloudops.fargate.wait_until": {
                "what": "the file",
                "read": {"module": "ansible.builtin.stat"},
                "ready": "result.stat.exists",
                "timeout": 10,
                "delay": 0.5,
            },
            "register": "file_state",
        },
        {
            "name": "Wait for the interface endpoints",
            "cloudops.fargate.wait_until": {
                "what": ENDPOINTS,
                "read": {"module": "amazon.aws.ec2_vpc_endpoint_info", "args": {"vpc_endpoint_ids": [endpoint_id]}},
                "ready": f"{NOT_SETTLED} | list | length == 0",
                "pending": f"{NOT_SETTLED} | map(attribute='vpc_endpoint_id') | list",
                "timeout": 30,
                "delay": 0.5,
            },
            "register": "endpoints_state",
        },
    ]
    module_defaults = {
        "ansible.builtin.stat": {"path": str(present)},
        "group/cloudops.fargate.aws": {
            "region": "us-east-1",
            "endpoint_url": emulator_url,
            "access_key": "testing",
            "secret_key": "testing",
        },
    }
    command = _playbook(tmp_path, tasks, ["file_state", "endpoints_state"], module_defaults=module_defaults)
    completed, results = _run(tmp_path, command)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert results["file_state"]["stat"]["path"] == str(present)
    assert results["file_state"]["stat"]["exists"] is True
    endpoints = results["endpoints_state"]["vpc_endpoints"]
    assert [(e["vpc_endpoint_id"], e["state"]) for e in endpoints] == [(endpoint_id, "available")]
