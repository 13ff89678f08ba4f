"""The files of an `orgsim compare --out` folder, read and checked for its report.

`runs.csv` (one row per run: policy, replicate, seed, every KPI; text columns such as
`currency` and `finish_date` kept as text), and when present `decomposition.json`
(`orgsim compare --decompose --out`) and `diagnosis.json` (`orgsim diagnose --out`).
Keys nobody reads are ignored; a known key of the wrong shape is bad input, named with
its file, field and value (`simulator.errors.InputError`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from experiments.runs_table import COMPARISON_KEYS, LEAD_TIME
from simulator.errors import InputError, Problem

if TYPE_CHECKING:
    import pandas as pd

# Columns of runs.csv that describe a run in words, not numbers.
TEXT_COLUMNS = (
    "currency",
    "finish_date",
    "deadline_date",
    "scenario",
    "scenario_hash",
    "status",
    "error",
)


def read_comparison_runs(path: Path) -> pd.DataFrame:
    """runs.csv of a comparison, checked: the pairing keys and the lead time, one row per
    policy and replicate, numbers in the KPI columns."""
    import pandas as pd

    try:
        runs = pd.read_csv(path)
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise InputError(Problem(source=str(path), message=f"cannot be read ({exc})")) from None
    for column in (*COMPARISON_KEYS, LEAD_TIME):
        if column not in runs:
            raise InputError(Problem(source=str(path), path=(column,), message="missing column"))
    if runs.empty:
        raise InputError(Problem(source=str(path), message="has no runs"))
    if runs.duplicated(["policy", "replicate"]).any():
        raise InputError(
            Problem(
                source=str(path),
                path=("policy",),
                message="a policy appears twice with the same replicate",
            )
        )
    runs["policy"] = runs["policy"].astype(str)
    for column in runs.columns:
        if column in TEXT_COLUMNS or column == "policy":
            continue
        values = pd.to_numeric(runs[column], errors="coerce")
        bad = values.isna() & runs[column].notna()
        if bad.any():
            raise InputError(
                Problem(
                    source=str(path),
                    path=(column,),
                    line=int(bad.to_numpy().argmax()) + 2,  # after the header, from 1
                    message="not a number",
                    value=runs.loc[bad, column].iloc[0],
                )
            )
        runs[column] = values
    return runs


def read_json(path: Path, check: Any) -> dict[str, Any] | None:
    """The JSON object at `path` after `check(data, source)` (None without the file)."""
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(Problem(source=str(path), message=f"not readable JSON ({exc})")) from None
    check(data, str(path))
    return data


def _problem(source: str, where: tuple[Any, ...], message: str, value: Any = ...) -> InputError:
    extra = {} if value is ... else {"value": value}
    return InputError(Problem(source=source, path=where, message=message, **extra))


def _check_estimate(value: Any, source: str, where: tuple[Any, ...]) -> None:
    """An estimate is {mean, ci_low, ci_high}: a number and two numbers or nulls."""
    if not isinstance(value, dict):
        raise _problem(source, where, "must be {mean, ci_low, ci_high}", value)
    for key in ("mean", "ci_low", "ci_high"):
        number = value.get(key)
        if key == "mean" and number is None:
            raise _problem(source, (*where, key), "missing")
        if number is not None and (isinstance(number, bool) or not isinstance(number, int | float)):
            raise _problem(source, (*where, key), "must be a number", number)


def check_decomposition(data: Any, source: str) -> None:
    """The shape of `decomposition.json`: from, to, total and contributions (estimates)."""
    if not isinstance(data, dict) or not isinstance(data.get("decomposition"), dict):
        raise _problem(source, ("decomposition",), "missing: the file of compare --decompose")
    part = data["decomposition"]
    for key in ("from", "to"):
        if not isinstance(part.get(key), str):
            raise _problem(source, ("decomposition", key), "must be a policy name", part.get(key))
    _check_estimate(part.get("total"), source, ("decomposition", "total"))
    contributions = part.get("contributions")
    if not isinstance(contributions, dict):
        raise _problem(
            source, ("decomposition", "contributions"), "must map mechanisms to estimates"
        )
    for name, estimate in contributions.items():
        _check_estimate(estimate, source, ("decomposition", "contributions", name))


def check_diagnosis(data: Any, source: str) -> None:
    """The shape of `diagnosis.json`: a bottleneck object, lists, remedies' estimates."""
    if not isinstance(data, dict):
        raise _problem(source, (), "must be a JSON object (the file of orgsim diagnose)")
    bottleneck = data.get("bottleneck")
    if bottleneck is not None and not isinstance(bottleneck, dict):
        raise _problem(source, ("bottleneck",), "must be an object", bottleneck)
    for key in ("departments", "managers", "critical_path", "remedies"):
        if data.get(key) is not None and not isinstance(data[key], list):
            raise _problem(source, (key,), "must be a list", data[key])
    for i, remedy in enumerate(data.get("remedies") or []):
        if not isinstance(remedy, dict):
            raise _problem(source, ("remedies", i), "must be an object", remedy)
        if "lead_time_gain_days" in remedy:
            _check_estimate(
                remedy["lead_time_gain_days"], source, ("remedies", i, "lead_time_gain_days")
            )


def of_other_scenario(runs: pd.DataFrame, document: dict[str, Any] | None) -> bool:
    """Whether a diagnosis or decomposition document was computed on another scenario (or
    another version of it) than the runs: both carry the scenario's fingerprint
    (`scenario_hash`); a document or runs table without one cannot be checked."""
    if document is None or "scenario_hash" not in runs:
        return False
    inner = document.get("decomposition", document)
    fingerprint = inner.get("scenario_hash") if isinstance(inner, dict) else None
    return fingerprint is not None and fingerprint not in set(runs["scenario_hash"].dropna())
