"""One code path for online pulls and return bundles (sync/apply.py): any order, no regression."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import select

from desa_capil.domain.status import Status
from desa_capil.store.db import Database
from desa_capil.store.models import Application, StatusChange
from desa_capil.sync import apply
from tests.sync.helpers import make_batch

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def change(seq: int, app_id: str, status: str, message: str = "") -> dict[str, Any]:
    return {
        "seq": seq,
        "application_id": app_id,
        "status": status,
        "actor": "office",
        "message": message,
        "at": (T0 + timedelta(minutes=seq)).isoformat(),
        "documents": [],
    }


def page(after: int, next_after: int, *changes: dict[str, Any]) -> apply.Page:
    return apply.parse_page({"changes": list(changes), "next_after": next_after, "has_more": False}, after)


def status_of(db: Database, app_id: str) -> str:
    with db.session() as s:
        app = s.get(Application, app_id)
        assert app is not None
        return app.status


def test_older_change_never_turns_the_clock_back(db: Database) -> None:
    _batch, (a,) = make_batch(db, n_apps=1)
    # A later bundle (changes 6..9) arrives first; the cursor (0) stays: the gap 1..5 is left
    # for whatever brings it, not jumped over.
    applied = apply.apply_page(db, page(5, 9, change(6, a, "in_review"), change(8, a, "processing")), after=5)
    assert applied.statuses == {a: Status.PROCESSING}
    assert apply.cursor(db) == 0
    assert status_of(db, a) == "processing"
    # Then the older bundle (1..5): its needs_fix is older than what is known: skipped.
    older = apply.apply_page(db, page(0, 5, change(3, a, "needs_fix", "KK buram")), after=0)
    assert older.skipped == 1 and older.statuses == {}
    assert status_of(db, a) == "processing"
    # It continued from the cursor, so the cursor moves to its end (not past what it covered).
    assert apply.cursor(db) == 5
    # The online pull then brings 6..10; 6 and 8 are known, 10 is new.
    online = apply.apply_page(
        db, page(5, 10, change(6, a, "in_review"), change(8, a, "processing"), change(10, a, "finished"))
    )
    assert online.statuses == {a: Status.FINISHED}
    assert apply.cursor(db) == 10
    with db.session() as s:
        seqs = sorted(
            r.server_seq
            for r in s.exec(select(StatusChange).where(StatusChange.application_id == a))
            if r.server_seq
        )
    assert seqs == [6, 8, 10]


def test_replaying_a_page_changes_nothing_and_the_cursor_never_goes_back(db: Database) -> None:
    _batch, (a, b) = make_batch(db, n_apps=2)
    p = page(0, 4, change(2, a, "in_review"), change(4, b, "rejected", "bukan warga desa ini"))
    first = apply.apply_page(db, p, after=0)
    assert first.statuses == {a: Status.IN_REVIEW, b: Status.REJECTED}
    apply.apply_page(db, page(4, 12, change(12, a, "processing")))
    with db.session() as s:
        before = len(s.exec(select(StatusChange)).all())
    again = apply.apply_page(db, p, after=0)
    assert again.statuses == {} and again.application_ids == []
    assert apply.cursor(db) == 12
    assert (status_of(db, a), status_of(db, b)) == ("processing", "rejected")
    with db.session() as s:
        assert len(s.exec(select(StatusChange)).all()) == before


def test_unknown_status_older_than_known_is_not_noted(db: Database) -> None:
    _batch, (a,) = make_batch(db, n_apps=1)
    apply.apply_page(db, page(0, 7, change(7, a, "in_review")))
    late = apply.apply_page(db, page(0, 5, change(5, a, "diarsipkan")), after=0)
    assert late.unknown_statuses == [] and late.skipped == 1
