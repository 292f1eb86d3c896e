"""uvicorn's HTTP/1.1 protocol, changed to keep the body bytes that arrived before a disconnect.

Stock uvicorn (h11 implementation, checked on 0.29-0.54) answers ``receive()`` with
``http.disconnect`` as soon as the client is gone, throwing away body bytes it had already
read from the socket but not yet handed to the application. For tus that is exactly the data
we want: on a 2G link the connection drops mid-PATCH all the time, and every byte that made it
across is a byte the village does not pay for twice. This protocol hands the buffered bytes
over first (``more_body=True``), then reports the disconnect.

Used by ``serve`` and the embedded server (``uvicorn.Config(http=KeepBodyH11Protocol)``).
tests/server/test_tus.py proves the behaviour with a raw socket; if a uvicorn upgrade changes
the internals, that test fails rather than resumes silently getting slower.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol, RequestResponseCycle

log = logging.getLogger(__name__)


class KeepBodyCycle(RequestResponseCycle):
    async def receive(self) -> Any:
        if self.disconnected and self.body:
            body = bytes(self.body)
            self.body = bytearray()
            return {"type": "http.request", "body": body, "more_body": True}
        return await super().receive()


class KeepBodyH11Protocol(H11Protocol):
    def handle_events(self) -> None:
        super().handle_events()
        # The application task of a new cycle starts on the next loop iteration and looks up
        # ``cycle.receive`` only then, so swapping the class here is in time.
        if self.cycle is not None and type(self.cycle) is RequestResponseCycle:
            self.cycle.__class__ = KeepBodyCycle


# TCP keepalive: a peer that vanished without a FIN (power cut, NAT state dropped) is found
# after ~2 minutes of silence instead of the kernel default of over two hours.
_KEEPALIVE = (("TCP_KEEPIDLE", 60), ("TCP_KEEPINTVL", 10), ("TCP_KEEPCNT", 6))


def set_keepalive(sock: socket.socket) -> None:
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    for name, value in _KEEPALIVE:
        if hasattr(socket, name):  # Linux; macOS and Windows name some differently
            sock.setsockopt(socket.IPPROTO_TCP, getattr(socket, name), value)


class GuardedH11Protocol(KeepBodyH11Protocol):
    """Also: TCP keepalive on every connection, and a header timeout: a connection must
    deliver a complete request head within ``header_timeout`` seconds of opening (or of its
    first byte after a previous answer), else it is closed. Stock uvicorn has no such limit,
    so half-open or trickling connections pile up until the process runs out of them."""

    # Set by ``serve`` (and, for worker processes, from the environment).
    header_timeout: float = float(os.environ.get("DESA_CAPIL_HEADER_TIMEOUT", "20"))
    _header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        sock = transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                set_keepalive(sock)
        self._arm_header_timer()

    def _idle(self) -> bool:
        return self.cycle is None or self.cycle.response_complete

    def _arm_header_timer(self) -> None:
        if self._header_timer is None:
            self._header_timer = self.loop.call_later(self.header_timeout, self._header_timed_out)

    def _cancel_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _header_timed_out(self) -> None:
        self._header_timer = None
        if self._idle() and not self.transport.is_closing():
            log.info("connection closed: no complete request head within %.0f s", self.header_timeout)
            self.transport.close()

    def data_received(self, data: bytes) -> None:
        if self._idle():
            self._arm_header_timer()
        super().data_received(data)

    def handle_events(self) -> None:
        super().handle_events()
        if not self._idle():
            self._cancel_header_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_header_timer()
        super().connection_lost(exc)


def guarded_protocol(header_timeout: float) -> type[GuardedH11Protocol]:
    """The protocol class to give uvicorn (``Config(http=...)``) with this header timeout."""
    return type("GuardedH11Protocol", (GuardedH11Protocol,), {"header_timeout": header_timeout})
