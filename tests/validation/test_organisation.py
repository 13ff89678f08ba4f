"""Organisations as they are: teams and team leads, pooled leads, span of control,
lateral links, manager availability and departments that keep their own policy."""

from __future__ import annotations

import numpy as np

from simulator import theory
from simulator.loading import load_scenario
from simulator.model import OrgModel
from tests.validation.support import Z, department_scenario, kpis, mean_and_se, scenario

SEEDS = range(6)


def _within(measured: list[float], expected: float, bias: float = 0.0) -> None:
    mean, se = mean_and_se(measured)
    assert abs(mean - expected) <= Z * se + bias, (
        f"{mean:.4f} ± {se:.4f} vs {expected:.4f} (bias bound {bias:.4f})"
    )


def test_two_level_escalation_matches_the_jackson_network():
    # 200 collaborators in two teams: each team lead is an M/M/1 node fed by ~Poisson
    # arrivals (100 sources, each rarely blocked); critical problems (30 %) go on to the
    # department manager, a second M/M/1 node. Mean time = W_lead + 0.3 × W_manager.
    data = department_scenario(
        200,
        2,
        rate=0.005,
        decision=1.0,
        days=150,
        effort=100,
        severity={"minor": 0.7, "major": 0.0, "critical": 0.3},
    )
    scn = scenario(data)
    measured, expected, bias = [], [], []
    for seed in range(4):
        model = OrgModel(scn, "queue", rng=seed)
        model.run_to_end()
        raised = model.problem_records()
        cases = [c for c in raised if c.resolved_at is not None]
        hours = model.end_time
        # Arrival rates measured on the run (the finite source thins them a little).
        lead_rate = len(raised) / hours / 2
        critical_rate = sum(c.severity == "critical" for c in raised) / hours
        expected.append(
            theory.jackson_tandem_response([lead_rate], [1.0])
            + critical_rate / (2 * lead_rate) * theory.mm1(critical_rate, 1.0).mean_response
        )
        times = [c.resolved_at - c.raised_at for c in cases]
        measured.append(float(np.mean(times)))
        # Arrivals from N sources vary with the number blocked by at most L / N of their
        # rate: the Poisson approximation's error on W is bounded by that share of W.
        # L, the time-average number of problems open (blocked sources), from the records:
        blocked = sum((c.resolved_at or hours) - c.raised_at for c in raised) / hours
        bias.append(expected[-1] * blocked / 200)
    assert all(c.route == "manager" for c in cases)
    _within(measured, float(np.mean(expected)), bias=float(np.mean(bias)))


def test_pooled_team_leads_behave_as_one_multi_server_queue():
    # Three team leads sharing one queue of problems from 30 collaborators: M/M/3//30.
    decision, rate = 2.0, 0.04
    scn = scenario(
        department_scenario(
            30, 3, rate, decision, {"minor": 1, "major": 0, "critical": 0}, pooled_leads=True
        )
    )
    expected = theory.machine_repair(30, rate, 1 / decision, servers=3)
    times, use = [], []
    for seed in SEEDS:
        model = OrgModel(scn, "queue", rng=seed, log_items=True)
        model.run_to_end()
        times.append(
            float(
                np.mean(
                    [
                        c.resolved_at - c.raised_at
                        for c in model.problem_records()
                        if c.resolved_at is not None
                    ]
                )
            )
        )
        # Only the three leads serve anything (they decide every problem; no assignments,
        # relays or meetings under this policy), so the managers' mean utilisation, the
        # department manager's zero included, is 3/4 of the leads'.
        busy = {item.person for item in model.item_records()}
        assert busy == {"ops lead 1", "ops lead 2", "ops lead 3"}
        use.append(model.kpis()["manager_utilization"] * 4 / 3)
    _within(times, expected.mean_response)
    _within(use, expected.utilisation)
    # Unpooled, the same three leads are three M/M/1//10 queues: pooling shortens the wait.
    separate = theory.machine_repair(10, rate, 1 / decision)
    assert expected.mean_response < separate.mean_response


def test_span_of_control_decision_wait_follows_the_lead_queue_and_grows_faster_than_the_team():
    # Two teams under two leads; each lead is a finite-source queue of its own team. As the
    # team grows the lead's load ρ rises and the wait grows like 1 / (1 − ρ).
    decision, rate = 2.0, 0.02
    measured = {}
    for team_size in (5, 10, 20):
        scn = scenario(
            department_scenario(
                2 * team_size, 2, rate, decision, {"minor": 1, "major": 0, "critical": 0}
            )
        )
        expected = theory.machine_repair(team_size, rate, 1 / decision)
        waits = [kpis(scn, "queue", s)["mean_resolution_hours"] for s in SEEDS]
        _within(waits, expected.mean_response)
        measured[team_size] = mean_and_se(waits)
    # Doubling the team more than doubles the wait beyond the decision itself, in the runs:
    # (W20 − d) − 2 (W10 − d) is positive by more than 4 standard errors.
    (w10, se10), (w20, se20) = measured[10], measured[20]
    excess = (w20 - decision) - 2 * (w10 - decision)
    assert excess > Z * np.hypot(se20, 2 * se10), f"{excess:.4f} ({se20:.4f}, {se10:.4f})"


