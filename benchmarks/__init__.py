"""Performance measurements (scripts, not tests): `python -m benchmarks.run`."""
