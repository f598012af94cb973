"""Finding a canonical field under the names teams give it: case, spaces, `_`, `-` and `&` do not matter."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from mlgov_checks.yamlio.loader import Path


def norm(key: Any) -> str:
    """`Caveats & Recommendations`, `caveats_and_recommendations`, `CaveatsAndRecommendations`: one name."""
    return re.sub(r"[^a-z0-9]", "", str(key).lower().replace("&", "and"))


# Names of each canonical field, best first (normalised). A key matches when its normalised form is
# one of these; the shallowest match wins, then the earliest name in the list.
NAMES: dict[str, tuple[str, ...]] = {
    "purpose": ("purpose", "intendeduse", "intendeduses", "intendedpurpose", "primaryintendeduses",
                "primaryintendeduse", "primaryuses", "primaryuse", "primaryusecases", "primaryusecase",
                "intendedusecases", "usecases", "usecase", "uses", "directuse", "use", "intendedapplication",
                "applications", "application", "objective", "goal", "overview", "modeldescription",
                "description", "modelsummary", "summary", "about", "task"),
    "training_data": ("trainingdata", "trainingdataset", "trainingdatasets", "traindata", "traindataset",
                      "trainingset", "trainset", "train", "trainingcorpus", "trainingdatasource", "datasets",
                      "dataset", "datasetsused", "data", "datasource", "datasources", "dataprovenance", "corpus"),
    "performance_metrics": ("performancemetrics", "metrics", "evaluationmetrics", "modelperformance",
                            "performance", "evaluationresults", "results", "quantitativeanalyses",
                            "quantitativeanalysis", "scores", "testmetrics", "testresults", "validationmetrics",
                            "evalresults", "evalmetrics", "benchmarks", "benchmark", "evaluation"),
    "limitations": ("limitations", "limitation", "knownlimitations", "limitationsandbias", "limitationsandbiases",
                    "biasrisksandlimitations", "risksandlimitations", "caveatsandrecommendations",
                    "caveatsandlimitations", "caveats", "knownissues", "knownrisks", "risks", "weaknesses",
                    "failuremodes", "outofscopeusecases", "outofscopeuses", "outofscopeuse", "outofscope",
                    "warnings"),
    "input_schema": ("inputschema", "inputs", "input", "inputformat", "inputfeatures", "inputspec",
                     "modelinput", "inputdata", "features"),
    "output_schema": ("outputschema", "outputs", "output", "outputformat", "outputspec", "modeloutput",
                      "predictions", "prediction"),
}
# Containers a field is never looked for in: evaluation data is not training data, an
# out-of-scope list is not the purpose.
SKIP: dict[str, tuple[str, ...]] = {
    "purpose": ("outofscope", "limitation", "caveat", "risk", "ethic", "metric", "data", "factor", "parameter",
                "quantitative", "evaluation", "owner", "license", "citation", "reference", "version"),
    "training_data": ("eval", "test", "valid", "metric", "quantitative", "limitation", "factor", "intendeduse"),
    "performance_metrics": ("hyperparam", "parameter", "config", "training"),
    "limitations": ("metric", "quantitative", "data"),
    "input_schema": ("metric", "quantitative", "training", "data"),
    "output_schema": ("metric", "quantitative", "training", "data"),
}
# When no key has one of the names above: a key containing one of these (`dataset_source`,
# `primary_use`, `known_risks`), never one containing a word of the field's SKIP list.
PARTS: dict[str, tuple[str, ...]] = {
    "purpose": ("purpose", "intendeduse", "intendedusage", "usecase", "primaryuse", "usage", "objective",
                "description", "overview", "summary"),
    "training_data": ("trainingdata", "traindata", "dataset", "datasource", "trainingset", "trainingcorpus",
                      "trainingsample", "datasplit"),
    "limitations": ("limitation", "caveat", "outofscope", "knownissue", "knownrisk", "weakness", "failuremode"),
    "input_schema": ("inputschema", "inputformat", "inputdata", "input", "features"),
    "output_schema": ("outputschema", "outputformat", "output", "target", "label", "prediction"),
    "performance_metrics": (),
}
MAX_DEPTH = 3
SKIP_METRICS_PART = "param"  # hyperparameters are not measured values


def _skipped(field: str, key: Any) -> bool:
    k = norm(key)
    return any(s in k for s in SKIP.get(field, ()))


def find(data: Any, field: str, *, names: Sequence[str] | None = None) -> tuple[Path, Any] | None:
    """The path and value of `field` in a card's mapping: breadth first, at most three levels down."""
    return next(candidates(data, field, names=names), None)


