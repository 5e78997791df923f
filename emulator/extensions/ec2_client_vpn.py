"""EC2 Client VPN: endpoints, target network associations, authorization rules, routes and the client configuration.

moto 5.2.5 has no Client VPN at all: every ``*ClientVpn*`` action of the EC2 API answers "The ... action has not been
implemented", and ``CreateTags`` refuses a ``cvpn-endpoint-`` id (``InvalidID``: moto validates ids against its own
prefix table, which has no ``cvpn``). This extension adds the VPC-based part of the API, as the EC2 API reference
describes it, to moto's EC2 response class, so that the emulator server and the in-process ``mock_aws`` both serve it:

* CreateClientVpnEndpoint: validates what AWS validates before creating anything: ``ServerCertificateArn`` and, for
  mutual authentication, ``ClientRootCertificateChainArn`` must be certificates of ACM in the same account and
  region (``InvalidParameterValue``); ``ClientCidrBlock`` a network of size /12 to /22 that does not overlap the
  CIDR of ``VpcId``; ``VpcId`` and ``SecurityGroupIds`` must exist (``SecurityGroupIds`` only with ``VpcId``, in
  that VPC); ``VpnPort`` 443 or 1194; ``SessionTimeoutHours`` 8, 10, 12 or 24; at most two DNS servers; a CloudWatch
  Logs group that exists when connection logging is on. With a ``VpcId`` and no ``SecurityGroupIds`` the VPC's
  default security group applies, as on AWS. AWS's defaults: udp, port 443, split tunnel off, 24 hours. When logging
  is on and no log stream is named, a stream is created in the group (``<endpoint>-<region>-<date>-<random>``), as
  AWS does. ``ClientToken``: the same token with the same request returns the endpoint it created;
  with a different request it is ``IdempotentParameterMismatch``. ``TagSpecifications`` of type
  ``client-vpn-endpoint`` tag the endpoint; the certificates get the endpoint's ARN in their ACM ``InUseBy`` until the
  endpoint is gone (ACM refuses to delete a certificate in use, see ``acm_imported_certificates``).
* DescribeClientVpnEndpoints (``ClientVpnEndpointIds``; filters ``endpoint-id`` and ``transport-protocol``, the two
  the API reference lists, so any other filter is ``InvalidParameterValue``; ``MaxResults``/``NextToken``),
  ModifyClientVpnEndpoint (server certificate, connection logging, DNS servers, VPN port, description, split
  tunnel, VPC and security groups, session timeout, login banner, disconnect on timeout; client CIDR, transport
  protocol and authentication cannot change, as on AWS, because the API has no parameter for them),
  DeleteClientVpnEndpoint (refused with ``ClientVpnEndpointAssociationExists`` while a target network is
  associated, as AWS answers; the endpoint is ``deleting``, then gone).
* AssociateClientVpnTargetNetwork: ``associating``, then ``associated``; the subnet must be in the endpoint's VPC
  (``InvalidClientVpnSubnetId.NotFound``), not associated yet (``InvalidClientVpnDuplicateAssociationException``),
  the only one of its Availability Zone (``InvalidClientVpnSubnetId.DuplicateAz``), its VPC's CIDR clear of the
  client CIDR (``InvalidClientVpnSubnetId.OverlappingCidr``). The first association gives an endpoint without a VPC
  the subnet's VPC and that VPC's default security group; the endpoint turns ``available`` once an association is
  ``associated``. As AWS does, the association adds the route to the VPC's CIDR through the subnet (origin
  ``associate``). ``ClientToken`` returns the association the token made.
* DisassociateClientVpnTargetNetwork: ``disassociating``, then gone, together with every route through that subnet
  (AWS deletes them); with no association left the endpoint is ``pending-associate`` again.
  DescribeClientVpnTargetNetworks (filters ``association-id``, ``target-network-id``, ``vpc-id``),
  ApplySecurityGroupsToClientVpnTargetNetwork (replaces the endpoint's security groups).
* AuthorizeClientVpnIngress (``authorizing``, then ``active``; ``AccessGroupId`` or ``AuthorizeAllGroups``, a
  duplicate is ``InvalidClientVpnDuplicateAuthorizationRule``), RevokeClientVpnIngress (``revoking``, then gone;
  ``InvalidClientVpnEndpointAuthorizationRuleNotFound``), DescribeClientVpnAuthorizationRules (filters
  ``description``, ``destination-cidr``, ``group-id``).
* CreateClientVpnRoute (through an associated subnet or ``local``; ``creating``, then ``active``;
  ``InvalidClientVpnDuplicateRoute``, ``InvalidClientVpnActiveAssociationNotFound``), DeleteClientVpnRoute (only
  routes added by CreateClientVpnRoute; ``deleting``, then gone; ``InvalidClientVpnRouteNotFound``),
  DescribeClientVpnRoutes (filters ``destination-cidr``, ``origin``, ``target-subnet``).
* ExportClientVpnClientConfiguration: an OpenVPN configuration like AWS's (``client``, ``dev tun``, ``proto``,
  ``remote <endpoint>.prod.clientvpn.<region>.amazonaws.com <port>`` with ``remote-random-hostname``, which makes
  the client prefix a random label as the endpoint's wildcard DNS name expects, ``<ca>`` holding the server
  certificate's chain from ACM, or the certificate itself when it was imported without one).
* Tags: CreateTags, DeleteTags and DescribeTags accept ``cvpn-endpoint-`` ids (resource type
  ``client-vpn-endpoint``); CreateTags on an unknown endpoint is ``InvalidClientVpnEndpointId.NotFound``. The tags
  go when the endpoint does.
* DeleteSubnet of an associated subnet, DeleteSecurityGroup of a group an endpoint uses and DeleteVpc of an
  endpoint's VPC are refused with ``DependencyViolation``: on AWS the association's network interfaces live in the
  subnet and carry the groups, and the endpoint holds on to its VPC's security groups.

Slow transitions (association, disassociation, authorization, revocation, route changes, deletion) complete
``EMULATOR_CLIENT_VPN_DELAY_SECONDS`` seconds (default 2; read at each call) after the call that started them; they
are applied when the endpoint is next read or changed, so no thread runs in the background.

Realistic mode (``emulator/realism.py``) puts these on AWS's clock and adds what AWS refuses while Client VPN is busy:

* Durations: an association is ``associating`` for ``client_vpn.associating`` (terraform-provider-aws
  internal/service/ec2 wait.go polls it for up to 30 minutes, ClientVPNNetworkAssociationCreatedTimeout, and first
  after 4, ClientVPNNetworkAssociationCreatedDelay), ``disassociating`` for ``client_vpn.disassociating`` (wait.go
  ClientVPNNetworkAssociationDeletedTimeout and Delay, 30 and 4 minutes); an authorization rule is ``authorizing``
  and, on its way out, ``revoking`` (ClientVpnAuthorizationRuleStatus codes of the EC2 API) for
  ``client_vpn.authorizing`` (wait.go ClientVPNAuthorizationRuleCreatedTimeout and DeletedTimeout, 10 minutes each).
  Routes and the endpoint's deletion keep the plain delay until ``realism.TYPICAL`` has ``client_vpn.route`` and
  ``client_vpn.endpoint_deleting``. ``EMULATOR_CLIENT_VPN_DELAY_SECONDS``, when set, still wins.
* One endpoint at a time is created per account and Region: CreateClientVpnEndpoint while another endpoint created
  less than ``client_vpn.endpoint_pending`` ago is ``OperationNotPermitted`` "Endpoint cannot be created while
  another endpoint is being created or the service linked role is being deleted", which terraform-provider-aws
  retries (internal/service/ec2 service_package.go; before PR #9558 a 1 minute retry around the call). The endpoint
  is ``pending-associate`` at once (CreateClientVpnEndpoint returns it so); its creation goes on behind that status,
  so the time is the emulator's own figure, not a state DescribeClientVpnEndpoints shows. A replay of a
  ``ClientToken`` answers as before.
* Changes of one endpoint while others are under way answer ``ConcurrentMutationLimitExceeded`` "Cannot initiate
  another change for this endpoint at this time. Please try again later.", AWS's text. AWS documents "Concurrent
  operations per Client VPN endpoint: 10, not adjustable", the operations being associating or disassociating
  subnets, creating or deleting routes, creating or deleting (authorization) rules and security groups (Client VPN
  administrator guide, quotas). terraform-provider-aws retries the error on CreateClientVpnRoute and
  DeleteClientVpnRoute (internal/service/ec2 service_package.go), which fail with a few routes at once (its issue
  #19750); its association and authorization rule resources, made side by side, retry nothing. The operations under
  way are the associations ``associating`` or ``disassociating``, the rules ``authorizing`` or ``revoking`` and the
  routes of CreateClientVpnRoute ``creating`` or ``deleting`` (an association's own route goes with it); where the
  sources say nothing, the stricter reading:

  - a route change (CreateClientVpnRoute, DeleteClientVpnRoute) starts only when no operation is under way, and
    while it is under way no other change of the endpoint starts (a rule's neither: callers meet that too);
  - ModifyClientVpnEndpoint and ApplySecurityGroupsToClientVpnTargetNetwork start only when no operation is under
    way;
  - AssociateClientVpnTargetNetwork, DisassociateClientVpnTargetNetwork, AuthorizeClientVpnIngress and
    RevokeClientVpnIngress go side by side, up to 10 operations under way.

  A call that starts nothing new (a ``ClientToken`` replay, a revocation already under way) is not refused.
* A disassociated target network's network interface lingers in its subnet, with the endpoint's security groups,
  for the disassociation and then ``network_interface.lingering`` (``ec2_lingering_interfaces.linger``; skipped
  while that extension does not exist).

* AWS deletes an endpoint on its own schedule, not when somebody next looks at EC2: a certificate's ``InUseBy`` in
  ACM drops the endpoint once its ``deleting`` is over, whichever service is asked. The state here moves on lazily,
  when a call looks at it, so ACM's reads (GetCertificate, DescribeCertificate, ListCertificates) and
  DeleteCertificate move the Client VPN state of their account and Region on first; otherwise a teardown that
  deletes the endpoint without waiting and then polls ACM would wait for ever.

Plain mode has none of these refusals nor the lingering interface, so the suites written against it run as before.

Not modelled: Active Directory and federated authentication beyond storing the options, client connections
(DescribeClientVpnConnections, TerminateClientVpnConnections), certificate revocation lists, the client connect
handler, the self-service portal, IPv6 and Transit Gateway endpoints, and how long AWS remembers a ``ClientToken``
after its endpoint is deleted (here: until the endpoint is gone).
"""

