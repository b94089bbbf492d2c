"""Alembic migrations for a service in the target repo, driven through Alembic's Python API
(`alembic.command`, `Config`, `ScriptDirectory`, autogenerate) inside this process.

- `target`    which folder `--service S` means (`api` -> `paths.api`, else `apps/<S>-service`)
- `isolation` import a service's modules (`database`, `models`...) and forget them afterwards
- `urls`      the database URL to use, masked for messages, and connection errors made readable
- `runner`    init / new / upgrade / downgrade / current / heads / check
"""
