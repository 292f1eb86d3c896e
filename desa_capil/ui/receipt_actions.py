"""Printing receipts and recording who printed them (UU 27/2022 PDP audit).

Shared by the intake wizard, the queue page and the distribution page:

* ``print_intake_receipt``: the tanda terima berkas. ``fresh=True`` makes it anew from the
  records (after intake, when the papers may have changed) and keeps it in the blob store;
  otherwise the kept one is printed again (made and kept first when there is none).
* ``print_handover_receipt``: the hand-over receipt kept when the hand-over was recorded.

The print dialog is ``ui.printing.print_pdf`` (looked up at call time so tests can replace
it). An audit entry is written only when the printer took the job.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QWidget

from desa_capil.reports.receipts import make_handover_receipt, make_intake_receipt
from desa_capil.security import audit
from desa_capil.store import distribution as dist
from desa_capil.store.db import Database
from desa_capil.ui import printing
from desa_capil.ui.context import AppContext
from desa_capil.ui.tasks import Progress, run_op

INTAKE = "intake"
HANDOVER = "handover"


def record(
    parent: QWidget | None, ctx: AppContext, action: str, application_id: str | None, detail: str = ""
) -> None:
    """Write one audit entry for the current operator, in the background."""
    db, operator = ctx.db, ctx.operator_id
    run_op(
        parent,
        lambda _p: audit.record(db, action, application_id, operator_id=operator, detail=detail),
        db=True,
    )


def intake_receipt(db: Database, application_id: str, *, fresh: bool) -> bytes:
    """The intake receipt to print: made and kept when `fresh` or none is kept yet."""
    if not fresh:
        kept = dist.stored_intake_receipt(db, application_id)
        if kept is not None:
            return kept
    pdf = make_intake_receipt(db, application_id)
    dist.attach_intake_receipt(db, application_id, pdf)
    return pdf


def handover_receipt(db: Database, application_id: str) -> bytes:
    return dist.stored_receipt(db, application_id) or make_handover_receipt(db, application_id)


def print_and_record(
    parent: QWidget | None, ctx: AppContext, pdf: bytes, title: str, application_id: str, detail: str
) -> bool:
    """Show the print dialog; on success record PRINT_RECEIPT. Returns whether it printed."""
    if not printing.print_pdf(parent, pdf, title):
        return False
    record(parent, ctx, audit.PRINT_RECEIPT, application_id, detail)
    return True


def _print_later(
    parent: QWidget | None,
    ctx: AppContext,
    make: Callable[[Progress], bytes],
    title: str,
    application_id: str,
    detail: str,
    done: Callable[[bool], None] | None,
) -> None:
    def printed(pdf: bytes) -> None:
        ok = print_and_record(parent, ctx, pdf, title, application_id, detail)
        if done is not None:
            done(ok)

    run_op(parent, make, on_success=printed, db=True)


def print_intake_receipt(
    parent: QWidget | None,
    ctx: AppContext,
    application_id: str,
    *,
    fresh: bool = False,
    done: Callable[[bool], None] | None = None,
) -> None:
    db = ctx.db
    title = QCoreApplication.translate("receipts", "Tanda terima berkas")
    _print_later(
        parent,
        ctx,
        lambda _p: intake_receipt(db, application_id, fresh=fresh),
        title,
        application_id,
        INTAKE,
        done,
    )


def print_handover_receipt(
    parent: QWidget | None,
    ctx: AppContext,
    application_id: str,
    pdf: bytes | None = None,
    *,
    done: Callable[[bool], None] | None = None,
) -> None:
    title = QCoreApplication.translate("receipts", "Tanda terima penyerahan")
    if pdf is not None:
        ok = print_and_record(parent, ctx, pdf, title, application_id, HANDOVER)
        if done is not None:
            done(ok)
        return
    db = ctx.db
    _print_later(
        parent, ctx, lambda _p: handover_receipt(db, application_id), title, application_id, HANDOVER, done
    )
