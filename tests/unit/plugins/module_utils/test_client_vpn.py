"""Unit tests of the pure functions of plugins/module_utils/_client_vpn.py, and of its managers against fake EC2
clients."""

from __future__ import annotations

import datetime
import functools
import json
import re

import pytest
from botocore.exceptions import ClientError
from botocore.waiter import WaiterModel
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ansible_collections.cloudops.fargate.plugins.module_utils import _client_vpn
from ansible_collections.cloudops.fargate.plugins.module_utils._client_vpn import WAITER_CONFIG
from ansible_collections.cloudops.fargate.plugins.module_utils._client_vpn import ClientVpnInputError
from ansible_collections.cloudops.fargate.plugins.module_utils._client_vpn import _vpc_cidrs
from ansible_collections.cloudops.fargate.plugins.module_utils._client_vpn import association_changes
from ansible_collections.cloudops.fargate.plugins.module_utils._client_vpn import certificate_arn_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._client_vpn import client_cidr_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._client_vpn import client_config_content
from ansible_collections.cloudops.fargate.plugins.module_utils._client_vpn import client_token
from ansible_collections.cloudops.fargate.plugins.module_utils._client_vpn import connection_log_view
from ansible_collections.cloudops.fargate.plugins.module_utils._client_vpn import create_request
from ansible_collections.cloudops.fargate.plugins.module_utils._client_vpn import dns_server_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._client_vpn import endpoint_changes
from ansible_collections.cloudops.fargate.plugins.module_utils._client_vpn import endpoint_status
from ansible_collections.cloudops.fargate.plugins.module_utils._client_vpn import identity_of
from ansible_collections.cloudops.fargate.plugins.module_utils._client_vpn import immutable_differences
from ansible_collections.cloudops.fargate.plugins.module_utils._client_vpn import lookup_tags
from ansible_collections.cloudops.fargate.plugins.module_utils._client_vpn import modify_request
from ansible_collections.cloudops.fargate.plugins.module_utils._client_vpn import normalize_endpoint
from ansible_collections.cloudops.fargate.plugins.module_utils._client_vpn import overlap_problems
from ansible_collections.cloudops.fargate.plugins.module_utils._client_vpn import predicted_associations
from ansible_collections.cloudops.fargate.plugins.module_utils._client_vpn import predicted_endpoint
from ansible_collections.cloudops.fargate.plugins.module_utils._client_vpn import predicted_rules
from ansible_collections.cloudops.fargate.plugins.module_utils._client_vpn import rule_changes
from ansible_collections.cloudops.fargate.plugins.module_utils._client_vpn import vpc_move_problems
from ansible_collections.cloudops.fargate.plugins.module_utils._client_vpn import wanted_client_config
from ansible_collections.cloudops.fargate.plugins.module_utils._client_vpn import wanted_connection_log
from ansible_collections.cloudops.fargate.plugins.module_utils._client_vpn import wanted_endpoint
from ansible_collections.cloudops.fargate.plugins.module_utils._client_vpn import wanted_rules
from ansible_collections.cloudops.fargate.plugins.module_utils import _common
from ansible_collections.cloudops.fargate.plugins.module_utils._common import AWSActionError
from ansible_collections.cloudops.fargate.plugins.module_utils._common import waiter_settings

SERVER = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"
ROOT = "arn:aws:acm:us-east-1:123456789012:certificate/66666666-7777-8888-9999-000000000000"
VPC = "vpc-0123456789abcdef0"


def params(**overrides):
    """Module parameters as AnsibleModule hands them over: unset options are None."""
    base = {
        "state": "present",
        "name": "unit-vpn",
        "description": None,
        "server_certificate_arn": SERVER,
        "client_root_certificate_chain_arn": ROOT,
        "client_cidr_block": "172.16.0.0/22",
        "split_tunnel": True,
        "dns_servers": None,
        "transport_protocol": "udp",
        "vpn_port": 443,
        "vpc_id": None,
        "security_group_ids": None,
        "subnet_ids": None,
        "authorization_rules": None,
        "connection_log": {"enabled": True, "cloudwatch_log_group": "/vpn", "cloudwatch_log_stream": None},
        "session_timeout_hours": None,
        "replace_on_change": False,
        "wait": True,
        "wait_timeout": _client_vpn.DEFAULT_WAIT_TIMEOUT,
        "client_config": None,
        "tags": None,
        "purge_tags": True,
    }
    base.update(overrides)
    return base


def rule(cidr="10.0.0.0/16", group=None, all_groups=True, description=None, status="active"):
    return {
        "target_network_cidr": cidr,
        "access_group_id": group,
        "authorize_all_groups": all_groups,
        "description": description,
        "status": status,
    }


def association(subnet, status="associated", association_id=None):
    return {"association_id": association_id or f"cvpn-assoc-{subnet}", "subnet_id": subnet, "status": status}


def current_endpoint(**overrides):
    endpoint = {
        "client_vpn_endpoint_id": "cvpn-endpoint-0123456789abcdef0",
        "name": "unit-vpn",
        "description": None,
        "status": "available",
        "dns_name": "*.cvpn-endpoint-0123456789abcdef0.prod.clientvpn.us-east-1.amazonaws.com",
        "client_cidr_block": "172.16.0.0/22",
        "dns_servers": [],
        "split_tunnel": True,
        "transport_protocol": "udp",
        "vpn_port": 443,
        "server_certificate_arn": SERVER,
        "client_root_certificate_chain_arn": ROOT,
        "vpc_id": VPC,
        "security_group_ids": ["sg-1"],
        "session_timeout_hours": 24,
        "connection_log_options": {"enabled": True, "cloudwatch_log_group": "/vpn", "cloudwatch_log_stream": "s-1"},
        "associations": [],
        "authorization_rules": [],
        "tags": {"Name": "unit-vpn"},
    }
    endpoint.update(overrides)
    return endpoint


# --- validation --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, ok",
    [
        ("172.16.0.0/22", True),
        ("10.0.0.0/12", True),
        ("10.0.0.0/16", True),
        ("172.16.0.0/23", False),
        ("10.0.0.0/11", False),
        ("172.16.0.1/22", False),  # host bits set
        ("172.16.0.0", False),
        ("nonsense", False),
        ("2001:db8::/56", False),
    ],
)
def test_client_cidr_errors(value, ok):
    assert (client_cidr_errors(value) == []) is ok


