"""The collaborative memory: a kind of problem met before is solved faster, and no worse.

Each problem has a class (uniform over `project.problem_classes`, from the problem's own
draws). When the first item that resolves it starts (self-fix, help, decision,
deliberation, arbitration), its occurrence k is 1 + the closed resolutions of the same
(field, class) its resolvers can see: all of them with a shared space, else those they
took part in (for a group, the union of its members'). The resolving items take
max(k^(−b), `learning_floor`) of their hours, b = −log2 `learning_rate`; with a shared
space and k ≥ 2 a `read_record` item of `read_hours` comes first; the quality is at least
the best stored for the class, and what is stored is the quality before any challenge.
KPI `knowledge_reuses`: resolutions with k ≥ 2.
"""

from __future__ import annotations

import math

import pytest

from tests.unit.mechanisms import story
from tests.unit.mechanisms.story import department, play, problems, scenario, served, spans, task

SELF_FIX = 1.0
READ = 0.125  # reading a record from the shared space
PER_MEMBER = 0.5
DECIDE = 2.0
RELAY = 0.5
FLOOR = 0.25
MINOR = {"minor": 1.0, "major": 0.0, "critical": 0.0}


def _run(departments, plan, *, rate=0.5, classes=1, shared=False, severity=MINOR, **keys):
    mechanisms = keys.pop("mechanisms", {})
    scn = scenario(
        departments,
        plan,
        policy={
            "base": "cooperative",
            "autonomy": "major",
            "coordination": "none",
            "shared_space": shared,
            **mechanisms,
        },
        timing={
            "self_fix_hours": SELF_FIX,
            "read_hours": READ,
            "consensus_hours_per_member": PER_MEMBER,
            "decision_hours": DECIDE,
            "relay_hours": RELAY,
            **keys.pop("timing", {}),
        },
        project={
            "problem_rate": 0.25,
            "severity": severity,
            "foreign_field_share": 0,
            "problem_classes": classes,
            "learning_rate": rate,
            "learning_floor": FLOOR,
        },
        rework={"fraction": 0},
        **keys,
    )
    model = play(scn)
    raised = problems(model)
    assert len(raised) >= 4, "the story needs problems"
    return model, raised


def _factor(k: int, rate: float) -> float:
    return max(k ** math.log2(rate), FLOOR)


def _seen(raised, p, who) -> int:
    """Resolutions of p's class closed before p was raised, among those `who` accepts."""
    return sum(
        1
        for q in raised
        if q.problem_class == p.problem_class
        and q.resolved_at is not None
        and q.resolved_at <= p.raised_at
        and who(q)
    )


@pytest.mark.parametrize("rate", [0.5, 0.8])
def test_a_kind_of_problem_met_before_is_settled_faster_down_to_the_floor(rate):
    # One person, one class of problem: the k-th self-fix takes max(k^(−b), floor) hours.
    model, raised = _run([department("a")], [task("t1", "a", 48)], rate=rate)
    assert [p.occurrence for p in raised] == list(range(1, len(raised) + 1))
    for p in raised:
        hours = SELF_FIX * _factor(p.occurrence, rate)
        assert p.resolution_hours == pytest.approx(hours, abs=1e-12)
        assert p.resolved_at == pytest.approx(p.raised_at + hours, abs=1e-9)
    assert spans(served(model, "self_fix")) == [("a 1", p.raised_at, p.resolved_at) for p in raised]
    assert served(model, "read_record") == []  # nothing to read without a shared space
    assert model.kpis()["knowledge_reuses"] == len(raised) - 1
    if rate == 0.5:
        assert raised[-1].resolution_hours == FLOOR * SELF_FIX, "the story needs the floor"


