"""cloudops.fargate.ecs_cluster against moto in this process; every outcome is read back with boto3."""

from __future__ import annotations

import functools
import threading
import time

import pytest

from ansible_collections.cloudops.fargate.plugins.modules import ecs_cluster
from tests.unit import helpers
from tests.unit.helpers import assert_ok

NAME = "unit-cluster"

DEFAULT_EXEC = {"kms_key_id": None, "logging": "DEFAULT", "log_configuration": None}
OVERRIDE_EXEC = {
    "logging": "OVERRIDE",
    "kms_key_id": "alias/exec",
    "log_configuration": {"cloud_watch_log_group_name": "/ecs/exec", "cloud_watch_encryption_enabled": True},
}
OVERRIDE_EXEC_NORMALISED = {
    "kms_key_id": "alias/exec",
    "logging": "OVERRIDE",
    "log_configuration": {
        "cloud_watch_log_group_name": "/ecs/exec",
        "cloud_watch_encryption_enabled": True,
        "s3_bucket_name": None,
        "s3_encryption_enabled": False,
        "s3_key_prefix": None,
    },
}
STRATEGY = [
    {"capacity_provider": "FARGATE_SPOT", "weight": 3},
    {"capacity_provider": "FARGATE", "weight": 1, "base": 1},
]
STRATEGY_NORMALISED = [
    {"capacity_provider": "FARGATE", "weight": 1, "base": 1},
    {"capacity_provider": "FARGATE_SPOT", "weight": 3, "base": 0},
]


@pytest.fixture(autouse=True)
def cluster_services_extension():
    """AWS refuses to delete a cluster with services; moto 5.2.5 needs the project's extension to do the same."""
    from emulator.extensions import ecs_cluster_contains_services

    ecs_cluster_contains_services.install()


@pytest.fixture
def ecs(aws):
    return aws("ecs")


@pytest.fixture
def args():
    return {
        "name": NAME,
        "capacity_providers": ["FARGATE_SPOT", "FARGATE"],
        "default_capacity_provider_strategy": STRATEGY,
        "tags": {"Stack": "unit"},
    }


@pytest.fixture
def run(run_module):
    def run_cluster(args, check_mode=False, diff=False):
        return run_module(ecs_cluster, args, check_mode=check_mode, diff=diff)

    return run_cluster


@pytest.fixture
def created(run, args, ecs):
    assert_ok(run(args), changed=True)
    return describe(ecs)


def describe(ecs, name=NAME):
    found = ecs.describe_clusters(clusters=[name], include=["SETTINGS", "CONFIGURATIONS", "TAGS"])["clusters"]
    assert len(found) == 1, found
    return found[0]


def active_clusters(ecs):
    arns = ecs.list_clusters()["clusterArns"]
    if not arns:
        return []
    return [c["clusterName"] for c in ecs.describe_clusters(clusters=arns)["clusters"] if c["status"] == "ACTIVE"]


def tags_of(ecs, name=NAME):
    return {t["key"]: t["value"] for t in describe(ecs, name).get("tags") or []}


def insights_of(ecs, name=NAME):
    return {s["name"]: s["value"] for s in describe(ecs, name)["settings"]}["containerInsights"]


def snapshot(ecs):
    """Everything a failed or check-mode run must leave untouched."""
    arns = ecs.list_clusters()["clusterArns"]
    if not arns:
        return []
    return ecs.describe_clusters(clusters=arns, include=["SETTINGS", "CONFIGURATIONS", "TAGS"])["clusters"]


def create_service(ecs, cluster=NAME, name="web"):
    ecs.register_task_definition(family="unit", containerDefinitions=[{"name": "app", "image": "nginx", "memory": 64}])
    ecs.create_service(cluster=cluster, serviceName=name, taskDefinition="unit", desiredCount=0, launchType="FARGATE")


# The four steps (STYLE.md 14) on this module's resource.
four_steps = functools.partial(helpers.four_steps, snapshot=snapshot, key="cluster")


# --- create ------------------------------------------------------------------------------------------------


