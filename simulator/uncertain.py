"""Uncertain inputs: scenario numbers given as a range or a distribution, drawn per replication.

Any number in a scenario may be written `{uncertain: {min: A, max: B}}` (uniform) or
`{uncertain: {dist: NAME, ...}}` with NAME one of

    uniform     min, max
    triangular  min, mode, max
    normal      mean, sd; optional min and/or max truncate it
    lognormal   median and sigma (the sd of the logarithm), or mean and sd (of the value
                itself); optional min and/or max truncate it

Loading (`simulator.loading`) finds these, checks their parameters, and validates the
scenario at the median of each one (the representative value the loaded scenario holds)
and at both ends of the range a draw can take: min and max, or on an unbounded side the
value one draw in a billion goes beyond. `Scenario.uncertain` keeps them by dotted key.

`resolve_uncertain(scenario, seed)` draws every uncertain input once from the stream keyed
(seed, UNCERTAIN, key) and returns the scenario with those values: the same draws for every
policy run with that seed (paired), different draws for another seed. `OrgModel` calls it,
so every way of running a scenario honours the uncertain inputs; a scenario without any is
returned unchanged.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import math
import types
import typing
from typing import Annotated, Any

from pydantic import ValidationError

from simulator.errors import InputError, Problem, format_path

UNCERTAIN_KEY = "uncertain"
# Draws use quantiles in [EDGE, 1 − EDGE], so that they never pass the ends that loading
# validated on an unbounded side (one draw in a billion would).
EDGE = 1e-9

# Parameters of each distribution: (required, optional).
SHAPES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "uniform": (("min", "max"), ()),
    "triangular": (("min", "mode", "max"), ()),
    "normal": (("mean", "sd"), ("min", "max")),
    "lognormal": ((), ("median", "sigma", "mean", "sd", "min", "max")),
}
DISTRIBUTIONS = tuple(SHAPES)


@dataclasses.dataclass(frozen=True)
class UncertainInput:
    """One uncertain scenario number: where it is and the law it is drawn from."""

    key: str  # dotted key, list entries as [index]: `organisation.departments[0].expertise`
    path: tuple[Any, ...]  # the same key as a path into the scenario data
    spec: dict[str, Any]  # as written under `uncertain:` (dist filled in)
    whole: bool = False  # the field takes whole numbers: draws are rounded

    def quantile(self, u: float) -> float:
        """The value at quantile `u` of the distribution (truncated to min/max if given)."""
        return self._as_field(_quantile(self.spec, u))

    def draw(self, seed: int) -> float:
        """This input's value in the replication with `seed`."""
        from simulator.randomness import UNCERTAIN, uniform

        u = uniform(seed, UNCERTAIN, *key_words(self.key))
        return self.quantile(min(max(u, EDGE), 1.0 - EDGE))

    @property
    def representative(self) -> float:
        """The median: the value the loaded scenario holds and is validated at."""
        return self.quantile(0.5)

    @property
    def ends(self) -> tuple[float, float]:
        """The lowest and highest values a draw can take: min and max when given (exactly),
        else the quantiles one draw in a billion goes beyond."""
        low = self.spec.get("min")
        high = self.spec.get("max")
        return (
            self.quantile(EDGE) if low is None else self._as_field(low),
            self.quantile(1.0 - EDGE) if high is None else self._as_field(high),
        )

    def _as_field(self, value: float) -> float:
        return float(round(value)) if self.whole else float(value)


def key_words(key: str) -> tuple[int, ...]:
    """A key as four 32-bit words (stream entropy): stable across runs and machines."""
    digest = hashlib.sha256(key.encode()).digest()
    return tuple(int.from_bytes(digest[i : i + 4], "little") for i in range(0, 16, 4))


# --- the distributions ---------------------------------------------------------------------------


def _frozen(spec: dict[str, Any]) -> Any:
    from scipy import stats

    dist = spec["dist"]
    if dist == "uniform":
        return stats.uniform(loc=spec["min"], scale=spec["max"] - spec["min"])
    if dist == "triangular":
        width = spec["max"] - spec["min"]
        return stats.triang((spec["mode"] - spec["min"]) / width, loc=spec["min"], scale=width)
    if dist == "normal":
        return stats.norm(loc=spec["mean"], scale=spec["sd"])
    median, sigma = lognormal_parameters(spec)
    return stats.lognorm(s=sigma, scale=median)


