#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: efs_access_point
short_description: Manage an Amazon EFS access point, its POSIX user, root directory and tags
version_added: 0.1.0
description:
  - Creates, replaces, re-tags or deletes one access point of an EFS file system. The access point is identified
    by its file system (O(file_system_id)) and its C(Name) tag (O(name)).
  - AWS cannot change an access point's POSIX user or root directory after it is created. With
    O(replace_on_change=true) a different O(posix_user) or O(root_directory) creates a new access point with the
    new settings first and deletes the old one after it, so whatever mounts the access point by id is never left
    without one; the new one has a new id, which task definitions must then use. The diff shows the whole access
    point before and after, its headers name the fields, and the result says RV(replaced=true). With
    O(replace_on_change=false) the task fails and names the fields.
  - The tags change in place.
  - Values are compared after filling in what AWS fills in (no secondary GIDs, the root path C(/), permissions
    with or without a leading zero), so a run that asks for what AWS already has reports no change.
  - A create is safe to interrupt. The module looks the access point up before every create, and the create
    sends a ClientToken made of the file system, the name and the settings, so a run repeated after a killed
    one never makes a second access point. Should a file system hold several access points with the name (an
    interrupted replacement leaves two), the module keeps the one that matches the task, deletes the others,
    warns, and lists them in RV(deleted_access_point_ids).
  - Every option is validated before anything changes, so a bad input fails without touching AWS.
author:
  - cloudops.fargate maintainers (!UNKNOWN)
