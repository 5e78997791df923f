"""cloudops.fargate.ecs_task_definition against moto in this process; every outcome is read back with boto3."""

from __future__ import annotations

from copy import deepcopy

import pytest

from ansible_collections.cloudops.fargate.plugins.module_utils import _ecs_task_definition
from ansible_collections.cloudops.fargate.plugins.modules import ecs_task_definition
from emulator.extensions import ecs_task_definition_defaults
from emulator.extensions import ecs_task_definition_port_mappings
from tests.unit.helpers import assert_ok

FAMILY = "unit-web"
ACCOUNT = "123456789012"
EXECUTION_ROLE = f"arn:aws:iam::{ACCOUNT}:role/unit-execution"
TASK_ROLE = f"arn:aws:iam::{ACCOUNT}:role/unit-task"
DB_SECRET = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:unit/db-AbCdEf"
NGINX_IMAGE = "public.ecr.aws/nginx/nginx:1.27.3"
APP_IMAGE = f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/unit/app@sha256:{'a' * 64}"


def containers():
    return [
        {
            "name": "nginx",
            "image": NGINX_IMAGE,
            "portMappings": [{"containerPort": 8080}],
            "dependsOn": [{"containerName": "app", "condition": "START"}],
            "logConfiguration": {
                "logDriver": "awslogs",
                "options": {
                    "awslogs-group": "/unit/web",
                    "awslogs-region": "us-east-1",
                    "awslogs-stream-prefix": "nginx",
                },
            },
        },
        {
            "name": "app",
            "image": APP_IMAGE,
            "environment": [{"name": "LISTEN_PORT", "value": "9000"}, {"name": "LOG_LEVEL", "value": "info"}],
            "secrets": [{"name": "DB_PASSWORD", "valueFrom": DB_SECRET}],
            "dockerLabels": {"com.example.Team": "web"},
        },
    ]


@pytest.fixture(autouse=True)
def registration_defaults_extensions():
    """moto fills in port mappings and the other defaults the way AWS does on registration
    (emulator/extensions/ecs_task_definition_port_mappings.py, ecs_task_definition_defaults.py)."""
    ecs_task_definition_port_mappings.install()
    ecs_task_definition_defaults.install()


@pytest.fixture
def ecs(aws):
    return aws("ecs")


@pytest.fixture
def args():
    return {
        "family": FAMILY,
        "cpu": 256,
        "memory": 512,
        "execution_role_arn": EXECUTION_ROLE,
        "task_role_arn": TASK_ROLE,
        "container_definitions": containers(),
        "tags": {"Stack": "unit"},
    }


@pytest.fixture
def run(run_module, ecs):
    def run_task_definition(args, check_mode=False, diff=False):
        return run_module(ecs_task_definition, args, check_mode=check_mode, diff=diff)

    return run_task_definition


@pytest.fixture
def registered(run, args, ecs):
    """The task definition of ``args`` registered by the module; returns its ARN."""
    result = run(args)
    assert_ok(result, changed=True)
    return result["arn"]


def with_container(args, which, /, **fields):
    """``args`` with the container named ``which`` updated with ``fields``."""
    changed = deepcopy(args)
    for container in changed["container_definitions"]:
        if container["name"] == which:
            container.update(fields)
    return changed


def active(ecs, family=FAMILY):
    arns = ecs.list_task_definitions(familyPrefix=family, status="ACTIVE")["taskDefinitionArns"]
    return sorted(arns, key=lambda arn: int(arn.rsplit(":", 1)[1]))


def inactive(ecs, family=FAMILY):
    return sorted(ecs.list_task_definitions(familyPrefix=family, status="INACTIVE")["taskDefinitionArns"])


def describe(ecs, arn):
    return ecs.describe_task_definition(taskDefinition=arn)["taskDefinition"]


def container_of(ecs, arn, name):
    return next(c for c in describe(ecs, arn)["containerDefinitions"] if c["name"] == name)


def tags_of(ecs, arn):
    return {t["key"]: t["value"] for t in ecs.list_tags_for_resource(resourceArn=arn)["tags"]}


