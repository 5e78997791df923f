"""Access point calls answer FileSystemNotFound / AccessPointNotFound (emulator/extensions/efs_access_point_not_found.py)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from emulator.extensions import efs_access_point_not_found

MISSING_FILE_SYSTEM = "fs-0123456789abcdef0"
MISSING_ACCESS_POINT = "fsap-0123456789abcdef0"


@pytest.fixture(scope="module")
def efs(aws_client: Callable[[str], Any]) -> Any:
    return aws_client("efs")


@pytest.fixture
def file_system_id(efs: Any) -> str:
    return efs.create_file_system(CreationToken=f"fs-{uuid.uuid4().hex}")["FileSystemId"]


def all_ids(efs: Any) -> set[str]:
    return {ap["AccessPointId"] for ap in efs.describe_access_points()["AccessPoints"]}


def error_of(call: Callable[..., Any], **kwargs: Any) -> tuple[str, int]:
    with pytest.raises(ClientError) as raised:
        call(**kwargs)
    response = raised.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def test_create_in_a_missing_file_system_is_refused(efs: Any) -> None:
    before = all_ids(efs)
    assert error_of(efs.create_access_point, ClientToken=uuid.uuid4().hex, FileSystemId=MISSING_FILE_SYSTEM) == (
        "FileSystemNotFound",
        404,
    )
    assert all_ids(efs) == before


def test_create_in_an_existing_file_system_works(efs: Any, file_system_id: str) -> None:
    created = efs.create_access_point(ClientToken=uuid.uuid4().hex, FileSystemId=file_system_id)
    assert created["FileSystemId"] == file_system_id


def test_create_in_a_deleted_file_system_is_refused(efs: Any) -> None:
    file_system_id = efs.create_file_system(CreationToken=f"fs-{uuid.uuid4().hex}")["FileSystemId"]
    efs.delete_file_system(FileSystemId=file_system_id)
    assert error_of(efs.create_access_point, ClientToken=uuid.uuid4().hex, FileSystemId=file_system_id)[0] == (
        "FileSystemNotFound"
    )


def test_describe_by_missing_file_system_is_refused(efs: Any, file_system_id: str) -> None:
    assert error_of(efs.describe_access_points, FileSystemId=MISSING_FILE_SYSTEM) == ("FileSystemNotFound", 404)
    assert efs.describe_access_points(FileSystemId=file_system_id)["AccessPoints"] == []


def test_delete_of_a_missing_access_point_is_refused(efs: Any, file_system_id: str) -> None:
    assert error_of(efs.delete_access_point, AccessPointId=MISSING_ACCESS_POINT) == ("AccessPointNotFound", 404)
    created = efs.create_access_point(ClientToken=uuid.uuid4().hex, FileSystemId=file_system_id)["AccessPointId"]
    efs.delete_access_point(AccessPointId=created)
    assert created not in all_ids(efs)
    assert error_of(efs.delete_access_point, AccessPointId=created) == ("AccessPointNotFound", 404)


def _moto_original(method: Any) -> Any:
    while hasattr(method, "__wrapped__"):
        method = method.__wrapped__
    return method


def test_moto_alone_ignores_missing_parents_and_install_fixes_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Proves the extension is still needed: if the first assertions fail, moto fixed the gap; drop the extension."""
    from moto import mock_aws
    from moto.efs.models import EFSBackend

    originals = {}
    for name in ("create_access_point", "describe_access_points", "delete_access_point"):
        originals[name] = _moto_original(getattr(EFSBackend, name))
        monkeypatch.setattr(EFSBackend, name, originals[name])
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)  # mock_aws intercepts the real AWS endpoints only

    with mock_aws():
        efs = boto3.client("efs", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
        assert not efs_access_point_not_found.is_installed()
        efs.create_access_point(ClientToken="orphan", FileSystemId=MISSING_FILE_SYSTEM)
        assert efs.describe_access_points(FileSystemId="fs-00000000")["AccessPoints"] == []
        efs.delete_access_point(AccessPointId=MISSING_ACCESS_POINT)

        efs_access_point_not_found.install()
        efs_access_point_not_found.install()

        assert efs_access_point_not_found.is_installed()
        for name, original in originals.items():
            assert getattr(EFSBackend, name).__wrapped__ is original, f"install() must not wrap {name} twice"
        assert error_of(efs.create_access_point, ClientToken="x", FileSystemId=MISSING_FILE_SYSTEM)[0] == (
            "FileSystemNotFound"
        )
        assert error_of(efs.describe_access_points, FileSystemId="fs-00000000")[0] == "FileSystemNotFound"
        assert error_of(efs.delete_access_point, AccessPointId=MISSING_ACCESS_POINT)[0] == "AccessPointNotFound"
