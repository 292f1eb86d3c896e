"""Bad input at the edge and what the server writes to its log: NUL characters and impossible
timestamps are a 422 naming the field; a database error is logged without the personal values
of the request that caused it."""

from __future__ import annotations

import logging
import uuid

import pytest
from sqlalchemy import text

from desa_capil.server.embedded import EmbeddedServer
from desa_capil.server.testing import (
    SAMPLE_KK,
    SAMPLE_NIK,
    AdminClient,
    EnrolledDevice,
    document_for,
    sample_application,
)


def _manifest(village: EnrolledDevice, **applicant: str) -> dict[str, object]:
    data = b"%PDF-1.4 hardening"
    app = sample_application([document_for(village.upload(data), data)])
    app["applicant"].update(applicant)  # type: ignore[attr-defined]
    return {"applications": [app]}


def test_nul_in_text_is_422_with_the_field(village: EnrolledDevice, admin: AdminClient) -> None:
    manifest = _manifest(village, name="Budi\x00Santoso", address="Jl. Melati\x00 1")
    r = village.request("PUT", f"/batches/{uuid.uuid4()}", json=manifest)
    assert r.status_code == 422, r.text
    locs = {tuple(f["loc"]) for f in r.json()["fields"]}
    assert ("body", "applications", 0, "applicant", "name") in locs
    assert ("body", "applications", 0, "applicant", "address") in locs
    assert "NUL" in r.json()["message_id"]
    # The same batch without the NUL is accepted: nothing was half-stored.
    manifest["applications"][0]["applicant"].update(name="Budi Santoso", address="Jl. Melati 1")  # type: ignore[index]
    assert village.request("PUT", f"/batches/{uuid.uuid4()}", json=manifest).status_code == 201
    r = village.request(
        "POST",
        "/events",
        json={
            "events": [
                {"id": str(uuid.uuid4()), "application_id": str(uuid.uuid4()), "status": "arrived",
                 "at": "2026-03-01T10:00:00Z", "note": "x\x00"}
            ]
        },
    )  # fmt: skip
    assert r.status_code == 422 and r.json()["fields"][0]["loc"][-1] == "note"
    r = admin.request("GET", "/applications", params={"village": "32\x00"})
    assert r.status_code == 422 and r.json()["fields"][0]["loc"] == ["query", "village"]
    r = admin.request("POST", "/villages", json={"code": "32.04.05.2009", "name": "Desa\x00"})
    assert r.status_code == 422


@pytest.mark.parametrize(
    "at", ["0001-01-01T00:30:00+01:00", "9999-12-31T23:59:59-01:00", "1800-01-01T00:00:00Z"]
)
def test_impossible_timestamp_is_422(village: EnrolledDevice, at: str) -> None:
    r = village.request(
        "POST",
        "/events",
        json={
            "events": [
                {"id": str(uuid.uuid4()), "application_id": str(uuid.uuid4()), "status": "arrived", "at": at}
            ]
        },
    )
    assert r.status_code == 422, r.text
    assert r.json()["fields"][0]["loc"][-1] == "at"


def _break_application_inserts(server: EmbeddedServer, backend: str) -> None:
    """Make the database itself refuse the next application row (as a constraint added by a
    DBA, a full disk or a bug would): the error then carries the row's values."""
    svc = server.service
    assert svc is not None
    with svc.db.write.begin() as conn:
        if backend == "sqlite":
            conn.execute(
                text(
                    "CREATE TRIGGER refuse BEFORE INSERT ON application "
                    "BEGIN SELECT RAISE(ABORT, 'refused'); END"
                )
            )
        else:
            conn.execute(text("ALTER TABLE application ADD CONSTRAINT refuse CHECK (length(name) > 100)"))


def test_database_error_log_has_no_personal_values(
    server: EmbeddedServer,
    village: EnrolledDevice,
    backend: str,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    _break_application_inserts(server, backend)
    phone = "081298765432"
    name = "Siti Nurhaliza Rahmawati"
    manifest = _manifest(village, name=name, phone=phone, address="Jl. Kenanga 17 RT 03 RW 05")
    with caplog.at_level(logging.DEBUG):
        r = village.request("PUT", f"/batches/{uuid.uuid4()}", json=manifest)
    assert r.status_code == 500 and r.json()["error"] == "internal"
    out, err = capfd.readouterr()
    logged = caplog.text + out + err
    assert "database error" in logged and "INSERT INTO application" in logged  # it was logged...
    for value in (SAMPLE_NIK, SAMPLE_KK, phone, name, "Kenanga"):
        assert value not in logged  # ...without the values
