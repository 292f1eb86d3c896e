"""What the intake records about a request beyond the applicant: the service-specific facts.

Stored as one JSON object per application (``application.details``), so a catalog change
(another subject, a new question) never needs a schema change, and an old application keeps
what it was made with, including the catalog version.

* ``event_date``: the birth, death, marriage, ruling... the reporting deadline counts from it.
* ``subjects``: the people the document is about (the baby, the deceased, the couple); the
  applicant is the reporter (pelapor).
* ``outputs``: the documents asked for; more than one for a "3-in-1" bundle.
* ``home_recording``: for KTP-el recording, why the resident needs the office to come
  (jemput bola), "" when they come themselves.
* ``other_paper``: what the "Kertas lain" slot holds (the office asked for it beyond the
  catalog's list), typed by the operator; it travels in the wire's notes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from typing import Any

from desa_capil.domain.catalog import Service
from desa_capil.domain.names import check_name
from desa_capil.domain.nik import normalize, validate_nik


class HomeRecording(StrEnum):
    NONE = ""
    SICK = "sakit"
    ELDERLY = "lansia"
    DISABLED = "disabilitas"


HOME_RECORDING_LABELS: dict[HomeRecording, tuple[str, str]] = {
    HomeRecording.NONE: ("Datang sendiri ke tempat perekaman", "Comes to the recording place"),
    HomeRecording.SICK: ("Sakit (perlu direkam di rumah)", "Sick (needs recording at home)"),
    HomeRecording.ELDERLY: ("Lanjut usia (perlu direkam di rumah)", "Elderly (needs recording at home)"),
    HomeRecording.DISABLED: (
        "Penyandang disabilitas (perlu direkam di rumah)",
        "Disabled (needs recording at home)",
    ),
}


def home_recording_label(value: HomeRecording, lang: str = "id") -> str:
    ind, eng = HOME_RECORDING_LABELS[value]
    return eng if lang.startswith("en") else ind


# What the operator may type to name the "Kertas lain"; the wire's notes hold 2,000 characters.
OTHER_PAPER_MAX = 200
WIRE_NOTES_MAX = 2000


@dataclass(frozen=True)
class Person:
    role: str
    name: str = ""
    nik: str = ""


@dataclass(frozen=True)
class IntakeDetails:
    event_date: date | None = None
    subjects: tuple[Person, ...] = ()
    outputs: tuple[str, ...] = ()
    home_recording: HomeRecording = HomeRecording.NONE
    catalog_version: str = ""
    other_paper: str = ""

    def to_json(self) -> str:
        out: dict[str, Any] = {}
        if self.event_date is not None:
            out["event_date"] = self.event_date.isoformat()
        if self.subjects:
            out["subjects"] = [{"role": p.role, "name": p.name, "nik": p.nik} for p in self.subjects]
        if self.outputs:
            out["outputs"] = list(self.outputs)
        if self.home_recording:
            out["home_recording"] = self.home_recording.value
        if self.catalog_version:
            out["catalog_version"] = self.catalog_version
        if self.other_paper:
            out["other_paper"] = self.other_paper
        return json.dumps(out, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str | None) -> IntakeDetails:
        """Read stored details; whatever is missing or unreadable falls back to the default."""
        try:
            raw = json.loads(text or "{}")
        except ValueError:
            return cls()
        if not isinstance(raw, dict):
            return cls()
        when: date | None = None
        try:
            when = date.fromisoformat(raw["event_date"]) if raw.get("event_date") else None
        except (TypeError, ValueError):
            when = None
        subjects = tuple(
            Person(str(p.get("role", "")), str(p.get("name", "")), str(p.get("nik", "")))
            for p in raw.get("subjects") or ()
            if isinstance(p, dict)
        )
        try:
            home = HomeRecording(raw.get("home_recording", ""))
        except ValueError:
            home = HomeRecording.NONE
        return cls(
            event_date=when,
            subjects=subjects,
            outputs=tuple(str(o) for o in raw.get("outputs") or ()),
            home_recording=home,
            catalog_version=str(raw.get("catalog_version", "")),
            other_paper=str(raw.get("other_paper", ""))[:OTHER_PAPER_MAX],
        )

    def wire_notes(self, notes: str) -> str:
        """The application's notes as sent: with a line naming the "Kertas lain" when there is
        one (unchanged otherwise, so an older manifest hashes as before)."""
        if not self.other_paper:
            return notes
        line = f"Kertas lain: {self.other_paper}"
        if not notes:
            return line
        return f"{notes[: WIRE_NOTES_MAX - len(line) - 1]}\n{line}"

    def wire_fields(self) -> dict[str, Any]:
        """The keyword arguments of api.models.ApplicationIn these details fill (none at all for
        an application made before they existed, so its manifest stays as it was)."""
        out: dict[str, Any] = {}
        if self.event_date is not None:
            out["event_date"] = self.event_date
        # A NIK that fails the checks is not sent: the server would refuse the whole batch.
        people = [
            {"role": p.role, "name": p.name, "nik": normalize(p.nik) if validate_nik(p.nik).ok else ""}
            for p in self.subjects
            if p.name or p.nik
        ]
        if people:
            out["subjects"] = people
        if self.outputs:
            out["outputs"] = list(self.outputs)
        if self.catalog_version:
            out["catalog_version"] = self.catalog_version
        return out

    def subject(self, role: str) -> Person:
        for p in self.subjects:
            if p.role == role:
                return p
        return Person(role)

    def for_service(self, service: Service, catalog_version: str) -> IntakeDetails:
        """Only what `service` asks for (a service change drops the other facts)."""
        roles = {r.role for r in service.subjects}
        codes = {o.code for o in service.outputs}
        base = tuple(o.code for o in service.outputs if not o.bundle)
        outputs = tuple(dict.fromkeys(base + tuple(o for o in self.outputs if o in codes)))
        return replace(
            self,
            event_date=self.event_date if service.event_label_id else None,
            subjects=tuple(p for p in self.subjects if p.role in roles),
            outputs=outputs,
            home_recording=self.home_recording if service.home_recording else HomeRecording.NONE,
            catalog_version=catalog_version,
        )


class Severity(StrEnum):
    PROBLEM = "problem"  # cannot be saved like this
    WARNING = "warning"  # saved; the operator should look again


@dataclass(frozen=True)
class Finding:
    field: str  # "event_date", "subject:<role>:name", "subject:<role>:nik"
    severity: Severity
    message_id: str
    message_en: str = ""

    def message(self, lang: str = "id") -> str:
        return self.message_en if lang.startswith("en") and self.message_en else self.message_id


@dataclass
class _Collector:
    items: list[Finding] = field(default_factory=list)

    def add(self, fld: str, sev: Severity, ind: str, eng: str) -> None:
        self.items.append(Finding(fld, sev, ind, eng))


def check_details(service: Service, details: IntakeDetails, today: date | None = None) -> list[Finding]:
    """Problems (block saving) and warnings (never block) of the service-specific facts.

    Lateness is a warning only: offices accept late reports by their own rules.
    """
    today = today or date.today()
    out = _Collector()
    if service.event_label_id and details.event_date is not None:
        if details.event_date > today:
            out.add(
                "event_date",
                Severity.PROBLEM,
                "Tanggal peristiwa ada di masa depan. Periksa lagi tanggalnya.",
                "The event date is in the future. Check the date again.",
            )
        else:
            late = service.late_days(details.event_date, today)
            if late:
                out.add(
                    "event_date",
                    Severity.WARNING,
                    f"Terlambat lapor: batasnya {service.deadline_days} hari sejak peristiwa, sudah lewat "
                    f"{late} hari. Permohonan tetap bisa diajukan; Disdukcapil mungkin meminta surat "
                    "keterangan terlambat atau mengenakan denda sesuai perda.",
                    f"Late report: the limit is {service.deadline_days} days after the event, exceeded by "
                    f"{late} days. The request can still be made; the office may ask for a late-report "
                    "letter or a fine under local rules.",
                )
    for role in service.subjects:
        p = details.subject(role.role)
        who_id, who_en = role.label_id, role.label_en
        if not p.name.strip():
            # A warning: the draft may be finished when the family brings the papers.
            out.add(
                f"subject:{role.role}:name",
                Severity.WARNING,
                f"Nama {who_id.lower()} belum diisi.",
                f"The name of the {who_en.lower()} is empty.",
            )
        else:
            for w in check_name(p.name):
                out.add(f"subject:{role.role}:name", Severity.WARNING, w.message_id, w.message_en)
        nik = normalize(p.nik)
        if nik:
            check = validate_nik(nik, today=today)
            if not check.ok:
                out.add(f"subject:{role.role}:nik", Severity.PROBLEM, check.reason_id, check.reason_en)
        elif role.nik_required:
            # A warning: an unknown deceased, for one, has no NIK to give.
            out.add(
                f"subject:{role.role}:nik",
                Severity.WARNING,
                f"NIK {who_id.lower()} belum diisi (lihat KK atau KTP-el).",
                f"The NIK of the {who_en.lower()} is empty (see the KK or ID card).",
            )
    return out.items
