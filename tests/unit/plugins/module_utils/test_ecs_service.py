"""Unit tests of the pure functions of plugins/module_utils/_ecs_service.py."""

from __future__ import annotations

import datetime
import re

import pytest
from botocore.exceptions import ClientError
from botocore.waiter import WaiterModel

from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service import DEFAULT_CIRCUIT_BREAKER
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service import DESCRIBE_SERVICES_BATCH
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service import EVENTS_RETURNED
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service import ServiceInputError
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service import cluster_name
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service import create_request
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service import ServiceManager
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service import current_settings
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service import deployment_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service import describe_services
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service import failure_report
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service import immutable_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service import inactive_waiter_config
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service import normalize_service
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service import predicted_service
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service import rollout_complete
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service import rollout_failure_headline
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service import rollout_state
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service import rollout_waiter_config
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service import service_changes
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service import stopped_task_summary
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service import task_definition_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service import task_definition_ref
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service import wanted_identity
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_service import wanted_settings

ACCOUNT = "123456789012"
TD_ARN = f"arn:aws:ecs:us-east-1:{ACCOUNT}:task-definition/web:7"
CLUSTER_ARN = f"arn:aws:ecs:us-east-1:{ACCOUNT}:cluster/demo"
TG_ARN = f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:targetgroup/web/0123456789abcdef"
SUBNETS = ["subnet-0b", "subnet-0a"]
DEPLOYMENT = "ecs-svc/1234567890123456789"


def params(**overrides):
    """Module parameters as AnsibleModule hands them over: unset options are None, defaults applied."""
    base = {
        "state": "present",
        "cluster": "demo",
        "name": "web",
        "task_definition": "web:7",
        "desired_count": None,
        "desired_count_managed_externally": False,
        "deployment_circuit_breaker": dict(DEFAULT_CIRCUIT_BREAKER),
        "minimum_healthy_percent": 100,
        "maximum_percent": 200,
        "launch_type": None,
        "capacity_provider_strategy": None,
        "network": {"subnets": list(SUBNETS), "security_groups": None, "assign_public_ip": False},
        "load_balancers": None,
        "deployment_strategy": None,
        "bake_time_minutes": None,
        "canary": None,
        "linear": None,
        "deployment_alarms": None,
        "health_check_grace_period_seconds": None,
        "platform_version": "LATEST",
        "enable_execute_command": None,
        "propagate_tags": "SERVICE",
        "enable_ecs_managed_tags": True,
        "force_new_deployment": False,
        "wait": True,
        "wait_timeout": 600,
        "tags": None,
        "purge_tags": True,
    }
    base.update(overrides)
    return base


def aws_service(**overrides):
    """A DescribeServices entry as AWS reports the service the default params create."""
    service = {
        "serviceArn": f"arn:aws:ecs:us-east-1:{ACCOUNT}:service/demo/web",
        "serviceName": "web",
        "clusterArn": CLUSTER_ARN,
        "status": "ACTIVE",
        "taskDefinition": TD_ARN,
        "desiredCount": 1,
        "runningCount": 1,
        "pendingCount": 0,
        "launchType": "FARGATE",
        "platformVersion": "LATEST",
        "deploymentConfiguration": {
            "deploymentCircuitBreaker": {"enable": True, "rollback": True},
            "maximumPercent": 200,
            "minimumHealthyPercent": 100,
        },
        "networkConfiguration": {
            "awsvpcConfiguration": {
                "subnets": ["subnet-0a", "subnet-0b"],
                "securityGroups": ["sg-0d"],
                "assignPublicIp": "DISABLED",
            }
        },
        "loadBalancers": [],
        "propagateTags": "SERVICE",
        "enableECSManagedTags": True,
        "enableExecuteCommand": False,
        "deploymentController": {"type": "ECS"},
        "deployments": [
            {"id": DEPLOYMENT, "status": "PRIMARY", "rolloutState": "COMPLETED", "desiredCount": 1, "runningCount": 1}
        ],
        "events": [],
        "tags": [{"key": "Stack", "value": "demo"}],
    }
    service.update(overrides)
    return service


def wanted(**overrides):
    result = wanted_settings(params(**overrides))
    result["task_definition_arn"] = TD_ARN if result["task_definition_ref"] == "web:7" else None
    return result


# --- names and references ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("web:7", "web:7"),
        (TD_ARN, "web:7"),
        ("arn:aws-us-gov:ecs:us-gov-west-1:123456789012:task-definition/web_x-1:12", "web_x-1:12"),
        ("web", "web"),
        (None, None),
        ("not a task definition", "not a task definition"),
    ],
)
def test_task_definition_ref(value, expected):
    assert task_definition_ref(value) == expected


@pytest.mark.parametrize(("value", "expected"), [("demo", "demo"), (CLUSTER_ARN, "demo"), ("a_b-c", "a_b-c")])
def test_cluster_name(value, expected):
    assert cluster_name(value) == expected


# --- wanted settings -----------------------------------------------------------------------------------------


def test_defaults():
    result = wanted_settings(params())
    assert result["launch_type"] == "FARGATE"
    assert result["capacity_provider_strategy"] is None
    assert result["deployment_circuit_breaker"] == {"enable": True, "rollback": True}
    assert (result["minimum_healthy_percent"], result["maximum_percent"]) == (100, 200)
    assert result["network"] == {"subnets": SUBNETS, "security_groups": None, "assign_public_ip": False}
    assert result["platform_version"] == "LATEST"
    assert result["propagate_tags"] == "SERVICE"
    assert result["enable_ecs_managed_tags"] is True
    assert result["desired_count"] is None
    assert result["task_definition_ref"] == "web:7"


