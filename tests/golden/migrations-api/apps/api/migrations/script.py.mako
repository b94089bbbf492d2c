<%
    def _ids(value):
        if not value:
            return "base"
        return value if isinstance(value, str) else ", ".join(value)
%>"""${message}

Revision ID: ${up_revision}
Revises: ${_ids(down_revision)}
Create Date: ${create_date}

Written by Alembic (`propctl migrations new`). Revisions are append-only:
once applied anywhere, add a new revision instead of editing this one.
"""

from collections.abc import Sequence

import sqlalchemy as sa  # noqa: F401 - used by most revisions, not by an empty one
from alembic import op  # noqa: F401
${imports if imports else ""}
# revision identifiers, used by Alembic.
revision: str = ${repr(up_revision)}
down_revision: str | Sequence[str] | None = ${repr(down_revision)}
branch_labels: str | Sequence[str] | None = ${repr(branch_labels)}
depends_on: str | Sequence[str] | None = ${repr(depends_on)}


def upgrade() -> None:
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    ${downgrades if downgrades else "pass"}
