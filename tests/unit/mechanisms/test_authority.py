"""Authority: the sign-off of a critical problem resolved below a manager (route `self` or
`peer`, a professional deliberation across departments included). The problem stays open
meanwhile.

`manager`: the raiser's nearest manager signs it off (`decision_hours`). `codecision`: that
manager and the resolver co-decide (`codecision_hours` each); quality = max(resolver's,
manager's expertise) + bonus. `consensus`: the raiser's team deliberates, the resolver's
quality a floor.
"""

from __future__ import annotations

import pytest

from tests.unit.mechanisms.story import department, play, problems, scenario, served, spans, task

HELP = 1.5  # the expert's help
SELF_FIX = 1.0  # the raiser settling a problem alone
SIGN_OFF = 2.0  # the manager's decision_hours
CODECIDE = 0.25  # each co-decider's part
PER_MEMBER = 0.5  # deliberation hours per member of the group
BONUS = 0.0625
MANAGER_EXPERTISE = 0.5

# Cy raises the problems; Ada, the expert, answers them; Bob is the third of the team.
TEAM = "name,department,expertise\nCy,a,0.3\nAda,a,0.75\nBob,a,0.5\n"
ADA = 0.75
CRITICAL = {"minor": 0.0, "major": 0.0, "critical": 1.0}


def _run(
    tmp_path, authority, *, people=TEAM, severity=CRITICAL, solving="experts", rate=0.25, **keys
):
    scn = scenario(
        [department("a")],
        [task("t1", "a", 16)],
        policy={
            "base": "cooperative",
            "coordination": "none",
            "autonomy": "none",
            "problem_solving": solving,
            "authority": authority,
        },
        timing={
            "expert_help_hours": HELP,
            "self_fix_hours": SELF_FIX,
            "decision_hours": SIGN_OFF,
            "codecision_hours": CODECIDE,
            "consensus_hours_per_member": PER_MEMBER,
        },
        organisation={"director": False, **keys.pop("organisation", {})},
        project={"problem_rate": rate, "severity": severity},
        rework={"fraction": 0, "deliberation_bonus": BONUS},
        people=people,
        folder=tmp_path,
    )
    model = play(scn)
    assert len(problems(model)) >= 2, "the story needs problems"
    return model


def test_under_manager_authority_the_manager_signs_off_after_the_expert_answers(tmp_path):
    model = _run(tmp_path, "manager", organisation={"manager_expertise": MANAGER_EXPERTISE})
    raised = problems(model)
    answered = [p.raised_at + HELP for p in raised]
    assert spans(served(model, "help")) == [
        ("Ada", p.raised_at, p.raised_at + HELP) for p in raised
    ]
    assert spans(served(model, "sign_off")) == [("a manager", a, a + SIGN_OFF) for a in answered]
    for p in raised:
        # The expert's answer stands: the manager signs, quality unchanged.
        assert (p.route, p.deciders, p.quality) == ("peer", "Ada;a manager", ADA)
        assert p.resolved_at == pytest.approx(p.raised_at + HELP + SIGN_OFF, abs=1e-9)


def test_under_codecision_manager_and_expert_decide_together(tmp_path):
    manager_expertise = MANAGER_EXPERTISE  # less than Ada: she is the expert asked
    model = _run(tmp_path, "codecision", organisation={"manager_expertise": manager_expertise})
    raised = problems(model)
    answered = [p.raised_at + HELP for p in raised]
    assert spans(served(model, "codecide")) == sorted(
        (name, a, a + CODECIDE) for a in answered for name in ("Ada", "a manager")
    )
    for p in raised:
        assert (p.route, p.deciders) == ("peer", "Ada;a manager")
        assert p.quality == max(ADA, manager_expertise) + BONUS
        assert p.resolved_at == pytest.approx(p.raised_at + HELP + CODECIDE, abs=1e-9)


def test_under_consensus_authority_the_raisers_team_deliberates_on_the_answer(tmp_path):
    model = _run(tmp_path, "consensus")
    raised = problems(model)
    length = 3 * PER_MEMBER
    assert spans(served(model, "deliberate")) == sorted(
        (name, p.raised_at + HELP, p.raised_at + HELP + length)
        for p in raised
        for name in ("Cy", "Ada", "Bob")
    )
    for p in raised:
        # The route and the deciders stay the expert's; the group improves the quality.
        assert (p.route, p.deciders) == ("peer", "Ada")
        assert p.quality == ADA + BONUS
        assert p.resolved_at == pytest.approx(p.raised_at + HELP + length, abs=1e-9)


