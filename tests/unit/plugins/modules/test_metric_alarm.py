"""cloudops.fargate.metric_alarm against moto in this process, and against botocore's Stubber where moto is kinder than
AWS (moto stores any ReturnData, id, period and number of queries, deletes an alarm that does not exist and never
answers a composite alarm of the name). Every outcome is read back with a client of the test's own."""

from __future__ import annotations

import copy

import boto3
import pytest
from botocore.stub import Stubber

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper
from ansible_collections.cloudops.fargate.plugins.module_utils._metric_alarm import MetricAlarmManager
from ansible_collections.cloudops.fargate.plugins.modules import metric_alarm
from tests.unit import helpers
from tests.unit.helpers import assert_ok

NAME = "unit-web-5xx"
ARN = f"arn:aws:cloudwatch:us-east-1:123456789012:alarm:{NAME}"
TOPIC = "arn:aws:sns:us-east-1:123456789012:unit-alarms"
READ_ONLY = {"DescribeAlarms", "ListTagsForResource"}
LB = [{"name": "LoadBalancer", "value": "app/unit/0123456789abcdef"}]


def elb_sum(query_id, metric_name):
    return {
        "id": query_id,
        "metric_stat": {
            "metric": {"namespace": "AWS/ApplicationELB", "metric_name": metric_name, "dimensions": copy.deepcopy(LB)},
            "period": 60,
            "stat": "Sum",
        },
        "return_data": False,
    }


MATH = {
    "name": NAME,
    "description": "5xx above 5% of requests",
    "metrics": [
        elb_sum("errors", "HTTPCode_Target_5XX_Count"),
        elb_sum("requests", "RequestCount"),
        {"id": "error_rate", "expression": "100 * errors / requests", "label": "5xx rate", "return_data": True},
    ],
    "comparison": "GreaterThanThreshold",
    "threshold": 5,
    "evaluation_periods": 3,
    "treat_missing_data": "notBreaching",
    "alarm_actions": [TOPIC],
    "tags": {"Stack": "unit"},
}

SINGLE = {
    "name": NAME,
    "namespace": "AWS/ECS",
    "metric_name": "CPUUtilization",
    "dimensions": {"ServiceName": "web", "ClusterName": "unit"},
    "statistic": "Average",
    "period": 60,
    "comparison": "GreaterThanThreshold",
    "threshold": 80.0,
    "evaluation_periods": 5,
    "datapoints_to_alarm": 3,
    "ok_actions": [TOPIC],
}


@pytest.fixture
def cloudwatch(aws):
    client = aws("cloudwatch")
    client._unit_test_client = True
    return client


@pytest.fixture
def run(recorded_runner):
    return recorded_runner(metric_alarm, READ_ONLY)


def described(cloudwatch):
    """The alarm as AWS (moto) holds it, without what changes by itself (state, timestamps); None when absent."""
    alarms = cloudwatch.describe_alarms(AlarmNames=[NAME])["MetricAlarms"]
    if not alarms:
        return None
    alarm = {k: v for k, v in alarms[0].items() if not k.startswith("State") and not k.endswith("Timestamp")}
    alarm["Tags"] = cloudwatch.list_tags_for_resource(ResourceARN=ARN)["Tags"]
    return alarm


def operations(calls):
    return [operation for _service, operation in calls]


def without_aws_state(alarm):
    return {k: v for k, v in alarm.items() if k not in ("alarm_arn", "state_value", "state_reason")}


