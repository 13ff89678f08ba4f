"""Confrontation `positive` (per raiser's department): an answer found by one person (a
self-fix, a colleague's help in the department, a manager's decision or arbitration, the
consensus fallback) is challenged before it is applied. The challenger is drawn by the
problem's own draw among the collaborators of other departments, else of other teams,
else of the team, never the raiser or the resolver. Challenger and resolver spend
`confrontation_hours` together (item `confront`); the quality q becomes
q + (1 − q) × `confrontation_gain`, and the record keeps q as
`quality_before_confrontation`; then the sign-off, if any, or the close. A deliberation
(across departments, or a group that agrees) is not challenged; `none` challenges nothing.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulator.randomness import ProblemDraws
from tests.unit.mechanisms import story
from tests.unit.mechanisms.story import department, play, problems, scenario, served, spans, task

CONFRONT = 0.5  # each side of a challenge
SELF_FIX = 1.0
HELP = 1.5
DECIDE = 2.0
ARBITRATE = 1.0
PER_MEMBER = 0.5
GAIN = 0.5
BONUS = 0.0625
MINOR_OR_MAJOR = {"minor": 0.5, "major": 0.5, "critical": 0.0}
# Problems are challenged; nothing else is settled alone, shared or coordinated.
CHALLENGE = {
    "base": "cooperative",
    "confrontation": "positive",
    "autonomy": "none",
    "shared_space": False,
    "coordination": "none",
}


def _run(departments, mechanisms, *, severity=MINOR_OR_MAJOR, foreign=0.0, folder=None, **keys):
    scn = scenario(
        departments,
        [task("t1", "a", 16)],
        policy={**CHALLENGE, **mechanisms},
        timing={
            "confrontation_hours": CONFRONT,
            "self_fix_hours": SELF_FIX,
            "expert_help_hours": HELP,
            "decision_hours": DECIDE,
            "arbitration_hours": ARBITRATE,
            "consensus_hours_per_member": PER_MEMBER,
        },
        organisation={"director": False, **keys.pop("organisation", {})},
        project={"problem_rate": 0.25, "severity": severity, "foreign_field_share": foreign},
        behaviour={"confrontation_gain": GAIN, **keys.pop("behaviour", {})},
        rework={"fraction": 0, "deliberation_bonus": BONUS},
        folder=folder,
        **keys,
    )
    model = play(scn)
    raised = problems(model)
    assert len(raised) >= 3, "the story needs problems"
    return model, raised


def _challenged(q: float) -> float:
    return q + (1 - q) * GAIN


def test_a_self_fix_is_challenged_by_a_colleague_of_another_department():
    model, raised = _run([department("a", expertise=0.5), department("b")], {"autonomy": "major"})
    assert spans(served(model, "self_fix")) == [
        ("a 1", p.raised_at, p.raised_at + SELF_FIX) for p in raised
    ]
    fixed = [p.raised_at + SELF_FIX for p in raised]
    assert spans(served(model, "confront")) == sorted(
        (name, f, f + CONFRONT) for f in fixed for name in ("a 1", "b 1")
    )
    for p in raised:
        assert (p.route, p.deciders) == ("self", "a 1;b 1")
        assert (p.quality_before_confrontation, p.quality) == (0.5, _challenged(0.5))
        assert p.resolved_at == pytest.approx(p.raised_at + SELF_FIX + CONFRONT, abs=1e-9)
    # a 1 defends their own answer: problem solving, like the self-fix.
    t1 = story.tasks(model)["t1"]
    assert t1.problem_solving_hours == pytest.approx(len(raised) * (SELF_FIX + CONFRONT))
    assert t1.decision_wait_hours == 0
    assert model.kpis()["confrontation_hours"] == pytest.approx(2 * len(raised) * CONFRONT)


def test_the_challenge_comes_before_the_sign_off(tmp_path):
    # Critical problems: Ada (0.8) answers Cy, Bea of b challenges Ada, then the manager
    # signs off. Cy waits all along: decision wait.
    people = "name,department,expertise\nCy,a,0.3\nAda,a,0.8\nBea,b,0.5\n"
    model, raised = _run(
        [department("a"), department("b")],
        {"problem_solving": "experts", "authority": "manager"},
        severity={"minor": 0, "major": 0, "critical": 1},
        organisation={"manager_expertise": 0.5},
        people=people,
        folder=tmp_path,
    )
    for p in raised:
        answered = p.raised_at + HELP
        mine = [i for i in served(model) if p.raised_at <= i.started_at < p.resolved_at]
        assert spans(mine) == [
            ("Ada", p.raised_at, answered),
            ("Ada", answered, answered + CONFRONT),
            ("Bea", answered, answered + CONFRONT),
            ("a manager", answered + CONFRONT, answered + CONFRONT + DECIDE),
        ]
        assert [i.kind for i in sorted(mine, key=lambda i: (i.started_at, i.person))] == [
            "help",
            "confront",
            "confront",
            "sign_off",
        ]
        assert (p.route, p.deciders) == ("peer", "Ada;Bea;a manager")
        assert (p.quality_before_confrontation, p.quality) == (0.8, _challenged(0.8))
    t1 = story.tasks(model)["t1"]
    assert t1.decision_wait_hours == pytest.approx(len(raised) * (HELP + CONFRONT + DECIDE))
    assert t1.problem_solving_hours == 0


def test_the_challenger_is_drawn_among_the_other_departments_by_the_problems_own_draw():
    model, raised = _run(
        [department("a", expertise=0.5), department("b", 3)], {"autonomy": "major"}
    )
    challengers = set()
    for p in raised:
        u = ProblemDraws(story.SEED, 0, p.number)[ProblemDraws.CHALLENGER]
        challenger = f"b {min(int(u * 3), 2) + 1}"
        challengers.add(challenger)
        assert p.deciders == f"a 1;{challenger}"
        (part,) = [
            i
            for i in served(model, "confront", challenger)
            if i.started_at == p.raised_at + SELF_FIX
        ]
        assert part.ended_at == p.resolved_at
    assert len(challengers) >= 2, "the story needs several challengers"


@pytest.mark.parametrize(
    ("people", "challenger"),
    [
        # One department: someone of another team, not Cy's teammate.
        ("Cy,a,red,0.3\nAda,a,red,0.8\nDan,a,red,0.3\nBob,a,blue,0.5\n", "Bob"),
        # One team: the teammate who is neither the raiser nor the resolver.
        ("Cy,a,red,0.3\nAda,a,red,0.8\nBob,a,red,0.5\n", "Bob"),
        # Nobody but the raiser and the resolver: the answer goes unchallenged.
        ("Cy,a,red,0.3\nAda,a,red,0.8\n", None),
    ],
)
def test_without_another_department_the_challenger_comes_from_another_team_then_the_team(
    tmp_path, people, challenger
):
    model, raised = _run(
        [department("a")],
        {"problem_solving": "experts"},
        people="name,department,team,expertise\n" + people,
        folder=tmp_path,
    )
    for p in raised:
        assert p.route == "peer"
        if challenger is None:
            assert (p.deciders, p.quality_before_confrontation, p.quality) == ("Ada", None, 0.8)
            assert p.resolved_at == pytest.approx(p.raised_at + HELP, abs=1e-9)
        else:
            assert p.deciders == f"Ada;{challenger}"
            assert p.quality == _challenged(0.8)
            assert p.resolved_at == pytest.approx(p.raised_at + HELP + CONFRONT, abs=1e-9)
    assert {i.person for i in served(model, "confront")} == (
        {"Ada", challenger} if challenger else set()
    )


@pytest.mark.parametrize(
    ("mechanisms", "keys", "resolver", "quality"),
    [
        # The manager decides (0.6): challenged.
        ({"problem_solving": "escalate"}, {}, "a manager", 0.6),
        # The team fails to agree and the manager arbitrates (0.6 + bonus): challenged.
        (
            {"problem_solving": "consensus"},
            {"behaviour": {"consensus_agreement": 1e-9}},
            "a manager",
            0.6 + BONUS,
        ),
        # Without management the most expert member settles alone (a 1, 0.5): challenged.
        (
            {"problem_solving": "consensus", "management": "none"},
            {"behaviour": {"consensus_agreement": 1e-9, "consensus_max_rounds": 1}},
            "a 1",
            0.5,
        ),
    ],
)
def test_every_one_person_answer_is_challenged(mechanisms, keys, resolver, quality):
    model, raised = _run([department("a", 2), department("b")], mechanisms, **keys)
    for p in raised:
        assert p.deciders == f"{resolver};b 1"
        assert p.quality_before_confrontation == pytest.approx(quality)
        assert p.quality == pytest.approx(_challenged(quality))
    assert {i.person for i in served(model, "confront")} == {resolver, "b 1"}
    assert len(served(model, "confront")) == 2 * len(raised)


@pytest.mark.parametrize(
    ("mechanisms", "foreign", "keys"),
    [
        # A team that agrees.
        ({"problem_solving": "consensus"}, 0.0, {}),
        # A professional deliberation with a lateral partner of the problem's field.
        ({"problem_solving": "experts"}, 1.0, {"organisation": {"lateral_links": 1}}),
        # The same with the field's expert, found down the ranking.
        ({"problem_solving": "experts"}, 1.0, {}),
    ],
)
def test_a_deliberation_is_not_challenged(mechanisms, foreign, keys):
    model, raised = _run([department("a"), department("b")], mechanisms, foreign=foreign, **keys)
    assert served(model, "confront") == []
    assert {p.quality_before_confrontation for p in raised} == {None}
    assert model.kpis()["confrontation_hours"] == 0


def test_each_department_challenges_under_its_own_policy():
    # legal keeps the hierarchy (no confrontation): its manager's decisions stand; a's
    # self-fixes are challenged by legal 1.
    scn = scenario(
        [department("a", expertise=0.5), department("legal", policy="hierarchical")],
        [task("t1", "a", 16), task("t2", "legal", 16)],
        policy={"base": "cooperative", "confrontation": "positive", "autonomy": "major"},
        project={
            "problem_rate": 0.25,
            "severity": {"minor": 1, "major": 0, "critical": 0},
            "foreign_field_share": 0,
        },
    )
    by_department = {}
    for p in problems(play(scn)):
        by_department.setdefault(p.department, set()).add(
            (p.route, p.deciders, p.quality_before_confrontation is not None)
        )
    assert by_department == {
        "a": {("self", "a 1;legal 1", True)},
        "legal": {("manager", "legal manager", False)},
    }


class _Member:
    """A stand-in collaborator for `_pick`: only `departed` is read."""

    def __init__(self, departed: bool = False):
        self.departed = departed


def _walk(groups, excluded, u):
    """The challenger as first written: each group counted in Python, less one per mention
    of an excluded person in it (a self-fix's raiser, who is also its resolver, twice), then
    the chosen group walked person by person."""
    counts = []
    for group in groups:
        n = len(group)
        for person in excluded:
            if person in group:
                n -= 1
        counts.append(n)
    total = sum(counts)
    if total <= 0:
        return None
    j = min(int(u * total), total - 1)
    for group, n in zip(groups, counts, strict=True):
        if j < n:
            for person in group:
                if person in excluded:
                    continue
                if j == 0:
                    return None if person.departed else person
                j -= 1
        j -= n
    return None


@given(
    sizes=st.lists(st.integers(0, 5), min_size=1, max_size=6),
    picks=st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), min_size=1, max_size=3),
    departed=st.sets(st.integers(0, 40)),
    u=st.floats(0.0, 1.0, exclude_max=True),
)
def test_the_challenger_is_drawn_as_by_the_walk_through_every_group(sizes, picks, departed, u):
    from simulator.mechanisms.confrontation import _pick

    groups = [[_Member() for _ in range(n)] for n in sizes]
    people = [p for group in groups for p in group]
    for k in departed & set(range(len(people))):
        people[k].departed = True
    outsider = _Member()  # a manager: a member of no group
    for raiser_k, resolver_k in picks:
        raiser = people[raiser_k % len(people)] if people else outsider
        # A self-fix: the raiser is the resolver; else someone else, perhaps a manager.
        resolver = (
            raiser
            if resolver_k % 3 == 0
            else (
                outsider if resolver_k % 3 == 1 or not people else people[resolver_k % len(people)]
            )
        )
        excluded = (raiser, resolver)
        homes = [next((g for g in groups if p in g), ()) for p in excluded]
        assert _pick(groups, excluded, homes, u) is _walk(groups, excluded, u)


class _Collaborator(_Member):
    """A stand-in collaborator for `challenger_among`: where they sit, and `departed`."""

    def __init__(self, department, team):
        super().__init__()
        self.department, self.team = department, team


def _challenger_by_groups(teams, raiser, resolver, u):
    """The challenger as drawn before the seats: every team's member list gathered in
    groups (other departments, the department's other teams, the team) for each problem,
    each group set drawn by `_pick`."""
    from simulator.mechanisms.confrontation import _pick

    excluded = (raiser, resolver)
    homes = [
        teams[p.department][p.team].members if p.department is not None else () for p in excluded
    ]
    own = teams[raiser.department]
    for groups in (
        [team.members for d, dept in enumerate(teams) if d != raiser.department for team in dept],
        [team.members for team in own if team.index != raiser.team],
        [own[raiser.team].members],
    ):
        chosen = _pick(groups, excluded, homes, u)
        if chosen is not None:
            return chosen
    return None


@given(
    shape=st.lists(st.lists(st.integers(1, 4), min_size=1, max_size=3), min_size=1, max_size=3),
    leaving=st.lists(st.integers(0, 40), max_size=6),
    draws=st.lists(
        st.tuples(st.integers(0, 40), st.integers(0, 40), st.floats(0.0, 1.0, exclude_max=True)),
        min_size=1,
        max_size=4,
    ),
)
def test_the_challenger_is_found_in_the_seats_as_in_the_team_lists(shape, leaving, draws):
    """Drawn by positions in the organisation's seats, the challenger is the one the team
    lists gave, after departures too (the seats are rebuilt when a member leaves a team),
    for self-fixes, colleagues' help and managers' answers."""
    import networkx as nx

    from simulator.mechanisms.confrontation import challenger_among
    from simulator.organisation import Organisation, Team

    teams = [
        [Team(d, t, [_Collaborator(d, t) for _ in range(n)], None) for t, n in enumerate(sizes)]
        for d, sizes in enumerate(shape)
    ]
    people = [p for dept in teams for team in dept for p in team.members]
    org = Organisation([], people, [], [], teams, None, nx.Graph())
    manager = _Collaborator(None, None)
    org.seats()  # built before the departures: they must not leave it stale
    for k in leaving:
        person = people[k % len(people)]
        person.departed = True
        org.leave_team(person)
    for raiser_k, resolver_k, u in draws:
        raiser = people[raiser_k % len(people)]
        resolver = (
            raiser
            if resolver_k % 3 == 0
            else manager
            if resolver_k % 3 == 1
            else people[resolver_k % len(people)]
        )
        expected = _challenger_by_groups(teams, raiser, resolver, u)
        assert challenger_among(org, raiser, resolver, u) is expected
