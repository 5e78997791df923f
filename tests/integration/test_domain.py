"""The load balancer on a real domain (loadbalancer_domain_name) through site.yml on the local inventory, read back
with boto3: an ACM certificate validated by DNS in the account's public hosted zone, alias records of the ALB, the
refusals before anything changes, and a teardown that leaves the zone and the user's records."""

from __future__ import annotations

import json
import urllib.request

import pytest

from tests.integration.conftest import reset_emulator
from tools import iam_policy

LAYERS = ["--tags", "network,loadbalancer"]
ROLE_ALONE = ["--tags", "loadbalancer"]
# The load balancer needs the network's subnets and groups, not its endpoints or flow logs.
LEAN_NETWORK = {"network_vpc_endpoints_enabled": False, "network_flow_logs_enabled": False}
ALB_NAME = "demo-local-alb"
ZONE = "example.com"
DOMAIN = {
    **LEAN_NETWORK,
    "loadbalancer_domain_name": "app.example.com",
    "loadbalancer_domain_aliases": ["www.app.example.com"],
}
# A record of the zone the stack did not write.
USERS_RECORD = {"Name": "mail.example.com.", "Type": "A", "TTL": 300, "ResourceRecords": [{"Value": "192.0.2.25"}]}


OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # the emulator is local: no proxy


def calls_during(endpoint: str, run_it):
    """What ``run_it()`` returns, and the IAM actions of the calls the emulator counted meanwhile."""

    def counts() -> dict[str, int]:
        with OPENER.open(f"{endpoint}/_emulator/requests", timeout=10) as response:
            return json.load(response)["by_action"]

    before = counts()
    result = run_it()
    after = counts()
    actions, unknown = iam_policy.iam_actions([k for k, n in after.items() if n != before.get(k, 0)])
    assert unknown == []
    return result, actions


def hosted_zone_id(aws) -> str:
    (zone,) = [z for z in aws("route53").list_hosted_zones()["HostedZones"] if z["Name"] == ZONE + "."]
    return zone["Id"].split("/")[-1]


def records(aws) -> list[dict]:
    return aws("route53").list_resource_record_sets(HostedZoneId=hosted_zone_id(aws))["ResourceRecordSets"]


def stack_certificates(aws) -> list[dict]:
    acm = aws("acm")
    found = []
    summaries = acm.list_certificates(Includes={"keyTypes": ["RSA_2048", "EC_prime256v1", "EC_secp384r1"]})
    for summary in summaries["CertificateSummaryList"]:
        arn = summary["CertificateArn"]
        tags = {t["Key"]: t["Value"] for t in acm.list_tags_for_certificate(CertificateArn=arn)["Tags"]}
        if tags.get("Stack") == "demo":
            found.append(acm.describe_certificate(CertificateArn=arn)["Certificate"])
    return found


def load_balancer(aws) -> dict | None:
    found = [lb for lb in aws("elbv2").describe_load_balancers()["LoadBalancers"] if lb["LoadBalancerName"] == ALB_NAME]
    return found[0] if found else None


def stack_vpcs(aws) -> list[dict]:
    return aws("ec2").describe_vpcs(Filters=[{"Name": "tag:Stack", "Values": ["demo"]}])["Vpcs"]


@pytest.fixture(scope="module")
def account(emulator_endpoint, aws):
    """A fresh account with the user's public hosted zone, as a user's account has one, holding a record of theirs."""
    reset_emulator(emulator_endpoint)
    route53 = aws("route53")
    zone = route53.create_hosted_zone(Name=ZONE, CallerReference="test-domain")["HostedZone"]
    route53.change_resource_record_sets(
        HostedZoneId=zone["Id"], ChangeBatch={"Changes": [{"Action": "CREATE", "ResourceRecordSet": USERS_RECORD}]}
    )
    return zone


def refused(run, *names: str) -> str:
    assert run.returncode != 0
    message = " ".join(run.failure_messages().split())
    for name in names:
        assert name in message, message
    return message


