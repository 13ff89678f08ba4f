"""Experiment files with mistakes: exit 2 with located one-line messages, before anything runs.

Each case is a file with one mistake; the first `error:` line must name the file, the
line, the field and (where there is one) the bad value, and no results folder may appear.
"""

from __future__ import annotations

import re
import textwrap

import pytest

from cli.main import main
from experiments.spec import load_experiment

GOOD = """\
name: good
scenario: workshop
policies: [hierarchical, cooperative]
replications: 2
seed: 5
parameters:
  project.tasks: 30
  project.problem_rate: {values: [0.01, 0.02]}
"""


def write(tmp_path, text: str, name: str = "experiment.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def sweep(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["sweep", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_good_file_reads(tmp_path):
    experiment = load_experiment(write(tmp_path, GOOD))
    assert experiment.name == "good"
    assert experiment.policies == ("hierarchical", "cooperative")
    assert experiment.keys == ("project.tasks", "project.problem_rate")
    assert experiment.design == "factorial"


def test_defaults(tmp_path):
    experiment = load_experiment(write(tmp_path, "name: d\nscenario: workshop\n"))
    assert experiment.policies == ("hierarchical", "cooperative", "self_managed")
    assert experiment.replications == 20
    assert experiment.axes == ()
    assert not experiment.record_daily and not experiment.record_problems


BAD = [
    # (file text, line, expected message part, value shown)
    (
        "name: x\nscenario: workshop\nreplication: 3\n",
        3,
        "unknown key 'replication' (did you mean 'replications'?)",
        None,
    ),
    (
        "name: x\nscenario: workshop\ndesign: factoral\n",
        3,
        "design: unknown design (did you mean 'factorial'?)",
        "factoral",
    ),
    (
        "name: x\nscenario: workshop\nreplications: 0\n",
        3,
        "replications: must be between 1 and",
        "0",
    ),
    (
        "name: x\nscenario: nowhere-at-all\n",
        2,
        "scenario: no such file or built-in scenario",
        "nowhere-at-all",
    ),
    (
        "name: x\nscenario: workshop\npolicies: [hierarchical, anarchy]\n",
        3,
        "policies[1]: unknown policy",
        "anarchy",
    ),
    (
        "name: x\nscenario: workshop\nparameters:\n  project.problm_rate: {values: [0.1]}\n",
        4,
        "parameters.project.problm_rate: unknown key 'problm_rate' (did you mean 'problem_rate'?)",
        None,
    ),
    (
        "name: x\nscenario: workshop\nparameters:\n  project.problem_rate: {from: 0, to: 1, step: 0}\n",
        4,
        "parameters.project.problem_rate.step: must not be 0",
        "0",
    ),
    (
        "name: x\nscenario: workshop\nparameters:\n  project.problem_rate: {from: 0, to: 1, step: -0.5}\n",
        4,
        "goes away from `to`",
        "-0.5",
    ),
    (
        "name: x\nscenario: workshop\nparameters:\n  project.problem_rate: {min: 0.01, max: 0.05}\n",
        4,
        "bounds are for the lhs, sobol and morris designs (design is factorial)",
        None,
    ),
    (
        "name: x\nscenario: workshop\nparameters:\n  project.problem_rate: {valeus: [0.1]}\n",
        4,
        "unknown key 'valeus' (did you mean 'values'?)",
        None,
    ),
    (
        "name: x\nscenario: workshop\nparameters:\n  policy.autonomy: {values: [none, total]}\n",
        4,
        "parameters.policy.autonomy.values[1]: input should be 'none', 'minor' or 'major'",
        "total",
    ),
    (
        "name: x\nscenario: workshop\nparameters:\n  policy.autonomie: [none]\n",
        4,
        "unknown mechanism 'autonomie' (did you mean 'autonomy'?)",
        None,
    ),
    (
        "name: x\nscenario: workshop\nparameters:\n  project.interdependence:\n    values:\n      - 0.2\n      - 7\n",
        7,
        "parameters.project.interdependence.values[1]:",
        "7",
    ),
    (
        "name: x\nscenario: workshop\nparameters:\n  organisation.departments[sales].expertise: [0.5]\n",
        4,
        "no entry named 'sales'",
        None,
    ),
    (
        "name: x\nscenario: workshop\ndesign: zip\nparameters:\n  project.tasks: [20, 30]\n  project.problem_rate: [0.01, 0.02, 0.03]\n",
        6,
        "zip pairs levels one to one: 3 levels here, 2 for project.tasks",
        None,
    ),
    (
        "name: x\nscenario: workshop\ndesign: sobol\nsamples: 100\nparameters:\n  project.problem_rate: {min: 0.0, max: 0.1}\n",
        4,
        "sobol needs a power of 2 (e.g. 64 or 128)",
        "100",
    ),
    (
        "name: x\nscenario: workshop\ndesign: lhs\nparameters:\n  project.problem_rate: {min: 0.0, max: 0.1}\n",
        3,
        "the lhs design needs `samples`",
        None,
    ),
    (
        "name: x\nscenario: workshop\ndesign: lhs\nsamples: 4\nparameters:\n  project.tasks: 30\n",
        5,
        "the lhs design needs at least one parameter with bounds",
        None,
    ),
    (
        "name: x\nscenario: workshop\nsamples: 10\n",
        3,
        "samples: only for the lhs, sobol and morris designs",
        "10",
    ),
    (
        "name: x\nscenario: workshop\nsampling_seed: 4\n",
        3,
        "sampling_seed: only for the lhs, sobol and morris designs",
        "4",
    ),
    (
        "name: x\nscenario: workshop\ndesign: lhs\nsamples: 4\nsampling_seed: -1\n"
        "parameters:\n  project.problem_rate: {min: 0.0, max: 0.1}\n",
        5,
        "sampling_seed: must be between 0 and",
        "-1",
    ),
    ("name: x\nscenario: workshop\nparameters:\n  seed: [1, 2]\n", 4, "cannot vary `seed`", None),
    (
        "name: x\nscenario: workshop\nrecord: {daily: yes please}\n",
        3,
        "record.daily: expected true or false",
        None,
    ),
    (
        # Each level is fine alone; together they are not (more teams than people).
        "name: x\nscenario: workshop\nparameters:\n  organisation.departments[0].teams: [2, 6]\n"
        "  organisation.departments[0].collaborators: [10, 4]\n",
        4,
        "cell 3 (organisation.departments[0].teams=6, organisation.departments[0].collaborators=4): more teams",
        "6",
    ),
    ("name: x\nscenario: workshop\nname: y\n", 3, "key given twice (first on line 1)", None),
    ("name: [x\n", 2, "not valid YAML", None),
    ("- just\n- a list\n", 1, "expected a mapping of experiment keys", None),
]


@pytest.mark.parametrize(("text", "line", "message", "value"), BAD, ids=[b[2][:40] for b in BAD])
def test_mistakes_exit_2_with_a_located_line_and_nothing_written(
    tmp_path, capsys, text, line, message, value
):
    path = write(tmp_path, text)
    out = tmp_path / "results"
    code, stdout, stderr = sweep(capsys, str(path), "--out", str(out), "--workers", "1")
    assert code == 2, stderr
    assert stdout == ""
    lines = stderr.strip().splitlines()
    assert 1 <= len(lines) <= 3
    assert all(row.startswith("error: ") for row in lines)
    assert "Traceback" not in stderr
    first = lines[0]
    assert first.startswith(f"error: {path}:{line}: "), first
    assert message in first, first
    if value is not None:
        assert re.search(rf"\(got {re.escape(value)}\)$", first), first
    assert not out.exists()


def test_a_missing_file_exits_2(tmp_path, capsys):
    code, _, stderr = sweep(capsys, str(tmp_path / "none.yaml"), "--dry-run")
    assert code == 2
    assert stderr.strip() == f"error: {tmp_path / 'none.yaml'}: no such file"


def test_bad_flags_exit_2(tmp_path, capsys):
    path = write(tmp_path, GOOD)
    code, _, stderr = sweep(capsys, str(path), "--workers", "0")
    assert code == 2
    assert stderr.strip() == "error: --workers: must be at least 1 (got 0)"
    with pytest.raises(SystemExit) as stopped:  # argparse: both at once
        main(["sweep", str(path), "--workers", "2", "--scheduler", "tcp://127.0.0.1:1"])
    assert stopped.value.code == 2


def test_a_scenario_path_is_relative_to_the_experiment_file(tmp_path):
    (tmp_path / "mine.yaml").write_text(
        "name: mine\norganisation: {departments: [{name: a, collaborators: 3}]}\nproject: {tasks: 5}\n",
        encoding="utf-8",
    )
    from experiments.plan import make_plan

    plan = make_plan(
        load_experiment(write(tmp_path, "name: x\nscenario: mine.yaml\nreplications: 1\n"))
    )
    assert plan.base_scenario.name == "mine"


def test_a_notebook_mapping_is_checked_the_same_way():
    from experiments.spec import experiment_from_mapping
    from simulator.errors import InputError

    with pytest.raises(InputError) as err:
        experiment_from_mapping({"name": "x", "scenario": "workshop", "design": "grid"})
    assert "design: unknown design" in err.value.lines()[0]
