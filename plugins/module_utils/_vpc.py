# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Manager behind cloudops.fargate.vpc: a stack's VPC, its subnets and its internet gateway, in one run.

Identity. The VPC is the one VPC that carries every identifying tag (CreateVpc takes no ClientToken, so the tags,
given in the create call itself, are what finds it again after an interrupted run). A subnet is the VPC's subnet
with its CIDR block, as amazon.aws.ec2_vpc_subnet finds it, so that a stack built by that module converges without
duplicates. The internet gateway is the one attached to the VPC or, when none is, a detached one carrying the
identifying tags and its Name (left by an interrupted run between CreateInternetGateway and AttachInternetGateway).

Calls. Reading is DescribeVpcs (filtered on the identifying tags; tags come inline), DescribeVpcAttribute for
enableDnsSupport and enableDnsHostnames (the attributes DescribeVpcs does not return, one per call), DescribeSubnets
(filtered on the VPC) and DescribeInternetGateways (filtered on ``attachment.vpc-id``): 5 calls when nothing
changes, never DescribeTags. Everything is read before anything changes, so a block, zone or overlap conflict fails
the run before the first change. The plan (``plan``, a pure function) then says per resource what it is, what it
will be and the calls between; the same plan is check mode's prediction, the diff and, with the IDs AWS assigns,
the result: nothing is read back.

Changes. ModifyVpcAttribute takes one attribute per call, and DNS hostnames need DNS support, so support is turned
on before hostnames and off after them. Creations carry their tags (TagSpecifications); tags of existing resources
go in one CreateTags / DeleteTags per set of changes shared by several resources. ``aws:`` tags are never removed.

Eventual consistency. EC2 may answer ``Invalid<Resource>ID.NotFound`` for a while right after it created a resource
(https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html). terraform-provider-aws retries those
codes on what follows a creation (internal/service/ec2: vpc.go ``resourceVPCRead`` retries InvalidVpcID.NotFound and
subnet.go ``resourceSubnetRead`` InvalidSubnetID.NotFound for a new resource, for their propagation timeouts;
vpc_internet_gateway.go ``attachInternetGateway`` retries InvalidInternetGatewayID.NotFound), and so does amazon.aws
(ec2_vpc_igw's ``ensure_ec2_tags(..., retry_codes="InvalidInternetGatewayID.NotFound")``, ec2_vpc_subnet's
``subnet_exists`` waiter). Here every call naming a resource this run created goes through a client that also
retries those codes with jittered backoff (AWSRetry, about 10 tries over a few minutes); throttling is retried on
every call, as in security_groups. With ``wait``, every VPC and subnet this run created is read back by ID until EC2
answers for it and it is ``available`` (terraform-provider-aws reads a new VPC or subnet until it is found;
amazon.aws.ec2_vpc_subnet waits for a subnet not yet available, ec2_vpc_net for every new VPC): the tasks that follow
name them in calls of other modules that do not retry an ID EC2 does not know yet. A gateway's attachment is awaited
too (as amazon.aws.ec2_vpc_igw waits), all within ``wait_timeout``.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_specifications

from ansible_collections.cloudops.fargate.plugins.module_utils._common import AWSActionError
from ansible_collections.cloudops.fargate.plugins.module_utils._common import BaseResourceManager
from ansible_collections.cloudops.fargate.plugins.module_utils._common import Deadline
from ansible_collections.cloudops.fargate.plugins.module_utils._common import InputError
from ansible_collections.cloudops.fargate.plugins.module_utils._common import call
from ansible_collections.cloudops.fargate.plugins.module_utils._common import merged_tags
from ansible_collections.cloudops.fargate.plugins.module_utils._common import paginate
from ansible_collections.cloudops.fargate.plugins.module_utils._common import tag_changes
from ansible_collections.cloudops.fargate.plugins.module_utils._common import tag_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._common import wait
from ansible_collections.cloudops.fargate.plugins.module_utils._common import wanted_tags

NAME_TAG = "Name"
DEFAULT_WAIT_TIMEOUT = 300  # amazon.aws.ec2_vpc_subnet's default
# What AWS allows for a VPC's IPv4 block and a subnet's (the EC2 API reference of CreateVpc and CreateSubnet).
PREFIX_LENGTHS = (16, 28)

