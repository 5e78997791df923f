"""ECS service deployments roll out over time: rolloutState, running counts, events, circuit breaker and rollback.

What AWS does (ECS API reference: Service, Deployment, UpdateService, DeploymentCircuitBreaker; ECS developer
guide, "Deployment circuit breaker" and "Viewing service event messages"): a rolling-update (``ECS`` deployment
controller) service has a ``PRIMARY`` deployment whose ``rolloutState`` is ``IN_PROGRESS`` while its tasks start and
``COMPLETED`` once ``runningCount`` reaches ``desiredCount``; the service's ``runningCount`` is the sum over its
deployments. ``UpdateService`` starts a new deployment when ``taskDefinition``, ``networkConfiguration``,
``platformVersion``, ``loadBalancers`` or ``serviceRegistries`` change or ``forceNewDeployment`` is set; the
previous deployment turns ``ACTIVE`` and is removed once the new one completes. ``desiredCount`` alone starts no
deployment: the primary deployment scales. The service's ``events`` record it all ("has started 2 tasks", "deployment
completed", "has reached a steady state", newest first, the last 100). Tasks that fail to start are ``STOPPED``
with a ``stoppedReason`` (``CannotPullContainerError: ...``), listed by ``ListTasks(serviceName=...,
desiredStatus=STOPPED)``, and counted in the deployment's ``failedTasks``. With the circuit breaker enabled the
deployment turns ``FAILED`` once ``failedTasks`` reaches the threshold (half the desired count, at least 3, at most
200); with rollback, a new ``PRIMARY`` deployment of the last ``COMPLETED`` one's task definition starts. Without the
breaker the deployment stays ``IN_PROGRESS`` and keeps launching tasks that fail.

moto 5.2.5: CreateService makes one deployment that stays ``IN_PROGRESS`` with ``runningCount`` 0 forever (unless the
process-wide ``MOTO_ECS_SERVICE_RUNNING`` says otherwise), there are no events, no tasks, no failures, and
UpdateService never starts a deployment (``forceNewDeployment`` renames the existing one; ``desiredCount`` sets
``runningCount`` at once).

The patch models it with time instead of a scheduler: a deployment needs ``EMULATOR_ECS_DEPLOYMENT_SECONDS``
(default 2; read on every call, so tests can shorten or lengthen it) to complete, and the state moves on lazily
whenever DescribeServices, UpdateService, ListTasks or DescribeTasks look at the service. Tasks whose image cannot be
pulled fail instead: an image in a registry under the reserved ``.invalid`` top-level domain (RFC 6761; it never
resolves, on AWS neither), e.g. ``registry.invalid/app:1``. Each period, a failing deployment launches
``desiredCount`` tasks that stop with ``CannotPullContainerError``; the first ten per deployment are kept as real
``STOPPED`` tasks (with the network interface attachment ``DELETED``, as AWS reports a Fargate task that failed to
start; no interface is left in the subnet). Wrapped:
``EC2ContainerServiceBackend.create_service``, ``update_service``, ``describe_services``, ``list_tasks`` and
``describe_tasks``; the cluster's running and pending task counts follow the services'.

Not modelled: running tasks (``runningCount`` is a number; ListTasks lists no running service tasks), load balancer
health checks, ``minimumHealthyPercent``/``maximumPercent`` batching, CloudWatch alarms in the breaker.
"""

from __future__ import annotations

import copy
import functools
import math
import os
import threading
import time
import uuid
from typing import Any

from moto.core.utils import utcnow
from moto.ec2.utils import random_private_ip
from moto.ecs.exceptions import ClusterNotFoundException, TaskDefinitionNotFoundException
from moto.ecs.models import EC2ContainerServiceBackend, Service, Task
from moto.moto_api._internal import mock_random

from emulator.extensions import _patching
from emulator.extensions._patching import Patch

