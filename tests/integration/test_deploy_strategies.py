"""ECS's native deployment strategies through site.yml and deploy.yml on the local inventory, read back with boto3.

One stack deploys with a canary: site.yml builds the alternate target group, the production listener rule and the
alarms ECS watches; deploy.yml follows a canary through its phases, rolls back (and fails naming the alarm) when an alarm
goes into ALARM during the canary's bake, then deploys with a linear and a blue/green strategy. Plain mode: a deployment
stage lasts a second and a configured bake minute two (emulator/extensions/ecs_deployment_strategies.py)."""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.request

import pytest

from tests.integration.aws_state import stack_resources
from tests.integration.conftest import reset_emulator

CLUSTER, SERVICE = "demo-local", "demo-local-web"
ALARM = "demo-local-target-5xx"
# The layers the service needs, without what it does not (the VPN, the endpoints, the flow logs).
LEAN = {"network_vpc_endpoints_enabled": False, "network_flow_logs_enabled": False, "storage_vpn_enabled": False}
CANARY = {
    # the alarms notify a topic the role makes, with its own key
    "fargate_alarm_emails": ["ops@example.com"],
    "fargate_deployment_strategy": "canary",
    "fargate_canary_percent": 10,
    "fargate_canary_bake_minutes": 2,
    "fargate_deployment_bake_minutes": 1,
}


def realism_settings(endpoint: str, **changes) -> None:
    request = urllib.request.Request(f"{endpoint}/_emulator/realism", data=json.dumps(changes).encode(), method="PUT")
    with urllib.request.urlopen(request, timeout=10):
        pass


def service(aws) -> dict:
    return aws("ecs").describe_services(cluster=CLUSTER, services=[SERVICE])["services"][0]


def production_rule(aws) -> dict:
    elbv2 = aws("elbv2")
    (alb,) = [lb for lb in elbv2.describe_load_balancers()["LoadBalancers"] if lb["LoadBalancerName"] == "demo-local-alb"]
    (https,) = [l for l in elbv2.describe_listeners(LoadBalancerArn=alb["LoadBalancerArn"])["Listeners"] if l["Port"] == 443]
    (rule,) = [r for r in elbv2.describe_rules(ListenerArn=https["ListenerArn"])["Rules"] if r["Priority"] == "50000"]
    return rule


def weights(aws) -> dict[str, int]:
    """The production rule's weights by target group name."""
    groups = production_rule(aws)["Actions"][0]["ForwardConfig"]["TargetGroups"]
    return {g["TargetGroupArn"].split(":targetgroup/")[1].split("/")[0]: g["Weight"] for g in groups}


def latest_service_deployment(aws) -> dict | None:
    ecs = aws("ecs")
    listed = ecs.list_service_deployments(cluster=CLUSTER, service=SERVICE)["serviceDeployments"]
    if not listed:
        return None
    return ecs.describe_service_deployments(serviceDeploymentArns=[listed[0]["serviceDeploymentArn"]])["serviceDeployments"][0]


@pytest.fixture(scope="module")
def canary_stack(emulator_endpoint, playbook, aws):
    reset_emulator(emulator_endpoint)
    run = playbook(extra_vars={**LEAN, **CANARY})
    assert run.returncode == 0, run.failure_messages()
    return run


def test_site_builds_what_a_canary_needs(canary_stack, aws):
    running = service(aws)
    configuration = running["deploymentConfiguration"]
    assert configuration["strategy"] == "CANARY"
    assert configuration["canaryConfiguration"] == {"canaryPercent": 10.0, "canaryBakeTimeInMinutes": 2}
    assert configuration["bakeTimeInMinutes"] == 1
    assert configuration["alarms"] == {
        "alarmNames": ["demo-local-response-time", "demo-local-target-5xx", "demo-local-unhealthy-targets"],
        "enable": True,
        "rollback": True,
    }
    (lb,) = running["loadBalancers"]
    advanced = lb["advancedConfiguration"]
    assert {lb["targetGroupArn"], advanced["alternateTargetGroupArn"]} == {
        g["TargetGroupArn"] for g in production_rule(aws)["Actions"][0]["ForwardConfig"]["TargetGroups"]
    }
    assert advanced["productionListenerRule"] == production_rule(aws)["RuleArn"]
    assert advanced["roleArn"].endswith(":role/demo-local-ecs-load-balancers")
    role = aws("iam").get_role(RoleName="demo-local-ecs-load-balancers")["Role"]
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "ecs.amazonaws.com"}
    alarms = {a["AlarmName"]: a for a in aws("cloudwatch").describe_alarms(AlarmNamePrefix="demo-local-")["MetricAlarms"]}
    assert set(configuration["alarms"]["alarmNames"]) <= set(alarms)
    # every alarm takes the worst of both target groups, so a canary's errors count at the canary's rate
    returned = [m for m in alarms[ALARM]["Metrics"] if m.get("ReturnData")]
    assert [m["Expression"] for m in returned] == ["MAX([rate0, rate1])"]
    # all production traffic on one group
    assert sorted(weights(aws).values()) == [0, 100]


