"""The loadbalancer role's filters: listener rules in the shape amazon.aws.elb_application_lb takes, and listeners
without their rules."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.cloudops.fargate.plugins.filter.loadbalancer import FilterModule
from ansible_collections.cloudops.fargate.plugins.filter.loadbalancer import alb_listener_rules
from ansible_collections.cloudops.fargate.plugins.filter.loadbalancer import without_rules

ARNS = {
    "web": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/demo-local-web/0123456789abcdef",
    "api": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/demo-local-api/fedcba9876543210",
}


def forward(group):
    return [{"Type": "forward", "TargetGroupArn": ARNS[group]}]


# --- alb_listener_rules -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rule, conditions",
    [
        (
            {"priority": 10, "target_group": "api", "path_patterns": ["/api/*"]},
            [{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/api/*"]}}],
        ),
        (
            {"priority": 10, "target_group": "api", "host_headers": ["api.example.com", "*.api.example.com"]},
            [{"Field": "host-header", "HostHeaderConfig": {"Values": ["api.example.com", "*.api.example.com"]}}],
        ),
        # both: host header first, then path pattern; the rule matches when both do
        (
            {"priority": 10, "target_group": "api", "path_patterns": ["/v1/*"], "host_headers": ["api.example.com"]},
            [
                {"Field": "host-header", "HostHeaderConfig": {"Values": ["api.example.com"]}},
                {"Field": "path-pattern", "PathPatternConfig": {"Values": ["/v1/*"]}},
            ],
        ),
        # empty lists are no condition
        ({"priority": 10, "target_group": "api", "path_patterns": [], "host_headers": ["a.example.com"]}, [
            {"Field": "host-header", "HostHeaderConfig": {"Values": ["a.example.com"]}}
        ]),
        # tuples (or any sequence) come out as lists
        ({"priority": 10, "target_group": "api", "path_patterns": ("/a", "/b")}, [{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/a", "/b"]}}]),
    ],
)
def test_a_rule_forwards_to_its_target_group_when_its_conditions_match(rule, conditions):
    assert alb_listener_rules([rule], ARNS) == [{"Priority": 10, "Conditions": conditions, "Actions": forward("api")}]


@pytest.mark.parametrize(
    "priorities, expected",
    [
        ([30, 10, 20], [10, 20, 30]),
        (["10", "9", 100], [9, 10, 100]),  # numeric order, not text order; strings become integers
        ([50000, 1], [1, 50000]),
    ],
)
def test_rules_are_ordered_by_priority(priorities, expected):
    rules = [{"priority": priority, "target_group": "web", "path_patterns": [f"/{priority}"]} for priority in priorities]
    result = alb_listener_rules(rules, ARNS)
    assert [rule["Priority"] for rule in result] == expected
    assert [rule["Conditions"][0]["PathPatternConfig"]["Values"] for rule in result] == [[f"/{p}"] for p in sorted(priorities, key=int)]


def test_priorities_are_the_callers_so_adding_a_rule_never_renumbers_the_others():
    first = [{"priority": 20, "target_group": "api", "path_patterns": ["/api/*"]}]
    second = first + [{"priority": 10, "target_group": "web", "host_headers": ["www.example.com"]}]
    (api_rule,) = alb_listener_rules(first, ARNS)
    assert api_rule in alb_listener_rules(second, ARNS)


@pytest.mark.parametrize("rules", [None, []])
def test_no_rules(rules):
    assert alb_listener_rules(rules, ARNS) == []


def test_arns_not_known_yet_are_passed_on():
    """In check mode on a fresh stack the target groups have no ARN yet: the role's dict holds ''."""
    (rule,) = alb_listener_rules([{"priority": 1, "target_group": "web", "path_patterns": ["/"]}], {"web": ""})
    assert rule["Actions"] == [{"Type": "forward", "TargetGroupArn": ""}]


def test_a_rule_without_conditions_is_left_to_the_role_check():
    """ELBv2 refuses a rule without conditions; validate.yml requires path_patterns or host_headers first."""
    (rule,) = alb_listener_rules([{"priority": 1, "target_group": "web"}], ARNS)
    assert rule["Conditions"] == []


def test_an_unknown_target_group_is_a_filter_error():
    with pytest.raises(AnsibleFilterError):
        alb_listener_rules([{"priority": 1, "target_group": "admin", "path_patterns": ["/admin/*"]}], ARNS)


@pytest.mark.parametrize("rule", [{"target_group": "web", "path_patterns": ["/"]}, {"priority": "first", "target_group": "web", "path_patterns": ["/"]}])
def test_a_rule_needs_an_integer_priority(rule):
    with pytest.raises((KeyError, ValueError)):
        alb_listener_rules([rule], ARNS)