def _across(authority):
    # a 1's problems are all critical and in legal's field; the lateral partner (legal 1,
    # 0.75) deliberates on each with a 1 (quality 0.75 + bonus), then the sign-off.
    scn = scenario(
        [department("a"), department("legal", expertise=LEGAL)],
        [task("t1", "a", 16)],
        policy={
            "base": "cooperative",
            "autonomy": "none",
            "coordination": "none",
            "authority": authority,
        },
        timing={
            "expert_help_hours": HELP,
            "decision_hours": SIGN_OFF,
            "codecision_hours": CODECIDE,
            "consensus_hours_per_member": PER_MEMBER,
        },
        organisation={"lateral_links": 1, "cross_expertise": 0.25, "director": False},
        project={"problem_rate": 0.25, "severity": CRITICAL, "foreign_field_share": 1},
        rework={"fraction": 0, "deliberation_bonus": BONUS},
    )
    model = play(scn)
    raised = problems(model)
    assert len(raised) >= 2, "the story needs problems"
    assert spans(served(model, "help")) == sorted(
        (name, p.raised_at, p.raised_at + HELP) for p in raised for name in ("a 1", "legal 1")
    )
    return model, raised


LEGAL = 0.75


def test_under_consensus_authority_a_better_answer_than_the_team_knows_is_a_floor():
    # a's team (a 1 alone) knows legal only at cross_expertise, yet keeps the answer of the
    # deliberation with legal 1, and adds its own bonus to it.
    model, raised = _across("consensus")
    assert spans(served(model, "deliberate")) == [
        ("a 1", p.raised_at + HELP, p.raised_at + HELP + PER_MEMBER) for p in raised
    ]
    for p in raised:
        assert (p.field, p.route, p.deciders) == ("legal", "peer", "legal 1;a 1")
        assert p.quality == LEGAL + 2 * BONUS


def test_a_critical_answer_found_across_departments_is_signed_off_too():
    # A professional deliberation is not a one-person answer, but it is found below a
    # manager: a's manager signs it off.
    model, raised = _across("manager")
    assert spans(served(model, "sign_off")) == [
        ("a manager", p.raised_at + HELP, p.raised_at + HELP + SIGN_OFF) for p in raised
    ]
    for p in raised:
        assert (p.route, p.deciders, p.quality) == ("peer", "legal 1;a 1;a manager", LEGAL + BONUS)
        assert p.resolved_at == pytest.approx(p.raised_at + HELP + SIGN_OFF, abs=1e-9)


@pytest.mark.parametrize("authority", ["manager", "codecision", "consensus"])
def test_only_critical_problems_need_a_sign_off(tmp_path, authority):
    model = _run(tmp_path, authority, severity={"minor": 0.5, "major": 0.5, "critical": 0.0})
    assert {i.kind for i in served(model)} == {"help"}
    for p in problems(model):
        assert p.deciders == "Ada"
        assert p.resolved_at == pytest.approx(p.raised_at + HELP, abs=1e-9)


@pytest.mark.parametrize("solving", ["escalate", "consensus"])
def test_a_critical_problem_a_manager_or_the_team_decided_needs_no_sign_off(tmp_path, solving):
    model = _run(tmp_path, "manager", solving=solving)
    assert {i.kind for i in served(model)} == {"escalate": {"decide"}, "consensus": {"deliberate"}}[
        solving
    ]
    assert {p.route for p in problems(model)} == {
        "escalate": {"manager"},
        "consensus": {"consensus"},
    }[solving]


@pytest.mark.parametrize(
    ("authority", "kind"), [("manager", "sign_off"), ("codecision", "codecide")]
)
def test_an_answer_from_the_raisers_own_manager_needs_no_sign_off(tmp_path, authority, kind):
    # Ada holds the task and knows the field best: the next one down is her manager (0.625,
    # above Bob), who answers. Nobody below a manager resolved it: nothing to sign.
    people = "name,department,expertise\nAda,a,0.75\nBob,a,0.5\n"
    model = _run(
        tmp_path, authority, people=people, rate=1.0, organisation={"manager_expertise": 0.625}
    )
    raised = problems(model)
    assert spans(served(model, "help")) == [
        ("a manager", p.raised_at, p.raised_at + HELP) for p in raised
    ]
    assert served(model, kind) == []
    for p in raised:
        assert (p.route, p.deciders, p.quality) == ("peer", "a manager", 0.625)
        assert p.resolved_at == pytest.approx(p.raised_at + HELP, abs=1e-9)


def test_the_sign_off_is_the_raisers_team_lead_and_never_goes_higher(tmp_path):
    # Two teams: Cy's lead signs, although a team lead would pass a critical decision up.
    people = "name,department,team,expertise\nCy,a,red,0.3\nAda,a,blue,0.75\n"
    model = _run(tmp_path, "manager", people=people)
    assert {i.person for i in served(model, "sign_off")} == {"a lead 1"}
    assert served(model, "escalate") == []
    assert {p.deciders for p in problems(model)} == {"Ada;a lead 1"}
