"""Dotted scenario keys: `project.problem_rate`, `organisation.departments[legal].expertise`.

The same keys serve `--set KEY=VALUE` on the command line and the `parameters` of
experiment files. Values are parsed as YAML scalars (`0.05`, `true`, `null`, `[a, b]`).

A key is names joined by dots, with list entries chosen by `[index]` (negative counts
from the end) or `[name]` (the entry whose `name` is that). Setting a key inside a block
the file left out starts from that block's default, so `timing.decision_hours.mean=3`
keeps the default's exponential law and only changes its mean; setting a key inside a
plain number that may be a distribution turns it into `{dist: fixed, mean: NUMBER}` first.
"""

from __future__ import annotations

import copy
import re
import types
import typing
from typing import Annotated, Any

import yaml
from pydantic import BaseModel

from simulator.errors import InputError, Problem
from simulator.reading import load_yaml_value
from simulator.schema import Distribution, Scenario

_NAME = re.compile(r"[^.\[\]]+")
_SELECTOR = re.compile(r"\[([^\[\]]+)\]")


def _tokens(key: str) -> list[tuple[str | int, bool]]:
    """The parts of a dotted key, each with whether it was written as `[selector]`."""
    text = key.strip()
    if not text:
        raise ValueError("empty key")
    unreadable = (
        f"cannot read key '{text}' (expected names joined by dots, entries as [0] or [name])"
    )
    parts: list[tuple[str | int, bool]] = []
    pos = 0
    while pos < len(text):
        if parts and text[pos] == "[":
            match = _SELECTOR.match(text, pos)
            if not match:
                raise ValueError(unreadable)
            selector = match.group(1).strip()
            parts.append((int(selector) if re.fullmatch(r"-?\d+", selector) else selector, True))
        else:
            if parts:
                if text[pos] != ".":
                    raise ValueError(unreadable)
                pos += 1
            match = _NAME.match(text, pos)
            if not match or match.group() != match.group().strip():
                raise ValueError(unreadable)
            parts.append((match.group(), False))
        pos = match.end()
    return parts


def parse_key(key: str) -> list[str | int]:
    """Split a dotted key into names and list selectors (ints or department names)."""
    return [part for part, _ in _tokens(key)]


def parse_assignment(text: str) -> tuple[str, Any]:
    """`KEY=VALUE` -> (KEY, parsed VALUE)."""
    if "=" not in text:
        raise ValueError("expected KEY=VALUE")
    key, raw = text.split("=", 1)
    try:
        value = load_yaml_value(raw) if raw.strip() else ""
    except yaml.YAMLError:
        # Not YAML (`[a`): take the text as written and let validation judge it.
        value = raw
    return key.strip(), value


# --- walking the schema ---------------------------------------------------------------


def _plain(value: Any) -> Any:
    """Schema objects (and containers of them) as plain data, the way a file writes them."""
    if isinstance(value, BaseModel):
        return value.model_dump(exclude_none=True)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return copy.deepcopy(value)


def _options(annotation: Any) -> list[Any]:
    """The concrete types an annotation may take (Annotated and unions unwrapped)."""
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        return _options(typing.get_args(annotation)[0])
    if origin is typing.Union or origin is types.UnionType:
        return [t for arg in typing.get_args(annotation) for t in _options(arg)]
    return [annotation]


def child_annotation(annotation: Any, part: str | int) -> Any:
    """The annotation one step below `annotation` (a field, a list entry, a mapping value)."""
    for option in _options(annotation):
        if isinstance(option, type) and issubclass(option, BaseModel):
            if isinstance(part, str) and part in option.model_fields:
                return option.model_fields[part].annotation
            continue
        origin = typing.get_origin(option)
        args = typing.get_args(option)
        if origin is list and args:
            return args[0]
        if origin is dict and len(args) == 2 and isinstance(part, str):
            return args[1]
    return None


def model_at(path: tuple[Any, ...] | list[Any]) -> type[BaseModel] | None:
    """The schema block at a path of the scenario (`('policies', 'hybrid')` -> PolicySpec)."""
    annotation: Any = Scenario
    for part in path:
        annotation = child_annotation(annotation, part)
        if annotation is None:
            return None
    return _model_in(annotation)


