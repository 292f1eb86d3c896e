"""Tables and engines of the central server (SQLite by default, PostgreSQL via DATABASE_URL).

Times are aware UTC (SQLModel's UTCDateTime: timestamptz on PostgreSQL, UTC text on SQLite).

Every record a village sends is keyed by (village, client id), never by the client id alone:
two villages may (by accident or malice) use the same UUID, and neither may see or clobber
the other's record.

The change feed: every status change gets a ``village_seq`` from its village's counter row
(``counter.name = "village:<id>"``), incremented with ``UPDATE ... RETURNING`` right before
commit. That UPDATE takes the row's write lock (PostgreSQL row lock, SQLite's single writer
lock) until the transaction ends, so the change writers of one village are serialised and a
transaction with a higher number can only commit after every lower one committed. A reader
paging with ``village_seq > after`` therefore never skips a change that commits later with a
lower number. Each village has its own sequence so that its numbers say nothing about how
busy the other villages are; ``seq`` (global, from the "change" counter) is only the row's key.

The schema is made and upgraded by Alembic (``desa_capil/server/migrations``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column, Index, Text, UniqueConstraint, event, inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import registry
from sqlalchemy.pool import NullPool
from sqlmodel import Field, Session, SQLModel, create_engine

log = logging.getLogger(__name__)


def utcnow() -> datetime:
    return datetime.now(UTC)


def aware(dt: datetime) -> datetime:
    """UTC; a naive value is taken as UTC."""
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


class ServerTable(SQLModel, registry=registry()):
    """Base of the server's tables. Their own metadata: the demo runs the server inside the
    desktop app's process, whose local tables (batch, application...) share names with these."""


class Village(ServerTable, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, index=True, max_length=13)
    name: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow)


