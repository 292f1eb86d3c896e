"""NIK and Nomor KK validation (DOMAIN.md, "Numbers and codes").

Both are 16 digits: ``PP KK CC DDMMYY SSSS`` - province, regency/city, district (of first
registration), a date, and a serial from 0001. In a NIK the date is the birth date with 40
added to the day for women; in a KK number it is the date the card was issued.

Each failure comes with a reason in plain Indonesian (and English) that tells the operator
what to look at on the card, because "invalid NIK" alone helps nobody at the counter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

# Kemendagri province codes, including the Papua provinces created in 2022.
PROVINCES: dict[str, str] = {
    "11": "Aceh", "12": "Sumatera Utara", "13": "Sumatera Barat", "14": "Riau", "15": "Jambi",
    "16": "Sumatera Selatan", "17": "Bengkulu", "18": "Lampung", "19": "Kepulauan Bangka Belitung",
    "21": "Kepulauan Riau", "31": "DKI Jakarta", "32": "Jawa Barat", "33": "Jawa Tengah",
    "34": "DI Yogyakarta", "35": "Jawa Timur", "36": "Banten", "51": "Bali", "52": "Nusa Tenggara Barat",
    "53": "Nusa Tenggara Timur", "61": "Kalimantan Barat", "62": "Kalimantan Tengah",
    "63": "Kalimantan Selatan", "64": "Kalimantan Timur", "65": "Kalimantan Utara", "71": "Sulawesi Utara",
    "72": "Sulawesi Tengah", "73": "Sulawesi Selatan", "74": "Sulawesi Tenggara", "75": "Gorontalo",
    "76": "Sulawesi Barat", "81": "Maluku", "82": "Maluku Utara", "91": "Papua", "92": "Papua Barat", "93": "Papua Selatan",
    "94": "Papua Tengah", "95": "Papua Pegunungan", "96": "Papua Barat Daya",
}  # fmt: skip


class Sex(StrEnum):
    MALE = "L"
    FEMALE = "P"


class Reason(StrEnum):
    EMPTY = "empty"
    NOT_DIGITS = "not_digits"
    LENGTH = "length"
    PROVINCE = "province"
    REGENCY = "regency"
    DISTRICT = "district"
    DATE = "date"
    SERIAL = "serial"


_MESSAGES: dict[Reason, tuple[str, str]] = {
    Reason.EMPTY: ("{what} belum diisi.", "{what} is empty."),
    Reason.NOT_DIGITS: (
        "{what} hanya boleh berisi angka.",
        "{what} may contain digits only.",
    ),
    Reason.LENGTH: (
        "{what} harus 16 angka; yang diketik {n} angka. Periksa lagi kartunya.",
        "{what} must be 16 digits; {n} were typed. Check the card again.",
    ),
    Reason.PROVINCE: (
        "Dua angka pertama {what} ({code}) bukan kode provinsi yang ada.",
        "The first two digits of the {what} ({code}) are not a province code.",
    ),
    Reason.REGENCY: (
        "Angka ke-3 dan ke-4 {what} (kode kabupaten/kota) tidak boleh 00.",
        "Digits 3-4 of the {what} (regency/city code) cannot be 00.",
    ),
    Reason.DISTRICT: (
        "Angka ke-5 dan ke-6 {what} (kode kecamatan) tidak boleh 00.",
        "Digits 5-6 of the {what} (district code) cannot be 00.",
    ),
    Reason.DATE: (
        "Angka ke-7 sampai ke-12 {what} ({code}) bukan tanggal yang benar (HHBBTT; untuk perempuan tanggal ditambah 40).",
        "Digits 7-12 of the {what} ({code}) are not a real date (DDMMYY; women have 40 added to the day).",
    ),
    Reason.SERIAL: (
        "Empat angka terakhir {what} tidak boleh 0000.",
        "The last four digits of the {what} cannot be 0000.",
    ),
}


@dataclass(frozen=True)
class NikCheck:
    """The result of checking a NIK or KK number. ``ok`` is False with a reason when it fails."""

    value: str
    ok: bool
    reason: Reason | None = None
    reason_id: str = ""
    reason_en: str = ""
    province: str = ""
    born_or_issued: date | None = None
    sex: Sex | None = None

    def message(self, lang: str = "id") -> str:
        return self.reason_en if lang.startswith("en") else self.reason_id


def normalize(text: str) -> str:
    """Drop the spaces, dots and dashes people type or copy from a card."""
    return re.sub(r"[\s.\-]", "", text or "")


def _fail(value: str, reason: Reason, what: tuple[str, str], **fmt: object) -> NikCheck:
    ind, eng = _MESSAGES[reason]
    return NikCheck(
        value=value,
        ok=False,
        reason=reason,
        reason_id=ind.format(what=what[0], **fmt),
        reason_en=eng.format(what=what[1], **fmt),
    )


def _resolve_century(dd: int, mm: int, yy: int, today: date) -> date:
    """The date DD-MM-YY stands for: the 2000s unless that lies in the future, then the 1900s.

    A NIK holds no century. Raises ValueError when DD-MM is no real date in that year.
    """
    recent = date(2000 + yy, mm, dd) if _is_date(2000 + yy, mm, dd) else None
    if recent is not None and recent <= today:
        return recent
    return date(1900 + yy, mm, dd)


def _is_date(y: int, m: int, d: int) -> bool:
    try:
        date(y, m, d)
    except ValueError:
        return False
    return True


def _check(text: str, *, is_nik: bool, today: date | None) -> NikCheck:
    what = ("NIK", "NIK") if is_nik else ("Nomor KK", "KK number")
    today = today or date.today()
    value = normalize(text)
    if not value:
        return _fail(value, Reason.EMPTY, what)
    if not value.isdigit():
        return _fail(value, Reason.NOT_DIGITS, what)
    if len(value) != 16:
        return _fail(value, Reason.LENGTH, what, n=len(value))
    prov, reg, dist, dd, mm, yy, serial = (
        value[0:2], value[2:4], value[4:6], int(value[6:8]), int(value[8:10]), int(value[10:12]), value[12:16],
    )  # fmt: skip
    if prov not in PROVINCES:
        return _fail(value, Reason.PROVINCE, what, code=prov)
    if reg == "00":
        return _fail(value, Reason.REGENCY, what)
    if dist == "00":
        return _fail(value, Reason.DISTRICT, what)
    sex: Sex | None = None
    if is_nik:
        sex = Sex.FEMALE if dd > 40 else Sex.MALE
        if dd > 40:
            dd -= 40
    try:
        when = _resolve_century(dd, mm, yy, today)
    except ValueError:
        return _fail(value, Reason.DATE, what, code=value[6:12])
    if serial == "0000":
        return _fail(value, Reason.SERIAL, what)
    return NikCheck(value=value, ok=True, province=PROVINCES[prov], born_or_issued=when, sex=sex)


def validate_nik(text: str, *, today: date | None = None) -> NikCheck:
    """Check a NIK; the result says why it is wrong, or the birth date and sex it encodes."""
    return _check(text, is_nik=True, today=today)


def validate_kk(text: str, *, today: date | None = None) -> NikCheck:
    """Check a Nomor KK; the result says why it is wrong, or the issue date it encodes."""
    return _check(text, is_nik=False, today=today)
