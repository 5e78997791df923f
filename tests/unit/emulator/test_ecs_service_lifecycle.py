"""CreateService is idempotent by client token, DeleteService drains, deleted services cannot change
(emulator/extensions/ecs_service_lifecycle.py).

Draining is timed, so the plain-mode tests run their own emulator with a short EMULATOR_ECS_DRAINING_SECONDS; the
realistic-mode one runs on the session's emulator, whose draining follows realism's time scale."""

from __future__ import annotations

import time
import types
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from emulator import realism
from emulator.extensions import ecs_cluster_contains_services, ecs_service_lifecycle
from emulator.extensions.ecs_service_deployments import DEPLOYMENT_SECONDS_VARIABLE
from emulator.extensions.ecs_service_lifecycle import _DRAIN, _TASKS_STOP
from emulator.extensions.ecs_service_lifecycle import DEFAULT_DRAINING_SECONDS, DRAINING_SECONDS_VARIABLE
from emulator.extensions.ecs_service_lifecycle import STOPPING_STATES, deleted_tasks_status, tasks_stopping
from tests.unit.emulator.conftest import set_realism
from tests.unit.helpers import running_emulator, wait_until

# Long enough for the calls a test makes while a service drains, on a machine busy with the other suites (the tests
# make those calls first, right after the deletion, and poll for the end of the draining).
SECONDS = 3.0


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    environment = {DRAINING_SECONDS_VARIABLE: str(SECONDS), DEPLOYMENT_SECONDS_VARIABLE: "0.1"}
    with running_emulator(tmp_path_factory.mktemp("ecs-lifecycle-emulator"), environment) as url:
        yield url


@pytest.fixture(scope="module")
def ecs(endpoint: str) -> Any:
    session = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )
    return session.client("ecs", endpoint_url=endpoint)


@pytest.fixture(scope="module")
def subnet(endpoint: str) -> str:
    session = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )
    ec2 = session.client("ec2", endpoint_url=endpoint)
    vpc_id = ec2.create_vpc(CidrBlock="10.65.0.0/16")["Vpc"]["VpcId"]
    return ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.65.1.0/24")["Subnet"]["SubnetId"]


def new_cluster(ecs: Any) -> str:
    cluster = f"life-{uuid.uuid4().hex[:8]}"
    ecs.create_cluster(clusterName=cluster)
    ecs.register_task_definition(
        family=cluster,
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="256",
        memory="512",
        containerDefinitions=[{"name": "web", "image": "nginx:1.27"}],
    )
    return cluster


def create(
    ecs: Any, cluster: str, subnet: str, name: str = "web", token: str | None = None, **kwargs: Any
) -> dict[str, Any]:
    request: dict[str, Any] = {
        "cluster": cluster,
        "serviceName": name,
        "taskDefinition": f"{cluster}:1",
        "desiredCount": 1,
        "launchType": "FARGATE",
        "networkConfiguration": {"awsvpcConfiguration": {"subnets": [subnet], "securityGroups": []}},
    }
    if token:
        request["clientToken"] = token
    request.update(kwargs)
    return ecs.create_service(**request)["service"]


def describe(ecs: Any, cluster: str, name: str = "web") -> dict[str, Any]:
    return ecs.describe_services(cluster=cluster, services=[name], include=["TAGS"])["services"][0]


def error_of(call: Callable[[], Any]) -> tuple[str, str]:
    with pytest.raises(ClientError) as raised:
        call()
    return raised.value.response["Error"]["Code"], raised.value.response["Error"]["Message"]


@pytest.fixture
def cluster(ecs: Any) -> str:
    return new_cluster(ecs)


# --------------------------------------------------------------------------- through the emulator


def test_create_with_the_same_token_answers_with_the_existing_service(ecs: Any, cluster: str, subnet: str) -> None:
    first = create(ecs, cluster, subnet, token="token-1", tags=[{"key": "Stack", "value": "x"}])
    again = create(ecs, cluster, subnet, token="token-1", tags=[{"key": "Stack", "value": "x"}])
    assert again["serviceArn"] == first["serviceArn"]
    assert again["deployments"][0]["id"] == first["deployments"][0]["id"], "not created anew"
    assert describe(ecs, cluster)["tags"] == [{"key": "Stack", "value": "x"}]
    assert ecs.list_services(cluster=cluster)["serviceArns"] == [first["serviceArn"]]


@pytest.mark.parametrize("token", [None, "token-2"])
def test_create_of_an_existing_name_without_its_token_is_refused(
    ecs: Any, cluster: str, subnet: str, token: str | None
) -> None:
    first = create(ecs, cluster, subnet, token="token-1")
    code, message = error_of(lambda: create(ecs, cluster, subnet, token=token, desiredCount=3))
    assert (code, message) == ("InvalidParameterException", "Creation of service was not idempotent.")
    service = describe(ecs, cluster)
    assert service["desiredCount"] == 1 and service["deployments"][0]["id"] == first["deployments"][0]["id"]


