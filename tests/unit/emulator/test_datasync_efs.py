"""DataSync EFS locations, tags, and S3 -> EFS task executions that copy onto the file system
(emulator/extensions/datasync_efs.py, emulator/efs_content.py)."""

from __future__ import annotations

import hashlib
import json
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from emulator import realism
from emulator.extensions import datasync_efs as extension
from tests.unit.helpers import wait_until

ACCOUNT = "123456789012"
REGION = "us-east-1"
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # the emulator is local
FILES = {
    "nginx/default.conf": b"server { listen 8080; root /usr/share/nginx/html; }\n",
    "ui/index.html": b"<!doctype html><title>app</title>\n",
    "ui/assets/app.js": bytes(range(256)) * 17,  # binary, not a multiple of anything in particular
}


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def clients(aws_client: Callable[[str], Any]) -> dict[str, Any]:
    return {name: aws_client(name) for name in ("datasync", "efs", "ec2", "s3", "iam")}


@pytest.fixture(scope="module")
def network(clients: dict[str, Any]) -> dict[str, Any]:
    ec2 = clients["ec2"]
    vpc_id = ec2.create_vpc(CidrBlock="10.94.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.94.{i}.0/24", AvailabilityZone=f"{REGION}{zone}")["Subnet"][
            "SubnetId"
        ]
        for i, zone in enumerate("abc")
    ]
    group_id = ec2.create_security_group(GroupName=f"ds-{uuid.uuid4().hex[:8]}", Description="nfs", VpcId=vpc_id)[
        "GroupId"
    ]
    role_arn = clients["iam"].create_role(
        RoleName=f"datasync-{uuid.uuid4().hex[:8]}",
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Principal": {"Service": "datasync.amazonaws.com"}, "Action": "sts:AssumeRole"}
                ],
            }
        ),
    )["Role"]["Arn"]
    return {"vpc": vpc_id, "subnets": subnets, "group": group_id, "role": role_arn}


def subnet_arn(subnet_id: str) -> str:
    return f"arn:aws:ec2:{REGION}:{ACCOUNT}:subnet/{subnet_id}"


def group_arn(group_id: str) -> str:
    return f"arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/{group_id}"


def new_file_system(clients: dict[str, Any], network: dict[str, Any]) -> dict[str, Any]:
    """A file system with mount targets in the first two subnets (zones a and b), and an access point on /web."""
    efs = clients["efs"]
    created = efs.create_file_system(CreationToken=f"fs-{uuid.uuid4().hex}")
    file_system_id = created["FileSystemId"]
    wait_until(  # realistic mode: creating first
        lambda: efs.describe_file_systems(FileSystemId=file_system_id)["FileSystems"][0]["LifeCycleState"]
        == "available",
        "the file system is available",
    )
    mount_targets = [
        efs.create_mount_target(FileSystemId=file_system_id, SubnetId=subnet, SecurityGroups=[network["group"]])
        for subnet in network["subnets"][:2]
    ]
    wait_until(
        lambda: all(
            mt["LifeCycleState"] == "available"
            for mt in efs.describe_mount_targets(FileSystemId=file_system_id)["MountTargets"]
        ),
        "the mount targets are available",
    )
    access_point = efs.create_access_point(
        ClientToken=uuid.uuid4().hex,
        FileSystemId=file_system_id,
        RootDirectory={"Path": "/web", "CreationInfo": {"OwnerUid": 0, "OwnerGid": 0, "Permissions": "755"}},
    )
    return {
        "id": file_system_id,
        "arn": created["FileSystemArn"],
        "mount_targets": [mt["MountTargetId"] for mt in mount_targets],
        "access_point": access_point["AccessPointArn"],
    }


def delete_file_system(clients: dict[str, Any], file_system: dict[str, Any]) -> None:
    efs = clients["efs"]
    efs.delete_access_point(AccessPointId=file_system["access_point"].split("/")[-1])
    for mount_target_id in file_system["mount_targets"]:
        efs.delete_mount_target(MountTargetId=mount_target_id)
    efs.delete_file_system(FileSystemId=file_system["id"])