def test_create_four_steps(run, args, ecs):
    # 1. check mode predicts the creation and creates nothing
    result = run(args, check_mode=True, diff=True)
    assert_ok(result, changed=True)
    assert active_clusters(ecs) == []
    predicted = result["cluster"]
    assert predicted == {
        "cluster_name": NAME,
        "status": "ACTIVE",
        "settings": [{"name": "containerInsights", "value": "enabled"}],
        "capacity_providers": ["FARGATE", "FARGATE_SPOT"],
        "default_capacity_provider_strategy": STRATEGY_NORMALISED,
        "configuration": {"execute_command_configuration": DEFAULT_EXEC},
        "registered_container_instances_count": 0,
        "running_tasks_count": 0,
        "pending_tasks_count": 0,
        "active_services_count": 0,
        "tags": {"Stack": "unit"},
    }
    assert result["diff"] == {"before": {}, "after": predicted}

    # 2. for real
    result = run(args, diff=True)
    assert_ok(result, changed=True)
    cluster = describe(ecs)
    assert cluster["status"] == "ACTIVE"
    assert insights_of(ecs) == "enabled"
    assert sorted(cluster["capacityProviders"]) == ["FARGATE", "FARGATE_SPOT"]
    assert sorted(cluster["defaultCapacityProviderStrategy"], key=lambda i: i["capacityProvider"]) == [
        {"capacityProvider": "FARGATE", "weight": 1, "base": 1},
        {"capacityProvider": "FARGATE_SPOT", "weight": 3, "base": 0},
    ]
    assert tags_of(ecs) == {"Stack": "unit"}
    assert result["cluster"] == dict(predicted, cluster_arn=cluster["clusterArn"])
    assert result["diff"] == {"before": {}, "after": predicted}

    # 3. and 4. again: nothing to do
    result = run(args, check_mode=True, diff=True)
    assert_ok(result, changed=False)
    assert result["diff"] == {"before": {}, "after": {}}
    assert result["cluster"]["cluster_arn"] == cluster["clusterArn"]
    assert_ok(run(args), changed=False)
    assert active_clusters(ecs) == [NAME]


def test_create_minimal_defaults_to_container_insights(run, ecs):
    result = run({"name": NAME})
    assert_ok(result, changed=True)
    assert insights_of(ecs) == "enabled"
    assert result["cluster"]["capacity_providers"] == []
    assert result["cluster"]["default_capacity_provider_strategy"] == []
    assert result["cluster"]["tags"] == {}
    assert_ok(run({"name": NAME}), changed=False)


def test_create_with_execute_command_configuration(run, ecs):
    args = {"name": NAME, "container_insights": "enhanced", "execute_command_configuration": OVERRIDE_EXEC}
    predicted = run(args, check_mode=True)["cluster"]
    result = run(args)
    assert_ok(result, changed=True)
    assert describe(ecs)["configuration"]["executeCommandConfiguration"] == {
        "kmsKeyId": "alias/exec",
        "logging": "OVERRIDE",
        "logConfiguration": {"cloudWatchLogGroupName": "/ecs/exec", "cloudWatchEncryptionEnabled": True},
    }
    assert insights_of(ecs) == "enhanced"
    assert result["cluster"]["configuration"]["execute_command_configuration"] == OVERRIDE_EXEC_NORMALISED
    assert result["cluster"] == dict(predicted, cluster_arn=describe(ecs)["clusterArn"])
    assert_ok(run(args), changed=False)


def test_cluster_arn_is_accepted_as_name(run, args, ecs, created):
    result = run(dict(args, name=created["clusterArn"]))
    assert_ok(result, changed=False)
    assert result["cluster"]["cluster_name"] == NAME


def test_interrupted_create_is_completed_without_a_duplicate(run, args, ecs):
    """A create interrupted after CreateCluster (before the rest was applied): the next run finds and completes it."""
    ecs.create_cluster(clusterName=NAME, settings=[{"name": "containerInsights", "value": "disabled"}])
    arn = describe(ecs)["clusterArn"]
    result = run(args, diff=True)
    assert_ok(result, changed=True)
    assert set(result["diff"]["after"]) == {
        "settings",
        "capacity_providers",
        "default_capacity_provider_strategy",
        "tags",
    }
    assert ecs.list_clusters()["clusterArns"] == [arn]
    assert insights_of(ecs) == "enabled"
    assert tags_of(ecs) == {"Stack": "unit"}
    assert_ok(run(args), changed=False)


# --- updates in place ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["enhanced", "disabled"])
def test_container_insights_in_place(run, args, ecs, created, value):
    four_steps(
        run,
        dict(args, container_insights=value),
        ecs,
        insights_of,
        expected=value,
        diff_before={"settings": [{"name": "containerInsights", "value": "enabled"}]},
        diff_after={"settings": [{"name": "containerInsights", "value": value}]},
    )


def test_leaving_container_insights_out_enables_it(run, args, ecs, created):
    assert_ok(run(dict(args, container_insights="disabled")), changed=True)
    assert_ok(run(args), changed=True)
    assert insights_of(ecs) == "enabled"


