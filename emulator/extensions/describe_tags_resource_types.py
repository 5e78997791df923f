"""DescribeTags: speak AWS's resource type names in the ``resource-type`` filter and in ``ResourceType``.

moto 5.2.5's ``TagBackend.describe_tags`` names resource types by the keys of its internal
``EC2_RESOURCE_TO_PREFIX`` table, both when it applies the ``resource-type`` filter and in the ``ResourceType`` it
returns. For most types those keys are AWS's names, but not for all: a NAT gateway is ``nat-gateway`` to moto and
``natgateway`` to AWS, an Elastic IP ``vpc-elastic-ip`` instead of ``elastic-ip``, a flow log ``flow-logs`` instead of
``vpc-flow-log``, and so on (``AWS_TO_MOTO`` below). amazon.aws looks tags up with
``describe_ec2_tags(..., resource_type="natgateway")``, finds none on the NAT gateway, re-tags it and so
``ec2_vpc_nat_gateway`` reports ``changed`` on every run.

The wrapper translates AWS names in the ``resource-type`` filter to moto's before moto filters, and reports every
result's type by AWS's name. moto's own spelling of a renamed type (``nat-gateway``) no longer matches anything, as
on AWS, so the filter always agrees with the ``ResourceType`` returned. Other filters, and types whose names already
agree (``vpc``, ``subnet``, ...) or that AWS has no name for, are left to moto unchanged.
"""

from __future__ import annotations

import functools
from typing import Any

from moto.ec2.models.tags import TagBackend

from emulator.extensions import _patching
from emulator.extensions._patching import Patch

# AWS resource type (botocore's ec2 ``ResourceType`` enum) -> moto's key in moto.ec2.utils.EC2_RESOURCE_TO_PREFIX.
# Only real differences; tests/unit/emulator/test_describe_tags_resource_types.py checks both sides.
AWS_TO_MOTO = {
    "natgateway": "nat-gateway",
    "elastic-ip": "vpc-elastic-ip",
    "vpc-flow-log": "flow-logs",
    "reserved-instances": "reserved-instance",
    "spot-instances-request": "spot-instance-request",
    "dedicated-host": "dedicated_host",
    "prefix-list": "managed-prefix-list",
}
MOTO_TO_AWS = {moto_name: aws_name for aws_name, moto_name in AWS_TO_MOTO.items()}

# Stands in for a moto-only spelling in the filter: equal to no type, and keeps the filter non-empty (moto treats an
# empty value list as "no filter").
_MATCHES_NOTHING = "\0no-such-aws-resource-type"


def to_moto_filter_value(value: str) -> str:
    if value in AWS_TO_MOTO:
        return AWS_TO_MOTO[value]
    if value in MOTO_TO_AWS:
        return _MATCHES_NOTHING
    return value


def to_aws_resource_type(resource_type: str) -> str:
    return MOTO_TO_AWS.get(resource_type, resource_type)


def _describe_with_aws_resource_types(original: Any) -> Any:
    @functools.wraps(original)
    def describe_tags(self: Any, filters: dict[str, list[str]] | None = None) -> list[dict[str, str]]:
        if filters and "resource-type" in filters:
            filters = {**filters, "resource-type": [to_moto_filter_value(v) for v in filters["resource-type"]]}
        results = original(self, filters)
        for result in results:
            result["resource_type"] = to_aws_resource_type(result.get("resource_type", ""))
        return results

    return describe_tags


# EC2Backend inherits describe_tags from TagBackend (no other class in its MRO defines it), so patching the mixin covers
# every region/account, including TaggedEC2Resource.get_tags, which goes through ec2_backend.describe_tags.
PATCHES = (Patch(TagBackend, "describe_tags", _describe_with_aws_resource_types),)


def is_installed() -> bool:
    return _patching.installed(__name__, PATCHES)


def install() -> None:
    _patching.install(__name__, PATCHES)
