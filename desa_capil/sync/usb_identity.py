"""Who this laptop is on the USB route: its device keys, the office's keys, stick enrollment.

The laptop has one signing key (Ed25519) and one box key (X25519, age) for the stick, made on
first use and kept in a 0600 file beside the data key file (``AppPaths.keys``), never in the
data folder that people copy. The office's public keys come from the enrollment file (or are
fetched online) and are kept in settings: a return bundle is only opened when it is signed by
that office key.

Enrollment from a stick (``enroll_from_file``): the office's ``*.dcenroll`` file plus the short
code printed on paper. The laptop proves it holds both (``usbroute.proof`` over its device id
and its public keys) and keeps only the proof, not the secret or the code; its first bundle
carries the proof so the office binds this laptop's keys (docs/usb-route.md). The village
identity comes from the office's file, like the online enrollment takes it from the server.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from desa_capil.errors import BadInputError, UserError
from desa_capil.paths import AppPaths, app_paths
from desa_capil.store import setting_keys as keys
from desa_capil.store.db import Database
from desa_capil.store.repo import get_setting, set_setting
from desa_capil.sync import config
from desa_capil.sync.client import ApiClient, BadAnswer, SyncError
from desa_capil.usbroute import BundleError, Enrollment, KeySet, load_or_create, proof, read_enrollment

log = logging.getLogger(__name__)

DEVICE_KEYS_FILE = "usb_device_keys.json"


def device_keys(paths: AppPaths) -> KeySet:
    """This laptop's USB key set, made on first use."""
    return load_or_create(paths.keys / DEVICE_KEYS_FILE)


@dataclass(frozen=True)
class OfficeKeys:
    sign_public: str
    box_public: str
    name: str = ""


def office_keys(db: Database) -> OfficeKeys | None:
    """The office's public keys, or None when this laptop never learnt them."""
    sign, box = get_setting(db, keys.OFFICE_SIGN_PUBLIC), get_setting(db, keys.OFFICE_BOX_PUBLIC)
    if not sign or not box:
        return None
    return OfficeKeys(sign, box, get_setting(db, keys.OFFICE_NAME))


def save_office_keys(db: Database, office: OfficeKeys) -> None:
    set_setting(db, keys.OFFICE_SIGN_PUBLIC, office.sign_public)
    set_setting(db, keys.OFFICE_BOX_PUBLIC, office.box_public)
    set_setting(db, keys.OFFICE_NAME, office.name)


def enrollment_proof(db: Database) -> tuple[str, str] | None:
    """(enrollment id, proof) to put in this laptop's bundles while it was enrolled by stick."""
    eid, value = get_setting(db, keys.USB_ENROLLMENT_ID), get_setting(db, keys.USB_ENROLL_PROOF)
    return (eid, value) if eid and value else None


class AlreadyEnrolled(BadInputError):
    def __init__(self, village: str) -> None:
        super().__init__(
            f"Laptop ini sudah terdaftar untuk {village}. Berkas pendaftaran desa lain tidak bisa "
            "dipakai di sini; minta kantor mencabut pendaftaran lama bila laptop dipindah ke desa lain.",
            f"This laptop is already enrolled for {village}. Another village's enrollment file cannot "
            "be used here; ask the office to revoke the old enrollment if the laptop moves.",
        )


class OtherOffice(BadInputError):
    def __init__(self, office: str) -> None:
        super().__init__(
            f"Berkas pendaftaran ini ditandatangani kunci kantor yang lain, bukan kunci {office} yang "
            "sudah dikenal laptop ini. Berkas tidak dipakai dan tidak ada yang diubah; minta berkas "
            "pendaftaran dari kantor Disdukcapil Anda sendiri.",
            f"This enrollment file is signed by another office key, not the key of {office} this "
            "laptop already knows. The file was not used and nothing changed; ask your own office "
            "for an enrollment file.",
        )


class EnrolledOnline(BadInputError):
    def __init__(self) -> None:
        super().__init__(
            "Laptop ini sudah terdaftar lewat internet sebagai perangkat lain. Berkas pendaftaran "
            "flashdisk tidak dipakai dan tidak ada yang diubah; flashdisk bisa dipakai setelah laptop "
            "sekali tersambung ke internet (kuncinya didaftarkan otomatis).",
            "This laptop is already enrolled online as another device. The stick enrollment file "
            "was not used and nothing changed; the stick works once the laptop has been online "
            "once (its keys are registered automatically).",
        )


def preview(path: Path) -> Enrollment:
    """Read and check an enrollment file (signature, shape) without changing anything."""
    return read_enrollment(path)