def test_execute_command_configuration_in_place(run, args, ecs, created):
    def read_back(client):
        return describe(client).get("configuration", {}).get("executeCommandConfiguration")

    four_steps(
        run,
        dict(args, execute_command_configuration=OVERRIDE_EXEC),
        ecs,
        read_back,
        expected={
            "kmsKeyId": "alias/exec",
            "logging": "OVERRIDE",
            "logConfiguration": {"cloudWatchLogGroupName": "/ecs/exec", "cloudWatchEncryptionEnabled": True},
        },
        diff_before={"configuration": {"execute_command_configuration": DEFAULT_EXEC}},
        diff_after={"configuration": {"execute_command_configuration": OVERRIDE_EXEC_NORMALISED}},
    )
    # to S3, then back to the task definition's logging
    s3 = {"logging": "OVERRIDE", "log_configuration": {"s3_bucket_name": "exec-logs", "s3_key_prefix": "exec/"}}
    result = run(dict(args, execute_command_configuration=s3), diff=True)
    assert_ok(result, changed=True)
    assert result["cluster"]["configuration"]["execute_command_configuration"]["log_configuration"] == {
        "cloud_watch_log_group_name": None,
        "cloud_watch_encryption_enabled": False,
        "s3_bucket_name": "exec-logs",
        "s3_encryption_enabled": False,
        "s3_key_prefix": "exec/",
    }
    assert_ok(run(dict(args, execute_command_configuration=s3)), changed=False)
    result = run(dict(args, execute_command_configuration={"logging": "NONE"}))
    assert_ok(result, changed=True)
    assert read_back(ecs) == {"logging": "NONE"}


def test_default_logging_equals_no_configuration(run, args, ecs, created):
    assert "configuration" not in describe(ecs)
    assert_ok(run(dict(args, execute_command_configuration={"logging": "DEFAULT"})), changed=False)


def test_left_out_execute_command_configuration_is_left_alone(run, args, ecs, created):
    assert_ok(run(dict(args, execute_command_configuration=OVERRIDE_EXEC)), changed=True)
    assert_ok(run(args), changed=False)
    assert describe(ecs)["configuration"]["executeCommandConfiguration"]["logging"] == "OVERRIDE"


def test_capacity_providers_compare_as_sets(run, args, ecs, created):
    reordered = dict(
        args,
        capacity_providers=["FARGATE", "FARGATE_SPOT"],
        default_capacity_provider_strategy=list(reversed(STRATEGY)),
    )
    assert_ok(run(reordered, check_mode=True), changed=False)
    assert_ok(run(reordered), changed=False)


def test_strategy_defaults_as_aws_reports_them(run, ecs):
    """A strategy AWS reports without a base (set by someone else) equals the task's with base 0."""
    ecs.create_cluster(
        clusterName=NAME,
        settings=[{"name": "containerInsights", "value": "enabled"}],
        capacityProviders=["FARGATE"],
        defaultCapacityProviderStrategy=[{"capacityProvider": "FARGATE", "weight": 1}],
    )
    args = {
        "name": NAME,
        "capacity_providers": ["FARGATE"],
        "default_capacity_provider_strategy": [{"capacity_provider": "FARGATE", "weight": 1}],
    }
    assert_ok(run(args), changed=False)


def test_capacity_providers_in_place(run, args, ecs, created):
    def read_back(client):
        cluster = describe(client)
        return sorted(cluster["capacityProviders"]), cluster["defaultCapacityProviderStrategy"]

    four_steps(
        run,
        dict(
            args,
            capacity_providers=["FARGATE"],
            default_capacity_provider_strategy=[{"capacity_provider": "FARGATE", "weight": 1}],
        ),
        ecs,
        read_back,
        expected=(["FARGATE"], [{"capacityProvider": "FARGATE", "weight": 1, "base": 0}]),
        diff_before={
            "capacity_providers": ["FARGATE", "FARGATE_SPOT"],
            "default_capacity_provider_strategy": STRATEGY_NORMALISED,
        },
        diff_after={
            "capacity_providers": ["FARGATE"],
            "default_capacity_provider_strategy": [{"capacity_provider": "FARGATE", "weight": 1, "base": 0}],
        },
    )


def test_strategy_alone_keeps_the_providers(run, args, ecs, created):
    only_strategy = {
        "name": NAME,
        "default_capacity_provider_strategy": [{"capacity_provider": "FARGATE_SPOT", "weight": 1}],
    }
    result = run(only_strategy, diff=True)
    assert_ok(result, changed=True)
    assert set(result["diff"]["after"]) == {"default_capacity_provider_strategy"}
    assert sorted(describe(ecs)["capacityProviders"]) == ["FARGATE", "FARGATE_SPOT"]
    assert describe(ecs)["defaultCapacityProviderStrategy"] == [
        {"capacityProvider": "FARGATE_SPOT", "weight": 1, "base": 0}
    ]


def test_empty_strategy_removes_it(run, args, ecs, created):
    assert_ok(run(dict(args, default_capacity_provider_strategy=[])), changed=True)
    assert describe(ecs)["defaultCapacityProviderStrategy"] == []
    assert_ok(run(dict(args, default_capacity_provider_strategy=[])), changed=False)


