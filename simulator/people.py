"""An org chart from a CSV file (`organisation.people_file`): people by name instead of counts.

Columns: `name,department,team,role,expertise` and, optionally, the client as they are:
`project_share` (a collaborator's share of time on the project, (0, 1]), and for managers
`manager_availability` ((0, 1]) and `decision_hours` (the mean of the scenario's law of
decision times for this manager, in hours). `role` is `collaborator` (the default when
empty), `team_lead`, `manager` or `director`; `team` names a team within the department
(empty: one team); `expertise` in [0, 1] (empty: the department's mean for collaborators,
`manager_expertise` for managers, `director_expertise` for the director). An empty cell
takes the department's (or the organisation's) value. Any other column is kept as a label
of the person. The departments listed in the scenario take their collaborator and team
counts from the file.

A layer of loading beside the CSV plan (`simulator.loading` has the layer order): rows
are read by `simulator.reading`, problems located by `simulator.locating`.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simulator.errors import InputError, Problem, ScenarioWarning
from simulator.locating import row_problem, suggest
from simulator.reading import csv_table
from simulator.schema import Scenario

COLUMNS = ("name", "department", "team", "role", "expertise")
CLIENT_COLUMNS = ("project_share", "manager_availability", "decision_hours")
ROLES = ("collaborator", "team_lead", "manager", "director")


@dataclass(frozen=True)
class Listed:
    """One person of the file: what it says of them (None where a cell is empty)."""

    name: str
    expertise: float | None = None
    project_share: float | None = None
    manager_availability: float | None = None
    decision_hours: float | None = None
    labels: tuple[tuple[str, str], ...] = ()


@dataclass
class Roster:
    """Named people, in the shape the organisation is built from."""

    # members[d][t] = [Listed, ...]; team order is the file's order.
    members: list[list[list[Listed]]] = field(default_factory=list)
    team_names: list[list[str]] = field(default_factory=list)
    leads: dict[tuple[int, int], Listed] = field(default_factory=dict)
    managers: dict[int, Listed] = field(default_factory=dict)
    director: Listed | None = None


def load_people(
    scenario: Scenario, locate: Callable[..., Problem], base_dir: Path | None
) -> Scenario:
    """The scenario with department counts taken from its people file, and the roster attached."""
    org = scenario.organisation
    name = org.people_file
    assert name is not None
    path = Path(name) if base_dir is None else base_dir / name
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        raise InputError(
            locate(("organisation", "people_file"), "cannot be read as UTF-8 text", str(path))
        ) from None
    departments = [d.name for d in org.departments]
    roster = parse_people(text, name, departments)
    updated = []
    for d, dept in enumerate(org.departments):
        count = sum(len(team) for team in roster.members[d])
        if count == 0:
            raise InputError(
                locate(
                    ("organisation", "departments", d, "name"),
                    f"has no collaborators in {name}",
                    dept.name,
                )
            )
        updated.append(
            dept.model_copy(update={"collaborators": count, "teams": len(roster.members[d])})
        )
    if roster.director is not None and not org.director:
        raise InputError(
            Problem(source=name, message="a director is listed but organisation.director is false")
        )
    result = scenario.model_copy(
        update={"organisation": org.model_copy(update={"departments": updated})}
    )
    result._roster = roster
    return result


def _bad(source: str, line: int, column: str, message: str, value: Any) -> InputError:
    """One located problem in the people file (the first problem found stops the reading)."""
    return InputError(row_problem(source, line, column, message, value))


def parse_people(text: str, source: str, departments: list[str]) -> Roster:
    """Read and check a people CSV; every problem names the file, line and column."""
    columns, rows = csv_table(text, source)
    known = (*COLUMNS, *CLIENT_COLUMNS)
    for column in columns:
        hint = suggest(column, known) if column not in known else None
        if hint:
            message = f"column '{column}' is kept as a label ({hint})"
            warnings.warn(
                ScenarioWarning(Problem(source=source, line=1, message=message)), stacklevel=2
            )
    for column in ("name", "department"):
        if column not in columns:
            raise InputError(Problem(source=source, line=1, message=f"missing column '{column}'"))
    roster = Roster(members=[[] for _ in departments], team_names=[[] for _ in departments])
    seen: dict[str, int] = {}
    pending_leads: list[tuple[int, str, Listed, int]] = []
    for line, row in rows:
        cells = dict(zip(columns, row, strict=False))  # fields beyond the header are ignored
        if not any(cells.values()):
            continue

        def bad(column: str, message: str, value: Any, line: int = line) -> InputError:
            return _bad(source, line, column, message, value)

        person = cells.get("name", "")
        if not person:
            raise bad("name", "required", person)
        if person in seen:
            raise bad("name", f"named twice (first on line {seen[person]})", person)
        seen[person] = line
        role = cells.get("role") or "collaborator"
        if role not in ROLES:
            raise bad("role", f"unknown role (expected {', '.join(ROLES)})", role)
        listed = Listed(
            person,
            expertise=_share(cells, "expertise", bad, allow_zero=True),
            project_share=_share(cells, "project_share", bad),
            manager_availability=_share(cells, "manager_availability", bad),
            decision_hours=_hours(cells, "decision_hours", bad),
            labels=tuple((c, v) for c, v in cells.items() if c not in known and v),
        )
        # A value that cannot act for this role is an error, not a silent no-op.
        managing = role != "collaborator"
        for column, applies in (
            ("project_share", not managing),
            ("manager_availability", managing),
            ("decision_hours", managing),
        ):
            if cells.get(column) and not applies:
                who = "collaborators" if column == "project_share" else "managers"
                raise bad(column, f"applies to {who} only (this row is a {role})", cells[column])
        if role == "director":
            if roster.director is not None:
                raise bad("role", "only one director", role)
            roster.director = listed
            continue
        department = cells.get("department", "")
        if department not in departments:
            raise bad(
                "department", f"unknown department (known: {', '.join(departments)})", department
            )
        d = departments.index(department)
        team = cells.get("team", "")
        if role == "manager":
            if d in roster.managers:
                raise bad("role", f"{department} already has a manager", role)
            roster.managers[d] = listed
        elif role == "team_lead":
            pending_leads.append((d, team, listed, line))
        else:
            t = _team_index(roster, d, team)
            roster.members[d][t].append(listed)
    # Leads last: a lead's team is known once every collaborator has been read.
    for d, team, listed, line in pending_leads:
        if len(roster.team_names[d]) <= 1:
            raise _bad(
                source,
                line,
                "role",
                "a team lead needs a department with several teams "
                "(the department manager leads a single team)",
                "team_lead",
            )
        if team not in roster.team_names[d]:
            raise _bad(source, line, "team", "a team lead's team has no collaborators", team)
        t = roster.team_names[d].index(team)
        if (d, t) in roster.leads:
            raise _bad(source, line, "team", "this team already has a lead", team)
        roster.leads[(d, t)] = listed
    return roster


def _team_index(roster: Roster, d: int, team: str) -> int:
    if team not in roster.team_names[d]:
        roster.team_names[d].append(team)
        roster.members[d].append([])
    return roster.team_names[d].index(team)


def _number(cells: dict[str, str], column: str, bad, check, bounds: str) -> float | None:
    """A number that passes `check`, or None for an empty cell (`bounds` says why not)."""
    text = cells.get(column, "")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise bad(column, "expected a number", text) from None
    if not check(value):
        raise bad(column, f"must be {bounds}", value)
    return value


def _share(cells: dict[str, str], column: str, bad, allow_zero: bool = False) -> float | None:
    """A number in [0, 1] ((0, 1] unless `allow_zero`), or None for an empty cell."""
    if allow_zero:
        return _number(cells, column, bad, lambda v: 0.0 <= v <= 1.0, "between 0 and 1")
    return _number(cells, column, bad, lambda v: 0.0 < v <= 1.0, "more than 0 and at most 1")


def _hours(cells: dict[str, str], column: str, bad) -> float | None:
    """A non-negative, finite number of hours, or None for an empty cell."""
    return _number(cells, column, bad, lambda v: v >= 0.0 and math.isfinite(v), "0 or more hours")
