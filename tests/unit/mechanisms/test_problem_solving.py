"""Problem solving: who resolves a problem the raiser may not settle alone.

`escalate`: the nearest manager decides (`decision_hours`) unless the problem is outside
their field, or critical and they are a team lead: then they pass it up (`relay_hours`); a
problem of another field climbs to the director, or without one crosses from the top of
the raiser's department to that field's manager. `experts`: the first person down the
field's expertise ranking, managers included, other than the raiser and not already
answering a request, else the most expert (`expert_help_hours`); across departments it is a
professional deliberation, both spending the help hours. `consensus`: the raiser's team
deliberates (`consensus_hours_per_member` × its size). Before any of them, a lateral
partner takes problems in their own field. The raiser's task is blocked meanwhile: in
problem solving while the holder works on the problem, in decision wait otherwise.

Problems arrive at random points of the work, so the stories state what must hold for every
problem, relative to when it was raised; the durations are fixed.
"""

from __future__ import annotations

import pytest

from tests.unit.mechanisms.story import (
    department,
    play,
    problems,
    scenario,
    served,
    spans,
    task,
    tasks,
)

DECIDE = 2.0  # a manager deciding
RELAY = 0.5  # a manager passing a problem up
HELP = 1.5  # an expert or a lateral partner helping
SELF_FIX = 1.0  # the raiser settling a problem alone
PER_MEMBER = 0.5  # deliberation hours per member of the group
MANAGER_EXPERTISE, DIRECTOR_EXPERTISE, CROSS_EXPERTISE = 0.625, 0.75, 0.25
BONUS = 0.0625  # added to the best expertise in a deliberation

RATE = 0.25  # problems per hour of work at expertise 0.5: several per task
NOT_CRITICAL = {"minor": 0.5, "major": 0.5, "critical": 0.0}
ONLY = {s: {k: float(k == s) for k in ("minor", "major", "critical")} for s in NOT_CRITICAL}


def _scenario(
    departments, plan, policy, *, severity=NOT_CRITICAL, foreign=0.0, rate=RATE, timing=(), **keys
):
    return scenario(
        departments,
        plan,
        policy={"autonomy": "none", "shared_space": False, **policy},
        timing={
            "decision_hours": DECIDE,
            "relay_hours": RELAY,
            "expert_help_hours": HELP,
            "self_fix_hours": SELF_FIX,
            "consensus_hours_per_member": PER_MEMBER,
            **dict(timing),
        },
        organisation={
            "manager_expertise": MANAGER_EXPERTISE,
            "director_expertise": DIRECTOR_EXPERTISE,
            "cross_expertise": CROSS_EXPERTISE,
            **keys.pop("organisation", {}),
        },
        project={"problem_rate": rate, "severity": severity, "foreign_field_share": foreign},
        # Resolutions cause no extra work, so that every delay is a wait.
        rework={"fraction": 0, "deliberation_bonus": BONUS},
        **keys,
    )


ESCALATE = {"base": "hierarchical", "allocation": "pull", "coordination": "none"}
EXPERTS = {"base": "cooperative", "problem_solving": "experts", "coordination": "none"}
CONSENSUS = {**EXPERTS, "problem_solving": "consensus"}


def _raised(model, at_least: int = 2):
    found = problems(model)
    assert len(found) >= at_least, "the story needs problems"
    return found


# --- escalate ------------------------------------------------------------------------------------


def test_the_department_manager_decides_each_problem_in_decision_hours():
    model = play(_scenario([department("a")], [task("t1", "a", 16)], ESCALATE))
    raised = _raised(model)
    decisions = served(model, "decide")
    assert spans(decisions) == [("a manager", p.raised_at, p.raised_at + DECIDE) for p in raised]
    for p in raised:
        assert (p.route, p.deciders, p.quality) == ("manager", "a manager", MANAGER_EXPERTISE)
        assert p.resolved_at == pytest.approx(p.raised_at + DECIDE, abs=1e-9)
    # The task was blocked for exactly those decisions.
    t1 = tasks(model)["t1"]
    assert t1.decision_wait_hours == pytest.approx(len(raised) * DECIDE)
    assert t1.problem_solving_hours == 0
    assert t1.finished_at == pytest.approx(16 + len(raised) * DECIDE)


