"""The whole lifecycle of two stacks in one inventory, every layer, read back with boto3: check mode on an empty
account creates nothing; site.yml builds both in parallel; a second run changes nothing; drift.yml and preflight.yml
pass; changes made behind Ansible's back are named by both until site.yml repairs them; deploy.yml rolls images out
(and back); each stack tears down on its own, leaving nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.integration.aws_state import stack_resources, tag_filters, tags_of
from tests.integration.conftest import WORKER_LOCAL_FILES, reset_emulator, write_inventory

CLUSTER = "demo-local"
SERVICE = "demo-local-web"
FAMILY = "demo-local-web"
ROLES = ["demo-local-task", "demo-local-task-execution"]
LOG_GROUP = "/cloudops/demo-local/service"
# The second stack is the lean kind: no VPC endpoints, no flow logs, no Client VPN.
SHOP = {
    "cloudops_stack": "shop",
    "network_vpc_cidr": "10.40.0.0/16",
    "network_vpc_endpoints_enabled": False,
    "network_flow_logs_enabled": False,
    "storage_vpn_enabled": False,
}
DEMO_ONLY = ["--limit", "demo"]


@pytest.fixture(scope="module")
def local_files(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("whole-stack")
    return {
        "storage_efs_mount_path": f"{root}/efs/{{{{ cloudops_stack }}}}",
        "storage_pki_dir": f"{root}/pki/{{{{ cloudops_stack }}}}",
    }


@pytest.fixture(scope="module")
def inventory(tmp_path_factory) -> Path:
    demo = {"cloudops_stack": "demo", "network_vpc_cidr": "10.20.0.0/16"}
    return write_inventory(tmp_path_factory.mktemp("inventory"), {"demo": demo, "shop": SHOP})


@pytest.fixture(scope="module")
def run(playbook, inventory, local_files):
    """A playbook run on both stacks' inventory, with this module's local files."""

    def run_on_stacks(name: str = "site.yml", extra_vars: dict | None = None, **kwargs):
        return playbook(name, inventory=inventory, extra_vars={**local_files, **(extra_vars or {})}, **kwargs)

    return run_on_stacks


def service(aws) -> dict | None:
    found = aws("ecs").describe_services(cluster=CLUSTER, services=[SERVICE])["services"]
    active = [s for s in found if s["status"] == "ACTIVE"]
    return active[0] if active else None


def active_revisions(aws) -> list[str]:
    return aws("ecs").list_task_definitions(familyPrefix=FAMILY, status="ACTIVE")["taskDefinitionArns"]


def task_definition(aws, arn: str) -> dict:
    return aws("ecs").describe_task_definition(taskDefinition=arn)["taskDefinition"]


def test_check_mode_on_an_empty_account_creates_nothing(emulator_endpoint, run, aws, local_files):
    reset_emulator(emulator_endpoint)
    preview = run(check=True, args=DEMO_ONLY)
    assert preview.returncode == 0, preview.failure_messages()
    assert aws("ec2").describe_vpcs(Filters=tag_filters("demo"))["Vpcs"] == []
    assert aws("ecr").describe_repositories()["repositories"] == []
    assert aws("efs").describe_file_systems()["FileSystems"] == []
    assert aws("ec2").describe_client_vpn_endpoints()["ClientVpnEndpoints"] == []
    assert aws("acm").list_certificates()["CertificateSummaryList"] == []
    assert aws("elbv2").describe_load_balancers()["LoadBalancers"] == []
    assert not any(Path(path).parent.exists() for path in local_files.values())
    assert aws("ecs").list_clusters()["clusterArns"] == []
    assert active_revisions(aws) == []
    assert [r for r in aws("iam").list_roles()["Roles"] if r["RoleName"] in ROLES] == []


@pytest.fixture(scope="module")
def stack(emulator_endpoint, run, aws):
    reset_emulator(emulator_endpoint)
    built = run()
    assert built.returncode == 0, built.failure_messages("demo") + built.failure_messages("shop")
    assert built.changed("demo") > 0 and built.changed("shop") > 0
    return built


def test_two_stacks_never_collide(stack, aws):
    demo, shop = stack_resources(aws, "demo"), stack_resources(aws, "shop")
    assert demo["vpcs"][0]["CidrBlock"] == "10.20.0.0/16" and shop["vpcs"][0]["CidrBlock"] == "10.40.0.0/16"
    for kind in ("repositories", "load_balancers", "target_groups", "clusters", "file_systems", "certificates"):
        assert demo[kind] and shop[kind], kind
        assert not set(demo[kind]) & set(shop[kind]), kind
    assert all(
        name.startswith("shop-local") for name in shop["load_balancers"] + shop["target_groups"] + shop["clusters"]
    )
    assert not {g["logGroupName"] for g in demo["log_groups"]} & {g["logGroupName"] for g in shop["log_groups"]}
    assert len(demo["vpn_endpoints"]) == 1 and "vpn_endpoints" not in shop
    assert len(demo["vpc_endpoints"]) == 4 and "vpc_endpoints" not in shop


def test_outputs_are_written_as_json_per_environment_and_stack(stack, aws):
    outputs = json.loads((Path(WORKER_LOCAL_FILES["cloudops_outputs_dir"]) / "local" / "demo.json").read_text())
    (balancer,) = aws("elbv2").describe_load_balancers(Names=["demo-local-alb"])["LoadBalancers"]
    assert outputs["service_url"] == f"https://{balancer['DNSName']}"
    assert sorted(outputs["repository_uris"]) == ["app", "nginx"]
    assert [outputs["file_system_id"]] == stack_resources(aws, "demo")["file_systems"]
    assert outputs["vpn_endpoint_id"].startswith("cvpn-endpoint-")
    assert list(outputs["vpn_client_config_paths"]) == ["operator"]
    assert outputs["service_arns"]["web"] == service(aws)["serviceArn"]
    shop = json.loads((Path(WORKER_LOCAL_FILES["cloudops_outputs_dir"]) / "local" / "shop.json").read_text())
    assert shop["service_url"].startswith("https://shop-local-alb") and not shop["vpn_endpoint_id"]


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


def test_second_run_changes_nothing(stack, run):
    again = run()
    assert again.returncode == 0, again.failure_messages("demo") + again.failure_messages("shop")
    assert (again.changed("demo"), again.changed("shop")) == (0, 0), again.changed_tasks("demo") + again.changed_tasks(
        "shop"
    )


def drift(run, local_files):
    return run(
        "playbooks/drift.yml", extra_vars={"drift_extra_vars": {**WORKER_LOCAL_FILES, **local_files}}, args=DEMO_ONLY
    )


def test_drift_passes_on_the_stack_as_built(stack, run, local_files):
    checked = drift(run, local_files)
    assert checked.returncode == 0, checked.failure_messages()
    assert "matches its inventory" in json.dumps(checked.task_results("Report no drift"))


def test_preflight_passes_on_both_stacks_as_built(stack, run):
    checked = run("playbooks/preflight.yml")
    assert checked.returncode == 0, checked.failure_messages("demo") + checked.failure_messages("shop")
    assert (
        checked.task_results("Check what the deploy depends on", "shop")[0]["ansible_facts"]["preflight_findings"] == []
    )


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

    drifted = drift(run, local_files)
    assert drifted.returncode != 0
    report = drifted.failure_messages()
    assert "has drifted: 3 task(s)" in report
    assert "Create or update the service" in report and "health_check_grace_period_seconds" in report
    assert "Create the service's log group with its retention" in report and "retention_in_days" in report
    assert "Give the security groups their least-privilege rules" in report
    assert retention(aws) == 1, "the check-mode run changed the retention"

    checked = run("playbooks/preflight.yml")
    assert checked.returncode != 0 and checked.failures("shop") == 0
    assert (
        "do not admit NFS (TCP 2049) from the service security group: tasks cannot mount demo-local-static"
        in checked.failure_messages()
    )

    repair = run(args=[*DEMO_ONLY, "--tags", "network,fargate"])
    assert repair.returncode == 0, repair.failure_messages()
    assert sorted(name.split(" : ")[-1] for name in repair.changed_tasks()) == [
        "Create or update the service",
        "Create the service's log group with its retention",
        "Give the security groups their least-privilege rules",
    ]
    assert service(aws)["healthCheckGracePeriodSeconds"] == 60 and retention(aws) == 7
    assert run("playbooks/preflight.yml", args=DEMO_ONLY).returncode == 0


def test_deploy_of_a_new_tag_makes_one_revision_and_updates_the_service(stack, run, aws):
    before = active_revisions(aws)
    deployed = run("playbooks/deploy.yml", extra_vars={"image_tag": "1.1.0"}, args=DEMO_ONLY)
    assert deployed.returncode == 0, deployed.failure_messages()
    after = active_revisions(aws)
    assert len(set(after) - set(before)) == 1
    (new,) = set(after) - set(before)
    assert service(aws)["taskDefinition"] == new
    images = {c["name"]: c["image"] for c in task_definition(aws, new)["containerDefinitions"]}
    assert images["app"].endswith("/demo-local/app:1.1.0")
    again = run("playbooks/deploy.yml", extra_vars={"image_tag": "1.1.0"}, args=DEMO_ONLY)
    assert again.returncode == 0, again.failure_messages()
    assert again.changed() == 0, again.changed_tasks()
    assert active_revisions(aws) == after


def test_failed_deploy_puts_the_previous_revision_back_and_says_why(stack, run, aws):
    running = service(aws)["taskDefinition"]
    # An image the emulator cannot pull: its tasks stop with CannotPullContainerError and the circuit breaker trips.
    unpullable = {
        "registry_repository_uris": {"app": "registry.invalid/demo/app", "nginx": "registry.invalid/demo/nginx"}
    }
    failed = run("playbooks/deploy.yml", extra_vars={**unpullable, "image_tag": "9.9.9"}, args=DEMO_ONLY)
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
    rolled_out = run(extra_vars=changed, args=[*DEMO_ONLY, "--tags", "storage,fargate"])
    assert rolled_out.returncode == 0, rolled_out.failure_messages()
    rolled = service(aws)["taskDefinition"]
    assert rolled != running
    again = run(extra_vars=changed, args=[*DEMO_ONLY, "--tags", "storage,fargate"])
    assert again.changed() == 0, again.changed_tasks()
    assert service(aws)["taskDefinition"] == rolled
    assert service(aws)["desiredCount"] == 4


def test_teardown_of_one_stack_leaves_the_other_as_it_was(stack, run, aws):
    demo = stack_resources(aws, "demo")
    torn_down = run("playbooks/teardown.yml", args=["--limit", "shop"])
    assert torn_down.returncode == 0, torn_down.failure_messages("shop")
    assert stack_resources(aws, "shop") == {}
    assert {k: len(v) for k, v in stack_resources(aws, "demo").items()} == {k: len(v) for k, v in demo.items()}
    assert service(aws)["status"] == "ACTIVE"


def test_teardown_leaves_nothing_of_the_stack(stack, run, aws):
    torn_down = run("playbooks/teardown.yml", args=DEMO_ONLY)
    assert torn_down.returncode == 0, torn_down.failure_messages()
    assert stack_resources(aws, "demo") == {}
    # Both stacks gone: nothing of the layers is left in the account at all.
    assert aws("efs").describe_file_systems()["FileSystems"] == []
    assert aws("application-autoscaling").describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"] == []
    assert aws("ec2").describe_vpcs(Filters=[{"Name": "tag:ManagedBy", "Values": ["cloudops.fargate"]}])["Vpcs"] == []
