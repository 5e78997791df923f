"""cloudops.fargate.client_vpn_endpoint_info against moto in this process, with the emulator's Client VPN extension
(moto 5.2.5 has no Client VPN API at all, DescribeClientVpnRoutes included).

The endpoint whose shape matters is made with cloudops.fargate.client_vpn_endpoint, so the info module is compared
with what that module returns; the others, and the manual route, are made with boto3. What AWS says is read back with
boto3 to build the expected results.
"""

from __future__ import annotations

import time

import pytest

from ansible_collections.cloudops.fargate.plugins.module_utils import _client_vpn
from ansible_collections.cloudops.fargate.plugins.modules import client_vpn_endpoint
from ansible_collections.cloudops.fargate.plugins.modules import client_vpn_endpoint_info
from emulator.extensions import ec2_client_vpn
from tests.unit.helpers import import_pki
from tests.unit.helpers import wait_until
from tests.unit.plugins.modules.test_documentation import documentation

NAME = "unit-vpn"
REGION = "us-east-1"
VPC_CIDR = "10.30.0.0/16"
CLIENT_CIDR = "172.16.0.0/22"
MANUAL_ROUTE = "10.99.0.0/16"
TAGS = {"Stack": "unit", "Environment": "test", "ManagedBy": "cloudops.fargate"}
DELAY = 0.05  # seconds the emulator takes for an association, a rule, a route, a deletion


# --- fixtures ----------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def client_vpn_emulated(monkeypatch):
    """The emulator's Client VPN in this process (process-wide, idempotent), with short transitions."""
    ec2_client_vpn.install()
    monkeypatch.setenv(ec2_client_vpn.DELAY_VARIABLE, str(DELAY))
    monkeypatch.setattr(_client_vpn, "POLL_DELAY", 0.02)


@pytest.fixture
def ec2(aws):
    return aws("ec2")


@pytest.fixture
def pki(aws):
    pki = import_pki(aws("acm"))
    return {"server_arn": pki.server_arn, "client_root_arn": pki.client_root_arn}


@pytest.fixture
def network(ec2):
    vpc_id = ec2.create_vpc(CidrBlock=VPC_CIDR)["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.30.{i}.0/24", AvailabilityZone=f"{REGION}{zone}")["Subnet"][
            "SubnetId"
        ]
        for i, zone in enumerate("ab")
    ]
    group = ec2.create_security_group(GroupName="vpn", Description="vpn", VpcId=vpc_id)["GroupId"]
    return {"vpc_id": vpc_id, "subnets": subnets, "group": group}


@pytest.fixture
def managed(run_module, pki, network, ec2):
    """The stack's endpoint as client_vpn_endpoint makes it (two subnets, a rule), plus a manual route; returns
    what client_vpn_endpoint returns of it, unchanged, once the route is active."""
    args = {
        "name": NAME,
        "server_certificate_arn": pki["server_arn"],
        "client_root_certificate_chain_arn": pki["client_root_arn"],
        "client_cidr_block": CLIENT_CIDR,
        "vpc_id": network["vpc_id"],
        "security_group_ids": [network["group"]],
        "subnet_ids": network["subnets"],
        "dns_servers": ["10.30.0.2"],
        "authorization_rules": [{"target_network_cidr": VPC_CIDR, "description": "the VPC"}],
        "connection_log": {"enabled": False},
        "tags": TAGS,
    }
    created = run_module(client_vpn_endpoint, args)
    assert not created["failed"] and created["changed"], created
    endpoint_id = created["client_vpn_endpoint"]["client_vpn_endpoint_id"]
    ec2.create_client_vpn_route(
        ClientVpnEndpointId=endpoint_id,
        DestinationCidrBlock=MANUAL_ROUTE,
        TargetVpcSubnetId=network["subnets"][0],
        Description="peered VPC",
    )
    wait_until(
        lambda: all(r["Status"]["Code"] == "active" for r in routes_of(ec2, endpoint_id)),
        "the routes are active",
        timeout=5.0,
        interval=DELAY,
    )
    again = run_module(client_vpn_endpoint, args)
    assert not again["failed"] and not again["changed"], again
    return again["client_vpn_endpoint"]


@pytest.fixture
def other(ec2, pki):
    """Another endpoint, of another environment, without target networks, made with boto3; returns its ID."""
    return create_endpoint(ec2, pki, "unit-other", Stack="unit", Environment="prod", Version="2")


@pytest.fixture
def info(run_module):
    def run_info(args, check_mode=False):
        result = run_module(client_vpn_endpoint_info, args, check_mode=check_mode)
        assert not result["failed"], result.get("msg")
        assert result["changed"] is False
        return result["client_vpn_endpoints"]

    return run_info


# --- helpers -----------------------------------------------------------------------------------------------