options:
  state:
    description: Whether the access point should exist. With V(absent), every access point of the name in the file
      system is deleted.
    type: str
    choices: [present, absent]
    default: present
  file_system_id:
    description:
      - The file system of the access point, by id (C(fs-0123456789abcdef0)) or ARN.
      - With O(state=present) the file system must exist; with O(state=absent) a missing file system means there
        is nothing to delete.
    type: str
    required: true
  name:
    description:
      - The name of the access point, the value of its C(Name) tag, unique among the file system's access points.
        At most 256 letters, numbers, spaces and C(_.:/=+-@).
      - The C(Name) tag is always set to it; O(purge_tags) never removes it.
    type: str
    required: true
  posix_user:
    description:
      - The POSIX user and groups every file system request through the access point is made as, whatever the
        NFS client says. When not given, the access point enforces no user.
      - Cannot change in place (see O(replace_on_change)).
    type: dict
    suboptions:
      uid:
        description: The user id, 0 to 4294967295.
        type: int
        required: true
      gid:
        description: The group id, 0 to 4294967295.
        type: int
        required: true
      secondary_gids:
        description: Up to 16 further group ids, 0 to 4294967295 each; compared as a set.
        type: list
        elements: int
  root_directory:
    description:
      - The directory of the file system the access point exposes as its root. When not given, the file system's
        root C(/).
      - Cannot change in place (see O(replace_on_change)).
    type: dict
    suboptions:
      path:
        description:
          - The absolute path of the directory; at most 100 characters and 4 directories, without C(.) or C(..)
            components, names beginning with a dot, a trailing C(/) or any of C($#<>;`|&?{}^*).
        type: str
        default: /
      creation_info:
        description:
          - Owner and permissions EFS creates O(root_directory.path) with when it does not exist yet, the first
            time a client mounts the access point. Without it, the directory must exist or mounting fails.
        type: dict
        suboptions:
          owner_uid:
            description: The user id that owns the directory, 0 to 4294967295.
            type: int
            required: true
          owner_gid:
            description: The group id that owns the directory, 0 to 4294967295.
            type: int
            required: true
          permissions:
            description:
              - The directory's mode as a quoted string of 3 or 4 octal digits, for example C("0750"); V(750) and
                V(0750) are the same mode.
              - An unquoted number is refused, since YAML reads C(0750) as the number 488.
            type: raw
            required: true
  replace_on_change:
    description:
      - Create a new access point and delete the old one when O(posix_user) or O(root_directory) differ from the
        existing one's. The tags are carried over (subject to O(tags) and O(purge_tags)).
      - When false, such a difference fails the task and names the fields.
    type: bool
    default: true
  wait:
    description:
      - Wait until a new access point is available (C(creating) becomes C(available)) and until a deleted one is
        gone, at most O(wait_timeout) seconds.
      - When false, return at once with the access point's id and RV(access_point.life_cycle_state); run the task
        again (with the same arguments it changes nothing) until it is C(available). On a replacement, the old
        access point is deleted once the new one is available, by this run or, if AWS is still creating it, by a
        later one.
    type: bool
    default: true
  wait_timeout:
    description: How many seconds to wait with O(wait=true).
    type: int
    default: 300
  tags:
    description: Tags for the access point, besides C(Name). Left alone when not given.
    type: dict
    aliases: [resource_tags]
  purge_tags:
    description:
      - Remove tags not listed in O(tags), except C(Name). Tags whose key starts with C(aws:) are never removed.
      - Has no effect when O(tags) is not given.
    type: bool
    default: true
notes:
  - Security Hub control EFS.3 wants access points to enforce a root directory (O(root_directory.path) other than
    C(/)), and EFS.4 wants them to enforce a user identity (O(posix_user) set). The module allows both to be left
    out; enforcing the controls is the calling role's policy.
  - Deleting an access point cuts off new mounts through it; clients already connected keep working until they
    disconnect.
extends_documentation_fragment:
  - cloudops.fargate.attributes
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Create the access point the nginx containers mount their configuration from
  cloudops.fargate.efs_access_point:
    file_system_id: "{{ storage_file_system_id }}"
    name: demo-local-nginx
    posix_user:
      uid: 101
      gid: 101
    root_directory:
      path: /nginx
      creation_info:
        owner_uid: 101
        owner_gid: 101
        permissions: "0750"
    tags:
      Stack: demo
      Environment: local
      ManagedBy: cloudops.fargate
  register: nginx_access_point

- name: Start creating an access point and come back for it later
  cloudops.fargate.efs_access_point:
    file_system_id: "{{ storage_file_system_id }}"
    name: demo-local-ui
    posix_user: {uid: 1000, gid: 1000, secondary_gids: [101]}
    root_directory: {path: /ui, creation_info: {owner_uid: 1000, owner_gid: 1000, permissions: "0755"}}
    wait: false

- name: Wait for it
  cloudops.fargate.efs_access_point:
    file_system_id: "{{ storage_file_system_id }}"
    name: demo-local-ui
    posix_user: {uid: 1000, gid: 1000, secondary_gids: [101]}
    root_directory: {path: /ui, creation_info: {owner_uid: 1000, owner_gid: 1000, permissions: "0755"}}
    wait: false
  register: ui_access_point
  until: ui_access_point.access_point.life_cycle_state == "available"
  retries: 30
  delay: 5

- name: Refuse to replace the access point when its root directory changes
  cloudops.fargate.efs_access_point:
    file_system_id: "{{ storage_file_system_id }}"
    name: demo-local-nginx
    posix_user: {uid: 101, gid: 101}
    root_directory: {path: /nginx-v2, creation_info: {owner_uid: 101, owner_gid: 101, permissions: "0750"}}
    replace_on_change: false

- name: Delete the access point
  cloudops.fargate.efs_access_point:
    file_system_id: "{{ storage_file_system_id }}"
    name: demo-local-nginx
    state: absent
"""

RETURN = r"""
access_point:
  description: The access point as it is, or would be in check mode; empty after O(state=absent).
  returned: always
  type: dict
  contains:
    access_point_id:
      description: The id of the access point. Absent in check mode before creation (or replacement).
      type: str
      returned: when it exists
      sample: fsap-0123456789abcdef0
    access_point_arn:
      description: The ARN of the access point. Absent in check mode before creation (or replacement).
      type: str
      returned: when it exists
      sample: arn:aws:elasticfilesystem:us-east-1:123456789012:access-point/fsap-0123456789abcdef0
    file_system_id:
      description: The id of the file system.
      type: str
      returned: when present
      sample: fs-0123456789abcdef0
    name:
      description: The name, the value of the C(Name) tag.
      type: str
      returned: when present
      sample: demo-local-nginx
    posix_user:
      description: The POSIX user the access point enforces; null when none.
      type: dict
      returned: when present
      contains:
        uid:
          description: The user id.
          type: int
          sample: 101
        gid:
          description: The group id.
          type: int
          sample: 101
        secondary_gids:
          description: The further group ids, sorted; empty when none.
          type: list
          elements: int
          sample: []
    root_directory:
      description: The directory the access point exposes as its root.
      type: dict
      returned: when present
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
              description: The owning user id.
              type: int
              sample: 101
            owner_gid:
              description: The owning group id.
              type: int
              sample: 101
            permissions:
              description: The mode, as four octal digits.
              type: str
              sample: "0750"
    life_cycle_state:
      description: C(creating), C(available), C(updating), C(deleting), C(deleted) or C(error).
      type: str
      returned: when present
      sample: available
    tags:
      description: The access point's tags, C(Name) included.
      type: dict
      returned: when present
      sample: {"Name": "demo-local-nginx", "Stack": "demo"}
replaced:
  description: Whether a new access point was (or in check mode would be) created in place of one with other settings.
  returned: always
  type: bool
  sample: false
deleted_access_point_ids:
  description:
    - The ids of the access points of the name this run deleted (or would delete in check mode) - the one
      replaced, duplicates left by an interrupted run, or with O(state=absent) every one.
  returned: always
  type: list
  elements: str
  sample: ["fsap-0123456789abcdef0"]
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.cloudops.fargate.plugins.module_utils._common import module_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._efs_access_point import DEFAULT_ROOT_PATH
from ansible_collections.cloudops.fargate.plugins.module_utils._efs_access_point import DEFAULT_WAIT_TIMEOUT
from ansible_collections.cloudops.fargate.plugins.module_utils._efs_access_point import AccessPointManager
from ansible_collections.cloudops.fargate.plugins.module_utils._efs_access_point import identity_of
from ansible_collections.cloudops.fargate.plugins.module_utils._efs_access_point import wanted_settings


def argument_spec():
    """The module's arguments; the defaults come from module_utils, where the manager reads them too."""
    return dict(
        state=dict(type="str", choices=["present", "absent"], default="present"),
        file_system_id=dict(type="str", required=True),
        name=dict(type="str", required=True),
        posix_user=dict(
            type="dict",
            options=dict(
                uid=dict(type="int", required=True),
                gid=dict(type="int", required=True),
                secondary_gids=dict(type="list", elements="int"),
            ),
        ),
        root_directory=dict(
            type="dict",
            options=dict(
                path=dict(type="str", default=DEFAULT_ROOT_PATH),
                creation_info=dict(
                    type="dict",
                    options=dict(
                        owner_uid=dict(type="int", required=True),
                        owner_gid=dict(type="int", required=True),
                        permissions=dict(type="raw", required=True),
                    ),
                ),
            ),
        ),
        replace_on_change=dict(type="bool", default=True),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=DEFAULT_WAIT_TIMEOUT),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )


def main():
    module = AnsibleAWSModule(argument_spec=argument_spec(), supports_check_mode=True)
    present = module.params["state"] == "present"

    with module_errors(module):
        wanted = wanted_settings(module.params) if present else identity_of(module.params)
        manager = AccessPointManager(module)
        if present:
            manager.ensure_present(wanted)
        else:
            manager.ensure_absent(wanted)
        module.exit_json(
            changed=manager.changed,
            access_point=manager.access_point,
            replaced=manager.replaced,
            deleted_access_point_ids=manager.deleted_access_point_ids,
            diff=manager.diff(),
        )


if __name__ == "__main__":
    main()