def snapshot(ecs):
    """Everything a failed or check-mode run must leave untouched: every revision, its status and tags."""
    arns = ecs.list_task_definitions(status="ACTIVE")["taskDefinitionArns"]
    arns += ecs.list_task_definitions(status="INACTIVE")["taskDefinitionArns"]
    return {arn: (describe(ecs, arn)["status"], tags_of(ecs, arn)) for arn in arns}


def arn(revision, family=FAMILY):
    return f"arn:aws:ecs:us-east-1:{ACCOUNT}:task-definition/{family}:{revision}"


# --- register: the four steps -------------------------------------------------------------------------------


def test_register_four_steps(run, args, ecs):
    # 1. check mode predicts the registration and registers nothing
    result = run(args, check_mode=True, diff=True)
    assert_ok(result, changed=True)
    assert snapshot(ecs) == {}
    assert (result["registered"], result["arn"], result["revision"], result["deregistered"]) == (True, None, None, [])
    predicted = result["task_definition"]
    assert predicted["family"] == FAMILY
    assert (predicted["cpu"], predicted["memory"], predicted["network_mode"]) == ("256", "512", "awsvpc")
    assert predicted["requires_compatibilities"] == ["FARGATE"]
    assert predicted["tags"] == {"Stack": "unit"}
    nginx = predicted["container_definitions"][0]
    assert nginx["port_mappings"] == [{"container_port": 8080, "host_port": 8080, "protocol": "tcp"}]
    assert (nginx["essential"], nginx["cpu"], nginx["environment"]) == (True, 0, [])
    assert result["diff"] == {"before": {}, "after": predicted}

    # 2. for real: one revision, as asked
    result = run(args, diff=True)
    assert_ok(result, changed=True)
    assert active(ecs) == [arn(1)]
    assert (result["registered"], result["arn"], result["revision"], result["deregistered"]) == (True, arn(1), 1, [])
    described = describe(ecs, arn(1))
    assert [c["image"] for c in described["containerDefinitions"]] == [NGINX_IMAGE, APP_IMAGE]
    assert (described["cpu"], described["memory"], described["networkMode"]) == ("256", "512", "awsvpc")
    assert (described["executionRoleArn"], described["taskRoleArn"]) == (EXECUTION_ROLE, TASK_ROLE)
    assert tags_of(ecs, arn(1)) == {"Stack": "unit"}
    actual = result["task_definition"]
    assert actual["task_definition_arn"] == arn(1)
    assert actual["revision"] == 1
    for key, value in predicted.items():
        assert actual[key] == value, key
    assert result["diff"] == {"before": {}, "after": predicted}

    # 3. again in check mode: nothing to do
    result = run(args, check_mode=True, diff=True)
    assert_ok(result, changed=False)
    assert (result["registered"], result["arn"], result["revision"]) == (False, arn(1), 1)
    assert result["diff"] == {"before": {}, "after": {}}
    assert result["task_definition"] == actual

    # 4. again for real: nothing to do
    result = run(args)
    assert_ok(result, changed=False)
    assert active(ecs) == [arn(1)]
    assert result["task_definition"] == actual


def test_returned_user_data_is_not_mangled(run, args, ecs):
    result = run(args)
    assert_ok(result, changed=True)
    nginx, app = result["task_definition"]["container_definitions"]
    assert nginx["log_configuration"] == {
        "log_driver": "awslogs",
        "options": {"awslogs-group": "/unit/web", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "nginx"},
    }
    assert nginx["depends_on"] == [{"container_name": "app", "condition": "START"}]
    assert app["environment"] == [{"name": "LISTEN_PORT", "value": "9000"}, {"name": "LOG_LEVEL", "value": "info"}]
    assert app["secrets"] == [{"name": "DB_PASSWORD", "valueFrom": DB_SECRET}]
    assert app["docker_labels"] == {"com.example.Team": "web"}


# --- changes: exactly one new revision, the diff names the fields ------------------------------------------------------


