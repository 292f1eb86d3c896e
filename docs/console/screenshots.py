"""Screenshots of every office-console page at 1366x768 (the office PC the design aims at).

Runs the demo (sample village, residents and applications in every status, through the real
round trip), signs in as the demo's staff in Debian's chromium (Playwright, never
`playwright install`) and saves one PNG per page next to this file.

    .venv/bin/python docs/console/screenshots.py
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from desa_capil import demo
from desa_capil.server.console import DEMO_PASSWORD

OUT = Path(__file__).resolve().parent
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]  # fmt: skip


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        home = demo.prepare_home(Path(tmp) / "demo")
        session = demo.DemoSession.start(home, office_interval=None)
        try:
            shoot(session.base_url)
        finally:
            session.close()
    return 0


def shoot(base: str) -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 768}, locale="id-ID")

        def shot(name: str) -> None:
            page.screenshot(path=str(OUT / f"{name}.png"))
            print(OUT / f"{name}.png")  # noqa: T201 - a script that reports what it wrote

        page.goto(base + "/console/masuk")
        shot("01-masuk")
        page.fill("input[name=username]", "admin")
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.click("button:has-text('Masuk')")
        page.wait_for_url("**/console/antrean")
        shot("02-antrean-masuk")
        page.goto(base + "/console/antrean?tab=dikirim")
        shot("03-antrean-dikirim")
        page.goto(base + "/console/antrean?tab=masuk")
        first = page.locator("table.queue tbody tr td:first-child a").first
        if first.count():
            first.click()
            page.wait_for_load_state()
            shot("04-permohonan")
            page.locator("figure.page").first.scroll_into_view_if_needed()
            page.evaluate("window.scrollBy(0, -60)")
            shot("05-permohonan-berkas")
        page.goto(base + "/console/antrean?tab=periksa")
        link = page.locator("table.queue tbody tr td:first-child a").first
        if link.count():
            link.click()
            page.click("summary:has-text('Minta perbaikan')")
            shot("06-permohonan-perbaikan")
        page.goto(base + "/console/pengiriman")
        shot("07-pengiriman")
        code = re.search(r"/console/pengiriman/([\d.]+)", page.content())
        if code:
            page.goto(base + f"/console/pengiriman/{code.group(1)}")
            shot("08-pengiriman-desa")
            page.goto(base + f"/console/pengiriman/{code.group(1)}/cetak")
            shot("09-daftar-kurir")
        for path, name in (
            ("/console/dasbor", "10-dasbor"),
            ("/console/desa", "11-desa-laptop"),
            ("/console/staf", "12-staf"),
            ("/console/log", "13-log"),
            ("/console/usb", "14-usb"),
        ):
            page.goto(base + path)
            shot(name)
        browser.close()


if __name__ == "__main__":
    sys.exit(main())
