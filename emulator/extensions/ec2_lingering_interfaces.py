"""Network interfaces that outlive their owners: they hold their subnets, security groups, VPC and public addresses
for a while after the NAT gateway, endpoint, mount target, load balancer or service they served is deleted.

What AWS does: the services that place network interfaces in a VPC (NAT gateways, interface endpoints, EFS mount
targets, load balancers, ECS tasks in ``awsvpc`` mode, Client VPN associations) delete them on their own schedule,
after the owner's API call has returned and often after the owner is described as gone ("Some AWS services creates
ENIs behind the scenes and keeps these around for a while which can prevent security groups and subnets attached to
such ENIs from being destroyed": terraform-provider-aws internal/service/ec2 vpc_network_interface.go
``deleteLingeringENIs``). Until the interfaces are gone:

* DeleteSecurityGroup of a group they carry answers ``DependencyViolation`` "resource sg-... has a dependent object"
  (terraform's vpc_security_group.go retries it for the whole delete timeout, after a first minute);
* DeleteSubnet of their subnet: ``DependencyViolation`` "The subnet 'subnet-...' has dependencies and cannot be
  deleted." (vpc_subnet.go retries it);
* DeleteVpc: ``DependencyViolation`` "The vpc 'vpc-...' has dependencies and cannot be deleted.";
* DetachInternetGateway from their VPC while one of them has a public address (a NAT gateway's Elastic IP, an
  internet-facing load balancer, a task with ``assignPublicIp``): ``DependencyViolation`` "Network vpc-... has some
  mapped public address(es). Please unmap those public address(es) before detaching the gateway."
  (vpc_internet_gateway.go ``detachInternetGateway`` retries DependencyViolation for the whole delete timeout).

moto 5.2.5 checks none of this: DeleteSecurityGroup, DeleteSubnet and DetachInternetGateway never look at network
interfaces and DeleteVpc only at subnets, route tables and VPN gateways; the owners' interfaces vanish with the
owner's API call (a deleted NAT gateway's interface is never removed at all).

The patch keeps a registry of lingering interfaces. ``linger(vpc_id, subnet_ids, security_group_ids, owner, seconds,
public_ip)`` records one; other extensions call it where an owner goes (Client VPN disassociation). This module
records them itself when moto deletes:

* a NAT gateway (DeleteNatGateway): its subnet and public IP, for the rest of its ``deleting`` state
  (ec2_nat_gateway_states) plus ``realism.lingers("network_interface.lingering")``;
* an interface endpoint (DeleteVpcEndpoints): its subnets and security groups (the VPC's default group when it has
  none), for the rest of its ``deleting`` state (ec2_vpc_endpoint_states) plus the lingering;
* an EFS mount target (DeleteMountTarget): its subnet and security groups, for
  ``realism.seconds("mount_target.deleting")`` plus the lingering;
* an ELBv2 load balancer (DeleteLoadBalancer): its subnets and security groups (an application load balancer without
  groups has the VPC's default group), with a public address when internet-facing, for the lingering;
* an ECS service (DeleteService): the subnets and security groups of its ``awsvpc`` configuration, with a public
  address when ``assignPublicIp`` is ``ENABLED``, for ``realism.seconds("ecs.draining")`` plus the lingering.

While one lingers, the four calls above answer AWS's ``DependencyViolation``. Every duration is 0 in plain mode, so
plain mode keeps moto's behaviour, except that a deleted NAT gateway's interface is removed with the gateway. The
registry forgets an interface once its time is up; nothing runs in the background. Where moto had the owner's
interfaces (NAT gateway, interface endpoint, mount target), they stay in DescribeNetworkInterfaces with status
``in-use`` while they linger, and are gone after; for the others (load balancer, ECS tasks, and Client VPN
associations through ``linger(..., backend=)``) the patch adds interfaces described by their owner for as long.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from moto.core.responses import ActionResult
from moto.ec2.exceptions import DependencyViolationError
from moto.ec2.models import EC2Backend, ec2_backends
from moto.ec2.utils import random_private_ip, random_public_ip
from moto.ecs.responses import EC2ContainerServiceResponse
from moto.efs.responses import EFSResponse
from moto.elbv2.responses import ELBV2Response

from emulator import realism
from emulator.extensions import _patching
from emulator.extensions import ec2_nat_gateway_states as nat_states
from emulator.extensions import ec2_vpc_endpoint_states as endpoint_states
from emulator.extensions._patching import Patch

LINGERING = "network_interface.lingering"
MOUNT_TARGET_DELETING = "mount_target.deleting"
# Marks a moto interface this module removes itself once its lingering ends (efs_lifecycle_states leaves it then).
OUTLIVES_OWNER = "_cloudops_outlives_owner"
ECS_DRAINING = "ecs.draining"


@dataclass(frozen=True)
class Lingering:
    owner: str
    vpc_id: str
    subnet_ids: frozenset[str]
    security_group_ids: frozenset[str]
    public_ip: str | None
    until: float


_lock = threading.Lock()
_entries: list[tuple[Lingering, Callable[[], None] | None]] = []


def linger(
    vpc_id: str,
    subnet_ids: Iterable[str],
    security_group_ids: Iterable[str],
    owner: str,
    seconds: float,
    public_ip: str | None = None,
    backend: EC2Backend | None = None,
) -> None:
    """Record network interfaces of ``owner`` (gone on the API) that stay in ``vpc_id``, its ``subnet_ids`` and
    ``security_group_ids`` (and map ``public_ip``) for ``seconds`` more; nothing when ``seconds`` is 0. Given the EC2
    ``backend``, they are also interfaces DescribeNetworkInterfaces shows meanwhile, as AWS does."""
    subnet_ids, security_group_ids = list(subnet_ids), list(security_group_ids)
    on_end = _visible(backend, subnet_ids, security_group_ids, owner, seconds) if backend is not None else None
    _linger(vpc_id, subnet_ids, security_group_ids, owner, seconds, public_ip, on_end=on_end)


def _visible(
    backend: EC2Backend, subnet_ids: list[str], group_ids: list[str], owner: str, seconds: float
) -> Callable[[], None] | None:
    """New moto interfaces, one per subnet, described by their ``owner``, kept for ``seconds`` (``_backed``): where
    moto never had the owner's interfaces, AWS still shows them until they are gone."""
    if seconds <= 0:
        return None
    made = []
    for subnet_id in subnet_ids:
        try:
            subnet = backend.get_subnet(subnet_id)
        except Exception:  # pylint: disable=broad-exception-caught  # a subnet already deleted has no interface
            continue
        made.append(
            backend.create_network_interface(
                subnet, random_private_ip(subnet.cidr_block), group_ids=group_ids, description=owner
            )
        )
    return _backed(backend, made, seconds)