def test_change_image_registers_exactly_one_revision(run, args, ecs, registered):
    changed = with_container(args, "nginx", image="public.ecr.aws/nginx/nginx:1.27.4")
    before = snapshot(ecs)

    result = run(changed, check_mode=True, diff=True)
    assert_ok(result, changed=True)
    assert snapshot(ecs) == before
    assert result["registered"] is True
    assert (result["arn"], result["revision"]) == (None, None)
    assert result["diff"]["before"] == {"containers.nginx.image": NGINX_IMAGE}
    assert result["diff"]["after"] == {"containers.nginx.image": "public.ecr.aws/nginx/nginx:1.27.4"}
    assert result["diff"]["before_header"] == f"{FAMILY}:1"
    predicted = result["task_definition"]
    assert predicted["container_definitions"][0]["image"] == "public.ecr.aws/nginx/nginx:1.27.4"

    result = run(changed, diff=True)
    assert_ok(result, changed=True)
    assert active(ecs) == [arn(1), arn(2)]
    assert container_of(ecs, arn(2), "nginx")["image"] == "public.ecr.aws/nginx/nginx:1.27.4"
    assert container_of(ecs, arn(1), "nginx")["image"] == NGINX_IMAGE
    assert (result["arn"], result["revision"], result["registered"]) == (arn(2), 2, True)
    assert result["diff"]["before"] == {"containers.nginx.image": NGINX_IMAGE}
    assert (result["diff"]["before_header"], result["diff"]["after_header"]) == (f"{FAMILY}:1", f"{FAMILY}:2")
    assert tags_of(ecs, arn(2)) == {"Stack": "unit"}

    assert_ok(run(changed, check_mode=True), changed=False)
    assert_ok(run(changed), changed=False)
    assert active(ecs) == [arn(1), arn(2)]


def test_diff_names_environment_and_task_size(run, args, ecs, registered):
    changed = with_container(args, "app", environment=[{"name": "LISTEN_PORT", "value": "9001"}])
    changed.update(cpu="1 vCPU", memory="2 GB")

    result = run(changed, diff=True)
    assert_ok(result, changed=True)
    assert result["diff"]["before"] == {
        "task.cpu": "256",
        "task.memory": "512",
        "containers.app.environment": {"LISTEN_PORT": "9000", "LOG_LEVEL": "info"},
    }
    assert result["diff"]["after"] == {
        "task.cpu": "1024",
        "task.memory": "2048",
        "containers.app.environment": {"LISTEN_PORT": "9001"},
    }
    described = describe(ecs, arn(2))
    assert (described["cpu"], described["memory"]) == ("1024", "2048")


def test_adding_and_removing_containers_names_them(run, args, ecs, registered):
    changed = deepcopy(args)
    changed["container_definitions"] = [c for c in changed["container_definitions"] if c["name"] == "app"] + [
        {"name": "sidecar", "image": "busybox:1.36", "essential": False}
    ]

    result = run(changed, diff=True)
    assert_ok(result, changed=True)
    assert set(result["diff"]["before"]) == {"containers.sidecar", "containers.nginx"}
    assert result["diff"]["before"]["containers.sidecar"] is None
    assert result["diff"]["after"]["containers.nginx"] is None
    assert result["diff"]["after"]["containers.sidecar"]["image"] == "busybox:1.36"
    assert [c["name"] for c in describe(ecs, arn(2))["containerDefinitions"]] == ["app", "sidecar"]


def test_task_level_changes_are_named(run, args, ecs, registered):
    changed = dict(args, ephemeral_storage=30, runtime_platform={"cpu_architecture": "ARM64"}, task_role_arn=None)
    result = run(changed, diff=True)
    assert_ok(result, changed=True)
    assert result["diff"]["before"] == {
        "task.task_role_arn": TASK_ROLE,
        "task.runtime_platform": {"cpuArchitecture": "X86_64", "operatingSystemFamily": "LINUX"},
        "task.ephemeral_storage": None,
    }
    assert result["diff"]["after"] == {
        "task.task_role_arn": None,
        "task.runtime_platform": {"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"},
        "task.ephemeral_storage": 30,
    }
    described = describe(ecs, arn(2))
    assert described["runtimePlatform"] == {"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"}
    assert described["ephemeralStorage"] == {"sizeInGiB": 30}
    assert "taskRoleArn" not in described
    assert_ok(run(changed), changed=False)


