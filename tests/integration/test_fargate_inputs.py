"""Bad fargate inputs fail with a message naming the variable, before anything of the layer exists, on a stack whose
other layers are built."""

from __future__ import annotations

import pytest

from tests.integration.conftest import REPO_ROOT, reset_emulator

BAD_INPUTS = {
    "CPU/memory pair Fargate lacks": ({"fargate_cpu": 256, "fargate_memory": 4096}, "fargate_memory"),
    "min count above max": ({"fargate_min_count": 5, "fargate_max_count": 3, "fargate_desired_count": 4}, "fargate_min_count"),
    "desired count outside min and max": ({"fargate_desired_count": 9}, "fargate_desired_count"),
    "image tag that is neither tag nor digest": ({"fargate_image_tag": "app:1.0"}, "fargate_image_tag"),
    "digest that is not sha256 hex": ({"fargate_image_tag": "sha256:xyz"}, "fargate_image_tag"),
    "secret given as a plain value": ({"fargate_app_secrets": {"DB_PASSWORD": "hunter2"}}, "fargate_app_secrets"),
    "secret-looking plain environment": ({"fargate_app_environment": {"API_TOKEN": "abc"}}, "fargate_app_environment"),
    "container port out of range": ({"fargate_app_port": 70000}, "fargate_app_port"),
}


@pytest.fixture(scope="module")
def empty_account(emulator_endpoint, playbook):
    """Every layer but fargate's, so that without the role's validation each bad input would reach AWS and the
    assertions below would fail: the empty account is the fargate layer's."""
    reset_emulator(emulator_endpoint)
    # Without flow logs and the VPN, whose IAM role and log groups would carry the names the checks below reserve
    # for the fargate layer's; without VPC endpoints, which the checks do not need.
    built = playbook(
        args=["--tags", "network,registry,storage,loadbalancer"],
        extra_vars={"network_flow_logs_enabled": False, "storage_vpn_enabled": False, "network_vpc_endpoints_enabled": False},
    )
    assert built.returncode == 0, built.failure_messages()


@pytest.mark.parametrize("bad_vars, variable", BAD_INPUTS.values(), ids=BAD_INPUTS.keys())
def test_bad_input_fails_naming_the_variable_and_creates_nothing(empty_account, playbook, aws, bad_vars, variable):
    run = playbook(args=["--tags", "fargate"], extra_vars=bad_vars)
    assert run.returncode != 0
    assert variable in run.failure_messages() + run.stderr
    assert aws("ecs").list_clusters()["clusterArns"] == []
    assert aws("ecs").list_task_definitions()["taskDefinitionArns"] == []
    assert [r for r in aws("iam").list_roles()["Roles"] if r["RoleName"].startswith("demo-local-")] == []
    assert aws("logs").describe_log_groups(logGroupNamePrefix="/cloudops/demo-local/")["logGroups"] == []


def test_deploy_refuses_a_bad_image_tag_before_anything(empty_account, playbook, aws):
    run = playbook("playbooks/deploy.yml", extra_vars={"image_tag": "not a tag"})
    assert run.returncode != 0
    assert "image_tag" in run.failure_messages()
    assert aws("ecs").list_clusters()["clusterArns"] == []


def test_teardown_refuses_without_confirmation_outside_local(empty_account, playbook):
    # The dev inventory targets a real account: the refusal must come before any AWS call.
    run = playbook("playbooks/teardown.yml", inventory=REPO_ROOT / "inventories" / "dev")
    assert run.returncode != 0
    assert "confirm_teardown" in run.failure_messages("web")
    assert run.stats["web"]["ok"] == 0


def test_teardown_runs_once_confirmed_with_the_stack_name(empty_account, playbook):
    demanding = {"teardown_requires_confirmation": True}
    refused = playbook("playbooks/teardown.yml", extra_vars=demanding, args=["--tags", "fargate"])
    assert refused.returncode != 0 and "confirm_teardown" in refused.failure_messages()
    wrong = playbook("playbooks/teardown.yml", extra_vars={**demanding, "confirm_teardown": "other"}, args=["--tags", "fargate"])
    assert wrong.returncode != 0
    confirmed = playbook("playbooks/teardown.yml", extra_vars={**demanding, "confirm_teardown": "demo"}, args=["--tags", "fargate"])
    assert confirmed.returncode == 0, confirmed.failure_messages()
