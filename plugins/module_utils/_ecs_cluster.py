# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Manager behind cloudops.fargate.ecs_cluster and cloudops.fargate.ecs_cluster_info, and their pure helpers.

The helpers validate what the caller asked for (every error at once, before the first AWS call) and bring both
sides of every comparison into one shape: DescribeClusters in snake_case, capacity providers and the default
capacity provider strategy sorted (AWS treats them as sets) with the strategy's documented defaults (weight 0,
base 0) filled in, and the execute command configuration with its documented defaults (logging DEFAULT,
encryption off) filled in, so that a cluster without a configuration equals one with ``logging: DEFAULT``.

What changes in place: the containerInsights setting and the execute command configuration (UpdateCluster), the
capacity providers and the default strategy (PutClusterCapacityProviders, which always takes both) and the tags
(TagResource / UntagResource). Nothing about a cluster is immutable except its name.

CreateCluster takes no client token: a cluster is identified by its name, the module looks it up before every
create, and an interrupted create is completed by the next run (it finds the cluster and updates what is missing).
On a fresh account the first CreateCluster makes ECS create its service-linked role and is refused
(``InvalidParameterException`` "Unable to assume the service linked role") until the role is usable; that refusal,
and only that one, is retried up to wait_timeout. The retry is safe: AWS refused before creating anything, and a
CreateCluster of a name that exists answers with that cluster.
A DeleteCluster leaves the cluster INACTIVE for a while; INACTIVE counts as absent, and creating it again makes a
new ACTIVE cluster under the same name. AWS refuses to delete a cluster that still holds services, ACTIVE or
DRAINING (deleted, their tasks still stopping), and then, once they are INACTIVE, while their tasks have not yet
stopped (``ClusterContainsTasksException``); the module looks the services up first, names ACTIVE ones and tasks
that are not stopping (their desired status is RUNNING), and waits (up to wait_timeout) for DRAINING services to
become INACTIVE and stopping tasks to stop. That wait is a botocore waiter on DeleteCluster itself
(``DELETE_WAITER``): ListServices may leave DRAINING services out, so AWS's refusal is the only sure sign of them.

