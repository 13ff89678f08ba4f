"""The plan of a sweep: the scenario, the cells, the runs, and every check before running.

A `Plan` joins an `Experiment` to its scenario. It numbers the runs so that a run's id says
what it is, with nothing stored per run:

    run_id = (cell_id × replications + replicate) × policies + policy_index
    seed   = base_seed + replicate          (the same for every policy and every cell)

so replicate r meets every policy, in every cell, with the same project and the same
random draws (common random numbers: paired comparisons).

`make_plan` checks everything a user can get wrong before anything runs or is written:
the scenario, the policy names, each level of each axis, and every cell as a whole
(e.g. more teams than collaborators when both vary). Problems are reported on the
experiment file's lines.
"""

from __future__ import annotations

import tomllib
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from experiments.design import Design, build_design
from experiments.spec import MAX_SEED, Experiment
from simulator.errors import MISSING, InputError, Problem

if TYPE_CHECKING:
    from simulator.policies import Policy
    from simulator.schema import Scenario

MAX_PROBLEMS = 3  # shown; collecting more only delays the message
CACHED_CELLS = 64


class RunSpec(NamedTuple):
    """What one run is: its id, cell, policy, replicate and seed."""

    run_id: int
    cell_id: int
    policy: str
    policy_index: int
    replicate: int
    seed: int


@dataclass
class Plan:
    """An experiment joined to its scenario and design: everything needed to run it."""

    experiment: Experiment
    scenario_source: str
    base: dict[str, Any]
    base_dir: str
    base_scenario: Scenario
    design: Design
    policies: tuple[str, ...]
    base_seed: int
    _cache: OrderedDict[int, tuple[Scenario, list[Policy]]] = field(
        default_factory=OrderedDict, repr=False
    )

    @property
    def cell_count(self) -> int:
        """Number of cells."""
        return len(self.design)

    @property
    def replications(self) -> int:
        """Replications per cell and policy."""
        return self.experiment.replications

    @property
    def run_count(self) -> int:
        """Cells × policies × replications."""
        return self.cell_count * len(self.policies) * self.replications

    def run(self, run_id: int) -> RunSpec:
        """The run with this id."""
        policies = len(self.policies)
        policy_index = run_id % policies
        rest = run_id // policies
        replicate = rest % self.replications
        cell_id = rest // self.replications
        return RunSpec(
            run_id,
            cell_id,
            self.policies[policy_index],
            policy_index,
            replicate,
            self.base_seed + replicate,
        )

    def run_id(self, cell_id: int, replicate: int, policy_index: int) -> int:
        """The id of a run (the inverse of `run`)."""
        return (cell_id * self.replications + replicate) * len(self.policies) + policy_index

    def cell_setup(self, cell_id: int) -> tuple[Scenario, list[Policy]]:
        """The validated scenario of a cell and its policies (mechanism axes applied)."""
        if cell_id in self._cache:
            self._cache.move_to_end(cell_id)
            return self._cache[cell_id]
        values = self.design.cell(cell_id)
        scenario = self._scenario(values)
        policies = _policies(self.policies, scenario, values)
        self._cache[cell_id] = (scenario, policies)
        if len(self._cache) > CACHED_CELLS:
            self._cache.popitem(last=False)
        return scenario, policies

    def _scenario(self, values: dict[str, Any]) -> Scenario:
        from simulator.loading import scenario_from_mapping
        from simulator.overrides import set_key

        data = self.base
        for key, value in values.items():
            if not key.startswith("policy.") and not (
                value is None and self.design.kind == "cases"
            ):
                data = set_key(data, key, value)
        return scenario_from_mapping(
            data, source=self.scenario_source, base_dir=Path(self.base_dir)
        )


def _policies(names: tuple[str, ...], scenario: Scenario, values: dict[str, Any]) -> list[Policy]:
    from simulator.policies import resolve_policy, with_mechanism

    chosen = []
    for name in names:
        policy = resolve_policy(name, scenario)
        for key, value in values.items():
            if key.startswith("policy.") and value is not None:
                policy = with_mechanism(policy, key[len("policy.") :], value)
        chosen.append(policy)
    return chosen


# --- making and checking a plan -----------------------------------------------------------


def make_plan(experiment: Experiment, design: Design | None = None) -> Plan:
    """Join `experiment` to its scenario and check every cell; InputError if anything is wrong.

    `design` (from a results folder's manifest, when resuming) replaces the one built
    from the experiment, so a resumed sweep runs exactly the cells it started with.
    """
    from simulator.loading import load_scenario, resolve_source

    source = _scenario_path(experiment)
    try:
        path = resolve_source(source)
    except InputError as err:
        first = err.problems[0]
        raise InputError(
            experiment.locate(("scenario",), first.message, experiment.scenario)
        ) from None
    scenario_source = str(path) if Path(source).suffix or "/" in source else source
    base_scenario = load_scenario(path)
    text = path.read_text(encoding="utf-8")
    base = tomllib.loads(text) if path.suffix == ".toml" else _yaml(text)
    policies = _check_policies(experiment, base_scenario)
    base_seed = experiment.seed if experiment.seed is not None else base_scenario.seed
    if base_seed + experiment.replications - 1 > MAX_SEED:
        raise InputError(
            experiment.locate(
                ("seed",),
                f"the scenario's seed {base_seed} leaves no room for "
                f"{experiment.replications} replications: give `seed`",
            )
        )
    plan = Plan(
        experiment=experiment,
        scenario_source=scenario_source,
        base=base,
        base_dir=str(path.parent),
        base_scenario=base_scenario,
        design=design if design is not None else build_design(experiment),
        policies=policies,
        base_seed=base_seed,
    )
    check_cells(plan)
    return plan


