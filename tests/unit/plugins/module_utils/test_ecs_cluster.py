"""Unit tests of the pure functions of plugins/module_utils/_ecs_cluster.py."""

from __future__ import annotations

import pytest
from botocore.waiter import WaiterModel

from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_cluster import DELETE_WAITER
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_cluster import ClusterInputError
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_cluster import capacity_provider_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_cluster import cluster_name_of
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_cluster import container_insights_of
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_cluster import execute_command_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_cluster import execute_command_request
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_cluster import name_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_cluster import normalize_capacity_providers
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_cluster import normalize_cluster
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_cluster import normalize_execute_command
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_cluster import normalize_strategy
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_cluster import predicted_cluster
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_cluster import services_message
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_cluster import task_summary
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_cluster import tasks_message
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_cluster import strategy_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_cluster import strategy_provider_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_cluster import strategy_request
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_cluster import tag_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_cluster import validate_name
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_cluster import wanted_settings
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_cluster import wanted_tags
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_cluster import with_container_insights

ARN = "arn:aws:ecs:us-east-1:123456789012:cluster/unit"
DEFAULT_EXEC = {"kms_key_id": None, "logging": "DEFAULT", "log_configuration": None}


def params(**overrides):
    """Module parameters as AnsibleModule hands them over: unset options are None."""
    base = {
        "state": "present",
        "name": "unit",
        "container_insights": "enabled",
        "capacity_providers": None,
        "default_capacity_provider_strategy": None,
        "execute_command_configuration": None,
        "tags": None,
        "purge_tags": True,
    }
    base.update(overrides)
    return base


def log_configuration(**overrides):
    value = {
        "cloud_watch_log_group_name": None,
        "cloud_watch_encryption_enabled": False,
        "s3_bucket_name": None,
        "s3_encryption_enabled": False,
        "s3_key_prefix": None,
    }
    value.update(overrides)
    return value


# --- names ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("unit", "unit"),
        (ARN, "unit"),
        ("arn:aws-cn:ecs:cn-north-1:123456789012:cluster/x_y-z", "x_y-z"),
        ("not/an/arn", "not/an/arn"),
    ],
)
def test_cluster_name_of(value, expected):
    assert cluster_name_of(value) == expected


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("unit", None),
        ("Unit_2-b", None),
        ("a" * 255, None),
        ("a" * 256, "at most 255 characters"),
        ("", "non-empty string"),
        (None, "non-empty string"),
        ("a b", "may contain only"),
        ("a/b", "may contain only"),
        ("a.b", "may contain only"),
    ],
)
def test_name_errors(name, message):
    errors = name_errors(name)
    if message is None:
        assert errors == []
    else:
        assert len(errors) == 1 and message in errors[0]


def test_validate_name_accepts_an_arn_and_returns_the_name():
    assert validate_name(ARN) == "unit"
    with pytest.raises(ClusterInputError, match="may contain only"):
        validate_name("bad name")


# --- capacity providers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("providers", "expected"),
    [(None, []), ([], []), (["FARGATE_SPOT", "FARGATE"], ["FARGATE", "FARGATE_SPOT"]), (["FARGATE"], ["FARGATE"])],
)
def test_normalize_capacity_providers(providers, expected):
    assert normalize_capacity_providers(providers) == expected


@pytest.mark.parametrize(
    ("strategy", "expected"),
    [
        (None, []),
        ([], []),
        (
            [
                {"capacityProvider": "FARGATE_SPOT", "weight": 2},
                {"capacityProvider": "FARGATE", "base": 1, "weight": 1},
            ],
            [
                {"capacity_provider": "FARGATE", "weight": 1, "base": 1},
                {"capacity_provider": "FARGATE_SPOT", "weight": 2, "base": 0},
            ],
        ),
        ([{"capacity_provider": "FARGATE"}], [{"capacity_provider": "FARGATE", "weight": 0, "base": 0}]),
        (
            [{"capacity_provider": "FARGATE", "weight": None, "base": None}],
            [{"capacity_provider": "FARGATE", "weight": 0, "base": 0}],
        ),
    ],
)
def test_normalize_strategy(strategy, expected):
    assert normalize_strategy(strategy) == expected


