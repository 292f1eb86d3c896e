"""Logging to a rotating file in the platformdirs log folder (paths.app_paths().logs).

The log is what an operator sends to the office when something went wrong, so it must exist
even after a crash and must not grow without bound on a small laptop disk. Personal data
(names, NIK) is never logged; ids are.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
from pathlib import Path

LOG_FILE_NAME = "desa_capil.log"
MAX_BYTES = 2 * 1024 * 1024
BACKUP_COUNT = 5
FORMAT = "%(asctime)s %(levelname)-7s %(threadName)s %(name)s: %(message)s"

_installed: list[logging.Handler] = []


def setup_logging(log_dir: Path, level: int = logging.INFO, *, console: bool = True) -> Path:
    """Send the root logger to `log_dir`/desa_capil.log (rotating) and warnings to stderr.

    Safe to call again: the handlers of an earlier call are replaced, not doubled.
    Returns the log file's path.
    """
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / LOG_FILE_NAME
    root = logging.getLogger()
    teardown_logging()
    file_handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8"
    )
    file_handler.setFormatter(logging.Formatter(FORMAT))
    file_handler.setLevel(level)
    root.addHandler(file_handler)
    _installed.append(file_handler)
    # A GUI build on Windows has no stderr (pythonw): then the file is the only place.
    if console and sys.stderr is not None:
        stream = logging.StreamHandler(sys.stderr)
        stream.setFormatter(logging.Formatter(FORMAT))
        stream.setLevel(logging.WARNING)
        root.addHandler(stream)
        _installed.append(stream)
    root.setLevel(min(level, root.level) if root.level else level)
    # Python warnings (a library's deprecation, a damaged file's metadata) land in the log too:
    # a GUI build has no console where they would otherwise go.
    logging.captureWarnings(True)
    return path


def teardown_logging() -> None:
    """Remove and close the handlers setup_logging added."""
    root = logging.getLogger()
    while _installed:
        handler = _installed.pop()
        root.removeHandler(handler)
        handler.close()
