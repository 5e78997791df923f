#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: efs_file_system
short_description: Manage an Amazon EFS file system, its mount targets and its policies
version_added: 0.1.0
description:
  - Creates, updates or deletes one Amazon EFS file system, identified by its creation token (by default a digest
    of O(name)), so a run interrupted after the file system was created finds it again instead of creating a second
    one. O(name) is the file system's C(Name) tag.
  - Secure by default, to pass the AWS Security Hub controls EFS.1 (encrypted at rest, O(encrypted=true)) and EFS.7
    (automatic backups, O(backup=true)), and with a file system policy that refuses clients not using TLS
    (O(deny_insecure_transport=true)).
  - The throughput, the lifecycle policies, the backup policy, the file system policy, the tags and the mount
    targets change in place. O(encrypted), O(kms_key_id) and O(performance_mode) cannot change after the file system
    is created; a difference fails the task, names the fields and changes nothing.
  - Mount targets are matched to O(mount_targets) by subnet; one is created in each subnet listed that has none,
    those in subnets not listed are deleted, changed security groups are changed in place, and a mount target
    whose IP address differs from the one asked for is deleted and created again.
  - Every option is validated before anything changes, the subnets and security groups of O(mount_targets)
    included (they are read first) -- one mount target per Availability Zone, all in one VPC, the IP address in
    its subnet, the security groups in that VPC.
  - A new file system takes seconds to become available, a mount target about a minute and a half. With
    O(wait=true) the module returns once the file system and all its mount targets are available. With
    O(wait=false) it returns as soon as everything is started, with the current states in RV(file_system); running
    it again with the same arguments changes nothing and reports the current states, so a role can poll it with
    C(until). Either way the module waits, within O(wait_timeout), for what its next step needs (a new file system
    before its mount targets and policies, and a deleted mount target before a new one in the same Availability
    Zone).
  - With O(state=absent) and O(wait=true) the mount targets are deleted, awaited, then the file system is deleted
    and awaited. With O(wait=false) a file system that still has mount targets only has their deletion started
    (AWS deletes a file system only without mount targets); the module returns with them in RV(file_system), and
    a later call, once they are gone, deletes the file system. Until then, calling again changes nothing.
author:
  - cloudops.fargate maintainers (!UNKNOWN)
