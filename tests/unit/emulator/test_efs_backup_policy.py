"""EFS backup policies: PutBackupPolicy and DescribeBackupPolicy as AWS answers them
(emulator/extensions/efs_backup_policy.py)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from emulator.extensions import efs_backup_policy

MISSING_FILE_SYSTEM = "fs-0123456789abcdef0"


@pytest.fixture(scope="module")
def efs(aws_client: Callable[[str], Any]) -> Any:
    return aws_client("efs")


def create(efs: Any, **kwargs: Any) -> dict[str, Any]:
    return efs.create_file_system(CreationToken=f"unit-{uuid.uuid4().hex}", **kwargs)


def status_of(efs: Any, file_system_id: str) -> str:
    return efs.describe_backup_policy(FileSystemId=file_system_id)["BackupPolicy"]["Status"]


def put(efs: Any, file_system_id: str, status: str) -> dict[str, Any]:
    response = efs.put_backup_policy(FileSystemId=file_system_id, BackupPolicy={"Status": status})
    response.pop("ResponseMetadata")
    return response


def error_of(call: Callable[..., Any], **kwargs: Any) -> tuple[str, int]:
    with pytest.raises(ClientError) as raised:
        call(**kwargs)
    response = raised.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


# --------------------------------------------------------------------------- through the emulator


def test_a_file_system_created_without_backup_reports_disabled(efs: Any) -> None:
    assert status_of(efs, create(efs)["FileSystemId"]) == "DISABLED"
    assert status_of(efs, create(efs, Backup=False)["FileSystemId"]) == "DISABLED"


def test_a_file_system_created_with_backup_reports_enabled(efs: Any) -> None:
    assert status_of(efs, create(efs, Backup=True)["FileSystemId"]) == "ENABLED"


def test_put_turns_backups_on_and_off(efs: Any) -> None:
    file_system_id = create(efs)["FileSystemId"]

    assert put(efs, file_system_id, "ENABLED") == {"BackupPolicy": {"Status": "ENABLED"}}
    assert status_of(efs, file_system_id) == "ENABLED"
    assert put(efs, file_system_id, "ENABLED") == {"BackupPolicy": {"Status": "ENABLED"}}, "a repeated put is fine"

    assert put(efs, file_system_id, "DISABLED") == {"BackupPolicy": {"Status": "DISABLED"}}
    assert status_of(efs, file_system_id) == "DISABLED"


def test_put_changes_only_its_own_file_system(efs: Any) -> None:
    one, other = create(efs)["FileSystemId"], create(efs)["FileSystemId"]
    put(efs, one, "ENABLED")
    assert status_of(efs, other) == "DISABLED"


@pytest.mark.parametrize("status", ["ENABLING", "DISABLING", "enabled", ""])
def test_put_refuses_a_status_that_is_not_a_request(efs: Any, status: str) -> None:
    file_system_id = create(efs, Backup=True)["FileSystemId"]
    code, http_status = error_of(efs.put_backup_policy, FileSystemId=file_system_id, BackupPolicy={"Status": status})
    assert (code, http_status) == ("BadRequest", 400)
    assert status_of(efs, file_system_id) == "ENABLED", "a refused put changes nothing"


def test_unknown_file_system_is_not_found(efs: Any) -> None:
    assert error_of(efs.describe_backup_policy, FileSystemId=MISSING_FILE_SYSTEM) == ("FileSystemNotFound", 404)
    assert error_of(efs.put_backup_policy, FileSystemId=MISSING_FILE_SYSTEM, BackupPolicy={"Status": "ENABLED"}) == (
        "FileSystemNotFound",
        404,
    )


def test_deleted_file_system_is_not_found(efs: Any) -> None:
    file_system_id = create(efs, Backup=True)["FileSystemId"]
    efs.delete_file_system(FileSystemId=file_system_id)
    assert error_of(efs.describe_backup_policy, FileSystemId=file_system_id)[0] == "FileSystemNotFound"


def test_one_zone_file_systems(efs: Any) -> None:
    by_default = create(efs, AvailabilityZoneName="us-east-1a")["FileSystemId"]
    assert status_of(efs, by_default) == "ENABLED", "One Zone: automatic backups by default"

    without = create(efs, AvailabilityZoneName="us-east-1a", Backup=False)["FileSystemId"]
    assert error_of(efs.describe_backup_policy, FileSystemId=without) == ("PolicyNotFound", 404)
    put(efs, without, "ENABLED")
    assert status_of(efs, without) == "ENABLED"
    put(efs, without, "DISABLED")
    assert status_of(efs, without) == "DISABLED", "after a put there is a policy to describe"


# --------------------------------------------------------------------------- plain moto


def _moto_original(method: Any) -> Any:
    while getattr(method, "emulator_extension", None) == efs_backup_policy.__name__:
        method = method.__wrapped__
    return method


def test_moto_alone_lacks_backup_policies_and_install_adds_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """Proves the extension is still needed: if the first assertions fail, moto fixed the gap; drop the extension."""
    from moto import mock_aws
    from moto.efs.models import EFSBackend
    from moto.efs.responses import EFSResponse

    moto_describe = _moto_original(EFSBackend.__dict__["describe_backup_policy"])
    moto_create = _moto_original(EFSResponse.__dict__["create_file_system"])
    monkeypatch.setattr(EFSBackend, "describe_backup_policy", moto_describe)
    monkeypatch.setattr(EFSResponse, "create_file_system", moto_create)
    monkeypatch.delattr(EFSBackend, "put_backup_policy", raising=False)
    monkeypatch.delattr(EFSResponse, "put_backup_policy", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)  # mock_aws intercepts the real AWS endpoints only

    with mock_aws():
        efs = boto3.client("efs", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
        assert not efs_backup_policy.is_installed()
        file_system_id = create(efs)["FileSystemId"]
        assert error_of(efs.describe_backup_policy, FileSystemId=file_system_id)[0] == "PolicyNotFound"
        with pytest.raises(NotImplementedError):
            put(efs, file_system_id, "ENABLED")
        with pytest.raises(KeyError):
            efs.describe_backup_policy(FileSystemId=MISSING_FILE_SYSTEM)
        one_zone = create(efs, AvailabilityZoneName="us-east-1a", Backup=False)["FileSystemId"]
        assert status_of(efs, one_zone) == "ENABLED", "moto ignores Backup=false for One Zone"

        efs_backup_policy.install()
        efs_backup_policy.install()

        assert efs_backup_policy.is_installed()
        assert EFSBackend.__dict__["describe_backup_policy"].__wrapped__ is moto_describe, (
            "install() must not wrap twice"
        )
        assert EFSResponse.__dict__["create_file_system"].__wrapped__ is moto_create
        assert status_of(efs, file_system_id) == "DISABLED", "file systems from before install() too"
        put(efs, file_system_id, "ENABLED")
        assert status_of(efs, file_system_id) == "ENABLED"
        assert error_of(efs.describe_backup_policy, FileSystemId=MISSING_FILE_SYSTEM)[0] == "FileSystemNotFound"
        one_zone = create(efs, AvailabilityZoneName="us-east-1a", Backup=False)["FileSystemId"]
        assert error_of(efs.describe_backup_policy, FileSystemId=one_zone)[0] == "PolicyNotFound"