from __future__ import annotations

import base64
import functools
import ipaddress
import importlib
import json
import os
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from moto.acm.models import AWSCertificateManagerBackend, acm_backends
from moto.core.responses import ActionResult
from moto.ec2 import models as ec2_models
from moto.ec2 import utils as ec2_utils
from moto.ec2.exceptions import EC2ClientError
from moto.ec2.models import EC2Backend, ec2_backends
from moto.ec2.responses import EC2Response
from moto.logs.models import logs_backends

from emulator import realism
from emulator.extensions import _patching
from emulator.extensions._patching import Patch, added

DELAY_VARIABLE = "EMULATOR_CLIENT_VPN_DELAY_SECONDS"
DEFAULT_DELAY_SECONDS = 2.0

RESOURCE_TYPE = "client-vpn-endpoint"
ID_PREFIX = "cvpn-endpoint-"
MOTO_PREFIX = "cvpn"  # what moto.ec2.utils.get_prefix makes of "cvpn-endpoint-..."
ASSOCIATION_PREFIX = "cvpn-assoc-"

VPN_PORTS = (443, 1194)
TRANSPORT_PROTOCOLS = ("udp", "tcp")
SESSION_TIMEOUT_HOURS = (8, 10, 12, 24)
CLIENT_CIDR_PREFIX_RANGE = (12, 22)
MAX_DNS_SERVERS = 2
AUTHENTICATION_TYPES = (
    "certificate-authentication",
    "directory-service-authentication",
    "federated-authentication",
)
MAX_RESULTS_RANGE = (5, 1000)
ASSOCIATION_ROUTE_DESCRIPTION = "Default Route"

# realism.TYPICAL keys of the slow transitions.
ASSOCIATING = "client_vpn.associating"
DISASSOCIATING = "client_vpn.disassociating"
AUTHORIZING = "client_vpn.authorizing"  # revoking takes as long
ROUTE_CHANGE = "client_vpn.route"  # not in TYPICAL yet: the plain delay
ENDPOINT_DELETING = "client_vpn.endpoint_deleting"  # not in TYPICAL yet: the plain delay
ENDPOINT_PENDING = "client_vpn.endpoint_pending"
INTERFACE_LINGERING = "network_interface.lingering"
LINGERING_INTERFACES_MODULE = "emulator.extensions.ec2_lingering_interfaces"

# What AWS answers while Client VPN is busy (realistic mode).
CONCURRENT_OPERATIONS_LIMIT = 10  # "Concurrent operations per Client VPN endpoint" (Client VPN quotas)
CONCURRENT_MUTATION = "ConcurrentMutationLimitExceeded"
CONCURRENT_MUTATION_MESSAGE = "Cannot initiate another change for this endpoint at this time. Please try again later."
ENDPOINT_BEING_CREATED = "OperationNotPermitted"
ENDPOINT_BEING_CREATED_MESSAGE = (
    "Endpoint cannot be created while another endpoint is being created or the service linked role is being deleted"
)

ENDPOINT_FILTERS = ("endpoint-id", "transport-protocol")
TARGET_NETWORK_FILTERS = ("association-id", "target-network-id", "vpc-id")
AUTHORIZATION_RULE_FILTERS = ("description", "destination-cidr", "group-id")
ROUTE_FILTERS = ("destination-cidr", "origin", "target-subnet")

# Every lookup and change goes through this lock: the emulator server is threaded.
_LOCK = threading.RLock()
_STATE_ATTRIBUTE = "_emulator_client_vpn"


def transition_delay() -> float:
    """Seconds a slow transition takes in plain mode: $EMULATOR_CLIENT_VPN_DELAY_SECONDS, else 2."""
    raw = os.environ.get(DELAY_VARIABLE, "").strip()
    try:
        return max(0.0, float(raw)) if raw else DEFAULT_DELAY_SECONDS
    except ValueError:
        return DEFAULT_DELAY_SECONDS


def duration(behaviour: str) -> float:
    """Seconds the transition ``behaviour`` (a ``realism.TYPICAL`` key) takes now: AWS's figure at the time scale in
    realistic mode, the plain delay otherwise; $EMULATOR_CLIENT_VPN_DELAY_SECONDS wins in both. A behaviour that
    ``TYPICAL`` does not document yet takes the plain delay in both modes."""
    if behaviour not in realism.TYPICAL:
        return transition_delay()
    return realism.seconds(behaviour, plain=transition_delay(), variable=DELAY_VARIABLE)


def _clock() -> float:
    return realism.now()


def _realistic() -> bool:
    return realism.settings().realistic


# --------------------------------------------------------------------------- errors


def _error(code: str, message: str) -> EC2ClientError:
    return EC2ClientError(code, message)


def _invalid(message: str) -> EC2ClientError:
    return _error("InvalidParameterValue", message)


def _missing(parameter: str) -> EC2ClientError:
    return _error("MissingParameter", f"The request must contain the parameter {parameter}")


def _endpoint_not_found(endpoint_id: str) -> EC2ClientError:
    return _error("InvalidClientVpnEndpointId.NotFound", f"The Client VPN endpoint ID '{endpoint_id}' does not exist")


# --------------------------------------------------------------------------- model


class _Transition:
    """Something with a status that changes by itself ``due`` (on the emulator's monotonic clock): ``start`` fixes
    when, from how long ``behaviour`` takes at that moment (a mode switch later does not move it)."""

    status: str
    due: float | None

    def start(self, status: str, behaviour: str, record: bool = True) -> None:
        self.status = status
        now, seconds = _clock(), duration(behaviour)
        self.due = now + seconds
        if record:
            realism.record(behaviour, seconds, self.subject, now)

    @property
    def subject(self) -> str:
        """What the recorded timers (``realism.record``) name."""
        raise NotImplementedError


class Association(_Transition):
    def __init__(self, endpoint_id: str, subnet: Any, security_groups: list[str], token: str | None) -> None:
        self.id = ASSOCIATION_PREFIX + ec2_utils.random_resource_id(17)
        self.endpoint_id = endpoint_id
        self.subnet_id = subnet.id
        self.vpc_id = subnet.vpc_id
        self.availability_zone = subnet.availability_zone
        self.availability_zone_id = subnet.availability_zone_id
        self.security_groups = list(security_groups)
        self.token = token
        self.start("associating", ASSOCIATING)

    @property
    def subject(self) -> str:
        return self.id

    def describe(self) -> dict[str, Any]:
        return {
            "AssociationId": self.id,
            "VpcId": self.vpc_id,
            "TargetNetworkId": self.subnet_id,
            "ClientVpnEndpointId": self.endpoint_id,
            "Status": {"Code": self.status},
            "SecurityGroups": list(self.security_groups),
            "AvailabilityZones": [self.availability_zone],
            "AvailabilityZoneIds": [self.availability_zone_id],
        }


