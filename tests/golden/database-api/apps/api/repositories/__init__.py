"""Data access, one repository per entity (`propctl scaffold repository`)."""

# ruff: noqa: I001
