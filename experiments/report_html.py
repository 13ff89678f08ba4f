"""The HTML of the reports: a page's sections and tables, and numbers as readers see them.

Shared by the report of a sweep (experiments.report) and of a comparison
(experiments.compare_report). Cells are escaped here once; tables take escaped cells.
"""

from __future__ import annotations

import base64
import html
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from experiments.atomic import write_bytes
from experiments.display import number

if TYPE_CHECKING:
    import pandas as pd


CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.7em;margin-bottom:.2em}h2{margin-top:2em;border-bottom:2px solid #0072B2;padding-bottom:.2em}
.headline{font-size:1.25em;background:#eef5fb;border-left:5px solid #0072B2;padding:.7em 1em}
.warn{background:#fff4e5;border-left:5px solid #E69F00;padding:.5em 1em}
.intro{color:#444}table{border-collapse:collapse;margin:1em 0;font-size:.9em}
th,td{border-bottom:1px solid #ddd;padding:.3em .7em;text-align:right;vertical-align:top}
th:first-child,td:first-child{text-align:left}th{background:#f4f4f4}
img{max-width:100%;height:auto;display:block;margin:1em 0}pre{background:#f6f6f6;padding:1em;overflow-x:auto;font-size:.85em}
table.facts td{text-align:left}.scroll{overflow-x:auto}
"""


def section(title: str, intro: str, body: str) -> str:
    """A section: its title, an intro paragraph (HTML) and its body (HTML)."""
    return f'<section><h2>{escape(title)}</h2><p class="intro">{intro}</p>{body}</section>'


def section_intro(title: str, intro: str) -> str:
    """A section's title and intro without a <section> around them."""
    return f'<h2>{escape(title)}</h2><p class="intro">{intro}</p>'


def table(
    columns: list[str], rows: list[list[str]], show_header: bool = True, css: str = ""
) -> str:
    """A table of already-escaped cells under escaped column names."""
    head = (
        "<tr>" + "".join(f"<th>{escape(h)}</th>" for h in columns) + "</tr>" if show_header else ""
    )
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    attribute = f' class="{css}"' if css else ""
    return f'<div class="scroll"><table{attribute}>{head}{body}</table></div>'


def escape(text: Any) -> str:
    """Text made safe for HTML (quotes too)."""
    return html.escape(str(text), quote=True)


def plain(value: Any) -> str:
    """A parameter value as text: – for none, six significant digits for numbers."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, float):
        return f"{value:.6g}"
    return escape(value)


def short_float(value: float) -> str:
    """Three significant digits, n/a for NaN."""
    return "n/a" if math.isnan(value) else f"{value:.3g}"


def stat_row(frame: pd.DataFrame, policy: str, kpi: str) -> Any:
    """The row of a summary for one policy and KPI (None without one)."""
    row = frame.loc[(frame["policy"] == policy) & (frame["kpi"] == kpi)]
    return None if row.empty else row.iloc[0]


def kpi_number(kpi: str, value: Any) -> str:
    """A KPI value as readers see it (experiments.display.number), escaped."""
    return escape(
        number(
            kpi,
            None
            if value is None or (isinstance(value, float) and math.isnan(value))
            else float(value),
        )
    )


def mean_text(stat: Any, kpi: str) -> str:
    """A summary row's mean, with ≥ when it is a lower bound (runs hit the horizon)."""
    text = kpi_number(kpi, stat["mean"])
    return ("≥ " + text) if bool(stat.get("lower_bound", False)) else text


def interval(stat: Any, kpi: str) -> str:
    """A summary row's 95% interval as "low to high"."""
    return span(kpi, stat["ci_low"], stat["ci_high"])


def span(kpi: str, low: Any, high: Any) -> str:
    """An interval as "low to high" (n/a when it cannot be estimated)."""
    if low is None or high is None or math.isnan(low) or math.isnan(high):
        return "n/a"
    return f"{kpi_number(kpi, low)} to {kpi_number(kpi, high)}"


def signed(kpi: str, value: Any) -> str:
    """A difference with its sign (+ for positive)."""
    text = kpi_number(kpi, value)
    return f"+{text}" if not math.isnan(value) and value > 0 else text


def percent(value: Any) -> str:
    """A share as a whole percentage (blank for none)."""
    return "" if value is None or math.isnan(value) else f"{100 * value:.0f}%"


def document(title: str, heading: str, description: str, sections: list[str]) -> str:
    """The whole page: title, heading, an already-escaped description, then the sections."""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{escape(title)}</title>'
        f"<style>{CSS}</style></head><body><h1>{escape(heading)}</h1>{description}"
        + "".join(sections)
        + "</body></html>\n"
    )


def save_figure(directory: Path, name: str, figure: Any, alt: str) -> tuple[Path, Path, str]:
    """Save the figure as NAME.png (300 dpi) and NAME.svg in `directory`; return both paths
    and its embedded <img> (110 dpi, to keep the page light)."""
    from experiments import figures

    png = directory / f"{name}.png"
    write_bytes(png, figures.png(figure, figures.PRINT_DPI))
    svg = directory / f"{name}.svg"
    write_bytes(svg, figures.svg(figure))
    encoded = base64.b64encode(figures.png(figure)).decode("ascii")
    return png, svg, f'<img alt="{escape(alt)}" src="data:image/png;base64,{encoded}">'
