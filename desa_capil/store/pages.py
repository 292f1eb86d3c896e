"""Pages of an application's papers: add, list (with thumbnails), remove, reorder, rotate.

Pages always go into the *open* document of a requirement (``repo.document_for``): one not
yet sealed into a batch. Papers already sent are never touched here, so a needs_fix addendum
only ever adds corrected pages next to what the office already has.

The store holds no imaging code: callers hand in finished bytes (``NewPage``), and rotation
takes a ``reprocess`` callable from the scan layer, as ``repo.seal_batch`` takes ``assemble``.
Blobs are written before the transaction that references them and deleted (overwritten first:
they are personal data) only after the transaction that dropped the last reference committed,
so a crash leaves at worst an orphan file, never a row without its file.

Also here: the small reads the intake wizard needs (an applicant by NIK, an application to
restore into the wizard).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from desa_capil.domain.catalog import Urgency, get_service
from desa_capil.domain.intake import IntakeDetails
from desa_capil.domain.status import EDITABLE, Status
from desa_capil.store.db import Database
from desa_capil.store.models import Applicant, Application, Document, Page
from desa_capil.store.repo import ApplicantData, NotEditable, document_for, purge_unreferenced_blobs


@dataclass(frozen=True)
class NewPage:
    """A processed page ready to store. ``original`` is what re-processing starts from."""

    data: bytes
    mime: str
    width: int
    height: int
    dpi: int
    mode: str
    thumb: bytes
    original: bytes | None = None
    rotation: int = 0
    source: str = "file"


@dataclass(frozen=True)
class PageInfo:
    """What a page list shows: the page's facts and its thumbnail (JPEG bytes, may be empty)."""

    id: str
    document_id: str
    position: int
    width: int
    height: int
    dpi: int
    mode: str
    mime: str
    size_bytes: int
    rotation: int
    source: str
    thumb: bytes
    can_rotate: bool
    #: The user's corrections (see ``reprocess_page``).
    size_choice: str = ""
    keep_color: bool = False


@dataclass(frozen=True)
class ApplicationDraft:
    """Everything the intake wizard shows for an application it reopens."""

    id: str
    service_code: str
    status: Status
    applicant: ApplicantData
    urgency: Urgency
    notes: str
    office_message: str
    details: IntakeDetails = IntakeDetails()


# --- reads for the wizard ---------------------------------------------------------------------


def applicant_by_nik(db: Database, nik: str) -> ApplicantData | None:
    """The resident with this NIK as last saved, or None for a new one."""
    with db.session() as s:
        person = s.exec(select(Applicant).where(Applicant.nik == nik)).first()
        if person is None:
            return None
        return ApplicantData(person.nik, person.name, person.kk_number, person.phone, person.address)


def load_application(db: Database, application_id: str) -> ApplicationDraft:
    """An application with its applicant; KeyError when it does not exist (deleted meanwhile)."""
    with db.session() as s:
        app = s.get(Application, application_id)
        if app is None:
            raise KeyError(application_id)
        person = s.get(Applicant, app.applicant_id)
        assert person is not None  # foreign key
        return ApplicationDraft(
            id=app.id,
            service_code=app.service_code,
            status=Status(app.status),
            applicant=ApplicantData(person.nik, person.name, person.kk_number, person.phone, person.address),
            urgency=Urgency(app.urgency),
            notes=app.notes,
            office_message=app.office_message,
            details=IntakeDetails.from_json(app.details),
        )


# --- pages ----------------------------------------------------------------------------------


def _editable_app(s: Session, application_id: str) -> Application:
    app = s.get(Application, application_id)
    if app is None:
        raise KeyError(application_id)
    if Status(app.status) not in EDITABLE:
        raise NotEditable(Status(app.status))
    return app


def _open_page(s: Session, page_id: str) -> tuple[Page, Document]:
    """A page of an unsent document of an editable application."""
    page = s.get(Page, page_id)
    if page is None:
        raise KeyError(page_id)
    doc = s.get(Document, page.document_id)
    assert doc is not None  # foreign key
    app = _editable_app(s, doc.application_id)
    if doc.batch_id is not None:
        raise NotEditable(Status(app.status))
    return page, doc


def _renumber(s: Session, document_id: str) -> None:
    pages = s.exec(
        select(Page).where(Page.document_id == document_id).order_by(col(Page.position), col(Page.created_at))
    ).all()
    for i, p in enumerate(pages):
        if p.position != i:
            p.position = i
            s.add(p)


