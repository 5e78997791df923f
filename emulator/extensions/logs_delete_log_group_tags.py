"""CloudWatch Logs: a deleted log group's tags go with it.

moto 5.2.5 keeps a log group's tags in ``LogsBackend.tagger`` by ARN, and ``LogsBackend.delete_log_group`` removes the
log group but not its tags. A log group created again under the same name has the same ARN, so it starts with the
deleted one's tags (``ListTagsForResource`` / ``ListTagsLogGroup`` answer them, merged with the new ``tags``).

AWS (CloudWatch Logs API reference, ``DeleteLogGroup``: "Deletes the specified log group and permanently deletes all
the archived log events associated with the log group"; ``CreateLogGroup``'s ``tags``: "The key-value pairs to use for
the tags"): a new log group has only the tags its CreateLogGroup gave it.

The extension wraps ``LogsBackend.delete_log_group`` to drop the tags of the deleted log group's ARN after moto's own
deletion succeeded (a missing log group still fails with moto's ``ResourceNotFoundException``, tags untouched).
"""

from __future__ import annotations

import functools
from typing import Any

from moto.logs.models import LogsBackend

from emulator.extensions import _patching
from emulator.extensions._patching import Patch


def _forget_tags(original: Any) -> Any:
    @functools.wraps(original)
    def delete_log_group(self: LogsBackend, log_group_name: str) -> None:
        group = self.groups.get(log_group_name)
        original(self, log_group_name)
        if group is not None:
            self.tagger.delete_all_tags_for_resource(group.arn)

    return delete_log_group


PATCHES = (Patch(LogsBackend, "delete_log_group", _forget_tags),)


def is_installed() -> bool:
    return _patching.installed(__name__, PATCHES)


def install() -> None:
    _patching.install(__name__, PATCHES)
