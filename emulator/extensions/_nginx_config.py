"""An nginx whose configuration tree on EFS is empty serves nothing, so its health checks fail (used in realistic mode
by ``ecs_service_deployments``).

What AWS does: the official nginx image's only ``server`` is ``/etc/nginx/conf.d/default.conf`` (``nginx.conf``
includes ``conf.d/*.conf``); mount an empty EFS directory over ``conf.d`` and nginx starts with no server on the
container's port. The task reaches ``RUNNING``, then fails its checks:

* the container health check: failures during ``startPeriod`` (off by default) do not count, then ``retries`` failures
  (default 3) ``interval`` seconds apart (default 30) make the container unhealthy, and "for tasks that are part of a
  service, if the task reports as unhealthy then the task will be stopped and the service scheduler will replace it"
  (ECS API reference, HealthCheck, https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_HealthCheck.html;
  ECS developer guide, https://docs.aws.amazon.com/AmazonECS/latest/developerguide/healthcheck.html);
* the load balancer's target health check, once the service's ``healthCheckGracePeriodSeconds`` is over: the target
  group's ``HealthCheckIntervalSeconds`` times its ``UnhealthyThresholdCount`` (30 s and 2 by default).

The stopped task's ``stoppedReason`` is ``Task failed container health checks`` or ``Task failed ELB health checks in
(target-group <target group ARN>)``: the stopped reasons "Failed container health checks" and "Task failed ELB health
checks" of AWS's knowledge center (https://repost.aws/knowledge-center/ecs-task-stopped), in the full wording that
accounts show, e.g. aws/copilot-cli#3456 (``Task failed ELB health checks in (target-group
arn:aws:elasticloadbalancing:us-west-2:...:targetgroup/examp-Targe-BNN5THFBIYHD/1b16379bd7038558)``). No stop code is
specific to it (aws/containers-roadmap#612 asks for one: "Currently the only indication is the stoppedReason
message"); the service scheduler stops the task, so its ``stopCode`` is the API's ``ServiceSchedulerInitiated``. The
service's events say ``(service <name>) (task <id>) failed container health checks.`` (knowledge center,
https://repost.aws/knowledge-center/ecs-task-container-health-check-failures) or ``(service <name>) (task <id>) (port
<port>) is unhealthy in (target-group <arn>) due to (reason Health checks failed).`` (ECS developer guide,
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-unhealthy-event-messages.html), then ``has
stopped <n> running tasks``; the deployment circuit breaker counts these tasks as failed (its health-check stage,
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-circuit-breaker.html).

Which mounts count: an EFS volume mounted at ``/etc/nginx/conf.d`` by any container, or at ``/etc/nginx`` or below by
a container whose image names nginx. The volume's tree is the access point's ``RootDirectory.Path`` (moto's EFS)
joined with the volume's ``rootDirectory``; it is empty when ``emulator.efs_content`` holds no regular file under it
(after the content store's read hooks, so a DataSync transfer whose time has come counts). Whichever check fails first
on AWS's clock gives the reason (the container check on a tie). A container that neither check watches keeps running
on AWS, so it does not fail here either; nor does a volume whose file system or access point moto does not know (AWS
stops such a task with ``ResourceInitializationError``, not modelled).
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import Any, NamedTuple

from moto.efs.models import efs_backends
from moto.elbv2.models import elbv2_backends

from emulator import efs_content

CONFIG_DIRECTORY = "/etc/nginx"
CONF_D = "/etc/nginx/conf.d"
CONTAINER_REASON = "Task failed container health checks"
ELB_REASON = "Task failed ELB health checks in (target-group {arn})"
STOP_CODE = "ServiceSchedulerInitiated"
# AWS's defaults: HealthCheck interval, retries and startPeriod (off); an HTTP target group's interval and threshold.
HEALTH_CHECK_DEFAULTS = {"interval": 30, "retries": 3, "startPeriod": 0}
TARGET_GROUP_DEFAULTS = (30, 2)


class Unhealthy(NamedTuple):
    reason: str  # the stopped task's stoppedReason
    seconds: float  # on AWS's clock (time scale 1): how long a task runs before ECS stops it


def config_mounts(definition: Any) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """(container definition, efsVolumeConfiguration) of each EFS volume mounted at nginx's configuration."""
    volumes = {volume.get("name"): volume.get("efsVolumeConfiguration") for volume in definition.volumes or []}
    for container in definition.container_definitions:
        names_nginx = "nginx" in str(container.get("image") or "").lower()
        for mount in container.get("mountPoints") or []:
            efs = volumes.get(mount.get("sourceVolume"))
            path = posixpath.normpath(str(mount.get("containerPath") or "/"))
            if efs and (path == CONF_D or (names_nginx and efs_content.is_under(path, CONFIG_DIRECTORY))):
                yield container, efs


