#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ecs_service_scaling
short_description: Manage the auto scaling of an Amazon ECS service (scalable target, target tracking, schedules)
version_added: 0.1.0
description:
  - Registers an Amazon ECS service with Application Auto Scaling (its scalable target, resource ID
    C(service/<cluster>/<service>), scalable dimension C(ecs:service:DesiredCount)) with a minimum and a maximum task
    count, and manages its target tracking scaling policies and its scheduled actions.
  - Once the service is registered, auto scaling owns the service's desired count; leave it alone in
    M(cloudops.fargate.ecs_service).
  - Policies and scheduled actions are identified by their names. With O(purge_policies=true) (the default) the
    service's scaling policies not listed in O(target_tracking_policies) are deleted, and with
    O(purge_scheduled_actions=true) those not in O(scheduled_actions); a list that is not given leaves them alone.
  - Values are compared after filling in what AWS leaves out with AWS's documented defaults (cooldowns of 300
    seconds for ECS services, scale-in enabled, time zone UTC), so a run that asks for what AWS already has reports
    no change.
  - O(state=absent) deregisters the scalable target, which deletes its scaling policies and scheduled actions too;
    the service keeps its current desired count.
  - The APIs create or replace by key, so a run after an interrupted one completes what is missing and never makes
    a duplicate.
  - Every option is validated before anything changes, so a bad input fails without touching the scaling.
author:
  - cloudops.fargate maintainers (!UNKNOWN)
options:
  state:
    description: Whether the service should be registered for auto scaling.
    type: str
    choices: [present, absent]
    default: present
  cluster:
    description: The name or ARN of the ECS cluster of the service.
    type: str
    required: true
  service:
    description: The name or ARN of the ECS service.
    type: str
    required: true
  min_capacity:
    description:
      - The fewest tasks auto scaling leaves the service with, at least 0. Required with O(state=present).
    type: int
  max_capacity:
    description:
      - The most tasks auto scaling gives the service, at least O(min_capacity). Required with O(state=present).
    type: int
  target_tracking_policies:
    description:
      - Target tracking scaling policies that keep a metric of the service at a target value.
      - Left alone when not given; with O(purge_policies=true), V([]) deletes every scaling policy of the service.
    type: list
    elements: dict
    suboptions:
      name:
        description: The name of the policy, unique for the service; printable characters, at most 256.
        type: str
        required: true
      metric:
        description:
          - The predefined metric to track. C(cpu) is C(ECSServiceAverageCPUUtilization) and C(memory) is
            C(ECSServiceAverageMemoryUtilization), the average utilisation of the service's tasks in percent;
            C(alb_request_count_per_target) is C(ALBRequestCountPerTarget), the requests per task of a target
            group. AWS's names are accepted too.
        type: str
        required: true
        choices:
          - cpu
          - memory
          - alb_request_count_per_target
          - ECSServiceAverageCPUUtilization
          - ECSServiceAverageMemoryUtilization
          - ALBRequestCountPerTarget
      target_value:
        description:
          - The value to keep the metric at; above 0, and at most 100 for C(cpu) and C(memory).
        type: float
        required: true
      resource_label:
        description:
          - The target group of C(alb_request_count_per_target), as
            C(app/<load balancer>/<id>/targetgroup/<target group>/<id>). Give this, or
            O(target_tracking_policies[].target_group_arn) and O(target_tracking_policies[].load_balancer_arn),
            with that metric only.
        type: str
      target_group_arn:
        description:
          - The ARN of the target group of C(alb_request_count_per_target); with
            O(target_tracking_policies[].load_balancer_arn), the module builds the resource label from them.
        type: str
      load_balancer_arn:
        description:
          - The ARN of the Application Load Balancer that forwards to O(target_tracking_policies[].target_group_arn).
        type: str
      scale_in_cooldown:
        description: Seconds after a scale-in before another scale-in can start.
        type: int
        default: 300
      scale_out_cooldown:
        description: Seconds to wait for a scale-out to take effect before another can start.
        type: int
        default: 300
      disable_scale_in:
        description: When true, the policy only adds tasks and never removes them.
        type: bool
        default: false
  purge_policies:
    description:
      - Delete the service's scaling policies (of any type) not named in O(target_tracking_policies).
      - Has no effect when O(target_tracking_policies) is not given.
    type: bool
    default: true
  scheduled_actions:
    description:
      - Scheduled changes of the minimum and maximum task count.
      - Left alone when not given; with O(purge_scheduled_actions=true), V([]) deletes every scheduled action of the
        service.
    type: list
    elements: dict
    suboptions:
      name:
        description:
          - The name of the scheduled action, unique for the service; at most 256 characters, without C(:), C(/), C(|)
            or control characters, neither beginning nor ending with a space.
        type: str
        required: true
      schedule:
        description:
          - When the action runs. C(at(yyyy-mm-ddThh:mm:ss)) once, C(rate(<value> <unit>)) at an interval (unit
            C(minute), C(minutes), C(hour), C(hours), C(day) or C(days)), or
            C(cron(<minutes> <hours> <day-of-month> <month> <day-of-week> <year>)) periodically.
        type: str
        required: true
      timezone:
        description:
          - The IANA time zone of C(at) and C(cron) schedules, such as C(Europe/Berlin). UTC when not given.
        type: str
      min_capacity:
        description: The minimum task count the action sets. At least one of the two capacities is required.
        type: int
      max_capacity:
        description: The maximum task count the action sets.
        type: int
      start_time:
        description:
          - When the schedule starts, as an ISO 8601 date and time (C(2030-01-31T18:00:00Z)); without an offset, UTC.
        type: str
      end_time:
        description:
          - When the schedule ends, as an ISO 8601 date and time after O(scheduled_actions[].start_time).
        type: str
  purge_scheduled_actions:
    description:
      - Delete the service's scheduled actions not named in O(scheduled_actions).
      - Has no effect when O(scheduled_actions) is not given.
    type: bool
    default: true
