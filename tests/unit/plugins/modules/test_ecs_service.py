"""cloudops.fargate.ecs_service against moto in this process, with the project's ECS service extensions installed
(deployments roll out over EMULATOR_ECS_DEPLOYMENT_SECONDS, images under .invalid fail to pull); every outcome is
read back with boto3."""

from __future__ import annotations

import functools
import json
import time

import pytest

from ansible_collections.cloudops.fargate.plugins.module_utils import _ecs_service
from ansible_collections.cloudops.fargate.plugins.module_utils._common import idempotency_token
from ansible_collections.cloudops.fargate.plugins.modules import ecs_service
from emulator import extensions
from emulator.extensions import ecs_service_configuration
from emulator.extensions import ecs_service_default_security_group
from emulator.extensions import ecs_service_deployments
from emulator.extensions import ecs_service_lifecycle
from emulator.extensions import ecs_service_tasks
from tests.unit.helpers import assert_ok
from tests.unit.helpers import wait_until

CLUSTER = "unit"
NAME = "unit-web"
ROLLOUT_SECONDS = 0.2
FAILING_IMAGE = "registry.invalid/unit/app:1"

EXTENSIONS = (
    ecs_service_configuration,
    ecs_service_default_security_group,
    ecs_service_deployments,
    ecs_service_lifecycle,
    ecs_service_tasks,
)


@pytest.fixture(autouse=True)
def emulator_extensions(monkeypatch):
    """The ECS service gaps of moto filled (process-wide, idempotent; in the order extensions.WRAP_ORDER gives);
    short rollouts, quick polls."""
    extensions.install(extension.__name__ for extension in EXTENSIONS)
    monkeypatch.setenv(ecs_service_deployments.DEPLOYMENT_SECONDS_VARIABLE, str(ROLLOUT_SECONDS))
    monkeypatch.setenv(ecs_service_lifecycle.DRAINING_SECONDS_VARIABLE, str(ROLLOUT_SECONDS))
    monkeypatch.setattr(_ecs_service, "POLL_DELAY", 0.05)


@pytest.fixture
def ec2(aws):
    return aws("ec2")


@pytest.fixture
def ecs(aws):
    return aws("ecs")


@pytest.fixture
def network(ec2):
    vpc_id = ec2.create_vpc(CidrBlock="10.50.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.50.{i}.0/24", AvailabilityZone=f"us-east-1{zone}")["Subnet"][
            "SubnetId"
        ]
        for i, zone in enumerate("ab")
    ]
    groups = [
        ec2.create_security_group(GroupName=f"unit-{i}", Description="unit", VpcId=vpc_id)["GroupId"] for i in range(2)
    ]
    default_group = ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "group-name", "Values": ["default"]}]
    )["SecurityGroups"][0]["GroupId"]
    return {"vpc_id": vpc_id, "subnets": subnets, "security_groups": groups, "default_group": default_group}


def register(ecs, image, family="unit-web", compatibilities=("FARGATE",), port=8080):
    return ecs.register_task_definition(
        family=family,
        networkMode="awsvpc",
        requiresCompatibilities=list(compatibilities),
        cpu="256",
        memory="512",
        containerDefinitions=[
            {"name": "nginx", "image": image, "essential": True, "portMappings": [{"containerPort": port}]},
        ],
    )["taskDefinition"]["taskDefinitionArn"]


@pytest.fixture
def task_definitions(ecs):
    """unit-web:1 and :2 start; unit-web:3's image cannot be pulled."""
    return [register(ecs, "nginx:1.27"), register(ecs, "nginx:1.28"), register(ecs, FAILING_IMAGE)]


@pytest.fixture
def cluster(ecs):
    return ecs.create_cluster(clusterName=CLUSTER)["cluster"]["clusterArn"]


@pytest.fixture
def target_group(aws, network):
    elbv2 = aws("elbv2")
    return elbv2.create_target_group(
        Name="unit-web", Protocol="HTTP", Port=8080, VpcId=network["vpc_id"], TargetType="ip"
    )["TargetGroups"][0]["TargetGroupArn"]


@pytest.fixture
def args(network, cluster, task_definitions):
    return {
        "cluster": CLUSTER,
        "name": NAME,
        "task_definition": "unit-web:1",
        "desired_count": 2,
        "network": {"subnets": network["subnets"]},
        "tags": {"Stack": "unit"},
    }


@pytest.fixture
def run(run_module):
    def run_service(args, check_mode=False, diff=False):
        return run_module(ecs_service, args, check_mode=check_mode, diff=diff)

    return run_service


@pytest.fixture
def created(run, args, ecs):
    """The service of ``args`` created for real and rolled out; returns its DescribeServices entry."""
    assert_ok(run(args), changed=True)
    return describe(ecs)


def service_arns(ecs, cluster=CLUSTER):
    return ecs.list_services(cluster=cluster)["serviceArns"]


def describe(ecs, name=NAME):
    found = ecs.describe_services(cluster=CLUSTER, services=[name], include=["TAGS"])["services"]
    return found[0] if found else None


