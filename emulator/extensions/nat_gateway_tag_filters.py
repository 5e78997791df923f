"""DescribeNatGateways: honour the ``tag:<Key>`` and ``tag-key`` filters.

moto 5.2.5's ``NatGatewayBackend.describe_nat_gateways`` only knows nat-gateway-id, vpc-id, subnet-id and state and
silently ignores tag filters, so a lookup such as ``tag:Stack=prod`` returns every NAT gateway of the region.
Idempotent roles that find "their" NAT gateway by tag would then adopt someone else's.

The wrapper takes the tag filters out, lets moto apply the rest exactly as before, and then narrows the result
with moto's own ``tag_filter_matches`` (the helper its other EC2 filters use, so ``*``/``?`` wildcards behave
the same way).
"""

from __future__ import annotations

import functools
from typing import Any

from moto.ec2.models.nat_gateways import NatGateway, NatGatewayBackend
from moto.ec2.utils import tag_filter_matches

from emulator.extensions import _patching
from emulator.extensions._patching import Patch


def is_supported_tag_filter(filter_name: str) -> bool:
    # tag-value is not a DescribeNatGateways filter on AWS, so it stays moto's business.
    return filter_name.startswith("tag:") or filter_name == "tag-key"


def _describe_with_tag_filters(original: Any) -> Any:
    @functools.wraps(original)
    def describe_nat_gateways(self: Any, filters: Any, nat_gateway_ids: list[str] | None) -> list[NatGateway]:
        if not filters:
            return original(self, filters, nat_gateway_ids)
        tag_filters = {name: values for name, values in filters.items() if is_supported_tag_filter(name)}
        other_filters = {name: values for name, values in filters.items() if name not in tag_filters}
        nat_gateways = original(self, other_filters, nat_gateway_ids)
        return [
            nat_gateway
            for nat_gateway in nat_gateways
            if all(tag_filter_matches(nat_gateway, name, values) for name, values in tag_filters.items())
        ]

    return describe_nat_gateways


# EC2Backend inherits the method from NatGatewayBackend, so patching the mixin covers every region/account.
PATCHES = (Patch(NatGatewayBackend, "describe_nat_gateways", _describe_with_tag_filters),)


def is_installed() -> bool:
    return _patching.installed(__name__, PATCHES)


def install() -> None:
    _patching.install(__name__, PATCHES)
