"""Service Quotas for ec2, increase requests, and EC2 enforcing the quotas (emulator/extensions/service_quotas.py).

Quotas count per account and Region, so each test that allocates or raises a quota on the session's emulator works in
a Region of its own, and releases what it allocated. The session's emulator does not enforce the quotas (plain mode,
and realistic mode switched on at run time); the enforcement tests run on an emulator of this module's own, started
with EMULATOR_ENFORCE_QUOTAS=1."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from emulator import realism
from emulator.extensions import ec2_client_vpn, service_quotas
from emulator.extensions.service_quotas import APPROVAL, CLIENT_VPN_ENDPOINTS, ELASTIC_IPS, TYPICAL_APPROVAL
from tests.unit.helpers import import_pki, running_emulator, wait_until

ACCOUNT = "123456789012"
EC2_NAME = "Amazon Elastic Compute Cloud (Amazon EC2)"


@pytest.fixture
def client_in(emulator_endpoint: str) -> Callable[[str, str], Any]:
    def make(service_name: str, region: str) -> Any:
        session = boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name=region
        )
        return session.client(service_name, endpoint_url=emulator_endpoint)

    return make


def error_of(call: Callable[[], Any]) -> tuple[int, str, str]:
    with pytest.raises(ClientError) as raised:
        call()
    response = raised.value.response
    return response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"], response["Error"]["Message"]


def value(quotas: Any, quota_code: str) -> float:
    return quotas.get_service_quota(ServiceCode="ec2", QuotaCode=quota_code)["Quota"]["Value"]


def address_quota_attribute(ec2: Any) -> str:
    attributes = ec2.describe_account_attributes()["AccountAttributes"]
    found = [a for a in attributes if a["AttributeName"] == "vpc-max-elastic-ips"]
    return found[0]["AttributeValues"][0]["AttributeValue"]


@pytest.fixture
def allocations() -> Iterator[Callable[[Any], str]]:
    """Allocates an address; releases every address it allocated after the test."""
    made: list[tuple[Any, str]] = []

    def allocate(ec2: Any) -> str:
        allocation_id = ec2.allocate_address(Domain="vpc")["AllocationId"]
        made.append((ec2, allocation_id))
        return allocation_id

    yield allocate
    for ec2, allocation_id in made:
        try:
            ec2.release_address(AllocationId=allocation_id)
        except ClientError:
            pass  # released by the test


def fill_addresses(ec2: Any, allocate: Callable[[Any], str], up_to: float) -> list[str]:
    count = len(ec2.describe_addresses()["Addresses"])
    return [allocate(ec2) for _address in range(int(up_to) - count)]


# --------------------------------------------------------------------------- the quotas


def test_ec2_quotas_answer_aws_defaults_and_applied_values(client_in: Callable[[str, str], Any]) -> None:
    quotas, ec2 = client_in("service-quotas", "us-east-1"), client_in("ec2", "us-east-1")
    expected = {
        ELASTIC_IPS: "EC2-VPC Elastic IPs",
        CLIENT_VPN_ENDPOINTS: "Client VPN endpoints per Region",
    }
    for code, name in expected.items():
        default = quotas.get_aws_default_service_quota(ServiceCode="ec2", QuotaCode=code)["Quota"]
        assert default == {
            "ServiceCode": "ec2",
            "ServiceName": EC2_NAME,
            "QuotaArn": f"arn:aws:servicequotas:us-east-1::ec2/{code}",
            "QuotaCode": code,
            "QuotaName": name,
            "Value": 5.0,
            "Unit": "None",
            "Adjustable": True,
            "GlobalQuota": False,
        }
        applied = quotas.get_service_quota(ServiceCode="ec2", QuotaCode=code)["Quota"]
        assert applied == {**default, "QuotaArn": f"arn:aws:servicequotas:us-east-1:{ACCOUNT}:ec2/{code}"}
    listed = {q["QuotaCode"] for q in quotas.list_service_quotas(ServiceCode="ec2")["Quotas"]}
    assert listed == set(expected)
    defaults = {q["QuotaCode"] for q in quotas.list_aws_default_service_quotas(ServiceCode="ec2")["Quotas"]}
    assert defaults == set(expected)
    assert address_quota_attribute(ec2) == "5"

    vpcs = quotas.get_service_quota(ServiceCode="vpc", QuotaCode="L-F678F1CE")["Quota"]  # moto's own, kept
    assert (vpcs["QuotaName"], vpcs["Value"]) == ("VPCs per Region", 5.0)
    assert vpcs["QuotaArn"] == f"arn:aws:servicequotas:us-east-1:{ACCOUNT}:vpc/L-F678F1CE"
    unknown = error_of(lambda: quotas.get_service_quota(ServiceCode="ec2", QuotaCode="L-1216C47A"))
    assert unknown[:2] == (400, "NoSuchResourceException"), "a quota the emulator does not model stays unknown"


def test_an_approved_increase_raises_the_applied_value(client_in: Callable[[str, str], Any]) -> None:
    """The test control is AWS's API: in plain mode an increase is approved as soon as anything reads it."""
    quotas, ec2 = client_in("service-quotas", "eu-north-1"), client_in("ec2", "eu-north-1")
    requested = quotas.request_service_quota_increase(ServiceCode="ec2", QuotaCode=ELASTIC_IPS, DesiredValue=7)
    assert requested["RequestedQuota"]["Status"] == "PENDING"
    assert requested["RequestedQuota"]["DesiredValue"] == 7.0
    request_id = requested["RequestedQuota"]["Id"]
    assert quotas.get_requested_service_quota_change(RequestId=request_id)["RequestedQuota"]["Status"] == "APPROVED"
    assert value(quotas, ELASTIC_IPS) == 7.0
    assert quotas.get_aws_default_service_quota(ServiceCode="ec2", QuotaCode=ELASTIC_IPS)["Quota"]["Value"] == 5.0
    assert address_quota_attribute(ec2) == "7"
    history = quotas.list_requested_service_quota_change_history_by_quota(ServiceCode="ec2", QuotaCode=ELASTIC_IPS)
    assert [r["Id"] for r in history["RequestedQuotas"]] == [request_id]
    assert error_of(
        lambda: quotas.request_service_quota_increase(ServiceCode="ec2", QuotaCode=ELASTIC_IPS, DesiredValue=7)
    ) == (400, "IllegalArgumentException", service_quotas.NOT_GREATER_MESSAGE)


