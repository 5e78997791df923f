"""Every playbook run exactly as the README tells a user: from the repository root, with the README's command line,
the default inventory (inventories/local) and its own files under .emulator/, and no variable that make exports
(no ANSIBLE_CONFIG, no venv first on PATH). Only AWS_ENDPOINT_URL, the emulator's documented knob, points the local
inventory at this test's emulator. Bad input of every layer stops site.yml on an empty account before anything is
created.

On the stack the README's site.yml builds, read back with boto3: the service as built; settings changed behind
Ansible's back are named by drift.yml and preflight.yml until site.yml repairs them; deploy.yml: a new tag makes one
revision, a failed deploy is rolled back with its reasons, a changed nginx configuration rolls the service once. The
runs that need the JSON report keep the inventory's own files, so they act on the same stack."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.integration.aws_state import stack_resources, tag_filters, tags_of
from tests.integration.conftest import REPO_ROOT, realism, reset_emulator, unsupported_zones

CLUSTER = "demo-local"
SERVICE = "demo-local-web"
FAMILY = "demo-local-web"
LOG_GROUP = "/cloudops/demo-local/service"
# An endpoint service that does not cover every zone of the stack, as AWS has in some accounts and regions.
ECR_DKR = "com.amazonaws.us-east-1.ecr.dkr"

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
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ANSIBLE_", "MOLECULE_"))}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if Path(p) != VENV_BIN)
    env["AWS_ENDPOINT_URL"] = endpoint
    argv = command_line.split()
    # The README's .venv/bin is this interpreter's venv (make installs into .venv).
    argv[0] = str(VENV_BIN / Path(argv[0]).name)
    completed = subprocess.run(
        argv, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=900, check=False
    )
    return ReadmeRun(completed.returncode, completed.stdout + completed.stderr)


@pytest.fixture(scope="module")
def readme(emulator_endpoint):
    def run(command_line: str) -> ReadmeRun:
        return readme_run(emulator_endpoint, command_line)

    return run


# One bad input per layer; each must stop the run before the first layer creates anything.
BAD_INPUTS = {
    "network": ("network_az_count=9", "network_az_count (9) must be from 2 to 6"),
    "registry": ("registry_keep_image_count=0", "registry_keep_image_count (0)"),
    "storage": ("storage_efs_transition_to_ia=AFTER_2_DAYS", "storage_efs_transition_to_ia (AFTER_2_DAYS)"),
    "loadbalancer": ("loadbalancer_certificate_arn=arn:aws:iam::1:x", "loadbalancer_certificate_arn (arn:aws:iam::1:x)"),
    "fargate": ("fargate_cpu=300", "fargate_cpu (300)"),
}


@pytest.mark.parametrize("layer", list(BAD_INPUTS))
def test_bad_input_of_any_layer_stops_site_on_an_empty_account(emulator_endpoint, readme, aws, layer):
    reset_emulator(emulator_endpoint)
    option, message = BAD_INPUTS[layer]
    refused = readme(f".venv/bin/ansible-playbook site.yml -e {option}")
    assert refused.returncode != 0
    assert message in " ".join(refused.output.split()), refused.output[-3000:]
    assert refused.recap()["changed"] == 0
    assert stack_resources(aws, "demo") == {}


@pytest.fixture(scope="module")
def run(playbook):
    """A run with the JSON report, on the local inventory and its own files: the stack the README's runs build."""

    def run_on_the_stack(name: str = "site.yml", **kwargs):
        return playbook(name, inventory_files=True, **kwargs)

    return run_on_the_stack


def service(aws) -> dict | None:
    found = aws("ecs").describe_services(cluster=CLUSTER, services=[SERVICE])["services"]
    active = [s for s in found if s["status"] == "ACTIVE"]
    return active[0] if active else None


def active_revisions(aws) -> list[str]:
    return aws("ecs").list_task_definitions(familyPrefix=FAMILY, status="ACTIVE")["taskDefinitionArns"]


def task_definition(aws, arn: str) -> dict:
    return aws("ecs").describe_task_definition(taskDefinition=arn)["taskDefinition"]


