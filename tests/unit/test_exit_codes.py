"""The exit codes of `orgsim`: one table (cli/exit_codes.py), the same one in the README."""

from __future__ import annotations

import re
from pathlib import Path

from cli import exit_codes

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def codes() -> dict[str, int]:
    """The constants of cli.exit_codes."""
    return {k: v for k, v in vars(exit_codes).items() if k.isupper() and isinstance(v, int)}


def test_codes_are_distinct_and_say_what_they_mean():
    assert len(set(codes().values())) == len(codes())
    assert codes() == {
        "OK": 0,
        "FAILED": 1,
        "BAD_INPUT": 2,
        "INTERRUPTED": 130,
        "BROKEN_PIPE": 141,
    }


def test_the_module_documents_every_code():
    documented = {int(c) for c in re.findall(r"^(\d+) +\S", exit_codes.__doc__ or "", re.M)}
    assert documented == set(codes().values())


def test_the_readme_lists_every_code():
    section = README.split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    listed = {int(c) for c in re.findall(r"^\| (\d+) \|", section, re.M)}
    assert listed == set(codes().values())
