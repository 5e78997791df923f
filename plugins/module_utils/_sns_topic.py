# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Manager behind cloudops.fargate.sns_topic, and its pure helpers.

A standard SNS topic for CloudWatch alarm notifications: encrypted at rest with a KMS key, a topic policy the
module writes, tags, and e-mail subscriptions. What AWS does, and how the module answers it:

- CreateTopic is idempotent by name: "if the requester already owns a topic with the specified name, that
  topic's ARN is returned without creating a new topic" (API reference; botocore's sns model), so it takes no
  client token. It refuses a name that exists with other attributes or tags (InvalidParameter), so the module
  looks the topic up first (GetTopicAttributes on its ARN, ``arn:<partition>:sns:<region>:<account>:<name>``;
  ``NotFound`` when there is none) and creates it, with its key, policy and tags in the one call, only when it
  is missing. Should it appear in between, the module reads it and converges it like any existing topic.
- The topic policy (AWS re:Post knowledge center "cloudwatch-receive-sns-for-alarm-trigger": the statement for
  ``cloudwatch.amazonaws.com`` and ``aws:SourceArn`` to name the alarms; the SNS developer guide's access
  control examples and the IAM user guide's "cross-service confused deputy prevention" for
  ``aws:SourceAccount``): CloudWatch (``cloudwatch.amazonaws.com``) may publish only for alarms of this
  account and region (``aws:SourceAccount`` equal to the account, ``aws:SourceArn`` like
  ``arn:<partition>:cloudwatch:<region>:<account>:alarm:*``); the account itself (its root principal, which
  delegates to IAM) may administer, subscribe to and publish to the topic; publishing without TLS is denied to
  everyone (``aws:SecureTransport`` false; SNS's "Enforce encryption of data in transit"). Policies are
  compared as parsed JSON with statements, actions and condition values as sets.
- Encryption at rest (sns-server-side-encryption, sns-key-management): ``KmsMasterKeyId`` is a key id, key ARN,
  alias name or alias ARN, read back as it was set. ``alias/aws/sns`` (the AWS managed key) encrypts, but its
  key policy cannot be changed, and AWS services that publish events, CloudWatch alarms among them, need a
  customer managed key whose policy lets their principal use ``kms:GenerateDataKey*`` and ``kms:Decrypt``
  ("Enable compatibility between event sources from AWS services and encrypted topics"); the module warns.
- E-mail subscriptions stay pending until the address owner confirms; ListSubscriptionsByTopic lists a pending
  one with the SubscriptionArn ``PendingConfirmation`` (Subscribe answers ``pending confirmation`` unless
  ReturnSubscriptionArn is true). A pending subscription counts as present: Subscribe again only resends the
  confirmation. It cannot be unsubscribed: Unsubscribe answers InvalidParameter "Cannot unsubscribe a
  subscription that is pending confirmation" (what terraform-provider-aws internal/service/sns
  topic_subscription.go treats as deleted). SNS deletes unconfirmed subscriptions after 48 hours (What's New,
  2023-05-10), and deleting the topic deletes all its subscriptions. So a pending address the task no longer
  lists is left, with a warning, and is no change the module can make.
- DeleteTopic is idempotent ("deleting a topic that does not exist does not result in an error").
- Tags: TagResource / UntagResource / ListTagsForResource on the topic ARN, at most 50 per topic.

moto (5.2.5) is kinder in two ways that matter here: it confirms an e-mail subscription at once (a real ARN,
``PendingConfirmation`` false) and it unsubscribes anything. The unit tests use botocore's Stubber for AWS's
answers to pending subscriptions.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.cloudops.fargate.plugins.module_utils import _common
from ansible_collections.cloudops.fargate.plugins.module_utils._common import AWSActionError
from ansible_collections.cloudops.fargate.plugins.module_utils._common import BaseResourceManager
from ansible_collections.cloudops.fargate.plugins.module_utils._common import InputError
from ansible_collections.cloudops.fargate.plugins.module_utils._common import call
from ansible_collections.cloudops.fargate.plugins.module_utils._common import error_code
from ansible_collections.cloudops.fargate.plugins.module_utils._common import paginate
from ansible_collections.cloudops.fargate.plugins.module_utils._common import wanted_tags

