"""Read a stack's network back from the emulator with boto3, by the stack's identity tags."""

from __future__ import annotations

from typing import Any, Callable

Client = Callable[[str], Any]


def tag_filters(stack: str, environment: str = "local") -> list[dict[str, Any]]:
    return [
        {"Name": "tag:Stack", "Values": [stack]},
        {"Name": "tag:Environment", "Values": [environment]},
        {"Name": "tag:ManagedBy", "Values": ["cloudops.fargate"]},
    ]


def tags_of(resource: dict[str, Any]) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in resource.get("Tags", [])}


def stack_network(aws: Client, stack: str, environment: str = "local") -> dict[str, list[dict[str, Any]]]:
    """Every live network resource tagged as the stack's, by kind."""
    ec2 = aws("ec2")
    filters = tag_filters(stack, environment)
    name_prefix = f"{stack}-{environment}-"
    roles = [r for r in aws("iam").list_roles()["Roles"] if r["RoleName"].startswith(name_prefix)]
    log_groups = aws("logs").describe_log_groups(logGroupNamePrefix=f"/cloudops/{stack}-{environment}/")["logGroups"]
    return {
        "vpcs": ec2.describe_vpcs(Filters=filters)["Vpcs"],
        "subnets": ec2.describe_subnets(Filters=filters)["Subnets"],
        "internet_gateways": ec2.describe_internet_gateways(Filters=filters)["InternetGateways"],
        "nat_gateways": [
            n
            for n in ec2.describe_nat_gateways(Filters=filters)["NatGateways"]
            if n["State"] in ("pending", "available")
        ],
        "addresses": ec2.describe_addresses(Filters=filters)["Addresses"],
        "route_tables": ec2.describe_route_tables(Filters=filters)["RouteTables"],
        "security_groups": ec2.describe_security_groups(Filters=filters)["SecurityGroups"],
        "vpc_endpoints": [
            e
            for e in ec2.describe_vpc_endpoints(Filters=filters)["VpcEndpoints"]
            if e["State"].lower() not in ("deleted", "deleting")
        ],
        "flow_logs": ec2.describe_flow_logs(Filters=filters)["FlowLogs"],
        "iam_roles": roles,
        "log_groups": log_groups,
    }


def account_inventory(aws: Client) -> dict[str, int]:
    """How many of each kind exist in the whole account (default VPC resources included)."""
    ec2 = aws("ec2")
    return {
        "vpcs": len(ec2.describe_vpcs()["Vpcs"]),
        "subnets": len(ec2.describe_subnets()["Subnets"]),
        "internet_gateways": len(ec2.describe_internet_gateways()["InternetGateways"]),
        "nat_gateways": len(
            [n for n in ec2.describe_nat_gateways()["NatGateways"] if n["State"] in ("pending", "available")]
        ),
        "addresses": len(ec2.describe_addresses()["Addresses"]),
        "route_tables": len(ec2.describe_route_tables()["RouteTables"]),
        "security_groups": len(ec2.describe_security_groups()["SecurityGroups"]),
        "vpc_endpoints": len(ec2.describe_vpc_endpoints()["VpcEndpoints"]),
        "flow_logs": len(ec2.describe_flow_logs()["FlowLogs"]),
        "iam_roles": len(aws("iam").list_roles()["Roles"]),
        "log_groups": len(aws("logs").describe_log_groups()["logGroups"]),
    }