def test_metric_math_four_steps(run, cloudwatch, calls):
    after = {
        "alarm_name": NAME,
        "alarm_description": "5xx above 5% of requests",
        "actions_enabled": True,
        "alarm_actions": [TOPIC],
        "ok_actions": [],
        "insufficient_data_actions": [],
        "metric_name": None,
        "namespace": None,
        "statistic": None,
        "extended_statistic": None,
        "dimensions": {},
        "period": None,
        "unit": None,
        "metrics": [
            {
                "id": "error_rate",
                "expression": "100 * errors / requests",
                "label": "5xx rate",
                "return_data": True,
                "period": None,
                "metric_stat": None,
            },
            {
                "id": "errors",
                "expression": None,
                "label": None,
                "return_data": False,
                "period": None,
                "metric_stat": {
                    "metric": {
                        "namespace": "AWS/ApplicationELB",
                        "metric_name": "HTTPCode_Target_5XX_Count",
                        "dimensions": LB,
                    },
                    "period": 60,
                    "stat": "Sum",
                    "unit": None,
                },
            },
            {
                "id": "requests",
                "expression": None,
                "label": None,
                "return_data": False,
                "period": None,
                "metric_stat": {
                    "metric": {"namespace": "AWS/ApplicationELB", "metric_name": "RequestCount", "dimensions": LB},
                    "period": 60,
                    "stat": "Sum",
                    "unit": None,
                },
            },
        ],
        "comparison_operator": "GreaterThanThreshold",
        "threshold": 5.0,
        "evaluation_periods": 3,
        "datapoints_to_alarm": 3,
        "treat_missing_data": "notBreaching",
        "evaluate_low_sample_count_percentile": None,
        "threshold_metric_id": None,
        "tags": {"Stack": "unit"},
    }
    predicted = helpers.four_steps(
        run, MATH, cloudwatch, None, None, {}, after, snapshot=described, key="alarm", normalise=without_aws_state
    )
    assert predicted == dict(after, alarm_arn=ARN, state_value="OK", state_reason="Unchecked: Initial alarm creation")
    stored = described(cloudwatch)
    # every ReturnData explicit, and the defaults the module compares with sent as such
    assert [(q["Id"], q["ReturnData"]) for q in stored["Metrics"]] == [
        ("error_rate", True),
        ("errors", False),
        ("requests", False),
    ]
    assert (stored["TreatMissingData"], stored["DatapointsToAlarm"], stored["Tags"]) == (
        "notBreaching",
        3,
        [{"Key": "Stack", "Value": "unit"}],
    )


def test_the_prediction_of_a_create_in_check_mode(run, cloudwatch):
    result = run(MATH, check_mode=True)
    assert_ok(result, changed=True)
    assert (result["alarm"]["alarm_arn"], result["alarm"]["state_value"]) == (None, "INSUFFICIENT_DATA")


def test_single_metric_four_steps(run, cloudwatch):
    helpers.four_steps(
        run,
        SINGLE,
        cloudwatch,
        None,
        None,
        {},
        {
            "alarm_name": NAME,
            "alarm_description": None,
            "actions_enabled": True,
            "alarm_actions": [],
            "ok_actions": [TOPIC],
            "insufficient_data_actions": [],
            "metric_name": "CPUUtilization",
            "namespace": "AWS/ECS",
            "statistic": "Average",
            "extended_statistic": None,
            "dimensions": {"ClusterName": "unit", "ServiceName": "web"},
            "period": 60,
            "unit": None,
            "metrics": [],
            "comparison_operator": "GreaterThanThreshold",
            "threshold": 80.0,
            "evaluation_periods": 5,
            "datapoints_to_alarm": 3,
            "treat_missing_data": "missing",
            "evaluate_low_sample_count_percentile": None,
            "threshold_metric_id": None,
            "tags": {},
        },
        snapshot=described,
        key="alarm",
        normalise=without_aws_state,
    )


def test_what_aws_reads_the_same_is_no_change(run, cloudwatch):
    assert_ok(run(MATH), changed=True)
    same = copy.deepcopy(MATH)
    same["metrics"].reverse()
    same["metrics"][1]["metric_stat"]["metric"]["dimensions"] = list(reversed(LB + [{"name": "A", "value": "1"}]))
    assert_ok(run(same), changed=True)  # a dimension more is a change ...
    same["metrics"][1]["metric_stat"]["metric"]["dimensions"].reverse()  # ... its order is not
    same.update(threshold="5.0", datapoints_to_alarm=3, alarm_actions=[TOPIC, TOPIC])
    del same["metrics"][0]["return_data"]  # the expression returns data: AWS's default
    assert_ok(run(same, check_mode=True), changed=False)
    assert_ok(run(same), changed=False)


