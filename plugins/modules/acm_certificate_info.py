#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: acm_certificate_info
short_description: Read an imported ACM certificate by its name, with the resources ACM says use it
version_added: 0.4.0
description:
  - Finds the imported ACM certificate that M(cloudops.fargate.acm_certificate) manages under O(name) (its C(Name)
    tag, and the identity tags among O(tags)) and returns it in the shape that module returns, RV(certificates[].in_use_by)
    included.
  - ACM keeps listing a load balancer or a Client VPN endpoint in C(InUseBy) for a while after it stopped using the
    certificate, and refuses to delete the certificate meanwhile; a role polls this module (with
    M(cloudops.fargate.wait_until)) until RV(certificates[].in_use_by) is empty, printing progress, before it deletes
    the certificate.
  - No certificate of that name is an empty list, not an error; more than one carrying the same identity tags fails,
    naming them.
author:
  - cloudops.fargate maintainers (!UNKNOWN)
options:
  name:
    description: The certificate's name, as given to M(cloudops.fargate.acm_certificate).
    type: str
    required: true
  tags:
    description:
      - The tags given to M(cloudops.fargate.acm_certificate); those that identify a stack (C(Stack),
        C(Environment), C(ManagedBy)) narrow the lookup as they do there, the others are ignored.
    type: dict
    aliases: [resource_tags]
extends_documentation_fragment:
  - cloudops.fargate.attributes.INFO_MODULE
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Wait for ACM to stop listing the load balancer among the certificate's users
  cloudops.fargate.wait_until:
    what: ACM to release demo-local-alb
    read:
      module: cloudops.fargate.acm_certificate_info
      args:
        name: demo-local-alb
        tags: {Stack: demo, Environment: local}
    ready: result.certificates | map(attribute='in_use_by') | flatten | length == 0
    pending: result.certificates | map(attribute='in_use_by') | flatten
    timeout: 600
"""

RETURN = r"""
certificates:
  description:
    - The certificate found, in the shape of the C(certificate) that M(cloudops.fargate.acm_certificate) returns; an
      empty list when there is none.
  returned: always
  type: list
  elements: dict
  contains:
    certificate_arn:
      description: The certificate's ARN.
      type: str
      sample: arn:aws:acm:us-east-1:123456789012:certificate/0d1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6
    name:
      description: The value of the C(Name) tag.
      type: str
      sample: demo-local-alb
    status:
      description: ACM's status of the certificate, C(ISSUED) or C(EXPIRED) for an imported one.
      type: str
      sample: ISSUED
    not_after:
      description: End of the validity period, ISO 8601 in UTC.
      type: str
      sample: "2026-01-01T00:00:00+00:00"
    in_use_by:
      description: The ARNs of the resources using the certificate, as ACM lists them.
      type: list
      elements: str
      sample: ["arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/demo-local/50dc6c495c0c9188"]
    tags:
      description: The certificate's tags, C(Name) included.
      type: dict
      sample: {"Name": "demo-local-alb", "Stack": "demo", "Environment": "local"}
"""

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.cloudops.fargate.plugins.module_utils._common import module_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._acm import HAS_CRYPTOGRAPHY
from ansible_collections.cloudops.fargate.plugins.module_utils._acm import AcmCertificateManager
from ansible_collections.cloudops.fargate.plugins.module_utils._acm import identity_of


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        tags=dict(type="dict", aliases=["resource_tags"]),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    if not HAS_CRYPTOGRAPHY:
        module.fail_json(msg=missing_required_lib("cryptography"))
    with module_errors(module):
        identity = identity_of(module.params)
        manager = AcmCertificateManager(module)
        arn = manager.find(identity["name"], identity["lookup_tags"])
        found = manager.read(arn) if arn else None
        module.exit_json(changed=False, certificates=[found[0]] if found else [])


if __name__ == "__main__":
    main()