# Codes EC2 may answer for a while about a resource it has just created (see the module docstring).
NEW_RESOURCE_ERROR_CODES = ["InvalidVpcID.NotFound", "InvalidSubnetID.NotFound", "InvalidInternetGatewayID.NotFound"]

# option -> (DescribeVpcAttribute's Attribute, ModifyVpcAttribute's and the answer's key)
DNS_ATTRIBUTES = {
    "dns_support": ("enableDnsSupport", "EnableDnsSupport"),
    "dns_hostnames": ("enableDnsHostnames", "EnableDnsHostnames"),
}
# What a VPC that CreateVpc made has (the VPC user guide, "DNS attributes in your VPC": a default VPC has both).
NEW_VPC_DNS = {"dns_support": True, "dns_hostnames": False}

MAP_PUBLIC = "map_public_ip_on_launch"
ATTACHED = "attached"
GONE_ATTACHMENT_STATES = frozenset({"detaching", "detached"})

# Waiters of botocore's model (``_common.wait``): botocore's own subnet_available and vpc_available fail on
# NotFound, which EC2 may still answer right after the create.
WAITER_MODEL = {
    "version": 2,
    "waiters": {
        "VpcAvailable": {
            "operation": "DescribeVpcs",
            "delay": 2,
            "maxAttempts": 60,
            "acceptors": [
                {"matcher": "pathAll", "argument": "Vpcs[].State", "expected": "available", "state": "success"},
                {"matcher": "error", "expected": "InvalidVpcID.NotFound", "state": "retry"},
            ],
        },
        "SubnetsAvailable": {
            "operation": "DescribeSubnets",
            "delay": 2,
            "maxAttempts": 60,
            "acceptors": [
                {"matcher": "pathAll", "argument": "Subnets[].State", "expected": "available", "state": "success"},
                {"matcher": "error", "expected": "InvalidSubnetID.NotFound", "state": "retry"},
            ],
        },
        "InternetGatewayAttached": {
            "operation": "DescribeInternetGateways",
            "delay": 5,
            "maxAttempts": 60,
            "acceptors": [
                {
                    "matcher": "pathAll",
                    "argument": "InternetGateways[].Attachments[].State",
                    "expected": "available",
                    "state": "success",
                },
                {"matcher": "error", "expected": "InvalidInternetGatewayID.NotFound", "state": "retry"},
            ],
        },
    },
}


# --- input -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubnetSpec:
    name: str
    cidr: str
    az: str
    tags: dict[str, str]  # all of them: the module's, the subnet's, the identifying tags and Name
    map_public_ip_on_launch: bool


@dataclass(frozen=True)
class GatewaySpec:
    name: str
    tags: dict[str, str]  # all of them: the module's, the identifying tags and Name


@dataclass(frozen=True)
class VpcSpec:
    """What the module was asked for, validated and normalised: tags are each resource's complete tags."""

    name: str
    cidr_block: str
    identifying_tags: dict[str, str]
    tags: dict[str, str]
    dns_support: bool
    dns_hostnames: bool
    subnets: tuple[SubnetSpec, ...] = ()
    internet_gateway: GatewaySpec | None = None


def ipv4_block(value: Any, option: str) -> tuple[ipaddress.IPv4Network | None, list[str]]:
    """``value`` as an IPv4 network AWS accepts for a VPC or a subnet (/16 to /28, no host bits), or the errors."""
    text = str(value or "").strip()
    try:
        network = ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None, [f"{option} {text!r} is not an IPv4 block (a.b.c.d/n)"]
    if network.version != 4 or "/" not in text:
        return None, [f"{option} {text!r} is not an IPv4 block (a.b.c.d/n)"]
    errors = []
    if str(network) != text:
        errors.append(f"{option} {text} has host bits set; the block is {network}")
    low, high = PREFIX_LENGTHS
    if not low <= network.prefixlen <= high:
        errors.append(f"{option} {text}: AWS takes blocks from /{low} to /{high}")
    return (network if not errors else None), errors


def resource_tags(tags: dict[str, str], identifying_tags: dict[str, str], name: str, *extra: dict[str, Any]) -> dict[str, str]:
    """One resource's tags: the module's, then ``extra`` (a subnet's own), then the identifying tags, then Name."""
    merged: dict[str, Any] = dict(tags)
    for more in extra:
        merged.update(wanted_tags(more) or {})
    merged.update(identifying_tags)
    merged[NAME_TAG] = name
    return merged


