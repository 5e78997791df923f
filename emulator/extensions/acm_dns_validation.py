"""ACM certificates requested with DNS validation: pending until their CNAME records resolve, as on AWS.

moto 5.2.5 issues every certificate requested from ACM (``RequestCertificate`` without a private CA) 60 seconds after
the request, whether or not anyone created its validation records, and shows the same fixed ``ResourceRecord`` for
every domain of every certificate from the first DescribeCertificate on. On AWS (ACM user guide, "DNS validation";
API reference, RequestCertificate, DescribeCertificate, CertificateDetail, GetCertificate):

* ACM names one CNAME record per domain, created "specifically for your domain and your account": the same record for
  every certificate of that domain in the account, in any Region ("Without the need to repeat validation, you can
  request additional ACM certificates for your FQDN for as long as the CNAME record remains in place"). Its name is
  ``_<32 hex>.<domain>.`` and its value ``_<32 hex>.<10 letters>.acm-validations.aws.``; a wildcard ``*.example.com``
  is validated by the record of ``example.com``, which it shares with the apex.
* "there is a delay of several seconds before you can retrieve information about the new certificate"
  (RequestCertificate): DomainValidationOptions list the domains at once but without their ``ResourceRecord`` until
  ACM has assigned it;
  terraform-provider-aws ``internal/service/acm/certificate.go`` (``waitCertificateDomainValidationsAvailable``) polls
  for up to 5 minutes until it is there.
* The certificate stays ``PENDING_VALIDATION`` until ACM resolves every domain's record (public DNS), then issues it;
  each domain's ``ValidationStatus`` turns ``SUCCESS`` as ACM validates it. "ACM makes repeated attempts to validate a
  certificate for 72 hours and then times out" (CertificateDetail.Status): ``VALIDATION_TIMED_OUT``.
* A certificate not issued has no certificate yet: DescribeCertificate shows no ``Issuer``, ``Serial``,
  ``NotBefore``, ``NotAfter`` or ``IssuedAt`` (moto shows those of the key pair it made at the request), and
  GetCertificate answers ``RequestInProgressException`` ("The certificate request is in process and the certificate
  in your account has not yet been issued").
* ELBv2 refuses a certificate that is not issued: CreateListener, ModifyListener and AddListenerCertificates answer
  ``UnsupportedCertificate`` (HTTP 400) "The certificate '<arn>' must have a fully-qualified domain name, a supported
  signature, and a supported key size." (hashicorp/terraform-provider-aws#41789 and #26245,
  crossplane-contrib/provider-upjet-aws#338: listeners created before ``aws_acm_certificate_validation`` completed).
* ``KeyAlgorithm`` of the request (RSA_2048 unless given) is the certificate's; moto makes an RSA 2048 key whatever
  was asked. A request without ``ValidationMethod`` is validated by email.

This extension keeps, on every certificate a RequestCertificate makes (``AWSCertificateManagerResponse.
request_certificate`` wrapped; a repeat with the same IdempotencyToken within the hour is moto's and returns the same
certificate, untouched), the request's validation method, key algorithm and domains (DomainName first, then the SANs
in request order, once each, as ACM lists them) and three clocks:

* ``realism.seconds('certificate.validation_records')`` (0 in plain mode) until ACM shows the ``ResourceRecord``s;
* per record, ``realism.seconds('certificate.dns_validation', plain=1)`` from when ACM first sees it resolve until the
  domains it validates are ``SUCCESS``: a public hosted zone of moto's Route 53 backend (the account's, in the
  Region's partition) whose name the record's name ends with holds a CNAME of that name whose value is the record's
  value (case and the final dot do not count). A record removed before then starts over; a validated domain stays
  validated. The certificate is ``ISSUED`` (``IssuedAt`` then) once every domain is;
* ``realism.seconds('certificate.validation_timeout', plain=72 h)``: a certificate still pending then is
  ``VALIDATION_TIMED_OUT`` and its unvalidated domains ``FAILED``.

``CertBundle.check`` (every ACM read goes through it) advances the clocks in place of moto's 60-second issue, so ACM
"sees" a record at the first read after it exists: never sooner than on AWS, where ACM polls DNS itself.
``CertBundle.describe`` shows what is above; ``AWSCertificateManagerResponse.get_certificate`` refuses a certificate not
issued; the ELBv2 backend's ``create_listener``, ``modify_listener`` and ``add_listener_certificates`` refuse one.
DeleteCertificate of a certificate a listener uses is refused by ``acm_imported_certificates`` (for every certificate).
Email validation is not modelled beyond its effect: nobody approves, so the certificate times out.

Not modelled: DescribeCertificate answering ResourceNotFoundException in the first seconds after the request (clients
must and do cope with the missing ResourceRecord instead), the hyphenated KeyAlgorithm (``RSA-2048``) AWS's
DescribeCertificate shows (terraform-provider-aws normalises it), refusals of the request itself (domain names,
KeyAlgorithm values only imported certificates may have), whether a zone is delegated from its parent (any public zone
of the name counts), CAA records, and managed renewal.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
from dataclasses import dataclass, field
from typing import Any

from moto.acm.models import AWSCertificateManagerBackend, CertBundle, acm_backends, datetime_to_epoch
from moto.acm.responses import AWSCertificateManagerResponse
from moto.core.exceptions import AWSError
from moto.core.responses import ActionResult
from moto.core.utils import utcnow
from moto.elbv2.exceptions import ELBClientError
from moto.elbv2.models import ELBv2Backend
from moto.route53.models import route53_backends
from moto.utilities.utils import get_partition

from emulator import realism
from emulator.extensions import _patching
from emulator.extensions._patching import Patch

VALIDATION_RECORDS = "certificate.validation_records"
DNS_VALIDATION = "certificate.dns_validation"
VALIDATION_TIMEOUT = "certificate.validation_timeout"
PLAIN_DNS_VALIDATION_SECONDS = 1.0
PLAIN_VALIDATION_TIMEOUT_SECONDS = 72 * 3600.0
DEFAULT_KEY_ALGORITHM = "RSA_2048"
REQUEST_IN_PROGRESS_MESSAGE = (
    "The certificate request is in process and the certificate in your account has not yet been issued."
)
# What a certificate not issued has no value for yet.
_ISSUED_ONLY_FIELDS = ("Issuer", "Serial", "NotBefore", "NotAfter", "IssuedAt")
_STATE = "_emulator_dns_validation"


class RequestInProgressException(AWSError):
    TYPE = "RequestInProgressException"


@dataclass
class Validation:
    """What a requested certificate's validation stands at; kept on moto's CertBundle."""

    account_id: str
    region: str
    method: str
    key_algorithm: str
    domains: list[str]
    records_assigned: realism.Timer
    times_out: realism.Timer
    seen: dict[str, realism.Timer] = field(default_factory=dict)  # record name -> since ACM sees it resolve
    validated: set[str] = field(default_factory=set)  # record names
    issued_at: datetime.datetime | None = None

    def records(self) -> dict[str, tuple[str, str]]:
        """Record name -> (name, value), one per base domain, in the order of the domains."""
        found: dict[str, tuple[str, str]] = {}
        for domain in self.domains:
            name, value = validation_record(self.account_id, domain)
            found.setdefault(name, (name, value))
        return found


# --- records ---------------------------------------------------------------------------------------------------


def base_domain(domain: str) -> str:
    """The name ACM validates for ``domain``: a wildcard's parent, lower case, without the final dot."""
    domain = domain.strip().rstrip(".").lower()
    return domain[2:] if domain.startswith("*.") else domain