def efs_location(clients: dict[str, Any], network: dict[str, Any], file_system: dict[str, Any], **more: Any) -> str:
    arguments = {
        "EfsFilesystemArn": file_system["arn"],
        "Ec2Config": {
            "SubnetArn": subnet_arn(network["subnets"][0]),
            "SecurityGroupArns": [group_arn(network["group"])],
        },
        "AccessPointArn": file_system["access_point"],
        "FileSystemAccessRoleArn": network["role"],
        "InTransitEncryption": "TLS1_2",
        "Subdirectory": "/site",
        **more,
    }
    return clients["datasync"].create_location_efs(**{k: v for k, v in arguments.items() if v is not None})[
        "LocationArn"
    ]


def new_bucket(clients: dict[str, Any], files: dict[str, bytes], prefix: str = "publish") -> str:
    bucket = f"ds-{uuid.uuid4().hex[:12]}"
    clients["s3"].create_bucket(Bucket=bucket)
    for key, data in files.items():
        clients["s3"].put_object(Bucket=bucket, Key=f"{prefix}/{key}", Body=data)
    return bucket


def s3_location(clients: dict[str, Any], network: dict[str, Any], bucket: str, subdirectory: str = "/publish") -> str:
    return clients["datasync"].create_location_s3(
        S3BucketArn=f"arn:aws:s3:::{bucket}",
        Subdirectory=subdirectory,
        S3Config={"BucketAccessRoleArn": network["role"]},
    )["LocationArn"]


def error_of(call: Callable[..., Any], **kwargs: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as raised:
        call(**kwargs)
    return raised.value.response["Error"]["Code"], raised.value.response["Error"]["Message"]


def get(endpoint: str, path: str) -> tuple[int, bytes]:
    try:
        with OPENER.open(f"{endpoint}{path}", timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def listing(endpoint: str, file_system_id: str, path: str = "/") -> dict[str, Any]:
    status, body = get(endpoint, f"/moto-api/emulator/efs-content/{ACCOUNT}/{REGION}/{file_system_id}?path={path}")
    assert status == 200, body
    return json.loads(body)


def read_file(endpoint: str, file_system_id: str, path: str) -> bytes:
    status, body = get(endpoint, f"/moto-api/emulator/efs-content/{ACCOUNT}/{REGION}/{file_system_id}/file?path={path}")
    assert status == 200, body
    return body


def run_to_end(datasync: Any, task_arn: str, **start: Any) -> dict[str, Any]:
    execution_arn = datasync.start_task_execution(TaskArn=task_arn, **start)["TaskExecutionArn"]

    def ended() -> dict[str, Any] | None:
        described = datasync.describe_task_execution(TaskExecutionArn=execution_arn)
        return described if described["Status"] in ("SUCCESS", "ERROR") else None

    return wait_until(
        ended,
        "the execution ends",
        timeout=15,
    )


# --------------------------------------------------------------------------- locations


def test_efs_location_is_described_as_created(clients: dict[str, Any], network: dict[str, Any]) -> None:
    file_system = new_file_system(clients, network)
    datasync = clients["datasync"]
    arn = efs_location(clients, network, file_system, Tags=[{"Key": "Name", "Value": "web"}])
    described = datasync.describe_location_efs(LocationArn=arn)
    assert described["LocationUri"] == f"efs://{REGION}.{file_system['id']}/site/"
    assert described["Ec2Config"] == {
        "SubnetArn": subnet_arn(network["subnets"][0]),
        "SecurityGroupArns": [group_arn(network["group"])],
    }
    assert described["AccessPointArn"] == file_system["access_point"]
    assert described["FileSystemAccessRoleArn"] == network["role"]
    assert described["InTransitEncryption"] == "TLS1_2"
    assert datasync.list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "Name", "Value": "web"}]
    datasync.tag_resource(ResourceArn=arn, Tags=[{"Key": "team", "Value": "ops"}])
    datasync.untag_resource(ResourceArn=arn, Keys=["Name"])
    assert datasync.list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "team", "Value": "ops"}]

    plain = efs_location(
        clients,
        network,
        file_system,
        AccessPointArn=None,
        FileSystemAccessRoleArn=None,
        InTransitEncryption=None,
        Subdirectory=None,
    )
    assert datasync.describe_location_efs(LocationArn=plain)["LocationUri"] == f"efs://{REGION}.{file_system['id']}/"
    assert datasync.describe_location_efs(LocationArn=plain)["InTransitEncryption"] == "NONE"

    datasync.delete_location(LocationArn=arn)
    code, message = error_of(datasync.describe_location_efs, LocationArn=arn)
    assert code == "InvalidRequestException" and "not found" in message
    code, message = error_of(datasync.list_tags_for_resource, ResourceArn=arn)
    assert code == "InvalidRequestException"