def add_pages(
    db: Database, application_id: str, requirement_code: str, pages: Sequence[NewPage]
) -> list[str]:
    """Append pages to the open document of a requirement, all or none; returns the new ids."""
    if not pages:
        return []
    stored = []
    for p in pages:
        stored.append(
            (
                db.blobs.put(p.data),
                db.blobs.put(p.thumb) if p.thumb else None,
                db.blobs.put(p.original) if p.original else None,
            )
        )
    with db.session() as s:
        app = _editable_app(s, application_id)
        get_service(app.service_code).requirement(requirement_code)  # KeyError: a bug in the caller
        doc = document_for(s, application_id, requirement_code)
        last = s.exec(select(func.max(Page.position)).where(Page.document_id == doc.id)).one()
        pos = -1 if last is None else int(last)
        ids = []
        for p, (sha, thumb, original) in zip(pages, stored, strict=True):
            pos += 1
            row = Page(
                document_id=doc.id,
                position=pos,
                original_sha256=original,
                processed_sha256=sha,
                thumb_sha256=thumb,
                mime=p.mime,
                width=p.width,
                height=p.height,
                dpi=p.dpi,
                mode=p.mode,
                size_bytes=len(p.data),
                rotation=p.rotation % 360,
                source=p.source,
            )
            s.add(row)
            ids.append(row.id)
        app.updated_at = row.created_at
        s.add(app)
        s.commit()
        return ids


def list_pages(db: Database, application_id: str) -> dict[str, list[PageInfo]]:
    """Unsent pages per requirement code, in order, with thumbnails read from the blob store."""
    with db.session() as s:
        q = (
            select(Page)
            .join(Document, col(Document.id) == Page.document_id)
            .where(Document.application_id == application_id, col(Document.batch_id).is_(None))
            .order_by(col(Page.position), col(Page.created_at))
        )
        rows = [(p, s.get(Document, p.document_id)) for p in s.exec(q).all()]
    out: dict[str, list[PageInfo]] = {}
    for p, doc in rows:
        assert doc is not None
        thumb = b""
        if p.thumb_sha256 and db.blobs.exists(p.thumb_sha256):
            thumb = db.blobs.get(p.thumb_sha256)
        out.setdefault(doc.requirement_code, []).append(_info(p, thumb))
    return out


def sent_page_counts(db: Database, application_id: str) -> dict[str, int]:
    """Pages per requirement already sealed into batches (what the office has)."""
    with db.session() as s:
        rows = s.exec(
            select(Document.requirement_code, func.count())
            .join(Page, col(Page.document_id) == Document.id)
            .where(Document.application_id == application_id, col(Document.batch_id).is_not(None))
            .group_by(Document.requirement_code)
        ).all()
    return {code: int(n) for code, n in rows}


def delete_page(db: Database, page_id: str) -> None:
    """Remove a page; its files go too unless another record uses the same bytes."""
    with db.session() as s:
        page, doc = _open_page(s, page_id)
        shas = [page.processed_sha256, page.thumb_sha256, page.original_sha256]
        s.delete(page)
        s.flush()
        remaining = s.exec(select(func.count()).select_from(Page).where(Page.document_id == doc.id)).one()
        if remaining:
            _renumber(s, doc.id)
        else:
            s.delete(doc)
        s.commit()
    purge_unreferenced_blobs(db, shas)


def set_page_order(db: Database, page_ids: Sequence[str]) -> None:
    """Put the pages of one open document in this order (every page of it, each once)."""
    if not page_ids:
        return
    with db.session() as s:
        pages = [_open_page(s, pid) for pid in page_ids]
        doc_ids = {d.id for _, d in pages}
        if len(doc_ids) != 1 or len(set(page_ids)) != len(page_ids):
            raise ValueError("set_page_order takes the pages of one document, each once")
        total = s.exec(select(func.count()).select_from(Page).where(Page.document_id == doc_ids.pop())).one()
        if total != len(page_ids):
            raise ValueError("set_page_order needs every page of the document")
        for i, (page, _) in enumerate(pages):
            page.position = i
            s.add(page)
        s.commit()


