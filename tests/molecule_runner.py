"""Run every molecule scenario against an emulator on a free loopback port (make molecule).

The scenarios' create/destroy steps start and stop the emulator themselves; this only chooses the
port and a private state directory, so a developer's own emulator on 4566 is never touched.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from emulator import server  # noqa: E402


def main() -> int:
    port = server.free_port()
    with tempfile.TemporaryDirectory(prefix="molecule-emulator-") as state_dir:
        env = dict(os.environ)
        env.update(
            AWS_ENDPOINT_URL=server.endpoint_url(port),
            EMULATOR_STATE_DIR=state_dir,
            # Molecule keeps each scenario's state (created or not) under ANSIBLE_HOME: a run interrupted midway
            # would leave a scenario "created" and the next run would skip its create, so every run starts clean.
            ANSIBLE_HOME=str(Path(state_dir) / "ansible-home"),
            ANSIBLE_CONFIG=str(REPO_ROOT / "ansible.cfg"),
            PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
            # Every module run's compiled module_utils and botocore models, shared across runs (tools/code_cache.py).
            CLOUDOPS_TEST_CODE_CACHE=str(REPO_ROOT / ".cache" / "test-code"),
        )
        molecule = str(Path(sys.executable).parent / "molecule")
        try:
            return subprocess.call([molecule, "test", "--all"], cwd=REPO_ROOT, env=env)
        finally:
            # A scenario that failed before its destroy step may leave its emulator running.
            server.stop(port, state_dir)


if __name__ == "__main__":
    sys.exit(main())