# --- limits and constants -------------------------------------------------------------------------------------

# CreateTopic: "up to 256 characters. Topic names must be made up of only uppercase and lowercase ASCII letters,
# numbers, underscores, and hyphens" (a FIFO topic's name ends in .fifo, which this pattern refuses).
NAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
NAME_MAX_LENGTH = 256
DEFAULT_KMS_KEY = "alias/aws/sns"
# A key id (a UUID or a multi-Region mrk-...), a key ARN, an alias name or an alias ARN.
_KEY_ID = r"(?:mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
_ALIAS = r"alias/[A-Za-z0-9/_-]{1,250}"
KMS_KEY_PATTERN = re.compile(
    rf"^(?:{_KEY_ID}|{_ALIAS}|arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{{12}}:(?:key/{_KEY_ID}|{_ALIAS}))$"
)
AWS_MANAGED_KEY_PATTERN = re.compile(r"^(?:arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:)?alias/aws/sns$")
# Deliberately loose: SNS sends the confirmation, the address owner proves it. Catches typos and lists.
EMAIL_PATTERN = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$")
MAX_TAGS = 50

EMAIL = "email"
PENDING = "PendingConfirmation"
# Subscriptions that are no longer there but still listed for a while (cross-account unsubscribe).
DELETED = "Deleted"

_NOT_FOUND = "NotFound"
_INVALID_PARAMETER = "InvalidParameter"
_PENDING_MESSAGE = "pending confirmation"
_ALREADY_EXISTS_MESSAGE = "already exists"

POLICY_VERSION = "2012-10-17"
# What the account's own principals may do on the topic through this policy (AWS's default topic policy grants
# the owner the same actions).
OWNER_ACTIONS = (
    "SNS:GetTopicAttributes",
    "SNS:SetTopicAttributes",
    "SNS:AddPermission",
    "SNS:RemovePermission",
    "SNS:DeleteTopic",
    "SNS:Subscribe",
    "SNS:ListSubscriptionsByTopic",
    "SNS:Publish",
)
CLOUDWATCH_PRINCIPAL = "cloudwatch.amazonaws.com"


class TopicInputError(InputError):
    """The module's arguments cannot describe the topic; the message names every bad option."""


# --- validation -----------------------------------------------------------------------------------------------


def name_errors(name: Any) -> list[str]:
    if isinstance(name, str) and NAME_PATTERN.match(name):
        return []
    return [
        f"name must be 1 to {NAME_MAX_LENGTH} ASCII letters, digits, _ and - (a standard SNS topic's name; FIFO"
        f" topics are not managed), not {name!r}"
    ]


def kms_key_errors(key: Any) -> list[str]:
    if isinstance(key, str) and KMS_KEY_PATTERN.match(key):
        return []
    return [
        "kms_master_key_id must be a KMS key id, key ARN, alias name (alias/...) or alias ARN; the topic is always"
        f" encrypted, so it cannot be empty; not {key!r}"
    ]


def email_errors(emails: Any) -> list[str]:
    if emails is None:
        return []
    errors = []
    seen: dict[str, str] = {}
    for index, email in enumerate(emails):
        if not isinstance(email, str) or not EMAIL_PATTERN.match(email):
            errors.append(f"email_subscriptions[{index}] is not an e-mail address: {email!r}")
            continue
        folded = email.lower()
        if folded in seen:
            errors.append(f"email_subscriptions lists {email!r} more than once (as {seen[folded]!r} before)")
        seen.setdefault(folded, email)
    return errors


def tag_errors(tags: dict[str, Any] | None) -> list[str]:
    return _common.tag_errors(tags, lengths=True, max_tags=MAX_TAGS)


def validate_name(name: Any) -> None:
    errors = name_errors(name)
    if errors:
        raise TopicInputError.of(errors)


