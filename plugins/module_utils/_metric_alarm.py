# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Manager behind cloudops.fargate.metric_alarm, and its pure helpers.

One CloudWatch metric alarm, by name, on a single metric or on metric math (``metrics``). What AWS does, and how
the module answers it (botocore's cloudwatch service model and its documentation of PutMetricAlarm, MetricDataQuery,
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

_NOT_FOUND = "ResourceNotFound"
_TAGS_NOT_FOUND = "ResourceNotFoundException"
# Tagging answers these when two requests change the same alarm at once: another try.
RETRIED_CODES = ["ConcurrentModificationException", "ConflictException"]


class AlarmInputError(InputError):
    """The module's arguments cannot describe a metric alarm; the message names every bad option."""


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


# --- manager -------------------------------------------------------------------------------------------------


class MetricAlarmManager(BaseResourceManager):
    """Creates, replaces, re-tags and deletes one metric alarm; ``alarm`` holds the result ({} when absent)."""

    def __init__(self, module) -> None:
        super().__init__(module)
        self.cloudwatch = self.client("cloudwatch", AWSRetry.jittered_backoff(catch_extra_error_codes=RETRIED_CODES))
        self.alarm: dict[str, Any] = {}

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
        name, config = wanted["name"], wanted["config"]
        description, composite = self.find(name)
        if composite and description is None:
            raise AWSActionError(
                f"name: {name} is a composite alarm; this module manages metric alarms (choose another name)"
            )
        if description is None:
            self._create(wanted)
            return
        arn = description["AlarmArn"]
        current = normalize_alarm(description)
        current_tags = self.tags(arn)
        self.alarm = described_result(description, current_tags)
        changed_fields = differences(current, config)
        for field in changed_fields:
            self.differences.add(field, current[field], config[field])
        if changed_fields:
            self.changed = True
            self.alarm.update(deepcopy(config))
            if not self.check_mode:
                # PutMetricAlarm replaces the whole alarm; its Tags would be ignored on an update
                call(self.cloudwatch.put_metric_alarm, f"update alarm {name}", **put_request(name, config))
        self._update_tags(arn, current_tags, wanted)
        if changed_fields and not self.check_mode:
            stored, _composite = self.find(name)
            if stored is not None:
                self.alarm = described_result(stored, self.alarm["tags"])

    def _create(self, wanted: dict[str, Any]) -> None:
        name, config = wanted["name"], wanted["config"]
        tags = dict(wanted["tags"] or {})
        self.changed = True
        self.set_diff(before={}, after=diff_view(name, config, tags))
        # AWS starts a new alarm in INSUFFICIENT_DATA; its ARN is known once it exists
        self.alarm = result_of(name, config, tags, None, NEW_ALARM_STATE, None)
        if self.check_mode:
            return
        call(self.cloudwatch.put_metric_alarm, f"create alarm {name}", **put_request(name, config, tags))
        stored, _composite = self.find(name)
        if stored is not None:  # else not readable yet: report what was put
            self.alarm = described_result(stored, tags)

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
        if self.check_mode:
            return
        call(
            self.cloudwatch.delete_alarms,
            f"delete alarm {name}",
            answers={_NOT_FOUND: False},  # gone since the lookup: absent all the same
            AlarmNames=[name],
        )
