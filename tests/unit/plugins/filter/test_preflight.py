"""Preflight findings: a healthy stack has none; each broken path is named, in plain words, with its resource."""

from __future__ import annotations

import copy

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.cloudops.fargate.plugins.filter.preflight import endpoint_zone_gaps, preflight_findings

ALB = "sg-alb"
SERVICE = "sg-service"
EFS = "sg-efs"
VPN = "sg-vpn"
ENDPOINTS = "sg-endpoints"
NAT = "nat-a"
PRIVATE = {
    "us-east-1a": ("subnet-pa", "10.20.128.0/20", "rtb-pa"),
    "us-east-1b": ("subnet-pb", "10.20.144.0/20", "rtb-pb"),
}
PUBLIC = {"us-east-1a": ("subnet-ua", "10.20.0.0/20"), "us-east-1b": ("subnet-ub", "10.20.16.0/20")}


def _rule(port, groups=(), cidrs=(), protocol="tcp", to_port=None):
    return {
        "ip_protocol": protocol,
        "from_port": port,
        "to_port": port if to_port is None else to_port,
        "user_id_group_pairs": [{"group_id": g} for g in groups],
        "ip_ranges": [{"cidr_ip": c} for c in cidrs],
        "ipv6_ranges": [],
        "prefix_list_ids": [],
    }


def _group(group_id, purpose, ingress=(), egress=()):
    return {
        "group_id": group_id,
        "tags": {"Name": f"demo-local-{purpose}", "Purpose": purpose},
        "ip_permissions": list(ingress),
        "ip_permissions_egress": list(egress),
    }


def _subnet(subnet_id, cidr, zone, tier):
    return {
        "subnet_id": subnet_id,
        "cidr_block": cidr,
        "availability_zone": zone,
        "map_public_ip_on_launch": False,
        "tags": {"Name": f"demo-local-{tier}-{zone[-1]}", "Tier": tier},
    }


def _interface_endpoint(service, endpoint_id):
    return {
        "vpc_endpoint_id": endpoint_id,
        "service_name": f"com.amazonaws.us-east-1.{service}",
        "vpc_endpoint_type": "Interface",
        "state": "available",
        "private_dns_enabled": True,
        "subnet_ids": [v[0] for v in PRIVATE.values()],
        "route_table_ids": [],
        "groups": [{"group_id": ENDPOINTS}],
    }


