"""Management: what managers do besides deciding.

`orient`: every `orientation_interval_days` (the first after one interval) each orienting
manager holds a session with those who report to them (the director with the department
managers; a department manager with its team leads, or its members when it has one team; a
team lead with its members): one urgent item of `orientation_hours` for the manager and
one for each report, taken after the item in hand, nobody waiting for the others. When a
report's part ends, their expertise in their own field rises by
`coaching_gain × (coaching_ceiling − expertise)` while below the ceiling. Each department
follows its own policy; the director follows the run's. `command`: no sessions (managers
arbitrate failed deliberations, see test_consensus). `none`: no sessions, no arbitration.
"""

from __future__ import annotations

import pytest

from tests.unit.mechanisms import story
from tests.unit.mechanisms.story import department, play, problems, scenario, served, spans, task

SESSION = 1.0  # orientation_hours
HOURS_PER_DAY = 8.0


def _policy(management: str, **mechanisms) -> dict:
    return {
        "base": "cooperative",
        "shared_space": False,
        "coordination": "none",
        "management": management,
        **mechanisms,
    }


def _run(departments, plan, management, *, interval_days=1.0, session=SESSION, **keys):
    return play(
        scenario(
            departments,
            plan,
            policy=_policy(management, **keys.pop("mechanisms", {})),
            timing={
                "orientation_interval_days": interval_days,
                "orientation_hours": session,
                **keys.pop("timing", {}),
            },
            # Every story ends within days; a run that stalls stops at the horizon.
            time={"hours_per_day": HOURS_PER_DAY, "horizon_days": 10},
            **keys,
        )
    )


def test_every_interval_each_manager_meets_those_who_report_to_them():
    # a: one team (its manager meets a 1 and a 2); b: two teams (its manager meets the
    # leads, each lead their members); the director meets the department managers. A
    # manager who reports to someone takes both parts, one after the other.
    departments = [department("a", 2), department("b", 3, teams=2)]
    model = _run(departments, [task("t1", "a", 20), task("t2", "b", 4)], "orient")
    at = HOURS_PER_DAY  # the first session, after one interval
    first = [*story.starting_at(served(model, "orientation"), at)]
    first += story.starting_at(served(model, "orientation"), at + SESSION)
    both_parts = ("a manager", "b manager", "b lead 1", "b lead 2")
    one_part = ("a 1", "a 2", "b 1", "b 2", "b 3", "director")
    assert spans(first) == sorted(
        [(name, at, at + SESSION) for name in both_parts + one_part]
        + [(name, at + SESSION, at + 2 * SESSION) for name in both_parts]
    )
    # Sessions at 8 and 16 while the project runs (t1 ends at 22): 14 hours each.
    starts = sorted({i.started_at for i in served(model, "orientation")})
    assert starts == [at, at + SESSION, 2 * at, 2 * at + SESSION]
    assert model.kpis()["orientation_hours"] == 2 * 14 * SESSION
    # a 1 stops work for each session; its task counts the time as coordination.
    t1 = story.tasks(model)["t1"]
    assert t1.finished_at == 20 + 2 * SESSION
    assert t1.coordination_hours == 2 * SESSION


def test_a_session_at_the_moment_the_work_is_done_does_not_hold_the_task():
    # a 1's work on t1 (8 hours) is done at 8, when the first session begins.
    model = _run([department("a")], [task("t1", "a", 8), task("t2", "a", 4)], "orient")
    done = story.tasks(model)
    assert model.kpis()["finished"]
    assert done["t1"].finished_at == 8
    assert done["t2"].finished_at == 8 + SESSION + 4


@pytest.mark.parametrize("management", ["command", "none"])
def test_without_orient_nobody_holds_sessions(management):
    model = _run([department("a", 2)], [task("t1", "a", 20)], management)
    assert served(model, "orientation") == []
    assert model.kpis()["orientation_hours"] == 0
    assert story.tasks(model)["t1"].finished_at == 20


