"""gzip-coded JSON request bodies (RFC 7694): the client codes a large JSON body once the
server said it takes them, sends plain bodies to a server that never said so, and falls back
to plain (for good) after a 415. Real server over real HTTP, behind a small recording proxy."""

from __future__ import annotations

import gzip
import http.client
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from desa_capil.sync import client as client_module
from desa_capil.sync.client import ApiClient, _accepts_gzip
from desa_capil.sync.worker import SyncWorker

from .conftest import Enrolled
from .helpers import Admin, assert_server_has, make_batch

_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length"}


@dataclass
class Seen:
    method: str
    path: str
    coding: str
    body: bytes
    content_type: str = ""


class Recorder:
    """Forwards every request to the server and records it. ``strip``: answers lose their
    ``Accept-Encoding`` (an older server); ``drop``: answers lose these headers. ``refuse``: a gzip-coded request is answered 415
    without being forwarded (a proxy that does not take coded bodies). ``old``: a gzip-coded
    request is answered as a server from before coded bodies answers a body it cannot read as
    JSON (422), while the answers still say ``Accept-Encoding: gzip`` (a proxy or portal in
    front said so). ``lost_bodies``: a creation carrying upload bytes is forwarded, and the
    server's answer replaced by 502 (a gateway that gave up on it after the server acted)."""

    def __init__(
        self,
        upstream_port: int,
        *,
        strip: bool = False,
        refuse: bool = False,
        old: bool = False,
        drop: tuple[str, ...] = (),
        lost_bodies: bool = False,
    ) -> None:
        self.seen: list[Seen] = []
        dropped = {"accept-encoding"} if strip else set()
        dropped |= {h.lower() for h in drop}
        rec = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _body(self) -> bytes:
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    out = b""
                    while size := int(self.rfile.readline().split(b";")[0], 16):
                        out += self.rfile.read(size)
                        self.rfile.readline()
                    self.rfile.readline()
                    return out
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def _forward(self) -> None:
                body = self._body()
                coding = self.headers.get("Content-Encoding", "")
                rec.seen.append(
                    Seen(self.command, self.path, coding, body, self.headers.get("Content-Type", ""))
                )
                if refuse and coding:
                    self.send_response(415)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if old and coding:
                    detail = json.dumps(
                        {"detail": [{"type": "json_invalid", "msg": "JSON decode error"}]}
                    ).encode()
                    self.send_response(422)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Accept-Encoding", "gzip")
                    self.send_header("Content-Length", str(len(detail)))
                    self.end_headers()
                    self.wfile.write(detail)
                    return
                conn = http.client.HTTPConnection("127.0.0.1", upstream_port, timeout=30)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP}
                headers["Content-Length"] = str(len(body))
                conn.request(self.command, self.path, body, headers)
                resp = conn.getresponse()
                data = resp.read()
                creation = self.command == "POST" and self.path.rstrip("/").endswith("/uploads")
                if lost_bodies and creation and body and "offset" in self.headers.get("Content-Type", ""):
                    conn.close()
                    self.send_response(502)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(resp.status)
                for k, v in resp.getheaders():
                    if k.lower() in _HOP or k.lower() in dropped:
                        continue
                    self.send_header(k, v)
                if self.command != "HEAD":
                    self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                conn.close()

            do_GET = do_POST = do_PUT = do_PATCH = do_HEAD = do_DELETE = _forward

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def manifests(self) -> list[Seen]:
        return [s for s in self.seen if s.method == "PUT" and "/batches/" in s.path]


@pytest.fixture(autouse=True)
def _fresh_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    """What the client learnt about other tests' addresses is not this test's."""
    monkeypatch.setattr(client_module, "_request_coding", client_module._RequestCoding())


@pytest.fixture
def recorder(request: pytest.FixtureRequest, enrolled: Enrolled) -> Iterator[Recorder]:
    rec = Recorder(enrolled.server.port, **getattr(request, "param", {}))
    yield rec
    rec.stop()


def _sync(e: Enrolled, url: str) -> list[str]:
    worker = SyncWorker(e.db, lambda: ApiClient(url, e.config.token), row_backoff_base=0.01)
    try:
        return worker.run_until_idle().batches_sent
    finally:
        worker.close()