def create_endpoint(ec2, pki, name=None, cidr="172.20.0.0/22", **tags):
    if name is not None:
        tags["Name"] = name
    request = {
        "ClientCidrBlock": cidr,
        "ServerCertificateArn": pki["server_arn"],
        "AuthenticationOptions": [
            {
                "Type": "certificate-authentication",
                "MutualAuthentication": {"ClientRootCertificateChainArn": pki["client_root_arn"]},
            }
        ],
        "ConnectionLogOptions": {"Enabled": False},
    }
    if tags:
        request["TagSpecifications"] = [
            {"ResourceType": "client-vpn-endpoint", "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}
        ]
    return ec2.create_client_vpn_endpoint(**request)["ClientVpnEndpointId"]


def routes_of(ec2, endpoint_id):
    return ec2.describe_client_vpn_routes(ClientVpnEndpointId=endpoint_id)["Routes"]


def ids_of(endpoints):
    return [e["client_vpn_endpoint_id"] for e in endpoints]


def without_routes(endpoint):
    return {key: value for key, value in endpoint.items() if key != "routes"}


def expected_routes(ec2, endpoint_id):
    """DescribeClientVpnRoutes as boto3 reads it, in the module's shape and order."""
    return sorted(
        (
            {
                "destination_cidr": r["DestinationCidr"],
                "target_subnet": r["TargetSubnet"],
                "origin": r["Origin"],
                "type": r["Type"],
                "description": r.get("Description"),
                "status": r["Status"]["Code"],
            }
            for r in routes_of(ec2, endpoint_id)
        ),
        key=lambda r: (r["destination_cidr"], r["target_subnet"], r["origin"]),
    )


# --- the endpoint with its children --------------------------------------------------------------------------


def test_returns_the_shape_of_client_vpn_endpoint_plus_routes(managed, info, ec2, network):
    endpoints = info({"name": NAME})

    assert len(endpoints) == 1
    endpoint = endpoints[0]
    assert without_routes(endpoint) == managed
    assert [a["subnet_id"] for a in endpoint["associations"]] == sorted(network["subnets"])
    assert {a["status"] for a in endpoint["associations"]} == {"associated"}
    assert [
        (r["target_network_cidr"], r["authorize_all_groups"], r["status"]) for r in endpoint["authorization_rules"]
    ] == [(VPC_CIDR, True, "active")]
    # AWS's own route per target network (to the VPC's network) and the one added by CreateClientVpnRoute
    by_origin = {}
    for route in endpoint["routes"]:
        by_origin.setdefault(route["origin"], []).append((route["destination_cidr"], route["target_subnet"]))
    assert sorted(by_origin["associate"]) == sorted((VPC_CIDR, subnet) for subnet in network["subnets"])
    assert by_origin["add-route"] == [(MANUAL_ROUTE, network["subnets"][0])]
    assert {r["status"] for r in endpoint["routes"]} == {"active"}
    assert endpoint["routes"] == expected_routes(ec2, managed["client_vpn_endpoint_id"])
    assert [r["description"] for r in endpoint["routes"] if r["origin"] == "add-route"] == ["peered VPC"]


def test_no_filter_lists_every_endpoint_by_name(managed, other, info, ec2, pki):
    unnamed = create_endpoint(ec2, pki, cidr="172.24.0.0/22", Stack="unit")

    endpoints = info({})

    assert ids_of(endpoints) == [other, managed["client_vpn_endpoint_id"], unnamed]  # unit-other, unit-vpn, none
    assert [e["name"] for e in endpoints] == ["unit-other", NAME, None]
    other_endpoint = endpoints[0]
    assert other_endpoint["status"] == "pending-associate"
    assert other_endpoint["associations"] == []
    assert other_endpoint["authorization_rules"] == []
    assert other_endpoint["routes"] == []
    assert other_endpoint["tags"] == {"Name": "unit-other", "Stack": "unit", "Environment": "prod", "Version": "2"}


def test_no_endpoints_is_an_empty_list(aws, info):
    assert info({}) == []


def test_a_new_route_reports_its_progress(managed, info, ec2, network, monkeypatch):
    monkeypatch.setenv(ec2_client_vpn.DELAY_VARIABLE, "30")
    endpoint_id = managed["client_vpn_endpoint_id"]
    ec2.create_client_vpn_route(
        ClientVpnEndpointId=endpoint_id, DestinationCidrBlock="10.98.0.0/16", TargetVpcSubnetId=network["subnets"][1]
    )

    routes = info({"client_vpn_endpoint_ids": [endpoint_id]})[0]["routes"]
    new = [r for r in routes if r["destination_cidr"] == "10.98.0.0/16"]
    assert [(r["status"], r["origin"], r["description"]) for r in new] == [("creating", "add-route", None)]

    monkeypatch.setattr(ec2_client_vpn, "_clock", lambda: time.monotonic() + 60)  # AWS gets there in the end
    routes = info({"client_vpn_endpoint_ids": [endpoint_id]})[0]["routes"]
    assert [r["status"] for r in routes if r["destination_cidr"] == "10.98.0.0/16"] == ["active"]
    assert routes == expected_routes(ec2, endpoint_id)


# --- lookups -----------------------------------------------------------------------------------------------


def test_by_name(managed, other, info):
    assert ids_of(info({"name": "unit-other"})) == [other]
    assert ids_of(info({"name": NAME})) == [managed["client_vpn_endpoint_id"]]
    assert info({"name": "unit-missing"}) == []


def test_by_tags_all_must_match(managed, other, info):
    assert ids_of(info({"tags": TAGS})) == [managed["client_vpn_endpoint_id"]]
    assert ids_of(info({"tags": {"Stack": "unit"}})) == [other, managed["client_vpn_endpoint_id"]]
    assert ids_of(info({"tags": {"Stack": "unit", "Environment": "prod"}})) == [other]
    assert ids_of(info({"tags": {"Version": 2}})) == [other], "values are compared as strings"
    assert info({"tags": {"Stack": "unit", "Environment": "staging"}}) == []
    assert info({"tags": {"Owner": "nobody"}}) == []


def test_name_and_tags_combine(managed, other, info):
    assert ids_of(info({"name": NAME, "tags": {"Stack": "unit"}})) == [managed["client_vpn_endpoint_id"]]
    assert info({"name": NAME, "tags": {"Environment": "prod"}}) == []
    assert ids_of(info({"name": NAME, "tags": {"Name": NAME}})) == [managed["client_vpn_endpoint_id"]]


def test_by_ids_in_the_order_given(managed, other, info):
    endpoint_id = managed["client_vpn_endpoint_id"]

    assert ids_of(info({"client_vpn_endpoint_ids": [other, endpoint_id]})) == [other, endpoint_id]
    assert ids_of(info({"client_vpn_endpoint_ids": [endpoint_id, other, endpoint_id]})) == [endpoint_id, other]
    endpoints = info({"client_vpn_endpoint_ids": [endpoint_id]})
    assert [without_routes(e) for e in endpoints] == [managed]


def test_ids_and_tags_combine(managed, other, info):
    both = [other, managed["client_vpn_endpoint_id"]]
    assert ids_of(info({"client_vpn_endpoint_ids": both, "tags": {"Environment": "prod"}})) == [other]
    assert info({"client_vpn_endpoint_ids": [other], "name": NAME}) == []


def test_an_unknown_id_is_left_out(managed, other, info, ec2):
    unknown = "cvpn-endpoint-0123456789abcdef0"
    # what AWS (and the emulator) answers: the whole call fails
    with pytest.raises(ec2.exceptions.ClientError) as raised:
        ec2.describe_client_vpn_endpoints(ClientVpnEndpointIds=[unknown, other])
    assert raised.value.response["Error"]["Code"] == "InvalidClientVpnEndpointId.NotFound"

    assert info({"client_vpn_endpoint_ids": [unknown]}) == []
    assert ids_of(info({"client_vpn_endpoint_ids": [unknown, other]})) == [other]
    assert ids_of(info({"client_vpn_endpoint_ids": [managed["client_vpn_endpoint_id"], unknown, other]})) == [
        managed["client_vpn_endpoint_id"],
        other,
    ]


def test_an_unknown_id_without_any_endpoint_is_an_empty_list(aws, info):
    assert info({"client_vpn_endpoint_ids": ["cvpn-endpoint-0123456789abcdef0"]}) == []


def test_an_empty_id_list_matches_nothing(managed, info):
    assert info({"client_vpn_endpoint_ids": []}) == []


def test_endpoints_being_deleted_are_left_out(managed, other, info, ec2, monkeypatch):
    monkeypatch.setenv(ec2_client_vpn.DELAY_VARIABLE, "30")
    ec2.delete_client_vpn_endpoint(ClientVpnEndpointId=other)
    described = ec2.describe_client_vpn_endpoints(ClientVpnEndpointIds=[other])["ClientVpnEndpoints"]
    assert described[0]["Status"]["Code"] == "deleting"

    assert ids_of(info({})) == [managed["client_vpn_endpoint_id"]]
    assert info({"client_vpn_endpoint_ids": [other]}) == []
    assert info({"name": "unit-other"}) == []


def test_an_endpoint_gone_while_it_is_read_is_left_out(managed, info, monkeypatch):
    """Deleted between DescribeClientVpnEndpoints and the reading of its children: AWS answers NotFound."""
    listed = _client_vpn.ClientVpnEndpointInfoManager.describe_endpoints

    def describe_endpoints(self, ids):
        found = listed(self, ids)
        gone = dict(found[0], ClientVpnEndpointId="cvpn-endpoint-00000000000000000")
        return [gone, *found]

    monkeypatch.setattr(_client_vpn.ClientVpnEndpointInfoManager, "describe_endpoints", describe_endpoints)

    assert ids_of(info({})) == [managed["client_vpn_endpoint_id"]]


# --- what is read ------------------------------------------------------------------------------------------


@pytest.fixture
def children_read(monkeypatch):
    """The children the info manager asks AWS for, in order."""
    calls = []
    read_child = _client_vpn.ClientVpnEndpointInfoManager.read_child

    def spy(self, endpoint_id, child):
        calls.append(child)
        return read_child(self, endpoint_id, child)

    monkeypatch.setattr(_client_vpn.ClientVpnEndpointInfoManager, "read_child", spy)
    return calls


@pytest.mark.parametrize(
    "option, key",
    [
        ("include_associations", "associations"),
        ("include_authorization_rules", "authorization_rules"),
        ("include_routes", "routes"),
    ],
)
def test_include_false_leaves_out_the_key_and_the_call(managed, info, children_read, option, key):
    endpoint = info({"name": NAME, option: False})[0]

    assert key not in endpoint
    assert key not in children_read
    full = info({"name": NAME})[0]
    assert endpoint == {k: v for k, v in full.items() if k != key}


def test_include_nothing_reads_only_the_endpoints(managed, info, children_read):
    endpoint = info(
        {"name": NAME, "include_associations": False, "include_authorization_rules": False, "include_routes": False}
    )[0]

    assert children_read == []
    assert endpoint == {k: v for k, v in managed.items() if k not in ("associations", "authorization_rules")}


def test_by_default_every_child_is_read(managed, info, children_read):
    info({"name": NAME})
    assert sorted(children_read) == ["associations", "authorization_rules", "routes"]


def test_check_mode_reads_the_same(managed, other, info):
    assert info({}, check_mode=True) == info({})
    assert ids_of(info({"name": NAME}, check_mode=True)) == [managed["client_vpn_endpoint_id"]]


# --- bad input -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, message",
    [
        ({"name": ""}, "name must be a non-empty string"),
        ({"name": NAME, "tags": {"Name": "other"}}, "tags.Name is 'other' but name is 'unit-vpn'"),
        ({"client_vpn_endpoint_ids": ["cvpn-endpoint-0123456789abcdef0", " "]}, "client_vpn_endpoint_ids[1]"),
        ({"include_routes": "sometimes"}, "include_routes"),
    ],
)
def test_bad_input_fails_before_any_call(run_module, aws, monkeypatch, args, message):
    monkeypatch.setattr(
        _client_vpn.ClientVpnEndpointInfoManager,
        "describe_endpoints",
        lambda self, ids: pytest.fail("called AWS"),
    )
    result = run_module(client_vpn_endpoint_info, args)

    assert result["failed"]
    assert message in result["msg"]


