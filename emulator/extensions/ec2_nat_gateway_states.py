"""NAT gateways: ``pending`` before ``available`` (or ``failed``), ``deleting`` before ``deleted``, their Elastic IP
held until then, and an idempotent CreateNatGateway by ``ClientToken``.

What AWS does:

* CreateNatGateway answers with the gateway ``pending``; it is ``available`` once it can process traffic, typically a
  minute or two later. DeleteNatGateway makes it ``deleting`` ("in the process of being terminated and may still be
  processing traffic"), then ``deleted`` (EC2 API reference, NatGateway ``state``; terraform-provider-aws
  internal/service/ec2 vpc_nat_gateway.go waits up to 10 min for ``available`` and 30 min for the deletion, polling
  every 10 s, in wait.go ``waitNATGatewayCreated``/``waitNATGatewayDeleted``). A deleted gateway stays visible for a
  while, with its ``DeleteTime``.
* A gateway AWS could not create ends ``failed`` instead of ``available`` ("Check the failureCode and failureMessage
  fields for the reason", NatGateway ``state``), with ``FailureCode``/``FailureMessage`` from a documented list, e.g.
  ``InternalError`` "Network interface eni-xxxxxxxx, created and used internally by this NAT gateway is in an invalid
  state. Please try again." (EC2 API reference, NatGateway ``failureCode``/``failureMessage``); terraform's
  ``waitNATGatewayCreated`` fails with "<FailureCode>: <FailureMessage>". The VPC user guide (Troubleshoot NAT
  gateways, "NAT gateway creation fails") says a failed gateway is deleted automatically, usually in about an hour,
  and that one can then try to create a NAT gateway again. A gateway that was never created maps no Elastic IP, so
  the address can be released or given to the next gateway; its record, with its network interface, stays until it
  is deleted (DescribeNatGateways still lists the interface; hashicorp/terraform#9147: a destroy stopped by a
  ``failed`` gateway). DeleteNatGateway of a failed gateway deletes it as any other.
* The gateway's Elastic IP is associated with the gateway's network interface from creation until the gateway is
  deleted; only then is it disassociated (it is never released). Until then ReleaseAddress of that address answers
  ``AuthFailure`` "You do not have permission to access the specified resource.": the interface belongs to the NAT
  gateway service, not to the caller (seen by every tool that releases the address right after DeleteNatGateway).
  The address follows the gateway's network interface, which outlives the gateway for a while (ec2_lingering_
  interfaces): a release right after DescribeNatGateways says ``deleted`` still meets ``AuthFailure``
  (eformat/sno-for-100 issue #9, "EIP still fails to release properly on first attempt, despite explicit wait" for
  the NAT gateways' deletion; hashicorp/terraform-provider-aws issue #49299, a ReleaseAddress right after the NAT
  gateway's destruction failing on its network interface).
* ``ClientToken`` makes the create idempotent ("Ensuring idempotency in Amazon EC2 API requests", EC2 developer
  guide): a retry with the same token and the same parameters performs nothing more and answers with the original
  gateway, "the result might contain updated information, such as the current creation status" - so with the
  gateway as it is now, ``failed`` or ``deleted`` included, for as long as AWS remembers the token (at least 24
  hours for RunInstances, not documented for CreateNatGateway). The same token with other parameters is
  ``IdempotentParameterMismatch``. The answer carries the ``ClientToken``.

moto 5.2.5: a NAT gateway is ``available`` from CreateNatGateway on and ``deleted`` as soon as DeleteNatGateway
returns; it never fails and has no ``FailureCode``/``FailureMessage``; the Elastic IP stays associated with the
deleted gateway's interface forever, ReleaseAddress silently disassociates an address a live gateway uses;
``ClientToken`` is ignored, so every retry creates another gateway.

The patch:

* a ``state`` property on moto's ``NatGateway`` turns moto's own assignments into timed transitions: the
  ``available`` of the constructor starts ``pending`` for ``realism.seconds("nat_gateway.pending")``, the
  ``deleted`` of DeleteNatGateway starts ``deleting`` for ``realism.seconds("nat_gateway.deleting")`` (0 in plain
  mode, so plain mode keeps moto's immediate states); every reader (DescribeNatGateways and its ``state`` filter,
  other extensions) sees the state of the moment. Reaching ``deleted`` disassociates the gateway's Elastic IPs
  ``realism.lingers("network_interface.lingering")`` later (at once in plain mode), when its interface is gone.
  ``DeleteTime`` is the time of DeleteNatGateway;
* a gateway whose ``Name`` tag (TagSpecifications at CreateNatGateway) contains ``failnet`` (``FAIL_MARKER``, short
  enough to be a stack name; a load balancer has a marker of its own, so a test fails one layer at a time) ends ``failed`` instead of ``available``: after its
  pending time in realistic mode, at the first DescribeNatGateways in plain mode (until then it is ``pending``; the
  CreateNatGateway answer says ``pending``). Only the first gateway created with a given ``Name`` (per account and
  region, while the emulator runs) fails: AWS's ``InternalError`` asks to try again, and a new gateway with the same
  name (another ClientToken) becomes ``available``, so a test can show a re-run recovering. The failed gateway carries
  ``FailureCode`` ``InternalError`` and AWS's ``FailureMessage`` for it with its own network interface id; reaching
  ``failed`` disassociates its Elastic IP (ReleaseAddress then works); its network interface stays. It stays
  ``failed`` until DeleteNatGateway, which makes it ``deleting``, then ``deleted``; the automatic deletion about an
  hour later is not modelled;
* ReleaseAddress of an address a gateway that is not ``deleted`` or ``failed`` holds, or a ``deleted`` one has not
  let go of yet, is ``AuthFailure``;
  DescribeAddresses first brings the region's gateways up to date, so an address shows its disassociation once the
  gateway is ``deleted`` even if nobody described the gateway;
* CreateNatGateway remembers each ``ClientToken`` (per account and region, while the emulator runs) with the
  subnet, allocation and connectivity type it was used with: the same request answers with that gateway, another
  one is ``IdempotentParameterMismatch``. Tags are not compared. A replay answers the gateway as it is now, a failed
  one included.

``deleting_left(gateway)`` tells other extensions (ec2_lingering_interfaces) how long a gateway still has to go.
"""

