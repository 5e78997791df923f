#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ecr_repository
short_description: Manage an ECR repository with its lifecycle and repository policies
version_added: 0.1.0
description:
  - Creates, updates or deletes one Amazon ECR repository, identified by its O(name).
  - Tag mutability, scan on push, the lifecycle policy, the repository policy and the tags change in place.
    The encryption settings cannot change after the repository is created; a task asking for different
    ones fails, in check mode too, and names the option.
  - Policies are compared as parsed JSON, so key order and whitespace never count as a change, nor do a
    single statement given as an object instead of a list of one, a single action, resource or principal
    given as a string instead of a list of one, the principal C(*) written as an C(AWS) principal, or an
    account's root ARN instead of its account ID. Lifecycle rules are compared in the order of their priorities.
  - Every option is validated before anything changes, so a bad input fails without touching the repository.
  - With O(state=present) it also reads the registry's scanning configuration (one read-only call, in check mode
    too) and returns which scanning applies to the repository as RV(scanning). When the registry uses ENHANCED
    scanning (Amazon Inspector), the registry's rules decide and the repository's O(scan_on_push) is ignored; the
    module warns when a repository with O(scan_on_push=true) is scanned by such a rule instead, or by nothing at
    all because no rule's filter matches it.
author:
  - cloudops.fargate maintainers (!UNKNOWN)
options:
  state:
    description: Whether the repository should exist.
    type: str
    choices: [present, absent]
    default: present
  name:
    description:
      - The name of the repository, 2 to 256 characters of lowercase letters and digits, with single C(.),
        C(_) or C(-) between them and C(/) between path components (for example C(demo/web-app)).
    type: str
    required: true
    aliases: [repository_name]
  image_tag_mutability:
    description: Whether a tag, once pushed, may point at another image later.
    type: str
    choices: [MUTABLE, IMMUTABLE]
    default: IMMUTABLE
  scan_on_push:
    description:
      - Scan every image for vulnerabilities when it is pushed (basic scanning). Ignored by AWS when the
        registry uses ENHANCED scanning; see RV(scanning).
    type: bool
    default: true
  encryption_type:
    description:
      - How images are encrypted at rest. Cannot change after the repository is created.
    type: str
    choices: [AES256, KMS]
    default: AES256
  kms_key:
    description:
      - The KMS key (ID, ARN or alias) that encrypts the images. Required when O(encryption_type=KMS), not
        allowed otherwise. Cannot change after the repository is created; an alias is resolved through KMS
        to compare it with the repository's key.
    type: str
  lifecycle_policy:
    description:
      - The lifecycle policy, as a dict or a JSON string. Left alone when not given; C({}) or an empty string
        removes it.
      - Validated before any change; errors name the field, counting rules from 0, for example
        C(lifecycle_policy.rules[1].selection.countNumber must be a positive integer).
      - C(rules) must be a non-empty list. Each rule needs a unique positive integer C(rulePriority);
        C(selection.tagStatus) one of C(tagged), C(untagged), C(any); C(selection.countType) one of
        C(imageCountMoreThan), C(sinceImagePushed); a positive integer C(selection.countNumber);
        C(selection.countUnit=days) exactly when the count type is C(sinceImagePushed);
        C(selection.tagPrefixList) or C(selection.tagPatternList) exactly when the tag status is C(tagged);
        and C(action.type=expire). At most one rule may select C(any), and it must have the highest priority.
    type: json
  repository_policy:
    description:
      - The repository policy, as a dict or a JSON string. Left alone when not given; C({}) or an empty
        string removes it.
      - Must be a JSON object with a C(Statement) list (a single statement object is accepted too), each
        statement with C(Effect) C(Allow) or C(Deny).
    type: json
    aliases: [policy]
  tags:
    description: Tags for the repository. Left alone when not given.
    type: dict
    aliases: [resource_tags]
  purge_tags:
    description:
      - Remove tags not listed in O(tags). Tags whose key starts with C(aws:) are never removed.
      - Has no effect when O(tags) is not given.
    type: bool
    default: true
  force:
    description:
      - With O(state=absent), delete the repository even when it holds images, and the images with it.
      - Without it, deleting a repository that holds images fails and says how many it holds.
    type: bool
    default: false
