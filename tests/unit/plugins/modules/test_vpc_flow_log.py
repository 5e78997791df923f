"""cloudops.fargate.vpc_flow_log against moto in this process; every outcome is read back with boto3."""

from __future__ import annotations

import functools
import json
import time

import pytest

from ansible_collections.cloudops.fargate.plugins.module_utils import _common
from ansible_collections.cloudops.fargate.plugins.module_utils import _flow_log
from ansible_collections.cloudops.fargate.plugins.modules import vpc_flow_log
from emulator import realism
from emulator.extensions import iam_role_propagation
from tests.unit.helpers import assert_ok

NAME = "unit-flow-logs"
ROLE_ARN = "arn:aws:iam::123456789012:role/unit-flow-logs"
GROUP = "/cloudops/unit/vpc-flow-logs"


@pytest.fixture
def ec2(aws):
    return aws("ec2")


@pytest.fixture
def vpc_id(ec2):
    return ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]


@pytest.fixture
def args(vpc_id):
    return {
        "name": NAME,
        "resource_id": vpc_id,
        "log_group_name": GROUP,
        "deliver_logs_permission_arn": ROLE_ARN,
        "tags": {"Stack": "unit"},
    }


@pytest.fixture
def run(run_module):
    def run_flow_log(args, check_mode=False, diff=False):
        return run_module(vpc_flow_log, args, check_mode=check_mode, diff=diff)

    return run_flow_log


@pytest.fixture
def created(run, args, ec2, vpc_id):
    """The flow log of ``args`` created for real; returns its DescribeFlowLogs entry."""
    result = run(args)
    assert result["changed"] and not result["failed"], result
    return only_flow_log(ec2, vpc_id)


def flow_logs(ec2, vpc_id, name=NAME):
    filters = [{"Name": "resource-id", "Values": [vpc_id]}]
    if name is not None:
        filters.append({"Name": "tag:Name", "Values": [name]})
    return ec2.describe_flow_logs(Filters=filters)["FlowLogs"]


def only_flow_log(ec2, vpc_id, name=NAME):
    found = flow_logs(ec2, vpc_id, name)
    assert len(found) == 1, found
    return found[0]


def tags_of(flow_log):
    return {tag["Key"]: tag["Value"] for tag in flow_log.get("Tags", [])}


# --- create: the four steps ---------------------------------------------------------------------------


def test_create_four_steps(run, args, ec2, vpc_id):
    # 1. check mode predicts the creation and creates nothing
    result = run(args, check_mode=True, diff=True)
    assert_ok(result, changed=True)
    assert flow_logs(ec2, vpc_id, name=None) == []
    assert "flow_log_id" not in result["flow_log"]
    assert result["flow_log"]["tags"] == {"Name": NAME, "Stack": "unit"}
    assert result["diff"]["before"] == {}
    assert result["diff"]["after"]["traffic_type"] == "ALL"
    assert result["diff"]["after"]["log_group_name"] == GROUP

    # 2. for real
    result = run(args, diff=True)
    assert_ok(result, changed=True)
    flow_log = only_flow_log(ec2, vpc_id)
    assert flow_logs(ec2, vpc_id, name=None) == [flow_log]
    assert flow_log["ResourceId"] == vpc_id
    assert flow_log["TrafficType"] == "ALL"
    assert flow_log["LogDestinationType"] == "cloud-watch-logs"
    assert flow_log["LogGroupName"] == GROUP
    assert flow_log["DeliverLogsPermissionArn"] == ROLE_ARN
    assert flow_log["MaxAggregationInterval"] == 600
    assert tags_of(flow_log) == {"Name": NAME, "Stack": "unit"}
    assert result["flow_log"]["flow_log_id"] == flow_log["FlowLogId"]
    assert result["flow_log"]["tags"] == {"Name": NAME, "Stack": "unit"}
    assert result["flow_log"]["resource_type"] == "VPC"
    assert "log_destination" not in result["flow_log"]
    assert result["diff"]["before"] == {}

    # 3. again in check mode: nothing to do
    result = run(args, check_mode=True, diff=True)
    assert_ok(result, changed=False)
    assert result["flow_log"]["flow_log_id"] == flow_log["FlowLogId"]
    assert result["diff"] == {"before": {}, "after": {}}

    # 4. again for real: nothing to do, the same flow log
    result = run(args)
    assert_ok(result, changed=False)
    assert result["flow_log"]["flow_log_id"] == flow_log["FlowLogId"]
    assert only_flow_log(ec2, vpc_id)["FlowLogId"] == flow_log["FlowLogId"]


