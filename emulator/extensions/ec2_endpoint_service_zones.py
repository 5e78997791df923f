"""VPC endpoint services that do not cover every Availability Zone, and the endpoints AWS refuses in the others.

What AWS does:

* DescribeVpcEndpointServices lists, for each service, the ``AvailabilityZones`` where an interface endpoint of it
  can have a network interface. They are not always all of the Region's zones: which are missing depends on the
  service and on the account (zone names map to different physical zones per account); the console shows "Service
  not supported in this Availability Zone" (AWS knowledge center, interface-endpoint-availability-zone).
* CreateVpcEndpoint with a subnet in a zone the service does not support answers ``InvalidParameter`` (HTTP 400)
  "The VPC endpoint service com.amazonaws.<region>.<service> does not support the availability zone of the subnet:
  subnet-xxxx." (terraform-aws-modules/terraform-aws-vpc issues 462 and 785 for email-smtp, awslabs/aws-orbit-workbench
  issue 320 for lambda, aws/aws-cdk issue 4912, aws/aws-sdk-go-v2 issue 1024 for a PrivateLink service, all with
  this text). ModifyVpcEndpoint adding such a subnet (``AddSubnetIds``) is refused the same way.

moto 5.2.5: every default endpoint service lists every zone of the Region (``BaseBackend.
default_vpc_endpoint_service_factory`` is given all of them), and CreateVpcEndpoint / ModifyVpcEndpoint never look at
a subnet's zone.

The patch keeps moto's answers until a test says otherwise, in plain and realistic mode alike (AWS's real zone support
is account-specific, so no zone is missing by default). The test control removes zones from a named service in one
account and Region:

* ``PUT /moto-api/emulator/vpc-endpoint-service-zones`` with a JSON body ``{"service_name": "com.amazonaws.us-east-1.
  email-smtp", "unsupported_zones": ["us-east-1a"], "region": "us-east-1", "account_id": "123456789012"}`` (region
  and account default to us-east-1 and moto's default account; zones by name or by ID, e.g. ``use1-az6``; an empty
  list supports every zone again) answers the service's settings and the ``AvailabilityZones`` it now lists; ``GET``
  answers every setting. An unknown service or zone is HTTP 400 with ``{"error": ...}``. moto's dispatcher sends
  every ``/moto-api/`` path to its own API app, built from ``moto.moto_api._internal.urls.url_paths`` at the first
  such request (ecr_layers adds its layer downloads the same way), so the route needs nothing in emulator/server.py,
  and the request counter leaves it uncounted. In-process code calls ``set_unsupported_zones`` (or ``control``, which
  a ``/_emulator/`` route could serve).
* Then DescribeVpcEndpointServices lists the service without those zones (copies: moto caches the default services of
  a Region for all accounts), and ``EC2Backend.create_vpc_endpoint`` and ``EC2Backend.modify_vpc_endpoint`` (its
  ``add_subnets``) refuse a subnet in a removed zone with AWS's error before moto creates anything. The settings live
  on the account's EC2 backend of the Region, so moto's reset clears them.
"""

from __future__ import annotations

import functools
import inspect
import json
import threading
from collections.abc import Callable, Iterable
from typing import Any

from moto.core import DEFAULT_ACCOUNT_ID
from moto.ec2.exceptions import EC2ClientError
from moto.ec2.models import EC2Backend, ec2_backends
from moto.ec2.models.availability_zones_and_regions import RegionsAndZonesBackend
from moto.moto_api._internal import urls as moto_api_urls

from emulator.extensions import _patching
from emulator.extensions._patching import Patch

CONTROL_PATH = "/moto-api/emulator/vpc-endpoint-service-zones"
# moto's url_paths syntax: "{0}" is the URL base.
CONTROL_ROUTE = "{0}" + CONTROL_PATH + "$"
DEFAULT_REGION = "us-east-1"

_STATE_ATTRIBUTE = "_emulator_unsupported_zones"
_LOCK = threading.RLock()


class ControlError(ValueError):
    """A control request that names no known service or zone."""


# --------------------------------------------------------------------------- state


