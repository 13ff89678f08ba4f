"""Tables of model version 2: the presets on every shipped scenario, and the effect of
changing one mechanism at a time from each preset on product-launch (paired seeds).

    python -m tests.validation.presets_tables [--replications N] [--out FILE]

Prints markdown (or writes it to FILE); `make validation` puts it in docs/validation.md.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

import numpy as np

from experiments.atomic import write_text
from experiments.statistics import mean_ci
from simulator.loading import builtin_names, load_scenario
from simulator.policies import MECHANISMS, PRESETS, mechanism_values
from simulator.run import run_one

SPLIT = (
    "cp_work_days",
    "cp_rework_days",
    "cp_information_wait_days",
    "cp_decision_wait_days",
    "cp_problem_solving_days",
    "cp_coordination_days",
    "cp_other_work_days",
    "cp_queue_days",
)


def _kpis(job: tuple) -> dict:
    scenario, policy, seed = job
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return run_one(load_scenario(scenario), policy, seed).kpis


def presets_table(replications: int, pool: ProcessPoolExecutor) -> str:
    """Mean lead time, its split and manager utilisation of each preset on each scenario."""
    rows = [
        "| scenario | preset | lead time (days) | manager util. | flow eff. | "
        + " | ".join(k.removeprefix("cp_").removesuffix("_days").replace("_", " ") for k in SPLIT)
        + " |",
        "|---|---|---|---|---|" + "---|" * len(SPLIT),
    ]
    fastest = []
    for name in builtin_names():
        jobs = [(name, p, s) for p in PRESETS for s in range(replications)]
        results = list(pool.map(_kpis, jobs))
        means = {}
        for i, policy in enumerate(PRESETS):
            runs = results[i * replications : (i + 1) * replications]
            lead = mean_ci([r["lead_time_days"] for r in runs])
            means[policy] = lead.mean
            rows.append(
                f"| {name} | {policy} | {lead.mean:.1f} ± {(lead.ci_high - lead.ci_low) / 2:.1f} | "
                f"{np.mean([r['manager_utilization'] for r in runs]):.3f} | "
                f"{np.mean([r['flow_efficiency'] for r in runs]):.2f} | "
                + " | ".join(f"{np.mean([r[k] for r in runs]):.1f}" for k in SPLIT)
                + " |"
            )
        fastest.append(f"| {name} | {min(means, key=means.get)} |")
    return "\n".join([*rows, "", "| scenario | fastest preset (mean) |", "|---|---|", *fastest])


def one_at_a_time(replications: int, pool: ProcessPoolExecutor) -> str:
    """Paired change of lead time when one mechanism of a preset changes (product-launch)."""
    rows = [
        "| preset | change | lead time change (days, 95% CI) | manager util. change |",
        "|---|---|---|---|",
    ]
    for name, preset in PRESETS.items():
        base = list(pool.map(_kpis, [("product-launch", preset, s) for s in range(replications)]))
        for mechanism in MECHANISMS:
            for value in mechanism_values(mechanism):
                if value == getattr(preset, mechanism):
                    continue
                changed = replace(preset, name=f"{name}+{mechanism}", **{mechanism: value})
                runs = list(
                    pool.map(_kpis, [("product-launch", changed, s) for s in range(replications)])
                )
                diff = mean_ci(
                    [
                        b["lead_time_days"] - a["lead_time_days"]
                        for a, b in zip(base, runs, strict=True)
                    ]
                )
                util = np.mean(
                    [
                        b["manager_utilization"] - a["manager_utilization"]
                        for a, b in zip(base, runs, strict=True)
                    ]
                )
                rows.append(
                    f"| {name} | {mechanism}: {getattr(preset, mechanism)} → {value} | "
                    f"{diff.mean:+.2f} ({diff.ci_low:+.2f} to {diff.ci_high:+.2f}) | {util:+.3f} |"
                )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=10)
    parser.add_argument("--out")
    args = parser.parse_args(argv)
    with ProcessPoolExecutor(2) as pool:
        text = (
            "### The presets on every shipped scenario\n\n"
            f"Means over {args.replications} paired seeds; lead time with its 95% CI half-width; "
            "the critical-path split in working days.\n\n"
            + presets_table(args.replications, pool)
            + "\n\n### One mechanism at a time from each preset (product-launch)\n\n"
            f"Paired over {args.replications} seeds: the change minus the preset.\n\n"
            + one_at_a_time(args.replications, pool)
            + "\n"
        )
    if args.out:
        write_text(Path(args.out), text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
