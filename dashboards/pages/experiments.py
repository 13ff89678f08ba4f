"""Experiments: a results folder of `orgsim sweep`, by policy and against a swept parameter.

Besides each policy's own interval, the page shows each policy minus a chosen baseline
policy, run by run on the same seeds: the mean paired difference and its 95% CI per swept
value, and "wins in k of n". KPIs and parameters are shown by their display names
(experiments.display). Without a results folder, the shipped sample (dashboards.sample)
is shown, labelled as such.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape
from pathlib import Path

import pandas as pd
import solara

from dashboards import state
from dashboards.result_charts import (
    distribution_figure,
    paired_figure,
    parameter_figure,
    png_bytes,
)
from dashboards.results import (
    FolderRefused,
    by_parameter,
    downloadable_files,
    kpi_columns,
    list_folders,
    load_runs,
    paired_by_parameter,
    paired_overall,
    policy_table,
    read_manifest,
    resolve_folder,
    runs_csv,
    swept_parameters,
)
from dashboards.sample import SAMPLE_ROOT, describe_sample, sample_folder
from experiments.display import KPI_TEXT, label, parameter_label, parameter_value, policy_name
from experiments.runs_table import policy_order, successful

# The baseline policy of the paired differences (None: the folder's first policy).
results_baseline = solara.reactive(None)


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


# Column names of the tables as the room reads them (experiments.display names the rest).
COLUMN_TEXT = {
    "ci_low": "95% CI from",
    "ci_high": "95% CI to",
    "p50": "median",
    "p90": "90th percentile",
}


def shown(frame: pd.DataFrame, parameter: str | None = None) -> pd.DataFrame:
    """A table with display names: policies ("self-managed"), the swept parameter's name
    and values (a mechanism's values in words). Formats still follow the original columns,
    so only cells and the parameter's header change here; `table_html` names the rest."""
    frame = frame.copy()
    if "policy" in frame:
        frame["policy"] = [policy_name(str(p)) for p in frame["policy"]]
    if parameter and parameter in frame:
        if not pd.api.types.is_numeric_dtype(frame[parameter]):
            frame[parameter] = [parameter_value(parameter, v) for v in frame[parameter]]
        frame = frame.rename(columns={parameter: parameter_label(parameter)})
    return frame


def table_html(frame: pd.DataFrame, formats: dict[str, str]) -> str:
    """A compact HTML table (numbers formatted, names escaped, headers in words)."""
    if frame.empty:
        return "<p>No completed runs.</p>"
    head = "".join(
        f"<th>{escape(COLUMN_TEXT.get(str(c), str(c).replace('_', ' ')))}</th>"
        for c in frame.columns
    )
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
    "difference": "{:+.2f}",
    "mean": "{:.2f}",
    "ci_low": "{:.2f}",
    "ci_high": "{:.2f}",
    "p50": "{:.2f}",
    "p90": "{:.2f}",
}


def named(keys: list[str], name) -> dict[str, str]:
    """Display name -> key for a select (the key itself where two names would clash)."""
    names: dict[str, str] = {}
    for key in keys:
        shown = name(key)
        names[shown if shown not in names else key] = key
    return names


