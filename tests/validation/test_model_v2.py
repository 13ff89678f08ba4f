"""Version 2 against its closed forms: consensus rounds, the learning curve of the
collaborative memory, coaching, and positive confrontation.

Each check compares a measured quantity with the value the model's rule implies, with a
tolerance of `Z` (4) standard errors derived from the sample size; seeds are fixed. Every
quantity is read from public records (`problem_records`, `item_records`) and KPIs.
"""

from __future__ import annotations

import itertools
import math
import warnings

import numpy as np
import pytest

from simulator.model import OrgModel
from tests.validation.support import ZERO_TIMES, Z, kpis, scenario

HOURS_PER_DAY = 8


def _scenario(departments, days, project=None, timing=None, behaviour=None, **policy):
    """Departments with more work than the horizon allows, every wait zero unless named."""
    return scenario(
        {
            "name": "v2",
            "time": {"hours_per_day": HOURS_PER_DAY, "horizon_days": days},
            "organisation": {"departments": departments, "director": False},
            "project": {
                "tasks": 20000,
                "dependency_density": 0,
                "interdependence": 0,
                "effort_hours": {"dist": "lognormal", "mean": 8, "cv": 0.5},
                "complexity": 1,
                "foreign_field_share": 0,
                "severity": {"minor": 0.5, "major": 0.5, "critical": 0},
                **(project or {}),
            },
            "timing": {**ZERO_TIMES, "self_fix_hours": 0, **(timing or {})},
            "rework": {"fraction": 0},
            "behaviour": behaviour or {},
            "policies": {
                "v2": {
                    "base": "cooperative",
                    "coordination": "none",
                    "shared_space": False,
                    "management": "command",
                    "confrontation": "none",
                    **policy,
                }
            },
        }
    )


def _run(scn, seed: int) -> OrgModel:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = OrgModel(scn, "v2", rng=seed, log_items=True)
        model.run_to_end()
    return model


def _z(observed: float, expected: float, variance: float) -> float:
    return (observed - expected) / math.sqrt(variance)


# --- consensus ---------------------------------------------------------------------------------

AGREEMENT = 0.9


@pytest.mark.parametrize("size", [2, 4, 8])
def test_the_share_of_failed_rounds_is_one_minus_agreement_to_the_n_minus_one(size):
    # One team of `size` deliberates on every problem; under `command` a failed round goes
    # to the manager, so each problem is one round: a Bernoulli trial.
    scn = _scenario(
        [{"name": "a", "collaborators": size}],
        days=600 / size,  # about 2,500 rounds whatever the size
        project={"problem_rate": 0.5, "learning_rate": 1.0},
        timing={"consensus_hours_per_member": 0},
        behaviour={"consensus_agreement": AGREEMENT},
        problem_solving="consensus",
        autonomy="none",
        authority="manager",
    )
    result = kpis(scn, "v2", 1)
    rounds, failed = result["consensus_rounds"], result["consensus_failures"]
    expected = 1 - AGREEMENT ** (size - 1)
    assert rounds == result["problems_raised"] > 2000
    assert result["arbitrations"] == failed
    assert abs(_z(failed / rounds, expected, expected * (1 - expected) / rounds)) <= Z


# --- the collaborative memory ------------------------------------------------------------------


@pytest.mark.parametrize("learning_rate", [0.8, 0.5])
def test_resolution_time_by_occurrence_follows_wrights_law(learning_rate):
    # One person settles every problem alone, of a few classes, with random self-fix
    # hours (lognormal, cv 0.5): log(hours) = log(draw) − b log k, so the least-squares
    # slope of log hours on log k estimates −b, b = −log2(learning rate).
    cv = 0.5
    scn = _scenario(
        [{"name": "a", "collaborators": 1}],
        days=150,
        project={
            "problem_rate": 0.5,
            "problem_classes": 5,
            "learning_rate": learning_rate,
            "learning_floor": 0,
        },
        timing={"self_fix_hours": {"dist": "lognormal", "mean": 1.0, "cv": cv}},
        autonomy="major",
    )
    x, y = [], []
    for seed in (1, 2):
        for p in _run(scn, seed).problem_records():
            if p.resolved_at is not None:
                x.append(math.log(p.occurrence))
                y.append(math.log(p.resolved_at - p.raised_at))
    x, y = np.array(x), np.array(y)
    slope, intercept = np.polyfit(x, y, 1)
    residual = y - (slope * x + intercept)
    se = math.sqrt(residual.var(ddof=2) / ((x - x.mean()) ** 2).sum())
    b = -math.log2(learning_rate)
    assert len(x) > 1000 and x.max() > math.log(100)
    assert abs(slope + b) <= Z * se
    # The residuals are the draws' own spread: normal with variance log(1 + cv²), whose
    # sample variance has a standard error of variance × sqrt(2 / (n − 2)).
    spread = math.log1p(cv * cv)
    assert abs(residual.var(ddof=2) - spread) <= Z * spread * math.sqrt(2 / (len(x) - 2))


