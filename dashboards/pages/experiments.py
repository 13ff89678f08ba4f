"""Experiments: a results folder of `orgsim sweep`, by policy and against a swept parameter."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from pathlib import Path

import pandas as pd
import solara

from dashboards import state
from dashboards.result_charts import distribution_figure, parameter_figure, png_bytes
from dashboards.results import (
    FolderRefused,
    by_parameter,
    downloadable_files,
    kpi_columns,
    list_folders,
    load_runs,
    policy_table,
    read_manifest,
    resolve_folder,
    runs_csv,
    swept_parameters,
)
from experiments.runs_table import successful


@dataclass(frozen=True, eq=False)  # identity: memoised drawings follow the folder read
class FolderData:
    """A results folder as read once: runs, manifest, and what can be shown of them."""

    path: Path
    runs: pd.DataFrame
    manifest: dict
    kpis: list[str]
    parameters: list[str]
    files: list[Path]


def read_folder(path: Path) -> FolderData:
    """Read everything the page needs from a results folder."""
    runs = load_runs(path)
    manifest = read_manifest(path)
    return FolderData(
        path,
        runs,
        manifest,
        kpi_columns(runs),
        swept_parameters(runs, manifest),
        downloadable_files(path),
    )


def table_html(frame: pd.DataFrame, formats: dict[str, str]) -> str:
    """A compact HTML table (numbers formatted, names escaped)."""
    if frame.empty:
        return "<p>No completed runs.</p>"
    head = "".join(f"<th>{escape(str(c).replace('_', ' '))}</th>" for c in frame.columns)
    rows = []
    for _, row in frame.iterrows():
        cells = []
        for column in frame.columns:
            value = row[column]
            fmt = formats.get(column)
            if fmt is not None and isinstance(value, int | float) and pd.notna(value):
                cells.append(fmt.format(value))
            else:
                cells.append(escape(str(value)))
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


NUMBER_FORMATS = {
    "finished": "{:.0%}",
    "mean": "{:.2f}",
    "ci_low": "{:.2f}",
    "ci_high": "{:.2f}",
    "p50": "{:.2f}",
    "p90": "{:.2f}",
}


@solara.component
def Notice(text: str):
    """A plain message in place of the page's content."""
    solara.Markdown(text, style={"font-size": "15px", "max-width": "760px"})


@solara.component
def Downloads(data: FolderData, kpi: str, parameter: str | None, figures: dict[str, bytes]):
    """Buttons for the folder's CSV, HTML and PNG files, all runs as CSV, and the figures."""
    folder = data.path
    with solara.Row(classes=["downloads"], gap="2px", style={"align-items": "center"}):
        solara.Text("Download:", classes=["bar-label"])
        solara.FileDownload(
            lambda: runs_csv(data.runs),
            filename=f"{folder.name}-runs.csv",
            children=[_download_button("runs.csv", "mdi-table")],
        )
        for path in data.files:
            solara.FileDownload(
                lambda path=path: path.read_bytes(),
                filename=path.name,
                children=[_download_button(path.name, "mdi-file-download-outline")],
            )
        for name, content in figures.items():
            solara.FileDownload(
                content, filename=name, children=[_download_button(name, "mdi-image")]
            )


def _download_button(label: str, icon: str):
    return solara.Button(label, icon_name=icon, text=True, small=True, classes=["download"])


@solara.component
def Page():
    """The Experiments page."""
    solara.Title("orgsim · Experiments")
    root = state.results_root()
    if root is None:
        Notice(
            "**No results folder was given.** Start the dashboard with "
            "`orgsim dashboard --results DIR`, where DIR holds the folders written by "
            "`orgsim sweep FILE --out DIR/NAME`."
        )
    else:
        FolderBrowser(root)


@solara.component
def FolderBrowser(root: Path):
    """The results folders under the root, or how to make one."""
    refreshed = solara.use_reactive(0)
    folders = solara.use_memo(lambda: list_folders(root), [str(root), refreshed.value])

    def refresh() -> None:
        refreshed.set(refreshed.value + 1)

    if folders:
        ResultsView(root, folders, refreshed.value, refresh)
    else:
        Notice(
            f"**No results under `{root}` yet.** Run `orgsim sweep FILE --out {root}/NAME`, "
            "then press Refresh."
        )
        solara.Button("Refresh", on_click=refresh)


