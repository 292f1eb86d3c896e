"""Printing the pre-filled forms and the originals receipt of an application (reports.forms,
reports.forms_originals) from the intake wizard; the PDF is made off the UI thread."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QWidget

from desa_capil.reports.forms import TITLES, make_form
from desa_capil.reports.forms_originals import make_originals_receipt
from desa_capil.ui import receipt_actions
from desa_capil.ui.context import AppContext
from desa_capil.ui.intake.applicant_step import ORIGINALS_RECEIPT
from desa_capil.ui.tasks import run_op


def form_pdf(ctx: AppContext, application_id: str, code: str) -> bytes:
    if code == ORIGINALS_RECEIPT:
        return make_originals_receipt(ctx.db, application_id)
    return make_form(ctx.db, application_id, code)


def print_application_form(parent: QWidget | None, ctx: AppContext, application_id: str, code: str) -> None:
    title = (
        QCoreApplication.translate("forms", "Tanda terima dokumen asli")
        if code == ORIGINALS_RECEIPT
        else TITLES[code]
    )
    run_op(
        parent,
        lambda _p: form_pdf(ctx, application_id, code),
        on_success=lambda pdf: receipt_actions.print_and_record(
            parent, ctx, pdf, title, application_id, f"form:{code}"
        ),
        db=True,
    )