def test_efs_location_refusals(clients: dict[str, Any], network: dict[str, Any]) -> None:
    file_system = new_file_system(clients, network)
    other = new_file_system(clients, network)
    datasync = clients["datasync"]
    missing_fs = file_system["arn"].replace(file_system["id"], "fs-0123456789abcdef0")
    refused = {
        "unknown file system": dict(EfsFilesystemArn=missing_fs),
        "TLS needed with an access point": dict(InTransitEncryption="NONE", FileSystemAccessRoleArn=None),
        "TLS needed with a role": dict(InTransitEncryption=None, AccessPointArn=None),
        "access point of another file system": dict(AccessPointArn=other["access_point"]),
        "no mount target in the subnet's zone": dict(
            Ec2Config={
                "SubnetArn": subnet_arn(network["subnets"][2]),
                "SecurityGroupArns": [group_arn(network["group"])],
            }
        ),
        "unknown subnet": dict(
            Ec2Config={
                "SubnetArn": subnet_arn("subnet-0123456789abcdef0"),
                "SecurityGroupArns": [group_arn(network["group"])],
            }
        ),
        "unknown security group": dict(
            Ec2Config={
                "SubnetArn": subnet_arn(network["subnets"][0]),
                "SecurityGroupArns": [group_arn("sg-0123456789abcdef0")],
            }
        ),
        "unknown role": dict(FileSystemAccessRoleArn=f"arn:aws:iam::{ACCOUNT}:role/nobody-{uuid.uuid4().hex[:6]}"),
    }
    before = len(datasync.list_locations()["Locations"])
    for case, arguments in refused.items():
        code, _message = error_of(lambda **kw: efs_location(clients, network, file_system, **kw), **arguments)
        assert code == "InvalidRequestException", case
    code, message = error_of(lambda **kw: efs_location(clients, network, file_system, **kw), InTransitEncryption="NONE")
    assert message == extension.TLS_REQUIRED
    assert len(datasync.list_locations()["Locations"]) == before, "nothing refused was created"


def test_s3_location_of_a_missing_bucket_is_refused(clients: dict[str, Any], network: dict[str, Any]) -> None:
    code, message = error_of(s3_location, clients=clients, network=network, bucket="no-such-bucket-ds")
    assert code == "InvalidRequestException"
    assert message == extension.ACCESS_TEST_FAILED.format(bucket="no-such-bucket-ds")


def test_task_refuses_remove_with_transfer_all(clients: dict[str, Any], network: dict[str, Any]) -> None:
    file_system = new_file_system(clients, network)
    source = s3_location(clients, network, new_bucket(clients, {}))
    destination = efs_location(clients, network, file_system)
    code, message = error_of(
        clients["datasync"].create_task,
        SourceLocationArn=source,
        DestinationLocationArn=destination,
        Options={"PreserveDeletedFiles": "REMOVE", "TransferMode": "ALL"},
    )
    assert (code, message) == ("InvalidRequestException", extension.REMOVE_WITH_ALL)
    code, _message = error_of(
        clients["datasync"].create_task,
        SourceLocationArn=source,
        DestinationLocationArn=destination,
        TaskMode="ENHANCED",
    )
    assert code == "InvalidRequestException", "Enhanced mode is for S3 to S3 only"


