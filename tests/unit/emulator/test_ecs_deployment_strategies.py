"""ECS blue/green, linear and canary deployments shift the listener rule's weights stage by stage, deployment alarms
fail and roll back deployments, and ListServiceDeployments/DescribeServiceDeployments report them
(emulator/extensions/ecs_deployment_strategies.py).

The deployments are timed, so the tests run their own emulator with short stages, a short bake minute and a short
rollout (plain mode)."""

from __future__ import annotations

import datetime
import json
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.exceptions import ClientError

from emulator import realism
from emulator.extensions import ecs_deployment_strategies as strategies
from emulator.extensions.ecs_service_deployments import DEPLOYMENT_SECONDS_VARIABLE
from tests.unit.emulator.test_ecs_service_deployments import ensure_ecs_service_linked_role
from tests.unit.helpers import running_emulator, wait_until

ROLLOUT = 0.3
# Long enough that a loaded machine (CI runs the suites side by side) still sees each stage and bake it acts in.
STAGE = 0.25
BAKE_MINUTE = 1.5
POLL = 0.05


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    environment = {
        DEPLOYMENT_SECONDS_VARIABLE: str(ROLLOUT),
        strategies.STAGE_SECONDS_VARIABLE: str(STAGE),
        strategies.BAKE_MINUTE_SECONDS_VARIABLE: str(BAKE_MINUTE),
    }
    with running_emulator(tmp_path_factory.mktemp("ecs-strategies-emulator"), environment) as url:
        yield url


@pytest.fixture(scope="module")
def client(endpoint: str) -> Callable[[str], Any]:
    session = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )
    return lambda name: session.client(name, endpoint_url=endpoint)


@pytest.fixture(scope="module")
def network(client: Callable[[str], Any]) -> dict[str, Any]:
    ec2 = client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.91.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.91.{i}.0/24", AvailabilityZone=f"us-east-1{zone}")["Subnet"][
            "SubnetId"
        ]
        for i, zone in enumerate("ab")
    ]
    return {"vpc": vpc, "subnets": subnets}


