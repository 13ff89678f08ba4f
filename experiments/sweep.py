"""Running a sweep: the coordinator that hands chunks of runs to workers and writes parts.

    run_sweep("experiment.yaml", out="results/x", workers=2)   -> the runs DataFrame

The coordinator keeps only what it needs to go on: the cells, a mask of the runs done, the
results not yet written (at most `part_rows` rows or `FLUSH_INTERVAL_S` seconds of them)
and a bounded number of chunks in flight. Its memory does not grow with the number of runs.

Ctrl+C (SIGINT) or SIGTERM stop a sweep without losing a finished run: no new chunk is
submitted, the chunks in flight run to their end and are collected, everything is written,
and then the sweep returns with `Outcome.interrupted` set (the Python API raises
KeyboardInterrupt). A second signal stops at once, still writing what was collected.

Chunks adapt to the runs' duration: small at first, then sized to take about
`TARGET_CHUNK_S` seconds, so progress stays lively and per-chunk overhead (pickling, Dask
scheduling) stays small. How runs are grouped never changes a result: each run depends
only on its scenario, policy and seed.
"""

from __future__ import annotations

import hashlib
import math
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from experiments.design import Design
from experiments.executors import Workers, open_workers
from experiments.extension import extension_of
from experiments.plan import Plan, make_plan
from experiments.progress import Progress
from experiments.runs_table import (
    STATUS_ERROR,
    STATUS_OK,
    input_column,
    run_columns,
    value_type,
)
from experiments.spec import Experiment, experiment_from_mapping, load_experiment
from experiments.store import FORMAT, ResultsFolder, check_folder, read_runs
from experiments.worker import Chunk, ChunkResult, Runner, run_chunk

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

DEFAULT_RESULTS = Path("results")
PART_ROWS = 1000
FLUSH_INTERVAL_S = 30.0
TARGET_CHUNK_S = 2.0
MAX_CHUNK = 200
CHUNKS_PER_WORKER = 4  # at least this many chunks per worker, for an even finish
IN_FLIGHT_PER_WORKER = 2
FAILURES_KEPT = 5
POLL_S = 0.5  # how often the coordinator looks at a stop request while runs are in flight
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@dataclass
class Outcome:
    """How a sweep went: counts, the first failures, and whether it was cut short."""

    folder: Path
    total: int
    done_before: int
    ran: int = 0
    failed: int = 0
    failed_before: int = 0
    failures: list[tuple[int, str]] = field(default_factory=list)
    elapsed_s: float = 0.0
    workers: str = ""
    stopped: str | None = None  # why the executor stopped, if it did
    interrupted: str | None = None  # the signal that stopped the sweep (SIGINT, SIGTERM)
    retried: int = 0  # failed runs removed to run again (retry_failed)
    extended: str = ""  # how the folder's sweep grew (replications, cells), if it did

    @property
    def done(self) -> int:
        """Runs in the results folder now."""
        return self.done_before + self.ran

    @property
    def complete(self) -> bool:
        """Every run of the experiment is in the folder."""
        return self.done >= self.total


# --- preparing --------------------------------------------------------------------------


def read_experiment(experiment: str | Path | dict[str, Any] | Experiment) -> Experiment:
    """An Experiment from a file path, a plain mapping (notebooks) or an Experiment."""
    if isinstance(experiment, Experiment):
        return experiment
    if isinstance(experiment, dict):
        return experiment_from_mapping(experiment, source="<experiment>", base_dir=".")
    return load_experiment(experiment)


def default_folder(experiment: Experiment) -> Path:
    """`results/<name>` with the name made safe for a folder."""
    safe = "".join(c if c.isalnum() or c in "._-" else "-" for c in experiment.name).strip(".-")
    return DEFAULT_RESULTS / (safe or "sweep")


