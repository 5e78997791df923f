"""cloudops.fargate.acm_certificate against moto in this process; every outcome is read back with boto3.

moto 5.2.5 gets three things about imported certificates wrong that the module relies on; the fixture
``acm_like_aws`` patches them (narrowly, for the test's duration) so the tests exercise AWS's behaviour, and
``test_moto_gaps_still_there`` pins the gaps so the patch can go once moto fixes them:

* GetCertificate's CertificateChain: moto appends a bundled Amazon CA certificate to every chain and returns it
  even for a certificate imported without one; ACM returns the chain as it was imported.
* A re-import (ImportCertificate with CertificateArn) builds a new certificate in moto, dropping its tags and
  InUseBy, and accepts Tags; ACM keeps the tags and the associations and refuses Tags on a re-import.
* DeleteCertificate deletes a certificate whose InUseBy is not empty; ACM answers ResourceInUseException.
  (moto fills InUseBy only for classic ELB listeners; the tests set it through the backend.)
"""

from __future__ import annotations

import json

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtendedKeyUsageOID

from ansible_collections.cloudops.fargate.plugins.modules import acm_certificate
from tests.unit.helpers import DAY
from tests.unit.helpers import NOW
from tests.unit.helpers import assert_ok
from tests.unit.helpers import import_certificate
from tests.unit.helpers import intercept
from tests.unit.helpers import key_pem
from tests.unit.helpers import make_certificate
from tests.unit.helpers import new_key
from tests.unit.helpers import pem

NAME = "unit-alb"
REGION = "us-east-1"
LISTENER = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/unit/50dc6c495c0c9188/f2f7dc8efc522ab2"


# --- certificates made for the tests -------------------------------------------------------------------------


def der_fingerprint(certificate) -> str:
    return ":".join(f"{b:02x}" for b in certificate.fingerprint(hashes.SHA256()))


# --- moto as AWS behaves ------------------------------------------------------------------------------------


@pytest.fixture
def acm_like_aws(monkeypatch):
    """Patch moto's three ACM gaps (see the module docstring) for this test only."""
    from moto.acm import models
    from moto.core.exceptions import AWSError

    class ResourceInUse(AWSError):
        TYPE = "ResourceInUseException"

    original_import = models.AWSCertificateManagerBackend.import_certificate
    original_delete = models.AWSCertificateManagerBackend.delete_certificate

    def import_certificate(self, certificate, private_key, chain, arn, tags):
        previous = self._certificates.get(arn) if arn else None
        if previous is not None and tags:
            raise models.AWSValidationException("You cannot apply tags when reimporting a certificate.")
        new_arn = original_import(self, certificate, private_key, chain, arn, tags)
        bundle = self._certificates[new_arn]
        bundle.chain = chain or b""  # as imported, nothing appended
        if previous is not None:
            bundle.tags = previous.tags
            bundle.in_use_by = previous.in_use_by
        return new_arn

    def delete_certificate(self, arn):
        bundle = self._certificates.get(arn)
        if bundle is not None and bundle.in_use_by:
            raise ResourceInUse(f"Certificate {arn} is in use by {', '.join(bundle.in_use_by)}")
        return original_delete(self, arn)

    monkeypatch.setattr(models.AWSCertificateManagerBackend, "import_certificate", import_certificate)
    monkeypatch.setattr(models.AWSCertificateManagerBackend, "delete_certificate", delete_certificate)


def backend():
    from moto.acm.models import acm_backends
    from moto.core import DEFAULT_ACCOUNT_ID

    return acm_backends[DEFAULT_ACCOUNT_ID][REGION]


def set_in_use(arn, user=LISTENER):
    backend().set_certificate_in_use_by(arn, user)


# --- fixtures and helpers --------------------------------------------------------------------------------------


@pytest.fixture
def acm(aws, acm_like_aws):
    return aws("acm")


@pytest.fixture(scope="module")
def self_signed():
    return make_certificate()


@pytest.fixture
def args(self_signed):
    certificate, key = self_signed
    return {"name": NAME, "certificate": pem(certificate), "private_key": key_pem(key), "tags": {"Stack": "unit"}}


@pytest.fixture
def run(run_module):
    def run_acm_certificate(args, check_mode=False, diff=False):
        return run_module(acm_certificate, args, check_mode=check_mode, diff=diff)

    return run_acm_certificate


@pytest.fixture
def created(run, args, acm):
    """The certificate of ``args`` imported for real; returns its ARN."""
    result = run(args)
    assert_ok(result, changed=True)
    return result["certificate"]["certificate_arn"]


def arns(acm):
    return sorted(c["CertificateArn"] for c in acm.list_certificates()["CertificateSummaryList"])


def tags_of(acm, arn):
    return {t["Key"]: t.get("Value", "") for t in acm.list_tags_for_certificate(CertificateArn=arn)["Tags"]}


def fingerprint_in_acm(acm, arn):
    text = acm.get_certificate(CertificateArn=arn)["Certificate"]
    return der_fingerprint(x509.load_pem_x509_certificate(text.encode()))


def chain_in_acm(acm, arn):
    text = acm.get_certificate(CertificateArn=arn).get("CertificateChain") or ""
    return [der_fingerprint(c) for c in x509.load_pem_x509_certificates(text.encode())] if text.strip() else []


def assert_no_key(result, *keys):
    """No line of the private keys' PEM appears anywhere in the result (diff included)."""
    text = json.dumps(result)
    for key in keys:
        body = [line for line in key_pem(key).splitlines() if line and not line.startswith("-----")]
        assert body
        for line in body:
            assert line not in text
        for line in key_pem(key, serialization.PrivateFormat.TraditionalOpenSSL).splitlines():
            if line and not line.startswith("-----"):
                assert line not in text
    assert "PRIVATE KEY" not in text


# --- import: the four steps ----------------------------------------------------------------------------------


def test_import_four_steps(run, args, acm, self_signed):
    certificate, key = self_signed

    # 1. check mode predicts the import and imports nothing
    result = run(args, check_mode=True, diff=True)
    assert_ok(result, changed=True)
    assert arns(acm) == []
    predicted = result["certificate"]
    assert predicted == {
        "name": NAME,
        "domain_name": "app.example.com",
        "subject_alternative_names": ["app.example.com", "www.app.example.com"],
        "subject": "CN=app.example.com",
        "issuer": "CN=app.example.com",
        "serial_number": predicted["serial_number"],
        "key_algorithm": "EC_prime256v1",
        "fingerprint_sha256": der_fingerprint(certificate),
        "chain_fingerprints_sha256": [],
        "not_before": (NOW - DAY).isoformat(),
        "not_after": (NOW + 30 * DAY).isoformat(),
        "status": "ISSUED",
        "in_use_by": [],
        "tags": {"Name": NAME, "Stack": "unit"},
    }
    assert result["diff"] == {"before": {}, "after": predicted}

    # 2. for real
    result = run(args, diff=True)
    assert_ok(result, changed=True)
    [arn] = arns(acm)
    assert result["certificate"] == dict(predicted, certificate_arn=arn)
    assert result["diff"] == {"before": {}, "after": predicted}
    assert fingerprint_in_acm(acm, arn) == der_fingerprint(certificate)
    assert chain_in_acm(acm, arn) == []
    assert tags_of(acm, arn) == {"Name": NAME, "Stack": "unit"}
    assert_no_key(result, key)

    # 3. again in check mode: nothing to do
    result = run(args, check_mode=True, diff=True)
    assert_ok(result, changed=False)
    assert result["diff"] == {"before": {}, "after": {}}
    assert result["certificate"]["certificate_arn"] == arn

    # 4. again for real: nothing to do
    result = run(args, diff=True)
    assert_ok(result, changed=False)
    assert result["certificate"] == dict(predicted, certificate_arn=arn)
    assert arns(acm) == [arn]


