"""cloudops.fargate.sns_topic against moto in this process, and against botocore's Stubber where moto is kinder than
AWS (moto confirms an e-mail subscription at once and unsubscribes anything; AWS keeps it pending and refuses to
unsubscribe it). Every outcome is read back with a client of the test's own."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.stub import Stubber

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper
from ansible_collections.cloudops.fargate.plugins.module_utils._sns_topic import TopicManager
from ansible_collections.cloudops.fargate.plugins.module_utils._sns_topic import topic_policy
from ansible_collections.cloudops.fargate.plugins.modules import sns_topic
from tests.unit.helpers import assert_ok

NAME = "unit-alarms"
ACCOUNT = "123456789012"
ARN = f"arn:aws:sns:us-east-1:{ACCOUNT}:{NAME}"
KEY = "alias/unit-alarms"
READ_ONLY = {"GetCallerIdentity", "GetTopicAttributes", "ListTagsForResource", "ListSubscriptionsByTopic"}


@pytest.fixture
def sns(aws):
    client = aws("sns")
    client._unit_test_client = True
    return client


@pytest.fixture
def run(recorded_runner):
    return recorded_runner(sns_topic, READ_ONLY)


@pytest.fixture
def args():
    return {
        "name": NAME,
        "kms_master_key_id": KEY,
        "email_subscriptions": ["oncall@example.com"],
        "tags": {"Stack": "unit"},
    }


def read_back(sns):
    """The topic as AWS (moto) holds it; None when there is none."""
    topics = [t["TopicArn"] for t in sns.list_topics()["Topics"]]
    if ARN not in topics:
        return None
    attributes = sns.get_topic_attributes(TopicArn=ARN)["Attributes"]
    subscriptions = sns.list_subscriptions_by_topic(TopicArn=ARN)["Subscriptions"]
    return {
        "key": attributes.get("KmsMasterKeyId"),
        "policy": json.loads(attributes["Policy"]),
        "tags": {t["Key"]: t["Value"] for t in sns.list_tags_for_resource(ResourceArn=ARN)["Tags"]},
        "emails": sorted(s["Endpoint"] for s in subscriptions if s["Protocol"] == "email"),
    }


def without_subscription_state(result):
    """What check mode predicts and moto makes alike: moto confirms at once, AWS (and the prediction) not."""
    return {k: v for k, v in result.items() if k not in ("subscriptions", "warnings", "diff", "changed", "failed")}


# --- create, converge, delete against moto ------------------------------------------------------------------


def test_create_four_steps(run, args, sns, calls):
    result = run(args, check_mode=True, diff=True)
    assert_ok(result, changed=True)
    assert read_back(sns) is None
    predicted = result
    assert predicted["topic_arn"] == ARN
    assert predicted["policy"] == topic_policy(ARN)
    assert predicted["subscriptions"] == [
        {"protocol": "email", "endpoint": "oncall@example.com", "subscription_arn": None, "pending_confirmation": True}
    ]
    assert result["diff"] == {
        "before": {},
        "after": {
            "topic_arn": ARN,
            "kms_master_key_id": KEY,
            "policy": topic_policy(ARN),
            "tags": {"Stack": "unit"},
            "email_subscriptions": ["oncall@example.com"],
        },
    }

    result = run(args, diff=True)
    assert_ok(result, changed=True)
    assert [op for _s, op in calls].count("CreateTopic") == 1
    assert read_back(sns) == {
        "key": KEY,
        "policy": topic_policy(ARN),
        "tags": {"Stack": "unit"},
        "emails": ["oncall@example.com"],
    }
    assert without_subscription_state(result) == without_subscription_state(predicted)
    assert result["diff"] == predicted["diff"]

    after = read_back(sns)
    for check_mode in (True, False):
        result = run(args, check_mode=check_mode, diff=True)
        assert_ok(result, changed=False)
        assert result["diff"] == {"before": {}, "after": {}}
        assert {op for _s, op in calls} <= READ_ONLY
    assert read_back(sns) == after


def test_the_topic_is_created_with_its_key_policy_and_tags_in_one_call(run, args, sns, calls):
    assert_ok(run(dict(args, email_subscriptions=None)), changed=True)
    assert [op for _s, op in calls if op not in READ_ONLY] == ["CreateTopic"]


def test_a_policy_changed_by_hand_is_put_back(run, args, sns, calls):
    assert_ok(run(args), changed=True)
    loose = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "SNS:Publish", "Resource": ARN}],
    }
    sns.set_topic_attributes(TopicArn=ARN, AttributeName="Policy", AttributeValue=json.dumps(loose))

    result = run(args, check_mode=True, diff=True)
    assert_ok(result, changed=True)
    assert result["diff"] == {"before": {"policy": loose}, "after": {"policy": topic_policy(ARN)}}
    assert read_back(sns)["policy"] == loose

    result = run(args, diff=True)
    assert_ok(result, changed=True)
    assert read_back(sns)["policy"] == topic_policy(ARN)
    assert result["policy"] == topic_policy(ARN)


def test_the_same_policy_written_otherwise_is_no_change(run, args, sns):
    assert_ok(run(args), changed=True)
    policy = topic_policy(ARN)
    policy["Statement"].reverse()
    policy["Statement"][0]["Action"] = [policy["Statement"][0]["Action"]]  # "SNS:Publish" as a one-item list
    sns.set_topic_attributes(TopicArn=ARN, AttributeName="Policy", AttributeValue=json.dumps(policy, indent=4))
    assert_ok(run(args), changed=False)


def test_key_and_tags_change_in_place(run, args, sns):
    assert_ok(run(args), changed=True)
    changed = dict(args, kms_master_key_id="alias/other", tags={"Team": "ops"})
    result = run(changed, check_mode=True, diff=True)
    assert_ok(result, changed=True)
    assert result["diff"] == {
        "before": {"kms_master_key_id": KEY, "tags": {"Stack": "unit"}},
        "after": {"kms_master_key_id": "alias/other", "tags": {"Team": "ops"}},
    }
    assert_ok(run(changed), changed=True)
    assert read_back(sns)["key"] == "alias/other"
    assert read_back(sns)["tags"] == {"Team": "ops"}
    assert_ok(run(changed), changed=False)

    kept = dict(changed, tags={"Extra": "1"}, purge_tags=False)
    assert_ok(run(kept), changed=True)
    assert read_back(sns)["tags"] == {"Team": "ops", "Extra": "1"}
    assert_ok(run(dict(changed, tags=None)), changed=False)


def test_confirmed_subscriptions_follow_the_list(run, args, sns):
    assert_ok(run(args), changed=True)
    other = dict(args, email_subscriptions=["dev@example.com"])
    result = run(other, diff=True)
    assert_ok(result, changed=True)
    assert result["diff"] == {
        "before": {"email_subscriptions": ["oncall@example.com"]},
        "after": {"email_subscriptions": ["dev@example.com"]},
    }
    assert read_back(sns)["emails"] == ["dev@example.com"]
    assert_ok(run(other), changed=False)
    assert_ok(run(dict(args, email_subscriptions=None)), changed=False)  # not given: left alone
    assert read_back(sns)["emails"] == ["dev@example.com"]
    assert_ok(run(dict(args, email_subscriptions=[])), changed=True)
    assert read_back(sns)["emails"] == []


def test_other_protocols_are_never_touched(run, args, sns, aws):
    assert_ok(run(args), changed=True)
    queue = aws("sqs").create_queue(QueueName="unit")["QueueUrl"]
    queue_arn = aws("sqs").get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=ARN, Protocol="sqs", Endpoint=queue_arn)
    result = run(dict(args, email_subscriptions=[]))
    assert_ok(result, changed=True)
    assert [s["protocol"] for s in result["subscriptions"]] == ["sqs"]
    assert [s["Protocol"] for s in sns.list_subscriptions_by_topic(TopicArn=ARN)["Subscriptions"]] == ["sqs"]


def test_absent_deletes_the_topic_and_then_has_nothing_to_do(run, args, sns):
    assert_ok(run(args), changed=True)
    result = run({"name": NAME, "state": "absent"}, check_mode=True, diff=True)
    assert_ok(result, changed=True)
    assert result["diff"]["after"] == {} and result["diff"]["before"]["topic_arn"] == ARN
    assert read_back(sns) is not None
    assert_ok(run({"name": NAME, "state": "absent"}), changed=True)
    assert read_back(sns) is None
    result = run({"name": NAME, "state": "absent"})
    assert_ok(result, changed=False)
    assert result["topic_arn"] == ARN and result["policy"] is None and result["subscriptions"] == []


def test_the_aws_managed_key_is_the_default_and_warns_that_alarms_cannot_publish(run, args, sns):
    result = run({"name": NAME})
    assert_ok(result, changed=True)
    assert read_back(sns)["key"] == "alias/aws/sns"
    assert any("kms_master_key_id" in w and "customer managed key" in w for w in result["warnings"])
    result = run(args)  # a customer managed key: no warning
    assert_ok(result, changed=True)
    assert not result.get("warnings")


@pytest.mark.parametrize(
    "bad, named",
    [
        ({"name": "alarms.fifo"}, "name must be"),
        ({"kms_master_key_id": ""}, "kms_master_key_id must be"),
        ({"kms_master_key_id": "my-key"}, "kms_master_key_id must be"),
        ({"email_subscriptions": ["not-an-address"]}, "email_subscriptions[0] is not an e-mail address"),
        ({"email_subscriptions": ["a@example.com", "A@example.com"]}, "email_subscriptions lists 'A@example.com'"),
        ({"tags": {"aws:x": "1"}}, "tags aws:x"),
    ],
)
def test_bad_input_fails_before_any_call(run, args, calls, bad, named):
    result = run(dict(args, **bad))
    assert result["failed"] and named in result["msg"], result
    assert calls == []


# --- AWS's answers moto does not give: botocore's Stubber ---------------------------------------------------


def _attributes(policy=None, key=KEY):
    return {"Attributes": {"TopicArn": ARN, "KmsMasterKeyId": key, "Policy": json.dumps(policy or topic_policy(ARN))}}


@pytest.fixture
def stubbed(monkeypatch):
    """The manager's sns and sts clients are stubbed: ``stubbed.sns`` takes the expected calls (in order)."""
    clients = {}
    stubbers = {}
    for service in ("sns", "sts"):
        client = boto3.client(service, region_name="us-east-1")
        stubbers[service] = Stubber(client)
        clients[service] = RetryingBotoClientWrapper(client, AWSRetry.jittered_backoff(retries=0))
    monkeypatch.setattr(TopicManager, "client", lambda self, service, retry_decorator=None: clients[service])

    class Stubs:
        sns = stubbers["sns"]

        @staticmethod
        def identity():
            stubbers["sts"].add_response(
                "get_caller_identity", {"Account": ACCOUNT, "Arn": f"arn:aws:iam::{ACCOUNT}:user/unit", "UserId": "U"}
            )

        @staticmethod
        def existing(subscriptions, tags=(), identity=True):
            """The answers to the lookup of an existing topic (with its key and policy as the task wants)."""
            if identity:
                Stubs.identity()
            stubbers["sns"].add_response("get_topic_attributes", _attributes(), {"TopicArn": ARN})
            stubbers["sns"].add_response("list_tags_for_resource", {"Tags": list(tags)}, {"ResourceArn": ARN})
            stubbers["sns"].add_response(
                "list_subscriptions_by_topic", {"Subscriptions": subscriptions}, {"TopicArn": ARN}
            )

    for stubber in stubbers.values():
        stubber.activate()
    yield Stubs
    for stubber in stubbers.values():
        stubber.assert_no_pending_responses()


