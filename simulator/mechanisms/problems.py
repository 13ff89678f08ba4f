"""Problems: the desk where they are raised, routed, resolved and closed.

The route of a problem: the raiser settles it alone if it is in their own field and
`autonomy` covers its severity (`simulator.mechanisms.autonomy`); else a lateral partner
in its field takes it; else it goes where `problem_solving` sends it
(`simulator.mechanisms.problem_solving`). A one-person answer is challenged under
`confrontation` (`simulator.mechanisms.confrontation`); a critical problem resolved below
a manager is then signed off under `authority` (`simulator.mechanisms.authority`). The
work that resolves a problem is shortened by the collaborative memory
(`simulator.mechanisms.memory`).

The desk provides the steps those mechanisms are made of: a self-fix, a helper (a
professional deliberation across departments), a deliberation in rounds, an
arbitration, the resolution and the closing (rework).

Everything random about problem k of task i comes from `ProblemDraws(seed, i, k)` and the
streams keyed by (task, problem), so the same problem meets every policy (common random
numbers).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from sortedcontainers import SortedList

from simulator.domain import (
    Activity,
    Item,
    Joint,
    ProblemCase,
    ProblemRecord,
    Route,
    Task,
    TaskState,
)
from simulator.mechanisms.authority import AUTHORITY
from simulator.mechanisms.autonomy import AUTONOMY
from simulator.mechanisms.confrontation import CONFRONTATION
from simulator.mechanisms.management import MANAGEMENT
from simulator.mechanisms.memory import Memory
from simulator.mechanisms.problem_solving import PROBLEM_SOLVING, LeadPool
from simulator.randomness import CONSENSUS, ProblemDraws, draw, uniform

if TYPE_CHECKING:
    from agents.collaborator import Collaborator
    from simulator.model import OrgModel

# Routes after which no sign-off is needed: a manager, the director or a group decided.
_DECIDED_WITH_AUTHORITY = (Route.MANAGER, Route.DIRECTOR, Route.CONSENSUS)

# What a deliberation hands on: (route, quality, deciders, resolver, one_person).
Outcome = Callable[[str, float, list, object, bool], None]

_PERSON = 2  # in a ranking entry (-expertise, unique id, person)


def _ranking_entry(person, field: int) -> tuple:
    """Where `person` stands in `field`'s ranking: the id breaks ties, so entries never
    compare the people themselves."""
    return (-person.expertise_in(field), person.unique_id, person)


class ProblemDesk:
    """Where problems are raised, routed under the raiser's department policy, and closed."""

    def __init__(self, model: OrgModel):
        self.model = model
        self.cases: list[ProblemCase] = []
        self.open = 0
        self.resolved_count = 0
        self.consensus_rounds = 0
        self.consensus_failures = 0
        self.arbitrations = 0
        self.cross_department_help = 0
        # Resolutions that reused what was known of their class (occurrence 2 or more).
        self.knowledge_reuses = 0
        self._open_hours = 0.0  # integral of the number of open problems over time
        self._last_change = 0.0
        scenario = model.config
        self.timing = scenario.timing
        self.rework = scenario.rework
        self.behaviour = scenario.behaviour
        severity = scenario.project.severity
        self.thresholds = (severity.minor, severity.minor + severity.major)
        self.lead_pool = LeadPool(model)
        self.memory = Memory(model)
        # Everyone ranked by expertise in each field, most expert first (ties: by id), as
        # entries (-expertise, id, person) in a sorted list; `_entries[field]` holds each
        # person's entry as it was ranked, to find it again. A person whose expertise
        # changed (coaching) is moved to their new place when the field is next asked for:
        # a removal and an insertion in O(log n), however large the organisation.
        self._ranked: list[SortedList] = []
        self._entries: list[dict[int, tuple]] = []
        for field in range(len(model.org.department_names)):
            entries = {id(p): _ranking_entry(p, field) for p in model.org.people}
            self._entries.append(entries)
            self._ranked.append(SortedList(entries.values()))
        self._stale: dict[int, dict[int, Any]] = {}  # field -> {id: person} to re-place

    def ranking(self, field: int) -> Iterator:
        """Everyone still on the project, most expert in `field` first (ties: by id)."""
        moved = self._stale.pop(field, None)
        ranked = self._ranked[field]
        if moved:
            entries = self._entries[field]
            for key, person in moved.items():
                entry = entries.get(key)
                if entry is None:  # left the project
                    continue
                ranked.remove(entry)
                entries[key] = entry = _ranking_entry(person, field)
                ranked.add(entry)
        return (entry[_PERSON] for entry in ranked)

    def expertise_changed(self, person, field: int) -> None:
        """A person's expertise in `field` changed: rankings and their problem rate follow."""
        self._stale.setdefault(field, {})[id(person)] = person
        task = getattr(person, "task", None)
        if task is not None:
            person.change_problem_rate(person.problem_rate_for(task, self.model.problem_rate))

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
        classes = model.config.project.problem_classes
        case = ProblemCase(len(self.cases), task, k, raiser, severity, field, model.time, u)
        case.problem_class = min(int(u[u.CLASS] * classes), classes - 1)
        self.cases.append(case)
        self._count_open(model.time)
        self.open += 1
        task.blocked = True
        raiser.on_state_change()
        self._route(case)

    def _route(self, case: ProblemCase) -> None:
        model = self.model
        policy = model.department_policy(case.raiser.department)
        own_field = case.field == case.raiser.department
        if own_field and AUTONOMY[policy.autonomy].settles_alone(case.severity):
            self.self_fix(case)
        else:
            partner = self._lateral_partner(case)
            if partner is not None:
                self.ask_helper(case, partner)
            else:
                PROBLEM_SOLVING[policy.problem_solving].route(self, case)
        patience = self.timing.decision_patience_hours
        if patience is not None and not case.closed:
            case.on_patience = self._make_withdrawal(case)
            case.patience_event = model.book(
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

    # --- the work that resolves a problem -------------------------------------------------

    def resolving_item(
        self,
        case: ProblemCase,
        kind: str,
        hours: float,
        booked_as: str,
        on_done,
        resolvers: list,
        mechanism: str,
        *,
        payload=None,
        task: Task | None = None,
        task_state: str | None = None,
    ) -> Item:
        """An item whose work resolves `case`: when it starts, the resolvers' memory of
        the problem's class shortens it (and, from a shared space, costs a read first)."""

        def starts(item: Item, _person) -> Item | None:
            memory = self.memory
            memory.recall(case, resolvers)
            for person in resolvers:
                case.participants[person] = None
            item.duration *= case.learning_factor
            case.resolution_hours = item.duration
            if memory.shared_space and case.occurrence is not None and case.occurrence >= 2:
                return Item(
                    "read_record",
                    self.model.sample(self.timing.read_hours),
                    Activity.READING,
                    task=item.task,
                    task_state=item.task_state,
                    mechanism="shared_space",
                )
            return None

        item = Item(
            kind,
            hours,
            booked_as,
            on_done=on_done,
            payload=payload,
            task=task,
            task_state=task_state,
            mechanism=mechanism,
            on_start=starts,
        )
        case.pending.append(item)
        return item

    def self_fix(self, case: ProblemCase) -> None:
        """The raiser fixes the problem themselves (`self_fix_hours`)."""
        item = self.resolving_item(
            case,
            "self_fix",
            draw(self.timing.self_fix_hours, case.draws[case.draws.SELF_FIX]),
            Activity.SELF_FIXING,
            self._self_fixed,
            [case.raiser],
            "autonomy",
            payload=case,
            task=case.task,
            task_state=TaskState.PROBLEM_SOLVING,
        )
        case.raiser.receive(item)

    def _self_fixed(self, item: Item, person) -> None:
        case: ProblemCase = item.payload
        self.resolved(case, Route.SELF, person.expertise_in(case.field), [person], person)

    def ask_helper(self, case: ProblemCase, helper) -> None:
        """A colleague answers the problem (`expert_help_hours`, interrupting their work).

        Across departments it is a professional deliberation: the raiser spends the help
        hours with the helper, the answer takes the better expertise of the two plus the
        deliberation bonus, and under `communication: chain` the request is relayed there
        first, like a message.
        """
        model = self.model
        raiser = case.raiser
        model.contact(raiser, helper, "help")
        helper.serving_help += 1
        case.helping = helper
        duration = draw(self.timing.expert_help_hours, case.draws[case.draws.HELP])
        if helper.department == raiser.department:
            item = self.resolving_item(
                case, "help", duration, Activity.HELP, self._helped, [helper], "problem_solving"
            )
            item.payload = (case, helper)
            helper.receive(item)
            return
        self.cross_department_help += 1

        def deliberated(_joint: Joint) -> None:
            self._help_over(case, helper)
            best = max(helper.expertise_in(case.field), raiser.expertise_in(case.field))
            quality = min(1.0, best + self.rework.deliberation_bonus)
            self.resolved(case, Route.PEER, quality, [helper, raiser], helper, one_person=False)

        joint = Joint([helper, raiser], deliberated)
        case.on_joint = deliberated
        parts = []
        for person in (raiser, helper):
            own = person is raiser
            parts.append(
                self.resolving_item(
                    case,
                    "help",
                    duration,
                    Activity.HELP,
                    joint.part_done,
                    [helper, raiser],
                    "problem_solving",
                    task=case.task if own else None,
                    task_state=TaskState.PROBLEM_SOLVING if own else None,
                )
            )

        def arrived() -> None:
            if case.closed:
                return
            raiser.receive(parts[0])
            helper.receive(parts[1])

        model.communication.relay_request(raiser, helper, arrived, case.pending)

    def _help_over(self, case: ProblemCase, helper) -> None:
        if case.helping is helper:
            helper.serving_help -= 1
            case.helping = None

    def _helped(self, item: Item, helper) -> None:
        case, _ = item.payload
        self._help_over(case, helper)
        self.resolved(case, Route.PEER, helper.expertise_in(case.field), [helper], helper)

    def deliberate(
        self,
        case: ProblemCase,
        group: list,
        outcome: Outcome,
        *,
        floor: float = 0.0,
        mechanism: str = "problem_solving",
        resolving: bool = True,
    ) -> None:
        """One round of deliberation: every member spends `consensus_hours_per_member` x
        the group's size. The round agrees with probability `consensus_agreement^(n−1)`
        (drawn from the stream keyed by task, problem and round): the answer takes the best
        expertise in the group (at least `floor`) plus the deliberation bonus. A round that
        fails goes to the nearest manager's arbitration where management arbitrates; else
        the group goes round again, at most `consensus_max_rounds` rounds, after which the
        most expert member settles it alone.
        """
        model = self.model
        per_member = draw(
            self.timing.consensus_hours_per_member, case.draws[case.draws.DELIBERATION]
        )
        duration = per_member * len(group)
        this_round = case.rounds
        case.rounds += 1
        self.consensus_rounds += 1

        def concluded(_joint: Joint) -> None:
            if case.closed:
                return
            field = case.field
            agreement = self.behaviour.consensus_agreement ** (len(group) - 1)
            u = uniform(model.seed, CONSENSUS, case.task.index, case.number, this_round)
            if u < agreement:
                best = max([floor, *(p.expertise_in(field) for p in group)])
                quality = min(1.0, best + self.rework.deliberation_bonus)
                outcome(Route.CONSENSUS, quality, list(group), None, False)
                return
            self.consensus_failures += 1
            management = MANAGEMENT[model.department_policy(case.raiser.department).management]
            if management.arbitrates:
                self.arbitrate(case, outcome, resolving)
            elif case.rounds < self.behaviour.consensus_max_rounds:
                self.deliberate(
                    case, group, outcome, floor=floor, mechanism=mechanism, resolving=resolving
                )
            else:
                settler = max(group, key=lambda p: (p.expertise_in(field), -p.unique_id))
                outcome(Route.CONSENSUS, settler.expertise_in(field), [settler], settler, True)

        joint = Joint(list(group), concluded)
        case.on_joint = concluded  # keeps the closure alive for the joint's lifetime
        model.note(
            f"{len(group)} people stop to deliberate on {case.raiser.name}'s "
            f"{case.severity} problem" + (f" (round {this_round + 1})" if this_round else ""),
            "deliberation",
        )
        deliveries = []  # (member, item), handed over together
        for member in group:
            raiser = member is case.raiser
            own = case.task if raiser else getattr(member, "task", None)
            state = TaskState.PROBLEM_SOLVING if raiser else TaskState.COORDINATION
            if resolving:
                item = self.resolving_item(
                    case,
                    "deliberate",
                    duration,
                    Activity.COORDINATING,
                    joint.part_done,
                    group,
                    mechanism,
                    task=own,
                    task_state=state,
                )
            else:
                item = Item(
                    "deliberate",
                    duration,
                    Activity.COORDINATING,
                    on_done=joint.part_done,
                    task=own,
                    task_state=state,
                    mechanism=mechanism,
                )
                case.pending.append(item)
            deliveries.append((member, item))
        guests = [
            member
            for member in group
            if member.department is not None and member.department != case.raiser.department
        ]
        if not guests:
            for member, item in deliveries:
                member.receive(item)
            return
        # An expert of another field joins: invited like a request across departments, and
        # the group sits down once every guest has arrived, as a help request across
        # departments starts on both sides when the relay is done.
        arrivals = _Arrivals(len(guests), deliveries)
        for guest in guests:
            self.model.communication.relay_request(case.raiser, guest, arrivals, case.pending)

    def arbitrate(self, case: ProblemCase, outcome: Outcome, resolving: bool = True) -> None:
        """A deliberation failed: the raiser's nearest manager decides (`arbitration_hours`);
        the answer takes their expertise plus the deliberation bonus."""
        manager = self.model.org.lead_of(case.raiser)
        self.arbitrations += 1

        def decided(_item: Item, person) -> None:
            quality = min(1.0, person.expertise_in(case.field) + self.rework.deliberation_bonus)
            outcome(Route.MANAGER, quality, [person], person, True)

        hours = self.model.sample(self.timing.arbitration_hours)
        if resolving:
            item = self.resolving_item(
                case, "arbitrate", hours, Activity.DECIDING, decided, [manager], "management"
            )
        else:
            item = Item(
                "arbitrate", hours, Activity.DECIDING, on_done=decided, mechanism="management"
            )
            case.pending.append(item)
        self.model.contact(case.raiser, manager, "arbitration")
        manager.receive(item)

    # --- resolution and closing -----------------------------------------------------------

    def resolved(
        self,
        case: ProblemCase,
        route: str,
        quality: float,
        deciders: list,
        resolver,
        one_person: bool = True,
    ) -> None:
        """An answer is found. The quality is at least the best its resolvers could reuse;
        a one-person answer may be challenged first; then a critical one found below a
        manager (not by a manager asked as an expert) is signed off, else it closes."""
        if case.closed:
            return
        case.route = route
        case.quality = max(quality, case.known_quality)
        case.deciders.extend(p.name for p in deciders)

        def applied() -> None:
            if case.closed:
                return
            below_a_manager = getattr(resolver, "role", None) != "manager"
            if (
                case.severity == "critical"
                and route not in _DECIDED_WITH_AUTHORITY
                and below_a_manager
            ):
                authority = self.model.department_policy(case.raiser.department).authority
                AUTHORITY[authority].sign_off(self, case, resolver)
            else:
                self.close(case)

        if one_person and resolver is not None:
            policy = self.model.department_policy(case.raiser.department)
            CONFRONTATION[policy.confrontation].challenge(self, case, resolver, applied)
        else:
            applied()

    def _make_withdrawal(self, case: ProblemCase):
        def withdraw() -> None:
            if case.closed:
                return
            for item in case.pending:
                item.cancelled = True
            if case.helping is not None:
                self._help_over(case, case.helping)
            if case.route is None:
                # Nobody has answered yet: the raiser goes on with their own judgement.
                case.route = Route.SELF
                case.quality = case.raiser.expertise_in(case.field)
                case.deciders[:] = [case.raiser.name]
                case.participants[case.raiser] = None
            # else: answered and waiting for sign-off: they go on with that answer, unsigned.
            self.model.withdrawn += 1
            self.model.note(
                f"{case.raiser.name} stops waiting for a decision and goes on alone", "patience"
            )
            self.close(case)

        return withdraw

    def close(self, case: ProblemCase) -> None:
        """The problem is closed: it joins the memory, rework is drawn from its quality, and
        the raiser goes on."""
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
        self.memory.store(case)
        if (case.occurrence or 0) >= 2:
            self.knowledge_reuses += 1
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
        for ranking, entries in zip(self._ranked, self._entries, strict=True):
            entry = entries.pop(id(collaborator), None)
            if entry is not None:
                ranking.remove(entry)
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
                c.problem_class,
                c.occurrence,
                c.resolution_hours,
                c.quality_before_confrontation,
            )
            for c in self.cases
        ]


class _Arrivals:
    """Hands a deliberation's items to its members once every invited guest has arrived
    (items withdrawn meanwhile are not handed over)."""

    __slots__ = ("deliveries", "waiting")

    def __init__(self, guests: int, deliveries: list):
        self.waiting = guests
        self.deliveries = deliveries

    def __call__(self) -> None:
        self.waiting -= 1
        if self.waiting:
            return
        for person, item in self.deliveries:
            if not item.cancelled:
                person.receive(item)
