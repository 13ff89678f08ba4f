"""Dotted scenario keys: `project.problem_rate`, `organisation.departments[legal].expertise`.

The same keys serve `--set KEY=VALUE` on the command line and the `parameters` of
experiment files. Values are parsed as YAML scalars (`0.05`, `true`, `null`, `[a, b]`).
"""

from __future__ import annotations

import copy
import re
from typing import Any

import yaml
from pydantic import BaseModel

from simulator.errors import InputError, Problem
from simulator.schema import Distribution, Scenario

_TOKEN = re.compile(r"([^.\[\]]+)|\[([^\[\]]+)\]")


def parse_key(key: str) -> list[str | int]:
    """Split a dotted key into names and list selectors (ints or department names)."""
    parts: list[str | int] = []
    pos = 0
    text = key.strip()
    if not text:
        raise ValueError("empty key")
    while pos < len(text):
        if text[pos] == "." and pos > 0:
            pos += 1
        match = _TOKEN.match(text, pos)
        if not match:
            raise ValueError(f"cannot read key '{key}'")
        name, selector = match.groups()
        if name is not None:
            parts.append(name)
        else:
            selector = selector.strip()
            parts.append(int(selector) if re.fullmatch(r"-?\d+", selector) else selector)
        pos = match.end()
    return parts


def parse_assignment(text: str) -> tuple[str, Any]:
    """`KEY=VALUE` -> (KEY, parsed VALUE)."""
    if "=" not in text:
        raise ValueError("expected KEY=VALUE")
    key, raw = text.split("=", 1)
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError:
        value = raw
    return key.strip(), value


def _field_default(model: type[BaseModel] | None, name: str) -> Any:
    """The default of `name` in `model` as plain data, to fill a key the file left out."""
    if model is None or name not in model.model_fields:
        return None
    field = model.model_fields[name]
    if field.is_required():
        return None
    default = field.get_default(call_default_factory=True)
    if isinstance(default, BaseModel):
        return default.model_dump(exclude_none=True)
    return copy.deepcopy(default)


def _field_model(model: type[BaseModel] | None, name: str) -> type[BaseModel] | None:
    """The schema block a key leads into (for list fields, the item's block)."""
    if model is None or name not in model.model_fields:
        return None
    annotation = model.model_fields[name].annotation
    for candidate in _walk_types(annotation):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def _walk_types(annotation: Any):
    yield annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        yield from _walk_types(arg)
    origin = getattr(annotation, "__origin__", None)
    if origin is not None and origin is not annotation:
        yield from _walk_types(origin)


def set_key(
    data: dict[str, Any], key: str, value: Any, resolved: list[str | int] | None = None
) -> dict[str, Any]:
    """A copy of the raw scenario mapping with `key` set to `value`.

    `resolved`, when given, receives the path with list selectors turned into indices.

    Raises KeyError/IndexError/ValueError with a plain message when the path does not
    lead anywhere (an unknown department, an index out of range, a key under a number).
    """
    parts = parse_key(key)
    result = copy.deepcopy(data)
    node: Any = result
    model: type[BaseModel] | None = Scenario
    resolved = [] if resolved is None else resolved
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        if isinstance(node, list):
            index = _select(node, part, parts[:depth])
            resolved.append(index)
            if last:
                node[index] = value
                return result
            node = node[index]
            continue
        if not isinstance(node, dict):
            raise ValueError(f"'{_prefix(parts[:depth])}' holds a value, not keys")
        if isinstance(part, int):
            raise ValueError(f"'{_prefix(parts[:depth])}' is not a list")
        resolved.append(part)
        if last:
            node[part] = value
            return result
        child = node.get(part)
        if child is None:
            child = _field_default(model, part)
            if child is None:
                child = {}
        if isinstance(child, int | float) and not isinstance(child, bool):
            # A number where a distribution's keys are wanted: it is a fixed distribution.
            if _field_model(model, part) is Distribution:
                child = {"dist": "fixed", "mean": child}
        node[part] = child
        model = _field_model(model, part)
        node = child
    return result


def _select(items: list[Any], selector: str | int, before: list[str | int]) -> int:
    if isinstance(selector, int):
        if -len(items) <= selector < len(items):
            return selector % len(items)
        raise IndexError(f"'{_prefix(before)}' has {len(items)} entries, no [{selector}]")
    for index, item in enumerate(items):
        if isinstance(item, dict) and item.get("name") == selector:
            return index
    names = [str(i.get("name")) for i in items if isinstance(i, dict) and "name" in i]
    raise KeyError(f"no entry named '{selector}' in '{_prefix(before)}' (known: {', '.join(names)})")


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
