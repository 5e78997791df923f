"""cloudops.fargate.client_vpn_endpoint against moto in this process, with the emulator's Client VPN extension
(moto 5.2.5 has no Client VPN); every outcome is read back with boto3."""

from __future__ import annotations

import functools
import json
import os
import stat
import time

import pytest

from ansible_collections.cloudops.fargate.plugins.module_utils import _client_vpn
from ansible_collections.cloudops.fargate.plugins.module_utils import _common
from ansible_collections.cloudops.fargate.plugins.modules import client_vpn_endpoint
from emulator import realism
from emulator.extensions import ec2_client_vpn
from tests.unit import helpers
from tests.unit.helpers import assert_ok
from tests.unit.helpers import import_certificate
from tests.unit.helpers import import_pki
from tests.unit.helpers import key_pem
from tests.unit.helpers import make_certificate
from tests.unit.helpers import pem
from tests.unit.helpers import wait_until

NAME = "unit-vpn"
REGION = "us-east-1"
VPC_CIDR = "10.30.0.0/16"
CLIENT_CIDR = "172.16.0.0/22"
LOG_GROUP = "/unit/client-vpn"
DELAY = 0.05  # seconds the emulator takes for an association, a rule, a deletion


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
def acm(aws):
    return aws("acm")


@pytest.fixture
def logs(aws):
    logs = aws("logs")
    logs.create_log_group(logGroupName=LOG_GROUP)
    return logs


@pytest.fixture
def pki(acm):
    """A CA, two server certificates it signed in ACM, the CA as client root, and an operator's client certificate."""
    pki = import_pki(acm)
    client, client_key = make_certificate("operator.vpn.internal", issuer=pki.ca)
    other_server = make_certificate("server2.vpn.internal", issuer=pki.ca)
    return {
        "ca_pem": pki.ca_pem,
        "server_arn": pki.server_arn,
        "other_server_arn": import_certificate(acm, other_server, chain=pki.ca_pem),
        "client_root_arn": pki.client_root_arn,
        "client_certificate": pem(client),
        "client_key": key_pem(client_key),
    }


@pytest.fixture
def network(ec2):
    vpc_id = ec2.create_vpc(CidrBlock=VPC_CIDR)["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.30.{i}.0/24", AvailabilityZone=f"{REGION}{zone}")["Subnet"][
            "SubnetId"
        ]
        for i, zone in enumerate("abc")
    ]
    group = ec2.create_security_group(GroupName="vpn", Description="vpn", VpcId=vpc_id)["GroupId"]
    other_group = ec2.create_security_group(GroupName="vpn2", Description="vpn2", VpcId=vpc_id)["GroupId"]
    default = ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "group-name", "Values": ["default"]}]
    )["SecurityGroups"][0]["GroupId"]
    return {
        "vpc_id": vpc_id,
        "subnets": subnets,
        "group": group,
        "other_group": other_group,
        "default_group": default,
    }


@pytest.fixture
def args(pki, network, logs):
    return {
        "name": NAME,
        "server_certificate_arn": pki["server_arn"],
        "client_root_certificate_chain_arn": pki["client_root_arn"],
        "client_cidr_block": CLIENT_CIDR,
        "vpc_id": network["vpc_id"],
        "security_group_ids": [network["group"]],
        "subnet_ids": network["subnets"][:2],
        "dns_servers": ["10.30.0.2"],
        "authorization_rules": [{"target_network_cidr": VPC_CIDR, "description": "the VPC"}],
        "connection_log": {"cloudwatch_log_group": LOG_GROUP},
        "tags": {"Stack": "unit", "Environment": "test"},
    }


@pytest.fixture
def run(run_module):
    def run_endpoint(args, check_mode=False, diff=False):
        return run_module(client_vpn_endpoint, args, check_mode=check_mode, diff=diff)

    return run_endpoint


@pytest.fixture
def created(run, args):
    result = run(args)
    assert_ok(result, changed=True)
    return result["client_vpn_endpoint"]


# --- helpers -----------------------------------------------------------------------------------------------


def endpoints(ec2, include_deleting=False):
    found = ec2.describe_client_vpn_endpoints()["ClientVpnEndpoints"]
    return [e for e in found if include_deleting or e["Status"]["Code"] != "deleting"]


def the_endpoint(ec2):
    found = endpoints(ec2)
    assert len(found) == 1, found
    return found[0]


def networks_of(ec2, endpoint_id):
    response = ec2.describe_client_vpn_target_networks(ClientVpnEndpointId=endpoint_id)
    return {n["TargetNetworkId"]: n["Status"]["Code"] for n in response["ClientVpnTargetNetworks"]}


def rules_of(ec2, endpoint_id):
    response = ec2.describe_client_vpn_authorization_rules(ClientVpnEndpointId=endpoint_id)
    return sorted(
        (r["DestinationCidr"], r["GroupId"], r["AccessAll"], r.get("Description"), r["Status"]["Code"])
        for r in response["AuthorizationRules"]
    )


def tags_of(endpoint):
    return {t["Key"]: t["Value"] for t in endpoint.get("Tags", [])}


def snapshot(ec2):
    """Everything a failed or check-mode run must leave untouched."""
    result = {}
    for endpoint in endpoints(ec2, include_deleting=True):
        endpoint_id = endpoint["ClientVpnEndpointId"]
        result[endpoint_id] = (endpoint, networks_of(ec2, endpoint_id), rules_of(ec2, endpoint_id))
    return result


def settle():
    time.sleep(DELAY * 4)


