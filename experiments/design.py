"""Designs: which combinations of parameter values (cells) an experiment runs.

- `factorial`: every combination of the axes' levels; the first axis varies slowest.
- `zip`: the i-th level of every axis together (axes with one level go with every cell).
- `cases`: the cases listed in the file, in order.
- `lhs`, `sobol`, `morris`: `samples` points drawn by SALib (Latin hypercube; Saltelli's
  scheme for Sobol indices, `samples × (factors + 2)` cells; `samples` Morris trajectories,
  `samples × (factors + 1)` cells). Axes with `{min, max}` are continuous (whole numbers
  when both bounds are); axes with levels are categorical: a draw `u` in `[0, k)` picks
  level `floor(u)`. Axes with a single level are constants, not factors.

The SALib sample matrix is kept with the cells: the sensitivity analysis needs it as drawn.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

from experiments.axes import SAMPLED_DESIGNS, Axis
from experiments.spec import Experiment


@dataclass(frozen=True)
class Design:
    """The cells of an experiment: one tuple of values per cell, in `keys` order.

    For sampled designs, `factors` names the sampled keys, `bounds` their SALib bounds and
    `samples` the SALib matrix (one row per cell, one column per factor).
    """

    kind: str
    keys: tuple[str, ...]
    cells: tuple[tuple[Any, ...], ...]
    factors: tuple[str, ...] = ()
    bounds: tuple[tuple[float, float], ...] = ()
    samples: tuple[tuple[float, ...], ...] = ()
    levels: int | None = None  # Morris grid levels

    def __len__(self) -> int:
        return len(self.cells)

    def cell(self, cell_id: int) -> dict[str, Any]:
        """The values of one cell by key."""
        return dict(zip(self.keys, self.cells[cell_id], strict=True))

    def problem(self) -> dict[str, Any]:
        """The SALib problem of a sampled design."""
        return {
            "num_vars": len(self.factors),
            "names": list(self.factors),
            "bounds": [list(b) for b in self.bounds],
        }

    def to_json(self) -> dict[str, Any]:
        """Plain data for the manifest (cells as lists, so resuming uses them exactly)."""
        return {
            "kind": self.kind,
            "keys": list(self.keys),
            "cells": [list(c) for c in self.cells],
            "factors": list(self.factors),
            "bounds": [list(b) for b in self.bounds],
            "samples": [list(s) for s in self.samples],
            "levels": self.levels,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Design:
        """The inverse of `to_json`."""
        return cls(
            kind=data["kind"],
            keys=tuple(data["keys"]),
            cells=tuple(tuple(c) for c in data["cells"]),
            factors=tuple(data.get("factors", ())),
            bounds=tuple(tuple(b) for b in data.get("bounds", ())),
            samples=tuple(tuple(s) for s in data.get("samples", ())),
            levels=data.get("levels"),
        )


def build_design(experiment: Experiment) -> Design:
    """The cells of `experiment` (an empty `parameters` gives one cell with no keys)."""
    axes = experiment.axes
    keys = tuple(a.key for a in axes)
    kind = experiment.design
    if kind in SAMPLED_DESIGNS:
        return _sampled(experiment)
    if kind == "cases":
        cells = tuple(tuple(case.get(k) for k in keys) for case in experiment.cases)
    elif kind == "zip":
        length = max((len(a.levels or ()) for a in axes), default=1)
        cells = tuple(
            tuple(a.levels[i] if len(a.levels) > 1 else a.levels[0] for a in axes)  # type: ignore[index]
            for i in range(length)
        )
    else:
        cells = tuple(itertools.product(*(a.levels or () for a in axes)))
    return Design(kind=kind, keys=keys, cells=cells or ((),))


def _sampled(experiment: Experiment) -> Design:
    axes = experiment.axes
    factors = [a for a in axes if a.is_continuous or len(a.levels or ()) > 1]
    bounds = tuple(_bounds(a) for a in factors)
    problem = {
        "num_vars": len(factors),
        "names": [a.key for a in factors],
        "bounds": [list(b) for b in bounds],
    }
    n = experiment.samples or 1
    seed = experiment.design_seed
    kind = experiment.design
    if kind == "lhs":
        from SALib.sample import latin

        matrix = latin.sample(problem, n, seed=seed)
    elif kind == "sobol":
        from SALib.sample import sobol

        matrix = sobol.sample(problem, n, calc_second_order=False, seed=seed)
    else:
        from SALib.sample import morris

        matrix = morris.sample(problem, n, num_levels=experiment.levels, seed=seed)
    samples = tuple(tuple(float(x) for x in row) for row in matrix)
    position = {a.key: i for i, a in enumerate(factors)}
    cells = []
    for row in samples:
        cell = []
        for axis in axes:
            if axis.key in position:
                cell.append(value_at(axis, row[position[axis.key]]))
            else:
                cell.append(axis.levels[0])  # type: ignore[index]
        cells.append(tuple(cell))
    return Design(
        kind=kind,
        keys=tuple(a.key for a in axes),
        cells=tuple(cells),
        factors=tuple(a.key for a in factors),
        bounds=bounds,
        samples=samples,
        levels=experiment.levels if kind == "morris" else None,
    )


def _bounds(axis: Axis) -> tuple[float, float]:
    if axis.levels is not None:
        return (0.0, float(len(axis.levels)))
    assert axis.low is not None and axis.high is not None
    if axis.integer:
        # Whole numbers min..max equally likely: draw in [min, max + 1) and floor.
        return (float(axis.low), float(axis.high) + 1.0)
    return (float(axis.low), float(axis.high))


def value_at(axis: Axis, x: float) -> Any:
    """The parameter value a SALib draw `x` stands for on `axis`."""
    if axis.levels is not None:
        return axis.levels[min(math.floor(x), len(axis.levels) - 1)]
    if axis.integer:
        assert axis.high is not None
        return min(math.floor(x), int(axis.high))
    return float(x)