# --- what AWS fills in, orders and converts is no change ------------------------------------------------------------------


def test_equivalent_definition_registers_nothing(run, args, ecs, registered):
    same = deepcopy(args)
    nginx, app = same["container_definitions"]
    nginx.update(
        essential=True,
        cpu=0,
        portMappings=[{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}],
        environment=[],
        mountPoints=[],
        volumesFrom=[],
        secrets=[],
    )
    app["environment"] = list(reversed(app["environment"]))
    same["container_definitions"] = [app, nginx]
    same.update(
        cpu="0.25 vCPU",
        memory="0.5GB",
        runtime_platform={"cpu_architecture": "X86_64", "operating_system_family": "LINUX"},
        volumes=[],
    )

    result = run(same, diff=True)
    assert_ok(result, changed=False)
    assert result["diff"] == {"before": {}, "after": {}}
    assert active(ecs) == [registered]


def test_efs_volume_round_trips(run, args, ecs):
    efs_args = with_container(
        args, "nginx", mountPoints=[{"sourceVolume": "ui", "containerPath": "/usr/share/nginx/html", "readOnly": True}]
    )
    efs_args["volumes"] = [
        {
            "name": "ui",
            "efsVolumeConfiguration": {
                "fileSystemId": "fs-0123456789abcdef0",
                "transitEncryption": "ENABLED",
                "authorizationConfig": {"accessPointId": "fsap-0123456789abcdef0", "iam": "ENABLED"},
            },
        }
    ]
    assert_ok(run(efs_args), changed=True)
    volume = describe(ecs, arn(1))["volumes"][0]
    assert volume["efsVolumeConfiguration"]["authorizationConfig"] == {
        "accessPointId": "fsap-0123456789abcdef0",
        "iam": "ENABLED",
    }
    assert_ok(run(efs_args), changed=False)
    assert active(ecs) == [arn(1)]


# Keys of a registered task definition only AWS knows beforehand.
ASSIGNED_BY_AWS = ("task_definition_arn", "revision", "registered_at", "registered_by", "compatibilities",
                   "requires_attributes")


def test_check_mode_predicts_what_aws_fills_in(run, args, ecs):
    """--check --diff shows the task definition as AWS returns it once registered: a health check's interval, timeout
    and retries, an EFS volume's transit encryption and IAM authorization, the containers' systemControls ... filled in
    (emulator/extensions/ecs_task_definition_defaults.py); and a second run sees no change in it."""
    filled_args = with_container(
        args,
        "nginx",
        healthCheck={"command": ["CMD-SHELL", "curl -f http://localhost:8080/ || exit 1"]},
        mountPoints=[{"sourceVolume": "ui", "containerPath": "/usr/share/nginx/html", "readOnly": True}],
    )
    filled_args["volumes"] = [
        {
            "name": "ui",
            "efsVolumeConfiguration": {
                "fileSystemId": "fs-0123456789abcdef0",
                "transitEncryption": "ENABLED",
                "authorizationConfig": {"accessPointId": "fsap-0123456789abcdef0"},
            },
        }
    ]
    predicted = run(filled_args, check_mode=True, diff=True)
    assert_ok(predicted, changed=True)
    nginx = predicted["task_definition"]["container_definitions"][0]
    assert nginx["health_check"]["interval"] == 30 and nginx["health_check"]["retries"] == 3
    assert nginx["system_controls"] == []
    assert predicted["task_definition"]["volumes"][0]["efs_volume_configuration"]["authorization_config"] == {
        "access_point_id": "fsap-0123456789abcdef0",
        "iam": "DISABLED",
    }

    result = run(filled_args, diff=True)
    assert_ok(result, changed=True)
    actual = {key: value for key, value in result["task_definition"].items() if key not in ASSIGNED_BY_AWS}
    assert actual == predicted["task_definition"]
    assert result["diff"] == predicted["diff"]

    again = run(filled_args, check_mode=True, diff=True)
    assert_ok(again, changed=False)
    assert again["diff"] == {"before": {}, "after": {}}
    assert_ok(run(filled_args), changed=False)
    assert active(ecs) == [arn(1)]


