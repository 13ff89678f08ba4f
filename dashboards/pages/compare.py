"""Compare: two or three policies on the same scenario and seed, in lockstep, side by side."""

from __future__ import annotations

import threading
from collections.abc import Callable
from html import escape

import solara

from dashboards import state
from dashboards.charts import FONT, PRESENTING_FONT, overlay_option
from dashboards.components.compare_shocks import CompareShocks
from dashboards.components.controls import PlayBar, day_text, status_text
from dashboards.components.keys import KeyListener
from dashboards.components.named_select import NamedSelect
from dashboards.components.player import DEFAULT_SPEED, SPEEDS, use_player
from dashboards.components.setup_panel import KnobSliders, ScenarioPicker
from dashboards.components.views import Chart, Legend, Network, PinnedChanges
from dashboards.palette import policy_colour
from dashboards.simulation import Frame
from dashboards.standing import BARS, Standing, bar_widths, standings
from dashboards.typical import REPLICATIONS, Cancelled, TypicalInputs, TypicalRun, typical_run
from experiments.display import label, policy_name
from experiments.executors import cpu_count, kept_pool

# Rows of the KPI table: (KPI, short unit, format); labels come from experiments.display.
TABLE_ROWS = (
    ("lead_time_days", "days", "{:.1f}"),
    ("tasks_done", "", "{:.0f}"),
    ("decision_wait_hours", "h", "{:.0f}"),
    ("coordination_hours", "h", "{:.0f}"),
    ("rework_hours", "h", "{:.0f}"),
    ("messages", "", "{:.0f}"),
    ("manager_utilization", "", "{:.0%}"),
    ("labour_cost", "", "{:,.0f}"),
)
CHANGES_SHOWN = 2  # the room's latest changes kept in view under each policy's network
# Rows where the lowest final value is the best one, highlighted once every run has ended.
LOWER_IS_BETTER = frozenset(
    {"lead_time_days", "decision_wait_hours", "rework_hours", "labour_cost"}
)


def lead_time_text(frame: Frame) -> str:
    """The lead time only once it is known: the finish day, a lower bound at the horizon,
    nothing while the run goes on (the time elapsed is not a lead time)."""
    if frame.finished:
        return f"{frame.kpis['lead_time_days']:.1f}"
    if not frame.running:
        return f"> {frame.kpis['lead_time_days']:.1f}"
    return "–"


