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
