#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ecs_service_info
short_description: Read ECS services of one cluster
version_added: 0.1.0
description:
  - Describes the services named in O(names) in O(cluster), in the shape M(cloudops.fargate.ecs_service) returns.
  - A service that does not exist, or a cluster that does not exist, is left out of the result; it is not an error.
  - Only C(ACTIVE) and C(DRAINING) services are returned; AWS keeps C(INACTIVE) ones visible for a while after deletion.
author:
  - cloudops.fargate maintainers (!UNKNOWN)
options:
  cluster:
    description: The cluster's name or ARN.
    type: str
    required: true
  rollouts:
    description:
      - Also read, for a service whose rollout is in progress, its service deployments under way (their phase) and how
        its production listener rules split traffic between its target groups (blue/green, linear and canary
        deployments). Three more calls per such service; none for a service at rest.
    type: bool
    default: false
  deployment_outcome:
    description:
      - A deployment id (the C(id) of one of RV(services[].deployments), for example the PRIMARY deployment an update of
        M(cloudops.fargate.ecs_service) started) whose outcome to report in RV(services[].deployment_outcome), whether
        it completed and, when it failed, was rolled back (by the circuit breaker or a deployment alarm) or was
        replaced, why.
    type: str
  names:
    description: The names (or ARNs) of the services, at most 10 per call as DescribeServices takes.
    type: list
    elements: str
    required: true
extends_documentation_fragment:
  - cloudops.fargate.attributes.INFO_MODULE
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Read the service before a deploy, to know what to roll back to
  cloudops.fargate.ecs_service_info:
    cluster: demo-local
    names: [demo-local-web]
  register: before

- name: Show the running revision
  ansible.builtin.debug:
    msg: "{{ (before.services | first).task_definition }}"
  when: before.services | length > 0