def test_create_with_explicit_settings(run, args, ec2, vpc_id):
    args = dict(args, traffic_type="REJECT", max_aggregation_interval=60, log_format="${srcaddr} ${dstaddr} ${action}")
    assert_ok(run(args), changed=True)
    flow_log = only_flow_log(ec2, vpc_id)
    assert flow_log["TrafficType"] == "REJECT"
    assert flow_log["MaxAggregationInterval"] == 60
    assert flow_log["LogFormat"] == "${srcaddr} ${dstaddr} ${action}"
    assert_ok(run(args, check_mode=True), changed=False)
    assert_ok(run(args), changed=False)


def test_create_without_tags_sets_name(run, args, ec2, vpc_id):
    args = dict(args)
    del args["tags"]
    assert_ok(run(args), changed=True)
    assert tags_of(only_flow_log(ec2, vpc_id)) == {"Name": NAME}
    assert_ok(run(args), changed=False)


def test_create_s3_destination_four_steps(aws, run, ec2, vpc_id):
    aws("s3").create_bucket(Bucket="unit-flow-log-bucket")
    args = {
        "name": NAME,
        "resource_id": vpc_id,
        "log_destination_type": "s3",
        "log_destination": "arn:aws:s3:::unit-flow-log-bucket",
    }
    assert_ok(run(args, check_mode=True), changed=True)
    assert flow_logs(ec2, vpc_id, name=None) == []
    assert_ok(run(args), changed=True)
    flow_log = only_flow_log(ec2, vpc_id)
    assert flow_log["LogDestinationType"] == "s3"
    assert flow_log["LogDestination"] == "arn:aws:s3:::unit-flow-log-bucket"
    assert_ok(run(args, check_mode=True), changed=False)
    assert_ok(run(args), changed=False)
    assert only_flow_log(ec2, vpc_id)["FlowLogId"] == flow_log["FlowLogId"]


def test_same_name_on_another_vpc_is_another_flow_log(run, args, ec2, vpc_id, created):
    other_vpc = ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
    assert_ok(run(dict(args, resource_id=other_vpc)), changed=True)
    assert only_flow_log(ec2, vpc_id)["FlowLogId"] == created["FlowLogId"]
    assert only_flow_log(ec2, other_vpc)["FlowLogId"] != created["FlowLogId"]


# --- tags ----------------------------------------------------------------------------------------------


def test_tag_update_four_steps(run, args, ec2, vpc_id, created):
    updated = dict(args, tags={"Stack": "prod", "Owner": "team"})

    result = run(updated, check_mode=True, diff=True)
    assert_ok(result, changed=True)
    assert tags_of(only_flow_log(ec2, vpc_id)) == {"Name": NAME, "Stack": "unit"}
    assert result["flow_log"]["tags"] == {"Name": NAME, "Stack": "prod", "Owner": "team"}

    result = run(updated, diff=True)
    assert_ok(result, changed=True)
    assert result["diff"] == {
        "before": {"tags": {"Name": NAME, "Stack": "unit"}},
        "after": {"tags": {"Name": NAME, "Stack": "prod", "Owner": "team"}},
    }
    flow_log = only_flow_log(ec2, vpc_id)
    assert flow_log["FlowLogId"] == created["FlowLogId"]
    assert tags_of(flow_log) == {"Name": NAME, "Stack": "prod", "Owner": "team"}
    assert result["flow_log"]["tags"] == tags_of(flow_log)

    assert_ok(run(updated, check_mode=True), changed=False)
    assert_ok(run(updated), changed=False)


def test_tag_update_without_purge_keeps_other_tags(run, args, ec2, vpc_id, created):
    result = run(dict(args, tags={"Owner": "team"}, purge_tags=False), diff=True)
    assert_ok(result, changed=True)
    assert result["diff"] == {
        "before": {"tags": {"Name": NAME, "Stack": "unit"}},
        "after": {"tags": {"Name": NAME, "Stack": "unit", "Owner": "team"}},
    }
    assert tags_of(only_flow_log(ec2, vpc_id)) == {"Name": NAME, "Stack": "unit", "Owner": "team"}
    assert_ok(run(dict(args, tags={"Owner": "team"}, purge_tags=False)), changed=False)


def test_tags_left_out_with_purge_removes_all_but_name(run, args, ec2, vpc_id, created):
    args = dict(args)
    del args["tags"]
    assert_ok(run(args), changed=True)
    assert tags_of(only_flow_log(ec2, vpc_id)) == {"Name": NAME}


def test_out_of_band_tag_removed_with_purge(run, args, ec2, vpc_id, created):
    ec2.create_tags(Resources=[created["FlowLogId"]], Tags=[{"Key": "Manual", "Value": "yes"}])

    kept = run(dict(args, purge_tags=False))
    assert_ok(kept, changed=False)
    assert tags_of(only_flow_log(ec2, vpc_id))["Manual"] == "yes"

    predicted = run(args, check_mode=True, diff=True)
    assert_ok(predicted, changed=True)
    assert predicted["diff"]["after"] == {"tags": {"Name": NAME, "Stack": "unit"}}
    assert tags_of(only_flow_log(ec2, vpc_id))["Manual"] == "yes"

    assert_ok(run(args), changed=True)
    assert tags_of(only_flow_log(ec2, vpc_id)) == {"Name": NAME, "Stack": "unit"}
    assert_ok(run(args), changed=False)


