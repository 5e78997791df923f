# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the fargate layer: image references and the IAM resources of the app's secrets."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

# The module_utils these filters share with the modules import botocore. They are imported where a filter is called,
# not here: Ansible loads every filter file of the collection to resolve any one of its filters, in each worker
# process it forks, so an import here would cost every task that uses any of them.


def image_reference(repository_uri, tag_or_digest):
    """``repo:tag`` for a tag, ``repo@sha256:...`` for a digest; anything else is an error naming the rule."""
    from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_task_definition import image_tag_errors

    value = str(tag_or_digest or "")
    errors = image_tag_errors(value)
    if errors:
        raise AnsibleFilterError(errors[0])
    return f"{repository_uri}@{value}" if value.startswith("sha256:") else f"{repository_uri}:{value}"


def image_tags_errors(tags):
    """Why the values of ``{option: tag}`` are not image tags or digests (the ecs_task_definition module's rule)."""
    from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_task_definition import image_tag_errors

    return [error for option, tag in (tags or {}).items() for error in image_tag_errors(str(tag), option)]


def service_deployment_errors(minimum_healthy_percent, maximum_percent):
    """What AWS refuses in the service's deployment percentages (the ecs_service module's rule), named as the fargate
    role's options."""
    from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service import deployment_errors

    return deployment_errors(int(minimum_healthy_percent), int(maximum_percent), "fargate_")


# The fargate role's variables for the ecs_service options strategy_errors names, longest first.
_STRATEGY_VARIABLES = {
    "linear.step_bake_time_minutes": "fargate_linear_step_bake_minutes",
    "canary.bake_time_minutes": "fargate_canary_bake_minutes",
    "linear.step_percent": "fargate_linear_step_percent",
    "canary.percent": "fargate_canary_percent",
    "deployment_strategy": "fargate_deployment_strategy",
    "bake_time_minutes": "fargate_deployment_bake_minutes",
}


def deployment_strategy_errors(strategy, bake_minutes, canary, linear):
    """What AWS refuses in the deployment strategy's settings (the ecs_service module's rule), named as the fargate
    role's variables. ``canary`` is ``{percent, bake_time_minutes}``, ``linear`` ``{step_percent,
    step_bake_time_minutes}``; each counts only for its own strategy."""
    import re

    from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service import strategy_errors

    def number(value):
        try:
            return float(value) if "." in str(value) else int(value)
        except (TypeError, ValueError):
            return value

    params = {
        "deployment_strategy": strategy,
        "bake_time_minutes": None if strategy == "rolling" else number(bake_minutes),
        "canary": {k: number(v) for k, v in (canary or {}).items()} if strategy == "canary" else None,
        "linear": {k: number(v) for k, v in (linear or {}).items()} if strategy == "linear" else None,
    }
    pattern = re.compile("|".join(re.escape(option) for option in _STRATEGY_VARIABLES))
    return [pattern.sub(lambda m: _STRATEGY_VARIABLES[m.group(0)], error) for error in strategy_errors(params)]


def _dimension_value(arn, marker):
    """The CloudWatch dimension of an ELB ARN: what follows ``loadbalancer/`` (``app/name/id``) or the
    ``targetgroup/name/id`` part."""
    arn = str(arn or "")
    if marker == "loadbalancer":
        return arn.split(":loadbalancer/", 1)[-1]
    return "targetgroup/" + arn.split(":targetgroup/", 1)[-1]


def _metric_query(query_id, namespace, name, dimensions, statistic, period=60):
    """A metric of an alarm's math (metric_alarm's ``metrics`` entry) that feeds an expression, not the alarm."""
    return {
        "id": query_id,
        "metric_stat": {
            "metric": {
                "namespace": namespace,
                "metric_name": name,
                "dimensions": [{"name": key, "value": value} for key, value in dimensions.items()],
            },
            "period": period,
            "stat": statistic,
        },
        "return_data": False,
    }


