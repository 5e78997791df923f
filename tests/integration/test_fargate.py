"""The whole stack through site.yml (all five layers), the service read back with boto3; deploy.yml rolls
images out (and back); teardown leaves nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.integration.aws_state import tag_filters
from tests.integration.conftest import WORKER_LOCAL_FILES, reset_emulator

CLUSTER = "demo-local"
SERVICE = "demo-local-web"
FAMILY = "demo-local-web"
ROLES = ["demo-local-task", "demo-local-task-execution"]


@pytest.fixture(scope="module")
def local_files(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("fargate")
    return {"storage_efs_mount_path": str(root / "efs"), "storage_pki_dir": str(root / "pki")}


def service(aws) -> dict | None:
    found = aws("ecs").describe_services(cluster=CLUSTER, services=[SERVICE])["services"]
    active = [s for s in found if s["status"] == "ACTIVE"]
    return active[0] if active else None


def active_revisions(aws) -> list[str]:
    return aws("ecs").list_task_definitions(familyPrefix=FAMILY, status="ACTIVE")["taskDefinitionArns"]


def task_definition(aws, arn: str) -> dict:
    return aws("ecs").describe_task_definition(taskDefinition=arn)["taskDefinition"]


def test_check_mode_on_an_empty_account_creates_nothing(emulator_endpoint, playbook, aws, local_files):
    reset_emulator(emulator_endpoint)
    run = playbook(check=True, extra_vars=local_files)
    assert run.returncode == 0, run.failure_messages()
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
def stack(emulator_endpoint, playbook, aws, local_files):
    reset_emulator(emulator_endpoint)
    run = playbook(extra_vars=local_files)
    assert run.returncode == 0, run.failure_messages()
    return run


def test_service_runs_in_private_subnets_without_public_ip_behind_the_target_group(stack, aws):
    svc = service(aws)
    ec2 = aws("ec2")
    private = {s["SubnetId"] for s in ec2.describe_subnets(Filters=tag_filters("demo") + [{"Name": "tag:Tier", "Values": ["private"]}])["Subnets"]}
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
    policies = aws("application-autoscaling").describe_scaling_policies(ServiceNamespace="ecs")["ScalingPolicies"]
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


def test_outputs_are_written_as_json_per_environment_and_stack(stack, aws):
    outputs = json.loads((Path(WORKER_LOCAL_FILES["cloudops_outputs_dir"]) / "local" / "demo.json").read_text())
    (balancer,) = aws("elbv2").describe_load_balancers(Names=["demo-local-alb"])["LoadBalancers"]
    assert outputs["service_url"] == f"https://{balancer['DNSName']}"
    assert sorted(outputs["repository_uris"]) == ["app", "nginx"]
    (file_system,) = aws("efs").describe_file_systems()["FileSystems"]
    assert outputs["file_system_id"] == file_system["FileSystemId"]
    assert outputs["vpn_endpoint_id"].startswith("cvpn-endpoint-")
    assert list(outputs["vpn_client_config_paths"]) == ["operator"]
    assert outputs["service_arns"]["web"] == service(aws)["serviceArn"]


def test_second_run_changes_nothing(stack, playbook, local_files):
    run = playbook(extra_vars=local_files)
    assert run.returncode == 0, run.failure_messages()
    assert run.changed() == 0, run.changed_tasks()


def test_drift_names_a_change_made_behind_its_back_until_site_repairs_it(stack, playbook, aws, local_files):
    drift_vars = {"drift_extra_vars": {**WORKER_LOCAL_FILES, **local_files}}
    aws("ecs").update_service(cluster=CLUSTER, service=SERVICE, healthCheckGracePeriodSeconds=5)
    drifted = playbook("playbooks/drift.yml", extra_vars=drift_vars)
    assert drifted.returncode != 0
    report = drifted.failure_messages()
    assert "has drifted: 1 task(s)" in report
    assert "Create or update the service" in report and "health_check_grace_period_seconds" in report
    repair = playbook(extra_vars=local_files, args=["--tags", "fargate"])
    assert repair.returncode == 0, repair.failure_messages()
    assert [name.split(" : ")[-1] for name in repair.changed_tasks()] == ["Create or update the service"]
    assert service(aws)["healthCheckGracePeriodSeconds"] == 60
    again = playbook("playbooks/drift.yml", extra_vars=drift_vars)
    assert again.returncode == 0, again.failure_messages()


def test_deploy_of_a_new_tag_makes_one_revision_and_updates_the_service(stack, playbook, aws, local_files):
    before = active_revisions(aws)
    run = playbook("playbooks/deploy.yml", extra_vars={**local_files, "image_tag": "1.1.0"})
    assert run.returncode == 0, run.failure_messages()
    after = active_revisions(aws)
    assert len(set(after) - set(before)) == 1
    (new,) = set(after) - set(before)
    assert service(aws)["taskDefinition"] == new
    images = {c["name"]: c["image"] for c in task_definition(aws, new)["containerDefinitions"]}
    assert images["app"].endswith("/demo-local/app:1.1.0")
    again = playbook("playbooks/deploy.yml", extra_vars={**local_files, "image_tag": "1.1.0"})
    assert again.returncode == 0, again.failure_messages()
    assert again.changed() == 0, again.changed_tasks()
    assert active_revisions(aws) == after


def test_failed_deploy_puts_the_previous_revision_back_and_says_why(stack, playbook, aws, local_files):
    running = service(aws)["taskDefinition"]
    # An image the emulator cannot pull: its tasks stop with CannotPullContainerError and the circuit breaker trips.
    unpullable = {"registry_repository_uris": {"app": "registry.invalid/demo/app", "nginx": "registry.invalid/demo/nginx"}}
    run = playbook("playbooks/deploy.yml", extra_vars={**local_files, **unpullable, "image_tag": "9.9.9"})
    assert run.returncode != 0
    message = run.failure_messages()
    assert "CannotPullContainerError" in message
    assert f"Rolled back to {running}" in message
    assert service(aws)["taskDefinition"] == running


def test_changed_nginx_configuration_rolls_the_service_once_and_keeps_a_scaled_out_count(stack, playbook, aws, local_files):
    running = service(aws)["taskDefinition"]
    # Auto scaling has scaled out: re-runs must not scale the service back to fargate_desired_count.
    aws("ecs").update_service(cluster=CLUSTER, service=SERVICE, desiredCount=4)
    changed = {**local_files, "storage_nginx_client_max_body_size": "2m"}
    run = playbook(extra_vars=changed, args=["--tags", "storage,fargate"])
    assert run.returncode == 0, run.failure_messages()
    rolled = service(aws)["taskDefinition"]
    assert rolled != running
    again = playbook(extra_vars=changed, args=["--tags", "storage,fargate"])
    assert again.changed() == 0, again.changed_tasks()
    assert service(aws)["taskDefinition"] == rolled
    assert service(aws)["desiredCount"] == 4


def test_teardown_leaves_nothing_of_the_service(stack, playbook, aws, local_files):
    run = playbook("playbooks/teardown.yml", extra_vars=local_files)
    assert run.returncode == 0, run.failure_messages()
    ecs = aws("ecs")
    clusters = ecs.list_clusters()["clusterArns"]
    if clusters:
        assert {c["status"] for c in ecs.describe_clusters(clusters=clusters)["clusters"]} == {"INACTIVE"}
    assert active_revisions(aws) == []
    assert aws("application-autoscaling").describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"] == []
    assert [r for r in aws("iam").list_roles()["Roles"] if r["RoleName"].startswith("demo-local-")] == []
    assert aws("logs").describe_log_groups(logGroupNamePrefix="/cloudops/demo-local/")["logGroups"] == []
    assert aws("efs").describe_file_systems()["FileSystems"] == []
    assert aws("efs").describe_access_points()["AccessPoints"] == []
    assert aws("ec2").describe_vpcs(Filters=tag_filters("demo"))["Vpcs"] == []