notes:
  - ECR applies changes at once; there is nothing to wait for.
extends_documentation_fragment:
  - cloudops.fargate.attributes
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Create the application's repository with a lifecycle policy
  cloudops.fargate.ecr_repository:
    name: demo-local/web-app
    lifecycle_policy:
      rules:
        - rulePriority: 1
          description: Expire untagged images after 7 days
          selection:
            tagStatus: untagged
            countType: sinceImagePushed
            countUnit: days
            countNumber: 7
          action:
            type: expire
        - rulePriority: 2
          description: Keep the last 30 release images
          selection:
            tagStatus: tagged
            tagPrefixList: [v]
            countType: imageCountMoreThan
            countNumber: 30
          action:
            type: expire
    tags:
      Stack: demo
      Environment: local
      ManagedBy: cloudops.fargate

- name: Let another account pull the images
  cloudops.fargate.ecr_repository:
    name: demo-local/web-app
    repository_policy:
      Version: "2012-10-17"
      Statement:
        - Sid: AllowPull
          Effect: Allow
          Principal:
            AWS: arn:aws:iam::210987654321:root
          Action:
            - ecr:BatchGetImage
            - ecr:GetDownloadUrlForLayer

- name: Create a KMS-encrypted repository, policy from a file
  cloudops.fargate.ecr_repository:
    name: demo-local/worker
    encryption_type: KMS
    kms_key: alias/demo-local-ecr
    lifecycle_policy: "{{ lookup('ansible.builtin.file', 'lifecycle.json') }}"

- name: Remove the repository policy, leave everything else alone
  cloudops.fargate.ecr_repository:
    name: demo-local/web-app
    repository_policy: {}

- name: Delete the repository and its images
  cloudops.fargate.ecr_repository:
    name: demo-local/web-app
    state: absent
    force: true
"""

RETURN = r"""
repository:
  description: The repository as it is, or would be in check mode; empty after O(state=absent).
  returned: always
  type: dict
  contains:
    repository_name:
      description: The name of the repository.
      type: str
      returned: when present
      sample: demo-local/web-app
    repository_arn:
      description: The ARN of the repository. Absent in check mode before creation.
      type: str
      returned: when it exists
      sample: arn:aws:ecr:us-east-1:123456789012:repository/demo-local/web-app
    repository_uri:
      description: The URI to push to and pull from. Absent in check mode before creation.
      type: str
      returned: when it exists
      sample: 123456789012.dkr.ecr.us-east-1.amazonaws.com/demo-local/web-app
    registry_id:
      description: The account ID of the registry. Absent in check mode before creation.
      type: str
      returned: when it exists
      sample: "123456789012"
    image_tag_mutability:
      description: C(MUTABLE) or C(IMMUTABLE).
      type: str
      returned: when present
      sample: IMMUTABLE
    scan_on_push:
      description: Whether images are scanned when pushed.
      type: bool
      returned: when present
      sample: true
    encryption_type:
      description: C(AES256) or C(KMS).
      type: str
      returned: when present
      sample: AES256
    kms_key:
      description: The KMS key that encrypts the images.
      type: str
      returned: when O(encryption_type=KMS)
      sample: arn:aws:kms:us-east-1:123456789012:key/0d1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6
    lifecycle_policy:
      description: The lifecycle policy, parsed; null when there is none.
      type: dict
      returned: when present
      sample: {"rules": [{"rulePriority": 1, "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed",
               "countUnit": "days", "countNumber": 7}, "action": {"type": "expire"}}]}
    repository_policy:
      description: The repository policy, parsed; null when there is none.
      type: dict
      returned: when present
      sample: {"Version": "2012-10-17", "Statement": [{"Sid": "AllowPull", "Effect": "Allow",
               "Principal": {"AWS": "arn:aws:iam::210987654321:root"}, "Action": ["ecr:BatchGetImage"]}]}
    tags:
      description: The repository's tags.
      type: dict
      returned: when present
      sample: {"Stack": "demo", "Environment": "local"}