def test_a_certificate_as_asked_has_its_tags_read_once(run, args, acm, created, calls):
    calls.clear()
    assert_ok(run(args), changed=False)
    assert [operation for _service, operation in calls] == [
        "ListCertificates", "ListTagsForCertificate", "DescribeCertificate", "GetCertificate"
    ]


def test_same_content_in_other_pem_spellings_is_no_change(run, args, acm, created, self_signed):
    certificate, key = self_signed
    variants = [
        {"certificate": pem(certificate).replace("\n", "\r\n")},
        {"certificate": "subject=CN = app.example.com\n\n" + pem(certificate) + "\n\n"},
        {"private_key": key_pem(key, serialization.PrivateFormat.TraditionalOpenSSL)},
        {"certificate_chain": ""},
    ]
    for variant in variants:
        assert_ok(run(dict(args, **variant), check_mode=True), changed=False)
        assert_ok(run(dict(args, **variant)), changed=False)
    assert arns(acm) == [created]


def test_import_with_chain_four_steps(run, acm):
    ca = make_certificate("Unit Root CA", ca=True, valid_until=365 * DAY)
    certificate, key = make_certificate(issuer=ca)
    args = {
        "name": NAME,
        "certificate": pem(certificate),
        "private_key": key_pem(key),
        "certificate_chain": pem(ca[0]),
    }
    result = run(args, check_mode=True)
    assert_ok(result, changed=True)
    assert result["certificate"]["chain_fingerprints_sha256"] == [der_fingerprint(ca[0])]
    assert result["certificate"]["issuer"] == "CN=Unit Root CA"
    assert arns(acm) == []

    result = run(args)
    assert_ok(result, changed=True)
    [arn] = arns(acm)
    assert chain_in_acm(acm, arn) == [der_fingerprint(ca[0])]
    assert result["certificate"]["chain_fingerprints_sha256"] == [der_fingerprint(ca[0])]
    assert result["certificate"]["tags"] == {"Name": NAME}

    assert_ok(run(args, check_mode=True), changed=False)
    assert_ok(run(args), changed=False)


# --- re-import ----------------------------------------------------------------------------------------------------


def test_reimport_renewed_certificate_keeps_the_arn(run, args, acm, created, self_signed):
    old, key = self_signed
    renewed, _key = make_certificate(key=key, valid_from=-DAY / 2, valid_until=90 * DAY)
    set_in_use(created)
    renewed_args = dict(args, certificate=pem(renewed))
    diff_before = {
        "certificate": {
            "fingerprint_sha256": der_fingerprint(old),
            "subject": "CN=app.example.com",
            "not_before": (NOW - DAY).isoformat(),
            "not_after": (NOW + 30 * DAY).isoformat(),
            "chain_fingerprints_sha256": [],
        }
    }
    diff_after = {
        "certificate": {
            "fingerprint_sha256": der_fingerprint(renewed),
            "subject": "CN=app.example.com",
            "not_before": (NOW - DAY / 2).isoformat(),
            "not_after": (NOW + 90 * DAY).isoformat(),
            "chain_fingerprints_sha256": [],
        }
    }

    result = run(renewed_args, check_mode=True, diff=True)
    assert_ok(result, changed=True)
    assert result["diff"] == {"before": diff_before, "after": diff_after}
    assert fingerprint_in_acm(acm, created) == der_fingerprint(old)
    predicted = result["certificate"]
    assert predicted["certificate_arn"] == created
    assert predicted["fingerprint_sha256"] == der_fingerprint(renewed)
    assert predicted["not_after"] == (NOW + 90 * DAY).isoformat()

    result = run(renewed_args, diff=True)
    assert_ok(result, changed=True)
    assert result["diff"] == {"before": diff_before, "after": diff_after}
    assert arns(acm) == [created]
    assert fingerprint_in_acm(acm, created) == der_fingerprint(renewed)
    assert tags_of(acm, created) == {"Name": NAME, "Stack": "unit"}
    assert result["certificate"] == predicted
    assert result["certificate"]["in_use_by"] == [LISTENER]
    assert_no_key(result, key)

    assert_ok(run(renewed_args, check_mode=True, diff=True), changed=False)
    assert_ok(run(renewed_args), changed=False)


def test_reimport_with_a_new_key(run, args, acm, created):
    certificate, key = make_certificate()
    result = run(dict(args, certificate=pem(certificate), private_key=key_pem(key)), diff=True)
    assert_ok(result, changed=True)
    assert arns(acm) == [created]
    assert fingerprint_in_acm(acm, created) == der_fingerprint(certificate)
    assert_no_key(result, key)


def test_chain_added_changed_and_removed(run, acm):
    first_ca = make_certificate("Unit Root CA", ca=True, valid_until=365 * DAY)
    certificate, key = make_certificate(issuer=first_ca)
    args = {"name": NAME, "certificate": pem(certificate), "private_key": key_pem(key)}
    # A certificate issued by a CA imported without its chain is ACM's business (it accepts it); the module
    # compares what it is given.
    assert_ok(run(args), changed=True)
    [arn] = arns(acm)

    with_chain = dict(args, certificate_chain=pem(first_ca[0]))
    result = run(with_chain, check_mode=True, diff=True)
    assert_ok(result, changed=True)
    assert result["diff"]["before"]["certificate"]["chain_fingerprints_sha256"] == []
    assert result["diff"]["after"]["certificate"]["chain_fingerprints_sha256"] == [der_fingerprint(first_ca[0])]
    assert result["diff"]["before"]["certificate"]["fingerprint_sha256"] == der_fingerprint(certificate)
    assert chain_in_acm(acm, arn) == []
    assert_ok(run(with_chain), changed=True)
    assert chain_in_acm(acm, arn) == [der_fingerprint(first_ca[0])]
    assert_ok(run(with_chain), changed=False)

    # an intermediate between: the chain is intermediate + root
    intermediate = make_certificate("Unit Intermediate CA", issuer=first_ca, ca=True, valid_until=200 * DAY)
    reissued, _key = make_certificate(key=key, issuer=intermediate)
    longer = dict(args, certificate=pem(reissued), certificate_chain=pem(intermediate[0], first_ca[0]))
    assert_ok(run(longer), changed=True)
    assert chain_in_acm(acm, arn) == [der_fingerprint(intermediate[0]), der_fingerprint(first_ca[0])]
    assert_ok(run(longer), changed=False)
    assert arns(acm) == [arn]


# --- tags ----------------------------------------------------------------------------------------------------------


def _four_tag_steps(run, args, acm, arn, expected, diff_before, diff_after):
    before = tags_of(acm, arn)
    result = run(args, check_mode=True, diff=True)
    assert_ok(result, changed=True)
    assert tags_of(acm, arn) == before
    assert result["diff"] == {"before": {"tags": diff_before}, "after": {"tags": diff_after}}
    assert result["certificate"]["tags"] == expected

    result = run(args, diff=True)
    assert_ok(result, changed=True)
    assert tags_of(acm, arn) == expected
    assert result["certificate"]["tags"] == expected

    assert_ok(run(args, check_mode=True), changed=False)
    assert_ok(run(args), changed=False)
    assert tags_of(acm, arn) == expected


