"""gzip-coded JSON request bodies (RFC 7694, server/request_coding.py), over real HTTP."""

from __future__ import annotations

import gzip
import json
import os
import uuid
import zlib
from typing import Any

import pytest

from desa_capil.api.models import ErrorBody
from desa_capil.server import request_coding
from desa_capil.server.testing import EnrolledDevice, document_for, sample_application

GZIP = {"Content-Encoding": "gzip", "Content-Type": "application/json"}


def _manifest(village: EnrolledDevice) -> dict[str, Any]:
    data = b"%PDF-1.4\n" + os.urandom(1500)
    apps = [sample_application([document_for(village.upload(data), data)])]
    apps[0]["notes"] = "Catatan dengan huruf é dan angka 123 " * 20
    return {"applications": apps}


def _error(r: Any) -> ErrorBody:
    return ErrorBody.model_validate(r.json())


def test_gzip_manifest_is_stored_as_sent_and_every_answer_says_so(village: EnrolledDevice) -> None:
    manifest = _manifest(village)
    batch_id = str(uuid.uuid4())
    coded = gzip.compress(json.dumps(manifest).encode())
    r = village.request("PUT", f"/batches/{batch_id}", data=coded, headers=GZIP)
    assert r.status_code == 201, r.text
    assert r.headers["Accept-Encoding"] == "gzip"
    # The same manifest uncoded is a replay (200, same receipt): the server stored exactly it.
    again = village.request("PUT", f"/batches/{batch_id}", json=manifest)
    assert again.status_code == 200 and again.json() == r.json()
    # Answers of every API route advertise it, uploads and errors included.
    assert village.request("GET", "/health").headers["Accept-Encoding"] == "gzip"
    assert village.request("GET", f"/batches/{uuid.uuid4()}").headers["Accept-Encoding"] == "gzip"
    assert village.request("HEAD", f"/uploads/{uuid.uuid4()}").headers["Accept-Encoding"] == "gzip"


def test_gzip_bomb_is_refused_after_the_limit(
    village: EnrolledDevice, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 1 GiB of zeros in ~1 MB: full-flushed segments of 1 MiB each, repeated.
    deflater = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    first = deflater.compress(b"\0" * (1 << 20)) + deflater.flush(zlib.Z_FULL_FLUSH)
    segment = deflater.compress(b"\0" * (1 << 20)) + deflater.flush(zlib.Z_FULL_FLUSH)
    bomb = first + segment * 1023
    inflated: list[int] = []
    real = request_coding._new_inflater

    class Counting:
        def __init__(self) -> None:
            self.inner = real()

        def decompress(self, data: bytes, max_length: int = 0) -> bytes:
            out: bytes = self.inner.decompress(data, max_length)
            inflated.append(len(out))
            return out

        def __getattr__(self, name: str) -> Any:
            return getattr(self.inner, name)

    monkeypatch.setattr(request_coding, "_new_inflater", Counting)
    r = village.request("POST", "/events", data=bomb, headers=GZIP)
    assert r.status_code == 413 and _error(r).error == "too_large"
    assert r.headers["Accept-Encoding"] == "gzip"
    limit = 2 * 1024 * 1024  # Settings.max_json_body
    assert limit < sum(inflated) <= limit + 64 * 1024  # stopped at the limit, not at 1 GiB
    assert village.request("GET", "/health").status_code == 200


def test_corrupt_or_cut_gzip_is_400(village: EnrolledDevice) -> None:
    body = gzip.compress(json.dumps({"events": []}).encode() * 50)
    for bad in (b"\x1f\x8b not gzip at all", body[: len(body) // 2], body + b"trailing"):
        r = village.request("POST", "/events", data=bad, headers=GZIP)
        assert r.status_code == 400, bad
        err = _error(r)
        assert err.error == "invalid_request" and "gzip" in err.message_id


@pytest.mark.parametrize("coding", ["br", "gzip, gzip", "deflate"])
def test_unknown_coding_is_415_with_accept_encoding(village: EnrolledDevice, coding: str) -> None:
    r = village.request(
        "POST",
        "/events",
        data=b"{}",
        headers={"Content-Encoding": coding, "Content-Type": "application/json"},
    )
    assert r.status_code == 415
    assert r.headers["Accept-Encoding"] == "gzip"
    assert _error(r).error == "invalid_request"


def test_upload_bodies_are_not_decoded(village: EnrolledDevice) -> None:
    """A tus PATCH says gzip: its bytes are stored as they came (uploads are files)."""
    data = gzip.compress(b"%PDF-1.4\n" + b"x" * 5000)
    upload_id = village.create_upload(len(data), filename="a.pdf", filetype="application/pdf")
    r = village.request(
        "PATCH",
        f"/uploads/{upload_id}",
        data=data,
        headers={
            "Tus-Resumable": "1.0.0",
            "Upload-Offset": "0",
            "Content-Type": "application/offset+octet-stream",
            "Content-Encoding": "gzip",
        },
    )
    assert r.status_code == 204, r.text
    assert r.headers["Upload-Offset"] == str(len(data))