class EnrollmentCode(ServerTable, table=True):
    id: int | None = Field(default=None, primary_key=True)
    village_id: int = Field(foreign_key="village.id", index=True)
    code_hash: str = Field(unique=True, max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None
    device_id: str | None = None


class Device(ServerTable, table=True):
    id: str = Field(primary_key=True, max_length=32)  # uuid hex
    village_id: int = Field(foreign_key="village.id", index=True)
    name: str = Field(max_length=100)
    app_version: str = Field(default="", max_length=40)
    token_hash: str = Field(unique=True, max_length=64)
    enrolled_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime | None = None
    revoked_at: datetime | None = None


class Upload(ServerTable, table=True):
    id: str = Field(primary_key=True, max_length=32)  # uuid hex, also the file name on disk
    village_id: int = Field(foreign_key="village.id", index=True)
    device_id: str = Field(max_length=32)
    length: int
    offset: int = 0
    # What the client said in Upload-Metadata; kept for the office, never used as a path.
    filename: str = Field(default="", max_length=255)
    filetype: str = Field(default="", max_length=100)
    sha256_claimed: str = Field(default="", max_length=64)
    # Computed by the server once the last byte arrived.
    sha256: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    # None once a manifest consumed the upload (then it lives as long as its document).
    expires_at: datetime | None = None
    document_id: int | None = None
    # The Upload-Metadata header exactly as sent at creation, echoed on HEAD (tus 1.0).
    upload_metadata: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # tus Concatenation: "" (a plain upload), "partial", or "final;<id> <id> ..." (the partial
    # uploads it was assembled from, in order).
    concat: str = Field(default="", sa_column=Column(Text, nullable=False, default="", server_default=""))


class UploadPart(ServerTable, table=True):
    """One PATCH's bytes of an upload kept in object storage (storage.S3Storage), until the
    parts are joined. The primary key makes two appends at one offset impossible."""

    upload_id: str = Field(primary_key=True, max_length=32)
    offset: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    key: str = Field(max_length=300)
    size: int


class Batch(ServerTable, table=True):
    __table_args__ = (UniqueConstraint("village_id", "client_id"),)
    id: int | None = Field(default=None, primary_key=True)
    village_id: int = Field(foreign_key="village.id", index=True)
    client_id: str = Field(max_length=36)
    device_id: str = Field(max_length=32)
    content_hash: str = Field(max_length=64)
    received_at: datetime = Field(default_factory=utcnow)
    receipt_json: str = Field(sa_column=Column(Text, nullable=False))


class Application(ServerTable, table=True):
    __table_args__ = (
        UniqueConstraint("village_id", "client_id"),
        Index("ix_application_status", "status", "id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    village_id: int = Field(foreign_key="village.id", index=True)
    client_id: str = Field(max_length=36)
    batch_client_id: str = Field(max_length=36)
    service_code: str = Field(max_length=64)
    nik: str = Field(max_length=16)
    name: str = Field(max_length=200)
    kk_number: str = Field(max_length=16)
    phone: str = Field(default="", max_length=32)
    address: str = Field(default="", max_length=500)
    urgency: str = Field(default="normal", max_length=32)
    notes: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    status: str = Field(max_length=32)
    message: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    received_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class AppDocument(ServerTable, table=True):
    __table_args__ = (UniqueConstraint("application_id", "client_id"),)
    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="application.id", index=True)
    client_id: str = Field(max_length=36)
    batch_client_id: str = Field(max_length=36)
    requirement_code: str = Field(max_length=64)
    upload_id: str = Field(max_length=32)
    sha256: str = Field(max_length=64)
    size: int
    page_count: int
    mime: str = Field(max_length=100)
    received_at: datetime = Field(default_factory=utcnow)


class ApplicationDetail(ServerTable, table=True):
    """Catalog 2025.1 facts of an application (server/bundles.py): event date, subjects, the
    documents asked for (several for a "3-in-1" bundle) and which finished document answers
    each. A table of its own so that an existing server gets it from create_all, without
    altering the application table."""

    application_id: int = Field(primary_key=True, foreign_key="application.id")
    details_json: str = Field(sa_column=Column(Text, nullable=False))


class PublishedCatalog(ServerTable, table=True):
    """A service catalog the office published for its villages (its SOP differs from the
    national one); the newest is the one in use. server/bundles.py."""

    id: int | None = Field(default=None, primary_key=True)
    version: str = Field(max_length=40, unique=True)
    body: str = Field(sa_column=Column(Text, nullable=False))
    published_at: datetime = Field(default_factory=utcnow)
    actor: str = Field(default="", max_length=40)


class FinishedDocument(ServerTable, table=True):
    id: str = Field(primary_key=True, max_length=32)  # uuid hex, also the file name on disk
    application_id: int = Field(foreign_key="application.id", index=True)
    village_id: int = Field(foreign_key="village.id", index=True)
    title: str = Field(max_length=200)
    has_file: bool = False
    size: int | None = None
    sha256: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow)


class Change(ServerTable, table=True):
    __table_args__ = (UniqueConstraint("village_id", "village_seq", name="uq_change_village_seq"),)
    seq: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    village_id: int = Field(foreign_key="village.id")
    # The number a village sees (cursor of GET /changes, seq of receipts and event results).
    village_seq: int
    application_id: int = Field(foreign_key="application.id", index=True)
    status: str = Field(max_length=32)
    actor: str = Field(max_length=16)
    message: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    at: datetime = Field(default_factory=utcnow)
    documents_json: str = Field(default="[]", sa_column=Column(Text, nullable=False, default="[]"))


class Event(ServerTable, table=True):
    __table_args__ = (UniqueConstraint("village_id", "client_id"),)
    id: int | None = Field(default=None, primary_key=True)
    village_id: int = Field(foreign_key="village.id", index=True)
    client_id: str = Field(max_length=36)
    application_id: int | None = None
    content_hash: str = Field(max_length=64)
    # Hand-over details (recipient, relation, ...) as sent; personal data, office eyes only.
    payload_json: str = Field(sa_column=Column(Text, nullable=False))
    result_json: str = Field(sa_column=Column(Text, nullable=False))
    received_at: datetime = Field(default_factory=utcnow)


class AdminAction(ServerTable, table=True):
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow)
    actor: str = Field(max_length=40)  # "api" or "cli:<user>"
    action: str = Field(max_length=60)
    target: str = Field(max_length=200)
    detail: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class Counter(ServerTable, table=True):
    name: str = Field(primary_key=True, max_length=32)
    value: int = 0


class SharedState(ServerTable, table=True):
    """Small values every server process must agree on (the admin token), kept in the
    database rather than in a host's files."""

    name: str = Field(primary_key=True, max_length=40)
    value: str = Field(sa_column=Column(Text, nullable=False))


