"""Unit tests of the pure functions of plugins/module_utils/_ecs_task_definition.py."""

from __future__ import annotations

import re
from copy import deepcopy

import botocore.session
import pytest

from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_task_definition import FARGATE_CPU_MEMORY
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_task_definition import TaskDefinitionInputError
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_task_definition import container_definitions_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_task_definition import definition_differences
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_task_definition import family_of
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_task_definition import fargate_cpu_memory_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_task_definition import fargate_memory_values
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_task_definition import image_reference_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_task_definition import image_tag_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_task_definition import is_valid_fargate_size
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_task_definition import is_valid_image_reference
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_task_definition import is_valid_secret_reference
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_task_definition import looks_like_secret_name
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_task_definition import normalize_task_definition
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_task_definition import parse_cpu
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_task_definition import parse_memory
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_task_definition import predicted_description
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_task_definition import request_shape_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_task_definition import revision_of
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_task_definition import revisions_to_deregister
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_task_definition import to_snake
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_task_definition import volumes_errors
from ansible_collections.cloudops.fargate.plugins.module_utils._ecs_task_definition import wanted_task_definition

ACCOUNT = "123456789012"
EXECUTION_ROLE = f"arn:aws:iam::{ACCOUNT}:role/unit-execution"
SECRET_ARN = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:unit/db-AbCdEf"
PARAMETER_ARN = f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/unit/db/password"
DIGEST = "0123456789abcdef" * 4


def arn(revision, family="unit-web"):
    return f"arn:aws:ecs:us-east-1:{ACCOUNT}:task-definition/{family}:{revision}"


# --- the Fargate task sizes ------------------------------------------------------------------------------------------

# The table as the issue and the AWS documentation state it, one row per CPU size: (cpu, first, last, step).
FARGATE_ROWS = [
    (256, None, None, None),  # 512, 1024, 2048: listed, not a range
    (512, 1024, 4096, 1024),
    (1024, 2048, 8192, 1024),
    (2048, 4096, 16384, 1024),
    (4096, 8192, 30720, 1024),
    (8192, 16384, 61440, 4096),
    (16384, 32768, 122880, 8192),
]


def _valid_pairs():
    pairs = [(256, memory) for memory in (512, 1024, 2048)]
    for cpu, first, last, step in FARGATE_ROWS[1:]:
        pairs.extend((cpu, memory) for memory in range(first, last + 1, step))
    return pairs