def _subscription(email, arn):
    return {"SubscriptionArn": arn, "Owner": ACCOUNT, "Protocol": "email", "Endpoint": email, "TopicArn": ARN}


def test_a_pending_subscription_counts_as_present(run_module, stubbed, args):
    stubbed.existing([_subscription("oncall@example.com", "PendingConfirmation")])
    result = run_module(sns_topic, dict(args, tags=None))  # no Subscribe stubbed: a call would fail the run
    assert_ok(result, changed=False)
    assert result["subscriptions"] == [
        {"protocol": "email", "endpoint": "oncall@example.com", "subscription_arn": None, "pending_confirmation": True}
    ]


def test_a_pending_subscription_no_longer_listed_is_left_with_a_warning(run_module, stubbed, args):
    stubbed.existing([_subscription("old@example.com", "PendingConfirmation")])
    stubbed.sns.add_response(
        "subscribe",
        {"SubscriptionArn": f"{ARN}:1f2e"},
        {"TopicArn": ARN, "Protocol": "email", "Endpoint": "oncall@example.com", "ReturnSubscriptionArn": True},
    )
    stubbed.sns.add_response("get_topic_attributes", _attributes(), {"TopicArn": ARN})
    stubbed.sns.add_response(
        "list_tags_for_resource", {"Tags": [{"Key": "Stack", "Value": "unit"}]}, {"ResourceArn": ARN}
    )
    stubbed.sns.add_response(
        "list_subscriptions_by_topic",
        {
            "Subscriptions": [
                _subscription("old@example.com", "PendingConfirmation"),
                _subscription("oncall@example.com", "PendingConfirmation"),
            ]
        },
        {"TopicArn": ARN},
    )
    result = run_module(sns_topic, dict(args, tags=None), diff=True)  # no Unsubscribe stubbed
    assert_ok(result, changed=True)
    assert result["diff"] == {
        "before": {"email_subscriptions": ["old@example.com"]},
        "after": {"email_subscriptions": ["old@example.com", "oncall@example.com"]},
    }
    (warning,) = [w for w in result["warnings"] if "pending confirmation" in w]
    assert "old@example.com" in warning and "48 hours" in warning and warning.startswith("email_subscriptions")


