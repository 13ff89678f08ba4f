"""`orgsim calibrate` and experiments.calibration: recovery of known values, reproducibility,
bad input, and the calibrated scenario it writes.

The recovery oracle: KPIs simulated with known values (other seeds than the calibration's)
are given as the observation; the fit must put each known value inside its 90% interval,
and that interval must be narrower than the prior. A tiny scenario (runs of a few
milliseconds) keeps the quick version fast; the thorough one (three keys, product-launch
sized budget) is marked slow.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest

from cli.main import main
from experiments.calibration import (
    CalibrationError,
    FitKey,
    calibrate,
    fit_keys,
    plan,
)
from experiments.observed import Observation, read_observed
from experiments.worker import kpis_of_run
from simulator.errors import InputError
from simulator.loading import load_scenario, with_values

HERE = Path(__file__).resolve().parent
TINY = HERE / "calibration" / "tiny.yaml"
CLAIMS = HERE.parents[1] / "examples" / "claims-division" / "scenario.yaml"
KPIS = ("problems_raised", "decision_wait_hours", "mean_resolution_hours", "lead_time_days")
POLICY = "hierarchical"


def observed_from(
    scenario, truth: dict[str, float], runs: int, kpis=KPIS, first_seed: int = 100_000
) -> Observation:
    """The mean KPIs of `runs` runs with `truth` set, on seeds the calibration never uses."""
    variant = with_values(scenario, truth)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rows = [kpis_of_run(variant, POLICY, first_seed + i) for i in range(runs)]
    values = {k: float(np.mean([r[k] for r in rows])) for k in kpis}
    return Observation("<simulated>", POLICY, values, dict.fromkeys(values, runs))


def assert_recovered(calibration, keys: list[FitKey], truth: dict[str, float]) -> None:
    for key in keys:
        fitted = calibration.fitted[key.key]
        assert fitted.low <= truth[key.key] <= fitted.high, (key.key, truth[key.key], fitted)
        assert fitted.low <= fitted.value <= fitted.high
        assert fitted.high - fitted.low < key.high - key.low, (key, fitted)


def test_recovers_problem_rate_and_decision_hours_from_their_kpis():
    # One observation, on fixed seeds. A 90% interval misses the truth once in ten
    # observations: over the observations of seeds 100_000·k + i (k = 0…11, 30 runs each)
    # the intervals held the problem rate 11 times and the decision time 11 times.
    scenario = load_scenario(TINY)
    truth = {"project.problem_rate": 0.2, "timing.decision_hours.mean": 3.5}
    observation = observed_from(scenario, truth, runs=30, first_seed=400_000)
    keys = fit_keys(scenario, list(truth))
    calibration = calibrate(scenario, observation, POLICY, keys, seed=11, budget=150)
    assert_recovered(calibration, keys, truth)
    # Away from the scenario's own values (0.12, 2.0): the fit moved towards the truth.
    assert calibration.fitted["project.problem_rate"].value > 0.12
    assert calibration.fitted["timing.decision_hours.mean"].value > 2.0
    assert calibration.simulations <= 150
    for kpi, quality in calibration.fit.items():
        assert quality.observed == observation.values[kpi]
        assert quality.runs == 30


@pytest.mark.slow
def test_recovers_three_keys_on_the_claims_division():
    scenario = load_scenario(CLAIMS)
    truth = {
        "project.problem_rate": 0.05,
        "timing.decision_hours.mean": 3.0,
        "rework.fraction": 0.5,
    }
    observation = observed_from(scenario, truth, runs=20, kpis=(*KPIS, "rework_hours"))
    keys = fit_keys(scenario, list(truth))
    calibration = calibrate(scenario, observation, POLICY, keys, seed=3, budget=400, workers=2)
    assert_recovered(calibration, keys, truth)


def test_the_same_seed_gives_the_same_fit_with_one_or_two_workers(monkeypatch):
    import experiments.compare

    scenario = load_scenario(TINY)
    observation = observed_from(scenario, {"project.problem_rate": 0.15}, runs=5)
    keys = fit_keys(scenario, ["project.problem_rate"])
    alone = calibrate(scenario, observation, POLICY, keys, seed=7, budget=80, workers=1)
    # A pool whatever the load of the machine, so that the runs really go to it.
    monkeypatch.setattr(experiments.compare, "pool_pays", lambda *args, **kwargs: True)
    pooled = calibrate(scenario, observation, POLICY, keys, seed=7, budget=80, workers=2)
    assert pooled.workers == 2 and alone.workers == 1
    assert {**pooled.as_json(), "workers": 1} == alone.as_json()


# --- keys and priors -----------------------------------------------------------------------


def test_prior_spans_a_third_to_three_times_the_value_within_the_schema_bounds():
    scenario = load_scenario(CLAIMS)
    rate, hours, availability = fit_keys(
        scenario,
        ["project.problem_rate", "timing.decision_hours.mean", "organisation.manager_availability"],
    )
    assert (rate.start, rate.low, rate.high) == pytest.approx((0.03, 0.01, 0.09))
    assert (hours.low, hours.high) == pytest.approx((2 / 3, 6.0))
    # manager_availability is a probability: 0.6 × 3 is cut to 1.
    assert (availability.low, availability.high) == pytest.approx((0.2, 1.0))


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("project.problem_rat", "did you mean 'project.problem_rate'"),
        ("timing.decision_hours", "not a number in the scenario"),
        ("name", "not a number in the scenario"),
        ("organisation.departments[nope].expertise", "no entry named 'nope'"),
    ],
)
def test_keys_that_cannot_be_fitted(key, message):
    with pytest.raises(CalibrationError, match=message.replace("(", r"\(")):
        fit_keys(load_scenario(CLAIMS), [key])


def test_a_budget_too_small_for_a_surrogate_is_refused():
    assert plan(400, 3) == (45, 40)
    with pytest.raises(CalibrationError, match="at least 74"):
        plan(60, 2)


# --- observed files ------------------------------------------------------------------------


def test_yaml_and_csv_observations_read_alike(tmp_path):
    yaml_file = tmp_path / "observed.yaml"
    yaml_file.write_text("policy: cooperative\nruns: 4\nobserved:\n  lead_time_days: 40\n")
    csv_file = tmp_path / "observed.csv"
    csv_file.write_text("kpi,value,policy,runs\nlead_time_days,40,cooperative,4\n")
    from_yaml, from_csv = read_observed(yaml_file), read_observed(csv_file)
    assert (from_yaml.policy, from_yaml.values, from_yaml.runs) == (
        from_csv.policy,
        from_csv.values,
        from_csv.runs,
    )
    assert from_yaml.values == {"lead_time_days": 40.0} and from_yaml.runs == {"lead_time_days": 4}


BAD_OBSERVED = {
    "observed.yaml": ("", "observed.yaml:1: the file is empty"),
    "typo.yaml": (
        "policy: cooperative\nobserved:\n  lead_time: 40\n",
        "typo.yaml:3: observed.lead_time: unknown KPI 'lead_time'; close names: lead_time_days",
    ),
    "words.yaml": (
        "policy: cooperative\nobserved:\n  lead_time_days: soon\n",
        "words.yaml:3: observed.lead_time_days: expected a number (got soon)",
    ),
    "runs.yaml": (
        "policy: cooperative\nruns: 2.5\nobserved:\n  lead_time_days: 40\n",
        "runs.yaml:2: runs: a whole number of runs",
    ),
    "nothing.yaml": ("policy: cooperative\n", "nothing.yaml:1: observed: required"),
    "broken.yaml": ("observed: [1,\n", "broken.yaml:"),
    "policy.yaml": (
        "policy: consensual\nobserved:\n  lead_time_days: 40\n",
        "policy.yaml: policy consensual: ",
    ),
    "extra.yaml": (
        "policy: cooperative\nobserve: {}\n",
        "extra.yaml:2: observe: unknown key",
    ),
    "typo.csv": (
        "kpi,value\nlead_time_days,40\nproblem_raised,3\n",
        "typo.csv:3: kpi: unknown KPI",
    ),
    "cells.csv": ("kpi,value\nlead_time_days\n", "cells.csv:2: expected 2 cells, found 1"),
    "column.csv": ("kpi,amount\n", "column.csv:1: unknown column 'amount'"),
    "header.csv": ("kpi,value\n", "header.csv:2: no KPI rows after the header"),
}


@pytest.mark.parametrize("name", sorted(BAD_OBSERVED))
def test_bad_observed_files_exit_2_with_one_line_and_write_nothing(name, tmp_path, capsys):
    text, expected = BAD_OBSERVED[name]
    observed = tmp_path / name
    observed.write_text(text)
    out = tmp_path / "calibrated.yaml"
    code = main(["calibrate", str(CLAIMS), "--observed", str(observed), "--out", str(out)])
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert code == 2
    assert len(lines) == 1, captured.err
    assert lines[0].startswith(f"error: {tmp_path}/") and expected in lines[0], lines[0]
    assert "Traceback" not in captured.err
    assert captured.out == "" and not out.exists()


def test_a_missing_observed_file_is_named(tmp_path, capsys):
    missing = tmp_path / "none.yaml"
    assert main(["calibrate", str(CLAIMS), "--observed", str(missing)]) == 2
    assert capsys.readouterr().err.strip() == f"error: {missing}: no such file"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--fit", "project.problem_rat"], "error: --fit project.problem_rat: not a key"),
        (["--fit", "rework"], "error: --fit rework: not a number in the scenario"),
        (["--policy", "cooperative"], "error: --policy cooperative: "),
        (["--budget", "20"], "error: --budget 20: too few simulations"),
        (["--workers", "0"], "error: --workers: must be at least 1"),
    ],
)
def test_bad_options_exit_2_with_one_line_and_write_nothing(args, expected, tmp_path, capsys):
    out = tmp_path / "calibrated.yaml"
    observed = CLAIMS.parent / "observed.yaml"
    code = main(["calibrate", str(CLAIMS), "--observed", str(observed), "--out", str(out), *args])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.err.strip().splitlines()[0].startswith(expected)
    assert len(captured.err.strip().splitlines()) == 1
    assert not out.exists()


def test_out_refuses_to_overwrite_the_scenario(tmp_path, capsys):
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(TINY.read_text())
    observed = tmp_path / "observed.yaml"
    observed.write_text("policy: hierarchical\nobserved: {problems_raised: 9}\n")
    before = scenario.read_text()
    code = main(["calibrate", str(scenario), "--observed", str(observed), "--out", str(scenario)])
    assert code == 2
    assert "is the scenario being calibrated" in capsys.readouterr().err
    assert scenario.read_text() == before


# --- the calibrated scenario ---------------------------------------------------------------


def test_out_writes_a_scenario_that_runs_with_the_fitted_values(tmp_path, capsys):
    observed = tmp_path / "observed.yaml"
    observed.write_text(
        "policy: hierarchical\nruns: 10\nobserved:\n  problems_raised: 14\n"
        "  decision_wait_hours: 30\n"
    )
    out = tmp_path / "sub" / "calibrated.yaml"
    out.parent.mkdir()
    args = ["calibrate", str(CLAIMS), "--observed", str(observed), "--out", str(out)]
    args += ["--fit", "project.problem_rate", "timing.decision_hours.mean", "--budget", "80"]
    args += ["--workers", "1", "--json", "--set", "project.deadline_days=50"]
    assert main(args) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result["fitted"]) == {"project.problem_rate", "timing.decision_hours.mean"}
    for fitted in result["fitted"].values():
        assert fitted["low"] <= fitted["value"] <= fitted["high"]
        assert fitted["prior_low"] <= fitted["low"] and fitted["high"] <= fitted["prior_high"]
    assert set(result["fit"]) == {"problems_raised", "decision_wait_hours"}
    assert result["fit"]["problems_raised"]["observed"] == 14
    # The file loads from another folder (plan and people files found), with the fitted
    # values and the --set value in it, and `orgsim run` runs it.
    calibrated = load_scenario(out)
    assert calibrated.project.problem_rate == result["fitted"]["project.problem_rate"]["value"]
    assert (
        calibrated.timing.decision_hours.mean
        == result["fitted"]["timing.decision_hours.mean"]["value"]
    )
    assert calibrated.project.deadline_days == 50
    assert len(calibrated.project.tasks) == len(load_scenario(CLAIMS).project.tasks)
    assert main(["run", str(out), "--policy", "hierarchical", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["scenario"] == "claims-division"


def test_the_shipped_observed_file_is_read():
    observation = read_observed(CLAIMS.parent / "observed.yaml")
    assert observation.policy == "claims-stays-hierarchical"
    assert set(observation.runs.values()) == {5}
    with pytest.raises(InputError):
        read_observed(CLAIMS)  # a scenario is not an observation
