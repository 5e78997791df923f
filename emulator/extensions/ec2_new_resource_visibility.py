"""EC2 eventual consistency: a VPC, subnet, internet gateway or route table just created is unknown for a moment.

What AWS does. "If you run a command to modify or describe the resource that you just created, its ID might not have
propagated throughout the system, and you will get an error responding that the resource does not exist" (EC2
developer guide, eventual-consistency.html, which advises retrying with backoff "starting with a couple of seconds of
wait time"). For these resources the error is ``Invalid<Resource>ID.NotFound`` with AWS's message "The vpc ID
'vpc-...' does not exist" (``subnet``, ``internetGateway``, ``routeTable`` likewise), and a route naming an unknown
gateway answers ``InvalidGatewayID.NotFound`` "The gateway ID 'igw-...' does not exist". terraform-provider-aws
retries exactly these (internal/service/ec2): vpc_route_table_association.go retries AssociateRouteTable on
InvalidRouteTableID.NotFound for minutes and vpc_route_table.go waits for a new table (``WaitRouteTableReady``,
found twice in a row) before its routes; vpc_internet_gateway.go ``attachInternetGateway`` retries
InvalidInternetGatewayID.NotFound; vpc_.go and vpc_subnet.go wait for a new VPC or subnet and read it until it is
found (``RetryWhenNewResourceNotFound``) for ``ec2PropagationTimeout`` (wait.go, 5 minutes: the long tail). The
failures are intermittent (hashicorp/terraform#7104, hashicorp/terraform-provider-aws#32219). The lists are eventually
consistent too: DescribeVpcs, DescribeSubnets, DescribeInternetGateways or DescribeRouteTables with filters only may
leave a new resource out.

moto 5.2.5 knows every resource from the moment its create returns.

The patch (realistic mode; ``realism.lingers("ec2.new_resource_visibility")``, 0 in plain mode, so plain mode keeps
moto's behaviour):

* the backend's ``create_vpc``, ``create_subnet``, ``create_internet_gateway`` and ``create_route_table`` give the
  resource they made a visibility timer (fixed at creation, recorded). Left out, because the project and moto rely on
  them at once: the default VPC and its subnets (moto makes them when it builds a Region's backend, and for
  CreateDefaultVpc / CreateDefaultSubnet) and the main route table CreateVpc makes;
* until the timer is done, the EC2 API calls of ``NAMED_BY`` answer AWS's error, before moto does anything, when a
  request member of theirs names the resource: the calls about the resource itself (describe by ID, its attributes,
  tags, routes and associations, attach, detach, delete) and the references a client cannot avoid right after a
  create (AttachInternetGateway's VPC, a route's or an association's gateway, AssociateRouteTable's subnet);
* the four describe calls given no IDs (filters only, or nothing) leave the resource out of their answer.

The refusals are made at the API (``EC2Response``, the method moto dispatches each action to), not in the backend:
moto's backend lookups serve other callers too (ECS checks a service's subnets with ``describe_subnets``, ELBv2 and
EFS theirs with ``get_subnet``, CreateRouteTable adds its local route with ``create_route``), and those must keep
working.

Not modelled: a create that merely refers to a new resource (CreateSubnet or CreateRouteTable in a new VPC,
CreateSecurityGroup, CreateNatGateway, CreateVpcEndpoint, a load balancer, mount target or ECS task in a new subnet).
AWS may refuse those too, but terraform-provider-aws never meets it (it reads a new VPC or subnet until it is found
before anything refers to it), and neither do the roles, which refer to a new resource only after the run that
created it has retried its own calls until it was visible. DescribeTags, flow logs and the other EC2 resources keep
moto's behaviour.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, NamedTuple

from moto.core.responses import ActionResult
from moto.ec2.exceptions import EC2ClientError
from moto.ec2.models import EC2Backend
from moto.ec2.responses import EC2Response

from emulator import realism
from emulator.extensions import _patching
from emulator.extensions._patching import Patch

BEHAVIOUR = "ec2.new_resource_visibility"
MESSAGE = "The {noun} ID '{resource_id}' does not exist"

_VISIBLE = "_emulator_visible_to_ec2"  # realism.Timer on a moto VPC, Subnet, InternetGateway or RouteTable


class Kind(NamedTuple):
    code: str
    noun: str
    find: Callable[[EC2Backend, str], Any]  # the moto resource of an ID, None when the backend has none


def _subnet(backend: EC2Backend, subnet_id: str) -> Any:
    return next((zone[subnet_id] for zone in backend.subnets.values() if subnet_id in zone), None)


# ID prefix -> the kind of resource
KINDS = {
    "vpc": Kind("InvalidVpcID.NotFound", "vpc", lambda backend, vpc_id: backend.vpcs.get(vpc_id)),
    "subnet": Kind("InvalidSubnetID.NotFound", "subnet", _subnet),
    "igw": Kind("InvalidInternetGatewayID.NotFound", "internetGateway", lambda b, igw: b.internet_gateways.get(igw)),
    "rtb": Kind("InvalidRouteTableID.NotFound", "routeTable", lambda backend, rtb: backend.route_tables.get(rtb)),
}
# A request member named ``GatewayId`` (a route's target, an edge association) answers as AWS does for any gateway.
GATEWAY_MEMBER = "GatewayId"
GATEWAY = ("InvalidGatewayID.NotFound", "gateway")

# EC2Response method (the API action) -> the request members that name resources, in the order they are checked.
NAMED_BY: dict[str, tuple[str, ...]] = {
    "describe_vpcs": ("VpcIds",),
    "describe_vpc_attribute": ("VpcId",),
    "modify_vpc_attribute": ("VpcId",),
    "delete_vpc": ("VpcId",),
    "describe_subnets": ("SubnetIds",),
    "modify_subnet_attribute": ("SubnetId",),
    "delete_subnet": ("SubnetId",),
    "describe_internet_gateways": ("InternetGatewayIds",),
    "attach_internet_gateway": ("InternetGatewayId", "VpcId"),
    "detach_internet_gateway": ("InternetGatewayId", "VpcId"),
    "delete_internet_gateway": ("InternetGatewayId",),
    "describe_route_tables": ("RouteTableIds",),
    "associate_route_table": ("RouteTableId", "SubnetId", GATEWAY_MEMBER),
    "replace_route_table_association": ("RouteTableId",),
    "create_route": ("RouteTableId", GATEWAY_MEMBER),
    "replace_route": ("RouteTableId", GATEWAY_MEMBER),
    "delete_route": ("RouteTableId",),
    "delete_route_table": ("RouteTableId",),
    "create_tags": ("Resources",),
    "delete_tags": ("Resources",),
}
# describe call -> the key of its answer's list, from which a resource not yet visible is left out when no ID is named
LISTED = {
    "describe_vpcs": "Vpcs",
    "describe_subnets": "Subnets",
    "describe_internet_gateways": "InternetGateways",
    "describe_route_tables": "RouteTables",
}


def visible(resource: Any) -> bool:
    timer = getattr(resource, _VISIBLE, None)
    return timer is None or timer.done


def not_yet_visible(backend: EC2Backend, resource_id: str) -> Kind | None:
    """The kind of ``resource_id`` when it names a VPC, subnet, internet gateway or route table of ``backend`` that EC2
    does not know everywhere yet; None otherwise (unknown IDs are moto's to answer)."""
    kind = KINDS.get(resource_id.split("-", 1)[0])
    if kind is None:
        return None
    resource = kind.find(backend, resource_id)
    return kind if resource is not None and not visible(resource) else None


# --------------------------------------------------------------------------- creations


def _appearing(kept_out: Callable[[EC2Backend, Any], bool]) -> Callable[[Any], Any]:
    """A wrapper factory for a backend create: the resource it returns is visible only once its timer is done."""

    def make(original: Any) -> Any:
        @functools.wraps(original)
        def create(self: EC2Backend, *args: Any, **kwargs: Any) -> Any:
            resource = original(self, *args, **kwargs)
            if realism.lingers(BEHAVIOUR) > 0 and not kept_out(self, resource):
                setattr(resource, _VISIBLE, realism.Timer.of(BEHAVIOUR, subject=resource.id))
            return resource

        return create

    return make


def _default_vpc(_backend: EC2Backend, vpc: Any) -> bool:
    return bool(vpc.is_default)


def _in_default_vpc(backend: EC2Backend, subnet: Any) -> bool:
    return bool(getattr(backend.vpcs.get(subnet.vpc_id), "is_default", False))


def _never(_backend: EC2Backend, _resource: Any) -> bool:
    return False


def _main(_backend: EC2Backend, route_table: Any) -> bool:
    return route_table.main_association_id is not None


# --------------------------------------------------------------------------- the API


def _named(response: EC2Response, member: str) -> list[str]:
    value = response._get_param(member)  # pylint: disable=protected-access
    if not value:
        return []
    return [str(item) for item in value] if isinstance(value, list) else [str(value)]


def _refuse_unseen(response: EC2Response, members: tuple[str, ...]) -> bool:
    """AWS's NotFound for the first resource of ``members`` EC2 does not know yet; whether any member named an ID."""
    backend = response.ec2_backend
    named = False
    for member in members:
        for resource_id in _named(response, member):
            named = True
            kind = not_yet_visible(backend, resource_id)
            if kind is None:
                continue
            code, noun = GATEWAY if member == GATEWAY_MEMBER else (kind.code, kind.noun)
            raise EC2ClientError(code, MESSAGE.format(noun=noun, resource_id=resource_id))
    return named


def _checked(members: tuple[str, ...], listed: str | None) -> Callable[[Any], Any]:
    def make(original: Any) -> Any:
        @functools.wraps(original)
        def action(self: EC2Response) -> Any:
            named = _refuse_unseen(self, members)
            result = original(self)
            if listed and not named and isinstance(result, ActionResult) and isinstance(result.result, dict):
                result.result[listed] = [item for item in result.result.get(listed) or [] if visible(item)]
            return result

        return action

    return make


PATCHES = (
    Patch(EC2Backend, "create_vpc", _appearing(_default_vpc)),
    Patch(EC2Backend, "create_subnet", _appearing(_in_default_vpc)),
    Patch(EC2Backend, "create_internet_gateway", _appearing(_never)),
    Patch(EC2Backend, "create_route_table", _appearing(_main)),
    *(Patch(EC2Response, action, _checked(members, LISTED.get(action))) for action, members in NAMED_BY.items()),
)


def is_installed() -> bool:
    return _patching.installed(__name__, PATCHES)


def install() -> None:
    _patching.install(__name__, PATCHES)