# --- re-runs after an interruption ----------------------------------------------------------------------------------------


def test_interrupted_run_reruns_unchanged(run, args, ecs):
    """A run that registered its revision and stopped (nothing else done) is answered with no change."""
    ecs.register_task_definition(
        family=FAMILY,
        containerDefinitions=containers(),
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="256",
        memory="512",
        executionRoleArn=EXECUTION_ROLE,
        taskRoleArn=TASK_ROLE,
        tags=[{"key": "Stack", "value": "unit"}],
    )
    before = snapshot(ecs)

    result = run(args, diff=True)
    assert_ok(result, changed=False)
    assert (result["registered"], result["arn"], result["revision"]) == (False, arn(1), 1)
    assert snapshot(ecs) == before


def test_interrupted_clean_up_finishes_without_registering_again(run, args, ecs, registered, monkeypatch):
    for tag in ("1.27.4", "1.27.5"):
        assert_ok(run(with_container(args, "nginx", image=f"public.ecr.aws/nginx/nginx:{tag}")), changed=True)
    final = dict(with_container(args, "nginx", image="public.ecr.aws/nginx/nginx:1.28.0"), keep_revisions=1)

    original = _ecs_task_definition.TaskDefinitionManager._deregister

    def interrupted(self, arns):
        original(self, arns[:1])
        raise RuntimeError("interrupted")

    with monkeypatch.context() as patched:
        patched.setattr(_ecs_task_definition.TaskDefinitionManager, "_deregister", interrupted)
        with pytest.raises(RuntimeError):
            run(final)
    assert active(ecs) == [arn(2), arn(3), arn(4)]

    result = run(final)
    assert_ok(result, changed=True)
    assert result["registered"] is False
    assert result["deregistered"] == [arn(2), arn(3)]
    assert active(ecs) == [arn(4)]
    assert_ok(run(final), changed=False)


# --- the latest ACTIVE revision is the one compared -----------------------------------------------------------------------


def test_compares_with_the_latest_active_revision(run, args, ecs, registered):
    newer = with_container(args, "nginx", image="public.ecr.aws/nginx/nginx:1.27.4")
    assert_ok(run(newer), changed=True)
    ecs.deregister_task_definition(taskDefinition=arn(2))

    # revision 1 is now the latest ACTIVE one: the original definition is unchanged ...
    assert_ok(run(args), changed=False)
    # ... and the newer one is registered again, as revision 3
    result = run(newer)
    assert_ok(result, changed=True)
    assert result["revision"] == 3
    assert active(ecs) == [arn(1), arn(3)]


def test_other_families_do_not_count(run, args, ecs):
    assert_ok(run(dict(args, family=f"{FAMILY}-other")), changed=True)
    result = run(args)
    assert_ok(result, changed=True)
    assert result["arn"] == arn(1)


# --- keep_revisions ---------------------------------------------------------------------------------------------------------


def test_keep_revisions_with_a_new_revision(run, args, ecs, registered):
    for tag in ("1.27.4", "1.27.5"):
        assert_ok(run(with_container(args, "nginx", image=f"public.ecr.aws/nginx/nginx:{tag}")), changed=True)
    final = dict(with_container(args, "nginx", image="public.ecr.aws/nginx/nginx:1.28.0"), keep_revisions=2)
    before = snapshot(ecs)

    result = run(final, check_mode=True, diff=True)
    assert_ok(result, changed=True)
    assert snapshot(ecs) == before
    assert result["registered"] is True
    assert result["deregistered"] == [arn(1), arn(2)]
    assert result["diff"]["after"]["deregistered"] == [arn(1), arn(2)]

    result = run(final)
    assert_ok(result, changed=True)
    assert (result["registered"], result["revision"], result["deregistered"]) == (True, 4, [arn(1), arn(2)])
    assert active(ecs) == [arn(3), arn(4)]
    assert inactive(ecs) == [arn(1), arn(2)]

    result = run(final)
    assert_ok(result, changed=False)
    assert result["deregistered"] == []


