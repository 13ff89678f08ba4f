"""The calibrated scenario file that `orgsim calibrate --out FILE` writes.

It is the user's own scenario file (not the validated model: keys left to their defaults
stay unwritten, a plan or people file stays a file) with the `--set` values and the fitted
values set, and its `tasks_file` / `people_file` pointed at the same files from the new
file's folder. A comment on top says where the values come from. The text is loaded
before it is written, so a file that `orgsim run` would refuse is never written.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

if TYPE_CHECKING:
    from experiments.calibration import Calibration

# Keys whose value is a file name relative to the scenario's folder.
FILE_KEYS = (("organisation", "people_file"), ("project", "tasks_file"))


def calibrated_text(
    scenario_source: str, overrides: Sequence[str], calibration: Calibration, out: Path
) -> str:
    """The YAML text of the calibrated scenario, to be written at `out` (checked to load)."""
    from simulator.loading import assignments, parse_scenario, resolve_source
    from simulator.overrides import apply_assignments
    from simulator.reading import read_mapping, read_text

    path = resolve_source(scenario_source)
    data, _ = read_mapping(read_text(path, str(path)), str(path), toml=path.suffix == ".toml")
    data, _ = apply_assignments(data, [*overrides, *assignments(calibration.values())])
    for keys in FILE_KEYS:
        block = data.get(keys[0])
        if isinstance(block, dict) and isinstance(block.get(keys[1]), str):
            target = (path.parent / block[keys[1]]).resolve()
            block[keys[1]] = Path(os.path.relpath(target, out.resolve().parent)).as_posix()
    lines = [f"# Calibrated by orgsim calibrate from {scenario_source}"]
    lines += [
        f"# {key}: {f.value:g} (90% interval {f.low:g}–{f.high:g}) under {calibration.policy}"
        for key, f in calibration.fitted.items()
    ]
    text = "\n".join(lines) + "\n" + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    parse_scenario(text, source=str(out), base_dir=out.resolve().parent)
    return text
