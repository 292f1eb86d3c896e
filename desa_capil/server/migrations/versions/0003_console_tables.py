"""The office console's tables (desa_capil.server.console).

A database made between the console's arrival and this revision already has them (made by
``create_all``): only the missing ones are created.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql import sqltypes

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TABLES = ("console_hold", "console_duplicate", "console_session", "console_staff", "console_reason")


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if all(t in existing for t in TABLES):
        return
    if "console_reason" not in existing:
        op.create_table(
            "console_reason",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("kind", sqltypes.AutoString(length=16), nullable=False),
            sa.Column("text", sa.Text(), nullable=False),
            sa.Column("created_at", sqltypes.UTCDateTime(), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_console_reason_kind"), "console_reason", ["kind"], unique=False)
    if "console_staff" not in existing:
        op.create_table(
            "console_staff",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("username", sqltypes.AutoString(length=32), nullable=False),
            sa.Column("full_name", sqltypes.AutoString(length=100), nullable=False),
            sa.Column("role", sqltypes.AutoString(length=16), nullable=False),
            sa.Column("password_hash", sqltypes.AutoString(length=200), nullable=False),
            sa.Column("active", sa.Boolean(), nullable=False),
            sa.Column("failed_logins", sa.Integer(), nullable=False),
            sa.Column("locked_until", sqltypes.UTCDateTime(), nullable=True),
            sa.Column("created_at", sqltypes.UTCDateTime(), nullable=False),
            sa.Column("last_login_at", sqltypes.UTCDateTime(), nullable=True),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_console_staff_username"), "console_staff", ["username"], unique=True)
    if "console_session" not in existing:
        op.create_table(
            "console_session",
            sa.Column("token_hash", sqltypes.AutoString(length=64), nullable=False),
            sa.Column("staff_id", sa.Integer(), nullable=False),
            sa.Column("csrf_token", sqltypes.AutoString(length=64), nullable=False),
            sa.Column("created_at", sqltypes.UTCDateTime(), nullable=False),
            sa.Column("last_seen_at", sqltypes.UTCDateTime(), nullable=False),
            sa.Column("expires_at", sqltypes.UTCDateTime(), nullable=False),
            sa.Column("flash", sa.Text(), nullable=False),
            sa.ForeignKeyConstraint(
                ["staff_id"],
                ["console_staff.id"],
            ),
            sa.PrimaryKeyConstraint("token_hash"),
        )
        op.create_index(op.f("ix_console_session_staff_id"), "console_session", ["staff_id"], unique=False)
    if "console_duplicate" not in existing:
        op.create_table(
            "console_duplicate",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("application_id", sa.Integer(), nullable=False),
            sa.Column("other_application_id", sa.Integer(), nullable=True),
            sa.Column("note", sa.Text(), nullable=False),
            sa.Column("created_at", sqltypes.UTCDateTime(), nullable=False),
            sa.Column("actor", sqltypes.AutoString(length=40), nullable=False),
            sa.ForeignKeyConstraint(
                ["application_id"],
                ["application.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(
            op.f("ix_console_duplicate_application_id"), "console_duplicate", ["application_id"], unique=False
        )
    if "console_hold" not in existing:
        op.create_table(
            "console_hold",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("application_id", sa.Integer(), nullable=False),
            sa.Column("kind", sqltypes.AutoString(length=16), nullable=False),
            sa.Column("note", sa.Text(), nullable=False),
            sa.Column("suket_number", sqltypes.AutoString(length=60), nullable=False),
            sa.Column("suket_expires", sqltypes.UTCDateTime(), nullable=True),
            sa.Column("created_at", sqltypes.UTCDateTime(), nullable=False),
            sa.Column("actor", sqltypes.AutoString(length=40), nullable=False),
            sa.Column("cleared_at", sqltypes.UTCDateTime(), nullable=True),
            sa.ForeignKeyConstraint(
                ["application_id"],
                ["application.id"],
            ),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(
            op.f("ix_console_hold_application_id"), "console_hold", ["application_id"], unique=False
        )
        op.create_index(
            "ix_console_hold_open", "console_hold", ["cleared_at", "application_id"], unique=False
        )


def downgrade() -> None:
    for table in TABLES:
        op.drop_table(table)