def _model_in(annotation: Any) -> type[BaseModel] | None:
    for option in _options(annotation):
        if isinstance(option, type) and issubclass(option, BaseModel):
            return option
    return None


def _field_default(annotation: Any, part: str | int) -> Any:
    """The default of key `part` under `annotation`, as plain data (None when there is none)."""
    model = _model_in(annotation)
    if model is None or not isinstance(part, str) or part not in model.model_fields:
        return None
    field = model.model_fields[part]
    if field.is_required():
        return None
    return _plain(field.get_default(call_default_factory=True))


# --- setting keys ---------------------------------------------------------------------


def set_key(
    data: dict[str, Any], key: str, value: Any, resolved: list[str | int] | None = None
) -> dict[str, Any]:
    """A copy of the raw scenario mapping with `key` set to `value`.

    `resolved`, when given, receives the path with list selectors turned into indices.

    Raises KeyError/IndexError/ValueError with a plain message when the path does not
    lead anywhere (an unknown department, an index out of range, a key under a number).
    Unknown names are left for validation, which reports them with a suggestion.
    """
    tokens = _tokens(key)
    result = copy.deepcopy(data)
    node: Any = result
    annotation: Any = Scenario
    resolved = [] if resolved is None else resolved
    before: list[str | int] = []
    for depth, (part, bracketed) in enumerate(tokens):
        last = depth == len(tokens) - 1
        if isinstance(node, list):
            if not bracketed:
                raise ValueError(
                    f"'{_prefix(before)}' is a list: choose an entry with [index] or [name]"
                    f", e.g. {_prefix(before)}[0].{part}"
                )
            index = _select(node, part, before)
            resolved.append(index)
            before.append(part)
            annotation = child_annotation(annotation, index)
            if last:
                node[index] = value
                return result
            node = node[index]
            continue
        if not isinstance(node, dict):
            raise ValueError(f"'{_prefix(before)}' holds a value, not keys")
        if isinstance(part, int):
            raise ValueError(f"'{_prefix(before)}' is not a list")
        resolved.append(part)
        before.append(part)
        if last:
            node[part] = value
            return result
        child = node.get(part)
        if child is None:
            child = _field_default(annotation, part)
            if child is None:
                child = {}
        annotation = child_annotation(annotation, part)
        if (
            isinstance(child, int | float)
            and not isinstance(child, bool)
            and _model_in(annotation) is Distribution
        ):
            # A number where a distribution's keys are wanted: it is a fixed distribution.
            child = {"dist": "fixed", "mean": child}
        node[part] = child
        node = child
    return result


def _select(items: list[Any], selector: str | int, before: list[str | int]) -> int:
    if isinstance(selector, int):
        if -len(items) <= selector < len(items):
            return selector % len(items)
        raise IndexError(f"'{_prefix(before)}' has {len(items)} entries, no [{selector}]")
    for index, item in enumerate(items):
        if isinstance(item, dict) and str(item.get("name")) == selector:
            return index
    names = [str(i.get("name")) for i in items if isinstance(i, dict) and "name" in i]
    known = f" (known: {', '.join(names)})" if names else ""
    raise KeyError(f"no entry named '{selector}' in '{_prefix(before)}'{known}")


def _prefix(parts: list[str | int]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (("." if text else "") + str(part))
    return text or "the scenario"


def apply_assignments(
    data: dict[str, Any], assignments: list[str]
) -> tuple[dict[str, Any], dict[tuple[str | int, ...], str]]:
    """Apply `KEY=VALUE` strings in order.

    Returns the new mapping and, for locating later errors, each resolved path with the
    assignment that set it. A path that leads nowhere raises InputError naming `--set`.
    """
    where: dict[tuple[str | int, ...], str] = {}
    for text in assignments:
        try:
            key, value = parse_assignment(text)
            resolved: list[str | int] = []
            data = set_key(data, key, value, resolved)
        except (KeyError, IndexError, ValueError) as exc:
            message = exc.args[0] if exc.args else str(exc)
            raise InputError(Problem(source=f"--set {text}", message=str(message))) from None
        where[tuple(resolved)] = text
    return data, where
