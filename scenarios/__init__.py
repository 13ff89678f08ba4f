"""The built-in scenario library: YAML files in this folder, loaded by name."""

from __future__ import annotations

from simulator.loading import builtin_dir, builtin_names, load_scenario

__all__ = ["builtin_dir", "builtin_names", "load"]


def load(name: str, overrides: tuple[str, ...] = ()):
    """The built-in scenario `name`, validated (with optional `KEY=VALUE` overrides)."""
    return load_scenario(name, overrides)
