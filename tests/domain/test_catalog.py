"""The catalog against ../shared/DOMAIN.md ("Services and papers") and its JSON schema."""

from __future__ import annotations

import copy
import json
from datetime import date

import jsonschema_rs
import pytest

from desa_capil.domain.catalog import (
    CATALOG,
    CATALOG_VERSION,
    SERVICES,
    CatalogError,
    Original,
    catalog_text,
    family_services,
    get_service,
    load_catalog,
    schema,
    search_families,
    search_services,
)

S, SH, H = Original.SCAN, Original.SHOW, Original.HAND_OVER

# DOMAIN.md's table, one row per service (variant) code: every paper with
# (mandatory, what happens to the original), the reporting deadline, and per mandatory paper
# the alternatives that replace it. Transcribed from the table by hand, so the test fails when
# catalog.json drifts from the law as DOMAIN.md has it.
EXPECTED: dict[str, dict[str, object]] = {
    # KK baru: buku nikah / akta or SPTJM F-1.05; SKPWNI when from elsewhere; F-1.01.
    "kk_baru": {
        "papers": {"buku_nikah": (True, S), "sptjm_f105": (False, S), "ktp_saksi": (False, S),
                   "sk_pindah": (False, S), "kk_lama": (False, H), "f101": (True, S)},
        "alternatives": {"buku_nikah": [("sptjm_f105", "ktp_saksi")]},
    },
    # Perubahan KK: tambah anggota: KK lama (kept); akta kelahiran or buku nikah / SPTJM.
    "kk_ubah": {
        "papers": {"kk_lama": (True, H), "bukti_peristiwa": (True, S), "sptjm": (False, S),
                   "ktp_saksi": (False, S)},
        "alternatives": {"bukti_peristiwa": [("sptjm", "ktp_saksi")]},
    },
    # numpang / pisah: KK to join or KK lama; SKPWNI, akta kematian / perceraian / perkawinan.
    "kk_ubah_pisah": {"papers": {"kk_lama": (True, H), "bukti_peristiwa": (True, S), "kk_tujuan": (False, SH)}},
    # Perubahan data KK: KK lama; proof of the change.
    "kk_ubah_data": {"papers": {"kk_lama": (True, H), "bukti_perubahan": (True, S)}},
    # KK ganti kepala keluarga: akta kematian; KK lama (kept).
    "kk_ganti_kepala": {"papers": {"kk_lama": (True, H), "akta_kematian": (True, S)}},
    # KK hilang: police loss letter; KTP-el.  KK rusak: the damaged KK (kept); KTP-el.
    "kk_hilang": {"papers": {"ktp_el": (True, S), "sk_kehilangan": (True, S)}},
    "kk_rusak": {"papers": {"ktp_el": (True, S), "kk_rusak": (True, H)}},
    # Akta kelahiran: SKL or SPTJM F-2.03 + 2 witnesses; buku nikah or SPTJM F-2.04; KK;
    # parents' KTP-el; F-2.01.
    "akta_lahir": {
        "papers": {"sk_lahir": (True, S), "sptjm_f203": (False, S), "buku_nikah_ortu": (True, S),
                   "sptjm_f204": (False, S), "ktp_saksi": (False, S), "kk": (True, S),
                   "ktp_ortu": (True, S), "f201": (True, S)},
        "alternatives": {"sk_lahir": [("sptjm_f203", "ktp_saksi")],
                         "buku_nikah_ortu": [("sptjm_f204", "ktp_saksi")]},
        "bundle": {"akta_kelahiran", "kk", "kia"},
    },
    # Akta kematian: SK kematian; KK and KTP-el of the deceased (collected); reporter's KTP-el;
    # often 2 witnesses. 30 days.
    "akta_mati": {
        "papers": {"sk_kematian": (True, S), "kk": (True, H), "ktp_almarhum": (False, H),
                   "ktp_pelapor": (True, S), "ktp_saksi": (False, S)},
        "deadline": 30,
        "bundle": {"akta_kematian", "kk", "ktp_el"},
    },
    # Pindah antar kab/kota: show the KK at the origin office.
    "pindah_keluar": {"papers": {"kk": (True, SH), "ktp_el": (True, S)}},
    # Pindah dalam satu kab/kota: NO SKPWNI; KK + biodata form; old cards revoked.
    "pindah_dalam": {"papers": {"kk": (True, H), "ktp_el": (True, H), "f101": (True, S)}},
    # Pindah datang with the SKPWNI; KTP-el replaced.
    "pindah_datang": {"papers": {"skpwni": (True, H), "ktp_el": (True, H)}},
    # KTP-el rekam: KK; in person.
    "ktp_rekam": {"papers": {"kk": (True, S)}},
    # KTP-el cetak ulang hilang: police letter; KK.  Rusak: the damaged card (kept); KK.
    "ktp_cetak_ulang": {"papers": {"kk": (True, S), "sk_kehilangan": (True, S)}},
    "ktp_cetak_ulang_rusak": {"papers": {"kk": (True, S), "ktp_rusak": (True, H)}},
    "ktp_ubah": {"papers": {"kk": (True, S), "bukti_perubahan": (True, S), "ktp_lama": (False, H)}},
    # KIA: akta kelahiran; KK; KTP-el of both parents (shown); photos for 5-17;
    # hilang/rusak: police letter / damaged card.
    "kia": {"papers": {"akta_lahir": (True, S), "kk": (True, SH), "ktp_ortu": (True, SH), "pas_foto": (False, S)}},
    "kia_hilang": {"papers": {"akta_lahir": (True, S), "kk": (True, SH), "ktp_ortu": (True, SH),
                              "pas_foto": (False, S), "sk_kehilangan": (True, S)}},
    "kia_rusak": {"papers": {"akta_lahir": (True, S), "kk": (True, SH), "ktp_ortu": (True, SH),
                             "pas_foto": (False, S), "kia_rusak": (True, H)}},
    # Akta perkawinan: letter of the religious leader; akta kelahiran, KTP-el, KK of both;
    # parents' KTP-el; photo 4x6; F-2.12; couple + 2 witnesses attend. 60 days.
    "akta_kawin": {
        "papers": {"sk_perkawinan": (True, S), "ktp_kk_suami": (True, S), "ktp_kk_istri": (True, S),
                   "akta_lahir_mempelai": (True, S), "ktp_ortu": (True, S), "pas_foto": (True, S),
                   "ktp_saksi": (True, S), "f212": (True, S)},
        "deadline": 60,
    },
    # Akta perceraian: court ruling; KTP-el; KK; F-2.01; kutipan akta perkawinan asli
    # surrendered. 60 days.
    "akta_cerai": {
        "papers": {"putusan_pengadilan": (True, S), "akta_kawin": (True, H), "ktp_el": (True, S),
                   "kk": (True, S), "f201": (True, S)},
        "deadline": 60,
    },
    # Pengesahan anak: akta kelahiran; akta perkawinan; KK; KTP-el; court order if born before.
    "pengesahan_anak": {
        "papers": {"akta_lahir": (True, S), "akta_kawin": (True, S), "kk": (True, S), "ktp_el": (True, S),
                   "penetapan_pengadilan": (False, S)},
        "deadline": 30,
    },
    # Pengakuan anak: father's statement approved by the mother; akta kelahiran; KK; KTP-el;
    # court order if no religious marriage.
    "pengakuan_anak": {
        "papers": {"surat_pengakuan": (True, S), "akta_lahir": (True, S), "kk": (True, S), "ktp_el": (True, S),
                   "penetapan_pengadilan": (False, S)},
        "deadline": 30,
    },
    # Perubahan nama: court order; kutipan akta; KK; KTP-el.
    "perubahan_nama": {
        "papers": {"penetapan_pn": (True, S), "kutipan_akta": (True, S), "kk": (True, S), "ktp_el": (True, S)},
        "deadline": 30,
    },
    # Pembetulan data (typo, no court): the wrong kutipan (kept), proof of the right data.
    "pembetulan_data": {
        "papers": {"kutipan_akta": (True, H), "bukti_data_benar": (True, S), "kk": (True, S), "ktp_el": (True, S)},
    },
}  # fmt: skip

