"""The pure helpers of cloudops.fargate.service_quota_info: the quotas asked for, the verdict on each, and the warning
a user reads (the manager runs against the emulator in tests/unit/plugins/modules/test_service_quota_info.py)."""

from __future__ import annotations

import pytest

from ansible_collections.cloudops.fargate.plugins.module_utils import _service_quota as sq
from ansible_collections.cloudops.fargate.plugins.module_utils._common import InputError


def quota(**extra):
    return dict({"service_code": "ec2", "quota_code": "L-0263D0A3", "in_use": None, "needed": None, "purpose": None}, **extra)


@pytest.mark.parametrize(
    "bad, message",
    [
        ({"service_code": "ec2 "}, "quotas[0].service_code ('ec2 ') must be a Service Quotas service code"),
        ({"service_code": ""}, "quotas[0].service_code ('') must be"),
        ({"quota_code": "L 0263"}, "quotas[0].quota_code ('L 0263') must be a Service Quotas quota code"),
        ({"in_use": -1}, "quotas[0].in_use (-1) must be 0 or more."),
        ({"needed": -2}, "quotas[0].needed (-2) must be 0 or more."),
    ],
)
def test_bad_quotas_are_named(bad, message):
    with pytest.raises(InputError) as raised:
        sq.wanted_quotas([quota(**bad)])
    assert message in str(raised.value)


def test_every_bad_quota_is_named_at_once():
    with pytest.raises(InputError) as raised:
        sq.wanted_quotas([quota(in_use=-1), quota(), quota(quota_code="")])
    assert "quotas[0].in_use" in str(raised.value) and "quotas[2].quota_code" in str(raised.value)


@pytest.mark.parametrize(
    "in_use, needed, exceeded",
    [
        (4, 1, False),  # exactly at the quota: allowed
        (5, 1, True),
        (4, 2, True),
        (9, 0, False),  # above the quota already, but the run adds nothing
        (None, 3, False),  # without a count there is nothing to judge
        (3, None, False),
    ],
)
def test_verdict_judges_what_the_run_adds(in_use, needed, exceeded):
    entry = sq.verdict(quota(in_use=in_use, needed=needed), "EC2-VPC Elastic IPs", 5.0, "default")
    assert entry["exceeded"] is exceeded
    assert (entry["value"], entry["source"], entry["name"]) == (5.0, "default", "EC2-VPC Elastic IPs")
    assert "purpose" not in entry


def test_warning_names_the_quota_the_counts_and_the_increase_to_request():
    entry = sq.verdict(quota(in_use=4, needed=2, purpose="the stack's NAT gateways"), "EC2-VPC Elastic IPs", 5.0, "applied")
    assert sq.warning(entry, "eu-west-1") == (
        "EC2-VPC Elastic IPs (ec2 L-0263D0A3): 2 more needed for the stack's NAT gateways, 4 of 5 already in use in "
        "eu-west-1. Free some, or request an increase in Service Quotas (aws service-quotas "
        "request-service-quota-increase --service-code ec2 --quota-code L-0263D0A3 --desired-value 6) before the run."
    )


def test_documented_values_are_aws_defaults():
    assert sq.DOCUMENTED[("ec2", "L-0263D0A3")] == ("EC2-VPC Elastic IPs", 5.0)
    assert sq.DOCUMENTED[("ec2", "L-8EA77D34")] == ("Client VPN endpoints per Region", 5.0)
