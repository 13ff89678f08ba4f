"""Decomposing the lead-time gap between two policies into Shapley contributions.

The Shapley arithmetic is checked on value functions written by hand (no simulation); the
simulated decompositions use the small workshop project (20 tasks) and a few seeds.
"""

from __future__ import annotations

import json
import math
import re
import shlex
from dataclasses import replace
from fractions import Fraction
from itertools import combinations

import numpy as np
import pytest

from cli.main import main
from experiments import decomposition
from experiments.decomposition import (
    NothingToDecompose,
    coalition_policy,
    decompose,
    differing_mechanisms,
    order_marginals,
    permutation_orders,
    plan,
    shapley_exact,
    shapley_sampled,
)
from experiments.worker import kpis_of_run
from simulator.loading import load_scenario
from simulator.policies import DEPARTMENT_MECHANISMS, MECHANISMS, PRESETS

SMALL = ["project.tasks=20"]
SEED = 5
# cooperative and self_managed differ in four mechanisms: 16 coalitions per seed.
FOUR = {"problem_solving", "autonomy", "authority", "management"}


def workshop(*values: str):
    return load_scenario("workshop", [*SMALL, *values])


@pytest.fixture(scope="module")
def forward():
    return decompose(workshop(), "cooperative", "self_managed", 3, SEED)


# --- Shapley values of functions written by hand --------------------------------------------


def test_exact_values_of_a_three_player_game_computed_by_hand():
    table = {"": 0, "a": 1, "b": 2, "c": 0, "ab": 5, "ac": 1, "bc": 2, "abc": 6}
    calls = []

    def value(coalition):
        calls.append(coalition)
        return Fraction(table["".join(sorted(coalition))])

    found = shapley_exact(["a", "b", "c"], value)
    # φ_a = 1/3·1 + 1/6·(5−2) + 1/6·(1−0) + 1/3·(6−2) = 7/3, and so on.
    assert found == {"a": Fraction(7, 3), "b": Fraction(10, 3), "c": Fraction(1, 3)}
    assert sorted(map(sorted, calls)) == sorted(map(sorted, map(set, table)))  # each once


def _game(players: list[str], seed: int):
    """v(S) = Σ a_i + Σ b_ij over pairs in S + c when three chosen players are all in S:
    φ_i = a_i + Σ_j b_ij / 2 + c / 3 for those three."""
    rng = np.random.default_rng(seed)
    a = {
        p: Fraction(int(x))
        for p, x in zip(players, rng.integers(-20, 20, len(players)), strict=True)
    }
    b = {pair: Fraction(int(rng.integers(-10, 10))) for pair in combinations(players, 2)}
    trio, c = frozenset(players[:3]), Fraction(9)

    def value(coalition):
        return (
            sum((a[p] for p in coalition), Fraction(0))
            + sum((x for (i, j), x in b.items() if i in coalition and j in coalition), Fraction(0))
            + (c if trio <= coalition else 0)
        )

    exact = {
        p: a[p]
        + sum((x for pair, x in b.items() if p in pair), Fraction(0)) / 2
        + (c / 3 if p in trio else 0)
        for p in players
    }
    return value, exact


def test_exact_values_of_pairwise_and_three_way_interactions():
    players = [f"m{i}" for i in range(6)]
    value, exact = _game(players, 3)
    found = shapley_exact(players, value)
    assert found == exact
    assert sum(found.values()) == value(frozenset(players)) - value(frozenset())


def test_sampled_values_are_unbiased_within_four_standard_errors():
    players = [f"m{i}" for i in range(12)]  # beyond EXACT_UP_TO
    value, exact = _game(players, 4)
    pairs = 300
    orders = permutation_orders(players, pairs, seed=11)
    marginals = order_marginals(orders, value)
    everyone = value(frozenset(players)) - value(frozenset())
    assert all(sum(m.values()) == everyone for m in marginals)  # each order adds up exactly
    estimate = shapley_sampled(players, value, orders)
    assert sum(estimate.values()) == everyone
    for p in players:
        # An antithetic pair (an order and its reverse) is one independent draw.
        draws = [float(marginals[2 * i][p] + marginals[2 * i + 1][p]) / 2 for i in range(pairs)]
        se = np.std(draws, ddof=1) / math.sqrt(pairs)
        assert abs(float(estimate[p] - exact[p])) <= 4 * se + 1e-12, p


def test_sampled_values_of_an_additive_game_are_exact():
    players = [f"m{i}" for i in range(11)]
    weights = {p: Fraction(i * 3 - 7) for i, p in enumerate(players)}
    orders = permutation_orders(players, 5, seed=2)
    found = shapley_sampled(players, lambda s: sum((weights[p] for p in s), Fraction(0)), orders)
    assert found == weights


