"""Compare's banners: who leads while the runs go on, the finish and the gap once they end."""

from __future__ import annotations

import pytest

from dashboards.simulation import Lockstep
from dashboards.standing import bar_widths, standings
from simulator.loading import load_scenario


@pytest.fixture
def lockstep():
    return Lockstep(load_scenario("workshop"), ["hierarchical", "cooperative", "self_managed"], 3)


def test_standings_from_the_start_to_the_finish(lockstep):
    at_start = standings(lockstep.frames())
    assert [s.headline for s in at_start] == ["day 0.0"] * 3
    assert [s.gap for s in at_start] == ["", "", ""]  # nobody leads before anything happens

    lockstep.advance(80.0)
    frames = lockstep.frames()
    done = [f.now["tasks_done"] for f in frames]
    for standing, tasks in zip(standings(frames), done, strict=True):
        behind = max(done) - tasks
        assert standing.ahead == (behind == 0)
        assert standing.gap == (
            "leading" if behind == 0 else f"{behind} task" + "s" * (behind > 1) + " behind"
        )

    while lockstep.running:
        lockstep.advance(16.0)
    frames = lockstep.frames()
    final = standings(frames)
    first = min(f.day for f in frames)
    for frame, standing in zip(frames, final, strict=True):
        assert standing.headline == f"finished day {frame.day:.1f}"
        gap = frame.day - first
        assert standing.gap == ("first" if gap < 0.05 else f"+{gap:.1f} days")
    assert sum(s.ahead for s in final) >= 1


def test_cost_bars_share_one_scale(lockstep):
    lockstep.advance(80.0)
    frames = lockstep.frames()
    widths = bar_widths(frames)
    for key in ("decision_wait_hours", "rework_hours"):
        values = [f.kpis[key] for f in frames]
        assert max(values) > 0  # ten working days: every policy has waited and redone some
        assert max(w[key] for w in widths) == pytest.approx(1.0)
        for w, value in zip(widths, values, strict=True):
            assert w[key] == pytest.approx(value / max(values))