def test_keep_revisions_without_a_change(run, args, ecs, registered):
    assert_ok(run(with_container(args, "nginx", image="public.ecr.aws/nginx/nginx:1.27.4")), changed=True)
    latest = with_container(args, "nginx", image="public.ecr.aws/nginx/nginx:1.27.5")
    assert_ok(run(latest), changed=True)

    result = run(dict(latest, keep_revisions=1), diff=True)
    assert_ok(result, changed=True)
    assert (result["registered"], result["arn"], result["deregistered"]) == (False, arn(3), [arn(1), arn(2)])
    assert result["diff"] == {"before": {"deregistered": []}, "after": {"deregistered": [arn(1), arn(2)]}}
    assert active(ecs) == [arn(3)]
    assert_ok(run(dict(latest, keep_revisions=1)), changed=False)


def test_keep_one_with_a_new_revision_keeps_only_the_new_one(run, args, ecs, registered):
    result = run(dict(with_container(args, "nginx", image="public.ecr.aws/nginx/nginx:1.27.4"), keep_revisions=1))
    assert_ok(result, changed=True)
    assert (result["arn"], result["deregistered"]) == (arn(2), [arn(1)])
    assert active(ecs) == [arn(2)]


def test_keep_revisions_larger_than_the_family_changes_nothing(run, args, ecs, registered):
    assert_ok(run(dict(args, keep_revisions=5)), changed=False)
    assert active(ecs) == [arn(1)]


# --- tags ---------------------------------------------------------------------------------------------------------------------


def test_tags_change_in_place_on_the_latest_revision(run, args, ecs, registered):
    result = run(dict(args, tags={"Stack": "unit", "Owner": "web"}), diff=True)
    assert_ok(result, changed=True)
    assert result["registered"] is False
    assert result["diff"] == {
        "before": {"tags": {"Stack": "unit"}},
        "after": {"tags": {"Stack": "unit", "Owner": "web"}},
    }
    assert tags_of(ecs, arn(1)) == {"Stack": "unit", "Owner": "web"}
    assert result["task_definition"]["tags"] == {"Stack": "unit", "Owner": "web"}
    assert active(ecs) == [arn(1)]

    assert_ok(run(dict(args, tags={"Owner": "web"}, purge_tags=False)), changed=False)
    assert_ok(run(dict(args, tags={"Owner": "web"})), changed=True)
    assert tags_of(ecs, arn(1)) == {"Owner": "web"}
    assert_ok(run(dict(args, tags=None)), changed=False)


def test_a_new_revision_carries_the_tags_over(run, args, ecs, registered):
    ecs.tag_resource(resourceArn=arn(1), tags=[{"key": "Owner", "value": "web"}])
    result = run(dict(with_container(args, "nginx", image="public.ecr.aws/nginx/nginx:1.27.4"), tags=None))
    assert_ok(result, changed=True)
    assert tags_of(ecs, arn(2)) == {"Stack": "unit", "Owner": "web"}
    assert result["task_definition"]["tags"] == {"Stack": "unit", "Owner": "web"}

    result = run(dict(with_container(args, "nginx", image="public.ecr.aws/nginx/nginx:1.27.5"), purge_tags=False))
    assert tags_of(ecs, arn(3)) == {"Stack": "unit", "Owner": "web"}
    result = run(with_container(args, "nginx", image="public.ecr.aws/nginx/nginx:1.27.6"), diff=True)
    assert tags_of(ecs, arn(4)) == {"Stack": "unit"}
    assert result["diff"]["before"]["tags"] == {"Stack": "unit", "Owner": "web"}


# --- absent -------------------------------------------------------------------------------------------------------------------


