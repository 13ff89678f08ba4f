"""`orgsim report DIR`: one self-contained HTML page, PNG figures and CSV tables.

Two small sweeps are run once (a factorial with a mechanism axis, and a Morris screening)
and reported; the page must carry the headline computed from the runs, every section the
issue lists, embedded figures, and no reference to anything outside the file.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from cli.main import main
from experiments.summaries import headline
from experiments.sweep import run_sweep

FACTORIAL = {
    "name": "report-factorial",
    "description": "Small sweep for the report test.",
    "scenario": "workshop",
    "policies": ["hierarchical", "cooperative"],
    "replications": 3,
    "seed": 4,
    "parameters": {
        "project.tasks": 30,
        "project.problem_rate": [0.02, 0.06],
        "policy.autonomy": ["none", "major"],
    },
}
MORRIS = {
    "name": "report-morris",
    "scenario": "workshop",
    "policies": ["hierarchical", "cooperative"],
    "replications": 2,
    "seed": 4,
    "design": "morris",
    "samples": 3,
    "parameters": {
        "project.tasks": 30,
        "project.problem_rate": {"min": 0.01, "max": 0.06},
        "project.interdependence": {"min": 0.0, "max": 0.6},
    },
}
SECTIONS = (
    "What was run",
    "Lead time by policy",
    "Paired differences to hierarchical",
    "Paired difference to hierarchical against each varied parameter",
    "Main effects",
    "Interaction of two parameters",
    "Each measure against each varied parameter",
    "Where the time goes",
    "Where the lead time goes",
    "Where the effort goes",
    "Costs",
    "Sensitivity of the lead time to the parameters",
    "The experiment as written",
    "What the model assumes",
    "Reproducing these results",
)
DATA_URI = re.compile(r"data:image/png;base64,[A-Za-z0-9+/=]+")


@pytest.fixture(scope="module")
def factorial(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("factorial") / "results"
    run_sweep(FACTORIAL, out, workers=1)
    return out


@pytest.fixture(scope="module")
def morris(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("morris") / "results"
    run_sweep(MORRIS, out, workers=1)
    return out


def report(folder: Path, capsys, *extra: str) -> tuple[int, str, str]:
    code = main(["report", str(folder), *extra])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(scope="module")
def page(factorial) -> str:
    assert main(["report", str(factorial)]) == 0
    return (factorial / "report.html").read_text(encoding="utf-8")


def test_the_report_is_one_self_contained_page(page):
    assert page.startswith("<!DOCTYPE html>")
    images = DATA_URI.findall(page)
    assert len(images) >= 6
    text = DATA_URI.sub("", page)
    # Nothing outside the file: no links, scripts, stylesheets, fonts or images to fetch.
    assert "http" not in text.lower()
    assert not re.search(r"""(src|href)\s*=\s*["'](?!data:)""", page)
    assert "<script" not in text and "@import" not in text and "url(" not in text
    for title in SECTIONS:
        assert f"<h2>{title}" in page or f"<h3>{title}" in page, title


def test_the_report_opens_with_the_headline_of_the_numbers(factorial, page):
    import html

    first = re.search(r'<p class="headline">(.*?)</p>', page).group(1)
    assert html.unescape(first) == headline(factorial)
    assert page.index('class="headline"') < page.index("<h2>")


def test_figures_and_tables_are_written_next_to_the_page(factorial, tmp_path, capsys):
    target = tmp_path / "elsewhere" / "sweep.html"
    code, _, _ = report(factorial, capsys, "--out", str(target))
    assert code == 0
    assert target.is_file()
    pngs = sorted(target.parent.glob("*.png"))
    assert {p.name for p in pngs} >= {
        "lead-time.png",
        "lead-time-split.png",
        "effort-split.png",
        "costs.png",
        "gap-parameter-1.png",
        "gap-parameter-2.png",
        "interaction-1.png",
    }
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in pngs)
    # The files are for print: 300 dpi (pHYs: pixels per metre), and each has an SVG twin.
    from PIL import Image

    with Image.open(target.parent / "lead-time.png") as image:
        assert image.info["dpi"][0] == pytest.approx(300, abs=1)
    svgs = {p.stem for p in target.parent.glob("*.svg")}
    assert svgs == {p.stem for p in pngs}
    assert (
        (target.parent / "lead-time.svg").read_text(encoding="utf-8").lstrip().startswith("<?xml")
    )
    summary = pd.read_csv(target.parent / "summary.csv")
    for column in (
        "cell_id",
        "project.problem_rate",
        "policy.autonomy",
        "policy",
        "kpi",
        "mean",
        "sd",
        "ci_low",
        "ci_high",
        "p50",
        "p90",
        "share_finished",
        "p_on_time",
    ):
        assert column in summary.columns
    assert len(summary.loc[summary["kpi"] == "lead_time_days"]) == 4 * 2  # cells × policies
    differences = pd.read_csv(target.parent / "differences.csv")
    assert {"policy", "reference", "pairs", "lower_in"} <= set(differences.columns)
    assert list(differences.columns[:4]) == [
        "cell_id",
        "project.tasks",
        "project.problem_rate",
        "policy.autonomy",
    ]
    # The mechanism axis is categorical: an ANOVA share and per-level effects, per policy.
    indices = pd.read_csv(target.parent / "sensitivity.csv")
    anova = indices.loc[indices["method"] == "anova"]
    assert set(anova["parameter"]) == {"policy.autonomy"}
    assert set(anova["index"]) == {"eta2", "effect"}
    assert set(anova.loc[anova["index"] == "effect", "level"]) == {"none", "major"}
    eta = anova.loc[anova["index"] == "eta2", "value"]
    assert ((eta >= 0) & (eta <= 1)).all()
    page = target.read_text(encoding="utf-8")
    assert "one-way ANOVA" in page and "effect of major" in page


