"""Unit tests of the pure functions of plugins/module_utils/_flow_log.py, and of the manager's create against a
stubbed EC2 client."""

from __future__ import annotations

import datetime
import functools

import pytest
from botocore.exceptions import ClientError

from ansible_collections.cloudops.fargate.plugins.module_utils import _common
from ansible_collections.cloudops.fargate.plugins.module_utils import _flow_log
from ansible_collections.cloudops.fargate.plugins.module_utils._common import AWSActionError
from ansible_collections.cloudops.fargate.plugins.module_utils._flow_log import IMMUTABLE_FIELDS
from ansible_collections.cloudops.fargate.plugins.module_utils._flow_log import normalize_flow_log
from ansible_collections.cloudops.fargate.plugins.module_utils._flow_log import settings_differences
from ansible_collections.cloudops.fargate.plugins.module_utils._flow_log import wanted_settings

ROLE_ARN = "arn:aws:iam::123456789012:role/flow-logs"
GROUP = "/cloudops/test/vpc-flow-logs"
BUCKET_ARN = "arn:aws:s3:::flow-log-bucket/prefix/"


def _described(**overrides):
    """A DescribeFlowLogs entry as boto3 returns it for a CloudWatch Logs destination."""
    entry = {
        "CreationTime": datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc),
        "DeliverLogsPermissionArn": ROLE_ARN,
        "DeliverLogsStatus": "SUCCESS",
        "FlowLogId": "fl-0123456789abcdef0",
        "FlowLogStatus": "ACTIVE",
        "LogGroupName": GROUP,
        "ResourceId": "vpc-0123456789abcdef0",
        "TrafficType": "ALL",
        "LogDestinationType": "cloud-watch-logs",
        "LogDestination": f"arn:aws:logs:us-east-1:123456789012:log-group:{GROUP}",
        "LogFormat": "${version} ${account-id}",
        "Tags": [{"Key": "Name", "Value": "flow"}, {"Key": "Stack", "Value": "demo"}],
        "MaxAggregationInterval": 600,
    }
    entry.update(overrides)
    return entry


def _params(**overrides):
    """Module parameters with the argument spec's defaults."""
    params = {
        "state": "present",
        "name": "flow",
        "resource_id": "vpc-0123456789abcdef0",
        "resource_type": "VPC",
        "traffic_type": "ALL",
        "log_destination_type": "cloud-watch-logs",
        "log_group_name": GROUP,
        "deliver_logs_permission_arn": ROLE_ARN,
        "log_destination": None,
        "max_aggregation_interval": 600,
        "log_format": None,
        "tags": None,
        "purge_tags": True,
    }
    params.update(overrides)
    return params


# --- normalize_flow_log --------------------------------------------------------------------------------


def test_normalize_snake_cases_and_tags_as_dict():
    result = normalize_flow_log(_described())
    assert result["flow_log_id"] == "fl-0123456789abcdef0"
    assert result["resource_id"] == "vpc-0123456789abcdef0"
    assert result["traffic_type"] == "ALL"
    assert result["log_group_name"] == GROUP
    assert result["deliver_logs_permission_arn"] == ROLE_ARN
    assert result["max_aggregation_interval"] == 600
    assert result["log_format"] == "${version} ${account-id}"
    assert result["tags"] == {"Name": "flow", "Stack": "demo"}
    assert not any(key[0].isupper() for key in result)


def test_normalize_keeps_tag_keys_as_they_are():
    result = normalize_flow_log(_described(Tags=[{"Key": "CostCenter", "Value": "X"}, {"Key": "aws:x", "Value": "y"}]))
    assert result["tags"] == {"CostCenter": "X", "aws:x": "y"}


def test_normalize_without_tags():
    entry = _described()
    del entry["Tags"]
    assert normalize_flow_log(entry)["tags"] == {}


def test_normalize_drops_cloud_watch_logs_destination():
    result = normalize_flow_log(_described())
    assert "log_destination" not in result
    assert result["log_destination_type"] == "cloud-watch-logs"


def test_normalize_keeps_s3_destination():
    entry = _described(LogDestinationType="s3", LogDestination=BUCKET_ARN)
    for key in ("LogGroupName", "DeliverLogsPermissionArn"):
        del entry[key]
    result = normalize_flow_log(entry)
    assert result["log_destination"] == BUCKET_ARN
    assert result["log_destination_type"] == "s3"


