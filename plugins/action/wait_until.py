# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action behind cloudops.fargate.wait_until: poll a read-only module until expressions on its result hold."""

from __future__ import annotations

import time
import typing as t
from collections import ChainMap

from ansible.errors import AnsibleActionFail
from ansible.errors import AnsibleError
from ansible.errors import AnsibleTemplateError
from ansible.executor.module_common import _apply_action_arg_defaults
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.errors import UnsupportedError
from ansible.plugins.action import ActionBase

from ansible_collections.cloudops.fargate.plugins.plugin_utils.in_process import InProcessModules

# Evaluated per poll with `result` bound, so they must reach run() as written, not templated with the task's args.
LATE_ARGS = frozenset(("ready", "pending", "fail", "fail_msg"))

PROGRESS_ITEMS = 3
PROGRESS_CHARS = 60
MESSAGE_ITEMS = 10
MESSAGE_CHARS = 300


class OptionError(ValueError):
    """An option of the task is missing, of the wrong type or out of range; the message names the option."""


def str_or_list_of_str(value: t.Any) -> str | list[str]:
    # Not type='list': that splits a string on commas, and expressions have commas.
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return value
    raise TypeError("a string or a list of strings is required")


def str_only(value: t.Any) -> str:
    # Not type='str': that turns a list into its repr, which would then be evaluated as an expression.
    if isinstance(value, str):
        return value
    raise TypeError("a string is required")


ARGUMENT_SPEC = dict(
    what=dict(type="str", required=True),
    read=dict(
        type="dict",
        required=True,
        options=dict(
            module=dict(type="str", required=True),
            args=dict(type="dict", default={}),
        ),
    ),
    ready=dict(type=str_or_list_of_str, required=True),
    pending=dict(type=str_only),
    fail=dict(type=str_or_list_of_str),
    fail_msg=dict(type=str_only),
    timeout=dict(type="int", required=True),
    delay=dict(type="float", default=15),
    quiet_seconds=dict(type="float", default=30),
)


def validated_options(args: dict[str, t.Any]) -> dict[str, t.Any]:
    """The task's options checked and with defaults filled in; ready and fail as lists. Raises OptionError."""
    validation = ArgumentSpecValidator(ARGUMENT_SPEC).validate(dict(args))
    if validation.errors.errors:
        message = validation.errors.msg
        if isinstance(validation.errors.errors[0], UnsupportedError):
            message = f"Unsupported parameters for (cloudops.fargate.wait_until) module: {message}"
        raise OptionError(message)
    options = validation.validated_parameters
    for name in ("ready", "fail"):
        value = options.get(name)
        if isinstance(value, str):
            options[name] = [value]
    for name in ("what", "read.module"):
        value = options["read"]["module"] if name == "read.module" else options[name]
        if not value.strip():
            raise OptionError(f"{name} must not be empty")
    if not options["ready"] or not all(expression.strip() for expression in options["ready"]):
        raise OptionError("ready must hold at least one expression, and no empty one")
    if options["fail"] is not None and not all(expression.strip() for expression in options["fail"]):
        raise OptionError("fail must not hold an empty expression")
    if options["pending"] is not None and not options["pending"].strip():
        raise OptionError("pending must not be empty; leave it out instead")
    if options["timeout"] < 0:
        raise OptionError(f"timeout must be 0 or more seconds, got {options['timeout']}")
    if not options["delay"] > 0:
        raise OptionError(f"delay must be more than 0 seconds, got {options['delay']:g}")
    if options["quiet_seconds"] < 0:
        raise OptionError(f"quiet_seconds must be 0 or more seconds, got {options['quiet_seconds']:g}")
    return options


# --- progress lines and messages ----------------------------------------------------------------------------------


