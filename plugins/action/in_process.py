# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action behind the collection's own modules (meta/runtime.yml routes them here): Ansible's normal action, with the
module run in the task's worker when that is the same as a run in a new process (plugin_utils/in_process.py)."""

from __future__ import annotations

from ansible_collections.cloudops.fargate.plugins.plugin_utils.in_process import InProcessModules
from ansible_collections.cloudops.fargate.plugins.plugin_utils.in_process import builtin_normal_action


class ActionModule(InProcessModules, builtin_normal_action()):
    pass
