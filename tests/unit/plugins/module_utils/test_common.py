"""Unit tests of plugins/module_utils/_common.py."""

from __future__ import annotations

from types import SimpleNamespace
from unittest.mock import MagicMock

import pytest

from ansible_collections.cloudops.fargate.plugins.module_utils._common import BaseResourceManager
from ansible_collections.cloudops.fargate.plugins.module_utils._common import DifferenceTracker
from ansible_collections.cloudops.fargate.plugins.module_utils._common import batches
from ansible_collections.cloudops.fargate.plugins.module_utils._common import idempotency_token
from ansible_collections.cloudops.fargate.plugins.module_utils._common import merged_tags
from ansible_collections.cloudops.fargate.plugins.module_utils._common import tag_changes
from ansible_collections.cloudops.fargate.plugins.module_utils._common import RETRY_CONFIG
from ansible_collections.amazon.aws.plugins.module_utils.botocore import _boto3_conn


# --- DifferenceTracker ---------------------------------------------------------------------------------


def test_tracker_starts_empty():
    tracker = DifferenceTracker()
    assert not tracker.has_differences
    assert tracker.names == []
    assert tracker.as_diff() == {"before": {}, "after": {}}


@pytest.mark.parametrize("value", [1, "x", None, {"a": [1, 2]}, [], {}])
def test_tracker_does_not_record_equal_values(value):
    tracker = DifferenceTracker()
    assert tracker.add("field", value, value) is False
    assert not tracker.has_differences
    assert tracker.names == []
    assert tracker.as_diff() == {"before": {}, "after": {}}


def test_tracker_equal_by_value_not_identity():
    tracker = DifferenceTracker()
    assert tracker.add("tags", {"a": "1"}, {"a": "1"}) is False
    assert not tracker.has_differences


def test_tracker_records_differences_in_order():
    tracker = DifferenceTracker()
    assert tracker.add("cpu", "256", "512") is True
    assert tracker.add("memory", "512", "512") is False
    assert tracker.add("tags", {"a": "1"}, {"a": "2"}) is True
    assert tracker.has_differences
    assert tracker.names == ["cpu", "tags"]
    assert tracker.as_diff() == {
        "before": {"cpu": "256", "tags": {"a": "1"}},
        "after": {"cpu": "512", "tags": {"a": "2"}},
    }


def test_tracker_records_none_against_value():
    tracker = DifferenceTracker()
    assert tracker.add("log_format", None, "${version}") is True
    assert tracker.as_diff() == {"before": {"log_format": None}, "after": {"log_format": "${version}"}}


def test_tracker_copies_values():
    before = {"a": ["1"]}
    after = {"a": ["2"]}
    tracker = DifferenceTracker()
    tracker.add("tags", before, after)
    before["a"].append("changed later")
    after["a"].append("changed later")
    assert tracker.as_diff() == {"before": {"tags": {"a": ["1"]}}, "after": {"tags": {"a": ["2"]}}}


# --- BaseResourceManager -------------------------------------------------------------------------------


def _module(check_mode=False):
    return SimpleNamespace(check_mode=check_mode, client=MagicMock(name="client"))


@pytest.mark.parametrize("check_mode", [True, False])
def test_manager_initial_state(check_mode):
    manager = BaseResourceManager(_module(check_mode))
    assert manager.changed is False
    assert manager.check_mode is check_mode
    assert manager.diff() == {"before": {}, "after": {}}


def test_manager_client_uses_retry_decorator(monkeypatch):
    for name in ("AWS_RETRY_MODE", "AWS_MAX_ATTEMPTS"):
        monkeypatch.delenv(name, raising=False)
    module = _module()
    manager = BaseResourceManager(module)
    client = manager.client("ec2")
    assert client is module.client.return_value
    args, kwargs = module.client.call_args
    assert args == ("ec2",)
    assert callable(kwargs["retry_decorator"])
    assert kwargs["config"] == RETRY_CONFIG


def test_manager_clients_leave_retries_to_the_environment_when_it_sets_them(monkeypatch):
    monkeypatch.setenv("AWS_RETRY_MODE", "adaptive")
    module = _module()
    BaseResourceManager(module).client("ecs")
    assert module.client.call_args.kwargs["config"] is None