def fingerprint(plan: Plan) -> str:
    """The identity of a sweep: the experiment and the scenario's content."""
    from simulator.run import scenario_hash

    text = f"{plan.experiment.fingerprint()}:{scenario_hash(plan.base_scenario)}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def build_manifest(plan: Plan) -> dict[str, Any]:
    """What `manifest.json` records: enough to resume, report and reproduce the sweep."""
    from simulator.kpis import KPI_NAMES
    from simulator.run import scenario_hash, versions

    experiment = plan.experiment
    design = plan.design
    parameters = [
        (key, value_type(cell[i] for cell in design.cells)) for i, key in enumerate(design.keys)
    ]
    return {
        "format": FORMAT,
        "name": experiment.name,
        "description": experiment.description,
        "fingerprint": fingerprint(plan),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "experiment_file": experiment.source,
        "experiment_text": experiment.text,
        "experiment": experiment.canonical(),
        "scenario": {
            "name": plan.base_scenario.name,
            "source": plan.scenario_source,
            "hash": scenario_hash(plan.base_scenario),
            "horizon_days": plan.base_scenario.time.horizon_days,
            "deadline_days": plan.base_scenario.project.deadline_days,
        },
        "policies": list(plan.policies),
        "replications": plan.replications,
        "base_seed": plan.base_seed,
        "seeds": "replicate r runs with seed base_seed + r, for every policy and every cell",
        "run_id": "(cell_id × replications + replicate) × len(policies) + policy index",
        "cell_count": plan.cell_count,
        "run_count": plan.run_count,
        "parameters": [key for key, _ in parameters],
        "kpis": list(KPI_NAMES),
        "record": {"daily": experiment.record_daily, "problems": experiment.record_problems},
        # Uncertain inputs are drawn per run: one column each, after the swept keys.
        "columns": run_columns(
            [*parameters, *((input_column(k), "float64") for k in plan.base_scenario.uncertain)],
            KPI_NAMES,
        ),
        "design": design.to_json(),
        "versions": versions(),
    }


def prepare(
    experiment: str | Path | dict[str, Any] | Experiment,
    out: str | Path | None = None,
    resume: bool = False,
) -> tuple[Plan, Path, dict[str, Any] | None]:
    """Check the experiment and the output folder: the plan, the folder, and its manifest
    when resuming. Raises InputError (nothing written) for anything wrong."""
    checked = read_experiment(experiment)
    plan = make_plan(checked)
    folder = Path(out) if out is not None else default_folder(checked)

    def extension(manifest: dict[str, Any]) -> Any:
        return extension_of(folder, manifest, plan, Design.from_json(manifest["design"]))

    manifest = check_folder(folder, fingerprint(plan), resume, checked.name, extension)
    if manifest is not None:
        stored = Design.from_json(manifest["design"])
        if len(stored) == plan.cell_count and stored != plan.design:
            # The same file drew other samples (another SALib version): keep the folder's.
            plan = make_plan(checked, design=stored)
    return plan, folder, manifest


def extended_manifest(plan: Plan, manifest: dict[str, Any]) -> dict[str, Any]:
    """The manifest of `plan`, the larger sweep that extends the one of `manifest`.

    The folder keeps its creation time, its column types (fixed by part 0) and the
    replications of its first layout (record parts written then carry no layout tag)."""
    new = build_manifest(plan)
    new["created"] = manifest["created"]
    new["columns"] = manifest["columns"]
    new["first_replications"] = manifest.get("first_replications", manifest["replications"])
    step = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "replications": [manifest["replications"], plan.replications],
        "cells": [manifest["cell_count"], plan.cell_count],
    }
    new["extended"] = [*manifest.get("extended", []), step]
    return new


# --- running ----------------------------------------------------------------------------------


