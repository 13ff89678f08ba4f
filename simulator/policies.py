"""Policies: one value per mechanism, the three public presets, and scenario policies."""

from __future__ import annotations

import typing
from dataclasses import dataclass, fields, replace

from simulator.schema import PolicySpec, Scenario

MECHANISMS = (
    "allocation",
    "communication",
    "shared_space",
    "coordination",
    "problem_solving",
    "autonomy",
    "authority",
    "management",
    "confrontation",
)

# Mechanisms that act inside a department and may be overridden by its `policy:`.
DEPARTMENT_MECHANISMS = (
    "allocation",
    "problem_solving",
    "autonomy",
    "authority",
    "management",
    "confrontation",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Policy:
    """A management policy: the value chosen for each of the nine mechanisms.

    Each value names an entry of its mechanism's registry in `simulator.mechanisms`
    (`ALLOCATION`, `COMMUNICATION`, `COORDINATION`, `PROBLEM_SOLVING`, `AUTONOMY`,
    `AUTHORITY`, `MANAGEMENT`, `CONFRONTATION`); `shared_space` switches the
    collaborative space (and its memory) on or off.
    """

    name: str
    allocation: str
    communication: str
    shared_space: bool
    coordination: str
    problem_solving: str
    autonomy: str
    authority: str
    management: str
    confrontation: str
    # (department name, policy) pairs: departments that keep their own in-department mechanisms.
    departments: tuple[tuple[str, Policy], ...] = ()

    def mechanisms(self) -> dict[str, object]:
        """The mechanism values by name."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name in MECHANISMS}

    def department_override(self, department: str) -> Policy | None:
        """The policy a department keeps under this one, if any."""
        for name, policy in self.departments:
            if name == department:
                return policy
        return None


PRESETS: dict[str, Policy] = {
    "hierarchical": Policy(
        name="hierarchical",
        allocation="manager",
        communication="chain",
        shared_space=False,
        coordination="meetings",
        problem_solving="escalate",
        autonomy="none",
        authority="manager",
        management="command",
        confrontation="none",
    ),
    "cooperative": Policy(
        name="cooperative",
        allocation="pull",
        communication="direct",
        shared_space=True,
        coordination="peer",
        problem_solving="experts",
        autonomy="minor",
        authority="codecision",
        management="orient",
        confrontation="positive",
    ),
    "self_managed": Policy(
        name="self_managed",
        allocation="pull",
        communication="direct",
        shared_space=True,
        coordination="peer",
        problem_solving="consensus",
        autonomy="major",
        authority="consensus",
        management="none",
        confrontation="positive",
    ),
}


class UnknownPolicy(ValueError):
    """A policy name that is neither a preset nor defined by the scenario."""

    def __init__(self, name: str, known: list[str]):
        self.name = name
        self.known = known
        super().__init__(f"unknown policy '{name}' (known: {', '.join(known)})")


def policy_names(scenario: Scenario | None) -> list[str]:
    """Presets first, then the scenario's own policies."""
    own = list(scenario.policies) if scenario is not None else []
    return list(PRESETS) + [n for n in own if n not in PRESETS]


def resolve_policy(name: str, scenario: Scenario | None = None) -> Policy:
    """The policy called `name`: a preset, or a scenario policy built on its base."""
    return _resolve(name, dict(scenario.policies) if scenario else {}, (), scenario)


def _resolve(
    name: str, specs: dict[str, PolicySpec], seen: tuple[str, ...], scenario: Scenario | None
) -> Policy:
    if name in PRESETS:
        return PRESETS[name]
    if name not in specs or name in seen:
        if name in seen:
            raise ValueError(f"policy '{name}' is based on itself ({' -> '.join((*seen, name))})")
        raise UnknownPolicy(name, policy_names(scenario))
    spec = specs[name]
    base = _resolve(spec.base, specs, (*seen, name), scenario)
    changes: dict[str, object] = {
        m: getattr(spec, m) for m in MECHANISMS if getattr(spec, m) is not None
    }
    if spec.departments:
        kept = dict(base.departments)
        for department, own in spec.departments.items():
            kept[department] = _resolve(own, specs, (*seen, name), scenario)
        changes["departments"] = tuple(kept.items())
    return replace(base, name=name, **changes)


def with_mechanism(policy: Policy, mechanism: str, value: object) -> Policy:
    """A copy of `policy` with one mechanism changed (validated against the schema)."""
    spec = PolicySpec(base="cooperative", **{mechanism: value})
    return replace(policy, **{mechanism: getattr(spec, mechanism)})


def mechanism_values(mechanism: str) -> list:
    """The values a mechanism may take, read from the scenario schema."""

    def walk(annotation) -> list:
        if annotation is bool:
            return [True, False]
        if typing.get_origin(annotation) is typing.Literal:
            return list(typing.get_args(annotation))
        found = []
        for arg in typing.get_args(annotation):
            found += [v for v in walk(arg) if v not in found]
        return found

    return walk(PolicySpec.model_fields[mechanism].annotation)


def for_department(policy: Policy, department, scenario: Scenario) -> Policy:
    """`policy` with the in-department mechanisms of a department's own policy: the
    policy's `departments` entry first, else the department's `policy:` key."""
    own = policy.department_override(department.name)
    if own is None and department.policy is not None:
        own = resolve_policy(department.policy, scenario)
    if own is None:
        return policy
    return replace(policy, **{m: getattr(own, m) for m in DEPARTMENT_MECHANISMS})
