"""Per-session state of the dashboard.

Solara scopes module-level reactive variables to the browser session (one kernel per
page load), so each room, each tab, each browser context has its own scenario, its own
runs and its own upload: nothing here is shared between sessions. The scenario set-up
(scenario, knobs) is shared by Simulate and Compare within a session, so a trainer sets
the organisation once and shows it run alone and side by side.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path

import solara

from dashboards.knobs import Knobs, apply_knobs, knobs_of
from dashboards.simulation import LIVE_KNOBS, Lockstep, SimulationRun
from dashboards.typical import TypicalInputs, TypicalRun
from simulator.loading import builtin_names, load_scenario
from simulator.policies import policy_names
from simulator.schema import Scenario

DEFAULT_SCENARIO = "workshop"
DEFAULT_POLICY = "hierarchical"
COMPARE_DEFAULT = ("hierarchical", "cooperative", "self_managed")
UPLOAD_PREFIX = "upload: "
RESULTS_ENV = "ORGSIM_DASHBOARD_RESULTS"  # set by `orgsim dashboard --results DIR`


@dataclass(frozen=True, eq=False)
class ScenarioSetup:
    """A scenario as chosen (built-in or upload), the knobs set on it, and the result.

    Compared by identity: every change makes a new set-up, and runs remember the one
    they were built from, so a page can tell that a new set-up waits for Reset.
    """

    source: str  # a built-in name, or "upload: FILE"
    base: Scenario
    knobs: Knobs
    scenario: Scenario = field(repr=False)

    @classmethod
    def of(cls, source: str, base: Scenario, knobs: Knobs | None = None) -> ScenarioSetup:
        """A set-up with the knobs applied (InputError if the knobs are refused)."""
        knobs = knobs or knobs_of(base)
        return cls(source, base, knobs, apply_knobs(base, knobs))

    def with_knobs(self, knobs: Knobs) -> ScenarioSetup:
        """The same scenario with other knobs."""
        return ScenarioSetup.of(self.source, self.base, knobs)

    @property
    def policies(self) -> list[str]:
        """Policies this scenario offers: presets, then its own."""
        return policy_names(self.scenario)


def builtin_setup(name: str = DEFAULT_SCENARIO) -> ScenarioSetup:
    """A built-in scenario with its own knobs."""
    return ScenarioSetup.of(name, load_scenario(name))


def results_root() -> Path | None:
    """The folder given with `--results` (None when the dashboard was started without)."""
    value = os.environ.get(RESULTS_ENV, "").strip()
    return Path(value) if value else None


# --- reactive state (per session) ----------------------------------------------------------

# Set-ups are immutable, so every session may start from the same default object; runs are
# not, and each session makes its own on first use.
setup = solara.reactive(builtin_setup())
uploaded = solara.reactive(None)  # (display name, Scenario) of this session's upload
upload_errors = solara.reactive([])  # lines of the last refused upload

simulate_policy = solara.reactive(DEFAULT_POLICY)
simulate_seed = solara.reactive(None)  # None: the scenario's seed
simulate_run = solara.reactive(None)  # SimulationRun

compare_policies = solara.reactive(list(COMPARE_DEFAULT))
compare_seed = solara.reactive(None)
compare_runs = solara.reactive(None)  # Lockstep
typical = solara.reactive(None)  # TypicalRun of the current compare set-up

presenting = solara.reactive(False)  # presentation mode: no set-up panels, larger type

results_folder = solara.reactive(None)  # name under the results root
results_kpi = solara.reactive("lead_time_days")
results_parameter = solara.reactive(None)


def current_setup() -> ScenarioSetup:
    """The session's scenario set-up."""
    return setup.value


def scenario_sources() -> list[str]:
    """What the scenario picker offers: built-ins, then this session's upload."""
    sources = list(builtin_names())
    if uploaded.value is not None:
        sources.append(UPLOAD_PREFIX + uploaded.value[0])
    return sources


def setup_for(source: str) -> ScenarioSetup:
    """The set-up of a picked source (a built-in name, or this session's upload)."""
    if source.startswith(UPLOAD_PREFIX) and uploaded.value is not None:
        name, scenario = uploaded.value
        return ScenarioSetup.of(UPLOAD_PREFIX + name, scenario)
    return builtin_setup(source)


def seed_of(chosen: int | None, scenario_setup: ScenarioSetup) -> int:
    """The seed in force: the one typed, or the scenario's."""
    return int(chosen) if chosen is not None else int(scenario_setup.scenario.seed)


def valid_policy(name: str, scenario_setup: ScenarioSetup) -> str:
    """`name` if the scenario offers it, else the default."""
    return name if name in scenario_setup.policies else DEFAULT_POLICY


def new_simulation() -> SimulationRun:
    """A fresh run of the session's set-up, policy and seed (the Reset button)."""
    chosen = current_setup()
    policy = valid_policy(simulate_policy.value, chosen)
    simulate_policy.value = policy
    run = SimulationRun(chosen.scenario, policy, seed_of(simulate_seed.value, chosen), chosen)
    simulate_run.value = run
    return run


