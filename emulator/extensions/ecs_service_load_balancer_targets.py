"""ECS registers a service's running tasks in its load balancers' target groups and deregisters those that stop.

What AWS does: "The service scheduler automatically registers and deregisters tasks with the target group" (ECS
developer guide, "Use load balancing to distribute Amazon ECS service traffic",
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-load-balancing.html); a task of network mode
``awsvpc`` (every Fargate task) is registered by the private IPv4 address of its elastic network interface, which
is why its target group must be of target type ``ip``, on the container port the service's ``loadBalancers`` entry
names. A newly registered target is ``initial`` (reason ``Elb.RegistrationInProgress``) until it passes
``HealthyThresholdCount`` consecutive health checks ``HealthCheckIntervalSeconds`` apart (ELB user guide, "Health
checks for Application Load Balancer target groups", target states and reason codes,
https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html); the load
balancer routes only to healthy targets. A stopped task's target is deregistered.

moto 5.2.5 starts no task for a service, so its target groups stay empty: DescribeTargetHealth lists nothing and the
load balancer's data plane (``elbv2_data_plane``) answers 503, whatever the service's ``runningCount``.

The patch: whenever ``ecs_service_deployments`` settles a service's counts (``sync_counts``), each of the service's
load balancers has one target per running task of each deployment, at an address of the service's first subnet chosen
from the deployment's id and the task's index, on the entry's container port; tasks that stopped (a count that fell, a
deployment that is gone) leave the group as moto's deregistered targets. The green tasks of a blue/green, linear or
canary deployment are registered by ``ecs_deployment_strategies`` in the group that takes no production traffic, so
its deployments are left to it. When target health is read, the services whose load balancers name the group are moved
on first (ECS acts on its own clock; ``ecs_service_deployments`` moves a service only when it is looked at) and the
targets of a service that is no longer ``ACTIVE`` leave (``ecs_service_lifecycle`` drains its tasks before
DeleteService completes). In realistic mode a new target is ``initial`` for its group's interval times its healthy
threshold (15 s x 3 for the collection's groups), times the time scale; plain mode has them healthy at once, as every
other wait of plain mode is instant. Not modelled: ``draining`` (a deregistered target is ``unused`` at once, as moto
has it) and health checks failing (``_nginx_config`` stops such tasks instead).
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import threading
from typing import Any

from moto.ec2.models import ec2_backends
from moto.ecs.models import ecs_backends
from moto.elbv2.models import ELBv2Backend
from moto.elbv2.models import FakeHealthStatus
from moto.elbv2.models import elbv2_backends

from emulator import realism
from emulator.extensions import _patching
from emulator.extensions import ecs_service_deployments as deployments
from emulator.extensions._patching import Patch

INITIAL_STATE = "initial"
INITIAL_REASON = "Elb.RegistrationInProgress"
INITIAL_DESCRIPTION = "Target registration is in progress"
FALLBACK_NETWORK = ipaddress.ip_network("10.0.0.0/16")
# The key ecs_deployment_strategies keeps its plan under in a deployment's state, and the strategies whose green
# tasks it registers itself.
STRATEGY_KEY = "strategy"
SHIFTING_STRATEGIES = ("BLUE_GREEN", "LINEAR", "CANARY")

_lock = threading.RLock()
# service ARN -> {target group ARN -> {address: registered at (realism.now())}}: the targets this extension put there.
_REGISTERED: dict[str, dict[str, dict[str, float]]] = {}
# (account, region) of each service ARN above, to find its backends again.
_WHERE: dict[str, tuple[str, str]] = {}


def _subnet_network(account_id: str, region: str, service: Any) -> ipaddress.IPv4Network:
    configuration = (getattr(service, "network_configuration", None) or {}).get("awsvpcConfiguration") or {}
    for subnet_id in configuration.get("subnets") or []:
        try:
            subnet = ec2_backends[account_id][region].get_subnet(subnet_id)
        except Exception:  # pylint: disable=broad-except  # moto's InvalidSubnetIdError: the service's own problem
            continue
        return ipaddress.ip_network(subnet.cidr_block, strict=False)
    return FALLBACK_NETWORK


def task_address(network: ipaddress.IPv4Network, deployment_id: str, index: int) -> str:
    """A stable address of ``network`` for the ``index``-th task of a deployment: never the network's first four nor
    its last (AWS reserves them in every subnet)."""
    usable = network.num_addresses - 5
    digest = int.from_bytes(hashlib.sha256(f"{deployment_id}/{index}".encode()).digest()[:8], "big")
    return str(network.network_address + 4 + digest % max(usable, 1))


def _left_to_strategies(deployment: dict[str, Any]) -> bool:
    plan = deployments._state(deployment).get(STRATEGY_KEY)  # pylint: disable=protected-access
    return bool(plan) and plan.get("strategy") in SHIFTING_STRATEGIES


def wanted_targets(account_id: str, region: str, service: Any) -> dict[str, dict[str, int]]:
    """Target group ARN -> {address: port} of the service's running tasks, as ECS registers them."""
    wanted: dict[str, dict[str, int]] = {}
    if getattr(service, "status", None) != "ACTIVE":
        return wanted
    network = _subnet_network(account_id, region, service)
    for entry in getattr(service, "load_balancers", None) or []:
        group_arn = entry.get("targetGroupArn")
        if not group_arn:
            continue
        group = wanted.setdefault(group_arn, {})
        for deployment in service.deployments or []:
            if _left_to_strategies(deployment):
                continue
            for index in range(int(deployment.get("runningCount") or 0)):
                group[task_address(network, str(deployment.get("id")), index)] = entry.get("containerPort")
    return wanted


