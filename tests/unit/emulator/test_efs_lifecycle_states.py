"""EFS file systems, mount targets and access points go through creating (and deleting) as on AWS
(emulator/extensions/efs_lifecycle_states.py)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from emulator import realism
from emulator.extensions import efs_lifecycle_states as extension
from tests.unit.helpers import wait_until

SCALE = 0.01  # file system 0.12 s, mount target 0.9 s to create and 0.6 s to delete
# Long enough for the calls a test makes while something is creating or deleting, on a busy machine:
CREATING_SECONDS = 4  # a file system (and an access point), for what it refuses meanwhile
MOUNT_TARGET_CREATING_SECONDS = 3  # a mount target, for its state meanwhile
DELETING_SECONDS = 6  # a mount target's deletion, for what it holds meanwhile


def seconds(behaviour: str) -> float:
    return realism.TYPICAL[behaviour].seconds * SCALE


@pytest.fixture(scope="module")
def efs(aws_client: Callable[[str], Any]) -> Any:
    return aws_client("efs")


@pytest.fixture(scope="module")
def ec2(aws_client: Callable[[str], Any]) -> Any:
    return aws_client("ec2")


@pytest.fixture(scope="module")
def subnets(ec2: Any) -> list[str]:
    return create_subnets(ec2)


def create_subnets(ec2: Any) -> list[str]:
    vpc_id = ec2.create_vpc(CidrBlock="10.93.0.0/16")["Vpc"]["VpcId"]
    return [
        ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.93.{i}.0/24", AvailabilityZone=f"us-east-1{zone}")["Subnet"][
            "SubnetId"
        ]
        for i, zone in enumerate("ab")
    ]


def new_file_system(efs: Any) -> dict[str, Any]:
    return efs.create_file_system(CreationToken=f"fs-{uuid.uuid4().hex}")


def file_system_state(efs: Any, file_system_id: str) -> str:
    return efs.describe_file_systems(FileSystemId=file_system_id)["FileSystems"][0]["LifeCycleState"]


def mount_targets(efs: Any, file_system_id: str) -> dict[str, str]:
    described = efs.describe_mount_targets(FileSystemId=file_system_id)["MountTargets"]
    return {mt["MountTargetId"]: mt["LifeCycleState"] for mt in described}


def error_of(call: Callable[..., Any], **kwargs: Any) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as raised:
        call(**kwargs)
    response = raised.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]


def eni_ids(ec2: Any) -> set[str]:
    return {eni["NetworkInterfaceId"] for eni in ec2.describe_network_interfaces()["NetworkInterfaces"]}


# --------------------------------------------------------------------------- plain mode: the gap


def test_plain_mode_is_available_at_once_and_deletes_at_once(efs: Any, ec2: Any, subnets: list[str]) -> None:
    created = new_file_system(efs)
    assert created["LifeCycleState"] == "available"
    file_system_id = created["FileSystemId"]
    mount_target = efs.create_mount_target(FileSystemId=file_system_id, SubnetId=subnets[0])
    assert mount_target["LifeCycleState"] == "available"
    access_point = efs.create_access_point(ClientToken=uuid.uuid4().hex, FileSystemId=file_system_id)
    assert access_point["LifeCycleState"] == "available"

    code, message, status = error_of(efs.delete_file_system, FileSystemId=file_system_id)
    assert (code, status) == ("FileSystemInUse", 409)
    assert message == extension.in_use_message(file_system_id), "AWS's message"

    efs.delete_mount_target(MountTargetId=mount_target["MountTargetId"])
    assert mount_targets(efs, file_system_id) == {}
    assert mount_target["NetworkInterfaceId"] not in eni_ids(ec2)
    efs.delete_access_point(AccessPointId=access_point["AccessPointId"])
    efs.delete_file_system(FileSystemId=file_system_id)


# --------------------------------------------------------------------------- realistic mode


def test_a_new_file_system_is_creating_and_refuses_what_needs_it_available(
    efs: Any, subnets: list[str], realistic: Callable[..., Any]
) -> None:
    realistic(time_scale=SCALE, behaviour_seconds={extension.FILE_SYSTEM_CREATING: CREATING_SECONDS})
    created = new_file_system(efs)
    file_system_id = created["FileSystemId"]
    assert created["LifeCycleState"] == "creating"
    assert file_system_state(efs, file_system_id) == "creating"

    refused = {
        "CreateMountTarget": lambda: efs.create_mount_target(FileSystemId=file_system_id, SubnetId=subnets[0]),
        "CreateAccessPoint": lambda: efs.create_access_point(ClientToken=uuid.uuid4().hex, FileSystemId=file_system_id),
        "PutLifecycleConfiguration": lambda: efs.put_lifecycle_configuration(
            FileSystemId=file_system_id, LifecyclePolicies=[{"TransitionToIA": "AFTER_30_DAYS"}]
        ),
        "PutFileSystemPolicy": lambda: efs.put_file_system_policy(
            FileSystemId=file_system_id, Policy=json.dumps({"Version": "2012-10-17", "Statement": []})
        ),
    }
    for operation, call in refused.items():
        code, _message, status = error_of(call)
        assert (code, status) == ("IncorrectFileSystemLifeCycleState", 409), operation
    assert mount_targets(efs, file_system_id) == {}
    assert efs.describe_access_points(FileSystemId=file_system_id)["AccessPoints"] == []

    wait_until(
        lambda: file_system_state(efs, file_system_id) == "available",
        "the file system is available",
        timeout=CREATING_SECONDS + 10,
    )
    access_point = efs.create_access_point(ClientToken=uuid.uuid4().hex, FileSystemId=file_system_id)
    assert access_point["LifeCycleState"] == "creating"
    wait_until(
        lambda: efs.describe_access_points(AccessPointId=access_point["AccessPointId"])["AccessPoints"][0][
            "LifeCycleState"
        ]
        == "available",
        "the access point is available",
        timeout=CREATING_SECONDS + 10,
    )
    efs.delete_access_point(AccessPointId=access_point["AccessPointId"])
    efs.delete_file_system(FileSystemId=file_system_id)


def test_mount_targets_are_creating_then_deleting_and_hold_the_file_system_meanwhile(
    efs: Any, ec2: Any, subnets: list[str], realistic: Callable[..., Any]
) -> None:
    realistic(time_scale=SCALE, behaviour_seconds={extension.MOUNT_TARGET_CREATING: MOUNT_TARGET_CREATING_SECONDS})
    file_system_id = new_file_system(efs)["FileSystemId"]
    wait_until(lambda: file_system_state(efs, file_system_id) == "available", "the file system is available")

    created = efs.create_mount_target(FileSystemId=file_system_id, SubnetId=subnets[0])
    mount_target_id, eni_id = created["MountTargetId"], created["NetworkInterfaceId"]
    assert created["LifeCycleState"] == "creating"
    assert mount_targets(efs, file_system_id) == {mount_target_id: "creating"}
    wait_until(
        lambda: mount_targets(efs, file_system_id) == {mount_target_id: "available"},
        "the mount target is available",
        timeout=MOUNT_TARGET_CREATING_SECONDS + 10,
    )

    # The deletion takes seconds, so the checks of what it holds meanwhile never race its end on a busy machine.
    realistic(time_scale=SCALE, behaviour_seconds={extension.MOUNT_TARGET_DELETING: DELETING_SECONDS})
    efs.delete_mount_target(MountTargetId=mount_target_id)
    assert mount_targets(efs, file_system_id) == {mount_target_id: "deleting"}
    efs.delete_mount_target(MountTargetId=mount_target_id)  # again: nothing changes
    assert efs.describe_mount_targets(MountTargetId=mount_target_id)["MountTargets"][0]["LifeCycleState"] == "deleting"
    assert eni_id in eni_ids(ec2), "its network interface goes with it, not before"
    assert efs.describe_file_systems(FileSystemId=file_system_id)["FileSystems"][0]["NumberOfMountTargets"] == 1

    code, message, _status = error_of(efs.delete_file_system, FileSystemId=file_system_id)
    assert (code, message) == ("FileSystemInUse", extension.in_use_message(file_system_id))
    code, _message, _status = error_of(efs.create_mount_target, FileSystemId=file_system_id, SubnetId=subnets[0])
    assert code == "MountTargetConflict", "it still holds its Availability Zone"

    wait_until(
        lambda: mount_targets(efs, file_system_id) == {},
        "the mount target is gone",
        timeout=DELETING_SECONDS + 5,
    )
    # Its network interface outlives it for a while, as on AWS (ec2_lingering_interfaces), then goes.
    wait_until(
        lambda: eni_id not in eni_ids(ec2),
        "its network interface is gone",
        timeout=seconds("network_interface.lingering") + 5,
    )
    code, _message, _status = error_of(efs.describe_mount_targets, MountTargetId=mount_target_id)
    assert code == "MountTargetNotFound"
    efs.delete_file_system(FileSystemId=file_system_id)


def test_the_network_interface_goes_once_it_has_lingered_even_without_efs_calls(
    efs: Any, ec2: Any, subnets: list[str], realistic: Callable[..., Any]
) -> None:
    realistic(time_scale=SCALE)
    file_system_id = new_file_system(efs)["FileSystemId"]
    wait_until(lambda: file_system_state(efs, file_system_id) == "available", "the file system is available")
    created = efs.create_mount_target(FileSystemId=file_system_id, SubnetId=subnets[1])
    efs.delete_mount_target(MountTargetId=created["MountTargetId"])
    wait_until(
        lambda: created["NetworkInterfaceId"] not in eni_ids(ec2),
        "EC2 no longer lists the mount target's network interface",
        timeout=seconds(extension.MOUNT_TARGET_DELETING) + seconds("network_interface.lingering") + 3,
    )
    efs.delete_file_system(FileSystemId=file_system_id)


# --------------------------------------------------------------------------- install


def test_install_twice_patches_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """In this process (mock_aws): moto alone has every state available at once; install() changes that, once."""
    from moto.efs.models import EFSBackend

    for owner, name, _make in extension.PATCHES:
        value = vars(owner).get(name, getattr(owner, name))
        monkeypatch.setattr(owner, name, value)
        while hasattr(value, "__wrapped__") and _is_ours_somewhere(value):
            value = value.__wrapped__
        monkeypatch.setattr(owner, name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    try:
        realism.configure({"realistic": True, "time_scale": 1.0})
        with mock_aws():
            session = boto3.session.Session(aws_access_key_id="t", aws_secret_access_key="t", region_name="us-east-1")
            efs = session.client("efs")
            assert not extension.is_installed()
            assert new_file_system(efs)["LifeCycleState"] == "available", "moto: available at once"

            extension.install()
            extension.install()
            assert extension.is_installed()
            assert not hasattr(EFSBackend.delete_mount_target.__wrapped__, "__wrapped__"), "install() wraps once"
            assert new_file_system(efs)["LifeCycleState"] == "creating"
    finally:
        realism.reset()


def _is_ours_somewhere(value: Any) -> bool:
    from emulator.extensions import _patching

    return _patching.is_ours(value, extension.__name__)
