"""Every module's DOCUMENTATION agrees with its argument spec.

One test per file in plugins/modules (a new module is picked up by the glob). DOCUMENTATION is read from the
source with ast + yaml; the argument spec comes from the module's ``argument_spec()`` when it has one, from the
``ARGUMENT_SPEC`` of the action plugin of a documentation-only module, or else from what ``main()`` hands to
``AnsibleAWSModule`` (replaced by a fake that records it and stops ``main()``). An option the spec checks with a
function of its own (an action plugin's) has its documented type and elements, not compared.

``documentation(module, section)`` is shared with the tests that compare a module's RETURN with another's.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

MODULES_DIR = Path(__file__).resolve().parents[4] / "plugins" / "modules"
PACKAGE = "ansible_collections.cloudops.fargate.plugins.modules"
ACTIONS_PACKAGE = "ansible_collections.cloudops.fargate.plugins.action"
MODULE_NAMES = sorted(path.stem for path in MODULES_DIR.glob("*.py") if path.name != "__init__.py")
if not MODULE_NAMES:
    raise RuntimeError(f"no modules found in {MODULES_DIR}")

# (key, the value an option has without it); required compares as a boolean. no_log is not compared: module
# documentation has no such key (validate-modules' schema refuses it and checks the spec's no_log itself).
COMPARED = (("default", None), ("type", "str"), ("choices", None), ("aliases", None), ("elements", None))


def documentation(module: ModuleType | str | Path, section: str = "DOCUMENTATION") -> Any:
    """The parsed YAML of a module's DOCUMENTATION (or RETURN, EXAMPLES), read from its source, not imported."""
    path = Path(module if isinstance(module, (str, Path)) else module.__file__)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == section for target in node.targets
        ):
            return yaml.safe_load(ast.literal_eval(node.value))
    raise AssertionError(f"{path.name}: no {section}")


class _Captured(BaseException):
    """Raised by the fake AnsibleAWSModule once it has the argument spec, so that main() goes no further."""

    def __init__(self, argument_spec: Any) -> None:
        super().__init__()
        self.argument_spec = argument_spec


def argument_spec_of(module: ModuleType, monkeypatch: pytest.MonkeyPatch) -> dict:
    """The module's ``argument_spec()``, or else the ``argument_spec`` its ``main()`` gives AnsibleAWSModule."""
    if callable(getattr(module, "argument_spec", None)):
        return module.argument_spec()
    action_file = MODULES_DIR.parent / "action" / Path(module.__file__).name
    if action_file.is_file():
        return importlib.import_module(f"{ACTIONS_PACKAGE}.{action_file.stem}").ARGUMENT_SPEC
    if not hasattr(module, "AnsibleAWSModule"):
        pytest.fail(f"{module.__name__}: no argument_spec() and no AnsibleAWSModule to take the spec from")

    def fake_module(*args: Any, **kwargs: Any) -> None:
        raise _Captured(kwargs.get("argument_spec"))

    monkeypatch.setattr(module, "AnsibleAWSModule", fake_module)
    spec = None
    try:
        module.main()
        pytest.fail(f"{module.__name__}: main() returned without constructing AnsibleAWSModule")
    except _Captured as captured:
        spec = captured.argument_spec
    if not isinstance(spec, dict):
        pytest.fail(f"{module.__name__}: main() gave AnsibleAWSModule no argument_spec dict: {spec!r}")
    return spec


def compare_options(documented_options: dict, spec: dict, where: str = "") -> None:
    """Documented options and argument spec agree, option by option, suboptions recursively."""
    assert set(documented_options) == set(spec), (
        f"{where or 'options'}: only documented {sorted(set(documented_options) - set(spec))}, "
        f"only in the spec {sorted(set(spec) - set(documented_options))}"
    )
    for name, option in spec.items():
        doc = documented_options[name] or {}
        for key, absent in COMPARED:
            if key in ("type", "elements") and callable(option.get("type")):
                continue
            assert doc.get(key, absent) == option.get(key, absent), (
                f"{where}{name}: {key} documented {doc.get(key, absent)!r}, spec {option.get(key, absent)!r}"
            )
        assert bool(doc.get("required")) == bool(option.get("required")), (
            f"{where}{name}: required documented {doc.get('required')!r}, spec {option.get('required')!r}"
        )
        if "options" in option:
            assert "suboptions" in doc, f"{where}{name}: the spec has options, the documentation no suboptions"
            compare_options(doc["suboptions"], option["options"], f"{where}{name}.")
        else:
            assert "suboptions" not in doc, f"{where}{name}: documented suboptions, the spec has no options"


@pytest.mark.parametrize("name", MODULE_NAMES)
def test_documentation_matches_argument_spec(name, monkeypatch):
    options = documentation(MODULES_DIR / f"{name}.py").get("options") or {}
    module = importlib.import_module(f"{PACKAGE}.{name}")
    compare_options(options, argument_spec_of(module, monkeypatch))
