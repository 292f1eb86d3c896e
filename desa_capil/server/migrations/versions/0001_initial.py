"""The schema of release 0.1.0 (made by create_all before Alembic).

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql import sqltypes

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "adminaction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sqltypes.UTCDateTime(), nullable=False),
        sa.Column("actor", sqltypes.AutoString(length=40), nullable=False),
        sa.Column("action", sqltypes.AutoString(length=60), nullable=False),
        sa.Column("target", sqltypes.AutoString(length=200), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "counter",
        sa.Column("name", sqltypes.AutoString(length=32), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "village",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sqltypes.AutoString(length=13), nullable=False),
        sa.Column("name", sqltypes.AutoString(length=200), nullable=False),
        sa.Column("created_at", sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_village_code"), "village", ["code"], unique=True)
    op.create_table(
        "application",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sqltypes.AutoString(length=36), nullable=False),
        sa.Column("batch_client_id", sqltypes.AutoString(length=36), nullable=False),
        sa.Column("service_code", sqltypes.AutoString(length=64), nullable=False),
        sa.Column("nik", sqltypes.AutoString(length=16), nullable=False),
        sa.Column("name", sqltypes.AutoString(length=200), nullable=False),
        sa.Column("kk_number", sqltypes.AutoString(length=16), nullable=False),
        sa.Column("phone", sqltypes.AutoString(length=32), nullable=False),
        sa.Column("address", sqltypes.AutoString(length=500), nullable=False),
        sa.Column("urgency", sqltypes.AutoString(length=32), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("status", sqltypes.AutoString(length=32), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("received_at", sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["village_id"],
            ["village.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("village_id", "client_id"),
    )
    op.create_index("ix_application_status", "application", ["status", "id"], unique=False)
    op.create_index(op.f("ix_application_village_id"), "application", ["village_id"], unique=False)
    op.create_table(
        "batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sqltypes.AutoString(length=36), nullable=False),
        sa.Column("device_id", sqltypes.AutoString(length=32), nullable=False),
        sa.Column("content_hash", sqltypes.AutoString(length=64), nullable=False),
        sa.Column("received_at", sqltypes.UTCDateTime(), nullable=False),
        sa.Column("receipt_json", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["village_id"],
            ["village.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("village_id", "client_id"),
    )
    op.create_index(op.f("ix_batch_village_id"), "batch", ["village_id"], unique=False)
    op.create_table(
        "device",
        sa.Column("id", sqltypes.AutoString(length=32), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("name", sqltypes.AutoString(length=100), nullable=False),
        sa.Column("app_version", sqltypes.AutoString(length=40), nullable=False),
        sa.Column("token_hash", sqltypes.AutoString(length=64), nullable=False),
        sa.Column("enrolled_at", sqltypes.UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", sqltypes.UTCDateTime(), nullable=True),
        sa.Column("revoked_at", sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["village_id"],
            ["village.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index(op.f("ix_device_village_id"), "device", ["village_id"], unique=False)
    op.create_table(
        "enrollmentcode",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", sqltypes.UTCDateTime(), nullable=False),
        sa.Column("expires_at", sqltypes.UTCDateTime(), nullable=False),
        sa.Column("used_at", sqltypes.UTCDateTime(), nullable=True),
        sa.Column("device_id", sqltypes.AutoString(), nullable=True),
        sa.ForeignKeyConstraint(
            ["village_id"],
            ["village.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code_hash"),
    )
    op.create_index(op.f("ix_enrollmentcode_village_id"), "enrollmentcode", ["village_id"], unique=False)
    op.create_table(
        "event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sqltypes.AutoString(length=36), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=True),
        sa.Column("content_hash", sqltypes.AutoString(length=64), nullable=False),
        sa.Column("payload_json", sa.Text(), nullable=False),
        sa.Column("result_json", sa.Text(), nullable=False),
        sa.Column("received_at", sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["village_id"],
            ["village.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("village_id", "client_id"),
    )
    op.create_index(op.f("ix_event_village_id"), "event", ["village_id"], unique=False)
    op.create_table(
        "upload",
        sa.Column("id", sqltypes.AutoString(length=32), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("device_id", sqltypes.AutoString(length=32), nullable=False),
        sa.Column("length", sa.Integer(), nullable=False),
        sa.Column("offset", sa.Integer(), nullable=False),
        sa.Column("filename", sqltypes.AutoString(length=255), nullable=False),
        sa.Column("filetype", sqltypes.AutoString(length=100), nullable=False),
        sa.Column("sha256_claimed", sqltypes.AutoString(length=64), nullable=False),
        sa.Column("sha256", sqltypes.AutoString(length=64), nullable=True),
        sa.Column("created_at", sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqltypes.UTCDateTime(), nullable=False),
        sa.Column("expires_at", sqltypes.UTCDateTime(), nullable=True),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["village_id"],
            ["village.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_upload_village_id"), "upload", ["village_id"], unique=False)
    op.create_table(
        "appdocument",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sqltypes.AutoString(length=36), nullable=False),
        sa.Column("batch_client_id", sqltypes.AutoString(length=36), nullable=False),
        sa.Column("requirement_code", sqltypes.AutoString(length=64), nullable=False),
        sa.Column("upload_id", sqltypes.AutoString(length=32), nullable=False),
        sa.Column("sha256", sqltypes.AutoString(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("page_count", sa.Integer(), nullable=False),
        sa.Column("mime", sqltypes.AutoString(length=100), nullable=False),
        sa.Column("received_at", sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["application.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("application_id", "client_id"),
    )
    op.create_index(op.f("ix_appdocument_application_id"), "appdocument", ["application_id"], unique=False)
    op.create_table(
        "change",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("status", sqltypes.AutoString(length=32), nullable=False),
        sa.Column("actor", sqltypes.AutoString(length=16), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("at", sqltypes.UTCDateTime(), nullable=False),
        sa.Column("documents_json", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["application.id"],
        ),
        sa.ForeignKeyConstraint(
            ["village_id"],
            ["village.id"],
        ),
        sa.PrimaryKeyConstraint("seq"),
    )
    op.create_index(op.f("ix_change_application_id"), "change", ["application_id"], unique=False)
    op.create_index("ix_change_village_seq", "change", ["village_id", "seq"], unique=False)
    op.create_table(
        "finisheddocument",
        sa.Column("id", sqltypes.AutoString(length=32), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("title", sqltypes.AutoString(length=200), nullable=False),
        sa.Column("has_file", sa.Boolean(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("sha256", sqltypes.AutoString(length=64), nullable=True),
        sa.Column("created_at", sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["application.id"],
        ),
        sa.ForeignKeyConstraint(
            ["village_id"],
            ["village.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_finisheddocument_application_id"), "finisheddocument", ["application_id"], unique=False
    )
    op.create_index(op.f("ix_finisheddocument_village_id"), "finisheddocument", ["village_id"], unique=False)


def downgrade() -> None:
    for table in (
        "event", "change", "finisheddocument", "appdocument", "application", "upload", "enrollmentcode",
        "device", "batch", "village", "counter", "adminaction",
    ):  # fmt: skip
        op.drop_table(table)
