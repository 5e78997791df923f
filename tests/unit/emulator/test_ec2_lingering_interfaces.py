"""Network interfaces outlive their owners for a while: their security groups, subnets and VPC cannot be deleted and
the internet gateway of their public addresses cannot be detached until they are gone
(emulator/extensions/ec2_lingering_interfaces.py).

Each test builds its owner in plain mode, then switches the emulator to realistic mode for the deletion."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any, NamedTuple

import pytest
from botocore.exceptions import ClientError

from emulator import realism
from emulator.extensions import ec2_lingering_interfaces
from tests.unit.helpers import wait_until

SCALE = 0.04  # lingering ~2.4 s, NAT gateway and endpoint deletion ~2.4-3.6 s more, ECS draining ~2.4 s more: windows a
# loaded CI machine cannot miss between two calls
TIMEOUT = 20  # the longest window (an endpoint's deletion, then its interface lingering) is 6 s


class Network(NamedTuple):
    vpc_id: str
    subnet_ids: list[str]
    group_id: str
    igw_id: str


@pytest.fixture
def ec2(aws_client: Callable[[str], Any]) -> Any:
    return aws_client("ec2")


@pytest.fixture
def network(ec2: Any) -> Network:
    vpc_id = ec2.create_vpc(CidrBlock="10.75.0.0/16")["Vpc"]["VpcId"]
    subnet_ids = [
        ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.75.{n}.0/24", AvailabilityZone=f"us-east-1{zone}")["Subnet"][
            "SubnetId"
        ]
        for n, zone in ((1, "a"), (2, "b"))
    ]
    group_id = ec2.create_security_group(GroupName="owner", Description="owner", VpcId=vpc_id)["GroupId"]
    igw_id = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc_id)
    return Network(vpc_id, subnet_ids, group_id, igw_id)


@pytest.fixture
def go_realistic(request: pytest.FixtureRequest) -> Callable[..., None]:
    """Switch to realistic mode once the owner is built (the realistic fixture puts plain mode back afterwards);
    ``behaviour_seconds`` stretches a behaviour beyond its figure at SCALE."""

    def switch(**behaviour_seconds: float) -> None:
        request.getfixturevalue("realistic")(time_scale=SCALE, behaviour_seconds=behaviour_seconds)

    return switch


def error_of(call: Callable[[], Any]) -> tuple[str, str] | None:
    try:
        call()
    except ClientError as error:
        return error.response["Error"]["Code"], error.response["Error"]["Message"]
    return None


def refused_group(group_id: str) -> tuple[str, str]:
    return "DependencyViolation", f"resource {group_id} has a dependent object"


def refused_subnet(subnet_id: str) -> tuple[str, str]:
    return "DependencyViolation", f"The subnet '{subnet_id}' has dependencies and cannot be deleted."


def refused_vpc(vpc_id: str) -> tuple[str, str]:
    return "DependencyViolation", f"The vpc '{vpc_id}' has dependencies and cannot be deleted."


def refused_detach(vpc_id: str) -> tuple[str, str]:
    return (
        "DependencyViolation",
        f"Network {vpc_id} has some mapped public address(es). Please unmap those public address(es) before detaching"
        " the gateway.",
    )


def interfaces(ec2: Any, subnet_id: str) -> dict[str, str]:
    found = ec2.describe_network_interfaces(Filters=[{"Name": "subnet-id", "Values": [subnet_id]}])
    return {eni["NetworkInterfaceId"]: eni["Status"] for eni in found["NetworkInterfaces"]}


def detacher(ec2: Any, network: Network) -> Callable[[], Any]:
    return lambda: ec2.detach_internet_gateway(InternetGatewayId=network.igw_id, VpcId=network.vpc_id)


def group_deleter(ec2: Any, network: Network) -> Callable[[], Any]:
    return lambda: ec2.delete_security_group(GroupId=network.group_id)


def eventually(call: Callable[[], Any], what: str) -> Any:
    """``call`` once its refusal has ended by itself."""
    return wait_until(lambda: error_of(call) is None, what, timeout=TIMEOUT, interval=0.05)


# --------------------------------------------------------------------------- the gap: plain mode


def test_plain_mode_frees_everything_with_the_owner(ec2: Any, network: Network) -> None:
    allocation_id = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat_id = ec2.create_nat_gateway(SubnetId=network.subnet_ids[0], AllocationId=allocation_id)["NatGateway"][
        "NatGatewayId"
    ]
    endpoint_id = ec2.create_vpc_endpoint(
        VpcId=network.vpc_id,
        ServiceName="com.amazonaws.us-east-1.ecr.api",
        VpcEndpointType="Interface",
        SubnetIds=[network.subnet_ids[1]],
        SecurityGroupIds=[network.group_id],
    )["VpcEndpoint"]["VpcEndpointId"]

    ec2.delete_nat_gateway(NatGatewayId=nat_id)
    ec2.delete_vpc_endpoints(VpcEndpointIds=[endpoint_id])
    assert interfaces(ec2, network.subnet_ids[0]) == {}, "the deleted gateway's interface is gone with it"
    ec2.detach_internet_gateway(InternetGatewayId=network.igw_id, VpcId=network.vpc_id)
    ec2.delete_security_group(GroupId=network.group_id)
    for subnet_id in network.subnet_ids:
        ec2.delete_subnet(SubnetId=subnet_id)
    ec2.delete_vpc(VpcId=network.vpc_id)


# --------------------------------------------------------------------------- realistic mode: owners that go


def test_a_deleted_nat_gateway_holds_its_subnet_and_public_address_for_a_while(
    ec2: Any, network: Network, go_realistic: Callable[..., None]
) -> None:
    allocation_id = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=network.subnet_ids[0], AllocationId=allocation_id)["NatGateway"]
    eni_id = nat["NatGatewayAddresses"][0]["NetworkInterfaceId"]
    go_realistic()

    ec2.delete_nat_gateway(NatGatewayId=nat["NatGatewayId"])
    detach = detacher(ec2, network)
    assert error_of(detach) == refused_detach(network.vpc_id)
    assert error_of(lambda: ec2.delete_subnet(SubnetId=network.subnet_ids[0])) == refused_subnet(network.subnet_ids[0])
    assert error_of(lambda: ec2.delete_vpc(VpcId=network.vpc_id)) == refused_vpc(network.vpc_id)
    assert interfaces(ec2, network.subnet_ids[0]) == {eni_id: "in-use"}
    ec2.delete_subnet(SubnetId=network.subnet_ids[1])  # the other subnet holds nothing

    eventually(detach, "the internet gateway can be detached")
    ec2.delete_subnet(SubnetId=network.subnet_ids[0])
    assert interfaces(ec2, network.subnet_ids[0]) == {}
    ec2.delete_security_group(GroupId=network.group_id)
    ec2.delete_vpc(VpcId=network.vpc_id)


def test_a_deleted_interface_endpoint_holds_its_security_group_for_a_while(
    ec2: Any, network: Network, go_realistic: Callable[..., None]
) -> None:
    endpoint = ec2.create_vpc_endpoint(
        VpcId=network.vpc_id,
        ServiceName="com.amazonaws.us-east-1.logs",
        VpcEndpointType="Interface",
        SubnetIds=[network.subnet_ids[0]],
        SecurityGroupIds=[network.group_id],
    )["VpcEndpoint"]
    go_realistic()

    ec2.delete_vpc_endpoints(VpcEndpointIds=[endpoint["VpcEndpointId"]])
    delete_group = group_deleter(ec2, network)
    assert error_of(delete_group) == refused_group(network.group_id)
    assert interfaces(ec2, network.subnet_ids[0]) == {eni: "in-use" for eni in endpoint["NetworkInterfaceIds"]}
    ec2.detach_internet_gateway(InternetGatewayId=network.igw_id, VpcId=network.vpc_id)  # no public address

    eventually(delete_group, "the endpoint's security group can be deleted")
    assert interfaces(ec2, network.subnet_ids[0]) == {}
    ec2.delete_subnet(SubnetId=network.subnet_ids[0])


def test_a_deleted_load_balancer_holds_its_security_group_and_public_addresses(
    aws_client: Callable[[str], Any], ec2: Any, network: Network, go_realistic: Callable[..., None]
) -> None:
    elbv2 = aws_client("elbv2")
    arn = elbv2.create_load_balancer(
        Name=f"linger-{uuid.uuid4().hex[:8]}",
        Subnets=network.subnet_ids,
        SecurityGroups=[network.group_id],
        Scheme="internet-facing",
        Type="application",
    )["LoadBalancers"][0]["LoadBalancerArn"]
    # Only the lingering holds them here (no deletion time before it): 5 s rather than 2.4 s at SCALE, for the three
    # refused calls on a busy machine.
    go_realistic(**{"network_interface.lingering": 5.0})

    elbv2.delete_load_balancer(LoadBalancerArn=arn)
    detach = detacher(ec2, network)
    assert error_of(lambda: ec2.delete_security_group(GroupId=network.group_id)) == refused_group(network.group_id)
    assert error_of(detach) == refused_detach(network.vpc_id)
    assert error_of(lambda: ec2.delete_subnet(SubnetId=network.subnet_ids[1])) == refused_subnet(network.subnet_ids[1])

    eventually(detach, "the internet gateway can be detached")
    ec2.delete_security_group(GroupId=network.group_id)


def test_a_deleted_service_holds_its_tasks_security_group_for_draining_and_lingering(
    aws_client: Callable[[str], Any], ec2: Any, network: Network, go_realistic: Callable[..., None]
) -> None:
    ecs = aws_client("ecs")
    cluster = f"linger-{uuid.uuid4().hex[:8]}"
    ecs.create_cluster(clusterName=cluster)
    ecs.register_task_definition(
        family=cluster,
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="256",
        memory="512",
        containerDefinitions=[{"name": "web", "image": "nginx:1.27"}],
    )
    ecs.create_service(
        cluster=cluster,
        serviceName="web",
        taskDefinition=f"{cluster}:1",
        desiredCount=0,
        launchType="FARGATE",
        networkConfiguration={
            "awsvpcConfiguration": {
                "subnets": [network.subnet_ids[0]],
                "securityGroups": [network.group_id],
                "assignPublicIp": "ENABLED",
            }
        },
    )
    go_realistic()

    started = time.monotonic()
    ecs.delete_service(cluster=cluster, service="web")
    delete_group = group_deleter(ec2, network)
    assert error_of(delete_group) == refused_group(network.group_id)
    assert error_of(detacher(ec2, network)) == refused_detach(network.vpc_id)

    eventually(delete_group, "the tasks' security group can be deleted")
    typical = realism.TYPICAL["ecs.draining"].seconds + realism.TYPICAL["network_interface.lingering"].seconds
    assert time.monotonic() - started >= typical * SCALE * 0.9, "held for the draining and then the lingering"


def delete_mount_target(efs: Any, network: Network, go_realistic: Callable[..., None]) -> str:
    """A mount target in the network's first subnet and group, deleted in realistic mode; its file system's id."""
    file_system_id = efs.create_file_system(CreationToken=uuid.uuid4().hex)["FileSystemId"]
    mount_target_id = efs.create_mount_target(
        FileSystemId=file_system_id, SubnetId=network.subnet_ids[0], SecurityGroups=[network.group_id]
    )["MountTargetId"]
    go_realistic()
    efs.delete_mount_target(MountTargetId=mount_target_id)
    return file_system_id


def test_a_deleted_mount_target_holds_its_security_group_for_a_while(
    aws_client: Callable[[str], Any], ec2: Any, network: Network, go_realistic: Callable[..., None]
) -> None:
    delete_mount_target(aws_client("efs"), network, go_realistic)
    delete_group = group_deleter(ec2, network)
    assert error_of(delete_group) == refused_group(network.group_id)
    assert error_of(lambda: ec2.delete_subnet(SubnetId=network.subnet_ids[0])) == refused_subnet(network.subnet_ids[0])

    eventually(delete_group, "the mount target's security group can be deleted")
    ec2.delete_subnet(SubnetId=network.subnet_ids[0])


def test_a_deleted_mount_target_s_interface_stays_described_for_as_long_as_it_holds_its_group(
    aws_client: Callable[[str], Any], ec2: Any, network: Network, go_realistic: Callable[..., None]
) -> None:
    """AWS describes the interface until it is gone: a caller that waits for the VPC's interfaces to go (the network
    role's teardown) may then delete the group; the interface must not vanish while it still holds it."""
    efs = aws_client("efs")
    file_system_id = delete_mount_target(efs, network, go_realistic)

    def described() -> list[str]:
        found = ec2.describe_network_interfaces(Filters=[{"Name": "group-id", "Values": [network.group_id]}])
        return [interface["NetworkInterfaceId"] for interface in found["NetworkInterfaces"]]

    def free_once_undescribed() -> bool:
        interfaces_before = described()
        refusal = error_of(group_deleter(ec2, network))
        assert refusal is None or interfaces_before, f"{network.group_id} refused while no interface holds it"
        return refusal is None

    mount_target_gone = False
    while not free_once_undescribed():
        mount_target_gone = mount_target_gone or not efs.describe_mount_targets(FileSystemId=file_system_id)[
            "MountTargets"]
    assert mount_target_gone, "the group was freed before the mount target's deletion ended"
    assert described() == []


