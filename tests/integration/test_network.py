"""The network layer through the real site.yml on the local inventory, read back with boto3."""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest

from tests.integration.aws_state import account_inventory, stack_network, tag_filters, tags_of
from tests.integration.conftest import reset_emulator

# The network layer alone: the other layers have test files of their own.
NETWORK_ONLY = ["--tags", "network"]
STACK = "demo"
VPC_CIDR = "10.20.0.0/16"  # inventories/local/hosts.yml
IDENTITY = {"Stack": STACK, "Environment": "local", "ManagedBy": "cloudops.fargate"}


def by_name(resources: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {tags_of(r).get("Name", ""): r for r in resources}


def ingress(group: dict[str, Any]) -> set[tuple]:
    """Rules as (proto, from, to, source) tuples, source a CIDR or a group id."""
    rules = set()
    for permission in group["IpPermissions"]:
        key = (permission["IpProtocol"], permission.get("FromPort"), permission.get("ToPort"))
        rules |= {key + (r["CidrIp"],) for r in permission.get("IpRanges", [])}
        rules |= {key + (p["GroupId"],) for p in permission.get("UserIdGroupPairs", [])}
    return rules


def egress(group: dict[str, Any]) -> set[tuple]:
    return ingress({"IpPermissions": group["IpPermissionsEgress"]})


@pytest.fixture(scope="module")
def converged(emulator_endpoint, playbook, aws):
    reset_emulator(emulator_endpoint)
    run = playbook(args=NETWORK_ONLY)
    assert run.returncode == 0, run.failure_messages() or run.stderr
    return run, stack_network(aws, STACK)


def test_vpc_has_dns_and_the_stack_tags(converged, aws):
    _run, network = converged
    assert len(network["vpcs"]) == 1
    vpc = network["vpcs"][0]
    assert vpc["CidrBlock"] == VPC_CIDR
    assert tags_of(vpc) == {**IDENTITY, "Name": "demo-local-vpc", "CostCenter": "local"}
    ec2 = aws("ec2")
    assert ec2.describe_vpc_attribute(VpcId=vpc["VpcId"], Attribute="enableDnsSupport")["EnableDnsSupport"]["Value"]
    assert ec2.describe_vpc_attribute(VpcId=vpc["VpcId"], Attribute="enableDnsHostnames")["EnableDnsHostnames"][
        "Value"
    ]


def test_a_public_and_a_private_subnet_per_zone_none_assigning_public_ips(converged):
    _run, network = converged
    subnets = by_name(network["subnets"])
    assert set(subnets) == {"demo-local-public-a", "demo-local-public-b", "demo-local-private-a", "demo-local-private-b"}
    assert {subnets["demo-local-public-a"]["AvailabilityZone"], subnets["demo-local-public-b"]["AvailabilityZone"]} == {
        "us-east-1a",
        "us-east-1b",
    }
    for name, subnet in subnets.items():
        assert subnet["MapPublicIpOnLaunch"] is False, name
        assert ipaddress.ip_network(subnet["CidrBlock"]).subnet_of(ipaddress.ip_network(VPC_CIDR))
        assert tags_of(subnet)["Tier"] == name.split("-")[2]
    assert subnets["demo-local-public-a"]["CidrBlock"] == "10.20.0.0/20"
    assert subnets["demo-local-private-a"]["CidrBlock"] == "10.20.128.0/20"
    assert subnets["demo-local-private-b"]["AvailabilityZone"] == subnets["demo-local-public-b"]["AvailabilityZone"]


def test_one_nat_gateway_with_its_elastic_ip_in_a_public_subnet(converged):
    _run, network = converged
    public_a = by_name(network["subnets"])["demo-local-public-a"]
    assert len(network["nat_gateways"]) == 1
    nat = network["nat_gateways"][0]
    assert nat["SubnetId"] == public_a["SubnetId"]
    assert tags_of(nat)["Name"] == "demo-local-nat-a"
    assert len(network["addresses"]) == 1
    assert nat["NatGatewayAddresses"][0]["AllocationId"] == network["addresses"][0]["AllocationId"]


def test_routes_public_to_the_internet_gateway_private_to_the_nat(converged):
    _run, network = converged
    subnets = by_name(network["subnets"])
    tables = by_name(network["route_tables"])
    igw = network["internet_gateways"][0]
    assert igw["Attachments"][0]["VpcId"] == network["vpcs"][0]["VpcId"]
    nat_id = network["nat_gateways"][0]["NatGatewayId"]

    public = tables["demo-local-public"]
    assert {a["SubnetId"] for a in public["Associations"] if not a.get("Main")} == {
        subnets["demo-local-public-a"]["SubnetId"],
        subnets["demo-local-public-b"]["SubnetId"],
    }
    assert any(r.get("DestinationCidrBlock") == "0.0.0.0/0" and r.get("GatewayId") == igw["InternetGatewayId"]
               for r in public["Routes"])

    for suffix in "ab":
        table = tables[f"demo-local-private-{suffix}"]
        assert [a["SubnetId"] for a in table["Associations"] if not a.get("Main")] == [
            subnets[f"demo-local-private-{suffix}"]["SubnetId"]
        ]
        default_routes = [r for r in table["Routes"] if r.get("DestinationCidrBlock") == "0.0.0.0/0"]
        assert [r.get("NatGatewayId") for r in default_routes] == [nat_id]
        assert not any(r.get("GatewayId", "").startswith("igw-") for r in table["Routes"])


def test_security_groups_are_least_privilege(converged):
    _run, network = converged
    groups = {tags_of(g)["Purpose"]: g for g in network["security_groups"]}
    assert set(groups) == {"alb", "service", "efs", "vpn", "datasync", "endpoints"}
    sg = {purpose: g["GroupId"] for purpose, g in groups.items()}

    assert ingress(groups["alb"]) == {("tcp", 80, 80, "0.0.0.0/0"), ("tcp", 443, 443, "0.0.0.0/0")}
    assert egress(groups["alb"]) == {("tcp", 8080, 8080, sg["service"])}
    assert ingress(groups["service"]) == {("tcp", 8080, 8080, sg["alb"])}
    assert egress(groups["service"]) == {("tcp", 443, 443, "0.0.0.0/0"), ("tcp", 2049, 2049, sg["efs"])}
    assert ingress(groups["efs"]) == {
        ("tcp", 2049, 2049, sg["service"]),
        ("tcp", 2049, 2049, sg["vpn"]),
        ("tcp", 2049, 2049, sg["datasync"]),
    }
    assert egress(groups["efs"]) == set()
    assert ingress(groups["vpn"]) == set()
    assert egress(groups["vpn"]) == {("tcp", 2049, 2049, sg["efs"])}
    assert ingress(groups["datasync"]) == set()
    assert egress(groups["datasync"]) == {("tcp", 2049, 2049, sg["efs"])}
    assert ingress(groups["endpoints"]) == {("tcp", 443, 443, sg["service"])}


def test_default_security_group_keeps_no_rules(converged, aws):
    _run, network = converged
    vpc_id = network["vpcs"][0]["VpcId"]
    default = aws("ec2").describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "group-name", "Values": ["default"]}]
    )["SecurityGroups"][0]
    assert default["IpPermissions"] == []
    assert default["IpPermissionsEgress"] == []


