"""How `orgsim` reports trouble: `error: ...` lines on stderr, never a traceback unless
ORGSIM_DEBUG=1, and the same warning filters for every command."""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simulator.errors import InputError

DEBUG = "ORGSIM_DEBUG"


class CommandLineError(Exception):
    """A bad command-line value found after parsing (exit 2). Its text is one line."""


def debugging() -> bool:
    """Whether ORGSIM_DEBUG asks for tracebacks and library warnings."""
    return os.environ.get(DEBUG, "").strip() not in ("", "0")


def error(message: str) -> None:
    """Print `error: message` on stderr."""
    print(f"error: {message}", file=sys.stderr)


def input_error(err: InputError) -> None:
    """Print a bad-input error: its located lines (`error: FILE:LINE: ...`), at most three."""
    for line in err.lines():
        print(line, file=sys.stderr)


def unexpected(exc: BaseException, debug: bool) -> None:
    """Print a failure nobody planned for: its type and first line (the traceback first
    when debugging)."""
    if debug:
        import traceback

        traceback.print_exception(exc)
    text = str(exc).strip()
    message = text.splitlines()[0] if text else ""
    detail = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    hint = "" if debug else f" ({DEBUG}=1 shows the traceback)"
    error(detail + hint)


@contextmanager
def library_notices_hidden(debug: bool) -> Iterator[None]:
    """Library notices are not for users: Mesa announces experimental APIs (FutureWarning),
    NumPy warns on empty means (RuntimeWarning), plotting and Dask libraries give advice
    (UserWarning). ORGSIM_DEBUG=1 shows them."""
    from simulator.errors import ScenarioWarning

    def show(message, category, filename, lineno, file=None, line=None) -> None:
        if issubclass(category, ScenarioWarning):
            # Already a located `warning: FILE:LINE: ...` line: print it as it is.
            print(str(message), file=sys.stderr)
        else:
            shown(message, category, filename, lineno, file, line)

    shown = warnings.showwarning
    with warnings.catch_warnings():
        if not debug:
            for category in (FutureWarning, RuntimeWarning, UserWarning):
                warnings.simplefilter("ignore", category)
        # What a user wrote that will not act as they may expect is never hidden.
        warnings.simplefilter("default", ScenarioWarning)
        warnings.showwarning = show
        yield


def inert_settings(scenario, policies: list | None = None, *, chosen_only: bool = False) -> None:
    """Print, on stderr, the named warnings for settings that cannot act in `scenario`
    under `policies` and for policies that break the nesting of levels.

    `chosen_only`: only what the user chose (the scenario's own keys and policies, policies
    changed by a sweep), not what a preset always leaves idle (`orgsim validate` says it).
    """
    from simulator.inert import inert_settings as found
    from simulator.policies import PRESETS

    for warning in found(scenario, policies):
        preset = warning.policy in PRESETS and PRESETS[warning.policy] == _policy(
            scenario, warning.policy, policies
        )
        if chosen_only and preset:
            continue
        print(warning.render(), file=sys.stderr)


def _policy(scenario, name: str, policies: list | None):
    for policy in policies or []:
        if getattr(policy, "name", policy) == name and not isinstance(policy, str):
            return policy
    from simulator.policies import resolve_policy

    return resolve_policy(name, scenario)


def stop_writing_stdout() -> None:
    """Send whatever is still to be written to stdout nowhere (its reader went away), so
    that flushing it at exit raises nothing."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
