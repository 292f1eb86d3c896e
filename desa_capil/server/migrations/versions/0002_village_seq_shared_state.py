"""tus Upload-Metadata kept for HEAD; a change sequence per village; shared state and rate
buckets in the database.

Existing changes keep their numbers (``village_seq = seq``), so a village's stored cursor
stays valid; each village's counter starts after its highest number.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql import sqltypes

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("upload") as b:
        b.add_column(sa.Column("upload_metadata", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("change") as b:
        b.add_column(sa.Column("village_seq", sa.Integer(), nullable=True))
    op.execute("UPDATE change SET village_seq = seq")
    with op.batch_alter_table("change") as b:
        b.alter_column("village_seq", existing_type=sa.Integer(), nullable=False)
        b.drop_index("ix_change_village_seq")
        b.create_unique_constraint("uq_change_village_seq", ["village_id", "village_seq"])
    op.execute(
        "INSERT INTO counter (name, value) "
        "SELECT 'village:' || CAST(v.id AS VARCHAR), COALESCE(MAX(c.village_seq), 0) "
        "FROM village v LEFT JOIN change c ON c.village_id = v.id GROUP BY v.id"
    )
    op.create_table(
        "sharedstate",
        sa.Column("name", sqltypes.AutoString(length=40), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "ratebucket",
        sa.Column("key", sqltypes.AutoString(length=80), nullable=False),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )


def downgrade() -> None:
    op.drop_table("ratebucket")
    op.drop_table("sharedstate")
    op.execute("DELETE FROM counter WHERE name LIKE 'village:%'")
    with op.batch_alter_table("change") as b:
        b.drop_constraint("uq_change_village_seq", type_="unique")
        b.create_index("ix_change_village_seq", ["village_id", "seq"])
        b.drop_column("village_seq")
    with op.batch_alter_table("upload") as b:
        b.drop_column("upload_metadata")