def test_preflight_on_an_empty_account_warns_about_quotas_and_zones_before_a_build(emulator_endpoint, readme, aws):
    reset_emulator(emulator_endpoint)
    ec2 = aws("ec2")
    taken = [ec2.allocate_address(Domain="vpc")["AllocationId"] for _address in range(5)]  # the region's default quota
    unsupported_zones(emulator_endpoint, ECR_DKR, ["us-east-1b"])
    checked = readme(".venv/bin/ansible-playbook playbooks/preflight.yml")
    output = " ".join(checked.output.split())
    assert checked.returncode != 0 and "run site.yml first" in output, checked.output[-5000:]
    assert (
        "EC2-VPC Elastic IPs (ec2 L-0263D0A3): 1 more needed for the stack's NAT gateways, 5 of 5 already in use in "
        "us-east-1" in output
    ), checked.output[-5000:]
    assert "The endpoint service com.amazonaws.us-east-1.ecr.dkr does not cover us-east-1b" in output
    assert "Client VPN endpoints per Region" not in output  # 1 more of 5, none in use
    assert len(ec2.describe_addresses()["Addresses"]) == len(taken)


@pytest.fixture(scope="module")
def built(emulator_endpoint, readme):
    reset_emulator(emulator_endpoint)
    # What a first run can meet on AWS: an endpoint service that does not cover one of the stack's zones, and roles
    # that IAM takes seconds to propagate, while three tasks failing to launch trip the circuit breaker.
    unsupported_zones(emulator_endpoint, ECR_DKR, ["us-east-1b"])
    realism(emulator_endpoint, behaviour_seconds={"iam.propagation": 8})
    try:
        # Options typed on the command line arrive as strings; the roles work with what their specs coerce.
        run = readme(
            ".venv/bin/ansible-playbook site.yml -e network_wait_timeout=600 -e storage_wait_timeout=600"
            " -e loadbalancer_wait_timeout=600 -e fargate_wait_timeout=600 -e network_az_count=2"
            " -e loadbalancer_http_redirect=true -e fargate_desired_count=3"
        )
    finally:
        realism(emulator_endpoint, behaviour_seconds={})
    assert run.returncode == 0, run.output[-5000:]
    return run


def test_site(built, aws):
    assert built.recap()["failed"] == 0 and built.recap()["changed"] > 0
    resources = stack_resources(aws, "demo")
    assert resources["vpcs"] and resources["clusters"] and resources["load_balancers"]
    assert service(aws)["deployments"][0]["rolloutState"] == "COMPLETED"


def test_each_interface_endpoint_is_only_in_the_zones_its_service_covers(built, aws):
    ec2 = aws("ec2")
    zones = {s["SubnetId"]: s["AvailabilityZone"] for s in ec2.describe_subnets(Filters=tag_filters("demo"))["Subnets"]}
    endpoints = ec2.describe_vpc_endpoints(Filters=tag_filters("demo"))["VpcEndpoints"]
    placed = {e["ServiceName"]: sorted(zones[s] for s in e["SubnetIds"]) for e in endpoints if e["VpcEndpointType"] == "Interface"}
    assert placed == {
        "com.amazonaws.us-east-1.ecr.api": ["us-east-1a", "us-east-1b"],
        ECR_DKR: ["us-east-1a"],
        "com.amazonaws.us-east-1.logs": ["us-east-1a", "us-east-1b"],
    }


def test_service_runs_in_private_subnets_without_public_ip_behind_the_target_group(built, aws):
    svc = service(aws)
    ec2 = aws("ec2")
    private = {
        s["SubnetId"]
        for s in ec2.describe_subnets(Filters=tag_filters("demo") + [{"Name": "tag:Tier", "Values": ["private"]}])[
            "Subnets"
        ]
    }
    network = svc["networkConfiguration"]["awsvpcConfiguration"]
    assert set(network["subnets"]) == private and len(private) >= 2
    assert network["assignPublicIp"] == "DISABLED"
    groups = ec2.describe_security_groups(GroupIds=network["securityGroups"])["SecurityGroups"]
    assert [g["Tags"] for g in groups if {"Key": "Purpose", "Value": "service"} in g["Tags"]]
    (target_group,) = aws("elbv2").describe_target_groups(Names=["demo-local-web"])["TargetGroups"]
    assert svc["loadBalancers"] == [
        {"targetGroupArn": target_group["TargetGroupArn"], "containerName": "nginx", "containerPort": 8080}
    ]


