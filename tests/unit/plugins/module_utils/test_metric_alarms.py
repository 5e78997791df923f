"""The pure helpers of plugins/module_utils/_metric_alarm.py behind metric_alarms: which alarms carry the stack's
identity, one alarm's arguments from the set's, the validation of a set, and DeleteAlarms in batches."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from ansible_collections.cloudops.fargate.plugins.module_utils._common import AWSActionError
from ansible_collections.cloudops.fargate.plugins.module_utils._metric_alarm import AlarmInputError
from ansible_collections.cloudops.fargate.plugins.module_utils._metric_alarm import alarm_params
from ansible_collections.cloudops.fargate.plugins.module_utils._metric_alarm import carries_identity
from ansible_collections.cloudops.fargate.plugins.module_utils._metric_alarm import delete_alarms
from ansible_collections.cloudops.fargate.plugins.module_utils._metric_alarm import set_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._metric_alarm import wanted_alarm
from ansible_collections.cloudops.fargate.plugins.module_utils._metric_alarm import wanted_alarm_set

IDENTITY = {"Stack": "demo", "Environment": "local", "ManagedBy": "cloudops.fargate"}
TOPIC = "arn:aws:sns:us-east-1:123456789012:alarms"
CPU = {
    "name": "demo-local-cpu",
    "namespace": "AWS/ECS",
    "metric_name": "CPUUtilization",
    "statistic": "Average",
    "period": 60,
    "comparison": "GreaterThanThreshold",
    "threshold": 80,
    "evaluation_periods": 5,
}
SET = {
    "state": "present",
    "name_prefix": "demo-local-",
    "purge": True,
    "identity_tags": IDENTITY,
    "alarm_actions": [TOPIC],
    "ok_actions": [TOPIC],
    "insufficient_data_actions": [],
    "tags": {"Owner": "web"},
    "purge_tags": True,
    "alarms": [CPU],
}


@pytest.mark.parametrize(
    "tags, carries",
    [
        (IDENTITY, True),
        (dict(IDENTITY, Owner="web"), True),
        (dict(IDENTITY, Environment="local-eu"), False),
        ({"Stack": "demo", "Environment": "local"}, False),
        ({}, False),
        (None, False),
    ],
)
def test_an_alarm_is_the_stacks_only_with_every_identity_tag(tags, carries):
    assert carries_identity(tags, IDENTITY) is carries


def test_no_identity_tags_identify_nothing():
    assert carries_identity({"Stack": "demo"}, {}) is False


def test_an_alarm_takes_the_sets_actions_unless_it_has_its_own():
    params = alarm_params(dict(CPU, ok_actions=[]), SET)
    assert (params["alarm_actions"], params["ok_actions"], params["insufficient_data_actions"]) == ([TOPIC], [], [])


def test_an_alarms_tags_go_over_the_sets_and_the_identity_tags_over_both():
    params = alarm_params(dict(CPU, tags={"Owner": "payments", "Tier": 1}), SET)
    assert params["tags"] == dict(IDENTITY, Owner="payments", Tier="1")
    assert params["purge_tags"] is True


def test_without_tags_only_the_identity_tags_are_ensured():
    params = alarm_params(CPU, dict(SET, tags=None))
    assert (params["tags"], params["purge_tags"]) == (IDENTITY, False)
    params = alarm_params(CPU, dict(SET, tags=None, identity_tags={}))
    assert (params["tags"], params["purge_tags"]) == (None, False)  # left alone


def test_an_alarm_of_the_set_compares_as_metric_alarm_would():
    wanted = wanted_alarm_set(SET)
    assert wanted["names"] == ["demo-local-cpu"] and wanted["prefix"] == "demo-local-"
    (alarm,) = wanted["alarms"]
    alone = wanted_alarm(dict(CPU, alarm_actions=[TOPIC], ok_actions=[TOPIC], tags=dict(IDENTITY, Owner="web")))
    assert alarm == alone


def test_absent_needs_names_only():
    wanted = wanted_alarm_set(dict(SET, state="absent", alarms=[{"name": "demo-local-cpu"}]))
    assert (wanted["names"], wanted["alarms"], wanted["purge"]) == (["demo-local-cpu"], [], True)


def test_every_error_names_its_alarm_and_option_and_the_sets_own_once():
    params = dict(
        SET,
        alarm_actions=["topic"],
        alarms=[
            dict(CPU, threshold=None),
            dict(CPU, name="demo-local-mem", ok_actions=["x"]),
            dict(CPU, name="elsewhere-cpu", tags={"Environment": "prod"}),
        ],
    )
    assert set_errors(params) == [
        "alarm_actions: each action is an ARN (arn:aws:sns:..., arn:aws:autoscaling:...), not 'topic'",
        "alarms[0] (demo-local-cpu): threshold is required with state=present",
        "alarms[1] (demo-local-mem): ok_actions: each action is an ARN (arn:aws:sns:..., arn:aws:autoscaling:...),"
        " not 'x'",
        "alarms[2] (elsewhere-cpu): name must start with name_prefix 'demo-local-'",
        "alarms[2] (elsewhere-cpu): tags Environment: 'prod', but the identity tag (identity_tags) is 'local'",
    ]
    with pytest.raises(AlarmInputError):
        wanted_alarm_set(params)


@pytest.mark.parametrize(
    "changes, error",
    [
        ({"name_prefix": ""}, "name_prefix must be 1 to 255 characters without ASCII control characters, not ''"),
        ({"name_prefix": "a\tb"}, "name_prefix must be 1 to 255 characters"),
        ({"identity_tags": {}}, "purge needs identity_tags"),
        ({"identity_tags": {"aws:x": "y"}}, "identity_tags aws:x: keys starting with 'aws:' are reserved by AWS"),
        ({"tags": {"Stack": "other"}}, "tags Stack: 'other', but the identity tag (identity_tags) is 'demo'"),
        ({"alarms": [CPU, CPU]}, "alarms: each name once, not demo-local-cpu more than once"),
        (
            {"tags": {f"k{i}": "v" for i in range(48)}},
            "alarms[0] (demo-local-cpu): tags: at most 50 tags with identity_tags and the set's tags, not 51",
        ),
    ],
)
def test_the_sets_options(changes, error):
    errors = set_errors(dict(SET, **changes))
    assert any(e.startswith(error) for e in errors), errors


def test_purge_is_not_needed_to_go_without_identity_tags():
    assert set_errors(dict(SET, purge=False, identity_tags={})) == []


# --- DeleteAlarms in batches -------------------------------------------------------------------------------------


class FakeCloudWatch:
    """DeleteAlarms as AWS answers it: all of a call's alarms, or none when one of them does not exist."""

    def __init__(self, names):
        self.alarms = set(names)
        self.deletes = []

    def delete_alarms(self, aws_retry=False, AlarmNames=()):
        self.deletes.append(list(AlarmNames))
        if not set(AlarmNames) <= self.alarms:
            raise ClientError({"Error": {"Code": "ResourceNotFound", "Message": "not found"}}, "DeleteAlarms")
        self.alarms -= set(AlarmNames)
        return {}

    def describe_alarms(self, aws_retry=False, AlarmNames=(), **_):
        return {"MetricAlarms": [{"AlarmName": name} for name in AlarmNames if name in self.alarms]}


