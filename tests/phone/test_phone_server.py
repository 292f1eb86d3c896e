"""The phone listener over real HTTP on loopback: tokens, limits, refused files, closing mid-upload.

The listener is bound to 127.0.0.1 through the explicit test option (``allow_loopback``) on a
port the OS picks; the real dialog binds a private LAN address only.
"""

from __future__ import annotations

import gzip
import http.client
import io
import json
import socket
import threading
from collections.abc import Callable, Iterator

import pytest
from PIL import Image

from desa_capil.phone import page
from desa_capil.phone.server import PhoneServer, sniff
from desa_capil.phone.session import Paper, PhoneSession, Photo

PAPERS = [Paper("kk", "Kartu Keluarga", True), Paper("ktp", "KTP-el", False)]


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def jpeg(size: tuple[int, int] = (200, 280)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (240, 240, 230)).save(buf, "JPEG")
    return buf.getvalue()


@pytest.fixture
def serve() -> Iterator[Callable[..., tuple[PhoneServer, list[Photo]]]]:
    servers: list[PhoneServer] = []

    def make(**options: object) -> tuple[PhoneServer, list[Photo]]:
        session = PhoneSession("Kartu Keluarga hilang", PAPERS, **options)  # type: ignore[arg-type]
        got: list[Photo] = []
        session.on_photo = got.append
        server = PhoneServer(session, "127.0.0.1", 0, allow_loopback=True)
        server.start()
        servers.append(server)
        return server, got

    yield make
    for s in servers:
        s.stop()


def request(
    server: PhoneServer,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, bytes, http.client.HTTPResponse]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.read(), resp
    finally:
        conn.close()


def path(server: PhoneServer, rest: str = "", token: str | None = None) -> str:
    return f"/p/{token or server.session.token}{rest}"


def upload(server: PhoneServer, data: bytes, name: str = "foto.jpg", paper: str = "kk") -> tuple[int, dict]:
    status, body, _ = request(
        server, "POST", path(server, f"/upload?phone=a&paper={paper}&name={name}"), data
    )
    return status, json.loads(body)


def test_page_names_service_and_paper_and_is_small(
    serve: Callable[..., tuple[PhoneServer, list[Photo]]],
) -> None:
    server, _ = serve()
    assert server.url == f"http://127.0.0.1:{server.port}/p/{server.session.token}"
    status, body, resp = request(server, "GET", path(server))
    assert status == 200
    text = body.decode()
    assert "Kartu Keluarga hilang" in text and "Kartu Keluarga" in text
    assert "capture=environment" in text and "multiple" in text
    assert "http://" not in text and "https://" not in text  # no external assets
    assert resp.getheader("Cache-Control") == "no-store"
    status, zipped, resp = request(server, "GET", path(server), headers={"Accept-Encoding": "gzip"})
    assert resp.getheader("Content-Encoding") == "gzip"
    assert gzip.decompress(zipped) == body
    assert len(zipped) < 4096


def test_wrong_token_gets_indonesian_page_and_json(
    serve: Callable[..., tuple[PhoneServer, list[Photo]]],
) -> None:
    server, got = serve()
    status, body, _ = request(server, "GET", "/p/tebakan-token")
    assert status == 404
    assert page.WRONG_TITLE in body.decode() and "Pakai HP" in body.decode()
    status, body, _ = request(server, "GET", "/")
    assert status == 404 and page.WRONG_TITLE in body.decode()
    status, body, _ = request(server, "POST", "/p/tebakan-token/upload?paper=kk", jpeg())
    assert status == 404 and json.loads(body)["message"] == page.WRONG_TEXT
    assert got == []


def test_second_sessions_token_is_refused(serve: Callable[..., tuple[PhoneServer, list[Photo]]]) -> None:
    first, got_first = serve()
    second, got_second = serve()
    # The phone scanned the other wizard's QR code but reached this listener.
    status, body, _ = request(first, "GET", path(first, token=second.session.token))
    assert status == 404 and page.WRONG_TITLE in body.decode()
    status, body, _ = request(
        first, "POST", path(first, "/upload?paper=kk", token=second.session.token), jpeg()
    )
    assert status == 404
    assert got_first == [] and got_second == []
    # Each session still takes its own photos.
    assert upload(second, jpeg())[0] == 202
    assert len(got_second) == 1 and got_first == []


