"""cloudops.fargate.log_group against moto in this process; every outcome is read back with boto3, and every
AWS operation the module calls is recorded, so that check mode is shown to call nothing that changes anything."""

from __future__ import annotations

import importlib
import re

import botocore.client
import pytest

from ansible_collections.cloudops.fargate.plugins.module_utils import _log_group
from ansible_collections.cloudops.fargate.plugins.modules import log_group
from tests.unit.helpers import assert_ok
from tests.unit.plugins.modules.test_documentation import documentation

NAME = "/ecs/unit-web"
# What check mode may call: nothing else.
READ_ONLY = {"DescribeLogGroups", "ListTagsForResource"}


def own_client(aws, service):
    """A boto3 client of the test itself: its calls are not recorded as the module's."""
    client = aws(service)
    client._unit_test_client = True
    return client


@pytest.fixture
def logs(aws):
    return own_client(aws, "logs")


@pytest.fixture
def kms(aws):
    return own_client(aws, "kms")


@pytest.fixture
def key_arn(kms):
    return kms.create_key(Description="unit logs")["KeyMetadata"]["Arn"]


@pytest.fixture
def other_key_arn(kms):
    return kms.create_key(Description="unit logs, the other")["KeyMetadata"]["Arn"]


@pytest.fixture
def kms_extension():
    """moto 5.2.5 has no AssociateKmsKey / DisassociateKmsKey: the emulator's extension adds them."""
    try:
        extension = importlib.import_module("emulator.extensions.logs_kms_key")
    except ImportError:
        pytest.skip("needs emulator/extensions/logs_kms_key.py (moto 5.2.5 lacks AssociateKmsKey/DisassociateKmsKey)")
    extension.install()


@pytest.fixture
def run(run_module, calls):
    """Runs the module; afterwards ``calls`` holds the operations of that run only."""

    def run_log_group(args, check_mode=False, diff=False):
        calls.clear()
        return run_module(log_group, args, check_mode=check_mode, diff=diff)

    return run_log_group


@pytest.fixture
def args():
    return {"name": NAME, "retention_days": 7, "tags": {"Stack": "unit"}}


@pytest.fixture
def created(run, args, logs):
    assert_ok(run(args), changed=True)
    return describe(logs)


def operations(calls):
    return [operation for service, operation in calls if service == "logs"]


def assert_read_only(calls):
    assert set(operations(calls)) <= READ_ONLY, operations(calls)


def all_log_groups(logs):
    groups = []
    for page in logs.get_paginator("describe_log_groups").paginate():
        groups.extend(page["logGroups"])
    return groups


def describe(logs, name=NAME):
    found = [g for g in all_log_groups(logs) if g["logGroupName"] == name]
    assert len(found) == 1, found
    return found[0]


def tags_of(logs, name=NAME):
    return logs.list_tags_for_resource(resourceArn=describe(logs, name)["logGroupArn"])["tags"]


def snapshot(logs):
    """Everything a failed or check-mode run must leave untouched."""
    return {
        g["logGroupName"]: (g, logs.list_tags_for_resource(resourceArn=g["logGroupArn"])["tags"])
        for g in all_log_groups(logs)
    }


def expected_return(description, tags):
    return {
        "log_group_name": description["logGroupName"],
        "arn": description["arn"],
        "log_group_arn": description["logGroupArn"],
        "retention_in_days": description.get("retentionInDays"),
        "kms_key_id": description.get("kmsKeyId"),
        "creation_time": description["creationTime"],
        "stored_bytes": description["storedBytes"],
        "tags": tags,
    }


def four_steps(run, args, logs, calls, diff):
    """check (changed, nothing done, nothing but reads), real (changed), check and real again (unchanged)."""
    before = snapshot(logs)
    result = run(args, check_mode=True, diff=True)
    assert_ok(result, changed=True)
    assert_read_only(calls)
    assert snapshot(logs) == before
    assert result["diff"] == diff
    predicted = result["log_group"]

    result = run(args, diff=True)
    assert_ok(result, changed=True)
    assert result["diff"] == diff
    assert result["log_group"] == predicted
    assert result["log_group"] == expected_return(describe(logs), tags_of(logs))

    after = snapshot(logs)
    result = run(args, check_mode=True, diff=True)
    assert_ok(result, changed=False)
    assert_read_only(calls)
    assert result["diff"] == {"before": {}, "after": {}}
    assert_ok(run(args), changed=False)
    assert_read_only(calls)
    assert snapshot(logs) == after
    return result["log_group"]


