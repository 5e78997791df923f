# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Manager behind cloudops.fargate.security_groups: every security group of one stack in a VPC, in one run.

Rules are in amazon.aws.ec2_security_group's rule form (``proto``, ``ports``, ``cidr_ip`` ...) plus ``group``, the key
of another group of the same run. Both sides are normalised into permissions, ``Permission(protocol, from_port,
to_port, kind, target)``, each with its description, so that the wanted rules and the rules AWS lists compare as
sets: authorize what is missing, revoke what is extra, update the descriptions that differ.

Calls: one DescribeSecurityGroups (filtered on the VPC, paginated; rules and tags come inline) reads everything. A
run that creates groups asks DescribeVpcs once whether the VPC has an IPv6 block, because AWS gives a new group an
allow-all IPv6 egress rule then, beside the allow-all IPv4 one, and both must be revoked unless declared. Groups are
created (tags in the create call) before any rule is set, because rules refer to one another; rules of one group and
direction go in one call per kind of change, permissions of the same protocol and ports in one IpPermission. A run
that changed something reads the groups back with one more DescribeSecurityGroups.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Optional

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_specifications

from ansible_collections.cloudops.fargate.plugins.module_utils._common import AWSActionError
from ansible_collections.cloudops.fargate.plugins.module_utils._common import BaseResourceManager
from ansible_collections.cloudops.fargate.plugins.module_utils._common import InputError
from ansible_collections.cloudops.fargate.plugins.module_utils._common import call
from ansible_collections.cloudops.fargate.plugins.module_utils._common import merged_tags
from ansible_collections.cloudops.fargate.plugins.module_utils._common import paginate
from ansible_collections.cloudops.fargate.plugins.module_utils._common import tag_changes
from ansible_collections.cloudops.fargate.plugins.module_utils._common import tag_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._common import wanted_tags

INGRESS = "ingress"
EGRESS = "egress"
DIRECTIONS = (INGRESS, EGRESS)

# The key under which the diff shows the VPC's default group (empty_default_group); no group of ``groups`` may use it.
DEFAULT_GROUP_KEY = "(default)"
DEFAULT_GROUP_NAME = "default"

# EC2's eventual consistency: right after CreateSecurityGroup, calls naming the new group (or a rule referring to it)
# may answer InvalidGroup.NotFound for a while. terraform-provider-aws retries those calls (internal/service/ec2
# tags.go ``createTags`` retries ".NotFound" codes for 5 minutes; vpc_security_group.go waits for the new group
# before revoking its default egress); so do the calls on a group this run created, with jittered backoff.
NEW_GROUP_ERROR_CODES = ["InvalidGroup.NotFound"]

PORTED = frozenset({"tcp", "udp"})
ICMP = frozenset({"icmp", "icmpv6"})
ALL = "-1"
PROTOCOLS = {
    "tcp": "tcp",
    "6": "tcp",
    "udp": "udp",
    "17": "udp",
    "icmp": "icmp",
    "1": "icmp",
    "icmpv6": "icmpv6",
    "58": "icmpv6",
    "all": ALL,
    "-1": ALL,
}

# rule key -> (IpPermission list, item key, snake-case list, snake-case item key)
TARGETS = {
    "cidr_ip": ("IpRanges", "CidrIp", "ip_ranges", "cidr_ip"),
    "cidr_ipv6": ("Ipv6Ranges", "CidrIpv6", "ipv6_ranges", "cidr_ipv6"),
    "ip_prefix": ("PrefixListIds", "PrefixListId", "prefix_list_ids", "prefix_list_id"),
    "group_id": ("UserIdGroupPairs", "GroupId", "user_id_group_pairs", "group_id"),
}
GROUP = "group"  # a target that is the key of a group of ``groups``, until its ID is known
TARGET_KEYS = (*TARGETS, GROUP)
PORT_KEYS = ("ports", "from_port", "to_port", "icmp_type", "icmp_code")
RULE_KEYS = frozenset({"proto", "rule_desc", *PORT_KEYS, *TARGET_KEYS})
NOT_SUPPORTED = {
    "group_name": "use group (the key of a group of this module) or group_id",
    "group_desc": "a group is created only from an entry of groups, not from a rule",
}
DESCRIPTION_MAX_LENGTH = 255


class RuleError(ValueError):
    """A rule that cannot be normalised; the caller adds where it is."""


class Permission(NamedTuple):
    """One rule as AWS identifies it: the description is not part of it. ``from_port``/``to_port`` are None for
    protocols whose every port is allowed (all, and numbers other than tcp, udp, icmp, icmpv6)."""

    protocol: str
    from_port: int | None
    to_port: int | None
    kind: str  # cidr_ip, cidr_ipv6, ip_prefix, group_id, or group (a key not yet resolved to an ID)
    target: str


