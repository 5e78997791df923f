# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Manager behind cloudops.fargate.acm_certificate, and its pure helpers.

An imported certificate is identified by its ``Name`` tag (plus the stack's identity tags the caller gives),
never by its domain. Its content is compared as parsed certificates: the SHA-256 fingerprint of the DER
encoding of the certificate and of every certificate of its chain, so PEM line lengths, headers or trailing
whitespace never count as a change. A different content is imported again into the same ARN, which keeps
the certificate's associations (load balancer listeners, Client VPN endpoints) working.

A requested certificate (RequestCertificate, validated by DNS) is identified the same way among the certificates ACM
issued, and by its domain names: names cannot change on a certificate, so other names make a new request whose
certificate replaces the old one once the caller has moved its users over (``delete_replaced``). The manager never
waits for ACM to issue it, only, briefly, for ACM to show the CNAME records the caller must create.

Every input is parsed and checked before the first AWS call. The private key never leaves this file other
than in the ImportCertificate request: no message, result or diff holds it.
"""

from __future__ import annotations

import datetime
import re
from copy import deepcopy
from typing import Any

from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list

from ansible_collections.cloudops.fargate.plugins.module_utils._common import AWSActionError
from ansible_collections.cloudops.fargate.plugins.module_utils._common import BaseResourceManager
from ansible_collections.cloudops.fargate.plugins.module_utils._common import Deadline
from ansible_collections.cloudops.fargate.plugins.module_utils._common import InputError
from ansible_collections.cloudops.fargate.plugins.module_utils._common import Transient
from ansible_collections.cloudops.fargate.plugins.module_utils._common import call
from ansible_collections.cloudops.fargate.plugins.module_utils._common import call_through
from ansible_collections.cloudops.fargate.plugins.module_utils._common import idempotency_token
from ansible_collections.cloudops.fargate.plugins.module_utils._common import merged_tags
from ansible_collections.cloudops.fargate.plugins.module_utils._common import paginate
from ansible_collections.cloudops.fargate.plugins.module_utils._common import tag_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._common import wait
from ansible_collections.cloudops.fargate.plugins.module_utils._common import wanted_tags

try:
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID
    from cryptography.x509.oid import NameOID
except ImportError:
    HAS_CRYPTOGRAPHY = False
else:
    HAS_CRYPTOGRAPHY = True

# --- constants ------------------------------------------------------------------------------------------

NAME_TAG = "Name"
# The stack's identity tags (see DESIGN.md, "Naming and tags"): those of them given in ``tags`` are part
# of the certificate's identity, so two stacks may each have a certificate of the same name.
IDENTITY_TAG_KEYS = ("Stack", "Environment", "ManagedBy")
# An ACM tag value is at most 256 characters, and the name is the value of the Name tag.
NAME_MAX_LENGTH = 256
# The key types ACM imports, by their API names.
ACM_KEY_TYPES = (
    "RSA_1024",
    "RSA_2048",
    "RSA_3072",
    "RSA_4096",
    "EC_prime256v1",
    "EC_secp384r1",
    "EC_secp521r1",
)
_EC_CURVE_NAMES = {"secp256r1": "EC_prime256v1", "secp384r1": "EC_secp384r1", "secp521r1": "EC_secp521r1"}
PRIVATE_KEY_MAX_BYTES = 5120
_PEM_CERTIFICATE_BEGIN = "-----BEGIN CERTIFICATE-----"

IN_USE_POLL_DELAY = 5
# How long a deletion waits, by default, for ACM to stop listing the users of a certificate (in_use_timeout). ACM
# keeps a load balancer or a Client VPN endpoint in InUseBy for a while after it stopped using the certificate, and
# DeleteCertificate answers ResourceInUseException meanwhile: terraform-provider-aws internal/service/acm
# certificate.go retries that answer for certificateCrossServicePropagationTimeout, 20 minutes. Five minutes covers
# what AWS takes in practice (under a minute for a listener, a few for a Client VPN endpoint) without keeping a
# deletion of a certificate that is really still in use waiting for long before it fails naming the users.
DEFAULT_IN_USE_TIMEOUT = 300
# DeleteCertificate's answer while ACM still counts a user; within in_use_timeout it is retried.
IN_USE = Transient("ResourceInUseException", "in use")

# The key usage an ECDSA certificate may drop on a re-import (AWS ACM user guide, "Reimport a certificate").
_DROPPABLE_KEY_USAGE_FOR_EC = "key_encipherment"
# cryptography's names of the KeyUsage flags.
_KEY_USAGE_FLAGS = (
    "digital_signature",
    "content_commitment",
    "key_encipherment",
    "data_encipherment",
    "key_agreement",
    "key_cert_sign",
    "crl_sign",
    "encipher_only",
    "decipher_only",
)

# DescribeCertificate until ACM no longer lists anything in InUseBy (a listener or a Client VPN endpoint
# releases its certificate a little after it is deleted); a certificate already gone counts as released.
_RETRIED_ERRORS = ("ThrottlingException", "TooManyRequestsException", "RequestInProgressException")
IN_USE_WAITER_CONFIG = {
    "version": 2,
    "waiters": {
        "CertificateNotInUse": {
            "operation": "DescribeCertificate",
            "delay": IN_USE_POLL_DELAY,
            "maxAttempts": 120,
            "acceptors": [
                {
                    "state": "success",
                    "matcher": "path",
                    "argument": "length(Certificate.InUseBy || `[]`) == `0`",
                    "expected": True,
                },
                {"state": "success", "matcher": "error", "expected": "ResourceNotFoundException"},
                *({"state": "retry", "matcher": "error", "expected": code} for code in _RETRIED_ERRORS),
            ],
        }
    },
}


class AcmInputError(InputError):
    """The caller's arguments cannot describe a certificate to import; the message names the option."""


# --- small conversions ----------------------------------------------------------------------------------


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def _as_bytes(value: str | bytes) -> bytes:
    return value if isinstance(value, bytes) else value.encode("utf-8")


def iso8601(moment: datetime.datetime) -> str:
    """An aware (or UTC naive) datetime as ISO 8601 in UTC, to the second."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment.astimezone(datetime.timezone.utc).replace(microsecond=0).isoformat()


def not_valid_before(certificate) -> datetime.datetime:
    value = getattr(certificate, "not_valid_before_utc", None)  # cryptography >= 42
    return value if value is not None else certificate.not_valid_before.replace(tzinfo=datetime.timezone.utc)


def not_valid_after(certificate) -> datetime.datetime:
    value = getattr(certificate, "not_valid_after_utc", None)  # cryptography >= 42
    return value if value is not None else certificate.not_valid_after.replace(tzinfo=datetime.timezone.utc)


def fingerprint_sha256(certificate) -> str:
    """The SHA-256 fingerprint of the certificate's DER encoding, as lowercase hex pairs joined by colons."""
    return ":".join(f"{byte:02x}" for byte in certificate.fingerprint(hashes.SHA256()))


def serial_number(certificate) -> str:
    """The serial number in ACM's notation: lowercase hex pairs joined by colons."""
    digits = format(certificate.serial_number, "x")
    if len(digits) % 2:
        digits = "0" + digits
    return ":".join(digits[i : i + 2] for i in range(0, len(digits), 2))


def subject_of(certificate) -> str:
    return certificate.subject.rfc4514_string()


def key_algorithm(public_key) -> str:
    """ACM's name of the key type (``RSA_2048``, ``EC_prime256v1`` ...); a description for other types."""
    if isinstance(public_key, rsa.RSAPublicKey):
        return f"RSA_{public_key.key_size}"
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        return _EC_CURVE_NAMES.get(public_key.curve.name, f"EC_{public_key.curve.name}")
    name = type(public_key).__name__.lstrip("_")
    for prefix in ("Rust", "OpenSSL"):
        if name.startswith(prefix):
            name = name[len(prefix) :]
    return name.replace("PublicKey", "") or "unknown"


def public_key_der(key) -> bytes:
    """The SubjectPublicKeyInfo of a public key, or of the public half of a private key."""
    public_key = key.public_key() if hasattr(key, "private_bytes") else key
    return public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def domain_names(certificate) -> tuple[str, list[str]]:
    """ACM's DomainName (the common name, else the first alternative name) and SubjectAlternativeNames."""
    try:
        extension = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        alternative_names: list[str] = []
    else:
        alternative_names = [
            str(name.value) for name in extension.value if isinstance(name, (x509.DNSName, x509.IPAddress))
        ]
    common_names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    if common_names:
        domain = str(common_names[0].value)
    else:
        domain = alternative_names[0] if alternative_names else ""
    return domain, alternative_names


def tags_from_acm(tag_list: list[dict[str, Any]] | None) -> dict[str, str]:
    """ACM's tag list as a dict; ACM may leave out the Value of a tag that has none."""
    return {tag["Key"]: tag.get("Value", "") for tag in tag_list or []}


# --- parsing the caller's PEM ---------------------------------------------------------------------------


def parse_certificates(text: Any, option: str) -> list:
    """Every certificate of a PEM text, in order; raises AcmInputError naming ``option``."""
    if not isinstance(text, (str, bytes)) or not text.strip():
        raise AcmInputError(f"{option} must be a non-empty PEM text")
    data = _as_bytes(text)
    if _PEM_CERTIFICATE_BEGIN.encode() not in data:
        raise AcmInputError(f"{option} is not a PEM-encoded X.509 certificate: it has no {_PEM_CERTIFICATE_BEGIN} line")
    try:
        certificates = x509.load_pem_x509_certificates(data)
    except ValueError as e:
        raise AcmInputError(f"{option} is not a valid PEM-encoded X.509 certificate: {e}") from None
    if not certificates:
        raise AcmInputError(f"{option} holds no certificate")
    return certificates


def parse_certificate(text: Any, option: str = "certificate"):
    """The one certificate of a PEM text; a bundle of several is an error, their place is the chain."""
    certificates = parse_certificates(text, option)
    if len(certificates) > 1:
        raise AcmInputError(
            f"{option} holds {len(certificates)} certificates; give the server certificate alone in {option} and"
            " the certificates that issued it in certificate_chain"
        )
    return certificates[0]


def parse_private_key(text: Any, option: str = "private_key"):
    """The private key of a PEM text; the messages never quote the text."""
    if not isinstance(text, (str, bytes)) or not text.strip():
        raise AcmInputError(f"{option} must be a non-empty PEM text")
    data = _as_bytes(text)
    if len(data.strip()) > PRIVATE_KEY_MAX_BYTES:
        raise AcmInputError(f"{option} is {len(data.strip())} bytes long; ACM accepts at most {PRIVATE_KEY_MAX_BYTES}")
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except TypeError:
        raise AcmInputError(f"{option} is encrypted; ACM needs the key without a passphrase") from None
    except (ValueError, UnsupportedAlgorithm):
        raise AcmInputError(f"{option} is not a PEM-encoded private key") from None
    return key


def validity_errors(certificate, option: str, now: datetime.datetime | None = None) -> list[str]:
    """Why ``certificate`` cannot be imported now: expired, or not valid yet."""
    now = now or _now()
    errors = []
    if not_valid_after(certificate) <= now:
        errors.append(
            f"{option} ({subject_of(certificate)}) expired on {iso8601(not_valid_after(certificate))}; ACM does"
            " not import expired certificates"
        )
    if not_valid_before(certificate) > now:
        errors.append(
            f"{option} ({subject_of(certificate)}) is not valid before {iso8601(not_valid_before(certificate))};"
            " ACM imports a certificate only within its validity period"
        )
    return errors


def key_errors(certificate, key, certificate_option: str = "certificate", key_option: str = "private_key") -> list[str]:
    """Why ``key`` cannot go with ``certificate`` into ACM: an unsupported type, or another key pair."""
    errors = []
    algorithm = key_algorithm(key.public_key())
    if algorithm not in ACM_KEY_TYPES:
        errors.append(
            f"{key_option} is a {algorithm} key, which ACM does not import; use RSA (1024, 2048, 3072 or 4096 bits)"
            " or ECDSA (P-256, P-384 or P-521)"
        )
    if public_key_der(key) != public_key_der(certificate.public_key()):
        errors.append(
            f"{key_option} does not match {certificate_option}: it is not the private key of the public key in"
            f" {certificate_option} ({subject_of(certificate)})"
        )
    return errors


def _signed_by(certificate, issuer) -> bool:
    verify = getattr(certificate, "verify_directly_issued_by", None)  # cryptography >= 40
    if verify is None:
        return certificate.issuer == issuer.subject
    try:
        verify(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def chain_errors(
    certificate, chain: list, option: str = "certificate_chain", now: datetime.datetime | None = None
) -> list[str]:
    """Why ``chain`` is not a chain for ``certificate``.

    ACM requires the certificate's issuer to be the subject of a certificate of the chain; this checks too that
    that certificate signed it, that the chain does not repeat the certificate, and that no part has expired.
    Parts are named by their index in the chain, counted from 0.
    """
    now = now or _now()
    errors = []
    leaf = fingerprint_sha256(certificate)
    for index, part in enumerate(chain):
        where = f"{option}[{index}]"
        if fingerprint_sha256(part) == leaf:
            errors.append(f"{where} is the certificate itself; {option} holds only the certificates that issued it")
            continue
        errors.extend(validity_errors(part, where, now))
    issuers = [part for part in chain if part.subject == certificate.issuer and fingerprint_sha256(part) != leaf]
    if not issuers:
        held = ", ".join(subject_of(part) for part in chain) or "nothing"
        errors.append(
            f"{option} does not hold the issuer of certificate: certificate is issued by"
            f" {certificate.issuer.rfc4514_string()}, {option} holds {held}"
        )
    elif not any(_signed_by(certificate, issuer) for issuer in issuers):
        errors.append(
            f"{option}: {certificate.issuer.rfc4514_string()} in {option} did not sign certificate (the signature"
            " does not verify with its key)"
        )
    return errors


def chain_fingerprints(chain: list, leaf_fingerprint: str | None = None) -> list[str]:
    """The fingerprints of a chain in order, leaving out the certificate itself should the chain repeat it."""
    return [fp for fp in (fingerprint_sha256(part) for part in chain) if fp != leaf_fingerprint]


def pem_of(certificates: list) -> str:
    """Certificates as canonical PEM, one after the other."""
    return "".join(c.public_bytes(serialization.Encoding.PEM).decode("ascii") for c in certificates)


# --- what a certificate looks like in the result -----------------------------------------------------------


def certificate_facts(certificate, chain: list) -> dict[str, Any]:
    """The fields of the result that the certificate (and its chain) itself determines."""
    domain, alternative_names = domain_names(certificate)
    fingerprint = fingerprint_sha256(certificate)
    return {
        "domain_name": domain,
        "subject_alternative_names": alternative_names,
        "subject": subject_of(certificate),
        "issuer": certificate.issuer.rfc4514_string(),
        "serial_number": serial_number(certificate),
        "key_algorithm": key_algorithm(certificate.public_key()),
        "fingerprint_sha256": fingerprint,
        "chain_fingerprints_sha256": chain_fingerprints(chain, fingerprint),
        "not_before": iso8601(not_valid_before(certificate)),
        "not_after": iso8601(not_valid_after(certificate)),
    }


# What a re-import changes, as the diff shows it: the content, never the key.
CONTENT_FIELDS = ("fingerprint_sha256", "subject", "not_before", "not_after", "chain_fingerprints_sha256")


def content_of(certificate: dict[str, Any]) -> dict[str, Any]:
    return {field: certificate.get(field) for field in CONTENT_FIELDS}


def _result(
    arn: str | None, name: str, facts: dict[str, Any], status: str, in_use_by: list[str], tags: dict[str, str]
) -> dict[str, Any]:
    result: dict[str, Any] = {}
    if arn:
        result["certificate_arn"] = arn
    result["name"] = name
    result.update(facts)
    result["status"] = status
    result["in_use_by"] = list(in_use_by)
    result["tags"] = dict(tags)
    return result


def predicted_certificate(wanted: dict[str, Any]) -> dict[str, Any]:
    """The certificate a first import would make, for check mode: no ARN yet."""
    return _result(None, wanted["name"], wanted["facts"], "ISSUED", [], merged_tags({}, wanted["all_tags"], True))


def normalize_certificate(
    description: dict[str, Any], certificate_pem: str | None, chain_pem: str | None, tags: dict[str, str]
) -> dict[str, Any]:
    """DescribeCertificate's entry, GetCertificate's PEM and the tags, in the module's return shape.

    The fields the certificate determines come from the PEM ACM serves, parsed the way the task's certificate
    is, so a prediction and a reading agree; the ARN, status, users and tags come from ACM. Should the PEM be
    unreadable, DescribeCertificate stands in and the fingerprint is null, which differs from any wanted one.
    """
    facts: dict[str, Any]
    try:
        certificate = parse_certificate(certificate_pem or "")
    except AcmInputError:
        certificate = None
    if certificate is None:
        facts = {field: None for field in ("subject", "issuer", "serial_number", "key_algorithm", "fingerprint_sha256")}
        facts["domain_name"] = description.get("DomainName")
        facts["subject_alternative_names"] = list(description.get("SubjectAlternativeNames") or [])
        facts["chain_fingerprints_sha256"] = []
        for field, key in (("not_before", "NotBefore"), ("not_after", "NotAfter")):
            value = description.get(key)
            facts[field] = iso8601(value) if isinstance(value, datetime.datetime) else value
    else:
        try:
            chain = parse_certificates(chain_pem, "certificate_chain") if chain_pem and chain_pem.strip() else []
        except AcmInputError:
            chain = None
        facts = certificate_facts(certificate, chain or [])
        if chain is None:
            facts["chain_fingerprints_sha256"] = ["unreadable"]
    ordered = {
        key: facts.get(key)
        for key in (
            "domain_name",
            "subject_alternative_names",
            "subject",
            "issuer",
            "serial_number",
            "key_algorithm",
            "fingerprint_sha256",
            "chain_fingerprints_sha256",
            "not_before",
            "not_after",
        )
    }
    return _result(
        description.get("CertificateArn"),
        tags.get(NAME_TAG, ""),
        ordered,
        description.get("Status", ""),
        description.get("InUseBy") or [],
        tags,
    )


# --- re-import rules -------------------------------------------------------------------------------------


def _key_usages(certificate) -> set[str] | None:
    try:
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return None
    found = set()
    for flag in _KEY_USAGE_FLAGS:
        try:
            if getattr(usage, flag):
                found.add(flag)
        except ValueError:  # encipher_only and decipher_only are undefined without key_agreement
            continue
    return found


def _extended_key_usages(certificate) -> set[str] | None:
    try:
        usage = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return None
    return {oid.dotted_string for oid in usage}


def _usage_name(dotted: str) -> str:
    for attribute in dir(ExtendedKeyUsageOID):
        value = getattr(ExtendedKeyUsageOID, attribute)
        if isinstance(value, x509.ObjectIdentifier) and value.dotted_string == dotted:
            return getattr(value, "_name", dotted)
    return dotted


def reimport_errors(current, wanted, where: str) -> list[str]:
    """What ACM refuses when ``wanted`` replaces ``current`` (both parsed) by a re-import into the same ARN.

    From the ACM user guide: the key type and size cannot change; key usages and extended key usages present
    before cannot be removed (except keyEncipherment from an ECDSA certificate, and clientAuth), and neither
    extension can be added when the certificate had none.
    """
    errors = []
    before, after = key_algorithm(current.public_key()), key_algorithm(wanted.public_key())
    if before != after:
        errors.append(
            f"private_key: the key type of {where} is {before} and cannot change on re-import; the task's key"
            f" is {after}"
        )

    usages_before, usages_after = _key_usages(current), _key_usages(wanted)
    if usages_before is None and usages_after is not None:
        errors.append(f"certificate: {where} has no key usage extension, and a re-import cannot add one")
    elif usages_before is not None:
        removed = usages_before - (usages_after or set())
        if after.startswith("EC_"):
            removed.discard(_DROPPABLE_KEY_USAGE_FOR_EC)
        if removed:
            errors.append(
                f"certificate: a re-import of {where} cannot remove key usages it has: {', '.join(sorted(removed))}"
            )

    extended_before, extended_after = _extended_key_usages(current), _extended_key_usages(wanted)
    if extended_before is None and extended_after is not None:
        errors.append(f"certificate: {where} has no extended key usage extension, and a re-import cannot add one")
    elif extended_before is not None:
        removed = extended_before - (extended_after or set())
        removed.discard(ExtendedKeyUsageOID.CLIENT_AUTH.dotted_string)
        if removed:
            names = ", ".join(sorted(_usage_name(oid) for oid in removed))
            errors.append(f"certificate: a re-import of {where} cannot remove extended key usages it has: {names}")
    return errors


# --- the module's arguments --------------------------------------------------------------------------------


def name_errors(name: Any, option: str = "name") -> list[str]:
    if not isinstance(name, str) or not name.strip():
        return [f"{option} must be a non-empty string"]
    if len(name) > NAME_MAX_LENGTH:
        return [
            f"{option} must be at most {NAME_MAX_LENGTH} characters long (it is the value of the Name tag),"
            f" it has {len(name)}"
        ]
    return []


def lookup_tags(name: str, tags: dict[str, Any] | None) -> dict[str, str]:
    """The tags that identify the certificate: Name, plus the identity tags among ``tags``."""
    result = {NAME_TAG: name}
    for key, value in (wanted_tags(tags) or {}).items():
        if key in IDENTITY_TAG_KEYS:
            result[key] = value
    return result


def has_all_tags(tags: dict[str, str], wanted: dict[str, str]) -> bool:
    return all(tags.get(key) == value for key, value in wanted.items())


def _tag_errors(name: str, tags: dict[str, str] | None) -> list[str]:
    if tags and NAME_TAG in tags and tags[NAME_TAG] != name:
        return [
            f"tags.{NAME_TAG} is {tags[NAME_TAG]!r} but name is {name!r}; the Name tag is the name, leave it out"
            " of tags"
        ]
    return []


def identity_of(params: dict[str, Any]) -> dict[str, Any]:
    """Name and lookup tags of the certificate the task means, validated (both states need them)."""
    name = params.get("name")
    tags = wanted_tags(params.get("tags"))
    errors = name_errors(name)
    if not errors:
        errors.extend(_tag_errors(name, tags))
    if errors:
        raise AcmInputError("; ".join(errors))
    return {"name": name, "lookup_tags": lookup_tags(name, tags)}


def _chain_of(params: dict[str, Any]) -> list:
    text = params.get("certificate_chain")
    return parse_certificates(text, "certificate_chain") if text is not None and str(text).strip() else []


def certificate_errors(params: dict[str, Any], now: datetime.datetime | None = None) -> list[str]:
    """Why the task's certificate, private key and chain cannot be imported into ACM now."""
    now = now or _now()
    errors: list[str] = []
    certificate = key = None
    chain: list = []
    try:
        certificate = parse_certificate(params.get("certificate"))
    except AcmInputError as e:
        errors.append(str(e))
    try:
        key = parse_private_key(params.get("private_key"))
    except AcmInputError as e:
        errors.append(str(e))
    try:
        chain = _chain_of(params)
    except AcmInputError as e:
        errors.append(str(e))
    if certificate is not None:
        errors.extend(validity_errors(certificate, "certificate", now))
        if not certificate.issuer.rfc4514_string():
            errors.append("certificate has an empty issuer, which ACM does not import")
        if key is not None:
            errors.extend(key_errors(certificate, key))
        if chain:
            errors.extend(chain_errors(certificate, chain, now=now))
    return errors


def wanted_certificate(params: dict[str, Any], now: datetime.datetime | None = None) -> dict[str, Any]:
    """The certificate the caller asked for, parsed and checked; raises AcmInputError naming the bad options.

    The result holds the private key's PEM under ``private_key`` for the import request only; nothing that
    reaches the module's result is built from it.
    """
    identity = identity_of(params)
    errors = certificate_errors(params, now)
    if errors:
        raise AcmInputError("; ".join(errors))
    name = identity["name"]
    tags = wanted_tags(params.get("tags"))
    certificate = parse_certificate(params["certificate"])
    chain = _chain_of(params)
    return {
        "name": name,
        "lookup_tags": identity["lookup_tags"],
        "tags": None if tags is None else {**tags, NAME_TAG: name},
        "all_tags": {**(tags or {}), NAME_TAG: name},
        "purge_tags": params.get("purge_tags", True),
        "x509": certificate,
        "facts": certificate_facts(certificate, chain),
        "certificate_pem": pem_of([certificate]),
        "chain_pem": pem_of(chain) if chain else None,
        "private_key": params.get("private_key"),
    }


# --- requested certificates (ACM issues them once DNS validates every domain) ------------------------------------

AMAZON_ISSUED = "AMAZON_ISSUED"
IMPORTED = "IMPORTED"
# What RequestCertificate accepts (API reference, RequestCertificate KeyAlgorithm: "Other listed algorithms are for
# imported certificates only"); ACM's default.
REQUEST_KEY_ALGORITHMS = ("RSA_2048", "EC_prime256v1", "EC_secp384r1")
DEFAULT_REQUEST_KEY_ALGORITHM = "RSA_2048"
VALIDATION_METHODS = ("DNS",)
# RequestCertificate: the DomainName (the common name) is at most 64 octets, a SAN at most 253; at most 100 names.
COMMON_NAME_MAX_LENGTH = 64
DOMAIN_NAME_MAX_LENGTH = 253
DOMAIN_NAMES_MAX = 100
# botocore's acm model, DomainNameString: an optional leading wildcard label, then labels of at most 63 characters.
_DOMAIN_NAME_PATTERN = re.compile(
    r"^(\*\.)?(((?!-)[A-Za-z0-9-]{0,62}[A-Za-z0-9])\.)+((?!-)[A-Za-z0-9-]{1,62}[A-Za-z0-9])$"
)
# An ACM certificate carries at most 50 tags; Name is one of them.
REQUEST_MAX_TAGS = 49
# A certificate in these states is, or will be, usable; any other (VALIDATION_TIMED_OUT, FAILED, REVOKED, EXPIRED,
# INACTIVE) never will, and a run asks for a new one.
USABLE_STATUSES = ("PENDING_VALIDATION", "ISSUED")
# RequestCertificate's IdempotencyToken: 1 to 32 word characters; ACM answers the same token within an hour with the
# certificate it made for it.
IDEMPOTENCY_TOKEN_LENGTH = 32

# ACM fills in DomainValidationOptions[].ResourceRecord "several seconds" after RequestCertificate (API reference,
# RequestCertificate); terraform-provider-aws internal/service/acm certificate.go waits up to 5 minutes for it
# (certificateDNSValidationAssignmentTimeout). The certificate may not even be found in the first seconds.
VALIDATION_RECORDS_POLL_DELAY = 2
VALIDATION_RECORDS_TIMEOUT = 300
VALIDATION_RECORDS_WAITER_CONFIG = {
    "version": 2,
    "waiters": {
        "CertificateValidationRecordsShown": {
            "operation": "DescribeCertificate",
            "delay": VALIDATION_RECORDS_POLL_DELAY,
            "maxAttempts": 150,
            "acceptors": [
                {
                    "state": "success",
                    "matcher": "path",
                    "argument": "length(Certificate.DomainValidationOptions || `[]`) > `0` && "
                    "length((Certificate.DomainValidationOptions || `[]`)[?!ResourceRecord]) == `0`",
                    "expected": True,
                },
                {"state": "retry", "matcher": "error", "expected": "ResourceNotFoundException"},
                *({"state": "retry", "matcher": "error", "expected": code} for code in _RETRIED_ERRORS),
            ],
        }
    },
}


def domain_name_errors(value: Any, option: str, max_length: int = DOMAIN_NAME_MAX_LENGTH) -> list[str]:
    """Why ``value`` is not a domain name ACM issues a certificate for."""
    if not isinstance(value, str) or not value.strip():
        return [f"{option} must be a non-empty domain name"]
    if value.endswith("."):
        return [f"{option} {value!r} must not end with a period"]
    if len(value) > max_length:
        return [f"{option} {value!r} is {len(value)} characters long; ACM accepts at most {max_length}"]
    if not _DOMAIN_NAME_PATTERN.match(value):
        return [
            f"{option} {value!r} is not a domain name ACM accepts: labels of letters, digits and hyphens, at most 63"
            " characters each, not starting or ending with a hyphen, and a wildcard only as the whole first label"
            " (*.example.com)"
        ]
    return []


def requested_domains(domain_name: str, alternative_names: list[str] | None) -> list[str]:
    """The certificate's names as ACM lists them: the domain name first, then the alternative names in order, each
    once (DNS names compare without regard to case)."""
    domains: list[str] = []
    for domain in [domain_name, *(alternative_names or [])]:
        if domain.lower() not in {known.lower() for known in domains}:
            domains.append(domain)
    return domains


def domains_key(domain_name: str | None, alternative_names: list[str] | None) -> tuple[str, tuple[str, ...]]:
    """What identifies a requested certificate's names: its domain name, and the set of all its names."""
    domain = (domain_name or "").lower()
    return domain, tuple(sorted({name.lower() for name in [domain, *(alternative_names or [])] if name}))


def arns_of(summaries: list[dict[str, Any]], certificate_type: str, domain: str | None = None) -> list[str]:
    """The ARNs of ListCertificates' summaries of ``certificate_type``; with ``domain``, of those whose DomainName is
    ``domain`` only (DNS names compare without regard to case)."""
    return [
        summary["CertificateArn"]
        for summary in summaries
        if summary.get("Type", IMPORTED) == certificate_type
        and (domain is None or (summary.get("DomainName") or "").lower() == domain.lower())
    ]


def wanted_request(params: dict[str, Any]) -> dict[str, Any]:
    """The certificate to request, checked; raises AcmInputError naming every bad option."""
    identity = identity_of(params)
    errors = domain_name_errors(params.get("domain_name"), "domain_name", COMMON_NAME_MAX_LENGTH)
    alternative_names = params.get("subject_alternative_names") or []
    for index, name in enumerate(alternative_names):
        errors.extend(domain_name_errors(name, f"subject_alternative_names[{index}]"))
    tags = wanted_tags(params.get("tags"))
    errors.extend(
        tag_errors({k: v for k, v in (tags or {}).items() if k != NAME_TAG}, max_tags=REQUEST_MAX_TAGS, lengths=True)
    )
    if errors:
        raise AcmInputError("; ".join(errors))
    domains = requested_domains(params["domain_name"], alternative_names)
    if len(domains) > DOMAIN_NAMES_MAX:
        raise AcmInputError(
            f"subject_alternative_names: a certificate holds at most {DOMAIN_NAMES_MAX} names, domain_name included;"
            f" these are {len(domains)}"
        )
    name = identity["name"]
    return {
        "name": name,
        "lookup_tags": identity["lookup_tags"],
        "tags": None if tags is None else {**tags, NAME_TAG: name},
        "all_tags": {**(tags or {}), NAME_TAG: name},
        "purge_tags": params.get("purge_tags", True),
        "domain_name": params["domain_name"],
        "subject_alternative_names": domains,
        "key_algorithm": params.get("key_algorithm"),
        "validation_method": params.get("validation_method") or "DNS",
    }


def is_requested_as(certificate: dict[str, Any], wanted: dict[str, Any]) -> bool:
    """Whether a requested certificate has the names (and the key algorithm, when the task gives one) asked for."""
    same_names = domains_key(certificate.get("domain_name"), certificate.get("subject_alternative_names")) == (
        domains_key(wanted["domain_name"], wanted["subject_alternative_names"])
    )
    key = wanted.get("key_algorithm")
    return same_names and (key is None or certificate.get("key_algorithm") == key)


def request_token(wanted: dict[str, Any], known_arns: list[str]) -> str:
    """RequestCertificate's IdempotencyToken: the same for a run repeated after an interrupted request (ACM answers it
    with the certificate that request made), another once the certificates of the name have changed (a repeat after a
    validation timed out, or after the certificate of these names was deleted, asks for a new one)."""
    return idempotency_token(
        wanted["name"],
        *(f"{key}={value}" for key, value in sorted(wanted["all_tags"].items())),
        wanted["domain_name"].lower(),
        *sorted(name.lower() for name in wanted["subject_alternative_names"]),
        wanted.get("key_algorithm") or DEFAULT_REQUEST_KEY_ALGORITHM,
        *sorted(known_arns),
        length=IDEMPOTENCY_TOKEN_LENGTH,
    )


def validation_records(options: list[dict[str, Any]] | None) -> list[dict[str, str]]:
    """The CNAME records ACM asks for, one per record (a wildcard shares its apex's), each with the first domain it
    validates and that domain's status: ready for amazon.aws.route53."""
    records: list[dict[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for option in options or []:
        record = option.get("ResourceRecord")
        if not record or (record.get("Name"), record.get("Value")) in seen:
            continue
        seen.add((record.get("Name"), record.get("Value")))
        records.append(
            {
                "name": record.get("Name", ""),
                "type": record.get("Type", "CNAME"),
                "value": record.get("Value", ""),
                "domain_name": option.get("DomainName", ""),
                "validation_status": option.get("ValidationStatus", ""),
            }
        )
    return records


def _iso_or_none(value: Any) -> str | None:
    if isinstance(value, datetime.datetime):
        return iso8601(value)
    return value or None


def normalize_requested(description: dict[str, Any], tags: dict[str, str]) -> dict[str, Any]:
    """DescribeCertificate's entry of a requested certificate and its tags, in the module's return shape. A
    certificate not issued yet has no validity period: not_before and not_after are null."""
    options = description.get("DomainValidationOptions") or []
    methods = sorted({option.get("ValidationMethod") for option in options if option.get("ValidationMethod")})
    return {
        "certificate_arn": description.get("CertificateArn"),
        "name": tags.get(NAME_TAG, ""),
        "type": description.get("Type", AMAZON_ISSUED),
        "domain_name": description.get("DomainName", ""),
        "subject_alternative_names": list(description.get("SubjectAlternativeNames") or []),
        # AWS's DescribeCertificate spells it RSA-2048 (terraform-provider-aws normalises it the same way)
        "key_algorithm": str(description.get("KeyAlgorithm", "")).replace("-", "_"),
        "validation_method": methods[0] if len(methods) == 1 else ",".join(methods),
        "status": description.get("Status", ""),
        "validation_records": validation_records(options),
        "in_use_by": list(description.get("InUseBy") or []),
        "created_at": _iso_or_none(description.get("CreatedAt")),
        "not_before": _iso_or_none(description.get("NotBefore")),
        "not_after": _iso_or_none(description.get("NotAfter")),
        "tags": dict(tags),
    }


def predicted_request(wanted: dict[str, Any]) -> dict[str, Any]:
    """The certificate a request would make, for check mode: no ARN, no records yet."""
    return {
        "name": wanted["name"],
        "type": AMAZON_ISSUED,
        "domain_name": wanted["domain_name"],
        "subject_alternative_names": list(wanted["subject_alternative_names"]),
        "key_algorithm": wanted.get("key_algorithm") or DEFAULT_REQUEST_KEY_ALGORITHM,
        "validation_method": wanted["validation_method"],
        "status": "PENDING_VALIDATION",
        "validation_records": [],
        "in_use_by": [],
        "created_at": None,
        "not_before": None,
        "not_after": None,
        "tags": merged_tags({}, wanted["all_tags"], True),
    }


def replaced_summary(certificate: dict[str, Any]) -> dict[str, Any]:
    """What the result tells of a certificate of the name that is not the one asked for."""
    return {
        field: certificate.get(field)
        for field in ("certificate_arn", "type", "domain_name", "subject_alternative_names", "status", "in_use_by")
    }


# --- manager ---------------------------------------------------------------------------------------------

_NOT_FOUND = "ResourceNotFoundException"
_IN_USE = "in use"  # DeleteCertificate's answer to ResourceInUseException


class AcmCertificateManager(BaseResourceManager):
    """Imports, re-imports and deletes one imported certificate, or requests one from ACM and deletes the ones it
    replaces; ``certificate`` holds the result."""

    def __init__(self, module) -> None:
        super().__init__(module)
        self.acm = self.client("acm")
        self.certificate: dict[str, Any] = {}
        # The tags find() read, by ARN: read() of the certificate found need not ask again.
        self._tags_read: dict[str, dict[str, str]] = {}
        self._summaries: list[dict[str, Any]] | None = None
        # A requested certificate's other certificates of the name (replaced_summary each), for the result.
        self.replaced: list[dict[str, Any]] | None = None

    # --- reading ---

    def _arns_of(self, certificate_type: str, domain: str | None = None) -> list[str]:
        """The ARNs of every certificate of ``certificate_type`` in the region, of every key type and status (one
        listing per run); with ``domain``, of those whose DomainName it is."""
        if self._summaries is None:
            self._summaries = paginate(
                self.acm.list_certificates,
                "list ACM certificates",
                "CertificateSummaryList",
                Includes={"keyTypes": list(ACM_KEY_TYPES)},
                MaxItems=1000,
            )
        return arns_of(self._summaries, certificate_type, domain)

    def _forget(self, arn: str) -> None:
        """The certificate ``arn`` is gone: neither its summary nor its tags count any more."""
        self._tags_read.pop(arn, None)
        if self._summaries is not None:
            self._summaries = [s for s in self._summaries if s.get("CertificateArn") != arn]

    def _carrying(self, certificate_type: str, identity: dict[str, str], domain: str | None = None) -> list[str]:
        """The ARNs of the certificates of ``certificate_type`` (whose DomainName is ``domain``, when given) that
        carry every tag of ``identity``; tags read once per run."""
        found = []
        for arn in self._arns_of(certificate_type, domain):
            tags = self._tags_read.get(arn) or self.tags(arn)
            if tags is not None:
                self._tags_read[arn] = tags
            if tags is not None and has_all_tags(tags, identity):
                found.append(arn)
        return found

    def _get(self, method, what: str, arn: str) -> dict[str, Any] | None:
        """One read of the certificate ``arn``; None when it is gone."""
        return call(method, f"{what} ACM certificate {arn}", answers={_NOT_FOUND: None}, CertificateArn=arn)

    def tags(self, arn: str) -> dict[str, str] | None:
        """The certificate's tags; ``None`` when it is gone."""
        response = self._get(self.acm.list_tags_for_certificate, "list the tags of", arn)
        return None if response is None else tags_from_acm(response.get("Tags"))

    def find(self, name: str, identity: dict[str, str], domain: str | None = None) -> str | None:
        """The ARN of the one imported certificate carrying every tag of ``identity``; ``None`` when none does.

        With ``domain``, the DomainName of the certificate the task imports, the certificates of that domain are read
        first, and the others only when none of them carries the tags. ACM lists no tags and ListCertificates filters
        by none, so each certificate read is one ListTagsForCertificate: a run that imports what it imported before
        reads one certificate's tags instead of those of every imported certificate in the region.

        What it costs: every certificate of the domain is read, so two of the name for that domain (an import
        repeated by hand, or by two runs at once: the same content) are still an error; a second certificate of the
        name for another domain is not seen by a run that finds one of its domain. The module never makes that one:
        ``None`` comes only from reading every certificate, and ensure_present() reads every certificate before an
        import (see there). Only an import by hand with copied tags could, and a run that reads every certificate
        reports it: a change of the domain, a delete (which gives no domain), acm_certificate_info.
        """
        found = self._carrying(IMPORTED, identity, domain) if domain else []
        if not found:
            found = self._carrying(IMPORTED, identity)
        if len(found) > 1:
            wanted = ", ".join(f"{key}={value}" for key, value in identity.items())
            raise AWSActionError(
                f"{len(found)} imported ACM certificates carry the tags {wanted}: {', '.join(sorted(found))}."
                " The name must identify one certificate; delete the extra ones or tell them apart by their"
                f" identity tags ({', '.join(IDENTITY_TAG_KEYS)})"
            )
        return found[0] if found else None

    def describe(self, arn: str) -> dict[str, Any] | None:
        response = self._get(self.acm.describe_certificate, "describe", arn)
        return None if response is None else response["Certificate"]

    def _pem(self, arn: str) -> tuple[str | None, str | None] | None:
        response = self._get(self.acm.get_certificate, "get", arn)
        return None if response is None else (response.get("Certificate"), response.get("CertificateChain"))

    def read(self, arn: str) -> tuple[dict[str, Any], Any] | None:
        """The certificate in the return shape and parsed; ``None`` when it is gone."""
        # Each read is needed: DescribeCertificate for the status and the users (ListCertificates' summary says only
        # whether there are any), GetCertificate for the content (no other call shows the chain, and a chain completed
        # by an intermediate must count as a change), and the tags, which find() has mostly read already.
        description = self.describe(arn)
        pem = self._pem(arn) if description is not None else None
        tags = (self._tags_read.pop(arn, None) or self.tags(arn)) if pem is not None else None
        if description is None or pem is None or tags is None:
            return None
        certificate_pem, chain_pem = pem
        try:
            parsed = parse_certificate(certificate_pem or "")
        except AcmInputError:
            parsed = None
        return normalize_certificate(description, certificate_pem, chain_pem, tags), parsed

    # --- requested certificates ---

    def read_requested(self, arn: str) -> dict[str, Any] | None:
        """A certificate in the requested certificate's return shape, from DescribeCertificate and its tags (no
        GetCertificate: ACM answers it only once the certificate is issued); ``None`` when it is gone."""
        description = self.describe(arn)
        tags = (self._tags_read.get(arn) or self.tags(arn)) if description is not None else None
        if description is None or tags is None:
            return None
        return normalize_requested(description, tags)

    def find_requested(self, identity: dict[str, str]) -> list[dict[str, Any]]:
        """Every requested certificate carrying every tag of ``identity``, newest first.

        This reads the tags of every certificate ACM issued, unlike find() with a domain: a request's result lists
        every other certificate of the name (``replaced``, which ``delete_replaced`` deletes), those for other domains
        too, and only their tags tell which they are.
        """
        found = [c for c in map(self.read_requested, self._carrying(AMAZON_ISSUED, identity)) if c is not None]
        return sorted(found, key=lambda certificate: certificate["created_at"] or "", reverse=True)

    def _wait_for_validation_records(self, name: str, arn: str) -> None:
        try:
            wait(
                self.acm,
                "CertificateValidationRecordsShown",
                f"ACM to show the validation records of certificate {name} ({arn})",
                VALIDATION_RECORDS_TIMEOUT,
                VALIDATION_RECORDS_POLL_DELAY,
                model=VALIDATION_RECORDS_WAITER_CONFIG,
                CertificateArn=arn,
            )
        except AWSActionError as e:
            raise AWSActionError(
                f"{e.message}; the certificate is requested, a later run returns its records",
                exception=e.exception,
                changed=self.changed,
                certificate=self.certificate,
            ) from e

    def ensure_requested(
        self, wanted: dict[str, Any], delete_replaced: bool = False, in_use_timeout: int = DEFAULT_IN_USE_TIMEOUT
    ) -> None:
        """The requested certificate of the name for exactly these domain names: requested unless one is pending or
        issued. Any other certificate of the name (other names, a validation that timed out, an imported one) is
        listed in ``replaced`` and, with ``delete_replaced``, deleted."""
        identity = wanted["lookup_tags"]
        requested = self.find_requested(identity)
        imported = [c for c in map(self.read_requested, self._carrying(IMPORTED, identity)) if c is not None]
        matching = [c for c in requested if c["status"] in USABLE_STATUSES and is_requested_as(c, wanted)]
        if len(matching) > 1:
            arns = ", ".join(sorted(c["certificate_arn"] for c in matching))
            raise AWSActionError(
                f"{len(matching)} ACM certificates requested for {', '.join(wanted['subject_alternative_names'])} carry"
                f" the tags {', '.join(f'{k}={v}' for k, v in identity.items())}: {arns}. Delete all but one"
            )
        current = matching[0] if matching else None
        others = [c for c in requested + imported if c is not current]
        if current is None:
            self._request_new(wanted, [c["certificate_arn"] for c in others])
        else:
            self._keep(current, wanted)
        self.replaced = [replaced_summary(c) for c in others]
        if delete_replaced and others:
            deadline = Deadline(in_use_timeout)
            for certificate in others:
                self._delete(wanted["name"], certificate, in_use_timeout, deadline)
            self._note_deleted([c["certificate_arn"] for c in others])
            self.replaced = []

    def _request_new(self, wanted: dict[str, Any], known_arns: list[str]) -> None:
        predicted = predicted_request(wanted)
        self.set_diff(before={}, after=predicted)
        request: dict[str, Any] = {
            "DomainName": wanted["domain_name"],
            "ValidationMethod": wanted["validation_method"],
            "IdempotencyToken": request_token(wanted, known_arns),
            "KeyAlgorithm": wanted["key_algorithm"] or DEFAULT_REQUEST_KEY_ALGORITHM,
            # Tags in the request itself: the certificate never exists without the tags that find it again.
            "Tags": ansible_dict_to_boto3_tag_list(predicted["tags"]),
        }
        if len(wanted["subject_alternative_names"]) > 1:  # the domain name comes first; ACM adds it itself
            request["SubjectAlternativeNames"] = wanted["subject_alternative_names"][1:]
        what = f"request ACM certificate {wanted['name']} for {wanted['domain_name']}"
        response = self.change(self.acm.request_certificate, what, **request)
        self.certificate = predicted
        if self.check_mode:
            return
        arn = response["CertificateArn"]
        self.certificate = dict(predicted, certificate_arn=arn)
        self._wait_for_validation_records(wanted["name"], arn)
        self.certificate = self.read_requested(arn) or self.certificate

    def _keep(self, current: dict[str, Any], wanted: dict[str, Any]) -> None:
        """The certificate asked for exists: its tags as asked, and its validation records once ACM shows them."""
        arn = current["certificate_arn"]
        self.certificate = deepcopy(current)
        where = f"ACM certificate {wanted['name']} ({arn})"
        after = self.sync_tags(self.acm, "acm", arn, current["tags"], wanted["tags"], wanted["purge_tags"], where)
        if after is not None:
            self.certificate["tags"] = after
        if self.check_mode:
            return
        records_missing = current["status"] == "PENDING_VALIDATION" and not current["validation_records"]
        if records_missing:  # a run right after an interrupted request
            self._wait_for_validation_records(wanted["name"], arn)
        if records_missing or self.changed:
            self._tags_read.pop(arn, None)
            self.certificate = self.read_requested(arn) or self.certificate

    def _note_deleted(self, arns: list[str]) -> None:
        if self._diff_override is not None:
            self._diff_override["before"]["replaced_certificates"] = list(arns)
            self._diff_override["after"]["replaced_certificates"] = []
        else:
            self.differences.add("replaced_certificates", list(arns), [])

    # --- present ---

    def ensure_present(self, wanted: dict[str, Any]) -> None:
        arn = self.find(wanted["name"], wanted["lookup_tags"], wanted["facts"]["domain_name"])
        found = self.read(arn) if arn else None
        if found is None and arn is not None:
            # Found among the certificates of its domain, then gone before DescribeCertificate: before importing a new
            # one, every certificate is read, so the import never makes a second certificate of the name.
            self._forget(arn)
            arn = self.find(wanted["name"], wanted["lookup_tags"])
            found = self.read(arn) if arn else None
        if found is None:
            self._import_new(wanted)
            return
        current, parsed = found  # pylint: disable=unpacking-non-sequence  # None returned above
        where = f"ACM certificate {wanted['name']} ({arn})"
        if parsed is not None and current["fingerprint_sha256"] != wanted["facts"]["fingerprint_sha256"]:
            errors = reimport_errors(parsed, wanted["x509"], where)
            if errors:
                raise AWSActionError(
                    "; ".join(errors) + ". Delete the certificate (state: absent) and import the new one, or"
                    " import it under another name",
                    certificate=current,
                )
        self.certificate = deepcopy(current)
        self._update_content(arn, current, wanted)
        after = self.sync_tags(self.acm, "acm", arn, current["tags"], wanted["tags"], wanted["purge_tags"], where)
        if after is not None:
            self.certificate["tags"] = after
        if self.changed and not self.check_mode:
            again = self.read(arn)
            if again is not None:
                self.certificate = again[0]

    def _import_request(self, wanted: dict[str, Any]) -> dict[str, Any]:
        request = {
            "Certificate": wanted["certificate_pem"].encode("ascii"),
            "PrivateKey": _as_bytes(wanted["private_key"]),
        }
        if wanted["chain_pem"]:
            request["CertificateChain"] = wanted["chain_pem"].encode("ascii")
        return request

    def _import_new(self, wanted: dict[str, Any]) -> None:
        predicted = predicted_certificate(wanted)
        self.set_diff(before={}, after=predicted)
        # Tags in the import itself: the certificate never exists without the tags that find it again.
        tags = ansible_dict_to_boto3_tag_list(predicted["tags"])
        request = dict(self._import_request(wanted), Tags=tags)
        response = self.change(self.acm.import_certificate, f"import ACM certificate {wanted['name']}", **request)
        if self.check_mode:
            self.certificate = predicted
            return
        arn = response["CertificateArn"]
        found = self.read(arn)
        self.certificate = found[0] if found else dict(predicted, certificate_arn=arn)

    def _update_content(self, arn: str, current: dict[str, Any], wanted: dict[str, Any]) -> None:
        # No tags here: ACM refuses them on a re-import, and keeps the ones the certificate has.
        changed = self.act(
            "certificate",
            content_of(current),
            content_of(wanted["facts"]),
            self.acm.import_certificate,
            f"re-import ACM certificate {wanted['name']} ({arn})",
            CertificateArn=arn,
            **self._import_request(wanted),
        )
        if changed:
            self.certificate.update(wanted["facts"])

    # --- absent ---

    def _in_use_message(self, name: str, arn: str, in_use_by: list[str]) -> str:
        users = ", ".join(in_use_by) if in_use_by else "a resource ACM does not name yet"
        return (
            f"ACM certificate {name} ({arn}) is in use by {users}; remove it from them first (the load balancer's"
            " HTTPS listener, the Client VPN endpoint), or set in_use_timeout to wait for ACM to release it"
        )

    def _wait_until_not_in_use(
        self, name: str, arn: str, timeout: int, current: dict[str, Any], remaining: float | None = None
    ) -> None:
        """Wait for ACM to empty the certificate's InUseBy, for ``remaining`` seconds of the task's ``timeout``."""
        try:
            wait(
                self.acm,
                "CertificateNotInUse",
                f"ACM to release certificate {name} ({arn})",
                timeout if remaining is None else remaining,
                IN_USE_POLL_DELAY,
                model=IN_USE_WAITER_CONFIG,
                CertificateArn=arn,
            )
        except AWSActionError as e:
            if e.exception is not None:
                raise
            # A timeout: the message says who still holds the certificate.
            in_use_by = (self.describe(arn) or {}).get("InUseBy") or current["in_use_by"]
            message = f"Timed out after {timeout} seconds: " + self._in_use_message(name, arn, in_use_by)
            raise AWSActionError(message, certificate=current) from e

    def ensure_absent(self, name: str, identity: dict[str, str], in_use_timeout: int = DEFAULT_IN_USE_TIMEOUT) -> None:
        """Delete the certificates of the name: the imported one and every requested one. Within ``in_use_timeout``
        seconds, wait for ACM to empty a certificate's InUseBy, and retry a DeleteCertificate ACM still refuses (its
        InUseBy lags both ways); past it, or with 0, fail naming the users."""
        arn = self.find(name, identity)
        found = self.read(arn) if arn else None
        certificates = ([found[0]] if found is not None else []) + self.find_requested(identity)
        if not certificates:
            return
        if len(certificates) == 1:
            self.set_diff(before=certificates[0], after={})
        else:
            self.set_diff(before={"certificates": certificates}, after={})
        deadline = Deadline(in_use_timeout)
        for certificate in certificates:
            self._delete(name, certificate, in_use_timeout, deadline)

    def _delete(self, name: str, current: dict[str, Any], in_use_timeout: int, deadline: Deadline) -> None:
        """Delete one certificate of the name, waiting within ``deadline`` for ACM to let go of it."""
        arn = current["certificate_arn"]
        if current["in_use_by"] and self.check_mode:
            self.module.warn(
                self._in_use_message(name, arn, current["in_use_by"])
                + "; the delete fails unless they release it before it runs"
            )
        elif current["in_use_by"] and in_use_timeout > 0:
            self._wait_until_not_in_use(name, arn, in_use_timeout, current, deadline.remaining)
        self.changed = True
        if self.check_mode:
            return
        deleted = call_through(
            self.acm.delete_certificate,
            f"delete ACM certificate {name} ({arn})",
            (IN_USE,),
            deadline.remaining,
            answers={_NOT_FOUND: False, "ResourceInUseException": _IN_USE},
            CertificateArn=arn,
        )
        if deleted == _IN_USE:
            description = self.describe(arn) or {}
            in_use_by = description.get("InUseBy") or current["in_use_by"]
            message = self._in_use_message(name, arn, in_use_by)
            if in_use_timeout > 0:
                message = f"Timed out after {in_use_timeout} seconds: {message}"
            raise AWSActionError(message, certificate=current)
