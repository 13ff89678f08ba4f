"""Files in and out: upload a scenario, save the current settings as a scenario YAML."""

from __future__ import annotations

from collections.abc import Callable

import solara

from dashboards import state
from dashboards.components.upload import ScenarioUpload
from dashboards.knobs import scenario_yaml
from dashboards.simulation import SimulationRun
from simulator.policies import resolve_policy


@solara.component
def UploadScenario(on_loaded: Callable[[], None]):
    """Upload field, and the reasons a file was refused (the session carries on)."""

    def accepted(name: str, scenario) -> None:
        state.upload_errors.value = []
        state.uploaded.value = (name, scenario)
        state.setup.value = state.setup_for(state.UPLOAD_PREFIX + name)
        on_loaded()

    def refused(lines: list[str]) -> None:
        state.upload_errors.value = list(lines)

    ScenarioUpload(on_scenario=accepted, on_refused=refused)
    if state.upload_errors.value:
        with solara.Column(classes=["upload-errors"], gap="0px"):
            solara.Text("The file was not loaded:", style={"font-weight": "600"})
            for line in state.upload_errors.value:
                solara.Text(line, classes=["error-line"])
    elif state.uploaded.value is not None:
        solara.Text(f"Loaded {state.uploaded.value[0]}.", classes=["hint"])


@solara.component
def SaveScenario(run: SimulationRun):
    """Download the settings of the run shown as a scenario that `orgsim run` accepts."""

    def content() -> bytes:
        with run.lock:
            mechanisms = run.model.policy.mechanisms()
            shocks = [i.text for i in run.model.interventions if i.kind == "shock"]
        starting = resolve_policy(run.policy, run.scenario)
        return scenario_yaml(run.scenario, starting, run.seed, mechanisms, shocks).encode("utf-8")

    solara.FileDownload(
        content,
        filename=f"{run.scenario.name}.yaml",
        label="Save as scenario YAML",
        icon_name="mdi-content-save",
    )


@solara.component
def FilesPanel(run: SimulationRun, on_loaded: Callable[[], None]):
    """The Files tab of Simulate."""
    solara.Text("Open a scenario file", classes=["panel-subtitle"])
    UploadScenario(on_loaded)
    solara.HTML(
        tag="div",
        unsafe_innerHTML="YAML or TOML as <code>orgsim run</code> reads it; it may not refer to "
        "files on this computer.",
        classes=["hint"],
    )
    solara.Text("Save", classes=["panel-subtitle"])
    SaveScenario(run)
    solara.HTML(
        tag="div",
        unsafe_innerHTML="The scenario with the knobs and seed set here; mechanisms switched "
        "during the run become a policy named <code>dashboard</code>. Run it with "
        "<code>orgsim run FILE --policy NAME</code> (the file says which).",
        classes=["hint"],
    )