def healthy():
    """The configuration site.yml builds: what every test breaks one piece of."""
    subnets = [_subnet(s, c, z, "private") for z, (s, c, _table) in PRIVATE.items()]
    subnets += [_subnet(s, c, z, "public") for z, (s, c) in PUBLIC.items()]
    tables = [
        {
            "route_table_id": table,
            "tags": {"Name": f"demo-local-private-{zone[-1]}"},
            "associations": [{"subnet_id": subnet, "main": False}],
            "routes": [
                {"destination_cidr_block": "10.20.0.0/16", "gateway_id": "local", "state": "active"},
                {"destination_cidr_block": "0.0.0.0/0", "nat_gateway_id": NAT, "state": "active"},
            ],
        }
        for zone, (subnet, _cidr, table) in PRIVATE.items()
    ]
    tables.append(
        {
            "route_table_id": "rtb-main",
            "tags": {},
            "associations": [{"main": True}],
            "routes": [{"destination_cidr_block": "10.20.0.0/16", "gateway_id": "local", "state": "active"}],
        }
    )
    return {
        "vpc": {"vpc_id": "vpc-1", "cidr_block": "10.20.0.0/16"},
        "subnets": subnets,
        "route_tables": tables,
        "nat_gateways": [{"nat_gateway_id": NAT, "state": "available", "subnet_id": "subnet-ua"}],
        "vpc_endpoints": [_interface_endpoint(s, f"vpce-{s}") for s in ("ecr.api", "ecr.dkr", "logs")]
        + [
            {
                "vpc_endpoint_id": "vpce-s3",
                "service_name": "com.amazonaws.us-east-1.s3",
                "vpc_endpoint_type": "Gateway",
                "state": "available",
                "private_dns_enabled": False,
                "subnet_ids": [],
                "route_table_ids": [v[2] for v in PRIVATE.values()],
                "groups": [],
            }
        ],
        "security_groups": [
            _group(
                ALB,
                "alb",
                ingress=[_rule(443, cidrs=["0.0.0.0/0"]), _rule(80, cidrs=["0.0.0.0/0"])],
                egress=[_rule(8080, groups=[SERVICE])],
            ),
            _group(
                SERVICE,
                "service",
                ingress=[_rule(8080, groups=[ALB])],
                egress=[_rule(443, cidrs=["0.0.0.0/0"]), _rule(2049, groups=[EFS])],
            ),
            _group(EFS, "efs", ingress=[_rule(2049, groups=[SERVICE, VPN])]),
            _group(VPN, "vpn", egress=[_rule(2049, groups=[EFS])]),
            _group(ENDPOINTS, "endpoints", ingress=[_rule(443, groups=[SERVICE])]),
        ],
        "target_groups": [{"target_group_name": "demo-local-web", "port": 8080}],
        "file_systems": [
            {
                "file_system_id": "fs-1",
                "tags": {"Name": "demo-local-static"},
                "mount_targets": [
                    {
                        "subnet_id": s,
                        "availability_zone_name": z,
                        "ip_address": c.replace(".0/20", ".4"),
                        "life_cycle_state": "available",
                        "security_groups": [EFS],
                    }
                    for z, (s, c, _table) in PRIVATE.items()
                ],
            }
        ],
        "services": [
            {
                "service_name": "demo-local-web",
                "status": "ACTIVE",
                "network_configuration": {
                    "awsvpc_configuration": {
                        "assign_public_ip": "DISABLED",
                        "security_groups": [SERVICE],
                        "subnets": [v[0] for v in PRIVATE.values()],
                    }
                },
                "load_balancers": [{"container_name": "nginx", "container_port": 8080, "target_group_arn": "arn:tg"}],
            }
        ],
        "vpn_endpoints": [
            {
                "client_vpn_endpoint_id": "cvpn-endpoint-1",
                "status": "available",
                "security_group_ids": [VPN],
                "associations": [{"subnet_id": s, "status": "associated"} for s, _cidr, _table in PRIVATE.values()],
                "authorization_rules": [
                    {"target_network_cidr": "10.20.0.0/16", "authorize_all_groups": True, "status": "active"}
                ],
                "routes": [
                    {"destination_cidr": "10.20.0.0/16", "target_subnet": s, "status": "active"}
                    for s, _cidr, _table in PRIVATE.values()
                ],
            }
        ],
    }


def _group_of(stack, group_id):
    return next(g for g in stack["security_groups"] if g["group_id"] == group_id)


def _messages(stack, **kwargs):
    return [f["message"] for f in preflight_findings(stack, **kwargs)]


def test_the_stack_site_builds_has_no_findings():
    assert preflight_findings(healthy()) == []


def test_no_vpc_is_one_finding_that_says_to_build_first():
    stack = healthy()
    stack["vpc"] = None
    assert _messages(stack) == [
        "The stack has no VPC (none is tagged with its Stack and Environment): run site.yml first."
    ]


def _without_nat(stack):
    for table in stack["route_tables"]:
        table["routes"] = [r for r in table["routes"] if r["destination_cidr_block"] != "0.0.0.0/0"]


def test_endpoints_alone_are_enough_without_a_nat_gateway():
    stack = healthy()
    _without_nat(stack)
    assert preflight_findings(stack) == []


def test_nat_alone_is_enough_without_endpoints():
    stack = healthy()
    stack["vpc_endpoints"] = []
    assert preflight_findings(stack) == []


