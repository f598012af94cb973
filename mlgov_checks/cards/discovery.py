"""Which files are model cards: the names of every supported format, and READMEs with model front matter.

The pre-commit hook's `files:` regex (`.pre-commit-hooks.yaml`) is `HOOK_FILES`; a test holds them equal.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Iterable, Sequence

# git pathspec globs (any directory), matched case-insensitively, then filtered by NAME.
GLOBS = ("*.yaml", "*.yml", "*.json", "*.md")
NAME = re.compile(r"(?i)(^|/)((model[_-]?card|[^/]*[_-]model[_-]?card)\.(ya?ml|json|md)|readme\.md)$")
HOOK_FILES = r"(?i)(^|/)((model[_-]?card|[^/]*[_-]model[_-]?card)\.(ya?ml|json|md)|readme\.md)$"
SHOWN = ("model_card.*", "modelcard.*", "model-card.*", "*_model_card.*", "README.md with model front matter")
_README = re.compile(r"(?i)(^|/)readme\.md$")


def is_readme(path: str) -> bool:
    return _README.search(path.replace(os.sep, "/")) is not None


def readme_is_card(path: str) -> bool:
    """A README is a card when its front matter carries model metadata (`model-index`, `license`, ...)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(65536)
    except OSError:
        return True  # let the card check report the file it cannot read
    from mlgov_checks.cards import huggingface

    return huggingface.is_model_card(head)


def select(candidates: Iterable[str], base: str, *, include: Sequence[str] = (), exclude: Sequence[str] = ()) \
        -> list[str]:
    """The card files among `candidates` (paths relative to `base`), with the policy's globs."""
    out: list[str] = []
    for rel in candidates:
        posix = rel.replace(os.sep, "/")
        if any(fnmatch.fnmatch(posix, g) for g in exclude):
            continue
        named = NAME.search(posix) is not None
        if not named and not any(fnmatch.fnmatch(posix, g) for g in include):
            continue
        if is_readme(posix) and not any(fnmatch.fnmatch(posix, g) for g in include) and \
                not readme_is_card(os.path.join(base, rel)):
            continue
        out.append(rel)
    return list(dict.fromkeys(out))
