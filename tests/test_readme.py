"""The README's and the documentation's examples are real: every `mlgov` command they show exists
with the options it uses, their policies validate, their links lead somewhere, and CI runs the
README's test command. (The two set-up commands themselves run from a clean clone in
tests/integration/test_fresh_machine.py.)"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import yaml

import mlgov_checks
from mlgov_checks.cli.app import main
from mlgov_checks.policy.load import load_policy
from tests.conftest import REPO_ROOT

README = (REPO_ROOT / "README.md").read_text("utf-8")
TEST_COMMAND = "bash scripts/test.sh"
DEMO_COMMAND = "bash examples/demo/run.sh"
SNIPPET = re.compile(r'^--8<-- "([^"]+)"$', re.M)


def expanded(path: Path) -> str:
    """A page's Markdown with its `--8<--` includes (pymdownx.snippets) put in."""
    return SNIPPET.sub(lambda m: (REPO_ROOT / m.group(1)).read_text("utf-8"), path.read_text("utf-8"))


PAGES = {"README.md": README} | {
    str(p.relative_to(REPO_ROOT)): expanded(p) for p in sorted((REPO_ROOT / "docs").glob("*.md"))}


def code_blocks(text: str, languages: str = r"[a-z]*") -> list[str]:
    return re.findall(rf"^```(?:{languages})\n(.*?)^```", text, re.S | re.M)


# `mlgov ...` at the start of a shell line, a YAML list item (`- mlgov ...`), or a Jenkins `sh '...'`.
COMMAND_LINE = re.compile(r"""^\s*(?:-\s+|sh\s+['"]|\$\s+)?(?:[A-Z_]+=\S+\s+)*mlgov\s+(.*)$""", re.M)


def shown_commands() -> list[tuple[str, str]]:
    """(page, argument string) of every mlgov command line in a code block, continuations joined."""
    found = []
    for page, text in PAGES.items():
        for block in code_blocks(text, "bash|sh|yaml|groovy"):
            block = re.sub(r"\\\n\s*", " ", block)
            for match in COMMAND_LINE.finditer(block):
                found.append((page, match.group(1).rstrip().rstrip("'\"")))
    return found


def resolve(args: list[str]) -> tuple[click.Command, list[str]]:
    """The (sub-)command the words name, and the words after it."""
    command: click.Command = main
    rest = list(args)
    while isinstance(command, click.Group) and rest and not rest[0].startswith("-"):
        sub = command.get_command(click.Context(command), rest[0])
        assert sub is not None, f"no such command: mlgov ... {rest[0]}"
        command, rest = sub, rest[1:]
    return command, rest


def option_names(command: click.Command) -> set[str]:
    names = {"--help", "-h"}
    for param in command.params:
        if isinstance(param, click.Option):
            names |= set(param.opts) | set(param.secondary_opts)
    return names


def test_the_readme_is_short_and_shows_the_two_commands():
    assert len(README.splitlines()) <= 210
    assert DEMO_COMMAND in README and TEST_COMMAND in README


def test_every_mlgov_command_shown_exists_with_its_options():
    shown = shown_commands()
    used = {resolve(shlex.split(args, comments=True))[0].name for _, args in shown}
    assert {"card", "check", "approve", "promote", "audit", "inventory", "explain"} <= used
    for page, args in shown:
        words = shlex.split(args, comments=True)
        command, rest = resolve(words)
        assert command is not main, f"{page}: mlgov {args}"
        assert help_exit_code(command) == 0
        for word in rest:
            if word.startswith("-") and word != "-":
                assert word.split("=")[0] in option_names(command) | option_names(main), \
                    f"{page}: `mlgov {args}`: {command.name} has no option {word}"


def help_exit_code(command: click.Command) -> int:
    from click.testing import CliRunner

    return CliRunner().invoke(command, ["--help"]).exit_code


def test_every_command_named_in_the_text_exists():
    for page, text in PAGES.items():
        for name in set(re.findall(r"`mlgov ([a-z][a-z-]*)", text)):
            assert main.get_command(click.Context(main), name) is not None, f"{page}: mlgov {name}"


def test_every_policy_shown_validates(tmp_path: Path):
    policies = [(page, block) for page, text in PAGES.items() for block in code_blocks(text, "yaml")
                if re.search(r"^(version: 1|waivers:)", block, re.M)]
    assert len([page for page, _ in policies if page == "docs/policy.md"]) >= 2
    loaded = []
    for n, (page, block) in enumerate(policies):
        path = tmp_path / f"{n}.mlgov.yaml"
        path.write_text(block, "utf-8")
        loaded.append(load_policy(str(path)))  # read as mlgov reads a policy file (exit 2 if invalid)
    assert loaded[0].section("approval")["min_approvals"] == 2


def test_every_yaml_example_parses_and_names_real_hooks():
    hooks = {h["id"] for h in yaml.safe_load((REPO_ROOT / ".pre-commit-hooks.yaml").read_text("utf-8"))}
    for page, text in PAGES.items():
        for block in code_blocks(text, "yaml"):
            data = yaml.safe_load(block)
            if isinstance(data, dict) and "repos" in data:
                assert {h["id"] for repo in data["repos"] for h in repo["hooks"]} <= hooks, page


def test_the_training_helpers_shown_exist():
    for page, text in PAGES.items():
        for block in code_blocks(text, "python"):
            for name in re.findall(r"mlgov_checks\.([a-z_]+)\(", block):
                assert callable(getattr(mlgov_checks, name)), f"{page}: mlgov_checks.{name}"


def test_every_link_of_the_readme_leads_to_a_file():
    # (the pages' own links are checked by the strict build: tests/test_docs.py)
    targets = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", README)
    assert len([t for t in targets if t.startswith("docs/")]) >= 10
    for target in targets:
        if "://" not in target:
            assert (REPO_ROOT / target).exists(), target


def test_ci_runs_the_readme_test_command():
    run = (REPO_ROOT / ".ci" / "run").read_text("utf-8")
    assert re.search(rf"^{re.escape(TEST_COMMAND)}$", run, re.M)
    assert "bash scripts/install-test-deps.sh" in (REPO_ROOT / "scripts" / "test.sh").read_text("utf-8")