def _settings(backend: EC2Backend) -> dict[str, frozenset[str]]:
    """Service name -> zone names the service does not support, for the backend's account and Region."""
    settings = backend.__dict__.get(_STATE_ATTRIBUTE)
    if settings is None:
        settings = {}
        setattr(backend, _STATE_ATTRIBUTE, settings)
    return settings


def unsupported_zones(backend: EC2Backend, service_name: str) -> frozenset[str]:
    """The zone names ``service_name`` does not support in the backend's account and Region (empty: every zone)."""
    return _settings(backend).get(service_name, frozenset())


def _zone_names(region: str, zones: Iterable[Any]) -> frozenset[str]:
    known = RegionsAndZonesBackend.zones.get(region, [])
    by_id = {zone.zone_id: zone.name for zone in known}
    names = {zone.name for zone in known}
    result = set()
    for zone in zones:
        if not isinstance(zone, str):
            raise ControlError(f"zones are names or IDs, not {zone!r}")
        if zone in names:
            result.add(zone)
        elif zone in by_id:
            result.add(by_id[zone])
        else:
            raise ControlError(f"{zone} is no Availability Zone of {region} (known: {', '.join(sorted(names))})")
    return frozenset(result)


def _backend(account_id: str, region: str) -> EC2Backend:
    try:
        return ec2_backends[account_id][region]
    except KeyError:
        raise ControlError(f"unknown region {region!r}") from None


def _listed_zones(backend: EC2Backend, service_name: str) -> list[str]:
    try:
        services = backend.describe_vpc_endpoint_services(
            service_names=[service_name], filters=[], max_results=None, next_token=None, region=backend.region_name
        )["servicesDetails"]
    except EC2ClientError as error:  # InvalidServiceName
        raise ControlError(error.message) from None
    return list(services[0].get("AvailabilityZones", [])) if services else []


def set_unsupported_zones(
    service_name: str, zones: Iterable[str], region: str = DEFAULT_REGION, account_id: str = DEFAULT_ACCOUNT_ID
) -> list[str]:
    """Make ``service_name`` unsupported in ``zones`` (names or IDs; empty: supported everywhere again) in the
    account and Region; returns the ``AvailabilityZones`` DescribeVpcEndpointServices now lists for it."""
    backend = _backend(account_id, region)
    names = _zone_names(region, zones)
    with _LOCK:
        _listed_zones(backend, service_name)  # InvalidServiceName for a service the Region does not offer
        settings = _settings(backend)
        if names:
            settings[service_name] = names
        else:
            settings.pop(service_name, None)
        return _listed_zones(backend, service_name)


def current_settings() -> list[dict[str, Any]]:
    """Every setting in force, for every account and Region."""
    found = []
    with _LOCK:
        for account_id, regions in list(ec2_backends.items()):
            for region, backend in list(regions.items()):
                for service_name, zones in sorted(backend.__dict__.get(_STATE_ATTRIBUTE, {}).items()):
                    found.append(
                        {
                            "account_id": account_id,
                            "region": region,
                            "service_name": service_name,
                            "unsupported_zones": sorted(zones),
                        }
                    )
    return found


def control(method: str, body: bytes | str | None) -> tuple[int, dict[str, Any]]:
    """The test control: ``GET`` answers every setting, ``PUT``/``POST`` sets one (see the module docstring).
    Returns an HTTP status and a JSON-serialisable answer, for a route to send."""
    if method == "GET":
        return 200, {"settings": current_settings()}
    if method not in ("PUT", "POST"):
        return 405, {"error": f"{method} is not supported; use GET or PUT"}
    try:
        request = json.loads(body or b"{}")
        if not isinstance(request, dict):
            raise ControlError("the body must be a JSON object")
        service_name = request.get("service_name")
        if not isinstance(service_name, str) or not service_name:
            raise ControlError("service_name is required")
        zones = request.get("unsupported_zones", [])
        if not isinstance(zones, list):
            raise ControlError("unsupported_zones must be a list")
        region = request.get("region") or DEFAULT_REGION
        account_id = str(request.get("account_id") or DEFAULT_ACCOUNT_ID)
        listed = set_unsupported_zones(service_name, zones, region, account_id)
    except (ControlError, json.JSONDecodeError) as error:
        return 400, {"error": str(error)}
    return 200, {
        "account_id": account_id,
        "region": region,
        "service_name": service_name,
        "unsupported_zones": sorted(unsupported_zones(_backend(account_id, region), service_name)),
        "availability_zones": listed,
    }