@pytest.mark.parametrize(
    ("severity", "decider", "delay"),
    [
        ("minor", "a lead 1", DECIDE),
        ("major", "a lead 1", DECIDE),
        ("critical", "a manager", RELAY + DECIDE),  # too serious for a team lead: passed up
    ],
)
def test_with_teams_the_team_lead_decides_unless_the_problem_is_critical(severity, decider, delay):
    departments = [department("a", 2, teams=2)]
    model = play(_scenario(departments, [task("t1", "a", 16)], ESCALATE, severity=ONLY[severity]))
    for p in _raised(model):
        assert (p.route, p.deciders) == ("manager", decider)
        assert p.resolved_at == pytest.approx(p.raised_at + delay, abs=1e-9)
    (decide_by,) = {i.person for i in served(model, "decide")}
    assert decide_by == decider
    passed_up = served(model, "escalate")
    assert spans(passed_up) == (
        [("a lead 1", p.raised_at, p.raised_at + RELAY) for p in problems(model)]
        if severity == "critical"
        else []
    )


@pytest.mark.parametrize(("teams", "relays"), [(1, 1), (2, 2)])
def test_a_problem_in_another_departments_field_climbs_to_the_director(teams, relays):
    departments = [department("a", teams, teams=teams), department("b")]
    model = play(_scenario(departments, [task("t1", "a", 16)], ESCALATE, foreign=1.0))
    for p in _raised(model):
        assert (p.field, p.route, p.deciders) == ("b", "director", "director")
        assert p.quality == DIRECTOR_EXPERTISE
        assert p.resolved_at == pytest.approx(p.raised_at + relays * RELAY + DECIDE, abs=1e-9)
    chain = ["a lead 1", "a manager"][-relays:]
    assert [i.person for i in served(model, "escalate")] == chain * len(problems(model))


@pytest.mark.parametrize(("teams", "relays"), [(1, 1), (2, 2)])
def test_without_a_director_a_problem_of_another_field_crosses_to_that_fields_manager(
    teams, relays
):
    # It climbs to the top of a (a lead 1, then a manager), who passes it across to b's
    # manager, who decides it with b's expertise.
    departments = [department("a", teams, teams=teams), department("b")]
    model = play(
        _scenario(
            departments,
            [task("t1", "a", 16)],
            ESCALATE,
            foreign=1.0,
            organisation={"director": False},
        )
    )
    raised = _raised(model)
    for p in raised:
        assert (p.field, p.route, p.deciders) == ("b", "manager", "b manager")
        assert p.quality == MANAGER_EXPERTISE
        assert p.resolved_at == pytest.approx(p.raised_at + relays * RELAY + DECIDE, abs=1e-9)
    chain = ["a lead 1", "a manager"][-relays:]
    assert [i.person for i in served(model, "escalate")] == chain * len(raised)
    assert spans(served(model, "decide")) == [
        ("b manager", p.raised_at + relays * RELAY, p.resolved_at) for p in raised
    ]
    # The raiser waits all along: decision wait.
    t1 = tasks(model)["t1"]
    assert t1.decision_wait_hours == pytest.approx(len(raised) * (relays * RELAY + DECIDE))
    assert t1.problem_solving_hours == 0


def test_problems_wait_their_turn_at_the_manager_first_in_first_out():
    # Three people raise problems to one manager who takes 6 hours a decision: a queue.
    decide = 6.0
    plan = [task(f"t{i}", "a", 16) for i in range(3)]
    model = play(_scenario([department("a", 3)], plan, ESCALATE, timing={"decision_hours": decide}))
    raised = _raised(model, at_least=4)
    free_at, waited = 0.0, 0
    for p in raised:
        start = max(p.raised_at, free_at)
        waited += start > p.raised_at
        assert p.resolved_at == pytest.approx(start + decide, abs=1e-9)
        free_at = p.resolved_at
    assert waited, "the story needs a queue"


# --- experts -------------------------------------------------------------------------------------

STUDIO = "name,department,expertise\nCy,a,0.3\nDan,a,0.3\nEve,a,0.3\nAda,a,0.9\nBob,a,0.6\n"