@pytest.mark.parametrize(
    ("extra_vars", "names"),
    [
        ({"loadbalancer_hosted_zone": "example.org"}, ["loadbalancer_hosted_zone", "app.example.com"]),
        (
            {"loadbalancer_certificate_arn": "arn:aws:acm:us-east-1:123456789012:certificate/0d1e2f3a"},
            ["loadbalancer_domain_name", "loadbalancer_certificate_arn"],
        ),
        ({"loadbalancer_domain_name": "app_1.example.com"}, ["loadbalancer_domain_name"]),
        (
            {"loadbalancer_domain_name": "", "loadbalancer_domain_aliases": ["www.example.com"]},
            ["loadbalancer_domain_aliases"],
        ),
    ],
    ids=["domain-outside-the-zone", "domain-and-certificate-arn", "not-a-dns-name", "aliases-without-domain"],
)
def test_bad_inputs_fail_before_anything_changes_naming_the_variable(account, playbook, aws, extra_vars, names):
    run = playbook(args=LAYERS, extra_vars={**DOMAIN, **extra_vars})
    refused(run, *names)
    assert run.changed() == 0
    assert stack_vpcs(aws) == []


@pytest.mark.parametrize(
    ("extra_vars", "names"),
    [
        # No public zone is named app.example.net, example.net or net.
        (
            {"loadbalancer_domain_name": "app.example.net", "loadbalancer_domain_aliases": []},
            ["loadbalancer_domain_name", "app.example.net"],
        ),
        # The zone given by id: what is outside it is known once the zone is read.
        (
            {"loadbalancer_domain_aliases": ["www.example.org"], "loadbalancer_hosted_zone": "<zone id>"},
            ["loadbalancer_domain_aliases", "www.example.org"],
        ),
        # The user's record is never replaced.
        ({"loadbalancer_domain_aliases": ["mail.example.com"]}, ["mail.example.com"]),
    ],
    ids=["no-zone-of-the-domain", "alias-outside-the-zone-given-by-id", "name-taken-by-a-users-record"],
)
def test_what_needs_the_zone_fails_before_the_layer_changes_anything(account, playbook, aws, extra_vars, names):
    if extra_vars.get("loadbalancer_hosted_zone") == "<zone id>":
        extra_vars = {**extra_vars, "loadbalancer_hosted_zone": hosted_zone_id(aws)}
    run = playbook(args=ROLE_ALONE, extra_vars={**DOMAIN, **extra_vars})
    refused(run, *names)
    assert run.changed() == 0
    assert stack_certificates(aws) == []
    assert [r["Name"] for r in records(aws) if r["Type"] not in ("NS", "SOA")] == [USERS_RECORD["Name"]]


@pytest.fixture(scope="module")
def built_and_its_calls(account, playbook, emulator_endpoint):
    run, actions = calls_during(emulator_endpoint, lambda: playbook(args=LAYERS, extra_vars=DOMAIN))
    assert run.returncode == 0, run.failure_messages()
    return run, actions


@pytest.fixture(scope="module")
def built(built_and_its_calls):
    return built_and_its_calls[0]


def test_the_operator_policy_allows_every_call_of_the_build(built_and_its_calls):
    _run, actions = built_and_its_calls
    assert {"acm:RequestCertificate", "route53:ListHostedZones", "route53:ChangeResourceRecordSets"} <= set(actions)
    assert iam_policy.missing(actions, iam_policy.load_policies(iam_policy.DEFAULT_POLICIES)) == []


def test_the_certificate_is_requested_for_the_names_and_issued_once_validated(built, aws):
    (certificate,) = stack_certificates(aws)  # requested, no self-signed one imported
    assert certificate["Type"] == "AMAZON_ISSUED"
    assert certificate["Status"] == "ISSUED"
    assert certificate["DomainName"] == "app.example.com"
    assert certificate["SubjectAlternativeNames"] == ["app.example.com", "www.app.example.com"]
    cnames = {(r["Name"], r["ResourceRecords"][0]["Value"]) for r in records(aws) if r["Type"] == "CNAME"}
    wanted = {
        (o["ResourceRecord"]["Name"], o["ResourceRecord"]["Value"]) for o in certificate["DomainValidationOptions"]
    }
    assert len(wanted) == 2
    assert wanted <= cnames


def test_the_listener_waited_for_acm_to_issue_the_certificate(built):
    # Requested in this run, the certificate was pending until ACM saw its records: ELB would have refused it.
    (waited,) = built.task_results("Wait for ACM to issue the domain's certificate")
    assert not waited.get("skipped"), waited
    assert waited["certificates"][0]["status"] == "ISSUED"


