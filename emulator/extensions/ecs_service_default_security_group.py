"""ECS services: a network configuration without security groups gets the VPC's default security group.

AWS: in ``CreateService`` and ``UpdateService`` the ``awsvpcConfiguration.securityGroups`` member is optional ("If you
don't specify a security group, the default security group for the VPC is used" -- ECS API reference,
AwsVpcConfiguration), and so is ``assignPublicIp`` ("When you use create-service or update-service, the default is
DISABLED"); DescribeServices then reports the default group's ID and ``DISABLED``.

moto 5.2.5: ``Service._validate_network`` reads ``c["securityGroups"]`` unconditionally, so CreateService without it
fails with an internal ``KeyError`` (HTTP 500). An empty list passes but is stored and reported as ``[]``.
``UpdateService`` does not validate the network configuration at all: unknown subnets or security groups are stored,
and a configuration without security groups is reported without them.

The patch wraps ``Service._validate_network``: when the security groups are missing or empty it fills in the default
security group of the VPC of the first subnet (AWS requires every subnet and group to be in one VPC), and a missing
``assignPublicIp`` becomes ``DISABLED``; then moto validates as before (an unknown subnet is still moto's
``InvalidParameterException``, as on AWS). ``EC2ContainerServiceBackend.update_service`` is wrapped to run the same
validation on an ``UpdateService`` network configuration before moto stores it, so an update refuses what a create
refuses and stores what AWS stores.
"""

from __future__ import annotations

import functools
from typing import Any

from moto.ec2 import ec2_backends
from moto.ec2.exceptions import InvalidSubnetIdError
from moto.ecs.models import EC2ContainerServiceBackend, Service

from emulator.extensions import _patching
from emulator.extensions._patching import Patch

DEFAULT_ASSIGN_PUBLIC_IP = "DISABLED"


def default_security_group_id(account_id: str, region_name: str, subnet_ids: list[str]) -> str | None:
    """The ID of the default security group of the VPC of the first subnet; None when it cannot be found."""
    if not subnet_ids:
        return None
    ec2 = ec2_backends[account_id][region_name]
    try:
        subnet = ec2.get_subnet(subnet_ids[0])
    except InvalidSubnetIdError:  # moto's own validation reports it
        return None
    group = ec2.get_default_security_group(subnet.vpc_id)
    return group.id if group is not None else None


def fill_defaults(network_configuration: dict[str, Any] | None, account_id: str, region_name: str) -> None:
    """Fill in what AWS fills in for an awsvpc configuration, in place."""
    config = (network_configuration or {}).get("awsvpcConfiguration")
    if not isinstance(config, dict):
        return
    if not config.get("securityGroups"):
        group_id = default_security_group_id(account_id, region_name, config.get("subnets") or [])
        config["securityGroups"] = [group_id] if group_id else []
    config.setdefault("assignPublicIp", DEFAULT_ASSIGN_PUBLIC_IP)


def _validate_with_defaults(original: Any) -> Any:
    @functools.wraps(original)
    def _validate_network(self: Service, nc: dict[str, Any]) -> Any:
        fill_defaults(nc, self._account_id, self.region_name)  # pylint: disable=protected-access
        return original(self, nc)

    return _validate_network


def _validate_update(original: Any) -> Any:
    @functools.wraps(original)
    def update_service(self: EC2ContainerServiceBackend, service_properties: dict[str, Any]) -> Any:
        network_configuration = service_properties.get("network_configuration")
        if network_configuration:
            service = self._get_service(  # pylint: disable=protected-access
                service_properties.get("cluster", "default"), service_properties["service"].split("/")[-1]
            )
            service._validate_network(network_configuration)  # pylint: disable=protected-access
        return original(self, service_properties)

    return update_service


# The order in which this and the other ECS service extensions wrap these methods: WRAP_ORDER in __init__.py.
PATCHES = (
    Patch(Service, "_validate_network", _validate_with_defaults),
    Patch(EC2ContainerServiceBackend, "update_service", _validate_update),
)


def is_installed() -> bool:
    return _patching.installed(__name__, PATCHES)


def install() -> None:
    _patching.install(__name__, PATCHES)
