"""DeleteCluster refuses a cluster that still contains services, or tasks still stopping
(emulator/extensions/ecs_cluster_contains_services.py)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from emulator.extensions import ecs_cluster_contains_services
from tests.unit.helpers import wait_until

REFUSALS = ("ClusterContainsServicesException", "ClusterContainsTasksException")


def create_cluster_with_service(ecs: Any, desired_count: int = 0) -> tuple[str, str]:
    """A fresh cluster (the emulator is shared by the session) with one service; returns their names."""
    cluster = f"cluster-{uuid.uuid4().hex[:10]}"
    service = f"svc-{uuid.uuid4().hex[:6]}"
    ecs.create_cluster(clusterName=cluster)
    family = f"family-{uuid.uuid4().hex[:8]}"
    ecs.register_task_definition(family=family, containerDefinitions=[{"name": "app", "image": "nginx", "memory": 64}])
    ecs.create_service(cluster=cluster, serviceName=service, taskDefinition=family, desiredCount=desired_count)
    return cluster, service


def service_status(ecs: Any, cluster: str, service: str) -> str:
    return ecs.describe_services(cluster=cluster, services=[service])["services"][0]["status"]


def status_of(ecs: Any, cluster: str) -> str:
    return ecs.describe_clusters(clusters=[cluster])["clusters"][0]["status"]


@pytest.fixture(scope="module")
def ecs(aws_client: Callable[[str], Any]) -> Any:
    return aws_client("ecs")


# --------------------------------------------------------------------------- through the emulator


def test_delete_with_an_active_service_is_refused(ecs: Any) -> None:
    cluster, _service = create_cluster_with_service(ecs)

    with pytest.raises(ClientError) as raised:
        ecs.delete_cluster(cluster=cluster)

    error = raised.value.response["Error"]
    assert error["Code"] == "ClusterContainsServicesException"
    assert error["Message"] == ecs_cluster_contains_services.MESSAGE
    assert status_of(ecs, cluster) == "ACTIVE", "a refused delete leaves the cluster as it was"


def test_delete_by_arn_is_refused_too(ecs: Any) -> None:
    cluster, _service = create_cluster_with_service(ecs)
    arn = ecs.describe_clusters(clusters=[cluster])["clusters"][0]["clusterArn"]

    with pytest.raises(ClientError) as raised:
        ecs.delete_cluster(cluster=arn)

    assert raised.value.response["Error"]["Code"] == "ClusterContainsServicesException"


def test_delete_after_the_service_is_deleted_succeeds(ecs: Any) -> None:
    """A deleted service blocks the cluster while it is DRAINING (when the emulator models draining), not after."""
    cluster, service = create_cluster_with_service(ecs)
    ecs.delete_service(cluster=cluster, service=service)

    def drained() -> bool:
        if service_status(ecs, cluster, service) != "DRAINING":
            return True
        try:
            ecs.delete_cluster(cluster=cluster)
        except ClientError as error:
            assert error.response["Error"]["Code"] == "ClusterContainsServicesException"
            return False
        # Accepted only because the draining ended between the read above and the delete.
        assert service_status(ecs, cluster, service) == "INACTIVE"
        return True

    wait_until(drained, "the service finished draining", timeout=60, interval=0.5)

    assert service_status(ecs, cluster, service) == "INACTIVE"
    if status_of(ecs, cluster) != "INACTIVE":
        assert ecs.delete_cluster(cluster=cluster)["cluster"]["status"] == "INACTIVE"
    assert status_of(ecs, cluster) == "INACTIVE"


def test_services_of_other_clusters_do_not_count(ecs: Any) -> None:
    busy, _service = create_cluster_with_service(ecs)
    empty = f"{busy}-x"  # a name that starts like the busy one's
    ecs.create_cluster(clusterName=empty)

    assert ecs.delete_cluster(cluster=empty)["cluster"]["status"] == "INACTIVE"
    assert status_of(ecs, busy) == "ACTIVE"


def test_unknown_cluster_is_still_not_found(ecs: Any) -> None:
    with pytest.raises(ClientError) as raised:
        ecs.delete_cluster(cluster=f"missing-{uuid.uuid4().hex[:8]}")

    assert raised.value.response["Error"]["Code"] == "ClusterNotFoundException"


def delete_until_deleted(ecs: Any, cluster: str, service: str, timeout: float) -> list[tuple[str, str]]:
    """DeleteCluster every 50 ms until it succeeds; the refusals on the way, each with the service's status then."""
    refusals: list[tuple[str, str]] = []

    def deleted() -> bool:
        try:
            ecs.delete_cluster(cluster=cluster)
        except ClientError as error:
            code = error.response["Error"]["Code"]
            assert code in REFUSALS, error
            if code == "ClusterContainsTasksException":
                assert error.response["Error"]["Message"] == ecs_cluster_contains_services.TASKS_MESSAGE
            refusals.append((code, service_status(ecs, cluster, service)))
            return False
        return True

    wait_until(deleted, "the cluster is deleted", timeout=timeout, interval=0.05)
    return refusals


