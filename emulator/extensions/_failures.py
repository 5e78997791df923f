"""Failures a test asks for: the first NAT gateway or interface endpoint created with a ``Name`` tag containing
``FAIL_MARKER`` ends ``failed``, as AWS can fail either, and the next one with that name is provisioned (AWS's
``InternalError`` asks to try again). Shared by ec2_nat_gateway_states and ec2_vpc_endpoint_states."""

from __future__ import annotations

import threading
from typing import Any

# Short enough to be a stack name; a load balancer has a marker of its own, so a test fails one layer at a time.
FAIL_MARKER = "failnet"
PHASE = "_emulator_phase"
FAILS = "_emulator_fails"  # the resource ends failed rather than available
HELD = "_emulator_held"  # plain mode: a failing resource stays pending until the next describe


def fail_if_first_named(backend: Any, resource: Any, name: str, names_key: str, lock: threading.RLock) -> None:
    """Mark ``resource`` to end failed when ``name`` carries the marker and no earlier one of that name (in
    ``backend.__dict__[names_key]``, per account and region) failed."""
    if FAIL_MARKER not in name:
        return
    with lock:
        failed_names: set[str] = backend.__dict__.setdefault(names_key, set())
        if name in failed_names:
            return
        failed_names.add(name)
        resource.__dict__[FAILS] = True
        if resource.__dict__.get(PHASE) == "available":  # no pending time (plain mode): failed at the next describe
            resource.__dict__[PHASE] = "pending"
            resource.__dict__[HELD] = True
