# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared pieces of the collection's resource managers.

A module builds a manager, the manager reads the current state, computes the desired one, records
every difference as it finds it and acts only on those; check mode stops before the first call that
changes anything, so the recorded differences are the prediction.
"""

from __future__ import annotations

import hashlib
from copy import deepcopy
from typing import Any

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

MANAGED_BY = "cloudops.fargate"


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
    """State shared by every manager: the module, what changed, and the diff."""

    def __init__(self, module) -> None:
        self.module = module
        self.changed = False
        self.differences = DifferenceTracker()
        self._diff_override: dict[str, Any] | None = None

    @property
    def check_mode(self) -> bool:
        return bool(self.module.check_mode)

    def client(self, service: str):
        """A client whose every ``aws_retry=True`` call retries throttling with jittered backoff."""
        return self.module.client(service, retry_decorator=AWSRetry.jittered_backoff())

    def update_tags(self, current: dict[str, str], wanted: dict[str, str] | None, purge: bool, apply) -> dict[str, str] | None:
        """Bring a resource's tags to ``wanted``: records the diff, marks the change and, outside check
        mode, calls ``apply(to_set, to_unset)`` with the service's own tagging calls. Returns the tags
        the resource ends up with, or None when nothing changes."""
        to_set, to_unset = tag_changes(current, wanted, purge)
        if not (to_set or to_unset):
            return None
        after = merged_tags(current, wanted, purge)
        self.differences.add("tags", current, after)
        self.changed = True
        if not self.check_mode:
            apply(to_set, list(to_unset))
        return after

    def set_diff(self, before: Any, after: Any) -> None:
        """Replace the field-by-field diff with whole before/after documents (create, delete, replace)."""
        self._diff_override = {"before": deepcopy(before), "after": deepcopy(after)}

    def diff(self) -> dict[str, Any]:
        if self._diff_override is not None:
            return self._diff_override
        return self.differences.as_diff()


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


def idempotency_token(*parts: str, length: int = 64) -> str:
    """A stable ClientToken from the resource's identity, so a re-run after an interrupted create
    is answered with the resource that create made instead of a second one."""
    digest = hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()
    return digest[:length]
