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
  image:
    description:
      - An image to look up in each repository returned, by tag or by digest (C(sha256:<64 hex digits>)).
      - Each repository then has RV(repositories[].image), null when it does not hold that image; so a deploy can
        check, before it changes anything, that the image it will roll out is there and what its scan found.
    type: str
    version_added: 0.4.0
  details:
    description:
      - Whether to read each repository's tags, lifecycle policy and repository policy too (three calls per
        repository).
      - When false, RV(repositories[].tags) is empty unless O(tags) filters, and both policies are null; what a
        deploy's image lookup needs costs one call per repository less than four.
    type: bool
    default: true
    version_added: 0.4.0
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

- name: Find the image a deploy would roll out
  cloudops.fargate.ecr_repository_info:
    names: [demo-local/app, demo-local/nginx]
    image: 1.4.2
  register: images_found

- name: Stop before anything changes when a repository does not hold it
  ansible.builtin.assert:
    that: images_found.repositories | selectattr('image', 'none') | list | length == 0
    fail_msg: "Push 1.4.2 to {{ images_found.repositories | selectattr('image', 'none') | map(attribute='repository_uri') | join(', ') }}"
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
    image:
      description: The image O(image) names, as DescribeImages reports it; null when the repository does not hold it.
      returned: when O(image) is given
      type: dict
      version_added: 0.4.0
      contains:
        image_digest:
          description: The digest of the image's manifest.
          type: str
          sample: sha256:0f0e8f4d9b7c6a5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e
        image_tags:
          description: Every tag that points at the image, sorted.
          type: list
          elements: str
          sample: ["1.4.2"]
        image_pushed_at:
          description: When the image was pushed, ISO 8601.
          type: str
        image_size_in_bytes:
          description: The size of the image's layers.
          type: int
        image_manifest_media_type:
          description: The media type of the image's manifest (an image, or an index of images).
          type: str
          sample: application/vnd.oci.image.index.v1+json
        scan_status:
          description: The status of the image's last scan (for example C(COMPLETE), C(IN_PROGRESS), C(FAILED)); null
            when it was never scanned.
          type: str
        finding_severity_counts:
          description: How many findings of each severity the last scan has; empty without a finished scan.
          type: dict
          sample: {"HIGH": 1, "LOW": 4}
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.cloudops.fargate.plugins.module_utils._common import InputError
from ansible_collections.cloudops.fargate.plugins.module_utils._common import module_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._ecr import EcrRepositoryInfoManager
from ansible_collections.cloudops.fargate.plugins.module_utils._ecr import validate_repository_name
from ansible_collections.cloudops.fargate.plugins.module_utils._ecr_image import is_valid_digest
from ansible_collections.cloudops.fargate.plugins.module_utils._ecr_image import is_valid_tag


def main():
    argument_spec = dict(
        names=dict(type="list", elements="str", aliases=["repository_names"]),
        tags=dict(type="dict"),
        image=dict(type="str"),
        details=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    names = module.params["names"]
    image = module.params["image"]
    with module_errors(module):
        for index, name in enumerate(names or []):
            validate_repository_name(name, option=f"names[{index}]")
        if image is not None and not (is_valid_tag(image) or is_valid_digest(image)):
            raise InputError(
                f"image ({image}) must be a tag (letters, digits, '_', '.', '-', at most 128 characters, not starting"
                " with '.' or '-') or a digest 'sha256:<64 lowercase hex digits>'"
            )
        manager = EcrRepositoryInfoManager(module)
        repositories = manager.list_repositories(
            names, module.params["tags"], image, details=module.params["details"]
        )
        module.exit_json(changed=False, repositories=repositories)


if __name__ == "__main__":
    main()
