# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Listener rules in the shape amazon.aws.elb_application_lb takes, from the role's short form."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError


def alb_listener_rules(rules, target_group_arns):
    """``[{priority, target_group, path_patterns?, host_headers?}]`` to ELBv2 rules forwarding to the groups' ARNs.

    Priorities are the caller's own, so they stay the same across runs and rules never reshuffle.
    """
    result = []
    for rule in sorted(rules or [], key=lambda r: int(r["priority"])):
        conditions = []
        if rule.get("host_headers"):
            conditions.append({"Field": "host-header", "HostHeaderConfig": {"Values": list(rule["host_headers"])}})
        if rule.get("path_patterns"):
            conditions.append({"Field": "path-pattern", "PathPatternConfig": {"Values": list(rule["path_patterns"])}})
        if rule.get("target_group") not in (target_group_arns or {}):
            raise AnsibleFilterError(
                f"loadbalancer_rules: rule {rule.get('priority')} forwards to target group {rule.get('target_group')!r},"
                f" which is not one of loadbalancer_target_groups ({', '.join(sorted(target_group_arns or {}))})"
            )
        result.append(
            {
                "Priority": int(rule["priority"]),
                "Conditions": conditions,
                "Actions": [{"Type": "forward", "TargetGroupArn": target_group_arns[rule["target_group"]]}],
            }
        )
    return result


def without_rules(listeners):
    """The listeners with their rules left out: for creating listeners before any rule refers to them."""
    return [{key: value for key, value in listener.items() if key != "Rules"} for listener in listeners or []]


class FilterModule:
    def filters(self):
        return {"alb_listener_rules": alb_listener_rules, "alb_listeners_without_rules": without_rules}
