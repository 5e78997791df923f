"""VPC endpoints: interface endpoints are ``pending`` before ``available`` (or ``failed``) and ``deleting`` before
``deleted``.

What AWS does:

* CreateVpcEndpoint of an interface endpoint answers with the endpoint ``pending`` while its network interfaces are
  made in each subnet; it is ``available`` a minute or two later. A gateway endpoint is only routes and a policy:
  CreateVpcEndpoint answers with it ``available`` (the AWS CLI reference's create-vpc-endpoint examples: the gateway
  endpoint comes back ``"State": "available"``, the interface endpoint ``"State": "pending"``).
* An endpoint AWS could not set up ends ``failed``, and DescribeVpcEndpoints says why in ``LastError`` {``Code``,
  ``Message``} ("The last error that occurred for endpoint", EC2 API reference VpcEndpoint ``lastError`` and
  LastError; AWS documents no list of its codes). terraform-provider-aws internal/service/ec2 wait.go
  ``waitVPCEndpointAvailable`` stops on ``failed`` and reports "<Code>: <Message>" from ``LastError``.
* DeleteVpcEndpoints makes an interface endpoint ``deleting`` while its network interfaces go, then ``deleted``;
  DescribeVpcEndpoints keeps showing it ``deleted`` for a while (terraform-provider-aws internal/service/ec2
  vpc_endpoint.go waits up to 10 min for ``available`` after the create and up to 10 min for the deletion, whose
  wait.go ``waitVPCEndpointDeleted`` treats ``deleting`` and ``deleted`` as still there; its finder reads a
  ``deleted`` endpoint as gone). The state values are lower case (``pending``, ``available``, ``deleting``,
  ``deleted``, ``failed``; PrivateLink guide, interface endpoint lifecycle).

moto 5.2.5: every endpoint is ``available`` from CreateVpcEndpoint on and ``deleted`` as soon as DeleteVpcEndpoints
returns; an endpoint never fails and has no ``LastError``.

The patch: a ``state`` property on moto's ``VPCEndPoint`` turns moto's own assignments into timed transitions for
endpoints that have network interfaces (every type but ``Gateway``): the ``available`` of the constructor starts
``pending`` for ``realism.seconds("vpc_endpoint.pending")``, the ``deleted`` of DeleteVpcEndpoints starts
``deleting`` for ``realism.seconds("vpc_endpoint.deleting")``; both are 0 in plain mode, so plain mode keeps moto's
immediate states. Gateway endpoints keep moto's states. Every reader (DescribeVpcEndpoints and its
``vpc-endpoint-state`` filter, other extensions) sees the state of the moment. ``deleting_left(endpoint)`` tells
other extensions (ec2_lingering_interfaces) how long an endpoint still has to go.

An interface endpoint whose ``Name`` tag (TagSpecifications at CreateVpcEndpoint) contains ``failnet``
(``FAIL_MARKER``, short enough to be a stack name; a load balancer has a marker of its own) ends ``failed`` instead of
``available``: after its pending time in realistic mode, at the first DescribeVpcEndpoints in plain mode (the
CreateVpcEndpoint answer says ``pending``). Only the first endpoint created with a given ``Name`` (per account and
region, while the emulator runs) fails, so a new endpoint with the same name becomes ``available`` and a test can
show a re-run recovering (as for NAT gateways, ec2_nat_gateway_states). The failed endpoint's ``LastError`` is
``LAST_ERROR``: ``InternalError``, the EC2 API's server error code ("An internal error has occurred", Error codes for
the Amazon EC2 API), with a message that names the emulator's rule. It stays ``failed`` until DeleteVpcEndpoints,
which makes it ``deleting``, then ``deleted``.

An interface endpoint's network interfaces carry the endpoint's security groups ("The IDs of the security groups to
associate with the endpoint network interfaces. If this parameter is not specified, we use the default security
group for the VPC": EC2 API reference, CreateVpcEndpoint ``SecurityGroupIds``; ModifyVpcEndpoint's
``AddSecurityGroupIds``/``RemoveSecurityGroupIds`` change them). moto 5.2.5 makes the interfaces with the VPC's
default group whatever the endpoint names, so DescribeNetworkInterfaces ``group-id`` of the endpoint's group found
none of them; the patch gives them the endpoint's groups at CreateVpcEndpoint and after each ModifyVpcEndpoint.
"""