class Stack:
    """An ALB with a listener and a production rule forwarding to target group "blue", an alternate group "green",
    a cluster with task definitions 1 and 2, and the service's requests."""

    def __init__(self, client: Callable[[str], Any], network: dict[str, Any], test_rule: bool = False) -> None:
        self.ecs, self.elbv2, self.cloudwatch = client("ecs"), client("elbv2"), client("cloudwatch")
        self.network = network
        suffix = uuid.uuid4().hex[:8]
        self.cluster = f"str-{suffix}"
        alb = self.elbv2.create_load_balancer(Name=f"lb-{suffix}", Subnets=network["subnets"])["LoadBalancers"][0]
        self.blue, self.green = (
            self.elbv2.create_target_group(
                Name=f"{colour}-{suffix}", Protocol="HTTP", Port=80, VpcId=network["vpc"], TargetType="ip"
            )["TargetGroups"][0]["TargetGroupArn"]
            for colour in ("blue", "green")
        )
        listener = self.elbv2.create_listener(
            LoadBalancerArn=alb["LoadBalancerArn"],
            Protocol="HTTP",
            Port=80,
            DefaultActions=[{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404"}}],
        )["Listeners"][0]["ListenerArn"]
        self.rule = self.rule_for(listener, "/*", 10)
        self.test_rule = self.rule_for(listener, "/test/*", 5) if test_rule else None
        self.ecs.create_cluster(clusterName=self.cluster)
        for image in ("nginx:1.27", "nginx:1.28", "nginx:1.29"):
            self.ecs.register_task_definition(
                family=self.cluster,
                networkMode="awsvpc",
                requiresCompatibilities=["FARGATE"],
                cpu="256",
                memory="512",
                containerDefinitions=[{"name": "web", "image": image, "portMappings": [{"containerPort": 80}]}],
            )

    def rule_for(self, listener: str, path: str, priority: int) -> str:
        return self.elbv2.create_rule(
            ListenerArn=listener,
            Priority=priority,
            Conditions=[{"Field": "path-pattern", "Values": [path]}],
            Actions=[{"Type": "forward", "TargetGroupArn": self.blue}],
        )["Rules"][0]["RuleArn"]

    def load_balancers(self, **advanced: Any) -> list[dict[str, Any]]:
        configuration = {
            "alternateTargetGroupArn": self.green,
            "productionListenerRule": self.rule,
            "roleArn": "arn:aws:iam::123456789012:role/ecs-infrastructure",
        }
        if self.test_rule:
            configuration["testListenerRule"] = self.test_rule
        configuration.update(advanced)
        return [
            {
                "targetGroupArn": self.blue,
                "containerName": "web",
                "containerPort": 80,
                "advancedConfiguration": {k: v for k, v in configuration.items() if v is not None},
            }
        ]

    def create(self, deployment_configuration: dict[str, Any], desired: int = 2, **more: Any) -> dict[str, Any]:
        request: dict[str, Any] = {
            "cluster": self.cluster,
            "serviceName": "web",
            "taskDefinition": f"{self.cluster}:1",
            "desiredCount": desired,
            "launchType": "FARGATE",
            "networkConfiguration": {"awsvpcConfiguration": {"subnets": self.network["subnets"][:1]}},
            "deploymentConfiguration": deployment_configuration,
            "loadBalancers": self.load_balancers(),
        }
        request.update(more)
        return self.ecs.create_service(**request)["service"]

    def update(self, revision: int, **more: Any) -> dict[str, Any]:
        return self.ecs.update_service(
            cluster=self.cluster, service="web", taskDefinition=f"{self.cluster}:{revision}", **more
        )["service"]

    def describe(self) -> dict[str, Any]:
        return self.ecs.describe_services(cluster=self.cluster, services=["web"])["services"][0]

    def weights(self, rule: str | None = None) -> dict[str, int]:
        action = next(
            a
            for a in self.elbv2.describe_rules(RuleArns=[rule or self.rule])["Rules"][0]["Actions"]
            if a["Type"] == "forward"
        )
        groups = (action.get("ForwardConfig") or {}).get("TargetGroups")
        if not groups:
            return {action["TargetGroupArn"]: 1}
        return {group["TargetGroupArn"]: group["Weight"] for group in groups}

    def split(self, blue: int, green: int) -> dict[str, int]:
        return {self.blue: blue, self.green: green}

    def targets(self, group: str) -> int:
        return len(self.elbv2.describe_target_health(TargetGroupArn=group)["TargetHealthDescriptions"])

    def service_deployments(self) -> list[dict[str, Any]]:
        listed = self.ecs.list_service_deployments(cluster=self.cluster, service="web")["serviceDeployments"]
        arns = [item["serviceDeploymentArn"] for item in listed]
        return self.ecs.describe_service_deployments(serviceDeploymentArns=arns)["serviceDeployments"] if arns else []

    def latest(self) -> dict[str, Any]:
        return self.service_deployments()[0]

    def until(self, predicate: Callable[[], Any], what: str, timeout: float = 15.0) -> Any:
        return wait_until(predicate, what, timeout, POLL)

    def settled(self, timeout: float = 15.0) -> dict[str, Any]:
        def done() -> dict[str, Any] | None:
            latest = self.latest()
            return latest if latest["status"] not in ("IN_PROGRESS", "ROLLBACK_IN_PROGRESS") else None

        return self.until(done, "the latest service deployment ends", timeout)

    def alarm(self, name: str, state: str = "OK", minutes: int = 1) -> str:
        """An alarm evaluating ``minutes`` periods of a minute (a rolling update watched by it bakes that long)."""
        self.cloudwatch.put_metric_alarm(
            AlarmName=name,
            MetricName="HTTPCode_Target_5XX_Count",
            Namespace="AWS/ApplicationELB",
            Statistic="Sum",
            Period=60,
            EvaluationPeriods=minutes,
            Threshold=1,
            ComparisonOperator="GreaterThanOrEqualToThreshold",
        )
        if state != "OK":
            self.set_alarm(name, state)
        return name

    def set_alarm(self, name: str, state: str) -> None:
        self.cloudwatch.set_alarm_state(AlarmName=name, StateValue=state, StateReason="test")

    def messages(self) -> list[str]:
        return [event["message"] for event in self.describe()["events"]]


@pytest.fixture
def stack(client: Callable[[str], Any], network: dict[str, Any]) -> Stack:
    return Stack(client, network)


def blue_green(bake: int = 1, **more: Any) -> dict[str, Any]:
    return {"strategy": "BLUE_GREEN", "bakeTimeInMinutes": bake, **more}


# --------------------------------------------------------------------------- strategies through the emulator


def test_a_canary_shifts_its_percent_bakes_then_shifts_the_rest(stack: Stack) -> None:
    stack.create(blue_green(bake=0))
    assert stack.settled()["status"] == "SUCCESSFUL"
    assert stack.weights() == stack.split(0, 100), "the first deployment moves production to the alternate group"
    assert stack.describe()["loadBalancers"][0]["targetGroupArn"] == stack.green

    stack.ecs.update_service(
        cluster=stack.cluster,
        service="web",
        taskDefinition=f"{stack.cluster}:2",
        deploymentConfiguration={
            "strategy": "CANARY",
            # Two bake minutes (3 s): long enough for the polls below to see BAKE_TIME on a loaded machine.
            "bakeTimeInMinutes": 2,
            "canaryConfiguration": {"canaryPercent": 10.0, "canaryBakeTimeInMinutes": 1},
        },
    )
    stages: list[str] = []

    def seen(weights: dict[str, int]) -> Callable[[], bool]:
        def check() -> bool:
            stages.append(stack.latest().get("lifecycleStage", ""))
            return stack.weights() == weights

        return check

    # Green is now "blue" (it takes production): the canary goes to the original blue group.
    stack.until(seen({stack.green: 90, stack.blue: 10}), "10% of production reaches the canary")
    during_canary = stack.describe()
    assert [d["status"] for d in during_canary["deployments"]] == ["PRIMARY", "ACTIVE"]
    assert [d["runningCount"] for d in during_canary["deployments"]] == [2, 2], "both revisions run"
    assert during_canary["deployments"][0]["rolloutState"] == "IN_PROGRESS"
    canary = stack.latest()
    assert canary["lifecycleStage"] == "PRODUCTION_TRAFFIC_SHIFT"
    assert canary["targetServiceRevision"]["requestedProductionTrafficWeight"] == 10.0
    assert canary["sourceServiceRevisions"][0]["requestedProductionTrafficWeight"] == 90.0
    assert stack.targets(stack.blue) == 2, "the canary's tasks registered in the group without production traffic"

    stack.until(seen({stack.green: 0, stack.blue: 100}), "all production reaches the new revision")

    def settled() -> dict[str, Any] | None:
        latest = stack.latest()
        stages.append(latest.get("lifecycleStage", ""))
        return latest if latest["status"] != "IN_PROGRESS" else None

    done = stack.until(settled, "the canary deployment ends")
    assert done["status"] == "SUCCESSFUL" and done["lifecycleStage"] == "CLEAN_UP"
    # SCALE_UP lasts one short stage, which polls may miss: that the canary's tasks scaled up is proven above (both
    # revisions ran two tasks each).
    for stage in ("PRODUCTION_TRAFFIC_SHIFT", "BAKE_TIME"):
        assert stage in stages, stages
    service = stack.describe()
    assert [d["taskDefinition"].rsplit(":", 1)[1] for d in service["deployments"]] == ["2"]
    assert service["deployments"][0]["rolloutState"] == "COMPLETED"
    assert service["runningCount"] == 2
    assert service["loadBalancers"][0]["targetGroupArn"] == stack.blue
    assert service["loadBalancers"][0]["advancedConfiguration"]["alternateTargetGroupArn"] == stack.green
    assert stack.targets(stack.green) == 0, "the old revision's tasks left their group"
    assert service["currentServiceDeployment"] == done["serviceDeploymentArn"]
    assert "(service web) has stopped 2 running tasks." in stack.messages()


def test_a_linear_deployment_shifts_step_by_step(stack: Stack) -> None:
    stack.create({"strategy": "LINEAR", "linearConfiguration": {"stepPercent": 40.0, "stepBakeTimeInMinutes": 1}})
    seen: list[dict[str, int]] = []

    def finished() -> bool:
        weights = stack.weights()
        if not seen or seen[-1] != weights:
            seen.append(weights)
        return stack.latest()["status"] == "SUCCESSFUL"

    stack.until(finished, "the linear deployment ends")
    steps = [weights for weights in seen if stack.green in weights]
    assert steps == [stack.split(60, 40), stack.split(20, 80), stack.split(0, 100)], seen


def test_blue_green_goes_the_other_way_round_the_second_time(
    client: Callable[[str], Any], network: dict[str, Any]
) -> None:
    stack = Stack(client, network, test_rule=True)
    stack.create(blue_green(bake=1))
    first = stack.settled()
    assert first["status"] == "SUCCESSFUL"
    assert stack.weights() == stack.split(0, 100)
    assert stack.weights(stack.test_rule) == stack.split(0, 100)
    assert stack.targets(stack.green) == 2

    stack.update(2)
    stack.until(lambda: stack.latest()["lifecycleStage"] == "BAKE_TIME", "the bake time with both revisions up")
    assert stack.weights() == stack.split(100, 0), "all at once, back to the first group"
    began = (datetime.datetime.now(datetime.timezone.utc) - stack.latest()["updatedAt"]).total_seconds()
    assert -0.5 <= began <= BAKE_MINUTE + 0.5, "updatedAt says when the bake began"
    assert stack.describe()["runningCount"] == 4
    assert (stack.targets(stack.blue), stack.targets(stack.green)) == (2, 2)
    second = stack.settled()
    assert second["status"] == "SUCCESSFUL" and second["serviceDeploymentArn"] != first["serviceDeploymentArn"]
    assert second["sourceServiceRevisions"][0]["arn"] == first["targetServiceRevision"]["arn"]
    assert (stack.targets(stack.blue), stack.targets(stack.green)) == (2, 0)
    assert stack.describe()["loadBalancers"][0]["targetGroupArn"] == stack.blue


def test_an_alarm_during_the_canary_bake_rolls_back(stack: Stack) -> None:
    alarm = stack.alarm(f"errors-{uuid.uuid4().hex[:6]}")
    configuration = {
        "strategy": "CANARY",
        "bakeTimeInMinutes": 1,
        "canaryConfiguration": {"canaryPercent": 20.0, "canaryBakeTimeInMinutes": 3},
        "alarms": {"alarmNames": [alarm], "enable": True, "rollback": True},
    }
    stack.create(configuration)
    good = stack.settled()
    assert good["status"] == "SUCCESSFUL" and good["alarms"]["status"] == "MONITORING_COMPLETE"
    good_deployment = stack.describe()["deployments"][0]["id"]

    stack.update(2)
    stack.until(lambda: stack.weights() == {stack.green: 80, stack.blue: 20}, "the canary takes 20%")
    assert stack.latest()["alarms"]["status"] == "MONITORING"
    stack.set_alarm(alarm, "ALARM")

    rolled_back = stack.settled()
    assert rolled_back["status"] == "ROLLBACK_SUCCESSFUL"
    assert rolled_back["alarms"] == {"status": "TRIGGERED", "alarmNames": [alarm], "triggeredAlarmNames": [alarm]}
    assert alarm in rolled_back["statusReason"]
    assert rolled_back["rollback"]["serviceRevisionArn"] == good["targetServiceRevision"]["arn"]
    assert stack.weights() == {stack.green: 100, stack.blue: 0}, "production wholly back on the blue revision"
    service = stack.describe()
    assert [(d["id"], d["rolloutState"]) for d in service["deployments"]] == [(good_deployment, "COMPLETED")]
    assert service["taskDefinition"].endswith(":1") and service["runningCount"] == 2
    assert stack.targets(stack.blue) == 0, "the canary's tasks stopped"
    messages = stack.messages()
    failed = next(m for m in messages if "deployment failed:" in m)
    assert alarm in failed and "alarm" in failed.split("deployment failed:")[1]
    assert f"(service web) rolling back to deployment {good_deployment}." in messages


def test_an_alarm_already_in_alarm_when_the_deployment_starts_is_not_watched(stack: Stack) -> None:
    alarm = stack.alarm(f"noisy-{uuid.uuid4().hex[:6]}", "ALARM")
    stack.create(blue_green(bake=0, alarms={"alarmNames": [alarm], "enable": True, "rollback": True}))
    done = stack.settled()
    assert done["status"] == "SUCCESSFUL"
    assert done["alarms"]["status"] == "DISABLED" and done["alarms"]["triggeredAlarmNames"] == []


def test_a_rolling_update_watched_by_an_alarm_bakes_then_fails_and_rolls_back(stack: Stack) -> None:
    # Three minutes of evaluation (4.5 s here): the test acts during the bake even on a loaded machine.
    alarm = stack.alarm(f"latency-{uuid.uuid4().hex[:6]}", minutes=3)
    stack.ecs.create_service(
        cluster=stack.cluster,
        serviceName="web",
        taskDefinition=f"{stack.cluster}:1",
        desiredCount=2,
        launchType="FARGATE",
        networkConfiguration={"awsvpcConfiguration": {"subnets": stack.network["subnets"][:1]}},
        deploymentConfiguration={"alarms": {"alarmNames": [alarm], "enable": True, "rollback": True}},
    )
    first = stack.settled()
    assert first["status"] == "SUCCESSFUL" and "lifecycleStage" not in first
    good = stack.describe()["deployments"][0]["id"]

    bad = stack.update(2)["deployments"][0]["id"]

    def baking() -> bool:  # the new tasks run, the old ones stopped, the deployment still in progress
        primary = stack.describe()["deployments"][0]
        return primary["runningCount"] == 2 and primary["rolloutState"] == "IN_PROGRESS"

    stack.until(baking, "the alarm bake of the rolling update")
    stack.set_alarm(alarm, "ALARM")
    failed = stack.settled()
    assert failed["status"] == "ROLLBACK_SUCCESSFUL"
    assert failed["alarms"]["triggeredAlarmNames"] == [alarm]
    service = stack.describe()
    assert service["deployments"][0]["rolloutState"] == "COMPLETED" and service["taskDefinition"].endswith(":1")
    assert any(f"(deployment {bad}) deployment failed: alarm {alarm}" in m for m in stack.messages())
    assert f"(service web) rolling back to deployment {good}." in stack.messages()


def test_an_alarm_that_fired_during_the_bake_counts_even_if_nobody_looked(stack: Stack) -> None:
    alarm = stack.alarm(f"late-{uuid.uuid4().hex[:6]}")
    # A bake of three minutes (4.5 s here), long enough to be seen on a loaded machine.
    stack.create(blue_green(bake=3, alarms={"alarmNames": [alarm], "enable": True, "rollback": False}))
    stack.until(lambda: stack.latest()["lifecycleStage"] == "BAKE_TIME", "the bake time")
    stack.set_alarm(alarm, "ALARM")
    time.sleep(3 * BAKE_MINUTE + 3 * STAGE)  # nobody looks until the bake is over
    done = stack.latest()
    assert done["status"] == "STOPPED", "no rollback: the deployment stops"
    assert done["alarms"]["status"] == "TRIGGERED"
    assert stack.describe()["deployments"][0]["rolloutState"] == "FAILED"


def test_realistic_stages_and_bakes_take_aws_time_at_the_scale(
    emulator_endpoint: str, aws_client: Callable[[str], Any], realistic: Callable[..., Any]
) -> None:
    scale = 0.01
    realistic(time_scale=scale)
    ensure_ecs_service_linked_role(aws_client("iam"))
    ec2 = aws_client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.92.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.92.{i}.0/24", AvailabilityZone=f"us-east-1{zone}")["Subnet"][
            "SubnetId"
        ]
        for i, zone in enumerate("ab")
    ]
    stack = Stack(aws_client, {"vpc": vpc, "subnets": subnets})
    started = time.monotonic()
    service_arn = stack.create(blue_green(bake=1), desired=1)["serviceArn"]
    assert stack.settled(timeout=30)["status"] == "SUCCESSFUL"
    stage = realism.TYPICAL["ecs.deployment_stage"].seconds * scale
    bake = realism.TYPICAL["ecs.bake_minute"].seconds * scale
    rollout = realism.TYPICAL["ecs.rollout"].seconds * scale
    assert time.monotonic() - started >= rollout + bake + 7 * stage, "AWS's stages and bake at the scale"

    request = urllib.request.Request(f"{emulator_endpoint}/_emulator/timers")
    with urllib.request.urlopen(request, timeout=10) as response:
        timers = [t for t in json.loads(response.read())["timers"] if t["subject"] == service_arn]
    durations = [(t["behaviour"], t["duration"]) for t in timers]
    assert ("ecs.deployment_stage", pytest.approx(stage)) in durations
    assert ("ecs.bake_minute", pytest.approx(bake)) in durations
    assert (
        sum(1 for t in timers if t["behaviour"] == "ecs.deployment_stage") == 7
    )  # PRE_SCALE_UP, POST_SCALE_UP .. POST_PRODUCTION_TRAFFIC_SHIFT, CLEAN_UP


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("configuration", "advanced", "message"),
    [
        ({"strategy": "BLUE_GREEN"}, {}, "bakeTimeInMinutes is required"),
        (blue_green(bake=1441), {}, "bakeTimeInMinutes must be an integer from 0 to 1440"),
        (
            blue_green(canaryConfiguration={"canaryPercent": 5.0}),
            {},
            "only valid when the deployment strategy is CANARY",
        ),
        ({"strategy": "CANARY", "canaryConfiguration": {"canaryPercent": 0.05}}, {}, "canaryPercent must be"),
        ({"strategy": "CANARY", "canaryConfiguration": {"canaryPercent": 10.05}}, {}, "multiple of 0.1"),
        ({"strategy": "LINEAR", "linearConfiguration": {"stepPercent": 2.0}}, {}, "stepPercent must be"),
        ({"strategy": "LINEAR", "linearConfiguration": {"stepBakeTimeInMinutes": 2000}}, {}, "stepBakeTimeInMinutes"),
        (blue_green(), {"alternateTargetGroupArn": None}, "must include alternateTargetGroupArn"),
        (blue_green(), {"roleArn": None}, "must include roleArn"),
        (
            blue_green(),
            {"productionListenerRule": "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/x/1/2/3"},
            "does not exist",
        ),
        ({"alarms": {"alarmNames": [], "enable": True, "rollback": True}}, None, "at least one CloudWatch alarm"),
        ({"strategy": "ROLLING"}, {}, "only supported with the BLUE_GREEN, LINEAR and CANARY"),
    ],
)
def test_invalid_configurations_are_refused_before_anything_changes(
    stack: Stack, configuration: dict[str, Any], advanced: dict[str, Any] | None, message: str
) -> None:
    load_balancers = stack.load_balancers(**advanced) if advanced is not None else []
    with pytest.raises(ClientError) as refused:
        stack.create(configuration, loadBalancers=load_balancers)
    assert refused.value.response["Error"]["Code"] == "InvalidParameterException"
    assert message in refused.value.response["Error"]["Message"]
    assert stack.ecs.list_services(cluster=stack.cluster)["serviceArns"] == []


