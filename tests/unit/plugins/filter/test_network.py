"""The network role's security group ids: found ones, just created ones, and unknown ones (check mode)."""

from __future__ import annotations

from ansible_collections.cloudops.fargate.plugins.filter.network import security_group_ids

PURPOSES = ["alb", "service", "efs"]


def _group(name, group_id):
    return {"group_id": group_id, "tags": {"Name": name, "Purpose": name.rsplit("-", 1)[-1]}}


def test_existing_groups_are_found_by_their_name_tag():
    existing = [_group("demo-local-alb", "sg-1"), _group("demo-local-service", "sg-2"), _group("demo-local-efs", "sg-3")]
    assert security_group_ids(PURPOSES, "demo-local", existing) == {"alb": "sg-1", "service": "sg-2", "efs": "sg-3"}


def test_missing_groups_are_empty_until_created():
    existing = [_group("demo-local-alb", "sg-1")]
    assert security_group_ids(PURPOSES, "demo-local", existing) == {"alb": "sg-1", "service": "", "efs": ""}
    created = [{"item": "service", "group_id": "sg-2"}, {"item": "efs", "changed": True}]  # efs: check mode, no id
    assert security_group_ids(PURPOSES, "demo-local", existing, created) == {"alb": "sg-1", "service": "sg-2", "efs": ""}


def test_other_stacks_and_unnamed_groups_are_ignored():
    existing = [_group("shop-local-alb", "sg-9"), {"group_id": "sg-8", "tags": {}}, _group("demo-local-alb", "sg-1")]
    assert security_group_ids(["alb"], "demo-local", existing) == {"alb": "sg-1"}
    assert security_group_ids(["alb"], "demo-local", None) == {"alb": ""}
