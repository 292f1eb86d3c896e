"""Files only this user may read, written so that a power cut leaves the old file or the whole new one.

One way to write them for every secret and every stored blob: a temp file beside the target,
created 0600 from its first byte (``mkstemp``), written and fsynced, then put in place and the
folder fsynced. Keys, tokens and sealed pages all go through here.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (a no-op on Windows, where folders cannot be opened)."""
    if os.name == "nt":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_private(path: Path, data: bytes, *, first_wins: bool = False) -> bool:
    """Write ``data`` to ``path`` as a 0600 file; readers see no file, the old one or the whole new one.

    With ``first_wins`` an existing ``path`` is left as it is and False is returned: of two
    processes creating the same file at once, the first one's content stays, never a mix.
    OSError (a full disk among them) is raised with the temp file removed.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    # ".tmp-" is what the blob store's orphan collection knows as a write cut short.
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if first_wins:
            try:
                os.link(tmp, path)
            except FileExistsError:
                return False
            except OSError:  # a file system without hard links (FAT sticks, some shares)
                if path.exists():
                    return False
                os.replace(tmp, path)
        else:
            os.replace(tmp, path)
        fsync_dir(path.parent)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    return True