def test_strategies_need_advanced_configuration_and_a_rule_forwarding_to_the_pair(stack: Stack) -> None:
    plain = [{"targetGroupArn": stack.blue, "containerName": "web", "containerPort": 80}]
    with pytest.raises(ClientError) as refused:
        stack.create(blue_green(), loadBalancers=plain)
    assert "advancedConfiguration is required" in refused.value.response["Error"]["Message"]

    other = stack.elbv2.create_target_group(
        Name=f"other-{uuid.uuid4().hex[:8]}", Protocol="HTTP", Port=80, VpcId=stack.network["vpc"], TargetType="ip"
    )["TargetGroups"][0]["TargetGroupArn"]
    stack.elbv2.modify_rule(RuleArn=stack.rule, Actions=[{"Type": "forward", "TargetGroupArn": other}])
    with pytest.raises(ClientError) as refused:
        stack.create(blue_green())
    assert "must forward to target group" in refused.value.response["Error"]["Message"]


def test_linear_and_canary_need_a_load_balancer_or_service_connect(stack: Stack) -> None:
    with pytest.raises(ClientError) as refused:
        stack.create({"strategy": "LINEAR"}, loadBalancers=[])
    assert "requires an Application Load Balancer or Service Connect" in refused.value.response["Error"]["Message"]