@pytest.mark.parametrize(
    ("break_it", "broken", "expected"),
    [
        (
            lambda s: s["nat_gateways"][0].update(state="deleted"),
            ["subnet-pa", "subnet-pb"],
            "goes to NAT gateway nat-a, which is deleted (a blackhole)",
        ),
        (
            lambda s: s["route_tables"][0]["routes"][1].update(state="blackhole"),
            ["subnet-pa"],
            "goes to NAT gateway nat-a, which is available (a blackhole)",
        ),
        (lambda s: s["route_tables"][0]["routes"].pop(1), ["subnet-pa"], "has no default route (0.0.0.0/0)"),
        (
            lambda s: s["route_tables"][0]["routes"][1].update(nat_gateway_id=None, gateway_id="igw-1"),
            ["subnet-pa"],
            "goes to igw-1, not to a NAT gateway",
        ),
    ],
)
def test_a_private_subnet_with_neither_nat_nor_endpoints_is_named_with_the_reason(break_it, broken, expected):
    stack = healthy()
    stack["vpc_endpoints"] = [e for e in stack["vpc_endpoints"] if "ecr.dkr" not in e["service_name"]]
    break_it(stack)
    findings = preflight_findings(stack)
    assert [f["resource"] for f in findings] == broken
    message = findings[0]["message"]
    assert "demo-local-private-a (subnet-pa) in us-east-1a cannot pull images" in message
    assert expected in message
    assert "no VPC endpoint for ecr.dkr that serves it" in message


def test_the_s3_gateway_must_be_on_the_subnets_route_table():
    stack = healthy()
    _without_nat(stack)
    stack["vpc_endpoints"][-1]["route_table_ids"] = ["rtb-pa"]
    findings = preflight_findings(stack)
    assert [f["resource"] for f in findings] == ["subnet-pb"]
    assert "no VPC endpoint for s3 that serves it" in findings[0]["message"]


def test_an_interface_endpoint_only_serves_the_zones_of_its_subnets():
    stack = healthy()
    _without_nat(stack)
    for endpoint in stack["vpc_endpoints"][:3]:
        endpoint["subnet_ids"] = ["subnet-pa"]
    findings = preflight_findings(stack)
    assert [f["resource"] for f in findings] == ["subnet-pb"]
    assert "ecr.api, ecr.dkr, logs" in findings[0]["message"]


def test_a_subnet_without_its_own_table_uses_the_main_one():
    stack = healthy()
    stack["vpc_endpoints"] = []
    stack["route_tables"][1]["associations"] = []
    findings = preflight_findings(stack)
    assert [f["resource"] for f in findings] == ["subnet-pb"]
    assert "route table rtb-main has no default route" in findings[0]["message"]


def test_an_endpoint_whose_group_refuses_the_tasks_breaks_calls_even_with_a_nat():
    stack = healthy()
    _group_of(stack, ENDPOINTS)["ip_permissions"] = []
    findings = preflight_findings(stack)
    assert sorted(f["resource"] for f in findings) == ["vpce-ecr.api", "vpce-ecr.dkr", "vpce-logs"]
    assert "do not admit HTTPS from the tasks: calls time out even with a NAT gateway" in findings[0]["message"]


def test_an_endpoint_group_admitting_the_subnets_cidrs_is_enough():
    stack = healthy()
    _group_of(stack, ENDPOINTS)["ip_permissions"] = [_rule(443, cidrs=["10.20.0.0/16"])]
    assert preflight_findings(stack) == []


def test_a_service_group_without_outbound_https_is_named():
    stack = healthy()
    _group_of(stack, SERVICE)["ip_permissions_egress"] = [_rule(2049, groups=[EFS])]
    assert _messages(stack) == [
        "The service security group demo-local-service (sg-service) allows no outbound HTTPS: tasks cannot reach ECR, S3 or CloudWatch Logs."
    ]


