"""Results folders of `orgsim sweep`, as the Experiments page reads them.

Only folders under the results root given to `orgsim dashboard --results` are listed or
opened: a folder is chosen by its name relative to the root, and a name that resolves
outside the root (`..`, an absolute path, a symbolic link leading out) is refused.

A results folder holds `manifest.json` and `runs/part-*.parquet` (the runs table of
`experiments.runs_table`, read with `experiments.store`), and after `orgsim report`,
`summary.csv`, `report.html` and PNG figures. The figures here (mean and 95% t-interval
per policy and parameter value) are those of `experiments.statistics`, for display; with
a single run the interval is the run's value itself, so that a chart still shows a point.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd

from experiments.runs_table import NOT_KPIS, run_columns, successful
from experiments.statistics import Estimate, describe, mean_ci
from experiments.store import MANIFEST, RUNS, read_runs
from experiments.store import read_manifest as read_stored_manifest
from simulator.kpis import KPI_NAMES

# The columns of a folder without runs yet: those of a run without swept keys or KPIs.
EMPTY_COLUMNS = tuple(name for name, _ in run_columns([], []))
MAX_DEPTH = 3  # how deep under the root results folders are looked for
DOWNLOAD_SUFFIXES = (".csv", ".png", ".html")


class FolderRefused(ValueError):
    """A results folder that may not be opened (outside the root, or not a results folder)."""


def is_results_folder(path: Path) -> bool:
    """A folder with runs (`runs/` or `manifest.json`)."""
    return (path / RUNS).is_dir() or (path / MANIFEST).is_file()


def list_folders(root: Path) -> list[str]:
    """Results folders under `root`, as names relative to it (sorted, newest layout first)."""
    root = Path(root)
    if not root.is_dir():
        return []
    found: list[str] = []
    base = root.resolve()

    def visit(folder: Path, depth: int) -> None:
        if is_results_folder(folder):
            found.append("." if folder == root else folder.relative_to(root).as_posix())
            return
        if depth >= MAX_DEPTH:
            return
        try:
            children = sorted(
                p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")
            )
        except OSError:
            return
        for child in children:
            if child.resolve().is_relative_to(base):  # a link out of the root is not followed
                visit(child, depth + 1)

    visit(root, 0)
    return found


def resolve_folder(root: Path, name: str) -> Path:
    """The results folder `name` under `root`; FolderRefused if it escapes or is not one."""
    base = Path(root).resolve()
    if not name or Path(name).is_absolute() or "\x00" in name:
        raise FolderRefused(f"'{name}' is not a folder under the results root")
    candidate = (base / name).resolve()
    if not candidate.is_relative_to(base):
        raise FolderRefused(f"'{name}' is outside the results root")
    if not candidate.is_dir() or not is_results_folder(candidate):
        raise FolderRefused(f"'{name}' is not a results folder (no runs/ or manifest.json)")
    return candidate


def read_manifest(folder: Path) -> dict[str, Any]:
    """The folder's manifest (empty if missing or unreadable: the runs still tell enough)."""
    try:
        data = read_stored_manifest(folder)
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def load_runs(folder: Path) -> pd.DataFrame:
    """Every run of the folder (one row per run, in run_id order)."""
    runs_dir = folder / RUNS
    if not runs_dir.is_dir() or not any(runs_dir.glob("*.parquet")):
        return pd.DataFrame(columns=list(EMPTY_COLUMNS))
    return read_runs(folder)


def kpi_columns(runs: pd.DataFrame) -> list[str]:
    """KPIs present in the runs, in the public order, numeric only."""
    return [k for k in KPI_NAMES if k in runs.columns and _numeric(runs[k])]


def swept_parameters(runs: pd.DataFrame, manifest: dict[str, Any] | None = None) -> list[str]:
    """Columns for swept keys: the manifest's parameters, or whatever is not a run column."""
    named = (manifest or {}).get("parameters")
    if isinstance(named, dict):
        names = [str(k) for k in named]
    elif isinstance(named, list):
        names = [str(k) if not isinstance(k, dict) else str(k.get("key", "")) for k in named]
    else:
        names = []
    known = NOT_KPIS | set(KPI_NAMES)
    from_columns = [c for c in runs.columns if c not in known]
    ordered = [n for n in names if n in runs.columns] + [c for c in from_columns if c not in names]
    return [c for c in ordered if runs[c].nunique(dropna=True) > 1]


def _numeric(column: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)


