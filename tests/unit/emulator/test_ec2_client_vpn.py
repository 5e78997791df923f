"""EC2 Client VPN through the emulator server (emulator/extensions/ec2_client_vpn.py).

The server runs with the default transition delay (2 s), so every test that waits for an association, a rule, a
route or a deletion polls for at most 15 s (``wait_until``'s default). The realistic-mode tests switch the server to
AWS's clock at a small time scale (the ``realistic`` fixture) and each shows its gap in plain mode first.
"""

from __future__ import annotations

import datetime
import sys
import time
import types
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from emulator import realism
from emulator.extensions import ec2_client_vpn
from tests.unit.emulator.conftest import set_realism
from tests.unit.helpers import Pki, import_pki, wait_until

REGION = "us-east-1"


# --------------------------------------------------------------------------- network and helpers


@dataclass(frozen=True)
class Network:
    vpc_id: str
    cidr: str
    subnet_ids: list[str]  # one per zone a, b
    same_zone_subnet_id: str  # another subnet in zone a
    default_group_id: str
    group_id: str


def create_network(ec2: Any, second_octet: int) -> Network:
    cidr = f"10.{second_octet}.0.0/16"
    vpc_id = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    subnet_ids = [
        ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.{second_octet}.{i}.0/24", AvailabilityZone=f"{REGION}{zone}")[
            "Subnet"
        ]["SubnetId"]
        for i, zone in enumerate("ab")
    ]
    same_zone = ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.{second_octet}.9.0/24", AvailabilityZone=f"{REGION}a")[
        "Subnet"
    ]["SubnetId"]
    groups = ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "group-name", "Values": ["default"]}]
    )["SecurityGroups"]
    group_id = ec2.create_security_group(GroupName=f"vpn-{uuid.uuid4().hex[:8]}", Description="vpn", VpcId=vpc_id)[
        "GroupId"
    ]
    return Network(vpc_id, cidr, subnet_ids, same_zone, groups[0]["GroupId"], group_id)


def mutual_tls(pki: Pki) -> list[dict[str, Any]]:
    return [
        {
            "Type": "certificate-authentication",
            "MutualAuthentication": {"ClientRootCertificateChainArn": pki.client_root_arn},
        }
    ]


def create_endpoint(ec2: Any, pki: Pki, **overrides: Any) -> str:
    request: dict[str, Any] = {
        "ClientCidrBlock": "172.16.0.0/22",
        "ServerCertificateArn": pki.server_arn,
        "AuthenticationOptions": mutual_tls(pki),
        "ConnectionLogOptions": {"Enabled": False},
    }
    request.update(overrides)
    return ec2.create_client_vpn_endpoint(**request)["ClientVpnEndpointId"]


def endpoint_of(ec2: Any, endpoint_id: str) -> dict[str, Any]:
    return ec2.describe_client_vpn_endpoints(ClientVpnEndpointIds=[endpoint_id])["ClientVpnEndpoints"][0]


def all_endpoint_ids(ec2: Any) -> set[str]:
    ids: set[str] = set()
    request: dict[str, Any] = {}
    while True:
        response = ec2.describe_client_vpn_endpoints(**request)
        ids |= {e["ClientVpnEndpointId"] for e in response["ClientVpnEndpoints"]}
        if not response.get("NextToken"):
            return ids
        request["NextToken"] = response["NextToken"]


def networks_of(ec2: Any, endpoint_id: str, **request: Any) -> list[dict[str, Any]]:
    return ec2.describe_client_vpn_target_networks(ClientVpnEndpointId=endpoint_id, **request)[
        "ClientVpnTargetNetworks"
    ]


def routes_of(ec2: Any, endpoint_id: str, **request: Any) -> list[dict[str, Any]]:
    return ec2.describe_client_vpn_routes(ClientVpnEndpointId=endpoint_id, **request)["Routes"]


def rules_of(ec2: Any, endpoint_id: str, **request: Any) -> list[dict[str, Any]]:
    return ec2.describe_client_vpn_authorization_rules(ClientVpnEndpointId=endpoint_id, **request)["AuthorizationRules"]


def error_code(call: Callable[[], Any]) -> str:
    with pytest.raises(ClientError) as raised:
        call()
    return raised.value.response["Error"]["Code"]


def associate_and_wait(ec2: Any, endpoint_id: str, subnet_id: str) -> str:
    association_id = ec2.associate_client_vpn_target_network(ClientVpnEndpointId=endpoint_id, SubnetId=subnet_id)[
        "AssociationId"
    ]
    wait_until(
        lambda: any(
            n["AssociationId"] == association_id and n["Status"]["Code"] == "associated"
            for n in networks_of(ec2, endpoint_id)
        ),
        f"{association_id} is associated",
    )
    return association_id


def disassociate_all_and_wait(ec2: Any, endpoint_id: str) -> None:
    for network in networks_of(ec2, endpoint_id):
        if network["Status"]["Code"] != "disassociating":
            ec2.disassociate_client_vpn_target_network(
                ClientVpnEndpointId=endpoint_id, AssociationId=network["AssociationId"]
            )
    wait_until(lambda: not networks_of(ec2, endpoint_id), "every target network is gone")


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def ec2(aws_client: Callable[[str], Any]) -> Any:
    return aws_client("ec2")


@pytest.fixture(scope="module")
def acm(aws_client: Callable[[str], Any]) -> Any:
    return aws_client("acm")


@pytest.fixture(scope="module")
def logs(aws_client: Callable[[str], Any]) -> Any:
    return aws_client("logs")


@pytest.fixture(scope="module")
def pki(acm: Any) -> Pki:
    return import_pki(acm)


_octets = iter(range(60, 250))


@pytest.fixture
def network(ec2: Any) -> Network:
    return create_network(ec2, next(_octets))


# --------------------------------------------------------------------------- create and describe


def test_create_reports_aws_defaults_and_the_vpc_default_group(ec2: Any, pki: Pki, network: Network) -> None:
    response = ec2.create_client_vpn_endpoint(
        ClientCidrBlock="172.16.0.0/22",
        ServerCertificateArn=pki.server_arn,
        AuthenticationOptions=mutual_tls(pki),
        ConnectionLogOptions={"Enabled": False},
        VpcId=network.vpc_id,
        Description="operators",
        TagSpecifications=[{"ResourceType": "client-vpn-endpoint", "Tags": [{"Key": "Name", "Value": "vpn"}]}],
    )
    endpoint_id = response["ClientVpnEndpointId"]
    assert endpoint_id.startswith("cvpn-endpoint-")
    assert response["Status"] == {"Code": "pending-associate"}
    assert response["DnsName"] == f"*.{endpoint_id}.prod.clientvpn.{REGION}.amazonaws.com"

    endpoint = endpoint_of(ec2, endpoint_id)
    assert endpoint["Status"] == {"Code": "pending-associate"}
    assert endpoint["Description"] == "operators"
    assert endpoint["ClientCidrBlock"] == "172.16.0.0/22"
    assert endpoint["TransportProtocol"] == "udp"
    assert endpoint["VpnPort"] == 443
    assert endpoint["VpnProtocol"] == "openvpn"
    assert endpoint["SplitTunnel"] is False
    assert endpoint["SessionTimeoutHours"] == 24
    assert endpoint["ServerCertificateArn"] == pki.server_arn
    assert endpoint["AuthenticationOptions"] == [
        {
            "Type": "certificate-authentication",
            "MutualAuthentication": {"ClientRootCertificateChain": pki.client_root_arn},
        }
    ]
    assert endpoint["ConnectionLogOptions"] == {"Enabled": False}
    assert endpoint["VpcId"] == network.vpc_id
    assert endpoint["SecurityGroupIds"] == [network.default_group_id]
    assert endpoint["Tags"] == [{"Key": "Name", "Value": "vpn"}]
    assert "DnsServers" not in endpoint
    datetime.datetime.strptime(endpoint["CreationTime"], "%Y-%m-%dT%H:%M:%S")


