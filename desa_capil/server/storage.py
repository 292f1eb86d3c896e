"""Where the server keeps files: tus uploads (the residents' scanned papers) and finished
documents (signed PDFs). Two backends behind one interface:

* ``LocalStorage`` (default): a folder, ``<files_dir>/uploads/<id>`` and
  ``<files_dir>/documents/<id>.pdf``. A tus PATCH appends to the upload's file in place (the
  file length is the offset), locked across worker processes with an OS file lock. Several
  hosts need that folder shared.
* ``S3Storage``: S3-compatible object storage (AWS S3, MinIO, Ceph RGW, ...) through boto3,
  the reference S3 client that speaks to any endpoint and manages multipart transfers.
  Nothing is shared through a local disk: each PATCH's bytes become one part object
  (``uploads/<id>/parts/<offset>-<nonce>``) recorded in the ``uploadpart`` table; the offset
  is the database's, advanced with a conditional update so two hosts can never both append
  at one offset. When the last byte arrives the parts are joined into ``uploads/<id>`` (its
  SHA-256 computed on the way) and removed. Reading (downloads, the office's copy) goes
  through a local cache file that any host can rebuild from the bucket.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import threading
from pathlib import Path
from typing import IO, Any, Protocol

from desa_capil.server.config import Settings


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1024 * 1024):
            h.update(chunk)
    return h.hexdigest()


class Storage(Protocol):
    #: True when a tus PATCH appends to a local file (``upload_path``), else parts objects.
    appends_in_place: bool

    def create_upload(self, upload_id: str) -> None: ...

    def upload_path(self, upload_id: str) -> Path:
        """A local file with the upload's bytes (the file itself, or a cached copy)."""
        ...

    def delete_upload(self, upload_id: str) -> None: ...

    def put_part(self, upload_id: str, offset: int, source: IO[bytes]) -> str:
        """Store one PATCH's bytes as a part object; returns its key."""
        ...

    def delete_object(self, key: str) -> None: ...

    def join_parts(self, upload_id: str, keys: list[str]) -> str:
        """Join the parts into the upload's object; returns its SHA-256."""
        ...

    def put_document(self, doc_id: str, source: Path) -> None: ...

    def document_path(self, doc_id: str) -> Path:
        """A local file with the finished document (the file itself, or a cached copy)."""
        ...


class LocalStorage:
    appends_in_place = True

    def __init__(self, settings: Settings) -> None:
        self.root = settings.files_dir

    def create_upload(self, upload_id: str) -> None:
        self.upload_path(upload_id).touch(mode=0o600, exist_ok=False)

    def upload_path(self, upload_id: str) -> Path:
        # upload_id is a server-made uuid hex, validated by the caller; never a client name.
        return self.root / "uploads" / upload_id

    def delete_upload(self, upload_id: str) -> None:
        path = self.upload_path(upload_id)
        path.unlink(missing_ok=True)
        path.with_name(path.name + ".takeover").unlink(missing_ok=True)  # left by older versions
        shutil.rmtree(
            path.with_name(path.name + ".takeover.d"), ignore_errors=True
        )  # tus.takeover_request_path

    def put_part(self, upload_id: str, offset: int, source: IO[bytes]) -> str:  # pragma: no cover
        raise NotImplementedError("local uploads are appended in place")

    def delete_object(self, key: str) -> None:  # pragma: no cover
        raise NotImplementedError

    def join_parts(self, upload_id: str, keys: list[str]) -> str:  # pragma: no cover
        raise NotImplementedError

    def put_document(self, doc_id: str, source: Path) -> None:
        dest = self.document_path(doc_id)
        tmp = dest.with_suffix(".tmp")
        shutil.copyfile(source, tmp)
        os.chmod(tmp, 0o600)
        os.replace(tmp, dest)

    def document_path(self, doc_id: str) -> Path:
        return self.root / "documents" / f"{doc_id}.pdf"


class S3Storage:
    appends_in_place = False

    def __init__(self, settings: Settings, client: Any = None) -> None:
        import boto3

        self.bucket = settings.s3_bucket
        self.prefix = settings.s3_prefix.strip("/") + "/" if settings.s3_prefix.strip("/") else ""
        self.client = client or boto3.client(
            "s3", endpoint_url=settings.s3_endpoint_url or None, region_name=settings.s3_region or None
        )
        # Local copies for reading (FileResponse, Range, the office's downloads): a cache, not
        # shared state; any host rebuilds it from the bucket.
        self.cache = settings.data_dir / "cache"
        self.cache.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._lock = threading.Lock()

    def _key(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def create_upload(self, upload_id: str) -> None:
        pass  # nothing until bytes arrive

    def _cached(self, key: str, name: str) -> Path:
        path = self.cache / name
        if path.exists():
            return path
        fd, tmp = tempfile.mkstemp(dir=self.cache, prefix=".dl-")
        try:
            with os.fdopen(fd, "wb") as f:
                try:
                    self.client.download_fileobj(self.bucket, key, f)
                except Exception as exc:
                    if _is_missing(exc):
                        raise FileNotFoundError(key) from exc
                    raise
            os.chmod(tmp, 0o600)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        return path

    def upload_path(self, upload_id: str) -> Path:
        return self._cached(self._key(f"uploads/{upload_id}"), f"upload-{upload_id}")

    def delete_upload(self, upload_id: str) -> None:
        prefix = self._key(f"uploads/{upload_id}")
        listed = self.client.list_objects_v2(Bucket=self.bucket, Prefix=prefix)
        keys = [{"Key": o["Key"]} for o in listed.get("Contents", [])]
        if keys:
            self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": keys})
        (self.cache / f"upload-{upload_id}").unlink(missing_ok=True)

    def put_part(self, upload_id: str, offset: int, source: IO[bytes]) -> str:
        key = self._key(f"uploads/{upload_id}/parts/{offset:012d}-{os.urandom(4).hex()}")
        source.seek(0)
        self.client.upload_fileobj(source, self.bucket, key)
        return key

    def delete_object(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=key)

    def join_parts(self, upload_id: str, keys: list[str]) -> str:
        h = hashlib.sha256()
        with tempfile.TemporaryFile(dir=self.cache) as joined:
            for key in keys:
                body = self.client.get_object(Bucket=self.bucket, Key=key)["Body"]
                while chunk := body.read(1024 * 1024):
                    h.update(chunk)
                    joined.write(chunk)
            joined.seek(0)
            self.client.upload_fileobj(joined, self.bucket, self._key(f"uploads/{upload_id}"))
        for key in keys:
            self.delete_object(key)
        return h.hexdigest()

    def put_document(self, doc_id: str, source: Path) -> None:
        self.client.upload_file(str(source), self.bucket, self._key(f"documents/{doc_id}.pdf"))

    def document_path(self, doc_id: str) -> Path:
        return self._cached(self._key(f"documents/{doc_id}.pdf"), f"document-{doc_id}.pdf")


def _is_missing(exc: Exception) -> bool:
    code = str(getattr(exc, "response", {}).get("Error", {}).get("Code", ""))
    return code in ("404", "NoSuchKey", "NotFound")


def open_storage(settings: Settings) -> Storage:
    if settings.s3_bucket:
        return S3Storage(settings)
    return LocalStorage(settings)
