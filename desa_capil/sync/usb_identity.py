"""Who this laptop is on the USB route: its device keys, the office's keys, stick enrollment.

The laptop has one signing key (Ed25519) and one box key (X25519, age) for the stick, made on
first use and kept like the data itself: sealed (AES-256-GCM) with a subkey of the laptop's data
key (``security.keys.DataKeys.usb_device``) in the encrypted database. They therefore live where
the data key lives (OS keyring, else its 0600 file), go into every database backup, and come
back with the recovery code; a damaged or deleted file cannot lose them. Versions before kept
them in a plain 0600 file ``AppPaths.keys/usb_device_keys.json``: it is moved into the database
on first use and removed (a damaged one is set aside and new keys are made; the office then
answers the key registration with 409, ``keys_conflict``). The office's public keys come from the enrollment file (or are
fetched online) and are kept in settings: a return bundle is only opened when it is signed by
that office key.

Enrollment from a stick (``enroll_from_file``): the office's ``*.dcenroll`` file plus the short
code printed on paper. The laptop proves it holds both (``usbroute.proof`` over its device id
and its public keys) and keeps only the proof, not the secret or the code; its first bundle
carries the proof so the office binds this laptop's keys (docs/usb-route.md). The village
identity comes from the office's file, like the online enrollment takes it from the server.
"""

from __future__ import annotations

import base64
import contextlib
import logging
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import requests
from sqlalchemy.exc import IntegrityError

from desa_capil.errors import BadInputError, StorageError, UserError
from desa_capil.paths import AppPaths, app_paths
from desa_capil.security.crypto import DecryptError, open_sealed, seal
from desa_capil.security.files import write_private
from desa_capil.security.keys import DataKeys, KeyStore
from desa_capil.store import setting_keys as keys
from desa_capil.store.db import Database, connect_raw
from desa_capil.store.models import Setting
from desa_capil.store.repo import get_setting, set_setting
from desa_capil.sync import config
from desa_capil.sync.client import ApiClient, BadAnswer, SyncError
from desa_capil.usbroute import BundleError, Enrollment, KeySet, load_or_create, proof, read_enrollment

log = logging.getLogger(__name__)

# Where versions before kept the key set (a plain 0600 file); moved into the database once.
DEVICE_KEYS_FILE = "usb_device_keys.json"
_AAD = b"desa_capil usb device keys v1"
_make_lock = threading.Lock()


class DamagedDeviceKeys(StorageError):
    def __init__(self, detail: str = "") -> None:
        super().__init__(
            "Kunci flashdisk laptop ini yang tersimpan di basis data rusak. Tidak ada yang diubah. "
            "Pulihkan basis data dari cadangan (folder 'backups' atau flashdisk cadangan).",
            "This laptop's stored stick keys are damaged in the database. Nothing was changed. "
            "Restore the database from a backup (the 'backups' folder or the backup stick).",
            detail=detail,
        )


def _open_stored(seal_key: bytes, text: str) -> KeySet:
    try:
        return KeySet.from_json(open_sealed(seal_key, base64.b64decode(text), _AAD).decode("utf-8"))
    except (DecryptError, BundleError, ValueError) as exc:
        raise DamagedDeviceKeys(type(exc).__name__) from exc


def _legacy_keys(file: Path) -> KeySet | None:
    """The key set an older version left in its 0600 file, or None (absent, or damaged: set
    aside under another name, never deleted, so whoever looks later sees what was there)."""
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        log.warning("USB key file %s unreadable (%s)", file, type(exc).__name__)
        text = ""
    try:
        return KeySet.from_json(text)
    except BundleError:
        aside = file.with_name(f"{file.name}.damaged-{datetime.now():%Y%m%d-%H%M%S}")
        with contextlib.suppress(OSError):
            file.replace(aside)
        log.warning("USB key file %s is damaged: set aside as %s; new keys are made", file, aside.name)
        return None


