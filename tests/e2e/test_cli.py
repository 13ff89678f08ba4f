"""The `orgsim` command line, run for real in a subprocess.

Small projects (`project.tasks=40`) and 2–3 replications keep the whole file quick.
"""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from cli.main import main
from simulator.kpis import KPI_NAMES
from simulator.loading import builtin_names

SMALL = ["--set", "project.tasks=40"]
PRESET_ORDER = ["hierarchical", "cooperative", "self_managed"]
STAT_KEYS = {"mean", "ci_low", "ci_high", "p50", "p90"}
DIFF_KEYS = {"mean", "ci_low", "ci_high"}


def orgsim(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None):
    """Run `python -m cli ARGS` (what `orgsim ARGS` runs) and return the completed process."""
    environment = {k: v for k, v in os.environ.items() if k != "ORGSIM_DEBUG"}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environment,
        timeout=120,
    )


def assert_bad_input(result) -> None:
    """Exit 2, one `error:` line on stderr, no traceback, nothing on stdout."""
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_help_lists_the_commands():
    result = orgsim("--help")
    assert result.returncode == 0
    for command in ("run", "compare", "validate", "scenarios", "sweep", "report", "dashboard"):
        assert re.search(rf"^\s+{command}\b", result.stdout, flags=re.M), command


# --- orgsim run ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def run_json() -> subprocess.CompletedProcess:
    return orgsim("run", "product-launch", "--json", *SMALL, env={"PYTHONWARNINGS": "always"})


def test_run_json_is_one_object_with_every_kpi(run_json):
    assert run_json.returncode == 0, run_json.stderr
    record = json.loads(run_json.stdout)  # fails on anything but exactly one JSON document
    assert isinstance(record, dict)
    assert set(KPI_NAMES) | {"policy", "seed", "scenario"} <= set(record)
    assert record["policy"] == "cooperative"
    assert record["seed"] == 42  # the scenario's seed
    assert record["scenario"] == "product-launch"
    assert record["tasks_done"] == 40
    assert record["finished"] is True
    assert isinstance(record["lead_time_days"], float)


def test_run_is_deterministic_per_seed(run_json):
    again = orgsim("run", "product-launch", "--json", *SMALL)
    assert again.stdout == run_json.stdout
    other = json.loads(orgsim("run", "product-launch", "--json", "--seed", "7", *SMALL).stdout)
    assert other["seed"] == 7
    assert other["lead_time_days"] != json.loads(run_json.stdout)["lead_time_days"]


def test_run_table_shows_lead_time_and_units():
    result = orgsim("run", "product-launch", "--policy", "hierarchical", *SMALL)
    assert result.returncode == 0, result.stderr
    assert "lead time" in result.stdout.lower()
    assert "working days" in result.stdout
    assert "hierarchical" in result.stdout
    assert not result.stdout.lstrip().startswith("{")


def test_set_problem_rate_zero_removes_problems(run_json):
    assert json.loads(run_json.stdout)["problems_raised"] > 0
    result = orgsim("run", "product-launch", "--json", *SMALL, "--set", "project.problem_rate=0")
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["problems_raised"] == 0
    assert record["mean_resolution_hours"] is None


