"""Fixtures: one emulator process for the whole session, plus boto3 clients pointed at it."""

from __future__ import annotations

import sys
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
