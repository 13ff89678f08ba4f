"""Problems: raising, routing (autonomy, lateral links, problem_solving), authority, closing.

Everything random about problem k of task i comes from the uniforms `problem_draws(seed,
i, k)`, so the same problem meets every policy (common random numbers).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from agents.manager import DIRECTOR, TEAM_LEAD
from simulator.domain import (
    COORDINATING,
    COORDINATION,
    DECIDING,
    DECISION_WAIT,
    HELP,
    RELAYING,
    SELF_FIXING,
    Item,
    Joint,
    ProblemCase,
    ProblemRecord,
    Route,
    Task,
)
from simulator.randomness import (
    SLOT_AUTHORITY,
    SLOT_DECISION,
    SLOT_DELIBERATION,
    SLOT_FIELD,
    SLOT_FOREIGN,
    SLOT_HELP,
    SLOT_NEXT_HAZARD,
    SLOT_PATIENCE,
    SLOT_REWORK,
    SLOT_SELF_FIX,
    SLOT_SEVERITY,
    draw,
    problem_draws,
)

if TYPE_CHECKING:
    from agents.collaborator import Collaborator
    from agents.manager import Manager
    from simulator.model import OrgModel

SELF, PEER, MANAGER, CONSENSUS = Route.SELF, Route.PEER, Route.MANAGER, Route.CONSENSUS


class ProblemDesk:
    """Where problems go under the policy of the raiser's department."""

    def __init__(self, model: OrgModel):
        self.model = model
        self.cases: list[ProblemCase] = []
        self.open = 0
        self.resolved = 0
        self._open_hours = 0.0  # integral of the number of open problems over time
        self._last_change = 0.0
        scenario = model.config
        self.timing = scenario.timing
        self.rework = scenario.rework
        severity = scenario.project.severity
        self.thresholds = (severity.minor, severity.minor + severity.major)
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
        u = problem_draws(model.seed, task.index, k)
        task.next_hazard_point -= math.log1p(-min(float(u[SLOT_NEXT_HAZARD]), 1 - 1e-12))
        severity = (
            "minor"
            if u[SLOT_SEVERITY] < self.thresholds[0]
            else "major"
            if u[SLOT_SEVERITY] < self.thresholds[1]
            else "critical"
        )
        field = task.department
        departments = len(model.org.department_names)
        if departments > 1 and u[SLOT_FOREIGN] < model.config.project.foreign_field_share:
            others = [d for d in range(departments) if d != task.department]
            field = others[min(int(u[SLOT_FIELD] * len(others)), len(others) - 1)]
        case = ProblemCase(len(self.cases), task, k, raiser, severity, field, model.time, u)
        self.cases.append(case)
        self._count_open(model.time)
        self.open += 1
        task.blocked = True
        raiser.on_state_change()
        self._route(case)

    def _route(self, case: ProblemCase) -> None:
        model = self.model
        raiser = case.raiser
        policy = model.department_policy(raiser.department)
        if policy.settles_alone(case.severity):
            self._self_fix(case)
            return
        partner = self._lateral_partner(case)
        if partner is not None:
            self._ask_helper(case, partner)
        elif policy.problem_solving == "escalate":
            model.contact(raiser, model.org.lead_of(raiser), "escalation")
            self._to_manager(case, model.org.lead_of(raiser), 0)
        elif policy.problem_solving == "experts":
            self._ask_expert(case)
        else:
            self._deliberate(case, self._group(raiser), self._resolved)
        patience = self.timing.decision_patience_hours
        if patience is not None and not case.closed:
            case.on_patience = self._make_withdrawal(case)
            case.patience_event = model.schedule_event(
                case.patience_over, after=draw(patience, float(case.draws[SLOT_PATIENCE]))
            )

    def _group(self, raiser: Collaborator) -> list[Collaborator]:
        return self.model.org.team_of(raiser).members

    def _self_fix(self, case: ProblemCase) -> None:
        raiser = case.raiser
        item = Item(
            "self_fix",
            draw(self.timing.self_fix_hours, float(case.draws[SLOT_SELF_FIX])),
            SELF_FIXING,
            on_done=self._self_fixed,
            payload=case,
            task=case.task,
            task_state=DECISION_WAIT,
        )
        raiser.receive(item)

    def _self_fixed(self, item: Item, person) -> None:
        case: ProblemCase = item.payload
        self._resolved(case, SELF, person.expertise_in(case.field), [person], person)

    def _lateral_partner(self, case: ProblemCase) -> Collaborator | None:
        partners = self.model.org.lateral_partners.get(case.raiser.unique_id, ())
        best = None
        for partner in partners:
            if partner.department == case.field and (
                best is None or partner.expertise > best.expertise
            ):
                best = partner
        return best

    # --- escalation -------------------------------------------------------------------------

    def _to_manager(self, case: ProblemCase, manager: Manager, level: int) -> None:
        decides = manager.may_decide(case.severity, case.field)
        if decides:
            slot = SLOT_DECISION + min(level, SLOT_NEXT_HAZARD - SLOT_DECISION - 1)
            duration = draw(self.timing.decision_hours, float(case.draws[slot]))
            item = Item("decide", duration, DECIDING, on_done=self._decided, payload=(case, level))
        else:
            duration = self.model.sample(self.timing.relay_hours)
            item = Item(
                "escalate", duration, RELAYING, on_done=self._escalated, payload=(case, level)
            )
        case.pending.append(item)
        if (
            manager.level == TEAM_LEAD
            and self.model.config.organisation.departments[manager.department].pooled_leads
        ):
            self.model.pool_problem(manager.department, item)
        else:
            manager.receive(item)

    def _escalated(self, item: Item, manager: Manager) -> None:
        case, level = item.payload
        if not case.closed and manager.parent is not None:
            self.model.contact(manager, manager.parent, "escalation")
            if manager.parent.level == DIRECTOR:
                self.model.note(
                    f"{case.raiser.name}'s {case.severity} problem ({self.model.org.department_names[case.field]}) "
                    "goes up to the director",
                    "escalation",
                )
            self._to_manager(case, manager.parent, level + 1)

    def _decided(self, item: Item, manager: Manager) -> None:
        case, _level = item.payload
        route = Route.DIRECTOR if manager.level == DIRECTOR else MANAGER
        self._resolved(case, route, manager.expertise_in(case.field), [manager], manager)

    # --- experts and lateral partners -----------------------------------------------------------

    def _ask_expert(self, case: ProblemCase) -> None:
        raiser = case.raiser
        own = raiser.expertise_in(case.field)
        most_expert = None
        for person in self.ranked[case.field]:
            if person is raiser:
                continue
            if most_expert is None:
                most_expert = person
            if person.serving_help == 0:
                if person.expertise_in(case.field) > own:
                    self._ask_helper(case, person)
                    return
                break
        if most_expert is None or most_expert.expertise_in(case.field) <= own:
            # Nobody knows the field better than the raiser: they settle it themselves.
            self._self_fix(case)
        else:
            self._ask_helper(case, most_expert)

    def _ask_helper(self, case: ProblemCase, helper: Collaborator) -> None:
        self.model.contact(case.raiser, helper, "help")
        helper.serving_help += 1
        duration = draw(self.timing.expert_help_hours, float(case.draws[SLOT_HELP]))
        item = Item("help", duration, HELP, on_done=self._helped, payload=(case, helper))
        case.pending.append(item)
        helper.receive(item)

    def _helped(self, item: Item, helper: Collaborator) -> None:
        case, _ = item.payload
        helper.serving_help -= 1
        self._resolved(case, PEER, helper.expertise_in(case.field), [helper], helper)

    # --- deliberation -------------------------------------------------------------------------

    def _deliberate(self, case: ProblemCase, group: list, then, floor: float = 0.0) -> None:
        per_member = draw(
            self.timing.consensus_hours_per_member, float(case.draws[SLOT_DELIBERATION])
        )
        duration = per_member * len(group)

        def concluded(_joint: Joint) -> None:
            best = max([floor, *(p.expertise_in(case.field) for p in group)])
            quality = min(1.0, best + self.rework.deliberation_bonus)
            then(case, CONSENSUS, quality, group, None)

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

    # --- resolution, authority, closing ----------------------------------------------------------

    def _resolved(
        self, case: ProblemCase, route: str, quality: float, deciders: list, resolver
    ) -> None:
        if case.closed:
            return
        case.route = route
        case.quality = quality
        case.deciders.extend(p.name for p in deciders)
        if case.severity == "critical" and route not in (MANAGER, Route.DIRECTOR, CONSENSUS):
            self._sign_off(case, resolver)
        else:
            self._close(case)

    def _sign_off(self, case: ProblemCase, resolver) -> None:
        model = self.model
        authority = model.department_policy(case.raiser.department).authority
        lead = model.org.lead_of(case.raiser)
        if authority == "manager":
            duration = draw(self.timing.decision_hours, float(case.draws[SLOT_AUTHORITY]))
            item = Item("sign_off", duration, DECIDING, on_done=self._signed, payload=case)
            case.pending.append(item)
            lead.receive(item)
        elif authority == "codecision":
            people = [lead] if resolver is None or resolver is lead else [lead, resolver]
            duration = draw(self.timing.codecision_hours, float(case.draws[SLOT_AUTHORITY]))

            def agreed(_joint: Joint) -> None:
                case.quality = min(
                    1.0,
                    max(case.quality or 0.0, lead.expertise_in(case.field))
                    + self.rework.deliberation_bonus,
                )
                case.deciders.append(lead.name)
                self._close(case)

            joint = Joint(people, agreed)
            case.on_joint = agreed
            for person in people:
                own = getattr(person, "task", None)
                item = Item(
                    "codecide",
                    duration,
                    COORDINATING,
                    on_done=joint.part_done,
                    task=own if own is case.task else None,
                    task_state=COORDINATION,
                )
                case.pending.append(item)
                person.receive(item)
        else:

            def deliberated(case_: ProblemCase, _route, quality, _group, _resolver) -> None:
                case_.quality = quality
                self._close(case_)

            self._deliberate(case, self._group(case.raiser), deliberated, floor=case.quality or 0.0)

    def _signed(self, item: Item, manager) -> None:
        case: ProblemCase = item.payload
        case.deciders.append(manager.name)
        self._close(case)

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
                case.route = SELF
                case.quality = case.raiser.expertise_in(case.field)
                case.deciders[:] = [case.raiser.name]
            # else: answered and waiting for sign-off: they go on with that answer, unsigned.
            self.model.withdrawn += 1
            self.model.note(
                f"{case.raiser.name} stops waiting for a decision and goes on alone", "patience"
            )
            self._close(case)

        return withdraw

    def _close(self, case: ProblemCase) -> None:
        if case.closed:
            return
        model = self.model
        case.closed = True
        case.resolved_at = model.time
        self._count_open(model.time)
        self.open -= 1
        self.resolved += 1
        if case.patience_event is not None:
            case.patience_event.cancel()
        quality = case.quality if case.quality is not None else 0.0
        weight = getattr(self.rework.severity_weight, case.severity)
        task = case.task
        if case.draws[SLOT_REWORK] < (1.0 - quality) * weight:
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