Rules = dict[Permission, Optional[str]]  # permission -> description


def sort_key(permission: Permission) -> tuple[Any, ...]:
    """Protocol, ports (none first), kind and target: a stable order for requests, the diff and the result."""
    from_port = -2 if permission.from_port is None else permission.from_port
    to_port = -2 if permission.to_port is None else permission.to_port
    return (permission.protocol, from_port, to_port, permission.kind, permission.target)


# --- normalising ---------------------------------------------------------------------------------------------


def normalize_protocol(value: Any) -> str:
    """tcp, udp, icmp, icmpv6, -1 (all), or another protocol number as a string; names and numbers of the same
    protocol are one ("6" is tcp, "all" is -1)."""
    if isinstance(value, bool) or value is None:
        raise RuleError(f"proto {value!r} is not a protocol")
    text = str(value).strip().lower()
    if text in PROTOCOLS:
        return PROTOCOLS[text]
    if text.isdigit() and 0 <= int(text) <= 255:
        return str(int(text))
    raise RuleError(f"proto {value!r} is not tcp, udp, icmp, icmpv6, all, -1 or a protocol number (0-255)")


def _integer(value: Any, what: str) -> int:
    if isinstance(value, bool):
        raise RuleError(f"{what} {value!r} is not a number")
    try:
        return int(str(value).strip())
    except ValueError:
        raise RuleError(f"{what} {value!r} is not a number") from None


def parse_port_range(value: Any) -> tuple[int, int]:
    """One entry of ``ports``: a port (80, "80") or a range ("8000-8100")."""
    if isinstance(value, bool):
        raise RuleError(f"port {value!r} is not a port or a 'from-to' range")
    if isinstance(value, int):
        return value, value
    text = str(value).strip()
    try:
        port = int(text)
        return port, port
    except ValueError:
        pass
    start, separator, end = text.partition("-")
    try:
        if not separator:
            raise ValueError(text)
        return int(start.strip()), int(end.strip())
    except ValueError:
        raise RuleError(f"port {value!r} is not a port or a 'from-to' range") from None


