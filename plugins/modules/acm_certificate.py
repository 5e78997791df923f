#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: acm_certificate
short_description: Import a certificate into ACM, or request one that ACM issues once DNS validates it
version_added: 0.1.0
description:
  - Imports a PEM certificate with its private key and optional chain into AWS Certificate Manager (ACM), keeps
    it up to date, or deletes it. Used for the load balancer's HTTPS listener and for the Client VPN endpoint's
    server and client root certificates.
  - With O(domain_name) instead of O(certificate), requests a public certificate from ACM for that name and the
    O(subject_alternative_names), validated by DNS (version 0.5.0). It returns the CNAME records that prove the
    domains are yours (RV(certificate.validation_records)), ready for M(amazon.aws.route53); ACM issues the
    certificate once every record resolves. The module does not wait for that; poll
    M(cloudops.fargate.acm_certificate_info) with M(cloudops.fargate.wait_until) until RV(certificate.status) is
    C(ISSUED). ACM gives up after 72 hours (C(VALIDATION_TIMED_OUT)); a later run then requests a new certificate.
  - The certificate is identified by its O(name), which it carries as the tag C(Name), together with those of
    the stack's identity tags C(Stack), C(Environment) and C(ManagedBy) that O(tags) gives; an imported one among
    imported certificates, a requested one among the certificates ACM issued. Never by their domain alone, so two
    certificates for the same domain, or with the same content under two names, are two certificates.
  - The names of a requested certificate cannot change, in ACM or here. A task whose O(domain_name),
    O(subject_alternative_names) or O(key_algorithm) differ from those of the certificate of the name requests a
    new certificate, as a replacement; the old one stays, so that the load balancer keeps serving it until it
    uses the new one, and is listed in RV(replaced_certificates). A later run with O(delete_replaced=true) (once
    nothing uses them) deletes the replaced certificates.
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
      - The certificate to import, PEM-encoded, alone; the certificates that issued it go to O(certificate_chain).
      - With O(state=present), this or O(domain_name) is required.
    type: str
  private_key:
    description:
      - The certificate's private key, PEM-encoded (PKCS#8 or traditional) and unencrypted, at most 5120 bytes.
      - RSA with 1024, 2048, 3072 or 4096 bits, or ECDSA with P-256, P-384 or P-521.
      - Required with O(certificate). Never logged or returned.
    type: str
  certificate_chain:
    description:
      - The certificates that issued O(certificate), PEM-encoded, one after the other, the issuer of the
        certificate among them.
      - Part of the content that is compared. Not given, or empty, means the certificate has no chain, as a
        self-signed certificate or a Client VPN root has none.
    type: str
  domain_name:
    description:
      - Request a certificate for this fully qualified domain name (at most 64 characters, no final dot), such as
        C(www.example.com), or a wildcard C(*.example.com). It is the certificate's common name.
      - With O(state=present), this or O(certificate) is required; it cannot go with O(certificate),
        O(private_key) or O(certificate_chain).
    type: str
    version_added: 0.5.0
  subject_alternative_names:
    description:
      - More names for a requested certificate, besides O(domain_name) (which ACM lists first), each at most 253
        characters. A wildcard and its parent (C(*.example.com) and C(example.com)) are validated by one record.
      - The list is compared as a set, without regard to case; a different one requests a replacement.
      - ACM's initial quota is 10 names per certificate, O(domain_name) included; at most 100 once raised.
    type: list
    elements: str
    version_added: 0.5.0
  validation_method:
    description:
      - How ACM validates the domains of a requested certificate. Only C(DNS); left out, C(DNS) too.
    type: str
    choices: [DNS]
    version_added: 0.5.0
  key_algorithm:
    description:
      - The key type of a requested certificate. Left out, a new request gets C(RSA_2048) (ACM's default) and an
        existing certificate of any key type is kept; given, a certificate of another key type is replaced.
    type: str
    choices: [RSA_2048, EC_prime256v1, EC_secp384r1]
    version_added: 0.5.0
  delete_replaced:
    description:
      - With O(domain_name), delete the other certificates of the name (RV(replaced_certificates)), waiting up to
        O(in_use_timeout) for ACM to let go of each. Run it once the load balancer uses the new certificate.
      - Only certificates carrying the O(name) and the identity tags are ever deleted.
    type: bool
    default: false
    version_added: 0.5.0
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
      - With O(state=absent) or O(delete_replaced=true), seconds to wait for ACM to let go of the certificate.
        ACM keeps listing the load balancer or the Client VPN endpoint that used it (C(InUseBy)) for a while after
        its listener or the endpoint is deleted, and refuses the deletion meanwhile (C(ResourceInUseException));
        the module polls C(InUseBy) until it is empty and retries a deletion ACM still refuses, both within this
        time.
      - The default, 5 minutes, covers what ACM takes after a listener or an endpoint is deleted, so a task that
        deletes the certificate right after them works without it. A certificate really still in use fails
        once it has passed, naming what ACM still lists (terraform-provider-aws waits up to 20 minutes).
      - With C(0), a certificate in use fails at once, naming what uses it.
    type: int
    default: 300
notes:
  - O(state=absent) deletes every certificate of the name, the imported one and the requested ones.
  - A request carries an idempotency token made of the name, the tags and the domain names, so a run repeated
    within the hour after one that was interrupted gets the certificate that run requested, not a second one.
  - Right after a request ACM takes a few seconds to show the validation records; the module polls for them, up
    to 5 minutes (as terraform-provider-aws does).
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

- name: Request the load balancer's certificate from ACM, validated by DNS
  cloudops.fargate.acm_certificate:
    name: demo-prod-alb
    domain_name: app.example.com
    subject_alternative_names: [www.app.example.com]
    tags:
      Stack: demo
      Environment: prod
      ManagedBy: cloudops.fargate
  register: alb_certificate

- name: Create the validation records
  amazon.aws.route53:
    state: present
    zone: example.com
    record: "{{ item.name }}"
    type: "{{ item.type }}"
    value: "{{ item.value }}"
    ttl: 300
    overwrite: true
  loop: "{{ alb_certificate.certificate.validation_records }}"
  loop_control:
    label: "{{ item.domain_name }}"

- name: Wait for ACM to issue the certificate
  cloudops.fargate.wait_until:
    what: ACM to issue demo-prod-alb
    read:
      module: cloudops.fargate.acm_certificate_info
      args:
        name: demo-prod-alb
        domain_name: app.example.com
        subject_alternative_names: [www.app.example.com]
        tags: {Stack: demo, Environment: prod, ManagedBy: cloudops.fargate}
    ready: (result.certificates | first).status == 'ISSUED'
    fail: (result.certificates | first).status in ['VALIDATION_TIMED_OUT', 'FAILED', 'REVOKED']
    pending: >-
      (result.certificates | first).validation_records
      | rejectattr('validation_status', 'eq', 'SUCCESS') | map(attribute='domain_name') | list
    timeout: 3600

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
  description:
    - The certificate as it is, or would be in check mode; empty after O(state=absent).
    - An imported certificate has the fields of its PEM; a requested one has RV(certificate.type),
      RV(certificate.validation_method), RV(certificate.validation_records) and RV(certificate.created_at) instead of
      C(subject), C(issuer), C(serial_number), C(fingerprint_sha256) and C(chain_fingerprints_sha256).
  returned: always
  type: dict
  contains:
    certificate_arn:
      description: The certificate's ARN. Absent in check mode before the first import or request.
      type: str
      returned: when it exists
      sample: arn:aws:acm:us-east-1:123456789012:certificate/0d1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6
    name:
      description: The value of the C(Name) tag.
      type: str
      returned: when present
      sample: demo-local-alb
    type:
      description: C(AMAZON_ISSUED) for a requested certificate.
      type: str
      returned: for a requested certificate
      sample: AMAZON_ISSUED
    validation_method:
      description: How ACM validates the domains of a requested certificate.
      type: str
      returned: for a requested certificate
      sample: DNS
    validation_records:
      description:
        - The CNAME records ACM resolves to validate the domains, one per record (a wildcard and its parent share
          one); empty in check mode before the request. Create them in the domain's public DNS zone.
      type: list
      elements: dict
      returned: for a requested certificate
      contains:
        name:
          description: The record's name, a fully qualified name with its final dot.
          type: str
          sample: _3f7b2b0c9a5e4d1f8c6a7e2d9b0f1a3c.app.example.com.
        type:
          description: The record's type.
          type: str
          sample: CNAME
        value:
          description: The record's value.
          type: str
          sample: _9d4e8a1b7c3f2e6d5a0b9c8f7e6d5a4b.xkrtwpqzmn.acm-validations.aws.
        domain_name:
          description: The (first) domain of the certificate the record validates.
          type: str
          sample: app.example.com
        validation_status:
          description: That domain's validation, C(PENDING_VALIDATION), C(SUCCESS) or C(FAILED).
          type: str
          sample: PENDING_VALIDATION
    created_at:
      description: When the certificate was requested, ISO 8601 in UTC; null in check mode before the request.
      type: str
      returned: for a requested certificate
      sample: "2026-12-07T05:41:15+00:00"
    domain_name:
      description: The certificate's common name, or its first alternative name when it has none.
      type: str
      returned: when present
      sample: app.example.com
    subject_alternative_names:
      description:
        - The DNS names and IP addresses of the certificate's subject alternative name extension.
        - For a requested certificate, its domain name first, then the alternative names.
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
      description: Start of the validity period, ISO 8601 in UTC; null for a requested certificate not issued yet.
      type: str
      returned: when present
      sample: "2025-01-01T00:00:00+00:00"
    not_after:
      description: End of the validity period, ISO 8601 in UTC; null for a requested certificate not issued yet.
      type: str
      returned: when present
      sample: "2026-01-01T00:00:00+00:00"
    status:
      description:
        - ACM's status of the certificate, C(ISSUED) or C(EXPIRED) for an imported one.
        - A requested one is C(PENDING_VALIDATION) until ACM has validated every domain, then C(ISSUED);
          C(VALIDATION_TIMED_OUT) after 72 hours without.
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
replaced_certificates:
  description:
    - With O(domain_name), the other certificates of the name (and identity tags) that the returned one replaces
      or will replace (other domain names or key type, a validation that timed out, an imported one); empty once
      O(delete_replaced=true) has deleted them.
  returned: with O(domain_name)
  type: list
  elements: dict
  contains:
    certificate_arn:
      description: The certificate's ARN.
      type: str
    type:
      description: C(AMAZON_ISSUED) or C(IMPORTED).
      type: str
    domain_name:
      description: Its domain name.
      type: str
    subject_alternative_names:
      description: Its names.
      type: list
      elements: str
    status:
      description: ACM's status of it.
      type: str
    in_use_by:
      description: What uses it, as ACM lists it; it can be deleted once this is empty.
      type: list
      elements: str
"""

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.cloudops.fargate.plugins.module_utils._common import module_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._acm import DEFAULT_IN_USE_TIMEOUT
from ansible_collections.cloudops.fargate.plugins.module_utils._acm import HAS_CRYPTOGRAPHY
from ansible_collections.cloudops.fargate.plugins.module_utils._acm import REQUEST_KEY_ALGORITHMS
from ansible_collections.cloudops.fargate.plugins.module_utils._acm import VALIDATION_METHODS
from ansible_collections.cloudops.fargate.plugins.module_utils._acm import AcmCertificateManager
from ansible_collections.cloudops.fargate.plugins.module_utils._acm import AcmInputError
from ansible_collections.cloudops.fargate.plugins.module_utils._acm import identity_of
from ansible_collections.cloudops.fargate.plugins.module_utils._acm import wanted_certificate
from ansible_collections.cloudops.fargate.plugins.module_utils._acm import wanted_request

IMPORT_OPTIONS = ("certificate", "private_key", "certificate_chain")
REQUEST_OPTIONS = ("domain_name", "subject_alternative_names", "validation_method", "key_algorithm")


def main():
    argument_spec = dict(
        state=dict(type="str", choices=["present", "absent"], default="present"),
        name=dict(type="str", required=True),
        certificate=dict(type="str"),
        private_key=dict(type="str", no_log=True),
        certificate_chain=dict(type="str"),
        domain_name=dict(type="str"),
        subject_alternative_names=dict(type="list", elements="str"),
        validation_method=dict(type="str", choices=list(VALIDATION_METHODS)),
        key_algorithm=dict(type="str", choices=list(REQUEST_KEY_ALGORITHMS)),
        delete_replaced=dict(type="bool", default=False),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        in_use_timeout=dict(type="int", default=DEFAULT_IN_USE_TIMEOUT),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        required_if=[("state", "present", ["certificate", "domain_name"], True)],
        mutually_exclusive=[(imported, requested) for imported in IMPORT_OPTIONS for requested in REQUEST_OPTIONS],
        required_by={option: "domain_name" for option in REQUEST_OPTIONS[1:]},
        supports_check_mode=True,
    )
    if not HAS_CRYPTOGRAPHY:
        module.fail_json(msg=missing_required_lib("cryptography"))
    params = module.params
    with module_errors(module):
        if params["in_use_timeout"] < 0:
            raise AcmInputError(f"in_use_timeout must be 0 or more seconds, not {params['in_use_timeout']}")
        if params["state"] == "present" and params["domain_name"] is not None:
            wanted = wanted_request(params)
            manager = AcmCertificateManager(module)
            manager.ensure_requested(wanted, params["delete_replaced"], params["in_use_timeout"])
        elif params["state"] == "present":
            if params["private_key"] is None:
                raise AcmInputError("private_key is required with certificate: ACM imports the two together")
            wanted = wanted_certificate(params)
            manager = AcmCertificateManager(module)
            manager.ensure_present(wanted)
        else:
            identity = identity_of(params)
            manager = AcmCertificateManager(module)
            manager.ensure_absent(identity["name"], identity["lookup_tags"], in_use_timeout=params["in_use_timeout"])
        result = {"changed": manager.changed, "certificate": manager.certificate, "diff": manager.diff()}
        if manager.replaced is not None:
            result["replaced_certificates"] = manager.replaced
        module.exit_json(**result)


if __name__ == "__main__":
    main()