@pytest.mark.parametrize(
    ("aws_config", "expected"),
    [
        (None, {"mode": "standard", "total_max_attempts": 10}),
        ({"retries": {"mode": "adaptive", "max_attempts": 4}}, {"mode": "adaptive", "total_max_attempts": 5}),
    ],
)
def test_manager_clients_retry_in_standard_mode_unless_the_task_says_otherwise(aws_config, expected):
    # amazon.aws merges the client's config first and the task's aws_config over it.
    client = _boto3_conn(
        "client", "ecs", region="us-east-1", config=RETRY_CONFIG, aws_config=aws_config,
        aws_access_key_id="t", aws_secret_access_key="t",
    )
    assert client.meta.config.retries == expected


def test_manager_diff_is_field_by_field_by_default():
    manager = BaseResourceManager(_module())
    manager.differences.add("tags", {"a": "1"}, {"a": "2"})
    assert manager.diff() == {"before": {"tags": {"a": "1"}}, "after": {"tags": {"a": "2"}}}


def test_manager_set_diff_replaces_field_diff_and_copies():
    manager = BaseResourceManager(_module())
    manager.differences.add("tags", {"a": "1"}, {"a": "2"})
    before = {"id": "x", "tags": {"a": "1"}}
    manager.set_diff(before=before, after={})
    before["tags"]["a"] = "mutated"
    assert manager.diff() == {"before": {"id": "x", "tags": {"a": "1"}}, "after": {}}


# --- tag_changes / merged_tags -------------------------------------------------------------------------


@pytest.mark.parametrize("purge", [True, False])
@pytest.mark.parametrize("current", [None, {}, {"a": "1", "aws:cloudformation:stack-name": "s"}])
def test_tag_changes_wanted_none_leaves_tags_alone(current, purge):
    assert tag_changes(current, None, purge) == ({}, [])
    assert merged_tags(current, None, purge) == (current or {})


def test_tag_changes_purge_true_sets_and_removes():
    to_set, to_unset = tag_changes({"keep": "1", "change": "old", "drop": "x"}, {"keep": "1", "change": "new", "add": "y"}, True)
    assert to_set == {"change": "new", "add": "y"}
    assert sorted(to_unset) == ["drop"]


def test_tag_changes_purge_false_only_sets():
    to_set, to_unset = tag_changes({"keep": "1", "change": "old", "drop": "x"}, {"change": "new", "add": "y"}, False)
    assert to_set == {"change": "new", "add": "y"}
    assert list(to_unset) == []


def test_tag_changes_current_none():
    assert tag_changes(None, {"a": "1"}, True) == ({"a": "1"}, [])


def test_tag_changes_equal_is_empty():
    to_set, to_unset = tag_changes({"a": "1"}, {"a": "1"}, True)
    assert to_set == {}
    assert list(to_unset) == []


def test_tag_changes_empty_wanted_with_purge_removes_all_but_aws():
    to_set, to_unset = tag_changes({"a": "1", "aws:ecs:clusterName": "c"}, {}, True)
    assert to_set == {}
    assert sorted(to_unset) == ["a"]


@pytest.mark.parametrize("purge", [True, False])
def test_tag_changes_never_removes_aws_keys(purge):
    current = {"aws:cloudformation:stack-name": "stack", "aws:ecs:serviceName": "svc", "Name": "x"}
    _to_set, to_unset = tag_changes(current, {"Name": "x"}, purge)
    assert not any(key.startswith("aws:") for key in to_unset)


def test_merged_tags_purge_true():
    current = {"keep": "1", "change": "old", "drop": "x", "aws:cloudformation:stack-name": "s"}
    assert merged_tags(current, {"keep": "1", "change": "new", "add": "y"}, True) == {
        "keep": "1",
        "change": "new",
        "add": "y",
        "aws:cloudformation:stack-name": "s",
    }


def test_merged_tags_purge_false():
    current = {"keep": "1", "change": "old"}
    assert merged_tags(current, {"change": "new", "add": "y"}, False) == {"keep": "1", "change": "new", "add": "y"}


def test_merged_tags_current_none():
    assert merged_tags(None, {"a": "1"}, True) == {"a": "1"}


def test_merged_tags_does_not_mutate_current():
    current = {"a": "1", "b": "2"}
    merged_tags(current, {"a": "3"}, True)
    assert current == {"a": "1", "b": "2"}


# --- idempotency_token ---------------------------------------------------------------------------------


def test_idempotency_token_is_stable():
    assert idempotency_token("vpc-1", "flow", "settings") == idempotency_token("vpc-1", "flow", "settings")


def test_idempotency_token_known_value():
    # sha256 of "a\0b": pins the algorithm, so a token never changes between releases.
    import hashlib

    assert idempotency_token("a", "b") == hashlib.sha256(b"a\x00b").hexdigest()


