# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Preflight: what in a live stack's configuration would make a deploy hang, in plain words.

The input is what playbooks/preflight.yml reads with the info modules (amazon.aws's and ours), keyed by kind:
``vpc``, ``subnets``, ``route_tables``, ``nat_gateways``, ``vpc_endpoints``, ``security_groups``,
``target_groups``, ``file_systems``, ``services``, ``vpn_endpoints``. Each check looks only at the configuration
(security groups, routes, placements); none of them sends traffic.
"""

from __future__ import annotations

import ipaddress

from ansible.errors import AnsibleFilterError

LAYERS = ("network", "storage", "loadbalancer", "fargate")
# What a task needs to start without a NAT gateway: image manifests (ecr.api, ecr.dkr), image layers (S3) and the
# awslogs driver (logs).
ENDPOINT_SERVICES = ("ecr.api", "ecr.dkr", "logs")
NFS_PORT = 2049
HTTPS_PORT = 443


def _finding(layer, resource, message):
    return {"layer": layer, "resource": resource, "message": message}


def _network(cidr):
    try:
        return ipaddress.ip_network(str(cidr), strict=False)
    except ValueError:
        return None


def _covers(cidr, inner):
    outer, inner = _network(cidr), _network(inner)
    return bool(outer and inner and outer.version == inner.version and inner.subnet_of(outer))


def _label(resource, id_key):
    name = (resource.get("tags") or {}).get("Name")
    return f"{name} ({resource.get(id_key)})" if name else str(resource.get(id_key))


def _permits(group, direction, port, peer_groups, peer_cidrs):
    """Whether ``group`` lets TCP ``port`` in (``ip_permissions``) or out (``ip_permissions_egress``) for the peer.

    The peer is named by security groups (a rule referencing one of them) or by CIDRs (a rule whose range holds
    all of them)."""
    for rule in group.get(direction) or []:
        protocol = str(rule.get("ip_protocol"))
        if protocol not in ("-1", "tcp", "6"):
            continue
        if protocol != "-1" and not (rule.get("from_port", 0) <= port <= rule.get("to_port", 65535)):
            continue
        if any(pair.get("group_id") in peer_groups for pair in rule.get("user_id_group_pairs") or []):
            return True
        ranges = [r.get("cidr_ip") for r in rule.get("ip_ranges") or []]
        if peer_cidrs and all(any(_covers(cidr, peer) for cidr in ranges) for peer in peer_cidrs):
            return True
    return False


def _rule_text(rule):
    protocol = str(rule.get("ip_protocol"))
    if protocol == "-1":
        ports = "all traffic"
    elif rule.get("from_port") == rule.get("to_port"):
        ports = f"{protocol.upper()} {rule.get('from_port')}"
    else:
        ports = f"{protocol.upper()} {rule.get('from_port')}-{rule.get('to_port')}"
    peers = [pair.get("group_id") for pair in rule.get("user_id_group_pairs") or []]
    peers += [r.get("cidr_ip") for r in rule.get("ip_ranges") or []]
    peers += [r.get("cidr_ipv6") for r in rule.get("ipv6_ranges") or []]
    peers += [p.get("prefix_list_id") for p in rule.get("prefix_list_ids") or []]
    return f"{ports} with {', '.join(str(p) for p in peers) or 'nothing'}"


def _only_to_port(rule, port, peer_group):
    """Whether a rule opens exactly TCP ``port`` and only to ``peer_group``."""
    peers = rule.get("user_id_group_pairs") or []
    return (
        str(rule.get("ip_protocol")) in ("tcp", "6")
        and rule.get("from_port") == port == rule.get("to_port")
        and not (rule.get("ip_ranges") or rule.get("ipv6_ranges") or rule.get("prefix_list_ids"))
        and bool(peers)
        and all(pair.get("group_id") == peer_group for pair in peers)
    )


class _Stack:
    """The gathered configuration, indexed for the checks."""

    def __init__(self, gathered):
        if not isinstance(gathered, dict):
            raise AnsibleFilterError(
                f"preflight_findings expects a dict of gathered resources, got {type(gathered).__name__}"
            )
        self.vpc = gathered.get("vpc") or None
        self.subnets = {s.get("subnet_id") or s.get("id"): s for s in gathered.get("subnets") or []}
        self.route_tables = list(gathered.get("route_tables") or [])
        self.nat_gateways = {n.get("nat_gateway_id"): n for n in gathered.get("nat_gateways") or []}
        self.endpoints = [e for e in gathered.get("vpc_endpoints") or [] if e.get("state", "").lower() == "available"]
        self.groups = {g.get("group_id"): g for g in gathered.get("security_groups") or []}
        self.target_groups = list(gathered.get("target_groups") or [])
        self.file_systems = list(gathered.get("file_systems") or [])
        self.services = [s for s in gathered.get("services") or [] if s.get("status") == "ACTIVE"]
        self.vpn_endpoints = [
            e for e in gathered.get("vpn_endpoints") or [] if e.get("status") not in ("deleting", "deleted")
        ]

    def group(self, purpose):
        for group in self.groups.values():
            if (group.get("tags") or {}).get("Purpose") == purpose:
                return group
        return None

    def tier(self, tier):
        return sorted(
            (s for s in self.subnets.values() if (s.get("tags") or {}).get("Tier") == tier),
            key=lambda s: (s.get("availability_zone") or "", s.get("subnet_id") or ""),
        )

    def service(self):
        return self.services[0] if self.services else None

    def service_subnets(self):
        """The subnets tasks run in: the service's, or the private tier before there is a service."""
        service = self.service()
        if service:
            vpc_config = (service.get("network_configuration") or {}).get("awsvpc_configuration") or {}
            return [self.subnets.get(i) or {"subnet_id": i} for i in vpc_config.get("subnets") or []]
        return self.tier("private")

    def service_groups(self):
        service = self.service()
        if service:
            vpc_config = (service.get("network_configuration") or {}).get("awsvpc_configuration") or {}
            return set(vpc_config.get("security_groups") or [])
        group = self.group("service")
        return {group["group_id"]} if group else set()

    def route_table_of(self, subnet_id):
        main = None
        for table in self.route_tables:
            for association in table.get("associations") or []:
                if association.get("subnet_id") == subnet_id:
                    return table
                if association.get("main"):
                    main = table
        return main

    def nginx_port(self):
        service = self.service()
        for balancer in (service or {}).get("load_balancers") or []:
            if balancer.get("container_port"):
                return int(balancer["container_port"])
        for target_group in self.target_groups:
            if target_group.get("port"):
                return int(target_group["port"])
        return None


def _default_route(table):
    for route in (table or {}).get("routes") or []:
        if route.get("destination_cidr_block") == "0.0.0.0/0":
            return route
    return None


def _nat_problem(stack, table):
    """Why the route table does not send outbound traffic through a working NAT gateway, or None if it does."""
    route = _default_route(table)
    if route is None:
        return "no default route (0.0.0.0/0)"
    nat_id = route.get("nat_gateway_id")
    if not nat_id:
        target = route.get("gateway_id") or route.get("network_interface_id") or route.get("transit_gateway_id")
        return f"its default route goes to {target}, not to a NAT gateway"
    nat = stack.nat_gateways.get(nat_id)
    state = (nat or {}).get("state", "missing")
    if route.get("state") == "blackhole" or state != "available":
        return f"its default route goes to NAT gateway {nat_id}, which is {state} (a blackhole)"
    return None


def _endpoint_gaps(stack, table, subnet):
    """The services a subnet cannot reach through VPC endpoints."""
    region_suffix = {}
    for endpoint in stack.endpoints:
        service = str(endpoint.get("service_name", "")).split(".", 3)[-1]
        region_suffix.setdefault(service, []).append(endpoint)
    missing = []
    for service in ENDPOINT_SERVICES:
        usable = [
            e
            for e in region_suffix.get(service, [])
            if e.get("vpc_endpoint_type") == "Interface"
            and e.get("private_dns_enabled")
            and any(
                (stack.subnets.get(i) or {}).get("availability_zone") == subnet.get("availability_zone")
                for i in e.get("subnet_ids") or []
            )
        ]
        if not usable:
            missing.append(service)
    table_id = (table or {}).get("route_table_id") or (table or {}).get("id")
    if not any(
        e.get("vpc_endpoint_type") == "Gateway" and table_id in (e.get("route_table_ids") or [])
        for e in region_suffix.get("s3", [])
    ):
        missing.append("s3")
    return missing


def check_network(stack):
    findings = []
    subnets = stack.service_subnets()
    if not subnets:
        return [
            _finding("network", "subnets", "The stack has no private subnets for the tasks: run the network layer.")
        ]
    for subnet in subnets:
        label = f"{_label(subnet, 'subnet_id')} in {subnet.get('availability_zone', 'an unknown zone')}"
        if (subnet.get("tags") or {}).get("Tier") == "public" or subnet.get("map_public_ip_on_launch"):
            findings.append(
                _finding(
                    "network",
                    subnet.get("subnet_id"),
                    f"Tasks run in {label}, a public subnet: they must run in the private subnets.",
                )
            )
        table = stack.route_table_of(subnet.get("subnet_id"))
        nat_problem = _nat_problem(stack, table)
        gaps = _endpoint_gaps(stack, table, subnet)
        if nat_problem and gaps:
            findings.append(
                _finding(
                    "network",
                    subnet.get("subnet_id"),
                    f"Tasks in {label} cannot pull images or write logs: route table {_label(table or {}, 'route_table_id')} "
                    f"has {nat_problem}, and there is no VPC endpoint for {', '.join(gaps)} that serves it.",
                )
            )
    findings += _endpoint_group_findings(stack)
    for group_id in sorted(stack.service_groups()):
        group = stack.groups.get(group_id)
        if group is not None and not _permits(group, "ip_permissions_egress", HTTPS_PORT, set(), ["0.0.0.0/0"]):
            endpoint_groups = {g for e in stack.endpoints for g in (x.get("group_id") for x in e.get("groups") or [])}
            if not _permits(group, "ip_permissions_egress", HTTPS_PORT, endpoint_groups, []):
                findings.append(
                    _finding(
                        "network",
                        group_id,
                        f"The service security group {_label(group, 'group_id')} allows no outbound HTTPS: tasks cannot reach ECR, S3 or CloudWatch Logs.",
                    )
                )
    return findings


def _endpoint_group_findings(stack):
    """Interface endpoints with private DNS take every ECR/logs call in the VPC, NAT or not: their groups must admit the tasks."""
    findings = []
    service_groups = stack.service_groups()
    cidrs = [s.get("cidr_block") for s in stack.service_subnets() if s.get("cidr_block")]
    for endpoint in stack.endpoints:
        if endpoint.get("vpc_endpoint_type") != "Interface" or not endpoint.get("private_dns_enabled"):
            continue
        groups = [stack.groups.get(g.get("group_id")) or {} for g in endpoint.get("groups") or []]
        if not any(_permits(g, "ip_permissions", HTTPS_PORT, service_groups, cidrs) for g in groups):
            service = str(endpoint.get("service_name", "")).split(".", 3)[-1]
            findings.append(
                _finding(
                    "network",
                    endpoint.get("vpc_endpoint_id"),
                    f"The {service} endpoint {endpoint.get('vpc_endpoint_id')} answers every {service} call in the VPC, but its security "
                    f"groups do not admit HTTPS from the tasks: calls time out even with a NAT gateway.",
                )
            )
    return findings


def _file_system_or_finding(stack):
    if not stack.file_systems:
        return None, [_finding("storage", "file system", "The stack has no EFS file system: run the storage layer.")]
    return stack.file_systems[0], []


def check_storage(stack):
    file_system, findings = _file_system_or_finding(stack)
    if file_system is None:
        return findings
    fs_label = _label(file_system, "file_system_id")
    targets = [t for t in file_system.get("mount_targets") or [] if t.get("life_cycle_state") == "available"]
    zones = {t.get("availability_zone_name") for t in targets}
    for subnet in stack.service_subnets():
        zone = subnet.get("availability_zone")
        if zone and zone not in zones:
            findings.append(
                _finding(
                    "storage",
                    subnet.get("subnet_id"),
                    f"Tasks run in {zone} ({_label(subnet, 'subnet_id')}), where {fs_label} has no available mount target: "
                    "tasks placed there cannot mount it and never start.",
                )
            )
    efs_groups = {g for t in targets for g in t.get("security_groups") or []}
    service_groups = stack.service_groups()
    service_cidrs = [s.get("cidr_block") for s in stack.service_subnets() if s.get("cidr_block")]
    if targets and not any(
        _permits(stack.groups.get(g) or {}, "ip_permissions", NFS_PORT, service_groups, service_cidrs)
        for g in efs_groups
    ):
        findings.append(
            _finding(
                "storage",
                ", ".join(sorted(efs_groups)),
                f"The mount targets' security groups ({', '.join(sorted(efs_groups))}) do not admit NFS (TCP 2049) from the service "
                f"security group: tasks cannot mount {fs_label}.",
            )
        )
    target_cidrs = [f"{t['ip_address']}/32" for t in targets if t.get("ip_address")]
    for group_id in sorted(service_groups):
        group = stack.groups.get(group_id)
        if (
            group is not None
            and targets
            and not _permits(group, "ip_permissions_egress", NFS_PORT, efs_groups, target_cidrs)
        ):
            findings.append(
                _finding(
                    "storage",
                    group_id,
                    f"The service security group {_label(group, 'group_id')} allows no outbound NFS (TCP 2049) to the mount targets: "
                    f"tasks cannot mount {fs_label}.",
                )
            )
    return findings


def check_vpn(stack, expected=True):
    if not expected:
        return []
    file_system, findings = _file_system_or_finding(stack)
    if file_system is None:
        return findings
    if not stack.vpn_endpoints:
        return [
            _finding(
                "storage", "Client VPN", "The stack has no Client VPN endpoint: operators cannot reach the file system."
            )
        ]
    endpoint = stack.vpn_endpoints[0]
    vpn_label = f"Client VPN endpoint {endpoint.get('client_vpn_endpoint_id')}"
    rules = [r for r in endpoint.get("authorization_rules") or [] if r.get("status") == "active"]
    routes = [r for r in endpoint.get("routes") or [] if r.get("status") == "active"]
    associated = {a.get("subnet_id") for a in endpoint.get("associations") or [] if a.get("status") == "associated"}
    for association in endpoint.get("associations") or []:
        if association.get("status") == "association-failed":
            subnet = stack.subnets.get(association.get("subnet_id")) or {}
            zone = subnet.get("availability_zone") or "its zone"
            findings.append(
                _finding(
                    "storage",
                    association.get("subnet_id"),
                    f"The {vpn_label} could not be associated with subnet {association.get('subnet_id')} in {zone}: "
                    f"{(association.get('status_message') or 'AWS gave no reason').rstrip('.')}. "
                    "Operators in that zone have no path.",
                )
            )
    if not associated:
        findings.append(
            _finding(
                "storage",
                endpoint.get("client_vpn_endpoint_id"),
                f"The {vpn_label} has no associated subnet: nobody can connect.",
            )
        )
    for target in file_system.get("mount_targets") or []:
        subnet = stack.subnets.get(target.get("subnet_id")) or {}
        cidr = subnet.get("cidr_block") or (f"{target['ip_address']}/32" if target.get("ip_address") else None)
        if cidr is None:
            continue
        where = f"the mount target in {target.get('availability_zone_name')} ({cidr})"
        if not any(_covers(r.get("target_network_cidr"), cidr) for r in rules):
            findings.append(
                _finding(
                    "storage",
                    endpoint.get("client_vpn_endpoint_id"),
                    f"No active authorization rule of the {vpn_label} covers {where}: operators are refused.",
                )
            )
        if not any(_covers(r.get("destination_cidr"), cidr) and r.get("target_subnet") in associated for r in routes):
            findings.append(
                _finding(
                    "storage",
                    endpoint.get("client_vpn_endpoint_id"),
                    f"No active route of the {vpn_label} leads to {where}: operators' traffic goes nowhere.",
                )
            )
    efs_groups = {g for t in file_system.get("mount_targets") or [] for g in t.get("security_groups") or []}
    vpn_groups = set(endpoint.get("security_group_ids") or [])
    if efs_groups and not any(
        _permits(stack.groups.get(g) or {}, "ip_permissions", NFS_PORT, vpn_groups, []) for g in efs_groups
    ):
        findings.append(
            _finding(
                "storage",
                ", ".join(sorted(efs_groups)),
                f"The mount targets' security groups do not admit NFS (TCP 2049) from the {vpn_label}'s security groups "
                f"({', '.join(sorted(vpn_groups)) or 'none'}): operators cannot mount the file system.",
            )
        )
    return findings


def check_loadbalancer(stack):
    alb, service = stack.group("alb"), stack.group("service")
    port = stack.nginx_port()
    if alb is None or service is None or port is None:
        missing = [
            n
            for n, v in (("ALB security group", alb), ("service security group", service), ("target group", port))
            if v is None
        ]
        return [
            _finding(
                "loadbalancer",
                "load balancer",
                f"The stack has no {' and no '.join(missing)}: run the network and loadbalancer layers.",
            )
        ]
    findings = []
    alb_id, service_id = alb["group_id"], service["group_id"]
    if not _permits(alb, "ip_permissions_egress", port, {service_id}, []):
        findings.append(
            _finding(
                "loadbalancer",
                alb_id,
                f"The ALB security group {_label(alb, 'group_id')} does not let the ALB reach nginx on TCP {port} in "
                f"{_label(service, 'group_id')}: every target stays unhealthy.",
            )
        )
    if not _permits(service, "ip_permissions", port, {alb_id}, []):
        findings.append(
            _finding(
                "loadbalancer",
                service_id,
                f"The service security group {_label(service, 'group_id')} does not admit TCP {port} from the ALB: every target stays unhealthy.",
            )
        )
    for rule in alb.get("ip_permissions_egress") or []:
        if not _only_to_port(rule, port, service_id):
            findings.append(
                _finding(
                    "loadbalancer",
                    alb_id,
                    f"The ALB security group {_label(alb, 'group_id')} also lets the ALB out to {_rule_text(rule)}: it should reach only nginx on TCP {port}.",
                )
            )
    for rule in service.get("ip_permissions") or []:
        if not _only_to_port(rule, port, alb_id):
            findings.append(
                _finding(
                    "loadbalancer",
                    service_id,
                    f"The service security group {_label(service, 'group_id')} also admits {_rule_text(rule)}: "
                    f"only the ALB should reach the tasks, on nginx's TCP {port}.",
                )
            )
    return findings


def check_fargate(stack):
    service = stack.service()
    if service is None:
        return []
    vpc_config = (service.get("network_configuration") or {}).get("awsvpc_configuration") or {}
    findings = []
    if vpc_config.get("assign_public_ip") == "ENABLED":
        findings.append(
            _finding(
                "fargate",
                service.get("service_name"),
                f"The service {service.get('service_name')} gives its tasks public IPs: they must stay private behind the ALB.",
            )
        )
    if not (service.get("load_balancers") or []):
        findings.append(
            _finding(
                "fargate",
                service.get("service_name"),
                f"The service {service.get('service_name')} is not attached to a target group: the ALB never sends it traffic.",
            )
        )
    return findings


def preflight_findings(gathered, layers=None, vpn_expected=True):
    """Every problem found in the gathered configuration, as ``{layer, resource, message}``, for the ``layers`` asked.

    ``layers`` (default: all) limits the checks to those layers; ``vpn_expected`` false skips the Client VPN checks.
    """
    wanted = set(LAYERS if layers is None else layers)
    unknown = wanted - set(LAYERS)
    if unknown:
        raise AnsibleFilterError(f"preflight_findings: unknown layers {sorted(unknown)}; known: {list(LAYERS)}")
    stack = _Stack(gathered)
    if stack.vpc is None:
        return [
            _finding(
                "network",
                "VPC",
                "The stack has no VPC (none is tagged with its Stack and Environment): run site.yml first.",
            )
        ]
    findings = []
    if "network" in wanted:
        findings += check_network(stack)
    if "storage" in wanted:
        findings += check_storage(stack) + check_vpn(stack, expected=vpn_expected)
    if "loadbalancer" in wanted:
        findings += check_loadbalancer(stack)
    if "fargate" in wanted:
        findings += check_fargate(stack)
    unique = []
    for finding in findings:
        if finding not in unique:
            unique.append(finding)
    return unique


def endpoint_zone_gaps(service_details, zones):
    """For each endpoint service, the stack's ``zones`` it does not cover (DescribeVpcEndpointServices
    ``AvailabilityZones``), as warnings: an interface endpoint gets no network interface there, and CreateVpcEndpoint
    with a subnet in such a zone answers ``InvalidParameter`` ("does not support the availability zone of the
    subnet"). The network role places each endpoint only in the zones its service covers."""
    warnings = []
    for service in service_details or []:
        covered = service.get("availability_zones")
        if covered is None:
            continue
        missing = [zone for zone in zones or [] if zone not in covered]
        if not missing:
            continue
        name = service.get("service_name")
        if len(missing) == len(zones):
            warnings.append(
                f"The endpoint service {name} covers none of the stack's zones ({', '.join(zones)}): it has no "
                "endpoint, and tasks reach the service through the NAT gateway."
            )
        else:
            warnings.append(
                f"The endpoint service {name} does not cover {', '.join(missing)}: its endpoint has no interface "
                "there, and tasks in that zone reach it across zones."
            )
    return warnings


class FilterModule:
    def filters(self):
        return {"preflight_findings": preflight_findings, "endpoint_zone_gaps": endpoint_zone_gaps}
