"""Where each person sits on the organisation drawing: a hierarchical layout, computed once.

The director on top, department managers below, team leads below them, and each team's
collaborators in a compact grid under their lead; each department is a cluster (a box).
The layout depends only on the organisation as built, so a run computes it once and every
frame reuses it (a spring layout would cost seconds and move people between frames).
People keep their place when they leave the project, so a departure shows as a gap.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

# Spacing, in the drawing's units (one unit between neighbouring collaborators).
DEPARTMENT_GAP = 1.2
TEAM_GAP = 0.6
ROW_HEIGHT = 1.0
LEVEL_HEIGHT = 1.1  # between director, managers and team leads
LABEL_HEIGHT = 0.7  # room under a cluster for the department's name
MARGIN = 0.7
LABEL_CHAR_WIDTH = 0.27  # a department name's width per character, in units
DEFAULT_ASPECT = 2.2  # width / height of the area the drawing usually fills


@dataclass(frozen=True)
class Cluster:
    """A department's box on the drawing, with its name."""

    index: int
    name: str
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass
class OrgLayout:
    """Positions (by agent `unique_id`) and the fixed parts of the drawing."""

    positions: dict[int, tuple[float, float]]
    width: float
    height: float
    clusters: list[Cluster]
    # Lines of the chain of command: manager to manager, and manager to the top of a team.
    hierarchy: list[tuple[float, float, float, float]] = field(default_factory=list)
    # Informal cross-department links (pairs of unique ids).
    lateral: list[tuple[int, int]] = field(default_factory=list)


def _team_sizes(org) -> list[list[int]]:
    """Collaborators of each team as built (departed people included: they keep a place)."""
    sizes = [[0] * len(teams) for teams in org.teams]
    for person in org.collaborators:
        sizes[person.department][person.team] += 1
    return sizes


def _width_for(sizes: list[list[int]], rows: int) -> float:
    width = 0.0
    for teams in sizes:
        columns = [max(1, math.ceil(n / rows)) for n in teams]
        width += sum(columns) + TEAM_GAP * (len(teams) - 1)  # one box per department
    return width + DEPARTMENT_GAP * (len(sizes) - 1)


def choose_rows(sizes: list[list[int]], top_levels: float, aspect: float = DEFAULT_ASPECT) -> int:
    """How many rows of collaborators make the drawing's shape closest to `aspect`."""
    largest = max((n for teams in sizes for n in teams), default=1)
    best, best_gap = 1, math.inf
    for rows in range(1, max(1, largest) + 1):
        width = _width_for(sizes, rows) + 2 * MARGIN
        height = top_levels + rows * ROW_HEIGHT + LABEL_HEIGHT + 2 * MARGIN
        gap = abs(math.log(width / height) - math.log(aspect))
        if gap < best_gap - 1e-12:
            best, best_gap = rows, gap
    return best


def hierarchical_layout(org, aspect: float = DEFAULT_ASPECT) -> OrgLayout:
    """Lay out `org` (a `simulator.organisation.Organisation`) for a drawing of ~`aspect`."""
    sizes = _team_sizes(org)
    has_director = org.director is not None
    has_leads = any(len(teams) > 1 for teams in sizes)
    y_director = MARGIN
    y_managers = y_director + (LEVEL_HEIGHT if has_director else 0.0)
    y_leads = y_managers + LEVEL_HEIGHT
    y_people = (y_leads if has_leads else y_managers) + LEVEL_HEIGHT
    rows = choose_rows(sizes, y_people - MARGIN, aspect)

    members: dict[tuple[int, int], list] = {}
    for person in org.collaborators:
        members.setdefault((person.department, person.team), []).append(person)

    positions: dict[int, tuple[float, float]] = {}
    clusters: list[Cluster] = []
    hierarchy: list[tuple[float, float, float, float]] = []
    y_bottom = y_people + (rows - 1) * ROW_HEIGHT
    x = MARGIN + 0.5  # the first cluster's box starts at the margin
    department_centres: list[float] = []
    for d, teams in enumerate(org.teams):
        columns = [
            max(1, math.ceil(len(members.get((d, t), [])) / rows)) for t in range(len(teams))
        ]
        span = sum(columns) - 1 + TEAM_GAP * (len(teams) - 1)
        # A narrow department still gets a box wide enough for its name.
        pad = max(0.0, (LABEL_CHAR_WIDTH * len(org.department_names[d]) + 0.4 - (span + 1)) / 2)
        x += pad
        x_start = x
        team_tops: list[tuple[float, object]] = []
        for t, team in enumerate(teams):
            people = members.get((d, t), [])
            for i, person in enumerate(people):
                positions[person.unique_id] = (
                    x + i % columns[t],
                    y_people + (i // columns[t]) * ROW_HEIGHT,
                )
            team_tops.append((x + (columns[t] - 1) / 2, team.lead))
            x += columns[t] - 1 + TEAM_GAP
        x -= TEAM_GAP
        centre = (x_start + x) / 2
        department_centres.append(centre)
        manager = org.department_managers[d]
        positions[manager.unique_id] = (centre, y_managers)
        for team_centre, lead in team_tops:
            if lead is not manager:
                positions[lead.unique_id] = (team_centre, y_leads)
                hierarchy.append((centre, y_managers, team_centre, y_leads))
                hierarchy.append((team_centre, y_leads, team_centre, y_people - 0.45))
            else:
                hierarchy.append((centre, y_managers, team_centre, y_people - 0.45))
        clusters.append(
            Cluster(
                d,
                org.department_names[d],
                x_start - 0.5 - pad,
                y_managers - 0.5,
                x + 0.5 + pad,
                y_bottom + 0.4 + LABEL_HEIGHT,
            )
        )
        x += pad + DEPARTMENT_GAP + 1
    width = x - DEPARTMENT_GAP - 1 + 0.5 + MARGIN
    if has_director:
        middle = width / 2
        positions[org.director.unique_id] = (middle, y_director)
        for centre in department_centres:
            hierarchy.append((middle, y_director, centre, y_managers))
    height = y_bottom + 0.4 + LABEL_HEIGHT + MARGIN
    lateral = [(a, b) for a, b, kind in org.graph.edges(data="kind") if kind == "lateral"]
    return OrgLayout(positions, max(width, 2 * MARGIN + 1), height, clusters, hierarchy, lateral)
