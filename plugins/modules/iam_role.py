#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: iam_role
short_description: Manage an IAM role with its trust policy, inline and managed policies and tags
version_added: 0.1.0
description:
  - Creates, updates or deletes one IAM role, identified by its O(name), with its trust policy, inline policies,
    attached managed policies, description, maximum session duration and tags. Nothing else. Unlike
    M(amazon.aws.iam_role), it never creates nor deletes an instance profile, and prints no deprecation warning.
  - Policy documents are compared as parsed JSON, so a change of whitespace or key order is no change. An option
    left unset leaves that setting as it is.
  - Check mode validates the arguments and predicts the outcome without calling any API that changes anything.
  - Every option is validated before the first call to AWS, so a bad input fails without touching anything.
  - CreateRole takes no idempotency token. The role is looked up before it is created, and when it appears in
    between (another run, or an earlier one that was interrupted, created it), the module reads it and converges
    it instead of failing.
author:
  - cloudops.fargate maintainers (!UNKNOWN)
options:
  state:
    description:
      - Whether the role should exist.
      - V(absent) detaches the managed policies, deletes the inline policies, takes the role out of every instance
        profile it is in (the instance profiles themselves stay) and deletes the role.
    type: str
    choices: [present, absent]
    default: present
  name:
    description: The name of the role, unique in the account. 1 to 64 letters, digits and C(_+=,.@-).
    type: str
    required: true
  path:
    description:
      - The path of the role, C(/) or a path that begins and ends with C(/), like C(/service-role/).
      - IAM cannot change the path of an existing role; a different path fails and names the role's.
    type: str
    default: /
  description:
    description:
      - The description of the role, at most 1000 characters. C("") removes it.
      - Left as it is when not given.
    type: str
  assume_role_policy_document:
    description:
      - The trust policy, which says who may assume the role, as a JSON string or a dict.
      - Required with O(state=present).
    type: raw
  inline_policies:
    description:
      - The inline policies of the role, a dict of policy name (1 to 128 letters, digits and C(_+=,.@-)) to policy
        document (a JSON string or a dict).
      - A policy whose document differs is replaced; with O(purge_inline_policies=true), inline policies not listed
        are deleted (after the listed ones are put, so the role is never without them).
      - Left as they are when not given.
    type: dict
  purge_inline_policies:
    description:
      - Delete the inline policies not listed in O(inline_policies).
      - Has no effect when O(inline_policies) is not given.
    type: bool
    default: true
  managed_policy_arns:
    description:
      - The ARNs of the managed policies attached to the role, for example
        C(arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy).
      - With O(purge_managed_policies=true), managed policies not listed are detached (after the listed ones are
        attached). The policies themselves are never deleted.
      - Left as they are when not given.
    type: list
    elements: str
  purge_managed_policies:
    description:
      - Detach the managed policies not listed in O(managed_policy_arns).
      - Has no effect when O(managed_policy_arns) is not given.
    type: bool
    default: true
  max_session_duration:
    description:
      - The longest session, in seconds, that assuming the role may ask for, from 3600 (1 hour) to 43200 (12 hours).
      - Left as it is when not given; a new role gets AWS's default of 3600.
    type: int
  tags:
    description: Tags for the role, at most 50. Left alone when not given.
    type: dict
    aliases: [resource_tags]
  purge_tags:
    description:
      - Remove tags not listed in O(tags). Tags whose key starts with C(aws:) are never removed.
      - Has no effect when O(tags) is not given.
    type: bool
    default: true
notes:
  - IAM is global; the region only chooses the endpoint.
  - The permissions boundary of the role is not managed, and left as it is.
  - IAM is eventually consistent. After creating a role the module waits (up to 60 seconds) until IAM reports it,
    but a service may need a few more seconds before it can assume a new role or use a new policy.
