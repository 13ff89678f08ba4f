"""Regenerate docs/validation.md: the model against theory and the directions of effect.

Run with `make validation` (or `python -m tests.validation.report docs/validation.md`).
`--quick` uses few replications (for a smoke test of the report itself); the published
file is made with the full numbers. Every table is computed here; nothing is typed in.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from scipy.optimize import brentq

from experiments.atomic import write_text
from experiments.statistics import t_half_width
from simulator import theory
from simulator.loading import load_scenario
from simulator.model import OrgModel
from simulator.policies import PRESETS
from tests.validation.support import (
    QUEUE_DECISION_HOURS,
    QUEUE_SOURCES,
    department_scenario,
    kpis,
    queue_scenario,
    scenario,
)
from tests.validation.test_critical_path import GENERATED_NETWORK
from tests.validation.test_directions import EXPERT_STUDIO

PRESET_NAMES = list(PRESETS)


def _run(scn, policy, seed) -> OrgModel:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = OrgModel(scn, policy, rng=seed)
        model.run_to_end()
    return model


def _ci(values) -> tuple[float, float]:
    data = np.asarray(list(values), dtype=float)
    half = t_half_width(data.std(ddof=1), len(data)) if len(data) > 1 else 0.0
    return float(data.mean()), half


def _fmt(mean: float, half: float, digits: int = 2) -> str:
    return f"{mean:.{digits}f} ± {half:.{digits}f}"


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def critical_path(reps: int) -> str:
    data = GENERATED_NETWORK
    scn = scenario(data)
    rows = []
    for policy in PRESET_NAMES:
        gaps = []
        for seed in range(reps):
            k = _run(scn, policy, seed).kpis()
            gaps.append(abs(k["lead_time_days"] - k["plan_critical_path_days"]) * 8 * 60)
        rows.append([policy, str(reps), f"{max(gaps):.2e}"])
    return _table(["policy", "networks", "largest |lead time − critical path| (minutes)"], rows)


def queueing(reps: int) -> str:
    sources, decision = QUEUE_SOURCES, QUEUE_DECISION_HOURS
    rows = []
    for target in (0.2, 0.4, 0.6, 0.75, 0.9):
        rate = brentq(
            lambda lam, target=target: (
                theory.machine_repair(sources, lam, 1 / decision).utilisation - target
            ),
            1e-6,
            10,
        )
        expected = theory.machine_repair(sources, rate, 1 / decision)
        scn = scenario(queue_scenario(rate))
        runs = [_run(scn, "queue", s).kpis() for s in range(reps)]
        w = _ci(r["mean_resolution_hours"] for r in runs)
        u = _ci(r["manager_utilization"] for r in runs)
        rows.append(
            [
                f"{rate:.4f}",
                f"{expected.mean_response:.3f}",
                _fmt(*w, 3),
                f"{expected.utilisation:.3f}",
                _fmt(*u, 3),
            ]
        )
    return _table(
        [
            "problem rate per source (per hour)",
            "W theory (h)",
            "W simulated (h, 95% CI)",
            "utilisation theory",
            "utilisation simulated",
        ],
        rows,
    )


def pooled(reps: int) -> str:
    rows = []
    for rate in (0.02, 0.04, 0.06):
        scn = scenario(
            department_scenario(
                30, 3, rate, 2.0, {"minor": 1, "major": 0, "critical": 0}, pooled_leads=True
            )
        )
        expected = theory.machine_repair(30, rate, 0.5, servers=3)
        times = []
        for seed in range(reps):
            model = _run(scn, "queue", seed)
            times.append(
                np.mean(
                    [
                        c.resolved_at - c.raised_at
                        for c in model.problem_records()
                        if c.resolved_at is not None
                    ]
                )
            )
        rows.append(
            [
                f"{rate}",
                f"{expected.mean_response:.3f}",
                _fmt(*_ci(times), 3),
                f"{theory.machine_repair(10, rate, 0.5).mean_response:.3f}",
            ]
        )
    return _table(
        [
            "problem rate",
            "M/M/3//30 W (h)",
            "simulated W (h, 95% CI)",
            "three separate M/M/1//10 W (h)",
        ],
        rows,
    )


def span_of_control(reps: int) -> str:
    rows = []
    for size in (4, 8, 12, 16, 20):
        scn = scenario(
            department_scenario(2 * size, 2, 0.02, 2.0, {"minor": 1, "major": 0, "critical": 0})
        )
        expected = theory.machine_repair(size, 0.02, 0.5)
        runs = [_run(scn, "queue", s).kpis() for s in range(reps)]
        rows.append(
            [
                str(size),
                f"{expected.utilisation:.2f}",
                f"{expected.mean_response:.2f}",
                _fmt(*_ci(r["mean_resolution_hours"] for r in runs)),
            ]
        )
    return _table(
        [
            "team size",
            "lead utilisation (theory)",
            "decision wait theory (h)",
            "simulated (h, 95% CI)",
        ],
        rows,
    )


def lateral_links(reps: int) -> str:
    rows = []
    for links in (0, 1, 2, 4, 8, 16, 64):
        scn = load_scenario("product-launch", [f"organisation.lateral_links={links}"])
        runs = [_run(scn, "hierarchical", s).kpis() for s in range(reps)]
        rows.append(
            [
                str(links),
                _fmt(*_ci(r["max_manager_utilization"] for r in runs)),
                _fmt(*_ci(r["messages"] for r in runs), 0),
                _fmt(*_ci(r["lead_time_days"] for r in runs), 1),
            ]
        )
    return _table(
        ["lateral links", "busiest manager's utilisation", "message hops", "lead time (days)"], rows
    )


def uncertainty_grid(reps: int) -> str:
    rows = []
    for rate in (0.005, 0.02, 0.05):
        for inter in (0.1, 0.3, 0.6):
            scn = load_scenario(
                "product-launch",
                [
                    "project.tasks=80",
                    f"project.problem_rate={rate}",
                    f"project.interdependence={inter}",
                ],
            )
            gaps = [
                _run(scn, "hierarchical", s).kpis()["lead_time_days"]
                - _run(scn, "cooperative", s).kpis()["lead_time_days"]
                for s in range(reps)
            ]
            rows.append([str(rate), str(inter), _fmt(*_ci(gaps))])
    return _table(
        ["problem rate", "interdependence", "hierarchical − cooperative lead time (days, 95% CI)"],
        rows,
    )


def fastest(reps: int) -> str:
    cases = [
        (name, load_scenario(name))
        for name in (
            "apprentice-crew",
            "product-launch",
            "innovation-lab",
            "routine-operations",
            "workshop",
        )
    ]
    cases.append(("expert-studio (tests)", scenario(EXPERT_STUDIO)))
    rows = []
    for name, scn in cases:
        leads = {
            p: [_run(scn, p, s).kpis()["lead_time_days"] for s in range(reps)] for p in PRESET_NAMES
        }
        means = {p: _ci(v) for p, v in leads.items()}
        best = min(means, key=lambda p: means[p][0])
        rows.append([name, *(_fmt(*means[p], 1) for p in PRESET_NAMES), best])
    return _table(["scenario", *PRESET_NAMES, "fastest"], rows)


def common_random_numbers(reps: int) -> str:
    scn = load_scenario("workshop")
    hier = np.array([_run(scn, "hierarchical", s).kpis()["lead_time_days"] for s in range(reps)])
    coop = np.array([_run(scn, "cooperative", s).kpis()["lead_time_days"] for s in range(reps)])
    other = np.array(
        [_run(scn, "cooperative", 10_000 + s).kpis()["lead_time_days"] for s in range(reps)]
    )
    paired, unpaired = np.var(hier - coop, ddof=1), np.var(hier - other, ddof=1)
    return _table(
        [
            "replications",
            "variance of paired differences",
            "variance of unpaired differences",
            "ratio",
        ],
        [[str(reps), f"{paired:.3f}", f"{unpaired:.3f}", f"{paired / unpaired:.3f}"]],
    )


def orientation(reps: int) -> str:
    """Where orientation pays (novices on a long project) and where it costs more than it
    saves (product-launch): cooperative with and without its sessions, paired."""
    from dataclasses import replace

    cooperative = PRESETS["cooperative"]
    without = replace(cooperative, name="cooperative without orientation", management="command")
    cases = [
        (
            "apprentice-crew stretched to 1,200 tasks",
            load_scenario(
                "apprentice-crew",
                ["project.tasks=1200", "time.horizon_days=3000", "project.deadline_days=600"],
            ),
            max(3, reps // 2),
        ),
        ("product-launch", load_scenario("product-launch"), reps),
    ]
    rows = []
    for name, scn, n in cases:
        with_sessions = [kpis(scn, cooperative, s) for s in range(n)]
        no_sessions = [kpis(scn, without, s) for s in range(n)]
        diff = [
            a["lead_time_days"] - b["lead_time_days"]
            for a, b in zip(with_sessions, no_sessions, strict=True)
        ]
        rows.append(
            [
                name,
                str(n),
                _fmt(np.mean([r["lead_time_days"] for r in with_sessions]), 0.0, 1).split(" ")[0],
                _fmt(np.mean([r["lead_time_days"] for r in no_sessions]), 0.0, 1).split(" ")[0],
                _fmt(*_ci(diff)),
                f"{np.mean([r['orientation_hours'] for r in with_sessions]):.0f}",
            ]
        )
    return _table(
        [
            "scenario",
            "paired runs",
            "with orientation (days)",
            "without (days)",
            "difference (days)",
            "orientation hours",
        ],
        rows,
    )


def presets_and_mechanisms(reps: int) -> str:
    """The presets on every shipped scenario and one mechanism at a time (presets_tables)."""
    from concurrent.futures import ProcessPoolExecutor

    from tests.validation.presets_tables import one_at_a_time, presets_table

    with ProcessPoolExecutor(2) as pool:
        return (
            presets_table(reps, pool)
            + "\n\nOne mechanism at a time from each preset on product-launch (paired):\n\n"
            + one_at_a_time(reps, pool)
        )


SECTIONS = [
    (
        "Critical path",
        "Problem rate 0, zero communication times and as many people as tasks: lead time must "
        "equal the plan's critical path under every preset (tests/validation/test_critical_path.py).",
        critical_path,
    ),
    (
        "One manager as a finite-source queue",
        "One department escalates every problem to its manager, who has no "
        "other duty: the machine-repairman model M/M/1//N with N = 10 collaborators and exponential decisions of "
        "2 hours (tests/validation/test_queueing.py).",
        queueing,
    ),
    (
        "Pooled team leads as M/M/c",
        "Three team leads sharing one queue of problems from 30 collaborators, against "
        "M/M/3//30, and what the same leads give unpooled (tests/validation/test_organisation.py).",
        pooled,
    ),
    (
        "Span of control",
        "Two teams, each under a team lead: as a team grows, the lead's load ρ rises and the "
        "decision wait grows like 1/(1 − ρ) (finite-source formula per lead).",
        span_of_control,
    ),
    (
        "Lateral links (Dodds, Watts & Sabel)",
        "product-launch under the hierarchy with a growing number of random "
        "cross-department links: a handful carries most of the messages the managers relayed.",
        lateral_links,
    ),
    (
        "Uncertainty × interdependence (Galbraith)",
        "The hierarchical − cooperative lead-time gap on paired seeds, "
        "product-launch with 80 tasks: it grows with the problem rate and the interdependence.",
        uncertainty_grid,
    ),
    (
        "Which preset is fastest where",
        "Mean lead time (working days, 95% CI) on paired seeds. No preset wins "
        "everywhere: the hierarchy wins with novices under an expert supervisor (its decisions save rework), "
        "self-management among experts meeting frequent major problems in their own field, cooperation where problems cross "
        "professions.",
        fastest,
    ),
    (
        "Common random numbers",
        "The same seed gives the same problems on the same tasks under every policy, so "
        "paired differences vary far less than differences between independent runs.",
        common_random_numbers,
    ),
    (
        "Model version 2: where orientation pays, and where it costs",
        "Cooperation with its orientation sessions against the same policy without them "
        "(management `command`), paired. Novices on a long project learn from the sessions "
        "(coaching raises their expertise, so they meet fewer problems and decide better); on "
        "product-launch the sessions cost more hours than the coaching saves.",
        orientation,
    ),
    (
        "Model version 2: the presets everywhere, and one mechanism at a time",
        "Mean lead time, manager utilisation, flow efficiency and the critical-path split of "
        "each preset on each shipped scenario; then the paired effect on product-launch of "
        "changing one mechanism of a preset (a change that moves nothing is named by "
        "`orgsim validate`; tests/validation/test_inert.py).",
        presets_and_mechanisms,
    ),
]


EXPERIMENT_FIGURES = ("lead-time.png", "parameter-1.png")


def shipped_experiments(results: Path, images: Path) -> list[str]:
    """Sections for the shipped experiments (experiments/files), from their results folders."""
    from experiments.tables import markdown_summary

    parts = [
        "## Shipped experiments",
        "",
        "The experiment files in `experiments/files/` are swept in full by `make validation`; "
        "each table is the mean lead time per cell and policy (95% CI) with the paired wins "
        "against the first policy.",
        "",
    ]
    images.mkdir(parents=True, exist_ok=True)
    files = Path(__file__).resolve().parents[2] / "experiments" / "files"
    for spec in sorted(files.glob("*.yaml")):
        folder = results / spec.stem
        if not (folder / "runs").is_dir():
            continue
        command = (
            f"orgsim sweep experiments/files/{spec.name} --out results/{spec.stem}"
            f" && orgsim report results/{spec.stem}"
        )
        sensitivity = _sensitivity_table(folder)
        if sensitivity:
            # A sampled design has a cell per sample: its ranking of parameters says more.
            parts += [f"### {spec.stem}", "", sensitivity, "", f"Regenerate with `{command}`.", ""]
        else:
            parts += [f"### {spec.stem}", "", markdown_summary(folder, command=command)]
        for figure in EXPERIMENT_FIGURES:
            if (folder / figure).is_file():
                target = images / f"{spec.stem}-{figure}"
                shutil.copyfile(folder / figure, target)
                parts += [f"![{spec.stem}: {figure[:-4]}](images/validation/{target.name})", ""]
    return parts


def _sensitivity_table(folder: Path) -> str:
    """Parameters ranked by their effect on lead time (Morris μ* or Sobol ST), per policy."""
    import pandas as pd

    path = folder / "sensitivity.csv"
    if not path.is_file():
        return ""
    table = pd.read_csv(path)
    table = table[(table["kpi"] == "lead_time_days") & table["index"].isin(["mu_star", "ST"])]
    if table.empty:
        return ""
    index = table["index"].iloc[0]
    policies = list(dict.fromkeys(table["policy"]))
    order = table.groupby("parameter")["value"].mean().sort_values(ascending=False).index.tolist()
    name = "μ* (working days)" if index == "mu_star" else "total-order index ST"
    rows = []
    for parameter in order:
        cells = []
        for policy in policies:
            row = table[(table["parameter"] == parameter) & (table["policy"] == policy)].iloc[0]
            cells.append(f"{row['value']:.2f} ({row['ci_low']:.2f} to {row['ci_high']:.2f})")
        rows.append([f"`{parameter}`", *cells])
    noise = table.groupby("policy")["noise_share"].first()
    note = ", ".join(f"{p} {100 * noise[p]:.1f}%" for p in policies)
    return "\n".join(
        [
            f"Parameters ranked by their effect on lead time: {name} with 95% bootstrap CIs, per policy. "
            f"Share of the variance due to replication noise: {note}.",
            "",
            _table(["parameter", *policies], rows),
        ]
    )


def build(quick: bool, results: Path | None = None, images: Path | None = None) -> str:
    reps = 3 if quick else 12
    parts = [
        "# Validation",
        "",
        "The model is checked against results nobody here wrote: the critical path of a task network, "
        "queueing formulas (`simulator/theory.py`), and directions of effect from organisation theory. "
        "The fast versions of these checks run in `make test` (tests/validation/, tolerances of 4 standard "
        "errors derived from the replications); this page is the long version, regenerated by",
        "",
        "```sh",
        "make validation",
        "```",
        "",
        f"Replications per point: {reps}. Figures are means with 95% confidence intervals (Student t).",
        "",
    ]
    for title, text, section in SECTIONS:
        started = time.perf_counter()
        print(f"validation: {title} ...", file=sys.stderr, flush=True)
        parts += [f"## {title}", "", text, "", section(reps), ""]
        print(
            f"validation: {title} done in {time.perf_counter() - started:.0f} s",
            file=sys.stderr,
            flush=True,
        )
    if results is not None and images is not None:
        parts += shipped_experiments(results, images)
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path, help="the markdown file to write (docs/validation.md)")
    parser.add_argument("--quick", action="store_true", help="few replications (a smoke test)")
    parser.add_argument(
        "--experiments", type=Path, help="the results folders of the shipped experiments"
    )
    args = parser.parse_args(argv)
    images = args.out.parent / "images" / "validation"
    text = build(args.quick, args.experiments, images)
    write_text(args.out, text + "\n")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