def enroll_from_file(
    db: Database, paths: AppPaths, path: Path, code: str, *, now: datetime | None = None
) -> Enrollment:
    """Enroll this laptop from the office's file and the paper code; returns the enrollment.

    Refused with a clear reason (BundleError: truncated, format, bad_signature, expired,
    bad_code) and nothing is saved; a laptop already enrolled for another village is refused
    too (``AlreadyEnrolled``).
    """
    enrollment = read_enrollment(path)
    known = office_keys(db)
    if known is not None and enrollment.office_sign_public != known.sign_public:
        # The office key is pinned once known: a file signed by another key (a forged "office")
        # must not replace it, nor the server address and identity that come with it.
        raise OtherOffice(known.name or "kantor")
    if enrollment.expired(now):
        raise BundleError("expired", enrollment.expires_at)
    current = get_setting(db, keys.VILLAGE_CODE)
    device = get_setting(db, config.DEVICE_ID)
    if device and current and current != enrollment.village_code:
        raise AlreadyEnrolled(get_setting(db, keys.VILLAGE_NAME) or current)
    revoked = bool(get_setting(db, keys.DEVICE_REVOKED_AT))
    if (
        device
        and device != enrollment.device_id
        and not revoked
        and config.credential_store(paths).get_token()
    ):
        # Its token belongs to its device id: changing the id would break the online route.
        # (A revoked device's token is dead: the office's new file replaces that device.)
        raise EnrolledOnline()
    mine = device_keys(paths)
    value = proof(  # raises BundleError("bad_code") on a typo, before anything is saved
        secret=enrollment.secret,
        code=code,
        device_id=enrollment.device_id,
        sign_public=mine.sign_public,
        box_public=mine.box_public,
    )
    try:
        if enrollment.server_url:
            config.save_server(db, enrollment.server_url, None)
    except UserError as exc:
        # An address this app will not use as it stands (plain http to another machine): the
        # stick route works without it; the address is set in Pengaturan the day a link exists.
        log.warning("server address of the enrollment file not kept: %s", exc.message_en)
    save_office_keys(
        db, OfficeKeys(enrollment.office_sign_public, enrollment.office_box_public, enrollment.office_name)
    )
    set_setting(db, keys.USB_ENROLLMENT_ID, enrollment.enrollment_id)
    set_setting(db, keys.USB_ENROLL_PROOF, value)
    set_setting(db, keys.VILLAGE_CODE, enrollment.village_code)
    set_setting(db, keys.VILLAGE_NAME, enrollment.village_name)
    set_setting(db, config.DEVICE_ID, enrollment.device_id)
    if revoked:
        config.credential_store(paths).delete_token()
        set_setting(db, keys.DEVICE_REVOKED_AT, "")
    log.info(
        "enrolled by stick for village %s (enrollment %s)", enrollment.village_code, enrollment.enrollment_id
    )
    return enrollment


def register_online(db: Database, paths: AppPaths, client: ApiClient) -> OfficeKeys:
    """An online-enrolled laptop joins the USB route: it registers its public keys with the
    office (``PUT /device/keys``; the same keys again answer 200) and keeps the office's public
    keys from the answer. A 409 (other keys already registered for this device) is the
    server's refusal, raised as its SyncError."""
    mine = device_keys(paths)
    resp = client.request(
        "PUT",
        "/device/keys",
        json_body={"sign_public": mine.sign_public, "box_public": mine.box_public},
        ok=(200, 201),
    )
    try:
        body = resp.json()
        office = OfficeKeys(
            str(body["sign_public"]), str(body["box_public"]), str(body.get("office_name", ""))
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise BadAnswer(f"/device/keys: {exc!r}", resp.status_code) from exc
    save_office_keys(db, office)
    return office


def join_online(client: ApiClient, db: Database, paths: AppPaths | None = None) -> bool:
    """Once per enrollment, from the online sync pass: register this laptop's USB keys and keep
    the office's, so a laptop enrolled online can use the stick too (and receive return
    bundles). True when it registered now. A server without the USB route (404) or one that
    holds other keys for this device (409) is logged and left alone: the online route goes on."""
    device = get_setting(db, config.DEVICE_ID)
    if not device or get_setting(db, keys.USB_KEYS_REGISTERED) == device:
        return False
    try:
        register_online(db, paths or app_paths(), client)
    except SyncError as exc:
        if exc.status in (404, 405, 409):
            log.warning("USB keys not registered (%s): %s", exc.status, exc.detail)
            set_setting(db, keys.USB_KEYS_REGISTERED, device)
            return False
        raise
    set_setting(db, keys.USB_KEYS_REGISTERED, device)
    log.info("USB keys registered with the office for device %s", device)
    return True
