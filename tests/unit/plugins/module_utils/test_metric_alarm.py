"""The pure helpers of plugins/module_utils/_metric_alarm.py: validation, the one form both sides are compared in,
and PutMetricAlarm's request."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.cloudops.fargate.plugins.module_utils._metric_alarm import CONFIG_FIELDS
from ansible_collections.cloudops.fargate.plugins.module_utils._metric_alarm import AlarmInputError
from ansible_collections.cloudops.fargate.plugins.module_utils._metric_alarm import differences
from ansible_collections.cloudops.fargate.plugins.module_utils._metric_alarm import evaluation_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._metric_alarm import extended_statistic_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._metric_alarm import metrics_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._metric_alarm import name_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._metric_alarm import normalize_alarm
from ansible_collections.cloudops.fargate.plugins.module_utils._metric_alarm import normalize_queries
from ansible_collections.cloudops.fargate.plugins.module_utils._metric_alarm import period_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._metric_alarm import put_request
from ansible_collections.cloudops.fargate.plugins.module_utils._metric_alarm import returning_index
from ansible_collections.cloudops.fargate.plugins.module_utils._metric_alarm import statistic_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._metric_alarm import wanted_alarm

METRIC_QUERY = {
    "id": "errors",
    "metric_stat": {
        "metric": {
            "namespace": "AWS/ApplicationELB",
            "metric_name": "HTTPCode_Target_5XX_Count",
            "dimensions": [{"name": "TargetGroup", "value": "tg"}, {"name": "LoadBalancer", "value": "lb"}],
        },
        "period": 60,
        "stat": "Sum",
    },
    "return_data": False,
}
MATH = {
    "name": "web-5xx",
    "metrics": [METRIC_QUERY, {"id": "rate", "expression": "errors / 60", "label": "per second"}],
    "comparison": "GreaterThanThreshold",
    "threshold": 1,
    "evaluation_periods": 5,
    "treat_missing_data": "missing",
    "actions_enabled": True,
    "alarm_actions": ["arn:aws:sns:us-east-1:123456789012:b", "arn:aws:sns:us-east-1:123456789012:a"],
}
SINGLE = {
    "name": "web-latency",
    "namespace": "AWS/ApplicationELB",
    "metric_name": "TargetResponseTime",
    "dimensions": {"LoadBalancer": "lb"},
    "extended_statistic": "p99",
    "period": 300,
    "comparison": "GreaterThanThreshold",
    "threshold": 0.5,
    "evaluation_periods": 3,
    "datapoints_to_alarm": 2,
    "evaluate_low_sample_count_percentile": "ignore",
}


# --- validation -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["a", "Web 5xx / rate: high", "é" * 255])
def test_valid_names(name):
    assert name_errors(name) == []


@pytest.mark.parametrize("name", ["", "x" * 256, "line\nbreak", "del\x7f", None])
def test_invalid_names(name):
    (error,) = name_errors(name)
    assert error.startswith("name must be 1 to 255 characters without ASCII control characters")


@pytest.mark.parametrize("period", [10, 20, 30, 60, 120, 3600, 86400])
def test_periods_aws_takes_for_alarms(period):
    assert period_errors(period, "period") == []


@pytest.mark.parametrize("period", [0, 1, 5, 15, 45, 90, 61, -60])
def test_periods_aws_refuses_for_alarms(period):
    (error,) = period_errors(period, "period")
    assert error == f"period must be 10, 20, 30 or a multiple of 60 seconds (an alarm's periods), not {period}"


@pytest.mark.parametrize(
    "stat",
    ["p99", "p99.9", "p0", "p100", "tm90", "tc95.5", "ts50", "wm99", "IQM", "PR(100:2000)", "PR(:300)", "TM(10%:90%)",
     "WM(25%:75%)", "TC(10.5%:89%)"],
)  # fmt: skip
def test_extended_statistics_in_putmetricalarm_forms(stat):
    assert extended_statistic_errors(stat) == []
    assert statistic_errors(stat, "metrics[0].metric_stat.stat") == []


@pytest.mark.parametrize(
    "stat", ["p101", "P99", "p", "avg", "TM(5%:95%)", "TM(10%:91%)", "TM(150:1000)", "IQR", "tm(10%:90%)", "PR()", ""]
)
def test_extended_statistics_aws_refuses_for_alarms(stat):
    (error,) = extended_statistic_errors(stat)
    assert error.startswith("extended_statistic must be p0 to p100")


def test_a_query_stat_is_a_statistic_or_an_extended_one():
    assert statistic_errors("Average", "s") == []
    (error,) = statistic_errors("Mean", "metrics[1].metric_stat.stat")
    assert error.startswith("metrics[1].metric_stat.stat must be one of SampleCount, Average, Sum, Minimum, Maximum")


def test_exactly_one_query_returns_data_left_out_counting_as_true():
    unset = {"id": "e", "expression": "m"}
    assert metrics_errors([dict(METRIC_QUERY, id="m"), unset]) == []
    (error,) = metrics_errors([dict(METRIC_QUERY, id="m", return_data=None), unset])
    assert error == (
        "metrics: exactly one query must return data (return_data true, which AWS assumes when it is left out),"
        " not 2: m, e; set return_data: false on the others"
    )
    (error,) = metrics_errors([dict(METRIC_QUERY, id="m"), dict(unset, return_data=False)])
    assert "not 0;" in error


def test_a_metric_stat_may_be_the_query_that_returns_data():
    # a cross-account alarm, or one metric through the metrics list
    assert metrics_errors([dict(METRIC_QUERY, return_data=True)]) == []


@pytest.mark.parametrize(
    "query_id, ok",
    [("m1", True), ("errorRate_5xx", True), ("e", True), ("M1", False), ("1m", False), ("_m", False), ("m-1", False),
     ("m 1", False), ("m" * 255, True), ("m" * 256, False)],
)  # fmt: skip
def test_query_ids(query_id, ok):
    errors = metrics_errors([{"id": query_id, "expression": "1"}])
    assert (errors == []) is ok, errors


def test_queries_count_by_kind():
    stats = [dict(METRIC_QUERY, id=f"m{i}") for i in range(10)]
    expressions = [{"id": f"e{i}", "expression": "1", "return_data": i == 0} for i in range(10)]
    assert metrics_errors(stats + expressions) == []  # 20 queries: 10 of each, as PutMetricAlarm allows
    assert metrics_errors(stats + [dict(METRIC_QUERY, id="m10")] + expressions) == [
        "metrics: at most 10 queries with metric_stat in an alarm, not 11"
    ]
    assert metrics_errors(stats + expressions + [{"id": "e10", "expression": "1", "return_data": False}]) == [
        "metrics: at most 10 queries with an expression in an alarm, not 11"
    ]


def test_a_query_names_where_it_is_and_each_problem():
    bad = {"id": "rate", "expression": "x" * 2049, "metric_stat": METRIC_QUERY["metric_stat"], "period": 7}
    assert metrics_errors([bad]) == [
        "metrics[0] (rate) needs exactly one of expression and metric_stat",
        "metrics[0] (rate).expression is 1 to 2048 characters",
        "metrics[0] (rate).period must be 10, 20, 30 or a multiple of 60 seconds (an alarm's periods), not 7",
    ]
    stat = copy.deepcopy(METRIC_QUERY)
    stat["metric_stat"]["metric"]["dimensions"].append({"name": "LoadBalancer", "value": "other"})
    stat["metric_stat"]["stat"] = "avg"
    assert metrics_errors([stat, {"id": "e", "expression": "errors"}]) == [
        "metrics[0] (errors).metric_stat.metric.dimensions: each dimension name once, not LoadBalancer more than once",
        "metrics[0] (errors).metric_stat.stat must be one of SampleCount, Average, Sum, Minimum, Maximum or an"
        " extended statistic (p99, tm90, IQM, TM(10%:90%) ...), not 'avg'",
    ]
    assert metrics_errors([]) == ["metrics needs at least one query"]


DAY = "evaluation_periods: 1441 periods of 60 s is 86460 s; an alarm evaluates at most 86400 s"
WEEK = "evaluation_periods: 169 periods of 3600 s is 608400 s; an alarm evaluates at most 604800 s"


@pytest.mark.parametrize(
    "evaluation_periods, datapoints, periods, errors",
    [
        (1440, None, [60], []),  # one day of minutes
        (1441, None, [60], [f"{DAY} (one day with periods under an hour)"]),
        (168, None, [3600], []),  # seven days of hours
        (169, None, [3600], [f"{WEEK} (seven days)"]),
        (3, 3, [60], []),
        (3, 4, [60], ["datapoints_to_alarm must be 1 to evaluation_periods (3), not 4"]),
        (3, 0, [60], ["datapoints_to_alarm must be 1 to evaluation_periods (3), not 0"]),
        (0, None, [60], ["evaluation_periods must be at least 1, not 0"]),
        (None, None, [60], ["evaluation_periods is required with state=present"]),
    ],
)  # fmt: skip
def test_evaluation_window(evaluation_periods, datapoints, periods, errors):
    params = {"evaluation_periods": evaluation_periods, "datapoints_to_alarm": datapoints}
    assert evaluation_errors(params, periods) == errors


def test_wanted_alarm_names_every_bad_option_at_once():
    with pytest.raises(AlarmInputError) as raised:
        wanted_alarm(dict(SINGLE, metric_name=None, comparison="LessThanLowerThreshold", description="d" * 1025))
    assert str(raised.value).splitlines() == [
        "description is at most 1024 characters, not 1025",
        "state=present needs metric_name (one metric) or metrics (metric math)",
        "comparison must be one of GreaterThanOrEqualToThreshold, GreaterThanThreshold, LessThanThreshold,"
        " LessThanOrEqualToThreshold, not 'LessThanLowerThreshold'",
    ]


def test_the_single_metric_options_and_metrics_exclude_each_other():
    with pytest.raises(AlarmInputError, match="metrics cannot be combined with namespace, period"):
        wanted_alarm(dict(MATH, namespace="AWS/ECS", period=60))


# --- the one form -------------------------------------------------------------------------------------------------


def test_returning_index():
    assert returning_index([False, True, None]) == 1  # the one that says true; the others are false
    assert returning_index([False, None]) == 1  # none says true: the one that says nothing (AWS's default)
    assert returning_index([None]) == 0
    assert returning_index([True, True]) is None
    assert returning_index([None, None]) is None
    assert returning_index([False, False]) is None


def test_queries_are_compared_by_id_with_dimensions_sorted_and_return_data_decided():
    described = [
        {"Id": "rate", "Expression": "errors / 60", "ReturnData": True},
        {
            "Id": "errors",
            "MetricStat": {
                "Metric": {
                    "Namespace": "N",
                    "MetricName": "M",
                    "Dimensions": [{"Name": "b", "Value": "2"}, {"Name": "a", "Value": "1"}],
                },
                "Period": 60,
                "Stat": "Sum",
            },
        },
    ]
    assert normalize_queries(described) == [
        {
            "id": "errors",
            "expression": None,
            "label": None,
            "return_data": False,  # left out, but another query says true: this one cannot return data too
            "period": None,
            "metric_stat": {
                "metric": {
                    "namespace": "N",
                    "metric_name": "M",
                    "dimensions": [{"name": "a", "value": "1"}, {"name": "b", "value": "2"}],
                },
                "period": 60,
                "stat": "Sum",
                "unit": None,
            },
        },
        {
            "id": "rate",
            "expression": "errors / 60",
            "label": None,
            "return_data": True,
            "period": None,
            "metric_stat": None,
        },
    ]


def test_an_account_id_set_elsewhere_is_a_difference():
    (query,) = normalize_queries([{"Id": "m", "AccountId": "111122223333", "Expression": "1"}])
    assert query["account_id"] == "111122223333"


def test_aws_defaults_fill_in_what_describe_leaves_out():
    config = normalize_alarm(
        {
            "AlarmName": "a",
            "MetricName": "M",
            "Namespace": "N",
            "ExtendedStatistic": "p90",
            "Period": 60,
            "EvaluationPeriods": 4,
            "Threshold": 1,
            "ComparisonOperator": "GreaterThanThreshold",
            "AlarmActions": ["arn:b", "arn:a", "arn:b"],
            "Dimensions": [{"Name": "z", "Value": "1"}, {"Name": "y", "Value": "2"}],
        }
    )
    assert config == {
        "alarm_description": None,
        "actions_enabled": True,
        "alarm_actions": ["arn:a", "arn:b"],
        "ok_actions": [],
        "insufficient_data_actions": [],
        "metric_name": "M",
        "namespace": "N",
        "statistic": None,
        "extended_statistic": "p90",
        "dimensions": {"y": "2", "z": "1"},
        "period": 60,
        "unit": None,
        "metrics": [],
        "comparison_operator": "GreaterThanThreshold",
        "threshold": 1.0,
        "evaluation_periods": 4,
        "datapoints_to_alarm": 4,
        "treat_missing_data": "missing",
        "evaluate_low_sample_count_percentile": "evaluate",
        "threshold_metric_id": None,
    }
    assert list(config) == list(CONFIG_FIELDS)


@pytest.mark.parametrize("params", [MATH, SINGLE], ids=["metric math", "single metric"])
def test_what_the_module_puts_reads_back_as_what_it_wants(params):
    """PutMetricAlarm's request, described as AWS stores it, normalises to the configuration it was made from."""
    wanted = wanted_alarm(params)
    request = put_request(wanted["name"], wanted["config"])
    assert normalize_alarm(request) == wanted["config"]
    assert differences(normalize_alarm(request), wanted["config"]) == []