# --- which mechanisms, and the coalition policies -------------------------------------------


def test_only_the_mechanisms_that_differ_are_players():
    scenario = workshop()
    assert (
        set(differing_mechanisms(scenario, PRESETS["cooperative"], PRESETS["self_managed"])) == FOUR
    )
    assert differing_mechanisms(scenario, PRESETS["hierarchical"], PRESETS["cooperative"]) == list(
        MECHANISMS
    )
    same = replace(PRESETS["cooperative"], name="same")
    with pytest.raises(NothingToDecompose, match="differ in no mechanism"):
        plan(scenario, PRESETS["cooperative"], same, SEED)


def test_a_policy_that_differs_only_inside_one_department():
    scenario = workshop()
    start = PRESETS["cooperative"]
    end = replace(start, name="legal_apart", departments=(("legal", PRESETS["hierarchical"]),))
    differing = differing_mechanisms(scenario, start, end)
    # Only what legal's own policy changes inside a department.
    assert set(differing) == {
        m for m in DEPARTMENT_MECHANISMS if getattr(start, m) != getattr(PRESETS["hierarchical"], m)
    }


def test_the_empty_and_full_coalitions_run_as_the_two_policies():
    # A department with a policy of its own makes the coalitions carry department entries.
    scenario = workshop("organisation.departments[legal].policy=hierarchical")
    start, end = PRESETS["cooperative"], PRESETS["self_managed"]
    chosen = plan(scenario, start, end, SEED)
    for seed in (SEED, SEED + 1):
        assert kpis_of_run(scenario, chosen.policy(frozenset()), seed) == kpis_of_run(
            scenario, start, seed
        )
        assert kpis_of_run(scenario, chosen.policy(frozenset(FOUR)), seed) == kpis_of_run(
            scenario, end, seed
        )


def test_a_department_that_keeps_its_own_value_is_named():
    scenario = workshop("organisation.departments[legal].policy=hierarchical")
    chosen = plan(scenario, PRESETS["cooperative"], PRESETS["self_managed"], SEED)
    named = [w for w in chosen.warnings if "legal" in w]
    assert len(named) == len(FOUR)  # every differing mechanism is an in-department one
    assert all(w.startswith("warning: decomposition: ") for w in named)
    policy = coalition_policy(scenario, PRESETS["cooperative"], PRESETS["self_managed"], FOUR)
    assert dict(policy.departments)["legal"].problem_solving == "escalate"
    assert dict(policy.departments)["design"].problem_solving == "consensus"


def test_a_policy_that_breaks_the_nesting_is_not_said_to_be_unable_to_act():
    # Collective problem solving without peer coordination or a shared space breaks the
    # nesting of levels (compare warns about it), but it still acts.
    start = replace(
        PRESETS["cooperative"], name="apart", coordination="meetings", shared_space=False
    )
    end = replace(start, name="apart_consensus", problem_solving="consensus")
    chosen = plan(workshop(), start, end, SEED)
    assert chosen.mechanisms == ("problem_solving",)
    assert chosen.warnings == ()
    without_problems = plan(workshop("project.problem_rate=0"), start, end, SEED)
    assert [w.split(":")[2].strip() for w in without_problems.warnings] == ["problem_solving"]


# --- simulated decompositions ---------------------------------------------------------------


def test_contributions_add_up_exactly_to_the_gap_seed_by_seed(forward):
    scenario = workshop()
    assert set(forward.contributions) == FOUR
    assert forward.runs == 16 * 3 and forward.method == "exact"
    for i, seed in enumerate(forward.seeds):
        gap = Fraction(kpis_of_run(scenario, "self_managed", seed)["lead_time_days"]) - Fraction(
            kpis_of_run(scenario, "cooperative", seed)["lead_time_days"]
        )
        assert forward.totals[i] == gap
        assert sum(c[i] for c in forward.contributions.values()) == gap
    assert any(c != 0 for c in forward.totals)  # the check above is not 0 == 0


def test_decomposing_back_gives_exactly_the_opposite(forward):
    back = decompose(workshop(), "self_managed", "cooperative", 3, SEED)
    assert back.totals == tuple(-t for t in forward.totals)
    for m in FOUR:
        assert back.contributions[m] == tuple(-c for c in forward.contributions[m])
    there, here = forward.as_json(), back.as_json()
    assert here["total"]["mean"] == -there["total"]["mean"]
    assert here["contributions"]["problem_solving"]["ci_low"] == (
        -there["contributions"]["problem_solving"]["ci_high"]
    )


