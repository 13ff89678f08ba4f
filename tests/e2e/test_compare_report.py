"""`orgsim report DIR` on a folder of `orgsim compare --out`.

The folder is made by the real command; the page must carry the headline over every
policy, each policy's KPIs with their intervals, the paired differences as computed, and,
when the folder holds them, the diagnosis and the decomposition (JSON written by hand
here, in the documented shape, with extra keys that must be tolerated).
"""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from cli.main import main
from experiments.statistics import paired_differences
from experiments.summaries import headline

DECOMPOSITION = {
    "decomposition": {
        "from": "hierarchical",
        "to": "cooperative",
        "total": {"mean": -3.2, "ci_low": -4.0, "ci_high": -2.4},
        "contributions": {
            "problem_solving": {"mean": -2.5, "ci_low": -3.1, "ci_high": -1.9},
            "coordination": {"mean": -0.4, "ci_low": -0.9, "ci_high": 0.1, "pairs": 4},
            "authority": {"mean": -0.3, "ci_low": None, "ci_high": None},
        },
        "method": "one mechanism at a time",
    },
    "version": 1,
}
DIAGNOSIS = {
    "bottleneck": {
        "role": "manager",
        "department": "legal",
        "person": "legal-manager",
        "wait_kind": "decision",
        "cp_share": 0.42,
        "extra": "tolerated",
    },
    "departments": [{"department": "legal", "cp_wait_days": 5.5}],
    "managers": [{"person": "legal-manager", "utilisation": 0.93}],
    "critical_path": [{"task": 3, "wait_kind": "decision", "days": 2.0}],
    "remedies": [
        {
            "remedy": "add a manager in legal",
            "change": "organisation.departments[legal].managers=2",
            "lead_time_gain_days": {"mean": 2.7, "ci_low": 1.9, "ci_high": 3.5},
            "cost_change": 1200.0,
            "wins": "4 of 4",
        }
    ],
    "scenario": "workshop",
}


DOCS = Path(__file__).parents[2] / "docs" / "experiments.md"


def documented_commands() -> list[list[str]]:
    """The commands of docs/experiments.md's "A comparison's report" block."""
    text = DOCS.read_text(encoding="utf-8")
    block = text[text.index("### A comparison's report") :]
    block = block[block.index("```\n") + 4 :]
    block = block[: block.index("```")]
    return [line.split()[1:] for line in block.splitlines() if line.startswith("orgsim ")]


@pytest.fixture(scope="module")
def documented(tmp_path_factory) -> Path:
    """The folder the documented commands make, with its report (run as documented)."""
    commands = documented_commands()
    assert [c[0] for c in commands] == ["compare", "report"]
    cwd = tmp_path_factory.mktemp("docs")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(cwd)
        for command in commands:
            extra = ["--workers", "1"] if command[0] == "compare" else []
            assert main([*command, *extra]) == 0, command
    return cwd / commands[1][1]


@pytest.fixture(scope="module")
def comparison(documented, tmp_path_factory) -> Path:
    """A clean copy of the compare folder (without the report)."""
    target = tmp_path_factory.mktemp("clean") / "launch"
    shutil.copytree(
        documented, target, ignore=shutil.ignore_patterns("report.html", "*.png", "*.svg")
    )
    return target


@pytest.fixture(scope="module")
def enriched(comparison, tmp_path_factory) -> Path:
    """The compare folder with a diagnosis, a decomposition, a currency and finish dates."""
    folder = tmp_path_factory.mktemp("enriched") / "launch"
    shutil.copytree(comparison, folder)
    (folder / "decomposition.json").write_text(json.dumps(DECOMPOSITION))
    (folder / "diagnosis.json").write_text(json.dumps(DIAGNOSIS))
    runs = pd.read_csv(folder / "runs.csv")
    runs["currency"] = "EUR"
    days = {r: f"2026-03-{2 + (r * 7) % 10:02d}" for r in runs["replicate"].unique()}
    runs["finish_date"] = runs["replicate"].map(days)
    runs.to_csv(folder / "runs.csv", index=False)
    assert main(["report", str(folder)]) == 0
    return folder


def copy_of(folder: Path, tmp_path: Path) -> Path:
    target = tmp_path / "copy"
    shutil.copytree(folder, target)
    return target


