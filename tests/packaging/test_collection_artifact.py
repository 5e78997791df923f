"""The Galaxy artifact: what ``ansible-galaxy collection build`` ships, and that the installed copy runs."""

from __future__ import annotations

import json
import re
import subprocess
import tarfile
from pathlib import Path, PurePosixPath

import pytest
import yaml

from tests.integration.aws_state import tag_filters, tags_of
from tests.packaging.conftest import REPO_ROOT, TOOL_TIMEOUT, VENV_BIN, tool_env

MAX_ARTIFACT_BYTES = 2 * 1024 * 1024  # about 0.5 MiB today; a venv or a cache slipping in is tens of MiB
MAX_UNPACKED_BYTES = 10 * 1024 * 1024
# Local state and development-only trees (galaxy.yml build_ignore).
NOT_SHIPPED = {
    ".venv",
    ".git",
    ".emulator",
    ".ansible",
    ".cache",
    ".pytest_cache",
    ".ruff_cache",
    ".ci",
    "collections",
    "emulator",
    "extensions",
    "tools",
    "Makefile",
    "pytest.ini",
}
SECRET_SUFFIXES = (".key", ".pem", ".p12", ".pfx", ".crt", ".csr")
PEM_PRIVATE_KEY = re.compile(rb"-----BEGIN [A-Z ]*PRIVATE KEY-----\s+[A-Za-z0-9+/=]{16,}")
SHIPPED = [
    "MANIFEST.json",
    "FILES.json",
    "meta/runtime.yml",
    "meta/execution-environment.yml",
    "meta/ee-requirements.txt",
    "meta/ee-bindep.txt",
    "playbooks/site.yml",
    "playbooks/teardown.yml",
    "inventories/local/hosts.yml",
    "inventories/local/group_vars/all.yml",
    "changelogs/changelog.yaml",
]


@pytest.fixture(scope="module")
def members(artifact: Path) -> dict[str, tarfile.TarInfo]:
    with tarfile.open(artifact) as tar:
        return {member.name.removeprefix("./"): member for member in tar.getmembers()}


def test_artifact_leaves_out_local_state_caches_and_secrets(artifact, members):
    for name in members:
        path = PurePosixPath(name)
        assert path.parts[0] not in NOT_SHIPPED, name
        assert "__pycache__" not in path.parts and path.suffix != ".pyc", name
        assert "pki" not in path.parts and not name.endswith(SECRET_SUFFIXES), name
    with tarfile.open(artifact) as tar:
        for member in tar.getmembers():
            if member.isfile():
                content = tar.extractfile(member).read()
                assert not PEM_PRIVATE_KEY.search(content), f"{member.name} holds a private key"
    assert artifact.stat().st_size < MAX_ARTIFACT_BYTES
    assert sum(m.size for m in members.values()) < MAX_UNPACKED_BYTES


def test_artifact_ships_every_role_module_playbook_and_inventory(artifact, members):
    expected = set(SHIPPED)
    expected |= {f"roles/{role.name}/tasks/main.yml" for role in (REPO_ROOT / "roles").iterdir() if role.is_dir()}
    expected |= {f"plugins/modules/{module.name}" for module in (REPO_ROOT / "plugins" / "modules").glob("*.py")}
    assert expected - set(members) == set()

    with tarfile.open(artifact) as tar:
        manifest = json.load(tar.extractfile("MANIFEST.json"))["collection_info"]
    galaxy = yaml.safe_load((REPO_ROOT / "galaxy.yml").read_text())
    assert (manifest["namespace"], manifest["name"], manifest["version"]) == (
        galaxy["namespace"],
        galaxy["name"],
        galaxy["version"],
    )
    assert artifact.name == f"{galaxy['namespace']}-{galaxy['name']}-{galaxy['version']}.tar.gz"
    assert manifest["dependencies"] == galaxy["dependencies"]


def test_installed_site_playbook_builds_the_network(network_jobs, installed_collections):
    """``ansible-playbook cloudops.fargate.site --tags network`` from outside the repository."""
    result = network_jobs.installed.wait()
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]

    # The roles ran from the installed copy; nothing resolved through the checkout.
    included = re.findall(r"^included: (\S+)", result.stdout, flags=re.MULTILINE)
    network = installed_collections / "ansible_collections" / "cloudops" / "fargate" / "roles" / "network"
    assert str(network / "tasks" / "present_start.yml") in included, included
    assert all(path.startswith(str(installed_collections)) for path in included), included
    recap = re.search(r"^demo\s+: ok=\d+\s+changed=(\d+)\s+unreachable=0\s+failed=0\b", result.stdout, re.MULTILINE)
    assert recap and int(recap[1]) > 0, result.stdout[-800:]

    ec2 = network_jobs.installed_emulator.client("ec2")
    vpcs = ec2.describe_vpcs(Filters=tag_filters("demo"))["Vpcs"]
    assert [tags_of(vpc)["Name"] for vpc in vpcs] == ["demo-local-vpc"]
    assert vpcs[0]["CidrBlock"] == "10.20.0.0/16"  # inventories/local/hosts.yml, from the installed copy
    # --tags network: the later layers did not run.
    assert network_jobs.installed_emulator.client("ecr").describe_repositories()["repositories"] == []


def test_changelog_fragments_and_changelog_lint():
    for command in (["lint"], ["lint-changelog-yaml", "changelogs/changelog.yaml"]):
        completed = subprocess.run(
            [str(VENV_BIN / "antsibull-changelog"), *command],
            cwd=REPO_ROOT,
            env=tool_env(),
            check=False,
            capture_output=True,
            text=True,
            timeout=TOOL_TIMEOUT,
        )
        assert (completed.returncode, completed.stdout + completed.stderr) == (0, ""), command