def test_idempotency_token_default_length_and_charset():
    token = idempotency_token("vpc-1", "flow")
    assert len(token) == 64
    assert all(c in "0123456789abcdef" for c in token)


@pytest.mark.parametrize("length", [1, 32, 36, 64])
def test_idempotency_token_length(length):
    token = idempotency_token("vpc-1", "flow", length=length)
    assert len(token) == length
    assert idempotency_token("vpc-1", "flow").startswith(token)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        (("vpc-1", "flow"), ("vpc-2", "flow")),
        (("vpc-1", "flow"), ("vpc-1", "flow2")),
        (("vpc-1", "flow", "ALL"), ("vpc-1", "flow", "REJECT")),
        (("a", "bc"), ("ab", "c")),
        (("a",), ("a", "")),
    ],
)
def test_idempotency_token_differs_by_part(one, other):
    assert idempotency_token(*one) != idempotency_token(*other)


# --- errors, paging, waiting: the plumbing every manager goes through -----------------------------------------

import botocore.exceptions  # noqa: E402
from botocore.stub import Stubber  # noqa: E402

from ansible_collections.cloudops.fargate.plugins.module_utils._common import AWSActionError  # noqa: E402
from ansible_collections.cloudops.fargate.plugins.module_utils._common import Deadline  # noqa: E402
from ansible_collections.cloudops.fargate.plugins.module_utils._common import InputError  # noqa: E402
from ansible_collections.cloudops.fargate.plugins.module_utils._common import TAGGING  # noqa: E402
from ansible_collections.cloudops.fargate.plugins.module_utils._common import call  # noqa: E402
from ansible_collections.cloudops.fargate.plugins.module_utils._common import module_errors  # noqa: E402
from ansible_collections.cloudops.fargate.plugins.module_utils._common import paginate  # noqa: E402
from ansible_collections.cloudops.fargate.plugins.module_utils._common import pages  # noqa: E402
from ansible_collections.cloudops.fargate.plugins.module_utils._common import tag_errors  # noqa: E402
from ansible_collections.cloudops.fargate.plugins.module_utils._common import wait  # noqa: E402
from ansible_collections.cloudops.fargate.plugins.module_utils._common import waiter_settings  # noqa: E402
from ansible_collections.cloudops.fargate.plugins.module_utils._common import wanted_tags  # noqa: E402


def _client_error(code, operation="DescribeThings"):
    return botocore.exceptions.ClientError({"Error": {"Code": code, "Message": code}}, operation)


def _raising(*outcomes):
    """A stand-in for a retry-wrapped client method: returns or raises each outcome in turn, recording kwargs."""
    calls = []

    def method(aws_retry=False, **kwargs):
        assert aws_retry is True, "every call goes through the retry wrapper"
        calls.append(kwargs)
        outcome = outcomes[len(calls) - 1]
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    method.calls = calls
    return method


def test_call_returns_the_response():
    method = _raising({"Thing": 1})
    assert call(method, "describe thing", Name="x") == {"Thing": 1}
    assert method.calls == [{"Name": "x"}]


@pytest.mark.parametrize(
    ("answers", "expected"),
    [({"NotFound": None}, None), ({("Gone", "NotFound"): False}, False), ({"NotFound": lambda e: str(e)[:4]}, "An e")],
)
def test_call_answers_an_expected_error_code_with_a_value(answers, expected):
    assert call(_raising(_client_error("NotFound")), "describe thing", answers=answers) == expected


def test_call_raises_one_error_type_naming_what_failed():
    error = _client_error("AccessDenied")
    with pytest.raises(AWSActionError) as raised:
        call(_raising(error), "describe thing web", answers={"NotFound": None})
    assert raised.value.message == "Failed to describe thing web"
    assert raised.value.exception is error


def test_pages_and_paginate_follow_every_token_style():
    for token, request_key, response_key in (("NextToken", "NextToken", "NextToken"), ("Marker", "Marker", "NextMarker"), ("IsTruncated", "Marker", "Marker")):
        method = _raising({"Items": [1, 2], response_key: "t1"}, {"Items": [3]})
        assert paginate(method, "list things", "Items", token=token, Filter="f") == [1, 2, 3]
        assert method.calls == [{"Filter": "f"}, {"Filter": "f", request_key: "t1"}]


def test_pages_reads_the_next_page_only_when_asked():
    method = _raising({"Items": [1], "NextToken": "t1"}, {"Items": [2]})
    first = next(pages(method, "list things"))
    assert first["Items"] == [1] and len(method.calls) == 1


