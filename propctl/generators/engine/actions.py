"""What a plan does to each file: one `Action` per file (see the engine's package docstring)."""

from __future__ import annotations

import enum


class Action(enum.StrEnum):
    """A plan's verdict for one file. A `str` (StrEnum): `str()`, f-strings and JSON show the bare
    value (`create`), as the plan's JSON and the manifest always have. Declared in the order
    `Plan.counts()` lists them."""

    CREATE = "create"
    ADOPT = "adopt"
    IDENTICAL = "identical"
    UPDATE = "update"
    CONFLICT = "conflict"
    MERGE = "merge"
    SKIP = "skip"
    DELETED = "deleted"
    OBSOLETE = "obsolete"
    PATCH = "patch"
    REFUSED = "refused"


# the actions that write the file
WRITES = frozenset({Action.CREATE, Action.ADOPT, Action.UPDATE, Action.MERGE, Action.PATCH})
# the actions that stop an apply (unless --force)
BLOCKING = (Action.CONFLICT, Action.REFUSED)
