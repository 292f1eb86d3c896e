"""tus Concatenation: whether an upload is a partial one or assembled from partial ones.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("upload")}
    if "concat" not in columns:
        with op.batch_alter_table("upload") as batch:
            batch.add_column(sa.Column("concat", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("upload") as batch:
        batch.drop_column("concat")
