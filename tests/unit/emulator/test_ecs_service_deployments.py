"""ECS deployments roll out over time, fail on unpullable images and unusable roles, trip the circuit breaker and
roll back (emulator/extensions/ecs_service_deployments.py).

The rollouts are timed, so the plain-mode tests run their own emulator with a short EMULATOR_ECS_DEPLOYMENT_SECONDS;
the realistic-mode ones run on the session's emulator, whose durations follow realism's time scale (a test that looks
at a rollout still under way stretches it there: the own emulator's rollout is too short to look inside on a loaded
machine)."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from emulator import realism
from emulator.extensions import ecs_service_deployments
from emulator.extensions.ecs_service_deployments import ASSUME_ROLE_FAILURE
from emulator.extensions.ecs_service_deployments import DEFAULT_DEPLOYMENT_SECONDS
from emulator.extensions.ecs_service_deployments import DEPLOYMENT_SECONDS_VARIABLE
from emulator.extensions.ecs_service_deployments import ecr_pull_failure
from emulator.extensions.ecs_service_deployments import failure_threshold
from emulator.extensions.ecs_service_deployments import image_registry
from emulator.extensions.ecs_service_deployments import pull_failure
from tests.unit.emulator.conftest import set_realism
from tests.unit.helpers import running_emulator, wait_until

SECONDS = 0.3
# A rollout a test describes while it is under way (on the session's emulator, still in plain mode): seconds, so that
# the describe right after the create lands inside it however busy the machine (SECONDS is too short for that).
UNDER_WAY_SECONDS = 3.0
FAILING_IMAGE = "registry.invalid/team/app:1"
REGISTRY = "123456789012.dkr.ecr.us-east-1.amazonaws.com"
MANIFEST_LIST = json.dumps(
    {"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.list.v2+json", "manifests": []}
)
TASK_TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
)


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    environment = {DEPLOYMENT_SECONDS_VARIABLE: str(SECONDS)}
    with running_emulator(tmp_path_factory.mktemp("ecs-deployments-emulator"), environment) as url:
        yield url


@pytest.fixture(scope="module")
def client(endpoint: str) -> Callable[[str], Any]:
    session = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )
    return lambda name: session.client(name, endpoint_url=endpoint)


@pytest.fixture(scope="module")
def ecs(client: Callable[[str], Any]) -> Any:
    return client("ecs")


@pytest.fixture(scope="module")
def subnet(client: Callable[[str], Any]) -> str:
    ec2 = client("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.63.0.0/16")["Vpc"]["VpcId"]
    return ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.63.1.0/24")["Subnet"]["SubnetId"]


class Stack:
    """A cluster with task definitions 1 and 2 (nginx) and 3 (unpullable image), or one per image of ``images``."""

    def __init__(
        self,
        ecs: Any,
        subnet: str,
        security_groups: list[str] | None = None,
        images: tuple[str, ...] = ("nginx:1.27", "nginx:1.28", FAILING_IMAGE),
        **task_definition: Any,
    ) -> None:
        self.ecs = ecs
        self.subnet = subnet
        self.awsvpc: dict[str, Any] = {"subnets": [subnet]}
        if security_groups is not None:
            self.awsvpc["securityGroups"] = security_groups
        self.cluster = f"dep-{uuid.uuid4().hex[:8]}"
        ecs.create_cluster(clusterName=self.cluster)
        for image in images:
            ecs.register_task_definition(
                family=self.cluster,
                networkMode="awsvpc",
                requiresCompatibilities=["FARGATE"],
                cpu="256",
                memory="512",
                containerDefinitions=[{"name": "web", "image": image}],
                **task_definition,
            )

    def td(self, revision: int) -> str:
        return f"arn:aws:ecs:us-east-1:123456789012:task-definition/{self.cluster}:{revision}"

    def create(
        self, revision: int = 1, desired: int = 2, breaker: dict[str, bool] | None = None, name: str = "web"
    ) -> dict[str, Any]:
        request: dict[str, Any] = {
            "cluster": self.cluster,
            "serviceName": name,
            "taskDefinition": self.td(revision),
            "desiredCount": desired,
            "launchType": "FARGATE",
            "networkConfiguration": {"awsvpcConfiguration": dict(self.awsvpc)},
        }
        if breaker is not None:
            request["deploymentConfiguration"] = {"deploymentCircuitBreaker": breaker}
        return self.ecs.create_service(**request)["service"]

    def describe(self, name: str = "web") -> dict[str, Any]:
        return self.ecs.describe_services(cluster=self.cluster, services=[name])["services"][0]

    def settled(self, name: str = "web", timeout: float = 10.0) -> dict[str, Any]:
        """The service once its primary deployment is no longer IN_PROGRESS and has no other deployment."""

        def is_settled(service: dict[str, Any]) -> bool:
            primary = service["deployments"][0]
            return primary["rolloutState"] != "IN_PROGRESS" and (
                len(service["deployments"]) == 1 or primary["rolloutState"] == "FAILED"
            )

        return self.until(is_settled, name, timeout)

    def until(
        self, predicate: Callable[[dict[str, Any]], bool], name: str = "web", timeout: float = 10.0
    ) -> dict[str, Any]:
        seen: list[dict[str, Any]] = []

        def reached() -> dict[str, Any] | None:
            seen.append(self.describe(name))
            return seen[-1] if predicate(seen[-1]) else None

        return wait_until(reached, lambda: f"the service gets there; last seen: {seen[-1]}", timeout, SECONDS / 3)

    def messages(self, name: str = "web") -> list[str]:
        return [event["message"] for event in self.describe(name)["events"]]


@pytest.fixture
def stack(ecs: Any, subnet: str) -> Stack:
    return Stack(ecs, subnet)


# --------------------------------------------------------------------------- through the emulator


@pytest.fixture
def slow_rollout(emulator_endpoint: str) -> Iterator[None]:
    """The session's emulator, in plain mode, with rollouts of UNDER_WAY_SECONDS (put back afterwards)."""
    set_realism(emulator_endpoint, realistic=False, behaviour_seconds={"ecs.rollout": UNDER_WAY_SECONDS})
    try:
        yield
    finally:
        set_realism(emulator_endpoint, behaviour_seconds={})


