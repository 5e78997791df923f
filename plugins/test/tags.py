# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ownership tests: teardown touches only what carries the stack's identity tags."""

from __future__ import annotations


def tagged_as(tags, identity):
    """True when ``tags`` (a dict, or AWS's list of Key/Value pairs) holds every key and value of ``identity``."""
    if isinstance(tags, list):
        tags = {t.get("Key"): t.get("Value") for t in tags}
    tags = tags or {}
    return all(tags.get(key) == value for key, value in (identity or {}).items())


class TestModule:
    def tests(self):
        return {"tagged_as": tagged_as}