def service_alarms(prefix, load_balancer_arn, target_group_arns, thresholds):
    """The service's CloudWatch alarms (amazon.aws.cloudwatch_metric_alarm arguments): the target 5xx rate, the p90
    response time and the unhealthy targets, each the worst over ``target_group_arns`` (the group and, for blue/green,
    linear and canary deployments, its alternate: a canary's errors count at the canary's rate, not diluted by the rest
    of the traffic). ``thresholds``: ``{error_percent, response_time_seconds, unhealthy_targets, evaluation_minutes}``.
    """
    load_balancer = _dimension_value(load_balancer_arn, "loadbalancer")
    groups = [_dimension_value(arn, "targetgroup") for arn in target_group_arns or [] if arn]
    minutes = int(thresholds.get("evaluation_minutes", 1))

    def metric(query_id, name, group, stat):
        dimensions = {"TargetGroup": group, "LoadBalancer": load_balancer}
        return _metric_query(query_id, "AWS/ApplicationELB", name, dimensions, stat)

    def worst(expressions, label):
        return {"id": "worst", "expression": f"MAX([{', '.join(expressions)}])", "label": label, "return_data": True}

    error_rates, response_times, unhealthy, error_metrics, time_metrics, unhealthy_metrics = [], [], [], [], [], []
    for index, group in enumerate(groups):
        error_metrics += [metric(f"errors{index}", "HTTPCode_Target_5XX_Count", group, "Sum"),
                          metric(f"requests{index}", "RequestCount", group, "Sum")]
        error_metrics.append({
            "id": f"rate{index}",
            "expression": f"IF(requests{index} > 0, 100 * errors{index} / requests{index}, 0)",
            "return_data": False,
        })
        error_rates.append(f"rate{index}")
        time_metrics.append(metric(f"latency{index}", "TargetResponseTime", group, "p90"))
        response_times.append(f"latency{index}")
        unhealthy_metrics.append(metric(f"unhealthy{index}", "UnHealthyHostCount", group, "Maximum"))
        unhealthy.append(f"unhealthy{index}")

    def alarm(suffix, description, metrics, threshold):
        return {
            "name": f"{prefix}-{suffix}",
            "description": description,
            "metrics": metrics,
            "comparison": "GreaterThanOrEqualToThreshold",
            "threshold": float(threshold),
            "evaluation_periods": minutes,
            "treat_missing_data": "notBreaching",
        }

    return [
        alarm(
            "target-5xx",
            f"{prefix}: 5xx responses of the service's tasks at or above {thresholds['error_percent']}% of requests",
            error_metrics + [worst(error_rates, "5xx percent")],
            thresholds["error_percent"],
        ),
        alarm(
            "response-time",
            f"{prefix}: p90 response time of the service's tasks at or above {thresholds['response_time_seconds']} s",
            time_metrics + [worst(response_times, "p90 seconds")],
            thresholds["response_time_seconds"],
        ),
        alarm(
            "unhealthy-targets",
            f"{prefix}: {thresholds['unhealthy_targets']} or more of the service's tasks fail the health check",
            unhealthy_metrics + [worst(unhealthy, "unhealthy targets")],
            thresholds["unhealthy_targets"],
        ),
    ]


