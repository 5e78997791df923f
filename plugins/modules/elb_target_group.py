#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: elb_target_group
short_description: Manage an Elastic Load Balancing v2 target group, its health check and attributes
version_added: 0.1.0
description:
  - Creates, updates, replaces or deletes one target group of an Application Load Balancer (or, with
    O(target_type=alb), of a Network Load Balancer in front of an Application Load Balancer), identified by
    its O(name).
  - The health check, the attributes (O(deregistration_delay), O(stickiness), O(slow_start_seconds),
    O(load_balancing_algorithm)) and the tags change in place.
  - O(target_type), O(vpc_id), O(protocol), O(port) and O(protocol_version) cannot change after the target
    group is created. With O(replace_on_change=true) a change to any of them deletes the target group and
    creates it again under the same name, with a new ARN; the diff shows the whole target group before and
    after, and its headers name the fields. With O(replace_on_change=false) the task fails and names them.
  - AWS refuses to delete a target group that a listener or a listener rule forwards to. Before a deletion
    or a replacement changes anything, the module looks the listeners and rules up and, when there are any,
    fails and lists their ARNs; remove the target group from the listener (and rules) first. A replacement
    also drops the registered targets; an ECS service that names the old ARN must be updated.
  - For a while after a load balancer is deleted, AWS still lists it among the target group's load balancers
    and refuses to delete the target group. When every load balancer the target group lists is gone, the
    module waits for AWS to let go of them, retrying the deletion for up to 2 minutes (as terraform-provider-aws
    does); when one of them still exists, it fails at once as above.
  - Values are compared after filling in what AWS leaves out with AWS's defaults, so a run that asks for
    what AWS already has reports no change. Health check success codes are compared as a set.
  - Every option is validated before anything changes, so a bad input fails without touching the target group.
author:
  - cloudops.fargate maintainers (!UNKNOWN)
options:
  state:
    description: Whether the target group should exist.
    type: str
    choices: [present, absent]
    default: present
  name:
    description:
      - The name of the target group, unique in the account and region. 1 to 32 letters, digits and hyphens,
        neither beginning nor ending with a hyphen, and not beginning with C(internal-).
    type: str
    required: true
  target_type:
    description:
      - What the targets are. C(ip) for Fargate tasks (C(awsvpc) network mode), C(instance) for EC2
        instances, C(lambda) for a Lambda function, C(alb) for an Application Load Balancer behind a Network
        Load Balancer.
      - Cannot change in place (see O(replace_on_change)).
    type: str
    choices: [ip, instance, lambda, alb]
    default: ip
  vpc_id:
    description:
      - The VPC of the targets. Required with O(state=present), except with O(target_type=lambda), where it is
        not allowed.
      - Cannot change in place (see O(replace_on_change)).
    type: str
  protocol:
    description:
      - The protocol the load balancer uses to reach the targets. Defaults to C(HTTP).
      - Not allowed with O(target_type=alb), which always uses C(TCP), nor with O(target_type=lambda).
      - Cannot change in place (see O(replace_on_change)).
    type: str
    choices: [HTTP, HTTPS]
  port:
    description:
      - The port the targets receive traffic on, 1 to 65535; a target registered with a port of its own
        overrides it. Defaults to C(80). Not allowed with O(target_type=lambda).
      - Cannot change in place (see O(replace_on_change)).
    type: int
  protocol_version:
    description:
      - The HTTP version sent to the targets. Defaults to C(HTTP1). Only for O(target_type=ip) and
        O(target_type=instance).
      - Cannot change in place (see O(replace_on_change)).
    type: str
    choices: [HTTP1, HTTP2, GRPC]
  health_check:
    description:
      - The health check. Changes in place.
      - When not given, the defaults below apply, except with O(target_type=lambda), where the health check
        is left as it is (AWS creates it disabled); given for a Lambda target group, it enables it.
      - When given, fields left out take their defaults.
    type: dict
    suboptions:
      path:
        description: The path requested; must start with C(/).
        type: str
        default: /healthz
      protocol:
        description:
          - The protocol of the health check request. Defaults to O(protocol) (C(HTTP) with O(target_type=alb)).
          - Not allowed with O(target_type=lambda).
        type: str
        choices: [HTTP, HTTPS]
      port:
        description:
          - The port the health check is sent to, 1 to 65535, or C(traffic-port) for the port each target
            receives traffic on. Defaults to C(traffic-port). Not allowed with O(target_type=lambda).
        type: raw
      interval_seconds:
        description: Seconds between health checks of a target, 5 to 300.
        type: int
        default: 15
      timeout_seconds:
        description:
          - Seconds without a response that fail a health check, 2 to 120; less than
            O(health_check.interval_seconds).
        type: int
        default: 5
      healthy_threshold:
        description: Consecutive successful health checks that make an unhealthy target healthy, 2 to 10.
        type: int
        default: 3
      unhealthy_threshold:
        description: Consecutive failed health checks that make a healthy target unhealthy, 2 to 10.
        type: int
        default: 3
      matcher:
        description:
          - The response codes that count as healthy, as a code (C(200)), a list (C(200,204)) or a range
            (C(200-299)), HTTP codes 200 to 499. Defaults to C(200-399).
          - With O(protocol_version=GRPC), gRPC codes 0 to 99 instead; the default is then C(12).
        type: str
  deregistration_delay:
    description:
      - Seconds the load balancer waits for in-flight requests before a deregistering target is removed,
        0 to 3600. Defaults to C(30) (AWS's own default is 300). Not supported with O(target_type=lambda).
    type: int
  stickiness:
    description:
      - Whether requests of one client go to the same target. Only for O(target_type=ip) and
        O(target_type=instance). When not given, stickiness is disabled.
      - With O(stickiness.enabled=false), O(stickiness.type), O(stickiness.duration_seconds) and
        O(stickiness.cookie_name) are left as they are.
    type: dict
    suboptions:
      enabled:
        description: Whether stickiness is on.
        type: bool
        default: false
      type:
        description:
          - C(lb_cookie) for a cookie the load balancer sets, C(app_cookie) to follow a cookie of the application.
        type: str
        choices: [lb_cookie, app_cookie]
        default: lb_cookie
      duration_seconds:
        description: How long a client sticks to its target, 1 to 604800 seconds (7 days).
        type: int
        default: 86400
      cookie_name:
        description:
          - The application's cookie. Required with O(stickiness.type=app_cookie), not allowed otherwise.
            Must not begin with C(AWSALB), which the load balancer reserves.
        type: str
  slow_start_seconds:
    description:
      - Seconds over which a new target's share of requests ramps up, 30 to 900, or C(0) for none. Defaults to
        C(0). Only for O(target_type=ip) and O(target_type=instance).
    type: int
  load_balancing_algorithm:
    description:
      - How the load balancer picks a target. Defaults to C(round_robin). Only for O(target_type=ip) and
        O(target_type=instance).
      - C(weighted_random) works with neither stickiness nor slow start (AWS refuses the combination).
    type: str
    choices: [round_robin, least_outstanding_requests, weighted_random]
  replace_on_change:
    description:
      - Delete the target group and create it again when O(target_type), O(vpc_id), O(protocol), O(port) or
        O(protocol_version) differ from the existing one's. The tags are carried over (subject to O(tags) and
        O(purge_tags)); the registered targets are not.
      - When false, such a difference fails the task and names the fields.
    type: bool
    default: true
  tags:
    description: Tags for the target group. Left alone when not given.
    type: dict
    aliases: [resource_tags]
  purge_tags:
    description:
      - Remove tags not listed in O(tags). Tags whose key starts with C(aws:) are never removed.
      - Has no effect when O(tags) is not given.
    type: bool
    default: true
