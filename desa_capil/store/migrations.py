"""Schema versions of the local database, upgraded in place.

The version lives in SQLite's ``PRAGMA user_version``. A new database runs the frozen
version-1 script and then every step, exactly like an old database does, so a fresh install
and an upgraded laptop always end with the same schema. Each step runs in one transaction:
a power cut mid-upgrade leaves the previous version intact.

To change a table: edit the model in models.py, append a step here. A test compares the
migrated schema with the models and fails on drift.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from importlib import resources

log = logging.getLogger(__name__)

Step = Callable[[sqlite3.Connection], None]


def _v1(conn: sqlite3.Connection) -> None:
    script = resources.files(__package__).joinpath("schema_v1.sql").read_text(encoding="utf-8")
    script = "\n".join(line for line in script.splitlines() if not line.lstrip().startswith("--"))
    for statement in script.split(";"):
        if statement.strip():
            conn.execute(statement)


def _v2(conn: sqlite3.Connection) -> None:
    # Audit log of who viewed, exported or printed a resident's papers (UU 27/2022 PDP).
    conn.execute(
        """CREATE TABLE auditentry (
            id INTEGER NOT NULL,
            at DATETIME NOT NULL,
            operator_id INTEGER,
            action VARCHAR NOT NULL,
            application_id VARCHAR,
            detail VARCHAR NOT NULL,
            PRIMARY KEY (id),
            FOREIGN KEY(operator_id) REFERENCES operator (id)
        )"""
    )
    conn.execute("CREATE INDEX ix_auditentry_at ON auditentry (at)")
    conn.execute("CREATE INDEX ix_auditentry_application_id ON auditentry (application_id)")


def _v3(conn: sqlite3.Connection) -> None:
    # Retention (security.retention): scans deleted once the office has them, old records archived.
    conn.execute("ALTER TABLE page ADD COLUMN purged_at DATETIME")
    conn.execute("ALTER TABLE document ADD COLUMN purged_at DATETIME")
    conn.execute("ALTER TABLE application ADD COLUMN archived_at DATETIME")


def _v4(conn: sqlite3.Connection) -> None:
    # Intake receipts kept for reprinting; why a batch was set aside (cancelling it is refused
    # when the server may hold it).
    conn.execute("ALTER TABLE application ADD COLUMN intake_receipt_sha256 VARCHAR")
    conn.execute("ALTER TABLE batch ADD COLUMN error_code VARCHAR NOT NULL DEFAULT ''")


def _v5(conn: sqlite3.Connection) -> None:
    # Service-specific intake facts (domain.intake.IntakeDetails as JSON): event date, subjects,
    # bundle outputs, home recording, the catalog version the application was made with. Old
    # applications get "{}" and read as "nothing asked yet".
    conn.execute("ALTER TABLE application ADD COLUMN details VARCHAR NOT NULL DEFAULT '{}'")


def _v6(conn: sqlite3.Connection) -> None:
    # The user's corrections of a page's automatic decisions (paper size, colour), kept for
    # re-processing after a rotation. Old pages: automatic.
    conn.execute("ALTER TABLE page ADD COLUMN size_choice VARCHAR NOT NULL DEFAULT ''")
    conn.execute("ALTER TABLE page ADD COLUMN keep_color BOOLEAN NOT NULL DEFAULT 0")


def _v7(conn: sqlite3.Connection) -> None:
    # Issue 16, the USB route: each trip of a batch (online, or a bundle on a stick) and how
    # the office's acknowledgement came. Batches the server accepted before this version went
    # online: they get that trip and acknowledgement.
    conn.execute(
        """CREATE TABLE batchtrip (
            id INTEGER NOT NULL,
            batch_id VARCHAR NOT NULL,
            route VARCHAR NOT NULL,
            at DATETIME NOT NULL,
            bundle_id VARCHAR NOT NULL,
            file_name VARCHAR NOT NULL,
            PRIMARY KEY (id),
            FOREIGN KEY(batch_id) REFERENCES batch (id)
        )"""
    )
    conn.execute("CREATE INDEX ix_batchtrip_batch_id ON batchtrip (batch_id)")
    conn.execute("ALTER TABLE batch ADD COLUMN ack_via VARCHAR NOT NULL DEFAULT ''")
    conn.execute("UPDATE batch SET ack_via = 'online' WHERE state = 'sent'")
    conn.execute(
        "INSERT INTO batchtrip (batch_id, route, at, bundle_id, file_name) "
        "SELECT id, 'online', COALESCE(sent_at, sealed_at), '', '' FROM batch WHERE state = 'sent'"
    )


STEPS: list[Step] = [_v1, _v2, _v3, _v4, _v5, _v6, _v7]
LATEST = len(STEPS)


def current_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def upgrade(conn: sqlite3.Connection, target: int = LATEST) -> int:
    """Bring the database to `target`; returns the version it had before.

    Raises RuntimeError when the database is newer than this program (an older app must not
    write into a schema it does not know).
    """
    before = current_version(conn)
    if before > LATEST:
        raise RuntimeError(f"database schema {before} is newer than this app ({LATEST})")
    for version in range(before + 1, target + 1):
        log.info("upgrading local database to schema %d", version)
        # sqlite3's implicit transactions do not cover DDL; be explicit.
        conn.execute("BEGIN IMMEDIATE")
        try:
            STEPS[version - 1](conn)
            conn.execute(f"PRAGMA user_version = {version}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return before