@pytest.mark.parametrize("check_mode", [True, False])
def test_strategy_naming_a_provider_the_cluster_lacks_fails_without_changes(run, ecs, check_mode):
    assert_ok(run({"name": NAME, "capacity_providers": ["FARGATE"], "tags": {"a": "1"}}), changed=True)
    state = snapshot(ecs)
    result = run(
        {
            "name": NAME,
            "container_insights": "disabled",
            "tags": {"a": "2"},
            "default_capacity_provider_strategy": [{"capacity_provider": "FARGATE_SPOT", "weight": 1}],
        },
        check_mode=check_mode,
    )
    assert result["failed"]
    assert (
        "FARGATE_SPOT, which is not among the cluster's capacity providers (the cluster has: FARGATE)" in result["msg"]
    )
    assert snapshot(ecs) == state


def test_removing_a_provider_the_current_strategy_uses_fails_without_changes(run, args, ecs, created):
    state = snapshot(ecs)
    result = run({"name": NAME, "capacity_providers": ["FARGATE_SPOT"]})
    assert result["failed"]
    assert (
        "names FARGATE, which is not among the cluster's capacity providers (capacity_providers: FARGATE_SPOT)"
        in (result["msg"])
    )
    assert snapshot(ecs) == state


def test_tags(run, args, ecs, created):
    four_steps(
        run,
        dict(args, tags={"Stack": "unit", "Environment": "test"}),
        ecs,
        tags_of,
        expected={"Stack": "unit", "Environment": "test"},
        diff_before={"tags": {"Stack": "unit"}},
        diff_after={"tags": {"Stack": "unit", "Environment": "test"}},
    )
    # without purge, unlisted tags stay
    assert_ok(run(dict(args, tags={"Owner": "me"}, purge_tags=False)), changed=True)
    assert tags_of(ecs) == {"Stack": "unit", "Environment": "test", "Owner": "me"}
    # with purge, they go
    result = run(dict(args, tags={"Owner": "me"}), diff=True)
    assert_ok(result, changed=True)
    assert tags_of(ecs) == {"Owner": "me"}
    assert result["diff"]["after"] == {"tags": {"Owner": "me"}}
    # left out, they are left alone
    assert_ok(run({"name": NAME}), changed=False)
    assert tags_of(ecs) == {"Owner": "me"}


def test_several_changes_in_one_run(run, args, ecs, created):
    result = run(
        dict(
            args,
            container_insights="disabled",
            execute_command_configuration={"logging": "NONE"},
            capacity_providers=["FARGATE"],
            default_capacity_provider_strategy=[],
            tags={},
        ),
        diff=True,
    )
    assert_ok(result, changed=True)
    assert set(result["diff"]["before"]) == {
        "settings",
        "configuration",
        "capacity_providers",
        "default_capacity_provider_strategy",
        "tags",
    }
    cluster = describe(ecs)
    assert insights_of(ecs) == "disabled"
    assert cluster["configuration"]["executeCommandConfiguration"] == {"logging": "NONE"}
    assert cluster["capacityProviders"] == ["FARGATE"]
    assert tags_of(ecs) == {}


# --- absent ----------------------------------------------------------------------------------------------------


def test_delete_four_steps(run, args, ecs, created):
    absent = {"name": NAME, "state": "absent"}

    result = run(absent, check_mode=True, diff=True)
    assert_ok(result, changed=True)
    assert describe(ecs)["status"] == "ACTIVE"
    assert result["diff"]["before"]["cluster_arn"] == created["clusterArn"]
    assert result["diff"]["before"]["tags"] == {"Stack": "unit"}
    assert result["diff"]["after"] == {}
    assert result["cluster"] == {}

    result = run(absent, diff=True)
    assert_ok(result, changed=True)
    assert describe(ecs)["status"] == "INACTIVE"
    assert active_clusters(ecs) == []
    assert result["cluster"] == {}

    # INACTIVE counts as absent
    assert_ok(run(absent, check_mode=True), changed=False)
    result = run(absent, diff=True)
    assert_ok(result, changed=False)
    assert result["diff"] == {"before": {}, "after": {}}


def test_absent_when_it_never_existed(run, ecs):
    assert_ok(run({"name": NAME, "state": "absent"}), changed=False)


def test_present_after_absent_creates_it_again(run, args, ecs, created):
    assert_ok(run({"name": NAME, "state": "absent"}), changed=True)
    result = run(args, diff=True)
    assert_ok(result, changed=True)
    assert result["diff"]["before"] == {}
    assert describe(ecs)["status"] == "ACTIVE"
    assert tags_of(ecs) == {"Stack": "unit"}


def test_delete_ignores_present_only_options(run, ecs):
    result = run(
        {
            "name": NAME,
            "state": "absent",
            "default_capacity_provider_strategy": [{"capacity_provider": "FARGATE", "weight": 0}],
        }
    )
    assert_ok(result, changed=False)