def test_tags_add(run, args, acm, created):
    _four_tag_steps(
        run,
        dict(args, tags={"Stack": "unit", "Owner": "team"}),
        acm,
        created,
        expected={"Name": NAME, "Stack": "unit", "Owner": "team"},
        diff_before={"Name": NAME, "Stack": "unit"},
        diff_after={"Name": NAME, "Stack": "unit", "Owner": "team"},
    )


def test_tags_purge_keeps_name(run, args, acm, created):
    acm.add_tags_to_certificate(CertificateArn=created, Tags=[{"Key": "Manual", "Value": "yes"}])
    # Stack is an identity tag: the certificate is found by Name alone once the task leaves it out.
    _four_tag_steps(
        run,
        dict(args, tags={"Owner": "team"}),
        acm,
        created,
        expected={"Name": NAME, "Owner": "team"},
        diff_before={"Name": NAME, "Stack": "unit", "Manual": "yes"},
        diff_after={"Name": NAME, "Owner": "team"},
    )


def test_tags_keep_without_purge(run, args, acm, created):
    acm.add_tags_to_certificate(CertificateArn=created, Tags=[{"Key": "Manual", "Value": "yes"}])
    _four_tag_steps(
        run,
        dict(args, tags={"Stack": "unit", "Owner": "team"}, purge_tags=False),
        acm,
        created,
        expected={"Name": NAME, "Stack": "unit", "Manual": "yes", "Owner": "team"},
        diff_before={"Name": NAME, "Stack": "unit", "Manual": "yes"},
        diff_after={"Name": NAME, "Stack": "unit", "Manual": "yes", "Owner": "team"},
    )


def test_tags_left_out_are_left_alone(run, args, acm, created):
    result = run(dict(args, tags=None))
    assert_ok(result, changed=False)
    assert tags_of(acm, created) == {"Name": NAME, "Stack": "unit"}


def test_content_and_tags_in_one_run(run, args, acm, created, self_signed):
    renewed, _key = make_certificate(key=self_signed[1], valid_until=60 * DAY)
    result = run(dict(args, certificate=pem(renewed), tags={"Stack": "unit", "Owner": "team"}), diff=True)
    assert_ok(result, changed=True)
    assert sorted(result["diff"]["before"]) == ["certificate", "tags"]
    assert result["diff"]["after"]["tags"] == {"Name": NAME, "Stack": "unit", "Owner": "team"}
    assert fingerprint_in_acm(acm, created) == der_fingerprint(renewed)
    assert tags_of(acm, created) == {"Name": NAME, "Stack": "unit", "Owner": "team"}


# --- identity --------------------------------------------------------------------------------------------------


def test_same_content_under_another_name_is_another_certificate(run, args, acm, created):
    result = run(dict(args, name="unit-vpn-server"))
    assert_ok(result, changed=True)
    other = result["certificate"]["certificate_arn"]
    assert other != created
    assert arns(acm) == sorted([created, other])
    assert tags_of(acm, other) == {"Name": "unit-vpn-server", "Stack": "unit"}
    assert result["certificate"]["fingerprint_sha256"] == fingerprint_in_acm(acm, created)
    # each is its own no-op afterwards
    assert_ok(run(args), changed=False)
    assert_ok(run(dict(args, name="unit-vpn-server")), changed=False)


def test_same_name_in_another_stack_is_another_certificate(run, args, acm, created):
    result = run(dict(args, tags={"Stack": "other"}))
    assert_ok(result, changed=True)
    assert len(arns(acm)) == 2
    assert tags_of(acm, created) == {"Name": NAME, "Stack": "unit"}


def test_domain_alone_never_identifies(run, args, acm, self_signed):
    certificate, key = self_signed
    # an imported certificate of the same domain without the Name tag is not ours
    foreign = acm.import_certificate(Certificate=pem(certificate).encode(), PrivateKey=key_pem(key).encode())
    result = run(args)
    assert_ok(result, changed=True)
    assert result["certificate"]["certificate_arn"] != foreign["CertificateArn"]
    assert tags_of(acm, foreign["CertificateArn"]) == {}


def test_ambiguous_name_fails(run, args, acm, self_signed):
    certificate, key = self_signed
    made = [
        acm.import_certificate(
            Certificate=pem(certificate).encode(),
            PrivateKey=key_pem(key).encode(),
            Tags=[{"Key": "Name", "Value": NAME}, {"Key": "Stack", "Value": "unit"}],
        )["CertificateArn"]
        for _attempt in range(2)
    ]
    for check_mode in (True, False):
        result = run(args, check_mode=check_mode)
        assert result["failed"]
        assert "2 imported ACM certificates carry the tags Name=unit-alb, Stack=unit" in result["msg"]
        assert all(arn in result["msg"] for arn in made)
    assert arns(acm) == sorted(made)


# --- finding the certificate: those of its domain first -----------------------------------------------------------

VPN_SERVER = "unit-vpn-server"
ALB_DOMAIN = "app.example.com"
IDENTITY_TAGS = [{"Key": "Name", "Value": NAME}, {"Key": "Stack", "Value": "unit"}]


@pytest.fixture(scope="module")
def vpn_server():
    """The Client VPN's server certificate as roles/storage imports it: signed by the stack's CA, which is its chain."""
    ca = make_certificate("Unit VPN CA", ca=True, valid_until=365 * DAY)
    server, key = make_certificate("server.vpn.internal", issuer=ca)
    return {
        "name": VPN_SERVER,
        "certificate": pem(server),
        "private_key": key_pem(key),
        "certificate_chain": pem(ca[0]),
        "tags": {"Stack": "unit"},
    }


@pytest.fixture
def stack(run, args, acm, vpn_server):
    """The stack's two imported certificates (the load balancer's for app.example.com, the VPN server's for another
    domain) and a certificate ACM issued for app.example.com, untagged; returns their ARNs by role."""
    imported = {}
    for role, task in (("alb", args), ("vpn", vpn_server)):
        result = run(task)
        assert_ok(result, changed=True)
        imported[role] = result["certificate"]["certificate_arn"]
    requested = acm.request_certificate(DomainName=ALB_DOMAIN, ValidationMethod="DNS")["CertificateArn"]
    return dict(imported, requested=requested)


def operations(calls, name=None):
    found = [operation for _service, operation in calls]
    return found if name is None else found.count(name)


def tag_reads_to_find(calls):
    """The ListTagsForCertificate calls before the first DescribeCertificate: those of the search."""
    found = operations(calls)
    return found[: found.index("DescribeCertificate")].count("ListTagsForCertificate")


@pytest.mark.parametrize("role", ["alb", "vpn"])
def test_a_no_op_import_reads_the_tags_of_its_own_certificate_only(run, args, vpn_server, stack, calls, role):
    task = {"alb": args, "vpn": vpn_server}[role]
    for check_mode in (True, False):
        calls.clear()
        result = run(task, check_mode=check_mode)
        assert_ok(result, changed=False)
        assert result["certificate"]["certificate_arn"] == stack[role]
        assert operations(calls) == [
            "ListCertificates", "ListTagsForCertificate", "DescribeCertificate", "GetCertificate"
        ]


