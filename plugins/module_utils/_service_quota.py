# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Manager behind cloudops.fargate.service_quota_info, and its pure helpers.

A quota's value for the account is the applied one (Service Quotas GetServiceQuota) when the account has one; an
adjustable quota never raised has none, and GetServiceQuota answers ``NoSuchResourceException``: then AWS's default
applies (GetAWSDefaultServiceQuota). When Service Quotas cannot be read at all (no ``servicequotas:Get*`` permission,
a partition without the service), the value AWS documents for the quota is used and the result says so.

What a stack would add is compared with what the region already uses, so a run is warned before it meets
``AddressLimitExceeded`` halfway through a build.
"""

from __future__ import annotations

import re
from typing import Any

from ansible_collections.cloudops.fargate.plugins.module_utils._common import BaseResourceManager
from ansible_collections.cloudops.fargate.plugins.module_utils._common import InputError
from ansible_collections.cloudops.fargate.plugins.module_utils._common import call
from ansible_collections.cloudops.fargate.plugins.module_utils._common import error_code

# The quotas a stack can run into, with AWS's documented defaults: what is used when Service Quotas cannot be read.
# EC2 user guide, "Elastic IP address quota"; AWS Client VPN administrator guide, "AWS Client VPN quotas";
# Amazon VPC user guide, "Amazon VPC quotas".
DOCUMENTED = {
    ("ec2", "L-0263D0A3"): ("EC2-VPC Elastic IPs", 5.0),
    ("ec2", "L-8EA77D34"): ("Client VPN endpoints per Region", 5.0),
    ("vpc", "L-FE5A380F"): ("NAT gateways per Availability Zone", 5.0),
    ("vpc", "L-29B6F2EB"): ("Interface VPC endpoints per VPC", 50.0),
    ("vpc", "L-F678F1CE"): ("VPCs per Region", 5.0),
}

# Service Quotas shapes ServiceCode and QuotaCode: 1 to 63 and 1 to 128 of letters, digits, "-" and "_"
_SERVICE_CODE = re.compile(r"^[A-Za-z0-9-_]{1,63}$")
_QUOTA_CODE = re.compile(r"^[A-Za-z0-9-_]{1,128}$")
# Service Quotas cannot be read here: a missing permission, or a partition without the service.
_UNREADABLE = ("AccessDeniedException", "AccessDenied", "UnrecognizedClientException", "NoSuchResourceException")


def wanted_quotas(quotas: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The quotas to read, checked: each names its service and quota code; ``in_use`` and ``needed`` are counts."""
    errors = []
    for index, quota in enumerate(quotas):
        where = f"quotas[{index}]"
        if not _SERVICE_CODE.match(quota["service_code"] or ""):
            errors.append(f"{where}.service_code ({quota['service_code']!r}) must be a Service Quotas service code, such as ec2.")
        if not _QUOTA_CODE.match(quota["quota_code"] or ""):
            errors.append(f"{where}.quota_code ({quota['quota_code']!r}) must be a Service Quotas quota code, such as L-0263D0A3.")
        for count in ("in_use", "needed"):
            if quota.get(count) is not None and quota[count] < 0:
                errors.append(f"{where}.{count} ({quota[count]}) must be 0 or more.")
    if errors:
        raise InputError.of(errors)
    return quotas


def verdict(quota: dict[str, Any], name: str, value: float, source: str) -> dict[str, Any]:
    """The module's entry for one quota: its value, and whether what is in use plus what is needed exceeds it."""
    in_use, needed = quota.get("in_use"), quota.get("needed")
    result = {
        "service_code": quota["service_code"],
        "quota_code": quota["quota_code"],
        "name": name,
        "value": value,
        "source": source,
        "in_use": in_use,
        "needed": needed,
        "exceeded": in_use is not None and needed is not None and needed > 0 and in_use + needed > value,
    }
    if quota.get("purpose"):
        result["purpose"] = quota["purpose"]
    return result


def warning(entry: dict[str, Any], region: str) -> str:
    """What the user reads when a quota would be exceeded, and what to do about it."""
    purpose = f" for {entry['purpose']}" if entry.get("purpose") else ""
    return (
        f"{entry['name']} ({entry['service_code']} {entry['quota_code']}): {entry['needed']:g} more needed{purpose}, "
        f"{entry['in_use']:g} of {entry['value']:g} already in use in {region}. Free some, or request an increase "
        f"in Service Quotas (aws service-quotas request-service-quota-increase --service-code {entry['service_code']} "
        f"--quota-code {entry['quota_code']} --desired-value {entry['in_use'] + entry['needed']:g}) before the run."
    )


class ServiceQuotaInfoManager(BaseResourceManager):
    def __init__(self, module) -> None:
        super().__init__(module)
        self.quotas_client = self.client("service-quotas")
        self.readable = True

    def read(self, quota: dict[str, Any]) -> dict[str, Any]:
        key = (quota["service_code"], quota["quota_code"])
        request = {"ServiceCode": key[0], "QuotaCode": key[1]}
        found = None
        if self.readable:
            found = call(
                self.quotas_client.get_service_quota, f"read quota {key[1]} of {key[0]}",
                answers={_UNREADABLE: None}, **request,
            )
            if found is None:
                found = call(
                    self.quotas_client.get_aws_default_service_quota, f"read the default of quota {key[1]} of {key[0]}",
                    answers={_UNREADABLE: self._unreadable}, **request,
                )
                source = "default"
            else:
                source = "applied"
        if found:
            return verdict(quota, found["Quota"].get("QuotaName", key[1]), float(found["Quota"]["Value"]), source)
        if key not in DOCUMENTED:
            self.module.warn(f"Quota {key[1]} of {key[0]} could not be read, and AWS documents no value for it here.")
            return verdict(quota, key[1], float("inf"), "unknown")
        name, value = DOCUMENTED[key]
        return verdict(quota, name, value, "documented")

    def _unreadable(self, exception: BaseException) -> None:
        """Service Quotas answered that it cannot be read: later quotas skip it and use the documented values."""
        if error_code(exception) != "NoSuchResourceException":
            self.readable = False
            self.module.warn(
                f"Service Quotas cannot be read ({error_code(exception)}): using the values AWS documents, "
                "which an increase on this account would have raised."
            )
        return None
