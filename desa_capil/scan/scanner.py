"""Scanners: SANE (``scanimage``) on Linux, WIA on Windows, behind one small interface.

A backend lists devices and scans one page (flatbed) or a batch (automatic document feeder)
into ``RawPage`` objects. Scanning is slow and blocking: call it from a worker thread; pass a
``threading.Event`` as ``cancel`` to stop a batch (the pages scanned so far are kept).

* ``SaneBackend`` runs the ``scanimage`` command from sane-utils: no Python binding to
  build, and a crashing driver cannot take the app down with it.
* ``WiaBackend`` talks to Windows Image Acquisition through COM (``win32com``, from
  pywin32, or ``comtypes``), both imported only on Windows when first used.

``available_backends()`` returns the ones that can work on this machine.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol, runtime_checkable

from desa_capil.errors import UserError
from desa_capil.scan.sources import RawPage, import_file

log = logging.getLogger(__name__)

ColorMode = Literal["color", "gray", "lineart"]
PaperSource = Literal["flatbed", "adf"]


class ScannerError(UserError):
    """The scanner cannot do what was asked (not found, busy, jammed, empty feeder).

    ``pages`` holds the pages that came through whole before a feeder batch failed (a jam on
    page 7 must not cost the six before it); the caller keeps them and shows the message.
    """

    pages: list[RawPage]

    def __init__(self, message_id: str, message_en: str, *, detail: str = "") -> None:
        super().__init__(message_id, message_en, detail=detail)
        self.pages = []


@dataclass(frozen=True)
class ScannerDevice:
    id: str  # what the backend needs to open it (SANE device name, WIA DeviceID)
    name: str  # for people: vendor and model
    backend: str  # "sane" | "wia"
    kind: str = ""


@dataclass(frozen=True)
class ScanSettings:
    resolution: int = 300
    mode: ColorMode = "gray"
    source: PaperSource = "flatbed"
    #: Pages to take from the feeder at most (a feeder runs until it is empty otherwise).
    max_pages: int = 50
    #: Seconds one page may take before the scan is given up.
    page_timeout: float = 180.0


@runtime_checkable
class ScannerBackend(Protocol):
    name: str

    def available(self) -> bool: ...

    def list_devices(self) -> list[ScannerDevice]: ...

    def scan(
        self, device: ScannerDevice | str, settings: ScanSettings, *, cancel: threading.Event | None = None
    ) -> list[RawPage]: ...


def available_backends() -> list[ScannerBackend]:
    """The scanner backends that can work here (WIA on Windows, SANE where scanimage is)."""
    found: list[ScannerBackend] = []
    for b in (WiaBackend(), SaneBackend()):
        if b.available():
            found.append(b)
    return found


# --- messages --------------------------------------------------------------------------------


def _err_no_scanner(detail: str = "") -> ScannerError:
    return ScannerError(
        "Pemindai tidak ditemukan atau tidak dapat dibuka. Pastikan pemindai menyala dan kabel USB "
        "terpasang, lalu tekan \u201cCari pemindai\u201d lagi.",
        "The scanner was not found or cannot be opened. Make sure it is switched on and the USB cable "
        "is connected, then press \u201cFind scanners\u201d again.",
        detail=detail,
    )


def _err_feeder_empty() -> ScannerError:
    return ScannerError(
        "Pengumpan kertas (ADF) kosong. Masukkan kertas ke pengumpan, lalu pindai lagi.",
        "The document feeder (ADF) is empty. Put the papers in the feeder, then scan again.",
    )


def _err_jam(detail: str) -> ScannerError:
    return ScannerError(
        "Kertas macet atau penutup pemindai terbuka. Rapikan kertasnya, tutup pemindai, lalu pindai lagi.",
        "Paper jam or scanner cover open. Clear the paper, close the scanner, then scan again.",
        detail=detail,
    )


def _err_busy(detail: str) -> ScannerError:
    return ScannerError(
        "Pemindai sedang dipakai program lain. Tutup program pemindaian lain, lalu coba lagi.",
        "The scanner is in use by another program. Close other scanning programs, then try again.",
        detail=detail,
    )


def _err_failed(detail: str) -> ScannerError:
    return ScannerError(
        "Pemindaian gagal. Matikan lalu nyalakan pemindai, kemudian coba lagi; jika masih gagal, "
        "simpan hasil pindaian ke folder dan gunakan \u201cImpor berkas\u201d.",
        "Scanning failed. Switch the scanner off and on, then try again; if it still fails, save the scans "
        "to a folder and use \u201cImport file\u201d.",
        detail=detail,
    )


def _err_timeout() -> ScannerError:
    return ScannerError(
        "Pemindai tidak menjawab. Periksa pemindai (menyala, tidak ada pesan di layarnya), lalu coba lagi.",
        "The scanner does not respond. Check it (switched on, no message on its display), then try again.",
    )


# --- SANE ------------------------------------------------------------------------------------


class SaneBackend:
    """Scanners through SANE's ``scanimage`` command (Linux, also macOS with sane-backends)."""

    name = "sane"

    def __init__(self, scanimage: str | None = None, env: dict[str, str] | None = None) -> None:
        self.scanimage = scanimage or shutil.which("scanimage") or "scanimage"
        self._env = env

    def available(self) -> bool:
        return shutil.which(self.scanimage) is not None

    def _run(self, args: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
        try:
            return subprocess.run(
                [self.scanimage, *args],
                capture_output=True,
                text=True,
                timeout=timeout,
                env=self._env if self._env is not None else dict(os.environ),
                check=False,
            )
        except FileNotFoundError as e:
            raise _err_no_scanner("scanimage not installed") from e
        except subprocess.TimeoutExpired as e:
            raise _err_timeout() from e

    def list_devices(self) -> list[ScannerDevice]:
        # A real tab separates the fields: vendors put spaces (and worse) in model names.
        r = self._run(["-f", "%d\t%v\t%m\t%t%n"], timeout=60)
        devices = []
        for line in r.stdout.splitlines():
            parts = line.split("\t")
            if len(parts) >= 3 and parts[0]:
                devices.append(
                    ScannerDevice(
                        id=parts[0],
                        name=f"{parts[1]} {parts[2]}".strip(),
                        backend=self.name,
                        kind=parts[3] if len(parts) > 3 else "",
                    )
                )
        return devices

    def options(self, device: str) -> dict[str, list[str]]:
        """The device's choices for each option (``--mode``, ``--source``, ...) from ``scanimage -A``."""
        r = self._run(["-d", device, "-A"], timeout=60)
        if r.returncode != 0:
            raise self._error(r.stderr)
        opts: dict[str, list[str]] = {}
        for m in re.finditer(r"^\s+--?([\w-]+)[ =]([^\[\n]*?)\s*\[", r.stdout, re.MULTILINE):
            name, values = m.group(1), m.group(2).strip()
            opts[name] = [v.strip() for v in values.split("|")] if "|" in values else [values]
        return opts

    def scan(
        self, device: ScannerDevice | str, settings: ScanSettings, *, cancel: threading.Event | None = None
    ) -> list[RawPage]:
        dev = device.id if isinstance(device, ScannerDevice) else device
        if cancel is not None and cancel.is_set():
            return []
        opts = self.options(dev)
        args = ["-d", dev, "--format=png", f"--resolution={settings.resolution}"]
        mode = _pick(opts.get("mode", []), _SANE_MODES[settings.mode])
        if mode:
            args.append(f"--mode={mode}")
        feeder = settings.source == "adf"
        if "source" in opts:
            src = _pick(opts["source"], _SANE_ADF if feeder else _SANE_FLATBED)
            if feeder and not src:
                raise ScannerError(
                    "Pemindai ini tidak punya pengumpan kertas (ADF). Pilih \u201cKaca (flatbed)\u201d.",
                    "This scanner has no document feeder (ADF). Choose \u201cFlatbed\u201d.",
                )
            if src:
                args.append(f"--source={src}")
        with tempfile.TemporaryDirectory(prefix="desa_capil_scan_") as tmp:
            out = Path(tmp)
            if feeder:
                args += [f"--batch={out / 'page%04d.png'}", f"--batch-count={settings.max_pages}"]
            else:
                args += ["-o", str(out / "page0001.png")]
            try:
                stopped = self._scan_process(args, settings, cancel)
            except ScannerError as exc:
                if feeder:
                    # The page in the scanner when it failed may be half written: keep the
                    # ones before it.
                    exc.pages = self._import_pages(sorted(out.glob("page*.png"))[:-1], settings)
                raise
            files = sorted(out.glob("page*.png"))
            if stopped:
                # A page being written when the scan was stopped is incomplete: drop it.
                files = files[:-1]
                if not files:
                    return []
            if not files:
                raise _err_feeder_empty() if feeder else _err_failed("no image written")
            return self._import_pages(files, settings)

    @staticmethod
    def _import_pages(files: list[Path], settings: ScanSettings) -> list[RawPage]:
        pages: list[RawPage] = []
        for i, f in enumerate(files):
            (p,) = import_file(f, source="scanner", max_pages=1)
            p.origin_name = f"pindaian {i + 1}"
            p.is_photo = False
            p.dpi = float(settings.resolution)
            p.index, p.count = i, len(files)
            pages.append(p)
        return pages

    def _scan_process(self, args: list[str], settings: ScanSettings, cancel: threading.Event | None) -> bool:
        """Run scanimage to the end; True if it was stopped by ``cancel``."""
        env = self._env if self._env is not None else dict(os.environ)
        proc = subprocess.Popen(
            [self.scanimage, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env
        )
        pages = settings.max_pages if settings.source == "adf" else 1
        deadline = time.monotonic() + settings.page_timeout * pages
        stderr = ""
        try:
            while True:
                try:
                    _, stderr = proc.communicate(timeout=0.2)
                    break
                except subprocess.TimeoutExpired:
                    pass
                if cancel is not None and cancel.is_set():
                    proc.terminate()
                    proc.communicate(timeout=10)
                    return True  # keep what was scanned
                if time.monotonic() > deadline:
                    proc.kill()
                    proc.communicate(timeout=10)
                    raise _err_timeout()
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)
        if proc.returncode != 0:
            # "out of documents" ends every feeder batch; only an error if nothing came out.
            if "out of documents" in stderr.lower() or "no more documents" in stderr.lower():
                return False
            raise self._error(stderr)
        return False

    @staticmethod
    def _error(stderr: str) -> ScannerError:
        s = stderr.lower()
        detail = stderr.strip()[-300:]
        if "out of documents" in s or "no docs" in s:
            return _err_feeder_empty()
        if "jam" in s or "cover" in s:
            return _err_jam(detail)
        if "busy" in s:
            return _err_busy(detail)
        if "open of device" in s or "invalid argument" in s or "no such" in s:
            return _err_no_scanner(detail)
        return _err_failed(detail)


_SANE_MODES: dict[str, tuple[str, ...]] = {
    "color": ("color", "24bit color", "colour"),
    "gray": ("gray", "grayscale", "true gray", "8bit gray"),
    "lineart": ("lineart", "binary", "black & white", "halftone"),
}
_SANE_ADF = ("adf", "automatic document feeder", "adf front", "adf duplex", "feeder", "document feeder")
_SANE_FLATBED = ("flatbed", "normal", "fb")


def _pick(choices: list[str], wanted: tuple[str, ...]) -> str | None:
    """The device's own spelling of the first wanted value it offers (case-insensitive)."""
    low = {c.lower(): c for c in choices}
    for w in wanted:
        if w in low:
            return low[w]
    for w in wanted:
        for c in choices:
            if w in c.lower():
                return c
    return None


# --- WIA (Windows) ---------------------------------------------------------------------------

_WIA_FORMAT_PNG = "{B96B3CAF-0728-11D3-9D7B-0000F81EF32E}"
_WIA_DEVICE_TYPE_SCANNER = 1
_WIA_IPS_CUR_INTENT = "6146"
_WIA_IPS_XRES = "6147"
_WIA_IPS_YRES = "6148"
_WIA_DPS_DOCUMENT_HANDLING_SELECT = "3088"
_WIA_DPS_PAGES = "3096"
_WIA_INTENT = {"color": 1, "gray": 2, "lineart": 4}
_WIA_FEEDER, _WIA_FLATBED = 1, 2
_WIA_ERROR_PAPER_EMPTY = 0x80210003
_WIA_ERROR_PAPER_JAM = 0x80210002
_WIA_ERROR_BUSY = 0x80210006
_WIA_ERROR_OFFLINE = 0x80210005


class WiaBackend:
    """Scanners through Windows Image Acquisition (the "WIA.DeviceManager" automation layer).

    Not testable on Linux; written against the documented WIA Automation properties.
    """

    name = "wia"

    def available(self) -> bool:
        return sys.platform == "win32" and self._client() is not None

    @staticmethod
    def _client() -> Any | None:
        """A COM ``CreateObject`` function, from pywin32 or comtypes, imported only here."""
        if sys.platform != "win32":
            return None
        try:
            import win32com.client

            return win32com.client.Dispatch
        except ImportError:
            pass
        try:
            import comtypes.client

            return comtypes.client.CreateObject
        except ImportError:
            return None

    def _manager(self) -> Any:
        create = self._client()
        if create is None:
            raise _err_no_scanner("WIA automation not available")
        try:
            return create("WIA.DeviceManager")
        except Exception as e:  # noqa: BLE001 - any COM failure means "no WIA here"
            raise _err_no_scanner(str(e)) from e

    def list_devices(self) -> list[ScannerDevice]:
        mgr = self._manager()
        out = []
        for i in range(1, mgr.DeviceInfos.Count + 1):
            info = mgr.DeviceInfos.Item(i)
            if info.Type != _WIA_DEVICE_TYPE_SCANNER:
                continue
            name = str(info.Properties("Name").Value)
            out.append(ScannerDevice(id=str(info.DeviceID), name=name, backend=self.name, kind="scanner"))
        return out

    def scan(
        self, device: ScannerDevice | str, settings: ScanSettings, *, cancel: threading.Event | None = None
    ) -> list[RawPage]:
        dev_id = device.id if isinstance(device, ScannerDevice) else device
        mgr = self._manager()
        info = None
        for i in range(1, mgr.DeviceInfos.Count + 1):
            cand = mgr.DeviceInfos.Item(i)
            if str(cand.DeviceID) == dev_id:
                info = cand
        if info is None:
            raise _err_no_scanner(dev_id)
        try:
            dev = info.Connect()
        except Exception as e:  # noqa: BLE001 - COM errors carry an HRESULT we map below
            raise _wia_error(e) from e
        feeder = settings.source == "adf"
        _set_prop(dev.Properties, _WIA_DPS_DOCUMENT_HANDLING_SELECT, _WIA_FEEDER if feeder else _WIA_FLATBED)
        if feeder:
            _set_prop(dev.Properties, _WIA_DPS_PAGES, 1)
        item = dev.Items(1)
        _set_prop(item.Properties, _WIA_IPS_CUR_INTENT, _WIA_INTENT[settings.mode])
        _set_prop(item.Properties, _WIA_IPS_XRES, settings.resolution)
        _set_prop(item.Properties, _WIA_IPS_YRES, settings.resolution)
        pages: list[RawPage] = []
        with tempfile.TemporaryDirectory(prefix="desa_capil_scan_") as tmp:
            limit = settings.max_pages if feeder else 1
            for n in range(limit):
                if cancel is not None and cancel.is_set():
                    break
                try:
                    image = item.Transfer(_WIA_FORMAT_PNG)
                except Exception as e:  # noqa: BLE001 - see _wia_error
                    if feeder and _hresult(e) == _WIA_ERROR_PAPER_EMPTY:
                        if pages:
                            break
                        raise _err_feeder_empty() from e
                    raise _wia_error(e) from e
                path = Path(tmp) / f"page{n + 1:04d}.png"
                image.SaveFile(str(path))
                (p,) = import_file(path, source="scanner", max_pages=1)
                p.origin_name = f"pindaian {n + 1}"
                p.is_photo = False
                p.dpi = float(settings.resolution)
                p.index = n
                pages.append(p)
        for p in pages:
            p.count = len(pages)
        return pages


def _set_prop(props: Any, prop_id: str, value: int) -> None:
    """Set a WIA property if the device has it; devices differ in what they support."""
    try:
        for i in range(1, props.Count + 1):
            prop = props.Item(i)
            if str(prop.PropertyID) == prop_id:
                prop.Value = value
                return
    except Exception as e:  # noqa: BLE001 - an unsupported value is not worth failing the scan
        log.info("WIA property %s=%s refused: %s", prop_id, value, e)


def _hresult(e: BaseException) -> int | None:
    for arg in getattr(e, "args", ()):
        if isinstance(arg, int):
            return arg & 0xFFFFFFFF
    hr = getattr(e, "hresult", None)
    return hr & 0xFFFFFFFF if isinstance(hr, int) else None


def _wia_error(e: BaseException) -> ScannerError:
    hr = _hresult(e)
    if hr == _WIA_ERROR_PAPER_EMPTY:
        return _err_feeder_empty()
    if hr == _WIA_ERROR_PAPER_JAM:
        return _err_jam(str(e))
    if hr == _WIA_ERROR_BUSY:
        return _err_busy(str(e))
    if hr == _WIA_ERROR_OFFLINE:
        return _err_no_scanner(str(e))
    return _err_failed(str(e))