def _invalid_pairs():
    pairs = [(256, 256), (256, 1536), (256, 3072), (256, 4096)]
    for cpu, first, last, step in FARGATE_ROWS[1:]:
        pairs.extend([(cpu, first - step), (cpu, last + step), (cpu, first + step // 2)])
    pairs.extend([(128, 512), (3072, 6144), (32768, 65536), (1000, 2048)])
    return [(cpu, memory) for cpu, memory in pairs if memory > 0]


@pytest.mark.parametrize(("cpu", "memory"), _valid_pairs())
def test_every_fargate_size_is_valid(cpu, memory):
    assert fargate_cpu_memory_errors(cpu, memory) == []
    assert is_valid_fargate_size(str(cpu), str(memory))


@pytest.mark.parametrize(("cpu", "memory"), _invalid_pairs())
def test_other_sizes_are_not(cpu, memory):
    errors = fargate_cpu_memory_errors(cpu, memory)
    assert len(errors) == 1
    assert str(cpu) in errors[0]
    assert not is_valid_fargate_size(cpu, memory)


def test_the_table_has_exactly_the_documented_sizes():
    table = {(cpu, memory) for cpu, memories in FARGATE_CPU_MEMORY.items() for memory in memories}
    assert table == set(_valid_pairs())
    assert len(table) == 3 + 4 + 7 + 13 + 23 + 12 + 12


def test_the_table_agrees_with_the_api_reference():
    """botocore carries RegisterTaskDefinition's documentation of ``memory``: every row must be stated there."""
    doc = botocore.session.get_session().get_service_model("ecs").operation_model("RegisterTaskDefinition")
    text = " ".join(re.sub(r"<[^>]+>", " ", doc.input_shape.members["memory"].documentation).split())
    assert "512 (0.5 GB), 1024 (1 GB), 2048 (2 GB) - Available cpu values: 256 (.25 vCPU)" in text
    assert "1024 (1 GB), 2048 (2 GB), 3072 (3 GB), 4096 (4 GB) - Available cpu values: 512 (.5 vCPU)" in text
    assert (
        "2048 (2 GB), 3072 (3 GB), 4096 (4 GB), 5120 (5 GB), 6144 (6 GB), 7168 (7 GB), 8192 (8 GB) - Available cpu"
        " values: 1024 (1 vCPU)"
    ) in text
    for cpu, first, last, step in FARGATE_ROWS[3:5]:
        stated = (
            f"Between {first} ({first // 1024} GB) and {last} ({last // 1024} GB) in increments of {step}"
            f" ({step // 1024} GB) - Available cpu values: {cpu} ({cpu // 1024} vCPU)"
        )
        assert stated in text
    assert "Between 16 GB and 60 GB in 4 GB increments - Available cpu values: 8192 (8 vCPU)" in text
    assert "Between 32GB and 120 GB in 8 GB increments - Available cpu values: 16384 (16 vCPU)" in text


def test_memory_values_of_a_size():
    assert fargate_memory_values(256) == (512, 1024, 2048)
    assert fargate_memory_values(8192)[:3] == (16384, 20480, 24576)
    assert fargate_memory_values(300) == ()


def test_error_messages_say_what_is_allowed():
    assert fargate_cpu_memory_errors(256, 4096) == [
        "memory 4096 is not allowed with cpu 256 on Fargate; with cpu 256 memory must be 512, 1024, 2048 (MiB)"
    ]
    assert "16384 to 61440 in steps of 4096" in fargate_cpu_memory_errors(8192, 16000)[0]
    assert "Fargate takes cpu 256, 512, 1024, 2048, 4096, 8192, 16384" in fargate_cpu_memory_errors(3072, 8192)[0]
    assert fargate_cpu_memory_errors(None, None) == ["cpu is required for Fargate", "memory is required for Fargate"]


@pytest.mark.parametrize(
    ("value", "units"),
    [
        (256, 256),
        ("256", 256),
        (" 1024 ", 1024),
        ("1 vCPU", 1024),
        ("1vcpu", 1024),
        ("0.25 vCPU", 256),
        (".5 vCPU", 512),
        ("16 vCPU", 16384),
        ("2 VCPUS", 2048),
    ],
)
def test_parse_cpu(value, units):
    assert parse_cpu(value) == units


@pytest.mark.parametrize(
    ("value", "mib"),
    [(512, 512), ("2048", 2048), ("2 GB", 2048), ("2GB", 2048), ("0.5 GB", 512), ("120 gb", 122880)],
)
def test_parse_memory(value, mib):
    assert parse_memory(value) == mib


@pytest.mark.parametrize(
    ("parse", "value", "message"),
    [
        (parse_cpu, "0.1 vCPU", "not a whole number of units"),
        (parse_cpu, "1 GB", "cpu must be an integer or a string like '1024' or '1 vCPU'"),
        (parse_cpu, True, "cpu must be an integer"),
        (parse_cpu, 0, "cpu must be positive"),
        (parse_cpu, 1.5, "cpu must be an integer"),
        (parse_memory, "1 vCPU", "memory must be an integer or a string like '1024' or '1 GB'"),
        (parse_memory, "512 MiB", "memory must be an integer"),
        (parse_memory, -512, "memory must be positive"),
        (parse_memory, None, "memory must be an integer"),
    ],
)
def test_parse_errors(parse, value, message):
    with pytest.raises(TaskDefinitionInputError, match=re.escape(message)):
        parse(value)


# --- image references ----------------------------------------------------------------------------------------------------

VALID_IMAGES = [
    "nginx:1.27.3",
    "nginx:latest",
    "library/nginx:1.27-alpine",
    "public.ecr.aws/nginx/nginx:1.27.3",
    f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/unit/app:v1.2.3_rc1",
    "localhost:5000/app:1",
    "registry.example.com:443/team/app:2024.11.24",
    "my-app__x.y:tag",
    f"nginx@sha256:{DIGEST}",
    f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/unit/app@sha256:{DIGEST.upper()}",
    "a:" + "t" * 128,
]

INVALID_IMAGES = [
    ("nginx", "it has no tag"),
    ("localhost:5000/app", "it has no tag"),
    ("public.ecr.aws/nginx/nginx", "it has no tag"),
    ("nginx:", "characters Docker does not allow"),
    ("nginx:1.27 ", "characters Docker does not allow"),
    ("Nginx:1", "characters Docker does not allow"),
    ("nginx:-bad", "characters Docker does not allow"),
    ("nginx:" + "t" * 129, "characters Docker does not allow"),
    ("nginx:1@sha256:" + DIGEST, "a digest must be sha256"),
    ("nginx@sha256:" + DIGEST[:-1], "a digest must be sha256"),
    ("nginx@sha512:" + DIGEST * 2, "a digest must be sha256"),
    ("nginx@sha256:" + "g" * 64, "a digest must be sha256"),
    ("/nginx:1", "characters Docker does not allow"),
    ("a" * 250 + "/nginx:1", "longer than 255 characters"),
    ("", "must be a non-empty string"),
    (None, "must be a non-empty string"),
]


@pytest.mark.parametrize("image", VALID_IMAGES)
def test_valid_image_references(image):
    assert image_reference_errors(image) == []
    assert is_valid_image_reference(image)


@pytest.mark.parametrize(("image", "reason"), INVALID_IMAGES)
def test_invalid_image_references(image, reason):
    errors = image_reference_errors(image, "container 'app': image")
    assert len(errors) == 1
    assert errors[0].startswith("container 'app': image")
    assert reason in errors[0]
    assert not is_valid_image_reference(image)


VALID_TAGS = ["1.27.3", "latest", "v1_rc.2-x", "_x", "A", "t" * 128, f"sha256:{DIGEST}", f"sha256:{DIGEST.upper()}"]
INVALID_TAGS = ["", ".hidden", "-dash", "t" * 129, "sha256:abc", f"sha512:{DIGEST}", "has space", "tag:colon", "1.27\n"]


@pytest.mark.parametrize("tag", VALID_TAGS)
def test_valid_image_tags(tag):
    assert image_tag_errors(tag, "fargate_image_tag") == []


@pytest.mark.parametrize("tag", INVALID_TAGS + [None, 5])
def test_invalid_image_tags(tag):
    errors = image_tag_errors(tag, "fargate_image_tag")
    assert len(errors) == 1
    assert errors[0].startswith(f"fargate_image_tag {tag!r} must be a tag (letters, digits")
    assert "or a digest 'sha256:' followed by 64 hex digits" in errors[0]


@pytest.mark.parametrize("tag", VALID_TAGS + INVALID_TAGS)
def test_image_references_follow_the_tag_rule(tag):
    """One rule: an image is valid exactly when its tag (after ':') or digest (after '@') is."""
    digest = tag.startswith("sha256:")
    image = f"nginx@{tag}" if digest else f"nginx:{tag}"
    assert is_valid_image_reference(image) == (not image_tag_errors(tag))


# --- secrets and environment -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value_from", "valid"),
    [
        (SECRET_ARN, True),
        (f"{SECRET_ARN}:password::", True),
        (f"{SECRET_ARN}:password:AWSCURRENT:", True),
        (f"arn:aws-us-gov:secretsmanager:us-gov-west-1:{ACCOUNT}:secret:db-AbCdEf", True),
        (PARAMETER_ARN, True),
        (f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/db_password", True),
        ("/unit/db/password", True),
        ("db_password", True),
        ("db.password-v2", True),
        (f"arn:aws:s3:::bucket/{SECRET_ARN}", False),
        (f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:db", False),
        (f"arn:aws:ssm:us-east-1:{ACCOUNT}:document/x", False),
        ("arn:aws:ssm:us-east-1:1234:parameter/x", False),
        ("hunter2 with spaces", False),
        ("unit//double", False),
        ("", False),
        (None, False),
        (12, False),
    ],
)
def test_secret_references(value_from, valid):
    assert is_valid_secret_reference(value_from) is valid


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("DB_PASSWORD", True),
        ("DBPASSWORD", True),
        ("db_passwd", True),
        ("CLIENT_SECRET", True),
        ("clientSecret", True),
        ("GITHUB_TOKEN", True),
        ("accessToken", True),
        ("API_KEY", True),
        ("apiKey", True),
        ("AWS_ACCESS_KEY_ID", True),
        ("SECRET_KEY_BASE", True),
        ("x-api-key", True),
        ("DB_PASSWORD_FILE", False),
        ("TLS_KEY_PATH", False),
        ("KEYCLOAK_URL", False),
        ("TOKENIZER_MODEL", False),
        ("SECRETS_DIR", False),
        ("LISTEN_PORT", False),
        ("LOG_LEVEL", False),
        ("", False),
    ],
)
def test_secret_looking_names(name, secret):
    assert looks_like_secret_name(name) is secret


def container(**fields):
    return {"name": "app", "image": "unit/app:1", **fields}


CONTAINER_ERRORS = [
    # (containers, network_mode, volume names, expected message or None when valid)
    ([container()], "awsvpc", set(), None),
    (
        [container(portMappings=[{"containerPort": 1}, {"containerPort": 65535, "hostPort": 65535}])],
        "awsvpc",
        set(),
        None,
    ),
    ([container(portMappings=[{"containerPort": 8080, "hostPort": 0}])], "bridge", set(), None),
    ([container(portMappings=[{"containerPort": 8080, "hostPort": 80}])], "bridge", set(), None),
    ([container(portMappings=[{"containerPortRange": "9000-9010"}])], "awsvpc", set(), None),
    (
        [container(portMappings=[{"containerPort": 0}])],
        "awsvpc",
        set(),
        "container 'app': portMappings[0].containerPort",
    ),
    ([container(portMappings=[{"containerPort": 65536}])], "awsvpc", set(), "from 1 to 65535, not 65536"),
    ([container(portMappings=[{"containerPort": "80"}])], "awsvpc", set(), "containerPort must be an integer"),
    ([container(portMappings=[{"containerPort": True}])], "awsvpc", set(), "containerPort must be an integer"),
    ([container(portMappings=[{"hostPort": 80}])], "awsvpc", set(), "portMappings[0].containerPort is required"),
    ([container(portMappings=[{"containerPort": 80, "hostPort": 0}])], "awsvpc", set(), "hostPort must be an integer"),
    ([container(portMappings=[{"containerPort": 80, "hostPort": 8080}])], "host", set(), "must equal containerPort"),
    ([container(portMappings=[{"containerPort": 80, "hostPort": 70000}])], "bridge", set(), "hostPort must be an"),
    ([container(portMappings=[{"containerPort": 80, "protocol": "TCP"}])], "awsvpc", set(), "protocol must be one of"),
    (
        [container(portMappings=[{"containerPort": 80}])],
        "none",
        set(),
        "portMappings are not allowed with network_mode",
    ),
    ([container(secrets=[{"name": "DB", "valueFrom": SECRET_ARN}])], "awsvpc", set(), None),
    ([container(secrets=[{"name": "DB", "valueFrom": PARAMETER_ARN, "x": 1}])], "awsvpc", set(), "exactly the keys"),
    (
        [container(secrets=[{"name": "DB"}])],
        "awsvpc",
        set(),
        "secrets[0] must have exactly the keys name and valueFrom",
    ),
    (
        [container(secrets=[{"name": "DB", "valueFrom": "x y"}])],
        "awsvpc",
        set(),
        "container 'app': secrets DB: valueFrom",
    ),
    (
        [container(secrets=[{"name": "DB", "valueFrom": "db"}, {"name": "DB", "valueFrom": "db2"}])],
        "awsvpc",
        set(),
        "secrets names DB more than once",
    ),
    ([container(secrets={"DB": SECRET_ARN})], "awsvpc", set(), "secrets must be a list"),
    (
        [container(environment=[{"name": "DB", "value": "x"}], secrets=[{"name": "DB", "valueFrom": "db"}])],
        "awsvpc",
        set(),
        "container 'app': DB is both in environment and in secrets",
    ),
    (
        [
            container(
                logConfiguration={"logDriver": "awsfirelens", "secretOptions": [{"name": "K", "valueFrom": "x y"}]}
            )
        ],
        "awsvpc",
        set(),
        "container 'app': logConfiguration.secretOptions K: valueFrom",
    ),
    ([container(logConfiguration={"options": {}})], "awsvpc", set(), "logConfiguration.logDriver is required"),
    (
        [container(environment=[{"name": "A", "value": "1"}, {"name": "A", "value": "2"}])],
        "awsvpc",
        set(),
        "names A more",
    ),
    (
        [container(environment=[{"name": "DB_PASSWORD", "value": "x"}])],
        "awsvpc",
        set(),
        "DB_PASSWORD looks like a secret",
    ),
    ([container(environment=[{"name": "PORT", "value": 80}])], "awsvpc", set(), "PORT: value must be a string"),
    ([container(environment=[{"value": "x"}])], "awsvpc", set(), "environment[0] must have the keys name and value"),
    ([container(environment={"A": "1"})], "awsvpc", set(), "environment must be a list"),
    ([container(mountPoints=[{"sourceVolume": "ui", "containerPath": "/ui"}])], "awsvpc", {"ui"}, None),
    ([container(mountPoints=[{"sourceVolume": "ui", "containerPath": "ui"}])], "awsvpc", {"ui"}, "must be an absolute"),
    ([container(mountPoints=[{"sourceVolume": "x", "containerPath": "/x"}])], "awsvpc", {"ui"}, "(volumes: ui)"),
    ([container(), container(name="app")], "awsvpc", set(), "container 'app': name is used by more than one container"),
    ([container(name="bad name")], "awsvpc", set(), "container 'bad name': name is required"),
    ([{"image": "unit/app:1"}], "awsvpc", set(), "container #1: name is required"),
    ([container(image=None)], "awsvpc", set(), "container 'app': image must be a non-empty string"),
    ([{"name": "app"}], "awsvpc", set(), "container 'app': image is required"),
    (["app"], "awsvpc", set(), "container_definitions[0] must be a dict"),
    ([], "awsvpc", set(), "container_definitions must be a non-empty list"),
    ([container(essential=False)], "awsvpc", set(), "at least one container must be essential"),
    ([container(dependsOn=[{"containerName": "app", "condition": "START"}])], "awsvpc", set(), "not another container"),
    (
        [container(), container(name="side", dependsOn=[{"containerName": "app", "condition": "READY"}])],
        "awsvpc",
        set(),
        "container 'side': dependsOn[0].condition must be one of START, COMPLETE, SUCCESS, HEALTHY",
    ),
    ([container(), container(name="side", volumesFrom=[{"sourceContainer": "app"}])], "awsvpc", set(), None),
    ([container(volumesFrom=[{"sourceContainer": "db"}])], "awsvpc", set(), "volumesFrom[0].sourceContainer 'db'"),
    ([container(memory=0)], "awsvpc", set(), "container 'app': memory must be a positive integer"),
    ([container(cpu=-1)], "awsvpc", set(), "container 'app': cpu must be a non-negative integer"),
]


@pytest.mark.parametrize(("containers", "network_mode", "volume_names", "message"), CONTAINER_ERRORS)
def test_container_definitions_errors(containers, network_mode, volume_names, message):
    errors = container_definitions_errors(containers, network_mode, volume_names)
    if message is None:
        assert errors == []
    else:
        assert any(message in error for error in errors), errors


def test_container_sizes_against_the_task():
    containers = [container(cpu=200, memory=256), container(name="side", cpu=100, memoryReservation=1024)]
    errors = container_definitions_errors(containers, task_cpu=256, task_memory=512)
    assert errors == [
        "container 'side': memoryReservation (1024) is more than the task's memory (512)",
        "container_definitions: the containers' cpu adds up to 300, more than the task's cpu (256)",
    ]
    assert container_definitions_errors([container()], fargate=False) == [
        "container 'app': memory or memoryReservation is required when the task has no memory"
    ]


EFS = {"fileSystemId": "fs-0123456789abcdef0"}


@pytest.mark.parametrize(
    ("volumes", "fargate", "message"),
    [
        ([{"name": "ui", "efsVolumeConfiguration": EFS}], True, None),
        (
            [
                {
                    "name": "ui",
                    "efsVolumeConfiguration": {
                        **EFS,
                        "transitEncryption": "ENABLED",
                        "authorizationConfig": {"accessPointId": "fsap-0123456789abcdef0", "iam": "ENABLED"},
                    },
                }
            ],
            True,
            None,
        ),
        ([{"name": "scratch"}], True, None),
        (
            [{"name": "ui", "efsVolumeConfiguration": {**EFS, "authorizationConfig": {"iam": "ENABLED"}}}],
            True,
            "transitEncryption must be ENABLED",
        ),
        (
            [
                {
                    "name": "ui",
                    "efsVolumeConfiguration": {
                        **EFS,
                        "authorizationConfig": {"accessPointId": "fsap-0123456789abcdef0"},
                    },
                }
            ],
            True,
            "transitEncryption must be ENABLED",
        ),
        (
            [
                {
                    "name": "ui",
                    "efsVolumeConfiguration": {
                        **EFS,
                        "rootDirectory": "/ui",
                        "transitEncryption": "ENABLED",
                        "authorizationConfig": {"accessPointId": "fsap-0123456789abcdef0"},
                    },
                }
            ],
            True,
            "rootDirectory must be left out",
        ),
        ([{"name": "ui", "efsVolumeConfiguration": {**EFS, "transitEncryption": "yes"}}], True, "ENABLED or DISABLED"),
        ([{"name": "ui", "efsVolumeConfiguration": {"fileSystemId": "fs-x"}}], True, "fileSystemId must be"),
        (
            [
                {
                    "name": "ui",
                    "efsVolumeConfiguration": {
                        **EFS,
                        "transitEncryption": "ENABLED",
                        "authorizationConfig": {"accessPointId": "ap-1"},
                    },
                }
            ],
            True,
            "accessPointId must be an access point ID",
        ),
        ([{"name": "ui"}, {"name": "ui"}], True, "volume 'ui': name is used by more than one volume"),
        ([{"efsVolumeConfiguration": EFS}], True, "volumes[0].name is required"),
        ([{"name": "d", "dockerVolumeConfiguration": {"scope": "task"}}], True, "not supported on Fargate"),
        ([{"name": "d", "dockerVolumeConfiguration": {"scope": "task"}}], False, None),
        ([{"name": "h", "host": {"sourcePath": "/var/log"}}], True, "host.sourcePath is not supported on Fargate"),
        ({"name": "ui"}, True, "volumes must be a list"),
    ],
)
def test_volumes_errors(volumes, fargate, message):
    errors, _names = volumes_errors(volumes, fargate=fargate)
    if message is None:
        assert errors == []
    else:
        assert any(message in error for error in errors), errors


# --- the module's arguments ------------------------------------------------------------------------------------------------


def params(**overrides):
    """Module parameters as AnsibleModule hands them over: unset options are None."""
    base = {
        "state": "present",
        "family": "unit-web",
        "container_definitions": [container(portMappings=[{"containerPort": 8080}])],
        "network_mode": "awsvpc",
        "requires_compatibilities": ["FARGATE"],
        "cpu": "0.5 vCPU",
        "memory": "1 GB",
        "execution_role_arn": None,
        "task_role_arn": None,
        "volumes": None,
        "runtime_platform": None,
        "ephemeral_storage": None,
        "keep_revisions": None,
        "tags": None,
        "purge_tags": True,
    }
    base.update(overrides)
    return base


def test_wanted_task_definition_builds_the_request():
    wanted = wanted_task_definition(
        params(
            runtime_platform={"cpu_architecture": "ARM64", "operating_system_family": None},
            ephemeral_storage=30,
            execution_role_arn=EXECUTION_ROLE,
            tags={"Stack": "unit", "Count": 3},
            keep_revisions=2,
        )
    )
    assert wanted == {
        "family": "unit-web",
        "request": {
            "family": "unit-web",
            "containerDefinitions": [container(portMappings=[{"containerPort": 8080}])],
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "512",
            "memory": "1024",
            "executionRoleArn": EXECUTION_ROLE,
            "runtimePlatform": {"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"},
            "ephemeralStorage": {"sizeInGiB": 30},
        },
        "tags": {"Stack": "unit", "Count": "3"},
        "purge_tags": True,
        "keep_revisions": 2,
    }


def test_wanted_task_definition_on_ec2_leaves_out_what_is_not_given():
    wanted = wanted_task_definition(
        params(
            requires_compatibilities=["EC2"],
            network_mode="bridge",
            cpu=None,
            memory=None,
            container_definitions=[container(memory=256)],
        )
    )
    assert wanted["request"] == {
        "family": "unit-web",
        "containerDefinitions": [container(memory=256)],
        "networkMode": "bridge",
        "requiresCompatibilities": ["EC2"],
    }


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"family": ""}, "family must be 1 to 255"),
        ({"family": "a" * 256}, "family must be 1 to 255"),
        ({"network_mode": "host"}, "network_mode must be awsvpc with FARGATE"),
        ({"requires_compatibilities": ["FARGATE", "FARGATE"]}, "names a value more than once"),
        ({"cpu": "4 vCPU", "memory": "4 GB"}, "memory 4096 is not allowed with cpu 4096"),
        ({"requires_compatibilities": ["EC2"], "network_mode": "bridge", "cpu": 64}, "cpu must be from 128 to 196608"),
        (
            {"requires_compatibilities": ["EC2"], "network_mode": "bridge", "ephemeral_storage": 30},
            "only supported with",
        ),
        ({"task_role_arn": "arn:aws:iam::123:role/x"}, "task_role_arn must be an IAM role ARN"),
        ({"task_role_arn": f"arn:aws:iam::{ACCOUNT}:user/x"}, "task_role_arn must be an IAM role ARN"),
        (
            {"container_definitions": [container(secrets=[{"name": "DB", "valueFrom": SECRET_ARN}])]},
            "execution_role_arn is required with secrets",
        ),
        (
            {"container_definitions": [container(logConfiguration={"logDriver": "awslogs"})]},
            "execution_role_arn is required on Fargate with the awslogs log driver",
        ),
        ({"ephemeral_storage": 201}, "ephemeral_storage must be an integer from 21 to 200"),
        ({"keep_revisions": -1}, "keep_revisions must be at least 1"),
        ({"tags": {"AWS:x": "y"}}, "reserved by AWS"),
        ({"container_definitions": None}, "container_definitions must be a non-empty list"),
    ],
)
def test_wanted_task_definition_errors(overrides, message):
    with pytest.raises(TaskDefinitionInputError) as raised:
        wanted_task_definition(params(**overrides))
    assert message in str(raised.value)