# --- documentation -------------------------------------------------------------------------------------------


def test_include_options_are_those_of_the_manager():
    options = set(documentation(client_vpn_endpoint_info, "DOCUMENTATION")["options"])
    assert set(_client_vpn.INFO_CHILDREN.values()) <= options


def _structure(fields):
    """The documented fields without their prose: names, types, elements, nesting."""
    return {
        name: (field["type"], field.get("elements"), _structure(field["contains"]) if "contains" in field else None)
        for name, field in fields.items()
    }


def test_returned_fields_are_those_of_client_vpn_endpoint_plus_routes():
    info_fields = documentation(client_vpn_endpoint_info, "RETURN")["client_vpn_endpoints"]["contains"]
    model_fields = documentation(client_vpn_endpoint, "RETURN")["client_vpn_endpoint"]["contains"]
    assert set(info_fields) == set(model_fields) | {"routes"}
    info_structure = _structure(info_fields)
    assert {name: info_structure[name] for name in model_fields} == _structure(model_fields)
    assert set(info_fields["routes"]["contains"]) == set(_client_vpn.normalize_route({}))


def test_returned_fields_are_documented(managed, info):
    """Every key the module returns is documented, and every documented key is returned."""
    documented = documentation(client_vpn_endpoint_info, "RETURN")["client_vpn_endpoints"]["contains"]
    endpoint = info({"name": NAME})[0]
    assert set(endpoint) == set(documented)
    for child in ("associations", "authorization_rules", "routes"):
        assert endpoint[child], child
        contains = documented[child]["contains"]
        always = {key for key, field in contains.items() if not str(field.get("returned", "")).startswith("when")}
        for item in endpoint[child]:
            assert always <= set(item) <= set(contains), child
    assert set(endpoint["connection_log_options"]) == set(documented["connection_log_options"]["contains"])