def without_ids(endpoint):
    """The endpoint as check mode can predict it: without what only AWS knows."""
    result = dict(endpoint, client_vpn_endpoint_id=None, dns_name=None)
    result["associations"] = [dict(a, association_id=None) for a in endpoint["associations"]]
    result["connection_log_options"] = dict(endpoint["connection_log_options"], cloudwatch_log_stream=None)
    return result


# --- create ------------------------------------------------------------------------------------------------


def test_create_four_steps(run, args, ec2, pki, network):
    # 1. check mode predicts the creation and creates nothing
    result = run(args, check_mode=True, diff=True)
    assert_ok(result, changed=True)
    assert endpoints(ec2) == []
    predicted = result["client_vpn_endpoint"]
    assert result["diff"]["before"] == {}
    assert result["diff"]["after"] == predicted
    assert predicted["status"] == "available"
    assert predicted["associations"] == [
        {"association_id": None, "subnet_id": subnet, "status": "associated"}
        for subnet in sorted(network["subnets"][:2])
    ]

    # 2. for real: waits until the target networks are associated and the rule is active
    result = run(args, diff=True)
    assert_ok(result, changed=True)
    endpoint = the_endpoint(ec2)
    endpoint_id = endpoint["ClientVpnEndpointId"]
    assert endpoint["Status"]["Code"] == "available"
    assert endpoint["ClientCidrBlock"] == CLIENT_CIDR
    assert endpoint["SplitTunnel"] is True, "split tunnel is on by default"
    assert (endpoint["TransportProtocol"], endpoint["VpnPort"]) == ("udp", 443)
    assert endpoint["DnsServers"] == ["10.30.0.2"]
    assert endpoint["SecurityGroupIds"] == [network["group"]]
    assert endpoint["ServerCertificateArn"] == pki["server_arn"]
    assert endpoint["ConnectionLogOptions"]["Enabled"] is True
    assert endpoint["ConnectionLogOptions"]["CloudwatchLogGroup"] == LOG_GROUP
    assert tags_of(endpoint) == {"Name": NAME, "Stack": "unit", "Environment": "test"}
    assert networks_of(ec2, endpoint_id) == {s: "associated" for s in network["subnets"][:2]}
    assert rules_of(ec2, endpoint_id) == [(VPC_CIDR, "", True, "the VPC", "active")]
    returned = result["client_vpn_endpoint"]
    assert returned["client_vpn_endpoint_id"] == endpoint_id
    assert returned["dns_name"] == endpoint["DnsName"]
    assert returned["client_root_certificate_chain_arn"] == pki["client_root_arn"]
    assert (
        returned["connection_log_options"]["cloudwatch_log_stream"]
        == endpoint["ConnectionLogOptions"]["CloudwatchLogStream"]
    )
    assert without_ids(returned) == predicted, "check mode predicted the endpoint"
    assert result["diff"]["after"] == predicted
    assert result["replaced"] is False

    # 3./4. check mode and real again: nothing to do
    before = snapshot(ec2)
    result = run(args, check_mode=True, diff=True)
    assert_ok(result, changed=False)
    assert result["diff"] == {"before": {}, "after": {}}
    assert result["client_vpn_endpoint"] == returned
    result = run(args)
    assert_ok(result, changed=False)
    assert result["client_vpn_endpoint"] == returned
    assert snapshot(ec2) == before


def test_an_endpoint_as_asked_costs_three_reads(run, args, created, calls):
    """Nothing to change: the endpoint, its target networks and its rules are read, and nothing it refers to (the
    certificates, VPC, groups, subnets and log group it already uses) is asked about again."""
    calls.clear()
    result = run(args)
    assert_ok(result, changed=False)
    assert result["client_vpn_endpoint"] == created
    assert calls == [
        ("ec2", "DescribeClientVpnEndpoints"),
        ("ec2", "DescribeClientVpnTargetNetworks"),
        ("ec2", "DescribeClientVpnAuthorizationRules"),
    ]


def test_a_change_checks_what_the_endpoint_refers_to_first(run, args, created, calls):
    calls.clear()
    result = run({**args, "server_certificate_arn": "arn:aws:acm:us-east-1:123456789012:certificate/gone"})
    assert result["failed"]
    assert "server_certificate_arn arn:aws:acm:us-east-1:123456789012:certificate/gone is not a certificate" in result["msg"]
    assert not [c for c in calls if c[1].startswith(("Modify", "Create", "Associate", "Authorize"))]


def test_create_minimal_endpoint_without_logging(run, pki, ec2):
    result = run(
        {
            "name": NAME,
            "server_certificate_arn": pki["server_arn"],
            "client_root_certificate_chain_arn": pki["client_root_arn"],
            "client_cidr_block": CLIENT_CIDR,
            "connection_log": {"enabled": False},
            "split_tunnel": False,
            "transport_protocol": "tcp",
            "vpn_port": 1194,
            "session_timeout_hours": 8,
        }
    )
    assert_ok(result, changed=True)
    endpoint = the_endpoint(ec2)
    assert endpoint["Status"]["Code"] == "pending-associate"
    assert endpoint["ConnectionLogOptions"] == {"Enabled": False}
    assert (endpoint["SplitTunnel"], endpoint["TransportProtocol"], endpoint["VpnPort"]) == (False, "tcp", 1194)
    assert endpoint["SessionTimeoutHours"] == 8
    assert "VpcId" not in endpoint
    assert result["client_vpn_endpoint"]["associations"] == []
    assert result["client_vpn_endpoint"]["connection_log_options"] == {
        "enabled": False,
        "cloudwatch_log_group": None,
        "cloudwatch_log_stream": None,
    }