def test_the_class_comes_with_the_problem_uniform_over_the_classes():
    # Four classes; a problem has the same class whoever resolves it (here, whether it is
    # settled alone or escalated).
    plan = [task("t1", "a", 48)]
    _, alone = _run([department("a")], plan, classes=4)
    _, escalated = _run(
        [department("a")],
        plan,
        classes=4,
        mechanisms={"problem_solving": "escalate", "autonomy": "none"},
    )
    assert {p.problem_class for p in alone} == {0, 1, 2, 3}
    pairs = zip(alone, escalated, strict=False)
    assert all(a.problem_class == e.problem_class for a, e in pairs)


@pytest.mark.parametrize("shared", [False, True])
def test_a_shared_space_shows_everyones_resolutions_memory_only_ones_own(shared):
    # a 1 and a 2 settle problems of one class alone. Without a shared space each counts
    # only their own; with one, everyone's, and reuses a record only after reading it.
    model, raised = _run(
        [department("a", 2)], [task("t1", "a", 24), task("t2", "a", 24)], shared=shared
    )
    for p in raised:
        k = 1 + _seen(raised, p, lambda q, p=p: shared or q.raiser == p.raiser)
        assert p.occurrence == k
        read = READ if shared and k >= 2 else 0.0
        assert p.resolved_at == pytest.approx(p.raised_at + read + SELF_FIX * _factor(k, 0.5))
    reads = served(model, "read_record")
    assert spans(reads) == sorted(
        (p.raiser, p.raised_at, p.raised_at + READ) for p in raised if shared and p.occurrence >= 2
    )
    assert (
        any(
            p.occurrence > 1 + _seen(raised, p, lambda q, p=p: q.raiser == p.raiser) for p in raised
        )
        == shared
    )
    assert model.kpis()["knowledge_reuses"] == sum(p.occurrence >= 2 for p in raised)


@pytest.mark.parametrize("shared", [False, True])
def test_a_novice_reuses_the_best_answer_they_can_see(tmp_path, shared):
    # Ada (0.9) and Cy (0.3) settle problems of one class alone. With a shared space Cy's
    # answers are as good as the best stored one; without, only as good as his own.
    people = "name,department,expertise\nCy,a,0.3\nAda,a,0.9\n"
    _, raised = _run(
        [department("a")],
        [task("t1", "a", 24), task("t2", "a", 24)],
        shared=shared,
        rate=1.0,
        people=people,
        folder=tmp_path,
    )
    expertise = {"Cy": 0.3, "Ada": 0.9}
    for p in raised:
        visible = [
            q.quality
            for q in raised
            if q.resolved_at is not None
            and q.resolved_at <= p.raised_at
            and (shared or q.raiser == p.raiser)
        ]
        assert p.quality == max([expertise[p.raiser], *visible])
    cy = {p.quality for p in raised if p.raiser == "Cy"}
    assert cy == ({0.3, 0.9} if shared else {0.3})


def test_what_is_stored_is_the_quality_before_the_challenge():
    # a 1 (0.5) settles every problem alone and b 1 challenges each answer (to 0.75). The
    # next problem of the class reuses 0.5, not 0.75: challenges do not ratchet.
    _, raised = _run(
        [department("a", expertise=0.5), department("b")],
        [task("t1", "a", 24)],
        rate=1.0,
        mechanisms={"confrontation": "positive"},
        behaviour={"confrontation_gain": 0.5},
    )
    assert [p.occurrence for p in raised] == list(range(1, len(raised) + 1))
    assert {(p.quality_before_confrontation, p.quality) for p in raised} == {(0.5, 0.75)}