def test_a_new_service_rolls_out(aws_client: Callable[[str], Any], session_subnet: str, slow_rollout: None) -> None:
    stack = Stack(aws_client("ecs"), session_subnet)
    started = time.monotonic()
    created = stack.create(desired=2)
    deployment = created["deployments"][0]
    assert stack.describe()["deployments"][0]["rolloutState"] == "IN_PROGRESS", "not before the rollout time"
    assert deployment["rolloutState"] == "IN_PROGRESS"
    assert (created["runningCount"], created["pendingCount"]) == (0, 2)
    assert (deployment["runningCount"], deployment["pendingCount"]) == (0, 2)

    service = stack.settled(timeout=UNDER_WAY_SECONDS + 10)
    assert time.monotonic() - started >= UNDER_WAY_SECONDS, "completed at the rollout time"
    assert service["deployments"][0]["id"] == deployment["id"]
    assert service["deployments"][0]["rolloutState"] == "COMPLETED"
    assert service["deployments"][0]["rolloutStateReason"] == f"ECS deployment {deployment['id']} completed."
    assert (service["runningCount"], service["pendingCount"]) == (2, 0)
    assert stack.messages()[:3] == [
        "(service web) has reached a steady state.",
        f"(service web) (deployment {deployment['id']}) deployment completed.",
        "(service web) has started 2 tasks.",
    ]
    cluster = stack.ecs.describe_clusters(clusters=[stack.cluster])["clusters"][0]
    assert (cluster["runningTasksCount"], cluster["pendingTasksCount"]) == (2, 0)