def primary(service):
    return next(d for d in service["deployments"] if d["status"] == "PRIMARY")


def tags_of(service):
    return {t["key"]: t["value"] for t in service.get("tags") or []}


# --- create ---------------------------------------------------------------------------------------------------


def test_create_four_steps(run, args, ecs, network, cluster):
    result = run(args, check_mode=True, diff=True)
    assert_ok(result, changed=True)
    assert service_arns(ecs) == [], "check mode creates nothing"
    predicted = result["service"]
    assert predicted["service_name"] == NAME
    assert predicted["desired_count"] == 2
    assert predicted["task_definition"].endswith("task-definition/unit-web:1")
    assert predicted["tags"] == {"Stack": "unit"}
    assert result["diff"]["before"] == {} and result["diff"]["after"] == predicted

    result = run(args, diff=True)
    assert_ok(result, changed=True)
    service = result["service"]
    assert service["status"] == "ACTIVE"
    assert service["cluster_arn"] == cluster
    assert service["running_count"] == service["desired_count"] == 2
    assert result["rollout_state"] == "COMPLETED" and result["rollout_complete"] is True
    assert [d["rollout_state"] for d in service["deployments"]] == ["COMPLETED"]
    described = describe(ecs)
    assert described["serviceArn"] == service["service_arn"]
    assert described["runningCount"] == 2

    for check_mode in (True, False):
        again = run(args, check_mode=check_mode, diff=True)
        assert_ok(again, changed=False)
        assert again["diff"] == {"before": {}, "after": {}}
    assert service_arns(ecs) == [service["service_arn"]]


def test_a_service_as_asked_is_read_once_without_waiting(run, args, ecs, created, calls):
    calls.clear()
    result = run({**args, "wait": False})
    assert_ok(result, changed=False)
    assert calls == [("ecs", "DescribeServices"), ("ecs", "DescribeTaskDefinition")]
    assert result["service"]["service_arn"] == created["serviceArn"]
    assert [d["rollout_state"] for d in result["service"]["deployments"]] == ["COMPLETED"]


