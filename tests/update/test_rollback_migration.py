"""Rolling back an update whose new version changed the database.

Two releases of the real app, published and installed through the real update path: 0.1.0 is
this source tree, 0.1.1 the same with one more schema step (a new table and a new column, with
its way back). Each "bundle" is the package and its resources with a launcher that runs them
(a PyInstaller build of each would take minutes; tests/update/test_bundle_update.py does that
in CI's bundle step). The laptop works in 0.1.0, updates, works in 0.1.1 (which migrates the
database), rolls back; then every application and page is there and 0.1.0 starts on it. When
0.1.1 holds work 0.1.0 cannot read, the rollback is refused and nothing changes.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlmodel import select

import desa_capil
from desa_capil.paths import AppPaths
from desa_capil.scan import jbig2
from desa_capil.store import migrations, repo
from desa_capil.store import pages as sp
from desa_capil.store.db import open_database
from desa_capil.store.models import Applicant, Application, Page
from desa_capil.update import publish
from desa_capil.update.client import Source, Updater, bundle_self_test, update_root
from desa_capil.update.rollback import read_schemas

pytestmark = [
    pytest.mark.skipif(sys.platform == "win32", reason="stand-in launcher is a shell script"),
    # The app's --self-test (run by the update and to show a version starts) requires the
    # compiled JBIG2 coder; an install without it fails every self-test, as in test_selfcheck.
    pytest.mark.skipif(not jbig2.available(), reason="the JBIG2 coder (desa_capil.scan._jbig2) is not built"),
]

SOURCE = Path(desa_capil.__file__).resolve().parent
NEW_SCHEMA = migrations.LATEST + 1

# Release 0.1.1's schema step: a photo of each hand-over, and a note on who picks up.
STEP = """

def _v_test(conn: sqlite3.Connection) -> None:
    conn.execute(
        "CREATE TABLE handoverphoto (id INTEGER NOT NULL, application_id VARCHAR NOT NULL, "
        "sha256 VARCHAR NOT NULL, PRIMARY KEY (id), FOREIGN KEY(application_id) REFERENCES application (id))"
    )
    conn.execute("ALTER TABLE application ADD COLUMN pickup_note VARCHAR NOT NULL DEFAULT ''")


def _down_v_test(conn: sqlite3.Connection) -> None:
    conn.execute("DROP TABLE handoverphoto")
    conn.execute("ALTER TABLE application DROP COLUMN pickup_note")