@pytest.mark.parametrize(
    "value, ok",
    [(SERVER, True), ("arn:aws:iam::123456789012:server-certificate/x", False), ("11111111", False), (None, False)],
)
def test_certificate_arn_errors(value, ok):
    assert (certificate_arn_errors(value, "server_certificate_arn") == []) is ok


@pytest.mark.parametrize(
    "servers, errors",
    [(None, 0), ([], 0), (["10.0.0.2"], 0), (["10.0.0.2", "1.1.1.1"], 0), (["a", "b", "c"], 4), (["dns"], 1)],
)
def test_dns_server_errors(servers, errors):
    assert len(dns_server_errors(servers)) == errors


@pytest.mark.parametrize(
    "given, expected, error",
    [
        ({"target_network_cidr": "10.0.0.0/16"}, rule(status=None), None),
        ({"target_network_cidr": "10.0.0.0/16", "authorize_all_groups": True}, rule(status=None), None),
        (
            {"target_network_cidr": "10.0.0.0/16", "access_group_id": "admins", "description": "d"},
            rule(group="admins", all_groups=False, description="d", status=None),
            None,
        ),
        ({"target_network_cidr": "10.0.0.0/16", "authorize_all_groups": False}, None, "access_group_id"),
        ({"target_network_cidr": "10.0.0.0/16", "access_group_id": "g", "authorize_all_groups": True}, None, "exclude"),
        ({"target_network_cidr": "10.0.0.1/16"}, None, "target_network_cidr"),
    ],
)
def test_wanted_rules(given, expected, error):
    rules, errors = wanted_rules([given])
    if error:
        assert len(errors) == 1 and error in errors[0]
    else:
        assert errors == []
        assert rules == [{k: v for k, v in expected.items() if k != "status"}]


def test_wanted_rules_refuses_duplicates_and_sorts():
    rules, errors = wanted_rules(
        [
            {"target_network_cidr": "10.1.0.0/16"},
            {"target_network_cidr": "10.0.0.0/16"},
            {"target_network_cidr": "10.1.0.0/16"},
        ]
    )
    assert [r["target_network_cidr"] for r in rules] == ["10.0.0.0/16", "10.1.0.0/16"]
    assert len(errors) == 1 and "repeats" in errors[0]
    assert wanted_rules(None) == (None, [])


@pytest.mark.parametrize(
    "given, expected, error",
    [
        (None, None, "log_group is required"),
        ({}, None, "log_group is required"),
        (
            {"enabled": True, "cloudwatch_log_group": "/g"},
            {"enabled": True, "log_group": "/g", "log_stream": None},
            None,
        ),
        (
            {"cloudwatch_log_group": "/g", "cloudwatch_log_stream": "s"},
            {"enabled": True, "log_group": "/g", "log_stream": "s"},
            None,
        ),
        (
            {"enabled": False, "cloudwatch_log_group": "/g"},
            {"enabled": False, "log_group": None, "log_stream": None},
            None,
        ),
    ],
)
def test_wanted_connection_log(given, expected, error):
    result, errors = wanted_connection_log(given)
    if error:
        assert len(errors) == 1 and error in errors[0]
    else:
        assert (result, errors) == (expected, [])


def test_lookup_tags_take_the_identity_tags_only():
    assert lookup_tags("vpn", {"Stack": "demo", "Environment": "dev", "Owner": "ops", "ManagedBy": None}) == {
        "Name": "vpn",
        "Stack": "demo",
        "Environment": "dev",
        "ManagedBy": "",
    }


@pytest.mark.parametrize(
    "name, tags, error",
    [
        ("", None, "non-empty"),
        ("x" * 257, None, "256"),
        ("vpn", {"Name": "other"}, "tags.Name"),
        ("vpn", {"Name": "vpn"}, None),
    ],
)
def test_identity_of(name, tags, error):
    if error:
        with pytest.raises(ClientVpnInputError, match=error):
            identity_of({"name": name, "tags": tags})
    else:
        assert identity_of({"name": name, "tags": tags})["lookup_tags"] == {"Name": "vpn"}


def test_wanted_endpoint_reports_every_error_at_once():
    with pytest.raises(ClientVpnInputError) as raised:
        wanted_endpoint(
            params(
                client_cidr_block="10.0.0.0/8",
                server_certificate_arn="x",
                dns_servers=["a"],
                security_group_ids=["sg-1"],
                subnet_ids=["subnet-1", "subnet-1"],
                connection_log=None,
                wait_timeout=-1,
            )
        )
    message = str(raised.value)
    for part in (
        "client_cidr_block",
        "server_certificate_arn",
        "dns_servers",
        "requires vpc_id",
        "more than once",
        "log_group",
        "wait_timeout",
    ):
        assert part in message


def test_wanted_endpoint_fills_in_and_names_itself():
    wanted = wanted_endpoint(params(tags={"Stack": "demo"}, vpn_port=None, transport_protocol=None))
    assert wanted["tags"] == {"Stack": "demo", "Name": "unit-vpn"}
    assert wanted["create_tags"] == {"Stack": "demo", "Name": "unit-vpn"}
    assert wanted["lookup_tags"] == {"Name": "unit-vpn", "Stack": "demo"}
    assert (wanted["vpn_port"], wanted["transport_protocol"]) == (443, "udp")
    assert wanted_endpoint(params())["tags"] is None, "tags left out are left alone"


# --- client configuration ------------------------------------------------------------------------------------


def _certificate_and_key():
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "operator")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    key_text = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return certificate.public_bytes(serialization.Encoding.PEM).decode(), key_text


def test_wanted_client_config(tmp_path):
    certificate, key = _certificate_and_key()
    _other_certificate, other_key = _certificate_and_key()
    ok, errors = wanted_client_config(
        {"path": str(tmp_path / "a.ovpn"), "client_certificate": certificate, "client_key": key}
    )
    assert errors == [] and ok["path"] == str(tmp_path / "a.ovpn")
    cases = [
        ({"path": str(tmp_path / "no" / "a.ovpn")}, "does not exist"),
        ({"path": str(tmp_path)}, "is a directory"),
        ({"client_certificate": "nope"}, "client_certificate"),
        ({"client_key": other_key}, "does not belong"),
        ({"client_key": "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"}, "client_key"),
    ]
    for overrides, error in cases:
        options = {"path": str(tmp_path / "a.ovpn"), "client_certificate": certificate, "client_key": key, **overrides}
        result, errors = wanted_client_config(options)
        assert result is None and any(error in e for e in errors), (overrides, errors)
        assert not any("AAAA" in e or key.splitlines()[1] in e for e in errors), "errors never quote the key"
    assert wanted_client_config(None) == (None, [])


