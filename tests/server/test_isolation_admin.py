"""Village isolation on every route; office API and CLI; admin log without secrets."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from desa_capil.server import cli
from desa_capil.server.embedded import EmbeddedServer
from desa_capil.server.testing import (
    AdminClient,
    EnrolledDevice,
    document_for,
    sample_application,
    submit_batch,
)

TUS = {"Tus-Resumable": "1.0.0"}


def test_village_b_cannot_reach_village_a(
    village: EnrolledDevice, village_b: EnrolledDevice, admin: AdminClient
) -> None:
    batch_id, manifest, _ = submit_batch(village)
    app = manifest["applications"][0]
    app_id = admin.app_id(app["id"])
    pdf = b"%PDF-1.7 signed"
    assert admin.finish_and_dispatch(app_id, village.village_code, pdf).status_code == 201
    doc_id = admin.request("GET", f"/applications/{app_id}").json()["finished_documents"][0]["id"]
    pending = village.create_upload(100)
    assert village.request("GET", f"/documents/{doc_id}/file").status_code == 200

    # tus routes
    assert village_b.request("HEAD", f"/uploads/{pending}", headers=TUS).status_code == 404
    r = village_b.request(
        "PATCH",
        f"/uploads/{pending}",
        data=b"x" * 10,
        headers={**TUS, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"},
    )
    assert r.status_code == 404
    assert village_b.request("DELETE", f"/uploads/{pending}", headers=TUS).status_code == 404
    # finished documents
    assert village_b.request("GET", f"/documents/{doc_id}/file").status_code == 404
    # changes: B sees none of A's
    assert village_b.request("GET", "/changes").json()["changes"] == []
    # events on A's application: unknown to B
    ev = {
        "id": str(uuid.uuid4()),
        "application_id": app["id"],
        "status": "arrived",
        "at": datetime.now(UTC).isoformat(),
    }
    res = village_b.request("POST", "/events", json={"events": [ev]}).json()["results"]
    assert res[0]["outcome"] == "rejected"
    # A's upload id in B's manifest is "missing"; A's batch id is B's own new batch.
    used = document_for(app["documents"][0]["upload_id"], b"whatever")
    r = village_b.request("PUT", f"/batches/{batch_id}", json={"applications": [sample_application([used])]})
    assert r.status_code == 422 and r.json()["uploads"][0]["problem"] == "missing"
    # The same application UUID in B is B's own record; A's is untouched.
    same_id = sample_application([])
    same_id["id"] = app["id"]
    assert (
        village_b.request("PUT", f"/batches/{batch_id}", json={"applications": [same_id]}).status_code == 201
    )
    assert admin.request("GET", f"/applications/{app_id}").json()["status"] == "dispatched"
    assert village.request("GET", f"/documents/{doc_id}/file").status_code == 200
    # A's events still work on A's record.
    res = village.request("POST", "/events", json={"events": [{**ev, "id": str(uuid.uuid4())}]}).json()[
        "results"
    ]
    assert res[0]["outcome"] == "applied"


def test_office_workflow_over_http(village: EnrolledDevice, admin: AdminClient) -> None:
    _, manifest, _ = submit_batch(village, docs_per_application=2)
    app = manifest["applications"][0]
    listed = admin.request(
        "GET", "/applications", params={"status": "sent", "village": village.village_code}
    ).json()
    assert [a["client_id"] for a in listed["items"]] == [app["id"]]
    app_id = listed["items"][0]["id"]
    doc = app["documents"][0]
    f = admin.request("GET", f"/applications/{app_id}/documents/{doc['id']}/file")
    assert f.status_code == 200 and len(f.content) == doc["size"]
    # The status machine holds: sent -> dispatched / arrived / draft are not office moves.
    for bad in ("dispatched", "arrived", "draft"):
        assert admin.status(app_id, bad).status_code == 409
    r = admin.status(app_id, "rejected")  # a reason is required
    assert r.status_code == 422
    assert admin.status(app_id, "processing").status_code == 200
    assert admin.status(app_id, "in_review").status_code == 409  # no way back
    r = admin.request(
        "POST", f"/applications/{app_id}/finished-documents", params={"title": "KK"}, data=b"not a pdf"
    )
    assert r.status_code == 422
    # Dispatch needs finished applications of that village.
    r = admin.request(
        "POST", "/dispatches", json={"village_code": village.village_code, "application_ids": [app_id]}
    )
    assert r.status_code == 409
    r = admin.request(
        "POST", "/dispatches", json={"village_code": "32.04.05.2999", "application_ids": [app_id]}
    )
    assert r.status_code == 404
    log = admin.request("GET", "/log").json()
    assert [e["action"] for e in log][:1] == ["application.status"]
    assert admin.request("GET", "/villages").json()[0]["devices"] == 1


def _cli_args(server: EmbeddedServer) -> list[str]:
    args = ["--data", str(server.settings.data_dir)]
    if server.settings.database_url:
        args += ["--database-url", server.settings.database_url]
    return args


def test_cli_office_workflow(
    server: EmbeddedServer,
    village: EnrolledDevice,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    base = _cli_args(server)
    assert cli.main([*base, "admin", "village", "add", "32.04.05.2010", "Desa Baru"]) == 0
    code = capsys.readouterr().out.split("enrollment code: ")[1].split()[0]
    _, manifest, _ = submit_batch(village)
    assert cli.main([*base, "admin", "app", "list", "--status", "sent"]) == 0
    out = capsys.readouterr().out
    app_id = int(out.split()[0])
    assert "Budi Santoso" in out
    assert cli.main([*base, "admin", "app", "download", str(app_id), "--out", str(tmp_path / "out")]) == 0
    files = list((tmp_path / "out").iterdir())
    assert len(files) == 1 and files[0].stat().st_size == manifest["applications"][0]["documents"][0]["size"]
    assert cli.main([*base, "admin", "app", "status", str(app_id), "rejected"]) == 2  # reason missing
    assert "alasan" in capsys.readouterr().err
    for status in ("processing", "finished"):
        assert cli.main([*base, "admin", "app", "status", str(app_id), status]) == 0
    pdf = tmp_path / "akta.pdf"
    pdf.write_bytes(b"%PDF-1.7 signed by Disdukcapil")
    assert cli.main([*base, "admin", "app", "attach", str(app_id), "--title", "Akta", "--pdf", str(pdf)]) == 0
    assert (
        cli.main([*base, "admin", "dispatch", village.village_code, str(app_id), "-m", "Silakan ambil"]) == 0
    )
    last = village.request("GET", "/changes").json()["changes"][-1]
    assert (
        last["status"] == "dispatched"
        and last["message"] == "Silakan ambil"
        and last["documents"][0]["has_file"]
    )
    assert cli.main([*base, "admin", "log"]) == 0
    logged = capsys.readouterr().out
    assert "dispatch" in logged and "village.create" in logged
    # No secret in the logs or the admin log: tokens and enrollment codes never appear.
    secrets = [village.token, server.admin_token, code, code.replace("-", "")]
    text = logged + "\n".join(r.getMessage() for r in caplog.records)
    assert not [s for s in secrets if s in text]
    assert cli.main([*base, "admin", "token"]) == 0
    assert capsys.readouterr().out.strip() == server.admin_token