@pytest.mark.parametrize("check_mode", [True, False])
def test_delete_with_active_services_fails_and_lists_them(run, args, ecs, created, check_mode):
    create_service(ecs, name="web")
    create_service(ecs, name="api")
    state = snapshot(ecs)
    result = run({"name": NAME, "state": "absent"}, check_mode=check_mode)
    assert result["failed"]
    assert result["msg"].startswith(
        f"Cannot delete ECS cluster {NAME}: it still contains services api (ACTIVE), web (ACTIVE)"
    )
    assert "delete them first" in result["msg"]
    assert result["services"] == [
        {"service_name": "api", "status": "ACTIVE"},
        {"service_name": "web", "status": "ACTIVE"},
    ]
    assert snapshot(ecs) == state


def service_model(name="web"):
    """moto's own Service object, to put a service into the DRAINING state AWS gives a deleted one for a while."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ecs.models import ecs_backends

    return ecs_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].services[f"{NAME}:{name}"]


@pytest.fixture(params=["unlisted", "listed"])
def listing(request, monkeypatch):
    """Whether ListServices lists DRAINING services: AWS does not ("unlisted"), moto 5.2.5 does ("listed"). The module
    must wait for them either way. Pinned here, whatever other extensions this process has installed."""
    from moto.ecs.models import EC2ContainerServiceBackend

    def list_services(self, cluster_str, scheduling_strategy=None, launch_type=None):
        cluster = self._get_cluster(cluster_str)
        wanted = ("ACTIVE",) if request.param == "unlisted" else ("ACTIVE", "DRAINING", "INACTIVE")
        return sorted(
            service.arn
            for key, service in self.services.items()
            if key.startswith(f"{cluster.name}:") and service.status in wanted
        )

    monkeypatch.setattr(EC2ContainerServiceBackend, "list_services", list_services)
    # should ecs_service_lifecycle be installed in this process, its own draining must not end first
    monkeypatch.setenv("EMULATOR_ECS_DRAINING_SECONDS", "60")
    return request.param


def drain(name="web", seconds=1.0):
    """The service is DRAINING now and INACTIVE after ``seconds``."""
    model = service_model(name)
    model.status = "DRAINING"
    timer = threading.Timer(seconds, setattr, (model, "status", "INACTIVE"))
    timer.start()
    return timer


def test_inactive_services_do_not_block(run, args, ecs, created, listing):
    create_service(ecs, name="web")
    service_model("web").status = "INACTIVE"
    assert_ok(run({"name": NAME, "state": "absent"}), changed=True)
    assert describe(ecs)["status"] == "INACTIVE"


def test_draining_services_are_waited_for(run, args, ecs, created, listing):
    create_service(ecs, name="web")
    timer = drain("web", seconds=1.0)
    started = time.monotonic()
    result = run({"name": NAME, "state": "absent", "wait_timeout": 30})
    timer.join()
    assert_ok(result, changed=True)
    assert time.monotonic() - started >= 1.0
    assert describe(ecs)["status"] == "INACTIVE"


def test_draining_services_past_the_timeout_fail(run, args, ecs, created, listing):
    create_service(ecs, name="web")
    timer = drain("web", seconds=10.0)
    result = run({"name": NAME, "state": "absent", "wait_timeout": 1})
    timer.cancel()
    assert result["failed"]
    assert "still draining after 1 seconds" in result["msg"]
    if listing == "listed":
        assert "still contains service web (DRAINING)" in result["msg"]
    assert describe(ecs)["status"] == "ACTIVE"


def test_draining_services_without_wait_fail_at_once(run, args, ecs, created, listing):
    create_service(ecs, name="web")
    timer = drain("web", seconds=10.0)
    started = time.monotonic()
    result = run({"name": NAME, "state": "absent", "wait": False})
    timer.cancel()
    assert result["failed"]
    assert time.monotonic() - started < 5.0, "not waiting for the 10 s of draining (a loaded machine's run takes time)"
    assert "set wait: true" in result["msg"]
    if listing == "listed":
        assert "web (DRAINING)" in result["msg"]
    assert describe(ecs)["status"] == "ACTIVE"


def test_draining_services_in_check_mode_predict_without_waiting(run, args, ecs, created, listing):
    create_service(ecs, name="web")
    timer = drain("web", seconds=10.0)
    started = time.monotonic()
    result = run({"name": NAME, "state": "absent"}, check_mode=True)
    timer.cancel()
    assert_ok(result, changed=True)
    assert time.monotonic() - started < 5.0, "check mode never waits (for the 10 s of draining)"
    if listing == "listed":  # only what is listed can be named
        assert any("web are still draining" in warning for warning in result["warnings"])
    assert describe(ecs)["status"] == "ACTIVE"


def test_negative_wait_timeout_fails(run, args, ecs, created):
    result = run({"name": NAME, "state": "absent", "wait_timeout": -1})
    assert result["failed"]
    assert "wait_timeout must be 0 or more" in result["msg"]
    assert describe(ecs)["status"] == "ACTIVE"


def test_service_created_between_lookup_and_delete_is_reported(run, args, ecs, created, monkeypatch):
    """AWS's own refusal (ClusterContainsServicesException) is turned into the same message."""
    from ansible_collections.cloudops.fargate.plugins.module_utils import _ecs_cluster

    create_service(ecs, name="web")
    real_services = _ecs_cluster.ClusterManager.services
    calls = []

    def services_seen_late(self, name):
        calls.append(name)
        return [] if len(calls) == 1 else real_services(self, name)

    monkeypatch.setattr(_ecs_cluster.ClusterManager, "services", services_seen_late)
    result = run({"name": NAME, "state": "absent"})
    assert result["failed"]
    assert f"Cannot delete ECS cluster {NAME}: it still contains service web (ACTIVE)" in result["msg"]
    assert describe(ecs)["status"] == "ACTIVE"


