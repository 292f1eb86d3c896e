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

from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol, RequestResponseCycle


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
