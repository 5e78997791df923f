"""cloudops.fargate.metric_alarms against moto in this process (the calls each run makes counted by botocore), against
the emulator (the calls counted by the server, for the fargate role's own alarms), and against botocore's Stubber
where moto is kinder than AWS (it neither pages DescribeAlarms nor fails a DeleteAlarms of a name that is gone).
Every outcome is read back with a client of the test's own."""

from __future__ import annotations

import copy
import json
import urllib.request
from collections import Counter

import boto3
import pytest
from botocore.stub import Stubber

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper
from ansible_collections.cloudops.fargate.plugins.filter.fargate import operational_alarms
from ansible_collections.cloudops.fargate.plugins.filter.fargate import service_alarms
from ansible_collections.cloudops.fargate.plugins.module_utils._metric_alarm import MetricAlarmsManager
from ansible_collections.cloudops.fargate.plugins.modules import metric_alarms
from tests.unit import helpers
from tests.unit.helpers import assert_ok, running_emulator

REGION = "us-east-1"
ACCOUNT = "123456789012"
PREFIX = "unit-local-"
TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:unit-alarms"
IDENTITY = {"Stack": "unit", "Environment": "local", "ManagedBy": "cloudops.fargate"}
READ_ONLY = {"DescribeAlarms", "ListTagsForResource"}
LB = "app/unit/0123456789abcdef"


def arn(name):
    return f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{name}"


def single(suffix, threshold=80.0, **extra):
    return dict(
        {
            "name": PREFIX + suffix,
            "namespace": "AWS/ECS",
            "metric_name": "CPUUtilization",
            "dimensions": {"ClusterName": "unit", "ServiceName": suffix},
            "statistic": "Average",
            "period": 60,
            "comparison": "GreaterThanThreshold",
            "threshold": threshold,
            "evaluation_periods": 5,
        },
        **extra,
    )


MATH = {
    "name": PREFIX + "5xx-rate",
    "description": "5xx above 5% of requests",
    "metrics": [
        {
            "id": name,
            "metric_stat": {
                "metric": {
                    "namespace": "AWS/ApplicationELB",
                    "metric_name": metric,
                    "dimensions": [{"name": "LoadBalancer", "value": LB}],
                },
                "period": 60,
                "stat": "Sum",
            },
            "return_data": False,
        }
        for name, metric in (("errors", "HTTPCode_Target_5XX_Count"), ("requests", "RequestCount"))
    ]
    + [{"id": "rate", "expression": "100 * errors / requests", "return_data": True}],
    "comparison": "GreaterThanThreshold",
    "threshold": 5,
    "evaluation_periods": 3,
    "treat_missing_data": "notBreaching",
}

ALARMS = [single("cpu"), single("web", threshold=90.0, datapoints_to_alarm=3), MATH]
NAMES = [alarm["name"] for alarm in ALARMS]
ARGS = {
    "name_prefix": PREFIX,
    "identity_tags": IDENTITY,
    "purge": True,
    "alarm_actions": [TOPIC],
    "ok_actions": [TOPIC],
    "tags": {"Owner": "web"},
    "alarms": ALARMS,
}
TAGS = dict(IDENTITY, Owner="web")


@pytest.fixture
def cloudwatch(aws):
    client = aws("cloudwatch")
    client._unit_test_client = True
    return client


@pytest.fixture
def run(recorded_runner):
    return recorded_runner(metric_alarms, READ_ONLY)


def with_args(**changes):
    return dict(copy.deepcopy(ARGS), **changes)


def operations(calls):
    return [operation for _service, operation in calls]


def stored(cloudwatch, prefix=""):
    """Every alarm as AWS (moto) holds it, by name, with its tags, without what changes by itself (state,
    timestamps)."""
    alarms = {}
    described = cloudwatch.describe_alarms(**({"AlarmNamePrefix": prefix} if prefix else {}))["MetricAlarms"]
    for alarm in described:
        kept = {k: v for k, v in alarm.items() if not k.startswith("State") and not k.endswith("Timestamp")}
        tags = cloudwatch.list_tags_for_resource(ResourceARN=alarm["AlarmArn"])["Tags"]
        kept["Tags"] = {t["Key"]: t["Value"] for t in tags}
        alarms[alarm["AlarmName"]] = kept
    return alarms