class Rule(_Transition):
    def __init__(
        self, endpoint_id: str, cidr: str, group_id: str, access_all: bool, description: str | None, token: str | None
    ) -> None:
        self.endpoint_id = endpoint_id
        self.cidr = cidr
        self.group_id = group_id
        self.access_all = access_all
        self.description = description
        self.token = token
        self.start("authorizing", AUTHORIZING)

    @property
    def subject(self) -> str:
        return f"{self.endpoint_id} {self.cidr}"

    def key(self) -> tuple[str, str, bool]:
        return (self.cidr, self.group_id, self.access_all)

    def describe(self) -> dict[str, Any]:
        result: dict[str, Any] = {
            "ClientVpnEndpointId": self.endpoint_id,
            "GroupId": self.group_id,
            "AccessAll": self.access_all,
            "DestinationCidr": self.cidr,
            "Status": {"Code": self.status},
        }
        if self.description is not None:
            result["Description"] = self.description
        return result


class Route(_Transition):
    def __init__(
        self, endpoint_id: str, destination: str, target_subnet: str, origin: str, description: str | None
    ) -> None:
        self.endpoint_id = endpoint_id
        self.destination = destination
        self.target_subnet = target_subnet
        self.origin = origin
        self.description = description
        # An association's own route comes and goes with the association: no timer of its own to record.
        self.start("creating", ROUTE_CHANGE, record=origin == "add-route")

    @property
    def subject(self) -> str:
        return f"{self.endpoint_id} {self.destination}"

    def describe(self) -> dict[str, Any]:
        result: dict[str, Any] = {
            "ClientVpnEndpointId": self.endpoint_id,
            "DestinationCidr": self.destination,
            "TargetSubnet": self.target_subnet,
            "Type": "Nat",
            "Origin": self.origin,
            "Status": {"Code": self.status},
        }
        if self.description is not None:
            result["Description"] = self.description
        return result


class Endpoint(_Transition):
    def __init__(self, backend: EC2Backend, settings: dict[str, Any]) -> None:
        self.id = ID_PREFIX + ec2_utils.random_resource_id(17)
        self.account_id = backend.account_id
        self.region = backend.region_name
        self.created = datetime.now(UTC)
        self.deleted: datetime | None = None
        self.status = "pending-associate"
        self.due = None
        # How long AWS goes on creating the endpoint behind pending-associate: another CreateClientVpnEndpoint of the
        # account and Region is refused meanwhile (realistic mode; 0 in plain mode).
        # Recorded once the endpoint is really created (create_client_vpn_endpoint may still refuse it).
        self.creation = realism.Timer.of(ENDPOINT_PENDING, record=False)
        self.associations: dict[str, Association] = {}
        self.rules: list[Rule] = []
        self.routes: list[Route] = []
        self.settings = settings  # the describable settings, by API name

    @property
    def arn(self) -> str:
        return f"arn:aws:ec2:{self.region}:{self.account_id}:client-vpn-endpoint/{self.id}"

    @property
    def subject(self) -> str:
        return self.id

    @property
    def deleting(self) -> bool:
        return self.deleted is not None

    @property
    def dns_name(self) -> str:
        return f"*.{self.id}.prod.clientvpn.{self.region}.amazonaws.com"

    def current_status(self) -> str:
        if self.deleting:
            return "deleting"
        if any(association.status == "associated" for association in self.associations.values()):
            return "available"
        return "pending-associate"

    def certificate_arns(self) -> set[str]:
        arns = {self.settings["ServerCertificateArn"]}
        for option in self.settings["AuthenticationOptions"]:
            chain = (option.get("MutualAuthentication") or {}).get("ClientRootCertificateChain")
            if chain:
                arns.add(chain)
        return arns

    def describe(self, tags: dict[str, str]) -> dict[str, Any]:
        settings = self.settings
        result: dict[str, Any] = {
            "ClientVpnEndpointId": self.id,
            "Status": {"Code": self.current_status()},
            "CreationTime": self.created.strftime("%Y-%m-%dT%H:%M:%S"),
            "DnsName": self.dns_name,
            "ClientCidrBlock": settings["ClientCidrBlock"],
            "SplitTunnel": settings["SplitTunnel"],
            "VpnProtocol": "openvpn",
            "TransportProtocol": settings["TransportProtocol"],
            "VpnPort": settings["VpnPort"],
            "ServerCertificateArn": settings["ServerCertificateArn"],
            "AuthenticationOptions": json.loads(json.dumps(settings["AuthenticationOptions"])),
            "ConnectionLogOptions": dict(settings["ConnectionLogOptions"]),
            "Tags": [{"Key": key, "Value": value} for key, value in tags.items()],
            "ClientConnectOptions": {"Enabled": False, "Status": {"Code": "applied"}},
            "SessionTimeoutHours": settings["SessionTimeoutHours"],
            "ClientLoginBannerOptions": dict(settings["ClientLoginBannerOptions"]),
            "ClientRouteEnforcementOptions": dict(settings["ClientRouteEnforcementOptions"]),
            "DisconnectOnSessionTimeout": settings["DisconnectOnSessionTimeout"],
            "EndpointIpAddressType": "ipv4",
            "TrafficIpAddressType": "ipv4",
        }
        if self.deleted is not None:
            result["DeletionTime"] = self.deleted.strftime("%Y-%m-%dT%H:%M:%S")
        if settings.get("Description") is not None:
            result["Description"] = settings["Description"]
        if settings["DnsServers"]:
            result["DnsServers"] = list(settings["DnsServers"])
        if settings.get("VpcId"):
            result["VpcId"] = settings["VpcId"]
            result["SecurityGroupIds"] = list(settings["SecurityGroupIds"])
        return result


class ClientVpnState:
    """The Client VPN endpoints of one account and region (one EC2 backend)."""

    def __init__(self) -> None:
        self.endpoints: dict[str, Endpoint] = {}
        self.tokens: dict[str, tuple[str, str]] = {}  # ClientToken -> (endpoint id, request fingerprint)


def state_of(backend: EC2Backend) -> ClientVpnState:
    """The backend's Client VPN state; created on first use, so it goes with the backend when moto resets."""
    state = backend.__dict__.get(_STATE_ATTRIBUTE)
    if state is None:
        state = ClientVpnState()
        setattr(backend, _STATE_ATTRIBUTE, state)
    return state


# --------------------------------------------------------------------------- transitions


def _due(item: _Transition, now: float) -> bool:
    return item.due is not None and now >= item.due


def _advance_endpoint(endpoint: Endpoint, now: float) -> bool:
    """Complete the endpoint's transitions that are due; True when the endpoint itself is gone."""
    for association in list(endpoint.associations.values()):
        if not _due(association, now):
            continue
        if association.status == "associating":
            association.status, association.due = "associated", None
        elif association.status == "disassociating":
            del endpoint.associations[association.id]
    for rule in list(endpoint.rules):
        if _due(rule, now):
            if rule.status == "authorizing":
                rule.status, rule.due = "active", None
            elif rule.status == "revoking":
                endpoint.rules.remove(rule)
    for route in list(endpoint.routes):
        if _due(route, now):
            if route.status == "creating":
                route.status, route.due = "active", None
            elif route.status == "deleting":
                endpoint.routes.remove(route)
    return endpoint.deleting and _due(endpoint, now)


def _set_in_use(endpoint: Endpoint, arns: Iterable[str], in_use: bool) -> None:
    acm = acm_backends[endpoint.account_id][endpoint.region]
    for arn in arns:
        bundle = acm._certificates.get(arn)
        if bundle is None:
            continue
        if in_use and endpoint.arn not in bundle.in_use_by:
            bundle.in_use_by.append(endpoint.arn)
        elif not in_use and endpoint.arn in bundle.in_use_by:
            bundle.in_use_by.remove(endpoint.arn)


def _forget(backend: EC2Backend, state: ClientVpnState, endpoint: Endpoint) -> None:
    state.endpoints.pop(endpoint.id, None)
    for token, (endpoint_id, _fingerprint) in list(state.tokens.items()):
        if endpoint_id == endpoint.id:
            del state.tokens[token]
    backend.tags.pop(endpoint.id, None)
    _set_in_use(endpoint, endpoint.certificate_arns(), False)


def advance(backend: EC2Backend) -> ClientVpnState:
    """The backend's state with every due transition completed."""
    state = state_of(backend)
    now = _clock()
    for endpoint in list(state.endpoints.values()):
        if _advance_endpoint(endpoint, now):
            _forget(backend, state, endpoint)
    return state