def lognormal_parameters(spec: dict[str, Any]) -> tuple[float, float]:
    """(median, sigma) of a lognormal given by median and sigma, or by mean and sd."""
    if "median" in spec:
        return float(spec["median"]), float(spec["sigma"])
    mean, sd = float(spec["mean"]), float(spec["sd"])
    sigma2 = math.log1p((sd / mean) ** 2)
    return mean / math.exp(sigma2 / 2), math.sqrt(sigma2)


@functools.lru_cache(maxsize=256)
def _law(items: tuple[tuple[str, Any], ...]) -> tuple[Any, float, float]:
    """The scipy law of a spec, and the quantiles of its min and max (0 and 1 without)."""
    spec = dict(items)
    frozen = _frozen(spec)
    if spec["dist"] not in ("normal", "lognormal"):
        return frozen, 0.0, 1.0
    low = float(frozen.cdf(spec["min"])) if "min" in spec else 0.0
    high = float(frozen.cdf(spec["max"])) if "max" in spec else 1.0
    return frozen, low, high


def _quantile(spec: dict[str, Any], u: float) -> float:
    dist = spec["dist"]
    if dist in ("uniform", "triangular") and spec["min"] == spec["max"]:
        return float(spec["min"])
    frozen, low, high = _law(tuple(sorted(spec.items())))
    # Truncation: the quantile within the part of the law between min and max.
    value = float(frozen.ppf(low + u * (high - low)))
    # The ends of a truncated range are exact, whatever the rounding inside ppf.
    if "min" in spec:
        value = max(value, float(spec["min"]))
    if "max" in spec:
        value = min(value, float(spec["max"]))
    return value


# --- finding and checking uncertain inputs ----------------------------------------------------------


def find_uncertain(
    data: Any, problem: typing.Callable[..., Problem]
) -> list[tuple[tuple[Any, ...], Any]]:
    """Every `{uncertain: ...}` in plain scenario data: (path, the block holding it).

    Each list and mapping is walked once, so that a file of nested YAML aliases costs linear
    time; an uncertain input reached a second time through an alias is an error (it would
    be one draw in one place and a fixed value in the others).
    """
    found: list[tuple[tuple[Any, ...], Any]] = []
    holds: dict[int, bool] = {}  # container id -> whether it holds an uncertain input

    def walk(node: Any, path: tuple[Any, ...]) -> bool:
        if not isinstance(node, dict | list):
            return False
        if id(node) in holds:
            if holds[id(node)]:
                raise InputError(
                    problem(path, "an uncertain input cannot be reused through an alias")
                )
            return False
        holds[id(node)] = False
        if isinstance(node, dict) and UNCERTAIN_KEY in node:
            found.append((path, node))
            holds[id(node)] = True
            return True
        items = node.items() if isinstance(node, dict) else enumerate(node)
        inside = False
        for key, value in items:
            inside = walk(value, (*path, key)) or inside
        holds[id(node)] = inside
        return inside

    walk(data, ())
    return found


def parse_input(
    path: tuple[Any, ...], block: dict[str, Any], problem: typing.Callable[..., Problem]
) -> UncertainInput:
    """The uncertain input written at `path` (`block` holds the `uncertain` key).

    `problem(path, message, value)` locates a problem; the first one found is raised as an
    InputError (one line).
    """
    here = (*path, UNCERTAIN_KEY)

    def bad(field: str | None, message: str, *value: Any) -> InputError:
        where = here if field is None else (*here, field)
        return InputError(problem(where, message, *value))

    if len(block) != 1:
        extra = next(k for k in block if k != UNCERTAIN_KEY)
        raise InputError(
            problem((*path, extra), f"'{UNCERTAIN_KEY}' must be the only key of its block")
        )
    raw = block[UNCERTAIN_KEY]
    if not isinstance(raw, dict):
        raise bad(None, "expected {min: A, max: B} or {dist: NAME, ...}", raw)
    spec = dict(raw)
    dist = spec.setdefault("dist", "uniform")
    if dist not in SHAPES:
        raise bad(
            "dist",
            f"unknown distribution (expected {', '.join(DISTRIBUTIONS[:-1])} or "
            f"{DISTRIBUTIONS[-1]})",
            dist,
        )
    required, optional = SHAPES[dist]
    for name, value in spec.items():
        if name == "dist":
            continue
        if name not in required and name not in optional:
            known = ", ".join((*required, *optional))
            raise bad(name, f"unknown parameter of a {dist} distribution (expected {known})")
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise bad(name, "expected a finite number", value)
        spec[name] = float(value)
    for name in required:
        if name not in spec:
            raise bad(name, f"required for a {dist} distribution")
    _check_shape(spec, bad)
    return UncertainInput(
        key=format_path(path), path=tuple(path), spec=spec, whole=takes_whole_numbers(path)
    )


