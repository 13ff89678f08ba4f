"""Results folders: only under the root, read in the sweep's layout, summarised."""

from __future__ import annotations

import json
import math
import os

import pandas as pd
import pytest

from dashboards.result_charts import distribution_figure, parameter_figure, png_bytes
from dashboards.results import (
    FolderRefused,
    by_parameter,
    downloadable_files,
    kpi_columns,
    list_folders,
    load_runs,
    mean_interval,
    policy_table,
    resolve_folder,
    swept_parameters,
)


def fake_runs(n: int = 4) -> pd.DataFrame:
    rows = []
    for cell, rate in enumerate((0.01, 0.05)):
        for replicate in range(n):
            for policy, base in (("hierarchical", 30.0), ("cooperative", 25.0)):
                rows.append(
                    {
                        "run_id": len(rows),
                        "cell_id": cell,
                        "policy": policy,
                        "replicate": replicate,
                        "seed": replicate,
                        "project.problem_rate": rate,
                        "policy.autonomy": "minor",
                        "status": "ok",
                        "error": None,
                        "lead_time_days": base + 100 * rate + replicate,
                        "finished": True,
                        "messages": 10 * replicate,
                        "on_time": None,
                        "elapsed_s": 0.1,
                    }
                )
    rows.append(
        {**rows[0], "run_id": len(rows), "status": "error", "error": "boom", "lead_time_days": None}
    )
    return pd.DataFrame(rows)


def write_folder(path, runs=None):
    (path / "runs").mkdir(parents=True)
    (runs if runs is not None else fake_runs()).to_parquet(path / "runs" / "part-00000.parquet")
    (path / "manifest.json").write_text(json.dumps({"parameters": {"project.problem_rate": {}}}))
    (path / "summary.csv").write_text("a,b\n1,2\n")
    (path / "report.html").write_text("<html></html>")
    (path / ".part-tmp.parquet").write_text("hidden")
    return path


def test_folders_are_listed_relative_to_the_root(tmp_path):
    write_folder(tmp_path / "first")
    write_folder(tmp_path / "group" / "second")
    (tmp_path / "empty").mkdir()
    assert list_folders(tmp_path) == ["first", "group/second"]
    assert list_folders(tmp_path / "missing") == []


@pytest.mark.parametrize("name", ["..", "../x", "/etc", "first/../..", "", "a\x00b"])
def test_names_escaping_the_root_are_refused(tmp_path, name):
    root = tmp_path / "root"
    write_folder(root / "first")
    with pytest.raises(FolderRefused):
        resolve_folder(root, name)


def test_a_link_out_of_the_root_is_neither_listed_nor_opened(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    outside = write_folder(tmp_path / "outside")
    os.symlink(outside, root / "link")
    assert list_folders(root) == []
    with pytest.raises(FolderRefused):
        resolve_folder(root, "link")


def test_a_folder_without_runs_is_refused(tmp_path):
    (tmp_path / "plain").mkdir()
    with pytest.raises(FolderRefused):
        resolve_folder(tmp_path, "plain")


def test_runs_kpis_and_swept_parameters(tmp_path):
    folder = resolve_folder(tmp_path, write_folder(tmp_path / "first").name)
    runs = load_runs(folder)
    assert len(runs) == 17
    assert kpi_columns(runs) == ["lead_time_days", "messages"]  # numeric KPIs only
    # Swept: what varies (the manifest's first); a constant column is not a parameter.
    assert swept_parameters(runs, {"parameters": {"project.problem_rate": {}}}) == [
        "project.problem_rate"
    ]
    assert [f.name for f in downloadable_files(folder)] == ["report.html", "summary.csv"]


def test_policy_table_leaves_failed_runs_out():
    table = policy_table(fake_runs(), "lead_time_days").set_index("policy")
    assert table.loc["hierarchical", "runs"] == 8
    assert table.loc["cooperative", "mean"] == pytest.approx(25 + 3 + 1.5)
    assert table.loc["cooperative", "ci_low"] < table.loc["cooperative", "mean"]
    assert table.loc["cooperative", "finished"] == 1.0


def test_by_parameter_gives_a_mean_and_ci_per_policy_and_value():
    table = by_parameter(fake_runs(), "lead_time_days", "project.problem_rate")
    assert list(table["policy"]) == ["hierarchical"] * 2 + ["cooperative"] * 2
    assert list(table["project.problem_rate"]) == [0.01, 0.05] * 2
    row = table.iloc[0]
    assert row["mean"] == pytest.approx(30 + 1 + 1.5)
    assert row["ci_low"] < row["mean"] < row["ci_high"]


def test_mean_interval_matches_the_t_interval():
    interval = mean_interval([1.0, 2.0, 3.0, 4.0])
    assert interval.mean == 2.5
    assert interval.ci_high - interval.mean == pytest.approx(3.182446 * 1.290994 / 2, rel=1e-5)
    assert mean_interval([5.0]).ci_low == 5.0
    assert math.isnan(mean_interval([]).mean)


def test_figures_draw_numeric_and_categorical_parameters():
    runs = fake_runs()
    assert png_bytes(distribution_figure(runs)).startswith(b"\x89PNG")
    numeric = by_parameter(runs, "lead_time_days", "project.problem_rate")
    assert png_bytes(parameter_figure(numeric, "lead_time_days", "project.problem_rate"))
    runs["policy.autonomy"] = ["none", "major"] * (len(runs) // 2) + ["none"]
    categorical = by_parameter(runs, "lead_time_days", "policy.autonomy")
    assert png_bytes(parameter_figure(categorical, "lead_time_days", "policy.autonomy"))