from __future__ import annotations

import functools
import threading
from typing import Any

from moto.core.responses import ActionResult
from moto.ec2.models import EC2Backend
from moto.ec2.models.vpcs import VPCEndPoint
from moto.ec2.responses import EC2Response

from emulator import realism
from emulator.extensions import _failures, _patching
from emulator.extensions._patching import Patch, added

FAIL_MARKER = _failures.FAIL_MARKER
PENDING = "vpc_endpoint.pending"
DELETING = "vpc_endpoint.deleting"
LAST_ERROR = {
    "Code": "InternalError",
    "Message": (
        "An internal error has occurred: the emulator fails the first interface endpoint whose Name tag contains"
        f" '{FAIL_MARKER}'."
    ),
}

_PHASE = _failures.PHASE
_TIMER = "_emulator_timer"
_FAILS = _failures.FAILS
_HELD = _failures.HELD
_FAILED = "_emulator_failed"  # the endpoint has failed (LastError stays through its deletion)
_FAILED_NAMES = "_emulator_failed_endpoint_names"  # on the backend: the Name tags whose first endpoint failed
_lock = threading.RLock()


def has_interfaces(endpoint: VPCEndPoint) -> bool:
    """Whether the endpoint lives in network interfaces (Interface, GatewayLoadBalancer, ...) rather than routes."""
    endpoint_type = getattr(endpoint, "vpc_endpoint_type", None) or "Gateway"
    return endpoint_type.lower() != "gateway"


def _advance(endpoint: VPCEndPoint) -> str:
    phase = endpoint.__dict__.get(_PHASE, endpoint.__dict__.get("state", "available"))
    timer = endpoint.__dict__.get(_TIMER)
    if phase == "pending" and endpoint.__dict__.get(_HELD):
        return phase
    if phase in ("pending", "deleting") and (timer is None or timer.done):
        if phase == "pending":
            phase = "failed" if endpoint.__dict__.get(_FAILS) else "available"
        else:
            phase = "deleted"
        endpoint.__dict__[_PHASE] = phase
        endpoint.__dict__.pop(_TIMER, None)
        if phase == "failed":
            endpoint.__dict__[_FAILED] = True
    return phase


def _get_state(self: VPCEndPoint) -> str:
    with _lock:
        return _advance(self)


def _set_state(self: VPCEndPoint, value: str) -> None:
    with _lock:
        current = self.__dict__.get(_PHASE)
        if current is None and value == "available" and has_interfaces(self):  # moto's constructor
            self.__dict__[_PHASE] = "pending"
            self.__dict__[_TIMER] = realism.Timer.of(PENDING, subject=self.id)
        elif value == "deleted" and has_interfaces(self):  # moto's delete_vpc_endpoints
            if _advance(self) in ("deleting", "deleted"):
                return
            self.__dict__[_PHASE] = "deleting"
            self.__dict__[_TIMER] = realism.Timer.of(DELETING, subject=self.id)
        else:
            self.__dict__[_PHASE] = value
            self.__dict__.pop(_TIMER, None)
        _advance(self)


def _get_last_error(self: VPCEndPoint) -> dict[str, str] | None:
    with _lock:
        _advance(self)
        return dict(LAST_ERROR) if self.__dict__.get(_FAILED) else None


STATE_PROPERTY = property(_get_state, _set_state, doc="pending, available (or failed), deleting, deleted: AWS's clock")
LAST_ERROR_PROPERTY = property(_get_last_error, doc="LastError of a failed endpoint")


