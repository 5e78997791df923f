"""Benchmark (not a test): wall time, CPU time and AWS API calls of the day-to-day playbooks.

Plain mode (``make benchmark``): a fresh and a no-op converge of site.yml, drift.yml and preflight.yml on the stack as
built, and a teardown: the local inventory against a private emulator on a free loopback port, one table. The emulator
counts every AWS request it serves, by service and action. CPU time is the playbook's and its modules' (the
emulator's own is left out): on the emulator it, more than AWS, is what a run costs.

Realistic mode (``make benchmark REALISTIC=1 [TIME_SCALE=0.1]``): the emulator on AWS's clock (README, "Realistic
mode"), at scale 1 unless TIME_SCALE says. A fresh build and a teardown of the local stack, then of two stacks in one
inventory. For each: the wall time, the critical path of the dependency graph of what the emulator actually modelled
(``emulator/critical_path.py``, from the durations it recorded: the least the run could take on AWS), the fully
sequential sum of the same, and the ratios; and the two stacks' wall time against one stack's. Each run of the
single stack writes its timeline (the collection's timeline callback) to ``.benchmark/``.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from emulator import critical_path, realism, server  # noqa: E402

sys.path.insert(0, str(REPO_ROOT / "collections"))
from ansible_collections.cloudops.fargate.plugins.callback import timeline as timelines  # noqa: E402

OUT_DIR = REPO_ROOT / ".benchmark"
# A second stack beside the local inventory's demo: its own name and VPC block, the same settings otherwise. Kept
# under the repository so the local inventory's paths (inventory_dir/../../.emulator) resolve alike.
SECOND_STACK = {"fargate_stacks": {"hosts": {"demo2": {"cloudops_stack": "demo2", "network_vpc_cidr": "10.30.0.0/16"}}}}
THROTTLE_SEED = 15


@dataclass
class Run:
    name: str
    wall: float
    cpu: float
    calls: dict
    changed: int
    critical: float = 0.0
    critical_chain: tuple[str, ...] = ()
    sequential: float = 0.0
    timers: tuple[dict, ...] = ()


def emulator_json(endpoint: str, path: str, method: str = "GET", body: dict | None = None) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{endpoint}{path}", data=data, method=method)
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"{}")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def play(endpoint: str, name: str, playbook: str, inventories: tuple[str, ...] = (), timeline: Path | None = None,
         graph: dict | None = None) -> Run:
    """One ansible-playbook run as a user starts it, from the repository root; the emulator's counts and timers are
    reset first, so what they hold afterwards is this run's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ANSIBLE_", "CLOUDOPS_", "EMULATOR_"))}
    env.update(AWS_ENDPOINT_URL=endpoint, ANSIBLE_CONFIG=str(REPO_ROOT / "ansible.cfg"),
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}")
    if timeline is not None:
        env["CLOUDOPS_TIMELINE"] = str(timeline)
    command = [str(Path(sys.executable).parent / "ansible-playbook"), playbook]
    for inventory in inventories:
        command += ["-i", inventory]
    emulator_json(endpoint, "/_emulator/requests", "DELETE")
    emulator_json(endpoint, "/_emulator/timers", "DELETE")
    reset_at = time.time()
    print(f"  {name} ...", file=sys.stderr, flush=True)
    started, cpu_before = time.monotonic(), _children_cpu()
    completed = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=False)
    wall, cpu = time.monotonic() - started, _children_cpu() - cpu_before
    if completed.returncode != 0:
        sys.exit(f"{name} ({playbook}) failed:\n{completed.stdout[-3000:]}\n{completed.stderr[-2000:]}")
    run = Run(name, wall, cpu, emulator_json(endpoint, "/_emulator/requests"), completed.stdout.count("changed: ["))
    if graph is not None:
        timers = emulator_json(endpoint, "/_emulator/timers")["timers"]
        run.critical, chain = critical_path.critical_path(timers, graph)
        run.critical_chain = tuple(chain)
        run.sequential = critical_path.sequential_sum(timers)
        run.timers = tuple(timers)
        if timeline is not None:
            add_aws_rows(timeline, run, reset_at)
    print(f"  {name}: {wall:.1f} s", file=sys.stderr, flush=True)
    return run


