"""Schema versions of the local database, upgraded in place.

The version lives in SQLite's ``PRAGMA user_version``. A new database runs the frozen
version-1 script and then every step, exactly like an old database does, so a fresh install
and an upgraded laptop always end with the same schema. Each step runs in one transaction:
a power cut mid-upgrade leaves the previous version intact.

To change a table: edit the model in models.py, append a step here. A test compares the
migrated schema with the models and fails on drift.

Going back (an update rolled back, ``desa_capil.update.rollback``): the older app refuses a
newer schema, so the newer app steps its own schema back before handing over. Each step that
can be undone has a ``Down``: what it drops, and a query counting the rows it would drop that
hold something the older schema cannot (work entered after the update). A rollback that would
drop such a row is refused as a whole, before anything changes; a step without a ``Down``
cannot be undone at all. Give every new step a ``Down`` (a test checks the latest has one).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Down:
    """Undoing one step: ``step`` takes the schema from N back to N-1.

    ``kept_sql`` counts the rows ``step`` would drop that the older schema cannot hold and the
    step of N cannot make again on the next upgrade; ``what_id``/``what_en`` name them for the
    user. Anything else the step drops is derived data the upgrade rebuilds.
    """

    step: Step
    kept_sql: str
    what_id: str
    what_en: str


def _down_v7(conn: sqlite3.Connection) -> None:
    # Online trips and "online" acknowledgements are rebuilt by _v7 from state 'sent'.
    conn.execute("DROP INDEX ix_batchtrip_batch_id")
    conn.execute("DROP TABLE batchtrip")
    conn.execute("ALTER TABLE batch DROP COLUMN ack_via")


def _down_v6(conn: sqlite3.Connection) -> None:
    conn.execute("ALTER TABLE page DROP COLUMN size_choice")
    conn.execute("ALTER TABLE page DROP COLUMN keep_color")


DOWN: dict[int, Down] = {
    7: Down(
        _down_v7,
        "SELECT (SELECT count(*) FROM batchtrip WHERE route <> 'online')"
        " + (SELECT count(*) FROM batch WHERE ack_via NOT IN ('', 'online'))"
        " + (SELECT count(*) FROM batch WHERE ack_via = 'online' AND state <> 'sent')",
        "kiriman yang dibawa lewat flashdisk (versi sebelumnya belum mengenal jalur flashdisk)",
        "batches carried on a USB stick (the previous version has no USB route)",
    ),
    6: Down(
        _down_v6,
        "SELECT count(*) FROM page WHERE size_choice <> '' OR keep_color <> 0",
        "halaman yang ukuran kertas atau warnanya diatur sendiri",
        "pages whose paper size or colour was set by hand",
    ),
}


@dataclass(frozen=True)
class Blocker:
    """Why the schema cannot go back to an older version: rows it would lose, or a step that
    cannot be undone (``rows`` 0)."""

    schema: int
    rows: int
    what_id: str
    what_en: str


class DowngradeRefused(Exception):
    def __init__(self, blockers: list[Blocker]) -> None:
        super().__init__("; ".join(f"schema {b.schema}: {b.rows} x {b.what_en}" for b in blockers))
        self.blockers = blockers


def downgrade_blockers(conn: sqlite3.Connection, target: int) -> list[Blocker]:
    """What stops the schema going back to ``target``; [] when every step down is lossless."""
    blockers = []
    for version in range(current_version(conn), target, -1):
        down = DOWN.get(version)
        if down is None:
            blockers.append(
                Blocker(
                    version,
                    0,
                    f"perubahan basis data nomor {version} tidak bisa dibatalkan",
                    f"schema step {version} cannot be undone",
                )
            )
            continue
        rows = int(conn.execute(down.kept_sql).fetchone()[0])
        if rows:
            blockers.append(Blocker(version, rows, down.what_id, down.what_en))
    return blockers


def downgrade(conn: sqlite3.Connection, target: int) -> int:
    """Step the schema back to ``target`` for an older app; returns the version it had.

    Refused (DowngradeRefused, nothing changed) when a step would lose work or cannot be
    undone. All steps run in one transaction: a power cut leaves the newer schema intact.
    """
    before = current_version(conn)
    if before <= target:
        return before
    conn.execute("BEGIN IMMEDIATE")  # no write slips in between the check and the steps
    try:
        blockers = downgrade_blockers(conn, target)
        if blockers:
            raise DowngradeRefused(blockers)
        for version in range(before, target, -1):
            log.info("stepping local database back to schema %d", version - 1)
            DOWN[version].step(conn)
        conn.execute(f"PRAGMA user_version = {target}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return before


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
