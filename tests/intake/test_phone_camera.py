"""Phone as the camera, end to end: a real browser in mobile emulation sends photos to the wizard.

Debian's chromium driven by Playwright (never ``playwright install``) opens the URL read back from
the dialog's QR code, uploads photos from two phones at once, switches paper, and the test checks
the pages in the wizard's slots as the page pipeline made them. The listener binds 127.0.0.1
through the explicit test option; the tests never touch this machine's LAN addresses.

Playwright's sync API runs in a thread of its own: the Qt event loop must keep turning in the main
thread (photos are processed and stored there through run_op) while the browser waits for the
thumbnails.
"""

from __future__ import annotations

import io
import json
import shutil
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw
from pytestqt.qtbot import QtBot

from desa_capil.store import pages as sp
from desa_capil.ui import tasks
from desa_capil.ui.context import AppContext
from desa_capil.ui.intake import IntakeWizard
from desa_capil.ui.intake.phone_dialog import PhoneDialog, pages_from_phone
from desa_capil.ui.intake.wizard import PAPERS

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
NIK = "3201015512900001"
LOOPBACK = {"address": "127.0.0.1", "allow_loopback": True, "port": 0}


def page_image(label: str, size: tuple[int, int] = (850, 1100)) -> Image.Image:
    """A letter-like page with lines of 'text'."""
    im = Image.new("RGB", size, (250, 250, 245))
    d = ImageDraw.Draw(im)
    d.text((size[0] // 3, 60), label, fill="black")
    for i, y in enumerate(range(140, size[1] - 120, 36)):
        d.text((90, y), f"{i + 1}. {label} nama / tanggal / tempat ........ {i * 37}", fill="black")
        d.line((90, y + 22, size[0] - 90, y + 22), fill=(120, 120, 120))
    return im


def phone_photo(label: str, angle: float = 4.0, size: tuple[int, int] = (960, 1280)) -> bytes:
    """A paper lying a little askew on a dark table, as a phone JPEG with camera EXIF."""
    paper = page_image(label).rotate(angle, expand=True, fillcolor=(60, 45, 35))
    photo = Image.new("RGB", size, (60, 45, 35))
    paper.thumbnail((int(size[0] * 0.8), int(size[1] * 0.8)))
    photo.paste(paper, ((size[0] - paper.width) // 2, (size[1] - paper.height) // 2))
    exif = Image.Exif()
    exif[0x010F] = "samsung"
    exif[0x0110] = "SM-A155F"
    buf = io.BytesIO()
    photo.save(buf, "JPEG", quality=85, exif=exif.tobytes())
    return buf.getvalue()


@pytest.fixture
def chromium() -> str:
    if shutil.which(CHROMIUM) is None:
        pytest.skip("chromium is not installed (apt-get install chromium; dev.py APT_TEST)")
    pytest.importorskip("playwright.sync_api")
    return CHROMIUM


@pytest.fixture
def wizard_on_papers(qtbot: QtBot, ctx: AppContext) -> Iterator[Callable[[], IntakeWizard]]:
    made: list[IntakeWizard] = []

    def make() -> IntakeWizard:
        w = IntakeWizard(ctx, None, None)
        made.append(w)
        w.show()
        qtbot.waitExposed(w)
        w.service_step.set_code("kk_hilang")
        w.next()
        step = w.applicant_step
        qtbot.keyClicks(step.nik, NIK)
        qtbot.keyClicks(step.name, "Siti Aminah")
        with qtbot.waitSignal(w.papers_step.state_changed, timeout=10000):
            w.next()
        assert w.step() == PAPERS and w.application_id
        w.papers_step.phone_options = dict(LOOPBACK)
        return w

    yield make
    for w in made:
        try:
            if w.isVisible():
                qtbot.waitUntil(lambda w=w: not w.papers_step.busy, timeout=60000)
                w.close()
        except RuntimeError:
            pass
    tasks.wait_idle()


def open_phone(qtbot: QtBot, w: IntakeWizard) -> tuple[PhoneDialog, str]:
    step = w.papers_step
    with qtbot.waitSignal(step.btn_phone.clicked, timeout=1000):
        step.btn_phone.click()
    dlg = step.phone_dialog
    assert dlg is not None
    if dlg.server is None:
        with qtbot.waitSignal(dlg.started, timeout=10000):
            pass
    assert dlg.server is not None
    return dlg, dlg.server.url


def qr_text(dlg: PhoneDialog) -> str:
    import zxingcpp

    pm = dlg.qr.pixmap()
    assert not pm.isNull()
    buf = pm.toImage()
    from PySide6.QtCore import QBuffer, QIODevice

    qb = QBuffer()
    qb.open(QIODevice.OpenModeFlag.WriteOnly)
    buf.save(qb, "PNG")
    image = Image.open(io.BytesIO(bytes(qb.data())))
    [code] = [r.text for r in zxingcpp.read_barcodes(image) if r.format == zxingcpp.BarcodeFormat.QRCode]
    return code


class Browser(threading.Thread):
    """Runs ``scenario(playwright, browser)`` in its own thread; keeps its result or its error."""

    def __init__(self, scenario: Callable[[Any, Any], Any]) -> None:
        super().__init__(daemon=True)
        self.scenario = scenario
        self.result: Any = None
        self.error: BaseException | None = None

    def run(self) -> None:
        from playwright.sync_api import sync_playwright

        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                try:
                    self.result = self.scenario(pw, browser)
                finally:
                    browser.close()
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            self.error = exc


def run_browser(qtbot: QtBot, scenario: Callable[[Any, Any], Any]) -> Any:
    b = Browser(scenario)
    b.start()
    qtbot.waitUntil(lambda: not b.is_alive(), timeout=180000)
    if b.error is not None:
        raise b.error
    return b.result


def images_shown(page: Any) -> int:
    return int(page.evaluate("document.querySelectorAll('#list li img').length"))


def wait_images(page: Any, n: int) -> None:
    # Locator waits, not wait_for_function: the page's CSP forbids eval, which that one uses.
    page.locator("#list li img").nth(n - 1).wait_for(timeout=60000)
    # Every thumbnail, not only the last: two photos' thumbnails load in parallel and the last
    # may finish before an earlier one. Wait for each to load (or fail) before counting.
    loaded = page.locator("#list li img").evaluate_all(
        "ims => Promise.all(ims.map(im => im.complete ? (im.naturalWidth > 0 ? 1 : 0) :"
        " new Promise(ok => { im.addEventListener('load', () => ok(1)); im.addEventListener('error', () => ok(0)); })))"
        ".then(r => r.reduce((a, b) => a + b, 0))"
    )
    assert loaded >= n


def wait_error(page: Any, words: str) -> str:
    page.locator("#list li .e", has_text=words).first.wait_for(timeout=30000)
    return str(page.locator("#list li .e").evaluate_all("es => es.map(e => e.textContent).join('\\n')"))


def test_two_phones_send_photos_into_the_papers(
    qtbot: QtBot,
    ctx: AppContext,
    chromium: str,
    wizard_on_papers: Callable[[], IntakeWizard],
    tmp_path: Path,
) -> None:
    w = wizard_on_papers()
    app_id = w.application_id
    assert app_id
    dlg, url = open_phone(qtbot, w)
    # The QR code holds the URL of the listener.
    assert qr_text(dlg) == url
    assert dlg.url.text() == url

    files = {}
    for name, label, angle in (
        ("IMG_001.jpg", "surat polisi 1", 3.0),
        ("IMG_002.jpg", "surat polisi 2", -4.0),
        ("KTP.jpg", "ktp depan", 2.0),
        ("KTP_belakang.jpg", "ktp belakang", -2.0),
    ):
        f = tmp_path / name
        f.write_bytes(phone_photo(label, angle))
        files[name] = str(f)
    pdf = tmp_path / "surat.pdf"
    page_image("pdf").save(pdf, resolution=100)
    huge = tmp_path / "besar_sekali.jpg"
    huge.write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * (30 * 1024 * 1024))
    heic = tmp_path / "IMG_4032.HEIC"
    heic.write_bytes(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 2000)

    def scenario(pw: Any, browser: Any) -> dict[str, Any]:
        device = pw.devices["Pixel 5"]
        a = browser.new_context(**device).new_page()
        b = browser.new_context(**pw.devices["iPhone 12"]).new_page()
        out: dict[str, Any] = {}
        a.goto(url)
        out["title"] = a.inner_text("header h1")
        out["now"] = a.inner_text("#now")
        b.goto(url)
        # Phone B photographs the KTP-el; phone A sends two gallery photos for the first paper,
        # both at the same time.
        b.select_option("#paper", "ktp_el")
        b.set_input_files("#cam", files["KTP.jpg"])
        a.set_input_files("#gal", [files["IMG_001.jpg"], files["IMG_002.jpg"]])
        wait_images(a, 2)
        wait_images(b, 1)
        # Phone A goes on to the next paper and takes one more photo.
        a.click("#next")
        out["now_after_next"] = a.inner_text("#now")
        a.set_input_files("#cam", files["KTP_belakang.jpg"])
        wait_images(a, 3)
        out["a_images"] = images_shown(a)
        out["b_images"] = images_shown(b)
        # What a phone cannot send is refused with a message on the phone.
        a.set_input_files("#gal", str(pdf))
        out["pdf"] = wait_error(a, "PDF")
        a.set_input_files("#gal", str(huge))
        out["huge"] = wait_error(a, "terlalu besar")
        a.set_input_files("#gal", str(heic))
        out["heic"] = wait_error(a, "HEIC")
        out["options"] = a.evaluate(
            "Array.from(document.querySelectorAll('#paper option')).map(o => o.textContent)"
        )
        # The operator leaves the papers step: the listener stops and the phone says so.
        leave.set()
        a.locator("#msg", has_text="Laptop tidak menjawab").wait_for(timeout=30000)
        out["lost"] = a.inner_text("#msg")
        return out

    leave = threading.Event()
    step = w.papers_step
    server = dlg.server
    assert server is not None
    port = server.port
    browser = Browser(scenario)
    browser.start()
    qtbot.waitUntil(lambda: leave.is_set() or not browser.is_alive(), timeout=180000)
    qtbot.waitUntil(lambda: not step.busy, timeout=60000)
    # Every photo is in; the slot on screen shows them (the paper a phone chose last is selected).
    assert step.current_code() == "ktp_el"
    qtbot.waitUntil(lambda: step.strip.count() == 2, timeout=5000)
    step.select_requirement("sk_kehilangan")
    qtbot.waitUntil(lambda: step.strip.count() == 2, timeout=5000)
    assert {p.agent for p in dlg.session.phones()} == {"Android Chrome", "iPhone Safari"}  # type: ignore[union-attr]
    assert "Foto diterima: 4" in dlg.status.text()
    # Leaving the papers step ends the session: the listener stops, the QR code is dead.
    w.back()
    assert not server.running and step.phone_dialog is None
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    qtbot.waitUntil(lambda: not browser.is_alive(), timeout=60000)
    if browser.error is not None:
        raise browser.error
    seen = browser.result

    assert seen["title"] == "KK hilang / rusak (hilang)"  # the variant is part of the name (i15)
    assert seen["now"].startswith("Surat keterangan kehilangan")
    assert seen["now_after_next"] == "KTP-el"
    assert seen["a_images"] == 3 and seen["b_images"] == 1
    assert "Impor berkas / PDF" in seen["pdf"]
    assert "30 MB; batas 25 MB" in seen["huge"]
    assert "Paling Kompatibel" in seen["heic"]
    # The paper list on the phone counts the pages the application now holds.
    assert any("2 hal." in o for o in seen["options"]) and any(
        "KTP-el" in o and "2 hal." in o for o in seen["options"]
    )

    pages = sp.list_pages(ctx.db, app_id)
    assert {code: len(p) for code, p in pages.items() if p} == {"sk_kehilangan": 2, "ktp_el": 2}
    # Each page is what the import path + pipeline make of that photo (not the phone's JPEG).
    # Phone B's photo and phone A's went to KTP-el in an order the two uploads decided.
    expected = {
        "sk_kehilangan": [
            pages_from_phone(Path(files[n]).read_bytes(), n)[0] for n in ("IMG_001.jpg", "IMG_002.jpg")
        ],
        "ktp_el": [
            pages_from_phone(Path(files[n]).read_bytes(), n)[0] for n in ("KTP.jpg", "KTP_belakang.jpg")
        ],
    }
    for code, made in expected.items():
        stored = pages[code]
        assert all(p.source == "phone" for p in stored)
        assert sorted((p.width, p.height, p.mode, p.size_bytes) for p in stored) == sorted(
            (m.width, m.height, m.mode, len(m.data)) for m in made
        )
    assert all((m.width, m.height) != (960, 1280) for made in expected.values() for m in made)
    assert "Pakai HP" in seen["lost"] and "kode QR yang baru" in seen["lost"]


def test_wrong_expired_and_second_session_tokens(
    qtbot: QtBot, ctx: AppContext, wizard_on_papers: Callable[[], IntakeWizard]
) -> None:
    import http.client

    clock = {"now": 100.0}
    w1 = wizard_on_papers()
    w1.papers_step.phone_options["session_options"] = {"clock": lambda: clock["now"]}
    dlg1, url1 = open_phone(qtbot, w1)
    w2 = wizard_on_papers()
    dlg2, url2 = open_phone(qtbot, w2)
    assert dlg1.server is not None and dlg2.server is not None
    assert url1 != url2 and dlg1.server.port != dlg2.server.port

    def get(url: str, path: str) -> tuple[int, str]:
        host, _, port = url.split("/")[2].partition(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        conn.request("GET", path)
        r = conn.getresponse()
        body = r.read().decode()
        conn.close()
        return r.status, body

    token2 = url2.rsplit("/", 1)[1]
    # Wizard 2's token on wizard 1's listener: a wrong link, nothing of wizard 2 shown.
    status, body = get(url1, f"/p/{token2}")
    assert status == 404 and "Tautan tidak dikenal" in body and "KK hilang" not in body
    status, body = get(url1, "/p/bukan-token")
    assert status == 404 and "Pakai HP" in body
    # 15 idle minutes: the page says the link expired and the dialog offers a new code.
    clock["now"] += 15 * 60 + 1
    status, body = get(url1, "/" + url1.split("/", 3)[3])
    assert status == 410 and "kedaluwarsa" in body
    dlg1._refresh()
    assert dlg1.server is None and "kedaluwarsa" in dlg1.qr.text() and dlg1.btn_retry.isVisible()
    # The other wizard's session is untouched.
    assert get(url2, f"/p/{token2}")[0] == 200
    with qtbot.waitSignal(dlg1.started, timeout=10000) as started:
        dlg1.btn_retry.click()
    assert started.args[0] != url1 and get(started.args[0], "/" + started.args[0].split("/", 3)[3])[0] == 200


def test_wizard_closed_mid_upload(
    qtbot: QtBot, ctx: AppContext, wizard_on_papers: Callable[[], IntakeWizard]
) -> None:
    w = wizard_on_papers()
    app_id = w.application_id
    dlg, url = open_phone(qtbot, w)
    server = dlg.server
    assert server is not None
    data = phone_photo("setengah")
    reading = threading.Event()
    server.session.on_change = reading.set
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        path = "/" + url.split("/", 3)[3] + "/upload?phone=x&paper=ktp_el&name=setengah.jpg"
        head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nContent-Length: {len(data)}\r\n\r\n"
        sock.sendall(head.encode() + data[: len(data) // 2])
        assert reading.wait(10)
        # The operator closes the wizard while the phone is still sending.
        w.close()
        assert not server.running
        sock.sendall(data[len(data) // 2 :])
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
    assert reply.startswith(b"HTTP/1.1 410")
    assert "Sesi sudah ditutup" in json.loads(reply.split(b"\r\n\r\n", 1)[1])["message"]
    tasks.wait_idle()
    # Nothing half-made was stored; the application is intact and can be reopened.
    assert all(not p for p in sp.list_pages(ctx.db, app_id).values())
    assert sp.load_application(ctx.db, app_id).applicant.name == "Siti Aminah"


def test_dialog_warns_about_open_wifi_and_missing_network(
    qtbot: QtBot, wizard_on_papers: Callable[[], IntakeWizard], monkeypatch: pytest.MonkeyPatch
) -> None:
    from desa_capil.phone.net import Candidate
    from desa_capil.ui.intake import phone_dialog

    w = wizard_on_papers()
    step = w.papers_step
    # A laptop on no network at all, whose last Wi-Fi was open: no listener, a message what to do.
    step.phone_options = {"candidates": lambda: [], "wifi": lambda: "open"}
    with qtbot.waitSignal(step.btn_phone.clicked, timeout=1000):
        step.btn_phone.click()
    dlg = step.phone_dialog
    assert dlg is not None
    with qtbot.waitSignal(dlg.start_failed, timeout=10000) as failed:
        pass
    assert "hotspot" in failed.args[0] and dlg.server is None
    assert dlg.warning.isVisible() and "terbuka" in dlg.warning.text()
    assert dlg.btn_retry.isVisible() and dlg.qr.pixmap().isNull()
    dlg.close()
    assert step.phone_dialog is None

    # Two usable addresses (loopback stands in for the LAN here), a protected Wi-Fi, Windows.
    monkeypatch.setattr(phone_dialog.sys, "platform", "win32")
    step.phone_options = {
        "candidates": lambda: [Candidate("Wi-Fi", "127.0.0.1", 0), Candidate("Ethernet", "127.0.0.2", 2)],
        "wifi": lambda: "secured",
        "allow_loopback": True,
        "port": 0,
    }
    step.open_phone()
    dlg = step.phone_dialog
    assert dlg is not None
    with qtbot.waitSignal(dlg.started, timeout=10000) as started:
        pass
    assert started.args[0].startswith("http://127.0.0.1:")
    assert not dlg.warning.isVisible()
    assert "Jaringan pribadi" in dlg.note.text() and "publik" in dlg.note.text()
    assert dlg.address_box.count() == 2 and not dlg.address_box.isHidden()
    first = dlg.server
    # The operator picks the other address: a new listener and a new token there.
    with qtbot.waitSignal(dlg.started, timeout=10000) as restarted:
        dlg.address_box.activated.emit(1)
    assert restarted.args[0].startswith("http://127.0.0.2:")
    assert first is not None and not first.running and first.session.closed
    assert qr_text(dlg) == restarted.args[0]


def test_photo_the_pipeline_refuses_is_reported_on_the_phone(
    qtbot: QtBot, ctx: AppContext, wizard_on_papers: Callable[[], IntakeWizard]
) -> None:
    import http.client

    w = wizard_on_papers()
    step = w.papers_step
    dlg, url = open_phone(qtbot, w)
    assert dlg.server is not None and dlg.session is not None
    good = phone_photo("ktp")
    cut = good[: len(good) // 2]  # a JPEG that stops half-way: the import path refuses it
    conn = http.client.HTTPConnection("127.0.0.1", dlg.server.port, timeout=10)
    path = "/" + url.split("/", 3)[3]
    with qtbot.waitSignal(step.job_failed, timeout=30000) as failed:
        conn.request("POST", f"{path}/upload?phone=p1&paper=ktp_el&name=terpotong.jpg", body=cut)
        answer = conn.getresponse()
        assert answer.status == 202 and "id" in json.loads(answer.read())
    assert "terpotong.jpg" in failed.args[0] and "rusak" in failed.args[0]
    conn.request("GET", f"{path}/state?phone=p1")
    [photo] = json.loads(conn.getresponse().read())["photos"]
    conn.close()
    # The phone is told the same message the laptop shows; nothing was stored.
    assert photo["status"] == "failed" and photo["message"] == failed.args[0]
    assert step.error.text() == failed.args[0]
    qtbot.waitUntil(lambda: not step.busy, timeout=10000)
    assert all(not p for p in sp.list_pages(ctx.db, w.application_id or "").values())


@pytest.mark.parametrize("area", [(910, 485), (800, 440)], ids=["1366x768@150%", "800x440"])
def test_dialog_fits_a_small_screen(
    qtbot: QtBot, wizard_on_papers: Callable[[], IntakeWizard], area: tuple[int, int]
) -> None:
    from PySide6.QtCore import QRect

    from desa_capil.ui.widgets import screen_fit

    w = wizard_on_papers()
    screen_fit.simulate_available_area(QRect(0, 0, *area))
    try:
        dlg, url = open_phone(qtbot, w)
        qtbot.waitExposed(dlg)
        room = screen_fit.room_for_window(dlg)
        assert dlg.width() <= room.width() and dlg.height() <= room.height()
        # The QR code and both buttons are whole inside the dialog.
        for widget in (dlg.qr, dlg.btn_close, dlg.btn_retry):
            if widget.isVisible():
                top_left = widget.mapTo(dlg, widget.rect().topLeft())
                assert dlg.rect().contains(QRect(top_left, widget.size())), widget
        assert qr_text(dlg) == url
    finally:
        screen_fit.simulate_available_area(None)
