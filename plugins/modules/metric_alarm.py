#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: metric_alarm
short_description: Manage a CloudWatch metric alarm on one metric or on metric math
version_added: 0.5.0
description:
  - Creates, updates, re-tags or deletes one CloudWatch metric alarm, by name (unique in the account and region).
  - The alarm watches either one metric (O(metric_name), O(namespace), O(dimensions), O(statistic) or
    O(extended_statistic), O(period), O(unit)) or the one query of O(metrics) that returns data, a metric math
    expression over the others.
  - The alarm is compared with the task after both are brought to one form, with AWS's defaults filled in
    (O(treat_missing_data=missing), O(actions_enabled=true), O(datapoints_to_alarm) equal to
    O(evaluation_periods), a query's O(metrics[].return_data) true when left out), the action lists and dimensions
    as sets, the queries by id, thresholds as numbers. A run that asks for what AWS has reports no change.
  - Any other difference, in the metric math as anywhere, is one PutMetricAlarm, which replaces the whole alarm's
    configuration and keeps its state. The diff shows the fields that differ, before and after.
  - Tags change in place (TagResource / UntagResource); a new alarm is created with them.
  - Every option is validated before anything is called, as PutMetricAlarm documents its limits, and an error names
    the option.
author:
  - cloudops.fargate maintainers (!UNKNOWN)
options:
  state:
    description: Whether the alarm should exist.
    type: str
    choices: [present, absent]
    default: present
  name:
    description:
      - The name of the alarm, 1 to 255 characters without ASCII control characters.
      - A composite alarm of the name is an error.
    type: str
    required: true
  description:
    description: A description of the alarm, at most 1024 characters. None when not given.
    type: str
  metric_name:
    description:
      - The metric the alarm watches, with O(namespace), O(period) and O(statistic) or O(extended_statistic).
      - With O(state=present), exactly one of O(metric_name) and O(metrics) is required.
    type: str
  namespace:
    description: The namespace of O(metric_name), for example V(AWS/ECS).
    type: str
  dimensions:
    description: The dimensions of O(metric_name), name to value; at most 30.
    type: dict
  statistic:
    description: The statistic of O(metric_name). Exactly one of O(statistic) and O(extended_statistic).
    type: str
    choices: [SampleCount, Average, Sum, Minimum, Maximum]
  extended_statistic:
    description:
      - A percentile or other extended statistic of O(metric_name) in the forms PutMetricAlarm takes, for example
        V(p99), V(tm90), V(IQM), V(PR(100:2000)) or V(TM(10%:90%)) (percentages from 10% to 90%).
    type: str
  period:
    description: The length of each period O(metric_name) is evaluated over, in seconds; 10, 20, 30 or a multiple of 60.
    type: int
  unit:
    description: The unit of O(metric_name) to evaluate. AWS advises leaving it out.
    type: str
    choices: [Seconds, Microseconds, Milliseconds, Bytes, Kilobytes, Megabytes, Gigabytes, Terabytes, Bits, Kilobits,
      Megabits, Gigabits, Terabits, Percent, Count, Bytes/Second, Kilobytes/Second, Megabytes/Second, Gigabytes/Second,
      Terabytes/Second, Bits/Second, Kilobits/Second, Megabits/Second, Gigabits/Second, Terabits/Second, Count/Second,
      None]
  metrics:
    description:
      - The queries of a metric math alarm (MetricDataQuery). Each has an O(metrics[].expression) or a
        O(metrics[].metric_stat); at most 10 of each.
      - Exactly one query returns data, the value the alarm watches; O(metrics[].return_data) is true when left out,
        so every other query needs O(metrics[].return_data=false).
      - Cannot be combined with O(metric_name), O(namespace), O(dimensions), O(statistic), O(extended_statistic),
        O(period) or O(unit).
    type: list
    elements: dict
    suboptions:
      id:
        description:
          - The query's name, which expressions use to refer to it; starts with a lower-case letter and holds letters,
            digits and C(_). Unique in the alarm.
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
            description: The unit to retrieve, one of the choices of O(unit).
            type: str
            choices: [Seconds, Microseconds, Milliseconds, Bytes, Kilobytes, Megabytes, Gigabytes, Terabytes, Bits,
              Kilobits, Megabits, Gigabits, Terabits, Percent, Count, Bytes/Second, Kilobytes/Second, Megabytes/Second,
              Gigabytes/Second, Terabytes/Second, Bits/Second, Kilobits/Second, Megabits/Second, Gigabits/Second,
              Terabits/Second, Count/Second, None]
  comparison:
    description: How the watched value is compared with O(threshold). Required with O(state=present).
    type: str
    choices: [GreaterThanOrEqualToThreshold, GreaterThanThreshold, LessThanThreshold, LessThanOrEqualToThreshold]
  threshold:
    description: The value the watched value is compared with. Required with O(state=present).
    type: float
  evaluation_periods:
    description:
      - The number of most recent periods evaluated, at least 1. Required with O(state=present).
      - A period times O(evaluation_periods) is at most 7 days, and at most one day for periods under an hour.
    type: int
  datapoints_to_alarm:
    description:
      - How many of the O(evaluation_periods) data points must breach for the alarm to go to ALARM (an "M out of N"
        alarm); 1 to O(evaluation_periods). When not given, O(evaluation_periods).
    type: int
  treat_missing_data:
    description: How the alarm treats a period with no data.
    type: str
    choices: [breaching, notBreaching, ignore, missing]
    default: missing
  evaluate_low_sample_count_percentile:
    description:
      - For an alarm on a percentile (O(extended_statistic)) only. V(ignore) keeps the alarm's state while too few
        data points are there to be statistically significant; V(evaluate) (AWS's default) always evaluates.
    type: str
    choices: [evaluate, ignore]
  actions_enabled:
    description: Whether the alarm's actions run when its state changes.
    type: bool
    default: true
  alarm_actions:
    description: ARNs of up to 5 actions (SNS topics, scaling policies ...) to run when the alarm goes to ALARM.
    type: list
    elements: str
    default: []
  ok_actions:
    description: ARNs of up to 5 actions to run when the alarm goes to OK.
    type: list
    elements: str
    default: []
  insufficient_data_actions:
    description: ARNs of up to 5 actions to run when the alarm goes to INSUFFICIENT_DATA.
    type: list
    elements: str
    default: []
  tags:
    description: Tags for the alarm, at most 50. Left alone when not given.
    type: dict
    aliases: [resource_tags]
  purge_tags:
    description:
      - Remove tags not listed in O(tags). Tags whose key starts with C(aws:) are never removed.
      - Has no effect when O(tags) is not given.
    type: bool
    default: true
notes:
  - Anomaly detection alarms (C(ThresholdMetricId)), PromQL alarms and composite alarms are out of this module's scope;
    it replaces an anomaly detection alarm of the name with the task's alarm.
  - Unlike M(amazon.aws.cloudwatch_metric_alarm), a second run of a metric math alarm reports no change, and a change
    of its queries is one.
extends_documentation_fragment:
  - cloudops.fargate.attributes
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Alarm when the service's tasks use more than 80% of their CPU for 3 of 5 minutes
  cloudops.fargate.metric_alarm:
    name: demo-local-web-cpu-high
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
    alarm_actions: ["{{ alarm_topic.topic_arn }}"]
    ok_actions: ["{{ alarm_topic.topic_arn }}"]
    tags:
      Stack: demo

- name: Alarm when more than 5% of the load balancer's requests end in a 5xx
  cloudops.fargate.metric_alarm:
    name: demo-local-web-5xx-rate
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
        label: 5xx rate (%)
        return_data: true
    comparison: GreaterThanThreshold
    threshold: 5
    evaluation_periods: 3
    treat_missing_data: notBreaching
    alarm_actions: ["{{ alarm_topic.topic_arn }}"]

- name: Delete the alarm
  cloudops.fargate.metric_alarm:
    name: demo-local-web-5xx-rate
    state: absent
"""

RETURN = r"""
alarm:
  description:
    - The alarm as it is, or would be in check mode, in AWS's names; empty after O(state=absent).
    - Fields carry AWS's defaults where the alarm leaves them out (RV(alarm.treat_missing_data=missing) ...).
  returned: always
  type: dict
  contains:
    alarm_name:
      description: The name.
      type: str
      returned: when present
      sample: demo-local-web-5xx-rate
    alarm_arn:
      description: The ARN; null in check mode before the alarm exists.
      type: str
      returned: when present
      sample: arn:aws:cloudwatch:us-east-1:123456789012:alarm:demo-local-web-5xx-rate
    state_value:
      description: C(OK), C(ALARM) or C(INSUFFICIENT_DATA); a new alarm starts in C(INSUFFICIENT_DATA).
      type: str
      returned: when present
      sample: INSUFFICIENT_DATA
    state_reason:
      description: Why the alarm is in its state; null in check mode before the alarm exists.
      type: str
      returned: when present
      sample: "Unchecked: Initial alarm creation"
    alarm_description:
      description: The description; null when none.
      type: str
      returned: when present
      sample: CPU of the web service above 80%
    actions_enabled:
      description: Whether the actions run.
      type: bool
      returned: when present
      sample: true
    alarm_actions:
      description: The ALARM actions, sorted.
      type: list
      elements: str
      returned: when present
      sample: ["arn:aws:sns:us-east-1:123456789012:demo-local-alarms"]
    ok_actions:
      description: The OK actions, sorted.
      type: list
      elements: str
      returned: when present
      sample: []
    insufficient_data_actions:
      description: The INSUFFICIENT_DATA actions, sorted.
      type: list
      elements: str
      returned: when present
      sample: []
    metric_name:
      description: The metric of a single-metric alarm; null for metric math.
      type: str
      returned: when present
      sample: CPUUtilization
    namespace:
      description: The namespace of O(metric_name); null for metric math.
      type: str
      returned: when present
      sample: AWS/ECS
    statistic:
      description: The statistic; null for metric math or an extended statistic.
      type: str
      returned: when present
      sample: Average
    extended_statistic:
      description: The extended statistic; null when none.
      type: str
      returned: when present
      sample: p99
    dimensions:
      description: The dimensions of O(metric_name), name to value; empty for metric math.
      type: dict
      returned: when present
      sample: {"ClusterName": "demo-local", "ServiceName": "web"}
    period:
      description: The period of O(metric_name) in seconds; null for metric math.
      type: int
      returned: when present
      sample: 60
    unit:
      description: The unit of O(metric_name); null when none.
      type: str
      returned: when present
      sample: null
    metrics:
      description: The queries of a metric math alarm, by id; empty for a single-metric alarm.
      type: list
      elements: dict
      returned: when present
      contains:
        id:
          description: The query's id.
          type: str
          sample: error_rate
        expression:
          description: The expression; null for a metric_stat query.
          type: str
          sample: 100 * errors / requests
        label:
          description: The label; null when none.
          type: str
          sample: 5xx rate (%)
        return_data:
          description: Whether the alarm watches this query (true for exactly one).
          type: bool
          sample: true
        period:
          description: The query's own period; null when none.
          type: int
          sample: null
        metric_stat:
          description: The metric, C(period), C(stat) and C(unit) of a metric query; null for an expression.
          type: dict
          sample: {"metric": {"namespace": "AWS/ApplicationELB", "metric_name": "RequestCount",
                   "dimensions": [{"name": "LoadBalancer", "value": "app/demo/0123456789abcdef"}]},
                   "period": 60, "stat": "Sum", "unit": null}
        account_id:
          description: The account of the metric, only when the alarm sets one (the module never does).
          type: str
          returned: when set
          sample: "123456789012"
    comparison_operator:
      description: The comparison.
      type: str
      returned: when present
      sample: GreaterThanThreshold
    threshold:
      description: The threshold.
      type: float
      returned: when present
      sample: 5.0
    evaluation_periods:
      description: The number of periods evaluated.
      type: int
      returned: when present
      sample: 3
    datapoints_to_alarm:
      description: The number of breaching data points that make the alarm go to ALARM.
      type: int
      returned: when present
      sample: 3
    treat_missing_data:
      description: How missing data is treated.
      type: str
      returned: when present
      sample: notBreaching
    evaluate_low_sample_count_percentile:
      description: For a percentile alarm, C(evaluate) or C(ignore); null otherwise.
      type: str
      returned: when present
      sample: null
    threshold_metric_id:
      description: The anomaly detection band an alarm made elsewhere compares with; null for the module's alarms.
      type: str
      returned: when present
      sample: null
    tags:
      description: The alarm's tags.
      type: dict
      returned: when present
      sample: {"Stack": "demo"}
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.cloudops.fargate.plugins.module_utils._common import module_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._metric_alarm import SINGLE_METRIC_OPTIONS
from ansible_collections.cloudops.fargate.plugins.module_utils._metric_alarm import MetricAlarmManager
from ansible_collections.cloudops.fargate.plugins.module_utils._metric_alarm import alarm_argument_spec
from ansible_collections.cloudops.fargate.plugins.module_utils._metric_alarm import validate_name
from ansible_collections.cloudops.fargate.plugins.module_utils._metric_alarm import wanted_alarm


def argument_spec():
    """The module's arguments: one alarm's options as metric_alarms takes them (module_utils, where the validation
    reads the choices and defaults too), with state, purge_tags and empty action lists by default."""
    spec = alarm_argument_spec()
    for actions in ("alarm_actions", "ok_actions", "insufficient_data_actions"):
        spec[actions] = dict(spec[actions], default=[])
    spec["tags"] = dict(spec["tags"], aliases=["resource_tags"])
    return dict(
        spec,
        state=dict(type="str", choices=["present", "absent"], default="present"),
        purge_tags=dict(type="bool", default=True),
    )


def main():
    module = AnsibleAWSModule(
        argument_spec=argument_spec(),
        mutually_exclusive=[("metrics", option) for option in SINGLE_METRIC_OPTIONS]
        + [("statistic", "extended_statistic")],
        supports_check_mode=True,
    )
    present = module.params["state"] == "present"

    with module_errors(module):
        if present:
            wanted = wanted_alarm(module.params)
        else:
            validate_name(module.params["name"])
        manager = MetricAlarmManager(module)
        if present:
            manager.ensure_present(wanted)
        else:
            manager.ensure_absent(module.params["name"])
        module.exit_json(changed=manager.changed, alarm=manager.alarm, diff=manager.diff())


if __name__ == "__main__":
    main()
