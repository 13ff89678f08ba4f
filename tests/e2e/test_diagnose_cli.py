"""`orgsim diagnose` run for real: the JSON contract, --out, bad input, and every command
docs/diagnose.md shows."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.test_cli import assert_bad_input, orgsim

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "diagnose.md").read_text(encoding="utf-8")
SMALL = ["--set", "project.tasks=30", "--replications", "2", "--remedies", "2"]
ESTIMATE = {"mean", "ci_low", "ci_high"}


@pytest.fixture(scope="module")
def diagnosis(tmp_path_factory) -> tuple[dict, Path]:
    out = tmp_path_factory.mktemp("diagnosis")
    result = orgsim("diagnose", "workshop", "--json", "--out", str(out), *SMALL)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout), out


def test_json_follows_the_contract(diagnosis):
    data, _ = diagnosis
    assert {"bottleneck", "departments", "managers", "critical_path", "remedies"} <= set(data)
    assert set(data["bottleneck"]) == {"role", "department", "person", "wait_kind", "cp_share"}
    assert data["bottleneck"]["wait_kind"] in ("decision_wait", "information_wait")
    assert 0 < data["bottleneck"]["cp_share"] <= 1
    assert len(data["remedies"]) == 2
    for remedy in data["remedies"]:
        assert {"remedy", "change", "lead_time_gain_days", "cost_change", "wins"} <= set(remedy)
        assert set(remedy["lead_time_gain_days"]) == ESTIMATE
        assert remedy["wins"]["n"] == 2
        assert all("=" in patch for patch in remedy["change"])
    names = {d["department"] for d in data["departments"]}
    assert {"engineering", "design", "marketing", "legal"} <= names


def test_out_writes_exactly_the_json(diagnosis):
    data, out = diagnosis
    assert [p.name for p in out.iterdir()] == ["diagnosis.json"]
    assert json.loads((out / "diagnosis.json").read_text()) == data


@pytest.mark.parametrize(
    "args",
    [
        ["--replications", "0"],
        ["--policy", "nonsense"],
        ["--remedies", "-1"],
        ["--set", "project.tasks=0"],
    ],
)
def test_bad_input_is_one_line_and_exit_2(args, tmp_path):
    result = orgsim("diagnose", "workshop", *args, "--out", str(tmp_path / "d"))
    assert_bad_input(result)
    assert not (tmp_path / "d").exists()


def _doc_commands() -> list[str]:
    return [
        line.strip()
        for block in re.findall(r"```sh\n(.*?)```", DOC, flags=re.S)
        for line in block.splitlines()
        if line.strip()
    ]


def test_the_doc_shows_commands():
    assert len(_doc_commands()) == 3


@pytest.mark.parametrize("line", _doc_commands())
def test_doc_command(line, tmp_path):
    args = shlex.split(line)
    assert args[0] == "orgsim"
    args = [str(tmp_path / a) if a.startswith("results/") else a for a in args[1:]]
    done = subprocess.run(
        [sys.executable, "-m", "cli", *args], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr
    if "--json" in args:
        assert json.loads(done.stdout)["bottleneck"] is not None
    elif "--out" in args:
        assert (tmp_path / "results" / "diagnosis" / "diagnosis.json").exists()
    else:
        assert done.stdout.startswith("bottleneck: ")
