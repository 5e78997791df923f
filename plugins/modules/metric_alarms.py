#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: metric_alarms
short_description: Manage a set of CloudWatch metric alarms under one name prefix in one run
version_added: 0.5.0
description:
  - Creates, updates, re-tags or deletes the CloudWatch metric alarms of O(alarms), each as M(cloudops.fargate.metric_alarm)
    manages one, with the same options and the same comparison after AWS's defaults are filled in.
  - All of them are read with one C(DescribeAlarms) by O(name_prefix) (paged), and their tags with one
    C(ListTagsForResource) per alarm that exists, so a run that changes nothing makes 1 + N calls for N alarms where N
    runs of M(cloudops.fargate.metric_alarm) make 2 N.
  - An alarm that differs is one C(PutMetricAlarm), which replaces its whole configuration and keeps its state; tags
    change in place (C(TagResource) / C(UntagResource)); deletions go 100 names to a C(DeleteAlarms). A run that puts
    alarms reads them back with one more C(DescribeAlarms).
  - With O(purge), an alarm whose name starts with O(name_prefix), that O(alarms) does not list and that carries every
    tag of O(identity_tags) is deleted; an alarm without them is never deleted by O(purge), whatever its name.
  - Every option of every alarm is validated before anything is called, and an error names the alarm, by its index
    and name, and the option; a wrong type or choice, which Ansible checks first, names the option and O(alarms).
author:
  - cloudops.fargate maintainers (!UNKNOWN)
