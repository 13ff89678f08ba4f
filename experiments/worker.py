"""What a worker does: run a chunk of runs and send back their KPIs (and records).

This module is what process-pool and Dask workers import (once per process: Python keeps
it). It is small on purpose: no pandas work beyond shaping the optional records, no file
access, no global state other than the imports. A run that raises becomes a row with
status `error` and the message; the rest of the chunk goes on.
"""

from __future__ import annotations

import os
import time
import traceback
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from experiments.runs_table import STATUS_ERROR, STATUS_OK, input_column

if TYPE_CHECKING:
    import pandas as pd

    from simulator.policies import Policy
    from simulator.schema import Scenario

MAX_ERROR_CHARS = 2000
# Tests only: a file to which each finished run appends its run_id and the process that ran
# it (which runs a stopped sweep must have saved, and where they ran). Appends of one short
# line are atomic between processes.
RUN_LOG = "ORGSIM_TEST_RUN_LOG"

Runner = Callable[["Scenario", "Policy | str", int], Any]


@dataclass
class Chunk:
    """Runs sent to a worker together: `(run_id, cell_id, policy, seed)` each, with the
    scenario of every cell they use (validated objects: workers read no files)."""

    runs: list[tuple[int, int, Policy, int]]
    scenarios: dict[int, Scenario]
    record_daily: bool = False
    record_problems: bool = False
    runner: Runner | None = None


@dataclass
class ChunkResult:
    """What came back: one row per run, and the long daily series / problem records."""

    rows: list[dict[str, Any]]
    daily: list[pd.DataFrame] = field(default_factory=list)
    problems: list[pd.DataFrame] = field(default_factory=list)


def warm_up() -> None:
    """Import the simulator once in a fresh worker process (process-pool initializer)."""
    import simulator.model
    import simulator.run  # noqa: F401


def kpis_of_run(scenario: Scenario, policy: Policy | str, seed: int) -> dict[str, Any]:
    """The KPIs of one run, without the frames of `simulator.run.run_one` (the same numbers:
    `run_one` returns `model.kpis()` of the same model)."""
    from simulator.model import OrgModel

    model = OrgModel(scenario, policy, rng=seed, collect_kpis=False)
    model.run_to_end()
    return model.kpis()


@dataclass
class _Kpis:
    kpis: dict[str, Any]


def _kpis_only(scenario: Scenario, policy: Policy | str, seed: int) -> _Kpis:
    return _Kpis(kpis_of_run(scenario, policy, seed))


def run_chunk(chunk: Chunk) -> ChunkResult:
    """Run every run of the chunk in turn; never raises for a failing run."""
    runner = chunk.runner
    if runner is None and not (chunk.record_daily or chunk.record_problems):
        # KPIs only: no frames of series and records, no metadata (the same KPIs).
        runner = _kpis_only
    elif runner is None:
        from simulator.run import run_one

        runner = run_one
    result = ChunkResult(rows=[])
    log = os.environ.get(RUN_LOG)
    with warnings.catch_warnings():
        # Mesa announces experimental APIs on first use; nothing for the results.
        warnings.simplefilter("ignore")
        for run_id, cell_id, policy, seed in chunk.runs:
            start = time.perf_counter()
            try:
                outcome = runner(chunk.scenarios[cell_id], policy, seed)
            except Exception as exc:
                result.rows.append(
                    {
                        "run_id": run_id,
                        "status": STATUS_ERROR,
                        "error": _message(exc),
                        "elapsed_s": time.perf_counter() - start,
                    }
                )
                _log(log, run_id)
                continue
            row = {"run_id": run_id, "status": STATUS_OK, "error": None}
            row.update(_input_values(chunk.scenarios[cell_id], seed))
            row.update(outcome.kpis)
            row["elapsed_s"] = time.perf_counter() - start
            result.rows.append(row)
            _log(log, run_id)
            if chunk.record_daily:
                result.daily.append(_long_daily(run_id, outcome.daily))
            if chunk.record_problems:
                result.problems.append(outcome.problems.assign(run_id=run_id))
    return result


def _log(log: str | None, run_id: int) -> None:
    if log:
        with open(log, "a", encoding="utf-8") as file:
            file.write(f"{run_id} {os.getpid()}\n")


def _input_values(scenario: Scenario, seed: int) -> dict[str, float]:
    """The run's draw of each uncertain input, by runs-table column (`input:KEY`)."""
    from simulator.uncertain import uncertain_draws

    return {input_column(k): v for k, v in uncertain_draws(scenario, seed).items()}


def _message(exc: BaseException) -> str:
    """`Type: message` and where it was raised, on one line, bounded in length."""
    text = f"{type(exc).__name__}: {exc}".strip()
    frames = traceback.extract_tb(exc.__traceback__)
    if frames:
        last = frames[-1]
        text += f" (at {last.filename.rsplit('/', 1)[-1]}:{last.lineno})"
    text = " ".join(text.split())
    return text[:MAX_ERROR_CHARS]


def _long_daily(run_id: int, daily: pd.DataFrame) -> pd.DataFrame:
    """The daily series as long rows (run_id, day, series, value): one schema whatever the
    organisation (each manager has its own queue column in the wide form)."""
    import pandas as pd

    if daily.empty or "day" not in daily:
        return pd.DataFrame({"run_id": [], "day": [], "series": [], "value": []})
    long = daily.melt(id_vars="day", var_name="series", value_name="value")
    long.insert(0, "run_id", run_id)
    return long
