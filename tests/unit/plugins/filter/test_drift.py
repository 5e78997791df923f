"""The drift report read from a check-mode run's ansible.posix.json output."""

from __future__ import annotations

import json

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.cloudops.fargate.plugins.filter.drift import drift_report


def _output(tasks):
    return "[WARNING]: something first\n" + json.dumps({"plays": [{"tasks": tasks}], "stats": {}})


def _task(name, **hosts):
    return {"task": {"name": name}, "hosts": hosts}


def test_no_change_is_no_drift():
    output = _output([_task("cloudops.fargate.network : Create or update the VPC", demo={"changed": False})])
    assert drift_report(output, "demo") == []


def test_changed_tasks_and_loop_items_are_reported_with_their_diff():
    diff = {"before": {"retention": 7}, "after": {"retention": 30}}
    output = _output(
        [
            _task("cloudops.fargate.fargate : Create the service's log group", demo={"changed": True, "diff": diff}),
            _task(
                "cloudops.fargate.storage : Create the access points",
                demo={"changed": True, "results": [{"changed": False, "item": {"name": "config"}}, {"changed": True, "item": {"name": "ui"}}]},
            ),
            _task("cloudops.fargate.network : Create or update the VPC", other={"changed": True}),
        ]
    )
    report = drift_report(output, "demo")
    assert [(r["task"].split(" : ")[-1], r["item"]) for r in report] == [
        ("Create the service's log group", ""),
        ("Create the access points", "ui"),
    ]
    assert report[0]["diff"] == diff


def test_failures_are_reported_too():
    output = _output([_task("x : Check the network", demo={"failed": True, "msg": "no VPC"})])
    (finding,) = drift_report(output, "demo")
    assert finding["failed"] and finding["message"] == "no VPC"


def test_output_without_json_is_an_error():
    with pytest.raises(AnsibleFilterError, match="no JSON"):
        drift_report("ERROR! the playbook could not be found", "demo")
