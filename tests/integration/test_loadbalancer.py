"""The load balancer layer through site.yml on the local inventory, read back with boto3. The role alone finding the
network by its tags and changing nothing on a second run is the molecule scenario's (extensions/molecule/loadbalancer);
here the role alone reconfigures access logs and tears down."""

from __future__ import annotations

import json

import pytest

from tests.integration.aws_state import account_inventory, tags_of
from tests.integration.conftest import realism, reset_emulator

LAYERS = ["--tags", "network,loadbalancer"]
# The load balancer needs the network's subnets and groups, not its endpoints or flow logs.
LEAN_NETWORK = {"network_vpc_endpoints_enabled": False, "network_flow_logs_enabled": False}
ROLE_ALONE = ["--tags", "loadbalancer"]
ALB_NAME = "demo-local-alb"
IDENTITY = {"Stack": "demo", "Environment": "local", "ManagedBy": "cloudops.fargate"}
TWO_SERVICES = {
    "loadbalancer_target_groups": [
        {"name": "web", "port": 8080},
        {"name": "api", "port": 8080, "health_check_path": "/api/healthz"},
    ],
    "loadbalancer_rules": [{"priority": 10, "target_group": "api", "path_patterns": ["/api/*"]}],
}


def load_balancer(aws) -> dict | None:
    elbv2 = aws("elbv2")
    found = [lb for lb in elbv2.describe_load_balancers()["LoadBalancers"] if lb["LoadBalancerName"] == ALB_NAME]
    return found[0] if found else None


def stack_target_groups(aws) -> dict[str, dict]:
    groups = aws("elbv2").describe_target_groups()["TargetGroups"]
    return {g["TargetGroupName"]: g for g in groups if g["TargetGroupName"].startswith("demo-local-")}


def stack_certificates(aws) -> list[dict]:
    acm = aws("acm")
    found = []
    for summary in acm.list_certificates()["CertificateSummaryList"]:
        tags = {t["Key"]: t["Value"] for t in acm.list_tags_for_certificate(CertificateArn=summary["CertificateArn"])["Tags"]}
        if tags.get("Stack") == "demo":
            found.append(dict(summary, Tags=tags))
    return found


@pytest.fixture(scope="module")
def converged(emulator_endpoint, playbook, aws):
    reset_emulator(emulator_endpoint)
    # ELB does not know a certificate imported a moment ago (CertificateNotFound) for longer than the layer takes
    # from the import to the listener, even on a loaded machine.
    realism(emulator_endpoint, behaviour_seconds={"certificate.import_visibility": 40})
    try:
        run = playbook(args=LAYERS, extra_vars={**LEAN_NETWORK, **TWO_SERVICES})
    finally:
        realism(emulator_endpoint, behaviour_seconds={})
    assert run.returncode == 0, run.failure_messages()
    return run


def test_a_certificate_elb_does_not_know_yet_is_retried_until_it_does(converged):
    (created,) = converged.task_results("Create the load balancer and its listeners")
    assert created.get("attempts", 1) > 1, "the listener never met CertificateNotFound"
    assert not created.get("failed")


def test_alb_is_internet_facing_in_every_public_subnet_with_the_alb_group(converged, aws):
    alb = load_balancer(aws)
    assert alb["Scheme"] == "internet-facing"
    assert alb["Type"] == "application"
    ec2 = aws("ec2")
    public = {s["SubnetId"] for s in ec2.describe_subnets(Filters=[{"Name": "tag:Stack", "Values": ["demo"]},
                                                                   {"Name": "tag:Tier", "Values": ["public"]}])["Subnets"]}
    assert {z["SubnetId"] for z in alb["AvailabilityZones"]} == public
    assert len({z["ZoneName"] for z in alb["AvailabilityZones"]}) == 2
    (group,) = ec2.describe_security_groups(GroupIds=alb["SecurityGroups"])["SecurityGroups"]
    assert tags_of(group)["Purpose"] == "alb"
    tags = {t["Key"]: t["Value"] for t in aws("elbv2").describe_tags(ResourceArns=[alb["LoadBalancerArn"]])
            ["TagDescriptions"][0]["Tags"]}
    assert IDENTITY.items() <= tags.items()


