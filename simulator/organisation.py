"""The organisation: people by department and team, the chain of command, the org graph.

The org graph is a networkx graph whose node ids are the agents' unique ids. Messages
under `communication: chain` follow its shortest paths, preferring among them the path
through the fewest managers.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field
from itertools import accumulate

import networkx as nx
import numpy as np

from agents.collaborator import Collaborator
from agents.manager import DEPARTMENT, DIRECTOR, TEAM_LEAD, Manager
from simulator.people import Listed
from simulator.randomness import LINKS, PEOPLE, stream
from simulator.routing import Router, router_for
from simulator.schema import Scenario

REPORTS_TO = "reports_to"
PEERS = "peers"
LATERAL = "lateral"


@dataclass
class Team:
    """Collaborators of a department under one lead (the department manager if one team)."""

    department: int
    index: int
    members: list[Collaborator]
    lead: Manager


class Seats:
    """Every team's members end to end, department by department and team by team.

    A position is a place in that sequence; each team's first position is kept, so the
    collaborator at a position and the stretch of a department or a team are found in
    O(log teams) instead of walking hundreds of teams. Valid while no member leaves a team
    (`Organisation.leave_team` drops it).
    """

    __slots__ = ("first_team", "starts", "teams")

    def __init__(self, teams: list[list[Team]]):
        self.teams = [team for department in teams for team in department]
        self.starts = list(accumulate((len(team.members) for team in self.teams), initial=0))
        # Where each department's teams begin in `self.teams` (and where the last ends).
        self.first_team = list(accumulate((len(department) for department in teams), initial=0))

    @property
    def total(self) -> int:
        """Members of every team."""
        return self.starts[-1]

    def department(self, department: int) -> tuple[int, int]:
        """First and past-the-end positions of a department's members."""
        return (
            self.starts[self.first_team[department]],
            self.starts[self.first_team[department + 1]],
        )

    def team(self, department: int, team: int) -> tuple[int, int]:
        """First and past-the-end positions of a team's members."""
        k = self.first_team[department] + team
        return self.starts[k], self.starts[k + 1]

    def at(self, position: int) -> Collaborator:
        """The member at `position` (0 <= position < total)."""
        # An empty team starts where the next begins: the last team starting at or before
        # `position` is the one that holds it.
        k = bisect_right(self.starts, position) - 1
        return self.teams[k].members[position - self.starts[k]]


@dataclass
class Organisation:
    """Everyone on the project and how they are connected."""

    department_names: list[str]
    collaborators: list[Collaborator]
    managers: list[Manager]
    department_managers: list[Manager]
    teams: list[list[Team]]
    director: Manager | None
    graph: nx.Graph
    lateral_partners: dict[int, list[Collaborator]] = field(default_factory=dict)
    _router: Router | None = None
    _seats: Seats | None = field(default=None, repr=False)

    @property
    def people(self) -> list:
        """Collaborators then managers."""
        return [*self.collaborators, *self.managers]

    def lead_of(self, collaborator: Collaborator) -> Manager:
        """The nearest manager of a collaborator."""
        return self.teams[collaborator.department][collaborator.team].lead

    def reports_of(self, manager: Manager) -> list:
        """Who reports to a manager: the director's department managers; a department
        manager's team leads (or, with one team, its members); a team lead's members."""
        if manager.level == DIRECTOR:
            return list(self.department_managers)
        teams = self.teams[manager.department]
        if manager.level == DEPARTMENT and len(teams) > 1:
            return [team.lead for team in teams]
        team = teams[0] if manager.level == DEPARTMENT else teams[manager.team]
        return [member for member in team.members if not member.departed]

    def team_of(self, collaborator: Collaborator) -> Team:
        """The collaborator's team."""
        return self.teams[collaborator.department][collaborator.team]

    def seats(self) -> Seats:
        """Every team's members end to end (kept until a member leaves a team)."""
        if self._seats is None:
            self._seats = Seats(self.teams)
        return self._seats

    def leave_team(self, collaborator: Collaborator) -> None:
        """A departed collaborator is taken out of their team, unless they are its last
        member (a team is never empty)."""
        team = self.team_of(collaborator)
        if collaborator in team.members and len(team.members) > 1:
            team.members.remove(collaborator)
            self._seats = None

    def router(self) -> Router:
        """Routes in the org graph (built on first use, after any lateral links are added)."""
        if self._router is None:
            self._router = router_for(self.graph, {m.unique_id for m in self.managers})
        return self._router

    def forget_routes(self) -> None:
        """The graph changed (someone left): routes are computed again."""
        self._router = None

    def route(self, sender: int, receiver: int) -> list[int]:
        """Node ids from sender to receiver: a shortest path with the fewest managers."""
        if sender == receiver:
            return [sender]
        return self.router().path(sender, receiver)

    def route_to_team(self, sender: int, team: Team) -> list[int]:
        """The route to the nearest member of a team (for a task whose holder is not known)."""
        router = self.router()
        distances = router.distances(sender)
        members = [m for m in team.members if m.unique_id in distances] or team.members
        door = min(members, key=lambda m: (distances.get(m.unique_id, float("inf")), m.unique_id))
        return router.path(sender, door.unique_id)