def test_create_with_every_setting(ec2: Any, logs: Any, pki: Pki, network: Network) -> None:
    group = f"/vpn/{uuid.uuid4().hex[:8]}"
    logs.create_log_group(logGroupName=group)

    endpoint_id = create_endpoint(
        ec2,
        pki,
        ClientCidrBlock="10.240.0.0/12",
        VpcId=network.vpc_id,
        SecurityGroupIds=[network.group_id],
        TransportProtocol="tcp",
        VpnPort=1194,
        SplitTunnel=True,
        DnsServers=["10.0.0.2", "10.0.0.3"],
        SessionTimeoutHours=8,
        ConnectionLogOptions={"Enabled": True, "CloudwatchLogGroup": group},
    )

    endpoint = endpoint_of(ec2, endpoint_id)
    assert endpoint["ClientCidrBlock"] == "10.240.0.0/12"
    assert endpoint["SecurityGroupIds"] == [network.group_id]
    assert (endpoint["TransportProtocol"], endpoint["VpnPort"], endpoint["SplitTunnel"]) == ("tcp", 1194, True)
    assert endpoint["DnsServers"] == ["10.0.0.2", "10.0.0.3"]
    assert endpoint["SessionTimeoutHours"] == 8
    log_options = endpoint["ConnectionLogOptions"]
    assert log_options["Enabled"] is True and log_options["CloudwatchLogGroup"] == group
    assert log_options["CloudwatchLogStream"].startswith(f"{endpoint_id}-{REGION}-"), "AWS names the stream it creates"
    streams = [s["logStreamName"] for s in logs.describe_log_streams(logGroupName=group)["logStreams"]]
    assert streams == [log_options["CloudwatchLogStream"]]


def test_client_token_returns_the_same_endpoint(ec2: Any, pki: Pki) -> None:
    token = uuid.uuid4().hex
    first = create_endpoint(ec2, pki, ClientToken=token)
    before = all_endpoint_ids(ec2)

    assert create_endpoint(ec2, pki, ClientToken=token) == first
    assert all_endpoint_ids(ec2) == before
    assert (
        error_code(lambda: create_endpoint(ec2, pki, ClientToken=token, VpnPort=1194)) == "IdempotentParameterMismatch"
    )
    assert create_endpoint(ec2, pki, ClientToken=uuid.uuid4().hex) != first


def test_create_refuses_bad_input_and_creates_nothing(ec2: Any, acm: Any, pki: Pki, network: Network) -> None:
    other_vpc = create_network(ec2, 250)
    missing_certificate = pki.server_arn[:-4] + "0000"
    west_acm = boto3.client(
        "acm",
        region_name="us-west-2",
        endpoint_url=acm.meta.endpoint_url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    west_arn = import_pki(west_acm).server_arn
    before = all_endpoint_ids(ec2)

    cases: list[tuple[str, dict[str, Any]]] = [
        ("InvalidParameterValue", {"ServerCertificateArn": missing_certificate}),
        ("InvalidParameterValue", {"ServerCertificateArn": west_arn}),
        (
            "InvalidParameterValue",
            {
                "AuthenticationOptions": [
                    {
                        "Type": "certificate-authentication",
                        "MutualAuthentication": {"ClientRootCertificateChainArn": missing_certificate},
                    }
                ]
            },
        ),
        ("InvalidParameterValue", {"ClientCidrBlock": "172.16.0.0/23"}),
        ("InvalidParameterValue", {"ClientCidrBlock": "172.0.0.0/11"}),
        ("InvalidParameterValue", {"ClientCidrBlock": "172.16.0.1/22"}),
        ("InvalidParameterValue", {"ClientCidrBlock": network.cidr.replace("/16", "/22"), "VpcId": network.vpc_id}),
        ("InvalidVpcID.NotFound", {"VpcId": "vpc-0123456789abcdef0"}),
        ("MissingParameter", {"SecurityGroupIds": [network.group_id]}),
        ("InvalidParameterValue", {"VpcId": network.vpc_id, "SecurityGroupIds": [other_vpc.group_id]}),
        ("InvalidGroup.NotFound", {"VpcId": network.vpc_id, "SecurityGroupIds": ["sg-0123456789abcdef0"]}),
        ("InvalidParameterValue", {"VpnPort": 8443}),
        ("InvalidParameterValue", {"SessionTimeoutHours": 9}),
        ("InvalidParameterValue", {"DnsServers": ["10.0.0.2", "10.0.0.3", "10.0.0.4"]}),
        ("InvalidParameterValue", {"ConnectionLogOptions": {"Enabled": True, "CloudwatchLogGroup": "/no/such/group"}}),
        ("MissingParameter", {"ConnectionLogOptions": {"Enabled": True}}),
        (
            "InvalidParameterValue",
            {"TagSpecifications": [{"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": "x"}]}]},
        ),
        ("DryRunOperation", {"DryRun": True}),
    ]
    for code, overrides in cases:
        assert error_code(lambda overrides=overrides: create_endpoint(ec2, pki, **overrides)) == code, overrides
    assert all_endpoint_ids(ec2) == before, "a refused create made an endpoint"


def test_describe_filters_ids_and_pages(ec2: Any, pki: Pki) -> None:
    udp = [create_endpoint(ec2, pki) for _index in range(4)]
    tcp = [create_endpoint(ec2, pki, TransportProtocol="tcp") for _index in range(2)]
    mine = udp + tcp

    def ids(**request: Any) -> list[str]:
        return [e["ClientVpnEndpointId"] for e in ec2.describe_client_vpn_endpoints(**request)["ClientVpnEndpoints"]]

    assert ids(ClientVpnEndpointIds=tcp) == tcp
    assert ids(Filters=[{"Name": "endpoint-id", "Values": [udp[0]]}]) == [udp[0]]
    assert (
        ids(Filters=[{"Name": "endpoint-id", "Values": mine}, {"Name": "transport-protocol", "Values": ["tcp"]}]) == tcp
    )

    first = ec2.describe_client_vpn_endpoints(Filters=[{"Name": "endpoint-id", "Values": mine}], MaxResults=5)
    assert len(first["ClientVpnEndpoints"]) == 5 and first["NextToken"]
    second = ec2.describe_client_vpn_endpoints(
        Filters=[{"Name": "endpoint-id", "Values": mine}], MaxResults=5, NextToken=first["NextToken"]
    )
    assert "NextToken" not in second
    paged = [e["ClientVpnEndpointId"] for e in first["ClientVpnEndpoints"] + second["ClientVpnEndpoints"]]
    assert paged == mine

    unchecked = boto3.client(  # botocore itself refuses MaxResults below 5: see what the emulator says
        "ec2",
        region_name=REGION,
        endpoint_url=ec2.meta.endpoint_url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(parameter_validation=False),
    )
    assert error_code(lambda: unchecked.describe_client_vpn_endpoints(MaxResults=4)) == "InvalidParameterValue"
    assert error_code(lambda: ids(NextToken="garbage")) == "InvalidPaginationToken"
    assert error_code(lambda: ids(Filters=[{"Name": "tag:Name", "Values": ["x"]}])) == "InvalidParameterValue"
    assert error_code(lambda: ids(ClientVpnEndpointIds=["cvpn-endpoint-0123456789abcdef0"])) == (
        "InvalidClientVpnEndpointId.NotFound"
    )


