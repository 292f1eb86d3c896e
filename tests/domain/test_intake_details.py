from __future__ import annotations

from datetime import date

from desa_capil.domain.catalog import get_service
from desa_capil.domain.intake import (
    HomeRecording,
    IntakeDetails,
    Person,
    Severity,
    check_details,
)
from desa_capil.domain.names import check_name

TODAY = date(2026, 3, 1)
NIK_WOMAN = "3201016501900001"  # 25-01-1990, female (+40)


def test_names_follow_permendagri_73_2022_as_warnings() -> None:
    assert check_name("Siti Aminah") == []
    assert [w.code for w in check_name("Sukarno")] == ["one_word"]
    long = "Raden " + "Ayu " * 20 + "Kartini"
    assert [w.code for w in check_name(long)] == ["too_long"]
    assert "60 karakter" in check_name(long)[0].message_id
    assert [w.code for w in check_name("Budi 2 Santoso")] == ["characters"]
    assert check_name("   ") == []


def test_late_report_is_a_warning_not_a_problem() -> None:
    mati = get_service("akta_mati")
    d = IntakeDetails(event_date=date(2026, 1, 1), subjects=(Person("almarhum", "Ahmad Yani", NIK_WOMAN),))
    found = check_details(mati, d, today=TODAY)
    assert [(f.field, f.severity) for f in found] == [("event_date", Severity.WARNING)]
    assert "Terlambat lapor" in found[0].message_id and "29 hari" in found[0].message_id
    in_time = IntakeDetails(event_date=date(2026, 2, 20), subjects=d.subjects)
    assert check_details(mati, in_time, today=TODAY) == []


def test_future_event_date_is_a_problem() -> None:
    found = check_details(
        get_service("akta_lahir"),
        IntakeDetails(event_date=date(2026, 3, 2), subjects=(Person("anak", "Putri Ayu"),)),
        today=TODAY,
    )
    assert [(f.field, f.severity) for f in found] == [("event_date", Severity.PROBLEM)]


def test_each_subject_gets_its_own_nik_check() -> None:
    kawin = get_service("akta_kawin")
    d = IntakeDetails(
        subjects=(Person("suami", "Yohanes Kambu", "3201011501900000"), Person("istri", "Maria"))
    )
    found = {(f.field, f.severity) for f in check_details(kawin, d, today=TODAY)}
    assert ("subject:suami:nik", Severity.PROBLEM) in found  # serial 0000
    assert ("subject:istri:nik", Severity.WARNING) in found  # empty: warned, an office may accept
    assert ("subject:istri:name", Severity.WARNING) in found  # one word
    # A newborn needs no NIK; a missing name is warned (the draft can be finished later).
    found = check_details(get_service("akta_lahir"), IntakeDetails(), today=TODAY)
    assert [(f.field, f.severity) for f in found] == [("subject:anak:name", Severity.WARNING)]


def test_json_round_trip_and_tolerance() -> None:
    d = IntakeDetails(
        event_date=date(2026, 1, 2),
        subjects=(Person("almarhum", "Ahmad Yani", NIK_WOMAN),),
        outputs=("akta_kematian", "kk"),
        home_recording=HomeRecording.NONE,
        catalog_version="2025.1",
    )
    assert IntakeDetails.from_json(d.to_json()) == d
    assert IntakeDetails.from_json("") == IntakeDetails()
    assert IntakeDetails.from_json("not json") == IntakeDetails()
    assert IntakeDetails.from_json('{"event_date": "2026-13-01", "home_recording": "x"}') == IntakeDetails()


def test_for_service_keeps_only_what_the_service_asks() -> None:
    d = IntakeDetails(
        event_date=date(2026, 1, 2),
        subjects=(Person("almarhum", "Ahmad Yani"), Person("anak", "Putri Ayu")),
        outputs=("kk", "kia", "nonsense"),
        home_recording=HomeRecording.SICK,
    )
    lahir = d.for_service(get_service("akta_lahir"), "v")
    assert [p.role for p in lahir.subjects] == ["anak"]
    assert lahir.outputs == ("akta_kelahiran", "kk", "kia")  # the main document always
    assert lahir.home_recording is HomeRecording.NONE and lahir.catalog_version == "v"
    rekam = d.for_service(get_service("ktp_rekam"), "v")
    assert rekam.event_date is None and rekam.subjects == () and rekam.outputs == ("ktp_el",)
    assert rekam.home_recording is HomeRecording.SICK
