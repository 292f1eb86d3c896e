"""Sealing applications into a batch (kiriman), and undoing a seal before anything left.

    outcome = seal(db, [application_id], operator_id)      # assembles the PDFs, queues uploads
    reopen(db, outcome.batch_id, operator_id)               # "Buka segel" until the upload starts
    auto_seal(db, application_id, operator_id)              # the setting: seal when complete
    cancel(db, batch_id, operator_id)                       # "Batalkan kiriman" (set aside)
    retry(db, batch_id) / retry_events(db)                  # "Coba kirim lagi"

Each returns what it changed (`Changes`): the applications whose status moved and the batch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlmodel import select

from desa_capil.domain.status import Status
from desa_capil.services.changes import Changes, some
from desa_capil.store import batches, outbox, repo, setting_keys
from desa_capil.store.db import Database
from desa_capil.store.models import BatchApplication, Page


def make_assembler(db: Database) -> Callable[[list[Page]], bytes]:
    """The scan package's PDF assembly over the processed page blobs (seal_batch's `assemble`)."""
    from desa_capil.scan.pdf import assemble_pdf

    def assemble(pages: list[Page]) -> bytes:
        return assemble_pdf([(db.blobs.get(p.processed_sha256), p.mime) for p in pages])

    return assemble


@dataclass(frozen=True)
class SealOutcome:
    batch_id: str
    applications: int
    pages: int
    total_bytes: int
    changes: Changes


def seal(db: Database, application_ids: Iterable[str], operator_id: int | None = None) -> SealOutcome:
    """Seal ready applications (and needs-fix ones with new papers) into one batch."""
    ids = list(dict.fromkeys(application_ids))
    sealed = repo.seal_batch(db, ids, make_assembler(db), operator_id=operator_id)
    return SealOutcome(
        sealed.id,
        sealed.application_count,
        sealed.page_count,
        sealed.total_bytes,
        Changes(applications=frozenset(ids), batches=frozenset({sealed.id})),
    )


def reopen(db: Database, batch_id: str, operator_id: int | None = None) -> Changes:
    """Undo a seal whose upload has not started; raises store.repo.CannotCancel afterwards."""
    back = repo.reopen_batch(db, batch_id, operator_id=operator_id)
    return Changes(applications=frozenset(back), batches=frozenset({batch_id}))


def cancel(db: Database, batch_id: str, operator_id: int | None = None) -> Changes:
    """Give up a set-aside batch: its applications go back to be fixed and sealed again."""
    back = batches.cancel(db, batch_id, operator_id=operator_id)
    return Changes(applications=frozenset(back), batches=frozenset({batch_id}))


def retry(db: Database, batch_id: str) -> Changes:
    """Put a set-aside batch back in the queue ("Coba kirim lagi")."""
    batches.retry(db, batch_id)
    return batch_changes(db, batch_id)


def retry_events(db: Database, outbox_ids: list[int] | None = None) -> Changes:
    """Put set-aside village events back in the queue (all of them when `outbox_ids` is None)."""
    return Changes(events=some(outbox.unpark_events(db, outbox_ids)))


def batch_changes(db: Database, batch_id: str) -> Changes:
    """A batch whose state moved (sent, set aside, retried), with the applications it carries."""
    with db.session() as s:
        ids = s.exec(
            select(BatchApplication.application_id).where(BatchApplication.batch_id == batch_id)
        ).all()
    return Changes.of_batch(batch_id, ids)


def auto_seal(db: Database, application_id: str, operator_id: int | None = None) -> SealOutcome | None:
    """Seal one application on its own when the "seal complete applications automatically"
    setting is on and it can go (None otherwise). Undone like any seal ("Buka segel")."""
    if repo.get_setting(db, setting_keys.AUTO_SEAL) != "1" or not can_seal(db, application_id):
        return None
    return seal(db, [application_id], operator_id)


def can_seal(db: Database, application_id: str) -> bool:
    """True when the application could go in a batch now (complete, or a fix with new papers)."""
    status = repo.application_status(db, application_id)
    if status is Status.READY:
        return True
    if status is Status.NEEDS_FIX:
        return repo.has_unsent_papers(db, application_id)
    return False