def test_endpoints_are_per_region(ec2: Any, acm: Any, pki: Pki) -> None:
    endpoint_id = create_endpoint(ec2, pki)
    west = boto3.client(
        "ec2",
        region_name="us-west-2",
        endpoint_url=ec2.meta.endpoint_url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    assert endpoint_id not in all_endpoint_ids(west)
    assert error_code(lambda: endpoint_of(west, endpoint_id)) == "InvalidClientVpnEndpointId.NotFound"


# --------------------------------------------------------------------------- modify


def test_modify_changes_what_it_names(ec2: Any, acm: Any, logs: Any, pki: Pki, network: Network) -> None:
    endpoint_id = create_endpoint(ec2, pki, VpcId=network.vpc_id, DnsServers=["10.0.0.2"])
    group = f"/vpn/{uuid.uuid4().hex[:8]}"
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName="connections")
    new_server = import_pki(acm).server_arn

    assert (
        ec2.modify_client_vpn_endpoint(
            ClientVpnEndpointId=endpoint_id,
            Description="changed",
            VpnPort=1194,
            SplitTunnel=True,
            SessionTimeoutHours=12,
            DnsServers={"CustomDnsServers": ["10.0.0.2", "10.0.0.3"], "Enabled": True},
            VpcId=network.vpc_id,
            SecurityGroupIds=[network.group_id],
            ServerCertificateArn=new_server,
            ConnectionLogOptions={"Enabled": True, "CloudwatchLogGroup": group, "CloudwatchLogStream": "connections"},
        )["Return"]
        is True
    )

    endpoint = endpoint_of(ec2, endpoint_id)
    assert endpoint["Description"] == "changed"
    assert (endpoint["VpnPort"], endpoint["SplitTunnel"], endpoint["SessionTimeoutHours"]) == (1194, True, 12)
    assert endpoint["DnsServers"] == ["10.0.0.2", "10.0.0.3"]
    assert endpoint["SecurityGroupIds"] == [network.group_id]
    assert endpoint["ServerCertificateArn"] == new_server
    assert endpoint["ConnectionLogOptions"] == {
        "Enabled": True,
        "CloudwatchLogGroup": group,
        "CloudwatchLogStream": "connections",
    }
    assert endpoint["TransportProtocol"] == "udp" and endpoint["ClientCidrBlock"] == "172.16.0.0/22"
    arn = f"client-vpn-endpoint/{endpoint_id}"
    assert any(
        user.endswith(arn) for user in acm.describe_certificate(CertificateArn=new_server)["Certificate"]["InUseBy"]
    )
    assert not any(
        user.endswith(arn) for user in acm.describe_certificate(CertificateArn=pki.server_arn)["Certificate"]["InUseBy"]
    ), "the replaced server certificate is released"

    ec2.modify_client_vpn_endpoint(
        ClientVpnEndpointId=endpoint_id, DnsServers={"Enabled": False}, ConnectionLogOptions={"Enabled": False}
    )
    endpoint = endpoint_of(ec2, endpoint_id)
    assert "DnsServers" not in endpoint
    assert endpoint["ConnectionLogOptions"] == {"Enabled": False}
    assert endpoint["Description"] == "changed", "what the call does not name stays"

    for overrides, code in (
        ({"VpnPort": 80}, "InvalidParameterValue"),
        ({"ServerCertificateArn": pki.server_arn[:-4] + "0000"}, "InvalidParameterValue"),
        ({"SecurityGroupIds": [network.group_id]}, "MissingParameter"),
    ):
        assert (
            error_code(lambda o=overrides: ec2.modify_client_vpn_endpoint(ClientVpnEndpointId=endpoint_id, **o)) == code
        )
    assert (
        error_code(
            lambda: ec2.modify_client_vpn_endpoint(ClientVpnEndpointId="cvpn-endpoint-0123456789abcdef0", VpnPort=443)
        )
        == "InvalidClientVpnEndpointId.NotFound"
    )


# --------------------------------------------------------------------------- target networks


def test_association_lifecycle(ec2: Any, pki: Pki, network: Network) -> None:
    endpoint_id = create_endpoint(ec2, pki)  # no VPC: the first association brings it
    token = uuid.uuid4().hex
    response = ec2.associate_client_vpn_target_network(
        ClientVpnEndpointId=endpoint_id, SubnetId=network.subnet_ids[0], ClientToken=token
    )
    association_id = response["AssociationId"]
    assert association_id.startswith("cvpn-assoc-")
    assert response["Status"] == {"Code": "associating"}
    # what only an association under way shows, first: it lasts the plain 2 s
    [target] = networks_of(ec2, endpoint_id)
    endpoint = endpoint_of(ec2, endpoint_id)
    assert target["Status"] == {"Code": "associating"}
    assert endpoint["Status"] == {"Code": "pending-associate"}
    again = ec2.associate_client_vpn_target_network(
        ClientVpnEndpointId=endpoint_id, SubnetId=network.subnet_ids[0], ClientToken=token
    )
    assert again["AssociationId"] == association_id, "the token returns the association it made"

    assert (target["TargetNetworkId"], target["VpcId"]) == (network.subnet_ids[0], network.vpc_id)
    assert target["SecurityGroups"] == [network.default_group_id]
    assert target["AvailabilityZones"] == [f"{REGION}a"]
    assert (endpoint["VpcId"], endpoint["SecurityGroupIds"]) == (network.vpc_id, [network.default_group_id])
    [route] = routes_of(ec2, endpoint_id)
    assert (route["DestinationCidr"], route["TargetSubnet"], route["Origin"], route["Type"]) == (
        network.cidr,
        network.subnet_ids[0],
        "associate",
        "Nat",
    )

    # The second subnet goes side by side with the first (a wait saved).
    second = associate_and_wait(ec2, endpoint_id, network.subnet_ids[1])
    assert networks_of(ec2, endpoint_id, AssociationIds=[association_id])[0]["Status"] == {"Code": "associated"}
    assert endpoint_of(ec2, endpoint_id)["Status"] == {"Code": "available"}
    assert {r["Status"]["Code"] for r in routes_of(ec2, endpoint_id)} == {"active"}
    assert {
        n["AssociationId"]
        for n in networks_of(
            ec2,
            endpoint_id,
        )
    } == {association_id, second}
    only = ec2.describe_client_vpn_target_networks(ClientVpnEndpointId=endpoint_id, AssociationIds=[second])
    assert [n["AssociationId"] for n in only["ClientVpnTargetNetworks"]] == [second]
    by_subnet = ec2.describe_client_vpn_target_networks(
        ClientVpnEndpointId=endpoint_id, Filters=[{"Name": "target-network-id", "Values": [network.subnet_ids[1]]}]
    )
    assert [n["AssociationId"] for n in by_subnet["ClientVpnTargetNetworks"]] == [second]

    ec2.disassociate_client_vpn_target_network(ClientVpnEndpointId=endpoint_id, AssociationId=association_id)
    states = {n["AssociationId"]: n["Status"]["Code"] for n in networks_of(ec2, endpoint_id)}
    assert states == {association_id: "disassociating", second: "associated"}
    assert {r["TargetSubnet"]: r["Status"]["Code"] for r in routes_of(ec2, endpoint_id)}[network.subnet_ids[0]] == (
        "deleting"
    )
    wait_until(lambda: len(networks_of(ec2, endpoint_id)) == 1, "the first association is gone")
    assert [r["TargetSubnet"] for r in routes_of(ec2, endpoint_id)] == [network.subnet_ids[1]]
    assert endpoint_of(ec2, endpoint_id)["Status"] == {"Code": "available"}
    assert (
        error_code(
            lambda: ec2.disassociate_client_vpn_target_network(
                ClientVpnEndpointId=endpoint_id, AssociationId=association_id
            )
        )
        == "InvalidClientVpnAssociationIdNotFound"
    )

    ec2.disassociate_client_vpn_target_network(ClientVpnEndpointId=endpoint_id, AssociationId=second)
    assert endpoint_of(ec2, endpoint_id)["Status"] == {"Code": "pending-associate"}, "no association is left"
    wait_until(lambda: not networks_of(ec2, endpoint_id), "every association is gone")
    assert routes_of(ec2, endpoint_id) == []


