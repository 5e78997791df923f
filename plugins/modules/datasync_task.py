#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: datasync_task
short_description: An AWS DataSync task from an S3 prefix to Amazon EFS, and starting it
version_added: 0.4.0
description:
  - Creates or updates the DataSync task O(name) that copies O(source_s3) (a bucket and a prefix, read with an IAM
    role) to O(destination_efs) (a file system, through an access point with TLS in transit, from a subnet of the
    file system's VPC), or deletes it and its locations with O(state=absent).
  - DataSync locations cannot be changed. When the bucket, a subdirectory, the file system, the access point, the
    subnet, the security groups or a role differ from what is asked, new locations and a new task are created and
    the old ones deleted afterwards. O(options) are updated in place.
  - With O(start), an execution is started after the task is converged, unless one is running (DataSync runs one at
    a time); RV(execution_arn) is returned at once, to be awaited with M(cloudops.fargate.datasync_execution_info)
    (through M(cloudops.fargate.wait_until), which prints progress).
  - Creating a location checks its IAM roles; a role that IAM has not propagated yet is retried for O(role_timeout)
    seconds.
  - This lets a controller with no network path into the VPC (AWX, CI) publish files to EFS through AWS.
author:
  - cloudops.fargate maintainers (!UNKNOWN)
options:
  name:
    description: The task's name, unique in the account and region; also the C(Name) tag of the task and its locations.
    type: str
    required: true
  state:
    description: Whether the task should exist.
    type: str
    choices: [present, absent]
    default: present
  source_s3:
    description: Where the files come from. Required with O(state=present).
    type: dict
    suboptions:
      bucket_arn:
        description: The bucket's ARN.
        type: str
        required: true
      subdirectory:
        description: The prefix in the bucket.
        type: str
        default: /
      bucket_access_role_arn:
        description: The IAM role DataSync reads the bucket with (trusted by C(datasync.amazonaws.com)).
        type: str
        required: true
  destination_efs:
    description: Where the files go. Required with O(state=present).
    type: dict
    suboptions:
      file_system_arn:
        description: The file system's ARN.
        type: str
        required: true
      subdirectory:
        description: The directory under the access point's root (or the file system's root).
        type: str
        default: /
      subnet_arn:
        description: A subnet in a zone where the file system has a mount target; DataSync mounts from there.
        type: str
        required: true
      security_group_arns:
        description: One to five security groups that the mount targets admit NFS (TCP 2049) from.
        type: list
        elements: str
        required: true
      access_point_arn:
        description: The access point DataSync mounts the file system through.
        type: str
      file_system_access_role_arn:
        description: The IAM role DataSync mounts with, when the file system policy requires IAM authorization.
        type: str
      in_transit_encryption:
        description: TLS for NFS; C(TLS1_2) is required with an access point or a role.
        type: str
        choices: [TLS1_2, NONE]
        default: TLS1_2
  options:
    description:
      - "DataSync task options, as the API names them, e.g. C({TransferMode: CHANGED, PreserveDeletedFiles: REMOVE,
        VerifyMode: ONLY_FILES_TRANSFERRED, Uid: NONE, Gid: NONE, PosixPermissions: PRESERVE})."
    type: dict
    default: {}
  tags:
    description: Tags of the task and its locations.
    type: dict
    default: {}
  start:
    description: Start an execution once the task is converged (or answer the one running).
    type: bool
    default: false
  includes:
    description: With O(start), copy only these paths (DataSync SIMPLE_PATTERN filters, e.g. C(/3f1c2a9d0b7e6f54)).
    type: list
    elements: str
    default: []
  role_timeout:
    description: Seconds to retry a location whose IAM role is not assumable yet.
    type: int
    default: 120
