"""Values as teams write them: numbers, quoted numbers, percentages, `0.84 ± 0.02`; texts from lists and maps."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

_NUM = r"[-+]?(?:\d+(?:[.,]\d+)?|\.\d+)(?:[eE][-+]?\d+)?"
_NUMBER = re.compile(
    rf"^\(?\s*(?P<num>{_NUM})\s*(?P<pct>%)?\s*"
    rf"(?:\(?\s*(?:±|\+/-|\+-|\+−)\s*(?P<unc>{_NUM})\s*(?P<upct>%)?\s*\)?)?\s*\)?\s*(?P<pct2>%)?$")

# Tokens of metric names (compared on the name split at non-alphanumerics, lowercased).
METRIC_TOKENS = frozenset({
    "accuracy", "acc", "precision", "recall", "f1", "f1score", "fscore", "f2", "auc", "roc", "rocauc", "auroc",
    "auprc", "prauc", "ap", "map", "mape", "smape", "mae", "mse", "rmse", "rmsle", "r2", "loss", "logloss",
    "bleu", "rouge", "rouge1", "rouge2", "rougel", "rougelsum", "wer", "cer", "perplexity", "ppl", "em",
    "exact", "exactmatch", "iou", "miou", "dice", "brier", "ndcg", "mrr", "hitrate", "specificity",
    "sensitivity", "kappa", "mcc", "top1", "top5", "error", "errorrate", "fpr", "tpr", "fnr", "tnr", "ece",
    "spearman", "pearson", "bertscore", "meteor", "chrf", "ter", "gini", "ks", "lift", "sacrebleu",
    "matthews", "balanced", "jaccard", "hamming", "rsquared", "mcrmse", "psnr", "ssim", "fid", "wape",
    "mase", "crps", "coverage", "latency", "throughput", "micro", "macro", "weighted", "eer", "uar",
    "fbeta", "fbetascore", "f05", "f05score", "f2score",
})


@dataclass(frozen=True, slots=True)
class Number:
    value: float
    uncertainty: float | None = None
    percent: bool = False


def parse_number(v: Any) -> Number | None:
    """A metric value as written: 0.93, "0.93", "93.4%" (0.934), "0.84 ± 0.02", "0.84 +/- 0.02"."""
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        try:
            f = float(v)
        except OverflowError:
            return None
        return Number(f) if math.isfinite(f) else None
    if not isinstance(v, str) or len(v) > 80:
        return None
    m = _NUMBER.match(v.strip())
    if m is None:
        return None
    pct = bool(m["pct"] or m["pct2"])
    value = _float(m["num"])
    unc = _float(m["unc"]) if m["unc"] else None
    if value is None:
        return None
    if pct:
        value /= 100
        if unc is not None and (m["upct"] or m["pct2"] or m["pct"]):
            unc /= 100
    return Number(value, unc, pct)


def _float(text: str) -> float | None:
    if "," in text and "." not in text:
        text = text.replace(",", ".")  # 0,93 (a decimal comma)
    try:
        f = float(text.replace(",", ""))
    except ValueError:
        return None
    return f if math.isfinite(f) else None


def tokens(name: str) -> list[str]:
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", name)
    return [t for t in re.split(r"[^a-z0-9@]+", spaced.lower()) if t]


def looks_like_metric(name: str) -> bool:
    """`test_accuracy`, `F1-score`, `rougeL`, `AUC`: a name that is a measured quantity."""
    parts = tokens(name)
    joined = "".join(parts)
    return any(t in METRIC_TOKENS or t.rstrip("0123456789") in METRIC_TOKENS for t in parts) or (
        joined in METRIC_TOKENS) or any(k in joined for k in ("accuracy", "precision", "recall", "f1score"))


def texts(value: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """(path, text) of every non-empty text leaf: a string, list items, mapping values (category -> list)."""
    stack: list[tuple[tuple[str | int, ...], Any]] = [(path, value)]
    while stack:
        p, v = stack.pop()
        if isinstance(v, str):
            if v.strip():
                yield p, v.strip()
        elif isinstance(v, dict):
            stack.extend(((*p, str(k)), x) for k, x in reversed(list(v.items())))
        elif isinstance(v, list):
            stack.extend(((*p, i), x) for i, x in reversed(list(enumerate(v))))
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            yield p, str(v)


def is_blank(value: Any) -> bool:
    """Nothing written: null, empty text, or lists and mappings holding only those."""
    return not any(True for _ in texts(value))
