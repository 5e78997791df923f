# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Names that depend on the AWS partition (``aws``, ``aws-cn``, ``aws-us-gov``) or on the region.

- ``arn_partition``: the partition of an ARN, e.g. of amazon.aws.aws_caller_info's ``arn`` (the module returns no
  ``partition`` of its own), so every ARN a role builds is in the caller's partition.
- ``elb_log_delivery_principal``: who writes ALB access logs to the bucket. Regions available before August 2022
  (including China and GovCloud) deliver from a regional ELB account, ``arn:<partition>:iam::<account>:root``;
  newer regions through the ``logdelivery.elasticloadbalancing.amazonaws.com`` service principal (Elastic Load
  Balancing user guide, "Enable access logs for your Application Load Balancer", step 2).
- ``vpc_endpoint_service_name``: the China regions name many interface endpoint services
  ``cn.com.amazonaws.<region>.<service>`` and others ``com.amazonaws.<region>.<service>``; the region's own list
  (amazon.aws.ec2_vpc_endpoint_service_info) says which.
"""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

ELB_LOG_DELIVERY_SERVICE = "logdelivery.elasticloadbalancing.amazonaws.com"


def arn_partition(arn):
    """``aws`` of ``arn:aws:sts::123456789012:assumed-role/x/y``, ``aws-cn`` of ``arn:aws-cn:...``."""
    parts = arn.split(":") if isinstance(arn, str) else []
    if len(parts) < 6 or parts[0] != "arn" or not parts[1]:
        raise AnsibleFilterError(f"arn_partition: {arn!r} is not an ARN (arn:<partition>:<service>:<region>:<account>:...)")
    return parts[1]


def elb_log_delivery_principal(region, partition, accounts):
    """The bucket policy principal that lets the ELB log delivery of ``region`` write: the region's ELB account
    (``accounts``: region -> account id) in ``partition``, or the log delivery service for a region not in it."""
    if not region:
        raise AnsibleFilterError("elb_log_delivery_principal: the region is empty")
    account = (accounts or {}).get(region)
    if account:
        return {"AWS": f"arn:{partition}:iam::{account}:root"}
    return {"Service": ELB_LOG_DELIVERY_SERVICE}


def vpc_endpoint_service_name(service, region, available=None):
    """``com.amazonaws.<region>.<service>``, or ``cn.com.amazonaws.<region>.<service>`` when only that one is in
    ``available`` (the region's endpoint service names). With no list, the standard name."""
    standard = f"com.amazonaws.{region}.{service}"
    names = set(available or [])
    if standard not in names and f"cn.{standard}" in names:
        return f"cn.{standard}"
    return standard


class FilterModule:
    def filters(self):
        return {
            "arn_partition": arn_partition,
            "elb_log_delivery_principal": elb_log_delivery_principal,
            "vpc_endpoint_service_name": vpc_endpoint_service_name,
        }
