"""What build_installer.py leaves out of the bundle (EXCLUDES) must be what the app never
imports: every module of the app imported (as the bundle's self-test does) with the bundle's
runtime hook that refuses setuptools, in a fresh interpreter, imports none of them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = r"""
import importlib, importlib.abc, json, pkgutil, sys, traceback
hook, excluded = sys.argv[1], json.loads(sys.argv[2])
tried = []
HOOKED = ("setuptools", "pkg_resources", "distutils", "_distutils_hack")


class Bundle(importlib.abc.MetaPathFinder):
    # What the bundle does: EXCLUDES are not there (the runtime hook answers for setuptools);
    # every attempt is noted with the file that asked.
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in excluded:
            frames = [f.filename for f in traceback.extract_stack() if "importlib" not in f.filename]
            tried.append([name, frames[-2] if len(frames) > 1 else ""])
            if name.split(".")[0] not in HOOKED:  # those: the hook, next in line, raises
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


exec(compile(hook, "rthook_no_setuptools.py", "exec"), {"__name__": "rthook"})
sys.meta_path.insert(0, Bundle())
import desa_capil
failed = {}
for info in pkgutil.walk_packages(desa_capil.__path__, "desa_capil."):
    if info.name.endswith("__main__") or ".migrations." in info.name:
        continue
    try:
        importlib.import_module(info.name)
    except Exception as exc:
        failed[info.name] = repr(exc)
from tufup.client import Client  # the update client: tufup.repo catches the hook's error
print(json.dumps({"failed": failed, "tried": tried}))
"""

#: Left out in the fourth round because nothing in the app imports them, not even optionally
#: (setuptools: only tufup.repo, which catches the runtime hook's error).
NEVER_IMPORTED = (
    "setuptools",
    "pkg_resources",
    "distutils",
    "_distutils_hack",
    "rich",
    "markdown_it",
    "mdurl",
    "pydoc_data",
)


def _probe(hook: str, excluded: list[str]) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, hook, json.dumps(excluded)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    result: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def test_the_app_imports_nothing_the_bundle_leaves_out() -> None:
    sys.path.insert(0, str(ROOT))
    import build_installer

    for name in NEVER_IMPORTED:
        assert name in build_installer.EXCLUDES
    excluded = [m for m in build_installer.EXCLUDES if "." not in m]
    result = _probe(build_installer.NO_SETUPTOOLS_HOOK, excluded)
    # Every module of the app imports without them (optional imports fall back)...
    assert result["failed"] == {}
    # ...and of this round's, only tufup.repo asks, for setuptools.
    tried = result["tried"]
    assert isinstance(tried, list)
    asked = [(name, Path(where).as_posix()) for name, where in tried if name.split(".")[0] in NEVER_IMPORTED]
    assert asked and all(
        name.startswith("setuptools") and where.endswith("tufup/repo/__init__.py") for name, where in asked
    ), asked


def test_the_hook_makes_setuptools_an_error_both_tufup_and_others_catch() -> None:
    sys.path.insert(0, str(ROOT))
    import build_installer

    code = build_installer.NO_SETUPTOOLS_HOOK + (
        "\nimport json\nout = []\n"
        "for name in ('setuptools.config.expand', 'distutils', 'pkg_resources'):\n"
        "    try:\n"
        "        __import__(name)\n"
        "    except ImportError as exc:\n"
        "        out.append([name, isinstance(exc, AssertionError), exc.name])\n"
        "print(json.dumps(out))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert json.loads(proc.stdout) == [
        ["setuptools.config.expand", True, "setuptools"],
        ["distutils", True, "distutils"],
        ["pkg_resources", True, "pkg_resources"],
    ]


def test_the_pyc_packages_hook_names_packages_that_exist(tmp_path: Path) -> None:
    import importlib.util

    sys.path.insert(0, str(ROOT))
    import build_installer

    hooks = build_installer.write_collection_hook(tmp_path / "hooks")
    namespace: dict[str, object] = {}
    exec((hooks / "hook-desa_capil.py").read_text(encoding="utf-8"), namespace)
    assert namespace["module_collection_mode"] == {"sqlalchemy": "pyc", "desa_capil": "pyc"}
    for name in build_installer.PYC_PACKAGES:  # a renamed package would silently fall back
        assert importlib.util.find_spec(name) is not None, name
