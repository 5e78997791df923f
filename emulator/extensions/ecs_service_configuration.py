"""ECS services keep the configuration CreateService and UpdateService are given, as AWS reports it.

moto 5.2.5's ``CreateService`` handler passes only some request members to the backend and drops the rest, and its
``UpdateService`` stores whatever it is given as is. Against the ECS API reference (CreateService, UpdateService,
Service, DeploymentConfiguration):

* ``deploymentConfiguration`` is dropped on create; DescribeServices then has none. AWS reports the given values
  over its defaults (``deploymentCircuitBreaker`` ``enable=false, rollback=false``, ``maximumPercent`` 200,
  ``minimumHealthyPercent`` 100 for a REPLICA service), and for a service of the ``ECS`` deployment controller also
  the deployment ``strategy`` (``ROLLING`` unless given; DeploymentConfiguration.strategy, added with ECS blue/green
  deployments in July 2025) and ``bakeTimeInMinutes`` 0: CreateService and DescribeServices answers of 2025-2026
  read ``{"deploymentCircuitBreaker": {"enable": false, "rollback": false}, "maximumPercent": 200,
  "minimumHealthyPercent": 100, "strategy": "ROLLING", "bakeTimeInMinutes": 0}``. UpdateService stores the given
  structure as is; AWS changes the members given and keeps the others.
* ``availabilityZoneRebalancing`` is dropped on create. AWS: "For create service requests, when no value is specified
  for AvailabilityZoneRebalancing, Amazon ECS defaults the value to ENABLED" (CreateService; since 30 June 2025, for
  services "compatible with the feature": not for those placing tasks with the ``binpack`` strategy, nor DAEMON
  services, which get DISABLED); "For update service requests, when no value is specified ... Amazon ECS defaults to
  the existing service's AvailabilityZoneRebalancing value" (moto keeps it, as it keeps any attribute not given).
* ``healthCheckGracePeriodSeconds``, ``enableExecuteCommand`` and ``enableECSManagedTags`` are dropped on create. AWS
  reports the given values, ``false`` for the two flags when not given, and a grace period of 0 for a service with
  load balancers when none is given.
* ``capacityProviderStrategy`` is dropped on create and the service gets ``launchType`` EC2. AWS keeps the strategy
  (and then reports no launch type), refuses a launch type together with a strategy, and, when neither is given,
  uses the cluster's default capacity provider strategy. UpdateService stores a new strategy but keeps the launch
  type; AWS drops the launch type, and an empty list moves the service back to a launch type ("Update the Auto
  Scaling group or Fargate capacity provider back to the launch type. Pass an empty list").
* ``platformVersion`` is reported only when given; AWS reports ``LATEST`` for a Fargate service without one (and the
  version it resolved, 1.4.0 today, in the deployments).
* UpdateService stores ``taskDefinition`` as given (``family:revision`` or ``family``); AWS reports the ARN.
* Services have no ``createdAt``.
* A deployment configuration or load balancers that cannot deploy (a blue/green, linear or canary service without
  its alternate target group and listener rule, a percent or bake out of range, the configuration of another
  strategy) are accepted; AWS refuses them with ``InvalidParameterException`` before anything changes
  (``ecs_deployment_strategies.check_deployment_configuration`` says which and why).

The patch wraps ``EC2ContainerServiceResponse.create_service`` to keep the request's members for the duration of the
call (a context variable, so the backend signature moto's own callers use is untouched), and wraps
``EC2ContainerServiceBackend.create_service`` and ``update_service`` to check the launch type and strategy before
moto acts and to store the rest on moto's ``Service`` after it did, under the attribute names moto's serializer
reads.
"""

from __future__ import annotations

import contextvars
import copy
import functools
import inspect
from typing import Any

from moto.core.utils import utcnow
from moto.ecs.exceptions import InvalidParameterException
from moto.ecs.models import EC2ContainerServiceBackend, Service
from moto.ecs.responses import EC2ContainerServiceResponse

from emulator.extensions import _patching
from emulator.extensions._patching import Patch
from emulator.extensions.ecs_deployment_strategies import check_deployment_configuration