def test_request_shape_errors_name_the_container():
    shape = (
        botocore.session.get_session().get_service_model("ecs").operation_model("RegisterTaskDefinition").input_shape
    )
    wanted = wanted_task_definition(params())
    assert request_shape_errors(wanted["request"], shape) == []

    request = deepcopy(wanted["request"])
    request["containerDefinitions"][0]["imagee"] = "typo"
    request["containerDefinitions"][0]["readonlyRootFilesystem"] = "yes"
    errors = request_shape_errors(request, shape)
    assert len(errors) == 2
    assert errors[0].startswith("Unknown parameter in containerDefinitions[0] (container 'app'): \"imagee\"")
    assert "containerDefinitions[0] (container 'app').readonlyRootFilesystem" in errors[1]


# --- normalisation: what AWS fills in, orders or converts is no difference ------------------------------------------------


def described(**task):
    """A DescribeTaskDefinition result as AWS gives it for the request of ``requested()``."""
    base = {
        "taskDefinitionArn": arn(3),
        "family": "unit-web",
        "revision": 3,
        "status": "ACTIVE",
        "networkMode": "awsvpc",
        "requiresCompatibilities": ["FARGATE"],
        "compatibilities": ["EC2", "FARGATE"],
        "requiresAttributes": [{"name": "ecs.capability.task-eni"}],
        "placementConstraints": [],
        "volumes": [],
        "cpu": "256",
        "memory": "512",
        "registeredAt": "2024-11-24T12:00:00+00:00",
        "registeredBy": f"arn:aws:sts::{ACCOUNT}:assumed-role/deployer/session",
        "enableFaultInjection": False,
        "containerDefinitions": [
            {
                "name": "web",
                "image": "nginx:1.27.3",
                "cpu": 0,
                "essential": True,
                "portMappings": [{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}],
                "environment": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
                "mountPoints": [],
                "volumesFrom": [],
                "systemControls": [],
            }
        ],
    }
    base.update(task)
    return base


