"""The service catalog: which services a village can take in, and which papers each needs.

The catalog is data (catalog.json beside this file, shape in catalog.schema.json) so an office
can correct a requirement without touching code. Service and requirement codes are stable
identifiers used on the wire.

Shape (see DOMAIN.md, "Services and papers"):

* A catalog entry is a *family* ("KTP-el cetak ulang"). A family with ``variants`` ("hilang",
  "rusak") yields one :class:`Service` per variant, each with its own code and its own papers
  (the family's papers plus the variant's). The wire, the database and the readiness rules only
  ever see the variant's service code, so a variant is as plain as any other service.
* A requirement says whether a scan is enough, the original is shown, or the original is handed
  over and kept by the village for Disdukcapil (:class:`Original`).
* A mandatory requirement may have ``alternatives``: sets of other requirements of the same
  service that together replace it ("surat keterangan lahir" OR "SPTJM F-2.03 + KTP-el of two
  witnesses"). Requirements that exist only as an alternative are optional on their own.
* ``deadline_days`` with an ``event`` question: a report after the deadline is "terlambat lapor"
  (a warning, never a block: offices fine or accept late reports by their own rules).
* ``subjects``: the people the document is about (the baby, the deceased, the couple), distinct
  from the applicant, who is the reporter (pelapor).
* ``outputs``: the documents the office issues. Outputs marked ``bundle`` can be asked for in the
  same request, sharing its papers ("3-in-1").
* Every service also offers "Kertas lain" (:data:`OTHER_PAPER`, code ``lain``) for what an office
  asks beyond its list. It is not catalog data (an office's catalog cannot drop it) and never
  mandatory: :attr:`Service.checklist` is the list the desk shows, ``requirements`` the catalog's.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from importlib import resources
from typing import Any


class Original(StrEnum):
    """What happens to the paper itself."""

    SCAN = "scan"  # a scan is enough
    SHOW = "show"  # the original is shown to the operator and given back
    HAND_OVER = "hand_over"  # the village keeps the original and sends it to Disdukcapil


@dataclass(frozen=True)
class Requirement:
    code: str
    name_id: str
    name_en: str
    mandatory: bool
    original: Original = Original.SCAN
    # Each entry is a set of requirement codes that together replace this one.
    alternatives: tuple[tuple[str, ...], ...] = ()
    form: str = ""  # official form number when the paper is a form the app can print

    def name(self, lang: str = "id") -> str:
        return self.name_en if lang.startswith("en") else self.name_id


OTHER_PAPER_CODE = "lain"
OTHER_PAPER = Requirement(
    OTHER_PAPER_CODE,
    "Kertas lain (diminta kantor)",
    "Other paper (asked by the office)",
    mandatory=False,
)


@dataclass(frozen=True)
class SubjectRole:
    """A person the document is about, other than the reporter."""

    role: str
    label_id: str
    label_en: str
    nik_required: bool

    def label(self, lang: str = "id") -> str:
        return self.label_en if lang.startswith("en") else self.label_id


@dataclass(frozen=True)
class Output:
    """A document the office issues for the request."""

    code: str
    name_id: str
    name_en: str
    bundle: bool = False  # optional extra of a "3-in-1" request

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
    family: str = ""  # the catalog entry; equals code when it has no variants
    family_name_id: str = ""
    family_name_en: str = ""
    variant_label_id: str = ""  # "" when the family has no variants
    variant_label_en: str = ""
    note_id: str = ""
    note_en: str = ""
    deadline_days: int | None = None
    event_label_id: str = ""  # "" when the intake does not ask for the event date
    event_label_en: str = ""
    subjects: tuple[SubjectRole, ...] = ()
    outputs: tuple[Output, ...] = ()
    bundle_name_id: str = ""
    bundle_name_en: str = ""
    home_recording: bool = False  # the village may ask for recording at home (jemput bola)
    # Dropped by the catalog in use (an office's version): still resolvable, so applications
    # made with it keep working, but no longer offered for new ones.
    retired: bool = False

    def name(self, lang: str = "id") -> str:
        return self.name_en if lang.startswith("en") else self.name_id

    def family_name(self, lang: str = "id") -> str:
        return self.family_name_en if lang.startswith("en") else self.family_name_id

    def variant_label(self, lang: str = "id") -> str:
        return self.variant_label_en if lang.startswith("en") else self.variant_label_id

    def in_person_note(self, lang: str = "id") -> str:
        return self.in_person_note_en if lang.startswith("en") else self.in_person_note_id

    def note(self, lang: str = "id") -> str:
        return self.note_en if lang.startswith("en") else self.note_id

    def event_label(self, lang: str = "id") -> str:
        return self.event_label_en if lang.startswith("en") else self.event_label_id

    def bundle_name(self, lang: str = "id") -> str:
        return self.bundle_name_en if lang.startswith("en") else self.bundle_name_id

    @property
    def mandatory(self) -> tuple[Requirement, ...]:
        return tuple(r for r in self.requirements if r.mandatory)

    @property
    def alternative_codes(self) -> frozenset[str]:
        """Codes that appear as (part of) an alternative of another requirement."""
        return frozenset(c for r in self.requirements for alt in r.alternatives for c in alt)

    @property
    def handed_over(self) -> tuple[Requirement, ...]:
        return tuple(r for r in self.requirements if r.original is Original.HAND_OVER)

    @property
    def checklist(self) -> tuple[Requirement, ...]:
        """The catalog's papers, then "Kertas lain" (unless the catalog names that code itself)."""
        if any(r.code == OTHER_PAPER_CODE for r in self.requirements):
            return self.requirements
        return (*self.requirements, OTHER_PAPER)

    def requirement(self, code: str) -> Requirement:
        for r in self.checklist:
            if r.code == code:
                return r
        raise KeyError(code)

    def missing(self, have: set[str] | frozenset[str]) -> list[str]:
        """Mandatory requirement codes neither present in `have` nor replaced by a complete
        alternative."""
        out = []
        for r in self.mandatory:
            if r.code in have:
                continue
            if any(all(c in have for c in alt) for alt in r.alternatives):
                continue
            out.append(r.code)
        return out

    def satisfied_by_alternative(self, have: set[str] | frozenset[str]) -> dict[str, tuple[str, ...]]:
        """Mandatory codes without pages that a complete alternative replaces, with that set."""
        out = {}
        for r in self.mandatory:
            if r.code in have:
                continue
            for alt in r.alternatives:
                if all(c in have for c in alt):
                    out[r.code] = alt
                    break
        return out

    def late_days(self, event: date | None, today: date | None = None) -> int:
        """Days past the reporting deadline (0 when in time, without deadline or date)."""
        if self.deadline_days is None or event is None:
            return 0
        today = today or date.today()
        return max(0, (today - event).days - self.deadline_days)