def test_every_alarm_notifies_the_stacks_encrypted_topic_and_the_dashboard_shows_each_layer(canary_stack, aws):
    (topic,) = [t["TopicArn"] for t in aws("sns").list_topics()["Topics"] if t["TopicArn"].endswith(":demo-local-alarms")]
    attributes = aws("sns").get_topic_attributes(TopicArn=topic)["Attributes"]
    key = aws("kms").describe_key(KeyId=attributes["KmsMasterKeyId"])["KeyMetadata"]
    assert key["KeyManager"] == "CUSTOMER", "CloudWatch cannot publish to a topic under the AWS managed key"
    policy = aws("kms").get_key_policy(KeyId=key["KeyId"], PolicyName="default")["Policy"]
    assert "cloudwatch.amazonaws.com" in policy
    subscriptions = aws("sns").list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert [(s["Protocol"], s["Endpoint"]) for s in subscriptions] == [("email", "ops@example.com")]
    alarms = aws("cloudwatch").describe_alarms(AlarmNamePrefix="demo-local-")["MetricAlarms"]
    assert {a["AlarmName"] for a in alarms} == {
        "demo-local-target-5xx",
        "demo-local-response-time",
        "demo-local-unhealthy-targets",
        "demo-local-no-healthy-targets",
        "demo-local-below-desired-count",
        "demo-local-nat-port-allocation",
        "demo-local-efs-io-limit",
    }, "no VPN in this stack: no VPN alarm"
    assert all(a["AlarmActions"] == [topic] and a["OKActions"] == [topic] for a in alarms)
    (dashboard,) = aws("cloudwatch").list_dashboards(DashboardNamePrefix="demo-local")["DashboardEntries"]
    body = aws("cloudwatch").get_dashboard(DashboardName=dashboard["DashboardName"])["DashboardBody"]
    for namespace in ("AWS/ApplicationELB", "AWS/ECS", "ECS/ContainerInsights", "AWS/NATGateway", "AWS/EFS"):
        assert namespace in body
    outputs = canary_stack.task_results("Collect the stack's outputs")[0]["ansible_facts"]["cloudops_outputs"]
    assert outputs["dashboard_url"].endswith("#dashboards:name=demo-local")


def test_a_second_run_changes_nothing(canary_stack, playbook):
    again = playbook(extra_vars={**LEAN, **CANARY})
    assert again.returncode == 0, again.failure_messages()
    assert again.changed() == 0, again.changed_tasks()


def test_a_canary_deploy_goes_through_its_phases(canary_stack, playbook, aws):
    before = weights(aws)
    # A bake of three configured minutes (6 s in plain mode) outlasts the wait's 2 s between checks.
    longer_bake = {**CANARY, "fargate_deployment_bake_minutes": 3}
    deployed = playbook("playbooks/deploy.yml", extra_vars={**LEAN, **longer_bake, "image_tag": "2.0.1"})
    assert deployed.returncode == 0, deployed.failure_messages()
    progress = deployed.stderr
    assert re.search(r"Waiting for the rollout of demo-local-web: 1 pending \(PRODUCTION_TRAFFIC_SHIFT, new revision at 10%\)", progress), progress[-3000:]
    assert re.search(r"\(BAKE_TIME, new revision at 100%, \dm\d\ds of 3m bake left\)", progress), progress[-3000:]
    images = aws("ecs").describe_task_definition(taskDefinition=service(aws)["taskDefinition"])["taskDefinition"]
    assert any(c["image"].endswith("/demo-local/app:2.0.1") for c in images["containerDefinitions"])
    after = weights(aws)
    assert sorted(after.values()) == [0, 100] and after != before, "production traffic moved to the other group"
    done = latest_service_deployment(aws)
    assert done["status"] == "SUCCESSFUL"


