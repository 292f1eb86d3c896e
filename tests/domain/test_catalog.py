from desa_capil.domain.catalog import SERVICES, get_service, search_services

REQUIRED_SERVICES = {
    "kk_baru", "kk_ubah", "kk_hilang", "akta_lahir", "akta_mati", "pindah_keluar", "pindah_datang",
    "ktp_cetak_ulang", "ktp_ubah", "akta_kawin", "akta_cerai", "kia", "ktp_rekam",
}  # fmt: skip


def test_catalog_covers_the_services_of_the_issue() -> None:
    assert REQUIRED_SERVICES <= set(SERVICES)


def test_every_service_is_complete() -> None:
    for s in SERVICES.values():
        assert s.name_id and s.name_en
        assert s.requirements, s.code
        assert s.mandatory, f"{s.code} has no mandatory paper"
        for r in s.requirements:
            assert r.name_id and r.name_en and r.code


def test_biometric_recording_needs_presence() -> None:
    rekam = get_service("ktp_rekam")
    assert rekam.in_person and "langsung" in rekam.in_person_note("id")
    assert not get_service("akta_lahir").in_person


def test_search() -> None:
    assert {s.code for s in search_services("akta")} == {
        "akta_lahir",
        "akta_mati",
        "akta_kawin",
        "akta_cerai",
    }
    assert [s.code for s in search_services("kartu identitas anak")] == ["kia"]
    assert [s.code for s in search_services("BIRTH")] == ["akta_lahir"]
    assert search_services("tidak ada layanan ini") == []