def requested(**task):
    """The RegisterTaskDefinition request the module sends, with nothing AWS fills in."""
    base = {
        "family": "unit-web",
        "networkMode": "awsvpc",
        "requiresCompatibilities": ["FARGATE"],
        "cpu": "256",
        "memory": "512",
        "containerDefinitions": [
            {
                "name": "web",
                "image": "nginx:1.27.3",
                "portMappings": [{"containerPort": 8080}],
                "environment": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
            }
        ],
    }
    base.update(task)
    return base


def web(definition, **fields):
    """``definition`` with its container ``web`` updated with ``fields`` (None removes a field)."""
    definition = deepcopy(definition)
    target = definition["containerDefinitions"][0]
    target.update(fields)
    for key in [k for k, v in fields.items() if v is None]:
        del target[key]
    return definition


EFS_VOLUME = {"name": "ui", "efsVolumeConfiguration": {"fileSystemId": "fs-0123456789abcdef0"}}
EFS_VOLUME_AS_AWS_HAS_IT = {
    "name": "ui",
    "host": {},
    "configuredAtLaunch": False,
    "efsVolumeConfiguration": {
        "fileSystemId": "fs-0123456789abcdef0",
        "rootDirectory": "/",
        "transitEncryption": "DISABLED",
    },
}
SIDE = {"name": "side", "image": "busybox:1.36", "essential": False}

