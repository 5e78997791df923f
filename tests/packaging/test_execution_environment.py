"""The execution environment: ansible-builder turns execution-environment.yml into a build context.

``ansible-builder create`` needs no container engine; the image build itself (``ansible-builder build``)
is out of reach here (no registry, no podman). What can go wrong before it is checked: the schema, the
files the definition points at, what lands in _build/, and the collection's own EE metadata, which
ansible-builder's introspection reads when cloudops.fargate is installed in an image.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from bindep.depends import Depends
from packaging.requirements import Requirement

from tests.packaging.conftest import REPO_ROOT, TOOL_TIMEOUT, VENV_BIN, tool_env

EE_FILE = REPO_ROOT / "execution-environment.yml"
RUNTIME_PYTHON = {"boto3", "botocore", "cryptography"}
RHEL_PROFILES = ["platform:rpm", "platform:redhat", "platform:centos"]


def requirement_names(text: str) -> set[str]:
    lines = [line.split("#", 1)[0].strip() for line in text.splitlines()]
    return {Requirement(line).name.lower() for line in lines if line}


def packages(depends: Depends, profiles: list[str]) -> set[str]:
    return {rule[0] for rule in depends.active_rules(profiles)}


@pytest.fixture(scope="module")
def definition() -> dict[str, Any]:
    return yaml.safe_load(EE_FILE.read_text())


@pytest.fixture(scope="module")
def context(tmp_path_factory: pytest.TempPathFactory) -> Path:
    context = tmp_path_factory.mktemp("ee") / "context"
    completed = subprocess.run(
        [
            str(VENV_BIN / "ansible-builder"),
            "create",
            "--file",
            str(EE_FILE),
            "--context",
            str(context),
            "--output-filename",
            "Containerfile",
        ],
        cwd=REPO_ROOT,
        env=tool_env(),
        check=False,
        capture_output=True,
        text=True,
        timeout=TOOL_TIMEOUT,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return context


def test_definition_is_schema_3_on_a_pinned_ansible_ee_image(definition):
    assert definition["version"] == 3
    image = definition["images"]["base_image"]["name"]
    assert image.startswith(("quay.io/ansible/", "registry.redhat.io/ansible-automation-platform")), image
    tag = image.rsplit("/", 1)[-1].partition(":")[2]
    assert tag and tag != "latest", f"{image}: pin the base image so rebuilds are reproducible"


def test_containerfile_builds_from_the_base_image_with_the_collections_python(definition, context):
    containerfile = (context / "Containerfile").read_text()
    image = definition["images"]["base_image"]["name"]
    assert f'ARG EE_BASE_IMAGE="{image}"' in containerfile
    # ansible-core 2.19 needs Python 3.11 on the controller; the platform's /usr/bin/python3 is older.
    assert 'ARG PYCMD="/usr/bin/python3.11"' in containerfile
    assert "ansible-core>=2.19" in containerfile  # meta/runtime.yml requires_ansible
    assert "ansible-galaxy collection install" in containerfile and "-r requirements.yml" in containerfile
    assert "introspect.py introspect --user-pip=requirements.txt --user-bindep=bindep.txt" in containerfile


def test_python_requirements_land_in_the_build_context(context):
    built = (context / "_build" / "requirements.txt").read_text()
    assert built == (REPO_ROOT / "meta" / "ee-requirements.txt").read_text()
    assert RUNTIME_PYTHON <= requirement_names(built)


def test_system_requirements_land_in_the_build_context_and_parse(context):
    built = (context / "_build" / "bindep.txt").read_text()
    assert built == (REPO_ROOT / "meta" / "ee-bindep.txt").read_text()
    depends = Depends(built)  # what ansible-builder's assemble script runs; it stops the build on a parse error
    assert packages(depends, RHEL_PROFILES) == set(), "nothing at run time: the final image must stay lean"
    assert {"gcc", "openssl-devel", "rust"} <= packages(depends, ["compile", *RHEL_PROFILES])


def test_galaxy_requirements_land_in_the_build_context(context):
    built = yaml.safe_load((context / "_build" / "requirements.yml").read_text())
    assert built == yaml.safe_load((REPO_ROOT / "requirements.yml").read_text())
    assert {c["name"] for c in built["collections"]} >= {"amazon.aws", "community.crypto"}


def test_installed_collection_declares_its_dependencies_to_introspection(context, installed_collections):
    """ansible-builder's own introspect script (the copy in the context) reads the installed artifact."""
    completed = subprocess.run(
        [
            sys.executable,
            str(context / "_build" / "scripts" / "introspect.py"),
            "introspect",
            str(installed_collections),
        ],
        env=tool_env(),
        check=False,
        capture_output=True,
        text=True,
        timeout=TOOL_TIMEOUT,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    found = yaml.safe_load(completed.stdout)
    ours = "# from collection cloudops.fargate"
    python = "\n".join(line.removesuffix(ours).strip() for line in found["python"] if line.endswith(ours))
    system = "\n".join(line.removesuffix(ours).strip() for line in found["system"] if line.endswith(ours))
    assert RUNTIME_PYTHON <= requirement_names(python)
    assert {"gcc", "openssl-devel"} <= packages(Depends(system + "\n"), ["compile", *RHEL_PROFILES])