def _listed(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def port_ranges(rule: dict[str, Any], protocol: str) -> list[tuple[int | None, int | None]]:
    """The (from_port, to_port) pairs of a rule: one per entry of ``ports``, or from ``from_port``/``to_port``
    (``icmp_type``/``icmp_code`` for ICMP). AWS allows every port of the other protocols, whatever is given."""
    given = [key for key in PORT_KEYS if rule.get(key) is not None]
    if "ports" in given and len(given) > 1:
        raise RuleError("ports cannot go with from_port, to_port, icmp_type or icmp_code")
    icmp_keys = [key for key in ("icmp_type", "icmp_code") if key in given]
    if icmp_keys and protocol not in ICMP:
        raise RuleError("icmp_type and icmp_code are for proto icmp or icmpv6")
    if icmp_keys and any(key in given for key in ("from_port", "to_port")):
        raise RuleError("icmp_type and icmp_code cannot go with from_port and to_port")
    if protocol not in PORTED and protocol not in ICMP:
        return [(None, None)]

    if "ports" in given:
        ranges = [parse_port_range(entry) for entry in _listed(rule["ports"])]
        if not ranges:
            raise RuleError("ports is empty")
    elif icmp_keys:
        icmp_type = _integer(rule["icmp_type"], "icmp_type") if "icmp_type" in given else -1
        icmp_code = _integer(rule["icmp_code"], "icmp_code") if "icmp_code" in given else -1
        ranges = [(icmp_type, icmp_code)]
    elif "from_port" in given or "to_port" in given:
        if "from_port" not in given or "to_port" not in given:
            raise RuleError("from_port and to_port go together")
        ranges = [(_integer(rule["from_port"], "from_port"), _integer(rule["to_port"], "to_port"))]
    elif protocol in ICMP:
        ranges = [(-1, -1)]
    else:
        raise RuleError(f"proto {protocol} needs ports, or from_port and to_port")

    for start, end in ranges:
        if protocol in PORTED:
            if not (0 <= start <= 65535 and 0 <= end <= 65535) or start > end:
                raise RuleError(f"port range {start}-{end} is not 0-65535 with from_port <= to_port")
        elif not (-1 <= start <= 255 and -1 <= end <= 255) or (start == -1 and end != -1):
            raise RuleError(f"ICMP type {start} and code {end}: each -1 (any) or 0-255, and any type takes any code")
    return list(dict.fromkeys(ranges))


def normalize_cidr(value: Any, version: int, strict: bool = True) -> str:
    """A CIDR in its canonical text (``2001:DB8::/32`` is ``2001:db8::/32``); ``version`` 4 or 6."""
    text = str(value).strip()
    try:
        network = ipaddress.ip_network(text, strict=strict)
    except ValueError as e:
        raise RuleError(f"{text!r} is not a CIDR block: {e}") from None
    if network.version != version:
        option, other = ("cidr_ip", "cidr_ipv6") if version == 4 else ("cidr_ipv6", "cidr_ip")
        raise RuleError(f"{option} {text!r} is an IPv{network.version} block: give it as {other}")
    return str(network)


def _aws_cidr(value: str, version: int) -> str:
    """A CIDR as AWS lists it, in the same canonical text as the wanted ones (AWS's text when it does not parse)."""
    try:
        return normalize_cidr(value, version, strict=False)
    except RuleError:
        return value


def rule_targets(rule: dict[str, Any], keys: frozenset[str] | set[str]) -> list[tuple[str, str]]:
    """(kind, target) of every target of a rule: at least one; a kind's value is one string or a list of them."""
    targets = []
    for kind in TARGET_KEYS:
        for value in _listed(rule.get(kind)):
            if not isinstance(value, str) or not value.strip():
                raise RuleError(f"{kind} {value!r} is not a non-empty string")
            value = value.strip()
            if kind == "cidr_ip":
                value = normalize_cidr(value, 4)
            elif kind == "cidr_ipv6":
                value = normalize_cidr(value, 6)
            elif kind == "group_id" and not value.startswith("sg-"):
                raise RuleError(
                    f"group_id {value!r} is not a security group ID (sg-...); a group of this module is group: <key>"
                )
            elif kind == "ip_prefix" and not value.startswith("pl-"):
                raise RuleError(f"ip_prefix {value!r} is not a prefix list ID (pl-...)")
            elif kind == GROUP and value not in keys:
                raise RuleError(f"group {value!r} is not the key of any group (keys: {', '.join(sorted(keys))})")
            targets.append((kind, value))
    if not targets:
        raise RuleError(f"no target: give at least one of {', '.join(TARGET_KEYS)}")
    return list(dict.fromkeys(targets))


def rule_description(rule: dict[str, Any]) -> str | None:
    """``rule_desc``; an empty one is none (AWS lists no description either way)."""
    value = rule.get("rule_desc")
    if value is None or str(value) == "":
        return None
    if len(str(value)) > DESCRIPTION_MAX_LENGTH:
        raise RuleError(f"rule_desc is longer than {DESCRIPTION_MAX_LENGTH} characters")
    return str(value)


def rule_permissions(rule: Any, keys: frozenset[str] | set[str]) -> list[tuple[Permission, str | None]]:
    """The permissions of one rule in amazon.aws.ec2_security_group's form (plus ``group``), with its description."""
    if not isinstance(rule, dict):
        raise RuleError(f"a rule is a dict, not {type(rule).__name__}")
    unknown = sorted(str(key) for key in rule if key not in RULE_KEYS)
    if unknown:
        hints = "".join(f"; {key}: {NOT_SUPPORTED[key]}" for key in unknown if key in NOT_SUPPORTED)
        raise RuleError(f"unknown key(s) {', '.join(unknown)} (a rule takes {', '.join(sorted(RULE_KEYS))}){hints}")
    if rule.get("proto") is None:
        raise RuleError("proto is required")
    protocol = normalize_protocol(rule["proto"])
    ranges = port_ranges(rule, protocol)
    targets = rule_targets(rule, keys)
    description = rule_description(rule)
    return [
        (Permission(protocol, start, end, kind, target), description)
        for start, end in ranges
        for kind, target in targets
    ]


def wanted_rules(rules: list[Any] | None, where: str, keys: frozenset[str] | set[str]) -> tuple[Rules, list[str]]:
    """The permissions of a group's rules in one direction, and the errors found, each naming ``where`` (group and
    direction) and the rule's index. The same permission twice is one, unless their descriptions differ."""
    wanted: Rules = {}
    first_index: dict[Permission, int] = {}
    errors = []
    for index, rule in enumerate(rules or []):
        try:
            permissions = rule_permissions(rule, keys)
        except RuleError as e:
            errors.append(f"{where} rule {index}: {e}")
            continue
        for permission, description in permissions:
            if permission in wanted and wanted[permission] != description:
                errors.append(
                    f"{where} rule {index}: {display_rule(permission, description, {})} is also rule"
                    f" {first_index[permission]}, with the description {wanted[permission]!r}: AWS keeps one"
                )
                continue
            wanted.setdefault(permission, description)
            first_index.setdefault(permission, index)
    return wanted, errors


def _aws_ports(protocol: str, permission: dict[str, Any]) -> tuple[int | None, int | None]:
    if protocol in PORTED or protocol in ICMP:
        return int(permission.get("FromPort", -1)), int(permission.get("ToPort", -1))
    return None, None


def described_rules(ip_permissions: list[dict[str, Any]] | None) -> Rules:
    """DescribeSecurityGroups' IpPermissions (or IpPermissionsEgress) as permissions with their descriptions."""
    rules: Rules = {}
    for aws_permission in ip_permissions or []:
        try:
            protocol = normalize_protocol(aws_permission.get("IpProtocol"))
        except RuleError:
            protocol = str(aws_permission.get("IpProtocol"))
        start, end = _aws_ports(protocol, aws_permission)
        for kind, (list_key, item_key, _snake_list, _snake_item) in TARGETS.items():
            for item in aws_permission.get(list_key) or []:
                target = item.get(item_key)
                if not target:
                    continue  # a pair of another account's group by name only: not expressible here, left alone
                if kind == "cidr_ip":
                    target = _aws_cidr(target, 4)
                elif kind == "cidr_ipv6":
                    target = _aws_cidr(target, 6)
                rules[Permission(protocol, start, end, kind, target)] = item.get("Description") or None
    return rules


def resolved(rules: Rules, group_ids: dict[str, str | None]) -> Rules:
    """``rules`` with each ``group`` target replaced by the group's ID, when it has one (not yet in check mode)."""
    result: Rules = {}
    for permission, description in rules.items():
        if permission.kind == GROUP and group_ids.get(permission.target):
            permission = permission._replace(kind="group_id", target=group_ids[permission.target])
        if permission in result and result[permission] != description:
            raise InputError(
                f"{display_rule(permission, description, {})} is declared twice, with the descriptions"
                f" {result[permission]!r} and {description!r} (once by group, once by group_id): AWS keeps one"
            )
        result[permission] = description
    return result


# --- comparing -------------------------------------------------------------------------------------------------


class RuleChanges(NamedTuple):
    """What brings one group's rules of one direction from ``current`` to ``wanted``."""

    authorize: Rules  # missing, with the wanted descriptions
    revoke: Rules  # extra, with their current descriptions
    describe: Rules  # present with another description, with the wanted one (None removes it)

    def __bool__(self) -> bool:
        return bool(self.authorize or self.revoke or self.describe)


def rule_changes(current: Rules, wanted: Rules) -> RuleChanges:
    return RuleChanges(
        authorize={p: d for p, d in wanted.items() if p not in current},
        revoke={p: d for p, d in current.items() if p not in wanted},
        describe={p: d for p, d in wanted.items() if p in current and current[p] != d},
    )


def api_permissions(rules: Rules) -> list[dict[str, Any]]:
    """IpPermissions for Authorize/Revoke/UpdateSecurityGroupRuleDescriptions*: one per protocol and port range,
    holding all its targets. A description left out of an update removes it (EC2 API reference); protocols whose
    every port is allowed other than -1 get -1/-1, which AWS ignores."""
    grouped: dict[tuple[str, int | None, int | None], dict[str, Any]] = {}
    for permission in sorted(rules, key=sort_key):
        if permission.kind not in TARGETS:
            raise ValueError(f"unresolved group {permission.target!r} in {permission}")
        key = (permission.protocol, permission.from_port, permission.to_port)
        if key not in grouped:
            entry: dict[str, Any] = {"IpProtocol": permission.protocol}
            if permission.protocol != ALL:
                entry["FromPort"] = -1 if permission.from_port is None else permission.from_port
                entry["ToPort"] = -1 if permission.to_port is None else permission.to_port
            grouped[key] = entry
        list_key, item_key, _snake_list, _snake_item = TARGETS[permission.kind]
        item = {item_key: permission.target}
        if rules[permission]:
            item["Description"] = rules[permission]
        grouped[key].setdefault(list_key, []).append(item)
    return list(grouped.values())


def display_rule(permission: Permission, description: str | None, keys_by_id: dict[str, str]) -> dict[str, Any]:
    """One permission in the module's rule form, a group of this module by its key: for the diff and messages."""
    entry: dict[str, Any] = {"proto": permission.protocol}
    if permission.from_port is not None:
        entry["from_port"] = permission.from_port
        entry["to_port"] = permission.to_port
    if permission.kind == "group_id" and permission.target in keys_by_id:
        entry[GROUP] = keys_by_id[permission.target]
    else:
        entry[permission.kind] = permission.target
    if description:
        entry["rule_desc"] = description
    return entry


def display_rules(rules: Rules, keys_by_id: dict[str, str]) -> list[dict[str, Any]]:
    """``rules`` in the module's rule form, one target each, sorted."""
    return [display_rule(p, rules[p], keys_by_id) for p in sorted(rules, key=lambda p: _display_key(p, keys_by_id))]


def _display_key(permission: Permission, keys_by_id: dict[str, str]) -> tuple[Any, ...]:
    if permission.kind == "group_id" and permission.target in keys_by_id:
        permission = permission._replace(kind=GROUP, target=keys_by_id[permission.target])
    return sort_key(permission)


def result_permissions(rules: Rules, keys_by_id: dict[str, str]) -> list[dict[str, Any]]:
    """``rules`` in the snake_case shape of amazon.aws.ec2_security_group_info's ip_permissions, sorted; a pair of a
    group of this module also names its key (``group``), and a group still to create has ``group_id: null``."""
    grouped: dict[tuple[str, int | None, int | None], dict[str, Any]] = {}
    for permission in sorted(rules, key=lambda p: _display_key(p, keys_by_id)):
        key = (permission.protocol, permission.from_port, permission.to_port)
        if key not in grouped:
            entry: dict[str, Any] = {"ip_protocol": permission.protocol}
            if permission.from_port is not None:
                entry["from_port"] = permission.from_port
                entry["to_port"] = permission.to_port
            entry.update(ip_ranges=[], ipv6_ranges=[], prefix_list_ids=[], user_id_group_pairs=[])
            grouped[key] = entry
        if permission.kind == GROUP:
            item: dict[str, Any] = {"group_id": None, GROUP: permission.target}
            snake_list = "user_id_group_pairs"
        else:
            _list_key, _item_key, snake_list, snake_item = TARGETS[permission.kind]
            item = {snake_item: permission.target}
            if permission.kind == "group_id" and permission.target in keys_by_id:
                item[GROUP] = keys_by_id[permission.target]
        if rules[permission]:
            item["description"] = rules[permission]
        grouped[key][snake_list].append(item)
    return [grouped[key] for key in sorted(grouped, key=lambda k: sort_key(Permission(*k, "", "")))]


# --- input ---------------------------------------------------------------------------------------------------


@dataclass
class GroupSpec:
    """One group of ``groups``, normalised: its tags merged over the module's, its rules as permissions (a ``group``
    target still a key)."""

    key: str
    name: str
    description: str
    tags: dict[str, str]
    rules: dict[str, Rules] = field(default_factory=dict)  # direction -> rules


def wanted_groups(
    groups: list[dict[str, Any]], tags: dict[str, Any] | None, empty_default_group: bool
) -> list[GroupSpec]:
    """``groups`` normalised; every problem of the input at once, as an ``InputError``, before any call."""
    errors = []
    keys = [str(group["key"]) for group in groups]
    key_set = frozenset(keys)
    for duplicate in sorted({key for key in keys if keys.count(key) > 1}):
        errors.append(f"groups: the key {duplicate!r} is used more than once")
    names = [str(group["name"]) for group in groups]
    for duplicate in sorted({name for name in names if names.count(name) > 1}):
        errors.append(f"groups: the name {duplicate!r} is used more than once (a name is unique in a VPC)")
    if DEFAULT_GROUP_KEY in key_set:
        errors.append(f"groups: the key {DEFAULT_GROUP_KEY!r} is reserved for the VPC's default group")
    errors.extend(tag_errors(tags, "tags"))
    specs = []
    for group in groups:
        key = str(group["key"])
        if empty_default_group and group["name"] == DEFAULT_GROUP_NAME:
            errors.append(f"group {key!r} names the default group, which empty_default_group empties: keep one of them")
        if not str(group["description"]).strip():
            errors.append(f"group {key!r}: the description is required by AWS and cannot be empty")
        errors.extend(tag_errors(group.get("tags"), f"group {key!r} tags"))
        spec = GroupSpec(
            key=key,
            name=str(group["name"]),
            description=str(group["description"]),
            tags=wanted_tags({**(tags or {}), **(group.get("tags") or {})}) or {},
        )
        for direction in DIRECTIONS:
            where = f"group {key!r} {direction}"
            spec.rules[direction], rule_errors = wanted_rules(group.get(direction), where, key_set)
            errors.extend(rule_errors)
        specs.append(spec)
    if errors:
        raise InputError.of(errors)
    return specs


# --- the manager -----------------------------------------------------------------------------------------------


@dataclass
class _Group:
    """The run's view of one group: what AWS has (or will have once created) and what is wanted."""

    spec: GroupSpec
    group_id: str | None = None
    current: dict[str, Rules] = field(default_factory=dict)
    current_tags: dict[str, str] = field(default_factory=dict)
    exists: bool = False
    fresh: bool = False  # created (or found created meanwhile) by this run: EC2 may not know it everywhere yet
    manage_tags: bool = True


class SecurityGroupsManager(BaseResourceManager):
    """All the groups of ``groups`` in ``vpc_id`` and, with ``empty_default_group``, the VPC's default group."""

    def __init__(self, module, vpc_id: str) -> None:
        super().__init__(module)
        self.ec2 = self.client("ec2")
        self._new_group_client = None
        self.vpc_id = vpc_id
        self.group_ids: dict[str, str | None] = {}
        self.security_groups: list[dict[str, Any]] = []
        self._before: dict[str, Any] = {}
        self._after: dict[str, Any] = {}

    # -- reading --

    def _listed(self, **filters: str) -> list[dict[str, Any]]:
        """The VPC's groups (with rules and tags), in one paginated DescribeSecurityGroups."""
        aws_filters = [{"Name": "vpc-id", "Values": [self.vpc_id]}]
        aws_filters += [{"Name": name, "Values": [value]} for name, value in filters.items()]
        return paginate(
            self.ec2.describe_security_groups,
            f"describe the security groups of {self.vpc_id}",
            "SecurityGroups",
            Filters=aws_filters,
        )

    def _vpc_has_ipv6(self) -> bool:
        """Whether AWS gives a new group of the VPC an allow-all IPv6 egress rule too (the VPC has an IPv6 block)."""
        vpcs = call(self.ec2.describe_vpcs, f"describe VPC {self.vpc_id}", VpcIds=[self.vpc_id]).get("Vpcs") or []
        associations = (vpcs[0].get("Ipv6CidrBlockAssociationSet") or []) if vpcs else []
        states = {(a.get("Ipv6CidrBlockState") or {}).get("State") for a in associations}
        return bool(states & {"associated", "associating"})

    def _new_group_ec2(self):
        """A client whose calls also retry InvalidGroup.NotFound, for the calls about groups this run created."""
        if self._new_group_client is None:
            self._new_group_client = self.client(
                "ec2", retry_decorator=AWSRetry.jittered_backoff(catch_extra_error_codes=NEW_GROUP_ERROR_CODES)
            )
        return self._new_group_client

    @staticmethod
    def _adopt(group: _Group, aws_group: dict[str, Any]) -> None:
        group.group_id = aws_group["GroupId"]
        group.exists = True
        group.current = {
            INGRESS: described_rules(aws_group.get("IpPermissions")),
            EGRESS: described_rules(aws_group.get("IpPermissionsEgress")),
        }
        group.current_tags = boto3_tag_list_to_ansible_dict(aws_group.get("Tags") or [])

    def _default_group(self, listed: dict[str, dict[str, Any]]) -> _Group | None:
        aws_group = listed.get(DEFAULT_GROUP_NAME)
        if aws_group is None:
            return None
        description = aws_group.get("Description", "")
        default = _Group(GroupSpec(DEFAULT_GROUP_KEY, DEFAULT_GROUP_NAME, description, {}, {INGRESS: {}, EGRESS: {}}))
        default.manage_tags = False
        self._adopt(default, aws_group)
        return default

    # -- converging --

    def converge(self, specs: list[GroupSpec], purge_tags: bool, empty_default_group: bool) -> None:
        """Read, plan (the diff and ``changed``), and outside check mode: create the missing groups, then give every
        group its rules and tags, then read them back."""
        listed = {g["GroupName"]: g for g in self._listed()}
        groups = [_Group(spec) for spec in specs]
        mismatched = []
        for group in groups:
            aws_group = listed.get(group.spec.name)
            if aws_group is not None:
                if aws_group.get("Description") != group.spec.description:
                    mismatched.append(_description_error(group.spec, aws_group))
                self._adopt(group, aws_group)
        if mismatched:
            raise InputError.of(mismatched)
        default = self._default_group(listed) if empty_default_group else None

        self._plan(groups, default, purge_tags)
        if self.check_mode or not self.changed:
            keys_by_id = _keys_by_id(groups)
            self.security_groups = [self._predicted(group, purge_tags, keys_by_id) for group in groups]
            return

        missing = [group for group in groups if not group.exists]
        if missing:
            default_egress: Rules = {Permission(ALL, None, None, "cidr_ip", "0.0.0.0/0"): None}
            if self._vpc_has_ipv6():
                default_egress[Permission(ALL, None, None, "cidr_ipv6", "::/0")] = None
            for group in missing:  # all of them first: the rules of the others may refer to them
                self._create(group, default_egress)
            self.group_ids = {g.spec.key: g.group_id for g in groups}
        fresh_ids = {g.group_id for g in groups if g.fresh}
        for group in groups + ([default] if default is not None else []):
            self._converge_rules(group, fresh_ids)
        self._converge_tags([g for g in groups if g.manage_tags], purge_tags, fresh_ids)
        self._read_back(groups, purge_tags)

    def _plan(self, groups: list[_Group], default: _Group | None, purge_tags: bool) -> None:
        """Records the diff of every group that changes and whether anything does, the same in check mode and for
        real: a rule that refers to a group still to create shows its key."""
        self.group_ids = {g.spec.key: g.group_id for g in groups}
        keys_by_id = _keys_by_id(groups)
        for group in groups + ([default] if default is not None else []):
            spec = group.spec
            wanted = {d: resolved(spec.rules[d], self.group_ids) for d in DIRECTIONS}
            if not group.exists:
                self._after[spec.key] = _document(spec, spec.tags, wanted, keys_by_id)
                self.changed = True
                continue
            after_tags = group.current_tags
            if group.manage_tags:
                after_tags = merged_tags(group.current_tags, spec.tags, purge_tags)
            if after_tags != group.current_tags or any(rule_changes(group.current[d], wanted[d]) for d in DIRECTIONS):
                self._before[spec.key] = _document(spec, group.current_tags, group.current, keys_by_id)
                self._after[spec.key] = _document(spec, after_tags, wanted, keys_by_id)
                self.changed = True

    def _create(self, group: _Group, default_egress: Rules) -> None:
        spec = group.spec
        request: dict[str, Any] = {"GroupName": spec.name, "Description": spec.description, "VpcId": self.vpc_id}
        if spec.tags:
            request["TagSpecifications"] = boto3_tag_specifications(spec.tags, types=["security-group"])
        created = call(
            self.ec2.create_security_group,
            f"create security group {spec.key} ({spec.name})",
            answers={"InvalidGroup.Duplicate": None},
            **request,
        )
        group.fresh = True
        if created is not None:
            group.group_id = created["GroupId"]
            group.exists = True
            group.current = {INGRESS: {}, EGRESS: dict(default_egress)}
            group.current_tags = dict(spec.tags)
            return
        # Created meanwhile (another run, or an earlier one interrupted after the create): converge that one. AWS
        # takes no idempotency token for CreateSecurityGroup; the name is the identity.
        found = self._listed(**{"group-name": spec.name})
        if not found:
            raise AWSActionError(
                f"Failed to create security group {spec.key} ({spec.name}): AWS says it exists in {self.vpc_id},"
                " but does not list it yet; run again"
            )
        if found[0].get("Description") != spec.description:
            raise AWSActionError(_description_error(spec, found[0]))
        self._adopt(group, found[0])

    def _converge_rules(self, group: _Group, fresh_ids: set[str]) -> None:
        """At most one authorize, one description update and one revoke call per direction."""
        spec = group.spec
        what = f"security group {spec.key} ({group.group_id})"
        for direction in DIRECTIONS:
            wanted = resolved(spec.rules[direction], self.group_ids)
            changes = rule_changes(group.current[direction], wanted)
            if not changes:
                continue
            touched = (*changes.authorize, *changes.revoke, *changes.describe)
            referred = {p.target for p in touched if p.kind == "group_id"}
            client = self._new_group_ec2() if group.fresh or referred & fresh_ids else self.ec2
            # Authorize before revoking: a rule that changes (a port, a target) is never missing in between. Revoked
            # rules go with their current descriptions: the rules exactly as AWS lists them.
            steps = (
                (changes.authorize, f"authorize_security_group_{direction}", "authorize {} rules"),
                (changes.describe, f"update_security_group_rule_descriptions_{direction}", "update {} rule descriptions"),
                (changes.revoke, f"revoke_security_group_{direction}", "revoke {} rules"),
            )
            for rules, operation, action in steps:
                if rules:
                    call(
                        getattr(client, operation),
                        f"{action.format(direction)} of {what}",
                        GroupId=group.group_id,
                        IpPermissions=api_permissions(rules),
                    )
            group.current[direction] = wanted

    def _converge_tags(self, groups: list[_Group], purge_tags: bool, fresh_ids: set[str]) -> None:
        """The tags of every group: one CreateTags per set of tags to set and one DeleteTags per set of keys to
        remove, for all the groups that share it."""
        to_set: dict[tuple[tuple[str, str], ...], list[str]] = {}
        to_unset: dict[tuple[str, ...], list[str]] = {}
        for group in groups:
            setting, unsetting = tag_changes(group.current_tags, group.spec.tags, purge_tags)
            if setting:
                to_set.setdefault(tuple(sorted(setting.items())), []).append(group.group_id)
            if unsetting:
                to_unset.setdefault(tuple(sorted(unsetting)), []).append(group.group_id)
            group.current_tags = merged_tags(group.current_tags, group.spec.tags, purge_tags)
        keys = {g.group_id: g.spec.key for g in groups}
        for tag_keys, ids in to_unset.items():
            client = self._new_group_ec2() if set(ids) & fresh_ids else self.ec2
            call(
                client.delete_tags,
                f"remove tags from security group(s) {', '.join(keys[i] for i in ids)}",
                Resources=ids,
                Tags=[{"Key": key} for key in tag_keys],
            )
        for pairs, ids in to_set.items():
            client = self._new_group_ec2() if set(ids) & fresh_ids else self.ec2
            call(
                client.create_tags,
                f"tag security group(s) {', '.join(keys[i] for i in ids)}",
                Resources=ids,
                Tags=ansible_dict_to_boto3_tag_list(dict(pairs)),
            )

    def _read_back(self, groups: list[_Group], purge_tags: bool) -> None:
        """The groups as AWS lists them after the changes; one AWS does not list yet is returned as predicted."""
        listed = {g["GroupId"]: g for g in self._listed()}
        keys_by_id = _keys_by_id(groups)
        self.security_groups = []
        for group in groups:
            aws_group = listed.get(group.group_id)
            if aws_group is None:
                self.security_groups.append(self._predicted(group, purge_tags, keys_by_id))
                continue
            rules = {
                INGRESS: described_rules(aws_group.get("IpPermissions")),
                EGRESS: described_rules(aws_group.get("IpPermissionsEgress")),
            }
            tags = boto3_tag_list_to_ansible_dict(aws_group.get("Tags") or [])
            self.security_groups.append(
                _result(aws_group["GroupId"], aws_group["GroupName"], aws_group.get("Description"), self.vpc_id, tags,
                        rules, keys_by_id)
            )

    def _predicted(self, group: _Group, purge_tags: bool, keys_by_id: dict[str, str]) -> dict[str, Any]:
        spec = group.spec
        tags = merged_tags(group.current_tags, spec.tags, purge_tags) if group.exists else spec.tags
        rules = {d: resolved(spec.rules[d], self.group_ids) for d in DIRECTIONS}
        return _result(group.group_id, spec.name, spec.description, self.vpc_id, tags, rules, keys_by_id)

    def diff(self) -> dict[str, Any]:
        return {"before": self._before, "after": self._after}


def _keys_by_id(groups: list[_Group]) -> dict[str, str]:
    return {g.group_id: g.spec.key for g in groups if g.group_id}


def _description_error(spec: GroupSpec, aws_group: dict[str, Any]) -> str:
    return (
        f"group {spec.key!r}: security group {aws_group.get('GroupId')} ({spec.name}) has the description"
        f" {aws_group.get('Description')!r}, not {spec.description!r}; AWS cannot change a group's description:"
        " keep it, or delete the group (or rename it) to have it created again"
    )


def _document(
    spec: GroupSpec, tags: dict[str, str], rules: dict[str, Rules], keys_by_id: dict[str, str]
) -> dict[str, Any]:
    """One group as the diff shows it: its rules in the module's form, a group of this module by its key."""
    return {
        "name": spec.name,
        "description": spec.description,
        "tags": dict(sorted(tags.items())),
        INGRESS: display_rules(rules[INGRESS], keys_by_id),
        EGRESS: display_rules(rules[EGRESS], keys_by_id),
    }


def _result(group_id: str | None, name: str, description: str | None, vpc_id: str, tags: dict[str, str],
            rules: dict[str, Rules], keys_by_id: dict[str, str]) -> dict[str, Any]:
    """One entry of ``security_groups``."""
    return {
        "group_id": group_id,
        "group_name": name,
        "description": description,
        "vpc_id": vpc_id,
        "tags": tags,
        "ip_permissions": result_permissions(rules[INGRESS], keys_by_id),
        "ip_permissions_egress": result_permissions(rules[EGRESS], keys_by_id),
    }