def test_flow_logs_go_to_a_retained_log_group_through_a_scoped_role(converged, aws):
    _run, network = converged
    assert len(network["flow_logs"]) == 1
    flow_log = network["flow_logs"][0]
    assert flow_log["ResourceId"] == network["vpcs"][0]["VpcId"]
    assert flow_log["TrafficType"] == "ALL"
    assert flow_log["LogGroupName"] == "/cloudops/demo-local/vpc-flow-logs"
    (group,) = network["log_groups"]
    assert group["retentionInDays"] == 7
    (role,) = network["iam_roles"]
    assert flow_log["DeliverLogsPermissionArn"] == role["Arn"]
    trust = role["AssumeRolePolicyDocument"]["Statement"][0]
    assert trust["Principal"] == {"Service": "vpc-flow-logs.amazonaws.com"}
    policy = aws("iam").get_role_policy(RoleName=role["RoleName"], PolicyName="write-flow-logs")["PolicyDocument"]
    resources = policy["Statement"][0]["Resource"]
    assert all(":log-group:/cloudops/demo-local/vpc-flow-logs" in r for r in resources)


def test_vpc_endpoints_keep_image_pulls_and_logs_off_the_nat(converged):
    _run, network = converged
    endpoints = {e["ServiceName"].rsplit(".", 1)[-1] if "ecr" not in e["ServiceName"] else
                 e["ServiceName"].split("us-east-1.", 1)[1]: e for e in network["vpc_endpoints"]}
    assert set(endpoints) == {"s3", "ecr.api", "ecr.dkr", "logs"}
    private_subnets = {s["SubnetId"] for s in network["subnets"] if tags_of(s)["Tier"] == "private"}
    private_tables = {t["RouteTableId"] for t in network["route_tables"] if "private" in tags_of(t)["Name"]}
    endpoints_sg = next(g["GroupId"] for g in network["security_groups"] if tags_of(g)["Purpose"] == "endpoints")
    assert endpoints["s3"]["VpcEndpointType"] == "Gateway"
    assert set(endpoints["s3"]["RouteTableIds"]) == private_tables
    for service in ("ecr.api", "ecr.dkr", "logs"):
        assert endpoints[service]["VpcEndpointType"] == "Interface"
        assert set(endpoints[service]["SubnetIds"]) == private_subnets
        assert [g["GroupId"] for g in endpoints[service]["Groups"]] == [endpoints_sg]


