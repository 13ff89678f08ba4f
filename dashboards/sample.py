"""The sample results the Experiments page shows out of the box.

A small sweep of the built-in `workshop` scenario over the problem rate, shipped with
orgsim (`dashboards/sample_results/`, under 300 KB) so that the page is never empty: the
dashboard shows it when it was started without `--results`, or when the results folder
holds nothing yet, and labels it as a sample with its inputs. Regenerate it with

    python -m dashboards.sample

which runs `EXPERIMENT` with the sweep engine (the same numbers on any machine).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

SAMPLE_ROOT = Path(__file__).resolve().parent / "sample_results"
SAMPLE_NAME = "workshop-problem-rate"
EXPERIMENT: dict[str, Any] = {
    "name": "workshop-problem-rate",
    "description": (
        "Sample shipped with orgsim: the workshop scenario under three policies as problems "
        "become more frequent."
    ),
    "scenario": "workshop",
    "policies": ["hierarchical", "cooperative", "self_managed"],
    "replications": 8,
    "seed": 2026,
    "parameters": {"project.problem_rate": [0.01, 0.03, 0.06, 0.1]},
}


def sample_folder() -> Path:
    """The shipped sample results folder."""
    return SAMPLE_ROOT / SAMPLE_NAME


def describe_sample(manifest: dict[str, Any]) -> str:
    """The sample's inputs in one sentence (from its manifest)."""
    from experiments.display import parameter_label, policy_name

    scenario = manifest.get("scenario", {}).get("name", EXPERIMENT["scenario"])
    seed = manifest.get("base_seed", EXPERIMENT["seed"])
    replications = manifest.get("replications", EXPERIMENT["replications"])
    swept = "; ".join(
        f"{parameter_label(key)} = {', '.join(str(v) for v in values)}"
        for key, values in EXPERIMENT["parameters"].items()
    )
    return (
        f"Sample results shipped with orgsim: the {scenario} scenario, policies "
        f"{', '.join(map(policy_name, manifest.get('policies', EXPERIMENT['policies'])))}; "
        f"{swept}; "
        f"{replications} paired replications (seeds {seed}–{seed + replications - 1}). "
        "Start the dashboard with --results DIR to see your own sweeps."
    )


def write_sample(root: Path = SAMPLE_ROOT) -> Path:
    """Run the sample sweep into `root/SAMPLE_NAME` (replacing what is there)."""
    from experiments.sweep import run_sweep

    folder = root / SAMPLE_NAME
    if folder.exists():
        shutil.rmtree(folder)
    run_sweep(EXPERIMENT, folder, workers=1)
    for transient in folder.glob(".*"):  # the sweep's lock file
        if transient.is_file():
            transient.unlink()
    return folder


if __name__ == "__main__":
    written = write_sample()
    size = sum(p.stat().st_size for p in written.rglob("*") if p.is_file())
    print(f"sample written to {written} ({size / 1024:.0f} KB)")