def _distinct(classes: int, draws: int) -> tuple[float, float]:
    """Mean and variance of the number of distinct classes among `draws` uniform draws."""
    c = classes
    miss = (1 - 1 / c) ** draws
    mean = c * (1 - miss)
    variance = c * miss + c * (c - 1) * (1 - 2 / c) ** draws - c * c * miss * miss
    return mean, variance


def test_a_shared_space_reuses_knowledge_far_more_often_than_individual_memory():
    # Ten people settle their own problems alone, at once, among 100 classes. A problem
    # reuses knowledge when its class was met before: by anyone (shared space) or by its
    # raiser (individual memory). Given how many problems each raised, the reuses follow
    # the occupancy law: problems − distinct classes met.
    classes = 100
    scn = {
        shared: _scenario(
            [{"name": "a", "collaborators": 10}],
            days=25,
            project={"problem_rate": 0.25, "problem_classes": classes, "learning_rate": 0.8},
            autonomy="major",
            shared_space=shared,
        )
        for shared in (False, True)
    }
    reuses = {}
    for shared in (False, True):
        observed = expected = variance = 0.0
        for seed in (1, 2, 3):
            model = _run(scn[shared], seed)
            raised = model.problem_records()
            counts = [len(raised)] if shared else list(_by_raiser(raised).values())
            for n in counts:
                mean, var = _distinct(classes, n)
                expected += n - mean
                variance += var
            observed += model.kpis()["knowledge_reuses"]
        assert abs(_z(observed, expected, variance)) <= Z
        reuses[shared] = observed
    assert reuses[True] > 3 * reuses[False]


def _by_raiser(raised) -> dict[str, int]:
    counts: dict[str, int] = {}
    for p in raised:
        counts[p.raiser] = counts.get(p.raiser, 0) + 1
    return counts


# --- coaching --------------------------------------------------------------------------------

E0, GAIN, CEILING, PROBLEM_RATE = 0.3, 0.05, 0.9, 0.5
EARLY = 20  # sessions: expertise 0.69 after them


def test_coaching_follows_the_closed_form_up_to_the_ceiling():
    # A novice (0.3) settles every problem alone and meets the manager every 2 hours. No
    # record shows a person's expertise, but a self-fix has the quality of the raiser's
    # expertise, and problems arrive at problem_rate × 2 × (1 − expertise) per hour of
    # work: both must follow e_m = ceiling − (ceiling − e0)(1 − gain)^m after m sessions.
    scn = _scenario(
        [{"name": "a", "collaborators": 1, "expertise": E0}],
        days=60,
        project={"problem_rate": PROBLEM_RATE, "learning_rate": 1.0},
        timing={
            "self_fix_hours": {"dist": "exponential", "mean": 0.25},
            "orientation_hours": 0.5,
            "orientation_interval_days": 0.25,
        },
        behaviour={"coaching_gain": GAIN, "coaching_ceiling": CEILING},
        autonomy="major",
        management="orient",
    )
    # Problems met in the first EARLY sessions and after them, expected, and hours worked.
    observed, expected, worked = np.zeros(2), np.zeros(2), np.zeros(2)
    for seed in (1, 2, 3):
        model = _run(scn, seed)
        items = [i for i in model.item_records() if i.person == "a 1"]
        coached = sorted(i.ended_at for i in items if i.kind == "orientation")
        assert len(coached) > 200
        raised = model.problem_records()
        for p in raised:
            m = sum(1 for t in coached if t <= p.resolved_at)
            assert p.quality == pytest.approx(_expertise(m), abs=1e-12)
        # Expected problems: the rate at each expertise times the hours worked at it.
        bounds = [0.0, *coached, model.end_time]
        busy = [(i.started_at, i.ended_at) for i in items]
        for m, (start, end) in enumerate(itertools.pairwise(bounds)):
            hours = end - start - sum(max(0.0, min(e, end) - max(s, start)) for s, e in busy)
            expected[int(m >= EARLY)] += PROBLEM_RATE * 2 * (1 - _expertise(m)) * hours
            worked[int(m >= EARLY)] += hours
        for p in raised:
            observed[int(sum(1 for t in coached if t <= p.raised_at) >= EARLY)] += 1
    # Problems are a Poisson process in the hours worked: variance = mean.
    for k in range(2):
        assert abs(_z(observed[k], expected[k], expected[k])) <= Z
    # Later the novice is nearly at the ceiling and meets far fewer problems an hour.
    assert _expertise(len(coached)) == pytest.approx(CEILING, abs=1e-3)
    early, late = observed / worked
    assert late < early / 2