EQUIVALENT = [
    ("as registered", described(), requested()),
    ("essential is true by default", described(), web(requested(), essential=True)),
    ("cpu is 0 by default", described(), web(requested(), cpu=0)),
    (
        "protocol is tcp by default",
        web(described(), portMappings=[{"containerPort": 8080, "hostPort": 8080}]),
        requested(),
    ),
    (
        "hostPort is containerPort in awsvpc",
        described(),
        web(requested(), portMappings=[{"containerPort": 8080, "protocol": "tcp"}]),
    ),
    (
        "hostPort is containerPort in host mode",
        web(described(networkMode="host", requiresCompatibilities=["EC2"]), memory=128),
        web(requested(networkMode="host", requiresCompatibilities=["EC2"]), memory=128),
    ),
    (
        "a bridge hostPort of 0 is a dynamic one",
        web(
            described(networkMode="bridge", requiresCompatibilities=["EC2"]),
            portMappings=[{"containerPort": 8080, "hostPort": 0, "protocol": "tcp"}],
        ),
        requested(networkMode="bridge", requiresCompatibilities=["EC2"]),
    ),
    ("empty lists are absent", described(), web(requested(), mountPoints=[], volumesFrom=[], secrets=[], command=[])),
    ("None is absent", described(), web(requested(), command=None, workingDirectory=None) | {"taskRoleArn": None}),
    (
        "AWS's computed fields are not compared",
        described(revision=9, status="INACTIVE", registeredBy="someone"),
        requested(),
    ),
    (
        "new AWS fields outside the definition are not compared",
        described(enableFaultInjection=False, deregisteredAt="x"),
        requested(),
    ),
    (
        "requiresCompatibilities is a set",
        described(requiresCompatibilities=["EC2", "FARGATE"]),
        requested(requiresCompatibilities=["FARGATE", "EC2"]),
    ),
    ("key order", described(), {key: requested()[key] for key in reversed(list(requested()))}),
    (
        "container order",
        described(containerDefinitions=described()["containerDefinitions"] + [dict(SIDE, cpu=0)]),
        requested(containerDefinitions=[SIDE] + requested()["containerDefinitions"]),
    ),
    (
        "environment is a set by name",
        described(),
        web(requested(), environment=[{"name": "B", "value": "2"}, {"name": "A", "value": "1"}]),
    ),
    (
        "secrets are a set by name",
        web(described(), secrets=[{"name": "S1", "valueFrom": "p1"}, {"name": "S2", "valueFrom": "p2"}]),
        web(requested(), secrets=[{"name": "S2", "valueFrom": "p2"}, {"name": "S1", "valueFrom": "p1"}]),
    ),
    (
        "port mapping order",
        web(
            described(),
            portMappings=[
                {"containerPort": 9090, "hostPort": 9090, "protocol": "tcp"},
                {"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"},
            ],
        ),
        web(requested(), portMappings=[{"containerPort": 8080}, {"containerPort": 9090}]),
    ),
    ("task cpu in vCPU", described(cpu="1024", memory="2048"), requested(cpu="1 vCPU", memory="2 GB")),
    (
        "runtime platform X86_64/LINUX is the default",
        described(),
        requested(runtimePlatform={"cpuArchitecture": "X86_64", "operatingSystemFamily": "LINUX"}),
    ),
    ("EFS defaults and empty host", described(volumes=[EFS_VOLUME_AS_AWS_HAS_IT]), requested(volumes=[EFS_VOLUME])),
    (
        "EFS IAM authorization is DISABLED by default",
        described(
            volumes=[
                {
                    "name": "ui",
                    "efsVolumeConfiguration": {
                        "fileSystemId": "fs-0123456789abcdef0",
                        "authorizationConfig": {"accessPointId": "fsap-1", "iam": "DISABLED"},
                    },
                }
            ]
        ),
        requested(
            volumes=[
                {
                    "name": "ui",
                    "efsVolumeConfiguration": {
                        "fileSystemId": "fs-0123456789abcdef0",
                        "rootDirectory": "/",
                        "authorizationConfig": {"accessPointId": "fsap-1"},
                    },
                }
            ]
        ),
    ),
    (
        "volume order",
        described(volumes=[EFS_VOLUME_AS_AWS_HAS_IT, {"name": "scratch", "host": {}}]),
        requested(volumes=[{"name": "scratch"}, EFS_VOLUME]),
    ),
    (
        "mount points are read-write by default, in any order",
        web(
            described(),
            mountPoints=[
                {"sourceVolume": "b", "containerPath": "/b", "readOnly": False},
                {"sourceVolume": "a", "containerPath": "/a", "readOnly": True},
            ],
        ),
        web(
            requested(),
            mountPoints=[
                {"sourceVolume": "a", "containerPath": "/a", "readOnly": True},
                {"sourceVolume": "b", "containerPath": "/b"},
            ],
        ),
    ),
    (
        "health check interval, timeout and retries have defaults",
        web(described(), healthCheck={"command": ["CMD", "true"], "interval": 30, "timeout": 5, "retries": 3}),
        web(requested(), healthCheck={"command": ["CMD", "true"], "startPeriod": 0}),
    ),
    (
        "log secretOptions empty and log options in any order",
        web(
            described(), logConfiguration={"logDriver": "awslogs", "options": {"b": "2", "a": "1"}, "secretOptions": []}
        ),
        web(requested(), logConfiguration={"logDriver": "awslogs", "options": {"a": "1", "b": "2"}}),
    ),
    ("versionConsistency is enabled by default", web(described(), versionConsistency="enabled"), requested()),
    ("empty placementConstraints", described(placementConstraints=[]), requested(placementConstraints=[])),
    (
        "dependsOn order",
        web(
            described(),
            dependsOn=[{"containerName": "y", "condition": "START"}, {"containerName": "x", "condition": "START"}],
        ),
        web(
            requested(),
            dependsOn=[{"containerName": "x", "condition": "START"}, {"containerName": "y", "condition": "START"}],
        ),
    ),
]