def test_an_alarm_made_elsewhere_with_aws_defaults_left_out_is_no_change(run, cloudwatch, calls):
    # as the console or the CLI leave it: no TreatMissingData, DatapointsToAlarm or ActionsEnabled, and the ReturnData
    # of the expression left to AWS's default
    cloudwatch.put_metric_alarm(
        AlarmName=NAME,
        ComparisonOperator="GreaterThanThreshold",
        EvaluationPeriods=3,
        Threshold=5,
        Metrics=[
            {"Id": "e1", "Expression": "m1 * 2"},
            {
                "Id": "m1",
                "ReturnData": False,
                "MetricStat": {"Metric": {"Namespace": "X", "MetricName": "Y"}, "Period": 300, "Stat": "p99"},
            },
        ],
    )
    args = {
        "name": NAME,
        "metrics": [
            {
                "id": "m1",
                "metric_stat": {"metric": {"namespace": "X", "metric_name": "Y"}, "period": 300, "stat": "p99"},
                "return_data": False,
            },
            {"id": "e1", "expression": "m1 * 2"},
        ],
        "comparison": "GreaterThanThreshold",
        "threshold": 5,
        "evaluation_periods": 3,
    }
    assert_ok(run(args), changed=False)
    assert operations(calls) == ["DescribeAlarms", "ListTagsForResource"]


def test_a_change_of_the_metric_math_is_one_put_and_shows_in_the_diff(run, cloudwatch, calls):
    assert_ok(run(MATH), changed=True)
    changed = copy.deepcopy(MATH)
    changed["metrics"][2]["expression"] = "100 * errors / (requests + 1)"
    result = run(changed, check_mode=True, diff=True)
    assert_ok(result, changed=True)
    before_rate = {
        "id": "error_rate",
        "expression": "100 * errors / requests",
        "label": "5xx rate",
        "return_data": True,
        "period": None,
        "metric_stat": None,
    }
    assert result["diff"]["before"]["metrics"][0] == before_rate
    assert result["diff"]["after"]["metrics"][0] == dict(before_rate, expression="100 * errors / (requests + 1)")
    assert list(result["diff"]["before"]) == ["metrics"]
    assert described(cloudwatch)["Metrics"][0]["Expression"] == "100 * errors / requests"

    result = run(changed, diff=True)
    assert_ok(result, changed=True)
    assert operations(calls).count("PutMetricAlarm") == 1
    assert not {"TagResource", "UntagResource"} & set(operations(calls))
    assert described(cloudwatch)["Metrics"][0]["Expression"] == "100 * errors / (requests + 1)"
    assert result["alarm"]["metrics"][0]["expression"] == "100 * errors / (requests + 1)"
    assert_ok(run(changed), changed=False)


@pytest.mark.parametrize(
    "change, fields",
    [
        ({"threshold": 6}, ["threshold"]),
        # datapoints_to_alarm left out follows evaluation_periods: 3 out of 3 becomes 4 out of 4
        ({"evaluation_periods": 4}, ["evaluation_periods", "datapoints_to_alarm"]),
        ({"datapoints_to_alarm": 2}, ["datapoints_to_alarm"]),
        ({"treat_missing_data": "missing"}, ["treat_missing_data"]),
        ({"actions_enabled": False}, ["actions_enabled"]),
        ({"alarm_actions": []}, ["alarm_actions"]),
        ({"description": None}, ["alarm_description"]),
        ({"comparison": "GreaterThanOrEqualToThreshold"}, ["comparison_operator"]),
    ],
)
def test_each_field_counts(run, cloudwatch, calls, change, fields):
    assert_ok(run(MATH), changed=True)
    result = run(dict(MATH, **change), diff=True)
    assert_ok(result, changed=True)
    assert list(result["diff"]["after"]) == fields
    assert operations(calls).count("PutMetricAlarm") == 1
    assert_ok(run(dict(MATH, **change)), changed=False)


