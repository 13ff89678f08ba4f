"""Every command of docs/consultants.md is run here in the page's order, with results/ in a
temporary folder, and what the page says each one shows is checked in its output. The
calibrate command is the first of docs/calibration.md, run by test_calibration_docs.py."""

from __future__ import annotations

import json
import math
import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGE = (ROOT / "docs" / "consultants.md").read_text(encoding="utf-8")
CALIBRATION_PAGE = (ROOT / "docs" / "calibration.md").read_text(encoding="utf-8")


def _commands(page: str) -> list[str]:
    return [
        line.strip()
        for block in re.findall(r"```sh\n(.*?)```", page, flags=re.S)
        for line in block.splitlines()
        if line.strip()
    ]


def _run(line: str, results: Path) -> str:
    args = [
        str(results / a.removeprefix("results/")) if a.startswith("results/") else a
        for a in shlex.split(line)
    ]
    done = subprocess.run(
        [sys.executable, "-m", "cli", *args[1:]],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, (line, done.stderr[-2000:])
    return done.stdout


def test_the_page_walks_the_engagement_in_order():
    verbs = [c.split()[1] for c in _commands(PAGE)]
    assert verbs == ["validate", "compare", "diagnose", "compare", "calibrate", "compare", "report"]
    # The calibrate command is the one docs/calibration.md runs first (tested there).
    calibrate = next(c for c in _commands(PAGE) if c.split()[1] == "calibrate")
    assert calibrate == _commands(CALIBRATION_PAGE)[0]


def test_every_command_of_the_page_runs_and_shows_what_the_page_says(tmp_path):
    outputs = {}
    for line in _commands(PAGE):
        if line.split()[1] == "calibrate":
            continue
        key = line.split()[1] + (" --decompose" if "--decompose" in line else "")
        key += " uncertain" if "uncertain" in line else ""
        outputs[key] = _run(line, tmp_path)
    folder = tmp_path / "claims"

    assert "upper bound" in outputs["validate"]
    # 1. Every policy in the headline, money in euros, finish dates.
    first = outputs["compare"].strip().splitlines()[0]
    for policy in ("cooperative", "claims-stays-hierarchical"):
        assert policy in first
    assert "EUR" in outputs["compare"] and "cost units" not in outputs["compare"]
    assert re.search(r"2027-\d\d-\d\d", outputs["compare"])

    # 2. A bottleneck and remedies that can act, ranked by gain.
    diagnosis = json.loads((folder / "diagnosis.json").read_text())
    assert diagnosis["bottleneck"]["department"] in {"claims", "underwriting", "legal", "it"}
    gains = [r["lead_time_gain_days"]["mean"] for r in diagnosis["remedies"]]
    assert gains and gains == sorted(gains, reverse=True)

    # 3. The contributions add up to the gap (exactly per seed, so their means too).
    decomposition = json.loads((folder / "decomposition.json").read_text())["decomposition"]
    contributions = decomposition["contributions"]
    assert len(contributions) == 9
    total = sum(c["mean"] for c in contributions.values())
    assert math.isclose(total, decomposition["total"]["mean"], abs_tol=1e-9)
    assert decomposition["scenario_hash"] == diagnosis["scenario_hash"]

    # 5. P(beats) across the uncertain problem rate.
    assert "P(" in outputs["compare uncertain"]
    assert "project.problem_rate" in outputs["compare uncertain"]

    # 6. One page with both sections, because both files are of the runs' scenario.
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert "Where the time goes (diagnosis)" in page
    assert "Which mechanisms make the gap (decomposition)" in page
    assert "EUR" in page


def test_a_diagnosis_of_another_scenario_is_left_out_of_the_report(tmp_path):
    folder = tmp_path / "claims"
    _run(
        "orgsim compare examples/claims-division/scenario.yaml --policies "
        "hierarchical,cooperative --replications 2 --out results/claims",
        tmp_path,
    )
    _run("orgsim diagnose workshop --replications 2 --remedies 1 --out results/claims", tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "cli", "report", str(folder)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "diagnosis.json: computed on another scenario" in done.stderr
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert "Where the time goes (diagnosis)" not in page