def test_paginate_answers_a_missing_parent_and_raises_on_anything_else():
    assert paginate(_raising(_client_error("ParentNotFound")), "list", "Items", answers={"ParentNotFound": None}) is None
    with pytest.raises(AWSActionError):
        paginate(_raising({"Items": [1], "NextToken": "t"}, _client_error("Throttled")), "list", "Items")


class _Failed(Exception):
    pass


class _Module:
    def __init__(self):
        self.failures = []

    def fail_json(self, **kwargs):
        self.failures.append(kwargs)
        raise _Failed()

    def fail_json_aws(self, exception, **kwargs):
        self.failures.append(dict(kwargs, exception=exception))
        raise _Failed()


def test_module_errors_turns_the_collections_exceptions_into_the_modules_failure():
    module = _Module()
    with pytest.raises(_Failed):
        with module_errors(module):
            raise InputError("name must be short")
    error = _client_error("Boom")
    with pytest.raises(_Failed):
        with module_errors(module):
            raise AWSActionError("Failed to create thing", exception=error, thing={"id": "t-1"})
    with pytest.raises(_Failed):
        with module_errors(module):
            raise AWSActionError("Timed out after 5 seconds waiting for thing", thing={})
    assert module.failures == [
        {"msg": "name must be short"},
        {"msg": "Failed to create thing", "thing": {"id": "t-1"}, "exception": error},
        {"msg": "Timed out after 5 seconds waiting for thing", "thing": {}},
    ]


@pytest.mark.parametrize(
    ("timeout", "delay", "expected"),
    [(600, 5, (5, 121)), (0, 5, (5, 1)), (-3, 10, (10, 1)), (3, 5, (3, 2)), (1, 0.25, (0.25, 5)), (300, 3, (3, 101))],
)
def test_waiter_settings_one_rule(timeout, delay, expected):
    assert waiter_settings(timeout, delay) == expected


def test_deadline_counts_from_its_start():
    now = [100.0]
    deadline = Deadline(10, clock=lambda: now[0])
    assert deadline.remaining == 10 and not deadline.expired
    now[0] = 107.5
    assert deadline.elapsed == 7.5 and deadline.remaining == 2.5
    now[0] = 111
    assert deadline.remaining == 0 and deadline.expired


_THING_WAITER = {
    "version": 2,
    "waiters": {
        "ThingReady": {
            "operation": "DescribeVpcs",
            "delay": 1,
            "maxAttempts": 1,
            "acceptors": [
                {"matcher": "path", "argument": "Vpcs[0].State", "expected": "available", "state": "success"},
                {"matcher": "path", "argument": "Vpcs[0].State", "expected": "failed", "state": "failure"},
            ],
        }
    },
}


def _ec2_stubbed(*states):
    import boto3

    client = boto3.client("ec2", region_name="us-east-1", aws_access_key_id="t", aws_secret_access_key="t")
    stubber = Stubber(client)
    for state in states:
        stubber.add_response("describe_vpcs", {"Vpcs": [{"VpcId": "vpc-1", "State": state}]})
    stubber.activate()
    return SimpleNamespace(client=client)  # the retry wrapper's shape: wait unwraps it


def test_wait_succeeds_through_the_unwrapped_client():
    wait(_ec2_stubbed("pending", "available"), "ThingReady", "vpc-1", timeout=0.02, delay=0.01, model=_THING_WAITER)


def test_wait_tells_a_timeout_from_a_failure_and_describes_the_state():
    with pytest.raises(AWSActionError) as timed_out:
        wait(_ec2_stubbed("pending", "pending"), "ThingReady", "vpc-1", timeout=0.01, delay=0.01, model=_THING_WAITER,
             describe=lambda: ("it is pending", {"vpc": {"state": "pending"}}))
    assert timed_out.value.message == "Timed out after 0.01 seconds waiting for vpc-1 (it is pending)"
    assert timed_out.value.result == {"vpc": {"state": "pending"}} and timed_out.value.exception is None
    with pytest.raises(AWSActionError) as failed:
        wait(_ec2_stubbed("failed"), "ThingReady", "vpc-1", timeout=5, delay=0.01, model=_THING_WAITER)
    assert failed.value.message == "Failed while waiting for vpc-1" and failed.value.exception is not None


