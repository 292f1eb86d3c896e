"""Watched folder: complete files once, growing files later, temp files never."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from scan_pages import text_page

from desa_capil.errors import BadInputError, StorageError
from desa_capil.scan.sources import RawPage, import_file
from desa_capil.scan.watch import (
    DONE_DIR,
    FAILED_DIR,
    FORGET_AFTER,
    LEDGER_DIR,
    LEDGER_NAME,
    FolderWatcher,
    ledger_path,
)


def _png(path: Path, seed: int = 1) -> Path:
    text_page(seed=seed).save(path, "PNG", dpi=(150, 150))
    return path


def test_complete_file_is_handed_over_once_and_moved(tmp_path: Path) -> None:
    got: list[Path] = []
    w = FolderWatcher(tmp_path, got.append)
    f = _png(tmp_path / "scan001.png")
    assert w.poll_once() == []  # first sight: size not yet known to be stable
    assert w.poll_once() == [f]
    assert got == [f]
    assert not f.exists()
    assert (tmp_path / DONE_DIR / "scan001.png").exists()
    assert w.poll_once() == [] and w.poll_once() == []
    assert got == [f]


def test_file_still_being_written_waits(tmp_path: Path) -> None:
    got: list[Path] = []
    w = FolderWatcher(tmp_path, got.append)
    f = tmp_path / "scan002.tif"
    f.write_bytes(b"II*\x00" + b"\x00" * 1000)
    w.poll_once()
    with f.open("ab") as fh:  # the scanner writes more between two polls
        fh.write(b"\x00" * 5000)
    assert w.poll_once() == []
    assert got == []
    assert w.poll_once() == [f]


def test_temp_hidden_empty_and_other_files_are_ignored(tmp_path: Path) -> None:
    got: list[Path] = []
    w = FolderWatcher(tmp_path, got.append)
    for name in ("scan.png.part", ".scan.png", "~$scan.png", "catatan.txt", "scan.tmp"):
        (tmp_path / name).write_bytes(b"x" * 100)
    (tmp_path / "kosong.png").write_bytes(b"")
    (tmp_path / "sub.png").mkdir()
    for _ in range(3):
        w.poll_once()
    assert got == []
    # A temp file renamed to its final name (what scanners do) is picked up.
    (tmp_path / "scan.png.part").rename(tmp_path / "scan.png")
    w.poll_once()
    assert w.poll_once() == [tmp_path / "scan.png"]


def test_failed_import_goes_to_gagal_and_is_reported(tmp_path: Path) -> None:
    errors: list[tuple[Path, BaseException]] = []
    pages: list[RawPage] = []

    def on_file(p: Path) -> None:
        pages.extend(import_file(p, source="folder"))

    w = FolderWatcher(tmp_path, on_file, on_error=lambda p, e: errors.append((p, e)))
    bad = tmp_path / "rusak.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    good = _png(tmp_path / "baik.png")
    w.poll_once()
    w.poll_once()
    assert [p.origin_name for p in pages] == ["baik.png"]
    assert pages[0].source == "folder"
    assert [(p.name, type(e)) for p, e in errors] == [("rusak.jpg", BadInputError)]
    assert (tmp_path / FAILED_DIR / "rusak.jpg").exists()
    assert (tmp_path / DONE_DIR / "baik.png").exists()
    assert not good.exists()


def test_same_name_again_is_a_new_page(tmp_path: Path) -> None:
    got: list[Path] = []
    w = FolderWatcher(tmp_path, got.append)
    for seed in (1, 2):
        _png(tmp_path / "scan.png", seed)
        w.poll_once()
        w.poll_once()
    assert len(got) == 2
    assert sorted(p.name for p in (tmp_path / DONE_DIR).iterdir()) == ["scan (2).png", "scan.png"]


def test_rename_mode_marks_done_in_place(tmp_path: Path) -> None:
    got: list[Path] = []
    w = FolderWatcher(tmp_path, got.append, after="rename")
    _png(tmp_path / "a.png")
    w.poll_once()
    w.poll_once()
    assert (tmp_path / "a.png.selesai").exists()
    w.poll_once()
    w.poll_once()
    assert len(got) == 1


def test_file_that_cannot_be_moved_is_still_handled_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    got: list[Path] = []
    w = FolderWatcher(tmp_path, got.append)

    def locked(self: Path, target: Path) -> None:
        raise PermissionError("file is open in another program")

    monkeypatch.setattr(Path, "rename", locked)
    f = _png(tmp_path / "a.png")
    for _ in range(4):
        w.poll_once()
    assert got == [f]
    assert f.exists()


def _read_only(source: Path, target: Path) -> None:
    raise PermissionError(13, "Read-only file system", str(source))


@pytest.mark.parametrize("own_ledger", [False, True], ids=["hidden-subfolder", "caller-path"])
def test_unmovable_file_is_not_offered_again_after_a_restart(tmp_path: Path, own_ledger: bool) -> None:
    folder = tmp_path / "pindaian"
    folder.mkdir()
    ledger = tmp_path / "app" / "ledger.json" if own_ledger else None
    f = _png(folder / "a.png")
    got: list[Path] = []
    w = FolderWatcher(folder, got.append, mover=_read_only, ledger=ledger)
    for _ in range(3):
        w.poll_once()
    assert got == [f] and f.exists()
    expected = ledger if ledger is not None else folder / LEDGER_DIR / LEDGER_NAME
    assert w.ledger == expected and expected.exists()
    # "Restart": a new watcher (new process) over the same folder and ledger.
    again: list[Path] = []
    w2 = FolderWatcher(folder, again.append, mover=_read_only, ledger=ledger)
    for _ in range(3):
        w2.poll_once()
    assert again == []
    # The same name with new content (the scanner overwrote it) is a new page.
    _png(f, seed=2)
    for _ in range(2):
        w2.poll_once()
    assert again == [f]


def test_ledger_forgets_files_long_gone_and_names_no_file(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.json"
    folder = tmp_path / "in"
    folder.mkdir()
    now = [1_000_000.0]
    got: list[Path] = []
    w = FolderWatcher(folder, got.append, mover=_read_only, ledger=ledger, clock=lambda: now[0])
    a, b = _png(folder / "KTP Budi.png"), _png(folder / "b.png", seed=2)
    w.poll_once()
    w.poll_once()
    text = ledger.read_text()
    assert len(json.loads(text)["seen"]) == 2
    assert "Budi" not in text  # hashed: scan names can be personal
    a.unlink()  # the operator tidied the folder by hand
    now[0] += FORGET_AFTER / 2
    w.poll_once()
    assert len(json.loads(ledger.read_text())["seen"]) == 2  # gone a while: still remembered
    now[0] += FORGET_AFTER
    w.poll_once()
    # b is still in the folder (seen again within the last day), a is long gone.
    assert len(json.loads(ledger.read_text())["seen"]) == 1
    assert got == [a, b] and b.exists()


def test_folder_listing_empty_for_a_while_brings_nothing_back(tmp_path: Path) -> None:
    """A network share that lists empty (unplugged, remounted) must not reset the ledger."""
    folder = tmp_path / "share"
    folder.mkdir()
    ledger = tmp_path / "app" / "l.json"
    got: list[Path] = []
    w = FolderWatcher(folder, got.append, mover=_read_only, ledger=ledger)
    f = _png(folder / "a.png")
    w.poll_once()
    w.poll_once()
    hidden = tmp_path / "away.png"
    f.rename(hidden)
    w.poll_once()
    hidden.rename(f)
    w.poll_once()
    w.poll_once()
    assert got == [f]


def test_read_only_folder_does_not_feed_old_scans_to_each_new_application(tmp_path: Path) -> None:
    """The papers step makes a new watcher for every application. With a folder the app cannot
    change at all (no move, no hidden ledger folder), only new scans reach the next one."""
    folder = tmp_path / "scanner"
    folder.mkdir()
    (folder / LEDGER_DIR).write_text("not a folder")  # the hidden ledger cannot be made there
    data = tmp_path / "appdata"
    old = [_png(folder / f"old{i}.png", seed=i) for i in range(3)]

    first: list[Path] = []
    w1 = FolderWatcher(folder, first.append, mover=_read_only, ledger=ledger_path(data, folder))
    w1.poll_once()
    w1.poll_once()
    assert first == old
    w1.stop()

    second: list[Path] = []
    w2 = FolderWatcher(folder, second.append, mover=_read_only, ledger=ledger_path(data, folder))
    w2.poll_once()
    w2.poll_once()
    assert second == []
    new = _png(folder / "new.png", seed=9)
    w2.poll_once()
    w2.poll_once()
    assert second == [new]
    assert ledger_path(data, folder).is_relative_to(data)
    assert ledger_path(data, folder) != ledger_path(data, tmp_path / "other")


@pytest.mark.parametrize(
    "content", ["{not json", '{"files": [{"name": "../x.png", "size": 1, "mtime_ns": 1}]}', "[]"]
)
def test_damaged_ledger_is_ignored(tmp_path: Path, content: str) -> None:
    ledger = tmp_path / "ledger.json"
    ledger.write_text(content)
    got: list[Path] = []
    w = FolderWatcher(tmp_path, got.append, ledger=ledger)
    f = _png(tmp_path / "a.png")
    w.poll_once()
    w.poll_once()
    assert got == [f]


def test_unwritable_ledger_still_handles_each_file_once(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")  # the ledger's folder cannot be made: a file is in the way
    folder = tmp_path / "in"
    folder.mkdir()
    got: list[Path] = []
    w = FolderWatcher(folder, got.append, mover=_read_only, ledger=blocker / "ledger.json")
    f = _png(folder / "a.png")
    for _ in range(4):
        w.poll_once()
    assert got == [f]


def test_background_thread_delivers_files(tmp_path: Path) -> None:
    arrived = threading.Event()
    got: list[Path] = []

    def on_file(p: Path) -> None:
        got.append(p)
        arrived.set()

    with FolderWatcher(tmp_path, on_file, interval=0.02) as w:
        assert w.running
        _png(tmp_path / "scan.png")
        assert arrived.wait(timeout=10), "watcher did not deliver the file"
    assert not w.running
    assert [p.name for p in got] == ["scan.png"]


def test_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    w = FolderWatcher(tmp_path / "tidak-ada", lambda p: None)
    with pytest.raises(StorageError) as e:
        w.start()
    assert "tidak ada" in e.value.message_id
    assert w.poll_once() == []


def test_a_stop_during_a_round_hands_over_no_further_file(tmp_path: Path) -> None:
    """A batch scanner leaves several files at once. Stopped while one is being handed over
    (the operator closes the application's window), the watcher hands over no further file:
    the window that stopped watching would not take them in, yet each would be recorded as
    handled and put away. They stay where they are, for the next watch."""
    got: list[str] = []
    w = FolderWatcher(tmp_path, lambda p: (got.append(p.name), w.stop()))
    for i in range(3):
        _png(tmp_path / f"scan{i}.png", seed=i + 1)
    assert w.poll_once() == []
    assert [p.name for p in w.poll_once()] == ["scan0.png"]
    assert got == ["scan0.png"]
    assert (tmp_path / "scan1.png").exists() and (tmp_path / "scan2.png").exists()
    later: list[str] = []
    again = FolderWatcher(tmp_path, lambda p: later.append(p.name))
    again.poll_once()
    again.poll_once()
    assert later == ["scan1.png", "scan2.png"]
