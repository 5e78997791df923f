"""Every playbook run exactly as the README tells a user: from the repository root, with the README's command line,
the default inventory (inventories/local) and its own files under .emulator/, and no variable that make exports
(no ANSIBLE_CONFIG, no venv first on PATH). Only AWS_ENDPOINT_URL, the emulator's documented knob, points the local
inventory at this test's emulator (tests/integration/readme.py). The runs on an empty account are
test_readme_empty_account.py's.

On the stack the README's site.yml builds, read back with boto3: the service as built; settings changed behind
Ansible's back are named by drift.yml and preflight.yml until site.yml repairs them, in the same run as a changed nginx
configuration rolls the service once; deploy.yml: a new tag makes one revision, a failed deploy is rolled back with its
reasons. The runs that need the JSON report keep the inventory's own files, so they act on the same stack."""

from __future__ import annotations

import json

import pytest

from tests.integration.aws_state import stack_resources, tag_filters, tags_of
from tests.integration.conftest import REPO_ROOT, realism, reset_emulator, unsupported_zones

CLUSTER = "demo-local"
SERVICE = "demo-local-web"
FAMILY = "demo-local-web"
LOG_GROUP = "/cloudops/demo-local/service"
# An endpoint service that does not cover every zone of the stack, as AWS has in some accounts and regions.
ECR_DKR = "com.amazonaws.us-east-1.ecr.dkr"


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
    (file_system,) = aws("efs").describe_file_systems()["FileSystems"]
    release = {t["Key"]: t["Value"] for t in file_system["Tags"]}["Release"]
    points = {p["Name"]: p["AccessPointId"] for p in aws("efs").describe_access_points()["AccessPoints"]}
    volumes = {v["name"]: v for v in definition["volumes"]}
    # The access points of the release the storage layer published.
    for volume, point in (("nginx-config", f"demo-local-config-{release}"), ("nginx-ui", f"demo-local-ui-{release}")):
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


def test_drift_and_preflight_name_changes_behind_its_back(built, readme, aws):
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


# Repairs, from the preceding test's drift.
REPAIRS = [
    "Create or update the service",
    "Create the service's log group with its retention",
    "Give the security groups their least-privilege rules",
]
# What a changed nginx configuration changes on top of them: a new release, its copy to EFS, its access points, the
# file system's tag naming it, the task role that may mount them, and the revision that mounts them.
NGINX_CHANGES = [
    "Publish the nginx configuration and the UI files as a release",
    "Start the file system and its mount targets",
    "Copy the releases to the file system",
    "Start creating the release's access points",
    "Give the copied release its access points",
    "Create the task role (what the containers may do)",
    "Register the task definition",
]


def test_site_repairs_the_drift_and_rolls_a_changed_nginx_configuration_once_keeping_a_scaled_out_count(built, run, aws):
    running = service(aws)["taskDefinition"]
    # Auto scaling has scaled out: re-runs must not scale the service back to fargate_desired_count.
    aws("ecs").update_service(cluster=CLUSTER, service=SERVICE, desiredCount=4)
    changed = {"storage_nginx_client_max_body_size": "2m"}
    repaired = run(extra_vars=changed, args=["--tags", "network,storage,fargate"])
    assert repaired.returncode == 0, repaired.failure_messages()
    changed_tasks = sorted(name.split(" : ")[-1] for name in repaired.changed_tasks())
    assert changed_tasks == sorted(REPAIRS + NGINX_CHANGES), changed_tasks
    assert service(aws)["healthCheckGracePeriodSeconds"] == 60 and retention(aws) == 7
    rolled = service(aws)["taskDefinition"]
    assert rolled != running
    # A rollback goes back to the previous revision: its tasks must still be allowed to mount the previous release.
    mounted = {
        revision: {
            v["efsVolumeConfiguration"]["authorizationConfig"]["accessPointId"]
            for v in task_definition(aws, revision)["volumes"]
            if "efsVolumeConfiguration" in v
        }
        for revision in (running, rolled)
    }
    assert mounted[running] and mounted[rolled] and not mounted[running] & mounted[rolled]
    policy = aws("iam").get_role_policy(RoleName="demo-local-task", PolicyName="mount-static-files")["PolicyDocument"]
    policy = json.loads(policy) if isinstance(policy, str) else policy
    allowed = policy["Statement"][0]["Condition"]["StringEquals"]["elasticfilesystem:AccessPointArn"]
    assert {arn.rsplit("/", 1)[-1] for arn in allowed} >= mounted[running] | mounted[rolled]
    again = run(extra_vars=changed, args=["--tags", "network,storage,fargate"])
    assert again.changed() == 0, again.changed_tasks()
    assert service(aws)["taskDefinition"] == rolled
    assert service(aws)["desiredCount"] == 4


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
    # Its last step asked the service through the load balancer (the emulator's stand-in for its data plane).
    marker, probed = deployed.output.partition("TASK [Probe the service through its load balancer]")[1:]
    assert marker and "ok: [demo]" in probed.split("TASK [", 1)[0], deployed.output[-3000:]
    again = run("playbooks/deploy.yml", extra_vars={"image_tag": "1.4.2"})
    assert again.returncode == 0, again.failure_messages()
    assert again.changed() == 0, again.changed_tasks()
    assert active_revisions(aws) == after


def test_deploy_of_a_tag_that_is_nowhere_stops_before_anything_changes(built, run, aws):
    running, revisions = service(aws)["taskDefinition"], active_revisions(aws)
    # No source to copy from: the app image must be pushed, and 7.7.7 never was.
    unsourced = {"registry_repositories": [{"name": "app"}, {"name": "nginx"}]}
    refused = run("playbooks/deploy.yml", extra_vars={**unsourced, "image_tag": "7.7.7"})
    assert refused.returncode != 0
    message = refused.failure_messages()
    assert "/demo-local/app:7.7.7 is not in ECR" in message and "/demo-local/nginx:7.7.7 is not in ECR" in message
    assert "docker push " in message
    assert refused.changed() == 0, refused.changed_tasks()
    assert service(aws)["taskDefinition"] == running and active_revisions(aws) == revisions


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


def test_a_service_that_does_not_answer_as_expected_fails_the_deploy(built, run, aws):
    running = service(aws)["taskDefinition"]
    # The service answers 200; a deploy that requires 204 sees it answer otherwise until its probe times out.
    failed = run("playbooks/deploy.yml", extra_vars={"image_tag": "1.4.2", "deploy_probe_status": [204],
                                                     "deploy_probe_timeout": 3})
    assert failed.returncode != 0
    message = failed.failure_messages()
    assert "failed at 'Probe the service through its load balancer'" in message, message
    assert "to answer 204" in message and "200 OK" in message, message
    assert service(aws)["taskDefinition"] == running


def test_bad_probe_settings_stop_the_deploy_before_anything(built, run):
    refused = run("playbooks/deploy.yml", extra_vars={"image_tag": "1.4.2", "deploy_probe_path": "health"})
    assert refused.returncode != 0
    assert "deploy_probe_path (health) must be a path starting with '/'" in refused.failure_messages()
    assert refused.changed() == 0, refused.changed_tasks()


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
