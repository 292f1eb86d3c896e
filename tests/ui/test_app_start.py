"""Start-up: a database that cannot be opened is explained and left untouched; one instance only."""

from __future__ import annotations

import hashlib
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

import desa_capil.app as app_module
from desa_capil.paths import AppPaths
from desa_capil.store import db as store_db
from desa_capil.store.db import open_database

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def shown(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Captures message boxes instead of blocking on them."""
    texts: list[str] = []

    def fake_exec(box: QMessageBox) -> int:
        texts.append(box.text())
        return int(QMessageBox.StandardButton.Ok.value)

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    return texts


def digest(folder: Path) -> dict[str, str]:
    """Content hashes of every file in the data folder (the database and its companions)."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def unchanged(before: dict[str, str], after: dict[str, str]) -> bool:
    """Every file that was there is byte for byte the same; SQLite may add empty -wal/-shm
    companions when it reads a file, which changes nothing the operator has."""
    added = set(after) - set(before)
    empty = hashlib.sha256(b"").hexdigest()
    harmless = all(a.endswith("-shm") or (a.endswith("-wal") and after[a] == empty) for a in added)
    return all(after.get(k) == v for k, v in before.items()) and harmless


def test_corrupt_database_is_explained_and_untouched(qapp: object, paths: AppPaths, shown: list[str]) -> None:
    garbage = b"this is not a database at all, just text a virus scanner left behind\n" * 200
    paths.database.write_bytes(garbage)
    before = digest(paths.data)
    assert app_module.open_database_or_explain(paths) is None
    assert len(shown) == 1 and "rusak" in shown[0]
    assert paths.database.read_bytes() == garbage
    assert unchanged(before, digest(paths.data))


def test_damaged_sqlite_file_is_explained_and_untouched(
    qapp: object, paths: AppPaths, shown: list[str]
) -> None:
    open_database(paths).close()
    raw = bytearray(paths.database.read_bytes())
    # Keep the size, spoil the pages after the first: a half-written copy from a USB stick.
    for k in range(4096, len(raw), 7):
        raw[k] = (raw[k] + 91) % 256
    paths.database.write_bytes(bytes(raw))
    before = digest(paths.data)
    assert app_module.open_database_or_explain(paths) is None
    assert len(shown) == 1
    assert unchanged(before, digest(paths.data))


def test_locked_database_is_explained_and_untouched(
    qapp: object, paths: AppPaths, shown: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    holder = open_database(paths)
    raw = holder.engine.raw_connection()
    try:
        # WAL lets readers past an ordinary write lock; exclusive locking mode does not (what a
        # DB browser or a second copy of the app in a copied folder does).
        cur = raw.cursor()
        cur.execute("PRAGMA locking_mode = EXCLUSIVE")
        cur.execute("BEGIN EXCLUSIVE")
        before = digest(paths.data)
        monkeypatch.setattr(store_db, "BUSY_TIMEOUT_MS", 200)  # do not wait 5 s in a test
        assert app_module.open_database_or_explain(paths) is None
        assert len(shown) == 1 and "sedang dipakai" in shown[0]
        assert unchanged(before, digest(paths.data))
    finally:
        raw.rollback()
        raw.close()
        holder.close()


def test_newer_schema_is_explained(qapp: object, paths: AppPaths, shown: list[str]) -> None:
    holder = open_database(paths)
    raw = holder.engine.raw_connection()
    raw.cursor().execute("PRAGMA user_version = 999")
    raw.commit()
    raw.close()
    holder.close()
    before = digest(paths.data)
    assert app_module.open_database_or_explain(paths) is None
    assert len(shown) == 1 and "lebih baru" in shown[0]
    assert unchanged(before, digest(paths.data))


def test_a_good_database_opens_without_a_message(qapp: object, paths: AppPaths, shown: list[str]) -> None:
    db = app_module.open_database_or_explain(paths)
    assert db is not None and not shown
    db.close()  # type: ignore[attr-defined]


def test_second_instance_is_refused_with_a_message(qapp: object, paths: AppPaths, shown: list[str]) -> None:
    first = app_module.acquire_instance_lock(paths)
    assert first is not None and not shown
    try:
        assert app_module.acquire_instance_lock(paths) is None
        assert len(shown) == 1 and "sudah terbuka" in shown[0]
    finally:
        first.unlock()  # type: ignore[attr-defined]
    again = app_module.acquire_instance_lock(paths)
    assert again is not None
    again.unlock()  # type: ignore[attr-defined]


@pytest.fixture
def no_global_hooks(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """main() in-process without replacing pytest-qt's Qt log handler or sys.excepthook."""
    monkeypatch.setattr(app_module, "_install_qt_log_handler", lambda: None)
    monkeypatch.setattr("desa_capil.ui.errors.install_excepthook", lambda: None)
    yield
    from desa_capil.logging_setup import teardown_logging

    teardown_logging()
    logging.getLogger().setLevel(logging.WARNING)


def test_main_exits_non_zero_on_a_corrupt_database(
    qapp: object, paths: AppPaths, shown: list[str], no_global_hooks: None
) -> None:
    paths.database.write_bytes(b"\x00garbage" * 512)
    before = digest(paths.data)
    assert app_module.main(["--lang", "id"]) == app_module.EXIT_DB_FAILED
    assert len(shown) == 1
    assert unchanged(before, digest(paths.data))
    # The failure is in the log file for the office.
    log_text = (paths.logs / "desa_capil.log").read_text(encoding="utf-8")
    assert "database could not be opened" in log_text


def test_main_refuses_a_second_instance(
    qapp: object, paths: AppPaths, shown: list[str], no_global_hooks: None
) -> None:
    held = app_module.acquire_instance_lock(paths)
    try:
        assert app_module.main([]) == app_module.EXIT_ALREADY_RUNNING
    finally:
        held.unlock()  # type: ignore[attr-defined]
    assert any("sudah terbuka" in t for t in shown)


def test_self_test_in_a_real_process(app_home: Path) -> None:
    # Demo mode makes its own throw-away home; DESA_CAPIL_DEMO_HOME keeps it here to look at.
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", DESA_CAPIL_DEMO_HOME=str(app_home))
    proc = subprocess.run(
        [sys.executable, "-m", "desa_capil", "--self-test"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    log_text = (app_home / "logs" / "desa_capil.log").read_text(encoding="utf-8")
    assert "self-test passed" in log_text


def test_recovery_code_is_offered_once_not_in_a_loop(
    qapp: object, paths: AppPaths, shown: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A damaged file looks like a wrong key; a good recovery code cannot fix it, and the app
    must then explain and stop instead of asking for the code again and again."""
    import desa_capil.ui.privacy_settings as privacy

    offered: list[str] = []
    asked: list[str] = []
    monkeypatch.setattr(
        app_module, "_offer_recovery", lambda title, text, detail: offered.append(text) or True
    )
    monkeypatch.setattr(
        privacy, "ask_recovery_code", lambda parent, p, reason="": asked.append(reason) or True
    )
    paths.database.write_bytes(b"\x00garbage" * 512)
    before = digest(paths.data)
    assert app_module.open_database_or_explain(paths) is None
    assert len(offered) == 1 and len(asked) == 1
    assert len(shown) == 1 and "rusak" in shown[0]
    assert unchanged(before, digest(paths.data))
