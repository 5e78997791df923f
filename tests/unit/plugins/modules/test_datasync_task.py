"""cloudops.fargate.datasync_task and datasync_execution_info against the emulator (its DataSync S3 -> EFS model,
emulator/extensions/datasync_efs.py); every outcome is read back with boto3, and the copied files from the emulator's
EFS content store."""

from __future__ import annotations

import json
import urllib.request
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from ansible_collections.cloudops.fargate.plugins.modules import datasync_execution_info
from ansible_collections.cloudops.fargate.plugins.modules import datasync_task
from tests.unit.helpers import assert_ok, running_emulator, wait_until

ACCOUNT = "123456789012"
REGION = "us-east-1"
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
OPTIONS = {"TransferMode": "CHANGED", "PreserveDeletedFiles": "REMOVE", "VerifyMode": "ONLY_FILES_TRANSFERRED",
           "Uid": "NONE", "Gid": "NONE"}


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_emulator(tmp_path_factory.mktemp("emulator"), timeout=30) as url:
        yield url


def client(endpoint: str, service: str):
    return boto3.client(service, region_name=REGION, endpoint_url=endpoint, aws_access_key_id="testing",
                        aws_secret_access_key="testing")


@pytest.fixture(scope="module")
def stack(endpoint: str) -> dict[str, Any]:
    """A VPC with a file system, its mount targets and an access point on /static; a bucket with a release; a role."""
    ec2, efs, s3, iam = (client(endpoint, name) for name in ("ec2", "efs", "s3", "iam"))
    vpc = ec2.create_vpc(CidrBlock="10.95.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.95.{i}.0/24", AvailabilityZone=f"{REGION}{z}")["Subnet"]["SubnetId"]
               for i, z in enumerate("ab")]
    group = ec2.create_security_group(GroupName="datasync", Description="nfs", VpcId=vpc)["GroupId"]
    file_system = efs.create_file_system(CreationToken=uuid.uuid4().hex)
    fs_id = file_system["FileSystemId"]
    for subnet in subnets:
        efs.create_mount_target(FileSystemId=fs_id, SubnetId=subnet, SecurityGroups=[group])
    wait_until(lambda: all(mt["LifeCycleState"] == "available"
                           for mt in efs.describe_mount_targets(FileSystemId=fs_id)["MountTargets"]), "mount targets")
    access_point = efs.create_access_point(
        ClientToken=uuid.uuid4().hex, FileSystemId=fs_id,
        RootDirectory={"Path": "/static", "CreationInfo": {"OwnerUid": 0, "OwnerGid": 0, "Permissions": "755"}},
    )["AccessPointArn"]
    role = iam.create_role(RoleName="datasync", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "datasync.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }))["Role"]["Arn"]
    bucket = f"static-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="releases/r1/config/default.conf", Body=b"server { listen 8080; }\n")
    s3.put_object(Bucket=bucket, Key="releases/r1/ui/index.html", Body=b"<h1>hello</h1>\n")
    return {
        "fs_id": fs_id,
        "source_s3": {"bucket_arn": f"arn:aws:s3:::{bucket}", "subdirectory": "/releases", "bucket_access_role_arn": role},
        "destination_efs": {
            "file_system_arn": file_system["FileSystemArn"],
            "subdirectory": "/releases",
            "subnet_arn": f"arn:aws:ec2:{REGION}:{ACCOUNT}:subnet/{subnets[0]}",
            "security_group_arns": [f"arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/{group}"],
            "access_point_arn": access_point,
        },
        "subnets": subnets,
        "group": group,
    }


@pytest.fixture
def run(run_module, endpoint):
    def run_task(check_mode: bool = False, module=datasync_task, **args):
        return run_module(module, {"endpoint_url": endpoint, "region": REGION, **args}, check_mode=check_mode)

    return run_task


@pytest.fixture
def name() -> str:
    return f"static-{uuid.uuid4().hex[:8]}"


def tasks(endpoint: str) -> dict[str, dict]:
    datasync = client(endpoint, "datasync")
    return {t["Name"]: datasync.describe_task(TaskArn=t["TaskArn"]) for t in datasync.list_tasks()["Tasks"]}


def efs_file(endpoint: str, fs_id: str, path: str) -> bytes:
    url = f"{endpoint}/moto-api/emulator/efs-content/{ACCOUNT}/{REGION}/{fs_id}/file?path={path}"
    with OPENER.open(url, timeout=10) as response:
        return response.read()


def awaited(run, execution_arn: str) -> dict:
    def ended() -> dict | None:
        execution = run(module=datasync_execution_info, execution_arn=execution_arn)["execution"]
        return execution if execution["ended"] else None

    return wait_until(ended, "the execution ends", timeout=30)


def test_a_task_is_created_started_and_its_copy_reaches_efs_then_a_second_run_changes_nothing(run, endpoint, stack, name):
    result = run(name=name, source_s3=stack["source_s3"], destination_efs=stack["destination_efs"], options=OPTIONS,
                 tags={"Stack": "demo"}, start=True)

    assert_ok(result, changed=True)
    task = tasks(endpoint)[name]
    assert task["TaskArn"] == result["task"]["task_arn"] and task["Options"]["PreserveDeletedFiles"] == "REMOVE"
    tags = client(endpoint, "datasync").list_tags_for_resource(ResourceArn=task["TaskArn"])["Tags"]
    assert {"Key": "Name", "Value": name} in tags and {"Key": "Stack", "Value": "demo"} in tags
    execution = awaited(run, result["execution_arn"])
    assert execution["status"] == "SUCCESS" and execution["files_transferred"] == 2
    # Under the access point's root (/static), then the location's subdirectory.
    assert efs_file(endpoint, stack["fs_id"], "/static/releases/r1/ui/index.html") == b"<h1>hello</h1>\n"

    again = run(name=name, source_s3=stack["source_s3"], destination_efs=stack["destination_efs"], options=OPTIONS,
                tags={"Stack": "demo"})
    assert_ok(again, changed=False)
    assert again["task"]["task_arn"] == task["TaskArn"]


def test_check_mode_creates_nothing(run, endpoint, stack, name):
    result = run(check_mode=True, name=name, source_s3=stack["source_s3"], destination_efs=stack["destination_efs"],
                 options=OPTIONS, start=True)
    assert_ok(result, changed=True)
    assert name not in tasks(endpoint) and result["execution_arn"] is None


def test_changed_options_are_updated_in_place(run, endpoint, stack, name):
    created = run(name=name, source_s3=stack["source_s3"], destination_efs=stack["destination_efs"], options=OPTIONS)
    changed = run(name=name, source_s3=stack["source_s3"], destination_efs=stack["destination_efs"],
                  options={**OPTIONS, "VerifyMode": "NONE"})
    assert_ok(changed, changed=True)
    assert changed["task"]["task_arn"] == created["task"]["task_arn"]
    assert tasks(endpoint)[name]["Options"]["VerifyMode"] == "NONE"


def test_another_destination_replaces_the_task_and_its_locations(run, endpoint, stack, name):
    created = run(name=name, source_s3=stack["source_s3"], destination_efs=stack["destination_efs"], options=OPTIONS)
    moved = dict(stack["destination_efs"], subdirectory="/elsewhere")
    replaced = run(name=name, source_s3=stack["source_s3"], destination_efs=moved, options=OPTIONS)

    assert_ok(replaced, changed=True)
    assert replaced["task"]["task_arn"] != created["task"]["task_arn"]
    locations = {loc["LocationArn"] for loc in client(endpoint, "datasync").list_locations()["Locations"]}
    assert created["task"]["destination_location_arn"] not in locations
    assert replaced["task"]["destination_location_arn"] in locations
    assert_ok(run(name=name, source_s3=stack["source_s3"], destination_efs=moved, options=OPTIONS), changed=False)


def test_a_running_execution_is_answered_not_doubled(run, endpoint, stack, name):
    first = run(name=name, source_s3=stack["source_s3"], destination_efs=stack["destination_efs"], options=OPTIONS,
                start=True)
    second = run(name=name, source_s3=stack["source_s3"], destination_efs=stack["destination_efs"], options=OPTIONS,
                 start=True)
    if awaited(run, first["execution_arn"]) and second["execution_arn"] != first["execution_arn"]:
        # The first had ended by the time of the second start (plain mode takes under a second): a new one is right.
        assert second["changed"]
    else:
        assert second["execution_arn"] == first["execution_arn"]


def test_absent_deletes_the_task_and_its_locations(run, endpoint, stack, name):
    created = run(name=name, source_s3=stack["source_s3"], destination_efs=stack["destination_efs"], options=OPTIONS)
    gone = run(name=name, state="absent")
    assert_ok(gone, changed=True)
    assert name not in tasks(endpoint)
    locations = {loc["LocationArn"] for loc in client(endpoint, "datasync").list_locations()["Locations"]}
    assert not {created["task"]["source_location_arn"], created["task"]["destination_location_arn"]} & locations
    assert_ok(run(name=name, state="absent"), changed=False)


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"source_s3": {"bucket_arn": "static", "bucket_access_role_arn": "x"}}, "source_s3.bucket_arn must be the bucket's ARN"),
        ({"destination_efs": {"file_system_arn": "arn:fs", "subnet_arn": "subnet-1", "security_group_arns": ["sg"]}},
         "destination_efs.subnet_arn must be an ARN"),
        ({"destination_efs": {"file_system_arn": "arn:fs", "subnet_arn": "arn:sn", "security_group_arns": [],
                              "access_point_arn": "arn:ap", "in_transit_encryption": "NONE"}},
         "in_transit_encryption must be TLS1_2"),
    ],
    ids=["bucket name", "subnet id", "no TLS with an access point"],
)
def test_bad_input_fails_before_any_call(run, endpoint, stack, name, change, complaint):
    args = {"name": name, "source_s3": stack["source_s3"], "destination_efs": stack["destination_efs"], **change}
    result = run(**args)
    assert result["failed"] and complaint in result["msg"]
    assert name not in tasks(endpoint)
