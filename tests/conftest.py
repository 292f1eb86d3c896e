"""Shared fixtures. Every test runs with its own app home in tmp: no real user folder is touched."""

from __future__ import annotations

import faulthandler
import hashlib
import importlib
import importlib.util
import os
import sys
import tempfile
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from desa_capil.paths import HOME_ENV, AppPaths, app_paths  # noqa: E402
from desa_capil.store.db import Database, open_database  # noqa: E402

if TYPE_CHECKING:
    from desa_capil.server.testing import StickLaptop


JBIG2_MODULE = "desa_capil.scan._jbig2"


def _jbig2_source() -> Path:
    spec = importlib.util.find_spec("desa_capil.scan")
    assert spec is not None and spec.origin is not None
    return Path(spec.origin).with_name("_jbig2.c")


def _jbig2_fresh(source: Path) -> bool:
    """The compiled coder is importable and not older than its C source."""
    importlib.invalidate_caches()
    spec = importlib.util.find_spec(JBIG2_MODULE)
    return (
        spec is not None
        and spec.origin is not None
        and os.stat(spec.origin).st_mtime >= source.stat().st_mtime
    )


def _build_jbig2(source: Path) -> None:
    """Compile the coder into a temporary folder and move it next to its source, as
    ``build_ext --inplace`` (an editable install) would."""
    from setuptools import Distribution, Extension

    with tempfile.TemporaryDirectory(prefix="jbig2-build-") as tmp:
        dist = Distribution(
            {"name": "jbig2-test-build", "ext_modules": [Extension(JBIG2_MODULE, [str(source)])]}
        )
        cmd = dist.get_command_obj("build_ext")
        cmd.build_lib = f"{tmp}/lib"  # type: ignore[attr-defined]
        cmd.build_temp = f"{tmp}/tmp"  # type: ignore[attr-defined]
        dist.run_command("build_ext")
        (built,) = Path(tmp, "lib").rglob("_jbig2*")
        os.replace(built, source.with_name(built.name))


def pytest_configure(config: pytest.Config) -> None:
    """Automatic cyclic garbage collection is off for the session, as in the app (it would run
    in whichever thread allocates, and free Qt objects there: desa_capil.ui.gc_guard).

    Build the JBIG2 coder in place once, before any test module imports it, so that this
    process and every subprocess a test starts (the self-test, a real app start) have it even
    in a checkout where ``pip install -e .`` was not re-run (a worktree on PYTHONPATH). A lock
    keeps parallel sessions on the same checkout from building over each other. Without a C
    compiler the coder's tests skip, except on CI (CI=true), where the session fails."""
    from desa_capil.ui import gc_guard

    gc_guard.disable_automatic()
    source = _jbig2_source()
    if _jbig2_fresh(source):
        return
    lock_path = (
        Path(tempfile.gettempdir())
        / f"desa_capil-jbig2-{hashlib.sha1(str(source).encode()).hexdigest()[:12]}.lock"
    )
    try:
        with open(lock_path, "w") as lock:
            if sys.platform != "win32":
                import fcntl

                fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
            if not _jbig2_fresh(source):
                _build_jbig2(source)
    except Exception as exc:
        if os.environ.get("CI") == "true":
            raise
        warnings.warn(f"the JBIG2 coder could not be built ({exc!r}): its tests skip", stacklevel=1)
        return
    importlib.invalidate_caches()
    jbig2 = sys.modules.get("desa_capil.scan.jbig2")
    if jbig2 is not None and getattr(jbig2, "_jbig2", None) is None:
        jbig2._jbig2 = jbig2._load()  # type: ignore[attr-defined]


# pytest-timeout's thread method needs the GIL to report a stuck test and end the run. A
# deadlock where a thread waits inside Qt while holding the GIL starves it, and the run then
# hangs silently until CI's own limit (seen once, with no trace). faulthandler's watchdog is a
# C thread: it prints every Python thread's stack and exits, GIL or not. It fires a little after
# the test's own timeout, so pytest-timeout still reports every ordinary slow test first.
HANG_GRACE_S = 120
_hang_fd: int | None = None


@pytest.hookimpl(trylast=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    global _hang_fd
    _hang_fd = os.dup(sys.__stderr__.fileno() if sys.__stderr__ is not None else 2)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    marker = item.get_closest_marker("timeout")
    limit = (
        float(marker.args[0])
        if marker is not None and marker.args
        else float(item.config.getini("timeout") or 300)
    )
    if _hang_fd is not None:
        faulthandler.dump_traceback_later(limit + HANG_GRACE_S, exit=True, file=_hang_fd)
    try:
        yield
    finally:
        faulthandler.cancel_dump_traceback_later()


# Set up before the test's other function fixtures, so torn down after them, and still inside
# the test's teardown, before pytest looks for exceptions raised in finalizers: what a
# finalizer of this test's garbage raises (a ResourceWarning, an error) fails this test, not
# the next one's setup.
@pytest.fixture(autouse=True)
def _collect_cycles_after_each_test() -> Iterator[None]:
    yield
    _collect_on_this_thread()


def _collect_on_this_thread() -> None:
    """As in the app (desa_capil.ui.gc_guard), cyclic garbage is collected on the main thread
    only: after each test, and by the guard's timer whenever a test runs Qt's event loop."""
    from desa_capil.ui import gc_guard

    gc_guard.ensure()  # the guard's timer, once a test made the QApplication
    gc_guard.collect_due()
    # Whatever the test left in cycles, under the threshold too (a few objects: it costs
    # nothing), so that its finalizers run now, in this test's teardown.
    gc_guard.collect(0)


@pytest.fixture
def no_keyring() -> Iterator[None]:
    """No credential store (keyring's fail backend): the app keeps its secrets in its 0600
    fallback file, and a test never touches the machine's real store. Test modules ask for it
    with ``pytest.mark.usefixtures("no_keyring")``."""
    import keyring
    from keyring.backends import fail

    old = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(old)


@pytest.fixture(autouse=True)
def app_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv(HOME_ENV, str(home))
    # Belt and braces: anything that asks platformdirs directly also lands in tmp.
    for name in ("user_data_dir", "user_config_dir", "user_cache_dir", "user_log_dir", "user_state_dir"):
        monkeypatch.setattr(platformdirs, name, lambda *a, _n=name, **k: str(tmp_path / "platformdirs" / _n))
    return home


@pytest.fixture
def paths(app_home: Path) -> AppPaths:
    return app_paths().ensure()


@pytest.fixture
def db(paths: AppPaths) -> Iterator[Database]:
    database = open_database(paths)
    yield database
    database.close()


@pytest.fixture
def stick_laptop() -> Callable[..., StickLaptop]:
    """Enroll a village laptop by file on a running office server (the USB route):
    ``stick_laptop(server)`` or ``stick_laptop(server, village_code, village_name)``; the village
    is made when missing. Shared by the server, console and object-storage USB tests."""
    from desa_capil.server.testing import enroll_by_stick  # the server stack, only when used

    return enroll_by_stick