def test_circuit_breaker_without_enable_has_no_rollback():
    result = wanted_settings(params(deployment_circuit_breaker={"enable": False, "rollback": True}))
    assert result["deployment_circuit_breaker"] == {"enable": False, "rollback": False}


def test_capacity_provider_strategy_fills_defaults_and_sorts():
    result = wanted_settings(
        params(
            capacity_provider_strategy=[
                {"capacity_provider": "FARGATE_SPOT", "weight": 3, "base": None},
                {"capacity_provider": "FARGATE"},
            ]
        )
    )
    assert result["launch_type"] is None
    assert result["capacity_provider_strategy"] == [
        {"capacity_provider": "FARGATE", "weight": 1, "base": 0},
        {"capacity_provider": "FARGATE_SPOT", "weight": 3, "base": 0},
    ]


def test_network_keeps_order_and_drops_duplicates():
    result = wanted_settings(
        params(
            network={
                "subnets": ["subnet-2", "subnet-1", "subnet-2"],
                "security_groups": ["sg-1"],
                "assign_public_ip": None,
            }
        )
    )
    assert result["network"] == {
        "subnets": ["subnet-2", "subnet-1"],
        "security_groups": ["sg-1"],
        "assign_public_ip": False,
    }


def test_load_balancers_are_sorted():
    lbs = [
        {"target_group_arn": TG_ARN, "container_name": "nginx", "container_port": 8443},
        {"target_group_arn": TG_ARN, "container_name": "nginx", "container_port": 8080},
    ]
    result = wanted_settings(params(load_balancers=lbs))
    assert [lb["container_port"] for lb in result["load_balancers"]] == [8080, 8443]


def test_tags_become_strings():
    assert wanted_settings(params(tags={"Count": 3, "Empty": None}))["tags"] == {"Count": "3", "Empty": ""}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": ""}, "name must be 1 to 255"),
        ({"name": "a" * 256}, "name must be 1 to 255"),
        ({"cluster": "arn:aws:ecs:us-east-1:1:cluster/x"}, "cluster must be"),
        ({"task_definition": None}, "task_definition must be"),
        ({"task_definition": "web:latest"}, "task_definition must be"),
        ({"desired_count": -1}, "desired_count must be an integer from 0"),
        ({"minimum_healthy_percent": -1}, "minimum_healthy_percent must be an integer from 0 to 100"),
        ({"maximum_percent": 99}, "maximum_percent must be an integer from 100"),
        ({"minimum_healthy_percent": 50, "maximum_percent": 100}, None),
        ({"minimum_healthy_percent": 0, "maximum_percent": 100}, None),
        ({"minimum_healthy_percent": 100, "maximum_percent": 100}, "must be above minimum_healthy_percent"),
        ({"capacity_provider_strategy": []}, "must not be empty"),
        ({"capacity_provider_strategy": [{"capacity_provider": "A"}, {"capacity_provider": "A"}]}, "more than once"),
        (
            {"capacity_provider_strategy": [{"capacity_provider": "A", "weight": 0}]},
            "at least one capacity provider needs a weight",
        ),
        (
            {"capacity_provider_strategy": [{"capacity_provider": "A", "base": 100001}]},
            "base must be an integer from 0 to 100000",
        ),
        ({"capacity_provider_strategy": [{"capacity_provider": "A"}], "launch_type": "FARGATE"}, "mutually exclusive"),
        ({"launch_type": "EC2"}, "launch_type must be one of FARGATE"),
        (
            {"network": {"subnets": [], "security_groups": None, "assign_public_ip": False}},
            "network.subnets is required",
        ),
        (
            {
                "network": {
                    "subnets": [f"subnet-{i}" for i in range(17)],
                    "security_groups": None,
                    "assign_public_ip": False,
                }
            },
            "at most 16 subnets",
        ),
        (
            {
                "network": {
                    "subnets": ["subnet-1"],
                    "security_groups": [f"sg-{i}" for i in range(6)],
                    "assign_public_ip": False,
                }
            },
            "at most 5 security groups",
        ),
        (
            {"load_balancers": [{"target_group_arn": TG_ARN, "container_name": "", "container_port": 80}]},
            "container_name must be",
        ),
        (
            {"load_balancers": [{"target_group_arn": TG_ARN, "container_name": "n", "container_port": 80}] * 2},
            "more than once",
        ),
        (
            {
                "load_balancers": [
                    {"target_group_arn": TG_ARN, "container_name": "n", "container_port": p} for p in range(1, 7)
                ]
            },
            "at most 5 target groups",
        ),
        ({"health_check_grace_period_seconds": 2147483648}, "health_check_grace_period_seconds must be"),
        ({"platform_version": "1.4"}, "platform_version must be LATEST or a version"),
        ({"propagate_tags": "TASK"}, "propagate_tags must be one of"),
        ({"tags": {"AWS:x": "1"}}, "reserved by AWS"),
        ({"tags": {"k": "v" * 257}}, "at most 256 characters"),
        ({"tags": {f"k{i}": "v" for i in range(51)}}, "at most 50 tags"),
        ({"wait_timeout": -5}, "wait_timeout must be"),
    ],
)
def test_validation(overrides, message):
    if message is None:
        wanted_settings(params(**overrides))
        return
    with pytest.raises(ServiceInputError) as raised:
        wanted_settings(params(**overrides))
    assert message in str(raised.value)


