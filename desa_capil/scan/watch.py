"""A watched folder: many office scanners (and phone-sync tools) save each page as a file
into a folder. New files there become pages.

Pure-Python polling, no OS notification API: it behaves the same on Windows, Linux, network
shares and USB sticks, and costs one directory listing per interval.

Rules:
* a file is handed over only when it is complete: its size and modification time were the
  same at two polls in a row (a scanner writing a 600 dpi page takes seconds);
* each file is handed over once: after ``on_file`` returns it is first written into a
  *ledger* (a keyed hash of its name, size and modification time, and when it was last seen),
  then moved into the ``selesai`` subfolder (or, with ``after="rename"``, renamed with a
  ``.selesai`` suffix); if ``on_file`` fails it goes to ``gagal`` instead, and ``on_error`` is
  told. The ledger alone decides what was handled, so a folder that cannot be changed (a
  read-only share, a file held open on Windows, a scanner's own output folder) never offers
  the same scan to the next application. The app keeps the ledger in its own data folder
  (``ledger_path``); without one it lives in the hidden ``.desa_capil`` subfolder of the
  watched folder. An entry is forgotten once its file has not been seen for ``forget_after``
  seconds (30 days), so a share that lists empty for a while does not bring old scans back.
  If the ledger cannot be written, the file is remembered for the life of the watcher and a
  warning is logged;
* hidden and temporary files (``.part``, ``.tmp``, ``~$x``, ``.crdownload``) and other file
  types are ignored.

The callbacks run on the watcher's own thread (or on the caller's for ``poll_once``); a UI
passes results to its main thread itself (e.g. by a Qt signal).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from desa_capil.errors import StorageError

log = logging.getLogger(__name__)

DEFAULT_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp", ".bmp", ".pdf"})
_TEMP_SUFFIXES = (".part", ".tmp", ".crdownload", ".partial", ".download", ".!ut")
DONE_DIR = "selesai"
FAILED_DIR = "gagal"
DONE_SUFFIX = ".selesai"
LEDGER_DIR = ".desa_capil"
LEDGER_NAME = "folder-pantau.json"
_LEDGER_VERSION = 2
FORGET_AFTER = 30 * 24 * 3600.0

#: ``mover(source, target)``: how a handled file is put away (default: ``Path.rename``).
Mover = Callable[[Path, Path], None]


def _rename(source: Path, target: Path) -> None:
    source.rename(target)


@dataclass(frozen=True)
class _Seen:
    size: int
    mtime_ns: int


def _entry_key(name: str, size: int, mtime_ns: int) -> str:
    # A hash, not the name: the ledger sits in the data folder, and scan names can be
    # personal ("KTP Budi.jpg").
    return hashlib.sha256(f"{name}\0{size}\0{mtime_ns}".encode()).hexdigest()[:32]


def ledger_path(state_dir: str | Path, folder: str | Path) -> Path:
    """Where the app keeps the ledger of a watched folder: in its own data folder, one file per
    watched folder, so that it works for folders the app may not write into."""
    ident = hashlib.sha256(os.path.normcase(os.path.abspath(folder)).encode()).hexdigest()[:24]
    return Path(state_dir) / "folder-pantau" / f"{ident}.json"


class FolderWatcher:
    """Polls ``folder`` and calls ``on_file(path)`` once for every complete new page file.

    ``start()`` runs the polling on a daemon thread every ``interval`` seconds until
    ``stop()``; ``poll_once()`` does one round on the calling thread (tests, a "check now"
    button) and returns the files handed over in that round.
    """

    def __init__(
        self,
        folder: str | Path,
        on_file: Callable[[Path], None],
        *,
        interval: float = 1.0,
        on_error: Callable[[Path, BaseException], None] | None = None,
        suffixes: Iterable[str] = DEFAULT_SUFFIXES,
        after: Literal["move", "rename"] = "move",
        ledger: str | Path | None = None,
        mover: Mover = _rename,
        forget_after: float = FORGET_AFTER,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.folder = Path(folder)
        self.on_file = on_file
        self.on_error = on_error
        self.interval = interval
        self.suffixes = frozenset(s.lower() for s in suffixes)
        self.after = after
        self._seen: dict[Path, _Seen] = {}
        self.ledger = Path(ledger) if ledger is not None else self.folder / LEDGER_DIR / LEDGER_NAME
        self.mover = mover
        self.forget_after = forget_after
        self._clock = clock
        # entry key -> when its file was last seen in the folder (UNIX time)
        self._done: dict[str, float] = self._load_ledger()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()  # one poll at a time (thread and "check now" button)

    # --- lifecycle -----------------------------------------------------------------------

    def start(self) -> None:
        if not self.folder.is_dir():
            raise StorageError(
                f"Folder pindaian \u201c{self.folder}\u201d tidak ada. Pilih folder tempat pemindai menyimpan berkas di Pengaturan.",
                f"The scan folder \u201c{self.folder}\u201d does not exist. Choose the folder your scanner saves to in Settings.",
            )
        if self._thread and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._run, name=f"FolderWatcher({self.folder.name})", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout)
            self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def __enter__(self) -> FolderWatcher:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.poll_once()
            except Exception:  # noqa: BLE001 - the watcher must outlive one bad round; logged
                log.exception("folder poll failed")
            self._stop.wait(self.interval)

    # --- one round -----------------------------------------------------------------------

    def poll_once(self) -> list[Path]:
        """Look at the folder once; hand over the files that have stopped changing."""
        with self._lock:
            handled: list[Path] = []
            current: dict[Path, _Seen] = {}
            try:
                entries = list(self.folder.iterdir())
            except OSError as e:
                log.warning("cannot list %s: %s", self.folder, e)
                return handled
            now = self._clock()
            changed = False
            for path in sorted(entries):
                if not self._wanted(path):
                    continue
                try:
                    st = path.stat()
                except OSError:
                    continue  # gone between listing and stat: a scanner renaming its temp file
                seen = _Seen(st.st_size, st.st_mtime_ns)
                current[path] = seen
                key = _entry_key(path.name, seen.size, seen.mtime_ns)
                if key in self._done:
                    # Refresh "last seen" about once a day: no ledger write on every poll.
                    if now - self._done[key] > 24 * 3600:
                        self._done[key] = now
                        changed = True
                    continue
                if seen.size == 0 or self._seen.get(path) != seen:
                    continue  # new or still growing: look again next round
                if self._stop.is_set():
                    # Stopped during this round (the window that watched is closing): nobody
                    # takes the file in now; it stays, unrecorded, for the next watch.
                    continue
                self._handle(path, seen, key, now)
                handled.append(path)
            self._seen = current
            stale = [k for k, last in self._done.items() if now - last > self.forget_after]
            for k in stale:
                # Not seen for a long time (moved away, deleted, or tidied by hand).
                del self._done[k]
            if stale or changed:
                self._save_ledger()
            return handled

    def _wanted(self, path: Path) -> bool:
        name = path.name
        if name.startswith((".", "~$")) or name.lower().endswith(_TEMP_SUFFIXES):
            return False
        if path.suffix.lower() not in self.suffixes:
            return False
        return path.is_file()

    def _handle(self, path: Path, seen: _Seen, key: str, now: float) -> None:
        ok = True
        try:
            self.on_file(path)
        except Exception as e:  # noqa: BLE001 - reported to on_error; the file goes to "gagal"
            ok = False
            log.warning("watched file %s failed: %s", path.name, e)
            if self.on_error is not None:
                try:
                    self.on_error(path, e)
                except Exception:  # noqa: BLE001 - a broken error handler must not stop the watch
                    log.exception("on_error failed")
        # Recorded before (and whatever becomes of) the move: the ledger alone says what was
        # handled, in this session and after a restart.
        self._done[key] = now
        self._save_ledger()
        try:
            self._put_away(path, ok)
        except OSError as e:
            log.warning("cannot move %s out of the watched folder (ledger keeps it): %s", path.name, e)

    def _put_away(self, path: Path, ok: bool) -> None:
        if self.after == "rename" and ok:
            self.mover(path, _free_name(path.with_name(path.name + DONE_SUFFIX)))
            return
        target_dir = self.folder / (DONE_DIR if ok else FAILED_DIR)
        target_dir.mkdir(exist_ok=True)
        self.mover(path, _free_name(target_dir / path.name))

    # --- ledger of handled files ---------------------------------------------------------

    def _load_ledger(self) -> dict[str, float]:
        try:
            data = json.loads(self.ledger.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as e:
            # A damaged ledger costs at most a file offered twice; never the watch itself.
            log.warning("watch ledger %s unreadable, starting empty: %s", self.ledger, e)
            return {}
        out: dict[str, float] = {}
        if not isinstance(data, dict):
            return out
        now = self._clock()
        seen = data.get("seen", {})
        if isinstance(seen, dict):
            for key, last in seen.items():
                if isinstance(key, str) and len(key) == 32 and isinstance(last, int | float):
                    out[key] = float(last)
        for entry in data.get("files", []) if isinstance(data.get("files"), list) else []:
            # Version 1 listed names of files that could not be moved.
            try:
                name, size, mtime = str(entry["name"]), int(entry["size"]), int(entry["mtime_ns"])
            except (KeyError, TypeError, ValueError):
                continue
            if "/" in name or "\\" in name or name in ("", ".", ".."):
                continue  # only plain names of this folder
            out[_entry_key(name, size, mtime)] = now
        return out

    def _save_ledger(self) -> None:
        seen = {k: int(v) for k, v in sorted(self._done.items())}
        text = json.dumps({"version": _LEDGER_VERSION, "seen": seen}, indent=0)
        tmp = self.ledger.with_name(self.ledger.name + ".tmp")
        try:
            self.ledger.parent.mkdir(parents=True, exist_ok=True)
            with open(tmp, "w", encoding="utf-8") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.ledger)  # atomic: a power cut leaves the old or the new ledger
        except OSError as e:
            log.warning("cannot write watch ledger %s (files kept in memory only): %s", self.ledger, e)


def _free_name(target: Path) -> Path:
    """``target``, or ``name (2).ext``, ``name (3).ext``... if that name is taken."""
    if not target.exists():
        return target
    stem, suffix = target.name.split(".", 1)[0], "".join(target.suffixes)
    n = 2
    while True:
        cand = target.with_name(f"{stem} ({n}){suffix}")
        if not cand.exists():
            return cand
        n += 1
