#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: elb_target_group_info
short_description: List ELBv2 target groups, optionally with the health of their targets
version_added: 0.1.0
description:
  - Lists the target groups of the account and region, or those named in O(names).
  - Each target group comes with its health check, attributes and tags, in the shape
    M(cloudops.fargate.elb_target_group) returns as RV(ignore:target_group).
  - A name in O(names) without a target group is left out of the result; it is not an error.
  - With O(include_target_health=true), each target group also lists its registered targets and their health, which
    says why a rollout fails (for example C(Target.FailedHealthChecks) or C(Target.ResponseCodeMismatch)).
author:
  - cloudops.fargate maintainers (!UNKNOWN)
options:
  names:
    description:
      - The names of the target groups to return; all target groups of the account and region when not given.
      - Returned in this order, once each.
    type: list
    elements: str
  include_target_health:
    description:
      - Add RV(target_groups[].targets) to each target group, the registered targets with their health
        (DescribeTargetHealth).
    type: bool
    default: false
extends_documentation_fragment:
  - cloudops.fargate.attributes.INFO_MODULE
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Read the web target group with the health of its targets
  cloudops.fargate.elb_target_group_info:
    names:
      - demo-local-web
    include_target_health: true
  register: loadbalancer_web_group

- name: Show why targets are not healthy
  ansible.builtin.debug:
    msg: "{{ item.id }}:{{ item.port }} is {{ item.state }} ({{ item.reason }}: {{ item.description }})"
  loop: "{{ loadbalancer_web_group.target_groups | map(attribute='targets') | flatten }}"
  when: item.state != 'healthy'

- name: List every target group of the account and region
  cloudops.fargate.elb_target_group_info:
  register: loadbalancer_all_groups
"""

RETURN = r"""
target_groups:
  description: The target groups found, by O(names) order when given, otherwise by name.
  returned: always
  type: list
  elements: dict
  contains:
    target_group_arn:
      description: The ARN of the target group.
      type: str
      sample: arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/demo-local-web/0123456789abcdef
    target_group_name:
      description: The name of the target group.
      type: str
      sample: demo-local-web
    target_type:
      description: C(ip), C(instance), C(lambda) or C(alb).
      type: str
      sample: ip
    vpc_id:
      description: The VPC of the targets; null for a Lambda target group.
      type: str
      sample: vpc-0123456789abcdef0
    protocol:
      description: The protocol to the targets; null for a Lambda target group.
      type: str
      sample: HTTP
    port:
      description: The port of the targets; null for a Lambda target group.
      type: int
      sample: 8080
    protocol_version:
      description: C(HTTP1), C(HTTP2) or C(GRPC); null where it does not apply.
      type: str
      sample: HTTP1
    health_check:
      description: The health check.
      type: dict
      contains:
        enabled:
          description: Whether health checks run (always for all but Lambda target groups).
          type: bool
          sample: true
        path:
          description: The path requested.
          type: str
          sample: /healthz
        protocol:
          description: The protocol of the request; null for a Lambda target group.
          type: str
          sample: HTTP
        port:
          description: The port, or C(traffic-port); null for a Lambda target group.
          type: str
          sample: traffic-port
        interval_seconds:
          description: Seconds between health checks.
          type: int
          sample: 15
        timeout_seconds:
          description: Seconds before a health check fails.
          type: int
          sample: 5
        healthy_threshold:
          description: Successes that make a target healthy.
          type: int
          sample: 3
        unhealthy_threshold:
          description: Failures that make a target unhealthy.
          type: int
          sample: 3
        matcher:
          description: The HTTP (or gRPC) codes that count as healthy.
          type: str
          sample: 200-399
    deregistration_delay:
      description: Seconds to drain a deregistering target; null for a Lambda target group.
      type: int
      sample: 30
    stickiness:
      description: Stickiness; null where the target type has none.
      type: dict
      contains:
        enabled:
          description: Whether stickiness is on.
          type: bool
          sample: false
        type:
          description: C(lb_cookie) or C(app_cookie).
          type: str
          sample: lb_cookie
        duration_seconds:
          description: The stickiness duration of that type.
          type: int
          sample: 86400
        cookie_name:
          description: The application's cookie; null unless the type is C(app_cookie).
          type: str
          sample: SESSION
    slow_start_seconds:
      description: The slow start ramp-up, 0 when off; null where the target type has none.
      type: int
      sample: 0
    load_balancing_algorithm:
      description: The load balancing algorithm; null where the target type has none.
      type: str
      sample: round_robin
    load_balancer_arns:
      description: The load balancers whose listeners or rules forward to the target group.
      type: list
      elements: str
      sample: ["arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/demo-local/0123456789abcdef"]
    tags:
      description: The target group's tags.
      type: dict
      sample: {"Stack": "demo", "Environment": "local"}
    targets:
      description: The registered targets and their health, by id and port.
      type: list
      elements: dict
      returned: when O(include_target_health=true)
      contains:
        id:
          description: The target's IP address, instance ID, Lambda function ARN or load balancer ARN.
          type: str
          sample: 10.30.1.25
        port:
          description: The target's port; null for a Lambda function.
          type: int
          sample: 8080
        availability_zone:
          description: The target's Availability Zone (C(all) for an IP address outside the VPC); null when AWS
            does not say.
          type: str
          sample: us-east-1a
        state:
          description: C(initial), C(healthy), C(unhealthy), C(unhealthy.draining), C(unused), C(draining) or
            C(unavailable).
          type: str
          sample: unhealthy
        reason:
          description: Why the target is not healthy; null when it is.
          type: str
          sample: Target.FailedHealthChecks
        description:
          description: The reason in words; null when the target is healthy.
          type: str
          sample: Health checks failed
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.cloudops.fargate.plugins.module_utils._common import module_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._elb_target_group import TargetGroupInfoManager
from ansible_collections.cloudops.fargate.plugins.module_utils._elb_target_group import TargetGroupInputError
from ansible_collections.cloudops.fargate.plugins.module_utils._elb_target_group import validate_name


def argument_spec():
    return dict(
        names=dict(type="list", elements="str"),
        include_target_health=dict(type="bool", default=False),
    )


def main():
    module = AnsibleAWSModule(argument_spec=argument_spec(), supports_check_mode=True)
    names = module.params["names"]
    with module_errors(module, (TargetGroupInputError,)):
        for index, name in enumerate(names or []):
            validate_name(name, option=f"names[{index}]")
        manager = TargetGroupInfoManager(module)
        target_groups = manager.list_target_groups(names, module.params["include_target_health"])
    module.exit_json(changed=False, target_groups=target_groups)


if __name__ == "__main__":
    main()