# --------------------------------------------------------------------------- validation helpers


def _cidr(value: Any, parameter: str) -> ipaddress.IPv4Network:
    try:
        network = ipaddress.IPv4Network(str(value), strict=True)
    except ValueError:
        raise _invalid(f"{parameter} '{value}' is not a valid IPv4 CIDR block") from None
    return network


def _vpc_networks(vpc: Any) -> list[ipaddress.IPv4Network]:
    blocks = {vpc.cidr_block} | {c["cidr_block"] for c in vpc.get_cidr_block_association_set(ipv6=False)}
    return [ipaddress.IPv4Network(block, strict=False) for block in sorted(blocks) if block]


def _client_cidr(value: Any) -> str:
    if not value:
        raise _missing("ClientCidrBlock")
    network = _cidr(value, "ClientCidrBlock")
    low, high = CLIENT_CIDR_PREFIX_RANGE
    if not low <= network.prefixlen <= high:
        raise _invalid(
            f"ClientCidrBlock {value} must have a size of at least /{high} and must not be greater than /{low}"
        )
    return str(network)


def _check_no_overlap(client_cidr: str, vpc: Any, code: str = "InvalidParameterValue") -> None:
    client = ipaddress.IPv4Network(client_cidr)
    for network in _vpc_networks(vpc):
        if client.overlaps(network):
            raise _error(code, f"Client CIDR {client_cidr} overlaps with CIDR {network} of VPC {vpc.id}")


def _certificate(backend: EC2Backend, arn: Any, parameter: str) -> Any:
    if not arn:
        raise _missing(parameter)
    bundle = acm_backends[backend.account_id][backend.region_name]._certificates.get(arn)
    if bundle is None:
        raise _invalid(f"Certificate {arn} does not exist")
    if bundle.status != "ISSUED":
        raise _invalid(f"Certificate {arn} is not issued (status {bundle.status})")
    return bundle


def _authentication(backend: EC2Backend, options: Any) -> list[dict[str, Any]]:
    """The AuthenticationOptions request as DescribeClientVpnEndpoints reports it."""
    if not options:
        raise _missing("Authentication")
    if len(options) > 2:
        raise _invalid("At most two authentication options can be specified")
    result = []
    seen = set()
    for option in options:
        kind = option.get("Type")
        if kind not in AUTHENTICATION_TYPES:
            raise _invalid(f"Authentication type '{kind}' is invalid; valid types: {', '.join(AUTHENTICATION_TYPES)}")
        if kind in seen:
            raise _invalid(f"Authentication type {kind} is specified more than once")
        seen.add(kind)
        if kind == "certificate-authentication":
            arn = (option.get("MutualAuthentication") or {}).get("ClientRootCertificateChainArn")
            _certificate(backend, arn, "ClientRootCertificateChainArn")
            result.append({"Type": kind, "MutualAuthentication": {"ClientRootCertificateChain": arn}})
        elif kind == "directory-service-authentication":
            directory = (option.get("ActiveDirectory") or {}).get("DirectoryId")
            if not directory:
                raise _missing("DirectoryId")
            result.append({"Type": kind, "ActiveDirectory": {"DirectoryId": directory}})
        else:
            federated = option.get("FederatedAuthentication") or {}
            if not federated.get("SAMLProviderArn"):
                raise _missing("SAMLProviderArn")
            entry = {"SamlProviderArn": federated["SAMLProviderArn"]}
            if federated.get("SelfServiceSAMLProviderArn"):
                entry["SelfServiceSamlProviderArn"] = federated["SelfServiceSAMLProviderArn"]
            result.append({"Type": kind, "FederatedAuthentication": entry})
    if "certificate-authentication" in seen and len(seen) > 1:
        raise _invalid("Mutual authentication cannot be combined with another authentication type")
    return result


def _log_stream_name(endpoint_id: str, region: str) -> str:
    day = datetime.now(UTC).strftime("%Y/%m/%d")
    return f"{endpoint_id}-{region}-{day}-{ec2_utils.random_resource_id(12)}"


def _connection_log(
    backend: EC2Backend, options: Any, endpoint_id: str, current: dict[str, Any] | None = None
) -> tuple[dict[str, Any], str | None]:
    """ConnectionLogOptions as described, and the log stream to create in the group (None: none to create)."""
    if options is None or options.get("Enabled") is None:
        raise _missing("ConnectionLogOptions.Enabled")
    if not options["Enabled"]:
        return {"Enabled": False}, None
    group_name = options.get("CloudwatchLogGroup")
    if not group_name:
        raise _missing("ConnectionLogOptions.CloudwatchLogGroup")
    group = logs_backends[backend.account_id][backend.region_name].groups.get(group_name)
    if group is None:
        raise _invalid(f"The CloudWatch Logs log group {group_name} does not exist")
    stream = options.get("CloudwatchLogStream")
    new_stream = None
    if stream:
        if stream not in group.streams:
            raise _invalid(f"The CloudWatch Logs log stream {stream} does not exist in log group {group_name}")
    elif current and current.get("Enabled") and current.get("CloudwatchLogGroup") == group_name:
        stream = current.get("CloudwatchLogStream")  # same group, stream left out: the stream stays
    else:
        stream = new_stream = _log_stream_name(endpoint_id, backend.region_name)
    described = {"Enabled": True, "CloudwatchLogGroup": group_name, "CloudwatchLogStream": stream}
    if options.get("IncludeAuthorizationPolicyContext") is not None:
        described["IncludeAuthorizationPolicyContext"] = bool(options["IncludeAuthorizationPolicyContext"])
    return described, new_stream


def _create_log_stream(backend: EC2Backend, options: dict[str, Any], stream: str | None) -> None:
    if stream:
        group = logs_backends[backend.account_id][backend.region_name].groups[options["CloudwatchLogGroup"]]
        group.create_log_stream(stream)


def _dns_servers(servers: Any) -> list[str]:
    servers = list(servers or [])
    if len(servers) > MAX_DNS_SERVERS:
        raise _invalid(f"A Client VPN endpoint can have at most {MAX_DNS_SERVERS} DNS servers")
    for server in servers:
        try:
            ipaddress.IPv4Address(server)
        except ValueError:
            raise _invalid(f"DNS server '{server}' is not a valid IPv4 address") from None
    return servers


def _choice(value: Any, allowed: tuple[Any, ...], parameter: str) -> Any:
    if value not in allowed:
        raise _invalid(f"{parameter} {value} is invalid; valid values: {', '.join(str(a) for a in allowed)}")
    return value


def _vpc_and_groups(backend: EC2Backend, vpc_id: Any, group_ids: Any) -> tuple[str | None, list[str]]:
    """The VPC and the security groups to apply; the VPC's default group when none are named."""
    group_ids = list(group_ids or [])
    if not vpc_id:
        if group_ids:
            raise _missing("VpcId")
        return None, []
    vpc = backend.get_vpc(vpc_id)  # InvalidVpcID.NotFound
    for group_id in group_ids:
        group = backend.get_security_group_from_id(group_id)
        if group is None:
            raise _error("InvalidGroup.NotFound", f"The security group '{group_id}' does not exist")
        if group.vpc_id != vpc.id:
            raise _invalid(f"Security group {group_id} does not belong to VPC {vpc.id}")
    if not group_ids:
        default = backend.get_default_security_group(vpc.id)
        group_ids = [default.id] if default is not None else []
    return vpc.id, group_ids


def _tags_from_specifications(specifications: Any) -> dict[str, str]:
    tags: dict[str, str] = {}
    for specification in specifications or []:
        if specification.get("ResourceType") != RESOURCE_TYPE:
            raise _invalid(
                f"'{specification.get('ResourceType')}' is not a valid taggable resource type for this operation."
            )
        for tag in specification.get("Tags") or []:
            tags[tag["Key"]] = tag.get("Value", "")
    return tags


def _filters(response: EC2Response, allowed: tuple[str, ...]) -> dict[str, list[str]]:
    filters = response._filters_from_querystring()
    for name in filters:
        if name not in allowed:
            raise _invalid(f"The filter '{name}' is invalid")
    return filters


def _matches(filters: dict[str, list[str]], values: dict[str, Any]) -> bool:
    return all(str(values.get(name)) in {str(v) for v in wanted} for name, wanted in filters.items() if wanted)


