#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ecs_service
short_description: Manage an ECS service on Fargate and wait for its rollouts
version_added: 0.1.0
description:
  - Creates, updates or deletes one rolling-update (C(ECS) deployment controller) service, identified by O(name) in
    O(cluster), and waits for the rollout a change starts.
  - The service is looked up first; only an C(ACTIVE) service counts as existing. A C(DRAINING) one (deleted, its tasks
    still stopping) is waited for, up to O(wait_timeout) and also with O(wait=false), because AWS refuses to create a
    service under that name before it is C(INACTIVE). A create sends a client token derived from the cluster and the
    name, so a run repeated after an interrupted create is answered with the service that create made, never a
    second one.
  - On an account without the ECS service-linked role (C(AWSServiceRoleForECS)), the first CreateService (or
    CreateCluster) makes ECS create it and is refused until the role is usable (C(Unable to assume the service linked
    role)). The module retries that refusal, and only that one, up to O(wait_timeout), also with O(wait=false); the
    client token keeps the retries to one service.
  - Values are compared after normalising both sides (task definitions as C(family:revision) whether given or reported
    as an ARN, subnets and security groups as sets, AWS's defaults for what DescribeServices leaves out), and only what
    differs is sent, in one UpdateService call. What AWS lets UpdateService change is changed in place, including the
    load balancers, the network configuration, the platform version and a move between O(launch_type) and
    O(capacity_provider_strategy). What it does not allow (another launch type than the service has, a service run by
    another deployment controller) fails the task and says so; O(name) and O(cluster) identify the service.
  - With O(wait=true) the task waits until the deployment it started (or, when nothing changed, the current primary
    deployment) is C(COMPLETED) and the service runs O(desired_count) tasks. When the deployment fails (the circuit
    breaker stops it, possibly rolling back) or O(wait_timeout) passes first, the task fails; the message and the
    result carry the service's last events and the reasons the deployment's tasks stopped.
  - Tasks that fail to launch while the deployment is in progress, for example while IAM has not yet propagated a new
    task execution role (the service's events say C(failed to launch a task)), do not end the wait. AWS launches
    again, and only the deployment's own state (C(COMPLETED), or C(FAILED) by the circuit breaker) or the timeout
    decides.
  - With O(wait=false) the task returns as soon as the change is made. Run it again with the same arguments (for
    example in an C(until) loop on RV(rollout_complete)) to follow the rollout. Nothing differs then, so nothing
    changes, and the result reports the deployment's state.
  - Every option is validated, and the task definition is checked (it exists, runs on Fargate, has the containers
    and ports the load balancers name), before anything changes.
author:
  - cloudops.fargate maintainers (!UNKNOWN)
options:
  state:
    description:
      - Whether the service should exist.
      - V(absent) scales the service to zero, deletes it and (with O(wait=true)) waits until it is C(INACTIVE). A
        service that is not found, or is C(INACTIVE), counts as absent; a C(DRAINING) one is being deleted already,
        so only the wait applies.
    type: str
    choices: [present, absent]
    default: present
  cluster:
    description: The name or ARN of the cluster of the service.
    type: str
    required: true
  name:
    description: The name of the service, unique in the cluster. 1 to 255 letters, digits, hyphens and underscores.
    type: str
    required: true
  task_definition:
    description:
      - The task definition the service runs, as C(family:revision), as a task definition ARN, or as C(family) for
        the latest C(ACTIVE) revision of the family. Required with O(state=present).
      - A different revision starts a new deployment.
    type: str
  desired_count:
    description:
      - How many tasks the service keeps running. When not given, an existing service keeps its count and a new one
        starts with C(1).
      - Ignored on an existing service with O(desired_count_managed_externally=true).
    type: int
  desired_count_managed_externally:
    description:
      - Set when something else owns the desired count, such as Application Auto Scaling (see
        M(cloudops.fargate.ecs_service_scaling)). O(desired_count) then only sets the count of a new service; an
        existing service's count is never compared or changed.
    type: bool
    default: false
  deployment_circuit_breaker:
    description:
      - The deployment circuit breaker, which fails a deployment whose tasks keep failing to start (after half the
        desired count of failures, at least 3, at most 200) instead of retrying forever.
    type: dict
    suboptions:
      enable:
        description: Whether the circuit breaker watches deployments.
        type: bool
        default: true
      rollback:
        description:
          - Whether a failed deployment rolls the service back to the last deployment that completed. Ignored (off)
            with O(deployment_circuit_breaker.enable=false).
        type: bool
        default: true
  deployment_strategy:
    description:
      - How the ECS deployment controller moves traffic to a new revision (ECS's native strategies, not CodeDeploy).
      - V(rolling) replaces tasks a few at a time (O(minimum_healthy_percent), O(maximum_percent)). V(blue_green)
        starts the new revision at full size beside the old one, moves all production traffic at once, then keeps
        both for O(bake_time_minutes). V(canary) moves O(canary.percent) of the traffic first and the rest after
        O(canary.bake_time_minutes). V(linear) moves O(linear.step_percent) at a time, waiting
        O(linear.step_bake_time_minutes) between steps.
      - The strategies other than V(rolling) need each of O(load_balancers) to name its alternate target group, its
        production listener rule and the role ECS uses to change it.
      - When not given, an existing service keeps its strategy and a new one rolls (AWS's default).
    type: str
    choices: [rolling, blue_green, linear, canary]
  bake_time_minutes:
    description:
      - For the strategies other than V(rolling), how long both revisions keep running after all production traffic
        has moved, 0 to 1440; a deployment alarm that fires meanwhile still rolls back. Required with
        O(deployment_strategy=blue_green).
    type: int
  canary:
    description: The canary phase of O(deployment_strategy=canary).
    type: dict
    suboptions:
      percent:
        description: The share of production traffic the new revision takes first, a multiple of 0.1 from 0.1 to 100.
        type: float
        default: 5.0
      bake_time_minutes:
        description: How long the canary runs before the rest of the traffic moves, 0 to 1440.
        type: int
        default: 10
  linear:
    description: The steps of O(deployment_strategy=linear).
    type: dict
    suboptions:
      step_percent:
        description: The share of production traffic moved at each step, a multiple of 0.1 from 3 to 100.
        type: float
        default: 10.0
      step_bake_time_minutes:
        description: How long each step runs before the next, 0 to 1440 (none after the last).
        type: int
        default: 6
  deployment_alarms:
    description:
      - CloudWatch alarms ECS watches during a deployment and its bake time, in every strategy. An alarm in
        C(ALARM) fails the deployment; with O(deployment_alarms.rollback) ECS rolls the service back to the last
        deployment that completed. A failed deployment's report names the alarms that fired.
      - When not given, an existing service keeps its alarms.
    type: dict
    suboptions:
      alarm_names:
        description: The names of the alarms, at most 10; at least one while O(deployment_alarms.enable).
        type: list
        elements: str
        default: []
      enable:
        description: Whether ECS watches the alarms.
        type: bool
        default: true
      rollback:
        description: Whether a deployment an alarm failed rolls back.
        type: bool
        default: true
  minimum_healthy_percent:
    description:
      - During a deployment, the tasks that must keep running, as a percentage of the desired count (rounded up),
        0 to 100.
    type: int
    default: 100
  maximum_percent:
    description:
      - During a deployment, the most tasks that may run or be starting, as a percentage of the desired count
        (rounded down); 100 or more, and above O(minimum_healthy_percent) unless that is 0.
    type: int
    default: 200
  launch_type:
    description:
      - Run the tasks on Fargate (on-demand). The default when O(capacity_provider_strategy) is not given.
      - Moving between O(launch_type) and O(capacity_provider_strategy) is an update in place. A service created with
        another launch type (C(EC2), C(EXTERNAL)) cannot move to C(FARGATE); the task fails.
    type: str
    choices: [FARGATE]
  capacity_provider_strategy:
    description:
      - Run the tasks through capacity providers instead, for example C(FARGATE) and C(FARGATE_SPOT). Mutually
        exclusive with O(launch_type); must not be empty.
    type: list
    elements: dict
    suboptions:
      capacity_provider:
        description: The name of the capacity provider, for example C(FARGATE_SPOT).
        type: str
        required: true
      weight:
        description: The provider's relative share of the tasks beyond the bases, 0 to 1000.
        type: int
        default: 1
      base:
        description: Tasks this provider runs before the weights apply, 0 to 100000; only one provider may have one.
        type: int
        default: 0
  network:
    description:
      - Where the tasks run (their elastic network interfaces, awsvpc mode). Required to create a Fargate service;
        left alone on an existing service when not given.
      - A change starts a new deployment.
    type: dict
    suboptions:
      subnets:
        description: The subnet IDs, 1 to 16, all in one VPC. Required with O(network).
        type: list
        elements: str
      security_groups:
        description:
          - The security group IDs, at most 5. When not given (or empty), a new service gets the VPC's default
            security group and an existing service keeps its groups.
        type: list
        elements: str
      assign_public_ip:
        description:
          - Whether the tasks get public IP addresses (needed in a public subnet without a NAT gateway to pull images).
        type: bool
        default: false
  load_balancers:
    description:
      - The target groups that receive the service's tasks, each naming the container and port traffic goes to. An
        empty list removes them all; when not given they are left alone.
      - A change starts a new deployment.
    type: list
    elements: dict
    suboptions:
      target_group_arn:
        description: The ARN of the target group (of target type C(ip) for Fargate).
        type: str
        required: true
      container_name:
        description: The container of the task definition that receives the traffic, for example C(nginx).
        type: str
        required: true
      container_port:
        description: The container port, 1 to 65535; must be a port mapping of that container.
        type: int
        required: true
      alternate_target_group_arn:
        description:
          - The second target group of a blue/green, linear or canary deployment (O(deployment_strategy)), which the
            new revision's tasks join while the other one takes production traffic. ECS alternates the two at each
            deployment, so the pair counts as the same load balancer whichever of them takes traffic now.
          - Required, with O(load_balancers[].production_listener_rule_arn) and O(load_balancers[].role_arn), with
            those strategies.
        type: str
      production_listener_rule_arn:
        description:
          - The ALB listener rule whose forward weights ECS shifts from one target group to the other. It must forward
            to both target groups and no other.
        type: str
      test_listener_rule_arn:
        description: An optional listener rule that reaches the new revision before production traffic does.
        type: str
      role_arn:
        description:
          - The IAM role ECS assumes to change the listener rules (trusting C(ecs.amazonaws.com), with the managed
            policy C(AmazonECSInfrastructureRolePolicyForLoadBalancers) or its equivalent).
        type: str
  health_check_grace_period_seconds:
    description:
      - Seconds after a task starts during which the scheduler ignores failing load balancer and container health
        checks. AWS's default is C(0); left alone when not given.
    type: int
  platform_version:
    description:
      - The Fargate platform version, C(LATEST) or a version such as C(1.4.0). Only used on Fargate.
      - A change starts a new deployment.
    type: str
    default: LATEST
  enable_execute_command:
    description:
      - Whether C(aws ecs execute-command) can reach the tasks' containers. Applies to tasks started afterwards. AWS's
        default is C(false); left alone when not given.
    type: bool
  propagate_tags:
    description: Whether the tasks get the tags of the service, of the task definition, or none.
    type: str
    choices: [NONE, SERVICE, TASK_DEFINITION]
    default: SERVICE
  enable_ecs_managed_tags:
    description: Whether ECS tags the tasks with the cluster and service names (C(aws:ecs:...)).
    type: bool
    default: true
  force_new_deployment:
    description:
      - Start a new deployment even when nothing else changes, for example to pull a moved image tag again.
      - Every run with V(true) starts one, so the task then reports a change every time; use it in a handler or
        behind a condition, not in a task meant to be idempotent.
    type: bool
    default: false
  wait:
    description:
      - Wait for the rollout (see the description), or with O(state=absent) until the service is C(INACTIVE).
      - Never waits in check mode.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait at most. A rollout on AWS usually takes 2 to 5 minutes.
      - Also how long a create keeps retrying while ECS creates its service-linked role on a fresh account (AWS takes
        seconds; terraform-provider-aws retries for 2 minutes), and how long a C(DRAINING) service is waited for
        before it is created again.
    type: int
    default: 600
  tags:
    description: Tags for the service. Left alone when not given.
    type: dict
    aliases: [resource_tags]
  purge_tags:
    description:
      - Remove tags not listed in O(tags). Tags whose key starts with C(aws:) are never removed.
      - Has no effect when O(tags) is not given.
    type: bool
    default: true
notes:
  - The service's IAM and load balancer prerequisites (task execution role, target group of type C(ip), security group
    rules) are not managed here.
  - Check mode and the diff predict the service from the arguments; in check mode a task definition that does not
    exist yet is assumed to be registered by an earlier task of the same run.
attributes:
  idempotent:
    support: partial
    details:
      - With O(force_new_deployment=true) every run starts a new deployment and reports a change; with the same
        arguments otherwise, a second run changes nothing.
extends_documentation_fragment:
  - cloudops.fargate.attributes
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Run the web service behind the load balancer and wait for the rollout
  cloudops.fargate.ecs_service:
    cluster: demo-local
    name: demo-local-web
    task_definition: "{{ task_definition.task_definition.task_definition_arn }}"
    desired_count: 2
    desired_count_managed_externally: true
    network:
      subnets: "{{ network_private_subnet_ids }}"
      security_groups: ["{{ network_security_group_ids.service }}"]
    load_balancers:
      - target_group_arn: "{{ loadbalancer_target_group_arns.web }}"
        container_name: nginx
        container_port: 8080
    health_check_grace_period_seconds: 30
    tags:
      Stack: demo
      Environment: local
      ManagedBy: cloudops.fargate
  register: web_service

- name: Start a rollout without waiting for it
  cloudops.fargate.ecs_service: &web
    cluster: demo-local
    name: demo-local-web
    task_definition: demo-local-web:7
    network:
      subnets: "{{ network_private_subnet_ids }}"
    wait: false

- name: Wait for the rollout later, printing its progress
  cloudops.fargate.ecs_service: *web
  register: rollout
  until: rollout.rollout_complete or rollout.rollout_state == 'FAILED'
  retries: 60
  delay: 10

- name: Spread the tasks over Fargate Spot, keeping two on demand
  cloudops.fargate.ecs_service:
    cluster: demo-local
    name: demo-local-worker
    task_definition: demo-local-worker
    capacity_provider_strategy:
      - capacity_provider: FARGATE
        base: 2
        weight: 1
      - capacity_provider: FARGATE_SPOT
        weight: 3
    network:
      subnets: "{{ network_private_subnet_ids }}"

- name: Delete the service and wait until it is gone
  cloudops.fargate.ecs_service:
    cluster: demo-local
    name: demo-local-web
    state: absent
"""

RETURN = r"""
service:
  description:
    - The service as it is after the task (as it would be, in check mode).
    - After O(state=absent), the service as AWS still describes it (C(DRAINING), or C(INACTIVE) after the wait), or
      empty when AWS no longer knows it.
  returned: always
  type: dict
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
    tags:
      description: The service's tags.
      type: dict
      returned: when present
      sample: {"Stack": "demo", "Environment": "local"}
rollout_state:
  description:
    - The C(rollout_state) of the primary deployment (C(IN_PROGRESS), C(COMPLETED), C(FAILED)); null when there is
      none (a deleted service, or check mode before creation).
  returned: always
  type: str
  sample: IN_PROGRESS
rollout_complete:
  description: Whether the primary deployment is C(COMPLETED) and the service runs all its desired tasks.
  returned: always
  type: bool
  sample: true
events:
  description: When a rollout failed or timed out, the service's last events (as in RV(service.events)).
  returned: on rollout failure
  type: list
  elements: dict
stopped_tasks:
  description:
    - When a rollout failed or timed out, the service's stopped tasks (of the awaited deployment when it has any),
      newest first, at most 10, each with C(task_arn), C(task_definition_arn), C(started_by), C(stop_code),
      C(stopped_reason), C(stopped_at) and C(containers) (C(name), C(reason), C(exit_code)).
  returned: on rollout failure
  type: list
  elements: dict
  sample: [{"task_arn": "arn:aws:ecs:...", "stop_code": "TaskFailedToStart", "stopped_reason": "CannotPullContainerError: ..."}]
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.cloudops.fargate.plugins.module_utils._common import module_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service import DEFAULT_ASSIGN_PUBLIC_IP
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service import DEFAULT_CAPACITY_PROVIDER_BASE
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service import DEFAULT_CAPACITY_PROVIDER_WEIGHT
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service import DEFAULT_CIRCUIT_BREAKER
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service import DEFAULT_ENABLE_ECS_MANAGED_TAGS
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service import DEFAULT_MAXIMUM_PERCENT
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service import DEFAULT_MINIMUM_HEALTHY_PERCENT
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service import DEFAULT_PLATFORM_VERSION
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service import DEFAULT_PROPAGATE_TAGS
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service import DEFAULT_WAIT_TIMEOUT
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service import DEPLOYMENT_STRATEGIES
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service import LAUNCH_TYPES
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service import PROPAGATE_TAGS
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service import STATES
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service import ServiceManager
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service import rollout_complete
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service import rollout_state
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service import wanted_identity
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service import wanted_settings


def argument_spec():
    """The module's arguments; the defaults come from module_utils, where the manager reads them too."""
    return dict(
        state=dict(type="str", choices=list(STATES), default="present"),
        cluster=dict(type="str", required=True),
        name=dict(type="str", required=True),
        task_definition=dict(type="str"),
        desired_count=dict(type="int"),
        desired_count_managed_externally=dict(type="bool", default=False),
        deployment_circuit_breaker=dict(
            type="dict",
            apply_defaults=True,
            options=dict(
                enable=dict(type="bool", default=DEFAULT_CIRCUIT_BREAKER["enable"]),
                rollback=dict(type="bool", default=DEFAULT_CIRCUIT_BREAKER["rollback"]),
            ),
        ),
        deployment_strategy=dict(type="str", choices=list(DEPLOYMENT_STRATEGIES)),
        bake_time_minutes=dict(type="int"),
        canary=dict(
            type="dict",
            options=dict(
                percent=dict(type="float", default=5.0),
                bake_time_minutes=dict(type="int", default=10),
            ),
        ),
        linear=dict(
            type="dict",
            options=dict(
                step_percent=dict(type="float", default=10.0),
                step_bake_time_minutes=dict(type="int", default=6),
            ),
        ),
        deployment_alarms=dict(
            type="dict",
            options=dict(
                alarm_names=dict(type="list", elements="str", default=[]),
                enable=dict(type="bool", default=True),
                rollback=dict(type="bool", default=True),
            ),
        ),
        minimum_healthy_percent=dict(type="int", default=DEFAULT_MINIMUM_HEALTHY_PERCENT),
        maximum_percent=dict(type="int", default=DEFAULT_MAXIMUM_PERCENT),
        launch_type=dict(type="str", choices=list(LAUNCH_TYPES)),
        capacity_provider_strategy=dict(
            type="list",
            elements="dict",
            options=dict(
                capacity_provider=dict(type="str", required=True),
                weight=dict(type="int", default=DEFAULT_CAPACITY_PROVIDER_WEIGHT),
                base=dict(type="int", default=DEFAULT_CAPACITY_PROVIDER_BASE),
            ),
        ),
        network=dict(
            type="dict",
            options=dict(
                subnets=dict(type="list", elements="str"),
                security_groups=dict(type="list", elements="str"),
                assign_public_ip=dict(type="bool", default=DEFAULT_ASSIGN_PUBLIC_IP),
            ),
        ),
        load_balancers=dict(
            type="list",
            elements="dict",
            options=dict(
                target_group_arn=dict(type="str", required=True),
                container_name=dict(type="str", required=True),
                container_port=dict(type="int", required=True),
                alternate_target_group_arn=dict(type="str"),
                production_listener_rule_arn=dict(type="str"),
                test_listener_rule_arn=dict(type="str"),
                role_arn=dict(type="str"),
            ),
        ),
        health_check_grace_period_seconds=dict(type="int"),
        platform_version=dict(type="str", default=DEFAULT_PLATFORM_VERSION),
        enable_execute_command=dict(type="bool"),
        propagate_tags=dict(type="str", choices=list(PROPAGATE_TAGS), default=DEFAULT_PROPAGATE_TAGS),
        enable_ecs_managed_tags=dict(type="bool", default=DEFAULT_ENABLE_ECS_MANAGED_TAGS),
        force_new_deployment=dict(type="bool", default=False),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=DEFAULT_WAIT_TIMEOUT),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )


def main():
    module = AnsibleAWSModule(
        argument_spec=argument_spec(),
        required_if=[("state", "present", ["task_definition"])],
        mutually_exclusive=[("launch_type", "capacity_provider_strategy")],
        supports_check_mode=True,
    )
    params = module.params

    with module_errors(module):
        wanted = wanted_settings(params) if params["state"] == "present" else wanted_identity(params)
        manager = ServiceManager(module)
        if params["state"] == "present":
            manager.ensure_present(wanted)
        else:
            manager.ensure_absent(wanted)
        module.exit_json(
            changed=manager.changed,
            service=manager.service,
            rollout_state=rollout_state(manager.service),
            rollout_complete=rollout_complete(manager.service),
            diff=manager.diff(),
        )


if __name__ == "__main__":
    main()
