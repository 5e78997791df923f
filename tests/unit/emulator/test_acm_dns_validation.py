"""ACM certificates requested with DNS validation stay pending until their CNAME records resolve in a public hosted
zone, then are issued (emulator/extensions/acm_dns_validation.py)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from emulator.extensions import _patching, acm_dns_validation
from tests.unit.emulator.test_acm_imported_certificates import FIXED_RESPONSE, create_alb, create_subnets
from tests.unit.helpers import wait_until

PLAIN_VALIDATION = acm_dns_validation.PLAIN_DNS_VALIDATION_SECONDS


# --- helpers -----------------------------------------------------------------------------------------------------


def unique_domain() -> str:
    """A domain no other test of the session uses: records are per account and domain, and the emulator is shared."""
    return f"t{uuid.uuid4().hex[:12]}.example.com"


def request(acm: Any, domain: str, *alternative_names: str, **params: Any) -> str:
    params.setdefault("ValidationMethod", "DNS")
    if alternative_names:
        params["SubjectAlternativeNames"] = list(alternative_names)
    return acm.request_certificate(DomainName=domain, **params)["CertificateArn"]


def describe(acm: Any, arn: str) -> dict[str, Any]:
    return acm.describe_certificate(CertificateArn=arn)["Certificate"]


def records(acm: Any, arn: str) -> dict[str, dict[str, str]]:
    """Domain -> its ResourceRecord, once ACM shows them all."""

    def assigned() -> dict[str, dict[str, str]] | None:
        options = describe(acm, arn)["DomainValidationOptions"]
        if all("ResourceRecord" in option for option in options):
            return {option["DomainName"]: option["ResourceRecord"] for option in options}
        return None

    return wait_until(assigned, f"ACM shows the validation records of {arn}", timeout=10, interval=0.05)


def create_zone(route53: Any, name: str, **params: Any) -> str:
    return route53.create_hosted_zone(Name=name, CallerReference=uuid.uuid4().hex, **params)["HostedZone"]["Id"]


def upsert_cname(route53: Any, zone_id: str, name: str, value: str) -> None:
    route53.change_resource_record_sets(
        HostedZoneId=zone_id,
        ChangeBatch={
            "Changes": [
                {
                    "Action": "UPSERT",
                    "ResourceRecordSet": {
                        "Name": name,
                        "Type": "CNAME",
                        "TTL": 60,
                        "ResourceRecords": [{"Value": value}],
                    },
                }
            ]
        },
    )


def delete_cname(route53: Any, zone_id: str, name: str, value: str) -> None:
    route53.change_resource_record_sets(
        HostedZoneId=zone_id,
        ChangeBatch={
            "Changes": [
                {
                    "Action": "DELETE",
                    "ResourceRecordSet": {
                        "Name": name,
                        "Type": "CNAME",
                        "TTL": 60,
                        "ResourceRecords": [{"Value": value}],
                    },
                }
            ]
        },
    )


def statuses(acm: Any, arn: str) -> tuple[str, dict[str, str]]:
    certificate = describe(acm, arn)
    return certificate["Status"], {
        o["DomainName"]: o["ValidationStatus"] for o in certificate["DomainValidationOptions"]
    }


def error_of(call: Callable[[], Any]) -> tuple[str, str]:
    with pytest.raises(ClientError) as error:
        call()
    return error.value.response["Error"]["Code"], error.value.response["Error"]["Message"]


# --- fixtures ------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def acm(aws_client: Callable[[str], Any]) -> Any:
    return aws_client("acm")


@pytest.fixture(scope="module")
def route53(aws_client: Callable[[str], Any]) -> Any:
    return aws_client("route53")


@pytest.fixture(scope="module")
def elbv2(aws_client: Callable[[str], Any]) -> Any:
    return aws_client("elbv2")


@pytest.fixture(scope="module")
def subnets(aws_client: Callable[[str], Any]) -> list[str]:
    return create_subnets(aws_client("ec2"))


# --- the records ACM shows -----------------------------------------------------------------------------------------


def test_one_record_per_domain_the_wildcard_sharing_the_apex_s(acm: Any) -> None:
    domain = unique_domain()
    arn = request(acm, domain, f"*.{domain}", f"www.{domain}", domain, KeyAlgorithm="EC_prime256v1")

    certificate = describe(acm, arn)
    assert certificate["SubjectAlternativeNames"] == [domain, f"*.{domain}", f"www.{domain}"]
    assert certificate["KeyAlgorithm"] == "EC_prime256v1"
    assert [o["DomainName"] for o in certificate["DomainValidationOptions"]] == certificate["SubjectAlternativeNames"]
    found = records(acm, arn)
    apex, wildcard, www = found[domain], found[f"*.{domain}"], found[f"www.{domain}"]
    assert apex == wildcard and apex != www
    for record, name in ((apex, domain), (www, f"www.{domain}")):
        assert record["Type"] == "CNAME"
        prefix, rest = record["Name"].split(".", 1)
        assert len(prefix) == 33 and prefix.startswith("_") and rest == f"{name}."
        token, letters, suffix = record["Value"].split(".", 2)
        assert len(token) == 33 and token.startswith("_") and len(letters) == 10 and suffix == "acm-validations.aws."
    # ACM's record is the account's for the domain: another certificate of the domain shows the same one
    assert records(acm, request(acm, domain))[domain] == apex


def test_the_same_idempotency_token_within_the_hour_is_the_same_certificate(acm: Any) -> None:
    domain = unique_domain()
    token = uuid.uuid4().hex
    first = request(acm, domain, IdempotencyToken=token)
    assert request(acm, domain, IdempotencyToken=token) == first
    assert request(acm, domain, IdempotencyToken=uuid.uuid4().hex) != first


# --- pending, issued --------------------------------------------------------------------------------------------


def test_stays_pending_without_the_record_and_is_not_a_certificate_yet(
    acm: Any, elbv2: Any, subnets: list[str]
) -> None:
    domain = unique_domain()
    arn = request(acm, domain)
    records(acm, arn)
    time.sleep(PLAIN_VALIDATION + 0.5)

    assert statuses(acm, arn) == ("PENDING_VALIDATION", {domain: "PENDING_VALIDATION"})
    certificate = describe(acm, arn)
    assert not {"Issuer", "Serial", "NotBefore", "NotAfter", "IssuedAt"} & set(certificate)
    assert error_of(lambda: acm.get_certificate(CertificateArn=arn)) == (
        "RequestInProgressException",
        acm_dns_validation.REQUEST_IN_PROGRESS_MESSAGE,
    )
    [summary] = [s for s in acm.list_certificates()["CertificateSummaryList"] if s["CertificateArn"] == arn]
    assert summary["Status"] == "PENDING_VALIDATION"
    alb = create_alb(elbv2, subnets)
    code, message = error_of(
        lambda: elbv2.create_listener(
            LoadBalancerArn=alb,
            Protocol="HTTPS",
            Port=443,
            Certificates=[{"CertificateArn": arn}],
            DefaultActions=FIXED_RESPONSE,
        )
    )
    assert code == "UnsupportedCertificate" and f"'{arn}' must have a fully-qualified domain name" in message
    acm.delete_certificate(CertificateArn=arn)


def test_issued_once_every_domain_s_record_is_in_a_public_zone(
    acm: Any, route53: Any, elbv2: Any, subnets: list[str]
) -> None:
    domain = unique_domain()
    arn = request(acm, domain, f"*.{domain}", f"api.{domain}")
    found = records(acm, arn)
    zone = create_zone(route53, domain)
    apex = found[domain]
    upsert_cname(route53, zone, apex["Name"], apex["Value"])
    time.sleep(PLAIN_VALIDATION + 0.5)
    describe(acm, arn)  # ACM sees the record...
    time.sleep(PLAIN_VALIDATION + 0.2)
    # ... and validates the two domains it covers; the third still waits for its own
    assert statuses(acm, arn) == (
        "PENDING_VALIDATION",
        {domain: "SUCCESS", f"*.{domain}": "SUCCESS", f"api.{domain}": "PENDING_VALIDATION"},
    )

    # the value without its final dot: DNS names are absolute either way
    api = found[f"api.{domain}"]
    upsert_cname(route53, zone, api["Name"], api["Value"].rstrip("."))
    wait_until(lambda: describe(acm, arn)["Status"] == "ISSUED", "ACM issues the certificate", timeout=10)

    certificate = describe(acm, arn)
    assert {o["ValidationStatus"] for o in certificate["DomainValidationOptions"]} == {"SUCCESS"}
    assert certificate["IssuedAt"] >= certificate["CreatedAt"] and certificate["NotAfter"] > certificate["IssuedAt"]
    assert "BEGIN CERTIFICATE" in acm.get_certificate(CertificateArn=arn)["Certificate"]

    # issued, it serves a listener, and ACM refuses to delete it meanwhile
    alb = create_alb(elbv2, subnets)
    listener = elbv2.create_listener(
        LoadBalancerArn=alb,
        Protocol="HTTPS",
        Port=443,
        Certificates=[{"CertificateArn": arn}],
        DefaultActions=FIXED_RESPONSE,
    )["Listeners"][0]["ListenerArn"]
    assert error_of(lambda: acm.delete_certificate(CertificateArn=arn))[0] == "ResourceInUseException"
    elbv2.delete_listener(ListenerArn=listener)
    acm.delete_certificate(CertificateArn=arn)


@pytest.mark.parametrize("where", ["wrong value", "private zone", "other zone", "TXT record"])
def test_a_record_acm_cannot_resolve_keeps_it_pending(acm: Any, route53: Any, where: str) -> None:
    domain = unique_domain()
    arn = request(acm, domain)
    record = records(acm, arn)[domain]
    name, value = record["Name"], record["Value"]
    if where == "wrong value":
        upsert_cname(route53, create_zone(route53, domain), name, "_0123456789abcdef.wrong.acm-validations.aws.")
    elif where == "private zone":
        ec2 = boto3.client("ec2", region_name="us-east-1", endpoint_url=acm.meta.endpoint_url)
        vpc = ec2.create_vpc(CidrBlock="10.41.0.0/16")["Vpc"]["VpcId"]
        zone = create_zone(
            route53, domain, VPC={"VPCRegion": "us-east-1", "VPCId": vpc}, HostedZoneConfig={"PrivateZone": True}
        )
        upsert_cname(route53, zone, name, value)
    elif where == "other zone":
        other = unique_domain()
        upsert_cname(route53, create_zone(route53, other), name.replace(domain, other), value)
    else:
        route53.change_resource_record_sets(
            HostedZoneId=create_zone(route53, domain),
            ChangeBatch={
                "Changes": [
                    {
                        "Action": "UPSERT",
                        "ResourceRecordSet": {
                            "Name": name,
                            "Type": "TXT",
                            "TTL": 60,
                            "ResourceRecords": [{"Value": f'"{value}"'}],
                        },
                    }
                ]
            },
        )
    describe(acm, arn)
    time.sleep(PLAIN_VALIDATION + 0.5)
    assert statuses(acm, arn) == ("PENDING_VALIDATION", {domain: "PENDING_VALIDATION"})


def test_a_record_removed_before_acm_validated_it_starts_over(
    acm: Any, route53: Any, realistic: Callable[..., Any]
) -> None:
    validation = 2.5
    realistic(behaviour_seconds={acm_dns_validation.DNS_VALIDATION: validation})
    domain = unique_domain()
    arn = request(acm, domain)
    record = records(acm, arn)[domain]
    zone = create_zone(route53, domain)
    upsert_cname(route53, zone, record["Name"], record["Value"])
    describe(acm, arn)  # seen: a clock that would issue it by now at the check below
    delete_cname(route53, zone, record["Name"], record["Value"])
    describe(acm, arn)
    upsert_cname(route53, zone, record["Name"], record["Value"])
    time.sleep(validation)  # in the zone for the whole validation time, but not seen
    describe(acm, arn)  # seen again, its clock starts now
    # right after: within the validation time of this sight, however busy the machine, and past that of the first
    # sight and of the upsert
    assert describe(acm, arn)["Status"] == "PENDING_VALIDATION"
    wait_until(lambda: describe(acm, arn)["Status"] == "ISSUED", "ACM issues the certificate", timeout=validation + 10)


# --- realistic mode -------------------------------------------------------------------------------------------------


def test_realistic_mode_shows_the_records_after_a_while_and_validates_on_aws_s_clock(
    acm: Any, route53: Any, realistic: Callable[..., Any]
) -> None:
    # the records show after 2.5 s: the describe right after the request comes before, however busy the machine
    realistic(behaviour_seconds={acm_dns_validation.VALIDATION_RECORDS: 2.5, acm_dns_validation.DNS_VALIDATION: 2.0})
    domain = unique_domain()
    requested = time.monotonic()
    arn = request(acm, domain)
    [option] = describe(acm, arn)["DomainValidationOptions"]
    assert option == {
        "DomainName": domain,
        "ValidationDomain": domain,
        "ValidationStatus": "PENDING_VALIDATION",
        "ValidationMethod": "DNS",
    }, "no ResourceRecord in the first seconds"
    record = records(acm, arn)[domain]
    assert time.monotonic() - requested >= 2.5

    upsert_cname(route53, create_zone(route53, domain), record["Name"], record["Value"])
    seen = time.monotonic()
    describe(acm, arn)
    wait_until(lambda: describe(acm, arn)["Status"] == "ISSUED", "ACM issues the certificate", timeout=8, interval=0.1)
    assert time.monotonic() - seen >= 2.0


def test_unvalidated_it_times_out(acm: Any, realistic: Callable[..., Any]) -> None:
    realistic(behaviour_seconds={acm_dns_validation.VALIDATION_TIMEOUT: 1.0})
    domain = unique_domain()
    arn = request(acm, domain, f"www.{domain}")
    wait_until(lambda: describe(acm, arn)["Status"] == "VALIDATION_TIMED_OUT", "the validation times out", timeout=5)
    assert statuses(acm, arn)[1] == {domain: "FAILED", f"www.{domain}": "FAILED"}
    assert acm.list_certificates(CertificateStatuses=["VALIDATION_TIMED_OUT"])["CertificateSummaryList"]


def test_email_validation_is_never_approved(acm: Any) -> None:
    domain = unique_domain()
    arn = request(acm, domain, ValidationMethod="EMAIL")
    time.sleep(PLAIN_VALIDATION + 0.5)
    [option] = describe(acm, arn)["DomainValidationOptions"]
    assert option["ValidationMethod"] == "EMAIL" and "ResourceRecord" not in option
    assert describe(acm, arn)["Status"] == "PENDING_VALIDATION"


# --- the gap in moto alone ---------------------------------------------------------------------------------------


def test_moto_alone_has_the_gap_and_install_fixes_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Proves the extension is still needed: if the first assertions fail, moto fixed the gap."""
    from moto import mock_aws
    from moto import settings as moto_settings

    ours = acm_dns_validation.__name__
    for owner, name, _make in acm_dns_validation.PATCHES:
        current = owner.__dict__[name]
        while _patching.is_ours(current, ours):
            current = current.__wrapped__
        monkeypatch.setattr(owner, name, current)
    monkeypatch.setattr(moto_settings, "ACM_VALIDATION_WAIT", 0)  # moto's 60 s, now
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)  # mock_aws intercepts the real AWS endpoints only

    def client(service: str) -> Any:
        return boto3.client(
            service, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing"
        )

    with mock_aws():
        acm = client("acm")
        assert not acm_dns_validation.is_installed()
        arn = request(acm, "moto.example.com")
        time.sleep(0.01)
        assert describe(acm, arn)["Status"] == "ISSUED", "moto issues without any record"

        acm_dns_validation.install()
        acm_dns_validation.install()
        assert acm_dns_validation.is_installed()
        for owner, name, _make in acm_dns_validation.PATCHES:
            assert not _patching.is_ours(owner.__dict__[name].__wrapped__, ours), f"install() must wrap {name} once"

        fixed = request(acm, "moto.example.com")
        time.sleep(0.01)
        assert describe(acm, fixed)["Status"] == "PENDING_VALIDATION"