def test_all_errors_are_reported_together():
    with pytest.raises(ServiceInputError) as raised:
        wanted_settings(params(name="", desired_count=-1, platform_version="x"))
    assert str(raised.value).count(";") == 2


@pytest.mark.parametrize(
    ("minimum", "maximum", "prefix", "messages"),
    [
        (100, 200, "", []),
        (0, 100, "", []),
        (50, 100, "", []),
        (100, 400, "", []),  # AWS sets no upper limit
        (-1, 200, "", ["minimum_healthy_percent must be an integer from 0 to 100, not -1"]),
        (101, 200, "", ["minimum_healthy_percent must be an integer from 0 to 100, not 101"]),
        (100, 99, "", ["maximum_percent must be an integer from 100 to 2147483647, not 99"]),
        (100, True, "", ["maximum_percent must be an integer from 100"]),
        (100, "200", "", ["maximum_percent must be an integer from 100"]),
        (100, 100, "", ["maximum_percent (100) must be above minimum_healthy_percent (100), or no task could be"]),
        (
            100,
            100,
            "fargate_",
            ["fargate_maximum_percent (100) must be above fargate_minimum_healthy_percent (100)"],
        ),
        (-1, 99, "fargate_", ["fargate_minimum_healthy_percent must be", "fargate_maximum_percent must be"]),
    ],
)
def test_deployment_errors(minimum, maximum, prefix, messages):
    errors = deployment_errors(minimum, maximum, prefix)
    assert len(errors) == len(messages), errors
    for error, message in zip(errors, messages):
        assert error.startswith(message)


def test_wanted_settings_checks_the_deployment_limits():
    with pytest.raises(ServiceInputError) as raised:
        wanted_settings(params(minimum_healthy_percent=100, maximum_percent=100))
    assert str(raised.value) == deployment_errors(100, 100)[0]


def test_wanted_identity():
    assert wanted_identity(params(wait=False, wait_timeout=5)) == {
        "name": "web",
        "cluster": "demo",
        "wait": False,
        "wait_timeout": 5,
    }
    with pytest.raises(ServiceInputError):
        wanted_identity(params(name="a b"))


# --- task definition checks ------------------------------------------------------------------------------------


def definition(**overrides):
    value = {
        "taskDefinitionArn": TD_ARN,
        "status": "ACTIVE",
        "compatibilities": ["EC2", "FARGATE"],
        "networkMode": "awsvpc",
        "containerDefinitions": [{"name": "nginx", "portMappings": [{"containerPort": 8080}]}, {"name": "app"}],
    }
    value.update(overrides)
    return value


@pytest.mark.parametrize(
    ("definition_overrides", "lb", "current_ref", "messages"),
    [
        ({}, ("nginx", 8080), None, []),
        (
            {},
            ("proxy", 8080),
            None,
            ["container_name 'proxy' is not a container of task definition web:7 (it has app, nginx)"],
        ),
        (
            {},
            ("app", 8080),
            None,
            ["container_port 8080 is not a port mapping of container app in task definition web:7 (it maps no port)"],
        ),
        ({"compatibilities": ["EC2"]}, None, None, ["not compatible with Fargate"]),
        ({"networkMode": "bridge"}, None, None, ["uses network mode bridge; Fargate needs awsvpc"]),
        ({"status": "INACTIVE"}, None, None, ["web:7 is INACTIVE"]),
        ({"status": "INACTIVE"}, None, "web:7", []),  # the service runs it already
    ],
)
def test_task_definition_errors(definition_overrides, lb, current_ref, messages):
    overrides = {}
    if lb:
        overrides["load_balancers"] = [{"target_group_arn": TG_ARN, "container_name": lb[0], "container_port": lb[1]}]
    errors = task_definition_errors(definition(**definition_overrides), wanted(**overrides), current_ref)
    assert len(errors) == len(messages)
    for error, message in zip(errors, messages):
        assert message in error


# --- reading AWS -------------------------------------------------------------------------------------------------


def test_current_settings_fill_aws_defaults():
    bare = {"taskDefinition": TD_ARN, "desiredCount": 1, "launchType": "FARGATE", "deployments": []}
    current = current_settings(bare)
    assert current["deployment_circuit_breaker"] == {"enable": False, "rollback": False}
    assert (current["minimum_healthy_percent"], current["maximum_percent"]) == (100, 200)
    assert current["health_check_grace_period_seconds"] == 0
    assert current["platform_version"] == "LATEST"
    assert current["propagate_tags"] == "NONE"
    assert current["enable_ecs_managed_tags"] is False
    assert current["enable_execute_command"] is False
    assert current["network"] is None
    assert current["load_balancers"] == []
    assert current["capacity_provider_strategy"] is None
    assert current["tags"] == {}


def test_normalize_service():
    events = [{"id": str(i), "createdAt": i, "message": f"m{i}"} for i in range(15)]
    result = normalize_service(aws_service(events=events))
    assert result["tags"] == {"Stack": "demo"}
    assert len(result["events"]) == EVENTS_RETURNED
    assert result["events"][0] == {"id": "0", "created_at": 0, "message": "m0"}
    assert result["enable_ecs_managed_tags"] is True
    assert result["network_configuration"]["awsvpc_configuration"]["assign_public_ip"] == "DISABLED"
    assert result["deployments"][0]["rollout_state"] == "COMPLETED"
    assert normalize_service(None) == {}