Reading (ecs_cluster_info): DescribeClusters of the names asked for, in the same shape, with each cluster's tasks that
have not stopped (``active_tasks``: ListTasks of each desired status, every page, then DescribeTasks, keeping those
whose lastStatus is not STOPPED), which is what ``ClusterContainsTasksException`` is about; a role polls them with
cloudops.fargate.wait_until before it deletes the cluster, so that the wait prints progress. An INACTIVE cluster is
returned with its status and no tasks (AWS deleted it once none was active); one AWS reports MISSING is left out.
"""

from __future__ import annotations

import re
from copy import deepcopy
from typing import Any

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.cloudops.fargate.plugins.module_utils._common import AWSActionError
from ansible_collections.cloudops.fargate.plugins.module_utils._common import BaseResourceManager
from ansible_collections.cloudops.fargate.plugins.module_utils._common import InputError
from ansible_collections.cloudops.fargate.plugins.module_utils._common import batches
from ansible_collections.cloudops.fargate.plugins.module_utils._common import call
from ansible_collections.cloudops.fargate.plugins.module_utils._common import call_through
from ansible_collections.cloudops.fargate.plugins.module_utils._common import error_code
from ansible_collections.cloudops.fargate.plugins.module_utils._common import paginate
from ansible_collections.cloudops.fargate.plugins.module_utils._common import tag_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._common import wait
from ansible_collections.cloudops.fargate.plugins.module_utils._common import wanted_tags
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service import SERVICE_LINKED_ROLE_PENDING
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service import describe_services

# --- choices and defaults -------------------------------------------------------------------------------

CONTAINER_INSIGHTS = ("enabled", "enhanced", "disabled")
# Security Hub ECS.12: clusters should use Container Insights.
DEFAULT_CONTAINER_INSIGHTS = "enabled"
CAPACITY_PROVIDERS = ("FARGATE", "FARGATE_SPOT")
LOGGING = ("DEFAULT", "NONE", "OVERRIDE")
DEFAULT_LOGGING = "DEFAULT"
STRATEGY_DEFAULTS = {"weight": 0, "base": 0}
LOG_CONFIGURATION_DEFAULTS: dict[str, Any] = {
    "cloud_watch_encryption_enabled": False,
    "s3_encryption_enabled": False,
}
LOG_CONFIGURATION_FIELDS = (
    "cloud_watch_log_group_name",
    "cloud_watch_encryption_enabled",
    "s3_bucket_name",
    "s3_encryption_enabled",
    "s3_key_prefix",
)
CONTAINER_INSIGHTS_SETTING = "containerInsights"
# What DescribeClusters leaves out unless asked for.
DESCRIBE_INCLUDE = ["SETTINGS", "CONFIGURATIONS", "TAGS"]
# Service states in which AWS refuses to delete the cluster.
BLOCKING_SERVICE_STATES = ("ACTIVE", "DRAINING")

# --- limits ------------------------------------------------------------------------------------------------

NAME_MAX_LENGTH = 255
_NAME_RE = re.compile(r"^[A-Za-z0-9_-]+$")
WEIGHT_RANGE = (0, 1000)
BASE_RANGE = (0, 100000)
DEFAULT_WAIT_TIMEOUT = 600
# Seconds between two DeleteCluster attempts while deleted services drain and their tasks stop.
DRAIN_POLL_DELAY = 5
# ListTasks and DescribeTasks take at most 100 tasks a call: enough to name what keeps a cluster from being deleted.
TASKS_LISTED = 100
# DescribeClusters takes at most 100 clusters a call.
DESCRIBE_CLUSTERS_BATCH = 100
# ListTasks lists the tasks of one desired status at a time, RUNNING when none is given.
DESIRED_STATUSES = ("RUNNING", "STOPPED")
# Tasks named in a message at most.
TASKS_NAMED = 10

# Deleted: DeleteCluster succeeds or no longer finds the cluster. Retried while AWS refuses because of services (by
# then only DRAINING ones: ACTIVE ones fail before the wait) or tasks (by then only stopping ones: tasks meant to run
# fail before the wait), as terraform-provider-aws internal/service/ecs cluster.go retries both (10 minutes); any
# other refusal ends it. The delay and attempts are placeholders: wait() sets them from wait_timeout.
DELETE_WAITER: dict[str, Any] = {
    "version": 2,
    "waiters": {
        "ClusterDeleted": {
            "operation": "DeleteCluster",
            "delay": DRAIN_POLL_DELAY,
            "maxAttempts": 1,
            "acceptors": [
                {"matcher": "status", "expected": 200, "state": "success"},
                {"matcher": "error", "expected": "ClusterNotFoundException", "state": "success"},
                {"matcher": "error", "expected": "ClusterContainsServicesException", "state": "retry"},
                {"matcher": "error", "expected": "ClusterContainsTasksException", "state": "retry"},
            ],
        }
    },
}


class ClusterInputError(InputError):
    """The caller's arguments cannot describe a valid cluster; the message names the option."""


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# --- names -------------------------------------------------------------------------------------------------


def cluster_name_of(value: str) -> str:
    """The short name of a cluster given by name or ARN (``arn:aws:ecs:...:cluster/<name>``)."""
    if value.startswith("arn:") and ":cluster/" in value:
        return value.rsplit("/", 1)[-1]
    return value


def name_errors(name: Any, option: str = "name") -> list[str]:
    if not isinstance(name, str) or not name:
        return [f"{option} must be a non-empty string"]
    errors = []
    if len(name) > NAME_MAX_LENGTH:
        errors.append(f"{option} must be at most {NAME_MAX_LENGTH} characters long, {name!r} has {len(name)}")
    if not _NAME_RE.match(name):
        errors.append(f"{option} {name!r} may contain only letters, digits, underscores and hyphens")
    return errors


def validate_names(names: list[str]) -> list[str]:
    """The clusters' names or ARNs, as given; raises ClusterInputError naming every one that cannot be a cluster's."""
    errors = [error for index, name in enumerate(names) for error in name_errors(cluster_name_of(name), f"names[{index}]")]
    if errors:
        raise ClusterInputError("; ".join(errors))
    return names


def validate_name(name: Any, option: str = "name") -> str:
    """The cluster's short name (an ARN is accepted); raises ClusterInputError when it is not valid."""
    short = cluster_name_of(name) if isinstance(name, str) else name
    errors = name_errors(short, option)
    if errors:
        raise ClusterInputError("; ".join(errors))
    return short


# --- capacity providers --------------------------------------------------------------------------------------


def normalize_capacity_providers(providers: list[str] | None) -> list[str]:
    return sorted(set(providers or []))


def normalize_strategy(strategy: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """A default capacity provider strategy in snake_case, defaults filled in, sorted by capacity provider."""
    items = []
    for item in strategy or []:
        provider = item.get("capacity_provider", item.get("capacityProvider"))
        weight = item.get("weight")
        base = item.get("base")
        items.append(
            {
                "capacity_provider": provider,
                "weight": STRATEGY_DEFAULTS["weight"] if weight is None else weight,
                "base": STRATEGY_DEFAULTS["base"] if base is None else base,
            }
        )
    return sorted(items, key=lambda item: item["capacity_provider"] or "")


def strategy_request(strategy: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"capacityProvider": item["capacity_provider"], "weight": item["weight"], "base": item["base"]}
        for item in strategy
    ]


