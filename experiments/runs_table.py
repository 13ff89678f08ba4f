"""The runs table: one row per run, its columns defined here once.

    run_id, cell_id, policy, replicate, seed   which run it is (ID_COLUMNS)
    project.problem_rate, ...                  one column per swept key (a dotted path)
    input:project.problem_rate, ...            one per uncertain input: its draw in the run
    status, error                              how it went (STATUS_COLUMNS)
    lead_time_days, ..., staffing_cost         every KPI, in `simulator.kpis.KPI_NAMES` order
    elapsed_s                                  seconds the run took (TAIL_COLUMNS)

`orgsim sweep` stores this row in Parquet with the types of `run_columns` (also kept in the
manifest). `orgsim compare` runs one cell in this process and keeps only the keys that pair
its runs, then the KPIs (`COMPARISON_KEYS`, `kpi_row`). The helpers below read either kind.
Nothing heavy is imported at module level: the command line imports this module.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from simulator.schema import Scenario

ID_COLUMNS = (
    ("run_id", "int64"),
    ("cell_id", "int64"),
    ("policy", "string"),
    ("replicate", "int64"),
    ("seed", "int64"),
)
STATUS_COLUMNS = (("status", "string"), ("error", "string"))
TAIL_COLUMNS = (("elapsed_s", "float64"),)
# Every column that is neither a swept key nor a KPI.
NOT_KPIS = frozenset(name for name, _ in (*ID_COLUMNS, *STATUS_COLUMNS, *TAIL_COLUMNS))
# A comparison is a single cell run in one process: no run or cell ids, no status (a run
# that fails stops it), no timing. Replication r of every policy has seed base + r.
COMPARISON_KEYS = ("policy", "replicate", "seed")
STATUS_OK = "ok"
STATUS_ERROR = "error"

LEAD_TIME = "lead_time_days"
FINISHED = "finished"
BOOL_KPIS = frozenset({"finished", "on_time"})
COUNT_KPIS = frozenset({"tasks_done", "problems_raised", "problems_resolved", "messages"})


# --- the row and its storage types -------------------------------------------------------------


def kpi_type(name: str) -> str:
    """The column type of a KPI: yes/no, a count, or a number."""
    if name in BOOL_KPIS:
        return "bool"
    if name in COUNT_KPIS or name.startswith("resolved_"):
        return "int64"
    return "float64"


def value_type(values: Iterable[Any]) -> str:
    """The column type that holds every value of a swept key (None aside)."""
    present = [v for v in values if v is not None]
    if not present:
        return "string"
    if all(isinstance(v, bool) for v in present):
        return "bool"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return "int64"
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        return "float64"
    return "string"


def run_columns(parameters: Sequence[tuple[str, str]], kpis: Sequence[str]) -> list[list[str]]:
    """The runs table's columns as `[name, type]`, in order, for these swept keys and KPIs."""
    columns = [*ID_COLUMNS, *parameters, *STATUS_COLUMNS]
    columns += [(k, kpi_type(k)) for k in kpis]
    columns += TAIL_COLUMNS
    return [list(c) for c in columns]


def kpi_row(kpis: Mapping[str, Any]) -> dict[str, Any]:
    """A run's KPIs in the public order (`KPI_NAMES`), then any others it reported."""
    from simulator.kpis import KPI_NAMES

    row = {k: kpis.get(k) for k in KPI_NAMES}
    row.update({k: v for k, v in kpis.items() if k not in row})
    return row


# --- reading a runs table --------------------------------------------------------------------------


def as_runs(runs: pd.DataFrame | str | Path) -> pd.DataFrame:
    """A runs table from a DataFrame or a results folder (sorted by run_id)."""
    if isinstance(runs, str | Path):
        from experiments.store import read_runs

        return read_runs(runs)
    return runs


# Uncertain inputs (simulator.uncertain) are drawn per run, not set per cell: their columns
# are named apart from swept keys, so that they never split a cell of the design.
INPUT_PREFIX = "input:"


def input_column(key: str) -> str:
    """The column of an uncertain input's draws (`input:project.problem_rate`)."""
    return INPUT_PREFIX + key


def is_input(column: str) -> bool:
    """Whether a column holds the draws of an uncertain input."""
    return column.startswith(INPUT_PREFIX)


def input_columns(runs: pd.DataFrame) -> list[str]:
    """The uncertain-input columns of a runs table, in table order."""
    return [c for c in runs.columns if is_input(c)]


def is_parameter(column: str) -> bool:
    """Whether a column holds a swept key: those are dotted paths (`project.problem_rate`)."""
    return "." in column and not is_input(column)


def parameter_columns(runs: pd.DataFrame) -> list[str]:
    """The swept keys of a runs table, in table order."""
    return [c for c in runs.columns if is_parameter(c)]


def kpi_names(runs: pd.DataFrame) -> list[str]:
    """The KPI columns of a runs table, in table order."""
    return [
        c for c in runs.columns if c not in NOT_KPIS and not is_parameter(c) and not is_input(c)
    ]


def as_float(column: pd.Series) -> pd.Series:
    """A KPI column as floats: yes/no as 1/0, missing (None) as NaN."""
    import math

    if column.dtype == object:
        return column.map(lambda v: math.nan if v is None else float(v)).astype(float)
    return column.astype(float)


def successful(runs: pd.DataFrame) -> pd.DataFrame:
    """Runs with status `ok` (all of them when there is no status column)."""
    if "status" not in runs:
        return runs
    return runs.loc[runs["status"] == STATUS_OK]


def policy_order(runs: pd.DataFrame) -> list[str]:
    """Policies in run order: the experiment's (or comparison's) order; the first is the
    reference."""
    ordered = runs.sort_values("run_id", kind="stable") if "run_id" in runs else runs
    return list(dict.fromkeys(ordered["policy"]))


def with_cells(runs: pd.DataFrame) -> pd.DataFrame:
    """The table with a `cell_id`: a comparison's runs table is a sweep of a single cell."""
    return runs if "cell_id" in runs else runs.assign(cell_id=0)


def run_labels(scenario: Scenario, kpis: Mapping[str, Any]) -> dict[str, Any]:
    """What a run's row says besides its KPIs, for people: the scenario (name and
    fingerprint), and when the scenario gives them the finish and deadline as dates on its
    calendar and the currency of its amounts. `orgsim run` prints these; `compare --out`
    writes them as columns of runs.csv, so a report on the folder can show them and check
    that a diagnosis or decomposition written beside them is of the same scenario."""
    from simulator.run import scenario_hash

    labels: dict[str, Any] = {"scenario": scenario.name, "scenario_hash": scenario_hash(scenario)}
    if scenario.time.start is not None:
        from simulator.calendar import date_at

        finish = date_at(scenario.time, kpis["lead_time_days"]) if kpis["finished"] else None
        deadline = scenario.project.deadline_days
        labels["finish_date"] = finish.isoformat() if finish else None
        labels["deadline_date"] = (
            date_at(scenario.time, deadline).isoformat() if deadline is not None else None
        )
    if scenario.organisation.cost_per_hour.currency:
        labels["currency"] = scenario.organisation.cost_per_hour.currency
    return labels