@pytest.mark.parametrize(
    ("service", "state", "complete"),
    [
        (aws_service(), "COMPLETED", True),
        (aws_service(runningCount=0), "COMPLETED", False),
        (aws_service(status="DRAINING"), "COMPLETED", False),
        (
            aws_service(
                deployments=[
                    {"id": "a", "status": "ACTIVE", "rolloutState": "COMPLETED"},
                    {"id": "b", "status": "PRIMARY", "rolloutState": "IN_PROGRESS"},
                ]
            ),
            "IN_PROGRESS",
            False,
        ),
        (aws_service(deployments=[]), None, False),
        (None, None, False),
    ],
)
def test_rollout_state_and_complete_in_either_casing(service, state, complete):
    assert rollout_state(service) == state
    assert rollout_complete(service) is complete
    snake = normalize_service(service)
    assert rollout_state(snake) == state
    assert rollout_complete(snake) is complete


# --- comparing ------------------------------------------------------------------------------------------------------


def test_no_changes():
    assert service_changes(aws_service(), wanted(tags={"Stack": "demo"})) == ([], {})


@pytest.mark.parametrize(
    ("overrides", "service_overrides", "changes", "request_keys"),
    [
        ({"task_definition": "web:8"}, {}, [("task_definition", "web:7", "web:8")], {"taskDefinition": "web:8"}),
        ({"task_definition": TD_ARN}, {}, [], {}),
        ({"desired_count": 3}, {}, [("desired_count", 1, 3)], {"desiredCount": 3}),
        ({"desired_count": 3, "desired_count_managed_externally": True}, {}, [], {}),
        ({"desired_count": None}, {}, [], {}),
        ({"maximum_percent": 150}, {}, [("maximum_percent", 200, 150)], None),
        ({"platform_version": "1.4.0"}, {}, [("platform_version", "LATEST", "1.4.0")], {"platformVersion": "1.4.0"}),
        ({"propagate_tags": "NONE"}, {}, [("propagate_tags", "SERVICE", "NONE")], {"propagateTags": "NONE"}),
        (
            {"enable_ecs_managed_tags": False},
            {},
            [("enable_ecs_managed_tags", True, False)],
            {"enableECSManagedTags": False},
        ),
        ({"enable_execute_command": False}, {}, [], {}),
        (
            {"enable_execute_command": True},
            {},
            [("enable_execute_command", False, True)],
            {"enableExecuteCommand": True},
        ),
        ({"health_check_grace_period_seconds": 0}, {}, [], {}),
        (
            {"health_check_grace_period_seconds": 60},
            {},
            [("health_check_grace_period_seconds", 0, 60)],
            {"healthCheckGracePeriodSeconds": 60},
        ),
        ({"force_new_deployment": True}, {}, [("force_new_deployment", False, True)], {"forceNewDeployment": True}),
        ({"network": None}, {}, [], {}),
    ],
)
def test_changes(overrides, service_overrides, changes, request_keys):
    found, request = service_changes(aws_service(**service_overrides), wanted(**overrides))
    assert found == changes
    if request_keys is not None:
        assert request == request_keys


def test_deployment_configuration_keeps_what_the_module_does_not_manage():
    alarms = {"alarmNames": ["high-5xx"], "enable": True, "rollback": True}
    service = aws_service(deploymentConfiguration=dict(aws_service()["deploymentConfiguration"], alarms=alarms))
    changes, request = service_changes(
        service, wanted(minimum_healthy_percent=50, deployment_circuit_breaker={"enable": False})
    )
    assert [c[0] for c in changes] == ["deployment_circuit_breaker", "minimum_healthy_percent"]
    assert request == {
        "deploymentConfiguration": {
            "deploymentCircuitBreaker": {"enable": False, "rollback": False},
            "maximumPercent": 200,
            "minimumHealthyPercent": 50,
            "alarms": alarms,
        }
    }


def test_network_compared_as_sets_and_groups_left_out_are_kept():
    assert (
        service_changes(
            aws_service(), wanted(network={"subnets": ["subnet-0a", "subnet-0b"], "security_groups": ["sg-0d"]})
        )[0]
        == []
    )
    changes, request = service_changes(
        aws_service(), wanted(network={"subnets": ["subnet-0c"], "assign_public_ip": True})
    )
    assert changes == [
        (
            "network",
            {"subnets": ["subnet-0a", "subnet-0b"], "security_groups": ["sg-0d"], "assign_public_ip": False},
            {"subnets": ["subnet-0c"], "security_groups": ["sg-0d"], "assign_public_ip": True},
        )
    ]
    assert request == {
        "networkConfiguration": {
            "awsvpcConfiguration": {"subnets": ["subnet-0c"], "securityGroups": ["sg-0d"], "assignPublicIp": "ENABLED"}
        }
    }


def test_load_balancers():
    lb = {"target_group_arn": TG_ARN, "container_name": "nginx", "container_port": 8080}
    changes, request = service_changes(aws_service(), wanted(load_balancers=[lb]))
    assert changes == [("load_balancers", [], [lb])]
    assert request == {"loadBalancers": [{"targetGroupArn": TG_ARN, "containerName": "nginx", "containerPort": 8080}]}
    current = aws_service(loadBalancers=request["loadBalancers"])
    assert service_changes(current, wanted(load_balancers=[lb]))[0] == []
    assert service_changes(current, wanted(load_balancers=None))[0] == []
    assert service_changes(current, wanted(load_balancers=[]))[0] == [("load_balancers", [lb], [])]


