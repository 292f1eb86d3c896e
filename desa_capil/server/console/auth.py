"""Staff accounts, sessions and CSRF for the office console.

Passwords: argon2id (argon2-cffi's defaults, RFC 9106 low-memory profile). Sessions: a random
token in an HttpOnly, SameSite=Strict cookie (Secure over HTTPS), stored hashed in the database
with its CSRF token, idle and absolute expiry. Every POST carries the session's CSRF token in a
form field; the login form uses a double-submit cookie instead (there is no session yet).
Lockout: after ``MAX_FAILURES`` wrong passwords in a row the account is locked for
``LOCK_MINUTES``; an admin can unlock it sooner.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlmodel import col, select

from desa_capil.server.db import AdminAction, Database, aware, utcnow
from desa_capil.server.service import sha256_hex

from .language import t
from .models import ROLE_RANK, Role, StaffSession, StaffUser

log = logging.getLogger(__name__)

COOKIE = "dc_console"
LOGIN_COOKIE = "dc_console_login"
MAX_FAILURES = 5
LOCK_MINUTES = 15
IDLE = timedelta(hours=2)
ABSOLUTE = timedelta(hours=12)
MIN_PASSWORD = 10
_TOUCH_EVERY = timedelta(minutes=1)

_hasher = PasswordHasher()
# Verified against when the user name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


@dataclass(frozen=True)
class Staff:
    id: int
    username: str
    full_name: str
    role: Role
    csrf_token: str
    token_hash: str = ""
    flash: str = ""

    @property
    def actor(self) -> str:
        """The name in the admin log (AdminAction.actor is 40 characters)."""
        return f"staff:{self.username}"[:40]

    def can(self, role: Role) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[role]


class LoginFailed(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_problem(password: str, username: str) -> str | None:
    """Why a new password is not acceptable (Indonesian), or None."""
    if len(password) < MIN_PASSWORD:
        return f"Kata sandi minimal {MIN_PASSWORD} karakter."
    if username and username.lower() in password.lower():
        return "Kata sandi tidak boleh memuat nama pengguna."
    return None


def audit(db: Database, actor: str, action: str, target: str, detail: str = "") -> None:
    """A console action that no service method records itself."""
    with db.session() as s:
        s.add(AdminAction(actor=actor[:40], action=action[:60], target=target[:200], detail=detail))
        s.commit()
    log.info("console %s: %s %s", actor, action, target)


def create_staff(db: Database, username: str, full_name: str, role: Role, password: str, actor: str) -> int:
    username = username.strip().lower()
    if not username or len(username) > 32 or not all(c.isalnum() or c in "._-" for c in username):
        raise ValueError("Nama pengguna 1-32 karakter: huruf, angka, titik, garis bawah atau tanda hubung.")
    problem = password_problem(password, username)
    if problem:
        raise ValueError(problem)
    with db.session() as s:
        if s.exec(select(StaffUser).where(StaffUser.username == username)).first() is not None:
            raise ValueError(f"Nama pengguna '{username}' sudah dipakai.")
        user = StaffUser(
            username=username,
            full_name=full_name.strip()[:100] or username,
            role=role.value,
            password_hash=hash_password(password),
        )
        s.add(user)
        s.add(AdminAction(actor=actor[:40], action="staff.create", target=username, detail=role.value))
        s.commit()
        assert user.id is not None
        return user.id


def login(db: Database, username: str, password: str, address: str) -> tuple[str, Staff]:
    """Check the password; on success open a session and return (cookie token, staff)."""
    username = username.strip().lower()
    now = utcnow()
    wrong = LoginFailed(t("Nama pengguna atau kata sandi salah."))
    with db.session() as s:
        user = s.exec(select(StaffUser).where(StaffUser.username == username)).first()
        if user is None or not user.active:
            try:
                _hasher.verify(_DUMMY_HASH, password)
            except VerificationError:
                pass
            s.add(AdminAction(actor="console", action="login.fail", target=username[:200], detail=address))
            s.commit()
            raise wrong
        if user.locked_until is not None and aware(user.locked_until) > now:
            minutes = max(1, int((aware(user.locked_until) - now).total_seconds() // 60) + 1)
            raise LoginFailed(
                t(
                    "Akun ini dikunci sementara karena terlalu banyak percobaan gagal. Coba lagi dalam "
                    "{minutes} menit atau minta administrator membukanya.",
                    minutes=minutes,
                )
            )
        ok: bool
        try:
            ok = _hasher.verify(user.password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            ok = False
        if not ok:
            user.failed_logins += 1
            detail = address
            if user.failed_logins >= MAX_FAILURES:
                user.locked_until = now + timedelta(minutes=LOCK_MINUTES)
                user.failed_logins = 0
                detail = f"{address}; dikunci {LOCK_MINUTES} menit"
            s.add(user)
            s.add(AdminAction(actor="console", action="login.fail", target=username, detail=detail))
            s.commit()
            if user.locked_until is not None and aware(user.locked_until) > now:
                raise LoginFailed(
                    t(
                        "Terlalu banyak percobaan gagal: akun dikunci {minutes} menit. "
                        "Minta administrator membukanya bila mendesak.",
                        minutes=LOCK_MINUTES,
                    )
                )
            raise wrong
        if _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        user.failed_logins = 0
        user.locked_until = None
        user.last_login_at = now
        token = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        # Sessions that ended on their own are forgotten here (no separate cleaning job).
        for old in s.exec(select(StaffSession).where(col(StaffSession.expires_at) < now)).all():
            s.delete(old)
        s.add(user)
        s.add(
            StaffSession(
                token_hash=sha256_hex(token),
                staff_id=user.id or 0,
                csrf_token=csrf,
                created_at=now,
                last_seen_at=now,
                expires_at=now + ABSOLUTE,
            )
        )
        s.add(
            AdminAction(
                actor=f"staff:{user.username}"[:40], action="login", target=user.username, detail=address
            )
        )
        s.commit()
        assert user.id is not None
        return token, Staff(user.id, user.username, user.full_name, Role(user.role), csrf)


def session_staff(db: Database, token: str) -> Staff | None:
    """The staff member behind a session cookie, or None (unknown, expired, idle, deactivated)."""
    if not token or len(token) > 100:
        return None
    token_hash = sha256_hex(token)
    now = utcnow()
    with db.read_session() as s:
        row = s.exec(
            select(StaffSession, StaffUser)
            .join(StaffUser, col(StaffUser.id) == StaffSession.staff_id)
            .where(StaffSession.token_hash == token_hash)
        ).first()
    if row is None:
        return None
    sess, user = row
    if not user.active or aware(sess.expires_at) < now or now - aware(sess.last_seen_at) > IDLE:
        return None
    if now - aware(sess.last_seen_at) > _TOUCH_EVERY:
        with db.session() as s:
            live = s.get(StaffSession, token_hash)
            if live is not None:
                live.last_seen_at = now
                s.add(live)
                s.commit()
    assert user.id is not None
    return Staff(
        user.id, user.username, user.full_name, Role(user.role), sess.csrf_token, token_hash, sess.flash
    )


def set_flash(db: Database, staff: Staff, kind: str, text: str) -> None:
    with db.session() as s:
        row = s.get(StaffSession, staff.token_hash)
        if row is not None:
            row.flash = f"{kind}:{text}"
            s.add(row)
            s.commit()


def pop_flash(db: Database, staff: Staff) -> tuple[str, str] | None:
    if not staff.flash:
        return None
    with db.session() as s:
        row = s.get(StaffSession, staff.token_hash)
        if row is not None:
            row.flash = ""
            s.add(row)
            s.commit()
    kind, _, text = staff.flash.partition(":")
    return kind, text


def logout(db: Database, token: str) -> None:
    with db.session() as s:
        row = s.get(StaffSession, sha256_hex(token))
        if row is not None:
            s.delete(row)
            s.commit()


def end_sessions(db: Database, staff_id: int) -> None:
    """Sign a staff member out everywhere (deactivated, password reset)."""
    with db.session() as s:
        for row in s.exec(select(StaffSession).where(StaffSession.staff_id == staff_id)).all():
            s.delete(row)
        s.commit()


def csrf_ok(expected: str, given: str | None) -> bool:
    return bool(expected) and bool(given) and hmac.compare_digest(expected.encode(), (given or "").encode())
