# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Manager behind cloudops.fargate.route_tables: the route tables of a VPC, their routes and subnet associations, in one
run.

Identity: a table of ``route_tables`` is the table of the VPC whose ``Name`` tag is its ``name``. That is how the
network role found its tables with amazon.aws.ec2_vpc_route_table (``lookup: tag`` with the stack's tags and ``Name``),
so existing stacks converge without duplicates; two tables of the VPC carrying a name of ``route_tables`` fail the run,
naming them.

Calls: one DescribeRouteTables filtered on ``vpc-id`` (paginated; routes, associations and tags come inline) reads
every table of the VPC, which is all a run that changes nothing does, however many tables it is given. Then, only for
what differs: CreateRouteTable (tags in the call, a ClientToken derived from the VPC and the name, so that an
interrupted run re-run is answered with the table it created instead of a second one); CreateTags / DeleteTags, one
call per set of tags shared by several tables; per table ReplaceRoute, CreateRoute and DeleteRoute; then the
associations: ReplaceRouteTableAssociation for a subnet associated with another table of the VPC (it moves without a
moment of no association), AssociateRouteTable for a subnet on the main table's implicit association, and
DisassociateRouteTable for the subnets no longer listed. Routes go before associations, so a subnet never arrives on a
table that lacks its routes. No sleep, no read back.

Races: a CreateRoute answered ``RouteAlreadyExists`` (a route made meanwhile, or by the earlier run whose table AWS
answered the ClientToken with) becomes a ReplaceRoute. A CreateRouteTable answered ``IdempotentParameterMismatch``
(the earlier run sent other tags with the same token) converges the table that run made, read again. A table deleted by
hand and wanted again soon after in the same VPC may be answered with the deleted table for the same token (AWS keeps
tokens for a while); the calls on it then fail with ``InvalidRouteTableID.NotFound`` after NEW_RESOURCE_TIMEOUT.

Routes: the routes a table may be given are IPv4 CIDR destinations to ``gateway_id`` (an internet or virtual private
gateway) or ``nat_gateway_id``. As amazon.aws.ec2_vpc_route_table decides (``ensure_routes``), only routes with
``Origin: CreateRoute`` and a ``DestinationCidrBlock`` are ever replaced or purged: the local route (``Origin:
CreateRouteTable``), propagated routes (``EnableVgwRoutePropagation``), IPv6 routes and prefix-list routes (a gateway
VPC endpoint's, ``GatewayId: vpce-...``, which belong to the endpoint) are left alone; a route wanted to the VPC's
own CIDR (the local route's) fails the run before any change. A route whose target is the wanted one but whose state
is ``blackhole`` is replaced with that target: blackhole means AWS no longer delivers through it (the NAT gateway was
deleted, the internet gateway detached), and reporting it as converged would hide an outage. ReplaceRoute then either
revives the route (the target is usable again) or fails with AWS's reason, naming the route, which is the truth the
run should report; it is not retried as a new gateway would be, because the route proves AWS knew that target.

Eventual consistency (https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html): a resource just
created may be unknown to the next calls for a while. The calls naming a table this run created retry
``InvalidRouteTableID.NotFound`` for NEW_RESOURCE_TIMEOUT seconds, as terraform-provider-aws does
(internal/service/ec2: ``vpc_route_table.go`` waits for the new table, ``WaitRouteTableReady``, before adding its
routes; ``vpc_route_table_association.go`` retries AssociateRouteTable on ``InvalidRouteTableID.NotFound`` for
``routeTableAssociationPropagationTimeout``, 5 minutes). CreateRoute and ReplaceRoute to a target no route of the VPC
uses yet (a gateway created just before this run) retry ``InvalidNatGatewayID.NotFound`` and
``InvalidGatewayID.NotFound`` (moto answers ``InvalidInternetGatewayID.NotFound``) the same way, following the AWS page
above; terraform-provider-aws's ``vpc_route.go`` retries CreateRoute on the transit gateway's counterpart,
``InvalidTransitGatewayID.NotFound``. Throttling is retried by every call (``aws_retry=True``) through the client of
``BaseResourceManager.client``, as in the collection's other modules.
"""

from __future__ import annotations

import ipaddress
import time
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_specifications

from ansible_collections.cloudops.fargate.plugins.module_utils._common import AWSActionError
from ansible_collections.cloudops.fargate.plugins.module_utils._common import BaseResourceManager
from ansible_collections.cloudops.fargate.plugins.module_utils._common import InputError
from ansible_collections.cloudops.fargate.plugins.module_utils._common import TAG_VALUE_MAX_LENGTH
from ansible_collections.cloudops.fargate.plugins.module_utils._common import Transient
from ansible_collections.cloudops.fargate.plugins.module_utils._common import call
from ansible_collections.cloudops.fargate.plugins.module_utils._common import call_through
from ansible_collections.cloudops.fargate.plugins.module_utils._common import idempotency_token
from ansible_collections.cloudops.fargate.plugins.module_utils._common import merged_tags
from ansible_collections.cloudops.fargate.plugins.module_utils._common import paginate
from ansible_collections.cloudops.fargate.plugins.module_utils._common import tag_changes
from ansible_collections.cloudops.fargate.plugins.module_utils._common import tag_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._common import wanted_tags

NAME_TAG = "Name"

# How long the calls on a table or to a gateway this run may not see yet retry AWS's "not found".
NEW_RESOURCE_TIMEOUT = 120.0
NEW_TABLE = (Transient("InvalidRouteTableID.NotFound"),)
NEW_TARGET = (
    Transient("InvalidNatGatewayID.NotFound"),
    Transient("InvalidGatewayID.NotFound"),
    Transient("InvalidInternetGatewayID.NotFound"),
)

# The route options that name a target: option -> (CreateRoute/ReplaceRoute parameter, the ID's prefix).
TARGET_OPTIONS = {
    "gateway_id": ("GatewayId", ("igw-", "vgw-")),
    "nat_gateway_id": ("NatGatewayId", ("nat-",)),
}

# A route as DescribeRouteTables lists it: its target's key there -> its key in the module's route form. The first
# present one is the route's target (an instance's route also names its network interface).
DESCRIBED_TARGETS = (
    ("NatGatewayId", "nat_gateway_id"),
    ("TransitGatewayId", "transit_gateway_id"),
    ("VpcPeeringConnectionId", "vpc_peering_connection_id"),
    ("EgressOnlyInternetGatewayId", "egress_only_gateway_id"),
    ("CarrierGatewayId", "carrier_gateway_id"),
    ("LocalGatewayId", "local_gateway_id"),
    ("CoreNetworkArn", "core_network_arn"),
    ("InstanceId", "instance_id"),
    ("NetworkInterfaceId", "network_interface_id"),
    ("GatewayId", "gateway_id"),
)
ENDPOINT_PREFIX = "vpce-"
LIVE_ASSOCIATION_STATES = frozenset({"associated", "associating"})


def _sleep(seconds: float) -> None:
    """The pause between tries of a not-yet-known resource (tests replace it)."""
    time.sleep(seconds)


# --- input --------------------------------------------------------------------------------------------------


class Route(NamedTuple):
    """One route in the module's form: an IPv4 destination and its target, as option and ID."""

    dest: str
    kind: str  # gateway_id, nat_gateway_id (wanted); any key of DESCRIBED_TARGETS (listed)
    target: str


@dataclass
class TableSpec:
    """One entry of ``route_tables``, normalised: its tags (the module's plus Name), its subnets and its routes."""

    name: str
    tags: dict[str, str]
    subnets: list[str]
    routes: dict[str, Route]  # dest -> route
    purge_subnets: bool = True
    purge_routes: bool = True


def normalize_dest(value: Any) -> str:
    """An IPv4 CIDR in its canonical text; ValueError naming the problem otherwise."""
    text = str(value).strip() if value is not None else ""
    if not text:
        raise ValueError("dest is required")
    try:
        network = ipaddress.ip_network(text)
    except ValueError as e:
        raise ValueError(f"dest {text!r} is not an IPv4 CIDR block: {e}") from None
    if network.version != 4:
        raise ValueError(f"dest {text!r} is an IPv6 block: only IPv4 destinations are supported")
    return str(network)


def wanted_route(route: Any) -> Route:
    """One entry of ``routes``: ``dest`` and exactly one target of TARGET_OPTIONS."""
    if not isinstance(route, dict):
        raise ValueError(f"a route is a dict, not {type(route).__name__}")
    dest = normalize_dest(route.get("dest"))
    given = [option for option in TARGET_OPTIONS if route.get(option) not in (None, "")]
    if len(given) != 1:
        found = f" ({', '.join(given)} given)" if given else ""
        raise ValueError(f"dest {dest}: give exactly one target of {', '.join(TARGET_OPTIONS)}{found}")
    kind = given[0]
    target = str(route[kind]).strip()
    prefixes = TARGET_OPTIONS[kind][1]
    if not target.startswith(prefixes):
        hint = "; a NAT gateway is nat_gateway_id" if kind == "gateway_id" and target.startswith("nat-") else ""
        raise ValueError(f"dest {dest}: {kind} {target!r} does not start with {' or '.join(prefixes)}{hint}")
    return Route(dest, kind, target)


def wanted_tables(route_tables: list[dict[str, Any]], tags: dict[str, Any] | None) -> list[TableSpec]:
    """``route_tables`` normalised; every problem of the input at once, as an ``InputError``, before any call."""
    errors = tag_errors(tags, "tags", lengths=True)
    if NAME_TAG in (tags or {}):
        errors.append(f"tags: {NAME_TAG} is each table's route_tables[].name, not a tag of all of them")
    names = [str(table.get("name") or "") for table in route_tables]
    for duplicate in sorted({name for name in names if name and names.count(name) > 1}):
        errors.append(f"route_tables: the name {duplicate!r} is used more than once (a name identifies a table)")
    subnet_owner: dict[str, str] = {}
    specs = []
    for index, table in enumerate(route_tables):
        name = names[index]
        where = f"route table {name!r}" if name else f"route_tables[{index}]"
        if not name.strip():
            errors.append(f"{where}: name is required and cannot be empty")
        elif len(name) > TAG_VALUE_MAX_LENGTH:
            errors.append(f"{where}: a name (its Name tag) is at most {TAG_VALUE_MAX_LENGTH} characters")
        subnets = []
        for subnet in table.get("subnets") or []:
            subnet = str(subnet).strip()
            if not subnet.startswith("subnet-"):
                errors.append(f"{where} subnets: {subnet!r} is not a subnet ID (subnet-...)")
                continue
            owner = subnet_owner.setdefault(subnet, name)
            if owner != name:
                errors.append(f"{where} subnets: {subnet} is also a subnet of route table {owner!r}; a subnet has one table")
                continue
            if subnet not in subnets:
                subnets.append(subnet)
        routes: dict[str, Route] = {}
        for route_index, route in enumerate(table.get("routes") or []):
            try:
                wanted = wanted_route(route)
            except ValueError as e:
                errors.append(f"{where} route {route_index}: {e}")
                continue
            if wanted.dest in routes:
                errors.append(f"{where} route {route_index}: dest {wanted.dest} is given twice; a table has one route to it")
                continue
            routes[wanted.dest] = wanted
        purge_subnets = table.get("purge_subnets")
        purge_routes = table.get("purge_routes")
        specs.append(
            TableSpec(
                name=name,
                tags={**(wanted_tags(tags) or {}), NAME_TAG: name},
                subnets=sorted(subnets),
                routes=routes,
                purge_subnets=True if purge_subnets is None else bool(purge_subnets),
                purge_routes=True if purge_routes is None else bool(purge_routes),
            )
        )
    if errors:
        raise InputError.of(errors)
    return specs


# --- what AWS lists --------------------------------------------------------------------------------------------


def route_dest(aws_route: dict[str, Any]) -> str:
    """A listed route's destination: its IPv4 CIDR (canonical), IPv6 CIDR or prefix list ID."""
    cidr = aws_route.get("DestinationCidrBlock")
    if cidr:
        try:
            return str(ipaddress.ip_network(cidr, strict=False))
        except ValueError:
            return str(cidr)
    return str(aws_route.get("DestinationIpv6CidrBlock") or aws_route.get("DestinationPrefixListId") or "")


def route_target(aws_route: dict[str, Any]) -> tuple[str, str]:
    """A listed route's target as (the module's key, ID); a gateway endpoint's is ``vpc_endpoint_id``."""
    for aws_key, kind in DESCRIBED_TARGETS:
        value = aws_route.get(aws_key)
        if value:
            if aws_key == "GatewayId" and str(value).startswith(ENDPOINT_PREFIX):
                return "vpc_endpoint_id", str(value)
            return kind, str(value)
    return "", ""


def is_local(aws_route: dict[str, Any]) -> bool:
    return aws_route.get("GatewayId") == "local" or aws_route.get("Origin") == "CreateRouteTable"


def is_managed(aws_route: dict[str, Any]) -> bool:
    """Whether the module may replace or purge a listed route: created by CreateRoute, to an IPv4 CIDR, as
    amazon.aws.ec2_vpc_route_table decides. Local, propagated, IPv6 and prefix-list (gateway endpoint) routes are not."""
    if is_local(aws_route) or not aws_route.get("DestinationCidrBlock"):
        return False
    if str(aws_route.get("GatewayId") or "").startswith(ENDPOINT_PREFIX) and aws_route.get("DestinationPrefixListId"):
        return False
    return aws_route.get("Origin") == "CreateRoute"


def display_route(route: Route, state: str | None = None) -> dict[str, Any]:
    """A route in the module's form (``dest`` and its target option), with ``state`` when it is not active."""
    entry: dict[str, Any] = {"dest": route.dest, route.kind or "target": route.target or None}
    if state and state != "active":
        entry["state"] = state
    return entry


def _dest_order(dest: str) -> tuple[Any, ...]:
    try:
        network = ipaddress.ip_network(dest, strict=False)
    except ValueError:
        return (1, 0, 0, 0, dest)
    return (0, network.version, int(network.network_address), network.prefixlen, dest)


def sorted_routes(routes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Routes in the order the diff and the result show them: IPv4, then IPv6 by address, then prefix lists."""
    return sorted(routes, key=lambda entry: _dest_order(entry["dest"]))


@dataclass
class Table:
    """One table of the VPC as DescribeRouteTables lists it."""

    table_id: str
    tags: dict[str, str]
    main: bool
    associations: dict[str, str]  # subnet -> its explicit association's ID
    routes: list[dict[str, Any]]

    @property
    def name(self) -> str | None:
        return self.tags.get(NAME_TAG)

    @property
    def managed_routes(self) -> dict[str, dict[str, Any]]:
        """dest -> the listed route that the module may replace or purge."""
        return {route_dest(r): r for r in self.routes if is_managed(r)}

    @property
    def kept_routes(self) -> list[dict[str, Any]]:
        """The routes the module leaves alone, but the local one: shown in the diff and the result as they are."""
        return [r for r in self.routes if not is_managed(r) and not is_local(r)]


def described_table(aws_table: dict[str, Any]) -> Table:
    associations = {}
    main = False
    for association in aws_table.get("Associations") or []:
        state = (association.get("AssociationState") or {}).get("State", "associated")
        if state not in LIVE_ASSOCIATION_STATES:
            continue
        if association.get("Main"):
            main = True
        elif association.get("SubnetId"):
            associations[association["SubnetId"]] = association["RouteTableAssociationId"]
    return Table(
        table_id=aws_table["RouteTableId"],
        tags=boto3_tag_list_to_ansible_dict(aws_table.get("Tags") or []),
        main=main,
        associations=associations,
        routes=list(aws_table.get("Routes") or []),
    )


# --- planning ----------------------------------------------------------------------------------------------------


@dataclass
class TablePlan:
    """What brings one table of ``route_tables`` from what AWS lists to what is wanted."""

    spec: TableSpec
    current: Table | None  # None: to create
    tags_to_set: dict[str, str] = field(default_factory=dict)
    tags_to_unset: list[str] = field(default_factory=list)
    create_routes: list[Route] = field(default_factory=list)
    replace_routes: list[Route] = field(default_factory=list)
    delete_routes: list[str] = field(default_factory=list)  # dests
    associate: list[str] = field(default_factory=list)  # subnets on the main table's implicit association
    move: list[tuple[str, str]] = field(default_factory=list)  # (subnet, its association with another table)
    disassociate: list[tuple[str, str]] = field(default_factory=list)  # (subnet, association)
    before: dict[str, Any] | None = None
    after: dict[str, Any] = field(default_factory=dict)

    @property
    def table_id(self) -> str:
        return self.current.table_id if self.current is not None else ""

    @property
    def changed(self) -> bool:
        return self.current is None or self.before != self.after


class RouteChanges(NamedTuple):
    create: list[Route]
    replace: list[Route]
    delete: list[str]


def route_changes(table: Table | None, wanted: dict[str, Route], purge: bool) -> RouteChanges:
    """The routes to create, replace (another target, or blackhole) and, with ``purge``, delete (those the module
    manages and ``wanted`` does not list)."""
    managed = table.managed_routes if table is not None else {}
    create, replace = [], []
    for dest, route in wanted.items():
        current = managed.get(dest)
        if current is None:
            create.append(route)
        elif route_target(current) != (route.kind, route.target) or current.get("State") == "blackhole":
            replace.append(route)
    delete = sorted((dest for dest in managed if dest not in wanted), key=_dest_order) if purge else []
    return RouteChanges(create, replace, delete)


def local_cidrs(tables: list[Table]) -> set[str]:
    """The VPC's CIDR blocks, as its tables' local routes show them (every table has them all)."""
    return {route_dest(r) for table in tables for r in table.routes if is_local(r) and r.get("DestinationCidrBlock")}


def find_tables(specs: list[TableSpec], tables: list[Table]) -> dict[str, Table]:
    """The table of each name of ``specs`` that the VPC has; two tables of one name raise ``InputError``."""
    wanted = {spec.name for spec in specs}
    found: dict[str, list[Table]] = {}
    for table in tables:
        if table.name in wanted:
            found.setdefault(table.name, []).append(table)
    duplicates = [
        f"route table {name!r}: the VPC has {len(same)} tables of this Name ({', '.join(t.table_id for t in same)});"
        " keep one (delete or rename the others) so that the name identifies it"
        for name, same in found.items()
        if len(same) > 1
    ]
    if duplicates:
        raise InputError.of(duplicates)
    return {name: same[0] for name, same in found.items()}


def document(name: str, tags: dict[str, str], subnets: list[str], routes: list[dict[str, Any]]) -> dict[str, Any]:
    """One table as the diff shows it."""
    return {
        "name": name,
        "tags": dict(sorted(tags.items())),
        "subnets": sorted(subnets),
        "routes": sorted_routes(routes),
    }


def current_document(name: str, table: Table) -> dict[str, Any]:
    routes = [display_route(Route(route_dest(r), *route_target(r)), r.get("State")) for r in table.routes if not is_local(r)]
    return document(name, table.tags, list(table.associations), routes)


def plan_tables(specs: list[TableSpec], aws_tables: list[dict[str, Any]], purge_tags: bool) -> list[TablePlan]:
    """The plan of every table of ``specs`` against the VPC's tables as DescribeRouteTables lists them. Raises
    ``InputError`` (before any change) for two tables of one name and a route to the VPC's own CIDR."""
    tables = [described_table(t) for t in aws_tables]
    by_name = find_tables(specs, tables)
    vpc_cidrs = local_cidrs(tables)
    association_of = {subnet: (table, association) for table in tables for subnet, association in table.associations.items()}
    wanted_by = {subnet: spec.name for spec in specs for subnet in spec.subnets}
    errors = [
        f"route table {spec.name!r}: dest {dest} is the VPC's local route, which AWS keeps to itself"
        for spec in specs
        for dest in spec.routes
        if dest in vpc_cidrs
    ]
    if errors:
        raise InputError.of(errors)
    return [plan_table(spec, by_name.get(spec.name), association_of, wanted_by, purge_tags) for spec in specs]


def plan_table(
    spec: TableSpec,
    table: Table | None,
    association_of: dict[str, tuple[Table, str]],
    wanted_by: dict[str, str],
    purge_tags: bool,
) -> TablePlan:
    """One table's plan. ``association_of`` maps each explicitly associated subnet of the VPC to its table and
    association; ``wanted_by`` maps each subnet of ``route_tables`` to the name of the table that wants it."""
    plan = TablePlan(spec, table)
    changes = route_changes(table, spec.routes, spec.purge_routes)
    plan.create_routes, plan.replace_routes, plan.delete_routes = changes.create, changes.replace, changes.delete

    for subnet in spec.subnets:
        owner = association_of.get(subnet)
        if owner is None:
            plan.associate.append(subnet)
        elif table is None or owner[0].table_id != table.table_id:
            plan.move.append((subnet, owner[1]))
    kept_subnets = list(spec.subnets)
    if table is not None:
        for subnet, association in sorted(table.associations.items()):
            if subnet in spec.subnets:
                continue
            if wanted_by.get(subnet) not in (None, spec.name):
                continue  # another table of route_tables takes it (ReplaceRouteTableAssociation)
            if spec.purge_subnets:
                plan.disassociate.append((subnet, association))
            else:
                kept_subnets.append(subnet)

    if table is None:
        tags = dict(spec.tags)
        routes = [display_route(route) for route in spec.routes.values()]
    else:
        plan.tags_to_set, unset = tag_changes(table.tags, spec.tags, purge_tags)
        plan.tags_to_unset = sorted(unset)
        tags = merged_tags(table.tags, spec.tags, purge_tags)
        managed = table.managed_routes
        routes = [display_route(route) for route in spec.routes.values()]
        routes += [
            display_route(Route(dest, *route_target(r)), r.get("State"))
            for dest, r in managed.items()
            if dest not in spec.routes and dest not in changes.delete
        ]
        routes += [display_route(Route(route_dest(r), *route_target(r)), r.get("State")) for r in table.kept_routes]
        plan.before = current_document(spec.name, table)
    plan.after = document(spec.name, tags, kept_subnets, routes)
    return plan


def known_targets(aws_tables: list[dict[str, Any]]) -> set[str]:
    """The targets of the VPC's routes (blackhole ones too): AWS knew them, so their "not found" is no eventual
    consistency but a gateway that is gone."""
    return {route_target(r)[1] for t in aws_tables for r in t.get("Routes") or [] if route_target(r)[1]}


def result(plan: TablePlan, table_id: str) -> dict[str, Any]:
    """One entry of the module's ``route_tables``."""
    after = plan.after
    return {
        "id": table_id,
        "name": after["name"],
        "tags": after["tags"],
        "subnets": after["subnets"],
        "routes": after["routes"],
    }


# --- the manager -------------------------------------------------------------------------------------------------


class RouteTablesManager(BaseResourceManager):
    """The tables of ``route_tables`` in ``vpc_id``."""

    def __init__(self, module, vpc_id: str) -> None:
        super().__init__(module)
        self.ec2 = self.client("ec2")
        self.vpc_id = vpc_id
        self.route_tables: list[dict[str, Any]] = []
        self._before: dict[str, Any] = {}
        self._after: dict[str, Any] = {}
        self._fresh: set[str] = set()  # IDs of the tables this run created
        self._known: set[str] = set()

    def _listed(self) -> list[dict[str, Any]]:
        """The VPC's tables, with their routes, associations and tags, in one paginated DescribeRouteTables."""
        return paginate(
            self.ec2.describe_route_tables,
            f"describe the route tables of {self.vpc_id}",
            "RouteTables",
            Filters=[{"Name": "vpc-id", "Values": [self.vpc_id]}],
        )

    def converge(self, specs: list[TableSpec], purge_tags: bool) -> None:
        """Read, plan (the diff and ``changed``) and, outside check mode, act."""
        listed = self._listed()
        plans = plan_tables(specs, listed, purge_tags)
        self._known = known_targets(listed)
        for plan in plans:
            self._record(plan)
        if self.check_mode or not self.changed:
            self.route_tables = [result(plan, plan.table_id) for plan in plans]
            return

        for index, plan in enumerate(plans):
            if plan.current is None:
                plans[index] = self._create(plan, specs, purge_tags)
        self._converge_tags(plans)
        for plan in plans:
            self._converge_routes(plan)
        for plan in plans:
            self._converge_associations(plan)
        self.route_tables = [result(plan, plan.table_id) for plan in plans]

    def _record(self, plan: TablePlan) -> None:
        if not plan.changed:
            return
        self.changed = True
        if plan.before is not None:
            self._before[plan.spec.name] = plan.before
        self._after[plan.spec.name] = plan.after

    # -- acting --

    def _call(self, plan: TablePlan, method, what: str, transient: tuple[Transient, ...] = (), **kwargs: Any) -> Any:
        """``call``, or for a table this run created (or a target AWS may not know yet) ``call_through`` retrying
        its "not found" for NEW_RESOURCE_TIMEOUT seconds."""
        if plan.table_id in self._fresh:
            transient = NEW_TABLE + transient
        if not transient:
            return call(method, what, **kwargs)
        return call_through(method, what, transient, NEW_RESOURCE_TIMEOUT, sleep=_sleep, **kwargs)

    def _create(self, plan: TablePlan, specs: list[TableSpec], purge_tags: bool) -> TablePlan:
        spec = plan.spec
        created = call(
            self.ec2.create_route_table,
            f"create route table {spec.name!r}",
            answers={"IdempotentParameterMismatch": None},
            VpcId=self.vpc_id,
            TagSpecifications=boto3_tag_specifications(spec.tags, types=["route-table"]),
            ClientToken=idempotency_token("route-table", self.vpc_id, spec.name),
        )
        if created is not None:
            table = described_table(created["RouteTable"])
            self._fresh.add(table.table_id)
            # the new table as AWS made it: its local route only, no association, the tags of the call
            fresh = TablePlan(spec, table)
            changes = route_changes(None, spec.routes, spec.purge_routes)
            fresh.create_routes = changes.create
            fresh.associate = list(plan.associate)
            fresh.move = list(plan.move)
            fresh.before, fresh.after = None, plan.after
            return fresh
        # The ClientToken was used by an earlier run with other tags: that run created the table moments ago (AWS answers
        # a token with the table it made only for the same request). Converge the table it made.
        adopted = next(p for p in plan_tables(specs, self._listed(), purge_tags) if p.spec.name == spec.name)
        if adopted.current is None:
            raise AWSActionError(
                f"Failed to create route table {spec.name!r}: an earlier run created it moments ago with other tags"
                f" (IdempotentParameterMismatch), and AWS does not list it in {self.vpc_id} yet; run again"
            )
        self._fresh.add(adopted.table_id)
        self._before[spec.name] = adopted.before
        self._after[spec.name] = adopted.after
        return adopted

    def _converge_tags(self, plans: list[TablePlan]) -> None:
        """One DeleteTags per set of keys to remove and one CreateTags per set of tags to set, for all the tables
        that share it."""
        to_unset: dict[tuple[str, ...], list[str]] = {}
        to_set: dict[tuple[tuple[str, str], ...], list[str]] = {}
        for plan in plans:
            if plan.tags_to_unset:
                to_unset.setdefault(tuple(plan.tags_to_unset), []).append(plan.table_id)
            if plan.tags_to_set:
                to_set.setdefault(tuple(sorted(plan.tags_to_set.items())), []).append(plan.table_id)
        for keys, ids in to_unset.items():
            self._tag_call(self.ec2.delete_tags, f"remove tags from route table(s) {', '.join(ids)}", ids,
                           [{"Key": key} for key in keys])
        for pairs, ids in to_set.items():
            self._tag_call(self.ec2.create_tags, f"tag route table(s) {', '.join(ids)}", ids,
                           ansible_dict_to_boto3_tag_list(dict(pairs)))

    def _tag_call(self, method, what: str, ids: list[str], tags: list[dict[str, str]]) -> None:
        if set(ids) & self._fresh:  # a table an earlier run created moments ago (IdempotentParameterMismatch)
            call_through(method, what, NEW_TABLE, NEW_RESOURCE_TIMEOUT, sleep=_sleep, Resources=ids, Tags=tags)
        else:
            call(method, what, Resources=ids, Tags=tags)

    def _converge_routes(self, plan: TablePlan) -> None:
        """Replace, then create, then delete: a changed route is never missing in between."""
        name, table_id = plan.spec.name, plan.table_id
        for route in plan.replace_routes:
            self._put_route(plan, route, replace=True)
        for route in plan.create_routes:
            self._put_route(plan, route, replace=False)
        for dest in plan.delete_routes:
            call(
                self.ec2.delete_route,
                f"delete the route to {dest} from route table {name!r} ({table_id})",
                answers={"InvalidRoute.NotFound": None},
                RouteTableId=table_id,
                DestinationCidrBlock=dest,
            )

    def _put_route(self, plan: TablePlan, route: Route, replace: bool) -> None:
        """ReplaceRoute or CreateRoute; a route that exists when it is created (made meanwhile, or by the earlier run
        whose table AWS answered the ClientToken with) is replaced instead."""
        request = {"RouteTableId": plan.table_id, "DestinationCidrBlock": route.dest, TARGET_OPTIONS[route.kind][0]: route.target}
        what = f"the route to {route.dest} via {route.target} in route table {plan.spec.name!r} ({plan.table_id})"
        transient = NEW_TARGET if route.target not in self._known else ()
        if replace:
            self._call(plan, self.ec2.replace_route, f"replace {what}", transient, **request)
            return
        self._call(
            plan,
            self.ec2.create_route,
            f"create {what}",
            transient,
            answers={"RouteAlreadyExists": lambda _error: self._put_route(plan, route, replace=True)},
            **request,
        )

    def _converge_associations(self, plan: TablePlan) -> None:
        """Move and associate the listed subnets, then disassociate those no longer listed."""
        name, table_id = plan.spec.name, plan.table_id
        for subnet, association in plan.move:
            self._call(
                plan,
                self.ec2.replace_route_table_association,
                f"move subnet {subnet} to route table {name!r} ({table_id})",
                AssociationId=association,
                RouteTableId=table_id,
            )
        for subnet in plan.associate:
            self._call(
                plan,
                self.ec2.associate_route_table,
                f"associate subnet {subnet} with route table {name!r} ({table_id})",
                RouteTableId=table_id,
                SubnetId=subnet,
            )
        for subnet, association in plan.disassociate:
            call(
                self.ec2.disassociate_route_table,
                f"disassociate subnet {subnet} from route table {name!r} ({table_id})",
                answers={"InvalidAssociationID.NotFound": None},
                AssociationId=association,
            )

    def diff(self) -> dict[str, Any]:
        return {"before": self._before, "after": self._after}