# --- create --------------------------------------------------------------------------------------------------


def test_create_four_steps(run, args, logs, calls):
    # 1. check mode predicts the creation, creates nothing, calls nothing that changes anything
    result = run(args, check_mode=True, diff=True)
    assert_ok(result, changed=True)
    assert_read_only(calls)
    assert all_log_groups(logs) == []
    predicted = result["log_group"]
    assert predicted == {
        "log_group_name": NAME,
        "arn": None,
        "log_group_arn": None,
        "retention_in_days": 7,
        "kms_key_id": None,
        "creation_time": None,
        "stored_bytes": 0,
        "tags": {"Stack": "unit"},
    }
    created_diff = {
        "before": {},
        "after": {"log_group_name": NAME, "retention_in_days": 7, "kms_key_id": None, "tags": {"Stack": "unit"}},
    }
    assert result["diff"] == created_diff

    # 2. for real
    result = run(args, diff=True)
    assert_ok(result, changed=True)
    assert operations(calls).count("CreateLogGroup") == 1
    entry = describe(logs)
    assert entry["retentionInDays"] == 7
    assert "kmsKeyId" not in entry
    assert tags_of(logs) == {"Stack": "unit"}
    assert result["log_group"] == expected_return(entry, {"Stack": "unit"})
    assert entry["arn"] == entry["logGroupArn"] + ":*"
    for assigned in ("arn", "log_group_arn", "creation_time"):
        assert result["log_group"][assigned] is not None
    assert {k: v for k, v in result["log_group"].items() if predicted[k] is not None} == {
        k: v for k, v in predicted.items() if v is not None
    }
    assert result["diff"] == created_diff

    # 3. again in check mode: nothing to do
    result = run(args, check_mode=True, diff=True)
    assert_ok(result, changed=False)
    assert result["diff"] == {"before": {}, "after": {}}
    assert result["log_group"] == expected_return(entry, {"Stack": "unit"})

    # 4. again for real: nothing to do, nothing called but reads
    result = run(args, diff=True)
    assert_ok(result, changed=False)
    assert_read_only(calls)
    assert [g["logGroupName"] for g in all_log_groups(logs)] == [NAME]


def test_create_with_only_a_name_leaves_events_forever(run, logs):
    result = run({"name": NAME})
    assert_ok(result, changed=True)
    assert "retentionInDays" not in describe(logs)
    assert result["log_group"]["retention_in_days"] is None
    assert result["log_group"]["tags"] == {}
    assert_ok(run({"name": NAME}), changed=False)


def test_create_with_a_kms_key(run, args, logs, calls, key_arn):
    with_key = dict(args, kms_key_id=key_arn)
    result = run(with_key, check_mode=True)
    assert_ok(result, changed=True)
    assert result["log_group"]["kms_key_id"] == key_arn
    assert all_log_groups(logs) == []

    result = run(with_key)
    assert_ok(result, changed=True)
    assert describe(logs)["kmsKeyId"] == key_arn
    assert result["log_group"]["kms_key_id"] == key_arn
    # the key goes with the creation: no separate association
    assert "AssociateKmsKey" not in operations(calls)
    assert_ok(run(with_key), changed=False)
    # left out, it is left alone
    assert_ok(run(args), changed=False)
    assert describe(logs)["kmsKeyId"] == key_arn


def test_empty_kms_key_on_a_log_group_without_one_is_no_change(run, args, logs, created):
    assert_ok(run(dict(args, kms_key_id="")), changed=False)
    assert "kmsKeyId" not in describe(logs)


# --- retention -------------------------------------------------------------------------------------------------


def test_retention_change(run, args, logs, calls, created):
    result = four_steps(
        run,
        dict(args, retention_days=30),
        logs,
        calls,
        diff={"before": {"retention_in_days": 7}, "after": {"retention_in_days": 30}},
    )
    assert result["retention_in_days"] == 30
    assert describe(logs)["retentionInDays"] == 30
    assert describe(logs)["creationTime"] == created["creationTime"], "changed in place"


