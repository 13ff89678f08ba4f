"""Every command of docs/calibration.md is run here, in the order the page gives them (the
`run` runs the file the `calibrate` before it wrote), with results/ in a temporary folder.
The first is also the README's calibrate command (tests/e2e/test_readme.py leaves it to
this file)."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
PAGE = (ROOT / "docs" / "calibration.md").read_text(encoding="utf-8")


def _commands() -> list[str]:
    return [
        line.strip()
        for block in re.findall(r"```sh\n(.*?)```", PAGE, flags=re.S)
        for line in block.splitlines()
        if line.strip()
    ]


def test_the_page_shows_calibrate_and_a_run_of_its_output():
    commands = _commands()
    assert all(c.startswith("orgsim ") for c in commands), commands
    assert [c.split()[1] for c in commands] == ["calibrate", "run", "calibrate"]


def test_every_command_of_the_page_runs(tmp_path):
    outputs = []
    for line in _commands():
        args = [str(tmp_path / a) if a.startswith("results/") else a for a in shlex.split(line)]
        done = subprocess.run(
            [sys.executable, "-m", "cli", *args[1:]],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, (line, done.stderr)
        outputs.append(done.stdout)
    text, run, as_json = outputs
    # The text output names every default key and every observed KPI of the shipped file.
    observed = yaml.safe_load((ROOT / "examples/claims-division/observed.yaml").read_text())
    for name in ("project.problem_rate", "timing.decision_hours.mean", "rework.fraction"):
        assert name in text
    for kpi in observed["observed"]:
        assert kpi in text
    # The JSON form has the documented shape, and the run ran the file it wrote.
    result = json.loads(as_json)
    assert set(result["fitted"]) == {"project.problem_rate", "timing.decision_hours.mean"}
    assert set(result["fit"]) == set(observed["observed"])
    assert result["simulations"] <= 100
    assert "claims-division" in run
    assert "written to" in text


def test_the_readme_command_is_the_first_of_the_page():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert _commands()[0] in readme
