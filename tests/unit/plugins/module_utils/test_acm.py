"""Unit tests of the pure functions of plugins/module_utils/_acm.py, on certificates made here with cryptography."""

from __future__ import annotations

import datetime
import hashlib

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID
from cryptography.x509.oid import NameOID

from ansible_collections.cloudops.fargate.plugins.module_utils._acm import IN_USE_POLL_DELAY
from ansible_collections.cloudops.fargate.plugins.module_utils._acm import AcmInputError
from ansible_collections.cloudops.fargate.plugins.module_utils._acm import arns_of
from ansible_collections.cloudops.fargate.plugins.module_utils._acm import chain_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._acm import content_of
from ansible_collections.cloudops.fargate.plugins.module_utils._acm import domain_names
from ansible_collections.cloudops.fargate.plugins.module_utils._acm import fingerprint_sha256
from ansible_collections.cloudops.fargate.plugins.module_utils._acm import has_all_tags
from ansible_collections.cloudops.fargate.plugins.module_utils._acm import identity_of
from ansible_collections.cloudops.fargate.plugins.module_utils._acm import iso8601
from ansible_collections.cloudops.fargate.plugins.module_utils._acm import key_algorithm
from ansible_collections.cloudops.fargate.plugins.module_utils._acm import key_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._acm import lookup_tags
from ansible_collections.cloudops.fargate.plugins.module_utils._acm import normalize_certificate
from ansible_collections.cloudops.fargate.plugins.module_utils._acm import parse_certificate
from ansible_collections.cloudops.fargate.plugins.module_utils._acm import parse_certificates
from ansible_collections.cloudops.fargate.plugins.module_utils._acm import parse_private_key
from ansible_collections.cloudops.fargate.plugins.module_utils._acm import predicted_certificate
from ansible_collections.cloudops.fargate.plugins.module_utils._acm import reimport_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._acm import serial_number
from ansible_collections.cloudops.fargate.plugins.module_utils._acm import tags_from_acm
from ansible_collections.cloudops.fargate.plugins.module_utils._acm import validity_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._acm import wanted_certificate
from ansible_collections.cloudops.fargate.plugins.module_utils._common import waiter_settings

NOW = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
DAY = datetime.timedelta(days=1)

# --- certificates made for the tests -------------------------------------------------------------------------


def new_key(kind="ec"):
    if kind == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    if kind == "ed25519":
        return ed25519.Ed25519PrivateKey.generate()
    return ec.generate_private_key(ec.SECP256R1())