def capacity_provider_errors(providers: list[str] | None) -> list[str]:
    if providers is None:
        return []
    duplicates = sorted({p for p in providers if providers.count(p) > 1})
    if duplicates:
        return [f"capacity_providers lists {', '.join(duplicates)} more than once"]
    return []


def strategy_errors(strategy: list[dict[str, Any]] | None) -> list[str]:
    """What is wrong with a default capacity provider strategy on its own (its providers are checked later)."""
    if strategy is None:
        return []
    errors = []
    names = [item["capacity_provider"] for item in strategy]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        errors.append(f"default_capacity_provider_strategy lists {', '.join(duplicates)} more than once")
    for item in strategy:
        where = f"default_capacity_provider_strategy[{item['capacity_provider']}]"
        low, high = WEIGHT_RANGE
        if not _is_int(item["weight"]) or not low <= item["weight"] <= high:
            errors.append(f"{where}.weight must be an integer from {low} to {high}, not {item['weight']!r}")
        low, high = BASE_RANGE
        if not _is_int(item["base"]) or not low <= item["base"] <= high:
            errors.append(f"{where}.base must be an integer from {low} to {high}, not {item['base']!r}")
    with_base = [item["capacity_provider"] for item in strategy if _is_int(item["base"]) and item["base"] > 0]
    if len(with_base) > 1:
        errors.append(
            "only one capacity provider of default_capacity_provider_strategy can have a base, not "
            + ", ".join(with_base)
        )
    weights_valid = all(_is_int(item["weight"]) for item in strategy)
    if strategy and weights_valid and not any(item["weight"] > 0 for item in strategy):
        errors.append("at least one capacity provider of default_capacity_provider_strategy needs a weight above 0")
    return errors


def strategy_provider_errors(strategy: list[dict[str, Any]], providers: list[str], where: str) -> list[str]:
    """A strategy may only name capacity providers the cluster has."""
    missing = [item["capacity_provider"] for item in strategy if item["capacity_provider"] not in providers]
    if not missing:
        return []
    have = ", ".join(providers) if providers else "none"
    return [
        (
            f"default_capacity_provider_strategy names {', '.join(missing)}, which"
            f" {'is' if len(missing) == 1 else 'are'} not among the cluster's capacity providers ({where}: {have});"
            f" add {'it' if len(missing) == 1 else 'them'} to capacity_providers"
        )
    ]


# --- execute command configuration ----------------------------------------------------------------------------


def normalize_execute_command(config: dict[str, Any] | None) -> dict[str, Any]:
    """An execute command configuration (from AWS in camelCase, or from the task in snake_case) with AWS's
    defaults filled in: no configuration at all is ``logging: DEFAULT``."""
    config = camel_dict_to_snake_dict(config or {})
    log_configuration = config.get("log_configuration")
    if log_configuration:
        log_configuration = {
            field: log_configuration.get(field, LOG_CONFIGURATION_DEFAULTS.get(field))
            for field in LOG_CONFIGURATION_FIELDS
        }
        for field, default in LOG_CONFIGURATION_DEFAULTS.items():
            if log_configuration[field] is None:
                log_configuration[field] = default
    return {
        "kms_key_id": config.get("kms_key_id") or None,
        "logging": config.get("logging") or DEFAULT_LOGGING,
        "log_configuration": log_configuration or None,
    }


def execute_command_request(config: dict[str, Any]) -> dict[str, Any]:
    request: dict[str, Any] = {"logging": config["logging"]}
    if config["kms_key_id"]:
        request["kmsKeyId"] = config["kms_key_id"]
    log_configuration = config["log_configuration"]
    if log_configuration:
        names = {
            "cloud_watch_log_group_name": "cloudWatchLogGroupName",
            "cloud_watch_encryption_enabled": "cloudWatchEncryptionEnabled",
            "s3_bucket_name": "s3BucketName",
            "s3_encryption_enabled": "s3EncryptionEnabled",
            "s3_key_prefix": "s3KeyPrefix",
        }
        # an encryption flag only means something next to its destination
        relevant = dict(log_configuration)
        if not relevant.get("cloud_watch_log_group_name"):
            relevant.pop("cloud_watch_encryption_enabled", None)
        if not relevant.get("s3_bucket_name"):
            relevant.pop("s3_encryption_enabled", None)
        request["logConfiguration"] = {names[field]: value for field, value in relevant.items() if value is not None}
    return request


