"""The main knobs of a scenario as slider settings, and the settings saved as scenario YAML.

Knobs become the same dotted overrides as `orgsim run --set` (`project.problem_rate=0.05`,
`organisation.departments[0].collaborators=12`), so a setting on the dashboard means
exactly what it means on the command line, and is validated the same way. The YAML
written by `scenario_yaml` is a complete scenario that `orgsim run` accepts.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import Any

import yaml

from simulator.loading import scenario_from_mapping
from simulator.policies import MECHANISMS, PRESETS, Policy
from simulator.schema import Scenario

# Slider ranges: wide enough to show every regime of the model, narrow enough to move by hand.
PROBLEM_RATE_RANGE = (0.0, 0.2, 0.005)
INTERDEPENDENCE_RANGE = (0.0, 1.0, 0.05)
DECISION_HOURS_RANGE = (0.25, 16.0, 0.25)
MEETING_INTERVAL_RANGE = (1.0, 20.0, 1.0)
HEADCOUNT_MAX = 60
SAVED_POLICY = "dashboard"  # the policy a saved file defines when mechanisms were changed


@dataclass(frozen=True)
class Knobs:
    """The scenario values a trainer changes with sliders."""

    problem_rate: float
    interdependence: float
    decision_hours: float  # mean time a manager takes to decide, in working hours
    meeting_interval_days: float  # mean working days between managers' meetings
    headcounts: tuple[int, ...]  # collaborators in each department, in the scenario's order

    def with_headcount(self, department: int, value: int) -> Knobs:
        """The same knobs with one department's headcount changed."""
        counts = list(self.headcounts)
        counts[department] = int(value)
        return Knobs(
            self.problem_rate,
            self.interdependence,
            self.decision_hours,
            self.meeting_interval_days,
            tuple(counts),
        )


def knobs_of(scenario: Scenario) -> Knobs:
    """The knobs as `scenario` sets them."""
    return Knobs(
        problem_rate=float(scenario.project.problem_rate),
        interdependence=float(scenario.project.interdependence),
        decision_hours=float(scenario.timing.decision_hours.mean),
        meeting_interval_days=float(scenario.timing.meeting_interval_days.mean),
        headcounts=tuple(int(d.collaborators or 0) for d in scenario.organisation.departments),
    )


def overrides(base: Scenario, knobs: Knobs) -> list[str]:
    """`KEY=VALUE` overrides that turn `base` into the scenario `knobs` describe."""
    start = knobs_of(base)
    found: list[str] = []
    if knobs.problem_rate != start.problem_rate:
        found.append(f"project.problem_rate={knobs.problem_rate:g}")
    if knobs.interdependence != start.interdependence:
        found.append(f"project.interdependence={knobs.interdependence:g}")
    if knobs.decision_hours != start.decision_hours:
        found.append(f"timing.decision_hours.mean={knobs.decision_hours:g}")
    if knobs.meeting_interval_days != start.meeting_interval_days:
        found.append(f"timing.meeting_interval_days.mean={knobs.meeting_interval_days:g}")
    for i, (now, then) in enumerate(zip(knobs.headcounts, start.headcounts, strict=True)):
        if now != then:
            found.append(f"organisation.departments[{i}].collaborators={now}")
    return found


def scenario_mapping(scenario: Scenario) -> dict[str, Any]:
    """The scenario as plain data, ready for YAML (explicit plans stay inline)."""
    return scenario.model_dump(mode="json", exclude_none=True)


def apply_knobs(base: Scenario, knobs: Knobs) -> Scenario:
    """`base` with the knobs applied, validated like `--set` (InputError if refused)."""
    changes = overrides(base, knobs)
    if not changes:
        return base
    return scenario_from_mapping(
        scenario_mapping(base), source=base.name, overrides=changes, allow_files=False
    )


def _changed_mechanisms(start: Policy, now: dict[str, Any]) -> dict[str, Any]:
    return {m: now[m] for m in MECHANISMS if m in now and getattr(start, m) != now[m]}


def scenario_yaml(
    scenario: Scenario,
    policy: Policy,
    seed: int,
    mechanisms_now: dict[str, Any] | None = None,
    shocks: list[str] | None = None,
) -> str:
    """A scenario file with the current settings, for `orgsim run FILE --policy P`.

    The seed is the dashboard's; when mechanisms were switched during the run, the file
    defines a policy `dashboard` (the starting policy with those switches) and says so.
    Shocks (a departure, a surge) happened at a moment of one run: they are listed in
    comments, not settings.
    """
    data = scenario_mapping(scenario)
    data["seed"] = int(seed)
    run_policy = policy.name
    changed = _changed_mechanisms(policy, mechanisms_now or {})
    if changed:
        policies = dict(data.get("policies", {}))
        policies[SAVED_POLICY] = {"base": policy.name, **changed}
        data["policies"] = policies
        run_policy = SAVED_POLICY
    if policy.name not in PRESETS and policy.name not in data.get("policies", {}):
        # A policy of an earlier upload that this scenario does not define: write it out.
        data.setdefault("policies", {})[policy.name] = {
            "base": "cooperative",
            **policy.mechanisms(),
        }
    stamp = _dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    lines = [
        f"# Saved from the orgsim dashboard on {stamp}.",
        f"# Run it with: orgsim run {scenario.name}.yaml --policy {run_policy}",
    ]
    if changed:
        switched = ", ".join(f"{m}: {v}" for m, v in changed.items())
        lines.append(
            f"# Policy '{SAVED_POLICY}' is {policy.name} with the switches made: {switched}."
        )
    for shock in shocks or []:
        lines.append(f"# During the run (not a setting): {shock}")
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    return "\n".join(lines) + "\n" + body