def test_every_certificate_of_the_domain_is_read(run, args, acm, stack, self_signed, calls):
    # another imported certificate of app.example.com, not the stack's: read too, as a duplicate would be (see
    # test_ambiguous_name_fails)
    import_certificate(acm, self_signed)
    calls.clear()
    assert_ok(run(args), changed=False)
    assert tag_reads_to_find(calls) == 2


def test_a_changed_domain_still_finds_the_certificate_by_its_tags(run, args, acm, stack, self_signed, calls):
    other_domain, _key = make_certificate("api.example.com", key=self_signed[1])
    task = dict(args, certificate=pem(other_domain))
    for check_mode in (True, False):
        calls.clear()
        result = run(task, check_mode=check_mode, diff=True)
        assert_ok(result, changed=True)
        assert result["certificate"]["certificate_arn"] == stack["alb"]  # re-imported into the same ARN
        assert result["diff"]["after"]["certificate"]["fingerprint_sha256"] == der_fingerprint(other_domain)
        # none of api.example.com carries the tags: every imported certificate is read
        assert tag_reads_to_find(calls) == 2
        assert ("ImportCertificate" in operations(calls)) is not check_mode
    assert result["certificate"]["domain_name"] == "api.example.com"
    assert len(arns(acm)) == 3
    assert fingerprint_in_acm(acm, stack["alb"]) == der_fingerprint(other_domain)
    assert tags_of(acm, stack["alb"]) == {"Name": NAME, "Stack": "unit"}
    calls.clear()
    assert_ok(run(task), changed=False)
    assert tag_reads_to_find(calls) == 1


def test_duplicates_for_other_domains_are_reported_once_every_certificate_is_read(run, args, acm, self_signed):
    key = self_signed[1]
    made = [
        import_certificate(acm, make_certificate(domain, key=key), Tags=IDENTITY_TAGS)
        for domain in ("one.example.com", "two.example.com")
    ]
    # neither is of app.example.com: every certificate is read, and the two are an error, in check mode too, and for
    # a delete
    for task in (args, {"name": NAME, "state": "absent", "tags": {"Stack": "unit"}}):
        for check_mode in (True, False):
            result = run(task, check_mode=check_mode)
            assert result["failed"]
            assert "2 imported ACM certificates carry the tags Name=unit-alb, Stack=unit" in result["msg"]
            assert all(arn in result["msg"] for arn in made)
    assert arns(acm) == sorted(made)


def test_absent_finds_the_certificate_by_its_tags_reading_every_certificate(run, acm, stack, calls):
    absent = {"name": NAME, "state": "absent", "tags": {"Stack": "unit"}}
    calls.clear()
    result = run(absent, check_mode=True, diff=True)
    assert_ok(result, changed=True)
    assert result["diff"]["before"]["certificate_arn"] == stack["alb"]
    assert operations(calls, "ListTagsForCertificate") == 3  # both imported and the requested one
    assert_ok(run(absent), changed=True)
    assert arns(acm) == sorted([stack["vpn"], stack["requested"]])
    assert_ok(run(absent), changed=False)


def test_a_certificate_gone_before_its_read_is_not_imported_again_beside_another_of_the_name(
    run, args, acm, self_signed, monkeypatch
):
    """The certificate of the task's domain is deleted between ListCertificates and DescribeCertificate while another
    of the name exists for another domain: the run reads every certificate before importing, and re-imports that one."""
    certificate, key = self_signed
    gone = import_certificate(acm, self_signed, Tags=IDENTITY_TAGS)
    other = import_certificate(acm, make_certificate("old.example.com", key=key), Tags=IDENTITY_TAGS)

    def delete_first(operation, params, proceed):
        if operation == "DescribeCertificate" and params["CertificateArn"] == gone:
            backend().delete_certificate(gone)
        return proceed()

    intercept(monkeypatch, delete_first)
    result = run(args)
    assert_ok(result, changed=True)
    assert result["certificate"]["certificate_arn"] == other
    assert arns(acm) == [other]
    assert fingerprint_in_acm(acm, other) == der_fingerprint(certificate)


# --- refused changes --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("check_mode", [True, False])
def test_key_type_change_refused(run, args, acm, created, self_signed, check_mode):
    certificate, key = make_certificate(key=new_key("rsa"))
    result = run(dict(args, certificate=pem(certificate), private_key=key_pem(key)), check_mode=check_mode)
    assert result["failed"]
    assert result["msg"].startswith(f"private_key: the key type of ACM certificate {NAME} ({created}) is EC_prime256v1")
    assert "RSA_2048" in result["msg"]
    assert "Delete the certificate (state: absent)" in result["msg"]
    assert fingerprint_in_acm(acm, created) == der_fingerprint(self_signed[0])
    assert_no_key(result, key, self_signed[1])


def test_extended_key_usage_removal_refused(run, acm):
    key = new_key()
    before, _key = make_certificate(
        key=key, extended_key_usage=[ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CODE_SIGNING]
    )
    after, _key = make_certificate(key=key, extended_key_usage=[ExtendedKeyUsageOID.SERVER_AUTH])
    args = {"name": NAME, "certificate": pem(before), "private_key": key_pem(key)}
    assert_ok(run(args), changed=True)
    result = run(dict(args, certificate=pem(after), tags={"New": "tag"}))
    assert result["failed"]
    assert "cannot remove extended key usages it has: codeSigning" in result["msg"]
    [arn] = arns(acm)
    assert fingerprint_in_acm(acm, arn) == der_fingerprint(before)
    assert tags_of(acm, arn) == {"Name": NAME}


# --- bad input fails before anything is imported ---------------------------------------------------------------


