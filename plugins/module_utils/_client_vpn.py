# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Manager behind cloudops.fargate.client_vpn_endpoint, and its pure helpers.

A Client VPN endpoint is identified by its ``Name`` tag, plus those of the stack's identity tags (``Stack``,
``Environment``, ``ManagedBy``) the caller gives. DescribeClientVpnEndpoints has no tag filter, so every endpoint of
the region is listed and matched by its tags here; endpoints being deleted do not count.

What AWS changes in place (ModifyClientVpnEndpoint): the server certificate, connection logging, DNS servers, VPN
port, description, split tunnel, VPC and security groups, session timeout. The tags change through CreateTags and
DeleteTags, target networks through Associate/DisassociateClientVpnTargetNetwork, authorization rules through
Authorize/RevokeClientVpnIngress (a rule's description cannot change: the rule is revoked and authorized again).
The client CIDR, the transport protocol and the client root certificate chain cannot change: the endpoint is
replaced (``replace_on_change``) or the module fails naming the fields.

Associations take minutes on AWS. Everything slow is started first and awaited last, with botocore waiters built
from ``WAITER_CONFIG``, all sharing one deadline (``wait_timeout``). With ``wait: false`` nothing is awaited that
is not needed to make progress, and a re-run with the same arguments changes nothing and reports the states.

AWS refuses what Client VPN cannot start yet, and accepts it once it can: a create while another endpoint of the
region is being created (``ENDPOINT_BEING_CREATED``), a change of an endpoint busy with other changes
(``ENDPOINT_BUSY``: at most 10 operations under way, and ModifyClientVpnEndpoint only when none is). Every change
of the manager retries those answers within the same deadline, with ``wait: false`` too; the endpoint's own
settings change before any target network starts to leave, so that the change does not wait for the departure.

Every input is validated before the first call that changes anything, check mode included: the options here, the
references (certificates, subnets, VPC, security groups, log group) with read-only calls in the manager.
The client key of ``client_config`` is written to the configuration file only; no message, result or diff holds it.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import os
import tempfile
from copy import deepcopy
from typing import Any

from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.cloudops.fargate.plugins.module_utils._common import AWSActionError
from ansible_collections.cloudops.fargate.plugins.module_utils._common import BaseResourceManager
from ansible_collections.cloudops.fargate.plugins.module_utils._common import Deadline
from ansible_collections.cloudops.fargate.plugins.module_utils._common import InputError
from ansible_collections.cloudops.fargate.plugins.module_utils._common import Transient
from ansible_collections.cloudops.fargate.plugins.module_utils._common import call
from ansible_collections.cloudops.fargate.plugins.module_utils._common import call_through
from ansible_collections.cloudops.fargate.plugins.module_utils._common import idempotency_token
from ansible_collections.cloudops.fargate.plugins.module_utils._common import paginate
from ansible_collections.cloudops.fargate.plugins.module_utils._common import tag_changes
from ansible_collections.cloudops.fargate.plugins.module_utils._common import wait
from ansible_collections.cloudops.fargate.plugins.module_utils._common import wanted_tags

try:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
except ImportError:
    HAS_CRYPTOGRAPHY = False
else:
    HAS_CRYPTOGRAPHY = True

# --- choices and defaults ---------------------------------------------------------------------------------

NAME_TAG = "Name"
IDENTITY_TAG_KEYS = ("Stack", "Environment", "ManagedBy")
NAME_MAX_LENGTH = 256  # an EC2 tag value

TRANSPORT_PROTOCOLS = ("udp", "tcp")
VPN_PORTS = (443, 1194)
SESSION_TIMEOUT_HOURS = (8, 10, 12, 24)
DEFAULT_TRANSPORT_PROTOCOL = "udp"
DEFAULT_VPN_PORT = 443
DEFAULT_SPLIT_TUNNEL = True
DEFAULT_CONNECTION_LOG_ENABLED = True
# An association takes about 7 minutes and a disassociation about 5, sometimes far longer: terraform-provider-aws
# internal/service/ec2 wait.go allows ClientVPNNetworkAssociationCreatedTimeout and ...DeletedTimeout, 30 minutes each.
DEFAULT_WAIT_TIMEOUT = 1800
CLIENT_CIDR_PREFIX_RANGE = (12, 22)  # "at least /22 and not greater than /12" (CreateClientVpnEndpoint)
MAX_DNS_SERVERS = 2
CLIENT_CONFIG_MODE = 0o600

# Seconds between two polls of a waiter; an association takes minutes on AWS.
POLL_DELAY = 10

# Fields AWS cannot change after the endpoint is created (ModifyClientVpnEndpoint has no parameter for them).
IMMUTABLE_FIELDS = ("client_cidr_block", "transport_protocol", "client_root_certificate_chain_arn")
# Endpoint statuses of an endpoint on its way out; such an endpoint is no longer the one the task means.
GONE_STATUSES = ("deleting", "deleted")
RESOURCE_TYPE = "client-vpn-endpoint"
AUTHENTICATION_TYPE = "certificate-authentication"

_ENDPOINT_NOT_FOUND = "InvalidClientVpnEndpointId.NotFound"

# What AWS refuses while Client VPN is busy and accepts again once it is not, retried by every change of the manager
# within wait_timeout (terraform-provider-aws internal/service/ec2 service_package.go retries the same code and message,
# the first on CreateClientVpnEndpoint, the second on route changes). One endpoint of a region is created at a time
# (two stacks deployed at once meet this; the ClientToken makes the retry safe):
ENDPOINT_BEING_CREATED = Transient(
    "OperationNotPermitted", "Endpoint cannot be created while another endpoint is being created"
)
# At most 10 operations under way per endpoint (associations and disassociations, rules authorized or revoked, routes;
# Client VPN quotas), and ModifyClientVpnEndpoint only while none is, so it waits for a disassociation (about 5
# minutes) or for a previous run's associations (about 7).
ENDPOINT_BUSY = Transient(
    "ConcurrentMutationLimitExceeded", "Cannot initiate another change for this endpoint at this time"
)
_RETRIED_ERRORS = ("RequestLimitExceeded", "Throttling", "ThrottlingException")
# CreateClientVpnEndpoint beyond the Region's endpoint quota (EC2 API reference, error codes).
ENDPOINT_LIMIT = "ClientVpnEndpointLimitExceeded"
ENDPOINT_QUOTA = "ec2 L-8EA77D34"

WAITER_CONFIG = {
    "version": 2,
    "waiters": {
        "TargetNetworksAssociated": {
            "operation": "DescribeClientVpnTargetNetworks",
            "delay": POLL_DELAY,
            "maxAttempts": 90,
            "acceptors": [
                {
                    "state": "failure",
                    "matcher": "pathAny",
                    "argument": "ClientVpnTargetNetworks[].Status.Code",
                    "expected": "association-failed",
                },
                {
                    "state": "success",
                    "matcher": "path",
                    "argument": "length(ClientVpnTargetNetworks[?Status.Code != 'associated']) == `0`",
                    "expected": True,
                },
                *({"state": "retry", "matcher": "error", "expected": code} for code in _RETRIED_ERRORS),
            ],
        },
        "TargetNetworksGone": {
            "operation": "DescribeClientVpnTargetNetworks",
            "delay": POLL_DELAY,
            "maxAttempts": 90,
            "acceptors": [
                {
                    "state": "success",
                    "matcher": "path",
                    "argument": "length(ClientVpnTargetNetworks) == `0`",
                    "expected": True,
                },
                {"state": "success", "matcher": "error", "expected": _ENDPOINT_NOT_FOUND},
                *({"state": "retry", "matcher": "error", "expected": code} for code in _RETRIED_ERRORS),
            ],
        },
        "AuthorizationRulesActive": {
            "operation": "DescribeClientVpnAuthorizationRules",
            "delay": POLL_DELAY,
            "maxAttempts": 90,
            "acceptors": [
                {
                    "state": "failure",
                    "matcher": "pathAny",
                    "argument": "AuthorizationRules[].Status.Code",
                    "expected": "failed",
                },
                {
                    "state": "success",
                    "matcher": "path",
                    "argument": "length(AuthorizationRules[?Status.Code != 'active']) == `0`",
                    "expected": True,
                },
                *({"state": "retry", "matcher": "error", "expected": code} for code in _RETRIED_ERRORS),
            ],
        },
        "AuthorizationRulesRevoked": {
            "operation": "DescribeClientVpnAuthorizationRules",
            "delay": POLL_DELAY,
            "maxAttempts": 90,
            "acceptors": [
                {
                    "state": "success",
                    "matcher": "path",
                    "argument": "length(AuthorizationRules[?Status.Code == 'revoking']) == `0`",
                    "expected": True,
                },
                *({"state": "retry", "matcher": "error", "expected": code} for code in _RETRIED_ERRORS),
            ],
        },
        "EndpointDeleted": {
            "operation": "DescribeClientVpnEndpoints",
            "delay": POLL_DELAY,
            "maxAttempts": 90,
            "acceptors": [
                {"state": "success", "matcher": "error", "expected": _ENDPOINT_NOT_FOUND},
                {
                    "state": "success",
                    "matcher": "path",
                    "argument": "length(ClientVpnEndpoints[?Status.Code != 'deleted']) == `0`",
                    "expected": True,
                },
                *({"state": "retry", "matcher": "error", "expected": code} for code in _RETRIED_ERRORS),
            ],
        },
    },
}


class ClientVpnInputError(InputError):
    """The caller's arguments cannot describe a valid endpoint; the message names the option."""


# --- small conversions ----------------------------------------------------------------------------------


def lookup_tags(name: str, tags: dict[str, Any] | None) -> dict[str, str]:
    """The tags that identify the endpoint: Name, plus the identity tags among ``tags``."""
    result = {NAME_TAG: name}
    for key, value in (wanted_tags(tags) or {}).items():
        if key in IDENTITY_TAG_KEYS:
            result[key] = value
    return result


def has_all_tags(tags: dict[str, str], wanted: dict[str, str]) -> bool:
    return all(tags.get(key) == value for key, value in wanted.items())


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- validation -----------------------------------------------------------------------------------------


def cidr_errors(value: Any, option: str) -> list[str]:
    try:
        ipaddress.IPv4Network(str(value), strict=True)
    except ValueError as e:
        return [f"{option} {value!r} is not an IPv4 network in CIDR notation ({e})"]
    return []


def client_cidr_errors(value: Any, option: str = "client_cidr_block") -> list[str]:
    errors = cidr_errors(value, option)
    if errors:
        return errors
    prefix = ipaddress.IPv4Network(str(value)).prefixlen
    low, high = CLIENT_CIDR_PREFIX_RANGE
    if not low <= prefix <= high:
        return [f"{option} {value} must be a network from /{low} to /{high} (AWS's limits), not /{prefix}"]
    return []


def certificate_arn_errors(value: Any, option: str) -> list[str]:
    if not isinstance(value, str) or not value.startswith("arn:") or ":certificate/" not in value:
        return [f"{option} must be the ARN of an ACM certificate (arn:aws:acm:<region>:<account>:certificate/<id>)"]
    return []


def dns_server_errors(servers: list[Any] | None, option: str = "dns_servers") -> list[str]:
    if servers is None:
        return []
    errors = []
    if len(servers) > MAX_DNS_SERVERS:
        errors.append(f"{option} holds {len(servers)} servers; a Client VPN endpoint takes at most {MAX_DNS_SERVERS}")
    for server in servers:
        try:
            ipaddress.IPv4Address(str(server))
        except ValueError:
            errors.append(f"{option}: {server!r} is not an IPv4 address")
    return errors


def wanted_rule(rule: dict[str, Any], index: int) -> tuple[dict[str, Any] | None, list[str]]:
    """One authorization rule in the return shape (without status); None with the errors when it is invalid."""
    option = f"authorization_rules[{index}]"
    cidr = rule.get("target_network_cidr")
    errors = cidr_errors(cidr, f"{option}.target_network_cidr")
    group = rule.get("access_group_id")
    all_groups = rule.get("authorize_all_groups")
    if group:
        if all_groups:
            errors.append(f"{option}: access_group_id and authorize_all_groups=true exclude each other")
        all_groups = False
    else:
        if all_groups is False:
            errors.append(f"{option}: give access_group_id, or leave authorize_all_groups true")
        all_groups = True
        group = None
    if errors:
        return None, errors
    return {
        "target_network_cidr": str(ipaddress.IPv4Network(str(cidr))),
        "access_group_id": group,
        "authorize_all_groups": all_groups,
        "description": rule.get("description"),
    }, []


def rule_key(rule: dict[str, Any]) -> tuple[str, str, bool]:
    return (rule["target_network_cidr"], rule.get("access_group_id") or "", bool(rule["authorize_all_groups"]))


def wanted_rules(rules: list[dict[str, Any]] | None) -> tuple[list[dict[str, Any]] | None, list[str]]:
    if rules is None:
        return None, []
    result, errors, seen = [], [], set()
    for index, rule in enumerate(rules):
        wanted, rule_errors = wanted_rule(rule or {}, index)
        errors.extend(rule_errors)
        if wanted is None:
            continue
        key = rule_key(wanted)
        if key in seen:
            errors.append(
                f"authorization_rules[{index}] repeats the rule for {key[0]} and "
                f"{'all groups' if key[2] else 'group ' + key[1]}"
            )
            continue
        seen.add(key)
        result.append(wanted)
    return sorted(result, key=rule_key), errors


def wanted_connection_log(options: dict[str, Any] | None) -> tuple[dict[str, Any], list[str]]:
    options = dict(options or {})
    enabled = options.get("enabled")
    enabled = DEFAULT_CONNECTION_LOG_ENABLED if enabled is None else bool(enabled)
    if not enabled:
        return {"enabled": False, "log_group": None, "log_stream": None}, []
    if not options.get("cloudwatch_log_group"):
        message = (
            "connection_log.cloudwatch_log_group is required while connection logging is enabled (the default,"
            " Security Hub control EC2.51); set connection_log.enabled=false to turn logging off"
        )
        return {}, [message]
    return {
        "enabled": True,
        "log_group": options["cloudwatch_log_group"],
        "log_stream": options.get("cloudwatch_log_stream") or None,
    }, []


def _pem_errors(certificate_text: Any, key_text: Any) -> list[str]:
    errors = []
    if not isinstance(certificate_text, str) or "-----BEGIN CERTIFICATE-----" not in certificate_text:
        errors.append("client_config.client_certificate must be a PEM certificate")
    if not isinstance(key_text, str) or "PRIVATE KEY-----" not in key_text:
        errors.append("client_config.client_key must be a PEM private key")
    if errors or not HAS_CRYPTOGRAPHY:
        return errors
    try:
        certificate = x509.load_pem_x509_certificate(certificate_text.encode())
    except ValueError:
        return ["client_config.client_certificate is not a valid PEM certificate"]
    try:
        key = serialization.load_pem_private_key(key_text.encode(), password=None)
    except (ValueError, TypeError):
        # never echo the key or the parser's message, which may quote it
        return ["client_config.client_key is not a valid unencrypted PEM private key"]
    public = serialization.PublicFormat.SubjectPublicKeyInfo
    if certificate.public_key().public_bytes(serialization.Encoding.DER, public) != key.public_key().public_bytes(
        serialization.Encoding.DER, public
    ):
        errors.append("client_config.client_key does not belong to client_config.client_certificate")
    return errors


def wanted_client_config(options: dict[str, Any] | None) -> tuple[dict[str, Any] | None, list[str]]:
    if options is None:
        return None, []
    path = options.get("path")
    errors = []
    if not path:
        errors.append("client_config.path is required")
    else:
        path = os.path.abspath(os.path.expanduser(str(path)))
        directory = os.path.dirname(path)
        if os.path.isdir(path):
            errors.append(f"client_config.path {path} is a directory")
        elif not os.path.isdir(directory):
            errors.append(f"client_config.path: directory {directory} does not exist")
        elif not os.access(directory, os.W_OK):
            errors.append(f"client_config.path: directory {directory} is not writable")
    errors.extend(_pem_errors(options.get("client_certificate"), options.get("client_key")))
    if errors:
        return None, errors
    return {
        "path": path,
        "client_certificate": options["client_certificate"].strip() + "\n",
        "client_key": options["client_key"].strip() + "\n",
    }, []


def identity_of(params: dict[str, Any]) -> dict[str, Any]:
    """Name and lookup tags of the endpoint the task means, validated (both states need them)."""
    name = params.get("name")
    tags = wanted_tags(params.get("tags"))
    errors = []
    if not isinstance(name, str) or not name.strip():
        errors.append("name must be a non-empty string")
    elif len(name) > NAME_MAX_LENGTH:
        errors.append(f"name must be at most {NAME_MAX_LENGTH} characters long (it is the value of the Name tag)")
    elif tags and NAME_TAG in tags and tags[NAME_TAG] != name:
        errors.append(f"tags.{NAME_TAG} is {tags[NAME_TAG]!r} but name is {name!r}; the Name tag is the name")
    if errors:
        raise ClientVpnInputError("; ".join(errors))
    return {"name": name, "lookup_tags": lookup_tags(name, tags)}


def endpoint_errors(params: dict[str, Any]) -> list[str]:
    """What AWS would refuse, or what cannot work, in the endpoint the task describes (besides its identity)."""
    errors: list[str] = []
    for option in ("server_certificate_arn", "client_root_certificate_chain_arn", "client_cidr_block"):
        if params.get(option) is None:
            errors.append(f"{option} is required with state=present")
    if params.get("client_cidr_block") is not None:
        errors.extend(client_cidr_errors(params["client_cidr_block"]))
    for option in ("server_certificate_arn", "client_root_certificate_chain_arn"):
        if params.get(option) is not None:
            errors.extend(certificate_arn_errors(params[option], option))
    errors.extend(dns_server_errors(params.get("dns_servers")))
    if params.get("security_group_ids") is not None and not params.get("vpc_id"):
        errors.append("security_group_ids requires vpc_id (the VPC of the security groups)")
    for option in ("security_group_ids", "subnet_ids"):
        values = params.get(option)
        if values is not None and len(set(values)) != len(values):
            errors.append(f"{option} lists an ID more than once")
    errors.extend(wanted_rules(params.get("authorization_rules"))[1])
    errors.extend(wanted_connection_log(params.get("connection_log"))[1])
    errors.extend(wanted_client_config(params.get("client_config"))[1])
    if params.get("wait_timeout") is not None and params["wait_timeout"] < 0:
        errors.append("wait_timeout must not be negative")
    return errors


def wanted_endpoint(params: dict[str, Any]) -> dict[str, Any]:
    """The endpoint the caller asked for, checked; raises ClientVpnInputError naming every bad option."""
    identity = identity_of(params)
    errors = endpoint_errors(params)
    if errors:
        raise ClientVpnInputError("; ".join(errors))

    dns_servers = params.get("dns_servers")
    tags = wanted_tags(params.get("tags"))
    return {
        "name": identity["name"],
        "lookup_tags": identity["lookup_tags"],
        "tags": None if tags is None else {**tags, NAME_TAG: identity["name"]},
        "create_tags": {**(tags or {}), NAME_TAG: identity["name"]},
        "purge_tags": params.get("purge_tags", True),
        "description": params.get("description"),
        "server_certificate_arn": params["server_certificate_arn"],
        "client_root_certificate_chain_arn": params["client_root_certificate_chain_arn"],
        "client_cidr_block": str(ipaddress.IPv4Network(params["client_cidr_block"])),
        "split_tunnel": params.get("split_tunnel", DEFAULT_SPLIT_TUNNEL),
        "dns_servers": None if dns_servers is None else [str(s) for s in dns_servers],
        "transport_protocol": params.get("transport_protocol") or DEFAULT_TRANSPORT_PROTOCOL,
        "vpn_port": params.get("vpn_port") or DEFAULT_VPN_PORT,
        "vpc_id": params.get("vpc_id"),
        "security_group_ids": None if params.get("security_group_ids") is None else list(params["security_group_ids"]),
        "subnet_ids": None if params.get("subnet_ids") is None else list(params["subnet_ids"]),
        "authorization_rules": wanted_rules(params.get("authorization_rules"))[0],
        "connection_log": wanted_connection_log(params.get("connection_log"))[0],
        "session_timeout_hours": params.get("session_timeout_hours"),
        "replace_on_change": params.get("replace_on_change", False),
        "wait": params.get("wait", True),
        "wait_timeout": params.get("wait_timeout", DEFAULT_WAIT_TIMEOUT),
        "client_config": wanted_client_config(params.get("client_config"))[0],
    }


# --- AWS's shape to the module's ----------------------------------------------------------------------------


def normalize_association(network: dict[str, Any]) -> dict[str, Any]:
    status = network.get("Status") or {}
    association = {
        "association_id": network.get("AssociationId"),
        "subnet_id": network.get("TargetNetworkId"),
        "status": status.get("Code"),
    }
    # AWS's reason for an association-failed (a zone Client VPN does not support, say)
    if status.get("Message"):
        association["status_message"] = status["Message"]
    return association


def normalize_rule(rule: dict[str, Any]) -> dict[str, Any]:
    access_all = bool(rule.get("AccessAll"))
    return {
        "target_network_cidr": rule.get("DestinationCidr"),
        "access_group_id": None if access_all else (rule.get("GroupId") or None),
        "authorize_all_groups": access_all,
        "description": rule.get("Description") or None,
        "status": (rule.get("Status") or {}).get("Code"),
    }


def normalize_endpoint(
    description: dict[str, Any], networks: list[dict[str, Any]], rules: list[dict[str, Any]]
) -> dict[str, Any]:
    """A DescribeClientVpnEndpoints entry with its target networks and rules, in the module's return shape."""
    tags = boto3_tag_list_to_ansible_dict(description.get("Tags") or [])
    root = None
    for option in description.get("AuthenticationOptions") or []:
        if option.get("Type") == AUTHENTICATION_TYPE:
            root = (option.get("MutualAuthentication") or {}).get("ClientRootCertificateChain")
    log = description.get("ConnectionLogOptions") or {}
    enabled = bool(log.get("Enabled"))
    associations = sorted((normalize_association(n) for n in networks), key=lambda a: a["subnet_id"] or "")
    return {
        "client_vpn_endpoint_id": description.get("ClientVpnEndpointId"),
        "name": tags.get(NAME_TAG),
        "description": description.get("Description") or None,
        "status": (description.get("Status") or {}).get("Code"),
        "dns_name": description.get("DnsName"),
        "client_cidr_block": description.get("ClientCidrBlock"),
        "dns_servers": list(description.get("DnsServers") or []),
        "split_tunnel": bool(description.get("SplitTunnel")),
        "transport_protocol": description.get("TransportProtocol"),
        "vpn_port": description.get("VpnPort"),
        "server_certificate_arn": description.get("ServerCertificateArn"),
        "client_root_certificate_chain_arn": root,
        "vpc_id": description.get("VpcId"),
        "security_group_ids": sorted(description.get("SecurityGroupIds") or []),
        "session_timeout_hours": description.get("SessionTimeoutHours"),
        "connection_log_options": {
            "enabled": enabled,
            "cloudwatch_log_group": log.get("CloudwatchLogGroup") if enabled else None,
            "cloudwatch_log_stream": log.get("CloudwatchLogStream") if enabled else None,
        },
        "associations": associations,
        "authorization_rules": sorted((normalize_rule(r) for r in rules), key=rule_key),
        "tags": tags,
    }


# --- comparing ---------------------------------------------------------------------------------------------


def immutable_differences(current: dict[str, Any], wanted: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """The fields AWS cannot change that differ, as {field: (current, wanted)}."""
    differences = {}
    for field in IMMUTABLE_FIELDS:
        before, after = current.get(field), wanted.get(field)
        if field == "client_cidr_block" and before:
            before = str(ipaddress.IPv4Network(before, strict=False))
        if before != after:
            differences[field] = (before, after)
    return differences


def connection_log_view(current: dict[str, Any] | None, wanted: dict[str, Any]) -> dict[str, Any]:
    """The connection log options the endpoint ends up with; a stream left out keeps the one of the same group."""
    if not wanted["enabled"]:
        return {"enabled": False, "cloudwatch_log_group": None, "cloudwatch_log_stream": None}
    stream = wanted["log_stream"]
    if (
        stream is None
        and current
        and current.get("enabled")
        and current.get("cloudwatch_log_group") == wanted["log_group"]
    ):
        stream = current.get("cloudwatch_log_stream")
    return {"enabled": True, "cloudwatch_log_group": wanted["log_group"], "cloudwatch_log_stream": stream}


def endpoint_changes(current: dict[str, Any], wanted: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """The fields ModifyClientVpnEndpoint changes, as {field: (current, wanted)}; unset options are left alone."""
    pairs: list[tuple[str, Any, Any]] = [
        ("server_certificate_arn", current["server_certificate_arn"], wanted["server_certificate_arn"]),
        ("split_tunnel", current["split_tunnel"], wanted["split_tunnel"]),
        ("vpn_port", current["vpn_port"], wanted["vpn_port"]),
        (
            "connection_log_options",
            current["connection_log_options"],
            connection_log_view(current["connection_log_options"], wanted["connection_log"]),
        ),
    ]
    if wanted["description"] is not None:
        pairs.append(("description", current["description"] or "", wanted["description"]))
    if wanted["dns_servers"] is not None:
        pairs.append(("dns_servers", current["dns_servers"], wanted["dns_servers"]))
    if wanted["session_timeout_hours"] is not None:
        pairs.append(("session_timeout_hours", current["session_timeout_hours"], wanted["session_timeout_hours"]))
    if wanted["vpc_id"] is not None:
        pairs.append(("vpc_id", current["vpc_id"], wanted["vpc_id"]))
    if wanted["security_group_ids"] is not None:
        pairs.append(("security_group_ids", current["security_group_ids"], sorted(wanted["security_group_ids"])))
    return {field: (before, after) for field, before, after in pairs if before != after}


def endpoint_differs(current: dict[str, Any], wanted: dict[str, Any]) -> bool:
    """Whether converging ``current`` to ``wanted`` would change anything of the endpoint (its settings, tags,
    target networks or authorization rules)."""
    if endpoint_changes(current, wanted):
        return True
    if any(tag_changes(current["tags"], wanted["tags"], wanted["purge_tags"])):
        return True
    if any(association_changes(current["associations"], wanted["subnet_ids"])):
        return True
    return any(rule_changes(current["authorization_rules"], wanted["authorization_rules"]))


def endpoint_settled(endpoint: dict[str, Any]) -> bool:
    """Every target network associated and every rule active: nothing for ``wait`` to wait for."""
    return all(a["status"] == "associated" for a in endpoint["associations"]) and all(
        r["status"] == "active" for r in endpoint["authorization_rules"]
    )


def connection_log_request(wanted: dict[str, Any]) -> dict[str, Any]:
    if not wanted["enabled"]:
        return {"Enabled": False}
    request = {"Enabled": True, "CloudwatchLogGroup": wanted["log_group"]}
    if wanted["log_stream"]:
        request["CloudwatchLogStream"] = wanted["log_stream"]
    return request


def modify_request(changes: dict[str, tuple[Any, Any]], current: dict[str, Any], wanted: dict[str, Any]) -> dict:
    """ModifyClientVpnEndpoint's parameters for ``changes`` (without the endpoint's ID)."""
    request: dict[str, Any] = {}
    if "server_certificate_arn" in changes:
        request["ServerCertificateArn"] = wanted["server_certificate_arn"]
    if "description" in changes:
        request["Description"] = wanted["description"]
    if "split_tunnel" in changes:
        request["SplitTunnel"] = wanted["split_tunnel"]
    if "vpn_port" in changes:
        request["VpnPort"] = wanted["vpn_port"]
    if "session_timeout_hours" in changes:
        request["SessionTimeoutHours"] = wanted["session_timeout_hours"]
    if "dns_servers" in changes:
        servers = wanted["dns_servers"]
        request["DnsServers"] = {"Enabled": True, "CustomDnsServers": servers} if servers else {"Enabled": False}
    if "connection_log_options" in changes:
        request["ConnectionLogOptions"] = connection_log_request(wanted["connection_log"])
    if "vpc_id" in changes or "security_group_ids" in changes:
        request["VpcId"] = wanted["vpc_id"] or current["vpc_id"]
        if wanted["security_group_ids"] is not None:
            request["SecurityGroupIds"] = list(wanted["security_group_ids"])
    return request


def association_changes(
    associations: list[dict[str, Any]], subnet_ids: list[str] | None
) -> tuple[list[str], list[dict[str, Any]]]:
    """(subnets to associate, associations to remove); associations on their way out do not count."""
    if subnet_ids is None:
        return [], []
    live = [a for a in associations if a["status"] != "disassociating"]
    present = {a["subnet_id"] for a in live}
    return [s for s in subnet_ids if s not in present], [a for a in live if a["subnet_id"] not in subnet_ids]


def rule_changes(
    rules: list[dict[str, Any]], wanted: list[dict[str, Any]] | None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """(rules to authorize, rules to revoke, rules to revoke and authorize again for a new description)."""
    if wanted is None:
        return [], [], []
    live = {rule_key(r): r for r in rules if r["status"] != "revoking"}
    wanted_keys = {rule_key(r) for r in wanted}
    to_authorize = [r for r in wanted if rule_key(r) not in live]
    to_revoke = [r for key, r in sorted(live.items()) if key not in wanted_keys]
    to_replace = [
        r
        for r in wanted
        if rule_key(r) in live
        and r["description"] is not None
        and (live[rule_key(r)]["description"] or "") != r["description"]
    ]
    return to_authorize, to_revoke, to_replace


def rules_view(rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rules without their status, for the diff."""
    return sorted(({k: v for k, v in r.items() if k != "status"} for r in rules), key=rule_key)


def create_request(wanted: dict[str, Any]) -> dict[str, Any]:
    """CreateClientVpnEndpoint's parameters, without the ClientToken."""
    request: dict[str, Any] = {
        "ClientCidrBlock": wanted["client_cidr_block"],
        "ServerCertificateArn": wanted["server_certificate_arn"],
        "AuthenticationOptions": [
            {
                "Type": AUTHENTICATION_TYPE,
                "MutualAuthentication": {"ClientRootCertificateChainArn": wanted["client_root_certificate_chain_arn"]},
            }
        ],
        "ConnectionLogOptions": connection_log_request(wanted["connection_log"]),
        "TransportProtocol": wanted["transport_protocol"],
        "VpnPort": wanted["vpn_port"],
        "SplitTunnel": wanted["split_tunnel"],
        "TagSpecifications": [
            {"ResourceType": RESOURCE_TYPE, "Tags": ansible_dict_to_boto3_tag_list(wanted["create_tags"])}
        ],
    }
    if wanted["description"] is not None:
        request["Description"] = wanted["description"]
    if wanted["dns_servers"]:
        request["DnsServers"] = list(wanted["dns_servers"])
    if wanted["vpc_id"]:
        request["VpcId"] = wanted["vpc_id"]
    if wanted["security_group_ids"]:
        request["SecurityGroupIds"] = list(wanted["security_group_ids"])
    if wanted["session_timeout_hours"] is not None:
        request["SessionTimeoutHours"] = wanted["session_timeout_hours"]
    return request


def client_token(name: str, request: dict[str, Any], *salt: str) -> str:
    """The ClientToken of a create: stable for the same name and request, so a re-run after an interrupted
    create is answered with the endpoint that create made."""
    return idempotency_token("client-vpn-endpoint", name, json.dumps(request, sort_keys=True), *salt)


def predicted_endpoint(wanted: dict[str, Any], security_group_ids: list[str] | None = None) -> dict[str, Any]:
    """The endpoint a create would make, as far as it can be known before AWS makes it."""
    settled = wanted["wait"]
    associations = [
        {"association_id": None, "subnet_id": subnet, "status": "associated" if settled else "associating"}
        for subnet in sorted(wanted["subnet_ids"] or [])
    ]
    rules = [dict(rule, status="active" if settled else "authorizing") for rule in wanted["authorization_rules"] or []]
    return {
        "client_vpn_endpoint_id": None,
        "name": wanted["name"],
        "description": wanted["description"],
        "status": "available" if associations and settled else "pending-associate",
        "dns_name": None,
        "client_cidr_block": wanted["client_cidr_block"],
        "dns_servers": list(wanted["dns_servers"] or []),
        "split_tunnel": wanted["split_tunnel"],
        "transport_protocol": wanted["transport_protocol"],
        "vpn_port": wanted["vpn_port"],
        "server_certificate_arn": wanted["server_certificate_arn"],
        "client_root_certificate_chain_arn": wanted["client_root_certificate_chain_arn"],
        "vpc_id": wanted["vpc_id"],
        "security_group_ids": sorted(wanted["security_group_ids"] or security_group_ids or []),
        "session_timeout_hours": wanted["session_timeout_hours"] or 24,
        "connection_log_options": connection_log_view(None, wanted["connection_log"]),
        "associations": associations,
        "authorization_rules": sorted(rules, key=rule_key),
        "tags": dict(wanted["create_tags"]),
    }


def vpc_move_problems(current: dict[str, Any], wanted: dict[str, Any]) -> list[str]:
    """Why the endpoint cannot move to ``vpc_id``: subnets of its VPC stay associated."""
    moving = wanted["vpc_id"] and current["vpc_id"] and wanted["vpc_id"] != current["vpc_id"]
    live = [a for a in current["associations"] if a["status"] != "disassociating"]
    if moving and live and wanted["subnet_ids"] is None:
        subnets = ", ".join(sorted(a["subnet_id"] for a in live))
        message = (
            f"vpc_id changes from {current['vpc_id']} to {wanted['vpc_id']}, but subnets of {current['vpc_id']} are"
            f" associated ({subnets}); give subnet_ids (of the new VPC, or an empty list) so that they are"
            " disassociated first"
        )
        return [message]
    return []


def _vpc_cidrs(vpc: dict[str, Any]) -> list[str]:
    associated = [
        a["CidrBlock"]
        for a in vpc.get("CidrBlockAssociationSet") or []
        if (a.get("CidrBlockState") or {}).get("State", "associated") == "associated"
    ]
    return associated or [vpc["CidrBlock"]]


def overlap_problems(client_cidr: str, vpc_id: str | None, vpc_cidrs: list[str]) -> list[str]:
    """Why AWS would refuse to associate a subnet of the VPC: its CIDRs overlap the client CIDR."""
    client = ipaddress.IPv4Network(client_cidr)
    return [
        f"client_cidr_block {client_cidr} overlaps CIDR {cidr} of VPC {vpc_id}; AWS refuses to associate its subnets"
        for cidr in vpc_cidrs
        if client.overlaps(ipaddress.IPv4Network(cidr, strict=False))
    ]


def client_config_content(exported: str, certificate: str, key: str) -> bytes:
    """The exported configuration with the client's certificate and key inlined, as AWS's guide describes."""
    text = exported if exported.endswith("\n") else exported + "\n"
    return (text + f"<cert>\n{certificate.strip()}\n</cert>\n<key>\n{key.strip()}\n</key>\n").encode()


def endpoint_status(associations: list[dict[str, Any]]) -> str:
    return "available" if any(a["status"] == "associated" for a in associations) else "pending-associate"


def predicted_associations(
    associations: list[dict[str, Any]], subnet_ids: list[str] | None, settled: bool
) -> list[dict[str, Any]]:
    """The target networks after the run: settled (``wait``) or just started."""
    to_add, to_remove = association_changes(associations, subnet_ids)
    removed = {a["association_id"] for a in to_remove}
    result = []
    for association in associations:
        leaving = association["association_id"] in removed or association["status"] == "disassociating"
        if leaving:
            if not settled:
                result.append(dict(association, status="disassociating"))
        else:
            result.append(dict(association, status="associated") if settled else dict(association))
    new_status = "associated" if settled else "associating"
    result += [{"association_id": None, "subnet_id": subnet, "status": new_status} for subnet in to_add]
    return sorted(result, key=lambda a: a["subnet_id"] or "")


def predicted_rules(
    rules: list[dict[str, Any]], wanted: list[dict[str, Any]] | None, settled: bool
) -> list[dict[str, Any]]:
    """The authorization rules after the run: settled (``wait``) or just started."""
    to_authorize, to_revoke, to_replace = rule_changes(rules, wanted)
    revoked = {rule_key(r) for r in to_revoke}
    replaced = {rule_key(r): r for r in to_replace}
    result = []
    for rule in rules:
        key = rule_key(rule)
        if key in replaced:
            result.append(dict(replaced[key], status="active" if settled else "authorizing"))
        elif key in revoked or rule["status"] == "revoking":
            if not settled:
                result.append(dict(rule, status="revoking"))
        else:
            result.append(dict(rule, status="active") if settled else dict(rule))
    result += [dict(r, status="active" if settled else "authorizing") for r in to_authorize]
    return sorted(result, key=rule_key)


# --- manager -----------------------------------------------------------------------------------------------

# The children of an endpoint, each read with its own describe call: (operation, key of the items, what it reads).
CHILD_CALLS = {
    "associations": ("describe_client_vpn_target_networks", "ClientVpnTargetNetworks", "target networks"),
    "authorization_rules": ("describe_client_vpn_authorization_rules", "AuthorizationRules", "authorization rules"),
    "routes": ("describe_client_vpn_routes", "Routes", "routes"),
}
# The waits of WAITER_CONFIG: waiter -> (what it waits for, the request key of the endpoint's ID).
_WAITS = {
    "TargetNetworksAssociated": ("every target network to be associated", "ClientVpnEndpointId"),
    "TargetNetworksGone": ("no target network to be left", "ClientVpnEndpointId"),
    "AuthorizationRulesActive": ("every authorization rule to be active", "ClientVpnEndpointId"),
    "AuthorizationRulesRevoked": ("the revoked authorization rules to be gone", "ClientVpnEndpointId"),
    "EndpointDeleted": ("the endpoint to be deleted", "ClientVpnEndpointIds"),
}


class ClientVpnEndpointManager(BaseResourceManager):
    """Creates, updates, replaces and deletes one Client VPN endpoint; ``endpoint`` holds the result."""

    def __init__(self, module, wait_timeout: int = DEFAULT_WAIT_TIMEOUT) -> None:
        super().__init__(module)
        self.ec2 = self.client("ec2")
        self.endpoint: dict[str, Any] = {}
        self.replaced = False
        self.client_config_path: str | None = None
        self.wait_timeout = wait_timeout
        self._deadline = Deadline(wait_timeout)

    # --- reading ---

    def find(self, lookup: dict[str, str], include_leaving: bool = False) -> list[dict[str, Any]]:
        """The DescribeClientVpnEndpoints entries carrying every tag of ``lookup`` (it has no tag filter)."""
        found = []
        for endpoint in self._endpoints(None, "Client VPN endpoints", []):
            tags = boto3_tag_list_to_ansible_dict(endpoint.get("Tags") or [])
            leaving = (endpoint.get("Status") or {}).get("Code") in GONE_STATUSES
            if has_all_tags(tags, lookup) and (include_leaving or not leaving):
                found.append(endpoint)
        return found

    @staticmethod
    def _ambiguous(lookup: dict[str, str], found: list[dict[str, Any]]) -> AWSActionError:
        wanted = ", ".join(f"{key}={value}" for key, value in lookup.items())
        ids = ", ".join(sorted(e["ClientVpnEndpointId"] for e in found))
        return AWSActionError(
            f"{len(found)} Client VPN endpoints carry the tags {wanted}: {ids}. The name must identify one"
            " endpoint; delete the extra ones or tell them apart by their identity tags"
            f" ({', '.join(IDENTITY_TAG_KEYS)})"
        )

    def find_one(self, lookup: dict[str, str]) -> dict[str, Any] | None:
        found = self.find(lookup)
        if len(found) > 1:
            raise self._ambiguous(lookup, found)
        return found[0] if found else None

    def _endpoints(self, ids: list[str] | None, what: str, gone: Any) -> Any:
        """DescribeClientVpnEndpoints of ``ids`` (every endpoint when None); ``gone`` when AWS answers that one of
        them does not exist."""
        request = {} if ids is None else {"ClientVpnEndpointIds": list(ids)}
        return paginate(
            self.ec2.describe_client_vpn_endpoints,
            f"describe {what}",
            "ClientVpnEndpoints",
            answers={_ENDPOINT_NOT_FOUND: gone},
            **request,
        )

    def describe(self, endpoint_id: str) -> dict[str, Any] | None:
        found = self._endpoints([endpoint_id], f"Client VPN endpoint {endpoint_id}", [])
        return found[0] if found else None

    def read_child(self, endpoint_id: str, child: str, gone: Any = None) -> list[dict[str, Any]] | None:
        """The target networks, authorization rules or routes (a key of CHILD_CALLS) of the endpoint, as AWS
        describes them; ``gone`` when the endpoint does not exist."""
        operation, key, what = CHILD_CALLS[child]
        return paginate(
            getattr(self.ec2, operation),
            f"describe the {what} of Client VPN endpoint {endpoint_id}",
            key,
            answers={_ENDPOINT_NOT_FOUND: gone},
            ClientVpnEndpointId=endpoint_id,
        )

    def read(self, endpoint_id: str, description: dict[str, Any] | None = None) -> dict[str, Any] | None:
        """The endpoint with its target networks and rules in the return shape; None when it is gone."""
        description = description or self.describe(endpoint_id)
        if description is None:
            return None
        networks = self.read_child(endpoint_id, "associations", gone=[])
        rules = self.read_child(endpoint_id, "authorization_rules", gone=[])
        return normalize_endpoint(description, networks, rules)

    # --- read-only checks of what the task refers to ---

    def check_references(self, wanted: dict[str, Any], current: dict[str, Any] | None) -> list[str]:
        """Ask AWS about every resource the task names; the problems found, as messages naming the option."""
        problems = self._certificate_problems(wanted)
        vpc_id = wanted["vpc_id"]
        vpc_cidrs: list[str] = []
        if vpc_id:
            found = self._describe("describe_vpcs", "Vpcs", "InvalidVpcID.NotFound", VpcIds=[vpc_id])
            if found is None:
                problems.append(f"vpc_id {vpc_id} does not exist")
            else:
                vpc_cidrs = _vpc_cidrs(found[0])
        if wanted["security_group_ids"] and vpc_id:
            groups = self._describe(
                "describe_security_groups",
                "SecurityGroups",
                ("InvalidGroup.NotFound", "InvalidGroupId.Malformed", "InvalidGroupId.NotFound"),
                GroupIds=list(wanted["security_group_ids"]),
            )
            if groups is None:
                problems.append(f"security_group_ids: {', '.join(wanted['security_group_ids'])} do not all exist")
            for group in groups or []:
                if group.get("VpcId") != vpc_id:
                    problems.append(f"security_group_ids: {group['GroupId']} is not in VPC {vpc_id}")
        if wanted["subnet_ids"]:
            problems.extend(self._subnet_problems(wanted, current, vpc_cidrs))
        elif vpc_cidrs:
            problems.extend(overlap_problems(wanted["client_cidr_block"], vpc_id, vpc_cidrs))
        problems.extend(self._log_problems(wanted["connection_log"]))
        return problems

    def _describe(self, operation: str, key: str, not_found: Any = (), **request: Any) -> list[dict[str, Any]] | None:
        """A one-page EC2 describe call; None when AWS answers that something asked for does not exist."""
        response = call(getattr(self.ec2, operation), f"call {operation}", answers={not_found: None}, **request)
        return None if response is None else response.get(key) or []

    def _certificate_problems(self, wanted: dict[str, Any]) -> list[str]:
        acm = self.client("acm")
        problems = []
        for option in ("server_certificate_arn", "client_root_certificate_chain_arn"):
            arn = wanted[option]
            response = call(
                acm.describe_certificate,
                f"describe ACM certificate {arn}",
                answers={("ResourceNotFoundException", "ValidationException"): None},
                CertificateArn=arn,
            )
            if response is None:
                problems.append(f"{option} {arn} is not a certificate of ACM in region {self.module.region}")
            elif response["Certificate"].get("Status") != "ISSUED":
                problems.append(f"{option} {arn} is {response['Certificate'].get('Status')}, not ISSUED")
        return problems

    def _subnet_problems(self, wanted: dict[str, Any], current: dict[str, Any] | None, vpc_cidrs: list[str]) -> list:
        subnet_ids = list(wanted["subnet_ids"])
        subnets = self._describe(
            "describe_subnets",
            "Subnets",
            ("InvalidSubnetID.NotFound", "InvalidSubnetID.Malformed"),
            SubnetIds=subnet_ids,
        )
        if subnets is None:
            return [f"subnet_ids: {', '.join(subnet_ids)} do not all exist"]
        problems = []
        vpcs = sorted({s["VpcId"] for s in subnets})
        endpoint_vpc = wanted["vpc_id"] or (current or {}).get("vpc_id")
        if len(vpcs) > 1:
            problems.append(f"subnet_ids are in {len(vpcs)} VPCs ({', '.join(vpcs)}); they must all be in one")
        elif endpoint_vpc and vpcs != [endpoint_vpc]:
            where = f"vpc_id {endpoint_vpc}" if wanted["vpc_id"] else f"the endpoint's VPC {endpoint_vpc}"
            advice = "" if wanted["vpc_id"] else "; set vpc_id to move the endpoint to their VPC"
            problems.append(f"subnet_ids are in VPC {vpcs[0]}, not in {where}{advice}")
        zones: dict[str, str] = {}
        for subnet in sorted(subnets, key=lambda s: subnet_ids.index(s["SubnetId"])):
            zone = subnet.get("AvailabilityZone")
            if zone in zones:
                problems.append(
                    f"subnet_ids {zones[zone]} and {subnet['SubnetId']} are both in {zone}; a Client VPN endpoint"
                    " takes one subnet per Availability Zone"
                )
            zones[zone] = subnet["SubnetId"]
        if problems or not vpcs:
            return problems
        if not vpc_cidrs:
            found = self._describe("describe_vpcs", "Vpcs", "InvalidVpcID.NotFound", VpcIds=[vpcs[0]])
            vpc_cidrs = _vpc_cidrs(found[0]) if found else []
        return overlap_problems(wanted["client_cidr_block"], vpcs[0], vpc_cidrs)

    def _log_problems(self, connection_log: dict[str, Any]) -> list[str]:
        if not connection_log["enabled"]:
            return []
        logs = self.client("logs")
        group, stream = connection_log["log_group"], connection_log["log_stream"]
        what = f"look up CloudWatch Logs group {group}"
        response = call(logs.describe_log_groups, what, logGroupNamePrefix=group)
        if not any(g.get("logGroupName") == group for g in response.get("logGroups") or []):
            return [f"connection_log.cloudwatch_log_group {group} does not exist in CloudWatch Logs"]
        if stream:
            response = call(logs.describe_log_streams, what, logGroupName=group, logStreamNamePrefix=stream)
            if not any(s.get("logStreamName") == stream for s in response.get("logStreams") or []):
                return [f"connection_log.cloudwatch_log_stream {stream} does not exist in log group {group}"]
        return []

    def default_security_groups(self, vpc_id: str | None) -> list[str]:
        """The default security group of the VPC: what AWS applies when no security group is named."""
        if not vpc_id:
            return []
        groups = self._describe(
            "describe_security_groups",
            "SecurityGroups",
            Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "group-name", "Values": ["default"]}],
        )
        return sorted(g["GroupId"] for g in groups or [])

    # --- waiting ---

    def _wait(self, waiter_name: str, endpoint_id: str) -> None:
        """One waiter of WAITER_CONFIG, within what is left of the task's ``wait_timeout`` (all waits share it)."""
        condition, id_key = _WAITS[waiter_name]
        what = f"{condition} (Client VPN endpoint {endpoint_id})"

        def describe() -> tuple[str, dict[str, Any]]:
            return "", {"client_vpn_endpoint": self.read(endpoint_id) or {}}

        request = {id_key: [endpoint_id] if id_key.endswith("Ids") else endpoint_id}
        try:
            wait(
                self.ec2,
                waiter_name,
                what,
                self._deadline.remaining,
                POLL_DELAY,
                model=WAITER_CONFIG,
                describe=describe,
                **request,
            )
        except AWSActionError as e:
            if e.exception is not None:
                raise
            # A timeout: name the task's whole wait_timeout rather than what was left of it for this wait.
            raise AWSActionError(
                f"Timed out after {self.wait_timeout} seconds (wait_timeout) waiting for {what}; AWS is still at it:"
                " run the task again to keep waiting",
                **e.result,
            ) from e

    # --- changing ---

    def _mutate(
        self,
        method: Any,
        what: str,
        transient: tuple[Transient, ...] = (ENDPOINT_BUSY,),
        answers: dict[Any, Any] | None = None,
        **kwargs: Any,
    ) -> Any:
        """A change (marked; not made in check mode), retried while AWS answers that it cannot start it yet
        (``transient``: the endpoint is busy, by default), within what is left of ``wait_timeout``. Returns the
        response, None in check mode."""
        self.changed = True
        if self.check_mode:
            return None
        return call_through(method, what, transient, self._deadline.remaining, answers=answers, **kwargs)

    # --- present ---

    def ensure_present(self, wanted: dict[str, Any]) -> None:
        description = self.find_one(wanted["lookup_tags"])
        current = self.read(description["ClientVpnEndpointId"], description) if description else None
        immutable = immutable_differences(current, wanted) if current else {}
        if immutable and not wanted["replace_on_change"]:
            described = "; ".join(
                f"{field} is {before!r}, the task asks for {after!r}" for field, (before, after) in immutable.items()
            )
            raise AWSActionError(
                f"{', '.join(immutable)} of Client VPN endpoint {wanted['name']} cannot change after it is created"
                f" ({described}). Set replace_on_change: true to delete it and create it again (a new endpoint,"
                " with a new DNS name: clients then need the new configuration).",
                client_vpn_endpoint=current,
            )
        # An endpoint that already is what the task asks for refers to nothing new: asking AWS about its certificates,
        # VPC, groups, subnets and log group again would only cost calls.
        unchanged = current is not None and not immutable and not endpoint_differs(current, wanted)
        problems = [] if unchanged else self.check_references(wanted, None if immutable else current)
        if current and not immutable:
            problems.extend(vpc_move_problems(current, wanted))
        if problems:
            raise AWSActionError("; ".join(problems), client_vpn_endpoint=current or {})

        if current is None:
            self._create(wanted, before={})
        elif immutable:
            self.replaced = True
            self._delete(current, wait_for_deletion=False, wait_for_disassociation=True)
            self._create(wanted, before=current, replacing=", ".join(immutable))
        else:
            self._update(current, wanted)
        self._ensure_client_config(wanted)

    def _create(self, wanted: dict[str, Any], before: dict[str, Any], replacing: str | None = None) -> None:
        predicted = predicted_endpoint(wanted, self.default_security_groups(wanted["vpc_id"]))
        self.set_diff(before=before, after=predicted)
        if replacing:
            self._diff_override["before_header"] = f"Client VPN endpoint {wanted['name']} (deleted: {replacing})"
            self._diff_override["after_header"] = f"Client VPN endpoint {wanted['name']} (created again)"
        request = create_request(wanted)
        endpoint_id = self._create_call(wanted["name"], request, client_token(wanted["name"], request))
        if self.check_mode:
            self.endpoint = predicted
            return
        description = self.describe(endpoint_id)
        if description is None or description["Status"]["Code"] in GONE_STATUSES:
            # The token named an endpoint deleted since (AWS remembers a token for a while): create the new one
            # under a token of its own, derived from the dead endpoint's ID so that it is stable too.
            endpoint_id = self._create_call(wanted["name"], request, client_token(wanted["name"], request, endpoint_id))
            description = self.describe(endpoint_id)
        current = self.read(endpoint_id, description) or predicted
        self._converge_children(endpoint_id, current, wanted)
        self._finish(endpoint_id, wanted)

    def _create_call(self, name: str, request: dict[str, Any], token: str) -> str | None:
        """The new endpoint's ID (None in check mode)."""
        response = self._mutate(
            self.ec2.create_client_vpn_endpoint,
            f"create Client VPN endpoint {name}",
            (ENDPOINT_BEING_CREATED,),
            answers={ENDPOINT_LIMIT: self._endpoint_limit_reached},
            ClientToken=token,
            **request,
        )
        return None if response is None else response["ClientVpnEndpointId"]

    def _endpoint_limit_reached(self, exception: Exception) -> None:
        region = self.module.region or "the Region"
        raise AWSActionError(
            f"AWS refuses a new Client VPN endpoint in {region}: the quota Client VPN endpoints per Region"
            f" ({ENDPOINT_QUOTA}) is reached. Delete an endpoint no longer used, or request an increase"
            f" (aws service-quotas request-service-quota-increase --service-code ec2 --quota-code"
            f" {ENDPOINT_QUOTA.split()[1]} --desired-value <n>); playbooks/preflight.yml warns about it before a build.",
            exception=exception,
        ) from exception

    def _update(self, current: dict[str, Any], wanted: dict[str, Any]) -> None:
        endpoint_id = current["client_vpn_endpoint_id"]
        settled = wanted["wait"]
        self.endpoint = deepcopy(current)
        changes = endpoint_changes(current, wanted)
        for field, (before, after) in changes.items():
            self.differences.add(field, before, after)
            self.endpoint[field] = after
        if changes:
            self.changed = True
        if "vpc_id" in changes and wanted["security_group_ids"] is None:
            self.endpoint["security_group_ids"] = self.default_security_groups(wanted["vpc_id"])
        self._update_tags(current, wanted)
        to_add, to_remove = association_changes(current["associations"], wanted["subnet_ids"])
        if to_add or to_remove:
            self.changed = True
            before = sorted(a["subnet_id"] for a in current["associations"] if a["status"] != "disassociating")
            self.differences.add("subnet_ids", before, sorted(wanted["subnet_ids"]))
        to_authorize, to_revoke, to_replace = rule_changes(
            current["authorization_rules"], wanted["authorization_rules"]
        )
        if to_authorize or to_revoke or to_replace:
            self.changed = True
            before = rules_view([r for r in current["authorization_rules"] if r["status"] != "revoking"])
            self.differences.add("authorization_rules", before, rules_view(wanted["authorization_rules"]))

        if self.check_mode:
            self.endpoint["associations"] = predicted_associations(
                current["associations"], wanted["subnet_ids"], settled
            )
            self.endpoint["authorization_rules"] = predicted_rules(
                current["authorization_rules"], wanted["authorization_rules"], settled
            )
            if to_add or to_remove or settled:
                self.endpoint["status"] = endpoint_status(self.endpoint["associations"])
            return

        # AWS changes the endpoint's settings only while no other change of it is under way, and a disassociation
        # takes minutes: the settings change first, unless the VPC does, which can change only once none of the old
        # VPC's target networks is left.
        moving = "vpc_id" in changes
        if changes and not moving:
            self._modify(endpoint_id, wanted["name"], modify_request(changes, current, wanted))
        self._disassociate(endpoint_id, to_remove)
        if moving:
            if current["associations"]:
                self._wait("TargetNetworksGone", endpoint_id)
            self._modify(endpoint_id, wanted["name"], modify_request(changes, current, wanted))
        self._converge_children(endpoint_id, current, wanted, to_remove_done=True)
        self._finish(endpoint_id, wanted)

    def _modify(self, endpoint_id: str, name: str, request: dict[str, Any]) -> None:
        """ModifyClientVpnEndpoint, which AWS refuses while any other change of the endpoint is under way (a previous
        run's associations, say): retried until they are done, within ``wait_timeout``."""
        self._mutate(
            self.ec2.modify_client_vpn_endpoint,
            f"modify Client VPN endpoint {name} ({endpoint_id})",
            ClientVpnEndpointId=endpoint_id,
            **request,
        )

    def _update_tags(self, current: dict[str, Any], wanted: dict[str, Any]) -> None:
        endpoint_id = current["client_vpn_endpoint_id"]
        after = self.sync_tags(
            self.ec2,
            "ec2",
            endpoint_id,
            current["tags"],
            wanted["tags"],
            wanted["purge_tags"],
            f"Client VPN endpoint {endpoint_id}",
        )
        if after is not None:
            self.endpoint["tags"] = after

    def _disassociate(self, endpoint_id: str, associations: list[dict[str, Any]]) -> None:
        for association in associations:
            self._mutate(
                self.ec2.disassociate_client_vpn_target_network,
                f"disassociate subnet {association['subnet_id']} from {endpoint_id}",
                answers={"InvalidClientVpnAssociationIdNotFound": None},  # gone already
                ClientVpnEndpointId=endpoint_id,
                AssociationId=association["association_id"],
            )

    def _converge_children(
        self, endpoint_id: str, current: dict[str, Any], wanted: dict[str, Any], to_remove_done: bool = False
    ) -> None:
        """Associate (and disassociate) target networks, authorize and revoke rules; not in check mode."""
        to_add, to_remove = association_changes(current["associations"], wanted["subnet_ids"])
        if not to_remove_done:
            self._disassociate(endpoint_id, to_remove)
        known = sorted(a["association_id"] or "" for a in current["associations"])
        for subnet_id in to_add:
            self._mutate(
                self.ec2.associate_client_vpn_target_network,
                f"associate subnet {subnet_id} with {endpoint_id}",
                ClientVpnEndpointId=endpoint_id,
                SubnetId=subnet_id,
                ClientToken=idempotency_token(endpoint_id, subnet_id, *known),
            )

        to_authorize, to_revoke, to_replace = rule_changes(
            current["authorization_rules"], wanted["authorization_rules"]
        )
        for rule in to_revoke + to_replace:
            self._revoke(endpoint_id, rule)
        if to_replace:
            # A rule's description cannot change: the old rule must be gone before the same rule is authorized.
            self._wait("AuthorizationRulesRevoked", endpoint_id)
        generation = sorted(json.dumps(r, sort_keys=True) for r in current["authorization_rules"])
        for rule in to_authorize + to_replace:
            self._authorize(endpoint_id, rule, generation)

    def _revoke(self, endpoint_id: str, rule: dict[str, Any]) -> None:
        request: dict[str, Any] = {"ClientVpnEndpointId": endpoint_id, "TargetNetworkCidr": rule["target_network_cidr"]}
        if rule["authorize_all_groups"]:
            request["RevokeAllGroups"] = True
        else:
            request["AccessGroupId"] = rule["access_group_id"]
        self._mutate(
            self.ec2.revoke_client_vpn_ingress,
            f"revoke the authorization rule for {rule['target_network_cidr']}",
            answers={"InvalidClientVpnEndpointAuthorizationRuleNotFound": None},  # gone already
            **request,
        )

    def _authorize(self, endpoint_id: str, rule: dict[str, Any], generation: list[str]) -> None:
        request: dict[str, Any] = {"ClientVpnEndpointId": endpoint_id, "TargetNetworkCidr": rule["target_network_cidr"]}
        if rule["authorize_all_groups"]:
            request["AuthorizeAllGroups"] = True
        else:
            request["AccessGroupId"] = rule["access_group_id"]
        if rule["description"] is not None:
            request["Description"] = rule["description"]
        # The rules as they were are part of the token: the same rule authorized again after a revocation is a new
        # request, not a replay of the first one.
        token = idempotency_token(endpoint_id, json.dumps(request, sort_keys=True), *generation)
        self._mutate(
            self.ec2.authorize_client_vpn_ingress,
            f"authorize the clients of {endpoint_id} to reach {rule['target_network_cidr']}",
            ClientToken=token,
            **request,
        )

    def _finish(self, endpoint_id: str, wanted: dict[str, Any]) -> None:
        """Wait for what is slow (with wait: true), then read the endpoint as it is (unless nothing changed: then
        it is as read at the start and, if it was settled then, still is)."""
        if not self.changed and (not wanted["wait"] or endpoint_settled(self.endpoint)):
            return
        if wanted["wait"]:
            self._wait("TargetNetworksAssociated", endpoint_id)
            self._wait("AuthorizationRulesActive", endpoint_id)
        self.endpoint = self.read(endpoint_id) or self.endpoint

    # --- client configuration ---

    def _record(self, field: str, before: Any, after: Any) -> None:
        """A difference for the diff, also when a create or delete set the whole before/after documents."""
        if self._diff_override is None:
            self.differences.add(field, before, after)
            return
        for side, value in (("before", before), ("after", after)):
            if isinstance(self._diff_override.get(side), dict):
                self._diff_override[side][field] = value

    def _export(self, endpoint_id: str) -> str:
        response = call(
            self.ec2.export_client_vpn_client_configuration,
            f"export the client configuration of {endpoint_id}",
            ClientVpnEndpointId=endpoint_id,
        )
        return response["ClientConfiguration"]

    def _ensure_client_config(self, wanted: dict[str, Any]) -> None:
        config = wanted["client_config"]
        if config is None:
            return
        path = config["path"]
        self.client_config_path = path
        mode = f"{CLIENT_CONFIG_MODE:04o}"
        before: dict[str, Any] = {"path": path, "checksum": None, "mode": None}
        if os.path.exists(path):
            with open(path, "rb") as existing:
                before["checksum"] = sha256_hex(existing.read())
            before["mode"] = f"{os.stat(path).st_mode & 0o7777:04o}"
        endpoint_id = self.endpoint.get("client_vpn_endpoint_id")
        if endpoint_id is None:  # check mode before the endpoint exists: its configuration cannot be known yet
            self.changed = True
            self._record("client_config", before, {"path": path, "checksum": None, "mode": mode})
            return
        content = client_config_content(self._export(endpoint_id), config["client_certificate"], config["client_key"])
        after = {"path": path, "checksum": sha256_hex(content), "mode": mode}
        if before == after:
            return
        self.changed = True
        self._record("client_config", before, after)
        if not self.check_mode:
            self._write(path, content)

    def _write(self, path: str, content: bytes) -> None:
        fd, temporary = tempfile.mkstemp(prefix=".client-vpn-", dir=os.path.dirname(path))
        try:
            os.fchmod(fd, CLIENT_CONFIG_MODE)
            with os.fdopen(fd, "wb") as handle:
                handle.write(content)
            self.module.atomic_move(temporary, path)
            os.chmod(path, CLIENT_CONFIG_MODE)  # atomic_move gives the file the mode of the one it replaces
        except OSError as e:
            raise AWSActionError(f"Failed to write the client configuration to {path}: {e.strerror}") from e
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)

    # --- absent ---

    def ensure_absent(self, lookup: dict[str, str], wait: bool) -> None:
        found = self.find(lookup, include_leaving=True)
        live = [e for e in found if e["Status"]["Code"] not in GONE_STATUSES]
        if len(live) > 1:
            raise self._ambiguous(lookup, live)
        if not live:
            if wait and not self.check_mode:
                for endpoint in found:
                    self._wait("EndpointDeleted", endpoint["ClientVpnEndpointId"])
            elif found:
                self.endpoint = self.read(found[0]["ClientVpnEndpointId"], found[0]) or {}
            return
        current = self.read(live[0]["ClientVpnEndpointId"], live[0])
        if current is None:
            return
        to_disassociate = [a for a in current["associations"] if a["status"] != "disassociating"]
        if not wait and not to_disassociate and current["associations"]:
            self.endpoint = current  # the disassociations are under way; a later run deletes the endpoint
            return
        self.changed = True
        self.set_diff(before=current, after={})
        self._delete(current, wait_for_deletion=wait, wait_for_disassociation=wait)

    def _delete(self, current: dict[str, Any], wait_for_deletion: bool, wait_for_disassociation: bool) -> None:
        """Disassociate every target network, wait until they are gone, delete the endpoint.

        Without ``wait_for_disassociation`` the run stops once the disassociations are started (a later run deletes
        the endpoint); ``self.endpoint`` then holds the endpoint as it is."""
        if self.check_mode:
            return
        endpoint_id = current["client_vpn_endpoint_id"]
        self._disassociate(endpoint_id, [a for a in current["associations"] if a["status"] != "disassociating"])
        if current["associations"]:
            if not wait_for_disassociation:
                self.endpoint = self.read(endpoint_id) or {}
                return
            self._wait("TargetNetworksGone", endpoint_id)
        self._mutate(
            self.ec2.delete_client_vpn_endpoint,
            f"delete Client VPN endpoint {endpoint_id}",
            answers={_ENDPOINT_NOT_FOUND: False},  # gone already
            ClientVpnEndpointId=endpoint_id,
        )
        if wait_for_deletion:
            self._wait("EndpointDeleted", endpoint_id)
            self.endpoint = {}
        else:
            self.endpoint = self.read(endpoint_id) or {}


# --- reading for cloudops.fargate.client_vpn_endpoint_info -------------------------------------------------

# The keys of an endpoint the info module adds or leaves out, by the option that asks for them.
INFO_CHILDREN = {
    "associations": "include_associations",
    "authorization_rules": "include_authorization_rules",
    "routes": "include_routes",
}


def normalize_route(route: dict[str, Any]) -> dict[str, Any]:
    """A DescribeClientVpnRoutes entry in the return shape."""
    return {
        "destination_cidr": route.get("DestinationCidr"),
        "target_subnet": route.get("TargetSubnet"),
        "origin": route.get("Origin"),
        "type": route.get("Type"),
        "description": route.get("Description") or None,
        "status": (route.get("Status") or {}).get("Code"),
    }


def route_key(route: dict[str, Any]) -> tuple[str, str, str]:
    return (route["destination_cidr"] or "", route["target_subnet"] or "", route["origin"] or "")


def info_filters(params: dict[str, Any]) -> dict[str, Any]:
    """The info module's lookup, checked; raises ClientVpnInputError naming every bad option.

    ``client_vpn_endpoint_ids`` (None: any endpoint) keeps the order given, once each; ``tags`` holds the C(Name)
    tag when ``name`` is given, and every value as a string."""
    errors = []
    ids = params.get("client_vpn_endpoint_ids")
    if ids is not None:
        for index, endpoint_id in enumerate(ids):
            if not isinstance(endpoint_id, str) or not endpoint_id.strip():
                errors.append(f"client_vpn_endpoint_ids[{index}] must be a non-empty string")
        ids = list(dict.fromkeys(ids))
    name = params.get("name")
    tags = wanted_tags(params.get("tags")) or {}
    if name is not None:
        if not isinstance(name, str) or not name.strip():
            errors.append("name must be a non-empty string")
        elif NAME_TAG in tags and tags[NAME_TAG] != name:
            errors.append(f"tags.{NAME_TAG} is {tags[NAME_TAG]!r} but name is {name!r}; the Name tag is the name")
        else:
            tags[NAME_TAG] = name
    if errors:
        raise ClientVpnInputError("; ".join(errors))
    return {"client_vpn_endpoint_ids": ids, "tags": tags}


def matches_info_filters(description: dict[str, Any], filters: dict[str, Any]) -> bool:
    """Whether a DescribeClientVpnEndpoints entry is one the info module returns: not on its way out, one of the
    IDs asked for (if any), carrying every tag asked for."""
    if (description.get("Status") or {}).get("Code") in GONE_STATUSES:
        return False
    ids = filters.get("client_vpn_endpoint_ids")
    if ids is not None and description.get("ClientVpnEndpointId") not in ids:
        return False
    return has_all_tags(boto3_tag_list_to_ansible_dict(description.get("Tags") or []), filters.get("tags") or {})


def info_endpoint(
    description: dict[str, Any],
    networks: list[dict[str, Any]] | None,
    rules: list[dict[str, Any]] | None,
    routes: list[dict[str, Any]] | None,
) -> dict[str, Any]:
    """The endpoint in the shape of the managing module's result, plus its routes; a child list that was not read
    (None) is left out of the result."""
    endpoint = normalize_endpoint(description, networks or [], rules or [])
    if networks is None:
        del endpoint["associations"]
    if rules is None:
        del endpoint["authorization_rules"]
    if routes is not None:
        endpoint["routes"] = sorted((normalize_route(r) for r in routes), key=route_key)
    return endpoint


def info_order(endpoints: list[dict[str, Any]], ids: list[str] | None) -> list[dict[str, Any]]:
    """In the order of ``ids`` when given, otherwise by name (unnamed last) and ID."""
    if ids is not None:
        position = {endpoint_id: index for index, endpoint_id in enumerate(ids)}
        return sorted(endpoints, key=lambda e: position.get(e["client_vpn_endpoint_id"], len(position)))
    return sorted(endpoints, key=lambda e: (e["name"] is None, e["name"] or "", e["client_vpn_endpoint_id"] or ""))


class ClientVpnEndpointInfoManager(ClientVpnEndpointManager):
    """Reads Client VPN endpoints with their target networks, authorization rules and routes; changes nothing."""

    def describe_endpoints(self, ids: list[str] | None) -> list[dict[str, Any]]:
        """The DescribeClientVpnEndpoints entries of ``ids`` (every endpoint when None); IDs without an endpoint
        are left out. AWS answers InvalidClientVpnEndpointId.NotFound to the whole call when one ID does not exist,
        so the IDs are then asked for one by one."""
        if ids is None:
            return self._endpoints(None, "Client VPN endpoints", [])
        if not ids:
            return []
        found = self._endpoints(ids, "Client VPN endpoints", None)
        if found is not None:
            return found
        found = []
        for endpoint_id in ids:
            found.extend(self._endpoints([endpoint_id], f"Client VPN endpoint {endpoint_id}", []))
        return found

    def read_routes(self, endpoint_id: str) -> list[dict[str, Any]] | None:
        """The DescribeClientVpnRoutes entries of the endpoint; None when it is gone."""
        return self.read_child(endpoint_id, "routes")

    def read_info(self, description: dict[str, Any], include: dict[str, bool]) -> dict[str, Any] | None:
        """The endpoint with the children ``include`` asks for (by key of INFO_CHILDREN); None when it is gone."""
        endpoint_id = description["ClientVpnEndpointId"]
        children: dict[str, list[dict[str, Any]] | None] = {}
        for child in INFO_CHILDREN:
            children[child] = None
            if include.get(child):
                children[child] = self.read_child(endpoint_id, child)
                if children[child] is None:
                    return None  # deleted since it was listed
        return info_endpoint(description, children["associations"], children["authorization_rules"], children["routes"])

    def list_endpoints(self, filters: dict[str, Any], include: dict[str, bool]) -> list[dict[str, Any]]:
        """The endpoints ``filters`` (from ``info_filters``) match, not on their way out, in ``info_order``."""
        ids = filters["client_vpn_endpoint_ids"]
        found = []
        for description in self.describe_endpoints(ids):
            if not matches_info_filters(description, filters):
                continue
            endpoint = self.read_info(description, include)
            if endpoint is not None:
                found.append(endpoint)
        return info_order(found, ids)
