"""ECS service lifecycle: idempotent CreateService, DeleteService through DRAINING to INACTIVE, no changes once deleted.

What AWS does (ECS API reference: CreateService, DeleteService, UpdateService, ListServices):

* CreateService with the name of a service that exists: when that service is ``ACTIVE`` and the request carries the
  ``clientToken`` it was created with, the existing service is the answer (the token "ensures the idempotency of the
  request"); otherwise ``InvalidParameterException`` "Creation of service was not idempotent." When the service is
  ``DRAINING``: ``InvalidParameterException`` "Unable to Start a service that is still Draining." ("If you attempt
  to create a new service with the same name as an existing service in either ACTIVE or DRAINING status, you receive
  an error."). An ``INACTIVE`` one is replaced by the new service.
* DeleteService moves the service to ``DRAINING`` while its tasks stop, then to ``INACTIVE``; DescribeServices keeps
  describing it, ListServices no longer lists it. The desired count is then 0.
* UpdateService and DeleteService on a service that is not ``ACTIVE``: ``ServiceNotActiveException``.
* A deleted service's tasks stop on their own schedule. DeleteService sets their desired status to ``STOPPED`` at
  once, with ``stopCode`` ``ServiceSchedulerInitiated`` and the ``stoppedReason`` the service scheduler gives a task
  it scales in, ``Scaling activity initiated by (deployment ecs-svc/...)`` (ECS API reference, Task: stopCode,
  stoppedReason, stoppingAt; ECS developer guide, "Amazon ECS stopped task errors": "Scaling activity initiated by
  (deployment deployment-id)"); their ``lastStatus`` then goes ``DEACTIVATING`` (load balancer targets deregistered), ``STOPPING``
  (containers get ``SIGTERM``, then ``SIGKILL`` after the stop timeout, 30 s by default), ``DEPROVISIONING`` (the
  Fargate network interface detached) and ``STOPPED`` (ECS developer guide, "Amazon ECS task lifecycle", and container
  definition ``stopTimeout``). Meanwhile ListTasks(desiredStatus=STOPPED) lists them ("limits the results to tasks
  that Amazon ECS has set the desired status to STOPPED", ECS API reference, ListTasks) and DescribeTasks describes
  them. They are not all ``STOPPED`` when the service turns ``INACTIVE``, and until they are DeleteCluster answers
  ``ClusterContainsTasksException`` ("You can't delete a cluster that has active tasks", ECS API reference,
  DeleteCluster; terraform-provider-aws internal/service/ecs/cluster.go retries it for 10 minutes).

moto 5.2.5: CreateService with an existing name silently replaces the service (new deployments, tags gone) whatever
its state and token; DeleteService marks it ``INACTIVE`` at once (keeping its desired count); UpdateService and
DeleteService accept an ``INACTIVE`` service; ListServices lists deleted services.

The patch keeps the ``clientToken`` of the request (a wrapper of ``EC2ContainerServiceResponse.create_service``) on
the service and checks an existing service before moto's ``create_service`` replaces it; DeleteService, after moto's
own checks (a desired count above 0 still needs ``force``), leaves the service ``DRAINING`` with a desired count of
0, after which it is ``INACTIVE`` with no running tasks. How long it drains is fixed when the deletion starts:
``realism.seconds("ecs.draining")`` -- ``EMULATOR_ECS_DRAINING_SECONDS`` when set, AWS's typical figure times the
time scale in realistic mode, else 2 seconds. In realistic mode, a service deleted with tasks (running or pending)
gets as many tasks stopping (``StoppingTask``: moto's own tasks, made by ecs_service_deployments' ``_stopped_task`` in
moto's task store of the cluster, so moto's ListTasks and DescribeTasks find them), group ``service:<name>``, started
by and stopped for its primary deployment, desired status ``STOPPED``. Their ``lastStatus`` follows the deletion's
clock (``deleted_tasks_status``): ``DEACTIVATING`` while the service drains, then ``STOPPING`` and ``DEPROVISIONING``
for half of ``realism.lingers("ecs.tasks_stopping")`` each, then ``STOPPED`` (with ``stoppedAt``); their containers
are ``RUNNING`` until the task leaves ``STOPPING``, their network interface attachment (``awsvpc``) ``ATTACHED``,
``DETACHING`` while ``DEPROVISIONING``, then ``DELETED``. ``tasks_stopping()`` (while they are not ``STOPPED``; while
the service drains for any deleted service) and ``stopping_tasks()`` are what ecs_cluster_contains_services refuses
DeleteCluster on, so the refusal ends exactly when they are ``STOPPED``. In plain mode the linger is 0: no task is
made, and a deleted service's tasks stop the moment it is ``INACTIVE``, as before. The transitions are made by
properties (``status`` on moto's ``Service``, ``lastStatus`` on ``StoppingTask``), so every reader (the serializer,
other extensions such as ecs_cluster_contains_services) sees the state of the moment without another API call.

Not modelled: the tasks of a service before it is deleted (ecs_service_deployments counts them and lists none); the
network interface of a stopping task (its attachment names none: ec2_lingering_interfaces keeps a deleted service's
interfaces for as long as it drains, plus its own lingering); the stopping tasks of a service without a deployment
(an external deployment controller) or whose task definition was deleted before it: none is listed, but
DeleteCluster still refuses for the service's time.
"""