def wanted_vpc(
    name: str,
    cidr_block: str,
    identifying_tags: dict[str, Any],
    tags: dict[str, Any] | None = None,
    dns_support: bool = True,
    dns_hostnames: bool = True,
    subnets: list[dict[str, Any]] | None = None,
    internet_gateway: dict[str, Any] | None = None,
) -> VpcSpec:
    """The options, validated and normalised; every problem at once as an ``InputError``, before any call."""
    errors: list[str] = []
    if not str(name or "").strip():
        errors.append("name: the VPC's Name tag cannot be empty")
    network, block_errors = ipv4_block(cidr_block, "cidr_block")
    errors.extend(block_errors)
    if not identifying_tags:
        errors.append("identifying_tags: at least one tag is needed to find the stack's VPC")
    elif NAME_TAG in identifying_tags:
        errors.append(f"identifying_tags: {NAME_TAG} cannot identify the stack; each resource gets its own Name")
    errors.extend(tag_errors(identifying_tags, "identifying_tags", lengths=True))
    errors.extend(tag_errors(tags, "tags", lengths=True))
    if dns_hostnames and not dns_support:
        errors.append("dns_hostnames needs dns_support: AWS gives DNS hostnames only in a VPC with DNS support")

    identifying = wanted_tags(identifying_tags) or {}
    common = wanted_tags(tags) or {}
    subnet_specs = []
    blocks: list[tuple[str, ipaddress.IPv4Network]] = []  # (where, block)
    for index, subnet in enumerate(subnets or []):
        label = str(subnet.get("name") or "").strip()
        where = f"subnet {label}" if label else f"subnets[{index}]"
        if not label:
            errors.append(f"{where}: name cannot be empty")
        if not str(subnet.get("az") or "").strip():
            errors.append(f"{where}: az cannot be empty")
        errors.extend(tag_errors(subnet.get("tags"), f"{where} tags", lengths=True))
        block, subnet_errors = ipv4_block(subnet.get("cidr"), f"{where}: cidr")
        errors.extend(subnet_errors)
        if block is not None:
            if network is not None and not block.subnet_of(network):
                errors.append(f"{where}: cidr {block} is not inside cidr_block {network}")
            blocks.append((where, block))
        subnet_specs.append(
            SubnetSpec(
                name=label,
                cidr=str(block) if block is not None else str(subnet.get("cidr")),
                az=str(subnet.get("az") or "").strip(),
                tags=resource_tags(common, identifying, label, subnet.get("tags") or {}),
                map_public_ip_on_launch=bool(subnet.get(MAP_PUBLIC)),
            )
        )
    names = [s.name for s in subnet_specs if s.name]
    for duplicate in sorted({n for n in names if names.count(n) > 1}):
        errors.append(f"subnets: the name {duplicate} is used more than once")
    cidrs = [str(block) for _label, block in blocks]
    for duplicate in sorted({c for c in cidrs if cidrs.count(c) > 1}):
        errors.append(f"subnets: the cidr {duplicate} is used more than once")
    for i, (first, first_block) in enumerate(blocks):
        for second, second_block in blocks[i + 1 :]:
            if first_block != second_block and first_block.overlaps(second_block):
                errors.append(f"{first} ({first_block}) and {second} ({second_block}) overlap")

    gateway = None
    if internet_gateway is not None:
        gateway_name = str(internet_gateway.get("name") or "").strip()
        if not gateway_name:
            errors.append("internet_gateway: name cannot be empty")
        gateway = GatewaySpec(gateway_name, resource_tags(common, identifying, gateway_name))
    if errors:
        raise InputError.of(errors)
    return VpcSpec(
        name=str(name).strip(),
        cidr_block=str(network),
        identifying_tags=identifying,
        tags=resource_tags(common, identifying, str(name).strip()),
        dns_support=bool(dns_support),
        dns_hostnames=bool(dns_hostnames),
        subnets=tuple(subnet_specs),
        internet_gateway=gateway,
    )


# --- reading -----------------------------------------------------------------------------------------------------


def tag_filters(tags: dict[str, str]) -> list[dict[str, Any]]:
    """EC2 filters that every one of ``tags`` must match."""
    return [{"Name": f"tag:{key}", "Values": [value]} for key, value in sorted(tags.items())]


