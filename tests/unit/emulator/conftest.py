"""Fixtures: one emulator process for the whole session, plus boto3 clients pointed at it."""

from __future__ import annotations

import json
import sys
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from tests.unit.helpers import running_emulator  # noqa: E402

REGION = "us-east-1"


@pytest.fixture(scope="session")
def emulator_state_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("emulator-state")


@pytest.fixture(scope="session")
def emulator_endpoint(emulator_state_dir: Path) -> Iterator[str]:
    with running_emulator(emulator_state_dir, timeout=30) as url:
        yield url


@pytest.fixture(scope="session")
def aws_client(emulator_endpoint: str) -> Callable[[str], Any]:
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)

    def make_client(service_name: str) -> Any:
        return session.client(service_name, endpoint_url=emulator_endpoint)

    return make_client


def fresh_account_clients(endpoint: str, account_id: str) -> Callable[[str], Any]:
    """Clients of the 12-digit ``account_id`` on the emulator at ``endpoint``: an account no test has used, for what
    happens only on an account's first call (its service-linked roles)."""
    sts = boto3.client("sts", endpoint_url=endpoint, region_name=REGION, aws_access_key_id="a", aws_secret_access_key="b")
    credentials = sts.assume_role(RoleArn=f"arn:aws:iam::{account_id}:role/admin", RoleSessionName="fresh-account")
    session = boto3.session.Session(
        aws_access_key_id=credentials["Credentials"]["AccessKeyId"],
        aws_secret_access_key=credentials["Credentials"]["SecretAccessKey"],
        aws_session_token=credentials["Credentials"]["SessionToken"],
        region_name=REGION,
    )
    return lambda name: session.client(name, endpoint_url=endpoint)


def set_realism(endpoint: str, **changes: Any) -> dict[str, Any]:
    """PUT /_emulator/realism on a running emulator; returns the settings now in force."""
    request = urllib.request.Request(
        f"{endpoint}/_emulator/realism", data=json.dumps(changes).encode(), method="PUT"
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


@pytest.fixture
def realistic(emulator_endpoint: str) -> Iterator[Callable[..., dict[str, Any]]]:
    """Switches the session's emulator to realistic mode for one test (no throttling unless asked, so a test sees
    only the behaviour it is about); call it again to change the time scale or the throttle rate. The emulator goes
    back to plain mode afterwards."""

    def switch(time_scale: float = 0.01, throttle_rate: float = 0.0, **more: Any) -> dict[str, Any]:
        return set_realism(
            emulator_endpoint, realistic=True, time_scale=time_scale, throttle_rate=throttle_rate, **more
        )

    switch()
    try:
        yield switch
    finally:
        set_realism(
            emulator_endpoint, realistic=False, time_scale=1.0, throttle_rate=0.0, throttle_seed=None, behaviour_seconds={}
        )