def test_strategy_request_round_trips():
    strategy = [{"capacity_provider": "FARGATE", "weight": 1, "base": 2}]
    assert strategy_request(strategy) == [{"capacityProvider": "FARGATE", "weight": 1, "base": 2}]
    assert normalize_strategy(strategy_request(strategy)) == strategy


@pytest.mark.parametrize(
    ("providers", "message"),
    [(None, None), ([], None), (["FARGATE", "FARGATE_SPOT"], None), (["FARGATE", "FARGATE"], "FARGATE more than once")],
)
def test_capacity_provider_errors(providers, message):
    errors = capacity_provider_errors(providers)
    assert (errors == []) if message is None else (message in errors[0])


def _item(provider="FARGATE", weight=1, base=0):
    return {"capacity_provider": provider, "weight": weight, "base": base}


@pytest.mark.parametrize(
    ("strategy", "messages"),
    [
        (None, []),
        ([], []),
        ([_item()], []),
        ([_item(base=5), _item("FARGATE_SPOT", weight=4)], []),
        ([_item(weight=1000, base=100000)], []),
        ([_item(weight=1001)], ["weight must be an integer from 0 to 1000"]),
        ([_item(weight=-1), _item("FARGATE_SPOT")], ["weight must be an integer from 0 to 1000"]),
        ([_item(base=100001)], ["base must be an integer from 0 to 100000"]),
        ([_item(base=1), _item("FARGATE_SPOT", base=1)], ["only one capacity provider"]),
        ([_item(weight=0)], ["needs a weight above 0"]),
        ([_item(weight=0), _item("FARGATE_SPOT", weight=0)], ["needs a weight above 0"]),
        ([_item(), _item()], ["lists FARGATE more than once"]),
        ([_item(weight=True)], ["weight must be an integer"]),
    ],
)
def test_strategy_errors(strategy, messages):
    errors = strategy_errors(strategy)
    assert len(errors) == len(messages), errors
    for error, message in zip(errors, messages, strict=True):
        assert message in error


@pytest.mark.parametrize(
    ("strategy", "providers", "message"),
    [
        ([], [], None),
        ([_item()], ["FARGATE"], None),
        ([_item()], [], "names FARGATE, which is not among the cluster's capacity providers (here: none)"),
        ([_item(), _item("FARGATE_SPOT")], ["FARGATE"], "names FARGATE_SPOT, which is not"),
        ([_item(), _item("FARGATE_SPOT")], [], "names FARGATE, FARGATE_SPOT, which are not"),
    ],
)
def test_strategy_provider_errors(strategy, providers, message):
    errors = strategy_provider_errors(strategy, providers, "here")
    assert (errors == []) if message is None else (message in errors[0])


# --- execute command configuration --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        (None, DEFAULT_EXEC),
        ({}, DEFAULT_EXEC),
        ({"logging": "DEFAULT"}, DEFAULT_EXEC),
        ({"logging": "NONE"}, dict(DEFAULT_EXEC, logging="NONE")),
        ({"kmsKeyId": "k", "logging": "DEFAULT"}, dict(DEFAULT_EXEC, kms_key_id="k")),
        ({"kms_key_id": "", "logging": "DEFAULT"}, DEFAULT_EXEC),
        (
            {"logging": "OVERRIDE", "logConfiguration": {"cloudWatchLogGroupName": "g"}},
            dict(DEFAULT_EXEC, logging="OVERRIDE", log_configuration=log_configuration(cloud_watch_log_group_name="g")),
        ),
        (
            # as AnsibleModule hands the option over: suboptions present with None or their defaults
            {"kms_key_id": None, "logging": "OVERRIDE", "log_configuration": log_configuration(s3_bucket_name="b")},
            dict(DEFAULT_EXEC, logging="OVERRIDE", log_configuration=log_configuration(s3_bucket_name="b")),
        ),
        (
            {"logging": "OVERRIDE", "log_configuration": {"s3_bucket_name": "b", "s3_encryption_enabled": None}},
            dict(DEFAULT_EXEC, logging="OVERRIDE", log_configuration=log_configuration(s3_bucket_name="b")),
        ),
    ],
)
def test_normalize_execute_command(config, expected):
    assert normalize_execute_command(config) == expected


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        (DEFAULT_EXEC, {"logging": "DEFAULT"}),
        (dict(DEFAULT_EXEC, kms_key_id="k", logging="NONE"), {"logging": "NONE", "kmsKeyId": "k"}),
        (
            dict(
                DEFAULT_EXEC,
                logging="OVERRIDE",
                log_configuration=log_configuration(
                    cloud_watch_log_group_name="g", cloud_watch_encryption_enabled=True
                ),
            ),
            {
                "logging": "OVERRIDE",
                "logConfiguration": {"cloudWatchLogGroupName": "g", "cloudWatchEncryptionEnabled": True},
            },
        ),
        (
            dict(
                DEFAULT_EXEC,
                logging="OVERRIDE",
                log_configuration=log_configuration(s3_bucket_name="b", s3_key_prefix="p/", s3_encryption_enabled=True),
            ),
            {
                "logging": "OVERRIDE",
                "logConfiguration": {"s3BucketName": "b", "s3KeyPrefix": "p/", "s3EncryptionEnabled": True},
            },
        ),
    ],
)
def test_execute_command_request(config, expected):
    assert execute_command_request(config) == expected
    assert normalize_execute_command(expected) == config