from __future__ import annotations

import contextvars
import functools
import threading
from datetime import datetime
from typing import Any

from moto.core.responses import ActionResult
from moto.core.utils import iso_8601_datetime_with_milliseconds, utcnow
from moto.ec2.exceptions import EC2ClientError
from moto.ec2.models import EC2Backend
from moto.ec2.models.nat_gateways import NatGateway
from moto.ec2.responses import EC2Response

from emulator import realism
from emulator.extensions import _failures, _patching
from emulator.extensions._patching import Patch, added

FAIL_MARKER = _failures.FAIL_MARKER
PENDING = "nat_gateway.pending"
DELETING = "nat_gateway.deleting"
LINGERING = "network_interface.lingering"
NOT_PERMITTED = "You do not have permission to access the specified resource."
MISMATCH = "Arguments on this idempotent request are inconsistent with arguments used in previous request(s)."
GONE = frozenset({"deleted", "failed"})
FAILURE_CODE = "InternalError"
FAILURE_MESSAGE = (
    "Network interface {interface_id}, created and used internally by this NAT gateway is in an invalid state."
    " Please try again."
)

_PHASE = _failures.PHASE
_TIMER = "_emulator_timer"
_DELETED_AT = "_emulator_deleted_at"
_TOKENS = "_emulator_nat_client_tokens"
_FAILS = _failures.FAILS
_HELD = _failures.HELD
_FAILURE = "_emulator_failure"  # (FailureCode, FailureMessage) once failed
_RELEASE = "_emulator_address_release"  # a deleted gateway's interface still holds its Elastic IPs until this is done
_FAILED_NAMES = "_emulator_failed_nat_names"  # on the backend: the Name tags whose first gateway failed
_lock = threading.RLock()
_TOKEN: contextvars.ContextVar[str | None] = contextvars.ContextVar("create_nat_gateway_client_token", default=None)


def _error(code: str, message: str) -> EC2ClientError:
    return EC2ClientError(code, message)


def _release_addresses(gateway: NatGateway) -> None:
    """AWS disassociates a deleted gateway's Elastic IPs (moto leaves them on its network interface)."""
    backend = getattr(gateway, "ec2_backend", None)
    interface = getattr(gateway, "_eni", None)
    if backend is None or interface is None:
        return
    for address in list(backend.addresses):
        if address.eni is interface:
            backend.disassociate_address(address=address.public_ip)


