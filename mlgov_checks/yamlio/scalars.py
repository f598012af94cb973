"""The YAML parser and how a plain scalar is read (YAML 1.1 resolution), shared by both builders."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import yaml

try:  # the C parser is several times faster; fall back silently when libyaml is missing
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

_STR = "tag:yaml.org,2002:str"


class _Constructor(yaml.constructor.SafeConstructor):
    """Turns resolved plain scalars into Python values (int, float, bool, null, dates)."""


_RESOLVER = yaml.resolver.Resolver()
_CONSTRUCTOR = _Constructor()
_TIMESTAMP = "tag:yaml.org,2002:timestamp"


def _scalar_value(value: str, tag: str, *, timestamps: bool) -> Any:
    if tag == _STR or (tag == _TIMESTAMP and not timestamps):
        return value
    node = yaml.ScalarNode(tag, value)
    ctor = _CONSTRUCTOR.yaml_constructors.get(tag)
    if ctor is None:
        return value
    try:
        return ctor(_CONSTRUCTOR, node)
    except (ValueError, yaml.YAMLError, OverflowError):
        return value


def events(text: str) -> Iterable[Any]:
    """The YAML event stream of `text`, from the C parser when PyYAML has it."""
    return yaml.parse(text, Loader=_Loader)


def parser(text: str) -> Any:
    """The YAML parser of `text` (`get_event()` until None; `dispose()` after)."""
    return _Loader(text)


def implicit_resolvers() -> Any:
    """The first characters an implicit resolver may take (a plain scalar starting otherwise is text),
    or None when every plain scalar must be resolved (wildcard or path resolvers)."""
    implicit = _RESOLVER.yaml_implicit_resolvers
    return None if None in implicit or _RESOLVER.yaml_path_resolvers else implicit


_TAGS: dict[str, str] = {}


def plain_value(text: str, *, timestamps: bool) -> tuple[Any, str]:
    """A plain scalar's value and the tag YAML 1.1 resolves it to.

    Text that no implicit resolver starts with is text: `Resolver.resolve` would try none."""
    implicit = _RESOLVER.yaml_implicit_resolvers
    if implicit.get(text[0] if text else "") is None and None not in implicit and not _RESOLVER.yaml_path_resolvers:
        return text, _STR
    tag = _TAGS.get(text)
    if tag is None:
        tag = _RESOLVER.resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
        if len(text) <= 64 and len(_TAGS) < 10_000:
            _TAGS[text] = tag
    return _scalar_value(text, tag, timestamps=timestamps), tag