@solara.component
def ResultsView(root: Path, folders: list[str], version: int, refresh):
    """One results folder: pickers, figures, tables, downloads."""
    name = state.results_folder.value if state.results_folder.value in folders else folders[0]

    def open_folder():
        try:
            return read_folder(resolve_folder(root, name)), ""
        except FolderRefused as exc:
            return None, str(exc)
        except Exception as exc:  # a damaged Parquet file must not break the page
            return None, f"'{name}' could not be read ({type(exc).__name__}: {exc})"

    data, problem = solara.use_memo(open_folder, [name, version])
    kpis = data.kpis if data is not None else []
    kpi = state.results_kpi.value if state.results_kpi.value in kpis else (kpis[0] if kpis else "")
    parameters = data.parameters if data is not None else []
    parameter = (
        state.results_parameter.value
        if state.results_parameter.value in parameters
        else (parameters[0] if parameters else None)
    )

    def draw():
        if data is None or not kpi:
            return {}, pd.DataFrame(), pd.DataFrame()
        figures = {f"{kpi}-by-policy.png": png_bytes(distribution_figure(data.runs, kpi))}
        by_value = by_parameter(data.runs, kpi, parameter) if parameter else pd.DataFrame()
        if parameter:
            figures[f"{kpi}-vs-{parameter}.png"] = png_bytes(
                parameter_figure(by_value, kpi, parameter)
            )
        return figures, policy_table(data.runs, kpi), by_value

    figures, policies, by_value = solara.use_memo(draw, [data, kpi, parameter])

    with solara.Column(classes=["page"], gap="4px"):
        with solara.Row(classes=["compare-bar"], gap="10px"):
            solara.Select(
                "Results folder",
                values=folders,
                value=name,
                on_value=state.results_folder.set,
                dense=True,
                style={"width": "260px", "flex": "none"},
            )
            solara.Select(
                "KPI",
                values=kpis,
                value=kpi or None,
                on_value=state.results_kpi.set,
                dense=True,
                style={"width": "240px", "flex": "none"},
            )
            solara.Select(
                "Swept parameter",
                values=parameters,
                value=parameter,
                on_value=state.results_parameter.set,
                dense=True,
                disabled=not parameters,
                style={"width": "300px", "flex": "none"},
            )
            solara.Button("Refresh", icon_name="mdi-refresh", text=True, on_click=refresh)
        if data is None:
            solara.Error(problem)
            return
        good = successful(data.runs)
        failed = len(data.runs) - len(good)
        title = (
            data.manifest.get("experiment", {})
            if isinstance(data.manifest.get("experiment"), dict)
            else {}
        )
        label = title.get("name") or data.manifest.get("name") or data.path.name
        swept = ", ".join(parameters) if parameters else "none (one cell)"
        solara.Text(
            f"{label}: {len(data.runs)} runs ({failed} failed), "
            f"policies: {', '.join(map(str, dict.fromkeys(good.get('policy', []))))}; swept: {swept}",
            classes=["page-headline", "results-headline"],
        )
        with solara.Row(classes=["figures"], gap="8px"):
            for content in figures.values():
                with solara.Column(style={"flex": "1", "min-width": "0"}):
                    solara.Image(content, classes=["result-figure"])
        with solara.Row(
            style={"flex": "1 1 auto", "min-height": "0", "flex-wrap": "nowrap"}, gap="8px"
        ):
            solara.HTML(
                tag="div",
                unsafe_innerHTML=table_html(policies, NUMBER_FORMATS),
                classes=["data-table", "policy-table"],
                style={"flex": "1"},
            )
            if parameter:
                solara.HTML(
                    tag="div",
                    unsafe_innerHTML=table_html(by_value, NUMBER_FORMATS),
                    classes=["data-table", "parameter-table"],
                    style={"flex": "1"},
                )
        Downloads(data, kpi, parameter, figures)
