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


ALTERNATE_SUFFIX = "-alt"


def alternate_target_groups(target_groups, names):
    """The alternates of the target groups ``names`` (of ``target_groups``): the same settings under
    ``<name>-alt``, for ECS to start a new revision in while the other group takes production traffic."""
    return [dict(group, name=f"{group['name']}{ALTERNATE_SUFFIX}") for group in target_groups or [] if group.get("name") in (names or [])]


def _forwarded_weights(rule):
    """``{target group ARN: weight}`` of a listener rule as elb_application_lb_info returns it (snake_case), in the
    rule's order."""
    weights = {}
    for action in rule.get("actions") or []:
        if action.get("type") != "forward":
            continue
        for group in (action.get("forward_config") or {}).get("target_groups") or []:
            weights[group.get("target_group_arn")] = int(group.get("weight", 1))
    return weights


def alb_production_rules(names, target_group_arns, first_priority, listeners=None):
    """The production listener rules of the target groups ``names``: one per group, forwarding every path to the
    group and its alternate, at ``first_priority`` and the priorities below it.

    ECS owns the weights once the rule exists (it moves them during each deployment): a rule found in ``listeners``
    (elb_application_lb_info's, snake_case) with the same priority and the same two groups keeps its weights; a new one
    sends everything to the group itself.
    """
    arns = target_group_arns or {}
    live = {
        int(rule["priority"]): _forwarded_weights(rule)
        for listener in listeners or []
        for rule in listener.get("rules") or []
        if str(rule.get("priority", "default")).isdigit()
    }
    rules = []
    for index, name in enumerate(names or []):
        primary, alternate = arns.get(name), arns.get(f"{name}{ALTERNATE_SUFFIX}")
        if not primary or not alternate:
            raise AnsibleFilterError(
                f"loadbalancer_alternate_target_groups: {name!r} needs the target groups {name!r} and"
                f" '{name}{ALTERNATE_SUFFIX}', and they have no ARN yet"
            )
        priority = int(first_priority) - index
        weights = live.get(priority) or {}
        if set(weights) != {primary, alternate}:
            weights = {primary: 100, alternate: 0}
        # In the order the rule has them: elb_application_lb compares the groups as a list.
        rules.append(
            {
                "Priority": priority,
                "Conditions": [{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/*"]}}],
                "Actions": [
                    {
                        "Type": "forward",
                        "Order": 1,
                        "ForwardConfig": {
                            "TargetGroups": [
                                {"TargetGroupArn": arn, "Weight": weight} for arn, weight in weights.items()
                            ],
                            "TargetGroupStickinessConfig": {"Enabled": False},
                        },
                    }
                ],
            }
        )
    return rules


def alb_production_rule_arns(listeners, names, first_priority):
    """``{name: rule ARN}`` of the production rules ``alb_production_rules`` made, from elb_application_lb's listeners
    (snake_case, with their rules)."""
    by_priority = {
        int(rule["priority"]): rule.get("rule_arn")
        for listener in listeners or []
        for rule in listener.get("rules") or []
        if str(rule.get("priority", "default")).isdigit()
    }
    return {
        name: by_priority[int(first_priority) - index]
        for index, name in enumerate(names or [])
        if int(first_priority) - index in by_priority
    }


class FilterModule:
    def filters(self):
        return {
            "alb_listener_rules": alb_listener_rules,
            "alb_listeners_without_rules": without_rules,
            "alb_alternate_target_groups": alternate_target_groups,
            "alb_production_rules": alb_production_rules,
            "alb_production_rule_arns": alb_production_rule_arns,
        }