def is_empty(account_id: str, region: str, efs: dict[str, Any]) -> bool:
    """Whether the volume's tree holds no regular file; False when moto knows no such file system or access point."""
    backend = efs_backends[account_id][region]
    file_system = backend.file_systems_by_id.get(efs.get("fileSystemId"))
    access_point_id = (efs.get("authorizationConfig") or {}).get("accessPointId")
    access_point = backend.access_points.get(access_point_id) if access_point_id else None
    if file_system is None or (access_point_id and access_point is None):
        return False
    root = (access_point.root_directory or {}).get("Path") if access_point is not None else "/"
    try:
        tree = efs_content.join(root or "/", efs.get("rootDirectory") or "/")
    except efs_content.PathError:
        return False
    efs_content.run_read_hooks()
    return not efs_content.content_of_file_system(file_system).files_under(tree)


def _target_group_seconds(account_id: str, region: str, arn: str) -> float:
    target_group = elbv2_backends[account_id][region].target_groups.get(arn)
    if target_group is None:
        interval, threshold = TARGET_GROUP_DEFAULTS
    else:
        interval, threshold = target_group.health_check_interval_seconds, target_group.unhealthy_threshold_count
    return float(interval) * int(threshold)


def health_failure(service: Any, definition: Any, account_id: str, region: str) -> Unhealthy | None:
    """How ``service``'s tasks of ``definition`` fail when an nginx configuration tree is empty; None otherwise."""
    for container, efs in config_mounts(definition):
        if not is_empty(account_id, region, efs):
            continue
        failures = []
        if isinstance(container.get("healthCheck"), dict):
            check = {**HEALTH_CHECK_DEFAULTS, **{k: v for k, v in container["healthCheck"].items() if v is not None}}
            failures.append(Unhealthy(CONTAINER_REASON, check["startPeriod"] + check["interval"] * check["retries"]))
        grace = getattr(service, "health_check_grace_period_seconds", None) or 0
        for balancer in getattr(service, "load_balancers", None) or []:
            arn = balancer.get("targetGroupArn")
            if arn and balancer.get("containerName") == container.get("name"):
                seconds = grace + _target_group_seconds(account_id, region, arn)
                failures.append(Unhealthy(ELB_REASON.format(arn=arn), seconds))
        if failures:
            return min(failures, key=lambda failure: failure.seconds)
    return None


def is_unhealthy(reason: str) -> bool:
    """Whether ``reason`` is a stoppedReason of this module's (the task ran, then failed its health checks)."""
    return reason == CONTAINER_REASON or reason.startswith(ELB_REASON.split("{", 1)[0])


def events(service: Any, task_ids: list[str], count: int, reason: str) -> list[str]:
    """The service events, oldest first, reporting ``count`` tasks (``task_ids`` among them) stopped for ``reason``."""
    name = service.name
    if reason == CONTAINER_REASON:
        unhealthy = [f"(service {name}) (task {task_id}) failed container health checks." for task_id in task_ids]
    else:
        balancer = next(
            (lb for lb in service.load_balancers or [] if reason == ELB_REASON.format(arn=lb.get("targetGroupArn"))),
            {},
        )
        unhealthy = [
            f"(service {name}) (task {task_id}) (port {balancer.get('containerPort')}) is unhealthy in (target-group"
            f" {balancer.get('targetGroupArn')}) due to (reason Health checks failed)."
            for task_id in task_ids
        ]
    listed = "".join(f" (task {task_id})" for task_id in task_ids)
    stopped = f"(service {name}) has stopped {count} running tasks:{listed}." if listed else (
        f"(service {name}) has stopped {count} running tasks."
    )
    return [*unhealthy, stopped]
