"""Each role's README lists exactly the variables of its argument spec (make docs regenerates them)."""

from __future__ import annotations

import pytest

from tools.role_readme import REPO_ROOT, current_table, render_table

ROLES = sorted(p.parent.parent for p in (REPO_ROOT / "roles").glob("*/meta/argument_specs.yml"))


@pytest.mark.parametrize("role_dir", ROLES, ids=[r.name for r in ROLES])
def test_role_readme_matches_its_argument_spec(role_dir):
    assert current_table(role_dir / "README.md") == render_table(role_dir), "run make docs"


def test_every_role_has_an_argument_spec():
    assert {r.name for r in ROLES} == {p.name for p in (REPO_ROOT / "roles").iterdir() if p.is_dir()}


@pytest.mark.parametrize("role_dir", ROLES, ids=[r.name for r in ROLES])
def test_defaults_and_argument_spec_agree(role_dir):
    import yaml

    defaults = yaml.safe_load((role_dir / "defaults" / "main.yml").read_text()) or {}
    options = yaml.safe_load((role_dir / "meta" / "argument_specs.yml").read_text())["argument_specs"]["main"]["options"]
    assert set(defaults) <= set(options), "every default is declared in the spec"
    for name, option in options.items():
        if name in defaults:
            assert option.get("default") == defaults[name], name
        elif name.startswith(f"{role_dir.name}_"):
            assert option.get("required") or "default" not in option, f"{name} has a spec default but none in defaults/main.yml"