def test_outputs_are_published_as_facts(converged):
    run, network = converged
    (summary,) = run.task_results("Show the stack's outputs")
    outputs = summary["msg"]
    assert outputs["vpc_id"] == network["vpcs"][0]["VpcId"]
    subnets = by_name(network["subnets"])
    assert outputs["public_subnet_ids"] == [subnets["demo-local-public-a"]["SubnetId"],
                                            subnets["demo-local-public-b"]["SubnetId"]]
    assert outputs["private_subnet_ids"] == [subnets["demo-local-private-a"]["SubnetId"],
                                             subnets["demo-local-private-b"]["SubnetId"]]
    assert set(outputs["security_group_ids"]) == {"alb", "service", "efs", "vpn", "datasync", "endpoints"}
    assert outputs["nat_public_ips"] == [network["addresses"][0]["PublicIp"]]


def test_check_mode_with_diff_predicts_exactly_a_rule_change_and_applies_nothing(converged, playbook, aws):
    run = playbook(check=True, diff=True, extra_vars={"network_alb_ingress_cidrs": ["203.0.113.0/24"]}, args=NETWORK_ONLY)
    assert run.returncode == 0, run.failure_messages()
    # Nothing else of the converged stack is predicted to change.
    assert [name.split(" : ")[-1] for name in run.changed_tasks()] == ["Give the security groups their least-privilege rules"]
    (rules,) = run.task_results("least-privilege rules")
    assert rules["changed"] and list(rules["diff"]["after"]) == ["alb"]
    assert "203.0.113.0/24" in str(rules["diff"]["after"]["alb"])
    alb = next(g for g in stack_network(aws, STACK)["security_groups"] if tags_of(g)["Purpose"] == "alb")
    assert ("tcp", 443, 443, "0.0.0.0/0") in ingress(alb)


def test_changing_the_vpc_block_of_an_existing_stack_is_refused(converged, playbook, aws):
    before = account_inventory(aws)
    run = playbook(extra_vars={"network_vpc_cidr": "10.30.0.0/16"}, args=NETWORK_ONLY)
    assert run.returncode != 0
    assert "network_vpc_cidr: 10.30.0.0/16 differs from the block of the existing VPC" in run.failure_messages()
    assert "a VPC's primary block cannot change" in run.failure_messages()
    assert account_inventory(aws) == before
    assert stack_network(aws, STACK)["vpcs"][0]["CidrBlock"] == VPC_CIDR


