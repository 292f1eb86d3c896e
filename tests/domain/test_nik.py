from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desa_capil.domain.nik import PROVINCES, Reason, Sex, normalize, validate_kk, validate_nik

TODAY = date(2026, 11, 24)


@pytest.mark.parametrize(
    ("nik", "born", "sex"),
    [
        ("3201010509900001", date(1990, 9, 5), Sex.MALE),
        ("3201014509900001", date(1990, 9, 5), Sex.FEMALE),  # day + 40 for women
        ("5301027112990123", date(1999, 12, 31), Sex.FEMALE),
        ("3201012902000001", date(2000, 2, 29), Sex.MALE),  # leap day
        ("9601010101260001", date(2026, 1, 1), Sex.MALE),  # Papua Barat Daya, born this year
        ("3271 0101 0101 0001", date(2001, 1, 1), Sex.MALE),  # spaces as typed from a card
    ],
)
def test_valid_nik(nik: str, born: date, sex: Sex) -> None:
    r = validate_nik(nik, today=TODAY)
    assert r.ok, r.reason_en
    assert r.born_or_issued == born
    assert r.sex is sex
    assert r.reason is None


@pytest.mark.parametrize(
    ("nik", "reason", "fragment"),
    [
        ("", Reason.EMPTY, "belum diisi"),
        ("32010105099000a1", Reason.NOT_DIGITS, "hanya boleh berisi angka"),
        ("320101050990001", Reason.LENGTH, "15 angka"),
        ("32010105099000011", Reason.LENGTH, "17 angka"),
        ("9901010509900001", Reason.PROVINCE, "(99)"),
        ("3200010509900001", Reason.REGENCY, "kabupaten/kota"),
        ("3201000509900001", Reason.DISTRICT, "kecamatan"),
        ("3201013209900001", Reason.DATE, "bukan tanggal"),  # day 32: neither man nor woman
        ("3201017209900001", Reason.DATE, "bukan tanggal"),  # day 72 = 32 for a woman
        ("3201010013900001", Reason.DATE, "bukan tanggal"),  # month 13, day 00
        ("3201012902010001", Reason.DATE, "bukan tanggal"),  # 29 Feb 2001 does not exist
        ("3201010509900000", Reason.SERIAL, "0000"),
    ],
)
def test_invalid_nik_says_why(nik: str, reason: Reason, fragment: str) -> None:
    r = validate_nik(nik, today=TODAY)
    assert not r.ok
    assert r.reason is reason
    assert fragment in r.reason_id
    assert r.reason_en  # English too
    assert r.message("en") == r.reason_en and r.message("id") == r.reason_id


def test_two_digit_year_never_in_future() -> None:
    # 27 would be 2027 (future) so it is read as 1927.
    assert validate_nik("3201010101270001", today=TODAY).born_or_issued == date(1927, 1, 1)


def test_kk_has_no_plus_40() -> None:
    assert validate_kk("3201010509900001", today=TODAY).ok
    r = validate_kk("3201014509900001", today=TODAY)  # day 45 is not a date for a KK
    assert not r.ok and r.reason is Reason.DATE
    assert "Nomor KK" in r.reason_id


def test_date_later_this_year_is_read_as_last_century() -> None:
    # 30 Nov 2026 is after "today", so YY=26 means 1926 (a resident aged 99), not a refusal.
    r = validate_nik("3201013011260001", today=TODAY)
    assert r.ok and r.born_or_issued == date(1926, 11, 30)
    # 29 Feb exists in 2000 but not in 1900: DDMMYY 290200 is 2000; with "today" in 1999 it is
    # 1900 and therefore no date at all.
    assert validate_nik("3201012902000001", today=TODAY).born_or_issued == date(2000, 2, 29)
    assert validate_nik("3201012902000001", today=date(1999, 1, 1)).reason is Reason.DATE


@given(
    prov=st.sampled_from(sorted(PROVINCES)),
    reg=st.integers(1, 99),
    dist=st.integers(1, 99),
    born=st.dates(min_value=date(1927, 1, 1), max_value=TODAY),
    female=st.booleans(),
    serial=st.integers(1, 9999),
)
def test_property_every_well_formed_nik_is_valid_and_round_trips(
    prov: str, reg: int, dist: int, born: date, female: bool, serial: int
) -> None:
    day = born.day + (40 if female else 0)
    nik = f"{prov}{reg:02d}{dist:02d}{day:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"
    r = validate_nik(nik, today=TODAY)
    assert r.ok, (nik, r.reason_en)
    assert r.born_or_issued == born
    assert r.sex is (Sex.FEMALE if female else Sex.MALE)


@given(st.text(max_size=40))
def test_property_any_text_gives_a_verdict_never_an_exception(text: str) -> None:
    for check in (validate_nik, validate_kk):
        r = check(text, today=TODAY)
        assert r.ok or (r.reason is not None and r.reason_id and r.reason_en)
        if r.ok:
            assert len(normalize(text)) == 16 and normalize(text).isdigit()
