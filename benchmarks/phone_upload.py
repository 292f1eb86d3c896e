"""Phone as the camera: from "upload" on the phone to the thumbnail in the wizard, for a 12 MP photo.

    .venv/bin/python benchmarks/phone_upload.py [--runs 5] [--uplink-mbit 20]

The real thing, offscreen: the intake wizard on an application's papers step, "Pakai HP" with its
listener on 127.0.0.1 (the test option), and Debian's chromium in Pixel 5 emulation (Playwright)
on the page from the dialog's URL. For each run the phone picks a 4000x3000 JPEG (a paper on a
table, with camera EXIF, ~3 MB) in the camera input; the clock (one process, one perf_counter)
stops at

  received   the laptop has the whole photo (dialog.photo_received, UI thread)
  wizard     its page is stored and the paper's slot shows one thumbnail more (UI thread)
  phone      the phone shows the pipeline's thumbnail (browser thread)

``--uplink-mbit`` throttles the phone's upload with Chrome's network emulation (CDP), e.g. 20
Mbit/s for a phone on a hotspot a few metres away; 0 is loopback speed. It also prints the camera
page's size: raw, gzip (what the server sends), and Chrome's transferSize (with headers).
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("DESA_CAPIL_HOME", tempfile.mkdtemp(prefix="dc_phone_bench_"))

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def photo_12mp(path: Path) -> int:
    import numpy as np
    from PIL import Image, ImageDraw, ImageFont

    w, h = 4000, 3000
    table = np.random.default_rng(7).normal(70, 12, (h, w, 3)).clip(0, 255).astype("uint8")
    photo = Image.fromarray(table)
    paper = Image.new("RGB", (2100, 2800), (246, 244, 236))
    d = ImageDraw.Draw(paper)
    font = ImageFont.load_default(size=34)
    for i, y in enumerate(range(160, 2650, 56)):
        d.text(
            (150, y),
            f"{i + 1}. KARTU KELUARGA  No. 3201010101{i:04d}  nama / tempat / tanggal lahir",
            font=font,
            fill=(20, 20, 20),
        )
    paper = paper.rotate(90 + 3, expand=True, fillcolor=(70, 70, 70))
    photo.paste(paper, ((w - paper.width) // 2, (h - paper.height) // 2))
    exif = Image.Exif()
    exif[0x010F] = "samsung"
    exif[0x0110] = "SM-A155F"
    buf = io.BytesIO()
    photo.save(buf, "JPEG", quality=90, exif=exif.tobytes())
    path.write_bytes(buf.getvalue())
    return len(buf.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--uplink-mbit", type=float, default=0.0)
    args = parser.parse_args()

    from PySide6.QtWidgets import QApplication

    from desa_capil.paths import app_paths
    from desa_capil.store import repo
    from desa_capil.store.db import open_database
    from desa_capil.ui import tasks
    from desa_capil.ui.context import AppContext
    from desa_capil.ui.intake import IntakeWizard

    app = QApplication([])
    db = open_database(app_paths().ensure())
    ctx = AppContext(db, app_paths())
    app_id = repo.save_application(
        db, service_code="kk_hilang", applicant=repo.ApplicantData(nik="3201015512900001", name="Siti Aminah")
    )
    w = IntakeWizard(ctx, None, app_id)
    w.show()
    step = w.papers_step

    def spin(cond: Any, timeout: float = 120.0) -> None:
        end = time.monotonic() + timeout
        while not cond():
            if time.monotonic() > end:
                raise TimeoutError("benchmark step timed out")
            app.processEvents()
            time.sleep(0.002)

    spin(lambda: step.state is not None)
    step.select_requirement("ktp_el")
    step.phone_options = {"address": "127.0.0.1", "allow_loopback": True, "port": 0}
    step.open_phone()
    dlg = step.phone_dialog
    assert dlg is not None
    spin(lambda: dlg.server is not None)
    assert dlg.server is not None
    url = dlg.server.url

    tmp = Path(tempfile.mkdtemp(prefix="dc_phone_photo_"))
    photo = tmp / "20261129_101500.jpg"
    size = photo_12mp(photo)

    marks: dict[str, list[float]] = {"received": [], "wizard": [], "phone": []}
    starts: list[float] = []
    dlg.photo_received.connect(lambda _id: marks["received"].append(time.perf_counter()))
    seen = {"n": 0}

    def slot_count(_state: object) -> None:
        n = step.strip.count()
        if n > seen["n"]:
            seen["n"] = n
            marks["wizard"].append(time.perf_counter())

    step.state_changed.connect(slot_count)
    info: dict[str, Any] = {}
    go = threading.Event()
    error: list[BaseException] = []

    def phone() -> None:
        from playwright.sync_api import sync_playwright

        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                context = browser.new_context(**pw.devices["Pixel 5"])
                page = context.new_page()
                if args.uplink_mbit:
                    cdp = context.new_cdp_session(page)
                    cdp.send("Network.enable")
                    rate = args.uplink_mbit * 1e6 / 8
                    cdp.send(
                        "Network.emulateNetworkConditions",
                        {
                            "offline": False,
                            "latency": 5,
                            "downloadThroughput": rate,
                            "uploadThroughput": rate,
                        },
                    )
                page.goto(url)
                info["transfer"] = page.evaluate("performance.getEntriesByType('navigation')[0].transferSize")
                info["decoded"] = page.evaluate(
                    "performance.getEntriesByType('navigation')[0].decodedBodySize"
                )
                info["encoded"] = page.evaluate(
                    "performance.getEntriesByType('navigation')[0].encodedBodySize"
                )
                go.set()
                for i in range(args.runs):
                    starts.append(time.perf_counter())
                    page.set_input_files("#cam", str(photo))
                    page.locator("#list li img").nth(i).wait_for(timeout=120000)
                    marks["phone"].append(time.perf_counter())
                browser.close()
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            error.append(exc)
            go.set()

    t = threading.Thread(target=phone, daemon=True)
    t.start()
    spin(lambda: not t.is_alive(), timeout=600)
    spin(lambda: len(marks["wizard"]) >= args.runs or bool(error), timeout=60)
    if error:
        raise error[0]
    tasks.wait_idle()

    def stat(name: str) -> str:
        d = [m - s for m, s in zip(marks[name], starts, strict=False)]
        return f"median {statistics.median(d):.2f} s, max {max(d):.2f} s"

    import gzip

    from desa_capil.phone import page as phone_page
    from desa_capil.phone.session import Paper, PhoneSession

    raw = phone_page.camera_page(PhoneSession("KK hilang / rusak", [Paper("a", "KTP-el", True)]).state(""))
    print(
        f"cores: {os.cpu_count()}, photo: 4000x3000 JPEG {size / 1e6:.2f} MB, runs: {args.runs}, "
        f"uplink: {args.uplink_mbit or 'loopback'} Mbit/s"
    )
    print(f"upload -> laptop has the photo: {stat('received')}")
    print(f"upload -> thumbnail in the wizard: {stat('wizard')}")
    print(f"upload -> thumbnail on the phone: {stat('phone')}")
    print(
        f"camera page: {len(raw)} B raw, {len(gzip.compress(raw, 9))} B gzip; Chrome: transferSize "
        f"{info['transfer']} B, body {info['encoded']} B encoded / {info['decoded']} B decoded"
    )
    w.close()
    tasks.wait_idle()
    db.close()


if __name__ == "__main__":
    main()