def test_update_service_is_validated_too(stack: Stack) -> None:
    stack.create(blue_green(bake=0))
    with pytest.raises(ClientError) as refused:
        stack.update(2, deploymentConfiguration={"strategy": "CANARY", "canaryConfiguration": {"canaryPercent": 0}})
    assert refused.value.response["Error"]["Code"] == "InvalidParameterException"
    assert stack.describe()["deploymentConfiguration"]["strategy"] == "BLUE_GREEN", "nothing changed"
    assert stack.describe()["taskDefinition"].endswith(":1")


# --------------------------------------------------------------------------- the two actions


def test_list_and_describe_service_deployments_match_botocores_model(stack: Stack) -> None:
    stack.create({"strategy": "ROLLING"}, loadBalancers=[])
    stack.settled()
    stack.update(2)
    stack.settled()
    listed = stack.ecs.list_service_deployments(cluster=stack.cluster, service="web")["serviceDeployments"]
    assert [item["status"] for item in listed] == ["SUCCESSFUL", "SUCCESSFUL"]
    assert listed[0]["createdAt"] >= listed[1]["createdAt"], "newest first"
    model = botocore.session.get_session().get_service_model("ecs")
    brief_members = set(model.shape_for("ServiceDeploymentBrief").members)
    assert set(listed[0]) <= brief_members
    assert {"serviceDeploymentArn", "serviceArn", "clusterArn", "createdAt", "startedAt", "finishedAt"} <= set(
        listed[0]
    )

    described = stack.ecs.describe_service_deployments(
        serviceDeploymentArns=[item["serviceDeploymentArn"] for item in listed]
        + ["arn:aws:ecs:us-east-1:123456789012:service-deployment/x/y/1"]
    )
    deployment_members = set(model.shape_for("ServiceDeployment").members)
    for item in described["serviceDeployments"]:
        assert set(item) <= deployment_members
        assert set(item["targetServiceRevision"]) <= set(model.shape_for("ServiceRevisionSummary").members)
        assert item["alarms"]["status"] == "DISABLED"
        assert item["deploymentCircuitBreaker"]["status"] in ("DISABLED", "MONITORING_COMPLETE")
        assert item["deploymentConfiguration"]["strategy"] == "ROLLING"
    newest = described["serviceDeployments"][0]
    assert newest["targetServiceRevision"]["arn"] == listed[0]["targetServiceRevisionArn"]
    assert (
        newest["sourceServiceRevisions"][0]["arn"] == described["serviceDeployments"][1]["targetServiceRevision"]["arn"]
    )
    assert described["failures"] == [
        {"arn": "arn:aws:ecs:us-east-1:123456789012:service-deployment/x/y/1", "reason": "MISSING"}
    ]

    assert (
        stack.ecs.list_service_deployments(cluster=stack.cluster, service="web", status=["STOPPED"])[
            "serviceDeployments"
        ]
        == []
    )
    page = stack.ecs.list_service_deployments(cluster=stack.cluster, service="web", maxResults=1)
    assert len(page["serviceDeployments"]) == 1 and page["nextToken"]
    rest = stack.ecs.list_service_deployments(
        cluster=stack.cluster, service="web", maxResults=1, nextToken=page["nextToken"]
    )
    assert rest["serviceDeployments"] == listed[1:] and "nextToken" not in rest
    hour = datetime.timedelta(hours=1)
    for created_at, count in (
        ({"after": listed[0]["createdAt"] + hour}, 0),
        ({"after": listed[1]["createdAt"] - hour}, 2),
    ):
        assert (
            len(
                stack.ecs.list_service_deployments(cluster=stack.cluster, service="web", createdAt=created_at)[
                    "serviceDeployments"
                ]
            )
            == count
        )