def test_run_out_writes_complete_files(tmp_path, run_json):
    out = tmp_path / "deep" / "run"
    result = orgsim("run", "product-launch", "--json", *SMALL, "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert json.loads((out / "kpis.json").read_text()) == json.loads(run_json.stdout)
    with (out / "daily.csv").open() as f:
        daily = list(csv.DictReader(f))
    assert daily and {"day", "tasks_done"} <= set(daily[0])
    with (out / "problems.csv").open() as f:
        header = next(csv.reader(f))
    assert {"raised_at", "resolved_at", "severity", "route", "quality"} <= set(header)
    assert json.loads((out / "metadata.json").read_text())["seed"] == 42
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")]  # no temporary files


def test_run_scenario_policy_and_dash_alias(tmp_path):
    hybrid = json.loads(
        orgsim("run", "product-launch", "--policy", "hybrid", "--json", *SMALL).stdout
    )
    assert hybrid["policy"] == "hybrid"
    alias = json.loads(
        orgsim("run", "product-launch", "--policy", "self-managed", "--json", *SMALL).stdout
    )
    assert alias["policy"] == "self_managed"


# --- orgsim compare ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compare_json() -> dict:
    result = orgsim("compare", "product-launch", "--replications", "3", "--json", *SMALL)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_compare_json_structure(compare_json):
    assert set(compare_json) == {"policies", "differences", "headline"}
    assert list(compare_json["policies"]) == PRESET_ORDER
    assert list(compare_json["differences"]) == PRESET_ORDER
    for policy in PRESET_ORDER:
        stats = compare_json["policies"][policy]
        for kpi in (
            "lead_time_days",
            "work_hours",
            "rework_hours",
            "coordination_hours",
            "decision_wait_hours",
            "information_wait_hours",
            "manager_utilization",
            "labour_cost",
        ):
            assert set(stats[kpi]) == STAT_KEYS
            assert stats[kpi]["ci_low"] <= stats[kpi]["mean"] <= stats[kpi]["ci_high"]
            assert set(compare_json["differences"][policy][kpi]) == DIFF_KEYS
        assert stats["finished"]["mean"] == 1.0
    for kpi, diff in compare_json["differences"]["hierarchical"].items():
        assert diff["mean"] == pytest.approx(0.0, abs=1e-9), kpi
    lead = compare_json["policies"]
    coop_minus_hier = (
        lead["cooperative"]["lead_time_days"]["mean"]
        - lead["hierarchical"]["lead_time_days"]["mean"]
    )
    assert compare_json["differences"]["cooperative"]["lead_time_days"]["mean"] == pytest.approx(
        coop_minus_hier
    )
    assert re.search(r"finished earlier than \w+ in \d of 3 paired runs", compare_json["headline"])


def test_compare_plain_output(compare_json):
    result = orgsim("compare", "product-launch", "--replications", "3", *SMALL)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == compare_json["headline"]
    assert re.search(r"wins in \d of 3", result.stdout)
    assert "95% CI" in result.stdout
    assert result.stderr == ""  # no progress bar when stderr is not a terminal


def test_compare_out_and_chosen_policies(tmp_path):
    out = tmp_path / "cmp"
    result = orgsim(
        "compare",
        "product-launch",
        "--policies",
        "cooperative,hybrid",
        "--replications",
        "2",
        "--seed",
        "9",
        "--json",
        *SMALL,
        "--out",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    assert list(json.loads(result.stdout)["policies"]) == ["cooperative", "hybrid"]
    with (out / "runs.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 4
    assert list(rows[0])[:3] == ["policy", "replicate", "seed"]
    assert set(KPI_NAMES) <= set(rows[0])
    assert {(r["policy"], r["replicate"], r["seed"]) for r in rows} == {
        ("cooperative", "0", "9"),
        ("hybrid", "0", "9"),
        ("cooperative", "1", "10"),
        ("hybrid", "1", "10"),
    }
    with (out / "summary.csv").open() as f:
        summary = list(csv.DictReader(f))
    assert {"policy", "kpi", "mean", "ci_low", "ci_high", "p50", "p90"} <= set(summary[0])
    assert {(r["policy"], r["kpi"]) for r in summary} >= {("hybrid", "lead_time_days")}


def test_compare_is_deterministic(compare_json):
    again = orgsim("compare", "product-launch", "--replications", "3", "--json", *SMALL)
    assert json.loads(again.stdout) == compare_json


def test_compare_flags_runs_that_hit_the_horizon():
    result = orgsim(
        "compare",
        "product-launch",
        "--policies",
        "hierarchical,cooperative",
        "--replications",
        "2",
        *SMALL,
        "--set",
        "time.horizon_days=3",
    )
    assert result.returncode == 0, result.stderr
    headline = result.stdout.splitlines()[0]
    assert "hit the horizon" in headline and "hierarchical 2 of 2, cooperative 2 of 2" in headline
    assert "lead time is a lower bound: 2 of 2 runs hit the horizon" in result.stdout
    assert "≥ 3.0" in result.stdout


# --- orgsim scenarios and validate --------------------------------------------------------------------


def test_scenarios_lists_every_builtin():
    result = orgsim("scenarios")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == builtin_names()
    assert all(len(line.split(None, 1)) == 2 for line in lines)  # every name has a description

    listed = json.loads(orgsim("scenarios", "--json").stdout)
    assert [s["name"] for s in listed] == builtin_names()
    for entry in listed:
        assert set(entry) == {"name", "description", "people", "tasks"}
        assert "\n" not in entry["description"]
    launch = next(s for s in listed if s["name"] == "product-launch")
    assert (launch["people"], launch["tasks"]) == (12 + 5 + 6 + 2 + 4 + 1, 150)


def test_validate_prints_implications():
    result = orgsim("validate", "product-launch")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "valid" in out and "150 tasks" in out
    # engineering: 150 tasks × 12/25 = 72; 0.02 × 1.0 × 2 × (1 − 0.7) × 24 h = 0.288 per task
    assert "72 tasks × 0.29 per task = 20.7" in out
    # The 20.7 problems spread over the shortest the plan allows with everyone on the project
    # half the day (not 12 collaborators at once, full time: 5.8 a week and 29%); the
    # manager is there half the day, so deciding takes twice the share of the time they give.
    assert re.search(
        r"engineering\s+manager: 1\.3 problems a week × 2 h, busy deciding up to 7% of the day"
        r" \(13% of the 50% they are there\)",
        out,
    )
    assert "bottleneck" not in out


def test_validate_warns_of_a_saturated_hierarchy():
    result = orgsim("validate", "product-launch", "--set", "project.problem_rate=0.2")
    assert result.returncode == 0
    assert (
        "engineering: deciding alone would keep its first-line manager busy 100%" in result.stdout
    )
    assert "the hierarchy will be the bottleneck" in result.stdout
    assert "legal: deciding" not in result.stdout  # λ × 2 h = 2 × 0.08 × 2 = 0.32


def test_validate_reports_every_bad_file(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: x\norganisation:\n  departments: []\nproject: {tasks: 3}\n")
    result = orgsim("validate", str(broken), "product-launch", str(tmp_path / "missing.yaml"))
    assert result.returncode == 2
    assert "product-launch: valid" in result.stdout
    assert f"error: {broken}:3: organisation.departments" in result.stderr
    assert f"error: {tmp_path / 'missing.yaml'}: no such file" in result.stderr
    assert "Traceback" not in result.stderr


# --- bad input ------------------------------------------------------------------------------------------


BAD_INPUTS = {
    "missing file": (["run", "missing/scenario.yaml"], "no such file"),
    "unknown scenario": (["run", "no-such-scenario"], "built-in"),
    "unknown policy": (
        ["run", "product-launch", "--policy", "anarchy"],
        "--policy anarchy: unknown policy 'anarchy' (known: hierarchical",
    ),
    "unknown compared policy": (
        ["compare", "product-launch", "--policies", "hierarchical,anarchy"],
        "--policies anarchy: unknown policy",
    ),
    "policy twice": (
        ["compare", "product-launch", "--policies", "cooperative,cooperative"],
        "twice",
    ),
    "bad --set path": (
        ["run", "product-launch", "--set", "organisation.departments[nope].expertise=1"],
        "no entry named 'nope'",
    ),
    "negative problem rate": (
        ["run", "product-launch", "--set", "project.problem_rate=-1"],
        "project.problem_rate: must be at least 0",
    ),
    "no replications": (["compare", "product-launch", "--replications", "0"], "--replications"),
    "negative seed": (["run", "product-launch", "--seed", "-1"], "--seed"),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS), ids=list(BAD_INPUTS))
def test_bad_input_exits_2_and_writes_nothing(case, tmp_path):
    args, message = BAD_INPUTS[case]
    out = tmp_path / "out"
    result = orgsim(*args, "--out", str(out), cwd=tmp_path)
    assert_bad_input(result)
    assert message in result.stderr
    assert not out.exists()


def test_bad_yaml_points_at_the_line(tmp_path):
    scenario = tmp_path / "bad.yaml"
    scenario.write_text("name: x\norganisation: [\n")
    result = orgsim("run", str(scenario), "--json")
    assert_bad_input(result)
    assert result.stderr.startswith(f"error: {scenario}:")


def test_out_that_is_a_file_is_bad_input(tmp_path):
    target = tmp_path / "taken"
    target.write_text("keep me")
    assert_bad_input(orgsim("run", "product-launch", *SMALL, "--out", str(target)))
    assert target.read_text() == "keep me"


def test_usage_errors_exit_2():
    result = orgsim("run")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert orgsim("compare", "product-launch", "--replications", "many").returncode == 2


def test_unexpected_failure_is_one_line_and_exit_1(monkeypatch, capsys):
    import simulator.loading

    def broken():
        raise RuntimeError("the model fell over\nsecond line")

    monkeypatch.setattr(simulator.loading, "builtin_names", broken)
    monkeypatch.delenv("ORGSIM_DEBUG", raising=False)
    assert main(["scenarios"]) == 1
    err = capsys.readouterr().err
    assert (
        err.strip()
        == "error: RuntimeError: the model fell over (ORGSIM_DEBUG=1 shows the traceback)"
    )

    monkeypatch.setenv("ORGSIM_DEBUG", "1")
    assert main(["scenarios"]) == 1
    assert "Traceback" in capsys.readouterr().err


@pytest.mark.parametrize(
    "args",
    [["scenarios", "--json"], ["run", "product-launch", *SMALL]],
    ids=["print", "rich table"],
)
def test_a_reader_that_goes_away_stops_the_output_quietly(args):
    # `orgsim ... | head -1`: the reader is gone before the results are written. That is
    # not a failure of the runs (exit 1) but a closed pipe: exit 141, nothing on stderr.
    environment = {k: v for k, v in os.environ.items() if k != "ORGSIM_DEBUG"}
    process = subprocess.Popen(
        [sys.executable, "-m", "cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=environment,
    )
    process.stdout.close()
    _, err = process.communicate(timeout=120)
    assert process.returncode == 141, err
    assert err == b""


def test_help_imports_nothing_heavy():
    # `orgsim --help` must answer at once: the command line loads no simulation libraries,
    # neither when its modules are imported nor when every command's parser is built.
    code = (
        "import sys, contextlib, io, cli.main\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "    cli.main.main(['--help'])\n"
        "heavy = ('mesa', 'pandas', 'numpy', 'scipy', 'networkx', 'solara', 'dask', 'rich')\n"
        "print(','.join(m for m in heavy if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""


def test_validate_names_values_that_cannot_act_and_run_warns_only_of_the_users_choices(tmp_path):
    scenario = tmp_path / "one-team.yaml"
    scenario.write_text(
        "name: one team\n"
        "organisation: {departments: [{name: ops, collaborators: 4}]}\n"
        "project: {tasks: 12, interdependence: 0}\n"
        "policies:\n"
        "  quiet: {base: cooperative, coordination: none}\n",
        encoding="utf-8",
    )
    checked = orgsim("validate", str(scenario))
    assert checked.returncode == 0
    warnings = [line for line in checked.stderr.splitlines() if line.startswith("warning: ")]
    # validate names every policy, presets included: the hierarchy never signs anything off.
    assert any(w.startswith("warning: policy hierarchical: authority: ") for w in warnings)
    assert any(w.startswith("warning: policy quiet: coordination: ") for w in warnings)
    # A run names what the user chose, not what a preset always leaves idle.
    ran = orgsim("run", str(scenario), "--policy", "quiet", "--json")
    assert ran.returncode == 0
    json.loads(ran.stdout)
    assert "warning: policy quiet: coordination: no task is linked" in ran.stderr
    preset = orgsim("run", str(scenario), "--policy", "hierarchical", "--json")
    assert "warning:" not in preset.stderr


@pytest.mark.parametrize(
    ("command", "written"),
    [
        (["compare", "workshop", "--replications", "2"], ["runs.csv", "summary.csv"]),
        (["run", "workshop"], ["kpis.json", "metadata.json", "daily.csv", "problems.csv"]),
        (["diagnose", "workshop", "--replications", "2", "--remedies", "0"], ["diagnosis.json"]),
    ],
    ids=["compare", "run", "diagnose"],
)
def test_out_never_replaces_an_earlier_run_unasked(tmp_path, command, written):
    out = tmp_path / "client"
    first = orgsim(*command, "--seed", "3", "--out", str(out))
    assert first.returncode == 0, first.stderr
    before = {name: (out / name).read_bytes() for name in written}
    # Another seed would write other numbers: refused, and the earlier files stay as they were.
    again = orgsim(*command, "--seed", "4", "--out", str(out))
    assert_bad_input(again)
    assert "--overwrite" in again.stderr and written[0] in again.stderr
    assert {name: (out / name).read_bytes() for name in written} == before
    replaced = orgsim(*command, "--seed", "4", "--out", str(out), "--overwrite")
    assert replaced.returncode == 0, replaced.stderr
    assert (out / written[0]).read_bytes() != before[written[0]]


def test_overwrite_without_out_is_refused():
    assert_bad_input(orgsim("compare", "workshop", "--replications", "2", "--overwrite"))
