"""Parts of uploads kept in object storage (storage.S3Storage).

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql import sqltypes

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "uploadpart",
        sa.Column("upload_id", sqltypes.AutoString(length=32), nullable=False),
        sa.Column("offset", sa.Integer(), nullable=False),
        sa.Column("key", sqltypes.AutoString(length=300), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("upload_id", "offset"),
    )


def downgrade() -> None:
    op.drop_table("uploadpart")
