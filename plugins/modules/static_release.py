#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: static_release
short_description: Publish local file trees to S3 as one immutable, content-addressed release
version_added: 0.4.0
description:
  - Uploads every file of O(trees) (on the host that runs the module, the controller for a local connection) and of
    O(contents) to
    O(bucket) under C(<prefix>/<digest>/<tree>/<path>), where the digest is a sha256 over every file's tree, path,
    mode and content. The same files always make the same release.
  - A release is written completely before it counts as published, every file first (each with its SHA-256 checksum,
    which S3 verifies), then C(<prefix>/<digest>/release.json), the list of its files. A release whose manifest lists
    exactly these files is left alone, so a second run with the same files changes nothing; a run interrupted before
    the manifest is finished by the next one, never duplicated.
  - Each file carries its POSIX permissions as C(file-permissions) metadata, always readable by everyone, which AWS
    DataSync applies when it copies the release to Amazon EFS.
  - With O(keep), the releases beyond the newest O(keep) (by the time their manifest was written) are deleted,
    manifest first, except the one published now and those in O(protect).
author:
  - cloudops.fargate maintainers (!UNKNOWN)
options:
  bucket:
    description: The S3 bucket.
    type: str
    required: true
  prefix:
    description: The key prefix the releases live under.
    type: str
    default: releases
  trees:
    description:
      - Name -> local directory. Each directory's regular files are published under C(<digest>/<name>/); symbolic
        links inside the directory are followed, anything pointing outside it or not a regular file is refused.
    type: dict
    default: {}
  contents:
    description:
      - Name -> a dict of relative file path -> text, files of the release given as text (mode 0644), e.g. a
        configuration rendered by the play, so nothing is written on the controller first. A name is either in
        O(trees) or here.
    type: dict
    default: {}
  keep:
    description: How many releases to keep; 0 keeps every release.
    type: int
    default: 0
  protect:
    description: Digests of releases never deleted by O(keep), e.g. the one the service runs and the one before.
    type: list
    elements: str
    default: []
notes:
  - "Permissions: C(s3:PutObject), C(s3:GetObject), C(s3:ListBucket); with O(keep) also C(s3:DeleteObject)."
extends_documentation_fragment:
  - cloudops.fargate.attributes
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Publish the nginx configuration and the UI files
  cloudops.fargate.static_release:
    bucket: demo-dev-static-123456789012
    trees:
      ui: "{{ playbook_dir }}/files/ui"
    contents:
      config:
        default.conf: "{{ lookup('ansible.builtin.template', 'default.conf.j2') }}"
    keep: 5
    protect: ["{{ running_release }}"]
  register: release

- name: The prefix DataSync copies to EFS
  ansible.builtin.debug:
    msg: "s3://demo-dev-static-123456789012/{{ release.release.prefix }}"
"""

RETURN = r"""
release:
  description: The release of these files.
  returned: success
  type: dict
  contains:
    digest:
      description: Its name, 16 hex characters of the sha256 of its files.
      type: str
      sample: 3f1c2a9d0b7e6f54
    prefix:
      description: The key prefix that holds it, without a trailing slash.
      type: str
      sample: releases/3f1c2a9d0b7e6f54
    files:
      description: How many files it has.
      type: int
    bytes:
      description: Their total size.
      type: int
pruned:
  description: The digests of the releases deleted (or that would be, in check mode).
  returned: success
  type: list
  elements: str
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.cloudops.fargate.plugins.module_utils._common import InputError
from ansible_collections.cloudops.fargate.plugins.module_utils._common import module_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._static_release import StaticReleaseManager
from ansible_collections.cloudops.fargate.plugins.module_utils._static_release import release_files


def main():
    argument_spec = dict(
        bucket=dict(type="str", required=True),
        prefix=dict(type="str", default="releases"),
        trees=dict(type="dict", default={}),
        contents=dict(type="dict", default={}),
        keep=dict(type="int", default=0),
        protect=dict(type="list", elements="str", default=[]),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    p = module.params
    with module_errors(module):
        if p["keep"] < 0:
            raise InputError("keep must be 0 (keep every release) or more")
        if not p["trees"] and not p["contents"]:
            raise InputError("trees or contents must name at least one tree")
        if not p["prefix"].strip("/"):
            raise InputError("prefix must not be empty")
        files = release_files(
            {str(name): str(path) for name, path in p["trees"].items()},
            {str(name): texts for name, texts in p["contents"].items()},
        )
        manager = StaticReleaseManager(module, p["bucket"], p["prefix"])
        manager.publish(files)
        if p["keep"]:
            manager.prune(p["keep"], p["protect"])
    module.exit_json(changed=manager.changed, release=manager.release, pruned=manager.pruned, diff=manager.diff())


if __name__ == "__main__":
    main()
