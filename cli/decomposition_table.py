"""`orgsim compare --decompose`: which mechanisms make the lead-time gap between two policies.

    orgsim compare SCENARIO --policies A,B --decompose [--replications N] [--json] [--out DIR]

Checked before any run (exactly two policies that differ in at least one mechanism, else
exit 2), run after the comparison with the same seeds (`experiments.decomposition`), and
shown after it: a table of the mechanisms (from value → to value, contribution with its
95% CI, share of the total), largest first. `--json` adds `"decomposition"` to the
comparison's JSON; `--out DIR` also writes `DIR/decomposition.json`, the same
`{"decomposition": {...}}` object (which `orgsim report` reads).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cli.errors import CommandLineError

if TYPE_CHECKING:
    from experiments.decomposition import Decomposition, Plan
    from simulator.schema import Scenario

FILE_NAME = "decomposition.json"


def add_decompose_option(parser: argparse.ArgumentParser) -> None:
    """The `--decompose` flag of `orgsim compare`."""
    parser.add_argument(
        "--decompose",
        action="store_true",
        help="split the lead-time gap between the two --policies (A,B) into one contribution "
        "per mechanism that differs (Shapley values, same seeds)",
    )


@dataclass
class Decompose:
    """A checked `--decompose`: its plan, then its result once run."""

    plan: Plan
    out: Path | None = None
    result: Decomposition | None = field(default=None, init=False)

    def run(self, replications: int, base_seed: int, workers: int) -> dict[str, Any]:
        """Run every coalition on every seed (progress bar on stderr); write
        `DIR/decomposition.json` with --out; return `{"decomposition": {...}}`."""
        from cli.output import progress_bar, results_only_on_stdout, write_json
        from experiments.decomposition import run

        total = len(self.plan.coalitions) * replications
        label = f"decomposing {self.plan.start.name} → {self.plan.end.name}"
        with progress_bar(total, label) as bar, results_only_on_stdout():
            self.result = run(
                self.plan,
                replications,
                base_seed,
                workers=workers,
                on_run=None if bar is None else lambda: bar("", 0),
            )
        for line in self.result.warnings[len(self.plan.warnings) :]:
            print(line, file=sys.stderr)
        from simulator.run import scenario_hash

        # Which scenario it belongs to, so a report beside other results can check.
        provenance = {
            "scenario": self.plan.scenario.name,
            "scenario_hash": scenario_hash(self.plan.scenario),
        }
        document = {"decomposition": {**self.result.as_json(), **provenance}}
        if self.out is not None:
            self.out.mkdir(parents=True, exist_ok=True)
            write_json(self.out / FILE_NAME, document)
        return document

    def show(self) -> None:
        """The table of contributions, after the comparison's tables."""
        assert self.result is not None, "run() first"
        print_decomposition(self.result)
        if self.out is not None:
            print(f"written to {self.out}/{FILE_NAME}")


def checked_decomposition(
    args: argparse.Namespace, scenario: Scenario, policies: list[str], base_seed: int
) -> Decompose | None:
    """None without --decompose; else the plan of `policies[0] → policies[1]`, its warnings
    printed on stderr. Exit 2 (`CommandLineError`) unless there are exactly two policies
    that differ in some mechanism."""
    if not getattr(args, "decompose", False):
        return None
    from experiments.decomposition import NothingToDecompose, plan
    from simulator.policies import resolve_policy

    if len(policies) != 2:
        raise CommandLineError(
            f"--decompose: needs exactly two policies, --policies FROM,TO (got {len(policies)}: "
            f"{','.join(policies)})"
        )
    start, end = (resolve_policy(p, scenario) for p in policies)
    try:
        chosen = plan(scenario, start, end, base_seed)
    except NothingToDecompose as exc:
        raise CommandLineError(f"--decompose: {exc}: nothing to decompose") from None
    for line in chosen.warnings:
        print(line, file=sys.stderr)
    return Decompose(chosen, getattr(args, "out", None))


def _span(low: float, high: float) -> str:
    import math

    if math.isnan(low):
        return "–"
    return f"{low:+.1f} to {high:+.1f}"


def print_decomposition(result: Decomposition) -> None:
    """Mechanism, from → to, contribution (working days) with its 95% CI, share of the
    total; largest first; then that they add up to the total."""
    from rich.text import Text

    from cli.tables import console, titled_table
    from experiments.display import mechanism_name

    total = result.total()
    n = len(result.seeds)
    how = (
        f"exact Shapley values over {len(result.mechanisms)} mechanisms"
        if result.method == "exact"
        else f"Shapley values sampled from {result.orders} orders (antithetic pairs) of "
        f"{len(result.mechanisms)} mechanisms"
    )
    table = titled_table(
        f"Which mechanisms make the lead-time gap, {result.start} → {result.end} "
        f"({how}; {result.runs} runs, {n} seed{'' if n == 1 else 's'})",
        (
            ("mechanism", "left"),
            (f"{result.start} → {result.end}", "left"),
            ("contribution (days)", "right"),
            ("95% CI", "right"),
            ("share", "right"),
        ),
    )
    for mechanism in result.ranked():
        estimate = result.contribution(mechanism)
        before, after = result.values[mechanism]
        share = f"{estimate.mean / total.mean:.0%}" if total.mean != 0 else "–"
        table.add_row(
            f"{mechanism_name(mechanism)} ({mechanism})",
            f"{before} → {after}",
            f"{estimate.mean:+.2f}",
            _span(estimate.ci_low, estimate.ci_high),
            share,
        )
    table.add_row(
        Text("total", style="bold"),
        "",
        Text(f"{total.mean:+.2f}", style="bold"),
        _span(total.ci_low, total.ci_high),
        "100%" if total.mean != 0 else "–",
    )
    out = console()
    out.print()
    out.print(table)
    added = sum(result.contribution(m).mean for m in result.mechanisms)
    out.print(
        Text(
            f"The contributions add up to {added:+.2f} working days, the total gap "
            f"({result.end} − {result.start} lead time; exactly, seed by seed). "
            "A negative contribution shortens the lead time."
        ),
        soft_wrap=True,
    )