def test_client_config_content_inlines_certificate_and_key():
    content = client_config_content("client\n<ca>\nCA\n</ca>\nreneg-sec 0", "CERT\n", "KEY")
    assert content == b"client\n<ca>\nCA\n</ca>\nreneg-sec 0\n<cert>\nCERT\n</cert>\n<key>\nKEY\n</key>\n"


# --- reading AWS -------------------------------------------------------------------------------------------------


def test_normalize_endpoint():
    description = {
        "ClientVpnEndpointId": "cvpn-endpoint-1",
        "Status": {"Code": "available"},
        "DnsName": "*.cvpn-endpoint-1.prod.clientvpn.us-east-1.amazonaws.com",
        "ClientCidrBlock": "172.16.0.0/22",
        "DnsServers": ["10.0.0.2"],
        "SplitTunnel": True,
        "TransportProtocol": "udp",
        "VpnPort": 443,
        "ServerCertificateArn": SERVER,
        "AuthenticationOptions": [
            {"Type": "certificate-authentication", "MutualAuthentication": {"ClientRootCertificateChain": ROOT}}
        ],
        "ConnectionLogOptions": {"Enabled": False, "CloudwatchLogGroup": "/old"},
        "Tags": [{"Key": "Name", "Value": "vpn"}],
        "SecurityGroupIds": ["sg-2", "sg-1"],
        "VpcId": VPC,
        "SessionTimeoutHours": 24,
    }
    networks = [
        {"AssociationId": "a-2", "TargetNetworkId": "subnet-b", "Status": {"Code": "associating"}},
        {"AssociationId": "a-1", "TargetNetworkId": "subnet-a", "Status": {"Code": "associated"}},
    ]
    rules = [
        {"DestinationCidr": "10.1.0.0/16", "GroupId": "admins", "AccessAll": False, "Status": {"Code": "active"}},
        {
            "DestinationCidr": "10.0.0.0/16",
            "GroupId": "",
            "AccessAll": True,
            "Description": "vpc",
            "Status": {"Code": "authorizing"},
        },
    ]
    endpoint = normalize_endpoint(description, networks, rules)
    assert endpoint["name"] == "vpn"
    assert endpoint["description"] is None
    assert endpoint["client_root_certificate_chain_arn"] == ROOT
    assert endpoint["security_group_ids"] == ["sg-1", "sg-2"]
    assert endpoint["connection_log_options"] == {
        "enabled": False,
        "cloudwatch_log_group": None,
        "cloudwatch_log_stream": None,
    }
    assert endpoint["associations"] == [
        association("subnet-a", "associated", "a-1"),
        association("subnet-b", "associating", "a-2"),
    ]
    assert endpoint["authorization_rules"] == [
        rule("10.0.0.0/16", description="vpc", status="authorizing"),
        rule("10.1.0.0/16", group="admins", all_groups=False, status="active"),
    ]
    assert endpoint["tags"] == {"Name": "vpn"}


def test_vpc_cidrs_and_overlaps():
    vpc = {
        "CidrBlock": "10.0.0.0/16",
        "CidrBlockAssociationSet": [
            {"CidrBlock": "10.0.0.0/16", "CidrBlockState": {"State": "associated"}},
            {"CidrBlock": "10.1.0.0/16", "CidrBlockState": {"State": "disassociated"}},
            {"CidrBlock": "172.16.0.0/16", "CidrBlockState": {"State": "associated"}},
        ],
    }
    assert _vpc_cidrs(vpc) == ["10.0.0.0/16", "172.16.0.0/16"]
    assert _vpc_cidrs({"CidrBlock": "10.0.0.0/16"}) == ["10.0.0.0/16"]
    assert overlap_problems("172.16.0.0/22", VPC, _vpc_cidrs(vpc)) != []
    assert overlap_problems("192.168.0.0/22", VPC, _vpc_cidrs(vpc)) == []


@pytest.mark.parametrize(
    "associations, vpc_id, subnets, refused",
    [
        ([association("a")], "vpc-2", None, True),
        ([association("a", "disassociating")], "vpc-2", None, False),
        ([association("a")], "vpc-2", [], False),
        ([association("a")], "vpc-2", ["subnet-of-vpc-2"], False),
        ([association("a")], VPC, None, False),
        ([association("a")], None, None, False),
        ([], "vpc-2", None, False),
    ],
)
def test_vpc_move_problems(associations, vpc_id, subnets, refused):
    wanted = wanted_endpoint(params(vpc_id=vpc_id, subnet_ids=subnets))
    assert bool(vpc_move_problems(current_endpoint(associations=associations), wanted)) is refused


# --- comparing ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "overrides, fields",
    [
        ({}, []),
        ({"client_cidr_block": "172.20.0.0/22"}, ["client_cidr_block"]),
        ({"transport_protocol": "tcp"}, ["transport_protocol"]),
        ({"client_root_certificate_chain_arn": SERVER}, ["client_root_certificate_chain_arn"]),
        ({"vpn_port": 1194, "server_certificate_arn": ROOT}, []),  # change in place
    ],
)
def test_immutable_differences(overrides, fields):
    wanted = wanted_endpoint(params(**overrides))
    assert list(immutable_differences(current_endpoint(), wanted)) == fields


@pytest.mark.parametrize(
    "current, wanted, expected",
    [
        (
            None,
            {"enabled": False, "log_group": None, "log_stream": None},
            {"enabled": False, "cloudwatch_log_group": None, "cloudwatch_log_stream": None},
        ),
        (
            {"enabled": True, "cloudwatch_log_group": "/g", "cloudwatch_log_stream": "s-1"},
            {"enabled": True, "log_group": "/g", "log_stream": None},
            {"enabled": True, "cloudwatch_log_group": "/g", "cloudwatch_log_stream": "s-1"},
        ),
        (
            {"enabled": True, "cloudwatch_log_group": "/g", "cloudwatch_log_stream": "s-1"},
            {"enabled": True, "log_group": "/h", "log_stream": None},
            {"enabled": True, "cloudwatch_log_group": "/h", "cloudwatch_log_stream": None},
        ),
        (
            {"enabled": True, "cloudwatch_log_group": "/g", "cloudwatch_log_stream": "s-1"},
            {"enabled": True, "log_group": "/g", "log_stream": "s-2"},
            {"enabled": True, "cloudwatch_log_group": "/g", "cloudwatch_log_stream": "s-2"},
        ),
    ],
)
def test_connection_log_view(current, wanted, expected):
    assert connection_log_view(current, wanted) == expected