def test_update_task_changes_only_what_it_is_given(clients: dict[str, Any], network: dict[str, Any]) -> None:
    datasync = clients["datasync"]
    file_system = new_file_system(clients, network)
    task_arn = datasync.create_task(
        SourceLocationArn=s3_location(clients, network, new_bucket(clients, {})),
        DestinationLocationArn=efs_location(clients, network, file_system),
        Name="kept",
        Options={"VerifyMode": "ONLY_FILES_TRANSFERRED", "Uid": "NONE", "Gid": "NONE"},
    )["TaskArn"]
    datasync.update_task(TaskArn=task_arn, Options={"VerifyMode": "NONE"})
    task = datasync.describe_task(TaskArn=task_arn)
    assert task["Name"] == "kept"
    assert (task["Options"]["VerifyMode"], task["Options"]["Uid"]) == ("NONE", "NONE")
    assert "kept" in {t.get("Name") for t in datasync.list_tasks()["Tasks"]}


# --------------------------------------------------------------------------- transfers


def test_transfer_reaches_efs_byte_for_byte_and_changed_copies_nothing_twice(
    clients: dict[str, Any], network: dict[str, Any], emulator_endpoint: str
) -> None:
    datasync = clients["datasync"]
    file_system = new_file_system(clients, network)
    bucket = new_bucket(clients, FILES)
    clients["s3"].put_object(Bucket=bucket, Key="elsewhere/not-mine.txt", Body=b"outside the location")
    task_arn = datasync.create_task(
        SourceLocationArn=s3_location(clients, network, bucket),
        DestinationLocationArn=efs_location(clients, network, file_system),
        Tags=[{"Key": "app", "Value": "web"}],
    )["TaskArn"]
    assert datasync.list_tags_for_resource(ResourceArn=task_arn)["Tags"] == [{"Key": "app", "Value": "web"}]

    first = run_to_end(datasync, task_arn)
    assert first["Status"] == "SUCCESS", first.get("Result")
    assert first["FilesTransferred"] == len(FILES)
    assert first["BytesTransferred"] == sum(map(len, FILES.values()))
    assert first["Result"]["VerifyStatus"] == "SUCCESS"

    # Under the access point's root directory (/web), then the location's subdirectory (/site).
    found = listing(emulator_endpoint, file_system["id"])
    assert set(found) == {f"/web/site/{key}" for key in FILES}
    for key, data in FILES.items():
        assert found[f"/web/site/{key}"]["sha256"] == hashlib.sha256(data).hexdigest()
        assert found[f"/web/site/{key}"]["mode"] == "0755", "DataSync's default POSIX permissions"
        assert read_file(emulator_endpoint, file_system["id"], f"/web/site/{key}") == data
    assert set(listing(emulator_endpoint, file_system["id"], "/web/site/ui")) == {
        "/web/site/ui/index.html",
        "/web/site/ui/assets/app.js",
    }

    second = run_to_end(datasync, task_arn)
    assert second["Status"] == "SUCCESS"
    assert (second["FilesTransferred"], second["BytesTransferred"]) == (0, 0), "TransferMode CHANGED: nothing changed"
    third = run_to_end(datasync, task_arn, OverrideOptions={"TransferMode": "ALL"})
    assert third["FilesTransferred"] == len(FILES)


def test_remove_deletes_stale_files_and_preserve_keeps_them(
    clients: dict[str, Any], network: dict[str, Any], emulator_endpoint: str
) -> None:
    datasync, s3 = clients["datasync"], clients["s3"]
    file_system = new_file_system(clients, network)
    bucket = new_bucket(clients, FILES)
    task_arn = datasync.create_task(
        SourceLocationArn=s3_location(clients, network, bucket),
        DestinationLocationArn=efs_location(clients, network, file_system, AccessPointArn=None, Subdirectory="/"),
    )["TaskArn"]
    assert run_to_end(datasync, task_arn)["Status"] == "SUCCESS"
    s3.delete_object(Bucket=bucket, Key="publish/ui/assets/app.js")
    s3.put_object(Bucket=bucket, Key="publish/ui/index.html", Body=b"<!doctype html><title>v2</title>\n")

    kept = run_to_end(datasync, task_arn)  # PreserveDeletedFiles PRESERVE (default)
    assert (kept["FilesTransferred"], kept["FilesDeleted"]) == (1, 0)
    assert "/ui/assets/app.js" in listing(emulator_endpoint, file_system["id"])

    removed = run_to_end(datasync, task_arn, OverrideOptions={"PreserveDeletedFiles": "REMOVE"})
    assert removed["Status"] == "SUCCESS"
    assert removed["FilesDeleted"] >= 1
    assert set(listing(emulator_endpoint, file_system["id"])) == {"/nginx/default.conf", "/ui/index.html"}
    assert read_file(emulator_endpoint, file_system["id"], "/ui/index.html") == b"<!doctype html><title>v2</title>\n"


