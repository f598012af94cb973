"""The card hook stays light: a native card loads no other format's reader; `explain` prints every mapping."""

from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

from mlgov_checks.cards import READERS
from mlgov_checks.cli.app import main
from tests.conftest import CARDS, REPO_ROOT

PROBE = ("import sys; from mlgov_checks.cli.entry import main\n"
         "try:\n    main(['card', {path!r}])\nexcept SystemExit:\n    pass\n"
         "print(sorted(m for m in sys.modules if m.startswith('mlgov_checks.cards.')))")


def loaded(path: str) -> list[str]:
    proc = subprocess.run([sys.executable, "-c", PROBE.format(path=path)], capture_output=True, text=True,
                          cwd=REPO_ROOT, env={"PYTHONPATH": str(REPO_ROOT), "PATH": ""}, timeout=60)
    return eval(proc.stdout.strip().splitlines()[-1])  # noqa: S307 - our own probe's printed list


def test_a_native_card_loads_no_foreign_reader():
    mods = loaded(str(CARDS / "ok_template.yaml"))
    for foreign in ("huggingface", "mct", "mitchell", "keyed", "markdown", "metric_reader"):
        assert f"mlgov_checks.cards.{foreign}" not in mods, mods


def test_a_readme_loads_its_reader_and_not_the_json_ones(tmp_path):
    card = tmp_path / "README.md"
    card.write_text("---\nlicense: mit\n---\n# x\n", encoding="utf-8")
    mods = loaded(str(card))
    assert "mlgov_checks.cards.huggingface" in mods and "mlgov_checks.cards.mct" not in mods


def test_explain_card_format_prints_every_formats_mapping():
    out = CliRunner().invoke(main, ["explain", "card-format"]).output
    for name in READERS:
        assert f"Format `{name}`:" in out
    assert "model-index[].results[].metrics[]" in out and "considerations.limitations[]" in out