@pytest.mark.parametrize(
    ("config", "messages"),
    [
        (None, []),
        ({"kms_key_id": None, "logging": "DEFAULT", "log_configuration": None}, []),
        ({"logging": "NONE", "log_configuration": None}, []),
        ({"logging": "OVERRIDE", "log_configuration": log_configuration(cloud_watch_log_group_name="g")}, []),
        ({"logging": "OVERRIDE", "log_configuration": log_configuration(s3_bucket_name="b", s3_key_prefix="p")}, []),
        ({"logging": "OVERRIDE", "log_configuration": None}, ["is required with logging OVERRIDE"]),
        ({"logging": "OVERRIDE", "log_configuration": log_configuration()}, ["is required with logging OVERRIDE"]),
        (
            {"logging": "NONE", "log_configuration": log_configuration(s3_bucket_name="b")},
            ["only valid with logging OVERRIDE, not NONE"],
        ),
        (
            {
                "logging": "OVERRIDE",
                "log_configuration": log_configuration(s3_bucket_name="b", cloud_watch_encryption_enabled=True),
            },
            ["cloud_watch_encryption_enabled needs cloud_watch_log_group_name"],
        ),
        (
            {
                "logging": "OVERRIDE",
                "log_configuration": log_configuration(
                    cloud_watch_log_group_name="g", s3_encryption_enabled=True, s3_key_prefix="p"
                ),
            },
            ["s3_encryption_enabled needs s3_bucket_name", "s3_key_prefix needs s3_bucket_name"],
        ),
    ],
)
def test_execute_command_errors(config, messages):
    errors = execute_command_errors(config)
    assert len(errors) == len(messages), errors
    for error, message in zip(errors, messages, strict=True):
        assert message in error


# --- settings, tags ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        (None, None),
        ([], None),
        ([{"name": "containerInsights", "value": "enhanced"}], "enhanced"),
        ([{"name": "other", "value": "x"}, {"name": "containerInsights", "value": "disabled"}], "disabled"),
    ],
)
def test_container_insights_of(settings, expected):
    assert container_insights_of(settings) == expected


def test_with_container_insights_keeps_other_settings():
    settings = [{"name": "zeta", "value": "1"}, {"name": "containerInsights", "value": "disabled"}]
    assert with_container_insights(settings, "enabled") == [
        {"name": "containerInsights", "value": "enabled"},
        {"name": "zeta", "value": "1"},
    ]
    assert settings[1]["value"] == "disabled", "the input is not modified"
    assert with_container_insights(None, "enhanced") == [{"name": "containerInsights", "value": "enhanced"}]


@pytest.mark.parametrize(
    ("tags", "expected"),
    [(None, None), ({}, {}), ({"a": 1, "b": None, "c": "x"}, {"a": "1", "b": "", "c": "x"})],
)
def test_wanted_tags(tags, expected):
    assert wanted_tags(tags) == expected


@pytest.mark.parametrize(
    ("tags", "message"),
    [
        (None, None),
        ({"Stack": "x"}, None),
        ({"aws:cloudformation:stack": "x"}, "reserved"),
        ({"AWS:x": "1"}, "reserved"),
    ],
)
def test_tag_errors(tags, message):
    errors = tag_errors(tags)
    assert (errors == []) if message is None else (message in errors[0])


# --- wanted state ------------------------------------------------------------------------------------------------


