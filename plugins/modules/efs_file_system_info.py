#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: efs_file_system_info
short_description: List Amazon EFS file systems with their mount targets, policies and access points
version_added: 0.1.0
description:
  - Lists the EFS file systems of the account in the region, or those that match every option given (O(name),
    O(creation_token), O(file_system_id) and O(tags) combine with AND); with none given, every file system.
  - Each file system comes in the shape M(cloudops.fargate.efs_file_system) returns (its mount targets, file system
    policy, backup policy, lifecycle policies, DNS name and tags), plus its access points in the shape
    M(cloudops.fargate.efs_access_point) returns.
  - A lookup that matches nothing returns an empty list; it is not an error.
  - File systems being deleted are listed too, with their RV(file_systems[].life_cycle_state), so a role can poll
    until one is gone.
author:
  - cloudops.fargate maintainers (!UNKNOWN)
options:
  name:
    description:
      - The name of the file system, as given to M(cloudops.fargate.efs_file_system).
      - Matches the file system whose creation token M(cloudops.fargate.efs_file_system) derives from this name
        (the one it creates when O(creation_token) is not given), and every file system whose C(Name) tag is this
        name (one created with a creation token of its own, or by other tools).
    type: str
  creation_token:
    description: The creation token of the file system.
    type: str
  file_system_id:
    description: The ID of the file system, or its ARN.
    type: str
  tags:
    description:
      - Return only the file systems that carry every one of these tags with the same value (compared as strings).
    type: dict
  mount_targets:
    description:
      - Whether to read each file system's mount targets (one call, plus one per mount target for its security
        groups).
      - When false, RV(file_systems[].mount_targets) is empty.
    type: bool
    default: true
    version_added: 0.4.0
  policies:
    description:
      - Whether to read each file system's file system policy, backup policy and lifecycle policies (three calls).
      - When false, RV(file_systems[].policy) is null, the status of RV(file_systems[].backup_policy) is null and
        RV(file_systems[].lifecycle_policies) is empty; a poll that needs only states spares them.
    type: bool
    default: true
    version_added: 0.4.0
notes:
  - Needs C(elasticfilesystem:DescribeFileSystems), C(DescribeMountTargets), C(DescribeMountTargetSecurityGroups),
    C(DescribeFileSystemPolicy), C(DescribeBackupPolicy), C(DescribeLifecycleConfiguration) and
    C(DescribeAccessPoints).
extends_documentation_fragment:
  - cloudops.fargate.attributes.INFO_MODULE
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Find the stack's file system and its access points
  cloudops.fargate.efs_file_system_info:
    name: demo-local-static
  register: storage_found

- name: Use the first one found
  ansible.builtin.set_fact:
    storage_file_system_id: "{{ (storage_found.file_systems | first).file_system_id }}"
    storage_access_point_ids: >-
      {{ (storage_found.file_systems | first).access_points
         | items2dict(key_name='name', value_name='access_point_id') }}
  when: storage_found.file_systems | length > 0

- name: Every file system of the stack in this environment
  cloudops.fargate.efs_file_system_info:
    tags:
      Stack: demo
      Environment: local
  register: stack_file_systems

- name: Wait until the mount targets of a file system are available
  cloudops.fargate.efs_file_system_info:
    file_system_id: "{{ storage_file_system_id }}"
  register: polled
  until: >-
    polled.file_systems | length == 1
    and polled.file_systems[0].mount_targets | rejectattr('life_cycle_state', 'eq', 'available') | list | length == 0
  retries: 60
  delay: 10
