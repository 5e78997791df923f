"""Read a stack's network back from the emulator with boto3, by the stack's identity tags."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
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


def stack_resources(aws: Client, stack: str, environment: str = "local") -> dict[str, list[Any]]:
    """Everything of every layer that is the stack's (by tags, or by the stack's name prefix where AWS has no
    tag filter), by kind; kinds with nothing left are left out."""
    prefix = f"{stack}-{environment}"
    identity = {"Stack": stack, "Environment": environment, "ManagedBy": "cloudops.fargate"}

    def tagged(tags: dict[str, str]) -> bool:
        return identity.items() <= tags.items()

    efs = aws("efs")
    elbv2 = aws("elbv2")
    ecs = aws("ecs")
    acm = aws("acm")
    ec2 = aws("ec2")
    found: dict[str, list[Any]] = dict(stack_network(aws, stack, environment))
    found["repositories"] = [
        r["repositoryName"]
        for r in aws("ecr").describe_repositories()["repositories"]
        if r["repositoryName"].startswith(f"{prefix}/")
    ]
    found["file_systems"] = [
        f["FileSystemId"] for f in efs.describe_file_systems()["FileSystems"] if tagged(tags_of(f))
    ]
    found["access_points"] = [
        p["AccessPointId"] for p in efs.describe_access_points()["AccessPoints"] if tagged(tags_of(p))
    ]
    found["vpn_endpoints"] = [
        e["ClientVpnEndpointId"]
        for e in ec2.describe_client_vpn_endpoints()["ClientVpnEndpoints"]
        if tagged(tags_of(e)) and e["Status"]["Code"] != "deleted"
    ]
    found["certificates"] = [
        c["CertificateArn"]
        for c in acm.list_certificates()["CertificateSummaryList"]
        if tagged(
            {t["Key"]: t["Value"] for t in acm.list_tags_for_certificate(CertificateArn=c["CertificateArn"])["Tags"]}
        )
    ]
    found["load_balancers"] = [
        b["LoadBalancerName"]
        for b in elbv2.describe_load_balancers()["LoadBalancers"]
        if b["LoadBalancerName"].startswith(prefix)
    ]
    found["target_groups"] = [
        g["TargetGroupName"]
        for g in elbv2.describe_target_groups()["TargetGroups"]
        if g["TargetGroupName"].startswith(prefix)
    ]
    clusters = ecs.list_clusters()["clusterArns"]
    found["clusters"] = [
        c["clusterName"]
        for c in (ecs.describe_clusters(clusters=clusters)["clusters"] if clusters else [])
        if c["clusterName"] == prefix and c["status"] == "ACTIVE"
    ]
    found["task_definitions"] = ecs.list_task_definitions(familyPrefix=prefix, status="ACTIVE")["taskDefinitionArns"]
    found["scalable_targets"] = [
        t["ResourceId"]
        for t in aws("application-autoscaling").describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"]
        if t["ResourceId"].startswith(f"service/{prefix}/")
    ]
    found["iam_roles"] = [r["RoleName"] for r in aws("iam").list_roles()["Roles"] if r["RoleName"].startswith(f"{prefix}-")]
    cloudwatch = aws("cloudwatch")
    found["alarms"] = [a["AlarmName"] for a in cloudwatch.describe_alarms(AlarmNamePrefix=f"{prefix}-")["MetricAlarms"]]
    found["dashboards"] = [d["DashboardName"] for d in cloudwatch.list_dashboards(DashboardNamePrefix=prefix)["DashboardEntries"]]
    found["topics"] = [t["TopicArn"] for t in aws("sns").list_topics()["Topics"] if t["TopicArn"].endswith(f":{prefix}-alarms")]
    kms = aws("kms")
    found["kms_keys"] = [
        a["AliasName"]
        for a in kms.list_aliases()["Aliases"]
        if a["AliasName"] == f"alias/{prefix}-alarms"
        and kms.describe_key(KeyId=a["TargetKeyId"])["KeyMetadata"]["KeyState"] != "PendingDeletion"
    ]
    return {kind: items for kind, items in found.items() if items}


def efs_files(endpoint: str, aws: Client, file_system_id: str, root: str) -> dict[str, bytes]:
    """The files under ``root`` on the emulator's EFS, as DataSync left them (relative path -> bytes)."""
    account = aws("sts").get_caller_identity()["Account"]
    region = aws("efs").meta.region_name
    base = f"{endpoint}/moto-api/emulator/efs-content/{account}/{region}/{file_system_id}"
    with urllib.request.urlopen(f"{base}?path={urllib.parse.quote(root)}", timeout=10) as response:
        listing = json.loads(response.read())
    files = {}
    for path in listing:
        with urllib.request.urlopen(f"{base}/file?path={urllib.parse.quote(path)}", timeout=10) as response:
            files[path[len(root.rstrip('/')) + 1 :]] = response.read()
    return files
