"""cloudops.fargate.acm_certificate_info against moto in this process: the certificate acm_certificate imported under a
name, found by its identity tags, with the resources ACM lists as its users."""

from __future__ import annotations

import pytest

from ansible_collections.cloudops.fargate.plugins.modules import acm_certificate
from ansible_collections.cloudops.fargate.plugins.modules import acm_certificate_info
from tests.unit.helpers import assert_ok
from tests.unit.helpers import key_pem
from tests.unit.helpers import make_certificate
from tests.unit.helpers import pem
from tests.unit.plugins.modules.test_acm_certificate import LISTENER
from tests.unit.plugins.modules.test_acm_certificate import acm_issues_like_aws  # noqa: F401  # pylint: disable=W0611
from tests.unit.plugins.modules.test_acm_certificate import acm_like_aws  # noqa: F401  # pylint: disable=unused-import
from tests.unit.plugins.modules.test_acm_certificate import set_in_use

NAME = "unit-alb"
IDENTITY = {"Stack": "unit", "Environment": "local"}


@pytest.fixture
def imported(run_module, aws, acm_like_aws):  # noqa: F811  # pylint: disable=redefined-outer-name
    """Imports a certificate under NAME for the stack; returns a function that imports more."""

    def import_one(name=NAME, tags=None):
        certificate, key = make_certificate()
        result = run_module(
            acm_certificate,
            {"name": name, "certificate": pem(certificate), "private_key": key_pem(key), "tags": tags or IDENTITY},
        )
        assert_ok(result, changed=True)
        return result["certificate"]

    return import_one


@pytest.fixture
def info(run_module):
    def run_info(args, check_mode=False):
        return run_module(acm_certificate_info, args, check_mode=check_mode)

    return run_info


def test_finds_the_certificate_of_the_name_and_stack_as_acm_certificate_returns_it(imported, info):
    certificate = imported()
    imported(tags={"Stack": "other", "Environment": "local"})  # same name, another stack
    result = info({"name": NAME, "tags": dict(IDENTITY, CostCenter="ignored")})
    assert_ok(result, changed=False)
    assert result["certificates"] == [certificate]
    assert result["certificates"][0]["in_use_by"] == []


def test_lists_the_resources_acm_says_use_it(imported, info):
    certificate = imported()
    set_in_use(certificate["certificate_arn"])
    (found,) = info({"name": NAME, "tags": IDENTITY}, check_mode=True)["certificates"]
    assert found["in_use_by"] == [LISTENER]


def test_no_certificate_of_the_name_is_an_empty_list(imported, info):
    imported(name="unit-other")
    result = info({"name": NAME, "tags": IDENTITY})
    assert_ok(result, changed=False)
    assert result["certificates"] == []


def test_two_certificates_with_the_same_identity_fail_naming_them(imported, info):
    first = imported()
    # A copy imported by other means, with the same tags.
    from moto.acm.models import acm_backends
    from moto.core import DEFAULT_ACCOUNT_ID

    certificate, key = make_certificate()
    backend = acm_backends[DEFAULT_ACCOUNT_ID]["us-east-1"]
    tags = [{"Key": "Name", "Value": NAME}] + [{"Key": k, "Value": v} for k, v in IDENTITY.items()]
    second = backend.import_certificate(pem(certificate).encode(), key_pem(key).encode(), None, None, tags)
    result = info({"name": NAME, "tags": IDENTITY})
    assert result["failed"]
    assert first["certificate_arn"] in result["msg"] and second in result["msg"]


def test_a_name_that_cannot_be_a_certificate_s_fails_naming_the_option(info):
    result = info({"name": " "})
    assert result["failed"]
    assert "name must be a non-empty string" in result["msg"]


# --- requested certificates ------------------------------------------------------------------------------------------


@pytest.fixture
def requested(run_module, aws, acm_issues_like_aws):  # noqa: F811  # pylint: disable=redefined-outer-name
    """Requests a certificate under NAME for the stack with acm_certificate; returns a function that requests more."""

    def request_one(domain="app.example.com", alternative_names=(), name=NAME, tags=None):
        args = {"name": name, "domain_name": domain, "subject_alternative_names": list(alternative_names)}
        result = run_module(acm_certificate, dict(args, tags=tags or IDENTITY))
        assert_ok(result, changed=True)
        return result["certificate"]

    return request_one


def test_returns_the_requested_certificates_with_status_and_records_then_the_imported_one(requested, imported, info):
    older = requested()
    newer = requested("api.example.com")
    certificate = imported()
    requested(name="unit-other")
    requested(tags={"Stack": "other"})

    result = info({"name": NAME, "tags": IDENTITY})
    assert_ok(result, changed=False)
    found_arns = [c["certificate_arn"] for c in result["certificates"]]
    assert sorted(found_arns[:2]) == sorted([older["certificate_arn"], newer["certificate_arn"]])
    assert result["certificates"][2:] == [certificate]
    found = {c["certificate_arn"]: c for c in result["certificates"][:2]}
    assert found[older["certificate_arn"]] == older
    assert found[newer["certificate_arn"]]["status"] == "PENDING_VALIDATION"
    assert found[newer["certificate_arn"]]["validation_records"][0]["domain_name"] == "api.example.com"


def test_domain_name_narrows_to_the_certificates_of_those_names(requested, info):
    wide = requested("app.example.com", ["www.app.example.com"])
    requested("app.example.com")
    result = info(
        {
            "name": NAME,
            "tags": IDENTITY,
            "domain_name": "APP.example.com",
            "subject_alternative_names": ["www.app.example.com"],
        },
        check_mode=True,
    )
    assert_ok(result, changed=False)
    assert result["certificates"] == [wide]
    assert info({"name": NAME, "tags": IDENTITY, "domain_name": "none.example.com"})["certificates"] == []


def test_a_bad_domain_name_fails_naming_the_option(info):
    result = info({"name": NAME, "domain_name": "app.example.com."})
    assert result["failed"]
    assert "domain_name 'app.example.com.' must not end with a period" in result["msg"]