def test_from_one_metric_to_metric_math(run, cloudwatch):
    assert_ok(run(SINGLE), changed=True)
    args = dict(MATH, evaluation_periods=5, datapoints_to_alarm=3, ok_actions=[TOPIC], alarm_actions=[])
    args.pop("tags")
    args.pop("description")
    args["treat_missing_data"] = "missing"
    args["threshold"] = 80
    result = run(args, diff=True)
    assert_ok(result, changed=True)
    assert set(result["diff"]["after"]) == {"metric_name", "namespace", "statistic", "dimensions", "period", "metrics"}
    assert result["diff"]["after"]["metric_name"] is None
    stored = described(cloudwatch)
    assert "MetricName" not in stored and len(stored["Metrics"]) == 3


def test_tags_change_in_place(run, cloudwatch, calls):
    assert_ok(run(MATH), changed=True)
    result = run(dict(MATH, tags={"Owner": "web"}, purge_tags=False), diff=True)
    assert_ok(result, changed=True)
    assert result["diff"] == {
        "before": {"tags": {"Stack": "unit"}},
        "after": {"tags": {"Stack": "unit", "Owner": "web"}},
    }
    assert operations(calls) == ["DescribeAlarms", "ListTagsForResource", "TagResource"]
    result = run(dict(MATH, tags={"Owner": "web"}))
    assert_ok(result, changed=True)
    assert "UntagResource" in operations(calls) and "PutMetricAlarm" not in operations(calls)
    assert described(cloudwatch)["Tags"] == [{"Key": "Owner", "Value": "web"}]
    assert result["alarm"]["tags"] == {"Owner": "web"}
    no_tags = dict(MATH)
    no_tags.pop("tags")
    assert_ok(run(no_tags), changed=False)  # tags left out: left alone


def test_absent_deletes_and_then_has_nothing_to_do(run, cloudwatch, calls):
    assert_ok(run(MATH), changed=True)
    result = run({"name": NAME, "state": "absent"}, check_mode=True, diff=True)
    assert_ok(result, changed=True)
    assert result["diff"]["after"] == {}
    assert result["diff"]["before"]["metrics"][0]["id"] == "error_rate"
    assert result["diff"]["before"]["tags"] == {"Stack": "unit"}
    assert described(cloudwatch) is not None
    result = run({"name": NAME, "state": "absent"})
    assert_ok(result, changed=True)
    assert operations(calls)[-1] == "DeleteAlarms"
    assert described(cloudwatch) is None and result["alarm"] == {}
    assert_ok(run({"name": NAME, "state": "absent"}), changed=False)
    assert operations(calls) == ["DescribeAlarms"]


def _with(base=None, **changes):
    """``base`` (MATH when not given) with ``changes``; None removes an option (a task that leaves it out)."""
    args = copy.deepcopy(MATH if base is None else base)
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    return args


def _queries(*edits):
    """MATH's queries with ``edits`` (index, field, value) applied."""
    queries = copy.deepcopy(MATH["metrics"])
    for index, field, value in edits:
        queries[index][field] = value
    return queries


