"""Render each role's README variable table from its meta/argument_specs.yml (make docs).

The table sits between two markers in roles/<role>/README.md; tests/unit/test_role_readmes.py fails
when a README's table differs from what this renders.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
BEGIN = "<!-- BEGIN VARIABLES (generated from meta/argument_specs.yml by make docs) -->"
END = "<!-- END VARIABLES -->"


def _cell(value) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _description(option: dict) -> str:
    description = option.get("description", "")
    if isinstance(description, list):
        description = " ".join(description)
    return _cell(description)


def _default(option: dict) -> str:
    if option.get("required"):
        return "*required*"
    if "default" not in option:
        return ""
    return f"`{_cell(yaml.safe_dump(option['default'], default_flow_style=True).strip().removesuffix('...').strip())}`"


def render_table(role_dir: Path) -> str:
    spec = yaml.safe_load((role_dir / "meta" / "argument_specs.yml").read_text())["argument_specs"]["main"]
    lines = [BEGIN, "", "| variable | type | default | description |", "|---|---|---|---|"]
    for name, option in spec["options"].items():
        kind = option.get("type", "str")
        if kind == "list" and option.get("elements"):
            kind = f"list of {option['elements']}"
        choices = f" Choices: {', '.join(str(c) for c in option['choices'])}." if option.get("choices") else ""
        lines.append(f"| `{name}` | {kind} | {_default(option)} | {_description(option)}{choices} |")
    lines += ["", END]
    return "\n".join(lines)


def current_table(readme: Path) -> str:
    text = readme.read_text()
    if BEGIN not in text or END not in text:
        return ""
    return text[text.index(BEGIN) : text.index(END) + len(END)]


def update(readme: Path, table: str) -> None:
    text = readme.read_text()
    text = text.replace(current_table(readme), table) if current_table(readme) else f"{text.rstrip()}\n\n{table}\n"
    readme.write_text(text)


def main() -> int:
    for role_dir in sorted((REPO_ROOT / "roles").iterdir()):
        if (role_dir / "meta" / "argument_specs.yml").exists():
            update(role_dir / "README.md", render_table(role_dir))
    return 0


if __name__ == "__main__":
    sys.exit(main())