def _check_shape(spec: dict[str, Any], bad: typing.Callable[..., InputError]) -> None:
    dist = spec["dist"]
    if "min" in spec and "max" in spec and spec["min"] > spec["max"]:
        raise bad("min", f"is above max ({spec['max']:g}): the range is inverted", spec["min"])
    if dist == "triangular" and not spec["min"] <= spec["mode"] <= spec["max"]:
        raise bad("mode", "must lie between min and max", spec["mode"])
    if dist == "normal" and spec["sd"] <= 0:
        raise bad("sd", "must be above 0 (write a plain number for a fixed value)", spec["sd"])
    if dist == "lognormal":
        pairs = ("median" in spec and "sigma" in spec) + ("mean" in spec and "sd" in spec)
        if pairs != 1 or len({"median", "sigma", "mean", "sd"} & set(spec)) != 2:
            raise bad(None, "a lognormal takes median and sigma, or mean and sd")
        centre, spread = ("median", "sigma") if "median" in spec else ("mean", "sd")
        if spec[centre] <= 0:
            raise bad(centre, "must be above 0 for a lognormal", spec[centre])
        if spec[spread] <= 0:
            raise bad(
                spread, "must be above 0 (write a plain number for a fixed value)", spec[spread]
            )
        if spec.get("max", math.inf) <= 0:
            raise bad("max", "must be above 0 for a lognormal", spec["max"])
    if dist in ("normal", "lognormal") and ("min" in spec or "max" in spec):
        frozen = _frozen(spec)
        low = frozen.cdf(spec["min"]) if "min" in spec else 0.0
        high = frozen.cdf(spec["max"]) if "max" in spec else 1.0
        if high - low < 1e-6:
            raise bad(None, "min and max leave almost nothing of the distribution")


def takes_whole_numbers(path: tuple[Any, ...]) -> bool:
    """Whether the scenario field at `path` is a whole number (a count): draws are rounded."""
    from simulator.overrides import child_annotation
    from simulator.schema import Scenario

    annotation: Any = Scenario
    for part in path:
        annotation = child_annotation(annotation, part)
        if annotation is None:
            return False
    options = _options(annotation)
    return int in options and float not in options


def _options(annotation: Any) -> list[Any]:
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        return _options(typing.get_args(annotation)[0])
    if origin is typing.Union or origin is types.UnionType:
        return [t for arg in typing.get_args(annotation) for t in _options(arg)]
    return [annotation]


def with_numbers(data: Any, numbers: dict[tuple[Any, ...], Any]) -> Any:
    """A copy of plain scenario data with the value at each path replaced."""
    import copy

    result = copy.deepcopy(data)
    for path, value in numbers.items():
        node = result
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = value
    return result


def uncertain_draws(scenario: Any, seed: int) -> dict[str, float]:
    """The value of every uncertain input of `scenario` in the replication with `seed`."""
    return {key: item.draw(seed) for key, item in getattr(scenario, "uncertain", {}).items()}


# --- resolving for a replication ---------------------------------------------------------------------


_last: tuple[Any, int, Any] | None = None  # (scenario, seed, result): every policy of a seed


def resolve_uncertain(scenario: Any, seed: int) -> tuple[Any, dict[str, float]]:
    """The scenario with every uncertain input drawn for `seed`, and the draws by key.

    A scenario without uncertain inputs comes back as it is, with no draws.
    """
    global _last
    inputs = scenario.uncertain
    if not inputs:
        return scenario, {}
    last = _last
    if last is not None and last[0] is scenario and last[1] == seed:
        return last[2]
    from simulator.schema import Scenario

    draws = uncertain_draws(scenario, seed)
    data = with_numbers(
        scenario.model_dump(mode="json", by_alias=True),
        {item.path: draws[key] for key, item in inputs.items()},
    )
    try:
        resolved = Scenario.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = format_path(tuple(err.get("loc", ())))
        raise InputError(
            Problem(
                source=scenario.name,
                message=f"{where}: with the values drawn for seed {seed} ({_shown(draws)}): "
                f"{err.get('msg', 'not valid')}",
            )
        ) from None
    resolved._source_dir = scenario.source_dir
    resolved._roster = scenario.roster
    result = (resolved, draws)
    _last = (scenario, seed, result)
    return result


def _shown(draws: dict[str, float]) -> str:
    return ", ".join(f"{key} = {value:g}" for key, value in draws.items())