@pytest.mark.parametrize(
    "args, named",
    [
        (_with(metrics=_queries((0, "return_data", True))), "metrics: exactly one query must return data"),
        (_with(metrics=_queries((0, "return_data", None))), "not 2: errors, error_rate; set return_data: false"),
        (_with(metrics=_queries((2, "return_data", False))), "metrics: exactly one query must return data"),
        (_with(metrics=_queries((0, "id", "Errors"))), "metrics[0].id must start with a lower-case letter"),
        (_with(metrics=_queries((0, "id", "err-ors"))), "metrics[0].id must start with a lower-case letter"),
        (_with(metrics=_queries((1, "id", "errors"))), "metrics: each id once, not errors"),
        (
            _with(metrics=_queries((2, "period", 45))),
            "metrics[2] (error_rate).period must be 10, 20, 30 or a multiple of 60",
        ),
        (
            _with(metrics=_queries((2, "metric_stat", MATH["metrics"][0]["metric_stat"]))),
            "needs exactly one of expression and metric_stat",
        ),
        (
            _with(
                metrics=[elb_sum(f"m{i}", "RequestCount") for i in range(11)]
                + [{"id": "e", "expression": "m1", "return_data": True}]
            ),
            "at most 10 queries with metric_stat",
        ),
        (
            _with(metrics=[{"id": f"e{i}", "expression": "1", "return_data": i == 0} for i in range(11)]),
            "at most 10 queries with an expression",
        ),
        (_with(threshold=None), "threshold is required with state=present"),
        (_with(comparison=None), "comparison is required with state=present"),
        (_with(evaluation_periods=None), "evaluation_periods is required with state=present"),
        (_with(evaluation_periods=0), "evaluation_periods must be at least 1"),
        (_with(datapoints_to_alarm=4), "datapoints_to_alarm must be 1 to evaluation_periods (3), not 4"),
        (_with(evaluation_periods=1441), "an alarm evaluates at most 86400 s"),
        (_with(metrics=None), "state=present needs metric_name (one metric) or metrics (metric math)"),
        (_with(name="x" * 256), "name must be 1 to 255 characters"),
        (_with(name="tab\there"), "name must be 1 to 255 characters"),
        (_with(alarm_actions=["unit-alarms"]), "alarm_actions: each action is an ARN"),
        (_with(ok_actions=[f"{TOPIC}-{i}" for i in range(6)]), "ok_actions: at most 5 actions"),
        (_with(tags={"aws:x": "y"}), "keys starting with 'aws:' are reserved"),
        (_with(evaluate_low_sample_count_percentile="ignore"), "evaluate_low_sample_count_percentile applies only"),
        (_with(SINGLE, statistic=None), "metric_name needs exactly one of statistic and extended_statistic"),
        (_with(SINGLE, statistic=None, extended_statistic="p101"), "extended_statistic must be p0 to p100"),
        (_with(SINGLE, statistic=None, extended_statistic="TM(5%:95%)"), "extended_statistic must be p0 to p100"),
        (_with(SINGLE, period=90), "period must be 10, 20, 30 or a multiple of 60"),
        (_with(SINGLE, period=None), "period is required with metric_name"),
        (_with(SINGLE, namespace=None), "namespace is required"),
        (dict(SINGLE, metrics=MATH["metrics"]), "parameters are mutually exclusive: metrics|metric_name"),
        (dict(SINGLE, extended_statistic="p99"), "parameters are mutually exclusive: statistic|extended_statistic"),
        ({"name": "tab\there", "state": "absent"}, "name must be 1 to 255 characters"),
    ],
)
def test_bad_input_fails_before_any_call(run, calls, args, named):
    result = run(args)
    assert result["failed"] and named in result["msg"], result
    assert calls == []


def test_every_bad_option_is_named_at_once(run, calls):
    result = run(_with(threshold=None, datapoints_to_alarm=9, alarm_actions=["x"]))
    assert result["failed"]
    assert result["msg"].splitlines() == [
        "threshold is required with state=present",
        "datapoints_to_alarm must be 1 to evaluation_periods (3), not 9",
        "alarm_actions: each action is an ARN (arn:aws:sns:..., arn:aws:autoscaling:...), not 'x'",
    ]
    assert calls == []


# --- AWS's answers moto does not give: botocore's Stubber ---------------------------------------------------------


@pytest.fixture
def stubber(monkeypatch):
    client = boto3.client("cloudwatch", region_name="us-east-1")
    stub = Stubber(client)
    wrapped = RetryingBotoClientWrapper(client, AWSRetry.jittered_backoff(retries=0))
    monkeypatch.setattr(MetricAlarmManager, "client", lambda self, service, retry_decorator=None: wrapped)
    stub.activate()
    yield stub
    stub.assert_no_pending_responses()


DESCRIBE = {"AlarmNames": [NAME], "AlarmTypes": ["MetricAlarm", "CompositeAlarm"]}


def _describe(stub, metric=(), composite=()):
    stub.add_response("describe_alarms", {"MetricAlarms": list(metric), "CompositeAlarms": list(composite)}, DESCRIBE)


def test_aws_refusing_the_alarm_fails_the_task_with_its_message(run_module, stubber):
    _describe(stubber)
    stubber.add_client_error(
        "put_metric_alarm",
        service_error_code="ValidationError",
        service_message="Metric math expression is invalid",
        http_status_code=400,
    )
    result = run_module(metric_alarm, MATH)
    assert result["failed"] and result["msg"].startswith(f"Failed to create alarm {NAME}"), result
    assert "Metric math expression is invalid" in str(result)


