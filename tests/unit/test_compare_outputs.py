"""What `compare` tells a client: every policy in the headline, P(beats) and sensitivity
across uncertain inputs, costs in the scenario's currency, finish dates on its calendar."""

from __future__ import annotations

import datetime
import math
import re
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from cli.tables import print_comparison
from experiments.compare import finish_dates, headline, run_replications, summarise
from experiments.runs_table import input_column
from experiments.statistics import mean_ci
from experiments.uncertainty import uncertainty_summary
from simulator.calendar import working_date
from simulator.loading import load_scenario
from simulator.uncertain import uncertain_draws
from tests.unit.test_compare import runs_table

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "uncertain-workshop.yaml"
RATE = "project.problem_rate"
POLICIES = ["hierarchical", "cooperative"]
REPLICATIONS = 20


@pytest.fixture(scope="module")
def scenario():
    # Only the problem rate is uncertain, over a wide range: problems are what a hierarchy
    # handles worst (escalation waits), so the more problems, the more cooperation gains.
    return load_scenario(
        FIXTURE,
        [
            "organisation.manager_availability=0.5",
            "organisation.departments[0].expertise=0.65",
            f"{RATE}={{uncertain: {{min: 0.0, max: 0.15}}}}",
        ],
    )


@pytest.fixture(scope="module")
def runs(scenario):
    return run_replications(scenario, POLICIES, REPLICATIONS, base_seed=5)


def lead_times(runs, policy):
    rows = runs.loc[runs["policy"] == policy].sort_values("replicate")
    return rows["lead_time_days"].to_numpy(dtype=float)


# --- uncertain inputs in the runs table and the summary -------------------------------------------


def test_the_runs_table_has_each_replications_draw_for_every_policy(runs, scenario):
    column = input_column(RATE)
    assert list(runs.columns[:4]) == ["policy", "replicate", "seed", column]
    for (_, seed), rows in runs.groupby(["replicate", "seed"]):
        assert rows[column].tolist() == [uncertain_draws(scenario, seed)[RATE]] * len(POLICIES)
    assert runs[column].nunique() == REPLICATIONS


def test_p_beats_is_the_share_of_paired_runs_won(runs):
    wins = int((lead_times(runs, "cooperative") < lead_times(runs, "hierarchical")).sum())
    summary = uncertainty_summary(runs, POLICIES)
    assert summary["p_beats"] == {"cooperative": wins / REPLICATIONS}


def test_sensitivity_is_spearman_between_draws_and_the_paired_difference(runs):
    rates = runs.loc[runs["policy"] == "cooperative"].sort_values("replicate")[input_column(RATE)]
    difference = lead_times(runs, "cooperative") - lead_times(runs, "hierarchical")
    expected = stats.spearmanr(rates, difference)
    summary = uncertainty_summary(runs, POLICIES)
    assert summary["sensitivity"][RATE] == pytest.approx(expected.statistic)
    assert summary["sensitivity_by_policy"] == {"cooperative": summary["sensitivity"]}
    # Direction of effect: a higher problem rate favours cooperation (its lead time minus
    # the hierarchy's falls), clearly at this sample size.
    assert expected.statistic < 0
    assert expected.pvalue < 0.05


def test_no_uncertain_inputs_no_uncertainty_summary():
    runs = runs_table({"a": [3, 4], "b": [2, 5]})
    assert uncertainty_summary(runs, ["a", "b"]) == {}


# --- the headline names every policy ---------------------------------------------------------------


def test_the_headline_names_every_policy_against_the_reference():
    runs = runs_table(
        {
            "hierarchical": [20, 22, 25, 21, 30],
            "cooperative": [10, 13, 15, 12, 19],
            "market": [22, 24, 26, 22, 33],
        }
    )
    text = headline(runs)
    clauses = text.rstrip(".").split("; ")
    assert clauses[0].startswith("cooperative finished earlier than hierarchical in 5 of 5")
    found = re.fullmatch(
        r"hierarchical finished earlier than market in (\d) of 5 paired runs, by "
        r"(\d+\.\d) working days on average \(95% CI (\d+\.\d)–(\d+\.\d)\)",
        clauses[1],
    )
    assert found, text
    gain = mean_ci(np.array([2.0, 2.0, 1.0, 1.0, 3.0]))  # market minus hierarchical
    assert found.group(1) == "5"
    assert float(found.group(2)) == pytest.approx(gain.mean, abs=0.05)
    assert float(found.group(3)) == pytest.approx(gain.ci_low, abs=0.05)
    assert float(found.group(4)) == pytest.approx(gain.ci_high, abs=0.05)


# --- dates and money ----------------------------------------------------------------------------------


def test_finish_dates_skip_weekends_and_holidays():
    scenario = load_scenario(FIXTURE)  # starts Monday 2027-03-01; Friday 03-05 a holiday
    summary = {"policies": {"a": {"lead_time_days": {"p50": 4.2, "p90": 6.0}}}}
    dates = finish_dates(summary, scenario)
    # Working days 0–3 are Mon–Thu; the 5th (index 4) is Monday 03-08, the 6th Tuesday 03-09.
    assert dates == {"a": {"finish_p50": "2027-03-08", "finish_p90": "2027-03-09"}}
    assert working_date(scenario.time, 4) == datetime.date(2027, 3, 8)
    assert finish_dates(summary, load_scenario("workshop")) == {}


def test_the_table_shows_the_currency_dates_on_time_share_and_p_beats(runs, scenario, capsys):
    summary = summarise(runs, POLICIES)
    extras = {"dates": finish_dates(summary, scenario), **uncertainty_summary(runs, POLICIES)}
    print_comparison(runs, summary, headline(runs, POLICIES), POLICIES, scenario, 5, extras)
    out = capsys.readouterr().out
    assert "cost units" not in out
    assert re.search(r"labour cost \(hours spent\).*EUR", out)
    assert re.search(r"staffing cost .*EUR", out)
    assert re.search(r"on time \(deadline\) .*share of runs", out)
    p50 = extras["dates"]["cooperative"]["finish_p50"]
    assert re.search(rf"cooperative\s+│\s+{p50}", out)
    share = extras["p_beats"]["cooperative"]
    rho = extras["sensitivity"][RATE]
    assert f"P(cooperative beats hierarchical) = {share:.2f}" in out
    said = f"depends most on problem rate (per hour of work) [{RATE}] (Spearman ρ = {rho:.2f}"
    assert said.replace("-", "−") in out
    assert not math.isnan(rho)
