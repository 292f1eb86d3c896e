"""The office console in a real browser (Debian's chromium driven by Playwright) against the real
server, with a real village laptop (local database + sync engine) on the other end.

Never ``playwright install``: the test uses the system chromium and skips when it is missing.
Set DESA_CAPIL_CONSOLE_SHOTS=<folder> to save a 1366x768 screenshot of each page (docs/console).
"""

from __future__ import annotations

import io
import os
import random
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from sqlmodel import select

from desa_capil.demo import assemble_pdf, make_page, make_residents
from desa_capil.domain.catalog import get_service
from desa_capil.domain.status import Status
from desa_capil.paths import AppPaths
from desa_capil.server.embedded import EmbeddedServer
from desa_capil.store import repo
from desa_capil.store.db import Database
from desa_capil.store.models import Application, OfficeDocument
from desa_capil.store.pages import add_pages
from desa_capil.sync.config import SyncConfig, credential_store, enroll
from desa_capil.sync.worker import SyncWorker

from .conftest import PASSWORD

pytestmark = pytest.mark.usefixtures("no_keyring")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VILLAGE = "32.04.05.2001"
SHOTS = os.environ.get("DESA_CAPIL_CONSOLE_SHOTS", "")

sync_api = pytest.importorskip("playwright.sync_api")
if not Path(CHROMIUM).exists():  # pragma: no cover - CI installs it (dev.py APT_TEST)
    pytest.skip("Debian's chromium is not installed", allow_module_level=True)


@pytest.fixture
def laptop(db: Database, paths: AppPaths, central: EmbeddedServer) -> Iterator[SyncWorker]:
    """The village laptop, enrolled against the same server; its sync engine is the worker."""
    code = central.create_village(VILLAGE, "Desa Sukamaju")
    creds = credential_store(paths)
    enroll(db, creds, central.base_url, code, device_name="Laptop Kantor Desa")
    token = creds.get_token()
    assert token
    worker = SyncWorker(db, SyncConfig(central.base_url, token).client_factory())
    yield worker
    worker.close()


@pytest.fixture
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield b
        b.close()


def ready_application(db: Database, name: str, service_code: str, seed: int) -> str:
    """A complete application with real scanned-looking pages (CCITT G4), like the app makes."""
    rng = random.Random(seed)
    person = make_residents(rng, 1)[0]
    app_id = repo.save_application(
        db,
        service_code=service_code,
        applicant=repo.ApplicantData(
            nik=person.nik, name=name, kk_number=person.kk_number, phone=person.phone, address=person.address
        ),
    )
    for req in get_service(service_code).mandatory:
        add_pages(db, app_id, req.code, [make_page(req.name_id, person, rng)])
    repo.refresh_readiness(db, app_id)
    return app_id


def signed_pdf() -> bytes:
    im = Image.new("L", (595, 842), 255)
    d = ImageDraw.Draw(im)
    d.text((60, 60), "KUTIPAN AKTA KELAHIRAN - ditandatangani secara elektronik (TTE)", fill=0)
    d.rectangle((450, 700, 540, 790), outline=0, width=3)
    buf = io.BytesIO()
    im.save(buf, "PDF", resolution=72)
    return buf.getvalue()


def local_app(db: Database, app_id: str) -> Application:
    with db.session() as s:
        app = s.get(Application, app_id)
        assert app is not None
        return app


