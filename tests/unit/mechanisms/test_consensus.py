"""Consensus in rounds: a round is one deliberation of the raiser's team (with the most
expert available person of the problem's field when it is another department's, invited
like a request across departments), `consensus_hours_per_member` × its size for everyone.

A round agrees if u < `consensus_agreement^(n−1)`, u drawn from the stream keyed (seed,
CONSENSUS, task, problem, round): the answer takes the best expertise plus the bonus. Under
`management: command` or `orient` the first failed round goes to the raiser's nearest
manager, who arbitrates (`arbitration_hours`; their expertise plus the bonus; route
`manager`, no sign-off). Under `none` the group goes round again, `consensus_max_rounds`
rounds in all, then its most expert member settles it alone (their expertise, no bonus,
route `consensus`). KPIs: `consensus_rounds`, `consensus_failures`, `arbitrations`.
"""

from __future__ import annotations

import pytest

from simulator.randomness import CONSENSUS, uniform
from tests.unit.mechanisms import story
from tests.unit.mechanisms.story import department, play, problems, scenario, served, spans, task

PER_MEMBER = 0.5  # deliberation hours per member of the group
ARBITRATE = 1.0  # the manager's arbitration
RELAY = 0.5
HELP = 1.5  # an expert answering
BONUS = 0.0625
MANAGER_EXPERTISE = 0.625
NEVER = 1e-9  # an agreement so small that a group of two or more never agrees
BOTH = {"minor": 0.5, "major": 0.0, "critical": 0.5}  # critical ones need no sign-off here

# Cy holds the task; Ada knows the field best.
TEAM = "name,department,expertise\nCy,a,0.3\nAda,a,0.8\nBob,a,0.5\n"
NAMES = ("Cy", "Ada", "Bob")


def _run(
    management,
    agreement,
    *,
    departments=None,
    people=TEAM,
    folder=None,
    rounds=3,
    foreign=0.0,
    communication="direct",
    effort=16,
    severity=BOTH,
    **mechanisms,
):
    scn = scenario(
        departments or [department("a")],
        [task("t1", "a", effort)],
        policy={
            "base": "cooperative",
            "problem_solving": "consensus",
            "autonomy": "none",
            "shared_space": False,
            "coordination": "none",
            "communication": communication,
            "management": management,
            **mechanisms,
        },
        timing={
            "consensus_hours_per_member": PER_MEMBER,
            "arbitration_hours": ARBITRATE,
            "relay_hours": RELAY,
            "expert_help_hours": HELP,
            # Sessions so rare that none is held during a story under `orient`.
            "orientation_interval_days": 1000,
        },
        organisation={"director": False, "manager_expertise": MANAGER_EXPERTISE},
        project={"problem_rate": 0.25, "severity": severity, "foreign_field_share": foreign},
        behaviour={"consensus_agreement": agreement, "consensus_max_rounds": rounds},
        rework={"fraction": 0, "deliberation_bonus": BONUS},
        people=people,
        folder=folder,
    )
    model = play(scn)
    raised = problems(model)
    assert len(raised) >= 3, "the story needs problems"
    return model, raised


def _kpis(model, *names):
    values = model.kpis()
    return tuple(values[name] for name in names)


@pytest.mark.parametrize("management", ["command", "orient"])
def test_a_round_that_fails_goes_to_the_nearest_managers_arbitration(tmp_path, management):
    model, raised = _run(management, NEVER, folder=tmp_path)
    length = len(NAMES) * PER_MEMBER
    assert spans(served(model, "deliberate")) == sorted(
        (name, p.raised_at, p.raised_at + length) for p in raised for name in NAMES
    )
    assert spans(served(model, "arbitrate")) == [
        ("a manager", p.raised_at + length, p.raised_at + length + ARBITRATE) for p in raised
    ]
    # A critical problem the manager arbitrated needs no sign-off.
    assert {p.severity for p in raised} == {"minor", "critical"}
    assert served(model, "sign_off") == []
    for p in raised:
        assert (p.route, p.deciders) == ("manager", "a manager")
        assert p.quality == MANAGER_EXPERTISE + BONUS
        assert p.resolved_at == pytest.approx(p.raised_at + length + ARBITRATE, abs=1e-9)
    n = len(raised)
    assert _kpis(model, "consensus_rounds", "consensus_failures", "arbitrations") == (n, n, n)
    # Cy deliberates (problem solving), then waits for the manager (decision wait).
    t1 = story.tasks(model)["t1"]
    assert t1.problem_solving_hours == pytest.approx(n * length)
    assert t1.decision_wait_hours == pytest.approx(n * ARBITRATE)


def test_the_arbitration_is_the_raisers_team_lead():
    # Two teams: a 1's lead arbitrates, not the department manager.
    model, raised = _run("command", NEVER, departments=[department("a", 4, teams=2)], people=None)
    assert {i.person for i in served(model, "arbitrate")} == {"a lead 1"}
    assert {p.deciders for p in raised} == {"a lead 1"}


