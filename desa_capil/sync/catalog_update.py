"""The office's own service catalog, received through sync (i15).

An office whose SOP differs from the national catalog publishes its version on the server
(``PUT /api/v1/admin/catalog``); every sync pass asks ``GET /api/v1/catalog`` and, when the
version differs from the one kept here, checks it, keeps it in the local database (setting
``office_catalog``) and uses it. At start the app uses the kept version (``install_stored``), so
it works offline. Applications keep the catalog version they were made with (their details), and
services the new version drops stay resolvable (domain.catalog.install), so nothing already
made or sealed is invalidated. A server without the route (older) or without a published
catalog answers 404 / 204: nothing changes.
"""

from __future__ import annotations

import json
import logging
import re

from desa_capil.domain import catalog
from desa_capil.store.db import Database
from desa_capil.store.repo import get_setting, set_setting
from desa_capil.sync.client import ApiClient, BadAnswer

log = logging.getLogger(__name__)

SETTING = "office_catalog"
VERSION_SETTING = "office_catalog_version"


def install_stored(db: Database) -> str | None:
    """Use the office catalog kept in the database, if any; its version."""
    text = get_setting(db, SETTING)
    if not text:
        return None
    try:
        parsed = catalog.parse_catalog(json.loads(text))
    except (ValueError, catalog.CatalogError):
        log.warning("the kept office catalog cannot be read; using the bundled one")
        return None
    catalog.install(parsed)
    return parsed.version


def pull_catalog(client: ApiClient, db: Database) -> str | None:
    """Fetch the office's catalog; when it is a new version, keep and use it. Returns the version
    now installed from the office, None when nothing changed. A catalog that does not check is
    not used (logged; the next version may be right)."""
    resp = client.request("GET", "/catalog", ok=(200, 204, 404))
    if resp.status_code != 200:
        return None
    try:
        body = resp.json()
        version, raw = str(body["version"]), body["catalog"]
    except (ValueError, KeyError, TypeError) as exc:
        raise BadAnswer(f"/catalog: {exc!r}", resp.status_code) from exc
    return offer_catalog(db, version, raw)


def version_key(version: str) -> tuple[int, int] | None:
    """(year, number) of a catalog version such as "2026.1" or "2026.1-kab-bandung"."""
    m = re.match(r"([0-9]{4})\.([0-9]+)", version)
    return (int(m.group(1)), int(m.group(2))) if m else None


def check_offer(kept: str, version: str, raw: object, *, only_newer: bool = False) -> catalog.Catalog | None:
    """The catalog to use when ``raw`` (version ``version``) is news against the ``kept`` office
    version; None when nothing should change. The online pull passes what the server uses now
    (any other version is news); a return bundle (USB) passes ``only_newer``: the bundle may be
    older than what an online pull already brought, and an older catalog must not replace a
    newer one. A catalog that does not check is not used (logged)."""
    if version == kept and catalog.current_version() == version:
        return None
    if only_newer and kept:
        new_key, kept_key = version_key(version), version_key(kept)
        if new_key is None or (kept_key is not None and new_key <= kept_key):
            return None
    try:
        return catalog.parse_catalog(raw)
    except catalog.CatalogError as exc:
        log.warning("office catalog %s not used: %s", version, exc)
        return None


def offer_catalog(db: Database, version: str, raw: object, *, only_newer: bool = False) -> str | None:
    """Keep and use the office catalog ``raw`` when it is news (``check_offer``); its version,
    or None when nothing changed."""
    parsed = check_offer(get_setting(db, VERSION_SETTING), version, raw, only_newer=only_newer)
    if parsed is None:
        return None
    set_setting(db, SETTING, json.dumps(raw, ensure_ascii=False))
    set_setting(db, VERSION_SETTING, parsed.version)
    catalog.install(parsed)
    log.info("office catalog %s in use", parsed.version)
    return parsed.version
