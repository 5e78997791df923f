"""The service on a stack built by site.yml, read back with boto3; settings changed behind Ansible's back are named by
drift.yml and preflight.yml until site.yml repairs them; deploy.yml: a new tag makes one revision, a failed deploy is
rolled back with its reasons, a changed nginx configuration rolls the service once."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.aws_state import account_inventory, tag_filters, tags_of
from tests.integration.conftest import WORKER_LOCAL_FILES, reset_emulator

CLUSTER = "demo-local"
SERVICE = "demo-local-web"
FAMILY = "demo-local-web"
ROLES = ["demo-local-task", "demo-local-task-execution"]
LOG_GROUP = "/cloudops/demo-local/service"


@pytest.fixture(scope="module")
def local_files(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("deploy")
    return {"storage_efs_mount_path": f"{root}/efs", "storage_pki_dir": f"{root}/pki"}


@pytest.fixture(scope="module")
def run(playbook, local_files):
    """A playbook run on the local inventory, with this module's local files."""

    def run_on_the_stack(name: str = "site.yml", extra_vars: dict | None = None, **kwargs):
        return playbook(name, extra_vars={**local_files, **(extra_vars or {})}, **kwargs)

    return run_on_the_stack


def service(aws) -> dict | None:
    found = aws("ecs").describe_services(cluster=CLUSTER, services=[SERVICE])["services"]
    active = [s for s in found if s["status"] == "ACTIVE"]
    return active[0] if active else None


def active_revisions(aws) -> list[str]:
    return aws("ecs").list_task_definitions(familyPrefix=FAMILY, status="ACTIVE")["taskDefinitionArns"]


def task_definition(aws, arn: str) -> dict:
    return aws("ecs").describe_task_definition(taskDefinition=arn)["taskDefinition"]


def test_check_mode_on_an_empty_account_creates_nothing(emulator_endpoint, run, aws, local_files):
    # Every layer at once: this is the check-mode-on-an-empty-account test of each of them.
    reset_emulator(emulator_endpoint)
    before = account_inventory(aws)
    preview = run(check=True)
    assert preview.returncode == 0, preview.failure_messages()
    assert preview.changed() > 0, "check mode must predict the stack's creation"
    assert account_inventory(aws) == before
    assert aws("elbv2").describe_target_groups()["TargetGroups"] == []
    assert aws("ec2").describe_vpcs(Filters=tag_filters("demo"))["Vpcs"] == []
    assert aws("ecr").describe_repositories()["repositories"] == []
    assert aws("efs").describe_file_systems()["FileSystems"] == []
    assert aws("ec2").describe_client_vpn_endpoints()["ClientVpnEndpoints"] == []
    assert aws("acm").list_certificates()["CertificateSummaryList"] == []
    assert aws("elbv2").describe_load_balancers()["LoadBalancers"] == []
    assert not any(Path(path).exists() for path in local_files.values())
    assert aws("ecs").list_clusters()["clusterArns"] == []
    assert active_revisions(aws) == []
    assert [r for r in aws("iam").list_roles()["Roles"] if r["RoleName"] in ROLES] == []


@pytest.fixture(scope="module")
def stack(emulator_endpoint, run):
    reset_emulator(emulator_endpoint)
    built = run()
    assert built.returncode == 0, built.failure_messages()
    return built


def test_service_runs_in_private_subnets_without_public_ip_behind_the_target_group(stack, aws):
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


def test_service_is_reliable_by_default(stack, aws):
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


def test_task_definition_mounts_the_access_points_read_only_and_hardens_every_container(stack, aws):
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


def test_changes_behind_its_back_are_named_by_drift_and_preflight_until_site_repairs_them(stack, run, aws, local_files):
    aws("ecs").update_service(cluster=CLUSTER, service=SERVICE, healthCheckGracePeriodSeconds=5)
    aws("logs").put_retention_policy(logGroupName=LOG_GROUP, retentionInDays=1)
    revoke_nfs_from_the_service(aws)

    drifted = run("playbooks/drift.yml", extra_vars={"drift_extra_vars": {**WORKER_LOCAL_FILES, **local_files}})
    assert drifted.returncode != 0
    report = drifted.failure_messages()
    assert "has drifted: 3 task(s)" in report
    assert "Create or update the service" in report and "health_check_grace_period_seconds" in report
    assert "Create the service's log group with its retention" in report and "retention_in_days" in report
    assert "Give the security groups their least-privilege rules" in report
    assert retention(aws) == 1, "the check-mode run changed the retention"

    checked = run("playbooks/preflight.yml")
    assert checked.returncode != 0
    assert (
        "do not admit NFS (TCP 2049) from the service security group: tasks cannot mount demo-local-static"
        in checked.failure_messages()
    )

    repair = run(args=["--tags", "network,fargate"])
    assert repair.returncode == 0, repair.failure_messages()
    assert sorted(name.split(" : ")[-1] for name in repair.changed_tasks()) == [
        "Create or update the service",
        "Create the service's log group with its retention",
        "Give the security groups their least-privilege rules",
    ]
    assert service(aws)["healthCheckGracePeriodSeconds"] == 60 and retention(aws) == 7
    assert run("playbooks/preflight.yml").returncode == 0


def test_deploy_of_a_new_tag_makes_one_revision_and_updates_the_service(stack, run, aws):
    before = active_revisions(aws)
    deployed = run("playbooks/deploy.yml", extra_vars={"image_tag": "1.1.0"})
    assert deployed.returncode == 0, deployed.failure_messages()
    after = active_revisions(aws)
    assert len(set(after) - set(before)) == 1
    (new,) = set(after) - set(before)
    assert service(aws)["taskDefinition"] == new
    images = {c["name"]: c["image"] for c in task_definition(aws, new)["containerDefinitions"]}
    assert images["app"].endswith("/demo-local/app:1.1.0")
    again = run("playbooks/deploy.yml", extra_vars={"image_tag": "1.1.0"})
    assert again.returncode == 0, again.failure_messages()
    assert again.changed() == 0, again.changed_tasks()
    assert active_revisions(aws) == after


def test_failed_deploy_puts_the_previous_revision_back_and_says_why(stack, run, aws):
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


def test_changed_nginx_configuration_rolls_the_service_once_and_keeps_a_scaled_out_count(stack, run, aws):
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
