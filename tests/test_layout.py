"""The package's layout as the README draws it (Development): every module listed once, in
stage order, and no module importing one listed after it (so no import circle either)."""

from __future__ import annotations

import ast
import re

from tests.conftest import ROOT

PACKAGE = ROOT / "alu_docs"


def readme_order() -> list[str]:
    """The module names of the README's tree (```text … alu_docs/ … ```), in their order."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```text\nalu_docs/\n(.*?)```", text, re.S)
    assert block, "README.md: the Development section's module tree (```text alu_docs/ …```) is missing"
    return re.findall(r"^\s+([a-z_0-9]+)\.py\b", block.group(1), re.M)


def local_imports(module: str) -> set[str]:
    """The package's modules that `module` imports (at the top or inside a function)."""
    tree = ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module.split(".")[0])
            else:  # from . import a, b
                found.update(alias.name for alias in node.names if (PACKAGE / f"{alias.name}.py").exists())
    return found - {module}


def test_the_readme_lists_every_module_once() -> None:
    order = readme_order()
    actual = {p.stem for p in PACKAGE.glob("*.py") if p.stem not in ("__init__", "__main__")}
    assert len(order) == len(set(order)), "a module is listed twice"
    assert set(order) == actual, f"not listed: {sorted(actual - set(order))}; gone: {sorted(set(order) - actual)}"


def test_no_module_imports_one_above_it() -> None:
    order = readme_order()
    place = {name: i for i, name in enumerate(order)}
    upward = [f"{module} imports {other}" for module in order for other in sorted(local_imports(module))
              if place.get(other, -1) > place[module]]
    assert upward == []
