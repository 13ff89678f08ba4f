"""Changing a run while it plays: switch one mechanism, or inject a shock.

Each change goes through `simulator.interventions`, which logs it in the model's feed and
in its interventions, so the page marks it on the charts (①, ②...) and in the feed.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

import solara

from dashboards.components.named_select import NamedSelect
from dashboards.simulation import SURGE_FACTOR, SimulationRun
from experiments.display import mechanism_name, value_name
from simulator.policies import MECHANISMS, mechanism_values


@solara.component
def IntervenePanel(run: SimulationRun, mechanisms: dict, on_changed: Callable[[], None]):
    """Mechanism switch and shocks for the session's run; says what it did."""
    mechanism, set_mechanism = solara.use_state("problem_solving")
    options = mechanism_values(mechanism)
    value, set_value = solara.use_state(None)
    current = mechanisms.get(mechanism)
    chosen = value if value in options else next((v for v in options if v != current), current)
    department, set_department = solara.use_state(0)
    message, set_message = solara.use_state("")
    departments = list(run.model.org.department_names)

    def act(change: Callable[[], str]) -> None:
        try:
            set_message(change())
        except ValueError as exc:
            set_message(f"Not done: {exc}")
        on_changed()

    solara.Text("Policy in force", classes=["panel-subtitle"])
    rows = "".join(
        f"<tr><td>{escape(mechanism_name(m))}</td>"
        f"<td><b>{escape(value_name(m, mechanisms.get(m)))}</b></td></tr>"
        for m in MECHANISMS
    )
    solara.HTML(tag="table", unsafe_innerHTML=rows, classes=["mechanisms"])
    solara.Text("Switch one mechanism now", classes=["panel-subtitle"])
    NamedSelect(
        "Mechanism",
        value=mechanism,
        items=[(m, mechanism_name(m)) for m in MECHANISMS],
        on_value=lambda m: (set_mechanism(m), set_value(None)),
    )
    with solara.Row(gap="6px", classes=["wrap-row"], style={"align-items": "center"}):
        solara.ToggleButtonsSingle(
            value=chosen,
            on_value=set_value,
            dense=True,
            children=[
                solara.Button(value_name(mechanism, v), value=v, small=True) for v in options
            ],
        )
        solara.Button(
            "Apply",
            color="primary",
            small=True,
            disabled=chosen == current or not run.running,
            on_click=lambda: act(lambda: run.change_mechanism(mechanism, chosen)),
        )
    solara.Text("Shocks", classes=["panel-subtitle"])
    with solara.Row(gap="6px", classes=["wrap-row"], style={"align-items": "center"}):
        solara.Select(
            "Department",
            values=departments,
            value=departments[min(department, len(departments) - 1)],
            on_value=lambda name: set_department(departments.index(name)),
            dense=True,
            style={"max-width": "150px"},
        )
        solara.Button(
            "An expert leaves",
            small=True,
            disabled=not run.running,
            on_click=lambda: act(lambda: run.expert_leaves(department)),
        )
    base = run.normal_problem_rate
    surged = run.problem_rate > base + 1e-12
    with solara.Row(gap="6px", classes=["wrap-row"]):
        solara.Button(
            f"Problem rate surges (×{SURGE_FACTOR:g})",
            small=True,
            disabled=surged or not run.running,
            on_click=lambda: act(run.surge_problems),
        )
        solara.Button(
            "Back to normal",
            small=True,
            disabled=not surged or not run.running,
            on_click=lambda: act(run.calm_problems),
        )
    solara.Text(f"Problem rate now: {run.problem_rate:.3f} per hour", classes=["hint"])
    if message:
        solara.Info(message, dense=True)
