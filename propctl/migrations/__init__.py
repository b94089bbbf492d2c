"""Alembic migrations for a service in the target repo, driven through Alembic's Python API
(`alembic.command`, `Config`, `ScriptDirectory`, autogenerate) inside this process.

- `target`     which folder `--service S` means (`api` -> `paths.api`, else `apps/<S>-service`),
               and whether its code is flat or under `app/`
- `isolation`  import a service's modules (`database`, `models`...) and forget them afterwards
- `urls`       URLs masked for messages, checked, connected to (unreachable -> exit 2)
- `translate`  Alembic's, SQLAlchemy's and the service's exceptions -> located propctl errors
- `diffs`      autogenerate's differences in words
- `formatting` new revisions through the repository's own formatter
- `runner`     `Migrations`: new / upgrade / downgrade / current / heads / check
"""
