"""`orgsim compare` on a scenario with uncertain inputs, a start date and a currency: the
commands docs/experiments.md shows, run as written, and bad uncertain inputs."""

from __future__ import annotations

import csv
import json
import re
import shlex
import shutil
from pathlib import Path

import pytest

from experiments.display import policy_name
from tests.e2e.test_cli import assert_bad_input, orgsim

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = "tests/fixtures/uncertain-workshop.yaml"
SECTION = "## What `orgsim compare` tells a client"
INPUTS = {
    "organisation.departments[0].expertise",
    "organisation.manager_availability",
    "project.problem_rate",
}
POLICIES = ["hierarchical", "cooperative", "self_managed"]


def documented_commands() -> list[list[str]]:
    text = (ROOT / "docs" / "experiments.md").read_text(encoding="utf-8")
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, flags=re.S)
    assert block, f"docs/experiments.md: no commands under '{SECTION}'"
    return [shlex.split(line) for line in block.group(1).splitlines() if line.strip()]


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """A folder holding the fixture at the path the documentation uses."""
    where = tmp_path_factory.mktemp("ceo")
    (where / "tests" / "fixtures").mkdir(parents=True)
    shutil.copy(ROOT / FIXTURE, where / FIXTURE)
    return where


@pytest.fixture(scope="module")
def outputs(folder):
    commands = documented_commands()
    assert [c[:3] for c in commands] == [["orgsim", "compare", FIXTURE]] * 2
    results = [orgsim(*command[1:], "--workers", "1", cwd=folder) for command in commands]
    for result in results:
        assert result.returncode == 0, result.stderr
    return results


def test_the_json_adds_dates_p_beats_and_sensitivity(outputs, folder):
    result = json.loads(outputs[1].stdout)
    assert set(result) == {
        "policies",
        "differences",
        "headline",
        "currency",
        "dates",
        "p_beats",
        "sensitivity",
        "sensitivity_by_policy",
    }
    assert result["currency"] == "EUR"
    assert set(result["dates"]) == set(POLICIES)
    assert set(result["sensitivity_by_policy"]) == {"cooperative", "self_managed"}
    for by_key in result["sensitivity_by_policy"].values():
        assert set(by_key) == INPUTS
    # p_beats is the share of replications won, counted here from runs.csv.
    with open(folder / "results" / "uncertain" / "runs.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    lead = {(r["policy"], r["replicate"]): float(r["lead_time_days"]) for r in rows}
    for policy in ("cooperative", "self_managed"):
        won = sum(lead[(policy, str(r))] < lead[("hierarchical", str(r))] for r in range(6))
        assert result["p_beats"][policy] == pytest.approx(won / 6)
    # Each replication's draws are in runs.csv, the same for every policy.
    for key in INPUTS:
        by_replicate = {}
        for row in rows:
            by_replicate.setdefault(row["replicate"], set()).add(row[f"input:{key}"])
        assert all(len(values) == 1 for values in by_replicate.values())
        assert len({v for values in by_replicate.values() for v in values}) == 6


def test_the_plain_output_says_it_in_words(outputs):
    text = outputs[0].stdout
    headline = text.splitlines()[0]
    for policy in POLICIES:
        assert policy_name(policy) in headline  # in plain words: "self-managed"
    assert re.search(
        r"^Across uncertain inputs: P\(cooperative beats hierarchical\) = ", text, re.M
    )
    assert "EUR" in text and "cost units" not in text
    assert "Finish dates" in text


def test_bad_uncertain_input_is_one_line_and_writes_nothing(folder):
    out = folder / "never"
    result = orgsim(
        "compare",
        FIXTURE,
        "--set",
        "project.problem_rate={uncertain: {min: 0.3, max: 0.1}}",
        "--out",
        str(out),
        cwd=folder,
    )
    assert_bad_input(result)
    assert "project.problem_rate.uncertain.min: is above max" in result.stderr
    assert not out.exists()
