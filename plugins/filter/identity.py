# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The stack's identity rule as a filter: ``cloudops_stack | cloudops.fargate.identity_errors(cloudops_environment)``."""

from __future__ import annotations

from ansible_collections.cloudops.fargate.plugins.module_utils._identity import identity_errors


class FilterModule:
    def filters(self):
        return {"identity_errors": identity_errors}
