"""S3 bucket policies judge conditions (emulator/extensions/s3_bucket_policy_conditions.py)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from emulator.extensions import s3_bucket_policy_conditions
from emulator.extensions.s3_bucket_policy_conditions import PermissionResult, policy_permission


@pytest.fixture(scope="module")
def s3(aws_client: Callable[[str], Any]) -> Any:
    return aws_client("s3")


def bucket_with(s3: Any, *statements: dict[str, Any]) -> str:
    name = f"unit-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    s3.put_bucket_policy(Bucket=name, Policy=json.dumps({"Version": "2012-10-17", "Statement": list(statements)}))
    return name


def tls_only(name: str) -> dict[str, Any]:
    return {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [f"arn:aws:s3:::{name}", f"arn:aws:s3:::{name}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def test_a_tls_only_bucket_serves_its_own_account(s3: Any) -> None:
    name = f"unit-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    s3.put_bucket_policy(Bucket=name, Policy=json.dumps({"Version": "2012-10-17", "Statement": [tls_only(name)]}))
    s3.put_object(Bucket=name, Key="a.txt", Body=b"a")
    assert s3.get_object(Bucket=name, Key="a.txt")["Body"].read() == b"a"
    with pytest.raises(ClientError) as missing:
        s3.get_object(Bucket=name, Key="missing.txt")
    assert missing.value.response["Error"]["Code"] == "NoSuchKey"


def test_an_unconditional_deny_still_refuses(s3: Any) -> None:
    name = bucket_with(s3, {"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::*/*"})
    s3.put_object(Bucket=name, Key="a.txt", Body=b"a")
    with pytest.raises(ClientError) as denied:
        s3.get_object(Bucket=name, Key="a.txt")
    assert denied.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        # The deny of plain HTTP does not apply to an HTTPS request.
        (tls_only("b"), PermissionResult.NEUTRAL),
        # A deny of HTTPS (nonsense, but a policy may say it) applies.
        (dict(tls_only("b"), Condition={"Bool": {"aws:SecureTransport": "true"}}), PermissionResult.DENIED),
        # Conditions the emulator does not model: a deny applies, an allow grants nothing.
        (dict(tls_only("b"), Condition={"StringEquals": {"aws:SourceVpce": "vpce-1"}}), PermissionResult.DENIED),
        (dict(tls_only("b"), Effect="Allow", Condition={"StringEquals": {"aws:SourceVpce": "vpce-1"}}), PermissionResult.NEUTRAL),
        # Another resource: not concerned.
        (dict(tls_only("other"), Condition={"Bool": {"aws:SecureTransport": "true"}}), PermissionResult.NEUTRAL),
    ],
)
def test_statements_apply_only_when_their_conditions_hold(statement: dict[str, Any], expected: Any) -> None:
    assert policy_permission({"Statement": [statement]}, "s3:GetObject", "arn:aws:s3:::b/key") == expected


def test_plain_moto_has_the_gap_and_install_closes_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Proves the extension is still needed: if the refusal before install() stops happening, moto closed the gap."""
    import boto3
    from moto import mock_aws
    from moto.s3.models import FakeBucket

    original = FakeBucket.__dict__["get_permission"]
    while getattr(original, "__wrapped__", None) is not None:
        original = original.__wrapped__
    monkeypatch.setattr(FakeBucket, "get_permission", original)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)  # mock_aws intercepts the real AWS endpoints only
    with mock_aws():
        s3 = boto3.session.Session(region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing").client("s3")
        s3.create_bucket(Bucket="unit-gap")
        s3.put_bucket_policy(Bucket="unit-gap", Policy=json.dumps({"Statement": [tls_only("unit-gap")]}))
        assert not s3_bucket_policy_conditions.is_installed()
        with pytest.raises(ClientError):
            s3.put_object(Bucket="unit-gap", Key="a.txt", Body=b"a")

        s3_bucket_policy_conditions.install()
        s3_bucket_policy_conditions.install()

        assert s3_bucket_policy_conditions.is_installed()
        s3.put_object(Bucket="unit-gap", Key="a.txt", Body=b"a")
        assert s3.get_object(Bucket="unit-gap", Key="a.txt")["Body"].read() == b"a"