def test_without_management_the_group_goes_round_again_then_the_most_expert_settles(tmp_path):
    rounds = 3
    model, raised = _run("none", NEVER, folder=tmp_path, rounds=rounds)
    length = len(NAMES) * PER_MEMBER
    assert served(model, "arbitrate") == []
    assert spans(served(model, "deliberate")) == sorted(
        (name, p.raised_at + r * length, p.raised_at + (r + 1) * length)
        for p in raised
        for r in range(rounds)
        for name in NAMES
    )
    for p in raised:
        # Ada, the most expert member, settles alone: her expertise, no bonus.
        assert (p.route, p.deciders, p.quality) == ("consensus", "Ada", 0.8)
        assert p.resolved_at == pytest.approx(p.raised_at + rounds * length, abs=1e-9)
    n = len(raised)
    assert _kpis(model, "consensus_rounds", "consensus_failures", "arbitrations") == (
        rounds * n,
        rounds * n,
        0,
    )


def test_a_team_of_one_always_agrees():
    # agreement^(1 − 1) = 1: a lone collaborator's round never fails.
    model, raised = _run("command", NEVER, people=None)
    for p in raised:
        assert (p.route, p.deciders, p.quality) == ("consensus", "a 1", 0.5 + BONUS)
        assert p.resolved_at == pytest.approx(p.raised_at + PER_MEMBER, abs=1e-9)
    assert _kpis(model, "consensus_rounds", "consensus_failures") == (len(raised), 0)


def test_each_round_agrees_when_its_own_draw_is_below_agreement_to_the_power_n_minus_one(
    tmp_path,
):
    # Three people at agreement 0.5: a round agrees with probability 0.25, decided by the
    # uniform keyed (seed, CONSENSUS, task, problem, round). Under `none`, at most 4 rounds.
    agreement, rounds = 0.5, 4
    model, raised = _run("none", agreement, folder=tmp_path, rounds=rounds, effort=64)
    length = len(NAMES) * PER_MEMBER
    held, failed, outcomes = 0, 0, set()
    for p in raised:
        draws = [uniform(story.SEED, CONSENSUS, 0, p.number, r) for r in range(rounds)]
        agreed = [u < agreement ** (len(NAMES) - 1) for u in draws]
        n = agreed.index(True) + 1 if any(agreed) else rounds
        held += n
        failed += n - (1 if any(agreed) else 0)
        outcomes.add("at once" if n == 1 else "later" if any(agreed) else "never")
        expected = ("Cy;Ada;Bob", 0.8 + BONUS) if any(agreed) else ("Ada", 0.8)
        assert (p.route, p.deciders, p.quality) == ("consensus", *expected)
        assert p.resolved_at == pytest.approx(p.raised_at + n * length, abs=1e-9)
    assert _kpis(model, "consensus_rounds", "consensus_failures") == (held, failed)
    assert outcomes == {"at once", "later", "never"}, "the story needs every outcome"


@pytest.mark.parametrize(("communication", "relays"), [("direct", 0), ("chain", 2)])
def test_a_problem_of_another_field_brings_in_that_fields_most_expert(communication, relays):
    # a 1 and a 2 deliberate with b 1 (0.875, the first of b), invited like a request
    # across departments: under a chain a manager and b manager relay the invitation.
    departments = [department("a", 2), department("b", 2, expertise=0.875)]
    model, raised = _run(
        "command",
        1.0,
        departments=departments,
        people=None,
        foreign=1.0,
        communication=communication,
    )
    length = 3 * PER_MEMBER
    invited = relays * RELAY
    assert spans(served(model, "relay")) == sorted(
        (name, p.raised_at + n * RELAY, p.raised_at + (n + 1) * RELAY)
        for p in raised
        for n, name in enumerate(["a manager", "b manager"][:relays])
    )
    assert spans(served(model, "deliberate", "b 1")) == [
        ("b 1", p.raised_at + invited, p.raised_at + invited + length) for p in raised
    ]
    for p in raised:
        assert (p.field, p.route, p.deciders) == ("b", "consensus", "a 1;a 2;b 1")
        assert p.quality == 0.875 + BONUS
        assert p.resolved_at == pytest.approx(p.raised_at + invited + length, abs=1e-9)


def test_the_team_deliberates_when_the_invited_expert_arrives():
    # As a help request across departments starts on both sides once relayed: nobody
    # deliberates before the expert of another field, relayed by two managers, is there.
    departments = [department("a", 2), department("b", 2, expertise=0.875)]
    model, raised = _run(
        "command", 1.0, departments=departments, people=None, foreign=1.0, communication="chain"
    )
    invited, length = 2 * RELAY, 3 * PER_MEMBER
    assert spans(served(model, "deliberate")) == sorted(
        (name, p.raised_at + invited, p.raised_at + invited + length)
        for p in raised
        for name in ("a 1", "a 2", "b 1")
    )


def test_a_sign_off_deliberation_that_fails_is_arbitrated_and_signed_by_the_manager(tmp_path):
    # Critical problems answered by Ada (0.8) under `authority: consensus`: the team's
    # deliberation on her answer fails, the manager arbitrates; the answer stands (the
    # manager knows less) and the manager signs it.
    critical = {"minor": 0, "major": 0, "critical": 1}
    model, raised = _run(
        "command",
        NEVER,
        folder=tmp_path,
        severity=critical,
        problem_solving="experts",
        authority="consensus",
    )
    length = len(NAMES) * PER_MEMBER
    assert spans(served(model, "arbitrate")) == [
        ("a manager", p.raised_at + HELP + length, p.raised_at + HELP + length + ARBITRATE)
        for p in raised
    ]
    for p in raised:
        assert (p.route, p.deciders, p.quality) == ("peer", "Ada;a manager", 0.8)
        assert p.resolved_at == pytest.approx(p.raised_at + HELP + length + ARBITRATE, abs=1e-9)
