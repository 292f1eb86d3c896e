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
    adat = regions.codes_of_kind("desa adat")
    assert len(adat) == 14
    assert {c[:5] for c in adat} == {"91.03"}
    assert all(c.split(".")[3].startswith("3") for c in adat)
    # Found by name; the kind word typed in front does not get in the way.
    [yoboi] = regions.village_index().search("Desa Adat Yoboi")
    assert yoboi.code == "91.03.01.3007" and yoboi.kind == "desa adat"
    assert regions.query_words("Desa Adat Yoboi") == ["yoboi"] and regions.query_words("desa") == []


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