def test_a_group_sees_the_union_of_what_its_members_took_part_in():
    # a 1 and a 2 settle minor problems alone and deliberate together on major ones. A
    # deliberation sees every earlier resolution (each had one of them in it); a self-fix
    # sees the raiser's own self-fixes and every deliberation.
    _, raised = _run(
        [department("a", 2)],
        [task("t1", "a", 24), task("t2", "a", 24)],
        mechanisms={"autonomy": "minor", "problem_solving": "consensus"},
        severity={"minor": 0.5, "major": 0.5, "critical": 0.0},
    )
    kinds = set()
    for p in raised:
        kinds.add(p.severity)
        if p.severity == "major":
            k = 1 + _seen(raised, p, lambda q: True)
            hours = 2 * PER_MEMBER * _factor(k, 0.5)
        else:
            k = 1 + _seen(raised, p, lambda q, p=p: q.severity == "major" or q.raiser == p.raiser)
            hours = SELF_FIX * _factor(k, 0.5)
        assert p.occurrence == k
        assert p.resolved_at == pytest.approx(p.raised_at + hours, abs=1e-9)
    assert kinds == {"minor", "major"}
    # The deliberations alone account for every reuse a 1 could not have made by himself.
    assert any(
        p.severity == "minor"
        and p.occurrence > 1 + _seen(raised, p, lambda q, p=p: q.raiser == p.raiser)
        for p in raised
    )


def test_only_the_work_that_resolves_is_shortened_passing_a_problem_up_is_not():
    # Critical problems in a department of two teams: the lead passes each one up (as
    # long as ever), the department manager decides (faster each time: they took part in
    # every earlier one).
    model, raised = _run(
        [department("a", 2, teams=2)],
        [task("t1", "a", 48)],
        mechanisms={"problem_solving": "escalate", "autonomy": "none"},
        severity={"minor": 0.0, "major": 0.0, "critical": 1.0},
        organisation={"director": False},
    )
    assert spans(served(model, "escalate")) == [
        ("a lead 1", p.raised_at, p.raised_at + RELAY) for p in raised
    ]
    for p in raised:
        decided = DECIDE * _factor(p.occurrence, 0.5)
        assert (p.deciders, p.resolution_hours) == ("a manager", decided)
        assert p.resolved_at == pytest.approx(p.raised_at + RELAY + decided, abs=1e-9)
    assert [p.occurrence for p in raised] == list(range(1, len(raised) + 1))
    assert story.tasks(model)["t1"].decision_wait_hours == pytest.approx(
        sum(p.resolved_at - p.raised_at for p in raised)
    )


def test_an_expert_who_has_answered_a_kind_of_problem_answers_it_faster(tmp_path):
    # Ada answers Cy's problems of one class; she took part in every earlier one.
    help_hours = 1.5
    model, raised = _run(
        [department("a")],
        [task("t1", "a", 24)],
        mechanisms={"problem_solving": "experts", "autonomy": "none"},
        timing={"expert_help_hours": help_hours},
        people="name,department,expertise\nCy,a,0.3\nAda,a,0.9\n",
        folder=tmp_path,
    )
    assert [p.occurrence for p in raised] == list(range(1, len(raised) + 1))
    assert spans(served(model, "help")) == [
        ("Ada", p.raised_at, p.raised_at + help_hours * _factor(p.occurrence, 0.5)) for p in raised
    ]


def test_an_arbitration_is_shortened_like_the_deliberation_before_it():
    # a 1 and a 2 never agree; the manager arbitrates. Both the deliberation and the
    # arbitration take the factor of the problem's occurrence.
    arbitrate = 1.0
    model, raised = _run(
        [department("a", 2)],
        [task("t1", "a", 24)],
        mechanisms={"problem_solving": "consensus", "autonomy": "none"},
        timing={"arbitration_hours": arbitrate},
        behaviour={"consensus_agreement": 1e-9},
        organisation={"director": False},
    )
    assert [p.occurrence for p in raised] == list(range(1, len(raised) + 1))
    for p in raised:
        factor = _factor(p.occurrence, 0.5)
        talked = p.raised_at + 2 * PER_MEMBER * factor
        (item,) = [i for i in served(model, "arbitrate") if i.ended_at == p.resolved_at]
        assert item.person == "a manager"
        assert (item.started_at, item.ended_at) == pytest.approx(
            (talked, talked + arbitrate * factor), abs=1e-9
        )
