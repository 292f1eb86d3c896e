"""The core stays free of Qt; only the UI layer touches widgets (DESIGN.md, STYLE.md habit 1).

Reads every module's syntax tree (no imports are executed), so a violation is found even in
code no test runs, including imports inside functions.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "desa_capil"

# Never import PySide6 at all: they run on the server, in the sync worker, in CLI tools and in
# tests without a display.
QT_FREE = (
    "domain", "store", "sync", "api", "server", "scan", "reports", "security", "phone", "services",
    "backup", "update", "usbroute",
)  # fmt: skip
# Where QtWidgets may be imported.
WIDGET_OK = ("ui",)
WIDGET_OK_FILES = ("app.py",)


def modules(under: Path) -> Iterator[Path]:
    yield from sorted(p for p in under.rglob("*.py") if "__pycache__" not in p.parts)


def imported_names(path: Path) -> Iterator[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module
            for alias in node.names:
                # `from PySide6 import QtWidgets`
                yield node.lineno, f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
            "import_module",
            "__import__",
        ):
            if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                yield node.lineno, node.args[0].value


def is_qt(name: str) -> bool:
    return (
        name == "PySide6" or name.startswith("PySide6.") or name.startswith(("PyQt5", "PyQt6", "shiboken6"))
    )


def is_widgets(name: str) -> bool:
    return name.startswith(("PySide6.QtWidgets", "PySide6.QtPrintSupport", "PySide6.QtMultimediaWidgets"))


@pytest.mark.parametrize("layer", QT_FREE)
def test_core_layers_never_import_qt(layer: str) -> None:
    folder = PACKAGE / layer
    if not folder.exists():
        pytest.skip(f"desa_capil/{layer} does not exist yet")
    bad = [
        f"{path.relative_to(PACKAGE.parent)}:{line} imports {name}"
        for path in modules(folder)
        for line, name in imported_names(path)
        if is_qt(name)
    ]
    assert not bad, "Qt in a Qt-free layer:\n" + "\n".join(bad)


def test_only_the_ui_imports_widgets() -> None:
    bad = []
    for path in modules(PACKAGE):
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] in WIDGET_OK or str(rel) in WIDGET_OK_FILES:
            continue
        bad += [
            f"desa_capil/{rel}:{line} imports {name}"
            for line, name in imported_names(path)
            if is_widgets(name)
        ]
    assert not bad, "QtWidgets outside desa_capil/ui and app.py:\n" + "\n".join(bad)


def test_the_checker_sees_violations(tmp_path: Path) -> None:
    """The walker itself must catch every import form, or the tests above prove nothing."""
    sample = tmp_path / "m.py"
    sample.write_text(
        "import PySide6.QtCore\n"
        "from PySide6 import QtWidgets\n"
        "def f():\n"
        "    from PySide6.QtWidgets import QLabel\n"
        "    import importlib\n"
        "    importlib.import_module('PySide6.QtGui')\n",
        encoding="utf-8",
    )
    names = [n for _l, n in imported_names(sample)]
    assert sum(is_qt(n) for n in names) >= 4
    assert sum(is_widgets(n) for n in names) >= 2
