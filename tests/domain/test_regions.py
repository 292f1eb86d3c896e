"""The official region list (Kepmendagri 300.2.2-2138/2025) shipped offline."""

from __future__ import annotations

from desa_capil.domain import regions


def test_counts_match_the_2025_decree() -> None:
    assert regions.counts() == {
        "provinces": 38,
        "regencies": 514,
        "districts": 7285,
        "villages": 83762,
        "kelurahan": 8496,
        "desa": 75252,
        "desa adat": 14,
    }


def test_desa_adat_of_kabupaten_jayapura() -> None:
    index = regions.village_index()
    adat = [v for v in index.search("desa adat", limit=100) if v.kind == "desa adat"]
    assert len(adat) == 14
    assert {v.code[:5] for v in adat} == {"91.03"}
    assert all(v.code.split(".")[3].startswith("3") for v in adat)


def test_nik_prefix_names_the_region() -> None:
    where = regions.nik_region("3201015512900001")
    assert where is not None and where.known
    assert (where.province, where.regency, where.district) == ("Jawa Barat", "Kabupaten Bogor", "Cibinong")
    unknown = regions.nik_region("32.99.01 551290 0001")
    assert unknown is not None and not unknown.known and unknown.province == "Jawa Barat"
    assert regions.nik_region("3201") is None


def test_search_by_name_place_and_code() -> None:
    index = regions.village_index()
    found = index.search("cileunyi kulon")
    assert [(v.code, v.full_name) for v in found] == [("32.04.05.2001", "Desa Cileunyi Kulon")]
    assert found[0].place() == "Kec. Cileunyi, Kabupaten Bandung, Jawa Barat"
    # Every word must match somewhere in the line (name, kecamatan, kabupaten, province).
    assert all("bandung" in v.place().lower() for v in index.search("sukamaju bandung"))
    # Own name starting with the first word comes first.
    first = index.search("suka")
    assert first and all(v.name.lower().startswith("suka") for v in first[:10])
    assert len(index.search("s", limit=7)) == 7
    assert index.search("xqzv") == [] and index.search("  ") == []
    assert index.village("91.03.01.3007") is not None
    assert index.village("32.04.05.2999") is None