def test_vpc_without_security_groups_gets_the_default_group(run, args, ec2, network):
    args = dict(args, security_group_ids=None)

    predicted = run(args, check_mode=True)["client_vpn_endpoint"]
    result = run(args)

    assert_ok(result, changed=True)
    assert the_endpoint(ec2)["SecurityGroupIds"] == [network["default_group"]]
    assert predicted["security_group_ids"] == [network["default_group"]]
    assert_ok(run(args), changed=False)


def test_wait_false_returns_at_once_and_reruns_report_progress(run, args, ec2, monkeypatch):
    # long enough that three module runs on a loaded CI machine still see it associating
    monkeypatch.setenv(ec2_client_vpn.DELAY_VARIABLE, "4")
    args = dict(args, wait=False)

    result = run(args, check_mode=True)
    assert_ok(result, changed=True)
    assert {a["status"] for a in result["client_vpn_endpoint"]["associations"]} == {"associating"}
    assert [r["status"] for r in result["client_vpn_endpoint"]["authorization_rules"]] == ["authorizing"]

    result = run(args)
    assert_ok(result, changed=True)
    endpoint = result["client_vpn_endpoint"]
    assert endpoint["status"] == "pending-associate"
    assert {a["status"] for a in endpoint["associations"]} == {"associating"}
    assert [r["status"] for r in endpoint["authorization_rules"]] == ["authorizing"]

    result = run(args)
    assert_ok(result, changed=False)
    assert {a["status"] for a in result["client_vpn_endpoint"]["associations"]} == {"associating"}

    def available():  # what a role's until: loop does
        rerun = run(args)
        assert_ok(rerun, changed=False)
        return rerun if rerun["client_vpn_endpoint"]["status"] == "available" else None

    result = wait_until(available, "the endpoint is available", timeout=30, interval=0.2)
    assert {a["status"] for a in result["client_vpn_endpoint"]["associations"]} == {"associated"}
    assert [r["status"] for r in result["client_vpn_endpoint"]["authorization_rules"]] == ["active"]


def test_wait_times_out_with_the_state(run, args, monkeypatch):
    monkeypatch.setenv(ec2_client_vpn.DELAY_VARIABLE, "30")

    result = run(dict(args, wait_timeout=1))

    assert result["failed"], result
    assert "Timed out after 1 seconds" in result["msg"]
    assert {a["status"] for a in result["client_vpn_endpoint"]["associations"]} == {"associating"}
    assert_ok(run(dict(args, wait=False)), changed=False)  # what is started is not started again

    monkeypatch.setattr(ec2_client_vpn, "_clock", lambda: time.monotonic() + 60)  # AWS gets there in the end
    result = run(args)
    assert_ok(result, changed=False)
    assert {a["status"] for a in result["client_vpn_endpoint"]["associations"]} == {"associated"}


# --- interrupted creates -------------------------------------------------------------------------------------


def test_interrupted_create_is_answered_with_the_same_endpoint(run, args, ec2, monkeypatch):
    """The create of a killed run is found by its token even when the lookup misses it (eventual consistency)."""
    created = run(dict(args, subnet_ids=None, authorization_rules=None))
    assert_ok(created, changed=True)
    monkeypatch.setattr(_client_vpn.ClientVpnEndpointManager, "find_one", lambda self, lookup: None)

    result = run(dict(args, subnet_ids=None, authorization_rules=None))

    assert not result["failed"], result
    assert len(endpoints(ec2)) == 1, "the same client token made no second endpoint"
    assert (
        result["client_vpn_endpoint"]["client_vpn_endpoint_id"]
        == created["client_vpn_endpoint"]["client_vpn_endpoint_id"]
    )


def test_token_of_an_endpoint_being_deleted_makes_a_new_one(run, args, ec2, monkeypatch):
    args = dict(args, subnet_ids=None, authorization_rules=None)
    first = run(args)["client_vpn_endpoint"]["client_vpn_endpoint_id"]
    monkeypatch.setenv(ec2_client_vpn.DELAY_VARIABLE, "30")
    ec2.delete_client_vpn_endpoint(ClientVpnEndpointId=first)  # deleting for 30 s, its token still answers

    result = run(args)

    assert_ok(result, changed=True)
    second = result["client_vpn_endpoint"]["client_vpn_endpoint_id"]
    assert second != first
    assert [e["ClientVpnEndpointId"] for e in endpoints(ec2)] == [second]
    assert_ok(run(args), changed=False)


def test_two_endpoints_of_one_name_fail(run, args, ec2, pki):
    for _attempt in range(2):
        ec2.create_client_vpn_endpoint(
            ClientCidrBlock=CLIENT_CIDR,
            ServerCertificateArn=pki["server_arn"],
            AuthenticationOptions=[
                {
                    "Type": "certificate-authentication",
                    "MutualAuthentication": {"ClientRootCertificateChainArn": pki["client_root_arn"]},
                }
            ],
            ConnectionLogOptions={"Enabled": False},
            TagSpecifications=[{"ResourceType": "client-vpn-endpoint", "Tags": [{"Key": "Name", "Value": NAME}]}],
        )
    for state in ("present", "absent"):
        result = run(dict(args, state=state, tags=None))
        assert result["failed"] and "2 Client VPN endpoints carry the tags" in result["msg"], result
    assert len(endpoints(ec2)) == 2


def test_identity_tags_tell_stacks_apart(run, args, ec2):
    assert_ok(run(args), changed=True)
    other = dict(args, tags={"Stack": "other", "Environment": "test"}, subnet_ids=None)

    assert_ok(run(other), changed=True)
    assert len(endpoints(ec2)) == 2
    assert_ok(run(args), changed=False)
    assert_ok(run(other), changed=False)


# --- updates -------------------------------------------------------------------------------------------------


