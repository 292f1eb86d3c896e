"""The USB route's tables (desa_capil/server/usb_models.py): device keys, enrollment files,
imported bundles.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql import sqltypes

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "usbdevice" not in existing:
        op.create_table(
            "usbdevice",
            sa.Column("device_id", sqltypes.AutoString(length=32), nullable=False),
            sa.Column("sign_public", sqltypes.AutoString(length=80), nullable=True),
            sa.Column("box_public", sqltypes.AutoString(length=100), nullable=True),
            sa.Column("keys_at", sqltypes.UTCDateTime(), nullable=True),
            sa.Column("keys_via", sqltypes.AutoString(length=20), nullable=False),
            sa.Column("cursor", sa.Integer(), nullable=False),
            sa.Column("last_seq", sa.Integer(), nullable=False),
            sa.Column("return_seq", sa.Integer(), nullable=False),
            sa.ForeignKeyConstraint(["device_id"], ["device.id"]),
            sa.PrimaryKeyConstraint("device_id"),
        )
    if "usbenrollment" not in existing:
        op.create_table(
            "usbenrollment",
            sa.Column("id", sqltypes.AutoString(length=32), nullable=False),
            sa.Column("village_id", sa.Integer(), nullable=False),
            sa.Column("device_id", sqltypes.AutoString(length=32), nullable=False),
            sa.Column("secret", sqltypes.AutoString(length=64), nullable=False),
            sa.Column("code", sqltypes.AutoString(length=16), nullable=False),
            sa.Column("server_url", sqltypes.AutoString(length=300), nullable=False),
            sa.Column("issued_at", sqltypes.UTCDateTime(), nullable=False),
            sa.Column("expires_at", sqltypes.UTCDateTime(), nullable=False),
            sa.Column("used_at", sqltypes.UTCDateTime(), nullable=True),
            sa.Column("failures", sa.Integer(), nullable=False),
            sa.Column("actor", sqltypes.AutoString(length=40), nullable=False),
            sa.ForeignKeyConstraint(["village_id"], ["village.id"]),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_usbenrollment_village_id"), "usbenrollment", ["village_id"], unique=False)
        op.create_index(op.f("ix_usbenrollment_device_id"), "usbenrollment", ["device_id"], unique=False)
    if "usbimport" not in existing:
        op.create_table(
            "usbimport",
            sa.Column("bundle_id", sqltypes.AutoString(length=32), nullable=False),
            sa.Column("device_id", sqltypes.AutoString(length=32), nullable=False),
            sa.Column("village_id", sa.Integer(), nullable=False),
            sa.Column("seq", sa.Integer(), nullable=False),
            sa.Column("file_sha256", sqltypes.AutoString(length=64), nullable=False),
            sa.Column("carrier", sqltypes.AutoString(length=60), nullable=False),
            sa.Column("imported_at", sqltypes.UTCDateTime(), nullable=False),
            sa.Column("report_json", sa.Text(), nullable=False),
            sa.ForeignKeyConstraint(["village_id"], ["village.id"]),
            sa.PrimaryKeyConstraint("bundle_id"),
        )
        op.create_index(op.f("ix_usbimport_device_id"), "usbimport", ["device_id"], unique=False)
        op.create_index(op.f("ix_usbimport_village_id"), "usbimport", ["village_id"], unique=False)


def downgrade() -> None:
    op.drop_table("usbimport")
    op.drop_table("usbenrollment")
    op.drop_table("usbdevice")