DEPLOYMENT_SECONDS_VARIABLE = "EMULATOR_ECS_DEPLOYMENT_SECONDS"
DEFAULT_DEPLOYMENT_SECONDS = 2.0
# Registries under this top-level domain never resolve (RFC 6761), so their images cannot be pulled.
UNRESOLVABLE_DOMAIN = ".invalid"
MAX_EVENTS = 100
STOPPED_TASKS_KEPT_PER_DEPLOYMENT = 10
# Periods of a failing deployment handled one by one on a single look; the rest are counted in bulk.
MAX_PERIODS_PER_LOOK = 5
CIRCUIT_BREAKER_MIN_THRESHOLD = 3
CIRCUIT_BREAKER_MAX_THRESHOLD = 200
FAILED_REASON = "ECS deployment circuit breaker: tasks failed to start."
STOP_CODE = "TaskFailedToStart"
TROUBLESHOOTING = "For more information, see the Troubleshooting section of the Amazon ECS Developer Guide."
# Changes that make UpdateService start a new deployment (besides forceNewDeployment).
_DEPLOYMENT_TRIGGERS = (
    "task_definition",
    "network_configuration",
    "platform_version",
    "load_balancers",
    "service_registries",
)

_STATE = "_emulator"  # private key of a deployment dict; moto's serializer only reads the shape's members
_lock = threading.RLock()


def deployment_seconds() -> float:
    raw = os.environ.get(DEPLOYMENT_SECONDS_VARIABLE, "").strip()
    try:
        seconds = float(raw) if raw else DEFAULT_DEPLOYMENT_SECONDS
    except ValueError:
        seconds = DEFAULT_DEPLOYMENT_SECONDS
    return max(0.0, seconds)


def failure_threshold(desired_count: int) -> int:
    return min(CIRCUIT_BREAKER_MAX_THRESHOLD, max(CIRCUIT_BREAKER_MIN_THRESHOLD, math.ceil(desired_count * 0.5)))


def image_registry(image: str) -> str | None:
    """The registry host of an image reference, None for Docker Hub's short names (``nginx``, ``library/nginx``)."""
    first, _, rest = image.partition("/")
    if rest and ("." in first or ":" in first or first == "localhost"):
        return first
    return None


def pull_failure(image: str) -> str | None:
    """The stoppedReason of a task whose image is ``image``, or None when it can be pulled."""
    registry = image_registry(image)
    if registry is None:
        return None
    host = registry.rsplit(":", 1)[0] if registry.count(":") == 1 else registry
    if not host.lower().rstrip(".").endswith(UNRESOLVABLE_DOMAIN):
        return None
    return (
        f"CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref {image}:"
        f' failed to do request: Head "https://{registry}/v2/": dial tcp: lookup {host}: no such host'
    )


def task_definition_failure(backend: EC2ContainerServiceBackend, task_definition: str | None) -> str | None:
    if not task_definition:
        return None
    try:
        definition = backend.describe_task_definition(task_definition)
    except TaskDefinitionNotFoundException:  # deleted since: nothing to pull
        return None
    for container in definition.container_definitions:
        reason = pull_failure(str(container.get("image") or ""))
        if reason:
            return reason
    return None


def _resolved_task_definition(backend: EC2ContainerServiceBackend, task_definition: str | None) -> str | None:
    if not task_definition:
        return task_definition
    try:
        return backend.describe_task_definition(task_definition).arn
    except TaskDefinitionNotFoundException:
        return task_definition


def _is_fargate(deployment: dict[str, Any]) -> bool:
    strategy = deployment.get("capacityProviderStrategy") or []
    if strategy:
        return all(item.get("capacityProvider") in ("FARGATE", "FARGATE_SPOT") for item in strategy)
    return deployment.get("launchType") == "FARGATE"


def add_event(service: Service, message: str) -> None:
    service.events.insert(0, {"id": str(uuid.uuid4()), "createdAt": utcnow(), "message": message})
    del service.events[MAX_EVENTS:]


def _managed(service: Service) -> bool:
    return (getattr(service, "deployment_controller", None) or {}).get("type", "ECS") == "ECS"