def test_each_department_orients_under_its_own_policy_the_director_under_the_runs():
    # legal keeps the hierarchy (command): its manager holds no session of their own and
    # meets nobody of legal, but still attends the director's session (the run orients).
    departments = [department("a"), department("legal", policy="hierarchical")]
    model = _run(departments, [task("t1", "a", 12)], "orient")
    assert spans(served(model, "orientation")) == [
        ("a 1", 8, 9),
        ("a manager", 8, 9),
        ("a manager", 9, 10),
        ("director", 8, 9),
        ("legal manager", 8, 9),
    ]
    # The other way round: the run commands, a orients. a's manager meets a 1; the
    # director holds no session.
    departments = [department("a", policy="cooperative"), department("legal")]
    model = _run(departments, [task("t1", "a", 12)], "command")
    assert spans(served(model, "orientation")) == [("a 1", 8, 9), ("a manager", 8, 9)]


# --- coaching ----------------------------------------------------------------------------------

GAIN, CEILING = 0.25, 0.9
INTERVAL_DAYS = 0.25  # a session every 2 hours
SELF_FIX = 1.0


def _coached(expertise):
    # a 1 settles every problem alone; a self-fix has the quality of a 1's expertise when it
    # ends, which shows what the sessions have done so far.
    return _run(
        [department("a", expertise=expertise)],
        [task("t1", "a", 24)],
        "orient",
        interval_days=INTERVAL_DAYS,
        session=0.5,
        mechanisms={"autonomy": "major"},
        project={
            "problem_rate": 1.0,
            "severity": {"minor": 1, "major": 0, "critical": 0},
            "foreign_field_share": 0,
        },
        timing={"self_fix_hours": SELF_FIX},
        behaviour={"coaching_gain": GAIN, "coaching_ceiling": CEILING},
        rework={"fraction": 0},
    )


def test_coaching_raises_expertise_along_the_closed_form_towards_the_ceiling():
    e0 = 0.3
    model = _coached(e0)
    sessions = served(model, "orientation", "a 1")
    fixes = served(model, "self_fix")
    raised = problems(model)
    assert len(raised) >= 6, "the story needs problems"
    counts = set()
    for p, fix in zip(raised, fixes, strict=True):
        # Every session whose part a 1 finished before the self-fix ended has coached them.
        m = sum(1 for s in sessions if s.ended_at <= fix.ended_at)
        counts.add(m)
        assert p.quality == pytest.approx(CEILING - (CEILING - e0) * (1 - GAIN) ** m, abs=1e-12)
    assert len(counts) >= 5, "the story needs self-fixes after different numbers of sessions"
    # A session that falls during a self-fix waits for it, then goes before a 1's own work.
    session_times = [n * INTERVAL_DAYS * HOURS_PER_DAY for n in range(1, len(sessions) + 1)]
    for held_at, part in zip(session_times, sessions, strict=True):
        in_hand = [f.ended_at for f in fixes if f.started_at < held_at < f.ended_at]
        assert part.started_at == (in_hand[0] if in_hand else held_at)
    assert any(part.started_at > held for held, part in zip(session_times, sessions, strict=True))


def test_coaching_stops_at_the_ceiling():
    expert = 0.95  # above the ceiling: sessions change nothing
    model = _coached(expert)
    assert served(model, "orientation", "a 1")
    assert {p.quality for p in problems(model)} == {expert}


def test_the_experts_ranking_follows_coaching_as_a_full_sort_would():
    """Coached people are moved to their new place in each field's ranking: the ranking
    asked for is, day after day, everyone present sorted by expertise then id."""
    from simulator.loading import load_scenario
    from simulator.model import OrgModel

    model = OrgModel(
        load_scenario("product-launch", ["behaviour.coaching_gain=0.3"]), "cooperative", rng=3
    )
    desk = model.desk
    fields = range(len(model.org.department_names))
    before = {p.unique_id: p.expertise for p in model.org.people}
    stale_fields = 0
    for _ in range(40):
        model.run_until(model.time + model.hours_per_day)
        stale_fields += len(desk._stale)
        for field in fields:
            expected = sorted(
                desk.ranking(field), key=lambda p, f=field: (-p.expertise_in(f), p.unique_id)
            )
            assert list(desk.ranking(field)) == expected
    coached = sum(1 for p in model.org.people if p.expertise != before[p.unique_id])
    assert coached >= 10 and stale_fields >= 10, (
        "the story needs coaching that changes the rankings"
    )