def test_wanted_settings_normalises():
    wanted = wanted_settings(
        params(
            name=ARN,
            capacity_providers=["FARGATE_SPOT", "FARGATE"],
            default_capacity_provider_strategy=[{"capacity_provider": "FARGATE_SPOT", "weight": 1, "base": 0}],
            execute_command_configuration={"kms_key_id": None, "logging": "NONE", "log_configuration": None},
            tags={"n": 1},
        )
    )
    assert wanted == {
        "name": "unit",
        "container_insights": "enabled",
        "capacity_providers": ["FARGATE", "FARGATE_SPOT"],
        "default_capacity_provider_strategy": [{"capacity_provider": "FARGATE_SPOT", "weight": 1, "base": 0}],
        "execute_command_configuration": dict(DEFAULT_EXEC, logging="NONE"),
        "tags": {"n": "1"},
        "purge_tags": True,
    }


def test_wanted_settings_leaves_unset_options_unset():
    wanted = wanted_settings(params())
    for option in ("capacity_providers", "default_capacity_provider_strategy", "execute_command_configuration", "tags"):
        assert wanted[option] is None


def test_wanted_settings_reports_every_error():
    with pytest.raises(ClusterInputError) as raised:
        wanted_settings(
            params(
                name="a b",
                capacity_providers=["FARGATE"],
                default_capacity_provider_strategy=[{"capacity_provider": "FARGATE_SPOT", "weight": 0, "base": 0}],
                execute_command_configuration={"kms_key_id": None, "logging": "OVERRIDE", "log_configuration": None},
                tags={"aws:x": "1"},
            )
        )
    message = str(raised.value)
    for part in ("may contain only", "needs a weight above 0", "FARGATE_SPOT, which is not", "OVERRIDE", "reserved"):
        assert part in message


# --- reading -------------------------------------------------------------------------------------------------------


def test_normalize_cluster():
    description = {
        "clusterArn": ARN,
        "clusterName": "unit",
        "status": "ACTIVE",
        "configuration": {
            "executeCommandConfiguration": {"logging": "NONE"},
            "managedStorageConfiguration": {"kmsKeyId": "k"},
        },
        "settings": [{"name": "containerInsights", "value": "enabled"}],
        "capacityProviders": ["FARGATE_SPOT", "FARGATE"],
        "defaultCapacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1}],
        "runningTasksCount": 2,
        "tags": [{"key": "Stack", "value": "unit"}, {"key": "aws:x", "value": "y"}],
    }
    assert normalize_cluster(description) == {
        "cluster_arn": ARN,
        "cluster_name": "unit",
        "status": "ACTIVE",
        "configuration": {
            "execute_command_configuration": dict(DEFAULT_EXEC, logging="NONE"),
            "managed_storage_configuration": {"kms_key_id": "k"},
        },
        "settings": [{"name": "containerInsights", "value": "enabled"}],
        "capacity_providers": ["FARGATE", "FARGATE_SPOT"],
        "default_capacity_provider_strategy": [{"capacity_provider": "FARGATE", "weight": 1, "base": 0}],
        "running_tasks_count": 2,
        "tags": {"Stack": "unit", "aws:x": "y"},
    }


def test_normalize_cluster_without_optional_parts():
    cluster = normalize_cluster({"clusterArn": ARN, "clusterName": "unit", "status": "ACTIVE"})
    assert cluster["settings"] == []
    assert cluster["capacity_providers"] == []
    assert cluster["default_capacity_provider_strategy"] == []
    assert cluster["configuration"] == {"execute_command_configuration": DEFAULT_EXEC}
    assert cluster["tags"] == {}


def test_predicted_cluster_matches_normalized_shape():
    wanted = wanted_settings(params(capacity_providers=["FARGATE"], tags={"a": "b"}))
    predicted = predicted_cluster(wanted)
    assert predicted["settings"] == [{"name": "containerInsights", "value": "enabled"}]
    assert predicted["capacity_providers"] == ["FARGATE"]
    assert predicted["default_capacity_provider_strategy"] == []
    assert predicted["configuration"] == {"execute_command_configuration": DEFAULT_EXEC}
    assert predicted["tags"] == {"a": "b"}
    assert "cluster_arn" not in predicted
    assert predicted_cluster(wanted, tags={"x": "y"})["tags"] == {"x": "y"}