def test_a_new_task_definition_is_a_new_deployment(stack: Stack) -> None:
    first = stack.create()["deployments"][0]["id"]
    stack.settled()
    updated = stack.ecs.update_service(cluster=stack.cluster, service="web", taskDefinition=f"{stack.cluster}:2")[
        "service"
    ]
    assert [(d["status"], d["rolloutState"]) for d in updated["deployments"]] == [
        ("PRIMARY", "IN_PROGRESS"),
        ("ACTIVE", "COMPLETED"),
    ]
    assert updated["deployments"][1]["id"] == first
    assert updated["deployments"][0]["taskDefinition"] == stack.td(2)
    assert updated["runningCount"] == 2, "the old tasks run until the new ones do"

    service = stack.settled()
    assert [d["taskDefinition"] for d in service["deployments"]] == [stack.td(2)]
    assert "(service web) has stopped 2 running tasks." in stack.messages()


@pytest.mark.parametrize(
    ("change", "new_deployment"),
    [
        ({"forceNewDeployment": True}, True),
        ({"platformVersion": "1.4.0"}, True),
        ({"healthCheckGracePeriodSeconds": 30}, False),
        ({"enableExecuteCommand": True}, False),
        ({"deploymentConfiguration": {"minimumHealthyPercent": 50}}, False),
    ],
)
def test_which_updates_start_a_deployment(stack: Stack, change: dict[str, Any], new_deployment: bool) -> None:
    first = stack.create()["deployments"][0]["id"]
    stack.settled()
    updated = stack.ecs.update_service(cluster=stack.cluster, service="web", **change)["service"]
    assert (updated["deployments"][0]["id"] != first) is new_deployment
    assert len(updated["deployments"]) == (2 if new_deployment else 1)


def test_network_change_starts_a_deployment(stack: Stack) -> None:
    first = stack.create()["deployments"][0]["id"]
    awsvpc = {"subnets": [stack.subnet], "assignPublicIp": "ENABLED"}
    updated = stack.ecs.update_service(
        cluster=stack.cluster, service="web", networkConfiguration={"awsvpcConfiguration": awsvpc}
    )["service"]
    assert updated["deployments"][0]["id"] != first
    assert updated["deployments"][0]["networkConfiguration"]["awsvpcConfiguration"]["assignPublicIp"] == "ENABLED"


def test_desired_count_scales_the_primary_deployment(stack: Stack) -> None:
    first = stack.create(desired=1)["deployments"][0]["id"]
    stack.settled()
    updated = stack.ecs.update_service(cluster=stack.cluster, service="web", desiredCount=3)["service"]
    assert [d["id"] for d in updated["deployments"]] == [first]
    assert (updated["desiredCount"], updated["runningCount"], updated["pendingCount"]) == (3, 1, 2)
    time.sleep(SECONDS * 1.5)
    service = stack.describe()
    assert (service["runningCount"], service["pendingCount"]) == (3, 0)
    assert service["deployments"][0]["rolloutState"] == "COMPLETED"


