"""Does a key's text state what the model is for? A purpose taken from a descriptive key must say so.

Keys named for the purpose (`purpose`, `intended_use`, `use_cases`, `objective`, ...) are taken as
written. Keys that merely describe (`description`, `overview`, `summary`, `about`, `task`) often say
something else: `task: text-summarization` names a task, `description: "two linear layers with
dropout"` describes an architecture, an experiment's `description` says what was tried. Their text
counts as the purpose when it is written in words (`ADE Binary Classification`, not an identifier such
as `text-summarization`) and, when it is mostly about layers, trees and epochs, when it also says
what the model does or is used for.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from mlgov_checks.cards.keys import norm

# Normalised key names (and parts of names) that only describe; every other purpose name is the purpose.
DESCRIPTIVE = frozenset({"overview", "modeldescription", "description", "modelsummary", "summary", "about",
                         "task", "tasks", "shortdescription", "fulldescription", "longdescription"})
_DESCRIPTIVE_PARTS = ("description", "overview", "summary")
_TASK = frozenset({"task", "tasks"})
_PURPOSE_PARTS = ("purpose", "intendeduse", "intendedusage", "usecase", "primaryuse", "usage", "objective",
                  "application", "goal", "directuse")

_WORD = re.compile(r"[^\W\d_][\w'\-]*")
# Words of a model's build: layers, units, trees, training settings (and counts of them).
_ARCHITECTURE = re.compile(
    r"^(layers?|linear|dense|dropout|relu|gelu|sigmoid|softmax|tanh|activations?|mlp|perceptrons?|cnn|rnn|lstm|"
    r"gru|conv\w*|hidden|neurons?|units?|embeddings?|attention|heads?|transformers?|encoders?|decoders?|"
    r"backbone|skip|connections?|residual|resnet\w*|vgg\w*|efficientnet\w*|bert\w*|roberta|gpt\w*|t5|xgboost|"
    r"lightgbm|catboost|random|forest|gradient|boost\w*|decision|trees?|estimators?|logistic|regression|svm|"
    r"svc|kernel|parameters?|weights?|epochs?|batch|learning|rate|fine-?tuned|pre-?trained|trained|"
    r"architecture|ensemble|wider|deeper|deep|shallow|final|classic|"
    r"network|neural|model|one|two|three|four|five|six|seven|eight|nine|ten|layer-?wise|pooling|normalization|"
    r"batchnorm|stacked|bidirectional|sequential|fully|connected|optimi[sz]er|adam|sgd|loss)$", re.I)
_FILLER_WORDS = frozenset({"a", "an", "the", "with", "and", "then", "of", "in", "on", "after", "before", "plus",
                           "followed", "by", "at", "each", "per", "using", "from", "into", "is", "are", "it",
                           "this", "that", "its", "same", "as", "but", "no", "or"})
# Words that say what the model does or is used for.
_USE = re.compile(
    r"\b(for|used?|uses|intended|helps?|so that|in order to|predict\w*|detect\w*|classif(y|ies|ying)|estimat\w*|"
    r"identif(y|ies|ying)|recommend\w*|flags?|flagging|ranks?|ranking|forecast\w*|scores?|scoring|screen\w*|"
    r"routes?|routing|generat\w*|summari[sz]\w*|translat\w*|answer\w*|decid\w*|support\w*|assist\w*|"
    r"segment\w*|extract\w*|recogni[sz]\w*|tags?|tagging|sorts?|sorting|selects?|suggest\w*|alerts?|"
    r"prioriti[sz]\w*|triag\w*|measures?|finds?|spots?|reads?|converts?|transcrib\w*|locat\w*|count\w*)\b",
    re.I)


def descriptive(path: Sequence[Any]) -> bool:
    """Was the text found under a key that only describes (no key on its path names the purpose)?"""
    names = [norm(p) for p in path if isinstance(p, str)]
    if any(any(part in n for part in _PURPOSE_PARTS) for n in names):
        return False
    return bool(names) and (names[-1] in DESCRIPTIVE or any(part in names[-1] for part in _DESCRIPTIVE_PARTS))


def unstated(path: Sequence[Any], text: str) -> str | None:
    """Why the text under a descriptive key is not a purpose (None when it states one)."""
    words = _WORD.findall(text)
    key = norm(path[-1]) if path else ""
    shown = text.strip().replace("\n", " ")
    shown = repr(shown if len(shown) <= 60 else shown[:57] + "...")
    if len(text.strip()) < 60 and not re.search(r"\s", text.strip()):  # `text-summarization`, `churn_v2`
        what = "a task name" if key in _TASK else "a name"
        return f"is {shown}, {what}, not a statement of what the model is for"
    content = [w for w in words if w.lower() not in _FILLER_WORDS]
    build = sum(1 for w in content if _ARCHITECTURE.match(w))
    if content and build / len(content) >= 0.4 and not _USE.search(text):
        return f"describes how the model is built ({shown}), not what it is for"
    return None