def test_staff_work_an_application_from_masuk_to_dikirim_and_the_village_sees_it(
    browser: object, central: EmbeddedServer, laptop: SyncWorker, db: Database, tmp_path: Path
) -> None:
    fix_me = ready_application(db, "Siti Aminah", "akta_lahir", 1)
    finish_me = ready_application(db, "Budi Santoso", "akta_lahir", 2)
    repo.seal_batch(db, [fix_me, finish_me], assemble_pdf(db))
    laptop.run_until_idle()
    assert local_app(db, fix_me).status == Status.SENT

    ctx = browser.new_context(viewport={"width": 1366, "height": 768}, locale="id-ID")  # type: ignore[attr-defined]
    page = ctx.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("dialog", lambda d: problems.append(f"dialog: {d.message}"))
    base = central.base_url

    def shot(name: str) -> None:
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(SHOTS) / f"{name}.png"))

    def flash() -> str:
        return str(page.locator(".flash.ok, .flash.error").first.inner_text())

    page.goto(base + "/console/antrean")
    assert page.url.endswith("/console/masuk")
    shot("01-masuk")
    page.fill("input[name=username]", "verif")
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Masuk')")
    page.wait_for_url("**/console/antrean")
    assert page.locator("nav.tabs a.on .count").inner_text() == "2"
    shot("02-antrean-masuk")

    # --- a fix request reaches the village through its own sync -----------------------------------
    page.click("text=Siti Aminah")
    page.wait_for_url("**/console/permohonan/*")
    first_page = page.locator("figure.page img").first
    first_page.wait_for()
    page.wait_for_function("img => img.complete && img.naturalWidth > 500", arg=first_page.element_handle())
    portrait = first_page.evaluate("img => [img.naturalWidth, img.naturalHeight]")
    assert portrait[1] > portrait[0]
    shot("03-permohonan")
    page.locator("figure.page").first.locator("[data-act=rotate]").click()
    page.wait_for_function(
        "img => img.complete && img.src.includes('rot=90') && img.naturalWidth > img.naturalHeight",
        arg=first_page.element_handle(),
    )
    page.evaluate("window.scrollTo(0, 0)")
    page.click("#act-review")
    assert flash() == "Permohonan dipindah ke Perlu diperiksa."
    page.click("summary:has-text('Minta perbaikan')")
    requirement = get_service("akta_lahir").mandatory[0]
    page.check(f"#form-fix input[value={requirement.code}]")
    template = page.locator("#form-fix select[name=template] option").nth(1).inner_text()
    page.select_option("#form-fix select[name=template]", index=1)
    assert page.input_value("#fix-reason") == template
    shot("04-minta-perbaikan")
    page.click("#act-fix")
    assert flash() == "Permintaan perbaikan dikirim ke desa."
    laptop.run_until_idle()
    app = local_app(db, fix_me)
    assert app.status == Status.NEEDS_FIX
    assert requirement.name_id in app.office_message and template in app.office_message

    # --- the other one goes all the way, with a signed PDF ---------------------------------------
    page.goto(base + "/console/antrean?tab=masuk")
    page.click("text=Budi Santoso")
    page.click("#act-review")
    page.click("#act-process")
    assert flash() == "Permohonan ditandai sedang diproses."
    page.click("summary:has-text('Menunggu')")
    page.select_option("#form-hold select[name=kind]", "siak")
    page.fill("#form-hold input[name=note]", "Perkiraan pulih besok.")
    page.click("#act-hold")
    assert flash() == "Status menunggu dicatat dan dikabarkan ke desa."
    laptop.run_until_idle()
    waiting = local_app(db, finish_me)
    assert waiting.status == Status.PROCESSING and "Gangguan SIAK" in waiting.office_message
    page.goto(base + "/console/antrean?tab=menunggu")
    assert page.locator("nav.tabs a.on .count").inner_text() == "1"
    shot("05-antrean-menunggu")
    page.click("text=Budi Santoso")
    page.click("#act-process")  # the outage is over
    pdf = tmp_path / "akta-tte.pdf"
    pdf.write_bytes(signed_pdf())
    page.click("summary:has-text('Selesai')")
    page.fill("#form-finish input[name=title]", "Kutipan Akta Kelahiran")
    page.set_input_files("#form-finish input[name=pdf]", str(pdf))
    page.click("#act-finish")
    assert flash() == "Permohonan selesai; siap dikirim ke desa."
    assert page.locator("#finished-docs a").inner_text() == "PDF TTE"

    page.goto(base + "/console/pengiriman")
    shot("06-pengiriman")
    page.click("a:has-text('Buka')")
    shot("07-pengiriman-desa")
    with ctx.expect_page() as printed:  # type: ignore[attr-defined]
        page.click("#act-print")
    courier = printed.value
    courier.wait_for_load_state()
    assert "Budi Santoso" in courier.inner_text("table.courier")
    if SHOTS:
        courier.set_viewport_size({"width": 1366, "height": 768})
        courier.screenshot(path=str(Path(SHOTS) / "08-daftar-kurir.png"))
    courier.close()
    page.click("#act-dispatch")
    assert flash() == "1 permohonan dikirim ke desa."

    laptop.run_until_idle()
    done = local_app(db, finish_me)
    assert done.status == Status.DISPATCHED
    with db.session() as s:
        docs = list(s.exec(select(OfficeDocument).where(OfficeDocument.application_id == finish_me)).all())
    assert [d.title for d in docs] == ["Kutipan Akta Kelahiran"]
    assert docs[0].has_file and docs[0].file_sha256
    assert db.blobs.get(docs[0].file_sha256) == pdf.read_bytes()  # the village prints these bytes

    page.goto(base + "/console/antrean?tab=dikirim")
    assert page.locator("table.queue tbody tr").count() == 1
    shot("09-antrean-dikirim")
    for path, name in (("/console/dasbor", "10-dasbor"), ("/console/usb", "14-usb")):
        page.goto(base + path)
        shot(name)
    if SHOTS:  # the admin's pages
        page.click("button:has-text('Keluar')")
        page.fill("input[name=username]", "admin")
        page.fill("input[name=password]", PASSWORD)
        page.click("button:has-text('Masuk')")
        page.wait_for_url("**/console/antrean")
        for path, name in (
            ("/console/desa", "11-desa-laptop"),
            ("/console/staf", "12-staf"),
            ("/console/log", "13-log"),
        ):
            page.goto(base + path)
            shot(name)
    assert problems == []
    ctx.close()  # type: ignore[attr-defined]