def test_circuit_breaker_fails_the_deployment_and_rolls_back(stack: Stack) -> None:
    stack.create(desired=2, breaker={"enable": True, "rollback": True})
    good = stack.settled()["deployments"][0]
    bad = stack.ecs.update_service(cluster=stack.cluster, service="web", taskDefinition=f"{stack.cluster}:3")[
        "service"
    ]["deployments"][0]

    def failed(service: dict[str, Any]) -> bool:
        return any(d["id"] == bad["id"] and d["rolloutState"] == "FAILED" for d in service["deployments"])

    service = stack.until(failed, timeout=15)
    deployments = {d["id"]: d for d in service["deployments"]}
    assert deployments[bad["id"]]["status"] == "ACTIVE"
    assert service["deployments"][0]["status"] == "PRIMARY" and service["deployments"][0]["taskDefinition"] == stack.td(
        1
    )
    assert (
        service["deployments"][0]["rolloutStateReason"]
        == f"ECS deployment circuit breaker: rolling back to deploymentId {good['id']}."
    )
    assert deployments[bad["id"]]["rolloutStateReason"] == "ECS deployment circuit breaker: tasks failed to start."
    assert deployments[bad["id"]]["failedTasks"] >= failure_threshold(2) == 3

    rolled_back = stack.settled(timeout=15)
    assert rolled_back["deployments"][0]["taskDefinition"] == stack.td(1)
    assert rolled_back["taskDefinition"] == stack.td(1)
    assert rolled_back["deployments"][0]["rolloutState"] == "COMPLETED"
    assert rolled_back["runningCount"] == 2
    messages = stack.messages()
    assert f"(service web) (deployment {bad['id']}) deployment failed: tasks failed to start." in messages
    assert f"(service web) rolling back to deployment {good['id']}." in messages

    arns = stack.ecs.list_tasks(cluster=stack.cluster, serviceName="web", desiredStatus="STOPPED")["taskArns"]
    tasks = stack.ecs.describe_tasks(cluster=stack.cluster, tasks=arns)["tasks"]
    assert 3 <= len(tasks) <= ecs_service_deployments.STOPPED_TASKS_KEPT_PER_DEPLOYMENT
    for task in tasks:
        assert task["lastStatus"] == task["desiredStatus"] == "STOPPED"
        assert task["stopCode"] == "TaskFailedToStart"
        assert task["stoppedReason"].startswith("CannotPullContainerError:") and FAILING_IMAGE in task["stoppedReason"]
        assert task["startedBy"] == bad["id"] and task["group"] == "service:web"
        assert task["taskDefinitionArn"] == stack.td(3)
        assert task["attachments"][0]["status"] == "DELETED"


def test_a_failed_first_deployment_has_nothing_to_roll_back_to(stack: Stack) -> None:
    created = stack.create(revision=3, desired=1, breaker={"enable": True, "rollback": True})
    service = stack.settled(timeout=15)
    assert [d["id"] for d in service["deployments"]] == [created["deployments"][0]["id"]]
    assert service["deployments"][0]["status"] == "PRIMARY"
    assert service["deployments"][0]["rolloutState"] == "FAILED"
    assert service["runningCount"] == 0


def test_without_the_breaker_failing_tasks_are_retried(stack: Stack) -> None:
    stack.create(revision=3, desired=1, breaker={"enable": False, "rollback": False})
    time.sleep(SECONDS * 4.5)
    service = stack.describe()
    assert service["deployments"][0]["rolloutState"] == "IN_PROGRESS"
    assert service["deployments"][0]["failedTasks"] >= 3
    assert any("is unable to consistently start tasks successfully" in m for m in stack.messages())


def test_other_services_are_not_affected(stack: Stack) -> None:
    stack.create(revision=3, desired=1, name="broken")
    stack.create(revision=1, desired=1, name="fine")
    assert stack.settled("fine")["deployments"][0]["rolloutState"] == "COMPLETED"
    assert stack.describe("broken")["deployments"][0]["rolloutState"] == "IN_PROGRESS"


def test_plain_mode_assumes_every_image_outside_invalid_registries_pullable(ecs: Any, subnet: str) -> None:
    """The gap the integration tests rely on: deploy.yml rolls out tags nobody pushed to the emulator's ECR."""
    stack = Stack(ecs, subnet, images=(f"{REGISTRY}/nobody-pushed/app:9.9.9",))
    stack.create(revision=1, desired=1, breaker={"enable": True, "rollback": True})
    assert stack.settled()["deployments"][0]["rolloutState"] == "COMPLETED"


def test_plain_mode_launches_tasks_with_a_role_made_a_moment_ago(ecs: Any, subnet: str, client: Any) -> None:
    role = client("iam").create_role(RoleName=f"exec-{uuid.uuid4().hex[:8]}", AssumeRolePolicyDocument=TASK_TRUST)
    stack = Stack(ecs, subnet, images=("nginx:1.27",), executionRoleArn=role["Role"]["Arn"])
    created = stack.create(revision=1, desired=1)
    assert stack.describe()["deployments"][0]["failedTasks"] == 0
    assert [d["id"] for d in stack.settled()["deployments"]] == [created["deployments"][0]["id"]]