notes:
  - Target group changes take effect at once; the only wait is the deletion's, right after its load balancer
    was deleted (see above).
  - Targets are registered by the ECS service (or otherwise), not by this module.
extends_documentation_fragment:
  - cloudops.fargate.attributes
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Create the target group of the Fargate service
  cloudops.fargate.elb_target_group:
    name: demo-local-web
    vpc_id: "{{ network_vpc_id }}"
    port: 8080
    health_check:
      path: /healthz
      interval_seconds: 10
      matcher: "200"
    deregistration_delay: 15
    tags:
      Stack: demo
      Environment: local
      ManagedBy: cloudops.fargate
  register: web_target_group

- name: Stick clients to a task by the application's session cookie
  cloudops.fargate.elb_target_group:
    name: demo-local-web
    vpc_id: "{{ network_vpc_id }}"
    port: 8080
    stickiness:
      enabled: true
      type: app_cookie
      cookie_name: SESSION
      duration_seconds: 3600

- name: Refuse to replace the target group when its port changes
  cloudops.fargate.elb_target_group:
    name: demo-local-web
    vpc_id: "{{ network_vpc_id }}"
    port: 9090
    replace_on_change: false

- name: Delete the target group (after removing it from the listener)
  cloudops.fargate.elb_target_group:
    name: demo-local-web
    state: absent
"""

RETURN = r"""
target_group:
  description: The target group as it is, or would be in check mode; empty after O(state=absent).
  returned: always
  type: dict
  contains:
    target_group_arn:
      description: The ARN of the target group. Absent in check mode before creation (or replacement).
      type: str
      returned: when it exists
      sample: arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/demo-local-web/0123456789abcdef
    target_group_name:
      description: The name of the target group.
      type: str
      returned: when present
      sample: demo-local-web
    target_type:
      description: C(ip), C(instance), C(lambda) or C(alb).
      type: str
      returned: when present
      sample: ip
    vpc_id:
      description: The VPC of the targets; null for a Lambda target group.
      type: str
      returned: when present
      sample: vpc-0123456789abcdef0
    protocol:
      description: The protocol to the targets; null for a Lambda target group.
      type: str
      returned: when present
      sample: HTTP
    port:
      description: The port of the targets; null for a Lambda target group.
      type: int
      returned: when present
      sample: 8080
    protocol_version:
      description: C(HTTP1), C(HTTP2) or C(GRPC); null where it does not apply.
      type: str
      returned: when present
      sample: HTTP1
    health_check:
      description: The health check.
      type: dict
      returned: when present
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
      returned: when present
      sample: 30
    stickiness:
      description: Stickiness; null where the target type has none.
      type: dict
      returned: when present
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
      returned: when present
      sample: 0
    load_balancing_algorithm:
      description: The load balancing algorithm; null where the target type has none.
      type: str
      returned: when present
      sample: round_robin
    load_balancer_arns:
      description: The load balancers whose listeners or rules forward to the target group.
      type: list
      elements: str
      returned: when present
      sample: ["arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/demo-local/0123456789abcdef"]
    tags:
      description: The target group's tags.
      type: dict
      returned: when present
      sample: {"Stack": "demo", "Environment": "local"}