# DescribeServices of a REPLICA service created without a deployment configuration.
DEFAULT_DEPLOYMENT_CONFIGURATION: dict[str, Any] = {
    "deploymentCircuitBreaker": {"enable": False, "rollback": False},
    "maximumPercent": 200,
    "minimumHealthyPercent": 100,
    "strategy": "ROLLING",
    "bakeTimeInMinutes": 0,
}
# The members above that only a service of the ECS deployment controller (rolling, blue/green ...) reports.
ECS_CONTROLLER_ONLY = ("strategy", "bakeTimeInMinutes")
AZ_REBALANCING_ENABLED = "ENABLED"
AZ_REBALANCING_DISABLED = "DISABLED"
FARGATE_CAPACITY_PROVIDERS = ("FARGATE", "FARGATE_SPOT")
LATEST = "LATEST"
# What LATEST resolves to for Linux tasks today; AWS reports it in the deployments.
LATEST_LINUX_PLATFORM_VERSION = "1.4.0"
BOTH_MESSAGE = (
    "Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again."
)

# The CreateService request being handled, for the backend wrapper (None outside a request: CloudFormation, tests).
_REQUEST: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "ecs_create_service_request", default=None
)


def current_request() -> dict[str, Any]:
    return _REQUEST.get() or {}


def default_deployment_configuration(controller: str = "ECS") -> dict[str, Any]:
    """What a new service of the ``controller`` deployment controller reports when given no deployment configuration."""
    result = copy.deepcopy(DEFAULT_DEPLOYMENT_CONFIGURATION)
    if controller != "ECS":
        for key in ECS_CONTROLLER_ONLY:
            del result[key]
    return result


def merged_deployment_configuration(
    current: dict[str, Any] | None, given: dict[str, Any] | None, controller: str = "ECS"
) -> dict[str, Any]:
    """The deployment configuration after ``given`` is applied over ``current`` (members not given are kept)."""
    result = copy.deepcopy(current) if current else default_deployment_configuration(controller)
    for key, value in (given or {}).items():
        if value is not None:
            result[key] = copy.deepcopy(value)
    return result


def default_az_rebalancing(placement_strategy: list[dict[str, Any]] | None, scheduling_strategy: str | None) -> str:
    """availabilityZoneRebalancing of a service created without one: ENABLED when the service can use it."""
    binpack = any(item.get("type") == "binpack" for item in placement_strategy or [])
    return AZ_REBALANCING_DISABLED if binpack or scheduling_strategy == "DAEMON" else AZ_REBALANCING_ENABLED


def _controller(service: Service) -> str:
    return (getattr(service, "deployment_controller", None) or {}).get("type") or "ECS"