def new_deployment(
    backend: EC2ContainerServiceBackend, service: Service, source: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A PRIMARY deployment of the service's configuration (or of ``source``'s, for a rollback), just started."""
    if source is None:
        fields = {
            "taskDefinition": _resolved_task_definition(backend, service.task_definition),
            "launchType": service.launch_type,
            "capacityProviderStrategy": copy.deepcopy(getattr(service, "capacity_provider_strategy", None)),
            "platformVersion": service.platform_version,
            "networkConfiguration": copy.deepcopy(service.network_configuration) or None,
        }
        if fields["platformVersion"] == "LATEST":
            fields["platformVersion"] = "1.4.0"
    else:
        fields = {
            key: copy.deepcopy(source.get(key))
            for key in (
                "taskDefinition",
                "launchType",
                "capacityProviderStrategy",
                "platformVersion",
                "networkConfiguration",
            )
        }
    deployment_id = f"ecs-svc/{mock_random.randint(10**18, 10**19 - 1)}"
    now = utcnow()
    deployment = {
        "id": deployment_id,
        "status": "PRIMARY",
        **fields,
        "desiredCount": service.desired_count,
        "pendingCount": service.desired_count,
        "runningCount": 0,
        "failedTasks": 0,
        "createdAt": now,
        "updatedAt": now,
        "rolloutState": "IN_PROGRESS",
        "rolloutStateReason": f"ECS deployment {deployment_id} in progress.",
        _STATE: {
            "started": time.monotonic(),
            "periods": 0,
            "failure": task_definition_failure(backend, fields["taskDefinition"]),
            "stopped_tasks": 0,
            "scaled_at": None,
        },
    }
    if _is_fargate(deployment):
        deployment["platformFamily"] = "Linux"
    return {key: value for key, value in deployment.items() if value is not None}


def _state(deployment: dict[str, Any]) -> dict[str, Any]:
    """The emulator's bookkeeping of a deployment; deployments from before install() start now."""
    if _STATE not in deployment:
        deployment[_STATE] = {
            "started": time.monotonic(),
            "periods": 0,
            "failure": None,
            "stopped_tasks": 0,
            "scaled_at": None,
        }
    return deployment[_STATE]


def sync_counts(backend: EC2ContainerServiceBackend, service: Service) -> None:
    """The service's running and pending counts are its deployments'; the cluster's follow."""
    running = sum(d.get("runningCount", 0) for d in service.deployments)
    pending = sum(d.get("pendingCount", 0) for d in service.deployments)
    cluster = backend.clusters.get(service.cluster_name)
    if cluster is not None:
        backend.update_cluster_resources(cluster, running - (service.running_count or 0), task_state="RUNNING")
        backend.update_cluster_resources(cluster, pending - (service.pending_count or 0), task_state="PENDING")
    service.running_count = running
    service.pending_count = pending


def start_deployment(
    backend: EC2ContainerServiceBackend, service: Service, source: dict[str, Any] | None = None
) -> dict[str, Any]:
    for deployment in service.deployments:
        if deployment.get("status") == "PRIMARY":
            deployment["status"] = "ACTIVE"
            deployment["pendingCount"] = 0  # a superseded deployment launches no more tasks
            deployment["updatedAt"] = utcnow()
    deployment = new_deployment(backend, service, source)
    service.deployments.insert(0, deployment)
    return deployment


