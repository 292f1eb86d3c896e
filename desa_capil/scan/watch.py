"""A watched folder: many office scanners (and phone-sync tools) save each page as a file
into a folder. New files there become pages.

Pure-Python polling, no OS notification API: it behaves the same on Windows, Linux, network
shares and USB sticks, and costs one directory listing per interval.

Rules:
* a file is handed over only when it is complete: its size and modification time were the
  same at two polls in a row (a scanner writing a 600 dpi page takes seconds);
* each file is handed over once: after ``on_file`` returns it is moved into the ``selesai``
  subfolder (or, with ``after="rename"``, renamed with a ``.selesai`` suffix) so that a
  restart does not import it again; if ``on_file`` fails it goes to ``gagal`` instead, and
  ``on_error`` is told. If the move itself fails (a read-only share, a file held open on
  Windows), the file is written into a small *ledger* (JSON: name, size, modification time)
  so that a restart does not offer it again either. The ledger lives in the hidden
  ``.desa_capil`` subfolder of the watched folder, or at a path the caller gives (for a
  folder that cannot be written at all); it only lists files still lying in the folder, so
  it stays small. If the ledger cannot be written either, the file is remembered for the
  life of the watcher and a warning is logged;
* hidden and temporary files (``.part``, ``.tmp``, ``~$x``, ``.crdownload``) and other file
  types are ignored.

The callbacks run on the watcher's own thread (or on the caller's for ``poll_once``); a UI
passes results to its main thread itself (e.g. by a Qt signal).
"""

from __future__ import annotations

import json
import logging
import os
import threading
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
_LEDGER_VERSION = 1

#: ``mover(source, target)``: how a handled file is put away (default: ``Path.rename``).
Mover = Callable[[Path, Path], None]


def _rename(source: Path, target: Path) -> None:
    source.rename(target)


@dataclass(frozen=True)
class _Seen:
    size: int
    mtime_ns: int


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
        self._done: set[tuple[Path, int, int]] = self._load_ledger()
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
            for path in sorted(entries):
                if not self._wanted(path):
                    continue
                try:
                    st = path.stat()
                except OSError:
                    continue  # gone between listing and stat: a scanner renaming its temp file
                seen = _Seen(st.st_size, st.st_mtime_ns)
                current[path] = seen
                if (path, seen.size, seen.mtime_ns) in self._done:
                    continue
                if seen.size == 0 or self._seen.get(path) != seen:
                    continue  # new or still growing: look again next round
                self._handle(path, seen)
                handled.append(path)
            self._seen = current
            stale = {d for d in self._done if d[0] not in current}
            if stale:
                # Files that left the folder (moved by hand, deleted) need no entry any more.
                self._done -= stale
                self._save_ledger()
            return handled

    def _wanted(self, path: Path) -> bool:
        name = path.name
        if name.startswith((".", "~$")) or name.lower().endswith(_TEMP_SUFFIXES):
            return False
        if path.suffix.lower() not in self.suffixes:
            return False
        return path.is_file()

    def _handle(self, path: Path, seen: _Seen) -> None:
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
        try:
            self._put_away(path, ok)
        except OSError as e:
            # The file stays where it is: the ledger keeps it from being offered again,
            # in this session and after a restart.
            log.warning("cannot move %s out of the watched folder: %s", path.name, e)
            self._done.add((path, seen.size, seen.mtime_ns))
            self._save_ledger()

    def _put_away(self, path: Path, ok: bool) -> None:
        if self.after == "rename" and ok:
            self.mover(path, _free_name(path.with_name(path.name + DONE_SUFFIX)))
            return
        target_dir = self.folder / (DONE_DIR if ok else FAILED_DIR)
        target_dir.mkdir(exist_ok=True)
        self.mover(path, _free_name(target_dir / path.name))

    # --- ledger of files that could not be moved -------------------------------------------

    def _load_ledger(self) -> set[tuple[Path, int, int]]:
        try:
            data = json.loads(self.ledger.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return set()
        except (OSError, ValueError) as e:
            # A damaged ledger costs at most a file offered twice; never the watch itself.
            log.warning("watch ledger %s unreadable, starting empty: %s", self.ledger, e)
            return set()
        out: set[tuple[Path, int, int]] = set()
        entries = data.get("files", []) if isinstance(data, dict) else []
        for entry in entries:
            try:
                name, size, mtime = str(entry["name"]), int(entry["size"]), int(entry["mtime_ns"])
            except (KeyError, TypeError, ValueError):
                continue
            if "/" in name or "\\" in name or name in ("", ".", ".."):
                continue  # only plain names of this folder
            out.add((self.folder / name, size, mtime))
        return out

    def _save_ledger(self) -> None:
        entries = [
            {"name": p.name, "size": size, "mtime_ns": mtime}
            for p, size, mtime in sorted(self._done, key=lambda d: (d[0].name, d[1], d[2]))
        ]
        text = json.dumps({"version": _LEDGER_VERSION, "files": entries}, indent=1)
        tmp = self.ledger.with_name(self.ledger.name + ".tmp")
        try:
            self.ledger.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(text, encoding="utf-8")
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