# Every (service, requirement) code pair that applications made with catalog 1 (before 2025.1)
# can hold: they must stay valid so old drafts and ready applications keep working.
OLD_CODES = {
    "kk_baru": {"buku_nikah", "sk_pindah", "kk_lama"},
    "kk_ubah": {"kk_lama", "bukti_peristiwa"},
    "kk_hilang": {"sk_kehilangan", "ktp_el"},
    "akta_lahir": {"sk_lahir", "buku_nikah_ortu", "kk", "ktp_ortu"},
    "akta_mati": {"sk_kematian", "kk", "ktp_almarhum", "ktp_pelapor"},
    "pindah_keluar": {"kk", "ktp_el"},
    "pindah_datang": {"skpwni", "ktp_el"},
    "ktp_cetak_ulang": {"sk_kehilangan", "kk"},
    "ktp_ubah": {"kk", "bukti_perubahan"},
    "ktp_rekam": {"kk"},
    "akta_kawin": {"sk_perkawinan", "ktp_kk_suami", "ktp_kk_istri", "pas_foto", "ktp_saksi"},
    "akta_cerai": {"putusan_pengadilan", "akta_kawin", "ktp_el", "kk"},
    "kia": {"kk", "akta_lahir", "pas_foto"},
}


def test_catalog_json_matches_its_schema() -> None:
    validator = jsonschema_rs.validator_for(schema())
    errors = [e.message for e in validator.iter_errors(json.loads(catalog_text()))]
    assert errors == []
    assert CATALOG_VERSION == json.loads(catalog_text())["version"]


