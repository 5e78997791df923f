"""cloudops.fargate.service_quota_info against moto in this process, with the emulator's Service Quotas extension
(moto 5.2.5 knows only the vpc quotas): values, the warning about a quota a run would exceed, and the documented
values when Service Quotas cannot be read."""

from __future__ import annotations

import botocore.client
import botocore.exceptions
import pytest

from ansible_collections.cloudops.fargate.plugins.modules import service_quota_info
from tests.unit.helpers import assert_ok

ELASTIC_IPS = {"service_code": "ec2", "quota_code": "L-0263D0A3"}
VPN_ENDPOINTS = {"service_code": "ec2", "quota_code": "L-8EA77D34"}
NAT_PER_ZONE = {"service_code": "vpc", "quota_code": "L-FE5A380F"}


@pytest.fixture(autouse=True)
def quotas_extension():
    from emulator.extensions import service_quotas

    service_quotas.install()


@pytest.fixture
def run(run_module, calls, aws):
    def run_quota_info(args, check_mode=False):
        calls.clear()
        return run_module(service_quota_info, args, check_mode=check_mode)

    return run_quota_info


def test_values_are_read_from_service_quotas_and_nothing_is_exceeded(run, calls):
    result = run({"quotas": [ELASTIC_IPS, VPN_ENDPOINTS, NAT_PER_ZONE]}, check_mode=True)
    assert_ok(result, changed=False)
    assert [(q["name"], q["value"]) for q in result["quotas"]] == [
        ("EC2-VPC Elastic IPs", 5.0),
        ("Client VPN endpoints per Region", 5.0),
        ("NAT gateways per Availability Zone", 5.0),
    ]
    assert {q["source"] for q in result["quotas"]} <= {"applied", "default"}
    assert result["exceeded"] == [] and "warnings" not in result
    assert {operation for _service, operation in calls} <= {"GetServiceQuota", "GetAWSDefaultServiceQuota"}


def test_a_run_that_would_exceed_a_quota_is_warned_with_the_counts_and_the_increase(run):
    wanted = [
        dict(ELASTIC_IPS, in_use=4, needed=2, purpose="the stack's NAT gateways"),
        dict(VPN_ENDPOINTS, in_use=4, needed=1),
    ]
    result = run({"quotas": wanted})
    assert_ok(result, changed=False)
    assert [q["quota_code"] for q in result["exceeded"]] == ["L-0263D0A3"]
    (warning,) = result["warnings"]
    assert warning.startswith(
        "EC2-VPC Elastic IPs (ec2 L-0263D0A3): 2 more needed for the stack's NAT gateways, 4 of 5 already in use in "
    )
    assert "--desired-value 6" in warning


def test_without_access_to_service_quotas_the_documented_values_stand_with_a_warning(run, monkeypatch):
    original = botocore.client.BaseClient._make_api_call

    def denied(self, operation_name, api_params):
        if self.meta.service_model.service_name == "service-quotas":
            error = {"Error": {"Code": "AccessDeniedException", "Message": "not authorized"}}
            raise botocore.exceptions.ClientError(error, operation_name)
        return original(self, operation_name, api_params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", denied)
    result = run({"quotas": [dict(ELASTIC_IPS, in_use=5, needed=1), VPN_ENDPOINTS]})
    assert_ok(result, changed=False)
    assert [(q["source"], q["value"]) for q in result["quotas"]] == [("documented", 5.0), ("documented", 5.0)]
    assert any("Service Quotas cannot be read (AccessDeniedException)" in w for w in result["warnings"])
    assert any(w.startswith("EC2-VPC Elastic IPs (ec2 L-0263D0A3): 1 more needed") for w in result["warnings"])


@pytest.mark.parametrize(
    "bad, message",
    [
        ({"service_code": "ec2", "quota_code": "L 1"}, "quotas[0].quota_code ('L 1') must be a Service Quotas quota code"),
        (dict(ELASTIC_IPS, needed=-1), "quotas[0].needed (-1.0) must be 0 or more."),
    ],
)
def test_bad_input_fails_before_any_call(run, calls, bad, message):
    result = run({"quotas": [bad]})
    assert result["failed"] and message in result["msg"]
    assert calls == []
