"""CloudWatch Logs AssociateKmsKey / DisassociateKmsKey (emulator/extensions/logs_kms_key.py)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from emulator.extensions import logs_kms_key


@pytest.fixture(scope="module")
def logs(aws_client: Callable[[str], Any]) -> Any:
    return aws_client("logs")


@pytest.fixture(scope="module")
def kms(aws_client: Callable[[str], Any]) -> Any:
    return aws_client("kms")


def new_key(kms: Any) -> str:
    return kms.create_key(Description="unit")["KeyMetadata"]["Arn"]


def new_group(logs: Any, **kwargs: Any) -> str:
    name = f"/unit/{uuid.uuid4().hex}"
    logs.create_log_group(logGroupName=name, **kwargs)
    return name


def described(logs: Any, name: str) -> dict[str, Any]:
    found = [g for g in logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"] if g["logGroupName"] == name]
    assert len(found) == 1
    return found[0]


def error_code(call: Callable[..., Any], **kwargs: Any) -> str:
    with pytest.raises(ClientError) as raised:
        call(**kwargs)
    return raised.value.response["Error"]["Code"]


# --------------------------------------------------------------------------- through the emulator


def test_associate_and_disassociate_by_name(logs: Any, kms: Any) -> None:
    name, key = new_group(logs), new_key(kms)
    assert "kmsKeyId" not in described(logs, name)
    logs.associate_kms_key(logGroupName=name, kmsKeyId=key)
    assert described(logs, name)["kmsKeyId"] == key
    other = new_key(kms)
    logs.associate_kms_key(logGroupName=name, kmsKeyId=other)
    assert described(logs, name)["kmsKeyId"] == other, "a second key replaces the first"
    logs.disassociate_kms_key(logGroupName=name)
    assert "kmsKeyId" not in described(logs, name)


def test_associate_by_arn(logs: Any, kms: Any) -> None:
    name, key = new_group(logs), new_key(kms)
    arn = described(logs, name)["logGroupArn"]
    logs.associate_kms_key(resourceIdentifier=arn, kmsKeyId=key)
    assert described(logs, name)["kmsKeyId"] == key
    logs.disassociate_kms_key(resourceIdentifier=arn)
    assert "kmsKeyId" not in described(logs, name)


def test_disassociate_a_key_given_at_creation(logs: Any, kms: Any) -> None:
    key = new_key(kms)
    name = new_group(logs, kmsKeyId=key)
    assert described(logs, name)["kmsKeyId"] == key
    logs.disassociate_kms_key(logGroupName=name)
    assert "kmsKeyId" not in described(logs, name)


def test_only_its_own_log_group_changes(logs: Any, kms: Any) -> None:
    one, other, key = new_group(logs), new_group(logs), new_key(kms)
    logs.associate_kms_key(logGroupName=one, kmsKeyId=key)
    assert "kmsKeyId" not in described(logs, other)


def test_errors(logs: Any, kms: Any) -> None:
    name, key = new_group(logs), new_key(kms)
    assert error_code(logs.associate_kms_key, logGroupName="/unit/missing", kmsKeyId=key) == "ResourceNotFoundException"
    assert error_code(logs.disassociate_kms_key, logGroupName="/unit/missing") == "ResourceNotFoundException"
    missing_key = key.rsplit("/", 1)[0] + "/" + str(uuid.uuid4())
    assert error_code(logs.associate_kms_key, logGroupName=name, kmsKeyId=missing_key) == "InvalidParameterException"
    assert error_code(logs.associate_kms_key, logGroupName=name, kmsKeyId="alias/x") == "InvalidParameterException"
    arn = described(logs, name)["logGroupArn"]
    both = {"logGroupName": name, "resourceIdentifier": arn, "kmsKeyId": key}
    assert error_code(logs.associate_kms_key, **both) == "InvalidParameterException"
    assert "kmsKeyId" not in described(logs, name), "a refused call changes nothing"


# --------------------------------------------------------------------------- plain moto


def test_moto_alone_lacks_the_actions_and_install_adds_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """Proves the extension is still needed: if the first assertions fail, moto fixed the gap; drop the extension."""
    from moto import mock_aws
    from moto.logs.models import LogsBackend
    from moto.logs.responses import LogsResponse

    for cls, name, _method in logs_kms_key.PATCHES:
        monkeypatch.delattr(cls, name, raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)  # mock_aws intercepts the real AWS endpoints only

    with mock_aws():
        session = boto3.session.Session(
            region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing"
        )
        logs, kms = session.client("logs"), session.client("kms")
        assert not logs_kms_key.is_installed()
        name, key = new_group(logs), new_key(kms)
        with pytest.raises(NotImplementedError):
            logs.associate_kms_key(logGroupName=name, kmsKeyId=key)
        with pytest.raises(NotImplementedError):
            logs.disassociate_kms_key(logGroupName=name)

        logs_kms_key.install()
        logs_kms_key.install()

        assert logs_kms_key.is_installed()
        assert LogsBackend.__dict__["associate_kms_key"] is logs_kms_key.associate_kms_key
        assert LogsResponse.__dict__["disassociate_kms_key"] is logs_kms_key.disassociate_kms_key_response
        logs.associate_kms_key(logGroupName=name, kmsKeyId=key)
        assert described(logs, name)["kmsKeyId"] == key
