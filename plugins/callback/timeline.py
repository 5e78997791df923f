# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Callback cloudops.fargate.timeline: a timeline of a playbook run, its waits and what they awaited."""

from __future__ import annotations

DOCUMENTATION = r"""
name: timeline
type: aggregate
short_description: Draw a timeline of the run, its waits and the resources they awaited, as SVG or HTML
version_added: 0.5.0
description:
  - Records when each task started and ended on each host and, at the end of the run, draws them on a time axis.
  - "Rows, grouped by host: a layer row per role (tasks outside a role are grouped under their play), one segment per
    stretch of the run the role's tasks took; a row per task that took at least O(min_seconds) (skipped tasks and
    includes have none); a row per M(cloudops.fargate.wait_until), labelled with its C(what); and a row per resource
    such a wait awaited: each item of its C(ready_after), from the start of the first earlier task on that host whose
    result mentions the item to the moment the wait saw it ready."
  - "The critical path of each host is drawn in red: walking back from the host's last task, the latest wait that
    blocked for a second or more and ended by then, the resource in it that became ready last (or the wait itself when
    it named no items), then on from that resource's start."
  - The title gives the run's wall time and, per host, the time spent blocked in waits.
  - Writes O(path) (a standalone SVG when it ends in C(.svg), else a self-contained HTML page with the SVG and a table)
    and, beside it, O(path) with C(.json) appended, the rows as data.
  - Without O(path) the callback does nothing, so it can stay enabled in C(ansible.cfg).
author:
  - cloudops.fargate maintainers (!UNKNOWN)
requirements:
  - Enabled with C(callbacks_enabled = cloudops.fargate.timeline) in C(ansible.cfg) or C(ANSIBLE_CALLBACKS_ENABLED).
options:
  path:
    description:
      - Where to write the timeline; a name ending in C(.svg) gives an SVG image, any other an HTML page.
      - The rows are written to this path with C(.json) appended.
      - When not set, nothing is recorded or written.
    type: path
    env:
      - name: CLOUDOPS_TIMELINE
    ini:
      - section: cloudops_timeline
        key: path
  min_seconds:
    description: Tasks that took less than this many seconds get no row of their own (waits always get one).
    type: float
    default: 2
    env:
      - name: CLOUDOPS_TIMELINE_MIN_SECONDS
    ini:
      - section: cloudops_timeline
        key: min_seconds
"""

import html
import json
import re
import time
import typing as t
from pathlib import Path

from ansible.plugins.callback import CallbackBase

# The controller loads this callback before it forks its first worker. Loading the AWS SDK and the modules' utilities
# with it spares every worker that runs a module in process (plugin_utils/in_process.py) imports of its own, whether
# or not a timeline is written.
from ansible_collections.cloudops.fargate.plugins.plugin_utils import in_process

WAIT_ACTIONS = frozenset(("cloudops.fargate.wait_until", "wait_until"))
# Tasks that stand for other tasks, or for none: no row, and no part of a layer's stretch.
NO_ROW_ACTIONS = frozenset(
    f"{prefix}{name}"
    for prefix in ("", "ansible.builtin.", "ansible.legacy.")
    for name in ("include_tasks", "include_role", "import_tasks", "import_role", "include_vars", "meta")
)
BLOCKED_SECONDS = 1.0  # a wait shorter than this blocked nothing worth a place on the critical path
EPSILON = 1e-6

# What a result may mention: every string value up to a cap, and AWS-style ids and ARNs inside longer strings.
MAX_STRINGS = 2000
MAX_STRING_CHARS = 200
MAX_SCANNED_CHARS = 4096
ARN_PATTERN = re.compile(r"\barn:aws[\w-]*:[^\s\"',;]+")
ID_PATTERN = re.compile(r"\b[a-z][a-z0-9]*(?:-[a-z0-9]+){0,2}-[0-9a-f]{8,17}\b")  # nat-…, vpce-…, cvpn-endpoint-…

# --- what the hooks record ----------------------------------------------------------------------------------------


