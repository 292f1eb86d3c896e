#!/usr/bin/env python3
"""Refresh the English catalogue from the code, and compile the .qm files.

    .venv/bin/python resources/i18n/update.py                    # lupdate + lrelease
    .venv/bin/python resources/i18n/update.py --fill new.json    # ... + translations to add
    .venv/bin/python resources/i18n/update.py --check            # exit 1 if anything unfinished

1. ``pyside6-lupdate`` reads every ``self.tr("...")`` and ``QCoreApplication.translate(ctx, "...")``
   under desa_capil/ into ``desa_capil_en.ts``, keeping the translations already there.
2. lupdate does not see calls through an alias (``t = QCoreApplication.translate`` then
   ``t("MainWindow", "Beranda")``), which the code uses for tables of labels; this script finds
   those with the ``ast`` module and adds them, keeping their earlier translations.
3. ``--fill`` takes a JSON object {"context\\u0004source": "English", "source": "English"}
   (the plain-source form applies to every context) for entries still unfinished; a list of two
   strings is the singular and plural of a ``%n`` message.
4. ``pyside6-lrelease`` compiles every .ts here into its .qm.

Bahasa Indonesia is the source language; there is no Indonesian catalogue of ours, except
``qtbase_id.ts`` for Qt's own texts (which PySide6 does not ship).
"""

from __future__ import annotations

import argparse
import ast
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
PACKAGE = ROOT / "desa_capil"
TS = HERE / "desa_capil_en.ts"
BIN = Path(sys.executable).parent


def _tool(name: str) -> str:
    exe = BIN / (f"{name}.exe" if sys.platform == "win32" else name)
    return str(exe) if exe.exists() else name


def sources() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def run_lupdate() -> None:
    files = [str(p) for p in sources()]
    cmd = [_tool("pyside6-lupdate"), *files, "-source-language", "id_ID", "-target-language", "en_US"]
    subprocess.run([*cmd, "-ts", str(TS)], check=True, stdout=subprocess.DEVNULL)


def alias_calls() -> list[tuple[str, str, str, int]]:
    """(context, source, file, line) of ``name(ctx, text)`` where ``name`` is an alias of
    QCoreApplication.translate in the same function or module."""
    found = []
    for path in sources():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        aliases: set[str] = set()
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Attribute)
                and node.value.attr == "translate"
            ):
                aliases.update(t.id for t in node.targets if isinstance(t, ast.Name))
        if not aliases:
            continue
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in aliases
                and len(node.args) >= 2
                and all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in node.args[:2])
            ):
                ctx, text = node.args[0].value, node.args[1].value  # type: ignore[attr-defined]
                rel = path.relative_to(ROOT).as_posix()
                found.append((ctx, text, rel, node.lineno))
    return found


def _context(root: ET.Element, name: str) -> ET.Element:
    for c in root.findall("context"):
        if c.findtext("name") == name:
            return c
    c = ET.SubElement(root, "context")
    ET.SubElement(c, "name").text = name
    return c


def add_alias_entries(tree: ET.ElementTree, old: dict[tuple[str, str], ET.Element]) -> int:
    root = tree.getroot()
    added = 0
    for ctx, text, rel, line in alias_calls():
        c = _context(root, ctx)
        existing = [m for m in c.findall("message") if m.findtext("source") == text]
        if existing:
            msg = existing[0]
            tr = msg.find("translation")
            if tr is not None and tr.get("type") in ("vanished", "obsolete"):
                del tr.attrib["type"]
                if not (tr.text or "").strip() and not list(tr):
                    tr.set("type", "unfinished")
            for loc in msg.findall("location"):
                msg.remove(loc)
        else:
            msg = ET.SubElement(c, "message")
            ET.SubElement(msg, "source").text = text
            prev = old.get((ctx, text))
            tr = ET.SubElement(msg, "translation")
            prev_tr = prev.find("translation") if prev is not None else None
            if prev_tr is not None and (prev_tr.text or "").strip():
                tr.text = prev_tr.text
            else:
                tr.set("type", "unfinished")
            added += 1
        loc = ET.Element("location", {"filename": f"../../{rel}", "line": str(line)})
        msg.insert(0, loc)
    return added


def fill(tree: ET.ElementTree, table: dict[str, object]) -> int:
    done = 0
    for c in tree.getroot().findall("context"):
        ctx = c.findtext("name") or ""
        for m in c.findall("message"):
            tr = m.find("translation")
            if tr is None or tr.get("type") != "unfinished":
                continue
            src = m.findtext("source") or ""
            value = table.get(f"{ctx}\u0004{src}", table.get(src))
            if value is None:
                continue
            if m.get("numerus") == "yes":
                forms = value if isinstance(value, list) else [value, value]
                for child in list(tr):
                    tr.remove(child)
                tr.text = None
                for f in forms:
                    ET.SubElement(tr, "numerusform").text = str(f)
            else:
                tr.text = str(value)
            del tr.attrib["type"]
            done += 1
    return done


def unfinished(tree: ET.ElementTree) -> list[tuple[str, str]]:
    out = []
    for c in tree.getroot().findall("context"):
        for m in c.findall("message"):
            tr = m.find("translation")
            if tr is not None and tr.get("type") == "unfinished":
                out.append((c.findtext("name") or "", m.findtext("source") or ""))
    return out


def write(tree: ET.ElementTree) -> None:
    ET.indent(tree, space="    ")
    body = ET.tostring(tree.getroot(), encoding="unicode")
    TS.write_text('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n' + body + "\n", encoding="utf-8")


def release() -> None:
    for ts in sorted(HERE.glob("*.ts")):
        subprocess.run(
            [_tool("pyside6-lrelease"), str(ts), "-qm", str(ts.with_suffix(".qm"))],
            check=True,
            stdout=subprocess.DEVNULL,
        )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="lupdate + alias calls + lrelease")
    ap.add_argument("--fill", type=Path, help="JSON of translations for unfinished entries")
    ap.add_argument("--check", action="store_true", help="exit 1 when entries are unfinished")
    ap.add_argument("--list", action="store_true", help="print the unfinished entries")
    args = ap.parse_args(argv)

    old: dict[tuple[str, str], ET.Element] = {}
    if TS.exists():
        for c in ET.parse(TS).getroot().findall("context"):
            for m in c.findall("message"):
                old[(c.findtext("name") or "", m.findtext("source") or "")] = m
    run_lupdate()
    tree = ET.parse(TS)
    added = add_alias_entries(tree, old)
    filled = fill(tree, json.loads(args.fill.read_text(encoding="utf-8"))) if args.fill else 0
    write(tree)
    release()
    left = unfinished(tree)
    print(f"{TS.name}: {added} alias entries added, {filled} filled, {len(left)} unfinished")  # noqa: T201
    if args.list:
        for ctx, src in left:
            print(json.dumps(f"{ctx}\u0004{src}", ensure_ascii=False))  # noqa: T201
    return 1 if args.check and left else 0


if __name__ == "__main__":
    sys.exit(main())