def four_steps(run, args, ec2, diff_before, diff_after):
    """The four steps (STYLE.md 14) on the endpoint; the snapshot is all there is to read back."""
    steps = functools.partial(helpers.four_steps, snapshot=snapshot, key="client_vpn_endpoint", normalise=without_ids)
    return steps(run, args, ec2, None, None, diff_before, diff_after)


def test_update_in_place(run, args, ec2, pki, network, logs, created):
    logs.create_log_group(logGroupName="/unit/other")
    logs.create_log_stream(logGroupName="/unit/other", logStreamName="connections")
    changed = dict(
        args,
        description="operators",
        server_certificate_arn=pki["other_server_arn"],
        split_tunnel=False,
        vpn_port=1194,
        dns_servers=["10.30.0.2", "10.30.0.3"],
        session_timeout_hours=12,
        security_group_ids=[network["group"], network["other_group"]],
        connection_log={"cloudwatch_log_group": "/unit/other", "cloudwatch_log_stream": "connections"},
    )
    endpoint = four_steps(
        run,
        changed,
        ec2,
        diff_before={
            "server_certificate_arn": pki["server_arn"],
            "split_tunnel": True,
            "vpn_port": 443,
            "connection_log_options": created["connection_log_options"],
            "description": "",
            "dns_servers": ["10.30.0.2"],
            "session_timeout_hours": 24,
            "security_group_ids": [network["group"]],
        },
        diff_after={
            "server_certificate_arn": pki["other_server_arn"],
            "split_tunnel": False,
            "vpn_port": 1194,
            "connection_log_options": {
                "enabled": True,
                "cloudwatch_log_group": "/unit/other",
                "cloudwatch_log_stream": "connections",
            },
            "description": "operators",
            "dns_servers": ["10.30.0.2", "10.30.0.3"],
            "session_timeout_hours": 12,
            "security_group_ids": sorted([network["group"], network["other_group"]]),
        },
    )
    aws = the_endpoint(ec2)
    assert aws["Description"] == "operators"
    assert aws["ServerCertificateArn"] == pki["other_server_arn"]
    assert (aws["SplitTunnel"], aws["VpnPort"], aws["SessionTimeoutHours"]) == (False, 1194, 12)
    assert aws["DnsServers"] == ["10.30.0.2", "10.30.0.3"]
    assert sorted(aws["SecurityGroupIds"]) == sorted([network["group"], network["other_group"]])
    assert aws["ConnectionLogOptions"]["CloudwatchLogStream"] == "connections"
    assert endpoint["client_vpn_endpoint_id"] == created["client_vpn_endpoint_id"], "changed in place"


def test_options_left_out_are_left_alone(run, args, ec2, created):
    lean = {key: value for key, value in args.items() if key not in ("dns_servers", "security_group_ids", "tags")}
    lean.update(subnet_ids=None, authorization_rules=None, vpc_id=None)

    result = run(lean)

    assert_ok(result, changed=False)
    assert result["client_vpn_endpoint"] == created


def test_dns_servers_and_logging_can_be_turned_off(run, args, ec2, created):
    four_steps(
        run,
        dict(args, dns_servers=[], connection_log={"enabled": False}),
        ec2,
        diff_before={"dns_servers": ["10.30.0.2"], "connection_log_options": created["connection_log_options"]},
        diff_after={
            "dns_servers": [],
            "connection_log_options": {"enabled": False, "cloudwatch_log_group": None, "cloudwatch_log_stream": None},
        },
    )
    endpoint = the_endpoint(ec2)
    assert "DnsServers" not in endpoint
    assert endpoint["ConnectionLogOptions"] == {"Enabled": False}


def test_target_networks_follow_the_list(run, args, ec2, network, created):
    endpoint_id = created["client_vpn_endpoint_id"]
    subnets = network["subnets"]

    four_steps(
        run,
        dict(args, subnet_ids=[subnets[1], subnets[2]]),
        ec2,
        diff_before={"subnet_ids": sorted(subnets[:2])},
        diff_after={"subnet_ids": sorted(subnets[1:])},
    )
    assert networks_of(ec2, endpoint_id) == {subnets[1]: "associated", subnets[2]: "associated"}
    routes = ec2.describe_client_vpn_routes(ClientVpnEndpointId=endpoint_id)["Routes"]
    assert sorted(r["TargetSubnet"] for r in routes) == sorted(subnets[1:])

    result = run(dict(args, subnet_ids=[]))
    assert_ok(result, changed=True)
    assert networks_of(ec2, endpoint_id) == {}
    assert result["client_vpn_endpoint"]["status"] == "pending-associate"


def test_authorization_rules_follow_the_list(run, args, ec2, created):
    endpoint_id = created["client_vpn_endpoint_id"]
    rules = [
        {"target_network_cidr": VPC_CIDR, "description": "the whole VPC"},  # new description: replaced
        {"target_network_cidr": "192.168.0.0/24", "access_group_id": "admins"},
    ]
    four_steps(
        run,
        dict(args, authorization_rules=rules),
        ec2,
        diff_before={
            "authorization_rules": [
                {
                    "target_network_cidr": VPC_CIDR,
                    "access_group_id": None,
                    "authorize_all_groups": True,
                    "description": "the VPC",
                }
            ]
        },
        diff_after={
            "authorization_rules": [
                {
                    "target_network_cidr": VPC_CIDR,
                    "access_group_id": None,
                    "authorize_all_groups": True,
                    "description": "the whole VPC",
                },
                {
                    "target_network_cidr": "192.168.0.0/24",
                    "access_group_id": "admins",
                    "authorize_all_groups": False,
                    "description": None,
                },
            ]
        },
    )
    assert rules_of(ec2, endpoint_id) == [
        (VPC_CIDR, "", True, "the whole VPC", "active"),
        ("192.168.0.0/24", "admins", False, None, "active"),
    ]

    assert_ok(run(dict(args, authorization_rules=[rules[1]])), changed=True)
    assert rules_of(ec2, endpoint_id) == [("192.168.0.0/24", "admins", False, None, "active")]
    assert_ok(run(dict(args, authorization_rules=[rules[1]])), changed=False)