class CatalogError(ValueError):
    """The catalog data is inconsistent (a bug in catalog.json or in an office's version)."""


@dataclass(frozen=True)
class Catalog:
    version: str
    services: dict[str, Service]  # by service (variant) code, in catalog order
    families: tuple[tuple[str, tuple[str, ...]], ...]  # (family code, its service codes)


def _req(r: dict[str, Any]) -> Requirement:
    return Requirement(
        code=r["code"],
        name_id=r["name_id"],
        name_en=r["name_en"],
        mandatory=bool(r["mandatory"]),
        original=Original(r.get("original", "scan")),
        alternatives=tuple(tuple(a) for a in r.get("alternatives", ())),
        form=r.get("form", ""),
    )


def _outputs(raw: list[dict[str, Any]]) -> tuple[Output, ...]:
    return tuple(Output(o["code"], o["name_id"], o["name_en"], bool(o.get("bundle", False))) for o in raw)


def load_catalog(raw: dict[str, Any]) -> Catalog:
    """Build a catalog from its JSON data; CatalogError when references do not hold."""
    services: dict[str, Service] = {}
    families: list[tuple[str, tuple[str, ...]]] = []
    seen_families: set[str] = set()
    for fam in raw["services"]:
        if fam["code"] in seen_families:
            raise CatalogError(f"duplicate service code {fam['code']}")
        seen_families.add(fam["code"])
        base = [_req(r) for r in fam["requirements"]]
        variants = fam.get("variants") or [None]
        codes: list[str] = []
        for v in variants:
            reqs = tuple(base + [_req(r) for r in (v["requirements"] if v else [])])
            code = v["code"] if v else fam["code"]
            req_codes = [r.code for r in reqs]
            if len(set(req_codes)) != len(req_codes):
                raise CatalogError(f"duplicate requirement code in service {code}")
            for r in reqs:
                for alt in r.alternatives:
                    for c in alt:
                        if c not in req_codes or c == r.code:
                            raise CatalogError(f"{code}.{r.code}: alternative {c} is not another paper")
                        if any(x.code == c and x.mandatory for x in reqs):
                            raise CatalogError(f"{code}.{r.code}: alternative {c} is itself mandatory")
            if code in services:
                raise CatalogError(f"duplicate service code {code}")
            label_id = v["label_id"] if v else ""
            label_en = v["label_en"] if v else ""
            out_raw = (v or {}).get("outputs") or fam.get("outputs") or []
            outputs = _outputs(out_raw) or (Output(code, fam["name_id"], fam["name_en"]),)
            services[code] = Service(
                code=code,
                name_id=f"{fam['name_id']} ({label_id})" if v else fam["name_id"],
                name_en=f"{fam['name_en']} ({label_en})" if v else fam["name_en"],
                requirements=reqs,
                in_person=bool(fam.get("in_person", False)),
                in_person_note_id=fam.get("in_person_note_id", ""),
                in_person_note_en=fam.get("in_person_note_en", ""),
                family=fam["code"],
                family_name_id=fam["name_id"],
                family_name_en=fam["name_en"],
                variant_label_id=label_id,
                variant_label_en=label_en,
                note_id=" ".join(x for x in (fam.get("note_id", ""), (v or {}).get("note_id", "")) if x),
                note_en=" ".join(x for x in (fam.get("note_en", ""), (v or {}).get("note_en", "")) if x),
                deadline_days=fam.get("deadline_days"),
                event_label_id=fam.get("event", {}).get("label_id", ""),
                event_label_en=fam.get("event", {}).get("label_en", ""),
                subjects=tuple(
                    SubjectRole(s["role"], s["label_id"], s["label_en"], s["nik"] == "required")
                    for s in fam.get("subjects", ())
                ),
                outputs=outputs,
                bundle_name_id=fam.get("bundle_name_id", ""),
                bundle_name_en=fam.get("bundle_name_en", ""),
                home_recording=bool(fam.get("home_recording", False)),
            )
            codes.append(code)
        families.append((fam["code"], tuple(codes)))
    return Catalog(version=str(raw["version"]), services=services, families=tuple(families))