@pytest.mark.parametrize(
    "overrides, changes, request_",
    [
        ({}, {}, {}),
        ({"description": "ops"}, {"description": ("", "ops")}, {"Description": "ops"}),
        ({"split_tunnel": False}, {"split_tunnel": (True, False)}, {"SplitTunnel": False}),
        ({"vpn_port": 1194}, {"vpn_port": (443, 1194)}, {"VpnPort": 1194}),
        ({"server_certificate_arn": ROOT}, {"server_certificate_arn": (SERVER, ROOT)}, {"ServerCertificateArn": ROOT}),
        (
            {"dns_servers": ["10.0.0.2"]},
            {"dns_servers": ([], ["10.0.0.2"])},
            {"DnsServers": {"Enabled": True, "CustomDnsServers": ["10.0.0.2"]}},
        ),
        ({"dns_servers": []}, {}, {}),
        ({"session_timeout_hours": 8}, {"session_timeout_hours": (24, 8)}, {"SessionTimeoutHours": 8}),
        ({"session_timeout_hours": 24}, {}, {}),
        (
            {"vpc_id": VPC, "security_group_ids": ["sg-2", "sg-1"]},
            {"security_group_ids": (["sg-1"], ["sg-1", "sg-2"])},
            {"VpcId": VPC, "SecurityGroupIds": ["sg-2", "sg-1"]},
        ),
        ({"vpc_id": "vpc-2"}, {"vpc_id": (VPC, "vpc-2")}, {"VpcId": "vpc-2"}),
        (
            {"connection_log": {"enabled": False}},
            {
                "connection_log_options": (
                    {"enabled": True, "cloudwatch_log_group": "/vpn", "cloudwatch_log_stream": "s-1"},
                    {"enabled": False, "cloudwatch_log_group": None, "cloudwatch_log_stream": None},
                )
            },
            {"ConnectionLogOptions": {"Enabled": False}},
        ),
        ({"connection_log": {"cloudwatch_log_group": "/vpn"}}, {}, {}),
    ],
)
def test_endpoint_changes_and_modify_request(overrides, changes, request_):
    current = current_endpoint()
    wanted = wanted_endpoint(params(**overrides))
    assert endpoint_changes(current, wanted) == changes
    assert modify_request(changes, current, wanted) == request_


def test_dns_servers_removed():
    current = current_endpoint(dns_servers=["10.0.0.2"])
    wanted = wanted_endpoint(params(dns_servers=[]))
    changes = endpoint_changes(current, wanted)
    assert modify_request(changes, current, wanted) == {"DnsServers": {"Enabled": False}}


@pytest.mark.parametrize(
    "associations, subnets, add, remove",
    [
        ([], None, [], []),
        ([association("a")], None, [], []),
        ([], ["a", "b"], ["a", "b"], []),
        ([association("a"), association("b")], ["b", "c"], ["c"], ["a"]),
        ([association("a", "disassociating")], ["a"], ["a"], []),
        ([association("a", "associating")], ["a"], [], []),
        ([association("a")], [], [], ["a"]),
    ],
)
def test_association_changes(associations, subnets, add, remove):
    to_add, to_remove = association_changes(associations, subnets)
    assert to_add == add
    assert [a["subnet_id"] for a in to_remove] == remove


@pytest.mark.parametrize(
    "current, wanted, authorize, revoke, replace",
    [
        ([], None, [], [], []),
        ([rule()], [], [], ["10.0.0.0/16"], []),
        ([], [rule(status=None)], ["10.0.0.0/16"], [], []),
        ([rule(description="a")], [rule(description="b", status=None)], [], [], ["10.0.0.0/16"]),
        ([rule(description="a")], [rule(description=None, status=None)], [], [], []),
        ([rule(status="revoking")], [rule(status=None)], ["10.0.0.0/16"], [], []),
        ([rule(group="g", all_groups=False)], [rule(status=None)], ["10.0.0.0/16"], ["10.0.0.0/16"], []),
    ],
)
def test_rule_changes(current, wanted, authorize, revoke, replace):
    if wanted is not None:
        wanted = [{k: v for k, v in r.items() if k != "status"} for r in wanted]
    to_authorize, to_revoke, to_replace = rule_changes(current, wanted)
    assert [r["target_network_cidr"] for r in to_authorize] == authorize
    assert [r["target_network_cidr"] for r in to_revoke] == revoke
    assert [r["target_network_cidr"] for r in to_replace] == replace


@pytest.mark.parametrize(
    "settled, expected",
    [
        (True, [("b", "associated"), ("c", "associated")]),
        (False, [("a", "disassociating"), ("b", "associating"), ("c", "associating"), ("d", "disassociating")]),
    ],
)
def test_predicted_associations(settled, expected):
    current = [association("a"), association("b", "associating"), association("d", "disassociating")]
    predicted = predicted_associations(current, ["b", "c"], settled)
    assert [(a["subnet_id"], a["status"]) for a in predicted] == expected
    assert endpoint_status(predicted) == ("available" if settled else "pending-associate")


@pytest.mark.parametrize(
    "settled, expected",
    [
        (True, [("10.0.0.0/16", "new", "active"), ("10.2.0.0/16", None, "active")]),
        (
            False,
            [
                ("10.0.0.0/16", "new", "authorizing"),
                ("10.1.0.0/16", None, "revoking"),
                ("10.2.0.0/16", None, "authorizing"),
            ],
        ),
    ],
)
def test_predicted_rules(settled, expected):
    current = [rule("10.0.0.0/16", description="old"), rule("10.1.0.0/16")]
    wanted = [
        {k: v for k, v in rule("10.0.0.0/16", description="new").items() if k != "status"},
        {k: v for k, v in rule("10.2.0.0/16").items() if k != "status"},
    ]
    predicted = predicted_rules(current, wanted, settled)
    assert [(r["target_network_cidr"], r["description"], r["status"]) for r in predicted] == expected


# --- creating --------------------------------------------------------------------------------------------------


