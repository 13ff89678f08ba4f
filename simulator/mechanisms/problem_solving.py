"""Problem solving: where a problem goes when the raiser may not settle it alone.

One class per value of the `problem_solving` mechanism, each with one decision method,
`route(desk, case)`; the `ProblemDesk` (simulator.mechanisms.problems) provides the steps
they are made of (self-fix, a helper, a deliberation, the resolution).

- `escalate`: up the chain of command until a manager may decide (`Escalate.stops_at`);
  every manager passing it up spends `relay_hours`; team leads may share one queue.
- `experts`: the most expert colleague in the problem's field who is free to help.
- `consensus`: the raiser's team deliberates.
"""

from __future__ import annotations

from collections import defaultdict, deque
from typing import TYPE_CHECKING

from simulator.domain import DECIDING, RELAYING, Item, Level, ProblemCase, Route
from simulator.randomness import draw

if TYPE_CHECKING:
    from agents.manager import Manager
    from simulator.mechanisms.problems import ProblemDesk
    from simulator.model import OrgModel


class Escalate:
    """Problems climb the chain of command: team lead, department manager, director."""

    def route(self, desk: ProblemDesk, case: ProblemCase) -> None:
        """Send the problem to the raiser's nearest manager."""
        lead = desk.model.org.lead_of(case.raiser)
        desk.model.contact(case.raiser, lead, "escalation")
        self._to_manager(desk, case, lead, 0)

    @staticmethod
    def stops_at(manager: Manager, case: ProblemCase) -> bool:
        """Whether `manager` decides the problem: one in their own field (a critical one
        not at team-lead level), or no level is left above them."""
        if manager.parent is None or manager.level == Level.DIRECTOR:
            return True
        if case.field != manager.department:
            return False
        return not (case.severity == "critical" and manager.level == Level.TEAM_LEAD)

    def _to_manager(self, desk: ProblemDesk, case: ProblemCase, manager: Manager, level: int):
        timing = desk.timing
        if self.stops_at(manager, case):
            duration = draw(timing.decision_hours, case.draws.decision(level))
            item = Item(
                "decide", duration, DECIDING, on_done=self._decided, payload=(desk, case, level)
            )
        else:
            duration = desk.model.sample(timing.relay_hours)
            item = Item(
                "escalate", duration, RELAYING, on_done=self._escalated, payload=(desk, case, level)
            )
        case.pending.append(item)
        model = desk.model
        if (
            manager.level == Level.TEAM_LEAD
            and model.config.organisation.departments[manager.department].pooled_leads
        ):
            desk.lead_pool.put(manager.department, item)
        else:
            manager.receive(item)

    def _escalated(self, item: Item, manager: Manager) -> None:
        desk, case, level = item.payload
        if case.closed or manager.parent is None:
            return
        model = desk.model
        model.contact(manager, manager.parent, "escalation")
        if manager.parent.level == Level.DIRECTOR:
            field = model.org.department_names[case.field]
            model.note(
                f"{case.raiser.name}'s {case.severity} problem ({field}) goes up to the director",
                "escalation",
            )
        self._to_manager(desk, case, manager.parent, level + 1)

    @staticmethod
    def _decided(item: Item, manager: Manager) -> None:
        desk, case, _level = item.payload
        route = Route.DIRECTOR if manager.level == Level.DIRECTOR else Route.MANAGER
        desk.resolved(case, route, manager.expertise_in(case.field), [manager], manager)


class LeadPool:
    """Problems of departments whose team leads share one queue (`pooled_leads`)."""

    def __init__(self, model: OrgModel):
        self.model = model
        self.waiting: dict[int, deque[Item]] = defaultdict(deque)

    def put(self, department: int, item: Item) -> None:
        """The first free lead of the department takes it, else it waits in the pool."""
        for team in self.model.org.teams[department]:
            lead = team.lead
            if lead.current is None and not lead.away and lead.queue_length() == 0:
                lead.receive(item)
                return
        self.waiting[department].append(item)

    def take(self, manager: Manager) -> None:
        """A team lead with an empty in-tray takes the next pooled problem, if any."""
        pool = self.waiting.get(manager.department) if manager.level == Level.TEAM_LEAD else None
        while pool:
            item = pool.popleft()
            if not item.cancelled:
                manager.receive(item)
                return

    def count(self, department: int) -> int:
        """Problems waiting in a department's pool."""
        return sum(1 for item in self.waiting.get(department, ()) if not item.cancelled)


class Experts:
    """The raiser asks the most expert colleague in the problem's field."""

    @staticmethod
    def route(desk: ProblemDesk, case: ProblemCase) -> None:
        """Ask the first free colleague down the field's ranking who knows more than the
        raiser; if all who know more are helping, queue at the most expert; if nobody
        knows more, the raiser settles it."""
        raiser = case.raiser
        own = raiser.expertise_in(case.field)
        most_expert = None
        for person in desk.ranked[case.field]:
            if person is raiser:
                continue
            if most_expert is None:
                most_expert = person
            if person.serving_help == 0:
                if person.expertise_in(case.field) > own:
                    desk.ask_helper(case, person)
                    return
                break
        if most_expert is None or most_expert.expertise_in(case.field) <= own:
            desk.self_fix(case)
        else:
            desk.ask_helper(case, most_expert)


class Consensus:
    """The raiser's team deliberates and settles the problem together."""

    @staticmethod
    def route(desk: ProblemDesk, case: ProblemCase) -> None:
        """Every member of the raiser's team spends the deliberation hours."""
        desk.deliberate(case, desk.model.org.team_of(case.raiser).members, desk.resolved)


PROBLEM_SOLVING = {"escalate": Escalate(), "experts": Experts(), "consensus": Consensus()}
