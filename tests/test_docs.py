"""The documentation site builds with `mkdocs build --strict`, offline, and its reference pages
follow the code: a check, an option or a policy key added is in the next build, with no edit in
docs/; a broken link, a page left out of the nav or a hand-kept copy of a generated page fails."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from mlgov_checks import checks
from mlgov_checks.cli.app import main
from tests.conftest import REPO_ROOT, tool_missing

try:
    import material  # noqa: F401  (the theme)
    import mkdocs  # noqa: F401
    import mkdocs_click  # noqa: F401
except ImportError as e:  # a skip on a laptop without the docs extra, a failure under CI
    DOCS_EXTRA_MISSING: str | None = f"the docs extra is not installed ({e.name})"
else:
    DOCS_EXTRA_MISSING = None


@pytest.fixture(autouse=True)
def _docs_extra() -> None:
    if DOCS_EXTRA_MISSING:
        tool_missing(DOCS_EXTRA_MISSING)

# What a build needs from the checkout: the site's sources, the package it documents, the files
# its pages include.
SOURCES = ("mkdocs.yml", "docs", "mlgov_checks", "examples")


def build(root: Path, site: Path, *, driver: str = "") -> subprocess.CompletedProcess[str]:
    """`mkdocs build --strict` of the checkout at `root`, in a fresh process (after `driver`)."""
    script = textwrap.dedent(driver) + textwrap.dedent(f"""
        import sys
        from mkdocs.__main__ import cli
        sys.argv = ["mkdocs", "build", "--strict", "--site-dir", {str(site)!r}]
        cli()
    """)
    env = {**os.environ, "PYTHONPATH": str(root), "NO_MKDOCS_2_WARNING": "1"}
    # No -q: with it, MkDocs 1.6 does not count warnings and --strict passes anything.
    return subprocess.run([sys.executable, "-c", script], cwd=root, env=env, capture_output=True,
                          text=True, timeout=300)


def copy_checkout(dest: Path) -> Path:
    dest.mkdir(parents=True)
    for name in SOURCES:
        src = REPO_ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, dest / name)
    return dest


def text_of(page: Path) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", page.read_text("utf-8")))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    result = build(REPO_ROOT, out)
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def all_commands() -> dict[str, object]:
    """Every command and sub-command path ('log card'), loading the lazily registered ones."""
    import click

    found: dict[str, object] = {}

    def visit(group: click.Group, prefix: str) -> None:
        ctx = click.Context(group)
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            assert command is not None, name
            found[f"{prefix}{name}"] = command
            if isinstance(command, click.Group):
                visit(command, f"{prefix}{name} ")

    visit(main, "")
    return found


def schema_keys(node: dict, path: str = "") -> list[str]:
    keys = []
    for key, sub in (node.get("properties") or {}).items():
        keys.append(f"{path}{key}")
        keys += schema_keys(sub, f"{path}{key}.")
    if isinstance(node.get("additionalProperties"), dict):
        keys += schema_keys(node["additionalProperties"], f"{path}NAME.")
    items = node.get("items")
    if isinstance(items, dict) and items.get("properties"):
        keys += schema_keys(items, f"{path[:-1]}[].")
    return keys


def test_every_check_has_an_explanation():
    for check_id, check in checks.registry().items():
        assert check.title.strip(), check_id
        assert check.explanation.strip(), f"{check_id}: `mlgov explain {check_id}` would print no explanation"


def test_every_page_in_the_nav_is_built(site: Path):
    nav = re.findall(r":\s*([\w/.-]+\.md)\s*$", (REPO_ROOT / "mkdocs.yml").read_text("utf-8"), re.M)
    assert len(nav) >= 16
    for page in nav:
        built = site / ("index.html" if page == "index.md" else page.removesuffix(".md") + "/index.html")
        assert built.is_file(), page


def test_cli_reference_lists_every_command_and_option(site: Path):
    page = (site / "reference/cli/index.html").read_text("utf-8")
    commands = all_commands()
    assert {"card", "check", "approve", "promote", "audit", "inventory", "log card"} <= set(commands)
    for path, command in commands.items():
        assert f'id="mlgov-{path.replace(" ", "-")}"' in page, path
    text = text_of(site / "reference/cli/index.html")
    for option in ("--record", "--policy-ref", "--sarif-category", "--evaluate"):
        assert option in text


def test_checks_reference_prints_what_mlgov_explain_prints(site: Path):
    page = (site / "reference/checks/index.html").read_text("utf-8")
    registry = checks.registry()
    assert len(registry) >= 40
    for check_id in registry:
        start = page.index(f'id="{check_id}"')
        pre = page.index("<pre", start)
        block = page[page.index("<code>", pre):page.index("</code>", pre)]
        printed = CliRunner().invoke(main, ["explain", check_id]).output.rstrip("\n")
        assert html.unescape(re.sub(r"<[^>]+>", "", block)).rstrip("\n") == printed, check_id


def test_policy_reference_has_every_key_with_default_and_direction(site: Path):
    schema = json.loads((REPO_ROOT / "mlgov_checks/schemas/policy.schema.json").read_text("utf-8"))
    text = text_of(site / "reference/policy/index.html")
    keys = schema_keys(schema)
    assert {"approval.forbid_reviewer", "metrics.thresholds.NAME.min", "waivers[].expires"} <= set(keys)
    for key in keys:
        assert re.search(rf"^{re.escape(key)}$", text, re.M), key
    row = text[text.index("\napproval.min_approvals\n"):][:200]
    assert "integer" in row and "1" in row and "a higher value" in row


PROBE_FAMILY = '''
from mlgov_checks.checks._base import Check
SUBJECT = "run"
CHECKS = (Check("docsprobe-added", "A check registered at run time", EXPLANATION),)
def evaluate(subject, ctx):
    return []
'''

DRIVER = """
import click
from mlgov_checks import checks
from mlgov_checks.cli.app import main
checks.register("docsprobe", "docsprobe_family", "run")
main.get_command(None, "check").params.append(
    click.Option(["--docs-probe-option"], help="An option the docs test added."))