def test_retention_left_alone_when_not_given(run, args, logs, created):
    args = dict(args)
    del args["retention_days"]
    assert_ok(run(args), changed=False)
    assert describe(logs)["retentionInDays"] == 7


def test_purge_retention(run, args, logs, calls, created):
    purge = {"name": NAME, "purge_retention": True}
    result = four_steps(
        run, purge, logs, calls, diff={"before": {"retention_in_days": 7}, "after": {"retention_in_days": None}}
    )
    assert result["retention_in_days"] is None
    assert "retentionInDays" not in describe(logs)


def test_interrupted_create_gets_its_retention(run, args, logs):
    """A run interrupted between CreateLogGroup and PutRetentionPolicy: the next one finishes, no duplicate."""
    logs.create_log_group(logGroupName=NAME, tags={"Stack": "unit"})
    result = run(args, diff=True)
    assert_ok(result, changed=True)
    assert result["diff"] == {"before": {"retention_in_days": None}, "after": {"retention_in_days": 7}}
    assert describe(logs)["retentionInDays"] == 7
    assert [g["logGroupName"] for g in all_log_groups(logs)] == [NAME]


def test_account_retention_policy_is_left_alone_with_a_warning(run, args, logs, calls, created, monkeypatch):
    """moto has no account-level retention policies: the description is given the field AWS then returns."""
    describe_as_moto = _log_group.LogGroupManager.describe

    def with_account_policy(self, name):
        found = describe_as_moto(self, name)
        return found and dict(found, retentionPolicyName="org-retention")

    monkeypatch.setattr(_log_group.LogGroupManager, "describe", with_account_policy)
    result = run(dict(args, retention_days=30))
    assert_ok(result, changed=False)
    assert "PutRetentionPolicy" not in operations(calls)
    assert any("account-level retention policy org-retention" in warning for warning in result["warnings"])
    assert describe(logs)["retentionInDays"] == 7


# --- tags --------------------------------------------------------------------------------------------------------


def test_tags_change_with_purge_tags_false(run, args, logs, calls, created):
    logs.tag_resource(resourceArn=created["logGroupArn"], tags={"Owner": "someone"})
    result = four_steps(
        run,
        dict(args, tags={"Stack": "changed", "Team": "ops"}, purge_tags=False),
        logs,
        calls,
        diff={
            "before": {"tags": {"Stack": "unit", "Owner": "someone"}},
            "after": {"tags": {"Stack": "changed", "Owner": "someone", "Team": "ops"}},
        },
    )
    assert result["tags"] == {"Stack": "changed", "Owner": "someone", "Team": "ops"}
    assert tags_of(logs) == {"Stack": "changed", "Owner": "someone", "Team": "ops"}


def test_tags_purged(run, args, logs, calls, created):
    logs.tag_resource(resourceArn=created["logGroupArn"], tags={"Owner": "someone"})
    result = four_steps(
        run,
        dict(args, tags={"Team": "ops"}),
        logs,
        calls,
        diff={"before": {"tags": {"Stack": "unit", "Owner": "someone"}}, "after": {"tags": {"Team": "ops"}}},
    )
    assert result["tags"] == {"Team": "ops"}
    assert tags_of(logs) == {"Team": "ops"}


def test_tags_left_alone_when_not_given(run, logs, created):
    assert_ok(run({"name": NAME}), changed=False)
    assert tags_of(logs) == {"Stack": "unit"}


def test_tag_values_are_compared_as_strings(run, args, logs):
    numeric = dict(args, tags={"Version": 2})
    assert_ok(run(numeric), changed=True)
    assert tags_of(logs) == {"Version": "2"}
    assert_ok(run(numeric), changed=False)


def test_tags_use_the_resource_tagging_api(run, args, logs, calls, created):
    assert_ok(run(dict(args, tags={"Team": "ops"})), changed=True)
    used = set(operations(calls))
    assert {"TagResource", "UntagResource", "ListTagsForResource"} <= used
    assert not used & {"TagLogGroup", "UntagLogGroup", "ListTagsLogGroup"}