def test_schema_rejects_what_the_app_cannot_use() -> None:
    validator = jsonschema_rs.validator_for(schema())
    good = json.loads(catalog_text())
    for breakage in (
        lambda d: d.pop("version"),
        lambda d: d["services"][0]["requirements"][0].update(original="kept"),
        lambda d: d["services"][0]["requirements"][0].pop("mandatory"),
        lambda d: d["services"][0].update(code="KK Baru"),
        lambda d: d["services"][0].update(deadline_days=0),
    ):
        bad = copy.deepcopy(good)
        breakage(bad)
        assert not validator.is_valid(bad)


def test_loader_rejects_broken_references() -> None:
    raw = json.loads(catalog_text())
    bad = copy.deepcopy(raw)
    bad["services"][0]["requirements"][0]["alternatives"] = [["no_such_paper"]]
    with pytest.raises(CatalogError):
        load_catalog(bad)
    bad = copy.deepcopy(raw)
    bad["services"].append(copy.deepcopy(bad["services"][0]))
    with pytest.raises(CatalogError):
        load_catalog(bad)


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_checklist_follows_domain_table(code: str) -> None:
    service = get_service(code)
    want = EXPECTED[code]
    got = {r.code: (r.mandatory, r.original) for r in service.requirements}
    assert got == want["papers"]
    got_alts = {r.code: list(r.alternatives) for r in service.requirements if r.alternatives}
    assert got_alts == want.get("alternatives", {})
    assert service.deadline_days == want.get("deadline")
    if "bundle" in want:
        assert {o.code for o in service.outputs} == want["bundle"]
        assert [o.bundle for o in service.outputs] == [False, True, True]


def test_every_catalog_service_is_checked_against_the_table() -> None:
    assert set(SERVICES) == set(EXPECTED)


def test_old_codes_stay_valid() -> None:
    for service, reqs in OLD_CODES.items():
        assert reqs <= {r.code for r in get_service(service).requirements}, service


