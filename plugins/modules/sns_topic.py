#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: sns_topic
short_description: Manage an encrypted SNS topic for CloudWatch alarm notifications and its e-mail subscriptions
version_added: 0.5.0
description:
  - Creates, updates or deletes one standard SNS topic, identified by its O(name) in the account and region.
  - The topic is always encrypted at rest with a KMS key (O(kms_master_key_id)).
  - The module writes the topic policy (RV(policy)) and keeps it so; a policy changed by hand is put back. It lets
    CloudWatch (C(cloudwatch.amazonaws.com)) publish only for alarms of this account and region (conditions on
    C(aws:SourceAccount) and C(aws:SourceArn)), lets the account's own principals administer, subscribe to and
    publish to the topic (as far as their IAM policies allow), and denies publishing without TLS
    (C(aws:SecureTransport) false) to everyone.
  - E-mail subscriptions are added and removed to match O(email_subscriptions). A new one stays pending until
    its address owner follows the link in the confirmation e-mail SNS sends; a pending subscription counts as
    present, so the module does not subscribe the address again.
  - AWS cannot unsubscribe a subscription that is pending confirmation. When the task no longer lists an address
    whose subscription is pending, the module leaves it, warns, and reports no change for it; SNS deletes
    unconfirmed subscriptions 48 hours after they were made, a later run unsubscribes it once it is confirmed,
    and deleting the topic deletes it at once.
  - CreateTopic is idempotent by name (AWS returns the existing topic's ARN), so it takes no client token. The
    module looks the topic up before it creates it, with its key, policy and tags in the one call, and converges
    a topic that appeared in between instead of failing.
  - Every option is validated before the first call to AWS, so a bad input fails without touching anything.
author:
  - cloudops.fargate maintainers (!UNKNOWN)
options:
  state:
    description: Whether the topic should exist. With V(absent), the topic and all its subscriptions are deleted.
    type: str
    choices: [present, absent]
    default: present
  name:
    description:
      - The name of the topic, unique in the account and region; 1 to 256 ASCII letters, digits, C(_) and C(-).
      - FIFO topics (names ending in C(.fifo)) are not managed.
    type: str
    required: true
  kms_master_key_id:
    description:
      - The KMS key that encrypts the topic's messages at rest, as a key id, key ARN, alias name (C(alias/...)) or
        alias ARN. AWS stores it as given, so give it the same way on every run.
      - The default, V(alias/aws/sns), is the AWS managed key for SNS. Its key policy cannot be changed, and
        CloudWatch alarms cannot publish to a topic encrypted with it (AWS services that publish events need
        C(kms:GenerateDataKey*) and C(kms:Decrypt) on the key), so the module warns. For alarm notifications,
        give a customer managed key whose policy allows C(cloudwatch.amazonaws.com) both actions.
    type: str
    default: alias/aws/sns
  email_subscriptions:
    description:
      - The e-mail addresses subscribed to the topic (protocol C(email)). Addresses not listed are unsubscribed
        (except pending ones, which AWS cannot unsubscribe); C([]) unsubscribes all.
      - When not given, the subscriptions are left as they are. Subscriptions of other protocols are never
        touched.
      - Compared exactly as written; an address listed twice (in any case) is an error.
    type: list
    elements: str
  tags:
    description: Tags for the topic. Left alone when not given. At most 50.
    type: dict
    aliases: [resource_tags]
  purge_tags:
    description:
      - Remove tags not listed in O(tags). Tags whose key starts with C(aws:) are never removed.
      - Has no effect when O(tags) is not given.
    type: bool
    default: true
notes:
  - The module reads the account and partition with STS GetCallerIdentity to build the topic's ARN and policy.
  - Topic changes take effect at once; there is nothing to wait for.
extends_documentation_fragment:
  - cloudops.fargate.attributes
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Create the topic the web service's alarms notify
  cloudops.fargate.sns_topic:
    name: demo-local-alarms
    kms_master_key_id: alias/demo-local-alarms
    email_subscriptions:
      - oncall@example.com
    tags:
      Stack: demo
      Environment: local
      ManagedBy: cloudops.fargate
  register: alarm_topic

- name: Notify the topic when the service runs hot
  amazon.aws.cloudwatch_metric_alarm:
    name: demo-local-web-cpu
    namespace: AWS/ECS
    metric_name: CPUUtilization
    dimensions: {ClusterName: demo-local, ServiceName: web}
    statistic: Average
    comparison: GreaterThanOrEqualToThreshold
    threshold: 80
    period: 60
    evaluation_periods: 5
    alarm_actions: ["{{ alarm_topic.topic_arn }}"]

- name: Stop e-mailing anyone (pending subscriptions stay until they expire)
  cloudops.fargate.sns_topic:
    name: demo-local-alarms
    kms_master_key_id: alias/demo-local-alarms
    email_subscriptions: []

- name: Delete the topic and its subscriptions
  cloudops.fargate.sns_topic:
    name: demo-local-alarms
    state: absent
"""

RETURN = r"""
topic_arn:
  description: The ARN of the topic (also in check mode before its creation, and after O(state=absent)).
  returned: always
  type: str
  sample: arn:aws:sns:us-east-1:123456789012:demo-local-alarms
kms_master_key_id:
  description: The KMS key that encrypts the topic, as it was given; null when there is no topic.
  returned: always
  type: str
  sample: alias/demo-local-alarms
policy:
  description: The topic policy, parsed; null when there is no topic.
  returned: always
  type: dict
  sample:
    Version: "2012-10-17"
    Statement:
      - Sid: AllowAccountOwner
        Effect: Allow
        Principal: {AWS: "arn:aws:iam::123456789012:root"}
        Action: [SNS:GetTopicAttributes, SNS:SetTopicAttributes, SNS:AddPermission, SNS:RemovePermission,
                 SNS:DeleteTopic, SNS:Subscribe, SNS:ListSubscriptionsByTopic, SNS:Publish]
        Resource: arn:aws:sns:us-east-1:123456789012:demo-local-alarms
      - Sid: AllowCloudWatchAlarmsOfThisAccount
        Effect: Allow
        Principal: {Service: cloudwatch.amazonaws.com}
        Action: SNS:Publish
        Resource: arn:aws:sns:us-east-1:123456789012:demo-local-alarms
        Condition:
          StringEquals: {"aws:SourceAccount": "123456789012"}
          ArnLike: {"aws:SourceArn": "arn:aws:cloudwatch:us-east-1:123456789012:alarm:*"}
      - Sid: DenyPublishWithoutTLS
        Effect: Deny
        Principal: "*"
        Action: SNS:Publish
        Resource: arn:aws:sns:us-east-1:123456789012:demo-local-alarms
        Condition: {Bool: {"aws:SecureTransport": "false"}}
tags:
  description: The topic's tags; empty when there is no topic.
  returned: always
  type: dict
  sample: {"Stack": "demo", "Environment": "local"}
subscriptions:
  description:
    - Every subscription of the topic (all protocols), as it is or would be in check mode, sorted by protocol and
      endpoint; empty when there is no topic.
  returned: always
  type: list
  elements: dict
  contains:
    protocol:
      description: The protocol, C(email) for the ones the module manages.
      type: str
      sample: email
    endpoint:
      description: The e-mail address (or the endpoint of another protocol).
      type: str
      sample: oncall@example.com
    subscription_arn:
      description: The ARN of the subscription; null while it is pending confirmation.
      type: str
      sample: arn:aws:sns:us-east-1:123456789012:demo-local-alarms:0b3c2b5e-7a6d-4f0e-9c1b-2d3e4f5a6b7c
    pending_confirmation:
      description: Whether the address owner has yet to confirm the subscription.
      type: bool
      sample: true
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.cloudops.fargate.plugins.module_utils._common import AWSActionError
from ansible_collections.cloudops.fargate.plugins.module_utils._common import module_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._sns_topic import DEFAULT_KMS_KEY
from ansible_collections.cloudops.fargate.plugins.module_utils._sns_topic import TopicManager
from ansible_collections.cloudops.fargate.plugins.module_utils._sns_topic import validate_name
from ansible_collections.cloudops.fargate.plugins.module_utils._sns_topic import wanted_topic


def argument_spec():
    return dict(
        state=dict(type="str", choices=["present", "absent"], default="present"),
        name=dict(type="str", required=True),
        kms_master_key_id=dict(type="str", default=DEFAULT_KMS_KEY, no_log=False),
        email_subscriptions=dict(type="list", elements="str"),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )


def main():
    module = AnsibleAWSModule(argument_spec=argument_spec(), supports_check_mode=True)
    params = module.params
    with module_errors(module):
        present = params["state"] == "present"
        wanted = wanted_topic(params) if present else None
        if not present:
            validate_name(params["name"])
        manager = TopicManager(module)
        try:
            if wanted is not None:
                manager.ensure_present(wanted)
            else:
                manager.ensure_absent(params["name"])
        except AWSActionError as e:
            e.result.update(changed=manager.changed, **manager.topic)  # what was done before the failure
            raise
        module.exit_json(changed=manager.changed, diff=manager.diff(), **manager.topic)


if __name__ == "__main__":
    main()