def test_expired_token_after_idle_limit(serve: Callable[..., tuple[PhoneServer, list[Photo]]]) -> None:
    clock = FakeClock()
    server, got = serve(clock=clock)
    assert request(server, "GET", path(server))[0] == 200
    clock.now += 14 * 60
    assert request(server, "GET", path(server, "/state?phone=a"))[0] == 200  # use keeps it alive
    clock.now += 15 * 60 + 1
    status, body, _ = request(server, "GET", path(server))
    assert status == 410 and page.EXPIRED_TITLE in body.decode()
    status, body, _ = request(server, "GET", path(server, "/state?phone=a"))
    assert status == 410 and json.loads(body)["message"] == page.EXPIRED_TEXT
    status, answer = upload(server, jpeg())
    assert status == 410 and got == []


def test_closed_session_gives_expired_page(serve: Callable[..., tuple[PhoneServer, list[Photo]]]) -> None:
    server, _ = serve()
    server.session.close()
    status, body, _ = request(server, "GET", path(server))
    assert status == 410 and "kedaluwarsa" in body.decode()


def test_photo_is_accepted_and_reported(serve: Callable[..., tuple[PhoneServer, list[Photo]]]) -> None:
    server, got = serve()
    data = jpeg()
    status, answer = upload(server, data, "IMG_0001.jpg", "ktp")
    assert status == 202
    [photo] = got
    assert (
        photo.id == answer["id"]
        and photo.paper == "ktp"
        and photo.data == data
        and photo.name == "IMG_0001.jpg"
    )
    state = json.loads(request(server, "GET", path(server, "/state?phone=a"))[1])
    assert [(p["id"], p["status"]) for p in state["photos"]] == [(photo.id, "processing")]
    # Another phone does not see this phone's photos.
    assert json.loads(request(server, "GET", path(server, "/state?phone=b"))[1])["photos"] == []
    server.session.photo_done(photo.id, [b"\xff\xd8thumb"])
    state = json.loads(request(server, "GET", path(server, "/state?phone=a"))[1])
    assert state["photos"][0]["status"] == "done" and state["photos"][0]["thumbs"] == 1
    assert request(server, "GET", path(server, f"/thumb/{photo.id}/0"))[1] == b"\xff\xd8thumb"
    assert request(server, "GET", path(server, f"/thumb/{photo.id}/1"))[0] == 404
    assert photo.data == b""  # the photo's bytes are gone once its pages exist


