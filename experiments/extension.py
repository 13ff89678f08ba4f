"""Extending a sweep: more replications or more samples in a folder that holds its start.

A results folder holds one experiment (its manifest's fingerprint). When the experiment
file now asks for more `replications`, or more `samples` of a design whose larger draw
begins with the points already run (Sobol/Saltelli and Morris: SALib draws them one after
the other from the same seed), the folder is *extended*: the runs done are kept and only
the new ones run. The result is the folder a clean sweep of the larger experiment writes,
row for row (`run_id` included: the store renumbers the parts, see
`experiments.store.ResultsFolder.renumber`).

Anything else that changed (the scenario or its file, policies, seed, parameters, levels,
ranges, the design, record options, fewer replications or samples, a Latin hypercube of
another size, whose points all move) is refused with one line naming what changed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from simulator.errors import InputError, Problem

if TYPE_CHECKING:
    from pathlib import Path

    from experiments.design import Design
    from experiments.plan import Plan

# Canonical experiment keys (`Experiment.canonical`) and how a change is named.
GROWING = ("replications", "samples")
NAMED = {
    "description": "description",
    "scenario": "scenario",
    "policies": "policies",
    "seed": "seed",
    "sampling_seed": "sampling_seed",
    "design": "design",
    "parameters": "parameters (keys, levels or ranges)",
    "cases": "cases",
    "levels": "levels",
    "record": "record",
}


@dataclass(frozen=True)
class Extension:
    """How a folder's sweep grows: replications and cells before and after."""

    replications: tuple[int, int]
    cells: tuple[int, int]

    def describe(self) -> str:
        """`replications 15 -> 20, cells 24 -> 48` (the parts that grow)."""
        parts = []
        for what, (before, after) in (("replications", self.replications), ("cells", self.cells)):
            if after != before:
                parts.append(f"{what} {before} -> {after}")
        return ", ".join(parts)


def extension_of(folder: Path, manifest: dict[str, Any], plan: Plan, stored: Design) -> Extension:
    """How `plan` extends the sweep stored in `folder` (called when their fingerprints
    differ).

    Raises InputError (one line) when the experiment changed in any other way.
    """
    from simulator.run import scenario_hash

    old = manifest.get("experiment", {})
    new = plan.experiment.canonical()
    where = str(folder)
    changed = [
        NAMED.get(key, key)
        for key in dict.fromkeys([*old, *new])
        if key not in GROWING and key != "name" and _plain(old.get(key)) != _plain(new.get(key))
    ]
    if manifest.get("scenario", {}).get("hash") != scenario_hash(plan.base_scenario):
        changed.insert(0, "the scenario's content")
    if changed:
        raise InputError(Problem(source=where, message=_refusal(manifest, ", ".join(changed))))
    replications = (int(manifest["replications"]), plan.replications)
    cells = (len(stored.cells), plan.cell_count)
    for what, (before, after) in (("replications", replications), ("samples", _samples(old, new))):
        if after < before:
            raise InputError(
                Problem(
                    source=where,
                    message=_refusal(manifest, f"fewer {what}: {before} -> {after}"),
                )
            )
    if cells[1] != cells[0]:
        _check_prefix(where, manifest, plan.design, stored)
    if replications[0] == replications[1] and cells[0] == cells[1]:
        # Another fingerprint, yet nothing found that differs: never guess.
        raise InputError(Problem(source=where, message=_refusal(manifest, "the experiment file")))
    return Extension(replications=replications, cells=cells)


def _plain(value: Any) -> str:
    """A value as the manifest stores it (JSON), so stored and new values compare alike."""
    return json.dumps(value, sort_keys=True, default=str)


def _samples(old: dict[str, Any], new: dict[str, Any]) -> tuple[int, int]:
    return (int(old.get("samples") or 0), int(new.get("samples") or 0))


def _check_prefix(where: str, manifest: dict[str, Any], design: Design, stored: Design) -> None:
    """The larger design must start with the cells (and SALib points) already run."""
    size = len(stored.cells)
    same = (
        design.keys == stored.keys
        and design.cells[:size] == stored.cells
        and design.samples[: len(stored.samples)] == stored.samples
    )
    if same:
        return
    if design.kind == "lhs":
        reason = "a Latin hypercube of another size moves every point: lhs cannot grow"
    else:
        reason = "the larger design does not start with the points already run"
    raise InputError(Problem(source=where, message=_refusal(manifest, f"samples: {reason}")))


def _refusal(manifest: dict[str, Any], changed: str) -> str:
    name = manifest.get("name", "?")
    return (
        f"holds experiment '{name}' started {manifest.get('created', '?')}, which has changed "
        f"since ({changed}); only more replications or samples extend a sweep: choose another --out"
    )