def test_association_is_validated(ec2: Any, pki: Pki, network: Network) -> None:
    endpoint_id = create_endpoint(ec2, pki, VpcId=network.vpc_id)
    ec2.associate_client_vpn_target_network(ClientVpnEndpointId=endpoint_id, SubnetId=network.subnet_ids[0])
    foreign = create_network(ec2, next(_octets))
    overlapping = create_endpoint(ec2, pki, ClientCidrBlock=network.cidr.replace("/16", "/22"))

    def associate(endpoint: str, subnet: str) -> Callable[[], Any]:
        return lambda: ec2.associate_client_vpn_target_network(ClientVpnEndpointId=endpoint, SubnetId=subnet)

    assert error_code(associate(endpoint_id, network.subnet_ids[0])) == "InvalidClientVpnDuplicateAssociationException"
    assert error_code(associate(endpoint_id, network.same_zone_subnet_id)) == "InvalidClientVpnSubnetId.DuplicateAz"
    assert error_code(associate(endpoint_id, foreign.subnet_ids[0])) == "InvalidClientVpnSubnetId.NotFound"
    assert error_code(associate(endpoint_id, "subnet-0123456789abcdef0")) == "InvalidSubnetID.NotFound"
    assert error_code(associate("cvpn-endpoint-0123456789abcdef0", network.subnet_ids[1])) == (
        "InvalidClientVpnEndpointId.NotFound"
    )
    assert error_code(associate(overlapping, network.subnet_ids[1])) == "InvalidClientVpnSubnetId.OverlappingCidr"
    assert len(networks_of(ec2, endpoint_id)) == 1 and networks_of(ec2, overlapping) == []
    assert (
        error_code(
            lambda: ec2.describe_client_vpn_target_networks(
                ClientVpnEndpointId=endpoint_id, Filters=[{"Name": "bogus", "Values": ["x"]}]
            )
        )
        == "InvalidParameterValue"
    )


def test_apply_security_groups(ec2: Any, pki: Pki, network: Network) -> None:
    endpoint_id = create_endpoint(ec2, pki, VpcId=network.vpc_id)
    ec2.associate_client_vpn_target_network(ClientVpnEndpointId=endpoint_id, SubnetId=network.subnet_ids[0])

    response = ec2.apply_security_groups_to_client_vpn_target_network(
        ClientVpnEndpointId=endpoint_id, VpcId=network.vpc_id, SecurityGroupIds=[network.group_id]
    )

    assert response["SecurityGroupIds"] == [network.group_id]
    assert endpoint_of(ec2, endpoint_id)["SecurityGroupIds"] == [network.group_id]
    assert networks_of(ec2, endpoint_id)[0]["SecurityGroups"] == [network.group_id]
    foreign = create_network(ec2, next(_octets))
    assert (
        error_code(
            lambda: ec2.apply_security_groups_to_client_vpn_target_network(
                ClientVpnEndpointId=endpoint_id, VpcId=network.vpc_id, SecurityGroupIds=[foreign.group_id]
            )
        )
        == "InvalidParameterValue"
    )
    assert (
        error_code(
            lambda: ec2.apply_security_groups_to_client_vpn_target_network(
                ClientVpnEndpointId=endpoint_id, VpcId=foreign.vpc_id, SecurityGroupIds=[foreign.group_id]
            )
        )
        == "InvalidParameterValue"
    )


# --------------------------------------------------------------------------- authorization rules


def test_authorization_rules(ec2: Any, pki: Pki, network: Network) -> None:
    endpoint_id = create_endpoint(ec2, pki, VpcId=network.vpc_id)
    token = uuid.uuid4().hex

    response = ec2.authorize_client_vpn_ingress(
        ClientVpnEndpointId=endpoint_id,
        TargetNetworkCidr=network.cidr,
        AuthorizeAllGroups=True,
        Description="the VPC",
        ClientToken=token,
    )
    assert response["Status"] == {"Code": "authorizing"}
    assert ec2.authorize_client_vpn_ingress(
        ClientVpnEndpointId=endpoint_id, TargetNetworkCidr=network.cidr, AuthorizeAllGroups=True, ClientToken=token
    )["Status"]["Code"] in ("authorizing", "active"), "the token answers with the rule it made"
    ec2.authorize_client_vpn_ingress(
        ClientVpnEndpointId=endpoint_id, TargetNetworkCidr="192.168.0.0/24", AccessGroupId="S-1-5-21-admins"
    )
    rules = rules_of(ec2, endpoint_id)
    assert [(r["DestinationCidr"], r["GroupId"], r["AccessAll"], r.get("Description")) for r in rules] == [
        (network.cidr, "", True, "the VPC"),
        ("192.168.0.0/24", "S-1-5-21-admins", False, None),
    ]
    wait_until(lambda: all(r["Status"]["Code"] == "active" for r in rules_of(ec2, endpoint_id)), "rules are active")

    def authorize(**request: Any) -> Callable[[], Any]:
        return lambda: ec2.authorize_client_vpn_ingress(ClientVpnEndpointId=endpoint_id, **request)

    assert error_code(authorize(TargetNetworkCidr=network.cidr, AuthorizeAllGroups=True)) == (
        "InvalidClientVpnDuplicateAuthorizationRule"
    )
    assert error_code(authorize(TargetNetworkCidr="10.9.0.0/16")) == "InvalidParameterValue"
    assert (
        error_code(authorize(TargetNetworkCidr="10.9.0.0/16", AccessGroupId="g", AuthorizeAllGroups=True))
        == "InvalidParameterValue"
    )
    assert error_code(authorize(TargetNetworkCidr="not-a-cidr", AuthorizeAllGroups=True)) == "InvalidParameterValue"

    by_group = rules_of(ec2, endpoint_id, Filters=[{"Name": "group-id", "Values": ["S-1-5-21-admins"]}])
    assert [r["DestinationCidr"] for r in by_group] == ["192.168.0.0/24"]
    by_cidr = rules_of(ec2, endpoint_id, Filters=[{"Name": "destination-cidr", "Values": [network.cidr]}])
    assert [r["AccessAll"] for r in by_cidr] == [True]

    response = ec2.revoke_client_vpn_ingress(
        ClientVpnEndpointId=endpoint_id, TargetNetworkCidr=network.cidr, RevokeAllGroups=True
    )
    assert response["Status"] == {"Code": "revoking"}
    wait_until(lambda: len(rules_of(ec2, endpoint_id)) == 1, "the revoked rule is gone")
    assert (
        error_code(
            lambda: ec2.revoke_client_vpn_ingress(
                ClientVpnEndpointId=endpoint_id, TargetNetworkCidr=network.cidr, RevokeAllGroups=True
            )
        )
        == "InvalidClientVpnEndpointAuthorizationRuleNotFound"
    )
    assert [r["GroupId"] for r in rules_of(ec2, endpoint_id)] == ["S-1-5-21-admins"]