def execute(
    plan: Plan,
    folder: Path,
    workers: Workers,
    manifest: dict[str, Any] | None = None,
    show_progress: bool | None = None,
    part_rows: int = PART_ROWS,
    shuffle: int | None = None,
    runner: Runner | None = None,
    retry_failed: bool = False,
) -> Outcome:
    """Run every run of `plan` not yet in `folder`, writing parts as results come in.

    `manifest` is the folder's manifest when resuming (None: a new folder is created); when
    `plan` is a larger sweep than the manifest's (`experiments.extension`), the folder is
    extended first. `retry_failed` runs again the runs recorded as errors. `shuffle`
    submits runs in a random order (seeded): results are the same, but progress and ETA
    are more even when some cells are much slower than others.
    """
    start = time.perf_counter()
    extended = ""
    retried = 0
    if manifest is None:
        store = ResultsFolder.create(folder, build_manifest(plan))
    else:
        store = ResultsFolder.reopen(folder, manifest)
    try:
        if manifest is not None and manifest.get("fingerprint") != fingerprint(plan):
            grown = extended_manifest(plan, manifest)
            store.replace_manifest(grown)
            store.renumber()
            step = grown["extended"][-1]
            extended = ", ".join(
                f"{what} {before} -> {after}"
                for what in ("replications", "cells")
                for before, after in [step[what]]
                if before != after
            )
        if retry_failed:
            retried = store.drop_failed()
        done, failed_before = store.completed(plan.run_count)
        outcome = Outcome(
            folder=folder,
            total=plan.run_count,
            done_before=int(done.sum()),
            failed_before=failed_before,
            workers=workers.description,
            retried=retried,
            extended=extended,
        )
        progress = Progress(
            plan.run_count, outcome.done_before, plan.experiment.name, show=show_progress
        )
        try:
            _Coordinator(plan, store, workers, outcome, progress, part_rows, runner).run(
                _order(plan.run_count, done, shuffle)
            )
        finally:
            progress.close()
    finally:
        store.close()
    outcome.elapsed_s = time.perf_counter() - start
    outcome.workers = workers.description  # where the runs went (a pool on demand decides)
    return outcome


def _order(total: int, done: np.ndarray, shuffle: int | None) -> Iterator[int]:
    import numpy as np

    ids = np.arange(total) if shuffle is None else np.random.default_rng(shuffle).permutation(total)
    for run_id in ids:
        if not done[run_id]:
            yield int(run_id)


