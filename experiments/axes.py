"""Axes: the levels (or bounds) of one varied parameter, as an experiment file gives them.

    project.problem_rate: {values: [0.005, 0.01, 0.02]}     # these levels, in order
    project.problem_rate: [0.005, 0.01]                      # shorthand for values
    project.tasks: 40                                        # one level: a constant
    project.interdependence: {from: 0.0, to: 0.6, step: 0.2}  # inclusive range
    timing.decision_hours.mean: {linspace: [1, 4, 4]}
    project.problem_rate: {logspace: [0.001, 0.1, 3]}        # the values, not exponents
    project.problem_rate: {min: 0.005, max: 0.05}            # sampled designs only

Ranges have `n = round((to − from) / step) + 1` values `from + i × step`, each rounded to
12 significant digits (DESIGN §7). `AxisReader` checks one axis and reports each mistake
at its path in the file; `experiments.spec` uses it for the `parameters` block.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass
from typing import Any

# The errors module's own "no value" marker: a problem without `(got ...)`.
from simulator.errors import MISSING, Problem

SAMPLED_DESIGNS = ("lhs", "sobol", "morris")
MAX_LEVELS = 10_000  # levels of one axis: more is almost surely a typo in a step
MECHANISM_PREFIX = "policy."
# Top-level scenario keys that an experiment sets itself (seed, replications) or that
# mean nothing to vary.
RESERVED_KEYS = ("name", "description", "seed")
AXIS_FORMS = {
    "values": ("values",),
    "range": ("from", "to", "step"),
    "linspace": ("linspace",),
    "logspace": ("logspace",),
    "bounds": ("min", "max"),
}
AXIS_KEYS = tuple(k for keys in AXIS_FORMS.values() for k in keys)


@dataclass(frozen=True)
class Axis:
    """One varied parameter: a dotted key and its levels, or bounds for sampled designs.

    `levels` is the ordered tuple of values for discrete axes (None for bounds). `low` and
    `high` are the bounds of a continuous axis; `integer` says the bounds were whole
    numbers, so sampled values are whole numbers too.
    """

    key: str
    levels: tuple[Any, ...] | None = None
    low: float | None = None
    high: float | None = None
    integer: bool = False
    line: int | None = None

    @property
    def is_mechanism(self) -> bool:
        """Whether the axis varies a policy mechanism (`policy.autonomy`)."""
        return self.key.startswith(MECHANISM_PREFIX)

    @property
    def mechanism(self) -> str:
        """The mechanism name of a `policy.*` axis."""
        return self.key[len(MECHANISM_PREFIX) :]

    @property
    def is_continuous(self) -> bool:
        """Whether the axis is given by `{min, max}` bounds."""
        return self.levels is None


class AxisReader:
    """Checks parameter keys and axes; a mixin for a reader with `add` and `lines`.

    `add(path, message, value=..., unknown_key=False)` records a located problem;
    `lines` maps key paths of the file to their line.
    """

    lines: dict[tuple[Any, ...], int]

    def add(self, path: tuple[Any, ...], message: str, value: Any = MISSING, **extra: Any) -> None:
        raise NotImplementedError

    def problem(self, path: tuple[Any, ...], message: str, value: Any = MISSING) -> Problem:
        raise NotImplementedError

    def key(self, key: Any, path: tuple[Any, ...]) -> bool:
        if not isinstance(key, str) or not key.strip():
            self.add(path, "keys must be dotted scenario keys (e.g. project.problem_rate)", key)
            return False
        first = key.split(".", 1)[0].split("[", 1)[0]
        if first in RESERVED_KEYS:
            what = "seed and replications" if first == "seed" else "the experiment's own keys"
            self.add(path, f"cannot vary `{first}` (use {what})")
            return False
        if "." not in key:
            self.add(path, "expected a dotted key inside a block, e.g. project.problem_rate")
            return False
        if key.startswith(MECHANISM_PREFIX):
            from simulator.policies import MECHANISMS

            mechanism = key[len(MECHANISM_PREFIX) :]
            if mechanism not in MECHANISMS:
                close = difflib.get_close_matches(mechanism, MECHANISMS, n=1)
                hint = f"did you mean '{close[0]}'?" if close else f"known: {', '.join(MECHANISMS)}"
                self.add(path, f"unknown mechanism '{mechanism}' ({hint})")
                return False
        return True

    def axis(self, key: Any, spec: Any, design: str | None) -> Axis | None:
        path = ("parameters", key)
        if not self.key(key, path):
            return None
        line = self.lines.get(path)
        if isinstance(spec, list):  # shorthand for {values: [...]}
            levels = self.levels(spec, path)
            return None if levels is None else Axis(key, levels=levels, line=line)
        if not isinstance(spec, dict):  # a single value: a constant of the experiment
            levels = self.levels([spec], path)
            return None if levels is None else Axis(key, levels=levels, line=line)
        unknown = [k for k in spec if k not in AXIS_KEYS]
        for k in unknown:
            close = difflib.get_close_matches(str(k), AXIS_KEYS, n=1)
            hint = (
                f"did you mean '{close[0]}'?"
                if close
                else "axes are {values}, {from, to, step}, {linspace}, {logspace} or {min, max}"
            )
            self.add((*path, k), f"unknown key '{k}' ({hint})", unknown_key=True)
        if unknown:
            return None
        forms = [form for form, keys in AXIS_FORMS.items() if any(k in spec for k in keys)]
        if len(forms) != 1:
            message = (
                "give the levels: {values: [...]}, {from, to, step}, {linspace: [start, stop, n]}, "
                "{logspace: [start, stop, n]} or, for sampled designs, {min, max}"
                if not forms
                else f"give one form of axis, not {' and '.join(forms)}"
            )
            self.add(path, message, spec)
            return None
        form = forms[0]
        missing = [k for k in AXIS_FORMS[form] if k not in spec]
        if missing:
            self.add(
                path,
                f"`{form}` needs {', '.join(AXIS_FORMS[form])}: {', '.join(missing)} missing",
                spec,
            )
            return None
        if form == "bounds":
            if design is not None and design not in SAMPLED_DESIGNS:
                self.add(
                    path,
                    f"{{min, max}} bounds are for the lhs, sobol and morris designs (design is {design}); give levels with values, from/to/step or linspace",
                    spec,
                )
                return None
            return self.bounds(key, spec, path, line)
        if form == "values":
            values = spec["values"]
            if not isinstance(values, list):
                values = [values]
            levels = self.levels(values, (*path, "values"))
        elif form == "range":
            levels = self.range(spec, path)
        else:
            levels = self.spaced(spec[form], form, (*path, form))
        return None if levels is None else Axis(key, levels=levels, line=line)

    def levels(self, values: list[Any], path: tuple[Any, ...]) -> tuple[Any, ...] | None:
        if not values:
            self.add(path, "needs at least one value")
            return None
        if len(values) > MAX_LEVELS:
            self.add(path, f"more than {MAX_LEVELS:,} levels", values)
            return None
        ok = True
        for i, v in enumerate(values):
            if isinstance(v, dict | list):
                self.add((*path, i), "levels must be numbers, text, true/false or null", v)
                ok = False
        seen: list[Any] = []
        for i, v in enumerate(values):
            if any(type(v) is type(s) and v == s for s in seen):
                self.add((*path, i), "level given twice", v)
                ok = False
            seen.append(v)
        return tuple(values) if ok else None

    def number(self, value: Any, path: tuple[Any, ...]) -> float | int | None:
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            self.add(path, "expected a number", value)
            return None
        return value

    def range(self, spec: dict[str, Any], path: tuple[Any, ...]) -> tuple[Any, ...] | None:
        start = self.number(spec["from"], (*path, "from"))
        stop = self.number(spec["to"], (*path, "to"))
        step = self.number(spec["step"], (*path, "step"))
        if start is None or stop is None or step is None:
            return None
        if step == 0:
            self.add((*path, "step"), "must not be 0", step)
            return None
        span = (stop - start) / step
        if span < -0.5:
            self.add((*path, "step"), f"goes away from `to` ({stop!r})", step)
            return None
        count = round(span) + 1
        if count > MAX_LEVELS:
            self.add((*path, "step"), f"gives {count:,} levels, more than {MAX_LEVELS:,}", step)
            return None
        whole = all(isinstance(v, int) for v in (start, stop, step))
        return tuple(
            start + i * step if whole else round_significant(start + i * step) for i in range(count)
        )

    def spaced(self, spec: Any, form: str, path: tuple[Any, ...]) -> tuple[Any, ...] | None:
        if not isinstance(spec, list) or len(spec) != 3:
            self.add(
                path, f"expected [start, stop, number of levels], e.g. {form}: [1, 4, 4]", spec
            )
            return None
        start = self.number(spec[0], (*path, 0))
        stop = self.number(spec[1], (*path, 1))
        count = spec[2]
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_LEVELS:
            self.add(
                (*path, 2),
                f"the number of levels must be a whole number from 1 to {MAX_LEVELS:,}",
                count,
            )
            return None
        if start is None or stop is None:
            return None
        import numpy as np

        if form == "logspace":
            if start <= 0 or stop <= 0:
                self.add(
                    path,
                    "logspace takes positive start and stop values (the values themselves, not exponents)",
                    spec,
                )
                return None
            raw = np.geomspace(start, stop, count)
        else:
            raw = np.linspace(start, stop, count)
        values = [round_significant(float(v)) for v in raw]
        if count > 1 and len(set(values)) < count:
            self.add(path, "levels collapse to the same value", spec)
            return None
        if (
            form == "linspace"
            and isinstance(start, int)
            and isinstance(stop, int)
            and all(v.is_integer() for v in values)
        ):
            return tuple(int(v) for v in values)
        return tuple(values)

    def bounds(
        self, key: str, spec: dict[str, Any], path: tuple[Any, ...], line: int | None
    ) -> Axis | None:
        low = self.number(spec["min"], (*path, "min"))
        high = self.number(spec["max"], (*path, "max"))
        if low is None or high is None:
            return None
        if not low < high:
            self.add((*path, "max"), f"must be greater than min ({low!r})", high)
            return None
        integer = isinstance(low, int) and isinstance(high, int)
        return Axis(key, low=low, high=high, integer=integer, line=line)


def round_significant(value: float, digits: int = 12) -> float:
    """`value` rounded to `digits` significant digits (0.30000000000000004 -> 0.3)."""
    if value == 0 or not math.isfinite(value):
        return value
    return float(f"{value:.{digits}g}")