def test_tasks_in_a_public_subnet_are_named():
    stack = healthy()
    stack["services"][0]["network_configuration"]["awsvpc_configuration"]["subnets"] = ["subnet-pa", "subnet-ua"]
    stack["file_systems"][0]["mount_targets"].append(
        {
            "subnet_id": "subnet-ua",
            "availability_zone_name": "us-east-1a",
            "life_cycle_state": "available",
            "security_groups": [EFS],
        }
    )
    messages = _messages(stack, layers=["network"])
    assert any("Tasks run in demo-local-public-a (subnet-ua) in us-east-1a, a public subnet" in m for m in messages)
    assert any("(subnet-ua) in us-east-1a cannot pull images" in m for m in messages)


def test_efs_must_admit_nfs_from_the_service_group():
    stack = healthy()
    _group_of(stack, EFS)["ip_permissions"] = [_rule(2049, groups=[VPN])]
    assert _messages(stack) == [
        "The mount targets' security groups (sg-efs) do not admit NFS (TCP 2049) from the service security group: tasks cannot mount "
        "demo-local-static (fs-1)."
    ]


def test_efs_admitting_the_private_subnets_cidr_or_all_traffic_is_enough():
    for rule in (_rule(2049, cidrs=["10.20.128.0/17"]), _rule(0, protocol="-1", groups=[SERVICE], to_port=0)):
        stack = healthy()
        _group_of(stack, EFS)["ip_permissions"] = [rule, _rule(2049, groups=[VPN])]
        assert preflight_findings(stack) == [], rule


def test_efs_admitting_a_narrower_cidr_than_the_subnets_is_not_enough():
    stack = healthy()
    _group_of(stack, EFS)["ip_permissions"] = [_rule(2049, cidrs=["10.20.128.0/20"]), _rule(2049, groups=[VPN])]
    assert ["storage"] == [f["layer"] for f in preflight_findings(stack)]


def test_the_service_group_must_let_nfs_out():
    stack = healthy()
    _group_of(stack, SERVICE)["ip_permissions_egress"] = [_rule(443, cidrs=["0.0.0.0/0"])]
    assert _messages(stack) == [
        "The service security group demo-local-service (sg-service) allows no outbound NFS (TCP 2049) to the mount targets: tasks "
        "cannot mount demo-local-static (fs-1)."
    ]


@pytest.mark.parametrize("state", ["creating", "deleting", None])
def test_a_zone_without_an_available_mount_target_is_named(state):
    stack = healthy()
    targets = stack["file_systems"][0]["mount_targets"]
    if state is None:
        targets.pop(1)
    else:
        targets[1]["life_cycle_state"] = state
    messages = [m for m in _messages(stack) if "mount target:" in m]
    assert messages == [
        "Tasks run in us-east-1b (demo-local-private-b (subnet-pb)), where demo-local-static (fs-1) has no available mount target: "
        "tasks placed there cannot mount it and never start."
    ]


def test_without_a_service_the_private_subnets_stand_for_its_placement():
    stack = healthy()
    stack["services"] = []
    stack["file_systems"][0]["mount_targets"].pop(0)
    messages = _messages(stack)
    assert any("Tasks run in us-east-1a" in m for m in messages)
    assert not any("target group" in m for m in messages)


def test_a_missing_file_system_is_named_once():
    stack = healthy()
    stack["file_systems"] = []
    assert _messages(stack) == ["The stack has no EFS file system: run the storage layer."]


def test_a_missing_vpn_is_named_unless_the_vpn_is_off():
    stack = healthy()
    stack["vpn_endpoints"] = []
    assert _messages(stack) == ["The stack has no Client VPN endpoint: operators cannot reach the file system."]
    assert preflight_findings(stack, vpn_expected=False) == []