def build_organisation(model, scenario: Scenario, seed: int) -> Organisation:
    """Create the agents of `model` and the org graph."""
    org = scenario.organisation
    rng = stream(seed, PEOPLE)
    names = [d.name for d in org.departments]
    collaborators: list[Collaborator] = []
    managers: list[Manager] = []
    department_managers: list[Manager] = []
    teams: list[list[Team]] = []
    roster = scenario.roster
    director = None
    if org.director:
        name, expertise = _named(
            roster.director if roster else None, "director", org.director_expertise
        )
        director = Manager(model, name, DIRECTOR, None, None, expertise, expertise)
        _as_client_says(director, roster.director if roster else None, None, scenario)
    for d, dept in enumerate(org.departments):
        name, expertise = _named(
            roster.managers.get(d) if roster else None,
            f"{dept.name} manager",
            org.manager_expertise,
        )
        manager = Manager(model, name, DEPARTMENT, d, None, expertise, org.cross_expertise)
        _as_client_says(manager, roster.managers.get(d) if roster else None, dept, scenario)
        manager.parent = director
        department_managers.append(manager)
        managers.append(manager)
        if roster is not None:
            sizes = [len(team) for team in roster.members[d]]
        else:
            size = int(dept.collaborators or 0)
            sizes = [
                size // dept.teams + (1 if t < size % dept.teams else 0) for t in range(dept.teams)
            ]
        total = sum(sizes)
        draws = (
            rng.normal(dept.expertise, dept.expertise_sd, total)
            if dept.expertise_sd > 0
            else np.full(total, dept.expertise)
        )
        dept_teams: list[Team] = []
        position = 0
        for t, team_size in enumerate(sizes):
            if len(sizes) > 1:
                name, expertise = _named(
                    roster.leads.get((d, t)) if roster else None,
                    f"{dept.name} lead {t + 1}",
                    org.manager_expertise,
                )
                lead = Manager(model, name, TEAM_LEAD, d, t, expertise, org.cross_expertise)
                _as_client_says(lead, roster.leads.get((d, t)) if roster else None, dept, scenario)
                lead.parent = manager
                managers.append(lead)
            else:
                lead = manager
            members = []
            for k in range(team_size):
                drawn = float(np.clip(draws[position], 0.0, 1.0))
                listed = roster.members[d][t][k] if roster is not None else None
                # A listed person without a score has the department's mean expertise.
                fallback = dept.expertise if listed is not None else drawn
                name, expertise = _named(listed, f"{dept.name} {position + 1}", fallback)
                member = Collaborator(model, name, d, t, expertise, org.cross_expertise)
                _as_client_says(member, listed, dept, scenario)
                members.append(member)
                collaborators.append(member)
                position += 1
            dept_teams.append(Team(d, t, members, lead))
        teams.append(dept_teams)
    if director is not None:
        managers.append(director)

    graph = nx.Graph()
    for person in [*collaborators, *managers]:
        graph.add_node(person.unique_id, manager=isinstance(person, Manager), name=person.name)
    for dept_teams in teams:
        for team in dept_teams:
            for i, a in enumerate(team.members):
                graph.add_edge(a.unique_id, team.lead.unique_id, kind=REPORTS_TO)
                for b in team.members[i + 1 :]:
                    graph.add_edge(a.unique_id, b.unique_id, kind=PEERS)
            if team.lead is not department_managers[team.department]:
                graph.add_edge(
                    team.lead.unique_id,
                    department_managers[team.department].unique_id,
                    kind=REPORTS_TO,
                )
    for i, a in enumerate(department_managers):
        if director is not None:
            graph.add_edge(a.unique_id, director.unique_id, kind=REPORTS_TO)
        for b in department_managers[i + 1 :]:
            graph.add_edge(a.unique_id, b.unique_id, kind=PEERS)

    result = Organisation(
        names, collaborators, managers, department_managers, teams, director, graph
    )
    _add_lateral_links(result, org.lateral_links, seed)
    return result


def _named(listed: Listed | None, name: str, expertise: float) -> tuple[str, float]:
    """A person's name and expertise: from the people file when listed, else the defaults."""
    if listed is None:
        return name, expertise
    return listed.name, expertise if listed.expertise is None else listed.expertise


def _as_client_says(person, listed: Listed | None, dept, scenario: Scenario) -> None:
    """The client as they are: the person's share of time on the project (collaborators'
    `project_share`, managers' `manager_availability`), a manager's law of decision
    times, and labels — from the people file, else the department, else the organisation."""
    org = scenario.organisation
    if listed is not None:
        person.labels = dict(listed.labels)
    if isinstance(person, Collaborator):
        share = (listed.project_share if listed else None) or (dept.project_share if dept else None)
        person.availability = share or org.project_share
        return
    availability = (listed.manager_availability if listed else None) or (
        dept.manager_availability if dept else None
    )
    person.availability = availability or org.manager_availability
    law = (dept.decision_hours if dept else None) or scenario.timing.decision_hours
    if listed is not None and listed.decision_hours is not None:
        # A person's decision time in the file is the mean of their department's law.
        law = law.model_copy(update={"mean": listed.decision_hours})
    person.decision_hours = law


def _add_lateral_links(org: Organisation, count: int, seed: int) -> None:
    """`count` random cross-department pairs of collaborators (distinct pairs)."""
    if count == 0 or len(org.department_names) < 2:
        return
    rng = stream(seed, LINKS)
    people = org.collaborators
    pairs: set[tuple[int, int]] = set()
    # Pairs in different departments: all pairs minus those within a department (counted,
    # not enumerated, which would be quadratic in people).
    sizes = Counter(person.department for person in people).values()
    possible = (len(people) ** 2 - sum(n * n for n in sizes)) // 2
    target = min(count, possible)
    while len(pairs) < target:
        a, b = (int(x) for x in rng.integers(0, len(people), 2))
        if people[a].department == people[b].department:
            continue
        pair = (min(a, b), max(a, b))
        if pair in pairs:
            continue
        pairs.add(pair)
        pa, pb = people[pair[0]], people[pair[1]]
        org.graph.add_edge(pa.unique_id, pb.unique_id, kind=LATERAL)
        org.lateral_partners.setdefault(pa.unique_id, []).append(pb)
        org.lateral_partners.setdefault(pb.unique_id, []).append(pa)
