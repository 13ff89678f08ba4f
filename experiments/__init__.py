"""Experiments: sweeps over designs of scenario parameters and policies, their statistics,
sensitivity analyses and reports (DESIGN §7). The `orgsim` command line is in `cli/`.

The Python API for notebooks, loaded on first use (importing `experiments` stays cheap):

    from experiments import run_sweep, summarise, paired_differences, headline
    runs = run_sweep("experiments/files/span-of-control.yaml", out="results/span", workers=2)
    summary = summarise(runs)              # per cell × policy × KPI
    diffs = paired_differences(runs)       # policy − first policy, paired on seeds
    print(headline(runs))

`load_runs(DIR)` reads a results folder; `sensitivity(DIR)` gives Morris / Sobol / main
effect indices; `write_report(DIR)` the HTML report.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = [
    "Experiment",
    "headline",
    "load_experiment",
    "load_manifest",
    "load_runs",
    "make_plan",
    "markdown_summary",
    "paired_differences",
    "run_sweep",
    "sensitivity",
    "summarise",
    "write_report",
]

_LAZY = {
    "Experiment": ("experiments.spec", "Experiment"),
    "load_experiment": ("experiments.spec", "load_experiment"),
    "load_manifest": ("experiments.store", "read_manifest"),
    "load_runs": ("experiments.store", "read_runs"),
    "make_plan": ("experiments.plan", "make_plan"),
    "markdown_summary": ("experiments.tables", "markdown_summary"),
    "paired_differences": ("experiments.statistics", "paired_differences"),
    "headline": ("experiments.summaries", "headline"),
    "run_sweep": ("experiments.sweep", "run_sweep"),
    "summarise": ("experiments.summaries", "summarise"),
    "write_report": ("experiments.report", "write_report"),
}

if TYPE_CHECKING:
    from experiments.plan import make_plan
    from experiments.report import write_report
    from experiments.spec import Experiment, load_experiment
    from experiments.statistics import paired_differences
    from experiments.store import read_manifest as load_manifest
    from experiments.store import read_runs as load_runs
    from experiments.summaries import headline, summarise
    from experiments.sweep import run_sweep
    from experiments.tables import markdown_summary


def sensitivity(folder: Any, kpis: Any = ("lead_time_days",), policies: Any = None) -> Any:
    """Sensitivity indices of a results folder's KPIs per policy (see experiments.sensitivity)."""
    from experiments.design import Design
    from experiments.sensitivity import analyse
    from experiments.store import read_manifest, read_runs

    manifest = read_manifest(folder)
    if manifest is None:
        raise FileNotFoundError(f"{folder}: no manifest.json (not a sweep results folder)")
    design = Design.from_json(manifest["design"])
    return analyse(read_runs(folder), design, kpis=list(kpis), policies=policies)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module, attribute = _LAZY[name]
        return getattr(importlib.import_module(module), attribute)
    raise AttributeError(f"module 'experiments' has no attribute {name!r}")