def _expertise(sessions: int) -> float:
    return CEILING - (CEILING - E0) * (1 - GAIN) ** sessions


# --- positive confrontation ---------------------------------------------------------------------

CONFRONTATION_GAIN = 0.3
WEIGHTS = {"minor": 0.2, "major": 0.5}  # rework severity weights (the defaults)
PEOPLE = 6  # per department, each holding one long task


def test_confrontation_raises_quality_by_gain_times_one_minus_q_and_rework_falls():
    # Two departments of people of uneven expertise each hold one long task and settle
    # every problem alone; under `positive` a colleague of the other department challenges
    # each answer. With no extra work from rework (fraction 0) the same problems meet both
    # policies (common random numbers): the same holder, quality and rework draw.
    departments = [
        {"name": name, "collaborators": PEOPLE, "expertise": 0.5, "expertise_sd": 0.15}
        for name in ("a", "b")
    ]
    plan = [
        {"id": f"{name}{i}", "department": name, "effort_hours": 800}
        for name in ("a", "b")
        for i in range(PEOPLE)
    ]
    scn = {
        value: _scenario(
            departments,
            days=1000,
            project={
                "tasks": plan,
                "problem_rate": 0.1,
                "learning_rate": 1.0,
                "problem_classes": 1_000_000,
            },
            timing={"self_fix_hours": 0.5, "confrontation_hours": 0.25},
            behaviour={"confrontation_gain": CONFRONTATION_GAIN},
            autonomy="major",
            confrontation=value,
        )
        for value in ("none", "positive")
    }
    # Reworked problems: observed, expected from each problem's quality, variance.
    stats = {value: np.zeros(3) for value in scn}
    reworked = {value: set() for value in scn}
    for seed in (1, 2, 3, 4):
        records = {}
        for value in scn:
            model = _run(scn[value], seed)
            assert model.kpis()["finished"]
            records[value] = {(p.task, p.number): p for p in model.problem_records()}
            for p in records[value].values():
                chance = (1 - p.quality) * WEIGHTS[p.severity]
                stats[value] += (p.rework, chance, chance * (1 - chance))
                if p.rework:
                    reworked[value].add((seed, p.task, p.number))
            if value == "none":
                without = model.kpis()["decision_quality"]
            else:
                # The mean quality rises by gain × (1 − q), q the mean quality without.
                rise = model.kpis()["decision_quality"] - without
                assert rise == pytest.approx(CONFRONTATION_GAIN * (1 - without), abs=1e-12)
        assert records["positive"].keys() == records["none"].keys()
        for key, p in records["positive"].items():
            q = records["none"][key].quality
            assert p.quality_before_confrontation == q
            assert p.quality == pytest.approx(q + (1 - q) * CONFRONTATION_GAIN, abs=1e-12)
    # Each policy's rework follows its own qualities.
    for observed, expected, variance in stats.values():
        assert abs(_z(observed, expected, variance)) <= Z
    # Rework falls accordingly: a problem reworked with a challenge is reworked without one,
    # and of those reworked without, a share 1 − gain still is (its draw is uniform below
    # (1 − q) × weight, and the challenge takes that bound to (1 − gain) of it).
    assert reworked["positive"] <= reworked["none"]
    n, kept = len(reworked["none"]), len(reworked["positive"])
    g = CONFRONTATION_GAIN
    assert n > 500
    assert abs(_z(kept, (1 - g) * n, n * g * (1 - g))) <= Z