def _stopped_task(
    backend: EC2ContainerServiceBackend, service: Service, deployment: dict[str, Any], reason: str
) -> str | None:
    """A STOPPED task of the deployment that failed for ``reason``; its id, or None when moto cannot make one."""
    cluster = backend.clusters.get(service.cluster_name)
    try:
        definition = backend.describe_task_definition(deployment["taskDefinition"])
    except TaskDefinitionNotFoundException:
        return None
    network = deployment.get("networkConfiguration") or None
    if cluster is None or (definition.network_mode == "awsvpc" and not network):
        return None
    strategy = deployment.get("capacityProviderStrategy") or []
    # Made without moto's awsvpc branch, which creates a network interface (and, in a VPC without DNS hostnames,
    # fails on its missing private DNS name): the interface of a task that failed to start is deleted anyway.
    without_interface = copy.copy(definition)
    without_interface.network_mode = None
    task = Task(
        cluster=cluster,
        task_definition=without_interface,
        container_instance_arn=None,
        resource_requirements=None,
        backend=backend,
        group=f"service:{service.name}",
        launch_type=deployment.get("launchType") or "",
        started_by=deployment["id"],
        platform_version=deployment.get("platformVersion"),
        capacity_provider_name=strategy[0]["capacityProvider"] if strategy else None,
    )
    subnets = ((network or {}).get("awsvpcConfiguration") or {}).get("subnets") or []
    if definition.network_mode == "awsvpc" and subnets:
        task.attachments.append(
            {
                "id": str(uuid.uuid4()),
                "type": "ElasticNetworkInterface",
                "status": "DELETED",
                "details": [
                    {"name": "subnetId", "value": subnets[0]},
                    {"name": "privateIPv4Address", "value": random_private_ip()},
                ],
            }
        )
    now = utcnow()
    task.last_status = "STOPPED"
    task.desired_status = "STOPPED"
    task.stopped_reason = reason
    task.stop_code = STOP_CODE
    task.created_at = now
    task.stopping_at = now
    task.stopped_at = now
    for container in task.containers:  # never started: no exit code
        container.last_status = "STOPPED"
        container.reason = reason
        container.exitCode = None
    backend.tasks.setdefault(cluster.name, {})[task.task_arn] = task
    return task.id


def _complete(service: Service, deployment: dict[str, Any]) -> None:
    stopped = sum(d.get("runningCount", 0) for d in service.deployments if d is not deployment)
    desired = deployment.get("desiredCount", 0)
    deployment.update(
        rolloutState="COMPLETED",
        rolloutStateReason=f"ECS deployment {deployment['id']} completed.",
        runningCount=desired,
        pendingCount=0,
        updatedAt=utcnow(),
    )
    if desired:
        add_event(service, f"(service {service.name}) has started {desired} tasks.")
    if stopped:
        add_event(service, f"(service {service.name}) has stopped {stopped} running tasks.")
    add_event(service, f"(service {service.name}) (deployment {deployment['id']}) deployment completed.")
    add_event(service, f"(service {service.name}) has reached a steady state.")
    service.deployments[:] = [deployment]


def _fail_batch(
    backend: EC2ContainerServiceBackend, service: Service, deployment: dict[str, Any], count: int, reason: str
) -> None:
    state = _state(deployment)
    task_ids = []
    for _ in range(count):
        if state["stopped_tasks"] >= STOPPED_TASKS_KEPT_PER_DEPLOYMENT:
            break
        task_id = _stopped_task(backend, service, deployment, reason)
        if task_id is None:
            break
        state["stopped_tasks"] += 1
        task_ids.append(task_id)
    deployment["failedTasks"] = deployment.get("failedTasks", 0) + count
    deployment["updatedAt"] = utcnow()
    listed = "".join(f" (task {task_id})" for task_id in task_ids)
    add_event(
        service,
        f"(service {service.name}) has started {count} tasks:{listed}."
        if listed
        else f"(service {service.name}) has started {count} tasks.",
    )
    if state["periods"] > 1:
        add_event(
            service, f"(service {service.name}) is unable to consistently start tasks successfully. {TROUBLESHOOTING}"
        )