def wanted_topic(params: dict[str, Any]) -> dict[str, Any]:
    """The topic the task asks for; raises TopicInputError naming every bad option.

    ``email_subscriptions`` None leaves the subscriptions alone; ``tags`` None leaves the tags alone.
    """
    errors = (
        name_errors(params["name"])
        + kms_key_errors(params.get("kms_master_key_id"))
        + email_errors(params.get("email_subscriptions"))
        + tag_errors(params.get("tags"))
    )
    if errors:
        raise TopicInputError.of(errors)
    emails = params.get("email_subscriptions")
    return {
        "name": params["name"],
        "kms_master_key_id": params["kms_master_key_id"],
        "email_subscriptions": None if emails is None else sorted(emails),
        "tags": wanted_tags(params.get("tags")),
        "purge_tags": bool(params.get("purge_tags", True)),
    }


def is_aws_managed_key(key: str) -> bool:
    return bool(AWS_MANAGED_KEY_PATTERN.match(key))


# --- the topic and its policy ---------------------------------------------------------------------------------


def topic_arn(partition: str, region: str, account: str, name: str) -> str:
    return f"arn:{partition}:sns:{region}:{account}:{name}"


def topic_policy(arn: str) -> dict[str, Any]:
    """The policy the module gives the topic: CloudWatch alarms of this account and region publish, the account
    administers, and nobody publishes without TLS."""
    _arn, partition, _service, region, account, _name = arn.split(":", 5)
    return {
        "Version": POLICY_VERSION,
        "Statement": [
            {
                "Sid": "AllowAccountOwner",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:{partition}:iam::{account}:root"},
                "Action": list(OWNER_ACTIONS),
                "Resource": arn,
            },
            {
                "Sid": "AllowCloudWatchAlarmsOfThisAccount",
                "Effect": "Allow",
                "Principal": {"Service": CLOUDWATCH_PRINCIPAL},
                "Action": "SNS:Publish",
                "Resource": arn,
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": account},
                    "ArnLike": {"aws:SourceArn": f"arn:{partition}:cloudwatch:{region}:{account}:alarm:*"},
                },
            },
            {
                "Sid": "DenyPublishWithoutTLS",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "SNS:Publish",
                "Resource": arn,
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
        ],
    }


def _as_set(value: Any) -> list[Any]:
    """A policy value that may be one item or a list, as a sorted list: ``"a"`` and ``["a"]`` are the same."""
    items = value if isinstance(value, list) else [value]
    return sorted(items, key=lambda item: json.dumps(item, sort_keys=True))