# --- KMS key ---------------------------------------------------------------------------------------------------------


def test_kms_key_association(run, args, logs, calls, created, key_arn, other_key_arn, kms_extension):
    result = four_steps(
        run,
        dict(args, kms_key_id=key_arn),
        logs,
        calls,
        diff={"before": {"kms_key_id": None}, "after": {"kms_key_id": key_arn}},
    )
    assert result["kms_key_id"] == key_arn
    assert describe(logs)["kmsKeyId"] == key_arn

    four_steps(
        run,
        dict(args, kms_key_id=other_key_arn),
        logs,
        calls,
        diff={"before": {"kms_key_id": key_arn}, "after": {"kms_key_id": other_key_arn}},
    )
    assert describe(logs)["kmsKeyId"] == other_key_arn

    result = four_steps(
        run,
        dict(args, kms_key_id=""),
        logs,
        calls,
        diff={"before": {"kms_key_id": other_key_arn}, "after": {"kms_key_id": None}},
    )
    assert result["kms_key_id"] is None
    assert "kmsKeyId" not in describe(logs)


# --- check mode changes nothing ---------------------------------------------------------------------------------------


def test_check_mode_changes_nothing(run, logs, calls, key_arn, other_key_arn):
    """Retention, tags, key and deletion, each predicted in check mode: the emulator's state stays as it was.
    (moto 5.2.5 has no AssociateKmsKey at all: had the module called it, the run would have failed.)"""
    logs.create_log_group(logGroupName=NAME, kmsKeyId=key_arn, tags={"Stack": "unit", "Owner": "someone"})
    logs.put_retention_policy(logGroupName=NAME, retentionInDays=7)
    before = snapshot(logs)

    everything = {
        "name": NAME,
        "retention_days": 30,
        "kms_key_id": other_key_arn,
        "tags": {"Stack": "changed"},
    }
    result = run(everything, check_mode=True, diff=True)
    assert_ok(result, changed=True)
    assert_read_only(calls)
    assert snapshot(logs) == before
    assert result["diff"] == {
        "before": {
            "kms_key_id": key_arn,
            "retention_in_days": 7,
            "tags": {"Stack": "unit", "Owner": "someone"},
        },
        "after": {"kms_key_id": other_key_arn, "retention_in_days": 30, "tags": {"Stack": "changed"}},
    }
    assert result["log_group"] == dict(
        expected_return(describe(logs), {"Stack": "changed"}), retention_in_days=30, kms_key_id=other_key_arn
    )

    removals = {"name": NAME, "purge_retention": True, "kms_key_id": "", "tags": {}}
    result = run(removals, check_mode=True, diff=True)
    assert_ok(result, changed=True)
    assert_read_only(calls)
    assert snapshot(logs) == before
    assert result["log_group"]["retention_in_days"] is None
    assert result["log_group"]["kms_key_id"] is None
    assert result["log_group"]["tags"] == {}

    result = run({"name": NAME, "state": "absent"}, check_mode=True, diff=True)
    assert_ok(result, changed=True)
    assert_read_only(calls)
    assert snapshot(logs) == before
    assert result["log_group"] == {}
    assert result["diff"] == {
        "before": {
            "log_group_name": NAME,
            "retention_in_days": 7,
            "kms_key_id": key_arn,
            "tags": {"Stack": "unit", "Owner": "someone"},
        },
        "after": {},
    }


# --- absent ------------------------------------------------------------------------------------------------------------


def test_absent_twice(run, args, logs, calls, created):
    absent = {"name": NAME, "state": "absent"}
    result = run(absent, diff=True)
    assert_ok(result, changed=True)
    assert operations(calls).count("DeleteLogGroup") == 1
    assert all_log_groups(logs) == []
    assert result["log_group"] == {}
    assert result["diff"] == {
        "before": {"log_group_name": NAME, "retention_in_days": 7, "kms_key_id": None, "tags": {"Stack": "unit"}},
        "after": {},
    }

    result = run(absent, diff=True)
    assert_ok(result, changed=False)
    assert_read_only(calls)
    assert result["diff"] == {"before": {}, "after": {}}
    assert_ok(run(absent, check_mode=True), changed=False)


