"""Extending a sweep in its folder: more replications or more Sobol/Morris samples reuse the
runs done and end with exactly the folder a clean sweep of the larger experiment writes
(run ids, KPIs, daily series and problem records); any other change is refused with one
line and nothing touched."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from cli.main import main
from experiments.sweep import run_sweep

GRID = """\
name: grow
scenario: workshop
policies: [hierarchical, cooperative]
replications: {replications}
seed: 11
parameters:
  project.tasks: 20
  project.problem_rate: {{values: [0.02, 0.05]}}
record: {{daily: true, problems: true}}
"""

SAMPLED = """\
name: grow-sampled
scenario: workshop
policies: [cooperative]
replications: 2
seed: 5
design: {design}
samples: {samples}
parameters:
  project.tasks: 20
  project.problem_rate: {{min: 0.01, max: 0.06}}
  project.interdependence: {{values: [0.1, 0.5]}}
"""


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def table(folder: Path, name: str = "runs") -> pd.DataFrame:
    frame = pd.read_parquet(folder / name).drop(columns=["elapsed_s"], errors="ignore")
    keys = {"runs": ["run_id"], "daily": ["run_id", "day", "series"]}.get(
        name, ["run_id", "problem"]
    )
    return frame.sort_values(keys, kind="stable").reset_index(drop=True)


def assert_same_folder(found: Path, expected: Path, names=("runs",)) -> None:
    for name in names:
        pd.testing.assert_frame_equal(table(found, name), table(expected, name))


@pytest.fixture(scope="module")
def clean_five(tmp_path_factory) -> Path:
    """A clean sweep with 5 replications: what every extension to 5 must equal."""
    folder = tmp_path_factory.mktemp("clean")
    experiment = write(folder / "grow.yaml", GRID.format(replications=5))
    run_sweep(experiment, folder / "results", workers=1)
    return folder / "results"


def test_more_replications_give_the_rows_of_a_clean_sweep(tmp_path, clean_five, capsys):
    experiment = write(tmp_path / "grow.yaml", GRID.format(replications=3))
    out = tmp_path / "results"
    run_sweep(experiment, out, workers=1, part_rows=5)
    first = pd.read_parquet(out / "runs")
    assert len(first) == 12

    write(experiment, GRID.format(replications=5))
    # The documented command: the same file with more replications, and --resume.
    code = main(["sweep", str(experiment), "--out", str(out), "--resume", "--workers", "1"])
    printed = capsys.readouterr().out
    assert code == 0
    assert "12 done before (extended: replications 3 -> 5)" in printed
    assert_same_folder(out, clean_five, ("runs", "daily", "problems"))
    # The runs done were kept, not run again: their measured times are the first sweep's.
    order = ["cell_id", "replicate", "policy"]
    runs = pd.read_parquet(out / "runs")
    kept = runs[runs["replicate"] < 3].sort_values(order)
    assert kept["elapsed_s"].tolist() == first.sort_values(order)["elapsed_s"].tolist()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["replications"] == 5 and manifest["run_count"] == 20
    assert manifest["first_replications"] == 3
    assert manifest["extended"][-1]["replications"] == [3, 5]


def test_an_extension_killed_while_renumbering_is_finished_by_resume(tmp_path, clean_five):
    experiment = write(tmp_path / "grow.yaml", GRID.format(replications=3))
    out = tmp_path / "results"
    run_sweep(experiment, out, workers=1, part_rows=4)
    write(experiment, GRID.format(replications=5))
    args = [sys.executable, "-m", "cli", "sweep", str(experiment), "--out", str(out)]
    args += ["--resume", "--workers", "1"]
    environment = {k: v for k, v in os.environ.items() if k != "ORGSIM_DEBUG"}
    killed = subprocess.run(
        args,
        env={**environment, "ORGSIM_TEST_KILL_AT": "renumber-3"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    half = pd.read_parquet(out / "runs")
    assert half["run_id"].is_unique  # a mix of layouts, but never a run twice
    assert main(["sweep", str(experiment), "--out", str(out), "--resume", "--workers", "1"]) == 0
    assert_same_folder(out, clean_five, ("runs", "daily", "problems"))


@pytest.mark.parametrize(("design", "small", "large"), [("sobol", 2, 4), ("morris", 2, 3)])
def test_more_samples_keep_the_points_run(tmp_path, design, small, large):
    experiment = write(tmp_path / "s.yaml", SAMPLED.format(design=design, samples=small))
    out = tmp_path / "grown"
    run_sweep(experiment, out, workers=1)
    cells_before = json.loads((out / "manifest.json").read_text())["design"]["cells"]

    write(experiment, SAMPLED.format(design=design, samples=large))
    run_sweep(experiment, out, workers=1, resume=True)
    clean = tmp_path / "clean"
    run_sweep(experiment, clean, workers=1)

    cells_after = json.loads((out / "manifest.json").read_text())["design"]["cells"]
    assert len(cells_after) > len(cells_before)
    assert cells_after[: len(cells_before)] == cells_before
    assert_same_folder(out, clean)


def refused(tmp_path: Path, out: Path, text: str, *flags: str) -> None:
    """Run `orgsim sweep` on a changed file: exit 2, one line, nothing in `out` touched."""
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    changed = write(tmp_path / "changed.yaml", text)
    args = ["sweep", str(changed), "--out", str(out), "--workers", "1", *flags]
    assert main(args) == 2
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == before


@pytest.fixture
def started(tmp_path) -> Path:
    out = tmp_path / "results"
    run_sweep(write(tmp_path / "grow.yaml", GRID.format(replications=2)), out, workers=1)
    return out


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (("[0.02, 0.05]", "[0.02, 0.06]"), "parameters (keys, levels or ranges)"),
        (("seed: 11", "seed: 12"), "(seed)"),
        (("[hierarchical, cooperative]", "[hierarchical, self_managed]"), "(policies)"),
        (("replications: 2", "replications: 1"), "fewer replications: 2 -> 1"),
        (("tasks: 20", "tasks: 20\n  project.interdependence: 0.2"), "parameters"),
    ],
)
def test_a_changed_experiment_is_refused_naming_the_change(
    tmp_path, started, capsys, change, named
):
    text = GRID.format(replications=2).replace(*change)
    refused(tmp_path, started, text, "--resume")
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert "has changed since" in err and named in err
    assert "only more replications or samples extend a sweep" in err


def test_an_extension_needs_resume(tmp_path, started, capsys):
    refused(tmp_path, started, GRID.format(replications=4))
    err = capsys.readouterr().err
    assert "fewer runs (replications 2 -> 4): add --resume to extend it" in err
    assert len(err.strip().splitlines()) == 1


def test_a_latin_hypercube_cannot_grow(tmp_path, capsys):
    out = tmp_path / "lhs"
    run_sweep(write(tmp_path / "l.yaml", SAMPLED.format(design="lhs", samples=2)), out, workers=1)
    capsys.readouterr()
    refused(tmp_path, out, SAMPLED.format(design="lhs", samples=3), "--resume")
    err = capsys.readouterr().err
    assert "a Latin hypercube of another size moves every point: lhs cannot grow" in err
    assert len(err.strip().splitlines()) == 1