# --------------------------------------------------------------------------- routes


def test_routes(ec2: Any, pki: Pki, network: Network) -> None:
    endpoint_id = create_endpoint(ec2, pki, VpcId=network.vpc_id)

    def create_route(**request: Any) -> Callable[[], Any]:
        return lambda: ec2.create_client_vpn_route(ClientVpnEndpointId=endpoint_id, **request)

    subnet = network.subnet_ids[0]
    assert error_code(create_route(DestinationCidrBlock="0.0.0.0/0", TargetVpcSubnetId=subnet)) == (
        "InvalidClientVpnActiveAssociationNotFound"
    )
    associate_and_wait(ec2, endpoint_id, subnet)

    response = ec2.create_client_vpn_route(
        ClientVpnEndpointId=endpoint_id, DestinationCidrBlock="0.0.0.0/0", TargetVpcSubnetId=subnet, Description="out"
    )
    assert response["Status"] == {"Code": "creating"}
    added = routes_of(ec2, endpoint_id, Filters=[{"Name": "origin", "Values": ["add-route"]}])
    assert [(r["DestinationCidr"], r["TargetSubnet"], r["Description"]) for r in added] == [
        ("0.0.0.0/0", subnet, "out")
    ]
    wait_until(lambda: all(r["Status"]["Code"] == "active" for r in routes_of(ec2, endpoint_id)), "routes are active")
    assert error_code(create_route(DestinationCidrBlock="0.0.0.0/0", TargetVpcSubnetId=subnet)) == (
        "InvalidClientVpnDuplicateRoute"
    )
    assert error_code(create_route(DestinationCidrBlock="10.1.0.0/33", TargetVpcSubnetId=subnet)) == (
        "InvalidParameterValue"
    )
    assert [
        r["Origin"]
        for r in routes_of(ec2, endpoint_id, Filters=[{"Name": "destination-cidr", "Values": [network.cidr]}])
    ] == ["associate"]

    def delete_route(destination: str) -> Callable[[], Any]:
        return lambda: ec2.delete_client_vpn_route(
            ClientVpnEndpointId=endpoint_id, DestinationCidrBlock=destination, TargetVpcSubnetId=subnet
        )

    assert error_code(delete_route(network.cidr)) == "InvalidParameterValue", "the association's route stays"
    assert delete_route("0.0.0.0/0")()["Status"] == {"Code": "deleting"}
    wait_until(lambda: len(routes_of(ec2, endpoint_id)) == 1, "the route is gone")
    assert error_code(delete_route("0.0.0.0/0")) == "InvalidClientVpnRouteNotFound"
    assert [r["Origin"] for r in routes_of(ec2, endpoint_id)] == ["associate"]


# --------------------------------------------------------------------------- client configuration


def test_export_client_configuration(ec2: Any, pki: Pki) -> None:
    endpoint_id = create_endpoint(ec2, pki, TransportProtocol="tcp", VpnPort=1194)

    configuration = ec2.export_client_vpn_client_configuration(ClientVpnEndpointId=endpoint_id)["ClientConfiguration"]

    lines = configuration.splitlines()
    assert lines[:5] == [
        "client",
        "dev tun",
        "proto tcp",
        f"remote {endpoint_id}.prod.clientvpn.{REGION}.amazonaws.com 1194",
        "remote-random-hostname",
    ]
    assert "remote-cert-tls server" in lines
    assert "reneg-sec 0" in lines
    ca = configuration.split("<ca>\n", 1)[1].split("</ca>", 1)[0]
    assert ca.strip() == pki.ca_pem.strip(), "the CA is the server certificate's chain as imported into ACM"
    assert (
        error_code(
            lambda: ec2.export_client_vpn_client_configuration(ClientVpnEndpointId="cvpn-endpoint-0123456789abcdef0")
        )
        == "InvalidClientVpnEndpointId.NotFound"
    )


# --------------------------------------------------------------------------- tags


def test_tags_on_endpoints(ec2: Any, pki: Pki) -> None:
    endpoint_id = create_endpoint(
        ec2, pki, TagSpecifications=[{"ResourceType": "client-vpn-endpoint", "Tags": [{"Key": "Name", "Value": "a"}]}]
    )

    ec2.create_tags(Resources=[endpoint_id], Tags=[{"Key": "Stack", "Value": "demo"}, {"Key": "Name", "Value": "b"}])
    ec2.delete_tags(Resources=[endpoint_id], Tags=[{"Key": "Stack"}])

    assert endpoint_of(ec2, endpoint_id)["Tags"] == [{"Key": "Name", "Value": "b"}]
    described = ec2.describe_tags(
        Filters=[
            {"Name": "resource-id", "Values": [endpoint_id]},
            {"Name": "resource-type", "Values": ["client-vpn-endpoint"]},
        ]
    )["Tags"]
    assert described == [
        {"ResourceId": endpoint_id, "ResourceType": "client-vpn-endpoint", "Key": "Name", "Value": "b"}
    ]
    assert (
        error_code(
            lambda: ec2.create_tags(Resources=["cvpn-endpoint-0123456789abcdef0"], Tags=[{"Key": "a", "Value": "b"}])
        )
        == "InvalidClientVpnEndpointId.NotFound"
    )


# --------------------------------------------------------------------------- delete


def test_delete_waits_for_disassociation_then_goes(ec2: Any, acm: Any, pki: Pki, network: Network) -> None:
    endpoint_id = create_endpoint(
        ec2,
        pki,
        TagSpecifications=[{"ResourceType": "client-vpn-endpoint", "Tags": [{"Key": "Name", "Value": "gone"}]}],
    )
    association_id = ec2.associate_client_vpn_target_network(
        ClientVpnEndpointId=endpoint_id, SubnetId=network.subnet_ids[0]
    )["AssociationId"]
    user = f"client-vpn-endpoint/{endpoint_id}"
    assert any(
        u.endswith(user) for u in acm.describe_certificate(CertificateArn=pki.server_arn)["Certificate"]["InUseBy"]
    )

    assert error_code(lambda: ec2.delete_client_vpn_endpoint(ClientVpnEndpointId=endpoint_id)) == (
        "ClientVpnEndpointAssociationExists"
    )
    assert error_code(lambda: ec2.delete_subnet(SubnetId=network.subnet_ids[0])) == "DependencyViolation"
    assert error_code(lambda: ec2.delete_security_group(GroupId=network.default_group_id)) == "DependencyViolation"
    assert error_code(lambda: ec2.delete_vpc(VpcId=network.vpc_id)) == "DependencyViolation"
    assert ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [network.vpc_id]}])["RouteTables"], (
        "a refused DeleteVpc leaves the VPC whole"
    )

    ec2.disassociate_client_vpn_target_network(ClientVpnEndpointId=endpoint_id, AssociationId=association_id)
    assert error_code(lambda: ec2.delete_client_vpn_endpoint(ClientVpnEndpointId=endpoint_id)) == (
        "ClientVpnEndpointAssociationExists"
    ), "a disassociating network is still associated"
    wait_until(lambda: not networks_of(ec2, endpoint_id), "the association is gone")

    assert ec2.delete_client_vpn_endpoint(ClientVpnEndpointId=endpoint_id)["Status"] == {"Code": "deleting"}
    endpoint = endpoint_of(ec2, endpoint_id)
    assert endpoint["Status"] == {"Code": "deleting"} and "DeletionTime" in endpoint
    assert (
        error_code(
            lambda: ec2.associate_client_vpn_target_network(
                ClientVpnEndpointId=endpoint_id, SubnetId=network.subnet_ids[0]
            )
        )
        == "IncorrectState"
    )

    wait_until(lambda: endpoint_id not in all_endpoint_ids(ec2), "the endpoint is gone")
    assert error_code(lambda: endpoint_of(ec2, endpoint_id)) == "InvalidClientVpnEndpointId.NotFound"
    assert ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [endpoint_id]}])["Tags"] == []
    for arn in (pki.server_arn, pki.client_root_arn):
        assert not any(u.endswith(user) for u in acm.describe_certificate(CertificateArn=arn)["Certificate"]["InUseBy"])
    for subnet_id in [*network.subnet_ids, network.same_zone_subnet_id]:  # nothing depends on them any more
        ec2.delete_subnet(SubnetId=subnet_id)
    ec2.delete_security_group(GroupId=network.group_id)
    ec2.delete_vpc(VpcId=network.vpc_id)
    assert error_code(lambda: ec2.delete_client_vpn_endpoint(ClientVpnEndpointId=endpoint_id)) == (
        "InvalidClientVpnEndpointId.NotFound"
    )