def make_certificate(
    common_name="app.example.com",
    sans=("app.example.com", "www.app.example.com"),
    key=None,
    issuer=None,
    valid_from=-DAY,
    valid_until=30 * DAY,
    ca=False,
    key_usage=None,
    extended_key_usage=None,
    serial=None,
):
    """A certificate and its key; self-signed unless ``issuer`` is a (certificate, key) pair."""
    key = key or new_key()
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)] if common_name else [])
    issuer_name, signing_key = (issuer[0].subject, issuer[1]) if issuer else (subject, key)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(serial or x509.random_serial_number())
        .not_valid_before(NOW + valid_from)
        .not_valid_after(NOW + valid_until)
    )
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in sans]), critical=False)
    if ca:
        builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
    if key_usage is not None:
        flags = dict.fromkeys(
            (
                "digital_signature",
                "content_commitment",
                "key_encipherment",
                "data_encipherment",
                "key_agreement",
                "key_cert_sign",
                "crl_sign",
                "encipher_only",
                "decipher_only",
            ),
            False,
        )
        flags.update(dict.fromkeys(key_usage, True))
        builder = builder.add_extension(x509.KeyUsage(**flags), critical=True)
    if extended_key_usage is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage(list(extended_key_usage)), critical=False)
    algorithm = None if isinstance(signing_key, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    return builder.sign(signing_key, algorithm), key


def pem(*certificates) -> str:
    return "".join(c.public_bytes(serialization.Encoding.PEM).decode() for c in certificates)


def key_pem(key, fmt=serialization.PrivateFormat.PKCS8, password=None) -> str:
    encryption = serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
    return key.private_bytes(serialization.Encoding.PEM, fmt, encryption).decode()


@pytest.fixture(scope="module")
def ca():
    return make_certificate("Unit Root CA", sans=(), ca=True, valid_until=365 * DAY)


@pytest.fixture(scope="module")
def leaf(ca):
    """A server certificate issued by ``ca``."""
    return make_certificate(issuer=ca)


@pytest.fixture(scope="module")
def self_signed():
    return make_certificate()


def params(certificate, key, chain=None, **overrides):
    result = {
        "name": "unit-alb",
        "certificate": pem(certificate),
        "private_key": key_pem(key),
        "certificate_chain": pem(*chain) if chain else None,
        "tags": {"Stack": "unit"},
        "purge_tags": True,
    }
    result.update(overrides)
    return result


# --- small conversions -----------------------------------------------------------------------------------


def test_fingerprint_is_sha256_of_der_in_colon_pairs(self_signed):
    certificate, _key = self_signed
    der = certificate.public_bytes(serialization.Encoding.DER)
    expected = hashlib.sha256(der).hexdigest()
    assert fingerprint_sha256(certificate).replace(":", "") == expected
    assert len(fingerprint_sha256(certificate).split(":")) == 32


def test_fingerprint_ignores_pem_formatting(self_signed):
    certificate, _key = self_signed
    text = pem(certificate)
    variants = [
        text.replace("\n", "\r\n"),
        "Bag Attributes\n    friendlyName: app\nsubject=/CN=app.example.com\n" + text,
        "\n\n" + text + "\n   \n",
    ]
    for variant in variants:
        assert fingerprint_sha256(parse_certificate(variant)) == fingerprint_sha256(certificate)


def test_serial_number_in_hex_pairs():
    certificate, _key = make_certificate(serial=0xABCDEF)
    assert serial_number(certificate) == "ab:cd:ef"
    certificate, _key = make_certificate(serial=0x1ABCD)
    assert serial_number(certificate) == "01:ab:cd"


def test_iso8601_is_utc_to_the_second():
    moment = datetime.datetime(2030, 1, 2, 3, 4, 5, 678, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))
    assert iso8601(moment) == "2030-01-02T01:04:05+00:00"
    assert iso8601(datetime.datetime(2030, 1, 2, 3, 4, 5)) == "2030-01-02T03:04:05+00:00"


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        (ec.generate_private_key(ec.SECP256R1()), "EC_prime256v1"),
        (ec.generate_private_key(ec.SECP384R1()), "EC_secp384r1"),
        (rsa.generate_private_key(public_exponent=65537, key_size=2048), "RSA_2048"),
        (ed25519.Ed25519PrivateKey.generate(), "Ed25519"),
    ],
)
def test_key_algorithm_names_as_acm(key, expected):
    assert key_algorithm(key.public_key()) == expected


def test_domain_names_common_name_and_sans(self_signed):
    certificate, _key = self_signed
    assert domain_names(certificate) == ("app.example.com", ["app.example.com", "www.app.example.com"])


def test_domain_name_falls_back_to_first_san():
    certificate, _key = make_certificate(common_name=None, sans=("a.example.com", "b.example.com"))
    assert domain_names(certificate) == ("a.example.com", ["a.example.com", "b.example.com"])


def test_tags_from_acm_tolerates_missing_values():
    assert tags_from_acm([{"Key": "Name", "Value": "x"}, {"Key": "Flag"}]) == {"Name": "x", "Flag": ""}
    assert tags_from_acm(None) == {}


# --- parsing -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "certificate must be a non-empty PEM text"),
        ("not a certificate", "certificate is not a PEM-encoded X.509 certificate"),
        (
            "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n",
            "certificate is not a valid PEM-encoded X.509 certificate",
        ),
        (None, "certificate must be a non-empty PEM text"),
    ],
)
def test_parse_certificate_rejects_garbage(text, message):
    with pytest.raises(AcmInputError, match=message):
        parse_certificate(text)