def test_create_request():
    wanted = wanted_endpoint(
        params(
            vpc_id=VPC,
            security_group_ids=["sg-1"],
            dns_servers=["10.0.0.2"],
            description="ops",
            session_timeout_hours=12,
            tags={"Stack": "demo"},
        )
    )
    assert create_request(wanted) == {
        "ClientCidrBlock": "172.16.0.0/22",
        "ServerCertificateArn": SERVER,
        "AuthenticationOptions": [
            {"Type": "certificate-authentication", "MutualAuthentication": {"ClientRootCertificateChainArn": ROOT}}
        ],
        "ConnectionLogOptions": {"Enabled": True, "CloudwatchLogGroup": "/vpn"},
        "TransportProtocol": "udp",
        "VpnPort": 443,
        "SplitTunnel": True,
        "TagSpecifications": [
            {
                "ResourceType": "client-vpn-endpoint",
                "Tags": [{"Key": "Stack", "Value": "demo"}, {"Key": "Name", "Value": "unit-vpn"}],
            }
        ],
        "Description": "ops",
        "DnsServers": ["10.0.0.2"],
        "VpcId": VPC,
        "SecurityGroupIds": ["sg-1"],
        "SessionTimeoutHours": 12,
    }
    minimal = create_request(wanted_endpoint(params()))
    assert not {"Description", "DnsServers", "VpcId", "SecurityGroupIds", "SessionTimeoutHours"} & set(minimal)


def test_client_token_is_stable_and_bounded():
    request = create_request(wanted_endpoint(params()))
    token = client_token("unit-vpn", request)
    assert token == client_token("unit-vpn", json.loads(json.dumps(request)))
    assert len(token) <= 64, "EC2 client tokens are at most 64 ASCII characters"
    assert token != client_token("other", request)
    assert token != client_token("unit-vpn", dict(request, VpnPort=1194))
    assert token != client_token("unit-vpn", request, "cvpn-endpoint-dead")


def test_predicted_endpoint():
    wanted = wanted_endpoint(
        params(
            vpc_id=VPC,
            subnet_ids=["b", "a"],
            authorization_rules=[{"target_network_cidr": "10.0.0.0/16"}],
            tags={"Stack": "demo"},
        )
    )
    predicted = predicted_endpoint(wanted, ["sg-default"])
    assert predicted["status"] == "available"
    assert [(a["subnet_id"], a["status"]) for a in predicted["associations"]] == [
        ("a", "associated"),
        ("b", "associated"),
    ]
    assert predicted["security_group_ids"] == ["sg-default"]
    assert predicted["session_timeout_hours"] == 24
    assert predicted["tags"] == {"Stack": "demo", "Name": "unit-vpn"}
    lazy = predicted_endpoint(dict(wanted, wait=False))
    assert lazy["status"] == "pending-associate"
    assert {a["status"] for a in lazy["associations"]} == {"associating"}
    assert [r["status"] for r in lazy["authorization_rules"]] == ["authorizing"]


# --- waiting ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "timeout, delay, expected",
    [(900, 10, (10, 91)), (5, 10, (5, 2)), (0, 10, (10, 1)), (-3, 10, (10, 1)), (1, 0.25, (0.25, 5))],
)
def test_waiter_settings(timeout, delay, expected):
    assert waiter_settings(timeout, delay) == expected


def _acceptor_outcome(waiter: str, response: dict) -> str | None:
    """What a waiter decides on a response, judged by botocore's own matchers: the state of the first acceptor
    that matches, or None (poll again)."""
    for acceptor in WaiterModel(WAITER_CONFIG).get_waiter(waiter).acceptors:
        if acceptor.matcher_func(response):
            return acceptor.state
    return None


def _networks(*codes):
    return {"ClientVpnTargetNetworks": [{"Status": {"Code": code}} for code in codes]}


def _rules(*codes):
    return {"AuthorizationRules": [{"Status": {"Code": code}} for code in codes]}


@pytest.mark.parametrize(
    "waiter, response, outcome",
    [
        ("TargetNetworksAssociated", _networks(), "success"),
        ("TargetNetworksAssociated", _networks("associated", "associated"), "success"),
        ("TargetNetworksAssociated", _networks("associated", "associating"), None),
        ("TargetNetworksAssociated", _networks("associated", "disassociating"), None),
        ("TargetNetworksAssociated", _networks("association-failed"), "failure"),
        ("TargetNetworksGone", _networks(), "success"),
        ("TargetNetworksGone", _networks("disassociating"), None),
        ("AuthorizationRulesActive", _rules("active", "active"), "success"),
        ("AuthorizationRulesActive", _rules("active", "revoking"), None),
        ("AuthorizationRulesActive", _rules("failed"), "failure"),
        ("AuthorizationRulesRevoked", _rules("active", "authorizing"), "success"),
        ("AuthorizationRulesRevoked", _rules("revoking"), None),
        ("EndpointDeleted", {"ClientVpnEndpoints": []}, "success"),
        ("EndpointDeleted", {"ClientVpnEndpoints": [{"Status": {"Code": "deleted"}}]}, "success"),
        ("EndpointDeleted", {"ClientVpnEndpoints": [{"Status": {"Code": "deleting"}}]}, None),
    ],
)
def test_waiter_acceptors(waiter, response, outcome):
    assert _acceptor_outcome(waiter, response) == outcome


def test_waiters_are_valid_botocore_waiters():
    from botocore.waiter import WaiterModel

    model = WaiterModel(WAITER_CONFIG)
    for name in model.waiter_names:
        assert model.get_waiter(name).operation.startswith("DescribeClientVpn")
    errors = {
        a["expected"]
        for w in WAITER_CONFIG["waiters"].values()
        for a in w["acceptors"]
        if a["matcher"] == "error" and a["state"] == "success"
    }
    assert errors == {"InvalidClientVpnEndpointId.NotFound"}


# --- reading for client_vpn_endpoint_info ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "route, expected",
    [
        (
            {
                "ClientVpnEndpointId": "cvpn-endpoint-1",
                "DestinationCidr": "10.0.0.0/16",
                "TargetSubnet": "subnet-a",
                "Type": "Nat",
                "Origin": "associate",
                "Status": {"Code": "active"},
                "Description": "Default Route",
            },
            {
                "destination_cidr": "10.0.0.0/16",
                "target_subnet": "subnet-a",
                "origin": "associate",
                "type": "Nat",
                "description": "Default Route",
                "status": "active",
            },
        ),
        (
            {
                "DestinationCidr": "0.0.0.0/0",
                "TargetSubnet": "local",
                "Type": "local",
                "Origin": "add-route",
                "Status": {"Code": "creating", "Message": "Creating"},
                "Description": "",
            },
            {
                "destination_cidr": "0.0.0.0/0",
                "target_subnet": "local",
                "origin": "add-route",
                "type": "local",
                "description": None,
                "status": "creating",
            },
        ),
        (
            {},
            {
                "destination_cidr": None,
                "target_subnet": None,
                "origin": None,
                "type": None,
                "description": None,
                "status": None,
            },
        ),
    ],
)
def test_normalize_route(route, expected):
    assert _client_vpn.normalize_route(route) == expected