# --- bad input fails before anything changes -----------------------------------------------------------------


BAD_INPUTS = [
    ({"name": "a" * 256}, "name must be at most 255 characters long"),
    ({"name": "bad name"}, "may contain only letters, digits, underscores and hyphens"),
    ({"name": ""}, "name must be a non-empty string"),
    ({"container_insights": "on"}, "container_insights"),
    ({"capacity_providers": ["EC2"]}, "capacity_providers"),
    ({"capacity_providers": ["FARGATE", "FARGATE"]}, "capacity_providers lists FARGATE more than once"),
    (
        {"default_capacity_provider_strategy": [{"capacity_provider": "FARGATE", "weight": 1001}]},
        "weight must be an integer from 0 to 1000",
    ),
    (
        {"default_capacity_provider_strategy": [{"capacity_provider": "FARGATE", "weight": 1, "base": -1}]},
        "base must be an integer from 0 to 100000",
    ),
    (
        {
            "default_capacity_provider_strategy": [
                {"capacity_provider": "FARGATE", "weight": 1, "base": 1},
                {"capacity_provider": "FARGATE_SPOT", "weight": 1, "base": 2},
            ]
        },
        "only one capacity provider of default_capacity_provider_strategy can have a base",
    ),
    (
        {"default_capacity_provider_strategy": [{"capacity_provider": "FARGATE", "weight": 0}]},
        "needs a weight above 0",
    ),
    (
        {
            "default_capacity_provider_strategy": [
                {"capacity_provider": "FARGATE", "weight": 1},
                {"capacity_provider": "FARGATE", "weight": 2},
            ]
        },
        "lists FARGATE more than once",
    ),
    (
        {
            "capacity_providers": ["FARGATE"],
            "default_capacity_provider_strategy": [{"capacity_provider": "FARGATE_SPOT", "weight": 1}],
        },
        "names FARGATE_SPOT, which is not among the cluster's capacity providers",
    ),
    ({"execute_command_configuration": {"logging": "OVERRIDE"}}, "log_configuration with a cloud_watch_log_group_name"),
    (
        {"execute_command_configuration": {"logging": "DEFAULT", "log_configuration": {"s3_bucket_name": "b"}}},
        "log_configuration is only valid with logging OVERRIDE",
    ),
    (
        {
            "execute_command_configuration": {
                "logging": "OVERRIDE",
                "log_configuration": {"s3_bucket_name": "b", "cloud_watch_encryption_enabled": True},
            }
        },
        "cloud_watch_encryption_enabled needs cloud_watch_log_group_name",
    ),
    (
        {
            "execute_command_configuration": {
                "logging": "OVERRIDE",
                "log_configuration": {"cloud_watch_log_group_name": "g", "s3_key_prefix": "p"},
            }
        },
        "s3_key_prefix needs s3_bucket_name",
    ),
    ({"execute_command_configuration": {"logging": "ALL"}}, "logging"),
    ({"tags": {"aws:owner": "me"}}, "reserved by AWS"),
]


@pytest.mark.parametrize(("overrides", "message"), BAD_INPUTS)
@pytest.mark.parametrize("check_mode", [True, False])
def test_bad_input_fails_before_anything_is_created(run, args, ecs, overrides, message, check_mode):
    result = run({**args, **overrides}, check_mode=check_mode)
    assert result["failed"]
    assert message in result["msg"]
    assert active_clusters(ecs) == []


