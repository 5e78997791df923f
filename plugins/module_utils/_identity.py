# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The stack's identity rule, owned here once: every role, playbook and module checks it through this file."""

from __future__ import annotations

import re
from typing import Any

# Both become part of AWS names with tight limits (an ALB or target group name is 32 characters at most).
STACK_PATTERN = re.compile(r"^[a-z](?:[a-z0-9]|-(?=[a-z0-9])){0,11}$")
ENVIRONMENT_PATTERN = re.compile(r"^[a-z][a-z0-9]{0,7}$")


def is_stack_name(value: Any) -> bool:
    """1-12 lower-case letters, digits or single hyphens, starting with a letter, not ending with a hyphen."""
    return isinstance(value, str) and bool(STACK_PATTERN.match(value))


def is_environment_name(value: Any) -> bool:
    """1-8 lower-case letters or digits, starting with a letter."""
    return isinstance(value, str) and bool(ENVIRONMENT_PATTERN.match(value))


def identity_errors(stack: Any, environment: Any) -> list[str]:
    """Why ``stack`` / ``environment`` cannot name a stack; [] when both can."""
    errors = []
    if not is_stack_name(stack):
        errors.append(
            f"cloudops_stack ({stack}) must be 1-12 lower-case letters, digits or single hyphens, starting with a letter"
            " and not ending with a hyphen"
        )
    if not is_environment_name(environment):
        errors.append(
            f"cloudops_environment ({environment}) must be 1-8 lower-case letters or digits, starting with a letter"
        )
    if errors:
        errors.append("both become part of AWS names with tight length limits")
    return errors
