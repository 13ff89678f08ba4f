"""The dashboard pages: Simulate, Compare, Experiments."""