def test_the_most_expert_free_colleague_helps_at_once(tmp_path):
    # Cy holds the only task; Ada knows the field best and has nothing else to do.
    model = play(
        _scenario([department("a")], [task("t1", "a", 16)], EXPERTS, people=STUDIO, folder=tmp_path)
    )
    raised = _raised(model)
    assert {p.raiser for p in raised} == {"Cy"}
    assert spans(served(model, "help")) == [
        ("Ada", p.raised_at, p.raised_at + HELP) for p in raised
    ]
    for p in raised:
        assert (p.route, p.deciders, p.quality) == ("peer", "Ada", 0.9)
        assert p.resolved_at == pytest.approx(p.raised_at + HELP, abs=1e-9)
    # Cy waits while Ada works on it: decision wait.
    t1 = tasks(model)["t1"]
    assert t1.decision_wait_hours == pytest.approx(len(raised) * HELP)
    assert t1.problem_solving_hours == 0


def test_a_busy_expert_passes_to_the_next_one_down_a_manager_included(tmp_path):
    # Cy, Dan, Eve and Fay work and raise problems; answering takes 6 hours. A problem goes
    # to the first person down the ranking who is not already answering a request: Ada
    # (0.9), the manager (0.625), Bob (0.6), then the others (0.3, in order), even one who
    # is blocked on a problem of their own. Someone is always free: each raiser has one
    # request open at most, and everyone else can be asked, so no request ever queues.
    help_hours = 6.0
    plan = [task(f"t{i}", "a", 16) for i in range(4)]
    model = play(
        _scenario(
            [department("a")],
            plan,
            EXPERTS,
            people="name,department,expertise\nCy,a,0.3\nDan,a,0.3\nEve,a,0.3\nFay,a,0.3\n"
            "Ada,a,0.9\nBob,a,0.6\n",
            folder=tmp_path,
            timing={"expert_help_hours": help_hours},
            organisation={"director": False},
        )
    )
    ranking = ("Ada", "a manager", "Bob", "Cy", "Dan", "Eve", "Fay")
    busy_until = dict.fromkeys(ranking, 0.0)
    helpers = set()
    for p in _raised(model, at_least=6):
        helper = next(n for n in ranking if n != p.raiser and busy_until[n] <= p.raised_at)
        helpers.add(helper)
        assert p.deciders == helper
        assert p.resolved_at == pytest.approx(p.raised_at + help_hours, abs=1e-9)
        busy_until[helper] = p.resolved_at
    assert {"Ada", "a manager", "Bob"} < helpers, "the story needs every expert busy at times"


def _ada_asks(tmp_path, **organisation):
    # Ada, the most expert (0.9), holds the only task; Bob (0.6) is her colleague.
    people = "name,department,expertise\nAda,a,0.9\nBob,a,0.6\n"
    model = play(
        _scenario(
            [department("a")],
            [task("t1", "a", 16)],
            EXPERTS,
            people=people,
            folder=tmp_path,
            rate=2.0,  # Ada meets few problems: raise the rate
            organisation=organisation,
        )
    )
    return model, _raised(model)


def test_even_the_most_expert_asks_the_next_one_down_a_manager_included(tmp_path):
    # Autonomy does not cover Ada's problems: she asks her manager (0.625), who knows less
    # than she does but more than Bob.
    model, raised = _ada_asks(tmp_path, director=False)
    assert served(model, "self_fix") == []
    assert spans(served(model, "help")) == [
        ("a manager", p.raised_at, p.raised_at + HELP) for p in raised
    ]
    for p in raised:
        assert (p.route, p.deciders, p.quality) == ("peer", "a manager", MANAGER_EXPERTISE)


def test_the_director_is_an_expert_of_every_field(tmp_path):
    # The director (0.75) knows a's field better than the manager and Bob: Ada asks the
    # director. The director is outside her department: they deliberate together, and the
    # answer takes the better of their expertise plus the bonus.
    model, raised = _ada_asks(tmp_path)
    assert spans(served(model, "help")) == sorted(
        (name, p.raised_at, p.raised_at + HELP) for p in raised for name in ("Ada", "director")
    )
    for p in raised:
        assert (p.route, p.deciders, p.quality) == ("peer", "director;Ada", 0.9 + BONUS)


