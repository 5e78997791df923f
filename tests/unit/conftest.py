"""Shared fixtures of the unit tests: imports, a fake AWS environment, moto, and ``run_module``.

``run_module(module, args, check_mode=False, diff=False)`` runs a module's ``main()`` in this process,
the way ansible-core 2.19 hands arguments to a module (``ansible.module_utils.testing.patch_module_args``),
and returns what the module passed to ``exit_json`` or ``fail_json`` — the latter with ``failed: True`` —
after a round trip through the module's own JSON encoder, so a result Ansible could not serialise fails
the test.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import botocore.client
import pytest

# --- imports ---------------------------------------------------------------------------------------
# tests/unit/conftest.py -> the collection root is two levels up; its ``collections`` directory holds
# ansible_collections/cloudops/fargate (a symlink back to the root).
COLLECTION_ROOT = Path(__file__).resolve().parents[2]
COLLECTIONS_DIR = COLLECTION_ROOT / "collections"

if str(COLLECTIONS_DIR) in sys.path:
    sys.path.remove(str(COLLECTIONS_DIR))
sys.path.insert(0, str(COLLECTIONS_DIR))


def _site_collection_dirs() -> list[Path]:
    """Every ``ansible_collections`` directory on sys.path other than ours (the venv's holds amazon.aws)."""
    found = []
    for entry in sys.path:
        candidate = Path(entry or ".") / "ansible_collections"
        if candidate.is_dir() and candidate.resolve() != (COLLECTIONS_DIR / "ansible_collections").resolve():
            found.append(candidate)
    return found


def _ensure_ansible_collections_namespace() -> None:
    """``ansible_collections`` must be one namespace over the repo's collections dir and site-packages.

    Both directories lack ``__init__.py``, so Python builds a namespace package that follows sys.path.
    Should something have imported ``ansible_collections`` before this file ran (or with a static
    ``__path__``), the missing directories are added to its search path explicitly.
    """
    package = sys.modules.get("ansible_collections") or importlib.import_module("ansible_collections")
    wanted = [COLLECTIONS_DIR / "ansible_collections", *_site_collection_dirs()]
    present = {Path(p).resolve() for p in package.__path__}
    for directory in wanted:
        if directory.resolve() not in present:
            package.__path__.append(str(directory))
            present.add(directory.resolve())
    importlib.invalidate_caches()


_ensure_ansible_collections_namespace()

from ansible.module_utils import basic  # noqa: E402
from ansible.module_utils.common import json as ansible_json  # noqa: E402
from ansible.module_utils.common import warnings as ansible_warnings  # noqa: E402
from ansible.module_utils.testing import patch_module_args  # noqa: E402

REGION = "us-east-1"

# --- AWS environment ---------------------------------------------------------------------------------

# Anything that could send a test to a real account, endpoint or profile.
_LEAKY_AWS_VARIABLES = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_REGION",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_ACCESS_KEY",
    "AWS_SECRET_KEY",
    "EC2_ACCESS_KEY",
    "EC2_SECRET_KEY",
    "EC2_SECURITY_TOKEN",
    "EC2_REGION",
    "EC2_URL",
    "AWS_URL",
    "S3_URL",
)


@pytest.fixture(autouse=True)
def aws_environment(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Dummy credentials and region; no endpoint, profile or config file of the caller's leaks in."""
    for name in list(os.environ):
        if name == "AWS_ENDPOINT_URL" or name.startswith("AWS_ENDPOINT_URL_") or name in _LEAKY_AWS_VARIABLES:
            monkeypatch.delenv(name, raising=False)
    no_config = tmp_path_factory.getbasetemp() / "no-aws-config"
    monkeypatch.setenv("AWS_CONFIG_FILE", str(no_config / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(no_config / "credentials"))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


_shared_loaders: dict[Any, Any] = {}


def _shared_loader(search_paths: Any = None) -> Any:
    """botocore's data loader, one per data path for the whole test session.

    Every AnsibleAWSModule client starts a new botocore session, and each session would parse the
    service models (ec2's is megabytes of JSON) again; the models are read-only, so sharing is safe.
    """
    from botocore.loaders import create_loader

    key = tuple(search_paths) if isinstance(search_paths, list) else search_paths
    if key not in _shared_loaders:
        _shared_loaders[key] = create_loader(search_paths)
    return _shared_loaders[key]


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Any]]:
    """moto in this process for the test's duration; yields ``aws("ec2")`` -> a boto3 client in us-east-1."""
    import boto3
    import botocore.session
    from moto import mock_aws

    # Speed only: moto's thousands of default AMIs are not needed, nor parsing the models per client.
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    monkeypatch.setattr(botocore.session, "create_loader", _shared_loader)

    with mock_aws():
        session = boto3.session.Session(region_name=REGION)

        def client(service: str, **kwargs: Any) -> Any:
            return session.client(service, **kwargs)

        yield client


