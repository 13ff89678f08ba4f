"""Tiny scenarios for the mechanism stories, built and read through the public API only.

Every duration is fixed (nothing random but the problems), nobody meets a problem unless
a story asks for it, and the records of a run are read back by name: the items people
served (`served`), the tasks (`tasks`), the problems and the messages.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import simulator

if TYPE_CHECKING:
    from simulator.domain import ItemRecord, ProblemRecord, TaskRecord

SEED = 1
POLICY = "story"

# Every timing key fixed, so that a story's times follow from its durations alone. A story
# names the durations it relies on; the others only need to be fixed.
FIXED_TIMES = {
    "message_hours": 0.25,
    "relay_hours": 0.5,
    "post_hours": 0.25,
    "read_hours": 0.125,
    "assignment_hours": 0.25,
    "decision_hours": 2.0,
    "self_fix_hours": 1.0,
    "expert_help_hours": 1.5,
    "coordination_hours": 1.0,
    "codecision_hours": 0.25,
    "consensus_hours_per_member": 0.5,
    "meeting_interval_days": 5.0,
    "meeting_hours": 1.0,
    "orientation_interval_days": 5.0,
    "orientation_hours": 1.0,
    "confrontation_hours": 0.5,
    "arbitration_hours": 1.0,
}

# A story about one mechanism keeps the others out of the way: no orientation sessions, no
# challenges, groups that always agree and no memory of earlier problems (so many classes
# of problem that none comes back, and no learning if one did), unless the story asks
# for them.
QUIET_POLICY = {"management": "command", "confrontation": "none"}
QUIET_PROJECT = {"learning_rate": 1.0, "problem_classes": 1_000_000}
QUIET_BEHAVIOUR = {"consensus_agreement": 1.0}


def department(name: str, collaborators: int = 1, **keys: Any) -> dict[str, Any]:
    """A department entry (`teams`, `expertise`, `policy`... as keys)."""
    return {"name": name, "collaborators": collaborators, **keys}


def task(
    key: str,
    department: str,
    effort: float,
    after: tuple[str, ...] = (),
    linked: tuple[str, ...] = (),
    complexity: float = 1.0,
) -> dict[str, Any]:
    """A listed task: `after` its predecessors, `linked` to the tasks it must agree with."""
    return {
        "id": key,
        "department": department,
        "effort_hours": effort,
        "depends_on": list(after),
        "interdependent_with": list(linked),
        "complexity": complexity,
    }


def scenario(
    departments: list[dict[str, Any]],
    tasks: list[dict[str, Any]],
    *,
    policy: dict[str, Any] | None = None,
    timing: dict[str, Any] | None = None,
    organisation: dict[str, Any] | None = None,
    project: dict[str, Any] | None = None,
    rework: dict[str, Any] | None = None,
    time: dict[str, Any] | None = None,
    behaviour: dict[str, Any] | None = None,
    transition: dict[str, Any] | None = None,
    people: str | None = None,
    folder: Path | None = None,
) -> simulator.Scenario:
    """A validated scenario; `policy` ({base: ..., mechanism: value}) is run as "story",
    with the mechanisms it does not name kept quiet (`QUIET_POLICY`); `transition` is the
    scenario's learned transition ({from: POLICY, days: D, overhead: X}).

    `people` is the text of a people file, written to `folder` (a pytest `tmp_path`).
    """
    data: dict[str, Any] = {
        "name": "story",
        "organisation": {"departments": departments, **(organisation or {})},
        "project": {"tasks": tasks, "problem_rate": 0, **QUIET_PROJECT, **(project or {})},
        "timing": {**FIXED_TIMES, **(timing or {})},
        "behaviour": {**QUIET_BEHAVIOUR, **(behaviour or {})},
    }
    if policy is not None:
        data["policies"] = {POLICY: {**QUIET_POLICY, **policy}}
    if rework is not None:
        data["rework"] = rework
    if time is not None:
        data["time"] = time
    if transition is not None:
        data["transition"] = transition
    if people is not None:
        assert folder is not None, "a people file needs a folder"
        (folder / "people.csv").write_text(people, encoding="utf-8")
        data["organisation"]["people_file"] = "people.csv"
    return simulator.scenario_from_mapping(data, source="<story>", base_dir=folder)


def play(scn: simulator.Scenario, policy: str = POLICY, seed: int = SEED) -> simulator.OrgModel:
    """Run a scenario to the end, keeping the log of every item served."""
    model = simulator.OrgModel(scn, policy, rng=seed, log_items=True)
    model.run_to_end()
    return model


def served(
    model: simulator.OrgModel, kind: str | None = None, person: str | None = None
) -> list[ItemRecord]:
    """The items served, in the order they were done, of one kind and/or by one person."""
    return [
        item
        for item in model.item_records()
        if (kind is None or item.kind == kind) and (person is None or item.person == person)
    ]


def spans(items: list[ItemRecord]) -> list[tuple[str, float, float]]:
    """(person, start, end) of each item, sorted by start then person."""
    return sorted((item.person, item.started_at, item.ended_at) for item in items)


def tasks(model: simulator.OrgModel) -> dict[str, TaskRecord]:
    """Task records by task id."""
    return {record.task: record for record in model.task_records()}


def problems(model: simulator.OrgModel) -> list[ProblemRecord]:
    """Problem records in the order raised."""
    return sorted(model.problem_records(), key=lambda p: p.raised_at)


def starting_at(items: list[ItemRecord], at: float, tolerance: float = 1e-9) -> list[ItemRecord]:
    """The items that started at `at`."""
    return [item for item in items if abs(item.started_at - at) <= tolerance]
