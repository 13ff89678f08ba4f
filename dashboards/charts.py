"""Live charts as ECharts options: tasks done against the plan, problems and in-trays, messages.

ECharts draws in the browser from a small option dict, so a frame costs the server a few
list comprehensions rather than a matplotlib render (about 100 ms, too slow for 4 frames
a second). The ECharts build that solara-assets bundles (5.4) is served by the dashboard
itself: nothing is fetched from the internet. Interventions are vertical marks numbered
like the feed's entries (①, ②...), so the room can match a bend in a curve to its cause.
Their numbers, like the plan's and the deadline's names, stand upright above the plot, in
a row of their own under the legend: ECharts turns a label inside a vertical mark on its
side, unreadable from the back of a room.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from dashboards.palette import (
    BLUE,
    INK,
    MUTED,
    POLICY_DASHES,
    REDDISH_PURPLE,
    VERMILLION,
    policy_colour,
)
from dashboards.simulation import Frame
from experiments.display import policy_name

FONT = 16  # every label, legend and axis: the style sheet's smallest size (theme.MIN_FONT_PX)
PRESENTING_FONT = 19  # presentation mode
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_DASH = {"-": "solid", "--": "dashed", ":": "dotted"}


def mark_number(index: int) -> str:
    """①, ②... for the n-th intervention (0-based), then (21), (22)..."""
    return _CIRCLED[index] if index < len(_CIRCLED) else f"({index + 1})"


def day_axis_end(frames: Sequence[Frame]) -> float:
    """Right end of the day axis: past the plan's critical path, growing with the run."""
    longest = max(f.day for f in frames)
    plan = max(f.critical_path_days for f in frames)
    return float(max(math.ceil(plan * 1.3), math.ceil(longest + 0.5), 1))


def _points(frame: Frame, column: str) -> list[list[float]]:
    """A daily series with the moment shown appended, so the line moves every frame."""
    points = [[round(row["day"], 3), row[column]] for row in frame.daily]
    now = frame.now.get(column)
    if now is not None and (not points or points[-1][0] < round(frame.day, 3)):
        points.append([round(frame.day, 3), now])
    return points


def _marks(frame: Frame, font: int = FONT) -> list[dict[str, Any]]:
    """One vertical mark per moment of change; changes made together share it (①②)."""
    moments: dict[float, list[tuple[int, str]]] = {}
    for i, (time, _kind, text) in enumerate(frame.interventions):
        moments.setdefault(round(time / frame.hours_per_day, 3), []).append((i, text))
    return [
        {
            "xAxis": day,
            "name": "; ".join(text for _, text in changes),
            "intervention": len(changes),  # ignored by ECharts; counted by the page's chart facts
            "label": {
                "formatter": "".join(mark_number(i) for i, _ in changes),
                "fontSize": font + 2,
                "color": INK,
                "position": "end",  # above the line's top: ECharts keeps it upright
            },
            "lineStyle": {"color": INK, "type": "solid", "width": 1.5},
        }
        for day, changes in moments.items()
    ]


def _base(title: str, x_end: float, y_name: str = "", font: int = FONT) -> dict[str, Any]:
    line = font + 6  # the height a line of text takes
    return {
        "animation": False,
        "textStyle": {"fontSize": font},
        "title": {
            "text": title,
            "left": 4,
            "top": 0,
            "textStyle": {"fontSize": font, "color": INK, "fontWeight": "bold"},
        },
        "grid": {"left": 2 * font + 14, "right": 14, "top": 2 * line + 6, "bottom": line + 4},
        "legend": {
            "top": line,
            "left": 4,
            "itemWidth": 18,
            "textStyle": {"fontSize": font},
        },
        "tooltip": {"trigger": "axis", "textStyle": {"fontSize": font}},
        "xAxis": {
            "type": "value",
            "min": 0,
            "max": x_end,
            "axisLabel": {"fontSize": font},
        },
        "yAxis": {
            "type": "value",
            "name": y_name,
            "minInterval": 1,
            "axisLabel": {"fontSize": font},
            "nameTextStyle": {"fontSize": font},
            "splitLine": {"lineStyle": {"color": "#e6e6e6"}},
        },
    }