"""

RETURN = r"""
file_systems:
  description:
    - The file systems found, by C(Name) tag and then oldest first; with O(name), the file system whose creation
      token is derived from it comes first.
    - Empty when nothing matches.
  returned: always
  type: list
  elements: dict
  contains:
    file_system_id:
      description: The ID of the file system.
      type: str
      returned: always
      sample: fs-0123456789abcdef0
    file_system_arn:
      description: The ARN of the file system.
      type: str
      returned: always
      sample: arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/fs-0123456789abcdef0
    dns_name:
      description: The DNS name to mount, C(<file_system_id>.efs.<region>.amazonaws.com).
      type: str
      returned: always
      sample: fs-0123456789abcdef0.efs.us-east-1.amazonaws.com
    creation_token:
      description: The creation token that identifies the file system.
      type: str
      returned: always
      sample: 3f2b9c0d5e6a7b8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e
    name:
      description: The C(Name) tag; null when the file system has none.
      type: str
      returned: always
      sample: demo-local-static
    owner_id:
      description: The AWS account that owns the file system.
      type: str
      returned: always
      sample: "123456789012"
    creation_time:
      description: When the file system was created.
      type: str
      returned: always
      sample: "2024-05-01T12:00:00+00:00"
    life_cycle_state:
      description: C(creating), C(available), C(updating), C(deleting), C(deleted) or C(error).
      type: str
      returned: always
      sample: available
    number_of_mount_targets:
      description: How many mount targets the file system has.
      type: int
      returned: always
      sample: 2
    size_in_bytes:
      description: The metered size of the data (C(value), C(value_in_standard), C(value_in_ia), C(value_in_archive), C(timestamp)).
      type: dict
      returned: always
      sample: {"value": 6144, "value_in_standard": 6144, "value_in_ia": 0}
    performance_mode:
      description: C(generalPurpose) or C(maxIO).
      type: str
      returned: always
      sample: generalPurpose
    encrypted:
      description: Whether the data is encrypted at rest.
      type: bool
      returned: always
      sample: true
    kms_key_id:
      description: The ARN of the KMS key that encrypts the file system; null when unencrypted.
      type: str
      returned: always
      sample: arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab
    throughput_mode:
      description: C(bursting), C(provisioned) or C(elastic).
      type: str
      returned: always
      sample: elastic
    provisioned_throughput_in_mibps:
      description: The provisioned throughput; null unless the throughput mode is C(provisioned).
      type: float
      returned: always
      sample: null
    availability_zone_name:
      description: The Availability Zone of a One Zone file system.
      type: str
      returned: for One Zone file systems
      sample: us-east-1a
    availability_zone_id:
      description: The Availability Zone ID of a One Zone file system.
      type: str
      returned: for One Zone file systems
      sample: use1-az6
    file_system_protection:
      description: The replication overwrite protection of the file system.
      type: dict
      returned: when AWS reports it
      sample: {"replication_overwrite_protection": "ENABLED"}
    tags:
      description: The file system's tags, the C(Name) tag included.
      type: dict
      returned: always
      sample: {"Name": "demo-local-static", "Stack": "demo", "Environment": "local"}
    mount_targets:
      description: The mount targets, by Availability Zone.
      type: list
      elements: dict
      returned: always
      contains:
        mount_target_id:
          description: The ID of the mount target.
          type: str
          sample: fsmt-0123456789abcdef0
        subnet_id:
          description: The subnet of the mount target.
          type: str
          sample: subnet-0123456789abcdef0
        availability_zone_name:
          description: The Availability Zone of the mount target.
          type: str
          sample: us-east-1a
        availability_zone_id:
          description: The Availability Zone ID of the mount target.
          type: str
          sample: use1-az6
        ip_address:
          description: The IPv4 address of the mount target.
          type: str
          sample: 10.0.1.10
        life_cycle_state:
          description: C(creating), C(available), C(updating), C(deleting), C(deleted) or C(error).
          type: str
          sample: available
        security_groups:
          description: The security groups of the mount target, sorted; null while it is being deleted.
          type: list
          elements: str
          sample: ["sg-0123456789abcdef0"]
    policy:
      description: The file system policy, parsed; null when the file system has none (AWS's default access).
      type: dict
      returned: always
      sample: {"Version": "2012-10-17", "Statement": [{"Sid": "DenyInsecureTransport", "Effect": "Deny"}]}
    backup_policy:
      description: The backup policy; C(status) is C(ENABLED), C(ENABLING), C(DISABLED) or C(DISABLING) (null when
        O(policies=false)).
      type: dict
      returned: always
      sample: {"status": "ENABLED"}
    lifecycle_policies:
      description: The lifecycle transitions that are set, keyed like the lifecycle_policies option of
        M(cloudops.fargate.efs_file_system).
      type: dict
      returned: always
      sample: {"transition_to_ia": "AFTER_30_DAYS", "transition_to_primary_storage_class": "AFTER_1_ACCESS"}
    access_points:
      description: The access points of the file system, by name, in the shape M(cloudops.fargate.efs_access_point)
        returns.
      type: list
      elements: dict
      returned: always
      contains:
        access_point_id:
          description: The ID of the access point.
          type: str
          sample: fsap-0123456789abcdef0
        access_point_arn:
          description: The ARN of the access point.
          type: str
          sample: arn:aws:elasticfilesystem:us-east-1:123456789012:access-point/fsap-0123456789abcdef0
        file_system_id:
          description: The ID of the file system.
          type: str
          sample: fs-0123456789abcdef0
        name:
          description: The name, the value of the C(Name) tag.
          type: str
          sample: demo-local-nginx
        posix_user:
          description: The POSIX user the access point enforces; null when none.
          type: dict
          contains:
            uid:
              description: The user ID.
              type: int
              sample: 101
            gid:
              description: The group ID.
              type: int
              sample: 101
            secondary_gids:
              description: The further group IDs, sorted; empty when none.
              type: list
              elements: int
              sample: []
        root_directory:
          description: The directory the access point exposes as its root.
          type: dict
          contains:
            path:
              description: The path, C(/) for the file system's root.
              type: str
              sample: /nginx
            creation_info:
              description: Owner and permissions the directory is created with; null when none.
              type: dict
              contains:
                owner_uid:
                  description: The owning user ID.
                  type: int
                  sample: 101
                owner_gid:
                  description: The owning group ID.
                  type: int
                  sample: 101
                permissions:
                  description: The mode, as four octal digits.
                  type: str
                  sample: "0750"
        life_cycle_state:
          description: C(creating), C(available), C(updating), C(deleting), C(deleted) or C(error).
          type: str
          sample: available
        tags:
          description: The access point's tags, C(Name) included.
          type: dict
          sample: {"Name": "demo-local-nginx", "Stack": "demo"}
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.cloudops.fargate.plugins.module_utils._common import module_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._efs import FileSystemInfoManager
from ansible_collections.cloudops.fargate.plugins.module_utils._efs import info_filters


def argument_spec():
    return dict(
        name=dict(type="str"),
        creation_token=dict(type="str", no_log=False),
        file_system_id=dict(type="str"),
        tags=dict(type="dict"),
        mount_targets=dict(type="bool", default=True),
        policies=dict(type="bool", default=True),
    )


def main():
    module = AnsibleAWSModule(argument_spec=argument_spec(), supports_check_mode=True)
    with module_errors(module):
        filters = info_filters(module.params)
        manager = FileSystemInfoManager(module)
        file_systems = manager.list_file_systems(
            filters, mount_targets=module.params["mount_targets"], policies=module.params["policies"]
        )
        module.exit_json(changed=False, file_systems=file_systems)


if __name__ == "__main__":
    main()
