"""cloudops.fargate.timeline: what a result mentions, the rows, the critical path walk, the time axis, the SVG and
HTML, the hooks' bookkeeping on fake tasks, and real ansible-playbook runs with the callback enabled."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml

from ansible_collections.cloudops.fargate.plugins.callback import timeline
from ansible_collections.cloudops.fargate.plugins.callback.timeline import CallbackModule
from ansible_collections.cloudops.fargate.plugins.callback.timeline import build_rows
from ansible_collections.cloudops.fargate.plugins.callback.timeline import choose_tick
from ansible_collections.cloudops.fargate.plugins.callback.timeline import critical_path
from ansible_collections.cloudops.fargate.plugins.callback.timeline import duration
from ansible_collections.cloudops.fargate.plugins.callback.timeline import mentioned_strings
from ansible_collections.cloudops.fargate.plugins.callback.timeline import render_html
from ansible_collections.cloudops.fargate.plugins.callback.timeline import render_svg
from ansible_collections.cloudops.fargate.plugins.callback.timeline import tick_label
from ansible_collections.cloudops.fargate.plugins.callback.timeline import wait_of
from ansible_collections.cloudops.fargate.plugins.callback.timeline import write_timeline

REPO_ROOT = Path(__file__).resolve().parents[4]
ANSIBLE_PLAYBOOK = Path(sys.executable).parent / "ansible-playbook"
SVG = "{http://www.w3.org/2000/svg}"
T0 = 1_700_000_000.0
NAT_A = "nat-0a1b2c3d4e5f60718"
NAT_B = "nat-0f1e2d3c4b5a69788"
FS_ARN = "arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/fs-0123abcd"

# --- records as the hooks leave them -----------------------------------------------------------------------------


def record(task: str, start: float, end: float, layer: str = "network", host: str = "demo", **more: Any) -> dict:
    """A recorded task; times in seconds after T0."""
    values = {
        "host": host,
        "task": task,
        "action": "ansible.builtin.command",
        "layer": layer,
        "start": T0 + start,
        "end": T0 + end,
        "status": "ok",
        "mentions": set(),
        "waits": [],
    }
    values.update(more)
    return values


def wait_record(what: str, start: float, end: float, ready_after: dict[str, float], **more: Any) -> dict:
    wait = {"what": what, "started": T0 + start, "end": T0 + end, "ready_after": ready_after, "status": "ok"}
    return record(f"Wait for {what}", start, end, action="cloudops.fargate.wait_until", waits=[wait], **more)


def by_label(rows: list[dict]) -> dict[str, dict]:
    return {row["label"]: row for row in rows}


# --- what a result mentions, and a wait's result ---------------------------------------------------------------


def test_mentioned_strings_takes_short_values_whole_and_ids_from_long_ones():
    result = {
        "nat_gateway": {"nat_gateway_id": NAT_A, "subnet_id": "subnet-0123456789abcdef0", "state": "pending"},
        "msg": f"Created {'x' * 300} {FS_ARN}, {NAT_B}.",
        "count": 3,
        "ignored_key_0123abcd-": None,
        "items": [["cvpn-endpoint-0123456789abcdef0"]],
    }
    found = mentioned_strings(result)
    assert {NAT_A, "subnet-0123456789abcdef0", "pending", "cvpn-endpoint-0123456789abcdef0"} <= found
    assert {NAT_B, "fs-0123abcd", FS_ARN} <= found
    assert not any(value.startswith("Created") for value in found)
    assert "ignored_key_0123abcd-" not in found and "nat_gateway_id" not in found


def test_mentioned_strings_looks_at_no_more_than_its_cap():
    assert len(mentioned_strings({"ids": [f"id-{n}" for n in range(100)]}, cap=10)) == 10


def test_wait_of_reads_the_wait_until_result_and_copes_without_one():
    result = {"what": "the NAT gateways", "started": T0, "ready_after": {NAT_A: 12, "bad": "x"}, "elapsed": 30}
    assert wait_of(result, "unused", T0 + 30) == {
        "what": "the NAT gateways",
        "started": T0,
        "end": T0 + 30,
        "ready_after": {NAT_A: 12.0},
        "status": "ok",
    }
    censored = {"censored": "hidden", "changed": False, "failed": True}
    assert wait_of(censored, "the task", T0) == {
        "what": "the task",
        "started": None,
        "end": T0,
        "ready_after": {},
        "status": "failed",
    }


# --- rows ----------------------------------------------------------------------------------------------------------


def test_a_role_that_runs_twice_is_one_row_of_two_segments_and_short_tasks_have_none():
    records = [
        record("Create the VPC", 0, 5),
        record("Create the NAT gateways", 5, 6),  # 1 s: no row of its own
        record("Build the images", 6, 40, layer="Build the stack"),
        record("Create the routes", 40, 43),
    ]
    rows = build_rows(records, min_seconds=2, origin=T0)
    assert [(row["kind"], row["label"]) for row in rows] == [
        ("layer", "network"),
        ("task", "Create the VPC"),
        ("task", "Create the routes"),
        ("layer", "Build the stack"),
        ("task", "Build the images"),
    ]
    network = rows[0]
    assert network["segments"] == [[0, 6], [40, 43]]
    assert (network["start"], network["end"]) == (0, 43)
    assert [row["id"] for row in rows] == list(range(5))
    assert all(row["critical"] is False for row in rows)


def test_resources_start_at_the_first_earlier_task_mentioning_them_or_else_with_their_wait():
    records = [
        record("Look around", 0, 1, mentions={"vpc-1"}),
        record("Create the NAT gateways", 2, 4, mentions={NAT_A, NAT_B}),
        record("Mention one again", 5, 6, mentions={NAT_B}),
        wait_record("the NAT gateways", 10, 70, {NAT_B: 20.5, NAT_A: 60.0, "eipalloc-1": 20.5}, mentions={"vpc-9"}),
    ]
    rows = build_rows(records, min_seconds=2, origin=T0)
    labels = by_label(rows)
    wait = labels["the NAT gateways"]
    assert (wait["kind"], wait["start"], wait["end"], wait["task"]) == ("wait", 10, 70, "Wait for the NAT gateways")
    # Resources follow their wait, in the order they became ready, the earlier started first.
    resources = rows[rows.index(wait) + 1 :]
    assert [(r["label"], r["start"], r["end"], r["task"]) for r in resources] == [
        (NAT_B, 2, 30.5, "Create the NAT gateways"),
        ("eipalloc-1", 10, 30.5, None),
        (NAT_A, 2, 70, "Create the NAT gateways"),
    ]
    assert all(r["kind"] == "resource" and r["wait"] == wait["id"] for r in resources)
    assert resources[2]["ready_after"] == 60.0


def test_a_wait_never_looks_at_its_own_result_or_later_tasks():
    records = [
        wait_record("the endpoint", 0, 10, {"vpce-1": 9.0}, mentions={"vpce-1"}),
        record("Mention it later", 20, 21, mentions={"vpce-1"}),
    ]
    resource = by_label(build_rows(records, origin=T0))["vpce-1"]
    assert (resource["start"], resource["task"]) == (0, None)


def test_rows_are_grouped_by_host_and_resource_references_follow():
    records = [
        record("Create", 0, 3, host="a", mentions={"fs-1"}),
        record("Create", 1, 4, host="b", mentions={"fs-1"}),
        wait_record("the file system", 4, 9, {"fs-1": 4.0}, host="a"),
        wait_record("the file system", 5, 15, {"fs-1": 9.0}, host="b"),
    ]
    rows = build_rows(records, origin=T0)
    assert [row["host"] for row in rows] == ["a"] * 4 + ["b"] * 4
    for row in rows:
        if row["kind"] == "resource":
            assert rows[row["wait"]]["kind"] == "wait" and rows[row["wait"]]["host"] == row["host"]
    assert [(r["host"], r["start"], r["end"]) for r in rows if r["kind"] == "resource"] == [
        ("a", 0, 8),
        ("b", 1, 14),
    ]


# --- the critical path -------------------------------------------------------------------------------------------


def test_critical_path_takes_the_resource_ready_last_and_walks_on_from_its_start():
    """The last wait awaited two overlapping resources: A, created first (0 s) and ready at 60 s, and B, created later
    (10 s) and ready last at 70 s. The path goes through B, so on from 10 s: the wait for the subnet ended at 9 s and
    is on it, while the longer wait for the certificate ended at 30 s, after B started, and is not. Through A, the
    earliest and longest, the path would end at A."""
    records = [
        record("Create A", 0, 1, mentions={NAT_A}),
        wait_record("the subnet", 1, 9, {"subnet-1": 8.0}),
        record("Create B", 10, 11, mentions={NAT_B}),
        wait_record("the certificate", 11, 30, {}),
        record("Quick look", 30, 31),
        wait_record("a blink", 31, 31.5, {}),  # blocked less than a second: never on the path
        wait_record("the NAT gateways", 40, 70, {NAT_A: 20.0, NAT_B: 30.0}),
        record("Finish", 70, 71.5),
    ]
    rows = build_rows(records, origin=T0)
    paths = critical_path(rows)
    labels = by_label(rows)
    assert paths == {"demo": [labels["subnet-1"]["id"], labels[NAT_B]["id"]]}
    assert [row["label"] for row in rows if row["critical"]] == ["subnet-1", NAT_B]
    assert labels[NAT_A]["critical"] is False and labels["the certificate"]["critical"] is False


def test_critical_path_marks_a_wait_without_resources_and_goes_on_from_its_start():
    records = [
        wait_record("the role to propagate", 0, 20, {}),
        record("Create the service", 20, 25, mentions={"svc-1"}),
        wait_record("the service", 25, 90, {}),
        wait_record("the tasks", 90, 90.5, {"task-1": 0.5}),
    ]
    rows = build_rows(records, origin=T0)
    labels = by_label(rows)
    assert critical_path(rows) == {"demo": [labels["the role to propagate"]["id"], labels["the service"]["id"]]}


def test_critical_path_per_host_and_empty_without_blocking_waits():
    records = [
        wait_record("x", 0, 5, {"r-1": 5.0}, host="a"),
        record("Only tasks", 0, 50, host="b"),
    ]
    rows = build_rows(records, origin=T0)
    assert critical_path(rows) == {"a": [by_label(rows)["r-1"]["id"]], "b": []}


def test_timeline_document_sums_the_blocked_time_per_host():
    records = [
        wait_record("one", 1, 11, {}, host="a"),
        wait_record("two", 20, 25.5, {}, host="a"),
        record("Work", 2, 30, host="b"),
    ]
    document = timeline.timeline(records, 2, T0, T0 + 40)
    assert document["wall_seconds"] == 40
    assert document["started"] == T0
    assert document["hosts"]["a"] == {
        "start": 1,
        "end": 25.5,
        "blocked_seconds": 15.5,
        "waits": 2,
        "wall_seconds": 24.5,
        "critical_path": [1, 2],
    }
    assert document["hosts"]["b"]["blocked_seconds"] == 0
    json.dumps(document)  # plain data


# --- the axis and text -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "step"),
    [(0.5, 1), (6, 1), (45, 5), (100, 10), (300, 30), (700, 60), (1300, 120), (3000, 300), (7000, 600), (1e6, 14400)],
)
def test_choose_tick_gives_at_most_a_dozen_ticks(total, step):
    assert choose_tick(total) == step


def test_tick_labels_and_durations():
    assert tick_label(10, 45) == "10 s"
    assert tick_label(90, 600) == "1:30"
    assert tick_label(3900, 7200) == "1:05:00"
    assert [duration(s) for s in (4.23, 45.4, 725, 3720)] == ["4.2 s", "45 s", "12 min 05 s", "1 h 02 min"]


# --- SVG and HTML --------------------------------------------------------------------------------------------------


def _document(hosts: tuple[str, ...] = ("demo",)) -> dict[str, Any]:
    records = []
    for offset, host in enumerate(hosts):
        records += [
            record('Create <the> "NAT" & \'EIP\'\x01', offset, offset + 5, host=host, mentions={NAT_A}),
            record("a" * 120, offset + 5, offset + 8, layer="A play", host=host),
            wait_record("the NAT gateways", offset + 8, offset + 95, {NAT_A: 80.0}, host=host),
        ]
    return timeline.timeline(records, 2, T0, T0 + 100)


def _texts(root: ET.Element) -> list[str]:
    return ["".join(element.itertext()) for element in root.iter(f"{SVG}text")]


def test_svg_is_well_formed_with_axis_legend_labels_and_a_red_critical_bar():
    svg = render_svg(_document())
    assert svg.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg" and root.get("width") == "1200"
    texts = _texts(root)
    assert texts[0] == "Timeline of the run: 1 min 40 s wall time"
    assert "demo: 1 min 35 s from its first task to its last, 1 min 27 s blocked in 1 wait(s)" in texts
    assert {"role or play", "task", "wait", "resource awaited", "critical path"} <= set(texts)
    # Ticks every 10 s over 100 s, above and below the rows.
    assert texts.count("1:00") == 2 and "1:40" in texts and "1:50" not in texts
    assert 'Create <the> "NAT" & \'EIP\'\ufffd' in texts
    assert "a" * 47 + "\u2026" in texts  # truncated to the 48 characters left one level in
    assert "the NAT gateways" in texts and NAT_A in texts
    bars = [rect for rect in root.iter(f"{SVG}rect") if rect.find(f"{SVG}title") is not None]
    red = [rect for rect in bars if rect.get("fill") == timeline.COLOURS["critical"]]
    assert len(red) == 1 and NAT_A in red[0].find(f"{SVG}title").text
    assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", svg)  # nothing to fetch


def test_svg_groups_several_hosts_under_a_header_each():
    root = ET.fromstring(render_svg(_document(("a", "b"))))
    texts = _texts(root)
    assert texts.index("host a") < texts.index("host b")
    bars = [rect for rect in root.iter(f"{SVG}rect") if rect.find(f"{SVG}title") is not None]
    assert len([rect for rect in bars if rect.get("fill") == timeline.COLOURS["critical"]]) == 2


def test_svg_draws_resource_rows_added_without_a_wait():
    """Rows another tool adds (the benchmark adds what AWS did meanwhile) need no wait of their own."""
    document = _document()
    document["rows"].append({"id": len(document["rows"]), "host": "AWS", "kind": "resource",
                             "label": "nat_gateway.pending", "layer": "aws", "start": 9.0, "end": 60.0,
                             "segments": [[9.0, 60.0]], "critical": True})
    root = ET.fromstring(render_svg(document))
    assert "host AWS" in _texts(root) and "nat_gateway.pending" in _texts(root)
    titles = [rect.find(f"{SVG}title").text for rect in root.iter(f"{SVG}rect") if rect.find(f"{SVG}title") is not None]
    assert "nat_gateway.pending (resource): from 9.0 s, 51 s, on the critical path" in titles


def test_svg_of_a_run_without_tasks():
    document = timeline.timeline([], 2, T0, T0 + 3)
    assert "No task ran." in _texts(ET.fromstring(render_svg(document)))


def test_html_embeds_the_svg_and_tables_of_the_hosts_and_the_critical_path():
    page = render_html(_document())
    assert page.startswith("<!DOCTYPE html>") and "<?xml" not in page
    svg = page[page.index("<svg") : page.index("</svg>") + len("</svg>")]
    ET.fromstring(svg)
    assert "<h2>Hosts</h2>" in page and "<h2>Critical path</h2>" in page
    assert f"<td>resource</td><td>{NAT_A}</td>" in page
    assert "&lt;the&gt; &quot;NAT&quot; &amp; &#x27;EIP&#x27;" in page
    assert "<script" not in page and "<link" not in page


def test_write_timeline_chooses_the_format_by_suffix_and_writes_the_rows_beside(tmp_path):
    document = _document()
    written = write_timeline(str(tmp_path / "out" / "run.SVG"), document)
    assert written == [str(tmp_path / "out" / "run.SVG"), str(tmp_path / "out" / "run.SVG.json")]
    ET.parse(written[0])
    assert json.loads(Path(written[1]).read_text()) == json.loads(json.dumps(document))
    page, _data = write_timeline(str(tmp_path / "run.html"), document)
    assert Path(page).read_text().startswith("<!DOCTYPE html>")


# --- the hooks, on fake tasks ---------------------------------------------------------------------------------------


class _Host(SimpleNamespace):
    def get_name(self) -> str:
        return self.name


class _Role(SimpleNamespace):
    def get_name(self, include_role_fqcn: bool = True) -> str:
        return f"cloudops.fargate.{self.name}" if include_role_fqcn else self.name


def _task(name: str, action: str = "ansible.builtin.command", role: str | None = None, **args: Any) -> Any:
    return SimpleNamespace(
        name=name,
        action=action,
        resolved_action=None,
        _role=_Role(name=role) if role else None,
        _uuid=f"uuid-{name}",
        args=args,
    )


def _result(host: Any, task: Any, **result: Any) -> Any:
    return SimpleNamespace(host=host, task=task, result=result)


def test_hooks_record_tasks_loops_and_waits_but_not_skips_or_includes(monkeypatch):
    now = [T0]
    monkeypatch.setattr(timeline.time, "time", lambda: now[0])
    callback = CallbackModule()
    callback._path = "unused"
    host = _Host(name="demo")
    callback.v2_playbook_on_start(None)
    callback.v2_playbook_on_play_start(SimpleNamespace(get_name=lambda: "Build the stack"))

    def run(task: Any, seconds: float, hook: str = "v2_runner_on_ok", items: list[dict] | None = None, **result):
        callback.v2_runner_on_start(host, task)
        for item in items or []:
            now[0] += seconds / (len(items) + 1)
            callback.v2_runner_item_on_ok(_result(host, task, **item))
        now[0] += seconds / (len(items) + 1) if items else seconds
        getattr(callback, hook)(_result(host, task, **result))

    run(_task("Include", "ansible.builtin.include_role"), 1, include_args={})
    run(_task("Create", role="network"), 3, nat_gateway={"id": NAT_A})
    run(_task("Skipped", role="network"), 5, "v2_runner_on_skipped", skipped=True)
    run(_task("Plain"), 4, "v2_runner_on_failed", msg="boom")
    waits = [
        {"what": "the NAT gateways", "started": now[0] + 0.1, "ready_after": {NAT_A: 2.5}},
        {"what": "the endpoints", "started": now[0] + 4.1, "ready_after": {}},
    ]
    run(_task("Wait in a loop", "cloudops.fargate.wait_until", role="network", what="{{ x }}"), 12, items=waits)
    run(_task("Wait hidden", "wait_until", role="network", what="the secrets"), 3, censored="hidden")

    records = callback._records
    assert [(r["task"], r["status"], r["end"] - r["start"]) for r in records] == [
        ("Create", "ok", 3),
        ("Plain", "failed", 4),
        ("Wait in a loop", "ok", 12),
        ("Wait hidden", "ok", 3),
    ]
    assert records[0]["layer"] == "network" and records[1]["layer"] == "Build the stack"
    assert NAT_A in records[0]["mentions"]
    loop = records[2]["waits"]
    assert [(w["what"], w["started"] - T0, w["end"] - T0, w["ready_after"]) for w in loop] == [
        ("the NAT gateways", pytest.approx(13.1), 17, {NAT_A: 2.5}),
        ("the endpoints", pytest.approx(17.1), 21, {}),
    ]
    # No result to read under no_log: the task's own name and times.
    assert records[3]["waits"] == [
        {"what": "the secrets", "started": None, "end": T0 + 28, "ready_after": {}, "status": "ok"}
    ]
    assert callback._running == {}


# --- ansible-playbook runs -------------------------------------------------------------------------------------------


def _environment(directory: Path, **more: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "CLOUDOPS_TIMELINE"))}
    env.update(
        ANSIBLE_CONFIG=str(REPO_ROOT / "ansible.cfg"),
        ANSIBLE_NOCOLOR="true",
        ANSIBLE_FORCE_COLOR="false",
        ANSIBLE_DEPRECATION_WARNINGS="false",
        ANSIBLE_LOCAL_TEMP=str(directory / "ansible-tmp"),
        ANSIBLE_ROLES_PATH=str(directory / "roles"),
        ANSIBLE_CALLBACKS_ENABLED="cloudops.fargate.timeline",
        **more,
    )
    return env


def _write_yaml(path: Path, content: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(content, sort_keys=False))


def _run_playbook(directory: Path, tasks: list[dict[str, Any]], **env: str) -> subprocess.CompletedProcess:
    (directory / "inventory").write_text(
        f"localhost ansible_connection=local ansible_python_interpreter={sys.executable}\n"
    )
    play = {"name": "Timeline", "hosts": "localhost", "gather_facts": False, "tasks": tasks}
    _write_yaml(directory / "playbook.yml", [play])
    completed = subprocess.run(
        [str(ANSIBLE_PLAYBOOK), "-i", str(directory / "inventory"), str(directory / "playbook.yml")],
        cwd=directory,
        env=_environment(directory, **env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return completed


def test_playbook_run_writes_the_timeline_of_a_role_run_in_two_phases(tmp_path):
    """The role's start phase names the flag file; the play sleeps and loops; the finish phase starts a background
    job that creates the file 4 s later and waits for it: so the wait blocks, and the file is the critical path."""
    flag = str(tmp_path / "flag-0123abcd")
    _write_yaml(
        tmp_path / "roles" / "demo" / "tasks" / "start.yml",
        [{"name": "Announce the flag", "ansible.builtin.command": f"echo {flag}", "changed_when": False}],
    )
    _write_yaml(
        tmp_path / "roles" / "demo" / "tasks" / "finish.yml",
        [
            {
                "name": "Create the flag later",
                "ansible.builtin.shell": f"sleep 4 && touch {flag}",
                "async": 30,
                "poll": 0,
                "changed_when": False,
            },
            {
                "name": "Wait for the flag",
                "cloudops.fargate.wait_until": {
                    "what": "the flag file",
                    "read": {"module": "ansible.builtin.stat", "args": {"path": flag, "get_checksum": False}},
                    "ready": "result.stat.exists",
                    "pending": f"result.stat.exists | ternary([], ['{flag}'])",
                    "timeout": 30,
                    "delay": 0.2,
                },
            },
        ],
    )
    tasks = [
        {"name": "Start the demo role", "ansible.builtin.include_role": {"name": "demo", "tasks_from": "start"}},
        {"name": "Sleep a second", "ansible.builtin.command": "sleep 1", "changed_when": False},
        {"name": "Skip this", "ansible.builtin.command": "sleep 5", "when": False},
        {
            "name": "Sleep in a loop",
            "ansible.builtin.command": "sleep {{ item }}",
            "loop": [0.4, 0.4],
            "changed_when": False,
        },
        {"name": "Finish the demo role", "ansible.builtin.include_role": {"name": "demo", "tasks_from": "finish"}},
    ]
    page = tmp_path / "out" / "timeline.html"
    completed = _run_playbook(tmp_path, tasks, CLOUDOPS_TIMELINE=str(page), CLOUDOPS_TIMELINE_MIN_SECONDS="0.7")
    assert f"Timeline written to {page} and {page}.json" in completed.stderr
    assert "Timeline written" not in completed.stdout

    text = page.read_text()
    ET.fromstring(text[text.index("<svg") : text.index("</svg>") + len("</svg>")])
    document = json.loads(Path(f"{page}.json").read_text())
    rows = document["rows"]
    labels = [(row["kind"], row["label"]) for row in rows]
    assert [row["label"] for row in rows if row["kind"] == "layer"] == ["demo", "Timeline"]
    assert len(rows[0]["segments"]) == 2  # the role's start, then its finish
    assert ("task", "Sleep a second") in labels and labels.count(("task", "Sleep in a loop")) == 1
    assert not any(label in ("Skip this", "Start the demo role", "Finish the demo role") for _kind, label in labels)

    wait = next(row for row in rows if row["kind"] == "wait")
    assert (wait["label"], wait["status"], wait["task"]) == ("the flag file", "ok", "Wait for the flag")
    assert wait["end"] - wait["start"] >= 1
    resource = next(row for row in rows if row["kind"] == "resource")
    assert (resource["label"], resource["task"], resource["wait"]) == (flag, "Announce the flag", wait["id"])
    assert resource["start"] < rows[0]["segments"][0][1] and resource["critical"] is True
    assert resource["end"] == pytest.approx(wait["start"] + resource["ready_after"], abs=0.01)
    summary = document["hosts"]["localhost"]
    assert summary["critical_path"] == [resource["id"]]
    assert summary["blocked_seconds"] == pytest.approx(wait["end"] - wait["start"], abs=0.01)
    assert 0 < summary["wall_seconds"] <= document["wall_seconds"]


def test_playbook_run_without_a_path_writes_nothing(tmp_path):
    tasks = [{"name": "Say hello", "ansible.builtin.debug": {"msg": "hello"}}]
    completed = _run_playbook(tmp_path, tasks)
    assert "Timeline written" not in completed.stdout + completed.stderr
    assert not list(tmp_path.glob("*.json")) and not list(tmp_path.glob("*.html"))
