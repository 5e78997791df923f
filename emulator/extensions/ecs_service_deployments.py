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

Two more reasons a task fails to start on AWS:

* Fargate pulls the image for real: an image of an ECR repository
  (``<account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>`` or ``...@sha256:<digest>``) that the repository
  does not hold stops the task with ``CannotPullContainerError: pull image manifest has been retried 5 time(s):
  failed to resolve ref <image>: <image>: not found`` (ECS developer guide, "CannotPullContainer task errors", Image
  not found; the Fargate platform 1.4.0 wording as reported in aws/containers-roadmap#2687).
* IAM is eventually consistent (IAM user guide, "Changes that I make are not always immediately visible"): a task
  whose execution role or task role was just created or changed cannot be launched; the service's events say
  ``(service <name>) failed to launch a task with (error ECS was unable to assume the role '<role ARN>' that was
  provided for this task. Please verify that the role being passed has the proper trust relationship and permissions
  and that your IAM user has permissions to pass this role.).`` and no task is made (the wording as quoted in
  pull request 58 of telia-oss/terraform-aws-ecs-fargate, which makes the service wait for the execution role's
  policy to avoid it). Later launches succeed.

Both count for the circuit breaker like any task that fails to reach ``RUNNING``. So does a task that reaches it and
then fails its health checks (developer guide, "How the Amazon ECS deployment circuit breaker detects failures"), as an
nginx does whose configuration tree is an empty EFS directory: it serves nothing on its port, and the service scheduler
stops the task with ``stopCode`` ``ServiceSchedulerInitiated`` and ``stoppedReason`` ``Task failed container health
checks`` or ``Task failed ELB health checks in (target-group <ARN>)`` (the sources are in ``_nginx_config.py``). Such
tasks start no service throttling ("Tasks that are stopped after they reach the RUNNING state don't start the throttle
logic or the associated service event message", developer guide, "Amazon ECS service throttle logic").

The patch models it with time instead of a scheduler: a deployment needs ``realism.seconds("ecs.rollout")``
(``EMULATOR_ECS_DEPLOYMENT_SECONDS`` when set, AWS's typical figure times the time scale in realistic mode, else 2
seconds; fixed when the deployment starts) to complete, and the state moves on lazily whenever DescribeServices,
UpdateService, ListTasks or DescribeTasks look at the service. Tasks whose image cannot be pulled fail instead: in
both modes, an image in a registry under the reserved ``.invalid`` top-level domain (RFC 6761; it never resolves, on
AWS neither), e.g. ``registry.invalid/app:1``; in realistic mode only, an ECR image that moto's ECR of that account
and region does not hold (images outside ECR, such as ``public.ecr.aws/...`` or Docker Hub's, are assumed pullable).
Plain mode keeps assuming every other image pullable: the integration tests deploy tags no one pushed to the
emulator's ECR. Each period, a failing deployment launches ``desiredCount`` tasks that stop with
``CannotPullContainerError`` (``stopCode`` ``TaskFailedToStart``); the first ten per deployment are kept as real
``STOPPED`` tasks (with the network interface attachment ``DELETED``, as AWS reports a Fargate task that has stopped;
no interface is left in the subnet). A deployment that starts while its task definition's execution role or task role
is not yet usable (``iam_role_propagation.propagation_left``: ``realism.lingers("iam.propagation")`` after the role's
creation or last grant; never in plain mode) fails to launch its first ``desiredCount`` tasks with the event above,
and starts its rollout period when the role is usable.

In realistic mode only, tasks fail their health checks the same way, period by period, when their task definition
mounts an EFS volume at nginx's configuration (``/etc/nginx/conf.d``, or ``/etc/nginx`` and below in a container whose
image names nginx), ``emulator.efs_content`` holds no regular file under that volume's tree (the access point's root
directory joined with the volume's ``rootDirectory``), and a container health check or the service's target group
watches that container (``_nginx_config.health_failure``). The tree is looked at on every launch, so content published
meanwhile (DataSync) lets the next launch succeed. The tasks kept have ``startedAt``, ``healthStatus`` ``UNHEALTHY``
and ``stopCode`` ``ServiceSchedulerInitiated``, and the events name them unhealthy and stopped. Those tasks run before
they fail, so a period of such a deployment is at least what AWS takes to stop them (``startPeriod`` + ``interval`` x
``retries`` of the container check, or the grace period + the target group's interval x unhealthy threshold, whichever
is shorter) times the time scale. Plain mode never looks at the content.

Wrapped: ``EC2ContainerServiceBackend.create_service``, ``update_service``, ``describe_services``, ``list_tasks`` and
``describe_tasks``; the cluster's running and pending task counts follow the services'. The other deployment
strategies (blue/green, linear, canary) and deployment alarms are ecs_deployment_strategies', which wraps this
module's ``new_deployment``, ``tasks_running``, ``fail_deployment`` and ``advance``: they are looked up at call time,
so keep calling them by their module-level names. A blue/green pair of target groups is one load balancer for the
deployment triggers, whichever of the two takes production traffic (ECS swaps them at each deployment).

Not modelled: running tasks (``runningCount`` is a number; ListTasks lists no running service tasks), load balancer
and container health checks other than the empty nginx configuration, targets registered in target groups (but a
blue/green, linear or canary deployment's, ecs_deployment_strategies), ``minimumHealthyPercent``/``maximumPercent``
batching.
"""

from __future__ import annotations

import copy
import functools
import math
import re
import threading
import uuid
from typing import Any, NamedTuple

from moto.core.utils import utcnow
from moto.ec2.utils import random_private_ip
from moto.ecr.models import ecr_backends
from moto.ecs.exceptions import ClusterNotFoundException, TaskDefinitionNotFoundException
from moto.ecs.models import EC2ContainerServiceBackend, Service, Task
from moto.moto_api._internal import mock_random

from emulator import realism
from emulator.extensions import _nginx_config, _patching
from emulator.extensions._patching import Patch
from emulator.extensions.iam_role_propagation import propagation_left

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


class FailureCause(NamedTuple):
    """Why a deployment failed, as the service says it: its rolloutStateReason, the end of the service event
    "(deployment ID) deployment failed: ...", and the rollback deployment's rolloutStateReason (``{target}``: the
    deployment ID it rolls back to)."""

    name: str
    reason: str
    event: str
    rollback: str


CIRCUIT_BREAKER = FailureCause(
    "circuit_breaker",
    FAILED_REASON,
    "tasks failed to start.",
    "ECS deployment circuit breaker: rolling back to deploymentId {target}.",
)
# An image of a private ECR repository: <account>.dkr.ecr.<region>.amazonaws.com[.cn]/<repository>[:tag][@digest].
ECR_IMAGE = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/"
    r"(?P<repository>[a-z0-9][a-z0-9._/-]*?)(?::(?P<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?"
    r"(?:@(?P<digest>sha256:[0-9a-f]{64}))?$"
)
ASSUME_ROLE_FAILURE = (
    "ECS was unable to assume the role '{role}' that was provided for this task. Please verify that the role being"
    " passed has the proper trust relationship and permissions and that your IAM user has permissions to pass this"
    " role."
)
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
    """How long a deployment started now takes to roll out (and each of its failed launches)."""
    return realism.seconds("ecs.rollout", plain=DEFAULT_DEPLOYMENT_SECONDS, variable=DEPLOYMENT_SECONDS_VARIABLE)


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


def ecr_pull_failure(image: str) -> str | None:
    """The stoppedReason of a task whose image is ``image`` when it names an ECR repository of the emulator's that
    does not hold that tag (``latest`` when none) or digest; None when it holds it or the image is not in ECR."""
    match = ECR_IMAGE.match(image)
    if match is None:
        return None
    account, region, name = match.group("account", "region", "repository")
    tag, digest = match.group("tag", "digest")
    try:
        repository = ecr_backends[account][region].repositories.get(name)
    except KeyError:  # no such region: no such registry either
        repository = None
    images = repository.images if repository is not None else []
    if digest:
        held = any(held_image.get_image_digest() == digest for held_image in images)
    else:
        held = any((tag or "latest") in held_image.image_tags for held_image in images)
    if held:
        return None
    return (
        f"CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref {image}:"
        f" {image}: not found"
    )


def _task_definition(backend: EC2ContainerServiceBackend, task_definition: str | None) -> Any:
    if not task_definition:
        return None
    try:
        return backend.describe_task_definition(task_definition)
    except TaskDefinitionNotFoundException:  # deleted since: nothing to pull
        return None


def _images(definition: Any) -> list[str]:
    return [str(container.get("image") or "") for container in definition.container_definitions]


def task_definition_failure(backend: EC2ContainerServiceBackend, task_definition: str | None) -> str | None:
    """Why every task of the task definition fails to start, whenever it is launched (an unresolvable registry)."""
    definition = _task_definition(backend, task_definition)
    if definition is None:
        return None
    for image in _images(definition):
        reason = pull_failure(image)
        if reason:
            return reason
    return None


def unhealthy(
    backend: EC2ContainerServiceBackend, service: Service | None, definition: Any
) -> _nginx_config.Unhealthy | None:
    """How the service's tasks of ``definition`` fail their health checks now (``_nginx_config.Unhealthy``: an empty
    nginx configuration tree), in realistic mode; None otherwise."""
    if service is None or definition is None or not realism.settings().realistic:
        return None
    return _nginx_config.health_failure(service, definition, backend.account_id, backend.region_name)


def launch_failure(
    backend: EC2ContainerServiceBackend, task_definition: str | None, service: Service | None = None
) -> str | None:
    """Why a task of the task definition launched now fails, in realistic mode: an ECR image the emulator's ECR does
    not hold (it never starts), or an empty nginx configuration tree on EFS (it fails its health checks). None in
    plain mode, where only ``task_definition_failure`` applies."""
    if not realism.settings().realistic:
        return None
    definition = _task_definition(backend, task_definition)
    if definition is None:
        return None
    for image in _images(definition):
        reason = ecr_pull_failure(image)
        if reason:
            return reason
    failure = unhealthy(backend, service, definition)
    return failure.reason if failure else None


def unusable_role(backend: EC2ContainerServiceBackend, task_definition: str | None) -> tuple[str, float] | None:
    """The ARN of the task definition's execution (or task) role when IAM has not yet propagated its last change, and
    the time (``realism.now()``) it becomes usable; None when every role is usable."""
    definition = _task_definition(backend, task_definition)
    if definition is None:
        return None
    for attribute in ("execution_role_arn", "task_role_arn"):
        arn = getattr(definition, attribute, None)
        left = propagation_left(arn) if arn else 0.0
        if left > 0:
            return arn, realism.now() + left
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
    blocked = unusable_role(backend, fields["taskDefinition"]) if service.desired_count else None
    seconds = deployment_seconds()
    failing = unhealthy(backend, service, _task_definition(backend, fields["taskDefinition"]))
    if failing is not None:  # a period is at least the time its tasks take to fail their health checks
        seconds = max(seconds, failing.seconds * realism.settings().time_scale)
    realism.record("ecs.rollout", seconds, service.arn)
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
            "started": realism.now(),
            "seconds": seconds,
            "periods": 0,
            "failure": task_definition_failure(backend, fields["taskDefinition"]),
            "unusable_role": blocked,
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
            "started": realism.now(),
            "seconds": deployment_seconds(),
            "periods": 0,
            "failure": None,
            "unusable_role": None,
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
    ran = _nginx_config.is_unhealthy(reason)  # it ran until the service scheduler stopped it
    task.last_status = "STOPPED"
    task.desired_status = "STOPPED"
    task.stopped_reason = reason
    task.stop_code = _nginx_config.STOP_CODE if ran else STOP_CODE
    task.created_at = now
    task.stopping_at = now
    task.stopped_at = now
    if ran:
        task.started_at = now
        task.health_status = "UNHEALTHY"
    for container in task.containers:
        container.last_status = "STOPPED"
        if ran:  # nginx exits on the stop signal
            container.health_status = "UNHEALTHY"
            container.exitCode = 0
        else:  # never started: no exit code
            container.reason = reason
            container.exitCode = None
    backend.tasks.setdefault(cluster.name, {})[task.task_arn] = task
    return task.id


def complete(service: Service, deployment: dict[str, Any], started_event: bool = True) -> None:
    """The deployment is done: COMPLETED, the only one left; the tasks of the others stop. ``started_event`` False
    when its tasks' start was already told (a deployment whose strategy kept both revisions up)."""
    stopped = sum(d.get("runningCount", 0) for d in service.deployments if d is not deployment)
    desired = deployment.get("desiredCount", 0)
    now = utcnow()
    deployment.update(
        rolloutState="COMPLETED",
        rolloutStateReason=f"ECS deployment {deployment['id']} completed.",
        runningCount=desired,
        pendingCount=0,
        updatedAt=now,
    )
    _state(deployment)["completed_at"] = now
    if desired and started_event:
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
    if _nginx_config.is_unhealthy(reason):  # tasks that reached RUNNING start no throttling and no such message
        for message in _nginx_config.events(service, task_ids, count, reason):
            add_event(service, message)
    elif state["periods"] > 1:
        add_event(
            service, f"(service {service.name}) is unable to consistently start tasks successfully. {TROUBLESHOOTING}"
        )


def rollback_target(service: Service, deployment: dict[str, Any]) -> dict[str, Any] | None:
    """The deployment a failed ``deployment`` rolls back to: the last one that completed, if any."""
    return next(
        (d for d in service.deployments if d is not deployment and d.get("rolloutState") == "COMPLETED"),
        None,
    )


def fail_deployment(
    backend: EC2ContainerServiceBackend,
    service: Service,
    deployment: dict[str, Any],
    rollback: bool,
    cause: FailureCause = CIRCUIT_BREAKER,
) -> None:
    """The deployment FAILED for ``cause``; with ``rollback``, a new PRIMARY deployment of the last completed one's
    configuration starts (ecs_deployment_strategies wraps this: a blue/green deployment's blue tasks take the traffic
    back instead)."""
    now = utcnow()
    deployment.update(rolloutState="FAILED", rolloutStateReason=cause.reason, pendingCount=0, updatedAt=now)
    state = _state(deployment)
    state.update(failure_cause=cause, failed_at=now)
    add_event(service, f"(service {service.name}) (deployment {deployment['id']}) deployment failed: {cause.event}")
    if not rollback:
        return
    target = rollback_target(service, deployment)
    if target is None:  # nothing completed before: nothing to roll back to
        return
    rolled_back = start_deployment(backend, service, source=target)
    rolled_back["rolloutStateReason"] = cause.rollback.format(target=target["id"])
    service.task_definition = rolled_back.get("taskDefinition")
    state.update(rollback_deployment=rolled_back, rollback_started_at=now)
    _state(rolled_back)["rollback_of"] = deployment
    add_event(service, f"(service {service.name}) rolling back to deployment {target['id']}.")


def _breaker(service: Service) -> dict[str, Any]:
    return ((getattr(service, "deployment_configuration", None) or {}).get("deploymentCircuitBreaker")) or {}


def _launch_with_unusable_role(
    backend: EC2ContainerServiceBackend, service: Service, deployment: dict[str, Any]
) -> bool:
    """The deployment's first launch, when its role was not yet usable: ``desiredCount`` tasks fail to launch, and
    the rollout starts over once the role is usable. Returns whether that failed the deployment (circuit breaker)."""
    state = _state(deployment)
    blocked, state["unusable_role"] = state.get("unusable_role"), None
    desired = deployment.get("desiredCount", 0)
    if not blocked or not desired:
        return False
    role, usable_at = blocked
    deployment["failedTasks"] = deployment.get("failedTasks", 0) + desired
    deployment["updatedAt"] = utcnow()
    add_event(
        service,
        f"(service {service.name}) failed to launch a task with (error {ASSUME_ROLE_FAILURE.format(role=role)}).",
    )
    state["started"] = max(state["started"], usable_at)
    breaker = _breaker(service)
    if breaker.get("enable") and deployment["failedTasks"] >= failure_threshold(desired):
        fail_deployment(backend, service, deployment, rollback=bool(breaker.get("rollback")))
        return True
    return False


def tasks_running(
    backend: EC2ContainerServiceBackend, service: Service, deployment: dict[str, Any]  # pylint: disable=unused-argument
) -> None:
    """Every task of the deployment runs (since ``_state(deployment)["running_since"]``): a rolling update without
    deployment alarms completes. ecs_deployment_strategies wraps this: a blue/green, linear or canary deployment, or
    one watched by alarms, goes on to its traffic shifts and bake time and sets ``handed_over``."""
    complete(service, deployment)


def _tasks_running_since(
    backend: EC2ContainerServiceBackend, service: Service, deployment: dict[str, Any], period: int
) -> None:
    state = _state(deployment)
    state["running_since"] = min(realism.now(), state["started"] + period * state["seconds"])
    tasks_running(backend, service, deployment)


def _progress(backend: EC2ContainerServiceBackend, service: Service, deployment: dict[str, Any]) -> None:
    state = _state(deployment)
    if state.get("handed_over"):  # its tasks run; its strategy moves it on
        return
    if _launch_with_unusable_role(backend, service, deployment):
        return
    elapsed = realism.now() - state["started"]
    if elapsed < 0:  # waiting for a role to become usable
        return
    seconds = state["seconds"]
    if seconds > 0:
        periods = int(elapsed // seconds)
    else:
        periods = state["periods"] + 1
    if periods <= state["periods"]:
        return
    desired = deployment.get("desiredCount", 0)

    def reason_now() -> str | None:
        if desired == 0:
            return None
        return state["failure"] or launch_failure(backend, deployment.get("taskDefinition"), service)

    breaker = _breaker(service)
    threshold = failure_threshold(desired)
    last_single = min(periods, state["periods"] + MAX_PERIODS_PER_LOOK)
    while state["periods"] < last_single:
        reason = reason_now()
        if reason is None:
            running_period = state["periods"] + 1
            state["periods"] = periods
            _tasks_running_since(backend, service, deployment, running_period)
            return
        state["periods"] += 1
        _fail_batch(backend, service, deployment, desired, reason)
        if breaker.get("enable") and deployment["failedTasks"] >= threshold:
            fail_deployment(backend, service, deployment, rollback=bool(breaker.get("rollback")))
            return
    if periods > state["periods"]:  # a long time unobserved: the launches in between failed too
        if reason_now() is None:  # (a missing ECR image was pushed meanwhile)
            state["periods"] = periods
            _tasks_running_since(backend, service, deployment, periods)
            return
        skipped = periods - state["periods"]
        state["periods"] = periods
        if breaker.get("enable"):
            deployment["failedTasks"] = max(deployment["failedTasks"], threshold)
            fail_deployment(backend, service, deployment, rollback=bool(breaker.get("rollback")))
        else:
            deployment["failedTasks"] += skipped * desired


def _scale(service: Service, deployment: dict[str, Any]) -> None:
    desired = deployment.get("desiredCount", 0)
    running = deployment.get("runningCount", 0)
    if running == desired:
        return
    state = _state(deployment)
    since = state["scaled_at"] if state["scaled_at"] is not None else state["started"]
    if realism.now() - since < state["seconds"]:
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
        primary = next((d for d in service.deployments if d.get("status") == "PRIMARY"), None)
        if primary is not None:
            if primary.get("rolloutState") == "IN_PROGRESS":
                _progress(backend, service, primary)
            elif primary.get("rolloutState") == "COMPLETED":
                _scale(service, primary)
        sync_counts(backend, service)


def _advance_cluster(backend: EC2ContainerServiceBackend, cluster_str: str | None) -> None:
    try:
        cluster = backend._get_cluster(cluster_str or "default")  # pylint: disable=protected-access
    except ClusterNotFoundException:  # moto's own call reports it
        return
    for service in list(backend.services.values()):
        if service.cluster_name == cluster.name:
            advance(backend, service)


def _load_balancer_identity(load_balancer: dict[str, Any]) -> dict[str, Any]:
    """A load balancer entry as a deployment trigger: a blue/green pair is one whichever of the two target groups
    takes production traffic now (ECS swaps them at each deployment; ecs_deployment_strategies)."""
    identity = copy.deepcopy(load_balancer)
    advanced = identity.get("advancedConfiguration") or {}
    if advanced.get("alternateTargetGroupArn"):
        pair = sorted(str(arn) for arn in (identity.get("targetGroupArn"), advanced.pop("alternateTargetGroupArn")))
        identity["targetGroupArn"] = pair
    return identity


def _triggers(backend: EC2ContainerServiceBackend, service: Service) -> tuple[Any, ...]:
    values = {name: copy.deepcopy(getattr(service, name, None)) for name in _DEPLOYMENT_TRIGGERS}
    values["task_definition"] = _resolved_task_definition(backend, values["task_definition"])
    values["load_balancers"] = [_load_balancer_identity(item) for item in values["load_balancers"] or []]
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
                _state(primary)["scaled_at"] = realism.now()
                if desired > primary.get("runningCount", 0):  # new tasks to launch; a scale-in is not waited for
                    realism.record("ecs.rollout", _state(primary)["seconds"], updated.arn)
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