def put_alarm(cloudwatch, name, tags):
    """An alarm made elsewhere (another stack, by hand, an earlier run's that the task no longer lists)."""
    cloudwatch.put_metric_alarm(
        AlarmName=name,
        MetricName="CPUUtilization",
        Namespace="AWS/ECS",
        Statistic="Average",
        Period=60,
        EvaluationPeriods=1,
        Threshold=1.0,
        ComparisonOperator="GreaterThanThreshold",
        Tags=[{"Key": k, "Value": v} for k, v in tags.items()],
    )


def without_aws_state(alarms):
    return [{k: v for k, v in a.items() if k not in ("alarm_arn", "state_value", "state_reason")} for a in alarms]


# --- converging --------------------------------------------------------------------------------------------------


def test_four_steps_create_every_alarm_with_the_common_actions_and_tags(run, cloudwatch):
    result = run(ARGS, check_mode=True, diff=True)
    after = result["diff"]["after"]
    assert list(after) == NAMES and result["diff"]["before"] == {}
    assert after[MATH["name"]]["threshold"] == 5.0 and after[MATH["name"]]["tags"] == TAGS
    assert (result["created"], result["updated"], result["deleted"]) == (NAMES, [], [])
    assert [(a["alarm_arn"], a["state_value"]) for a in result["alarms"]] == [(None, "INSUFFICIENT_DATA")] * 3

    predicted = helpers.four_steps(
        run, ARGS, cloudwatch, None, None, {}, after, snapshot=stored, key="alarms", normalise=without_aws_state
    )
    assert [a["alarm_name"] for a in predicted] == NAMES
    assert [a["alarm_arn"] for a in predicted] == [arn(name) for name in NAMES]
    alarms = stored(cloudwatch)
    assert sorted(alarms) == sorted(NAMES)
    for name in NAMES:
        assert (alarms[name]["AlarmActions"], alarms[name]["OKActions"], alarms[name]["Tags"]) == ([TOPIC], [TOPIC], TAGS)
    assert alarms[PREFIX + "web"]["DatapointsToAlarm"] == 3 and alarms[PREFIX + "cpu"]["DatapointsToAlarm"] == 5


def test_one_describe_for_all_the_alarms_and_a_second_run_makes_n_plus_one_calls(run, cloudwatch, calls):
    many = [single(f"svc{i}", threshold=float(i)) for i in range(12)]
    args = with_args(alarms=many)
    assert_ok(run(args), changed=True)
    counted = Counter(operations(calls))
    # the read, and one read-back of what was put: never one per alarm
    assert counted == {"DescribeAlarms": 2, "PutMetricAlarm": 12}

    result = run(args)
    assert_ok(result, changed=False)
    assert operations(calls) == ["DescribeAlarms"] + ["ListTagsForResource"] * 12
    assert len(calls) <= len(many) + 1
    assert (result["created"], result["updated"], result["deleted"]) == ([], [], [])
    assert [a["alarm_name"] for a in result["alarms"]] == [a["name"] for a in many]
    assert all(a["alarm_arn"] == arn(a["alarm_name"]) for a in result["alarms"])


def test_check_mode_changes_nothing(run, cloudwatch, calls):
    assert_ok(run(ARGS), changed=True)
    put_alarm(cloudwatch, PREFIX + "old-vpn", IDENTITY)
    before = stored(cloudwatch)
    changed = with_args(alarms=[single("cpu", threshold=1.0), ALARMS[1]], tags={"Owner": "ops"})
    result = run(changed, check_mode=True, diff=True)  # the runner asserts that only reads were made
    assert_ok(result, changed=True)
    assert (result["created"], result["updated"], result["deleted"]) == (
        [],
        [PREFIX + "cpu", PREFIX + "web"],
        sorted([PREFIX + "5xx-rate", PREFIX + "old-vpn"]),
    )
    assert stored(cloudwatch) == before
    # the prediction is the alarm as it would be
    assert result["alarms"][0]["threshold"] == 1.0 and result["alarms"][0]["tags"]["Owner"] == "ops"


