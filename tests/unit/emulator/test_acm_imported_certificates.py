"""ACM imported certificates and InUseBy as on AWS (emulator/extensions/acm_imported_certificates.py)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from cryptography import x509
from cryptography.hazmat.primitives import hashes

from emulator import realism
from emulator.extensions import acm_imported_certificates
from tests.unit.helpers import import_certificate, make_certificate, pem, wait_until

FIXED_RESPONSE = [
    {"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "200", "ContentType": "text/plain"}},
]


# --- certificates ------------------------------------------------------------------------------------------


def fingerprints(text: str) -> list[bytes]:
    return [c.fingerprint(hashes.SHA256()) for c in x509.load_pem_x509_certificates(text.encode())]


def tags_of(acm: Any, arn: str) -> dict[str, str]:
    return {t["Key"]: t.get("Value", "") for t in acm.list_tags_for_certificate(CertificateArn=arn)["Tags"]}


def in_use_by(acm: Any, arn: str) -> list[str]:
    return acm.describe_certificate(CertificateArn=arn)["Certificate"]["InUseBy"]


def in_use_flag(acm: Any, arn: str) -> bool:
    [summary] = [c for c in acm.list_certificates()["CertificateSummaryList"] if c["CertificateArn"] == arn]
    return summary["InUse"]


def error_code(error: pytest.ExceptionInfo[ClientError]) -> str:
    return error.value.response["Error"]["Code"]


# --- load balancers ----------------------------------------------------------------------------------------


def create_subnets(ec2: Any) -> list[str]:
    vpc_id = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    return [
        ec2.create_subnet(VpcId=vpc_id, CidrBlock=cidr, AvailabilityZone=zone)["Subnet"]["SubnetId"]
        for cidr, zone in (("10.40.1.0/24", "us-east-1a"), ("10.40.2.0/24", "us-east-1b"))
    ]


def create_alb(elbv2: Any, subnets: list[str]) -> str:
    name = f"acm-{uuid.uuid4().hex[:12]}"  # the emulator is shared by the session: keep names unique
    return elbv2.create_load_balancer(Name=name, Subnets=subnets, Type="application")["LoadBalancers"][0][
        "LoadBalancerArn"
    ]


def create_https_listener(elbv2: Any, load_balancer_arn: str, port: int, *certificate_arns: str) -> str:
    return elbv2.create_listener(
        LoadBalancerArn=load_balancer_arn,
        Protocol="HTTPS",
        Port=port,
        Certificates=[{"CertificateArn": arn} for arn in certificate_arns],
        DefaultActions=FIXED_RESPONSE,
    )["Listeners"][0]["ListenerArn"]


# --- fixtures ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def acm(aws_client: Callable[[str], Any]) -> Any:
    return aws_client("acm")


@pytest.fixture(scope="module")
def elbv2(aws_client: Callable[[str], Any]) -> Any:
    return aws_client("elbv2")


@pytest.fixture(scope="module")
def subnets(aws_client: Callable[[str], Any]) -> list[str]:
    return create_subnets(aws_client("ec2"))


@pytest.fixture
def alb(elbv2: Any, subnets: list[str]) -> str:
    return create_alb(elbv2, subnets)


@pytest.fixture(scope="module")
def self_signed() -> tuple[x509.Certificate, Any]:
    return make_certificate()


@pytest.fixture(scope="module")
def ca() -> tuple[x509.Certificate, Any]:
    return make_certificate("Test Root CA", ca=True)


# --- GetCertificate: the chain as imported -----------------------------------------------------------------


def test_get_certificate_without_chain_has_no_chain(acm: Any, self_signed: tuple[x509.Certificate, Any]) -> None:
    arn = import_certificate(acm, self_signed)

    response = acm.get_certificate(CertificateArn=arn)

    assert "CertificateChain" not in response
    assert fingerprints(response["Certificate"]) == [self_signed[0].fingerprint(hashes.SHA256())]


def test_get_certificate_returns_the_chain_imported(acm: Any, ca: tuple[x509.Certificate, Any]) -> None:
    leaf = make_certificate("leaf.example.com", issuer=ca)
    arn = import_certificate(acm, leaf, chain=pem(ca[0]))

    response = acm.get_certificate(CertificateArn=arn)

    assert fingerprints(response["Certificate"]) == [leaf[0].fingerprint(hashes.SHA256())]
    assert fingerprints(response["CertificateChain"]) == [ca[0].fingerprint(hashes.SHA256())]
    description = acm.describe_certificate(CertificateArn=arn)["Certificate"]
    assert (description["DomainName"], description["Issuer"]) == ("leaf.example.com", "Test Root CA")


# --- re-import ---------------------------------------------------------------------------------------------


def test_reimport_keeps_arn_tags_and_in_use_by(
    acm: Any, elbv2: Any, alb: str, ca: tuple[x509.Certificate, Any]
) -> None:
    arn = import_certificate(acm, make_certificate(), Tags=[{"Key": "Name", "Value": "site"}])
    create_https_listener(elbv2, alb, 443, arn)
    assert in_use_by(acm, arn) == [alb]

    renewed = make_certificate("leaf.example.com", issuer=ca)
    assert import_certificate(acm, renewed, chain=pem(ca[0]), CertificateArn=arn) == arn

    assert tags_of(acm, arn) == {"Name": "site"}
    assert in_use_by(acm, arn) == [alb]
    response = acm.get_certificate(CertificateArn=arn)
    assert fingerprints(response["Certificate"]) == [renewed[0].fingerprint(hashes.SHA256())]
    assert fingerprints(response["CertificateChain"]) == [ca[0].fingerprint(hashes.SHA256())]

    # the chain is replaced too: re-imported without one, there is none
    again = make_certificate()
    assert import_certificate(acm, again, CertificateArn=arn) == arn
    assert "CertificateChain" not in acm.get_certificate(CertificateArn=arn)
    assert (tags_of(acm, arn), in_use_by(acm, arn)) == ({"Name": "site"}, [alb])

    # later tag changes reach the re-imported certificate
    acm.add_tags_to_certificate(CertificateArn=arn, Tags=[{"Key": "Stack", "Value": "unit"}])
    assert tags_of(acm, arn) == {"Name": "site", "Stack": "unit"}


def test_reimport_with_tags_is_refused(acm: Any, self_signed: tuple[x509.Certificate, Any]) -> None:
    arn = import_certificate(acm, self_signed, Tags=[{"Key": "Name", "Value": "site"}])
    replacement = make_certificate("other.example.com")

    with pytest.raises(ClientError) as error:
        import_certificate(acm, replacement, CertificateArn=arn, Tags=[{"Key": "Other", "Value": "x"}])

    assert error_code(error) == "ValidationException"
    assert "tags" in error.value.response["Error"]["Message"]
    assert tags_of(acm, arn) == {"Name": "site"}
    assert acm.describe_certificate(CertificateArn=arn)["Certificate"]["DomainName"] == "app.example.com"


def test_reimport_of_unknown_arn_is_not_found(acm: Any, self_signed: tuple[x509.Certificate, Any]) -> None:
    unknown = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"

    with pytest.raises(ClientError) as error:
        import_certificate(acm, self_signed, CertificateArn=unknown)

    assert error_code(error) == "ResourceNotFoundException"


# --- DeleteCertificate while in use ------------------------------------------------------------------------


def test_delete_refused_while_a_listener_uses_it(
    acm: Any, elbv2: Any, alb: str, self_signed: tuple[x509.Certificate, Any]
) -> None:
    arn = import_certificate(acm, self_signed)
    listener = create_https_listener(elbv2, alb, 443, arn)

    with pytest.raises(ClientError) as error:
        acm.delete_certificate(CertificateArn=arn)

    assert error_code(error) == "ResourceInUseException"
    assert arn in error.value.response["Error"]["Message"]
    assert in_use_by(acm, arn) == [alb]

    elbv2.delete_listener(ListenerArn=listener)
    acm.delete_certificate(CertificateArn=arn)

    with pytest.raises(ClientError) as error:
        acm.describe_certificate(CertificateArn=arn)
    assert error_code(error) == "ResourceNotFoundException"


def test_delete_refused_while_a_load_balancer_uses_it(
    acm: Any, elbv2: Any, alb: str, self_signed: tuple[x509.Certificate, Any]
) -> None:
    arn = import_certificate(acm, self_signed)
    create_https_listener(elbv2, alb, 443, arn)
    create_https_listener(elbv2, alb, 8443, arn)

    with pytest.raises(ClientError) as error:
        acm.delete_certificate(CertificateArn=arn)
    assert error_code(error) == "ResourceInUseException"

    elbv2.delete_load_balancer(LoadBalancerArn=alb)
    assert in_use_by(acm, arn) == []
    acm.delete_certificate(CertificateArn=arn)


# --- InUseBy follows ELBv2 listeners -----------------------------------------------------------------------


def test_in_use_by_follows_listener_certificates(acm: Any, elbv2: Any, alb: str, subnets: list[str]) -> None:
    first, second, third = (import_certificate(acm, make_certificate(f"c{i}.example.com")) for i in range(3))
    assert in_use_by(acm, first) == [] and not in_use_flag(acm, first)

    https = create_https_listener(elbv2, alb, 443, first)
    assert in_use_by(acm, first) == [alb], "the load balancer, not moto's listener ARN"
    assert in_use_flag(acm, first)

    other = create_https_listener(elbv2, alb, 8443, first)
    assert in_use_by(acm, first) == [alb], "listed once however many listeners use it"

    elbv2.add_listener_certificates(ListenerArn=https, Certificates=[{"CertificateArn": second}])
    assert in_use_by(acm, second) == [alb]
    elbv2.remove_listener_certificates(ListenerArn=https, Certificates=[{"CertificateArn": second}])
    assert in_use_by(acm, second) == []

    elbv2.modify_listener(ListenerArn=https, Certificates=[{"CertificateArn": third}])
    assert in_use_by(acm, third) == [alb]
    assert in_use_by(acm, first) == [alb], "the other listener still uses it"

    elbv2.delete_listener(ListenerArn=other)
    assert in_use_by(acm, first) == []
    assert in_use_by(acm, third) == [alb]

    second_alb = create_alb(elbv2, subnets)
    create_https_listener(elbv2, second_alb, 443, third)
    assert in_use_by(acm, third) == [alb, second_alb]

    elbv2.delete_listener(ListenerArn=https)
    assert in_use_by(acm, third) == [second_alb]
    elbv2.delete_load_balancer(LoadBalancerArn=second_alb)
    assert in_use_by(acm, third) == [] and not in_use_flag(acm, third)


def test_listener_without_certificate_uses_none(acm: Any, elbv2: Any, alb: str) -> None:
    arn = import_certificate(acm, make_certificate())

    elbv2.create_listener(LoadBalancerArn=alb, Protocol="HTTP", Port=80, DefaultActions=FIXED_RESPONSE)

    assert in_use_by(acm, arn) == []


def test_classic_load_balancer_releases_certificates(
    acm: Any, aws_client: Callable[[str], Any], self_signed: tuple[x509.Certificate, Any]
) -> None:
    elb = aws_client("elb")
    arn = import_certificate(acm, self_signed)
    name = f"classic-{uuid.uuid4().hex[:8]}"
    https = {"Protocol": "HTTPS", "LoadBalancerPort": 443, "InstanceProtocol": "HTTP", "InstancePort": 80}
    dns_name = elb.create_load_balancer(
        LoadBalancerName=name, Listeners=[{**https, "SSLCertificateId": arn}], AvailabilityZones=["us-east-1a"]
    )["DNSName"]
    assert in_use_by(acm, arn) == [dns_name], "moto's classic ELB user, unchanged"

    elb.delete_load_balancer_listeners(LoadBalancerName=name, LoadBalancerPorts=[443])
    assert in_use_by(acm, arn) == []

    elb.create_load_balancer_listeners(LoadBalancerName=name, Listeners=[{**https, "SSLCertificateId": arn}])
    with pytest.raises(ClientError) as error:
        acm.delete_certificate(CertificateArn=arn)
    assert error_code(error) == "ResourceInUseException"

    elb.delete_load_balancer(LoadBalancerName=name)
    assert in_use_by(acm, arn) == []
    acm.delete_certificate(CertificateArn=arn)


# --- eventual consistency: InUseBy after a release, ELBv2 and new imports -----------------------------------

UNKNOWN_CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"


def elbv2_error(call: Callable[[], Any]) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as raised:
        call()
    response = raised.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]


def create_https_listener_once_visible(elbv2: Any, load_balancer_arn: str, port: int, arn: str) -> str:
    """What a client must do on AWS: retry CertificateNotFound for a certificate just imported."""

    def attempt() -> str | None:
        try:
            return create_https_listener(elbv2, load_balancer_arn, port, arn)
        except ClientError as error:
            if error.response["Error"]["Code"] != "CertificateNotFound":
                raise
            return None

    return wait_until(attempt, f"ELBv2 sees certificate {arn}", timeout=10)


def test_plain_mode_releases_at_once_and_elbv2_sees_an_import_at_once(
    acm: Any, elbv2: Any, alb: str, self_signed: tuple[x509.Certificate, Any]
) -> None:
    arn = import_certificate(acm, self_signed)
    listener = create_https_listener(elbv2, alb, 443, arn)
    elbv2.delete_listener(ListenerArn=listener)
    assert in_use_by(acm, arn) == []
    acm.delete_certificate(CertificateArn=arn)


def test_an_unknown_acm_certificate_is_certificate_not_found(elbv2: Any, alb: str) -> None:
    expected = ("CertificateNotFound", f"Certificate '{UNKNOWN_CERTIFICATE}' not found", 400)
    assert elbv2_error(lambda: create_https_listener(elbv2, alb, 443, UNKNOWN_CERTIFICATE)) == expected
    http = elbv2.create_listener(LoadBalancerArn=alb, Protocol="HTTP", Port=80, DefaultActions=FIXED_RESPONSE)
    listener = http["Listeners"][0]["ListenerArn"]
    assert (
        elbv2_error(
            lambda: elbv2.add_listener_certificates(
                ListenerArn=listener, Certificates=[{"CertificateArn": UNKNOWN_CERTIFICATE}]
            )
        )
        == expected
    )


@pytest.mark.parametrize("released_by", ["delete_listener", "delete_load_balancer", "modify_listener"])
def test_realistic_mode_keeps_a_released_load_balancer_in_use_by_for_a_while(
    acm: Any,
    elbv2: Any,
    alb: str,
    self_signed: tuple[x509.Certificate, Any],
    realistic: Callable[..., Any],
    released_by: str,
) -> None:
    # The release lingers 4 s whatever the scale (0.05: an import is hidden from ELBv2 for 0.25 s): the four calls
    # after the release land inside it on a busy machine too (1.5 s, AWS's 30 s at the scale, did not always).
    linger = 4.0
    realistic(time_scale=0.05, behaviour_seconds={acm_imported_certificates.IN_USE_LINGERING: linger})
    arn = import_certificate(acm, self_signed)
    listener = create_https_listener_once_visible(elbv2, alb, 443, arn)
    assert in_use_by(acm, arn) == [alb]

    if released_by == "delete_listener":
        elbv2.delete_listener(ListenerArn=listener)
    elif released_by == "delete_load_balancer":
        elbv2.delete_load_balancer(LoadBalancerArn=alb)
    else:
        other = import_certificate(acm, make_certificate("other.example.com"))
        wait_until(
            lambda: _modified(elbv2, listener, other), "ELBv2 sees the other certificate", timeout=5, interval=0.05
        )
        assert in_use_by(acm, other) == [alb]
    assert in_use_by(acm, arn) == [alb], "ACM still lists the load balancer"
    assert in_use_flag(acm, arn)
    with pytest.raises(ClientError) as error:
        acm.delete_certificate(CertificateArn=arn)
    assert error_code(error) == "ResourceInUseException"

    wait_until(lambda: in_use_by(acm, arn) == [], "ACM releases the certificate", timeout=linger + 3)
    acm.delete_certificate(CertificateArn=arn)


def _modified(elbv2: Any, listener: str, arn: str) -> bool:
    try:
        elbv2.modify_listener(ListenerArn=listener, Certificates=[{"CertificateArn": arn}])
    except ClientError as error:
        if error.response["Error"]["Code"] != "CertificateNotFound":
            raise
        return False
    return True


def test_realistic_mode_taking_a_certificate_up_again_keeps_it_in_use(
    acm: Any, elbv2: Any, alb: str, self_signed: tuple[x509.Certificate, Any], realistic: Callable[..., Any]
) -> None:
    scale = 0.05
    realistic(time_scale=scale)
    linger = realism.TYPICAL[acm_imported_certificates.IN_USE_LINGERING].seconds * scale
    arn = import_certificate(acm, self_signed)
    listener = create_https_listener_once_visible(elbv2, alb, 443, arn)
    elbv2.delete_listener(ListenerArn=listener)
    create_https_listener(elbv2, alb, 8443, arn)
    time.sleep(linger * 1.2)
    assert in_use_by(acm, arn) == [alb], "in use again: the release no longer counts"


def test_realistic_mode_hides_a_new_import_from_elbv2_for_a_while(
    acm: Any, elbv2: Any, alb: str, realistic: Callable[..., Any]
) -> None:
    # A new import is hidden from ELBv2 for 3 s whatever the scale: the calls right after an import land inside that on
    # a busy machine too.
    visibility = 3.0
    realistic(time_scale=0.3, behaviour_seconds={acm_imported_certificates.IMPORT_VISIBILITY: visibility})
    first = import_certificate(acm, make_certificate("first.example.com"))
    code, message, status = elbv2_error(lambda: create_https_listener(elbv2, alb, 443, first))
    assert (code, message, status) == ("CertificateNotFound", f"Certificate '{first}' not found", 400)
    assert acm.describe_certificate(CertificateArn=first)["Certificate"]["Status"] == "ISSUED", "ACM itself knows it"
    listener = create_https_listener_once_visible(elbv2, alb, 443, first)

    second = import_certificate(acm, make_certificate("second.example.com"))
    for call in (
        lambda: elbv2.add_listener_certificates(ListenerArn=listener, Certificates=[{"CertificateArn": second}]),
        lambda: elbv2.modify_listener(ListenerArn=listener, Certificates=[{"CertificateArn": second}]),
    ):
        assert elbv2_error(call)[0] == "CertificateNotFound"
    assert in_use_by(acm, second) == []
    # a re-import keeps the ARN ELBv2 already knows
    import_certificate(acm, make_certificate("first.example.com"), CertificateArn=first)
    elbv2.modify_listener(ListenerArn=listener, Certificates=[{"CertificateArn": first}])

    wait_until(lambda: _modified(elbv2, listener, second), "ELBv2 sees the second certificate", timeout=visibility + 3)
    assert in_use_by(acm, second) == [alb]
    elbv2.delete_load_balancer(LoadBalancerArn=alb)


# --- other ACM calls ---------------------------------------------------------------------------------------


def test_other_acm_calls_unchanged(acm: Any, self_signed: tuple[x509.Certificate, Any]) -> None:
    arn = import_certificate(acm, self_signed, Tags=[{"Key": "Name", "Value": "site"}])
    description = acm.describe_certificate(CertificateArn=arn)["Certificate"]
    assert description["Type"] == "IMPORTED"
    assert description["DomainName"] == "app.example.com"
    assert description["SubjectAlternativeNames"] == ["app.example.com", "www.app.example.com"]
    assert description["KeyAlgorithm"] == "EC_prime256v1"
    assert description["InUseBy"] == []

    acm.add_tags_to_certificate(CertificateArn=arn, Tags=[{"Key": "Stack", "Value": "unit"}])
    acm.remove_tags_from_certificate(CertificateArn=arn, Tags=[{"Key": "Name"}])
    assert tags_of(acm, arn) == {"Stack": "unit"}

    issued = acm.request_certificate(DomainName="issued.example.com", ValidationMethod="DNS")["CertificateArn"]
    with pytest.raises(ClientError) as error:  # not issued yet: nothing to get (acm_dns_validation)
        acm.get_certificate(CertificateArn=issued)
    assert error_code(error) == "RequestInProgressException"

    # a chain that is no certificate is still refused
    with pytest.raises(ClientError) as error:
        import_certificate(acm, self_signed, chain=b"-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n")
    assert error_code(error) == "ValidationException"

    acm.delete_certificate(CertificateArn=arn)
    acm.delete_certificate(CertificateArn=issued)
    listed = {c["CertificateArn"] for c in acm.list_certificates()["CertificateSummaryList"]}
    assert not {arn, issued} & listed


# --- the gap in moto alone ---------------------------------------------------------------------------------


def test_moto_alone_has_the_gaps_and_install_fixes_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """Proves the extension is still needed: if the first assertions fail, moto fixed a gap; drop that part."""
    from moto import mock_aws

    originals = {}
    for cls, name, _wrap in acm_imported_certificates.PATCHES:
        current = cls.__dict__[name]
        originals[(cls, name)] = getattr(current, "__wrapped__", current)
        monkeypatch.setattr(cls, name, originals[(cls, name)])
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)  # mock_aws intercepts the real AWS endpoints only

    def client(service: str) -> Any:
        return boto3.client(
            service, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing"
        )

    with mock_aws():
        acm, elbv2 = client("acm"), client("elbv2")
        subnets = create_subnets(client("ec2"))
        assert not acm_imported_certificates.is_installed()

        # 1. a chain nobody imported
        arn = import_certificate(acm, make_certificate(), Tags=[{"Key": "Name", "Value": "site"}])
        assert acm.get_certificate(CertificateArn=arn).get("CertificateChain")
        # 4. the listener, not the load balancer, and never released
        alb = create_alb(elbv2, subnets)
        listener = create_https_listener(elbv2, alb, 443, arn)
        assert in_use_by(acm, arn) == [listener]
        # 2. a re-import drops tags and InUseBy, and accepts Tags
        import_certificate(acm, make_certificate(), CertificateArn=arn, Tags=[{"Key": "Other", "Value": "x"}])
        assert (tags_of(acm, arn), in_use_by(acm, arn)) == ({"Other": "x"}, [])
        # 3. a certificate in use is deleted all the same
        in_use = import_certificate(acm, make_certificate())
        create_https_listener(elbv2, alb, 8443, in_use)
        assert in_use_by(acm, in_use)
        acm.delete_certificate(CertificateArn=in_use)

        acm_imported_certificates.install()
        acm_imported_certificates.install()

        assert acm_imported_certificates.is_installed()
        for cls, name, _wrap in acm_imported_certificates.PATCHES:
            assert cls.__dict__[name].__wrapped__ is originals[(cls, name)], f"install() must wrap {name} once"

        fixed = import_certificate(acm, make_certificate(), Tags=[{"Key": "Name", "Value": "site"}])
        assert "CertificateChain" not in acm.get_certificate(CertificateArn=fixed)
        second_alb = create_alb(elbv2, subnets)
        https = create_https_listener(elbv2, second_alb, 443, fixed)
        assert in_use_by(acm, fixed) == [second_alb]
        import_certificate(acm, make_certificate(), CertificateArn=fixed)
        assert (tags_of(acm, fixed), in_use_by(acm, fixed)) == ({"Name": "site"}, [second_alb])
        with pytest.raises(ClientError) as error:
            import_certificate(acm, make_certificate(), CertificateArn=fixed, Tags=[{"Key": "Other", "Value": "x"}])
        assert error_code(error) == "ValidationException"
        with pytest.raises(ClientError) as error:
            acm.delete_certificate(CertificateArn=fixed)
        assert error_code(error) == "ResourceInUseException"
        elbv2.delete_listener(ListenerArn=https)
        assert in_use_by(acm, fixed) == []
        acm.delete_certificate(CertificateArn=fixed)
