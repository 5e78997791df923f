#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: log_group
short_description: Manage a CloudWatch Logs log group, its retention, KMS key and tags
version_added: 0.1.0
description:
  - Creates, updates or deletes one CloudWatch Logs log group, identified by its O(name).
  - The retention (O(retention_days), O(purge_retention)), the KMS key (O(kms_key_id)) and the tags change in
    place. An option left unset leaves that setting as it is.
  - Check mode validates the arguments and predicts the outcome without calling any API that changes anything
    (unlike M(amazon.aws.cloudwatchlogs_log_group), which sets the retention even in check mode).
  - Every option is validated before the first call to AWS, so a bad input fails without touching anything.
  - CreateLogGroup takes no idempotency token. The log group is looked up before it is created, and when it
    appears in between (another run, or an earlier one that was interrupted, created it), the module reads it
    and converges it instead of failing.
author:
  - cloudops.fargate maintainers (!UNKNOWN)
options:
  state:
    description: Whether the log group should exist.
    type: str
    choices: [present, absent]
    default: present
  name:
    description:
      - The name of the log group, unique in the account and region. 1 to 512 letters, digits and C(.), C(-),
        C(_), C(/), C(#).
    type: str
    required: true
  retention_days:
    description:
      - How many days CloudWatch Logs keeps the log events. One of C(1), C(3), C(5), C(7), C(14), C(30), C(60),
        C(90), C(120), C(150), C(180), C(365), C(400), C(545), C(731), C(1096), C(1827), C(2192), C(2557),
        C(2922), C(3288) or C(3653).
      - When not given, the retention is left as it is, unless O(purge_retention=true).
      - A new log group keeps its events forever until a retention is set.
    type: int
  purge_retention:
    description:
      - With O(retention_days) not given, remove the log group's retention policy, so that its log events never
        expire.
      - Setting it together with O(retention_days) is an error.
    type: bool
    default: false
  kms_key_id:
    description:
      - The ARN of the symmetric KMS key that encrypts the log events at rest, for example
        C(arn:aws:kms:us-east-1:123456789012:key/0d1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6). CloudWatch Logs takes
        neither a key ID nor an alias. The key policy must let the C(logs.<region>.amazonaws.com) service principal
        use the key.
      - When not given, the key is left as it is. C("") removes the key (DisassociateKmsKey); events already
        stored stay encrypted with it, so keep the key until they expire.
    type: str
  tags:
    description: Tags for the log group. Left alone when not given.
    type: dict
    aliases: [resource_tags]
  purge_tags:
    description:
      - Remove tags not listed in O(tags). Tags whose key starts with C(aws:) are never removed.
      - Has no effect when O(tags) is not given.
    type: bool
    default: true
notes:
  - Log group changes take effect at once; there is nothing to wait for.
  - Tags are read and changed with ListTagsForResource, TagResource and UntagResource on the log group's ARN
    without the trailing C(:*) (RV(log_group.log_group_arn)); the older TagLogGroup family is deprecated.
  - When an account-level retention policy applies to the log group, AWS reports that policy's retention and
    ignores the log group's own; the module then leaves the retention alone and warns.
  - The log group class and deletion protection are not managed; a log group with deletion protection fails to
    delete with AWS's error.
extends_documentation_fragment:
  - cloudops.fargate.attributes
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Create the log group of the Fargate service, kept for 30 days
  cloudops.fargate.log_group:
    name: /ecs/demo-local-web
    retention_days: 30
    tags:
      Stack: demo
      Environment: local
      ManagedBy: cloudops.fargate
  register: web_log_group

- name: Encrypt the log group with a KMS key
  cloudops.fargate.log_group:
    name: /ecs/demo-local-web
    kms_key_id: arn:aws:kms:us-east-1:123456789012:key/0d1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6

- name: Keep the log events forever and stop encrypting new ones with the KMS key
  cloudops.fargate.log_group:
    name: /ecs/demo-local-web
    purge_retention: true
    kms_key_id: ""

- name: Add a tag, keeping the others
  cloudops.fargate.log_group:
    name: /ecs/demo-local-web
    tags:
      CostCenter: "1234"
    purge_tags: false

- name: Delete the log group and its log events
  cloudops.fargate.log_group:
    name: /ecs/demo-local-web
    state: absent
"""

RETURN = r"""
log_group:
  description: The log group as it is, or would be in check mode; empty after O(state=absent).
  returned: always
  type: dict
  contains:
    log_group_name:
      description: The name of the log group.
      type: str
      returned: when present
      sample: /ecs/demo-local-web
    arn:
      description:
        - The ARN of the log group with a trailing C(:*), the form IAM policies name for most log actions.
        - Null in check mode before creation.
      type: str
      returned: when present
      sample: "arn:aws:logs:us-east-1:123456789012:log-group:/ecs/demo-local-web:*"
    log_group_arn:
      description:
        - The ARN of the log group without the trailing C(:*), the form the tagging APIs take.
        - Null in check mode before creation.
      type: str
      returned: when present
      sample: arn:aws:logs:us-east-1:123456789012:log-group:/ecs/demo-local-web
    retention_in_days:
      description: How many days the log events are kept; null when they never expire.
      type: int
      returned: when present
      sample: 30
    kms_key_id:
      description: The ARN of the KMS key that encrypts the log events; null when there is none.
      type: str
      returned: when present
      sample: arn:aws:kms:us-east-1:123456789012:key/0d1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6
    creation_time:
      description: When the log group was created, in milliseconds since 1970-01-01 UTC; null in check mode before
        creation.
      type: int
      returned: when present
      sample: 1732480000000
    stored_bytes:
      description: How many bytes of log events the log group stores (0 in check mode before creation).
      type: int
      returned: when present
      sample: 0
    tags:
      description: The log group's tags.
      type: dict
      returned: when present
      sample: {"Stack": "demo", "Environment": "local"}
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.cloudops.fargate.plugins.module_utils._common import AWSActionError
from ansible_collections.cloudops.fargate.plugins.module_utils._common import module_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._log_group import LogGroupManager
from ansible_collections.cloudops.fargate.plugins.module_utils._log_group import validate_name
from ansible_collections.cloudops.fargate.plugins.module_utils._log_group import wanted_settings


def argument_spec():
    return dict(
        state=dict(type="str", choices=["present", "absent"], default="present"),
        name=dict(type="str", required=True),
        retention_days=dict(type="int"),
        purge_retention=dict(type="bool", default=False),
        kms_key_id=dict(type="str", no_log=False),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )


def main():
    module = AnsibleAWSModule(argument_spec=argument_spec(), supports_check_mode=True)
    params = module.params
    with module_errors(module):
        wanted = wanted_settings(params) if params["state"] == "present" else None
        if wanted is None:
            validate_name(params["name"])
        manager = LogGroupManager(module)
        try:
            if wanted is not None:
                manager.ensure_present(wanted)
            else:
                manager.ensure_absent(params["name"])
        except AWSActionError as e:
            e.result.update(changed=manager.changed, log_group=manager.log_group)  # what was done before the failure
            raise
        module.exit_json(changed=manager.changed, log_group=manager.log_group, diff=manager.diff())


if __name__ == "__main__":
    main()
