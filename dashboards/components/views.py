"""What a run looks like on screen: the network, its legend, KPI cards, the feed, charts."""

from __future__ import annotations

from html import escape

import solara

from dashboards.charts import mark_number
from dashboards.org_drawing import legend_html, org_svg
from dashboards.org_layout import OrgLayout
from dashboards.simulation import Frame
from experiments.display import policy_name


@solara.component
def Network(frame: Frame, layout: OrgLayout, height: str = "100%"):
    """The organisation, drawn afresh each frame (states, in-trays, lit contacts)."""
    label = f"{frame.scenario} under {policy_name(frame.policy)}, day {frame.day:.1f}"
    solara.HTML(
        tag="div",
        unsafe_innerHTML=org_svg(frame, layout, label),
        classes=["network"],
        style={"height": height, "width": "100%"},
    )


@solara.component
def Legend(compact: bool = False):
    """What the colours, shapes and lit edges of the network mean."""
    solara.HTML(tag="div", unsafe_innerHTML=legend_html(compact), classes=["legend"])


def _percent(value) -> str:
    return "–" if value is None else f"{100 * value:.0f}%"


def kpi_cards(frame: Frame) -> list[tuple[str, str, str]]:
    """(label, value, explanation) of each card, from a frame."""
    k, now = frame.kpis, frame.now
    return [
        ("Tasks done", f"{now['tasks_done']}/{frame.tasks_total}", "tasks finished so far"),
        ("Open problems", f"{now['open_problems']}", "problems raised and not yet settled"),
        (
            "Manager in-trays",
            f"{now['manager_queue']}",
            f"items waiting at managers (most at one: {now['max_manager_queue']})",
        ),
        ("Messages", f"{now['messages']}", "messages sent between people"),
        (
            "Decision wait",
            f"{k['decision_wait_hours']:.0f} h",
            "hours people's problems waited for a decision",
        ),
        ("Managers busy", _percent(k["manager_utilization"]), "share of managers' time in use"),
    ]


@solara.component
def KpiCards(frame: Frame, columns: int = 2):
    """The run's key figures, large enough to read from the back of the room."""
    cells = "".join(
        f'<div class="kpi" data-tip="{escape(tip)}"><div class="kpi-label">{escape(label)}</div>'
        f'<div class="kpi-value">{escape(value)}</div></div>'
        for label, value, tip in kpi_cards(frame)
    )
    solara.HTML(
        tag="div",
        unsafe_innerHTML=cells,
        classes=["kpi-grid"],
        style={"grid-template-columns": f"repeat({columns}, minmax(0, 1fr))"},
    )


def feed_entries(frame: Frame) -> list[tuple[str, str, str, bool]]:
    """(day, mark, text, is_intervention) for the feed, newest first."""
    numbers = {(t, text): i for i, (t, _k, text) in enumerate(frame.interventions)}
    entries = []
    for time, kind, text in frame.feed:
        index = (
            numbers.get((time, text)) if kind == "intervention" or (time, text) in numbers else None
        )
        mark = mark_number(index) if index is not None else ""
        entries.append((f"day {time / frame.hours_per_day:.1f}", mark, text, index is not None))
    return entries


PINNED_SHOWN = 3  # the room's latest changes kept in view above the feed


def feed_groups(
    entries: list[tuple[str, str, str, bool]],
) -> list[tuple[str, str, str, bool, int]]:
    """Entries with runs of the same line merged: (day of the newest, mark, text, change,
    how many). A meeting held every day, a rework repeated, reads as one line "×4"."""
    groups: list[tuple[str, str, str, bool, int]] = []
    for day, mark, text, change in entries:
        if groups and not change and not groups[-1][3] and groups[-1][2] == text:
            newest, _mark, _text, _change, count = groups[-1]
            groups[-1] = (newest, "", text, False, count + 1)
        else:
            groups.append((day, mark, text, change, 1))
    return groups


def _feed_row(day: str, mark: str, text: str, change: bool, count: int, kind: str = "") -> str:
    times = f' <span class="feed-count">×{count}</span>' if count > 1 else ""
    kind = kind or (" feed-change" if change else "")
    # A pinned line is cut to one line: the page's tooltip (data-tip) gives all of it. The
    # feed's own lines wrap and show everything.
    tip = f' data-tip="{escape(text)}"' if kind == " feed-pin" else ""
    return (
        f'<div class="feed-entry{kind}"{tip}>'
        f'<span class="feed-day">{escape(day)}</span> '
        f"{f'<b>{mark}</b> ' if mark else ''}{escape(text)}{times}</div>"
    )


@solara.component
def Feed(frame: Frame):
    """Notable events in plain words, newest first, repeats merged; the room's own changes
    stand out, and the latest of them stay pinned above the feed as it scrolls on."""
    entries = feed_entries(frame)
    rows = "".join(_feed_row(*g) for g in feed_groups(entries))
    if not rows:
        rows = '<div class="feed-entry feed-empty">Notable events will appear here.</div>'
    # One box holding both, so that the feed's height comes from the page's column.
    with solara.Column(classes=["feed-box"], gap="3px"):
        PinnedChanges(frame)
        solara.HTML(tag="div", unsafe_innerHTML=rows, classes=["feed"])


@solara.component
def PinnedChanges(frame: Frame, shown: int = PINNED_SHOWN):
    """The room's latest changes to the run (interventions, shocks, live knobs), numbered
    like the charts' marks, newest first; nothing before the first. Simulate pins them
    above its feed; Compare shows each policy's under its network."""
    pinned = [e for e in feed_entries(frame) if e[3]][:shown]
    if pinned:
        solara.HTML(
            tag="div",
            unsafe_innerHTML="".join(_feed_row(*e, 1, " feed-pin") for e in pinned),
            classes=["feed-pinned"],
        )


def chart_facts(option: dict) -> dict[str, str]:
    """What a chart shows, as data attributes: tests and screen readers can check them."""
    series = option.get("series") or [{}]
    data = series[0].get("data") or []
    marks = sum(
        int(mark.get("intervention", 0))
        for s in series
        for mark in (s.get("markLine") or {}).get("data", [])
    )
    return {
        "data-points": str(len(data)),
        "data-last-day": f"{data[-1][0]:.3f}" if data else "0",
        "data-marks": str(marks),
    }


@solara.component
def Chart(option: dict, name: str = "", height: str = "100%"):
    """An ECharts chart (rendered in the browser from the bundled ECharts)."""
    solara.FigureEcharts(
        option=option,
        attributes={
            "style": f"height: {height}; width: 100%",
            "class": "chart",
            "data-chart": name,
            **chart_facts(option),
        },
        responsive=True,
    )
