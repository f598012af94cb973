"""The model-card corpus (tests/data/cards/corpus*/) and how a report on one of its cards is judged.

Each corpus directory holds cards laid out at their own relative paths and a SOURCES.yaml that
says, as a human reviewer reads each card, which canonical fields it carries and which it lacks.
The judgement goes through the real CLI (`python -m mlgov_checks card --format json`) and looks
only at the JSON report, never at reader internals.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import CARDS, REPO_ROOT, git, tool_missing

DEV = CARDS / "corpus"
HOLDOUT = CARDS / "corpus_holdout"

FIELDS = ("purpose", "input_schema", "output_schema", "training_data", "performance_metrics", "limitations")
# The checks whose failing findings say that a field is absent, empty or not filled in.
MISSING_CHECKS = frozenset({"card-required-field", "card-placeholder"})
NATIVE_FORMATS = frozenset({"native-yaml", "native-json"})
# Formats whose fields are top-level keys read by name: "add `training_data:`" is their own advice.
KEYED_FORMATS = NATIVE_FORMATS | {"team-yaml", "team-json"}
# The keys of the Hub's model metadata: the only keys a README or a Hub metadata file is told to add.
HUB_METADATA_KEYS = frozenset({"datasets", "model-index", "license", "license_name", "license_link", "base_model",
                               "base_model_relation", "pipeline_tag", "library_name", "language", "tags",
                               "metrics"})


@dataclass(frozen=True)
class Card:
    path: str
    format: str
    carries: dict[str, str]
    lacks: tuple[str, ...]
    expect_exit: int
    expect_fail_quotes: tuple[str, ...]
    expect_metrics: dict[str, float] | None = None  # `slice/name` -> value, as --show-canonical reads them


def sources(root: Path) -> dict[str, Any]:
    data = yaml.safe_load((root / "SOURCES.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def cards(root: Path) -> list[Card]:
    return [Card(path=c["path"], format=c["format"], carries=dict(c.get("carries") or {}),
                 lacks=tuple(c.get("lacks") or ()), expect_exit=c["expect_exit"],
                 expect_fail_quotes=tuple(c.get("expect_fail_quotes") or ()), expect_metrics=c.get("expect_metrics"))
            for c in sources(root)["cards"]]


def non_cards(root: Path) -> list[str]:
    return [c["path"] for c in sources(root).get("non_cards") or ()]


def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO_ROOT), "NO_COLOR": "1", **(extra or {})}


def mlgov(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`mlgov ARGS...` as a user runs it, from this checkout."""
    return subprocess.run([sys.executable, "-m", "mlgov_checks", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120, env=_env())


def run_card(cwd: Path, *paths: str) -> subprocess.CompletedProcess[str]:
    """`mlgov card --format json PATH...`."""
    return mlgov(cwd, "card", "--format", "json", *paths)


def names_field(finding: dict[str, Any], field: str) -> bool:
    """Does the finding name this canonical field (see the corpus' STATUS contract)?"""
    if finding.get("field") == field:
        return True
    message = finding.get("message") or ""
    return f"'{field}'" in message or re.match(rf"{field}(?![\w.])", message) is not None


def claimed_missing(findings: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """canonical field -> the failing findings that say it is missing, empty or a placeholder."""
    out: dict[str, list[dict[str, Any]]] = {}
    for f in findings:
        if f["status"] == "fail" and f["check"] in MISSING_CHECKS:
            for field in FIELDS:
                if names_field(f, field):
                    out.setdefault(field, []).append(f)
    return out


def _brief(f: dict[str, Any]) -> str:
    return f"{f['check']} {f.get('line')}:{f.get('column')} {f.get('message')!r} (hint {f.get('hint')!r})"


def judge(root: Path, card: Card) -> list[str]:
    """Every way the report on this card departs from what SOURCES says; empty when it is right."""
    proc = run_card(root, card.path)
    problems: list[str] = []
    if "Traceback" in proc.stderr or proc.returncode not in (0, 1):
        return [f"exit {proc.returncode}, stderr: {proc.stderr[-2000:]}"]
    try:
        report = json.loads(proc.stdout)
    except ValueError:
        return [f"stdout is not a JSON report: {proc.stdout[:500]!r}"]
    findings = report["findings"]
    failing = [f for f in findings if f["status"] == "fail"]
    if proc.returncode != card.expect_exit:
        problems.append(f"exit {proc.returncode}, SOURCES expects {card.expect_exit}; failing: "
                        + "; ".join(_brief(f) for f in failing))
    if card.expect_exit == 0 and report["status"] != "pass":
        problems.append(f"status {report['status']!r} on a card that carries every field")
    claimed = claimed_missing(findings)
    for field, fs in claimed.items():
        if field not in card.lacks:
            where = (f"the card carries it at {card.carries[field]}" if field in card.carries else
                     f"a {card.format} card is not refused for lacking it by default")
            problems.append(f"false positive: {field} claimed missing but {where}: "
                            + "; ".join(_brief(f) for f in fs))
    for field in card.lacks:
        if field not in claimed:
            problems.append(f"false pass: the card lacks {field} and no failing finding names it")
    nlines = len((root / card.path).read_text(encoding="utf-8").splitlines())
    for f in failing:
        if f["check"] == "card-syntax":
            problems.append(f"card-syntax on a valid file: {_brief(f)}")
        line, column = f.get("line"), f.get("column")
        if not line or not column or not 1 <= line <= nlines:
            problems.append(f"finding without a position inside the file ({nlines} lines): {_brief(f)}")
        if card.format not in KEYED_FORMATS:
            for field in FIELDS:
                native_hint = f"add `{field}:` to the card"
                if native_hint in (f.get("hint") or "") or native_hint in (f.get("message") or ""):
                    problems.append(f"native-format advice on a {card.format} card: {_brief(f)}")
    problems.extend(_wording(card, findings))
    if card.expect_metrics is not None:
        problems.extend(_metrics_read(root, card, card.expect_metrics))
    for quote in card.expect_fail_quotes:
        if not any(quote in (f.get("message") or "") for f in failing):
            problems.append(f"no failing finding quotes {quote!r}: " + "; ".join(_brief(f) for f in failing))
    return problems


def _metrics_read(root: Path, card: Card, expected: dict[str, float]) -> list[str]:
    """The values `mlgov card --show-canonical` read are the ones the card states, no more, no fewer."""
    proc = mlgov(root, "card", "--show-canonical", card.path)
    read = json.loads(proc.stdout)["fields"]["performance_metrics"] or []
    got = sorted((f"{m['slice']}/{m['name']}" if m.get("slice") else m["name"], m["value"]) for m in read)
    want = sorted(expected.items())
    return [] if got == want else [f"metrics read {got}, the card states {want}"]


def _wording(card: Card, findings: list[dict[str, Any]]) -> list[str]:
    """A Hugging Face card is told to add only keys the Hub's metadata has."""
    problems: list[str] = []
    for f in findings:
        text = f"{f.get('message') or ''} {f.get('hint') or ''}"
        if card.format.startswith("huggingface") and f["status"] == "fail":
            for key in re.findall(r"add `([^`\[]+?)(?:\[[^`]*)?:?`", text):
                if key not in HUB_METADATA_KEYS:
                    problems.append(f"a {card.format} card is told to add `{key}`, which the Hub's metadata "
                                    f"does not have: {_brief(f)}")
    return problems


def lay_out(root: Path, repo: Path) -> None:
    """Copy the corpus into a git repository at the cards' own paths (SOURCES.yaml stays out)."""
    shutil.copytree(root, repo, dirs_exist_ok=True, ignore=shutil.ignore_patterns("SOURCES.yaml"))
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "models and their cards")


def discovered(repo: Path) -> tuple[int, list[str], str]:
    """`mlgov card` with no PATH in the repository: exit code, targets, stderr."""
    proc = run_card(repo)
    targets = json.loads(proc.stdout)["targets"] if proc.stdout.strip().startswith("{") else []
    return proc.returncode, sorted(targets), proc.stderr


SUMMARY = re.compile(r"mlgov card: .*? — (\d+) targets?;")


def try_repo_hook(repo: Path, home: Path) -> subprocess.CompletedProcess[str]:
    """The real `pre-commit try-repo` run of the mlgov-card hook over every file of the repository."""
    return subprocess.run(
        ["pre-commit", "try-repo", str(REPO_ROOT), "mlgov-card", "--all-files", "--verbose", "--color", "never"],
        cwd=repo, capture_output=True, text=True, timeout=900, env=_env({"PRE_COMMIT_HOME": str(home)}),
    )


# ---------------------------------------------------------------- what both corpus modules assert

def assert_listed(root: Path, at_least: int) -> None:
    """SOURCES.yaml lists every file of the corpus directory, and nothing else."""
    listed = {c.path for c in cards(root)} | set(non_cards(root))
    on_disk = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()} - {"SOURCES.yaml"}
    assert listed == on_disk
    assert len(cards(root)) >= at_least


