"""Orphan page files: a crash between writing a page file and committing its row leaves a file
nothing names. They are collected at start, never one a row names or one of this session."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from desa_capil.paths import AppPaths
from desa_capil.store import pages as store_pages
from desa_capil.store import repo
from desa_capil.store.db import collect_orphan_blobs, open_database, referenced_blobs

REPO = Path(__file__).resolve().parents[2]

# One "session": open the store, save a page properly, then crash (os._exit, no cleanup, no
# commit) while saving the next pages: their sealed files are written, their rows never are.
CRASHING_SESSION = textwrap.dedent(
    """
    import os, sys
    from desa_capil.paths import app_paths
    from desa_capil.store import pages, repo
    from desa_capil.store.db import Database, open_database

    n = int(sys.argv[1])
    db = open_database(app_paths().ensure())
    app_id = repo.save_application(
        db, service_code="akta_lahir",
        applicant=repo.ApplicantData(nik="3201014509900001", name="Siti Aminah"),
    )
    def page(label):
        return pages.NewPage(data=label.encode() * 50, mime="image/png", width=1, height=1, dpi=100,
                             mode="gray", thumb=(label + " thumb").encode(), original=(label + " asli").encode())
    pages.add_pages(db, app_id, "sk_lahir", [page(f"kept {n}")])
    Database.session = lambda self: os._exit(9)  # the power cut, right before the commit
    pages.add_pages(db, app_id, "sk_lahir", [page(f"lost {n} a"), page(f"lost {n} b")])
    """
)


def _crash(app_home: Path, n: int) -> None:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.run(
        [sys.executable, "-c", CRASHING_SESSION, str(n)], env=env, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 9, proc.stderr[-2000:]


def _files(paths: AppPaths) -> set[Path]:
    return {p for p in paths.blobs.rglob("*") if p.is_file() and p.name != ".format"}


def test_crash_orphans_are_collected_and_named_files_kept(app_home: Path, paths: AppPaths) -> None:
    crashes = 3
    for n in range(crashes):
        _crash(app_home, n)
    # A temp file of a write cut short (atomic_write never got to its rename).
    (paths.blobs / "ab").mkdir(exist_ok=True)
    (paths.blobs / "ab" / ".tmp-cut").write_bytes(b"half a page")
    before = _files(paths)
    # Each crash: 3 files (page, thumb, original) kept, 6 files orphaned.
    assert len(before) == crashes * 9 + 1

    session_started = time.time()
    db = open_database(paths)
    try:
        # A page being saved in this session: its file is written, its row not yet committed.
        young = db.blobs.put(b"scanned just now")
        # A page of this session whose bytes equal an old orphan: put() marks it as in use.
        again = db.blobs.put(b"lost 0 a" * 50)

        report = collect_orphan_blobs(db, session_started=session_started)

        assert report.removed == crashes * 6 - 1 + 1  # all orphans but the reused one, plus the .tmp
        assert report.kept_young == 2
        assert not (paths.blobs / "ab" / ".tmp-cut").exists()
        assert db.blobs.get(young) == b"scanned just now"
        assert db.blobs.get(again) == b"lost 0 a" * 50
        # Every file a row names is still there and reads back.
        named = referenced_blobs(db)
        assert len(named) == crashes * 3
        for sha in named:
            assert db.blobs.get(sha)
        left = _files(paths)
        assert len(left) == crashes * 3 + 2
        # Collecting again finds nothing more: the young files wait for a later session.
        assert collect_orphan_blobs(db, session_started=session_started).removed == 0
    finally:
        db.close()


def test_blob_named_only_inside_a_json_payload_is_kept(db: object, paths: AppPaths) -> None:
    from desa_capil.store.db import Database
    from desa_capil.store.models import Outbox

    assert isinstance(db, Database)
    sha = db.blobs.put(b"assembled document pdf")
    with db.session() as s:
        s.add(Outbox(kind="upload", ref_id="doc-1", payload=f'{{"sha256": "{sha}"}}'))
        s.commit()
    orphan = db.blobs.put(b"nobody names me")
    report = collect_orphan_blobs(db, session_started=time.time() + 10)
    assert report.removed == 1
    assert db.blobs.get(sha) == b"assembled document pdf"
    assert not db.blobs.exists(orphan)


def test_a_page_deleted_then_collected_does_not_touch_other_applications(db: object) -> None:
    from desa_capil.store.db import Database

    assert isinstance(db, Database)
    a = repo.save_application(
        db,
        service_code="akta_lahir",
        applicant=repo.ApplicantData(nik="3201014509900001", name="Siti Aminah"),
    )
    page = store_pages.NewPage(
        data=b"shared" * 10, mime="image/png", width=1, height=1, dpi=100, mode="gray", thumb=b"t"
    )
    store_pages.add_pages(db, a, "sk_lahir", [page])
    report = collect_orphan_blobs(db, session_started=time.time() + 10)
    assert report.removed == 0
    assert len(referenced_blobs(db)) == 2