def test_the_request_sends_every_default_and_every_return_data():
    wanted = wanted_alarm(MATH)
    request = put_request("web-5xx", wanted["config"], {"Stack": "unit"})
    assert request == {
        "AlarmName": "web-5xx",
        "ActionsEnabled": True,
        "AlarmActions": ["arn:aws:sns:us-east-1:123456789012:a", "arn:aws:sns:us-east-1:123456789012:b"],
        "OKActions": [],
        "InsufficientDataActions": [],
        "ComparisonOperator": "GreaterThanThreshold",
        "Threshold": 1.0,
        "EvaluationPeriods": 5,
        "DatapointsToAlarm": 5,
        "TreatMissingData": "missing",
        "Metrics": [
            {
                "Id": "errors",
                "ReturnData": False,
                "MetricStat": {
                    "Metric": {
                        "MetricName": "HTTPCode_Target_5XX_Count",
                        "Namespace": "AWS/ApplicationELB",
                        "Dimensions": [{"Name": "LoadBalancer", "Value": "lb"}, {"Name": "TargetGroup", "Value": "tg"}],
                    },
                    "Period": 60,
                    "Stat": "Sum",
                },
            },
            {"Id": "rate", "ReturnData": True, "Expression": "errors / 60", "Label": "per second"},
        ],
        "Tags": [{"Key": "Stack", "Value": "unit"}],
    }


def test_a_single_metric_request():
    request = put_request("web-latency", wanted_alarm(SINGLE)["config"])
    assert {k: request[k] for k in ("MetricName", "Namespace", "Period", "ExtendedStatistic", "Dimensions")} == {
        "MetricName": "TargetResponseTime",
        "Namespace": "AWS/ApplicationELB",
        "Period": 300,
        "ExtendedStatistic": "p99",
        "Dimensions": [{"Name": "LoadBalancer", "Value": "lb"}],
    }
    assert (request["DatapointsToAlarm"], request["EvaluateLowSampleCountPercentile"]) == (2, "ignore")
    assert "Statistic" not in request and "Metrics" not in request and "Tags" not in request


def test_differences_name_the_fields():
    wanted = wanted_alarm(MATH)["config"]
    other = copy.deepcopy(wanted)
    other["threshold"] = 2.0
    other["metrics"][1]["expression"] = "errors / 120"
    assert differences(other, wanted) == ["metrics", "threshold"]
    # an anomaly detection alarm of the name made elsewhere: replaced by the task's alarm
    assert differences(dict(wanted, threshold_metric_id="ad1"), wanted) == ["threshold_metric_id"]