def test_a_rule_without_description_keeps_the_one_it_has(run, args, created):
    result = run(dict(args, authorization_rules=[{"target_network_cidr": VPC_CIDR}]))

    assert_ok(result, changed=False)
    assert result["client_vpn_endpoint"]["authorization_rules"][0]["description"] == "the VPC"


def test_moving_to_another_vpc(run, args, ec2, created):
    vpc_id = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.40.1.0/24", AvailabilityZone=f"{REGION}a")["Subnet"][
        "SubnetId"
    ]
    group = ec2.create_security_group(GroupName="vpn", Description="vpn", VpcId=vpc_id)["GroupId"]
    moved = dict(args, vpc_id=vpc_id, security_group_ids=[group], subnet_ids=[subnet])

    result = run(moved, diff=True)

    assert_ok(result, changed=True)
    endpoint = the_endpoint(ec2)
    assert (endpoint["VpcId"], endpoint["SecurityGroupIds"]) == (vpc_id, [group])
    assert networks_of(ec2, endpoint["ClientVpnEndpointId"]) == {subnet: "associated"}
    assert result["diff"]["after"]["vpc_id"] == vpc_id
    assert_ok(run(moved), changed=False)


def test_moving_to_another_vpc_without_subnets_is_refused(run, args, ec2, created):
    vpc_id = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    before = snapshot(ec2)

    result = run(dict(args, vpc_id=vpc_id, security_group_ids=None, subnet_ids=None))

    assert result["failed"] and "give subnet_ids" in result["msg"], result
    assert snapshot(ec2) == before


# --- tags ----------------------------------------------------------------------------------------------------


def test_tags_add_and_purge(run, args, ec2, created):
    four_steps(
        run,
        dict(args, tags={"Stack": "unit", "Environment": "test", "Owner": "ops"}),
        ec2,
        diff_before={"tags": {"Name": NAME, "Stack": "unit", "Environment": "test"}},
        diff_after={"tags": {"Name": NAME, "Stack": "unit", "Environment": "test", "Owner": "ops"}},
    )
    assert_ok(run(dict(args, tags={"Stack": "unit", "Environment": "test"})), changed=True)
    assert tags_of(the_endpoint(ec2)) == {"Name": NAME, "Stack": "unit", "Environment": "test"}


def test_tags_kept_without_purge(run, args, ec2, created):
    ec2.create_tags(Resources=[created["client_vpn_endpoint_id"]], Tags=[{"Key": "Extra", "Value": "x"}])

    assert_ok(run(dict(args, purge_tags=False)), changed=False)
    assert tags_of(the_endpoint(ec2))["Extra"] == "x"
    assert_ok(run(args), changed=True)
    assert "Extra" not in tags_of(the_endpoint(ec2))


# --- immutable fields ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("check_mode", [True, False])
@pytest.mark.parametrize(
    "option, value",
    [
        ("client_cidr_block", "172.20.0.0/22"),
        ("transport_protocol", "tcp"),
        ("client_root_certificate_chain_arn", None),
    ],
)
def test_immutable_change_fails_without_replace_on_change(run, args, ec2, pki, created, option, value, check_mode):
    value = value or pki["server_arn"]
    before = snapshot(ec2)

    result = run(dict(args, **{option: value}), check_mode=check_mode)

    assert result["failed"], result
    assert option in result["msg"] and "replace_on_change" in result["msg"]
    assert snapshot(ec2) == before


def test_replace_on_change(run, args, ec2, created):
    replaced = dict(args, client_cidr_block="172.20.0.0/22", replace_on_change=True)
    before = snapshot(ec2)

    result = run(replaced, check_mode=True, diff=True)
    assert_ok(result, changed=True)
    assert result["replaced"] is True
    assert snapshot(ec2) == before
    assert result["diff"]["before"]["client_cidr_block"] == CLIENT_CIDR
    assert result["diff"]["after"]["client_cidr_block"] == "172.20.0.0/22"
    assert "client_cidr_block" in result["diff"]["before_header"]

    result = run(replaced)
    assert_ok(result, changed=True)
    assert result["replaced"] is True
    endpoint = the_endpoint(ec2)
    assert endpoint["ClientVpnEndpointId"] != created["client_vpn_endpoint_id"]
    assert endpoint["ClientCidrBlock"] == "172.20.0.0/22"
    assert set(networks_of(ec2, endpoint["ClientVpnEndpointId"]).values()) == {"associated"}
    assert_ok(run(replaced), changed=False)


# --- bad input ---------------------------------------------------------------------------------------------