def test_a_few_lateral_links_remove_most_of_the_managers_relaying_load():
    # Dodds, Watts & Sabel: a handful of cross-department links carry most of the messages
    # that went through the managers. With four departments, four links already take most.
    def use(links: int) -> list[float]:
        scn = load_scenario("product-launch", [f"organisation.lateral_links={links}"])
        return [kpis(scn, "hierarchical", s)["max_manager_utilization"] for s in SEEDS]

    none, few, many = (mean_and_se(use(n)) for n in (0, 4, 64))
    assert none[0] - many[0] > Z * np.hypot(none[1], many[1])
    removed_by_few = none[0] - few[0]
    removed_by_many = none[0] - many[0]
    spread = Z * np.sqrt(none[1] ** 2 + few[1] ** 2 + many[1] ** 2)
    assert removed_by_few > 0.6 * removed_by_many - spread


def test_consensus_slows_as_teams_grow():
    # Self-management deliberates in teams: the same 24 people in teams of 4 or of 12.
    def crew(teams: int):
        return scenario(
            {
                "name": "crew",
                "organisation": {
                    "departments": [{"name": "crew", "collaborators": 24, "teams": teams}],
                    "director": False,
                },
                "project": {
                    "tasks": 150,
                    "problem_rate": 0.02,
                    "dependency_density": 0,
                    "interdependence": 0,
                    "severity": {"minor": 0, "major": 0, "critical": 1},
                },
            }
        )

    small = mean_and_se(kpis(crew(6), "self_managed", s)["mean_resolution_hours"] for s in SEEDS)
    large = mean_and_se(kpis(crew(2), "self_managed", s)["mean_resolution_hours"] for s in SEEDS)
    assert large[0] - small[0] > Z * np.hypot(small[1], large[1])


def test_a_manager_away_half_the_day_is_busy_at_most_half_the_time():
    data = department_scenario(10, 1, 0.05, 2.0, {"minor": 1, "major": 0, "critical": 0})
    full = scenario(data)
    data["organisation"]["manager_availability"] = 0.5
    half = scenario(data)
    full_runs = [kpis(full, "queue", s) for s in SEEDS]
    half_runs = [kpis(half, "queue", s) for s in SEEDS]
    # Away half of every day: the busy share cannot exceed the share of time present (an
    # item started before leaving is finished, hence one decision's worth of slack a day).
    slack = 2.0 / 8
    assert all(r["manager_utilization"] <= 0.5 + slack for r in half_runs)
    waits_full = mean_and_se(r["mean_resolution_hours"] for r in full_runs)
    waits_half = mean_and_se(r["mean_resolution_hours"] for r in half_runs)
    assert waits_half[0] - waits_full[0] > Z * np.hypot(waits_full[1], waits_half[1])


def test_a_department_keeps_its_own_policy_inside_a_cooperative_run():
    data = {
        "name": "mix",
        "organisation": {
            "departments": [
                {"name": "engineering", "collaborators": 6},
                {"name": "legal", "collaborators": 2, "policy": "hierarchical"},
            ]
        },
        "project": {"tasks": 80, "problem_rate": 0.05},
        "policies": {
            "all-cooperative": {"base": "cooperative", "departments": {"legal": "cooperative"}}
        },
    }
    scn = scenario(data)
    model = OrgModel(scn, "cooperative", rng=2)
    model.run_to_end()
    routes = {(c.department, c.route) for c in model.problem_records()}
    legal = {route for dept, route in routes if dept == "legal"}
    engineering = {route for dept, route in routes if dept == "engineering"}
    assert legal and legal <= {"manager", "director"}
    assert engineering and not engineering & {"manager", "director"}
    # Cross-department mechanisms follow the run: legal's outputs go to the shared space.
    legal_tasks = {t.task for t in model.task_records() if t.department == "legal"}
    from_legal = [m for m in model.message_records if m.from_task in legal_tasks]
    assert from_legal and {m.channel for m in from_legal} == {"space"}
    # A policy's own `departments` entry overrides the department's `policy:` key.
    model = OrgModel(scn, "all-cooperative", rng=2)
    model.run_to_end()
    assert not any(c.route in ("manager", "director") for c in model.problem_records())


def test_escalation_climbs_team_lead_then_manager_then_director():
    data = {
        "name": "levels",
        "organisation": {
            "departments": [
                {"name": "engineering", "collaborators": 8, "teams": 2},
                {"name": "legal", "collaborators": 2},
            ]
        },
        "project": {"tasks": 60, "problem_rate": 0.05},
    }
    model = OrgModel(scenario(data), "hierarchical", rng=4)
    model.run_to_end()
    engineering = [c for c in model.problem_records() if c.department == "engineering"]
    for case in engineering:
        if case.field == "legal":  # beyond every engineering manager
            assert case.route == "director"
            assert case.deciders == "director"
        elif case.severity == "critical":  # in the field, too serious for a team lead
            assert case.deciders == "engineering manager"
        else:
            assert case.deciders.split(";")[0].startswith("engineering lead")
    assert {c.route for c in engineering} >= {"manager", "director"}
