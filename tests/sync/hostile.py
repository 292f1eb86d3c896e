"""A hostile server: answers chosen client calls with wrong answers, forwards the rest to the
real reference server (asyncio on raw sockets, in its own thread).

    hostile = HostileServer(upstream_port).start()   # hostile.url -> "http://127.0.0.1:<port>"
    hostile.add("PATCH", r"/uploads/.+", drip(b"HTTP/1.1 204 No Content\\r\\n", 0.5))
    ...                                              # hostile.hits: wrong answers given
    hostile.clear()                                  # a good server again (plain forwarding)
    hostile.stop()

Each fault is an async function ``(request, client writer, forward) -> None`` that writes
whatever it likes; ``forward(request)`` returns the real server's raw answer (head, body) so a
fault can also mangle a real answer (wrong offset header, a changed status in a JSON page).
Every answer closes its connection: keep-alive would only blur which call got which fault.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
import re
import socket
import struct
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from .proxy import LoopServer

Forward = Callable[["Request"], Awaitable[tuple[bytes, bytes]]]
Answer = Callable[["Request", asyncio.StreamWriter, Forward], Awaitable[None]]


@dataclass
class Request:
    method: str
    target: str
    headers: dict[str, str]
    head: bytes
    body: bytes

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0]


@dataclass
class Fault:
    method: str
    path: re.Pattern[str]
    answer: Answer
    times: int | None = None  # None: for as long as it is installed
    hits: int = 0


@dataclass
class HostileStats:
    requests: int = 0
    forwarded: list[str] = field(default_factory=list)
    seen: list[Request] = field(default_factory=list)  # every request, in order


class HostileServer(LoopServer):
    thread_name = "hostile-server"

    def __init__(self, upstream_port: int, upstream_host: str = "127.0.0.1") -> None:
        self.upstream = (upstream_host, upstream_port)
        self.faults: list[Fault] = []
        self.stats = HostileStats()
        self._lock = threading.Lock()
        super().__init__()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def hits(self) -> int:
        with self._lock:
            return sum(f.hits for f in self.faults)

    def add(self, method: str, path: str, answer: Answer, times: int | None = None) -> Fault:
        fault = Fault(method, re.compile(path), answer, times)
        with self._lock:
            self.faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self.faults.clear()

    # --- serving -------------------------------------------------------------------------------

    def _match(self, req: Request) -> Fault | None:
        with self._lock:
            for f in self.faults:
                if f.method in (req.method, "*") and f.path.search(req.path):
                    if f.times is not None and f.hits >= f.times:
                        continue
                    f.hits += 1
                    return f
        return None

    async def _read_request(self, reader: asyncio.StreamReader) -> Request | None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            return None
        lines = head.decode("latin-1").split("\r\n")
        method, target, _ = (lines[0].split(" ", 2) + ["", ""])[:3]
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if ":" in line:
                k, v = line.split(":", 1)
                headers[k.strip().lower()] = v.strip()
        length = int(headers.get("content-length", "0") or 0)
        body = await reader.readexactly(length) if length else b""
        return Request(method, target, headers, head, body)

    async def forward(self, req: Request) -> tuple[bytes, bytes]:
        """The real server's answer to `req`: (status line + headers, body)."""
        reader, writer = await asyncio.open_connection(*self.upstream)
        try:
            # Plain answers from upstream, so that a fault can read and change them.
            drop = (b"connection:", b"accept-encoding:")
            lines = [ln for ln in req.head.split(b"\r\n") if ln and not ln.lower().startswith(drop)]
            writer.write(b"\r\n".join(lines) + b"\r\nConnection: close\r\n\r\n" + req.body)
            await writer.drain()
            raw = await reader.read()
        finally:
            writer.close()
        head, _, body = raw.partition(b"\r\n\r\n")
        return head + b"\r\n\r\n", body

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._conns.add(task)
        try:
            req = await self._read_request(reader)
            if req is None:
                return
            self.stats.requests += 1
            self.stats.seen.append(req)
            fault = self._match(req)
            if fault is None:
                head, body = await self.forward(req)
                self.stats.forwarded.append(f"{req.method} {req.path}")
                writer.write(head + body)
                await writer.drain()
            else:
                await fault.answer(req, writer, self.forward)
        except (ConnectionError, asyncio.CancelledError, OSError):
            pass
        finally:
            with contextlib.suppress(Exception):
                writer.close()
            self._conns.discard(task)


# --- answers ---------------------------------------------------------------------------------------


def _head(status: int, headers: dict[str, str], length: int | None) -> bytes:
    lines = [f"HTTP/1.1 {status} X"]
    for k, v in headers.items():
        lines.append(f"{k}: {v}")
    if length is not None:
        lines.append(f"Content-Length: {length}")
    lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def respond(status: int, body: bytes = b"", content_type: str = "application/json", **headers: str) -> Answer:
    async def answer(req: Request, w: asyncio.StreamWriter, fwd: Forward) -> None:
        hdrs = {"Content-Type": content_type, **{k.replace("_", "-"): v for k, v in headers.items()}}
        w.write(_head(status, hdrs, len(body)) + (b"" if req.method == "HEAD" else body))
        await w.drain()

    return answer


PORTAL_HTML = (
    b"<!DOCTYPE html><html><head><title>Login Wi-Fi</title></head>"
    b"<body><form action='/login'>Masukkan voucher</form></body></html>"
)


def html(status: int = 200) -> Answer:
    return respond(status, PORTAL_HTML, "text/html; charset=utf-8")


def redirect(status: int, location: str) -> Answer:
    return respond(status, b"", "text/html", Location=location)