def simulation() -> SimulationRun:
    """The session's run, created on first use."""
    return simulate_run.value if simulate_run.value is not None else new_simulation()


def simulation_is_stale() -> bool:
    """True when the set-up, policy or seed changed since the run was built."""
    run = simulate_run.value
    if run is None:
        return False
    chosen = current_setup()
    return (
        run.setup is not chosen
        or run.policy != simulate_policy.value
        or run.seed != seed_of(simulate_seed.value, chosen)
    )


def knob_changes(before: Knobs, after: Knobs) -> dict[str, object]:
    """The knobs that differ, field -> new value."""
    return {
        f.name: getattr(after, f.name)
        for f in fields(Knobs)
        if getattr(after, f.name) != getattr(before, f.name)
    }


def set_knobs(knobs: Knobs) -> list[str]:
    """New knobs for the session (InputError if refused, and nothing changes).

    Knobs that can act mid-run (LIVE_KNOBS: problem rate, decision time, meetings), moved
    while a run of the session is in progress, act on it now, NetLogo-style: Simulate's run
    and every policy of Compare's runs alike, since the two pages share the set-up. Each
    change is a numbered intervention in each run's feed and on its charts, and the runs
    stay current (Reset starts over with the new values). A set-up knob (interdependence,
    headcounts) waits for Reset as before. Returns what the feed says of the live changes
    (Simulate's run if it took them, else the first policy of Compare).
    """
    chosen = current_setup()
    new = chosen.with_knobs(knobs)
    changed = knob_changes(chosen.knobs, knobs)
    said: list[str] = []
    if changed and set(changed) <= set(LIVE_KNOBS):
        lockstep = compare_runs.value
        if lockstep is not None and _in_progress(lockstep, chosen):
            said = lockstep.change_live_knobs(changed)
            lockstep.setup = new  # the runs now stand for the new set-up: not out of date
        run = simulate_run.value
        if run is not None and _in_progress(run, chosen):
            said = run.change_live_knobs(changed)
            run.setup = new
    setup.value = new
    return said


def _in_progress(runs: SimulationRun | Lockstep, chosen: ScenarioSetup) -> bool:
    """True when `runs` were built from `chosen` and have started without ending."""
    started = runs.started if isinstance(runs, Lockstep) else runs.model.time > 0
    return runs.setup is chosen and runs.running and started


def _compared(chosen: ScenarioSetup) -> list[str]:
    """The chosen compare policies the scenario offers (2 or 3), else the defaults."""
    policies = [p for p in compare_policies.value if p in chosen.policies][:3]
    if len(policies) < 2:
        policies = [p for p in COMPARE_DEFAULT if p in chosen.policies][:3]
    return policies


def new_comparison() -> Lockstep:
    """Fresh runs, one per chosen policy, of the session's set-up and the compare seed."""
    chosen = current_setup()
    policies = _compared(chosen)
    compare_policies.value = policies
    lockstep = Lockstep(chosen.scenario, policies, seed_of(compare_seed.value, chosen), chosen)
    compare_runs.value = lockstep
    return lockstep


def comparison() -> Lockstep:
    """The session's comparison, created on first use."""
    return compare_runs.value if compare_runs.value is not None else new_comparison()


def comparison_is_stale() -> bool:
    """True when the set-up, policies or seed changed since the runs were built."""
    lockstep = compare_runs.value
    if lockstep is None:
        return False
    chosen = current_setup()
    return (
        lockstep.setup is not chosen
        or lockstep.policies != list(compare_policies.value)
        or lockstep.seed != seed_of(compare_seed.value, chosen)
    )


def compare_inputs() -> TypicalInputs:
    """What Compare's settings say now: set-up (scenario and knobs), policies, seed."""
    chosen = current_setup()
    return TypicalInputs(
        setup=chosen,
        scenario=chosen.scenario.name,
        policies=tuple(_compared(chosen)),
        seed=seed_of(compare_seed.value, chosen),
    )


def typical_for(result: TypicalRun | None) -> TypicalRun | None:
    """The typical-run result if it still belongs to what Compare shows, else None.

    It belongs while the settings are those it chose (its set-up, policies and seed) and
    the runs on screen were built from them: a new scenario, knob, policy or seed, even
    before Reset, takes the headline away.
    """
    lockstep = compare_runs.value
    if result is None or lockstep is None or result.inputs is None:
        return None
    shown = result.shown_on()
    if compare_inputs() != shown:
        return None
    built = (lockstep.setup, tuple(lockstep.policies), lockstep.seed)
    if built != (shown.setup, shown.policies, shown.seed):
        return None
    return result


def accept_typical(result: TypicalRun) -> bool:
    """Show `result` if it was computed on the settings in force: restart the comparison on
    its seed and keep it. A result computed on other settings is discarded (False)."""
    if result.inputs is None or result.inputs != compare_inputs():
        typical.value = None
        return False
    compare_seed.value = result.seed
    new_comparison()
    typical.value = result
    return True