def validation_record(account_id: str, domain: str) -> tuple[str, str]:
    """The (name, value) of the CNAME record that validates ``domain`` for ``account_id``: the same for every
    certificate of the domain in the account, as ACM's."""
    base = base_domain(domain)
    name_digest = hashlib.sha256(f"name\0{account_id}\0{base}".encode()).hexdigest()
    value_digest = hashlib.sha256(f"value\0{account_id}\0{base}".encode()).hexdigest()
    letters = "".join(chr(ord("a") + int(digit, 16) % 26) for digit in value_digest[32:42])
    return f"_{name_digest[:32]}.{base}.", f"_{value_digest[:32]}.{letters}.acm-validations.aws."


def _fqdn(name: str) -> str:
    return name.strip().rstrip(".").lower() + "."


def _record_value(record: Any) -> str:
    return str(record.get("Value", "")) if isinstance(record, dict) else str(record)


def resolvable(account_id: str, region: str, name: str, value: str) -> bool:
    """Whether a public hosted zone of moto's Route 53 holds the CNAME ``name`` -> ``value``."""
    wanted_name, wanted_value = _fqdn(name), _fqdn(value)
    route53 = route53_backends[account_id][get_partition(region)]
    for zone in list(route53.zones.values()):
        zone_name = _fqdn(zone.name)
        if zone.private_zone or not (wanted_name == zone_name or wanted_name.endswith("." + zone_name)):
            continue
        for record_set in list(zone.rrsets):
            if record_set.type != "CNAME" or _fqdn(record_set.name) != wanted_name:
                continue
            if any(_fqdn(_record_value(record)) == wanted_value for record in record_set.records or []):
                return True
    return False