def test_service_is_reliable_by_default(built, aws):
    svc = service(aws)
    assert svc["desiredCount"] >= 2
    configuration = svc["deploymentConfiguration"]
    assert configuration["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
    assert configuration["minimumHealthyPercent"] == 100
    assert svc["healthCheckGracePeriodSeconds"] == 60
    assert svc["platformVersion"] == "LATEST"
    (cluster,) = aws("ecs").describe_clusters(clusters=[CLUSTER], include=["SETTINGS"])["clusters"]
    assert {"name": "containerInsights", "value": "enabled"} in cluster["settings"]
    (target,) = aws("application-autoscaling").describe_scalable_targets(
        ServiceNamespace="ecs", ResourceIds=[f"service/{CLUSTER}/{SERVICE}"]
    )["ScalableTargets"]
    assert (target["MinCapacity"], target["MaxCapacity"]) == (2, 4)
    policies = aws("application-autoscaling").describe_scaling_policies(
        ServiceNamespace="ecs", ResourceId=f"service/{CLUSTER}/{SERVICE}"
    )["ScalingPolicies"]
    assert [p["PolicyName"] for p in policies] == ["demo-local-cpu"]


def test_task_definition_mounts_the_access_points_read_only_and_hardens_every_container(built, aws):
    definition = task_definition(aws, service(aws)["taskDefinition"])
    points = {p["Name"]: p["AccessPointId"] for p in aws("efs").describe_access_points()["AccessPoints"]}
    volumes = {v["name"]: v for v in definition["volumes"]}
    for volume, point in (("nginx-config", "demo-local-config"), ("nginx-ui", "demo-local-ui")):
        efs = volumes[volume]["efsVolumeConfiguration"]
        assert efs["transitEncryption"] == "ENABLED"
        assert efs["authorizationConfig"] == {"accessPointId": points[point], "iam": "ENABLED"}
    containers = {c["name"]: c for c in definition["containerDefinitions"]}
    assert sorted(containers) == ["app", "nginx"]
    nginx = containers["nginx"]
    assert [m["containerPort"] for m in nginx["portMappings"]] == [8080]
    assert containers["app"].get("portMappings", []) == []
    mounts = {m["sourceVolume"]: m for m in nginx["mountPoints"]}
    assert mounts["nginx-config"]["readOnly"] and mounts["nginx-ui"]["readOnly"]
    for container in containers.values():
        assert container["readonlyRootFilesystem"] is True
        assert not container.get("privileged", False)
        assert container["user"] and not container["user"].startswith(("0", "root"))
        assert container["logConfiguration"]["logDriver"] == "awslogs"
    assert (definition["cpu"], definition["memory"]) == ("512", "1024")
    assert definition["executionRoleArn"].endswith("/demo-local-task-execution")
    assert definition["taskRoleArn"].endswith("/demo-local-task")


def revoke_nfs_from_the_service(aws) -> None:
    ec2 = aws("ec2")
    groups = {
        tags_of(g)["Purpose"]: g["GroupId"]
        for g in ec2.describe_security_groups(Filters=tag_filters("demo"))["SecurityGroups"]
    }
    rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [groups["efs"]]}])[
        "SecurityGroupRules"
    ]
    (rule,) = [
        r for r in rules if not r["IsEgress"] and r.get("ReferencedGroupInfo", {}).get("GroupId") == groups["service"]
    ]
    ec2.revoke_security_group_ingress(GroupId=groups["efs"], SecurityGroupRuleIds=[rule["SecurityGroupRuleId"]])


def retention(aws) -> int | None:
    (group,) = aws("logs").describe_log_groups(logGroupNamePrefix=LOG_GROUP)["logGroups"]
    return group.get("retentionInDays")