# --------------------------------------------------------------------------- realistic mode (the session's emulator)


def ensure_ecs_service_linked_role(iam: Any) -> None:
    """ECS's service-linked role made beforehand, so realistic mode's first CreateCluster is not refused for it."""
    try:
        iam.create_service_linked_role(AWSServiceName="ecs.amazonaws.com")
    except ClientError as error:
        if error.response["Error"]["Code"] not in ("InvalidInput", "EntityAlreadyExists"):
            raise


@pytest.fixture(scope="module")
def session_subnet(aws_client: Callable[[str], Any]) -> str:
    ensure_ecs_service_linked_role(aws_client("iam"))
    ec2 = aws_client("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.67.0.0/16")["Vpc"]["VpcId"]
    return ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.67.1.0/24")["Subnet"]["SubnetId"]


def test_realistic_rollout_takes_aws_time_at_the_scale(
    aws_client: Callable[[str], Any], session_subnet: str, realistic: Callable[..., Any]
) -> None:
    realistic(time_scale=0.03)
    rollout = realism.TYPICAL["ecs.rollout"].seconds * 0.03  # 4.5 s, longer than plain mode's rollout
    assert rollout > DEFAULT_DEPLOYMENT_SECONDS
    stack = Stack(aws_client("ecs"), session_subnet)
    started = time.monotonic()
    stack.create(desired=1)
    assert stack.describe()["deployments"][0]["rolloutState"] == "IN_PROGRESS"

    service = stack.settled(timeout=rollout + 5)
    elapsed = time.monotonic() - started
    assert service["deployments"][0]["rolloutState"] == "COMPLETED"
    assert elapsed >= rollout, "AWS's typical rollout at the scale, not plain mode's"


def test_realistic_a_tag_missing_from_ecr_cannot_be_pulled_and_rolls_back(
    aws_client: Callable[[str], Any], session_subnet: str, realistic: Callable[..., Any]
) -> None:
    realistic(time_scale=0.003)
    ecr = aws_client("ecr")
    repository = f"dep-{uuid.uuid4().hex[:8]}/app"
    ecr.create_repository(repositoryName=repository)
    ecr.put_image(repositoryName=repository, imageManifest=MANIFEST_LIST, imageTag="1.0")
    pushed, missing = f"{REGISTRY}/{repository}:1.0", f"{REGISTRY}/{repository}:2.0"
    stack = Stack(aws_client("ecs"), session_subnet, images=(pushed, missing))

    stack.create(revision=1, desired=2, breaker={"enable": True, "rollback": True})
    good = stack.settled()["deployments"][0]
    assert good["rolloutState"] == "COMPLETED", "the pushed tag is pulled"
    bad = stack.ecs.update_service(cluster=stack.cluster, service="web", taskDefinition=stack.td(2))["service"][
        "deployments"
    ][0]

    def rolled_back(service: dict[str, Any]) -> bool:
        return any(d["id"] == bad["id"] and d["rolloutState"] == "FAILED" for d in service["deployments"])

    stack.until(rolled_back, timeout=10)
    service = stack.settled(timeout=10)
    assert service["taskDefinition"] == stack.td(1) and service["deployments"][0]["rolloutState"] == "COMPLETED"
    arns = stack.ecs.list_tasks(cluster=stack.cluster, serviceName="web", desiredStatus="STOPPED")["taskArns"]
    reasons = {task["stoppedReason"] for task in stack.ecs.describe_tasks(cluster=stack.cluster, tasks=arns)["tasks"]}
    assert reasons == {
        f"CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref {missing}:"
        f" {missing}: not found"
    }