def page_text(folder: Path) -> str:
    page = (folder / "report.html").read_text(encoding="utf-8")
    return html.unescape(re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", page))


def section(text: str, title: str) -> str:
    part = text[text.index(f"<h2>{title}") :]
    return part[: part.index("</section>")]


def test_the_documented_commands_write_the_report(documented):
    folder = documented
    text = page_text(folder)
    runs = pd.read_csv(folder / "runs.csv")
    first = re.search(r'<p class="headline">(.*?)</p>', text).group(1)
    assert first == headline(runs)
    for policy in ("cooperative", "self-managed"):
        assert f"{policy} " in first  # every policy is in the headline, in plain words
    for title in (
        "What was run",
        "Lead time by policy",
        "Each policy's measures",
        "Paired differences to hierarchical",
        "Costs",
        "Reproducing these results",
    ):
        assert f"<h2>{title}" in text, title
    assert "(diagnosis)" not in text and "(decomposition)" not in text
    assert (folder / "lead-time.png").is_file() and (folder / "lead-time.svg").is_file()


def test_the_paired_differences_are_those_of_the_runs(documented):
    folder = documented
    table = section(page_text(folder), "Paired differences to hierarchical")
    runs = pd.read_csv(folder / "runs.csv")
    lead = paired_differences(runs, kpis=["lead_time_days"], by_cell=False)
    assert len(lead) == 2
    for _, r in lead.iterrows():
        cells = (
            f"<td>{r['policy']}</td><td>lead time</td><td>{r['mean']:+.1f}</td>"
            f"<td>{r['ci_low']:.1f} to {r['ci_high']:.1f}</td>"
            f"<td>{int(r['lower_in'])} of {int(r['pairs'])}</td>"
        )
        assert cells.replace("+-", "-") in table, cells
    measures = section(page_text(folder), "Each policy's measures")
    mean = runs.loc[runs["policy"] == "self_managed", "lead_time_days"].mean()
    assert f"<td>{mean:.1f} (" in measures


def test_diagnosis_and_decomposition_are_reported(enriched):
    text = page_text(enriched)
    diagnosis = section(text, "Where the time goes (diagnosis)")
    assert "role manager, department legal, person legal-manager, wait kind decision" in (diagnosis)
    assert "42% of the critical path" in diagnosis
    assert "<td>add a manager in legal</td>" in diagnosis
    assert "+2.7 (+1.9 to +3.5)" in diagnosis
    assert "<h3>Departments</h3>" in diagnosis and "<td>5.5</td>" in diagnosis
    decomposition = section(text, "Which mechanisms make the gap (decomposition)")
    assert "from hierarchical to cooperative" in decomposition
    rows = re.findall(r"<tr><td>([a-z ]+)</td><td>([^<]+)</td></tr>", decomposition)
    # The largest contribution first; an estimate without an interval shows its mean only.
    assert rows == [
        ("problem solving", "-2.5 (-3.1 to -1.9)"),
        ("coordination", "-0.4 (-0.9 to +0.1)"),
        ("authority", "-0.3"),
    ]
    assert "<strong>-3.2 (-4.0 to -2.4)</strong>" in decomposition
    assert (enriched / "decomposition.png").is_file()


def test_currency_and_finish_dates_when_the_runs_have_them(enriched):
    text = page_text(enriched)
    assert "labour cost (hours spent) (EUR)" in section(text, "Costs")
    assert "Amounts are in EUR." in text
    runs = pd.read_csv(enriched / "runs.csv")
    dates = sorted(runs.loc[runs["policy"] == "cooperative", "finish_date"])
    lead = section(text, "Lead time by policy")
    # Earliest, median (the lower middle run) and latest finish of each policy.
    middle = dates[(len(dates) - 1) // 2]
    assert f"<td>{dates[0]}</td><td>{middle}</td><td>{dates[-1]}</td>" in lead


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("decomposition.json", "{not json", "decomposition.json: not readable JSON"),
        (
            "decomposition.json",
            json.dumps({"decomposition": {**DECOMPOSITION["decomposition"], "total": 3}}),
            "decomposition.json: decomposition.total: must be {mean, ci_low, ci_high} (got 3)",
        ),
        (
            "diagnosis.json",
            json.dumps({"remedies": {"a": 1}}),
            "diagnosis.json: remedies: must be a list",
        ),
        (
            "runs.csv",
            "policy,replicate,seed,lead_time_days\nhierarchical,0,1,soon\n",
            "runs.csv:2: lead_time_days: not a number (got soon)",
        ),
    ],
)
def test_a_damaged_file_is_bad_input_and_nothing_is_written(
    comparison, tmp_path, capsys, name, content, message
):
    folder = copy_of(comparison, tmp_path)
    (folder / name).write_text(content)
    code = main(["report", str(folder)])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], lines
    assert "Traceback" not in captured.err
    assert not (folder / "report.html").exists()
    assert not list(folder.glob("*.png"))
