"""The worker against a hostile server: every client call answered with many kinds of wrong
answers (bad JSON, HTML, wrong shapes, unknown values, huge or dripping bodies, redirects to the
same and to other hosts, 5xx forever, resets mid-body, bad tus headers, wrong offsets, uploads
that vanish, PDFs that are not PDFs).

For each kind: the worker thread stays alive, nothing local changes (pages, documents,
applicants byte-identical; nothing set aside), the status says the right thing, and once the
server behaves again everything arrives exactly once (checked against the real reference
server behind the hostile one).
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from desa_capil.domain.status import Status
from desa_capil.paths import AppPaths
from desa_capil.server.embedded import EmbeddedServer
from desa_capil.server.testing import running_server
from desa_capil.store.db import Database
from desa_capil.store.distribution import mark_arrived
from desa_capil.store.models import (
    Applicant,
    Application,
    Batch,
    BatchState,
    Document,
    OfficeDocument,
    Outbox,
    OutboxState,
    Page,
    StatusChange,
)
from desa_capil.sync.client import ApiClient
from desa_capil.sync.config import SyncConfig, credential_store, enroll
from desa_capil.sync.worker import Backoff, SyncPhase, SyncStatus, SyncWorker, has_pending_work

from . import hostile as h
from .helpers import Admin, assert_server_has, make_batch, wait_for

PDF_A = b"%PDF-1.7\n" + b"akta A " * 400
PDF_B = b"%PDF-1.7\n" + b"akta B " * 3000  # ~21 KB: big enough to be cut mid-way
ERR_500 = b'{"error":"internal","message_id":"Server bermasalah","message_en":"Server trouble"}'
LOCKED = (
    b'{"error":"upload_locked","message_id":"Berkas ini sedang dikirim oleh permintaan lain.",'
    b'"message_en":"locked"}'
)
GONE = b'{"error":"gone","message_id":"Unggahan kedaluwarsa","message_en":"expired"}'
NOT_FOUND = b'{"error":"not_found","message_id":"Tidak ditemukan","message_en":"not found"}'

CREATE = r"^/api/v1/uploads/$"
UPLOAD = r"^/api/v1/uploads/[^/]+$"
BATCH = r"^/api/v1/batches/"
EVENTS = r"^/api/v1/events$"
CHANGES = r"^/api/v1/changes$"
DOC = r"^/api/v1/documents/.+/file$"
HEALTH = r"^/api/v1/health$"

P = SyncPhase
TRANSIENT = {P.WAITING, P.OFFLINE, P.NEEDS_LOGIN, P.IDLE}


@dataclass
class Kind:
    name: str
    faults: list[tuple[str, str, h.Answer, int | None]]
    must_show: set[SyncPhase] = field(default_factory=set)  # one of these must be shown
    allowed: set[SyncPhase] = field(default_factory=lambda: set(TRANSIENT))
    check: Callable[[Database, dict[str, str]], None] | None = None
    hits: int = 2  # wrong answers to wait for (1 when the client recovers after one)
    says: str = ""  # words the status must have used (Indonesian)


def _rename_status(old: str, new: str) -> h.Answer:
    def fn(page: Any) -> Any:
        for ch in page.get("changes", []):
            if ch.get("status") == old:
                ch["status"] = new
        return page

    return h.edit_json(fn)


def _extra_fields(page: Any) -> Any:
    page["server_news"] = {"v": 2}
    for ch in page.get("changes", []):
        ch["priority"] = "tinggi"
        ch["labels"] = ["baru"]
    return page


def _relative_location() -> h.Answer:
    def edit(head: bytes, body: bytes) -> tuple[bytes, bytes]:
        return re.sub(rb"(?im)^(location:\s*)/api/v1/uploads/", rb"\1", head), body

    return h.mangle(edit)


def _other_batch(receipt: Any) -> Any:
    receipt["batch_id"] = str(uuid.uuid4())
    return receipt


def _receipt_status(status: str) -> Callable[[Any], Any]:
    def fn(receipt: Any) -> Any:
        for app in receipt.get("applications", []):
            app["status"] = status
        return receipt

    return fn


def _unknown_outcome(answer: Any) -> Any:
    for r in answer.get("results", []):
        r["outcome"] = "queued_for_review"
    return answer


def _note_kept(db: Database, ids: dict[str, str]) -> None:
    with db.session() as s:
        notes = s.exec(
            select(StatusChange).where(
                StatusChange.application_id == ids["a2"], StatusChange.actor == "office"
            )
        ).all()
    assert any("Status baru dari kantor: diverifikasi_ulang" in n.message for n in notes), notes


def _drip_head(status: str = "200 OK") -> bytes:
    return f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n".encode()


KINDS = [
    # --- GET /changes
    Kind(
        "changes-bad-json", [("GET", CHANGES, h.respond(200, b'{"changes": [{"seq": 1,'), None)], {P.WAITING}
    ),
    Kind("changes-html-200", [("GET", CHANGES, h.html(200), None)], {P.NEEDS_LOGIN}),
    Kind(
        "changes-wrong-shape",
        [("GET", CHANGES, h.respond(200, b'{"items": [], "next": 0}'), None)],
        {P.WAITING},
    ),
    Kind(
        "changes-unknown-status",
        [("GET", CHANGES, _rename_status("in_review", "diverifikasi_ulang"), None)],
        check=_note_kept,
    ),
    Kind("changes-extra-fields", [("GET", CHANGES, h.edit_json(_extra_fields), None)]),
    Kind(
        "changes-cursor-backwards",
        [("GET", CHANGES, h.edit_json(lambda p: {**p, "next_after": -5}), None)],
        {P.WAITING},
    ),
    Kind("changes-huge-body", [("GET", CHANGES, h.huge(200, 20 * 1024 * 1024), None)], {P.WAITING}),
    Kind("changes-slow-drip-body", [("GET", CHANGES, h.drip(_drip_head(), 0.3), None)], {P.OFFLINE}),
    Kind(
        "changes-slow-drip-headers",
        [("GET", CHANGES, h.drip(b"HTTP/1.1 200 OK\r\n", 0.3), None)],
        {P.OFFLINE},
    ),
    Kind("changes-301-same-host", [("GET", CHANGES, h.redirect_same_host(301), None)], {P.NEEDS_LOGIN}),
    Kind(
        "changes-302-other-host",
        [("GET", CHANGES, h.redirect(302, "http://login.wifi.example.net/?u=x"), None)],
        {P.NEEDS_LOGIN},
    ),
    Kind(
        "changes-307-other-host-https",
        [("GET", CHANGES, h.redirect(307, "https://capil.evil.example/api/v1/changes"), None)],
        {P.NEEDS_LOGIN},
    ),
    Kind("changes-503-forever", [("GET", CHANGES, h.respond(503, b"", "text/plain"), None)], {P.WAITING}),
    Kind("changes-reset-mid-body", [("GET", CHANGES, h.reset_mid_body(), None)], {P.OFFLINE}),
    Kind("changes-silence", [("GET", CHANGES, h.silence(), None)], {P.OFFLINE}),
    Kind("changes-bad-gzip", [("GET", CHANGES, h.bad_gzip(), None)], {P.WAITING}),
    Kind(
        "changes-403-plain", [("GET", CHANGES, h.respond(403, b"Forbidden", "text/plain"), None)], {P.WAITING}
    ),
    # --- POST /events
    Kind("events-500-forever", [("POST", EVENTS, h.respond(500, ERR_500), None)], {P.WAITING}),
    Kind("events-wrong-shape", [("POST", EVENTS, h.respond(200, b'{"results": "ok"}'), None)], {P.WAITING}),
    Kind("events-event-not-mentioned", [("POST", EVENTS, h.respond(200, b'{"results": []}'), 3)]),
    Kind("events-unknown-outcome", [("POST", EVENTS, h.edit_json(_unknown_outcome), None)], {P.WAITING}),
    Kind(
        "events-302-other-host",
        [("POST", EVENTS, h.redirect(302, "http://portal.example/"), None)],
        {P.NEEDS_LOGIN},
    ),
    Kind("events-answer-lost", [("POST", EVENTS, h.forward_then_drop(), 2)], {P.OFFLINE}),
    # --- PUT /batches/{id}
    Kind("batch-wrong-shape", [("PUT", BATCH, h.respond(201, b'{"ok": true}'), None)], {P.WAITING}),
    Kind(
        "batch-receipt-unknown-status",
        [("PUT", BATCH, h.edit_json(_receipt_status("diterima_v2")), None)],
        hits=1,
    ),
    Kind("batch-receipt-for-another-batch", [("PUT", BATCH, h.edit_json(_other_batch), None)], {P.WAITING}),
    Kind(
        "batch-502-html-forever",
        [("PUT", BATCH, h.respond(502, b"<html><body>Bad Gateway</body></html>", "text/html"), None)],
        {P.WAITING},
    ),
    Kind("batch-answer-lost", [("PUT", BATCH, h.forward_then_drop(), 2)], {P.OFFLINE}),
    Kind("batch-307-same-host", [("PUT", BATCH, h.redirect_same_host(307), None)], {P.NEEDS_LOGIN}),
    # --- tus creation
    Kind("create-no-location", [("POST", CREATE, h.respond(201, b""), None)], {P.WAITING}),
    Kind(
        "create-location-other-host",
        [("POST", CREATE, h.set_header("Location", "http://evil.example/api/v1/uploads/abc"), None)],
        {P.WAITING},
    ),
    Kind("create-location-relative", [("POST", CREATE, _relative_location(), None)], hits=1),
    # --- tus PATCH / HEAD
    Kind(
        "patch-offset-not-a-number",
        [("PATCH", UPLOAD, h.set_header("Upload-Offset", "abc"), None)],
        {P.WAITING},
        hits=1,
    ),
    Kind("patch-offset-beyond-length", [("PATCH", UPLOAD, h.shift_offset(10**9), None)], {P.WAITING}, hits=1),
    Kind("patch-offset-behind", [("PATCH", UPLOAD, h.shift_offset(-1), None)]),
    Kind(
        "patch-423-forever",
        [("PATCH", UPLOAD, h.respond(423, LOCKED), None)],
        {P.WAITING},
        says="Server masih memegang kiriman lama",
    ),
    Kind("patch-404-known-upload", [("PATCH", UPLOAD, h.respond(404, NOT_FOUND), 2)]),
    Kind("patch-410-known-upload", [("PATCH", UPLOAD, h.respond(410, GONE), 2)]),
    Kind("patch-silence", [("PATCH", UPLOAD, h.silence(), None)], {P.OFFLINE}),
    Kind("patch-reset", [("PATCH", UPLOAD, h.reset_mid_body(200), None)], {P.OFFLINE}),
    Kind(
        "head-404-after-a-cut",
        [("PATCH", UPLOAD, h.close_at_once(), 1), ("HEAD", UPLOAD, h.respond(404, b""), None)],
    ),
    Kind(
        "head-negative-offset",
        [
            ("PATCH", UPLOAD, h.close_at_once(), 1),
            ("HEAD", UPLOAD, h.set_header("Upload-Offset", "-5"), None),
        ],
        {P.WAITING, P.OFFLINE},
    ),
    # --- signed PDF download
    Kind(
        "doc-not-a-pdf",
        [("GET", DOC, h.replace_body(b"<html>not a pdf</html>", "application/pdf"), None)],
        {P.WAITING},
    ),
    Kind("doc-wrong-sha256", [("GET", DOC, h.replace_body(b"%PDF-1.4 another file"), None)], {P.WAITING}),
    Kind(
        "doc-huge-declared",
        [("GET", DOC, h.huge(200, 50 * 1024 * 1024, "application/pdf"), None)],
        {P.WAITING},
    ),
    Kind(
        "doc-huge-chunked",
        [("GET", DOC, h.huge(200, 3 * 1024 * 1024, "application/pdf", declare=False), None)],
        {P.WAITING},
    ),
    Kind("doc-cut-mid-body", [("GET", DOC, h.reset_mid_body(200, 30_000, 4000), 2)], {P.OFFLINE}),
    Kind("doc-404-unexplained", [("GET", DOC, h.respond(404, b"nope", "text/plain"), None)], {P.WAITING}),
    # --- everything at once, and the probe
    Kind("all-500", [("*", ".", h.respond(500, ERR_500), None)], {P.WAITING}),
    Kind("all-captive-portal-html", [("*", ".", h.html(200), None)], {P.NEEDS_LOGIN}),
    Kind(
        "all-302-captive-portal",
        [("*", ".", h.redirect(302, "http://login.wifi.id/"), None)],
        {P.NEEDS_LOGIN},
    ),
    Kind("all-closed", [("*", ".", h.close_at_once(), None)], {P.OFFLINE}),
    Kind(
        "probe-html-while-down",
        [
            ("GET", HEALTH, h.html(200), None),
            ("*", "^/api/v1/(changes|events|uploads|batches)", h.close_at_once(), None),
        ],
        {P.OFFLINE},
    ),
]


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedServer]:
    with running_server(
        tmp_path_factory.mktemp("hostile-server"), rate_burst=100_000.0, rate_per_second=100_000.0
    ) as server:
        yield server


_village_seq = iter(range(2001, 2999))


class Recorder:
    def __init__(self) -> None:
        self.statuses: list[SyncStatus] = []
        self.lock = threading.Lock()

    def progress(self, p: object) -> None:
        pass

    def contact(self, at: object) -> None:
        pass

    def batch_done(self, batch_id: str, state: str) -> None:
        pass

    def status(self, st: SyncStatus) -> None:
        with self.lock:
            self.statuses.append(st)

    def settled(self) -> int:
        with self.lock:
            return sum(1 for st in self.statuses if st.phase is not SyncPhase.SYNCING)

    def phases(self) -> set[SyncPhase]:
        with self.lock:
            return {st.phase for st in self.statuses}


def snapshot(db: Database) -> dict[str, Any]:
    """What must never change locally, byte for byte."""
    with db.session() as s:
        pages = sorted((p.document_id, p.position, p.processed_sha256) for p in s.exec(select(Page)))
        docs = sorted((d.id, d.file_sha256 or "", d.file_size) for d in s.exec(select(Document)))
        people = sorted(a.model_dump_json() for a in s.exec(select(Applicant)))
    blobs = {sha: hashlib.sha256(db.blobs.get(sha)).hexdigest() for _d, _p, sha in pages}
    blobs |= {sha: hashlib.sha256(db.blobs.get(sha)).hexdigest() for _i, sha, _n in docs if sha}
    return {"pages": pages, "docs": docs, "people": people, "blobs": blobs}


@dataclass
class Scene:
    db: Database
    token: str
    admin: Admin
    ids: dict[str, str]
    village: str


def build_scene(db: Database, paths: AppPaths, server: EmbeddedServer) -> Scene:
    """A laptop with one of everything still to do: a sealed batch (uploads + manifest), an
    "arrived" event, office changes to pull and a signed PDF to download."""
    village = f"32.04.05.{next(_village_seq)}"
    code = server.create_village(village, "Desa Uji")
    creds = credential_store(paths)
    enroll(db, creds, server.base_url, code, device_name="Laptop Uji")
    token = creds.get_token()
    assert token
    admin = Admin(server.base_url, server.admin_token)
    _b, (a1, a2) = make_batch(db, 2, service="kk_baru")
    good = SyncWorker(db, SyncConfig(server.base_url, token).client_factory())
    good.run_until_idle()
    remote = admin.by_client_id()
    admin.set_status(remote[a1]["id"], "finished")
    admin.attach(remote[a1]["id"], "Akta A", PDF_A)
    admin.dispatch(village, [remote[a1]["id"]])
    good.run_pass()
    good.close()
    mark_arrived(db, [a1])
    admin.set_status(remote[a2]["id"], "in_review")
    admin.set_status(remote[a2]["id"], "finished")
    admin.attach(remote[a2]["id"], "Akta B", PDF_B)
    admin.dispatch(village, [remote[a2]["id"]])
    _c, (c1,) = make_batch(db, 1, page_bytes=30_000, service="kk_baru")
    return Scene(db, token, admin, {"a1": a1, "a2": a2, "c1": c1}, village)


def done(scene: Scene) -> bool:
    db = scene.db
    if has_pending_work(db):
        return False
    with db.session() as s:
        a2 = s.get(Application, scene.ids["a2"])
        docs = s.exec(select(OfficeDocument).where(OfficeDocument.application_id == scene.ids["a2"])).all()
    return a2 is not None and a2.status == Status.DISPATCHED and all(d.file_sha256 for d in docs)


@pytest.mark.parametrize("kind", KINDS, ids=[k.name for k in KINDS])
def test_hostile_answers_never_stop_sync_nor_lose_anything(
    kind: Kind, db: Database, paths: AppPaths, shared_server: EmbeddedServer, tmp_path: Path
) -> None:
    scene = build_scene(db, paths, shared_server)
    before = snapshot(db)
    hostile = h.HostileServer(shared_server.port).start()
    faults = [hostile.add(m, p, a, n) for m, p, a, n in kind.faults]
    rec = Recorder()
    stop, wake = threading.Event(), threading.Event()

    def factory() -> ApiClient:
        return ApiClient(hostile.url, scene.token, timeout=(1.0, 1.0), deadline=2.5, max_download=1024 * 1024)

    worker = SyncWorker(
        db,
        factory,
        listener=rec,
        stop=stop,
        backoff=Backoff(base=0.05, cap=0.3),
        row_backoff_base=0.05,
        poll_interval=0.2,
        probe_interval=0.2,
        parallel=2,
    )
    thread = threading.Thread(target=worker.run_forever, args=(wake,), name="sync-under-test", daemon=True)
    thread.start()
    try:
        # The wrong answer was given (as often as the kind says, at least twice otherwise)
        # and the worker settled after it at least twice more.
        wanted = [min(f.times or kind.hits, kind.hits) for f in faults]
        wait_for(
            lambda: all(f.hits >= n for f, n in zip(faults, wanted, strict=True)), 60, "the faults to be hit"
        )
        settled = rec.settled()
        wait_for(lambda: rec.settled() >= settled + 2, 60, "two more passes")
        assert thread.is_alive()
        phases = rec.phases()
        assert phases <= kind.allowed | {SyncPhase.SYNCING}, phases
        if kind.must_show:
            assert phases & kind.must_show, phases
        with rec.lock:
            waiting = [st for st in rec.statuses if st.phase in (P.WAITING, P.OFFLINE, P.NEEDS_LOGIN)]
        assert all(st.next_try_at is not None and st.message_id for st in waiting)  # why, and when
        if kind.says:
            assert any(kind.says in st.message_id for st in rec.statuses), rec.statuses[-3:]
        # Nothing local changed, nothing was set aside over a transient answer.
        with db.session() as s:
            assert not s.exec(select(Outbox).where(Outbox.state == OutboxState.PARKED)).all()
            assert BatchState.FAILED not in {b.state for b in s.exec(select(Batch))}
        after = snapshot(db)
        assert after["pages"] == before["pages"] and after["people"] == before["people"]
        assert after["blobs"].items() >= before["blobs"].items()

        # A good server again: "Kirim sekarang" and everything arrives, once.
        hostile.clear()
        worker.hurry.set()
        wake.set()
        wait_for(lambda: done(scene), 60, "the outbox to drain on a good server")
        assert thread.is_alive()
    finally:
        stop.set()
        wake.set()
        thread.join(10)
        hostile.stop()
    assert not thread.is_alive()
    assert_server_has(scene, scene.admin, list(scene.ids.values()), scene.village)
    remote = scene.admin.by_client_id()
    assert remote[scene.ids["a1"]]["status"] == "arrived"
    with db.session() as s:
        assert not s.exec(select(Outbox).where(Outbox.state != OutboxState.DONE)).all()
        a2_docs = s.exec(select(OfficeDocument).where(OfficeDocument.application_id == scene.ids["a2"])).all()
        assert [db.blobs.get(d.file_sha256 or "") for d in a2_docs] == [PDF_B]
        # Exactly one arrival event reached the office.
        history = [
            json.loads(r.payload)["status"] for r in s.exec(select(Outbox).where(Outbox.kind == "event"))
        ]
    assert history == ["arrived"]
    after = snapshot(db)
    assert after["pages"] == before["pages"] and after["people"] == before["people"]
    if kind.check is not None:
        kind.check(db, scene.ids)
    worker.close()
