"""Checks: one module per kind under `kinds/`, the engine that runs them, the file index."""