# --------------------------------------------------------------------------- linger(), for other extensions


def test_moto_alone_ignores_lingering_interfaces_and_linger_blocks_until_its_time_is_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Proves the extension is still needed (moto alone deletes at once) and shows ``linger()`` as other extensions
    call it."""
    import boto3
    from moto import mock_aws
    from moto.ec2.models import EC2Backend

    for patch in ec2_lingering_interfaces.PATCHES:  # moto's own methods, and this module's put back afterwards
        method = getattr(patch.owner, patch.name)
        while hasattr(method, "__wrapped__"):
            method = method.__wrapped__
        monkeypatch.setattr(patch.owner, patch.name, method)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)

    with mock_aws():
        ec2 = boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
        ).client("ec2")

        def world() -> Network:
            vpc_id = ec2.create_vpc(CidrBlock="10.76.0.0/16")["Vpc"]["VpcId"]
            subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.76.1.0/24")["Subnet"]["SubnetId"]
            group_id = ec2.create_security_group(GroupName="g", Description="g", VpcId=vpc_id)["GroupId"]
            igw_id = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
            ec2.attach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc_id)
            return Network(vpc_id, [subnet_id], group_id, igw_id)

        def tear_down(net: Network) -> list[tuple[str, str] | None]:
            return [
                error_of(lambda: ec2.detach_internet_gateway(InternetGatewayId=net.igw_id, VpcId=net.vpc_id)),
                error_of(lambda: ec2.delete_security_group(GroupId=net.group_id)),
                error_of(lambda: ec2.delete_subnet(SubnetId=net.subnet_ids[0])),
                error_of(lambda: ec2.delete_vpc(VpcId=net.vpc_id)),
            ]

        assert not ec2_lingering_interfaces.is_installed()
        gone = world()
        ec2_lingering_interfaces.linger(gone.vpc_id, gone.subnet_ids, [gone.group_id], "test", 30, "192.0.2.1")
        assert tear_down(gone) == [None] * 4, "moto alone never looks at network interfaces"

        ec2_lingering_interfaces.install()
        ec2_lingering_interfaces.install()
        assert ec2_lingering_interfaces.is_installed()
        assert not hasattr(EC2Backend.delete_vpc.__wrapped__, "__wrapped__"), "install() must not wrap twice"

        held = world()
        ec2_lingering_interfaces.linger(held.vpc_id, held.subnet_ids, [held.group_id], "test", 2.0, "192.0.2.1")
        assert tear_down(held) == [
            refused_detach(held.vpc_id),
            refused_group(held.group_id),
            refused_subnet(held.subnet_ids[0]),
            refused_vpc(held.vpc_id),
        ]
        time.sleep(2.05)
        assert tear_down(held) == [None] * 4

        ec2_lingering_interfaces.linger(held.vpc_id, [], [], "no time at all", 0)
        assert not [entry for entry in ec2_lingering_interfaces.lingering() if entry.vpc_id == held.vpc_id]


def test_a_deleted_load_balancers_interfaces_show_until_they_are_gone(aws_client: Callable[[str], Any], realistic) -> None:
    # AWS lists the interfaces of a deleted load balancer ("ELB app/<name>/...") until it releases them, so a caller
    # can wait for them instead of guessing.
    realistic(time_scale=SCALE)
    ec2, elbv2 = aws_client("ec2"), aws_client("elbv2")
    vpc_id = ec2.create_vpc(CidrBlock="10.71.0.0/16")["Vpc"]["VpcId"]
    zones = [z["ZoneName"] for z in ec2.describe_availability_zones()["AvailabilityZones"]][:2]
    subnets = [
        ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.71.{i}.0/24", AvailabilityZone=zone)["Subnet"]["SubnetId"]
        for i, zone in enumerate(zones)
    ]
    arn = elbv2.create_load_balancer(Name="visible-lingering", Subnets=subnets)["LoadBalancers"][0]["LoadBalancerArn"]
    elbv2.delete_load_balancer(LoadBalancerArn=arn)

    def interfaces() -> list[dict[str, Any]]:
        found = ec2.describe_network_interfaces(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["NetworkInterfaces"]
        return [i for i in found if "visible-lingering" in i.get("Description", "")]

    assert sorted(i["SubnetId"] for i in interfaces()) == sorted(subnets)
    wait_until(lambda: not interfaces(), "the interfaces are released", timeout=TIMEOUT)