def _bad_inputs():
    certificate, key = make_certificate()
    expired, expired_key = make_certificate(valid_from=-60 * DAY, valid_until=-DAY)
    future, future_key = make_certificate(valid_from=DAY, valid_until=60 * DAY)
    ca = make_certificate("Unit Root CA", ca=True)
    leaf, leaf_key = make_certificate(issuer=ca)
    other_ca, _other_key = make_certificate("Other CA", ca=True)
    impostor, _impostor_key = make_certificate("Unit Root CA", ca=True)
    encrypted = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"passphrase"),
    ).decode()
    good = {"certificate": pem(certificate), "private_key": key_pem(key)}
    chained = {"certificate": pem(leaf), "private_key": key_pem(leaf_key)}
    return [
        ("garbage certificate", dict(good, certificate="garbage"), "certificate is not a PEM-encoded X.509"),
        (
            "broken PEM",
            dict(good, certificate="-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
            "certificate is not a valid PEM-encoded X.509 certificate",
        ),
        ("garbage key", dict(good, private_key="garbage"), "private_key is not a PEM-encoded private key"),
        ("encrypted key", dict(good, private_key=encrypted), "private_key is encrypted"),
        ("mismatched key", dict(good, private_key=key_pem(new_key())), "private_key does not match certificate"),
        (
            "expired",
            {"certificate": pem(expired), "private_key": key_pem(expired_key)},
            "certificate (CN=app.example.com) expired on",
        ),
        (
            "not yet valid",
            {"certificate": pem(future), "private_key": key_pem(future_key)},
            "certificate (CN=app.example.com) is not valid before",
        ),
        ("bundle", dict(chained, certificate=pem(leaf, ca[0])), "certificate holds 2 certificates"),
        ("garbage chain", dict(chained, certificate_chain="garbage"), "certificate_chain is not a PEM-encoded"),
        (
            "chain without the issuer",
            dict(chained, certificate_chain=pem(other_ca)),
            "certificate_chain does not hold the issuer of certificate",
        ),
        ("chain with an impostor", dict(chained, certificate_chain=pem(impostor)), "did not sign certificate"),
        ("Name tag conflict", dict(good, tags={"Name": "other"}), "tags.Name is 'other' but name is 'unit-alb'"),
        ("missing key", {"certificate": pem(certificate)}, "private_key is required with certificate"),
        ("no certificate", {"private_key": key_pem(key)}, "state is present but any of the following are missing"),
        ("empty name", dict(good, name=""), "name must be a non-empty string"),
    ]


BAD_INPUTS = _bad_inputs()


@pytest.mark.parametrize(("overrides", "message"), [c[1:] for c in BAD_INPUTS], ids=[c[0] for c in BAD_INPUTS])
@pytest.mark.parametrize("check_mode", [True, False])
def test_bad_input_fails_before_anything_is_imported(run, acm, overrides, message, check_mode):
    result = run({"name": NAME, **overrides}, check_mode=check_mode, diff=True)
    assert result["failed"]
    assert message in result["msg"]
    assert arns(acm) == []
    text = json.dumps(result)
    if overrides.get("private_key"):
        for line in overrides["private_key"].splitlines():
            if line and not line.startswith("-----"):
                assert line not in text


def test_bad_input_on_an_existing_certificate_changes_nothing(run, args, acm, created, self_signed):
    result = run(dict(args, private_key=key_pem(new_key()), tags={"Stack": "unit", "New": "tag"}))
    assert result["failed"]
    assert "private_key does not match certificate" in result["msg"]
    assert fingerprint_in_acm(acm, created) == der_fingerprint(self_signed[0])
    assert tags_of(acm, created) == {"Name": NAME, "Stack": "unit"}


def test_the_key_never_appears_in_results(run, args, acm, self_signed):
    _certificate, key = self_signed
    results = [run(args, check_mode=True, diff=True), run(args, diff=True), run(args, diff=True)]
    renewed, _key = make_certificate(key=key, valid_until=45 * DAY)
    results.append(run(dict(args, certificate=pem(renewed)), diff=True))
    results.append(run({"name": NAME, "state": "absent", "tags": {"Stack": "unit"}}, diff=True))
    for result in results:
        assert_no_key(result, key)
        assert args["private_key"] not in json.dumps(result)


# --- delete ----------------------------------------------------------------------------------------------------------


def test_delete_four_steps(run, args, acm, created):
    absent = {"name": NAME, "state": "absent", "tags": {"Stack": "unit"}}

    result = run(absent, check_mode=True, diff=True)
    assert_ok(result, changed=True)
    assert arns(acm) == [created]
    assert result["diff"]["before"]["certificate_arn"] == created
    assert result["diff"]["before"]["tags"] == {"Name": NAME, "Stack": "unit"}
    assert result["diff"]["after"] == {}
    assert result["certificate"] == {}

    result = run(absent, diff=True)
    assert_ok(result, changed=True)
    assert arns(acm) == []
    assert result["certificate"] == {}

    assert_ok(run(absent, check_mode=True), changed=False)
    result = run(absent)
    assert_ok(result, changed=False)
    assert result["certificate"] == {}


def test_delete_only_the_named_one(run, args, acm, created):
    other = run(dict(args, name="unit-vpn-server"))["certificate"]["certificate_arn"]
    other_stack = run(dict(args, tags={"Stack": "other"}))["certificate"]["certificate_arn"]
    assert_ok(run({"name": NAME, "state": "absent", "tags": {"Stack": "unit"}}), changed=True)
    assert arns(acm) == sorted([other, other_stack])


def test_delete_ignores_present_only_options(run, acm):
    result = run({"name": NAME, "state": "absent", "certificate": "garbage", "private_key": "garbage"})
    assert_ok(result, changed=False)


@pytest.mark.parametrize("name", ["", "x" * 300])
def test_delete_bad_name_fails(run, acm, name):
    result = run({"name": name, "state": "absent"})
    assert result["failed"]
    assert "name must" in result["msg"]


def test_delete_in_use_fails_naming_the_user(run, args, acm, created):
    set_in_use(created)
    absent = {"name": NAME, "state": "absent", "in_use_timeout": 0}

    result = run(absent)
    assert result["failed"]
    assert result["msg"].startswith(f"ACM certificate {NAME} ({created}) is in use by {LISTENER}; remove it")
    assert arns(acm) == [created]

    # check mode cannot know whether earlier tasks release it: it warns and predicts the delete
    result = run(absent, check_mode=True)
    assert_ok(result, changed=True)
    assert any(LISTENER in warning for warning in result["warnings"])
    assert arns(acm) == [created]


def test_delete_refused_by_acm_names_the_user(run, args, acm, created, monkeypatch):
    """ACM's InUseBy lags: the read shows no user, the delete is refused, the message names the user."""
    from moto.acm import models

    set_in_use(created)
    original = models.CertBundle.describe
    calls = []

    def describe(self):
        result = original(self)
        calls.append(1)
        if len(calls) == 1:
            result["Certificate"]["InUseBy"] = []
        return result

    monkeypatch.setattr(models.CertBundle, "describe", describe)
    result = run({"name": NAME, "state": "absent", "in_use_timeout": 0})
    assert result["failed"]
    assert result["msg"].startswith(f"ACM certificate {NAME} ({created}) is in use by {LISTENER}")
    assert arns(acm) == [created]


def test_delete_waits_for_acm_to_release_the_certificate(run, args, acm, created, monkeypatch):
    from moto.acm import models

    set_in_use(created)
    original = models.AWSCertificateManagerBackend.describe_certificate
    calls = []

    def describe_certificate(self, arn):
        calls.append(arn)
        if len(calls) == 3:  # the module's read, the waiter's first poll, then released
            self._certificates[arn].in_use_by = []
        return original(self, arn)

    monkeypatch.setattr(models.AWSCertificateManagerBackend, "describe_certificate", describe_certificate)
    result = run({"name": NAME, "state": "absent", "in_use_timeout": 1}, diff=True)
    assert_ok(result, changed=True)
    assert arns(acm) == []
    assert result["certificate"] == {}
    assert result["diff"]["before"]["in_use_by"] == [LISTENER]
    assert len(calls) >= 3


def test_delete_in_use_times_out(run, args, acm, created):
    set_in_use(created)
    result = run({"name": NAME, "state": "absent", "in_use_timeout": 1})
    assert result["failed"]
    assert result["msg"].startswith(f"Timed out after 1 seconds: ACM certificate {NAME} ({created}) is in use by")
    assert LISTENER in result["msg"]
    assert result["certificate"]["certificate_arn"] == created
    assert arns(acm) == [created]


def test_delete_retries_while_acm_refuses_it(run, args, acm, created, monkeypatch, calls):
    """ACM's InUseBy lags both ways: it shows no user, yet DeleteCertificate is refused a little longer. Within
    in_use_timeout the delete is retried."""
    from moto.acm import models

    set_in_use(created)
    describe = models.CertBundle.describe
    delete = models.AWSCertificateManagerBackend.delete_certificate

    def describe_without_users(self):
        result = describe(self)
        result["Certificate"]["InUseBy"] = []
        return result

    def delete_then_release(self, arn):
        try:
            return delete(self, arn)
        except Exception:
            self._certificates[arn].in_use_by = []  # released after the first refusal
            raise

    monkeypatch.setattr(models.CertBundle, "describe", describe_without_users)
    monkeypatch.setattr(models.AWSCertificateManagerBackend, "delete_certificate", delete_then_release)
    result = run({"name": NAME, "state": "absent", "in_use_timeout": 5})
    assert_ok(result, changed=True)
    assert arns(acm) == []
    assert [operation for _service, operation in calls].count("DeleteCertificate") == 2


def test_negative_in_use_timeout_fails(run, acm):
    result = run({"name": NAME, "state": "absent", "in_use_timeout": -1})
    assert result["failed"]
    assert "in_use_timeout must be 0 or more" in result["msg"]


# --- the moto gaps patched above ----------------------------------------------------------------------------


def test_moto_gaps_still_there(aws, self_signed):
    """Without ``acm_like_aws``, moto 5.2.5 differs from ACM. When this fails, moto fixed a gap: drop its patch."""
    acm = aws("acm")
    certificate, key = self_signed
    arn = acm.import_certificate(
        Certificate=pem(certificate).encode(), PrivateKey=key_pem(key).encode(), Tags=[{"Key": "Name", "Value": NAME}]
    )["CertificateArn"]
    # 1. a chain nobody imported
    assert acm.get_certificate(CertificateArn=arn).get("CertificateChain")
    # 2. a re-import drops the tags (and accepts new ones)
    acm.import_certificate(
        CertificateArn=arn,
        Certificate=pem(certificate).encode(),
        PrivateKey=key_pem(key).encode(),
        Tags=[{"Key": "Other", "Value": "x"}],
    )
    assert tags_of(acm, arn) == {"Other": "x"}
    # 3. a certificate in use is deleted all the same
    set_in_use(arn)
    acm.delete_certificate(CertificateArn=arn)
    assert arns(acm) == []


# --- realistic mode: ACM lets go of a certificate a little after its user is gone ------------------------------


@pytest.fixture
def realistic(aws, monkeypatch):
    """``realistic(time_scale)`` switches the emulator's realistic mode on in this process, with its ACM extension
    (emulator/extensions/acm_imported_certificates.py: InUseBy kept for ``certificate.in_use_lingering``, 30 s at
    scale 1, after a listener is deleted) installed for this test only; quick InUseBy polls."""
    from emulator import realism
    from emulator.extensions import acm_imported_certificates

    from ansible_collections.cloudops.fargate.plugins.module_utils import _acm

    for patch in acm_imported_certificates.PATCHES:
        monkeypatch.setattr(patch.owner, patch.name, getattr(patch.owner, patch.name))  # put back afterwards
    acm_imported_certificates.install()
    monkeypatch.setattr(_acm, "IN_USE_POLL_DELAY", 0.05)

    def switch_on(time_scale):
        realism.configure({"realistic": True, "time_scale": time_scale, "throttle_rate": 0.0})

    yield switch_on
    realism.reset()


@pytest.fixture
def released(run, args, aws, realistic):
    """The certificate of ``args`` served by an HTTPS listener, which is then deleted in realistic mode; returns
    ``(certificate ARN, load balancer ARN, switch_on)``: ACM still lists the load balancer for a while."""

    def release(time_scale):
        acm, ec2, elbv2 = aws("acm"), aws("ec2"), aws("elbv2")
        result = run(args)
        assert_ok(result, changed=True)
        arn = result["certificate"]["certificate_arn"]
        vpc_id = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
        subnets = [
            ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.40.{i}.0/24", AvailabilityZone=f"us-east-1{zone}")[
                "Subnet"
            ]["SubnetId"]
            for i, zone in ((1, "a"), (2, "b"))
        ]
        alb = elbv2.create_load_balancer(Name="unit-alb", Subnets=subnets, Scheme="internal", Type="application")[
            "LoadBalancers"
        ][0]["LoadBalancerArn"]
        listener = elbv2.create_listener(
            LoadBalancerArn=alb,
            Protocol="HTTPS",
            Port=443,
            Certificates=[{"CertificateArn": arn}],
            DefaultActions=[
                {"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404", "ContentType": "text/plain"}}
            ],
        )["Listeners"][0]["ListenerArn"]
        assert acm.describe_certificate(CertificateArn=arn)["Certificate"]["InUseBy"] == [alb]
        realistic(time_scale)
        elbv2.delete_listener(ListenerArn=listener)
        assert acm.describe_certificate(CertificateArn=arn)["Certificate"]["InUseBy"] == [alb]
        return arn, alb

    return release


