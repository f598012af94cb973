"""MkDocs hook: the reference pages, generated at every build from the code's own sources.

- reference/cli.md: every `mlgov` command and option, rendered by mkdocs-click from the Click
  group (its sub-commands are registered lazily, so every one is loaded first);
- reference/checks.md: every check id of the registry, with the exact text `mlgov explain ID`
  prints (run through the real command); a check without an explanation fails the build;
- reference/policy.md: every key of policy.schema.json, its type, default (policy/defaults.py)
  and the direction in which it gets stricter (`x-mlgov-stricter`, as `--policy-ref` reads it);
- in any page, the line `<!-- generated: package map -->` becomes the package's folders and
  top-level modules, each with the first line of its docstring.

The package documented is the checkout that holds mkdocs.yml, never another installed copy. A
file kept by hand at one of these paths is refused: the page would be stale the day the code changes.
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

PACKAGE_MAP = "<!-- generated: package map -->"
CLI_PAGE = "reference/cli.md"
CHECKS_PAGE = "reference/checks.md"
POLICY_PAGE = "reference/policy.md"

DIRECTIONS = {
    "higher": "a higher value",
    "lower": "a lower value",
    "true": "`true`",
    "false": "`false`",
    "superset": "more items (removing one loosens)",
    "subset": "fewer items (adding one loosens)",
    "same": "none: any change is reported as a possible loosening",
    "neutral": "never loosens",
    "each": "each key by its own direction",
}


def on_config(config: Any) -> Any:
    root = Path(config.config_file_path).resolve().parent
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    package = importlib.import_module("mlgov_checks")
    where = Path(package.__file__ or "").resolve().parent
    if where != root / "mlgov_checks":
        raise PluginError(f"the docs document mlgov_checks from {where}, not from this checkout ({root})")
    return config


def on_files(files: Files, config: Any) -> Files:
    pages = {CLI_PAGE: cli_page(), CHECKS_PAGE: checks_page(), POLICY_PAGE: policy_page()}
    for uri, content in pages.items():
        if files.get_file_from_path(uri) is not None:
            raise PluginError(f"docs/{uri} is generated at build time from the code: delete the hand-kept copy")
        files.append(File.generated(config, uri, content=content))
    return files


def on_page_markdown(markdown: str, page: Any, config: Any, files: Files) -> str:
    if PACKAGE_MAP in markdown:
        markdown = markdown.replace(PACKAGE_MAP, package_map(Path(config.config_file_path).resolve().parent))
    return markdown


def first_docstring_line(path: Path) -> str:
    import ast

    doc = ast.get_docstring(ast.parse(path.read_text("utf-8"))) or ""
    return doc.strip().splitlines()[0].replace("|", "\\|") if doc.strip() else ""


def package_map(root: Path) -> str:
    package = root / "mlgov_checks"
    rows = ["| in `mlgov_checks/` | what it holds |", "|---|---|"]
    for module in sorted(package.glob("*.py")):
        rows.append(f"| `{module.name}` | {first_docstring_line(module)} |")
    for folder in sorted(p.parent for p in package.glob("*/__init__.py")):
        rows.append(f"| `{folder.name}/` | {first_docstring_line(folder / '__init__.py')} |")
    return "\n".join(rows)


# --- the command line -------------------------------------------------------------------------


def cli_page() -> str:
    import click

    from mlgov_checks.cli.app import main

    ctx = click.Context(main, info_name="mlgov")
    names = main.list_commands(ctx)
    for name in names:  # sub-commands are registered when their module is imported
        if main.get_command(ctx, name) is None:
            raise PluginError(f"mlgov lists the command {name!r} but cannot load it")
    main.commands = {name: main.commands[name] for name in sorted(main.commands)}
    return "\n".join([
        "# Command line reference",
        "",
        "Generated at build time from the Click commands themselves: `mlgov COMMAND --help` prints",
        f"the same. Commands: {', '.join(f'`{n}`' for n in names)}.",
        "",
        "::: mkdocs-click",
        "    :module: mlgov_checks.cli.app",
        "    :command: main",
        "    :prog_name: mlgov",
        "    :depth: 1",
        "    :style: plain",
        "    :list_subcommands: true",
        "",
    ])


# --- the checks -------------------------------------------------------------------------------


def explain(*args: str) -> str:
    """What `mlgov explain ARGS` prints, from the real command."""
    from click.testing import CliRunner

    from mlgov_checks.cli.app import main

    result = CliRunner().invoke(main, ["explain", *args])
    if result.exit_code != 0:
        raise PluginError(f"mlgov explain {' '.join(args)} failed (exit {result.exit_code}): {result.output}")
    return result.output.rstrip("\n")


def checks_page() -> str:
    from mlgov_checks import checks

    registry = checks.registry()
    lines = [
        "# Checks reference",
        "",
        "Every check the registry holds, family by family, with the text `mlgov explain ID` prints",
        "(generated at build time by running that command). `mlgov explain` with no id lists them.",
        "",
        "| check | family | title |",
        "|---|---|---|",
    ]
    by_family: dict[str, list[str]] = {}
    for name, module in checks.families():
        ids = [c.id for c in module.CHECKS]
        by_family[name] = ids
        lines += [f"| [`{cid}`](#{cid}) | {name} | {registry[cid].title} |" for cid in ids]
    for name, ids in by_family.items():
        lines += ["", f"## The {name} family", ""]
        for cid in ids:
            if not registry[cid].explanation.strip():
                raise PluginError(f"check {cid!r} has no explanation: `mlgov explain {cid}` would print nothing")
            lines += [f"### {cid}", "", f"`mlgov explain {cid}`:", "", "```text", explain(cid), "```", ""]
    return "\n".join(lines)


# --- the policy -------------------------------------------------------------------------------


def policy_page() -> str:
    from mlgov_checks.policy.defaults import DEFAULTS
    from mlgov_checks.policy.strictness import KEYWORD, policy_schema

    schema = policy_schema()
    lines = [
        "# Policy keys reference",
        "",
        "Every key of the policy (`.mlgov.yaml`, `.mlgov.yml` or `[tool.mlgov]`), generated at build",
        "time from the schema the policy is validated against (`mlgov_checks/schemas/policy.schema.json`)",
        "and the defaults a policy that leaves a key out gets. **Stricter** is the direction the",
        f"schema declares (`{KEYWORD}`): with `--policy-ref`, a change the other way is a failing",
        "`policy-loosened` finding, and a changed key that declares no direction counts as a loosening.",
        "`NAME` stands for a name you choose (a metric, a role); `[]` for each item of a list.",
        "",
    ]
    for key, sub in (schema.get("properties") or {}).items():
        lines += ["", f"## {key}", ""]
        if sub.get("description"):
            lines += [sub["description"], ""]
        lines += ["| key | type | default | stricter | notes |", "|---|---|---|---|---|"]
        lines += [row(path, node, DEFAULTS, KEYWORD) for path, node in walk(key, sub)]
    return "\n".join(lines) + "\n"


def walk(path: str, node: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Every key below (and including) `path`, depth first."""
    yield path, node
    for key, sub in (node.get("properties") or {}).items():
        yield from walk(f"{path}.{key}", sub)
    extra = node.get("additionalProperties")
    if isinstance(extra, Mapping):
        yield from walk(f"{path}.NAME", extra)
    items = node.get("items")
    if isinstance(items, Mapping):  # a list of objects: each item's keys
        for key, sub in (items.get("properties") or {}).items():
            yield from walk(f"{path}[].{key}", sub)