@pytest.mark.parametrize(
    "given, expected, error",
    [
        ({}, {"client_vpn_endpoint_ids": None, "tags": {}}, None),
        ({"name": "vpn"}, {"client_vpn_endpoint_ids": None, "tags": {"Name": "vpn"}}, None),
        (
            {"name": "vpn", "tags": {"Stack": "demo", "Version": 2, "Empty": None}},
            {"client_vpn_endpoint_ids": None, "tags": {"Name": "vpn", "Stack": "demo", "Version": "2", "Empty": ""}},
            None,
        ),
        ({"name": "vpn", "tags": {"Name": "vpn"}}, {"client_vpn_endpoint_ids": None, "tags": {"Name": "vpn"}}, None),
        ({"tags": {"Name": "vpn"}}, {"client_vpn_endpoint_ids": None, "tags": {"Name": "vpn"}}, None),
        (
            {"client_vpn_endpoint_ids": ["cvpn-endpoint-2", "cvpn-endpoint-1", "cvpn-endpoint-2"]},
            {"client_vpn_endpoint_ids": ["cvpn-endpoint-2", "cvpn-endpoint-1"], "tags": {}},
            None,
        ),
        ({"client_vpn_endpoint_ids": []}, {"client_vpn_endpoint_ids": [], "tags": {}}, None),
        ({"name": ""}, None, "name must be a non-empty string"),
        ({"name": "  "}, None, "name must be a non-empty string"),
        ({"name": "vpn", "tags": {"Name": "other"}}, None, "tags.Name is 'other' but name is 'vpn'"),
        ({"client_vpn_endpoint_ids": ["cvpn-endpoint-1", ""]}, None, "client_vpn_endpoint_ids[1] must be"),
    ],
)
def test_info_filters(given, expected, error):
    if error:
        with pytest.raises(ClientVpnInputError, match=re.escape(error)):
            _client_vpn.info_filters(given)
    else:
        assert _client_vpn.info_filters(given) == expected


def test_info_filters_report_every_error_at_once():
    with pytest.raises(ClientVpnInputError) as raised:
        _client_vpn.info_filters({"name": "", "client_vpn_endpoint_ids": [""]})
    assert "name must" in str(raised.value) and "client_vpn_endpoint_ids[0]" in str(raised.value)


def _described(endpoint_id="cvpn-endpoint-1", status="available", **tags):
    return {
        "ClientVpnEndpointId": endpoint_id,
        "Status": {"Code": status},
        "Tags": [{"Key": k, "Value": v} for k, v in tags.items()],
    }


@pytest.mark.parametrize(
    "described, filters, matches",
    [
        (_described(Name="vpn"), {"client_vpn_endpoint_ids": None, "tags": {}}, True),
        (_described(Name="vpn", Stack="demo"), {"client_vpn_endpoint_ids": None, "tags": {"Name": "vpn"}}, True),
        (_described(Name="vpn"), {"client_vpn_endpoint_ids": None, "tags": {"Name": "vpn", "Stack": "d"}}, False),
        (_described(Name="other"), {"client_vpn_endpoint_ids": None, "tags": {"Name": "vpn"}}, False),
        (_described(), {"client_vpn_endpoint_ids": None, "tags": {"Name": "vpn"}}, False),
        (_described(status="pending-associate"), {"client_vpn_endpoint_ids": None, "tags": {}}, True),
        (_described(status="deleting"), {"client_vpn_endpoint_ids": None, "tags": {}}, False),
        (_described(status="deleted"), {"client_vpn_endpoint_ids": None, "tags": {}}, False),
        (_described(), {"client_vpn_endpoint_ids": ["cvpn-endpoint-1"], "tags": {}}, True),
        (_described(), {"client_vpn_endpoint_ids": ["cvpn-endpoint-2"], "tags": {}}, False),
        (_described(), {"client_vpn_endpoint_ids": [], "tags": {}}, False),
    ],
)
def test_matches_info_filters(described, filters, matches):
    assert _client_vpn.matches_info_filters(described, filters) is matches


def test_info_endpoint_is_normalize_endpoint_plus_routes():
    description = dict(_described(Name="vpn"), VpcId=VPC, ClientCidrBlock="172.16.0.0/22")
    networks = [{"AssociationId": "a-1", "TargetNetworkId": "subnet-a", "Status": {"Code": "associated"}}]
    rules = [{"DestinationCidr": "10.0.0.0/16", "GroupId": "", "AccessAll": True, "Status": {"Code": "active"}}]
    routes = [
        {
            "DestinationCidr": "10.9.0.0/16",
            "TargetSubnet": "subnet-a",
            "Origin": "add-route",
            "Status": {"Code": "active"},
        },
        {
            "DestinationCidr": "10.0.0.0/16",
            "TargetSubnet": "subnet-b",
            "Origin": "associate",
            "Status": {"Code": "active"},
        },
        {
            "DestinationCidr": "10.0.0.0/16",
            "TargetSubnet": "subnet-a",
            "Origin": "associate",
            "Status": {"Code": "active"},
        },
    ]

    endpoint = _client_vpn.info_endpoint(description, networks, rules, routes)

    assert {k: v for k, v in endpoint.items() if k != "routes"} == normalize_endpoint(description, networks, rules)
    assert [(r["destination_cidr"], r["target_subnet"]) for r in endpoint["routes"]] == [
        ("10.0.0.0/16", "subnet-a"),
        ("10.0.0.0/16", "subnet-b"),
        ("10.9.0.0/16", "subnet-a"),
    ]


@pytest.mark.parametrize(
    "networks, rules, routes, keys",
    [
        ([], [], [], {"associations", "authorization_rules", "routes"}),
        (None, [], [], {"authorization_rules", "routes"}),
        ([], None, [], {"associations", "routes"}),
        ([], [], None, {"associations", "authorization_rules"}),
        (None, None, None, set()),
    ],
)
def test_info_endpoint_leaves_out_what_was_not_read(networks, rules, routes, keys):
    endpoint = _client_vpn.info_endpoint(_described(Name="vpn"), networks, rules, routes)
    children = {"associations", "authorization_rules", "routes"}
    assert children & set(endpoint) == keys
    for key in keys:
        assert endpoint[key] == []


def _short(endpoint_id, name):
    return {"client_vpn_endpoint_id": endpoint_id, "name": name}