def _normalized_statement(statement: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in statement.items():
        if key in ("Action", "NotAction", "Resource", "NotResource"):
            result[key] = _as_set(value)
        elif key in ("Principal", "NotPrincipal") and isinstance(value, dict):
            result[key] = {kind: _as_set(ids) for kind, ids in value.items()}
        elif key == "Condition" and isinstance(value, dict):
            result[key] = {
                operator: {name.lower(): _as_set(v) for name, v in values.items()} for operator, values in value.items()
            }
        else:
            result[key] = value
    return result


def normalized_policy(policy: Any) -> Any:
    """A policy (dict or JSON text) in a form where equal policies compare equal: statements as a set, one-item
    lists as the item, condition keys in lower case (IAM reads them without case). Text that does not parse
    is returned as is, and differs from any policy."""
    if isinstance(policy, str):
        try:
            policy = json.loads(policy)
        except ValueError:
            return policy
    if not isinstance(policy, dict):
        return policy
    statements = policy.get("Statement", [])
    statements = statements if isinstance(statements, list) else [statements]
    normalized = dict(policy, Statement=_as_set([_normalized_statement(s) for s in statements]))
    return normalized


def policies_equal(current: Any, wanted: dict[str, Any]) -> bool:
    return normalized_policy(current) == normalized_policy(wanted)


def parsed_policy(text: str | None) -> Any:
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


# --- subscriptions --------------------------------------------------------------------------------------------


def subscription_of(entry: dict[str, Any]) -> dict[str, Any]:
    """A ListSubscriptionsByTopic entry in the module's return shape."""
    arn = entry.get("SubscriptionArn")
    pending = arn == PENDING
    return {
        "protocol": entry.get("Protocol"),
        "endpoint": entry.get("Endpoint"),
        "subscription_arn": None if pending or arn == DELETED else arn,
        "pending_confirmation": pending,
    }


def _sort_key(subscription: dict[str, Any]) -> tuple[str, str]:
    return (subscription["protocol"] or "", subscription["endpoint"] or "")


def email_plan(
    current: list[dict[str, Any]], wanted: list[str] | None
) -> tuple[list[str], list[dict[str, Any]], list[dict[str, Any]]]:
    """What to subscribe, what to unsubscribe (confirmed ones), and what the task no longer lists but cannot be
    unsubscribed (pending). Only e-mail subscriptions count; ``wanted`` None changes nothing."""
    if wanted is None:
        return [], [], []
    emails = [s for s in current if s["protocol"] == EMAIL and not _is_deleted(s)]
    present = {s["endpoint"] for s in emails}
    to_add = [email for email in wanted if email not in present]
    extra = [s for s in emails if s["endpoint"] not in wanted]
    to_remove = sorted((s for s in extra if not s["pending_confirmation"]), key=_sort_key)
    stuck = sorted((s for s in extra if s["pending_confirmation"]), key=_sort_key)
    return to_add, to_remove, stuck


def _is_deleted(subscription: dict[str, Any]) -> bool:
    return subscription["subscription_arn"] is None and not subscription["pending_confirmation"]


def email_endpoints(subscriptions: list[dict[str, Any]]) -> list[str]:
    return sorted(s["endpoint"] for s in subscriptions if s["protocol"] == EMAIL and not _is_deleted(s))


def pending_message(name: str, stuck: list[dict[str, Any]]) -> str:
    addresses = ", ".join(s["endpoint"] for s in stuck)
    return (
        f"email_subscriptions: the subscription of {addresses} to topic {name} is pending confirmation, and AWS"
        " cannot unsubscribe a subscription that is pending confirmation. It stays until it is confirmed (then a"
        " later run unsubscribes it), until SNS deletes it 48 hours after it was made, or until the topic is deleted."
    )


def managed_key_message(name: str, key: str) -> str:
    return (
        f"kms_master_key_id: topic {name} is encrypted with the AWS managed key {key}, whose key policy cannot"
        " let CloudWatch use it, so alarm notifications to the topic fail. Give a customer managed key whose"
        f" policy allows {CLOUDWATCH_PRINCIPAL} kms:GenerateDataKey* and kms:Decrypt."
    )


def diff_view(topic: dict[str, Any]) -> dict[str, Any]:
    if not topic:
        return {}
    return {
        "topic_arn": topic["topic_arn"],
        "kms_master_key_id": topic["kms_master_key_id"],
        "policy": topic["policy"],
        "tags": topic["tags"],
        "email_subscriptions": email_endpoints(topic["subscriptions"]),
    }


def absent(arn: str | None) -> dict[str, Any]:
    """The result when there is no topic."""
    return {"topic_arn": arn, "kms_master_key_id": None, "policy": None, "tags": {}, "subscriptions": []}


def _unless(error: Exception, expected: str, what: str) -> bool:
    """False for the InvalidParameter whose message says ``expected`` (an answer the caller handles); any other
    raises AWSActionError("Failed to <what>")."""
    message = str((getattr(error, "response", None) or {}).get("Error", {}).get("Message", ""))
    if error_code(error) == _INVALID_PARAMETER and expected in message.lower():
        return False
    raise AWSActionError(f"Failed to {what}", exception=error) from error


# --- manager --------------------------------------------------------------------------------------------------


class TopicManager(BaseResourceManager):
    """Creates, converges and deletes one topic; ``topic`` holds the result."""

    def __init__(self, module) -> None:
        super().__init__(module)
        self.sns = self.client("sns")
        self.sts = self.client("sts")
        self.region = module.region
        self.topic: dict[str, Any] = {}

    # --- reading ---

    def arn_of(self, name: str) -> str:
        identity = call(self.sts.get_caller_identity, "find the account of the credentials")
        partition = identity["Arn"].split(":")[1]
        return topic_arn(partition, self.region, identity["Account"], name)

    def attributes(self, arn: str) -> dict[str, str] | None:
        response = call(self.sns.get_topic_attributes, f"read topic {arn}", answers={_NOT_FOUND: None}, TopicArn=arn)
        return None if response is None else response.get("Attributes", {})

    def tags(self, arn: str) -> dict[str, str]:
        response = call(self.sns.list_tags_for_resource, f"list the tags of topic {arn}", ResourceArn=arn)
        return boto3_tag_list_to_ansible_dict(response.get("Tags", []))

    def subscriptions(self, arn: str) -> list[dict[str, Any]]:
        found = paginate(
            self.sns.list_subscriptions_by_topic,
            f"list the subscriptions of topic {arn}",
            "Subscriptions",
            TopicArn=arn,
        )
        return sorted((subscription_of(entry) for entry in found), key=_sort_key)

    def read(self, arn: str) -> dict[str, Any] | None:
        attributes = self.attributes(arn)
        if attributes is None:
            return None
        return {
            "topic_arn": arn,
            "kms_master_key_id": attributes.get("KmsMasterKeyId") or None,
            "policy": parsed_policy(attributes.get("Policy")),
            "tags": self.tags(arn),
            "subscriptions": self.subscriptions(arn),
        }

    # --- present ---

    def ensure_present(self, wanted: dict[str, Any]) -> None:
        arn = self.arn_of(wanted["name"])
        self.topic = absent(arn)
        if is_aws_managed_key(wanted["kms_master_key_id"]):
            self.module.warn(managed_key_message(wanted["name"], wanted["kms_master_key_id"]))
        current = self.read(arn)
        if current is None:
            current = self._create(wanted, arn)
            if current is None:  # created (or predicted); subscriptions next
                self._subscribe_new(wanted)
                return
        self._converge(wanted, current)

    def _create(self, wanted: dict[str, Any], arn: str) -> dict[str, Any] | None:
        """Create the topic with its key, policy and tags; None once created (or predicted in check mode), the
        topic as it is when it appeared since the lookup."""
        policy = topic_policy(arn)
        self.changed = True
        self.topic = {
            "topic_arn": arn,
            "kms_master_key_id": wanted["kms_master_key_id"],
            "policy": policy,
            "tags": dict(wanted["tags"] or {}),
            "subscriptions": [],
        }
        if self.check_mode:
            return None
        request: dict[str, Any] = {
            "Name": wanted["name"],
            "Attributes": {"KmsMasterKeyId": wanted["kms_master_key_id"], "Policy": json.dumps(policy)},
        }
        if wanted["tags"]:
            request["Tags"] = ansible_dict_to_boto3_tag_list(wanted["tags"])
        created = call(
            self.sns.create_topic,
            f"create topic {wanted['name']}",
            answers={
                _INVALID_PARAMETER: lambda e: _unless(e, _ALREADY_EXISTS_MESSAGE, f"create topic {wanted['name']}")
            },
            **request,
        )
        if created is False:  # someone else made it since the lookup, with other settings: converge it
            self.changed = False
            found = self.read(arn)
            if found is None:
                raise AWSActionError(f"Topic {wanted['name']} keeps being created and deleted by someone else")
            return found
        self.topic["topic_arn"] = created.get("TopicArn", arn)
        return None

    def _subscribe_new(self, wanted: dict[str, Any]) -> None:
        """The subscriptions of a topic just created (or predicted): each e-mail address, pending."""
        for email in wanted["email_subscriptions"] or []:
            self._subscribe(email)
        self.set_diff(before={}, after=diff_view(self.topic))
        if not self.check_mode:
            self.topic["subscriptions"] = self.subscriptions(self.topic["topic_arn"])

    def _converge(self, wanted: dict[str, Any], current: dict[str, Any]) -> None:
        arn = current["topic_arn"]
        self.topic = dict(current)
        key = wanted["kms_master_key_id"]
        if self.act(
            "kms_master_key_id",
            current["kms_master_key_id"],
            key,
            self.sns.set_topic_attributes,
            f"set the KMS key of topic {arn}",
            TopicArn=arn,
            AttributeName="KmsMasterKeyId",
            AttributeValue=key,
        ):
            self.topic["kms_master_key_id"] = key
        policy = topic_policy(arn)
        if not policies_equal(current["policy"], policy):
            self.act(
                "policy",
                current["policy"],
                policy,
                self.sns.set_topic_attributes,
                f"set the policy of topic {arn}",
                TopicArn=arn,
                AttributeName="Policy",
                AttributeValue=json.dumps(policy),
            )
            self.topic["policy"] = policy
        self._update_tags(arn, current["tags"], wanted)
        self._update_subscriptions(wanted, current)
        if self.changed and not self.check_mode:
            self.topic = self.read(arn) or self.topic

    def _update_tags(self, arn: str, current: dict[str, str], wanted: dict[str, Any]) -> None:
        def apply(to_set: dict[str, str], to_unset: list[str]) -> None:
            what = f"update the tags of topic {arn}"
            if to_unset:
                call(self.sns.untag_resource, what, ResourceArn=arn, TagKeys=to_unset)
            if to_set:
                call(self.sns.tag_resource, what, ResourceArn=arn, Tags=ansible_dict_to_boto3_tag_list(to_set))

        after = self.update_tags(current, wanted["tags"], wanted["purge_tags"], apply)
        if after is not None:
            self.topic["tags"] = after

    def _update_subscriptions(self, wanted: dict[str, Any], current: dict[str, Any]) -> None:
        to_add, to_remove, stuck = email_plan(current["subscriptions"], wanted["email_subscriptions"])
        if not (to_add or to_remove or stuck):
            return
        before = email_endpoints(current["subscriptions"])
        for subscription in to_remove:
            self._unsubscribe(subscription, stuck)
        for email in to_add:
            self._subscribe(email)
        if stuck:
            self.module.warn(pending_message(wanted["name"], stuck))
        after = email_endpoints(self.topic["subscriptions"])
        if self.differences.add("email_subscriptions", before, after):
            self.changed = True

    def _subscribe(self, email: str) -> None:
        subscription = {"protocol": EMAIL, "endpoint": email, "subscription_arn": None, "pending_confirmation": True}
        self.topic["subscriptions"] = sorted([*self.topic["subscriptions"], subscription], key=_sort_key)
        self.changed = True
        if self.check_mode:
            return
        call(
            self.sns.subscribe,
            f"subscribe {email} to topic {self.topic['topic_arn']}",
            TopicArn=self.topic["topic_arn"],
            Protocol=EMAIL,
            Endpoint=email,
            ReturnSubscriptionArn=True,
        )

    def _unsubscribe(self, subscription: dict[str, Any], stuck: list[dict[str, Any]]) -> None:
        """Unsubscribe a confirmed subscription. One that went back to pending since the listing (SNS does that
        to a subscription it deactivated) cannot be: it joins ``stuck``."""
        if not self.check_mode:
            what = f"unsubscribe {subscription['endpoint']} from topic {self.topic['topic_arn']}"
            done = call(
                self.sns.unsubscribe,
                what,
                # gone since the listing (NotFound) is unsubscribed all the same
                answers={_INVALID_PARAMETER: lambda e: _unless(e, _PENDING_MESSAGE, what), _NOT_FOUND: None},
                SubscriptionArn=subscription["subscription_arn"],
            )
            if done is False:
                pending = dict(subscription, subscription_arn=None, pending_confirmation=True)
                stuck.append(pending)
                self.topic["subscriptions"] = [pending if s == subscription else s for s in self.topic["subscriptions"]]
                return
        self.topic["subscriptions"] = [s for s in self.topic["subscriptions"] if s != subscription]
        self.changed = True

    # --- absent ---

    def ensure_absent(self, name: str) -> None:
        arn = self.arn_of(name)
        self.topic = absent(arn)
        current = self.read(arn)
        if current is None:
            return
        self.changed = True
        self.set_diff(before=diff_view(current), after={})
        if self.check_mode:
            return
        try:
            # deletes the subscriptions too, pending ones included; a topic already gone is no error
            call(self.sns.delete_topic, f"delete topic {arn}", TopicArn=arn)
        except AWSActionError:
            self.topic = current  # still there: the failure reports it
            raise