def ensure_ecs_service_linked_role(iam: Any) -> None:
    """ECS's service-linked role made beforehand, so realistic mode's first CreateCluster is not refused for it."""
    try:
        iam.create_service_linked_role(AWSServiceName="ecs.amazonaws.com")
    except ClientError as error:
        if error.response["Error"]["Code"] not in ("InvalidInput", "EntityAlreadyExists"):
            raise


def test_plain_mode_deletes_once_the_service_is_inactive_even_with_tasks(ecs: Any) -> None:
    """The gap: the tasks of a deleted service stop the moment it is INACTIVE."""
    cluster, service = create_cluster_with_service(ecs, desired_count=1)
    ecs.delete_service(cluster=cluster, service=service, force=True)
    refusals = delete_until_deleted(ecs, cluster, service, timeout=10)
    assert {code for code, _status in refusals} <= {"ClusterContainsServicesException"}


def test_realistic_tasks_still_stop_after_the_service_is_inactive(
    ecs: Any, aws_client: Callable[[str], Any], realistic: Callable[..., Any]
) -> None:
    ensure_ecs_service_linked_role(aws_client("iam"))
    # draining 3 s, then tasks stopping 6 s: a window a loaded machine (CI runs the suites side by side) still sees
    realistic(behaviour_seconds={"ecs.draining": 3.0, "ecs.tasks_stopping": 6.0})
    cluster, service = create_cluster_with_service(ecs, desired_count=1)
    ecs.delete_service(cluster=cluster, service=service, force=True)

    refusals = delete_until_deleted(ecs, cluster, service, timeout=30)
    codes = [code for code, _status in refusals]
    assert codes[0] == "ClusterContainsServicesException"
    assert "ClusterContainsTasksException" in codes
    assert codes == sorted(codes), "services first, then tasks"
    assert {status for code, status in refusals if code == "ClusterContainsTasksException"} == {"INACTIVE"}
    assert status_of(ecs, cluster) == "INACTIVE"


def test_realistic_a_service_without_tasks_leaves_none_stopping(
    ecs: Any, aws_client: Callable[[str], Any], realistic: Callable[..., Any]
) -> None:
    ensure_ecs_service_linked_role(aws_client("iam"))
    realistic(time_scale=0.05)  # draining for seconds: the first refusal cannot come after it
    cluster, service = create_cluster_with_service(ecs, desired_count=0)
    ecs.delete_service(cluster=cluster, service=service)
    refusals = delete_until_deleted(ecs, cluster, service, timeout=30)
    assert {code for code, _status in refusals} == {"ClusterContainsServicesException"}


def tasks_being_stopped(ecs: Any, cluster: str) -> list[dict[str, Any]]:
    """What a poll sees of the cluster's tasks that ECS is stopping: ListTasks(desiredStatus=STOPPED), DescribeTasks."""
    arns = ecs.list_tasks(cluster=cluster, desiredStatus="STOPPED")["taskArns"]
    return ecs.describe_tasks(cluster=cluster, tasks=arns)["tasks"] if arns else []


def test_realistic_delete_is_refused_exactly_while_a_listed_task_has_not_stopped(
    ecs: Any, aws_client: Callable[[str], Any], realistic: Callable[..., Any]
) -> None:
    """Whoever polls ListTasks and DescribeTasks sees what keeps the cluster: refused while a task of the deleted
    service is not STOPPED (draining 3 s, then stopping 6 s), accepted once they all are."""
    ensure_ecs_service_linked_role(aws_client("iam"))
    realistic(behaviour_seconds={"ecs.draining": 3.0, "ecs.tasks_stopping": 6.0})
    cluster, service = create_cluster_with_service(ecs, desired_count=2)
    ecs.delete_service(cluster=cluster, service=service, force=True)
    refusals: list[str] = []

    def deleted() -> bool:
        tasks = tasks_being_stopped(ecs, cluster)
        assert len(tasks) == 2 and {task["group"] for task in tasks} == {f"service:{service}"}
        stopped = all(task["lastStatus"] == "STOPPED" for task in tasks)
        try:
            ecs.delete_cluster(cluster=cluster)
        except ClientError as error:
            assert not stopped, "refused although every task of the cluster is STOPPED"
            refusals.append(error.response["Error"]["Code"])
            return False
        if not stopped:  # accepted only because the last task stopped between the two calls
            assert {task["lastStatus"] for task in tasks_being_stopped(ecs, cluster)} == {"STOPPED"}
        return True

    wait_until(deleted, "the cluster is deleted", timeout=60, interval=0.2)
    assert refusals[0] == "ClusterContainsServicesException"
    assert "ClusterContainsTasksException" in refusals
    assert status_of(ecs, cluster) == "INACTIVE"


