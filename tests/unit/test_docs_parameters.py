"""docs/model.md documents every scenario key and every KPI (DESIGN §5.5, §5.6, §11).

The scenario schema (`simulator.schema.Scenario` and the models nested in it) is walked to
list every dotted key; each must be a row of the parameter table in docs/model.md, and
every KPI of `simulator.kpis.KPI_NAMES` a row of its KPI table. Adding a key or a KPI
without documenting it fails here.

Key notation (the same as in docs/model.md):
- `organisation.departments[].expertise`: a field of each entry of a list;
- `policies.<name>.base`: a field of each entry of a mapping;
- `timing.decision_hours`: a distribution-valued key (a number or `{dist, mean, cv}`); the
  fields of a distribution are documented once, as `<distribution>.mean` and so on.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel

from simulator.kpis import KPI_NAMES
from simulator.schema import Distribution, Scenario

DOC = Path(__file__).resolve().parents[2] / "docs" / "model.md"
DISTRIBUTION = "<distribution>"
EACH_ENTRY = "[]"
EACH_NAME = ".<name>"


def _shapes(annotation: Any, context: str = "") -> Iterator[tuple[str, Any]]:
    """(container suffix, model or plain type) for each alternative of an annotation."""
    origin = get_origin(annotation)
    if origin is Annotated:
        yield from _shapes(get_args(annotation)[0], context)
    elif origin in (Union, types.UnionType):
        for option in get_args(annotation):
            yield from _shapes(option, context)
    elif origin is list:
        yield from _shapes(get_args(annotation)[0], context + EACH_ENTRY)
    elif origin is dict:
        yield from _shapes(get_args(annotation)[1], context + EACH_NAME)
    else:
        yield context, annotation


def _is_model(kind: Any) -> bool:
    return isinstance(kind, type) and issubclass(kind, BaseModel)


def scenario_keys(model: type[BaseModel] = Scenario, prefix: str = "") -> set[str]:
    """Every dotted key of a schema model, nested models and containers of them included.

    A block (a field that is only a nested model, like `time`) is not a key itself, its
    fields are; a list or mapping of models is a key and so are its entries' fields; a
    distribution is a key, its fields are listed once under `<distribution>`.
    """
    keys: set[str] = set()
    for name, info in model.model_fields.items():
        key = f"{prefix}{name}"
        shapes = [s for s in _shapes(info.annotation) if s[1] is not type(None)]
        only_a_block = all(
            context == "" and _is_model(kind) and kind is not Distribution
            for context, kind in shapes
        )
        if not only_a_block:
            keys.add(key)
        for context, kind in shapes:
            if kind is Distribution:
                keys |= scenario_keys(Distribution, f"{DISTRIBUTION}.")
            elif _is_model(kind):
                keys |= scenario_keys(kind, f"{key}{context}.")
    return keys


def _section(text: str, title: str) -> str:
    """The text under the level-2 heading that contains `title`, up to the next one."""
    match = re.search(rf"^## [^\n]*{re.escape(title)}[^\n]*$", text, flags=re.MULTILINE)
    assert match, f"docs/model.md has no '## ... {title}' section"
    rest = text[match.end() :]
    following = re.search(r"^## ", rest, flags=re.MULTILINE)
    return rest[: following.start()] if following else rest


def _first_cells(section: str) -> set[str]:
    """Code spans in the first cell of each table row of a section."""
    names: set[str] = set()
    for line in section.splitlines():
        line = line.strip()
        if not line.startswith("|") or set(line) <= set("|-: "):
            continue
        first = line.strip("|").split("|")[0]
        names.update(re.findall(r"`([^`]+)`", first))
    return names


def documented_parameters() -> set[str]:
    return _first_cells(_section(DOC.read_text(encoding="utf-8"), "Parameter table"))


def documented_kpis() -> set[str]:
    return _first_cells(_section(DOC.read_text(encoding="utf-8"), "KPIs"))


def test_the_walk_finds_keys_at_every_depth():
    keys = scenario_keys()
    expected = {
        "name",
        "seed",
        "time.hours_per_day",
        "organisation.departments",
        "organisation.departments[].expertise",
        "organisation.cost_per_hour.director",
        "project.tasks",
        "project.tasks[].depends_on",
        "project.problem_rate",
        "project.effort_hours",
        "project.severity.critical",
        "timing.decision_patience_hours",
        "rework.severity_weight.minor",
        "policies",
        "policies.<name>.base",
        "policies.<name>.departments",
        "<distribution>.cv",
    }
    assert expected <= keys, sorted(expected - keys)
    # blocks are not keys, their fields are
    assert not {"time", "organisation", "project", "timing", "rework"} & keys


def test_every_scenario_key_is_in_the_parameter_table():
    missing = sorted(scenario_keys() - documented_parameters())
    assert not missing, "scenario keys missing from docs/model.md's parameter table:\n" + "\n".join(
        missing
    )


def test_the_parameter_table_lists_no_key_the_schema_lacks():
    stale = sorted(documented_parameters() - scenario_keys())
    assert not stale, "docs/model.md's parameter table lists keys the schema lacks:\n" + "\n".join(
        stale
    )


def test_every_kpi_is_documented():
    missing = sorted(set(KPI_NAMES) - documented_kpis())
    assert not missing, "KPIs missing from docs/model.md's KPI table:\n" + "\n".join(missing)


def test_the_kpi_table_lists_no_kpi_the_model_lacks():
    stale = sorted(documented_kpis() - set(KPI_NAMES))
    assert not stale, "docs/model.md's KPI table lists KPIs the model lacks:\n" + "\n".join(stale)


def test_a_new_key_would_be_caught():
    class Extra(BaseModel):
        knob: float = 1.0

    class Bigger(Scenario):
        extra: Extra = Extra()
        extras: typing.Optional[list[Extra]] = None  # noqa: UP045 (an old spelling, on purpose)

    new = scenario_keys(Bigger) - scenario_keys()
    assert new == {"extra.knob", "extras", "extras[].knob"}
    assert not new <= documented_parameters()