def test_launch_type_to_strategy_and_back():
    strategy = [{"capacity_provider": "FARGATE_SPOT", "weight": 1, "base": 0}]
    changes, request = service_changes(aws_service(), wanted(capacity_provider_strategy=strategy))
    assert changes == [("launch_type", "FARGATE", None), ("capacity_provider_strategy", [], strategy)]
    assert request == {"capacityProviderStrategy": [{"capacityProvider": "FARGATE_SPOT", "weight": 1, "base": 0}]}

    on_strategy = aws_service(launchType=None, capacityProviderStrategy=request["capacityProviderStrategy"])
    assert service_changes(on_strategy, wanted(capacity_provider_strategy=strategy))[0] == []
    changes, request = service_changes(on_strategy, wanted())
    assert changes == [("capacity_provider_strategy", strategy, []), ("launch_type", None, "FARGATE")]
    assert request == {"capacityProviderStrategy": []}


def test_platform_version_not_compared_off_fargate():
    strategy = [{"capacity_provider": "my-asg", "weight": 1, "base": 0}]
    service = aws_service(
        launchType=None,
        platformVersion=None,
        capacityProviderStrategy=[{"capacityProvider": "my-asg", "weight": 1, "base": 0}],
    )
    assert service_changes(service, wanted(capacity_provider_strategy=strategy, platform_version="1.4.0"))[0] == []


@pytest.mark.parametrize(
    ("service_overrides", "overrides", "message"),
    [
        ({}, {}, None),
        ({"launchType": "EC2"}, {}, "launch_type of service web is EC2"),
        ({"launchType": "EC2"}, {"capacity_provider_strategy": [{"capacity_provider": "FARGATE"}]}, None),
        ({"launchType": None, "capacityProviderStrategy": [{"capacityProvider": "FARGATE"}]}, {}, None),
        ({"deploymentController": {"type": "CODE_DEPLOY"}}, {}, "uses the CODE_DEPLOY deployment controller"),
    ],
)
def test_immutable_errors(service_overrides, overrides, message):
    errors = immutable_errors(aws_service(**service_overrides), wanted(**overrides))
    if message is None:
        assert errors == []
    else:
        assert len(errors) == 1 and message in errors[0]


# --- requests and predictions ----------------------------------------------------------------------------------------


def test_create_request():
    request = create_request(wanted(desired_count=None, tags={"Stack": "demo"}), "token")
    assert request == {
        "cluster": "demo",
        "serviceName": "web",
        "taskDefinition": TD_ARN,
        "desiredCount": 1,
        "clientToken": "token",
        "schedulingStrategy": "REPLICA",
        "deploymentController": {"type": "ECS"},
        "deploymentConfiguration": {
            "deploymentCircuitBreaker": {"enable": True, "rollback": True},
            "maximumPercent": 200,
            "minimumHealthyPercent": 100,
        },
        "propagateTags": "SERVICE",
        "enableECSManagedTags": True,
        "launchType": "FARGATE",
        "platformVersion": "LATEST",
        "networkConfiguration": {"awsvpcConfiguration": {"subnets": SUBNETS, "assignPublicIp": "DISABLED"}},
        "tags": [{"key": "Stack", "value": "demo"}],
    }


def test_create_request_with_strategy_and_options():
    lb = {"target_group_arn": TG_ARN, "container_name": "nginx", "container_port": 8080}
    request = create_request(
        wanted(
            capacity_provider_strategy=[{"capacity_provider": "my-asg"}],
            load_balancers=[lb],
            health_check_grace_period_seconds=30,
            enable_execute_command=True,
            desired_count=0,
        ),
        "token",
    )
    assert "launchType" not in request and "platformVersion" not in request
    assert request["capacityProviderStrategy"] == [{"capacityProvider": "my-asg", "weight": 1, "base": 0}]
    assert request["loadBalancers"] == [{"targetGroupArn": TG_ARN, "containerName": "nginx", "containerPort": 8080}]
    assert request["healthCheckGracePeriodSeconds"] == 30
    assert request["enableExecuteCommand"] is True
    assert request["desiredCount"] == 0


def test_predicted_new_service():
    predicted = predicted_service(None, create_request(wanted(desired_count=2, tags={"A": "1"}), "token"))
    assert predicted["service_name"] == "web"
    assert predicted["status"] == "ACTIVE"
    assert predicted["desired_count"] == 2 and predicted["running_count"] == 0
    assert predicted["task_definition"] == TD_ARN
    assert predicted["tags"] == {"A": "1"}
    assert predicted["network_configuration"] == {
        "awsvpc_configuration": {"subnets": SUBNETS, "assign_public_ip": "DISABLED"}
    }
    assert "client_token" not in predicted and "cluster" not in predicted


def test_predicted_update():
    current = normalize_service(aws_service())
    _changes, request = service_changes(
        aws_service(), wanted(desired_count=3, capacity_provider_strategy=[{"capacity_provider": "FARGATE_SPOT"}])
    )
    predicted = predicted_service(current, request)
    assert predicted["desired_count"] == 3
    assert "launch_type" not in predicted
    assert predicted["capacity_provider_strategy"] == [{"capacity_provider": "FARGATE_SPOT", "weight": 1, "base": 0}]
    assert predicted["service_arn"] == current["service_arn"]
    assert current["desired_count"] == 1, "the current service is not modified"


# --- waiters ----------------------------------------------------------------------------------------------------------


def _outcome(config, name, response):
    """Which acceptor of a waiter matches ``response`` first, as botocore judges it: success, failure or None
    (retry)."""
    for acceptor in WaiterModel(config).get_waiter(name).acceptors:
        if acceptor.matcher_func(response):
            return acceptor.state
    return None