def device_keys(db: Database, paths: AppPaths) -> KeySet:
    """This laptop's USB key set, sealed in the database (see the module docstring); made on
    first use, or moved in from an older version's key file."""
    if db.keys is None:  # a database opened without the data key (tests of old layouts)
        return load_or_create(paths.keys / DEVICE_KEYS_FILE)
    seal_key = db.keys.usb_device
    legacy = paths.keys / DEVICE_KEYS_FILE
    stored = get_setting(db, keys.USB_DEVICE_KEYS)
    if not stored:
        with _make_lock:
            stored = get_setting(db, keys.USB_DEVICE_KEYS)
            if not stored:
                mine = _legacy_keys(legacy) or KeySet.generate()
                value = base64.b64encode(seal(seal_key, mine.to_json().encode("utf-8"), _AAD)).decode("ascii")
                try:
                    with db.session() as s:
                        # Never replaces a key set another process stored first (primary key).
                        s.add(Setting(key=keys.USB_DEVICE_KEYS, value=value))
                        s.commit()
                    stored = value
                except IntegrityError:
                    stored = get_setting(db, keys.USB_DEVICE_KEYS)
    current = _open_stored(seal_key, stored)
    if legacy.exists():
        # Moved in (now, or before a crash came between the commit and this): the plain copy goes.
        old = _legacy_keys(legacy)
        if old is None or old == current:
            with contextlib.suppress(FileNotFoundError):
                legacy.unlink()
                log.info("USB device keys moved from %s into the database", legacy)
    return current


def write_legacy_key_file(paths: AppPaths, *, key_store: KeyStore | None = None) -> bool:
    """Before an older version starts again (update rollback): put the key set stored in the
    database back into the 0600 file versions before kept it in (``DEVICE_KEYS_FILE``).

    Those versions read only that file and would otherwise make new keys, which the office
    refuses (its registered keys for this laptop are the stored ones). Written atomically; a
    newer version starting later moves it in again (same keys: the file is removed). Returns
    whether a file was written: False when there is no database, no data key or no stored keys
    (then there is nothing the older version could lose), or when the stored keys are damaged
    (logged: the older version then makes new keys, as it would have anyway). Raises
    StorageError when the file cannot be written; the caller then stops before changing anything.
    """
    path = paths.database
    if not path.exists() or path.stat().st_size == 0:
        return False
    master = (key_store or KeyStore(paths)).load()
    if master is None:
        return False
    data_keys = DataKeys(master)
    conn = connect_raw(path, data_keys)
    try:
        try:
            row = conn.execute("SELECT value FROM setting WHERE key = ?", (keys.USB_DEVICE_KEYS,)).fetchone()
        except Exception as exc:  # no settings table (a database older than the key setting)
            if "no such table" not in str(exc):
                raise
            row = None
    finally:
        conn.close()
    if not row or not row[0]:
        return False
    try:
        mine = _open_stored(data_keys.usb_device, str(row[0]))
    except DamagedDeviceKeys:
        log.warning("stored USB device keys are damaged: not handed to the older version")
        return False
    legacy = paths.keys / DEVICE_KEYS_FILE
    try:
        write_private(legacy, mine.to_json().encode("utf-8"))
    except OSError as exc:
        raise StorageError(
            "Kunci flashdisk laptop ini tidak bisa disiapkan untuk versi sebelumnya, jadi "
            "tidak kembali ke versi itu; tidak ada yang diubah. Pastikan disk tidak penuh, "
            "lalu coba lagi.",
            "This laptop's stick keys could not be prepared for the previous version, so it "
            "did not go back; nothing was changed. Make sure the disk is not full, then try again.",
            detail=f"{type(exc).__name__}: {legacy}",
        ) from exc
    log.info("USB device keys written back to %s for an older version", legacy)
    return True


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
    mine = device_keys(db, paths)
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
    mine = device_keys(db, paths)
    resp = client.request(
        "PUT",
        "/device/keys",
        json_body={"sign_public": mine.sign_public, "box_public": mine.box_public},
        ok=(200, 201),
    )
    office = _office_from(resp, "/device/keys")
    save_office_keys(db, office)
    return office


