#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: account_info
short_description: The account, ARN and partition of the credentials, in one call
version_added: 0.5.0
description:
  - One C(sts:GetCallerIdentity) call gives the account the credentials belong to, their ARN, and the partition
    (C(aws), C(aws-cn), C(aws-us-gov)) every ARN a role builds must be in.
  - Unlike M(amazon.aws.aws_caller_info) it reads no account alias (C(iam:ListAccountAliases)), which nothing here
    needs; the playbooks read the account once per run and give it to every layer as C(cloudops_account).
  - GetCallerIdentity needs no permission; a policy cannot deny it.
author:
  - cloudops.fargate maintainers (!UNKNOWN)
options: {}
extends_documentation_fragment:
  - cloudops.fargate.attributes.INFO_MODULE
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Find the account the credentials belong to
  cloudops.fargate.account_info:
  register: account

- name: Name a role in the same partition
  ansible.builtin.debug:
    msg: "arn:{{ account.partition }}:iam::{{ account.account }}:role/example"
"""

RETURN = r"""
account:
  description: The account id.
  returned: success
  type: str
  sample: "123456789012"
arn:
  description: The ARN of the credentials' principal.
  returned: success
  type: str
  sample: arn:aws:sts::123456789012:assumed-role/deployer/session
user_id:
  description: The principal's unique id.
  returned: success
  type: str
partition:
  description: The partition of RV(arn).
  returned: success
  type: str
  sample: aws
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.cloudops.fargate.plugins.module_utils._common import BaseResourceManager
from ansible_collections.cloudops.fargate.plugins.module_utils._common import call
from ansible_collections.cloudops.fargate.plugins.module_utils._common import module_errors


def main():
    module = AnsibleAWSModule(argument_spec={}, supports_check_mode=True)
    with module_errors(module):
        sts = BaseResourceManager(module).client("sts")
        identity = call(sts.get_caller_identity, "find the account of the credentials")
    module.exit_json(
        changed=False,
        account=identity["Account"],
        arn=identity["Arn"],
        user_id=identity["UserId"],
        partition=identity["Arn"].split(":")[1],
    )


if __name__ == "__main__":
    main()
