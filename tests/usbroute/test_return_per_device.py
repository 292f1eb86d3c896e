"""Return bundles are per laptop (two laptops in one village): a laptop applies only what is
addressed to it and says clearly when a bundle is for the village's other laptop; a return
bundle that carries only the cursor (nothing new at the office) is taken gracefully."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from desa_capil.domain import catalog
from desa_capil.paths import AppPaths
from desa_capil.server.testing import running_server
from desa_capil.store.db import Database, open_database
from desa_capil.store.models import Application
from desa_capil.store.repo import get_setting
from desa_capil.sync import apply, config, usb_identity
from desa_capil.sync.usb_return import apply_return_bundle
from desa_capil.usbroute import BundleError, KeySet, write_bundle
from tests.sync.helpers import make_batch

from .loop import Office, export_stick
from .test_return_bundle import DEVICE_ID, OFFICE, VILLAGE, change, enroll_here, snapshot


def return_bundle(
    out: Path, device: KeySet, *, device_id: str = DEVICE_ID, after: int = 0, pages: list[Any] | None = None
) -> Path:
    """The office's return bundle for ``device_id`` (its box key ``device``), as docs/usb-route.md
    describes it; ``pages`` None = no page at all (the cursor-only form)."""
    meta: dict[str, Any] = {
        "type": "desa_capil.office_bundle",
        "version": 1,
        "village_code": VILLAGE,
        "device_id": device_id,
        "after": after,
        "pages": pages or [],
        "documents": [],
        "catalog": None,
    }
    write_bundle(
        out,
        header_fields={"kind": "office", "village_code": VILLAGE, "device_id": device_id, "seq": 1},
        files=[],
        meta=meta,
        signing_key=OFFICE.signing,
        recipient_box_public=device.box_public,
    )
    return out


def test_a_bundle_for_the_villages_other_laptop_is_named_as_such(
    db: Database, paths: AppPaths, tmp_path: Path
) -> None:
    enroll_here(db, paths)
    (a,) = make_batch(db, 1)[1]
    other = KeySet.generate()  # the second laptop of the same village, its own keys and id
    for_other = return_bundle(
        tmp_path / "balasan-laptop2.dcb",
        other,
        device_id="8",
        pages=[{"changes": [change(1, a, "sent")], "next_after": 1, "has_more": False}],
    )
    before = snapshot(db)
    with pytest.raises(BundleError) as err:
        apply_return_bundle(db, for_other, paths=paths)
    assert err.value.reason == "other_laptop"
    assert (
        "laptop desa yang lain" in err.value.message_id and "laptop desa yang satunya" in err.value.message_id
    )
    assert "other laptop" in err.value.message_en
    assert snapshot(db) == before


@pytest.mark.parametrize(
    "pages",
    [None, [{"changes": [], "next_after": 5, "has_more": False}]],
    ids=["no-pages", "empty-page"],
)
def test_a_cursor_only_return_bundle_is_nothing_new(
    db: Database, paths: AppPaths, tmp_path: Path, pages: list[Any] | None
) -> None:
    device = enroll_here(db, paths)
    (a,) = make_batch(db, 1)[1]
    first = return_bundle(
        tmp_path / "r1.dcb",
        device,
        pages=[
            {"changes": [change(1, a, "sent"), change(5, a, "received")], "next_after": 5, "has_more": False}
        ],
    )
    assert apply_return_bundle(db, first, paths=paths).status_changes == 1
    assert apply.cursor(db) == 5
    before = snapshot(db)
    quiet = return_bundle(tmp_path / "r2.dcb", device, after=5, pages=pages)
    for _ in range(2):  # and again: still nothing
        result = apply_return_bundle(db, quiet, paths=paths)
        assert result.nothing_new and result.status_changes == 0 and result.documents == 0
        assert apply.cursor(db) == 5
    after = snapshot(db)
    # Only the "last return bundle" note changed; no status, document or cursor did.
    assert {k: v for k, v in after.items() if k != "state"} == {
        k: v for k, v in before.items() if k != "state"
    }
    assert [r for r in after["state"] if r[0] != "usb_last_return"] == [
        r for r in before["state"] if r[0] != "usb_last_return"
    ]


def test_two_laptops_of_one_village_each_take_only_their_own_return_bundle(
    db: Database, paths: AppPaths, tmp_path: Path
) -> None:
    """End to end with the reference office: two laptops of one village enrolled by stick, each
    sends its batch; the office finishes both; each laptop's return bundle opens only on it,
    the other one is named "for the other laptop"; a later bundle with nothing new is taken."""
    catalog.use_bundled()
    village = "32.04.05.2001"
    other_paths = AppPaths(*(tmp_path / "laptop2" / n for n in ("data", "config", "cache", "logs"))).ensure()
    other_db = open_database(other_paths)
    stick = tmp_path / "FLASHDISK"
    stick.mkdir()
    try:
        with running_server(tmp_path / "server") as server:
            server.create_village(village, "Desa Sukamaju")
            office = Office(server)
            laptops = [(db, paths), (other_db, other_paths)]
            apps: list[str] = []
            devices: list[str] = []
            for n, (ldb, lpaths) in enumerate(laptops):
                (tmp_path / f"enroll{n}").mkdir()
                file, code = office.enrollment(village, tmp_path / f"enroll{n}")
                usb_identity.enroll_from_file(ldb, lpaths, file, code)
                devices.append(get_setting(ldb, config.DEVICE_ID))
                apps += make_batch(ldb, 1)[1]
                office.import_bundle(export_stick(ldb, lpaths, stick))
            assert devices[0] != devices[1]
            office.finish_and_dispatch(village, apps)
            mine = office.return_bundle(village, tmp_path / "kembali-1.dcb", devices[0])
            theirs = office.return_bundle(village, tmp_path / "kembali-2.dcb", devices[1])
            # Laptop 1 is handed laptop 2's bundle: refused, named, nothing changed.
            before = snapshot(db)
            with pytest.raises(BundleError) as err:
                apply_return_bundle(db, theirs, paths=paths)
            assert err.value.reason == "other_laptop" and snapshot(db) == before
            # Each laptop takes its own: its application moves, the other laptop's is unknown here.
            for (ldb, lpaths), bundle, app in ((laptops[0], mine, apps[0]), (laptops[1], theirs, apps[1])):
                result = apply_return_bundle(ldb, bundle, paths=lpaths)
                assert app in result.application_ids and result.batches_acknowledged == 1
                with ldb.session() as s:
                    got = s.get(Application, app)
                    assert got is not None and got.status == "dispatched"
            # Nothing new at the office for laptop 1: its next bundle is cursor-only, and harmless.
            again = office.return_bundle(village, tmp_path / "kembali-1b.dcb", devices[0])
            cursor = apply.cursor(db)
            assert apply_return_bundle(db, again, paths=paths).nothing_new
            assert apply.cursor(db) == cursor
    finally:
        other_db.close()