def test_parse_certificate_rejects_a_bundle(leaf, ca):
    with pytest.raises(AcmInputError, match="certificate holds 2 certificates; give the server certificate alone"):
        parse_certificate(pem(leaf[0], ca[0]))


def test_parse_certificates_keeps_order(leaf, ca):
    parsed = parse_certificates(pem(leaf[0], ca[0]), "certificate_chain")
    assert [fingerprint_sha256(c) for c in parsed] == [fingerprint_sha256(leaf[0]), fingerprint_sha256(ca[0])]


@pytest.mark.parametrize("fmt", [serialization.PrivateFormat.PKCS8, serialization.PrivateFormat.TraditionalOpenSSL])
def test_parse_private_key_formats(self_signed, fmt):
    _certificate, key = self_signed
    parsed = parse_private_key(key_pem(key, fmt))
    assert key_algorithm(parsed.public_key()) == "EC_prime256v1"


def test_parse_private_key_encrypted(self_signed):
    _certificate, key = self_signed
    text = key_pem(key, password=b"secret")
    with pytest.raises(AcmInputError) as error:
        parse_private_key(text)
    assert str(error.value) == "private_key is encrypted; ACM needs the key without a passphrase"


@pytest.mark.parametrize("text", ["garbage", "-----BEGIN PRIVATE KEY-----\nZ2FyYmFnZQ==\n-----END PRIVATE KEY-----\n"])
def test_parse_private_key_garbage_never_quotes_the_text(text):
    with pytest.raises(AcmInputError) as error:
        parse_private_key(text)
    assert str(error.value) == "private_key is not a PEM-encoded private key"


def test_parse_private_key_too_long():
    with pytest.raises(AcmInputError, match="private_key is 6000 bytes long; ACM accepts at most 5120"):
        parse_private_key("x" * 6000)


# --- validation ----------------------------------------------------------------------------------------


def test_validity_errors():
    expired, _key = make_certificate(valid_from=-30 * DAY, valid_until=-DAY)
    future, _key = make_certificate(valid_from=DAY, valid_until=30 * DAY)
    current, _key = make_certificate()
    assert validity_errors(current, "certificate", NOW) == []
    [message] = validity_errors(expired, "certificate", NOW)
    assert message.startswith("certificate (CN=app.example.com) expired on ")
    assert iso8601(NOW - DAY) in message
    [message] = validity_errors(future, "certificate", NOW)
    assert message.startswith("certificate (CN=app.example.com) is not valid before ")


def test_key_errors_match_and_mismatch(self_signed):
    certificate, key = self_signed
    assert key_errors(certificate, key) == []
    [message] = key_errors(certificate, new_key())
    assert message == (
        "private_key does not match certificate: it is not the private key of the public key in certificate"
        " (CN=app.example.com)"
    )


def test_key_errors_unsupported_type():
    certificate, key = make_certificate(key=new_key("ed25519"))
    [message] = key_errors(certificate, key)
    assert message.startswith("private_key is a Ed25519 key, which ACM does not import")


def test_chain_of_ca_and_leaf_is_valid(leaf, ca):
    assert chain_errors(leaf[0], [ca[0]], now=NOW) == []


def test_chain_without_the_issuer(leaf):
    other_ca, _key = make_certificate("Other CA", sans=(), ca=True)
    [message] = chain_errors(leaf[0], [other_ca], now=NOW)
    assert message == (
        "certificate_chain does not hold the issuer of certificate: certificate is issued by CN=Unit Root CA,"
        " certificate_chain holds CN=Other CA"
    )


def test_chain_with_an_impostor_issuer(leaf):
    impostor, _key = make_certificate("Unit Root CA", sans=(), ca=True)  # same name, another key
    [message] = chain_errors(leaf[0], [impostor], now=NOW)
    assert "did not sign certificate" in message


def test_chain_repeating_the_certificate(leaf, ca):
    messages = chain_errors(leaf[0], [leaf[0], ca[0]], now=NOW)
    assert messages == [
        "certificate_chain[0] is the certificate itself; certificate_chain holds only the certificates that issued it"
    ]