def test_realistic_delete_right_after_the_listener_waits_for_acm(run, aws, released, calls):
    arn, alb = released(0.15)  # 30 s of lingering in 4.5 s: a loaded machine's first run cannot outlast it
    absent = {"name": NAME, "state": "absent", "tags": {"Stack": "unit"}}

    result = run(dict(absent, in_use_timeout=0))  # no wait: ACM's refusal, naming the load balancer
    assert result["failed"]
    assert result["msg"].startswith(f"ACM certificate {NAME} ({arn}) is in use by {alb}; remove it")

    calls.clear()
    result = run(absent)  # the default in_use_timeout
    assert_ok(result, changed=True)
    assert arns(aws("acm")) == []
    assert [operation for _service, operation in calls].count("DescribeCertificate") >= 2  # read, then polled


def test_realistic_delete_times_out_naming_the_users_still_listed(run, aws, released):
    arn, alb = released(1.0)  # 30 s of lingering
    result = run({"name": NAME, "state": "absent", "tags": {"Stack": "unit"}, "in_use_timeout": 1})
    assert result["failed"]
    assert result["msg"].startswith(f"Timed out after 1 seconds: ACM certificate {NAME} ({arn}) is in use by {alb};")
    assert result["certificate"]["certificate_arn"] == arn
    assert arns(aws("acm")) == [arn]


# --- requested certificates: ACM issues them once DNS validates every domain ---------------------------------------

DOMAIN = "app.example.com"
STACK = {"Stack": "unit", "Environment": "local"}
# What a check-mode run may call for a requested certificate.
READ_ONLY = {"ListCertificates", "ListTagsForCertificate", "DescribeCertificate"}


@pytest.fixture
def acm_issues_like_aws(monkeypatch):
    """ACM's DNS validation as on AWS (emulator/extensions/acm_dns_validation.py, installed as the emulator does, over
    acm_imported_certificates: a certificate in use is not deleted) for this test only, in plain mode with records
    shown at once and a record seen validated at once; quick polls. ``stretch(name=seconds)`` sets how long
    ``certificate.<name>`` takes for the certificates requested after it."""
    from emulator import realism
    from emulator.extensions import acm_dns_validation
    from emulator.extensions import acm_imported_certificates

    from ansible_collections.cloudops.fargate.plugins.module_utils import _acm

    for extension in (acm_imported_certificates, acm_dns_validation):
        for patch in extension.PATCHES:
            monkeypatch.setattr(patch.owner, patch.name, getattr(patch.owner, patch.name))  # put back afterwards
        extension.install()
    monkeypatch.setattr(_acm, "VALIDATION_RECORDS_POLL_DELAY", 0.05)
    monkeypatch.setattr(_acm, "IN_USE_POLL_DELAY", 0.05)

    def stretch(**seconds):
        realism.configure({"behaviour_seconds": {f"certificate.{name}": value for name, value in seconds.items()}})

    stretch(dns_validation=0.0)
    yield stretch
    realism.reset()