def _page(response: EC2Response, items: list[Any]) -> tuple[list[Any], str | None]:
    max_results = response._get_param("MaxResults")
    if max_results is not None:
        low, high = MAX_RESULTS_RANGE
        if not low <= int(max_results) <= high:
            raise _invalid(f"MaxResults must be between {low} and {high}")
    token = response._get_param("NextToken")
    start = 0
    if token:
        try:
            prefix, _, offset = base64.urlsafe_b64decode(token.encode()).decode().partition(":")
            start = int(offset)
            if prefix != "cvpn" or start < 0:
                raise ValueError(token)
        except (ValueError, UnicodeDecodeError):
            raise _error("InvalidPaginationToken", f"The pagination token '{token}' is invalid") from None
    end = len(items) if max_results is None else start + int(max_results)
    next_token = base64.urlsafe_b64encode(f"cvpn:{end}".encode()).decode() if end < len(items) else None
    return items[start:end], next_token


def _paged(response: EC2Response, key: str, items: list[Any]) -> ActionResult:
    page, next_token = _page(response, items)
    result: dict[str, Any] = {key: page}
    if next_token:
        result["NextToken"] = next_token
    return ActionResult(result)


def _fingerprint(params: dict[str, Any]) -> str:
    relevant = {key: value for key, value in params.items() if key not in ("ClientToken", "DryRun")}
    return json.dumps(relevant, sort_keys=True, default=str)


def _endpoint(state: ClientVpnState, endpoint_id: Any, changing: bool = True) -> Endpoint:
    if not endpoint_id:
        raise _missing("ClientVpnEndpointId")
    endpoint = state.endpoints.get(endpoint_id)
    if endpoint is None:
        raise _endpoint_not_found(endpoint_id)
    if changing and endpoint.deleting:
        raise _error("IncorrectState", f"The Client VPN endpoint {endpoint_id} is being deleted")
    return endpoint


def _live_associations(endpoint: Endpoint) -> list[Association]:
    return [a for a in endpoint.associations.values() if a.status != "disassociating"]


# --------------------------------------------------------------------------- what AWS refuses while it is busy

# The kinds of change, for _refuse_while_busy.
SIDE_BY_SIDE = "side-by-side"  # Associate/Disassociate target network, Authorize/Revoke ingress
ROUTE = "route"  # Create/Delete route
ALONE = "alone"  # ModifyClientVpnEndpoint, ApplySecurityGroupsToClientVpnTargetNetwork

_UNDER_WAY = {
    "associations": ("associating", "disassociating"),
    "rules": ("authorizing", "revoking"),
    "routes": ("creating", "deleting"),
}


def operations_under_way(endpoint: Endpoint) -> dict[str, list[Any]]:
    """The endpoint's operations AWS is still carrying out, by kind (call after ``advance``). An association's own
    route is part of the association."""
    return {
        "associations": [a for a in endpoint.associations.values() if a.status in _UNDER_WAY["associations"]],
        "rules": [r for r in endpoint.rules if r.status in _UNDER_WAY["rules"]],
        "routes": [r for r in endpoint.routes if r.origin == "add-route" and r.status in _UNDER_WAY["routes"]],
    }


def _refuse_while_busy(endpoint: Endpoint, kind: str) -> None:
    """ConcurrentMutationLimitExceeded when a change of ``kind`` cannot start now (realistic mode only)."""
    if not _realistic():
        return
    under_way = operations_under_way(endpoint)
    count = sum(len(items) for items in under_way.values())
    busy = (
        count >= CONCURRENT_OPERATIONS_LIMIT
        or (kind in (ROUTE, ALONE) and count > 0)
        or (kind == SIDE_BY_SIDE and bool(under_way["routes"]))
    )
    if busy:
        raise _error(CONCURRENT_MUTATION, CONCURRENT_MUTATION_MESSAGE)


def _refuse_while_creating(state: ClientVpnState) -> None:
    """OperationNotPermitted while another endpoint of the account and Region is being created (realistic mode)."""
    if _realistic() and any(not endpoint.creation.done for endpoint in state.endpoints.values()):
        raise _error(ENDPOINT_BEING_CREATED, ENDPOINT_BEING_CREATED_MESSAGE)


def linger_interface(endpoint: Endpoint, association: Association, backend: Any = None) -> None:
    """The network interface of a disassociated target network stays in its subnet, with the endpoint's security
    groups, while the disassociation lasts and for ``network_interface.lingering`` after (realistic mode; nothing
    while the ec2_lingering_interfaces extension does not exist)."""
    if not _realistic() or association.due is None:
        return
    try:
        lingering = importlib.import_module(LINGERING_INTERFACES_MODULE)
    except ImportError:
        return
    linger = realism.lingers(INTERFACE_LINGERING)
    realism.record(INTERFACE_LINGERING, linger, association.id, max(_clock(), association.due))
    lingering.linger(
        association.vpc_id,
        subnet_ids=[association.subnet_id],
        security_group_ids=list(endpoint.settings.get("SecurityGroupIds") or association.security_groups),
        owner=f"ClientVPN Endpoint resource {association.id}",
        seconds=max(0.0, association.due - _clock()) + linger,
        backend=backend,
    )


# --------------------------------------------------------------------------- actions


def create_client_vpn_endpoint(self: EC2Response) -> ActionResult:
    backend = self.ec2_backend
    params = dict(self.params)
    with _LOCK:
        state = advance(backend)
        token = params.get("ClientToken")
        fingerprint = _fingerprint(params)
        if token and token in state.tokens:
            endpoint_id, known = state.tokens[token]
            if known != fingerprint:
                raise _error(
                    "IdempotentParameterMismatch",
                    f"The client token {token} was already used with a different request",
                )
            endpoint = state.endpoints[endpoint_id]
            return ActionResult(
                {
                    "ClientVpnEndpointId": endpoint.id,
                    "Status": {"Code": endpoint.current_status()},
                    "DnsName": endpoint.dns_name,
                }
            )

        _certificate(backend, params.get("ServerCertificateArn"), "ServerCertificateArn")
        authentication = _authentication(backend, params.get("AuthenticationOptions"))
        client_cidr = _client_cidr(params.get("ClientCidrBlock"))
        vpc_id, group_ids = _vpc_and_groups(backend, params.get("VpcId"), params.get("SecurityGroupIds"))
        if vpc_id:
            _check_no_overlap(client_cidr, backend.get_vpc(vpc_id))
        transport = _choice(params.get("TransportProtocol", "udp"), TRANSPORT_PROTOCOLS, "TransportProtocol")
        port = _choice(params.get("VpnPort", 443), VPN_PORTS, "VpnPort")
        hours = _choice(params.get("SessionTimeoutHours", 24), SESSION_TIMEOUT_HOURS, "SessionTimeoutHours")
        dns_servers = _dns_servers(params.get("DnsServers"))
        tags = _tags_from_specifications(params.get("TagSpecifications"))
        banner = _banner(params.get("ClientLoginBannerOptions"), {"Enabled": False})
        settings = {
            "Description": params.get("Description"),
            "ClientCidrBlock": client_cidr,
            "DnsServers": dns_servers,
            "SplitTunnel": bool(params.get("SplitTunnel", False)),
            "TransportProtocol": transport,
            "VpnPort": port,
            "ServerCertificateArn": params["ServerCertificateArn"],
            "AuthenticationOptions": authentication,
            "VpcId": vpc_id,
            "SecurityGroupIds": group_ids,
            "SessionTimeoutHours": hours,
            "ClientLoginBannerOptions": banner,
            "ClientRouteEnforcementOptions": {
                "Enforced": bool((params.get("ClientRouteEnforcementOptions") or {}).get("Enforced", False))
            },
            "DisconnectOnSessionTimeout": bool(params.get("DisconnectOnSessionTimeout", True)),
        }
        endpoint = Endpoint(backend, settings)
        log_options, new_stream = _connection_log(backend, params.get("ConnectionLogOptions"), endpoint.id)
        self.error_on_dryrun()
        _refuse_while_creating(state)

        settings["ConnectionLogOptions"] = log_options
        _create_log_stream(backend, log_options, new_stream)
        state.endpoints[endpoint.id] = endpoint
        realism.record(ENDPOINT_PENDING, endpoint.creation.duration, endpoint.id, endpoint.creation.started)
        if token:
            state.tokens[token] = (endpoint.id, fingerprint)
        if tags:
            backend.create_tags([endpoint.id], tags)
        _set_in_use(endpoint, endpoint.certificate_arns(), True)
        return ActionResult(
            {
                "ClientVpnEndpointId": endpoint.id,
                "Status": {"Code": endpoint.current_status()},
                "DnsName": endpoint.dns_name,
            }
        )