def _fail(gateway: NatGateway) -> None:
    interface = getattr(gateway, "_eni", None)
    interface_id = getattr(interface, "id", None) or "eni-00000000"
    gateway.__dict__[_FAILURE] = (FAILURE_CODE, FAILURE_MESSAGE.format(interface_id=interface_id))
    _release_addresses(gateway)


def _advance(gateway: NatGateway) -> str:
    phase = gateway.__dict__.get(_PHASE, gateway.__dict__.get("state", "available"))
    timer = gateway.__dict__.get(_TIMER)
    if phase == "pending" and gateway.__dict__.get(_HELD):
        return phase
    if phase in ("pending", "deleting") and (timer is None or timer.done):
        if phase == "pending":
            phase = "failed" if gateway.__dict__.get(_FAILS) else "available"
        else:
            phase = "deleted"
        gateway.__dict__[_PHASE] = phase
        gateway.__dict__.pop(_TIMER, None)
        if phase == "failed":
            _fail(gateway)
        elif phase == "deleted" and gateway.__dict__.get(_FAILURE) is None:  # a failed one let go when it failed
            # (the lingering of its interface, recorded by ec2_lingering_interfaces when the deletion started)
            gateway.__dict__[_RELEASE] = realism.Timer(realism.lingers(LINGERING))
    release = gateway.__dict__.get(_RELEASE)
    if release is not None and release.done:
        gateway.__dict__.pop(_RELEASE)
        _release_addresses(gateway)
    return phase


def _still_holds_addresses(gateway: NatGateway) -> bool:
    """Whether the gateway's interface still holds its Elastic IPs: it is live, or deleted but not let go of yet."""
    return _get_state(gateway) not in GONE or gateway.__dict__.get(_RELEASE) is not None


def _get_state(self: NatGateway) -> str:
    with _lock:
        return _advance(self)


def _set_state(self: NatGateway, value: str) -> None:
    with _lock:
        current = self.__dict__.get(_PHASE)
        if current is None and value == "available":  # moto's constructor
            self.__dict__[_PHASE] = "pending"
            self.__dict__[_TIMER] = realism.Timer.of(PENDING, subject=self.id)
        elif value == "deleted":  # moto's delete_nat_gateway
            if _advance(self) in ("deleting", "deleted"):
                return
            self.__dict__[_PHASE] = "deleting"
            self.__dict__[_TIMER] = realism.Timer.of(DELETING, subject=self.id)
            self.__dict__[_DELETED_AT] = utcnow()
        else:
            self.__dict__[_PHASE] = value
            self.__dict__.pop(_TIMER, None)
        _advance(self)


def _get_delete_time(self: NatGateway) -> str | None:
    deleted_at: datetime | None = self.__dict__.get(_DELETED_AT)
    return iso_8601_datetime_with_milliseconds(deleted_at) if deleted_at else None


def _get_failure_code(self: NatGateway) -> str | None:
    with _lock:
        _advance(self)
        failure = self.__dict__.get(_FAILURE)
    return failure[0] if failure else None


def _get_failure_message(self: NatGateway) -> str | None:
    with _lock:
        _advance(self)
        failure = self.__dict__.get(_FAILURE)
    return failure[1] if failure else None


STATE_PROPERTY = property(_get_state, _set_state, doc="pending, available (or failed), deleting, deleted: AWS's clock")
DELETE_TIME_PROPERTY = property(_get_delete_time, doc="when DeleteNatGateway was called (DeleteTime)")
FAILURE_CODE_PROPERTY = property(_get_failure_code, doc="FailureCode of a failed gateway")
FAILURE_MESSAGE_PROPERTY = property(_get_failure_message, doc="FailureMessage of a failed gateway")


def _fail_if_first_named(backend: EC2Backend, gateway: NatGateway, tags: dict[str, str] | None) -> None:
    """A new gateway whose Name contains FAIL_MARKER ends failed, if it is the first one with that Name."""
    _failures.fail_if_first_named(backend, gateway, (tags or {}).get("Name") or "", _FAILED_NAMES, _lock)


def deleting_left(gateway: NatGateway) -> float:
    """Seconds before ``gateway`` is ``deleted`` (0 when it is not ``deleting``)."""
    with _lock:
        if _advance(gateway) != "deleting":
            return 0.0
        timer = gateway.__dict__.get(_TIMER)
        return timer.left if timer is not None else 0.0