def test_a_changed_threshold_updates_only_that_alarm(run, cloudwatch, calls):
    assert_ok(run(ARGS), changed=True)
    before = stored(cloudwatch)
    alarms = copy.deepcopy(ALARMS)
    alarms[1]["threshold"] = 95
    result = run(with_args(alarms=alarms), diff=True)
    assert_ok(result, changed=True)
    assert (result["created"], result["updated"], result["deleted"]) == ([], [PREFIX + "web"], [])
    assert result["diff"] == {"before": {PREFIX + "web": {"threshold": 90.0}}, "after": {PREFIX + "web": {"threshold": 95.0}}}
    counted = Counter(operations(calls))
    assert counted == {"DescribeAlarms": 2, "ListTagsForResource": 3, "PutMetricAlarm": 1}
    after = stored(cloudwatch)
    assert after[PREFIX + "web"]["Threshold"] == 95.0
    assert {k: v for k, v in after.items() if k != PREFIX + "web"} == {
        k: v for k, v in before.items() if k != PREFIX + "web"
    }
    assert result["alarms"][1]["threshold"] == 95.0 and result["alarms"][1]["alarm_arn"] == arn(PREFIX + "web")
    assert_ok(run(with_args(alarms=alarms)), changed=False)


def test_a_tag_change_retags_in_place_without_a_put(run, cloudwatch, calls):
    assert_ok(run(ARGS), changed=True)
    alarms = copy.deepcopy(ALARMS)
    alarms[2]["tags"] = {"Owner": "payments", "Tier": "1"}  # over the common tags
    result = run(with_args(alarms=alarms, tags={"Owner": "ops"}), diff=True)
    assert_ok(result, changed=True)
    assert result["updated"] == NAMES
    assert result["diff"]["before"][MATH["name"]] == {"tags": TAGS}
    assert result["diff"]["after"][MATH["name"]] == {"tags": dict(IDENTITY, Owner="payments", Tier="1")}
    assert "PutMetricAlarm" not in operations(calls)
    assert Counter(operations(calls))["TagResource"] == 3
    alarms_now = stored(cloudwatch)
    assert alarms_now[PREFIX + "cpu"]["Tags"] == dict(IDENTITY, Owner="ops")
    assert alarms_now[MATH["name"]]["Tags"] == dict(IDENTITY, Owner="payments", Tier="1")

    # purge_tags: a tag no longer given goes; the identity tags stay
    alarms[2]["tags"] = {"Owner": "payments"}
    result = run(with_args(alarms=alarms, tags={"Owner": "ops"}))
    assert_ok(result, changed=True)
    assert result["updated"] == [MATH["name"]] and operations(calls).count("UntagResource") == 1
    assert stored(cloudwatch)[MATH["name"]]["Tags"] == dict(IDENTITY, Owner="payments")

    # tags left out: only the identity tags are ensured, the others left alone
    no_tags = {k: v for k, v in ARGS.items() if k != "tags"}
    no_tags["alarms"] = copy.deepcopy(ALARMS)
    assert_ok(run(no_tags), changed=False)


def test_per_alarm_actions_replace_the_common_ones(run, cloudwatch):
    alarms = copy.deepcopy(ALARMS)
    alarms[0]["ok_actions"] = []
    alarms[1]["alarm_actions"] = [TOPIC + "-pager"]
    assert_ok(run(with_args(alarms=alarms)), changed=True)
    alarms_now = stored(cloudwatch)
    assert (alarms_now[PREFIX + "cpu"]["AlarmActions"], alarms_now[PREFIX + "cpu"]["OKActions"]) == ([TOPIC], [])
    assert alarms_now[PREFIX + "web"]["AlarmActions"] == [TOPIC + "-pager"]
    assert alarms_now[PREFIX + "web"]["OKActions"] == [TOPIC]
    assert_ok(run(with_args(alarms=alarms)), changed=False)


# --- purge -----------------------------------------------------------------------------------------------------


