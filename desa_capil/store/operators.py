"""The people who work the app (operators) and the office's identity: what first run sets up.

Every action records its operator (``operator_id`` on applications, batches, hand-overs and
the audit log). Operators are never deleted, only deactivated, so old records keep their name.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, select

from desa_capil.errors import BadInputError
from desa_capil.store import setting_keys
from desa_capil.store.db import Database
from desa_capil.store.models import Operator
from desa_capil.store.repo import get_setting, set_setting

# Setting keys (shared with the settings page and the sync engine's configuration).
VILLAGE_NAME = setting_keys.VILLAGE_NAME
VILLAGE_CODE = setting_keys.VILLAGE_CODE
OPERATOR_NAME = setting_keys.OPERATOR_NAME  # the settings page's "Nama operator": the last one chosen
LAST_OPERATOR = "last_operator_id"
SETUP_DONE = "setup_done"

MAX_NAME = 100


@dataclass(frozen=True)
class OperatorInfo:
    id: int
    name: str
    active: bool


def _info(op: Operator) -> OperatorInfo:
    assert op.id is not None
    return OperatorInfo(op.id, op.name, op.active)


def list_operators(db: Database, *, include_inactive: bool = False) -> list[OperatorInfo]:
    with db.session() as s:
        q = select(Operator).order_by(col(Operator.name))
        if not include_inactive:
            q = q.where(col(Operator.active).is_(True))
        return [_info(o) for o in s.exec(q)]


def clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise BadInputError("Nama operator belum diisi.", "The operator's name is empty.")
    if len(name) > MAX_NAME:
        raise BadInputError(
            f"Nama operator terlalu panjang (paling banyak {MAX_NAME} huruf).",
            f"The operator's name is too long (at most {MAX_NAME} characters).",
        )
    return name


def add_operator(db: Database, name: str) -> OperatorInfo:
    """A new operator, or the existing one with the same name (made active again)."""
    name = clean_name(name)
    with db.session() as s:
        for op in s.exec(select(Operator)):
            if op.name.casefold() == name.casefold():
                op.active = True
                s.add(op)
                s.commit()
                return _info(op)
        op = Operator(name=name)
        s.add(op)
        s.commit()
        s.refresh(op)
        return _info(op)


def set_active(db: Database, operator_id: int, active: bool) -> None:
    with db.session() as s:
        op = s.get(Operator, operator_id)
        if op is None:
            raise KeyError(operator_id)
        if not active:
            others = s.exec(
                select(Operator).where(col(Operator.active).is_(True), Operator.id != operator_id)
            ).first()
            if others is None:
                raise BadInputError(
                    "Minimal harus ada satu operator aktif.", "At least one operator must stay active."
                )
        op.active = active
        s.add(op)
        s.commit()


def remember_operator(db: Database, operator_id: int) -> OperatorInfo:
    """The operator now working: remembered for the next start, and shown in Pengaturan."""
    with db.session() as s:
        op = s.get(Operator, operator_id)
        if op is None or not op.active:
            raise KeyError(operator_id)
        info = _info(op)
    set_setting(db, LAST_OPERATOR, str(operator_id))
    set_setting(db, OPERATOR_NAME, info.name)
    return info


def last_operator_id(db: Database) -> int | None:
    value = get_setting(db, LAST_OPERATOR)
    return int(value) if value.isdigit() else None


@dataclass(frozen=True)
class StartState:
    """What the app needs to know at start: set up yet, and who may be working."""

    needs_setup: bool
    operators: list[OperatorInfo]
    last_operator_id: int | None


def start_state(db: Database) -> StartState:
    """Setup is needed while the village or an operator is missing.

    An older database whose settings page saved an operator's name but has no operator row
    gets that row here, so nobody is asked to set up twice.
    """
    ops = list_operators(db)
    if not ops:
        legacy = get_setting(db, OPERATOR_NAME).strip()
        if legacy:
            ops = [add_operator(db, legacy)]
    needs = not get_setting(db, VILLAGE_NAME).strip() or not ops
    return StartState(needs, ops, last_operator_id(db))


@dataclass(frozen=True)
class SetupAnswers:
    village_name: str
    village_code: str
    operator_name: str


def save_setup(db: Database, answers: SetupAnswers) -> OperatorInfo:
    """Write the first-run answers; returns the operator, now the current one."""
    set_setting(db, VILLAGE_NAME, " ".join(answers.village_name.split()))
    set_setting(db, VILLAGE_CODE, answers.village_code.strip())
    op = add_operator(db, answers.operator_name)
    remember_operator(db, op.id)
    set_setting(db, SETUP_DONE, "1")
    return op