def test_absent_four_steps(run, args, ecs, registered):
    assert_ok(run(with_container(args, "nginx", image="public.ecr.aws/nginx/nginx:1.27.4")), changed=True)
    assert_ok(run(dict(args, family=f"{FAMILY}-other")), changed=True)
    absent = {"family": FAMILY, "state": "absent"}
    before = snapshot(ecs)

    result = run(absent, check_mode=True, diff=True)
    assert_ok(result, changed=True)
    assert snapshot(ecs) == before
    assert result["deregistered"] == [arn(1), arn(2)]
    assert result["diff"] == {"before": {"active_revisions": [arn(1), arn(2)]}, "after": {"active_revisions": []}}

    result = run(absent, diff=True)
    assert_ok(result, changed=True)
    assert result["deregistered"] == [arn(1), arn(2)]
    assert (result["task_definition"], result["arn"], result["revision"], result["registered"]) == (
        {},
        None,
        None,
        False,
    )
    assert active(ecs) == []
    assert inactive(ecs) == [arn(1), arn(2)]
    assert active(ecs, f"{FAMILY}-other") == [arn(1, f"{FAMILY}-other")]

    assert_ok(run(absent, check_mode=True), changed=False)
    result = run(absent)
    assert_ok(result, changed=False)
    assert result["deregistered"] == []


def test_present_after_absent_registers_a_new_revision(run, args, ecs, registered):
    assert_ok(run({"family": FAMILY, "state": "absent"}), changed=True)
    result = run(args)
    assert_ok(result, changed=True)
    assert result["revision"] == 2
    assert active(ecs) == [arn(2)]


def test_absent_ignores_present_only_options(run, ecs):
    result = run({"family": FAMILY, "state": "absent", "cpu": 3, "container_definitions": [{"name": "x"}]})
    assert_ok(result, changed=False)


def test_absent_with_an_invalid_family_fails(run, ecs):
    result = run({"family": "bad family", "state": "absent"})
    assert result["failed"]
    assert "family must be" in result["msg"]


# --- bad input fails before anything is registered ---------------------------------------------------------------------------


def _app(**fields):
    return ("app", fields)


BAD_INPUTS = [
    ({"family": "web:1"}, "family must be 1 to 255 letters"),
    ({"cpu": 300}, "cpu 300 is not a Fargate task size"),
    ({"cpu": 256, "memory": 4096}, "memory 4096 is not allowed with cpu 256 on Fargate"),
    ({"cpu": 4096, "memory": 8000}, "with cpu 4096 memory must be 8192 to 30720 in steps of 1024"),
    ({"cpu": None}, "cpu is required for Fargate"),
    ({"memory": "lots"}, "memory must be an integer or a string like"),
    ({"network_mode": "bridge"}, "network_mode must be awsvpc with FARGATE"),
    ({"requires_compatibilities": []}, "requires_compatibilities must name at least one"),
    ({"execution_role_arn": "unit-execution"}, "execution_role_arn must be an IAM role ARN"),
    ({"execution_role_arn": None}, "execution_role_arn is required with secrets"),
    ({"ephemeral_storage": 20}, "ephemeral_storage must be an integer from 21 to 200"),
    ({"keep_revisions": 0}, "keep_revisions must be at least 1"),
    ({"tags": {"aws:owner": "me"}}, "reserved by AWS"),
    ({"container_definitions": []}, "container_definitions must be a non-empty list"),
    (_app(image="unit/app"), "container 'app': image 'unit/app' is not repository:tag or repository@sha256"),
    (_app(image="unit/app@sha256:abc"), "container 'app': image"),
    (_app(image="Unit/App:1"), "container 'app': image"),
    (_app(name="nginx"), "container 'nginx': name is used by more than one container"),
    (_app(portMappings=[{"containerPort": 0}]), "container 'app': portMappings[0].containerPort must be an integer"),
    (_app(portMappings=[{"containerPort": 70000}]), "container 'app': portMappings[0].containerPort must be"),
    (_app(portMappings=[{"containerPort": 80, "hostPort": 81}]), "hostPort (81) must equal containerPort (80)"),
    (_app(portMappings=[{"containerPort": 80, "protocol": "sctp"}]), "portMappings[0].protocol must be one of"),
    (_app(environment=[{"name": "DB_PASSWORD", "value": "hunter2"}]), "environment DB_PASSWORD looks like a secret"),
    (_app(environment=[{"name": "apiKey", "value": "x"}]), "container 'app': environment apiKey looks like a secret"),
    (_app(environment=[{"name": "PORT", "value": 9000}]), "container 'app': environment PORT: value must be a string"),
    (_app(secrets=[{"name": "DB_PASSWORD", "value": "hunter2"}]), "secrets[0] must have exactly the keys name and"),
    (_app(secrets=[{"name": "DB", "valueFrom": "arn:aws:s3:::bucket/key"}]), "secrets DB: valueFrom"),
    (_app(secrets=[{"name": "DB", "valueFrom": "not a parameter"}]), "is neither an SSM parameter"),
    (_app(mountPoints=[{"sourceVolume": "data", "containerPath": "/data"}]), "sourceVolume 'data' is not a volume"),
    (_app(dependsOn=[{"containerName": "db", "condition": "START"}]), "dependsOn[0].containerName 'db'"),
    (_app(essential=False, image="unit/app:1"), None),  # still one essential container: valid (control)
    (_app(memory=4096), "container 'app': memory (4096) is more than the task's memory (512)"),
    (_app(imagee="typo"), "Unknown parameter in containerDefinitions[1] (container 'app'): \"imagee\""),
    (_app(cpu="lots"), "container 'app': cpu must be a non-negative integer"),
    (
        {
            "volumes": [
                {
                    "name": "ui",
                    "efsVolumeConfiguration": {
                        "fileSystemId": "fs-0123456789abcdef0",
                        "authorizationConfig": {"iam": "ENABLED"},
                    },
                }
            ]
        },
        "volume 'ui': efsVolumeConfiguration.transitEncryption must be ENABLED",
    ),
    ({"volumes": [{"name": "ui", "efsVolumeConfiguration": {"fileSystemId": "efs-1"}}]}, "fileSystemId must be"),
    ({"volumes": [{"name": "ui"}, {"name": "ui"}]}, "volume 'ui': name is used by more than one volume"),
]


