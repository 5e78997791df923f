"""EFS UpdateFileSystem changes the throughput mode and provisioned throughput
(emulator/extensions/efs_update_file_system.py)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from emulator.extensions import efs_update_file_system

MISSING_FILE_SYSTEM = "fs-0123456789abcdef0"


@pytest.fixture(scope="module")
def efs(aws_client: Callable[[str], Any]) -> Any:
    return aws_client("efs")


@pytest.fixture(scope="module")
def unchecked_efs(emulator_endpoint: str) -> Any:
    """A client that sends what botocore would refuse to (to see the server's own checks)."""
    return boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    ).client("efs", endpoint_url=emulator_endpoint, config=Config(parameter_validation=False))


def create(efs: Any, **kwargs: Any) -> str:
    return efs.create_file_system(CreationToken=f"unit-{uuid.uuid4().hex}", **kwargs)["FileSystemId"]


def throughput_of(efs: Any, file_system_id: str) -> tuple[str, float | None]:
    described = efs.describe_file_systems(FileSystemId=file_system_id)["FileSystems"][0]
    return described["ThroughputMode"], described.get("ProvisionedThroughputInMibps")


def error_of(call: Callable[..., Any], **kwargs: Any) -> tuple[str, int]:
    with pytest.raises(ClientError) as raised:
        call(**kwargs)
    response = raised.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


# --------------------------------------------------------------------------- through the emulator


def test_switch_to_elastic(efs: Any) -> None:
    file_system_id = create(efs)
    response = efs.update_file_system(FileSystemId=file_system_id, ThroughputMode="elastic")
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert response["FileSystemId"] == file_system_id
    assert response["ThroughputMode"] == "elastic"
    assert throughput_of(efs, file_system_id) == ("elastic", None)


def test_switch_to_provisioned_change_the_amount_and_back(efs: Any) -> None:
    file_system_id = create(efs)
    response = efs.update_file_system(
        FileSystemId=file_system_id, ThroughputMode="provisioned", ProvisionedThroughputInMibps=64.5
    )
    assert (response["ThroughputMode"], response["ProvisionedThroughputInMibps"]) == ("provisioned", 64.5)
    assert throughput_of(efs, file_system_id) == ("provisioned", 64.5)

    efs.update_file_system(FileSystemId=file_system_id, ProvisionedThroughputInMibps=128)
    assert throughput_of(efs, file_system_id) == ("provisioned", 128)

    efs.update_file_system(FileSystemId=file_system_id, ThroughputMode="bursting")
    assert throughput_of(efs, file_system_id) == ("bursting", None)


def test_other_fields_are_kept(efs: Any) -> None:
    file_system_id = create(efs, Encrypted=True, PerformanceMode="generalPurpose", Tags=[{"Key": "Name", "Value": "x"}])
    efs.update_file_system(FileSystemId=file_system_id, ThroughputMode="elastic")
    described = efs.describe_file_systems(FileSystemId=file_system_id)["FileSystems"][0]
    assert (described["Encrypted"], described["PerformanceMode"], described["Name"]) == (True, "generalPurpose", "x")


@pytest.mark.parametrize(
    "request_args",
    [
        {"ThroughputMode": "provisioned"},
        {"ProvisionedThroughputInMibps": 10},
        {"ThroughputMode": "elastic", "ProvisionedThroughputInMibps": 10},
        {"ThroughputMode": "provisioned", "ProvisionedThroughputInMibps": 0.5},
        {"ThroughputMode": "fast"},
        {},
    ],
)
def test_bad_requests_are_refused_and_change_nothing(unchecked_efs: Any, request_args: dict[str, Any]) -> None:
    file_system_id = create(unchecked_efs)
    assert error_of(unchecked_efs.update_file_system, FileSystemId=file_system_id, **request_args) == (
        "BadRequest",
        400,
    )
    assert throughput_of(unchecked_efs, file_system_id) == ("bursting", None)


def test_provisioned_throughput_alone_on_a_provisioned_file_system(efs: Any) -> None:
    file_system_id = create(efs, ThroughputMode="provisioned", ProvisionedThroughputInMibps=8)
    efs.update_file_system(FileSystemId=file_system_id, ThroughputMode="provisioned")  # already provisioned: fine
    efs.update_file_system(FileSystemId=file_system_id, ProvisionedThroughputInMibps=16)
    assert throughput_of(efs, file_system_id) == ("provisioned", 16)


def test_unknown_file_system_is_not_found(efs: Any) -> None:
    assert error_of(efs.update_file_system, FileSystemId=MISSING_FILE_SYSTEM, ThroughputMode="elastic") == (
        "FileSystemNotFound",
        404,
    )


# --------------------------------------------------------------------------- plain moto


def test_moto_alone_lacks_update_file_system_and_install_adds_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Proves the extension is still needed: if the first assertions fail, moto fixed the gap; drop the extension."""
    from moto import mock_aws
    from moto.efs.models import EFSBackend
    from moto.efs.responses import EFSResponse

    monkeypatch.delattr(EFSBackend, "update_file_system", raising=False)
    monkeypatch.delattr(EFSResponse, "update_file_system", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)  # mock_aws intercepts the real AWS endpoints only

    with mock_aws():
        efs = boto3.client("efs", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
        assert not efs_update_file_system.is_installed()
        file_system_id = create(efs)
        with pytest.raises(NotImplementedError):
            efs.update_file_system(FileSystemId=file_system_id, ThroughputMode="elastic")

        efs_update_file_system.install()
        efs_update_file_system.install()

        assert efs_update_file_system.is_installed()
        efs.update_file_system(FileSystemId=file_system_id, ThroughputMode="elastic")
        assert throughput_of(efs, file_system_id) == ("elastic", None)
