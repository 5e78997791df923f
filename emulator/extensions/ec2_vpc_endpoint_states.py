"""VPC endpoints: interface endpoints are ``pending`` before ``available`` and ``deleting`` before ``deleted``.

What AWS does:

* CreateVpcEndpoint of an interface endpoint answers with the endpoint ``pending`` while its network interfaces are
  made in each subnet; it is ``available`` a minute or two later. A gateway endpoint is only routes and a policy:
  CreateVpcEndpoint answers with it ``available`` (the AWS CLI reference's create-vpc-endpoint examples: the gateway
  endpoint comes back ``"State": "available"``, the interface endpoint ``"State": "pending"``).
* DeleteVpcEndpoints makes an interface endpoint ``deleting`` while its network interfaces go, then ``deleted``;
  DescribeVpcEndpoints keeps showing it ``deleted`` for a while (terraform-provider-aws internal/service/ec2
  vpc_endpoint.go waits up to 10 min for ``available`` after the create and up to 10 min for the deletion, whose
  wait.go ``waitVPCEndpointDeleted`` treats ``deleting`` and ``deleted`` as still there; its finder reads a
  ``deleted`` endpoint as gone). The state values are lower case (``pending``, ``available``, ``deleting``,
  ``deleted``; PrivateLink guide, interface endpoint lifecycle).

moto 5.2.5: every endpoint is ``available`` from CreateVpcEndpoint on and ``deleted`` as soon as DeleteVpcEndpoints
returns.

The patch: a ``state`` property on moto's ``VPCEndPoint`` turns moto's own assignments into timed transitions for
endpoints that have network interfaces (every type but ``Gateway``): the ``available`` of the constructor starts
``pending`` for ``realism.seconds("vpc_endpoint.pending")``, the ``deleted`` of DeleteVpcEndpoints starts
``deleting`` for ``realism.seconds("vpc_endpoint.deleting")``; both are 0 in plain mode, so plain mode keeps moto's
immediate states. Gateway endpoints keep moto's states. Every reader (DescribeVpcEndpoints and its
``vpc-endpoint-state`` filter, other extensions) sees the state of the moment. ``deleting_left(endpoint)`` tells
other extensions (ec2_lingering_interfaces) how long an endpoint still has to go.
"""

from __future__ import annotations

import threading

from moto.ec2.models.vpcs import VPCEndPoint

from emulator import realism
from emulator.extensions import _patching
from emulator.extensions._patching import Patch, added

PENDING = "vpc_endpoint.pending"
DELETING = "vpc_endpoint.deleting"

_PHASE = "_emulator_phase"
_TIMER = "_emulator_timer"
_lock = threading.RLock()


def has_interfaces(endpoint: VPCEndPoint) -> bool:
    """Whether the endpoint lives in network interfaces (Interface, GatewayLoadBalancer, ...) rather than routes."""
    endpoint_type = getattr(endpoint, "vpc_endpoint_type", None) or "Gateway"
    return endpoint_type.lower() != "gateway"


def _advance(endpoint: VPCEndPoint) -> str:
    phase = endpoint.__dict__.get(_PHASE, endpoint.__dict__.get("state", "available"))
    timer = endpoint.__dict__.get(_TIMER)
    if phase in ("pending", "deleting") and (timer is None or timer.done):
        phase = "available" if phase == "pending" else "deleted"
        endpoint.__dict__[_PHASE] = phase
        endpoint.__dict__.pop(_TIMER, None)
    return phase


def _get_state(self: VPCEndPoint) -> str:
    with _lock:
        return _advance(self)


def _set_state(self: VPCEndPoint, value: str) -> None:
    with _lock:
        current = self.__dict__.get(_PHASE)
        if current is None and value == "available" and has_interfaces(self):  # moto's constructor
            self.__dict__[_PHASE] = "pending"
            self.__dict__[_TIMER] = realism.Timer.of(PENDING)
        elif value == "deleted" and has_interfaces(self):  # moto's delete_vpc_endpoints
            if _advance(self) in ("deleting", "deleted"):
                return
            self.__dict__[_PHASE] = "deleting"
            self.__dict__[_TIMER] = realism.Timer.of(DELETING)
        else:
            self.__dict__[_PHASE] = value
            self.__dict__.pop(_TIMER, None)
        _advance(self)


STATE_PROPERTY = property(_get_state, _set_state, doc="pending, available, deleting or deleted, on AWS's clock")


def deleting_left(endpoint: VPCEndPoint) -> float:
    """Seconds before ``endpoint`` is ``deleted`` (0 when it is not ``deleting``)."""
    with _lock:
        if _advance(endpoint) != "deleting":
            return 0.0
        timer = endpoint.__dict__.get(_TIMER)
        return timer.left if timer is not None else 0.0


PATCHES = (Patch(VPCEndPoint, "state", added(STATE_PROPERTY)),)


def is_installed() -> bool:
    return _patching.installed(__name__, PATCHES)


def install() -> None:
    _patching.install(__name__, PATCHES)
