"""A typical run belongs to the settings it ran on: scenario, knobs, policies and seed.

Solara sessions without a browser (the `session` fixture of the component tests); the
replications are stubbed with fixed lead times, so only the tie is under test.
"""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import ipyvuetify as v
import solara

from dashboards import state
from dashboards.pages import compare
from dashboards.typical import typical_run
from tests.unit.test_dashboard_components import session  # noqa: F401  (fixture)

# Lead times by policy and seed offset: cooperative first by 2 days on every seed.
LEAD_TIMES = {"hierarchical": 22.0, "cooperative": 20.0, "self_managed": 21.0}


def stub_runner(_scenario, policy, seed):
    return SimpleNamespace(kpis={"lead_time_days": LEAD_TIMES[policy] + 0.01 * (seed % 7)})


def typical_now():
    """A typical run computed (stubbed) on the settings in force."""
    inputs = state.compare_inputs()
    return typical_run(
        inputs.setup.scenario,
        inputs.policies,
        inputs.seed,
        runner=stub_runner,
        inputs=inputs,
    )


def headlines(rc) -> list[str]:
    return [
        str(c)
        for w in rc.find(v.Html).widgets
        if "typical-headline" in (w.class_ or "")
        for c in w.children
    ]


def test_a_result_for_the_scenario_shown_restarts_the_comparison_on_its_seed(session):  # noqa: F811
    _box, rc = solara.render(compare.Page(), handle_error=False)
    result = typical_now()
    assert state.accept_typical(result)
    assert state.compare_runs.value.seed == result.seed
    assert state.typical_for(state.typical.value) is result
    assert headlines(rc) == [result.headline()]
    assert result.headline().startswith(f"workshop, seed {result.seed}:")


def test_a_result_for_a_scenario_no_longer_shown_is_discarded(session):  # noqa: F811
    _box, rc = solara.render(compare.Page(), handle_error=False)
    result = typical_now()  # computed on workshop...
    state.setup.value = state.builtin_setup("apprentice-crew")  # ...which the room left
    state.new_comparison()
    assert not state.accept_typical(result)
    assert state.typical.value is None
    assert state.compare_runs.value.scenario.name == "apprentice-crew"
    assert headlines(rc) == []


def test_a_new_seed_takes_the_headline_away(session):  # noqa: F811
    _box, rc = solara.render(compare.Page(), handle_error=False)
    result = typical_now()
    assert state.accept_typical(result)
    state.compare_seed.value = result.seed + 100
    assert state.typical_for(result) is None  # at once, before Reset
    state.new_comparison()  # Reset
    assert state.typical_for(result) is None
    assert headlines(rc) == []


def test_a_knob_or_a_policy_changed_takes_the_headline_away(session):  # noqa: F811
    _box, _rc = solara.render(compare.Page(), handle_error=False)
    result = typical_now()
    assert state.accept_typical(result)
    chosen = state.current_setup()
    state.setup.value = chosen.with_knobs(replace(chosen.knobs, interdependence=0.6))
    assert state.typical_for(result) is None
    state.setup.value = chosen  # the same set-up again: the result is back
    assert state.typical_for(result) is result
    state.compare_policies.value = ["hierarchical", "cooperative"]
    assert state.typical_for(result) is None