options:
  state:
    description:
      - V(present) creates or updates every alarm of O(alarms) and, with O(purge), deletes the others under
        O(name_prefix) that carry O(identity_tags).
      - V(absent) deletes every alarm of O(alarms) (only O(alarms[].name) counts) and, with O(purge), every alarm under
        O(name_prefix) that carries O(identity_tags).
    type: str
    choices: [present, absent]
    default: present
  name_prefix:
    description:
      - The start of every alarm's name, at most 255 characters; the alarms are read by it (C(AlarmNamePrefix)).
      - An alarm of O(alarms) whose name does not start with it is an error.
    type: str
    required: true
  purge:
    description:
      - Delete the alarms under O(name_prefix) that O(alarms) does not list (all of them with O(state=absent)) and
        that carry every tag of O(identity_tags). Requires O(identity_tags).
    type: bool
    default: false
  identity_tags:
    description:
      - The tags that make an alarm the stack's (V(Stack), V(Environment), V(ManagedBy) ...). Every alarm of O(alarms)
        is tagged with them, over O(tags) and O(alarms[].tags) (a different value there is an error), so that a later
        run can purge it.
      - O(purge) deletes only alarms that carry all of them, with these values.
    type: dict
    default: {}
  alarm_actions:
    description: ARNs of up to 5 actions to run when an alarm goes to ALARM, for every alarm that does not set its own.
    type: list
    elements: str
    default: []
  ok_actions:
    description: ARNs of up to 5 actions to run when an alarm goes to OK, for every alarm that does not set its own.
    type: list
    elements: str
    default: []
  insufficient_data_actions:
    description:
      - ARNs of up to 5 actions to run when an alarm goes to INSUFFICIENT_DATA, for every alarm that does not set its
        own.
    type: list
    elements: str
    default: []
  tags:
    description:
      - Tags for every alarm, at most 50 with O(alarms[].tags) and O(identity_tags).
      - When neither O(tags) nor O(alarms[].tags) is given, an alarm's tags are left alone but for O(identity_tags),
        which are added.
    type: dict
    aliases: [resource_tags]
  purge_tags:
    description:
      - Remove an alarm's tags that are not in O(tags), O(alarms[].tags) or O(identity_tags). Tags whose key starts
        with C(aws:) are never removed.
      - Has no effect on an alarm for which neither O(tags) nor O(alarms[].tags) is given.
    type: bool
    default: true
  alarms:
    description:
      - The alarms, each with the options of M(cloudops.fargate.metric_alarm) but O(cloudops.fargate.metric_alarm#module:state)
        and O(cloudops.fargate.metric_alarm#module:purge_tags). Names are unique.
      - With O(state=absent) only O(alarms[].name) counts.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description:
          - The name of the alarm, 1 to 255 characters without ASCII control characters, starting with O(name_prefix).
        type: str
        required: true
      description:
        description: A description of the alarm, at most 1024 characters. None when not given.
        type: str
      metric_name:
        description:
          - The metric the alarm watches, with O(alarms[].namespace), O(alarms[].period) and O(alarms[].statistic) or
            O(alarms[].extended_statistic).
          - With O(state=present), exactly one of O(alarms[].metric_name) and O(alarms[].metrics) is required.
        type: str
      namespace:
        description: The namespace of O(alarms[].metric_name), for example V(AWS/ECS).
        type: str
      dimensions:
        description: The dimensions of O(alarms[].metric_name), name to value; at most 30.
        type: dict
      statistic:
        description:
          - The statistic of O(alarms[].metric_name). Exactly one of O(alarms[].statistic) and
            O(alarms[].extended_statistic).
        type: str
        choices: [SampleCount, Average, Sum, Minimum, Maximum]
      extended_statistic:
        description:
          - A percentile or other extended statistic of O(alarms[].metric_name) in the forms PutMetricAlarm takes, for
            example V(p99), V(tm90), V(IQM), V(PR(100:2000\)) or V(TM(10%:90%\)) (percentages from 10% to 90%).
        type: str
      period:
        description:
          - The length of each period O(alarms[].metric_name) is evaluated over, in seconds; 10, 20, 30 or a multiple
            of 60.
        type: int
      unit:
        description: The unit of O(alarms[].metric_name) to evaluate. AWS advises leaving it out.
        type: str
        choices: [Seconds, Microseconds, Milliseconds, Bytes, Kilobytes, Megabytes, Gigabytes, Terabytes, Bits,
          Kilobits, Megabits, Gigabits, Terabits, Percent, Count, Bytes/Second, Kilobytes/Second, Megabytes/Second,
          Gigabytes/Second, Terabytes/Second, Bits/Second, Kilobits/Second, Megabits/Second, Gigabits/Second,
          Terabits/Second, Count/Second, None]
      metrics:
        description:
          - The queries of a metric math alarm (MetricDataQuery). Each has an O(alarms[].metrics[].expression) or a
            O(alarms[].metrics[].metric_stat); at most 10 of each.
          - Exactly one query returns data, the value the alarm watches; O(alarms[].metrics[].return_data) is true
            when left out, so every other query needs O(alarms[].metrics[].return_data=false).
          - Cannot be combined with O(alarms[].metric_name), O(alarms[].namespace), O(alarms[].dimensions),
            O(alarms[].statistic), O(alarms[].extended_statistic), O(alarms[].period) or O(alarms[].unit).
        type: list
        elements: dict
        suboptions:
          id:
            description:
              - The query's name, which expressions use to refer to it; starts with a lower-case letter and holds
                letters, digits and C(_). Unique in the alarm.
            type: str
            required: true
          expression:
            description: A metric math expression (or a Metrics Insights query), at most 2048 characters.
            type: str
          label:
            description: A label for the query.
            type: str
          return_data:
            description: Whether this query is the one the alarm watches. AWS takes it as true when left out.
            type: bool
          period:
            description: The period of an expression's result, in seconds; 10, 20, 30 or a multiple of 60.
            type: int
          metric_stat:
            description: The metric to retrieve, with its statistic and period.
            type: dict
            suboptions:
              metric:
                description: The metric.
                type: dict
                required: true
                suboptions:
                  namespace:
                    description: The namespace, for example V(AWS/ApplicationELB).
                    type: str
                    required: true
                  metric_name:
                    description: The metric's name.
                    type: str
                    required: true
                  dimensions:
                    description: The dimensions, at most 30; their order does not count.
                    type: list
                    elements: dict
                    suboptions:
                      name:
                        description: The dimension's name.
                        type: str
                        required: true
                      value:
                        description: The dimension's value.
                        type: str
                        required: true
              period:
                description: The period, in seconds; 10, 20, 30 or a multiple of 60.
                type: int
                required: true
              stat:
                description: A statistic (V(Sum), V(Average) ...) or an extended statistic (V(p99) ...).
                type: str
                required: true
              unit:
                description: The unit to retrieve, one of the choices of O(alarms[].unit).
                type: str
                choices: [Seconds, Microseconds, Milliseconds, Bytes, Kilobytes, Megabytes, Gigabytes, Terabytes, Bits,
                  Kilobits, Megabits, Gigabits, Terabits, Percent, Count, Bytes/Second, Kilobytes/Second,
                  Megabytes/Second, Gigabytes/Second, Terabytes/Second, Bits/Second, Kilobits/Second, Megabits/Second,
                  Gigabits/Second, Terabits/Second, Count/Second, None]
      comparison:
        description:
          - How the watched value is compared with O(alarms[].threshold). Required with O(state=present).
        type: str
        choices: [GreaterThanOrEqualToThreshold, GreaterThanThreshold, LessThanThreshold, LessThanOrEqualToThreshold]
      threshold:
        description: The value the watched value is compared with. Required with O(state=present).
        type: float
      evaluation_periods:
        description:
          - The number of most recent periods evaluated, at least 1. Required with O(state=present).
          - A period times O(alarms[].evaluation_periods) is at most 7 days, and at most one day for periods under an
            hour.
        type: int
      datapoints_to_alarm:
        description:
          - How many of the O(alarms[].evaluation_periods) data points must breach for the alarm to go to ALARM;
            1 to O(alarms[].evaluation_periods). When not given, O(alarms[].evaluation_periods).
        type: int
      treat_missing_data:
        description: How the alarm treats a period with no data.
        type: str
        choices: [breaching, notBreaching, ignore, missing]
        default: missing
      evaluate_low_sample_count_percentile:
        description:
          - For an alarm on a percentile (O(alarms[].extended_statistic)) only. V(ignore) keeps the alarm's state while
            too few data points are there to be statistically significant; V(evaluate) (AWS's default) always
            evaluates.
        type: str
        choices: [evaluate, ignore]
      actions_enabled:
        description: Whether the alarm's actions run when its state changes.
        type: bool
        default: true
      alarm_actions:
        description: The alarm's own ALARM actions (up to 5 ARNs), in place of O(alarm_actions); V([]) for none.
        type: list
        elements: str
      ok_actions:
        description: The alarm's own OK actions (up to 5 ARNs), in place of O(ok_actions); V([]) for none.
        type: list
        elements: str
      insufficient_data_actions:
        description:
          - The alarm's own INSUFFICIENT_DATA actions (up to 5 ARNs), in place of O(insufficient_data_actions); V([])
            for none.
        type: list
        elements: str
      tags:
        description: The alarm's own tags, merged over O(tags) (the alarm's value wins), under O(identity_tags).
        type: dict
notes:
  - Composite alarms are never read, changed or deleted; anomaly detection alarms of a name in O(alarms) are replaced
    with the task's alarm, as M(cloudops.fargate.metric_alarm) does.
  - An alarm under O(name_prefix) that O(alarms) does not list is left alone without O(purge), and always when it
    lacks an identity tag.
extends_documentation_fragment:
  - cloudops.fargate.attributes
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Converge the stack's alarms, deleting those it no longer has (the VPN alarm once the VPN is gone)
  cloudops.fargate.metric_alarms:
    name_prefix: demo-local-
    purge: true
    identity_tags:
      Stack: demo
      Environment: local
      ManagedBy: cloudops.fargate
    alarm_actions: ["{{ alarm_topic.topic_arn }}"]
    ok_actions: ["{{ alarm_topic.topic_arn }}"]
    tags:
      Owner: web
    alarms:
      - name: demo-local-cpu-high
        description: CPU of the web service above 80%
        namespace: AWS/ECS
        metric_name: CPUUtilization
        dimensions:
          ClusterName: demo-local
          ServiceName: web
        statistic: Average
        period: 60
        evaluation_periods: 5
        datapoints_to_alarm: 3
        comparison: GreaterThanThreshold
        threshold: 80
      - name: demo-local-5xx-rate
        metrics:
          - id: errors
            metric_stat:
              metric:
                namespace: AWS/ApplicationELB
                metric_name: HTTPCode_Target_5XX_Count
                dimensions:
                  - {name: LoadBalancer, value: "{{ load_balancer_dimension }}"}
              period: 60
              stat: Sum
            return_data: false
          - id: requests
            metric_stat:
              metric:
                namespace: AWS/ApplicationELB
                metric_name: RequestCount
                dimensions:
                  - {name: LoadBalancer, value: "{{ load_balancer_dimension }}"}
              period: 60
              stat: Sum
            return_data: false
          - id: error_rate
            expression: 100 * errors / requests
            return_data: true
        comparison: GreaterThanThreshold
        threshold: 5
        evaluation_periods: 3
        treat_missing_data: notBreaching
        ok_actions: []  # its own: no OK notification
  register: alarms

- name: Delete the stack's alarms, listed or not
  cloudops.fargate.metric_alarms:
    state: absent
    name_prefix: demo-local-
    purge: true
    identity_tags:
      Stack: demo
      Environment: local
      ManagedBy: cloudops.fargate
    alarms:
      - name: demo-local-cpu-high
      - name: demo-local-5xx-rate
"""

RETURN = r"""
alarms:
  description:
    - The alarms of O(alarms), in that order, as they are or would be in check mode, each as
      M(cloudops.fargate.metric_alarm) returns its RV(cloudops.fargate.metric_alarm#module:alarm); empty after
      O(state=absent).
    - An alarm created in check mode has C(alarm_arn) null and C(state_value) C(INSUFFICIENT_DATA).
  returned: always
  type: list
  elements: dict
  sample:
    - alarm_name: demo-local-cpu-high
      alarm_arn: arn:aws:cloudwatch:us-east-1:123456789012:alarm:demo-local-cpu-high
      state_value: INSUFFICIENT_DATA
      state_reason: "Unchecked: Initial alarm creation"
      alarm_description: CPU of the web service above 80%
      actions_enabled: true
      alarm_actions: ["arn:aws:sns:us-east-1:123456789012:demo-local-alarms"]
      ok_actions: ["arn:aws:sns:us-east-1:123456789012:demo-local-alarms"]
      insufficient_data_actions: []
      metric_name: CPUUtilization
      namespace: AWS/ECS
      statistic: Average
      extended_statistic: null
      dimensions: {"ClusterName": "demo-local", "ServiceName": "web"}
      period: 60
      unit: null
      metrics: []
      comparison_operator: GreaterThanThreshold
      threshold: 80.0
      evaluation_periods: 5
      datapoints_to_alarm: 3
      treat_missing_data: missing
      evaluate_low_sample_count_percentile: null
      threshold_metric_id: null
      tags: {"Stack": "demo", "Environment": "local", "ManagedBy": "cloudops.fargate", "Owner": "web"}
created:
  description: The names of the alarms created (or that would be, in check mode), in the order of O(alarms).
  returned: always
  type: list
  elements: str
  sample: ["demo-local-cpu-high"]
updated:
  description:
    - The names of the existing alarms whose configuration or tags changed (or would), in the order of O(alarms).
  returned: always
  type: list
  elements: str
  sample: []
deleted:
  description: The names of the alarms deleted (or that would be, in check mode), sorted.
  returned: always
  type: list
  elements: str
  sample: ["demo-local-vpn-auth-failures"]
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.cloudops.fargate.plugins.module_utils._common import module_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._metric_alarm import MetricAlarmsManager
from ansible_collections.cloudops.fargate.plugins.module_utils._metric_alarm import alarm_argument_spec
from ansible_collections.cloudops.fargate.plugins.module_utils._metric_alarm import wanted_alarm_set


def argument_spec():
    """The module's arguments; each alarm's come from module_utils, where the validation reads them too."""
    return dict(
        state=dict(type="str", choices=["present", "absent"], default="present"),
        name_prefix=dict(type="str", required=True),
        purge=dict(type="bool", default=False),
        identity_tags=dict(type="dict", default={}),
        alarm_actions=dict(type="list", elements="str", default=[]),
        ok_actions=dict(type="list", elements="str", default=[]),
        insufficient_data_actions=dict(type="list", elements="str", default=[]),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        alarms=dict(type="list", elements="dict", required=True, options=alarm_argument_spec()),
    )


def main():
    module = AnsibleAWSModule(argument_spec=argument_spec(), supports_check_mode=True)

    with module_errors(module):
        wanted = wanted_alarm_set(module.params)
        manager = MetricAlarmsManager(module)
        if module.params["state"] == "present":
            manager.ensure_present(wanted)
        else:
            manager.ensure_absent(wanted)
        module.exit_json(
            changed=manager.changed,
            alarms=manager.alarms,
            created=manager.created,
            updated=manager.updated,
            deleted=manager.deleted,
            diff=manager.diff(),
        )


if __name__ == "__main__":
    main()