def test_absent_leaves_a_log_group_named_with_the_same_prefix(run, args, logs, created):
    logs.create_log_group(logGroupName=NAME + "-worker")
    assert_ok(run({"name": NAME + "-work", "state": "absent"}), changed=False)
    assert_ok(run({"name": NAME, "state": "absent"}), changed=True)
    assert [g["logGroupName"] for g in all_log_groups(logs)] == [NAME + "-worker"]


# --- bad input fails before anything -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"retention_days": 8}, "retention_days must be one of CloudWatch Logs' allowed values (1, 3, 5, 7, 14, 30,"),
        ({"retention_days": 0}, "retention_days must be one of"),
        ({"retention_days": 30, "purge_retention": True}, "retention_days and purge_retention: true contradict"),
        ({"kms_key_id": "alias/logs"}, "kms_key_id must be the ARN of a KMS key"),
        ({"tags": {"aws:owner": "x"}}, "keys starting with 'aws:' are reserved"),
        ({"name": "bad name"}, "name must be"),
    ],
)
def test_bad_input_fails_before_anything(run, args, logs, calls, overrides, expected):
    result = run(dict(args, **overrides))
    assert result["failed"] is True
    assert expected in result["msg"]
    assert operations(calls) == [], "validated before the first AWS call"
    assert all_log_groups(logs) == []


def test_bad_retention_on_an_existing_log_group_changes_nothing(run, args, logs, calls, created):
    before = snapshot(logs)
    result = run(dict(args, retention_days=8, tags={"Other": "x"}))
    assert result["failed"] is True
    assert "retention_days" in result["msg"] and "3653" in result["msg"]
    assert operations(calls) == []
    assert snapshot(logs) == before


def test_bad_name_fails_on_absent_too(run, calls):
    result = run({"name": "bad name", "state": "absent"})
    assert result["failed"] is True and result["msg"].startswith("name must be")
    assert operations(calls) == []