replaced:
  description: Whether the target group was (or in check mode would be) deleted and created again.
  returned: always
  type: bool
  sample: false
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.cloudops.fargate.plugins.module_utils._common import module_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._elb_target_group import DEFAULT_TARGET_TYPE
from ansible_collections.cloudops.fargate.plugins.module_utils._elb_target_group import HEALTH_CHECK_DEFAULTS
from ansible_collections.cloudops.fargate.plugins.module_utils._elb_target_group import HEALTH_CHECK_PROTOCOLS
from ansible_collections.cloudops.fargate.plugins.module_utils._elb_target_group import LOAD_BALANCING_ALGORITHMS
from ansible_collections.cloudops.fargate.plugins.module_utils._elb_target_group import PROTOCOL_VERSIONS
from ansible_collections.cloudops.fargate.plugins.module_utils._elb_target_group import PROTOCOLS
from ansible_collections.cloudops.fargate.plugins.module_utils._elb_target_group import STICKINESS_DEFAULTS
from ansible_collections.cloudops.fargate.plugins.module_utils._elb_target_group import STICKINESS_TYPES
from ansible_collections.cloudops.fargate.plugins.module_utils._elb_target_group import TARGET_TYPES
from ansible_collections.cloudops.fargate.plugins.module_utils._elb_target_group import TargetGroupInputError
from ansible_collections.cloudops.fargate.plugins.module_utils._elb_target_group import TargetGroupManager
from ansible_collections.cloudops.fargate.plugins.module_utils._elb_target_group import validate_name
from ansible_collections.cloudops.fargate.plugins.module_utils._elb_target_group import wanted_settings


def argument_spec():
    """The module's arguments; the defaults come from module_utils, where the manager reads them too."""
    return dict(
        state=dict(type="str", choices=["present", "absent"], default="present"),
        name=dict(type="str", required=True),
        target_type=dict(type="str", choices=list(TARGET_TYPES), default=DEFAULT_TARGET_TYPE),
        vpc_id=dict(type="str"),
        protocol=dict(type="str", choices=list(PROTOCOLS)),
        port=dict(type="int"),
        protocol_version=dict(type="str", choices=list(PROTOCOL_VERSIONS)),
        health_check=dict(
            type="dict",
            options=dict(
                path=dict(type="str", default=HEALTH_CHECK_DEFAULTS["path"]),
                protocol=dict(type="str", choices=list(HEALTH_CHECK_PROTOCOLS)),
                port=dict(type="raw"),
                interval_seconds=dict(type="int", default=HEALTH_CHECK_DEFAULTS["interval_seconds"]),
                timeout_seconds=dict(type="int", default=HEALTH_CHECK_DEFAULTS["timeout_seconds"]),
                healthy_threshold=dict(type="int", default=HEALTH_CHECK_DEFAULTS["healthy_threshold"]),
                unhealthy_threshold=dict(type="int", default=HEALTH_CHECK_DEFAULTS["unhealthy_threshold"]),
                matcher=dict(type="str"),
            ),
        ),
        deregistration_delay=dict(type="int"),
        stickiness=dict(
            type="dict",
            options=dict(
                enabled=dict(type="bool", default=STICKINESS_DEFAULTS["enabled"]),
                type=dict(type="str", choices=list(STICKINESS_TYPES), default=STICKINESS_DEFAULTS["type"]),
                duration_seconds=dict(type="int", default=STICKINESS_DEFAULTS["duration_seconds"]),
                cookie_name=dict(type="str"),
            ),
        ),
        slow_start_seconds=dict(type="int"),
        load_balancing_algorithm=dict(type="str", choices=list(LOAD_BALANCING_ALGORITHMS)),
        replace_on_change=dict(type="bool", default=True),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )


def main():
    module = AnsibleAWSModule(argument_spec=argument_spec(), supports_check_mode=True)
    params = module.params

    with module_errors(module, (TargetGroupInputError,)):
        if params["state"] == "present":
            wanted = wanted_settings(params)  # every input error before the first AWS call
            manager = TargetGroupManager(module)
            manager.ensure_present(wanted)
        else:
            validate_name(params["name"])
            manager = TargetGroupManager(module)
            manager.ensure_absent(params["name"])
    module.exit_json(
        changed=manager.changed,
        target_group=manager.target_group,
        replaced=manager.replaced,
        diff=manager.diff(),
    )


if __name__ == "__main__":
    main()