@pytest.mark.parametrize(("before", "after"), [case[1:] for case in EQUIVALENT], ids=[case[0] for case in EQUIVALENT])
def test_equivalent_definitions_have_no_difference(before, after):
    assert definition_differences(normalize_task_definition(before), normalize_task_definition(after)) == []
    assert normalize_task_definition(before) == normalize_task_definition(after)


DIFFERENT = [
    ("image", described(), web(requested(), image="nginx:1.27.4"), ["containers.web.image"]),
    (
        "environment value",
        described(),
        web(requested(), environment=[{"name": "A", "value": "1"}, {"name": "B", "value": "3"}]),
        ["containers.web.environment"],
    ),
    (
        "environment added",
        described(),
        web(
            requested(),
            environment=[{"name": "A", "value": "1"}, {"name": "B", "value": "2"}, {"name": "C", "value": ""}],
        ),
        ["containers.web.environment"],
    ),
    ("environment emptied", described(), web(requested(), environment=None), ["containers.web.environment"]),
    (
        "secret source",
        web(described(), secrets=[{"name": "S", "valueFrom": "p1"}]),
        web(requested(), secrets=[{"name": "S", "valueFrom": "p2"}]),
        ["containers.web.secrets"],
    ),
    ("essential", described(), web(requested(), essential=False), ["containers.web.essential"]),
    (
        "protocol",
        described(),
        web(requested(), portMappings=[{"containerPort": 8080, "protocol": "udp"}]),
        ["containers.web.portMappings"],
    ),
    (
        "container port",
        described(),
        web(requested(), portMappings=[{"containerPort": 8081}]),
        ["containers.web.portMappings"],
    ),
    ("task cpu and memory", described(), requested(cpu="512", memory="1024"), ["task.cpu", "task.memory"]),
    (
        "container added",
        described(),
        requested(containerDefinitions=requested()["containerDefinitions"] + [SIDE]),
        ["containers.side"],
    ),
    (
        "container removed",
        described(containerDefinitions=described()["containerDefinitions"] + [SIDE]),
        requested(),
        ["containers.side"],
    ),
    ("pidMode set outside the module", described(pidMode="task"), requested(), ["task.pid_mode"]),
    (
        "runtime platform",
        described(),
        requested(runtimePlatform={"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"}),
        ["task.runtime_platform"],
    ),
    ("ephemeral storage", described(ephemeralStorage={"sizeInGiB": 21}), requested(), ["task.ephemeral_storage"]),
    (
        "roles",
        described(executionRoleArn=EXECUTION_ROLE),
        requested(taskRoleArn=EXECUTION_ROLE),
        ["task.execution_role_arn", "task.task_role_arn"],
    ),
    (
        "volume access point",
        described(volumes=[EFS_VOLUME_AS_AWS_HAS_IT]),
        requested(
            volumes=[
                {
                    "name": "ui",
                    "efsVolumeConfiguration": {"fileSystemId": "fs-0123456789abcdef0", "transitEncryption": "ENABLED"},
                }
            ]
        ),
        ["task.volumes"],
    ),
    (
        "compatibilities",
        described(),
        requested(requiresCompatibilities=["EC2", "FARGATE"]),
        ["task.requires_compatibilities"],
    ),
    (
        "read-only mount",
        web(described(), mountPoints=[{"sourceVolume": "a", "containerPath": "/a", "readOnly": False}]),
        web(requested(), mountPoints=[{"sourceVolume": "a", "containerPath": "/a", "readOnly": True}]),
        ["containers.web.mountPoints"],
    ),
    (
        "health check retries",
        web(described(), healthCheck={"command": ["CMD", "true"], "interval": 30, "timeout": 5, "retries": 3}),
        web(requested(), healthCheck={"command": ["CMD", "true"], "retries": 5}),
        ["containers.web.healthCheck"],
    ),
    (
        "log option",
        web(described(), logConfiguration={"logDriver": "awslogs", "options": {"a": "1"}}),
        web(requested(), logConfiguration={"logDriver": "awslogs", "options": {"a": "2"}}),
        ["containers.web.logConfiguration"],
    ),
]