# --- settings change: replacement ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "value", "api_field"),
    [
        ("traffic_type", "REJECT", "TrafficType"),
        ("max_aggregation_interval", 60, "MaxAggregationInterval"),
        ("log_group_name", "/cloudops/unit/other-group", "LogGroupName"),
    ],
)
def test_settings_change_replaces_flow_log(run, args, ec2, vpc_id, created, option, value, api_field):
    old_id = created["FlowLogId"]
    changed = dict(args, **{option: value})

    # check mode predicts the replacement and changes nothing
    result = run(changed, check_mode=True, diff=True)
    assert_ok(result, changed=True)
    flow_log = only_flow_log(ec2, vpc_id)
    assert flow_log["FlowLogId"] == old_id
    assert flow_log[api_field] == created[api_field]
    assert result["diff"]["before"]["flow_log_id"] == old_id
    assert result["diff"]["after"][option] == value

    # for real: a new flow log, the old one gone, exactly one with the name
    result = run(changed, diff=True)
    assert_ok(result, changed=True)
    flow_log = only_flow_log(ec2, vpc_id)
    assert flow_logs(ec2, vpc_id, name=None) == [flow_log]
    assert flow_log["FlowLogId"] != old_id
    assert flow_log[api_field] == value
    assert tags_of(flow_log) == {"Name": NAME, "Stack": "unit"}
    assert ec2.describe_flow_logs(FlowLogIds=[old_id])["FlowLogs"] == []
    assert result["flow_log"]["flow_log_id"] == flow_log["FlowLogId"]

    # the diff shows whole documents, not only the changed field
    before, after = result["diff"]["before"], result["diff"]["after"]
    assert before["flow_log_id"] == old_id
    assert before[option] == created[api_field]
    assert before["tags"] == {"Name": NAME, "Stack": "unit"}
    assert before["log_group_name"] == GROUP
    assert before["deliver_logs_permission_arn"] == ROLE_ARN
    assert after[option] == value
    assert after["tags"] == {"Name": NAME, "Stack": "unit"}
    assert after["resource_id"] == vpc_id
    assert after["deliver_logs_permission_arn"] == ROLE_ARN
    assert {"traffic_type", "log_destination_type", "max_aggregation_interval"} <= set(after)

    # and then stable
    assert_ok(run(changed, check_mode=True), changed=False)
    assert_ok(run(changed), changed=False)
    assert only_flow_log(ec2, vpc_id)["FlowLogId"] == flow_log["FlowLogId"]


# --- delete --------------------------------------------------------------------------------------------


def test_delete_four_steps(run, args, ec2, vpc_id, created):
    absent = {"name": NAME, "resource_id": vpc_id, "state": "absent"}

    result = run(absent, check_mode=True, diff=True)
    assert_ok(result, changed=True)
    assert only_flow_log(ec2, vpc_id)["FlowLogId"] == created["FlowLogId"]
    assert result["diff"]["before"]["flow_log_id"] == created["FlowLogId"]
    assert result["diff"]["after"] == {}

    result = run(absent, diff=True)
    assert_ok(result, changed=True)
    assert flow_logs(ec2, vpc_id, name=None) == []
    assert result["flow_log"] == {}
    assert result["diff"]["before"]["flow_log_id"] == created["FlowLogId"]
    assert result["diff"]["after"] == {}

    result = run(absent, check_mode=True)
    assert_ok(result, changed=False)
    result = run(absent)
    assert_ok(result, changed=False)
    assert result["flow_log"] == {}


def test_delete_leaves_other_flow_logs_alone(run, args, ec2, vpc_id, created):
    other = dict(args, name="other-flow-logs", log_group_name="/cloudops/unit/other-group")
    assert_ok(run(other), changed=True)
    assert_ok(run({"name": NAME, "resource_id": vpc_id, "state": "absent"}), changed=True)
    assert flow_logs(ec2, vpc_id) == []
    assert len(flow_logs(ec2, vpc_id, name="other-flow-logs")) == 1


def test_delete_needs_no_destination(run, ec2, vpc_id):
    # state=absent does not require the cloud-watch-logs options
    assert_ok(run({"name": NAME, "resource_id": vpc_id, "state": "absent"}), changed=False)


