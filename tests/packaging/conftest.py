"""Packaging fixtures: the built collection artifact, its installed copy, and the two slow playbook runs.

The runs (``cloudops.fargate.site`` from the installed artifact, and ``site.yml`` through ansible-runner the
way AWX runs a job) take about a minute each on two cores. Following the project's own rule, "start early,
wait late", ``network_jobs`` starts both at once, each on an emulator of its own, and each test waits for the
job it reads.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ansible_runner
import boto3
import pytest
import yaml

from emulator import server

REPO_ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
REGION = "us-east-1"
JOB_TIMEOUT = 600
# Tools run at nice 19 beside the integration suite (make test): a timeout only stops a hang, never a slow run.
TOOL_TIMEOUT = 600

# Who runs the job: AWX's "Amazon Web Services" credential, here temporary credentials of a role in an
# account of its own, so the test can tell which credentials the modules used.
AWX_ACCOUNT = "222222222222"
DEFAULT_ACCOUNT = "123456789012"  # moto's, for any key it does not know (such as inventories/local's "testing")

# What the extra vars of the AWX job template set: one more tag on every resource.
AWX_EXTRA_VARS = {"cloudops_tags": {"CostCenter": "local", "LaunchedBy": "awx"}}

# A checkout as AWX's project sync leaves it: no venv, local state or caches (what .gitignore keeps out).
NOT_IN_A_CHECKOUT = {".git", ".venv", ".emulator", ".ansible", ".cache", ".pytest_cache", ".ruff_cache", "__pycache__"}


def tool_env(**extra: str) -> dict[str, str]:
    """The caller's environment without its Ansible and AWS settings, the venv's tools first on PATH."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ANSIBLE_"))}
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    env.update(ANSIBLE_NOCOLOR="true", ANSIBLE_FORCE_COLOR="false", ANSIBLE_DEPRECATION_WARNINGS="false")
    env.update(extra)
    return env


# --------------------------------------------------------------------------- the artifact


