"""Connection-level limits: a header timeout for connections that never finish a request
head, a connection cap answered with 503, TCP keepalive, and rate-limited repeated log lines."""

from __future__ import annotations

import logging
import socket
from typing import Any
from urllib.parse import urlsplit

import pytest

from desa_capil.server.embedded import EmbeddedServer
from desa_capil.server.logfilter import RepeatFilter
from desa_capil.server.protocol import set_keepalive


def _connect(server: EmbeddedServer) -> socket.socket:
    u = urlsplit(server.base_url)
    assert u.hostname and u.port
    return socket.create_connection((u.hostname, u.port), timeout=30)


def _read_all(sock: socket.socket) -> bytes:
    out = b""
    while chunk := sock.recv(4096):
        out += chunk
    return out


class TestHeaderTimeout:
    @pytest.fixture
    def server_settings(self) -> dict[str, Any]:
        return {"header_timeout": 0.5}

    @pytest.mark.parametrize("sent", [b"", b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n"])
    def test_unfinished_request_head_is_closed(self, server: EmbeddedServer, sent: bytes) -> None:
        with _connect(server) as sock:
            sock.sendall(sent)
            assert _read_all(sock) == b""  # closed by the server, nothing answered

    def test_trickle_after_an_answer_is_closed(self, server: EmbeddedServer) -> None:
        with _connect(server) as sock:
            sock.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n")
            head = sock.recv(65536)
            assert head.startswith(b"HTTP/1.1 200")
            sock.sendall(b"GET /api/v1/hea")  # ...and nothing more
            assert b"HTTP/1.1" not in _read_all(sock)


class TestConnectionCap:
    @pytest.fixture
    def server_settings(self) -> dict[str, Any]:
        return {"max_connections": 3, "header_timeout": 60}

    def test_over_the_cap_is_503(self, server: EmbeddedServer) -> None:
        idle = [_connect(server) for _ in range(3)]
        try:
            for s in idle:
                s.sendall(b"GET")  # opened, request unfinished
            with _connect(server) as sock:
                sock.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                assert _read_all(sock).startswith(b"HTTP/1.1 503")
        finally:
            for s in idle:
                s.close()


def test_keepalive_options() -> None:
    with socket.socket() as s:
        set_keepalive(s)
        assert s.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE) == 1
        if hasattr(socket, "TCP_KEEPIDLE"):
            assert s.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE) == 60


def test_repeated_log_lines_are_rate_limited() -> None:
    now = [0.0]
    f = RepeatFilter(burst=3, window=60, clock=lambda: now[0])

    def rec(msg: str) -> logging.LogRecord:
        return logging.LogRecord("uvicorn.error", logging.WARNING, __file__, 1, msg, None, None)

    kept = [f.filter(rec("Invalid HTTP request received.")) for _ in range(1000)]
    assert kept.count(True) == 3
    assert f.filter(rec("another message"))  # other lines are not affected
    now[0] = 61.0
    first = rec("Invalid HTTP request received.")
    assert f.filter(first)
    assert first.getMessage().startswith("(997 similar lines suppressed)")
