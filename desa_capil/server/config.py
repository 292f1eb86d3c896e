"""Server settings: defaults that work with no configuration, overridable from the environment.

``desa-capil-server serve`` with nothing set keeps a SQLite database and the file store under
the server data folder (``DESA_CAPIL_SERVER_DATA``, else ``<app data>/server``). PostgreSQL
via ``DATABASE_URL=postgresql+psycopg://user:pass@host/db``.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from desa_capil.paths import app_paths

log = logging.getLogger(__name__)

MiB = 1024 * 1024


def default_data_dir() -> Path:
    env = os.environ.get("DESA_CAPIL_SERVER_DATA")
    if env:
        return Path(env)
    return app_paths().data / "server"


@dataclass
class Settings:
    data_dir: Path = field(default_factory=default_data_dir)
    # None: SQLite file in data_dir.
    database_url: str | None = None
    # None: data_dir / "files".
    storage_dir: Path | None = None
    admin_token: str | None = None
    # S3-compatible object storage for files instead of storage_dir (desa_capil.server.storage).
    # Credentials come the usual boto3 way (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, ...).
    s3_bucket: str = ""
    s3_prefix: str = ""
    s3_endpoint_url: str = ""  # e.g. https://minio.capil.local:9000; empty: AWS
    s3_region: str = ""

    # One document file (a multi-page PDF of compressed scans is a few hundred KB).
    max_upload_size: int = 50 * MiB
    # All unfinished and unconsumed uploads plus received documents of one village.
    village_quota: int = 2048 * MiB
    # What one upload costs against the quota at least: empty uploads are not free.
    upload_min_cost: int = 64 * 1024
    # JSON request bodies (a 200-application manifest is well under this).
    max_json_body: int = 2 * MiB
    # Unused uploads are deleted this long after their client last showed it knows them (a
    # PATCH, a final concatenation naming them as parts; a HEAD renews it only once less than
    # half of it is left, so an upload lives at least half of this after its last HEAD).
    upload_expiry_seconds: int = 7 * 24 * 3600
    # ... and an upload nobody asked about since its creation this long after it: the client
    # may never have heard the creation's answer (lost on a cut link, or a creation cut
    # mid-body), so it cannot resume it and made another; such an orphan counts against the
    # village's quota only this long. A creation whose body brought the whole file gets the
    # full expiry (its client has nothing left to ask before its manifest). At most
    # ``upload_expiry_seconds``.
    upload_unclaimed_expiry_seconds: int = 24 * 3600
    enrollment_code_ttl_seconds: int = 14 * 24 * 3600

    # Per device token bucket: burst size and refill per second.
    rate_burst: float = 120.0
    rate_per_second: float = 20.0
    # Enrollment attempts per client address (guessing codes).
    enroll_burst: float = 10.0
    enroll_per_second: float = 0.2

    # Path prefix a reverse proxy serves the API under (e.g. "/capil"), when it does not say
    # so itself with X-Forwarded-Prefix. tus Location headers carry it.
    root_path: str = ""
    # Addresses of reverse proxies whose X-Forwarded-For / X-Forwarded-Prefix are believed.
    trusted_proxies: tuple[str, ...] = ("127.0.0.1", "::1")
    # Browser origins allowed to call the API (CORS), e.g. ("https://konsol.capil.go.id",).
    cors_origins: tuple[str, ...] = ()
    # Longest wait for the next piece of a request body before the request counts as cut.
    body_read_timeout: float = 60.0
    # A PATCH that received nothing for this long gives its upload up to a new PATCH.
    patch_takeover_seconds: float = 20.0
    # A connection must send a complete request head within this many seconds.
    header_timeout: float = 20.0
    # An idle keep-alive connection is closed after this many seconds.
    keep_alive_timeout: float = 15.0
    # Connections (and running requests) per process; beyond it uvicorn answers 503.
    max_connections: int = 1000

    def __post_init__(self) -> None:
        self.data_dir = Path(self.data_dir)
        self.root_path = "/" + self.root_path.strip("/") if self.root_path.strip("/") else ""
        if self.storage_dir is not None:
            self.storage_dir = Path(self.storage_dir)
        for name in ("upload_expiry_seconds", "upload_unclaimed_expiry_seconds"):
            if int(getattr(self, name)) < 0:
                raise ValueError(f"{name} must not be negative")
        self.upload_unclaimed_expiry_seconds = min(
            int(self.upload_unclaimed_expiry_seconds), int(self.upload_expiry_seconds)
        )

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        env = os.environ
        kw: dict[str, object] = {}
        if "DATABASE_URL" in env:
            kw["database_url"] = env["DATABASE_URL"]
        if "DESA_CAPIL_STORAGE_DIR" in env:
            kw["storage_dir"] = Path(env["DESA_CAPIL_STORAGE_DIR"])
        if "DESA_CAPIL_MAX_UPLOAD_MB" in env:
            kw["max_upload_size"] = int(env["DESA_CAPIL_MAX_UPLOAD_MB"]) * MiB
        if "DESA_CAPIL_VILLAGE_QUOTA_MB" in env:
            kw["village_quota"] = int(env["DESA_CAPIL_VILLAGE_QUOTA_MB"]) * MiB
        for name in ("s3_bucket", "s3_prefix", "s3_endpoint_url", "s3_region"):
            if f"DESA_CAPIL_{name.upper()}" in env:
                kw[name] = env[f"DESA_CAPIL_{name.upper()}"]
        for name in ("upload_expiry_seconds", "upload_unclaimed_expiry_seconds"):
            if f"DESA_CAPIL_{name.upper()}" in env:
                kw[name] = int(env[f"DESA_CAPIL_{name.upper()}"])
        if "DESA_CAPIL_HEADER_TIMEOUT" in env:
            kw["header_timeout"] = float(env["DESA_CAPIL_HEADER_TIMEOUT"])
        if "DESA_CAPIL_MAX_CONNECTIONS" in env:
            kw["max_connections"] = int(env["DESA_CAPIL_MAX_CONNECTIONS"])
        if "DESA_CAPIL_ROOT_PATH" in env:
            kw["root_path"] = env["DESA_CAPIL_ROOT_PATH"]
        for name, key in (
            ("DESA_CAPIL_TRUSTED_PROXIES", "trusted_proxies"),
            ("DESA_CAPIL_CORS_ORIGINS", "cors_origins"),
        ):
            if name in env:
                kw[key] = tuple(x.strip() for x in env[name].split(",") if x.strip())
        kw.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**kw)  # type: ignore[arg-type]

    @property
    def files_dir(self) -> Path:
        return self.storage_dir if self.storage_dir is not None else self.data_dir / "files"

    @property
    def db_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'server.sqlite3'}"

    def ensure_dirs(self) -> None:
        """The server's folders and SQLite file, readable by the server's user only (0700 /
        0600): residents' papers and data must not be open to every local account."""
        for d in (self.data_dir, self.files_dir, self.files_dir / "uploads", self.files_dir / "documents"):
            d.mkdir(mode=0o700, parents=True, exist_ok=True)
            if os.name == "posix":
                os.chmod(d, 0o700)
        if not self.database_url:
            db_file = self.data_dir / "server.sqlite3"
            # SQLite makes its -wal and -shm files with the database file's permissions.
            os.close(os.open(db_file, os.O_RDWR | os.O_CREAT, 0o600))
            if os.name == "posix":
                os.chmod(db_file, 0o600)

    def explicit_admin_token(self) -> str | None:
        """The admin token when configured (this object, or env DESA_CAPIL_ADMIN_TOKEN);
        otherwise the server keeps one in its database (``CentralService.admin_token``)."""
        return self.admin_token or os.environ.get("DESA_CAPIL_ADMIN_TOKEN") or None

    @property
    def legacy_admin_token_file(self) -> Path:
        """Where releases before 0.2 kept the token, one file per host."""
        return self.data_dir / "admin_token"