def test_an_alarm_during_the_canary_rolls_back_and_fails_the_deploy_naming_it(canary_stack, playbook, aws):
    running, before = service(aws)["taskDefinition"], weights(aws)
    outcome = {}
    deploy = threading.Thread(
        target=lambda: outcome.update(run=playbook("playbooks/deploy.yml", extra_vars={**LEAN, **CANARY, "image_tag": "2.0.2"}))
    )
    deploy.start()
    fired = False
    try:
        deadline = time.monotonic() + 600
        while deploy.is_alive() and time.monotonic() < deadline:
            deployment = latest_service_deployment(aws)
            canary_up = (
                deployment is not None
                and deployment["status"] == "IN_PROGRESS"
                and deployment["targetServiceRevision"].get("requestedProductionTrafficWeight") == 10.0
            )
            if canary_up and not fired:
                aws("cloudwatch").set_alarm_state(AlarmName=ALARM, StateValue="ALARM", StateReason="5xx during the canary")
                fired = True
            time.sleep(0.3)
        deploy.join(timeout=60)
    finally:
        aws("cloudwatch").set_alarm_state(AlarmName=ALARM, StateValue="OK", StateReason="test over")
    assert fired, "the canary never took its share of the traffic"
    failed = outcome["run"]
    assert failed.returncode != 0
    message = failed.failure_messages()
    assert f"Alarms that fired during the deployment: {ALARM}." in message, message
    assert "rolled back" in message
    assert service(aws)["taskDefinition"] == running
    assert weights(aws) == before, "production traffic is back on the running revision"
    rolled_back = latest_service_deployment(aws)
    assert rolled_back["status"] == "ROLLBACK_SUCCESSFUL"
    assert rolled_back["alarms"]["triggeredAlarmNames"] == [ALARM]


@pytest.mark.parametrize(
    ("strategy", "tag", "phase"),
    [
        ({"fargate_deployment_strategy": "linear", "fargate_linear_step_percent": 50, "fargate_linear_step_bake_minutes": 1}, "2.0.3", "new revision at 50%"),
        ({"fargate_deployment_strategy": "blue_green"}, "2.0.4", "new revision at 100%"),
    ],
    ids=["linear", "blue_green"],
)
def test_linear_and_blue_green_deploys_complete(canary_stack, emulator_endpoint, playbook, aws, strategy, tag, phase):
    before = weights(aws)
    settings = {**LEAN, **CANARY, **strategy}
    # The phase checked below lasts a stage (blue/green) or a stage and a step's bake (linear): at a second a stage
    # (plain mode), the rollout's polls two seconds apart may miss it on a loaded machine; at five seconds, they do not.
    realism_settings(emulator_endpoint, behaviour_seconds={"ecs.deployment_stage": 5.0})
    try:
        deployed = playbook("playbooks/deploy.yml", extra_vars={**settings, "image_tag": tag})
    finally:
        realism_settings(emulator_endpoint, behaviour_seconds={})
    assert deployed.returncode == 0, deployed.failure_messages()
    assert f"PRODUCTION_TRAFFIC_SHIFT, {phase}" in deployed.stderr, deployed.stderr[-3000:]
    running = service(aws)
    assert running["deploymentConfiguration"]["strategy"] == settings["fargate_deployment_strategy"].upper()
    images = aws("ecs").describe_task_definition(taskDefinition=running["taskDefinition"])["taskDefinition"]["containerDefinitions"]
    assert any(c["image"].endswith(f"/demo-local/app:{tag}") for c in images)
    after = weights(aws)
    assert sorted(after.values()) == [0, 100] and after != before
    assert latest_service_deployment(aws)["status"] == "SUCCESSFUL"


def test_bad_strategy_settings_fail_before_anything_changes(canary_stack, playbook, aws):
    running = service(aws)
    refused = playbook(extra_vars={**LEAN, **CANARY, "fargate_canary_percent": 0.05})
    assert refused.returncode != 0
    assert "fargate_canary_percent must be a multiple of 0.1 from 0.1 to 100.0" in refused.failure_messages()
    assert refused.changed() == 0, refused.changed_tasks()
    assert service(aws)["taskDefinition"] == running["taskDefinition"]


def test_teardown_removes_what_the_strategies_and_alarms_added(canary_stack, playbook, aws):
    run = playbook("playbooks/teardown.yml", extra_vars={**LEAN, **CANARY})
    assert run.returncode == 0, run.failure_messages()
    assert stack_resources(aws, "demo") == {}, "the KMS key waits out its deletion window, nothing else is left"
    (alias,) = [a for a in aws("kms").list_aliases()["Aliases"] if a["AliasName"] == "alias/demo-local-alarms"]
    assert aws("kms").describe_key(KeyId=alias["TargetKeyId"])["KeyMetadata"]["KeyState"] == "PendingDeletion"
