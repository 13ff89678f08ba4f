"""Check scenario files (every file is reported) and, for the valid ones, show the
expected problems and the load they put on managers under escalate.

    orgsim validate FILE... [--set KEY=VALUE ...]

What the numbers imply comes from experiments.implications.
"""

from __future__ import annotations

import argparse

from cli import exit_codes
from cli.errors import error, inert_settings, input_error
from cli.options import set_option

HELP = "check scenario files and show what their numbers imply"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of `orgsim validate`."""
    parser.add_argument(
        "files", nargs="+", metavar="FILE", help="scenario files (or built-in names)"
    )
    set_option(parser, "override scenario values in every file, e.g. project.problem_rate=0.05")


def command(args: argparse.Namespace) -> int:
    """Check every file; exit 2 when any is not valid."""
    from experiments.implications import describe, implications
    from simulator.errors import InputError
    from simulator.loading import load_scenario

    bad = 0
    for file in args.files:
        try:
            scenario = load_scenario(file, args.overrides)
        except InputError as err:
            bad += 1
            input_error(err)
            continue
        found = implications(scenario)
        departments = len(scenario.organisation.departments)
        print(
            f"{file}: valid ({scenario.name}: {found.people} people in {departments} "
            f"department{'s' if departments != 1 else ''}, {found.tasks} tasks)"
        )
        for line in describe(found):
            print(line)
        inert_settings(scenario)
    if bad and len(args.files) > 1:
        error(f"{bad} of {len(args.files)} files are not valid")
    return exit_codes.BAD_INPUT if bad else exit_codes.OK