def test_realistic_a_role_made_a_moment_ago_fails_the_first_launch(
    aws_client: Callable[[str], Any], session_subnet: str, realistic: Callable[..., Any]
) -> None:
    # The role stays young for 3 s, and only the CreateService comes between its creation and the launch (the cluster
    # and the task definition, which name the role by its ARN, are made first): a loaded machine's call falls within.
    propagation = 3.0
    realistic(time_scale=0.2, behaviour_seconds={"iam.propagation": propagation})
    iam = aws_client("iam")
    name = f"exec-{uuid.uuid4().hex[:8]}"
    arn = f"arn:aws:iam::123456789012:role/{name}"
    stack = Stack(aws_client("ecs"), session_subnet, images=("nginx:1.27",), executionRoleArn=arn)
    assert iam.create_role(RoleName=name, AssumeRolePolicyDocument=TASK_TRUST)["Role"]["Arn"] == arn
    created = time.monotonic()
    stack.create(revision=1, desired=1, breaker={"enable": True, "rollback": True})
    assert time.monotonic() - created < propagation, "too slow to see the role young; raise its propagation"

    service = stack.describe()
    failed_launch = f"(service web) failed to launch a task with (error {ASSUME_ROLE_FAILURE.format(role=arn)})."
    assert failed_launch.startswith(
        f"(service web) failed to launch a task with (error ECS was unable to assume the role '{arn}' that was"
        " provided for this task. Please verify that the role being passed has the proper trust relationship and"
        " permissions and that your IAM user has permissions to pass this role.)"
    )
    assert service["events"][0]["message"] == failed_launch
    assert (service["deployments"][0]["rolloutState"], service["deployments"][0]["failedTasks"]) == ("IN_PROGRESS", 1)
    assert stack.ecs.list_tasks(cluster=stack.cluster, serviceName="web", desiredStatus="STOPPED")["taskArns"] == []

    time.sleep(max(0.0, created + propagation * 1.2 - time.monotonic()))
    stack.create(revision=1, desired=1, name="later")
    assert stack.describe("later")["deployments"][0]["failedTasks"] == 0, "the role is usable by now"

    iam.put_role_policy(  # a changed role is young again; six failed launches trip the circuit breaker
        RoleName=name,
        PolicyName="logs",
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "logs:*", "Resource": "*"}]}
        ),
    )
    stack.create(revision=1, desired=6, name="big", breaker={"enable": True, "rollback": True})
    big = stack.describe("big")["deployments"][0]
    assert (big["rolloutState"], big["failedTasks"]) == ("FAILED", 6)


# --------------------------------------------------------------------------- helpers


@pytest.mark.parametrize(
    ("image", "registry", "fails"),
    [
        ("nginx", None, False),
        ("library/nginx:1.27", None, False),
        ("123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1", "123456789012.dkr.ecr.us-east-1.amazonaws.com", False),
        ("localhost:5000/app", "localhost:5000", False),
        ("registry.invalid/app:1", "registry.invalid", True),
        ("registry.invalid:5000/app@sha256:" + "a" * 64, "registry.invalid:5000", True),
        ("REGISTRY.INVALID/app", "REGISTRY.INVALID", True),
    ],
)
def test_pull_failure(image: str, registry: str | None, fails: bool) -> None:
    assert image_registry(image) == registry
    reason = pull_failure(image)
    assert (reason is not None) is fails
    if fails:
        assert reason.startswith("CannotPullContainerError: ") and image in reason


@pytest.mark.parametrize(("desired", "threshold"), [(0, 3), (1, 3), (6, 3), (7, 4), (100, 50), (1000, 200)])
def test_failure_threshold(desired: int, threshold: int) -> None:
    assert failure_threshold(desired) == threshold


def test_deployment_seconds_follow_the_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DEPLOYMENT_SECONDS_VARIABLE, raising=False)
    try:
        realism.configure({"realistic": False})
        assert ecs_service_deployments.deployment_seconds() == DEFAULT_DEPLOYMENT_SECONDS
        realism.configure({"realistic": True, "time_scale": 0.5})
        assert ecs_service_deployments.deployment_seconds() == realism.TYPICAL["ecs.rollout"].seconds / 2
        monkeypatch.setenv(DEPLOYMENT_SECONDS_VARIABLE, "0.3")
        assert ecs_service_deployments.deployment_seconds() == 0.3
    finally:
        realism.reset()


