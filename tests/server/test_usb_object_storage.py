"""The USB route with files in S3-compatible object storage (moto's real S3 server process):
page files from a bundle become objects like tus uploads do; the return bundle carries a PDF
kept in the bucket."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from test_object_storage import (  # tests/server is on sys.path
    _hosts,
    _objects,
    _settings,
    bucket,
    s3_endpoint,
)

from desa_capil.server.testing import AdminClient, StickLaptop, stick_batch

__all__ = ["bucket", "s3_endpoint"]  # fixtures used by name below

VILLAGE = "53.14.01.2001"


def test_bundle_import_and_return_with_object_storage(
    tmp_path: Path,
    backend: str,
    s3_endpoint: str,
    bucket: tuple[str, Any],
    stick_laptop: Callable[..., StickLaptop],
) -> None:
    name, client = bucket
    with ExitStack() as stack:
        [server] = _hosts(tmp_path, backend, _settings(s3_endpoint, bucket), 1, stack)
        laptop = stick_laptop(server, VILLAGE)
        admin = AdminClient(server)
        batch = stick_batch(size=120_000)
        (app,) = batch.manifest["applications"]
        ((upload_id, pdf),) = batch.files.items()
        bundle = laptop.bundle(tmp_path, [batch])
        r = admin.request("POST", "/usb/import", data=bundle.read_bytes())
        assert r.status_code == 200, r.text
        assert [b["status"] for b in r.json()["batches"]] == [201]
        assert f"kab-bandung/uploads/{upload_id}" in _objects(client, name)
        app_id = admin.app_id(app["id"])
        doc_id = admin.request("GET", f"/applications/{app_id}").json()["documents"][0]["id"]
        page = admin.request("GET", f"/applications/{app_id}/documents/{doc_id}/file")
        assert page.status_code == 200 and page.content == pdf

        signed = b"%PDF-1.7 signed " + os.urandom(5000)
        admin.finish_and_dispatch(app_id, VILLAGE, signed).raise_for_status()
        r = admin.request("POST", f"/usb/return/{VILLAGE}")
        assert r.status_code == 200, r.text
        back = tmp_path / "kembali.dcb"
        back.write_bytes(r.content)
        with laptop.open_return(back) as b:
            (doc,) = b.meta["documents"]
            assert doc["sha256"] == hashlib.sha256(signed).hexdigest() and b.read(doc["file"]) == signed