def test_aws_error_after_the_creation_fails_with_changed(run, args, logs, calls, monkeypatch):
    """An AWS error reaches the task through fail_json_aws, naming what failed; the creation is reported."""
    recording = botocore.client.BaseClient._make_api_call

    def refuse_retention(self, operation_name, api_params):
        if operation_name == "PutRetentionPolicy":
            raise botocore.exceptions.ClientError(
                {"Error": {"Code": "InvalidParameterException", "Message": "refused"}}, operation_name
            )
        return recording(self, operation_name, api_params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", refuse_retention)
    result = run(args)
    assert result["failed"] is True
    assert result["msg"].startswith(f"Failed to set the retention of log group {NAME} to 7 days")
    assert result["changed"] is True
    assert result["log_group"]["log_group_name"] == NAME
    assert "retentionInDays" not in describe(logs)
    # the next run finishes the job
    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", recording)
    assert_ok(run(args), changed=True)
    assert describe(logs)["retentionInDays"] == 7


# --- names that are prefixes of others -----------------------------------------------------------------------------------


def test_a_log_group_whose_name_extends_ours_is_not_ours(run, args, logs):
    logs.create_log_group(logGroupName=NAME + "-worker", tags={"Stack": "other"})
    logs.put_retention_policy(logGroupName=NAME + "-worker", retentionInDays=90)

    result = run(args, check_mode=True)
    assert_ok(result, changed=True)
    assert result["log_group"]["arn"] is None, "predicted a creation"

    result = run(args)
    assert_ok(result, changed=True)
    assert result["log_group"]["log_group_name"] == NAME
    assert describe(logs)["retentionInDays"] == 7
    assert describe(logs, NAME + "-worker")["retentionInDays"] == 90
    assert tags_of(logs, NAME + "-worker") == {"Stack": "other"}


def test_our_name_is_a_prefix_of_the_others(run, logs):
    """The shorter name is ours: the longer ones (also matched by the prefix) are not touched."""
    short = "/ecs/unit"
    for suffix in ("-web", "-worker", "/x"):
        logs.create_log_group(logGroupName=short + suffix)
    result = run({"name": short, "retention_days": 14})
    assert_ok(result, changed=True)
    assert describe(logs, short)["retentionInDays"] == 14
    for suffix in ("-web", "-worker", "/x"):
        assert "retentionInDays" not in describe(logs, short + suffix)
    assert_ok(run({"name": short + "-w", "retention_days": 14}, check_mode=True), changed=True)


class _FakeLogs:
    """DescribeLogGroups answering in pages of one, the exact name on the last page."""

    def __init__(self, names):
        self.pages = [[{"logGroupName": name, "arn": f"arn:aws:logs:us-east-1:1:log-group:{name}:*"}] for name in names]
        self.requests = []

    def describe_log_groups(self, aws_retry, **request):
        self.requests.append(request)
        index = int(request.get("nextToken", 0))
        response = {"logGroups": self.pages[index]}
        if index + 1 < len(self.pages):
            response["nextToken"] = str(index + 1)
        return response


class _FakeModule:
    check_mode = False

    def __init__(self, client):
        self._client = client

    def client(self, service, retry_decorator=None, **_config):
        return self._client


@pytest.mark.parametrize(
    ("names", "found", "pages_read"),
    [
        (["/a-1", "/a-2", "/a"], "/a", 3),
        (["/a", "/a-1", "/a-2"], "/a", 1),
        (["/a-1", "/a-2"], None, 2),
    ],
)
def test_describe_reads_every_page_until_the_exact_name(names, found, pages_read):
    fake = _FakeLogs(names)
    manager = _log_group.LogGroupManager(_FakeModule(fake))
    result = manager.describe("/a")
    assert (result and result["logGroupName"]) == found
    assert len(fake.requests) == pages_read
    assert all(request["logGroupNamePrefix"] == "/a" for request in fake.requests)


# --- the "already exists" race --------------------------------------------------------------------------------------------


def _created_by_someone_else_after_the_lookup(monkeypatch, logs, retention_days=None, **create_args):
    """The first lookup finds nothing; right after it, another run creates the log group."""
    describe_as_moto = _log_group.LogGroupManager.describe
    state = {"first": True}

    def racing(self, name):
        if state["first"]:
            state["first"] = False
            logs.create_log_group(logGroupName=name, **create_args)
            if retention_days is not None:
                logs.put_retention_policy(logGroupName=name, retentionInDays=retention_days)
            return None
        return describe_as_moto(self, name)

    monkeypatch.setattr(_log_group.LogGroupManager, "describe", racing)


def test_already_exists_race_converges(run, args, logs, calls, monkeypatch):
    _created_by_someone_else_after_the_lookup(monkeypatch, logs, tags={"Owner": "other-run"})
    result = run(args, diff=True)
    assert_ok(result, changed=True)
    assert operations(calls).count("CreateLogGroup") == 1, "it tried, and AWS said it exists"
    assert [g["logGroupName"] for g in all_log_groups(logs)] == [NAME]
    assert describe(logs)["retentionInDays"] == 7
    assert tags_of(logs) == {"Stack": "unit"}
    assert result["diff"] == {
        "before": {"retention_in_days": None, "tags": {"Owner": "other-run"}},
        "after": {"retention_in_days": 7, "tags": {"Stack": "unit"}},
    }
    assert result["log_group"] == expected_return(describe(logs), {"Stack": "unit"})


def test_already_exists_race_with_what_we_want_is_no_change(run, args, logs, calls, monkeypatch):
    _created_by_someone_else_after_the_lookup(monkeypatch, logs, retention_days=7, tags={"Stack": "unit"})
    result = run(args, diff=True)
    assert_ok(result, changed=False)
    assert operations(calls).count("CreateLogGroup") == 1
    assert result["diff"] == {"before": {}, "after": {}}
    assert [g["logGroupName"] for g in all_log_groups(logs)] == [NAME]


# --- documentation -----------------------------------------------------------------------------------------------------


def test_documented_retention_values_are_the_allowed_ones():
    documented = documentation(log_group)["options"]["retention_days"]["description"][0]
    assert tuple(int(days) for days in re.findall(r"C\((\d+)\)", documented)) == _log_group.RETENTION_DAYS