"""


def probe_checkout(tmp_path: Path, explanation: str) -> Path:
    root = copy_checkout(tmp_path / "checkout")
    (root / "docsprobe_family.py").write_text(f"EXPLANATION = {explanation!r}\n" + PROBE_FAMILY, "utf-8")
    schema_file = root / "mlgov_checks/schemas/policy.schema.json"
    schema = json.loads(schema_file.read_text("utf-8"))
    schema["properties"]["card"]["properties"]["docs_probe_key"] = {
        "x-mlgov-stricter": "higher", "type": "integer", "description": "A key the docs test added."}
    schema_file.write_text(json.dumps(schema), "utf-8")
    return root


def test_generated_pages_follow_a_new_check_option_and_policy_key(tmp_path: Path):
    root = probe_checkout(tmp_path, "Explained by the docs test, line one.\nLine two.")
    result = build(root, tmp_path / "site", driver=DRIVER)
    assert result.returncode == 0, result.stdout + result.stderr
    checks_text = text_of(tmp_path / "site/reference/checks/index.html")
    assert "docsprobe-added: A check registered at run time\n\nExplained by the docs test, line one.\nLine two." \
        in checks_text
    assert "--docs-probe-option" in text_of(tmp_path / "site/reference/cli/index.html")
    policy_text = text_of(tmp_path / "site/reference/policy/index.html")
    row = policy_text[policy_text.index("\ncard.docs_probe_key\n"):][:200]
    assert "integer" in row and "a higher value" in row and "A key the docs test added" in row


def test_a_check_without_an_explanation_fails_the_build(tmp_path: Path):
    root = probe_checkout(tmp_path, "")
    result = build(root, tmp_path / "site", driver=DRIVER)
    assert result.returncode != 0
    assert "docsprobe-added" in result.stderr and "no explanation" in result.stderr


@pytest.mark.parametrize("damage, expected", [
    ("broken-link", "does not contain an anchor"),
    ("missing-page", "not included in the \"nav\" configuration"),
    ("orphan-page", "not included in the \"nav\" configuration"),
    ("hand-kept-reference", "is generated at build time"),
])
def test_the_strict_build_fails_on(tmp_path: Path, damage: str, expected: str):
    root = copy_checkout(tmp_path / "checkout")
    docs = root / "docs"
    if damage == "broken-link":
        page = docs / "getting-started.md"
        page.write_text(page.read_text("utf-8") + "\nSee [the policy](policy.md#no-such-section).\n", "utf-8")
    elif damage == "missing-page":
        config = root / "mkdocs.yml"
        config.write_text(config.read_text("utf-8").replace("  - Deployment: deployment.md\n", ""), "utf-8")
    elif damage == "orphan-page":
        (docs / "orphan.md").write_text("# A page nobody can reach\n", "utf-8")
    else:
        (docs / "reference").mkdir(exist_ok=True)
        (docs / "reference/checks.md").write_text("# Checks reference\n\n(copied once, then stale)\n", "utf-8")
    result = build(root, tmp_path / "site")
    assert result.returncode != 0
    assert expected in result.stdout + result.stderr
