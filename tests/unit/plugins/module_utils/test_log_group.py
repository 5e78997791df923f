"""The pure helpers of plugins/module_utils/_log_group.py, table-driven."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import botocore
import pytest

from ansible_collections.cloudops.fargate.plugins.module_utils._log_group import RETENTION_DAYS
from ansible_collections.cloudops.fargate.plugins.module_utils._log_group import LogGroupInputError
from ansible_collections.cloudops.fargate.plugins.module_utils._log_group import account_policy_message
from ansible_collections.cloudops.fargate.plugins.module_utils._log_group import create_request
from ansible_collections.cloudops.fargate.plugins.module_utils._log_group import diff_view
from ansible_collections.cloudops.fargate.plugins.module_utils._log_group import exact_match
from ansible_collections.cloudops.fargate.plugins.module_utils._log_group import kms_key_change
from ansible_collections.cloudops.fargate.plugins.module_utils._log_group import kms_key_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._log_group import name_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._log_group import normalize_log_group
from ansible_collections.cloudops.fargate.plugins.module_utils._log_group import predicted_log_group
from ansible_collections.cloudops.fargate.plugins.module_utils._log_group import retention_change
from ansible_collections.cloudops.fargate.plugins.module_utils._log_group import retention_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._log_group import tag_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._log_group import tagging_arn
from ansible_collections.cloudops.fargate.plugins.module_utils._log_group import validate_name
from ansible_collections.cloudops.fargate.plugins.module_utils._log_group import wanted_settings
from ansible_collections.cloudops.fargate.plugins.module_utils._log_group import wanted_tags

KEY = "arn:aws:kms:us-east-1:123456789012:key/0d1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6"
OTHER_KEY = "arn:aws:kms:us-east-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab"
ARN = "arn:aws:logs:us-east-1:123456789012:log-group:/ecs/unit"


def params(**overrides):
    base = {
        "name": "/ecs/unit",
        "state": "present",
        "retention_days": None,
        "purge_retention": False,
        "kms_key_id": None,
        "tags": None,
        "purge_tags": True,
    }
    base.update(overrides)
    return base


# --- the allowed retention values are botocore's ------------------------------------------------------------


def test_retention_days_are_the_service_models():
    model_dir = Path(botocore.__file__).parent / "data" / "logs"
    (model_file,) = sorted(model_dir.glob("*/service-2.json*"))[-1:]
    opener = gzip.open if model_file.suffix == ".gz" else open
    with opener(model_file, "rt", encoding="utf-8") as handle:
        documentation = json.load(handle)["shapes"]["Days"]["documentation"]
    listed = documentation.split("Possible values are:", 1)[1].split(".", 1)[0]
    assert tuple(int(number) for number in re.findall(r"\d+", listed)) == RETENTION_DAYS


# --- validation ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "valid"),
    [
        ("/ecs/demo-local-web", True),
        ("a", True),
        ("A.b-c_d/e#f", True),
        ("x" * 512, True),
        ("x" * 513, False),
        ("", False),
        ("has space", False),
        ("colon:name", False),
        ("star*", False),
        (None, False),
        (42, False),
    ],
)
def test_name_errors(name, valid):
    errors = name_errors(name)
    assert (errors == []) is valid, errors
    if not valid:
        assert errors[0].startswith("name must be")


def test_validate_name_raises():
    validate_name("/ok")
    with pytest.raises(LogGroupInputError, match="^name must be"):
        validate_name("bad name")


@pytest.mark.parametrize(
    ("retention_days", "purge", "expected"),
    [
        (None, False, []),
        (None, True, []),
        (1, False, []),
        (30, False, []),
        (3653, False, []),
        (0, False, ["retention_days must be one of"]),
        (2, False, ["retention_days must be one of"]),
        (8, False, ["retention_days must be one of"]),
        (3654, False, ["retention_days must be one of"]),
        (-1, False, ["retention_days must be one of"]),
        (True, False, ["retention_days must be one of"]),
        (30, True, ["retention_days and purge_retention: true contradict"]),
        (8, True, ["retention_days must be one of", "retention_days and purge_retention: true contradict"]),
    ],
)
def test_retention_errors(retention_days, purge, expected):
    errors = retention_errors(retention_days, purge)
    assert len(errors) == len(expected), errors
    for error, start in zip(errors, expected):
        assert error.startswith(start)


def test_retention_error_lists_every_allowed_value():
    (error,) = retention_errors(8, False)
    assert (
        "1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653"
        in error
    )
    assert "not 8" in error


@pytest.mark.parametrize(
    ("kms_key_id", "valid"),
    [
        (None, True),
        ("", True),
        (KEY, True),
        (OTHER_KEY, True),
        ("arn:aws-us-gov:kms:us-gov-west-1:123456789012:key/0d1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6", True),
        ("0d1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6", False),
        ("alias/logs", False),
        ("arn:aws:kms:us-east-1:123456789012:alias/logs", False),
        ("arn:aws:s3:::bucket", False),
        ("arn:aws:kms:us-east-1:1234:key/abc", False),
    ],
)
def test_kms_key_errors(kms_key_id, valid):
    errors = kms_key_errors(kms_key_id)
    assert (errors == []) is valid, errors
    if not valid:
        assert errors[0].startswith("kms_key_id must be the ARN of a KMS key")


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        (None, []),
        ({}, []),
        ({"Stack": "demo", "Empty": ""}, []),
        ({"aws:cloudformation:stack-name": "x"}, ["reserved by AWS"]),
        ({"AWS:Thing": "x"}, ["reserved by AWS"]),
        ({"k" * 129: "x"}, ["a tag key is 1 to 128"]),
        ({"": "x"}, ["a tag key is 1 to 128"]),
        ({"k": "v" * 257}, ["a tag value is at most 256"]),
        ({f"k{i}": "v" for i in range(51)}, ["at most 50 tags"]),
        ({f"k{i}": "v" for i in range(50)}, []),
    ],
)
def test_tag_errors(tags, expected):
    errors = tag_errors(tags)
    assert len(errors) == len(expected), errors
    for error, part in zip(errors, expected):
        assert part in error


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        (None, None),
        ({}, {}),
        ({"a": "b"}, {"a": "b"}),
        ({"n": 1, "t": True, "z": None}, {"n": "1", "t": "True", "z": ""}),
    ],
)
def test_wanted_tags(tags, expected):
    assert wanted_tags(tags) == expected


def test_wanted_settings():
    assert wanted_settings(params(retention_days=30, kms_key_id=KEY, tags={"n": 1}, purge_tags=False)) == {
        "name": "/ecs/unit",
        "retention_days": 30,
        "purge_retention": False,
        "kms_key_id": KEY,
        "tags": {"n": "1"},
        "purge_tags": False,
    }
    assert wanted_settings(params(kms_key_id=""))["kms_key_id"] == ""


def test_wanted_settings_names_every_bad_option():
    with pytest.raises(LogGroupInputError) as raised:
        wanted_settings(params(name="bad name", retention_days=8, kms_key_id="alias/x", tags={"aws:x": "y"}))
    message = str(raised.value)
    for option in ("name must be", "retention_days must be", "kms_key_id must be", "tags aws:x"):
        assert option in message


# --- comparing -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "retention_days", "purge", "expected"),
    [
        (None, None, False, None),  # left alone
        (30, None, False, None),  # left alone
        (None, None, True, None),  # already never expires
        (30, None, True, (30, None)),  # purge
        (None, 30, False, (None, 30)),
        (30, 30, False, None),
        (30, 60, False, (30, 60)),
        (60, 1, False, (60, 1)),
    ],
)
def test_retention_change(current, retention_days, purge, expected):
    assert retention_change(current, retention_days, purge) == expected


@pytest.mark.parametrize(
    ("current", "wanted", "expected"),
    [
        (None, None, None),  # left alone
        (KEY, None, None),  # left alone
        (None, "", None),  # already none
        (KEY, "", (KEY, None)),  # removed
        (None, KEY, (None, KEY)),
        (KEY, KEY, None),
        (KEY, OTHER_KEY, (KEY, OTHER_KEY)),
        ("", "", None),
    ],
)
def test_kms_key_change(current, wanted, expected):
    assert kms_key_change(current, wanted) == expected


# --- reading ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("names", "wanted", "found"),
    [
        ([], "/ecs/web", None),
        (["/ecs/web"], "/ecs/web", "/ecs/web"),
        (["/ecs/web-a", "/ecs/web-b"], "/ecs/web", None),  # prefix matches only
        (["/ecs/web", "/ecs/web-a"], "/ecs/web-a", "/ecs/web-a"),
        (["/ecs/web-a", "/ecs/web"], "/ecs/web", "/ecs/web"),
    ],
)
def test_exact_match(names, wanted, found):
    result = exact_match([{"logGroupName": name} for name in names], wanted)
    assert (result and result["logGroupName"]) == found


@pytest.mark.parametrize(
    ("description", "expected"),
    [
        ({"arn": ARN + ":*", "logGroupArn": ARN}, ARN),
        ({"arn": ARN + ":*"}, ARN),
        ({"arn": ARN}, ARN),
        ({"arn": "ignored", "logGroupArn": ARN}, ARN),
    ],
)
def test_tagging_arn(description, expected):
    assert tagging_arn(description) == expected


def test_normalize_log_group():
    description = {
        "logGroupName": "/ecs/unit",
        "creationTime": 1732480000000,
        "retentionInDays": 30,
        "metricFilterCount": 0,
        "arn": ARN + ":*",
        "logGroupArn": ARN,
        "storedBytes": 12,
        "kmsKeyId": KEY,
    }
    assert normalize_log_group(description, {"Stack": "unit"}) == {
        "log_group_name": "/ecs/unit",
        "arn": ARN + ":*",
        "log_group_arn": ARN,
        "retention_in_days": 30,
        "kms_key_id": KEY,
        "creation_time": 1732480000000,
        "stored_bytes": 12,
        "tags": {"Stack": "unit"},
    }
    minimal = normalize_log_group({"logGroupName": "/x", "arn": "arn:aws:logs:r:1:log-group:/x:*"}, None)
    assert minimal["retention_in_days"] is None and minimal["kms_key_id"] is None
    assert minimal["log_group_arn"] == "arn:aws:logs:r:1:log-group:/x"
    assert minimal["tags"] == {} and minimal["stored_bytes"] == 0


@pytest.mark.parametrize(
    ("overrides", "retention", "kms", "tags"),
    [
        ({}, None, None, {}),
        ({"retention_days": 7, "kms_key_id": KEY, "tags": {"a": "b"}}, 7, KEY, {"a": "b"}),
        ({"kms_key_id": "", "purge_retention": True}, None, None, {}),
    ],
)
def test_predicted_log_group_and_create_request(overrides, retention, kms, tags):
    wanted = wanted_settings(params(**overrides))
    predicted = predicted_log_group(wanted)
    assert predicted == {
        "log_group_name": "/ecs/unit",
        "arn": None,
        "log_group_arn": None,
        "retention_in_days": retention,
        "kms_key_id": kms,
        "creation_time": None,
        "stored_bytes": 0,
        "tags": tags,
    }
    request = create_request(wanted)
    assert request.pop("logGroupName") == "/ecs/unit"
    assert request.pop("kmsKeyId", None) == kms
    assert request.pop("tags", {}) == tags
    assert request == {}, "the retention is not a CreateLogGroup argument"


def test_diff_view():
    assert diff_view({}) == {}
    log_group = predicted_log_group(wanted_settings(params(retention_days=7, tags={"a": "b"})))
    assert diff_view(log_group) == {
        "log_group_name": "/ecs/unit",
        "retention_in_days": 7,
        "kms_key_id": None,
        "tags": {"a": "b"},
    }


@pytest.mark.parametrize(
    ("description", "change", "expected"),
    [
        ({"logGroupName": "/x"}, (30, 60), None),
        ({"logGroupName": "/x", "retentionPolicyName": "p"}, None, None),
        (
            {"logGroupName": "/x", "retentionPolicyName": "p"},
            (30, 60),
            "policy p (30 days); the task's retention (60 days)",
        ),
        (
            {"logGroupName": "/x", "retentionPolicyName": "p"},
            (30, None),
            "policy p (30 days); the task's retention (never expire)",
        ),
        (
            {"logGroupName": "/x", "retentionPolicyName": "p"},
            (None, 7),
            "policy p (never expire); the task's retention (7 days)",
        ),
    ],
)
def test_account_policy_message(description, change, expected):
    message = account_policy_message(description, change)
    if expected is None:
        assert message is None
    else:
        assert expected in message and "log group /x" in message