def sync_targets(account_id: str, region: str, service: Any) -> None:
    """Register the service's running tasks and deregister the ones that stopped."""
    with _lock:
        backend = elbv2_backends[account_id][region]
        wanted = wanted_targets(account_id, region, service)
        registered = _REGISTERED.setdefault(service.arn, {})
        _WHERE[service.arn] = (account_id, region)
        now = realism.now()
        for group_arn in set(registered) | set(wanted):
            group = backend.target_groups.get(group_arn)
            ours = registered.setdefault(group_arn, {})
            addresses = wanted.get(group_arn, {}) if group is not None else {}
            for address in list(ours):
                if address not in addresses:
                    del ours[address]
                    if group is not None and address in group.targets:
                        group.deregistered_targets[address] = group.targets.pop(address)
            for address, port in addresses.items():
                if address not in ours:
                    ours[address] = now
                group.targets[address] = {"Id": address, "Port": port or group.port}
                group.deregistered_targets.pop(address, None)
            if not ours:
                del registered[group_arn]
        if not registered:
            _REGISTERED.pop(service.arn, None)
            _WHERE.pop(service.arn, None)


def _service(service_arn: str) -> Any:
    account_id, region = _WHERE[service_arn]
    return ecs_backends[account_id][region].services.get(_service_key(service_arn))


def _service_key(service_arn: str) -> str:
    # moto keys services by "<cluster name>:<service name>"; the ARN is .../service/<cluster>/<service>.
    cluster, name = service_arn.split("/")[-2:]
    return f"{cluster}:{name}"


def sweep() -> None:
    """The targets of services no longer ACTIVE (or gone) leave their groups."""
    with _lock:
        for service_arn in list(_REGISTERED):
            service = _service(service_arn)
            if service is None or getattr(service, "status", None) != "ACTIVE":
                account_id, region = _WHERE[service_arn]
                stand_in = type("Gone", (), {"arn": service_arn, "status": "INACTIVE", "load_balancers": []})()
                sync_targets(account_id, region, stand_in)


def advance_services_of(account_id: str, region: str, group_arn: str) -> None:
    """ECS registers and deregisters on its own clock, not when someone describes the service: the services whose
    load balancers name the group are moved on first (``ecs_service_deployments`` moves them lazily)."""
    backend = ecs_backends[account_id][region]
    for service in list(backend.services.values()):
        if any(entry.get("targetGroupArn") == group_arn for entry in getattr(service, "load_balancers", None) or []):
            deployments.advance(backend, service)


def initial_seconds(group: Any) -> float:
    settings = realism.settings()
    if not settings.realistic:
        return 0.0
    interval = int(getattr(group, "health_check_interval_seconds", None) or 30)
    threshold = int(getattr(group, "healthy_threshold_count", None) or 5)
    return interval * threshold * settings.time_scale


def _registered_at(group_arn: str, address: str) -> float | None:
    for groups in _REGISTERED.values():
        when = groups.get(group_arn, {}).get(address)
        if when is not None:
            return when
    return None


def _counts_settled(original: Any) -> Any:
    @functools.wraps(original)
    def sync_counts(backend: Any, service: Any) -> None:
        original(backend, service)
        sync_targets(backend.account_id, backend.region_name, service)

    return sync_counts


def _health_with_registration(original: Any) -> Any:
    @functools.wraps(original)
    def describe_target_health(self: ELBv2Backend, target_group_arn: str, targets: list[dict[str, Any]]) -> Any:
        advance_services_of(self.account_id, self.region_name, target_group_arn)
        sweep()
        statuses = original(self, target_group_arn, targets)
        group = self.target_groups.get(target_group_arn)
        wait = initial_seconds(group) if group is not None else 0.0
        if not wait:
            return statuses
        now = realism.now()
        answered = []
        with _lock:
            for status in statuses:
                when = _registered_at(target_group_arn, status.instance_id)
                if when is not None and status.status == "healthy" and now - when < wait:
                    status = FakeHealthStatus(status.instance_id, status.port, status.health_check_port, INITIAL_STATE,
                                              INITIAL_REASON, INITIAL_DESCRIPTION)
                answered.append(status)
        return answered

    return describe_target_health


PATCHES = (
    Patch(deployments, "sync_counts", _counts_settled),
    Patch(ELBv2Backend, "describe_target_health", _health_with_registration),
)


def is_installed() -> bool:
    return _patching.installed(__name__, PATCHES)


def install() -> None:
    _patching.install(__name__, PATCHES)
