"""Authority: how a critical problem resolved below a manager is signed off before it closes.

One class per value of the `authority` mechanism, each with one decision method,
`sign_off(desk, case, resolver)`:

- `manager`: the raiser's nearest manager spends `decision_hours` signing it off;
- `codecision`: the nearest manager and the resolver decide together (`codecision_hours`
  each); the quality becomes the better of theirs plus the deliberation bonus;
- `consensus`: the raiser's team deliberates on the answer (quality at least the answer's).

A problem decided by a manager, the director or a deliberation needs no sign-off.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.domain import (
    Activity,
    Item,
    Joint,
    ProblemCase,
    Route,
    TaskState,
)
from simulator.randomness import draw

if TYPE_CHECKING:
    from simulator.mechanisms.problems import ProblemDesk


class ManagerSignsOff:
    """The nearest manager signs the answer off."""

    def sign_off(self, desk: ProblemDesk, case: ProblemCase, resolver) -> None:
        """A sign-off item for the raiser's nearest manager."""
        lead = desk.model.org.lead_of(case.raiser)
        duration = draw(lead.decision_hours, case.draws[case.draws.AUTHORITY])
        item = Item(
            "sign_off",
            duration,
            Activity.DECIDING,
            on_done=self._signed,
            payload=(desk, case),
            mechanism="authority",
        )
        case.pending.append(item)
        lead.receive(item)

    @staticmethod
    def _signed(item: Item, manager) -> None:
        desk, case = item.payload
        case.deciders.append(manager.name)
        desk.close(case)


class CoDecision:
    """The nearest manager and the resolver decide together."""

    @staticmethod
    def sign_off(desk: ProblemDesk, case: ProblemCase, resolver) -> None:
        """A joint item of `codecision_hours` for the manager and the resolver."""
        lead = desk.model.org.lead_of(case.raiser)
        people = [lead] if resolver is None or resolver is lead else [lead, resolver]
        duration = draw(desk.timing.codecision_hours, case.draws[case.draws.AUTHORITY])

        def agreed(_joint: Joint) -> None:
            case.quality = min(
                1.0,
                max(case.quality or 0.0, lead.expertise_in(case.field))
                + desk.rework.deliberation_bonus,
            )
            case.deciders.append(lead.name)
            desk.close(case)

        joint = Joint(people, agreed)
        case.on_joint = agreed
        for person in people:
            own = getattr(person, "task", None)
            item = Item(
                "codecide",
                duration,
                Activity.COORDINATING,
                on_done=joint.part_done,
                task=own if own is case.task else None,
                task_state=TaskState.PROBLEM_SOLVING,
                mechanism="authority",
            )
            case.pending.append(item)
            person.receive(item)


class TeamDeliberates:
    """The raiser's team deliberates on the answer before it is applied."""

    @staticmethod
    def sign_off(desk: ProblemDesk, case: ProblemCase, resolver) -> None:
        """A deliberation of the raiser's team; the quality is at least the answer's."""
        floor = case.quality or 0.0

        def concluded(route, quality, deciders, _resolver, _one_person) -> None:
            # The answer stands, improved by the group; an arbitrating manager signs it.
            case.quality = max(floor, quality)
            if route == Route.MANAGER:
                case.deciders.extend(p.name for p in deciders)
            desk.close(case)

        team = desk.model.org.team_of(case.raiser).members
        desk.deliberate(case, team, concluded, floor=floor, mechanism="authority", resolving=False)


AUTHORITY = {
    "manager": ManagerSignsOff(),
    "codecision": CoDecision(),
    "consensus": TeamDeliberates(),
}