def test_chain_with_an_expired_part():
    old_ca = make_certificate("Old CA", sans=(), ca=True, valid_from=-60 * DAY, valid_until=-DAY)
    certificate, _key = make_certificate(issuer=old_ca)
    [message] = chain_errors(certificate, [old_ca[0]], now=NOW)
    assert message.startswith("certificate_chain[0] (CN=Old CA) expired on ")


def test_self_signed_certificate_with_a_chain(self_signed, ca):
    [message] = chain_errors(self_signed[0], [ca[0]], now=NOW)
    assert "does not hold the issuer of certificate" in message


# --- the module's arguments --------------------------------------------------------------------------------


def test_wanted_certificate_self_signed(self_signed):
    certificate, key = self_signed
    wanted = wanted_certificate(params(certificate, key))
    assert wanted["name"] == "unit-alb"
    assert wanted["lookup_tags"] == {"Name": "unit-alb", "Stack": "unit"}
    assert wanted["tags"] == {"Stack": "unit", "Name": "unit-alb"}
    assert wanted["chain_pem"] is None
    assert wanted["facts"] == {
        "domain_name": "app.example.com",
        "subject_alternative_names": ["app.example.com", "www.app.example.com"],
        "subject": "CN=app.example.com",
        "issuer": "CN=app.example.com",
        "serial_number": serial_number(certificate),
        "key_algorithm": "EC_prime256v1",
        "fingerprint_sha256": fingerprint_sha256(certificate),
        "chain_fingerprints_sha256": [],
        "not_before": iso8601(NOW - DAY),
        "not_after": iso8601(NOW + 30 * DAY),
    }
    assert wanted["certificate_pem"] == pem(certificate)


def test_wanted_certificate_with_chain(leaf, ca):
    certificate, key = leaf
    wanted = wanted_certificate(params(certificate, key, chain=[ca[0]]))
    assert wanted["facts"]["chain_fingerprints_sha256"] == [fingerprint_sha256(ca[0])]
    assert wanted["facts"]["issuer"] == "CN=Unit Root CA"
    assert wanted["chain_pem"] == pem(ca[0])


def test_wanted_certificate_empty_chain_is_no_chain(self_signed):
    certificate, key = self_signed
    assert wanted_certificate(params(certificate, key, certificate_chain="  \n"))["chain_pem"] is None


def test_wanted_certificate_without_tags_leaves_them_alone(self_signed):
    certificate, key = self_signed
    wanted = wanted_certificate(params(certificate, key, tags=None))
    assert wanted["tags"] is None
    assert wanted["all_tags"] == {"Name": "unit-alb"}
    assert wanted["lookup_tags"] == {"Name": "unit-alb"}


def test_wanted_certificate_collects_every_error(self_signed):
    expired, _key = make_certificate(valid_from=-30 * DAY, valid_until=-DAY)
    with pytest.raises(AcmInputError) as error:
        wanted_certificate(params(expired, new_key(), certificate_chain="garbage"))
    message = str(error.value)
    assert "certificate_chain is not a PEM-encoded X.509 certificate" in message
    assert "certificate (CN=app.example.com) expired on" in message
    assert "private_key does not match certificate" in message


def test_wanted_certificate_garbage_certificate_and_key():
    with pytest.raises(AcmInputError) as error:
        wanted_certificate(
            {"name": "unit", "certificate": "nonsense", "private_key": "secret-key-material", "tags": None}
        )
    message = str(error.value)
    assert "certificate is not a PEM-encoded X.509 certificate" in message
    assert "private_key is not a PEM-encoded private key" in message
    assert "secret-key-material" not in message


def test_wanted_certificate_name_tag_conflict(self_signed):
    certificate, key = self_signed
    with pytest.raises(AcmInputError, match="tags.Name is 'other' but name is 'unit-alb'"):
        wanted_certificate(params(certificate, key, tags={"Name": "other"}))
    # the same value is fine
    assert wanted_certificate(params(certificate, key, tags={"Name": "unit-alb"}))["tags"] == {"Name": "unit-alb"}


@pytest.mark.parametrize(("name", "message"), [("", "non-empty"), ("x" * 257, "at most 256 characters"), (None, "non")])
def test_identity_of_bad_names(name, message):
    with pytest.raises(AcmInputError, match=message):
        identity_of({"name": name, "tags": None})