def _office_from(resp: requests.Response, where: str) -> OfficeKeys:
    try:
        body = resp.json()
        return OfficeKeys(str(body["sign_public"]), str(body["box_public"]), str(body.get("office_name", "")))
    except (ValueError, KeyError, TypeError) as exc:
        raise BadAnswer(f"{where}: {exc!r}", resp.status_code) from exc


def fetch_office_keys(db: Database, client: ApiClient) -> OfficeKeys:
    """The office's public keys (``GET /usb/office-keys``), kept; registers nothing."""
    office = _office_from(client.request("GET", "/usb/office-keys"), "/usb/office-keys")
    save_office_keys(db, office)
    return office


class KeysConflict(UserError):
    """The office holds OTHER stick keys for this laptop's device id (409 on registration)."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(
            "Kantor Disdukcapil sudah menyimpan kunci flashdisk LAIN untuk laptop ini (misalnya "
            "laptop pernah dipasang ulang tanpa memulihkan datanya). Kiriman flashdisk dari laptop "
            "ini akan ditolak kantor, dan berkas balasan kantor tidak bisa dibuka di sini; pengiriman "
            "lewat internet tetap berjalan. Supaya flashdisk bisa dipakai lagi: pulihkan data laptop "
            "dengan kode pemulihan bila ada, atau minta kode pendaftaran baru ke kantor lalu daftarkan "
            "ulang laptop ini di Pengaturan (kuncinya lalu didaftarkan otomatis).",
            "The Disdukcapil office already holds OTHER stick keys for this laptop (e.g. it was "
            "reinstalled without restoring its data). Stick bundles from this laptop would be refused "
            "by the office and its return bundles cannot be opened here; sending online goes on. To "
            "use the stick again: restore the laptop's data with the recovery code if you have it, or "
            "ask the office for a new enrollment code and enroll this laptop again in Settings (its "
            "keys are then registered automatically).",
            detail=detail,
        )


def keys_conflict(db: Database) -> KeysConflict | None:
    """The office refused this device's keys (409) and no new enrollment has happened since."""
    device = get_setting(db, config.DEVICE_ID)
    if device and get_setting(db, keys.USB_KEYS_CONFLICT) == device:
        return KeysConflict(f"device {device}")
    return None


def join_online(client: ApiClient, db: Database, paths: AppPaths | None = None) -> bool:
    """Once per enrollment, from the online sync pass: register this laptop's USB keys and keep
    the office's, so a laptop enrolled online can use the stick too (and receive return
    bundles). True when it registered now. A server without the USB route (404) is logged and
    left alone: the online route goes on. A 409 (the office holds other keys for this device)
    is remembered for the device (``keys_conflict``): the stick export then says what happened
    and what to do, instead of writing bundles the office would refuse."""
    device = get_setting(db, config.DEVICE_ID)
    if not device or get_setting(db, keys.USB_KEYS_REGISTERED) == device:
        return False
    try:
        register_online(db, paths or app_paths(), client)
    except SyncError as exc:
        if exc.status == 409:
            log.warning(
                "USB keys refused: the office holds other keys for device %s (%s)", device, exc.detail
            )
            set_setting(db, keys.USB_KEYS_CONFLICT, device)
            set_setting(db, keys.USB_KEYS_REGISTERED, device)
            if office_keys(db) is None:
                # Still learn the office's keys: a backup of unsent work can then be written.
                try:
                    fetch_office_keys(db, client)
                except SyncError as more:
                    log.warning("office keys not fetched (%s)", more.status)
            return False
        if exc.status in (404, 405):
            log.warning("USB keys not registered (%s): %s", exc.status, exc.detail)
            set_setting(db, keys.USB_KEYS_REGISTERED, device)
            return False
        raise
    set_setting(db, keys.USB_KEYS_CONFLICT, "")
    set_setting(db, keys.USB_KEYS_REGISTERED, device)
    log.info("USB keys registered with the office for device %s", device)
    return True
