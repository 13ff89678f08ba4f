"""What a client measured, read for `orgsim calibrate`: KPI values under a policy.

YAML:

    policy: hierarchical        # the policy in force when they were measured
    runs: 5                     # optional: each value is the mean of 5 projects (default 1)
    observed:
      lead_time_days: 48
      problems_raised: 14

CSV, one KPI a row, with columns `kpi,value` and optionally `policy` and `runs` (the same
policy on every row; `runs` may differ from row to row).

KPI names are those of the simulator (`simulator.kpis.KPI_NAMES`). Anything wrong is an
InputError naming the file, the line and the field: an unknown KPI (with the close names),
a value that is not a finite number, a missing or empty file, an unknown column or key.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulator.errors import InputError, Problem
from simulator.reading import csv_table, read_mapping, read_text

YAML_KEYS = ("policy", "runs", "observed")
CSV_COLUMNS = ("kpi", "value", "policy", "runs")
MAX_RUNS = 1_000_000


@dataclass(frozen=True)
class Observation:
    """Measured KPI values (`values`), each the mean of `runs[kpi]` projects, under `policy`
    (None: not said, the caller picks one)."""

    source: str
    policy: str | None
    values: dict[str, float]
    runs: dict[str, int]


def read_observed(path: Path) -> Observation:
    """The observation in a YAML or CSV file; InputError for anything wrong in it."""
    source = str(path)
    if not path.exists():
        raise InputError(Problem(source=source, message="no such file"))
    if not path.is_file():
        raise InputError(Problem(source=source, message="is not a file"))
    text = read_text(path, source)
    if not text.strip():
        raise InputError(Problem(source=source, line=1, message="the file is empty"))
    if path.suffix.lower() == ".csv":
        return _from_csv(text, source)
    return _from_yaml(text, source)


def kpi_known(name: str, source: str, line: int | None, path: tuple[Any, ...] = ()) -> None:
    """InputError unless `name` is a KPI of the simulator; the message lists close names."""
    from simulator.kpis import KPI_NAMES

    if name in KPI_NAMES:
        return
    close = difflib.get_close_matches(str(name), KPI_NAMES, n=3, cutoff=0.5)
    hint = (
        f"close names: {', '.join(close)}"
        if close
        else "see the KPI table in docs/model.md (e.g. lead_time_days, problems_raised)"
    )
    raise InputError(
        Problem(source=source, line=line, path=path, message=f"unknown KPI '{name}'; {hint}")
    )


def _number(value: Any, source: str, line: int | None, path: tuple[Any, ...]) -> float:
    if isinstance(value, bool) or value is None:
        raise InputError(
            Problem(source=source, line=line, path=path, message="expected a number", value=value)
        )
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InputError(
            Problem(source=source, line=line, path=path, message="expected a number", value=value)
        ) from None
    if not math.isfinite(number):
        raise InputError(
            Problem(source=source, line=line, path=path, message="must be finite", value=value)
        )
    return number


def _runs(value: Any, source: str, line: int | None, path: tuple[Any, ...]) -> int:
    number = _number(value, source, line, path)
    if number != int(number) or not 1 <= number <= MAX_RUNS:
        raise InputError(
            Problem(
                source=source,
                line=line,
                path=path,
                message=f"a whole number of runs from 1 to {MAX_RUNS}",
                value=value,
            )
        )
    return int(number)


def _policy(value: Any, source: str, line: int | None, path: tuple[Any, ...]) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InputError(
            Problem(
                source=source, line=line, path=path, message="expected a policy name", value=value
            )
        )
    return value.strip()


def _from_yaml(text: str, source: str) -> Observation:
    data, lines = read_mapping(text, source, toml=False)
    if not isinstance(data, dict):
        raise InputError(
            Problem(
                source=source,
                line=1,
                message="expected a mapping with policy and observed: {KPI: value}",
            )
        )
    for key in data:
        if key not in YAML_KEYS:
            raise InputError(
                Problem(
                    source=source,
                    line=lines.get((key,)),
                    path=(key,),
                    message=f"unknown key (expected {', '.join(YAML_KEYS)})",
                    unknown_key=True,
                )
            )
    policy = None
    if "policy" in data:
        policy = _policy(data["policy"], source, lines.get(("policy",)), ("policy",))
    runs = 1
    if "runs" in data:
        runs = _runs(data["runs"], source, lines.get(("runs",)), ("runs",))
    observed = data.get("observed")
    if not isinstance(observed, dict) or not observed:
        raise InputError(
            Problem(
                source=source,
                line=lines.get(("observed",), 1),
                path=("observed",),
                message="required: a mapping of KPI names to measured values",
            )
        )
    values = {}
    for kpi, value in observed.items():
        path = ("observed", kpi)
        line = lines.get(path)
        kpi_known(kpi, source, line, path)
        values[str(kpi)] = _number(value, source, line, path)
    return Observation(source, policy, values, dict.fromkeys(values, runs))


def _from_csv(text: str, source: str) -> Observation:
    header, rows = csv_table(text, source)
    for column in header:
        if column not in CSV_COLUMNS:
            raise InputError(
                Problem(
                    source=source,
                    line=1,
                    message=f"unknown column '{column}' (expected kpi,value[,policy][,runs])",
                )
            )
    for column in ("kpi", "value"):
        if column not in header:
            raise InputError(Problem(source=source, line=1, message=f"missing column '{column}'"))
    if len(set(header)) != len(header):
        raise InputError(Problem(source=source, line=1, message="a column is named twice"))
    where = {column: i for i, column in enumerate(header)}
    policy: str | None = None
    values: dict[str, float] = {}
    runs: dict[str, int] = {}
    for line, cells in rows:
        if len(cells) != len(header):
            raise InputError(
                Problem(
                    source=source,
                    line=line,
                    message=f"expected {len(header)} cells, found {len(cells)}",
                )
            )
        row = {column: cells[i] for column, i in where.items()}
        kpi = row["kpi"]
        kpi_known(kpi, source, line, ("kpi",))
        if kpi in values:
            raise InputError(
                Problem(source=source, line=line, path=("kpi",), message=f"'{kpi}' given twice")
            )
        values[kpi] = _number(row["value"], source, line, ("value",))
        runs[kpi] = _runs(row["runs"], source, line, ("runs",)) if row.get("runs") else 1
        if row.get("policy"):
            named = _policy(row["policy"], source, line, ("policy",))
            if policy is not None and named != policy:
                raise InputError(
                    Problem(
                        source=source,
                        line=line,
                        path=("policy",),
                        message=f"one policy per file (earlier rows say '{policy}')",
                        value=named,
                    )
                )
            policy = named
    if not values:
        raise InputError(Problem(source=source, line=2, message="no KPI rows after the header"))
    return Observation(source, policy, values, runs)
