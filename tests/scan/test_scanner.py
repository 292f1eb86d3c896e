"""Scanners: SANE through scanimage with SANE's ``test`` backend; WIA only stays out of the way."""

from __future__ import annotations

import shutil
import sys
import threading
from pathlib import Path

import pytest

from desa_capil.scan.scanner import (
    SaneBackend,
    ScannerBackend,
    ScannerDevice,
    ScannerError,
    ScanSettings,
    WiaBackend,
    _pick,
    available_backends,
)

needs_sane = pytest.mark.skipif(
    shutil.which("scanimage") is None, reason="scanimage (sane-utils) not installed"
)


@pytest.fixture
def sane(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SaneBackend:
    # Only SANE's virtual "test" scanner is configured: no real hardware is probed.
    conf = tmp_path / "sane.d"
    conf.mkdir()
    (conf / "dll.conf").write_text("test\n")
    monkeypatch.setenv("SANE_CONFIG_DIR", str(conf))
    return SaneBackend()


@pytest.mark.sane
@needs_sane
def test_lists_the_test_devices(sane: SaneBackend) -> None:
    devices = sane.list_devices()
    assert [d.id for d in devices] == ["test:0", "test:1"]
    assert all(d.backend == "sane" and d.name for d in devices)


@pytest.mark.sane
@needs_sane
def test_flatbed_page_honours_resolution_and_mode(sane: SaneBackend) -> None:
    (low,) = sane.scan("test:0", ScanSettings(resolution=25, mode="gray"))
    (high,) = sane.scan("test:0", ScanSettings(resolution=50, mode="color"))
    assert low.source == "scanner" and not low.is_photo
    assert low.dpi == 25 and high.dpi == 50
    assert low.image.mode == "L"
    assert high.image.mode == "RGB"
    assert high.image.width == pytest.approx(2 * low.image.width, abs=2)


@pytest.mark.sane
@needs_sane
def test_feeder_batch_gives_pages_in_order(sane: SaneBackend) -> None:
    dev = ScannerDevice("test:0", "test", "sane")
    pages = sane.scan(dev, ScanSettings(resolution=20, source="adf", max_pages=3))
    assert [p.index for p in pages] == [0, 1, 2]
    assert all(p.count == 3 for p in pages)


@pytest.mark.sane
@needs_sane
def test_feeder_runs_until_empty(sane: SaneBackend) -> None:
    # The test backend's feeder holds 10 sheets.
    pages = sane.scan("test:1", ScanSettings(resolution=10, source="adf", max_pages=50))
    assert len(pages) == 10


@pytest.mark.sane
@needs_sane
def test_unknown_device_is_a_clear_error(sane: SaneBackend) -> None:
    with pytest.raises(ScannerError) as e:
        sane.scan("tidakada:0", ScanSettings(resolution=20))
    assert "Pemindai" in e.value.message_id


@pytest.mark.sane
@needs_sane
def test_cancelled_scan_gives_no_pages_and_no_error(sane: SaneBackend) -> None:
    cancel = threading.Event()
    cancel.set()
    assert sane.scan("test:0", ScanSettings(resolution=20, source="adf", max_pages=5), cancel=cancel) == []


def test_missing_scanimage_is_a_clear_error(tmp_path: Path) -> None:
    b = SaneBackend(scanimage=str(tmp_path / "no-scanimage"))
    assert not b.available()
    with pytest.raises(ScannerError):
        b.list_devices()


def test_pick_uses_the_devices_own_spelling() -> None:
    assert _pick(["Lineart", "Gray", "Color"], ("color",)) == "Color"
    assert _pick(["Flatbed", "ADF Front", "ADF Duplex"], ("adf", "feeder")) == "ADF Front"
    assert _pick(["Flatbed"], ("adf", "feeder")) is None


def test_wia_is_lazy_and_absent_off_windows() -> None:
    b = WiaBackend()
    assert isinstance(b, ScannerBackend)
    if sys.platform != "win32":
        assert not b.available()
        assert "win32com" not in sys.modules and "comtypes" not in sys.modules
        with pytest.raises(ScannerError):
            b.list_devices()
        assert all(x.name != "wia" for x in available_backends())


FAKE_SCANIMAGE = """#!{python}
# A feeder scanner that jams after {good} pages: writes them, half of the next, and fails.
import sys
from PIL import Image

args = sys.argv[1:]
if "-A" in args:
    print("  --mode Color|Gray|Lineart [Gray]")
    print("  --source Flatbed|ADF [Flatbed]")
    sys.exit(0)
pattern = next(a.split("=", 1)[1] for a in args if a.startswith("--batch="))
for n in range(1, {good} + 1):
    Image.new("L", (850, 1100), 255).save(pattern % n, dpi=(100, 100))
with open(pattern % ({good} + 1), "wb") as f:
    f.write(b"\\x89PNG\\r\\n\\x1a\\n half a page")
sys.stderr.write("scanimage: sane_read: Document feeder jammed\\n")
sys.exit(1)
"""


def test_feeder_jam_keeps_the_pages_that_came_through(tmp_path: Path) -> None:
    fake = tmp_path / "scanimage"
    fake.write_text(FAKE_SCANIMAGE.format(python=sys.executable, good=3))
    fake.chmod(0o755)
    backend = SaneBackend(scanimage=str(fake))
    with pytest.raises(ScannerError) as info:
        backend.scan("fake:0", ScanSettings(source="adf", resolution=100))
    # The three whole pages survive the jam; the half-written fourth does not.
    assert len(info.value.pages) == 3
    assert [p.origin_name for p in info.value.pages] == ["pindaian 1", "pindaian 2", "pindaian 3"]
    assert info.value.message_id  # the jam is still explained to the operator