def execute_command_errors(config: dict[str, Any] | None) -> list[str]:
    if config is None:
        return []
    errors = []
    where = "execute_command_configuration"
    log_configuration = config.get("log_configuration")
    if config["logging"] == "OVERRIDE":
        if not log_configuration or not (
            log_configuration.get("cloud_watch_log_group_name") or log_configuration.get("s3_bucket_name")
        ):
            errors.append(
                f"{where}.log_configuration with a cloud_watch_log_group_name or an s3_bucket_name is required"
                " with logging OVERRIDE"
            )
    elif log_configuration:
        errors.append(f"{where}.log_configuration is only valid with logging OVERRIDE, not {config['logging']}")
    if log_configuration:
        if log_configuration.get("cloud_watch_encryption_enabled") and not log_configuration.get(
            "cloud_watch_log_group_name"
        ):
            errors.append(f"{where}.log_configuration.cloud_watch_encryption_enabled needs cloud_watch_log_group_name")
        if not log_configuration.get("s3_bucket_name"):
            for field in ("s3_encryption_enabled", "s3_key_prefix"):
                if log_configuration.get(field):
                    errors.append(f"{where}.log_configuration.{field} needs s3_bucket_name")
    return errors


# --- wanted state -------------------------------------------------------------------------------------------


def wanted_settings(params: dict[str, Any]) -> dict[str, Any]:
    """The cluster the task asks for, validated and normalised; raises ClusterInputError naming every problem."""
    errors = []
    try:
        name = validate_name(params["name"])
    except ClusterInputError as e:
        errors.append(str(e))
        name = params["name"]
    providers = params.get("capacity_providers")
    errors.extend(capacity_provider_errors(providers))
    strategy = params.get("default_capacity_provider_strategy")
    strategy = None if strategy is None else normalize_strategy(strategy)
    errors.extend(strategy_errors(strategy))
    if strategy is not None and providers is not None:
        errors.extend(strategy_provider_errors(strategy, normalize_capacity_providers(providers), "capacity_providers"))
    execute_command = params.get("execute_command_configuration")
    errors.extend(execute_command_errors(execute_command))
    errors.extend(tag_errors(params.get("tags")))
    if errors:
        raise ClusterInputError("; ".join(errors))
    return {
        "name": name,
        "container_insights": params["container_insights"],
        "capacity_providers": None if providers is None else normalize_capacity_providers(providers),
        "default_capacity_provider_strategy": strategy,
        "execute_command_configuration": None
        if execute_command is None
        else normalize_execute_command(execute_command),
        "tags": wanted_tags(params.get("tags")),
        "purge_tags": params["purge_tags"],
    }


# --- reading ------------------------------------------------------------------------------------------------


def container_insights_of(settings: list[dict[str, Any]] | None) -> str | None:
    for setting in settings or []:
        if setting.get("name") == CONTAINER_INSIGHTS_SETTING:
            return setting.get("value")
    return None


def with_container_insights(settings: list[dict[str, Any]] | None, value: str) -> list[dict[str, Any]]:
    """The cluster's settings with containerInsights set to ``value`` (other settings kept)."""
    result = [dict(s) for s in settings or [] if s.get("name") != CONTAINER_INSIGHTS_SETTING]
    result.append({"name": CONTAINER_INSIGHTS_SETTING, "value": value})
    return sorted(result, key=lambda s: s["name"])


def normalize_cluster(description: dict[str, Any]) -> dict[str, Any]:
    """A DescribeClusters entry in the module's return shape."""
    tags = boto3_tag_list_to_ansible_dict(description.get("tags") or [], "key", "value")
    raw = {key: value for key, value in description.items() if key != "tags"}
    cluster = camel_dict_to_snake_dict(raw)
    cluster["settings"] = sorted(
        [{"name": s.get("name"), "value": s.get("value")} for s in description.get("settings") or []],
        key=lambda s: s["name"] or "",
    )
    cluster["capacity_providers"] = normalize_capacity_providers(description.get("capacityProviders"))
    cluster["default_capacity_provider_strategy"] = normalize_strategy(
        description.get("defaultCapacityProviderStrategy")
    )
    configuration = camel_dict_to_snake_dict(description.get("configuration") or {})
    configuration["execute_command_configuration"] = normalize_execute_command(
        (description.get("configuration") or {}).get("executeCommandConfiguration")
    )
    cluster["configuration"] = configuration
    cluster["tags"] = tags
    return cluster


