"""Benchmark (not a test): wall time, CPU time and AWS API calls of the day-to-day playbooks.

A fresh and a no-op converge of site.yml, drift.yml and preflight.yml on the stack as built, and a teardown: the
local inventory against a private emulator on a free loopback port, one table; `make benchmark` runs it. The
emulator counts every AWS request it serves, by service and action. CPU time is the playbook's and its modules'
(the emulator's own is left out): on the emulator it, more than AWS, is what a run costs.
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
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from emulator import server  # noqa: E402


def api_calls(endpoint: str, reset: bool = False) -> dict:
    request = urllib.request.Request(f"{endpoint}/_emulator/requests", method="DELETE" if reset else "GET")
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"{}")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def converge(endpoint: str, playbook: str) -> tuple[float, float, dict, int]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ANSIBLE_", "CLOUDOPS_"))}
    env.update(AWS_ENDPOINT_URL=endpoint, ANSIBLE_CONFIG=str(REPO_ROOT / "ansible.cfg"),
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}")
    api_calls(endpoint, reset=True)
    started, cpu_before = time.monotonic(), _children_cpu()
    completed = subprocess.run([str(Path(sys.executable).parent / "ansible-playbook"), playbook],
                               cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=False)
    elapsed, cpu = time.monotonic() - started, _children_cpu() - cpu_before
    if completed.returncode != 0:
        sys.exit(f"{playbook} failed:\n{completed.stdout[-3000:]}\n{completed.stderr[-2000:]}")
    return elapsed, cpu, api_calls(endpoint), completed.stdout.count("changed: [")


def main() -> int:
    port = server.free_port()
    endpoint = server.endpoint_url(port)
    with tempfile.TemporaryDirectory(prefix="benchmark-emulator-") as state_dir:
        server.start(port, state_dir, timeout=60)
        try:
            rows = [("fresh converge", *converge(endpoint, "site.yml")),
                    ("no-op converge", *converge(endpoint, "site.yml")),
                    ("drift", *converge(endpoint, "playbooks/drift.yml")),
                    ("preflight", *converge(endpoint, "playbooks/preflight.yml")),
                    ("teardown", *converge(endpoint, "playbooks/teardown.yml"))]
        finally:
            server.stop(port, state_dir)
    print(f"{'run':<16} {'wall s':>8} {'CPU s':>8} {'API calls':>10} {'changed tasks':>14}")
    for name, elapsed, cpu, calls, changed in rows:
        print(f"{name:<16} {elapsed:>8.1f} {cpu:>8.1f} {calls['total']:>10} {changed:>14}")
    for name, _elapsed, _cpu, calls, _changed in rows:
        top = sorted(calls["by_action"].items(), key=lambda item: -item[1])[:8]
        print(f"\n{name}: busiest actions: " + ", ".join(f"{action} {count}" for action, count in top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
