"""The README's command lines, run as a user runs them: from the repository root, in a shell environment without any
variable that make exports (no ANSIBLE_CONFIG, no venv first on PATH). Only AWS_ENDPOINT_URL, the emulator's documented
knob, points the local inventory at a test's emulator."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
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
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ANSIBLE_", "MOLECULE_", "CLOUDOPS_"))}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if Path(p) != VENV_BIN)
    env["AWS_ENDPOINT_URL"] = endpoint
    argv = command_line.split()
    # The README's .venv/bin is this interpreter's venv (make installs into .venv).
    argv[0] = str(VENV_BIN / Path(argv[0]).name)
    completed = subprocess.run(
        argv, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=900, check=False
    )
    return ReadmeRun(completed.returncode, completed.stdout + completed.stderr)