from __future__ import annotations

import contextvars
import datetime
import functools
import threading
from typing import Any

from moto.ecs.exceptions import ECSException, InvalidParameterException
from moto.ecs.models import EC2ContainerServiceBackend, Service, Task
from moto.ecs.responses import EC2ContainerServiceResponse

from emulator import realism
from emulator.extensions import _patching
from emulator.extensions._patching import Patch, added
from emulator.extensions.ecs_service_deployments import _stopped_task

DRAINING_SECONDS_VARIABLE = "EMULATOR_ECS_DRAINING_SECONDS"
DEFAULT_DRAINING_SECONDS = 2.0
NOT_IDEMPOTENT = "Creation of service was not idempotent."
STILL_DRAINING = "Unable to Start a service that is still Draining."
# A deleted service's tasks: the stop code and reason AWS gives a task the service scheduler stops, and the lastStatus
# they go through after RUNNING (ECS developer guide, "Amazon ECS task lifecycle").
STOP_CODE = "ServiceSchedulerInitiated"
STOPPED_REASON = "Scaling activity initiated by (deployment {deployment})"
STOPPING_STATES = ("DEACTIVATING", "STOPPING", "DEPROVISIONING", "STOPPED")
# The status of a stopping task's network interface attachment, by the task's lastStatus (DELETED once STOPPED).
_ATTACHMENT_STATUS = {"DEACTIVATING": "ATTACHED", "STOPPING": "ATTACHED", "DEPROVISIONING": "DETACHING"}

_STATUS = "_emulator_status"
_DRAIN = "_emulator_drain"  # realism.Timer of the draining, fixed when DeleteService starts it
_TASKS_STOP = "_emulator_tasks_stop"  # seconds the deleted service's tasks still stop once it is INACTIVE
_CLIENT_TOKEN = "_emulator_client_token"
_SERVICE = "_emulator_service"  # the deleted service a StoppingTask belongs to
_lock = threading.RLock()
_TOKEN: contextvars.ContextVar[str | None] = contextvars.ContextVar("ecs_create_service_client_token", default=None)


class ServiceNotActiveException(ECSException):
    def __init__(self) -> None:
        super().__init__("ServiceNotActiveException", "Service was not ACTIVE.")


def draining_seconds() -> float:
    """How long a service deleted now drains."""
    return realism.seconds("ecs.draining", plain=DEFAULT_DRAINING_SECONDS, variable=DRAINING_SECONDS_VARIABLE)


def deleted_tasks_status(service: Service) -> str:
    """The lastStatus of a deleted service's tasks now: DEACTIVATING while it drains, then STOPPING and DEPROVISIONING
    for half of the ``realism.lingers("ecs.tasks_stopping")`` fixed at its deletion each, STOPPED after (at once when it
    had no tasks, in plain mode, and for a service that was never deleted)."""
    with _lock:
        if service.status == "DRAINING":
            return "DEACTIVATING"
        drain = service.__dict__.get(_DRAIN)
        linger = service.__dict__.get(_TASKS_STOP, 0.0)
        if drain is None or not linger:
            return "STOPPED"
        left = drain.started + drain.duration + linger - realism.now()
        if left <= 0:
            return "STOPPED"
        return "STOPPING" if left > linger / 2 else "DEPROVISIONING"