def test_acm_lets_go_of_a_deleted_endpoint_without_anybody_asking_ec2(ec2: Any, acm: Any, pki: Pki) -> None:
    """AWS deletes the endpoint on its own schedule: polling ACM alone sees the certificate released (without the
    ACM patches the state only moved on EC2 calls, so this poll never ended)."""
    endpoint_id = create_endpoint(ec2, pki)
    user = f"client-vpn-endpoint/{endpoint_id}"

    def in_use() -> bool:
        return any(
            u.endswith(user) for u in acm.describe_certificate(CertificateArn=pki.server_arn)["Certificate"]["InUseBy"]
        )

    assert in_use()
    started = time.monotonic()
    assert ec2.delete_client_vpn_endpoint(ClientVpnEndpointId=endpoint_id)["Status"] == {"Code": "deleting"}
    assert in_use(), "the endpoint is deleting: ACM still lists it"
    wait_until(lambda: not in_use(), "ACM releases the certificate")
    assert time.monotonic() - started >= ec2_client_vpn.duration(ec2_client_vpn.ENDPOINT_DELETING) - 0.1
    assert endpoint_id not in all_endpoint_ids(ec2)


# --------------------------------------------------------------------------- moto alone


def test_moto_alone_has_no_client_vpn_and_install_adds_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Proves the extension is still needed: if the first assertions fail, moto grew Client VPN; revisit the file."""
    from moto import mock_aws
    from moto.ec2 import models as ec2_models
    from moto.ec2 import utils as ec2_utils
    from moto.ec2.models import EC2Backend
    from moto.ec2.responses import EC2Response

    for name in ec2_client_vpn.ACTIONS:
        if name in EC2Response.__dict__:
            monkeypatch.delattr(EC2Response, name)
    for name, _wrap in ec2_client_vpn._BACKEND_PATCHES:
        patched = getattr(EC2Backend, name)
        monkeypatch.setattr(EC2Backend, name, getattr(patched, "__wrapped__", patched))
    current = ec2_models.is_valid_resource_id
    monkeypatch.setattr(ec2_models, "is_valid_resource_id", getattr(current, "__wrapped__", current))
    monkeypatch.delitem(ec2_utils.EC2_RESOURCE_TO_PREFIX, ec2_client_vpn.RESOURCE_TYPE, raising=False)
    monkeypatch.delitem(ec2_utils.EC2_PREFIX_TO_RESOURCE, ec2_client_vpn.MOTO_PREFIX, raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)  # mock_aws intercepts the real AWS endpoints only
    monkeypatch.setenv(ec2_client_vpn.DELAY_VARIABLE, "0")

    with mock_aws():
        session = boto3.session.Session(
            region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing"
        )
        ec2, acm = session.client("ec2"), session.client("acm")
        pki = import_pki(acm)
        assert not ec2_client_vpn.is_installed()
        with pytest.raises((NotImplementedError, ClientError)):
            create_endpoint(ec2, pki)

        ec2_client_vpn.install()
        ec2_client_vpn.install()

        assert ec2_client_vpn.is_installed()
        assert not hasattr(ec2_models.is_valid_resource_id.__wrapped__, "__wrapped__"), "install() wrapped twice"
        for name, _wrap in ec2_client_vpn._BACKEND_PATCHES:
            assert not hasattr(getattr(EC2Backend, name).__wrapped__, "__wrapped__"), f"{name} wrapped twice"
        endpoint_id = create_endpoint(ec2, pki)
        ec2.create_tags(Resources=[endpoint_id], Tags=[{"Key": "Name", "Value": "x"}])
        assert endpoint_of(ec2, endpoint_id)["Tags"] == [{"Key": "Name", "Value": "x"}]


def test_transition_delay_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ec2_client_vpn.DELAY_VARIABLE, raising=False)
    assert ec2_client_vpn.transition_delay() == ec2_client_vpn.DEFAULT_DELAY_SECONDS
    for raw, expected in (("0.25", 0.25), ("0", 0.0), ("-3", 0.0), ("soon", ec2_client_vpn.DEFAULT_DELAY_SECONDS)):
        monkeypatch.setenv(ec2_client_vpn.DELAY_VARIABLE, raw)
        assert ec2_client_vpn.transition_delay() == expected


# --------------------------------------------------------------------------- realistic mode

# Time scales: AWS's figures (realism.TYPICAL) times these stay within a second or two per test.
FAST = 0.002  # associating 0.84 s, disassociating 0.6 s, authorizing 0.02 s, endpoint creation 0.06 s


def typical(behaviour: str, scale: float) -> float:
    return realism.TYPICAL[behaviour].seconds * scale


def create_endpoint_in_turn(ec2: Any, pki: Pki, timeout: float = 30.0, **overrides: Any) -> str:
    """CreateClientVpnEndpoint, retried while another endpoint of the Region is being created (realistic mode), as a
    caller must on AWS."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return create_endpoint(ec2, pki, **overrides)
        except ClientError as e:
            if e.response["Error"]["Code"] != "OperationNotPermitted" or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def error_of(call: Callable[[], Any]) -> tuple[str, str]:
    with pytest.raises(ClientError) as raised:
        call()
    return raised.value.response["Error"]["Code"], raised.value.response["Error"]["Message"]


BUSY = ("ConcurrentMutationLimitExceeded", ec2_client_vpn.CONCURRENT_MUTATION_MESSAGE)


