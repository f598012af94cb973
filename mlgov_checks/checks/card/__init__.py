"""Model card checks: a `model_card.yaml` is well-formed, complete, typed and free of placeholders."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from mlgov_checks.checks._base import Check, Context
from mlgov_checks.checks.card import placeholders
from mlgov_checks.checks.card import schemas as card_schemas
from mlgov_checks.checks.card.ids import (  # noqa: F401 - the family's checks, re-exported
    CARD_METRICS,
    CARD_VALID,
    DUPLICATE,
    ENCODING,
    EXTRA,
    FORMAT,
    METADATA,
    PLACEHOLDER,
    PROBLEM_CHECK,
    READABLE,
    REQUIRED,
    ROOT,
    SIGNATURE,
    SIZE,
    STRUCTURE,
    SYNTAX,
    TAG,
    TYPE,
    YAML11,
    schema_text,
)
from mlgov_checks.checks.card.ids import (
    CHECKS as CHECKS,
)
from mlgov_checks.checks.card.jsonschema_notation import describe as _kind
from mlgov_checks.checks.card.jsonschema_notation import dotted as _dotted
from mlgov_checks.checks.card.native_metrics import check_metrics, percent_note
from mlgov_checks.findings import Finding
from mlgov_checks.policy.load import CARD_FIELDS, Policy
from mlgov_checks.yamlio import loader as yamldoc
from mlgov_checks.yamlio.loader import Document, Mark, Path, ProblemKind

_TEXTUAL_TAGS = {"tag:yaml.org,2002:bool", "tag:yaml.org,2002:float", "tag:yaml.org,2002:int",
                 "tag:yaml.org,2002:null", "tag:yaml.org,2002:timestamp"}


class _Ctx:
    """Per-document state: where to point findings and which checks failed."""

    def __init__(self, doc: Document, target: str, policy: Policy) -> None:
        self.doc = doc
        self.target = target
        conf = policy.section("card")
        self.placeholders = {str(p).strip().lower() for p in conf["placeholders"]}
        self.failed: set[str] = set()
        self.findings: list[Finding] = []
        self.notes: list[str] = []  # percentages read as fractions

    def fail(self, check: Check, message: str, mark: Mark, hint: str | None = None) -> None:
        self.failed.add(check.id)
        self.findings.append(check.failed(self.target, message, file=self.doc.path, line=mark.line,
                                          column=mark.column, hint=hint))

    def at(self, path: Path) -> Mark:
        return self.doc.mark_of(path)


def _is_empty(v: Any) -> bool:
    return v is None or (isinstance(v, (str, list, dict)) and not (v.strip() if isinstance(v, str) else v))


def _yaml11_text(ctx: _Ctx, path: Path, value: Any) -> bool:
    """A plain scalar where text is expected that YAML 1.1 resolved to a non-string."""
    plain = ctx.doc.plain.get(path)
    if plain is None or isinstance(value, str) or plain.tag not in _TEXTUAL_TAGS:
        return False
    kind = plain.tag.rsplit(":", 1)[-1]
    shown = "null" if value is None else repr(value)
    ctx.fail(YAML11, f"{_dotted(path)}: `{plain.text}` is read by YAML as {kind} {shown}, not text",
             ctx.at(path), hint=f"quote it: '{plain.text}'")
    return True


def _expect_text(ctx: _Ctx, path: Path, value: Any, what: str = "text") -> None:
    if isinstance(value, str):
        if not value.strip():
            ctx.fail(TYPE, f"{_dotted(path)} is empty; expected {what}", ctx.at(path))
        return
    if _yaml11_text(ctx, path, value):
        return
    ctx.fail(TYPE, f"{_dotted(path)} must be {what}, got {_kind(value)}", ctx.at(path))


def _check_columns(ctx: _Ctx, name: str, value: Any) -> None:
    for issue in card_schemas.recognise(value, (name,)).issues:
        if issue.text_expected and _yaml11_text(ctx, issue.path, issue.value):
            continue
        empty = (plain := ctx.doc.plain.get(issue.path)) is not None and plain.tag.endswith(":null")
        mark = ctx.doc.key_mark_of(issue.path) if empty else ctx.at(issue.path)  # `age:` with nothing
        ctx.fail(TYPE, issue.message, mark, hint=card_schemas.HINT)


def _check_fields(ctx: _Ctx, data: Mapping[str, Any], required: list[str],
                  hints: Mapping[str, str] | None = None) -> None:
    for name in required:
        if name not in data:
            ctx.fail(REQUIRED, f"required field {name!r} is missing", Mark(1, 1),
                     hint=(hints or {}).get(name, f"add `{name}:` to the card"))
        elif data[name] is None or (isinstance(data[name], (list, dict)) and not data[name]):
            ctx.fail(REQUIRED, f"required field {name!r} is empty", ctx.doc.key_mark_of((name,)))
    if "purpose" in data and data["purpose"] is not None:
        _expect_text(ctx, ("purpose",), data["purpose"])
    for name in ("input_schema", "output_schema"):
        if name in data:
            _check_columns(ctx, name, data[name])
    td = data.get("training_data")
    if td is not None and not isinstance(td, dict):
        _expect_text(ctx, ("training_data",), td, "text or a mapping")
    if "performance_metrics" in data:
        ctx.notes.extend(check_metrics(ctx, data["performance_metrics"]))
    lim = data.get("limitations")
    groups = lim.items() if isinstance(lim, dict) and lim else [((), lim)]  # category -> list of texts
    for key, group in groups:
        base = ("limitations", *((yamldoc.path_key(key),) if key != () else ()))
        if isinstance(group, list):
            for i, item in enumerate(group):
                _expect_text(ctx, (*base, i), item)
        elif group is not None:
            _expect_text(ctx, base, group, "text, a list of texts, or a mapping of category to texts")


def _check_placeholders_and_keys(ctx: _Ctx, data: Any) -> None:
    for path, plain in ctx.doc.plain_keys.items():
        if plain.tag in _TEXTUAL_TAGS:
            ctx.fail(YAML11, f"key `{plain.text}` in {_dotted(path[:-1])} is read by YAML as "
                     f"{plain.tag.rsplit(':', 1)[-1]}, not text", ctx.doc.key_mark_of(path),
                     hint=f"quote the key: '{plain.text}'")
    for path, v in placeholders.found(data, ctx.placeholders):
        shown = v.strip() or "an empty string"
        ctx.fail(PLACEHOLDER, f"{_dotted(path)} is a placeholder ({shown})", ctx.at(path))


def _extra_schema(ctx: _Ctx, data: Any, policy: Policy) -> None:
    from mlgov_checks.checks.card import extra as card_extra

    for epath, message in card_extra.errors(data, policy):
        ctx.fail(EXTRA, f"{_dotted(epath)}: {message}", ctx.at(epath))


def check_document(doc: Document, policy: Policy, *, target: str | None = None,
                   hints: Mapping[str, str] | None = None) -> Iterator[Finding]:
    """All card checks on a parsed native document; a PASS finding for each check that found nothing."""
    ctx = _Ctx(doc, target or doc.path, policy)
    for p in doc.problems:
        where = f"{_dotted(p.path)}: " if p.path and p.kind is ProblemKind.TAG else ""
        ctx.fail(PROBLEM_CHECK[p.kind], where + p.message, p.mark)
    ran: list[Check] = [SYNTAX, ENCODING, SIZE, STRUCTURE]
    if not doc.fatal:
        ran += [DUPLICATE, TAG, ROOT]
        if doc.empty or not isinstance(doc.data, dict):
            what = "empty" if doc.empty else f"{_kind(doc.data)}"
            ctx.fail(ROOT, f"the card must be a mapping of fields, but the document is {what}", Mark(1, 1))
        else:
            required = list(dict.fromkeys([*CARD_FIELDS, *policy.section("card")["required_fields"]]))
            _check_fields(ctx, doc.data, required, hints)
            _check_placeholders_and_keys(ctx, doc.data)
            ran += [REQUIRED, TYPE, PLACEHOLDER, YAML11]
            if policy.section("card").get("extra_schema"):
                _extra_schema(ctx, doc.data, policy)
                ran.append(EXTRA)
    yield from sorted(ctx.findings, key=lambda f: (f.line or 0, f.column or 0))
    for check in ran:
        if check.id not in ctx.failed:
            yield check.passed(ctx.target, "ok" + (percent_note(ctx.notes) if check is TYPE else ""), file=doc.path)


def explain_more(check_id: str) -> str:
    """What `mlgov explain` prints after a check's explanation: every card format's mapping."""
    if check_id != FORMAT.id:
        return ""
    from mlgov_checks.cards import mappings

    return "".join(f"\n\nFormat `{name}`: {text}" for name, text in mappings())


SUBJECT = "card"
DEFAULT = False  # `mlgov card` runs it on files; `mlgov check` through card-artifact-valid


def evaluate(path: str, ctx: Context) -> Iterator[Finding]:
    """Every card check on one card file."""
    return iter(check_file(path, ctx.policy))


def check_file(path: str, policy: Policy, *, display_path: str | None = None) -> list[Finding]:
    """Read and check one card file in its format; a missing or unreadable file is an ERROR finding (exit 3)."""
    from mlgov_checks import cards
    from mlgov_checks.cards import discovery

    shown = display_path or path
    conf = policy.section("card")
    if conf.get("format", "auto") == "auto" and discovery.is_readme(path) and not discovery.readme_is_card(path):
        return [FORMAT.warned(shown, "not a model card: the README has no front matter with model metadata "
                              "(license, datasets, model-index, ...); not checked", file=shown,
                              hint="add the Hugging Face model card metadata, or pin `card.format: huggingface`")]
    try:
        reading = cards.read_file(path, conf, display_path=shown, full=False)
    except OSError as e:
        return [READABLE.errored(shown, f"cannot read card: {e.strerror or e}", file=shown)]
    return list(check_reading(reading, policy, target=shown))


def check_reading(reading: Any, policy: Policy, *, target: str) -> Iterator[Finding]:
    """The card checks for a card read by `cards.read_*`: the native rules, or the canonical card's."""
    card = reading.card
    if reading.strict and reading.document is not None:
        found = check_document(reading.document, policy, target=target, hints=card.hints)
        if card.format == "native":
            yield from found
        else:  # native JSON, or a native card under a root key: say which
            yield from (f.with_message(f"{f.message} (read as {card.label})") for f in found)
    else:
        from mlgov_checks.checks.card.canonical import check_canonical

        yield from check_canonical(card, policy, target=target)
    yield FORMAT.passed(target, f"read as {card.label}", file=card.path)