def test_delete_drains_then_the_service_is_inactive(ecs: Any, cluster: str, subnet: str) -> None:
    create(ecs, cluster, subnet)
    code, _message = error_of(lambda: ecs.delete_service(cluster=cluster, service="web"))
    assert code == "InvalidParameterException", "a service scaled above 0 still needs force"

    deleted = ecs.delete_service(cluster=cluster, service="web", force=True)["service"]
    assert deleted["status"] == "DRAINING" and deleted["desiredCount"] == 0
    # what only a draining service answers, first, while the draining lasts
    assert describe(ecs, cluster)["status"] == "DRAINING"
    assert error_of(lambda: create(ecs, cluster, subnet)) == (
        "InvalidParameterException",
        "Unable to Start a service that is still Draining.",
    )
    assert error_of(lambda: ecs.delete_cluster(cluster=cluster))[0] == "ClusterContainsServicesException"
    assert ecs.list_services(cluster=cluster)["serviceArns"] == []
    assert (
        error_of(lambda: ecs.update_service(cluster=cluster, service="web", desiredCount=1))[0]
        == "ServiceNotActiveException"
    )
    assert (
        error_of(lambda: ecs.delete_service(cluster=cluster, service="web", force=True))[0]
        == "ServiceNotActiveException"
    )

    wait_until(lambda: describe(ecs, cluster)["status"] == "INACTIVE", "the service is INACTIVE", SECONDS + 10, 0.1)
    service = describe(ecs, cluster)
    assert (service["runningCount"], service["pendingCount"], service["desiredCount"]) == (0, 0, 0)
    assert (
        error_of(lambda: ecs.update_service(cluster=cluster, service="web", desiredCount=1))[0]
        == "ServiceNotActiveException"
    )


def refused_until_accepted(call: Callable[[], Any], refusal: tuple[str, str], what: str) -> Any:
    """``call``'s answer once it is no longer refused with ``refusal`` (any other refusal fails the test)."""

    def accepted() -> Any:
        try:
            return call() or True
        except ClientError as error:
            assert (error.response["Error"]["Code"], error.response["Error"]["Message"]) == refusal
            return None

    return wait_until(accepted, what, timeout=SECONDS + 10, interval=0.1)


def test_drained_state_is_seen_without_describing_first(ecs: Any, cluster: str, subnet: str) -> None:
    create(ecs, cluster, subnet, desiredCount=0)
    ecs.delete_service(cluster=cluster, service="web")
    # ecs_cluster_contains_services reads the status of the moment: refused while DRAINING, accepted once it is over
    refused_until_accepted(
        lambda: ecs.delete_cluster(cluster=cluster),
        ("ClusterContainsServicesException", ecs_cluster_contains_services.MESSAGE),
        "the cluster is deleted",
    )
    assert ecs.describe_clusters(clusters=[cluster])["clusters"][0]["status"] == "INACTIVE"


def stopping_tasks_of(ecs: Any, cluster: str) -> list[dict[str, Any]]:
    """The cluster's tasks that ECS is stopping or has stopped, as ListTasks(desiredStatus=STOPPED) finds them."""
    arns = ecs.list_tasks(cluster=cluster, desiredStatus="STOPPED")["taskArns"]
    return ecs.describe_tasks(cluster=cluster, tasks=arns)["tasks"] if arns else []


def test_plain_mode_leaves_no_task_of_a_deleted_service(ecs: Any, cluster: str, subnet: str) -> None:
    create(ecs, cluster, subnet, desiredCount=2)
    ecs.delete_service(cluster=cluster, service="web", force=True)
    assert stopping_tasks_of(ecs, cluster) == []
    wait_until(lambda: describe(ecs, cluster)["status"] == "INACTIVE", "the service is INACTIVE", SECONDS + 10, 0.1)
    assert stopping_tasks_of(ecs, cluster) == []
    ecs.delete_cluster(cluster=cluster)  # nothing left stopping


def test_an_inactive_service_is_replaced_by_a_new_one(ecs: Any, cluster: str, subnet: str) -> None:
    first = create(ecs, cluster, subnet, token="token-1")
    ecs.delete_service(cluster=cluster, service="web", force=True)
    second = refused_until_accepted(
        lambda: create(ecs, cluster, subnet, token="token-1"),
        ("InvalidParameterException", "Unable to Start a service that is still Draining."),
        "the service is created again",
    )
    assert second["status"] == "ACTIVE"
    assert second["createdAt"] > first["createdAt"]
    assert second["deployments"][0]["id"] != first["deployments"][0]["id"]
    assert ecs.list_services(cluster=cluster)["serviceArns"] == [second["serviceArn"]]


