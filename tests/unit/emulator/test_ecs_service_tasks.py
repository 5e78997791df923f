"""ListTasks filters by serviceName and lists running tasks unless asked for stopped ones
(emulator/extensions/ecs_service_tasks.py).

The stopped service tasks come from a failing rollout (ecs_service_deployments), so these tests run their own emulator
with a short EMULATOR_ECS_DEPLOYMENT_SECONDS."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest

from emulator.extensions import ecs_service_tasks
from emulator.extensions.ecs_service_deployments import DEPLOYMENT_SECONDS_VARIABLE
from tests.unit.helpers import running_emulator, wait_until

SECONDS = 0.2


def session() -> boto3.session.Session:
    return boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1")


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    environment = {DEPLOYMENT_SECONDS_VARIABLE: str(SECONDS)}
    with running_emulator(tmp_path_factory.mktemp("ecs-tasks-emulator"), environment) as url:
        yield url


@pytest.fixture(scope="module")
def client(endpoint: str) -> Callable[[str], Any]:
    current = session()
    return lambda name: current.client(name, endpoint_url=endpoint)


def setup(ec2: Any, ecs: Any) -> tuple[str, str]:
    """A VPC (with DNS hostnames, which moto's RunTask needs) and subnet, a cluster, and task definitions 1 (nginx)
    and 2 (unpullable image); returns (cluster, subnet)."""
    vpc_id = ec2.create_vpc(CidrBlock="10.67.0.0/16")["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": True})
    subnet = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.67.1.0/24")["Subnet"]["SubnetId"]
    cluster = f"tasks-{uuid.uuid4().hex[:8]}"
    ecs.create_cluster(clusterName=cluster)
    for image in ("nginx:1.27", "registry.invalid/app:1"):
        ecs.register_task_definition(
            family=cluster,
            networkMode="awsvpc",
            requiresCompatibilities=["FARGATE"],
            cpu="256",
            memory="512",
            containerDefinitions=[
                {"name": "web", "image": image, "memory": 512}
            ],  # moto's RunTask needs container memory
        )
    return cluster, subnet


def awsvpc(subnet: str) -> dict[str, Any]:
    return {"awsvpcConfiguration": {"subnets": [subnet], "securityGroups": []}}


def run_task(ecs: Any, cluster: str, subnet: str, group: str | None = None) -> str:
    kwargs = {"group": group} if group else {}
    return ecs.run_task(
        cluster=cluster,
        taskDefinition=f"{cluster}:1",
        launchType="FARGATE",
        networkConfiguration=awsvpc(subnet),
        **kwargs,
    )["tasks"][0]["taskArn"]


def listed(ecs: Any, cluster: str, **kwargs: Any) -> set[str]:
    return set(ecs.list_tasks(cluster=cluster, **kwargs)["taskArns"])


# --------------------------------------------------------------------------- through the emulator


def test_service_name_filters_and_stopped_tasks_need_asking_for(client: Callable[[str], Any]) -> None:
    ecs = client("ecs")
    cluster, subnet = setup(client("ec2"), ecs)
    broken = ecs.create_service(
        cluster=cluster,
        serviceName="broken",
        taskDefinition=f"{cluster}:2",
        desiredCount=1,
        launchType="FARGATE",
        networkConfiguration=awsvpc(subnet),
        deploymentConfiguration={"deploymentCircuitBreaker": {"enable": True, "rollback": False}},
    )["service"]
    ecs.create_service(
        cluster=cluster,
        serviceName="fine",
        taskDefinition=f"{cluster}:1",
        desiredCount=1,
        launchType="FARGATE",
        networkConfiguration=awsvpc(subnet),
    )
    standalone = run_task(ecs, cluster, subnet)
    stopped_standalone = run_task(ecs, cluster, subnet)
    ecs.stop_task(cluster=cluster, task=stopped_standalone, reason="done")

    def broken_failed() -> bool:
        service = ecs.describe_services(cluster=cluster, services=["broken"])["services"][0]
        return service["deployments"][0]["rolloutState"] == "FAILED"

    wait_until(broken_failed, "the broken service's deployment has failed", timeout=10, interval=SECONDS / 2)

    failed = listed(ecs, cluster, serviceName="broken", desiredStatus="STOPPED")
    assert len(failed) >= 3
    assert listed(ecs, cluster, serviceName=broken["serviceArn"], desiredStatus="STOPPED") == failed, "an ARN works too"
    assert listed(ecs, cluster, serviceName="fine", desiredStatus="STOPPED") == set()
    assert listed(ecs, cluster, serviceName="broken") == set(), "no running task of the service"
    assert listed(ecs, cluster) == {standalone}, "without desiredStatus: running tasks only"
    assert listed(ecs, cluster, desiredStatus="STOPPED") == failed | {stopped_standalone}
    groups = {t["group"] for t in ecs.describe_tasks(cluster=cluster, tasks=list(failed))["tasks"]}
    assert groups == {"service:broken"}


# --------------------------------------------------------------------------- plain moto


def test_moto_alone_ignores_service_name_and_install_filters(monkeypatch: pytest.MonkeyPatch) -> None:
    """Proves the extension is still needed: if the first assertions fail, moto fixed the gap; drop the extension."""
    from moto import mock_aws
    from moto.ecs.models import EC2ContainerServiceBackend

    method = EC2ContainerServiceBackend.list_tasks
    while hasattr(method, "__wrapped__"):
        method = method.__wrapped__
    monkeypatch.setattr(EC2ContainerServiceBackend, "list_tasks", method)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")

    with mock_aws():
        current = session()
        ecs = current.client("ecs")
        cluster, subnet = setup(current.client("ec2"), ecs)
        of_service = run_task(ecs, cluster, subnet, group="service:web")
        other = run_task(ecs, cluster, subnet)
        stopped = run_task(ecs, cluster, subnet, group="service:web")
        ecs.stop_task(cluster=cluster, task=stopped, reason="done")
        assert not ecs_service_tasks.is_installed()
        assert listed(ecs, cluster, serviceName="web") == {of_service, other, stopped}

        ecs_service_tasks.install()
        ecs_service_tasks.install()

        assert ecs_service_tasks.is_installed()
        assert not hasattr(EC2ContainerServiceBackend.list_tasks.__wrapped__, "__wrapped__"), (
            "install() must not wrap twice"
        )
        assert listed(ecs, cluster, serviceName="web") == {of_service}
        assert listed(ecs, cluster, serviceName="web", desiredStatus="STOPPED") == {stopped}
        assert listed(ecs, cluster) == {of_service, other}