def _banner(options: Any, current: dict[str, Any]) -> dict[str, Any]:
    if options is None:
        return dict(current)
    enabled = bool(options.get("Enabled", False))
    if not enabled:
        return {"Enabled": False}
    text = options.get("BannerText")
    if not text:
        raise _missing("ClientLoginBannerOptions.BannerText")
    if len(text) > 1400:
        raise _invalid("ClientLoginBannerOptions.BannerText must be at most 1400 characters")
    return {"Enabled": True, "BannerText": text}


def describe_client_vpn_endpoints(self: EC2Response) -> ActionResult:
    backend = self.ec2_backend
    with _LOCK:
        state = advance(backend)
        filters = _filters(self, ENDPOINT_FILTERS)
        wanted_ids = self._get_param("ClientVpnEndpointIds") or []
        for endpoint_id in wanted_ids:
            if endpoint_id not in state.endpoints:
                raise _endpoint_not_found(endpoint_id)
        self.error_on_dryrun()
        endpoints = [
            endpoint.describe(dict(backend.tags.get(endpoint.id, {})))
            for endpoint in state.endpoints.values()
            if (not wanted_ids or endpoint.id in wanted_ids)
            and _matches(
                filters,
                {"endpoint-id": endpoint.id, "transport-protocol": endpoint.settings["TransportProtocol"]},
            )
        ]
        return _paged(self, "ClientVpnEndpoints", endpoints)


def modify_client_vpn_endpoint(self: EC2Response) -> ActionResult:
    backend = self.ec2_backend
    params = dict(self.params)
    with _LOCK:
        state = advance(backend)
        endpoint = _endpoint(state, params.get("ClientVpnEndpointId"))
        settings = endpoint.settings
        changes: dict[str, Any] = {}
        new_stream = None
        if params.get("ServerCertificateArn") is not None:
            _certificate(backend, params["ServerCertificateArn"], "ServerCertificateArn")
            changes["ServerCertificateArn"] = params["ServerCertificateArn"]
        if params.get("ConnectionLogOptions") is not None:
            changes["ConnectionLogOptions"], new_stream = _connection_log(
                backend, params["ConnectionLogOptions"], endpoint.id, settings["ConnectionLogOptions"]
            )
        if params.get("DnsServers") is not None:
            dns = params["DnsServers"]
            enabled = dns.get("Enabled")
            servers = dns.get("CustomDnsServers") or []
            if enabled is False:
                changes["DnsServers"] = []
            else:
                if not servers:
                    raise _missing("DnsServers.CustomDnsServers")
                changes["DnsServers"] = _dns_servers(servers)
        if params.get("VpnPort") is not None:
            changes["VpnPort"] = _choice(params["VpnPort"], VPN_PORTS, "VpnPort")
        if params.get("Description") is not None:
            changes["Description"] = params["Description"]
        if params.get("SplitTunnel") is not None:
            changes["SplitTunnel"] = bool(params["SplitTunnel"])
        if params.get("SessionTimeoutHours") is not None:
            changes["SessionTimeoutHours"] = _choice(
                params["SessionTimeoutHours"], SESSION_TIMEOUT_HOURS, "SessionTimeoutHours"
            )
        if params.get("VpcId") is not None or params.get("SecurityGroupIds"):
            vpc_id, group_ids = _vpc_and_groups(backend, params.get("VpcId"), params.get("SecurityGroupIds"))
            other_vpc = [a.id for a in endpoint.associations.values() if a.vpc_id != vpc_id]
            if other_vpc:
                raise _invalid(
                    f"The Client VPN endpoint has target networks in another VPC ({', '.join(other_vpc)});"
                    " disassociate them before changing the VPC"
                )
            _check_no_overlap(settings["ClientCidrBlock"], backend.get_vpc(vpc_id))
            changes["VpcId"], changes["SecurityGroupIds"] = vpc_id, group_ids
        if params.get("ClientLoginBannerOptions") is not None:
            changes["ClientLoginBannerOptions"] = _banner(
                params["ClientLoginBannerOptions"], settings["ClientLoginBannerOptions"]
            )
        if params.get("ClientRouteEnforcementOptions") is not None:
            changes["ClientRouteEnforcementOptions"] = {
                "Enforced": bool(params["ClientRouteEnforcementOptions"].get("Enforced", False))
            }
        if params.get("DisconnectOnSessionTimeout") is not None:
            changes["DisconnectOnSessionTimeout"] = bool(params["DisconnectOnSessionTimeout"])
        self.error_on_dryrun()
        _refuse_while_busy(endpoint, ALONE)

        old_certificates = endpoint.certificate_arns()
        settings.update(changes)
        if "ConnectionLogOptions" in changes:
            _create_log_stream(backend, changes["ConnectionLogOptions"], new_stream)
        if "SecurityGroupIds" in changes:
            for association in endpoint.associations.values():
                association.security_groups = list(changes["SecurityGroupIds"])
        new_certificates = endpoint.certificate_arns()
        _set_in_use(endpoint, old_certificates - new_certificates, False)
        _set_in_use(endpoint, new_certificates, True)
        return ActionResult({"Return": True})


def delete_client_vpn_endpoint(self: EC2Response) -> ActionResult:
    backend = self.ec2_backend
    with _LOCK:
        state = advance(backend)
        endpoint = _endpoint(state, self._get_param("ClientVpnEndpointId"), changing=False)
        if endpoint.associations:
            raise _error(
                "ClientVpnEndpointAssociationExists",
                "The endpoint that you're trying to delete has associations " + ", ".join(endpoint.associations),
            )
        self.error_on_dryrun()
        if not endpoint.deleting:
            endpoint.deleted = datetime.now(UTC)
            endpoint.start("deleting", ENDPOINT_DELETING)
        return ActionResult({"Status": {"Code": endpoint.current_status()}})


def associate_client_vpn_target_network(self: EC2Response) -> ActionResult:
    backend = self.ec2_backend
    with _LOCK:
        state = advance(backend)
        endpoint = _endpoint(state, self._get_param("ClientVpnEndpointId"))
        token = self._get_param("ClientToken")
        subnet_id = self._get_param("SubnetId")
        if token:
            for association in endpoint.associations.values():
                if association.token == token:
                    if association.subnet_id != subnet_id:
                        raise _error(
                            "IdempotentParameterMismatch",
                            f"The client token {token} was already used with a different request",
                        )
                    return ActionResult({"AssociationId": association.id, "Status": {"Code": association.status}})
        if not subnet_id:
            raise _missing("SubnetId")
        subnet = backend.get_subnet(subnet_id)  # InvalidSubnetID.NotFound
        vpc_id = endpoint.settings.get("VpcId")
        if vpc_id and subnet.vpc_id != vpc_id:
            raise _error(
                "InvalidClientVpnSubnetId.NotFound",
                f"Subnet {subnet_id} is not in VPC {vpc_id} of the Client VPN endpoint; change its VPC first",
            )
        for association in _live_associations(endpoint):
            if association.subnet_id == subnet_id:
                raise _error(
                    "InvalidClientVpnDuplicateAssociationException",
                    f"Subnet {subnet_id} is already associated with the Client VPN endpoint ({association.id})",
                )
            if association.availability_zone == subnet.availability_zone:
                raise _error(
                    "InvalidClientVpnSubnetId.DuplicateAz",
                    f"Subnet {association.subnet_id} of Availability Zone {subnet.availability_zone} is already"
                    " associated with the Client VPN endpoint",
                )
        vpc = backend.get_vpc(subnet.vpc_id)
        _check_no_overlap(endpoint.settings["ClientCidrBlock"], vpc, code="InvalidClientVpnSubnetId.OverlappingCidr")
        self.error_on_dryrun()
        _refuse_while_busy(endpoint, SIDE_BY_SIDE)

        if not vpc_id:
            _vpc, groups = _vpc_and_groups(backend, vpc.id, None)
            endpoint.settings["VpcId"], endpoint.settings["SecurityGroupIds"] = vpc.id, groups
        association = Association(endpoint.id, subnet, endpoint.settings["SecurityGroupIds"], token)
        endpoint.associations[association.id] = association
        destination = str(ipaddress.IPv4Network(vpc.cidr_block, strict=False)) if vpc.cidr_block else None
        if destination and not any(
            r.destination == destination and r.target_subnet == subnet_id and r.status != "deleting"
            for r in endpoint.routes
        ):
            route = Route(endpoint.id, destination, subnet_id, "associate", ASSOCIATION_ROUTE_DESCRIPTION)
            route.due = association.due
            endpoint.routes.append(route)
        return ActionResult({"AssociationId": association.id, "Status": {"Code": association.status}})