@pytest.mark.parametrize(("overrides", "message"), [b for b in BAD_INPUTS if "name" not in b[0]])
def test_bad_input_fails_on_an_existing_cluster_without_changes(run, args, ecs, created, overrides, message):
    state = snapshot(ecs)
    # a valid change alongside, to show nothing at all is applied
    result = run({**args, "container_insights": "disabled", "tags": {"Other": "x"}, **overrides})
    assert result["failed"]
    assert message in result["msg"]
    assert snapshot(ecs) == state


def test_every_error_is_reported_at_once(run, ecs):
    result = run(
        {
            "name": "bad name",
            "capacity_providers": ["FARGATE", "FARGATE"],
            "execute_command_configuration": {"logging": "OVERRIDE"},
            "tags": {"aws:x": "1"},
        }
    )
    assert result["failed"]
    for message in ("may contain only", "more than once", "log_configuration with", "reserved by AWS"):
        assert message in result["msg"]


def test_absent_with_an_invalid_name_fails(run, ecs):
    result = run({"name": "bad name", "state": "absent"})
    assert result["failed"]
    assert "may contain only letters" in result["msg"]


# --- AWS's transient refusals ---------------------------------------------------------------------------------


@pytest.fixture
def quick_retries(monkeypatch):
    """call_through on a clock twenty times faster (its backoff of about 1, 2, 4 ... s and its timeout pass in a
    twentieth of the time); DeleteCluster polled every 0.05 s."""
    from ansible_collections.cloudops.fargate.plugins.module_utils import _common
    from ansible_collections.cloudops.fargate.plugins.module_utils import _ecs_cluster

    quick = functools.partial(
        _common.call_through, sleep=lambda seconds: time.sleep(seconds / 20), clock=lambda: time.monotonic() * 20
    )
    monkeypatch.setattr(_ecs_cluster, "call_through", quick, raising=False)
    monkeypatch.setattr(_ecs_cluster, "DRAIN_POLL_DELAY", 0.05)


@pytest.fixture
def realistic():
    """The emulator's realistic mode in this process (no throttling), at 1/100 of AWS's clock unless a test says
    otherwise; plain mode again afterwards."""
    from emulator import realism

    def switch(time_scale=0.01):
        realism.configure({"realistic": True, "time_scale": time_scale, "throttle_rate": 0.0})

    switch()
    yield switch
    realism.reset()


@pytest.fixture
def fresh_account(monkeypatch, realistic):
    """An account without ECS's service-linked role: the first CreateCluster makes ECS create it and is refused, like
    every CreateCluster until the role is usable (emulator/extensions/ecs_service_linked_role.py, for this test
    only)."""
    from moto.ecs.models import EC2ContainerServiceBackend

    from emulator.extensions import ecs_service_linked_role

    create_cluster = EC2ContainerServiceBackend.create_cluster

    def refused_while_the_role_is_new(self, *args, **kwargs):
        ecs_service_linked_role.check(self)
        return create_cluster(self, *args, **kwargs)

    monkeypatch.setattr(EC2ContainerServiceBackend, "create_cluster", refused_while_the_role_is_new)
    return realistic


def test_create_on_a_fresh_account_waits_for_the_service_linked_role(run, args, ecs, calls, quick_retries, fresh_account):
    result = run(args)
    assert_ok(result, changed=True)
    assert result["cluster"]["cluster_arn"] == describe(ecs)["clusterArn"]
    assert calls.count(("ecs", "CreateCluster")) > 1, "refused first, while ECS created its service-linked role"
    assert active_clusters(ecs) == [NAME]
    assert_ok(run(args), changed=False)


def test_create_past_the_timeout_fails_saying_how_long(run, args, ecs, calls, quick_retries, fresh_account):
    fresh_account(time_scale=1.0)  # the role takes AWS's 15 s to be usable, more than wait_timeout
    started = time.monotonic()
    result = run({**args, "wait_timeout": 1})
    assert result["failed"]
    assert time.monotonic() - started < 5
    assert f"Failed to create ECS cluster {NAME} (AWS still answered InvalidParameterException after 1 s)" in result[
        "msg"
    ]
    assert "Unable to assume the service linked role" in result["msg"]
    assert active_clusters(ecs) == []


def test_create_without_wait_starts_the_service_linked_role_and_a_later_run_creates_the_cluster(
    run, args, ecs, calls, fresh_account
):
    # the role takes 1/100 of AWS's 15 s to be usable
    result = run({**args, "wait": False})
    assert_ok(result, changed=True)
    assert result["cluster"] == {} and result["service_linked_role_pending"] is True
    assert calls.count(("ecs", "CreateCluster")) == 1, "not retried"
    assert active_clusters(ecs) == []

    time.sleep(0.3)
    result = run({**args, "wait": False})
    assert_ok(result, changed=True)
    assert result["service_linked_role_pending"] is False
    assert result["cluster"]["cluster_arn"] == describe(ecs)["clusterArn"]
    assert_ok(run(args), changed=False)