def test_a_morris_sweep_reports_mu_star_and_sigma(morris, capsys):
    code, _, _ = report(morris, capsys)
    assert code == 0
    page = (morris / "report.html").read_text(encoding="utf-8")
    assert "Morris screening" in page
    assert "mu_star" in page and "sigma" in page
    assert "of the variance between cells, net of the shared seed effect" in page
    # Three trajectories cannot rank the factors: the page says so and names a size.
    assert "Sanity check: " in page and "samples: " in page
    indices = pd.read_csv(morris / "sensitivity.csv")
    assert {"noise_share", "noise_ci_low", "noise_ci_high"} <= set(indices.columns)
    finite = indices.dropna(subset=["noise_share"])
    assert (finite["noise_ci_low"] <= finite["noise_share"]).all()
    assert (finite["noise_share"] <= finite["noise_ci_high"]).all()
    assert set(indices["index"]) == {"mu_star", "sigma"}
    assert set(indices["parameter"]) == {"project.problem_rate", "project.interdependence"}


def test_an_incomplete_sweep_says_so(factorial, tmp_path, capsys):
    copy = tmp_path / "copy"
    shutil.copytree(factorial, copy, ignore=shutil.ignore_patterns(".lock"))
    parts = sorted((copy / "runs").glob("part-*.parquet"))
    assert len(parts) >= 2  # part 0 (schema) and the runs
    parts[-1].unlink()
    code, _, _ = report(copy, capsys)
    assert code == 0
    page = (copy / "report.html").read_text(encoding="utf-8")
    assert "This sweep is incomplete" in page


def test_a_folder_without_results_is_bad_input(tmp_path, capsys):
    code, out, err = report(tmp_path, capsys)
    assert code == 2
    assert out == ""
    assert (
        err.strip() == f"error: {tmp_path}: not a results folder of orgsim sweep (no readable "
        "manifest.json) or of orgsim compare --out (no runs.csv)"
    )


def test_the_stated_assumptions_are_the_models():
    from experiments.report import ASSUMPTIONS

    model = Path(__file__).parents[2] / "docs" / "model.md"
    if not model.is_file():
        pytest.skip("docs/model.md is not in this checkout")
    text = model.read_text(encoding="utf-8")
    section = text[text.index("## 7. Stated assumptions") :]
    section = section[: section.index("\n## ", 5)]
    for opening, _ in ASSUMPTIONS:
        assert f"**{opening}" in section, opening


def test_a_markdown_summary_for_generated_documents(factorial):
    from experiments.tables import markdown_summary

    text = markdown_summary(factorial, command="orgsim sweep report-factorial.yaml")
    lines = text.splitlines()
    assert lines[0] == headline(factorial)
    assert lines[2].startswith(
        "| project.problem_rate | policy.autonomy | hierarchical (working days)"
    )
    assert len([row for row in lines if row.startswith("| 0.0")]) == 4  # one row per cell
    assert lines[-1] == "Regenerate with `orgsim sweep report-factorial.yaml`."


def test_the_cell_table_shows_paired_differences_with_intervals(factorial, page):
    import html

    from experiments.statistics import paired_differences

    text = html.unescape(page)
    assert "cannot separate them" not in text  # per-policy bands are not the comparison
    section = text[text.index("<h2>Lead time in each cell") :]
    section = section[: section.index("</section>")]
    assert "cooperative − hierarchical: paired difference (95% CI), wins" in section
    lead = paired_differences(factorial, kpis=["lead_time_days"])
    assert len(lead) == 4  # one row per cell
    for _, r in lead.iterrows():
        # Each cell's row carries its paired interval and its wins, as computed.
        assert f"to {r['ci_high']:.1f}), wins in {int(r['lower_in'])} of {int(r['pairs'])}" in (
            section
        ), r.to_dict()


def test_the_interaction_section_shows_the_contrast_of_the_runs(factorial, page):
    import html

    from experiments.statistics import interaction_contrast

    contrasts = pd.read_csv(factorial / "interactions.csv")
    assert len(contrasts) == 1  # two crossed factors, one policy besides the reference
    row = contrasts.iloc[0]
    assert (row["first"], row["second"]) == ("project.problem_rate", "policy.autonomy")
    expected = interaction_contrast(
        factorial,
        "project.problem_rate",
        "policy.autonomy",
        "cooperative",
        levels=((0.02, 0.06), ("none", "major")),
    )
    assert row["mean"] == pytest.approx(expected.mean)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((expected.ci_low, expected.ci_high))
    text = html.unescape(page)
    section = text[text.index("<h2>Interaction of two parameters") :]
    section = section[: section.index("</section>")]
    assert f"{expected.mean:+.1f} working days</strong> (95% CI {expected.ci_low:.1f} to" in (
        section.replace("+-", "-")
    )
    effects = pd.read_csv(factorial / "main-effects.csv")
    assert set(effects["measure"]) == {"kpi", "gap"}
    assert set(effects.loc[effects["measure"] == "gap", "policy"]) == {"cooperative"}
