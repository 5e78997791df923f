"""The pure helpers of plugins/module_utils/_sns_topic.py."""

from __future__ import annotations

import json

import pytest

from ansible_collections.cloudops.fargate.plugins.module_utils._sns_topic import TopicInputError
from ansible_collections.cloudops.fargate.plugins.module_utils._sns_topic import email_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._sns_topic import email_plan
from ansible_collections.cloudops.fargate.plugins.module_utils._sns_topic import is_aws_managed_key
from ansible_collections.cloudops.fargate.plugins.module_utils._sns_topic import kms_key_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._sns_topic import name_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._sns_topic import pending_message
from ansible_collections.cloudops.fargate.plugins.module_utils._sns_topic import policies_equal
from ansible_collections.cloudops.fargate.plugins.module_utils._sns_topic import subscription_of
from ansible_collections.cloudops.fargate.plugins.module_utils._sns_topic import topic_arn
from ansible_collections.cloudops.fargate.plugins.module_utils._sns_topic import topic_policy
from ansible_collections.cloudops.fargate.plugins.module_utils._sns_topic import wanted_topic

ARN = "arn:aws:sns:eu-west-1:123456789012:alarms"


def params(**overrides):
    base = {
        "name": "alarms",
        "state": "present",
        "kms_master_key_id": "alias/aws/sns",
        "email_subscriptions": None,
        "tags": None,
        "purge_tags": True,
    }
    base.update(overrides)
    return base


# --- validation -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["a", "alarms-1_B", "x" * 256])
def test_valid_names(name):
    assert name_errors(name) == []


@pytest.mark.parametrize("name", ["", "x" * 257, "alarms.fifo", "with space", None])
def test_invalid_names(name):
    (error,) = name_errors(name)
    assert error.startswith("name must be 1 to 256")


@pytest.mark.parametrize(
    "key",
    [
        "alias/aws/sns",
        "alias/team/alarms",
        "0d1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6",
        "mrk-1234abcd12ab34cd56ef1234567890ab",
        "arn:aws:kms:us-east-1:123456789012:key/0d1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6",
        "arn:aws-us-gov:kms:us-gov-west-1:123456789012:alias/alarms",
    ],
)
def test_valid_keys(key):
    assert kms_key_errors(key) == []


@pytest.mark.parametrize("key", ["", None, "alarms", "key/0d1e2f3a", "arn:aws:kms:us-east-1:123456789012:alarms"])
def test_invalid_keys(key):
    (error,) = kms_key_errors(key)
    assert error.startswith("kms_master_key_id must be") and "cannot be empty" in error


def test_the_aws_managed_key_by_name_or_arn():
    assert is_aws_managed_key("alias/aws/sns")
    assert is_aws_managed_key("arn:aws:kms:us-east-1:123456789012:alias/aws/sns")
    assert not is_aws_managed_key("alias/aws/snsx")
    assert not is_aws_managed_key("alias/alarms")


def test_email_errors():
    assert email_errors(None) == []
    assert email_errors(["a@example.com", "b@example.org"]) == []
    assert email_errors(["a@example", "x y@example.com", "a@b.c,d@e.f", 3]) == [
        "email_subscriptions[0] is not an e-mail address: 'a@example'",
        "email_subscriptions[1] is not an e-mail address: 'x y@example.com'",
        "email_subscriptions[2] is not an e-mail address: 'a@b.c,d@e.f'",
        "email_subscriptions[3] is not an e-mail address: 3",
    ]
    assert email_errors(["Ops@example.com", "ops@example.com"]) == [
        "email_subscriptions lists 'ops@example.com' more than once (as 'Ops@example.com' before)"
    ]


def test_wanted_topic_names_every_bad_option_at_once():
    with pytest.raises(TopicInputError) as raised:
        wanted_topic(params(name="a.fifo", kms_master_key_id="", email_subscriptions=["x"], tags={"aws:k": "v"}))
    assert [line.split(" ")[0] for line in str(raised.value).splitlines()] == [
        "name",
        "kms_master_key_id",
        "email_subscriptions[0]",
        "tags",
    ]
    wanted = wanted_topic(params(email_subscriptions=["b@example.com", "a@example.com"], tags={"n": 1}))
    assert wanted["email_subscriptions"] == ["a@example.com", "b@example.com"]
    assert wanted["tags"] == {"n": "1"}
    assert wanted_topic(params())["email_subscriptions"] is None


