"""Experiment files: reading and checking them, before anything runs (DESIGN §7).

An experiment file names a scenario, the policies to compare, a design and the parameters
it varies. `load_experiment` turns the file into an `Experiment` (plain, frozen data) or
raises `InputError` with one located line per mistake:
`error: FILE:LINE: parameters.project.problem_rate.step: must not be 0 (got 0)`.

Each parameter is an *axis* (`experiments.axes`). This module reads and checks the file's
own structure; whether the values suit the scenario is checked by `experiments.plan`,
which knows the scenario.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from experiments.axes import SAMPLED_DESIGNS, Axis, AxisReader

# The errors module's own "no value" marker: a problem without `(got ...)`.
from simulator.errors import MISSING, InputError, Problem

DESIGNS = ("factorial", "zip", "cases", "lhs", "sobol", "morris")
DEFAULT_POLICIES = ("hierarchical", "cooperative", "self_managed")
DEFAULT_REPLICATIONS = 20
DEFAULT_MORRIS_LEVELS = 4
MAX_REPLICATIONS = 100_000
MAX_CELLS = 1_000_000
MAX_SEED = 2**63 - 1

TOP_KEYS = (
    "name",
    "description",
    "scenario",
    "policies",
    "replications",
    "seed",
    "design",
    "parameters",
    "samples",
    "sampling_seed",
    "levels",
    "record",
)
RECORD_KEYS = ("daily", "problems")


@dataclass(frozen=True)
class Experiment:
    """A checked experiment file (DESIGN §7 keys), ready to be planned.

    `axes` are in file order (for the `cases` design, the union of the cases' keys);
    `cases` holds the design's cases, each a mapping of key to value. `source` names the
    file in messages; `lines` maps key paths to their line in it; `text` is the file as
    written (kept in the results and shown in reports).
    """

    name: str
    scenario: str
    policies: tuple[str, ...]
    replications: int
    seed: int | None
    design: str
    axes: tuple[Axis, ...]
    cases: tuple[dict[str, Any], ...] = ()
    samples: int | None = None
    sampling_seed: int | None = None
    levels: int = DEFAULT_MORRIS_LEVELS
    record_daily: bool = False
    record_problems: bool = False
    description: str = ""
    source: str = "<experiment>"
    base_dir: str | None = None
    text: str = ""
    lines: dict[tuple[Any, ...], int] = field(default_factory=dict, compare=False, repr=False)

    @property
    def design_seed(self) -> int:
        """The seed SALib draws a sampled design's points from: `sampling_seed`, else `seed`
        (else 0), so files written before `sampling_seed` keep their points."""
        if self.sampling_seed is not None:
            return self.sampling_seed
        return self.seed if self.seed is not None else 0

    @property
    def keys(self) -> tuple[str, ...]:
        """The varied keys in column order."""
        return tuple(a.key for a in self.axes)

    def canonical(self) -> dict[str, Any]:
        """The experiment as plain data in a fixed key order (formatting and comments aside).

        `sampling_seed` appears only when it draws other points than the default would, so
        an experiment's identity (and its results folders) predate the key unchanged."""
        data = {
            "name": self.name,
            "description": self.description,
            "scenario": self.scenario,
            "policies": list(self.policies),
            "replications": self.replications,
            "seed": self.seed,
            "design": self.design,
            "parameters": [
                {
                    "key": a.key,
                    "levels": list(a.levels) if a.levels is not None else None,
                    "min": a.low,
                    "max": a.high,
                    "integer": a.integer,
                }
                for a in self.axes
            ],
            "cases": [dict(c) for c in self.cases],
            "samples": self.samples,
            "levels": self.levels if self.design == "morris" else None,
            "record": {"daily": self.record_daily, "problems": self.record_problems},
        }
        if self.design in SAMPLED_DESIGNS and self.design_seed != (self.seed or 0):
            data["sampling_seed"] = self.design_seed
        return data

    def fingerprint(self) -> str:
        """A short hash of `canonical()`: the same experiment, the same fingerprint."""
        text = json.dumps(self.canonical(), sort_keys=False, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def locate(self, path: tuple[Any, ...], message: str, value: Any = MISSING) -> Problem:
        """A problem at `path` of the file, on its line (or the nearest enclosing key's)."""
        return _locate(self.source, self.lines, path, message, value)


# --- reading ---------------------------------------------------------------------------------


def load_experiment(path: str | Path) -> Experiment:
    """Read and check an experiment file (YAML, or TOML by extension); InputError if wrong."""
    from simulator.loading import read_mapping, read_text

    source = str(path)
    file = Path(path)
    try:
        is_file = file.is_file()
    except (OSError, ValueError):
        is_file = False
    if not is_file:
        message = "is not a file" if file.exists() else "no such file"
        raise InputError(Problem(source=source, message=message))
    text = read_text(file, source)
    # The scenario loader's reader: the same YAML checks (duplicate keys, aliases) and a
    # line for every key path.
    data, lines = read_mapping(text, source, toml=file.suffix == ".toml")
    return experiment_from_mapping(
        data, source=source, lines=lines, base_dir=str(file.parent), text=text
    )


def experiment_from_mapping(
    data: Any,
    source: str = "<experiment>",
    lines: dict[tuple[Any, ...], int] | None = None,
    base_dir: str | None = None,
    text: str = "",
) -> Experiment:
    """Check an experiment given as plain data (a notebook dict, or a parsed file)."""
    reader = _Reader(source, lines or {})
    if not isinstance(data, dict):
        raise InputError(reader.problem((), "expected a mapping of experiment keys", data))
    if not text:
        import yaml

        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    experiment = reader.read(data, base_dir, text)
    if reader.problems:
        raise InputError(reader.problems)
    assert experiment is not None
    return experiment


def _locate(
    source: str, lines: dict[tuple[Any, ...], int], path: tuple[Any, ...], message: str, value: Any
) -> Problem:
    line = None
    for cut in range(len(path), -1, -1):
        if path[:cut] in lines:
            line = lines[path[:cut]]
            break
    return Problem(source=source, line=line, path=path, message=message, value=value)


class _Reader(AxisReader):
    """Checks the keys of an experiment one by one, collecting every problem found."""

    def __init__(self, source: str, lines: dict[tuple[Any, ...], int]):
        self.source = source
        self.lines = lines
        self.problems: list[Problem] = []

    def problem(self, path: tuple[Any, ...], message: str, value: Any = MISSING) -> Problem:
        return _locate(self.source, self.lines, path, message, value)

    def add(self, path: tuple[Any, ...], message: str, value: Any = MISSING, **extra: Any) -> None:
        located = self.problem(path, message, value)
        if extra:
            from dataclasses import replace

            located = replace(located, **extra)
        self.problems.append(located)

    # --- the top level -----------------------------------------------------------------------

    def read(self, data: dict[str, Any], base_dir: str | None, text: str) -> Experiment | None:
        for key in data:
            if key not in TOP_KEYS:
                close = difflib.get_close_matches(str(key), TOP_KEYS, n=1)
                hint = (
                    f" (did you mean '{close[0]}'?)"
                    if close
                    else f" (known: {', '.join(TOP_KEYS)})"
                )
                self.add((key,), f"unknown key '{key}'{hint}", unknown_key=True)
        name = self.text(data, "name", required=True)
        description = self.text(data, "description", default="")
        scenario = self.text(data, "scenario", required=True)
        policies = self.policies(data)
        replications = self.integer(data, "replications", DEFAULT_REPLICATIONS, 1, MAX_REPLICATIONS)
        seed = self.integer(data, "seed", None, 0, MAX_SEED)
        if seed is not None and replications is not None and seed + replications - 1 > MAX_SEED:
            self.add(
                ("seed",),
                f"must be at most {MAX_SEED - replications + 1} with {replications} replications",
                seed,
            )
        design = self.design(data)
        samples = self.integer(data, "samples", None, 1, MAX_CELLS)
        sampling_seed = self.integer(data, "sampling_seed", None, 0, MAX_SEED)
        levels = self.integer(data, "levels", DEFAULT_MORRIS_LEVELS, 2, 1000)
        record = self.record(data)
        if design in SAMPLED_DESIGNS:
            if "samples" not in data:
                self.add(
                    ("design",), f"the {design} design needs `samples` (e.g. samples: 64)", design
                )
            elif design == "sobol" and samples is not None and samples & (samples - 1):
                lower = 1 << (samples.bit_length() - 1)
                self.add(
                    ("samples",), f"sobol needs a power of 2 (e.g. {lower} or {lower * 2})", samples
                )
        elif design is not None and "samples" in data:
            self.add(
                ("samples",),
                f"only for the lhs, sobol and morris designs (design is {design})",
                data["samples"],
            )
        if "sampling_seed" in data and design is not None and design not in SAMPLED_DESIGNS:
            self.add(
                ("sampling_seed",),
                f"only for the lhs, sobol and morris designs (design is {design})",
                data["sampling_seed"],
            )
        if "levels" in data and design is not None and design != "morris":
            self.add(
                ("levels",), f"only for the morris design (design is {design})", data["levels"]
            )
        axes, cases = self.parameters(data.get("parameters"), design)
        if self.problems or design is None:
            return None
        return Experiment(
            name=name or "",
            scenario=scenario or "",
            policies=policies,
            replications=replications or DEFAULT_REPLICATIONS,
            seed=seed,
            design=design,
            axes=axes,
            cases=cases,
            samples=samples if design in SAMPLED_DESIGNS else None,
            sampling_seed=sampling_seed if design in SAMPLED_DESIGNS else None,
            levels=levels or DEFAULT_MORRIS_LEVELS,
            record_daily=record[0],
            record_problems=record[1],
            description=description or "",
            source=self.source,
            base_dir=base_dir,
            text=text,
            lines=dict(self.lines),
        )

    def text(
        self, data: dict[str, Any], key: str, required: bool = False, default: Any = None
    ) -> str | None:
        if key not in data:
            if required:
                self.add((), f"`{key}` is required")
            return default
        value = data[key]
        if not isinstance(value, str) or not value.strip():
            self.add((key,), "expected text", value)
            return default
        return value.strip() if key != "description" else value

    def integer(
        self, data: dict[str, Any], key: str, default: int | None, low: int, high: int
    ) -> int | None:
        if key not in data:
            return default
        value = data[key]
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            self.add((key,), "expected a whole number", value)
            return default
        if not low <= value <= high:
            self.add((key,), f"must be between {low} and {high:,}", value)
            return default
        return value

    def policies(self, data: dict[str, Any]) -> tuple[str, ...]:
        if "policies" not in data:
            return DEFAULT_POLICIES
        value = data["policies"]
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value:
            self.add(("policies",), "expected a list of policy names", value)
            return DEFAULT_POLICIES
        names: list[str] = []
        for i, name in enumerate(value):
            if not isinstance(name, str) or not name.strip():
                self.add(("policies", i), "expected a policy name", name)
            elif name in names:
                self.add(("policies", i), "policy given twice", name)
            else:
                names.append(name.strip())
        return tuple(names)

    def design(self, data: dict[str, Any]) -> str | None:
        value = data.get("design", "factorial")
        if value not in DESIGNS:
            close = difflib.get_close_matches(str(value), DESIGNS, n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"one of {', '.join(DESIGNS)}"
            self.add(("design",), f"unknown design ({hint})", value)
            return None
        return value

    def record(self, data: dict[str, Any]) -> tuple[bool, bool]:
        value = data.get("record", {})
        if value is None:
            return False, False
        if not isinstance(value, dict):
            self.add(("record",), "expected {daily: true|false, problems: true|false}", value)
            return False, False
        found = []
        for key in value:
            if key not in RECORD_KEYS:
                self.add(
                    ("record", key),
                    f"unknown key '{key}' (known: daily, problems)",
                    unknown_key=True,
                )
        for key in RECORD_KEYS:
            flag = value.get(key, False)
            if not isinstance(flag, bool):
                self.add(("record", key), "expected true or false", flag)
                flag = False
            found.append(flag)
        return found[0], found[1]

    # --- parameters ----------------------------------------------------------------------------

    def parameters(
        self, value: Any, design: str | None
    ) -> tuple[tuple[Axis, ...], tuple[dict[str, Any], ...]]:
        if value is None:
            value = {}
        if design == "cases":
            return self.cases(value)
        if isinstance(value, list):
            self.add(
                ("parameters",),
                "a list of cases is for `design: cases`; other designs take a mapping of key: axis",
                value,
            )
            return (), ()
        if not isinstance(value, dict):
            self.add(("parameters",), "expected a mapping of dotted scenario keys to axes", value)
            return (), ()
        axes = []
        for key, spec in value.items():
            axis = self.axis(key, spec, design)
            if axis is not None:
                axes.append(axis)
        if design == "zip":
            lengths = {len(a.levels) for a in axes if a.levels is not None and len(a.levels) > 1}
            if len(lengths) > 1:
                first = next(a for a in axes if a.levels is not None and len(a.levels) > 1)
                for a in axes:
                    if a.levels is not None and 1 < len(a.levels) != len(first.levels):
                        self.add(
                            ("parameters", a.key),
                            f"zip pairs levels one to one: {len(a.levels)} levels here, {len(first.levels)} for {first.key}",
                        )
        if design in SAMPLED_DESIGNS and all(len(a.levels or ()) == 1 for a in axes):
            self.add(
                ("parameters",),
                f"the {design} design needs at least one parameter with bounds {{min, max}} or several levels",
            )
        if design == "factorial":
            cells = math.prod(len(a.levels or ()) for a in axes)
            if cells > MAX_CELLS:
                self.add(
                    ("parameters",),
                    f"the factorial design has {cells:,} cells, more than {MAX_CELLS:,}",
                )
        return tuple(axes), ()

    def cases(self, value: Any) -> tuple[tuple[Axis, ...], tuple[dict[str, Any], ...]]:
        if not isinstance(value, list) or not value:
            self.add(
                ("parameters",),
                "the cases design takes a list of cases, e.g. - {project.problem_rate: 0.01, policy.autonomy: none}",
                value,
            )
            return (), ()
        keys: dict[str, list[Any]] = {}
        cases = []
        for i, case in enumerate(value):
            if not isinstance(case, dict) or not case:
                self.add(("parameters", i), "expected a mapping of dotted keys to values", case)
                continue
            clean = {}
            for key, v in case.items():
                if not self.key(key, ("parameters", i, key)):
                    continue
                if isinstance(v, dict | list):
                    self.add(
                        ("parameters", i, key),
                        "a case gives one value per key (number, text, true/false or null)",
                        v,
                    )
                    continue
                clean[key] = v
                levels = keys.setdefault(key, [])
                if not any(type(v) is type(s) and v == s for s in levels):
                    levels.append(v)
            cases.append(clean)
        if len(cases) > MAX_CELLS:
            self.add(("parameters",), f"more than {MAX_CELLS:,} cases")
        axes = tuple(
            Axis(k, levels=tuple(levels), line=self.lines.get(("parameters", 0, k)))
            for k, levels in keys.items()
        )
        return axes, tuple(cases)