def catalog_text() -> str:
    return resources.files(__package__).joinpath("catalog.json").read_text(encoding="utf-8")


def schema() -> dict[str, Any]:
    text = resources.files(__package__).joinpath("catalog.schema.json").read_text(encoding="utf-8")
    result: dict[str, Any] = json.loads(text)
    return result


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


def parse_catalog(raw: object) -> Catalog:
    """Like load_catalog, for data from outside (an office's version): any shape problem is a
    CatalogError."""
    if not isinstance(raw, dict):
        raise CatalogError("a catalog is a JSON object")
    if not re.fullmatch(r"[0-9]{4}\.[0-9]+(\.[A-Za-z0-9_-]+|-[A-Za-z0-9_-]+)?", str(raw.get("version", ""))):
        raise CatalogError("version must look like 2026.1 or 2026.1-kab-bandung")
    services = raw.get("services")
    if not isinstance(services, list) or not services:
        raise CatalogError("a catalog needs services")
    if not all(
        isinstance(x, dict) and re.fullmatch(r"[a-z0-9_]{1,64}", str(x.get("code", ""))) for x in services
    ):
        raise CatalogError("every service needs a code of a-z, 0-9 and _")
    try:
        return load_catalog(raw)
    except CatalogError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise CatalogError(f"catalog data does not fit: {exc!r}") from exc


BUNDLED: Catalog = load_catalog(json.loads(catalog_text()))
CATALOG: Catalog = BUNDLED
CATALOG_VERSION: str = BUNDLED.version  # of the bundled catalog; see current_version()
# The services in use, by code. Updated in place by install(), so every module that imported it
# sees the catalog in use.
SERVICES: dict[str, Service] = dict(BUNDLED.services)


def current_version() -> str:
    """The version of the catalog in use (the bundled one, or the office's once installed)."""
    return CATALOG.version


def install(catalog: Catalog) -> None:
    """Use `catalog` (an office-published version) from now on. Services it no longer has stay
    resolvable as retired: an application made with them, or a batch sealed with them, keeps
    working; they are just not offered for new applications."""
    global CATALOG
    retired = {c: replace(s, retired=True) for c, s in SERVICES.items() if c not in catalog.services}
    SERVICES.clear()
    SERVICES.update(catalog.services)
    SERVICES.update(retired)
    CATALOG = catalog


def use_bundled() -> None:
    """Back to the catalog shipped with the app (tests; an office withdrawing its version)."""
    global CATALOG
    SERVICES.clear()
    SERVICES.update(BUNDLED.services)
    CATALOG = BUNDLED


def get_service(code: str) -> Service:
    """The service with this code; KeyError when the catalog has none."""
    return SERVICES[code]


def family_services(family: str) -> list[Service]:
    """The variants of a catalog entry, in catalog order (one when it has none)."""
    for fam, codes in CATALOG.families:
        if fam == family:
            return [SERVICES[c] for c in codes]
    retired = [s for s in SERVICES.values() if s.family == family]
    if retired:
        return retired
    raise KeyError(family)


def search_services(text: str, lang: str = "id") -> list[Service]:
    """Services whose name or code contains every word of `text` (case-insensitive)."""
    words = text.lower().split()
    out = []
    for s in SERVICES.values():
        if s.retired:
            continue
        hay = f"{s.code} {s.name_id} {s.name_en}".lower().replace("_", " ")
        if all(w in hay for w in words):
            out.append(s)
    return out


def search_families(text: str, lang: str = "id") -> list[Service]:
    """Like search_services, one entry per catalog family: its first matching variant."""
    out: list[Service] = []
    seen: set[str] = set()
    for s in search_services(text, lang):
        if s.family not in seen:
            seen.add(s.family)
            out.append(s)
    return out