def operational_alarms(prefix, cluster, service, target_group_arns, load_balancer_arn, nat_gateway_ids, file_system_id,
                       vpn_endpoint_id, thresholds):
    """The alarms an operator must hear about outside a deploy (cloudops.fargate.metric_alarm arguments), for what the
    stack has: no healthy target in either target group, the service below its desired count (Container Insights),
    NAT gateways out of ports (``ErrorPortAllocation``), EFS near its I/O limit (General Purpose) or out of burst
    credits (bursting throughput), Client VPN authentication failures. ``thresholds``: ``{evaluation_minutes,
    efs_io_limit_percent, efs_burst_credit_bytes (0: not bursting), vpn_auth_failures}``."""
    load_balancer = _dimension_value(load_balancer_arn, "loadbalancer")
    groups = [_dimension_value(arn, "targetgroup") for arn in target_group_arns or [] if arn]
    minutes = int(thresholds.get("evaluation_minutes", 1))

    def alarm(suffix, description, metrics, expression, comparison, threshold, periods, missing="missing"):
        return {
            "name": f"{prefix}-{suffix}",
            "description": f"{prefix}: {description}",
            "metrics": metrics + [{"id": "value", "expression": expression, "label": suffix, "return_data": True}],
            "comparison": comparison,
            "threshold": float(threshold),
            "evaluation_periods": periods,
            "treat_missing_data": missing,
        }

    alarms = []
    if groups and load_balancer:
        healthy = [
            _metric_query(f"healthy{i}", "AWS/ApplicationELB", "HealthyHostCount", {"TargetGroup": g, "LoadBalancer": load_balancer}, "Minimum")
            for i, g in enumerate(groups)
        ]
        alarms.append(alarm(
            "no-healthy-targets", "no task passes the load balancer's health check", healthy,
            f"MAX([{', '.join(m['id'] for m in healthy)}])", "LessThanThreshold", 1, minutes, "breaching",
        ))
    tasks = {"ClusterName": cluster, "ServiceName": service}
    alarms.append(alarm(
        "below-desired-count", "the service runs fewer tasks than it wants",
        [_metric_query("desired", "ECS/ContainerInsights", "DesiredTaskCount", tasks, "Maximum"),
         _metric_query("running", "ECS/ContainerInsights", "RunningTaskCount", tasks, "Maximum")],
        "desired - running", "GreaterThanOrEqualToThreshold", 1, max(minutes, 5),
    ))
    nat = [_metric_query(f"ports{i}", "AWS/NATGateway", "ErrorPortAllocation", {"NatGatewayId": n}, "Sum") for i, n in enumerate(nat_gateway_ids or [])]
    if nat:
        alarms.append(alarm(
            "nat-port-allocation", "a NAT gateway could not allocate a source port (connections dropped)", nat,
            f"SUM([{', '.join(m['id'] for m in nat)}])", "GreaterThanThreshold", 0, minutes,
        ))
    if file_system_id:
        efs = {"FileSystemId": file_system_id}
        alarms.append(alarm(
            "efs-io-limit", f"the file system at {thresholds['efs_io_limit_percent']}% of its I/O limit",
            [_metric_query("io", "AWS/EFS", "PercentIOLimit", efs, "Maximum")], "io", "GreaterThanOrEqualToThreshold",
            thresholds["efs_io_limit_percent"], max(minutes, 5),
        ))
        if int(thresholds.get("efs_burst_credit_bytes") or 0) > 0:
            alarms.append(alarm(
                "efs-burst-credits", "the file system is running out of burst credits",
                [_metric_query("credits", "AWS/EFS", "BurstCreditBalance", efs, "Minimum")], "credits", "LessThanThreshold",
                thresholds["efs_burst_credit_bytes"], max(minutes, 5),
            ))
    if vpn_endpoint_id:
        alarms.append(alarm(
            "vpn-auth-failures", f"{thresholds['vpn_auth_failures']} or more failed Client VPN logins in 5 minutes",
            [_metric_query("failures", "AWS/ClientVPN", "AuthenticationFailures", {"Endpoint": vpn_endpoint_id}, "Sum", 300)],
            "failures", "GreaterThanOrEqualToThreshold", thresholds["vpn_auth_failures"], 1,
        ))
    return alarms


def rollout_progress(service, now=None):
    """Where the service deployments of ``service`` (ecs_service_info with ``rollouts``) stand, short enough for a
    progress line: the phase, the new revision's share of production traffic and the bake time left, e.g.
    ``PRODUCTION_TRAFFIC_SHIFT, new revision at 5%`` or ``BAKE_TIME, new revision at 100%, 1m30s of 5m bake left``.
    Falls back to the ECS deployments (``deployment_progress``) when there are none."""
    import datetime

    service = service or {}
    lines = []
    for deployment in service.get("service_deployments") or []:
        stage = deployment.get("lifecycle_stage") or deployment.get("status") or ""
        parts = [stage]
        weight = (deployment.get("target_service_revision") or {}).get("requested_production_traffic_weight")
        if weight is not None:
            parts.append(f"new revision at {float(weight):g}%")
        bake = (deployment.get("deployment_configuration") or {}).get("bake_time_in_minutes")
        started = deployment.get("updated_at")
        if stage == "BAKE_TIME" and bake is not None and started:
            try:
                began = datetime.datetime.fromisoformat(str(started).replace("Z", "+00:00"))
                current = now or datetime.datetime.now(datetime.timezone.utc)
                left = max(0, int(bake) * 60 - int((current - began).total_seconds()))
                parts.append(f"{left // 60}m{left % 60:02d}s of {bake}m bake left")
            except ValueError:
                parts.append(f"{bake}m bake")
        lines.append(", ".join(parts))
    if lines:
        return lines
    return [
        deployment_progress(d) for d in service.get("deployments") or [] if d.get("rollout_state") != "COMPLETED"
    ]