def mentioned_strings(result: t.Any, cap: int = MAX_STRINGS) -> set[str]:
    """The string values of a result (not its keys), short ones whole and ids found in long ones; at most ``cap``
    values are looked at, so a huge result costs no more than a big one."""
    found: set[str] = set()
    stack = [result]
    looked = 0
    while stack and looked < cap:
        value = stack.pop()
        if isinstance(value, str):
            looked += 1
            if len(value) <= MAX_STRING_CHARS:
                found.add(value)
            if "-" in value:
                scanned = value[:MAX_SCANNED_CHARS]
                found.update(ID_PATTERN.findall(scanned))  # also the ids at the end of ARNs
                if "arn:" in scanned:
                    found.update(ARN_PATTERN.findall(scanned))
        elif isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, (list, tuple)):
            stack.extend(value)
    return found


def wait_of(result: t.Any, what: str, end: float) -> dict[str, t.Any]:
    """A wait as recorded from one wait_until result (a loop gives one per item); ``started`` is None when the result
    says nothing (no_log, or refused options), and the wait is then taken to start with its task."""
    result = result if isinstance(result, dict) else {}
    started = result.get("started")
    ready_after = result.get("ready_after")
    return {
        "what": str(result.get("what") or what),
        "started": float(started) if isinstance(started, (int, float)) else None,
        "end": end,
        "ready_after": {
            str(item): float(after)
            for item, after in (ready_after.items() if isinstance(ready_after, dict) else ())
            if isinstance(after, (int, float))
        },
        "status": "failed" if result.get("failed") else "ok",
    }


# --- rows ---------------------------------------------------------------------------------------------------------


def _row(kind: str, host: str, label: str, layer: str, start: float, end: float, **more: t.Any) -> dict[str, t.Any]:
    return dict(
        id=0, host=host, kind=kind, label=label, layer=layer, start=start, end=end, segments=[[start, end]],
        critical=False, **more
    )


def _host_rows(records: list[dict[str, t.Any]], min_seconds: float) -> list[dict[str, t.Any]]:
    """One host's rows, times as recorded: each layer row followed by its tasks, waits and resources by start."""
    records = sorted(records, key=lambda r: (r["start"], r["end"]))
    host = records[0]["host"]
    layers: dict[str, dict[str, t.Any]] = {}
    children: dict[str, list[dict[str, t.Any]]] = {}
    current = None
    first_mention: dict[str, tuple[float, str]] = {}  # string -> (start, name) of the first task mentioning it
    for record in records:
        name = record["layer"]
        if name not in layers:
            layers[name] = _row("layer", host, name, name, record["start"], record["end"])
            layers[name]["segments"] = []
            children[name] = []
        layer = layers[name]
        # A role that comes back later (its finish phase) gets a segment of its own on the same row.
        if name != current or not layer["segments"]:
            layer["segments"].append([record["start"], record["end"]])
        else:
            layer["segments"][-1][1] = max(layer["segments"][-1][1], record["end"])
        current = name

        rows = children[name]
        if record["waits"] or record["action"] in WAIT_ACTIONS:
            waits = record["waits"] or [wait_of({}, record["task"], record["end"])]
            for wait in waits:
                start = wait["started"] if wait["started"] is not None else record["start"]
                end = max(start, wait["end"])
                rows.append(
                    _row("wait", host, wait["what"], name, start, end, status=wait["status"], task=record["task"])
                )
                resources = []
                for item, after in wait["ready_after"].items():
                    mention = first_mention.get(item)
                    earlier = mention is not None and mention[0] < start
                    resources.append(
                        _row(
                            "resource", host, item, name, mention[0] if earlier else start, start + after,
                            wait=len(rows) - 1, ready_after=after, task=mention[1] if earlier else None,
                        )
                    )
                rows.extend(sorted(resources, key=lambda r: (r["end"], r["start"], r["label"])))
        elif record["end"] - record["start"] >= min_seconds:
            rows.append(
                _row("task", host, record["task"], name, record["start"], record["end"], status=record["status"])
            )
        for value in record["mentions"]:
            first_mention.setdefault(value, (record["start"], record["task"]))

    ordered: list[dict[str, t.Any]] = []
    for name, layer in sorted(layers.items(), key=lambda pair: pair[1]["segments"][0][0]):
        layer["start"], layer["end"] = layer["segments"][0][0], max(end for _start, end in layer["segments"])
        offset = len(ordered) + 1
        for row in children[name]:
            if row["kind"] == "resource":
                row["wait"] += offset  # index among the layer's children -> index in ``ordered``
        ordered.append(layer)
        ordered.extend(children[name])
    return ordered