def tasks_stopping(service: Service) -> bool:
    """Whether a deleted service's tasks are still stopping: while it is DRAINING, and in realistic mode for
    ``realism.lingers("ecs.tasks_stopping")`` after it turned INACTIVE (when it had tasks to stop) -- as long as its
    ``StoppingTask`` entries are not STOPPED."""
    return deleted_tasks_status(service) != "STOPPED"


class StoppingTask(Task):
    """A task of a deleted service on its way to STOPPED: one of moto's own tasks, made as ecs_service_deployments
    makes a service's stopped tasks (so moto's ListTasks and DescribeTasks serve it), whose lastStatus follows the
    service's deletion (``deleted_tasks_status``) instead of moto's transitions, which StopTask and every DescribeTasks
    would move on. Its containers, its network interface attachment and ``stoppedAt`` follow."""

    @classmethod
    def of(cls, task: Task, service: Service) -> StoppingTask:
        """``task`` (a STOPPED task of ``service``'s primary deployment), stopping from now on the service's clock."""
        task.__class__ = cls
        vars(task)[_SERVICE] = service
        task.stop_code = STOP_CODE
        return task

    @property
    def status(self) -> str:  # moto's ManagedState status, which Task.last_status reads
        return deleted_tasks_status(self.__dict__[_SERVICE])

    @status.setter
    def status(self, value: str) -> None:
        del value  # set by moto (StopTask): the service's clock decides

    @property
    def containers(self) -> list[Any]:
        running = self.status in STOPPING_STATES[:2]
        containers = self.__dict__["containers"]
        for container in containers:
            container.last_status = "RUNNING" if running else "STOPPED"
            container.exitCode = None if running else 0
            container.reason = None
        return containers

    @containers.setter
    def containers(self, value: list[Any]) -> None:
        self.__dict__["containers"] = value

    @property
    def attachments(self) -> list[dict[str, Any]]:
        status = self.status
        attachments = self.__dict__["attachments"]
        for attachment in attachments:
            attachment["status"] = _ATTACHMENT_STATUS.get(status, "DELETED")
        return attachments

    @attachments.setter
    def attachments(self, value: list[dict[str, Any]]) -> None:
        self.__dict__["attachments"] = value

    @property
    def stopped_at(self) -> datetime.datetime | None:
        if self.status != "STOPPED":
            return None
        service = self.__dict__[_SERVICE]
        drain = service.__dict__[_DRAIN]
        return self.stopping_at + datetime.timedelta(seconds=drain.duration + service.__dict__[_TASKS_STOP])


def stopping_tasks(backend: EC2ContainerServiceBackend, cluster_name: str) -> list[StoppingTask]:
    """The cluster's tasks of deleted services that are not yet STOPPED (those of a service replaced since by a new one
    of its name included)."""
    with _lock:
        tasks = list((backend.tasks.get(cluster_name) or {}).values())
    return [task for task in tasks if isinstance(task, StoppingTask) and task.last_status != "STOPPED"]


def _make_stopping_tasks(backend: EC2ContainerServiceBackend, service: Service, count: int) -> None:
    """``count`` StoppingTask entries of the service just deleted, in moto's task store of its cluster; none when it has
    no primary deployment or ``_stopped_task`` cannot make one (its cluster or task definition gone)."""
    deployment = next((d for d in service.deployments or [] if d.get("status") == "PRIMARY"), None)
    if deployment is None:
        return
    reason = STOPPED_REASON.format(deployment=deployment["id"])
    made = {_stopped_task(backend, service, deployment, reason) for _ in range(count)}
    for task in list((backend.tasks.get(service.cluster_name) or {}).values()):
        if task.id in made:
            StoppingTask.of(task, service)


def _finish_draining(service: Service) -> None:
    service.__dict__[_STATUS] = "INACTIVE"
    service.running_count = 0
    service.pending_count = 0
    for deployment in getattr(service, "deployments", None) or []:
        deployment["runningCount"] = 0
        deployment["pendingCount"] = 0


def _get_status(self: Service) -> str:
    with _lock:
        status = self.__dict__.get(_STATUS, self.__dict__.get("status", "ACTIVE"))
        if status == "DRAINING":
            drain = self.__dict__.get(_DRAIN)
            if drain is None or drain.done:
                _finish_draining(self)
                status = "INACTIVE"
        return status


