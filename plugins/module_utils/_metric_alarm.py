# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Managers behind cloudops.fargate.metric_alarm and cloudops.fargate.metric_alarms, and their pure helpers.

One CloudWatch metric alarm, by name, on a single metric or on metric math (``metrics``); or a set of them under one
name prefix (``MetricAlarmsManager``), each compared, put and re-tagged as the one alarm is. What AWS does, and how
the modules answer it (botocore's cloudwatch service model and its documentation of PutMetricAlarm, MetricDataQuery,
DescribeAlarms and DeleteAlarms; "CloudWatch service quotas" and "CloudWatch statistics definitions" in the user
guide; terraform-provider-aws internal/service/cloudwatch/metric_alarm.go):

- PutMetricAlarm creates the alarm or "completely overwrites the previous configuration", leaving its state as it
  is; a new alarm starts in ``INSUFFICIENT_DATA``. It takes no client token and is idempotent by name. So any
  difference, metric math included, is one PutMetricAlarm with the whole alarm. Its ``Tags`` apply only when it
  creates the alarm ("if you are using this operation to update an existing alarm, any tags you specify in this
  parameter are ignored"): an existing alarm's tags change with TagResource / UntagResource on its ARN.
- The alarm is compared with the task after both are brought to one form, with AWS's defaults filled in:
  ActionsEnabled true, TreatMissingData ``missing`` (DescribeAlarms leaves it out on alarms that never set it;
  terraform reads nil as missing), DatapointsToAlarm equal to EvaluationPeriods (an "N out of N" alarm),
  EvaluateLowSampleCountPercentile ``evaluate`` on a percentile alarm; the action lists and dimensions as sets
  (terraform holds both as sets), thresholds as floats, metric queries by id. A query's ReturnData defaults to
  true (MetricDataQuery: "if you omit this, the default of true is used"); an alarm has exactly one query that
  returns data, so the described one that says true (or, if none says so, the one that says nothing) is it and
  every other query's is false. The module sends every ReturnData explicitly.
- Validation before any call, as PutMetricAlarm documents it: exactly one query returns data (AWS answers
  ValidationError "Exactly one element of the metrics list should return data", terraform-provider-aws issue
  29894); ids start with a lower-case letter and hold letters, digits and ``_``; each query has either an
  expression or a metric_stat; at most 10 metric_stat queries and 10 expressions (the MetricDataQuery reference:
  "up to 20 MetricDataQuery structures ... as many as 10 structures that contain a MetricStat parameter ... and
  as many as 10 structures that contain the Expression parameter"; the quotas page: "alarms based on metric
  math expressions can have up to 10 metrics"); periods of 10, 20, 30 or a multiple of 60; period times
  evaluation periods at most 7 days, and at most one day when the period is under an hour; DatapointsToAlarm
  at most EvaluationPeriods; at most 5 actions of each kind, ARNs; extended statistics in the forms the
  PutMetricAlarm reference lists (p90, tm90, tc90, ts90, wm90, IQM, PR(n:m), TC/TM/TS/WM(X%:X%) with X from 10
  to 90); names 1 to 255 characters without ASCII control characters; at most 50 tags.
- DescribeAlarms returns only metric alarms unless AlarmTypes says otherwise; the module asks for composite ones
  too, so that a composite alarm of the name is an error naming ``name``, not a put that fails or a delete of
  someone else's alarm. DeleteAlarms of an alarm that is gone answers ResourceNotFound (terraform treats it as
  deleted): absent is absent.
- A set of alarms (metric_alarms) is read with one DescribeAlarms by ``AlarmNamePrefix`` (paged, at most 100 a page),
  and ListTagsForResource only for the alarms that exist: a run that changes nothing makes 1 + N calls for N alarms.
  DeleteAlarms takes up to 100 names, and "if you specify an incorrect alarm name or make any other error in the
  operation, no alarms are deleted": a batch answered ResourceNotFound (one of them gone since the lookup) is
  described again and the rest deleted. An alarm under the prefix that the task does not list is deleted (``purge``)
  only when it carries every identity tag of the stack: the prefix alone could be another stack's
  (``demo-local-`` is also the start of stack ``demo-local``'s alarms).

moto (5.2.5) is kinder than AWS here: it accepts any ReturnData (two queries returning data, or none), any id,
period and number of queries, stores a new alarm as ``OK`` rather than ``INSUFFICIENT_DATA``, applies the Tags of
a PutMetricAlarm that updates an alarm, deletes an alarm that does not exist without an error and lists the tags
of an ARN that does not exist. The module never relies on any of it; the unit tests use botocore's Stubber for
AWS's answers.
"""

from __future__ import annotations

import re
from copy import deepcopy
from typing import Any

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.cloudops.fargate.plugins.module_utils import _common
from ansible_collections.cloudops.fargate.plugins.module_utils._common import AWSActionError
from ansible_collections.cloudops.fargate.plugins.module_utils._common import BaseResourceManager
from ansible_collections.cloudops.fargate.plugins.module_utils._common import InputError
from ansible_collections.cloudops.fargate.plugins.module_utils._common import call
from ansible_collections.cloudops.fargate.plugins.module_utils._common import paginate
from ansible_collections.cloudops.fargate.plugins.module_utils._common import wanted_tags

STATISTICS = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")
# The static-threshold operators; the other three need an anomaly detection band (ThresholdMetricId).
COMPARISONS = (
    "GreaterThanOrEqualToThreshold",
    "GreaterThanThreshold",
    "LessThanThreshold",
    "LessThanOrEqualToThreshold",
)
TREAT_MISSING_DATA = ("breaching", "notBreaching", "ignore", "missing")
LOW_SAMPLE_COUNT = ("evaluate", "ignore")
UNITS = (
    "Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes", "Gigabytes", "Terabytes", "Bits",
    "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count", "Bytes/Second", "Kilobytes/Second",
    "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second", "Bits/Second", "Kilobits/Second", "Megabits/Second",
    "Gigabits/Second", "Terabits/Second", "Count/Second", "None",
)  # fmt: skip

DEFAULT_TREAT_MISSING_DATA = "missing"
DEFAULT_LOW_SAMPLE_COUNT = "evaluate"
NEW_ALARM_STATE = "INSUFFICIENT_DATA"

NAME_MAX_LENGTH = 255
DESCRIPTION_MAX_LENGTH = 1024
EXPRESSION_MAX_LENGTH = 2048
DIMENSION_NAME_MAX_LENGTH = 255
DIMENSION_VALUE_MAX_LENGTH = 1024
MAX_DIMENSIONS = 30
MAX_ACTIONS = 5
MAX_METRIC_STATS = 10
MAX_EXPRESSIONS = 10
MAX_TAGS = 50
HIGH_RESOLUTION_PERIODS = (10, 20, 30)
MAX_EVALUATION_SECONDS = 7 * 86400
MAX_SHORT_PERIOD_EVALUATION_SECONDS = 86400  # for periods under an hour
SHORT_PERIOD = 3600

QUERY_ID = re.compile(r"^[a-z][A-Za-z0-9_]{0,254}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_PERCENT_10_TO_90 = r"(?:[1-8][0-9](?:\.[0-9]+)?|90(?:\.0+)?)%"
_NUMBER = r"-?[0-9]+(?:\.[0-9]+)?"
EXTENDED_STATISTIC = re.compile(
    r"^(?:(?:p|tm|tc|ts|wm)(?:100(?:\.0+)?|[0-9]{1,2}(?:\.[0-9]{1,10})?)"
    r"|IQM"
    rf"|PR\((?:{_NUMBER})?:(?:{_NUMBER})?\)"
    rf"|(?:TC|TM|TS|WM)\({_PERCENT_10_TO_90}:{_PERCENT_10_TO_90}\))$"
)

ARN_PREFIX = "arn:"
ACTION_OPTIONS = ("alarm_actions", "ok_actions", "insufficient_data_actions")
SINGLE_METRIC_OPTIONS = ("metric_name", "namespace", "statistic", "extended_statistic", "dimensions", "period", "unit")

# The alarm's configuration as the module compares, diffs and returns it, in AWS's names (snake_case).
CONFIG_FIELDS = (
    "alarm_description",
    "actions_enabled",
    "alarm_actions",
    "ok_actions",
    "insufficient_data_actions",
    "metric_name",
    "namespace",
    "statistic",
    "extended_statistic",
    "dimensions",
    "period",
    "unit",
    "metrics",
    "comparison_operator",
    "threshold",
    "evaluation_periods",
    "datapoints_to_alarm",
    "treat_missing_data",
    "evaluate_low_sample_count_percentile",
    "threshold_metric_id",
)

# DeleteAlarms takes up to 100 names, DescribeAlarms up to 100 names and 100 alarms a page.
MAX_NAMES = 100
DELETE_ATTEMPTS = 3

_NOT_FOUND = "ResourceNotFound"
_TAGS_NOT_FOUND = "ResourceNotFoundException"
# Tagging answers these when two requests change the same alarm at once: another try.
RETRIED_CODES = ["ConcurrentModificationException", "ConflictException"]


class AlarmInputError(InputError):
    """The module's arguments cannot describe a metric alarm; the message names every bad option."""


# --- arguments ----------------------------------------------------------------------------------------------


def alarm_argument_spec() -> dict[str, Any]:
    """One alarm's options in metric_alarms (``alarms[]``): metric_alarm's, without ``state`` and ``purge_tags``,
    and with no default for the action lists, which fall back to the set's."""
    dimension = dict(name=dict(type="str", required=True), value=dict(type="str", required=True))
    metric = dict(
        namespace=dict(type="str", required=True),
        metric_name=dict(type="str", required=True),
        dimensions=dict(type="list", elements="dict", options=dimension),
    )
    metric_stat = dict(
        metric=dict(type="dict", required=True, options=metric),
        period=dict(type="int", required=True),
        stat=dict(type="str", required=True),
        unit=dict(type="str", choices=list(UNITS)),
    )
    query = dict(
        id=dict(type="str", required=True),
        expression=dict(type="str"),
        label=dict(type="str"),
        return_data=dict(type="bool"),
        period=dict(type="int"),
        metric_stat=dict(type="dict", options=metric_stat),
    )
    return dict(
        name=dict(type="str", required=True),
        description=dict(type="str"),
        metric_name=dict(type="str"),
        namespace=dict(type="str"),
        dimensions=dict(type="dict"),
        statistic=dict(type="str", choices=list(STATISTICS)),
        extended_statistic=dict(type="str"),
        period=dict(type="int"),
        unit=dict(type="str", choices=list(UNITS)),
        metrics=dict(type="list", elements="dict", options=query),
        comparison=dict(type="str", choices=list(COMPARISONS)),
        threshold=dict(type="float"),
        evaluation_periods=dict(type="int"),
        datapoints_to_alarm=dict(type="int"),
        treat_missing_data=dict(type="str", choices=list(TREAT_MISSING_DATA), default=DEFAULT_TREAT_MISSING_DATA),
        evaluate_low_sample_count_percentile=dict(type="str", choices=list(LOW_SAMPLE_COUNT)),
        actions_enabled=dict(type="bool", default=True),
        alarm_actions=dict(type="list", elements="str"),
        ok_actions=dict(type="list", elements="str"),
        insufficient_data_actions=dict(type="list", elements="str"),
        tags=dict(type="dict"),
    )


# --- validation ---------------------------------------------------------------------------------------------


def name_errors(name: Any) -> list[str]:
    if isinstance(name, str) and 1 <= len(name) <= NAME_MAX_LENGTH and not _CONTROL.search(name):
        return []
    return [f"name must be 1 to {NAME_MAX_LENGTH} characters without ASCII control characters, not {name!r}"]


def period_errors(period: Any, option: str) -> list[str]:
    if isinstance(period, int) and period > 0 and (period in HIGH_RESOLUTION_PERIODS or period % 60 == 0):
        return []
    return [f"{option} must be 10, 20, 30 or a multiple of 60 seconds (an alarm's periods), not {period!r}"]


def statistic_errors(stat: Any, option: str) -> list[str]:
    """A query's ``stat``: one of the statistics, or an extended statistic in a form PutMetricAlarm takes."""
    if stat in STATISTICS or extended_statistic_errors(stat, option) == []:
        return []
    return [
        f"{option} must be one of {', '.join(STATISTICS)} or an extended statistic (p99, tm90, IQM, TM(10%:90%) ...),"
        f" not {stat!r}"
    ]


def extended_statistic_errors(stat: Any, option: str = "extended_statistic") -> list[str]:
    if isinstance(stat, str) and EXTENDED_STATISTIC.match(stat):
        return []
    return [
        f"{option} must be p0 to p100, tm, tc, ts or wm and a percentage (tm90), IQM, PR(n:m), or TC, TM, TS or WM"
        f" with two percentages from 10% to 90% (TM(10%:90%)), not {stat!r}"
    ]


def dimension_errors(dimensions: list[tuple[Any, Any]], option: str) -> list[str]:
    errors = []
    if len(dimensions) > MAX_DIMENSIONS:
        errors.append(f"{option}: at most {MAX_DIMENSIONS} dimensions, not {len(dimensions)}")
    names = [name for name, _value in dimensions]
    duplicates = sorted({str(name) for name in names if names.count(name) > 1})
    if duplicates:
        errors.append(f"{option}: each dimension name once, not {', '.join(duplicates)} more than once")
    for name, value in dimensions:
        if not isinstance(name, str) or not 1 <= len(name) <= DIMENSION_NAME_MAX_LENGTH:
            errors.append(f"{option}: a dimension name is 1 to {DIMENSION_NAME_MAX_LENGTH} characters, not {name!r}")
        if value is None or not 1 <= len(str(value)) <= DIMENSION_VALUE_MAX_LENGTH:
            errors.append(
                f"{option} {name}: a dimension value is 1 to {DIMENSION_VALUE_MAX_LENGTH} characters, not {value!r}"
            )
    return errors


def namespace_errors(namespace: Any, option: str) -> list[str]:
    if isinstance(namespace, str) and 1 <= len(namespace) <= NAME_MAX_LENGTH and not namespace.startswith(":"):
        return []
    return [f"{option} is required: 1 to {NAME_MAX_LENGTH} characters, not starting with ':' (AWS/ECS, MyApp ...)"]


def metric_name_errors(metric_name: Any, option: str) -> list[str]:
    if isinstance(metric_name, str) and 1 <= len(metric_name) <= NAME_MAX_LENGTH:
        return []
    return [f"{option} is required: 1 to {NAME_MAX_LENGTH} characters"]


def action_errors(params: dict[str, Any]) -> list[str]:
    errors = []
    for option in ACTION_OPTIONS:
        actions = params.get(option) or []
        if len(set(actions)) > MAX_ACTIONS:
            errors.append(f"{option}: at most {MAX_ACTIONS} actions, not {len(set(actions))}")
        not_arns = [action for action in actions if not isinstance(action, str) or not action.startswith(ARN_PREFIX)]
        if not_arns:
            errors.append(
                f"{option}: each action is an ARN (arn:aws:sns:..., arn:aws:autoscaling:...),"
                f" not {', '.join(map(repr, not_arns))}"
            )
    return errors


def single_metric_errors(params: dict[str, Any]) -> list[str]:
    errors = metric_name_errors(params.get("metric_name"), "metric_name")
    errors += namespace_errors(params.get("namespace"), "namespace")
    statistic, extended = params.get("statistic"), params.get("extended_statistic")
    if (statistic is None) == (extended is None):
        errors.append("metric_name needs exactly one of statistic and extended_statistic")
    elif statistic is not None and statistic not in STATISTICS:
        errors.append(f"statistic must be one of {', '.join(STATISTICS)}, not {statistic!r}")
    elif extended is not None:
        errors += extended_statistic_errors(extended)
    if params.get("period") is None:
        errors.append("period is required with metric_name")
    else:
        errors += period_errors(params["period"], "period")
    errors += dimension_errors(list((params.get("dimensions") or {}).items()), "dimensions")
    return errors


def query_errors(query: dict[str, Any], index: int) -> list[str]:
    where = f"metrics[{index}]"
    errors = []
    query_id = query.get("id")
    if not isinstance(query_id, str) or not QUERY_ID.match(query_id):
        errors.append(
            f"{where}.id must start with a lower-case letter and hold only letters, digits and _"
            f" (at most {NAME_MAX_LENGTH}), not {query_id!r}"
        )
    else:
        where = f"metrics[{index}] ({query_id})"
    expression, metric_stat = query.get("expression"), query.get("metric_stat")
    if (expression is None) == (metric_stat is None):
        errors.append(f"{where} needs exactly one of expression and metric_stat")
    if expression is not None and not 1 <= len(expression) <= EXPRESSION_MAX_LENGTH:
        errors.append(f"{where}.expression is 1 to {EXPRESSION_MAX_LENGTH} characters")
    if query.get("period") is not None:
        errors += period_errors(query["period"], f"{where}.period")
    if metric_stat is not None:
        metric = metric_stat.get("metric") or {}
        errors += metric_name_errors(metric.get("metric_name"), f"{where}.metric_stat.metric.metric_name")
        errors += namespace_errors(metric.get("namespace"), f"{where}.metric_stat.metric.namespace")
        dimensions = [(d.get("name"), d.get("value")) for d in metric.get("dimensions") or []]
        errors += dimension_errors(dimensions, f"{where}.metric_stat.metric.dimensions")
        if metric_stat.get("period") is None:
            errors.append(f"{where}.metric_stat.period is required")
        else:
            errors += period_errors(metric_stat["period"], f"{where}.metric_stat.period")
        errors += statistic_errors(metric_stat.get("stat"), f"{where}.metric_stat.stat")
    return errors


def metrics_errors(metrics: list[dict[str, Any]]) -> list[str]:
    if not metrics:
        return ["metrics needs at least one query"]
    errors = []
    for index, query in enumerate(metrics):
        errors += query_errors(query, index)
    ids = [query.get("id") for query in metrics]
    duplicates = sorted({str(i) for i in ids if ids.count(i) > 1})
    if duplicates:
        errors.append(f"metrics: each id once, not {', '.join(duplicates)} more than once")
    stats = sum(1 for query in metrics if query.get("metric_stat") is not None)
    if stats > MAX_METRIC_STATS:
        errors.append(f"metrics: at most {MAX_METRIC_STATS} queries with metric_stat in an alarm, not {stats}")
    expressions = sum(1 for query in metrics if query.get("expression") is not None)
    if expressions > MAX_EXPRESSIONS:
        errors.append(f"metrics: at most {MAX_EXPRESSIONS} queries with an expression in an alarm, not {expressions}")
    returning = [str(query.get("id")) for query in metrics if query.get("return_data") is not False]
    if len(returning) != 1:
        errors.append(
            "metrics: exactly one query must return data (return_data true, which AWS assumes when it is left out),"
            f" not {len(returning)}{': ' + ', '.join(returning) if returning else ''};"
            " set return_data: false on the others"
        )
    return errors


def evaluation_errors(params: dict[str, Any], periods: list[int]) -> list[str]:
    errors = []
    evaluation_periods = params.get("evaluation_periods")
    if evaluation_periods is None:
        return ["evaluation_periods is required with state=present"]
    if evaluation_periods < 1:
        return [f"evaluation_periods must be at least 1, not {evaluation_periods}"]
    datapoints = params.get("datapoints_to_alarm")
    if datapoints is not None and not 1 <= datapoints <= evaluation_periods:
        errors.append(f"datapoints_to_alarm must be 1 to evaluation_periods ({evaluation_periods}), not {datapoints}")
    for period in sorted({p for p in periods if isinstance(p, int) and p > 0}):
        limit = MAX_SHORT_PERIOD_EVALUATION_SECONDS if period < SHORT_PERIOD else MAX_EVALUATION_SECONDS
        if period * evaluation_periods > limit:
            span = "one day with periods under an hour" if limit < MAX_EVALUATION_SECONDS else "seven days"
            errors.append(
                f"evaluation_periods: {evaluation_periods} periods of {period} s is {period * evaluation_periods} s;"
                f" an alarm evaluates at most {limit} s ({span})"
            )
    return errors


def periods_of(params: dict[str, Any]) -> list[int]:
    if params.get("metrics"):
        found = []
        for query in params["metrics"]:
            found.append(query.get("period"))
            found.append((query.get("metric_stat") or {}).get("period"))
        return [p for p in found if p is not None]
    return [params["period"]] if params.get("period") is not None else []


def present_errors(params: dict[str, Any]) -> list[str]:
    """Every reason the arguments cannot make a metric alarm, in the order of the options."""
    errors = name_errors(params.get("name"))
    description = params.get("description")
    if description is not None and len(description) > DESCRIPTION_MAX_LENGTH:
        errors.append(f"description is at most {DESCRIPTION_MAX_LENGTH} characters, not {len(description)}")
    single = [option for option in SINGLE_METRIC_OPTIONS if params.get(option) is not None]
    if params.get("metrics") is not None:
        if single:
            errors.append(f"metrics cannot be combined with {', '.join(single)}: each query names its own metric")
        errors += metrics_errors(params["metrics"])
    elif params.get("metric_name") is None:
        errors.append("state=present needs metric_name (one metric) or metrics (metric math)")
    else:
        errors += single_metric_errors(params)
    if params.get("comparison") is None:
        errors.append("comparison is required with state=present")
    elif params["comparison"] not in COMPARISONS:
        errors.append(f"comparison must be one of {', '.join(COMPARISONS)}, not {params['comparison']!r}")
    if params.get("threshold") is None:
        errors.append("threshold is required with state=present")
    errors += evaluation_errors(params, periods_of(params))
    if params.get("evaluate_low_sample_count_percentile") is not None and params.get("extended_statistic") is None:
        errors.append(
            "evaluate_low_sample_count_percentile applies only to an alarm on a percentile: set extended_statistic"
        )
    errors += action_errors(params)
    errors += _common.tag_errors(params.get("tags"), lengths=True, max_tags=MAX_TAGS)
    return errors


def validate_name(name: Any) -> None:
    errors = name_errors(name)
    if errors:
        raise AlarmInputError.of(errors)


# --- the one form both sides are compared in ---------------------------------------------------------------


def _dimension_list(pairs: list[tuple[Any, Any]]) -> list[dict[str, str]]:
    return [{"name": str(name), "value": str(value)} for name, value in sorted(pairs, key=lambda p: str(p[0]))]


def normalize_query(query: dict[str, Any], returns_data: bool) -> dict[str, Any]:
    """A MetricDataQuery (in AWS's CamelCase) in the module's form: snake_case, dimensions sorted, every field
    present (None when not set, ``account_id`` only when set), ``return_data`` decided by the caller."""
    normal: dict[str, Any] = {
        "id": query.get("Id"),
        "expression": query.get("Expression"),
        "label": query.get("Label"),
        "return_data": returns_data,
        "period": query.get("Period"),
        "metric_stat": None,
    }
    stat = query.get("MetricStat")
    if stat:
        metric = stat.get("Metric") or {}
        normal["metric_stat"] = {
            "metric": {
                "namespace": metric.get("Namespace"),
                "metric_name": metric.get("MetricName"),
                "dimensions": _dimension_list([(d["Name"], d["Value"]) for d in metric.get("Dimensions") or []]),
            },
            "period": stat.get("Period"),
            "stat": stat.get("Stat"),
            "unit": stat.get("Unit"),
        }
    if query.get("AccountId"):
        normal["account_id"] = query["AccountId"]
    return normal


def returning_index(flags: list[bool | None]) -> int | None:
    """Which of an alarm's queries returns data, from their ReturnData: the one that says true, or else the one
    that says nothing (AWS's default is true); None when that does not single one out."""
    explicit = [i for i, flag in enumerate(flags) if flag is True]
    if len(explicit) == 1:
        return explicit[0]
    unset = [i for i, flag in enumerate(flags) if flag is None]
    if not explicit and len(unset) == 1:
        return unset[0]
    return None


def normalize_queries(queries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """An alarm's MetricDataQuery list in the module's form, ordered by id (ids are what expressions refer to;
    the order means nothing to AWS)."""
    flags = [query.get("ReturnData") for query in queries]
    chosen = returning_index(flags)
    normal = []
    for index, query in enumerate(queries):
        # not singled out (an alarm AWS would not store): each keeps AWS's reading of its own flag
        returns = index == chosen if chosen is not None else flags[index] is not False
        normal.append(normalize_query(query, returns))
    return sorted(normal, key=lambda q: str(q["id"]))


def _actions(actions: list[str] | None) -> list[str]:
    return sorted(set(actions or []))


def normalize_alarm(description: dict[str, Any]) -> dict[str, Any]:
    """DescribeAlarms' MetricAlarm as the configuration the module compares: CONFIG_FIELDS, AWS's defaults filled in."""
    evaluation_periods = description.get("EvaluationPeriods")
    extended = description.get("ExtendedStatistic") or None
    metrics = normalize_queries(description.get("Metrics") or [])
    threshold = description.get("Threshold")
    return {
        "alarm_description": description.get("AlarmDescription") or None,
        "actions_enabled": description.get("ActionsEnabled", True) is not False,
        "alarm_actions": _actions(description.get("AlarmActions")),
        "ok_actions": _actions(description.get("OKActions")),
        "insufficient_data_actions": _actions(description.get("InsufficientDataActions")),
        "metric_name": description.get("MetricName") or None,
        "namespace": description.get("Namespace") or None,
        "statistic": description.get("Statistic") or None,
        "extended_statistic": extended,
        "dimensions": {d["Name"]: d["Value"] for d in description.get("Dimensions") or []},
        "period": description.get("Period"),
        "unit": description.get("Unit") or None,
        "metrics": metrics,
        "comparison_operator": description.get("ComparisonOperator"),
        "threshold": None if threshold is None else float(threshold),
        "evaluation_periods": evaluation_periods,
        "datapoints_to_alarm": description.get("DatapointsToAlarm") or evaluation_periods,
        "treat_missing_data": description.get("TreatMissingData") or DEFAULT_TREAT_MISSING_DATA,
        "evaluate_low_sample_count_percentile": description.get("EvaluateLowSampleCountPercentile")
        or (DEFAULT_LOW_SAMPLE_COUNT if extended else None),
        # set only on anomaly detection alarms, which this module does not make: a difference when present
        "threshold_metric_id": description.get("ThresholdMetricId") or None,
    }


def wanted_query(query: dict[str, Any]) -> dict[str, Any]:
    """A task's query in MetricDataQuery's CamelCase (what normalize_query reads), ReturnData as given."""
    request: dict[str, Any] = {"Id": query["id"], "ReturnData": query.get("return_data")}
    for option, key in (("expression", "Expression"), ("label", "Label"), ("period", "Period")):
        if query.get(option) is not None:
            request[key] = query[option]
    stat = query.get("metric_stat")
    if stat is not None:
        metric = stat.get("metric") or {}
        request["MetricStat"] = {
            "Metric": {
                "Namespace": metric.get("namespace"),
                "MetricName": metric.get("metric_name"),
                "Dimensions": [{"Name": d["name"], "Value": str(d["value"])} for d in metric.get("dimensions") or []],
            },
            "Period": stat.get("period"),
            "Stat": stat.get("stat"),
        }
        if stat.get("unit") is not None:
            request["MetricStat"]["Unit"] = stat["unit"]
    return request


def wanted_alarm(params: dict[str, Any]) -> dict[str, Any]:
    """The alarm the task asks for: ``config`` in normalize_alarm's form, and the name, tags and purge_tags.
    Raises AlarmInputError naming every bad option before anything is called."""
    errors = present_errors(params)
    if errors:
        raise AlarmInputError.of(errors)
    return valid_wanted_alarm(params)


def valid_wanted_alarm(params: dict[str, Any]) -> dict[str, Any]:
    """wanted_alarm of arguments present_errors found nothing wrong with."""
    metrics = params.get("metrics")
    extended = params.get("extended_statistic")
    evaluation_periods = params["evaluation_periods"]
    config = {
        "alarm_description": params.get("description") or None,
        "actions_enabled": params.get("actions_enabled", True) is not False,
        "alarm_actions": _actions(params.get("alarm_actions")),
        "ok_actions": _actions(params.get("ok_actions")),
        "insufficient_data_actions": _actions(params.get("insufficient_data_actions")),
        "metric_name": params.get("metric_name"),
        "namespace": params.get("namespace"),
        "statistic": params.get("statistic"),
        "extended_statistic": extended,
        "dimensions": {str(k): str(v) for k, v in (params.get("dimensions") or {}).items()},
        "period": params.get("period"),
        "unit": params.get("unit"),
        "metrics": normalize_queries([wanted_query(query) for query in metrics]) if metrics else [],
        "comparison_operator": params["comparison"],
        "threshold": float(params["threshold"]),
        "evaluation_periods": evaluation_periods,
        "datapoints_to_alarm": params.get("datapoints_to_alarm") or evaluation_periods,
        "treat_missing_data": params.get("treat_missing_data") or DEFAULT_TREAT_MISSING_DATA,
        "evaluate_low_sample_count_percentile": params.get("evaluate_low_sample_count_percentile")
        or (DEFAULT_LOW_SAMPLE_COUNT if extended else None),
        "threshold_metric_id": None,
    }
    return {
        "name": params["name"],
        "config": config,
        "tags": wanted_tags(params.get("tags")),
        "purge_tags": bool(params.get("purge_tags", True)),
    }


def differences(current: dict[str, Any], wanted: dict[str, Any]) -> list[str]:
    """The CONFIG_FIELDS in which two normalised configurations differ."""
    return [field for field in CONFIG_FIELDS if current.get(field) != wanted.get(field)]


# --- a set of alarms under one name prefix (metric_alarms) -----------------------------------------------------


def carries_identity(tags: dict[str, str] | None, identity_tags: dict[str, str]) -> bool:
    """Whether an alarm's tags hold every identity tag with its value; no identity tags identify nothing."""
    return bool(identity_tags) and all((tags or {}).get(key) == value for key, value in identity_tags.items())


def _identity_conflicts(tags: dict[str, Any] | None, identity_tags: dict[str, str], option: str) -> list[str]:
    given = wanted_tags(tags) or {}
    conflicts = sorted(key for key, value in identity_tags.items() if key in given and given[key] != value)
    return [
        f"{option} {key}: {given[key]!r}, but the identity tag (identity_tags) is {identity_tags[key]!r}"
        for key in conflicts
    ]


def alarm_params(alarm: dict[str, Any], common: dict[str, Any]) -> dict[str, Any]:
    """One alarm of metric_alarms as metric_alarm's arguments: the set's action lists where the alarm leaves its own
    out; its tags merged over the set's, and the identity tags on top; ``purge_tags`` only when tags are given (the
    identity tags alone are added, leaving the alarm's other tags alone)."""
    params = dict(alarm)
    for option in ACTION_OPTIONS:
        if params.get(option) is None:
            params[option] = list(common.get(option) or [])
    given = [wanted_tags(tags) for tags in (common.get("tags"), alarm.get("tags")) if tags is not None]
    identity = wanted_tags(common.get("identity_tags")) or {}
    tags: dict[str, str] | None = None
    if given or identity:
        tags = {}
        for layer in given + [identity]:
            tags.update(layer or {})
    params["tags"] = tags
    params["purge_tags"] = bool(given) and common.get("purge_tags", True) is not False
    return params


def set_errors(params: dict[str, Any]) -> list[str]:
    """Every reason metric_alarms' arguments cannot be carried out: the set's options first, then each alarm's,
    named ``alarms[<index>] (<name>): <option> ...``. An error of the set's own ``tags`` or actions is reported once,
    not again under each alarm that takes them."""
    present = params.get("state", "present") == "present"
    errors = []
    prefix = params.get("name_prefix")
    if not isinstance(prefix, str) or name_errors(prefix):
        errors.append(
            f"name_prefix must be 1 to {NAME_MAX_LENGTH} characters without ASCII control characters, not {prefix!r}"
        )
        prefix = None
    identity = params.get("identity_tags") or {}
    errors += _common.tag_errors(identity, "identity_tags", lengths=True, max_tags=MAX_TAGS)
    if params.get("purge") and not identity:
        errors.append(
            "purge needs identity_tags: an alarm under name_prefix is deleted only when it carries all of them"
        )
    identity = wanted_tags(identity) or {}
    common = action_errors(params) + _common.tag_errors(params.get("tags"), lengths=True, max_tags=MAX_TAGS)
    errors += common + _identity_conflicts(params.get("tags"), identity, "tags")
    alarms = params.get("alarms") or []
    names = [alarm.get("name") for alarm in alarms]
    duplicates = sorted({str(name) for name in names if names.count(name) > 1})
    if duplicates:
        errors.append(f"alarms: each name once, not {', '.join(duplicates)} more than once")
    for index, alarm in enumerate(alarms):
        name = alarm.get("name")
        own = []
        if prefix is not None and isinstance(name, str) and not name.startswith(prefix):
            own.append(f"name must start with name_prefix {prefix!r}")
        if present:
            merged = alarm_params(alarm, dict(params, identity_tags=None))  # the identity tags are checked above
            own += [error for error in present_errors(merged) if error not in common]
            own += _identity_conflicts(alarm.get("tags"), identity, "tags")
            total = len(set(merged.get("tags") or {}) | set(identity))
            if len(merged.get("tags") or {}) <= MAX_TAGS < total:
                own.append(f"tags: at most {MAX_TAGS} tags with identity_tags and the set's tags, not {total}")
        else:
            own += name_errors(name)
        errors += [f"alarms[{index}] ({name}): {error}" for error in own]
    return errors


def wanted_alarm_set(params: dict[str, Any]) -> dict[str, Any]:
    """The set metric_alarms asks for: ``prefix``, ``names`` (the task's alarms), ``alarms`` (each as wanted_alarm
    returns it; with state=present only), ``purge`` and ``identity_tags``. Raises AlarmInputError naming every bad
    option, and the alarm it belongs to, before anything is called."""
    errors = set_errors(params)
    if errors:
        raise AlarmInputError.of(errors)
    alarms = params.get("alarms") or []
    present = params.get("state", "present") == "present"
    return {
        "prefix": params["name_prefix"],
        "names": [alarm["name"] for alarm in alarms],
        "alarms": [valid_wanted_alarm(alarm_params(alarm, params)) for alarm in alarms] if present else [],
        "purge": bool(params.get("purge")),
        "identity_tags": wanted_tags(params.get("identity_tags")) or {},
    }


# --- requests and results ------------------------------------------------------------------------------------


def _query_request(query: dict[str, Any]) -> dict[str, Any]:
    request: dict[str, Any] = {"Id": query["id"], "ReturnData": query["return_data"]}
    for field, key in (("expression", "Expression"), ("label", "Label"), ("period", "Period")):
        if query.get(field) is not None:
            request[key] = query[field]
    stat = query.get("metric_stat")
    if stat is not None:
        metric = {"MetricName": stat["metric"]["metric_name"], "Namespace": stat["metric"]["namespace"]}
        if stat["metric"]["dimensions"]:
            metric["Dimensions"] = [{"Name": d["name"], "Value": d["value"]} for d in stat["metric"]["dimensions"]]
        request["MetricStat"] = {"Metric": metric, "Period": stat["period"], "Stat": stat["stat"]}
        if stat.get("unit") is not None:
            request["MetricStat"]["Unit"] = stat["unit"]
    return request


def put_request(name: str, config: dict[str, Any], tags: dict[str, str] | None = None) -> dict[str, Any]:
    """PutMetricAlarm's arguments for the whole alarm; every default sent explicitly, so what AWS stores is what
    the module compares. ``tags`` only on a create (AWS ignores them on an update)."""
    request: dict[str, Any] = {
        "AlarmName": name,
        "ActionsEnabled": config["actions_enabled"],
        "AlarmActions": list(config["alarm_actions"]),
        "OKActions": list(config["ok_actions"]),
        "InsufficientDataActions": list(config["insufficient_data_actions"]),
        "ComparisonOperator": config["comparison_operator"],
        "Threshold": config["threshold"],
        "EvaluationPeriods": config["evaluation_periods"],
        "DatapointsToAlarm": config["datapoints_to_alarm"],
        "TreatMissingData": config["treat_missing_data"],
    }
    if config["alarm_description"] is not None:
        request["AlarmDescription"] = config["alarm_description"]
    if config["evaluate_low_sample_count_percentile"] is not None:
        request["EvaluateLowSampleCountPercentile"] = config["evaluate_low_sample_count_percentile"]
    if config["metrics"]:
        request["Metrics"] = [_query_request(query) for query in config["metrics"]]
    else:
        request.update(MetricName=config["metric_name"], Namespace=config["namespace"], Period=config["period"])
        if config["statistic"] is not None:
            request["Statistic"] = config["statistic"]
        else:
            request["ExtendedStatistic"] = config["extended_statistic"]
        if config["dimensions"]:
            request["Dimensions"] = [{"Name": k, "Value": v} for k, v in sorted(config["dimensions"].items())]
        if config["unit"] is not None:
            request["Unit"] = config["unit"]
    if tags:
        request["Tags"] = ansible_dict_to_boto3_tag_list(tags)
    return request


def result_of(
    name: str, config: dict[str, Any], tags: dict[str, str], arn: str | None, state: str | None, reason: str | None
) -> dict[str, Any]:
    """The module's ``alarm``: the configuration, its name, ARN and state, and its tags."""
    return dict(
        {"alarm_name": name, "alarm_arn": arn, "state_value": state, "state_reason": reason},
        **deepcopy(config),
        tags=dict(tags),
    )


def described_result(description: dict[str, Any], tags: dict[str, str]) -> dict[str, Any]:
    return result_of(
        description["AlarmName"],
        normalize_alarm(description),
        tags,
        description.get("AlarmArn"),
        description.get("StateValue"),
        description.get("StateReason"),
    )


def diff_view(name: str, config: dict[str, Any], tags: dict[str, str] | None) -> dict[str, Any]:
    """A whole alarm as the diff of a create or a delete shows it."""
    view = dict({"alarm_name": name}, **deepcopy(config))
    if tags is not None:
        view["tags"] = dict(tags)
    return view


# --- deleting ------------------------------------------------------------------------------------------------


def alarms_named(cloudwatch, names: list[str]) -> dict[str, dict[str, Any]]:
    """The metric alarms of ``names`` that exist (DescribeAlarms' MetricAlarm by name), up to 100 names a call."""
    found: dict[str, dict[str, Any]] = {}
    for batch in _common.batches(list(names), MAX_NAMES):
        for alarm in paginate(
            cloudwatch.describe_alarms,
            f"describe alarms {', '.join(batch)}",
            "MetricAlarms",
            AlarmNames=batch,
            AlarmTypes=["MetricAlarm"],
            MaxRecords=MAX_NAMES,
        ):
            if alarm.get("AlarmName") in batch:
                found[alarm["AlarmName"]] = alarm
    return found


def delete_alarms(cloudwatch, names: list[str]) -> None:
    """DeleteAlarms of ``names``, 100 a call. AWS deletes none of a call's alarms when one of them is gone
    (ResourceNotFound): those still there are deleted again; a single alarm that is gone is absent all the same."""
    for batch in _common.batches(list(names), MAX_NAMES):
        remaining = list(batch)
        for _attempt in range(DELETE_ATTEMPTS):
            what = f"delete alarm {remaining[0]}" if len(remaining) == 1 else f"delete alarms {', '.join(remaining)}"
            deleted = call(cloudwatch.delete_alarms, what, answers={_NOT_FOUND: False}, AlarmNames=remaining)
            if deleted is not False or len(remaining) == 1:
                break
            still_there = alarms_named(cloudwatch, remaining)
            remaining = [name for name in remaining if name in still_there]
            if not remaining:
                break
        else:
            raise AWSActionError(
                f"Failed to delete alarms {', '.join(remaining)}: DeleteAlarms answered {_NOT_FOUND}"
                f" {DELETE_ATTEMPTS} times while DescribeAlarms still listed them"
            )


# --- manager -------------------------------------------------------------------------------------------------


class MetricAlarmManager(BaseResourceManager):
    """Creates, replaces, re-tags and deletes one metric alarm; ``alarm`` holds the result ({} when absent), ``put``
    whether PutMetricAlarm is sent (or would be, in check mode). ``cloudwatch``: a client to share (metric_alarms)."""

    def __init__(self, module, cloudwatch=None) -> None:
        super().__init__(module)
        self.cloudwatch = cloudwatch or self.client(
            "cloudwatch", AWSRetry.jittered_backoff(catch_extra_error_codes=RETRIED_CODES)
        )
        self.alarm: dict[str, Any] = {}
        self.put = False

    # --- reading ---

    def find(self, name: str) -> tuple[dict[str, Any] | None, bool]:
        """The metric alarm of the name (DescribeAlarms' MetricAlarm) or None, and whether a composite alarm has
        the name instead."""
        response = call(
            self.cloudwatch.describe_alarms,
            f"describe alarm {name}",
            AlarmNames=[name],
            AlarmTypes=["MetricAlarm", "CompositeAlarm"],
        )
        metric = [a for a in response.get("MetricAlarms") or [] if a.get("AlarmName") == name]
        composite = any(a.get("AlarmName") == name for a in response.get("CompositeAlarms") or [])
        return (metric[0] if metric else None), composite

    def tags(self, arn: str) -> dict[str, str]:
        """The alarm's tags; none when it is gone since it was described."""
        response = call(
            self.cloudwatch.list_tags_for_resource,
            f"list the tags of alarm {arn}",
            answers={_TAGS_NOT_FOUND: {}},
            ResourceARN=arn,
        )
        return boto3_tag_list_to_ansible_dict(response.get("Tags") or [])

    # --- present ---

    def ensure_present(self, wanted: dict[str, Any]) -> None:
        name = wanted["name"]
        description, composite = self.find(name)
        if composite and description is None:
            raise AWSActionError(
                f"name: {name} is a composite alarm; this module manages metric alarms (choose another name)"
            )
        self.converge(wanted, description)
        if self.put and not self.check_mode:
            stored, _composite = self.find(name)
            if stored is not None:  # else not readable yet: report what was put
                self.alarm = described_result(stored, self.alarm["tags"])

    def converge(self, wanted: dict[str, Any], description: dict[str, Any] | None) -> None:
        """Bring the alarm ``description`` (DescribeAlarms' MetricAlarm, None when there is none of the name) to
        ``wanted``: a create, or one PutMetricAlarm when its configuration differs, and its tags in place. Reading
        back what was put (``put``) is the caller's."""
        if description is None:
            self._create(wanted)
            return
        name, config = wanted["name"], wanted["config"]
        arn = description["AlarmArn"]
        current = normalize_alarm(description)
        current_tags = self.tags(arn)
        self.alarm = described_result(description, current_tags)
        changed_fields = differences(current, config)
        for field in changed_fields:
            self.differences.add(field, current[field], config[field])
        if changed_fields:
            self.changed = self.put = True
            self.alarm.update(deepcopy(config))
            if not self.check_mode:
                # PutMetricAlarm replaces the whole alarm; its Tags would be ignored on an update
                call(self.cloudwatch.put_metric_alarm, f"update alarm {name}", **put_request(name, config))
        self._update_tags(arn, current_tags, wanted)

    def _create(self, wanted: dict[str, Any]) -> None:
        name, config = wanted["name"], wanted["config"]
        tags = dict(wanted["tags"] or {})
        self.changed = self.put = True
        self.set_diff(before={}, after=diff_view(name, config, tags))
        # AWS starts a new alarm in INSUFFICIENT_DATA; its ARN is known once it exists
        self.alarm = result_of(name, config, tags, None, NEW_ALARM_STATE, None)
        if not self.check_mode:
            call(self.cloudwatch.put_metric_alarm, f"create alarm {name}", **put_request(name, config, tags))

    def _update_tags(self, arn: str, current: dict[str, str], wanted: dict[str, Any]) -> None:
        def apply(to_set: dict[str, str], to_unset: list[str]) -> None:
            what = f"update the tags of alarm {arn}"
            if to_unset:
                call(self.cloudwatch.untag_resource, what, ResourceARN=arn, TagKeys=to_unset)
            if to_set:
                call(self.cloudwatch.tag_resource, what, ResourceARN=arn, Tags=ansible_dict_to_boto3_tag_list(to_set))

        after = self.update_tags(current, wanted["tags"], wanted["purge_tags"], apply)
        if after is not None:
            self.alarm["tags"] = after

    # --- absent ---

    def ensure_absent(self, name: str) -> None:
        description, _composite = self.find(name)  # a composite alarm of the name is not this module's to delete
        if description is None:
            return
        self.changed = True
        self.set_diff(
            before=diff_view(name, normalize_alarm(description), self.tags(description["AlarmArn"])), after={}
        )
        if not self.check_mode:
            delete_alarms(self.cloudwatch, [name])


class MetricAlarmsManager(BaseResourceManager):
    """The metric alarms under one name prefix, each compared, put and re-tagged by a MetricAlarmManager on one
    shared client, all read with one DescribeAlarms. ``alarms`` holds the results of the task's alarms in its order,
    ``created``, ``updated`` and ``deleted`` their names; the diff maps each alarm that changes to its before and
    after (a created alarm only after, a deleted one only before, an updated one the fields that differ)."""

    def __init__(self, module) -> None:
        super().__init__(module)
        self.cloudwatch = self.client("cloudwatch", AWSRetry.jittered_backoff(catch_extra_error_codes=RETRIED_CODES))
        self.alarms: list[dict[str, Any]] = []
        self.created: list[str] = []
        self.updated: list[str] = []
        self.deleted: list[str] = []
        self._before: dict[str, Any] = {}
        self._after: dict[str, Any] = {}

    def _one(self) -> MetricAlarmManager:
        return MetricAlarmManager(self.module, cloudwatch=self.cloudwatch)

    def find_all(self, prefix: str) -> dict[str, dict[str, Any]]:
        """Every metric alarm whose name starts with ``prefix``, by name: one DescribeAlarms, paged."""
        found = paginate(
            self.cloudwatch.describe_alarms,
            f"describe the alarms named {prefix}...",
            "MetricAlarms",
            AlarmNamePrefix=prefix,
            AlarmTypes=["MetricAlarm"],
            MaxRecords=MAX_NAMES,
        )
        return {a["AlarmName"]: a for a in found if str(a.get("AlarmName", "")).startswith(prefix)}

    # --- present ---

    def ensure_present(self, wanted: dict[str, Any]) -> None:
        existing = self.find_all(wanted["prefix"])
        put = []
        for alarm in wanted["alarms"]:
            name = alarm["name"]
            one = self._one()
            one.converge(alarm, existing.get(name))
            self.alarms.append(one.alarm)
            if one.put:
                put.append(name)
            if not one.changed:
                continue
            self.changed = True
            diff = one.diff()
            if name in existing:
                self.updated.append(name)
                self._before[name], self._after[name] = diff["before"], diff["after"]
            else:
                self.created.append(name)
                self._after[name] = diff["after"]
        if wanted["purge"]:
            self._delete(self._purgeable(existing, wanted["names"], wanted["identity_tags"]))
        if put and not self.check_mode:
            self._read_back(put)

    def _read_back(self, names: list[str]) -> None:
        """The alarms that were put as AWS stores them now (ARN, state); an alarm not readable yet keeps what was
        put."""
        stored = alarms_named(self.cloudwatch, names)
        for index, result in enumerate(self.alarms):
            description = stored.get(result["alarm_name"])
            if description is not None:
                self.alarms[index] = described_result(description, result["tags"])

    # --- absent ---

    def ensure_absent(self, wanted: dict[str, Any]) -> None:
        existing = self.find_all(wanted["prefix"])
        doomed = {}
        for name in wanted["names"]:
            description = existing.get(name)
            if description is not None:
                # tags only for the diff, which shows them
                tags = self._one().tags(description["AlarmArn"]) if getattr(self.module, "_diff", True) else None
                doomed[name] = (description, tags)
        if wanted["purge"]:
            doomed.update(self._purgeable(existing, wanted["names"], wanted["identity_tags"]))
        self._delete(doomed)

    # --- deleting ---

    def _purgeable(
        self, existing: dict[str, dict[str, Any]], listed: list[str], identity_tags: dict[str, str]
    ) -> dict[str, tuple[dict[str, Any], dict[str, str] | None]]:
        """The alarms under the prefix that the task does not list and that carry every identity tag, with their
        tags; never one without them (the prefix alone may be another stack's)."""
        reader = self._one()
        found = {}
        for name in sorted(set(existing) - set(listed)):
            description = existing[name]
            tags = reader.tags(description["AlarmArn"])
            if carries_identity(tags, identity_tags):
                found[name] = (description, tags)
        return found

    def _delete(self, doomed: dict[str, tuple[dict[str, Any], dict[str, str] | None]]) -> None:
        if not doomed:
            return
        self.changed = True
        for name in sorted(doomed):
            description, tags = doomed[name]
            self._before[name] = diff_view(name, normalize_alarm(description), tags)
            self.deleted.append(name)
        if not self.check_mode:
            delete_alarms(self.cloudwatch, self.deleted)

    def diff(self) -> dict[str, Any]:
        return {"before": deepcopy(self._before), "after": deepcopy(self._after)}