def _apply(args, overrides):
    if isinstance(overrides, tuple):
        name, fields = overrides
        return with_container(args, name, **fields)
    return {**args, **overrides}


@pytest.mark.parametrize(("overrides", "message"), [b for b in BAD_INPUTS if b[1] is not None])
@pytest.mark.parametrize("check_mode", [True, False])
def test_bad_input_fails_before_anything_is_registered(run, args, ecs, overrides, message, check_mode):
    result = run(_apply(args, overrides), check_mode=check_mode)
    assert result["failed"], result
    assert message in result["msg"]
    assert snapshot(ecs) == {}


def test_the_control_input_is_valid(run, args, ecs):
    """The one valid entry of BAD_INPUTS: a non-essential container next to an essential one."""
    assert_ok(run(with_container(args, "app", essential=False)), changed=True)


@pytest.mark.parametrize(("overrides", "message"), [b for b in BAD_INPUTS if b[1] is not None and "family" not in b[0]])
def test_bad_input_on_an_existing_family_changes_nothing(run, args, ecs, registered, overrides, message):
    before = snapshot(ecs)
    # a valid change alongside, to show that nothing at all is applied
    changed = dict(with_container(args, "nginx", image="public.ecr.aws/nginx/nginx:1.27.4"), keep_revisions=1)
    result = run(_apply(changed, overrides))
    assert result["failed"]
    assert message in result["msg"]
    assert snapshot(ecs) == before


def test_every_error_is_reported_at_once(run, args, ecs):
    bad = with_container(args, "app", image="app", environment=[{"name": "TOKEN", "value": "x"}])
    result = run(dict(bad, cpu=256, memory=8192, keep_revisions=0))
    assert result["failed"]
    for message in (
        "memory 8192 is not allowed",
        "image 'app'",
        "environment TOKEN looks like a secret",
        "keep_revisions",
    ):
        assert message in result["msg"]
    assert snapshot(ecs) == {}


def test_container_definitions_are_required_when_present(run, ecs):
    result = run({"family": FAMILY, "cpu": 256, "memory": 512})
    assert result["failed"]
    assert "container_definitions" in result["msg"]