def test_normalize_drops_response_metadata():
    result = normalize_flow_log(_described(ResponseMetadata={"RequestId": "x"}))
    assert "response_metadata" not in result


def test_normalize_does_not_mutate_input():
    entry = _described()
    normalize_flow_log(entry)
    assert entry == _described()


@pytest.mark.parametrize(
    ("resource_id", "resource_type"),
    [
        ("vpc-0123456789abcdef0", "VPC"),
        ("subnet-0123456789abcdef0", "Subnet"),
        ("eni-0123456789abcdef0", "NetworkInterface"),
        ("tgw-attach-0123", ""),
        ("", ""),
    ],
)
def test_normalize_derives_resource_type_from_id(resource_id, resource_type):
    assert normalize_flow_log(_described(ResourceId=resource_id))["resource_type"] == resource_type


def test_normalize_without_resource_id():
    entry = _described()
    del entry["ResourceId"]
    assert normalize_flow_log(entry)["resource_type"] == ""


def test_normalize_keeps_a_resource_type_aws_returns():
    assert normalize_flow_log(_described(ResourceType="Subnet"))["resource_type"] == "Subnet"


# --- wanted_settings -----------------------------------------------------------------------------------


def test_wanted_cloud_watch_logs():
    assert wanted_settings(_params(log_destination="ignored-for-cloudwatch")) == {
        "resource_type": "VPC",
        "traffic_type": "ALL",
        "log_destination_type": "cloud-watch-logs",
        "log_group_name": GROUP,
        "deliver_logs_permission_arn": ROLE_ARN,
        "max_aggregation_interval": 600,
    }


def test_wanted_s3():
    params = _params(log_destination_type="s3", log_destination=BUCKET_ARN, traffic_type="REJECT")
    assert wanted_settings(params) == {
        "resource_type": "VPC",
        "traffic_type": "REJECT",
        "log_destination_type": "s3",
        "log_destination": BUCKET_ARN,
        "max_aggregation_interval": 600,
    }


def test_wanted_leaves_out_unset_options():
    wanted = wanted_settings(_params(log_format=None, max_aggregation_interval=None, traffic_type=None))
    assert "log_format" not in wanted
    assert "max_aggregation_interval" not in wanted
    assert "traffic_type" not in wanted
    assert None not in wanted.values()


def test_wanted_includes_log_format_when_given():
    assert wanted_settings(_params(log_format="${srcaddr} ${dstaddr}"))["log_format"] == "${srcaddr} ${dstaddr}"


def test_wanted_ignores_non_setting_params():
    wanted = wanted_settings(_params(tags={"a": "b"}))
    assert set(wanted) <= set(IMMUTABLE_FIELDS)
    for key in ("name", "resource_id", "tags", "purge_tags", "state"):
        assert key not in wanted


def test_wanted_with_missing_keys():
    assert wanted_settings({"log_destination_type": "s3"}) == {"log_destination_type": "s3"}


# --- settings_differences ------------------------------------------------------------------------------


def test_no_differences_between_described_and_wanted():
    assert settings_differences(normalize_flow_log(_described()), wanted_settings(_params())) == {}


def test_no_differences_for_s3():
    entry = _described(LogDestinationType="s3", LogDestination=BUCKET_ARN)
    for key in ("LogGroupName", "DeliverLogsPermissionArn"):
        del entry[key]
    params = _params(log_destination_type="s3", log_destination=BUCKET_ARN, log_group_name=None, deliver_logs_permission_arn=None)
    assert settings_differences(normalize_flow_log(entry), wanted_settings(params)) == {}


def test_differences_name_current_and_wanted():
    current = normalize_flow_log(_described())
    wanted = wanted_settings(_params(traffic_type="REJECT", max_aggregation_interval=60))
    assert settings_differences(current, wanted) == {
        "traffic_type": ("ALL", "REJECT"),
        "max_aggregation_interval": (600, 60),
    }


def test_difference_of_a_field_missing_from_current():
    assert settings_differences({}, {"log_format": "${version}"}) == {"log_format": (None, "${version}")}


def test_fields_not_wanted_are_not_compared():
    current = {"traffic_type": "ALL", "log_format": "anything"}
    assert settings_differences(current, {"traffic_type": "ALL"}) == {}