def _decoded(seen: Seen) -> dict[str, Any]:
    raw = gzip.decompress(seen.body) if seen.coding == "gzip" else seen.body
    value: dict[str, Any] = json.loads(raw)
    return value


def test_manifest_goes_gzip_coded_after_the_servers_first_answer(
    enrolled: Enrolled, admin: Admin, recorder: Recorder
) -> None:
    batch_id, ids = make_batch(enrolled.db, 3)
    assert _sync(enrolled, recorder.url) == [batch_id]
    [put] = recorder.manifests()
    assert put.coding == "gzip"
    manifest = _decoded(put)
    assert len(put.body) < len(json.dumps(manifest))
    assert sorted(a["id"] for a in manifest["applications"]) == sorted(ids)
    # The uploads came first (their answers taught the client) and were sent as they are.
    first = recorder.seen[0]
    assert first.coding == "" and "/uploads" in first.path
    assert all(s.coding == "" for s in recorder.seen if "/uploads" in s.path)
    assert_server_has(enrolled, admin, ids)


@pytest.mark.parametrize("recorder", [{"strip": True}], indirect=True)
def test_a_server_that_never_said_so_gets_plain_bodies(
    enrolled: Enrolled, admin: Admin, recorder: Recorder
) -> None:
    batch_id, ids = make_batch(enrolled.db, 3)
    assert _sync(enrolled, recorder.url) == [batch_id]
    assert recorder.manifests() and all(s.coding == "" for s in recorder.seen)
    assert_server_has(enrolled, admin, ids)


@pytest.mark.parametrize(
    "recorder", [{"refuse": True}, {"old": True}], ids=["415", "older-server-422"], indirect=True
)
def test_a_refused_coded_body_goes_plain_once_and_for_good(
    enrolled: Enrolled, admin: Admin, recorder: Recorder
) -> None:
    """415 (a proxy that does not take coded bodies), or 422 from an older server that reads
    the coded bytes as broken JSON while the answers still offer gzip: the body is sent once
    more plain, the batch arrives (not set aside), and later bodies go plain straight away."""
    batch_id, ids = make_batch(enrolled.db, 3)
    assert _sync(enrolled, recorder.url) == [batch_id]
    coded, plain = recorder.manifests()
    assert coded.coding == "gzip" and plain.coding == ""
    assert _decoded(coded) == _decoded(plain)
    # A second batch (a later pass) is sent plain straight away.
    batch2, ids2 = make_batch(enrolled.db, 3)
    assert _sync(enrolled, recorder.url) == [batch2]
    assert recorder.manifests()[2].coding == ""
    assert [s.coding for s in recorder.seen].count("gzip") == 1
    assert_server_has(enrolled, admin, ids + ids2)


def test_a_real_refusal_of_a_coded_body_is_the_plain_answers_and_coding_stays(
    enrolled: Enrolled, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A body the server refuses for what it says (not for its coding): sent once more plain,
    that answer's error is raised, and later bodies are still coded."""
    api = enrolled.config.client_factory()()
    client_module._request_coding.note(api.api_url, "gzip")
    sent: list[str] = []
    send = api._send

    def recording(method: str, path: str, **kw: Any) -> Any:
        sent.append((kw.get("headers") or {}).get("Content-Encoding", ""))
        return send(method, path, **kw)

    monkeypatch.setattr(api, "_send", recording)
    bad = {"applications": "not a list", "padding": "x" * 4000}
    with pytest.raises(client_module.SyncError):
        api.request("PUT", "/batches/not-a-batch", json_body=bad)
    assert sent == ["gzip", ""]
    assert client_module._request_coding.allowed(api.api_url)


def test_accept_encoding_values() -> None:
    assert _accepts_gzip("gzip") and _accepts_gzip("br, GZIP;q=0.5") and _accepts_gzip("x-gzip")
    assert not _accepts_gzip("") and not _accepts_gzip("identity") and not _accepts_gzip("gzip;q=0")
    assert not _accepts_gzip("gzip;q=zero") and not _accepts_gzip("deflate, br")
