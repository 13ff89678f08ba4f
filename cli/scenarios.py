"""List the built-in scenarios, one per line: NAME  DESCRIPTION.

    orgsim scenarios [--json]

With --json: a JSON list of {name, description, people, tasks}.
"""

from __future__ import annotations

import argparse

from cli import exit_codes
from cli.errors import input_error
from cli.output import print_json

HELP = "list the built-in scenarios"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of `orgsim scenarios`."""
    parser.add_argument(
        "--json", action="store_true", help="a JSON list of {name, description, people, tasks}"
    )


def command(args: argparse.Namespace) -> int:
    """One line per built-in scenario, or a JSON list."""
    from experiments.implications import people_count, task_count
    from simulator.errors import InputError
    from simulator.loading import builtin_names, load_scenario

    entries = []
    broken = []
    for name in builtin_names():
        try:
            scenario = load_scenario(name)
        except InputError as err:
            broken.append(err)
            continue
        entries.append(
            {
                "name": name,
                "description": " ".join(scenario.description.split()),
                "people": people_count(scenario),
                "tasks": task_count(scenario),
            }
        )
    if args.json:
        print_json(entries)
    else:
        width = max((len(e["name"]) for e in entries), default=0)
        for entry in entries:
            print(f"{entry['name']:<{width}}  {entry['description']}".rstrip())
    for err in broken:
        input_error(err)
    # A broken built-in is our fault, not the user's: exit 1, not 2.
    return exit_codes.FAILED if broken else exit_codes.OK
