# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Manager behind cloudops.fargate.cloudwatch_dashboard, and its pure helpers.

One CloudWatch dashboard, by name. PutDashboard creates the dashboard or replaces its whole body; GetDashboard
reads it (``ResourceNotFound`` when there is none); DeleteDashboards deletes it. Dashboards are global to the
account, not regional (PutDashboard's API reference), so the name is unique in the account.

Bodies are compared as parsed JSON: key order and whitespace never count, so a body written in YAML and the
string AWS stores compare equal when they say the same.

What AWS answers, and how the module reads it (botocore's cloudwatch service model, the API reference of
PutDashboard, DeleteDashboards and GetDashboard, and "Dashboard Body Structure and Syntax" in the CloudWatch user
guide):

- PutDashboard's ``DashboardValidationMessages`` is empty when the body is correct; warnings only mean the
  dashboard was saved but parts of it may not render (the module warns, naming ``body``); errors come as
  ``InvalidParameterInput`` (DashboardInvalidInputError) with ``dashboardValidationMessages`` and nothing is
  saved (the module fails, naming ``body`` and each message's ``DataPath``).
- ``widgets`` is the one required key of a body: an array of widget objects, each with a ``type``. The module
  checks that much before any call; the rest (widget properties, metrics) only AWS validates.
- DeleteDashboards of a dashboard that does not exist answers ``ResourceNotFound``: the dashboard is absent,
  which is what was asked.
- A name is 1 to 255 of A-Z, a-z, 0-9, ``-`` and ``_``.

moto (5.2.5) accepts any JSON as a body and never returns validation messages; the unit tests use botocore's
Stubber for AWS's answers.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.cloudops.fargate.plugins.module_utils._common import AWSActionError
from ansible_collections.cloudops.fargate.plugins.module_utils._common import BaseResourceManager
from ansible_collections.cloudops.fargate.plugins.module_utils._common import InputError
from ansible_collections.cloudops.fargate.plugins.module_utils._common import call

NAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
NAME_MAX_LENGTH = 255

_NOT_FOUND = "ResourceNotFound"
_INVALID_BODY = "InvalidParameterInput"
# "Multiple concurrent requests to update the same resource were in conflict" (ConflictException): another try.
RETRIED_CODES = ["ConflictException"]


class DashboardInputError(InputError):
    """The module's arguments cannot describe a dashboard; the message names every bad option."""


# --- validation -------------------------------------------------------------------------------------------


def name_errors(name: Any) -> list[str]:
    if isinstance(name, str) and NAME_PATTERN.match(name):
        return []
    return [
        f"name must be 1 to {NAME_MAX_LENGTH} characters of A-Z, a-z, 0-9, - and _ (CloudWatch's dashboard names),"
        f" not {name!r}"
    ]


def parsed_body(body: Any) -> tuple[dict[str, Any] | None, list[str]]:
    """The body as a dict (from a dict, or a JSON string), and why it cannot be a dashboard body."""
    if isinstance(body, str):
        try:
            body = json.loads(body)
        except ValueError as e:
            return None, [f"body is not valid JSON: {e}"]
    if not isinstance(body, dict):
        return None, [f"body must be a JSON object (a dict, or a string holding one), not {type(body).__name__}"]
    try:
        json.dumps(body, allow_nan=False)
    except (TypeError, ValueError) as e:
        return None, [f"body cannot be written as JSON: {e}"]
    return body, widget_errors(body)


def widget_errors(body: dict[str, Any]) -> list[str]:
    """What the body structure requires of ``widgets``: an array of objects, each with a ``type``."""
    widgets = body.get("widgets")
    if not isinstance(widgets, list):
        return ["body.widgets is required: an array of widget objects (CloudWatch's dashboard body structure)"]
    errors = []
    for index, widget in enumerate(widgets):
        if not isinstance(widget, dict):
            errors.append(f"body.widgets[{index}] must be an object, not {type(widget).__name__}")
        elif not isinstance(widget.get("type"), str) or not widget["type"]:
            errors.append(f"body.widgets[{index}] needs a type (metric, text, log, alarm, explorer, custom ...)")
    return errors


def validate_name(name: Any) -> None:
    errors = name_errors(name)
    if errors:
        raise DashboardInputError.of(errors)


def wanted_dashboard(params: dict[str, Any]) -> dict[str, Any]:
    """The dashboard the task asks for; raises DashboardInputError naming every bad option."""
    errors = name_errors(params["name"])
    if params.get("body") is None:
        errors.append("body is required with state=present")
        body = None
    else:
        body, body_errors = parsed_body(params["body"])
        errors += body_errors
    if errors:
        raise DashboardInputError.of(errors)
    return {"name": params["name"], "body": body}


# --- comparing and shaping --------------------------------------------------------------------------------


def body_of(text: str | None) -> Any:
    """A stored body parsed; a body AWS holds that does not parse (it cannot, PutDashboard refuses it) as is."""
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def serialised(body: dict[str, Any]) -> str:
    """The body as PutDashboard takes it: compact, keys sorted, so the same body is always the same string."""
    return json.dumps(body, sort_keys=True, separators=(",", ":"), allow_nan=False)


def console_url(region: str, name: str) -> str:
    return f"https://{region}.console.aws.amazon.com/cloudwatch/home?region={region}#dashboards:name={name}"


def result_of(name: str, arn: str | None, body: Any, region: str) -> dict[str, Any]:
    return {"name": name, "arn": arn, "url": console_url(region, name), "body": body}


def absent(name: str) -> dict[str, Any]:
    """The result when there is no dashboard of the name."""
    return {"name": name, "arn": None, "url": None, "body": None}


def validation_messages(messages: list[dict[str, Any]] | None) -> list[str]:
    """``DashboardValidationMessages`` in words: "<DataPath>: <Message>"."""
    described = []
    for message in messages or []:
        path = message.get("DataPath")
        text = message.get("Message", "")
        described.append(f"{path}: {text}" if path else text)
    return described


def invalid_body_message(name: str, error: Exception) -> str:
    response = getattr(error, "response", None) or {}
    messages = validation_messages(
        response.get("dashboardValidationMessages") or response.get("DashboardValidationMessages")
    )
    detail = "; ".join(messages) or response.get("Error", {}).get("Message") or str(error)
    return f"body: CloudWatch refused the body of dashboard {name}: {detail}"


# --- manager ----------------------------------------------------------------------------------------------


class DashboardManager(BaseResourceManager):
    """Creates, replaces and deletes one dashboard; ``dashboard`` holds the result (arn, url and body None when
    there is none)."""

    def __init__(self, module) -> None:
        super().__init__(module)
        self.cloudwatch = self.client("cloudwatch", AWSRetry.jittered_backoff(catch_extra_error_codes=RETRIED_CODES))
        self.region = module.region
        self.dashboard: dict[str, Any] = {}

    def describe(self, name: str) -> dict[str, Any] | None:
        """GetDashboard's answer, or None when there is no such dashboard."""
        return call(
            self.cloudwatch.get_dashboard,
            f"get dashboard {name}",
            answers={_NOT_FOUND: None},
            DashboardName=name,
        )

    def ensure_present(self, wanted: dict[str, Any]) -> None:
        name, body = wanted["name"], wanted["body"]
        current = self.describe(name)
        before = body_of(current["DashboardBody"]) if current else None
        arn = current.get("DashboardArn") if current else None
        if current is not None and before == body:
            self.dashboard = result_of(name, arn, before, self.region)
            return
        self.changed = True
        self.set_diff(
            before={"name": name, "body": before} if current else {},
            after={"name": name, "body": body},
        )
        if self.check_mode:
            self.dashboard = result_of(name, arn, body, self.region)
            return
        # until AWS has the new body, the dashboard is what it was: a failure reports that
        self.dashboard = result_of(name, arn, before, self.region) if current else absent(name)
        response = call(
            self.cloudwatch.put_dashboard,
            f"put dashboard {name}",
            answers={_INVALID_BODY: lambda e: self._refused(name, e)},
            DashboardName=name,
            DashboardBody=serialised(body),
        )
        for message in validation_messages(response.get("DashboardValidationMessages")):
            self.module.warn(f"body: dashboard {name} was saved, but CloudWatch warns: {message}")
        stored = self.describe(name)
        if stored is None:  # deleted by someone else since: report what was put
            self.dashboard = result_of(name, arn, body, self.region)
        else:
            self.dashboard = result_of(name, stored.get("DashboardArn"), body_of(stored["DashboardBody"]), self.region)

    def _refused(self, name: str, error: Exception) -> None:
        self.changed = False  # AWS saved nothing
        raise AWSActionError(invalid_body_message(name, error)) from error

    def ensure_absent(self, name: str) -> None:
        self.dashboard = absent(name)
        current = self.describe(name)
        if current is None:
            return
        self.changed = True
        self.set_diff(before={"name": name, "body": body_of(current["DashboardBody"])}, after={})
        if self.check_mode:
            return
        # gone since the lookup: absent all the same
        call(
            self.cloudwatch.delete_dashboards,
            f"delete dashboard {name}",
            answers={_NOT_FOUND: False},
            DashboardNames=[name],
        )