# --- the validation's progress ----------------------------------------------------------------------------------


def validation_of(bundle: CertBundle) -> Validation | None:
    return bundle.__dict__.get(_STATE)


def advance(bundle: CertBundle, validation: Validation) -> None:
    """Move a pending certificate on: records ACM now sees start their clock, those seen long enough validate their
    domains, and the certificate is issued once all are, or times out."""
    if validation.times_out.done:
        bundle.status = "VALIDATION_TIMED_OUT"
        return
    if validation.method != "DNS" or not validation.records_assigned.done:
        return
    for name, (_name, value) in validation.records().items():
        if name in validation.validated:
            continue
        if not resolvable(validation.account_id, validation.region, name, value):
            validation.seen.pop(name, None)
            continue
        timer = validation.seen.get(name)
        if timer is None:
            timer = validation.seen[name] = realism.Timer.of(
                DNS_VALIDATION, plain=PLAIN_DNS_VALIDATION_SECONDS, subject=bundle.arn
            )
        if timer.done:
            validation.validated.add(name)
    if set(validation.records()) <= validation.validated:
        bundle.status = "ISSUED"
        validation.issued_at = utcnow()


def domain_status(bundle: CertBundle, validation: Validation, domain: str) -> str:
    name, _value = validation_record(validation.account_id, domain)
    if name in validation.validated or validation.issued_at is not None:
        return "SUCCESS"
    return "FAILED" if bundle.status == "VALIDATION_TIMED_OUT" else "PENDING_VALIDATION"


def ordered_domains(domain_name: str, alternative_names: list[str] | None) -> list[str]:
    """DomainName first, then the SANs in the order given, each once."""
    domains: list[str] = []
    for domain in [domain_name, *(alternative_names or [])]:
        if domain and domain not in domains:
            domains.append(domain)
    return domains


# --- wrappers ---------------------------------------------------------------------------------------------------


def _request_keeping_validation(original: Any) -> Any:
    @functools.wraps(original)
    def request_certificate(self: AWSCertificateManagerResponse) -> Any:
        response = original(self)
        arn = response.result["CertificateArn"] if isinstance(response, ActionResult) else None
        bundle = self.acm_backend._certificates.get(arn) if arn else None
        if bundle is None or bundle.type != "AMAZON_ISSUED" or validation_of(bundle) is not None:
            return response  # a private CA's certificate, or a repeat within the hour of the same token
        bundle.__dict__[_STATE] = Validation(
            account_id=self.current_account,
            region=self.region,
            method=self._get_param("ValidationMethod") or "EMAIL",
            key_algorithm=self._get_param("KeyAlgorithm") or DEFAULT_KEY_ALGORITHM,
            domains=ordered_domains(self._get_param("DomainName"), self._get_param("SubjectAlternativeNames")),
            records_assigned=realism.Timer.of(VALIDATION_RECORDS, subject=arn),
            times_out=realism.Timer.of(
                VALIDATION_TIMEOUT, plain=PLAIN_VALIDATION_TIMEOUT_SECONDS, subject=arn, record=False
            ),
        )
        return response

    return request_certificate


def _check_validating(original: Any) -> Any:
    @functools.wraps(original)
    def check(self: CertBundle) -> None:
        validation = validation_of(self)
        if validation is None or self.status != "PENDING_VALIDATION":
            return original(self)  # imported, private, or past validation: moto's (expiry)
        advance(self, validation)
        return None

    return check


