"""Every number the model reads is a scenario key (DESIGN §5.5).

The model's source is scanned for numeric literals; the only ones allowed are listed
below, each with the reason it is not a parameter. A new literal in the model's
behaviour fails this test: make it a scenario key (with a default, a unit and a source in
docs/model.md) or, if it really is structural, add it here with its reason.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

MODEL_FILES = [
    *sorted((ROOT / "simulator" / "mechanisms").glob("*.py")),
    *sorted((ROOT / "agents").glob("*.py")),
    *(
        ROOT / "simulator" / f"{name}.py"
        for name in (
            "model",
            "domain",
            "project",
            "organisation",
            "randomness",
            "kpis",
            "interventions",
            "run",
            "policies",
            "people",
            "routing",
        )
    ),
]

TOLERANCES = {1e-12, 1e-9, 1e-6}  # floating-point comparisons, not behaviour

ALLOWED: dict[str, dict[float, str]] = {
    "simulator/domain.py": {
        2.0: "problem_rate × complexity × 2 × (1 − expertise): DESIGN §5.1's formula"
    },
    "simulator/project.py": {
        50: "predecessors drawn among the previous 50 tasks: DESIGN §5.1",
        4096: "tasks whose draws are made in one call (memory; the numbers are the same)",
        64: "bits in a machine word (searching a bit mask)",
    },
    "simulator/organisation.py": {2: "a pair of people for a lateral link"},
    "simulator/routing.py": {
        8: "org graphs whose routes are kept in memory (a cache size)",
        600: "graph size from which routes are searched level by level (speed only)",
    },
    "simulator/randomness.py": {
        **{n: "a stream key or a slot index of the per-problem draws" for n in range(2, 19)},
    },
    "simulator/model.py": {
        500: "length of the dashboard's feed (presentation only)",
        400: "recent contacts kept for lit edges (presentation only)",
        2: "2**63: the range of seeds",
        63: "2**63: the range of seeds",
    },
    "simulator/kpis.py": {
        90: "the 90th percentile of p90_resolution_hours (a KPI's definition)",
        100: "percentiles are given in percent",
    },
    "simulator/run.py": {16: "length of the scenario hash (metadata)"},
    "simulator/mechanisms/problems.py": {
        2: "an occurrence of 2 or more is a reuse of what is known (DESIGN §5.3b)"
    },
    "simulator/people.py": {2: "the warning's stack level (where the warning points)"},
}


def _literals(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            yield node.lineno, node.value


def test_the_model_reads_no_number_that_is_not_a_scenario_key():
    unexplained = []
    for path in MODEL_FILES:
        if not path.exists():
            continue
        allowed = ALLOWED.get(path.relative_to(ROOT).as_posix(), {})
        for line, value in _literals(path):
            if value in (0, 1) or value in TOLERANCES or value in allowed:
                continue
            unexplained.append(f"{path.relative_to(ROOT)}:{line}: {value!r}")
    assert not unexplained, "numbers the model reads that are not scenario keys:\n" + "\n".join(
        unexplained
    )


def test_the_scan_would_catch_a_hidden_constant(tmp_path):
    sneaky = tmp_path / "sneaky.py"
    sneaky.write_text("def decide(hours):\n    return hours * 1.7\n")
    assert [value for _, value in _literals(sneaky)] == [1.7]


def test_every_allowed_constant_is_still_used():
    # A stale entry would let a real hidden constant of the same value through later.
    for name, allowed in ALLOWED.items():
        values = {value for _, value in _literals(ROOT / name)}
        if name == "simulator/randomness.py":
            continue  # a range of slot indices, not each used
        stale = [value for value in allowed if value not in values]
        assert not stale, f"{name}: allowed but unused {stale}"
