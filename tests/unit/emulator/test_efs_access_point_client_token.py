"""CreateAccessPoint refuses a ClientToken an existing access point holds (emulator/extensions/efs_access_point_client_token.py)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from emulator.extensions import efs_access_point_client_token


@pytest.fixture(scope="module")
def efs(aws_client: Callable[[str], Any]) -> Any:
    return aws_client("efs")


@pytest.fixture
def file_system_id(efs: Any) -> str:
    return efs.create_file_system(CreationToken=f"fs-{uuid.uuid4().hex}")["FileSystemId"]


def token() -> str:
    return uuid.uuid4().hex  # the emulator is shared by the session


def ids_in(efs: Any, file_system_id: str) -> list[str]:
    return sorted(ap["AccessPointId"] for ap in efs.describe_access_points(FileSystemId=file_system_id)["AccessPoints"])


def test_same_token_twice_is_refused_with_the_existing_id(efs: Any, file_system_id: str) -> None:
    client_token = token()
    first = efs.create_access_point(ClientToken=client_token, FileSystemId=file_system_id)["AccessPointId"]
    with pytest.raises(ClientError) as raised:
        efs.create_access_point(ClientToken=client_token, FileSystemId=file_system_id)
    response = raised.value.response
    assert response["Error"]["Code"] == "AccessPointAlreadyExists"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 409
    assert response["AccessPointId"] == first
    assert response["ErrorCode"] == "AccessPointAlreadyExists"
    assert isinstance(raised.value, efs.exceptions.AccessPointAlreadyExists)
    assert ids_in(efs, file_system_id) == [first]


def test_same_token_with_other_parameters_is_refused_too(efs: Any, file_system_id: str) -> None:
    client_token = token()
    first = efs.create_access_point(
        ClientToken=client_token, FileSystemId=file_system_id, RootDirectory={"Path": "/a"}
    )["AccessPointId"]
    with pytest.raises(efs.exceptions.AccessPointAlreadyExists) as raised:
        efs.create_access_point(ClientToken=client_token, FileSystemId=file_system_id, RootDirectory={"Path": "/b"})
    assert raised.value.response["AccessPointId"] == first
    assert ids_in(efs, file_system_id) == [first]


def test_different_tokens_make_different_access_points(efs: Any, file_system_id: str) -> None:
    first = efs.create_access_point(ClientToken=token(), FileSystemId=file_system_id)["AccessPointId"]
    second = efs.create_access_point(ClientToken=token(), FileSystemId=file_system_id)["AccessPointId"]
    assert first != second
    assert ids_in(efs, file_system_id) == sorted([first, second])


def test_the_token_is_free_again_once_its_access_point_is_deleted(efs: Any, file_system_id: str) -> None:
    client_token = token()
    first = efs.create_access_point(ClientToken=client_token, FileSystemId=file_system_id)["AccessPointId"]
    efs.delete_access_point(AccessPointId=first)
    second = efs.create_access_point(ClientToken=client_token, FileSystemId=file_system_id)
    assert second["AccessPointId"] != first
    assert second["ClientToken"] == client_token
    assert ids_in(efs, file_system_id) == [second["AccessPointId"]]


def _moto_original(method: Any) -> Any:
    while hasattr(method, "__wrapped__"):
        method = method.__wrapped__
    return method


def test_moto_alone_ignores_the_token_and_install_fixes_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Proves the extension is still needed: if the first assertion fails, moto fixed the gap; drop the extension."""
    from moto import mock_aws
    from moto.efs.models import EFSBackend

    moto_original = _moto_original(EFSBackend.create_access_point)
    monkeypatch.setattr(EFSBackend, "create_access_point", moto_original)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)  # mock_aws intercepts the real AWS endpoints only

    with mock_aws():
        efs = boto3.client("efs", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
        file_system_id = efs.create_file_system(CreationToken="moto-alone")["FileSystemId"]
        assert not efs_access_point_client_token.is_installed()
        efs.create_access_point(ClientToken="same", FileSystemId=file_system_id)
        efs.create_access_point(ClientToken="same", FileSystemId=file_system_id)
        assert len(ids_in(efs, file_system_id)) == 2

        efs_access_point_client_token.install()
        efs_access_point_client_token.install()

        assert efs_access_point_client_token.is_installed()
        assert EFSBackend.create_access_point.__wrapped__ is moto_original, "install() must not wrap twice"
        with pytest.raises(efs.exceptions.AccessPointAlreadyExists):
            efs.create_access_point(ClientToken="same", FileSystemId=file_system_id)
        assert len(ids_in(efs, file_system_id)) == 2
