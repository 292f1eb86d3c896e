"""Staff accounts from a terminal (the first administrator has to come from somewhere).

    python -m desa_capil.server.console staff add NAME --role admin [--full-name "..."]
    python -m desa_capil.server.console staff list
    python -m desa_capil.server.console staff unlock NAME

Works straight on the server's database (same ``--data`` / ``DATABASE_URL`` as the server).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from sqlmodel import col, select

from desa_capil.server.config import Settings
from desa_capil.server.service import CentralService

from . import auth
from . import models as _models  # noqa: F401 - registers the console tables
from .models import Role, StaffUser


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m desa_capil.server.console")
    p.add_argument("--data", help="server data folder (default: DESA_CAPIL_SERVER_DATA)")
    sub = p.add_subparsers(dest="cmd", required=True)
    staff = sub.add_parser("staff").add_subparsers(dest="staff_cmd", required=True)
    add = staff.add_parser("add")
    add.add_argument("username")
    add.add_argument("--role", choices=[r.value for r in Role], required=True)
    add.add_argument("--full-name", default="")
    staff.add_parser("list")
    unlock = staff.add_parser("unlock")
    unlock.add_argument("username")
    args = p.parse_args(argv)
    settings = Settings.from_env(**({"data_dir": Path(args.data)} if args.data else {}))
    svc = CentralService(settings)
    try:
        if args.staff_cmd == "add":
            password = os.environ.get("DESA_CAPIL_STAFF_PASSWORD") or getpass.getpass("Kata sandi: ")
            try:
                auth.create_staff(svc.db, args.username, args.full_name, Role(args.role), password, "cli")
            except ValueError as exc:
                print(exc, file=sys.stderr)  # noqa: T201 - a command-line tool
                return 2
            print(f"Akun {args.username} ({args.role}) dibuat.")  # noqa: T201
        elif args.staff_cmd == "list":
            with svc.db.read_session() as s:
                for u in s.exec(select(StaffUser).order_by(col(StaffUser.username))).all():
                    print(f"{u.username}  {u.role}  {'aktif' if u.active else 'nonaktif'}")  # noqa: T201
        else:
            with svc.db.session() as s:
                user = s.exec(select(StaffUser).where(StaffUser.username == args.username.lower())).first()
                if user is None:
                    print("Akun tidak ditemukan.", file=sys.stderr)  # noqa: T201
                    return 2
                user.locked_until = None
                user.failed_logins = 0
                s.add(user)
                s.commit()
            auth.audit(svc.db, "cli", "staff.buka", args.username)
            print("Kunci dibuka.")  # noqa: T201
    finally:
        svc.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