def describe_client_vpn_target_networks(self: EC2Response) -> ActionResult:
    backend = self.ec2_backend
    with _LOCK:
        state = advance(backend)
        endpoint = _endpoint(state, self._get_param("ClientVpnEndpointId"), changing=False)
        filters = _filters(self, TARGET_NETWORK_FILTERS)
        wanted_ids = self._get_param("AssociationIds") or []
        self.error_on_dryrun()
        networks = [
            association.describe()
            for association in endpoint.associations.values()
            if (not wanted_ids or association.id in wanted_ids)
            and _matches(
                filters,
                {
                    "association-id": association.id,
                    "target-network-id": association.subnet_id,
                    "vpc-id": association.vpc_id,
                },
            )
        ]
        return _paged(self, "ClientVpnTargetNetworks", networks)


def disassociate_client_vpn_target_network(self: EC2Response) -> ActionResult:
    backend = self.ec2_backend
    with _LOCK:
        state = advance(backend)
        endpoint = _endpoint(state, self._get_param("ClientVpnEndpointId"))
        association_id = self._get_param("AssociationId")
        if not association_id:
            raise _missing("AssociationId")
        association = endpoint.associations.get(association_id)
        if association is None:
            raise _error(
                "InvalidClientVpnAssociationIdNotFound",
                f"The target network association {association_id} does not exist",
            )
        self.error_on_dryrun()
        if association.status != "disassociating":
            _refuse_while_busy(endpoint, SIDE_BY_SIDE)
            association.start("disassociating", DISASSOCIATING)
            for route in endpoint.routes:
                if route.target_subnet == association.subnet_id:
                    route.status, route.due = "deleting", association.due
            linger_interface(endpoint, association, self.ec2_backend)
        return ActionResult({"AssociationId": association.id, "Status": {"Code": association.status}})


def apply_security_groups_to_client_vpn_target_network(self: EC2Response) -> ActionResult:
    backend = self.ec2_backend
    with _LOCK:
        state = advance(backend)
        endpoint = _endpoint(state, self._get_param("ClientVpnEndpointId"))
        vpc_id = self._get_param("VpcId")
        group_ids = self._get_param("SecurityGroupIds") or []
        if not vpc_id:
            raise _missing("VpcId")
        if not group_ids:
            raise _missing("SecurityGroupIds")
        vpc_id, group_ids = _vpc_and_groups(backend, vpc_id, group_ids)
        if endpoint.settings.get("VpcId") and endpoint.settings["VpcId"] != vpc_id:
            raise _invalid(f"VPC {vpc_id} is not the VPC of the Client VPN endpoint ({endpoint.settings['VpcId']})")
        self.error_on_dryrun()
        _refuse_while_busy(endpoint, ALONE)
        endpoint.settings["VpcId"], endpoint.settings["SecurityGroupIds"] = vpc_id, group_ids
        for association in endpoint.associations.values():
            association.security_groups = list(group_ids)
        return ActionResult({"SecurityGroupIds": list(group_ids)})


def _rule_identity(response: EC2Response, grant: str) -> tuple[str, str, bool]:
    cidr = response._get_param("TargetNetworkCidr")
    if not cidr:
        raise _missing("TargetNetworkCidr")
    cidr = str(_cidr(cidr, "TargetNetworkCidr"))
    group_id = response._get_param("AccessGroupId") or ""
    all_groups = bool(response._get_param(grant, False))
    if all_groups and group_id:
        raise _invalid(f"AccessGroupId cannot be specified when {grant} is true")
    if not all_groups and not group_id:
        raise _invalid(f"Either AccessGroupId or {grant}=true must be specified")
    return cidr, group_id, all_groups


def authorize_client_vpn_ingress(self: EC2Response) -> ActionResult:
    backend = self.ec2_backend
    with _LOCK:
        state = advance(backend)
        endpoint = _endpoint(state, self._get_param("ClientVpnEndpointId"))
        token = self._get_param("ClientToken")
        key = _rule_identity(self, "AuthorizeAllGroups")
        if token:
            for rule in endpoint.rules:
                if rule.token == token and rule.key() == key:
                    return ActionResult({"Status": {"Code": rule.status}})
        for rule in endpoint.rules:
            if rule.key() == key and rule.status != "revoking":
                raise _error(
                    "InvalidClientVpnDuplicateAuthorizationRule",
                    f"An authorization rule for {key[0]} and {'all groups' if key[2] else 'group ' + key[1]}"
                    " already exists",
                )
        self.error_on_dryrun()
        _refuse_while_busy(endpoint, SIDE_BY_SIDE)
        rule = Rule(endpoint.id, key[0], key[1], key[2], self._get_param("Description"), token)
        endpoint.rules.append(rule)
        return ActionResult({"Status": {"Code": rule.status}})


def revoke_client_vpn_ingress(self: EC2Response) -> ActionResult:
    backend = self.ec2_backend
    with _LOCK:
        state = advance(backend)
        endpoint = _endpoint(state, self._get_param("ClientVpnEndpointId"))
        key = _rule_identity(self, "RevokeAllGroups")
        rule = next((r for r in endpoint.rules if r.key() == key), None)
        if rule is None:
            raise _error(
                "InvalidClientVpnEndpointAuthorizationRuleNotFound",
                f"No authorization rule for {key[0]} and {'all groups' if key[2] else 'group ' + key[1]}",
            )
        self.error_on_dryrun()
        if rule.status != "revoking":
            _refuse_while_busy(endpoint, SIDE_BY_SIDE)
            rule.start("revoking", AUTHORIZING)
        return ActionResult({"Status": {"Code": rule.status}})


def describe_client_vpn_authorization_rules(self: EC2Response) -> ActionResult:
    backend = self.ec2_backend
    with _LOCK:
        state = advance(backend)
        endpoint = _endpoint(state, self._get_param("ClientVpnEndpointId"), changing=False)
        filters = _filters(self, AUTHORIZATION_RULE_FILTERS)
        self.error_on_dryrun()
        rules = [
            rule.describe()
            for rule in endpoint.rules
            if _matches(
                filters,
                {"description": rule.description, "destination-cidr": rule.cidr, "group-id": rule.group_id},
            )
        ]
        return _paged(self, "AuthorizationRules", rules)


def create_client_vpn_route(self: EC2Response) -> ActionResult:
    backend = self.ec2_backend
    with _LOCK:
        state = advance(backend)
        endpoint = _endpoint(state, self._get_param("ClientVpnEndpointId"))
        destination = self._get_param("DestinationCidrBlock")
        if not destination:
            raise _missing("DestinationCidrBlock")
        destination = str(_cidr(destination, "DestinationCidrBlock"))
        target = self._get_param("TargetVpcSubnetId")
        if not target:
            raise _missing("TargetVpcSubnetId")
        if target != "local" and not any(a.subnet_id == target for a in _live_associations(endpoint)):
            raise _error(
                "InvalidClientVpnActiveAssociationNotFound",
                f"Subnet {target} is not an associated target network of the Client VPN endpoint",
            )
        if any(r.destination == destination and r.target_subnet == target for r in endpoint.routes):
            raise _error("InvalidClientVpnDuplicateRoute", f"The route {destination} through {target} already exists")
        self.error_on_dryrun()
        _refuse_while_busy(endpoint, ROUTE)
        route = Route(endpoint.id, destination, target, "add-route", self._get_param("Description"))
        endpoint.routes.append(route)
        return ActionResult({"Status": {"Code": route.status}})


def delete_client_vpn_route(self: EC2Response) -> ActionResult:
    backend = self.ec2_backend
    with _LOCK:
        state = advance(backend)
        endpoint = _endpoint(state, self._get_param("ClientVpnEndpointId"))
        destination = self._get_param("DestinationCidrBlock")
        if not destination:
            raise _missing("DestinationCidrBlock")
        destination = str(_cidr(destination, "DestinationCidrBlock"))
        target = self._get_param("TargetVpcSubnetId")
        candidates = [
            r for r in endpoint.routes if r.destination == destination and (not target or r.target_subnet == target)
        ]
        if not candidates:
            raise _error("InvalidClientVpnRouteNotFound", f"The route {destination} does not exist")
        manual = [r for r in candidates if r.origin == "add-route"]
        if not manual:
            raise _invalid(
                f"The route {destination} was added by a target network association; disassociate the subnet instead"
            )
        self.error_on_dryrun()
        route = manual[0]
        if route.status != "deleting":
            _refuse_while_busy(endpoint, ROUTE)
            route.start("deleting", ROUTE_CHANGE)
        return ActionResult({"Status": {"Code": route.status}})


