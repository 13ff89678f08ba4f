"""A select that shows names in plain words and hands back the values behind them.

Solara's own Select shows its values as they are; the dashboard's policies and mechanisms
have internal names (self_managed, problem_solving) that a room should never read, so the
items carry a text (from `experiments.display`) and a value.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import reacton.ipyvuetify as rv
import solara


@solara.component
def NamedSelect(
    label: str,
    value: Any,
    items: Sequence[tuple[Any, str]],
    on_value: Callable[[Any], None],
    multiple: bool = False,
    classes: Sequence[str] = (),
    style: dict[str, str] | None = None,
):
    """A dense select of `items` ((value, text) pairs); `on_value` gets the value(s)."""
    style_text = "; ".join(f"{k}: {v}" for k, v in (style or {}).items())
    return rv.Select(
        label=label,
        v_model=value,
        items=[{"text": text, "value": item} for item, text in items],
        on_v_model=on_value,
        multiple=multiple,
        dense=True,
        class_=" ".join(classes),
        style_=style_text,
    )
