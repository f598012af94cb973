"""The package's shape: its layers and which may import which, the family registry's contract, sizes."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from mlgov_checks import checks
from mlgov_checks.checks._base import SUBJECTS

PACKAGE = Path(__file__).resolve().parent.parent / "mlgov_checks"
MAX_MODULE_LINES = 300
MAX_CLASS_LINES = 200
MAX_FUNCTION_LINES = 60

# The layers, top to bottom. A module may import modules of its own layer and of any layer below
# it, never above. Each entry names a folder or a module of the package (dotted, without the
# `mlgov_checks.` prefix); a module belongs to the longest entry that contains it. Every folder of
# the package, and every module at its top level, must be named here: a new one fails
# `test_every_folder_is_in_a_layer` until it is added where its imports point.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("entry points: commands, the Action, the training helpers, the server plugin",
     ("__main__", "__init__", "cli", "integrations", "integrations.server")),
    ("workflows: the actions that write, the report pages",
     ("governance", "reports.pages")),
    ("the one runner, and the findings reports",
     ("gate", "reports", "reports.findings")),
    ("the check families",
     ("checks", "checks.card", "checks.provenance")),
    ("the domain: card formats, evidence, the governance vocabulary (roles, identity, stages, the log)",
     ("cards", "evidence", "governance.roles", "governance.identity", "governance.semver",
      "governance.stages", "governance.decisions", "governance.registries")),
    ("the policy",
     ("policy",)),
    ("readers of files and repositories",
     ("yamlio", "integrations.gitrepo", "integrations.gittree")),
    ("plain data and the words every layer shares",
     ("errors", "findings", "records", "targets", "secrets", "version", "evidence.digests")),
)
# The backend stands beside the layers: it imports only the bottom layer, and every other module
# reaches it only through the `mlgov_checks.backend` package (connect, Reader, Writer, FetchSpec,
# Resolved), never through one of its modules.
BACKEND = "backend"


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
def test_module_class_and_function_sizes(name, path):
    text = path.read_text(encoding="utf-8")
    assert text.count("\n") <= MAX_MODULE_LINES, f"{name} has {text.count(chr(10))} lines"
    for node in ast.walk(ast.parse(text)):
        size = (node.end_lineno or node.lineno) - node.lineno + 1 if hasattr(node, "end_lineno") else 0
        if isinstance(node, ast.ClassDef):
            assert size <= MAX_CLASS_LINES, f"{name}.{node.name} has {size} lines"
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            assert size <= MAX_FUNCTION_LINES, f"{name}.{node.name}() has {size} lines (split it into steps)"


def short(name: str) -> str:
    """A module's name in the layer table: dotted, without `mlgov_checks.` (the package is `__init__`)."""
    return "__init__" if name == "mlgov_checks" else name.removeprefix("mlgov_checks.")


def entry_of(name: str) -> str | None:
    """The layer-table entry `name` belongs to: the longest one that contains it (the backend's too)."""
    mod = short(name)
    entries = [e for _, es in LAYERS for e in es] + [BACKEND]
    found = [e for e in entries if mod == e or mod.startswith(e + ".")]
    return max(found, key=len) if found else None


def rank(name: str) -> int:
    """0 for the top layer; the backend ranks below the bottom layer (it imports only that one)."""
    entry = entry_of(name)
    for i, (_, entries) in enumerate(LAYERS):
        if entry in entries:
            return i
    return len(LAYERS) - 1 if entry == BACKEND else -1


def test_every_folder_and_top_level_module_is_in_a_layer():
    declared = {e for _, es in LAYERS for e in es} | {BACKEND}
    folders = {short(".".join(p.parent.relative_to(PACKAGE.parent).parts))
               for p in PACKAGE.rglob("*.py") if p.parent != PACKAGE}
    top = {short(f"mlgov_checks.{p.stem}") if p.stem != "__init__" else "__init__" for p in PACKAGE.glob("*.py")}
    missing = sorted((folders | top) - declared)
    assert not missing, (f"{', '.join(missing)} is in no layer: add it to LAYERS in tests/test_architecture.py, "
                         "in the layer its imports point down from (see docs/architecture.md)")


