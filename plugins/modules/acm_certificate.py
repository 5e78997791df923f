#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: acm_certificate
short_description: Import a certificate, its private key and chain into ACM
version_added: 0.1.0
description:
  - Imports a PEM certificate with its private key and optional chain into AWS Certificate Manager (ACM), keeps
    it up to date, or deletes it. Used for the load balancer's HTTPS listener and for the Client VPN endpoint's
    server and client root certificates.
  - The certificate is identified by its O(name), which it carries as the tag C(Name), together with those of
    the stack's identity tags C(Stack), C(Environment) and C(ManagedBy) that O(tags) gives. Only imported
    certificates are considered, and never by their domain, so two certificates for the same domain, or with
    the same content under two names, are two certificates.
  - Idempotent by content. The SHA-256 fingerprints of the certificate and of each certificate of the chain,
    computed from their DER encoding, are compared with those of the certificate ACM holds; PEM formatting
    never counts as a change. A different content (a renewed certificate, another chain) is imported again into
    the same ARN, so the listeners and endpoints using it keep working. The private key cannot be read back
    from ACM and need not be, since it belongs to the certificate's public key, which the fingerprint covers.
  - ACM refuses some changes on a re-import; they fail before anything changes, in check mode too, and name the
    option. The key type and size cannot change, key usages and extended key usages the certificate has cannot
    be removed (except C(keyEncipherment) from an ECDSA certificate, and C(clientAuth)), and neither extension
    can be added to a certificate that had none. To make such a change, delete the certificate first.
  - Every input is checked before the first AWS call, with errors naming the option. The certificate must be a
    single PEM X.509 certificate within its validity period with a non-empty issuer; the private key must be an
    unencrypted PEM key of a type ACM imports that belongs to the certificate's public key; the chain must hold
    the certificate's issuer, which must have signed it, and none of its certificates may have expired.
  - The private key is never logged, returned or shown in a diff.
author:
  - cloudops.fargate maintainers (!UNKNOWN)
options:
  state:
    description: Whether the certificate should exist.
    type: str
    choices: [present, absent]
    default: present
  name:
    description:
      - The certificate's name, the value of its C(Name) tag, at most 256 characters. With the identity tags
        among O(tags), it identifies the certificate.
    type: str
    required: true
  certificate:
    description:
      - The certificate, PEM-encoded, alone; the certificates that issued it go to O(certificate_chain).
      - Required with O(state=present).
    type: str
  private_key:
    description:
      - The certificate's private key, PEM-encoded (PKCS#8 or traditional) and unencrypted, at most 5120 bytes.
      - RSA with 1024, 2048, 3072 or 4096 bits, or ECDSA with P-256, P-384 or P-521.
      - Required with O(state=present). Never logged or returned.
    type: str
  certificate_chain:
    description:
      - The certificates that issued O(certificate), PEM-encoded, one after the other, the issuer of the
        certificate among them.
      - Part of the content that is compared. Not given, or empty, means the certificate has no chain, as a
        self-signed certificate or a Client VPN root has none.
    type: str
  tags:
    description:
      - Tags for the certificate besides C(Name). Left alone on an existing certificate when not given.
      - Those of C(Stack), C(Environment) and C(ManagedBy) given here also identify the certificate.
      - A C(Name) key, if given, must equal O(name).
    type: dict
    aliases: [resource_tags]
  purge_tags:
    description:
      - Remove tags not listed in O(tags). The C(Name) tag and tags whose key starts with C(aws:) are never
        removed.
      - Has no effect when O(tags) is not given.
    type: bool
    default: true
  in_use_timeout:
    description:
      - With O(state=absent), seconds to wait for ACM to let go of the certificate. ACM keeps listing the load
        balancer or the Client VPN endpoint that used it (C(InUseBy)) for a while after its listener or the
        endpoint is deleted, and refuses the deletion meanwhile (C(ResourceInUseException)); the module polls
        C(InUseBy) until it is empty and retries a deletion ACM still refuses, both within this time.
      - The default, 5 minutes, covers what ACM takes after a listener or an endpoint is deleted, so a task that
        deletes the certificate right after them works without it. A certificate really still in use fails
        once it has passed, naming what ACM still lists (terraform-provider-aws waits up to 20 minutes).
      - With C(0), a certificate in use fails at once, naming what uses it.
    type: int
    default: 300
