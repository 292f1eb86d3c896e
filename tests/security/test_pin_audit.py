from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import select

from desa_capil.errors import BadInputError
from desa_capil.security import audit
from desa_capil.security.pin import (
    check_pin,
    clear_pin,
    hash_pin,
    lockout_seconds,
    pin_enabled,
    set_pin,
    verify_pin,
)
from desa_capil.store.db import Database
from desa_capil.store.models import Operator
from desa_capil.store.repo import get_setting


def test_pin_hash_is_salted_and_verifies() -> None:
    a, b = hash_pin("123456"), hash_pin("123456")
    assert a != b  # random salt
    assert a.startswith("scrypt$16384$8$1$") and "123456" not in a
    assert verify_pin("123456", a) and verify_pin("123456", b)
    assert not verify_pin("123457", a)
    assert not verify_pin("", a)


@pytest.mark.parametrize(
    "stored", ["", "plain", "scrypt$1$2$3$!!$!!", "md5$1$1$1$AA==$AA==", "scrypt$x$8$1$AA==$AA=="]
)
def test_malformed_stored_hash_never_matches(stored: str) -> None:
    assert not verify_pin("1234", stored)


@pytest.mark.parametrize("pin", ["123", "12345678901234", "12a4", "١٢٣٤", " 1234"])
def test_pin_format(pin: str) -> None:
    with pytest.raises(BadInputError):
        hash_pin(pin)


@settings(max_examples=10, deadline=None)
@given(st.text(alphabet="0123456789", min_size=4, max_size=12), st.text(max_size=14))
def test_only_the_pin_itself_matches(pin: str, other: str) -> None:
    stored = hash_pin(pin)
    assert verify_pin(pin, stored)
    assert verify_pin(other, stored) == (other == pin)


def test_pin_setting_round_trip(db: Database) -> None:
    assert not pin_enabled(db) and not check_pin(db, "1234")
    set_pin(db, "2468")
    assert pin_enabled(db) and check_pin(db, "2468") and not check_pin(db, "1357")
    assert "2468" not in get_setting(db, "pin_hash")
    clear_pin(db)
    assert not pin_enabled(db) and not check_pin(db, "2468")


def test_lockout_grows_and_is_capped() -> None:
    assert [lockout_seconds(n) for n in range(6)] == [0, 0, 0, 5, 10, 20]
    assert lockout_seconds(50) == 300


def test_audit_record_and_list(db: Database) -> None:
    with db.session() as s:
        op = Operator(name="Pak Kades")
        s.add(op)
        s.commit()
        op_id = op.id
    audit.record(db, audit.VIEW_PAGES, "app-1", operator_id=op_id)
    audit.record(db, audit.PRINT_RECEIPT, "app-1", operator_id=op_id, detail="receipt")
    audit.record(db, audit.EXPORT_REPORT, None)
    rows = audit.entries(db, "app-1")
    assert [r.action for r in rows] == [audit.PRINT_RECEIPT, audit.VIEW_PAGES]
    assert rows[0].operator == "Pak Kades" and rows[0].label == "Mencetak tanda terima"
    assert len(audit.entries(db)) == 3
    with pytest.raises(ValueError):
        audit.record(db, "peek", "app-1")


def test_audit_text_filter_takes_percent_and_underscore_literally(db: Database) -> None:
    with db.session() as s:
        s.add(Operator(name="Bu_Sekdes"))
        s.add(Operator(name="Pak Kades"))
        s.commit()
        ids = {o.name: o.id for o in s.exec(select(Operator)).all()}
    audit.record(db, audit.VIEW_PAGES, None, operator_id=ids["Bu_Sekdes"])
    audit.record(db, audit.VIEW_PAGES, None, operator_id=ids["Pak Kades"])
    assert [r.operator for r in audit.entries(db, text="u_s")] == ["Bu_Sekdes"]
    assert [r.operator for r in audit.entries(db, text="k_k")] == []  # "_" is not a wildcard
    assert audit.entries(db, text="%") == []
