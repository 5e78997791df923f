# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # Every module of the collection that changes something
    DOCUMENTATION = r"""
options: {}
attributes:
  check_mode:
    description: Can run in check mode and return the predicted change and resource without modifying it.
    support: full
  diff_mode:
    description: Returns the fields that change (or would change in check mode) as C(diff.before) and C(diff.after).
    support: full
  idempotent:
    description:
      - A second run with the same arguments reports no change.
    support: full
  action_group:
    description: Use C(group/cloudops.fargate.aws) in C(module_defaults) to set region, endpoint and credentials.
    support: full
    membership:
      - cloudops.fargate.aws
"""

    INFO_MODULE = r"""
options: {}
attributes:
  check_mode:
    description: Runs in check mode; it changes nothing in any mode.
    support: full
  diff_mode:
    description: Changes nothing, so there is no diff.
    support: N/A
  action_group:
    description: Use C(group/cloudops.fargate.aws) in C(module_defaults) to set region, endpoint and credentials.
    support: full
    membership:
      - cloudops.fargate.aws
"""
