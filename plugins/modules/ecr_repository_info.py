#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ecr_repository_info
short_description: List ECR repositories with their policies and tags
version_added: 0.1.0
description:
  - Lists the ECR repositories of the registry, or those named in O(names), keeping those that carry all of O(tags).
  - Each repository comes with its lifecycle policy, repository policy and tags, in the shape
    M(cloudops.fargate.ecr_repository) returns.
  - A name in O(names) without a repository is left out of the result; it is not an error.
author:
  - cloudops.fargate maintainers (!UNKNOWN)
options:
  names:
    description:
      - The names of the repositories to return; all repositories of the registry when not given.
      - Returned in this order, once each.
    type: list
    elements: str
    aliases: [repository_names]
  tags:
    description: Return only the repositories that carry every one of these tags with the same value.
    type: dict
extends_documentation_fragment:
  - cloudops.fargate.attributes.INFO_MODULE
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Find the stack's repositories by tag
  cloudops.fargate.ecr_repository_info:
    tags:
      Stack: demo
      Environment: local
  register: registry_found

- name: Map names to URIs
  ansible.builtin.set_fact:
    registry_repository_uris: "{{ registry_found.repositories | items2dict(key_name='repository_name', value_name='repository_uri') }}"

- name: Read two repositories by name
  cloudops.fargate.ecr_repository_info:
    names:
      - demo-local/web-app
      - demo-local/worker
"""

RETURN = r"""
repositories:
  description: The repositories found, by O(names) order when given, otherwise by name.
  returned: always
  type: list
  elements: dict
  contains:
    repository_name:
      description: The name of the repository.
      type: str
      sample: demo-local/web-app
    repository_arn:
      description: The ARN of the repository.
      type: str
      sample: arn:aws:ecr:us-east-1:123456789012:repository/demo-local/web-app
    repository_uri:
      description: The URI to push to and pull from.
      type: str
      sample: 123456789012.dkr.ecr.us-east-1.amazonaws.com/demo-local/web-app
    registry_id:
      description: The account ID of the registry.
      type: str
      sample: "123456789012"
    image_tag_mutability:
      description: The tag mutability of the repository.
      type: str
      sample: IMMUTABLE
    scan_on_push:
      description: Whether images are scanned when pushed.
      type: bool
      sample: true
    encryption_type:
      description: How images are encrypted at rest.
      type: str
      sample: AES256
    kms_key:
      description: The KMS key that encrypts the images.
      type: str
      returned: when the repository is encrypted with KMS
    lifecycle_policy:
      description: The lifecycle policy, parsed; null when there is none.
      type: dict
    repository_policy:
      description: The repository policy, parsed; null when there is none.
      type: dict
    tags:
      description: The repository's tags.
      type: dict
      sample: {"Stack": "demo", "Environment": "local"}
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.cloudops.fargate.plugins.module_utils._common import module_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._ecr import EcrRepositoryInfoManager
from ansible_collections.cloudops.fargate.plugins.module_utils._ecr import validate_repository_name


def main():
    argument_spec = dict(
        names=dict(type="list", elements="str", aliases=["repository_names"]),
        tags=dict(type="dict"),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    names = module.params["names"]
    with module_errors(module):
        for index, name in enumerate(names or []):
            validate_repository_name(name, option=f"names[{index}]")
        manager = EcrRepositoryInfoManager(module)
        module.exit_json(changed=False, repositories=manager.list_repositories(names, module.params["tags"]))


if __name__ == "__main__":
    main()
