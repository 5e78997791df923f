"""emulator/extensions/ecs_service_load_balancer_targets.py: a service's running tasks are its target group's targets,
through the session's emulator (plain mode, rollouts of ROLLOUT_SECONDS) and in realistic mode."""

from __future__ import annotations

import ipaddress
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from emulator.extensions.ecs_service_load_balancer_targets import task_address
from tests.unit.emulator.conftest import set_realism
from tests.unit.emulator.test_ecs_service_deployments import ensure_ecs_service_linked_role
from tests.unit.helpers import wait_until

# Long enough that the describe right after a create or update lands inside the rollout on a loaded machine.
ROLLOUT_SECONDS = 3.0
CIDR = "10.71.4.0/24"


@pytest.fixture
def timed_rollouts(emulator_endpoint: str) -> Iterator[None]:
    set_realism(emulator_endpoint, realistic=False, behaviour_seconds={"ecs.rollout": ROLLOUT_SECONDS})
    try:
        yield
    finally:
        set_realism(emulator_endpoint, realistic=False, behaviour_seconds={})


class Service:
    """A Fargate service on an ip target group, in a subnet of CIDR."""

    def __init__(self, client: Callable[[str], Any]) -> None:
        self.ecs, self.elb, ec2 = client("ecs"), client("elbv2"), client("ec2")
        vpc = ec2.create_vpc(CidrBlock="10.71.0.0/16")["Vpc"]["VpcId"]
        self.subnet = ec2.create_subnet(VpcId=vpc, CidrBlock=CIDR)["Subnet"]["SubnetId"]
        name = f"tg-{uuid.uuid4().hex[:8]}"
        self.group = self.elb.create_target_group(
            Name=name, Protocol="HTTP", Port=80, VpcId=vpc, TargetType="ip", HealthCheckIntervalSeconds=10,
            HealthyThresholdCount=3,
        )["TargetGroups"][0]["TargetGroupArn"]
        self.cluster = name
        self.ecs.create_cluster(clusterName=name)
        for image in ("nginx:1.27", "nginx:1.28"):
            self.ecs.register_task_definition(
                family=name, networkMode="awsvpc", requiresCompatibilities=["FARGATE"], cpu="256", memory="512",
                containerDefinitions=[{"name": "web", "image": image, "portMappings": [{"containerPort": 8080}]}],
            )

    def create(self, desired: int = 2) -> None:
        self.ecs.create_service(
            cluster=self.cluster, serviceName="web", taskDefinition=f"{self.cluster}:1", desiredCount=desired,
            launchType="FARGATE", networkConfiguration={"awsvpcConfiguration": {"subnets": [self.subnet]}},
            loadBalancers=[{"targetGroupArn": self.group, "containerName": "web", "containerPort": 8080}],
        )

    def describe(self) -> dict[str, Any]:
        return self.ecs.describe_services(cluster=self.cluster, services=["web"])["services"][0]

    def targets(self) -> dict[str, tuple[int, str, str | None]]:
        health = self.elb.describe_target_health(TargetGroupArn=self.group)["TargetHealthDescriptions"]
        return {
            t["Target"]["Id"]: (t["Target"]["Port"], t["TargetHealth"]["State"], t["TargetHealth"].get("Reason"))
            for t in health
        }

    def settled(self, timeout: float = 20.0) -> dict[str, Any]:
        def done() -> dict[str, Any] | None:
            service = self.describe()
            primary = service["deployments"][0]
            return service if primary["rolloutState"] == "COMPLETED" and len(service["deployments"]) == 1 else None

        return wait_until(done, "the rollout completes", timeout, 0.3)


def test_the_running_tasks_are_registered_once_they_run(aws_client, timed_rollouts) -> None:
    service = Service(aws_client)
    service.create(desired=2)
    assert service.targets() == {}  # nothing runs yet
    assert service.settled()["runningCount"] == 2
    targets = service.targets()
    assert len(targets) == 2
    assert all(port == 8080 and state == "healthy" for port, state, _reason in targets.values())
    network = ipaddress.ip_network(CIDR)
    assert all(ipaddress.ip_address(address) in network for address in targets)
    assert service.targets() == targets  # the same tasks, the same addresses


def test_scaling_in_and_deleting_the_service_deregister_its_tasks(aws_client, timed_rollouts) -> None:
    service = Service(aws_client)
    service.create(desired=3)
    service.settled()
    three = set(service.targets())
    service.ecs.update_service(cluster=service.cluster, service="web", desiredCount=1)
    wait_until(lambda: len(service.targets()) == 1, "the service scales in", 20.0, 0.3)
    assert set(service.targets()) < three
    service.ecs.delete_service(cluster=service.cluster, service="web", force=True)
    assert service.targets() == {}


def test_a_new_revision_replaces_the_targets(aws_client, timed_rollouts) -> None:
    service = Service(aws_client)
    service.create(desired=2)
    service.settled()
    before = set(service.targets())
    service.ecs.update_service(cluster=service.cluster, service="web", taskDefinition=f"{service.cluster}:2")
    service.settled()
    after = set(service.targets())
    assert len(after) == 2 and not after & before


def test_realistic_a_new_target_is_initial_for_its_health_checks(aws_client, emulator_endpoint) -> None:
    # 10 s x 3 healthy checks at a time scale of 0.2: 6 s of initial, the rollout itself 1 s.
    ensure_ecs_service_linked_role(aws_client("iam"))
    set_realism(emulator_endpoint, realistic=True, time_scale=0.2, throttle_rate=0.0,
                behaviour_seconds={"ecs.rollout": 1.0})
    try:
        service = Service(aws_client)
        service.create(desired=1)
        wait_until(service.targets, "the task is registered", 20.0, 0.3)
        ((_port, state, reason),) = service.targets().values()
        assert (state, reason) == ("initial", "Elb.RegistrationInProgress")
        wait_until(lambda: all(s == "healthy" for _p, s, _r in service.targets().values()), "healthy", 30.0, 0.5)
    finally:
        set_realism(emulator_endpoint, realistic=False, behaviour_seconds={})


@pytest.mark.parametrize("cidr", ["10.0.0.0/28", "10.71.4.0/24", "172.31.0.0/16"])
def test_task_addresses_avoid_the_reserved_ones(cidr: str) -> None:
    network = ipaddress.ip_network(cidr)
    reserved = set(list(network)[:4]) | {network.broadcast_address}
    addresses = {ipaddress.ip_address(task_address(network, "ecs-svc/1", index)) for index in range(50)}
    assert addresses and all(a in network and a not in reserved for a in addresses)
    assert task_address(network, "ecs-svc/1", 3) == task_address(network, "ecs-svc/1", 3)