def test_a_circuit_breaker_rollback_is_reported_as_the_aws_cli_example_words_it(stack: Stack) -> None:
    stack.ecs.register_task_definition(
        family=stack.cluster,
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="256",
        memory="512",
        containerDefinitions=[{"name": "web", "image": "registry.invalid/app:1"}],
    )
    stack.create({"deploymentCircuitBreaker": {"enable": True, "rollback": True}}, loadBalancers=[])
    stack.settled()
    stack.update(4)
    failed = stack.settled(timeout=20)
    assert failed["status"] == "ROLLBACK_SUCCESSFUL"
    assert (
        failed["statusReason"] == "Service deployment rolled back because the circuit breaker threshold was exceeded."
    )
    assert failed["deploymentCircuitBreaker"]["status"] == "TRIGGERED"
    assert failed["deploymentCircuitBreaker"]["failureCount"] >= failed["deploymentCircuitBreaker"]["threshold"] == 3


def test_unknown_services_and_too_many_arns_are_refused(stack: Stack) -> None:
    with pytest.raises(ClientError) as refused:
        stack.ecs.list_service_deployments(cluster=stack.cluster, service="nope")
    assert refused.value.response["Error"]["Code"] == "ServiceNotFoundException"
    with pytest.raises(ClientError) as refused:
        stack.ecs.describe_service_deployments(serviceDeploymentArns=[f"arn:{i}" for i in range(21)])
    assert refused.value.response["Error"]["Code"] == "InvalidParameterException"