def test_wanted_tags_and_tag_errors():
    assert wanted_tags(None) is None
    assert wanted_tags({"a": 1, "b": None}) == {"a": "1", "b": ""}
    assert tag_errors(None) == []
    assert tag_errors({"aws:x": "1", "ok": "1"}) == ["tags aws:x: keys starting with 'aws:' are reserved by AWS"]
    assert tag_errors({"k" * 129: "v", "v": "x" * 257}, lengths=True) == [
        f"tags {'k' * 129}: a tag key is 1 to 128 characters",
        "tags v: a tag value is at most 256 characters",
    ]
    assert tag_errors({"a": "1", "b": "2"}, max_tags=1) == ["tags: at most 1 tags, not 2"]
    assert tag_errors({"a!": "1"}, text_ok=str.isalnum, allowed="letters") == ["tags a!: keys and values may contain only letters"]


@pytest.mark.parametrize(
    ("service", "tag_call", "untag_call"),
    [
        ("ecs", {"resourceArn": "r", "tags": [{"key": "a", "value": "1"}]}, {"resourceArn": "r", "tagKeys": ["b"]}),
        ("efs", {"ResourceId": "r", "Tags": [{"Key": "a", "Value": "1"}]}, {"ResourceId": "r", "TagKeys": ["b"]}),
        ("ec2", {"Resources": ["r"], "Tags": [{"Key": "a", "Value": "1"}]}, {"Resources": ["r"], "Tags": [{"Key": "b"}]}),
        ("logs", {"resourceArn": "r", "tags": {"a": "1"}}, {"resourceArn": "r", "tagKeys": ["b"]}),
        ("acm", {"CertificateArn": "r", "Tags": [{"Key": "a", "Value": "1"}]}, {"CertificateArn": "r", "Tags": [{"Key": "b"}]}),
        ("elbv2", {"ResourceArns": ["r"], "Tags": [{"Key": "a", "Value": "1"}]}, {"ResourceArns": ["r"], "TagKeys": ["b"]}),
    ],
)
def test_each_service_is_tagged_in_its_own_shape(service, tag_call, untag_call):
    recorded = []

    class Client:
        def __getattr__(self, name):
            def method(aws_retry=False, **kwargs):
                recorded.append(kwargs)

            return method

    tag, untag = TAGGING[service]
    tag(Client(), "r", {"a": "1"}, "thing r")
    untag(Client(), "r", ["b"], "thing r")
    assert recorded == [tag_call, untag_call]


# --- call_through: errors AWS documents as passing by themselves ---

from ansible_collections.cloudops.fargate.plugins.module_utils._common import Transient  # noqa: E402
from ansible_collections.cloudops.fargate.plugins.module_utils._common import call_through  # noqa: E402


def _client_error(code: str, message: str = "") -> botocore.exceptions.ClientError:
    return botocore.exceptions.ClientError({"Error": {"Code": code, "Message": message}}, "Operation")


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.pauses: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.pauses.append(seconds)
        self.now += seconds


PROPAGATION = (Transient("InvalidParameter", "Unable to assume given IAM role"),)


def test_call_through_retries_a_transient_error_until_it_passes():
    clock = _Clock()
    answers = [_client_error("InvalidParameter", "Unable to assume given IAM role: arn"), {"ok": True}]

    def method(**_kwargs):
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    assert call_through(method, "log", PROPAGATION, 120, sleep=clock.sleep, clock=clock) == {"ok": True}
    assert len(clock.pauses) == 1 and 0.5 <= clock.pauses[0] <= 1.0


def test_call_through_does_not_retry_the_same_code_with_another_meaning():
    clock = _Clock()

    def method(**_kwargs):
        raise _client_error("InvalidParameter", "LogDestination is not a valid ARN")

    with pytest.raises(AWSActionError, match="^Failed to log"):
        call_through(method, "log", PROPAGATION, 120, sleep=clock.sleep, clock=clock)
    assert clock.pauses == []


def test_call_through_gives_up_at_the_timeout_with_backoff_and_says_how_long():
    clock = _Clock()

    def method(**_kwargs):
        raise _client_error("InvalidParameter", "Unable to assume given IAM role: arn")

    with pytest.raises(AWSActionError, match=r"Failed to log \(AWS still answered InvalidParameter after 120 s\)"):
        call_through(method, "log", PROPAGATION, 120, sleep=clock.sleep, clock=clock)
    assert clock.now == pytest.approx(120)
    assert max(clock.pauses) <= 15 and clock.pauses[:3] == sorted(clock.pauses[:3])


def test_call_through_answers_expected_errors_like_call():
    def method(**_kwargs):
        raise _client_error("ClusterNotFoundException")

    assert call_through(method, "look", PROPAGATION, 10, answers={"ClusterNotFoundException": None}) is None


def test_batches():
    assert batches(list(range(25)), 10) == [list(range(10)), list(range(10, 20)), list(range(20, 25))]
    assert batches([], 10) == []
