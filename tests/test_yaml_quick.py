"""The quick paths of the YAML and JSON loaders give what the exact builder gives, for every file.

Values, problems, marks, key marks, plain scalars, YAML 1.1 keys and emptiness: compared on every
file under tests/data (the card corpus, the hostile corpus, policies, READMEs) and on hand-written
cases for each thing the quick path must leave to the exact builder, under the default limits and
under tight ones.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlgov_checks.yamlio import builder, jsontext, loader, scalars
from mlgov_checks.yamlio.document import Document, LazyDocument

DATA = Path(__file__).parent / "data"
LIMITS = [(64, 100_000), (5, 30), (64, 20)]

CASES = {
    "anchor and alias": "a: 1\nb: &x [1, 2]\nc: *x\n",
    "merge key": "base: &b {a: 1}\nc:\n  <<: *b\n  d: 2\n",
    "duplicate key": "a: 1\nb: 2\na: 3\n",
    "duplicate by value": "1: a\n1.0: b\n",
    "complex key": "? [1, 2]\n: x\n",
    "explicit tag": "a: !!str 1\nb: !custom x\n",
    "non-specific tag": "a: ! 12\nb: !\n  - x\n",
    "second document": "a: 1\n---\nb: 2\n",
    "syntax error": "a: [1, 2\nb: 3\n",
    "error after a clean start": "a: 1\nb: {c: 2}\nd: 'x\n",
    "empty": "",
    "comment only": "# nothing here\n",
    "yaml 1.1 keys": "on: 1\nno: 2\n1.10: x\n~: y\n2024-01-01: z\nnull: w\n",
    "yaml 1.1 values": "a: yes\nb: .nan\nc: .inf\nd: 0x1F\ne: 1_000\nf: 2024-05-01\ng: 1e3\nh: ~\ni: '='\nj: =\n",
    "nested": "a:\n  b:\n    - c: 1\n      d: [x, {e: null}]\n    -\n    - ''\n",
    "deep": "a:" + " [" * 70 + " ]" * 70 + "\n",
    "many nodes": "\n".join(f"k{i}: [{i}, {i}]" for i in range(40)) + "\n",
    "root scalar": "just text\n",
    "root list": "- 1\n- two\n",
    "control character": "a: \"\x07\"\n",
}
JSON_CASES = {
    "object": '{"a": 1, "b": [true, null, {"c": "x"}]}',
    "duplicate key": '{"a": 1, "a": 2}',
    "duplicate by escape": '{"\\u0061": 1, "a": 2}',
    "nan": "[1, NaN]",
    "tab": '{"a":\t1}',
    "not json": "{'a': 1}",
    "two values": '{"k": 1}\n{"k": 2}',
    "surrogate pair": '{"k": "\\ud83d\\ude00"}',
    "long key": '{"' + "k" * 1100 + '": 1}',
    "deep": "[" * 70 + "]" * 70,
    "root string": '"text"',
    "blank": "  ",
    "C1 control": '{"a": "\u0085\u0080"}',
    "DEL": '{"a": "\x7f"}',
    "YAML syntax only": '{"a": 1,\n"b":2}',
}


def _norm(v: Any) -> Any:
    if isinstance(v, float) and math.isnan(v):
        return "nan"
    if isinstance(v, dict):
        return [(_norm(k), _norm(x)) for k, x in v.items()]  # order counts
    if isinstance(v, list):
        return [_norm(x) for x in v]
    return v


def _snapshot(d: Document) -> tuple[Any, ...]:
    return (_norm(d.data), list(d.problems), list(d.marks.items()), list(d.key_marks.items()),
            list(d.plain.items()), list(d.plain_keys.items()), d.empty, d.fatal)


def _texts() -> list[tuple[str, str]]:
    out = []
    for p in sorted(DATA.rglob("*")):
        if p.is_file() and p.suffix in (".yaml", ".yml", ".json", ".md") and p.stat().st_size <= 1024 * 1024:
            text, _ = loader.decode(p.read_bytes(), str(p))
            if text is not None:
                out.append((str(p.relative_to(DATA)), text))
    return out


TEXTS = _texts()


@pytest.mark.parametrize(("depth", "nodes"), LIMITS)
@pytest.mark.parametrize("timestamps", [True, False])
def test_quick_yaml_is_the_exact_builder(depth, nodes, timestamps):
    cases = [*TEXTS, *CASES.items(), *JSON_CASES.items()]
    for name, text in cases:
        exact = builder.build(scalars.events(text), text, name, max_depth=depth, max_nodes=nodes,
                              timestamps=timestamps)
        got = loader.parse_text(text, name, max_depth=depth, max_nodes=nodes, timestamps=timestamps)
        assert _snapshot(got) == _snapshot(exact), name


@pytest.mark.parametrize(("depth", "nodes"), LIMITS)
def test_quick_json_is_the_careful_path(depth, nodes):
    cases = [(n, t) for n, t in TEXTS if n.endswith(".json")] + list(JSON_CASES.items())
    for name, text in cases:
        careful = jsontext._careful(text, name, max_depth=depth, max_nodes=nodes)
        got = jsontext.parse_text(text, name, max_depth=depth, max_nodes=nodes)
        assert _snapshot(got) == _snapshot(careful), name


def test_the_quick_paths_are_taken_for_clean_cards_and_left_for_the_rest(monkeypatch):
    """Not vacuous: clean cards go the quick way; each case the exact builder must see does not."""
    clean = [t for n, t in TEXTS if n.startswith("cards/realistic/")]
    assert clean and all(isinstance(loader.parse_text(t, "c.yaml"), LazyDocument) for t in clean)
    exact_only = ["anchor and alias", "merge key", "duplicate key", "duplicate by value", "complex key",
                  "explicit tag", "second document", "syntax error", "error after a clean start", "deep",
                  "control character"]
    for name in exact_only:
        assert not isinstance(loader.parse_text(CASES[name], name), LazyDocument), name
    assert not isinstance(loader.parse_text(CASES["many nodes"], "n", max_nodes=20), LazyDocument)
    careful: list[str] = []
    real = jsontext._careful
    monkeypatch.setattr(jsontext, "_careful", lambda text, path, **kw: careful.append(path) or real(text, path, **kw))
    for name, text in JSON_CASES.items():
        jsontext.parse_text(text, name, max_depth=64, max_nodes=100_000)
    assert set(careful) == set(JSON_CASES) - {"object", "tab", "surrogate pair", "long key", "root string",
                                              "YAML syntax only"}


def test_a_quick_document_builds_its_marks_once_on_first_read():
    doc = loader.parse_text("a:\n  b: [1, {c: x}]\n", "m.yaml")
    assert isinstance(doc, LazyDocument) and "marks" not in vars(doc)
    assert doc.marks[("a", "b", 1, "c")] == loader.Mark(2, 14)
    assert doc.key_marks[("a", "b")] == loader.Mark(2, 3) and ("a", "b", 0) in doc.plain
    assert doc.marks is doc.marks  # built once, then an ordinary attribute
    with pytest.raises(AttributeError):
        _ = doc.no_such_attribute  # type: ignore[attr-defined]


@pytest.mark.parametrize(("content", "listed", "limit"), [(b"abc", 3, 10), (b"abc", 5, 10), (b"a" * 20, 3, 10),
                                                          (b"a" * 11, 11, 10), (b"", 0, 10), (b"a" * 10, 10, 10)])
def test_read_within_reads_what_reading_to_the_limit_reads(content, listed, limit):
    """Asked for the size listed, even when the file grew or shrank since: the bytes of `read(limit + 1)`."""
    import io

    assert loader.read_within(io.BytesIO(content), listed, limit) == io.BytesIO(content).read(limit + 1)


_YAMLISH = "abcn019 \n\t:-[]{},&*!|>'\"#?%@.~<=yY"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(alphabet=_YAMLISH, max_size=200), depth=st.sampled_from([3, 64]), nodes=st.sampled_from([8, 1000]))
def test_quick_yaml_is_the_exact_builder_on_arbitrary_text(text, depth, nodes):
    exact = builder.build(scalars.events(text), text, "f.yaml", max_depth=depth, max_nodes=nodes, timestamps=True)
    got = loader.parse_text(text, "f.yaml", max_depth=depth, max_nodes=nodes)
    assert _snapshot(got) == _snapshot(exact)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=4), kids, max_size=4),
    max_leaves=20).map(json.dumps))
def test_quick_json_is_the_careful_path_on_arbitrary_json(text):
    careful = jsontext._careful(text, "f.json", max_depth=4, max_nodes=60)
    assert _snapshot(jsontext.parse_text(text, "f.json", max_depth=4, max_nodes=60)) == _snapshot(careful)


def test_with_message_keeps_every_other_field():
    """Built field by field for speed: a field added to Finding must be carried too."""
    from dataclasses import fields, replace

    from mlgov_checks.findings import Finding, Status

    f = Finding("card-syntax", Status.FAIL, "t", "m", file="f", line=3, column=4, hint="h")
    assert f.with_message("other") == replace(f, message="other")
    assert [x.name for x in fields(Finding)] == ["check", "status", "target", "message", "file", "line", "column",
                                                 "hint"], "a new field: carry it in Finding.with_message"