def redirect_same_host(status: int) -> Answer:
    """A redirect to the same server (http -> https style, or a moved path)."""

    async def answer(req: Request, w: asyncio.StreamWriter, fwd: Forward) -> None:
        host = req.headers.get("host", "127.0.0.1")
        await respond(status, b"", "text/html", Location=f"http://{host}/portal?from={req.path}")(req, w, fwd)

    return answer


def drip(prefix: bytes, interval: float) -> Answer:
    """Send `prefix`, then one byte every `interval` seconds until the client gives up."""

    async def answer(req: Request, w: asyncio.StreamWriter, fwd: Forward) -> None:
        w.write(prefix)
        await w.drain()
        while True:
            await asyncio.sleep(interval)
            w.write(b"x")
            await w.drain()

    return answer


def silence() -> Answer:
    """Take the request and never answer nor close (a dead village link)."""

    async def answer(req: Request, w: asyncio.StreamWriter, fwd: Forward) -> None:
        await asyncio.sleep(3600)

    return answer


def close_at_once() -> Answer:
    async def answer(req: Request, w: asyncio.StreamWriter, fwd: Forward) -> None:
        return

    return answer


def reset_mid_body(status: int = 200, declared: int = 5000, sent: int = 100) -> Answer:
    """Headers promising `declared` bytes, `sent` of them, then a TCP reset."""

    async def answer(req: Request, w: asyncio.StreamWriter, fwd: Forward) -> None:
        w.write(_head(status, {"Content-Type": "application/json"}, declared) + b'{"x":' + b"1" * sent)
        await w.drain()
        sock = w.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        w.transport.abort()

    return answer


def huge(status: int, nbytes: int, content_type: str = "application/json", declare: bool = True) -> Answer:
    """A body of `nbytes` (declared or chunked), streamed in 64 KB pieces."""

    async def answer(req: Request, w: asyncio.StreamWriter, fwd: Forward) -> None:
        piece = b"[" + b"0," * (32 * 1024 - 1)
        if declare:
            w.write(_head(status, {"Content-Type": content_type}, nbytes))
            sent = 0
            while sent < nbytes:
                chunk = piece[: min(len(piece), nbytes - sent)]
                w.write(chunk)
                sent += len(chunk)
                await w.drain()
        else:
            w.write(_head(status, {"Content-Type": content_type, "Transfer-Encoding": "chunked"}, None))
            for _ in range(nbytes // len(piece) + 1):
                w.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                await w.drain()
            w.write(b"0\r\n\r\n")
        await w.drain()

    return answer


def bad_gzip(status: int = 200) -> Answer:
    return respond(status, b"\x1f\x8b\x08\x00garbage-not-gzip", "application/json", Content_Encoding="gzip")


def gzip_json(status: int, value: object) -> Answer:
    return respond(
        status, gzip.compress(json.dumps(value).encode()), "application/json", Content_Encoding="gzip"
    )


def mangle(edit: Callable[[bytes, bytes], tuple[bytes, bytes]]) -> Answer:
    """Forward to the real server, then change its answer with `edit(head, body)`."""

    async def answer(req: Request, w: asyncio.StreamWriter, fwd: Forward) -> None:
        head, body = await fwd(req)
        head, body = edit(head, body)
        head = re.sub(rb"(?im)^content-length:.*\r\n", b"", head)
        if not re.search(rb"(?im)^transfer-encoding:", head):
            head = head[:-2] + f"Content-Length: {len(body)}\r\n\r\n".encode()
        w.write(head + body)
        await w.drain()

    return answer


def set_header(name: str, value: str) -> Answer:
    def edit(head: bytes, body: bytes) -> tuple[bytes, bytes]:
        head = re.sub(rb"(?im)^" + name.encode() + rb":.*\r\n", b"", head)
        if value:
            head = head[:-2] + f"{name}: {value}\r\n\r\n".encode()
        return head, body

    return mangle(edit)


def shift_offset(delta: int) -> Answer:
    """The real tus answer with Upload-Offset moved by `delta`."""

    def edit(head: bytes, body: bytes) -> tuple[bytes, bytes]:
        m = re.search(rb"(?im)^upload-offset:\s*(\d+)", head)
        if m:
            value = max(0, int(m.group(1)) + delta)
            head = head[: m.start(1)] + str(value).encode() + head[m.end(1) :]
        return head, body

    return mangle(edit)


def edit_json(fn: Callable[[object], object]) -> Answer:
    def edit(head: bytes, body: bytes) -> tuple[bytes, bytes]:
        try:
            value = json.loads(body)
        except ValueError:
            return head, body
        return head, json.dumps(fn(value)).encode()

    return mangle(edit)


def replace_body(data: bytes, content_type: str | None = None) -> Answer:
    def edit(head: bytes, body: bytes) -> tuple[bytes, bytes]:
        if content_type:
            head = re.sub(rb"(?im)^content-type:.*\r\n", f"Content-Type: {content_type}\r\n".encode(), head)
        return head, data

    return mangle(edit)


def forward_then_drop() -> Answer:
    """The real server acts; its answer is lost (connection closed)."""

    async def answer(req: Request, w: asyncio.StreamWriter, fwd: Forward) -> None:
        await fwd(req)

    return answer


def truncate_after(nbytes: int) -> Answer:
    """The real answer (its full Content-Length declared), closed after `nbytes` of its body:
    a link that died mid-download."""

    async def answer(req: Request, w: asyncio.StreamWriter, fwd: Forward) -> None:
        head, body = await fwd(req)
        w.write(head + body[:nbytes])
        await w.drain()

    return answer