notes:
  - "Permissions: C(datasync:ListTasks), C(datasync:DescribeTask), C(datasync:DescribeLocationS3),
    C(datasync:DescribeLocationEfs), C(datasync:CreateLocationS3), C(datasync:CreateLocationEfs),
    C(datasync:CreateTask), C(datasync:UpdateTask), C(datasync:DeleteTask), C(datasync:DeleteLocation),
    C(datasync:StartTaskExecution), C(datasync:DescribeTaskExecution), C(datasync:TagResource), C(iam:PassRole) of
    the roles, and the EC2 network interface permissions DataSync uses in the subnet."
extends_documentation_fragment:
  - cloudops.fargate.attributes
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Copy the releases to EFS and start a copy of the new one
  cloudops.fargate.datasync_task:
    name: demo-dev-static
    source_s3:
      bucket_arn: arn:aws:s3:::demo-dev-static-123456789012
      subdirectory: /releases
      bucket_access_role_arn: arn:aws:iam::123456789012:role/demo-dev-datasync
    destination_efs:
      file_system_arn: "{{ file_system_arn }}"
      subdirectory: /releases
      subnet_arn: "{{ subnet_arn }}"
      security_group_arns: ["{{ datasync_security_group_arn }}"]
      access_point_arn: "{{ publisher_access_point_arn }}"
    options:
      TransferMode: CHANGED
      PreserveDeletedFiles: REMOVE
      VerifyMode: ONLY_FILES_TRANSFERRED
      Uid: NONE
      Gid: NONE
    tags: {Stack: demo}
    start: true
  register: copy
"""

RETURN = r"""
task:
  description: The task after the run (in check mode, only its name when it would be created).
  returned: success
  type: dict
  contains:
    name:
      description: Its name.
      type: str
    task_arn:
      description: Its ARN.
      type: str
    status:
      description: C(AVAILABLE), C(RUNNING), C(QUEUED) or C(UNAVAILABLE).
      type: str
    source_location_arn:
      description: The S3 location.
      type: str
    destination_location_arn:
      description: The EFS location.
      type: str
    current_task_execution_arn:
      description: The execution running, if any, when the task was read.
      type: str
    options:
      description: Its options.
      type: dict
execution_arn:
  description: The execution started (or running) with O(start); null without.
  returned: success
  type: str
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.cloudops.fargate.plugins.module_utils._common import InputError
from ansible_collections.cloudops.fargate.plugins.module_utils._common import module_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._datasync import DataSyncTaskManager
from ansible_collections.cloudops.fargate.plugins.module_utils._datasync import input_errors


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        source_s3=dict(
            type="dict",
            options=dict(
                bucket_arn=dict(type="str", required=True),
                subdirectory=dict(type="str", default="/"),
                bucket_access_role_arn=dict(type="str", required=True),
            ),
        ),
        destination_efs=dict(
            type="dict",
            options=dict(
                file_system_arn=dict(type="str", required=True),
                subdirectory=dict(type="str", default="/"),
                subnet_arn=dict(type="str", required=True),
                security_group_arns=dict(type="list", elements="str", required=True),
                access_point_arn=dict(type="str"),
                file_system_access_role_arn=dict(type="str"),
                in_transit_encryption=dict(type="str", choices=["TLS1_2", "NONE"], default="TLS1_2"),
            ),
        ),
        options=dict(type="dict", default={}),
        tags=dict(type="dict", default={}),
        start=dict(type="bool", default=False),
        includes=dict(type="list", elements="str", default=[]),
        role_timeout=dict(type="int", default=120),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        required_if=[("state", "present", ("source_s3", "destination_efs"))],
    )
    p = module.params
    with module_errors(module):
        errors = input_errors(p)
        if errors:
            raise InputError("; ".join(errors))
        manager = DataSyncTaskManager(module, p["name"], {str(k): str(v) for k, v in p["tags"].items()}, p["role_timeout"])
        if p["state"] == "absent":
            manager.absent()
        else:
            manager.present(p["source_s3"], p["destination_efs"], p["options"])
            if p["start"]:
                manager.start(p["includes"])
    module.exit_json(changed=manager.changed, task=manager.task, execution_arn=manager.execution_arn, diff=manager.diff())


if __name__ == "__main__":
    main()