def test_info_order():
    endpoints = [_short("e-3", None), _short("e-2", "b"), _short("e-4", "a"), _short("e-1", "b")]
    assert [e["client_vpn_endpoint_id"] for e in _client_vpn.info_order(endpoints, None)] == [
        "e-4",
        "e-1",
        "e-2",
        "e-3",
    ]
    ordered = _client_vpn.info_order(endpoints, ["e-2", "e-3", "e-1", "e-4"])
    assert [e["client_vpn_endpoint_id"] for e in ordered] == ["e-2", "e-3", "e-1", "e-4"]


# A fake EC2 client: every describe call answers in pages of one; ``gone`` endpoints answer NotFound.


class _FakeModule:
    check_mode = False
    region = "us-east-1"

    def __init__(self, ec2):
        self._ec2 = ec2

    def client(self, service, retry_decorator=None, **_config):
        assert service == "ec2"
        return self._ec2

    def fail_json_aws(self, exception, msg):
        raise AssertionError(f"{msg}: {exception}")


def _not_found(endpoint_id):
    from botocore.exceptions import ClientError

    error = {"Code": "InvalidClientVpnEndpointId.NotFound", "Message": f"{endpoint_id} does not exist"}
    return ClientError({"Error": error}, "DescribeClientVpn")


class _PagedEc2:
    def __init__(self, endpoints, gone=()):
        self.endpoints = endpoints  # id -> description
        self.gone = set(gone)  # listed, but deleted before their children are read
        self.calls = []

    @staticmethod
    def _page(items, key, token):
        index = int(token or 0)
        page = {key: items[index : index + 1]}
        if index + 1 < len(items):
            page["NextToken"] = str(index + 1)
        return page

    def describe_client_vpn_endpoints(self, aws_retry, ClientVpnEndpointIds=None, NextToken=None):
        assert aws_retry is True
        self.calls.append(("endpoints", tuple(ClientVpnEndpointIds or ()), NextToken))
        for endpoint_id in ClientVpnEndpointIds or []:
            if endpoint_id not in self.endpoints:
                raise _not_found(endpoint_id)
        items = [d for i, d in self.endpoints.items() if not ClientVpnEndpointIds or i in ClientVpnEndpointIds]
        return self._page(items, "ClientVpnEndpoints", NextToken)

    def _children(self, name, key, endpoint_id, token, items):
        self.calls.append((name, endpoint_id, token))
        if endpoint_id in self.gone:
            raise _not_found(endpoint_id)
        return self._page(items, key, token)

    def describe_client_vpn_target_networks(self, aws_retry, ClientVpnEndpointId, NextToken=None):
        networks = [
            {"AssociationId": f"a-{s}", "TargetNetworkId": s, "Status": {"Code": "associated"}}
            for s in ("subnet-b", "subnet-a")
        ]
        return self._children("networks", "ClientVpnTargetNetworks", ClientVpnEndpointId, NextToken, networks)

    def describe_client_vpn_authorization_rules(self, aws_retry, ClientVpnEndpointId, NextToken=None):
        rules = [
            {"DestinationCidr": c, "GroupId": "", "AccessAll": True, "Status": {"Code": "active"}}
            for c in ("10.1.0.0/16", "10.0.0.0/16")
        ]
        return self._children("rules", "AuthorizationRules", ClientVpnEndpointId, NextToken, rules)

    def describe_client_vpn_routes(self, aws_retry, ClientVpnEndpointId, NextToken=None):
        routes = [
            {
                "DestinationCidr": "10.0.0.0/16",
                "TargetSubnet": s,
                "Origin": "associate",
                "Type": "Nat",
                "Status": {"Code": "active"},
            }
            for s in ("subnet-b", "subnet-a")
        ]
        return self._children("routes", "Routes", ClientVpnEndpointId, NextToken, routes)


ALL_CHILDREN = {"associations": True, "authorization_rules": True, "routes": True}


def _manager(ec2):
    return _client_vpn.ClientVpnEndpointInfoManager(_FakeModule(ec2))


def test_info_manager_reads_every_page():
    ec2 = _PagedEc2({i: _described(i, Name=n) for i, n in (("e-1", "b"), ("e-2", "a"))})

    found = _manager(ec2).list_endpoints({"client_vpn_endpoint_ids": None, "tags": {}}, ALL_CHILDREN)

    assert [e["client_vpn_endpoint_id"] for e in found] == ["e-2", "e-1"]
    for endpoint in found:
        assert [a["subnet_id"] for a in endpoint["associations"]] == ["subnet-a", "subnet-b"]
        assert [r["target_network_cidr"] for r in endpoint["authorization_rules"]] == ["10.0.0.0/16", "10.1.0.0/16"]
        assert [r["target_subnet"] for r in endpoint["routes"]] == ["subnet-a", "subnet-b"]
    assert [c for c in ec2.calls if c[0] == "endpoints"] == [("endpoints", (), None), ("endpoints", (), "1")]
    assert ("routes", "e-1", "1") in ec2.calls


def test_info_manager_asks_for_the_ids_one_by_one_when_one_is_unknown():
    ec2 = _PagedEc2({i: _described(i) for i in ("e-1", "e-2")})

    found = _manager(ec2).list_endpoints(
        {"client_vpn_endpoint_ids": ["e-2", "e-9", "e-1"], "tags": {}}, dict.fromkeys(ALL_CHILDREN, False)
    )

    assert [e["client_vpn_endpoint_id"] for e in found] == ["e-2", "e-1"]
    assert ec2.calls == [
        ("endpoints", ("e-2", "e-9", "e-1"), None),
        ("endpoints", ("e-2",), None),
        ("endpoints", ("e-9",), None),
        ("endpoints", ("e-1",), None),
    ]


def test_info_manager_asks_once_when_every_id_is_known():
    ec2 = _PagedEc2({i: _described(i) for i in ("e-1", "e-2")})

    found = _manager(ec2).list_endpoints(
        {"client_vpn_endpoint_ids": ["e-1", "e-2"], "tags": {}}, dict.fromkeys(ALL_CHILDREN, False)
    )

    assert [e["client_vpn_endpoint_id"] for e in found] == ["e-1", "e-2"]
    assert ec2.calls == [("endpoints", ("e-1", "e-2"), None), ("endpoints", ("e-1", "e-2"), "1")]


def test_info_manager_asks_nothing_for_no_ids():
    ec2 = _PagedEc2({"e-1": _described("e-1")})
    assert _manager(ec2).list_endpoints({"client_vpn_endpoint_ids": [], "tags": {}}, ALL_CHILDREN) == []
    assert ec2.calls == []