def test_imports_point_down():
    wrong = []
    for name, path in modules().items():
        for dep in sorted(imports_of(name, path)):
            here, there = rank(name), rank(dep)
            inside = entry_of(name) == BACKEND
            if inside and entry_of(dep) not in (BACKEND, *LAYERS[-1][1]):
                wrong.append(f"{name} -> {dep} (the backend imports only the bottom layer)")
            elif not inside and entry_of(dep) == BACKEND and dep != "mlgov_checks.backend":
                wrong.append(f"{name} -> {dep} (reach the backend through `mlgov_checks.backend` only)")
            elif not inside and entry_of(dep) != BACKEND and there < here:
                wrong.append(f"{name} (layer {here}: {LAYERS[here][0]}) -> {dep} (layer {there}: {LAYERS[there][0]})")
    assert not wrong, "imports that point up:\n  " + "\n  ".join(wrong)


def test_only_the_entry_points_connect_to_a_server():
    """The backend is reached through the Reader/Writer an entry point builds once and passes down."""
    for name, path in modules().items():
        if rank(name) == 0 or entry_of(name) == BACKEND:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)
                    and n.module == "mlgov_checks.backend" for a in n.names}
        called = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)
                  and isinstance(n.value, ast.Name) and n.value.id == "backend"}
        assert "connect" not in imported | called, f"{name} connects to a server: only an entry point may"


def test_no_two_modules_share_a_name():
    """`records.py` twice is two concerns under one name: a reader cannot tell which is meant."""
    seen: dict[str, str] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name in ("__init__.py", "__main__.py"):
            continue
        rel = str(path.relative_to(PACKAGE))
        assert path.stem not in seen, f"two modules called {path.name}: {seen[path.stem]} and {rel}"
        seen[path.stem] = rel


def test_the_layer_rules_catch_what_they_look_for():
    """Not vacuous: an upward import, a module outside the table, a backend module reached directly."""
    assert rank("mlgov_checks.policy.load") > rank("mlgov_checks.checks.metrics") > rank("mlgov_checks.gate")
    assert rank("mlgov_checks.governance.decisions") > rank("mlgov_checks.governance.promote")
    assert rank("mlgov_checks.integrations.gitrepo") > rank("mlgov_checks.integrations.training")
    assert entry_of("mlgov_checks.backend.reader") == BACKEND and entry_of("mlgov_checks.nowhere") is None
    assert rank("mlgov_checks.nowhere") == -1


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


# The MLflow server plugin's app factory is, by MLflow's design, code that imports the server's own
# Flask app, request parser and store (mlflow.server.*): that one module may, and only that package.
SERVER_APP = ("mlgov_checks.integrations.server.plugin", "mlflow.server")


@pytest.mark.parametrize(("library", "allowed"), [("mlflow", "mlgov_checks.backend"),
                                                  ("git", "mlgov_checks.integrations.gitrepo")])
def test_libraries_stay_behind_their_boundary(library, allowed):
    for name, path in modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        full = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        full |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and not n.level}
        used = {m.split(".")[0] for m in full}
        if name == SERVER_APP[0] and library == "mlflow":
            server_only = {m for m in full if m.split(".")[0] == "mlflow" and not m.startswith(SERVER_APP[1])}
            mine = {m for m in full if m.startswith(SERVER_APP[1])}
            # mlflow.exceptions and mlflow.protos are what the server's own parser raises and fills
            assert server_only <= {"mlflow.exceptions", "mlflow.protos"}, f"{name} imports {server_only}"
            assert mine, "the server app imports the MLflow server"
            continue
        if library in used:
            assert name == allowed or name.startswith(allowed + "."), f"{name} imports {library}"
