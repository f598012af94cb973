"""The package's shape: the family registry's contract, module sizes, imports that point one way."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from mlgov_checks import checks
from mlgov_checks.checks._base import SUBJECTS

PACKAGE = Path(__file__).resolve().parent.parent / "mlgov_checks"
MAX_MODULE_LINES = 300
MAX_CLASS_LINES = 200


def modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def imports_of(name: str, path: Path) -> set[str]:
    """Every mlgov_checks module `name` imports, at module level or inside a function."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            known = modules()
            subs = {f"{base}.{a.name}" for a in node.names} & set(known)
            # `from pkg import module` imports the module; `from module import name`, the module.
            found.update(subs if len(subs) == len(node.names) else {base, *subs})
    known = modules()
    return {m for m in found if m in known and m != name}


@pytest.mark.parametrize("name", list(checks.FAMILIES))
def test_family_contract(name):
    module = checks.family(name)
    assert module.SUBJECT in SUBJECTS
    assert checks.FAMILIES[name][1] == module.SUBJECT, "the registry entry names the module's own subject"
    assert callable(module.evaluate)
    assert module.CHECKS, "a family defines its checks"
    for check in module.CHECKS:
        assert check.id.split("-")[0] in checks.prefixes(name), f"{check.id} is not {name}'s"
        assert check.explanation.strip(), f"{check.id} has no explanation for `mlgov explain`"


def test_each_id_prefix_belongs_to_one_family():
    owners: dict[str, str] = {}
    for name in checks.FAMILIES:
        for prefix in checks.prefixes(name):
            assert prefix not in owners, f"{prefix!r} is claimed by {owners.get(prefix)} and {name}"
            owners[prefix] = name


@pytest.mark.parametrize(("name", "path"), list(modules().items()))
def test_module_and_class_sizes(name, path):
    text = path.read_text(encoding="utf-8")
    assert text.count("\n") <= MAX_MODULE_LINES, f"{name} has {text.count(chr(10))} lines"
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.ClassDef):
            size = (node.end_lineno or node.lineno) - node.lineno + 1
            assert size <= MAX_CLASS_LINES, f"{name}.{node.name} has {size} lines"


def test_no_import_cycles():
    graph = {name: imports_of(name, path) for name, path in modules().items()}
    done: set[str] = set()

    def visit(node: str, stack: list[str]) -> None:
        if node in stack:
            cycle = stack[stack.index(node):] + [node]
            pytest.fail("import cycle: " + " -> ".join(cycle))
        if node in done:
            return
        for nxt in sorted(graph.get(node, ())):
            visit(nxt, [*stack, node])
        done.add(node)

    for name in graph:
        visit(name, [])


@pytest.mark.parametrize(("library", "allowed"), [("mlflow", "mlgov_checks.backend"),
                                                  ("git", "mlgov_checks.integrations.gitrepo")])
def test_libraries_stay_behind_their_boundary(library, allowed):
    for name, path in modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        used = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        used |= {(n.module or "").split(".")[0] for n in ast.walk(tree)
                 if isinstance(n, ast.ImportFrom) and not n.level}
        if library in used:
            assert name == allowed or name.startswith(allowed + "."), f"{name} imports {library}"
