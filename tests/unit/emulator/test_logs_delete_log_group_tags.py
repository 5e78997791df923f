"""A log group created again after a deletion has only its own tags (emulator/extensions/logs_delete_log_group_tags.py)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from emulator.extensions import logs_delete_log_group_tags


@pytest.fixture(scope="module")
def logs(aws_client: Callable[[str], Any]) -> Any:
    return aws_client("logs")


def tags_of(logs: Any, name: str) -> dict[str, str]:
    (group,) = [g for g in logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"] if g["logGroupName"] == name]
    return logs.list_tags_for_resource(resourceArn=group["logGroupArn"])["tags"]


def recreated(logs: Any, **kwargs: Any) -> str:
    name = f"/unit/{uuid.uuid4().hex}"
    logs.create_log_group(logGroupName=name, tags={"Old": "1", "Kept": "old"})
    logs.delete_log_group(logGroupName=name)
    logs.create_log_group(logGroupName=name, **kwargs)
    return name


# --------------------------------------------------------------------------- through the emulator


def test_recreated_without_tags_has_none(logs: Any) -> None:
    name = recreated(logs)
    assert tags_of(logs, name) == {}
    assert logs.list_tags_log_group(logGroupName=name)["tags"] == {}


def test_recreated_with_tags_has_only_those(logs: Any) -> None:
    assert tags_of(logs, recreated(logs, tags={"Kept": "new"})) == {"Kept": "new"}


def test_other_log_groups_keep_their_tags(logs: Any) -> None:
    other = f"/unit/{uuid.uuid4().hex}"
    logs.create_log_group(logGroupName=other, tags={"Mine": "yes"})
    recreated(logs)
    assert tags_of(logs, other) == {"Mine": "yes"}


def test_deleting_a_missing_log_group_still_fails(logs: Any) -> None:
    with pytest.raises(ClientError) as raised:
        logs.delete_log_group(logGroupName="/unit/missing")
    assert raised.value.response["Error"]["Code"] == "ResourceNotFoundException"


# --------------------------------------------------------------------------- plain moto


def test_moto_alone_keeps_the_tags_and_install_drops_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """Proves the extension is still needed: if the first assertion fails, moto fixed the gap; drop the extension."""
    from moto import mock_aws
    from moto.logs.models import LogsBackend

    method = LogsBackend.__dict__["delete_log_group"]
    while getattr(method, "emulator_extension", None) == logs_delete_log_group_tags.__name__:
        method = method.__wrapped__
    monkeypatch.setattr(LogsBackend, "delete_log_group", method)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)  # mock_aws intercepts the real AWS endpoints only

    with mock_aws():
        client = boto3.client(
            "logs", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing"
        )
        assert not logs_delete_log_group_tags.is_installed()
        assert tags_of(client, recreated(client)) == {"Old": "1", "Kept": "old"}

        logs_delete_log_group_tags.install()
        logs_delete_log_group_tags.install()

        assert logs_delete_log_group_tags.is_installed()
        assert LogsBackend.__dict__["delete_log_group"].__wrapped__ is method, "install() must not wrap twice"
        assert tags_of(client, recreated(client)) == {}