# --- deployment strategies and alarms ------------------------------------------------------------------------------

ALT_ARN = f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:targetgroup/web-alt/fedcba9876543210"
RULE_ARN = f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:listener-rule/app/demo/0123456789abcdef/0a1b2c3d4e5f6a7b/1a2b3c4d5e6f7a8b"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/demo-ecs-load-balancers"
SWITCHING_LB = {
    "target_group_arn": TG_ARN,
    "container_name": "nginx",
    "container_port": 8080,
    "alternate_target_group_arn": ALT_ARN,
    "production_listener_rule_arn": RULE_ARN,
    "role_arn": ROLE_ARN,
}


def aws_switching_lb(primary=TG_ARN, alternate=ALT_ARN):
    return {
        "targetGroupArn": primary,
        "containerName": "nginx",
        "containerPort": 8080,
        "advancedConfiguration": {
            "alternateTargetGroupArn": alternate,
            "productionListenerRule": RULE_ARN,
            "roleArn": ROLE_ARN,
        },
    }


def test_canary_with_alarms_is_requested_in_the_deployment_configuration():
    asked = wanted(
        deployment_strategy="canary",
        canary={"percent": 5, "bake_time_minutes": 2},
        bake_time_minutes=1,
        deployment_alarms={"alarm_names": ["web-5xx", "web-latency"], "enable": True, "rollback": True},
        load_balancers=[SWITCHING_LB],
    )
    changes, request = service_changes(aws_service(), asked)
    assert {change[0] for change in changes} >= {"deployment_strategy", "canary", "bake_time_minutes", "deployment_alarms"}
    configuration = request["deploymentConfiguration"]
    assert configuration["strategy"] == "CANARY"
    assert configuration["canaryConfiguration"] == {"canaryPercent": 5.0, "canaryBakeTimeInMinutes": 2}
    assert configuration["bakeTimeInMinutes"] == 1
    assert configuration["alarms"] == {"alarmNames": ["web-5xx", "web-latency"], "enable": True, "rollback": True}
    assert "linearConfiguration" not in configuration
    (lb,) = request["loadBalancers"]
    assert lb["advancedConfiguration"] == {
        "alternateTargetGroupArn": ALT_ARN,
        "productionListenerRule": RULE_ARN,
        "roleArn": ROLE_ARN,
    }
    assert create_request(asked, "token")["deploymentConfiguration"]["strategy"] == "CANARY"


def test_a_service_that_runs_the_asked_strategy_has_nothing_to_change():
    configuration = {
        "deploymentCircuitBreaker": {"enable": True, "rollback": True},
        "maximumPercent": 200,
        "minimumHealthyPercent": 100,
        "strategy": "LINEAR",
        "bakeTimeInMinutes": 3,
        "linearConfiguration": {"stepPercent": 25, "stepBakeTimeInMinutes": 1},
        "alarms": {"alarmNames": ["b", "a"], "enable": True, "rollback": True},
    }
    service = aws_service(deploymentConfiguration=configuration, loadBalancers=[aws_switching_lb()])
    asked = wanted(
        deployment_strategy="linear",
        bake_time_minutes=3,
        linear={"step_percent": 25.0, "step_bake_time_minutes": 1},
        deployment_alarms={"alarm_names": ["a", "b"], "enable": True, "rollback": True},
        load_balancers=[SWITCHING_LB],
    )
    assert service_changes(service, asked) == ([], {})


def test_the_target_group_that_takes_traffic_now_is_no_change():
    # After a deployment ECS may report the pair the other way round; swapping it back would deploy for nothing.
    configuration = {"strategy": "BLUE_GREEN", "bakeTimeInMinutes": 0}
    service = aws_service(
        deploymentConfiguration=dict(configuration, deploymentCircuitBreaker={"enable": True, "rollback": True}),
        loadBalancers=[aws_switching_lb(primary=ALT_ARN, alternate=TG_ARN)],
    )
    asked = wanted(deployment_strategy="blue_green", bake_time_minutes=0, load_balancers=[SWITCHING_LB])
    assert service_changes(service, asked) == ([], {})
    # another listener rule is a change, sent with the pair in the service's order
    other_rule = RULE_ARN[:-1] + "9"
    changes, request = service_changes(service, dict(asked, load_balancers=[dict(SWITCHING_LB, production_listener_rule_arn=other_rule)]))
    assert [change[0] for change in changes] == ["load_balancers"]
    (lb,) = request["loadBalancers"]
    assert lb["targetGroupArn"] == ALT_ARN and lb["advancedConfiguration"]["alternateTargetGroupArn"] == TG_ARN


