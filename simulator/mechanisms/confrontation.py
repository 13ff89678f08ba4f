"""Confrontation: whether a one-person answer is challenged before it is applied.

`positive` (positive confrontation): a resolution found by one person (a self-fix, a
colleague's help, a manager's decision or arbitration, the consensus fallback; not a
deliberation or a co-decision) is challenged by a colleague, preferably of another
department (else another team, else the team; never the raiser or the resolver), drawn
from the problem's own draws. Both spend `confrontation_hours`, the raiser staying
blocked; the quality q becomes `q + (1 − q) × confrontation_gain`. `none`: the answer is
applied as it is. Source: VDT's goal incongruency and exception handling (Jin & Levitt
1996) read as a cost of time for a gain in quality; the gain is a stated assumption.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from simulator.domain import Activity, Item, Joint, ProblemCase, TaskState

if TYPE_CHECKING:
    from simulator.mechanisms.problems import ProblemDesk
    from simulator.organisation import Organisation, Seats


class Positive:
    """A colleague challenges the answer; it comes out better."""

    def challenge(
        self, desk: ProblemDesk, case: ProblemCase, resolver, then: Callable[[], None]
    ) -> None:
        """Both the challenger and the resolver spend `confrontation_hours`, then `then()`."""
        challenger = self.challenger(desk, case, resolver)
        if challenger is None:
            then()
            return
        model = desk.model
        duration = model.sample(desk.timing.confrontation_hours)
        gain = model.config.behaviour.confrontation_gain

        def settled(_joint: Joint) -> None:
            if case.closed:
                return
            quality = case.quality or 0.0
            case.quality_before_confrontation = quality
            case.quality = quality + (1.0 - quality) * gain
            case.deciders.append(challenger.name)
            then()

        model.contact(challenger, resolver, "confrontation")
        people = [resolver, challenger]
        joint = Joint(people, settled)
        case.on_joint = settled
        for person in people:
            is_raiser = person is case.raiser
            item = Item(
                "confront",
                duration,
                Activity.CONFRONTING,
                on_done=joint.part_done,
                task=case.task if is_raiser else None,
                task_state=TaskState.PROBLEM_SOLVING if is_raiser else None,
                mechanism="confrontation",
            )
            case.pending.append(item)
            person.receive(item)

    @staticmethod
    def challenger(desk: ProblemDesk, case: ProblemCase, resolver):
        """Who challenges: a collaborator of another department, else of another team, else
        of the team; never the raiser or the resolver (None if nobody is left)."""
        return challenger_among(
            desk.model.org, case.raiser, resolver, case.draws[case.draws.CHALLENGER]
        )


def challenger_among(org: Organisation, raiser, resolver, u: float):
    """The collaborator at quantile `u` of the other departments' members (team by team),
    else of the department's other teams, else of the raiser's team, leaving out the raiser,
    the resolver and, if drawn, someone who left (then None).

    A large organisation has hundreds of teams and most problems draw a challenger, so the
    first two are counted and searched in the organisation's seats (`Organisation.seats`)
    in O(log teams). Each excluded person is mentioned at most once there: the raiser's
    own team is left out of both. The raiser's team is a single small list, drawn by
    `_pick` as it always was (where a self-fix's raiser is mentioned twice).
    """
    teams = org.teams
    seats = org.seats()
    excluded = (raiser, resolver)
    # The list each of them can be in: their team's members (a manager is a member of
    # none; a departed collaborator was taken out of theirs).
    homes = [
        teams[p.department][p.team].members
        if p.department is not None and p.team is not None
        else ()
        for p in excluded
    ]
    placed = [
        seats.team(p.department, p.team)[0] + home.index(p)
        for p, home in zip(excluded, homes, strict=True)
        if p in home
    ]
    department = seats.department(raiser.department)
    own = seats.team(raiser.department, raiser.team)
    for stretch, gap in (((0, seats.total), department), (department, own)):
        chosen = _pick_seat(seats, stretch, gap, placed, u)
        if chosen is not None:
            return chosen
    return _pick([teams[raiser.department][raiser.team].members], excluded, homes, u)


def _pick_seat(seats: Seats, stretch: tuple, gap: tuple, placed: list, u: float):
    """The member at quantile `u` of the seats in `stretch` but not in `gap` (both
    (first, past-the-end) positions, the gap inside the stretch), leaving out those at the
    `placed` positions, each a distinct person (None if nobody is left or the one drawn
    has left)."""
    lo, hi = stretch
    gap_lo, gap_hi = gap
    width = gap_hi - gap_lo
    # Where the excluded stand once the gap is closed up, for those in the stretch.
    skipped = sorted(
        p - lo if p < gap_lo else p - lo - width
        for p in placed
        if lo <= p < hi and not gap_lo <= p < gap_hi
    )
    total = hi - lo - width - len(skipped)
    if total <= 0:
        return None
    j = min(int(u * total), total - 1)
    for position in skipped:
        if position <= j:
            j += 1
    position = lo + j
    if position >= gap_lo:
        position += width
    person = seats.at(position)
    return None if person.departed else person


def _pick(groups: list[list], excluded: tuple, homes: list, u: float):
    """The person at quantile `u` of the groups joined in order, leaving out `excluded`
    (`homes[i]`: the only list `excluded[i]` can be in) and people who left (None if
    nobody is left). The groups are counted by their lengths; only the chosen one is
    searched."""
    counts = [len(group) for group in groups]
    position = {id(group): k for k, group in enumerate(groups)}
    for person, home in zip(excluded, homes, strict=True):
        k = position.get(id(home))
        if k is not None and person in home:
            counts[k] -= 1  # once per mention: a self-fix's raiser is its resolver
    total = sum(counts)
    if total <= 0:
        return None
    j = min(int(u * total), total - 1)
    for group, n in zip(groups, counts, strict=True):
        if j < n:
            # The j-th person of the group once the excluded are skipped.
            for skipped in sorted({group.index(p) for p in excluded if p in group}):
                if skipped <= j:
                    j += 1
            person = group[j]
            return None if person.departed else person
        j -= n
    return None


class NoConfrontation:
    """The answer is applied as it is."""

    @staticmethod
    def challenge(desk: ProblemDesk, case: ProblemCase, resolver, then: Callable[[], None]):
        """Go on at once."""
        then()


CONFRONTATION = {"positive": Positive(), "none": NoConfrontation()}