def the_vpc(vpcs: list[dict[str, Any]], cidr_block: str) -> dict[str, Any] | None:
    """The stack's VPC among those DescribeVpcs found by the identifying tags: None when there is none; more than
    one, or one with another primary block, is an ``InputError``."""
    if len(vpcs) > 1:
        ids = ", ".join(sorted(v["VpcId"] for v in vpcs))
        raise InputError(f"{len(vpcs)} VPCs carry the identifying tags ({ids}); remove the extra ones first.")
    if not vpcs:
        return None
    vpc = vpcs[0]
    if vpc.get("CidrBlock") != cidr_block:
        raise InputError(
            f"cidr_block {cidr_block} differs from the block of the existing VPC {vpc['VpcId']} ({vpc.get('CidrBlock')}):"
            " a VPC's primary block cannot change. Keep it, or delete the VPC first."
        )
    return vpc


def vpc_state(aws_vpc: dict[str, Any], dns_support: bool, dns_hostnames: bool) -> dict[str, Any]:
    return {
        "id": aws_vpc["VpcId"],
        "cidr_block": aws_vpc.get("CidrBlock"),
        "dns_support": bool(dns_support),
        "dns_hostnames": bool(dns_hostnames),
        "tags": boto3_tag_list_to_ansible_dict(aws_vpc.get("Tags") or []),
    }


def subnet_state(aws_subnet: dict[str, Any]) -> dict[str, Any]:
    tags = boto3_tag_list_to_ansible_dict(aws_subnet.get("Tags") or [])
    return {
        "id": aws_subnet["SubnetId"],
        "name": tags.get(NAME_TAG, ""),
        "cidr_block": aws_subnet.get("CidrBlock"),
        "availability_zone": aws_subnet.get("AvailabilityZone"),
        MAP_PUBLIC: bool(aws_subnet.get("MapPublicIpOnLaunch")),
        "tags": tags,
    }


def live_attachments(aws_gateway: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for a in aws_gateway.get("Attachments") or [] if a.get("State") not in GONE_ATTACHMENT_STATES]


def gateway_state(aws_gateway: dict[str, Any], vpc_id: str | None) -> dict[str, Any]:
    """An internet gateway: ``attached`` says whether it is attached to ``vpc_id``."""
    return {
        "id": aws_gateway["InternetGatewayId"],
        ATTACHED: bool(vpc_id) and any(a.get("VpcId") == vpc_id for a in live_attachments(aws_gateway)),
        "tags": boto3_tag_list_to_ansible_dict(aws_gateway.get("Tags") or []),
    }