def kpi_table_html(frames: list[Frame]) -> str:
    """The KPI table, one column per policy; says whether the figures are final and, when
    they are, marks the best value of each row where lower is better."""
    final = all(not f.running for f in frames)
    names = [g.policy for g in frames]
    head = "".join(
        f'<th style="color:{policy_colour(f.policy, names)}">{escape(policy_name(f.policy))}</th>'
        for f in frames
    )
    body = []
    for key, short, fmt in TABLE_ROWS:
        values = [f.kpis.get(key) for f in frames]
        cells = []
        for f, value in zip(frames, values, strict=True):
            if key == "lead_time_days":
                cells.append(lead_time_text(f))
            else:
                cells.append("–" if value is None else fmt.format(value))
        best = None
        if final and key in LOWER_IS_BETTER and all(f.finished for f in frames):
            known = [v for v in values if v is not None]
            best = min(known) if known else None
        row = "".join(
            f'<td class="best">{c}</td>' if best is not None and v == best else f"<td>{c}</td>"
            for c, v in zip(cells, values, strict=True)
        )
        name = label(key) + (f" ({short})" if short else "")
        body.append(f"<tr><td>{escape(name)}</td>{row}</tr>")
    caption = "Final KPIs" if final else "KPIs so far (final when every run has ended)"
    return (
        f'<div class="feed-title">{caption}</div><table><thead><tr><th></th>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def bars_html(frame: Frame, widths: dict[str, float], colour: str) -> str:
    """The policy's decision-wait and rework hours so far, as bars on the page's scale."""
    rows = []
    for key, name in BARS:
        hours = float(frame.kpis.get(key) or 0.0)
        rows.append(
            f'<div class="cost-bar"><span class="cost-label">{escape(name)}</span>'
            f'<span class="cost-track"><span class="cost-fill" style="width:'
            f'{100 * widths[key]:.0f}%;background:{colour}"></span></span>'
            f'<span class="cost-value">{hours:.0f} h</span></div>'
        )
    return "".join(rows)


@solara.component
def PolicyColumn(frame: Frame, layout, colour: str, standing: Standing, widths: dict[str, float]):
    """One policy's run: its name and standing, its network, its figures and cost bars."""
    now = frame.now
    with solara.Column(classes=["policy-column"], gap="0px"):
        solara.HTML(
            tag="div",
            unsafe_innerHTML=(
                f'<span class="policy-title" style="color:{colour}">'
                f"{escape(policy_name(frame.policy))}</span>"
                f'<span class="standing{" standing-ahead" if standing.ahead else ""}">'
                f"{escape(standing.headline)}"
                + (
                    f' <span class="standing-gap">{escape(standing.gap)}</span>'
                    if standing.gap
                    else ""
                )
                + "</span>"
            ),
            classes=["policy-head"],
        )
        Network(frame, layout)
        solara.Text(
            f"tasks {now['tasks_done']}/{frame.tasks_total} · problems open {now['open_problems']}"
            f" · in-trays {now['manager_queue']}",
            classes=["policy-stats"],
        )
        PinnedChanges(frame, CHANGES_SHOWN)
        solara.HTML(
            tag="div", unsafe_innerHTML=bars_html(frame, widths, colour), classes=["cost-bars"]
        )


CANCELLED = "Typical run cancelled: the settings changed before it ended. Press it again."


@solara.component
def TypicalRunButton(on_found: Callable[[TypicalRun], bool]):
    """Runs the paired replications in the background on the settings in force, with
    progress; ends with a headline (`on_found` accepts it) or a line saying why not.

    The computation depends on the settings: a new scenario, knob, policy or seed cancels
    it (and a result that still arrives for old settings is refused by `on_found`).
    """
    requested = solara.use_reactive(None)  # the TypicalInputs of the last click, while it runs
    # The click (the page's thread) and the threads that compute each read the request and
    # then change it: without one lock over both, a thread that read the old request could
    # drop a click that came in between, and the room would wait for a run never started.
    guard = solara.use_memo(threading.RLock, [])
    # The server keeps a pool warm for typical runs (started once, in the background): a
    # click then costs no pool start (~1.4 s from the forkserver; see KeptPool).
    solara.use_effect(lambda: kept_pool(cpu_count()).warm(), [])
    progress = solara.use_reactive(0.0)
    note = solara.use_reactive("")
    inputs = state.compare_inputs()

    def settle(asked: TypicalInputs, cancel: threading.Event, said: str) -> bool:
        """End the request `asked` with the note `said`, if it is still the one in force
        (not replaced by a click, not cancelled by new settings); True if it was."""
        with guard:
            if cancel.is_set() or requested.value is not asked:
                return False
            requested.set(None)
            progress.set(0.0)
            note.set(said)
            return True

    def work(cancel: threading.Event) -> None:
        with guard:
            asked = requested.value
            if asked is None or cancel.is_set():  # nothing asked, or a newer thread's to do
                return
            if asked != inputs:  # the settings changed after the click
                settle(asked, cancel, CANCELLED)
                return
            progress.set(0.001)

        def advanced(done: int, total: int) -> None:
            if not cancel.is_set():
                progress.set(done / total)

        try:
            found = typical_run(
                asked.setup.scenario,
                asked.policies,
                asked.seed,
                workers=cpu_count(),
                pool=kept_pool(cpu_count()).executor(),
                progress=advanced,
                cancelled=cancel.is_set,
                inputs=asked,
            )
        except Cancelled:
            return  # the thread started for the new settings says so
        except Exception as exc:  # keep the page alive whatever happens in a run
            settle(asked, cancel, f"The typical run failed: {exc}")
            return
        # Cancelled as it ended (new settings, a new click, the page closed): the thread
        # started since has said so, and may already run a new request: touch nothing.
        with guard:
            if settle(asked, cancel, "") and not on_found(found):
                note.set(CANCELLED)

    def click() -> None:
        with guard:
            note.set("")
            progress.set(0.0)
            requested.set(inputs)

    solara.use_thread(work, [requested.value, inputs], intrusive_cancel=False)
    # Settings changed while it computes: say so at once. (Solara starts the thread for the
    # new settings only once the old one has stopped, at the end of the run in hand.)
    stale = requested.value is not None and requested.value != inputs
    busy = requested.value is not None and not stale
    label = (
        f"Typical run ({REPLICATIONS} seeds)"
        if not busy
        else f"Running… {max(progress.value, 0.0):.0%}"
    )
    solara.Button(
        label,
        icon_name="mdi-dice-multiple",
        color="secondary",
        disabled=busy,
        on_click=click,
        classes=["typical-button"],
    )
    if note.value or stale:
        solara.Text(note.value or CANCELLED, classes=["typical-note"])


@solara.component
def Page():
    """The Compare page."""
    solara.Title("orgsim · Compare")
    lockstep = state.comparison()
    frames_drawn = solara.use_reactive(0)
    playing = solara.use_reactive(False)
    speed = solara.use_reactive(DEFAULT_SPEED)
    knobs_open = solara.use_reactive(False)
    _ = frames_drawn.value

    def redraw() -> None:
        frames_drawn.set(frames_drawn.value + 1)

    use_player(lockstep, playing, SPEEDS[speed.value], lockstep.scenario.time.hours_per_day, redraw)

    def reset() -> None:
        playing.set(False)
        state.new_comparison()

    def step() -> None:
        lockstep.step()
        redraw()

    def play_or_pause() -> None:  # the space bar
        if playing.value or lockstep.running:
            playing.set(not playing.value)

    def step_if_paused() -> None:  # the → key
        if not playing.value and lockstep.running:
            step()

    def changed() -> None:
        # Runs not yet started follow their settings at once; started ones act on a live
        # knob (state.set_knobs) and wait for Reset for the rest.
        current = state.compare_runs.value
        if (current is None or not current.started) and not playing.value:
            state.new_comparison()
        redraw()

    def choose_policies(policies: list[str]) -> None:
        if len(policies) >= 2:  # fewer than two is no comparison: keep the last valid choice
            state.compare_policies.set(list(policies)[:3])
            changed()

    def found(result: TypicalRun) -> bool:
        if result.inputs == state.compare_inputs():
            playing.set(False)  # the comparison restarts on the typical seed
        return state.accept_typical(result)

    chosen = state.current_setup()
    frames = lockstep.frames()
    stale = state.comparison_is_stale()
    names = [f.policy for f in frames]
    latest = max(frames, key=lambda f: f.day)
    typical = state.typical_for(state.typical.value)
    font = PRESENTING_FONT if state.presenting.value else FONT
    KeyListener(play_or_pause, step_if_paused)

    with solara.Column(classes=["page"], gap="4px"):
        with solara.Row(classes=["compare-bar"], gap="10px"):
            with solara.Column(style={"width": "200px", "flex": "none"}, gap="0px"):
                ScenarioPicker(reset)
            NamedSelect(
                "Policies (2 or 3)",
                value=state.compare_policies.value,
                items=[(p, policy_name(p)) for p in chosen.policies],
                on_value=choose_policies,
                multiple=True,
                classes=["policy-select"],
                style={"width": "340px", "flex": "none"},
            )
            solara.InputInt(
                "Seed",
                value=state.seed_of(state.compare_seed.value, chosen),
                on_value=lambda s: (state.compare_seed.set(abs(int(s))), changed()),
                dense=True,
                style={"width": "80px", "flex": "none"},
            )
            solara.Button(
                "Knobs",
                icon_name="mdi-tune",
                outlined=not knobs_open.value,
                color="primary" if knobs_open.value else None,
                on_click=lambda: knobs_open.set(not knobs_open.value),
                classes=["knobs-button"],
            )
            TypicalRunButton(found)
            CompareShocks(lockstep, redraw)
        PlayBar(
            playing,
            speed,
            on_step=step,
            on_reset=reset,
            day=day_text(latest.day, max(f.critical_path_days for f in frames)),
            status=status_text(
                lockstep.running, all(f.finished for f in frames), latest.day, playing.value
            ),
            done=not lockstep.running,
            reset_wanted=stale,
        )
        if typical is not None:
            solara.Text(typical.headline(), classes=["page-headline", "typical-headline"])
        elif stale:
            solara.Text("New settings apply on Reset.", classes=["page-headline", "stale"])
        with solara.Row(classes=["compare-columns"], gap="6px"):
            if knobs_open.value:
                # The same sliders as Simulate's set-up tab, for the same shared set-up.
                with solara.Column(classes=["side-panel", "compare-knobs"], gap="2px"):
                    KnobSliders(changed)
            for run, frame, standing, widths in zip(
                lockstep.runs, frames, standings(frames), bar_widths(frames), strict=True
            ):
                PolicyColumn(
                    frame, run.layout, policy_colour(frame.policy, names), standing, widths
                )
        Legend(compact=True)
        with solara.Row(classes=["compare-bottom"], gap="8px"):
            Chart(overlay_option(frames, font), "overlay")
            solara.HTML(
                tag="div",
                unsafe_innerHTML=kpi_table_html(frames),
                classes=["data-table", "kpi-table"],
            )
