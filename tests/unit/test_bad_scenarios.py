"""Bad scenarios give short, located messages (DESIGN §6, §10), never a traceback.

The corpus is `tests/unit/bad_scenarios/`: one file per mistake a user makes. The table
below is the contract for each: the file and line the first message names, and
fragments it must contain. Every message, whatever the case, must also be well formed:
at most three lines, each `error: FILE:LINE: ...`, with no Python noise in it.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from simulator.errors import InputError
from simulator.loading import load_scenario, parse_scenario

CORPUS = Path(__file__).parent / "bad_scenarios"
NOISE = (
    "<class",
    "Traceback",
    "pydantic",
    "input_value",
    "type=",
    "Input should",
    "errors.pydantic.dev",
    "Value error",
    "\n",
)


@dataclass(frozen=True)
class Case:
    """A corpus file and what its first error line must say."""

    file: str
    line: int | None
    fragments: tuple[str, ...]
    source: str | None = None  # the file named in the message, when not `file` (CSV plans)


CASES = [
    # wrong types
    Case("string-for-number.yaml", 8, ("project.problem_rate", "expected a number", "(got high)")),
    Case("list-for-mapping.yaml", 3, ("time:", "expected a mapping", "(got a list of 2)")),
    Case(
        "bool-for-count.yaml",
        6,
        ("organisation.departments[0].collaborators", "whole number", "(got true)"),
    ),
    Case(
        "tasks-as-mapping.yaml",
        6,
        ("project.tasks", "a number of tasks or a list of tasks", "(got {count: 10})"),
    ),
    # out of range
    Case(
        "expertise-out-of-range.yaml",
        8,
        ("organisation.departments[1].expertise", "must be at most 1", "(got 1.5)"),
    ),
    Case(
        "negative-problem-rate.yaml",
        7,
        ("project.problem_rate", "must be at least 0", "(got -0.01)"),
    ),
    Case("horizon-zero.yaml", 4, ("time.horizon_days", "must be more than 0", "(got 0)")),
    Case(
        "availability-above-one.yaml",
        6,
        ("organisation.manager_availability", "must be at most 1", "(got 1.2)"),
    ),
    Case(
        "negative-duration.yaml",
        8,
        ("timing.decision_hours.mean", "must be at least 0", "(got -2)"),
    ),
    Case(
        "non-finite-number.yaml",
        4,
        ("organisation.departments[0].expertise_sd", "finite number", "(got inf)"),
    ),
    # unknown keys, with a suggestion
    Case(
        "unknown-top-level-key.yaml",
        7,
        ("timming", "unknown key 'timming'", "did you mean 'timing'?"),
    ),
    Case(
        "unknown-nested-key.yaml",
        5,
        (
            "organisation.departments[0].colaborators",
            "unknown key 'colaborators'",
            "did you mean 'collaborators'?",
        ),
    ),
    Case(
        "unknown-policy-key.yaml",
        10,
        ("policies.hybrid.problem_solvng", "did you mean 'problem_solving'?"),
    ),
    Case(
        "toml-unknown-key.toml",
        11,
        ("organisation.departments[1].expertize", "did you mean 'expertise'?"),
    ),
    Case(
        "many-problems.yaml",
        11,
        ("rework.fractoin", "unknown key 'fractoin'", "did you mean 'fraction'?"),
    ),
    Case("missing-name.yaml", 1, ("name: required",)),
    # names that must exist, be unique, and not loop
    Case(
        "unknown-task-department.yaml",
        9,
        (
            "project.tasks[1].department",
            "unknown department",
            "engineering, legal",
            "(got lawyers)",
        ),
    ),
    Case(
        "unknown-dependency.yaml",
        9,
        ("project.tasks[2].depends_on", "unknown task", "did you mean 'build'?", "(got biuld)"),
    ),
    Case(
        "precedence-cycle.yaml",
        8,
        ("project.tasks[1].depends_on", "precedence cycle", "spec -> test -> build -> spec"),
    ),
    Case(
        "self-dependency.yaml",
        8,
        ("project.tasks[1].depends_on", "cannot depend on itself", "(got build)"),
    ),
    Case(
        "duplicate-task-ids.yaml",
        9,
        ("project.tasks[2].id", "task id used twice", "first on line 7", "(got spec)"),
    ),
    Case(
        "duplicate-department.yaml",
        6,
        (
            "organisation.departments[2].name",
            "department named twice",
            "first on line 4",
            "(got engineering)",
        ),
    ),
    Case(
        "duplicate-yaml-key.yaml",
        10,
        ("project.problem_rate", "key given twice", "first on line 8"),
    ),
    Case(
        "empty-organisation.yaml",
        3,
        ("organisation.departments", "needs at least one department"),
    ),
    Case(
        "teams-exceed-collaborators.yaml",
        7,
        ("organisation.departments[1].teams", "more teams than", "2 collaborators", "(got 3)"),
    ),
    # files that are not scenarios
    Case(
        "broken-yaml.yaml",
        5,
        ("not valid YAML", "expected ',' or '}'", "flow mapping that starts on line 4"),
    ),
    Case("empty.yaml", 1, ("the file is empty",)),
    Case("only-comments.yaml", 1, ("the file has only comments",)),
    Case(
        "top-level-list.yaml",
        1,
        ("expected a mapping of scenario keys", "(got a list of 2)"),
    ),
    Case(
        "recursive-alias.yaml",
        4,
        ("organisation.departments[1]", "alias refers to the block that contains it"),
    ),
    Case("not-utf8.yaml", 1, ("is not UTF-8 text", "0xe9")),
    Case("toml-syntax-error.toml", 5, ("not valid TOML", "expected newline")),
    Case(
        "toml-bad-value.toml",
        10,
        ("project.dependency_density", "must be at most 1", "(got 2.5)"),
    ),
    # distributions
    Case(
        "unknown-distribution.yaml",
        8,
        (
            "timing.decision_hours.dist",
            "unknown distribution 'gamma'",
            "exponential, lognormal or fixed",
        ),
    ),
    Case(
        "lognormal-without-cv.yaml",
        7,
        ("project.effort_hours.cv", "required for a lognormal"),
    ),
    Case(
        "severities-not-one.yaml",
        7,
        ("project.severity", "must add up to 1", "(got 0.5 + 0.3 + 0.3 = 1.1)"),
    ),
    # policies
    Case(
        "unknown-mechanism-value.yaml",
        10,
        (
            "policies.democratic.problem_solving",
            "expected one of escalate, experts or consensus",
            "(got voting)",
        ),
    ),
    Case(
        "unknown-policy-base.yaml",
        9,
        ("policies.lean.base", "unknown policy 'agile'", "hierarchical, cooperative"),
    ),
    Case(
        "unknown-department-policy.yaml",
        5,
        ("organisation.departments[1].policy", "unknown policy 'bureaucratic'"),
    ),
    Case(
        "policy-redefines-preset.yaml",
        8,
        ("policies.cooperative", "redefines a preset"),
    ),
    # the plan
    Case(
        "tasks-and-tasks-file.yaml",
        7,
        ("project.tasks_file", "give tasks or tasks_file, not both"),
    ),
    Case("no-tasks.yaml", 5, ("project.tasks", "required", "tasks_file")),
    Case(
        "missing-tasks-file.yaml",
        6,
        ("project.tasks_file", "no such file", "no-such-plan.csv"),
    ),
    Case(
        "csv-bad-effort.yaml",
        3,
        ("effort_hours", "expected a number", "(got forty)"),
        source="plan-bad-effort.csv",
    ),
    Case(
        "csv-extra-field.yaml",
        3,
        ("6 fields", "the header has 5 columns"),
        source="plan-extra-field.csv",
    ),
    Case(
        "csv-unknown-dependency.yaml",
        3,
        ("depends_on", "unknown task", "(got design)"),
        source="plan-unknown-dependency.csv",
    ),
]

# Files in the corpus that are data for a case (CSV plans), not cases themselves.
DATA_FILES = {
    "plan-good.csv",
    "plan-bad-effort.csv",
    "plan-extra-field.csv",
    "plan-unknown-dependency.csv",
}


def error_lines(path: Path | str, overrides: tuple[str, ...] = ()) -> list[str]:
    """The error lines loading `path` gives (the test fails if it loads)."""
    with pytest.raises(InputError) as caught:
        load_scenario(path, overrides)
    return caught.value.lines()


def assert_well_formed(lines: list[str]) -> None:
    """At most three lines, each `error: ...`, with no Python repr noise."""
    assert 1 <= len(lines) <= 3, lines
    for line in lines:
        assert line.startswith("error: "), line
        for noise in NOISE:
            assert noise not in line, (noise, line)


def test_corpus_is_large_and_fully_covered() -> None:
    files = {p.name for p in CORPUS.iterdir() if p.is_file()}
    cases = {case.file for case in CASES}
    assert len(cases) >= 24
    assert files == cases | DATA_FILES, files ^ (cases | DATA_FILES)
    assert any(name.endswith(".toml") for name in cases)
    assert any(case.source and case.source.endswith(".csv") for case in CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.file for case in CASES])
def test_bad_scenario_message(case: Case) -> None:
    lines = error_lines(CORPUS / case.file)
    assert_well_formed(lines)
    first = lines[0]
    source = str(CORPUS / (case.source or case.file))
    where = source if case.line is None else f"{source}:{case.line}"
    assert first.startswith(f"error: {where}: "), first
    for fragment in case.fragments:
        assert fragment in first, (fragment, first)


def test_every_line_names_a_file_and_line() -> None:
    # Beyond the first line: every problem of a file is located, not only the first.
    for case in CASES:
        for line in error_lines(CORPUS / case.file):
            assert re.match(r"error: [^:]+\.(yaml|toml|csv):\d+: ", line), line


def test_several_problems_show_three_lines_unknown_key_first() -> None:
    lines = error_lines(CORPUS / "many-problems.yaml")
    assert len(lines) == 3
    assert "unknown key 'fractoin'" in lines[0]
    assert "time.hours_per_day: must be at most 24 (got 30)" in lines[1]
    assert "time.horizon_days: must be more than 0 (got -5)" in lines[2]


def test_missing_file_and_unknown_name() -> None:
    lines = error_lines("no/such/scenario.yaml")
    assert_well_formed(lines)
    assert lines == ["error: no/such/scenario.yaml: no such file"]
    lines = error_lines("no-such-builtin")
    assert_well_formed(lines)
    assert "no such file or built-in scenario" in lines[0]
    assert "product-launch" in lines[0]


def test_a_folder_is_not_a_scenario() -> None:
    lines = error_lines(CORPUS)
    assert lines[0].endswith(": is not a file")


# --- `--set` overrides ------------------------------------------------------------------

SET_CASES = [
    ("project.nope=1", ("project.nope", "unknown key 'nope'", "known: tasks")),
    ("project.problem_rat=0.1", ("unknown key 'problem_rat'", "did you mean 'problem_rate'?")),
    ("projet.problem_rate=0.1", ("unknown key 'projet'", "did you mean 'project'?")),
    (
        "organisation.departments[finance].expertise=0.9",
        ("no entry named 'finance'", "known: engineering, design, marketing, legal"),
    ),
    (
        "organisation.departments[9].expertise=0.9",
        ("'organisation.departments' has 4 entries, no [9]",),
    ),
    ("project.problem_rate.mean=1", ("'project.problem_rate' holds a value, not keys",)),
    ("project.problem_rate=abc", ("project.problem_rate", "expected a number", "(got abc)")),
    ("project.problem_rate", ("expected KEY=VALUE",)),
    (
        "organisation.departments.expertise=1",
        ("'organisation.departments' is a list", "[index] or [name]"),
    ),
    ("policies.hybrid.autonomy=total", ("expected one of none, minor or major", "(got total)")),
    ("organisation.manager_availability=1.2", ("must be at most 1", "(got 1.2)")),
    ("a..b=1", ("cannot read key 'a..b'",)),
    ("=3", ("empty key",)),
]


@pytest.mark.parametrize("assignment,fragments", SET_CASES, ids=[c[0] for c in SET_CASES])
def test_bad_set(assignment: str, fragments: tuple[str, ...]) -> None:
    lines = error_lines("product-launch", (assignment,))
    assert_well_formed(lines)
    assert lines[0].startswith(f"error: --set {assignment}: "), lines[0]
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


def test_set_problem_in_a_file_scenario_is_blamed_on_the_set() -> None:
    # The file is fine; the value --set gave is not: the message names the --set.
    lines = error_lines(CORPUS.parent / "bad_scenarios" / "severities-not-one.yaml")
    assert "severities-not-one.yaml:7" in lines[0]
    lines = error_lines("product-launch", ("project.severity.minor=0.9",))
    assert lines[0].startswith("error: --set project.severity.minor=0.9: project.severity:")
    assert "(got 0.9 + 0.3 + 0.1 = 1.3)" in lines[0]


# --- texts that are not files of the corpus (control characters, aliases) -----------------

BASE = "name: x\norganisation:\n  departments:\n    - {name: a, collaborators: 2}\nproject:\n  tasks: 3\n"
TEXT_CASES = [
    ("nul", BASE + "description: a\x00b\n", 7, "unacceptable character"),
    ("second document", BASE + "---\nname: y\n", 7, "a second YAML document starts here"),
    ("number as key", BASE + "1: 2\n", 7, "keys must be text (got 1)"),
    ("yes as key", BASE + "on: 2\n", 7, "quote them"),
    ("tab", BASE + "\tdescription: x\n", 7, "found character '\\t'"),
    ("newline in value", BASE + 'seed: "4\\n2"\n', 7, "(got '4\\n2')"),
    ("empty plan", BASE.replace("tasks: 3", "tasks: []"), 6, "needs at least one task"),
    (
        "team too large",
        BASE.replace("collaborators: 2", "collaborators: 5000"),
        4,
        "organisation.departments[0].teams: teams of more than 1,000 people",
    ),
    (
        "fixed with cv",
        BASE + "timing: {read_hours: {dist: fixed, mean: 1, cv: 2}}\n",
        7,
        "no spread",
    ),
]


@pytest.mark.parametrize("name,text,line,fragment", TEXT_CASES, ids=[c[0] for c in TEXT_CASES])
def test_bad_text(name: str, text: str, line: int, fragment: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_scenario(text, source="s.yaml")
    lines = caught.value.lines()
    assert_well_formed(lines)
    assert lines[0].startswith(f"error: s.yaml:{line}: "), lines[0]
    assert fragment in lines[0], lines[0]


def test_alias_bomb_is_refused_quickly() -> None:
    # Nine levels of nine aliases: 387 million leaves if expanded; read in linear time.
    bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 10)
    )
    start = time.perf_counter()
    with pytest.raises(InputError) as caught:
        parse_scenario(BASE + "description: hello\n" + bomb, source="s.yaml")
    assert time.perf_counter() - start < 2.0
    assert "unknown key 'a0'" in caught.value.lines()[0]