def predicted_cluster(wanted: dict[str, Any], tags: dict[str, str] | None = None) -> dict[str, Any]:
    """The cluster a create would make, in the return shape (no ARN before it exists)."""
    return {
        "cluster_name": wanted["name"],
        "status": "ACTIVE",
        "settings": with_container_insights([], wanted["container_insights"]),
        "capacity_providers": list(wanted["capacity_providers"] or []),
        "default_capacity_provider_strategy": deepcopy(wanted["default_capacity_provider_strategy"] or []),
        "configuration": {
            "execute_command_configuration": deepcopy(wanted["execute_command_configuration"])
            or normalize_execute_command(None)
        },
        "registered_container_instances_count": 0,
        "running_tasks_count": 0,
        "pending_tasks_count": 0,
        "active_services_count": 0,
        "tags": dict(wanted["tags"] or {}) if tags is None else dict(tags),
    }


def services_message(name: str, services: list[dict[str, str]], waited: int | None = None) -> str:
    """Why the cluster cannot be deleted, naming its services (none when AWS refused but lists none: deleted services
    still draining, which ListServices may leave out); ``waited`` is set after waiting for them to drain."""
    if services:
        listed = ", ".join(f"{service['service_name']} ({service['status']})" for service in services)
        message = (
            f"Cannot delete ECS cluster {name}: it still contains service{'s' if len(services) > 1 else ''} {listed},"
            " and AWS refuses to delete a cluster that contains services."
        )
    else:
        message = (
            f"Cannot delete ECS cluster {name}: AWS reports that it still contains services, and lists none that is"
            " ACTIVE: deleted services are still draining."
        )
    if any(service["status"] != "DRAINING" for service in services):
        return message + (
            " Scale them to 0 and delete them first (cloudops.fargate.ecs_service with state: absent), then run this"
            " task again."
        )
    if waited is not None:
        return message + f" They were still draining after {waited} seconds; raise wait_timeout or run this task again."
    return message + " Run this task again once they are INACTIVE, or set wait: true."


def active_task(task: dict[str, Any]) -> dict[str, Any]:
    """A DescribeTasks entry of a task that has not stopped, as ecs_cluster_info returns it."""
    return {
        "task_arn": str(task.get("taskArn") or ""),
        "last_status": task.get("lastStatus") or "",
        "desired_status": task.get("desiredStatus") or "",
        "group": task.get("group") or "",
        "stopped_reason": task.get("stoppedReason") or None,
    }


def task_summary(task: dict[str, Any]) -> dict[str, str]:
    """A DescribeTasks entry reduced to what names it in a refusal to delete its cluster."""
    entry = active_task(task)
    return {
        "task_id": entry["task_arn"].rsplit("/", 1)[-1],
        "group": entry["group"],
        "last_status": entry["last_status"],
        "desired_status": entry["desired_status"],
    }


def _task_list(tasks: list[dict[str, str]]) -> str:
    named = [
        f"{task['task_id']} ({', '.join(part for part in (task['group'], task['last_status']) if part)})"
        for task in tasks[:TASKS_NAMED]
    ]
    more = len(tasks) - len(named)
    return ", ".join(named) + (f" and {more} more" if more > 0 else "")


def tasks_message(name: str, tasks: list[dict[str, str]], waited: int | None = None) -> str:
    """Why the cluster cannot be deleted when AWS answers that it contains tasks (``task_summary`` entries of the
    tasks that have not stopped): tasks meant to run are named and never waited for; tasks of deleted services that
    are still stopping are waited for, and ``waited`` is set once that wait timed out."""
    running = [task for task in tasks if task["desired_status"] == "RUNNING"]
    if running:
        return (
            f"Cannot delete ECS cluster {name}: it still runs task{'s' if len(running) > 1 else ''}"
            f" {_task_list(running)}, which nothing is stopping, and AWS refuses to delete a cluster with active tasks."
            " Stop them (or delete the services that run them), then run this task again."
        )
    listed = f" ({_task_list(tasks)})" if tasks else " (AWS lists none of them)"
    message = (
        f"Cannot delete ECS cluster {name}: the tasks of its deleted services are still stopping{listed}, and AWS"
        " refuses to delete a cluster with active tasks."
    )
    if waited is not None:
        return message + f" They were still stopping after {waited} seconds; raise wait_timeout or run this task again."
    return message + " Run this task again once they have stopped, or set wait: true."


# --- manager -----------------------------------------------------------------------------------------------


