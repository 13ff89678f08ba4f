"""The Experiments page's paired differences and the shipped sample.

The paired difference to the baseline per swept value is the mean over replicates of
`policy − baseline`, run by run, computed here by hand; the sample folder ships with
the package, is small, and the page shows it (labelled) when no results folder was given.
"""

from __future__ import annotations

import re
import uuid

import ipyvuetify as v
import numpy as np
import pandas as pd
import pytest
import solara
import solara.server.starlette  # the server's widget patches, which rendering needs
from solara.server import kernel, kernel_context

from dashboards import state
from dashboards.pages import experiments
from dashboards.result_charts import paired_figure, png_bytes
from dashboards.results import load_runs, paired_by_parameter, paired_overall, swept_parameters
from dashboards.sample import EXPERIMENT, describe_sample, sample_folder
from experiments.display import parameter_label
from experiments.store import read_manifest

IDENTIFIERS = re.compile(r"\b[a-z]+_[a-z_]+\b")  # as tests/e2e/test_browser_room.py

# lead time of (policy, rate, replicate): a seed effect, a policy effect that grows with
# the rate, and a wobble so that the intervals have a width.
SEED = {0: 30.0, 1: 34.0, 2: 27.0, 3: 31.0}
WOBBLE = {0: 0.5, 1: -1.0, 2: 0.0, 3: 1.5}


def runs() -> pd.DataFrame:
    rows = []
    for cell, rate in enumerate((0.01, 0.05)):
        for r, base in SEED.items():
            for policy, effect in (
                ("hierarchical", 0.0),
                ("cooperative", -100 * rate + WOBBLE[r]),
                ("self_managed", 200 * rate - WOBBLE[r]),
            ):
                rows.append(
                    {
                        "run_id": len(rows),
                        "cell_id": cell,
                        "policy": policy,
                        "replicate": r,
                        "seed": r,
                        "project.problem_rate": rate,
                        "status": "ok",
                        "lead_time_days": base + effect,
                    }
                )
    return pd.DataFrame(rows)


@pytest.mark.parametrize("baseline", ["hierarchical", "cooperative"])
def test_the_paired_difference_per_swept_value_is_the_hand_computation(baseline):
    table = paired_by_parameter(runs(), "lead_time_days", "project.problem_rate", baseline)
    others = [p for p in ("hierarchical", "cooperative", "self_managed") if p != baseline]
    assert list(table["policy"]) == [others[0]] * 2 + [others[1]] * 2
    effect = {
        "hierarchical": lambda rate, r: 0.0,
        "cooperative": lambda rate, r: -100 * rate + WOBBLE[r],
        "self_managed": lambda rate, r: 200 * rate - WOBBLE[r],
    }
    for _, row in table.iterrows():
        rate = row["project.problem_rate"]
        by_hand = [effect[row["policy"]](rate, r) - effect[baseline](rate, r) for r in SEED]
        assert row["mean"] == pytest.approx(np.mean(by_hand))
        # Student t with 3 degrees of freedom: t(0.975, 3) = 3.182446.
        half = 3.182446 * np.std(by_hand, ddof=1) / 2
        assert (row["ci_low"], row["ci_high"]) == pytest.approx(
            (np.mean(by_hand) - half, np.mean(by_hand) + half), abs=1e-5
        )
        assert row["wins"] == sum(d < 0 for d in by_hand) and row["pairs"] == 4


def test_the_overall_difference_and_wins():
    overall = paired_overall(runs(), "lead_time_days", "hierarchical").set_index("policy")
    # Cooperative: −1 and −5 days at the two rates, the wobble averages out over the pairs.
    assert overall.loc["cooperative", "mean"] == pytest.approx(
        -3.0 + np.mean(list(WOBBLE.values()))
    )
    # Lower in every pair but one: at rate 0.01, replicate 3's wobble (+1.5) beats −1.
    assert overall.loc["cooperative", "wins"] == 7 and overall.loc["cooperative", "pairs"] == 8
    # Self-managed: +2 and +10 days less a wobble of at most 1.5: never lower.
    assert overall.loc["self_managed", "wins"] == 0
    assert "hierarchical" not in overall.index


def test_the_paired_figure_draws():
    table = paired_by_parameter(runs(), "lead_time_days", "project.problem_rate", "hierarchical")
    figure = paired_figure(
        table,
        "lead_time_days",
        "project.problem_rate",
        "hierarchical",
        ["hierarchical", "cooperative", "self_managed"],
    )
    axes = figure.axes[0]
    assert axes.get_xlabel() == parameter_label("project.problem_rate")
    assert [line.get_label() for line in axes.get_lines()][:2] == [
        "cooperative − hierarchical",
        "self-managed − hierarchical",
    ]
    assert png_bytes(figure).startswith(b"\x89PNG")


def test_the_sample_ships_small_and_is_what_its_experiment_says():
    folder = sample_folder()
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    assert size < 300 * 1024
    manifest = read_manifest(folder)
    loaded = load_runs(folder)
    assert (loaded["status"] == "ok").all()
    assert list(dict.fromkeys(loaded["policy"])) == EXPERIMENT["policies"]
    rates = EXPERIMENT["parameters"]["project.problem_rate"]
    assert sorted(loaded["project.problem_rate"].unique()) == rates
    assert len(loaded) == len(rates) * len(EXPERIMENT["policies"]) * EXPERIMENT["replications"]
    assert swept_parameters(loaded, manifest) == ["project.problem_rate"]
    assert manifest["scenario"]["name"] == EXPERIMENT["scenario"]
    text = describe_sample(manifest)
    assert text.startswith("Sample results shipped with orgsim: the workshop scenario")
    assert "seeds 2026–2033" in text and "0.01, 0.03, 0.06, 0.1" in text
    assert "self-managed" in text and "problem_rate" not in text


