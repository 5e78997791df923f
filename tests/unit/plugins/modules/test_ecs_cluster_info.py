"""cloudops.fargate.ecs_cluster_info against moto in this process: clusters in ecs_cluster's shape, with the tasks that
keep them from being deleted (in realistic mode, the stopping tasks of a deleted service that the project's ECS
extensions show)."""

from __future__ import annotations

import pytest

from ansible_collections.cloudops.fargate.plugins.modules import ecs_cluster
from ansible_collections.cloudops.fargate.plugins.modules import ecs_cluster_info
from emulator import extensions
from emulator import realism
from emulator.extensions import ecs_cluster_contains_services
from tests.unit.helpers import assert_ok
from tests.unit.helpers import wait_until
from tests.unit.plugins.modules.test_documentation import documentation
from tests.unit.plugins.modules.test_ecs_service import EXTENSIONS
from tests.unit.plugins.modules.test_ecs_service import register

NAME = "unit-cluster"
STOPPING = ("DEACTIVATING", "STOPPING", "DEPROVISIONING")


@pytest.fixture(autouse=True)
def emulator_extensions():
    """The ECS gaps of moto filled as test_ecs_service.py fills them (process-wide, idempotent; in the order
    extensions.WRAP_ORDER gives), and DeleteCluster's refusals. They change nothing in plain mode, where a deleted
    service leaves no task stopping."""
    extensions.install(extension.__name__ for extension in (*EXTENSIONS, ecs_cluster_contains_services))


@pytest.fixture
def ecs(aws):
    return aws("ecs")


@pytest.fixture
def info(run_module):
    def run_info(names, check_mode=False):
        return run_module(ecs_cluster_info, {"names": names}, check_mode=check_mode)

    return run_info


@pytest.fixture
def created(run_module, aws):
    """Creates a cluster with ecs_cluster; returns the cluster that module returned."""

    def create(name=NAME):
        result = run_module(ecs_cluster, {"name": name, "tags": {"Stack": "unit"}})
        assert_ok(result, changed=True)
        return result["cluster"]

    return create


def run_tasks(ecs, count, family="batch"):
    """``count`` tasks started by RunTask (meant to run: nothing stops them); their ARNs."""
    ecs.register_task_definition(family=family, containerDefinitions=[{"name": "job", "image": "nginx", "memory": 64}])
    arns = []
    while len(arns) < count:
        started = ecs.run_task(cluster=NAME, taskDefinition=family, launchType="FARGATE", count=min(10, count - len(arns)))
        arns.extend(task["taskArn"] for task in started["tasks"])
    return arns


def test_returns_the_clusters_in_the_ecs_cluster_shape_with_no_active_task(created, info):
    cluster = created()
    result = info([NAME])
    assert_ok(result, changed=False)
    assert result["clusters"] == [dict(cluster, active_tasks=[])]
    assert result["clusters"][0]["tags"] == {"Stack": "unit"}


def test_names_and_arns_in_their_order_each_cluster_once(created, info):
    first = created("unit-a")
    second = created("unit-b")
    result = info([second["cluster_arn"], "unit-a", "unit-b", "unit-missing"])
    assert_ok(result, changed=False)
    assert [cluster["cluster_name"] for cluster in result["clusters"]] == ["unit-b", "unit-a"]
    assert result["clusters"][1]["cluster_arn"] == first["cluster_arn"]


def test_missing_clusters_are_left_out(aws, info):
    result = info(["unit-missing"])
    assert_ok(result, changed=False)
    assert result["clusters"] == []


def test_no_names_reads_nothing(aws, info, calls):
    result = info([])
    assert_ok(result, changed=False)
    assert result["clusters"] == [] and calls == []


def test_more_than_a_hundred_names_are_described_a_hundred_a_call(created, info, calls):
    created()
    names = [f"unit-missing-{index}" for index in range(150)] + [NAME]
    calls.clear()
    result = info(names)
    assert [cluster["cluster_name"] for cluster in result["clusters"]] == [NAME]
    assert calls.count(("ecs", "DescribeClusters")) == 2


def test_an_inactive_cluster_is_returned_with_its_status_and_no_task(ecs, created, info, calls):
    created()
    ecs.delete_cluster(cluster=NAME)
    calls.clear()
    (cluster,) = info([NAME])["clusters"]
    assert cluster["status"] == "INACTIVE"
    assert cluster["active_tasks"] == []
    assert ("ecs", "ListTasks") not in calls, "an INACTIVE cluster has no task left"


def test_tasks_meant_to_run_are_active(ecs, created, info):
    created()
    (arn,) = run_tasks(ecs, 1)
    (cluster,) = info([NAME])["clusters"]
    (task,) = cluster["active_tasks"]
    assert task["task_arn"] == arn
    assert (task["desired_status"], task["group"], task["stopped_reason"]) == ("RUNNING", "family:batch", None)
    assert task["last_status"] != "STOPPED"