def test_access_point_posix_user_fails_verification_of_copied_ownership(
    clients: dict[str, Any], network: dict[str, Any], emulator_endpoint: str
) -> None:
    """create-efs-location.html: an access point that enforces a user changes the owner, and verification fails."""
    datasync, efs = clients["datasync"], clients["efs"]
    file_system = new_file_system(clients, network)
    enforcing = efs.create_access_point(
        ClientToken=uuid.uuid4().hex,
        FileSystemId=file_system["id"],
        PosixUser={"Uid": 101, "Gid": 101},
        RootDirectory={"Path": "/nginx", "CreationInfo": {"OwnerUid": 101, "OwnerGid": 101, "Permissions": "755"}},
    )["AccessPointArn"]
    task_arn = datasync.create_task(
        SourceLocationArn=s3_location(clients, network, new_bucket(clients, FILES)),
        DestinationLocationArn=efs_location(clients, network, file_system, AccessPointArn=enforcing, Subdirectory="/"),
    )["TaskArn"]
    failed = run_to_end(datasync, task_arn)
    assert failed["Status"] == "ERROR"
    assert failed["Result"]["VerifyStatus"] == "ERROR"
    assert listing(emulator_endpoint, file_system["id"])["/nginx/ui/index.html"]["uid"] == 101, "written, as 101"
    ok = run_to_end(datasync, task_arn, OverrideOptions={"Uid": "NONE", "Gid": "NONE"})
    assert ok["Status"] == "SUCCESS"


def test_missing_bucket_fails_the_execution(clients: dict[str, Any], network: dict[str, Any]) -> None:
    datasync, s3 = clients["datasync"], clients["s3"]
    file_system = new_file_system(clients, network)
    bucket = new_bucket(clients, {})
    task_arn = datasync.create_task(
        SourceLocationArn=s3_location(clients, network, bucket),
        DestinationLocationArn=efs_location(clients, network, file_system),
    )["TaskArn"]
    s3.delete_bucket(Bucket=bucket)
    failed = run_to_end(datasync, task_arn)
    assert failed["Status"] == "ERROR"
    assert failed["Result"]["ErrorDetail"] == extension.ACCESS_TEST_FAILED.format(bucket=bucket)


def test_deleting_the_file_system_drops_its_content(
    clients: dict[str, Any], network: dict[str, Any], emulator_endpoint: str
) -> None:
    datasync = clients["datasync"]
    file_system = new_file_system(clients, network)
    task_arn = datasync.create_task(
        SourceLocationArn=s3_location(clients, network, new_bucket(clients, FILES)),
        DestinationLocationArn=efs_location(clients, network, file_system),
    )["TaskArn"]
    assert run_to_end(datasync, task_arn)["Status"] == "SUCCESS"
    assert listing(emulator_endpoint, file_system["id"])
    delete_file_system(clients, file_system)
    status, _body = get(emulator_endpoint, f"/moto-api/emulator/efs-content/{ACCOUNT}/{REGION}/{file_system['id']}")
    assert status == 404


def test_posix_metadata_of_the_objects_is_applied(
    clients: dict[str, Any], network: dict[str, Any], emulator_endpoint: str
) -> None:
    """DataSync's user metadata (file-permissions, file-owner, file-group) become the file's mode and owner."""
    datasync = clients["datasync"]
    file_system = new_file_system(clients, network)
    bucket = new_bucket(clients, {})
    clients["s3"].put_object(
        Bucket=bucket, Key="publish/conf/default.conf", Body=b"server {}",
        Metadata={"file-permissions": "0640", "file-owner": "101", "file-group": "102"},
    )
    task_arn = datasync.create_task(
        SourceLocationArn=s3_location(clients, network, bucket),
        DestinationLocationArn=efs_location(clients, network, file_system),
    )["TaskArn"]
    assert run_to_end(datasync, task_arn)["Status"] == "SUCCESS"
    copied = listing(emulator_endpoint, file_system["id"])["/web/site/conf/default.conf"]
    assert (copied["mode"], copied["uid"], copied["gid"]) == ("0640", 101, 102)