@pytest.mark.parametrize(
    ("before", "after", "names"), [case[1:] for case in DIFFERENT], ids=[case[0] for case in DIFFERENT]
)
def test_differences_are_named(before, after, names):
    differences = definition_differences(normalize_task_definition(before), normalize_task_definition(after))
    assert [name for name, _before, _after in differences] == names


def test_difference_values_are_the_normalised_ones():
    differences = definition_differences(
        normalize_task_definition(described()),
        normalize_task_definition(web(requested(cpu="512", memory="1 GB"), environment=[{"name": "A", "value": "9"}])),
    )
    assert differences == [
        ("task.cpu", "256", "512"),
        ("task.memory", "512", "1024"),
        ("containers.web.environment", {"A": "1", "B": "2"}, {"A": "9"}),
    ]


def test_a_removed_container_has_none_after():
    differences = definition_differences(
        normalize_task_definition(described(containerDefinitions=described()["containerDefinitions"] + [SIDE])),
        normalize_task_definition(requested()),
    )
    assert differences == [
        (
            "containers.side",
            {"image": "busybox:1.36", "essential": False, "cpu": 0, "versionConsistency": "enabled"},
            None,
        )
    ]


def test_normalised_form():
    assert normalize_task_definition(described()) == {
        "task": {
            "cpu": "256",
            "memory": "512",
            "network_mode": "awsvpc",
            "requires_compatibilities": ["FARGATE"],
            "runtime_platform": {"cpuArchitecture": "X86_64", "operatingSystemFamily": "LINUX"},
        },
        "containers": {
            "web": {
                "image": "nginx:1.27.3",
                "cpu": 0,
                "essential": True,
                "versionConsistency": "enabled",
                "portMappings": [{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}],
                "environment": {"A": "1", "B": "2"},
            }
        },
    }