def type_of(node: Mapping[str, Any]) -> str:
    if "enum" in node:
        return " \\| ".join(f"`{json.dumps(v)}`" for v in node["enum"])
    kind = node.get("type")
    if isinstance(kind, list):
        return " or ".join(kind)
    if kind == "array":
        items = node.get("items")
        inner = type_of(items) if isinstance(items, Mapping) else "any"
        return f"list of {'objects' if inner == 'object' else inner}"
    if kind == "object" and isinstance(node.get("additionalProperties"), Mapping) and not node.get("properties"):
        return "map of NAME to " + type_of(node["additionalProperties"])
    if "oneOf" in node or "anyOf" in node:
        return " or ".join(type_of(n) for n in node.get("oneOf", node.get("anyOf", [])))
    return str(kind or "any")


def default_of(path: str, node: Mapping[str, Any], defaults: Mapping[str, Any]) -> str:
    if node.get("properties"):
        return "(its keys')"
    value: Any = defaults
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return "none"
        value = value[part]
    return f"`{json.dumps(value)}`"


def stricter(node: Mapping[str, Any], keyword: str) -> str:
    direction = node.get(keyword)
    if direction is None:
        return "**not declared**: any change is a possible loosening"
    if isinstance(direction, Mapping) and "order" in direction:
        return "towards the end of " + " < ".join(f"`{v}`" for v in direction["order"])
    text = DIRECTIONS.get(str(direction), f"`{direction}`")
    if node.get("x-mlgov-empty") == "unrestricted":
        text += "; an empty list accepts everything"
    return text


def notes(node: Mapping[str, Any]) -> str:
    parts = [str(node["description"]).rstrip(".")] if node.get("description") else []
    for word in ("minimum", "maximum", "exclusiveMinimum", "minLength", "minItems", "maxItems", "pattern", "format"):
        if word in node:
            parts.append(f"{word} {node[word]}")
    items = node.get("items")
    if node.get("x-mlgov-file") or (isinstance(items, Mapping) and items.get("x-mlgov-file")):
        parts.append("a file: with `--policy-ref` its content is read at REF too, and a change to it is compared")
    if node.get("required"):
        parts.append("requires " + ", ".join(f"`{r}`" for r in node["required"]))
    return "; ".join(parts).replace("|", "\\|").replace("\n", " ")


def row(path: str, node: Mapping[str, Any], defaults: Mapping[str, Any], keyword: str) -> str:
    return (f"| `{path}` | {type_of(node)} | {default_of(path, node, defaults)} | {stricter(node, keyword)} "
            f"| {notes(node)} |")