def _linger(
    vpc_id: str,
    subnet_ids: Iterable[str],
    security_group_ids: Iterable[str],
    owner: str,
    seconds: float,
    public_ip: str | None = None,
    on_end: Callable[[], None] | None = None,
) -> None:
    if seconds <= 0:
        if on_end is not None:
            on_end()
        return
    entry = Lingering(
        owner=owner,
        vpc_id=vpc_id,
        subnet_ids=frozenset(s for s in subnet_ids if s),
        security_group_ids=frozenset(g for g in security_group_ids if g),
        public_ip=public_ip or None,
        until=realism.now() + seconds,
    )
    with _lock:
        _entries.append((entry, on_end))


def lingering() -> list[Lingering]:
    """The interfaces still lingering; those whose time is up are forgotten (and their moto interfaces removed)."""
    now = realism.now()
    with _lock:
        ended = [(entry, on_end) for entry, on_end in _entries if entry.until <= now]
        _entries[:] = [(entry, on_end) for entry, on_end in _entries if entry.until > now]
        alive = [entry for entry, _on_end in _entries]
    for _entry, on_end in ended:
        if on_end is not None:
            on_end()
    return alive


def _lingers(subject: str, after: float) -> float:
    """Seconds ``subject``'s interfaces linger once its deletion is over, ``after`` seconds from now; recorded
    (``realism.record``) in both modes."""
    seconds = realism.lingers(LINGERING)
    realism.record(LINGERING, seconds, subject, realism.now() + max(0.0, after))
    return seconds


def _first(matches: Callable[[Lingering], bool]) -> Lingering | None:
    return next((entry for entry in lingering() if matches(entry)), None)


def _backed(backend: EC2Backend, interfaces: Iterable[Any], seconds: float) -> Callable[[], None]:
    """Keep moto's ``interfaces`` (``in-use``) while they linger; the returned callback removes them."""
    kept = [eni for eni in interfaces if eni is not None]
    if seconds > 0:
        for eni in kept:
            eni.status = "in-use"
            backend.enis.setdefault(eni.id, eni)

    def remove() -> None:
        for eni in kept:
            if backend.enis.get(eni.id) is eni:
                backend.enis.pop(eni.id, None)

    return remove


def _default_group(backend: EC2Backend, vpc_id: str) -> list[str]:
    try:
        group = backend.get_default_security_group(vpc_id)
    except (KeyError, AttributeError):
        return []
    return [group.id] if group is not None else []


# --------------------------------------------------------------------------- refusals while interfaces linger


def _refusing_lingering_group(original: Any) -> Any:
    @functools.wraps(original)
    def delete_security_group(self: EC2Backend, name: str | None = None, group_id: str | None = None) -> Any:
        wanted = group_id
        if wanted is None and name is not None:
            group = self.get_security_group_by_name_or_id(name)
            wanted = group.id if group is not None else None
        if wanted and _first(lambda entry: wanted in entry.security_group_ids):
            raise DependencyViolationError(f"resource {wanted} has a dependent object")
        return original(self, name=name, group_id=group_id)

    return delete_security_group