# --- results ---------------------------------------------------------------------------------------------------------------


def test_to_snake_keeps_the_user_s_keys():
    description = web(
        described(ephemeralStorage={"sizeInGiB": 30}),
        secrets=[{"name": "DB", "valueFrom": SECRET_ARN}],
        dockerLabels={"com.example.Team": "web"},
        logConfiguration={
            "logDriver": "awsfirelens",
            "options": {"Name": "firehose", "deliveryStream": "s"},
            "secretOptions": [{"name": "K", "valueFrom": "p"}],
        },
    )
    result = to_snake(description)
    assert result["task_definition_arn"] == arn(3)
    assert result["requires_compatibilities"] == ["FARGATE"]
    assert result["ephemeral_storage"] == {"size_in_gib": 30}
    web_container = result["container_definitions"][0]
    assert web_container["port_mappings"] == [{"container_port": 8080, "host_port": 8080, "protocol": "tcp"}]
    assert web_container["environment"] == [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]
    assert web_container["secrets"] == [{"name": "DB", "valueFrom": SECRET_ARN}]
    assert web_container["docker_labels"] == {"com.example.Team": "web"}
    assert web_container["log_configuration"] == {
        "log_driver": "awsfirelens",
        "options": {"Name": "firehose", "deliveryStream": "s"},
        "secret_options": [{"name": "K", "valueFrom": "p"}],
    }


def test_predicted_description_fills_in_what_aws_does():
    predicted = predicted_description(requested())
    assert predicted["status"] == "ACTIVE"
    assert (predicted["volumes"], predicted["placementConstraints"]) == ([], [])
    assert predicted["containerDefinitions"] == [
        {
            "name": "web",
            "image": "nginx:1.27.3",
            "cpu": 0,
            "essential": True,
            "portMappings": [{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}],
            "environment": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
            "mountPoints": [],
            "volumesFrom": [],
            "systemControls": [],
        }
    ]
    assert normalize_task_definition(predicted) == normalize_task_definition(requested())


def test_predicted_description_fills_in_health_check_and_efs_defaults():
    """What AWS fills in on registration (emulator/extensions/ecs_task_definition_defaults.py); given values kept."""
    request = requested(
        volumes=[
            {"name": "ui", "efsVolumeConfiguration": {"fileSystemId": "fs-0123456789abcdef0"}},
            {
                "name": "data",
                "efsVolumeConfiguration": {
                    "fileSystemId": "fs-0123456789abcdef0",
                    "transitEncryption": "ENABLED",
                    "authorizationConfig": {"accessPointId": "fsap-0123456789abcdef0"},
                },
            },
        ]
    )
    request = web(request, healthCheck={"command": ["CMD", "true"], "retries": 5})
    predicted = predicted_description(request)
    assert predicted["containerDefinitions"][0]["healthCheck"] == {
        "command": ["CMD", "true"],
        "interval": 30,
        "timeout": 5,
        "retries": 5,
    }
    assert predicted["containerDefinitions"][0]["systemControls"] == []
    assert [volume["efsVolumeConfiguration"] for volume in predicted["volumes"]] == [
        {"fileSystemId": "fs-0123456789abcdef0", "rootDirectory": "/", "transitEncryption": "DISABLED"},
        {
            "fileSystemId": "fs-0123456789abcdef0",
            "rootDirectory": "/",
            "transitEncryption": "ENABLED",
            "authorizationConfig": {"accessPointId": "fsap-0123456789abcdef0", "iam": "DISABLED"},
        },
    ]
    assert "rootDirectory" not in request["volumes"][0]["efsVolumeConfiguration"], "the request is left as it is"
    assert normalize_task_definition(predicted) == normalize_task_definition(request)


# --- revisions --------------------------------------------------------------------------------------------------------------


def test_revision_and_family_of_an_arn():
    assert revision_of(arn(12)) == 12
    assert family_of(arn(12, "my_family-2")) == "my_family-2"


@pytest.mark.parametrize(
    ("revisions", "keep", "registering", "doomed"),
    [
        ([1, 2, 3], None, True, []),
        ([1, 2, 3], None, False, []),
        ([1, 2, 3], 5, True, []),
        ([1, 2, 3], 3, False, []),
        ([1, 2, 3], 3, True, [1]),
        ([1, 2, 3], 2, False, [1]),
        ([1, 2, 3], 2, True, [1, 2]),
        ([1, 2, 3], 1, False, [1, 2]),
        ([1, 2, 3], 1, True, [1, 2, 3]),
        ([3, 10, 2], 1, False, [2, 3]),
        ([], 1, True, []),
        ([7], 1, False, []),
    ],
)
def test_revisions_to_deregister(revisions, keep, registering, doomed):
    result = revisions_to_deregister([arn(r) for r in revisions], keep, registering)
    assert result == [arn(r) for r in doomed]
    if revisions and not registering:
        assert arn(max(revisions)) not in result, "the latest revision is never deregistered"
