"""Endpoint services that do not cover every zone (emulator/extensions/ec2_endpoint_service_zones.py), through the
session's emulator: every zone is supported until the control removes some, in plain and realistic mode alike; then
DescribeVpcEndpointServices leaves them out and CreateVpcEndpoint / ModifyVpcEndpoint refuse their subnets.

Each test removes zones from a service of its own and puts them back afterwards (the session's emulator is shared)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from emulator.extensions.ec2_endpoint_service_zones import CONTROL_PATH
from tests.unit.helpers import wait_until

REGION = "us-east-1"
ALL_ZONES = [f"{REGION}{letter}" for letter in "abcdef"]


def service(name: str, region: str = REGION) -> str:
    return f"com.amazonaws.{region}.{name}"


def zones_control(endpoint: str, method: str = "PUT", **body: Any) -> tuple[int, dict[str, Any]]:
    data = json.dumps(body).encode() if method != "GET" else None
    request = urllib.request.Request(f"{endpoint}{CONTROL_PATH}", data=data, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.fixture
def unsupported(emulator_endpoint: str) -> Iterator[Callable[..., dict[str, Any]]]:
    """Removes zones from a service; every service it touched supports every zone again after the test."""
    touched: list[dict[str, Any]] = []

    def remove(service_name: str, zones: list[str], **more: Any) -> dict[str, Any]:
        status, answer = zones_control(emulator_endpoint, service_name=service_name, unsupported_zones=zones, **more)
        assert status == 200, answer
        touched.append({"service_name": service_name, **more})
        return answer

    yield remove
    for body in touched:
        zones_control(emulator_endpoint, unsupported_zones=[], **body)


@dataclass(frozen=True)
class Network:
    vpc_id: str
    subnets: dict[str, str]  # zone letter -> subnet id


@pytest.fixture(scope="module")
def network(aws_client: Callable[[str], Any]) -> Iterator[Network]:
    ec2 = aws_client("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.91.0.0/16")["Vpc"]["VpcId"]
    subnets = {
        letter: ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.91.{i}.0/24", AvailabilityZone=f"{REGION}{letter}")[
            "Subnet"
        ]["SubnetId"]
        for i, letter in enumerate("ab")
    }
    yield Network(vpc_id, subnets)

    def deleted(subnet_id: str) -> bool:  # an endpoint deleted in realistic mode leaves its interfaces a while
        try:
            ec2.delete_subnet(SubnetId=subnet_id)
        except ClientError as error:
            if error.response["Error"]["Code"] != "DependencyViolation":
                raise
            return False
        return True

    for subnet_id in subnets.values():
        wait_until(lambda: deleted(subnet_id), f"subnet {subnet_id} can go", timeout=10)
    ec2.delete_vpc(VpcId=vpc_id)


def listed_zones(ec2: Any, service_name: str) -> list[str]:
    return ec2.describe_vpc_endpoint_services(ServiceNames=[service_name])["ServiceDetails"][0]["AvailabilityZones"]


def create_endpoint(ec2: Any, network: Network, service_name: str, *letters: str) -> str:
    return ec2.create_vpc_endpoint(
        VpcId=network.vpc_id,
        ServiceName=service_name,
        VpcEndpointType="Interface",
        SubnetIds=[network.subnets[letter] for letter in letters],
    )["VpcEndpoint"]["VpcEndpointId"]


def refusal(call: Callable[[], Any]) -> tuple[int, str, str]:
    with pytest.raises(ClientError) as raised:
        call()
    response = raised.value.response
    return response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"], response["Error"]["Message"]


def unsupported_message(service_name: str, subnet_id: str) -> str:
    return f"The VPC endpoint service {service_name} does not support the availability zone of the subnet: {subnet_id}."


# --------------------------------------------------------------------------- no control: moto's answers


@pytest.mark.parametrize("mode", ["plain", "realistic"])
def test_every_zone_is_supported_until_a_test_removes_some(
    aws_client: Callable[[str], Any], network: Network, request: pytest.FixtureRequest, mode: str
) -> None:
    """What moto alone answers, and what the emulator keeps answering in both modes without the control."""
    if mode == "realistic":
        request.getfixturevalue("realistic")
    ec2 = aws_client("ec2")
    name = service("email-smtp")
    assert listed_zones(ec2, name) == ALL_ZONES
    endpoint_id = create_endpoint(ec2, network, name, "a", "b")
    ec2.delete_vpc_endpoints(VpcEndpointIds=[endpoint_id])


# --------------------------------------------------------------------------- with the control


def test_removed_zones_are_not_listed_and_their_subnets_are_refused(
    aws_client: Callable[[str], Any], network: Network, unsupported: Callable[..., dict[str, Any]]
) -> None:
    ec2 = aws_client("ec2")
    name = service("lambda")
    answer = unsupported(name, ["us-east-1a", "use1-az5"])  # a name and an ID (us-east-1f)
    assert answer["unsupported_zones"] == ["us-east-1a", "us-east-1f"]
    assert answer["availability_zones"] == ["us-east-1b", "us-east-1c", "us-east-1d", "us-east-1e"]
    assert listed_zones(ec2, name) == answer["availability_zones"]
    assert listed_zones(ec2, service("logs")) == ALL_ZONES, "other services keep every zone"

    subnet_a = network.subnets["a"]
    assert refusal(lambda: create_endpoint(ec2, network, name, "b", "a")) == (
        400,
        "InvalidParameter",
        unsupported_message(name, subnet_a),
    )
    assert not ec2.describe_vpc_endpoints(Filters=[{"Name": "service-name", "Values": [name]}])["VpcEndpoints"]

    endpoint_id = create_endpoint(ec2, network, name, "b")
    try:
        assert refusal(lambda: ec2.modify_vpc_endpoint(VpcEndpointId=endpoint_id, AddSubnetIds=[subnet_a])) == (
            400,
            "InvalidParameter",
            unsupported_message(name, subnet_a),
        )
        endpoint = ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoint_id])["VpcEndpoints"][0]
        assert endpoint["SubnetIds"] == [network.subnets["b"]]
    finally:
        ec2.delete_vpc_endpoints(VpcEndpointIds=[endpoint_id])

    unsupported(name, [])
    assert listed_zones(ec2, name) == ALL_ZONES, "an empty list supports every zone again"
    ec2.delete_vpc_endpoints(VpcEndpointIds=[create_endpoint(ec2, network, name, "a")])


def test_the_control_is_per_region_and_refuses_what_the_region_lacks(
    emulator_endpoint: str, aws_client: Callable[[str], Any], unsupported: Callable[..., dict[str, Any]]
) -> None:
    unsupported(service("sqs", "eu-west-1"), ["eu-west-1b"], region="eu-west-1")
    west = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="eu-west-1"
    ).client("ec2", endpoint_url=emulator_endpoint)
    assert listed_zones(west, service("sqs", "eu-west-1")) == ["eu-west-1a", "eu-west-1c"]
    assert listed_zones(aws_client("ec2"), service("sqs")) == ALL_ZONES

    status, answer = zones_control(emulator_endpoint, "GET")
    assert status == 200
    assert {
        "account_id": "123456789012",
        "region": "eu-west-1",
        "service_name": service("sqs", "eu-west-1"),
        "unsupported_zones": ["eu-west-1b"],
    } in answer["settings"]

    status, answer = zones_control(emulator_endpoint, service_name=service("no-such-service"), unsupported_zones=[])
    assert status == 400 and "no-such-service" in answer["error"]
    status, answer = zones_control(emulator_endpoint, service_name=service("sqs"), unsupported_zones=["eu-west-1a"])
    assert status == 400 and "eu-west-1a is no Availability Zone of us-east-1" in answer["error"]
