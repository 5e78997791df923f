"""ECS's own deployment strategies (BLUE_GREEN, LINEAR, CANARY), deployment alarms, and the service deployments that
ListServiceDeployments and DescribeServiceDeployments report.

What AWS does (ECS API reference: DeploymentConfiguration, CanaryConfiguration, LinearConfiguration,
DeploymentAlarms, LoadBalancer and AdvancedConfiguration, ListServiceDeployments, DescribeServiceDeployments,
ServiceDeployment, ServiceDeploymentAlarms, ServiceDeploymentCircuitBreaker, Rollback, ServiceRevisionSummary; the
botocore ECS model in the venv; ECS developer guide, "Amazon ECS blue/green deployments", "Amazon ECS blue/green
service deployments workflow", "Required resources for Amazon ECS canary deployments", "Application Load Balancer
resources for blue/green, linear, and canary deployments", "How CloudWatch alarms detect Amazon ECS deployment
failures" and "Amazon ECS deployment failure detection"):

* A service of the ``ECS`` deployment controller deploys with ``deploymentConfiguration.strategy`` ``ROLLING`` (the
  default), ``BLUE_GREEN``, ``LINEAR`` or ``CANARY``. A new (green) service revision starts at the full desired count
  beside the running (blue) one and registers in the target group that takes no production traffic; ECS then moves
  the production listener rule's forward weights to it (BLUE_GREEN: all at once; CANARY: ``canaryPercent``, then
  ``canaryBakeTimeInMinutes``, then the rest; LINEAR: ``stepPercent`` more at each step, with
  ``stepBakeTimeInMinutes`` after every step but the last), keeps both revisions up for ``bakeTimeInMinutes``, and
  stops the blue tasks. The service deployment's ``lifecycleStage`` goes RECONCILE_SERVICE (only when more than one
  revision is active as the deployment starts), PRE_SCALE_UP, SCALE_UP, POST_SCALE_UP, TEST_TRAFFIC_SHIFT,
  POST_TEST_TRAFFIC_SHIFT, PRODUCTION_TRAFFIC_SHIFT (every step of a linear or canary shift),
  POST_PRODUCTION_TRAFFIC_SHIFT, BAKE_TIME, CLEAN_UP. The production rule ECS rewrites is a weighted
  ``ForwardConfig`` over both target groups, green 100 / blue 0 once a deployment is done, and the next deployment
  goes the other way round (go-to-k/cdk-real-drift#1730 and #1732, observed on AWS: the first deployment of a new
  service registers its tasks in the alternate target group and leaves the rule at alternate 100, and a rule that
  forwarded to the first target group alone was accepted and rewritten; hashicorp/terraform-provider-aws#45678:
  target groups alternate across deployments). DescribeServices then names the group taking production traffic
  ``targetGroupArn`` and the other ``advancedConfiguration.alternateTargetGroupArn`` (how AWS presents it is not
  documented; the collection treats the pair as one load balancer either way, plugins/module_utils/_ecs_service.py).
* CanaryConfiguration: ``canaryPercent`` a multiple of 0.1 from 0.1 to 100.0 (default 5.0),
  ``canaryBakeTimeInMinutes`` 0 to 1440 (default 10); LinearConfiguration: ``stepPercent`` a multiple of 0.1 from
  3.0 to 100.0 (default 10.0), ``stepBakeTimeInMinutes`` 0 to 1440 (default 6); each "only valid" with its strategy.
  ``bakeTimeInMinutes`` 0 to 1440, "you must provide this parameter when you use the BLUE_GREEN deployment strategy".
  Linear and canary deployments need an Application Load Balancer or Service Connect (the July 2025 announcement and
  "Required resources for Amazon ECS canary deployments"); each load balancer of a blue/green, linear or canary service
  carries ``advancedConfiguration`` with the alternate target group, the production listener rule (ALB; the listener
  for an NLB) and the role ECS calls Elastic Load Balancing with (the test listener rule is optional).
* Deployment alarms (``deploymentConfiguration.alarms``, every strategy of the ECS controller): ECS polls the alarms
  with DescribeAlarms while the deployment is in progress and during its bake time; an alarm in ALARM fails the
  deployment (``rolloutState`` FAILED) and, with ``rollback``, returns the service to the last completed deployment
  ("When the rollback starts, the deployment changes from a COMPLETED to IN_PROGRESS"). A rolling update watched by
  alarms has a bake time too, which ECS computes from the alarms' configuration ("You can't set this value"; the
  longest evaluation time of the alarms, period x evaluation periods: aws/copilot-cli#4294), and stays IN_PROGRESS
  until it ends. An alarm that is in ALARM when a deployment starts switches the alarms off for that deployment: "If
  an alarm is in 'In alarm' state at the beginning of a deployment, Amazon ECS will NOT monitor alarms for the
  duration of that deployment" (AWS Copilot's manifest reference, deployment.rollback_alarms, citing the ECS guide;
  aws/copilot-cli#4512). Alarm names are not checked when the service is created or updated: AWS Copilot and
  CloudFormation create the service before the alarms it names (aws/copilot-cli#4294).
* ListServiceDeployments (service required; ``status`` and ``createdAt`` {before, after} filters; ``maxResults`` 1 to
  100, 20 by default; newest first) and DescribeServiceDeployments (at most 20 ARNs; unknown ones under ``failures``
  with reason ``MISSING``) report every deployment of every strategy: ``status`` IN_PROGRESS, SUCCESSFUL, STOPPED (a
  failure with no rollback, or a newer deployment), ROLLBACK_IN_PROGRESS, ROLLBACK_SUCCESSFUL or ROLLBACK_FAILED;
  ``statusReason`` ("Service deployment rolled back because the circuit breaker threshold was exceeded.", the AWS
  CLI reference's example), the ``deploymentConfiguration`` it ran with, ``sourceServiceRevisions`` and
  ``targetServiceRevision`` (ARNs ``service-revision/<cluster>/<service>/<number>``, task counts, traffic weights),
  ``alarms`` {status TRIGGERED | MONITORING | MONITORING_COMPLETE | DISABLED, alarmNames, triggeredAlarmNames},
  ``deploymentCircuitBreaker`` {status, failureCount, threshold}, ``rollback`` {reason, startedAt, serviceRevisionArn}.
  DescribeServices names the newest one ``currentServiceDeployment`` and lists ``currentServiceRevisions``.

moto 5.2.5 has no strategy but the rolling update (ecs_service_deployments models that one), no traffic shifting, no
deployment alarms, and neither ListServiceDeployments nor DescribeServiceDeployments.

The patch hooks into ecs_service_deployments' timed model: ``new_deployment`` (every deployment gets its service
deployment and its plan; a blue/green, linear or canary one starts its scale-up a stage later, two after a
reconcile), ``tasks_running`` (once the green tasks run, a strategy deployment or one watched by alarms goes on by
the schedule fixed then instead of completing), ``fail_deployment`` (a strategy deployment rolls back to its blue
tasks: production traffic returns wholly to them, the green tasks stop a stage later), and ``advance`` (every look at
the service first checks the alarms in moto's CloudWatch backend, then moves the rollout on, then the schedule). The
listener rules' weights change in moto's ELBv2 backend, so DescribeRules shows the live split (DescribeRules and
DescribeTargetHealth move the shifting services on first, as AWS shifts whether or not anyone looks at ECS); the
green revision's tasks (``desiredCount`` IP targets on the container port) register in its target group and the
blue ones deregister at clean-up. The green target group of a deployment is the one of the pair the production rule
sends less traffic to as it starts (the service's ``targetGroupArn`` when the rule names neither), whatever order an
UpdateService gives the pair in (terraform-provider-aws#45678 reports that AWS goes by the request's order; not
modelled). A stage without a lifecycle hook lasts ``realism.seconds("ecs.deployment_stage")``
(``EMULATOR_ECS_DEPLOYMENT_STAGE_SECONDS``; 1 second in plain mode) and a configured bake minute
``realism.seconds("ecs.bake_minute")`` (``EMULATOR_ECS_BAKE_MINUTE_SECONDS``; 2 seconds in plain mode, 60 s x the
time scale in realistic mode), both fixed when the deployment starts and recorded as timers. An alarm that went into
ALARM before the bake ended fails the deployment even when nobody looked before (its ``StateUpdatedTimestamp``).
CreateService and UpdateService refuse an invalid configuration with ``InvalidParameterException`` before anything
changes (``check_deployment_configuration``, called by ecs_service_configuration; AWS's wording where known, the
wording here otherwise). The reasons an alarm gives (``alarm_cause``) are this emulator's, worded as the circuit
breaker's.

Not modelled: lifecycle hooks (accepted and stored; ECS would invoke Lambda functions, or pause, at their stages:
the stages pass as if every hook succeeded); test traffic other than the test listener rule's weights; Service
Connect and VPC Lattice traffic shifting (the stages pass without weights); early success criteria; task sets;
DescribeServiceRevisions and StopServiceDeployment; a rollback that itself fails (ROLLBACK_FAILED is reported only
when the circuit breaker fails the rollback deployment).
"""