# --- without_rules ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "listeners, expected",
    [
        (None, []),
        ([], []),
        (
            [{"Protocol": "HTTPS", "Port": 443, "Rules": [{"Priority": 1}], "DefaultActions": forward("web")}],
            [{"Protocol": "HTTPS", "Port": 443, "DefaultActions": forward("web")}],
        ),
        ([{"Protocol": "HTTP", "Port": 80}], [{"Protocol": "HTTP", "Port": 80}]),  # nothing to leave out
        ([{"Port": 80, "Rules": []}, {"Port": 443, "Rules": None}], [{"Port": 80}, {"Port": 443}]),
    ],
)
def test_without_rules(listeners, expected):
    assert without_rules(listeners) == expected


def test_without_rules_leaves_the_listeners_given_alone():
    listeners = [{"Port": 443, "Rules": [{"Priority": 1}]}]
    without_rules(listeners)
    assert listeners == [{"Port": 443, "Rules": [{"Priority": 1}]}]


def test_filter_module_exposes_every_filter():
    filters = FilterModule().filters()
    assert filters["alb_listener_rules"] is alb_listener_rules and filters["alb_listeners_without_rules"] is without_rules
    assert set(filters) == {
        "alb_listener_rules",
        "alb_listeners_without_rules",
        "alb_alternate_target_groups",
        "alb_production_rules",
        "alb_production_rule_arns",
    }


# --- the production rules of blue/green, linear and canary deployments --------------------------------------------

from ansible_collections.cloudops.fargate.plugins.filter.loadbalancer import alb_production_rule_arns  # noqa: E402
from ansible_collections.cloudops.fargate.plugins.filter.loadbalancer import alb_production_rules  # noqa: E402
from ansible_collections.cloudops.fargate.plugins.filter.loadbalancer import alternate_target_groups  # noqa: E402

WEB = "arn:tg/web"
WEB_ALT = "arn:tg/web-alt"


def test_alternates_copy_the_groups_settings_under_their_own_name():
    groups = [{"name": "web", "port": 8080, "health_check_path": "/ok"}, {"name": "api", "port": 8080}]
    assert alternate_target_groups(groups, ["web"]) == [{"name": "web-alt", "port": 8080, "health_check_path": "/ok"}]
    assert alternate_target_groups(groups, []) == []


def _live(priority, weights):
    groups = [{"target_group_arn": arn, "weight": weight} for arn, weight in weights]
    return [{"port": 443, "rules": [{"priority": str(priority), "rule_arn": "arn:rule/1",
                                     "actions": [{"type": "forward", "forward_config": {"target_groups": groups}}]}]}]


def test_a_new_production_rule_sends_everything_to_the_group_itself():
    (rule,) = alb_production_rules(["web"], {"web": WEB, "web-alt": WEB_ALT}, 50000)
    assert rule["Priority"] == 50000
    assert rule["Conditions"] == [{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/*"]}}]
    assert rule["Actions"][0]["ForwardConfig"]["TargetGroups"] == [
        {"TargetGroupArn": WEB, "Weight": 100},
        {"TargetGroupArn": WEB_ALT, "Weight": 0},
    ]


def test_an_existing_production_rule_keeps_the_weights_ecs_gave_it_in_its_order():
    live = _live(50000, [(WEB_ALT, 95), (WEB, 5)])
    (rule,) = alb_production_rules(["web"], {"web": WEB, "web-alt": WEB_ALT}, 50000, live)
    assert rule["Actions"][0]["ForwardConfig"]["TargetGroups"] == [
        {"TargetGroupArn": WEB_ALT, "Weight": 95},
        {"TargetGroupArn": WEB, "Weight": 5},
    ]
    # a rule at that priority forwarding elsewhere is not the production rule: it is replaced
    (rule,) = alb_production_rules(["web"], {"web": WEB, "web-alt": WEB_ALT}, 50000, _live(50000, [("arn:tg/x", 1)]))
    assert [g["Weight"] for g in rule["Actions"][0]["ForwardConfig"]["TargetGroups"]] == [100, 0]


def test_production_rules_need_both_groups():
    with pytest.raises(AnsibleFilterError, match="loadbalancer_alternate_target_groups: 'web' needs"):
        alb_production_rules(["web"], {"web": WEB}, 50000)


def test_production_rule_arns_by_group():
    listeners = _live(50000, [(WEB, 100), (WEB_ALT, 0)])
    assert alb_production_rule_arns(listeners, ["web"], 50000) == {"web": "arn:rule/1"}
    assert alb_production_rule_arns(listeners, ["web"], 49000) == {}
