# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters that plan and check the network layer, so the role's tasks carry no address arithmetic.

Subnet layout: the VPC is split into 16 equal blocks (4 more prefix bits). AZ number i (0-based) gets
block i for its public subnet and block 8 + i for its private one, so adding an AZ never moves the
subnets of the others. A /16 gives /20 subnets, a /24 gives /28 (AWS's smallest subnet).
"""

from __future__ import annotations

import ipaddress
from itertools import combinations

from ansible.errors import AnsibleFilterError

from ansible_collections.cloudops.fargate.plugins.module_utils._security_groups import wanted_rules


_LAYOUT_BITS = 4
_PRIVATE_OFFSET = 8
_SMALLEST_SUBNET_PREFIX = 28


def _network(value, what: str) -> ipaddress.IPv4Network:
    try:
        return ipaddress.IPv4Network(str(value), strict=True)
    except (ipaddress.AddressValueError, ipaddress.NetmaskValueError, ValueError) as e:
        raise AnsibleFilterError(f"{what} {value!r} is not an IPv4 CIDR block: {e}") from e


def subnet_layout(vpc_cidr, availability_zones, public_cidrs=None, private_cidrs=None):
    """One entry per AZ: ``{az, suffix, index, public_cidr, private_cidr}``.

    Explicit CIDR lists, when given, are used as they are (one per AZ, in AZ order); otherwise the
    CIDRs are derived from ``vpc_cidr`` as described above.
    """
    vpc = _network(vpc_cidr, "VPC CIDR")
    zones = list(availability_zones)
    if len(zones) > _PRIVATE_OFFSET:
        raise AnsibleFilterError(f"at most {_PRIVATE_OFFSET} availability zones fit the subnet layout")
    if vpc.prefixlen + _LAYOUT_BITS > _SMALLEST_SUBNET_PREFIX:
        raise AnsibleFilterError(
            f"VPC CIDR {vpc_cidr} is too small for the subnet layout: it is cut into /{vpc.prefixlen + _LAYOUT_BITS}"
            f" subnets, and AWS's smallest subnet is a /{_SMALLEST_SUBNET_PREFIX}"
        )
    for option, given in (("public", public_cidrs), ("private", private_cidrs)):
        if given and len(given) < len(zones):
            raise AnsibleFilterError(
                f"{len(given)} explicit {option} subnet block(s) for {len(zones)} availability zones: give one per zone"
            )
    blocks = list(vpc.subnets(prefixlen_diff=_LAYOUT_BITS))
    layout = []
    for index, zone in enumerate(zones):
        public = public_cidrs[index] if public_cidrs else str(blocks[index])
        private = private_cidrs[index] if private_cidrs else str(blocks[_PRIVATE_OFFSET + index])
        layout.append(
            {
                "az": zone,
                "suffix": zone[-1:] if zone[-1:].isalpha() else str(index),
                "index": index,
                "public_cidr": public,
                "private_cidr": private,
            }
        )
    return layout


def subnet_plan(layout, prefix):
    """The subnets of a ``subnet_layout``, public ones first: ``{name, tier, az, suffix, cidr}`` each."""
    return [
        {
            "name": f"{prefix}-{tier}-{entry['suffix']}",
            "tier": tier,
            "az": entry["az"],
            "suffix": entry["suffix"],
            "cidr": entry[f"{tier}_cidr"],
        }
        for tier in ("public", "private")
        for entry in layout
    ]


def vpc_subnets(plan):
    """A ``subnet_plan`` as the subnets option of cloudops.fargate.vpc: ``{name, cidr, az, tags: {Tier}}`` each."""
    return [
        {"name": entry["name"], "cidr": entry["cidr"], "az": entry["az"], "tags": {"Tier": entry["tier"]}}
        for entry in plan
    ]


def private_route_tables(layout, prefix, private_subnet_ids, nat_gateway_ids, nat_mode):
    """The private subnets' route tables as the route_tables option of cloudops.fargate.route_tables, in zone order:
    each zone's table routes its subnet through that zone's NAT gateway (``per_az``) or the first zone's
    (``single``). A zone without its subnet or its gateway (in check mode, not created yet) has none."""
    tables = []
    for index, entry in enumerate(layout):
        subnet_id = private_subnet_ids[index] if index < len(private_subnet_ids) else ""
        nat_index = index if nat_mode == "per_az" else 0
        nat_gateway_id = nat_gateway_ids[nat_index] if nat_index < len(nat_gateway_ids) else ""
        if not subnet_id or not nat_gateway_id:
            continue
        tables.append(
            {
                "name": f"{prefix}-private-{entry['suffix']}",
                "subnets": [subnet_id],
                "routes": [{"dest": "0.0.0.0/0", "nat_gateway_id": nat_gateway_id}],
            }
        )
    return tables


def cidr_prefix(value):
    """The prefix length of an IPv4 CIDR block."""
    return _network(value, "CIDR").prefixlen


def overlapping_cidrs(values):
    """The pairs of CIDR blocks in ``values`` that overlap, as ``"a overlaps b"`` strings."""
    networks = [(str(v), _network(v, "CIDR")) for v in values]
    return [f"{a} overlaps {b}" for (a, na), (b, nb) in combinations(networks, 2) if na.overlaps(nb)]


def by_name_tag(resources, tags_key="tags"):
    """Resources (as returned by amazon.aws *_info modules) keyed by their Name tag; unnamed ones are left out."""
    result = {}
    for resource in resources or []:
        name = (resource.get(tags_key) or {}).get("Name")
        if name:
            result[name] = resource
    return result


def security_group_rule_errors(rules, where, group_keys=()):
    """What is wrong with ``rules`` in the rule form cloudops.fargate.security_groups takes, each error naming
    ``where`` and the rule's index; empty when nothing is. ``group_keys`` are the keys a rule's ``group`` may name."""
    if not isinstance(rules, list):
        return [f"{where} must be a list of rules"]
    return wanted_rules(rules, where, frozenset(group_keys))[1]


class FilterModule:
    def filters(self):
        return {
            "subnet_layout": subnet_layout,
            "subnet_plan": subnet_plan,
            "vpc_subnets": vpc_subnets,
            "private_route_tables": private_route_tables,
            "cidr_prefix": cidr_prefix,
            "overlapping_cidrs": overlapping_cidrs,
            "by_name_tag": by_name_tag,
            "security_group_rule_errors": security_group_rule_errors,
        }