def test_lookup_tags_take_identity_tags_only():
    tags = {"Stack": "demo", "Environment": "prod", "ManagedBy": "cloudops.fargate", "Owner": "team", "Cost": 3}
    assert lookup_tags("demo-prod-alb", tags) == {
        "Name": "demo-prod-alb",
        "Stack": "demo",
        "Environment": "prod",
        "ManagedBy": "cloudops.fargate",
    }
    assert lookup_tags("x", None) == {"Name": "x"}


def test_has_all_tags():
    assert has_all_tags({"Name": "a", "Stack": "s", "Other": "o"}, {"Name": "a", "Stack": "s"})
    assert not has_all_tags({"Name": "a"}, {"Name": "a", "Stack": "s"})
    assert not has_all_tags({"Name": "a", "Stack": "t"}, {"Name": "a", "Stack": "s"})


SUMMARIES = [
    {"CertificateArn": "alb", "DomainName": "app.example.com", "Type": "IMPORTED"},
    {"CertificateArn": "vpn", "DomainName": "server.vpn.internal", "Type": "IMPORTED"},
    {"CertificateArn": "issued", "DomainName": "app.example.com", "Type": "AMAZON_ISSUED"},
    {"CertificateArn": "shouting", "DomainName": "APP.Example.com", "Type": "IMPORTED"},
    {"CertificateArn": "untyped", "DomainName": "app.example.com"},
    {"CertificateArn": "nameless", "Type": "IMPORTED"},
]


@pytest.mark.parametrize(
    ("certificate_type", "domain", "expected"),
    [
        ("IMPORTED", None, ["alb", "vpn", "shouting", "untyped", "nameless"]),
        ("IMPORTED", "app.example.com", ["alb", "shouting", "untyped"]),
        ("IMPORTED", "App.Example.COM", ["alb", "shouting", "untyped"]),
        ("IMPORTED", "other.example.com", []),
        ("AMAZON_ISSUED", None, ["issued"]),
        ("AMAZON_ISSUED", "app.example.com", ["issued"]),
        ("AMAZON_ISSUED", "server.vpn.internal", []),
    ],
)
def test_arns_of_by_type_and_domain(certificate_type, domain, expected):
    assert arns_of(SUMMARIES, certificate_type, domain) == expected


# --- results -------------------------------------------------------------------------------------------------


def test_predicted_certificate_has_no_arn(self_signed):
    certificate, key = self_signed
    predicted = predicted_certificate(wanted_certificate(params(certificate, key)))
    assert "certificate_arn" not in predicted
    assert predicted["name"] == "unit-alb"
    assert predicted["status"] == "ISSUED"
    assert predicted["in_use_by"] == []
    assert predicted["tags"] == {"Stack": "unit", "Name": "unit-alb"}
    assert predicted["fingerprint_sha256"] == fingerprint_sha256(certificate)


def _description(certificate, **overrides):
    description = {
        "CertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/abc",
        "DomainName": "app.example.com",
        "SubjectAlternativeNames": ["app.example.com", "www.app.example.com"],
        "Status": "ISSUED",
        "InUseBy": ["arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/unit/1"],
        "NotBefore": datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc),
        "NotAfter": datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc),
    }
    description.update(overrides)
    return description


def test_normalize_certificate(leaf, ca):
    certificate, key = leaf
    wanted = wanted_certificate(params(certificate, key, chain=[ca[0]]))
    result = normalize_certificate(_description(certificate), pem(certificate), pem(ca[0]), {"Name": "unit-alb"})
    assert result == {
        "certificate_arn": "arn:aws:acm:us-east-1:123456789012:certificate/abc",
        "name": "unit-alb",
        **wanted["facts"],
        "status": "ISSUED",
        "in_use_by": ["arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/unit/1"],
        "tags": {"Name": "unit-alb"},
    }
    assert content_of(result) == content_of(wanted["facts"])