def normalized_strategy(strategy: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """A capacity provider strategy as AWS reports it: base and weight always present."""
    return [
        {
            "capacityProvider": item["capacityProvider"],
            "weight": int(item.get("weight") or 0),
            "base": int(item.get("base") or 0),
        }
        for item in strategy or []
    ]


def is_fargate(launch_type: str | None, strategy: list[dict[str, Any]] | None) -> bool:
    if strategy:
        return all(item.get("capacityProvider") in FARGATE_CAPACITY_PROVIDERS for item in strategy)
    return launch_type == "FARGATE"


def _resolved_platform_version(version: str | None) -> str | None:
    return LATEST_LINUX_PLATFORM_VERSION if version == LATEST else version


def _apply_to_deployments(service: Service, **fields: Any) -> None:
    for deployment in getattr(service, "deployments", None) or []:
        deployment.update(copy.deepcopy(fields))


def _keep_request(original: Any) -> Any:
    @functools.wraps(original)
    def create_service(self: EC2ContainerServiceResponse) -> Any:
        token = _REQUEST.set(self._get_params())  # pylint: disable=protected-access
        try:
            return original(self)
        finally:
            _REQUEST.reset(token)

    return create_service


def _create_with_configuration(original: Any) -> Any:
    signature = inspect.signature(original)

    @functools.wraps(original)
    def create_service(
        self: EC2ContainerServiceBackend, cluster_str: str, service_name: str, *args: Any, **kwargs: Any
    ) -> Any:
        request = current_request()
        strategy = request.get("capacityProviderStrategy")
        launch_type = signature.bind(self, cluster_str, service_name, *args, **kwargs).arguments.get("launch_type")
        if launch_type and strategy:
            raise InvalidParameterException(BOTH_MESSAGE)
        controller = (request.get("deploymentController") or {}).get("type") or "ECS"
        check_deployment_configuration(
            merged_deployment_configuration(None, request.get("deploymentConfiguration"), controller),
            request.get("deploymentConfiguration"),
            request.get("loadBalancers"),
            controller,
            self.account_id,
            self.region_name,
            request.get("serviceConnectConfiguration"),
        )
        if not launch_type and not strategy and request:
            cluster = self._get_cluster(cluster_str)  # pylint: disable=protected-access
            strategy = getattr(cluster, "default_capacity_provider_strategy", None) or None

        service = original(self, cluster_str, service_name, *args, **kwargs)
        if getattr(service, "_emulator_configured", False):  # an existing service answered (idempotent create)
            return service
        service._emulator_configured = True  # pylint: disable=protected-access
        service.created_at = getattr(service, "created_at", None) or utcnow()
        service.deployment_configuration = merged_deployment_configuration(
            None, request.get("deploymentConfiguration"), _controller(service)
        )
        service.availability_zone_rebalancing = request.get("availabilityZoneRebalancing") or default_az_rebalancing(
            request.get("placementStrategy"), getattr(service, "scheduling_strategy", None)
        )
        grace = request.get("healthCheckGracePeriodSeconds")
        if grace is None and service.load_balancers:
            grace = 0
        service.health_check_grace_period_seconds = grace
        service.enable_execute_command = bool(request.get("enableExecuteCommand", False))
        service.enable_ecs_managed_tags = bool(request.get("enableECSManagedTags", False))
        if strategy:
            service.capacity_provider_strategy = normalized_strategy(strategy)
            service.launch_type = None
            _apply_to_deployments(service, launchType=None, capacityProviderStrategy=service.capacity_provider_strategy)
        if service.platform_version is None and is_fargate(
            service.launch_type, getattr(service, "capacity_provider_strategy", None)
        ):
            service.platform_version = LATEST
        if service.platform_version is not None:
            _apply_to_deployments(service, platformVersion=_resolved_platform_version(service.platform_version))
        return service

    return create_service


def _update_with_configuration(original: Any) -> Any:
    @functools.wraps(original)
    def update_service(self: EC2ContainerServiceBackend, service_properties: dict[str, Any]) -> Any:
        service = self._get_service(  # pylint: disable=protected-access
            service_properties.get("cluster", "default"), service_properties["service"].split("/")[-1]
        )
        deployment_configuration = copy.deepcopy(getattr(service, "deployment_configuration", None))
        given_configuration = service_properties.get("deployment_configuration")
        given_load_balancers = service_properties.get("load_balancers")
        if service.status == "ACTIVE" and (given_configuration is not None or given_load_balancers is not None):
            check_deployment_configuration(
                merged_deployment_configuration(deployment_configuration, given_configuration, _controller(service)),
                given_configuration,
                given_load_balancers if given_load_balancers is not None else service.load_balancers,
                _controller(service),
                self.account_id,
                self.region_name,
                service_properties.get("service_connect_configuration")
                or getattr(service, "service_connect_configuration", None),
            )
        strategy = service_properties.get("capacity_provider_strategy")
        previous_strategy = copy.deepcopy(getattr(service, "capacity_provider_strategy", None))
        task_definition = service_properties.get("task_definition")

        updated = original(self, service_properties)

        if service_properties.get("deployment_configuration") is not None:
            updated.deployment_configuration = merged_deployment_configuration(
                deployment_configuration, service_properties["deployment_configuration"], _controller(updated)
            )
        if strategy is not None:
            if strategy:
                updated.capacity_provider_strategy = normalized_strategy(strategy)
                updated.launch_type = None
            else:  # back to a launch type: the one the strategy's capacity ran on
                updated.capacity_provider_strategy = None
                updated.launch_type = "FARGATE" if is_fargate(None, previous_strategy) else "EC2"
        if task_definition:
            updated.task_definition = self.describe_task_definition(task_definition).arn
        return updated

    return update_service


# The order in which this and the other ECS service extensions wrap these methods: WRAP_ORDER in __init__.py.
PATCHES = (
    Patch(EC2ContainerServiceResponse, "create_service", _keep_request),
    Patch(EC2ContainerServiceBackend, "create_service", _create_with_configuration),
    Patch(EC2ContainerServiceBackend, "update_service", _update_with_configuration),
)


def is_installed() -> bool:
    return _patching.installed(__name__, PATCHES)


def install() -> None:
    _patching.install(__name__, PATCHES)
