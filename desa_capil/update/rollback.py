"""Going back to the previous version when the new one changed the database.

An update may bring a schema step (``store.migrations``): the new version upgrades the
database the first time it opens it, and the previous version then refuses the newer schema
(it cannot know what the new tables and columns mean). So the rollback is done by the *new*
version, which knows its own steps: it steps the schema back to the one the previous version
uses (``migrations.Down``), then names the previous version in ``current.json``.

Why stepping back, and not restoring the database kept from before the update: that copy
lacks everything entered since the update (applications, pages, hand-overs, what the office
answered), and carrying those rows back into it would be a second, rarely run migration path.
Stepping back leaves every row where it is; it only drops what the older schema has no place
for, and only when that is derived data the next upgrade rebuilds. When it would drop work
(e.g. a batch carried on a USB stick, which the previous version cannot represent), the
rollback is refused as a whole with a message that says what to do, and nothing changes.
Before stepping back, an encrypted copy of the database goes to the backups folder.

Which schema the previous version uses: every version notes its own in ``schemas.json`` (in
the update folder) when it opens the database; the first time a version opens the database
it also notes the schema it found there as the previous version's (which covers versions
older than this note).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

from desa_capil.errors import BadInputError
from desa_capil.paths import AppPaths
from desa_capil.security.keys import KeyStore
from desa_capil.store import migrations
from desa_capil.store.db import downgrade_database
from desa_capil.sync.usb_identity import write_legacy_key_file
from desa_capil.update.client import Updater, _set_current

log = logging.getLogger(__name__)

SCHEMAS = "schemas.json"


def read_schemas(root: Path) -> dict[str, int]:
    """{app version: database schema it uses}, as noted so far."""
    try:
        data = json.loads((root / SCHEMAS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): int(v) for k, v in data.items() if isinstance(v, int)}


def note_schema(root: Path, running: str, schema: int, schema_found: int) -> None:
    """Called by the app once its database is open: ``running`` uses ``schema``; the file had
    ``schema_found`` before this open (0: new). The first time ``running`` notes itself, the
    schema found is the one the version before it used (``current.json``'s previous)."""
    schemas = read_schemas(root)
    changed = schemas.get(running) != schema
    previous = Updater.read_state(root).get("previous")
    if running not in schemas and previous and previous != running and previous not in schemas:
        if schema_found > 0:
            schemas[previous] = schema_found
            changed = True
    if not changed:
        return
    schemas[running] = schema
    root.mkdir(parents=True, exist_ok=True)
    tmp = root / (SCHEMAS + ".tmp")
    tmp.write_text(json.dumps(schemas, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    tmp.replace(root / SCHEMAS)


def _refused(previous: str, blockers: list[migrations.Blocker]) -> BadInputError:
    what_id = "; ".join(f"{b.rows} {b.what_id}" if b.rows else b.what_id for b in blockers)
    what_en = "; ".join(f"{b.rows} {b.what_en}" if b.rows else b.what_en for b in blockers)
    return BadInputError(
        f"Tidak bisa kembali ke versi {previous}: sejak pembaruan, laptop ini menyimpan data yang "
        f"tidak bisa dibaca versi itu ({what_id}). Kembali ke versi lama akan menghilangkan data "
        "itu, jadi tidak dilakukan; tidak ada yang diubah. Tetap pakai versi sekarang dan "
        "laporkan masalahnya ke Disdukcapil; perbaikannya datang sebagai pembaruan berikutnya.",
        f"Cannot go back to version {previous}: since the update this laptop holds data that "
        f"version cannot read ({what_en}). Going back would lose it, so nothing was changed. Keep "
        "the current version and report the problem to the office; the fix comes as the next update.",
        detail=f"downgrade refused: {what_en}",
    )


@dataclass(frozen=True)
class RolledBack:
    version: str  # the version that starts from now on
    schema_from: int | None  # the database's schema before (None: not touched)
    schema_to: int | None

    @property
    def database_changed(self) -> bool:
        """The schema went back: the running (newer) app must not touch the database again."""
        return (
            self.schema_from is not None and self.schema_to is not None and self.schema_from > self.schema_to
        )


def rollback_with_database(
    root: Path, paths: AppPaths, running: str, *, key_store: KeyStore | None = None
) -> RolledBack:
    """Make the previous version the one that starts, its database schema included.

    Run by the newer version (``running``) while nothing else writes to the database: the
    app closed (``desa-capil --rollback``) or about to close (Pengaturan -> Pembaruan).
    Returns the previous version and what happened to the schema. Raises BadInputError (nothing changed) when there is no
    previous version, when going back would lose work, or when the previous version's
    schema is unknown while this one changed the database.
    """
    state = Updater.read_state(root)
    previous = state.get("previous")
    if not previous:
        raise BadInputError(
            "Tidak ada versi sebelumnya untuk dikembalikan.",
            "There is no previous version to go back to.",
        )
    schemas = read_schemas(root)
    target = schemas.get(previous)
    if target is None and running in schemas:
        # This version opened (and may have upgraded) a database the previous one never did.
        # (Neither noted: nobody newer has opened the database, it is the previous one's.)
        raise BadInputError(
            f"Tidak bisa kembali ke versi {previous}: tidak tercatat basis data versi berapa "
            "yang dipakainya, jadi kembali bisa membuat aplikasi tidak terbuka. Tidak ada yang "
            "diubah. Tetap pakai versi sekarang dan hubungi Disdukcapil.",
            f"Cannot go back to version {previous}: which database schema it uses is not known, "
            "so going back could leave an app that does not open. Nothing was changed.",
            detail=f"no schema noted for {previous}",
        )
    # Versions before kept the stick keys in a 0600 file, not in the database (same schema, so
    # no step back covers it): without the file they would make new keys the office refuses.
    write_legacy_key_file(paths, key_store=key_store)
    before = None
    if target is not None:
        try:
            before = downgrade_database(paths, target, key_store=key_store)
        except migrations.DowngradeRefused as exc:
            raise _refused(previous, exc.blockers) from exc
        if before is not None and before > target:
            log.info("database stepped back from schema %d to %d for %s", before, target, previous)
    _set_current(root, previous, previous=state.get("current", running))
    log.info("rolled back from %s to %s", state.get("current", running), previous)
    return RolledBack(previous, before, target if before is not None else None)