def describe_client_vpn_routes(self: EC2Response) -> ActionResult:
    backend = self.ec2_backend
    with _LOCK:
        state = advance(backend)
        endpoint = _endpoint(state, self._get_param("ClientVpnEndpointId"), changing=False)
        filters = _filters(self, ROUTE_FILTERS)
        self.error_on_dryrun()
        routes = [
            route.describe()
            for route in endpoint.routes
            if _matches(
                filters,
                {"destination-cidr": route.destination, "origin": route.origin, "target-subnet": route.target_subnet},
            )
        ]
        return _paged(self, "Routes", routes)


def client_configuration(endpoint: Endpoint, ca_pem: str) -> str:
    """The OpenVPN client configuration AWS exports for the endpoint."""
    settings = endpoint.settings
    remote = endpoint.dns_name.removeprefix("*.")
    return (
        "client\n"
        "dev tun\n"
        f"proto {settings['TransportProtocol']}\n"
        f"remote {remote} {settings['VpnPort']}\n"
        "remote-random-hostname\n"
        "resolv-retry infinite\n"
        "nobind\n"
        "remote-cert-tls server\n"
        "cipher AES-256-GCM\n"
        "verb 3\n"
        "<ca>\n"
        f"{ca_pem.strip()}\n"
        "</ca>\n"
        "\n"
        "\n"
        "reneg-sec 0\n"
    )


def _as_text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value or "")


def export_client_vpn_client_configuration(self: EC2Response) -> ActionResult:
    backend = self.ec2_backend
    with _LOCK:
        state = advance(backend)
        endpoint = _endpoint(state, self._get_param("ClientVpnEndpointId"))
        bundle = acm_backends[backend.account_id][backend.region_name]._certificates.get(
            endpoint.settings["ServerCertificateArn"]
        )
        if bundle is None:
            raise _invalid(f"Certificate {endpoint.settings['ServerCertificateArn']} does not exist")
        self.error_on_dryrun()
        ca_pem = _as_text(bundle.chain).strip() or _as_text(bundle.cert).strip()
        return ActionResult({"ClientConfiguration": client_configuration(endpoint, ca_pem)})


ACTIONS: dict[str, Callable[[EC2Response], ActionResult]] = {
    "create_client_vpn_endpoint": create_client_vpn_endpoint,
    "describe_client_vpn_endpoints": describe_client_vpn_endpoints,
    "modify_client_vpn_endpoint": modify_client_vpn_endpoint,
    "delete_client_vpn_endpoint": delete_client_vpn_endpoint,
    "associate_client_vpn_target_network": associate_client_vpn_target_network,
    "describe_client_vpn_target_networks": describe_client_vpn_target_networks,
    "disassociate_client_vpn_target_network": disassociate_client_vpn_target_network,
    "apply_security_groups_to_client_vpn_target_network": apply_security_groups_to_client_vpn_target_network,
    "authorize_client_vpn_ingress": authorize_client_vpn_ingress,
    "revoke_client_vpn_ingress": revoke_client_vpn_ingress,
    "describe_client_vpn_authorization_rules": describe_client_vpn_authorization_rules,
    "create_client_vpn_route": create_client_vpn_route,
    "delete_client_vpn_route": delete_client_vpn_route,
    "describe_client_vpn_routes": describe_client_vpn_routes,
    "export_client_vpn_client_configuration": export_client_vpn_client_configuration,
}


# --------------------------------------------------------------------------- tags and dependencies


def _is_endpoint_id(resource_id: Any) -> bool:
    rest = str(resource_id).removeprefix(ID_PREFIX)
    return (
        str(resource_id).startswith(ID_PREFIX) and 8 <= len(rest) <= 17 and all(c in "0123456789abcdef" for c in rest)
    )


def _accepting_endpoint_ids(original: Callable[[str], bool]) -> Callable[[str], bool]:
    @functools.wraps(original)
    def is_valid_resource_id(resource_id: str) -> bool:
        return _is_endpoint_id(resource_id) or original(resource_id)

    return is_valid_resource_id


def _checking_endpoints_exist(original: Any) -> Any:
    @functools.wraps(original)
    def do_resources_exist(self: EC2Backend, resource_ids: list[str]) -> bool:
        with _LOCK:
            state = advance(self)
            for resource_id in resource_ids:
                if _is_endpoint_id(resource_id) and resource_id not in state.endpoints:
                    raise _endpoint_not_found(resource_id)
        return original(self, resource_ids)

    return do_resources_exist


def _dependency(what: str, resource_id: str, endpoint: Endpoint) -> EC2ClientError:
    return _error(
        "DependencyViolation",
        f"The {what} '{resource_id}' has dependencies and cannot be deleted (Client VPN endpoint {endpoint.id})",
    )


def _refusing_associated_subnet(original: Any) -> Any:
    @functools.wraps(original)
    def delete_subnet(self: EC2Backend, subnet_id: str, *args: Any, **kwargs: Any) -> Any:
        with _LOCK:
            for endpoint in advance(self).endpoints.values():
                if any(a.subnet_id == subnet_id for a in endpoint.associations.values()):
                    raise _dependency("subnet", subnet_id, endpoint)
        return original(self, subnet_id, *args, **kwargs)

    return delete_subnet


def _refusing_group_in_use(original: Any) -> Any:
    @functools.wraps(original)
    def delete_security_group(self: EC2Backend, name: str | None = None, group_id: str | None = None) -> Any:
        with _LOCK:
            wanted = group_id
            if wanted is None and name is not None:
                group = self.get_security_group_by_name_or_id(name)
                wanted = group.id if group is not None else None
            for endpoint in advance(self).endpoints.values():
                if wanted and wanted in endpoint.settings.get("SecurityGroupIds", []):
                    raise _dependency("security group", wanted, endpoint)
        return original(self, name=name, group_id=group_id)

    return delete_security_group


def _refusing_vpc_in_use(original: Any) -> Any:
    # Checked up front: moto's delete_vpc deletes the main route table before it deletes the default security group.
    @functools.wraps(original)
    def delete_vpc(self: EC2Backend, vpc_id: str, *args: Any, **kwargs: Any) -> Any:
        with _LOCK:
            for endpoint in advance(self).endpoints.values():
                if endpoint.settings.get("VpcId") == vpc_id:
                    raise _dependency("vpc", vpc_id, endpoint)
        return original(self, vpc_id, *args, **kwargs)

    return delete_vpc


def _client_vpn_advanced_first(original: Any) -> Any:
    @functools.wraps(original)
    def wrapper(self: AWSCertificateManagerBackend, *args: Any, **kwargs: Any) -> Any:
        ec2 = ec2_backends[self.account_id][self.region_name]
        if ec2.__dict__.get(_STATE_ATTRIBUTE) is not None:
            advance(ec2)
        return original(self, *args, **kwargs)

    return wrapper


_BACKEND_PATCHES = (
    ("do_resources_exist", _checking_endpoints_exist),
    ("delete_subnet", _refusing_associated_subnet),
    ("delete_security_group", _refusing_group_in_use),
    ("delete_vpc", _refusing_vpc_in_use),
)


# moto dispatches a query action to the EC2Response method named after it (camelcase_to_underscores), looked up on
# every request, so adding the methods to the class serves them in the server and in mock_aws alike.
# validate_resource_ids (CreateTags, DeleteTags) looks is_valid_resource_id up in moto.ec2.models' namespace.
PATCHES = (
    *(Patch(EC2Response, name, added(function)) for name, function in ACTIONS.items()),
    Patch(ec2_models, "is_valid_resource_id", _accepting_endpoint_ids),
    *(Patch(EC2Backend, name, wrap) for name, wrap in _BACKEND_PATCHES),
    *(
        Patch(AWSCertificateManagerBackend, name, _client_vpn_advanced_first)
        for name in ("get_certificate", "list_certificates", "delete_certificate")
    ),
)


def is_installed() -> bool:
    return (
        _patching.installed(__name__, PATCHES)
        and ec2_utils.EC2_RESOURCE_TO_PREFIX.get(RESOURCE_TYPE) == MOTO_PREFIX
        and ec2_utils.EC2_PREFIX_TO_RESOURCE.get(MOTO_PREFIX) == RESOURCE_TYPE
    )


def install() -> None:
    _patching.install(__name__, PATCHES)
    # Tags: "cvpn-endpoint-..." is a valid id of resource type client-vpn-endpoint (moto's tables are shared dicts).
    ec2_utils.EC2_RESOURCE_TO_PREFIX.setdefault(RESOURCE_TYPE, MOTO_PREFIX)
    ec2_utils.EC2_PREFIX_TO_RESOURCE.setdefault(MOTO_PREFIX, RESOURCE_TYPE)