class _Coordinator:
    """The submit / collect / write loop of one sweep."""

    def __init__(
        self,
        plan: Plan,
        store: ResultsFolder,
        workers: Workers,
        outcome: Outcome,
        progress: Progress,
        part_rows: int,
        runner: Runner | None,
    ):
        self.plan = plan
        self.store = store
        self.workers = workers
        self.outcome = outcome
        self.progress = progress
        self.part_rows = max(1, part_rows)
        self.runner = runner
        self.rows: list[dict[str, Any]] = []
        self.daily: list[Any] = []
        self.problems: list[Any] = []
        self.last_flush = time.monotonic()
        self.seconds_per_run: float | None = None
        self.remaining = outcome.total - outcome.done_before
        self.experiment = plan.experiment

    def run(self, order: Iterator[int]) -> None:
        in_flight: dict[Future, int] = {}
        limit = self.workers.parallelism * IN_FLIGHT_PER_WORKER
        with _StopRequest(lambda: sum(in_flight.values())) as stop:
            # A pool that can be forked from here may start before any run is timed.
            self.workers.consider(self.remaining, self.seconds_per_run)
            try:
                exhausted = False
                while True:
                    while not exhausted and not stop.signal and len(in_flight) < limit:
                        chunk = self._next_chunk(order)
                        if chunk is None:
                            exhausted = True
                            break
                        future = self.workers.executor.submit(run_chunk, chunk)
                        in_flight[future] = len(chunk.runs)
                        if future.done():
                            # It ran here: collect it first, so that a pool on demand
                            # hears how long runs take before the next chunk is placed.
                            break
                    if not in_flight:
                        break
                    # Short waits: a stop request is seen within POLL_S.
                    finished, _ = wait(list(in_flight), timeout=POLL_S, return_when=FIRST_COMPLETED)
                    for future in finished:
                        in_flight.pop(future)
                        self._collect(future.result())
                    self._maybe_flush()
            except Exception as exc:
                # The executor itself failed (a worker died, the scheduler went away): keep
                # what is done; the rest runs with --resume.
                self.outcome.stopped = f"{type(exc).__name__}: {exc}".strip().rstrip(":")
            finally:
                # Also after a second signal (KeyboardInterrupt): what was collected is
                # written; signals now only mark the stop, so the writing is not cut short.
                stop.writing = True
                for future in in_flight:
                    future.cancel()
                self._flush()
            self.outcome.interrupted = stop.signal

    def _chunk_size(self) -> int:
        parallelism = self.workers.parallelism
        even = (
            math.ceil(self.remaining / (parallelism * CHUNKS_PER_WORKER)) if self.remaining else 1
        )
        if self.seconds_per_run is None:
            return 1  # the first chunks measure how long a run takes
        timed = max(1, round(TARGET_CHUNK_S / max(self.seconds_per_run, 1e-6)))
        return max(1, min(MAX_CHUNK, timed, even))

    def _next_chunk(self, order: Iterator[int]) -> Chunk | None:
        size = self._chunk_size()
        runs = []
        scenarios: dict[int, Any] = {}
        for run_id in order:
            spec = self.plan.run(run_id)
            if spec.cell_id not in scenarios:
                try:
                    scenarios[spec.cell_id], policies = self.plan.cell_setup(spec.cell_id)
                except Exception as exc:
                    self._record_failure(spec.run_id, f"{type(exc).__name__}: {exc}")
                    continue
            else:
                policies = self.plan.cell_setup(spec.cell_id)[1]
            runs.append((run_id, spec.cell_id, policies[spec.policy_index], spec.seed))
            if len(runs) >= size:
                break
        if not runs:
            return None
        self.remaining -= len(runs)
        return Chunk(
            runs=runs,
            scenarios=scenarios,
            record_daily=self.experiment.record_daily,
            record_problems=self.experiment.record_problems,
            runner=self.runner,
        )

    def _row(self, row: dict[str, Any]) -> dict[str, Any]:
        spec = self.plan.run(row["run_id"])
        full = {
            "run_id": spec.run_id,
            "cell_id": spec.cell_id,
            "policy": spec.policy,
            "replicate": spec.replicate,
            "seed": spec.seed,
        }
        full.update(zip(self.plan.design.keys, self.plan.design.cells[spec.cell_id], strict=True))
        full.update(row)
        return full

    def _record_failure(self, run_id: int, message: str) -> None:
        self._collect(
            ChunkResult(rows=[{"run_id": run_id, "status": STATUS_ERROR, "error": message}])
        )

    def _collect(self, result: ChunkResult) -> None:
        failures = 0
        elapsed = []
        for row in result.rows:
            self.rows.append(self._row(row))
            if row["status"] != STATUS_OK:
                failures += 1
                if len(self.outcome.failures) < FAILURES_KEPT:
                    self.outcome.failures.append((row["run_id"], str(row.get("error"))))
            elif row.get("elapsed_s") is not None:
                elapsed.append(row["elapsed_s"])
        # Empty records (a run without problems) add nothing to a part.
        self.daily.extend(d for d in result.daily if not d.empty)
        self.problems.extend(p for p in result.problems if not p.empty)
        if elapsed:
            mean = sum(elapsed) / len(elapsed)
            previous = self.seconds_per_run
            self.seconds_per_run = mean if previous is None else 0.7 * previous + 0.3 * mean
            # A pool opened on demand starts once the runs left pay for its start.
            self.workers.consider(self.remaining, self.seconds_per_run)
        self.outcome.ran += len(result.rows)
        self.outcome.failed += failures
        self.progress.advance(len(result.rows), failures)

    def _maybe_flush(self) -> None:
        due = time.monotonic() - self.last_flush >= FLUSH_INTERVAL_S
        if len(self.rows) >= self.part_rows or (due and self.rows):
            self._flush()

    def _flush(self) -> None:
        while self.rows:
            batch, self.rows = self.rows[: self.part_rows], self.rows[self.part_rows :]
            ids = {r["run_id"] for r in batch}
            daily = [d for d in self.daily if _run_of(d) in ids]
            problems = [p for p in self.problems if _run_of(p) in ids]
            self.store.write_part(batch, daily, problems)
            self.daily = [d for d in self.daily if _run_of(d) not in ids]
            self.problems = [p for p in self.problems if _run_of(p) not in ids]
        self.last_flush = time.monotonic()


