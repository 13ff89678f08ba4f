"""Problem solving: where a problem goes when the raiser may not settle it alone.

One class per value of the `problem_solving` mechanism, each with one decision method,
`route(desk, case)`; the `ProblemDesk` (simulator.mechanisms.problems) provides the steps
they are made of (self-fix, a helper, a deliberation, the resolution).

- `escalate`: up the chain of command until a manager may decide (`Escalate.stops_at`):
  a problem of another field climbs to the director, or without one crosses to that
  field's department manager; every manager passing it on spends `relay_hours`; team
  leads may share one queue.
- `experts`: the first person down the field's expertise ranking (managers included),
  other than the raiser, who is not already answering a request; if all are, the request
  queues at the most expert. Across departments it is a professional deliberation.
- `consensus`: the raiser's team deliberates (with the most expert available person of the
  problem's field when it is another department's).
"""

from __future__ import annotations

from collections import defaultdict, deque
from typing import TYPE_CHECKING

from simulator.domain import (
    Activity,
    Item,
    Level,
    ProblemCase,
    Route,
)
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
        """Whether `manager` decides: the director always; others a problem of their own
        field (a critical one not at team-lead level)."""
        if manager.level == Level.DIRECTOR:
            return True
        if case.field != manager.department:
            return False
        return not (case.severity == "critical" and manager.level == Level.TEAM_LEAD)

    @staticmethod
    def next_up(desk: ProblemDesk, manager: Manager, case: ProblemCase) -> Manager:
        """Where a manager passes a problem they do not decide: up the chain, or, at the top
        of a department without a director, to the department manager of its field."""
        if manager.parent is not None:
            return manager.parent
        return desk.model.org.department_managers[case.field]

    def _to_manager(self, desk: ProblemDesk, case: ProblemCase, manager: Manager, level: int):
        timing = desk.timing
        if self.stops_at(manager, case):
            duration = draw(manager.decision_hours, case.draws.decision(level))
            item = desk.resolving_item(
                case,
                "decide",
                duration,
                Activity.DECIDING,
                self._decided,
                [manager],
                "problem_solving",
                payload=(desk, case, level),
            )
        else:
            duration = desk.model.sample(timing.relay_hours)
            item = Item(
                "escalate",
                duration,
                Activity.RELAYING,
                on_done=self._escalated,
                payload=(desk, case, level),
                mechanism="problem_solving",
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
        if case.closed:
            return
        model = desk.model
        above = self.next_up(desk, manager, case)
        model.contact(manager, above, "escalation")
        if above.level == Level.DIRECTOR:
            field = model.org.department_names[case.field]
            model.note(
                f"{case.raiser.name}'s {case.severity} problem ({field}) goes up to the director",
                "escalation",
            )
        self._to_manager(desk, case, above, level + 1)

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
        if self.model.item_log is not None and item.received_at is None:
            # Waiting in the pool counts as held by the lead who takes it (diagnosis).
            item.received_at = self.model.time
        for team in self.model.org.teams[department]:
            lead = team.lead
            if lead.current is None and not lead.away and lead.queue_length() == 0:
                lead.receive(item)
                return
        # Every lead is busy or away: one coming back takes it, so their absences are
        # played out from now on (see `OrgModel.plan_absences`).
        for team in self.model.org.teams[department]:
            team.lead.expect_work()
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
    """The raiser asks the most expert free person in the problem's field."""

    @staticmethod
    def route(desk: ProblemDesk, case: ProblemCase) -> None:
        """Ask the first person down the field's ranking, other than the raiser, who is not
        already answering a request; if all are, queue at the most expert. Nobody settles
        alone what autonomy does not cover, even when nobody knows more than they do."""
        helper = Experts.expert(desk, case.field, exclude=(case.raiser,))
        if helper is None:  # nobody else is on the project
            desk.self_fix(case)
        else:
            desk.ask_helper(case, helper)

    @staticmethod
    def expert(desk: ProblemDesk, field: int, exclude: tuple = ()):
        """The first free person down the field's ranking, else the most expert (or None)."""
        most_expert = None
        for person in desk.ranking(field):
            if person in exclude or getattr(person, "departed", False):
                continue
            if most_expert is None:
                most_expert = person
            if person.serving_help == 0:
                return person
        return most_expert


class Consensus:
    """The raiser's team deliberates and settles the problem together."""

    @staticmethod
    def route(desk: ProblemDesk, case: ProblemCase) -> None:
        """Every member of the raiser's team spends the deliberation hours; a problem of
        another field brings in that field's most expert available person."""
        group = list(desk.model.org.team_of(case.raiser).members)
        if case.field != case.raiser.department:
            guest = Experts.expert(desk, case.field, exclude=tuple(group))
            if guest is not None:
                group.append(guest)

        def outcome(route, quality, deciders, resolver, one_person) -> None:
            desk.resolved(case, route, quality, deciders, resolver, one_person=one_person)

        desk.deliberate(case, group, outcome)


PROBLEM_SOLVING = {"escalate": Escalate(), "experts": Experts(), "consensus": Consensus()}
