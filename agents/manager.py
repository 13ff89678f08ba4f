"""Manager: a team lead, a department manager or the director, serving an in-tray."""

from __future__ import annotations

from agents.person import Person
from simulator.domain import Level

TEAM_LEAD = Level.TEAM_LEAD
DEPARTMENT = Level.DEPARTMENT
DIRECTOR = Level.DIRECTOR


class Manager(Person):
    """A manager at some level. Managers do no task work: they assign, relay, decide, meet.

    `parent` is the next level up (team lead -> department manager -> director), or None.
    """

    role = "manager"

    def __init__(
        self,
        model,
        name: str,
        level: str,
        department: int | None,
        team: int | None,
        expertise: float,
        cross_expertise: float,
    ):
        super().__init__(model, name, department, team)
        self.level = level
        self.expertise = expertise
        self.cross_expertise = cross_expertise
        self.parent: Manager | None = None
        self.decision_hours = None  # this manager's law of decision times (a Distribution)

    def expertise_in(self, field: int) -> float:
        """The director knows every field equally; others know their department's field."""
        if self.level == DIRECTOR or field == self.department:
            return self.expertise
        return self.cross_expertise

    def unoccupied(self) -> bool:
        """Nothing in hand, and for a team lead nothing in the department's pool of problems
        (coming back, the lead would take one). (A lead free at the start of a day has
        already emptied the pool; the check keeps the moves played out should that ever not
        hold.)"""
        if not super().unoccupied():
            return False
        return self.level != TEAM_LEAD or not self.model.desk.lead_pool.waiting.get(self.department)

    def on_free(self) -> None:
        """Nothing in the in-tray: a team lead takes the next problem from a shared pool."""
        self.model.manager_free(self)