# --------------------------------------------------------------------------- realistic mode (the session's emulator)


def test_realistic_draining_takes_aws_time_fixed_when_it_starts(
    aws_client: Callable[[str], Any], realistic: Callable[..., Any], emulator_endpoint: str
) -> None:
    """A service deleted in plain mode drains for plain mode's 2 seconds, even after the switch; one deleted in
    realistic mode for AWS's typical draining at the scale (here 6 s: both ends are seconds apart, which a loaded
    machine cannot blur)."""
    ecs, ec2 = aws_client("ecs"), aws_client("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.68.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.68.1.0/24")["Subnet"]["SubnetId"]
    set_realism(emulator_endpoint, realistic=False)
    cluster = new_cluster(ecs)
    create(ecs, cluster, subnet, name="plain", desiredCount=0)
    create(ecs, cluster, subnet, name="aws", desiredCount=0)
    ecs.delete_service(cluster=cluster, service="plain")
    plain_deleted = time.monotonic()

    realistic(time_scale=0.1)
    draining = realism.TYPICAL["ecs.draining"].seconds * 0.1
    assert draining >= DEFAULT_DRAINING_SECONDS + 4
    started = time.monotonic()
    assert ecs.delete_service(cluster=cluster, service="aws")["service"]["status"] == "DRAINING"

    wait_until(lambda: describe(ecs, cluster, "plain")["status"] == "INACTIVE", "plain drained", draining + 10, 0.05)
    assert time.monotonic() - plain_deleted < draining, "plain mode's draining keeps its 2 seconds"
    assert describe(ecs, cluster, "aws")["status"] == "DRAINING", "the one deleted in realistic mode drains longer"
    wait_until(lambda: describe(ecs, cluster, "aws")["status"] == "INACTIVE", "it drained", draining + 10, 0.05)
    assert time.monotonic() - started >= draining, "AWS's draining at the scale, not plain mode's"


def test_realistic_a_deleted_service_s_tasks_are_listed_until_they_stop(
    aws_client: Callable[[str], Any], realistic: Callable[..., Any], emulator_endpoint: str
) -> None:
    """The tasks of a service deleted with 2 tasks: listed with desired status STOPPED at once, DEACTIVATING while the
    service drains (3 s), then STOPPING and DEPROVISIONING (3 s each), then STOPPED; DeleteCluster refused meanwhile."""
    ecs, ec2 = aws_client("ecs"), aws_client("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.69.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.69.1.0/24")["Subnet"]["SubnetId"]
    set_realism(emulator_endpoint, realistic=False)  # made as in plain mode: only the deletion is realistic
    cluster = new_cluster(ecs)
    service = create(ecs, cluster, subnet, desiredCount=2)
    deployment = service["deployments"][0]["id"]

    realistic(behaviour_seconds={"ecs.draining": 3.0, "ecs.tasks_stopping": 6.0})
    ecs.delete_service(cluster=cluster, service="web", force=True)
    tasks = stopping_tasks_of(ecs, cluster)
    assert len(tasks) == 2
    for task in tasks:
        assert task["lastStatus"] == "DEACTIVATING"
        assert (task["desiredStatus"], task["group"], task["startedBy"]) == ("STOPPED", "service:web", deployment)
        assert task["stopCode"] == "ServiceSchedulerInitiated"
        assert task["stoppedReason"] == f"Scaling activity initiated by (deployment {deployment})"
        assert task["taskDefinitionArn"] == service["taskDefinition"]
        assert "stoppedAt" not in task and task["stoppingAt"]
        assert [container["lastStatus"] for container in task["containers"]] == ["RUNNING"]
        assert [attachment["status"] for attachment in task["attachments"]] == ["ATTACHED"]
    assert ecs.list_tasks(cluster=cluster)["taskArns"] == [], "not among the tasks meant to run"
    assert ecs.list_tasks(cluster=cluster, serviceName="web", desiredStatus="STOPPED")["taskArns"] == [
        task["taskArn"] for task in tasks
    ]
    assert error_of(lambda: ecs.delete_cluster(cluster=cluster))[0] == "ClusterContainsServicesException"

    seen = ["DEACTIVATING"]

    def stopped() -> bool:
        statuses = {task["lastStatus"] for task in stopping_tasks_of(ecs, cluster)}
        assert len(statuses) == 1, "the tasks of one service stop together"
        (status,) = statuses
        if status != seen[-1]:
            seen.append(status)
        return status == "STOPPED"

    wait_until(stopped, lambda: f"the tasks stopped (seen {seen})", timeout=60, interval=0.2)
    assert seen == list(STOPPING_STATES)
    assert describe(ecs, cluster)["status"] == "INACTIVE"
    for task in stopping_tasks_of(ecs, cluster):
        assert task["stoppedAt"] > task["stoppingAt"]
        assert [container["lastStatus"] for container in task["containers"]] == ["STOPPED"]
        assert [attachment["status"] for attachment in task["attachments"]] == ["DELETED"]
    assert ecs.delete_cluster(cluster=cluster)["cluster"]["status"] == "INACTIVE"