class RateBucket(ServerTable, table=True):
    """A token bucket shared by every server process (see desa_capil.server.limits)."""

    key: str = Field(primary_key=True, max_length=80)
    tokens: float
    at: float  # time.time() of the last update


CHANGE_COUNTER = "change"


def village_counter(village_id: int) -> str:
    return f"village:{village_id}"


@dataclass
class Database:
    """A write engine and a read engine over the same database.

    On SQLite the write engine begins every transaction with ``BEGIN IMMEDIATE`` so that a
    transaction that reads and then writes never fails half-way with "database is locked"
    (a deferred transaction cannot upgrade once another writer committed); readers use plain
    deferred transactions and, with WAL, never wait for writers. On PostgreSQL both are one
    engine.
    """

    write: Engine
    read: Engine
    is_sqlite: bool

    @contextmanager
    def session(self) -> Iterator[Session]:
        with Session(self.write, expire_on_commit=False) as s:
            yield s

    @contextmanager
    def read_session(self) -> Iterator[Session]:
        with Session(self.read, expire_on_commit=False) as s:
            yield s

    def dispose(self) -> None:
        self.write.dispose()
        if self.read is not self.write:
            self.read.dispose()


def _sqlite_engine(url: str, *, immediate: bool) -> Engine:
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": 30},
        # Errors never carry the statement's values (NIK, names...) into a log.
        hide_parameters=True,
        # One connection per checkout: SQLite connections are cheap and a pool of them shared
        # across threads buys nothing but stale WAL snapshots.
        poolclass=NullPool,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _rec: Any) -> None:
        # Let SQLAlchemy's "begin" event below issue BEGIN itself.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def open_database(url: str, *, pool_size: int = 10) -> Database:
    if url.startswith("sqlite"):
        db = Database(
            write=_sqlite_engine(url, immediate=True),
            read=_sqlite_engine(url, immediate=False),
            is_sqlite=True,
        )
    else:
        engine = create_engine(
            url,
            pool_size=pool_size,
            max_overflow=pool_size * 2,
            pool_pre_ping=True,
            # Errors never carry the statement's values (NIK, names...) into a log.
            hide_parameters=True,
        )
        db = Database(write=engine, read=engine, is_sqlite=False)
    return db


def create_schema(db: Database) -> None:
    """Bring the schema to the newest revision (idempotent, safe with several workers)."""
    from desa_capil.server.migrations import upgrade

    upgrade(db)
    with db.write.begin() as conn:
        if not db.is_sqlite:
            conn.execute(text("SELECT pg_advisory_xact_lock(7301)"))
        missing = [t for t in ServerTable.metadata.sorted_tables if not inspect(conn).has_table(t.name)]
        if missing:
            # A table added to the models without a migration yet: made so the server works,
            # but tests/server/test_migrations.py fails until the migration exists.
            log.warning("tables without a migration: %s", ", ".join(t.name for t in missing))
            ServerTable.metadata.create_all(conn, tables=missing)
    try:
        with db.session() as s:
            if s.get(Counter, CHANGE_COUNTER) is None:
                s.add(Counter(name=CHANGE_COUNTER, value=0))
                s.commit()
    except IntegrityError:
        pass  # another worker made it first


def allocate_seqs(session: Session, village_id: int, n: int) -> list[tuple[int, int]]:
    """Reserve ``n`` consecutive change numbers of a village: (row key, village number) pairs.
    Call late in the transaction (it holds the village's counter lock until commit) and commit
    soon after. The village counter is always taken before the global one: no deadlock."""
    if n <= 0:
        return []
    update = text("UPDATE counter SET value = value + :n WHERE name = :name RETURNING value")
    name = village_counter(village_id)
    last = session.execute(update, {"n": n, "name": name}).scalar_one_or_none()
    if last is None:  # a village made before its counter existed
        session.execute(
            text("INSERT INTO counter (name, value) VALUES (:name, 0) ON CONFLICT (name) DO NOTHING"),
            {"name": name},
        )
        last = session.execute(update, {"n": n, "name": name}).scalar_one()
    glob = session.execute(update, {"n": n, "name": CHANGE_COUNTER}).scalar_one()
    return list(
        zip(range(int(glob) - n + 1, int(glob) + 1), range(int(last) - n + 1, int(last) + 1), strict=True)
    )