@pytest.fixture
def requesting(aws, acm_issues_like_aws):
    """A boto3 ACM client of the test's own (not recorded by ``calls``)."""
    client = aws("acm")
    client._unit_test_client = True
    return client


@pytest.fixture
def request_args():
    return {"name": NAME, "domain_name": DOMAIN, "subject_alternative_names": [f"*.{DOMAIN}"], "tags": dict(STACK)}


def create_records(aws, records, zone=DOMAIN):
    route53 = aws("route53")
    route53._unit_test_client = True
    zone_id = route53.create_hosted_zone(Name=zone, CallerReference=zone)["HostedZone"]["Id"]
    route53.change_resource_record_sets(
        HostedZoneId=zone_id,
        ChangeBatch={
            "Changes": [
                {
                    "Action": "UPSERT",
                    "ResourceRecordSet": {
                        "Name": r["name"],
                        "Type": r["type"],
                        "TTL": 300,
                        "ResourceRecords": [{"Value": r["value"]}],
                    },
                }
                for r in records
            ]
        },
    )


def test_request_four_steps(run, request_args, requesting, calls):
    # 1. check mode predicts the request and asks for nothing
    calls.clear()
    result = run(request_args, check_mode=True, diff=True)
    assert_ok(result, changed=True)
    assert {operation for _service, operation in calls} <= READ_ONLY
    assert arns(requesting) == []
    predicted = result["certificate"]
    assert predicted == {
        "name": NAME,
        "type": "AMAZON_ISSUED",
        "domain_name": DOMAIN,
        "subject_alternative_names": [DOMAIN, f"*.{DOMAIN}"],
        "key_algorithm": "RSA_2048",
        "validation_method": "DNS",
        "status": "PENDING_VALIDATION",
        "validation_records": [],
        "in_use_by": [],
        "created_at": None,
        "not_before": None,
        "not_after": None,
        "tags": {"Name": NAME, **STACK},
    }
    assert result["diff"] == {"before": {}, "after": predicted}
    assert result["replaced_certificates"] == []

    # 2. for real: the certificate, pending, with the one record its two names share
    result = run(request_args, diff=True)
    assert_ok(result, changed=True)
    [arn] = arns(requesting)
    certificate = result["certificate"]
    [record] = certificate["validation_records"]
    assert record["type"] == "CNAME" and record["domain_name"] == DOMAIN
    assert record["name"].endswith(f".{DOMAIN}.") and record["value"].endswith(".acm-validations.aws.")
    assert record["validation_status"] == "PENDING_VALIDATION"
    assert certificate == dict(
        predicted, certificate_arn=arn, validation_records=[record], created_at=certificate["created_at"]
    )
    assert certificate["created_at"]
    assert tags_of(requesting, arn) == {"Name": NAME, **STACK}
    description = requesting.describe_certificate(CertificateArn=arn)["Certificate"]
    assert (description["Type"], description["DomainName"]) == ("AMAZON_ISSUED", DOMAIN)

    # 3. and 4. again: nothing to do, the same certificate
    calls.clear()
    result = run(request_args, check_mode=True, diff=True)
    assert_ok(result, changed=False)
    assert {operation for _service, operation in calls} <= READ_ONLY
    assert result["diff"] == {"before": {}, "after": {}}
    result = run(request_args)
    assert_ok(result, changed=False)
    assert result["certificate"] == certificate
    assert arns(requesting) == [arn]


def test_issued_once_the_records_returned_are_in_route53(run, run_module, aws, request_args, requesting):
    from ansible_collections.cloudops.fargate.plugins.modules import acm_certificate_info

    args = dict(request_args, subject_alternative_names=[f"*.{DOMAIN}", f"www.{DOMAIN}"])
    certificate = run(args)["certificate"]
    records = certificate["validation_records"]
    assert [r["domain_name"] for r in records] == [DOMAIN, f"www.{DOMAIN}"]  # the wildcard shares the apex's
    info_args = {
        "name": NAME,
        "tags": STACK,
        "domain_name": DOMAIN,
        "subject_alternative_names": args["subject_alternative_names"],
    }
    [pending] = run_module(acm_certificate_info, info_args)["certificates"]
    assert pending["status"] == "PENDING_VALIDATION" and pending["not_after"] is None

    create_records(aws, records)

    [issued] = run_module(acm_certificate_info, info_args)["certificates"]
    assert issued["status"] == "ISSUED"
    assert {r["validation_status"] for r in issued["validation_records"]} == {"SUCCESS"}
    assert issued["not_after"] > issued["created_at"]
    assert issued["certificate_arn"] == certificate["certificate_arn"]
    assert_ok(run(args), changed=False)


def test_polls_until_acm_shows_the_records(run, request_args, requesting, acm_issues_like_aws, calls):
    # 2 s without records: time for the polls before them on a loaded machine too
    acm_issues_like_aws(validation_records=2.0, dns_validation=0.0)
    calls.clear()
    result = run(request_args)
    assert_ok(result, changed=True)
    assert len(result["certificate"]["validation_records"]) == 1
    describes = [operation for _service, operation in calls].count("DescribeCertificate")
    assert describes >= 3, "polled DescribeCertificate until the records were there"


def test_records_acm_never_shows_fail_after_the_bound_naming_the_certificate(
    run, request_args, requesting, acm_issues_like_aws, monkeypatch
):
    from ansible_collections.cloudops.fargate.plugins.module_utils import _acm

    monkeypatch.setattr(_acm, "VALIDATION_RECORDS_TIMEOUT", 0.3)
    acm_issues_like_aws(validation_records=3.0)  # far past the bound, however slow the run's polls on a loaded machine
    result = run(request_args)
    assert result["failed"] and result["changed"]
    [arn] = arns(requesting)
    assert "Timed out after 0.3 seconds waiting for ACM to show the validation records of certificate" in result["msg"]
    assert arn in result["msg"] and result["certificate"]["certificate_arn"] == arn

    # the next run finds it and waits again
    monkeypatch.setattr(_acm, "VALIDATION_RECORDS_TIMEOUT", 5)
    result = run(request_args)
    assert_ok(result, changed=False)
    assert result["certificate"]["certificate_arn"] == arn and result["certificate"]["validation_records"]


def test_a_repeat_that_does_not_see_the_first_request_gets_its_certificate(
    run, request_args, requesting, monkeypatch
):
    from ansible_collections.cloudops.fargate.plugins.module_utils._acm import AcmCertificateManager

    first = run(request_args)["certificate"]["certificate_arn"]
    # ListCertificates does not list it yet (ACM is eventually consistent): the request goes out again, with the same
    # idempotency token
    monkeypatch.setattr(AcmCertificateManager, "_arns_of", lambda self, certificate_type, domain=None: [])
    result = run(request_args)
    assert result["certificate"]["certificate_arn"] == first
    assert arns(requesting) == [first]