def bad_inputs(pki, network):
    return [
        ({"client_cidr_block": "172.16.0.0/23"}, "client_cidr_block"),
        ({"client_cidr_block": "172.16.0.1/22"}, "client_cidr_block"),
        ({"client_cidr_block": "10.30.0.0/20"}, "overlaps"),
        ({"server_certificate_arn": "not-an-arn"}, "server_certificate_arn"),
        ({"server_certificate_arn": pki["server_arn"][:-4] + "0000"}, "server_certificate_arn"),
        ({"client_root_certificate_chain_arn": pki["client_root_arn"][:-4] + "0000"}, "client_root_certificate"),
        ({"dns_servers": ["10.0.0.2", "10.0.0.3", "10.0.0.4"]}, "dns_servers"),
        ({"dns_servers": ["resolver"]}, "dns_servers"),
        ({"vpc_id": None}, "security_group_ids requires vpc_id"),
        ({"vpc_id": "vpc-0123456789abcdef0"}, "vpc_id"),
        ({"security_group_ids": ["sg-0123456789abcdef0"]}, "security_group_ids"),
        ({"subnet_ids": ["subnet-0123456789abcdef0"]}, "subnet_ids"),
        ({"subnet_ids": [network["subnets"][0], network["subnets"][0]]}, "more than once"),
        ({"authorization_rules": [{"target_network_cidr": "10.30.0.0/33"}]}, "target_network_cidr"),
        (
            {
                "authorization_rules": [
                    {"target_network_cidr": VPC_CIDR, "access_group_id": "g", "authorize_all_groups": True}
                ]
            },
            "exclude each other",
        ),
        (
            {"authorization_rules": [{"target_network_cidr": VPC_CIDR, "authorize_all_groups": False}]},
            "access_group_id",
        ),
        ({"connection_log": None}, "connection_log.cloudwatch_log_group is required"),
        ({"connection_log": {"cloudwatch_log_group": "/no/such/group"}}, "connection_log.cloudwatch_log_group"),
        (
            {"connection_log": {"cloudwatch_log_group": LOG_GROUP, "cloudwatch_log_stream": "missing"}},
            "connection_log.cloudwatch_log_stream",
        ),
        ({"tags": {"Name": "other"}}, "tags.Name"),
        ({"wait_timeout": -1}, "wait_timeout"),
        (
            {
                "client_config": {
                    "path": "/no/such/dir/x.ovpn",
                    "client_certificate": pki["client_certificate"],
                    "client_key": pki["client_key"],
                }
            },
            "does not exist",
        ),
        (
            {
                "client_config": {
                    "path": "/tmp/x.ovpn",
                    "client_certificate": pki["client_certificate"],
                    "client_key": "-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n",
                }
            },
            "client_key",
        ),
    ]


@pytest.mark.parametrize("check_mode", [True, False])
def test_bad_input_fails_before_anything_is_created(run, args, ec2, pki, network, check_mode):
    for overrides, message in bad_inputs(pki, network):
        result = run(dict(args, **overrides), check_mode=check_mode)
        assert result["failed"], overrides
        assert message in result["msg"], (overrides, result["msg"])
        assert endpoints(ec2, include_deleting=True) == [], overrides


def test_subnets_in_one_zone_or_another_vpc_fail(run, args, ec2, network):
    same_zone = ec2.create_subnet(VpcId=network["vpc_id"], CidrBlock="10.30.9.0/24", AvailabilityZone=f"{REGION}a")[
        "Subnet"
    ]["SubnetId"]
    other_vpc = ec2.create_vpc(CidrBlock="10.50.0.0/16")["Vpc"]["VpcId"]
    foreign = ec2.create_subnet(VpcId=other_vpc, CidrBlock="10.50.1.0/24")["Subnet"]["SubnetId"]

    result = run(dict(args, subnet_ids=[network["subnets"][0], same_zone]))
    assert result["failed"] and "one subnet per Availability Zone" in result["msg"], result
    result = run(dict(args, subnet_ids=[foreign]))
    assert result["failed"] and f"not in vpc_id {network['vpc_id']}" in result["msg"], result
    assert endpoints(ec2) == []


def test_bad_input_on_an_existing_endpoint_changes_nothing(run, args, ec2, network, created):
    before = snapshot(ec2)

    result = run(dict(args, description="changed", subnet_ids=["subnet-0123456789abcdef0"]))

    assert result["failed"], result
    assert snapshot(ec2) == before


def test_present_requires_the_certificates_and_cidr(run):
    result = run({"name": NAME})
    assert result["failed"]
    assert "server_certificate_arn" in result["msg"] and "client_cidr_block" in result["msg"]


# --- client configuration ------------------------------------------------------------------------------------


def test_client_config_written_once(run, args, ec2, pki, tmp_path):
    path = tmp_path / "operator.ovpn"
    config = {
        "path": str(path),
        "client_certificate": pki["client_certificate"],
        "client_key": pki["client_key"],
    }
    args = dict(args, client_config=config)

    result = run(args, check_mode=True, diff=True)
    assert_ok(result, changed=True)
    assert not path.exists()
    assert result["diff"]["after"]["client_config"] == {"path": str(path), "checksum": None, "mode": "0600"}

    result = run(args, diff=True)
    assert_ok(result, changed=True)
    assert result["client_config_path"] == str(path)
    endpoint_id = the_endpoint(ec2)["ClientVpnEndpointId"]
    exported = ec2.export_client_vpn_client_configuration(ClientVpnEndpointId=endpoint_id)["ClientConfiguration"]
    content = path.read_text()
    assert content.startswith(exported)
    assert f"<cert>\n{pki['client_certificate'].strip()}\n</cert>" in content
    assert f"<key>\n{pki['client_key'].strip()}\n</key>" in content
    assert f"remote {endpoint_id}.prod.clientvpn.{REGION}.amazonaws.com 443" in content
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    key_body = pki["client_key"].strip().splitlines()[1]
    assert key_body not in json.dumps(result), "the key never appears in the result or diff"

    for check_mode in (True, False):
        result = run(args, check_mode=check_mode, diff=True)
        assert_ok(result, changed=False)
        assert result["client_config_path"] == str(path)

    os.chmod(path, 0o644)
    result = run(args, diff=True)
    assert_ok(result, changed=True)
    assert result["diff"]["before"]["client_config"]["mode"] == "0644"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600

    path.write_text("stale\n")
    result = run(args, check_mode=True, diff=True)
    assert_ok(result, changed=True)
    assert path.read_text() == "stale\n"
    result = run(args)
    assert_ok(result, changed=True)
    assert path.read_text() == content
    assert key_body not in json.dumps(result)


