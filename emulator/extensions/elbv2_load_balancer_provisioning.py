"""ELBv2 load balancers provision for a while before they are active, and one can be made to fail.

What AWS does (ELBv2 API reference, ``CreateLoadBalancer`` and ``LoadBalancerState``): a new load balancer is
``provisioning`` ("The load balancer is being set up") and becomes ``active`` once it is ready to route traffic, a
few minutes later; the botocore waiter ``load_balancer_available`` polls DescribeLoadBalancers every 15 s up to 40
times, terraform-provider-aws ``internal/service/elbv2/load_balancer.go`` ``waitLoadBalancerActive`` waits up to its
10-minute create timeout. A load balancer that cannot be set up ends ``failed``; ``State.Reason`` ("A description of
the state") says why, and terraform reports that reason when the wait fails.

moto 5.2.5: ``FakeLoadBalancer.state`` is ``provisioning`` in the CreateLoadBalancer answer and ``activate()``, which
every DescribeLoadBalancers call runs on every load balancer, makes it ``active`` at once (elbv2/models.py); a load
balancer never fails and ``State`` never carries a ``Reason``.

The patch makes ``state`` a property of ``FakeLoadBalancer``:

* realistic mode: a new load balancer stays ``provisioning`` for ``realism.seconds('load_balancer.provisioning')``
  (fixed when it is created), then is ``active``; moto's ``activate()`` no longer moves it on early;
* plain mode: as moto, ``active`` from the first DescribeLoadBalancers on;
* either mode: a load balancer whose name contains ``failprov`` (``FAIL_MARKER``, short enough to be a stack name)
  ends ``failed`` instead of ``active`` (when the provisioning time is over, or at the first describe in plain mode),
  with ``State.Reason`` ``FAILED_REASON``; nothing else about it changes (it can still be described, changed and
  deleted). This is how a test shows that a role or module stops on a load balancer AWS could not provision.

``LoadBalancerState`` comes from ``FakeLoadBalancer.load_balancer_state``, which the patch replaces to add
``Reason`` to a failed state. Not modelled: ``active_impaired``, and LoadBalancerNotFound from DescribeLoadBalancers
right after CreateLoadBalancer (the waiter retries it).
"""

from __future__ import annotations

import functools
import threading
from typing import Any

from moto.elbv2.models import FakeLoadBalancer

from emulator import realism
from emulator.extensions import _patching
from emulator.extensions._patching import Patch, added

BEHAVIOUR = "load_balancer.provisioning"
FAIL_MARKER = "failprov"
FAILED_REASON = (
    "The load balancer could not be provisioned: the emulator fails every load balancer whose name contains"
    f" '{FAIL_MARKER}'."
)
PROVISIONING, ACTIVE, FAILED = "provisioning", "active", "failed"

_STATE = "_emulator_state"
_TIMER = "_emulator_provisioning"
_lock = threading.RLock()


def fails(balancer: FakeLoadBalancer) -> bool:
    return FAIL_MARKER in (balancer.name or "")


def _provisioned(balancer: FakeLoadBalancer) -> str:
    return FAILED if fails(balancer) else ACTIVE


def _get_state(self: FakeLoadBalancer) -> str:
    with _lock:
        state = self.__dict__.get(_STATE, self.__dict__.get("state", PROVISIONING))
        timer = self.__dict__.get(_TIMER)
        if state == PROVISIONING and timer is not None and timer.done:
            state = self.__dict__[_STATE] = _provisioned(self)
        return state


def _set_state(self: FakeLoadBalancer, value: str) -> None:
    with _lock:
        self.__dict__[_STATE] = value
        self.__dict__.pop(_TIMER, None)
        if value == PROVISIONING and realism.settings().realistic:
            timer = realism.Timer.of(BEHAVIOUR, subject=self.arn)
            if timer.duration > 0:  # a zero time scale leaves moto's first-describe activation
                self.__dict__[_TIMER] = timer


STATE_PROPERTY = property(_get_state, _set_state, doc="provisioning, then active (or failed): see the module docstring")


def _load_balancer_state(self: FakeLoadBalancer) -> dict[str, str]:
    state = self.state
    if state == FAILED:
        return {"Code": state, "Reason": FAILED_REASON}
    return {"Code": state}


LOAD_BALANCER_STATE_PROPERTY = property(_load_balancer_state, doc="LoadBalancerState: Code, and Reason when failed")


def _activate_on_time(original: Any) -> Any:
    @functools.wraps(original)
    def activate(self: FakeLoadBalancer) -> None:
        with _lock:
            if self.__dict__.get(_TIMER) is not None:
                return  # realistic mode: the provisioning time decides (the state property)
            if fails(self) and self.state == PROVISIONING:
                self.state = FAILED
                return
            original(self)

    return activate


PATCHES = (
    Patch(FakeLoadBalancer, "state", added(STATE_PROPERTY)),
    Patch(FakeLoadBalancer, "load_balancer_state", added(LOAD_BALANCER_STATE_PROPERTY)),
    Patch(FakeLoadBalancer, "activate", _activate_on_time),
)


def is_installed() -> bool:
    return _patching.installed(__name__, PATCHES)


def install() -> None:
    _patching.install(__name__, PATCHES)
