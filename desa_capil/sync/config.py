"""Where the server is and who this laptop is: settings in the database, token in the keyring.

Keys in the ``setting`` table: ``server_url``, ``server_ca_file`` (optional office CA), and
after enrollment ``village_code``, ``village_name``, ``device_id``. The device token itself
lives in the credential store (see ``credentials.py``), never in the database.
"""

from __future__ import annotations

import platform
from collections.abc import Callable
from dataclasses import dataclass

from desa_capil.paths import AppPaths
from desa_capil.store import setting_keys as keys
from desa_capil.store.db import Database
from desa_capil.store.repo import get_setting, set_setting
from desa_capil.sync.client import ApiClient, normalize_base_url
from desa_capil.sync.credentials import CredentialStore

SERVER_URL = "server_url"
CA_FILE = "server_ca_file"
VILLAGE_CODE = keys.VILLAGE_CODE
VILLAGE_NAME = keys.VILLAGE_NAME
DEVICE_ID = "device_id"
# "1" when the user ticked "Saya mengerti" for a plain http:// address (see save_server).
ALLOW_HTTP = "server_allow_http"


@dataclass(frozen=True)
class SyncConfig:
    base_url: str
    token: str
    ca_file: str | None = None

    def client(self) -> ApiClient:
        return ApiClient(self.base_url, self.token, ca_file=self.ca_file)

    def client_factory(self) -> Callable[[], ApiClient]:
        return self.client


def credential_store(paths: AppPaths) -> CredentialStore:
    # Beside the data key's file, outside the data folder (see sync.credentials).
    return CredentialStore(paths.keys, legacy_dir=paths.config)


def load_config(db: Database, creds: CredentialStore) -> SyncConfig | None:
    """The configuration to sync with, or None while the laptop is not enrolled."""
    url = get_setting(db, SERVER_URL)
    token = creds.get_token()
    if not url or not token:
        return None
    return SyncConfig(url, token, get_setting(db, CA_FILE) or None)


def save_server(db: Database, url: str, ca_file: str | None, *, allow_http: bool = False) -> str:
    """Keep the server address. ``http://`` (no encryption) only for this computer or when the
    user said "Saya mengerti" (``allow_http``); otherwise ``InsecureAddress`` is raised."""
    base = normalize_base_url(url, allow_http=allow_http)
    set_setting(db, SERVER_URL, base)
    set_setting(db, CA_FILE, ca_file or "")
    set_setting(db, ALLOW_HTTP, "1" if allow_http else "")
    return base


def enroll(
    db: Database,
    creds: CredentialStore,
    url: str,
    code: str,
    *,
    ca_file: str | None = None,
    device_name: str | None = None,
    allow_http: bool = False,
) -> tuple[str, str]:
    """Trade the office's enrollment code for a device token; returns (village code, name).

    The token goes to the credential store before the settings change, so a failure halfway
    leaves the old enrollment usable.
    """
    base = normalize_base_url(url, allow_http=allow_http)
    client = ApiClient(base, ca_file=ca_file)
    try:
        answer = client.enroll(code, device_name or f"desa_capil {platform.node()}"[:100])
    finally:
        client.close()
    creds.set_token(answer.token)
    save_server(db, base, ca_file, allow_http=allow_http)
    set_setting(db, VILLAGE_CODE, answer.village.code)
    set_setting(db, VILLAGE_NAME, answer.village.name)
    set_setting(db, DEVICE_ID, str(answer.device_id))
    set_setting(db, keys.DEVICE_REVOKED_AT, "")  # a new enrollment answers an old revocation
    return answer.village.code, answer.village.name