# --------------------------------------------------------------------------- helpers


@pytest.mark.parametrize(
    ("percent", "weights"), [(10.0, (90, 10)), (100.0, (0, 100)), (0.0, (100, 0)), (0.1, (999, 1)), (12.5, (875, 125))]
)
def test_split(percent: float, weights: tuple[int, int]) -> None:
    assert strategies.split(percent) == weights


@pytest.mark.parametrize(
    ("strategy", "configuration", "shifts"),
    [
        ("BLUE_GREEN", {}, [(100.0, 0.0)]),
        ("CANARY", {}, [(5.0, 10 * 2.0), (100.0, 0.0)]),
        ("CANARY", {"canaryConfiguration": {"canaryPercent": 100.0}}, [(100.0, 0.0)]),
        (
            "LINEAR",
            {"linearConfiguration": {"stepPercent": 30.0, "stepBakeTimeInMinutes": 1}},
            [(30.0, 2.0), (60.0, 2.0), (90.0, 2.0), (100.0, 0.0)],
        ),
        ("LINEAR", {}, [(float(p), 6 * 2.0 if p < 100 else 0.0) for p in range(10, 101, 10)]),
    ],
)
def test_production_shifts(strategy: str, configuration: dict[str, Any], shifts: list[tuple[float, float]]) -> None:
    assert strategies._production_shifts(strategy, configuration, 2.0) == shifts  # pylint: disable=protected-access


