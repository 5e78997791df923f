# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the AWX configuration: the stack workflow's nodes in awx.awx's workflow_nodes schema."""

from __future__ import annotations


def awx_workflow_nodes(nodes, environment, organization):
    """``[{identifier, job_template, success_nodes?, all_parents_must_converge?}]`` as awx.awx.workflow_job_template's
    ``workflow_nodes``, each node running the environment's copy of its job template (``cloudops <env> <name>``)."""
    converted = []
    for node in nodes or []:
        converted.append(
            {
                "identifier": node["identifier"],
                "all_parents_must_converge": bool(node.get("all_parents_must_converge", False)),
                "unified_job_template": {
                    "name": f"cloudops {environment} {node['job_template']}",
                    "type": "job_template",
                    "organization": {"name": organization},
                },
                "related": {"success_nodes": [{"identifier": child} for child in node.get("success_nodes", [])]},
            }
        )
    return converted


class FilterModule:
    def filters(self):
        return {"awx_workflow_nodes": awx_workflow_nodes}