def build_rows(records: list[dict[str, t.Any]], min_seconds: float = 2.0, origin: float | None = None) -> list[dict]:
    """Rows of the timeline from the recorded tasks, hosts in the order they first ran something; times become
    seconds since ``origin`` (the first start when None) and each row gets its ``id``, its index in the list.

    A record: ``host``, ``task`` (name), ``action``, ``layer`` (role or play), ``start`` and ``end`` (epoch seconds),
    ``status``, ``mentions`` (strings its result holds, see mentioned_strings) and ``waits`` (see wait_of)."""
    if not records:
        return []
    origin = min(r["start"] for r in records) if origin is None else origin
    by_host: dict[str, list[dict[str, t.Any]]] = {}
    for record in sorted(records, key=lambda r: r["start"]):
        by_host.setdefault(record["host"], []).append(record)
    rows: list[dict[str, t.Any]] = []
    for host_records in by_host.values():
        offset = len(rows)
        for row in _host_rows(host_records, min_seconds):
            if row["kind"] == "resource":
                row["wait"] += offset
            rows.append(row)
    for index, row in enumerate(rows):
        row["id"] = index
        row["segments"] = [[round(start - origin, 3), round(end - origin, 3)] for start, end in row["segments"]]
        row["start"], row["end"] = round(row["start"] - origin, 3), round(row["end"] - origin, 3)
    return rows


def critical_path(rows: list[dict[str, t.Any]]) -> dict[str, list[int]]:
    """Marks the rows on each host's critical path (``critical``) and returns their ids per host, earliest first.

    From the host's last moment t, back: the latest wait that blocked (``BLOCKED_SECONDS`` or more) and ended at or
    before t; the resource in it that became ready last is on the path and t becomes that resource's start; a wait
    without resources is on the path itself and t becomes its start. Until no such wait is left."""
    paths: dict[str, list[int]] = {}
    for host in dict.fromkeys(row["host"] for row in rows):
        mine = [row for row in rows if row["host"] == host]
        waits = [r for r in mine if r["kind"] == "wait" and r["end"] - r["start"] >= BLOCKED_SECONDS]
        resources: dict[int, list[dict[str, t.Any]]] = {}
        for row in mine:
            if row["kind"] == "resource":
                resources.setdefault(row["wait"], []).append(row)
        moment = max(row["end"] for row in mine)
        path: list[int] = []
        while True:
            candidates = [w for w in waits if w["end"] <= moment + EPSILON]
            if not candidates:
                break
            wait = max(candidates, key=lambda w: (w["end"], w["start"]))
            waits.remove(wait)
            awaited = resources.get(wait["id"])
            # Ready last; of two ready together, the one that took longer.
            chosen = max(awaited, key=lambda r: (r["end"], -r["start"])) if awaited else wait
            chosen["critical"] = True
            path.append(chosen["id"])
            moment = min(moment, chosen["start"])
        paths[host] = path[::-1]
    return paths


def host_summaries(rows: list[dict[str, t.Any]], paths: dict[str, list[int]]) -> dict[str, dict[str, t.Any]]:
    """Per host: its span, the time spent blocked in waits (their total length), how many, its critical path."""
    summaries: dict[str, dict[str, t.Any]] = {}
    for row in rows:
        summary = summaries.setdefault(
            row["host"], {"start": row["start"], "end": row["end"], "blocked_seconds": 0.0, "waits": 0}
        )
        summary["start"] = min(summary["start"], row["start"])
        summary["end"] = max(summary["end"], row["end"])
        if row["kind"] == "wait":
            summary["blocked_seconds"] += row["end"] - row["start"]
            summary["waits"] += 1
    for host, summary in summaries.items():
        summary["wall_seconds"] = round(summary["end"] - summary["start"], 3)
        summary["blocked_seconds"] = round(summary["blocked_seconds"], 3)
        summary["critical_path"] = paths.get(host, [])
    return summaries


