"""The last files of a batch sent as partial uploads on several connections and joined by the
server (tus Concatenation), against the real reference server over HTTP."""

from __future__ import annotations

import hashlib

from sqlmodel import col, select

from desa_capil.server.db import Upload
from desa_capil.store.models import Outbox
from desa_capil.sync import apply
from desa_capil.sync.tus import CONCAT_PREFIX, LinkMeter, PartUploader, SplitUpload, part_count
from desa_capil.sync.worker import SyncWorker

from .conftest import Enrolled
from .helpers import Admin, assert_server_has, make_ready, seal


def server_uploads(e: Enrolled) -> list[Upload]:
    svc = e.server.service
    assert svc is not None
    with svc.db.read_session() as s:
        return list(s.exec(select(Upload)).all())


def test_the_last_files_go_as_parts_and_arrive_exact(enrolled: Enrolled, admin: Admin) -> None:
    app_id = make_ready(enrolled.db, pages_per_doc=1, page_bytes=70_000)
    batch_id = seal(enrolled.db, [app_id])
    worker = SyncWorker(enrolled.db, enrolled.config.client_factory(), parallel=4)
    worker.min_part = 16 * 1024  # loopback measures a fast link, whose chunks are whole files
    assert worker.run_until_idle().batches_sent == [batch_id]
    uploads = server_uploads(enrolled)
    finals = [u for u in uploads if u.concat.startswith("final;")]
    assert finals, "no file went as parts"
    assert not [u for u in uploads if u.concat == "partial"]  # joined parts are deleted
    for final in finals:
        parts = final.concat.removeprefix("final;").split()
        assert 2 <= len(parts) and final.document_id is not None and final.offset == final.length
    assert_server_has(enrolled, admin, [app_id])  # every document byte for byte
    with enrolled.db.session() as s:
        rows = s.exec(select(Outbox).where(Outbox.kind == "upload")).all()
        assert {r.upload_url for r in rows} >= {f.id for f in finals}
        assert not any(r.upload_url.startswith(CONCAT_PREFIX) for r in rows)
    worker.close()


def test_a_split_file_resumes_its_parts_after_a_break(enrolled: Enrolled, admin: Admin) -> None:
    """One part went before the app stopped: the next pass sends only the others, and the
    final upload joins the part sent before (same id) with them."""
    app_id = make_ready(enrolled.db, pages_per_doc=1, page_bytes=40_000)
    batch_id = seal(enrolled.db, [app_id])
    with enrolled.db.session() as s:
        row = s.exec(select(Outbox).where(Outbox.kind == "upload").order_by(col(Outbox.id))).first()
    assert row is not None and row.id is not None
    payload = apply.payload_of(row.payload)
    data = enrolled.db.blobs.get(str(payload["sha256"]))
    split = SplitUpload.resume_or_plan(enrolled.db, row, data, {}, 3)
    assert split.take() == 0
    client = enrolled.config.client()
    PartUploader(split, 0, client, enrolled.db, LinkMeter(8192)).send()
    client.close()
    first_part = split.ids[0]
    with enrolled.db.session() as s:
        saved = s.get(Outbox, row.id)
        assert saved is not None and saved.upload_url.startswith(CONCAT_PREFIX + first_part + ",")
        assert saved.upload_offset == split.plan[0][1]  # the batch's progress counts the part

    worker = SyncWorker(enrolled.db, enrolled.config.client_factory(), parallel=2)
    worker.min_part = 16 * 1024
    assert worker.run_until_idle().batches_sent == [batch_id]
    with enrolled.db.session() as s:
        done = s.get(Outbox, row.id)
        assert done is not None
    final = next(u for u in server_uploads(enrolled) if u.id == done.upload_url)
    assert final.concat.startswith("final;" + first_part + " ") and final.length == len(data)
    assert final.sha256 == hashlib.sha256(data).hexdigest()
    assert_server_has(enrolled, admin, [app_id])
    worker.close()


def test_parts_are_at_least_a_chunk_and_at_most_twice_the_streams() -> None:
    assert part_count(40_000, 4, 16 * 1024) == 2
    assert part_count(40_000, 4, 45_000) == 1  # the measured chunk is bigger: not split
    assert part_count(10_000_000, 2, 16 * 1024) == 4
    assert part_count(10_000_000, 8, 16 * 1024) == 8  # MAX_PARTS