def test_only_a_pending_leftover_is_no_change(run_module, stubbed, args):
    stubbed.existing([_subscription("old@example.com", "PendingConfirmation")])
    result = run_module(sns_topic, dict(args, email_subscriptions=[], tags=None), diff=True)
    assert_ok(result, changed=False)
    assert result["diff"] == {"before": {}, "after": {}}
    assert any("old@example.com" in w for w in result["warnings"])


def test_unsubscribe_refused_as_pending_is_a_warning_not_a_failure(run_module, stubbed, args):
    confirmed = f"{ARN}:9a8b"
    stubbed.existing([_subscription("old@example.com", confirmed)])
    stubbed.sns.add_client_error(
        "unsubscribe",
        service_error_code="InvalidParameter",
        service_message=(
            "Invalid parameter: SubscriptionArn Reason: Cannot unsubscribe a subscription that is pending confirmation"
        ),
        expected_params={"SubscriptionArn": confirmed},
    )
    result = run_module(sns_topic, dict(args, email_subscriptions=[], tags=None))
    assert_ok(result, changed=False)
    assert any("old@example.com" in w and "pending confirmation" in w for w in result["warnings"])
    assert result["subscriptions"][0]["pending_confirmation"] is True


def test_another_invalid_parameter_from_unsubscribe_fails(run_module, stubbed, args):
    confirmed = f"{ARN}:9a8b"
    stubbed.existing([_subscription("old@example.com", confirmed)])
    stubbed.sns.add_client_error(
        "unsubscribe", service_error_code="InvalidParameter", service_message="Invalid parameter: SubscriptionArn"
    )
    result = run_module(sns_topic, dict(args, email_subscriptions=[], tags=None))
    assert result["failed"] and "Failed to unsubscribe old@example.com" in result["msg"]