from __future__ import annotations

import copy
import datetime
import functools
import math
from typing import Any

from moto.cloudwatch.models import cloudwatch_backends
from moto.core.responses import ActionResult
from moto.core.utils import utcnow
from moto.ec2.utils import random_private_ip
from moto.ecs.exceptions import InvalidParameterException
from moto.ecs.models import EC2ContainerServiceBackend, Service
from moto.ecs.responses import EC2ContainerServiceResponse
from moto.elbv2.models import ELBv2Backend, FakeAction, elbv2_backends

from emulator import realism
from emulator.extensions import _patching
from emulator.extensions import ecs_service_deployments as deployments
from emulator.extensions._patching import Patch, added

STAGE_SECONDS_VARIABLE = "EMULATOR_ECS_DEPLOYMENT_STAGE_SECONDS"
BAKE_MINUTE_SECONDS_VARIABLE = "EMULATOR_ECS_BAKE_MINUTE_SECONDS"
DEFAULT_STAGE_SECONDS = 1.0
DEFAULT_BAKE_MINUTE_SECONDS = 2.0

ROLLING, BLUE_GREEN, LINEAR, CANARY = "ROLLING", "BLUE_GREEN", "LINEAR", "CANARY"
TRAFFIC_SHIFTING = (BLUE_GREEN, LINEAR, CANARY)
CANARY_DEFAULTS = {"canaryPercent": 5.0, "canaryBakeTimeInMinutes": 10}
LINEAR_DEFAULTS = {"stepPercent": 10.0, "stepBakeTimeInMinutes": 6}
BAKE_MINUTES_RANGE = (0, 1440)
CANARY_PERCENT_RANGE = (0.1, 100.0)
STEP_PERCENT_RANGE = (3.0, 100.0)
DESCRIBE_MAX_ARNS = 20
LIST_DEFAULT_RESULTS = 20
LIST_MAX_RESULTS = 100
# An ALB listener rule; an NLB's production "rule" is its listener.
ALB_RULE_MARKER = ":listener-rule/app/"

_STRATEGY = "strategy"  # the plan's key in a deployment's ecs_service_deployments state
_RECORDS: dict[str, dict[str, Any]] = {}  # service deployment ARN -> record
# Services shifting traffic now (service ARN -> (ECS backend, service)): ELBv2's describe calls move them on first.
_SHIFTING: dict[str, tuple[EC2ContainerServiceBackend, Service]] = {}


def alarm_cause(alarm_names: list[str]) -> deployments.FailureCause:
    alarms = ", ".join(alarm_names)
    return deployments.FailureCause(
        "alarms",
        f"ECS deployment alarms: {alarms} in ALARM state.",
        f"alarm {alarms} in ALARM state.",
        "ECS deployment alarms: rolling back to deploymentId {target}.",
    )


# --------------------------------------------------------------------------- timing


def stage_seconds() -> float:
    """How long a lifecycle stage without a hook (and without a bake) takes now."""
    return realism.seconds("ecs.deployment_stage", plain=DEFAULT_STAGE_SECONDS, variable=STAGE_SECONDS_VARIABLE)


def bake_minute_seconds() -> float:
    """How long one configured bake minute lasts now."""
    return realism.seconds("ecs.bake_minute", plain=DEFAULT_BAKE_MINUTE_SECONDS, variable=BAKE_MINUTE_SECONDS_VARIABLE)


# --------------------------------------------------------------------------- validation


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _tenths(value: float) -> bool:
    return math.isclose(value * 10, round(value * 10), abs_tol=1e-6)


def _bake_error(name: str, value: Any) -> str | None:
    number = _number(value)
    if number is None or not number.is_integer() or not BAKE_MINUTES_RANGE[0] <= number <= BAKE_MINUTES_RANGE[1]:
        return f"{name} must be an integer from {BAKE_MINUTES_RANGE[0]} to {BAKE_MINUTES_RANGE[1]}."
    return None


def _percent_error(name: str, value: Any, low: float, high: float) -> str | None:
    number = _number(value)
    if number is None or not low <= number <= high or not _tenths(number):
        return f"{name} must be a multiple of 0.1 from {low} to {high}."
    return None