@pytest.mark.parametrize(
    ("image", "fails"),
    [
        (f"{REGISTRY}/team/app:1.0", False),
        (f"{REGISTRY}/team/app:2.0", True),
        (f"{REGISTRY}/team/app", True),  # latest, never pushed
        (f"{REGISTRY}/team/app@sha256:" + "0" * 64, True),
        (f"{REGISTRY}/team/other:1.0", True),  # no such repository
        ("210987654321.dkr.ecr.eu-west-1.amazonaws.com/team/app:1.0", True),  # another account's registry
        ("public.ecr.aws/nginx/nginx:1.27", False),
        ("docker.io/library/nginx:1.27", False),
        ("nginx", False),
    ],
)
def test_ecr_pull_failure(monkeypatch: pytest.MonkeyPatch, image: str, fails: bool) -> None:
    from moto import mock_aws

    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        ecr = boto3.client("ecr", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="x")
        ecr.create_repository(repositoryName="team/app")
        digest = ecr.put_image(repositoryName="team/app", imageManifest=MANIFEST_LIST, imageTag="1.0")["image"][
            "imageId"
        ]["imageDigest"]
        reason = ecr_pull_failure(image)
        assert (reason is not None) is fails
        if fails:
            assert reason == (
                "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref"
                f" {image}: {image}: not found"
            )
        assert ecr_pull_failure(f"{REGISTRY}/team/app@{digest}") is None


# --------------------------------------------------------------------------- plain moto


def test_moto_alone_never_rolls_out_and_install_does(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Proves the extension is still needed: if the first assertions fail, moto fixed the gap; drop the extension."""
    from moto import mock_aws
    from moto.ecs.models import EC2ContainerServiceBackend

    for name in ("create_service", "update_service", "describe_services", "list_tasks", "describe_tasks"):
        method = getattr(EC2ContainerServiceBackend, name)
        while hasattr(method, "__wrapped__"):
            method = method.__wrapped__
        monkeypatch.setattr(EC2ContainerServiceBackend, name, method)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    monkeypatch.setenv(DEPLOYMENT_SECONDS_VARIABLE, "0")  # every look moves a rollout on

    with mock_aws():
        session = boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
        )
        ec2, ecs = session.client("ec2"), session.client("ecs")
        vpc_id = ec2.create_vpc(CidrBlock="10.64.0.0/16")["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.64.1.0/24")["Subnet"]["SubnetId"]
        stack = Stack(ecs, subnet, security_groups=[])  # plain moto needs the member
        assert not ecs_service_deployments.is_installed()
        first = stack.create(desired=1)["deployments"][0]["id"]
        for _attempt in range(3):
            assert stack.describe()["deployments"][0]["rolloutState"] == "IN_PROGRESS"
        updated = stack.ecs.update_service(cluster=stack.cluster, service="web", taskDefinition=f"{stack.cluster}:2")[
            "service"
        ]
        assert len(updated["deployments"]) == 1, "moto starts no deployment"

        ecs_service_deployments.install()
        ecs_service_deployments.install()

        assert ecs_service_deployments.is_installed()
        assert not hasattr(EC2ContainerServiceBackend.describe_services.__wrapped__, "__wrapped__"), (
            "install() must not wrap twice"
        )
        stack.create(desired=1, name="web2")
        assert stack.describe("web2")["deployments"][0]["rolloutState"] == "COMPLETED"
        updated = stack.ecs.update_service(cluster=stack.cluster, service="web2", taskDefinition=f"{stack.cluster}:2")[
            "service"
        ]
        assert updated["deployments"][0]["id"] != first and len(updated["deployments"]) == 2