def test_purge_deletes_only_unlisted_alarms_under_the_prefix_that_carry_every_identity_tag(run, cloudwatch, calls):
    assert_ok(run(ARGS), changed=True)
    put_alarm(cloudwatch, PREFIX + "vpn-auth-failures", dict(IDENTITY, Owner="web"))  # the stack's, no longer wanted
    put_alarm(cloudwatch, PREFIX + "by-hand", {})  # no tags: someone's own
    put_alarm(cloudwatch, PREFIX + "other-env", dict(IDENTITY, Environment="local-eu"))  # one identity tag differs
    put_alarm(cloudwatch, PREFIX + "partly", {"Stack": "unit", "Environment": "local"})  # one identity tag missing
    put_alarm(cloudwatch, "unit-other-efs-io-limit", IDENTITY)  # outside the prefix
    put_alarm(cloudwatch, "unit-local", IDENTITY)  # the prefix without its dash: outside it too

    result = run(ARGS, check_mode=True, diff=True)
    assert_ok(result, changed=True)
    assert result["deleted"] == [PREFIX + "vpn-auth-failures"]
    assert list(result["diff"]["before"]) == [PREFIX + "vpn-auth-failures"] and result["diff"]["after"] == {}
    deleted = result["diff"]["before"][PREFIX + "vpn-auth-failures"]
    assert (deleted["alarm_name"], deleted["threshold"], deleted["tags"]) == (
        PREFIX + "vpn-auth-failures",
        1.0,
        dict(IDENTITY, Owner="web"),
    )
    assert PREFIX + "vpn-auth-failures" in stored(cloudwatch)

    result = run(ARGS, diff=True)
    assert_ok(result, changed=True)
    assert (result["created"], result["updated"], result["deleted"]) == ([], [], [PREFIX + "vpn-auth-failures"])
    assert operations(calls).count("DeleteAlarms") == 1
    assert sorted(stored(cloudwatch)) == sorted(
        NAMES + [PREFIX + "by-hand", PREFIX + "other-env", PREFIX + "partly", "unit-other-efs-io-limit", "unit-local"]
    )
    assert_ok(run(ARGS), changed=False)

    # without purge, an unlisted alarm of the stack's stays, and its tags are not even read
    put_alarm(cloudwatch, PREFIX + "efs-burst-credits", IDENTITY)
    assert_ok(run(with_args(purge=False)), changed=False)
    assert operations(calls) == ["DescribeAlarms"] + ["ListTagsForResource"] * 3


def test_purge_deletes_in_batches_of_100(run, cloudwatch, calls):
    for i in range(105):
        put_alarm(cloudwatch, f"{PREFIX}old{i:03d}", IDENTITY)
    result = run(with_args(alarms=[]))
    assert_ok(result, changed=True)
    assert len(result["deleted"]) == 105
    assert operations(calls).count("DeleteAlarms") == 2
    assert stored(cloudwatch) == {}


# --- absent ----------------------------------------------------------------------------------------------------


def test_absent_deletes_the_listed_alarms_and_with_purge_the_stacks_others(run, cloudwatch, calls):
    assert_ok(run(ARGS), changed=True)
    put_alarm(cloudwatch, PREFIX + "vpn-auth-failures", IDENTITY)
    put_alarm(cloudwatch, PREFIX + "by-hand", {})
    untagged_listed = PREFIX + "listed-by-hand"
    put_alarm(cloudwatch, untagged_listed, {})  # listed: deleted by name, as metric_alarm does
    absent = {
        "state": "absent",
        "name_prefix": PREFIX,
        "identity_tags": IDENTITY,
        "alarms": [{"name": name} for name in NAMES + [untagged_listed, PREFIX + "never-made"]],
    }
    result = run(absent, check_mode=True, diff=True)
    assert_ok(result, changed=True)
    assert result["deleted"] == sorted(NAMES + [untagged_listed])
    assert result["diff"]["after"] == {} and result["diff"]["before"][MATH["name"]]["tags"] == TAGS
    assert len(stored(cloudwatch)) == 6

    result = run(dict(absent, purge=True))
    assert_ok(result, changed=True)
    assert result["deleted"] == sorted(NAMES + [untagged_listed, PREFIX + "vpn-auth-failures"])
    assert result["alarms"] == [] and result["created"] == result["updated"] == []
    assert list(stored(cloudwatch)) == [PREFIX + "by-hand"]
    assert operations(calls).count("DeleteAlarms") == 1

    result = run(dict(absent, purge=True))
    assert_ok(result, changed=False)
    assert operations(calls) == ["DescribeAlarms", "ListTagsForResource"]  # the by-hand alarm's, to be left alone
    assert list(stored(cloudwatch)) == [PREFIX + "by-hand"]


# --- bad input -------------------------------------------------------------------------------------------------


def _alarm_with(index, **changes):
    alarms = copy.deepcopy(ALARMS)
    for key, value in changes.items():
        if value is None:
            alarms[index].pop(key, None)
        else:
            alarms[index][key] = value
    return alarms