def test_the_https_listener_serves_the_requested_certificate(built, aws):
    (certificate,) = stack_certificates(aws)
    listeners = aws("elbv2").describe_listeners(LoadBalancerArn=load_balancer(aws)["LoadBalancerArn"])["Listeners"]
    (https,) = [listener for listener in listeners if listener["Port"] == 443]
    assert https["Certificates"] == [{"CertificateArn": certificate["CertificateArn"]}]
    (published,) = built.task_results("Publish the load balancer's outputs")
    assert published["ansible_facts"]["loadbalancer_certificate_arn_in_use"] == certificate["CertificateArn"]


def test_each_name_is_an_ipv4_alias_of_the_load_balancer(built, aws):
    alb = load_balancer(aws)
    aliases = {(r["Name"], r["Type"]): r["AliasTarget"] for r in records(aws) if "AliasTarget" in r}
    # The ALB answers on IPv4 only: no AAAA record, which would answer no address.
    assert set(aliases) == {("app.example.com.", "A"), ("www.app.example.com.", "A")}
    for target in aliases.values():
        assert target["DNSName"].rstrip(".").lower() == alb["DNSName"].lower()
        assert target["HostedZoneId"] == alb["CanonicalHostedZoneId"]


def test_the_service_url_is_the_domain(built):
    (summary,) = built.task_results("Show the stack's outputs")
    assert summary["msg"]["service_url"] == "https://app.example.com"


def test_a_second_run_and_a_check_run_change_nothing(built, playbook):
    again = playbook(args=LAYERS, extra_vars=DOMAIN)
    assert again.returncode == 0, again.failure_messages()
    assert again.changed() == 0, again.changed_tasks()
    checked = playbook(args=LAYERS, extra_vars=DOMAIN, check=True)
    assert checked.returncode == 0, checked.failure_messages()
    assert checked.changed() == 0, checked.changed_tasks()


OTHER_NAMES = {**DOMAIN, "loadbalancer_domain_aliases": ["api.app.example.com"]}


def test_other_names_switch_the_listener_to_a_new_certificate_and_remove_what_only_the_old_names_had(
    built, playbook, aws
):
    (old,) = stack_certificates(aws)
    run = playbook(args=ROLE_ALONE, extra_vars=OTHER_NAMES)
    assert run.returncode == 0, run.failure_messages()

    (new,) = stack_certificates(aws)  # the old one deleted once the listener let go of it
    assert new["CertificateArn"] != old["CertificateArn"]
    assert new["SubjectAlternativeNames"] == ["app.example.com", "api.app.example.com"]
    listeners = aws("elbv2").describe_listeners(LoadBalancerArn=load_balancer(aws)["LoadBalancerArn"])["Listeners"]
    (https,) = [listener for listener in listeners if listener["Port"] == 443]
    assert https["Certificates"] == [{"CertificateArn": new["CertificateArn"]}]
    zone = records(aws)
    assert {r["Name"] for r in zone if "AliasTarget" in r} == {"app.example.com.", "api.app.example.com."}
    # www's validation record went with the name; app's validates the new certificate too.
    validated = {o["DomainName"]: o["ResourceRecord"]["Name"] for o in old["DomainValidationOptions"]}
    cnames = {r["Name"] for r in zone if r["Type"] == "CNAME"}
    assert validated["www.app.example.com"] not in cnames
    assert validated["app.example.com"] in cnames


def test_teardown_removes_the_records_and_certificate_and_keeps_the_zone_and_the_users_record(
    built, playbook, aws, emulator_endpoint
):
    run, actions = calls_during(
        emulator_endpoint, lambda: playbook("playbooks/teardown.yml", args=ROLE_ALONE, extra_vars=OTHER_NAMES)
    )
    assert run.returncode == 0, run.failure_messages()
    assert iam_policy.missing(actions, iam_policy.load_policies(iam_policy.DEFAULT_POLICIES)) == []
    assert load_balancer(aws) is None
    assert stack_certificates(aws) == []
    left = [(r["Name"], r["Type"]) for r in records(aws)]
    assert sorted(left) == sorted([("example.com.", "NS"), ("example.com.", "SOA"), ("mail.example.com.", "A")])
    again = playbook("playbooks/teardown.yml", args=ROLE_ALONE, extra_vars=OTHER_NAMES)
    assert again.returncode == 0, again.failure_messages()
    assert again.changed() == 0, again.changed_tasks()
