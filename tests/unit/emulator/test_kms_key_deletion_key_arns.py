"""ScheduleKeyDeletion and CancelKeyDeletion take a key ARN (emulator/extensions/kms_key_deletion_key_arns.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError


@pytest.fixture(scope="module")
def kms(aws_client: Callable[[str], Any]) -> Any:
    return aws_client("kms")


def state(kms: Any, key_id: str) -> str:
    return kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"]


def test_a_key_arn_schedules_and_cancels_the_deletion(kms: Any) -> None:
    key = kms.create_key(Description="unit")["KeyMetadata"]
    scheduled = kms.schedule_key_deletion(KeyId=key["Arn"], PendingWindowInDays=7)
    assert scheduled["KeyId"].endswith(key["KeyId"])
    assert state(kms, key["KeyId"]) == "PendingDeletion"
    kms.cancel_key_deletion(KeyId=key["Arn"])
    assert state(kms, key["KeyId"]) == "Disabled"


def test_a_key_id_still_works(kms: Any) -> None:
    key = kms.create_key(Description="unit")["KeyMetadata"]
    kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=30)
    assert state(kms, key["Arn"]) == "PendingDeletion"


@pytest.mark.parametrize("operation", ["schedule_key_deletion", "cancel_key_deletion"])
def test_a_missing_key_is_not_found(kms: Any, operation: str) -> None:
    missing = "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000"
    extra = {"PendingWindowInDays": 7} if operation == "schedule_key_deletion" else {}
    with pytest.raises(ClientError) as raised:
        getattr(kms, operation)(KeyId=missing, **extra)
    assert raised.value.response["Error"]["Code"] == "NotFoundException"