def test_client_config_follows_a_replacement(run, args, ec2, pki, tmp_path):
    path = tmp_path / "operator.ovpn"
    config = {"path": str(path), "client_certificate": pki["client_certificate"], "client_key": pki["client_key"]}
    assert_ok(run(dict(args, client_config=config)), changed=True)
    first = path.read_text()

    result = run(dict(args, client_config=config, transport_protocol="tcp", replace_on_change=True))

    assert_ok(result, changed=True)
    assert path.read_text() != first
    assert "proto tcp" in path.read_text()


# --- absent --------------------------------------------------------------------------------------------------


def test_delete_four_steps(run, args, ec2, created):
    absent = {"name": NAME, "tags": args["tags"], "state": "absent"}
    before = snapshot(ec2)

    result = run(absent, check_mode=True, diff=True)
    assert_ok(result, changed=True)
    assert result["diff"] == {"before": created, "after": {}}
    assert result["client_vpn_endpoint"] == {}
    assert snapshot(ec2) == before

    result = run(absent, diff=True)
    assert_ok(result, changed=True)
    assert result["client_vpn_endpoint"] == {}
    assert endpoints(ec2, include_deleting=True) == [], "waited until it was gone"

    for check_mode in (True, False):
        result = run(absent, check_mode=check_mode, diff=True)
        assert_ok(result, changed=False)
        assert result["diff"] == {"before": {}, "after": {}}


def test_delete_without_wait_progresses_run_by_run(run, args, ec2, created, monkeypatch):
    # The emulator's clock is moved by hand: a real delay would race the module runs.
    monkeypatch.setenv(ec2_client_vpn.DELAY_VARIABLE, "30")
    absent = {"name": NAME, "tags": args["tags"], "state": "absent", "wait": False}
    endpoint_id = created["client_vpn_endpoint_id"]

    result = run(absent)
    assert_ok(result, changed=True)
    assert {a["status"] for a in result["client_vpn_endpoint"]["associations"]} == {"disassociating"}
    result = run(absent)
    assert_ok(result, changed=False)

    monkeypatch.setattr(ec2_client_vpn, "_clock", lambda: time.monotonic() + 60)  # the subnets are let go
    assert not networks_of(ec2, endpoint_id)
    result = run(absent)
    assert_ok(result, changed=True)
    assert result["client_vpn_endpoint"]["status"] == "deleting"
    result = run(absent)
    assert_ok(result, changed=False)
    assert result["client_vpn_endpoint"]["status"] == "deleting"

    monkeypatch.setattr(ec2_client_vpn, "_clock", lambda: time.monotonic() + 120)  # and the endpoint is gone
    result = run(dict(absent, wait=True))
    assert_ok(result, changed=False)
    assert endpoints(ec2, include_deleting=True) == []


def test_delete_leaves_other_endpoints_alone(run, args, ec2, created):
    other = dict(args, name="unit-other", subnet_ids=None)
    assert_ok(run(other), changed=True)

    assert_ok(run({"name": NAME, "tags": args["tags"], "state": "absent"}), changed=True)

    assert [tags_of(e)["Name"] for e in endpoints(ec2)] == ["unit-other"]


def test_delete_ignores_present_only_options(run, ec2):
    result = run({"name": NAME, "state": "absent", "client_cidr_block": "nonsense", "connection_log": None})
    assert_ok(result, changed=False)


# --- what AWS refuses while Client VPN is busy (the emulator's realistic mode) -----------------------------------

# realism.TYPICAL["client_vpn.endpoint_pending"] (30 s) at this scale: 0.3 s. The other transitions keep DELAY (the
# fixture's EMULATOR_CLIENT_VPN_DELAY_SECONDS wins in realistic mode too) unless a test sets its own.
BUSY_SCALE = 0.01


@pytest.fixture
def realistic(monkeypatch):
    """Realistic mode in this process, where AWS refuses what Client VPN cannot start yet; the module's retries sleep
    at most 0.02 s."""
    realism.configure({"realistic": True, "time_scale": BUSY_SCALE, "throttle_rate": 0.0})
    monkeypatch.setattr(
        _client_vpn, "call_through", functools.partial(_common.call_through, sleep=lambda s: time.sleep(min(s, 0.02)))
    )
    yield
    realism.reset()


def count(calls, operation):
    return calls.count(("ec2", operation))


def test_create_waits_while_another_endpoint_is_being_created(run, args, ec2, realistic, calls):
    """Two stacks deployed at once: AWS creates one endpoint of a region at a time."""
    # The other endpoint stays pending for fixed seconds, so the second create meets it on a busy machine too.
    realism.configure({"behaviour_seconds": {"client_vpn.endpoint_pending": 3}})
    assert_ok(run(dict(args, name="unit-other", subnet_ids=None, authorization_rules=None)), changed=True)
    calls.clear()

    result = run(args)

    assert_ok(result, changed=True)
    assert count(calls, "CreateClientVpnEndpoint") > 1, "AWS refused the first create: the other was being created"
    assert sorted(tags_of(e)["Name"] for e in endpoints(ec2)) == ["unit-other", NAME]
    assert result["client_vpn_endpoint"]["status"] == "available"