notes:
  - Changes take effect at once; there is nothing to wait for.
  - The service must exist before its scalable target is registered. In check mode a missing service is a warning,
    as it may be created by an earlier task that ran in check mode too.
  - Right after a service is created, Application Auto Scaling may not see it yet and refuses the registration (C(ECS
    service doesn't exist)). When ECS reports the service C(ACTIVE), the module retries that refusal for up to 2
    minutes, as terraform-provider-aws does.
  - Step scaling and custom-metric policies are not created by this module; with O(purge_policies=true) they are
    deleted, and a target tracking policy of the same name replaces one.
extends_documentation_fragment:
  - cloudops.fargate.attributes
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Scale the web service between 2 and 10 tasks on CPU and requests
  cloudops.fargate.ecs_service_scaling:
    cluster: demo-local
    service: web
    min_capacity: "{{ fargate_min_count }}"
    max_capacity: "{{ fargate_max_count }}"
    target_tracking_policies:
      - name: cpu-60
        metric: cpu
        target_value: 60
        scale_in_cooldown: 300
        scale_out_cooldown: 60
      - name: requests-1000
        metric: alb_request_count_per_target
        target_value: 1000
        target_group_arn: "{{ loadbalancer_target_group_arns.web }}"
        load_balancer_arn: "{{ loadbalancer_arn }}"
    scheduled_actions:
      - name: night
        schedule: cron(0 20 * * ? *)
        timezone: Europe/Berlin
        min_capacity: 1
        max_capacity: 2
      - name: morning
        schedule: cron(0 7 ? * MON-FRI *)
        timezone: Europe/Berlin
        min_capacity: 2
        max_capacity: 10

- name: Stop auto scaling the service (its policies and scheduled actions go with it)
  cloudops.fargate.ecs_service_scaling:
    cluster: demo-local
    service: web
    state: absent
"""

RETURN = r"""
scalable_target:
  description: The scalable target as it is, or would be in check mode; empty after O(state=absent).
  returned: always
  type: dict
  contains:
    service_namespace:
      description: Always C(ecs).
      type: str
      returned: when present
      sample: ecs
    resource_id:
      description: C(service/<cluster>/<service>).
      type: str
      returned: when present
      sample: service/demo-local/web
    scalable_dimension:
      description: Always C(ecs:service:DesiredCount).
      type: str
      returned: when present
      sample: ecs:service:DesiredCount
    min_capacity:
      description: The minimum task count.
      type: int
      returned: when present
      sample: 2
    max_capacity:
      description: The maximum task count.
      type: int
      returned: when present
      sample: 10
    role_arn:
      description: The service-linked role Application Auto Scaling uses.
      type: str
      returned: when registered and AWS reports it
      sample: >-
        arn:aws:iam::123456789012:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/
        AWSServiceRoleForApplicationAutoScaling_ECSService
    suspended_state:
      description: Which scaling activities are suspended.
      type: dict
      returned: when registered and AWS reports it
      sample:
        dynamic_scaling_in_suspended: false
        dynamic_scaling_out_suspended: false
        scheduled_scaling_suspended: false
    scalable_target_arn:
      description: The ARN of the scalable target.
      type: str
      returned: when registered
      sample: arn:aws:application-autoscaling:us-east-1:123456789012:scalable-target/0123456789abcdef
    creation_time:
      description: When the target was registered.
      type: str
      returned: when registered
      sample: "2030-01-31T18:00:00+00:00"
policies:
  description: The service's scaling policies as they are, or would be in check mode, sorted by name.
  returned: always
  type: list
  elements: dict
  contains:
    policy_name:
      description: The name of the policy.
      type: str
      sample: cpu-60
    policy_arn:
      description: The ARN of the policy. Absent in check mode before creation.
      type: str
      sample: arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:0123:resource/ecs/service/demo/web:policyName/cpu
    policy_type:
      description: C(TargetTrackingScaling) (or the type of a policy this module left alone).
      type: str
      sample: TargetTrackingScaling
    service_namespace:
      description: Always C(ecs).
      type: str
      sample: ecs
    resource_id:
      description: C(service/<cluster>/<service>).
      type: str
      sample: service/demo-local/web
    scalable_dimension:
      description: Always C(ecs:service:DesiredCount).
      type: str
      sample: ecs:service:DesiredCount
    target_tracking_scaling_policy_configuration:
      description: The target tracking configuration, with AWS's defaults filled in.
      type: dict
      contains:
        target_value:
          description: The value the metric is kept at.
          type: float
          sample: 60.0
        predefined_metric_specification:
          description: The metric, C(predefined_metric_type) and for C(ALBRequestCountPerTarget) C(resource_label).
          type: dict
          sample: {"predefined_metric_type": "ECSServiceAverageCPUUtilization"}
        scale_in_cooldown:
          description: Seconds between scale-ins.
          type: int
          sample: 300
        scale_out_cooldown:
          description: Seconds between scale-outs.
          type: int
          sample: 60
        disable_scale_in:
          description: Whether the policy never removes tasks.
          type: bool
          sample: false
    alarms:
      description: The CloudWatch alarms AWS made for the policy.
      type: list
      elements: dict
      sample:
        - alarm_name: TargetTracking-service/demo-local/web-AlarmHigh-0123
          alarm_arn: arn:aws:cloudwatch:us-east-1:123456789012:alarm:TargetTracking-service/demo/web-AlarmHigh-0123
    creation_time:
      description: When the policy was created.
      type: str
      sample: "2030-01-31T18:00:00+00:00"
scheduled_actions:
  description: The service's scheduled actions as they are, or would be in check mode, sorted by name.
  returned: always
  type: list
  elements: dict
  contains:
    scheduled_action_name:
      description: The name of the action.
      type: str
      sample: night
    scheduled_action_arn:
      description: The ARN of the action. Absent in check mode before creation.
      type: str
      sample: arn:aws:autoscaling:us-east-1:123456789012:scheduledAction:0123:ecs/service/d/w:scheduledActionName/night
    service_namespace:
      description: Always C(ecs).
      type: str
      sample: ecs
    resource_id:
      description: C(service/<cluster>/<service>).
      type: str
      sample: service/demo-local/web
    scalable_dimension:
      description: Always C(ecs:service:DesiredCount).
      type: str
      sample: ecs:service:DesiredCount
    schedule:
      description: The schedule expression.
      type: str
      sample: cron(0 20 * * ? *)
    timezone:
      description: The time zone of the schedule, C(UTC) when none was given.
      type: str
      sample: Europe/Berlin
    start_time:
      description: When the schedule starts, ISO 8601 in UTC; null when it has no start.
      type: str
      sample: "2030-01-31T18:00:00+00:00"
    end_time:
      description: When the schedule ends, ISO 8601 in UTC; null when it has no end.
      type: str
      sample: null
    scalable_target_action:
      description: The C(min_capacity) and/or C(max_capacity) the action sets.
      type: dict
      sample: {"min_capacity": 1, "max_capacity": 2}
    creation_time:
      description: When the action was created.
      type: str
      sample: "2030-01-31T18:00:00+00:00"
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.cloudops.fargate.plugins.module_utils._common import module_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service_scaling import DEFAULT_DISABLE_SCALE_IN
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service_scaling import DEFAULT_SCALE_IN_COOLDOWN
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service_scaling import DEFAULT_SCALE_OUT_COOLDOWN
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service_scaling import METRICS
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service_scaling import ScalingInputError
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service_scaling import ServiceScalingManager
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service_scaling import validate_identity
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service_scaling import wanted_scaling


def argument_spec():
    """The module's arguments; the defaults come from module_utils, where the manager reads them too."""
    return dict(
        state=dict(type="str", choices=["present", "absent"], default="present"),
        cluster=dict(type="str", required=True),
        service=dict(type="str", required=True),
        min_capacity=dict(type="int"),
        max_capacity=dict(type="int"),
        target_tracking_policies=dict(
            type="list",
            elements="dict",
            options=dict(
                name=dict(type="str", required=True),
                metric=dict(type="str", required=True, choices=list(METRICS)),
                target_value=dict(type="float", required=True),
                resource_label=dict(type="str"),
                target_group_arn=dict(type="str"),
                load_balancer_arn=dict(type="str"),
                scale_in_cooldown=dict(type="int", default=DEFAULT_SCALE_IN_COOLDOWN),
                scale_out_cooldown=dict(type="int", default=DEFAULT_SCALE_OUT_COOLDOWN),
                disable_scale_in=dict(type="bool", default=DEFAULT_DISABLE_SCALE_IN),
            ),
        ),
        purge_policies=dict(type="bool", default=True),
        scheduled_actions=dict(
            type="list",
            elements="dict",
            options=dict(
                name=dict(type="str", required=True),
                schedule=dict(type="str", required=True),
                timezone=dict(type="str"),
                min_capacity=dict(type="int"),
                max_capacity=dict(type="int"),
                start_time=dict(type="str"),
                end_time=dict(type="str"),
            ),
        ),
        purge_scheduled_actions=dict(type="bool", default=True),
    )


def main():
    module = AnsibleAWSModule(
        argument_spec=argument_spec(),
        required_if=[("state", "present", ["min_capacity", "max_capacity"])],
        supports_check_mode=True,
    )
    params = module.params

    with module_errors(module, (ScalingInputError,)):
        if params["state"] == "present":
            wanted = wanted_scaling(params)  # every input error before the first AWS call
            manager = ServiceScalingManager(module)
            manager.ensure_present(wanted)
        else:
            resource_id = validate_identity(params)
            manager = ServiceScalingManager(module)
            manager.ensure_absent(resource_id)
    module.exit_json(
        changed=manager.changed,
        scalable_target=manager.scalable_target,
        policies=manager.policies,
        scheduled_actions=manager.scheduled_actions,
        diff=manager.diff(),
    )


if __name__ == "__main__":
    main()
