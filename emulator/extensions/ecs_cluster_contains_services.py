"""ECS DeleteCluster: refuse to delete a cluster that still contains services, or tasks that are still stopping.

AWS answers DeleteCluster on a cluster with services that are not yet deleted (``ACTIVE`` or ``DRAINING``) with
``ClusterContainsServicesException`` ("You can't delete a cluster that contains services. First, update the service
to reduce its desired task count to 0, and then delete the service." -- ECS API reference, DeleteCluster, Errors) and
leaves the cluster ``ACTIVE``. moto 5.2.5's ``EC2ContainerServiceBackend.delete_cluster`` marks the cluster
``INACTIVE`` whatever it holds, so the services are orphaned in an inactive cluster and a teardown that deletes the
cluster before its services "succeeds" against the emulator and fails on AWS.

Once its services are ``INACTIVE``, AWS still refuses while the cluster has tasks that have not stopped:
``ClusterContainsTasksException`` "The Cluster cannot be deleted while Tasks are active." (ECS API reference,
DeleteCluster, Errors: "You can't delete a cluster that has active tasks."). The tasks of a service just deleted
take a while to stop after the service turned ``INACTIVE``, so terraform-provider-aws
internal/service/ecs/cluster.go ``resourceClusterDelete`` retries ``ClusterContainsTasksException`` (with
``ClusterContainsServicesException``) for 10 minutes. moto has neither refusal.

The wrapper looks the cluster up with moto's own ``_get_cluster`` (an unknown cluster is still
``ClusterNotFoundException``), refuses when one of moto's services of that cluster is ``ACTIVE`` or ``DRAINING``
(moto keys its services ``<cluster name>:<service name>`` and marks a deleted one ``INACTIVE``), then while the tasks
of one of its deleted services are still stopping, and otherwise hands over to moto unchanged. Those tasks are the
ones ecs_service_lifecycle makes in realistic mode when a service with tasks is deleted: ListTasks(desiredStatus=
STOPPED) lists them and DescribeTasks shows their ``lastStatus`` (``DEACTIVATING``, ``STOPPING``, ``DEPROVISIONING``)
until they are ``STOPPED``, ``realism.lingers("ecs.tasks_stopping")`` after the service turned ``INACTIVE``. The
refusal follows the same clock (``ecs_service_lifecycle.tasks_stopping`` of each service of the cluster, and
``ecs_service_lifecycle.stopping_tasks`` for those of a service replaced since by a new one of its name), so it ends
exactly when the last of them is ``STOPPED``: a poll of ListTasks and DescribeTasks sees what keeps the cluster. In
plain mode no task is left stopping once the service is ``INACTIVE``.

Not modelled: tasks started by RunTask, which AWS counts too (moto starts them ``RUNNING`` and moves them on at each
DescribeTasks whatever their desired status).
"""

from __future__ import annotations

import functools
from typing import Any

from moto.ecs.exceptions import ECSException
from moto.ecs.models import EC2ContainerServiceBackend

from emulator.extensions import _patching
from emulator.extensions._patching import Patch
from emulator.extensions.ecs_service_lifecycle import stopping_tasks, tasks_stopping

# Service states AWS counts as "contains services" (an INACTIVE service is deleted).
BLOCKING_SERVICE_STATES = ("ACTIVE", "DRAINING")
# AWS's messages for the errors.
MESSAGE = "The Cluster cannot be deleted while Services are active."
TASKS_MESSAGE = "The Cluster cannot be deleted while Tasks are active."


class ClusterContainsServicesException(ECSException):
    def __init__(self) -> None:
        super().__init__("ClusterContainsServicesException", MESSAGE)


class ClusterContainsTasksException(ECSException):
    def __init__(self) -> None:
        super().__init__("ClusterContainsTasksException", TASKS_MESSAGE)


def services_blocking_delete(backend: EC2ContainerServiceBackend, cluster_name: str) -> list[str]:
    """The names of the cluster's services that keep AWS from deleting it."""
    prefix = f"{cluster_name}:"
    return sorted(
        service.name
        for key, service in backend.services.items()
        if key.startswith(prefix) and getattr(service, "status", "ACTIVE") in BLOCKING_SERVICE_STATES
    )


def services_with_stopping_tasks(backend: EC2ContainerServiceBackend, cluster_name: str) -> list[str]:
    """The names of the cluster's deleted services whose tasks are still stopping, by the service's clock or as
    DescribeTasks shows them."""
    prefix = f"{cluster_name}:"
    names = {
        service.name for key, service in backend.services.items() if key.startswith(prefix) and tasks_stopping(service)
    }
    names.update(task.group.split(":", 1)[-1] for task in stopping_tasks(backend, cluster_name))
    return sorted(names)


def _refuse_with_services(original: Any) -> Any:
    @functools.wraps(original)
    def delete_cluster(self: EC2ContainerServiceBackend, cluster_str: str) -> Any:
        cluster = self._get_cluster(cluster_str)  # pylint: disable=protected-access
        if services_blocking_delete(self, cluster.name):
            raise ClusterContainsServicesException()
        if services_with_stopping_tasks(self, cluster.name):
            raise ClusterContainsTasksException()
        return original(self, cluster_str)

    return delete_cluster


PATCHES = (Patch(EC2ContainerServiceBackend, "delete_cluster", _refuse_with_services),)


def is_installed() -> bool:
    return _patching.installed(__name__, PATCHES)


def install() -> None:
    _patching.install(__name__, PATCHES)
