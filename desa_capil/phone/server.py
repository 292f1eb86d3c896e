"""The local HTTP listener a phone's browser talks to while "Pakai HP" is open.

Routes (TOKEN is the session's random token; everything else is a "wrong link" page):

    GET  /p/TOKEN                      the camera page
    GET  /p/TOKEN/state?phone=ID       JSON: papers, this phone's photos and their state
    POST /p/TOKEN/upload?phone=ID&paper=CODE&name=N   one photo as the raw request body
    POST /p/TOKEN/paper?phone=ID&code=CODE            the phone switched paper
    GET  /p/TOKEN/thumb/PHOTO/I        the pipeline's thumbnail of page I of a photo

The standard library's ``ThreadingHTTPServer`` serves it: the client must not need the server
extra (FastAPI/uvicorn) for a page, four JSON answers and raw uploads; a thread per connection
lets two phones upload while a third polls; ``shutdown()`` stops it at once when the papers
step closes. Bodies are read in chunks with a socket timeout, so a phone that walks away
mid-upload frees its thread, and a session closed mid-upload refuses the rest of the photo.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import logging
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import cast
from urllib.parse import parse_qs, unquote, urlsplit

from desa_capil.phone import page
from desa_capil.phone.net import is_private_lan
from desa_capil.phone.session import MSG_CLOSED, PhoneSession, Refused

log = logging.getLogger(__name__)

#: Tried first so the address in the QR code stays the same from one session to the next; any
#: free port when it is taken (a second wizard, another program).
PREFERRED_PORT = 8765
#: Photos read at the same time (each is held in memory up to the per-photo limit).
MAX_PARALLEL_UPLOADS = 4
CHUNK = 256 * 1024
#: Seconds a phone may stay silent mid-request before its connection is dropped.
SOCKET_TIMEOUT = 30.0
#: After refusing a photo mid-body: how long and how much of the rest is read and dropped.
LINGER_SECONDS = 2.0
LINGER_BYTES = 8 * 1024 * 1024

MSG_NOT_PHOTO = "\u201c{0}\u201d bukan foto. Kirim foto (JPG, PNG atau WebP) dari kamera atau galeri HP."
MSG_PDF = (
    "\u201c{0}\u201d adalah PDF. Lewat HP hanya bisa foto; PDF diimpor di laptop dengan tombol "
    "\u201cImpor berkas / PDF\u201d."
)
MSG_HEIC = (
    "\u201c{0}\u201d berformat HEIC/HEIF, yang belum didukung. Di iPhone: Pengaturan \u2192 Kamera \u2192 "
    "Format \u2192 \u201cPaling Kompatibel\u201d. Di Samsung: Kamera \u2192 Pengaturan \u2192 matikan "
    "\u201cGambar HEIF\u201d. Lalu ambil fotonya lagi."
)
MSG_BUSY = "Laptop sedang menerima banyak foto sekaligus. Tunggu sebentar, lalu kirim lagi."


def sniff(data: bytes) -> str:
    """The kind of an upload from its first bytes: jpeg, png, webp, heic, pdf or other."""
    if data[:3] == b"\xff\xd8\xff":
        return "jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[4:8] == b"ftyp" and data[8:12] in (b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1"):
        return "heic"
    if b"%PDF-" in data[:1024]:
        return "pdf"
    return "other"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # Never share the port with another process (Windows would allow it with SO_REUSEADDR).
    allow_reuse_address = False

    def __init__(self, addr: tuple[str, int], owner: PhoneServer) -> None:
        self.owner = owner
        self.lock = threading.Lock()
        self.handlers: set[_Handler] = set()
        # Set by stop(): a handler that finishes its request then closes its connection.
        self.stopping = False
        super().__init__(addr, _Handler)


class PhoneServer:
    """Serves one PhoneSession on one address of this laptop.

    ``allow_loopback`` is for tests and the benchmark only: the real dialog binds a private LAN
    address (see ``net.choose_addresses``), never loopback and never all interfaces.
    """

    def __init__(
        self,
        session: PhoneSession,
        address: str,
        port: int = PREFERRED_PORT,
        *,
        allow_loopback: bool = False,
    ) -> None:
        if not (is_private_lan(address) or (allow_loopback and address.startswith("127."))):
            raise ValueError(f"refusing to listen on {address!r}: not a private LAN address")
        self.session = session
        self.address = address
        self._port = port
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None
        self.uploads = threading.BoundedSemaphore(MAX_PARALLEL_UPLOADS)

    @property
    def port(self) -> int:
        return self._httpd.server_address[1] if self._httpd is not None else self._port

    @property
    def url(self) -> str:
        """What the QR code holds."""
        return f"http://{self.address}:{self.port}/p/{self.session.token}"

    @property
    def running(self) -> bool:
        return self._httpd is not None

    def start(self) -> None:
        """Bind and serve on a background thread. OSError when the address cannot be bound."""
        try:
            httpd = _Server((self.address, self._port), self)
        except OSError as exc:
            if not self._port:
                raise
            # Taken by another program or a second wizard, or (Windows) inside a range Hyper-V
            # reserved (WSAEACCES): any free port will do, the QR code carries it.
            log.info("port %s unavailable (%s), using a free one", self._port, exc)
            httpd = _Server((self.address, 0), self)
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.1}, name="phone-server", daemon=True
        )
        self._thread.start()
        log.info("phone listener on %s:%s", self.address, self.port)

    def stop(self) -> None:
        """Close the session and stop listening; uploads in flight are refused."""
        self.session.close()
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        httpd.shutdown()
        httpd.server_close()
        # Connections kept alive between requests would hold their thread (and socket) until the
        # phone's next request or the timeout: close them now. One inside a request finishes it
        # (a photo mid-upload is answered "session closed").
        with httpd.lock:
            httpd.stopping = True
            idle = [h for h in httpd.handlers if not h.busy]
        for h in idle:
            with contextlib.suppress(OSError):
                h.connection.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=5)
        log.info("phone listener stopped")


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    timeout = SOCKET_TIMEOUT
    protocol_version = "HTTP/1.1"
    server_version = "desa-capil"
    sys_version = ""
    busy = False

    def setup(self) -> None:
        super().setup()
        with self.server.lock:
            self.server.handlers.add(self)

    def finish(self) -> None:
        with self.server.lock:
            self.server.handlers.discard(self)
        super().finish()

    def handle_one_request(self) -> None:
        # Busy from the first byte of a request line to the end of its answer; idle otherwise.
        if self.server.stopping:
            self.close_connection = True
            return
        try:
            # rfile is a BufferedReader (rbufsize -1): peek waits for a byte without taking it.
            first = cast(io.BufferedReader, self.rfile).peek(1)[:1]
        except OSError:  # timed out waiting for the next request, or closed by stop()
            first = b""
        if not first:
            self.close_connection = True
            return
        self.busy = True
        try:
            super().handle_one_request()
        finally:
            self.busy = False

    # --- plumbing -----------------------------------------------------------------------------

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        # The path holds the token: never in the log, only the method and the answer.
        log.debug("phone %s: %s %s", self.client_address[0], self.command, args[1] if len(args) > 1 else "")

    def _send(self, status: int, body: bytes, ctype: str, *, close: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        if ctype.startswith("text/html") and "gzip" in (self.headers.get("Accept-Encoding") or ""):
            # The page is a third of its size compressed: what matters on a weak hotspot link.
            body = gzip.compress(body, 9)
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header(
            "Content-Security-Policy",
            "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; "
            "script-src 'unsafe-inline'; connect-src 'self'; form-action 'none'",
        )
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, data: object, *, close: bool = False) -> None:
        self._send(status, json.dumps(data, ensure_ascii=False).encode(), "application/json", close=close)

    def _error(self, status: int, message: str, *, api: bool, title: str = "", close: bool = False) -> None:
        if api:
            self._json(status, {"message": message}, close=close)
        else:
            self._send(status, page.message_page(title, message), "text/html; charset=utf-8", close=close)

    # --- routing ------------------------------------------------------------------------------

    def _route(self) -> tuple[list[str], dict[str, str]] | None:
        """Check host and token; answer the problem and return None, or the rest of the path."""
        owner = self.server.owner
        host = (self.headers.get("Host") or "").strip()
        if host not in (f"{owner.address}:{owner.port}", owner.address):
            # Another name for this address (DNS rebinding): nothing here for it.
            self._send(421, b"", "text/plain", close=True)
            return None
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        segs = [unquote(s) for s in parts.path.split("/") if s]
        api = len(segs) > 2
        if parts.path == "/favicon.ico":
            self._send(204, b"", "image/x-icon")
            return None
        session = owner.session
        if len(segs) < 2 or segs[0] != "p" or segs[1] != session.token:
            self._error(404, page.WRONG_TEXT, api=api, title=page.WRONG_TITLE)
            return None
        if session.expired():
            self._error(410, page.EXPIRED_TEXT, api=api, title=page.EXPIRED_TITLE)
            return None
        session.touch(
            query.get("phone", self.client_address[0]),
            self.client_address[0],
            self.headers.get("User-Agent", ""),
        )
        return segs[2:], query

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        routed = self._route()
        if routed is None:
            return
        rest, query = routed
        session = self.server.owner.session
        if not rest:
            self._send(200, page.camera_page(session.state("")), "text/html; charset=utf-8")
        elif rest == ["state"]:
            self._json(200, session.state(query.get("phone", "")))
        elif len(rest) == 3 and rest[0] == "thumb" and rest[2].isdigit():
            data = session.thumb(rest[1], int(rest[2]))
            if data is None:
                self._json(404, {"message": "Gambar kecil tidak ada."})
            else:
                self._send(200, data, "image/jpeg")
        else:
            self._error(404, page.WRONG_TEXT, api=True)

    def do_POST(self) -> None:  # noqa: N802 - stdlib name
        routed = self._route()
        if routed is None:
            self._drain_refused()
            return
        rest, query = routed
        session = self.server.owner.session
        phone = query.get("phone", self.client_address[0])
        try:
            if rest == ["paper"]:
                self._drain_refused()
                session.select_paper(query.get("code", ""))
                self._json(200, {"current": session.current_paper})
            elif rest == ["upload"]:
                self._upload(session, phone, query)
            else:
                self._drain_refused()
                self._error(404, page.WRONG_TEXT, api=True)
        except Refused as r:
            self._json(r.status, {"message": r.message}, close=True)
            self._linger()

    def _linger(self) -> None:
        """Let the phone read a refusal sent before its body was read ("lingering close").

        Closing a socket with unread data resets the connection, and the browser would show a
        network error instead of our message. So: stop writing, then read and drop what is still
        coming for a short while before closing.
        """
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_WR)
            self.connection.settimeout(LINGER_SECONDS)
            dropped = 0
            while dropped < LINGER_BYTES:
                chunk = self.connection.recv(CHUNK)
                if not chunk:
                    break
                dropped += len(chunk)
        except OSError:
            pass

    def _drain_refused(self) -> None:
        # A short body (paper switch) is read so the connection stays usable; a photo is not.
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = LINGER_BYTES
        if 0 < length <= 64 * 1024:
            self.rfile.read(length)
        elif length:
            self.close_connection = True
            self._linger()

    def _upload(self, session: PhoneSession, phone: str, query: dict[str, str]) -> None:
        name = (query.get("name") or "foto.jpg")[:120]
        try:
            size = int(self.headers.get("Content-Length") or -1)
        except ValueError:
            size = -1
        if size < 0:
            raise Refused(411, "HP tidak menyebut ukuran foto. Muat ulang halaman, lalu kirim lagi.")
        # Too big, session full or closed: answered before a byte of the body is read.
        session.check_upload(size)
        owner = self.server.owner
        if not owner.uploads.acquire(blocking=False):
            raise Refused(503, MSG_BUSY)
        try:
            chunks: list[bytes] = []
            got = 0
            while got < size:
                # read1: whatever has arrived, so a closed session is noticed at the next packet.
                chunk = self.rfile.read1(min(CHUNK, size - got))
                if not chunk:
                    log.info("phone upload cut short at %d of %d bytes", got, size)
                    self.close_connection = True
                    return
                chunks.append(chunk)
                got += len(chunk)
                if session.closed:
                    raise Refused(410, MSG_CLOSED)
            data = b"".join(chunks)
            del chunks
        finally:
            owner.uploads.release()
        kind = sniff(data)
        if kind == "pdf":
            raise Refused(415, MSG_PDF.format(name))
        if kind == "heic":
            raise Refused(415, MSG_HEIC.format(name))
        if kind == "other":
            raise Refused(415, MSG_NOT_PHOTO.format(name))
        photo = session.add_photo(query.get("paper", ""), name, data, phone)
        self._json(202, {"id": photo.id})
