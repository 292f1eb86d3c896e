"""Demo mode: a throw-away home, the embedded server, sample data in every status, the office."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail
from sqlmodel import select

from desa_capil import demo
from desa_capil.domain.nik import validate_kk, validate_nik
from desa_capil.domain.status import Status
from desa_capil.paths import HOME_ENV, app_paths
from desa_capil.store import repo
from desa_capil.store.db import open_database
from desa_capil.store.models import Applicant, Application, HandOver
from desa_capil.sync.config import credential_store, load_config
from desa_capil.sync.worker import SyncWorker


@pytest.fixture
def restore_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # prepare_home() sets DESA_CAPIL_HOME and the keyring backend for the whole process, as the
    # app wants; monkeypatch puts the variable back, close() the keyring.
    monkeypatch.setenv(HOME_ENV, os.environ[HOME_ENV])
    old = keyring.get_keyring()
    yield
    keyring.set_keyring(old)


def test_residents_have_valid_numbers() -> None:
    people = demo.make_residents(random.Random(3), 40)
    assert len({p.nik for p in people}) == len(people)
    for p in people:
        assert validate_nik(p.nik).ok, p.nik
        assert validate_kk(p.kk_number).ok, p.kk_number
        assert p.nik.startswith(demo.NIK_PREFIX)
        assert ("Kab. Bandung" in p.address) and p.phone.startswith("08")
        # Women have 40 added to the day of birth.
        assert (int(p.nik[6:8]) > 40) == p.female


def test_prepare_home_isolates_data_and_token(tmp_path: Path, restore_env: None) -> None:
    home = demo.prepare_home(tmp_path / "demo-home")
    assert os.environ[HOME_ENV] == str(home)
    assert app_paths().data.is_relative_to(home)
    assert isinstance(keyring.get_keyring(), fail.Keyring)
    demo._restore_keyring()


def test_demo_session_round_trip(tmp_path: Path, restore_env: None) -> None:
    home = demo.prepare_home(tmp_path / "demo-home")
    session = demo.DemoSession.start(home, office_interval=None)
    try:
        assert session.base_url.startswith("http://127.0.0.1:")
        # The token went to the 0600 file inside the demo home, not the OS credential store.
        token_file = credential_store(session.paths).fallback_path
        assert token_file.is_relative_to(home) and token_file.exists()

        db = open_database(session.paths)
        try:
            counts = repo.status_counts(db)
            missing = [s for s in Status if counts[s] == 0]
            assert not missing, f"no sample application in {missing}"
            assert repo.get_setting(db, "village_code") == demo.VILLAGE_CODE
            assert repo.get_setting(db, "village_name") == demo.VILLAGE_NAME
            with db.session() as s:
                for person in s.exec(select(Applicant)):
                    assert validate_nik(person.nik).ok and validate_kk(person.kk_number).ok
                apps = list(s.exec(select(Application)))
                assert all(a.operator_id in session.operator_ids for a in apps)
                assert len(list(s.exec(select(HandOver)))) == counts[Status.HANDED_OVER]
                needs_fix = next(a for a in apps if a.status == Status.NEEDS_FIX)
                assert needs_fix.office_message == demo.FIX_MESSAGE

            # The office moves one application a step; the app's sync engine sees it.
            office = demo.OfficeSimulator(session.admin, (1.0, 1.0), random.Random(5))
            server_id, target = office.tick() or (0, "")
            assert target in ("in_review", "processing", "needs_fix", "finished", "dispatched")
            moved = next(a for a in session.admin.applications() if int(str(a["id"])) == server_id)
            config = load_config(db, credential_store(session.paths))
            assert config is not None
            worker = SyncWorker(db, config.client_factory())
            try:
                result = worker.run_until_idle()
            finally:
                worker.close()
            assert result.statuses.get(str(moved["client_id"])) == Status(target)
            with db.session() as s:
                local = s.get(Application, str(moved["client_id"]))
                assert local is not None and local.status == Status(target)
        finally:
            db.close()
    finally:
        session.close()
    assert not home.exists()


def test_office_is_idle_with_nothing_sent(tmp_path: Path, restore_env: None) -> None:
    home = demo.prepare_home(tmp_path / "demo-home")
    session = demo.DemoSession.start(home, seed=False, office_interval=None)
    try:
        office = demo.OfficeSimulator(session.admin, (1.0, 1.0), random.Random(1))
        assert office.tick() is None  # nothing at the office yet
    finally:
        session.close()


def test_app_demo_self_test_uses_the_seeded_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The whole app in demo mode, headless: it must open the seeded database, not another."""
    demo_home = tmp_path / "kept-demo"
    real_home = tmp_path / "real-home"
    env = {**os.environ, demo.DEMO_HOME_ENV: str(demo_home), HOME_ENV: str(real_home)}
    env["QT_QPA_PLATFORM"] = "offscreen"
    proc = subprocess.run(
        [sys.executable, "-m", "desa_capil", "--demo", "--self-test"],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert not real_home.exists(), "demo mode touched the normal data folder"
    log_text = (demo_home / "logs" / "desa_capil.log").read_text(encoding="utf-8")
    assert "self-test passed" in log_text
    monkeypatch.setenv(HOME_ENV, str(demo_home))
    db = open_database(app_paths())
    try:
        counts = repo.status_counts(db)
    finally:
        db.close()
    assert all(counts[s] > 0 for s in Status), counts