def test_timing_follows_the_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in (strategies.STAGE_SECONDS_VARIABLE, strategies.BAKE_MINUTE_SECONDS_VARIABLE):
        monkeypatch.delenv(variable, raising=False)
    try:
        realism.configure({"realistic": False})
        assert (strategies.stage_seconds(), strategies.bake_minute_seconds()) == (
            strategies.DEFAULT_STAGE_SECONDS,
            strategies.DEFAULT_BAKE_MINUTE_SECONDS,
        )
        realism.configure({"realistic": True, "time_scale": 0.5})
        assert strategies.bake_minute_seconds() == 30.0
        assert strategies.stage_seconds() == realism.TYPICAL["ecs.deployment_stage"].seconds / 2
        monkeypatch.setenv(strategies.BAKE_MINUTE_SECONDS_VARIABLE, "0.25")
        assert strategies.bake_minute_seconds() == 0.25
    finally:
        realism.reset()


# --------------------------------------------------------------------------- plain moto


def test_moto_alone_has_no_service_deployments_and_install_adds_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """Proves the extension is still needed: if the first assertion fails, moto implemented the actions."""
    from moto import mock_aws

    from emulator.extensions import ecs_service_deployments

    for patch in (*strategies.PATCHES, *ecs_service_deployments.PATCHES):  # put back whatever install() changes
        monkeypatch.setattr(patch.owner, patch.name, getattr(patch.owner, patch.name, None), raising=False)
        if getattr(patch.owner, patch.name) is None:
            delattr(patch.owner, patch.name)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    with mock_aws():
        ecs = boto3.client("ecs", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="x")
        ecs.create_cluster(clusterName="gap")
        with pytest.raises(NotImplementedError):
            ecs.list_service_deployments(cluster="gap", service="web")

        ecs_service_deployments.install()
        strategies.install()
        strategies.install()

        assert strategies.is_installed()
        wrapped = ecs_service_deployments.advance.__wrapped__  # pylint: disable=no-member
        assert not hasattr(wrapped, "__wrapped__"), "install() must not wrap twice"
        ecs.register_task_definition(
            family="gap", containerDefinitions=[{"name": "web", "image": "nginx", "memory": 512}]
        )
        ecs.create_service(cluster="gap", serviceName="web", taskDefinition="gap", desiredCount=1)
        listed = ecs.list_service_deployments(cluster="gap", service="web")["serviceDeployments"]
        assert [item["status"] for item in listed] == ["IN_PROGRESS"]
