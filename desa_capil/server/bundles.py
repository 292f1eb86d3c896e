"""Bundles and the other catalog 2025.1 facts of an application, on the server.

An application may ask for several documents sharing its papers ("3-in-1" kematian: akta
kematian, new KK, KTP-el of the surviving spouse). The office finishes each one separately:
attaching a finished document names the output it answers, and the application lists every
output with the finished document of each (``ApplicationOut.outputs``). Applications from older
clients ask for the service's main document.

Stored as JSON in ``ApplicationDetail`` (one row per application, only when there is
something to keep), so the application table and old replays are untouched.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from typing import Any

from sqlmodel import Session, col, select

from desa_capil.api.models import (
    ApplicationIn,
    ApplicationProblem,
    ApplicationProblemKind,
    OutputOut,
    Subject,
)
from desa_capil.domain.catalog import SERVICES
from desa_capil.domain.nik import validate_nik
from desa_capil.server.db import ApplicationDetail


def check(a: ApplicationIn) -> list[ApplicationProblem]:
    """NIK checks for every subject that has one (an empty NIK is the village's warning)."""
    problems = []
    for subj in a.subjects:
        if subj.nik:
            result = validate_nik(subj.nik)
            if not result.ok:
                problems.append(
                    ApplicationProblem(
                        application_id=a.id,
                        problem=ApplicationProblemKind.INVALID_NIK,
                        message_id=f"NIK {subj.role}: {result.reason_id}",
                        message_en=f"NIK of {subj.role}: {result.reason_en}",
                    )
                )
    service = SERVICES.get(a.service_code)
    if service is not None and a.outputs:
        known = {o.code for o in service.outputs}
        unknown = [o for o in a.outputs if o not in known]
        if unknown:
            problems.append(
                ApplicationProblem(
                    application_id=a.id,
                    problem=ApplicationProblemKind.UNKNOWN_SERVICE,
                    message_id=f"Dokumen {', '.join(unknown)} tidak ada pada layanan {a.service_code}.",
                    message_en=f"Documents {', '.join(unknown)} are not outputs of service {a.service_code}.",
                )
            )
    return problems


def store(s: Session, app_pk: int, a: ApplicationIn) -> None:
    """Keep what the manifest says (an addendum replaces it; finished outputs stay)."""
    row = s.get(ApplicationDetail, app_pk)
    old = json.loads(row.details_json) if row is not None else {}
    data: dict[str, Any] = {
        "event_date": a.event_date.isoformat() if a.event_date else None,
        "subjects": [p.model_dump(mode="json") for p in a.subjects],
        "outputs": list(dict.fromkeys(a.outputs)),
        "catalog_version": a.catalog_version,
        "finished": old.get("finished", {}),
    }
    if row is None:
        if not (a.event_date or a.subjects or a.outputs or a.catalog_version):
            return  # an older client: nothing to keep
        row = ApplicationDetail(application_id=app_pk, details_json="{}")
    row.details_json = json.dumps(data, sort_keys=True)
    s.add(row)


def load(s: Session, app_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {}
    if not app_ids:
        return out
    for row in s.exec(
        select(ApplicationDetail).where(col(ApplicationDetail.application_id).in_(list(app_ids)))
    ):
        out[row.application_id] = json.loads(row.details_json)
    return out


def output_codes(service_code: str, details: dict[str, Any]) -> list[str]:
    """What the application asks for: its outputs, else the service's main document."""
    if details.get("outputs"):
        return list(details["outputs"])
    service = SERVICES.get(service_code)
    if service is None:
        return [service_code]
    return [o.code for o in service.outputs if not o.bundle][:1] or [service_code]


def outputs_out(service_code: str, details: dict[str, Any]) -> list[OutputOut]:
    service = SERVICES.get(service_code)
    names = {o.code: o.name_id for o in service.outputs} if service is not None else {}
    finished = details.get("finished", {})
    return [
        OutputOut(
            code=code,
            name=names.get(code, code),
            finished_document_id=uuid.UUID(finished[code]) if finished.get(code) else None,
        )
        for code in output_codes(service_code, details)
    ]


def subjects_out(details: dict[str, Any]) -> list[Subject]:
    return [Subject.model_validate(p) for p in details.get("subjects", [])]


def output_of(details: dict[str, Any], finished_id: str) -> str:
    """The output a finished document answers ("" when none was named)."""
    for code, doc in details.get("finished", {}).items():
        if doc == finished_id:
            return str(code)
    return ""


def record_finished(s: Session, app_pk: int, service_code: str, output: str, finished_id: str) -> bool:
    """Mark `output` of the application finished by `finished_id`; False when the application
    did not ask for that output."""
    row = s.get(ApplicationDetail, app_pk)
    data = json.loads(row.details_json) if row is not None else {}
    if output not in output_codes(service_code, data):
        return False
    if row is None:
        row = ApplicationDetail(application_id=app_pk, details_json="{}")
    data.setdefault("finished", {})[output] = finished_id
    row.details_json = json.dumps(data, sort_keys=True)
    s.add(row)
    return True


# --- office-published catalogs -----------------------------------------------------------------


def publish_catalog(s: Session, raw: dict[str, Any], actor: str) -> str:
    """Check and keep an office's catalog version, and use it in this process; its version.

    Raises CatalogError when it is not a usable catalog, ValueError when the version exists.
    """
    from desa_capil.domain import catalog as cat
    from desa_capil.server.db import PublishedCatalog

    parsed = cat.parse_catalog(raw)
    if s.exec(select(PublishedCatalog).where(PublishedCatalog.version == parsed.version)).first():
        raise ValueError(parsed.version)
    s.add(
        PublishedCatalog(version=parsed.version, body=json.dumps(raw, ensure_ascii=False), actor=actor[:40])
    )
    s.flush()
    cat.install(parsed)
    return parsed.version


def latest_catalog(s: Session) -> tuple[str, dict[str, Any]] | None:
    from desa_capil.server.db import PublishedCatalog

    row = s.exec(select(PublishedCatalog).order_by(col(PublishedCatalog.id).desc())).first()
    if row is None:
        return None
    body: dict[str, Any] = json.loads(row.body)
    return row.version, body


def install_published(s: Session) -> None:
    """At start: every published version in order, so services of older versions stay known
    (a batch sealed under them is still accepted), the newest in use."""
    from desa_capil.domain import catalog as cat
    from desa_capil.server.db import PublishedCatalog

    for row in s.exec(select(PublishedCatalog).order_by(col(PublishedCatalog.id))):
        try:
            cat.install(cat.parse_catalog(json.loads(row.body)))
        except cat.CatalogError:
            continue  # checked when published; a later app version may read it differently
