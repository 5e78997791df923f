"""The critical path and the sequential sum of the timers a run recorded (emulator/critical_path.py)."""

from __future__ import annotations

from typing import Any

import pytest

from emulator import critical_path, realism
from emulator.critical_path import BUILD, TEARDOWN


def timers(*entries: tuple[str, float]) -> list[dict[str, Any]]:
    """Timers as ``GET /_emulator/timers`` answers them."""
    return [
        {"behaviour": behaviour, "subject": f"{behaviour}-{index}", "started": float(index), "duration": duration}
        for index, (behaviour, duration) in enumerate(entries)
    ]


def test_a_chain_through_file_system_mount_target_and_datasync_to_the_rollout_beats_one_long_parallel_node() -> None:
    run = timers(
        ("file_system.creating", 12),
        ("mount_target.creating", 80),
        ("mount_target.creating", 90),  # the slower of two mount targets created side by side
        ("datasync.execution", 180),
        ("ecs.rollout", 150),
        ("nat_gateway.pending", 105),
        ("client_vpn.associating", 400),  # longer than any link of the chain, shorter than the chain
    )

    seconds, path = critical_path.critical_path(run, BUILD)

    assert path == ["file_system.creating", "mount_target.creating", "datasync.execution", "ecs.rollout"]
    assert seconds == 12 + 90 + 180 + 150
    assert critical_path.sequential_sum(run) == 12 + 80 + 90 + 180 + 150 + 105 + 400


def test_a_long_enough_parallel_node_is_the_critical_path_on_its_own() -> None:
    run = timers(("file_system.creating", 12), ("mount_target.creating", 90), ("client_vpn.associating", 420))
    assert critical_path.critical_path(run, BUILD) == (420, ["client_vpn.associating"])


def test_edges_to_behaviours_the_run_did_not_record_are_ignored() -> None:
    # No mount target recorded: the DataSync copy does not wait for the file system through it.
    run = timers(("file_system.creating", 12), ("datasync.execution", 180))
    assert critical_path.critical_path(run, BUILD) == (180, ["datasync.execution"])
    # Nor does a rollout for a NAT gateway the run did not create.
    assert critical_path.critical_path(timers(("ecs.rollout", 150)), BUILD) == (150, ["ecs.rollout"])


def test_behaviours_the_graph_does_not_name_are_independent_nodes() -> None:
    run = timers(("ecs.rollout", 150), ("service_quotas.increase_approval", 900), ("something.else", 10))
    assert critical_path.critical_path(run, BUILD) == (900, ["service_quotas.increase_approval"])
    assert critical_path.critical_path(run, {}) == (900, ["service_quotas.increase_approval"])


def test_the_teardown_waits_for_the_disassociation_then_the_interfaces() -> None:
    run = timers(
        ("ecs.draining", 60),
        ("ecs.tasks_stopping", 30),
        ("client_vpn.route", 120),
        ("client_vpn.disassociating", 300),
        ("client_vpn.endpoint_deleting", 30),
        ("mount_target.deleting", 60),
        ("nat_gateway.deleting", 60),
        ("network_interface.lingering", 60),
    )
    seconds, path = critical_path.critical_path(run, TEARDOWN)
    assert path == ["client_vpn.route", "client_vpn.disassociating", "network_interface.lingering"]
    assert seconds == 120 + 300 + 60


def test_no_timers_no_path() -> None:
    assert critical_path.critical_path([], BUILD) == (0.0, [])
    assert critical_path.sequential_sum([]) == 0


def test_a_cycle_is_refused() -> None:
    cyclic = {"ecs.rollout": ("ecs.draining",), "ecs.draining": ("ecs.rollout",)}
    with pytest.raises(ValueError, match="cycle"):
        critical_path.critical_path(timers(("ecs.rollout", 1), ("ecs.draining", 1)), cyclic)
    assert not critical_path.acyclic(cyclic)


@pytest.mark.parametrize("graph", [BUILD, TEARDOWN], ids=["build", "teardown"])
def test_the_graphs_are_acyclic_and_name_only_documented_behaviours(graph: dict[str, tuple[str, ...]]) -> None:
    assert critical_path.acyclic(graph)
    named = set(graph) | {prerequisite for prerequisites in graph.values() for prerequisite in prerequisites}
    assert named <= set(realism.TYPICAL), named - set(realism.TYPICAL)
    assert all(behaviour not in prerequisites for behaviour, prerequisites in graph.items())


def test_the_recording_feeds_the_critical_path() -> None:
    recording = realism.Recording()
    recording.add("file_system.creating", 12, "fs-1")
    recording.add("mount_target.creating", 90, "fsmt-1")
    answer = recording.snapshot()
    assert critical_path.critical_path(answer["timers"], BUILD) == (
        102,
        ["file_system.creating", "mount_target.creating"],
    )