"""
DOWN = """
DOWN[{n}] = Down(
    _down_v_test,
    "SELECT (SELECT count(*) FROM handoverphoto) + (SELECT count(*) FROM application WHERE pickup_note <> '')",
    "foto penyerahan atau catatan pengambilan",
    "hand-over photos or pick-up notes",
)
"""


def make_release(folder: Path, version: str, *, extra_step: bool) -> Path:
    internal = folder / "_internal"
    shutil.copytree(SOURCE, internal / "desa_capil", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(SOURCE.parent / "resources", internal / "resources")
    # The compiled extensions, wherever this install keeps them (an editable install may build
    # them outside the source folder).
    for name in ("desa_capil.scan._jbig2",):
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.origin and not Path(spec.origin).is_relative_to(SOURCE):
            shutil.copy2(spec.origin, internal / Path(*name.split(".")[:-1]) / Path(spec.origin).name)
    init = internal / "desa_capil" / "__init__.py"
    init.write_text(re.sub(r'__version__ = "[^"]+"', f'__version__ = "{version}"', init.read_text()))
    if extra_step:
        mig = internal / "desa_capil" / "store" / "migrations.py"
        text = mig.read_text()
        text, n = re.subn(
            r"\n\nSTEPS: list\[Step\] = \[([^\]]*)\]",
            r"\n" + STEP + r"STEPS: list[Step] = [\1, _v_test]",
            text,
        )
        assert n == 1
        mig.write_text(text + DOWN.format(n=NEW_SCHEMA))
    exe = folder / "desa-capil"
    exe.write_text(
        f'#!/bin/sh\nPYTHONPATH="$(dirname "$0")/_internal" exec "{sys.executable}" -P -m desa_capil "$@"\n'
    )
    exe.chmod(0o755)
    return folder


@dataclass
class Releases:
    repo: Path
    root_json: Path
    old: Path
    new: Path


@pytest.fixture(scope="module")
def releases(tmp_path_factory: pytest.TempPathFactory) -> Releases:
    base = tmp_path_factory.mktemp("releases")
    repo_dir, keys = base / "repo", base / "keys"
    root_json = publish.init_repository(repo_dir, keys)
    old = make_release(base / "b010", "0.1.0", extra_step=False)
    new = make_release(base / "b011", "0.1.1", extra_step=True)
    publish.publish_bundle(repo_dir, keys, old, "0.1.0", patch=False)
    publish.publish_bundle(repo_dir, keys, new, "0.1.1", patch=False)
    return Releases(repo_dir, root_json, old, new)


def run(exe: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DESA_CAPIL_HOME": str(home), "QT_QPA_PLATFORM": "offscreen"}
    env.pop("PYTHONPATH", None)  # the release stands on its own
    return subprocess.run([str(exe), *args], env=env, capture_output=True, text=True, timeout=600)


def run_code(bundle: Path, home: Path, code: str) -> str:
    """Python run by a release's own code (what its app would do), in the laptop's home."""
    env = {**os.environ, "DESA_CAPIL_HOME": str(home), "PYTHONPATH": str(bundle / "_internal")}
    proc = subprocess.run(
        [sys.executable, "-P", "-c", code], env=env, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def log_text(home: Path) -> str:
    return (home / "logs" / "desa_capil.log").read_text(encoding="utf-8")


def work_in_old_version(paths: AppPaths) -> dict[str, str]:
    """0.1.0 (this code) opens the database the first time and enters applications with pages;
    returns {page id: sha256 of its file}."""
    db = open_database(paths)
    shas = {}
    for i in range(2):
        app_id = repo.save_application(
            db, service_code="kk_hilang", applicant=repo.ApplicantData(f"32010155129001{i:02d}", f"Lama {i}")
        )
        data = f"halaman lama {i}".encode() * 40
        (pid,) = sp.add_pages(
            db, app_id, "ktp_el", [sp.NewPage(data, "image/tiff", 10, 14, 300, "bilevel", b"t")]
        )
        shas[pid] = hashlib.sha256(data).hexdigest()
    db.close()
    return shas


NEW_WORK = """
import hashlib, json
from desa_capil.store import migrations, repo, pages as sp
from desa_capil.store.db import open_database
from desa_capil.paths import app_paths
db = open_database(app_paths())
assert migrations.LATEST == {n}
shas = {{}}
for i in range(2):
    app_id = repo.save_application(db, service_code="kk_hilang",
        applicant=repo.ApplicantData(f"32010155129002{{i:02d}}", f"Baru {{i}}"))
    data = f"halaman baru {{i}}".encode() * 40
    (pid,) = sp.add_pages(db, app_id, "ktp_el", [sp.NewPage(data, "image/tiff", 10, 14, 300, "bilevel", b"t")])
    shas[pid] = hashlib.sha256(data).hexdigest()