def slug(text: str) -> str:
    """Words for a file name ("problem rate (per hour)" -> "problem-rate-per-hour")."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _name_of(names: dict[str, str], key: str | None) -> str | None:
    return next((shown for shown, k in names.items() if k == key), None)


def paired_rows(paired: pd.DataFrame, parameter: str) -> pd.DataFrame:
    """The paired differences per swept value as the page shows them: policy, value,
    mean difference, its 95% CI as one "low to high" column, wins in k of n."""
    return pd.DataFrame(
        {
            "policy": [policy_name(str(p)) for p in paired["policy"]],
            parameter_label(parameter): [
                v if pd.api.types.is_number(v) else parameter_value(parameter, v)
                for v in paired[parameter]
            ],
            "difference": paired["mean"],
            "95% CI": [
                f"{low:+.2f} to {high:+.2f}" if pd.notna(low) else "n/a"
                for low, high in zip(paired["ci_low"], paired["ci_high"], strict=True)
            ],
            "wins": [f"{w} of {n}" for w, n in zip(paired["wins"], paired["pairs"], strict=True)],
        }
    )


def overall_sentence(overall: pd.DataFrame, kpi: str, baseline: str) -> str:
    """Each policy minus the baseline over the whole folder, in one sentence."""
    parts = []
    for _, r in overall.iterrows():
        interval = (
            f" (95% CI {r['ci_low']:+.2f} to {r['ci_high']:+.2f})" if pd.notna(r["ci_low"]) else ""
        )
        parts.append(
            f"{policy_name(str(r['policy']))} − {policy_name(baseline)}: "
            f"{r['mean']:+.2f}{interval}, "
            f"lower in {int(r['wins'])} of {int(r['pairs'])} paired runs"
        )
    return (
        f"Paired difference in {label(kpi)}, run by run on the same seeds: "
        + "; ".join(parts)
        + "."
    )


@solara.component
def Notice(text: str):
    """A plain message in place of the page's content."""
    solara.Markdown(text, style={"font-size": "16px", "max-width": "760px"})


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
                children=[_download_button(file_label(path), "mdi-file-download-outline")],
            )
        for name, content in figures.items():
            solara.FileDownload(
                content, filename=name, children=[_download_button(name, "mdi-image")]
            )


def file_label(path: Path) -> str:
    """A file's button text in words: a KPI's figure reads by the KPI's name
    ("lead_time_days.png" -> "lead time.png"); the file keeps its own name on download."""
    stem = label(path.stem) if path.stem in KPI_TEXT else path.stem.replace("_", " ")
    return stem + path.suffix


def _download_button(label: str, icon: str):
    return solara.Button(label, icon_name=icon, text=True, small=True, classes=["download"])


@solara.component
def Page():
    """The Experiments page."""
    solara.Title("orgsim · Experiments")
    root = state.results_root()
    if root is None:
        SampleView()
    else:
        FolderBrowser(root)


@solara.component
def SampleView():
    """The shipped sample results, labelled as a sample with its inputs."""
    folder = sample_folder()
    if not folder.is_dir():
        Notice(
            "**No results folder was given.** Start the dashboard with "
            "`orgsim dashboard --results DIR`, where DIR holds the folders written by "
            "`orgsim sweep FILE --out DIR/NAME`."
        )
        return
    note = describe_sample(read_manifest(folder))
    ResultsView(SAMPLE_ROOT, [folder.name], 0, None, sample=note)


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
        with solara.Column(gap="4px"):
            with solara.Row(gap="10px", style={"align-items": "center"}):
                Notice(
                    f"**No results under `{root}` yet.** Run "
                    f"`orgsim sweep FILE --out {root}/NAME`, then press Refresh. Meanwhile, "
                    "the sample below."
                )
                solara.Button("Refresh", on_click=refresh)
            SampleView()


