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
* A deleted service's tasks take a while to stop after the service itself is ``INACTIVE`` (their containers get
  ``SIGTERM``, then ``SIGKILL`` after the stop timeout, 30 s by default -- ECS developer guide, task lifecycle, and
  container definition ``stopTimeout``): meanwhile DeleteCluster answers ``ClusterContainsTasksException``
  (terraform-provider-aws internal/service/ecs/cluster.go retries it for 10 minutes).

moto 5.2.5: CreateService with an existing name silently replaces the service (new deployments, tags gone) whatever
its state and token; DeleteService marks it ``INACTIVE`` at once (keeping its desired count); UpdateService and
DeleteService accept an ``INACTIVE`` service; ListServices lists deleted services.

The patch keeps the ``clientToken`` of the request (a wrapper of ``EC2ContainerServiceResponse.create_service``) on
the service and checks an existing service before moto's ``create_service`` replaces it; DeleteService, after moto's
own checks (a desired count above 0 still needs ``force``), leaves the service ``DRAINING`` with a desired count of
0, after which it is ``INACTIVE`` with no running tasks. How long it drains is fixed when the deletion starts:
``realism.seconds("ecs.draining")`` -- ``EMULATOR_ECS_DRAINING_SECONDS`` when set, AWS's typical figure times the
time scale in realistic mode, else 2 seconds. In realistic mode, a service deleted with tasks (running or pending)
also keeps tasks stopping for ``realism.lingers("ecs.tasks_stopping")`` after it is ``INACTIVE``
(``tasks_stopping()``, which ecs_cluster_contains_services reads; 0 in plain mode). The transition is made by a
``status`` property on moto's ``Service``, so every reader (the serializer, other extensions such as
ecs_cluster_contains_services) sees the state of the moment without another API call.
"""

from __future__ import annotations

import contextvars
import functools
import threading
from typing import Any

from moto.ecs.exceptions import ECSException, InvalidParameterException
from moto.ecs.models import EC2ContainerServiceBackend, Service
from moto.ecs.responses import EC2ContainerServiceResponse

from emulator import realism
from emulator.extensions import _patching
from emulator.extensions._patching import Patch, added

DRAINING_SECONDS_VARIABLE = "EMULATOR_ECS_DRAINING_SECONDS"
DEFAULT_DRAINING_SECONDS = 2.0
NOT_IDEMPOTENT = "Creation of service was not idempotent."
STILL_DRAINING = "Unable to Start a service that is still Draining."

_STATUS = "_emulator_status"
_DRAIN = "_emulator_drain"  # realism.Timer of the draining, fixed when DeleteService starts it
_TASKS_STOP = "_emulator_tasks_stop"  # seconds the deleted service's tasks still stop once it is INACTIVE
_CLIENT_TOKEN = "_emulator_client_token"
_lock = threading.RLock()
_TOKEN: contextvars.ContextVar[str | None] = contextvars.ContextVar("ecs_create_service_client_token", default=None)


class ServiceNotActiveException(ECSException):
    def __init__(self) -> None:
        super().__init__("ServiceNotActiveException", "Service was not ACTIVE.")


def draining_seconds() -> float:
    """How long a service deleted now drains."""
    return realism.seconds("ecs.draining", plain=DEFAULT_DRAINING_SECONDS, variable=DRAINING_SECONDS_VARIABLE)


def tasks_stopping(service: Service) -> bool:
    """Whether a deleted service's tasks are still stopping: while it is DRAINING, and in realistic mode for
    ``realism.lingers("ecs.tasks_stopping")`` after it turned INACTIVE (when it had tasks to stop)."""
    with _lock:
        if service.status == "DRAINING":
            return True
        drain = service.__dict__.get(_DRAIN)
        linger = service.__dict__.get(_TASKS_STOP, 0.0)
        if drain is None or not linger:
            return False
        return realism.now() < drain.started + drain.duration + linger


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
        self.__dict__[_DRAIN] = realism.Timer(draining_seconds())


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
        had_tasks = bool((service.running_count or 0) + (service.pending_count or 0))
        deleted = original(self, cluster_name, service_name, *args, **kwargs)
        with _lock:
            deleted.__dict__[_TASKS_STOP] = realism.lingers("ecs.tasks_stopping") if had_tasks else 0.0
            deleted.status = "DRAINING"
            deleted.desired_count = 0
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
