"""`orgsim`: the parser of every command, and the one entry point that runs them.

The commands are the modules of COMMANDS, in the order `orgsim --help` lists them; each
module's docstring shows its usage. `main` parses, hides library notices (not with
ORGSIM_DEBUG=1), runs the command's handler and turns what escapes it into an exit code of
`cli.exit_codes`, printed the way of `cli.errors`. Results go to stdout, errors and
progress to stderr.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from types import ModuleType

from cli import (
    calibrate,
    compare,
    dashboard,
    diagnose,
    errors,
    exit_codes,
    report,
    run,
    scenarios,
    sweep,
    validate,
)
from cli.errors import CommandLineError
from simulator.errors import InputError

# In the order `orgsim --help` lists them.
COMMANDS = (run, compare, diagnose, calibrate, validate, scenarios, sweep, report, dashboard)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of `orgsim` and its commands."""
    parser = argparse.ArgumentParser(
        prog="orgsim",
        description=(
            "Simulate an organisation at work: the same project under hierarchical, "
            "cooperative or self-managed policies."
        ),
        epilog="Bad input exits with code 2; ORGSIM_DEBUG=1 shows tracebacks of failures.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in COMMANDS:
        sub = commands.add_parser(
            name(command), help=command.HELP, description=description(command)
        )
        command.add_arguments(sub)
        sub.set_defaults(handler=command.command)
    return parser


def name(command: ModuleType) -> str:
    """A command's name: its module's (`cli/run.py` is `orgsim run`)."""
    return command.__name__.rpartition(".")[2]


def description(command: ModuleType) -> str:
    """What `orgsim NAME --help` opens with: the first paragraph of the command's module
    docstring (argparse rewraps it)."""
    return (command.__doc__ or "").split("\n\n", 1)[0]


def _leave_objects_to_exit() -> None:
    """The process ends once the command is done (`argv` None: the `orgsim` program): its
    objects go with it. Python's last garbage collections over everything Mesa, pandas and
    SciPy import took 0.14 s of every command's exit (measured: `import mesa` then exit,
    0.14 s; with the objects frozen, 0.03 s). Files are all closed by then."""
    import gc

    gc.freeze()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the `orgsim` command line; returns the exit code (see `cli.exit_codes`)."""
    debug = errors.debugging()
    try:
        args = build_parser().parse_args(argv)
        with errors.library_notices_hidden(debug):
            code = args.handler(args)
        # A reader that went away is found here, not while Python exits.
        sys.stdout.flush()
        if argv is None:
            _leave_objects_to_exit()
        return code
    except InputError as err:
        errors.input_error(err)
        return exit_codes.BAD_INPUT
    except CommandLineError as err:
        errors.error(str(err))
        return exit_codes.BAD_INPUT
    except KeyboardInterrupt:
        errors.error("interrupted")
        return exit_codes.INTERRUPTED
    except BrokenPipeError:
        errors.stop_writing_stdout()
        return exit_codes.BROKEN_PIPE
    except Exception as exc:
        errors.unexpected(exc, debug)
        return exit_codes.FAILED
