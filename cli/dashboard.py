"""Serve the orgsim dashboard: a live simulation, policies side by side, and the results
of experiments. Open the address it prints in a browser; Ctrl+C stops it.

    orgsim dashboard [--host 127.0.0.1] [--port 8765] [--results DIR]

The command replaces itself with the Solara server of `dashboards.app` (exec), so the pid
that started it is the server's: stopping it (Ctrl+C, SIGTERM) stops the server. Where exec
is not available it runs the server as a child and forwards SIGINT and SIGTERM. It binds to
localhost unless a host is given, switches Solara's usage telemetry off and hides its
banner, and tells the app where experiment results live (`--results`, read by the
Experiments page only under that folder). Nothing heavy is imported here: `orgsim --help`
stays fast.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from pathlib import Path

from cli import exit_codes
from cli.errors import CommandLineError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
APP = "dashboards.app"
RESULTS_ENV = "ORGSIM_DASHBOARD_RESULTS"  # read by dashboards.state


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, got '{text}'") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"a port is between 0 and 65535, got {value}")
    return value


HELP = "serve the live dashboard (Simulate, Compare, Experiments) in a browser"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of `orgsim dashboard`."""
    parser.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address to listen on (default: {DEFAULT_HOST}, this computer only)",
    )
    parser.add_argument(
        "--port", type=_port, default=DEFAULT_PORT, help=f"port (default: {DEFAULT_PORT})"
    )
    parser.add_argument(
        "--results",
        metavar="DIR",
        default=None,
        help="folder of experiment results (from `orgsim sweep --out`) for the Experiments page",
    )


def server_command(host: str, port: int) -> list[str]:
    """The command line of the Solara server."""
    return [
        sys.executable,
        "-m",
        "solara",
        "run",
        APP,
        "--host",
        host,
        "--port",
        str(port),
        "--production",  # no file watching, no reloads in front of a room
        "--no-open",
        "--log-level",
        "warning",
    ]


def server_environment(results: Path | None, base: dict[str, str] | None = None) -> dict[str, str]:
    """The server's environment: telemetry off, no banner, the results root."""
    env = dict(os.environ if base is None else base)
    env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "false"
    env["SOLARA_THEME_SHOW_BANNER"] = "false"
    env["SOLARA_THEME_TITLE"] = "orgsim"
    # Solara warns at the first page served from 127.0.0.1 about cross-site cookies (it
    # matters only inside an iframe over https): noise in a trainer's terminal.
    quiet = "ignore::UserWarning:solara.server.starlette"
    env["PYTHONWARNINGS"] = ",".join(w for w in (env.get("PYTHONWARNINGS", ""), quiet) if w)
    if results is not None:
        env[RESULTS_ENV] = str(results)
    else:
        env.pop(RESULTS_ENV, None)
    return env


def command(args: argparse.Namespace) -> int:
    """Check the options, then become the Solara server."""
    results = None
    if args.results is not None:
        results = Path(args.results).expanduser()
        if not results.is_dir():
            raise CommandLineError(f"--results {args.results}: no such folder")
        results = results.resolve()
    server = server_command(args.host, args.port)
    env = server_environment(results)
    print(
        f"orgsim dashboard on http://{args.host}:{args.port} (Ctrl+C stops it)",
        file=sys.stderr,
        flush=True,
    )
    sys.stdout.flush()
    if os.name == "posix":
        os.execve(server[0], server, env)
        return exit_codes.OK  # not reached: the server has replaced this process
    return _serve_as_child(server, env)


def _serve_as_child(server: list[str], env: dict[str, str]) -> int:
    """Run the server as a child; SIGINT and SIGTERM sent to us are passed on to it."""
    child = subprocess.Popen(server, env=env)

    def forward(signum, _frame) -> None:
        child.send_signal(signum)

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, forward)
    return child.wait()
