"""Absences of people with nothing to do are not played out as events, and nothing shows it.

The model plays out the moves (going away, coming back) only of people with something in
hand or waiting; for the others `away` is read from the day's block, and their moves join
the day's when work reaches them. The oracle is the same model made to play out every
move: run side by side, hour by hour, both must show the same people away, doing the same
things, and end with the same KPIs, through departures, switched mechanisms, shocks and
problems left in a pool of team leads.
"""

from __future__ import annotations

import warnings

import pytest

from scenarios import builtin_names
from simulator import interventions
from simulator.loading import load_scenario
from simulator.model import OrgModel
from simulator.policies import PRESETS


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _pair(name: str, policy: str, seed: int, changes: list[str]) -> tuple[OrgModel, OrgModel]:
    scenario = load_scenario(name, changes)
    lazy = OrgModel(scenario, policy, rng=seed)
    every = OrgModel(scenario, policy, rng=seed)
    every._play_every_absence = True
    return lazy, every


def _seen(model: OrgModel) -> list[tuple[str, bool, str]]:
    return [(p.name, p.away, p.doing) for p in model.org.people]


def _shock(model: OrgModel, hour: int, kind: str) -> None:
    if kind == "depart":
        leaver = interventions.most_expert(model, 0)
        if leaver is not None:
            interventions.depart(model, leaver)
    elif kind == "allocation":
        flipped = "pull" if model.policy.allocation == "manager" else "manager"
        interventions.set_mechanism(model, "allocation", flipped)
    elif kind == "problems":
        interventions.set_problem_rate(model, model.problem_rate * 3)


# Each shipped scenario under each preset, once as it is and once shaken: the most expert
# collaborator of the first department leaves, allocation is switched, problems triple.
SHAKEN = [(30, "depart"), (45, "allocation"), (60, "problems")]
# A scenario where everyone is on the project full time is made part-time: the story needs
# absences.
PART_TIME = ["organisation.project_share=0.6", "organisation.manager_availability=0.5"]


def _part_time(name: str) -> list[str]:
    org = load_scenario(name).organisation
    shares = [org.project_share, org.manager_availability]
    for department in org.departments:
        shares += [department.project_share, department.manager_availability]
    return [] if any(share is not None and share < 1 for share in shares) else PART_TIME


CASES = [
    (name, policy, seed, _part_time(name), shocks)
    for name in builtin_names()
    for policy in PRESETS
    for seed, shocks in ((1, []), (2, SHAKEN))
] + [
    # Leads sharing a pool of problems (one coming back takes the next one).
    (
        "routine-operations",
        "hierarchical",
        4,
        [
            "organisation.departments[0].pooled_leads=true",
            "organisation.departments[0].teams=3",
            "project.problem_rate=0.08",
        ],
        [(50, "depart")],
    ),
]


@pytest.mark.parametrize(("name", "policy", "seed", "changes", "shocks"), CASES)
def test_the_run_is_the_same_as_with_every_absence_played_out(name, policy, seed, changes, shocks):
    lazy, every = _pair(name, policy, seed, changes)
    due = dict(shocks)
    hour = 0
    while lazy.running and every.running:
        hour += 1
        lazy.run_until(hour)
        every.run_until(hour)
        assert _seen(lazy) == _seen(every), f"hour {hour}"
        if hour in due:
            _shock(lazy, hour, due[hour])
            _shock(every, hour, due[hour])
            assert _seen(lazy) == _seen(every), f"after the shock at hour {hour}"
    assert lazy.running == every.running
    assert lazy.kpis() == every.kpis()
    # The same moves took place; some were not played out as events.
    assert lazy.moves_run == every.moves_run > 0
    assert lazy.moves_played < every.moves_played == every.moves_run


def test_a_lead_away_takes_a_pooled_problem_on_return():
    # Leads share a pool and are away half the day: problems wait in the pool while every
    # lead is busy or away, so leads with nothing to do must still come back for them.
    changes = [
        "organisation.departments[0].pooled_leads=true",
        "organisation.departments[0].teams=3",
        "organisation.manager_availability=0.3",
        "project.problem_rate=0.1",
    ]
    lazy, every = _pair("routine-operations", "hierarchical", 7, changes)
    pooled = 0
    while every.running:
        every.run_until(every.time + 1)
        lazy.run_until(lazy.time + 1)
        pooled += every.desk.lead_pool.count(0) > 0
        assert _seen(lazy) == _seen(every)
    assert pooled > 0, "the story needs problems waiting in the pool"
    assert lazy.kpis() == every.kpis()