def test_a_mechanism_that_cannot_act_gets_exactly_nothing():
    # Without problems, problem solving, autonomy and authority never act; management does
    # (orientation sessions under cooperative, none under self_managed).
    scenario = workshop("project.problem_rate=0")
    found = decompose(scenario, "cooperative", "self_managed", 2, SEED)
    for m in ("problem_solving", "autonomy", "authority"):
        assert found.contributions[m] == (0, 0)
    assert found.contributions["management"] == found.totals
    assert any(t != 0 for t in found.totals)
    assert {w.split(":")[2].strip() for w in found.warnings} >= {
        "problem_solving",
        "autonomy",
        "authority",
    }


def test_the_numbers_do_not_depend_on_the_number_of_workers(monkeypatch, forward):
    import experiments.compare as compare_module

    # A pool however small the work.
    monkeypatch.setattr(compare_module, "POOL_START_S", 0.0)
    monkeypatch.setattr(compare_module, "free_cores", lambda: 2.0)
    monkeypatch.setattr(decomposition, "UNIT_RUNS", 5)
    ticks = []
    parallel = decompose(
        workshop(),
        "cooperative",
        "self_managed",
        3,
        SEED,
        workers=2,
        on_run=lambda: ticks.append(1),
    )
    assert parallel == forward
    assert len(ticks) == forward.runs


def test_beyond_ten_mechanisms_the_values_are_sampled_and_still_add_up(monkeypatch):
    monkeypatch.setattr(decomposition, "EXACT_UP_TO", 2)
    found = decompose(workshop(), "cooperative", "self_managed", 2, SEED, pairs=3)
    assert found.method == "sampled" and found.orders == 6
    assert found.as_json()["method"] == "sampled"
    for i in range(2):
        assert sum(c[i] for c in found.contributions.values()) == found.totals[i]
    assert found.runs < 16 * 2 + 1  # only the coalitions the orders pass through


# --- the command line -----------------------------------------------------------------------


def test_decompose_needs_exactly_two_policies(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["compare", "workshop", "--decompose", "--set", *SMALL, "--out", str(out)])
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "error: --decompose: needs exactly two policies, --policies FROM,TO "
        "(got 3: hierarchical,cooperative,self_managed)"
    ]
    assert not out.exists()


def test_decompose_refuses_two_policies_that_do_not_differ(tmp_path, capsys):
    from pathlib import Path

    text = (Path(__file__).parents[2] / "scenarios" / "workshop.yaml").read_text(encoding="utf-8")
    path = tmp_path / "same.yaml"
    path.write_text(text + "\npolicies:\n  same: {base: cooperative}\n", encoding="utf-8")
    code = main(["compare", str(path), "--policies", "cooperative,same", "--decompose"])
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "error: --decompose: cooperative and same differ in no mechanism: nothing to decompose"
    ]


def test_decompose_json_and_file(tmp_path, capsys):
    out = tmp_path / "out"
    args = ["compare", "workshop", "--policies", "cooperative,hybrid", "--decompose"]
    code = main([*args, "--replications", "3", "--set", *SMALL, "--json", "--out", str(out)])
    assert code == 0
    printed = json.loads(capsys.readouterr().out)
    document = printed["decomposition"]
    assert {"from", "to", "total", "contributions"} <= set(document)
    assert (document["from"], document["to"]) == ("cooperative", "hybrid")
    # hybrid is cooperative with problem solving by escalation: one mechanism, the whole gap.
    assert list(document["contributions"]) == ["problem_solving"]
    assert document["contributions"]["problem_solving"] == document["total"]
    assert set(document["total"]) == {"mean", "ci_low", "ci_high"}
    assert document["total"]["mean"] == pytest.approx(
        printed["differences"]["hybrid"]["lead_time_days"]["mean"], abs=1e-9
    )
    assert json.loads((out / "decomposition.json").read_text()) == {"decomposition": document}


def test_the_command_of_docs_experiments(capsys):
    # docs/experiments.md, "Which mechanisms make the gap": its command as written.
    from pathlib import Path

    doc = (Path(__file__).parents[2] / "docs" / "experiments.md").read_text(encoding="utf-8")
    section = doc.split("## Which mechanisms make the gap")[1].split("\n## ")[0]
    (line,) = [ln for ln in re.findall(r"```sh\n(.*?)```", section, flags=re.S)]
    args = shlex.split(line.strip())
    assert args[:2] == ["orgsim", "compare"] and "--decompose" in args
    assert main(args[1:]) == 0
    shown = capsys.readouterr().out
    assert "Which mechanisms make the lead-time gap, cooperative → self_managed" in shown
    assert "experts → consensus" in shown
    assert "add up to" in shown