extends_documentation_fragment:
  - cloudops.fargate.attributes
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Create the task role of the Fargate service, with one inline policy
  cloudops.fargate.iam_role:
    name: demo-local-web-task
    description: Task role of the demo web service
    assume_role_policy_document:
      Version: "2012-10-17"
      Statement:
        - Effect: Allow
          Principal:
            Service: ecs-tasks.amazonaws.com
          Action: sts:AssumeRole
    inline_policies:
      read-config:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: ssm:GetParameter
            Resource: arn:aws:ssm:us-east-1:123456789012:parameter/demo/*
    tags:
      Stack: demo
      ManagedBy: cloudops.fargate
  register: task_role

- name: Create the execution role with AWS's managed policy, the trust policy read from a file
  cloudops.fargate.iam_role:
    name: demo-local-web-execution
    assume_role_policy_document: "{{ lookup('ansible.builtin.file', 'ecs-tasks-trust.json') }}"
    managed_policy_arns:
      - arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy

- name: Add an inline policy, keeping the others
  cloudops.fargate.iam_role:
    name: demo-local-web-task
    assume_role_policy_document: "{{ lookup('ansible.builtin.file', 'ecs-tasks-trust.json') }}"
    inline_policies:
      write-logs: "{{ lookup('ansible.builtin.file', 'write-logs.json') }}"
    purge_inline_policies: false

- name: Delete the role, its inline policies and attachments
  cloudops.fargate.iam_role:
    name: demo-local-web-task
    state: absent
"""

RETURN = r"""
iam_role:
  description: The role as it is, or would be in check mode; empty after O(state=absent).
  returned: always
  type: dict
  contains:
    role_name:
      description: The name of the role.
      type: str
      returned: when present
      sample: demo-local-web-task
    role_id:
      description: The unique ID of the role; C("") in check mode before creation.
      type: str
      returned: when present
      sample: AROA1234567890EXAMPLE
    arn:
      description: The ARN of the role; C("") in check mode before creation.
      type: str
      returned: when present
      sample: arn:aws:iam::123456789012:role/demo-local-web-task
    path:
      description: The path of the role.
      type: str
      returned: when present
      sample: /
    description:
      description: The description of the role; C("") when it has none.
      type: str
      returned: when present
      sample: Task role of the demo web service
    max_session_duration:
      description: The longest session assuming the role may ask for, in seconds.
      type: int
      returned: when present
      sample: 3600
    assume_role_policy_document:
      description: The trust policy, parsed.
      type: dict
      returned: when present
      sample: {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
               "Principal": {"Service": "ecs-tasks.amazonaws.com"}}]}
    inline_policies:
      description: The inline policies, by name, their documents parsed.
      type: dict
      returned: when present
      sample: {"read-config": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
               "Action": "ssm:GetParameter", "Resource": "*"}]}}
    managed_policy_arns:
      description: The ARNs of the attached managed policies, sorted.
      type: list
      elements: str
      returned: when present
      sample: ["arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"]
    tags:
      description: The tags of the role.
      type: dict
      returned: when present
      sample: {"Stack": "demo"}
    create_date:
      description: When the role was created (ISO 8601); null in check mode before creation.
      type: str
      returned: when present
      sample: "2025-01-01T12:00:00+00:00"
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.cloudops.fargate.plugins.module_utils._common import module_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._iam_role import DEFAULT_PATH
from ansible_collections.cloudops.fargate.plugins.module_utils._iam_role import IamRoleManager
from ansible_collections.cloudops.fargate.plugins.module_utils._iam_role import identity_of
from ansible_collections.cloudops.fargate.plugins.module_utils._iam_role import wanted_settings


def argument_spec():
    return dict(
        state=dict(type="str", choices=["present", "absent"], default="present"),
        name=dict(type="str", required=True),
        path=dict(type="str", default=DEFAULT_PATH),
        description=dict(type="str"),
        assume_role_policy_document=dict(type="raw"),
        inline_policies=dict(type="dict"),
        purge_inline_policies=dict(type="bool", default=True),
        managed_policy_arns=dict(type="list", elements="str"),
        purge_managed_policies=dict(type="bool", default=True),
        max_session_duration=dict(type="int"),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )


def main():
    module = AnsibleAWSModule(argument_spec=argument_spec(), supports_check_mode=True)
    present = module.params["state"] == "present"

    with module_errors(module):
        wanted = wanted_settings(module.params) if present else identity_of(module.params)
        manager = IamRoleManager(module)
        if present:
            manager.ensure_present(wanted)
        else:
            manager.ensure_absent(wanted)
        module.exit_json(changed=manager.changed, iam_role=manager.iam_role, diff=manager.diff())


if __name__ == "__main__":
    main()
