# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared pieces of the collection's resource managers: each mechanism exists here once.

A module builds a manager, the manager reads the current state, computes the desired one, records
every difference as it finds it and acts only on those; check mode stops before the first call that
changes anything, so the recorded differences are the prediction.

- errors: ``call`` runs one AWS call; an error code the caller names comes back as a value (not found
  is ``None``, a delete of something gone is ``False``), any other error raises ``AWSActionError``,
  the one exception ``module_errors`` turns into ``fail_json_aws`` in ``main()``. Bad input raises
  ``InputError`` (or a subclass) before any call.
- acting: ``BaseResourceManager.act`` compares, records the diff, gates on check mode and calls.
- tags: ``wanted_tags``, ``tag_errors`` and ``TAGGING`` (each service's own tagging calls).
- waiting: ``Deadline``, ``waiter_settings`` and ``wait``, which unwraps the retry wrapper the way
  amazon.aws ``waiters.get_waiter`` does and tells a timeout from a failure.
- paging: ``paginate`` for every NextToken / Marker list call.
"""

from __future__ import annotations

import hashlib
import os
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from copy import deepcopy
from typing import Any, NamedTuple

try:
    import botocore
    from botocore.waiter import WaiterModel, create_waiter_with_client
except ImportError:
    pass  # AnsibleAWSModule fails with a clear message before any call

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

# --- errors -------------------------------------------------------------------------------------------------


class InputError(ValueError):
    """Bad input, found before any AWS call: the message names the option and the rule it breaks."""

    @classmethod
    def of(cls, errors: list[str]) -> "InputError":
        """One error naming every problem, one per line when there are several."""
        return cls(errors[0] if len(errors) == 1 else "\n".join(errors))


class AWSActionError(AnsibleAWSError):
    """An AWS call failed, or a wait ended without the state asked for. ``result`` holds what the module
    returns beside the message (the resource as far as it got)."""

    def __init__(self, message: str, exception: Exception | None = None, **result: Any) -> None:
        super().__init__(message=message, exception=exception)
        self.result = result


def aws_errors() -> tuple[type[Exception], ...]:
    """The exceptions an AWS call raises (empty without botocore, which AnsibleAWSModule reports first)."""
    try:
        return (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError)
    except NameError:
        return ()


def error_code(exception: BaseException) -> str:
    """The AWS error code of a ClientError, "" for anything else."""
    return str((getattr(exception, "response", None) or {}).get("Error", {}).get("Code", ""))


_ANSWERS = dict[Any, Any]


def _answer(exception: BaseException, what: str, answers: _ANSWERS | None) -> Any:
    """The caller's answer to an AWS error it expects (by code), or ``AWSActionError`` for any other."""
    code = error_code(exception)
    for codes, answer in (answers or {}).items():
        if code and code in (codes if isinstance(codes, (tuple, list, set, frozenset)) else (codes,)):
            return answer(exception) if callable(answer) else answer
    raise AWSActionError(f"Failed to {what}", exception=exception) from exception


def call(method: Callable[..., Any], what: str, *, answers: _ANSWERS | None = None, **kwargs: Any) -> Any:
    """``method(aws_retry=True, **kwargs)``. ``answers`` maps an error code (or a tuple of codes) to the value
    returned in its place, or to a callable that gets the ClientError and returns one (or raises): not found
    is a value, not an exception. Any other AWS error raises ``AWSActionError("Failed to <what>")``."""
    try:
        return method(aws_retry=True, **kwargs)
    except aws_errors() as e:
        return _answer(e, what, answers)


class Transient(NamedTuple):
    """An AWS error that AWS documents as passing by itself (eventual consistency, a dependency still being
    released): its code, and the part of its message that tells it from the same code's lasting meaning
    ("" for any message of the code)."""

    code: str
    message: str = ""

    def matches(self, exception: BaseException) -> bool:
        if error_code(exception) != self.code:
            return False
        return self.message in str((getattr(exception, "response", None) or {}).get("Error", {}).get("Message", ""))


def call_through(
    method: Callable[..., Any],
    what: str,
    transient: tuple[Transient, ...],
    timeout: float,
    *,
    answers: _ANSWERS | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    **kwargs: Any,
) -> Any:
    """``call()``, retrying the ``transient`` errors for up to ``timeout`` seconds with exponential backoff and
    jitter (about 1, 2, 4 ... up to 15 s between tries). Past the timeout the error is handled as ``call()``
    handles it, its message saying how long it was retried."""
    deadline = Deadline(timeout, clock)
    tries = 0
    while True:
        try:
            return method(aws_retry=True, **kwargs)
        except aws_errors() as e:
            if not any(rule.matches(e) for rule in transient):
                return _answer(e, what, answers)
            if deadline.expired:
                return _answer(e, f"{what} (AWS still answered {error_code(e)} after {timeout:g} s)", answers)
            ceiling = min(15.0, 2.0**tries)
            tries += 1
            sleep(min(deadline.remaining, ceiling / 2 + random.uniform(0, ceiling / 2)))


@contextmanager
def module_errors(module, input_errors: tuple[type[Exception], ...] = (InputError,)) -> Iterator[None]:
    """Turns the collection's exceptions into the module's failure, with their result. For ``main()``."""
    try:
        yield
    except input_errors as e:
        module.fail_json(msg=str(e))
    except AWSActionError as e:
        if e.exception is not None:
            module.fail_json_aws(e.exception, msg=e.message, **e.result)
        module.fail_json(msg=e.message, **e.result)


# --- paging -------------------------------------------------------------------------------------------------

# paging style -> (request key, response key of the next page); IAM names both Marker
_PAGING = {
    "NextToken": ("NextToken", "NextToken"),
    "nextToken": ("nextToken", "nextToken"),
    "Marker": ("Marker", "NextMarker"),
    "IsTruncated": ("Marker", "Marker"),
    "ContinuationToken": ("ContinuationToken", "NextContinuationToken"),  # S3 ListObjectsV2
}


def pages(method: Callable[..., Any], what: str, *, token: str = "NextToken", **request: Any) -> Iterator[Any]:
    """Each response of a paged list call, the next page read only when the caller asks for it: a search
    that stops at its match reads no further. Any AWS error raises ``AWSActionError``."""
    request_key, response_key = _PAGING[token]
    while True:
        response = call(method, what, **request)
        yield response
        next_token = response.get(response_key)
        if not next_token:
            return
        request = dict(request, **{request_key: next_token})


def paginate(
    method: Callable[..., Any],
    what: str,
    items: str,
    *,
    token: str = "NextToken",
    answers: _ANSWERS | None = None,
    **request: Any,
) -> Any:
    """Every item under ``items`` of a paged list call. An error code in ``answers`` ends the listing with its
    answer (a missing parent is ``None`` or ``[]``, as the caller says); any other error raises
    ``AWSActionError``."""
    found: list[Any] = []
    try:
        for response in pages(method, what, token=token, **request):
            found.extend(response.get(items) or [])
    except AWSActionError as e:
        if e.exception is None:
            raise
        return _answer(e.exception, what, answers)
    return found


# --- acting -------------------------------------------------------------------------------------------------

# Every client retries what AWS documents as transient (throttling of every service, 5xx, timeouts) in botocore's
# standard mode: exponential backoff with full jitter, up to 20 s a wait, and a retry quota per client. The ten
# attempts ride out a throttled burst, which AWS answers per account and API. AWS_RETRY_MODE / AWS_MAX_ATTEMPTS in
# the environment (the roles set them for amazon.aws's modules too) and a task's aws_config take precedence.
RETRY_CONFIG = {"retries": {"mode": "standard", "total_max_attempts": 10}}
RETRY_VARIABLES = ("AWS_RETRY_MODE", "AWS_MAX_ATTEMPTS")


def batches(values: list[Any], size: int) -> list[list[Any]]:
    """``values`` in consecutive slices of at most ``size``, for APIs that take a bounded list per call."""
    return [values[start : start + size] for start in range(0, len(values), size)]


def retry_config() -> dict[str, Any] | None:
    """RETRY_CONFIG, unless the environment sets botocore's retry settings itself."""
    return None if any(os.environ.get(name) for name in RETRY_VARIABLES) else RETRY_CONFIG


class DifferenceTracker:
    """Records named differences between the current and the wanted state of one resource."""

    def __init__(self) -> None:
        self._differences: list[tuple[str, Any, Any]] = []

    def add(self, name: str, before: Any, after: Any) -> bool:
        """Record ``name`` when ``before`` and ``after`` differ; returns whether they did."""
        if before == after:
            return False
        self._differences.append((name, deepcopy(before), deepcopy(after)))
        return True

    @property
    def has_differences(self) -> bool:
        return bool(self._differences)

    @property
    def names(self) -> list[str]:
        return [name for name, _before, _after in self._differences]

    def as_diff(self) -> dict[str, dict[str, Any]]:
        """The differences as Ansible's ``diff`` result: only the fields that change."""
        return {
            "before": {name: before for name, before, _after in self._differences},
            "after": {name: after for name, _before, after in self._differences},
        }


class BaseResourceManager:
    """State shared by every manager: the module, what changed, and the diff. A manager takes its inputs
    as arguments (validated and normalised by the module's ``wanted_*`` functions), never from
    ``module.params``."""

    def __init__(self, module) -> None:
        self.module = module
        self.changed = False
        self.differences = DifferenceTracker()
        self._diff_override: dict[str, Any] | None = None

    @property
    def check_mode(self) -> bool:
        return bool(self.module.check_mode)

    def client(self, service: str, retry_decorator=None):
        """A client in botocore's ``standard`` retry mode (``RETRY_CONFIG``), whose every ``aws_retry=True`` call
        also retries with ``retry_decorator`` (default: throttling, with jittered backoff)."""
        return self.module.client(
            service, retry_decorator=retry_decorator or AWSRetry.jittered_backoff(), config=retry_config()
        )

    def act(self, name: str, before: Any, after: Any, method: Callable[..., Any] | None, what: str = "", **kwargs: Any) -> bool:
        """One change: when ``before`` and ``after`` differ, record it under ``name``, mark the change and,
        outside check mode, ``call(method, what, **kwargs)``. Returns whether they differed."""
        if not self.differences.add(name, before, after):
            return False
        self.changed = True
        if method is not None and not self.check_mode:
            call(method, what, **kwargs)
        return True

    def change(self, method: Callable[..., Any], what: str, **kwargs: Any) -> Any:
        """A change with no field of its own to record (create, delete): marks it and, outside check mode,
        calls. Returns the call's response (None in check mode)."""
        self.changed = True
        if self.check_mode:
            return None
        return call(method, what, **kwargs)

    def update_tags(
        self,
        current: dict[str, str] | None,
        wanted: dict[str, str] | None,
        purge: bool,
        apply: Callable[[dict[str, str], list[str]], None],
    ) -> dict[str, str] | None:
        """Bring a resource's tags to ``wanted``: records the diff, marks the change and, outside check
        mode, calls ``apply(to_set, to_unset)``. Returns the tags the resource ends up with, or None when
        nothing changes."""
        to_set, to_unset = tag_changes(current, wanted, purge)
        if not (to_set or to_unset):
            return None
        after = merged_tags(current, wanted, purge)
        self.differences.add("tags", current, after)
        self.changed = True
        if not self.check_mode:
            apply(to_set, list(to_unset))
        return after

    def sync_tags(
        self, client, service: str, resource: str, current: dict[str, str] | None, wanted: dict[str, str] | None,
        purge: bool, what: str,
    ) -> dict[str, str] | None:
        """``update_tags`` through the service's own tagging calls (``TAGGING``); ``what`` names the resource
        in a failure ("log group web")."""

        def apply(to_set: dict[str, str], to_unset: list[str]) -> None:
            tag, untag = TAGGING[service]
            if to_unset:
                untag(client, resource, to_unset, what)
            if to_set:
                tag(client, resource, to_set, what)

        return self.update_tags(current, wanted, purge, apply)

    def set_diff(self, before: Any, after: Any) -> None:
        """Replace the field-by-field diff with whole before/after documents (create, delete, replace)."""
        self._diff_override = {"before": deepcopy(before), "after": deepcopy(after)}

    def diff(self) -> dict[str, Any]:
        if self._diff_override is not None:
            return self._diff_override
        return self.differences.as_diff()


# --- tags ---------------------------------------------------------------------------------------------------

TAG_KEY_MAX_LENGTH = 128
TAG_VALUE_MAX_LENGTH = 256


def wanted_tags(tags: dict[str, Any] | None) -> dict[str, str] | None:
    """Tags as AWS stores them (strings, None as ""); ``None`` leaves a resource's tags alone."""
    if tags is None:
        return None
    return {str(key): "" if value is None else str(value) for key, value in tags.items()}


def tag_errors(
    tags: dict[str, Any] | None,
    option: str = "tags",
    *,
    max_tags: int | None = None,
    lengths: bool = False,
    text_ok: Callable[[str], bool] | None = None,
    allowed: str = "",
) -> list[str]:
    """What AWS would refuse in ``tags``: ``aws:`` keys always; with ``lengths`` keys of 1-128 and values of
    at most 256 characters; with ``text_ok`` the characters of keys and values (``allowed`` says which);
    with ``max_tags`` the count."""
    if not tags:
        return []
    errors = []
    reserved = sorted(str(key) for key in tags if str(key).lower().startswith("aws:"))
    if reserved:
        errors.append(f"{option} {', '.join(reserved)}: keys starting with 'aws:' are reserved by AWS")
    if lengths:
        long_keys = sorted(str(key) for key in tags if not 1 <= len(str(key)) <= TAG_KEY_MAX_LENGTH)
        if long_keys:
            errors.append(f"{option} {', '.join(long_keys)}: a tag key is 1 to {TAG_KEY_MAX_LENGTH} characters")
        long_values = sorted(
            str(key) for key, value in tags.items() if value is not None and len(str(value)) > TAG_VALUE_MAX_LENGTH
        )
        if long_values:
            errors.append(f"{option} {', '.join(long_values)}: a tag value is at most {TAG_VALUE_MAX_LENGTH} characters")
    if text_ok is not None:
        bad = sorted(
            str(key)
            for key, value in tags.items()
            if not text_ok(str(key)) or not text_ok("" if value is None else str(value))
        )
        if bad:
            errors.append(f"{option} {', '.join(bad)}: keys and values may contain only {allowed}")
    if max_tags is not None and len(tags) > max_tags:
        errors.append(f"{option}: at most {max_tags} tags, not {len(tags)}")
    return errors


def tag_changes(current: dict[str, str] | None, wanted: dict[str, str] | None, purge: bool):
    """Tags to set and keys to remove; ``wanted=None`` leaves tags alone, ``aws:`` keys are never touched."""
    if wanted is None:
        return {}, []
    return compare_aws_tags(current or {}, wanted, purge_tags=purge)


def merged_tags(current: dict[str, str] | None, wanted: dict[str, str] | None, purge: bool) -> dict[str, str]:
    """The tags a resource ends up with after ``tag_changes`` is applied."""
    to_set, to_unset = tag_changes(current, wanted, purge)
    result = {k: v for k, v in (current or {}).items() if k not in to_unset}
    result.update(to_set)
    return result


def without_aws_tags(tags: dict[str, str] | None) -> dict[str, str]:
    return {k: v for k, v in (tags or {}).items() if not k.lower().startswith("aws:")}


def _tagger(method: str, resource_key: str, tags_key: str, shape: str, as_list: bool = False):
    """One tagging call: ``shape`` is how the service takes tags or keys ("list": [{Key, Value}],
    "lower": [{key, value}], "dict": {k: v}, "keys": [k], "key_dicts": [{Key: k}])."""

    def run(client, resource: str, tags: Any, what: str) -> None:
        if shape == "list":
            value: Any = ansible_dict_to_boto3_tag_list(tags)
        elif shape == "lower":
            value = ansible_dict_to_boto3_tag_list(tags, tag_name_key_name="key", tag_value_key_name="value")
        elif shape == "key_dicts":
            value = [{"Key": key} for key in tags]
        else:  # "dict" and "keys" go as they are
            value = tags
        call(getattr(client, method), f"update the tags of {what}", **{resource_key: [resource] if as_list else resource, tags_key: value})

    return run


# service -> (tag, untag): each takes (client, resource id or ARN, tags or keys, what)
TAGGING = {
    "acm": (
        _tagger("add_tags_to_certificate", "CertificateArn", "Tags", "list"),
        _tagger("remove_tags_from_certificate", "CertificateArn", "Tags", "key_dicts"),
    ),
    "application-autoscaling": (
        _tagger("tag_resource", "ResourceARN", "Tags", "dict"),
        _tagger("untag_resource", "ResourceARN", "TagKeys", "keys"),
    ),
    "ec2": (
        _tagger("create_tags", "Resources", "Tags", "list", as_list=True),
        _tagger("delete_tags", "Resources", "Tags", "key_dicts", as_list=True),
    ),
    "ecr": (_tagger("tag_resource", "resourceArn", "tags", "list"), _tagger("untag_resource", "resourceArn", "tagKeys", "keys")),
    "ecs": (_tagger("tag_resource", "resourceArn", "tags", "lower"), _tagger("untag_resource", "resourceArn", "tagKeys", "keys")),
    "efs": (_tagger("tag_resource", "ResourceId", "Tags", "list"), _tagger("untag_resource", "ResourceId", "TagKeys", "keys")),
    "elbv2": (
        _tagger("add_tags", "ResourceArns", "Tags", "list", as_list=True),
        _tagger("remove_tags", "ResourceArns", "TagKeys", "keys", as_list=True),
    ),
    "iam": (_tagger("tag_role", "RoleName", "Tags", "list"), _tagger("untag_role", "RoleName", "TagKeys", "keys")),
    "logs": (_tagger("tag_resource", "resourceArn", "tags", "dict"), _tagger("untag_resource", "resourceArn", "tagKeys", "keys")),
}


# --- waiting ------------------------------------------------------------------------------------------------


class Deadline:
    """A point in time a wait must not pass; ``clock`` is injectable for tests."""

    def __init__(self, timeout: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.timeout = max(0.0, float(timeout))
        self._clock = clock
        self._start = clock()

    @property
    def elapsed(self) -> float:
        return self._clock() - self._start

    @property
    def remaining(self) -> float:
        return max(0.0, self.timeout - self.elapsed)

    @property
    def expired(self) -> bool:
        return self.remaining <= 0


def waiter_settings(timeout: float, delay: float) -> tuple[float, int]:
    """(delay, max_attempts) for a waiter that gives up after about ``timeout`` seconds: it polls at least
    once, never sleeps past the timeout between polls, and a timeout of 0 (or less) is one look."""
    timeout = max(0.0, float(timeout))
    if timeout > 0:
        delay = min(delay, timeout)
    delay = max(delay, 0.001)
    return delay, max(1, int(timeout // delay) + 1)


def unwrapped(client):
    """botocore's client behind amazon.aws's retry wrapper: waiters want the real one."""
    return getattr(client, "client", client)


def wait(
    client,
    waiter: str,
    what: str,
    timeout: float,
    delay: float,
    *,
    model: dict[str, Any] | None = None,
    describe: Callable[[], Any] | None = None,
    **params: Any,
) -> None:
    """Wait with botocore's waiter ``waiter`` (from ``model`` when given, else the client's own). A timeout
    raises ``AWSActionError("Timed out after N seconds waiting for <what>")``, a failure state
    ``AWSActionError("Failed while waiting for <what>")``. ``describe()`` returns the resource's latest
    state in words ("it is failed"), added to the message, and the result to fail with."""
    real = unwrapped(client)
    botocore_waiter = (
        create_waiter_with_client(waiter, WaiterModel(model), real) if model is not None else real.get_waiter(waiter)
    )
    poll, attempts = waiter_settings(timeout, delay)
    try:
        botocore_waiter.wait(WaiterConfig={"Delay": poll, "MaxAttempts": attempts}, **params)
    except botocore.exceptions.WaiterError as e:
        message, result = describe() if describe is not None else ("", {})
        suffix = f" ({message})" if message else ""
        if "Max attempts exceeded" in str(getattr(e, "kwargs", {}).get("reason", "")):
            raise AWSActionError(f"Timed out after {timeout} seconds waiting for {what}{suffix}", **result) from e
        raise AWSActionError(f"Failed while waiting for {what}{suffix}", exception=e, **result) from e
    except aws_errors() as e:  # a poll that failed outright (connection, credentials): no state to describe
        raise AWSActionError(f"Failed while waiting for {what}", exception=e) from e


# --- identity -----------------------------------------------------------------------------------------------


def idempotency_token(*parts: str, length: int = 64) -> str:
    """A stable ClientToken from the resource's identity, so a re-run after an interrupted create
    is answered with the resource that create made instead of a second one."""
    digest = hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()
    return digest[:length]