@solara.component
def ResultsView(root: Path, folders: list[str], version: int, refresh, sample: str = ""):
    """One results folder: pickers, figures, tables, downloads. `sample`: the sentence that
    labels the shipped sample (empty for the user's own results)."""
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

    policies = policy_order(successful(data.runs)) if data is not None and len(data.runs) else []
    baseline = (
        results_baseline.value
        if results_baseline.value in policies
        else (policies[0] if policies else None)
    )

    def draw():
        if data is None or not kpi:
            return {}, pd.DataFrame(), pd.DataFrame(), pd.DataFrame(), pd.DataFrame()
        # File names are shown on the download buttons: words, not column names.
        k, p, b = slug(label(kpi)), slug(parameter_label(parameter or "")), slug(baseline or "")
        figures = {f"{k}-by-policy.png": png_bytes(distribution_figure(data.runs, kpi))}
        by_value = by_parameter(data.runs, kpi, parameter) if parameter else pd.DataFrame()
        overall = paired_overall(data.runs, kpi, baseline) if baseline else pd.DataFrame()
        paired = (
            paired_by_parameter(data.runs, kpi, parameter, baseline)
            if parameter and baseline
            else pd.DataFrame()
        )
        if parameter:
            figures[f"{k}-vs-{p}.png"] = png_bytes(parameter_figure(by_value, kpi, parameter))
        if parameter and len(policies) > 1:
            figures[f"{k}-minus-{b}-vs-{p}.png"] = png_bytes(
                paired_figure(paired, kpi, parameter, baseline, policies)
            )
        return figures, policy_table(data.runs, kpi), by_value, overall, paired

    figures, policy_rows, by_value, overall, paired = solara.use_memo(
        draw, [data, kpi, parameter, baseline]
    )
    kpi_names = named(kpis, label)
    policy_names = named(policies, policy_name)
    parameter_names = named(parameters, parameter_label)

    with solara.Column(classes=["page"], gap="4px"):
        with solara.Row(classes=["compare-bar"], gap="10px"):
            if not sample:  # the sample is one folder: nothing to pick
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
                values=list(kpi_names),
                value=_name_of(kpi_names, kpi),
                on_value=lambda text: state.results_kpi.set(kpi_names[text]),
                dense=True,
                style={"width": "240px", "flex": "none"},
            )
            solara.Select(
                "Swept parameter",
                values=list(parameter_names),
                value=_name_of(parameter_names, parameter),
                on_value=lambda text: state.results_parameter.set(parameter_names[text]),
                dense=True,
                disabled=not parameters,
                style={"width": "260px", "flex": "none"},
            )
            solara.Select(
                "Baseline policy",
                values=list(policy_names),
                value=_name_of(policy_names, baseline),
                on_value=lambda text: results_baseline.set(policy_names[text]),
                dense=True,
                disabled=len(policies) < 2,
                style={"width": "180px", "flex": "none"},
            )
            if not sample:
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
        title_text = title.get("name") or data.manifest.get("name") or data.path.name
        swept = (
            ", ".join(parameter_label(p) for p in parameters) if parameters else "none (one cell)"
        )
        if sample:
            solara.Text(sample, classes=["sample-note"], style={"font-weight": "bold"})
        solara.Text(
            f"{'Sample · ' if sample else ''}{title_text}: {len(data.runs)} runs "
            f"({failed} failed), policies: "
            f"{', '.join(policy_name(str(p)) for p in policy_order(good))}; "
            f"swept: {swept}",
            classes=["page-headline", "results-headline"],
        )
        if len(overall):
            solara.Text(overall_sentence(overall, kpi, baseline), classes=["paired-headline"])
        with solara.Row(classes=["figures"], gap="8px"):
            for content in figures.values():
                with solara.Column(style={"flex": "1", "min-width": "0"}):
                    solara.Image(content, classes=["result-figure"])
        with solara.Row(
            style={"flex": "1 1 auto", "min-height": "0", "flex-wrap": "nowrap"}, gap="8px"
        ):
            solara.HTML(
                tag="div",
                unsafe_innerHTML=table_html(shown(policy_rows), NUMBER_FORMATS),
                classes=["data-table", "policy-table"],
                style={"flex": "1"},
            )
            if parameter:
                solara.HTML(
                    tag="div",
                    unsafe_innerHTML=table_html(shown(by_value, parameter), NUMBER_FORMATS),
                    classes=["data-table", "parameter-table"],
                    style={"flex": "1"},
                )
            if parameter and len(paired):
                solara.HTML(
                    tag="div",
                    unsafe_innerHTML=table_html(paired_rows(paired, parameter), NUMBER_FORMATS),
                    classes=["data-table", "paired-table"],
                    style={"flex": "1"},
                )
        Downloads(data, kpi, parameter, figures)