@pytest.mark.parametrize(
    ("services", "waited", "expected"),
    [
        (
            [{"service_name": "web", "status": "ACTIVE"}],
            None,
            ["it still contains service web (ACTIVE), and AWS", "Scale them to 0 and delete them first"],
        ),
        (
            [{"service_name": "a", "status": "ACTIVE"}, {"service_name": "b", "status": "DRAINING"}],
            None,
            ["still contains services a (ACTIVE), b (DRAINING), and AWS", "Scale them to 0"],
        ),
        ([{"service_name": "b", "status": "DRAINING"}], None, ["b (DRAINING)", "or set wait: true"]),
        ([{"service_name": "b", "status": "DRAINING"}], 60, ["b (DRAINING)", "still draining after 60 seconds"]),
        ([], None, ["lists none that is ACTIVE", "or set wait: true"]),
        ([], 5, ["lists none that is ACTIVE", "still draining after 5 seconds"]),
    ],
)
def test_services_message(services, waited, expected):
    message = services_message("unit", services, waited)
    assert message.startswith("Cannot delete ECS cluster unit: ")
    for part in expected:
        assert part in message


def _task(task_id, desired="STOPPED", last="DEACTIVATING", group="service:web"):
    return {"task_id": task_id, "group": group, "last_status": last, "desired_status": desired}


def test_task_summary():
    described = {
        "taskArn": "arn:aws:ecs:us-east-1:123456789012:task/unit/0123abcd",
        "group": "service:web",
        "lastStatus": "STOPPING",
        "desiredStatus": "STOPPED",
        "containers": [],
    }
    assert task_summary(described) == _task("0123abcd", last="STOPPING")


@pytest.mark.parametrize(
    ("tasks", "waited", "expected", "unexpected"),
    [
        (
            [_task("a"), _task("b", desired="RUNNING", last="RUNNING", group="family:batch")],
            None,
            ["it still runs task b (family:batch, RUNNING), which nothing is stopping", "Stop them"],
            ["a (service:web"],
        ),
        (
            [_task("a", desired="RUNNING", last="RUNNING"), _task("b", desired="RUNNING", last="PENDING")],
            60,
            ["still runs tasks a (service:web, RUNNING), b (service:web, PENDING)"],
            ["after 60 seconds"],
        ),
        (
            [_task("a"), _task("b", last="STOPPING")],
            None,
            ["still stopping (a (service:web, DEACTIVATING), b (service:web, STOPPING))", "or set wait: true"],
            ["Stop them"],
        ),
        ([], None, ["still stopping (AWS lists none of them)", "or set wait: true"], []),
        ([_task("a")], 30, ["still stopping (a (service:web, DEACTIVATING))", "after 30 seconds; raise"], []),
        ([_task(str(n)) for n in range(12)], None, ["8 (service:web, DEACTIVATING), 9 (", " and 2 more)"], ["10 ("]),
    ],
)
def test_tasks_message(tasks, waited, expected, unexpected):
    message = tasks_message("unit", tasks, waited)
    assert message.startswith("Cannot delete ECS cluster unit: ")
    assert "AWS refuses to delete a cluster with active tasks" in message
    for part in expected:
        assert part in message
    for part in unexpected:
        assert part not in message


# --- waiting for a deletion ---------------------------------------------------------------------------------------


def _error(code):
    return {"Error": {"Code": code, "Message": code}, "ResponseMetadata": {"HTTPStatusCode": 400}}


@pytest.mark.parametrize(
    ("response", "outcome"),
    [
        ({"cluster": {"status": "INACTIVE"}, "ResponseMetadata": {"HTTPStatusCode": 200}}, "success"),
        (_error("ClusterNotFoundException"), "success"),
        (_error("ClusterContainsServicesException"), "retry"),
        # a deleted service's tasks still stopping (tasks meant to run fail before the wait)
        (_error("ClusterContainsTasksException"), "retry"),
        # no acceptor: botocore ends the wait with the error
        (_error("AccessDeniedException"), None),
    ],
)
def test_delete_waiter(response, outcome):
    """Which acceptor of the deletion waiter matches ``response`` first, as botocore judges it."""
    acceptors = WaiterModel(DELETE_WAITER).get_waiter("ClusterDeleted").acceptors
    matched = next((acceptor.state for acceptor in acceptors if acceptor.matcher_func(response)), None)
    assert matched == outcome
