"""How each policy stands on Compare, in the few words and bars a room reads at a glance.

While the runs go on: who leads on tasks done and how far behind the others are. Once a
run has ended: the day it finished and how much later than the first to finish ("+2.6
days"). Beside them, the hours lost waiting for decisions and to rework so far, as bars on
one scale across the policies, so the room sees where each policy's time goes as it goes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dashboards.simulation import Frame

# The costs drawn as bars: (KPI, label), in person-hours so far.
BARS = (("decision_wait_hours", "waiting for decisions"), ("rework_hours", "rework"))


@dataclass(frozen=True)
class Standing:
    """One policy's banner: the headline words and the qualifier beside them."""

    headline: str  # "finished day 23.4", "day 12.0", "stopped at the horizon"
    gap: str  # "+2.6 days", "first", "4 tasks behind", "leading", ""
    ahead: bool  # first to finish, or leading while running


def standings(frames: Sequence[Frame]) -> list[Standing]:
    """The banner of each frame, compared with the others shown."""
    finishes = [f.day for f in frames if f.finished]
    first = min(finishes) if finishes else None
    most_done = max(f.now["tasks_done"] for f in frames)
    out = []
    for f in frames:
        if f.finished:
            gap = f.day - first
            out.append(
                Standing(
                    f"finished day {f.day:.1f}",
                    "first" if gap < 0.05 else f"+{gap:.1f} days",
                    gap < 0.05,
                )
            )
        elif not f.running:
            out.append(Standing("stopped at the horizon", "", False))
        else:
            behind = most_done - f.now["tasks_done"]
            if f.day == 0:
                gap = ""
            elif behind == 0:
                gap = "leading"
            else:
                gap = f"{behind} task{'s' if behind > 1 else ''} behind"
            out.append(Standing(f"day {f.day:.1f}", gap, behind == 0 and f.day > 0))
    return out


def bar_widths(frames: Sequence[Frame]) -> list[dict[str, float]]:
    """For each frame, each bar's length as a share (0 to 1) of the largest value shown."""
    widths: list[dict[str, float]] = [{} for _ in frames]
    for key, _label in BARS:
        values = [float(f.kpis.get(key) or 0.0) for f in frames]
        top = max(values)
        for i, value in enumerate(values):
            widths[i][key] = value / top if top > 0 else 0.0
    return widths
