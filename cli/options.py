"""Options several commands share, and the checks of their values done before anything
runs or is written (a bad value raises CommandLineError: exit 2, one `error:` line)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from cli.errors import CommandLineError

if TYPE_CHECKING:
    from simulator.schema import Scenario

MAX_SEED = 2**63 - 1


# --- the options -------------------------------------------------------------------------------


def scenario_argument(parser: argparse.ArgumentParser) -> None:
    """SCENARIO: a file or a built-in name."""
    parser.add_argument(
        "scenario",
        metavar="SCENARIO",
        help="a scenario file, or a built-in name (orgsim scenarios)",
    )


def set_option(parser: argparse.ArgumentParser, help_text: str) -> None:
    """`--set KEY=VALUE ...`, repeatable, collected in `args.overrides`."""
    parser.add_argument(
        "--set",
        dest="overrides",
        action="extend",
        nargs="+",
        default=[],
        metavar="KEY=VALUE",
        help=help_text + " (several may follow one --set; repeatable)",
    )


def common_options(parser: argparse.ArgumentParser, seed_help: str) -> None:
    """`--seed`, `--set` and `--json`, as `run` and `compare` take them."""
    parser.add_argument("--seed", type=int, metavar="N", help=seed_help)
    set_option(parser, "override scenario values, e.g. project.problem_rate=0.05")
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")


# --- the checks --------------------------------------------------------------------------------


def check_policies(scenario: Scenario, names: Sequence[str], option: str) -> list[str]:
    """The policy names, each known to the scenario (a `-` may stand for `_`), else exit 2."""
    from simulator.policies import policy_names, resolve_policy

    known = policy_names(scenario)
    checked = []
    for name in names:
        if name not in known and name.replace("-", "_") in known:
            name = name.replace("-", "_")
        try:
            resolve_policy(name, scenario)
        except ValueError as exc:
            raise CommandLineError(f"{option} {name}: {exc}") from None
        if name in checked:
            raise CommandLineError(f"{option} {name}: policy given twice")
        checked.append(name)
    return checked


def split_policies(text: str | None) -> list[str]:
    """`a, b,c` -> [a, b, c]; None -> the three presets."""
    from simulator.policies import PRESETS

    if text is None:
        return list(PRESETS)
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        raise CommandLineError(f"--policies: give at least one policy name (got {text!r})")
    return names


def check_seed(seed: int | None, scenario: Scenario, last_offset: int = 0) -> int:
    """The seed to use (the scenario's when not given), checked to be in 0 … 2^63 − 1."""
    chosen = scenario.seed if seed is None else seed
    if chosen < 0 or chosen + last_offset > MAX_SEED:
        raise CommandLineError(
            f"--seed: must be between 0 and {MAX_SEED - last_offset} (got {chosen})"
        )
    return chosen


def overwrite_option(parser: argparse.ArgumentParser) -> None:
    """`--overwrite`: let --out replace the files an earlier run wrote there."""
    parser.add_argument(
        "--overwrite",
        action="store_true",
        help="replace the files an earlier run wrote in the --out folder (else exit 2)",
    )


def check_out(out: Path | None, files: Sequence[str] = (), overwrite: bool = False) -> Path | None:
    """An --out folder that can be created (or exists as a folder), else exit 2. Of `files`
    (what the command writes there), none may exist already unless `overwrite`: nothing a
    user produced is replaced unasked. Checked before anything runs."""
    if out is None:
        if overwrite:
            raise CommandLineError("--overwrite: only with --out (there is nothing to replace)")
        return None
    if out.exists() and not out.is_dir():
        raise CommandLineError(f"--out {out}: exists and is not a folder")
    for parent in out.parents:
        if parent.exists():
            if not parent.is_dir():
                raise CommandLineError(f"--out {out}: {parent} is not a folder")
            break
    existing = [name for name in files if (out / name).exists()]
    if existing and not overwrite:
        raise CommandLineError(
            f"--out {out}: {', '.join(existing)} already there (from an earlier run); "
            "choose another folder or add --overwrite to replace "
            f"{'it' if len(existing) == 1 else 'them'}"
        )
    return out


def workers_option(parser: argparse.ArgumentParser) -> None:
    """`--workers N`: local worker processes (default: one per core)."""
    parser.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="local worker processes (default: one per core; 1 runs in this process)",
    )


def check_workers(workers: int | None) -> int:
    """The number of local workers asked for (default: one per core), else exit 2."""
    if workers is not None and workers < 1:
        raise CommandLineError(f"--workers: must be at least 1 (got {workers})")
    from experiments.executors import cpu_count

    return workers if workers is not None else cpu_count()