def deleting_left(endpoint: VPCEndPoint) -> float:
    """Seconds before ``endpoint`` is ``deleted`` (0 when it is not ``deleting``)."""
    with _lock:
        if _advance(endpoint) != "deleting":
            return 0.0
        timer = endpoint.__dict__.get(_TIMER)
        return timer.left if timer is not None else 0.0


def _fail_if_first_named(endpoint: VPCEndPoint) -> None:
    """A new interface endpoint whose Name contains FAIL_MARKER ends failed, if it is the first one with that Name."""
    backend = getattr(endpoint, "ec2_backend", None)
    if backend is None or not has_interfaces(endpoint):
        return
    name = endpoint.get_filter_value("tag:Name") or ""
    _failures.fail_if_first_named(backend, endpoint, name, _FAILED_NAMES, _lock)


# --------------------------------------------------------------------------- wrappers


def _failing_named(original: Any) -> Any:
    @functools.wraps(original)
    def create_vpc_endpoint(self: EC2Response) -> Any:
        result = original(self)
        endpoint = result.result.get("VpcEndpoint") if isinstance(result, ActionResult) else None
        if isinstance(endpoint, VPCEndPoint):
            _fail_if_first_named(endpoint)
        return result

    return create_vpc_endpoint


def _failing_at_describe(original: Any) -> Any:
    @functools.wraps(original)
    def describe_vpc_endpoints(self: EC2Response) -> Any:
        with _lock:
            for endpoint in list(self.ec2_backend.vpc_end_points.values()):
                endpoint.__dict__.pop(_HELD, None)
        return original(self)

    return describe_vpc_endpoints


def _sync_interface_groups(endpoint: VPCEndPoint) -> None:
    """Give the endpoint's network interfaces its security groups (the VPC's default group when it names none)."""
    backend = getattr(endpoint, "ec2_backend", None)
    if backend is None or not has_interfaces(endpoint):
        return
    groups = [backend.get_security_group_from_id(group_id) for group_id in endpoint.security_group_ids or []]
    groups = [group for group in groups if group is not None]
    if not groups:
        default = backend.get_default_security_group(endpoint.vpc_id)
        groups = [default] if default is not None else []
    for interface_id in endpoint.network_interface_ids or []:
        interface = backend.enis.get(interface_id)
        if interface is not None:
            interface._group_set = list(groups)  # pylint: disable=protected-access  # moto's own field


def _interfaces_with_groups(original: Any) -> Any:
    @functools.wraps(original)
    def create_vpc_endpoint(self: EC2Backend, *args: Any, **kwargs: Any) -> Any:
        endpoint = original(self, *args, **kwargs)
        if isinstance(endpoint, VPCEndPoint):
            _sync_interface_groups(endpoint)
        return endpoint

    return create_vpc_endpoint


def _modified_interfaces_with_groups(original: Any) -> Any:
    @functools.wraps(original)
    def modify(self: VPCEndPoint, *args: Any, **kwargs: Any) -> Any:
        result = original(self, *args, **kwargs)
        _sync_interface_groups(self)
        return result

    return modify


# The failure is decided at the API call (EC2Response, which dispatches CreateVpcEndpoint and DescribeVpcEndpoints to
# these methods), outside ec2_endpoint_service_zones, which refuses some creates on the backend's create_vpc_endpoint.
PATCHES = (
    Patch(VPCEndPoint, "state", added(STATE_PROPERTY)),
    Patch(VPCEndPoint, "last_error", added(LAST_ERROR_PROPERTY)),
    Patch(EC2Response, "create_vpc_endpoint", _failing_named),
    Patch(EC2Response, "describe_vpc_endpoints", _failing_at_describe),
    Patch(EC2Backend, "create_vpc_endpoint", _interfaces_with_groups),
    Patch(VPCEndPoint, "modify", _modified_interfaces_with_groups),
)


def is_installed() -> bool:
    return _patching.installed(__name__, PATCHES)


def install() -> None:
    _patching.install(__name__, PATCHES)