# --------------------------------------------------------------------------- realistic mode


def test_statuses_go_by_time_and_a_running_task_cannot_start_again(
    clients: dict[str, Any], network: dict[str, Any], emulator_endpoint: str, realistic: Callable[..., Any]
) -> None:
    datasync = clients["datasync"]
    file_system = new_file_system(clients, network)
    task_arn = datasync.create_task(
        SourceLocationArn=s3_location(clients, network, new_bucket(clients, FILES)),
        DestinationLocationArn=efs_location(clients, network, file_system),
    )["TaskArn"]
    # 10 s in all: LAUNCHING 4 s, PREPARING 2.5 s, TRANSFERRING 2 s, each longer than a poll takes on a busy machine
    realistic(behaviour_seconds={extension.BEHAVIOUR: 10})
    execution_arn = datasync.start_task_execution(TaskArn=task_arn)["TaskExecutionArn"]
    code, message = error_of(datasync.start_task_execution, TaskArn=task_arn)
    assert code == "InvalidRequestException" and execution_arn in message

    seen = []

    def finished() -> bool:
        described = datasync.describe_task_execution(TaskExecutionArn=execution_arn)
        if not seen or seen[-1] != described["Status"]:
            seen.append(described["Status"])
        if described["Status"] in ("QUEUED", "LAUNCHING", "PREPARING"):
            assert described["FilesTransferred"] == 0
            assert datasync.describe_task(TaskArn=task_arn)["Status"] == "RUNNING"
        return described["Status"] in ("SUCCESS", "ERROR")

    wait_until(finished, lambda: f"the execution ends (seen {seen})", timeout=30, interval=0.1)
    order = ["QUEUED", "LAUNCHING", "PREPARING", "TRANSFERRING", "VERIFYING", "SUCCESS"]
    assert seen == sorted(seen, key=order.index) and seen[-1] == "SUCCESS"
    assert {"LAUNCHING", "PREPARING", "TRANSFERRING"} <= set(seen), seen
    assert len(listing(emulator_endpoint, file_system["id"])) == len(FILES)
    assert datasync.describe_task(TaskArn=task_arn)["Status"] == "AVAILABLE"


def test_typical_duration_is_documented() -> None:
    typical = realism.TYPICAL[extension.BEHAVIOUR]
    assert typical.seconds >= 60 and "DataSync user guide" in typical.source


# --------------------------------------------------------------------------- install


def test_moto_alone_lacks_efs_locations_and_install_adds_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """In this process (mock_aws): without the patches moto has no CreateLocationEfs; install() adds it, once."""
    from moto.datasync.responses import DataSyncResponse

    from emulator.extensions import _patching

    for owner, name, _make in extension.PATCHES:
        value = vars(owner).get(name)
        while value is not None and _patching.is_ours(value, extension.__name__):
            value = getattr(value, "__wrapped__", None)
        if value is None:
            monkeypatch.delattr(owner, name, raising=False)
        else:
            monkeypatch.setattr(owner, name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        session = boto3.session.Session(aws_access_key_id="t", aws_secret_access_key="t", region_name=REGION)
        datasync = session.client("datasync")
        assert not extension.is_installed()
        with pytest.raises(Exception):
            datasync.describe_location_efs(LocationArn=f"arn:aws:datasync:{REGION}:{ACCOUNT}:location/loc-0")
        extension.install()
        extension.install()
        assert extension.is_installed()
        assert not hasattr(DataSyncResponse.describe_task_execution.__wrapped__, "__wrapped__"), "wrapped once"
        code, _message = error_of(datasync.describe_location_efs, LocationArn="arn:aws:datasync:x")
        assert code == "InvalidRequestException"