def test_every_task_is_read_a_hundred_a_call(ecs, created, info, calls):
    created()
    arns = run_tasks(ecs, 150)
    calls.clear()
    (cluster,) = info([NAME])["clusters"]
    assert sorted(task["task_arn"] for task in cluster["active_tasks"]) == sorted(arns)
    assert calls.count(("ecs", "DescribeTasks")) == 2
    assert ("ecs", "ListTasks") in calls


def test_stopped_tasks_are_not_active(ecs, created, info):
    created()
    (arn,) = run_tasks(ecs, 1)
    ecs.stop_task(cluster=NAME, task=arn, reason="done")
    assert info([NAME])["clusters"][0]["active_tasks"] == []


def test_check_mode_reads_the_same(ecs, created, info):
    created()
    run_tasks(ecs, 1)
    result = info([NAME], check_mode=True)
    assert_ok(result, changed=False)
    ((task,),) = [cluster["active_tasks"] for cluster in result["clusters"]]
    assert task["desired_status"] == "RUNNING"


def test_names_that_cannot_be_a_cluster_s_fail_naming_them(aws, info, calls):
    result = info(["bad name", NAME, ""])
    assert result["failed"]
    assert "names[0] 'bad name' may contain only" in result["msg"]
    assert "names[2] must be a non-empty string" in result["msg"]
    assert calls == []


# --- a deleted service's tasks, in realistic mode --------------------------------------------------------------------


@pytest.fixture
def realistic():
    """The emulator's realistic mode in this process (no throttling): a deleted service drains for 1 s, then its
    tasks stop for 4 s more (STOPPING, then DEPROVISIONING, 2 s each); plain mode again afterwards."""
    realism.configure(
        {
            "realistic": True,
            "time_scale": 0.01,
            "throttle_rate": 0.0,
            "behaviour_seconds": {"ecs.draining": 1.0, "ecs.tasks_stopping": 4.0},
        }
    )
    yield
    realism.reset()


@pytest.fixture
def deleted_service(aws, ecs, created):
    """Service web of the cluster, with 2 tasks, deleted just now."""
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.70.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.70.1.0/24")["Subnet"]["SubnetId"]
    created()
    ecs.create_service(
        cluster=NAME,
        serviceName="web",
        taskDefinition=register(ecs, "nginx:1.27"),
        desiredCount=2,
        launchType="FARGATE",
        networkConfiguration={"awsvpcConfiguration": {"subnets": [subnet], "securityGroups": []}},
    )
    ecs.delete_service(cluster=NAME, service="web", force=True)


def active_tasks(info, check_mode=False):
    return [task for cluster in info([NAME], check_mode)["clusters"] for task in cluster["active_tasks"]]


def test_a_deleted_service_s_tasks_are_active_until_they_stop(realistic, deleted_service, ecs, info, run_module, calls):
    # within 5 s of the deletion: the tasks are stopping
    for check_mode in (False, True):
        tasks = active_tasks(info, check_mode)
        assert len(tasks) == 2
        for task in tasks:
            assert task["last_status"] in STOPPING
            assert (task["desired_status"], task["group"]) == ("STOPPED", "service:web")
            assert task["stopped_reason"].startswith("Scaling activity initiated by (deployment ecs-svc/")

    # once the service is INACTIVE (1 s), its tasks still stop for 4 s: DeleteCluster is refused for them
    wait_until(
        lambda: ecs.describe_services(cluster=NAME, services=["web"])["services"][0]["status"] == "INACTIVE",
        "the service is INACTIVE",
        timeout=30,
        interval=0.1,
    )
    refused = run_module(ecs_cluster, {"name": NAME, "state": "absent", "wait": False})
    assert refused["failed"]
    assert "the tasks of its deleted services are still stopping" in refused["msg"]
    assert len(refused["tasks"]) == 2 and {task["group"] for task in refused["tasks"]} == {"service:web"}

    # once none is active, DeleteCluster succeeds at its first try
    wait_until(lambda: active_tasks(info) == [], "the tasks stopped", timeout=30, interval=0.2)
    calls.clear()
    assert_ok(run_module(ecs_cluster, {"name": NAME, "state": "absent", "wait": False}), changed=True)
    assert calls.count(("ecs", "DeleteCluster")) == 1
    (cluster,) = info([NAME])["clusters"]
    assert (cluster["status"], cluster["active_tasks"]) == ("INACTIVE", [])


def test_plain_mode_leaves_no_task_of_a_deleted_service(deleted_service, info):
    assert active_tasks(info) == []


# --- documentation ----------------------------------------------------------------------------------------------


def test_return_documents_what_ecs_cluster_returns():
    """Every key of ecs_cluster's cluster is documented here, and the active tasks."""
    mine = documentation(ecs_cluster_info, "RETURN")["clusters"]["contains"]
    theirs = documentation(ecs_cluster, "RETURN")["cluster"]["contains"]
    assert set(mine) - {"active_tasks"} == set(theirs)
    assert set(mine["active_tasks"]["contains"]) == {
        "task_arn",
        "last_status",
        "desired_status",
        "group",
        "stopped_reason",
    }
