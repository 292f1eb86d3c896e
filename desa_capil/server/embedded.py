"""The central server in a background thread, for the demo mode and for tests.

    server = EmbeddedServer(tmp_path / "server")
    base_url = server.start()          # "http://127.0.0.1:<port>"
    code = server.create_village("32.04.05.2001", "Desa Sukamaju")   # enrollment code
    ...
    server.stop()

It always listens on 127.0.0.1 only. The socket is bound and listening before ``start()``
returns, and ``start()`` waits until the application finished starting up, so the first
request never races the server.
"""

from __future__ import annotations

import logging
import socket
import threading
from pathlib import Path
from types import TracebackType

import uvicorn

from desa_capil.server.app import create_app
from desa_capil.server.config import Settings
from desa_capil.server.protocol import guarded_protocol
from desa_capil.server.service import CentralService

log = logging.getLogger(__name__)

HOST = "127.0.0.1"


class EmbeddedServer:
    def __init__(
        self,
        data_dir: Path,
        port: int = 0,
        db_url: str | None = None,
        *,
        settings: Settings | None = None,
        admin_token: str | None = None,
    ) -> None:
        """``settings`` overrides everything else (limits, quotas, rate limits)."""
        self.settings = settings or Settings(data_dir=Path(data_dir), database_url=db_url)
        if admin_token:
            self.settings.admin_token = admin_token
        self.port = port
        self.service: CentralService | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._sock: socket.socket | None = None

    @property
    def base_url(self) -> str:
        if self._sock is None:
            raise RuntimeError("server not started")
        return f"http://{HOST}:{self.port}"

    @property
    def admin_token(self) -> str:
        return self._svc().admin_token()

    def start(self, timeout: float = 30.0) -> str:
        if self._thread is not None:
            return self.base_url
        self.service = CentralService(self.settings)
        app = create_app(self.settings, self.service)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((HOST, self.port))
        sock.listen(128)
        self._sock = sock
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            app,
            http=guarded_protocol(self.settings.header_timeout),
            timeout_keep_alive=int(self.settings.keep_alive_timeout),
            limit_concurrency=self.settings.max_connections,
            log_level="warning",
            access_log=False,
            lifespan="on",
            timeout_graceful_shutdown=5,
        )
        self._server = uvicorn.Server(config)
        server = self._server
        self._thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="desa-capil-server", daemon=True
        )
        self._thread.start()
        started: threading.Event = app.state.started
        if not started.wait(timeout) or not self._thread.is_alive():
            self.stop()
            raise RuntimeError("embedded server did not start")
        log.info("embedded server at %s", self.base_url)
        return self.base_url

    def stop(self, timeout: float = 10.0) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
        if self._sock is not None:
            self._sock.close()
        if self.service is not None:
            self.service.close()
        self._server = self._thread = self._sock = None
        self.service = None

    def _svc(self) -> CentralService:
        if self.service is None:
            # Not running: helpers still work straight on the database.
            self.service = CentralService(self.settings)
        return self.service

    def create_village(self, code: str, name: str) -> str:
        """Create a village; returns its one-time enrollment code."""
        return self._svc().create_village(code, name, actor="embedded").enrollment_code

    def new_enrollment_code(self, code: str) -> str:
        return self._svc().new_enrollment_code(code, actor="embedded").enrollment_code

    def __enter__(self) -> EmbeddedServer:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
