# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The drift report: what a check-mode run of site.yml (ansible.posix.json output) says would change."""

from __future__ import annotations

import json

from ansible.errors import AnsibleFilterError


def _document(output):
    text = str(output or "")
    start = text.find("{")
    if start < 0:
        raise AnsibleFilterError("the check-mode run printed no JSON result (ansible.posix.json callback)")
    try:
        return json.loads(text[start:])
    except ValueError as e:
        raise AnsibleFilterError(f"the check-mode run's JSON result does not parse: {e}") from e


def _item_label(result):
    item = result.get("item")
    if isinstance(item, dict):
        return str(item.get("name") or item.get("key") or item.get("path") or "")
    return "" if item is None else str(item)


def drift_report(output, host):
    """Each task of ``host`` that would change, as ``{task, item, diff}``; failures come back with ``failed: true``.

    ``diff`` is the module's ``diff`` (before/after) when it returned one, so the report names the resource and the
    fields that moved.
    """
    report = []
    for play in _document(output).get("plays", []):
        for task in play.get("tasks", []):
            name = task.get("task", {}).get("name", "")
            result = task.get("hosts", {}).get(host)
            if not result:
                continue
            for entry in result.get("results", [result]):
                if entry.get("changed") or entry.get("failed"):
                    report.append(
                        {
                            "task": name,
                            "item": _item_label(entry),
                            "failed": bool(entry.get("failed")),
                            "message": str(entry.get("msg", "")) if entry.get("failed") else "",
                            "diff": entry.get("diff", {}),
                        }
                    )
    return report


class FilterModule:
    def filters(self):
        return {"drift_report": drift_report}