def move_page(db: Database, page_id: str, steps: int) -> int:
    """Move a page `steps` places (negative: towards the front); returns its new position."""
    with db.session() as s:
        page, doc = _open_page(s, page_id)
        ids = list(
            s.exec(
                select(Page.id)
                .where(Page.document_id == doc.id)
                .order_by(col(Page.position), col(Page.created_at))
            ).all()
        )
    i = ids.index(page_id)
    j = max(0, min(len(ids) - 1, i + steps))
    if i != j:
        ids.insert(j, ids.pop(i))
        set_page_order(db, ids)
    return j


@dataclass(frozen=True)
class PageFile:
    """A page's processed file, to show it full size."""

    application_id: str
    data: bytes
    mime: str


def processed_of(db: Database, page_id: str) -> PageFile:
    """The processed file of a page (what is sent to the office); KeyError when it is gone."""
    with db.session() as s:
        page = s.get(Page, page_id)
        if page is None or not page.processed_sha256:
            raise KeyError(page_id)
        doc = s.get(Document, page.document_id)
        assert doc is not None  # foreign key
        sha, mime, app_id = page.processed_sha256, page.mime, doc.application_id
    return PageFile(app_id, db.blobs.get(sha), mime)


def original_of(db: Database, page_id: str) -> tuple[bytes, int]:
    """The original picture of a page and its current rotation (for re-processing)."""
    with db.session() as s:
        page = s.get(Page, page_id)
        if page is None:
            raise KeyError(page_id)
        if not page.original_sha256:
            raise ValueError(f"page {page_id} kept no original")
        sha, rotation = page.original_sha256, page.rotation
    return db.blobs.get(sha), rotation


def page_choices(db: Database, page_id: str) -> tuple[str, bool, bool]:
    """The user's corrections of a page (size choice, colour kept) and whether its original
    is still there to re-make it from."""
    with db.session() as s:
        page = s.get(Page, page_id)
        if page is None:
            raise KeyError(page_id)
        return page.size_choice, page.keep_color, bool(page.original_sha256)


def rotate_page(db: Database, page_id: str, degrees: int, reprocess: Callable[..., NewPage]) -> PageInfo:
    """Turn a page by `degrees` (a multiple of 90, clockwise) by re-processing its original.

    `reprocess(original, rotation, size_choice=..., keep_color=...) -> NewPage` comes from the
    scan layer; it runs outside any transaction because it is slow. Rotation is relative to the
    page as first imported; the user's size and colour choices are kept.
    """
    return reprocess_page(db, page_id, reprocess, degrees=degrees)


def reprocess_page(
    db: Database,
    page_id: str,
    reprocess: Callable[..., NewPage],
    *,
    degrees: int = 0,
    size_choice: str | None = None,
    keep_color: bool | None = None,
) -> PageInfo:
    """Re-make a page from its original with a new rotation and/or the user's corrections
    (``size_choice``: "" automatic, "original", "card", "page"; ``keep_color``: whole page in
    colour). Arguments left None keep the page's current choice."""
    original, rotation = original_of(db, page_id)
    with db.session() as s:
        page, _doc = _open_page(s, page_id)
        size_now, color_now = page.size_choice, page.keep_color
    size = size_now if size_choice is None else size_choice
    color = color_now if keep_color is None else keep_color
    target = (rotation + degrees) % 360
    new = reprocess(original, target, size_choice=size, keep_color=color)
    sha = db.blobs.put(new.data)
    thumb = db.blobs.put(new.thumb) if new.thumb else None
    with db.session() as s:
        page, _doc = _open_page(s, page_id)
        old = [page.processed_sha256, page.thumb_sha256]
        page.processed_sha256 = sha
        page.thumb_sha256 = thumb
        page.mime, page.width, page.height = new.mime, new.width, new.height
        page.dpi, page.mode, page.size_bytes = new.dpi, new.mode, len(new.data)
        page.rotation = target
        page.size_choice, page.keep_color = size, color
        s.add(page)
        s.commit()
        info = _info(page, new.thumb)
    purge_unreferenced_blobs(db, [o for o in old if o not in (sha, thumb)])
    return info


def _info(p: Page, thumb: bytes) -> PageInfo:
    return PageInfo(
        id=p.id,
        document_id=p.document_id,
        position=p.position,
        width=p.width,
        height=p.height,
        dpi=p.dpi,
        mode=p.mode,
        mime=p.mime,
        size_bytes=p.size_bytes,
        rotation=p.rotation,
        source=p.source,
        thumb=thumb,
        can_rotate=bool(p.original_sha256),
        size_choice=p.size_choice,
        keep_color=p.keep_color,
    )