options:
  state:
    description:
      - Whether the file system should exist.
      - With V(absent) the mount targets are deleted first, then the file system.
    type: str
    choices: [present, absent]
    default: present
  name:
    description:
      - The name of the file system, its C(Name) tag; at most 256 characters. Use the stack's naming scheme,
        C(<stack>-<env>-<purpose>), so that the default O(creation_token) is unique to the stack.
    type: str
    required: true
  creation_token:
    description:
      - The token that identifies the file system (CreateFileSystem's C(CreationToken)), 1 to 64 characters.
      - Defaults to a SHA-256 digest of O(name) (64 hexadecimal digits). Set it only to adopt a file system created
        with another token.
    type: str
  encrypted:
    description:
      - Whether the data is encrypted at rest (Security Hub control EFS.1).
      - Cannot change after the file system is created.
    type: bool
    default: true
  kms_key_id:
    description:
      - The KMS key that encrypts the file system, as a key ID, a multi-Region key ID, an alias name (C(alias/...)) or a
        key or alias ARN. Only with O(encrypted=true). Defaults to AWS's managed key C(aws/elasticfilesystem).
      - Cannot change after the file system is created. Compared as the key it names (an alias is looked up with
        KMS C(DescribeKey)); left out, the existing key is not compared.
    type: str
  performance_mode:
    description:
      - The performance mode. Defaults to C(generalPurpose) when the file system is created; left out, the existing
        one is not compared.
      - Cannot change after the file system is created. C(maxIO) works neither with O(throughput_mode=elastic) nor
        with an archive transition.
    type: str
    choices: [generalPurpose, maxIO]
  throughput_mode:
    description:
      - The throughput mode. Defaults to C(bursting) when the file system is created; left out, the existing one is
        left as it is.
      - AWS allows one throughput mode change (or throughput decrease) per 24 hours.
    type: str
    choices: [bursting, provisioned, elastic]
  provisioned_throughput_in_mibps:
    description:
      - The provisioned throughput in MiB/s, at least 1. Required with O(throughput_mode=provisioned), not allowed
        otherwise.
    type: float
  lifecycle_policies:
    description:
      - When files move between storage classes. The transitions left out are removed; V({}) removes every one.
        Left out, the lifecycle configuration is left as it is.
    type: dict
    suboptions:
      transition_to_ia:
        description: Days without access after which a file moves to Infrequent Access.
        type: str
        choices: [AFTER_1_DAY, AFTER_7_DAYS, AFTER_14_DAYS, AFTER_30_DAYS, AFTER_60_DAYS, AFTER_90_DAYS,
                  AFTER_180_DAYS, AFTER_270_DAYS, AFTER_365_DAYS]
      transition_to_archive:
        description:
          - Days without access after which a file moves to Archive; later than O(lifecycle_policies.transition_to_ia)
            when both are set.
          - Only for a file system with Elastic throughput and the generalPurpose performance mode.
        type: str
        choices: [AFTER_1_DAY, AFTER_7_DAYS, AFTER_14_DAYS, AFTER_30_DAYS, AFTER_60_DAYS, AFTER_90_DAYS,
                  AFTER_180_DAYS, AFTER_270_DAYS, AFTER_365_DAYS]
      transition_to_primary_storage_class:
        description: Move a file back to Standard storage on its first access.
        type: str
        choices: [AFTER_1_ACCESS]
  backup:
    description:
      - Whether AWS Backup backs the file system up daily (its backup policy is C(ENABLED); Security Hub control
        EFS.7).
    type: bool
    default: true
  policy:
    description:
      - The file system policy, as a dict or a JSON string. Compared with the existing one as parsed JSON, where
        equivalent spellings (a string or a one-element list) are equal, and a statement's C(Resource) naming the
        file system itself counts as left out (EFS writes it into every statement stored without one).
      - Left out, the policy is left as it is, unless O(deny_insecure_transport=true).
    type: json
  deny_insecure_transport:
    description:
      - Make sure the policy holds the standard statement that denies every principal every action when
        C(aws:SecureTransport) is C(false), so only clients mounting with TLS get in.
      - With O(policy), the statement is added to it unless it already has an equivalent one (its C(Sid) and
        C(Resource) do not matter).
      - Without O(policy), the file system policy becomes that statement plus a statement allowing
        C(elasticfilesystem:ClientMount), C(ClientWrite) and C(ClientRootAccess) to every client that connects
        through a mount target -- the access AWS grants when a file system has no policy, which a policy holding
        only a Deny would withdraw from clients not using IAM authorization. This is what the EFS console's
        I(Enforce in-transit encryption for all clients) writes.
      - With V(false) and no O(policy), the policy is left as it is.
    type: bool
    default: true
  mount_targets:
    description:
      - The mount targets, one per subnet, at most one per Availability Zone, all in one VPC. Left out, the mount
        targets are left as they are; V([]) deletes them all.
    type: list
    elements: dict
    suboptions:
      subnet_id:
        description: The subnet of the mount target.
        type: str
        required: true
      security_groups:
        description:
          - The security groups of the mount target's network interface, 1 to 5, in the subnet's VPC. Changed in
            place. Left out, AWS gives a new mount target the VPC's default security group, and an existing mount
            target keeps its own.
        type: list
        elements: str
      ip_address:
        description:
          - The IPv4 address of the mount target, in its subnet. Left out, AWS picks one (and an existing mount
            target keeps its address). A mount target with another address is deleted and created again.
        type: str
  tags:
    description:
      - Tags for the file system, besides the C(Name) tag, which is always O(name) (a C(Name) key here must equal
        it). Left alone when not given.
    type: dict
    aliases: [resource_tags]
  purge_tags:
    description:
      - Remove tags not listed in O(tags) (never C(Name), nor tags whose key starts with C(aws:)).
      - Has no effect when O(tags) is not given.
    type: bool
    default: true
  wait:
    description:
      - Wait until the file system and all its mount targets are available (or, with O(state=absent), until the
        file system is gone).
      - With V(false), return as soon as the changes are started; see the description for what is waited for
        anyway.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait, in all, for everything the module waits for; C(0) looks once.
    type: int
    default: 600
notes:
  - Never waits in check mode; the states it returns there are predicted.
  - With O(wait=false), a role polls M(cloudops.fargate.efs_file_system_info) until RV(file_system.life_cycle_state)
    and every RV(file_system.mount_targets[].life_cycle_state) are C(available), or, with O(state=absent), until
    the file system has no mount targets left, then deletes it with a second task.
  - Needs C(ec2:DescribeSubnets) and C(ec2:DescribeSecurityGroups) for O(mount_targets), and C(kms:DescribeKey)
    when O(kms_key_id) is an alias that must be compared with an existing file system's key.
extends_documentation_fragment:
  - cloudops.fargate.attributes
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Create the file system for nginx's configuration and UI files
  cloudops.fargate.efs_file_system:
    name: demo-local-static
    throughput_mode: elastic
    lifecycle_policies:
      transition_to_ia: AFTER_30_DAYS
      transition_to_primary_storage_class: AFTER_1_ACCESS
    mount_targets:
      - subnet_id: "{{ network_private_subnet_ids[0] }}"
        security_groups: ["{{ network_security_group_ids.efs }}"]
      - subnet_id: "{{ network_private_subnet_ids[1] }}"
        security_groups: ["{{ network_security_group_ids.efs }}"]
    tags:
      Stack: demo
      Environment: local
      ManagedBy: cloudops.fargate
  register: static_file_system

- name: Start the file system and its mount targets without waiting
  cloudops.fargate.efs_file_system: &static_file_system
    name: demo-local-static
    mount_targets:
      - subnet_id: "{{ network_private_subnet_ids[0] }}"
        security_groups: ["{{ network_security_group_ids.efs }}"]
    wait: false
  register: started

# ... other slow resources start here ...

- name: Wait for the mount targets (the same task again, polled)
  cloudops.fargate.efs_file_system: *static_file_system
  register: polled
  until: >-
    polled.file_system.life_cycle_state == 'available'
    and polled.file_system.mount_targets | rejectattr('life_cycle_state', 'eq', 'available') | list | length == 0
  retries: 60
  delay: 10

- name: A policy of our own; the TLS-only Deny statement is added to it
  cloudops.fargate.efs_file_system:
    name: demo-local-static
    policy:
      Version: "2012-10-17"
      Statement:
        - Sid: TaskRoleOnly
          Effect: Allow
          Principal:
            AWS: "{{ fargate_task_role_arn }}"
          Action: [elasticfilesystem:ClientMount, elasticfilesystem:ClientWrite]

- name: Delete the file system and its mount targets
  cloudops.fargate.efs_file_system:
    name: demo-local-static
    state: absent
"""

RETURN = r"""
file_system:
  description:
    - The file system as it is (or would be in check mode) when the module returns; empty after O(state=absent).
    - In check mode before creation, the fields AWS assigns (IDs, ARN, DNS name, times, sizes) are absent.
  returned: always
  type: dict
  contains:
    file_system_id:
      description: The ID of the file system.
      type: str
      returned: when it exists
      sample: fs-0123456789abcdef0
    file_system_arn:
      description: The ARN of the file system.
      type: str
      returned: when it exists
      sample: arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/fs-0123456789abcdef0
    dns_name:
      description: The DNS name to mount, C(<file_system_id>.efs.<region>.amazonaws.com).
      type: str
      returned: when it exists
      sample: fs-0123456789abcdef0.efs.us-east-1.amazonaws.com
    creation_token:
      description: The creation token that identifies the file system.
      type: str
      returned: when present
      sample: 3f2b9c0d5e6a7b8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e
    name:
      description: The C(Name) tag.
      type: str
      returned: when present
      sample: demo-local-static
    owner_id:
      description: The AWS account that owns the file system.
      type: str
      returned: when it exists
      sample: "123456789012"
    creation_time:
      description: When the file system was created.
      type: str
      returned: when it exists
      sample: "2024-05-01T12:00:00+00:00"
    life_cycle_state:
      description: C(creating), C(available), C(updating), C(deleting), C(deleted) or C(error).
      type: str
      returned: when present
      sample: available
    number_of_mount_targets:
      description: How many mount targets the file system has.
      type: int
      returned: when present
      sample: 2
    size_in_bytes:
      description: The metered size of the data (C(value), C(value_in_standard), C(value_in_ia), C(value_in_archive), C(timestamp)).
      type: dict
      returned: when it exists
      sample: {"value": 6144, "value_in_standard": 6144, "value_in_ia": 0}
    performance_mode:
      description: C(generalPurpose) or C(maxIO).
      type: str
      returned: when present
      sample: generalPurpose
    encrypted:
      description: Whether the data is encrypted at rest.
      type: bool
      returned: when present
      sample: true
    kms_key_id:
      description: The ARN of the KMS key that encrypts the file system; null when unencrypted (or not yet known).
      type: str
      returned: when present
      sample: arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab
    throughput_mode:
      description: C(bursting), C(provisioned) or C(elastic).
      type: str
      returned: when present
      sample: elastic
    provisioned_throughput_in_mibps:
      description: The provisioned throughput; null unless the throughput mode is C(provisioned).
      type: float
      returned: when present
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
      returned: when present
      sample: {"Name": "demo-local-static", "Stack": "demo", "Environment": "local"}
    mount_targets:
      description: The mount targets, by Availability Zone.
      type: list
      elements: dict
      returned: when present
      contains:
        mount_target_id:
          description: The ID of the mount target; null in check mode before it is created.
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
          description: The IPv4 address of the mount target; null in check mode when AWS is to pick it.
          type: str
          sample: 10.0.1.10
        life_cycle_state:
          description: C(creating), C(available), C(updating), C(deleting), C(deleted) or C(error).
          type: str
          sample: available
        security_groups:
          description: The security groups of the mount target, sorted; null while it is being deleted, or in check
            mode when AWS is to pick them.
          type: list
          elements: str
          sample: ["sg-0123456789abcdef0"]
    policy:
      description: The file system policy, parsed; null when the file system has none (AWS's default access).
      type: dict
      returned: when present
      sample: {"Version": "2012-10-17", "Statement": [{"Sid": "DenyInsecureTransport", "Effect": "Deny"}]}
    backup_policy:
      description: The backup policy; C(status) is C(ENABLED), C(ENABLING), C(DISABLED) or C(DISABLING).
      type: dict
      returned: when present
      sample: {"status": "ENABLED"}
    lifecycle_policies:
      description: The lifecycle transitions that are set, keyed like O(lifecycle_policies).
      type: dict
      returned: when present
      sample: {"transition_to_ia": "AFTER_30_DAYS", "transition_to_primary_storage_class": "AFTER_1_ACCESS"}
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.cloudops.fargate.plugins.module_utils._common import module_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._efs import DEFAULT_WAIT_TIMEOUT
from ansible_collections.cloudops.fargate.plugins.module_utils._efs import PERFORMANCE_MODES
from ansible_collections.cloudops.fargate.plugins.module_utils._efs import THROUGHPUT_MODES
from ansible_collections.cloudops.fargate.plugins.module_utils._efs import TRANSITION_TO_ARCHIVE_CHOICES
from ansible_collections.cloudops.fargate.plugins.module_utils._efs import TRANSITION_TO_IA_CHOICES
from ansible_collections.cloudops.fargate.plugins.module_utils._efs import TRANSITION_TO_PRIMARY_STORAGE_CLASS_CHOICES
from ansible_collections.cloudops.fargate.plugins.module_utils._efs import FileSystemManager
from ansible_collections.cloudops.fargate.plugins.module_utils._efs import absent_settings
from ansible_collections.cloudops.fargate.plugins.module_utils._efs import wanted_settings


def argument_spec():
    """The module's arguments; the choices come from module_utils, where the manager reads them too."""
    return dict(
        state=dict(type="str", choices=["present", "absent"], default="present"),
        name=dict(type="str", required=True),
        creation_token=dict(type="str", no_log=False),
        encrypted=dict(type="bool", default=True),
        kms_key_id=dict(type="str", no_log=False),
        performance_mode=dict(type="str", choices=list(PERFORMANCE_MODES)),
        throughput_mode=dict(type="str", choices=list(THROUGHPUT_MODES)),
        provisioned_throughput_in_mibps=dict(type="float"),
        lifecycle_policies=dict(
            type="dict",
            options=dict(
                transition_to_ia=dict(type="str", choices=list(TRANSITION_TO_IA_CHOICES)),
                transition_to_archive=dict(type="str", choices=list(TRANSITION_TO_ARCHIVE_CHOICES)),
                transition_to_primary_storage_class=dict(
                    type="str", choices=list(TRANSITION_TO_PRIMARY_STORAGE_CLASS_CHOICES)
                ),
            ),
        ),
        backup=dict(type="bool", default=True),
        policy=dict(type="json"),
        deny_insecure_transport=dict(type="bool", default=True),
        mount_targets=dict(
            type="list",
            elements="dict",
            options=dict(
                subnet_id=dict(type="str", required=True),
                security_groups=dict(type="list", elements="str"),
                ip_address=dict(type="str"),
            ),
        ),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=DEFAULT_WAIT_TIMEOUT),
    )


def main():
    module = AnsibleAWSModule(argument_spec=argument_spec(), supports_check_mode=True)
    present = module.params["state"] == "present"

    with module_errors(module):
        wanted = wanted_settings(module.params) if present else absent_settings(module.params)
        manager = FileSystemManager(module)
        if present:
            manager.ensure_present(wanted)
        else:
            manager.ensure_absent(wanted)
        module.exit_json(changed=manager.changed, file_system=manager.file_system, diff=manager.diff())


if __name__ == "__main__":
    main()