def test_drift_and_preflight_name_changes_behind_its_back_until_site_repairs_them(built, readme, run, aws):
    # drift.yml passing on a stack as built is test_whole_stack's; here the README's command meets real drift and names
    # exactly the three changes.
    aws("ecs").update_service(cluster=CLUSTER, service=SERVICE, healthCheckGracePeriodSeconds=5)
    aws("logs").put_retention_policy(logGroupName=LOG_GROUP, retentionInDays=1)
    revoke_nfs_from_the_service(aws)

    drifted = readme(".venv/bin/ansible-playbook playbooks/drift.yml")
    assert drifted.returncode != 0
    report = " ".join(drifted.output.split())
    assert "has drifted: 3 task(s)" in report, drifted.output[-5000:]
    assert "Create or update the service" in report and "health_check_grace_period_seconds" in report
    assert "Create the service's log group with its retention" in report and "retention_in_days" in report
    assert "Give the security groups their least-privilege rules" in report
    assert retention(aws) == 1, "the check-mode run changed the retention"

    checked = readme(".venv/bin/ansible-playbook playbooks/preflight.yml")
    assert checked.returncode != 0
    assert (
        "do not admit NFS (TCP 2049) from the service security group: tasks cannot mount demo-local-static"
        in " ".join(checked.output.split())
    ), checked.output[-5000:]

    repair = run(args=["--tags", "network,fargate"])
    assert repair.returncode == 0, repair.failure_messages()
    assert sorted(name.split(" : ")[-1] for name in repair.changed_tasks()) == [
        "Create or update the service",
        "Create the service's log group with its retention",
        "Give the security groups their least-privilege rules",
    ]
    assert service(aws)["healthCheckGracePeriodSeconds"] == 60 and retention(aws) == 7


def test_preflight(built, readme):
    checked = readme(".venv/bin/ansible-playbook playbooks/preflight.yml")
    assert checked.returncode == 0, checked.output[-5000:]
    assert checked.recap()["changed"] == 0


def test_deploy_of_a_new_tag_makes_one_revision_and_updates_the_service(built, readme, run, aws):
    before = active_revisions(aws)
    deployed = readme(".venv/bin/ansible-playbook -i inventories/local playbooks/deploy.yml -e image_tag=1.4.2")
    assert deployed.returncode == 0, deployed.output[-5000:]
    after = active_revisions(aws)
    (new,) = set(after) - set(before)
    assert service(aws)["taskDefinition"] == new
    images = {c["name"]: c["image"] for c in task_definition(aws, new)["containerDefinitions"]}
    assert images["app"].endswith("/demo-local/app:1.4.2")
    again = run("playbooks/deploy.yml", extra_vars={"image_tag": "1.4.2"})
    assert again.returncode == 0, again.failure_messages()
    assert again.changed() == 0, again.changed_tasks()
    assert active_revisions(aws) == after


def test_failed_deploy_puts_the_previous_revision_back_and_says_why(built, run, aws):
    running = service(aws)["taskDefinition"]
    # An image the emulator cannot pull: its tasks stop with CannotPullContainerError and the circuit breaker trips.
    unpullable = {
        "registry_repository_uris": {"app": "registry.invalid/demo/app", "nginx": "registry.invalid/demo/nginx"}
    }
    failed = run("playbooks/deploy.yml", extra_vars={**unpullable, "image_tag": "9.9.9"})
    assert failed.returncode != 0
    message = failed.failure_messages()
    assert "CannotPullContainerError" in message
    assert f"Rolled back to {running}" in message
    assert service(aws)["taskDefinition"] == running


def test_changed_nginx_configuration_rolls_the_service_once_and_keeps_a_scaled_out_count(built, run, aws):
    running = service(aws)["taskDefinition"]
    # Auto scaling has scaled out: re-runs must not scale the service back to fargate_desired_count.
    aws("ecs").update_service(cluster=CLUSTER, service=SERVICE, desiredCount=4)
    changed = {"storage_nginx_client_max_body_size": "2m"}
    rolled_out = run(extra_vars=changed, args=["--tags", "storage,fargate"])
    assert rolled_out.returncode == 0, rolled_out.failure_messages()
    rolled = service(aws)["taskDefinition"]
    assert rolled != running
    again = run(extra_vars=changed, args=["--tags", "storage,fargate"])
    assert again.changed() == 0, again.changed_tasks()
    assert service(aws)["taskDefinition"] == rolled
    assert service(aws)["desiredCount"] == 4


def test_vpn_client_config(built, readme):
    exported = readme(".venv/bin/ansible-playbook playbooks/vpn_client_config.yml -e operator=alice")
    assert exported.returncode == 0, exported.output[-5000:]
    profile = REPO_ROOT / ".emulator" / "pki" / "demo-local" / "storage" / "clients" / "alice.ovpn"
    assert "alice" in exported.output
    assert profile.is_file() and profile.stat().st_mode & 0o777 == 0o600
    assert "<cert>" in profile.read_text()


def test_teardown(built, readme, aws):
    torn_down = readme(".venv/bin/ansible-playbook playbooks/teardown.yml")
    assert torn_down.returncode == 0, torn_down.output[-5000:]
    assert stack_resources(aws, "demo") == {}
