"""Problems: the desk where they are raised, routed, resolved and closed.

The route of a problem: the raiser settles it alone if `autonomy` covers its severity
(`simulator.mechanisms.autonomy`); else a lateral partner in its field takes it; else it
goes where `problem_solving` sends it (`simulator.mechanisms.problem_solving`). A critical
problem resolved below a manager is signed off under `authority`
(`simulator.mechanisms.authority`). The desk provides the steps those mechanisms are made
of: a self-fix, a helper, a deliberation, the resolution and the closing (rework).

Everything random about problem k of task i comes from `ProblemDraws(seed, i, k)`, so
the same problem meets every policy (common random numbers).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from simulator.domain import (
    COORDINATING,
    COORDINATION,
    DECISION_WAIT,
    HELP,
    SELF_FIXING,
    Item,
    Joint,
    ProblemCase,
    ProblemRecord,
    Route,
    Task,
)
from simulator.mechanisms.authority import AUTHORITY
from simulator.mechanisms.autonomy import AUTONOMY
from simulator.mechanisms.problem_solving import PROBLEM_SOLVING, LeadPool
from simulator.randomness import ProblemDraws, draw

if TYPE_CHECKING:
    from agents.collaborator import Collaborator
    from simulator.model import OrgModel

# Routes after which no sign-off is needed: a manager, the director or a group decided.
_DECIDED_WITH_AUTHORITY = (Route.MANAGER, Route.DIRECTOR, Route.CONSENSUS)


class ProblemDesk:
    """Where problems are raised, routed under the raiser's department policy, and closed."""

    def __init__(self, model: OrgModel):
        self.model = model
        self.cases: list[ProblemCase] = []
        self.open = 0
        self.resolved_count = 0
        self._open_hours = 0.0  # integral of the number of open problems over time
        self._last_change = 0.0
        scenario = model.config
        self.timing = scenario.timing
        self.rework = scenario.rework
        severity = scenario.project.severity
        self.thresholds = (severity.minor, severity.minor + severity.major)
        self.lead_pool = LeadPool(model)
        # Collaborators ranked by expertise in each field, most expert first (ties: by id).
        people = model.org.collaborators
        self.ranked = [
            sorted(people, key=lambda c, f=f: (-c.expertise_in(f), c.unique_id))
            for f in range(len(model.org.department_names))
        ]

    # --- raising --------------------------------------------------------------------------

    def raise_problem(self, raiser: Collaborator, task: Task) -> None:
        """The holder of `task` meets a problem: they are blocked until it is resolved."""
        model = self.model
        k = task.problems_raised
        task.problems_raised += 1
        u = ProblemDraws(model.seed, task.index, k)
        task.next_hazard_point -= math.log1p(-min(u[u.NEXT_HAZARD], 1 - 1e-12))
        severity = (
            "minor"
            if u[u.SEVERITY] < self.thresholds[0]
            else "major"
            if u[u.SEVERITY] < self.thresholds[1]
            else "critical"
        )
        field = task.department
        departments = len(model.org.department_names)
        if departments > 1 and u[u.FOREIGN] < model.config.project.foreign_field_share:
            others = [d for d in range(departments) if d != task.department]
            field = others[min(int(u[u.FIELD] * len(others)), len(others) - 1)]
        case = ProblemCase(len(self.cases), task, k, raiser, severity, field, model.time, u)
        self.cases.append(case)
        self._count_open(model.time)
        self.open += 1
        task.blocked = True
        raiser.on_state_change()
        self._route(case)

    def _route(self, case: ProblemCase) -> None:
        model = self.model
        policy = model.department_policy(case.raiser.department)
        if AUTONOMY[policy.autonomy].settles_alone(case.severity):
            self.self_fix(case)
            return
        partner = self._lateral_partner(case)
        if partner is not None:
            self.ask_helper(case, partner)
        else:
            PROBLEM_SOLVING[policy.problem_solving].route(self, case)
        patience = self.timing.decision_patience_hours
        if patience is not None and not case.closed:
            case.on_patience = self._make_withdrawal(case)
            case.patience_event = model.schedule_event(
                case.patience_over, after=draw(patience, case.draws[case.draws.PATIENCE])
            )

    def _lateral_partner(self, case: ProblemCase) -> Collaborator | None:
        """The raiser's most expert lateral partner in the problem's field, if any."""
        partners = self.model.org.lateral_partners.get(case.raiser.unique_id, ())
        best = None
        for partner in partners:
            if partner.department == case.field and (
                best is None or partner.expertise > best.expertise
            ):
                best = partner
        return best

    # --- the steps mechanisms are made of -------------------------------------------------

    def self_fix(self, case: ProblemCase) -> None:
        """The raiser fixes the problem themselves (`self_fix_hours`)."""
        item = Item(
            "self_fix",
            draw(self.timing.self_fix_hours, case.draws[case.draws.SELF_FIX]),
            SELF_FIXING,
            on_done=self._self_fixed,
            payload=case,
            task=case.task,
            task_state=DECISION_WAIT,
        )
        case.raiser.receive(item)

    def _self_fixed(self, item: Item, person) -> None:
        case: ProblemCase = item.payload
        self.resolved(case, Route.SELF, person.expertise_in(case.field), [person], person)

    def ask_helper(self, case: ProblemCase, helper: Collaborator) -> None:
        """A colleague answers the problem (`expert_help_hours`, interrupting their work)."""
        self.model.contact(case.raiser, helper, "help")
        helper.serving_help += 1
        duration = draw(self.timing.expert_help_hours, case.draws[case.draws.HELP])
        item = Item("help", duration, HELP, on_done=self._helped, payload=(case, helper))
        case.pending.append(item)
        helper.receive(item)

    def _helped(self, item: Item, helper: Collaborator) -> None:
        case, _ = item.payload
        helper.serving_help -= 1
        self.resolved(case, Route.PEER, helper.expertise_in(case.field), [helper], helper)

    def deliberate(self, case: ProblemCase, group: list, then, floor: float = 0.0) -> None:
        """`group` deliberates (`consensus_hours_per_member` x its size, for each member);
        then `then(case, route, quality, group, resolver)` with the best expertise in the
        group (at least `floor`) plus the deliberation bonus."""
        per_member = draw(
            self.timing.consensus_hours_per_member, case.draws[case.draws.DELIBERATION]
        )
        duration = per_member * len(group)

        def concluded(_joint: Joint) -> None:
            best = max([floor, *(p.expertise_in(case.field) for p in group)])
            quality = min(1.0, best + self.rework.deliberation_bonus)
            then(case, Route.CONSENSUS, quality, group, None)

        joint = Joint(list(group), concluded)
        case.on_joint = concluded  # keeps the closure alive for the joint's lifetime
        self.model.note(
            f"{len(group)} people stop to deliberate on {case.raiser.name}'s "
            f"{case.severity} problem",
            "deliberation",
        )
        for member in group:
            own = member.task if member is not case.raiser else case.task
            item = Item(
                "deliberate",
                duration,
                COORDINATING,
                on_done=joint.part_done,
                task=own,
                task_state=COORDINATION,
            )
            case.pending.append(item)
            member.receive(item)

    # --- resolution and closing -----------------------------------------------------------

    def resolved(
        self, case: ProblemCase, route: str, quality: float, deciders: list, resolver
    ) -> None:
        """An answer is found: a critical one below a manager is signed off, else it closes."""
        if case.closed:
            return
        case.route = route
        case.quality = quality
        case.deciders.extend(p.name for p in deciders)
        if case.severity == "critical" and route not in _DECIDED_WITH_AUTHORITY:
            authority = self.model.department_policy(case.raiser.department).authority
            AUTHORITY[authority].sign_off(self, case, resolver)
        else:
            self.close(case)

    def _make_withdrawal(self, case: ProblemCase):
        def withdraw() -> None:
            if case.closed:
                return
            for item in case.pending:
                if item.kind == "help" and not item.done and not item.cancelled:
                    item.payload[1].serving_help -= 1  # its on_done will not run
                item.cancelled = True
            if case.route is None:
                # Nobody has answered yet: the raiser goes on with their own judgement.
                case.route = Route.SELF
                case.quality = case.raiser.expertise_in(case.field)
                case.deciders[:] = [case.raiser.name]
            # else: answered and waiting for sign-off: they go on with that answer, unsigned.
            self.model.withdrawn += 1
            self.model.note(
                f"{case.raiser.name} stops waiting for a decision and goes on alone", "patience"
            )
            self.close(case)

        return withdraw

    def close(self, case: ProblemCase) -> None:
        """The problem is closed: rework is drawn from its quality; the raiser goes on."""
        if case.closed:
            return
        model = self.model
        case.closed = True
        case.resolved_at = model.time
        self._count_open(model.time)
        self.open -= 1
        self.resolved_count += 1
        if case.patience_event is not None:
            case.patience_event.cancel()
        quality = case.quality if case.quality is not None else 0.0
        weight = getattr(self.rework.severity_weight, case.severity)
        task = case.task
        if case.draws[case.draws.REWORK] < (1.0 - quality) * weight:
            case.rework = True
            task.rework_remaining += self.rework.fraction * task.effort
        task.blocked = False
        raiser = case.raiser
        raiser.on_state_change()
        raiser.serve()

    def forget(self, collaborator) -> None:
        """A collaborator left: nobody asks them for help any more."""
        for ranking in self.ranked:
            if collaborator in ranking:
                ranking.remove(collaborator)
        partners = self.model.org.lateral_partners
        for other in partners.pop(collaborator.unique_id, []):
            mates = partners.get(other.unique_id, [])
            if collaborator in mates:
                mates.remove(collaborator)

    def _count_open(self, now: float) -> None:
        self._open_hours += self.open * (now - self._last_change)
        self._last_change = now

    def mean_open(self, now: float) -> float:
        """Time-average number of open problems from 0 to `now` (L in Little's law)."""
        total = self._open_hours + self.open * (now - self._last_change)
        return total / now if now > 0 else 0.0

    # --- records ------------------------------------------------------------------------------

    def records(self) -> list[ProblemRecord]:
        """Every problem raised so far, as flat records."""
        names = self.model.org.department_names
        return [
            ProblemRecord(
                c.ident,
                c.task.key,
                c.number,
                c.raiser.name,
                names[c.raiser.department],
                c.raised_at,
                c.resolved_at,
                c.severity,
                names[c.field],
                str(c.route) if c.closed and c.route is not None else None,
                ";".join(c.deciders),
                c.quality if c.closed else None,
                c.rework,
            )
            for c in self.cases
        ]