def candidates(data: Any, field: str, *, names: Sequence[str] | None = None) -> Iterator[tuple[Path, Any]]:
    """Every key naming `field`, best first: the shallowest level first, then the earliest name in
    its list; then (without `names`) the keys containing one of the field's PARTS."""
    seen: set[Path] = set()
    for p, v in _ranked(data, field, names):
        if p not in seen:
            seen.add(p)
            yield p, v


def _ranked(data: Any, field: str, names: Sequence[str] | None) -> Iterator[tuple[Path, Any]]:
    wanted = {n: i for i, n in enumerate(names if names is not None else NAMES[field])}
    level: list[tuple[Path, Mapping[Any, Any]]] = [((), data)] if isinstance(data, dict) else []
    for _ in range(MAX_DEPTH):
        hits: list[tuple[int, int, Path, Any]] = []
        deeper: list[tuple[Path, Mapping[Any, Any]]] = []
        for path, node in level:
            for k, v in node.items():
                p = (*path, k if isinstance(k, (str, int)) and not isinstance(k, bool) else str(k))
                rank = wanted.get(norm(k))
                if rank is not None:
                    hits.append((rank, len(hits), p, v))
                if isinstance(v, dict) and not _skipped(field, k):
                    deeper.append((p, v))
        for _, _, p, v in sorted(hits, key=lambda h: (h[0], h[1])):
            yield p, v
        level = deeper
    if names is None:
        yield from _find_part(data, field)


def _find_part(data: Any, field: str) -> Iterator[tuple[Path, Any]]:
    """The top-level (then second-level) keys whose names contain one of the field's PARTS, in PARTS order."""
    parts = PARTS.get(field, ())
    level: list[tuple[Path, Mapping[Any, Any]]] = [((), data)] if isinstance(data, dict) else []
    for _ in range(2):
        deeper: list[tuple[Path, Mapping[Any, Any]]] = []
        for want in parts:
            for path, node in level:
                for k, v in node.items():
                    if want in norm(k) and not _skipped(field, k) and not isinstance(k, bool):
                        yield (*path, str(k)), v
        for path, node in level:
            deeper.extend(((*path, str(k)), v) for k, v in node.items() if isinstance(v, dict)
                          and not _skipped(field, k))
        level = deeper


def find_all(data: Any, field: str) -> Iterator[tuple[Path, Any]]:
    """Every key naming `field` at the shallowest level it appears (metrics may sit in two sections)."""
    wanted = set(NAMES[field])
    level: list[tuple[Path, Mapping[Any, Any]]] = [((), data)] if isinstance(data, dict) else []
    for _ in range(MAX_DEPTH):
        hits: list[tuple[Path, Any]] = []
        deeper: list[tuple[Path, Mapping[Any, Any]]] = []
        for path, node in level:
            for k, v in node.items():
                p = (*path, str(k))
                if norm(k) in wanted:
                    hits.append((p, v))
                elif isinstance(v, dict) and not _skipped(field, k):
                    deeper.append((p, v))
        if hits:
            yield from hits
            return
        level = deeper


def lookup(data: Any, spec: str) -> tuple[Path, Any] | None:
    """The policy's own name for a field: a dotted path (`intended_use.primary`, `metrics[0]`), keys
    compared as `norm` compares them."""
    node = data
    path: list[str | int] = []
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", spec):
        if part.startswith("[") and isinstance(node, list):
            i = int(part[1:-1])
            if i >= len(node):
                return None
            node, path = node[i], [*path, i]
        elif isinstance(node, dict):
            key = part if part in node else next((k for k in node if norm(k) == norm(part)), None)
            if key is None:
                return None
            node, path = node[key], [*path, key]
        else:
            return None
    return tuple(path), node


def sub(value: Any, names: Sequence[str]) -> tuple[str, Any] | None:
    """The first child of a mapping whose key is one of `names` (normalised), e.g. `train` in `data`."""
    if not isinstance(value, dict):
        return None
    for want in names:
        for k, v in value.items():
            if norm(k) == want:
                return str(k), v
    return None