def test_more_changes_than_aws_runs_at_once_wait_for_their_turn(
    run, args, ec2, network, realistic, calls, monkeypatch
):
    """Three associations and eight rules: AWS runs 10 operations of an endpoint at a time."""
    # Each operation lasts long enough that none ends before the module asks for the 11th, on a busy machine too.
    monkeypatch.setenv(ec2_client_vpn.DELAY_VARIABLE, "3")
    rules = [{"target_network_cidr": f"10.{50 + i}.0.0/16"} for i in range(8)]
    args = dict(args, subnet_ids=network["subnets"], authorization_rules=rules)

    result = run(args)

    assert_ok(result, changed=True)
    assert count(calls, "AuthorizeClientVpnIngress") > 8, "AWS refused the 11th operation while 10 were under way"
    endpoint_id = result["client_vpn_endpoint"]["client_vpn_endpoint_id"]
    assert networks_of(ec2, endpoint_id) == dict.fromkeys(network["subnets"], "associated")
    assert [r[-1] for r in rules_of(ec2, endpoint_id)] == ["active"] * 8
    assert_ok(run(args), changed=False)


def test_settings_change_before_a_subnet_leaves(run, args, ec2, network, created, realistic, calls, monkeypatch):
    """AWS refuses ModifyClientVpnEndpoint during a disassociation (about 5 minutes): the settings change first."""
    monkeypatch.setenv(ec2_client_vpn.DELAY_VARIABLE, "30")
    changed = dict(args, subnet_ids=network["subnets"][:1], description="changed", wait=False)

    result = run(changed)

    assert_ok(result, changed=True)
    modify, disassociate = ("ec2", "ModifyClientVpnEndpoint"), ("ec2", "DisassociateClientVpnTargetNetwork")
    assert count(calls, "ModifyClientVpnEndpoint") == 1, "refused by nothing"
    assert calls.index(modify) < calls.index(disassociate)
    endpoint = the_endpoint(ec2)
    assert endpoint["Description"] == "changed"
    assert networks_of(ec2, endpoint["ClientVpnEndpointId"]) == {
        network["subnets"][0]: "associated",
        network["subnets"][1]: "disassociating",
    }


def test_settings_change_waits_for_the_associations_of_a_previous_run(run, args, ec2, realistic, calls, monkeypatch):
    # Associations long enough that the second run meets them under way on a busy machine too.
    monkeypatch.setenv(ec2_client_vpn.DELAY_VARIABLE, "3")
    assert_ok(run(dict(args, wait=False)), changed=True)  # the associations and the rule are under way
    calls.clear()

    result = run(dict(args, description="changed"))

    assert_ok(result, changed=True)
    assert count(calls, "ModifyClientVpnEndpoint") > 1, "AWS refused the change while the associations were made"
    assert the_endpoint(ec2)["Description"] == "changed"
    assert result["client_vpn_endpoint"]["status"] == "available"


def test_moving_to_another_vpc_while_aws_is_busy(run, args, ec2, created, realistic, calls):
    vpc_id = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.40.1.0/24", AvailabilityZone=f"{REGION}a")["Subnet"][
        "SubnetId"
    ]
    group = ec2.create_security_group(GroupName="vpn", Description="vpn", VpcId=vpc_id)["GroupId"]
    moved = dict(args, vpc_id=vpc_id, security_group_ids=[group], subnet_ids=[subnet])

    result = run(moved)

    assert_ok(result, changed=True)
    endpoint = the_endpoint(ec2)
    assert (endpoint["VpcId"], endpoint["SecurityGroupIds"]) == (vpc_id, [group])
    assert networks_of(ec2, endpoint["ClientVpnEndpointId"]) == {subnet: "associated"}
    modify = calls.index(("ec2", "ModifyClientVpnEndpoint"))
    assert calls.index(("ec2", "DisassociateClientVpnTargetNetwork")) < modify
    assert calls.index(("ec2", "AssociateClientVpnTargetNetwork")) > modify


def test_an_endpoint_busy_past_wait_timeout_fails(run, args, ec2, realistic, monkeypatch):
    monkeypatch.setenv(ec2_client_vpn.DELAY_VARIABLE, "30")
    assert_ok(run(dict(args, wait=False)), changed=True)

    result = run(dict(args, description="changed", wait=False, wait_timeout=1))

    assert result["failed"], result
    assert "Failed to modify Client VPN endpoint" in result["msg"]
    assert "AWS still answered ConcurrentMutationLimitExceeded after" in result["msg"]
    assert "Cannot initiate another change for this endpoint" in result["msg"]
    assert "Description" not in the_endpoint(ec2)


def test_the_region_endpoint_quota_is_named_when_aws_refuses_a_new_endpoint(run, args, ec2, pki, monkeypatch):
    from emulator.extensions import service_quotas

    service_quotas.install()
    monkeypatch.setenv(service_quotas.ENFORCE_VARIABLE, "1")
    for index in range(5):  # the Region's default quota
        ec2.create_client_vpn_endpoint(
            ClientCidrBlock=f"172.{20 + index}.0.0/22",
            ServerCertificateArn=pki["server_arn"],
            AuthenticationOptions=[
                {"Type": "certificate-authentication",
                 "MutualAuthentication": {"ClientRootCertificateChainArn": pki["client_root_arn"]}}
            ],
            ConnectionLogOptions={"Enabled": False},
        )

    refused = run(dict(args, wait=False))

    assert refused["failed"]
    assert "Client VPN endpoints per Region (ec2 L-8EA77D34) is reached" in refused["msg"], refused["msg"]
    assert "request-service-quota-increase --service-code ec2 --quota-code L-8EA77D34" in refused["msg"]
    assert len(ec2.describe_client_vpn_endpoints()["ClientVpnEndpoints"]) == 5