def test_normalize_certificate_chain_repeating_the_certificate(leaf, ca):
    certificate, _key = leaf
    result = normalize_certificate(_description(certificate), pem(certificate), pem(certificate, ca[0]), {})
    assert result["chain_fingerprints_sha256"] == [fingerprint_sha256(ca[0])]


@pytest.mark.parametrize("chain", [None, "", "\n"])
def test_normalize_certificate_without_chain(self_signed, chain):
    certificate, _key = self_signed
    result = normalize_certificate(_description(certificate), pem(certificate), chain, {})
    assert result["chain_fingerprints_sha256"] == []


def test_normalize_certificate_unreadable_parts(self_signed):
    certificate, _key = self_signed
    result = normalize_certificate(_description(certificate), pem(certificate), "garbage", {})
    assert result["chain_fingerprints_sha256"] == ["unreadable"]
    result = normalize_certificate(_description(certificate), "garbage", None, {"Name": "x"})
    assert result["fingerprint_sha256"] is None
    assert result["not_after"] == "2030-01-01T00:00:00+00:00"
    assert result["domain_name"] == "app.example.com"
    assert result["subject_alternative_names"] == ["app.example.com", "www.app.example.com"]
    assert result["name"] == "x"


# --- re-import rules -------------------------------------------------------------------------------------


WHERE = "ACM certificate unit-alb (arn)"


def test_reimport_same_profile_is_fine():
    key = new_key()
    before, _key = make_certificate(
        key=key, key_usage=["digital_signature"], extended_key_usage=[ExtendedKeyUsageOID.SERVER_AUTH]
    )
    after, _key = make_certificate(
        key=key,
        valid_until=90 * DAY,
        key_usage=["digital_signature", "key_agreement"],
        extended_key_usage=[ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH],
    )
    assert reimport_errors(before, after, WHERE) == []


def test_reimport_key_type_change():
    before, _key = make_certificate(key=new_key("rsa"))
    after, _key = make_certificate(key=new_key("ec"))
    [message] = reimport_errors(before, after, WHERE)
    assert message == (
        "private_key: the key type of ACM certificate unit-alb (arn) is RSA_2048 and cannot change on re-import;"
        " the task's key is EC_prime256v1"
    )


def test_reimport_removing_usages():
    before, _key = make_certificate(
        key_usage=["digital_signature", "content_commitment"],
        extended_key_usage=[ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CODE_SIGNING],
    )
    after, _key = make_certificate(
        key_usage=["digital_signature"], extended_key_usage=[ExtendedKeyUsageOID.SERVER_AUTH]
    )
    messages = reimport_errors(before, after, WHERE)
    assert messages == [
        "certificate: a re-import of ACM certificate unit-alb (arn) cannot remove key usages it has: content_commitment",
        "certificate: a re-import of ACM certificate unit-alb (arn) cannot remove extended key usages it has: codeSigning",
    ]


def test_reimport_allowed_removals():
    # keyEncipherment from an ECDSA certificate, and clientAuth from any
    before, _key = make_certificate(
        key_usage=["digital_signature", "key_encipherment"],
        extended_key_usage=[ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH],
    )
    after, _key = make_certificate(
        key_usage=["digital_signature"], extended_key_usage=[ExtendedKeyUsageOID.SERVER_AUTH]
    )
    assert reimport_errors(before, after, WHERE) == []


def test_reimport_adding_extensions_to_a_certificate_without():
    before, _key = make_certificate()
    after, _key = make_certificate(
        key_usage=["digital_signature"], extended_key_usage=[ExtendedKeyUsageOID.SERVER_AUTH]
    )
    messages = reimport_errors(before, after, WHERE)
    assert messages == [
        "certificate: ACM certificate unit-alb (arn) has no key usage extension, and a re-import cannot add one",
        "certificate: ACM certificate unit-alb (arn) has no extended key usage extension, and a re-import cannot add"
        " one",
    ]


# --- waiting ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("timeout", "expected"), [(0, (5, 1)), (1, (1, 2)), (3, (3, 2)), (300, (5, 61))])
def test_waiter_settings(timeout, expected):
    assert waiter_settings(timeout, IN_USE_POLL_DELAY) == expected
