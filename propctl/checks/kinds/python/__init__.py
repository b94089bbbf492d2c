"""The `python` kind (`kind`): rules over the target's source, read with `pyast` (parsed, never
imported or run)."""
