"""Alembic migrations: a database made by release 0.1.0 (before Alembic) upgrades in place and
keeps its rows and cursors; a fresh database upgraded to head matches the models (no drift)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from desa_capil.domain.status import Status
from desa_capil.server import migrations
from desa_capil.server.config import Settings
from desa_capil.server.console import models as _console_models  # noqa: F401 - its tables
from desa_capil.server.db import Database, ServerTable, open_database
from desa_capil.server.embedded import EmbeddedServer
from desa_capil.server.service import DeviceCtx
from desa_capil.server.testing import fresh_postgres_schema, postgres_url, running_server

DATA = Path(__file__).parent / "data"
NIK = "3204051708900001"


@contextmanager
def database(backend: str, tmp_path: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'server' / 'server.sqlite3'}"
        return
    url = postgres_url()
    assert url is not None
    with fresh_postgres_schema(url) as scoped:
        yield scoped


def _head() -> str:
    head = ScriptDirectory.from_config(migrations.config()).get_current_head()
    assert head is not None
    return head


def test_fresh_database_matches_the_models(backend: str, tmp_path: Path) -> None:
    (tmp_path / "server").mkdir()
    with database(backend, tmp_path) as url:
        db = open_database(url)
        try:
            migrations.upgrade(db)
            assert migrations.current(db) == _head()
            with db.write.connect() as conn:
                diff = compare_metadata(
                    MigrationContext.configure(conn, opts={"compare_type": True}), ServerTable.metadata
                )
            assert diff == [], (
                "the models and the migrations disagree: add a revision under "
                f"desa_capil/server/migrations/versions (see its __init__): {diff}"
            )
        finally:
            db.dispose()


def _load_release_0_1_0(db: Database, dialect: str) -> None:
    ddl = (DATA / f"schema_0_1_0_{dialect}.sql").read_text().split(";\n")
    with db.write.begin() as conn:
        for stmt in ddl:
            lines = [ln for ln in stmt.splitlines() if not ln.startswith("--")]
            if "".join(lines).strip():
                conn.exec_driver_sql("\n".join(lines))
        conn.execute(text("INSERT INTO counter (name, value) VALUES ('change', 7)"))
        conn.execute(
            text(
                "INSERT INTO village (id, code, name, created_at) VALUES "
                "(1, '32.04.05.2001', 'Desa Sukamaju', '2026-01-02 03:04:05'), "
                "(2, '32.04.05.2002', 'Desa Sukamulya', '2026-01-02 03:04:05')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO application (id, village_id, client_id, batch_client_id, service_code, nik, "
                "name, kk_number, phone, address, urgency, notes, status, message, received_at, updated_at) "
                "VALUES (1, 1, '11111111-1111-1111-1111-111111111111', "
                "'22222222-2222-2222-2222-222222222222', 'akta_lahir', :nik, 'Budi', '3204051708150001', "
                "'', '', 'normal', '', 'in_review', '', '2026-01-02 03:04:05', '2026-01-02 03:04:05')"
            ),
            {"nik": NIK},
        )
        # Village 1 saw global numbers 3 and 7 (the others went to other villages).
        for seq, status in ((3, "sent"), (7, "in_review")):
            conn.execute(
                text(
                    "INSERT INTO change (seq, village_id, application_id, status, actor, message, at, "
                    "documents_json) VALUES (:seq, 1, 1, :st, 'office', '', '2026-01-02 03:04:05', '[]')"
                ),
                {"seq": seq, "st": status},
            )


def test_upgrade_from_release_0_1_0(backend: str, tmp_path: Path) -> None:
    (tmp_path / "server").mkdir()
    with database(backend, tmp_path) as url:
        db = open_database(url)
        try:
            _load_release_0_1_0(db, "sqlite" if backend == "sqlite" else "postgresql")
        finally:
            db.dispose()
        # The server upgrades the database when it starts.
        with _server(tmp_path, url, backend) as server:
            svc = server.service
            assert svc is not None
            assert migrations.current(svc.db) == _head()
            app = svc.get_application(1)
            assert app.applicant.nik == NIK and app.status.value == "in_review"
            # The village's cursor from before the upgrade stays valid, and its next change
            # continues after its own highest number.
            ctx = DeviceCtx("d" * 32, 1, "32.04.05.2001")
            assert [c.seq for c in svc.changes(ctx, 0, 10).changes] == [3, 7]
            out = svc.set_status(1, Status.PROCESSING, "", "t")
            assert out.status.value == "processing"
            assert [c.seq for c in svc.changes(ctx, 7, 10).changes] == [8]
            # Another village starts its own sequence at 1.
            assert svc.changes(DeviceCtx("e" * 32, 2, "32.04.05.2002"), 0, 10).changes == []


@contextmanager
def _server(tmp_path: Path, url: str, backend: str) -> Iterator[EmbeddedServer]:
    settings = Settings(data_dir=tmp_path / "server", database_url=None if backend == "sqlite" else url)
    server = EmbeddedServer(tmp_path / "server", settings=settings)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_running_server_is_on_head(backend: str, tmp_path: Path) -> None:
    with running_server(tmp_path / "srv", backend=backend) as server:
        assert server.service is not None
        assert migrations.current(server.service.db) == _head()