def test_every_service_is_complete() -> None:
    for s in SERVICES.values():
        assert s.name_id and s.name_en and s.outputs
        assert s.mandatory, f"{s.code} has no mandatory paper"
        for r in s.requirements:
            assert r.name_id and r.name_en and r.code
            # Only a paper kept by the village says so in its name: the operator sees it.
            assert ("diserahkan" in r.name_id) == (r.original is Original.HAND_OVER), (s.code, r.code)
        if s.deadline_days:
            assert s.event_label_id, s.code


def test_variants_have_their_own_papers() -> None:
    hilang, rusak = family_services("ktp_cetak_ulang")
    assert "sk_kehilangan" in {r.code for r in hilang.requirements}
    assert "sk_kehilangan" not in {r.code for r in rusak.requirements}
    assert [r.code for r in rusak.handed_over] == ["ktp_rusak"]
    assert [s.code for s in family_services("pindah")] == ["pindah_keluar", "pindah_dalam", "pindah_datang"]
    assert "SKPWNI" not in " ".join(r.name_id for r in get_service("pindah_dalam").requirements)
    assert get_service("kk_rusak").name_id == "KK hilang / rusak (rusak)"


def test_alternative_replaces_a_mandatory_paper() -> None:
    s = get_service("akta_lahir")
    base = {"kk", "ktp_ortu", "f201", "buku_nikah_ortu"}
    assert s.missing(base) == ["sk_lahir"]
    assert s.missing(base | {"sptjm_f203"}) == ["sk_lahir"]  # the witnesses are part of it
    assert s.missing(base | {"sptjm_f203", "ktp_saksi"}) == []
    assert s.satisfied_by_alternative(base | {"sptjm_f203", "ktp_saksi"}) == {
        "sk_lahir": ("sptjm_f203", "ktp_saksi")
    }
    assert s.missing(base | {"sk_lahir"}) == []


def test_deadlines_and_lateness() -> None:
    mati = get_service("akta_mati")
    assert mati.late_days(date(2026, 1, 1), today=date(2026, 1, 31)) == 0
    assert mati.late_days(date(2026, 1, 1), today=date(2026, 2, 5)) == 5
    assert mati.late_days(None) == 0
    assert get_service("kk_baru").late_days(date(2000, 1, 1)) == 0


def test_subjects_are_separate_from_the_reporter() -> None:
    assert [r.role for r in get_service("akta_lahir").subjects] == ["anak"]
    assert not get_service("akta_lahir").subjects[0].nik_required  # a newborn has no NIK yet
    assert [r.role for r in get_service("akta_mati").subjects] == ["almarhum"]
    assert [r.role for r in get_service("akta_kawin").subjects] == ["suami", "istri"]
    assert get_service("kk_baru").subjects == ()


def test_biometric_recording_needs_presence_and_can_be_at_home() -> None:
    rekam = get_service("ktp_rekam")
    assert rekam.in_person and rekam.home_recording and "langsung" in rekam.in_person_note("id")
    assert not get_service("akta_lahir").in_person


def test_search() -> None:
    assert {s.code for s in search_services("akta")} == {
        "akta_lahir", "akta_mati", "akta_kawin", "akta_cerai", "pembetulan_data",
    }  # fmt: skip
    assert [s.code for s in search_services("kartu identitas anak")] == ["kia", "kia_hilang", "kia_rusak"]
    assert [s.code for s in search_families("kartu identitas anak")] == ["kia"]
    assert [s.code for s in search_services("BIRTH")] == ["akta_lahir"]
    assert [s.code for s in search_services("rusak ktp")] == ["ktp_cetak_ulang_rusak"]
    assert search_services("tidak ada layanan ini") == []


def test_families_cover_every_service_once() -> None:
    codes = [c for _fam, cs in CATALOG.families for c in cs]
    assert sorted(codes) == sorted(SERVICES)