# --- failures ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("check_mode", [False, True])
def test_cloud_watch_logs_without_log_group_fails(run, args, ec2, vpc_id, check_mode):
    args = dict(args)
    del args["log_group_name"]
    result = run(args, check_mode=check_mode)
    assert result["failed"]
    assert "log_group_name" in result["msg"]
    assert "deliver_logs_permission_arn" not in result["msg"]
    assert flow_logs(ec2, vpc_id, name=None) == []


def test_cloud_watch_logs_without_role_fails(run, args, ec2, vpc_id):
    args = dict(args)
    del args["deliver_logs_permission_arn"]
    result = run(args)
    assert result["failed"]
    assert "deliver_logs_permission_arn" in result["msg"]
    assert flow_logs(ec2, vpc_id, name=None) == []


def test_s3_without_destination_fails(run, ec2, vpc_id):
    result = run({"name": NAME, "resource_id": vpc_id, "log_destination_type": "s3"})
    assert result["failed"]
    assert "log_destination" in result["msg"]
    assert flow_logs(ec2, vpc_id, name=None) == []


@pytest.mark.parametrize("state", ["present", "absent"])
def test_two_flow_logs_with_the_same_name_fail(run, args, ec2, vpc_id, state):
    ids = []
    for group in (GROUP, "/cloudops/unit/second-group"):
        response = ec2.create_flow_logs(
            ResourceIds=[vpc_id],
            ResourceType="VPC",
            TrafficType="ALL",
            LogGroupName=group,
            DeliverLogsPermissionArn=ROLE_ARN,
            TagSpecifications=[{"ResourceType": "vpc-flow-log", "Tags": [{"Key": "Name", "Value": NAME}]}],
        )
        ids.extend(response["FlowLogIds"])

    result = run(dict(args, state=state))
    assert result["failed"]
    assert "More than one flow log" in result["msg"]
    assert NAME in result["msg"]
    assert vpc_id in result["msg"]
    for flow_log_id in ids:
        assert flow_log_id in result["msg"]
    assert sorted(f["FlowLogId"] for f in flow_logs(ec2, vpc_id)) == sorted(ids)


# --- a role IAM has not propagated yet ---------------------------------------------------------------------

# realism.TYPICAL["iam.propagation"] (10 s) at this scale: 0.2 s.
PROPAGATION_SCALE = 0.02
FLOW_LOGS_TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "vpc-flow-logs.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
)


@pytest.fixture
def realistic_iam(aws, monkeypatch):
    """The emulator's IAM propagation in this process, in realistic mode at a small time scale; the module's retries
    sleep at most 0.05 s."""
    iam_role_propagation.install()
    # A fixed 3 s of propagation, whatever the scale: on a busy machine the first create still comes before its end.
    realism.configure(
        {
            "realistic": True,
            "time_scale": PROPAGATION_SCALE,
            "throttle_rate": 0.0,
            "behaviour_seconds": {"iam.propagation": 3},
        }
    )
    monkeypatch.setattr(
        _flow_log, "call_through", functools.partial(_common.call_through, sleep=lambda s: time.sleep(min(s, 0.05)))
    )
    yield aws("iam")
    realism.reset()


def new_role(iam, name="unit-flow-logs-new"):
    """A role just created: the flow logs service cannot assume it until IAM has propagated it."""
    return iam.create_role(RoleName=name, AssumeRolePolicyDocument=FLOW_LOGS_TRUST)["Role"]["Arn"]


def test_create_waits_for_a_new_role_to_propagate(run, args, ec2, vpc_id, realistic_iam, calls):
    role_arn = new_role(realistic_iam)

    result = run(dict(args, deliver_logs_permission_arn=role_arn))

    assert_ok(result, changed=True)
    assert calls.count(("ec2", "CreateFlowLogs")) > 1, "AWS refused the first create: the role was not usable yet"
    flow_log = only_flow_log(ec2, vpc_id)
    assert flow_log["DeliverLogsPermissionArn"] == role_arn
    assert result["flow_log"]["flow_log_id"] == flow_log["FlowLogId"]
    assert_ok(run(dict(args, deliver_logs_permission_arn=role_arn)), changed=False)


def test_a_role_that_never_propagates_fails_after_the_timeout(run, args, ec2, vpc_id, realistic_iam, monkeypatch):
    realism.configure({"behaviour_seconds": {"iam.propagation": 10}})  # longer than the retries
    monkeypatch.setattr(_flow_log, "IAM_PROPAGATION_TIMEOUT", 0.2)
    role_arn = new_role(realistic_iam)

    result = run(dict(args, deliver_logs_permission_arn=role_arn))

    assert result["failed"]
    assert "create flow log (AWS still answered InvalidParameter after 0.2 s)" in result["msg"]
    assert "Unable to assume given IAM role" in result["msg"]
    assert flow_logs(ec2, vpc_id, name=None) == []
