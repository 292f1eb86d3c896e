"""House rules that tools check: ruff (lint and format) on the whole tree, mypy strict on the core.

Run here so that CI enforces them with the same command as the rest of the suite.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _tool(name: str) -> str:
    exe = BIN / name
    found = str(exe) if exe.exists() else shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed (pip install -e .[dev])")
    return found


@pytest.mark.parametrize(
    "args",
    [["check", "."], ["format", "--check", "."]],
    ids=["ruff-check", "ruff-format"],
)
def test_ruff(args: list[str]) -> None:
    run = subprocess.run([_tool("ruff"), *args], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_mypy_strict_core() -> None:
    # Without PYTHONPATH: set to a checkout (as engineers do to test a worktree), it hid the
    # third-party stubs' types from mypy, so errors CI then found passed here.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "MYPYPATH")}
    run = subprocess.run(
        [_tool("mypy"), "--no-incremental", "--cache-dir", "/dev/null" if sys.platform != "win32" else "nul"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
    )
    assert run.returncode == 0, run.stdout + run.stderr
