"""Data access, one repository per entity (`propctl scaffold repository`)."""

# ruff: noqa: I001
from repositories.agent_repository import AgentRepository  # noqa: F401