def test_teardown_removes_the_stack_and_nothing_else(converged, playbook, aws):
    ec2 = aws("ec2")
    # Resources the stack does not own: one in the stack's own VPC would block its deletion, so the
    # foreign ones live in a VPC of their own, one of them carrying the same Name as the stack's.
    foreign_vpc = ec2.create_vpc(
        CidrBlock="10.99.0.0/16",
        TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": "demo-local-vpc"}]}],
    )["Vpc"]["VpcId"]
    foreign_eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    other_stack_sg = ec2.create_security_group(
        GroupName="other-local-alb", Description="another stack", VpcId=foreign_vpc,
        TagSpecifications=[{"ResourceType": "security-group",
                            "Tags": [{"Key": "Stack", "Value": "other"}, {"Key": "ManagedBy", "Value": "cloudops.fargate"}]}],
    )["GroupId"]

    run = playbook("playbooks/teardown.yml", args=NETWORK_ONLY)
    assert run.returncode == 0, run.failure_messages()

    leftovers = {kind: items for kind, items in stack_network(aws, STACK).items() if items}
    assert leftovers == {}
    assert ec2.describe_vpcs(VpcIds=[foreign_vpc])["Vpcs"]
    assert ec2.describe_addresses(AllocationIds=[foreign_eip])["Addresses"]
    assert ec2.describe_security_groups(GroupIds=[other_stack_sg])["SecurityGroups"]

    again = playbook("playbooks/teardown.yml", args=NETWORK_ONLY)
    assert again.returncode == 0, again.failure_messages()
    assert again.changed() == 0, again.changed_tasks()


BAD_INPUTS = [
    ({"network_vpc_cidr": "10.0.0.0/33"}, "network_vpc_cidr"),
    ({"network_vpc_cidr": "not-a-cidr"}, "network_vpc_cidr"),
    ({"network_vpc_cidr": "10.0.0.0/12"}, "/16 to /24"),
    ({"network_vpc_cidr": "10.0.0.0/25"}, "/16 to /24"),
    ({"network_az_count": 1}, "network_az_count"),
    ({"network_az_count": 7}, "network_az_count"),
    ({"network_public_subnet_cidrs": ["10.21.0.0/24", "10.20.1.0/24"],
      "network_private_subnet_cidrs": ["10.20.2.0/24", "10.20.3.0/24"]}, "Outside the VPC: 10.21.0.0/24"),
    ({"network_public_subnet_cidrs": ["10.20.0.0/24", "10.20.1.0/24"],
      "network_private_subnet_cidrs": ["10.20.0.0/23", "10.20.3.0/24"]}, "Overlapping: 10.20.0.0/24 overlaps 10.20.0.0/23"),
    ({"network_public_subnet_cidrs": ["10.20.0.0/24"]}, "one IPv4 CIDR block per availability zone"),
    ({"network_nat_mode": "sometimes"}, "network_nat_mode"),
    ({"network_alb_ingress_cidrs": ["0.0.0.0/0", "everyone"]}, "network_alb_ingress_cidrs"),
    ({"network_service_port": 80}, "network_service_port"),
]


@pytest.mark.parametrize("extra_vars,message", BAD_INPUTS, ids=[m for _v, m in BAD_INPUTS])
def test_bad_input_fails_before_anything_changes(emulator_endpoint, playbook, aws, extra_vars, message):
    reset_emulator(emulator_endpoint)
    before = account_inventory(aws)

    run = playbook(extra_vars=extra_vars, args=NETWORK_ONLY)

    assert run.returncode != 0
    assert message in run.failure_messages() + run.stderr
    assert run.changed() == 0
    assert account_inventory(aws) == before


def test_az_count_above_what_the_region_has_fails_naming_the_region(emulator_endpoint, playbook, aws):
    reset_emulator(emulator_endpoint)
    before = account_inventory(aws)
    run = playbook(extra_vars={"aws_region": "eu-west-3", "network_az_count": 4}, args=NETWORK_ONLY)
    assert run.returncode != 0
    assert "network_az_count (4) is more than the 3 availability zones region eu-west-3" in run.failure_messages()
    assert account_inventory(aws) == before


def test_stack_filters_are_exact(aws):
    # Guards the helpers above: a filter for another stack finds nothing of this one.
    assert aws("ec2").describe_vpcs(Filters=tag_filters("nobody"))["Vpcs"] == []
