#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: datasync_execution_info
short_description: Where an AWS DataSync task execution stands
version_added: 0.4.0
description:
  - Reads one task execution (DescribeTaskExecution), its status, what it has copied and, when it failed, why.
  - Made to be polled by M(cloudops.fargate.wait_until) after M(cloudops.fargate.datasync_task) started the
    execution.
author:
  - cloudops.fargate maintainers (!UNKNOWN)
options:
  execution_arn:
    description: The execution's ARN.
    type: str
    required: true
notes:
  - "Permissions: C(datasync:DescribeTaskExecution)."
extends_documentation_fragment:
  - cloudops.fargate.attributes.INFO_MODULE
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Wait for the copy to EFS
  cloudops.fargate.wait_until:
    what: the copy of the release to EFS
    read:
      module: cloudops.fargate.datasync_execution_info
      args:
        execution_arn: "{{ copy.execution_arn }}"
    ready: result.execution.ended
    pending: "[result.execution.status ~ ' (' ~ result.execution.files_transferred ~ ' files)']"
    timeout: 1800
"""

RETURN = r"""
execution:
  description: The execution.
  returned: success
  type: dict
  contains:
    execution_arn:
      description: Its ARN.
      type: str
    status:
      description: C(QUEUED), C(LAUNCHING), C(PREPARING), C(TRANSFERRING), C(VERIFYING), C(SUCCESS), C(ERROR) or C(CANCELLED).
      type: str
    ended:
      description: Whether it has ended (C(SUCCESS), C(ERROR) or C(CANCELLED)).
      type: bool
    files_transferred:
      description: Files copied so far.
      type: int
    bytes_transferred:
      description: Bytes copied so far.
      type: int
    files_deleted:
      description: Destination files deleted (PreserveDeletedFiles REMOVE).
      type: int
    estimated_files_to_transfer:
      description: What DataSync found to copy.
      type: int
    error_code:
      description: Why it failed, when it did.
      type: str
    error_detail:
      description: DataSync's detail of the failure.
      type: str
    result:
      description: DataSync's Result, as it answers it.
      type: dict
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.cloudops.fargate.plugins.module_utils._common import BaseResourceManager
from ansible_collections.cloudops.fargate.plugins.module_utils._common import module_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._datasync import describe_execution


def main():
    module = AnsibleAWSModule(argument_spec=dict(execution_arn=dict(type="str", required=True)), supports_check_mode=True)
    with module_errors(module):
        execution = describe_execution(BaseResourceManager(module), module.params["execution_arn"])
    module.exit_json(changed=False, execution=execution)


if __name__ == "__main__":
    main()
