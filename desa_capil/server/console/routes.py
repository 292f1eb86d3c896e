"""The console's pages and form posts (server-rendered, Indonesian).

Every route but the login page and the static files needs a staff session; every POST needs the
session's CSRF token and a same-origin Origin header when the browser sends one. Actions call
``CentralService`` (the API and CLI use the same methods) with ``staff:<username>`` as the actor,
so the admin log says who did what and when.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from desa_capil.domain import regions
from desa_capil.domain.catalog import SERVICES, URGENCY_LABELS
from desa_capil.domain.status import Status
from desa_capil.server.config import Settings
from desa_capil.server.db import Database, aware, utcnow
from desa_capil.server.errors import ApiError
from desa_capil.server.limits import DatabaseBucket
from desa_capil.server.service import CentralService
from desa_capil.server.usb import UsbService
from desa_capil.usbroute import BundleError

from . import auth, language, pages, queries
from .auth import Staff
from .language import N_, t
from .models import HOLD_LABELS, ROLE_LABELS, HoldKind, ReasonKind, Role, StaffUser

log = logging.getLogger(__name__)

PREFIX = "/console"
HERE = Path(__file__).resolve().parent
SUKET_VALIDITY = timedelta(days=182)  # six months (Suket pengganti KTP-el)
# Services whose finished product is a KTP-el / KIA card: a Suket pengganti can bridge a blank shortage.
CARD_SERVICES = frozenset(code for code in SERVICES if code.startswith(("ktp", "kia")))

CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'self'; frame-src 'self'"
)


@contextlib.contextmanager
def _closing(form: FormData) -> Iterator[None]:
    """Close a multipart form's spooled upload files when the handler is done with them."""
    try:
        yield
    finally:
        for _key, value in form.multi_items():
            if isinstance(value, UploadFile):
                value.file.close()


class NotSignedIn(Exception):
    """No valid staff session: GETs go to the login page, posts get 401."""


