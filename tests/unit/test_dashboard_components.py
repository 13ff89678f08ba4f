"""Components rendered with Solara's test helpers (no browser): pages, buttons, state.

Each test runs in a virtual kernel of its own, as each browser session does on the
server, so module-level reactive state starts fresh.
"""

from __future__ import annotations

import uuid

import ipyvuetify as v
import pytest
import solara
import solara.server.starlette
from solara.server import kernel, kernel_context

from dashboards import state
from dashboards.components.intervene_panel import mechanism_values
from dashboards.pages import compare, experiments, simulate


@pytest.fixture
def session():
    """A fresh Solara session (kernel context) for one test."""
    context = kernel_context.VirtualKernelContext(
        id=f"test-{uuid.uuid4()}", kernel=kernel.Kernel(), session_id="test"
    )
    with context:
        yield context
    # Not closed: closing needs the server's widget patches; the context is simply dropped.


def buttons(rc, label: str) -> list:
    """Buttons whose text is `label` (solara buttons hold an icon and the text)."""
    return [w for w in rc.find(v.Btn).widgets if label in w.children]


def click(rc, label: str) -> None:
    found = buttons(rc, label)
    assert len(found) == 1, f"{len(found)} buttons '{label}'"
    found[0].click()


def text_of(rc, css_class: str) -> str:
    found = rc.find(v.Html, class_=css_class).widgets
    assert found, css_class
    return " ".join(str(c) for c in found[0].children)


def html_of(rc, css_class: str) -> str:
    widgets = [
        w for w in rc.find().widgets if css_class in (getattr(w, "class_", "") or "").split()
    ]
    assert widgets, css_class
    return widgets[0].value if hasattr(widgets[0], "value") else ""


def test_simulate_steps_and_resets(session):
    _box, rc = solara.render(simulate.Page(), handle_error=False)
    assert text_of(rc, "day-counter").startswith("Day 0.0")
    for _ in range(4):
        click(rc, "Step")
    assert text_of(rc, "day-counter").startswith("Day 0.5")
    assert state.simulate_run.value.model.time == 4.0
    click(rc, "Reset")
    assert text_of(rc, "day-counter").startswith("Day 0.0")


def test_each_session_has_its_own_model():
    def open_simulate():
        context = kernel_context.VirtualKernelContext(
            id=f"test-{uuid.uuid4()}", kernel=kernel.Kernel(), session_id="s"
        )
        with context:
            _box, rc = solara.render(simulate.Page(), handle_error=False)
            run = state.simulate_run.value
        return context, rc, run

    first, rc_first, run_first = open_simulate()
    _second, _rc_second, run_second = open_simulate()
    assert run_first is not run_second
    with first:
        click(rc_first, "Step")
    assert run_first.model.time == 1.0 and run_second.model.time == 0.0


def test_policy_change_applies_at_once_before_the_run_starts(session):
    _box, rc = solara.render(simulate.Page(), handle_error=False)
    state.simulate_policy.value = "cooperative"
    # The page rebuilds a run that has not started; after a step it would wait for Reset.
    rc.find(v.Select, label="Policy").widget.v_model = "self_managed"
    assert state.simulate_run.value.policy == "self_managed"
    click(rc, "Step")
    rc.find(v.Select, label="Policy").widget.v_model = "hierarchical"
    assert state.simulate_run.value.policy == "self_managed"
    assert state.simulation_is_stale()
    assert "New settings apply on Reset." in [
        t for w in rc.find(v.Html).widgets for t in w.children
    ]
    click(rc, "Reset")
    assert state.simulate_run.value.policy == "hierarchical"


def test_intervene_tab_switches_a_mechanism(session):
    _box, rc = solara.render(simulate.Page(), handle_error=False)
    for _ in range(3):
        click(rc, "Step")
    rc.find(v.Tabs).widget.v_model = 1  # Intervene
    click(rc, "Apply")  # hierarchical escalates; the first other value is "experts"
    run = state.simulate_run.value
    assert run.model.policy.problem_solving == "experts"
    assert run.model.interventions[-1].text == "problem_solving changed from escalate to experts"
    click(rc, "An expert leaves")
    assert sum(c.departed for c in run.model.org.collaborators) == 1


def test_mechanism_values_come_from_the_schema():
    assert mechanism_values("allocation") == ["manager", "pull"]
    assert mechanism_values("shared_space") == [True, False]
    assert set(mechanism_values("authority")) == {"manager", "codecision", "consensus"}


def test_compare_shows_one_column_per_policy_in_lockstep(session):
    _box, rc = solara.render(compare.Page(), handle_error=False)
    lockstep = state.compare_runs.value
    assert lockstep.policies == ["hierarchical", "cooperative", "self_managed"]
    click(rc, "Step")
    click(rc, "Step")
    assert {r.model.time for r in lockstep.runs} == {2.0}
    assert "KPIs so far" in compare.kpi_table_html(lockstep.frames())


def test_experiments_without_results_shows_no_folder_picker(session, monkeypatch):
    monkeypatch.delenv(state.RESULTS_ENV, raising=False)
    _box, rc = solara.render(experiments.Page(), handle_error=False)
    assert rc.find(v.Select, label="Results folder").widgets == []


def test_experiments_refuses_a_folder_name_outside_the_root(session, monkeypatch, tmp_path):
    from tests.unit.test_dashboard_results import write_folder

    write_folder(tmp_path / "good")
    monkeypatch.setenv(state.RESULTS_ENV, str(tmp_path))
    state.results_folder.value = "../../etc"  # not in the list: the first folder is shown
    _box, rc = solara.render(experiments.Page(), handle_error=False)
    assert rc.find(v.Select, label="Results folder").widget.v_model == "good"
    assert rc.find(v.Select, label="Results folder").widget.items == ["good"]