def test_realistic_tasks_of_a_replaced_service_still_refuse_the_delete(
    ecs: Any, aws_client: Callable[[str], Any], realistic: Callable[..., Any]
) -> None:
    """A service deleted with tasks and created again under its name (then deleted without tasks): the first one's
    tasks, which ListTasks still shows stopping, keep the cluster (they stop 20 s after the first deletion)."""
    ensure_ecs_service_linked_role(aws_client("iam"))
    realistic(behaviour_seconds={"ecs.draining": 1.0, "ecs.tasks_stopping": 20.0})
    cluster, service = create_cluster_with_service(ecs, desired_count=1)
    ecs.delete_service(cluster=cluster, service=service, force=True)
    wait_until(lambda: service_status(ecs, cluster, service) == "INACTIVE", "the first service is INACTIVE", timeout=30)
    family = ecs.describe_services(cluster=cluster, services=[service])["services"][0]["taskDefinition"]
    ecs.create_service(cluster=cluster, serviceName=service, taskDefinition=family, desiredCount=0)
    ecs.delete_service(cluster=cluster, service=service)
    wait_until(lambda: service_status(ecs, cluster, service) == "INACTIVE", "the second service is INACTIVE", timeout=30)

    (task,) = tasks_being_stopped(ecs, cluster)
    assert task["lastStatus"] in ("STOPPING", "DEPROVISIONING")
    with pytest.raises(ClientError) as raised:
        ecs.delete_cluster(cluster=cluster)
    assert raised.value.response["Error"]["Code"] == "ClusterContainsTasksException"
    assert status_of(ecs, cluster) == "ACTIVE"


# --------------------------------------------------------------------------- plain moto


def test_moto_alone_deletes_a_cluster_with_services_and_install_fixes_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Proves the extension is still needed: if the first assertion fails, moto fixed the gap; drop the extension."""
    from moto import mock_aws
    from moto.ecs.models import EC2ContainerServiceBackend

    current = EC2ContainerServiceBackend.delete_cluster
    moto_original = getattr(current, "__wrapped__", current)
    monkeypatch.setattr(EC2ContainerServiceBackend, "delete_cluster", moto_original)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)  # mock_aws intercepts the real AWS endpoints only

    with mock_aws():
        ecs = boto3.client("ecs", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
        orphaning, _service = create_cluster_with_service(ecs)
        assert not ecs_cluster_contains_services.is_installed()
        assert ecs.delete_cluster(cluster=orphaning)["cluster"]["status"] == "INACTIVE"

        ecs_cluster_contains_services.install()
        ecs_cluster_contains_services.install()

        assert ecs_cluster_contains_services.is_installed()
        assert EC2ContainerServiceBackend.delete_cluster.__wrapped__ is moto_original, "install() must not wrap twice"
        refused, _service = create_cluster_with_service(ecs)
        with pytest.raises(ClientError) as raised:
            ecs.delete_cluster(cluster=refused)
        assert raised.value.response["Error"]["Code"] == "ClusterContainsServicesException"


def test_draining_blocks_and_inactive_does_not(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rule on moto's own model: a DRAINING service blocks the delete, an INACTIVE one does not."""
    from moto import mock_aws
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ecs.models import ecs_backends

    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    ecs_cluster_contains_services.install()
    with mock_aws():
        ecs = boto3.client("ecs", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
        cluster, service = create_cluster_with_service(ecs)
        model = ecs_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].services[f"{cluster}:{service}"]

        model.status = "DRAINING"
        with pytest.raises(ClientError) as raised:
            ecs.delete_cluster(cluster=cluster)
        assert raised.value.response["Error"]["Code"] == "ClusterContainsServicesException"

        model.status = "INACTIVE"
        assert ecs.delete_cluster(cluster=cluster)["cluster"]["status"] == "INACTIVE"
