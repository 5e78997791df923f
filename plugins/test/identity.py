# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The stack's identity rule as Jinja tests: ``cloudops_stack is cloudops.fargate.stack_name``."""

from __future__ import annotations

from ansible_collections.cloudops.fargate.plugins.module_utils._identity import is_environment_name
from ansible_collections.cloudops.fargate.plugins.module_utils._identity import is_stack_name


class TestModule:
    def tests(self):
        return {"stack_name": is_stack_name, "environment_name": is_environment_name}