@pytest.fixture(scope="session")
def artifact(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``ansible-galaxy collection build`` of the working tree."""
    output = tmp_path_factory.mktemp("artifact")
    completed = subprocess.run(
        [str(VENV_BIN / "ansible-galaxy"), "collection", "build", "--output-path", str(output), str(REPO_ROOT)],
        cwd=output,
        env=tool_env(),
        check=False,
        capture_output=True,
        text=True,
        timeout=TOOL_TIMEOUT,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    tarballs = list(output.glob("cloudops-fargate-*.tar.gz"))
    assert len(tarballs) == 1, completed.stdout
    return tarballs[0]


@pytest.fixture(scope="session")
def installed_collections(artifact: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A collections directory holding the artifact installed offline; amazon.aws comes from the venv."""
    collections = tmp_path_factory.mktemp("installed") / "collections"
    completed = subprocess.run(
        [str(VENV_BIN / "ansible-galaxy"), "collection", "install", str(artifact), "-p", str(collections), "--offline"],
        # Not from the checkout: its ansible.cfg finds cloudops.fargate through collections/ and would
        # report it "already installed".
        cwd=collections.parent,
        env=tool_env(),
        check=False,
        capture_output=True,
        text=True,
        timeout=TOOL_TIMEOUT,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert (collections / "ansible_collections" / "cloudops" / "fargate" / "MANIFEST.json").is_file()
    return collections


# --------------------------------------------------------------------------- emulators and jobs


@dataclass
class Emulator:
    port: int
    state_dir: Path

    @property
    def endpoint(self) -> str:
        return server.endpoint_url(self.port)

    def client(self, service: str, **credentials: str) -> Any:
        credentials = credentials or {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
        session = boto3.session.Session(region_name=REGION, **credentials)
        return session.client(service, endpoint_url=self.endpoint)


@dataclass
class PlaybookJob:
    """An ansible-playbook process started in the background, its output going to files."""

    process: subprocess.Popen[bytes]
    stdout: Path
    stderr: Path

    def wait(self) -> subprocess.CompletedProcess[str]:
        returncode = self.process.wait(timeout=JOB_TIMEOUT)
        return subprocess.CompletedProcess(
            self.process.args, returncode, self.stdout.read_text(), self.stderr.read_text()
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)  # its own session: the workers and modules go too
            self.process.wait()


@dataclass
class RunnerJob:
    """An ansible-runner job started with run_async."""

    thread: threading.Thread
    runner: Any
    private_data_dir: Path
    cancel: threading.Event

    def wait(self) -> Any:
        self.thread.join(timeout=JOB_TIMEOUT)
        assert not self.thread.is_alive(), f"the ansible-runner job did not end within {JOB_TIMEOUT}s"
        return self.runner

    def stop(self) -> None:
        if self.thread.is_alive():
            self.cancel.set()  # ansible-runner polls cancel_callback and ends the playbook
            self.thread.join(timeout=60)


@dataclass
class NetworkJobs:
    installed_emulator: Emulator
    installed_run_dir: Path
    installed: PlaybookJob
    awx_emulator: Emulator
    awx_credentials: dict[str, str]
    awx: RunnerJob


def start_emulator(tmp_path_factory: pytest.TempPathFactory, name: str) -> Emulator:
    emulator = Emulator(port=server.free_port(), state_dir=tmp_path_factory.mktemp(name))
    server.start(emulator.port, emulator.state_dir, timeout=TOOL_TIMEOUT)
    return emulator


def start_installed_site(collections: Path, run_dir: Path, emulator: Emulator) -> PlaybookJob:
    """``ansible-playbook cloudops.fargate.site`` from a directory outside the repository.

    Nothing points back at the checkout: the collection resolves from the installed copy only, the
    inventory is the installed copy's inventories/local, and the directory's ansible.cfg has no paths.
    """
    installed = collections / "ansible_collections" / "cloudops" / "fargate"
    shutil.copytree(installed / "inventories" / "local", run_dir / "inventory")
    (run_dir / "ansible.cfg").write_text("[defaults]\n# A user's directory: no roles_path, no collections link.\n")
    command = [str(VENV_BIN / "ansible-playbook"), "-i", "inventory", "cloudops.fargate.site", "--tags", "network"]
    env = tool_env(
        ANSIBLE_CONFIG=str(run_dir / "ansible.cfg"),
        ANSIBLE_COLLECTIONS_PATH=str(collections),
        AWS_ENDPOINT_URL=emulator.endpoint,
    )
    stdout, stderr = run_dir / "stdout.txt", run_dir / "stderr.txt"
    with stdout.open("wb") as out, stderr.open("wb") as err:
        process = subprocess.Popen(command, cwd=run_dir, env=env, stdout=out, stderr=err, start_new_session=True)
    return PlaybookJob(process, stdout, stderr)


def assume_awx_role(emulator: Emulator) -> dict[str, str]:
    """Temporary credentials in AWX_ACCOUNT, as an AWX credential with a security token holds them."""
    sts = emulator.client("sts")
    role = f"arn:aws:iam::{AWX_ACCOUNT}:role/awx-job"
    credentials = sts.assume_role(RoleArn=role, RoleSessionName="awx-job-42")["Credentials"]
    return {
        "aws_access_key_id": credentials["AccessKeyId"],
        "aws_secret_access_key": credentials["SecretAccessKey"],
        "aws_session_token": credentials["SessionToken"],
    }


def awx_private_data_dir(root: Path, emulator: Emulator, credentials: dict[str, str]) -> Path:
    """The private data directory AWX hands ansible-runner for a job template run.

    project/      the project's checkout (AWX copies the synced project there); it holds ansible.cfg
                  and the collections/ link that makes cloudops.fargate.* resolve
    inventory/    the job's inventory: here a copy of inventories/local with its group_vars
    env/extravars the job template's extra vars
    env/envvars   what AWX injects: the "Amazon Web Services" credential's variables, the paths AWX
                  computes from the project's ansible.cfg, and the emulator's endpoint
    """
    data_dir = root / "awx-job"
    shutil.copytree(
        REPO_ROOT,
        data_dir / "project",
        symlinks=True,
        ignore=lambda _directory, names: [n for n in names if n in NOT_IN_A_CHECKOUT],
    )
    shutil.copytree(REPO_ROOT / "inventories" / "local", data_dir / "inventory")
    env_dir = data_dir / "env"
    env_dir.mkdir()
    (env_dir / "extravars").write_text(yaml.safe_dump(AWX_EXTRA_VARS))
    (data_dir / "requirements_collections").mkdir()
    envvars = {
        # awx/main/models/credential/injectors.py aws(): both token variables when the credential has one.
        "AWS_ACCESS_KEY_ID": credentials["aws_access_key_id"],
        "AWS_SECRET_ACCESS_KEY": credentials["aws_secret_access_key"],
        "AWS_SECURITY_TOKEN": credentials["aws_session_token"],
        "AWS_SESSION_TOKEN": credentials["aws_session_token"],
        # AWX puts the project's installed requirements first, then the project's ansible.cfg paths.
        "ANSIBLE_COLLECTIONS_PATH": os.pathsep.join(
            [
                str(data_dir / "requirements_collections"),
                "collections",
                "~/.ansible/collections",
                "/usr/share/ansible/collections",
            ]
        ),
        "ANSIBLE_ROLES_PATH": os.pathsep.join(["roles", "~/.ansible/roles", "/usr/share/ansible/roles"]),
        "ANSIBLE_INVENTORY_UNPARSED_FAILED": "True",
        "ANSIBLE_RETRY_FILES_ENABLED": "False",
        "JOB_ID": "42",
        "AWX_HOST": "https://awx.example.invalid",
        # Not from AWX: where the job's AWS calls go in this test.
        "AWS_ENDPOINT_URL": emulator.endpoint,
    }
    (env_dir / "envvars").write_text(yaml.safe_dump(envvars))
    return data_dir


# What an execution environment container starts with; everything else comes from env/envvars.
EE_ENVIRONMENT = ("HOME", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "TZ", "USER", "LOGNAME")


def start_awx_job(data_dir: Path) -> RunnerJob:
    # ansible-runner seeds the job's environment from this process's (synchronously, in run_async) and writes
    # it to artifacts/<ident>/command. Show it an execution environment's instead: none of the caller's
    # Ansible or AWS settings (make exports ANSIBLE_CONFIG=<repo>/ansible.cfg, which would bypass the
    # project copy) and none of its other variables, the venv's tools first on PATH.
    path = tool_env()["PATH"]
    with pytest.MonkeyPatch.context() as patch:
        for name in list(os.environ):
            if name not in EE_ENVIRONMENT:
                patch.delenv(name)
        patch.setenv("PATH", path)
        cancel = threading.Event()
        thread, runner = ansible_runner.run_async(
            private_data_dir=str(data_dir),
            playbook="site.yml",
            tags="network",
            quiet=True,
            timeout=JOB_TIMEOUT,
            cancel_callback=cancel.is_set,
        )
    return RunnerJob(thread=thread, runner=runner, private_data_dir=data_dir, cancel=cancel)


@pytest.fixture(scope="session")
def network_jobs(installed_collections: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[NetworkJobs]:
    emulators: list[Emulator] = []
    started: list[PlaybookJob | RunnerJob] = []
    try:
        installed_emulator = start_emulator(tmp_path_factory, "emulator-installed")
        emulators.append(installed_emulator)
        awx_emulator = start_emulator(tmp_path_factory, "emulator-awx")
        emulators.append(awx_emulator)

        run_dir = tmp_path_factory.mktemp("outside-the-repo")
        installed = start_installed_site(installed_collections, run_dir, installed_emulator)
        started.append(installed)
        credentials = assume_awx_role(awx_emulator)
        data_dir = awx_private_data_dir(tmp_path_factory.mktemp("awx"), awx_emulator, credentials)
        awx = start_awx_job(data_dir)
        started.append(awx)
        yield NetworkJobs(installed_emulator, run_dir, installed, awx_emulator, credentials, awx)
    finally:
        for job in started:
            job.stop()
        for emulator in emulators:
            server.stop(emulator.port, emulator.state_dir)
