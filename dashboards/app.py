"""The Solara app: three pages under one app bar. `orgsim dashboard` serves this module.

Telemetry is switched off here as well as by the command (SOLARA_TELEMETRY_MIXPANEL_ENABLE
=false), so the app never reports usage even when started with a plain `solara run`:
consultants run it on client data.
"""

from __future__ import annotations

import solara
import solara.server.settings

from dashboards import state
from dashboards.components.screen import PageScripts
from dashboards.pages import compare, experiments, simulate
from dashboards.theme import CSS

solara.server.settings.telemetry.mixpanel_enable = False


@solara.component
def Layout(children=None):
    """App bar with the page tabs, then the page, filling the window exactly."""
    route, routes = solara.use_route()
    solara.Style(CSS)
    presenting = state.presenting.value
    with solara.Column(classes=["orgsim-app", *(["presenting"] if presenting else [])], gap="0px"):
        PageScripts()
        with solara.Row(classes=["app-bar"], gap="4px", style={"align-items": "center"}):
            solara.Text("orgsim", classes=["brand"])
            for each in routes:
                with solara.Link(solara.resolve_path(each)):
                    solara.Button(
                        each.label,
                        text=True,
                        classes=["nav", "nav-active" if each is route else "nav-idle"],
                    )
            solara.Text(
                "an organisation at work, under three ways of managing it", classes=["bar-note"]
            )
            solara.Button(
                "Leave presentation" if presenting else "Presentation",
                icon_name="mdi-projector-screen",
                text=True,
                on_click=lambda: state.presenting.set(not state.presenting.value),
                classes=["present-button"],
            )
        with solara.Column(classes=["app-body"], gap="0px"):
            for child in children or []:
                solara.display(child)


routes = [
    solara.Route(path="/", component=simulate.Page, label="Simulate", layout=Layout),
    solara.Route(path="compare", component=compare.Page, label="Compare"),
    solara.Route(path="experiments", component=experiments.Page, label="Experiments"),
]