def _scenario_path(experiment: Experiment) -> str:
    # A relative path is relative to the experiment file, like a scenario's tasks_file.
    name = experiment.scenario
    if experiment.base_dir is not None and not Path(name).is_absolute():
        candidate = Path(experiment.base_dir) / name
        try:
            if candidate.is_file():
                return str(candidate)
        except OSError:
            pass
    return name


def _yaml(text: str) -> dict[str, Any]:
    import yaml

    return yaml.safe_load(text)


def _check_policies(experiment: Experiment, scenario: Scenario) -> tuple[str, ...]:
    from simulator.policies import policy_names, resolve_policy

    known = policy_names(scenario)
    names = []
    problems = []
    for i, name in enumerate(experiment.policies):
        if name not in known and name.replace("-", "_") in known:
            name = name.replace("-", "_")
        try:
            resolve_policy(name, scenario)
        except ValueError:
            problems.append(
                experiment.locate(
                    ("policies", i), f"unknown policy (known: {', '.join(known)})", name
                )
            )
        names.append(name)
    if problems:
        raise InputError(problems)
    return tuple(names)


def check_cells(plan: Plan) -> None:
    """Check each level of each axis, then every cell as a whole, against the scenario."""
    experiment = plan.experiment
    problems: list[Problem] = []
    for axis in experiment.axes:
        if len(problems) >= MAX_PROBLEMS:
            break
        levels = list(axis.levels) if axis.levels is not None else [axis.low, axis.high]
        for i, level in enumerate(levels):
            if level is None and experiment.design == "cases":
                continue
            where: tuple[Any, ...] = ("parameters", axis.key)
            for level_path in (("parameters", axis.key, "values", i), ("parameters", axis.key, i)):
                if axis.levels is not None and level_path in experiment.lines:
                    where = level_path  # the level's own entry: `values[2]` or `[2]`
            problem = _check_value(plan, axis.key, level, where)
            if problem is not None:
                problems.append(problem)
                break
    if problems:
        raise InputError(problems)
    for cell_id in range(plan.cell_count):
        values = plan.design.cell(cell_id)
        try:
            plan.cell_setup(cell_id)
        except InputError as err:
            raise InputError(_relocate_cell(plan, cell_id, values, err)) from None
        except (KeyError, IndexError, ValueError) as exc:
            message = exc.args[0] if exc.args else str(exc)
            raise InputError(
                experiment.locate(("parameters",), f"cell {cell_id}: {message}")
            ) from None
    plan._cache.clear()


def _check_value(plan: Plan, key: str, value: Any, where: tuple[Any, ...]) -> Problem | None:
    """A problem with setting `key` to `value` alone, located at `where`, or None."""
    experiment = plan.experiment
    if key.startswith("policy."):
        from pydantic import ValidationError

        from simulator.policies import PRESETS, with_mechanism

        try:
            with_mechanism(PRESETS["cooperative"], key[len("policy.") :], value)
        except ValidationError as exc:
            message = str(exc.errors()[0].get("msg", "not a valid value"))
            return experiment.locate(where, message[:1].lower() + message[1:], value)
        return None
    from simulator.loading import scenario_from_mapping
    from simulator.overrides import set_key

    try:
        data = set_key(plan.base, key, value)
    except (KeyError, IndexError, ValueError) as exc:
        message = exc.args[0] if exc.args else str(exc)
        return experiment.locate(("parameters", key), str(message))
    try:
        scenario_from_mapping(data, source=plan.scenario_source, base_dir=Path(plan.base_dir))
    except InputError as err:
        first = err.problems[0]
        if first.unknown_key:  # the key is wrong, whatever its value
            return experiment.locate(("parameters", key), first.message)
        shown = first.value if first.value is not MISSING else value
        return experiment.locate(where, first.message, shown)
    return None


def _relocate_cell(
    plan: Plan, cell_id: int, values: dict[str, Any], err: InputError
) -> list[Problem]:
    """Problems of a whole cell, moved to the experiment file and naming the cell."""
    from simulator.overrides import set_key

    experiment = plan.experiment
    paths = {}
    for key in values:
        if key.startswith("policy."):
            continue
        resolved: list[Any] = []
        try:
            set_key(plan.base, key, None, resolved)
        except (KeyError, IndexError, ValueError):
            continue
        paths[key] = tuple(resolved)
    shown = ", ".join(f"{k}={v!r}" for k, v in values.items())
    problems = []
    for problem in err.problems[:MAX_PROBLEMS]:
        key = next(
            (
                k
                for k, p in paths.items()
                if problem.path[: len(p)] == p or p[: len(problem.path)] == problem.path
            ),
            None,
        )
        where = (
            ("parameters", cell_id, key)
            if experiment.design == "cases" and key is not None
            else ("parameters", key)
            if key is not None
            else ("parameters",)
        )
        problems.append(
            experiment.locate(where, f"cell {cell_id} ({shown}): {problem.message}", problem.value)
        )
    return problems