def timeline(
    records: list[dict[str, t.Any]], min_seconds: float, started: float, ended: float | None = None
) -> dict[str, t.Any]:
    """The whole timeline as data (what the JSON file holds): rows with the critical path marked, per host summaries,
    and the run's start (epoch seconds) and wall time; row times are seconds since ``started``."""
    rows = build_rows(records, min_seconds, origin=started)
    paths = critical_path(rows)
    last = max((row["end"] for row in rows), default=0.0)
    wall = max(last, (ended - started) if ended is not None else 0.0)
    return {
        "version": 1,
        "started": started,
        "wall_seconds": round(wall, 3),
        "min_seconds": min_seconds,
        "hosts": host_summaries(rows, paths),
        "rows": rows,
    }


# --- rendering ----------------------------------------------------------------------------------------------------

WIDTH = 1200
LABEL_WIDTH = 330
LABEL_CHARS = 50  # of 11 px monospace in LABEL_WIDTH
CHART_LEFT = LABEL_WIDTH + 12
CHART_RIGHT = WIDTH - 64  # room for a duration right of a bar that ends the run
ROW_HEIGHT = 18
BAR_HEIGHT = 12
TICK_STEPS = (1, 2, 5, 10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400)
MAX_TICKS = 12
MAX_TITLE_HOSTS = 8
COLOURS = {
    "layer": "#9fb3c8",
    "task": "#4e79a7",
    "wait": "#f28e2b",
    "resource": "#59a14f",
    "critical": "#d62728",
}
LEGEND = (
    ("layer", "role or play"),
    ("task", "task"),
    ("wait", "wait"),
    ("resource", "resource awaited"),
    ("critical", "critical path"),
)
INDENT = {"layer": 0, "task": 1, "wait": 1, "resource": 2}  # label levels, of INDENT_CHARS characters each
INDENT_CHARS = 2
CHAR_WIDTH = 6.6  # of 11 px monospace
# Characters XML 1.0 does not allow, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def escape(text: t.Any) -> str:
    """Text for XML/HTML content or a quoted attribute."""
    return html.escape(_NOT_XML.sub("\ufffd", str(text)), quote=True)