def _set_status(self: Service, value: str) -> None:
    self.__dict__[_STATUS] = value
    if value == "DRAINING":
        drain = self.__dict__[_DRAIN] = realism.Timer(draining_seconds())
        realism.record("ecs.draining", drain.duration, self.arn, drain.started)


STATUS_PROPERTY = property(
    _get_status, _set_status, doc="ACTIVE, DRAINING (for a while after DeleteService) or INACTIVE"
)


# --------------------------------------------------------------------------- wrappers


def _keep_token(original: Any) -> Any:
    @functools.wraps(original)
    def create_service(self: EC2ContainerServiceResponse) -> Any:
        token = _TOKEN.set(self._get_param("clientToken"))  # pylint: disable=protected-access
        try:
            return original(self)
        finally:
            _TOKEN.reset(token)

    return create_service


def _create_once(original: Any) -> Any:
    @functools.wraps(original)
    def create_service(
        self: EC2ContainerServiceBackend, cluster_str: str, service_name: str, *args: Any, **kwargs: Any
    ) -> Any:
        cluster = self._get_cluster(cluster_str)  # pylint: disable=protected-access
        token = _TOKEN.get()
        existing = self.services.get(f"{cluster.name}:{service_name}")
        if existing is not None:
            status = existing.status
            if status == "ACTIVE":
                if token and token == getattr(existing, _CLIENT_TOKEN, None):
                    return existing
                raise InvalidParameterException(NOT_IDEMPOTENT)
            if status == "DRAINING":
                raise InvalidParameterException(STILL_DRAINING)
        service = original(self, cluster_str, service_name, *args, **kwargs)
        setattr(service, _CLIENT_TOKEN, token)
        return service

    return create_service


def _delete_draining(original: Any) -> Any:
    @functools.wraps(original)
    def delete_service(
        self: EC2ContainerServiceBackend, cluster_name: str, service_name: str, *args: Any, **kwargs: Any
    ) -> Any:
        service = self._get_service(cluster_name, service_name)  # pylint: disable=protected-access
        if service.status != "ACTIVE":
            raise ServiceNotActiveException()
        tasks = (service.running_count or 0) + (service.pending_count or 0)
        deleted = original(self, cluster_name, service_name, *args, **kwargs)
        with _lock:
            linger = realism.lingers("ecs.tasks_stopping") if tasks else 0.0
            deleted.__dict__[_TASKS_STOP] = linger
            deleted.status = "DRAINING"
            deleted.desired_count = 0
            if tasks:  # they stop once the draining is over
                drain = deleted.__dict__[_DRAIN]
                realism.record("ecs.tasks_stopping", linger, deleted.arn, drain.started + drain.duration)
            if linger:
                _make_stopping_tasks(self, deleted, tasks)
            for deployment in getattr(deleted, "deployments", None) or []:
                deployment["desiredCount"] = 0
                deployment["pendingCount"] = 0
        return deleted

    return delete_service


def _update_active_only(original: Any) -> Any:
    @functools.wraps(original)
    def update_service(self: EC2ContainerServiceBackend, service_properties: dict[str, Any]) -> Any:
        service = self._get_service(  # pylint: disable=protected-access
            service_properties.get("cluster", "default"), service_properties["service"].split("/")[-1]
        )
        if service.status != "ACTIVE":
            raise ServiceNotActiveException()
        return original(self, service_properties)

    return update_service


def _list_active_only(original: Any) -> Any:
    @functools.wraps(original)
    def list_services(self: EC2ContainerServiceBackend, *args: Any, **kwargs: Any) -> list[str]:
        arns = original(self, *args, **kwargs)
        active = {service.arn for service in self.services.values() if service.status == "ACTIVE"}
        return [arn for arn in arns if arn in active]

    return list_services


# The order in which this and the other ECS service extensions wrap these methods: WRAP_ORDER in __init__.py.
PATCHES = (
    Patch(Service, "status", added(STATUS_PROPERTY)),
    Patch(EC2ContainerServiceResponse, "create_service", _keep_token),
    Patch(EC2ContainerServiceBackend, "create_service", _create_once),
    Patch(EC2ContainerServiceBackend, "delete_service", _delete_draining),
    Patch(EC2ContainerServiceBackend, "update_service", _update_active_only),
    Patch(EC2ContainerServiceBackend, "list_services", _list_active_only),
)


def is_installed() -> bool:
    return _patching.installed(__name__, PATCHES)


def install() -> None:
    _patching.install(__name__, PATCHES)
