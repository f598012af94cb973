"""Nothing prints around the masked writer: the package's source has no other way to stdout, stderr or a file."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from mlgov_checks.reports.findings import emit

PACKAGE = Path(__file__).resolve().parent.parent / "mlgov_checks"
WRITER = PACKAGE / "reports" / "findings" / "emit.py"
# Calls that write to the terminal, by their dotted name.
TERMINAL = {"print", "click.echo", "click.secho", "click.echo_via_pager", "sys.stdout.write", "sys.stderr.write",
            "sys.stdout.buffer.write", "sys.stderr.buffer.write", "sys.stdout.writelines",
            "sys.stderr.writelines", "sys.__stdout__.write", "sys.__stderr__.write", "traceback.print_exc",
            "traceback.print_exception", "traceback.print_tb", "traceback.print_stack", "os.write", "pprint.pprint"}
# File writes that carry no user-derived text, each with its reason.
FILE_WRITES = {
    ("cli/card_commands.py", "fh.write"): "`mlgov init` copies the package's own templates",
    ("integrations/training.py", "fh.write"): "the card's own bytes, copied once to a private directory to be "
                                              "checked and logged",
    ("evidence/sshsig.py", "fh.write"): "ssh-keygen's inputs (signers, signature) in a private temporary directory",
    ("backend/model_files.py", "fh.write"): "a model's own bytes, copied for `mlgov sign` into a temporary directory",
    ("evidence/modelsig.py", "sig_file.write_bytes"): "the signature bundle for model-signing, in a temp directory",
    ("evidence/modelsig.py", "path.write_bytes"): "the policy's public keys for model-signing, in a temp directory",
}


def dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{dotted(node.value)}.{node.attr}"
    return "?"


def writes(path: Path) -> list[tuple[int, str]]:
    """(line, dotted name) of every call in `path` that writes to the terminal or a file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = dotted(node.func)
        last = name.rsplit(".", 1)[-1]
        if name in TERMINAL or last in ("write", "writelines", "write_text", "write_bytes", "dump", "savefig"):
            found.append((node.lineno, name))
    return found


def package_files() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if p != WRITER)


@pytest.mark.parametrize("path", package_files(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_writes_around_the_masked_writer(path):
    rel = str(path.relative_to(PACKAGE))
    allowed = {name for (module, name) in FILE_WRITES if module == rel}
    offending = [(line, name) for line, name in writes(path)
                 if name not in allowed and not (rel == "reports/pages/charts.py" and name == "fig.savefig")]
    assert offending == [], f"{rel} writes around reports/findings/emit.py (use emit.say / emit.deliver): {offending}"


def test_the_scan_finds_what_it_looks_for(tmp_path):
    """The scan is not vacuous: each way of printing is caught."""
    sample = tmp_path / "sample.py"
    sample.write_text("import click, sys, traceback\nprint('x')\nclick.echo('x')\nsys.stderr.write('x')\n"
                      "traceback.print_exc()\nopen('f', 'w').write('x')\n", encoding="utf-8")
    assert [name for _, name in writes(sample)] == ["print", "click.echo", "sys.stderr.write",
                                                    "traceback.print_exc", "?.write"]

def test_say_masks_plain_lines(capsys, monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", "Pl4nted-pw")
    emit.say("moved models:/m/1 (from postgresql://etl:Pl4nted-db@db/x) as Pl4nted-pw")
    emit.say("token=Pl4nted-tok", err=True)
    out, err = capsys.readouterr()
    assert out == "moved models:/m/1 (from postgresql://***@db/x) as ***\n"
    assert err == "token=***\n"


def test_masked_data_is_masked_before_serialising():
    data = {"params": {"db": 'postgresql://etl:"quoted"Pl4nted@db/x'}, "list": ["Bearer Pl4ntedBearerToken"], "n": 3}
    assert emit.masked(data) == {"params": {"db": "postgresql://***@db/x"}, "list": ["Bearer ***"], "n": 3}