def detached_gateway(aws_gateways: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The gateway to attach among those carrying the stack's tags and the gateway's Name: the first (by ID) that
    is attached to no VPC. One attached elsewhere is another VPC's and stays there."""
    free = sorted((g for g in aws_gateways if not live_attachments(g)), key=lambda g: g["InternetGatewayId"])
    return free[0] if free else None


# --- planning ----------------------------------------------------------------------------------------------------


def dns_steps(current: dict[str, bool], wanted: dict[str, bool]) -> list[tuple[str, bool]]:
    """The ModifyVpcAttribute calls, one attribute each, in an order AWS accepts: DNS support on before DNS
    hostnames, hostnames off before support."""
    order = ("dns_support", "dns_hostnames") if wanted["dns_support"] else ("dns_hostnames", "dns_support")
    return [(option, wanted[option]) for option in order if current[option] != wanted[option]]


@dataclass
class Change:
    """One resource of the run: what AWS has (``before``, None when it is to be created), what it will have
    (``after``, its ID "" until created), and the calls in between besides the create: tags, and ``settings``,
    the attributes to set in order (DNS for the VPC, map_public_ip_on_launch for a subnet, the attachment for the
    gateway)."""

    before: dict[str, Any] | None
    after: dict[str, Any]
    tags_set: dict[str, str] = field(default_factory=dict)
    tags_unset: list[str] = field(default_factory=list)
    settings: list[tuple[str, bool]] = field(default_factory=list)

    @property
    def create(self) -> bool:
        return self.before is None

    @property
    def changed(self) -> bool:
        return self.create or bool(self.tags_set or self.tags_unset or self.settings)


def _tagged(before: dict[str, Any] | None, wanted: dict[str, str], purge_tags: bool) -> tuple[dict, list, dict]:
    """(to set, to remove, the tags after) of a resource; a new one gets ``wanted`` in its create call."""
    if before is None:
        return {}, [], dict(wanted)
    to_set, to_unset = tag_changes(before["tags"], wanted, purge_tags)
    return to_set, list(to_unset), merged_tags(before["tags"], wanted, purge_tags)


def plan_vpc(spec: VpcSpec, vpc: dict[str, Any] | None, purge_tags: bool) -> Change:
    wanted_dns = {"dns_support": spec.dns_support, "dns_hostnames": spec.dns_hostnames}
    current_dns = NEW_VPC_DNS if vpc is None else {option: vpc[option] for option in DNS_ATTRIBUTES}
    to_set, to_unset, tags = _tagged(vpc, spec.tags, purge_tags)
    after = {"id": vpc["id"] if vpc else "", "cidr_block": spec.cidr_block, **wanted_dns, "tags": tags}
    return Change(vpc, after, to_set, to_unset, dns_steps(current_dns, wanted_dns))


def plan_subnets(
    specs: tuple[SubnetSpec, ...], subnets: list[dict[str, Any]], purge_tags: bool
) -> list[Change]:
    """One change per subnet of ``specs``, each matched to the VPC's subnet of its CIDR block. A match in another
    zone, or a block to create that overlaps one of the VPC's other subnets, is an ``InputError`` naming the
    subnets."""
    by_cidr = {s["cidr_block"]: s for s in subnets}
    errors = []
    changes = []
    for spec in specs:
        current = by_cidr.get(spec.cidr)
        if current is not None and current["availability_zone"] != spec.az:
            errors.append(
                f"subnet {spec.name}: {current['id']} ({spec.cidr}) is in {current['availability_zone']}, not in"
                f" {spec.az}; a subnet's zone cannot change. Ask for {current['availability_zone']}, or delete the"
                " subnet first."
            )
        if current is None:
            block = ipaddress.ip_network(spec.cidr)
            for other in subnets:
                if block.overlaps(ipaddress.ip_network(other["cidr_block"])):
                    errors.append(
                        f"subnet {spec.name}: cidr {spec.cidr} overlaps subnet {other['id']} ({other['cidr_block']})"
                        " of the VPC"
                    )
        to_set, to_unset, tags = _tagged(current, spec.tags, purge_tags)
        after = {
            "id": current["id"] if current else "",
            "name": spec.name,
            "cidr_block": spec.cidr,
            "availability_zone": spec.az,
            MAP_PUBLIC: spec.map_public_ip_on_launch,
            "tags": tags,
        }
        was_public = current[MAP_PUBLIC] if current else False  # CreateSubnet makes a subnet without
        settings = [(MAP_PUBLIC, spec.map_public_ip_on_launch)] if was_public != spec.map_public_ip_on_launch else []
        changes.append(Change(current, after, to_set, to_unset, settings))
    if errors:
        raise InputError.of(errors)
    return changes


def plan_gateway(spec: GatewaySpec, gateway: dict[str, Any] | None, purge_tags: bool) -> Change:
    to_set, to_unset, tags = _tagged(gateway, spec.tags, purge_tags)
    after = {"id": gateway["id"] if gateway else "", ATTACHED: True, "tags": tags}
    settings = [] if gateway and gateway[ATTACHED] else [(ATTACHED, True)]
    return Change(gateway, after, to_set, to_unset, settings)


@dataclass
class Plan:
    vpc: Change
    subnets: list[Change]
    gateway: Change | None

    @property
    def changed(self) -> bool:
        return any(c.changed for c in self.changes())

    def changes(self) -> list[Change]:
        """Every resource's change: the VPC's, the subnets', the gateway's."""
        return [self.vpc, *self.subnets, *([self.gateway] if self.gateway else [])]

    def diff(self) -> dict[str, Any]:
        """The resources that change, before (when they exist) and after, without IDs: the same in check mode and
        for real. Subnets by name."""
        before: dict[str, Any] = {}
        after: dict[str, Any] = {}
        if self.vpc.changed:
            if not self.vpc.create:
                before["vpc"] = vpc_document(self.vpc.before)
            after["vpc"] = vpc_document(self.vpc.after)
        for change in self.subnets:
            if change.changed:
                name = change.after["name"]
                if not change.create:
                    before.setdefault("subnets", {})[name] = subnet_document(change.before)
                after.setdefault("subnets", {})[name] = subnet_document(change.after)
        if self.gateway is not None and self.gateway.changed:
            if not self.gateway.create:
                before["internet_gateway"] = gateway_document(self.gateway.before)
            after["internet_gateway"] = gateway_document(self.gateway.after)
        return {"before": before, "after": after}

    def results(self) -> dict[str, Any]:
        """``vpc``, ``subnets`` and ``internet_gateway`` as the module returns them."""
        return {
            "vpc": {k: self.vpc.after[k] for k in ("id", "cidr_block", "dns_support", "dns_hostnames", "tags")},
            "subnets": [dict(c.after) for c in self.subnets],
            "internet_gateway": {"id": self.gateway.after["id"], "tags": self.gateway.after["tags"]}
            if self.gateway
            else {},
        }


def plan(
    spec: VpcSpec,
    vpc: dict[str, Any] | None,
    subnets: list[dict[str, Any]],
    gateway: dict[str, Any] | None,
    purge_tags: bool,
) -> Plan:
    """What to do, from what AWS has: ``vpc`` (``vpc_state``, None when there is none), the VPC's ``subnets``
    (``subnet_state``) and the ``gateway`` found (``gateway_state``: attached to the VPC, or a detached one to
    attach). Raises ``InputError`` for what cannot converge (a subnet's zone, overlapping blocks)."""
    return Plan(
        vpc=plan_vpc(spec, vpc, purge_tags),
        subnets=plan_subnets(spec.subnets, subnets, purge_tags),
        gateway=plan_gateway(spec.internet_gateway, gateway, purge_tags) if spec.internet_gateway else None,
    )


def _sorted_tags(tags: dict[str, str]) -> dict[str, str]:
    return dict(sorted(tags.items()))


def vpc_document(state: dict[str, Any]) -> dict[str, Any]:
    return {
        "cidr_block": state["cidr_block"],
        "dns_support": state["dns_support"],
        "dns_hostnames": state["dns_hostnames"],
        "tags": _sorted_tags(state["tags"]),
    }


def subnet_document(state: dict[str, Any]) -> dict[str, Any]:
    return {
        "cidr_block": state["cidr_block"],
        "availability_zone": state["availability_zone"],
        MAP_PUBLIC: state[MAP_PUBLIC],
        "tags": _sorted_tags(state["tags"]),
    }


def gateway_document(state: dict[str, Any]) -> dict[str, Any]:
    return {ATTACHED: state[ATTACHED], "tags": _sorted_tags(state["tags"])}


def tag_batches(
    changes: list[tuple[str, dict[str, str], list[str]]],
) -> tuple[dict[tuple[tuple[str, str], ...], list[str]], dict[tuple[str, ...], list[str]]]:
    """(resource ID, tags to set, keys to remove) of several resources as one CreateTags per set of tags and one
    DeleteTags per set of keys, each for every resource that shares it."""
    to_set: dict[tuple[tuple[str, str], ...], list[str]] = {}
    to_unset: dict[tuple[str, ...], list[str]] = {}
    for resource_id, setting, unsetting in changes:
        if setting:
            to_set.setdefault(tuple(sorted(setting.items())), []).append(resource_id)
        if unsetting:
            to_unset.setdefault(tuple(sorted(unsetting)), []).append(resource_id)
    return to_set, to_unset


# --- the manager -------------------------------------------------------------------------------------------------


class VpcManager(BaseResourceManager):
    """The stack's VPC, the subnets of ``subnets`` and the internet gateway: read, plan, and outside check mode act."""

    def __init__(self, module) -> None:
        super().__init__(module)
        self.ec2 = self.client("ec2")
        self._new_resource_client = None
        self.plan: Plan | None = None
        self._fresh: set[str] = set()  # IDs this run created: EC2 may not know them everywhere yet

    # -- reading --

    def _find_vpc(self, spec: VpcSpec) -> dict[str, Any] | None:
        found = paginate(
            self.ec2.describe_vpcs,
            "find the VPC by its identifying tags",
            "Vpcs",
            Filters=tag_filters(spec.identifying_tags),
        )
        return the_vpc(found, spec.cidr_block)

    def _dns(self, vpc_id: str) -> dict[str, bool]:
        dns = {}
        for option, (attribute, key) in DNS_ATTRIBUTES.items():
            answer = call(
                self.ec2.describe_vpc_attribute, f"describe {attribute} of VPC {vpc_id}", VpcId=vpc_id,
                Attribute=attribute,
            )
            dns[option] = bool((answer.get(key) or {}).get("Value"))
        return dns

    def _subnets(self, vpc_id: str) -> list[dict[str, Any]]:
        found = paginate(
            self.ec2.describe_subnets,
            f"describe the subnets of VPC {vpc_id}",
            "Subnets",
            Filters=[{"Name": "vpc-id", "Values": [vpc_id]}],
        )
        return [subnet_state(s) for s in found]

    def _gateway(self, spec: VpcSpec, vpc_id: str | None) -> dict[str, Any] | None:
        """The gateway attached to the VPC; or else a detached one with the stack's tags and the gateway's Name."""
        if vpc_id:
            attached = paginate(
                self.ec2.describe_internet_gateways,
                f"describe the internet gateway of VPC {vpc_id}",
                "InternetGateways",
                Filters=[{"Name": "attachment.vpc-id", "Values": [vpc_id]}],
            )
            if attached:
                return gateway_state(attached[0], vpc_id)
        tagged = paginate(
            self.ec2.describe_internet_gateways,
            f"find a detached internet gateway named {spec.internet_gateway.name}",
            "InternetGateways",
            Filters=tag_filters({**spec.identifying_tags, NAME_TAG: spec.internet_gateway.name}),
        )
        found = detached_gateway(tagged)
        return gateway_state(found, vpc_id) if found else None

    # -- converging --

    def converge(self, spec: VpcSpec, purge_tags: bool, wait_for: bool, wait_timeout: float) -> None:
        """Read everything, plan, and outside check mode make the changes; ``wait_for`` the creations AWS reports
        pending and the gateway's attachment, all within ``wait_timeout`` seconds."""
        aws_vpc = self._find_vpc(spec)
        vpc = subnets = gateway = None
        if aws_vpc is not None:
            vpc = vpc_state(aws_vpc, **self._dns(aws_vpc["VpcId"]))
            if spec.subnets:
                subnets = self._subnets(vpc["id"])
        if spec.internet_gateway is not None:
            gateway = self._gateway(spec, vpc["id"] if vpc else None)
        self.plan = plan(spec, vpc, subnets or [], gateway, purge_tags)
        self.changed = self.plan.changed
        if self.check_mode or not self.changed:
            return
        deadline = Deadline(wait_timeout)
        try:
            self._act(spec, wait_for, deadline)
        except AWSActionError as e:
            for key, value in self.plan.results().items():  # as far as it got: what exists has its ID
                e.result.setdefault(key, value)
            raise

    def _client_for(self, *resource_ids: str):
        """The client for a call naming ``resource_ids``: one that also retries NotFound if the run created one."""
        if not self._fresh.intersection(resource_ids):
            return self.ec2
        if self._new_resource_client is None:
            self._new_resource_client = self.client(
                "ec2", retry_decorator=AWSRetry.jittered_backoff(catch_extra_error_codes=NEW_RESOURCE_ERROR_CODES)
            )
        return self._new_resource_client

    def _wait(self, waiter: str, what: str, deadline: Deadline, **params: Any) -> None:
        wait(self.ec2, waiter, what, deadline.remaining, WAITER_MODEL["waiters"][waiter]["delay"], model=WAITER_MODEL,
             **params)

    def _act(self, spec: VpcSpec, wait_for: bool, deadline: Deadline) -> None:
        vpc_id = self._converge_vpc(spec, wait_for, deadline)
        # A new gateway is created before the subnets and attached after them: by then EC2 knows it.
        if self.plan.gateway is not None:
            self._create_gateway()
        self._converge_subnets(vpc_id, wait_for, deadline)
        if self.plan.gateway is not None:
            self._attach_gateway(vpc_id, wait_for, deadline)
        self._converge_tags()

    def _converge_vpc(self, spec: VpcSpec, wait_for: bool, deadline: Deadline) -> str:
        change = self.plan.vpc
        if change.create:
            created = call(
                self.ec2.create_vpc,
                f"create VPC {spec.name} ({spec.cidr_block})",
                CidrBlock=spec.cidr_block,
                TagSpecifications=boto3_tag_specifications(spec.tags, types=["vpc"]),
            )["Vpc"]
            change.after["id"] = created["VpcId"]
            self._fresh.add(created["VpcId"])
            # Read back until EC2 answers for it and it is available: what runs next names it.
            if wait_for:
                self._wait("VpcAvailable", f"VPC {created['VpcId']} to be available", deadline,
                           VpcIds=[created["VpcId"]])
        vpc_id = change.after["id"]
        for option, value in change.settings:
            _attribute, key = DNS_ATTRIBUTES[option]
            call(
                self._client_for(vpc_id).modify_vpc_attribute,
                f"set {key} of VPC {vpc_id} to {value}",
                VpcId=vpc_id,
                **{key: {"Value": value}},
            )
        return vpc_id

    def _converge_subnets(self, vpc_id: str, wait_for: bool, deadline: Deadline) -> None:
        pending = []
        for change in self.plan.subnets:
            if not change.create:
                continue
            after = change.after
            created = call(
                self._client_for(vpc_id).create_subnet,
                f"create subnet {after['name']} ({after['cidr_block']} in {after['availability_zone']})",
                VpcId=vpc_id,
                CidrBlock=after["cidr_block"],
                AvailabilityZone=after["availability_zone"],
                TagSpecifications=boto3_tag_specifications(after["tags"], types=["subnet"]),
            )["Subnet"]
            after["id"] = created["SubnetId"]
            self._fresh.add(created["SubnetId"])
            pending.append(created["SubnetId"])
        # Read back until EC2 answers for them and they are available: the tasks after this one (NAT gateways, mount
        # targets, the VPN) name them in calls that do not retry a subnet EC2 does not know yet.
        if wait_for and pending:
            self._wait("SubnetsAvailable", f"subnet(s) {', '.join(pending)} to be available", deadline,
                       SubnetIds=pending)
        for change in self.plan.subnets:
            subnet_id = change.after["id"]
            for option, value in change.settings:
                call(
                    self._client_for(subnet_id).modify_subnet_attribute,
                    f"set {option} of subnet {change.after['name']} ({subnet_id}) to {value}",
                    SubnetId=subnet_id,
                    MapPublicIpOnLaunch={"Value": value},
                )

    def _create_gateway(self) -> None:
        change = self.plan.gateway
        if change.create:
            created = call(
                self.ec2.create_internet_gateway,
                f"create internet gateway {change.after['tags'][NAME_TAG]}",
                TagSpecifications=boto3_tag_specifications(change.after["tags"], types=["internet-gateway"]),
            )["InternetGateway"]
            change.after["id"] = created["InternetGatewayId"]
            self._fresh.add(created["InternetGatewayId"])

    def _attach_gateway(self, vpc_id: str, wait_for: bool, deadline: Deadline) -> None:
        change = self.plan.gateway
        gateway_id = change.after["id"]
        if change.settings:
            call(
                self._client_for(gateway_id, vpc_id).attach_internet_gateway,
                f"attach internet gateway {gateway_id} to VPC {vpc_id}",
                InternetGatewayId=gateway_id,
                VpcId=vpc_id,
            )
            if wait_for:
                self._wait("InternetGatewayAttached", f"internet gateway {gateway_id} to be attached to {vpc_id}",
                           deadline, InternetGatewayIds=[gateway_id])

    def _converge_tags(self) -> None:
        """The tags of the resources that existed: one call per set of tags to set or keys to remove."""
        existing = [c for c in self.plan.changes() if not c.create]
        to_set, to_unset = tag_batches([(c.after["id"], c.tags_set, c.tags_unset) for c in existing])
        for keys, ids in to_unset.items():
            call(
                self._client_for(*ids).delete_tags,
                f"remove tags {', '.join(keys)} from {', '.join(ids)}",
                Resources=ids,
                Tags=[{"Key": key} for key in keys],
            )
        for pairs, ids in to_set.items():
            call(
                self._client_for(*ids).create_tags,
                f"tag {', '.join(ids)}",
                Resources=ids,
                Tags=ansible_dict_to_boto3_tag_list(dict(pairs)),
            )

    # -- results --

    def results(self) -> dict[str, Any]:
        return self.plan.results() if self.plan else {"vpc": {}, "subnets": [], "internet_gateway": {}}

    def diff(self) -> dict[str, Any]:
        return self.plan.diff() if self.plan else {"before": {}, "after": {}}