def test_create_without_wait_refused_for_another_reason_fails(run, args, ecs, monkeypatch):
    from moto.ecs.exceptions import InvalidParameterException
    from moto.ecs.models import EC2ContainerServiceBackend

    def refused(self, *args, **kwargs):
        raise InvalidParameterException("The specified capacity provider strategy is not valid.")

    monkeypatch.setattr(EC2ContainerServiceBackend, "create_cluster", refused)
    result = run({**args, "wait": False})
    assert result["failed"] and "capacity provider strategy is not valid" in result["msg"]


def test_create_refused_for_another_reason_fails_at_once(run, args, ecs, calls, quick_retries, monkeypatch):
    """Only the service-linked role's message is retried, not every InvalidParameterException."""
    from moto.ecs.exceptions import InvalidParameterException
    from moto.ecs.models import EC2ContainerServiceBackend

    def refused(self, *args, **kwargs):
        raise InvalidParameterException("The specified capacity provider strategy is not valid.")

    monkeypatch.setattr(EC2ContainerServiceBackend, "create_cluster", refused)
    result = run(args)
    assert result["failed"]
    assert result["msg"].startswith(f"Failed to create ECS cluster {NAME}")
    assert "still answered" not in result["msg"]
    assert calls.count(("ecs", "CreateCluster")) == 1


@pytest.fixture
def stopping_tasks(monkeypatch):
    """``stopping_tasks(seconds)``: the tasks of the cluster's deleted service web stop ``seconds`` from now (None:
    never); until then DeleteCluster answers ClusterContainsTasksException, as
    emulator/extensions/ecs_cluster_contains_services.py does in realistic mode (ecs.tasks_stopping)."""
    from emulator.extensions import ecs_cluster_contains_services

    def until(seconds=None):
        deadline = None if seconds is None else time.monotonic() + seconds
        monkeypatch.setattr(
            ecs_cluster_contains_services,
            "tasks_stopping",
            lambda service: service.name == "web" and (deadline is None or time.monotonic() < deadline),
        )

    return until


@pytest.fixture
def deleted_service(ecs, created):
    """Service web of the cluster, deleted (INACTIVE)."""
    create_service(ecs, name="web")
    service_model("web").status = "INACTIVE"


def test_stopping_tasks_of_a_deleted_service_are_waited_for(run, ecs, deleted_service, stopping_tasks, quick_retries):
    stopping_tasks(0.3)
    started = time.monotonic()
    result = run({"name": NAME, "state": "absent", "wait_timeout": 30})
    assert_ok(result, changed=True)
    assert time.monotonic() - started >= 0.3
    assert describe(ecs)["status"] == "INACTIVE"


def test_stopping_tasks_past_the_timeout_fail_saying_so(run, ecs, deleted_service, stopping_tasks, quick_retries):
    stopping_tasks(None)
    result = run({"name": NAME, "state": "absent", "wait_timeout": 1})
    assert result["failed"]
    assert result["msg"].startswith(
        f"Cannot delete ECS cluster {NAME}: the tasks of its deleted services are still stopping"
    )
    assert "They were still stopping after 1 seconds; raise wait_timeout" in result["msg"]
    assert result["tasks"] == []  # the emulator lists no stopping task: it models them by time
    assert describe(ecs)["status"] == "ACTIVE"


def test_stopping_tasks_without_wait_fail_at_once(run, ecs, deleted_service, stopping_tasks, quick_retries, calls):
    stopping_tasks(10)
    result = run({"name": NAME, "state": "absent", "wait": False})
    assert result["failed"]
    assert "still stopping" in result["msg"] and "or set wait: true" in result["msg"]
    assert calls.count(("ecs", "DeleteCluster")) == 1
    assert describe(ecs)["status"] == "ACTIVE"


def test_tasks_nothing_stops_fail_at_once_named(run, ecs, deleted_service, stopping_tasks, quick_retries, calls):
    """A task meant to run (started by RunTask) never stops by itself: no wait, the task is named."""
    stopping_tasks(None)
    ecs.register_task_definition(family="batch", containerDefinitions=[{"name": "job", "image": "nginx", "memory": 64}])
    task = ecs.run_task(cluster=NAME, taskDefinition="batch", launchType="FARGATE", startedBy="unit")["tasks"][0]
    task_id = task["taskArn"].rsplit("/", 1)[-1]
    result = run({"name": NAME, "state": "absent", "wait_timeout": 30})
    assert result["failed"]
    assert f"it still runs task {task_id} (family:batch" in result["msg"]
    assert "which nothing is stopping" in result["msg"]
    assert [t["task_id"] for t in result["tasks"]] == [task_id]
    assert calls.count(("ecs", "DeleteCluster")) == 1
    assert describe(ecs)["status"] == "ACTIVE"
