"""Every command the README shows is run here (or named with the test that covers it)."""

from __future__ import annotations

import contextlib
import io
import math
import re
import shlex
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import mesa
import pytest

import simulator
from simulator import load_scenario

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")

# Commands run elsewhere, with the reason; any other command must be run below.
COVERED_ELSEWHERE = {
    "make demo": "CI's set-up; its command `orgsim compare product-launch` is run here",
    "make test": "CI runs it (.ci/run)",
    "python3.12 -m venv .venv": "CI's set-up (the Makefile does the same)",
    '.venv/bin/pip install -e ".[dev]"': "CI's set-up (the Makefile does the same)",
    ".venv/bin/python -m pytest": "CI runs the suite",
    "make dashboard": "tests/e2e/test_browser*.py start the same server",
    "orgsim dashboard --port 8765": "tests/e2e/test_browser*.py start the same server",
    "dask scheduler --port 8786": "tests/e2e/test_sweep_dask.py starts a real scheduler",
    "dask worker tcp://127.0.0.1:8786": "tests/e2e/test_sweep_dask.py starts a real worker",
    (
        "orgsim calibrate examples/claims-division/scenario.yaml --observed "
        "examples/claims-division/observed.yaml --budget 150 --out "
        "results/claims-calibrated.yaml"
    ): "tests/e2e/test_calibration_docs.py runs it (the first command of docs/calibration.md)",
    # Measurements, never timed in the test run (machines are shared and noisy).
    ".venv/bin/python -m benchmarks.commands --baseline e5b8a3f": "a benchmark (make benchmark)",
    ".venv/bin/python -m benchmarks.events --baseline 41b8109": "a benchmark (make benchmark)",
    ".venv/bin/python -m benchmarks.run --only batch": "a benchmark (make benchmark)",
    ".venv/bin/python -m benchmarks.run --only memory": "a benchmark (make benchmark)",
    "make benchmark": "benchmarks are measurements, run on demand, out of the test run",
}


def _shell_lines() -> list[str]:
    lines = []
    for block in re.findall(r"```sh\n(.*?)```", README, flags=re.S):
        for line in block.splitlines():
            command = line.split("  #")[0].strip()
            if command:
                lines.append(command)
    return lines


def _orgsim_lines() -> list[str]:
    found = []
    for line in _shell_lines():
        if line in COVERED_ELSEWHERE:
            continue
        if line.startswith(".venv/bin/orgsim "):
            line = line.removeprefix(".venv/bin/")
        if "--scheduler" in line:
            continue  # the cluster test runs a sweep through a real scheduler
        found.append(line)
    return found


def test_every_readme_command_is_run_or_covered():
    for line in _shell_lines():
        assert line in COVERED_ELSEWHERE or line.startswith(("orgsim ", ".venv/bin/orgsim ")), (
            f"README command with no test: {line}"
        )


@pytest.mark.parametrize("line", _orgsim_lines())
def test_readme_orgsim_command(line, tmp_path):
    args = shlex.split(line)[1:]
    # Results go to a temporary folder instead of the checkout.
    args = [str(tmp_path / a) if a.startswith("results/") else a for a in args]
    if args[0] == "report":
        # `orgsim report` reads what the README's sweep wrote just before.
        sweep = next(a for a in _orgsim_lines() if a.startswith("orgsim sweep") and "--out" in a)
        sweep_args = [
            str(tmp_path / a) if a.startswith("results/") else a for a in shlex.split(sweep)[1:]
        ]
        subprocess.run(
            [sys.executable, "-m", "cli", *sweep_args],
            cwd=ROOT,
            check=True,
            capture_output=True,
            timeout=600,
        )
    done = subprocess.run(
        [sys.executable, "-m", "cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() or any(tmp_path.iterdir())


def test_readme_python_example_does_what_it_says():
    block = re.findall(r"```python\n(.*?)```", README, flags=re.S)[0]
    namespace: dict = {}
    out = io.StringIO()
    with warnings.catch_warnings(), contextlib.redirect_stdout(out):
        warnings.simplefilter("ignore")
        exec(compile(textwrap.dedent(block), "README.md", "exec"), namespace)
    result, model = namespace["result"], namespace["model"]
    first, second = out.getvalue().splitlines()
    # It prints the cooperative run's lead time and its decision-wait share, in days...
    kpis = result.kpis
    assert first.split() == [str(kpis["lead_time_days"]), str(kpis["cp_decision_wait_days"])]
    assert kpis["finished"] and kpis["lead_time_days"] > 0
    assert 0 <= kpis["cp_decision_wait_days"] <= kpis["lead_time_days"]
    assert (result.metadata["policy"], result.metadata["seed"]) == ("cooperative", 1)
    # ...then steps a Mesa model hour by hour until it stops, and prints its lead time.
    assert isinstance(model, mesa.Model)
    assert not model.running and model.kpis()["finished"]
    assert second == str(model.kpis()["lead_time_days"])
    # Each step is one working hour: the loop stops at the first whole hour after the end.
    assert model.time == math.ceil(model.kpis()["lead_time_days"] * model.hours_per_day)
    # Stepping only observes: the same run as running it to the end in one go.
    assert model.kpis() == simulator.run_one(load_scenario("workshop"), "hierarchical", 1).kpis