def test_deleted_tasks_go_through_aws_s_states_on_the_deletion_s_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [100.0]
    monkeypatch.setattr(realism, "now", lambda: clock[0])
    service = types.SimpleNamespace(status="DRAINING")  # what deleted_tasks_status reads of moto's Service
    vars(service)[_DRAIN] = realism.Timer(3.0)
    vars(service)[_TASKS_STOP] = 6.0
    expected = [
        (102.9, "DRAINING", "DEACTIVATING"),
        (103.0, "INACTIVE", "STOPPING"),
        (105.9, "INACTIVE", "STOPPING"),
        (106.1, "INACTIVE", "DEPROVISIONING"),
        (108.9, "INACTIVE", "DEPROVISIONING"),
        (109.0, "INACTIVE", "STOPPED"),
    ]
    for now, status, tasks_status in expected:
        clock[0], service.status = now, status
        assert deleted_tasks_status(service) == tasks_status, now
        assert tasks_stopping(service) is (tasks_status != "STOPPED")

    vars(service)[_TASKS_STOP] = 0.0  # plain mode, or no task to stop: stopped with the service
    clock[0], service.status = 103.0, "INACTIVE"
    assert deleted_tasks_status(service) == "STOPPED"
    assert not tasks_stopping(service)
    assert deleted_tasks_status(types.SimpleNamespace(status="ACTIVE")) == "STOPPED", "never deleted"


def test_draining_seconds_follow_the_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DRAINING_SECONDS_VARIABLE, raising=False)
    try:
        realism.configure({"realistic": False})
        assert ecs_service_lifecycle.draining_seconds() == DEFAULT_DRAINING_SECONDS
        realism.configure({"realistic": True, "time_scale": 0.5})
        assert ecs_service_lifecycle.draining_seconds() == realism.TYPICAL["ecs.draining"].seconds / 2
        monkeypatch.setenv(DRAINING_SECONDS_VARIABLE, "0.25")
        assert ecs_service_lifecycle.draining_seconds() == 0.25
    finally:
        realism.reset()


# --------------------------------------------------------------------------- plain moto


def test_moto_alone_replaces_and_deletes_at_once_and_install_fixes_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Proves the extension is still needed: if the first assertions fail, moto fixed the gap; drop the extension."""
    from moto import mock_aws
    from moto.ecs.models import EC2ContainerServiceBackend, Service
    from moto.ecs.responses import EC2ContainerServiceResponse

    patched = [
        (EC2ContainerServiceResponse, "create_service"),
        (EC2ContainerServiceBackend, "create_service"),
        (EC2ContainerServiceBackend, "delete_service"),
        (EC2ContainerServiceBackend, "update_service"),
        (EC2ContainerServiceBackend, "list_services"),
    ]
    for owner, name in patched:
        method = getattr(owner, name)
        while hasattr(method, "__wrapped__"):
            method = method.__wrapped__
        monkeypatch.setattr(owner, name, method)
    if "status" in Service.__dict__:
        monkeypatch.delattr(Service, "status")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    monkeypatch.setenv(DRAINING_SECONDS_VARIABLE, "30")

    with mock_aws():
        session = boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
        )
        ec2, ecs = session.client("ec2"), session.client("ecs")
        vpc_id = ec2.create_vpc(CidrBlock="10.66.0.0/16")["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.66.1.0/24")["Subnet"]["SubnetId"]
        cluster = new_cluster(ecs)
        assert not ecs_service_lifecycle.is_installed()
        first = create(ecs, cluster, subnet, token="t")
        replaced = create(ecs, cluster, subnet, token="other")
        assert replaced["deployments"][0]["id"] != first["deployments"][0]["id"], "moto silently replaces the service"
        assert ecs.delete_service(cluster=cluster, service="web", force=True)["service"]["status"] == "INACTIVE"

        ecs_service_lifecycle.install()
        ecs_service_lifecycle.install()

        assert ecs_service_lifecycle.is_installed()
        assert not hasattr(EC2ContainerServiceBackend.delete_service.__wrapped__, "__wrapped__"), (
            "install() must not wrap twice"
        )
        create(ecs, cluster, subnet, name="web2", token="t2")
        assert (
            error_of(lambda: create(ecs, cluster, subnet, name="web2", token="other"))[0] == "InvalidParameterException"
        )
        assert ecs.delete_service(cluster=cluster, service="web2", force=True)["service"]["status"] == "DRAINING"
        assert (
            error_of(lambda: ecs.update_service(cluster=cluster, service="web2", desiredCount=1))[0]
            == "ServiceNotActiveException"
        )
