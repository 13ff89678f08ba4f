"""Write one self-contained HTML page (figures embedded) with the PNG and SVG figures and,
for a sweep, its CSV tables next to it.

    orgsim report DIR [--out FILE]

DIR is a results folder of `orgsim sweep` or a folder of `orgsim compare --out`.

The report itself is experiments.report.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from cli import exit_codes

HELP = "write the HTML report of a sweep's or a comparison's results folder"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of `orgsim report`."""
    parser.add_argument(
        "folder",
        metavar="DIR",
        help="a results folder written by orgsim sweep or orgsim compare --out",
    )
    parser.add_argument(
        "--out",
        type=Path,
        metavar="FILE",
        help="the HTML file (default: DIR/report.html); figures and CSV go next to it",
    )


def command(args: argparse.Namespace) -> int:
    """Write the report; say where it is and what came with it."""
    from experiments.report import write_report

    report = write_report(args.folder, args.out)
    print(f"report: {report.html}")
    tables = f" and {', '.join(p.name for p in report.tables)}" if report.tables else ""
    print(
        f"with {len(report.pngs)} figures (PNG at 300 dpi, and SVG){tables} in {report.html.parent}"
    )
    return exit_codes.OK
