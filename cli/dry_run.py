"""What `orgsim sweep --dry-run` prints: the design, the cells, the runs and an estimated
time (two runs are timed); also how a sweep's shape and durations read as text."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from experiments.plan import Plan

CELLS_SHOWN = 20
TIMED_RUNS = 2


def print_plan(
    plan: Plan,
    folder: Path,
    manifest: dict[str, Any] | None,
    workers: int | None,
    scheduler: str | None,
) -> None:
    """The design, the cells, the runs and an estimated time, on stdout."""
    from experiments.executors import cpu_count
    from experiments.store import count_done

    experiment = plan.experiment
    done = count_done(folder) if manifest is not None else 0
    left = plan.run_count - done
    print(f"experiment: {experiment.name} ({experiment.source})")
    source = "" if plan.scenario_source == plan.base_scenario.name else f" ({plan.scenario_source})"
    print(f"scenario:   {plan.base_scenario.name}{source}")
    print(f"design:     {plan.design.kind}, {_cells_text(plan)}")
    print(f"policies:   {', '.join(plan.policies)} (the first is the reference)")
    last = plan.base_seed + plan.replications - 1
    seeds = f"seed {plan.base_seed}" if plan.replications == 1 else f"seeds {plan.base_seed}–{last}"
    print(f"replications: {plan.replications} ({seeds}, shared by every policy and cell)")
    print(f"runs:       {plan.run_count} = {shape(plan)}")
    if manifest is not None:
        print(f"output:     {folder} holds {done} of them: --resume runs the other {left}")
    else:
        print(f"output:     {folder} (new)")
    per_run = _time_runs(plan)
    if isinstance(per_run, str):
        print(f"time:       could not time a run: {per_run}")
    elif scheduler is not None:
        print(
            f"time:       about {per_run:.3g} s per run here, {duration(per_run * left)} of "
            "computing: divide by the Dask cluster's worker threads"
        )
    else:
        count = workers or cpu_count()
        print(
            f"time:       about {per_run:.3g} s per run ({TIMED_RUNS} runs timed), about "
            f"{duration(per_run * left / count)} on {count} worker{'s' if count != 1 else ''}"
        )
    print()
    print(_cell_table(plan))


def shape(plan: Plan) -> str:
    """`N cells × P policies × R replications`."""
    cells = plan.cell_count
    policies = len(plan.policies)
    return (
        f"{cells} cell{'s' if cells != 1 else ''} × {policies} "
        f"polic{'ies' if policies != 1 else 'y'} × {plan.replications} "
        f"replication{'s' if plan.replications != 1 else ''}"
    )


def duration(seconds: float) -> str:
    """A duration as people say it: `4.2 s`, `12 min 05 s`, `3 h 20 min`."""
    if seconds < 60:
        return f"{seconds:.0f} s" if seconds >= 10 else f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {rest:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def _cells_text(plan: Plan) -> str:
    experiment = plan.experiment
    cells = plan.cell_count
    if not experiment.axes:
        return "1 cell (no parameter varies)"
    if plan.design.kind == "factorial":
        parts = " × ".join(f"{a.key} ({len(a.levels or ())})" for a in experiment.axes)
        return f"{cells} cell{'s' if cells != 1 else ''}: {parts}"
    if plan.design.kind in ("lhs", "sobol", "morris"):
        return f"{cells} cells sampled over {', '.join(plan.design.factors)}"
    return f"{cells} cell{'s' if cells != 1 else ''} over {', '.join(plan.design.keys)}"


def _cell_table(plan: Plan) -> str:
    keys = list(plan.design.keys)
    if not keys:
        return "cells: one cell, the scenario as it is"
    header = ["cell", *keys]
    rows = [
        [str(i), *(_value(v) for v in plan.design.cells[i])]
        for i in range(min(CELLS_SHOWN, plan.cell_count))
    ]
    widths = [max(len(r[j]) for r in [header, *rows]) for j in range(len(header))]
    lines = ["  ".join(h.rjust(w) for h, w in zip(header, widths, strict=True))]
    lines += ["  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    if plan.cell_count > CELLS_SHOWN:
        lines.append(f"... ({plan.cell_count - CELLS_SHOWN} more cells)")
    return "\n".join(lines)


def _value(value: Any) -> str:
    if value is None:
        return "(scenario)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def _time_runs(plan: Plan) -> float | str:
    """Seconds per run, from running the first cell's first and last policy once each."""
    import time

    from experiments.runs_table import STATUS_OK
    from experiments.worker import Chunk, run_chunk

    scenario, policies = plan.cell_setup(0)
    chosen = sorted({0, len(policies) - 1})[:TIMED_RUNS]
    chunk = Chunk(
        runs=[(i, 0, policies[i], plan.base_seed) for i in chosen], scenarios={0: scenario}
    )
    start = time.perf_counter()
    result = run_chunk(chunk)
    elapsed = time.perf_counter() - start
    failed = [r for r in result.rows if r["status"] != STATUS_OK]
    if failed:
        return str(failed[0]["error"])
    return elapsed / len(chunk.runs)