def _fail(backend: EC2ContainerServiceBackend, service: Service, deployment: dict[str, Any], rollback: bool) -> None:
    deployment.update(rolloutState="FAILED", rolloutStateReason=FAILED_REASON, pendingCount=0, updatedAt=utcnow())
    add_event(
        service, f"(service {service.name}) (deployment {deployment['id']}) deployment failed: tasks failed to start."
    )
    if not rollback:
        return
    target = next(
        (d for d in service.deployments if d is not deployment and d.get("rolloutState") == "COMPLETED"),
        None,
    )
    if target is None:  # nothing completed before: nothing to roll back to
        return
    rolled_back = start_deployment(backend, service, source=target)
    rolled_back["rolloutStateReason"] = f"ECS deployment circuit breaker: rolling back to deploymentId {target['id']}."
    service.task_definition = rolled_back.get("taskDefinition")
    add_event(service, f"(service {service.name}) rolling back to deployment {target['id']}.")


def _progress(
    backend: EC2ContainerServiceBackend, service: Service, deployment: dict[str, Any], seconds: float
) -> None:
    state = _state(deployment)
    if seconds > 0:
        periods = int((time.monotonic() - state["started"]) // seconds)
    else:
        periods = state["periods"] + 1
    if periods <= state["periods"]:
        return
    desired = deployment.get("desiredCount", 0)
    reason = state["failure"]
    if reason is None or desired == 0:
        state["periods"] = periods
        _complete(service, deployment)
        return
    breaker = ((getattr(service, "deployment_configuration", None) or {}).get("deploymentCircuitBreaker")) or {}
    threshold = failure_threshold(desired)
    last_single = min(periods, state["periods"] + MAX_PERIODS_PER_LOOK)
    while state["periods"] < last_single:
        state["periods"] += 1
        _fail_batch(backend, service, deployment, desired, reason)
        if breaker.get("enable") and deployment["failedTasks"] >= threshold:
            _fail(backend, service, deployment, rollback=bool(breaker.get("rollback")))
            return
    if periods > state["periods"]:  # a long time unobserved: the launches in between failed too
        skipped = periods - state["periods"]
        state["periods"] = periods
        if breaker.get("enable"):
            deployment["failedTasks"] = max(deployment["failedTasks"], threshold)
            _fail(backend, service, deployment, rollback=bool(breaker.get("rollback")))
        else:
            deployment["failedTasks"] += skipped * desired


def _scale(service: Service, deployment: dict[str, Any], seconds: float) -> None:
    desired = deployment.get("desiredCount", 0)
    running = deployment.get("runningCount", 0)
    if running == desired:
        return
    state = _state(deployment)
    since = state["scaled_at"] if state["scaled_at"] is not None else state["started"]
    if time.monotonic() - since < seconds:
        deployment["pendingCount"] = max(0, desired - running)
        return
    deployment.update(runningCount=desired, pendingCount=0, updatedAt=utcnow())
    if desired > running:
        add_event(service, f"(service {service.name}) has started {desired - running} tasks.")
    else:
        add_event(service, f"(service {service.name}) has stopped {running - desired} running tasks.")
    add_event(service, f"(service {service.name}) has reached a steady state.")


def advance(backend: EC2ContainerServiceBackend, service: Service) -> None:
    """Move the service's deployments on to where they are by now."""
    with _lock:
        if service.status != "ACTIVE" or not _managed(service) or not service.deployments:
            return
        seconds = deployment_seconds()
        primary = next((d for d in service.deployments if d.get("status") == "PRIMARY"), None)
        if primary is not None:
            if primary.get("rolloutState") == "IN_PROGRESS":
                _progress(backend, service, primary, seconds)
            elif primary.get("rolloutState") == "COMPLETED":
                _scale(service, primary, seconds)
        sync_counts(backend, service)


def _advance_cluster(backend: EC2ContainerServiceBackend, cluster_str: str | None) -> None:
    try:
        cluster = backend._get_cluster(cluster_str or "default")  # pylint: disable=protected-access
    except ClusterNotFoundException:  # moto's own call reports it
        return
    for service in list(backend.services.values()):
        if service.cluster_name == cluster.name:
            advance(backend, service)


def _triggers(backend: EC2ContainerServiceBackend, service: Service) -> tuple[Any, ...]:
    values = {name: copy.deepcopy(getattr(service, name, None)) for name in _DEPLOYMENT_TRIGGERS}
    values["task_definition"] = _resolved_task_definition(backend, values["task_definition"])
    return tuple(values[name] or None for name in _DEPLOYMENT_TRIGGERS)


# --------------------------------------------------------------------------- wrappers


def _create_with_deployment(original: Any) -> Any:
    @functools.wraps(original)
    def create_service(self: EC2ContainerServiceBackend, *args: Any, **kwargs: Any) -> Any:
        service = original(self, *args, **kwargs)
        with _lock:
            if getattr(service, "_emulator_deployments", False):  # an existing service answered (idempotent create)
                return service
            service._emulator_deployments = True  # pylint: disable=protected-access
            if _managed(service):
                service.deployments[:] = [new_deployment(self, service)]
                sync_counts(self, service)
        return service

    return create_service


def _update_with_deployment(original: Any) -> Any:
    @functools.wraps(original)
    def update_service(self: EC2ContainerServiceBackend, service_properties: dict[str, Any]) -> Any:
        service = self._get_service(  # pylint: disable=protected-access
            service_properties.get("cluster", "default"), service_properties["service"].split("/")[-1]
        )
        advance(self, service)
        desired = service_properties.pop("desired_count", None)
        forced = bool(service_properties.pop("force_new_deployment", False))
        before = _triggers(self, service)
        running, pending = service.running_count, service.pending_count

        updated = original(self, service_properties)

        with _lock:
            # moto took the service's tasks off the cluster's counts and puts them back only with a desiredCount
            cluster = self.clusters.get(updated.cluster_name)
            if cluster is not None:
                self.update_cluster_resources(cluster, running, task_state="RUNNING")
                self.update_cluster_resources(cluster, pending, task_state="PENDING")
            if desired is not None:
                updated.desired_count = desired
            if not _managed(updated):
                return updated
            primary = next((d for d in updated.deployments if d.get("status") == "PRIMARY"), None)
            if desired is not None and primary is not None:
                primary["desiredCount"] = desired
                primary["updatedAt"] = utcnow()
                _state(primary)["scaled_at"] = time.monotonic()
                if primary.get("rolloutState") != "FAILED" and _state(primary)["failure"] is None:
                    primary["pendingCount"] = max(0, desired - primary.get("runningCount", 0))
            if forced or _triggers(self, updated) != before or primary is None:
                start_deployment(self, updated)
            sync_counts(self, updated)
        return updated

    return update_service


def _describe_advanced(original: Any) -> Any:
    @functools.wraps(original)
    def describe_services(self: EC2ContainerServiceBackend, *args: Any, **kwargs: Any) -> Any:
        services, failures = original(self, *args, **kwargs)
        for service in services:
            advance(self, service)
        return services, failures

    return describe_services


def _cluster_advanced_first(original: Any) -> Any:
    @functools.wraps(original)
    def wrapper(self: EC2ContainerServiceBackend, *args: Any, **kwargs: Any) -> Any:
        cluster_str = args[0] if args else kwargs.get("cluster_str")
        _advance_cluster(self, cluster_str)
        return original(self, *args, **kwargs)

    return wrapper


# The order in which this and the other ECS service extensions wrap these methods: WRAP_ORDER in __init__.py.
PATCHES = (
    Patch(EC2ContainerServiceBackend, "create_service", _create_with_deployment),
    Patch(EC2ContainerServiceBackend, "update_service", _update_with_deployment),
    Patch(EC2ContainerServiceBackend, "describe_services", _describe_advanced),
    Patch(EC2ContainerServiceBackend, "list_tasks", _cluster_advanced_first),
    Patch(EC2ContainerServiceBackend, "describe_tasks", _cluster_advanced_first),
)


def is_installed() -> bool:
    return _patching.installed(__name__, PATCHES)


def install() -> None:
    _patching.install(__name__, PATCHES)
