"""``desa-capil-server``: run the central API and do the office's work from a terminal.

    desa-capil-server serve [--host 127.0.0.1] [--port 8000] [--workers N]
    desa-capil-server admin token
    desa-capil-server admin village add 32.04.05.2001 "Desa Sukamaju"
    desa-capil-server admin village list | code CODE
    desa-capil-server admin device list [--village CODE] | revoke DEVICE_ID
    desa-capil-server admin app list [--status sent] [--village CODE]
    desa-capil-server admin app show ID | download ID --out DIR | open ID DOC_ID
    desa-capil-server admin app status ID needs_fix -m "Foto KK buram, kirim ulang"
    desa-capil-server admin app attach ID --title "Akta Kelahiran" [--pdf FILE]
    desa-capil-server admin dispatch CODE ID [ID ...] [-m MESSAGE]
    desa-capil-server admin log | purge
    desa-capil-server usb enroll --village CODE OUT | import FILE... | export-return --village CODE OUT

Admin subcommands work straight on the server's database and file store (same ``--data`` /
``DATABASE_URL`` as ``serve``), so they work whether or not the server is running. Every
action is written to the admin log.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import shutil
import sys
import tempfile
import webbrowser
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from desa_capil.api.models import file_extension
from desa_capil.domain.status import Status
from desa_capil.server import usb_cli
from desa_capil.server.config import Settings
from desa_capil.server.errors import ApiError
from desa_capil.server.service import CentralService


def _settings(args: argparse.Namespace) -> Settings:
    overrides: dict[str, object] = {}
    if args.data:
        overrides["data_dir"] = Path(args.data)
    if args.database_url:
        overrides["database_url"] = args.database_url
    return Settings.from_env(**overrides)


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"[:40]
    except Exception:  # no user name in some containers
        return "cli"


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from desa_capil.server.logfilter import uvicorn_log_config
    from desa_capil.server.protocol import GuardedH11Protocol

    settings = _settings(args)
    settings.ensure_dirs()
    svc = CentralService(settings)  # schema upgraded and admin token made before workers start
    svc.admin_token()
    svc.close()
    print(f"desa_capil server: data in {settings.data_dir}")
    print(f"database: {'PostgreSQL' if settings.database_url else settings.db_url}")
    print("admin token: run `desa-capil-server admin token` to show it")
    print(f"listening on http://{args.host}:{args.port} (OpenAPI at /openapi.json)")
    # Limits every worker applies to its connections (see docs/deploy.md for the proxy's).
    GuardedH11Protocol.header_timeout = settings.header_timeout
    os.environ["DESA_CAPIL_HEADER_TIMEOUT"] = str(settings.header_timeout)
    common: dict[str, Any] = {
        "host": args.host,
        "port": args.port,
        "proxy_headers": True,
        "forwarded_allow_ips": ",".join(settings.trusted_proxies),
        "log_level": args.log_level,
        "log_config": uvicorn_log_config(args.log_level),
        "http": GuardedH11Protocol,
        "timeout_keep_alive": int(settings.keep_alive_timeout),
        "limit_concurrency": settings.max_connections,
        "backlog": 2048,
    }
    if args.workers > 1:
        # Workers import the app themselves: pass the settings through the environment.
        os.environ["DESA_CAPIL_SERVER_DATA"] = str(settings.data_dir)
        if settings.database_url:
            os.environ["DATABASE_URL"] = settings.database_url
        uvicorn.run(
            "desa_capil.server.app:create_app",
            factory=True,
            workers=args.workers,
            # A worker importing the app on a busy 2-core host can take longer than the 5 s
            # default, and would be killed and restarted in a loop.
            timeout_worker_healthcheck=60,
            **common,
        )
    else:
        from desa_capil.server.app import create_app

        uvicorn.run(create_app(settings), **common)
    return 0


def cmd_admin(args: argparse.Namespace) -> int:
    settings = _settings(args)
    svc = CentralService(settings)
    if args.admin_cmd == "token":
        print(svc.admin_token())
        svc.close()
        return 0
    actor = _actor()
    try:
        return _admin(args, svc, actor)
    finally:
        svc.close()


def _admin(args: argparse.Namespace, svc: CentralService, actor: str) -> int:
    cmd = args.admin_cmd
    if cmd == "village":
        if args.village_cmd == "add":
            out = svc.create_village(args.code, args.name, actor)
            print(f"Desa {args.code} dibuat / village created.")
            print(
                f"Kode pendaftaran / enrollment code: {out.enrollment_code} (berlaku s.d. {out.expires_at:%Y-%m-%d})"
            )
        elif args.village_cmd == "code":
            out = svc.new_enrollment_code(args.code, actor)
            print(
                f"Kode pendaftaran / enrollment code: {out.enrollment_code} (berlaku s.d. {out.expires_at:%Y-%m-%d})"
            )
        else:
            for v in svc.list_villages():
                print(f"{v.code}  {v.name}  ({v.devices} perangkat)")
    elif cmd == "device":
        if args.device_cmd == "revoke":
            import uuid

            d = svc.revoke_device(uuid.UUID(args.device_id), actor)
            print(f"Perangkat {d.id} dicabut / revoked at {d.revoked_at}")
        else:
            for d in svc.list_devices(args.village):
                state = f"dicabut {d.revoked_at:%Y-%m-%d}" if d.revoked_at else "aktif"
                print(f"{d.id}  {d.village_code}  {d.name}  {state}  terakhir {d.last_seen_at or '-'}")
    elif cmd == "app":
        return _app(args, svc, actor)
    elif cmd == "dispatch":
        sent = svc.dispatch(args.code, args.ids, args.message, actor)
        for a in sent.applications:
            docs = ", ".join(f.title + (" (PDF)" if f.has_file else "") for f in a.finished_documents) or "-"
            print(f"{a.id}  {a.service_code}  {a.applicant.name}  -> dispatched  [{docs}]")
    elif cmd == "log":
        for e in reversed(svc.admin_log(args.limit)):
            print(f"{e.at:%Y-%m-%d %H:%M:%S}  {e.actor}  {e.action}  {e.target}  {e.detail}")
    elif cmd == "purge":
        print(f"{svc.purge_expired_uploads()} unggahan kedaluwarsa dihapus / expired uploads removed")
    return 0


def _app(args: argparse.Namespace, svc: CentralService, actor: str) -> int:
    sub = args.app_cmd
    if sub == "list":
        status = Status(args.status) if args.status else None
        page = svc.list_applications(status=status, village_code=args.village, limit=args.limit)
        for a in page.items:
            print(
                f"{a.id:>6}  {a.village_code}  {a.status.value:<11} {a.urgency:<9} {a.service_code:<16} "
                f"{a.applicant.name}  ({len(a.documents)} berkas)"
            )
        if page.next_after_id:
            print(f"... lebih banyak / more: --after {page.next_after_id}")
    elif sub == "show":
        print(svc.get_application(args.id).model_dump_json(indent=2))
    elif sub in ("download", "open"):
        app = svc.get_application(args.id)
        out = Path(args.out) if sub == "download" else Path(tempfile.mkdtemp(prefix=f"permohonan-{args.id}-"))
        out.mkdir(parents=True, exist_ok=True)
        wanted = [d for d in app.documents if sub == "download" or str(d.id) == args.doc_id]
        if not wanted:
            print("Berkas tidak ditemukan / document not found", file=sys.stderr)
            return 1
        for d in wanted:
            _, src = svc.application_file(args.id, d.id)
            # File names come from the server's own data, never from the client's file name.
            dest = out / f"{args.id}_{d.requirement_code}_{str(d.id)[:8]}{file_extension(d.mime)}"
            shutil.copyfile(src, dest)
            print(dest)
            if sub == "open":
                webbrowser.open(dest.as_uri())
    elif sub == "status":
        a = svc.set_status(args.id, Status(args.status), args.message, actor)
        print(f"{a.id}: {a.status.value}")
    elif sub == "attach":
        f = svc.attach_finished(args.id, args.title, Path(args.pdf) if args.pdf else None, actor)
        print(
            f"{f.id}  {f.title}  {'PDF ' + str(f.size) + ' bytes' if f.has_file else 'dokumen cetak / printed'}"
        )
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="desa-capil-server", description="desa_capil central API (Disdukcapil)")
    p.add_argument(
        "--data", help="server data folder (default: DESA_CAPIL_SERVER_DATA or the app data folder)"
    )
    p.add_argument(
        "--database-url",
        help="SQLAlchemy URL, e.g. postgresql+psycopg://... (default: DATABASE_URL or SQLite)",
    )
    sub = p.add_subparsers(dest="cmd", required=True)

    s = sub.add_parser("serve", help="run the API server")
    s.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (0.0.0.0 for all; put TLS in front)"
    )
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--workers", type=int, default=1)
    s.add_argument("--log-level", default="info")
    s.set_defaults(func=cmd_serve)

    a = sub.add_parser("admin", help="office actions")
    a.set_defaults(func=cmd_admin)
    asub = a.add_subparsers(dest="admin_cmd", required=True)
    asub.add_parser("token", help="print the admin token for the admin API")

    v = asub.add_parser("village").add_subparsers(dest="village_cmd", required=True)
    va = v.add_parser("add", help="create a village and print its enrollment code")
    va.add_argument("code", help="kode wilayah, e.g. 32.04.05.2001")
    va.add_argument("name")
    vc = v.add_parser("code", help="a new enrollment code for a village")
    vc.add_argument("code")
    v.add_parser("list")

    d = asub.add_parser("device").add_subparsers(dest="device_cmd", required=True)
    dl = d.add_parser("list")
    dl.add_argument("--village")
    dr = d.add_parser("revoke")
    dr.add_argument("device_id")

    ap = asub.add_parser("app", help="incoming applications").add_subparsers(dest="app_cmd", required=True)
    al = ap.add_parser("list")
    al.add_argument("--status", choices=[s.value for s in Status])
    al.add_argument("--village")
    al.add_argument("--limit", type=int, default=100)
    ash = ap.add_parser("show")
    ash.add_argument("id", type=int)
    ad = ap.add_parser("download")
    ad.add_argument("id", type=int)
    ad.add_argument("--out", required=True)
    ao = ap.add_parser("open")
    ao.add_argument("id", type=int)
    ao.add_argument("doc_id")
    ast = ap.add_parser("status")
    ast.add_argument("id", type=int)
    ast.add_argument("status", choices=[s.value for s in Status])
    ast.add_argument("-m", "--message", default="")
    aa = ap.add_parser("attach")
    aa.add_argument("id", type=int)
    aa.add_argument("--title", required=True)
    aa.add_argument("--pdf", help="signed PDF; omit for a printed document sent by courier")

    dp = asub.add_parser("dispatch", help="send finished applications to a village")
    dp.add_argument("code")
    dp.add_argument("ids", type=int, nargs="+")
    dp.add_argument("-m", "--message", default="")

    lg = asub.add_parser("log")
    lg.add_argument("--limit", type=int, default=50)
    asub.add_parser("purge", help="delete expired unfinished uploads")

    usb_cli.add_parser(sub)  # desa-capil-server usb ... (server/usb_cli.py)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    try:
        if args.cmd == "usb":
            svc = CentralService(_settings(args))
            try:
                return usb_cli.run(args, svc, _actor())
            finally:
                svc.close()
        return int(args.func(args))
    except ApiError as exc:
        print(f"{exc.body.message_id}\n{exc.body.message_en}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
