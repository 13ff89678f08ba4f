"""`orgsim diagnose` without the command line: attribution of waits, the designed
bottleneck, and remedies that act."""

from __future__ import annotations

import pytest

from experiments.diagnose import diagnose
from experiments.diagnosis import UNATTRIBUTED, WAIT_KINDS, diagnose_run, summarise_runs
from experiments.remedies import propose
from simulator.inert import remedy_inert
from simulator.loading import load_scenario, scenario_from_mapping, with_values
from simulator.policies import resolve_policy

# Two departments under a hierarchy; the approvals manager gives the project 15% of the
# day and takes 12 hours per decision: the designed bottleneck.
SLOW_APPROVALS = {
    "name": "slow-approvals",
    "seed": 5,
    "time": {"hours_per_day": 8, "horizon_days": 400},
    "organisation": {
        "departments": [
            {"name": "build", "collaborators": 6, "expertise": 0.6},
            {
                "name": "approvals",
                "collaborators": 4,
                "expertise": 0.6,
                "manager_availability": 0.15,
                "decision_hours": {"dist": "fixed", "mean": 12},
            },
        ],
        "director": False,
    },
    "project": {
        "tasks": 40,
        "effort_hours": {"dist": "lognormal", "mean": 16, "cv": 0.4},
        "dependency_density": 0.08,
        "problem_rate": 0.05,
    },
}


def slow_approvals():
    return scenario_from_mapping(SLOW_APPROVALS)


def test_the_designed_bottleneck_is_named_and_its_remedy_pays():
    result, runs = diagnose(slow_approvals(), "hierarchical", 5, 5, max_remedies=2)
    top = result["bottleneck"]
    assert (top["person"], top["department"], top["role"]) == (
        "approvals manager",
        "approvals",
        "department",
    )
    assert 0 < top["cp_share"] <= 1
    best = result["remedies"][0]
    assert best["remedy"].startswith("approvals")
    # Paired over the same 5 seeds: the interval of the gain lies above zero.
    assert best["lead_time_gain_days"]["ci_low"] > 0
    assert best["wins"] == {"k": 5, "n": 5}
    gains = [r["lead_time_gain_days"]["mean"] for r in result["remedies"]]
    assert gains == sorted(gains, reverse=True)
    assert set(runs["seed"]) == {5, 6, 7, 8, 9}


@pytest.fixture(scope="module")
def one_run():
    scenario = with_values(load_scenario("product-launch"), {"project.tasks": 40})
    return scenario, diagnose_run(scenario, "hierarchical", 3)


def test_waits_caused_add_up_to_the_waits_in_the_records(one_run):
    _, run = one_run
    caused = run["diagnosis"]["caused"]
    for kind in WAIT_KINDS:
        total = sum(by_kind[kind] for by_kind in caused.values())
        assert total == pytest.approx(run[f"{kind}_hours"], rel=1e-9, abs=1e-9)
    # Managers hold the escalated problems: most decision wait is theirs, not unexplained.
    unexplained = caused.get(UNATTRIBUTED, {}).get("decision_wait", 0.0)
    assert unexplained < 0.5 * run["decision_wait_hours"]


def test_critical_path_shares_match_the_cp_kpis(one_run):
    scenario, run = one_run
    hpd = scenario.time.hours_per_day
    diagnosis = run["diagnosis"]
    path = diagnosis["critical_path"]
    assert sum(sum(t["hours"].values()) for t in path) / hpd == pytest.approx(
        run["lead_time_days"], rel=1e-9
    )
    for kind in WAIT_KINDS:
        on_path = sum(t["hours"][kind] for t in path) / hpd
        assert on_path == pytest.approx(run[f"cp_{kind}_days"], rel=1e-9, abs=1e-12)
        caused = sum(h[kind] for h in diagnosis["caused_on_path"].values()) / hpd
        assert caused == pytest.approx(run[f"cp_{kind}_days"], rel=1e-9, abs=1e-12)
    summary = summarise_runs([diagnosis], hpd)
    shares = sum(h["cp_share"] for h in summary["holders"])
    expected = (run["cp_decision_wait_days"] + run["cp_information_wait_days"]) / run[
        "lead_time_days"
    ]
    assert shares == pytest.approx(expected, rel=1e-9)
    assert shares <= 1
    assert sum(t["cp_share"] for t in summary["critical_path"]) == pytest.approx(1.0)


def test_proposed_remedies_all_act(one_run):
    scenario, run = one_run
    summary = summarise_runs([run["diagnosis"]], scenario.time.hours_per_day)
    policy = resolve_policy("hierarchical", scenario)
    proposed = propose(scenario, "hierarchical", summary)
    assert proposed
    for remedy, patched in proposed:
        assert remedy_inert(scenario, patched, policy) is None
        assert patched == with_values(scenario, remedy.change)


def test_an_inert_remedy_is_never_proposed():
    scenario = with_values(
        slow_approvals(), {"organisation.departments[approvals].manager_availability": 1.0}
    )
    policy = resolve_policy("hierarchical", scenario)
    same = with_values(scenario, {"organisation.departments[approvals].manager_availability": 1})
    assert remedy_inert(scenario, same, policy) is not None
    # The department already works under the run's own mechanisms.
    cooperative = resolve_policy("cooperative", scenario)
    as_is = with_values(scenario, {"organisation.departments[build].policy": "cooperative"})
    assert remedy_inert(scenario, as_is, cooperative) is not None
    run = diagnose_run(scenario, "hierarchical", 5)
    summary = summarise_runs([run["diagnosis"]], 8)
    names = [r.name for r, _ in propose(scenario, "hierarchical", summary)]
    assert not any("full time" in n for n in names)


def test_logging_items_changes_no_result(one_run):
    from experiments.worker import kpis_of_run

    scenario, run = one_run
    plain = kpis_of_run(scenario, "hierarchical", 3)
    assert {k: v for k, v in run.items() if k != "diagnosis"} == plain


def test_the_diagnosis_is_the_same_whatever_the_number_of_workers(monkeypatch):
    import experiments.compare as compare_module

    scenario = slow_approvals()
    alone, runs_alone = diagnose(scenario, "hierarchical", 3, 5, max_remedies=1, workers=1)
    # Force the process pool (it would not pay for so few runs) and share runs with it.
    monkeypatch.setattr(compare_module, "POOL_START_S", 0.0)
    monkeypatch.setattr(compare_module, "free_cores", lambda: 2.0)
    pooled, runs_pooled = diagnose(scenario, "hierarchical", 3, 5, max_remedies=1, workers=2)
    assert pooled == alone
    assert runs_pooled.equals(runs_alone)


def test_a_remedy_on_a_scenario_with_plan_and_people_files_can_act():
    # Values the files make unused (the plan's dependency density, the people's expertise
    # spread) are not new settings that cannot act: a real change is a remedy.
    from pathlib import Path

    claims = Path(__file__).resolve().parents[2] / "examples" / "claims-division" / "scenario.yaml"
    scenario = load_scenario(claims)
    policy = resolve_policy("hierarchical", scenario)
    patched = with_values(scenario, {"organisation.departments[it].manager_availability": 1.0})
    assert remedy_inert(scenario, patched, policy) is None
    # ... while the same value as the scenario's is still no remedy.
    same = with_values(scenario, {"organisation.manager_availability": 0.6})
    assert remedy_inert(scenario, same, policy) is not None