def assert_every_finding_says_how_the_card_was_read(root: Path) -> None:
    """Every finding, passing or failing, on every card not in the native YAML format names the format."""
    foreign = [c for c in cards(root) if c.format != "native-yaml"]
    proc = run_card(root, *(c.path for c in foreign))
    assert "Traceback" not in proc.stderr and proc.returncode == 1, proc.stderr
    findings = json.loads(proc.stdout)["findings"]
    assert {f["target"] for f in findings} == {c.path for c in foreign}
    unnamed = [f"{f['target']}: {_brief(f)}" for f in findings if "read as " not in (f.get("message") or "")]
    assert unnamed == [], "\n".join(unnamed)


def assert_judged_right(root: Path, card: Card) -> None:
    problems = judge(root, card)
    assert not problems, f"{card.path} ({card.format}):\n  " + "\n  ".join(problems)


def corpus_repo(root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The corpus laid out at its own paths in a new git repository."""
    repo = tmp_path_factory.mktemp("corpus") / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    lay_out(root, repo)
    return repo


def assert_discovered(root: Path, repo: Path) -> None:
    """`mlgov card` with no PATH finds every card of the corpus and no other README."""
    code, targets, stderr = discovered(repo)
    assert "Traceback" not in stderr and code == 1, stderr  # the corpus holds cards that lack fields
    assert targets == sorted(c.path for c in cards(root))


def assert_hook_checks_every_card(root: Path, repo: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    """The real pre-commit hook checks every card of the corpus and takes no other README for one."""
    if shutil.which("pre-commit") is None:
        tool_missing("pre-commit is not installed")
    listed = cards(root)
    hook = next(h for h in yaml.safe_load((REPO_ROOT / ".pre-commit-hooks.yaml").read_text())
                if h["id"] == "mlgov-card")
    pattern = re.compile(hook["files"])
    assert [c.path for c in listed if not pattern.search(c.path)] == []
    # one hook environment for both corpus modules: pre-commit installs it once
    home = tmp_path_factory.getbasetemp() / "pre-commit-home-corpus"
    proc = try_repo_hook(repo, home)
    out = proc.stdout + proc.stderr
    assert "Traceback" not in out, out
    assert proc.returncode == 1, out  # the corpus holds cards that lack fields
    assert sum(int(n) for n in SUMMARY.findall(out)) == len(listed), out
    for path in non_cards(root):  # neither a target nor the subject of a finding
        assert not re.search(rf"(?m)^(== )?{re.escape(path)}(:|$)", out), f"{path} was taken for a card:\n{out}"


class CorpusTests:
    """The tests of a corpus module: it subclasses this with its corpus directory (`root`), the least
    number of cards it holds, and the held-out cards still judged wrongly (`open_cases`, path -> what
    goes wrong), which are left out of the per-card judgement until fixed."""

    root: Path
    at_least: int
    open_cases: dict[str, str] = {}

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        if "card" in metafunc.fixturenames:
            judged = [c for c in cards(self.root) if c.path not in self.open_cases]
            metafunc.parametrize("card", judged, ids=[c.path for c in judged])

    @pytest.fixture(scope="class")
    @staticmethod
    def corpus_repo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
        return corpus_repo(request.cls.root, tmp_path_factory)

    def test_the_corpus_is_what_sources_says(self) -> None:
        assert_listed(self.root, self.at_least)

    def test_open_cases_are_cards_of_the_corpus(self) -> None:
        assert set(self.open_cases) <= {c.path for c in cards(self.root)}

    def test_card_is_judged_as_a_reviewer_reads_it(self, card: Card) -> None:
        assert_judged_right(self.root, card)

    def test_every_finding_on_a_card_in_another_format_says_how_it_was_read(self) -> None:
        assert_every_finding_says_how_the_card_was_read(self.root)

    def test_card_with_no_path_finds_every_card_and_no_other_readme(self, corpus_repo: Path) -> None:
        assert_discovered(self.root, corpus_repo)

    def test_the_pre_commit_hook_checks_every_card_and_no_other_readme(
            self, corpus_repo: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
        assert_hook_checks_every_card(self.root, corpus_repo, tmp_path_factory)
