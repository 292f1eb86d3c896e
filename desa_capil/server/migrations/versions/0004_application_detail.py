"""Catalog 2025.1 facts of an application (server/bundles.py) in a table of their own.

A database made before this revision may already have it (made by ``create_all``).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if sa.inspect(op.get_bind()).has_table("applicationdetail"):
        return
    op.create_table(
        "applicationdetail",
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("details_json", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["application_id"], ["application.id"]),
        sa.PrimaryKeyConstraint("application_id"),
    )


def downgrade() -> None:
    op.drop_table("applicationdetail")
