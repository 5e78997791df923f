"""The pure helpers of plugins/module_utils/_cloudwatch_dashboard.py."""

from __future__ import annotations

import json

import pytest

from ansible_collections.cloudops.fargate.plugins.module_utils._cloudwatch_dashboard import DashboardInputError
from ansible_collections.cloudops.fargate.plugins.module_utils._cloudwatch_dashboard import body_of
from ansible_collections.cloudops.fargate.plugins.module_utils._cloudwatch_dashboard import console_url
from ansible_collections.cloudops.fargate.plugins.module_utils._cloudwatch_dashboard import invalid_body_message
from ansible_collections.cloudops.fargate.plugins.module_utils._cloudwatch_dashboard import name_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._cloudwatch_dashboard import parsed_body
from ansible_collections.cloudops.fargate.plugins.module_utils._cloudwatch_dashboard import serialised
from ansible_collections.cloudops.fargate.plugins.module_utils._cloudwatch_dashboard import validation_messages
from ansible_collections.cloudops.fargate.plugins.module_utils._cloudwatch_dashboard import wanted_dashboard

WIDGETS = {"widgets": [{"type": "text", "properties": {"markdown": "x"}}]}


@pytest.mark.parametrize("name", ["a", "web-1_B", "x" * 255])
def test_valid_names(name):
    assert name_errors(name) == []


@pytest.mark.parametrize("name", ["", "x" * 256, "with space", "dot.ted", "slash/ed", None, 5])
def test_invalid_names(name):
    (error,) = name_errors(name)
    assert error.startswith("name must be 1 to 255 characters")


def test_a_body_is_a_dict_or_a_json_string_of_one():
    assert parsed_body(WIDGETS) == (WIDGETS, [])
    assert parsed_body(json.dumps(WIDGETS, indent=4)) == (WIDGETS, [])
    assert parsed_body("{")[1][0].startswith("body is not valid JSON")
    assert parsed_body(["widgets"]) == (
        None,
        ["body must be a JSON object (a dict, or a string holding one), not list"],
    )
    assert parsed_body({"widgets": [], "x": float("nan")})[1][0].startswith("body cannot be written as JSON")


@pytest.mark.parametrize(
    "body, errors",
    [
        ({"widgets": []}, []),
        ({}, ["body.widgets is required: an array of widget objects (CloudWatch's dashboard body structure)"]),
        (
            {"widgets": {"type": "text"}},
            ["body.widgets is required: an array of widget objects (CloudWatch's dashboard body structure)"],
        ),
        (
            {"widgets": [{"type": "text"}, 3, {"type": ""}]},
            [
                "body.widgets[1] must be an object, not int",
                "body.widgets[2] needs a type (metric, text, log, alarm, explorer, custom ...)",
            ],
        ),
    ],
)
def test_widget_structure(body, errors):
    assert parsed_body(body)[1] == errors


def test_wanted_dashboard_names_every_bad_option_at_once():
    with pytest.raises(DashboardInputError) as raised:
        wanted_dashboard({"name": "bad name", "body": {}})
    lines = str(raised.value).splitlines()
    assert lines[0].startswith("name must be") and lines[1].startswith("body.widgets is required")
    assert wanted_dashboard({"name": "ok", "body": json.dumps(WIDGETS)}) == {"name": "ok", "body": WIDGETS}


def test_the_same_body_is_always_the_same_string_and_parses_back():
    reordered = {"widgets": [{"properties": {"markdown": "x"}, "type": "text"}]}
    assert serialised(WIDGETS) == serialised(reordered)
    assert body_of(serialised(WIDGETS)) == WIDGETS
    assert body_of(None) is None
    assert body_of("not json") == "not json"


def test_console_url():
    assert console_url("eu-west-1", "web") == (
        "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards:name=web"
    )


def test_validation_messages_and_the_refusal_message():
    assert validation_messages(None) == []
    assert validation_messages([{"DataPath": "/widgets/0", "Message": "bad"}, {"Message": "worse"}]) == [
        "/widgets/0: bad",
        "worse",
    ]

    class Refusal(Exception):
        response = {
            "Error": {"Code": "InvalidParameterInput", "Message": "The dashboard body is invalid"},
            "dashboardValidationMessages": [{"DataPath": "/widgets/0/width", "Message": "Should be <= 24"}],
        }

    assert invalid_body_message("web", Refusal()) == (
        "body: CloudWatch refused the body of dashboard web: /widgets/0/width: Should be <= 24"
    )
    Refusal.response = {"Error": {"Code": "InvalidParameterInput", "Message": "The dashboard body is invalid"}}
    assert invalid_body_message("web", Refusal()).endswith(": The dashboard body is invalid")