def _find_target_group(account_id: str, region: str, arn: str) -> Any:
    return elbv2_backends[account_id][region].target_groups.get(arn)


def _find_listener_or_rule(account_id: str, region: str, arn: str) -> Any:
    """The ALB listener rule or the (NLB) listener of that ARN in moto's ELBv2 backend, None when there is none."""
    for load_balancer in elbv2_backends[account_id][region].load_balancers.values():
        for listener in load_balancer.listeners.values():
            if listener.arn == arn:
                return listener
            for rule in listener.rules.values():
                if rule.arn == arn:
                    return rule
    return None


def _actions(rule_or_listener: Any) -> list[Any]:
    return list(getattr(rule_or_listener, "actions", None) or getattr(rule_or_listener, "default_actions", None) or [])


def forward_weights(rule_or_listener: Any) -> dict[str, int]:
    """Target group ARN -> forward weight of a rule's (or listener's) forward actions."""
    weights: dict[str, int] = {}
    for action in _actions(rule_or_listener):
        data = getattr(action, "data", None) or {}
        if data.get("Type") != "forward":
            continue
        groups = (data.get("ForwardConfig") or {}).get("TargetGroups") or []
        if groups:
            for group in groups:
                weights[group["TargetGroupArn"]] = int(group.get("Weight", 1))
        elif data.get("TargetGroupArn"):
            weights[data["TargetGroupArn"]] = 1
    return weights


def check_deployment_configuration(
    configuration: dict[str, Any],
    given: dict[str, Any] | None,
    load_balancers: list[dict[str, Any]] | None,
    controller: str,
    account_id: str,
    region: str,
    service_connect: dict[str, Any] | None = None,
) -> None:
    """Refuse (``InvalidParameterException``) a service whose deployment ``configuration`` (``given`` applied over
    what it had) and ``load_balancers`` cannot deploy; called before moto acts, so nothing changes."""
    given = given or {}
    strategy = configuration.get("strategy") or ROLLING
    if controller != "ECS" and (strategy != ROLLING or given.get("alarms") is not None):
        raise InvalidParameterException(
            f"The {strategy} deployment strategy and deployment alarms are only supported for services that use the"
            " ECS deployment controller."
        )
    errors: list[str | None] = []
    if configuration.get("bakeTimeInMinutes") is not None:
        errors.append(_bake_error("bakeTimeInMinutes", configuration["bakeTimeInMinutes"]))
    if given.get("strategy") == BLUE_GREEN and given.get("bakeTimeInMinutes") is None:
        errors.append("bakeTimeInMinutes is required when the deployment strategy is BLUE_GREEN.")
    canary, linear = given.get("canaryConfiguration"), given.get("linearConfiguration")
    if canary is not None:
        if strategy != CANARY:
            errors.append("canaryConfiguration is only valid when the deployment strategy is CANARY.")
        if canary.get("canaryPercent") is not None:
            errors.append(_percent_error("canaryPercent", canary["canaryPercent"], *CANARY_PERCENT_RANGE))
        if canary.get("canaryBakeTimeInMinutes") is not None:
            errors.append(_bake_error("canaryBakeTimeInMinutes", canary["canaryBakeTimeInMinutes"]))
    if linear is not None:
        if strategy != LINEAR:
            errors.append("linearConfiguration is only valid when the deployment strategy is LINEAR.")
        if linear.get("stepPercent") is not None:
            errors.append(_percent_error("stepPercent", linear["stepPercent"], *STEP_PERCENT_RANGE))
        if linear.get("stepBakeTimeInMinutes") is not None:
            errors.append(_bake_error("stepBakeTimeInMinutes", linear["stepBakeTimeInMinutes"]))
    alarms = configuration.get("alarms") or {}
    if alarms.get("enable") and not alarms.get("alarmNames"):
        errors.append("alarms.alarmNames must name at least one CloudWatch alarm when alarms are enabled.")
    errors.extend(_load_balancer_errors(strategy, load_balancers or [], account_id, region, service_connect))
    refused = [error for error in errors if error]
    if refused:
        raise InvalidParameterException(" ".join(refused))


def _load_balancer_errors(
    strategy: str,
    load_balancers: list[dict[str, Any]],
    account_id: str,
    region: str,
    service_connect: dict[str, Any] | None,
) -> list[str]:
    errors = []
    if strategy == ROLLING:
        if any(item.get("advancedConfiguration") for item in load_balancers):
            errors.append(
                "advancedConfiguration is only supported with the BLUE_GREEN, LINEAR and CANARY deployment strategies."
            )
        return errors
    with_alb = [item for item in load_balancers if item.get("targetGroupArn")]
    if strategy in (LINEAR, CANARY) and not with_alb and not (service_connect or {}).get("enabled"):
        errors.append(f"The {strategy} deployment strategy requires an Application Load Balancer or Service Connect.")
    for item in with_alb:
        group = item["targetGroupArn"]
        advanced = item.get("advancedConfiguration")
        if not advanced:
            errors.append(
                f"advancedConfiguration is required for target group {group} with the {strategy} deployment strategy."
            )
            continue
        missing = [
            name for name in ("alternateTargetGroupArn", "productionListenerRule", "roleArn") if not advanced.get(name)
        ]
        if missing:
            errors.append(f"advancedConfiguration of target group {group} must include {', '.join(missing)}.")
            continue
        alternate, production = advanced["alternateTargetGroupArn"], advanced["productionListenerRule"]
        if alternate == group:
            errors.append("alternateTargetGroupArn must be a different target group than targetGroupArn.")
        for arn in (group, alternate):
            if _find_target_group(account_id, region, arn) is None:
                errors.append(f"The target group {arn} does not exist.")
        if strategy in (LINEAR, CANARY) and ALB_RULE_MARKER not in production:
            errors.append(
                f"The {strategy} deployment strategy requires an Application Load Balancer listener rule as"
                f" productionListenerRule, not {production}."
            )
        rule = _find_listener_or_rule(account_id, region, production)
        if rule is None:
            errors.append(f"The listener rule {production} does not exist.")
        elif not {group, alternate} & set(forward_weights(rule)):
            errors.append(
                f"The production listener rule {production} must forward to target group {group} or {alternate}."
            )
        test = advanced.get("testListenerRule")
        if test and _find_listener_or_rule(account_id, region, test) is None:
            errors.append(f"The listener rule {test} does not exist.")
    return errors


# --------------------------------------------------------------------------- traffic