@pytest.fixture
def session():
    context = kernel_context.VirtualKernelContext(
        id=f"test-{uuid.uuid4()}", kernel=kernel.Kernel(), session_id="test"
    )
    with context:
        yield context


def test_without_results_the_page_shows_the_sample_labelled(session, monkeypatch):
    monkeypatch.delenv(state.RESULTS_ENV, raising=False)
    _box, rc = solara.render(experiments.Page(), handle_error=False)
    texts = [str(c) for w in rc.find(v.Html).widgets for c in w.children]
    assert any(t.startswith("Sample results shipped with orgsim") for t in texts)
    assert any(t.startswith("Sample · workshop-problem-rate: 96 runs") for t in texts)
    baseline = rc.find(v.Select, label="Baseline policy").widget
    # Policies by their names on screen; the choice hands back the policy itself.
    assert baseline.items == ["hierarchical", "cooperative", "self-managed"]
    assert baseline.v_model == "hierarchical"
    assert rc.find(v.Select, label="KPI").widget.v_model == "lead time"
    assert rc.find(v.Select, label="Swept parameter").widget.v_model == parameter_label(
        "project.problem_rate"
    )
    paired = paired_table(rc)
    assert "<td>cooperative</td>" in paired and "<td>self-managed</td>" in paired
    assert paired.count(" of 8</td>") == 8  # two policies × four rates, 8 pairs each
    # Another baseline: the differences are taken against it.
    baseline.v_model = "cooperative"
    assert experiments.results_baseline.value == "cooperative"
    paired = paired_table(rc)
    assert "<td>hierarchical</td>" in paired and "<td>cooperative</td>" not in paired
    baseline.v_model = "self-managed"
    assert experiments.results_baseline.value == "self_managed"
    # No internal identifier in any table, headline or download button.
    tables = " ".join(
        str(getattr(w, "unsafe_innerHTML", "") or "") for w in rc.find(solara.widgets.HTML).widgets
    )
    texts = [str(c) for w in rc.find(v.Html).widgets for c in w.children]
    buttons = [str(c) for w in rc.find(v.Btn).widgets for c in w.children]
    for text in [tables, *texts, *buttons]:
        assert IDENTIFIERS.findall(text) == [], text
    assert "<th>95% CI from</th>" in tables and "<th>median</th>" in tables
    experiments.results_baseline.set(None)


def paired_table(rc) -> str:
    # The paired table is the one with a difference column (classes are set in the browser).
    found = [
        w.unsafe_innerHTML
        for w in rc.find(solara.widgets.HTML).widgets
        if "<th>difference</th>" in (w.unsafe_innerHTML or "")
    ]
    assert len(found) == 1
    return found[0]


@pytest.mark.slow
def test_the_shipped_sample_is_what_its_script_writes(tmp_path):
    from dashboards.sample import write_sample

    written = load_runs(write_sample(tmp_path))
    shipped = load_runs(sample_folder())
    columns = [c for c in shipped.columns if c != "elapsed_s"]
    pd.testing.assert_frame_equal(written[columns], shipped[columns])


def test_an_empty_results_folder_says_so_and_shows_the_sample(session, monkeypatch, tmp_path):
    monkeypatch.setenv(state.RESULTS_ENV, str(tmp_path))
    _box, rc = solara.render(experiments.Page(), handle_error=False)
    markdown = " ".join(
        str(getattr(w, "unsafe_innerHTML", "") or "") for w in rc.find(solara.widgets.HTML).widgets
    )
    texts = [str(c) for w in rc.find(v.Html).widgets for c in w.children]
    assert any(t.startswith("Sample · workshop-problem-rate") for t in texts)
    assert rc.find(v.Select, label="Results folder").widgets == []  # nothing to pick yet
    assert "<th>difference</th>" in markdown


def test_a_swept_mechanism_reads_as_words_on_the_figure_axis():
    table = runs().assign(**{"policy.autonomy": ["none", "minor"] * 12})
    by_value = paired_by_parameter(table, "lead_time_days", "policy.autonomy", "hierarchical")
    figure = paired_figure(
        by_value,
        "lead_time_days",
        "policy.autonomy",
        "hierarchical",
        ["hierarchical", "cooperative", "self_managed"],
    )
    ticks = [t.get_text() for t in figure.axes[0].get_xticklabels()]
    assert sorted(ticks) == ["minor problems", "nothing"]
    assert figure.axes[0].get_xlabel() == "what people settle alone"


def test_a_file_button_reads_in_words_and_the_download_keeps_its_name():
    from pathlib import Path

    assert experiments.file_label(Path("lead_time_days.png")) == "lead time.png"
    assert experiments.file_label(Path("paired_gaps.csv")) == "paired gaps.csv"
    assert experiments.file_label(Path("summary.csv")) == "summary.csv"