class Forbidden(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _tz() -> ZoneInfo:
    try:
        return ZoneInfo(os.environ.get("DESA_CAPIL_TZ", "Asia/Jakarta"))
    except Exception:  # unknown zone name: fall back rather than refuse to start
        return ZoneInfo("UTC")


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    env = templates.env
    env.autoescape = True
    tz = _tz()

    def local(dt: datetime | None, fmt: str = "%d-%m-%Y %H:%M") -> str:
        if dt is None:
            return "-"
        return aware(dt).astimezone(tz).strftime(fmt)

    env.filters["local"] = local
    env.globals.update(
        status_name=queries.status_name,
        action_name=queries.action_name,
        detail_text=queries.detail_text,
        service_name=queries.service_name,
        urgency_name=queries.urgency_name,
        tabs=queries.TABS,
        role_labels=ROLE_LABELS,
        hold_labels=HOLD_LABELS,
        age_filters=queries.AGE_FILTERS,
        urgencies=URGENCY_LABELS,
        services=SERVICES,
        Role=Role,
        tz_name=str(tz),
        _=t,
        lang=language.lang,
        languages=language.LANGUAGES,
    )
    return templates


def api_message(exc: ApiError) -> str:
    """An office API error's message in the console's language."""
    return exc.body.message_en if language.lang() == "en" else exc.body.message_id


def make_router(svc: CentralService, settings: Settings) -> APIRouter:
    db: Database = svc.db
    templates = make_templates()
    # Guessing passwords across many user names from one address: the per-account lockout does
    # not see that, this does (in the database, like enrollment: every process shares it).
    # Only failures count (a good login gives its token back), so an office behind one address
    # signing in at eight o'clock is never slowed down.
    login_bucket = DatabaseBucket(db, "console_login", burst=20.0, per_second=1 / 30)
    router = APIRouter(prefix=PREFIX, include_in_schema=False, dependencies=[Depends(language.from_cookie)])

    # --- plumbing ----------------------------------------------------------------------------

    def staff_of(request: Request) -> Staff:
        staff = auth.session_staff(db, request.cookies.get(auth.COOKIE, ""))
        if staff is None:
            raise NotSignedIn()
        return staff

    def need(staff: Staff, role: Role) -> None:
        if not staff.can(role):
            raise Forbidden(t("Tindakan ini hanya untuk {role} ke atas.", role=t(ROLE_LABELS[role]).lower()))

    def same_origin(request: Request) -> bool:
        # Fetch metadata first (every current browser sends it); the Origin header is "null"
        # under the server's no-referrer policy, so only a real, different origin counts against.
        site = request.headers.get("sec-fetch-site")
        if site is not None and site not in ("same-origin", "none"):
            return False
        origin = request.headers.get("origin")
        if origin and origin != "null":
            return urlsplit(origin).netloc == request.headers.get("host", "")
        return True

    async def posted(request: Request) -> tuple[Staff, FormData]:
        staff = await run_in_threadpool(staff_of, request)
        form = await request.form()
        token = form.get("csrf")
        if not same_origin(request) or not auth.csrf_ok(
            staff.csrf_token, token if isinstance(token, str) else None
        ):
            raise Forbidden(
                t("Formulir kedaluwarsa atau bukan dari konsol ini. Muat ulang halaman lalu coba lagi.")
            )
        return staff, form

    def render(
        request: Request, name: str, staff: Staff | None, status_code: int = 200, **ctx: Any
    ) -> HTMLResponse:
        language.use_request(request)
        flash = auth.pop_flash(db, staff) if staff is not None else None
        resp = templates.TemplateResponse(
            request,
            name,
            {"staff": staff, "flash": flash, "csrf": staff.csrf_token if staff else "", **ctx},
            status_code=status_code,
        )
        resp.headers["content-security-policy"] = CSP
        return resp

    def back(staff: Staff, url: str, kind: str = "", text: str = "") -> RedirectResponse:
        if text:
            auth.set_flash(db, staff, kind, t(text))  # fixed Indonesian texts are looked up here
        return RedirectResponse(url, status_code=303)

    def field(form: FormData, name: str, limit: int = 2000) -> str:
        v = form.get(name)
        return v.strip()[:limit] if isinstance(v, str) else ""

    def attempt(staff: Staff, url: str, ok_text: str, action: Callable[[], object]) -> RedirectResponse:
        try:
            action()
        except ApiError as exc:
            return back(staff, url, "error", api_message(exc))
        except ValueError as exc:
            return back(staff, url, "error", str(exc))
        return back(staff, url, "ok", ok_text)

    async def act(staff: Staff, url: str, ok_text: str, action: Callable[[], object]) -> RedirectResponse:
        return await run_in_threadpool(attempt, staff, url, ok_text, action)

    def app_url(app_id: int) -> str:
        return f"{PREFIX}/permohonan/{app_id}"

    # --- login ---------------------------------------------------------------------------------

    @router.get("", response_class=HTMLResponse)
    @router.get("/", response_class=HTMLResponse)
    def home(request: Request) -> Response:
        staff_of(request)
        return RedirectResponse(f"{PREFIX}/antrean", status_code=303)

    def login_page(request: Request, error: str = "", status_code: int = 200) -> HTMLResponse:
        import secrets

        token = secrets.token_urlsafe(24)
        with db.read_session() as s:
            from sqlmodel import select

            no_staff = s.exec(select(StaffUser.id).limit(1)).first() is None
        resp = render(
            request, "login.html", None, status_code, login_csrf=token, error=error, no_staff=no_staff
        )
        resp.set_cookie(
            auth.LOGIN_COOKIE,
            token,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
            path=PREFIX,
            max_age=3600,
        )
        return resp

    @router.get("/masuk", response_class=HTMLResponse)
    def login_form(request: Request) -> Response:
        if auth.session_staff(db, request.cookies.get(auth.COOKIE, "")) is not None:
            return RedirectResponse(f"{PREFIX}/antrean", status_code=303)
        return login_page(request)

    @router.post("/masuk", response_class=HTMLResponse)
    async def login_post(request: Request) -> Response:
        form = await request.form()
        given = form.get("csrf")
        if not same_origin(request) or not auth.csrf_ok(
            request.cookies.get(auth.LOGIN_COOKIE, ""), given if isinstance(given, str) else None
        ):
            return login_page(request, N_("Formulir masuk kedaluwarsa. Coba sekali lagi."), 403)
        username = field(form, "username", 64)
        password = form.get("password")
        address = request.client.host if request.client else "?"
        wait = await run_in_threadpool(login_bucket.take, address)
        if wait:
            return login_page(
                request,
                t("Terlalu banyak percobaan masuk dari komputer ini. Tunggu {n} detik.", n=int(wait) + 1),
                429,
            )
        try:
            token, _staff = await run_in_threadpool(
                auth.login, db, username, password if isinstance(password, str) else "", address
            )
        except auth.LoginFailed as exc:
            return login_page(request, exc.message, 401)
        await run_in_threadpool(login_bucket.give_back, address)
        resp = RedirectResponse(f"{PREFIX}/antrean", status_code=303)
        resp.set_cookie(
            auth.COOKIE,
            token,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
            path=PREFIX,
            max_age=int(auth.ABSOLUTE.total_seconds()),
        )
        resp.delete_cookie(auth.LOGIN_COOKIE, path=PREFIX)
        return resp

    @router.post("/keluar")
    async def logout(request: Request) -> Response:
        staff, _ = await posted(request)
        auth.logout(db, request.cookies.get(auth.COOKIE, ""))
        auth.audit(db, staff.actor, "logout", staff.username)
        resp = RedirectResponse(f"{PREFIX}/masuk", status_code=303)
        resp.delete_cookie(auth.COOKIE, path=PREFIX)
        return resp

    @router.get("/bahasa/{code}")
    def choose_language(request: Request, code: str) -> Response:
        """Switch the console's language (a cookie, signed in or not), then the queue, or the
        login page for one not signed in."""
        signed_in = auth.session_staff(db, request.cookies.get(auth.COOKIE, "")) is not None
        resp = RedirectResponse(f"{PREFIX}/antrean" if signed_in else f"{PREFIX}/masuk", status_code=303)
        resp.set_cookie(
            language.COOKIE,
            language.choose(code),
            httponly=True,
            samesite="lax",
            path=PREFIX,
            max_age=365 * 24 * 3600,
        )
        return resp

    # --- workqueue ------------------------------------------------------------------------------

    def filters_of(request: Request) -> queries.Filters:
        q = request.query_params
        age = q.get("age", "")
        return queries.Filters(
            village=q.get("village", "")[:13],
            kecamatan=q.get("kecamatan", "")[:8],
            service=q.get("service", "")[:64],
            priority=q.get("priority", "")[:16],
            age=age if age in queries.AGE_FILTERS else "",
        )

    @router.get("/antrean", response_class=HTMLResponse)
    def queue_page(request: Request) -> Response:
        staff = staff_of(request)
        tab = queries.TAB_BY_KEY.get(request.query_params.get("tab", ""), queries.TABS[0])
        f = filters_of(request)
        try:
            page_no = int(request.query_params.get("page", "1"))
        except ValueError:
            page_no = 1
        with queries.one_read_session(db):
            counts = queries.tab_counts(db, f)
            page = queries.queue(db, tab, f, page_no)
            villages, kecamatan = queries.filter_choices(db)
        return render(
            request,
            "queue.html",
            staff,
            tab=tab,
            counts=counts,
            page=page,
            filters=f,
            villages=villages,
            kecamatan=kecamatan,
            now=utcnow(),
        )

    # --- one application ----------------------------------------------------------------------

    @router.get("/permohonan/{app_id}", response_class=HTMLResponse)
    def application_page(request: Request, app_id: int) -> Response:
        staff = staff_of(request)
        try:
            app = svc.get_application(app_id)
        except ApiError:
            return render(request, "error.html", staff, 404, message=N_("Permohonan tidak ditemukan."))
        ex = queries.extras(db, app_id)
        service = SERVICES.get(app.service_code)
        docs_by_req: dict[str, list[Any]] = {}
        for d in app.documents:
            docs_by_req.setdefault(d.requirement_code, []).append(d)
        checklist = []
        if service is not None:
            for r in service.checklist:
                checklist.append((r.code, r.name(language.lang()), r.mandatory, docs_by_req.pop(r.code, [])))
            originals = {r.code: r.original.value for r in service.requirements}
        else:
            originals = {}
        for code, docs in docs_by_req.items():  # papers the catalog does not list (older catalog)
            checklist.append((code, code, False, docs))
        pages_of: dict[str, int | None] = {}
        for d in app.documents:
            _, path = svc.application_file(app_id, d.id)
            try:
                pages_of[str(d.id)] = pages.page_count(path, d.mime)
            except pages.PageUnreadable:
                pages_of[str(d.id)] = None
        status = app.status
        return render(
            request,
            "application.html",
            staff,
            app=app,
            ex=ex,
            service=service,
            checklist=checklist,
            originals=originals,
            pages_of=pages_of,
            clock=queries.sla_clock(status, app.received_at, app.updated_at),
            can_review=status is Status.SENT,
            can_fix=status in (Status.SENT, Status.IN_REVIEW, Status.PROCESSING),
            can_reject=status in (Status.SENT, Status.IN_REVIEW, Status.PROCESSING, Status.NEEDS_FIX),
            can_process=status in (Status.SENT, Status.IN_REVIEW)
            or (status is Status.PROCESSING and ex.hold),
            can_hold=status in (Status.SENT, Status.IN_REVIEW, Status.PROCESSING),
            can_finish=status in (Status.SENT, Status.IN_REVIEW, Status.PROCESSING),
            can_attach=status in (Status.SENT, Status.IN_REVIEW, Status.PROCESSING, Status.FINISHED),
            card_service=app.service_code in CARD_SERVICES,
            suket_default=(utcnow() + SUKET_VALIDITY),
        )

    @router.get("/permohonan/{app_id}/berkas/{doc_id}/halaman/{index}.png")
    def page_image(
        request: Request, app_id: int, doc_id: uuid.UUID, index: int, dpi: int = pages.VIEW_DPI, rot: int = 0
    ) -> Response:
        staff_of(request)
        try:
            doc, path = svc.application_file(app_id, doc_id)
            png = pages.render_png(path, doc.mime, index, dpi, rot)
        except (ApiError, pages.PageUnreadable):
            return Response(status_code=404)
        return Response(png, media_type="image/png", headers={"cache-control": "private, max-age=300"})

    @router.get("/permohonan/{app_id}/berkas/{doc_id}/asli")
    def original_file(request: Request, app_id: int, doc_id: uuid.UUID) -> Response:
        staff = staff_of(request)
        try:
            doc, path = svc.application_file(app_id, doc_id)
        except ApiError:
            return Response(status_code=404)
        auth.audit(db, staff.actor, "application.download", str(app_id), doc.requirement_code)
        from desa_capil.api.models import file_extension

        return FileResponse(
            path,
            media_type=doc.mime or "application/octet-stream",
            filename=f"{app_id}_{doc.requirement_code}{file_extension(doc.mime)}",
            content_disposition_type="attachment",
        )

    @router.get("/dokumen/{doc_id}.pdf")
    def finished_pdf(request: Request, doc_id: uuid.UUID) -> Response:
        staff_of(request)
        path = svc.finished_path(doc_id.hex)
        if not path.exists():
            return Response(status_code=404)
        return FileResponse(
            path,
            media_type="application/pdf",
            filename=f"{doc_id}.pdf",
            content_disposition_type="attachment",
        )

    @router.post("/permohonan/{app_id}/periksa")
    async def review(request: Request, app_id: int) -> Response:
        staff, _ = await posted(request)
        need(staff, Role.OPERATOR)
        return await act(
            staff,
            app_url(app_id),
            "Permohonan dipindah ke Perlu diperiksa.",
            lambda: svc.set_status(app_id, Status.IN_REVIEW, "Berkas sedang diperiksa petugas.", staff.actor),
        )

    @router.post("/permohonan/{app_id}/perbaikan")
    async def request_fix(request: Request, app_id: int) -> Response:
        staff, form = await posted(request)
        need(staff, Role.OPERATOR)
        papers = [p for p in form.getlist("papers") if isinstance(p, str)]
        reason = field(form, "reason") or field(form, "template")

        def run() -> None:
            if not papers:
                raise ValueError(N_("Pilih berkas yang perlu diperbaiki."))
            if not reason:
                raise ValueError(N_("Tuliskan alasannya atau pilih dari templat."))
            app = svc.get_application(app_id)
            service = SERVICES.get(app.service_code)
            names = []
            for code in papers[:30]:
                try:
                    names.append(service.requirement(code).name_id if service else code)
                except KeyError:
                    names.append(code[:64])
            message = f"Perlu perbaikan: {'; '.join(names)}. {reason}"
            svc.set_status(app_id, Status.NEEDS_FIX, message, staff.actor)
            queries.clear_hold(db, app_id)
            if form.get("save_template"):
                queries.add_reason(db, ReasonKind.FIX, reason)

        return await act(staff, app_url(app_id), N_("Permintaan perbaikan dikirim ke desa."), run)

    @router.post("/permohonan/{app_id}/tolak")
    async def reject(request: Request, app_id: int) -> Response:
        staff, form = await posted(request)
        need(staff, Role.VERIFIKATOR)
        reason = field(form, "reason") or field(form, "template")

        def run() -> None:
            if not reason:
                raise ValueError(N_("Tuliskan alasan penolakan atau pilih dari templat."))
            svc.set_status(app_id, Status.REJECTED, reason, staff.actor)
            queries.clear_hold(db, app_id)
            if form.get("save_template"):
                queries.add_reason(db, ReasonKind.REJECT, reason)

        return await act(staff, app_url(app_id), N_("Permohonan ditolak; desa akan menerima alasannya."), run)

    @router.post("/permohonan/{app_id}/proses")
    async def process(request: Request, app_id: int) -> Response:
        staff, _ = await posted(request)
        need(staff, Role.VERIFIKATOR)

        def run() -> None:
            app = svc.get_application(app_id)
            if app.status is Status.PROCESSING:
                if not queries.clear_hold(db, app_id):
                    raise ValueError(N_("Permohonan ini sudah diproses."))
                queries.office_message(
                    db,
                    app_id,
                    "Kendala sudah teratasi; permohonan diproses lagi.",
                    staff.actor,
                    "application.resume",
                )
            else:
                svc.set_status(app_id, Status.PROCESSING, "Permohonan sedang diproses.", staff.actor)

        return await act(staff, app_url(app_id), N_("Permohonan ditandai sedang diproses."), run)

    @router.post("/permohonan/{app_id}/tunggu")
    async def hold(request: Request, app_id: int) -> Response:
        staff, form = await posted(request)
        need(staff, Role.VERIFIKATOR)

        def run() -> None:
            try:
                kind = HoldKind(field(form, "kind", 16))
            except ValueError:
                raise ValueError(N_("Pilih jenis kendala.")) from None
            note = field(form, "note", 500)
            suket_number = field(form, "suket_number", 60)
            suket_expires: datetime | None = None
            if suket_number:
                raw = field(form, "suket_expires", 10)
                try:
                    suket_expires = (
                        datetime.strptime(raw, "%Y-%m-%d").replace(tzinfo=UTC)
                        if raw
                        else utcnow() + SUKET_VALIDITY
                    )
                except ValueError:
                    raise ValueError(N_("Tanggal berlaku Suket tidak valid (tttt-bb-hh).")) from None
            message = queries.hold_message(kind, note, suket_number, suket_expires)
            app = svc.get_application(app_id)
            if app.status is Status.PROCESSING:
                queries.office_message(db, app_id, message, staff.actor, "application.hold")
            else:
                svc.set_status(app_id, Status.PROCESSING, message, staff.actor)
            queries.set_hold(db, app_id, kind, note, suket_number, suket_expires, staff.actor)

        return await act(staff, app_url(app_id), N_("Status menunggu dicatat dan dikabarkan ke desa."), run)

    async def _save_pdf(form: FormData, tmpdir: str) -> Path | None:
        up = form.get("pdf")
        if not isinstance(up, UploadFile) or not up.filename:
            return None
        dest = Path(tmpdir) / "signed.pdf"
        size = 0
        with dest.open("wb") as f:
            while chunk := await up.read(1024 * 1024):
                size += len(chunk)
                if size > settings.max_upload_size:
                    raise ValueError(N_("Berkas PDF terlalu besar."))
                f.write(chunk)
        return dest if size else None

    @router.post("/permohonan/{app_id}/selesai")
    async def finish(request: Request, app_id: int) -> Response:
        staff, form = await posted(request)
        need(staff, Role.VERIFIKATOR)
        title = field(form, "title", 200)
        printed = bool(form.get("printed"))
        with tempfile.TemporaryDirectory(dir=settings.files_dir) as tmpdir, _closing(form):
            try:
                pdf = await _save_pdf(form, tmpdir)
            except ValueError as exc:
                return back(staff, app_url(app_id), "error", str(exc))

            def run() -> None:
                if (pdf is not None or printed) and not title:
                    raise ValueError(N_("Tuliskan nama dokumen yang diterbitkan (mis. Akta Kelahiran)."))
                if pdf is not None:
                    svc.attach_finished(app_id, title, pdf, staff.actor)
                elif printed:
                    svc.attach_finished(app_id, title, None, staff.actor)
                svc.set_status(app_id, Status.FINISHED, "Dokumen sudah selesai.", staff.actor)
                queries.clear_hold(db, app_id)

            return await run_in_threadpool(
                attempt, staff, app_url(app_id), N_("Permohonan selesai; siap dikirim ke desa."), run
            )

    @router.post("/permohonan/{app_id}/dokumen")
    async def attach(request: Request, app_id: int) -> Response:
        staff, form = await posted(request)
        need(staff, Role.VERIFIKATOR)
        title = field(form, "title", 200)
        with tempfile.TemporaryDirectory(dir=settings.files_dir) as tmpdir, _closing(form):
            try:
                pdf = await _save_pdf(form, tmpdir)
            except ValueError as exc:
                return back(staff, app_url(app_id), "error", str(exc))

            def run() -> None:
                if pdf is None:
                    raise ValueError(N_("Pilih berkas PDF bertanda tangan elektronik (TTE)."))
                if not title:
                    raise ValueError(N_("Tuliskan nama dokumen (mis. Akta Kelahiran)."))
                svc.attach_finished(app_id, title, pdf, staff.actor)

            return await run_in_threadpool(
                attempt,
                staff,
                app_url(app_id),
                N_("PDF TTE tersimpan; desa bisa mencetaknya setelah dikirim."),
                run,
            )

    @router.post("/permohonan/{app_id}/ganda")
    async def duplicate(request: Request, app_id: int) -> Response:
        staff, form = await posted(request)
        need(staff, Role.OPERATOR)
        other_raw = field(form, "other", 12)

        def run() -> None:
            other = int(other_raw) if other_raw.isdigit() else None
            queries.mark_duplicate(db, app_id, other, field(form, "note", 500), staff.actor)

        return await act(staff, app_url(app_id), N_("Ditandai kemungkinan ganda."), run)

    # --- dispatch -------------------------------------------------------------------------------

    @router.get("/pengiriman", response_class=HTMLResponse)
    def dispatch_list(request: Request) -> Response:
        staff = staff_of(request)
        return render(request, "dispatch_list.html", staff, villages=queries.villages_with_finished(db))

    @router.get("/pengiriman/{code}", response_class=HTMLResponse)
    def dispatch_village(request: Request, code: str) -> Response:
        staff = staff_of(request)
        try:
            village, items = queries.finished_for_village(db, code[:13])
        except ApiError:
            return render(request, "error.html", staff, 404, message=N_("Desa tidak ditemukan."))
        return render(request, "dispatch_village.html", staff, village=village, items=items)

    @router.get("/pengiriman/{code}/cetak", response_class=HTMLResponse)
    def courier_list(request: Request, code: str) -> Response:
        staff = staff_of(request)
        ids = [int(i) for i in request.query_params.getlist("id") if i.isdigit()][:500]
        try:
            village, items = queries.finished_for_village(db, code[:13], ids or None)
        except ApiError:
            return render(request, "error.html", staff, 404, message=N_("Desa tidak ditemukan."))
        return render(request, "courier.html", staff, village=village, items=items, printed_at=utcnow())

    @router.post("/pengiriman/{code}")
    async def dispatch(request: Request, code: str) -> Response:
        staff, form = await posted(request)
        need(staff, Role.VERIFIKATOR)
        ids = [int(i) for i in form.getlist("id") if isinstance(i, str) and i.isdigit()][:500]
        message = field(form, "message", 500) or "Dokumen dikirim ke desa."
        url = f"{PREFIX}/pengiriman/{code[:13]}"

        def run() -> None:
            if not ids:
                raise ValueError(N_("Pilih permohonan yang dikirim."))
            svc.dispatch(code[:13], ids, message, staff.actor)

        return await act(staff, url, t("{n} permohonan dikirim ke desa.", n=len(ids)), run)

    # --- villages and laptops -------------------------------------------------------------------

    @router.get("/desa", response_class=HTMLResponse)
    def villages_page(request: Request) -> Response:
        staff = staff_of(request)
        need(staff, Role.ADMIN)
        return render(
            request, "villages.html", staff, villages=queries.villages_and_devices(db), now=utcnow()
        )

    @router.post("/desa")
    async def village_create(request: Request) -> Response:
        staff, form = await posted(request)
        need(staff, Role.ADMIN)
        code = field(form, "code", 13)
        name = field(form, "name", 200)
        url = f"{PREFIX}/desa"
        import re

        if not re.fullmatch(r"[0-9]{2}\.[0-9]{2}\.[0-9]{2}\.[0-9]{4}", code):
            return back(
                staff, url, "error", N_("Kode wilayah harus berbentuk PP.KK.CC.NNNN, mis. 32.04.05.2001.")
            )
        official = regions.name_of(code)
        if not name and official:
            name = f"{regions.KIND_LABEL.get(regions.village_kind(code), 'Desa')} {official}"
        if not name:
            return back(
                staff, url, "error", f"Kode {code} tidak ada di daftar wilayah resmi: tuliskan nama desanya."
            )
        try:
            out = svc.create_village(code, name, staff.actor)
        except ApiError as exc:
            return back(staff, url, "error", api_message(exc))
        # A code missing from the list (a new village, a list behind the times) is a warning only.
        note = (
            "" if official else " Perhatian: kode ini tidak ada di daftar wilayah Kepmendagri; periksa lagi."
        )
        return back(
            staff,
            url,
            "ok",
            f"{name} ({code}) dibuat. Kode pendaftaran laptop: {out.enrollment_code} (berlaku s.d. "
            f"{out.expires_at:%d-%m-%Y}). Catat sekarang: kode ini hanya ditampilkan sekali.{note}",
        )

    @router.post("/desa/{code}/kode")
    async def enrollment_code(request: Request, code: str) -> Response:
        staff, _ = await posted(request)
        need(staff, Role.ADMIN)
        url = f"{PREFIX}/desa"
        try:
            out = svc.new_enrollment_code(code[:13], staff.actor)
        except ApiError as exc:
            return back(staff, url, "error", api_message(exc))
        return back(
            staff,
            url,
            "ok",
            f"Kode pendaftaran baru untuk {code[:13]}: {out.enrollment_code} (berlaku s.d. "
            f"{out.expires_at:%d-%m-%Y}). Catat sekarang: kode ini hanya ditampilkan sekali.",
        )

    @router.post("/perangkat/{device_id}/cabut")
    async def revoke(request: Request, device_id: uuid.UUID) -> Response:
        staff, _ = await posted(request)
        need(staff, Role.ADMIN)
        return await act(
            staff,
            f"{PREFIX}/desa",
            "Laptop dicabut: laptop itu tidak bisa mengirim atau menerima data lagi.",
            lambda: svc.revoke_device(device_id, staff.actor),
        )

    # --- dashboard, staff, log, USB ---------------------------------------------------------------

    @router.get("/dasbor", response_class=HTMLResponse)
    def dashboard(request: Request) -> Response:
        staff = staff_of(request)
        by_village, by_service = queries.dashboard(db)
        return render(request, "dashboard.html", staff, by_village=by_village, by_service=by_service)

    @router.get("/staf", response_class=HTMLResponse)
    def staff_page(request: Request) -> Response:
        staff = staff_of(request)
        need(staff, Role.ADMIN)
        with db.read_session() as s:
            from sqlmodel import col, select

            users = s.exec(select(StaffUser).order_by(col(StaffUser.username))).all()
        now = utcnow()
        locked = {u.id for u in users if u.locked_until is not None and aware(u.locked_until) > now}
        return render(
            request, "staff.html", staff, users=users, locked=locked, min_password=auth.MIN_PASSWORD
        )

    @router.post("/staf")
    async def staff_create(request: Request) -> Response:
        staff, form = await posted(request)
        need(staff, Role.ADMIN)
        url = f"{PREFIX}/staf"
        try:
            role = Role(field(form, "role", 16))
        except ValueError:
            return back(staff, url, "error", N_("Pilih peran."))
        password = form.get("password")
        return await act(
            staff,
            url,
            "Akun staf dibuat.",
            lambda: auth.create_staff(
                db,
                field(form, "username", 64),
                field(form, "full_name", 100),
                role,
                password if isinstance(password, str) else "",
                staff.actor,
            ),
        )

    @router.post("/staf/{user_id}/{action}")
    async def staff_action(request: Request, user_id: int, action: str) -> Response:
        staff, _ = await posted(request)
        need(staff, Role.ADMIN)
        url = f"{PREFIX}/staf"
        if action not in ("buka", "nonaktif", "aktif"):
            return back(staff, url, "error", N_("Tindakan tidak dikenal."))
        if action == "nonaktif" and user_id == staff.id:
            return back(staff, url, "error", N_("Anda tidak bisa menonaktifkan akun sendiri."))
        with db.session() as s:
            user = s.get(StaffUser, user_id)
            if user is None:
                return back(staff, url, "error", N_("Akun tidak ditemukan."))
            if action == "buka":
                user.locked_until = None
                user.failed_logins = 0
            else:
                user.active = action == "aktif"
            s.add(user)
            s.commit()
            username = user.username
        if action == "nonaktif":
            auth.end_sessions(db, user_id)
        auth.audit(db, staff.actor, f"staff.{action}", username)
        return back(staff, url, "ok", f"Akun {username} diperbarui.")

    @router.get("/log", response_class=HTMLResponse)
    def log_page(request: Request) -> Response:
        staff = staff_of(request)
        need(staff, Role.ADMIN)
        return render(request, "log.html", staff, rows=queries.audit_log(db))

    # The USB route (server/usb.py): import village bundles, return bundles, enrollment files.
    usb = UsbService(svc)

    @router.get("/usb", response_class=HTMLResponse)
    def usb_page(request: Request) -> Response:
        staff = staff_of(request)
        return render(
            request,
            "usb.html",
            staff,
            imports=usb.recent_imports(),
            usb_villages=usb.usb_villages(),
            villages=svc.list_villages(),
            office=usb.office_keys(),
        )

    @router.post("/usb/impor")
    async def usb_import(request: Request) -> Response:
        staff, form = await posted(request)
        url = f"{PREFIX}/usb"
        up = form.get("bundle")
        # "Terima cadangan dari laptop yang dicabut": an admin confirms importing the backup of
        # a revoked laptop (refused with reason "revoked" otherwise); the admin is recorded.
        accept_revoked = field(form, "accept_revoked", 1) == "1"
        with _closing(form):
            if accept_revoked:
                need(staff, Role.ADMIN)
            if not isinstance(up, UploadFile) or not up.filename:
                return back(staff, url, "error", "Pilih berkas kiriman desa (.dcb) dari flashdisk.")
            usb.incoming.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryDirectory(dir=usb.incoming, prefix="in-") as tmp:
                path = Path(tmp) / "bundle.dcb"
                with path.open("wb") as fh:
                    while chunk := await up.read(1024 * 1024):
                        fh.write(chunk)
                try:
                    report = await run_in_threadpool(
                        usb.import_bundle,
                        path,
                        carrier=staff.actor,
                        accept_revoked_by=staff.actor if accept_revoked else "",
                    )
                except BundleError as exc:
                    return back(staff, url, "error", f"{up.filename}: {exc.message('id')}")
                except ApiError as exc:
                    return back(staff, url, "error", f"{up.filename}: {exc.body.message_id}")
        if report.duplicate:
            return back(
                staff, url, "ok", f"{up.filename}: kiriman ini sudah pernah diimpor; tidak ada yang berubah."
            )
        new = sum(1 for b in report.batches if b.status == 201)
        again = sum(1 for b in report.batches if b.status == 200)
        bad = [b for b in report.batches if b.status >= 400]
        text = (
            f"Kiriman desa {report.village_code} no. {report.seq} diimpor: {new} batch baru, "
            f"{again} sudah diterima sebelumnya, {len(report.events)} peristiwa."
        )
        if report.accepted_revoked_by:
            text += f" Cadangan laptop yang dicabut, diterima atas konfirmasi {report.accepted_revoked_by}."
        if bad:
            listed = "; ".join(f"{b.batch_id[:8]}: {(b.error or {}).get('message_id', '')}" for b in bad[:5])
            return back(staff, url, "error", f"{text} {len(bad)} batch ditolak ({listed})")
        return back(staff, url, "ok", text)

    @router.post("/usb/kembali/{code}")
    async def usb_return(request: Request, code: str) -> Response:
        staff, form = await posted(request)
        url = f"{PREFIX}/usb"
        # Each laptop of the village has its own row (and cursor): the button names it.
        device_id = field(form, "device_id", 40) or None
        usb.incoming.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=usb.incoming, prefix="out-"))
        name = f"{code[:13]}-{device_id[:8]}-kembali.dcb" if device_id else f"{code[:13]}-kembali.dcb"
        out = tmp / name
        try:
            made = await run_in_threadpool(usb.export_return, code[:13], out, device_id=device_id)
        except (ApiError, BundleError) as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            text = exc.body.message_id if isinstance(exc, ApiError) else exc.message("id")
            return back(staff, url, "error", text)
        auth.audit(
            db,
            staff.actor,
            "usb.return",
            code[:13],
            f"device {made.device_id}, seq {made.seq}, {made.changes} changes",
        )
        return FileResponse(
            made.path,
            media_type="application/octet-stream",
            filename=made.path.name,
            background=BackgroundTask(shutil.rmtree, tmp, True),
        )

    @router.post("/usb/daftar", response_class=HTMLResponse)
    async def usb_enroll(request: Request) -> Response:
        staff, form = await posted(request)
        need(staff, Role.ADMIN)
        url = f"{PREFIX}/usb"
        try:
            out, _raw = await run_in_threadpool(
                usb.create_enrollment,
                field(form, "village_code", 13),
                staff.actor,
                device_name=field(form, "device_name", 100),
                server_url=str(request.base_url).rstrip("/"),
            )
        except ApiError as exc:
            return back(staff, url, "error", exc.body.message_id)
        return render(request, "usb_enrolled.html", staff, enrollment=out)

    @router.get("/usb/pendaftaran/{enrollment_id}")
    def usb_enrollment_file(request: Request, enrollment_id: str) -> Response:
        staff = staff_of(request)
        need(staff, Role.ADMIN)
        name, raw = usb.enrollment_file(enrollment_id[:32])
        return Response(
            raw,
            media_type="application/octet-stream",
            headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
        )

    return router
