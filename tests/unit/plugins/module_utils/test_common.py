"""Unit tests of plugins/module_utils/_common.py."""

from __future__ import annotations

from types import SimpleNamespace
from unittest.mock import MagicMock

import pytest

from ansible_collections.cloudops.fargate.plugins.module_utils import _common
from ansible_collections.cloudops.fargate.plugins.module_utils._common import BaseResourceManager
from ansible_collections.cloudops.fargate.plugins.module_utils._common import DifferenceTracker
from ansible_collections.cloudops.fargate.plugins.module_utils._common import idempotency_token
from ansible_collections.cloudops.fargate.plugins.module_utils._common import merged_tags
from ansible_collections.cloudops.fargate.plugins.module_utils._common import tag_changes


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


def test_manager_client_uses_retry_decorator():
    module = _module()
    manager = BaseResourceManager(module)
    client = manager.client("ec2")
    assert client is module.client.return_value
    args, kwargs = module.client.call_args
    assert args == ("ec2",)
    assert callable(kwargs["retry_decorator"])


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
