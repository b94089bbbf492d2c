"""Every model module is imported here, so that `Base.metadata` (and Alembic's
autogenerate) sees every table. `propctl scaffold repository` adds one line per
entity."""

# ruff: noqa: I001