scanning:
  description:
    - Which scanning applies to the repository, from the registry's scanning configuration
      (GetRegistryScanningConfiguration) and the repository's scan on push.
    - Under BASIC scanning, the repository's scan on push or a registry rule with C(SCAN_ON_PUSH) whose filter
      matches it scans each pushed image; otherwise only scans someone starts (C(MANUAL)).
    - Under ENHANCED scanning (Amazon Inspector), only the registry's rules count, C(CONTINUOUS_SCAN) over
      C(SCAN_ON_PUSH) when both match; no matching rule means nothing scans the repository's images. A filter
      without C(*) matches every name that contains it; C(*) stands for any characters of the whole name.
  returned: when O(state=present)
  type: dict
  contains:
    type:
      description: C(BASIC), C(ENHANCED), or null when nothing scans the repository's images (or the registry's
        configuration could not be read).
      type: str
      returned: always
      sample: ENHANCED
    frequency:
      description: C(SCAN_ON_PUSH), C(CONTINUOUS_SCAN), C(MANUAL) (basic scanning, only scans someone starts), or
        null when RV(scanning.type) is null.
      type: str
      returned: always
      sample: CONTINUOUS_SCAN
    filter:
      description: The filter of the registry rule that applies; null when no rule does, or the repository's own
        scan on push applies.
      type: str
      returned: always
      sample: demo-*
    registry_scan_type:
      description: The registry's scan type, C(BASIC) or C(ENHANCED); null when it could not be read.
      type: str
      returned: always
      sample: ENHANCED
    applies_because:
      description: Why this scanning applies, in words.
      type: str
      returned: always
      sample: the registry uses ENHANCED scanning (Amazon Inspector) and its CONTINUOUS_SCAN rule's filter
        'demo-*' matches the repository; the repository's scan on push is ignored
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.cloudops.fargate.plugins.module_utils._common import module_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._ecr import ENCRYPTION_TYPES
from ansible_collections.cloudops.fargate.plugins.module_utils._ecr import TAG_MUTABILITY_CHOICES
from ansible_collections.cloudops.fargate.plugins.module_utils._ecr import EcrRepositoryManager
from ansible_collections.cloudops.fargate.plugins.module_utils._ecr import validate_repository_name
from ansible_collections.cloudops.fargate.plugins.module_utils._ecr import wanted_settings


def main():
    argument_spec = dict(
        state=dict(type="str", choices=["present", "absent"], default="present"),
        name=dict(type="str", required=True, aliases=["repository_name"]),
        image_tag_mutability=dict(type="str", choices=list(TAG_MUTABILITY_CHOICES), default="IMMUTABLE"),
        scan_on_push=dict(type="bool", default=True),
        encryption_type=dict(type="str", choices=list(ENCRYPTION_TYPES), default="AES256"),
        kms_key=dict(type="str", no_log=False),
        lifecycle_policy=dict(type="json"),
        repository_policy=dict(type="json", aliases=["policy"]),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        force=dict(type="bool", default=False),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params

    with module_errors(module):
        if params["state"] == "present":
            wanted = wanted_settings(params)
            manager = EcrRepositoryManager(module)
            manager.ensure_present(wanted)
        else:
            validate_repository_name(params["name"])
            manager = EcrRepositoryManager(module)
            manager.ensure_absent(params["name"], force=params["force"])
        result = dict(changed=manager.changed, repository=manager.repository, diff=manager.diff())
        if params["state"] == "present":
            result["scanning"] = manager.scanning
        module.exit_json(**result)


if __name__ == "__main__":
    main()