def _refusing_lingering_subnet(original: Any) -> Any:
    @functools.wraps(original)
    def delete_subnet(self: EC2Backend, subnet_id: str, *args: Any, **kwargs: Any) -> Any:
        if _first(lambda entry: subnet_id in entry.subnet_ids):
            raise DependencyViolationError(f"The subnet '{subnet_id}' has dependencies and cannot be deleted.")
        return original(self, subnet_id, *args, **kwargs)

    return delete_subnet


def _refusing_lingering_vpc(original: Any) -> Any:
    @functools.wraps(original)
    def delete_vpc(self: EC2Backend, vpc_id: str, *args: Any, **kwargs: Any) -> Any:
        if _first(lambda entry: entry.vpc_id == vpc_id):
            raise DependencyViolationError(f"The vpc '{vpc_id}' has dependencies and cannot be deleted.")
        return original(self, vpc_id, *args, **kwargs)

    return delete_vpc


def _refusing_mapped_addresses(original: Any) -> Any:
    @functools.wraps(original)
    def detach_internet_gateway(self: EC2Backend, internet_gateway_id: str, vpc_id: str) -> Any:
        try:
            gateway = self.get_internet_gateway(internet_gateway_id)
        except Exception:  # pylint: disable=broad-exception-caught  # moto's own call answers the unknown gateway
            gateway = None
        attached = gateway is not None and gateway.vpc is not None and gateway.vpc.id == vpc_id
        if attached and _first(lambda entry: entry.vpc_id == vpc_id and entry.public_ip is not None):
            raise DependencyViolationError(
                f"Network {vpc_id} has some mapped public address(es). "
                "Please unmap those public address(es) before detaching the gateway."
            )
        return original(self, internet_gateway_id, vpc_id)

    return detach_internet_gateway


def _forgetting_ended(original: Any) -> Any:
    @functools.wraps(original)
    def get_all_network_interfaces(self: EC2Backend, *args: Any, **kwargs: Any) -> Any:
        lingering()
        return original(self, *args, **kwargs)

    return get_all_network_interfaces


# --------------------------------------------------------------------------- owners whose interfaces linger


def _nat_gateway_leaves(original: Any) -> Any:
    @functools.wraps(original)
    def delete_nat_gateway(self: EC2Backend, nat_gateway_id: str, *args: Any, **kwargs: Any) -> Any:
        gateway = self.nat_gateways.get(nat_gateway_id)
        already_going = gateway is None or gateway.state in ("deleting", "deleted")
        result = original(self, nat_gateway_id, *args, **kwargs)
        if not already_going:
            public_ips = [a["publicIp"] for a in gateway.address_set if a.get("publicIp")]
            deleting = nat_states.deleting_left(gateway)
            seconds = deleting + _lingers(gateway.id, deleting)
            _linger(
                gateway.vpc_id,
                [gateway.subnet_id],
                [],
                f"Interface for NAT Gateway {gateway.id}",
                seconds,
                public_ip=public_ips[0] if public_ips else None,
                on_end=_backed(self, [getattr(gateway, "_eni", None)], seconds),
            )
        return result

    return delete_nat_gateway


def _endpoints_leave(original: Any) -> Any:
    @functools.wraps(original)
    def delete_vpc_endpoints(self: EC2Backend, vpce_ids: list[str] | None = None, *args: Any, **kwargs: Any) -> Any:
        leaving = []
        for endpoint_id in vpce_ids or []:
            endpoint = self.vpc_end_points.get(endpoint_id)
            if endpoint is None or not endpoint_states.has_interfaces(endpoint):
                continue
            if endpoint.state in ("deleting", "deleted"):
                continue
            interfaces = [self.enis.get(eni_id) for eni_id in endpoint.network_interface_ids]
            leaving.append((endpoint, interfaces))
        result = original(self, vpce_ids, *args, **kwargs)
        for endpoint, interfaces in leaving:
            deleting = endpoint_states.deleting_left(endpoint)
            seconds = deleting + _lingers(endpoint.id, deleting)
            _linger(
                endpoint.vpc_id,
                endpoint.subnet_ids or [],
                endpoint.security_group_ids or _default_group(self, endpoint.vpc_id),
                f"VPC Endpoint Interface {endpoint.id}",
                seconds,
                on_end=_backed(self, interfaces, seconds),
            )
        return result

    return delete_vpc_endpoints