def test_attributes_follow_security_hub(converged, aws):
    alb = load_balancer(aws)
    attributes = {a["Key"]: a["Value"] for a in aws("elbv2").describe_load_balancer_attributes(
        LoadBalancerArn=alb["LoadBalancerArn"])["Attributes"]}
    assert attributes["routing.http.drop_invalid_header_fields.enabled"] == "true"
    assert attributes["routing.http.desync_mitigation_mode"] == "defensive"
    assert attributes["idle_timeout.timeout_seconds"] == "60"
    assert attributes["deletion_protection.enabled"] == "false"


def test_http_redirects_to_https_and_https_forwards_with_a_recommended_policy(converged, aws):
    elbv2 = aws("elbv2")
    alb = load_balancer(aws)
    listeners = {l["Port"]: l for l in elbv2.describe_listeners(LoadBalancerArn=alb["LoadBalancerArn"])["Listeners"]}
    assert set(listeners) == {80, 443}
    redirect = listeners[80]["DefaultActions"][0]
    assert redirect["Type"] == "redirect"
    assert redirect["RedirectConfig"]["Protocol"] == "HTTPS"
    assert redirect["RedirectConfig"]["Port"] == "443"
    assert redirect["RedirectConfig"]["StatusCode"] == "HTTP_301"
    https = listeners[443]
    assert https["Protocol"] == "HTTPS"
    assert https["SslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-Res-2021-06"
    (certificate,) = stack_certificates(aws)
    assert https["Certificates"][0]["CertificateArn"] == certificate["CertificateArn"]
    groups = stack_target_groups(aws)
    assert https["DefaultActions"][0]["TargetGroupArn"] == groups["demo-local-web"]["TargetGroupArn"]
    rules = [r for r in elbv2.describe_rules(ListenerArn=https["ListenerArn"])["Rules"] if not r["IsDefault"]]
    assert [(r["Priority"], r["Conditions"][0]["PathPatternConfig"]["Values"], r["Actions"][0]["TargetGroupArn"])
            for r in rules] == [
        ("10", ["/api/*"], groups["demo-local-api"]["TargetGroupArn"])
    ]


def test_target_groups_take_task_ips_on_the_nginx_port_with_a_health_check(converged, aws):
    groups = stack_target_groups(aws)
    assert set(groups) == {"demo-local-web", "demo-local-api"}
    web = groups["demo-local-web"]
    assert (web["TargetType"], web["Protocol"], web["Port"]) == ("ip", "HTTP", 8080)
    assert web["HealthCheckPath"] == "/healthz"
    assert web["Matcher"]["HttpCode"] == "200-399"
    assert groups["demo-local-api"]["HealthCheckPath"] == "/api/healthz"
    assert web["VpcId"] == load_balancer(aws)["VpcId"]


def test_outputs(converged, aws):
    (summary,) = converged.task_results("Show the stack's outputs")
    assert summary["msg"]["service_url"] == "https://" + load_balancer(aws)["DNSName"]
    assert set(summary["msg"]["target_group_arns"]) == {"web", "api"}


ACCESS_LOGS = {
    **TWO_SERVICES,
    "loadbalancer_access_logs_bucket": "demo-local-alb-logs",
    "loadbalancer_create_access_logs_bucket": True,
    "loadbalancer_http_redirect": False,
}


def test_access_logs_to_a_bucket_the_role_creates_and_https_only(converged, playbook, aws):
    run = playbook(args=ROLE_ALONE, extra_vars=ACCESS_LOGS)
    assert run.returncode == 0, run.failure_messages()

    s3 = aws("s3")
    policy = json.loads(s3.get_bucket_policy(Bucket="demo-local-alb-logs")["Policy"])
    write = next(s for s in policy["Statement"] if s["Effect"] == "Allow")
    assert write["Principal"] == {"AWS": "arn:aws:iam::127311923021:root"}  # us-east-1's ELB account
    assert write["Resource"].endswith("/alb/AWSLogs/123456789012/*")
    encryption = s3.get_bucket_encryption(Bucket="demo-local-alb-logs")["ServerSideEncryptionConfiguration"]
    assert encryption["Rules"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert s3.get_public_access_block(Bucket="demo-local-alb-logs")["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}

    alb = load_balancer(aws)
    attributes = {a["Key"]: a["Value"] for a in aws("elbv2").describe_load_balancer_attributes(
        LoadBalancerArn=alb["LoadBalancerArn"])["Attributes"]}
    assert attributes["access_logs.s3.enabled"] == "true"
    assert attributes["access_logs.s3.bucket"] == "demo-local-alb-logs"
    assert [l["Port"] for l in aws("elbv2").describe_listeners(LoadBalancerArn=alb["LoadBalancerArn"])["Listeners"]] == [443]

    again = playbook(args=ROLE_ALONE, extra_vars=ACCESS_LOGS)
    assert again.changed() == 0, again.changed_tasks()


def test_teardown_respects_deletion_protection_then_removes_everything(converged, playbook, aws):
    protect = playbook(args=ROLE_ALONE, extra_vars={**ACCESS_LOGS, "loadbalancer_deletion_protection": True})
    assert protect.returncode == 0, protect.failure_messages()

    refused = playbook("playbooks/teardown.yml", args=ROLE_ALONE, extra_vars=ACCESS_LOGS)
    assert refused.returncode != 0
    assert "deletion protection on" in refused.failure_messages()
    assert load_balancer(aws) is not None

    forced = playbook("playbooks/teardown.yml", args=ROLE_ALONE,
                      extra_vars={**ACCESS_LOGS, "loadbalancer_force_destroy": True, "loadbalancer_access_logs_bucket_destroy": True})
    assert forced.returncode == 0, forced.failure_messages()
    assert load_balancer(aws) is None
    assert stack_target_groups(aws) == {}
    assert stack_certificates(aws) == []
    assert "demo-local-alb-logs" not in [b["Name"] for b in aws("s3").list_buckets()["Buckets"]]


def test_a_load_balancer_aws_cannot_provision_fails_the_run_with_aws_reason(converged, playbook, aws):
    # The emulator fails every load balancer whose name contains "failprov", as AWS can (state "failed").
    failing = {
        "cloudops_stack": "failprov",
        "network_vpc_cidr": "10.21.0.0/16",
        "network_vpc_endpoints_enabled": False,
        "network_flow_logs_enabled": False,
    }
    run = playbook(args=LAYERS, extra_vars=failing)
    assert run.returncode != 0
    message = " ".join(run.failure_messages().split())
    assert "Load balancer failprov-local-alb failed to provision: The load balancer could not be provisioned" in message
    assert run.task_results("Publish the load balancer's outputs") == []
    (failed,) = aws("elbv2").describe_load_balancers(Names=["failprov-local-alb"])["LoadBalancers"]
    assert failed["State"]["Code"] == "failed"


BAD_INPUTS = [
    ({"loadbalancer_health_check_path": "healthz"}, "must start with '/'"),
    ({"loadbalancer_target_groups": [{"name": "web", "port": 70000}]}, "a port from 1 to 65535"),
    ({"loadbalancer_tls_policy": "ELBSecurityPolicy-2016-08"}, "loadbalancer_tls_policy (ELBSecurityPolicy-2016-08)"),
    ({**TWO_SERVICES, "loadbalancer_rules": [{"priority": 10, "target_group": "api", "path_patterns": ["/a"]},
                                             {"priority": 10, "target_group": "web", "path_patterns": ["/b"]}]},
     "loadbalancer_rules"),
    ({"loadbalancer_rules": [{"priority": 5, "target_group": "nowhere", "path_patterns": ["/x"]}]}, "loadbalancer_rules"),
    ({"loadbalancer_rules": [{"priority": 5, "target_group": "web"}]}, "path_patterns or host_headers"),
    ({"loadbalancer_default_target_group": "api"}, "loadbalancer_default_target_group (api)"),
    ({"loadbalancer_target_groups": [{"name": "web", "port": 9000}]}, "network_service_port"),
]


@pytest.mark.parametrize("extra_vars,message", BAD_INPUTS, ids=[m for _v, m in BAD_INPUTS])
def test_bad_input_fails_before_anything_changes(emulator_endpoint, playbook, aws, extra_vars, message):
    reset_emulator(emulator_endpoint)
    before = account_inventory(aws)
    run = playbook(args=["--tags", "loadbalancer"], extra_vars=extra_vars)
    assert run.returncode != 0
    assert message in run.failure_messages() + run.stderr
    assert account_inventory(aws) == before
    assert load_balancer(aws) is None