# --- policy ---------------------------------------------------------------------------------------------------


def test_topic_arn_and_policy():
    assert topic_arn("aws", "eu-west-1", "123456789012", "alarms") == ARN
    policy = topic_policy(ARN)
    owner, cloudwatch, deny = policy["Statement"]
    assert owner["Principal"] == {"AWS": "arn:aws:iam::123456789012:root"} and owner["Resource"] == ARN
    assert cloudwatch["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert cloudwatch["Action"] == "SNS:Publish" and cloudwatch["Effect"] == "Allow"
    assert cloudwatch["Condition"] == {
        "StringEquals": {"aws:SourceAccount": "123456789012"},
        "ArnLike": {"aws:SourceArn": "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:*"},
    }
    assert deny["Effect"] == "Deny" and deny["Principal"] == "*" and deny["Action"] == "SNS:Publish"
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    gov = topic_policy("arn:aws-us-gov:sns:us-gov-west-1:123456789012:alarms")
    assert gov["Statement"][0]["Principal"] == {"AWS": "arn:aws-us-gov:iam::123456789012:root"}


def test_policies_compare_as_parsed_json():
    wanted = topic_policy(ARN)
    rewritten = json.loads(json.dumps(wanted))
    rewritten["Statement"].reverse()
    for statement in rewritten["Statement"]:
        if isinstance(statement["Action"], str):
            statement["Action"] = [statement["Action"]]
        else:
            statement["Action"] = list(reversed(statement["Action"]))
        for operator in statement.get("Condition", {}).values():
            for key in list(operator):
                operator[key.replace("aws:", "AWS:")] = [operator.pop(key)]
    assert policies_equal(json.dumps(rewritten, indent=2), wanted)
    assert policies_equal(rewritten, wanted)

    looser = json.loads(json.dumps(wanted))
    del looser["Statement"][1]["Condition"]["ArnLike"]
    assert not policies_equal(looser, wanted)
    assert not policies_equal(None, wanted)
    assert not policies_equal("not json", wanted)


# --- subscriptions --------------------------------------------------------------------------------------------


def entry(endpoint, arn, protocol="email"):
    return {"SubscriptionArn": arn, "Protocol": protocol, "Endpoint": endpoint, "TopicArn": ARN}


def test_subscription_of():
    assert subscription_of(entry("a@example.com", "PendingConfirmation")) == {
        "protocol": "email",
        "endpoint": "a@example.com",
        "subscription_arn": None,
        "pending_confirmation": True,
    }
    assert subscription_of(entry("a@example.com", f"{ARN}:1"))["subscription_arn"] == f"{ARN}:1"
    deleted = subscription_of(entry("a@example.com", "Deleted"))
    assert deleted["subscription_arn"] is None and deleted["pending_confirmation"] is False


def test_email_plan():
    current = [
        subscription_of(entry("keep@example.com", f"{ARN}:1")),
        subscription_of(entry("pending@example.com", "PendingConfirmation")),
        subscription_of(entry("drop@example.com", f"{ARN}:2")),
        subscription_of(entry("stuck@example.com", "PendingConfirmation")),
        subscription_of(entry("gone@example.com", "Deleted")),
        subscription_of(entry("arn:aws:sqs:eu-west-1:123456789012:q", f"{ARN}:3", protocol="sqs")),
    ]
    wanted = ["keep@example.com", "new@example.com", "pending@example.com", "gone@example.com"]
    to_add, to_remove, stuck = email_plan(current, wanted)
    assert to_add == ["new@example.com", "gone@example.com"]
    assert [s["endpoint"] for s in to_remove] == ["drop@example.com"]
    assert [s["endpoint"] for s in stuck] == ["stuck@example.com"]
    assert email_plan(current, None) == ([], [], [])


def test_pending_message_names_the_option_and_the_way_out():
    message = pending_message("alarms", [subscription_of(entry("a@example.com", "PendingConfirmation"))])
    assert message.startswith("email_subscriptions: the subscription of a@example.com to topic alarms")
    assert "48 hours" in message and "topic is deleted" in message