def _mount_target_leaves(original: Any) -> Any:
    @functools.wraps(original)
    def delete_mount_target(self: EFSResponse) -> Any:
        mount_target_id = self._get_param("MountTargetId")  # pylint: disable=protected-access
        target = self.efs_backend.mount_targets_by_id.get(mount_target_id)
        ec2 = self.efs_backend.ec2_backend
        interface = ec2.enis.get(target.network_interface_id) if target and target.network_interface_id else None
        again = target is not None and getattr(target, "life_cycle_state", None) == "deleting"  # recorded before
        result = original(self)
        if target is not None:
            deleting = realism.seconds(MOUNT_TARGET_DELETING)
            seconds = deleting + (realism.lingers(LINGERING) if again else _lingers(mount_target_id, deleting))
            # moto removes the interface with the mount target (efs_lifecycle_states, at the end of its deleting
            # state); it stays described for as long as it holds the subnet and the groups, as on AWS, so a caller
            # that waits for the VPC's interfaces to go never meets a refusal with none left.
            if interface is not None and seconds > 0:
                interface.__dict__[OUTLIVES_OWNER] = True
            _linger(
                target.vpc_id,
                [target.subnet_id],
                target.security_groups or _default_group(ec2, target.vpc_id),
                f"EFS mount target for {target.file_system_id} ({mount_target_id})",
                seconds,
                on_end=_backed(ec2, [interface], seconds),
            )
        return result

    return delete_mount_target


def _load_balancer_leaves(original: Any) -> Any:
    @functools.wraps(original)
    def delete_load_balancer(self: ELBV2Response) -> Any:
        backend = self.elbv2_backend
        balancer = backend.load_balancers.get(self._get_param("LoadBalancerArn"))  # pylint: disable=protected-access
        result = original(self)
        if balancer is not None:
            groups = list(balancer.security_groups or [])
            if not groups and balancer.type == "application":
                groups = _default_group(backend.ec2_backend, balancer.vpc_id)
            linger(
                balancer.vpc_id,
                [subnet.id for subnet in balancer.subnets],
                groups,
                f"ELB {balancer.type[:3]}/{balancer.name}",
                _lingers(balancer.arn, 0.0),
                public_ip=random_public_ip() if balancer.scheme == "internet-facing" else None,
                backend=backend.ec2_backend,
            )
        return result

    return delete_load_balancer


def _service_tasks_leave(original: Any) -> Any:
    @functools.wraps(original)
    def delete_service(self: EC2ContainerServiceResponse) -> Any:
        result = original(self)
        service = result.result.get("service") if isinstance(result, ActionResult) else None
        configuration = (getattr(service, "network_configuration", None) or {}).get("awsvpcConfiguration") or {}
        subnet_ids = list(configuration.get("subnets") or [])
        if service is not None and subnet_ids:
            ec2 = ec2_backends[self.current_account][self.region]
            try:
                vpc_id = ec2.get_subnet(subnet_ids[0]).vpc_id
            except Exception:  # pylint: disable=broad-exception-caught  # a subnet deleted under the service
                return result
            assigns_public_ip = str(configuration.get("assignPublicIp", "")).upper() == "ENABLED"
            draining = realism.seconds(ECS_DRAINING)
            linger(
                vpc_id,
                subnet_ids,
                configuration.get("securityGroups") or _default_group(ec2, vpc_id),
                f"ECS tasks of {service.arn}",
                draining + _lingers(service.arn, draining),
                public_ip=random_public_ip() if assigns_public_ip else None,
                backend=ec2,
            )
        return result

    return delete_service


# EC2Backend: ec2_client_vpn and efs_lifecycle_states wrap delete_subnet and delete_security_group there too (and
# ec2_client_vpn delete_vpc): each refuses or settles before the call goes on, so their order does not matter. The
# EFS, ELBv2 and ECS deletions are hooked at the API call (the response method), outside whatever other extensions
# wrap the backend's deletion with (WRAP_ORDER, efs_lifecycle_states), once they have let it through.
PATCHES = (
    Patch(EC2Backend, "delete_security_group", _refusing_lingering_group),
    Patch(EC2Backend, "delete_subnet", _refusing_lingering_subnet),
    Patch(EC2Backend, "delete_vpc", _refusing_lingering_vpc),
    Patch(EC2Backend, "detach_internet_gateway", _refusing_mapped_addresses),
    Patch(EC2Backend, "get_all_network_interfaces", _forgetting_ended),
    Patch(EC2Backend, "delete_nat_gateway", _nat_gateway_leaves),
    Patch(EC2Backend, "delete_vpc_endpoints", _endpoints_leave),
    Patch(EFSResponse, "delete_mount_target", _mount_target_leaves),
    Patch(ELBV2Response, "delete_load_balancer", _load_balancer_leaves),
    Patch(EC2ContainerServiceResponse, "delete_service", _service_tasks_leave),
)


def is_installed() -> bool:
    return _patching.installed(__name__, PATCHES)


def install() -> None:
    _patching.install(__name__, PATCHES)