# --- running a module ----------------------------------------------------------------------------------


class ModuleExit(Exception):
    """Raised in place of ``exit_json`` / ``fail_json``; carries the result."""

    def __init__(self, result: dict[str, Any]) -> None:
        super().__init__(result)
        self.result = result


def _serialised(result: dict[str, Any]) -> dict[str, Any]:
    """The result as the controller would receive it (datetimes as strings, tuples as lists ...)."""
    encoder = ansible_json.get_module_encoder("legacy", ansible_json.Direction.MODULE_TO_CONTROLLER)
    return json.loads(json.dumps(result, cls=encoder))


def _exit_json(self: basic.AnsibleModule, **kwargs: Any) -> None:
    raise ModuleExit(_serialised(kwargs))


def _fail_json(self: basic.AnsibleModule, msg: str, **kwargs: Any) -> None:
    # Same contract as the real one: ``msg`` is required; ``exception`` may be an exception object.
    exception = kwargs.pop("exception", None)
    result = dict(kwargs, failed=True, msg=str(msg))
    if exception is not None:
        result["exception"] = str(exception)
    raise ModuleExit(_serialised(result))


def _main_result(module: ModuleType) -> dict[str, Any]:
    """Run ``module.main()`` and return the result it handed to exit_json or fail_json."""
    try:
        module.main()
    except ModuleExit as e:
        return e.result
    raise AssertionError(f"{module.__name__}.main() returned without exit_json or fail_json")


@pytest.fixture
def run_module(monkeypatch: pytest.MonkeyPatch) -> Callable[..., dict[str, Any]]:
    """``run_module(module, args, check_mode=False, diff=False) -> dict``.

    ``module`` is the imported module object (or its dotted name); its ``main()`` runs with ``args`` as
    the module arguments. Returns the result dict; ``failed`` is True when the module called
    ``fail_json`` (argument-spec errors included). Warnings the run emitted are in ``warnings``.
    """
    monkeypatch.setattr(basic.AnsibleModule, "exit_json", _exit_json)
    monkeypatch.setattr(basic.AnsibleModule, "fail_json", _fail_json)

    def run(
        module: ModuleType | str, args: dict[str, Any], check_mode: bool = False, diff: bool = False
    ) -> dict[str, Any]:
        if isinstance(module, str):
            module = importlib.import_module(module)
        module_args = dict(args, _ansible_check_mode=check_mode, _ansible_diff=diff)
        # Warnings and deprecations are process-wide: start every run with none.
        monkeypatch.setattr(ansible_warnings, "_global_warnings", {})
        monkeypatch.setattr(ansible_warnings, "_global_deprecations", {})
        with patch_module_args(module_args):
            result = _main_result(module)
        result.setdefault("failed", False)
        warnings = ansible_warnings.get_warning_messages()
        if warnings:
            result.setdefault("warnings", list(warnings))
        return result

    return run


@pytest.fixture
def recorded_runner(run_module, calls) -> Callable[..., Callable[..., dict[str, Any]]]:
    """``recorded_runner(module, read_only)`` -> ``run(args, check_mode=False, diff=False)``: afterwards ``calls``
    holds the operations of that run only, and a check-mode run has called nothing outside ``read_only``."""

    def runner(module: ModuleType, read_only: set[str]) -> Callable[..., dict[str, Any]]:
        def run(args: dict[str, Any], check_mode: bool = False, diff: bool = False) -> dict[str, Any]:
            calls.clear()
            result = run_module(module, args, check_mode=check_mode, diff=diff)
            if check_mode:
                assert {operation for _service, operation in calls} <= read_only, calls
            return result

        return run

    return runner


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Every (service, operation) a module calls through botocore, in order; a client of the test's own (one with
    ``_unit_test_client = True``) is not recorded."""
    recorded: list[tuple[str, str]] = []
    original = botocore.client.BaseClient._make_api_call

    def recording(self, operation_name, api_params):
        if not getattr(self, "_unit_test_client", False):
            recorded.append((self.meta.service_model.service_name, operation_name))
        return original(self, operation_name, api_params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", recording)
    return recorded