def _describe_as_validated(original: Any) -> Any:
    @functools.wraps(original)
    def describe(self: CertBundle) -> dict[str, Any]:
        result = original(self)
        validation = validation_of(self)
        if validation is None:
            return result
        certificate = result["Certificate"]
        certificate["KeyAlgorithm"] = validation.key_algorithm
        certificate["SubjectAlternativeNames"] = list(validation.domains)
        options = []
        for domain in validation.domains:
            option: dict[str, Any] = {
                "DomainName": domain,
                "ValidationDomain": domain,
                "ValidationStatus": domain_status(self, validation, domain),
                "ValidationMethod": validation.method,
            }
            if validation.method == "DNS" and validation.records_assigned.done:
                name, value = validation_record(validation.account_id, domain)
                option["ResourceRecord"] = {"Name": name, "Type": "CNAME", "Value": value}
            options.append(option)
        certificate["DomainValidationOptions"] = options
        if validation.issued_at is None:
            for name in _ISSUED_ONLY_FIELDS:
                certificate.pop(name, None)
        else:
            certificate["IssuedAt"] = datetime_to_epoch(validation.issued_at)
        return result

    return describe


def _get_certificate_once_issued(original: Any) -> Any:
    @functools.wraps(original)
    def get_certificate(self: AWSCertificateManagerResponse) -> Any:
        arn = self._get_param("CertificateArn")
        if arn and arn in self.acm_backend._certificates:
            bundle = self.acm_backend.get_certificate(arn)  # advances the validation
            validation = validation_of(bundle)
            if validation is not None and validation.issued_at is None:
                raise RequestInProgressException(REQUEST_IN_PROGRESS_MESSAGE)
        return original(self)

    return get_certificate


def unsupported_certificate(arn: str) -> ELBClientError:
    return ELBClientError(
        "UnsupportedCertificate",
        f"The certificate '{arn}' must have a fully-qualified domain name, a supported signature, and a supported"
        " key size.",
    )


def refuse_certificates_not_issued(elbv2: ELBv2Backend, arns: list[str | None]) -> None:
    acm: AWSCertificateManagerBackend = acm_backends[elbv2.account_id][elbv2.region_name]
    for arn in arns:
        bundle = acm._certificates.get(arn) if arn else None
        if bundle is None:
            continue  # unknown certificates are acm_imported_certificates' (CertificateNotFound) and moto's
        validation = validation_of(bundle)
        if validation is not None:
            bundle.check()
            if validation.issued_at is None:
                raise unsupported_certificate(arn)


def _arns(certificates: list[dict[str, Any]] | None) -> list[str | None]:
    return [certificate.get("CertificateArn") for certificate in certificates or []]


def _create_listener_issued_only(original: Any) -> Any:
    @functools.wraps(original)
    def create_listener(self: ELBv2Backend, *args: Any, **kwargs: Any) -> Any:
        # (load_balancer_arn, protocol, port, ssl_policy, certificate, actions, ...)
        refuse_certificates_not_issued(self, [kwargs.get("certificate", args[4] if len(args) > 4 else None)])
        return original(self, *args, **kwargs)

    return create_listener


def _modify_listener_issued_only(original: Any) -> Any:
    @functools.wraps(original)
    def modify_listener(self: ELBv2Backend, arn: str, *args: Any, **kwargs: Any) -> Any:
        # (arn, port, protocol, ssl_policy, certificates, actions)
        refuse_certificates_not_issued(self, _arns(kwargs.get("certificates", args[3] if len(args) > 3 else None)))
        return original(self, arn, *args, **kwargs)

    return modify_listener


def _add_listener_certificates_issued_only(original: Any) -> Any:
    @functools.wraps(original)
    def add_listener_certificates(self: ELBv2Backend, arn: str, certificates: list[dict[str, Any]]) -> Any:
        refuse_certificates_not_issued(self, _arns(certificates))
        return original(self, arn, certificates)

    return add_listener_certificates


# tests/unit/emulator/test_acm_dns_validation.py restores each.
PATCHES = (
    Patch(AWSCertificateManagerResponse, "request_certificate", _request_keeping_validation),
    Patch(AWSCertificateManagerResponse, "get_certificate", _get_certificate_once_issued),
    Patch(CertBundle, "check", _check_validating),
    Patch(CertBundle, "describe", _describe_as_validated),
    Patch(ELBv2Backend, "create_listener", _create_listener_issued_only),
    Patch(ELBv2Backend, "modify_listener", _modify_listener_issued_only),
    Patch(ELBv2Backend, "add_listener_certificates", _add_listener_certificates_issued_only),
)


def is_installed() -> bool:
    return _patching.installed(__name__, PATCHES)


def install() -> None:
    _patching.install(__name__, PATCHES)
