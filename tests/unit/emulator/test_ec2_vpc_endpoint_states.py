"""Interface endpoints are pending, then available, and deleting, then deleted; gateway endpoints are available at
once; the first interface endpoint named with the failure marker ends failed with a LastError
(emulator/extensions/ec2_vpc_endpoint_states.py)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, NamedTuple

import pytest

from emulator.extensions import ec2_vpc_endpoint_states
from tests.unit.helpers import wait_until

SCALE = 0.05  # pending and deleting ~4.5 s each: windows a loaded CI machine cannot miss between two calls
FAIL_SCALE = 0.05  # pending and deleting ~4.5 s each: the failure test waits through both, and a loaded
# CI machine cannot miss the pending window between the create and the describe
SERVICE = "com.amazonaws.us-east-1.logs"


class Network(NamedTuple):
    vpc_id: str
    subnet_id: str
    group_id: str
    route_table_id: str


@pytest.fixture
def ec2(aws_client: Callable[[str], Any]) -> Any:
    return aws_client("ec2")


@pytest.fixture
def network(ec2: Any) -> Network:
    vpc_id = ec2.create_vpc(CidrBlock="10.73.0.0/16")["Vpc"]["VpcId"]
    subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.73.1.0/24")["Subnet"]["SubnetId"]
    group_id = ec2.create_security_group(GroupName="endpoints", Description="endpoints", VpcId=vpc_id)["GroupId"]
    route_table_id = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    return Network(vpc_id, subnet_id, group_id, route_table_id)


def interface_endpoint(ec2: Any, network: Network, name: str | None = None) -> dict[str, Any]:
    tags = [{"ResourceType": "vpc-endpoint", "Tags": [{"Key": "Name", "Value": name}]}] if name else []
    return ec2.create_vpc_endpoint(
        VpcId=network.vpc_id,
        ServiceName=SERVICE,
        VpcEndpointType="Interface",
        SubnetIds=[network.subnet_id],
        SecurityGroupIds=[network.group_id],
        TagSpecifications=tags,
    )["VpcEndpoint"]


def described(ec2: Any, endpoint_id: str) -> dict[str, Any]:
    return ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoint_id])["VpcEndpoints"][0]


def state(ec2: Any, endpoint_id: str) -> str:
    return described(ec2, endpoint_id)["State"]


def failing_name() -> str:
    """A Name with the failure marker, new for each test: only the first endpoint with a given Name fails."""
    return f"stack-{ec2_vpc_endpoint_states.FAIL_MARKER}-logs-{uuid.uuid4().hex[:8]}"


def assert_failed(endpoint: dict[str, Any]) -> None:
    assert endpoint["State"] == "failed"
    assert endpoint["LastError"] == ec2_vpc_endpoint_states.LAST_ERROR
    assert endpoint["LastError"]["Code"] == "InternalError"


def test_plain_mode_keeps_the_states_immediate(ec2: Any, network: Network) -> None:
    endpoint = interface_endpoint(ec2, network)
    assert endpoint["State"] == "available"
    ec2.delete_vpc_endpoints(VpcEndpointIds=[endpoint["VpcEndpointId"]])
    assert state(ec2, endpoint["VpcEndpointId"]) == "deleted"


def test_an_interface_endpoint_is_pending_then_available_and_deleting_then_deleted(
    ec2: Any, network: Network, realistic: Callable[..., Any]
) -> None:
    realistic(time_scale=SCALE)
    endpoint_id = interface_endpoint(ec2, network)["VpcEndpointId"]
    assert state(ec2, endpoint_id) == "pending"
    in_vpc = {"Name": "vpc-id", "Values": [network.vpc_id]}
    pending = ec2.describe_vpc_endpoints(Filters=[in_vpc, {"Name": "vpc-endpoint-state", "Values": ["pending"]}])
    assert [e["VpcEndpointId"] for e in pending["VpcEndpoints"]] == [endpoint_id]
    wait_until(lambda: state(ec2, endpoint_id) == "available", "the endpoint is available", timeout=10)

    ec2.delete_vpc_endpoints(VpcEndpointIds=[endpoint_id])
    assert state(ec2, endpoint_id) == "deleting"
    ec2.delete_vpc_endpoints(VpcEndpointIds=[endpoint_id])  # again: nothing changes
    assert state(ec2, endpoint_id) == "deleting"
    wait_until(lambda: state(ec2, endpoint_id) == "deleted", "the endpoint is deleted", timeout=10)


def test_a_gateway_endpoint_is_available_and_deleted_at_once(
    ec2: Any, network: Network, realistic: Callable[..., Any]
) -> None:
    realistic(time_scale=SCALE)
    endpoint = ec2.create_vpc_endpoint(
        VpcId=network.vpc_id,
        ServiceName="com.amazonaws.us-east-1.s3",
        VpcEndpointType="Gateway",
        RouteTableIds=[network.route_table_id],
    )["VpcEndpoint"]
    assert endpoint["State"] == "available"
    ec2.delete_vpc_endpoints(VpcEndpointIds=[endpoint["VpcEndpointId"]])
    assert state(ec2, endpoint["VpcEndpointId"]) == "deleted"


def test_plain_mode_fails_the_first_named_endpoint_at_the_first_describe_and_not_the_next(
    ec2: Any, network: Network
) -> None:
    name = failing_name()
    created = interface_endpoint(ec2, network, name)
    assert created["State"] == "pending" and "LastError" not in created
    assert_failed(described(ec2, created["VpcEndpointId"]))
    in_vpc = {"Name": "vpc-id", "Values": [network.vpc_id]}
    failed = ec2.describe_vpc_endpoints(Filters=[in_vpc, {"Name": "vpc-endpoint-state", "Values": ["failed"]}])
    assert [e["VpcEndpointId"] for e in failed["VpcEndpoints"]] == [created["VpcEndpointId"]]

    again = interface_endpoint(ec2, network, name)
    assert again["VpcEndpointId"] != created["VpcEndpointId"]
    assert again["State"] == "available"
    assert "LastError" not in described(ec2, again["VpcEndpointId"])

    ec2.delete_vpc_endpoints(VpcEndpointIds=[created["VpcEndpointId"]])
    assert state(ec2, created["VpcEndpointId"]) == "deleted"
    assert state(ec2, again["VpcEndpointId"]) == "available"


def test_a_named_endpoint_fails_after_its_pending_time_and_can_be_deleted(
    ec2: Any, network: Network, realistic: Callable[..., Any]
) -> None:
    realistic(time_scale=FAIL_SCALE)
    endpoint_id = interface_endpoint(ec2, network, failing_name())["VpcEndpointId"]
    pending = described(ec2, endpoint_id)
    assert pending["State"] == "pending" and "LastError" not in pending

    wait_until(lambda: state(ec2, endpoint_id) != "pending", "the endpoint is no longer pending", timeout=20)
    assert_failed(described(ec2, endpoint_id))

    ec2.delete_vpc_endpoints(VpcEndpointIds=[endpoint_id])
    assert state(ec2, endpoint_id) in ("deleting", "deleted")
    wait_until(lambda: state(ec2, endpoint_id) == "deleted", "the failed endpoint is deleted", timeout=20)


def interface_groups(ec2: Any, group_id: str) -> list[str]:
    found = ec2.describe_network_interfaces(Filters=[{"Name": "group-id", "Values": [group_id]}])
    return [interface["NetworkInterfaceId"] for interface in found["NetworkInterfaces"]]


def test_the_endpoint_interfaces_carry_its_security_groups(ec2: Any, network: Network) -> None:
    """moto gave them the VPC's default group: a wait on the endpoints group's interfaces found none."""
    endpoint = interface_endpoint(ec2, network)
    assert interface_groups(ec2, network.group_id) == endpoint["NetworkInterfaceIds"]

    other = ec2.create_security_group(GroupName="other", Description="other", VpcId=network.vpc_id)["GroupId"]
    ec2.modify_vpc_endpoint(
        VpcEndpointId=endpoint["VpcEndpointId"], AddSecurityGroupIds=[other], RemoveSecurityGroupIds=[network.group_id]
    )
    assert interface_groups(ec2, network.group_id) == []
    assert interface_groups(ec2, other) == endpoint["NetworkInterfaceIds"]

    ec2.delete_vpc_endpoints(VpcEndpointIds=[endpoint["VpcEndpointId"]])
    wait_until(lambda: not interface_groups(ec2, other), "the deleted endpoint's interfaces are gone")


def test_moto_alone_has_the_endpoint_available_at_once_and_install_fixes_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Proves the extension is still needed: if the first assertion fails, moto fixed the gap; drop the extension."""
    import boto3
    from moto import mock_aws
    from moto.ec2.models.vpcs import VPCEndPoint
    from moto.ec2.responses import EC2Response

    from emulator import realism

    for name in ("create_vpc_endpoint", "describe_vpc_endpoints"):
        method = getattr(EC2Response, name)
        while hasattr(method, "__wrapped__"):
            method = method.__wrapped__
        monkeypatch.setattr(EC2Response, name, method)
    for name in ("state", "last_error"):  # plain attributes until install(); put back as they were afterwards
        monkeypatch.setattr(VPCEndPoint, name, None, raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    try:
        realism.configure({"realistic": True, "time_scale": 1.0})
        with mock_aws():
            ec2 = boto3.session.Session(
                aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
            ).client("ec2")
            vpc_id = ec2.create_vpc(CidrBlock="10.74.0.0/16")["Vpc"]["VpcId"]
            subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.74.1.0/24")["Subnet"]["SubnetId"]
            request = {
                "VpcId": vpc_id,
                "ServiceName": SERVICE,
                "VpcEndpointType": "Interface",
                "SubnetIds": [subnet_id],
            }
            assert not ec2_vpc_endpoint_states.is_installed()
            named = [{"ResourceType": "vpc-endpoint", "Tags": [{"Key": "Name", "Value": failing_name()}]}]
            endpoint_id = ec2.create_vpc_endpoint(**request, TagSpecifications=named)["VpcEndpoint"]["VpcEndpointId"]
            only = ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoint_id])["VpcEndpoints"][0]
            assert only["State"] == "available" and "LastError" not in only, "moto: at once, never failed"

            ec2_vpc_endpoint_states.install()
            ec2_vpc_endpoint_states.install()

            assert ec2_vpc_endpoint_states.is_installed()
            assert ec2.create_vpc_endpoint(**request)["VpcEndpoint"]["State"] == "pending"
    finally:
        realism.reset()