def test_destination_type_change_is_a_difference():
    current = normalize_flow_log(_described())
    wanted = wanted_settings(_params(log_destination_type="s3", log_destination=BUCKET_ARN))
    differences = settings_differences(current, wanted)
    assert differences["log_destination_type"] == ("cloud-watch-logs", "s3")
    assert differences["log_destination"] == (None, BUCKET_ARN)


# --- the create retries while IAM propagates the role, and only then ---------------------------------------

UNABLE_TO_ASSUME = f"Unable to assume given IAM role: '{ROLE_ARN}'"


class _FakeModule:
    check_mode = False

    def __init__(self, ec2):
        self._ec2 = ec2

    def client(self, service, retry_decorator=None, **_config):
        assert service == "ec2"
        return self._ec2


class _Ec2:
    """CreateFlowLogs answers ``refusals`` (AWS error messages of code ``code``) in turn, then creates the flow log."""

    def __init__(self, refusals, code="InvalidParameter"):
        self.refusals = list(refusals)
        self.code = code
        self.creates = []
        self.flow_logs = []

    def describe_flow_logs(self, aws_retry, Filters):
        return {"FlowLogs": list(self.flow_logs)}

    def create_flow_logs(self, aws_retry, **request):
        self.creates.append(request)
        if self.refusals:
            raise ClientError({"Error": {"Code": self.code, "Message": self.refusals.pop(0)}}, "CreateFlowLogs")
        self.flow_logs.append(_described(ResourceId=request["ResourceIds"][0]))
        return {"FlowLogIds": ["fl-0123456789abcdef0"], "Unsuccessful": []}


@pytest.fixture
def clock(monkeypatch):
    """call_through in _flow_log on a fake clock that its sleeps move on: no real time passes."""
    now = [0.0]

    def sleep(seconds):
        now[0] += seconds

    monkeypatch.setattr(
        _flow_log, "call_through", functools.partial(_common.call_through, sleep=sleep, clock=lambda: now[0])
    )
    return now


def _create(ec2):
    manager = _flow_log.FlowLogManager(_FakeModule(ec2), "flow", "vpc-0123456789abcdef0")
    manager.ensure_present(wanted_settings(_params()), None, True)
    return manager


def test_create_retries_while_the_role_cannot_be_assumed_yet(clock):
    ec2 = _Ec2([UNABLE_TO_ASSUME] * 3)

    manager = _create(ec2)

    assert manager.changed
    assert manager.flow_log["flow_log_id"] == "fl-0123456789abcdef0"
    assert len(ec2.creates) == 4
    assert len({c["ClientToken"] for c in ec2.creates}) == 1, "every try is the same request"
    assert 0 < clock[0] < _flow_log.IAM_PROPAGATION_TIMEOUT


def test_create_gives_up_after_the_propagation_timeout(clock):
    ec2 = _Ec2([UNABLE_TO_ASSUME] * 1000)

    with pytest.raises(AWSActionError) as raised:
        _create(ec2)

    assert "create flow log" in raised.value.message
    assert f"AWS still answered InvalidParameter after {_flow_log.IAM_PROPAGATION_TIMEOUT} s" in raised.value.message
    assert clock[0] == pytest.approx(_flow_log.IAM_PROPAGATION_TIMEOUT)
    assert ec2.flow_logs == []


@pytest.mark.parametrize(
    "code, message",
    [
        ("InvalidParameter", "Invalid Flow Log Max Aggregation Interval"),
        ("InvalidParameter", "DeliverLogsPermissionArn can't be empty if LogDestinationType is cloud-watch-logs"),
        ("AccessDenied", UNABLE_TO_ASSUME),
    ],
)
def test_other_errors_fail_at_once(clock, code, message):
    ec2 = _Ec2([message], code=code)

    with pytest.raises(AWSActionError) as raised:
        _create(ec2)

    assert raised.value.message == "Failed to create flow log"
    assert len(ec2.creates) == 1
    assert clock[0] == 0


def test_check_mode_creates_nothing_and_retries_nothing(clock):
    ec2 = _Ec2([UNABLE_TO_ASSUME])
    module = _FakeModule(ec2)
    module.check_mode = True
    manager = _flow_log.FlowLogManager(module, "flow", "vpc-0123456789abcdef0")

    manager.ensure_present(wanted_settings(_params()), None, True)

    assert manager.changed
    assert ec2.creates == []