def test_back_to_rolling_drops_the_other_strategies_settings():
    configuration = {
        "strategy": "CANARY",
        "bakeTimeInMinutes": 5,
        "canaryConfiguration": {"canaryPercent": 10.0, "canaryBakeTimeInMinutes": 3},
        "deploymentCircuitBreaker": {"enable": True, "rollback": True},
    }
    changes, request = service_changes(aws_service(deploymentConfiguration=configuration), wanted(deployment_strategy="rolling"))
    assert changes == [("deployment_strategy", "CANARY", "ROLLING")]
    sent = request["deploymentConfiguration"]
    assert sent["strategy"] == "ROLLING"
    assert "canaryConfiguration" not in sent and "bakeTimeInMinutes" not in sent


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"deployment_strategy": "blue_green", "load_balancers": [SWITCHING_LB]}, "bake_time_minutes is required"),
        ({"deployment_strategy": "canary", "bake_time_minutes": 1441}, "bake_time_minutes must be"),
        (
            {"deployment_strategy": "canary", "canary": {"percent": 0.05, "bake_time_minutes": 1}},
            "canary.percent must be a multiple of 0.1 from 0.1 to 100.0",
        ),
        (
            {"deployment_strategy": "linear", "linear": {"step_percent": 2.5, "step_bake_time_minutes": 1}},
            "linear.step_percent must be a multiple of 0.1 from 3.0 to 100.0",
        ),
        (
            {"deployment_strategy": "linear", "linear": {"step_percent": 10.05, "step_bake_time_minutes": 1}},
            "linear.step_percent must be a multiple of 0.1",
        ),
        ({"deployment_strategy": "rolling", "canary": {"percent": 5, "bake_time_minutes": 1}}, "canary is for"),
        (
            {"deployment_strategy": "canary", "load_balancers": [{"target_group_arn": TG_ARN, "container_name": "nginx", "container_port": 8080}]},
            "load_balancers[0] needs alternate_target_group_arn",
        ),
        (
            {"load_balancers": [dict(SWITCHING_LB, role_arn=None)]},
            "load_balancers[0].role_arn must be given",
        ),
        ({"load_balancers": [dict(SWITCHING_LB, alternate_target_group_arn=TG_ARN)]}, "must be another target group"),
        ({"load_balancers": [dict(SWITCHING_LB, production_listener_rule_arn="rule")]}, "is not an Application Load Balancer listener rule ARN"),
        ({"deployment_alarms": {"alarm_names": [], "enable": True, "rollback": True}}, "must name at least one alarm"),
        ({"deployment_alarms": {"alarm_names": [f"a{i}" for i in range(11)], "enable": True, "rollback": True}}, "at most 10 alarms"),
    ],
)
def test_bad_strategy_settings_are_refused_naming_the_option(overrides, message):
    with pytest.raises(ServiceInputError, match=re.escape(message)):
        wanted_settings(params(**overrides))


def _deployment(id_, status="PRIMARY", state="IN_PROGRESS"):
    return {"id": id_, "status": status, "rolloutState": state}


@pytest.mark.parametrize(
    ("response", "outcome"),
    [
        ({"services": [aws_service()], "failures": []}, "success"),
        ({"services": [aws_service(runningCount=0)], "failures": []}, None),
        ({"services": [aws_service(deployments=[_deployment(DEPLOYMENT)])], "failures": []}, None),
        (
            {
                "services": [
                    aws_service(deployments=[_deployment(DEPLOYMENT), _deployment("ecs-svc/1", "ACTIVE", "COMPLETED")])
                ]
            },
            None,
        ),
        ({"services": [aws_service(deployments=[_deployment(DEPLOYMENT, state="FAILED")])]}, "failure"),
        (
            {
                "services": [
                    aws_service(deployments=[_deployment("ecs-svc/2"), _deployment(DEPLOYMENT, "ACTIVE", "FAILED")])
                ]
            },
            "failure",
        ),
        ({"services": [aws_service(deployments=[_deployment("ecs-svc/2", state="COMPLETED")])]}, "failure"),
        ({"services": [aws_service(status="DRAINING")]}, "failure"),
        ({"services": [], "failures": [{"arn": "x", "reason": "MISSING"}]}, "failure"),
    ],
)
def test_rollout_waiter(response, outcome):
    config = rollout_waiter_config(DEPLOYMENT, 5, 10)
    assert _outcome(config, "ServiceRolledOut", response) == outcome


def test_rollout_waiter_without_rollout_state():
    config = rollout_waiter_config(DEPLOYMENT, 5, 10, has_rollout_state=False)
    one = [{"id": DEPLOYMENT, "status": "PRIMARY"}]
    two = one + [{"id": "ecs-svc/1", "status": "ACTIVE"}]
    assert _outcome(config, "ServiceRolledOut", {"services": [aws_service(deployments=one)]}) == "success"
    assert _outcome(config, "ServiceRolledOut", {"services": [aws_service(deployments=two)]}) is None


def test_rollout_waiter_refuses_odd_ids():
    with pytest.raises(ValueError):
        rollout_waiter_config("x' || `true` || '", 5, 10)


@pytest.mark.parametrize(
    ("response", "outcome"),
    [
        ({"services": [], "failures": [{"arn": "x", "reason": "MISSING"}]}, "success"),
        ({"services": [aws_service(status="INACTIVE")], "failures": []}, "success"),
        ({"services": [aws_service(status="DRAINING")], "failures": []}, None),
        ({"services": [aws_service()], "failures": []}, None),
    ],
)
def test_inactive_waiter(response, outcome):
    assert _outcome(inactive_waiter_config(5, 10), "ServiceInactive", response) == outcome