class ClusterManager(BaseResourceManager):
    """Creates, updates and deletes one ECS cluster; ``cluster`` holds the result."""

    def __init__(self, module) -> None:
        super().__init__(module)
        self.ecs = self.client("ecs")
        self.cluster: dict[str, Any] = {}
        self.service_linked_role_pending = False

    # --- reading ---

    def describe(self, name: str) -> dict[str, Any] | None:
        """The DescribeClusters entry of ``name`` when it is not INACTIVE; ``None`` otherwise."""
        response = call(
            self.ecs.describe_clusters,
            f"describe ECS cluster {name}",
            answers={"ClusterNotFoundException": None},
            clusters=[name],
            include=DESCRIBE_INCLUDE,
        )
        for cluster in (response or {}).get("clusters", []):
            if cluster.get("clusterName") == name and cluster.get("status") != "INACTIVE":
                return cluster
        return None

    def read(self, name: str) -> dict[str, Any] | None:
        description = self.describe(name)
        return None if description is None else normalize_cluster(description)

    def services(self, name: str) -> list[dict[str, str]]:
        """The services of the cluster that keep AWS from deleting it (ACTIVE or DRAINING), by name."""
        what = f"list the services of ECS cluster {name}"
        missing = {"ClusterNotFoundException": None}
        arns = paginate(self.ecs.list_services, what, "serviceArns", token="nextToken", answers=missing, cluster=name)
        found = describe_services(self.ecs, name, arns or [], what) or []
        blocking = [
            {"service_name": service["serviceName"], "status": service["status"]}
            for service in found
            if service.get("status") in BLOCKING_SERVICE_STATES
        ]
        return sorted(blocking, key=lambda service: service["service_name"])

    def unstopped_tasks(self, name: str, every_page: bool = True) -> list[dict[str, Any]]:
        """The DescribeTasks entries of the cluster's tasks whose lastStatus is not STOPPED (what
        ClusterContainsTasksException is about), those meant to run first: ListTasks of each desired status (every
        page, or only the first ``TASKS_LISTED`` tasks of each), DescribeTasks ``TASKS_LISTED`` a call. Empty when the
        cluster does not exist; raises AWSActionError when they cannot be read."""
        what = f"list the tasks of ECS cluster {name}"
        missing = {"ClusterNotFoundException": None}
        found: list[dict[str, Any]] = []
        for desired in DESIRED_STATUSES:
            request = dict(cluster=name, desiredStatus=desired, maxResults=TASKS_LISTED)
            if every_page:
                arns = paginate(self.ecs.list_tasks, what, "taskArns", token="nextToken", answers=missing, **request)
            else:
                arns = (call(self.ecs.list_tasks, what, answers=missing, **request) or {}).get("taskArns")
            arns = arns or []
            for batch in batches(arns, TASKS_LISTED):
                described = call(self.ecs.describe_tasks, what, answers=missing, cluster=name, tasks=batch)
                found.extend((described or {}).get("tasks") or [])
        return [task for task in found if task.get("lastStatus") != "STOPPED"]

    def active_tasks(self, name: str) -> list[dict[str, str]]:
        """``unstopped_tasks`` as ``task_summary`` entries, at most ``TASKS_LISTED`` of each desired status. Empty when
        they cannot be listed: they only explain AWS's refusal, which stands either way."""
        try:
            return [task_summary(task) for task in self.unstopped_tasks(name, every_page=False)]
        except AWSActionError:
            return []

    def find(self, names: list[str]) -> list[dict[str, Any]]:
        """The clusters among ``names`` (names or ARNs), in that order and each once, in the return shape with their
        ``active_tasks``: an INACTIVE one with none, one AWS reports MISSING left out."""
        unique = list(dict.fromkeys(names))
        by_key: dict[str, dict[str, Any]] = {}
        for batch in batches(unique, DESCRIBE_CLUSTERS_BATCH):
            response = call(
                self.ecs.describe_clusters,
                f"describe ECS clusters {', '.join(batch)}",
                answers={"ClusterNotFoundException": None},
                clusters=batch,
                include=DESCRIBE_INCLUDE,
            )
            for cluster in (response or {}).get("clusters") or []:
                by_key[cluster.get("clusterName")] = by_key[cluster.get("clusterArn")] = cluster
        found: dict[str, dict[str, Any]] = {}
        for name in unique:
            description = by_key.get(name)
            if description is None or description["clusterArn"] in found:
                continue
            cluster = normalize_cluster(description)
            inactive = cluster.get("status") == "INACTIVE"
            tasks = [] if inactive else self.unstopped_tasks(cluster["cluster_arn"])
            cluster["active_tasks"] = [active_task(task) for task in tasks]
            found[description["clusterArn"]] = cluster
        return list(found.values())

    # --- present ---

    def ensure_present(
        self, wanted: dict[str, Any], wait_timeout: int = DEFAULT_WAIT_TIMEOUT, wait: bool = True
    ) -> None:
        """Create or update the cluster; a create on a fresh account retries AWS's refusal while ECS creates its
        service-linked role, up to ``wait_timeout`` seconds (without ``wait``, not at all: ECS is then making the
        role, ``service_linked_role_pending`` says so, and a later run creates the cluster at once)."""
        current = self.read(wanted["name"])
        if current is None:
            self._create(wanted, wait_timeout if wait else None)
            return
        providers, strategy = self._capacity_target(current, wanted)
        self.cluster = deepcopy(current)
        self._update_cluster(current, wanted)
        self._update_capacity_providers(current, providers, strategy)
        self._update_tags(current, wanted)
        if self.changed and not self.check_mode:
            self.cluster = self.read(wanted["name"]) or self.cluster

    def _capacity_target(self, current: dict[str, Any], wanted: dict[str, Any]) -> tuple[list[str], list[dict]]:
        """The capacity providers and strategy the cluster should end up with; fails (before any change) when the
        strategy would name a provider the cluster does not have."""
        providers = (
            current["capacity_providers"] if wanted["capacity_providers"] is None else wanted["capacity_providers"]
        )
        if wanted["default_capacity_provider_strategy"] is None:
            strategy = current["default_capacity_provider_strategy"]
            where = "capacity_providers"
        else:
            strategy = wanted["default_capacity_provider_strategy"]
            where = "capacity_providers" if wanted["capacity_providers"] is not None else "the cluster has"
        errors = strategy_provider_errors(strategy, providers, where)
        if errors:
            raise AWSActionError("; ".join(errors), cluster=current)
        return providers, strategy

    def _create(self, wanted: dict[str, Any], wait_timeout: int | None) -> None:
        name = wanted["name"]
        # the strategy may only name the providers the new cluster gets
        errors = strategy_provider_errors(
            wanted["default_capacity_provider_strategy"] or [], wanted["capacity_providers"] or [], "capacity_providers"
        )
        if errors:
            raise AWSActionError("; ".join(errors))
        predicted = predicted_cluster(wanted)
        self.set_diff(before={}, after=predicted)
        self.cluster = predicted
        request: dict[str, Any] = {
            "clusterName": name,
            "settings": [{"name": CONTAINER_INSIGHTS_SETTING, "value": wanted["container_insights"]}],
        }
        if wanted["execute_command_configuration"] is not None:
            request["configuration"] = {
                "executeCommandConfiguration": execute_command_request(wanted["execute_command_configuration"])
            }
        if wanted["capacity_providers"] is not None:
            request["capacityProviders"] = wanted["capacity_providers"]
        if wanted["default_capacity_provider_strategy"] is not None:
            request["defaultCapacityProviderStrategy"] = strategy_request(wanted["default_capacity_provider_strategy"])
        if predicted["tags"]:
            request["tags"] = ansible_dict_to_boto3_tag_list(predicted["tags"], "key", "value")
        self.changed = True
        if self.check_mode:
            return
        if wait_timeout is None:
            what = f"create ECS cluster {name}"

            def role_pending(error: Exception) -> None:
                if not SERVICE_LINKED_ROLE_PENDING.matches(error):
                    raise AWSActionError(f"Failed to {what}", exception=error) from error

            created = call(
                self.ecs.create_cluster, what, answers={SERVICE_LINKED_ROLE_PENDING.code: role_pending}, **request
            )
            if created is None:  # ECS has started making its service-linked role: the cluster comes next run
                self.service_linked_role_pending = True
                self.cluster = {}
                return
        else:
            # Safe to repeat: AWS refused before creating anything, and a CreateCluster of an existing name answers
            # with it.
            call_through(
                self.ecs.create_cluster,
                f"create ECS cluster {name}",
                (SERVICE_LINKED_ROLE_PENDING,),
                wait_timeout,
                **request,
            )
        self.cluster = self.read(name) or predicted

    def _update_cluster(self, current: dict[str, Any], wanted: dict[str, Any]) -> None:
        request: dict[str, Any] = {}
        before_insights = container_insights_of(current["settings"])
        if before_insights != wanted["container_insights"]:
            settings = with_container_insights(current["settings"], wanted["container_insights"])
            self.differences.add("settings", current["settings"], settings)
            self.cluster["settings"] = settings
            request["settings"] = [{"name": CONTAINER_INSIGHTS_SETTING, "value": wanted["container_insights"]}]
        before_exec = current["configuration"]["execute_command_configuration"]
        wanted_exec = wanted["execute_command_configuration"]
        if wanted_exec is not None and before_exec != wanted_exec:
            self.differences.add(
                "configuration",
                {"execute_command_configuration": before_exec},
                {"execute_command_configuration": wanted_exec},
            )
            self.cluster["configuration"]["execute_command_configuration"] = deepcopy(wanted_exec)
            request["configuration"] = {"executeCommandConfiguration": execute_command_request(wanted_exec)}
        if request:  # one UpdateCluster for both
            name = current["cluster_name"]
            self.change(self.ecs.update_cluster, f"update ECS cluster {name}", cluster=name, **request)

    def _update_capacity_providers(self, current: dict[str, Any], providers: list[str], strategy: list[dict]) -> None:
        changed = self.differences.add("capacity_providers", current["capacity_providers"], providers)
        changed = (
            self.differences.add(
                "default_capacity_provider_strategy", current["default_capacity_provider_strategy"], strategy
            )
            or changed
        )
        if not changed:
            return
        self.cluster["capacity_providers"] = list(providers)
        self.cluster["default_capacity_provider_strategy"] = deepcopy(strategy)
        # PutClusterCapacityProviders always takes both
        self.change(
            self.ecs.put_cluster_capacity_providers,
            f"put the capacity providers of ECS cluster {current['cluster_name']}",
            cluster=current["cluster_name"],
            capacityProviders=list(providers),
            defaultCapacityProviderStrategy=strategy_request(strategy),
        )

    def _update_tags(self, current: dict[str, Any], wanted: dict[str, Any]) -> None:
        after = self.sync_tags(
            self.ecs,
            "ecs",
            current["cluster_arn"],
            current["tags"],
            wanted["tags"],
            wanted["purge_tags"],
            f"ECS cluster {wanted['name']}",
        )
        if after is not None:
            self.cluster["tags"] = after

    # --- absent ---

    def ensure_absent(self, name: str, wait_drained: bool = True, wait_timeout: int = DEFAULT_WAIT_TIMEOUT) -> None:
        current = self.read(name)
        if current is None:
            return
        services = self.services(name)
        draining = [service for service in services if service["status"] == "DRAINING"]
        if len(draining) < len(services) or (draining and not wait_drained):
            raise AWSActionError(services_message(name, services), cluster=current, services=services)
        self.changed = True
        self.set_diff(before=current, after={})
        if self.check_mode:
            if draining:
                listed = ", ".join(service["service_name"] for service in draining)
                self.module.warn(
                    f"ECS cluster {name}: deleted services {listed} are still draining; the deletion waits"
                )
            return
        self._delete(name, current, wait_drained, wait_timeout)

    def _delete(self, name: str, current: dict[str, Any], wait_drained: bool, wait_timeout: int) -> None:
        """DeleteCluster. AWS refuses while the cluster holds services or tasks that have not stopped: DRAINING services
        and the stopping tasks of deleted ones are waited for (with ``wait_drained``), ACTIVE services and tasks meant to
        run fail at once, naming what blocks."""
        refused = call(
            self.ecs.delete_cluster,
            f"delete ECS cluster {name}",
            answers={
                "ClusterNotFoundException": None,
                ("ClusterContainsServicesException", "ClusterContainsTasksException"): lambda e: e,
            },
            cluster=name,
        )
        if not isinstance(refused, Exception):
            return
        if error_code(refused) == "ClusterContainsTasksException":
            tasks = self.active_tasks(name)
            if not wait_drained or any(task["desired_status"] == "RUNNING" for task in tasks):
                raise AWSActionError(tasks_message(name, tasks), exception=refused, cluster=current, tasks=tasks)
        else:
            services = self.services(name)
            if not wait_drained or any(service["status"] != "DRAINING" for service in services):
                raise AWSActionError(
                    services_message(name, services), exception=refused, cluster=current, services=services
                )
        try:
            wait(
                self.ecs,
                "ClusterDeleted",
                f"ECS cluster {name} to be deleted",
                wait_timeout,
                DRAIN_POLL_DELAY,
                model=DELETE_WAITER,
                cluster=name,
            )
        except AWSActionError as e:
            services = self.services(name)
            if e.exception is not None:  # refused for another reason than draining services or stopping tasks
                e.result.update(cluster=current, services=services)
                raise
            # timed out (wait() raises that without an exception): say what still blocks, as AWS's last refusal does
            last = (getattr(e.__cause__, "last_response", None) or {}).get("Error") or {}
            if last.get("Code", error_code(refused)) == "ClusterContainsTasksException":
                tasks = self.active_tasks(name)
                raise AWSActionError(
                    tasks_message(name, tasks, wait_timeout), exception=refused, cluster=current, tasks=tasks
                ) from e
            raise AWSActionError(
                services_message(name, services, wait_timeout), exception=refused, cluster=current, services=services
            ) from e