def test_delete_alarms_sends_100_names_a_call():
    names = [f"a{i:03d}" for i in range(230)]
    cloudwatch = FakeCloudWatch(names)
    delete_alarms(cloudwatch, names)
    assert [len(batch) for batch in cloudwatch.deletes] == [100, 100, 30]
    assert cloudwatch.alarms == set()


def test_a_batch_with_a_gone_alarm_is_sent_again_without_it():
    cloudwatch = FakeCloudWatch(["a", "c"])
    delete_alarms(cloudwatch, ["a", "b", "c"])
    assert cloudwatch.deletes == [["a", "b", "c"], ["a", "c"]]
    assert cloudwatch.alarms == set()


def test_one_alarm_gone_is_absent():
    cloudwatch = FakeCloudWatch([])
    delete_alarms(cloudwatch, ["a"])
    assert cloudwatch.deletes == [["a"]]


def test_aws_answering_not_found_for_alarms_it_lists_fails_after_some_tries():
    class Inconsistent(FakeCloudWatch):
        def delete_alarms(self, aws_retry=False, AlarmNames=()):
            self.deletes.append(list(AlarmNames))
            raise ClientError({"Error": {"Code": "ResourceNotFound", "Message": "not found"}}, "DeleteAlarms")

    cloudwatch = Inconsistent(["a", "b"])
    with pytest.raises(AWSActionError, match="Failed to delete alarms a, b: DeleteAlarms answered ResourceNotFound 3"):
        delete_alarms(cloudwatch, ["a", "b"])
    assert len(cloudwatch.deletes) == 3
