"""The service catalog: which services a village can take in, and which papers each needs.

The catalog is data (catalog.json beside this file) so an office can correct a requirement
without touching code. Service and requirement codes are stable identifiers used on the wire.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources


@dataclass(frozen=True)
class Requirement:
    code: str
    name_id: str
    name_en: str
    mandatory: bool

    def name(self, lang: str = "id") -> str:
        return self.name_en if lang.startswith("en") else self.name_id


@dataclass(frozen=True)
class Service:
    code: str
    name_id: str
    name_en: str
    requirements: tuple[Requirement, ...]
    # True when the resident must come in person (e.g. biometric e-KTP recording); the village
    # can register the request but not complete it.
    in_person: bool = False
    in_person_note_id: str = ""
    in_person_note_en: str = ""

    def name(self, lang: str = "id") -> str:
        return self.name_en if lang.startswith("en") else self.name_id

    def in_person_note(self, lang: str = "id") -> str:
        return self.in_person_note_en if lang.startswith("en") else self.in_person_note_id

    @property
    def mandatory(self) -> tuple[Requirement, ...]:
        return tuple(r for r in self.requirements if r.mandatory)

    def requirement(self, code: str) -> Requirement:
        for r in self.requirements:
            if r.code == code:
                return r
        raise KeyError(code)


class Urgency(StrEnum):
    """Why a request should go first. Offices served these before the rest during COVID-19."""

    NORMAL = "normal"
    HOSPITAL = "hospital"
    BPJS = "bpjs"
    SCHOOL = "school"
    TNI_POLRI = "tni_polri"


URGENCY_LABELS: dict[Urgency, tuple[str, str]] = {
    Urgency.NORMAL: ("Biasa", "Normal"),
    Urgency.HOSPITAL: ("Mendesak: berobat / rumah sakit", "Urgent: hospital care"),
    Urgency.BPJS: ("Mendesak: BPJS", "Urgent: BPJS health insurance"),
    Urgency.SCHOOL: ("Mendesak: pendaftaran sekolah", "Urgent: school registration"),
    Urgency.TNI_POLRI: ("Mendesak: pendaftaran TNI/Polri", "Urgent: TNI/Polri registration"),
}


def urgency_label(u: Urgency, lang: str = "id") -> str:
    ind, eng = URGENCY_LABELS[u]
    return eng if lang.startswith("en") else ind


def _load() -> dict[str, Service]:
    raw = json.loads(resources.files(__package__).joinpath("catalog.json").read_text(encoding="utf-8"))
    services: dict[str, Service] = {}
    for s in raw["services"]:
        reqs = tuple(
            Requirement(r["code"], r["name_id"], r["name_en"], bool(r["mandatory"]))
            for r in s["requirements"]
        )
        codes = [r.code for r in reqs]
        if len(set(codes)) != len(codes):
            raise ValueError(f"duplicate requirement code in service {s['code']}")
        if s["code"] in services:
            raise ValueError(f"duplicate service code {s['code']}")
        services[s["code"]] = Service(
            code=s["code"],
            name_id=s["name_id"],
            name_en=s["name_en"],
            requirements=reqs,
            in_person=bool(s.get("in_person", False)),
            in_person_note_id=s.get("in_person_note_id", ""),
            in_person_note_en=s.get("in_person_note_en", ""),
        )
    return services


SERVICES: dict[str, Service] = _load()


def get_service(code: str) -> Service:
    """The service with this code; KeyError when the catalog has none."""
    return SERVICES[code]


def search_services(text: str, lang: str = "id") -> list[Service]:
    """Services whose name or code contains every word of `text` (case-insensitive)."""
    words = text.lower().split()
    out = []
    for s in SERVICES.values():
        hay = f"{s.code} {s.name_id} {s.name_en}".lower().replace("_", " ")
        if all(w in hay for w in words):
            out.append(s)
    return out
