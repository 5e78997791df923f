"""cloudops.fargate.cloudwatch_dashboard against moto in this process, and against botocore's Stubber for what moto
does not answer as AWS does (moto accepts any JSON body and never returns validation messages)."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.stub import Stubber

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper
from ansible_collections.cloudops.fargate.plugins.module_utils._cloudwatch_dashboard import DashboardManager
from ansible_collections.cloudops.fargate.plugins.modules import cloudwatch_dashboard
from tests.unit.helpers import assert_ok

NAME = "unit-web"
URL = f"https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards:name={NAME}"
ARN = f"arn:aws:cloudwatch::123456789012:dashboard/{NAME}"
READ_ONLY = {"GetDashboard"}
BODY = {
    "widgets": [
        {"type": "text", "x": 0, "y": 0, "width": 24, "height": 2, "properties": {"markdown": "Managed by Ansible"}},
        {
            "type": "metric",
            "x": 0,
            "y": 2,
            "width": 12,
            "height": 6,
            "properties": {"region": "us-east-1", "metrics": [["AWS/ECS", "CPUUtilization", "ClusterName", "unit"]]},
        },
    ]
}


@pytest.fixture
def cloudwatch(aws):
    client = aws("cloudwatch")
    client._unit_test_client = True
    return client


@pytest.fixture
def run(recorded_runner):
    return recorded_runner(cloudwatch_dashboard, READ_ONLY)


def stored_body(cloudwatch):
    try:
        return json.loads(cloudwatch.get_dashboard(DashboardName=NAME)["DashboardBody"])
    except cloudwatch.exceptions.ResourceNotFound:
        return None


def test_create_four_steps(run, cloudwatch, calls):
    args = {"name": NAME, "body": BODY}
    result = run(args, check_mode=True, diff=True)
    assert_ok(result, changed=True)
    assert stored_body(cloudwatch) is None
    assert {k: result[k] for k in ("name", "arn", "url", "body")} == {
        "name": NAME,
        "arn": None,
        "url": URL,
        "body": BODY,
    }
    assert result["diff"] == {"before": {}, "after": {"name": NAME, "body": BODY}}

    result = run(args, diff=True)
    assert_ok(result, changed=True)
    assert [op for _s, op in calls].count("PutDashboard") == 1
    assert stored_body(cloudwatch) == BODY
    assert {k: result[k] for k in ("name", "arn", "url", "body")} == {
        "name": NAME,
        "arn": ARN,
        "url": URL,
        "body": BODY,
    }
    assert result["diff"] == {"before": {}, "after": {"name": NAME, "body": BODY}}

    for check_mode in (True, False):
        result = run(args, check_mode=check_mode, diff=True)
        assert_ok(result, changed=False)
        assert result["diff"] == {"before": {}, "after": {}}
        assert {op for _s, op in calls} == READ_ONLY


def test_key_order_and_whitespace_never_count(run, cloudwatch):
    assert_ok(run({"name": NAME, "body": BODY}), changed=True)
    reordered = json.dumps({"widgets": [dict(reversed(list(w.items()))) for w in BODY["widgets"]]}, indent=7)
    assert_ok(run({"name": NAME, "body": reordered}), changed=False)
    cloudwatch.put_dashboard(DashboardName=NAME, DashboardBody=json.dumps(BODY, indent=2, sort_keys=False))
    assert_ok(run({"name": NAME, "body": BODY}), changed=False)


def test_a_different_body_replaces_the_whole_body(run, cloudwatch):
    assert_ok(run({"name": NAME, "body": BODY}), changed=True)
    smaller = {"widgets": BODY["widgets"][:1]}
    result = run({"name": NAME, "body": smaller}, check_mode=True, diff=True)
    assert_ok(result, changed=True)
    assert result["diff"] == {"before": {"name": NAME, "body": BODY}, "after": {"name": NAME, "body": smaller}}
    assert result["body"] == smaller and result["arn"] == ARN
    assert stored_body(cloudwatch) == BODY
    assert_ok(run({"name": NAME, "body": smaller}), changed=True)
    assert stored_body(cloudwatch) == smaller


def test_absent_deletes_and_then_has_nothing_to_do(run, cloudwatch):
    assert_ok(run({"name": NAME, "body": BODY}), changed=True)
    result = run({"name": NAME, "state": "absent"}, check_mode=True, diff=True)
    assert_ok(result, changed=True)
    assert result["diff"] == {"before": {"name": NAME, "body": BODY}, "after": {}}
    assert stored_body(cloudwatch) == BODY
    assert_ok(run({"name": NAME, "state": "absent"}), changed=True)
    assert stored_body(cloudwatch) is None
    result = run({"name": NAME, "state": "absent"})
    assert_ok(result, changed=False)
    assert {k: result[k] for k in ("name", "arn", "url", "body")} == {
        "name": NAME,
        "arn": None,
        "url": None,
        "body": None,
    }


@pytest.mark.parametrize(
    "args, named",
    [
        ({"name": "bad name", "body": BODY}, "name must be 1 to 255"),
        ({"name": "x" * 256, "body": BODY}, "name must be 1 to 255"),
        ({"name": NAME}, "body is required with state=present"),
        ({"name": NAME, "body": "{not json"}, "body is not valid JSON"),
        ({"name": NAME, "body": "[1, 2]"}, "body must be a JSON object"),
        ({"name": NAME, "body": {"start": "-PT3H"}}, "body.widgets is required"),
        ({"name": NAME, "body": {"widgets": [{"x": 0}]}}, "body.widgets[0] needs a type"),
        ({"name": NAME, "body": {"widgets": ["text"]}}, "body.widgets[0] must be an object"),
        ({"name": "bad name", "state": "absent"}, "name must be 1 to 255"),
    ],
)
def test_bad_input_fails_before_any_call(run, calls, args, named):
    result = run(args)
    assert result["failed"] and named in result["msg"], result
    assert calls == []


# --- AWS's answers moto does not give: botocore's Stubber ---------------------------------------------------


@pytest.fixture
def stubber(monkeypatch):
    client = boto3.client("cloudwatch", region_name="us-east-1")
    stub = Stubber(client)
    wrapped = RetryingBotoClientWrapper(client, AWSRetry.jittered_backoff(retries=0))
    monkeypatch.setattr(DashboardManager, "client", lambda self, service, retry_decorator=None: wrapped)
    stub.activate()
    yield stub
    stub.assert_no_pending_responses()


def _not_found(stub, operation="get_dashboard"):
    stub.add_client_error(
        operation,
        service_error_code="ResourceNotFound",
        service_message="Dashboard does not exist",
        http_status_code=404,
    )


def _stored(stub):
    stub.add_response(
        "get_dashboard",
        {"DashboardArn": ARN, "DashboardName": NAME, "DashboardBody": json.dumps(BODY)},
        {"DashboardName": NAME},
    )


def test_validation_warnings_become_warnings_naming_body(run_module, stubber):
    _not_found(stubber)
    stubber.add_response(
        "put_dashboard",
        {
            "DashboardValidationMessages": [
                {"DataPath": "/widgets/1/properties/metrics", "Message": "Should NOT be empty"}
            ]
        },
    )
    _stored(stubber)
    result = run_module(cloudwatch_dashboard, {"name": NAME, "body": BODY})
    assert_ok(result, changed=True)
    assert result["warnings"] == [
        f"body: dashboard {NAME} was saved, but CloudWatch warns: /widgets/1/properties/metrics: Should NOT be empty"
    ]


def test_validation_errors_fail_naming_body_and_each_path(run_module, stubber):
    _not_found(stubber)
    stubber.add_client_error(
        "put_dashboard",
        service_error_code="InvalidParameterInput",
        service_message="The dashboard body is invalid, there are 2 validation errors",
        modeled_fields={
            "dashboardValidationMessages": [
                {"DataPath": "/widgets/0/width", "Message": "Should be <= 24"},
                {"DataPath": "/widgets/1", "Message": "Should have required property 'properties'"},
            ]
        },
    )
    result = run_module(cloudwatch_dashboard, {"name": NAME, "body": BODY})
    assert result["failed"]
    assert result["msg"].startswith(
        f"body: CloudWatch refused the body of dashboard {NAME}: /widgets/0/width: Should be <= 24;"
        " /widgets/1: Should have required property 'properties'"
    )
    assert result["changed"] is False and result["arn"] is None and result["body"] is None  # nothing was saved


def test_a_dashboard_deleted_by_someone_else_since_the_lookup_counts_as_absent(run_module, stubber):
    _stored(stubber)
    stubber.add_client_error(
        "delete_dashboards",
        service_error_code="ResourceNotFound",
        service_message=f"The specified dashboard does not exist. [{NAME}]",
        http_status_code=404,
        expected_params={"DashboardNames": [NAME]},
    )
    result = run_module(cloudwatch_dashboard, {"name": NAME, "state": "absent"})
    assert_ok(result, changed=True)


def test_another_delete_error_fails(run_module, stubber):
    _stored(stubber)
    stubber.add_client_error("delete_dashboards", service_error_code="InvalidParameterValue", service_message="nope")
    result = run_module(cloudwatch_dashboard, {"name": NAME, "state": "absent"})
    assert result["failed"] and result["msg"].startswith(f"Failed to delete dashboard {NAME}")