def _set_weights(account_id: str, region: str, arn: str | None, weights: list[tuple[str, int]]) -> None:
    """The rule's (or NLB listener's) forward action becomes a weighted forward to ``weights``; other actions stay."""
    if not arn:
        return
    target = _find_listener_or_rule(account_id, region, arn)
    if target is None:  # deleted meanwhile: nothing to shift
        return
    attribute = "actions" if hasattr(target, "actions") else "default_actions"
    actions = list(getattr(target, attribute) or [])
    order = next(
        (getattr(a, "data", {}).get("Order") for a in actions if getattr(a, "data", {}).get("Type") == "forward"), None
    )
    forward: dict[str, Any] = {
        "Type": "forward",
        "ForwardConfig": {"TargetGroups": [{"TargetGroupArn": tg, "Weight": weight} for tg, weight in weights]},
    }
    if order is not None:
        forward["Order"] = order
    kept = [a for a in actions if getattr(a, "data", {}).get("Type") != "forward"]
    setattr(target, attribute, kept + [FakeAction(forward)])


def split(percent: float) -> tuple[int, int]:
    """(blue, green) forward weights that send ``percent`` of the traffic to green: whole percents as they are
    (100 / 0 once shifted, as AWS shows it), tenths in per mille (ELB weights are integers up to 999)."""
    if float(percent).is_integer():
        green = int(percent)
        return 100 - green, green
    green = int(round(percent * 10))
    return 1000 - green, green


