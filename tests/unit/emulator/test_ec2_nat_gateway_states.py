"""NAT gateways are pending, then available; deleting, then deleted, holding their Elastic IP until then; a
CreateNatGateway retried with its ClientToken answers with the same gateway; the first gateway named with the failure
marker ends failed, with AWS's FailureCode and FailureMessage (emulator/extensions/ec2_nat_gateway_states.py)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, NamedTuple

import pytest
from botocore.exceptions import ClientError

from emulator import realism
from emulator.extensions import ec2_nat_gateway_states
from tests.unit.helpers import wait_until

SCALE = 0.05  # pending ~5 s, deleting ~3 s, the interface lingering 3 s more: windows a loaded CI machine cannot miss between two calls
FAIL_SCALE = 0.05  # pending ~5 s, deleting ~3 s: the failure test waits through both, and a loaded CI machine
# cannot miss the pending window between the create and the describe


class Network(NamedTuple):
    vpc_id: str
    subnet_ids: list[str]
    allocation_id: str
    public_ip: str


@pytest.fixture
def ec2(aws_client: Callable[[str], Any]) -> Any:
    return aws_client("ec2")


@pytest.fixture
def network(ec2: Any) -> Network:
    vpc_id = ec2.create_vpc(CidrBlock="10.71.0.0/16")["Vpc"]["VpcId"]
    subnet_ids = [ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.71.{n}.0/24")["Subnet"]["SubnetId"] for n in (1, 2)]
    igw_id = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc_id)
    address = ec2.allocate_address(Domain="vpc")
    return Network(vpc_id, subnet_ids, address["AllocationId"], address["PublicIp"])


def state(ec2: Any, nat_id: str) -> str:
    return ec2.describe_nat_gateways(NatGatewayIds=[nat_id])["NatGateways"][0]["State"]


def association(ec2: Any, allocation_id: str) -> str | None:
    return ec2.describe_addresses(AllocationIds=[allocation_id])["Addresses"][0].get("AssociationId")


def described(ec2: Any, nat_id: str) -> dict[str, Any]:
    return ec2.describe_nat_gateways(NatGatewayIds=[nat_id])["NatGateways"][0]


def failing_name() -> str:
    """A Name with the failure marker, new for each test: only the first gateway with a given Name fails."""
    return f"stack-{ec2_nat_gateway_states.FAIL_MARKER}-nat-{uuid.uuid4().hex[:8]}"


def named(name: str) -> list[dict[str, Any]]:
    return [{"ResourceType": "natgateway", "Tags": [{"Key": "Name", "Value": name}]}]


def assert_failed_as_aws_says(gateway: dict[str, Any]) -> None:
    interface_id = gateway["NatGatewayAddresses"][0]["NetworkInterfaceId"]
    assert gateway["State"] == "failed"
    assert gateway["FailureCode"] == "InternalError"
    assert gateway["FailureMessage"] == (
        f"Network interface {interface_id}, created and used internally by this NAT gateway is in an invalid state."
        " Please try again."
    )


def error_of(call: Callable[[], Any]) -> tuple[str, str]:
    with pytest.raises(ClientError) as raised:
        call()
    return raised.value.response["Error"]["Code"], raised.value.response["Error"]["Message"]


def test_plain_mode_keeps_the_states_immediate_and_frees_the_address(ec2: Any, network: Network) -> None:
    nat = ec2.create_nat_gateway(SubnetId=network.subnet_ids[0], AllocationId=network.allocation_id)["NatGateway"]
    assert nat["State"] == "available"
    assert association(ec2, network.allocation_id), "the gateway's interface holds the address"

    ec2.delete_nat_gateway(NatGatewayId=nat["NatGatewayId"])
    deleted = ec2.describe_nat_gateways(NatGatewayIds=[nat["NatGatewayId"]])["NatGateways"][0]
    assert deleted["State"] == "deleted" and deleted["DeleteTime"]
    assert association(ec2, network.allocation_id) is None, "a deleted gateway gives its address back"
    ec2.release_address(AllocationId=network.allocation_id)


def test_a_new_gateway_is_pending_then_available(ec2: Any, network: Network, realistic: Callable[..., Any]) -> None:
    realistic(time_scale=SCALE)
    nat_id = ec2.create_nat_gateway(SubnetId=network.subnet_ids[0], AllocationId=network.allocation_id)["NatGateway"][
        "NatGatewayId"
    ]

    assert state(ec2, nat_id) == "pending"
    pending = ec2.describe_nat_gateways(Filters=[{"Name": "state", "Values": ["pending"]}])["NatGateways"]
    assert nat_id in [gateway["NatGatewayId"] for gateway in pending]
    assert association(ec2, network.allocation_id), "the address is associated from the start"

    wait_until(lambda: state(ec2, nat_id) == "available", "the gateway is available", timeout=10)


def test_a_deleted_gateway_is_deleting_and_keeps_its_address_until_deleted(
    ec2: Any, network: Network, realistic: Callable[..., Any]
) -> None:
    realistic(time_scale=SCALE)
    nat_id = ec2.create_nat_gateway(SubnetId=network.subnet_ids[0], AllocationId=network.allocation_id)["NatGateway"][
        "NatGatewayId"
    ]
    wait_until(lambda: state(ec2, nat_id) == "available", "the gateway is available", timeout=10)
    assert error_of(lambda: ec2.release_address(AllocationId=network.allocation_id)) == (
        "AuthFailure",
        "You do not have permission to access the specified resource.",
    )

    ec2.delete_nat_gateway(NatGatewayId=nat_id)
    assert state(ec2, nat_id) == "deleting"
    assert association(ec2, network.allocation_id), "a deleting gateway still holds its address"
    assert error_of(lambda: ec2.release_address(AllocationId=network.allocation_id))[0] == "AuthFailure"
    ec2.delete_nat_gateway(NatGatewayId=nat_id)  # again: nothing changes
    assert state(ec2, nat_id) == "deleting"

    wait_until(lambda: state(ec2, nat_id) == "deleted", "the gateway is deleted", timeout=10)
    # Its network interface outlives it (network_interface.lingering: 60 s x 0.05 = 3 s) and holds the address.
    assert association(ec2, network.allocation_id), "the deleted gateway's interface lets go of the address at once"
    assert error_of(lambda: ec2.release_address(AllocationId=network.allocation_id))[0] == "AuthFailure"
    wait_until(lambda: association(ec2, network.allocation_id) is None, "the interface lets go", timeout=15)
    ec2.release_address(AllocationId=network.allocation_id)


def test_the_same_client_token_answers_with_the_same_gateway_whatever_its_state(ec2: Any, network: Network) -> None:
    token = uuid.uuid4().hex
    request = {"SubnetId": network.subnet_ids[0], "AllocationId": network.allocation_id, "ClientToken": token}
    first = ec2.create_nat_gateway(**request)
    assert first["ClientToken"] == token
    again = ec2.create_nat_gateway(**request)
    assert again["NatGateway"]["NatGatewayId"] == first["NatGateway"]["NatGatewayId"]
    in_subnet = [{"Name": "subnet-id", "Values": [network.subnet_ids[0]]}]
    assert len(ec2.describe_nat_gateways(Filters=in_subnet)["NatGateways"]) == 1

    code, message = error_of(lambda: ec2.create_nat_gateway(**{**request, "SubnetId": network.subnet_ids[1]}))
    assert (code, message) == ("IdempotentParameterMismatch", ec2_nat_gateway_states.MISMATCH)

    ec2.delete_nat_gateway(NatGatewayId=first["NatGateway"]["NatGatewayId"])
    after = ec2.create_nat_gateway(**request)["NatGateway"]
    assert after["NatGatewayId"] == first["NatGateway"]["NatGatewayId"]
    assert after["State"] == "deleted", "AWS answers with the gateway as it is now, not with a new one"

    other = ec2.create_nat_gateway(**{**request, "ClientToken": uuid.uuid4().hex})["NatGateway"]
    assert other["NatGatewayId"] != first["NatGateway"]["NatGatewayId"]


def test_plain_mode_fails_the_first_named_gateway_at_the_first_describe_and_not_the_next(
    ec2: Any, network: Network
) -> None:
    name = failing_name()
    token = uuid.uuid4().hex
    request = {
        "SubnetId": network.subnet_ids[0],
        "AllocationId": network.allocation_id,
        "ClientToken": token,
        "TagSpecifications": named(name),
    }
    created = ec2.create_nat_gateway(**request)["NatGateway"]
    assert created["State"] == "pending" and "FailureCode" not in created
    failed = described(ec2, created["NatGatewayId"])
    assert_failed_as_aws_says(failed)
    assert association(ec2, network.allocation_id) is None, "a gateway that failed holds no address"
    listed = ec2.describe_nat_gateways(Filters=[{"Name": "state", "Values": ["failed"]}])["NatGateways"]
    assert created["NatGatewayId"] in [gateway["NatGatewayId"] for gateway in listed]

    replayed = ec2.create_nat_gateway(**request)["NatGateway"]
    assert replayed["NatGatewayId"] == created["NatGatewayId"], "the same token answers with the failed gateway"
    assert_failed_as_aws_says(replayed)

    again = ec2.create_nat_gateway(**{**request, "ClientToken": uuid.uuid4().hex})["NatGateway"]
    assert again["NatGatewayId"] != created["NatGatewayId"]
    assert again["State"] == "available" and described(ec2, again["NatGatewayId"])["State"] == "available"
    assert "FailureCode" not in described(ec2, again["NatGatewayId"])
    assert association(ec2, network.allocation_id), "the new gateway holds the address"

    ec2.delete_nat_gateway(NatGatewayId=created["NatGatewayId"])
    assert described(ec2, created["NatGatewayId"])["State"] == "deleted"
    assert described(ec2, again["NatGatewayId"])["State"] == "available"


def test_a_named_gateway_fails_after_its_pending_time_and_frees_its_address(
    ec2: Any, network: Network, realistic: Callable[..., Any]
) -> None:
    realistic(time_scale=FAIL_SCALE)
    nat_id = ec2.create_nat_gateway(
        SubnetId=network.subnet_ids[0], AllocationId=network.allocation_id, TagSpecifications=named(failing_name())
    )["NatGateway"]["NatGatewayId"]
    pending = described(ec2, nat_id)
    assert pending["State"] == "pending" and "FailureCode" not in pending
    assert error_of(lambda: ec2.release_address(AllocationId=network.allocation_id))[0] == "AuthFailure"

    wait_until(lambda: state(ec2, nat_id) != "pending", "the gateway is no longer pending", timeout=20)
    assert_failed_as_aws_says(described(ec2, nat_id))
    assert association(ec2, network.allocation_id) is None

    ec2.delete_nat_gateway(NatGatewayId=nat_id)
    assert state(ec2, nat_id) in ("deleting", "deleted")
    wait_until(lambda: state(ec2, nat_id) == "deleted", "the failed gateway is deleted", timeout=20)
    ec2.release_address(AllocationId=network.allocation_id)


def test_moto_alone_is_available_at_once_and_duplicates_and_install_fixes_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Proves the extension is still needed: if the first assertions fail, moto fixed the gap; drop the extension."""
    import boto3
    from moto import mock_aws
    from moto.ec2.models import EC2Backend
    from moto.ec2.models.nat_gateways import NatGateway
    from moto.ec2.responses import EC2Response

    for owner, name in [
        (EC2Response, "create_nat_gateway"),
        (EC2Response, "describe_nat_gateways"),
        (EC2Backend, "create_nat_gateway"),
        (EC2Backend, "describe_addresses"),
        (EC2Backend, "release_address"),
    ]:
        method = getattr(owner, name)
        while hasattr(method, "__wrapped__"):
            method = method.__wrapped__
        monkeypatch.setattr(owner, name, method)
    for name in ("state", "delete_time", "failure_code", "failure_message"):  # plain attributes until install()
        monkeypatch.setattr(NatGateway, name, None, raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")

    try:
        realism.configure({"realistic": True, "time_scale": 1.0})
        with mock_aws():
            ec2 = boto3.session.Session(
                aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
            ).client("ec2")
            vpc_id = ec2.create_vpc(CidrBlock="10.72.0.0/16")["Vpc"]["VpcId"]
            subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.72.1.0/24")["Subnet"]["SubnetId"]
            request = {"SubnetId": subnet_id, "ConnectivityType": "private", "ClientToken": "t"}
            assert not ec2_nat_gateway_states.is_installed()
            first = ec2.create_nat_gateway(**request, TagSpecifications=named(failing_name()))["NatGateway"]
            assert first["State"] == "available", "moto: available at once"
            assert ec2.describe_nat_gateways(NatGatewayIds=[first["NatGatewayId"]])["NatGateways"][0]["State"] == (
                "available"
            ), "moto: a gateway never fails"
            assert ec2.create_nat_gateway(**request)["NatGateway"]["NatGatewayId"] != first["NatGatewayId"]

            ec2_nat_gateway_states.install()
            ec2_nat_gateway_states.install()

            assert ec2_nat_gateway_states.is_installed()
            assert not hasattr(EC2Backend.create_nat_gateway.__wrapped__, "__wrapped__"), "wrapped once"
            second = ec2.create_nat_gateway(**{**request, "ClientToken": "u"})["NatGateway"]
            assert second["State"] == "pending"
            assert ec2.create_nat_gateway(**{**request, "ClientToken": "u"})["NatGateway"]["NatGatewayId"] == (
                second["NatGatewayId"]
            )
    finally:
        realism.reset()