def truncate(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "\u2026"


def choose_tick(total_seconds: float) -> int:
    """The step of the time axis: the smallest of TICK_STEPS giving at most MAX_TICKS ticks."""
    return next((step for step in TICK_STEPS if total_seconds / step <= MAX_TICKS), TICK_STEPS[-1])


def tick_label(seconds: float, total_seconds: float) -> str:
    """``10 s`` on a run under a minute; ``m:ss``, or ``h:mm:ss`` from an hour, on a longer one."""
    whole = int(round(seconds))
    if total_seconds < 60:
        return f"{whole} s"
    hours, rest = divmod(whole, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def duration(seconds: float) -> str:
    """``4.2 s``, ``45 s``, ``12 min 05 s``, ``1 h 02 min``."""
    if seconds < 10:
        return f"{seconds:.1f} s"
    whole = int(round(seconds))
    if whole < 60:
        return f"{whole} s"
    if whole < 3600:
        return f"{whole // 60} min {whole % 60:02d} s"
    return f"{whole // 3600} h {whole % 3600 // 60:02d} min"


def summary_lines(document: dict[str, t.Any]) -> list[str]:
    """The title and a line per host (the first MAX_TITLE_HOSTS): wall time and time blocked in waits."""
    lines = [f"Timeline of the run: {duration(document['wall_seconds'])} wall time"]
    hosts = list(document["hosts"].items())
    for host, summary in hosts[:MAX_TITLE_HOSTS]:
        lines.append(
            f"{host}: {duration(summary['wall_seconds'])} from its first task to its last, "
            f"{duration(summary['blocked_seconds'])} blocked in {summary['waits']} wait(s)"
        )
    if len(hosts) > MAX_TITLE_HOSTS:
        lines.append(f"and {len(hosts) - MAX_TITLE_HOSTS} more hosts")
    return lines


def _bar_title(row: dict[str, t.Any]) -> str:
    text = f"{row['label']} ({row['kind']}): from {row['start']:.1f} s, {duration(row['end'] - row['start'])}"
    if row.get("status") not in (None, "ok"):
        text += f", {row['status']}"
    if row["kind"] == "resource" and "ready_after" in row:
        text += f"; ready {row['ready_after']:.1f} s into its wait"
        if row.get("task"):
            text += f"; first mentioned by {row['task']}"
    return text + (", on the critical path" if row["critical"] else "")


def render_svg(document: dict[str, t.Any], xml_declaration: bool = True) -> str:
    """The timeline as an SVG image, self-contained: no external fonts, styles or scripts."""
    rows = document["rows"]
    total = max(document["wall_seconds"], 1.0)
    scale = (CHART_RIGHT - CHART_LEFT) / total
    title = summary_lines(document)
    parts: list[str] = []
    y = 22
    for number, line in enumerate(title):
        size, weight = (16, "bold") if number == 0 else (12, "normal")
        parts.append(f'<text x="10" y="{y}" font-size="{size}" font-weight="{weight}">{escape(line)}</text>')
        y += 20 if number == 0 else 16
    x = 10
    for kind, text in LEGEND:
        parts.append(f'<rect x="{x}" y="{y - 9}" width="12" height="10" fill="{COLOURS[kind]}"/>')
        parts.append(f'<text x="{x + 16}" y="{y}" font-size="11">{escape(text)}</text>')
        x += 30 + 7 * len(text)
    y += 22

    hosts = list(dict.fromkeys(row["host"] for row in rows))
    grouped = len(hosts) > 1
    top = y
    body_height = ROW_HEIGHT * (len(rows) + (len(hosts) if grouped else 0))
    bottom = top + body_height
    step = choose_tick(total)
    ticks = [n * step for n in range(int(total // step) + 1)]
    for second in ticks:
        tick_x = CHART_LEFT + second * scale
        parts.append(f'<line x1="{tick_x:.1f}" y1="{top - 4}" x2="{tick_x:.1f}" y2="{bottom}" stroke="#dddddd"/>')
        label = escape(tick_label(second, total))
        for label_y in (top - 7, bottom + 13):
            parts.append(
                f'<text x="{tick_x:.1f}" y="{label_y}" font-size="10" text-anchor="middle" fill="#555555">'
                f"{label}</text>"
            )

    y = top
    for index, row in enumerate(rows):
        if grouped and (index == 0 or rows[index - 1]["host"] != row["host"]):
            parts.append(f'<rect x="0" y="{y}" width="{WIDTH}" height="{ROW_HEIGHT}" fill="#e3e8ee"/>')
            parts.append(
                f'<text x="10" y="{y + 13}" font-size="12" font-weight="bold">host {escape(row["host"])}</text>'
            )
            y += ROW_HEIGHT
        if index % 2:
            parts.append(f'<rect x="0" y="{y}" width="{WIDTH}" height="{ROW_HEIGHT}" fill="#000000" opacity="0.03"/>')
        indent = INDENT[row["kind"]] * INDENT_CHARS
        label = escape(truncate(row["label"], LABEL_CHARS - indent))
        weight = ' font-weight="bold"' if row["kind"] == "layer" else ""
        parts.append(
            f'<text x="{10 + indent * CHAR_WIDTH:.1f}" y="{y + 13}" font-size="11" font-family="monospace"{weight}>'
            f"{label}</text>"
        )
        colour = COLOURS["critical" if row["critical"] else row["kind"]]
        outline = ' stroke="#222222" stroke-width="1.5"' if row.get("status") not in (None, "ok") else ""
        tooltip = f"<title>{escape(_bar_title(row))}</title>"
        bar_y = y + (ROW_HEIGHT - BAR_HEIGHT) / 2
        for start, end in row["segments"]:
            bar_x = CHART_LEFT + start * scale
            bar_width = max((end - start) * scale, 1.5)
            parts.append(
                f'<rect x="{bar_x:.1f}" y="{bar_y:.1f}" width="{bar_width:.1f}" height="{BAR_HEIGHT}" rx="2" '
                f'fill="{colour}"{outline}>{tooltip}</rect>'
            )
        if row["kind"] != "layer":
            end_x = CHART_LEFT + row["end"] * scale
            parts.append(
                f'<text x="{end_x + 4:.1f}" y="{y + 13}" font-size="10" fill="#333333">'
                f'{escape(duration(row["end"] - row["start"]))}</text>'
            )
        y += ROW_HEIGHT
    if not rows:
        parts.append(f'<text x="{CHART_LEFT}" y="{top + 13}" font-size="12">No task ran.</text>')
        bottom += ROW_HEIGHT

    height = bottom + 24
    head = '<?xml version="1.0" encoding="UTF-8"?>\n' if xml_declaration else ""
    return (
        f'{head}<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" font-family="Helvetica, Arial, sans-serif">\n'
        f"<title>{escape(title[0])}</title>\n"
        f'<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#ffffff"/>\n' + "\n".join(parts) + "\n</svg>\n"
    )


def render_html(document: dict[str, t.Any]) -> str:
    """A self-contained HTML page: the SVG inline, a table of the hosts and one of the critical path."""
    rows = document["rows"]
    host_lines = []
    for host, summary in document["hosts"].items():
        host_lines.append(
            f"<tr><td>{escape(host)}</td><td class=n>{escape(duration(summary['wall_seconds']))}</td>"
            f"<td class=n>{escape(duration(summary['blocked_seconds']))}</td><td class=n>{summary['waits']}</td></tr>"
        )
    path_lines = []
    for host, summary in document["hosts"].items():
        for row_id in summary["critical_path"]:
            row = rows[row_id]
            path_lines.append(
                f"<tr><td>{escape(host)}</td><td>{escape(row['kind'])}</td><td>{escape(row['label'])}</td>"
                f"<td class=n>{row['start']:.1f}</td><td class=n>{row['end']:.1f}</td>"
                f"<td class=n>{escape(duration(row['end'] - row['start']))}</td></tr>"
            )
    critical = (
        "<table><tr><th>host</th><th>kind</th><th>what</th><th>from (s)</th><th>to (s)</th><th>took</th></tr>"
        + "".join(path_lines)
        + "</table>"
        if path_lines
        else "<p>No wait blocked for a second or more.</p>"
    )
    title = escape(summary_lines(document)[0])
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{title}</title>\n"
        "<style>body{font-family:Helvetica,Arial,sans-serif;margin:16px;color:#222}"
        "table{border-collapse:collapse;margin:8px 0 16px}th,td{border:1px solid #ccc;padding:3px 8px;"
        "text-align:left}td.n{text-align:right}h2{font-size:15px;margin-top:20px}</style>\n</head>\n<body>\n"
        + render_svg(document, xml_declaration=False)
        + "<h2>Hosts</h2>\n<table><tr><th>host</th><th>first to last task</th><th>blocked in waits</th>"
        + "<th>waits</th></tr>"
        + "".join(host_lines)
        + "</table>\n<h2>Critical path</h2>\n"
        + critical
        + "\n</body>\n</html>\n"
    )


def write_timeline(path: str, document: dict[str, t.Any]) -> list[str]:
    """Writes the SVG (``.svg``) or HTML page at ``path`` and the data at ``path`` + ``.json``; returns both paths."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    page = render_svg(document) if target.suffix.lower() == ".svg" else render_html(document)
    target.write_text(page, encoding="utf-8")
    data = Path(f"{target}.json")
    data.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    return [str(target), str(data)]


# --- the callback -------------------------------------------------------------------------------------------------


def _layer_of(task: t.Any, play: str) -> str:
    role = getattr(task, "_role", None)
    name = role.get_name(include_role_fqcn=False) if role is not None else ""
    return name or play


def _action_of(task: t.Any) -> str:
    # resolved_action is the FQCN once the task ran; action is as written (wait_until under `collections:`).
    resolved = getattr(task, "resolved_action", None) or ""
    return resolved if resolved in WAIT_ACTIONS else task.action


class CallbackModule(CallbackBase):
    """Records each task's start and end per host; renders the timeline once, at the end of the run."""

    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "cloudops.fargate.timeline"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, display: t.Any = None, options: t.Any = None) -> None:
        # Before the base's __init__, which calls set_options when given options.
        self._path: str | None = None
        self._min_seconds = 2.0
        self._started: float | None = None
        self._play = "play"
        self._running: dict[tuple[str, str], dict[str, t.Any]] = {}  # (host, task uuid) -> record
        self._records: list[dict[str, t.Any]] = []
        super().__init__(display=display, options=options)
        in_process.preload()

    def set_options(self, task_keys: t.Any = None, var_options: t.Any = None, direct: t.Any = None) -> None:
        super().set_options(task_keys=task_keys, var_options=var_options, direct=direct)
        self._path = self.get_option("path") or None
        self._min_seconds = float(self.get_option("min_seconds"))
        # A disabled callback is never called, nor does Ansible copy results for it: no path, no cost.
        self.disabled = self._path is None

    def v2_playbook_on_start(self, playbook: t.Any) -> None:
        if self._started is None:
            self._started = time.time()

    def v2_playbook_on_play_start(self, play: t.Any) -> None:
        self._play = (play.get_name() or "").strip() or "play"

    def v2_runner_on_start(self, host: t.Any, task: t.Any) -> None:
        action = _action_of(task)
        if action in NO_ROW_ACTIONS:
            return
        name = task.name or action
        self._running[(host.get_name(), task._uuid)] = {
            "host": host.get_name(),
            "task": name,
            "action": action,
            "layer": _layer_of(task, self._play),
            "start": time.time(),
            "end": None,
            "status": None,
            "mentions": set(),
            "waits": [],
        }

    def _record_of(self, result: t.Any) -> dict[str, t.Any] | None:
        return self._running.get((result.host.get_name(), result.task._uuid))

    def _wait_what(self, record: dict[str, t.Any], task: t.Any) -> str:
        what = task.args.get("what") if isinstance(task.args, dict) else None
        return what if isinstance(what, str) and "{{" not in what else record["task"]

    def _item_done(self, result: t.Any) -> None:
        # Only a wait needs its items: each one's end is when its own result came back.
        record = self._record_of(result)
        if record is not None and record["action"] in WAIT_ACTIONS:
            record["waits"].append(wait_of(result.result, self._wait_what(record, result.task), time.time()))

    def _done(self, result: t.Any, status: str | None) -> None:
        record = self._running.pop((result.host.get_name(), result.task._uuid), None)
        if record is None or status is None:  # not recorded at its start, or skipped
            return
        record["end"] = time.time()
        record["status"] = status
        record["mentions"] = mentioned_strings(result.result)
        if record["action"] in WAIT_ACTIONS and not record["waits"]:
            record["waits"].append(wait_of(result.result, self._wait_what(record, result.task), record["end"]))
        self._records.append(record)

    def v2_runner_item_on_ok(self, result: t.Any) -> None:
        self._item_done(result)

    def v2_runner_item_on_failed(self, result: t.Any) -> None:
        self._item_done(result)

    def v2_runner_on_ok(self, result: t.Any) -> None:
        self._done(result, "ok")

    def v2_runner_on_failed(self, result: t.Any, ignore_errors: bool = False) -> None:
        self._done(result, "failed")

    def v2_runner_on_unreachable(self, result: t.Any) -> None:
        self._done(result, "unreachable")

    def v2_runner_on_skipped(self, result: t.Any) -> None:
        self._done(result, None)

    def v2_playbook_on_stats(self, stats: t.Any) -> None:
        ended = time.time()
        started = self._started
        if started is None:  # no playbook start seen: from the first task
            started = min((record["start"] for record in self._records), default=ended)
        document = timeline(self._records, self._min_seconds, started, ended)
        try:
            written = write_timeline(str(self._path), document)
        except OSError as e:
            self._display.warning(f"cloudops.fargate.timeline: could not write {self._path}: {e}")
            return
        # stderr, as wait_until's progress: a machine-readable stdout callback keeps its stdout parseable.
        self._display.display(f"Timeline written to {' and '.join(written)}", stderr=True)