def _pairs(account_id: str, region: str, load_balancers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each load balancer of a traffic-shifting service: which target group takes production traffic now (the one
    the production rule sends most to; the service's ``targetGroupArn`` when the rule names neither), which one the
    green tasks go to, and the rules and port."""
    pairs = []
    for item in load_balancers:
        advanced = item.get("advancedConfiguration") or {}
        if not item.get("targetGroupArn") or not advanced.get("alternateTargetGroupArn"):
            continue
        group, alternate = item["targetGroupArn"], advanced["alternateTargetGroupArn"]
        rule = _find_listener_or_rule(account_id, region, advanced.get("productionListenerRule") or "")
        weights = forward_weights(rule) if rule is not None else {}
        production = group if weights.get(group, 0) >= weights.get(alternate, 0) else alternate
        if group not in weights and alternate not in weights:
            production = group
        pairs.append(
            {
                "blue": production,
                "green": alternate if production == group else group,
                "production_rule": advanced.get("productionListenerRule"),
                "test_rule": advanced.get("testListenerRule"),
                "port": item.get("containerPort"),
            }
        )
    return pairs


def _shift(plan: dict[str, Any], percent: float, rule_key: str = "production_rule") -> None:
    """``percent`` of the traffic of every pair's production (or test) rule to the green target group."""
    blue_weight, green_weight = split(percent)
    shifted = False
    for pair in plan["pairs"]:
        if pair[rule_key]:
            _set_weights(
                plan["account_id"],
                plan["region"],
                pair[rule_key],
                [(pair["blue"], blue_weight), (pair["green"], green_weight)],
            )
            shifted = True
    if shifted:
        plan["weights"][rule_key] = float(percent)


def _register(plan: dict[str, Any], count: int) -> None:
    """The green tasks' addresses, registered in the green target groups."""
    for pair in plan["pairs"]:
        group = _find_target_group(plan["account_id"], plan["region"], pair["green"])
        if group is None:
            continue
        for _ in range(count):
            address = random_private_ip()
            group.targets[address] = {"Id": address, "Port": pair["port"] or group.port}
            group.deregistered_targets.pop(address, None)
            pair.setdefault("registered", []).append(address)


def _deregister(plan: dict[str, Any]) -> None:
    for pair in plan["pairs"]:
        group = _find_target_group(plan["account_id"], plan["region"], pair["green"])
        for address in pair.pop("registered", []):
            if group is not None and address in group.targets:
                group.deregistered_targets[address] = group.targets.pop(address)


# --------------------------------------------------------------------------- alarms


def _alarms(account_id: str, region: str) -> dict[str, Any]:
    return cloudwatch_backends[account_id][region].alarms


def _in_alarm(plan: dict[str, Any], before: datetime.datetime | None = None) -> list[str]:
    """The deployment's alarms in ALARM (that went there before ``before``, when given)."""
    alarms = _alarms(plan["account_id"], plan["region"])
    names = []
    for name in plan["alarms"]["names"]:
        alarm = alarms.get(name)
        if alarm is None or alarm.state_value != "ALARM":
            continue
        if before is not None and alarm.state_updated_timestamp > before:
            continue
        names.append(name)
    return names


def _alarm_bake_seconds(plan: dict[str, Any]) -> float:
    """A rolling update's alarm bake: the longest evaluation time of its alarms, in bake minutes."""
    alarms = _alarms(plan["account_id"], plan["region"])
    evaluation = 0.0
    for name in plan["alarms"]["names"]:
        alarm = alarms.get(name)
        if alarm is None:
            continue
        periods = [alarm.period] + [query.period for query in alarm.metric_data_queries or []]
        period = max(float(p) for p in periods if p) if any(periods) else 60.0
        evaluation = max(evaluation, period * float(alarm.evaluation_periods or 1))
    return evaluation / 60 * plan["bake_minute"]


# --------------------------------------------------------------------------- service deployments


def _number_of(deployment: dict[str, Any]) -> str:
    return deployment["id"].split("/")[-1]


def revision_arn(service: Service, deployment: dict[str, Any]) -> str:
    cluster = service.cluster_arn.split("/")[-1]
    prefix = service.arn.split(":service/")[0]
    return f"{prefix}:service-revision/{cluster}/{service.name}/{_number_of(deployment)}"


def _revision(service: Service, deployment: dict[str, Any], weights: dict[str, float] | None = None) -> dict[str, Any]:
    summary: dict[str, Any] = {
        "arn": revision_arn(service, deployment),
        "requestedTaskCount": deployment.get("desiredCount", 0),
        "runningTaskCount": deployment.get("runningCount", 0),
        "pendingTaskCount": deployment.get("pendingCount", 0),
    }
    if weights is not None:
        summary["requestedProductionTrafficWeight"] = weights.get("production_rule", 0.0)
        summary["requestedTestTrafficWeight"] = weights.get("test_rule", 0.0)
    return summary


def _new_record(service: Service, deployment: dict[str, Any], sources: list[dict[str, Any]]) -> dict[str, Any]:
    prefix = service.arn.split(":service/")[0]
    cluster = service.cluster_arn.split("/")[-1]
    arn = f"{prefix}:service-deployment/{cluster}/{service.name}/{_number_of(deployment)}"
    record = {
        "arn": arn,
        "service": service,
        "deployment": deployment,
        "sources": sources,
        "configuration": copy.deepcopy(getattr(service, "deployment_configuration", None) or {}),
        "created_at": deployment["createdAt"],
        "updated_at": deployment["createdAt"],
    }
    _RECORDS[arn] = record
    history = getattr(service, "_emulator_service_deployments", None)
    if history is None:
        history = service._emulator_service_deployments = []  # pylint: disable=protected-access
    history.insert(0, record)
    deployments._state(deployment)["record"] = record  # pylint: disable=protected-access
    return record


def _status(record: dict[str, Any]) -> tuple[str, str | None, datetime.datetime | None]:
    """(status, statusReason, when it ended) of a service deployment, from its deployment as it is now."""
    deployment = record["deployment"]
    state = deployments._state(deployment)  # pylint: disable=protected-access
    cause = state.get("failure_cause")
    if state.get("completed_at") and cause is None:
        return "SUCCESSFUL", None, state["completed_at"]
    if cause is not None:
        words = (
            "the circuit breaker threshold was exceeded"
            if cause.name == "circuit_breaker"
            else f"alarm {', '.join(state.get('triggered_alarms') or [])} went into ALARM"
        )
        rollback = state.get("rollback_deployment")
        if rollback is None:
            return "STOPPED", f"Service deployment failed because {words}.", state.get("failed_at")
        if rollback.get("rolloutState") == "FAILED":
            return "ROLLBACK_FAILED", f"Service deployment rollback failed after {words}.", rollback.get("updatedAt")
        rollback_state = deployments._state(rollback)  # pylint: disable=protected-access
        if rollback.get("rolloutState") == "COMPLETED" and rollback_state.get(
            "completed_at", datetime.datetime.min
        ) >= (state.get("failed_at") or datetime.datetime.min):
            return (
                "ROLLBACK_SUCCESSFUL",
                f"Service deployment rolled back because {words}.",
                rollback_state["completed_at"],
            )
        return "ROLLBACK_IN_PROGRESS", f"Service deployment rolling back because {words}.", None
    service = record["service"]
    listed = any(d is deployment for d in service.deployments)
    if not listed or deployment.get("status") != "PRIMARY" or service.status != "ACTIVE":
        return (
            "STOPPED",
            "Service deployment stopped because a newer service deployment started.",
            deployment.get("updatedAt"),
        )
    return "IN_PROGRESS", None, None


def _monitor_status(watching: bool, triggered: bool, status: str) -> str:
    if not watching:
        return "DISABLED"
    if triggered:
        return "TRIGGERED"
    return "MONITORING" if status == "IN_PROGRESS" else "MONITORING_COMPLETE"


def brief(record: dict[str, Any]) -> dict[str, Any]:
    """ListServiceDeployments' ServiceDeploymentBrief."""
    service, deployment = record["service"], record["deployment"]
    status, reason, ended = _status(record)
    result = {
        "serviceDeploymentArn": record["arn"],
        "serviceArn": service.arn,
        "clusterArn": service.cluster_arn,
        "createdAt": record["created_at"],
        "startedAt": record["created_at"],
        "targetServiceRevisionArn": revision_arn(service, deployment),
        "status": status,
    }
    if ended is not None and status != "STOPPED":
        result["finishedAt"] = ended
    if reason:
        result["statusReason"] = reason
    return result


def described(record: dict[str, Any]) -> dict[str, Any]:
    """DescribeServiceDeployments' ServiceDeployment."""
    service, deployment = record["service"], record["deployment"]
    state = deployments._state(deployment)  # pylint: disable=protected-access
    plan = state.get(_STRATEGY) or {}
    status, reason, ended = _status(record)
    cause = state.get("failure_cause")
    result = brief(record)
    result.pop("targetServiceRevisionArn")
    result["updatedAt"] = max(record["updated_at"], deployment.get("updatedAt") or record["updated_at"])
    if status == "STOPPED" and ended is not None:
        result["stoppedAt"] = ended
    shifting = plan.get("strategy") in TRAFFIC_SHIFTING
    weights = plan.get("weights") or {}
    result["sourceServiceRevisions"] = [
        _revision(
            service,
            source,
            {key: 100.0 - value for key, value in weights.items()} if shifting else None,
        )
        for source in record["sources"]
    ]
    result["targetServiceRevision"] = _revision(service, deployment, weights if shifting else None)
    if plan.get("stage"):
        result["lifecycleStage"] = plan["stage"]
    result["deploymentConfiguration"] = copy.deepcopy(record["configuration"])
    breaker = record["configuration"].get("deploymentCircuitBreaker") or {}
    result["deploymentCircuitBreaker"] = {
        "status": _monitor_status(
            bool(breaker.get("enable")), cause is not None and cause.name == "circuit_breaker", status
        ),
        "failureCount": deployment.get("failedTasks", 0),
        "threshold": deployments.failure_threshold(deployment.get("desiredCount", 0)),
    }
    alarms = plan.get("alarms") or {}
    result["alarms"] = {
        "status": _monitor_status(bool(alarms.get("watching")), bool(alarms.get("triggered")), status),
        "alarmNames": list(alarms.get("names") or []),
        "triggeredAlarmNames": list(alarms.get("triggered") or []),
    }
    rollback = state.get("rollback_deployment")
    if rollback is not None:
        result["rollback"] = {
            "reason": reason,
            "startedAt": state.get("rollback_started_at") or state.get("failed_at"),
            "serviceRevisionArn": revision_arn(service, rollback),
        }
    return result


def _touch(record: dict[str, Any] | None, ago: float = 0.0) -> None:
    """The service deployment changed ``ago`` seconds ago (a stage that began before anyone looked)."""
    if record is not None:
        record["updated_at"] = utcnow() - datetime.timedelta(seconds=max(0.0, ago))


def _set_stage(plan: dict[str, Any], stage: str | None, ago: float = 0.0) -> None:
    if stage and plan.get("stage") != stage:
        plan["stage"] = stage
        _touch(plan.get("record"), ago)


# --------------------------------------------------------------------------- plans and schedules


def _alarm_settings(configuration: dict[str, Any]) -> dict[str, Any]:
    """The deployment alarms a deployment starts with; ``watching`` whether ECS polls them."""
    alarms = configuration.get("alarms") or {}
    settings = {
        "names": list(alarms.get("alarmNames") or []),
        "enabled": bool(alarms.get("enable")),
        "rollback": bool(alarms.get("rollback")),
        "triggered": [],
    }
    settings["watching"] = settings["enabled"] and bool(settings["names"])
    return settings


def _plan(backend: EC2ContainerServiceBackend, service: Service, configuration: dict[str, Any]) -> dict[str, Any]:
    """What a deployment starting now will do, its durations fixed now (a mode switch mid-way moves nothing back)."""
    strategy = configuration.get("strategy") or ROLLING
    minute = bake_minute_seconds()
    plan: dict[str, Any] = {
        "strategy": strategy,
        "account_id": backend.account_id,
        "region": backend.region_name,
        "alarms": _alarm_settings(configuration),
        "stage_seconds": stage_seconds(),
        "bake_minute": minute,
        "bake_seconds": float(configuration.get("bakeTimeInMinutes") or 0) * minute,
        "pairs": [],
        "weights": {},
        "stage": None,
    }
    if plan["alarms"]["watching"] and _in_alarm(plan):
        plan["alarms"]["watching"] = False  # an alarm already in ALARM: ECS watches none for this deployment
    if strategy in TRAFFIC_SHIFTING:
        plan["pairs"] = _pairs(backend.account_id, backend.region_name, service.load_balancers or [])
        plan["shifts"] = _production_shifts(strategy, configuration, minute)
    return plan


def _production_shifts(strategy: str, configuration: dict[str, Any], minute: float) -> list[tuple[float, float]]:
    """(percent to green, seconds of bake after it) for each production traffic shift."""
    if strategy == CANARY:
        canary = {**CANARY_DEFAULTS, **(configuration.get("canaryConfiguration") or {})}
        percent = float(canary["canaryPercent"])
        if percent >= 100:
            return [(100.0, 0.0)]
        return [(percent, float(canary["canaryBakeTimeInMinutes"]) * minute), (100.0, 0.0)]
    if strategy == LINEAR:
        linear = {**LINEAR_DEFAULTS, **(configuration.get("linearConfiguration") or {})}
        step, bake = float(linear["stepPercent"]), float(linear["stepBakeTimeInMinutes"]) * minute
        shifts, percent = [], 0.0
        while percent < 100:
            percent = min(100.0, round(percent + step, 1))
            shifts.append((percent, bake if percent < 100 else 0.0))  # no bake once all traffic moved
        return shifts
    return [(100.0, 0.0)]


def _schedule(plan: dict[str, Any]) -> list[dict[str, Any]]:
    """The stages after the green tasks run: (stage, start offset, duration, what happens as it starts)."""
    steps: list[dict[str, Any]] = []
    offset = 0.0

    def add(stage: str | None, seconds: float, action: tuple[Any, ...] | None = None, behaviour: str = "") -> None:
        nonlocal offset
        steps.append({"stage": stage, "start": offset, "seconds": seconds, "action": action, "behaviour": behaviour})
        offset += seconds

    stage = plan["stage_seconds"]
    if plan["strategy"] not in TRAFFIC_SHIFTING:  # a rolling update watched by alarms: only its bake
        add(None, _alarm_bake_seconds(plan), None, "ecs.bake_minute")
        plan["monitor_until"] = offset
        return steps
    add("POST_SCALE_UP", stage, None, "ecs.deployment_stage")
    add("TEST_TRAFFIC_SHIFT", stage, ("test", 100.0), "ecs.deployment_stage")
    add("POST_TEST_TRAFFIC_SHIFT", stage, None, "ecs.deployment_stage")
    for percent, bake in plan["shifts"]:
        add("PRODUCTION_TRAFFIC_SHIFT", stage, ("production", percent), "ecs.deployment_stage")
        if bake:
            add("PRODUCTION_TRAFFIC_SHIFT", bake, None, "ecs.bake_minute")
    add("POST_PRODUCTION_TRAFFIC_SHIFT", stage, None, "ecs.deployment_stage")
    add("BAKE_TIME", plan["bake_seconds"], None, "ecs.bake_minute")
    plan["monitor_until"] = offset
    add("CLEAN_UP", stage, None, "ecs.deployment_stage")
    return steps


def _plan_of(deployment: dict[str, Any] | None) -> dict[str, Any] | None:
    if deployment is None:
        return None
    return deployments._state(deployment).get(_STRATEGY)  # pylint: disable=protected-access


def _takes_over(plan: dict[str, Any] | None) -> bool:
    return plan is not None and (plan["strategy"] in TRAFFIC_SHIFTING or plan["alarms"]["watching"])


def _reconcile(service: Service) -> None:
    """A new deployment supersedes one still shifting traffic: its traffic goes back to its blue tasks."""
    for deployment in service.deployments:
        plan = _plan_of(deployment)
        if plan is None or plan.get("schedule") is None or plan.get("finished"):
            continue
        if plan["strategy"] in TRAFFIC_SHIFTING:
            _shift(plan, 0.0)
            _shift(plan, 0.0, "test_rule")
            _deregister(plan)
        plan["finished"] = True


def _new_deployment_planned(original: Any) -> Any:
    @functools.wraps(original)
    def new_deployment(
        backend: EC2ContainerServiceBackend, service: Service, source: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        sources = [d for d in service.deployments if d.get("runningCount", 0) or d.get("rolloutState") == "IN_PROGRESS"]
        deployment = original(backend, service, source)
        if source is not None:  # a rollback belongs to the failed deployment's service deployment
            return deployment
        configuration = getattr(service, "deployment_configuration", None) or {}
        _reconcile(service)
        plan = _plan(backend, service, configuration)
        state = deployments._state(deployment)  # pylint: disable=protected-access
        state[_STRATEGY] = plan
        plan["record"] = _new_record(service, deployment, sources)
        if plan["strategy"] in TRAFFIC_SHIFTING:
            _SHIFTING[service.arn] = (backend, service)
            # RECONCILE_SERVICE (more than one revision active) and PRE_SCALE_UP pass before the green tasks start.
            stages = ["PRE_SCALE_UP"] if len(sources) <= 1 else ["RECONCILE_SERVICE", "PRE_SCALE_UP"]
            plan["before_scale_up"] = [
                (stage, state["started"] + i * plan["stage_seconds"]) for i, stage in enumerate(stages)
            ]
            for stage, started in plan["before_scale_up"]:
                realism.record("ecs.deployment_stage", plan["stage_seconds"], service.arn, started)
            state["started"] += len(stages) * plan["stage_seconds"]
            _set_stage(plan, stages[0])
        return deployment

    return new_deployment


def _tasks_running_handed_over(original: Any) -> Any:
    @functools.wraps(original)
    def tasks_running(backend: EC2ContainerServiceBackend, service: Service, deployment: dict[str, Any]) -> None:
        plan = _plan_of(deployment)
        state = deployments._state(deployment)  # pylint: disable=protected-access
        if not _takes_over(plan) or plan.get("finished"):
            original(backend, service, deployment)
            return
        assert plan is not None
        state["handed_over"] = True
        since = state.get("running_since", realism.now())
        desired = deployment.get("desiredCount", 0)
        deployment.update(runningCount=desired, pendingCount=0, updatedAt=utcnow())
        if desired:
            deployments.add_event(service, f"(service {service.name}) has started {desired} tasks.")
        if plan["strategy"] in TRAFFIC_SHIFTING:
            _register(plan, desired)
        else:  # a rolling update's old tasks stop as the new ones run; its bake follows
            stopped = 0
            for other in service.deployments:
                if other is not deployment and other.get("runningCount"):
                    stopped += other["runningCount"]
                    other.update(runningCount=0, pendingCount=0, updatedAt=utcnow())
            if stopped:
                deployments.add_event(service, f"(service {service.name}) has stopped {stopped} running tasks.")
        plan["schedule"] = _schedule(plan)
        plan["schedule_start"] = since
        plan["applied"] = 0
        for step in plan["schedule"]:
            realism.record(step["behaviour"], step["seconds"], service.arn, since + step["start"])

    return tasks_running


def _step(service: Service, deployment: dict[str, Any], plan: dict[str, Any]) -> None:
    """Apply the stages that have begun by now; complete the deployment once the last one ended."""
    if plan.get("schedule") is None:  # the green tasks are not running yet
        if plan["strategy"] in TRAFFIC_SHIFTING:
            now = realism.now()
            started = [stage for stage, since in plan["before_scale_up"] if since <= now]
            scaling = now >= deployments._state(deployment)["started"]  # pylint: disable=protected-access
            _set_stage(plan, "SCALE_UP" if scaling else (started or [None])[-1])
        return
    elapsed = realism.now() - plan["schedule_start"]
    schedule = plan["schedule"]
    while plan["applied"] < len(schedule) and schedule[plan["applied"]]["start"] <= elapsed:
        step = schedule[plan["applied"]]
        plan["applied"] += 1
        if step["action"] is not None:
            kind, percent = step["action"]
            _shift(plan, percent, "production_rule" if kind == "production" else "test_rule")
        if plan["strategy"] in TRAFFIC_SHIFTING:
            _set_stage(plan, step["stage"], elapsed - step["start"])
    last = schedule[-1] if schedule else {"start": 0.0, "seconds": 0.0}
    if elapsed >= last["start"] + last["seconds"]:
        _finish(service, deployment, plan)


def _finish(service: Service, deployment: dict[str, Any], plan: dict[str, Any]) -> None:
    """The deployment succeeded: the blue tasks stop (and leave their target groups), the target groups swap roles."""
    plan["finished"] = True
    for pair in plan["pairs"]:
        blue = _find_target_group(plan["account_id"], plan["region"], pair["blue"])
        for address in list(blue.targets) if blue is not None else []:
            blue.deregistered_targets[address] = blue.targets.pop(address)
        for item in service.load_balancers or []:
            advanced = item.get("advancedConfiguration") or {}
            if {item.get("targetGroupArn"), advanced.get("alternateTargetGroupArn")} == {pair["blue"], pair["green"]}:
                item["targetGroupArn"], advanced["alternateTargetGroupArn"] = pair["green"], pair["blue"]
    deployments.complete(service, deployment, started_event=False)
    _touch(plan.get("record"))


# --------------------------------------------------------------------------- failure and rollback


def _fail_with_blue_green_rollback(original: Any) -> Any:
    @functools.wraps(original)
    def fail_deployment(
        backend: EC2ContainerServiceBackend,
        service: Service,
        deployment: dict[str, Any],
        rollback: bool,
        cause: deployments.FailureCause = deployments.CIRCUIT_BREAKER,
    ) -> None:
        plan = _plan_of(deployment)
        if plan is None or plan["strategy"] not in TRAFFIC_SHIFTING:
            original(backend, service, deployment, rollback, cause)
            return
        plan["finished"] = True
        blue = deployments.rollback_target(service, deployment) if rollback else None
        original(backend, service, deployment, False, cause)
        _touch(plan.get("record"))
        if blue is None:  # no rollback (or nothing to go back to): traffic stays where it is
            return
        # The blue tasks still run: production (and test) traffic goes back to them, the green tasks stop.
        _shift(plan, 0.0)
        _shift(plan, 0.0, "test_rule")
        _deregister(plan)
        state = deployments._state(deployment)  # pylint: disable=protected-access
        now = utcnow()
        state.update(rollback_deployment=blue, rollback_started_at=now)
        deployment.update(status="ACTIVE", updatedAt=now)
        blue_state = deployments._state(blue)  # pylint: disable=protected-access
        blue_state.update(
            handed_over=True, rollback_of=deployment, rollback_until=realism.now() + plan["stage_seconds"]
        )
        blue.update(
            status="PRIMARY",
            rolloutState="IN_PROGRESS",
            rolloutStateReason=cause.rollback.format(target=blue["id"]),
            updatedAt=now,
        )
        service.deployments.remove(blue)
        service.deployments.insert(0, blue)
        service.task_definition = blue.get("taskDefinition")
        realism.record("ecs.deployment_stage", plan["stage_seconds"], service.arn)
        deployments.add_event(service, f"(service {service.name}) rolling back to deployment {blue['id']}.")

    return fail_deployment


def _rolled_back(service: Service, blue: dict[str, Any]) -> None:
    """A blue/green rollback ends once the green tasks stopped."""
    state = deployments._state(blue)  # pylint: disable=protected-access
    if realism.now() < state.get("rollback_until", 0.0):
        return
    state.pop("rollback_until", None)
    deployments.complete(service, blue, started_event=False)
    failed = state.get("rollback_of")
    _touch((_plan_of(failed) or {}).get("record"))


def _check_alarms(
    backend: EC2ContainerServiceBackend, service: Service, deployment: dict[str, Any], plan: dict[str, Any]
) -> None:
    """Fail the deployment when one of its alarms went into ALARM while ECS watched them (until the bake ended)."""
    if not plan["alarms"]["watching"] or plan.get("finished") or deployment.get("rolloutState") != "IN_PROGRESS":
        return
    before = None
    if plan.get("schedule") is not None:
        watched_until = plan["schedule_start"] + plan["monitor_until"]
        if realism.now() > watched_until:  # a look after the bake: only alarms that went off during it count
            before = utcnow() - datetime.timedelta(seconds=realism.now() - watched_until)
    triggered = _in_alarm(plan, before)
    if not triggered:
        return
    plan["alarms"]["triggered"] = triggered
    deployments._state(deployment)["triggered_alarms"] = triggered  # pylint: disable=protected-access
    plan["finished"] = True
    deployments.fail_deployment(backend, service, deployment, plan["alarms"]["rollback"], alarm_cause(triggered))


def _advance_with_strategy(original: Any) -> Any:
    @functools.wraps(original)
    def advance(backend: EC2ContainerServiceBackend, service: Service) -> None:
        with deployments._lock:  # pylint: disable=protected-access
            if service.status == "ACTIVE" and service.deployments:
                primary = next((d for d in service.deployments if d.get("status") == "PRIMARY"), None)
                plan = _plan_of(primary)
                if primary is not None and plan is not None:
                    _check_alarms(backend, service, primary, plan)
            original(backend, service)
            if service.status == "ACTIVE" and service.deployments:
                primary = next((d for d in service.deployments if d.get("status") == "PRIMARY"), None)
                plan = _plan_of(primary)
                if (
                    primary is not None and deployments._state(primary).get("rollback_until") is not None
                ):  # pylint: disable=protected-access
                    _rolled_back(service, primary)
                elif (
                    primary is not None
                    and plan is not None
                    and not plan.get("finished")
                    and primary.get("rolloutState") == "IN_PROGRESS"
                ):
                    _step(service, primary, plan)
                deployments.sync_counts(backend, service)
            _current(service)

    return advance


def _current(service: Service) -> None:
    """DescribeServices' currentServiceDeployment and currentServiceRevisions."""
    history = getattr(service, "_emulator_service_deployments", None) or []
    if history:
        service.current_service_deployment = history[0]["arn"]
    service.current_service_revisions = [
        {
            "arn": revision_arn(service, d),
            "requestedTaskCount": d.get("desiredCount", 0),
            "runningTaskCount": d.get("runningCount", 0),
            "pendingTaskCount": d.get("pendingCount", 0),
        }
        for d in service.deployments
    ]


def _traffic_moved_on_first(original: Any) -> Any:
    @functools.wraps(original)
    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        """The listener rules' weights and the target groups' targets are where the deployments have put them by now,
        whether or not anyone looked at the ECS service."""
        for arn, (backend, service) in list(_SHIFTING.items()):
            if backend.account_id != self.account_id or backend.region_name != self.region_name:
                continue
            deployments.advance(backend, service)
            if service.status != "ACTIVE" or not any(
                not (_plan_of(d) or {"finished": True}).get("finished") for d in service.deployments
            ):
                _SHIFTING.pop(arn, None)
        return original(self, *args, **kwargs)

    return method


# --------------------------------------------------------------------------- the two actions


def _as_datetime(value: Any) -> datetime.datetime | None:
    """A request's timestamp as moto's naive UTC datetimes."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.timezone.utc).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, (int, float)):
        return datetime.datetime.fromtimestamp(value, datetime.timezone.utc).replace(tzinfo=None)
    if isinstance(value, str):
        try:
            return datetime.datetime.fromtimestamp(float(value), datetime.timezone.utc).replace(tzinfo=None)
        except ValueError:
            parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
            return parsed.astimezone(datetime.timezone.utc).replace(tzinfo=None) if parsed.tzinfo else parsed
    return None


def list_service_deployments(self: EC2ContainerServiceResponse) -> ActionResult:
    backend: EC2ContainerServiceBackend = self.ecs_backend
    cluster = self._get_param("cluster", "default")  # pylint: disable=protected-access
    service = backend._get_service(
        cluster, self._get_param("service").split("/")[-1]
    )  # pylint: disable=protected-access
    deployments.advance(backend, service)
    wanted = set(self._get_param("status") or [])  # pylint: disable=protected-access
    created = self._get_param("createdAt") or {}  # pylint: disable=protected-access
    after, before = _as_datetime(created.get("after")), _as_datetime(created.get("before"))
    limit = self._get_param("maxResults")  # pylint: disable=protected-access
    if limit is None:
        limit = LIST_DEFAULT_RESULTS
    if not 1 <= int(limit) <= LIST_MAX_RESULTS:
        raise InvalidParameterException(f"maxResults must be between 1 and {LIST_MAX_RESULTS}.")
    briefs = [brief(record) for record in getattr(service, "_emulator_service_deployments", None) or []]
    briefs = [
        item
        for item in briefs
        if (not wanted or item["status"] in wanted)
        and (after is None or item["createdAt"] >= after)
        and (before is None or item["createdAt"] <= before)
    ]
    token = self._get_param("nextToken")  # pylint: disable=protected-access
    start = int(token) if token and str(token).isdigit() else 0
    page = briefs[start : start + int(limit)]
    result: dict[str, Any] = {"serviceDeployments": page}
    if start + int(limit) < len(briefs):
        result["nextToken"] = str(start + int(limit))
    return ActionResult(result)


def describe_service_deployments(self: EC2ContainerServiceResponse) -> ActionResult:
    backend: EC2ContainerServiceBackend = self.ecs_backend
    arns = self._get_param("serviceDeploymentArns") or []  # pylint: disable=protected-access
    if len(arns) > DESCRIBE_MAX_ARNS:
        raise InvalidParameterException(f"serviceDeploymentArns can have at most {DESCRIBE_MAX_ARNS} items.")
    found, failures = [], []
    for arn in arns:
        record = _RECORDS.get(arn)
        in_backend = record is not None and f":{backend.region_name}:{backend.account_id}:" in arn
        if not in_backend:
            failures.append({"arn": arn, "reason": "MISSING"})
            continue
        assert record is not None
        deployments.advance(backend, record["service"])
        found.append(described(record))
    return ActionResult({"serviceDeployments": found, "failures": failures})


# --------------------------------------------------------------------------- install


# Module functions of ecs_service_deployments, looked up at call time by its own code, so wrapping them here hooks the
# strategies into every path (CreateService, UpdateService, the circuit breaker, every look at a service).
PATCHES = (
    Patch(deployments, "new_deployment", _new_deployment_planned),
    Patch(deployments, "tasks_running", _tasks_running_handed_over),
    Patch(deployments, "fail_deployment", _fail_with_blue_green_rollback),
    Patch(deployments, "advance", _advance_with_strategy),
    Patch(ELBv2Backend, "describe_rules", _traffic_moved_on_first),
    Patch(ELBv2Backend, "describe_target_health", _traffic_moved_on_first),
    Patch(EC2ContainerServiceResponse, "list_service_deployments", added(list_service_deployments)),
    Patch(EC2ContainerServiceResponse, "describe_service_deployments", added(describe_service_deployments)),
)


def is_installed() -> bool:
    return _patching.installed(__name__, PATCHES)


def install() -> None:
    _patching.install(__name__, PATCHES)