def test_a_helper_interrupts_her_own_task_for_the_time_she_helps(tmp_path):
    # Ada knows everything (she meets no problems) and holds t2; every help she gives
    # before she is done delays her task by exactly its length.
    people = "name,department,expertise\nCy,a,0.3\nAda,a,1.0\n"
    plan = [task("t1", "a", 16), task("t2", "a", 8)]
    model = play(_scenario([department("a")], plan, EXPERTS, people=people, folder=tmp_path))
    t2 = tasks(model)["t2"]
    assert t2.holder == "Ada" and t2.problems == 0
    helped = [i for i in served(model, "help", "Ada") if i.ended_at <= t2.finished_at]
    assert helped, "the story needs help given while Ada works"
    assert t2.finished_at == pytest.approx(8 + len(helped) * HELP)
    # Meanwhile her task is in the queue state, not at work.
    assert t2.work_hours == pytest.approx(8)
    assert t2.queue_hours == pytest.approx(len(helped) * HELP)


@pytest.mark.parametrize(("communication", "relays"), [("direct", 0), ("chain", 2)])
def test_experts_across_departments_deliberate_together(communication, relays):
    # a 1's problems are all of b's field; b 1 (0.875) knows it best. It is a professional
    # deliberation: both spend the help hours, and the answer takes the better expertise
    # plus the bonus. Under a chain the request first goes through a manager and b manager.
    departments = [department("a"), department("b", 2, expertise=0.875)]
    policy = {**EXPERTS, "communication": communication}
    model = play(_scenario(departments, [task("t1", "a", 16)], policy, foreign=1.0))
    raised = _raised(model)
    assert spans(served(model, "relay")) == sorted(
        (name, p.raised_at + n * RELAY, p.raised_at + (n + 1) * RELAY)
        for p in raised
        for n, name in enumerate(["a manager", "b manager"][:relays])
    )
    met = relays * RELAY
    assert spans(served(model, "help")) == sorted(
        (name, p.raised_at + met, p.raised_at + met + HELP)
        for p in raised
        for name in ("a 1", "b 1")
    )
    for p in raised:
        assert (p.field, p.route, p.deciders) == ("b", "peer", "b 1;a 1")
        assert p.quality == 0.875 + BONUS
        assert p.resolved_at == pytest.approx(p.raised_at + met + HELP, abs=1e-9)
    # a 1 waits for the request to arrive (decision wait), then works on the problem.
    t1 = tasks(model)["t1"]
    assert t1.decision_wait_hours == pytest.approx(len(raised) * met)
    assert t1.problem_solving_hours == pytest.approx(len(raised) * HELP)
    assert model.kpis()["cross_department_help"] == len(raised)


# --- consensus ------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [2, 4])
def test_the_raisers_team_deliberates_for_per_member_hours_times_its_size(size):
    # Two teams; only the raiser's team (a 1's) deliberates.
    departments = [department("a", 2 * size, teams=2, expertise=0.5)]
    model = play(_scenario(departments, [task("t1", "a", 16)], CONSENSUS))
    team = [f"a {n}" for n in range(1, size + 1)]
    length = size * PER_MEMBER
    raised = _raised(model)
    assert spans(served(model, "deliberate")) == sorted(
        (name, p.raised_at, p.raised_at + length) for p in raised for name in team
    )
    for p in raised:
        assert (p.route, p.deciders) == ("consensus", ";".join(team))
        assert p.quality == 0.5 + BONUS
        assert p.resolved_at == pytest.approx(p.raised_at + length, abs=1e-9)
    # The raiser deliberates on their own problem: problem solving, no decision wait.
    t1 = tasks(model)["t1"]
    assert t1.problem_solving_hours == pytest.approx(len(raised) * length)
    assert t1.decision_wait_hours == 0


def test_a_deliberation_has_the_quality_of_the_best_member_plus_the_bonus(tmp_path):
    model = play(
        _scenario(
            [department("a")], [task("t1", "a", 16)], CONSENSUS, people=STUDIO, folder=tmp_path
        )
    )
    for p in _raised(model):
        assert p.quality == pytest.approx(0.9 + BONUS)
        assert p.resolved_at == pytest.approx(p.raised_at + 5 * PER_MEMBER, abs=1e-9)


# --- lateral partners, before every way of solving ------------------------------------------------