@pytest.mark.parametrize(
    "args, named",
    [
        (
            with_args(alarms=_alarm_with(1, threshold=None)),
            f"alarms[1] ({PREFIX}web): threshold is required with state=present",
        ),
        (
            with_args(alarms=_alarm_with(2, evaluation_periods=1441)),
            f"alarms[2] ({PREFIX}5xx-rate): evaluation_periods: 1441 periods of 60 s",
        ),
        (
            with_args(alarms=_alarm_with(0, name="other-cpu")),
            "alarms[0] (other-cpu): name must start with name_prefix 'unit-local-'",
        ),
        (
            with_args(alarms=_alarm_with(0, alarm_actions=["not-an-arn"])),
            f"alarms[0] ({PREFIX}cpu): alarm_actions: each action is an ARN",
        ),
        (
            with_args(alarms=_alarm_with(0, statistic=None)),
            f"alarms[0] ({PREFIX}cpu): metric_name needs exactly one of statistic and extended_statistic",
        ),
        (
            with_args(alarms=_alarm_with(0, tags={"Stack": "other"})),
            f"alarms[0] ({PREFIX}cpu): tags Stack: 'other', but the identity tag (identity_tags) is 'unit'",
        ),
        (with_args(alarms=ALARMS + [ALARMS[0]]), f"alarms: each name once, not {PREFIX}cpu more than once"),
        (with_args(identity_tags={}), "purge needs identity_tags"),
        (with_args(name_prefix=""), "name_prefix must be 1 to 255 characters"),
        (with_args(identity_tags={"aws:stack": "x"}), "identity_tags aws:stack: keys starting with 'aws:' are reserved"),
        (
            {"state": "absent", "name_prefix": PREFIX, "alarms": [{"name": "elsewhere"}]},
            "alarms[0] (elsewhere): name must start with name_prefix",
        ),
        (with_args(alarms=_alarm_with(0, comparison="Above")), "value of comparison must be one of"),
    ],
)
def test_bad_input_fails_before_any_call_naming_the_alarm_and_the_option(run, calls, args, named):
    result = run(args)
    assert result["failed"] and named in result["msg"], result
    assert calls == []


def test_an_error_of_the_common_options_is_named_once(run, calls):
    result = run(with_args(alarm_actions=["x"], alarms=_alarm_with(2, threshold=None)))
    assert result["failed"]
    assert result["msg"].splitlines() == [
        "alarm_actions: each action is an ARN (arn:aws:sns:..., arn:aws:autoscaling:...), not 'x'",
        f"alarms[2] ({PREFIX}5xx-rate): threshold is required with state=present",
    ]
    assert calls == []


# --- the fargate role's alarms, counted by the emulator --------------------------------------------------------

_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def emulator_calls(endpoint):
    """The calls the emulator counted since the last time, which it then forgets."""
    with _OPENER.open(f"{endpoint}/_emulator/requests", timeout=10) as response:
        counted = json.loads(response.read())["by_action"]
    _OPENER.open(urllib.request.Request(f"{endpoint}/_emulator/requests", method="DELETE"), timeout=10).close()
    return counted


