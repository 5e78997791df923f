# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The earlier layers' outputs a role works with: what this play published, else what stack_info found."""

from __future__ import annotations


def layer_outputs(found, names, values):
    """``found`` (stack_info's ``outputs``) with every output this play already published put over it: ``names``
    and ``values`` are the facts' names and their values (``''`` when a fact is undefined). An empty published
    value never hides a found one."""
    outputs = dict(found or {})
    for name, value in zip(names or [], values or []):
        if value not in ("", None, [], {}):
            outputs[name] = value
        else:
            outputs.setdefault(name, value if value is not None else "")
    return outputs


def missing_layers(names, values):
    """The layers (``network`` of ``network_vpc_id``, ...) with an output this play has not published."""
    layers = []
    for name, value in zip(names or [], values or []):
        layer = str(name).split("_", 1)[0]
        if value in ("", None, [], {}) and layer not in layers:
            layers.append(layer)
    return layers


class FilterModule:
    def filters(self):
        return {"layer_outputs": layer_outputs, "missing_layers": missing_layers}