def test_transitions_take_aws_time_in_realistic_mode_and_the_plain_delay_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(ec2_client_vpn.DELAY_VARIABLE, raising=False)
    behaviours = (
        ec2_client_vpn.ASSOCIATING,
        ec2_client_vpn.DISASSOCIATING,
        ec2_client_vpn.AUTHORIZING,
        ec2_client_vpn.ROUTE_CHANGE,
        ec2_client_vpn.ENDPOINT_DELETING,
    )
    try:
        realism.configure({"realistic": False})
        assert {ec2_client_vpn.duration(b) for b in behaviours} == {ec2_client_vpn.DEFAULT_DELAY_SECONDS}, "gap"
        realism.configure({"realistic": True, "time_scale": 1.0, "throttle_rate": 0.0})
        for behaviour in behaviours:
            expected = typical(behaviour, 1.0) if behaviour in realism.TYPICAL else 2.0
            assert ec2_client_vpn.duration(behaviour) == expected, behaviour
        assert ec2_client_vpn.duration(ec2_client_vpn.ASSOCIATING) >= 240, "AWS takes minutes (TF waits 4 first)"
        monkeypatch.setenv(ec2_client_vpn.DELAY_VARIABLE, "0.5")
        assert ec2_client_vpn.duration(ec2_client_vpn.ASSOCIATING) == 0.5, "the variable wins in either mode"
    finally:
        realism.reset()


def test_realistic_association_rule_and_disassociation_follow_aws_clock(
    realistic: Callable[..., Any], ec2: Any, pki: Pki, network: Network
) -> None:
    scale = 0.01  # associating 4.2 s, disassociating 3 s, authorizing 0.3 s: windows a loaded CI machine cannot miss
    realistic(time_scale=scale)
    endpoint_id = create_endpoint_in_turn(ec2, pki, VpcId=network.vpc_id)
    started = time.monotonic()
    association_id = ec2.associate_client_vpn_target_network(
        ClientVpnEndpointId=endpoint_id, SubnetId=network.subnet_ids[0]
    )["AssociationId"]
    authorized = ec2.authorize_client_vpn_ingress(
        ClientVpnEndpointId=endpoint_id, TargetNetworkCidr=network.cidr, AuthorizeAllGroups=True
    )
    assert authorized["Status"] == {"Code": "authorizing"}, "a rule goes side by side with an association"

    # authorizing lasts TYPICAL x scale (0.3 s), far below the plain 2 s; the association is still associating
    wait_until(lambda: rules_of(ec2, endpoint_id)[0]["Status"]["Code"] == "active", "the rule is active", timeout=3.0)
    assert networks_of(ec2, endpoint_id)[0]["Status"] == {"Code": "associating"}
    wait_until(lambda: networks_of(ec2, endpoint_id)[0]["Status"]["Code"] == "associated", "associated", timeout=15.0)
    assert time.monotonic() - started >= typical("client_vpn.associating", scale)

    revoked = ec2.revoke_client_vpn_ingress(
        ClientVpnEndpointId=endpoint_id, TargetNetworkCidr=network.cidr, RevokeAllGroups=True
    )
    assert revoked["Status"] == {"Code": "revoking"}
    # revoking lasts 0.3 s: a loaded machine may only see the rule gone
    assert [rule["Status"] for rule in rules_of(ec2, endpoint_id)] in ([{"Code": "revoking"}], [])
    wait_until(lambda: not rules_of(ec2, endpoint_id), "the revoked rule is gone", timeout=3.0)

    started = time.monotonic()
    response = ec2.disassociate_client_vpn_target_network(ClientVpnEndpointId=endpoint_id, AssociationId=association_id)
    assert response["Status"] == {"Code": "disassociating"}
    wait_until(lambda: not networks_of(ec2, endpoint_id), "the association is gone", timeout=15.0)
    assert time.monotonic() - started >= typical("client_vpn.disassociating", scale)


def test_plain_mode_creates_endpoints_back_to_back(ec2: Any, pki: Pki) -> None:
    """The gap: nothing holds a creation up."""
    assert create_endpoint(ec2, pki) != create_endpoint(ec2, pki)