def test_vpn_rules_must_cover_every_efs_subnet():
    stack = healthy()
    stack["vpn_endpoints"][0]["authorization_rules"] = [
        {"target_network_cidr": "10.20.128.0/20", "authorize_all_groups": True, "status": "active"},
        {"target_network_cidr": "10.20.144.0/20", "authorize_all_groups": True, "status": "authorizing"},
    ]
    assert _messages(stack) == [
        "No active authorization rule of the Client VPN endpoint cvpn-endpoint-1 covers the mount target in us-east-1b "
        "(10.20.144.0/20): operators are refused."
    ]


def test_vpn_routes_must_lead_to_every_efs_subnet_through_an_associated_subnet():
    stack = healthy()
    endpoint = stack["vpn_endpoints"][0]
    endpoint["routes"] = [
        {"destination_cidr": "10.20.128.0/20", "target_subnet": "subnet-pa", "status": "active"},
        {"destination_cidr": "10.20.144.0/20", "target_subnet": "subnet-gone", "status": "active"},
    ]
    assert _messages(stack) == [
        "No active route of the Client VPN endpoint cvpn-endpoint-1 leads to the mount target in us-east-1b (10.20.144.0/20): "
        "operators' traffic goes nowhere."
    ]


def test_a_vpn_without_associations_is_named():
    stack = healthy()
    stack["vpn_endpoints"][0]["associations"] = []
    messages = _messages(stack)
    assert messages[0] == "The Client VPN endpoint cvpn-endpoint-1 has no associated subnet: nobody can connect."
    assert len(messages) == 3  # and no route is usable for either mount target


def test_efs_must_admit_nfs_from_the_vpn_groups():
    stack = healthy()
    _group_of(stack, EFS)["ip_permissions"] = [_rule(2049, groups=[SERVICE])]
    assert _messages(stack) == [
        "The mount targets' security groups do not admit NFS (TCP 2049) from the Client VPN endpoint cvpn-endpoint-1's security "
        "groups (sg-vpn): operators cannot mount the file system."
    ]


def test_the_alb_must_reach_nginx_and_the_service_must_admit_it():
    stack = healthy()
    _group_of(stack, ALB)["ip_permissions_egress"] = []
    _group_of(stack, SERVICE)["ip_permissions"] = []
    assert _messages(stack) == [
        "The ALB security group demo-local-alb (sg-alb) does not let the ALB reach nginx on TCP 8080 in demo-local-service "
        "(sg-service): every target stays unhealthy.",
        "The service security group demo-local-service (sg-service) does not admit TCP 8080 from the ALB: every target stays unhealthy.",
    ]


def test_the_alb_reaches_only_the_nginx_port():
    stack = healthy()
    _group_of(stack, ALB)["ip_permissions_egress"].append(_rule(0, protocol="-1", cidrs=["0.0.0.0/0"], to_port=0))
    _group_of(stack, SERVICE)["ip_permissions"].append(_rule(22, cidrs=["0.0.0.0/0"]))
    _group_of(stack, SERVICE)["ip_permissions"].append(_rule(9000, groups=[ALB]))
    assert _messages(stack, layers=["loadbalancer"]) == [
        "The ALB security group demo-local-alb (sg-alb) also lets the ALB out to all traffic with 0.0.0.0/0: it should reach only "
        "nginx on TCP 8080.",
        "The service security group demo-local-service (sg-service) also admits TCP 22 with 0.0.0.0/0: only the ALB should reach "
        "the tasks, on nginx's TCP 8080.",
        "The service security group demo-local-service (sg-service) also admits TCP 9000 with sg-alb: only the ALB should reach "
        "the tasks, on nginx's TCP 8080.",
    ]


def test_the_nginx_port_comes_from_the_service_then_the_target_group():
    stack = healthy()
    stack["target_groups"][0]["port"] = 80  # the service's container port wins
    assert preflight_findings(stack) == []
    stack["services"] = []
    assert any("nginx on TCP 80 " in m for m in _messages(stack))