@pytest.mark.parametrize(
    ("data", "name", "words"),
    [
        (b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n", "surat.pdf", ["PDF", "Impor berkas / PDF"]),
        (
            b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64,
            "IMG_4032.HEIC",
            ["HEIC", "Paling Kompatibel"],
        ),
        (b"Halo, ini pesan teks, bukan foto.\n" * 10, "catatan.txt", ["bukan foto", "JPG"]),
    ],
    ids=["pdf", "heic", "text"],
)
def test_non_photos_are_refused_with_a_message(
    serve: Callable[..., tuple[PhoneServer, list[Photo]]], data: bytes, name: str, words: list[str]
) -> None:
    server, got = serve()
    status, answer = upload(server, data, name)
    assert status == 415
    assert name in answer["message"]
    for w in words:
        assert w in answer["message"]
    assert got == []
    assert upload(server, jpeg())[0] == 202  # the session goes on


def test_30_mb_photo_is_refused_before_its_body_is_sent(
    serve: Callable[..., tuple[PhoneServer, list[Photo]]],
) -> None:
    server, got = serve()
    size = 30 * 1024 * 1024
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        head = (
            f"POST {path(server, '/upload?phone=a&paper=kk&name=besar.jpg')} HTTP/1.1\r\n"
            f"Host: 127.0.0.1:{server.port}\r\nContent-Type: image/jpeg\r\nContent-Length: {size}\r\n\r\n"
        )
        sock.sendall(head.encode() + b"\xff\xd8\xff" + b"\x00" * 1000)
        reply = b""
        while b"\r\n\r\n" not in reply or not reply.rstrip().endswith(b"}"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            reply += chunk
    assert reply.startswith(b"HTTP/1.1 413")
    message = json.loads(reply.split(b"\r\n\r\n", 1)[1])["message"]
    assert "terlalu besar (30 MB; batas 25 MB)" in message
    assert got == []
    assert upload(server, jpeg())[0] == 202


def test_count_limit_per_session(serve: Callable[..., tuple[PhoneServer, list[Photo]]]) -> None:
    server, got = serve(max_photos=3)
    for _ in range(3):
        assert upload(server, jpeg())[0] == 202
    status, answer = upload(server, jpeg())
    assert status == 429 and "3 foto" in answer["message"] and "kode QR yang baru" in answer["message"]
    assert len(got) == 3


def test_session_byte_limit(serve: Callable[..., tuple[PhoneServer, list[Photo]]]) -> None:
    data = jpeg()
    server, got = serve(max_session_bytes=len(data) * 2 + 10)
    assert upload(server, data)[0] == 202
    assert upload(server, data)[0] == 202
    status, answer = upload(server, data)
    assert status == 429 and "terlalu besar" in answer["message"]


def test_unknown_paper_and_paper_switch(serve: Callable[..., tuple[PhoneServer, list[Photo]]]) -> None:
    server, got = serve()
    switched: list[str] = []
    server.session.on_paper = switched.append
    status, answer = upload(server, jpeg(), paper="akta_nikah")
    assert status == 400 and "Muat ulang" in answer["message"] and got == []
    status, body, _ = request(server, "POST", path(server, "/paper?phone=a&code=ktp"), b"")
    assert status == 200 and json.loads(body) == {"current": "ktp"} and switched == ["ktp"]
    assert request(server, "POST", path(server, "/paper?phone=a&code=nope"), b"")[0] == 400


def test_other_host_names_are_refused(serve: Callable[..., tuple[PhoneServer, list[Photo]]]) -> None:
    # DNS rebinding: a web page on the internet resolving its own name to this address.
    server, _ = serve()
    status, _, _ = request(server, "GET", path(server), headers={"Host": f"evil.example:{server.port}"})
    assert status == 421


def test_closing_mid_upload_refuses_the_rest(serve: Callable[..., tuple[PhoneServer, list[Photo]]]) -> None:
    server, got = serve()
    reading = threading.Event()
    server.session.on_change = reading.set  # a new phone was seen: its request is being read
    data = b"\xff\xd8\xff" + bytes(range(256)) * 4096  # 1 MB "photo"
    size = len(data) + 2 * 1024 * 1024  # more than will ever be sent
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        head = (
            f"POST {path(server, '/upload?phone=a&paper=kk&name=setengah.jpg')} HTTP/1.1\r\n"
            f"Host: 127.0.0.1:{server.port}\r\nContent-Length: {size}\r\n\r\n"
        )
        sock.sendall(head.encode() + data[:300_000])
        assert reading.wait(10)
        # The laptop closes the papers step while the photo is still coming.
        closer = threading.Thread(target=server.stop)
        closer.start()
        closer.join(10)
        assert not closer.is_alive() and not server.running
        # The phone sends the rest; the laptop answers at the next packet and reads no further.
        sock.sendall(data[300_000:400_000])
        reply = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            reply += chunk
    assert reply.startswith(b"HTTP/1.1 410")
    assert "Sesi sudah ditutup" in json.loads(reply.split(b"\r\n\r\n", 1)[1])["message"]
    assert got == []
    # Nothing listens any more.
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", server.port), timeout=2).close()


def test_refuses_to_listen_on_public_or_wildcard_addresses() -> None:
    session = PhoneSession("x", PAPERS)
    for address in ("0.0.0.0", "8.8.8.8", "169.254.3.3", "127.0.0.1"):
        with pytest.raises(ValueError, match="private LAN"):
            PhoneServer(session, address)


def test_sniff() -> None:
    assert sniff(jpeg()) == "jpeg"
    png = io.BytesIO()
    Image.new("L", (4, 4)).save(png, "PNG")
    assert sniff(png.getvalue()) == "png"
    webp = io.BytesIO()
    Image.new("RGB", (4, 4)).save(webp, "WEBP")
    assert sniff(webp.getvalue()) == "webp"
    assert sniff(b"") == "other"


def test_stop_closes_idle_kept_alive_connections(
    serve: Callable[..., tuple[PhoneServer, list[Photo]]],
) -> None:
    server, _ = serve()
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.request("GET", path(server, "/state?phone=a"))
    assert conn.getresponse().read()
    assert conn.sock is not None
    server.stop()
    # The phone's idle connection is closed by the laptop at once, not after the socket timeout.
    assert conn.sock.recv(1) == b""
    conn.close()
