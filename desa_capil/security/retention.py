"""Keeping residents' data no longer than needed (UU 27/2022 PDP, DESIGN.md principle 5).

Two rules, both run by ``run_retention(db, now)`` at app start and once a day:

1. **Scans go once the office has them.** When the office has confirmed receipt of an
   application (its status is ``in_review`` or later: processing, needs_fix, rejected,
   finished, dispatched, arrived, handed_over) and ``retention_days`` (default 30) have passed
   since that confirmation (and since the paper was sent), the local files of its *sent*
   papers are securely deleted: originals, processed pages, thumbnails and the assembled PDF.
   Rows stay, marked ``purged_at``: the village still sees which papers went, how many pages,
   how big. Papers not yet sent (a needs_fix addendum being prepared) are never touched.

2. **Finished records are archived.** ``archive_days`` (default 90) after an application was
   handed over or rejected, it is archived: notes blanked; the hand-over's recipient NIK
   masked to its last 4 digits, signature and photo deleted (the receipt PDF stays: it is the
   village's proof and shows only the name and a masked NIK); the office's signed PDF deleted;
   sent event payloads blanked. Once every application of a resident is archived, the
   resident's record keeps only the name and the last 4 digits of the NIK (phone, address and
   KK number blanked). What stays is enough for the reports and to answer "was it handed over,
   when, to whom" without keeping what could be misused.

Files are deleted only after the transaction that dropped the last reference committed, and
only when no other record still refers to the same bytes (the store is content-addressed).
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta

from sqlmodel import col, func, select

from desa_capil.domain.status import Actor, Status
from desa_capil.store import outbox
from desa_capil.store.db import Database
from desa_capil.store.models import (
    Applicant,
    Application,
    Batch,
    Document,
    HandOver,
    OfficeDocument,
    Page,
    StatusChange,
)
from desa_capil.store.repo import audit, get_setting, purge_unreferenced_blobs, set_setting
from desa_capil.timeutil import as_utc

log = logging.getLogger(__name__)

RETENTION_DAYS_KEY = "retention_days"
DEFAULT_RETENTION_DAYS = 30
ARCHIVE_DAYS_KEY = "archive_days"
DEFAULT_ARCHIVE_DAYS = 90
LAST_RUN_KEY = "retention_last_run"

# The office has the papers: every status after "sent".
CONFIRMED: frozenset[Status] = frozenset(
    {
        Status.IN_REVIEW,
        Status.PROCESSING,
        Status.NEEDS_FIX,
        Status.REJECTED,
        Status.FINISHED,
        Status.DISPATCHED,
        Status.ARRIVED,
        Status.HANDED_OVER,
    }
)
ARCHIVABLE: frozenset[Status] = frozenset({Status.HANDED_OVER, Status.REJECTED})
MASK = "*" * 12


@dataclass
class RetentionReport:
    documents_purged: int = 0
    pages_purged: int = 0
    files_deleted: int = 0
    applications_archived: int = 0
    applicants_archived: int = 0
    ran_at: str = ""


def _days_setting(db: Database, key: str, default: int) -> int:
    try:
        days = int(get_setting(db, key, str(default)))
    except ValueError:
        return default
    return days if days >= 1 else default


def retention_days(db: Database) -> int:
    return _days_setting(db, RETENTION_DAYS_KEY, DEFAULT_RETENTION_DAYS)


def archive_days(db: Database) -> int:
    return _days_setting(db, ARCHIVE_DAYS_KEY, DEFAULT_ARCHIVE_DAYS)


def set_periods(db: Database, *, retention: int, archive: int) -> None:
    if retention < 1 or archive < 1:
        raise ValueError("retention periods are at least one day")
    set_setting(db, RETENTION_DAYS_KEY, str(retention))
    set_setting(db, ARCHIVE_DAYS_KEY, str(archive))


def mask_nik(nik: str) -> str:
    """Only the last 4 digits (enough to tell two residents of the same name apart)."""
    return MASK + nik[-4:] if len(nik) >= 4 else ""


def purge_sent_scans(db: Database, now: datetime, report: RetentionReport) -> None:
    """Rule 1: delete local files of sent papers the office confirmed `retention_days` ago."""
    keep_for = timedelta(days=retention_days(db))
    dropped: set[str] = set()
    # When the office first answered about each application (its first office status); an
    # application without one is not confirmed (the inner join leaves it out).
    confirmed_q = (
        select(StatusChange.application_id, func.min(StatusChange.at).label("confirmed"))
        .where(StatusChange.actor == Actor.OFFICE.value)
        .group_by(col(StatusChange.application_id))
        .subquery()
    )
    with db.session() as s:
        rows = s.exec(
            select(Document, Application, Batch, confirmed_q.c.confirmed)
            .join(Application, col(Application.id) == Document.application_id)
            .join(Batch, col(Batch.id) == Document.batch_id)
            .join(confirmed_q, confirmed_q.c.application_id == Application.id)
            .where(
                col(Document.purged_at).is_(None),
                col(Application.status).in_([st.value for st in CONFIRMED]),
            )
        ).all()
        for doc, app, batch, confirmed in rows:
            # An addendum sent after the first answer starts its own clock when it was sealed.
            start = max(as_utc(confirmed), as_utc(batch.sealed_at))
            if start + keep_for > now:
                continue
            for page in s.exec(select(Page).where(Page.document_id == doc.id)).all():
                dropped.update(
                    x for x in (page.original_sha256, page.processed_sha256, page.thumb_sha256) if x
                )
                page.original_sha256 = None
                page.thumb_sha256 = None
                page.processed_sha256 = ""  # NOT NULL column: empty means "deleted by retention"
                page.purged_at = now
                s.add(page)
                report.pages_purged += 1
            if doc.file_sha256:
                dropped.add(doc.file_sha256)
            doc.file_sha256 = None
            doc.purged_at = now
            s.add(doc)
            audit(s, "retention_purge", app.id, detail=f"document {doc.id}")
            report.documents_purged += 1
        s.commit()
    report.files_deleted += purge_unreferenced_blobs(db, dropped)


def archive_finished(db: Database, now: datetime, report: RetentionReport) -> None:
    """Rule 2: blank personal fields of records handed over or rejected `archive_days` ago."""
    cutoff = now - timedelta(days=archive_days(db))
    dropped: set[str] = set()
    touched_applicants: set[str] = set()
    with db.session() as s:
        apps = s.exec(
            select(Application).where(
                col(Application.archived_at).is_(None),
                col(Application.status).in_([st.value for st in ARCHIVABLE]),
            )
        ).all()
        for app in apps:
            if as_utc(app.status_at) > cutoff:
                continue
            app.notes = ""
            app.details = "{}"  # subjects' names and NIKs, event date (i15)
            app.archived_at = now
            s.add(app)
            ho = s.exec(select(HandOver).where(HandOver.application_id == app.id)).first()
            if ho is not None:
                ho.recipient_nik = mask_nik(ho.recipient_nik)
                dropped.update(x for x in (ho.signature_sha256, ho.photo_sha256) if x)
                ho.signature_sha256 = None
                ho.photo_sha256 = None
                s.add(ho)
            for od in s.exec(select(OfficeDocument).where(OfficeDocument.application_id == app.id)).all():
                if od.file_sha256:
                    dropped.add(od.file_sha256)
                    # "" (not None): downloaded once and deleted, not to be fetched again.
                    od.file_sha256 = ""
                    s.add(od)
            # Sent events carry the recipient's NIK; once done they are only history.
            outbox.blank_sent_events(s, app.id)
            audit(s, "archive", app.id)
            touched_applicants.add(app.applicant_id)
            report.applications_archived += 1
        s.flush()
        for applicant_id in sorted(touched_applicants):
            open_apps = s.exec(
                select(func.count())
                .select_from(Application)
                .where(Application.applicant_id == applicant_id, col(Application.archived_at).is_(None))
            ).one()
            person = s.get(Applicant, applicant_id)
            if open_apps or person is None:
                continue
            person.nik = mask_nik(person.nik)
            person.kk_number = ""
            person.phone = ""
            person.address = ""
            person.updated_at = now
            s.add(person)
            report.applicants_archived += 1
        s.commit()
    report.files_deleted += purge_unreferenced_blobs(db, dropped)


def run_retention(db: Database, now: datetime | None = None) -> RetentionReport:
    """Apply both rules; safe to run any time and as often as wanted (idempotent)."""
    now = as_utc(now or datetime.now(UTC))
    report = RetentionReport(ran_at=now.isoformat())
    purge_sent_scans(db, now, report)
    archive_finished(db, now, report)
    set_setting(db, LAST_RUN_KEY, json.dumps(asdict(report)))
    if report.documents_purged or report.applications_archived:
        log.info(
            "retention: %d papers purged (%d files), %d applications archived",
            report.documents_purged,
            report.files_deleted,
            report.applications_archived,
        )
    return report


def last_run(db: Database) -> RetentionReport | None:
    raw = get_setting(db, LAST_RUN_KEY, "")
    if not raw:
        return None
    try:
        return RetentionReport(**json.loads(raw))
    except (ValueError, TypeError):
        return None