def shorten(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters, the cut marked with ``...``."""
    return text if len(text) <= width else text[: max(width - 3, 1)] + "..."


def summarize(items: t.Sequence[t.Any], max_items: int = PROGRESS_ITEMS, max_chars: int = PROGRESS_CHARS) -> str:
    """``a, b and 5 more``: at most ``max_items`` items in about ``max_chars`` characters, always at least one."""
    shown: list[str] = []
    length = 0
    for item in items[:max_items]:
        text = shorten(str(item), max_chars)
        added = len(text) + (2 if shown else 0)
        if shown and length + added > max_chars:
            break
        shown.append(text)
        length += added
    summary = ", ".join(shown)
    rest = len(items) - len(shown)
    return f"{summary} and {rest} more" if rest else summary


def pending_value(value: t.Any) -> list[t.Any] | str | None:
    """What a ``pending`` expression gave, as a list, a string, or None when there is nothing to say."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, (list, tuple, set, frozenset)):
        return sorted(value, key=str) if isinstance(value, (set, frozenset)) else list(value)
    if isinstance(value, dict):
        return list(value)
    return str(value)


def progress_line(what: str, pending: list[t.Any] | str | None, elapsed: float, timeout: int) -> str:
    """``Waiting for <what>: 2 pending (a, b), 45 s elapsed of 600 s``."""
    if isinstance(pending, str):
        state = f"{shorten(pending, PROGRESS_CHARS)}, "
    elif pending:
        state = f"{len(pending)} pending ({summarize(pending)}), "
    else:
        state = ""
    return f"Waiting for {what}: {state}{round(elapsed)} s elapsed of {timeout} s"


def done_line(what: str, elapsed: float) -> str:
    return f"{what}: ready after {round(elapsed)} s"


def timeout_message(what: str, timeout: int, pending: list[t.Any] | str | None, unmet: str) -> str:
    """Names what is still pending, or else the first ``ready`` expression the last state did not satisfy."""
    if isinstance(pending, str):
        detail = f"still pending: {shorten(pending, MESSAGE_CHARS)}"
    elif pending:
        detail = f"still pending: {summarize(pending, MESSAGE_ITEMS, MESSAGE_CHARS)}"
    else:
        detail = f"the last state did not satisfy: {unmet}"
    return f"Timed out after {timeout} s waiting for {what}; {detail}"


def fail_message(what: str, expression: str) -> str:
    return f"Stopped waiting for {what}: the last state satisfied the fail expression: {expression}"


class ReadyTimes:
    """When each item a list-valued ``pending`` named became ready: ``ready_after`` maps the item (as ``str`` gives it)
    to the seconds since the wait started at the first poll that no longer listed it. A string ``pending`` (or none)
    names no items; an item that leaves and comes back keeps its first time."""

    def __init__(self) -> None:
        self._seen: dict[str, None] = {}  # every item pending at some poll, in order
        self.ready_after: dict[str, float] = {}

    def not_ready(self, elapsed: float, pending: list[t.Any] | str | None) -> None:
        if not isinstance(pending, list):
            return
        now = {str(item) for item in pending}
        self._left(elapsed, now)
        self._seen.update(dict.fromkeys(sorted(now - self._seen.keys())))

    def ready(self, elapsed: float) -> None:
        self._left(elapsed, set())

    def _left(self, elapsed: float, still_pending: set[str]) -> None:
        for item in self._seen:
            if item not in still_pending and item not in self.ready_after:
                self.ready_after[item] = round(elapsed, 1)


class ProgressReporter:
    """Decides which polls print a line: the first one not ready, then one whenever what is pending changes, else at
    most one every ``quiet_seconds``; a final line only when a progress line was printed before."""

    def __init__(self, what: str, timeout: int, quiet_seconds: float) -> None:
        self.what = what
        self.timeout = timeout
        self.quiet_seconds = quiet_seconds
        self._printed_at: float | None = None
        self._pending: t.Any = None

    def not_ready(self, elapsed: float, pending: list[t.Any] | str | None) -> str | None:
        """The line to print for a poll that found the thing not ready yet, or None."""
        due = self._printed_at is None or pending != self._pending or elapsed - self._printed_at >= self.quiet_seconds
        self._pending = pending
        if not due:
            return None
        self._printed_at = elapsed
        return progress_line(self.what, pending, elapsed, self.timeout)

    def ready(self, elapsed: float) -> str | None:
        return None if self._printed_at is None else done_line(self.what, elapsed)


# --- the action -------------------------------------------------------------------------------------------------


def _whole_template(value: str) -> bool:
    stripped = value.strip()
    return stripped.startswith("{{") and stripped.endswith("}}")


def _not_evaluated(option: str, expression: str) -> AnsibleActionFail:
    # Raised from the templating error, whose message Ansible appends to this one.
    return AnsibleActionFail(f"{option}: the expression {expression!r} could not be evaluated", obj=expression)


class ActionModule(InProcessModules, ActionBase):
    """Poll a read-only module until the ``ready`` expressions hold on its result, printing what is pending."""

    TRANSFERS_FILES = False
    _supports_check_mode = True
    _supports_async = False

    @classmethod
    def finalize_task_arg(cls, name: str, value: t.Any, templar: t.Any, context: t.Any) -> t.Any:
        if name not in LATE_ARGS:
            return super().finalize_task_arg(name, value, templar, context)
        # As assert's `that`: `ready: "{{ list_of_expressions }}"` gives the list; anything else stays as written,
        # to be evaluated per poll. fail_msg is a template, rendered once the fail expression held.
        if name in ("ready", "fail") and isinstance(value, str) and _whole_template(value):
            try:
                resolved = templar.resolve_to_container(value)
            except AnsibleTemplateError:
                return value
            if isinstance(resolved, list):
                return resolved
        return value

    def run(self, tmp: str | None = None, task_vars: dict[str, t.Any] | None = None) -> dict[str, t.Any]:
        task_vars = task_vars or {}
        super().run(tmp, task_vars)
        del tmp

        if not hasattr(self._templar, "evaluate_conditional"):
            raise AnsibleActionFail("cloudops.fargate.wait_until needs ansible-core 2.19 or later")
        try:
            options = validated_options(self._task.args)
        except OptionError as e:
            raise AnsibleActionFail(str(e), obj=self._task.args) from None

        what = options["what"]
        module = self._resolve_module(options["read"]["module"])
        module_args = _apply_action_arg_defaults(module, self._task, dict(options["read"]["args"]), self._templar)
        timeout = options["timeout"]
        reporter = ProgressReporter(what, timeout, options["quiet_seconds"])
        # Hosts of one play wait side by side (a host per stack): their lines must say whose they are.
        batch = task_vars.get("ansible_play_batch") or []
        prefix = f"[{task_vars.get('inventory_hostname')}] " if len(batch) > 1 else ""

        started = time.time()  # for a timeline of the run (the timeline callback); monotonic for the deadline
        start = time.monotonic()
        deadline = start + timeout
        ready_times = ReadyTimes()
        attempts = 0
        while True:
            attempts += 1
            # _execute_module adds its _ansible_* keys to the args it is given.
            result = self._execute_module(module_name=module, module_args=dict(module_args), task_vars=task_vars)
            elapsed = time.monotonic() - start
            # ready_after is the tracker's own dict: filled in below on success, before the outcome is returned.
            outcome = dict(
                result,
                attempts=attempts,
                elapsed=round(elapsed),
                changed=False,
                what=what,
                started=started,
                ready_after=ready_times.ready_after,
            )

            if result.get("failed") or result.get("skipped"):
                why = result.get("msg") or ("skipped" if result.get("skipped") else "no message")
                # The read module's own error detail would be shown in place of this message.
                outcome.pop("skipped", None)
                outcome.pop("exception", None)
                return dict(outcome, failed=True, msg=f"Reading {what} with {module} failed: {why}")

            templar = self._templar.copy_with_new_env(available_variables=ChainMap({"result": result}, task_vars))
            for expression in options["fail"] or []:
                if self._holds("fail", expression, templar):
                    return dict(outcome, failed=True, msg=self._fail_msg(options, what, expression, templar))

            unmet = next((e for e in options["ready"] if not self._holds("ready", e, templar)), None)
            if unmet is None:
                ready_times.ready(elapsed)
                line = reporter.ready(elapsed)
                if line:
                    self._display.display(prefix + line, stderr=True)
                return outcome

            pending = None
            if options["pending"] is not None:
                pending = pending_value(self._evaluate("pending", options["pending"], templar))
                ready_times.not_ready(elapsed, pending)

            if time.monotonic() >= deadline:
                return dict(outcome, failed=True, msg=timeout_message(what, timeout, pending, unmet))

            # Progress lines bypass no_log's hiding of the result, so they leave out what the result says. They go to
            # stderr, as warnings do: a run with a machine-readable stdout callback (json) keeps its stdout parseable.
            line = reporter.not_ready(elapsed, None if self._task.no_log else pending)
            if line:
                self._display.display(prefix + line, stderr=True)
            time.sleep(max(0.0, min(options["delay"], deadline - time.monotonic())))

    def _resolve_module(self, name: str) -> str:
        """The read module's FQCN, as module_defaults knows it (e.g. amazon.aws.ec2_vpc_endpoint_info)."""
        context = self._shared_loader_obj.module_loader.find_plugin_with_context(
            name, collection_list=self._task.collections
        )
        if not context.resolved:
            raise AnsibleActionFail(f"read.module: no module named {name!r} was found")
        return context.resolved_fqcn

    @staticmethod
    def _holds(option: str, expression: str, templar: t.Any) -> bool:
        try:
            return templar.evaluate_conditional(expression)
        except AnsibleError as e:
            raise _not_evaluated(option, expression) from e

    @staticmethod
    def _evaluate(option: str, expression: str, templar: t.Any) -> t.Any:
        try:
            if _whole_template(expression):
                return templar.template(expression)
            return templar.evaluate_expression(expression)
        except AnsibleError as e:
            raise _not_evaluated(option, expression) from e

    @staticmethod
    def _fail_msg(options: dict[str, t.Any], what: str, expression: str, templar: t.Any) -> str:
        if options["fail_msg"] is None:
            return fail_message(what, expression)
        try:
            return str(templar.template(options["fail_msg"]))
        except AnsibleError as e:
            raise AnsibleActionFail("fail_msg could not be rendered", obj=options["fail_msg"]) from e