def test_a_topic_created_by_someone_else_in_between_is_converged(run_module, stubbed, args):
    stubbed.identity()
    stubbed.sns.add_client_error(
        "get_topic_attributes", service_error_code="NotFound", service_message="Topic does not exist"
    )
    stubbed.sns.add_client_error(
        "create_topic",
        service_error_code="InvalidParameter",
        service_message="Invalid parameter: Attributes Reason: Topic already exists with different attributes",
    )
    loose = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "SNS:Publish", "Resource": ARN}],
    }
    stubbed.sns.add_response("get_topic_attributes", _attributes(loose, key="alias/aws/sns"), {"TopicArn": ARN})
    stubbed.sns.add_response("list_tags_for_resource", {"Tags": []}, {"ResourceArn": ARN})
    stubbed.sns.add_response("list_subscriptions_by_topic", {"Subscriptions": []}, {"TopicArn": ARN})
    stubbed.sns.add_response(
        "set_topic_attributes", {}, {"TopicArn": ARN, "AttributeName": "KmsMasterKeyId", "AttributeValue": KEY}
    )
    stubbed.sns.add_response(
        "set_topic_attributes",
        {},
        {"TopicArn": ARN, "AttributeName": "Policy", "AttributeValue": json.dumps(topic_policy(ARN))},
    )
    stubbed.sns.add_response(
        "subscribe",
        {"SubscriptionArn": f"{ARN}:1f2e"},
        {"TopicArn": ARN, "Protocol": "email", "Endpoint": "oncall@example.com", "ReturnSubscriptionArn": True},
    )
    stubbed.existing([_subscription("oncall@example.com", "PendingConfirmation")], identity=False)
    result = run_module(sns_topic, dict(args, tags=None), diff=True)
    assert_ok(result, changed=True)
    assert set(result["diff"]["before"]) == {"kms_master_key_id", "policy", "email_subscriptions"}


def test_another_invalid_parameter_from_create_topic_fails_naming_the_topic(run_module, stubbed, args):
    stubbed.identity()
    stubbed.sns.add_client_error(
        "get_topic_attributes", service_error_code="NotFound", service_message="Topic does not exist"
    )
    stubbed.sns.add_client_error(
        "create_topic", service_error_code="InvalidParameter", service_message="Invalid parameter: KmsMasterKeyId"
    )
    result = run_module(sns_topic, args)
    assert result["failed"] and result["msg"].startswith(f"Failed to create topic {NAME}")
    assert result["changed"] is True and result["topic_arn"] == ARN