db.close()
print(json.dumps(shas))
"""


def update_to_new(home: Path, releases: Releases, verify: Callable[[Path], bool] = bundle_self_test) -> Path:
    """0.1.0 takes 0.1.1 from a stick folder (signatures, hashes, 0.1.1's own self-test)."""
    root = update_root()
    assert root == home / "pembaruan"
    up = Updater(root, "0.1.0", Source.folder(releases.repo), trusted_root=releases.root_json, verify=verify)
    assert up.check() is not None
    assert up.download_and_install() == "0.1.1"
    return root / "versions" / "0.1.1" / "desa-capil"


@pytest.mark.timeout(900)
def test_rollback_across_a_migration_keeps_every_row_and_the_old_version_starts(
    paths: AppPaths, app_home: Path, releases: Releases
) -> None:
    shas = work_in_old_version(paths)
    new_exe = update_to_new(app_home, releases)

    # 0.1.1 starts on the laptop's data: the database is migrated to its schema.
    started = run(new_exe, app_home, "--self-test")
    assert started.returncode == 0, started.stderr + log_text(app_home)[-3000:]
    assert "starting 0.1.1" in log_text(app_home)
    assert read_schemas(app_home / "pembaruan") == {"0.1.0": migrations.LATEST, "0.1.1": NEW_SCHEMA}
    # Work entered after the update.
    shas.update(json.loads(run_code(new_exe.parent, app_home, NEW_WORK.format(n=NEW_SCHEMA))))

    # This is what broke before: 0.1.0 refuses the newer schema.
    refused = run(releases.old / "desa-capil", app_home, "--self-test")
    assert refused.returncode != 0 and f"schema {NEW_SCHEMA} > {migrations.LATEST}" in log_text(app_home)

    back = run(new_exe, app_home, "--rollback")
    assert back.returncode == 0, back.stdout + back.stderr
    assert "Versi 0.1.0 dipakai lagi" in back.stdout and "data tetap utuh" in back.stdout
    assert Updater.read_state(app_home / "pembaruan") == {"current": "0.1.0", "previous": "0.1.1"}

    # 0.1.0 starts on it (its window and every page of it) ...
    (app_home / "logs" / "desa_capil.log").unlink()
    old = run(releases.old / "desa-capil", app_home, "--self-test")
    assert old.returncode == 0, old.stderr + log_text(app_home)[-3000:]
    assert "self-test passed" in log_text(app_home)
    # ... and every application and page from before and after the update is there, intact.
    db = open_database(paths)
    try:
        assert db.schema_before == migrations.LATEST
        with db.session() as s:
            apps = s.exec(select(Application)).all()
            names = sorted(s.get_one(Applicant, a.applicant_id).name for a in apps)
            pages = {p.id: p.processed_sha256 for p in s.exec(select(Page)).all()}
        assert names == ["Baru 0", "Baru 1", "Lama 0", "Lama 1"]
        assert set(pages) == set(shas)
        for pid, sha in shas.items():
            assert hashlib.sha256(db.blobs.get(pages[pid])).hexdigest() == sha
    finally:
        db.close()


@pytest.mark.timeout(900)
def test_rollback_that_would_lose_work_is_refused_and_changes_nothing(
    paths: AppPaths, app_home: Path, releases: Releases
) -> None:
    work_in_old_version(paths)
    # (The update's own self-test of 0.1.1 ran in the test above.)
    new_exe = update_to_new(app_home, releases, verify=lambda _bundle: True)
    assert run(new_exe, app_home, "--self-test").returncode == 0
    # In 0.1.1 a hand-over photo is recorded: 0.1.0 has no place for it.
    run_code(
        new_exe.parent,
        app_home,
        "from desa_capil.paths import app_paths\n"
        "from desa_capil.store.db import open_database\n"
        "db = open_database(app_paths())\n"
        "with db.engine.begin() as c:\n"
        "    app_id = c.exec_driver_sql('SELECT id FROM application LIMIT 1').scalar()\n"
        "    c.exec_driver_sql(f\"INSERT INTO handoverphoto (application_id, sha256) VALUES ('{app_id}', 'ab')\")\n"
        "db.close()\n",
    )
    back = run(new_exe, app_home, "--rollback")
    assert back.returncode == 7
    assert "Tidak bisa kembali ke versi 0.1.0" in back.stdout and "foto penyerahan" in back.stdout
    assert Updater.read_state(app_home / "pembaruan") == {"current": "0.1.1", "previous": "0.1.0"}
    kept = run_code(
        new_exe.parent,
        app_home,
        "from desa_capil.paths import app_paths\n"
        "from desa_capil.store.db import open_database\n"
        "db = open_database(app_paths())\n"
        "with db.engine.connect() as c:\n"
        "    print(c.exec_driver_sql('PRAGMA user_version').scalar(),"
        " c.exec_driver_sql('SELECT count(*) FROM handoverphoto').scalar())\n"
        "db.close()\n",
    )
    assert kept.split() == [str(NEW_SCHEMA), "1"]  # the photo and the newer schema stay
    assert not list(paths.backups.glob("before-schema-*-rollback-*"))