def _with_marks(option: dict[str, Any], series: dict[str, Any], marks: list, font: int) -> None:
    """Vertical marks on `series`, their upright labels in a row of their own above the
    plot (the plot gives up a line of height, only when there is something to mark)."""
    if not marks:
        return
    series["markLine"] = {"symbol": "none", "silent": True, "data": marks}
    option["grid"]["top"] += font + 6


def _line(name: str, data: list, colour: str, dash: str = "solid", width: float = 2.5) -> dict:
    return {
        "name": name,
        "type": "line",
        "data": data,
        "showSymbol": False,
        "lineStyle": {"color": colour, "type": dash, "width": width},
        "itemStyle": {"color": colour},
    }


def progress_option(frame: Frame, x_end: float | None = None, font: int = FONT) -> dict[str, Any]:
    """Tasks done over time, against the plan's critical path (the earliest possible end)."""
    x_end = x_end or day_axis_end([frame])
    option = _base("Tasks done vs the plan", x_end, font=font)
    option["yAxis"]["max"] = frame.tasks_total
    series = _line("tasks done", _points(frame, "tasks_done"), BLUE)
    guides = [
        {
            "xAxis": round(frame.critical_path_days, 2),
            "label": {"formatter": "plan", "fontSize": font},
            "lineStyle": {"color": MUTED, "type": "dashed", "width": 1.5},
        }
    ]
    if frame.deadline_days is not None and frame.deadline_days <= x_end:
        guides.append(
            {
                "xAxis": frame.deadline_days,
                "label": {"formatter": "deadline", "fontSize": font},
                "lineStyle": {"color": VERMILLION, "type": "dotted", "width": 1.5},
            }
        )
    _with_marks(option, series, guides + _marks(frame, font), font)
    option["series"] = [series]
    return option


def problems_option(frame: Frame, x_end: float | None = None, font: int = FONT) -> dict[str, Any]:
    """Open problems and items waiting in managers' in-trays, day by day."""
    x_end = x_end or day_axis_end([frame])
    option = _base("Open problems, in-trays", x_end, font=font)
    problems = _line("open problems", _points(frame, "open_problems"), VERMILLION)
    queues = _line("in-trays", _points(frame, "manager_queue"), BLUE, "dashed")
    _with_marks(option, problems, _marks(frame, font), font)
    option["series"] = [problems, queues]
    return option


def messages_option(frame: Frame, x_end: float | None = None, font: int = FONT) -> dict[str, Any]:
    """Messages sent each working day."""
    x_end = x_end or day_axis_end([frame])
    option = _base("Messages per day", x_end, font=font)
    cumulative = _points(frame, "messages")
    per_day = []
    for (day, total), (_, before) in zip(cumulative[1:], cumulative[:-1], strict=True):
        per_day.append([day, total - before])
    series = _line("messages per day", per_day, REDDISH_PURPLE)
    series["step"] = "end"
    series["areaStyle"] = {"color": REDDISH_PURPLE, "opacity": 0.15}
    option["legend"] = {"show": False}
    option["grid"]["top"] = font + 14
    _with_marks(option, series, _marks(frame, font), font)
    option["series"] = [series]
    return option


def overlay_option(frames: Sequence[Frame], font: int = FONT) -> dict[str, Any]:
    """Tasks done under each policy on one chart (Compare)."""
    x_end = day_axis_end(frames)
    option = _base("Tasks done under each policy (by working day)", x_end, font=font)
    option["yAxis"]["max"] = max(f.tasks_total for f in frames)
    names = [f.policy for f in frames]
    series = []
    for frame in frames:
        line = _line(
            policy_name(frame.policy),
            _points(frame, "tasks_done"),
            policy_colour(frame.policy, names),
            _DASH[POLICY_DASHES.get(frame.policy, "-")],
            3,
        )
        series.append(line)
    plan = {
        "xAxis": round(frames[0].critical_path_days, 2),
        "label": {"formatter": "plan", "fontSize": font},
        "lineStyle": {"color": MUTED, "type": "dashed", "width": 1.5},
    }
    # Shocks and live knobs hit every policy at once: the first run's marks stand for all.
    _with_marks(option, series[0], [plan, *_marks(frames[0], font)], font)
    option["series"] = series
    return option
