"""Printing a PDF (a receipt, a signed document from the office) on plain A4, offline.

Pages are rendered with pypdfium2 (the same engine the scan layer uses to read PDFs) at the
printer's resolution, capped at 300 dpi, and drawn on a QPrinter. Rendering to an image
avoids depending on a PDF-capable printer driver, which cheap village inkjets lack.
"""

from __future__ import annotations

import logging

import pypdfium2 as pdfium
from PySide6.QtCore import QCoreApplication, QMarginsF, QRectF
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QWidget

log = logging.getLogger(__name__)

MAX_DPI = 300


def pdf_page_count(pdf: bytes) -> int:
    doc = pdfium.PdfDocument(pdf)
    try:
        return len(doc)
    finally:
        doc.close()


def render_page(pdf: bytes, index: int, dpi: int) -> QImage:
    """One page of `pdf` as a QImage at `dpi` (RGB, white background)."""
    doc = pdfium.PdfDocument(pdf)
    try:
        page = doc[index]
        bitmap = page.render(scale=dpi / 72, rev_byteorder=True)
        pil = bitmap.to_pil().convert("RGB")
    finally:
        doc.close()
    data = pil.tobytes("raw", "RGB")
    image = QImage(data, pil.width, pil.height, pil.width * 3, QImage.Format.Format_RGB888)
    return image.copy()  # own the pixels: `data` goes away with this frame


def make_printer() -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(0, 0, 0, 0),
        )
    )
    printer.setFullPage(True)
    return printer


def print_to(printer: QPrinter, pdf: bytes) -> int:
    """Draw every page of `pdf` on `printer`, scaled to fit; returns the pages printed."""
    count = pdf_page_count(pdf)
    pages = range(count)
    if printer.printRange() == QPrinter.PrintRange.PageRange and printer.fromPage() > 0:
        pages = range(printer.fromPage() - 1, min(count, printer.toPage()))
    dpi = min(MAX_DPI, max(72, printer.resolution()))
    painter = QPainter()
    if not painter.begin(printer):
        raise OSError("the printer could not be started")
    try:
        for n, i in enumerate(pages):
            if n:
                printer.newPage()
            image = render_page(pdf, i, dpi)
            target = QRectF(painter.viewport())
            scale = min(target.width() / image.width(), target.height() / image.height())
            w, h = image.width() * scale, image.height() * scale
            # Landscape pages (the monthly summary) are fitted whole, centred on the sheet.
            rect = QRectF(target.x() + (target.width() - w) / 2, target.y() + (target.height() - h) / 2, w, h)
            painter.drawImage(rect, image)
    finally:
        painter.end()
    return len(pages)


def print_pdf(parent: QWidget | None, pdf: bytes, title: str) -> bool:
    """Ask for a printer with the print dialog and print `pdf`; False when cancelled."""
    printer = make_printer()
    printer.setDocName(title)
    if pdf_page_count(pdf) > 1:
        printer.setFromTo(1, pdf_page_count(pdf))
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(QCoreApplication.translate("printing", "Cetak: {0}").replace("{0}", title))
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return False
    printed = print_to(printer, pdf)
    log.info("printed %d page(s) of %s", printed, title)
    return True