def test_the_session_emulator_does_not_enforce_quotas_in_either_mode(
    client_in: Callable[[str, str], Any], allocations: Callable[[Any], str], request: pytest.FixtureRequest
) -> None:
    """Plain mode is moto's, and realistic mode switched on at run time leaves the quotas alone too: other tests'
    addresses would count. Only a run that asks for them (EMULATOR_ENFORCE_QUOTAS, or started realistic) meets them."""
    ec2 = client_in("ec2", "eu-west-3")
    fill_addresses(ec2, allocations, 6)
    request.getfixturevalue("realistic")
    allocations(ec2)
    assert len(ec2.describe_addresses()["Addresses"]) == 7


# --------------------------------------------------------------------------- an emulator enforcing the quotas


@pytest.fixture(scope="module")
def enforcing(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str, str], Any]]:
    environment = {service_quotas.ENFORCE_VARIABLE: "1", ec2_client_vpn.DELAY_VARIABLE: "1"}
    with running_emulator(tmp_path_factory.mktemp("quotas-emulator"), environment) as url:
        session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing")
        yield lambda service_name, region: session.client(service_name, region_name=region, endpoint_url=url)


def test_allocate_address_is_refused_at_the_applied_quota(
    enforcing: Callable[[str, str], Any], allocations: Callable[[Any], str]
) -> None:
    ec2, quotas = enforcing("ec2", "us-east-1"), enforcing("service-quotas", "us-east-1")
    held = fill_addresses(ec2, allocations, 5)
    assert error_of(lambda: allocations(ec2)) == (400, "AddressLimitExceeded", service_quotas.ADDRESS_LIMIT_MESSAGE)
    assert len(ec2.describe_addresses()["Addresses"]) == 5
    allocations(enforcing("ec2", "eu-west-1"))  # another Region counts its own

    ec2.release_address(AllocationId=held[0])
    allocations(ec2)
    assert error_of(lambda: allocations(ec2))[1] == "AddressLimitExceeded"

    quotas.request_service_quota_increase(ServiceCode="ec2", QuotaCode=ELASTIC_IPS, DesiredValue=7)
    fill_addresses(ec2, allocations, 7)
    assert error_of(lambda: allocations(ec2))[1] == "AddressLimitExceeded"


def test_create_client_vpn_endpoint_is_refused_at_the_quota(enforcing: Callable[[str, str], Any]) -> None:
    ec2 = enforcing("ec2", "us-east-1")
    pki = import_pki(enforcing("acm", "us-east-1"))

    def create(token: str) -> str:
        return ec2.create_client_vpn_endpoint(
            ClientCidrBlock="172.16.0.0/22",
            ServerCertificateArn=pki.server_arn,
            AuthenticationOptions=[
                {
                    "Type": "certificate-authentication",
                    "MutualAuthentication": {"ClientRootCertificateChainArn": pki.client_root_arn},
                }
            ],
            ConnectionLogOptions={"Enabled": False},
            ClientToken=token,
        )["ClientVpnEndpointId"]

    def exists(endpoint_id: str) -> bool:
        endpoints = ec2.describe_client_vpn_endpoints()["ClientVpnEndpoints"]
        return endpoint_id in {e["ClientVpnEndpointId"] for e in endpoints}

    created = [create(f"quota-{i}") for i in range(5)]
    try:
        assert error_of(lambda: create("one-too-many")) == (
            400,
            "ClientVpnEndpointLimitExceeded",
            service_quotas.CLIENT_VPN_LIMIT_MESSAGE,
        )
        assert create("quota-0") == created[0], "a ClientToken replay is answered, not refused"
        ec2.delete_client_vpn_endpoint(ClientVpnEndpointId=created[0])
        assert error_of(lambda: create("one-too-many"))[1] == "ClientVpnEndpointLimitExceeded", "deleting counts"
        wait_until(lambda: not exists(created[0]), "the deleted endpoint is gone", timeout=5, interval=0.1)
        created[0] = create("one-more")
    finally:
        for endpoint_id in created:
            ec2.delete_client_vpn_endpoint(ClientVpnEndpointId=endpoint_id)