def mean_interval(values: Any) -> Estimate:
    """Mean and 95% t-interval of the numbers among `values`; with a single number the
    interval is that number (not NaN: a chart still draws the point)."""
    estimate = mean_ci(pd.to_numeric(pd.Series(values), errors="coerce"))
    if estimate.n == 1:
        return estimate._replace(ci_low=estimate.mean, ci_high=estimate.mean)
    return estimate


def policy_table(runs: pd.DataFrame, kpi: str = "lead_time_days") -> pd.DataFrame:
    """By policy: runs, share finished, mean and 95% CI, median, 90th percentile of `kpi`."""
    rows = []
    good = successful(runs)
    for policy, group in good.groupby("policy", sort=False):
        values = pd.to_numeric(group[kpi], errors="coerce")
        interval = mean_interval(values)
        stat = describe(values)
        finished = group["finished"].astype(bool).mean() if "finished" in group else math.nan
        rows.append(
            {
                "policy": policy,
                "runs": interval.n,
                "finished": finished,
                "mean": interval.mean,
                "ci_low": interval.ci_low,
                "ci_high": interval.ci_high,
                "p50": stat["p50"],
                "p90": stat["p90"],
            }
        )
    return pd.DataFrame(rows)


def by_parameter(runs: pd.DataFrame, kpi: str, parameter: str) -> pd.DataFrame:
    """Mean and 95% CI of `kpi` for each policy and value of a swept `parameter`."""
    rows = []
    good = successful(runs)
    for (policy, value), group in good.groupby(["policy", parameter], sort=False, dropna=True):
        interval = mean_interval(group[kpi])
        rows.append(
            {
                "policy": policy,
                parameter: value,
                "runs": interval.n,
                "mean": interval.mean,
                "ci_low": interval.ci_low,
                "ci_high": interval.ci_high,
            }
        )
    table = pd.DataFrame(rows, columns=["policy", parameter, "runs", "mean", "ci_low", "ci_high"])
    # Policies in the order the runs list them, then values in increasing order.
    order = {p: i for i, p in enumerate(dict.fromkeys(good["policy"]))}
    table["_order"] = table["policy"].map(order)
    try:
        table = table.sort_values(["_order", parameter], kind="stable")
    except TypeError:  # values of mixed types: keep the runs' order
        table = table.sort_values("_order", kind="stable")
    return table.drop(columns="_order").reset_index(drop=True)


def downloadable_files(folder: Path) -> list[Path]:
    """Files of the folder worth downloading: summary CSVs, the HTML report, PNG figures."""
    files = []
    for path in sorted(folder.iterdir()):
        if (
            path.is_file()
            and path.suffix.lower() in DOWNLOAD_SUFFIXES
            and not path.name.startswith(".")
        ) and path.resolve().is_relative_to(folder):  # not a link out of the folder
            files.append(path)
    return files


def runs_csv(runs: pd.DataFrame) -> bytes:
    """The runs table as CSV (for a folder that has no summary.csv yet, or all the runs)."""
    return runs.to_csv(index=False).encode("utf-8")


# --- paired differences to a baseline policy -----------------------------------------------------


def paired_overall(runs: pd.DataFrame, kpi: str, baseline: str) -> pd.DataFrame:
    """Each policy minus `baseline`, run by run on the same seeds, over the whole folder:
    policy, replicates, mean, ci_low, ci_high (95%; each replicate's pairs averaged first,
    as the same seed meets every cell), pairs and wins (pairs where the policy's value was
    strictly lower)."""
    from experiments.summaries import gap_by_level, paired_gaps

    gaps = paired_gaps(runs, kpi, baseline)
    columns = ["policy", "replicates", "mean", "ci_low", "ci_high", "pairs", "wins"]
    if gaps.empty:
        return pd.DataFrame(columns=columns)
    return gap_by_level(gaps.assign(_all=0), "_all")[columns]


def paired_by_parameter(
    runs: pd.DataFrame, kpi: str, parameter: str, baseline: str
) -> pd.DataFrame:
    """Each policy minus `baseline` at each value of a swept `parameter` (the other swept
    keys averaged over): policy, the parameter, replicates, mean, ci_low, ci_high, pairs,
    wins (`experiments.summaries.gap_by_level`)."""
    from experiments.summaries import gap_by_level, paired_gaps

    gaps = paired_gaps(runs, kpi, baseline)
    columns = ["policy", parameter, "replicates", "mean", "ci_low", "ci_high", "pairs", "wins"]
    if gaps.empty or parameter not in gaps:
        return pd.DataFrame(columns=columns)
    return gap_by_level(gaps, parameter)[columns]
