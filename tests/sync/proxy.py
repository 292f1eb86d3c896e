"""A TCP proxy on 127.0.0.1 that behaves like a bad village link (asyncio, in its own thread).

    proxy = FaultProxy(upstream_port).start()     # proxy.url -> "http://127.0.0.1:<port>"
    proxy.rate = 8 * 1024       # bytes/s per direction, shared by every connection (one link)
    proxy.latency = 0.3         # seconds added one way, in each direction
    proxy.cut_every = 200_000   # close the connection carrying the byte after every N bytes up
    proxy.stall_every = 50_000  # after every N bytes up, go silent on that connection (no close)
    proxy.stall_hold = 600.0    # ... and keep its server side open that long after the client left
    proxy.error_rate = 0.1      # share of requests answered 500/502/503 by the "proxy"
    proxy.fail_next(2, 503)     # the next two requests get 503
    ...
    proxy.stop()

It understands just enough HTTP/1.1 on the way up (request head + Content-Length body) to
answer a request with an error instead of forwarding it, the way a broken reverse proxy or
captive portal does. The statistics (bytes each way, cuts, stalls, injected errors) are what
the tests and the benchmark report.

The listening socket has a small receive buffer, and the stream reader of each connection a
small limit, so neither the kernel nor asyncio swallows a whole chunk ahead of the throttle (a
real slow link does not either): bytes "sent" but lost in a cut are then about what a real link
would lose. (Until issue 11's second round the reader had asyncio's default limit, which let
the proxy hold up to 128 KB of a connection ahead of the throttle: 16 s of a 64 kbit/s link.)

``piece_delay`` models a link where one connection cannot fill the pipe (per-connection
shaping, a window that long round trips keep small): each forwarded piece of a connection
waits that long before the next piece of the same connection may go, so one connection gets
at most ``PIECE / piece_delay`` bytes/s whatever the link's rate.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import socket
import threading
from dataclasses import dataclass
from typing import Self

PIECE = 1024
RCVBUF = 16 * 1024
READER_LIMIT = 4 * PIECE  # asyncio pauses reading a connection at twice this


@dataclass
class ProxyStats:
    connections: int = 0
    bytes_up: int = 0
    bytes_down: int = 0
    cuts: int = 0
    stalls: int = 0
    errors: int = 0
    requests: int = 0


class _Cut(Exception):
    pass


class _Link:
    """One direction of the link: serialises bytes at `rate` across all connections."""

    def __init__(self, proxy: FaultProxy) -> None:
        self.proxy = proxy
        self.next_free = 0.0
        # (start, end) loop times the link carried bytes, when ``FaultProxy.trace`` is set.
        self.busy: list[tuple[float, float]] = []

    async def pace(self, n: int) -> None:
        rate = self.proxy.rate
        if not rate:
            return
        loop = asyncio.get_running_loop()
        now = loop.time()
        start = max(now, self.next_free)
        self.next_free = start + n / rate
        if self.proxy.trace:
            if self.busy and self.busy[-1][1] >= start - 1e-6:
                self.busy[-1] = (self.busy[-1][0], self.next_free)
            else:
                self.busy.append((start, self.next_free))
        await asyncio.sleep(self.next_free - now)


class _Pipe:
    """Bytes of one direction of one connection: paced on the link, delivered after latency."""

    def __init__(self, proxy: FaultProxy, link: _Link, writer: asyncio.StreamWriter) -> None:
        self.proxy = proxy
        self.link = link
        self.writer = writer
        self.queue: asyncio.Queue[tuple[float, bytes | None]] = asyncio.Queue()
        self.next_piece = 0.0  # loop time the next piece may go (``FaultProxy.piece_delay``)
        self.silent = False  # a stalled connection: nothing goes this way any more
        self.task = asyncio.get_running_loop().create_task(self._deliver())

    async def put(self, data: bytes) -> None:
        if self.silent:
            return
        for i in range(0, len(data), PIECE):
            piece = data[i : i + PIECE]
            if self.proxy.piece_delay:
                # This connection's own limit: one piece per piece_delay at most.
                now = asyncio.get_running_loop().time()
                if self.next_piece > now:
                    await asyncio.sleep(self.next_piece - now)
                self.next_piece = max(now, self.next_piece) + self.proxy.piece_delay
            await self.link.pace(len(piece))
            if self.proxy.trace and self.link is self.proxy._up:  # noqa: SLF001 - its own link
                self.proxy.pieces.append((self.link.next_free, id(self), len(piece)))
            self.queue.put_nowait((asyncio.get_running_loop().time() + self.proxy.latency, piece))

    def close_after_delivery(self) -> None:
        self.queue.put_nowait((asyncio.get_running_loop().time() + self.proxy.latency, None))

    async def _deliver(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            at, data = await self.queue.get()
            delay = at - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            if data is None:
                self.writer.close()
                return
            self.writer.write(data)
            await self.writer.drain()


class LoopServer:
    """A TCP server on its own asyncio loop in a thread, on a free loopback port: the fault proxy
    and the hostile server (hostile.py) both serve connections this way. Subclasses set
    ``thread_name`` and implement ``_handle``; ``rcvbuf`` shrinks the receive buffer if set."""

    thread_name = "loop-server"
    rcvbuf: int | None = None
    reader_limit = 2**16  # asyncio's default

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.Server | None = None
        self._conns: set[asyncio.Task[None]] = set()
        self.port = 0

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        raise NotImplementedError

    def start(self) -> Self:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if self.rcvbuf is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self.rcvbuf)
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        self.port = sock.getsockname()[1]
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)

            async def serve() -> None:
                self._server = await asyncio.start_server(self._handle, sock=sock, limit=self.reader_limit)
                ready.set()

            loop.run_until_complete(serve())
            loop.run_forever()
            tasks = list(asyncio.all_tasks(loop))
            for task in tasks:
                task.cancel()
            with contextlib.suppress(Exception):
                # Every handler's ``finally`` closes its writers; a closed transport lets go of
                # its socket one loop turn later (else: "unclosed transport" at some later GC).
                loop.run_until_complete(asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 5))
                loop.run_until_complete(asyncio.sleep(0.05))
            loop.close()

        self._thread = threading.Thread(target=run, name=self.thread_name, daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError(f"{self.thread_name} did not start")
        return self

    def stop(self) -> None:
        loop = self._loop
        if loop is None:
            return

        async def shutdown() -> None:
            if self._server is not None:
                self._server.close()
            conns = list(self._conns)
            for t in conns:
                t.cancel()
            if conns:
                await asyncio.wait(conns, timeout=5)
            await asyncio.sleep(0.01)  # the transports closed in the handlers let go

        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(shutdown(), loop).result(5)
        loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join(5)
        self._loop = None


class FaultProxy(LoopServer):
    thread_name = "fault-proxy"
    rcvbuf = RCVBUF
    reader_limit = READER_LIMIT

    def __init__(
        self, upstream_port: int, upstream_host: str = "127.0.0.1", *, seed: int | None = None
    ) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.rate: float | None = None
        self.latency = 0.0
        self.piece_delay = 0.0  # seconds between two pieces of one connection, each direction
        self.cut_every: int | None = None
        self.stall_every: int | None = None
        # Seconds the server side of a stalled connection stays open after the client gave up
        # on it: on a real silent link the server is told nothing (0: closed with the client's).
        self.stall_hold = 0.0
        self.error_rate = 0.0
        self.error_codes = (500, 502, 503)
        self.trace = False  # keep the up link's busy intervals (``up_busy``, the benchmark's trace)
        self.pieces: list[tuple[float, int, int]] = []  # (time, connection, bytes) up, when traced
        self.stall_times: list[float] = []  # when each stall began, when traced
        self.stats = ProxyStats()
        self.rng = random.Random(seed)
        self._forced: list[int] = []
        # Request-line prefixes (e.g. b"PUT ") whose answer is lost once: the server acted,
        # the client never hears about it.
        self._lose_answers: list[bytes] = []
        self._since_cut = 0
        self._since_stall = 0
        super().__init__()
        self._up = _Link(self)
        self._down = _Link(self)

    @property
    def up_busy(self) -> list[tuple[float, float]]:
        """(start, end) times (``time.monotonic``) the up link carried bytes (``trace`` set)."""
        return list(self._up.busy)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # --- control (any thread) ---------------------------------------------------------------

    def fail_next(self, n: int, status: int = 503) -> None:
        self._forced.extend([status] * n)

    def lose_answer(self, request_prefix: bytes) -> None:
        """The next request starting with `request_prefix` reaches the server; its answer is lost."""
        self._lose_answers.append(request_prefix)

    def clean(self) -> None:
        """A perfect link again (existing stalled connections stay stalled until closed)."""
        self.rate = None
        self.latency = 0.0
        self.piece_delay = 0.0
        self.cut_every = self.stall_every = None
        self.error_rate = 0.0
        self._forced.clear()

    def drop_all(self) -> None:
        """Cut every open connection now (a link that just died)."""
        loop = self._loop
        if loop is None:
            return

        def cancel() -> None:
            for t in list(self._conns):
                t.cancel()

        loop.call_soon_threadsafe(cancel)

    # --- the proxy ----------------------------------------------------------------------------

    async def _handle(self, creader: asyncio.StreamReader, cwriter: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._conns.add(task)
        self.stats.connections += 1
        swriter: asyncio.StreamWriter | None = None
        try:
            sreader, swriter = await asyncio.open_connection(*self.upstream)
            up = _Pipe(self, self._up, swriter)
            down = _Pipe(self, self._down, cwriter)
            lose = asyncio.Event()
            tasks = [
                asyncio.create_task(self._pump_requests(creader, up, down, lose)),
                asyncio.create_task(self._pump_plain(sreader, down, lose)),
            ]
            try:
                await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
                # Let what is already queued reach its side before closing (a clean close).
                for t in tasks:
                    if t.done() and t.exception() is None and not t.cancelled():
                        await asyncio.wait_for(self._flush(up, down), timeout=30)
            finally:
                for t in [*tasks, up.task, down.task]:
                    t.cancel()
        except (TimeoutError, OSError, _Cut):
            pass
        except asyncio.CancelledError:
            pass
        finally:
            for w in (cwriter, swriter):
                if w is not None:
                    with contextlib.suppress(Exception):
                        w.close()
            self._conns.discard(task)

    async def _flush(self, up: _Pipe, down: _Pipe) -> None:
        while not (up.queue.empty() and down.queue.empty()):
            await asyncio.sleep(0.01)

    async def _pump_plain(self, reader: asyncio.StreamReader, pipe: _Pipe, lose: asyncio.Event) -> None:
        while True:
            data = await reader.read(PIECE)
            if not data:
                return
            if lose.is_set():
                self.stats.cuts += 1
                raise _Cut()
            self.stats.bytes_down += len(data)
            await pipe.put(data)

    async def _up_bytes(
        self, data: bytes, pipe: _Pipe, reader: asyncio.StreamReader, down: _Pipe | None = None
    ) -> None:
        """Forward bytes upstream, cutting or stalling where the settings say (a stall silences
        ``down`` too: the server's answers are lost as well)."""
        for i in range(0, len(data), PIECE):
            piece = data[i : i + PIECE]
            if self.cut_every and self._since_cut + len(piece) > self.cut_every:
                self._since_cut = 0
                self.stats.cuts += 1
                raise _Cut()
            if self.stall_every and self._since_stall + len(piece) > self.stall_every:
                self._since_stall = 0
                self.stats.stalls += 1
                if self.trace:
                    self.stall_times.append(asyncio.get_running_loop().time())
                if down is not None:
                    down.silent = True
                # Silent: swallow whatever comes until the client gives up and closes.
                while await reader.read(PIECE):
                    pass
                if self.stall_hold:
                    await asyncio.sleep(self.stall_hold)  # the server still waits for the rest
                raise _Cut()
            self._since_cut += len(piece)
            self._since_stall += len(piece)
            self.stats.bytes_up += len(piece)
            await pipe.put(piece)

    async def _pump_requests(
        self, reader: asyncio.StreamReader, up: _Pipe, down: _Pipe, lose: asyncio.Event
    ) -> None:
        buf = b""
        while True:
            while b"\r\n\r\n" not in buf:
                data = await reader.read(4096)
                if not data:
                    return
                buf += data
            head, buf = buf.split(b"\r\n\r\n", 1)
            head += b"\r\n\r\n"
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value.strip() or 0)
            self.stats.requests += 1
            for prefix in self._lose_answers:
                if head.startswith(prefix):
                    self._lose_answers.remove(prefix)
                    lose.set()
                    break
            status = self._forced.pop(0) if self._forced else None
            if status is None and self.error_rate and self.rng.random() < self.error_rate:
                status = self.rng.choice(self.error_codes)
            if status is not None:
                # Take the body off the link (it was sent), then answer for the server.
                remaining = length - len(buf)
                await self.up_link_pace(len(head) + min(length, len(buf)))
                buf = buf[length:] if remaining <= 0 else b""
                while remaining > 0:
                    data = await reader.read(min(4096, remaining))
                    if not data:
                        return
                    await self.up_link_pace(len(data))
                    remaining -= len(data)
                self.stats.errors += 1
                body = b'{"error":"internal","message_id":"Gateway bermasalah","message_en":"Bad gateway"}'
                answer = (
                    f"HTTP/1.1 {status} Proxy Error\r\nContent-Type: application/json\r\n"
                    f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
                ).encode() + body
                await down.put(answer)
                down.close_after_delivery()
                await down.task
                return
            await self._up_bytes(head, up, reader, down)
            body_part, buf = buf[:length], buf[length:]
            remaining = length - len(body_part)
            if body_part:
                await self._up_bytes(body_part, up, reader, down)
            while remaining > 0:
                data = await reader.read(min(4096, remaining))
                if not data:
                    return
                remaining -= len(data)
                await self._up_bytes(data, up, reader, down)

    async def up_link_pace(self, n: int) -> None:
        await self._up.pace(n)
