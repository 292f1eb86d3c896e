"""Real public page images for the benchmarks: where they come from, and getting them.

The images are test resources of document tools (OCR engines, scan post-processors), each
under its own licence (listed below). Only a few small ones are committed (in
``tests/scan/corpus/``, with their attribution); the rest are extracted here from local
clones of their repositories, at the commit named, into a cache folder:

    python benchmarks/real_corpus.py --mirrors /path/with/clones   # owner+name/repo or owner/name
    python benchmarks/real_corpus.py --list

A clone is looked for as ``<mirrors>/<owner>+<name>/repo``, ``<mirrors>/<owner>+<name>`` or
``<mirrors>/<owner>/<name>`` (bare or not). What cannot be found is skipped with a note; the
benchmarks then run on what there is.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = ROOT / "tests" / "scan" / "corpus"
CACHE = Path.home() / ".cache" / "desa_capil_corpus"
DEFAULT_MIRRORS = Path("/work/.mirror")


@dataclass(frozen=True)
class Item:
    name: str
    repo: str
    commit: str
    path: str
    licence: str
    #: "scan" (flatbed or PDF page), "photo" (camera), "handwriting" (photo of notes)
    cls: str
    #: Clockwise turn that makes the page upright (0 for an upright page); None when the
    #: page has no running text to be upright by.
    upright_turn: int | None = 0
    page: int = 0


TESS = ("tesseract-ocr/test", "232ff181c66516116ec0e84c4963f70de15050fd")
OCRMYPDF = ("ocrmypdf/OCRmyPDF", "62b42095eca831faaa3c84ddb699674788c4c1b7")
UNPAPER = ("unpaper/unpaper", "5bcef8a9733e601ec672b346e8504f3b4ae04c73")
NOTESHRINK = ("mzucker/noteshrink", "7d876e5b43923c6bf8d64b7ef18f6855bfb30ce3")

ITEMS: tuple[Item, ...] = (
    Item("phototest", *TESS, "testing/phototest.tif", "Apache-2.0", "scan"),
    Item("eurotext", *TESS, "testing/eurotext.tif", "Apache-2.0", "scan"),
    Item("magazine_8071", *TESS, "testing/8071_093.3B.tif", "Apache-2.0", "scan"),
    Item("magazine_8087", *TESS, "testing/8087_054.3B.tif", "Apache-2.0", "scan"),
    Item("phototest_2", *TESS, "testing/phototest_2.tif", "Apache-2.0", "scan"),
    Item("typewriter", *OCRMYPDF, "tests/resources/typewriter.png", "CC-BY-SA-3.0 (C) 2005 Ellywa", "photo"),
    Item(
        "huckfinn_c02_22",
        *OCRMYPDF,
        "tests/resources/c02-22.pdf",
        "public domain (Project Gutenberg)",
        "scan",
    ),
    Item("linn", *OCRMYPDF, "tests/resources/linn.png", "CC-BY-SA-3.0 (C) 1985 Forat Electronics", "scan"),
    Item(
        "cardinal_p1",
        *OCRMYPDF,
        "tests/resources/cardinal.pdf",
        "CC-BY-SA-3.0 (C) 1985 Forat Electronics",
        "scan",
    ),
    Item(
        "cardinal_p2",
        *OCRMYPDF,
        "tests/resources/cardinal.pdf",
        "CC-BY-SA-3.0 (C) 1985 Forat Electronics",
        "scan",
        270,
        1,
    ),
    Item(
        "cardinal_p3",
        *OCRMYPDF,
        "tests/resources/cardinal.pdf",
        "CC-BY-SA-3.0 (C) 1985 Forat Electronics",
        "scan",
        180,
        2,
    ),
    Item("skew", *OCRMYPDF, "tests/resources/skew.pdf", "CC-BY-SA-3.0 (C) 1985 Forat Electronics", "scan"),
    Item(
        "epson_printout", *OCRMYPDF, "tests/resources/epson.pdf", "CC-BY-SA (Wikipedia contributors)", "scan"
    ),
    Item("francais", *OCRMYPDF, "tests/resources/francais.pdf", "synthetic, OCRmyPDF (MPL-2.0)", "scan"),
    Item("unpaper_text", *UNPAPER, "tests/source_images/imgsrc002.png", "GPL-2.0 (unpaper tests)", "scan"),
    Item("notes_A1", *NOTESHRINK, "examples/notesA1.jpg", "MIT (C) 2016 Matt Zucker", "handwriting"),
    Item("notes_A2", *NOTESHRINK, "examples/notesA2.jpg", "MIT (C) 2016 Matt Zucker", "handwriting"),
    Item("notes_B1", *NOTESHRINK, "examples/notesB1.jpg", "MIT (C) 2016 Matt Zucker", "handwriting"),
    Item("notes_B2", *NOTESHRINK, "examples/notesB2.jpg", "MIT (C) 2016 Matt Zucker", "handwriting"),
    Item(
        "pens_on_graph_paper",
        *NOTESHRINK,
        "examples/graph-paper-ink-only.jpg",
        "MIT (C) 2016 Matt Zucker",
        "photo",
        None,
    ),
)


def _clone(mirrors: Path, repo: str) -> Path | None:
    owner, name = repo.split("/")
    for cand in (mirrors / f"{owner}+{name}" / "repo", mirrors / f"{owner}+{name}", mirrors / owner / name):
        if cand.exists():
            return cand
    return None


def local_file(item: Item, mirrors: Path = DEFAULT_MIRRORS, cache: Path = CACHE) -> Path | None:
    """The item's file on this machine (committed copy, cache, or extracted now), or None."""
    filename = Path(item.path).name
    committed = COMMITTED / filename
    if committed.exists():
        return committed
    target = cache / item.repo.replace("/", "+") / filename
    if target.exists():
        return target
    clone = _clone(mirrors, item.repo)
    if clone is None:
        return None
    for ref in (item.commit, "HEAD"):
        r = subprocess.run(["git", "-C", str(clone), "show", f"{ref}:{item.path}"], capture_output=True)
        if r.returncode == 0 and not r.stdout.startswith(b"version https://git-lfs"):
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(r.stdout)
            return target
    return None


def available(mirrors: Path = DEFAULT_MIRRORS) -> list[tuple[Item, Path]]:
    out = []
    for item in ITEMS:
        path = local_file(item, mirrors)
        if path is None:
            print(f"corpus: {item.name} not available ({item.repo}:{item.path})", file=sys.stderr)
        else:
            out.append((item, path))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mirrors", type=Path, default=DEFAULT_MIRRORS)
    ap.add_argument("--list", action="store_true")
    args = ap.parse_args()
    if args.list:
        for it in ITEMS:
            print(f"{it.name}\t{it.cls}\t{it.repo}@{it.commit[:8]}:{it.path}\t{it.licence}")
        return
    for item, path in available(args.mirrors):
        print(f"{item.name}: {path}")


if __name__ == "__main__":
    main()
