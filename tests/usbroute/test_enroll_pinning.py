"""Enrollment from a stick on a laptop that already knows its office: the office signing key is
pinned (a file signed by another key changes nothing), and a laptop with a device token keeps
its device id."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from desa_capil.paths import AppPaths
from desa_capil.server.testing import write_office_enrollment
from desa_capil.store import setting_keys as keys
from desa_capil.store.db import Database
from desa_capil.store.repo import get_setting, set_setting
from desa_capil.sync import config, usb_identity
from desa_capil.usbroute import KeySet, make_code

OFFICE = KeySet.generate()
VILLAGE = "53.14.01.2001"


def enrollment_file(folder: Path, office: KeySet, *, url: str = "https://capil.rotendaokab.go.id") -> Path:
    path = folder / f"{uuid.uuid4().hex[:6]}.dcenroll"
    write_office_enrollment(path, office, village_code=VILLAGE, server_url=url)
    return path


def identity(db: Database) -> dict[str, str]:
    names = (
        keys.OFFICE_SIGN_PUBLIC,
        keys.OFFICE_BOX_PUBLIC,
        config.SERVER_URL,
        config.DEVICE_ID,
        keys.VILLAGE_CODE,
    )
    return {k: get_setting(db, k) for k in names}


def test_enrollment_signed_by_another_office_key_is_refused(
    db: Database, paths: AppPaths, tmp_path: Path
) -> None:
    first = usb_identity.enroll_from_file(db, paths, enrollment_file(tmp_path, OFFICE), make_code())
    before = identity(db)
    assert (
        before[keys.OFFICE_SIGN_PUBLIC] == OFFICE.sign_public and before[config.DEVICE_ID] == first.device_id
    )
    forged = enrollment_file(tmp_path, KeySet.generate(), url="https://kantor-palsu.example")
    with pytest.raises(usb_identity.OtherOffice) as refused:
        usb_identity.enroll_from_file(db, paths, forged, make_code())
    assert "kunci kantor yang lain" in refused.value.message_id
    assert identity(db) == before
    # A new file from the same office (enrollment renewed) is still accepted.
    again = usb_identity.enroll_from_file(db, paths, enrollment_file(tmp_path, OFFICE), make_code())
    assert get_setting(db, config.DEVICE_ID) == again.device_id


def test_laptop_with_a_token_keeps_its_device_id(db: Database, paths: AppPaths, tmp_path: Path) -> None:
    usb_identity.save_office_keys(
        db, usb_identity.OfficeKeys(OFFICE.sign_public, OFFICE.box_public, "Kantor")
    )
    set_setting(db, keys.VILLAGE_CODE, VILLAGE)
    set_setting(db, config.DEVICE_ID, "online-device-7")
    config.credential_store(paths).set_token("token-of-online-device-7")
    before = identity(db)
    with pytest.raises(usb_identity.EnrolledOnline):
        usb_identity.enroll_from_file(db, paths, enrollment_file(tmp_path, OFFICE), make_code())
    assert identity(db) == before