notes:
  - Deleting a certificate that is still in use once O(in_use_timeout) has passed fails with a message naming
    what uses it (ACM's C(InUseBy)). In check mode the module warns instead, since the tasks before it may
    release it.
  - ACM keeps the tags and the associations of a certificate on a re-import; tags cannot be given with a
    re-import, so they are set with separate calls.
requirements:
  - cryptography >= 39
extends_documentation_fragment:
  - cloudops.fargate.attributes
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Import the load balancer's certificate
  cloudops.fargate.acm_certificate:
    name: demo-local-alb
    certificate: "{{ lookup('ansible.builtin.file', 'tls/demo.crt') }}"
    private_key: "{{ lookup('ansible.builtin.file', 'tls/demo.key') }}"
    certificate_chain: "{{ lookup('ansible.builtin.file', 'tls/intermediate.crt') }}"
    tags:
      Stack: demo
      Environment: local
      ManagedBy: cloudops.fargate
  register: alb_certificate

- name: Import the Client VPN server certificate (self-signed PKI, no chain)
  cloudops.fargate.acm_certificate:
    name: demo-local-vpn-server
    certificate: "{{ vpn_server_certificate }}"
    private_key: "{{ vpn_server_private_key }}"
    tags:
      Stack: demo
      Environment: local
      ManagedBy: cloudops.fargate

- name: Delete the load balancer's certificate once the listener is gone, waiting up to 10 minutes for ACM
  cloudops.fargate.acm_certificate:
    name: demo-local-alb
    state: absent
    in_use_timeout: 600
    tags:
      Stack: demo
      Environment: local
      ManagedBy: cloudops.fargate
"""

RETURN = r"""
certificate:
  description: The certificate as it is, or would be in check mode; empty after O(state=absent).
  returned: always
  type: dict
  contains:
    certificate_arn:
      description: The certificate's ARN. Absent in check mode before the first import.
      type: str
      returned: when it exists
      sample: arn:aws:acm:us-east-1:123456789012:certificate/0d1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6
    name:
      description: The value of the C(Name) tag.
      type: str
      returned: when present
      sample: demo-local-alb
    domain_name:
      description: The certificate's common name, or its first alternative name when it has none.
      type: str
      returned: when present
      sample: app.example.com
    subject_alternative_names:
      description: The DNS names and IP addresses of the certificate's subject alternative name extension.
      type: list
      elements: str
      returned: when present
      sample: [app.example.com, www.app.example.com]
    subject:
      description: The certificate's subject, in RFC 4514 notation.
      type: str
      returned: when present
      sample: CN=app.example.com,O=Example
    issuer:
      description: The certificate's issuer, in RFC 4514 notation.
      type: str
      returned: when present
      sample: CN=Example Intermediate CA,O=Example
    serial_number:
      description: The certificate's serial number, as hex pairs joined by colons.
      type: str
      returned: when present
      sample: "0f:8e:7d:6c:5b:4a"
    key_algorithm:
      description: The key type, as ACM names it.
      type: str
      returned: when present
      sample: RSA_2048
    fingerprint_sha256:
      description: The SHA-256 fingerprint of the certificate's DER encoding, lowercase hex pairs joined by colons.
      type: str
      returned: when present
      sample: "3a:0c:...:9f"
    chain_fingerprints_sha256:
      description: The SHA-256 fingerprints of the chain's certificates, in order; empty without a chain.
      type: list
      elements: str
      returned: when present
      sample: ["b1:22:...:04"]
    not_before:
      description: Start of the validity period, ISO 8601 in UTC.
      type: str
      returned: when present
      sample: "2025-01-01T00:00:00+00:00"
    not_after:
      description: End of the validity period, ISO 8601 in UTC.
      type: str
      returned: when present
      sample: "2026-01-01T00:00:00+00:00"
    status:
      description: ACM's status of the certificate, C(ISSUED) or C(EXPIRED) for an imported one.
      type: str
      returned: when present
      sample: ISSUED
    in_use_by:
      description: The ARNs of the resources using the certificate, as ACM lists them.
      type: list
      elements: str
      returned: when present
      sample: ["arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/demo-local/50dc6c495c0c9188"]
    tags:
      description: The certificate's tags, C(Name) included.
      type: dict
      returned: when present
      sample: {"Name": "demo-local-alb", "Stack": "demo", "Environment": "local"}
"""

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.cloudops.fargate.plugins.module_utils._common import module_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._acm import DEFAULT_IN_USE_TIMEOUT
from ansible_collections.cloudops.fargate.plugins.module_utils._acm import HAS_CRYPTOGRAPHY
from ansible_collections.cloudops.fargate.plugins.module_utils._acm import AcmCertificateManager
from ansible_collections.cloudops.fargate.plugins.module_utils._acm import AcmInputError
from ansible_collections.cloudops.fargate.plugins.module_utils._acm import identity_of
from ansible_collections.cloudops.fargate.plugins.module_utils._acm import wanted_certificate


def main():
    argument_spec = dict(
        state=dict(type="str", choices=["present", "absent"], default="present"),
        name=dict(type="str", required=True),
        certificate=dict(type="str"),
        private_key=dict(type="str", no_log=True),
        certificate_chain=dict(type="str"),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        in_use_timeout=dict(type="int", default=DEFAULT_IN_USE_TIMEOUT),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        required_if=[("state", "present", ["certificate", "private_key"])],
        supports_check_mode=True,
    )
    if not HAS_CRYPTOGRAPHY:
        module.fail_json(msg=missing_required_lib("cryptography"))
    params = module.params
    with module_errors(module):
        if params["state"] == "present":
            wanted = wanted_certificate(params)
            manager = AcmCertificateManager(module)
            manager.ensure_present(wanted)
        else:
            identity = identity_of(params)
            if params["in_use_timeout"] < 0:
                raise AcmInputError(f"in_use_timeout must be 0 or more seconds, not {params['in_use_timeout']}")
            manager = AcmCertificateManager(module)
            manager.ensure_absent(identity["name"], identity["lookup_tags"], in_use_timeout=params["in_use_timeout"])
        module.exit_json(changed=manager.changed, certificate=manager.certificate, diff=manager.diff())


if __name__ == "__main__":
    main()