def test_the_fargate_roles_alarms_cost_one_call_each_and_one_more_when_nothing_changes(run_module, tmp_path):
    prefix = "demo-local"
    lb = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:loadbalancer/app/demo-local/0123456789abcdef"
    groups = [f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/demo-local-{n}/0123456789abcdef" for n in "ab"]
    alarms = service_alarms(
        prefix, lb, groups, {"error_percent": 5, "response_time_seconds": 2, "unhealthy_targets": 1, "evaluation_minutes": 1}
    ) + operational_alarms(
        prefix, prefix, f"{prefix}-web", groups, lb, ["nat-0123456789abcdef0"], "fs-0123456789abcdef0",
        "cvpn-endpoint-0123456789abcdef0",
        {"evaluation_minutes": 1, "efs_io_limit_percent": 90, "efs_burst_credit_bytes": 0, "vpn_auth_failures": 5},
    )  # fmt: skip
    assert len(alarms) == 8
    identity = {"Stack": "demo", "Environment": "local", "ManagedBy": "cloudops.fargate"}
    with running_emulator(tmp_path / "emulator", timeout=30) as endpoint:
        args = {
            "endpoint_url": endpoint,
            "region": REGION,
            "name_prefix": f"{prefix}-",
            "purge": True,
            "identity_tags": identity,
            "alarm_actions": [TOPIC],
            "ok_actions": [TOPIC],
            "tags": identity,
            "alarms": alarms,
        }
        emulator_calls(endpoint)
        assert_ok(run_module(metric_alarms, args), changed=True)
        assert emulator_calls(endpoint) == {"monitoring:DescribeAlarms": 2, "monitoring:PutMetricAlarm": 8}
        assert_ok(run_module(metric_alarms, args), changed=False)
        assert emulator_calls(endpoint) == {
            "monitoring:DescribeAlarms": 1,
            "monitoring:ListTagsForResource": 8,
        }


# --- AWS's answers moto does not give: botocore's Stubber ---------------------------------------------------------


@pytest.fixture
def stubber(monkeypatch):
    client = boto3.client("cloudwatch", region_name=REGION)
    stub = Stubber(client)
    wrapped = RetryingBotoClientWrapper(client, AWSRetry.jittered_backoff(retries=0))
    monkeypatch.setattr(MetricAlarmsManager, "client", lambda self, service, retry_decorator=None: wrapped)
    stub.activate()
    yield stub
    stub.assert_no_pending_responses()


def _described(name, threshold=1.0):
    return {
        "AlarmName": name,
        "AlarmArn": arn(name),
        "MetricName": "CPUUtilization",
        "Namespace": "AWS/ECS",
        "Statistic": "Average",
        "Period": 60,
        "EvaluationPeriods": 1,
        "Threshold": threshold,
        "ComparisonOperator": "GreaterThanThreshold",
    }


def _describe_prefix(stub, alarms, token=None, next_token=None):
    request = {"AlarmNamePrefix": PREFIX, "AlarmTypes": ["MetricAlarm"], "MaxRecords": 100}
    if token:
        request["NextToken"] = token
    response = {"MetricAlarms": alarms}
    if next_token:
        response["NextToken"] = next_token
    stub.add_response("describe_alarms", response, request)


def _tags(stub, name, tags):
    stub.add_response(
        "list_tags_for_resource", {"Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}, {"ResourceARN": arn(name)}
    )


def test_every_page_of_the_prefix_is_read(run_module, stubber):
    first, second = PREFIX + "a", PREFIX + "b"
    _describe_prefix(stubber, [_described(first)], next_token="page-2")
    _describe_prefix(stubber, [_described(second)], token="page-2")
    _tags(stubber, first, {})
    _tags(stubber, second, IDENTITY)
    stubber.add_response("delete_alarms", {}, {"AlarmNames": [second]})
    result = run_module(metric_alarms, {"name_prefix": PREFIX, "identity_tags": IDENTITY, "purge": True, "alarms": []})
    assert_ok(result, changed=True)
    assert result["deleted"] == [second]


def test_a_batch_with_an_alarm_gone_since_the_lookup_is_deleted_again_without_it(run_module, stubber):
    names = [PREFIX + "a", PREFIX + "b", PREFIX + "c"]
    _describe_prefix(stubber, [_described(name) for name in names])
    for name in names:
        _tags(stubber, name, IDENTITY)
    # AWS deletes none of a call's alarms when one is gone
    stubber.add_client_error(
        "delete_alarms", service_error_code="ResourceNotFound", service_message="Alarm not found", http_status_code=404,
        expected_params={"AlarmNames": names},
    )  # fmt: skip
    stubber.add_response(
        "describe_alarms",
        {"MetricAlarms": [_described(names[0]), _described(names[2])]},
        {"AlarmNames": names, "AlarmTypes": ["MetricAlarm"], "MaxRecords": 100},
    )
    stubber.add_response("delete_alarms", {}, {"AlarmNames": [names[0], names[2]]})
    result = run_module(metric_alarms, {"name_prefix": PREFIX, "identity_tags": IDENTITY, "purge": True, "alarms": []})
    assert_ok(result, changed=True)
    assert result["deleted"] == names


def test_aws_refusing_an_alarm_fails_the_task_naming_it(run_module, stubber):
    _describe_prefix(stubber, [])
    stubber.add_client_error(
        "put_metric_alarm", service_error_code="ValidationError", service_message="Invalid metrics", http_status_code=400
    )
    result = run_module(metric_alarms, {"name_prefix": PREFIX, "alarms": [single("cpu")]})
    assert result["failed"] and result["msg"].startswith(f"Failed to create alarm {PREFIX}cpu"), result
    assert "Invalid metrics" in str(result)