def test_other_names_request_a_replacement_deleted_once_asked(run, aws, request_args, requesting):
    old = run(request_args)["certificate"]["certificate_arn"]
    create_records(aws, run(request_args)["certificate"]["validation_records"])
    assert requesting.describe_certificate(CertificateArn=old)["Certificate"]["Status"] == "ISSUED"
    listener_user = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/unit/50dc6c495c0c9188"
    backend()._certificates[old].in_use_by.append(listener_user)

    wider = dict(request_args, subject_alternative_names=[f"*.{DOMAIN}", "api.example.org"])
    result = run(wider, check_mode=True, diff=True)
    assert_ok(result, changed=True)
    assert arns(requesting) == [old]
    result = run(wider, diff=True)
    assert_ok(result, changed=True)
    new = result["certificate"]["certificate_arn"]
    assert new != old and sorted(arns(requesting)) == sorted([old, new])
    assert result["certificate"]["subject_alternative_names"] == [DOMAIN, f"*.{DOMAIN}", "api.example.org"]
    [replaced] = result["replaced_certificates"]
    assert replaced == {
        "certificate_arn": old,
        "type": "AMAZON_ISSUED",
        "domain_name": DOMAIN,
        "subject_alternative_names": [DOMAIN, f"*.{DOMAIN}"],
        "status": "ISSUED",
        "in_use_by": [listener_user],
    }
    assert_ok(run(wider), changed=False)

    # the old one, still in use, is not deleted
    result = run(dict(wider, delete_replaced=True, in_use_timeout=0))
    assert result["failed"]
    assert f"({old}) is in use by {listener_user}" in result["msg"]
    assert old in arns(requesting)

    backend()._certificates[old].in_use_by.clear()
    result = run(dict(wider, delete_replaced=True), check_mode=True, diff=True)
    assert_ok(result, changed=True)
    assert result["diff"] == {"before": {"replaced_certificates": [old]}, "after": {"replaced_certificates": []}}
    assert old in arns(requesting)
    result = run(dict(wider, delete_replaced=True))
    assert_ok(result, changed=True)
    assert arns(requesting) == [new]
    assert result["replaced_certificates"] == []
    assert_ok(run(dict(wider, delete_replaced=True)), changed=False)


def test_the_key_algorithm_is_kept_unless_given(run, request_args, requesting):
    ec = run(dict(request_args, key_algorithm="EC_prime256v1"))["certificate"]
    assert ec["key_algorithm"] == "EC_prime256v1"
    assert_ok(run(request_args), changed=False)
    result = run(dict(request_args, key_algorithm="RSA_2048"))
    assert_ok(result, changed=True)
    assert result["certificate"]["key_algorithm"] == "RSA_2048"
    assert [r["certificate_arn"] for r in result["replaced_certificates"]] == [ec["certificate_arn"]]


def test_a_validation_that_timed_out_is_replaced(run, request_args, requesting, acm_issues_like_aws):
    acm_issues_like_aws(validation_timeout=0.0)
    timed_out = run(request_args)["certificate"]
    assert timed_out["status"] == "VALIDATION_TIMED_OUT"
    acm_issues_like_aws(dns_validation=0.0)
    result = run(request_args)
    assert_ok(result, changed=True)
    assert result["certificate"]["status"] == "PENDING_VALIDATION"
    assert result["certificate"]["certificate_arn"] != timed_out["certificate_arn"]
    assert [r["status"] for r in result["replaced_certificates"]] == ["VALIDATION_TIMED_OUT"]


def test_tags_of_a_requested_certificate_change_in_place(run, request_args, requesting):
    arn = run(request_args)["certificate"]["certificate_arn"]
    result = run(dict(request_args, tags=dict(STACK, Owner="web")), diff=True)
    assert_ok(result, changed=True)
    assert result["certificate"]["certificate_arn"] == arn
    assert result["diff"]["after"]["tags"] == {"Name": NAME, **STACK, "Owner": "web"}
    assert tags_of(requesting, arn) == {"Name": NAME, **STACK, "Owner": "web"}


def test_absent_deletes_every_certificate_of_the_name_and_no_other(run, request_args, requesting, args):
    old = run(request_args)["certificate"]["certificate_arn"]
    new = run(dict(request_args, subject_alternative_names=[]))["certificate"]["certificate_arn"]
    imported = run(dict(args, tags=STACK))["certificate"]["certificate_arn"]
    other_stack = run(dict(request_args, tags={"Stack": "other"}))["certificate"]["certificate_arn"]
    other_name = run(dict(request_args, name="unit-other"))["certificate"]["certificate_arn"]
    untagged = requesting.request_certificate(DomainName=DOMAIN, ValidationMethod="DNS")["CertificateArn"]
    absent = {"name": NAME, "state": "absent", "tags": STACK}

    result = run(absent, check_mode=True, diff=True)
    assert_ok(result, changed=True)
    assert {c["certificate_arn"] for c in result["diff"]["before"]["certificates"]} == {old, new, imported}
    assert len(arns(requesting)) == 6
    assert_ok(run(absent), changed=True)
    assert sorted(arns(requesting)) == sorted([other_stack, other_name, untagged])
    assert_ok(run(absent), changed=False)


REQUEST_BAD_INPUTS = [
    ("final dot", {"domain_name": "app.example.com."}, "domain_name 'app.example.com.' must not end with a period"),
    ("long common name", {"domain_name": "a" * 60 + ".example.com"}, "ACM accepts at most 64"),
    ("wildcard inside", {"domain_name": "app.*.example.com"}, "domain_name 'app.*.example.com' is not a domain name"),
    ("bad SAN", {"subject_alternative_names": ["ok.example.com", "-bad.example.com"]}, "subject_alternative_names[1]"),
    ("empty domain", {"domain_name": ""}, "domain_name must be a non-empty domain name"),
    ("with a certificate", {"certificate": "x", "private_key": "y"}, "parameters are mutually exclusive"),
    ("unknown key", {"key_algorithm": "RSA_4096"}, "key_algorithm must be one of"),
    ("email", {"validation_method": "EMAIL"}, "validation_method must be one of"),
    ("aws tag", {"tags": {"aws:cloudformation:stack-name": "x"}}, "keys starting with 'aws:' are reserved"),
    ("Name tag", {"tags": {"Name": "other"}}, "tags.Name is 'other' but name is 'unit-alb'"),
]


@pytest.mark.parametrize(
    ("overrides", "message"), [c[1:] for c in REQUEST_BAD_INPUTS], ids=[c[0] for c in REQUEST_BAD_INPUTS]
)
@pytest.mark.parametrize("check_mode", [True, False])
def test_bad_request_fails_naming_the_option_before_any_call(
    run, request_args, requesting, calls, overrides, message, check_mode
):
    calls.clear()
    result = run(dict(request_args, **overrides), check_mode=check_mode)
    assert result["failed"]
    assert message in result["msg"]
    assert calls == []


def test_request_only_options_need_domain_name(run, requesting, calls):
    result = run({"name": NAME, "subject_alternative_names": [DOMAIN], "certificate": "x", "private_key": "y"})
    assert result["failed"] and calls == []


def test_idempotency_token_is_acm_s_and_follows_the_certificates_of_the_name():
    from ansible_collections.cloudops.fargate.plugins.module_utils._acm import request_token
    from ansible_collections.cloudops.fargate.plugins.module_utils._acm import wanted_request

    args = {"name": NAME, "domain_name": DOMAIN, "subject_alternative_names": ["b.example.com"], "tags": STACK}
    wanted = wanted_request(args)
    token = request_token(wanted, [])
    assert len(token) <= 32 and token.isalnum()
    same = wanted_request(dict(args, domain_name=DOMAIN.upper(), subject_alternative_names=["B.example.com"]))
    assert request_token(same, []) == token
    assert request_token(wanted, ["arn:aws:acm:us-east-1:123456789012:certificate/old"]) != token
    other = wanted_request({"name": NAME, "domain_name": DOMAIN, "tags": STACK})
    assert request_token(other, []) != token
