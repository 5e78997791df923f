#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: acm_certificate_info
short_description: Read the ACM certificates of a name, imported or requested, with their status and users
version_added: 0.4.0
description:
  - Finds the ACM certificates that M(cloudops.fargate.acm_certificate) manages under O(name) (its C(Name) tag, and
    the identity tags among O(tags)), the imported one and the requested ones, and returns them in the shape that
    module returns, RV(certificates[].in_use_by) included.
  - A requested certificate comes with its RV(certificates[].status) and RV(certificates[].validation_records); a
    role polls this module (with M(cloudops.fargate.wait_until)) until ACM has issued it. With O(domain_name), only
    the requested certificates of exactly those names (O(subject_alternative_names)) are returned, newest first, as
    M(cloudops.fargate.acm_certificate) finds its own.
  - ACM keeps listing a load balancer or a Client VPN endpoint in C(InUseBy) for a while after it stopped using the
    certificate, and refuses to delete the certificate meanwhile; a role polls this module (with
    M(cloudops.fargate.wait_until)) until RV(certificates[].in_use_by) is empty, printing progress, before it deletes
    the certificate.
  - No certificate of that name is an empty list, not an error; more than one imported certificate carrying the same
    identity tags fails, naming them. Requested certificates come first, newest first, then the imported one.
author:
  - cloudops.fargate maintainers (!UNKNOWN)
options:
  name:
    description: The certificate's name, as given to M(cloudops.fargate.acm_certificate).
    type: str
    required: true
  domain_name:
    description:
      - Only the requested certificates for this domain name (and exactly the O(subject_alternative_names)), as given
        to M(cloudops.fargate.acm_certificate).
    type: str
    version_added: 0.5.0
  subject_alternative_names:
    description:
      - With O(domain_name), the other names of the certificates to return, compared as a set, without regard to case.
    type: list
    elements: str
    default: []
    version_added: 0.5.0
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

- name: Wait for ACM to issue the requested certificate of the load balancer
  cloudops.fargate.wait_until:
    what: ACM to issue demo-prod-alb
    read:
      module: cloudops.fargate.acm_certificate_info
      args:
        name: demo-prod-alb
        domain_name: app.example.com
        tags: {Stack: demo, Environment: prod}
    ready: (result.certificates | first).status == 'ISSUED'
    fail: (result.certificates | first).status in ['VALIDATION_TIMED_OUT', 'FAILED', 'REVOKED']
    pending: >-
      (result.certificates | first).validation_records
      | rejectattr('validation_status', 'eq', 'SUCCESS') | map(attribute='domain_name') | list
    timeout: 3600
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
      description:
        - ACM's status of the certificate, C(ISSUED) or C(EXPIRED) for an imported one.
        - A requested one is C(PENDING_VALIDATION) until ACM has validated every domain, then C(ISSUED);
          C(VALIDATION_TIMED_OUT) after 72 hours without.
      type: str
      sample: ISSUED
    type:
      description: C(AMAZON_ISSUED) for a requested certificate.
      type: str
      returned: for a requested certificate
      sample: AMAZON_ISSUED
    domain_name:
      description: The certificate's domain name.
      type: str
      sample: app.example.com
    subject_alternative_names:
      description: Its names (a requested certificate's domain name first).
      type: list
      elements: str
      sample: [app.example.com, www.app.example.com]
    validation_records:
      description:
        - The CNAME records ACM resolves to validate the domains of a requested certificate, each with the domain it
          validates and that domain's C(validation_status) (C(PENDING_VALIDATION), C(SUCCESS), C(FAILED)); see
          M(cloudops.fargate.acm_certificate).
      type: list
      elements: dict
      returned: for a requested certificate
      sample:
        - name: _3f7b2b0c9a5e4d1f8c6a7e2d9b0f1a3c.app.example.com.
          type: CNAME
          value: _9d4e8a1b7c3f2e6d5a0b9c8f7e6d5a4b.xkrtwpqzmn.acm-validations.aws.
          domain_name: app.example.com
          validation_status: PENDING_VALIDATION
    not_after:
      description: End of the validity period, ISO 8601 in UTC; null for a requested certificate not issued yet.
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
from ansible_collections.cloudops.fargate.plugins.module_utils._acm import AcmInputError
from ansible_collections.cloudops.fargate.plugins.module_utils._acm import domain_name_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._acm import identity_of
from ansible_collections.cloudops.fargate.plugins.module_utils._acm import is_requested_as
from ansible_collections.cloudops.fargate.plugins.module_utils._acm import requested_domains


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        domain_name=dict(type="str"),
        subject_alternative_names=dict(type="list", elements="str", default=[]),
        tags=dict(type="dict", aliases=["resource_tags"]),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    if not HAS_CRYPTOGRAPHY:
        module.fail_json(msg=missing_required_lib("cryptography"))
    with module_errors(module):
        params = module.params
        identity = identity_of(params)
        manager = AcmCertificateManager(module)
        if params["domain_name"] is not None:
            errors = domain_name_errors(params["domain_name"], "domain_name")
            for index, name in enumerate(params["subject_alternative_names"]):
                errors.extend(domain_name_errors(name, f"subject_alternative_names[{index}]"))
            if errors:
                raise AcmInputError("; ".join(errors))
            wanted = {
                "domain_name": params["domain_name"],
                "subject_alternative_names": requested_domains(
                    params["domain_name"], params["subject_alternative_names"]
                ),
            }
            found = [c for c in manager.find_requested(identity["lookup_tags"]) if is_requested_as(c, wanted)]
            module.exit_json(changed=False, certificates=found)
        arn = manager.find(identity["name"], identity["lookup_tags"])
        imported = manager.read(arn) if arn else None
        requested = manager.find_requested(identity["lookup_tags"])
        module.exit_json(changed=False, certificates=requested + ([imported[0]] if imported else []))


if __name__ == "__main__":
    main()
