"""Shocks on Compare: the same blow to every policy at the same moment.

An expert leaves (the most expert person still in the chosen department: the same person
in every run, since the runs share their people) or the problem rate surges; each run logs
it, and the overlay chart marks it (①, ②...), so the room sees which policy absorbs it.
"""

from __future__ import annotations

from collections.abc import Callable

import solara

from dashboards.simulation import SURGE_FACTOR, Lockstep


@solara.component
def CompareShocks(lockstep: Lockstep, on_changed: Callable[[], None]):
    """Department, "An expert leaves", "Problems ×3" / "Back to normal", and what was done."""
    department, set_department = solara.use_state(0)
    message, set_message = solara.use_state("")
    departments = list(lockstep.runs[0].model.org.department_names)
    going = lockstep.running

    def act(change: Callable[[], str]) -> None:
        try:
            set_message(f"Every policy: {change()}")
        except ValueError as exc:
            set_message(f"Not done: {exc}")
        on_changed()

    surged = lockstep.surged
    with solara.Row(classes=["compare-shocks", "wrap-row"], gap="6px"):
        solara.Text("Shock every policy:", classes=["bar-label"])
        solara.Select(
            "Department",
            values=departments,
            value=departments[min(department, len(departments) - 1)],
            on_value=lambda name: set_department(departments.index(name)),
            dense=True,
            style={"width": "150px", "flex": "none"},
        )
        solara.Button(
            "An expert leaves",
            disabled=not going,
            on_click=lambda: act(lambda: lockstep.expert_leaves(department)),
        )
        if surged:
            solara.Button(
                "Back to normal", disabled=not going, on_click=lambda: act(lockstep.calm_problems)
            )
        else:
            solara.Button(
                f"Problems ×{SURGE_FACTOR:g}",
                disabled=not going,
                on_click=lambda: act(lockstep.surge_problems),
            )
        if message:
            solara.Text(message, classes=["shock-note"])