@pytest.mark.parametrize("solving", [ESCALATE, EXPERTS, CONSENSUS])
def test_a_lateral_partner_takes_problems_in_their_own_field_first(solving):
    # One person per department: the one lateral link joins a 1 and b 1, who deliberate
    # together on each problem of b's field (a professional deliberation): the answer
    # takes the better expertise of the two plus the bonus.
    departments = [department("a"), department("b", expertise=0.75)]
    model = play(
        _scenario(
            departments,
            [task("t1", "a", 16)],
            solving,
            foreign=1.0,
            organisation={"lateral_links": 1},
        )
    )
    raised = _raised(model)
    assert spans(served(model, "help")) == sorted(
        (name, p.raised_at, p.raised_at + HELP) for p in raised for name in ("a 1", "b 1")
    )
    for p in raised:
        assert (p.field, p.route, p.deciders, p.quality) == ("b", "peer", "b 1;a 1", 0.75 + BONUS)
    # a 1 works on the problem all along: problem solving, no decision wait.
    t1 = tasks(model)["t1"]
    assert t1.problem_solving_hours == pytest.approx(len(raised) * HELP)
    assert t1.decision_wait_hours == 0


def test_a_lateral_partner_leaves_problems_of_the_raisers_own_field_alone():
    departments = [department("a"), department("b", expertise=0.75)]
    model = play(
        _scenario(departments, [task("t1", "a", 16)], ESCALATE, organisation={"lateral_links": 1})
    )
    assert served(model, "help") == []
    assert {p.route for p in _raised(model)} == {"manager"}


# --- the same problems whoever solves them ---------------------------------------------------------


def test_the_same_problems_arrive_after_the_same_hours_of_work_under_every_way_of_solving(
    tmp_path,
):
    def work_before_each_problem(policy):
        model = play(
            _scenario(
                [department("a")], [task("t1", "a", 16)], policy, people=STUDIO, folder=tmp_path
            )
        )
        blocked, hours = 0.0, []
        for p in problems(model):
            hours.append((p.severity, round(p.raised_at - blocked, 9)))
            blocked += p.resolved_at - p.raised_at
        return hours

    escalated = work_before_each_problem(ESCALATE)
    assert len(escalated) >= 2
    assert work_before_each_problem(EXPERTS) == escalated
    assert work_before_each_problem(CONSENSUS) == escalated


# --- quality and rework: what a resolution costs afterwards -----------------------------------------


ONE_TASK = (task("t1", "a", 16),)


def _decided_at_quality(quality, fraction, weights, plan=ONE_TASK, rate=RATE):
    return play(
        scenario(
            [department("a", len(plan))],
            list(plan),
            policy={**ESCALATE, "autonomy": "none"},
            timing={"decision_hours": DECIDE},
            organisation={"director": False, "manager_expertise": quality},
            project={"problem_rate": rate},
            rework={"fraction": fraction, "severity_weight": weights},
        )
    )


def test_a_resolution_of_quality_zero_always_costs_the_rework_fraction():
    fraction = 0.25
    model = _decided_at_quality(0.0, fraction, {"minor": 1, "major": 1, "critical": 1})
    raised = _raised(model)
    assert all(p.rework and p.quality == 0 for p in raised)
    t1 = tasks(model)["t1"]
    assert t1.rework_hours == pytest.approx(len(raised) * fraction * 16)
    assert t1.finished_at == pytest.approx(16 * (1 + len(raised) * fraction) + len(raised) * DECIDE)


def test_a_perfect_resolution_never_costs_rework():
    model = _decided_at_quality(1.0, 0.25, {"minor": 1, "major": 1, "critical": 1})
    assert not any(p.rework for p in _raised(model))
    assert tasks(model)["t1"].rework_hours == 0


def test_rework_follows_one_minus_quality_times_the_severity_weight():
    # Decisions of quality 0.5: rework with probability 0.5 × weight, drawn per problem.
    weights = {"minor": 0.2, "major": 0.5, "critical": 1.0}
    plan = [task(f"t{i}", "a", 40) for i in range(10)]
    raised = problems(_decided_at_quality(0.5, 0.0, weights, plan, rate=0.5))
    assert len(raised) > 200
    chances = [0.5 * weights[p.severity] for p in raised]
    expected = sum(chances)
    se = sum(c * (1 - c) for c in chances) ** 0.5
    assert abs(sum(p.rework for p in raised) - expected) <= 4 * se