# --------------------------------------------------------------------------- realistic mode


def test_realistic_increase_is_pending_until_aws_approves_it(
    client_in: Callable[[str, str], Any], realistic: Callable[..., Any]
) -> None:
    typical = realism.TYPICAL.get(APPROVAL, TYPICAL_APPROVAL).seconds
    approval = 3.0  # AWS's approval in 3 s: the two calls right after the request land before it on a busy machine
    realistic(time_scale=approval / typical)
    quotas = client_in("service-quotas", "ca-central-1")
    started = time.monotonic()
    endpoints_quota = {"ServiceCode": "ec2", "QuotaCode": CLIENT_VPN_ENDPOINTS}
    request = quotas.request_service_quota_increase(**endpoints_quota, DesiredValue=8)["RequestedQuota"]
    assert value(quotas, CLIENT_VPN_ENDPOINTS) == 5.0, "not applied while PENDING"
    assert error_of(lambda: quotas.request_service_quota_increase(**endpoints_quota, DesiredValue=9)) == (
        400,
        "ResourceAlreadyExistsException",
        service_quotas.ALREADY_OPEN_MESSAGE,
    )

    def status() -> str:
        return quotas.get_requested_service_quota_change(RequestId=request["Id"])["RequestedQuota"]["Status"]

    wait_until(lambda: status() == "APPROVED", "the increase is approved", timeout=approval + 10, interval=0.05)
    assert time.monotonic() - started >= approval
    assert value(quotas, CLIENT_VPN_ENDPOINTS) == 8.0


def test_quotas_are_enforced_when_the_run_asks(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (service_quotas.ENFORCE_VARIABLE, realism.REALISTIC_VARIABLE):
        monkeypatch.delenv(name, raising=False)
    try:
        realism.configure({"realistic": True})
        assert not service_quotas.enforced(), "realistic mode switched on at run time"
        monkeypatch.setenv(realism.REALISTIC_VARIABLE, "1")
        assert service_quotas.enforced(), "a server started in realistic mode"
        realism.configure({"realistic": False})
        assert not service_quotas.enforced(), "... and switched to plain mode since"
        monkeypatch.setenv(service_quotas.ENFORCE_VARIABLE, "1")
        assert service_quotas.enforced()
        monkeypatch.setenv(service_quotas.ENFORCE_VARIABLE, "0")
        realism.configure({"realistic": True})
        assert not service_quotas.enforced()
    finally:
        realism.reset()


def test_approval_seconds_follow_the_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(service_quotas.APPROVAL_VARIABLE, raising=False)
    typical = realism.TYPICAL.get(APPROVAL, TYPICAL_APPROVAL).seconds
    try:
        realism.configure({"realistic": False})
        assert service_quotas.approval_seconds() == 0.0
        realism.configure({"realistic": True, "time_scale": 0.5})
        assert service_quotas.approval_seconds() == typical / 2
        monkeypatch.setenv(service_quotas.APPROVAL_VARIABLE, "0.25")
        assert service_quotas.approval_seconds() == 0.25
    finally:
        realism.reset()


# --------------------------------------------------------------------------- plain moto


def test_moto_alone_knows_no_ec2_quota_and_install_fixes_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Proves the extension is still needed: if the first assertions fail, moto closed the gap; drop the extension."""
    from moto import mock_aws
    from moto.ec2.models import EC2Backend

    for patch in service_quotas.PATCHES:  # what is there without this extension; put back after the test
        current = getattr(patch.owner, patch.name, None)
        if getattr(current, "emulator_extension", None) == service_quotas.__name__:
            current = getattr(current, "__wrapped__", None)
        monkeypatch.setattr(patch.owner, patch.name, current, raising=False)
    for name in ("AWS_ENDPOINT_URL", service_quotas.ENFORCE_VARIABLE, realism.REALISTIC_VARIABLE):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")

    with mock_aws():
        session = boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
        )
        quotas, ec2 = session.client("service-quotas"), session.client("ec2")
        assert not service_quotas.is_installed()
        assert error_of(lambda: value(quotas, ELASTIC_IPS))[1] == "NoSuchResourceException"
        for _attempt in range(6):
            ec2.allocate_address(Domain="vpc")
        assert len(ec2.describe_addresses()["Addresses"]) == 6, "moto allocates beyond the quota"

        service_quotas.install()
        service_quotas.install()

        assert service_quotas.is_installed()
        assert not hasattr(EC2Backend.allocate_address.__wrapped__, "__wrapped__"), "install() must not wrap twice"
        assert value(quotas, ELASTIC_IPS) == 5.0
        monkeypatch.setenv(service_quotas.ENFORCE_VARIABLE, "1")
        assert error_of(lambda: ec2.allocate_address(Domain="vpc"))[1] == "AddressLimitExceeded"