"""

RETURN = r"""
services:
  description: The services found, in the order of O(names).
  returned: always
  type: list
  elements: dict
  contains:
    service_arn:
      description: The ARN of the service. Absent in check mode before it is created.
      type: str
      returned: when it exists
      sample: arn:aws:ecs:us-east-1:123456789012:service/demo-local/demo-local-web
    service_name:
      description: The name of the service.
      type: str
      returned: when present
      sample: demo-local-web
    cluster_arn:
      description: The ARN of the cluster. Absent in check mode before the service is created.
      type: str
      returned: when it exists
      sample: arn:aws:ecs:us-east-1:123456789012:cluster/demo-local
    created_at:
      description: When the service was created. Absent in check mode before it is created.
      type: str
      returned: when it exists
      sample: "2025-01-01T12:00:00+00:00"
    status:
      description: C(ACTIVE), C(DRAINING) (deleted, tasks stopping) or C(INACTIVE) (deleted).
      type: str
      returned: when present
      sample: ACTIVE
    task_definition:
      description: The task definition of the service (an ARN, except in check mode where it is as given).
      type: str
      returned: when present
      sample: arn:aws:ecs:us-east-1:123456789012:task-definition/demo-local-web:7
    desired_count:
      description: How many tasks the service keeps running.
      type: int
      returned: when present
      sample: 2
    running_count:
      description: How many of its tasks run.
      type: int
      returned: when present
      sample: 2
    pending_count:
      description: How many of its tasks are starting.
      type: int
      returned: when present
      sample: 0
    launch_type:
      description: C(FARGATE); absent when the service uses a capacity provider strategy.
      type: str
      returned: when the service uses a launch type
      sample: FARGATE
    capacity_provider_strategy:
      description: The capacity provider strategy, each with C(capacity_provider), C(weight) and C(base).
      type: list
      elements: dict
      returned: when the service uses one
      sample: [{"capacity_provider": "FARGATE_SPOT", "weight": 1, "base": 0}]
    platform_version:
      description: The Fargate platform version asked for.
      type: str
      returned: on Fargate
      sample: LATEST
    deployments:
      description:
        - The service's deployments, the C(PRIMARY) one first; C(ACTIVE) ones are being replaced.
        - Each has C(id), C(status), C(task_definition), C(desired_count), C(running_count), C(pending_count),
          C(failed_tasks), C(rollout_state) (C(IN_PROGRESS), C(COMPLETED) or C(FAILED)), C(rollout_state_reason),
          C(created_at) and C(updated_at).
      type: list
      elements: dict
      returned: when present
      sample:
        - id: ecs-svc/1234567890123456789
          status: PRIMARY
          rollout_state: COMPLETED
          rollout_state_reason: ECS deployment ecs-svc/1234567890123456789 completed.
          desired_count: 2
          running_count: 2
          failed_tasks: 0
    load_balancers:
      description: The target groups of the service, each with C(target_group_arn), C(container_name), C(container_port).
      type: list
      elements: dict
      returned: when present
      sample: [{"target_group_arn": "arn:aws:elasticloadbalancing:...", "container_name": "nginx", "container_port": 8080}]
    network_configuration:
      description: The network configuration, under C(awsvpc_configuration) (C(subnets), C(security_groups), C(assign_public_ip)).
      type: dict
      returned: when present
      sample: {"awsvpc_configuration": {"subnets": ["subnet-0123"], "security_groups": ["sg-0123"], "assign_public_ip": "DISABLED"}}
    deployment_configuration:
      description:
        - The deployment configuration, with C(deployment_circuit_breaker) (C(enable), C(rollback)),
          C(minimum_healthy_percent) and C(maximum_percent).
      type: dict
      returned: when present
      sample: {"deployment_circuit_breaker": {"enable": true, "rollback": true}, "maximum_percent": 200, "minimum_healthy_percent": 100}
    health_check_grace_period_seconds:
      description: The health check grace period.
      type: int
      returned: when set
      sample: 30
    enable_execute_command:
      description: Whether execute command is on.
      type: bool
      returned: when present
      sample: false
    enable_ecs_managed_tags:
      description: Whether ECS managed tags are on.
      type: bool
      returned: when present
      sample: true
    propagate_tags:
      description: Where the tasks' tags come from.
      type: str
      returned: when present
      sample: SERVICE
    events:
      description: The service's last 10 events, newest first, each with C(id), C(created_at) and C(message).
      type: list
      elements: dict
      returned: when present
      sample: [{"id": "0f2c...", "created_at": "2025-01-01T12:00:00+00:00", "message": "(service demo-local-web) has reached a steady state."}]
    deployment_outcome:
      description:
        - With O(deployment_outcome), C(deployment_id), C(succeeded) (it is the service's completed PRIMARY
          deployment) and C(in_progress); when it neither succeeded nor is in progress, also C(message) (what ended
          it, the stopped tasks' reasons and the service's last events), C(events), C(stopped_tasks) and C(alarms)
          (the deployment alarms that fired).
      type: dict
      returned: with O(deployment_outcome)
    service_deployments:
      description:
        - With O(rollouts), the service's deployments under way (ECS ListServiceDeployments and
          DescribeServiceDeployments, snake_case), each with C(service_deployment_arn), C(status), C(lifecycle_stage)
          (for example C(PRODUCTION_TRAFFIC_SHIFT) or C(BAKE_TIME)), C(updated_at) (when the stage began),
          C(deployment_configuration), C(alarms) and C(rollback).
      type: list
      elements: dict
      returned: with O(rollouts), while a rollout is in progress
    traffic:
      description:
        - With O(rollouts), how the production listener rules split traffic now, one entry per target group with
          C(target_group_arn), C(target_group) (its name) and C(weight) (percent).
      type: list
      elements: dict
      returned: with O(rollouts), while a rollout is in progress
      sample: [{"target_group": "demo-local-web", "weight": 95.0}, {"target_group": "demo-local-web-alt", "weight": 5.0}]
    tags:
      description: The service's tags.
      type: dict
      returned: when present
      sample: {"Stack": "demo", "Environment": "local"}
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.cloudops.fargate.plugins.module_utils._common import InputError
from ansible_collections.cloudops.fargate.plugins.module_utils._common import module_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service import DESCRIBE_SERVICES_BATCH
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service import ServiceManager

# As many names as one DescribeServices call takes.
MAX_NAMES = DESCRIBE_SERVICES_BATCH


def main():
    argument_spec = dict(
        cluster=dict(type="str", required=True),
        names=dict(type="list", elements="str", required=True),
        rollouts=dict(type="bool", default=False),
        deployment_outcome=dict(type="str"),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    names = module.params["names"]

    with module_errors(module):
        if len(names) > MAX_NAMES:
            raise InputError(f"names: at most {MAX_NAMES} services per call, {len(names)} given")
        services = ServiceManager(module).find(
            module.params["cluster"], names, module.params["rollouts"], module.params["deployment_outcome"]
        )
        module.exit_json(changed=False, services=services)


if __name__ == "__main__":
    main()
