"""Realistic mode: tasks whose nginx configuration tree on EFS is empty fail their health checks, and the deployment
circuit breaker fails the rollout (emulator/extensions/_nginx_config.py through ecs_service_deployments.py).

The rollouts on the session's emulator show the failure and plain mode's indifference; publishing a file is shown in
this process (moto with the deployments patch), where the test writes to the content store as DataSync does."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from botocore.exceptions import ClientError

from emulator import efs_content, realism
from emulator.extensions import _nginx_config, _patching, ecs_service_deployments
from emulator.extensions._nginx_config import CONTAINER_REASON, ELB_REASON, Unhealthy
from tests.unit.helpers import wait_until

ACCOUNT = "123456789012"
REGION = "us-east-1"
# The fargate role's nginx check: AWS stops the task 10 + 15 x 3 = 55 s after it starts.
HEALTH_CHECK = {
    "command": ["CMD-SHELL", "wget -q -O /dev/null http://127.0.0.1:8080/healthz || exit 1"],
    "interval": 15,
    "timeout": 5,
    "retries": 3,
    "startPeriod": 10,
}
CONFIG = b"server { listen 8080; location = /healthz { return 200; } }\n"


def nginx_container(mount: bool = True, **more: Any) -> dict[str, Any]:
    container: dict[str, Any] = {
        "name": "nginx",
        "image": "nginx:1.27",
        "portMappings": [{"containerPort": 8080}],
        "healthCheck": HEALTH_CHECK,
        **more,
    }
    if mount:
        container["mountPoints"] = [{"sourceVolume": "config", "containerPath": "/etc/nginx/conf.d", "readOnly": True}]
    return container


def config_volume(file_system_id: str, access_point_id: str) -> dict[str, Any]:
    return {
        "name": "config",
        "efsVolumeConfiguration": {
            "fileSystemId": file_system_id,
            "transitEncryption": "ENABLED",
            "authorizationConfig": {"accessPointId": access_point_id, "iam": "ENABLED"},
        },
    }


def new_config_tree(efs: Any) -> tuple[str, str]:
    """A file system with an access point on /nginx: (file system id, access point id)."""
    file_system_id = efs.create_file_system(CreationToken=uuid.uuid4().hex)["FileSystemId"]
    wait_until(  # realistic mode: creating first
        lambda: efs.describe_file_systems(FileSystemId=file_system_id)["FileSystems"][0]["LifeCycleState"]
        == "available",
        "the file system is available",
    )
    access_point_id = efs.create_access_point(
        ClientToken=uuid.uuid4().hex,
        FileSystemId=file_system_id,
        RootDirectory={"Path": "/nginx", "CreationInfo": {"OwnerUid": 0, "OwnerGid": 0, "Permissions": "755"}},
    )["AccessPointId"]
    return file_system_id, access_point_id


class Service:
    """A cluster and one Fargate service of it, with task definition revisions registered in order."""

    def __init__(self, ecs: Any, subnet: str) -> None:
        self.ecs = ecs
        self.subnet = subnet
        self.cluster = f"cfg-{uuid.uuid4().hex[:8]}"
        ecs.create_cluster(clusterName=self.cluster)

    def register(self, container: dict[str, Any], volumes: list[dict[str, Any]] | None = None) -> str:
        return self.ecs.register_task_definition(
            family=self.cluster,
            networkMode="awsvpc",
            requiresCompatibilities=["FARGATE"],
            cpu="256",
            memory="512",
            containerDefinitions=[container],
            volumes=volumes or [],
        )["taskDefinition"]["taskDefinitionArn"]

    def create(self, task_definition: str, desired: int = 2, name: str = "web") -> dict[str, Any]:
        return self.ecs.create_service(
            cluster=self.cluster,
            serviceName=name,
            taskDefinition=task_definition,
            desiredCount=desired,
            launchType="FARGATE",
            networkConfiguration={"awsvpcConfiguration": {"subnets": [self.subnet], "securityGroups": []}},
            deploymentConfiguration={"deploymentCircuitBreaker": {"enable": True, "rollback": True}},
        )["service"]

    def describe(self, name: str = "web") -> dict[str, Any]:
        return self.ecs.describe_services(cluster=self.cluster, services=[name])["services"][0]

    def until(self, predicate: Callable[[dict[str, Any]], bool], name: str = "web", timeout: float = 15) -> dict:
        seen: list[dict[str, Any]] = []

        def reached() -> dict[str, Any] | None:
            seen.append(self.describe(name))
            return seen[-1] if predicate(seen[-1]) else None

        return wait_until(reached, lambda: f"the service gets there; last seen: {seen[-1]}", timeout, 0.1)

    def stopped_tasks(self, name: str = "web") -> list[dict[str, Any]]:
        arns = self.ecs.list_tasks(cluster=self.cluster, serviceName=name, desiredStatus="STOPPED")["taskArns"]
        return self.ecs.describe_tasks(cluster=self.cluster, tasks=arns)["tasks"] if arns else []


def primary_state(service: dict[str, Any]) -> str:
    return service["deployments"][0]["rolloutState"]


# --------------------------------------------------------------------------- through the session's emulator


@pytest.fixture(scope="module")
def session_subnet(aws_client: Callable[[str], Any]) -> str:
    try:  # made beforehand, so realistic mode's first CreateCluster is not refused for it
        aws_client("iam").create_service_linked_role(AWSServiceName="ecs.amazonaws.com")
    except ClientError as error:
        if error.response["Error"]["Code"] not in ("InvalidInput", "EntityAlreadyExists"):
            raise
    ec2 = aws_client("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.71.0.0/16")["Vpc"]["VpcId"]
    return ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.71.1.0/24")["Subnet"]["SubnetId"]


def test_realistic_an_empty_config_tree_fails_the_rollout_and_rolls_back(
    aws_client: Callable[[str], Any], session_subnet: str, realistic: Callable[..., Any]
) -> None:
    realistic(time_scale=0.003)  # a rollout period of 0.45 s
    file_system_id, access_point_id = new_config_tree(aws_client("efs"))
    service = Service(aws_client("ecs"), session_subnet)
    good = service.register(nginx_container(mount=False))
    empty = service.register(nginx_container(), [config_volume(file_system_id, access_point_id)])

    service.create(good)
    first = service.until(lambda s: primary_state(s) == "COMPLETED")["deployments"][0]
    bad = service.ecs.update_service(cluster=service.cluster, service="web", taskDefinition=empty)["service"][
        "deployments"
    ][0]

    def failed(described: dict[str, Any]) -> bool:
        return any(d["id"] == bad["id"] and d["rolloutState"] == "FAILED" for d in described["deployments"])

    after = service.until(failed)
    deployments = {d["id"]: d for d in after["deployments"]}
    assert deployments[bad["id"]]["failedTasks"] >= 3, "the circuit breaker's threshold"
    assert deployments[bad["id"]]["rolloutStateReason"] == "ECS deployment circuit breaker: tasks failed to start."
    assert after["deployments"][0]["rolloutStateReason"] == (
        f"ECS deployment circuit breaker: rolling back to deploymentId {first['id']}."
    )
    rolled_back = service.until(lambda s: len(s["deployments"]) == 1 and primary_state(s) == "COMPLETED")
    assert rolled_back["taskDefinition"] == good

    tasks = service.stopped_tasks()
    assert tasks, "the failed tasks are listed"
    for task in tasks:
        assert (task["stoppedReason"], task["stopCode"]) == (CONTAINER_REASON, "ServiceSchedulerInitiated")
        assert task["healthStatus"] == "UNHEALTHY" and "startedAt" in task, "it ran before its checks failed"
        assert task["taskDefinitionArn"] == empty and task["startedBy"] == bad["id"]
    messages = [event["message"] for event in service.describe()["events"]]
    assert f"(service web) (task {tasks[0]['taskArn'].split('/')[-1]}) failed container health checks." in messages
    assert not any("unable to consistently start tasks" in message for message in messages), "they did start"


def test_plain_mode_never_looks_at_the_config_tree(aws_client: Callable[[str], Any], session_subnet: str) -> None:
    file_system_id, access_point_id = new_config_tree(aws_client("efs"))
    service = Service(aws_client("ecs"), session_subnet)
    empty = service.register(nginx_container(), [config_volume(file_system_id, access_point_id)])
    service.create(empty, desired=1)
    settled = service.until(lambda s: primary_state(s) != "IN_PROGRESS")
    assert primary_state(settled) == "COMPLETED" and settled["deployments"][0]["failedTasks"] == 0


# --------------------------------------------------------------------------- in this process: publishing


@pytest.fixture
def deployments_here(monkeypatch: pytest.MonkeyPatch, aws: Callable[..., Any]) -> Iterator[Callable[..., Any]]:
    """moto in this process with only the deployments patch (undone afterwards), in realistic mode at 1/100. Without
    ecs_service_configuration, moto drops the circuit breaker: a failing deployment keeps launching."""
    for patch in ecs_service_deployments.PATCHES:
        method = getattr(patch.owner, patch.name)
        while hasattr(method, "__wrapped__"):
            method = method.__wrapped__
        monkeypatch.setattr(patch.owner, patch.name, method)
    ecs_service_deployments.install()
    assert _patching.installed(ecs_service_deployments.__name__, ecs_service_deployments.PATCHES)
    realism.configure({"realistic": True, "time_scale": 0.01, "throttle_rate": 0.0, "behaviour_seconds": {}})
    try:
        yield aws
    finally:
        realism.reset()


def test_publishing_a_file_lets_the_next_launch_succeed(deployments_here: Callable[..., Any]) -> None:
    ec2 = deployments_here("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.72.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.72.1.0/24")["Subnet"]["SubnetId"]
    file_system_id, access_point_id = new_config_tree(deployments_here("efs"))
    service = Service(deployments_here("ecs"), subnet)
    definition = service.register(nginx_container(), [config_volume(file_system_id, access_point_id)])

    service.create(definition, desired=1)
    failing = service.until(lambda s: s["deployments"][0]["failedTasks"] >= 1)["deployments"][0]
    assert failing["rolloutState"] == "IN_PROGRESS"
    assert {task["stoppedReason"] for task in service.stopped_tasks()} == {CONTAINER_REASON}

    tree = efs_content.content(ACCOUNT, REGION, file_system_id)
    tree.write("/nginx/default.conf", CONFIG, 0o644, 0, 0)  # where DataSync writes through the access point
    completed = service.until(lambda s: primary_state(s) != "IN_PROGRESS")["deployments"][0]
    assert (completed["id"], completed["rolloutState"]) == (failing["id"], "COMPLETED")

    service.create(definition, desired=2, name="fresh")
    fresh = service.until(lambda s: primary_state(s) != "IN_PROGRESS", name="fresh")["deployments"][0]
    assert (fresh["rolloutState"], fresh["failedTasks"]) == ("COMPLETED", 0)


def test_a_failing_launch_takes_at_least_the_health_check_time(deployments_here: Callable[..., Any]) -> None:
    ec2 = deployments_here("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.73.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.73.1.0/24")["Subnet"]["SubnetId"]
    file_system_id, access_point_id = new_config_tree(deployments_here("efs"))
    service = Service(deployments_here("ecs"), subnet)
    slow = dict(HEALTH_CHECK, interval=300, retries=10, startPeriod=300)  # 3300 s on AWS, longer than a rollout
    definition = service.register(nginx_container(healthCheck=slow), [config_volume(file_system_id, access_point_id)])
    service.create(definition, desired=1)
    time.sleep(realism.TYPICAL["ecs.rollout"].seconds * 0.01 * 1.5)  # a rollout's period and a half: 2.25 s
    deployment = service.describe()["deployments"][0]
    assert (deployment["rolloutState"], deployment["failedTasks"]) == ("IN_PROGRESS", 0), "33 s to the first failure"


# --------------------------------------------------------------------------- which mounts, which tree, which check


def definition_of(container: dict[str, Any], volume: dict[str, Any] | None) -> Any:
    return SimpleNamespace(container_definitions=[container], volumes=[volume] if volume else [])


EFS_VOLUME = {"name": "config", "efsVolumeConfiguration": {"fileSystemId": "fs-12345678", "rootDirectory": "/"}}
HOST_VOLUME = {"name": "config"}


@pytest.mark.parametrize(
    ("image", "container_path", "volume", "counts"),
    [
        ("nginx:1.27", "/etc/nginx/conf.d", EFS_VOLUME, True),
        ("nginx:1.27", "/etc/nginx/conf.d/", EFS_VOLUME, True),
        ("123456789012.dkr.ecr.us-east-1.amazonaws.com/web/app:1", "/etc/nginx/conf.d", EFS_VOLUME, True),
        ("public.ecr.aws/nginx/nginx:1.27", "/etc/nginx", EFS_VOLUME, True),
        ("nginxinc/nginx-unprivileged:1.27", "/etc/nginx/templates", EFS_VOLUME, True),
        ("app:1", "/etc/nginx", EFS_VOLUME, False),
        ("nginx:1.27", "/etc/nginxfoo", EFS_VOLUME, False),
        ("nginx:1.27", "/usr/share/nginx/html", EFS_VOLUME, False),
        ("nginx:1.27", "/etc/nginx/conf.d", HOST_VOLUME, False),
    ],
)
def test_config_mounts(image: str, container_path: str, volume: dict[str, Any], counts: bool) -> None:
    container = {
        "name": "web",
        "image": image,
        "mountPoints": [{"sourceVolume": "config", "containerPath": container_path}],
    }
    found = list(_nginx_config.config_mounts(definition_of(container, volume)))
    assert found == ([(container, volume["efsVolumeConfiguration"])] if counts else [])


@pytest.fixture
def tree(aws: Callable[..., Any]) -> dict[str, Any]:
    """A file system in this process's moto, an access point on /nginx, and the file system's content store."""
    file_system_id, access_point_id = new_config_tree(aws("efs"))
    return {
        "fs": file_system_id,
        "ap": access_point_id,
        "content": efs_content.content(ACCOUNT, REGION, file_system_id),
    }


@pytest.mark.parametrize(
    ("files", "directories", "root_directory", "through_access_point", "empty"),
    [
        ([], [], "/", True, True),
        (["/nginx/default.conf"], [], "/", True, False),
        (["/nginx/sub/deep.conf"], [], "/", True, False),
        ([], ["/nginx/sub"], "/", True, True),  # directories are not configuration
        (["/other/default.conf", "/nginx.conf"], [], "/", True, True),  # outside the access point's root
        (["/conf/default.conf"], [], "/conf", False, False),
        (["/nginx/default.conf"], [], "/conf", False, True),
    ],
)
def test_is_empty(
    tree: dict[str, Any],
    files: list[str],
    directories: list[str],
    root_directory: str,
    through_access_point: bool,
    empty: bool,
) -> None:
    for path in files:
        tree["content"].write(path, CONFIG, 0o644, 0, 0)
    for path in directories:
        tree["content"].make_directories(path)
    efs: dict[str, Any] = {"fileSystemId": tree["fs"], "rootDirectory": root_directory}
    if through_access_point:
        efs["authorizationConfig"] = {"accessPointId": tree["ap"]}
    assert _nginx_config.is_empty(ACCOUNT, REGION, efs) is empty


def test_unknown_file_systems_and_access_points_are_not_this_failure(tree: dict[str, Any]) -> None:
    assert not _nginx_config.is_empty(ACCOUNT, REGION, {"fileSystemId": "fs-00000000"})
    unknown_access_point = {"fileSystemId": tree["fs"], "authorizationConfig": {"accessPointId": "fsap-00000000"}}
    assert not _nginx_config.is_empty(ACCOUNT, REGION, unknown_access_point)


TARGET_GROUP = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/web/0123456789abcdef"


@pytest.mark.parametrize(
    ("health_check", "balanced_container", "grace", "expected"),
    [
        (HEALTH_CHECK, None, None, Unhealthy(CONTAINER_REASON, 55)),
        ({"command": ["CMD", "true"]}, None, None, Unhealthy(CONTAINER_REASON, 90)),  # AWS's defaults: 30 s x 3
        (None, "nginx", 60, Unhealthy(ELB_REASON.format(arn=TARGET_GROUP), 120)),  # grace + 30 s x 2
        (HEALTH_CHECK, "nginx", 60, Unhealthy(CONTAINER_REASON, 55)),  # whichever fails first
        ({"command": ["CMD", "true"]}, "nginx", 0, Unhealthy(ELB_REASON.format(arn=TARGET_GROUP), 60)),
        (None, "app", 0, None),  # the target group checks another container
        (None, None, None, None),  # nothing checks nginx: it keeps running
    ],
)
def test_health_failure_takes_the_check_that_fails_first(
    tree: dict[str, Any],
    health_check: dict[str, Any] | None,
    balanced_container: str | None,
    grace: int | None,
    expected: Unhealthy | None,
) -> None:
    container = nginx_container(healthCheck=health_check)
    definition = definition_of(container, config_volume(tree["fs"], tree["ap"]))
    balancers = [{"targetGroupArn": TARGET_GROUP, "containerName": balanced_container, "containerPort": 8080}]
    service = SimpleNamespace(
        name="web",
        load_balancers=balancers if balanced_container else [],
        health_check_grace_period_seconds=grace,
    )
    assert _nginx_config.health_failure(service, definition, ACCOUNT, REGION) == expected
    tree["content"].write("/nginx/default.conf", CONFIG, 0o644, 0, 0)
    assert _nginx_config.health_failure(service, definition, ACCOUNT, REGION) is None


def test_events_name_the_stopped_tasks() -> None:
    service = SimpleNamespace(
        name="web", load_balancers=[{"targetGroupArn": TARGET_GROUP, "containerName": "nginx", "containerPort": 8080}]
    )
    assert _nginx_config.events(service, ["a1", "b2"], 2, CONTAINER_REASON) == [
        "(service web) (task a1) failed container health checks.",
        "(service web) (task b2) failed container health checks.",
        "(service web) has stopped 2 running tasks: (task a1) (task b2).",
    ]
    assert _nginx_config.events(service, ["a1"], 12, ELB_REASON.format(arn=TARGET_GROUP)) == [
        f"(service web) (task a1) (port 8080) is unhealthy in (target-group {TARGET_GROUP}) due to (reason Health"
        " checks failed).",
        "(service web) has stopped 12 running tasks: (task a1).",
    ]
    assert _nginx_config.is_unhealthy(ELB_REASON.format(arn=TARGET_GROUP))
    assert not _nginx_config.is_unhealthy("CannotPullContainerError: pull image manifest has been retried 5 time(s)")
