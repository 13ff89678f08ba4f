"""Results folders of `orgsim sweep`, as the Experiments page reads them.

Only folders under the results root given to `orgsim dashboard --results` are listed or
opened: a folder is chosen by its name relative to the root, and a name that resolves
outside the root (`..`, an absolute path, a symbolic link leading out) is refused.

A results folder holds `manifest.json` and `runs/part-*.parquet` (one row per run: run_id,
cell_id, policy, replicate, seed, one column per swept key, status, error, every KPI,
elapsed_s), and after `orgsim report`, `summary.csv`, `report.html` and PNG figures.
Statistics here are for display (mean and 95% t-interval per policy and parameter value);
the reference statistics are those of `orgsim report`.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from simulator.kpis import KPI_NAMES

RUN_COLUMNS = ("run_id", "cell_id", "policy", "replicate", "seed", "status", "error", "elapsed_s")
MAX_DEPTH = 3  # how deep under the root results folders are looked for
DOWNLOAD_SUFFIXES = (".csv", ".png", ".html")


class FolderRefused(ValueError):
    """A results folder that may not be opened (outside the root, or not a results folder)."""


def is_results_folder(path: Path) -> bool:
    """A folder with runs (`runs/` or `manifest.json`)."""
    return (path / "runs").is_dir() or (path / "manifest.json").is_file()


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
        data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def load_runs(folder: Path) -> pd.DataFrame:
    """Every run of the folder (one row per run)."""
    runs_dir = folder / "runs"
    if not runs_dir.is_dir() or not any(runs_dir.glob("*.parquet")):
        return pd.DataFrame(columns=list(RUN_COLUMNS))
    return pd.read_parquet(runs_dir)


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
    known = set(RUN_COLUMNS) | set(KPI_NAMES)
    from_columns = [c for c in runs.columns if c not in known]
    ordered = [n for n in names if n in runs.columns] + [c for c in from_columns if c not in names]
    return [c for c in ordered if runs[c].nunique(dropna=True) > 1]


def _numeric(column: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)


def ok_runs(runs: pd.DataFrame) -> pd.DataFrame:
    """Runs that completed without error (status `ok`, or no status column)."""
    if "status" not in runs.columns:
        return runs
    return runs[runs["status"].astype(str) == "ok"]


@dataclass(frozen=True)
class Interval:
    """Mean and 95% confidence interval of a sample."""

    n: int
    mean: float
    low: float
    high: float


def mean_interval(values: Any) -> Interval:
    """Mean and 95% t-interval (the interval is the mean itself with one value)."""
    array = np.asarray(pd.to_numeric(pd.Series(values), errors="coerce").dropna(), dtype=float)
    n = len(array)
    if n == 0:
        return Interval(0, math.nan, math.nan, math.nan)
    mean = float(array.mean())
    if n == 1:
        return Interval(1, mean, mean, mean)
    half = float(stats.t.ppf(0.975, n - 1) * array.std(ddof=1) / math.sqrt(n))
    return Interval(n, mean, mean - half, mean + half)


def policy_table(runs: pd.DataFrame, kpi: str = "lead_time_days") -> pd.DataFrame:
    """By policy: runs, share finished, mean and 95% CI, median, 90th percentile of `kpi`."""
    rows = []
    good = ok_runs(runs)
    for policy, group in good.groupby("policy", sort=False):
        values = pd.to_numeric(group[kpi], errors="coerce")
        interval = mean_interval(values)
        finished = group["finished"].astype(bool).mean() if "finished" in group else math.nan
        rows.append(
            {
                "policy": policy,
                "runs": interval.n,
                "finished": finished,
                "mean": interval.mean,
                "ci_low": interval.low,
                "ci_high": interval.high,
                "p50": float(values.median()),
                "p90": float(values.quantile(0.9)),
            }
        )
    return pd.DataFrame(rows)


def by_parameter(runs: pd.DataFrame, kpi: str, parameter: str) -> pd.DataFrame:
    """Mean and 95% CI of `kpi` for each policy and value of a swept `parameter`."""
    rows = []
    good = ok_runs(runs)
    for (policy, value), group in good.groupby(["policy", parameter], sort=False, dropna=True):
        interval = mean_interval(group[kpi])
        rows.append(
            {
                "policy": policy,
                parameter: value,
                "runs": interval.n,
                "mean": interval.mean,
                "ci_low": interval.low,
                "ci_high": interval.high,
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
