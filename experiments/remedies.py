"""Remedies a diagnosis points to, each a set of `--set` patches that acts on the scenario.

Chosen from the diagnosis (DESIGN §7b): where a department's managers make tasks wait,
more availability (`manager_availability`), a second team lead (one more team) or pooled
leads; where escalation dominates, the department's own policy set to the cooperative
preset (autonomy, lateral problem solving); lateral links across departments where
departments exchange problems; one more collaborator where a profession is busiest. A
remedy that cannot act (its values are already the scenario's, a people file gives them,
or `simulator.inert` finds it inert) is never proposed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from simulator.errors import InputError
from simulator.inert import remedy_inert
from simulator.loading import with_values
from simulator.policies import resolve_policy
from simulator.schema import Scenario

MAX_REMEDIES = 8
BASELINE = "(as is)"  # the variant name of the scenario unchanged
LATERAL_STEP = 4  # lateral links added by the lateral-link remedy


@dataclass(frozen=True)
class Remedy:
    """A named change: `--set` values, and why the diagnosis suggests it."""

    name: str
    change: dict[str, Any]
    why: str

    def patches(self) -> list[str]:
        """The change as `--set KEY=VALUE` texts."""
        return [f"{key}={_text(value)}" for key, value in self.change.items()]


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def propose(
    scenario: Scenario, policy: str, summary: dict[str, Any], limit: int = MAX_REMEDIES
) -> list[tuple[Remedy, Scenario]]:
    """At most `limit` remedies that act, each with its patched scenario, most pressing
    first (the departments whose managers cause the most critical-path wait first)."""
    chosen: list[tuple[Remedy, Scenario]] = []
    seen: set[tuple] = set()
    run_policy = resolve_policy(policy, scenario)
    for remedy in _candidates(scenario, run_policy.name, summary):
        key = tuple(sorted(remedy.change.items()))
        if key in seen:
            continue
        seen.add(key)
        try:
            patched = with_values(scenario, remedy.change)
        except InputError:
            continue  # e.g. a people file gives these values: the change cannot be made here
        if remedy_inert(scenario, patched, run_policy) is not None:
            continue
        chosen.append((remedy, patched))
        if len(chosen) >= limit:
            break
    return chosen


def _candidates(scenario: Scenario, policy: str, summary: dict[str, Any]) -> list[Remedy]:
    org = scenario.organisation
    by_name = {d.name: d for d in org.departments}
    waiting = [
        row
        for row in summary["departments"]
        if row["department"] in by_name and row["decision_wait_caused_hours"] > 0
    ]
    # Departments whose managers weigh most on the path first.
    managers = [m for m in summary["managers"] if m["department"] in by_name and m["cp_share"] > 0]
    order = list(
        dict.fromkeys([m["department"] for m in managers] + [r["department"] for r in waiting])
    )
    found: list[Remedy] = []
    for name in order[:2]:
        department = by_name[name]
        key = f"organisation.departments[{name}]"
        availability = department.manager_availability or org.manager_availability
        if availability < 1.0:
            found.append(
                Remedy(
                    f"{name}: managers full time on the project",
                    {f"{key}.manager_availability": 1.0},
                    f"{name}'s managers hold decisions while away (availability {availability:g})",
                )
            )
        collaborators = department.collaborators or 0
        if collaborators > department.teams:
            found.append(
                Remedy(
                    f"{name}: a second team lead",
                    {f"{key}.teams": department.teams + 1},
                    f"{name}'s manager queue: one more team, one more lead to decide",
                )
            )
        if department.teams > 1 and not department.pooled_leads:
            found.append(
                Remedy(
                    f"{name}: pooled team leads",
                    {f"{key}.pooled_leads": True},
                    f"{name}'s leads share one queue: the first free lead decides",
                )
            )
    for name in order[:2]:
        if policy != "cooperative":
            found.append(
                Remedy(
                    f"{name}: cooperative department policy",
                    {f"organisation.departments[{name}].policy": "cooperative"},
                    f"escalation in {name}: autonomy and lateral problem solving",
                )
            )
    if len(org.departments) > 1:
        found.append(
            Remedy(
                "lateral links across departments",
                {"organisation.lateral_links": org.lateral_links + LATERAL_STEP},
                "departments exchange problems: colleagues answer across departments directly",
            )
        )
    busiest = sorted(
        (r for r in summary["departments"] if r["department"] in by_name),
        key=lambda r: -(r["collaborator_utilisation"] or 0.0),
    )
    if busiest and by_name[busiest[0]["department"]].collaborators is not None:
        name = busiest[0]["department"]
        found.append(
            Remedy(
                f"{name}: one more collaborator",
                {
                    f"organisation.departments[{name}].collaborators": (
                        by_name[name].collaborators + 1
                    )
                },
                f"{name} is the busiest profession",
            )
        )
    return found