def test_info_manager_leaves_out_an_endpoint_gone_while_read():
    ec2 = _PagedEc2({i: _described(i) for i in ("e-1", "e-2")}, gone={"e-1"})

    found = _manager(ec2).list_endpoints({"client_vpn_endpoint_ids": None, "tags": {}}, ALL_CHILDREN)

    assert [e["client_vpn_endpoint_id"] for e in found] == ["e-2"]


def test_info_manager_reads_only_the_children_asked_for():
    ec2 = _PagedEc2({"e-1": _described("e-1")})

    found = _manager(ec2).list_endpoints(
        {"client_vpn_endpoint_ids": None, "tags": {}},
        {"associations": False, "authorization_rules": False, "routes": True},
    )

    assert {c[0] for c in ec2.calls} == {"endpoints", "routes"}
    assert "associations" not in found[0] and "authorization_rules" not in found[0]
    assert len(found[0]["routes"]) == 2


def test_info_manager_skips_endpoints_being_deleted_without_reading_them():
    ec2 = _PagedEc2({"e-1": _described("e-1", status="deleting"), "e-2": _described("e-2", status="deleted")})

    assert _manager(ec2).list_endpoints({"client_vpn_endpoint_ids": None, "tags": {}}, ALL_CHILDREN) == []
    assert {c[0] for c in ec2.calls} == {"endpoints"}


# --- changes AWS refuses while Client VPN is busy: retried within wait_timeout, nothing else is ------------------

BUSY = (
    "ConcurrentMutationLimitExceeded",
    "Cannot initiate another change for this endpoint at this time. Please try again later.",
)
BEING_CREATED = (
    "OperationNotPermitted",
    "Endpoint cannot be created while another endpoint is being created or the service linked role is being deleted",
)


class _RefusingEc2:
    """ModifyClientVpnEndpoint and CreateClientVpnEndpoint answer the (code, message) ``refusals`` in turn, then
    succeed."""

    def __init__(self, refusals):
        self.refusals = list(refusals)
        self.calls = []

    def _answer(self, operation, response):
        self.calls.append(operation)
        if self.refusals:
            code, message = self.refusals.pop(0)
            raise ClientError({"Error": {"Code": code, "Message": message}}, operation)
        return response

    def modify_client_vpn_endpoint(self, aws_retry, **request):
        return self._answer("ModifyClientVpnEndpoint", {"Return": True})

    def create_client_vpn_endpoint(self, aws_retry, **request):
        return self._answer("CreateClientVpnEndpoint", {"ClientVpnEndpointId": "cvpn-endpoint-1"})


@pytest.fixture
def fake_clock(monkeypatch):
    """call_through in _client_vpn on a fake clock that its sleeps move on: no real time passes."""
    now = [0.0]

    def sleep(seconds):
        now[0] += seconds

    monkeypatch.setattr(
        _client_vpn, "call_through", functools.partial(_common.call_through, sleep=sleep, clock=lambda: now[0])
    )
    return now


def _busy_manager(ec2, wait_timeout=600, check_mode=False):
    module = _FakeModule(ec2)
    module.check_mode = check_mode
    return _client_vpn.ClientVpnEndpointManager(module, wait_timeout=wait_timeout)


def test_a_change_retries_while_the_endpoint_is_busy(fake_clock):
    ec2 = _RefusingEc2([BUSY] * 3)
    manager = _busy_manager(ec2)

    manager._modify("cvpn-endpoint-1", "unit-vpn", {"Description": "changed"})

    assert ec2.calls == ["ModifyClientVpnEndpoint"] * 4
    assert manager.changed
    assert 0 < fake_clock[0] < 600


def test_a_create_retries_while_another_endpoint_is_being_created(fake_clock):
    ec2 = _RefusingEc2([BEING_CREATED] * 2)

    assert _busy_manager(ec2)._create_call("unit-vpn", {}, "token") == "cvpn-endpoint-1"
    assert ec2.calls == ["CreateClientVpnEndpoint"] * 3


def test_a_busy_endpoint_is_retried_until_wait_timeout(fake_clock):
    ec2 = _RefusingEc2([BUSY] * 1000)

    with pytest.raises(AWSActionError) as raised:
        _busy_manager(ec2, wait_timeout=60)._modify("cvpn-endpoint-1", "unit-vpn", {"Description": "changed"})

    assert "modify Client VPN endpoint unit-vpn" in raised.value.message
    assert "AWS still answered ConcurrentMutationLimitExceeded after" in raised.value.message
    assert fake_clock[0] == pytest.approx(60, abs=0.5)


@pytest.mark.parametrize(
    "operation, refusal",
    [
        ("modify", ("ConcurrentMutationLimitExceeded", "You have reached the limit of endpoints of this account")),
        ("modify", BEING_CREATED),  # only a create waits for another endpoint's creation
        ("create", ("OperationNotPermitted", "Client VPN is not available in this Availability Zone")),
        ("create", ("InvalidParameterValue", BEING_CREATED[1])),
    ],
)
def test_other_refusals_fail_at_once(fake_clock, operation, refusal):
    ec2 = _RefusingEc2([refusal])
    manager = _busy_manager(ec2)

    with pytest.raises(AWSActionError):
        if operation == "modify":
            manager._modify("cvpn-endpoint-1", "unit-vpn", {"Description": "changed"})
        else:
            manager._create_call("unit-vpn", {}, "token")

    assert len(ec2.calls) == 1
    assert fake_clock[0] == 0


def test_check_mode_calls_and_retries_nothing(fake_clock):
    ec2 = _RefusingEc2([BUSY])
    manager = _busy_manager(ec2, check_mode=True)

    assert manager._create_call("unit-vpn", {}, "token") is None
    manager._modify("cvpn-endpoint-1", "unit-vpn", {"Description": "changed"})

    assert manager.changed
    assert ec2.calls == []


def test_an_association_carries_aws_reason_only_when_aws_gives_one():
    failed = {
        "AssociationId": "cvpn-assoc-1",
        "TargetNetworkId": "subnet-1",
        "Status": {"Code": "association-failed", "Message": "The zone is not supported."},
    }
    assert _client_vpn.normalize_association(failed) == {
        "association_id": "cvpn-assoc-1",
        "subnet_id": "subnet-1",
        "status": "association-failed",
        "status_message": "The zone is not supported.",
    }
    associated = {"AssociationId": "cvpn-assoc-2", "TargetNetworkId": "subnet-2", "Status": {"Code": "associated"}}
    assert "status_message" not in _client_vpn.normalize_association(associated)