def deployment_progress(deployment):
    """One deployment of a rollout, as a progress line shows it: ``PRIMARY IN_PROGRESS 1/3 running (web:5)``."""
    deployment = deployment or {}
    revision = str(deployment.get("task_definition") or "").rsplit("/", 1)[-1]
    parts = [
        str(deployment.get("status") or "").strip(),
        str(deployment.get("rollout_state") or "").strip(),
        f"{deployment.get('running_count', 0)}/{deployment.get('desired_count', 0)} running",
    ]
    text = " ".join(part for part in parts if part)
    return f"{text} ({revision})" if revision else text


def service_progress(service):
    """A service that is going, as a progress line shows it: ``demo-local-web DRAINING, 2 running``."""
    service = service or {}
    return f"{service.get('service_name', '')} {service.get('status', '')}, {service.get('running_count', 0)} running".strip()


def secret_arns(values, service, region, account_id, partition="aws"):
    """The IAM resources that let ECS read the given secrets of one service (``ssm`` or ``secretsmanager``).

    ``valueFrom`` may be a full ARN or, for SSM parameters in the task's region, a bare name; a Secrets Manager
    ARN may carry a JSON key and version (``...:secret:name-AbCdEf:key::``), which IAM does not know, so only the
    secret's own ARN is kept.
    """
    arns = []
    for value in values or []:
        value = str(value)
        if value.startswith("arn:"):
            parts = value.split(":")
            if len(parts) < 6 or parts[2] != service:
                continue
            arn = ":".join(parts[:7]) if service == "secretsmanager" else value
        elif service == "ssm":
            arn = f"arn:{partition}:ssm:{region}:{account_id}:parameter/{value.lstrip('/')}"
        else:
            continue
        if arn not in arns:
            arns.append(arn)
    return arns


def fargate_size_errors(cpu, memory):
    """Why ``cpu``/``memory`` are not one of Fargate's task sizes (the ecs_task_definition module's rule); [] if they are."""
    from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_task_definition import fargate_cpu_memory_errors

    return fargate_cpu_memory_errors(cpu, memory)


def invalid_secret_references(secrets):
    """The names in a ``{name: valueFrom}`` dict whose value is not a reference: an ARN of an SSM parameter or a
    Secrets Manager secret, or an SSM parameter path starting with ``/``. ECS would read any other bare word as a
    parameter name, so a plain value given by mistake (``hunter2``) must be refused, not looked up."""
    from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_task_definition import is_valid_secret_reference

    return sorted(
        name
        for name, value in (secrets or {}).items()
        if not (isinstance(value, str) and value.startswith(("arn:", "/")) and is_valid_secret_reference(value))
    )


def secret_looking_names(environment):
    """The names in a plain environment dict that look like secrets (PASSWORD, TOKEN, KEY ...)."""
    from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_task_definition import looks_like_secret_name

    return sorted(name for name in (environment or {}) if looks_like_secret_name(name))


def target_tracking_policies(targets, prefix, cooldown, target_group_arn="", load_balancer_arn=""):
    """The ``target_tracking_policies`` of ecs_service_scaling from ``{metric: target}``; a target of 0 means no policy.

    Policies are named ``<prefix>-<metric>``; the request-count policy names the target group and load balancer it
    counts requests of.
    """
    policies = []
    for metric, target in (targets or {}).items():
        value = float(target or 0)
        if value <= 0:
            continue
        policy = {
            "name": f"{prefix}-{metric.replace('_', '-')}",
            "metric": metric,
            "target_value": value,
            "scale_in_cooldown": int(cooldown),
            "scale_out_cooldown": int(cooldown),
        }
        if metric == "alb_request_count_per_target":
            policy.update(target_group_arn=target_group_arn, load_balancer_arn=load_balancer_arn)
        policies.append(policy)
    return policies


class FilterModule:
    def filters(self):
        return {
            "deployment_progress": deployment_progress,
            "deployment_strategy_errors": deployment_strategy_errors,
            "rollout_progress": rollout_progress,
            "service_alarms": service_alarms,
            "operational_alarms": operational_alarms,
            "fargate_size_errors": fargate_size_errors,
            "image_reference": image_reference,
            "image_tags_errors": image_tags_errors,
            "service_deployment_errors": service_deployment_errors,
            "invalid_secret_references": invalid_secret_references,
            "secret_arns": secret_arns,
            "secret_looking_names": secret_looking_names,
            "service_progress": service_progress,
            "target_tracking_policies": target_tracking_policies,
        }