class _StopRequest:
    """SIGINT and SIGTERM while a sweep runs: the first asks the coordinator to stop after
    the chunks in flight (it notes which signal), the second raises KeyboardInterrupt.

    Only the main thread can handle signals; elsewhere (a sweep started from a thread)
    nothing is installed and signals keep their usual effect."""

    def __init__(self, runs_in_flight: Callable[[], int]):
        self.signal: str | None = None
        self.writing = False
        self._runs_in_flight = runs_in_flight
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> _StopRequest:
        if threading.current_thread() is threading.main_thread():
            for number in STOP_SIGNALS:
                self._previous[number] = signal.signal(number, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for number, previous in self._previous.items():
            signal.signal(number, previous)

    def _handle(self, number: int, frame: Any) -> None:
        if self.signal is None:
            self.signal = signal.Signals(number).name
            print(
                f"\n{self.signal}: stopping after the {self._runs_in_flight()} runs in flight "
                "(they are saved); Ctrl+C again stops at once",
                file=sys.stderr,
            )
        elif not self.writing:
            raise KeyboardInterrupt


def _run_of(frame: Any) -> int | None:
    # Each record frame holds one run (the worker builds one per run).
    if "run_id" not in frame or frame.empty:
        return None
    return int(frame["run_id"].iloc[0])


# --- the Python API ----------------------------------------------------------------------------


def run_sweep(
    experiment: str | Path | dict[str, Any] | Experiment,
    out: str | Path | None = None,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    progress: bool | None = None,
    part_rows: int = PART_ROWS,
    shuffle: int | None = None,
    runner: Callable[..., Any] | None = None,
    retry_failed: bool = False,
) -> pd.DataFrame:
    """Run an experiment (a file, or a mapping with the same keys) and return its runs.

    Results go to `out` (default `results/<name>`), exactly as `orgsim sweep` writes them;
    `resume=True` completes a folder holding this experiment, or extends it when the
    experiment asks for more replications or samples; with `retry_failed=True` the runs
    recorded as errors run again. Ctrl+C writes the runs finished, then raises
    KeyboardInterrupt. `workers` (default: all
    cores; 1 runs in this process) or `scheduler` (a Dask address or scheduler file) say
    where runs execute. Bad input raises `simulator.errors.InputError`; failing runs are
    rows with `status == "error"`. Returns the runs table sorted by run_id.
    """
    plan, folder, manifest = prepare(experiment, out, resume)
    with open_workers(workers, scheduler, on_demand=True) as opened:
        outcome = execute(
            plan,
            folder,
            opened,
            manifest,
            show_progress=progress,
            part_rows=part_rows,
            shuffle=shuffle,
            runner=runner,
            retry_failed=retry_failed,
        )
    if outcome.interrupted:
        raise KeyboardInterrupt(
            f"{outcome.interrupted}: {outcome.done} of {outcome.total} runs are saved in "
            f"{folder}: run again with resume=True"
        )
    if outcome.stopped:
        raise RuntimeError(
            f"the sweep stopped: {outcome.stopped}; {outcome.done} of {outcome.total} runs are "
            f"saved in {folder}: run again with resume=True"
        )
    return read_runs(folder)
