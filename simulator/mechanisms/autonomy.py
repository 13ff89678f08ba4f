"""Autonomy: which problems a collaborator settles alone, before any other mechanism acts.

`none`: none; `minor`: minor ones; `major`: minor and major ones. Critical problems are
never settled alone (they go to `problem_solving`, and a critical resolution below a
manager is signed off under `authority`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Autonomy:
    """The severities a collaborator may settle alone."""

    covers: frozenset[str]

    def settles_alone(self, severity: str) -> bool:
        """Whether the raiser fixes a problem of this severity themselves."""
        return severity in self.covers


AUTONOMY: dict[str, Autonomy] = {
    "none": Autonomy(frozenset()),
    "minor": Autonomy(frozenset({"minor"})),
    "major": Autonomy(frozenset({"minor", "major"})),
}