def test_rollout_failure_headline():
    failed = aws_service(
        deployments=[
            {"id": "ecs-svc/1", "status": "PRIMARY", "rolloutState": "COMPLETED", "taskDefinition": TD_ARN},
            {"id": DEPLOYMENT, "status": "ACTIVE", "rolloutState": "FAILED", "rolloutStateReason": "circuit breaker."},
        ]
    )
    assert rollout_failure_headline(failed, "web", DEPLOYMENT, None) == (
        f"Deployment {DEPLOYMENT} of ECS service web failed: circuit breaker. The service rolled back to web:7"
        " (deployment ecs-svc/1)."
    )
    slow = aws_service(runningCount=0, desiredCount=2, deployments=[_deployment(DEPLOYMENT)])
    assert rollout_failure_headline(slow, "web", DEPLOYMENT, 30) == (
        f"Timed out after 30 seconds waiting for deployment {DEPLOYMENT} of ECS service web to complete:"
        " rollout IN_PROGRESS, 0 of 2 tasks running (0 failed to start)."
    )
    deleted = rollout_failure_headline(None, "web", DEPLOYMENT, None)
    assert deleted == f"ECS service web was deleted while deployment {DEPLOYMENT} rolled out."
    rolled_back_already = aws_service(
        deployments=[{"id": "ecs-svc/1", "status": "PRIMARY", "rolloutState": "COMPLETED", "taskDefinition": TD_ARN}],
        deploymentConfiguration={"deploymentCircuitBreaker": {"enable": True, "rollback": True}},
        events=[
            {"message": "(service web) rolling back to deployment ecs-svc/1."},
            {"message": f"(service web) (deployment {DEPLOYMENT}) deployment failed: tasks failed to start."},
        ],
    )
    assert rollout_failure_headline(rolled_back_already, "web", DEPLOYMENT, None) == (
        f"Deployment {DEPLOYMENT} of ECS service web failed: ECS deployment circuit breaker: tasks failed to start."
        " The service rolled back to web:7 (deployment ecs-svc/1)."
    )
    replaced = aws_service(deployments=[_deployment("ecs-svc/2", state="COMPLETED")])
    assert f"Deployment {DEPLOYMENT} of ECS service web is gone" in rollout_failure_headline(
        replaced, "web", DEPLOYMENT, None
    )


# --- reading several services --------------------------------------------------------------------------------------


class FakeECS:
    """DescribeServices over a fixed set of services, recording each call; ``missing_cluster`` answers as AWS
    does for a cluster that does not exist."""

    def __init__(self, services, missing_cluster=False):
        self.services = services
        self.missing_cluster = missing_cluster
        self.calls = []

    def describe_services(self, aws_retry, cluster, services, include=None):
        assert aws_retry is True
        self.calls.append(list(services))
        if self.missing_cluster:
            raise ClientError({"Error": {"Code": "ClusterNotFoundException"}}, "DescribeServices")
        assert len(services) <= DESCRIBE_SERVICES_BATCH, "AWS refuses more than 10 services a call"
        found = [s for s in self.services if s["serviceName"] in services or s["serviceArn"] in services]
        return {"services": found, "failures": []}


class FakeModule:
    check_mode = False

    def __init__(self, ecs):
        self.ecs = ecs

    def client(self, service, retry_decorator=None, **_config):
        return self.ecs


def named(name, status="ACTIVE"):
    return aws_service(
        serviceName=name, serviceArn=f"arn:aws:ecs:us-east-1:{ACCOUNT}:service/demo/{name}", status=status
    )


def test_describe_services_batches_ten_a_call():
    names = [f"s{i}" for i in range(23)]
    ecs = FakeECS([named(name) for name in names])
    found = describe_services(ecs, "demo", names, "describe services")
    assert [s["serviceName"] for s in found] == names
    assert [len(call) for call in ecs.calls] == [10, 10, 3]
    assert describe_services(FakeECS([]), "demo", [], "describe services") == []


def test_describe_services_of_a_missing_cluster_is_none():
    assert describe_services(FakeECS([], missing_cluster=True), "nope", ["web"], "describe services") is None


def test_find_keeps_the_order_of_the_names_and_leaves_out_inactive_and_missing_services():
    ecs = FakeECS([named("web"), named("api"), named("old", status="INACTIVE"), named("worker", status="DRAINING")])
    arn = f"arn:aws:ecs:us-east-1:{ACCOUNT}:service/demo/api"
    found = ServiceManager(FakeModule(ecs)).find("demo", ["worker", "nope", arn, "old", "web"])
    assert [s["service_name"] for s in found] == ["worker", "api", "web"]
    assert len(ecs.calls) == 1, "one DescribeServices call for up to 10 names"
    assert ServiceManager(FakeModule(FakeECS([], missing_cluster=True))).find("nope", ["web"]) == []


# --- failure reports ---------------------------------------------------------------------------------------------------


def test_stopped_task_summary_and_report():
    when = datetime.datetime(2025, 1, 1, 12, 0, tzinfo=datetime.UTC)
    task = {
        "taskArn": f"arn:aws:ecs:us-east-1:{ACCOUNT}:task/demo/abc123",
        "taskDefinitionArn": TD_ARN,
        "startedBy": DEPLOYMENT,
        "stopCode": "EssentialContainerExited",
        "stoppedReason": "Essential container in task exited",
        "stoppedAt": when,
        "containers": [{"name": "app", "exitCode": 1, "reason": None}, {"name": "nginx", "exitCode": 0}],
    }
    summary = stopped_task_summary(task)
    assert summary["containers"] == [{"name": "app", "reason": None, "exit_code": 1}]
    report = failure_report(
        "Deployment failed.",
        [{"created_at": when, "message": "(service web) deployment failed"}],
        [summary, summary],
    )
    assert report.splitlines() == [
        "Deployment failed.",
        "Stopped tasks:",
        "  - task abc123: Essential container in task exited",
        "Recent service events (newest first):",
        "  - 2025-01-01T12:00:00+00:00 (service web) deployment failed",
    ]
    assert failure_report("Nothing else.", [], []) == "Nothing else."
