# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ansible's normal action (the one every module without an action plugin of its own runs through) for the playbooks
run with this repository's ansible.cfg, which points ``action_plugins`` here: amazon.aws's modules run in the task's
worker when that is the same as a process of their own, as the collection's own modules do wherever they are used
(plugins/plugin_utils/in_process.py); every other module runs as Ansible runs it."""

from __future__ import annotations

from ansible_collections.cloudops.fargate.plugins.plugin_utils.in_process import InProcessModules
from ansible_collections.cloudops.fargate.plugins.plugin_utils.in_process import builtin_normal_action


class ActionModule(InProcessModules, builtin_normal_action()):
    pass