def test_one_endpoint_at_a_time_is_created_per_region(
    realistic: Callable[..., Any], ec2: Any, acm: Any, pki: Pki
) -> None:
    west = boto3.client(
        "ec2",
        region_name="us-west-2",
        endpoint_url=ec2.meta.endpoint_url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    west_acm = boto3.client(
        "acm",
        region_name="us-west-2",
        endpoint_url=acm.meta.endpoint_url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    west_pki = import_pki(west_acm)

    scale = 0.2  # being created for 6 s: time enough for the refused calls on a loaded machine
    realistic(time_scale=scale)
    token = uuid.uuid4().hex
    first = create_endpoint_in_turn(ec2, pki, ClientToken=token)
    before = all_endpoint_ids(ec2)
    assert error_of(lambda: create_endpoint(ec2, pki)) == (
        "OperationNotPermitted",
        "Endpoint cannot be created while another endpoint is being created or the service linked role is being"
        " deleted",
    )
    assert all_endpoint_ids(ec2) == before, "the refused call created nothing"
    assert create_endpoint(ec2, pki, ClientToken=token) == first, "a replay answers with the endpoint"
    assert endpoint_of(ec2, first)["Status"] == {"Code": "pending-associate"}, "no other status shows it"
    assert create_endpoint(west, west_pki) not in before, "another Region is not held up"

    time.sleep(typical("client_vpn.endpoint_pending", scale))
    assert create_endpoint(ec2, pki) not in before, "once the first is created, the next one is"


@pytest.fixture
def slow_plain_association(emulator_endpoint: str) -> Iterator[None]:
    """Plain mode with associations of 10 s rather than the plain 2 s (put back afterwards): a test's calls while one is
    under way all land inside it, however busy the machine."""
    set_realism(emulator_endpoint, realistic=False, behaviour_seconds={ec2_client_vpn.ASSOCIATING: 10.0})
    try:
        yield
    finally:
        set_realism(emulator_endpoint, behaviour_seconds={})


def test_plain_mode_accepts_every_change_of_a_busy_endpoint(
    ec2: Any, pki: Pki, network: Network, slow_plain_association: None
) -> None:
    """The gap: changes are accepted while the endpoint's association, route and rules are still under way."""
    subnet = network.subnet_ids[0]
    endpoint_id = create_endpoint(ec2, pki, VpcId=network.vpc_id)
    ec2.associate_client_vpn_target_network(ClientVpnEndpointId=endpoint_id, SubnetId=subnet)
    ec2.modify_client_vpn_endpoint(ClientVpnEndpointId=endpoint_id, Description="plain")
    ec2.create_client_vpn_route(
        ClientVpnEndpointId=endpoint_id, DestinationCidrBlock="0.0.0.0/0", TargetVpcSubnetId=subnet
    )
    ec2.authorize_client_vpn_ingress(
        ClientVpnEndpointId=endpoint_id, TargetNetworkCidr="0.0.0.0/0", AuthorizeAllGroups=True
    )
    ec2.apply_security_groups_to_client_vpn_target_network(
        ClientVpnEndpointId=endpoint_id, VpcId=network.vpc_id, SecurityGroupIds=[network.group_id]
    )
    assert networks_of(ec2, endpoint_id)[0]["Status"] == {"Code": "associating"}


def test_changes_of_a_busy_endpoint_are_refused_in_realistic_mode(
    realistic: Callable[..., Any], ec2: Any, pki: Pki, network: Network
) -> None:
    subnet, other = network.subnet_ids
    # Associating for 17 s, a route for 5 s: time enough for the refused calls on a loaded machine.
    realistic(time_scale=0.04)
    endpoint_id = create_endpoint_in_turn(ec2, pki, VpcId=network.vpc_id)
    ec2.associate_client_vpn_target_network(ClientVpnEndpointId=endpoint_id, SubnetId=subnet)
    ec2.associate_client_vpn_target_network(ClientVpnEndpointId=endpoint_id, SubnetId=other)  # side by side
    ec2.authorize_client_vpn_ingress(
        ClientVpnEndpointId=endpoint_id, TargetNetworkCidr=network.cidr, AuthorizeAllGroups=True
    )

    def modify() -> Any:
        return ec2.modify_client_vpn_endpoint(ClientVpnEndpointId=endpoint_id, Description="busy")

    def route() -> Any:
        return ec2.create_client_vpn_route(
            ClientVpnEndpointId=endpoint_id, DestinationCidrBlock="0.0.0.0/0", TargetVpcSubnetId=subnet
        )

    def apply_groups() -> Any:
        return ec2.apply_security_groups_to_client_vpn_target_network(
            ClientVpnEndpointId=endpoint_id, VpcId=network.vpc_id, SecurityGroupIds=[network.group_id]
        )

    for call in (modify, route, apply_groups):
        assert error_of(call) == BUSY, call.__name__
    assert {n["Status"]["Code"] for n in networks_of(ec2, endpoint_id)} == {"associating"}, "refused while associating"
    assert "Description" not in endpoint_of(ec2, endpoint_id), "a refused call changes nothing"
    assert routes_of(ec2, endpoint_id, Filters=[{"Name": "origin", "Values": ["add-route"]}]) == []

    wait_until(
        lambda: all(n["Status"]["Code"] == "associated" for n in networks_of(ec2, endpoint_id)),
        "both associations are associated",
        timeout=60.0,
    )
    modify()
    assert endpoint_of(ec2, endpoint_id)["Description"] == "busy"
    assert route()["Status"] == {"Code": "creating"}

    # While a route changes, nothing else of the endpoint starts, not even a rule.
    def rule() -> Any:
        return ec2.authorize_client_vpn_ingress(
            ClientVpnEndpointId=endpoint_id, TargetNetworkCidr="192.168.0.0/24", AuthorizeAllGroups=True
        )

    def delete_route() -> Any:
        return ec2.delete_client_vpn_route(
            ClientVpnEndpointId=endpoint_id, DestinationCidrBlock="0.0.0.0/0", TargetVpcSubnetId=subnet
        )

    for call in (rule, delete_route, modify):
        assert error_of(call) == BUSY, call.__name__
    assert [r["DestinationCidr"] for r in rules_of(ec2, endpoint_id)] == [network.cidr]


def test_at_most_ten_operations_are_under_way_per_endpoint(realistic: Callable[..., Any], aws_client: Any) -> None:
    region = "eu-west-1"  # a Region of its own: its endpoint stays "being created" for a while at this scale
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=region)
    ec2 = session.client("ec2", endpoint_url=aws_client("ec2").meta.endpoint_url)
    pki = import_pki(session.client("acm", endpoint_url=aws_client("acm").meta.endpoint_url))
    realistic(time_scale=0.3)  # a rule is authorizing for 3 s
    endpoint_id = create_endpoint_in_turn(ec2, pki)

    def authorize(index: int) -> Any:
        return ec2.authorize_client_vpn_ingress(
            ClientVpnEndpointId=endpoint_id, TargetNetworkCidr=f"10.{index}.0.0/16", AuthorizeAllGroups=True
        )

    for index in range(ec2_client_vpn.CONCURRENT_OPERATIONS_LIMIT):
        assert authorize(index)["Status"] == {"Code": "authorizing"}
    assert error_of(lambda: authorize(99)) == BUSY
    assert (
        error_of(
            lambda: ec2.revoke_client_vpn_ingress(
                ClientVpnEndpointId=endpoint_id, TargetNetworkCidr="10.0.0.0/16", RevokeAllGroups=True
            )
        )
        == BUSY
    )
    assert len(rules_of(ec2, endpoint_id)) == ec2_client_vpn.CONCURRENT_OPERATIONS_LIMIT


# --------------------------------------------------------------------------- lingering network interfaces


def _disassociate_in_process(monkeypatch: pytest.MonkeyPatch, realistic_mode: bool) -> dict[str, Any]:
    """Associate and disassociate a subnet under mock_aws in this process (the server's state is out of reach of a
    test); returns the network, the association's ID and the endpoint's security groups."""
    from moto import mock_aws

    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv(ec2_client_vpn.DELAY_VARIABLE, raising=False)
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    ec2_client_vpn.install()
    try:
        realism.configure({"realistic": realistic_mode, "time_scale": 0.001, "throttle_rate": 0.0})
        with mock_aws():
            session = boto3.session.Session(
                region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing"
            )
            ec2 = session.client("ec2")
            network = create_network(ec2, 33)
            endpoint_id = create_endpoint(ec2, import_pki(session.client("acm")), VpcId=network.vpc_id)
            association_id = ec2.associate_client_vpn_target_network(
                ClientVpnEndpointId=endpoint_id, SubnetId=network.subnet_ids[0]
            )["AssociationId"]
            ec2.disassociate_client_vpn_target_network(ClientVpnEndpointId=endpoint_id, AssociationId=association_id)
            groups = endpoint_of(ec2, endpoint_id)["SecurityGroupIds"]
            return {"network": network, "association_id": association_id, "security_group_ids": groups}
    finally:
        realism.reset()


def fake_lingering_interfaces(monkeypatch: pytest.MonkeyPatch) -> list[tuple[tuple[Any, ...], dict[str, Any]]]:
    """A stand-in for emulator/extensions/ec2_lingering_interfaces.py recording its linger() calls."""
    calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
    fake = types.ModuleType(ec2_client_vpn.LINGERING_INTERFACES_MODULE)
    fake.linger = lambda *args, **kwargs: calls.append((args, kwargs))  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, ec2_client_vpn.LINGERING_INTERFACES_MODULE, fake)
    return calls


def test_a_disassociated_network_interface_lingers_in_realistic_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = fake_lingering_interfaces(monkeypatch)
    made = _disassociate_in_process(monkeypatch, realistic_mode=True)
    [(args, kwargs)] = calls
    network = made["network"]
    assert args == (network.vpc_id,)
    assert kwargs["subnet_ids"] == [network.subnet_ids[0]]
    assert kwargs["security_group_ids"] == made["security_group_ids"] == [network.default_group_id]
    assert kwargs["owner"] == f"ClientVPN Endpoint resource {made['association_id']}"
    assert kwargs["backend"] is not None, "the interface is one DescribeNetworkInterfaces shows"
    longest = typical("client_vpn.disassociating", 0.001) + typical("network_interface.lingering", 0.001)
    assert longest * 0.5 < kwargs["seconds"] <= longest


def test_no_lingering_interface_in_plain_mode_nor_without_the_extension(monkeypatch: pytest.MonkeyPatch) -> None:
    endpoint = types.SimpleNamespace(settings={"SecurityGroupIds": ["sg-1"]})
    association = types.SimpleNamespace(
        id="cvpn-assoc-1", vpc_id="vpc-1", subnet_id="subnet-1", security_groups=["sg-1"], due=realism.now() + 1
    )
    calls = fake_lingering_interfaces(monkeypatch)
    try:
        realism.configure({"realistic": False})
        ec2_client_vpn.linger_interface(endpoint, association)
        assert calls == [], "plain mode (the gap): the interface goes with the association"
        realism.configure({"realistic": True, "time_scale": 0.001, "throttle_rate": 0.0})
        ec2_client_vpn.linger_interface(endpoint, association)
        assert len(calls) == 1

        monkeypatch.setitem(sys.modules, ec2_client_vpn.LINGERING_INTERFACES_MODULE, None)  # the import fails
        ec2_client_vpn.linger_interface(endpoint, association)  # skipped, no error
        assert len(calls) == 1
    finally:
        realism.reset()
