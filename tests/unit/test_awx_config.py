"""The AWX configuration as code: every job template points at a playbook and an inventory that exist, the
surveys it asks for are defined, and the workflow runs the layers in order."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

from ansible_collections.cloudops.fargate.plugins.filter.awx import awx_workflow_nodes

REPO_ROOT = Path(__file__).resolve().parents[2]
CONFIG = yaml.safe_load((REPO_ROOT / "awx" / "awx.yml").read_text())


def test_every_job_template_names_a_playbook_of_the_repository():
    for template in CONFIG["awx_job_templates"]:
        assert (REPO_ROOT / template["playbook"]).is_file(), template


def test_every_playbook_has_a_job_template():
    playbooks = {t["playbook"] for t in CONFIG["awx_job_templates"]}
    for path in (REPO_ROOT / "playbooks").glob("*.yml"):
        assert f"playbooks/{path.name}" in playbooks, path.name


def test_every_inventory_exists_with_its_hosts_file():
    for environment in CONFIG["awx_inventories"]:
        assert (REPO_ROOT / "inventories" / environment / "hosts.yml").is_file(), environment


def test_surveys_are_defined_and_ask_for_what_the_playbooks_read():
    for template in CONFIG["awx_job_templates"]:
        for survey in template.get("surveys", []):
            assert survey in CONFIG["awx_surveys"], (template["name"], survey)
            variable = CONFIG["awx_surveys"][survey]["variable"]
            assert variable in (REPO_ROOT / template["playbook"]).read_text(), (template["name"], variable)


def test_job_tags_are_layers():
    layers = {"network", "registry", "storage", "loadbalancer", "fargate"}
    assert {t["job_tags"] for t in CONFIG["awx_job_templates"] if "job_tags" in t} == layers


def test_workflow_runs_network_then_registry_and_storage_then_loadbalancer_then_fargate():
    names = {t["name"] for t in CONFIG["awx_job_templates"]}
    nodes = {n["identifier"]: n for n in CONFIG["awx_workflow"]["nodes"]}
    assert all(n["job_template"] in names for n in nodes.values())
    assert sorted(nodes["network"]["success_nodes"]) == ["registry", "storage"]
    assert nodes["registry"]["success_nodes"] == nodes["storage"]["success_nodes"] == ["loadbalancer"]
    assert nodes["loadbalancer"]["all_parents_must_converge"] is True
    assert nodes["loadbalancer"]["success_nodes"] == ["fargate"]
    converted = awx_workflow_nodes(CONFIG["awx_workflow"]["nodes"], "prod", "cloudops")
    network = next(n for n in converted if n["identifier"] == "network")
    assert network["unified_job_template"]["name"] == "cloudops prod site network"
    assert network["related"]["success_nodes"] == [{"identifier": "registry"}, {"identifier": "storage"}]


def test_configure_playbook_passes_syntax_check():
    env = dict(os.environ, ANSIBLE_CONFIG=str(REPO_ROOT / "ansible.cfg"))
    completed = subprocess.run(
        [str(Path(sys.executable).parent / "ansible-playbook"), "--syntax-check", "awx/configure.yml"],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=False,
    )
    assert completed.returncode == 0, completed.stderr