def test_missing_load_balancer_pieces_say_which_layers_to_run():
    stack = healthy()
    stack["services"], stack["target_groups"] = [], []
    assert _messages(stack, layers=["loadbalancer"]) == [
        "The stack has no target group: run the network and loadbalancer layers."
    ]
    stack["security_groups"] = [g for g in stack["security_groups"] if g["group_id"] != ALB]
    assert _messages(stack, layers=["loadbalancer"]) == [
        "The stack has no ALB security group and no target group: run the network and loadbalancer layers."
    ]


def test_a_service_with_public_ips_or_no_target_group_is_named():
    stack = healthy()
    service = stack["services"][0]
    service["network_configuration"]["awsvpc_configuration"]["assign_public_ip"] = "ENABLED"
    service["load_balancers"] = []
    messages = _messages(stack, layers=["fargate"])
    assert messages == [
        "The service demo-local-web gives its tasks public IPs: they must stay private behind the ALB.",
        "The service demo-local-web is not attached to a target group: the ALB never sends it traffic.",
    ]


def test_layers_limit_the_checks():
    stack = healthy()
    _group_of(stack, EFS)["ip_permissions"] = []
    _group_of(stack, ALB)["ip_permissions_egress"] = []
    assert {f["layer"] for f in preflight_findings(stack)} == {"storage", "loadbalancer"}
    assert {f["layer"] for f in preflight_findings(stack, layers=["loadbalancer"])} == {"loadbalancer"}
    assert preflight_findings(stack, layers=[]) == []


def test_an_unknown_layer_or_input_is_an_error():
    with pytest.raises(AnsibleFilterError, match="unknown layers \\['registy'\\]"):
        preflight_findings(healthy(), layers=["registy"])
    with pytest.raises(AnsibleFilterError, match="expects a dict"):
        preflight_findings([])


def test_the_input_is_not_modified():
    stack = healthy()
    before = copy.deepcopy(stack)
    preflight_findings(stack)
    assert stack == before


def test_a_failed_vpn_association_is_named_with_the_zone_and_aws_reason():
    stack = healthy()
    subnet, _cidr, _table = PRIVATE["us-east-1b"]
    failed = {"subnet_id": subnet, "status": "association-failed", "status_message": "The zone is not supported."}
    stack["vpn_endpoints"][0]["associations"][1] = failed
    messages = _messages(stack)
    assert messages[0] == (
        f"The Client VPN endpoint cvpn-endpoint-1 could not be associated with subnet {subnet} in us-east-1b: "
        "The zone is not supported. Operators in that zone have no path."
    )


# --- the zones endpoint services cover -----------------------------------------------------------------------


def _service(name, zones):
    return {"service_name": f"com.amazonaws.us-east-1.{name}", "availability_zones": zones}


def test_services_covering_every_zone_of_the_stack_give_no_warning():
    services = [_service("ecr.api", ["us-east-1a", "us-east-1b", "us-east-1c"]), _service("logs", ["us-east-1a", "us-east-1b"])]
    assert endpoint_zone_gaps(services, ["us-east-1a", "us-east-1b"]) == []


def test_a_zone_a_service_does_not_cover_is_named():
    services = [_service("ecr.dkr", ["us-east-1a", "us-east-1c"])]
    assert endpoint_zone_gaps(services, ["us-east-1a", "us-east-1b"]) == [
        "The endpoint service com.amazonaws.us-east-1.ecr.dkr does not cover us-east-1b: its endpoint has no interface "
        "there, and tasks in that zone reach it across zones."
    ]


def test_a_service_covering_none_of_the_zones_has_no_endpoint():
    services = [_service("logs", ["us-east-1f"]), {"service_name": "com.amazonaws.us-east-1.s3"}]
    assert endpoint_zone_gaps(services, ["us-east-1a", "us-east-1b"]) == [
        "The endpoint service com.amazonaws.us-east-1.logs covers none of the stack's zones (us-east-1a, us-east-1b): "
        "it has no endpoint, and tasks reach the service through the NAT gateway."
    ]