def serve_control(request: Any, full_url: str, headers: Any) -> tuple[int, dict[str, str], str]:
    """moto-api handler of ``CONTROL_PATH``."""
    status, answer = control(request.method, request.get_data())
    return status, {"Content-Type": "application/json"}, json.dumps(answer)


# --------------------------------------------------------------------------- what AWS lists and refuses


def _unsupported_zone_error(service_name: str, subnet_id: str) -> EC2ClientError:
    return EC2ClientError(
        "InvalidParameter",
        f"The VPC endpoint service {service_name} does not support the availability zone of the subnet: {subnet_id}.",
    )


def _check_subnets(backend: EC2Backend, service_name: str | None, subnet_ids: Iterable[str] | None) -> None:
    removed = unsupported_zones(backend, service_name or "")
    if not removed:
        return
    for subnet_id in subnet_ids or []:
        subnet = backend.get_subnet(subnet_id)  # InvalidSubnetID.NotFound, as moto would answer anyway
        if subnet.availability_zone in removed:
            raise _unsupported_zone_error(service_name or "", subnet_id)


def _listing_supported_zones(original: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    @functools.wraps(original)
    def describe_vpc_endpoint_services(self: EC2Backend, *args: Any, **kwargs: Any) -> dict[str, Any]:
        result = original(self, *args, **kwargs)
        settings = _settings(self)
        if settings:
            details = []
            for service in result["servicesDetails"]:
                removed = settings.get(service.get("ServiceName", ""))
                if removed:
                    service = {
                        **service,
                        "AvailabilityZones": [z for z in service.get("AvailabilityZones", []) if z not in removed],
                    }
                details.append(service)
            result = {**result, "servicesDetails": details}
        return result

    return describe_vpc_endpoint_services


def _creating_in_supported_zones(original: Callable[..., Any]) -> Callable[..., Any]:
    signature = inspect.signature(original)

    @functools.wraps(original)
    def create_vpc_endpoint(self: EC2Backend, *args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(self, *args, **kwargs)
        _check_subnets(self, bound.arguments.get("service_name"), bound.arguments.get("subnet_ids"))
        return original(self, *args, **kwargs)

    return create_vpc_endpoint


def _adding_subnets_in_supported_zones(original: Callable[..., Any]) -> Callable[..., Any]:
    signature = inspect.signature(original)

    @functools.wraps(original)
    def modify_vpc_endpoint(self: EC2Backend, *args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(self, *args, **kwargs)
        add_subnets = bound.arguments.get("add_subnets")
        if add_subnets:
            endpoint = self.get_vpc_end_point(bound.arguments["vpc_id"])  # moto names the endpoint id vpc_id
            _check_subnets(self, endpoint.service_name, add_subnets)
        return original(self, *args, **kwargs)

    return modify_vpc_endpoint


# --------------------------------------------------------------------------- install

PATCHES = (
    Patch(EC2Backend, "describe_vpc_endpoint_services", _listing_supported_zones),
    Patch(EC2Backend, "create_vpc_endpoint", _creating_in_supported_zones),
    Patch(EC2Backend, "modify_vpc_endpoint", _adding_subnets_in_supported_zones),
)


def _route_installed() -> bool:
    return _patching.is_ours(moto_api_urls.url_paths.get(CONTROL_ROUTE), __name__)


def is_installed() -> bool:
    return _patching.installed(__name__, PATCHES) and _route_installed()


def install() -> None:
    _patching.install(__name__, PATCHES)
    # Before moto's server builds its /moto-api/ app (at the first such request), which emulator.server.build_app
    # guarantees by installing the extensions first.
    if not _route_installed():
        moto_api_urls.url_paths[CONTROL_ROUTE] = _patching.mark(serve_control, __name__)
