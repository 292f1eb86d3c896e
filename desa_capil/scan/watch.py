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
  ``on_error`` is told. If the move itself fails (a file held open on Windows), the file is
  remembered as done for the life of the watcher;
* hidden and temporary files (``.part``, ``.tmp``, ``~$x``, ``.crdownload``) and other file
  types are ignored.

The callbacks run on the watcher's own thread (or on the caller's for ``poll_once``); a UI
passes results to its main thread itself (e.g. by a Qt signal).
"""

from __future__ import annotations

import logging
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
    ) -> None:
        self.folder = Path(folder)
        self.on_file = on_file
        self.on_error = on_error
        self.interval = interval
        self.suffixes = frozenset(s.lower() for s in suffixes)
        self.after = after
        self._seen: dict[Path, _Seen] = {}
        self._done: set[tuple[Path, int, int]] = set()
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
        self._done.add((path, seen.size, seen.mtime_ns))
        try:
            self._put_away(path, ok)
        except OSError as e:
            # Still done for this session (remembered above); the next start may offer it again.
            log.warning("cannot move %s out of the watched folder: %s", path.name, e)

    def _put_away(self, path: Path, ok: bool) -> None:
        if self.after == "rename" and ok:
            path.rename(_free_name(path.with_name(path.name + DONE_SUFFIX)))
            return
        target_dir = self.folder / (DONE_DIR if ok else FAILED_DIR)
        target_dir.mkdir(exist_ok=True)
        path.rename(_free_name(target_dir / path.name))


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