def test_create_reports_aws_view_in_snake_case(run, args, ecs, network, target_group):
    result = run(
        dict(
            args,
            load_balancers=[{"target_group_arn": target_group, "container_name": "nginx", "container_port": 8080}],
            health_check_grace_period_seconds=30,
            enable_execute_command=True,
        )
    )
    assert_ok(result, changed=True)
    service = result["service"]
    assert service["launch_type"] == "FARGATE"
    assert service["platform_version"] == "LATEST"
    assert service["propagate_tags"] == "SERVICE"
    assert service["enable_ecs_managed_tags"] is True
    assert service["enable_execute_command"] is True
    assert service["health_check_grace_period_seconds"] == 30
    assert service["deployment_configuration"] == {
        "deployment_circuit_breaker": {"enable": True, "rollback": True},
        "maximum_percent": 200,
        "minimum_healthy_percent": 100,
        # AWS's own defaults, which the module leaves alone.
        "strategy": "ROLLING",
        "bake_time_in_minutes": 0,
    }
    assert service["network_configuration"] == {
        "awsvpc_configuration": {
            "subnets": network["subnets"],
            "security_groups": [network["default_group"]],  # none given: the VPC's default group
            "assign_public_ip": "DISABLED",
        }
    }
    assert service["load_balancers"] == [
        {"target_group_arn": target_group, "container_name": "nginx", "container_port": 8080}
    ]
    assert service["tags"] == {"Stack": "unit"}
    assert service["events"] and all(set(e) == {"id", "created_at", "message"} for e in service["events"])
    described = describe(ecs)
    assert described["deploymentConfiguration"]["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
    assert tags_of(described) == {"Stack": "unit"}


def test_task_definition_forms_are_compared_normalised(run, args, created, task_definitions):
    for form in (task_definitions[0], "unit-web:1"):
        assert_ok(run(dict(args, task_definition=form)), changed=False)
    # the family alone is its latest revision: :3
    result = run(dict(args, task_definition="unit-web", wait=False), check_mode=True, diff=True)
    assert_ok(result, changed=True)
    assert result["diff"] == {"before": {"task_definition": "unit-web:1"}, "after": {"task_definition": "unit-web:3"}}


def test_capacity_provider_strategy_create(run, args, ecs):
    strategy = [{"capacity_provider": "FARGATE_SPOT", "weight": 3}, {"capacity_provider": "FARGATE", "base": 1}]
    result = run(dict(args, capacity_provider_strategy=strategy))
    assert_ok(result, changed=True)
    assert "launch_type" not in result["service"]
    assert result["service"]["capacity_provider_strategy"] == [
        {"capacity_provider": "FARGATE", "weight": 1, "base": 1},
        {"capacity_provider": "FARGATE_SPOT", "weight": 3, "base": 0},
    ]
    assert_ok(run(dict(args, capacity_provider_strategy=list(reversed(strategy)))), changed=False)


# --- updates ------------------------------------------------------------------------------------------------------


def test_update_task_definition_waits_for_the_rollout(run, args, ecs, created):
    old_deployment = primary(created)["id"]
    result = run(dict(args, task_definition="unit-web:2"), diff=True)
    assert_ok(result, changed=True)
    assert result["diff"] == {"before": {"task_definition": "unit-web:1"}, "after": {"task_definition": "unit-web:2"}}
    service = result["service"]
    assert service["task_definition"].endswith(":2")
    new = primary(describe(ecs))
    assert new["id"] != old_deployment
    assert new["taskDefinition"].endswith(":2") and new["rolloutState"] == "COMPLETED"
    assert result["rollout_complete"] is True
    assert [d["id"] for d in service["deployments"]] == [new["id"]], "the old deployment is gone once rolled out"
    assert any(f"(deployment {new['id']}) deployment completed" in e["message"] for e in service["events"])


def test_wait_false_returns_at_once_and_a_rerun_reports_progress(run, args, ecs, created, monkeypatch):
    # A rollout of seconds: a loaded machine's run returns well before it is over.
    monkeypatch.setenv(ecs_service_deployments.DEPLOYMENT_SECONDS_VARIABLE, "3")
    changed = dict(args, task_definition="unit-web:2", wait=False)
    result = run(changed)
    assert_ok(result, changed=True)
    assert result["rollout_state"] == "IN_PROGRESS" and result["rollout_complete"] is False
    assert len(result["service"]["deployments"]) == 2

    polled = run(changed)
    assert_ok(polled, changed=False)
    assert polled["rollout_state"] in ("IN_PROGRESS", "COMPLETED")
    wait_until(lambda: run(changed)["rollout_complete"], "the rollout is complete", timeout=30.0, interval=0.2)
    final = run(changed)
    assert_ok(final, changed=False)
    assert final["rollout_state"] == "COMPLETED" and final["service"]["running_count"] == 2

    # the same arguments with wait=true wait for the rollout in progress, changing nothing
    assert_ok(run(dict(changed, task_definition="unit-web:1")), changed=True)
    waited = run(dict(args, task_definition="unit-web:1"))
    assert_ok(waited, changed=False)
    assert waited["rollout_complete"] is True


def test_in_place_updates_and_diff(run, args, ecs, created):
    wanted = dict(
        args,
        desired_count=3,
        health_check_grace_period_seconds=45,
        enable_execute_command=True,
        propagate_tags="TASK_DEFINITION",
        enable_ecs_managed_tags=False,
        minimum_healthy_percent=50,
        maximum_percent=150,
        deployment_circuit_breaker={"enable": False},
        tags={"Stack": "unit", "Owner": "team"},
    )
    before = run(wanted, check_mode=True, diff=True)
    assert_ok(before, changed=True)
    assert describe(ecs)["desiredCount"] == 2, "check mode changes nothing"
    assert before["diff"] == {
        "before": {
            "desired_count": 2,
            "deployment_circuit_breaker": {"enable": True, "rollback": True},
            "minimum_healthy_percent": 100,
            "maximum_percent": 200,
            "health_check_grace_period_seconds": 0,
            "enable_execute_command": False,
            "propagate_tags": "SERVICE",
            "enable_ecs_managed_tags": True,
            "tags": {"Stack": "unit"},
        },
        "after": {
            "desired_count": 3,
            "deployment_circuit_breaker": {"enable": False, "rollback": False},
            "minimum_healthy_percent": 50,
            "maximum_percent": 150,
            "health_check_grace_period_seconds": 45,
            "enable_execute_command": True,
            "propagate_tags": "TASK_DEFINITION",
            "enable_ecs_managed_tags": False,
            "tags": {"Stack": "unit", "Owner": "team"},
        },
    }
    result = run(wanted, diff=True)
    assert_ok(result, changed=True)
    assert result["diff"] == before["diff"]
    assert result["service"]["running_count"] == 3, "the scale-up was waited for"
    described = describe(ecs)
    assert primary(described)["id"] == primary(created)["id"], "these fields start no deployment"
    assert described["desiredCount"] == 3
    assert described["healthCheckGracePeriodSeconds"] == 45
    assert described["enableExecuteCommand"] is True
    assert described["propagateTags"] == "TASK_DEFINITION"
    assert described["enableECSManagedTags"] is False
    assert described["deploymentConfiguration"] == {
        "deploymentCircuitBreaker": {"enable": False, "rollback": False},
        "maximumPercent": 150,
        "minimumHealthyPercent": 50,
        "strategy": "ROLLING",
        "bakeTimeInMinutes": 0,
    }
    assert tags_of(described) == {"Stack": "unit", "Owner": "team"}
    assert_ok(run(wanted), changed=False)


def test_desired_count_left_alone_when_managed_externally(run, args, ecs):
    managed = dict(args, desired_count=2, desired_count_managed_externally=True)
    assert_ok(run(managed), changed=True)
    assert describe(ecs)["desiredCount"] == 2, "used on create"

    ecs.update_service(cluster=CLUSTER, service=NAME, desiredCount=4)  # what Application Auto Scaling does
    result = run(managed, diff=True)
    assert_ok(result, changed=False)
    assert describe(ecs)["desiredCount"] == 4
    assert result["service"]["running_count"] == 4, "the scale-out in progress was waited for"

    # without the flag the count is the module's again
    assert_ok(run(dict(args, desired_count=2)), changed=True)
    assert describe(ecs)["desiredCount"] == 2


def test_tags_purge_and_keep(run, args, ecs, created):
    assert_ok(run(dict(args, tags={"Other": "x"}, purge_tags=False)), changed=True)
    assert tags_of(describe(ecs)) == {"Stack": "unit", "Other": "x"}
    assert_ok(run(dict(args, tags={"Other": "x"})), changed=True)
    assert tags_of(describe(ecs)) == {"Other": "x"}
    left_out = dict(args)
    del left_out["tags"]
    assert_ok(run(left_out), changed=False)


def test_network_changes_keep_security_groups_left_out(run, args, ecs, network, created):
    one_subnet = dict(args, network={"subnets": network["subnets"][:1], "assign_public_ip": True})
    result = run(one_subnet, diff=True)
    assert_ok(result, changed=True)
    assert result["diff"]["after"]["network"] == {
        "subnets": network["subnets"][:1],
        "security_groups": [network["default_group"]],
        "assign_public_ip": True,
    }
    described = describe(ecs)["networkConfiguration"]["awsvpcConfiguration"]
    assert described == {
        "subnets": network["subnets"][:1],
        "securityGroups": [network["default_group"]],
        "assignPublicIp": "ENABLED",
    }
    assert primary(describe(ecs))["id"] != primary(created)["id"], "a network change is a new deployment"
    assert_ok(run(one_subnet), changed=False)

    groups = dict(
        args, network={"subnets": list(reversed(network["subnets"])), "security_groups": network["security_groups"]}
    )
    assert_ok(run(groups), changed=True)
    assert sorted(describe(ecs)["networkConfiguration"]["awsvpcConfiguration"]["securityGroups"]) == sorted(
        network["security_groups"]
    )
    assert_ok(
        run(dict(groups, network=dict(groups["network"], security_groups=list(reversed(network["security_groups"]))))),
        changed=False,
    )


def test_load_balancers_added_and_removed_in_place(run, args, ecs, created, target_group):
    with_lb = dict(
        args, load_balancers=[{"target_group_arn": target_group, "container_name": "nginx", "container_port": 8080}]
    )
    result = run(with_lb, diff=True)
    assert_ok(result, changed=True)
    assert result["diff"]["before"] == {"load_balancers": []}
    assert describe(ecs)["loadBalancers"] == [
        {"targetGroupArn": target_group, "containerName": "nginx", "containerPort": 8080}
    ]
    assert_ok(run(with_lb), changed=False)
    assert_ok(run(dict(args, load_balancers=[])), changed=True)
    assert describe(ecs)["loadBalancers"] == []


def test_launch_type_to_capacity_providers_and_back(run, args, ecs, created):
    spot = dict(args, capacity_provider_strategy=[{"capacity_provider": "FARGATE_SPOT"}])
    result = run(spot, diff=True)
    assert_ok(result, changed=True)
    assert result["diff"] == {
        "before": {"launch_type": "FARGATE", "capacity_provider_strategy": []},
        "after": {
            "launch_type": None,
            "capacity_provider_strategy": [{"capacity_provider": "FARGATE_SPOT", "weight": 1, "base": 0}],
        },
    }
    described = describe(ecs)
    assert "launchType" not in described
    assert described["capacityProviderStrategy"] == [{"capacityProvider": "FARGATE_SPOT", "weight": 1, "base": 0}]
    assert_ok(run(spot), changed=False)

    back = run(args, diff=True)
    assert_ok(back, changed=True)
    assert back["diff"]["after"] == {"capacity_provider_strategy": [], "launch_type": "FARGATE"}
    assert describe(ecs)["launchType"] == "FARGATE"
    assert_ok(run(args), changed=False)


@pytest.mark.parametrize("check_mode", [True, False])
def test_another_launch_type_cannot_become_fargate(run, args, ecs, network, cluster, task_definitions, check_mode):
    register(ecs, "nginx:1.27", compatibilities=("EC2", "FARGATE"))
    ecs.create_service(
        cluster=CLUSTER,
        serviceName=NAME,
        taskDefinition="unit-web:4",
        desiredCount=1,
        launchType="EC2",
        networkConfiguration={"awsvpcConfiguration": {"subnets": network["subnets"]}},
    )
    before = describe(ecs)
    result = run(dict(args, task_definition="unit-web:4"), check_mode=check_mode)
    assert result["failed"]
    assert "launch_type of service unit-web is EC2" in result["msg"]
    assert "cannot change" in result["msg"]
    after = describe(ecs)
    assert after["launchType"] == "EC2" and after["deployments"][0]["id"] == before["deployments"][0]["id"]


def test_force_new_deployment_changes_every_run(run, args, ecs, created):
    seen = {primary(created)["id"]}
    for _attempt in range(2):
        result = run(dict(args, force_new_deployment=True), diff=True)
        assert_ok(result, changed=True)
        assert result["diff"] == {"before": {"force_new_deployment": False}, "after": {"force_new_deployment": True}}
        seen.add(primary(describe(ecs))["id"])
    assert len(seen) == 3
    assert len(run(dict(args, force_new_deployment=True))["service"]["events"]) == 10, "only the last 10 events"


# --- failed and slow rollouts ------------------------------------------------------------------------------------


def test_circuit_breaker_failure_reports_events_and_stopped_reasons(run, args, ecs, created):
    result = run(dict(args, task_definition="unit-web:3"))
    assert result["failed"]
    message = result["msg"]
    assert "failed: ECS deployment circuit breaker: tasks failed to start." in message
    assert "rolled back to unit-web:1" in message
    assert "CannotPullContainerError" in message and FAILING_IMAGE in message
    assert "deployment failed: tasks failed to start" in message, "the service's events are in the message"
    assert result["stopped_tasks"], result
    assert all(t["stop_code"] == "TaskFailedToStart" for t in result["stopped_tasks"])
    assert all(t["task_definition_arn"].endswith("unit-web:3") for t in result["stopped_tasks"])
    assert result["events"] and len(result["events"]) <= 10

    # the rollback runs unit-web:1 again
    wait_until(
        lambda: describe(ecs)["deployments"][0]["rolloutState"] == "COMPLETED",
        "the deployment is complete",
        timeout=5.0,
        interval=0.05,
    )
    assert describe(ecs)["taskDefinition"].endswith("unit-web:1")
    assert_ok(run(args), changed=False)


def test_failed_first_deployment_stays_failed(run, args, ecs, network, cluster):
    failing = dict(args, task_definition="unit-web:3")
    result = run(failing)
    assert result["failed"]
    assert "Deployment ecs-svc/" in result["msg"] and "tasks failed to start" in result["msg"]
    assert "CannotPullContainerError" in result["msg"]
    assert result["rollout_state"] == "FAILED"
    assert len(service_arns(ecs)) == 1, "created once"

    report = run(dict(failing, wait=False))  # nothing to change: the state is reported
    assert_ok(report, changed=False)
    assert report["rollout_state"] == "FAILED" and report["rollout_complete"] is False
    again = run(failing)  # waiting on a failed deployment fails at once
    assert again["failed"] and "tasks failed to start" in again["msg"]


def test_timeout_without_circuit_breaker_reports_stopped_tasks(run, args, ecs, created):
    result = run(dict(args, task_definition="unit-web:3", deployment_circuit_breaker={"enable": False}, wait_timeout=1))
    assert result["failed"]
    assert result["msg"].startswith("Timed out after 1 seconds waiting for deployment ecs-svc/")
    assert "rollout IN_PROGRESS" in result["msg"]
    assert "CannotPullContainerError" in result["msg"]
    assert "is unable to consistently start tasks successfully" in result["msg"]
    assert result["stopped_tasks"]
    assert result["service"]["deployments"][0]["rollout_state"] == "IN_PROGRESS"


def test_timeout_of_a_slow_rollout(run, args, ecs, monkeypatch, cluster, network, task_definitions):
    monkeypatch.setenv(ecs_service_deployments.DEPLOYMENT_SECONDS_VARIABLE, "60")
    result = run(dict(args, wait_timeout=1))
    assert result["failed"]
    assert "Timed out after 1 seconds" in result["msg"]
    assert "0 of 2 tasks running" in result["msg"]
    assert result["stopped_tasks"] == []
    assert len(service_arns(ecs)) == 1
    # the service is there; with wait=false the same task reports it, unchanged
    report = run(dict(args, wait=False))
    assert_ok(report, changed=False)
    assert report["rollout_state"] == "IN_PROGRESS"


# --- absent --------------------------------------------------------------------------------------------------------


def test_absent_four_steps(run, args, ecs, created):
    absent = {"cluster": CLUSTER, "name": NAME, "state": "absent"}
    result = run(absent, check_mode=True, diff=True)
    assert_ok(result, changed=True)
    assert describe(ecs)["status"] == "ACTIVE", "check mode deletes nothing"
    assert result["diff"]["after"] == {} and result["diff"]["before"]["service_name"] == NAME

    result = run(absent, diff=True)
    assert_ok(result, changed=True)
    assert result["service"]["status"] == "INACTIVE"
    described = describe(ecs)
    assert described["status"] == "INACTIVE" and described["desiredCount"] == 0
    assert service_arns(ecs) == []

    for check_mode in (True, False):
        assert_ok(run(absent, check_mode=check_mode), changed=False)


def test_absent_without_wait_then_again(run, args, ecs, created, monkeypatch):
    # A draining of seconds: the run's read right after its delete lands inside it on a loaded machine too.
    monkeypatch.setenv(ecs_service_lifecycle.DRAINING_SECONDS_VARIABLE, "2")
    absent = {"cluster": CLUSTER, "name": NAME, "state": "absent", "wait": False}
    result = run(absent)
    assert_ok(result, changed=True)
    assert result["service"]["status"] == "DRAINING"
    again = run(absent)
    assert_ok(again, changed=False)
    waited = run(dict(absent, wait=True))
    assert_ok(waited, changed=False)
    assert waited["service"]["status"] == "INACTIVE"


def test_absent_of_what_never_existed(run, ecs, cluster):
    assert_ok(run({"cluster": CLUSTER, "name": NAME, "state": "absent"}), changed=False)
    result = run({"cluster": "no-such-cluster", "name": NAME, "state": "absent"})
    assert_ok(result, changed=False)
    assert result["service"] == {}


def test_recreate_waits_for_draining(run, args, ecs, created, monkeypatch):
    # A draining of seconds: the describe after the run, and the next run's first read, land inside it on a loaded
    # machine too.
    monkeypatch.setenv(ecs_service_lifecycle.DRAINING_SECONDS_VARIABLE, "3")
    assert_ok(run({"cluster": CLUSTER, "name": NAME, "state": "absent", "wait": False}), changed=True)
    assert describe(ecs)["status"] == "DRAINING"
    result = run(args)
    assert_ok(result, changed=True)
    described = describe(ecs)
    assert described["status"] == "ACTIVE"
    assert described["createdAt"] > created["createdAt"]
    assert result["rollout_complete"] is True


# --- idempotency token ------------------------------------------------------------------------------------------


def test_interrupted_create_is_not_duplicated(run, args, ecs, network, monkeypatch):
    """A create that reached AWS but whose answer was lost: the re-run does not see the service yet (eventual
    consistency) and creates again with the same token, which AWS answers with the service that exists."""
    token = idempotency_token(CLUSTER, NAME, "", length=_ecs_service.CLIENT_TOKEN_LENGTH)
    first = ecs.create_service(
        cluster=CLUSTER,
        serviceName=NAME,
        taskDefinition="unit-web:1",
        desiredCount=2,
        launchType="FARGATE",
        clientToken=token,
        networkConfiguration={"awsvpcConfiguration": {"subnets": network["subnets"]}},
    )["service"]
    real_describe = _ecs_service.ServiceManager.describe
    calls = []

    def not_yet_visible(self, cluster, name):
        calls.append(name)
        return None if len(calls) == 1 else real_describe(self, cluster, name)

    monkeypatch.setattr(_ecs_service.ServiceManager, "describe", not_yet_visible)
    result = run(args)
    assert_ok(result, changed=True)
    assert result["service"]["service_arn"] == first["serviceArn"]
    assert service_arns(ecs) == [first["serviceArn"]]
    assert primary(describe(ecs))["id"] == primary(first)["id"], "the existing service answered, not a new one"


# --- AWS's transient refusals and failed launches -----------------------------------------------------------------


@pytest.fixture
def quick_retries(monkeypatch):
    """call_through on a clock twenty times faster: its backoff (about 1, 2, 4 ... s) and its timeout pass in a
    twentieth of the time."""
    from ansible_collections.cloudops.fargate.plugins.module_utils import _common

    quick = functools.partial(
        _common.call_through, sleep=lambda seconds: time.sleep(seconds / 20), clock=lambda: time.monotonic() * 20
    )
    monkeypatch.setattr(_ecs_service, "call_through", quick, raising=False)


@pytest.fixture
def realistic():
    """The emulator's realistic mode in this process (no throttling), at 1/100 of AWS's clock unless a test says
    otherwise (the rollout and draining times stay the fixture's variables); plain mode again afterwards."""
    from emulator import realism

    def switch(time_scale=0.01):
        realism.configure({"realistic": True, "time_scale": time_scale, "throttle_rate": 0.0})

    switch()
    yield switch
    realism.reset()


@pytest.fixture
def fresh_account(monkeypatch, realistic):
    """An account without ECS's service-linked role: the first CreateService makes ECS create it and is refused, like
    every CreateService until the role is usable (emulator/extensions/ecs_service_linked_role.py, outermost as on the
    emulator, for this test only)."""
    from moto.ecs.models import EC2ContainerServiceBackend

    from emulator.extensions import ecs_service_linked_role

    create_service = EC2ContainerServiceBackend.create_service

    def refused_while_the_role_is_new(self, *args, **kwargs):
        ecs_service_linked_role.check(self)
        return create_service(self, *args, **kwargs)

    monkeypatch.setattr(EC2ContainerServiceBackend, "create_service", refused_while_the_role_is_new)
    return realistic


def test_create_on_a_fresh_account_waits_for_the_service_linked_role(run, args, ecs, calls, quick_retries, fresh_account):
    result = run(args)
    assert_ok(result, changed=True)
    assert calls.count(("ecs", "CreateService")) > 1, "refused first, while ECS created its service-linked role"
    assert service_arns(ecs) == [result["service"]["service_arn"]], "one service, whatever the retries"
    assert result["rollout_complete"] is True
    assert_ok(run(args), changed=False)


def test_create_past_the_timeout_fails_saying_how_long(run, args, ecs, quick_retries, fresh_account):
    fresh_account(time_scale=1.0)  # the role takes AWS's 15 s to be usable, more than wait_timeout
    result = run(dict(args, wait_timeout=1))
    assert result["failed"]
    assert (
        f"Failed to create ECS service {NAME} in cluster {CLUSTER} (AWS still answered InvalidParameterException"
        " after 1 s)" in result["msg"]
    )
    assert service_arns(ecs) == []


def test_create_that_is_not_idempotent_fails_at_once(run, args, ecs, network, calls, quick_retries, monkeypatch):
    """InvalidParameterException with another meaning is not retried: a service of that name made by another client
    token (one the module does not see yet) answers "Creation of service was not idempotent."."""
    ecs.create_service(
        cluster=CLUSTER,
        serviceName=NAME,
        taskDefinition="unit-web:1",
        desiredCount=2,
        launchType="FARGATE",
        clientToken="someone-else",
        networkConfiguration={"awsvpcConfiguration": {"subnets": network["subnets"]}},
    )
    real_describe = _ecs_service.ServiceManager.describe
    seen = []

    def not_yet_visible(self, cluster, name):
        seen.append(name)
        return None if len(seen) == 1 else real_describe(self, cluster, name)

    monkeypatch.setattr(_ecs_service.ServiceManager, "describe", not_yet_visible)
    calls.clear()  # the test's own CreateService
    result = run(args)
    assert result["failed"]
    assert "Creation of service was not idempotent" in result["msg"]
    assert "still answered" not in result["msg"]
    assert calls.count(("ecs", "CreateService")) == 1


def test_rollout_waits_through_launches_failed_while_the_execution_role_propagates(
    run, args, ecs, aws, realistic, monkeypatch
):
    """AWS cannot launch the tasks of a task definition whose execution role IAM has not yet propagated: the service's
    events say "failed to launch a task" and the deployment counts them as failed, then later launches succeed and the
    deployment completes (emulator/extensions/ecs_service_deployments.py). Below the circuit breaker's threshold
    (3 for 2 tasks) AWS completes the rollout, so must the module."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ecs.models import EC2ContainerServiceBackend
    from moto.iam.models import iam_backends

    from emulator.extensions import iam_role_propagation

    iam_role_propagation.install()
    realistic(time_scale=0.05)  # IAM propagates in 0.5 s
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
    role = aws("iam").create_role(RoleName="unit-execution", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    ecs.register_task_definition(
        family="unit-role",
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="256",
        memory="512",
        executionRoleArn=role,
        containerDefinitions=[{"name": "nginx", "image": "nginx:1.27", "portMappings": [{"containerPort": 8080}]}],
    )
    create_service = EC2ContainerServiceBackend.create_service
    grant = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "logs:*", "Resource": "*"}]}

    def granted_just_before(self, *create_args, **create_kwargs):
        """The role gets its last grant as the service is created, however long the module took to get there."""
        iam_backends[DEFAULT_ACCOUNT_ID]["aws"].put_role_policy("unit-execution", "logs", json.dumps(grant))
        return create_service(self, *create_args, **create_kwargs)

    monkeypatch.setattr(EC2ContainerServiceBackend, "create_service", granted_just_before)
    result = run(dict(args, task_definition="unit-role", wait_timeout=30))
    assert_ok(result, changed=True)
    assert result["rollout_complete"] is True
    assert any("failed to launch a task" in event["message"] for event in result["service"]["events"])
    assert result["service"]["deployments"][0]["failed_tasks"] == 2


# --- bad input -----------------------------------------------------------------------------------------------------

TARGET_GROUP = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/unit-web/0123456789abcdef"

BAD_INPUTS = [
    (
        {"network": {"assign_public_ip": True}},
        "network.subnets is required with network (the tasks' subnets, which assign_public_ip needs)",
    ),
    (
        {"load_balancers": [{"target_group_arn": TARGET_GROUP, "container_name": "nginx", "container_port": 70000}]},
        "load_balancers[0].container_port must be an integer from 1 to 65535, not 70000",
    ),
    (
        {"load_balancers": [{"target_group_arn": TARGET_GROUP, "container_name": "nginx", "container_port": 0}]},
        "container_port must be an integer from 1 to 65535",
    ),
    (
        {
            "load_balancers": [
                {"target_group_arn": "arn:aws:s3:::bucket", "container_name": "nginx", "container_port": 80}
            ]
        },
        "is not a target group ARN",
    ),
    ({"name": "unit web"}, "name must be 1 to 255 letters"),
    ({"cluster": "unit/cluster"}, "cluster must be a cluster name"),
    ({"task_definition": "unit-web:0"}, "task_definition must be family:revision"),
    ({"desired_count": -1}, "desired_count must be an integer from 0"),
    ({"minimum_healthy_percent": 101}, "minimum_healthy_percent must be an integer from 0 to 100"),
    ({"maximum_percent": 99}, "maximum_percent must be an integer from 100"),
    ({"maximum_percent": 100}, "maximum_percent (100) must be above minimum_healthy_percent (100)"),
    ({"capacity_provider_strategy": []}, "capacity_provider_strategy must not be empty"),
    (
        {
            "capacity_provider_strategy": [
                {"capacity_provider": "FARGATE", "base": 1},
                {"capacity_provider": "FARGATE_SPOT", "base": 2},
            ]
        },
        "only one capacity provider may have a base above 0",
    ),
    (
        {"capacity_provider_strategy": [{"capacity_provider": "FARGATE", "weight": 1001}]},
        "weight must be an integer from 0 to 1000",
    ),
    (
        {"launch_type": "FARGATE", "capacity_provider_strategy": [{"capacity_provider": "FARGATE"}]},
        "mutually exclusive",
    ),
    ({"network": {"subnets": ["sn-1"]}}, "network.subnets: 'sn-1' is not a subnet ID"),
    ({"network": {"subnets": ["subnet-0123"], "security_groups": ["default"]}}, "'default' is not a security group ID"),
    ({"health_check_grace_period_seconds": -1}, "health_check_grace_period_seconds must be an integer from 0"),
    ({"platform_version": "latest"}, "platform_version must be LATEST or a version"),
    ({"tags": {"aws:owner": "me"}}, "reserved by AWS"),
    ({"wait_timeout": -1}, "wait_timeout must be a number of seconds"),
    ({"network": None}, "network.subnets is required to create service unit-web"),
    (
        {"load_balancers": [{"target_group_arn": TARGET_GROUP, "container_name": "app", "container_port": 8080}]},
        "load_balancers[0].container_name 'app' is not a container of task definition unit-web:1 (it has nginx)",
    ),
    (
        {"load_balancers": [{"target_group_arn": TARGET_GROUP, "container_name": "nginx", "container_port": 80}]},
        "load_balancers[0].container_port 80 is not a port mapping of container nginx in task definition unit-web:1 (it maps 8080)",
    ),
    ({"task_definition": "unit-ec2:1"}, "task definition unit-ec2:1 is not compatible with Fargate"),
]


@pytest.fixture
def ec2_only_task_definition(ecs):
    register(ecs, "nginx:1.27", family="unit-ec2", compatibilities=("EC2",))


@pytest.mark.parametrize(("overrides", "message"), BAD_INPUTS)
@pytest.mark.parametrize("check_mode", [True, False])
def test_bad_input_fails_before_anything_is_created(
    run, args, ecs, ec2_only_task_definition, overrides, message, check_mode
):
    result = run({**args, **overrides}, check_mode=check_mode)
    assert result["failed"]
    assert message in result["msg"]
    assert service_arns(ecs) == []
    assert describe(ecs) is None


def test_every_error_is_reported_at_once(run, args, ecs):
    result = run(dict(args, desired_count=-1, platform_version="x", network={"subnets": ["nope"]}))
    assert result["failed"]
    for message in ("desired_count must be", "platform_version must be", "'nope' is not a subnet ID"):
        assert message in result["msg"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"task_definition": "unit-missing:1"}, "task definition unit-missing:1 does not exist"),
        ({"cluster": "no-such-cluster"}, "ECS cluster no-such-cluster does not exist"),
    ],
)
def test_missing_dependencies_fail_before_anything_is_created(run, args, ecs, overrides, message):
    result = run({**args, **overrides})
    assert result["failed"]
    assert message in result["msg"]
    assert service_arns(ecs) == []


def test_check_mode_predicts_with_dependencies_an_earlier_task_would_create(run, args, ecs):
    for overrides in ({"task_definition": "unit-missing:1"}, {"cluster": "no-such-cluster"}):
        result = run({**args, **overrides}, check_mode=True)
        assert_ok(result, changed=True)
    assert service_arns(ecs) == []


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"maximum_percent": 100}, "maximum_percent (100) must be above"),
        (
            {"load_balancers": [{"target_group_arn": TARGET_GROUP, "container_name": "nginx", "container_port": 80}]},
            "is not a port mapping",
        ),
    ],
)
def test_bad_input_on_an_existing_service_changes_nothing(run, args, ecs, created, overrides, message):
    result = run({**args, "desired_count": 5, "task_definition": "unit-web:2", **overrides})
    assert result["failed"]
    assert message in result["msg"]
    described = describe(ecs)
    assert described["desiredCount"] == 2 and described["taskDefinition"].endswith(":1")
    assert primary(described)["id"] == primary(created)["id"]