def test_a_composite_alarm_of_the_name_is_an_error_naming_name(run_module, stubber):
    _describe(stubber, composite=[{"AlarmName": NAME, "AlarmArn": ARN, "AlarmRule": "ALARM(x)"}])
    result = run_module(metric_alarm, MATH)
    assert result["failed"] and result["msg"].startswith(f"name: {NAME} is a composite alarm"), result


def test_a_composite_alarm_of_the_name_is_left_alone_by_absent(run_module, stubber):
    _describe(stubber, composite=[{"AlarmName": NAME, "AlarmArn": ARN, "AlarmRule": "ALARM(x)"}])
    assert_ok(run_module(metric_alarm, {"name": NAME, "state": "absent"}), changed=False)


def _stored_math_alarm():
    """MATH as AWS describes it: ReturnData on every query, the defaults it fills in."""
    return {
        "AlarmName": NAME,
        "AlarmArn": ARN,
        "AlarmDescription": MATH["description"],
        "ActionsEnabled": True,
        "AlarmActions": [TOPIC],
        "OKActions": [],
        "InsufficientDataActions": [],
        "StateValue": "ALARM",
        "StateReason": "Threshold Crossed",
        "Dimensions": [],
        "EvaluationPeriods": 3,
        "DatapointsToAlarm": 3,
        "Threshold": 5.0,
        "ComparisonOperator": "GreaterThanThreshold",
        "TreatMissingData": "notBreaching",
        "Metrics": [
            {
                "Id": q["id"],
                "ReturnData": q["return_data"],
                **({"Expression": q["expression"], "Label": q["label"]} if "expression" in q else {}),
                **(
                    {
                        "MetricStat": {
                            "Metric": {
                                "Namespace": q["metric_stat"]["metric"]["namespace"],
                                "MetricName": q["metric_stat"]["metric"]["metric_name"],
                                "Dimensions": [{"Name": d["name"], "Value": d["value"]} for d in LB],
                            },
                            "Period": 60,
                            "Stat": "Sum",
                        }
                    }
                    if "metric_stat" in q
                    else {}
                ),
            }
            for q in MATH["metrics"]
        ],
    }


def test_an_update_keeps_the_alarm_state_and_sends_no_tags(run_module, stubber):
    stored = _stored_math_alarm()
    _describe(stubber, metric=[stored])
    stubber.add_response("list_tags_for_resource", {"Tags": [{"Key": "Stack", "Value": "unit"}]}, {"ResourceARN": ARN})
    changed = dict(MATH, threshold=7)
    expected_put = {
        "AlarmName": NAME,
        "AlarmDescription": MATH["description"],
        "ActionsEnabled": True,
        "AlarmActions": [TOPIC],
        "OKActions": [],
        "InsufficientDataActions": [],
        "ComparisonOperator": "GreaterThanThreshold",
        "Threshold": 7.0,
        "EvaluationPeriods": 3,
        "DatapointsToAlarm": 3,
        "TreatMissingData": "notBreaching",
        "Metrics": sorted(stored["Metrics"], key=lambda q: q["Id"]),
    }
    stubber.add_response("put_metric_alarm", {}, expected_put)
    _describe(stubber, metric=[dict(stored, Threshold=7.0)])
    result = run_module(metric_alarm, changed)
    assert_ok(result, changed=True)
    assert (result["alarm"]["state_value"], result["alarm"]["threshold"]) == ("ALARM", 7.0)


def test_a_delete_of_an_alarm_gone_since_the_lookup_is_absent(run_module, stubber):
    _describe(stubber, metric=[_stored_math_alarm()])
    stubber.add_response("list_tags_for_resource", {"Tags": []}, {"ResourceARN": ARN})
    stubber.add_client_error(
        "delete_alarms", service_error_code="ResourceNotFound", service_message="Alarm not found", http_status_code=404
    )
    result = run_module(metric_alarm, {"name": NAME, "state": "absent"})
    assert_ok(result, changed=True)
    assert result["alarm"] == {}