def add_aws_rows(path: Path, run: Run, reset_at: float) -> None:
    """Adds to the run's timeline what AWS was doing meanwhile, as the emulator modelled it: a row per slow behaviour
    it timed (from the request to the end), the critical path's behaviours in red; writes it as HTML and as SVG."""
    document = json.loads(Path(f"{path}.json").read_text())
    shift = reset_at - document["started"]  # the timers count from the reset, the timeline from the playbook's start
    first = len(document["rows"])
    longest = {}
    for timer in run.timers:
        if timer["duration"] >= 1 and timer["duration"] > longest.get(timer["behaviour"], {}).get("duration", -1):
            longest[timer["behaviour"]] = timer
    rows = [{"id": first, "host": "AWS (the emulator's clock)", "kind": "layer", "label": "slow behaviours",
             "layer": "aws", "start": 0.0, "end": 0.0, "segments": [], "critical": False}]
    for timer in sorted(run.timers, key=lambda timer: timer["started"]):
        if timer["duration"] < 1:
            continue
        start = round(timer["started"] + shift, 3)
        rows.append({"id": first + len(rows), "host": "AWS (the emulator's clock)", "kind": "resource",
                     "label": f"{timer['behaviour']} {timer['subject'] or ''}".strip(), "layer": "aws",
                     "start": start, "end": round(start + timer["duration"], 3), "segments": [[start, start]],
                     "critical": timer["behaviour"] in run.critical_chain and longest.get(timer["behaviour"]) is timer,
                     "task": None})
    rows[0]["start"] = min((row["start"] for row in rows[1:]), default=0.0)
    rows[0]["end"] = max((row["end"] for row in rows[1:]), default=0.0)
    rows[0]["segments"] = [[rows[0]["start"], rows[0]["end"]]]
    for row in rows[1:]:
        row["segments"] = [[row["start"], row["end"]]]
    document["rows"].extend(rows)
    document["wall_seconds"] = max(document["wall_seconds"], rows[0]["end"])
    timelines.write_timeline(str(path), document)
    timelines.write_timeline(str(path.with_suffix(".svg")), document)


def plain_suite(endpoint: str) -> None:
    rows = [play(endpoint, "fresh converge", "site.yml"),
            play(endpoint, "no-op converge", "site.yml"),
            play(endpoint, "drift", "playbooks/drift.yml"),
            play(endpoint, "preflight", "playbooks/preflight.yml"),
            play(endpoint, "teardown", "playbooks/teardown.yml")]
    print(f"{'run':<16} {'wall s':>8} {'CPU s':>8} {'API calls':>10} {'changed tasks':>14}")
    for run in rows:
        print(f"{run.name:<16} {run.wall:>8.1f} {run.cpu:>8.1f} {run.calls['total']:>10} {run.changed:>14}")
    for run in rows:
        top = sorted(run.calls["by_action"].items(), key=lambda item: -item[1])[:8]
        print(f"\n{run.name}: busiest actions: " + ", ".join(f"{action} {count}" for action, count in top))


def realistic_suite(endpoint: str, scale: float) -> None:
    emulator_json(endpoint, "/_emulator/realism", "PUT",
                  {"realistic": True, "time_scale": scale, "throttle_seed": THROTTLE_SEED})
    OUT_DIR.mkdir(exist_ok=True)
    suffix = "" if scale == 1 else f"-scale-{scale:g}"
    second = OUT_DIR / "second-stack" / "hosts.yml"
    second.parent.mkdir(exist_ok=True)
    second.write_text("---\n" + json.dumps(SECOND_STACK, indent=2) + "\n")
    both = ("inventories/local", str(second.relative_to(REPO_ROOT)))
    rows = [
        play(endpoint, "fresh build", "site.yml", timeline=OUT_DIR / f"timeline-fresh-build{suffix}.html",
             graph=critical_path.BUILD),
        play(endpoint, "teardown", "playbooks/teardown.yml", timeline=OUT_DIR / f"timeline-teardown{suffix}.html",
             graph=critical_path.TEARDOWN),
        play(endpoint, "2 stacks: build", "site.yml", inventories=both, graph=critical_path.BUILD),
        play(endpoint, "2 stacks: teardown", "playbooks/teardown.yml", inventories=both, graph=critical_path.TEARDOWN),
    ]
    print(f"realistic mode, time scale {scale:g}, throttle rate {realism.REALISTIC_THROTTLE_RATE:g} (seed "
          f"{THROTTLE_SEED}), {realism.TYPICAL['api.call'].seconds * scale * 1000:g} ms per API call")
    print(f"{'run':<20} {'wall s':>8} {'critical s':>11} {'sequential s':>13} {'wall/critical':>14} "
          f"{'seq/critical':>13} {'CPU s':>7} {'API calls':>10}")
    for run in rows:
        print(f"{run.name:<20} {run.wall:>8.1f} {run.critical:>11.1f} {run.sequential:>13.1f} "
              f"{run.wall / run.critical if run.critical else 0:>14.2f} "
              f"{run.sequential / run.critical if run.critical else 0:>13.2f} {run.cpu:>7.1f} {run.calls['total']:>10}")
    print(f"\n2 stacks / 1 stack, wall: build {rows[2].wall / rows[0].wall:.2f}, "
          f"teardown {rows[3].wall / rows[1].wall:.2f}")
    for run in rows[:2]:
        print(f"{run.name}: critical path " + " -> ".join(run.critical_chain))
    print(f"timelines: {OUT_DIR.relative_to(REPO_ROOT)}/timeline-fresh-build{suffix}.html, "
          f"timeline-teardown{suffix}.html")


def main() -> int:
    realistic = os.environ.get(realism.REALISTIC_VARIABLE, "").strip().lower() in realism.TRUE_WORDS
    scale = float(os.environ.get(realism.TIME_SCALE_VARIABLE, "").strip() or 1)
    port = server.free_port()
    endpoint = server.endpoint_url(port)
    with tempfile.TemporaryDirectory(prefix="benchmark-emulator-") as state_dir:
        server.start(port, state_dir, timeout=60)
        try:
            if realistic:
                realistic_suite(endpoint, scale)
            else:
                plain_suite(endpoint)
        finally:
            server.stop(port, state_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
