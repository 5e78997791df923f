"""site.yml through ansible-runner the way AWX runs a job template.

AWX hands ansible-runner a private data directory (project/ = the synced checkout, inventory/, env/extravars,
env/envvars with the credential's variables) and reads the job's events back. conftest.awx_private_data_dir
builds that directory; the job runs the network layer (tags: network) on an emulator of its own.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.aws_state import tag_filters, tags_of
from tests.packaging.conftest import (
    AWX_ACCOUNT,
    AWX_EXTRA_VARS,
    DEFAULT_ACCOUNT,
    NetworkJobs,
)

# roles/network/tasks/present_start.yml, nat_start.yml and present_finish.yml: each creates something on an empty
# account.
CHANGING_NETWORK_TASKS = [
    "Create or update the VPC, its subnets and its internet gateway",
    "Give the security groups their least-privilege rules",
    "Allocate an Elastic IP for each NAT gateway",
    "Route the public subnets to the internet gateway",
]
LATER_ROLES = {"registry", "storage", "loadbalancer", "fargate"}
ARGUMENT_VALIDATION = "Validating arguments against arg spec"


@pytest.fixture(scope="module")
def job(network_jobs: NetworkJobs) -> tuple[Any, list[dict[str, Any]]]:
    runner = network_jobs.awx.wait()
    return runner, list(runner.events)


def task_events(events: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [e["event_data"] for e in events if e.get("event") == kind and e["event_data"].get("host") == "demo"]


def stack_vpcs(jobs: NetworkJobs) -> dict[str, list[dict[str, Any]]]:
    """The demo stack's VPCs in each account the job could have used."""
    in_default = jobs.awx_emulator.client("ec2")
    in_awx = jobs.awx_emulator.client("ec2", **jobs.awx_credentials)
    return {
        DEFAULT_ACCOUNT: in_default.describe_vpcs(Filters=tag_filters("demo"))["Vpcs"],
        AWX_ACCOUNT: in_awx.describe_vpcs(Filters=tag_filters("demo"))["Vpcs"],
    }


def test_job_is_successful(job):
    runner, events = job
    failed = task_events(events, "runner_on_failed") + task_events(events, "runner_on_unreachable")
    assert (runner.status, runner.rc) == ("successful", 0), [f.get("res") for f in failed] or runner.stdout.read()
    assert runner.stats["failures"] == {} and runner.stats["dark"] == {}
    assert runner.stats["changed"].get("demo", 0) > 0
    assert events[-1]["event"] == "playbook_on_stats"


def test_events_show_the_network_tasks_changing_the_account(job):
    _runner, events = job
    ok = task_events(events, "runner_on_ok")
    for task in CHANGING_NETWORK_TASKS:
        results = [e for e in ok if e["task"] == task and e.get("role") == "network"]
        assert len(results) == 1, f"{task}: {len(results)} runner_on_ok events"
        assert results[0]["res"]["changed"] is True, task
    # Each task started as an event of its own, in the role's order.
    started = [e["event_data"]["task"] for e in events if e["event"] == "playbook_on_task_start"]
    positions = [started.index(task) for task in CHANGING_NETWORK_TASKS]
    assert positions == sorted(positions)


def test_roles_come_from_the_project_checkout(job, network_jobs):
    """cloudops.fargate.* resolves through the project's collections/ link, as in AWX's project directory."""
    _runner, events = job
    project_collection = network_jobs.awx.private_data_dir / "project" / "collections" / "ansible_collections"
    paths = {
        e["task_path"]
        for e in task_events(events, "runner_on_ok")
        if e.get("role") == "network" and not e["task"].startswith(ARGUMENT_VALIDATION)  # that one is site.yml's
    }
    assert paths and all(p.startswith(f"{project_collection}/cloudops/fargate/roles/network/") for p in paths), paths


def test_tags_limit_the_job_to_the_network_layer(job):
    _runner, events = job
    ok = task_events(events, "runner_on_ok")
    changed_roles = {e.get("role") for e in ok if e["res"].get("changed")}
    assert changed_roles == {"network"}
    # Later roles contribute only their argument validation, which runs whatever the tags.
    later = {e["task"] for e in ok if e.get("role") in LATER_ROLES}
    assert all(task.startswith(ARGUMENT_VALIDATION) for task in later), later


def test_extra_vars_reach_every_resource(job, network_jobs):
    stack = [vpc for vpcs in stack_vpcs(network_jobs).values() for vpc in vpcs]
    assert len(stack) == 1
    assert tags_of(stack[0]) == {
        "Name": "demo-local-vpc",
        "Stack": "demo",
        "Environment": "local",
        "ManagedBy": "cloudops.fargate",
        **AWX_EXTRA_VARS["cloudops_tags"],
    }


def test_the_awx_credential_chooses_the_account(job, network_jobs):
    vpcs = stack_vpcs(network_jobs)
    assert (len(vpcs[AWX_ACCOUNT]), len(vpcs[DEFAULT_ACCOUNT])) == (1, 0)