def _holds(gateway: NatGateway, allocation_id: str | None, public_ip: str | None) -> bool:
    for address in getattr(gateway, "address_set", None) or []:
        if allocation_id and address.get("allocationId") == allocation_id:
            return True
        if public_ip and address.get("publicIp") == public_ip:
            return True
    return False


# --------------------------------------------------------------------------- wrappers


def _keep_token(original: Any) -> Any:
    @functools.wraps(original)
    def create_nat_gateway(self: EC2Response) -> Any:
        token = self._get_param("ClientToken")  # pylint: disable=protected-access
        reset = _TOKEN.set(token)
        try:
            result = original(self)
        finally:
            _TOKEN.reset(reset)
        if token and isinstance(result, ActionResult) and isinstance(result.result, dict):
            result.result["ClientToken"] = token
        return result

    return create_nat_gateway


def _create_once(original: Any) -> Any:
    @functools.wraps(original)
    def create_nat_gateway(
        self: EC2Backend,
        subnet_id: str,
        allocation_id: str,
        tags: dict[str, str] | None = None,
        connectivity_type: str = "public",
    ) -> NatGateway:
        token = _TOKEN.get()
        if not token:
            gateway = original(self, subnet_id, allocation_id, tags=tags, connectivity_type=connectivity_type)
            _fail_if_first_named(self, gateway, tags)
            return gateway
        request = (subnet_id, allocation_id or None, connectivity_type or "public")
        with _lock:
            tokens: dict[str, tuple[str, tuple[Any, ...]]] = self.__dict__.setdefault(_TOKENS, {})
            known = tokens.get(token)
            if known is not None and known[0] in self.nat_gateways:
                if known[1] != request:
                    raise _error("IdempotentParameterMismatch", MISMATCH)
                return self.nat_gateways[known[0]]
            gateway = original(self, subnet_id, allocation_id, tags=tags, connectivity_type=connectivity_type)
            _fail_if_first_named(self, gateway, tags)
            tokens[token] = (gateway.id, request)
            return gateway

    return create_nat_gateway


def _settled_first(original: Any) -> Any:
    @functools.wraps(original)
    def describe_addresses(self: EC2Backend, *args: Any, **kwargs: Any) -> Any:
        for gateway in list(self.nat_gateways.values()):
            _get_state(gateway)
        return original(self, *args, **kwargs)

    return describe_addresses


def _failing_at_describe(original: Any) -> Any:
    @functools.wraps(original)
    def describe_nat_gateways(self: EC2Response) -> Any:
        with _lock:
            for gateway in list(self.ec2_backend.nat_gateways.values()):
                gateway.__dict__.pop(_HELD, None)
        return original(self)

    return describe_nat_gateways


def _refusing_held_address(original: Any) -> Any:
    @functools.wraps(original)
    def release_address(self: EC2Backend, address: str | None = None, allocation_id: str | None = None) -> Any:
        for gateway in list(self.nat_gateways.values()):
            if _still_holds_addresses(gateway) and _holds(gateway, allocation_id, address):
                raise _error("AuthFailure", NOT_PERMITTED)
        return original(self, address=address, allocation_id=allocation_id)

    return release_address


# EC2Response dispatches CreateNatGateway and DescribeNatGateways to its create_nat_gateway and
# describe_nat_gateways (inherited from moto's NatGateways mixin); the backend methods are patched on EC2Backend, the
# class of every account's and region's backend (nat_gateway_tag_filters patches the backend's describe_nat_gateways
# on moto's mixin, a method this module leaves alone).
PATCHES = (
    Patch(NatGateway, "state", added(STATE_PROPERTY)),
    Patch(NatGateway, "delete_time", added(DELETE_TIME_PROPERTY)),
    Patch(NatGateway, "failure_code", added(FAILURE_CODE_PROPERTY)),
    Patch(NatGateway, "failure_message", added(FAILURE_MESSAGE_PROPERTY)),
    Patch(EC2Response, "create_nat_gateway", _keep_token),
    Patch(EC2Response, "describe_nat_gateways", _failing_at_describe),
    Patch(EC2Backend, "create_nat_gateway", _create_once),
    Patch(EC2Backend, "describe_addresses", _settled_first),
    Patch(EC2Backend, "release_address", _refusing_held_address),
)


def is_installed() -> bool:
    return _patching.installed(__name__, PATCHES)


def install() -> None:
    _patching.install(__name__, PATCHES)
