"""``desa-capil-server usb ...``: the USB route from the office's terminal (server/usb.py).

    desa-capil-server usb enroll --village 53.14.01.2001 OUT      (OUT: a file or a folder)
    desa-capil-server usb import [--accept-revoked] FILE [FILE ...]
    desa-capil-server usb export-return --village 53.14.01.2001 [--device ID | --all-devices] OUT

Like the ``admin`` commands they work straight on the server's database and files, whether or
not the server runs. A refused bundle prints its reason in both languages and exits with 2.
"""

from __future__ import annotations

import argparse
import sys
import uuid
from pathlib import Path
from typing import Any, BinaryIO

from desa_capil.server.errors import ApiError
from desa_capil.server.service import CentralService
from desa_capil.server.usb import UsbService
from desa_capil.usbroute import BundleError, parse_enrollment
from desa_capil.usbroute.atomic import write_atomic
from desa_capil.usbroute.bundle import SUFFIX
from desa_capil.usbroute.enrollment import SUFFIX as ENROLL_SUFFIX


def add_parser(sub: Any) -> None:
    u = sub.add_parser("usb", help="USB route: enrollment files, bundle import, return bundles")
    usub = u.add_subparsers(dest="usb_cmd", required=True)
    e = usub.add_parser("enroll", help="an enrollment file for a new village laptop, and its paper code")
    e.add_argument("--village", required=True, help="kode wilayah, e.g. 53.14.01.2001")
    e.add_argument("--device-name", default="")
    e.add_argument("--server-url", default="", help="the address the laptop will use once it has a link")
    e.add_argument("out", help="file or folder to write the .dcenroll file to (e.g. the stick)")
    i = usub.add_parser("import", help="import village bundles (.dcb) brought on a stick")
    i.add_argument("files", nargs="+")
    i.add_argument(
        "--accept-revoked",
        action="store_true",
        help="confirm: import the backup bundle of a REVOKED laptop (its unsent work); you are recorded",
    )
    r = usub.add_parser("export-return", help="the return bundle for a village (status, documents)")
    r.add_argument("--village", required=True)
    which = r.add_mutually_exclusive_group()
    which.add_argument("--device", default=None, help="the laptop (its id), when the village has several")
    which.add_argument(
        "--all-devices",
        action="store_true",
        help="one return bundle per laptop of the village into OUT (a folder)",
    )
    r.add_argument("out", help="file or folder to write the .dcb file(s) to")
    u.set_defaults(func=None)


def _target(out: str, name: str) -> Path:
    path = Path(out)
    return path / name if path.is_dir() else path


def run(args: argparse.Namespace, svc: CentralService, actor: str) -> int:
    usb = UsbService(svc)
    try:
        if args.usb_cmd == "enroll":
            return _enroll(args, usb, actor)
        if args.usb_cmd == "import":
            return _import(args, usb, actor)
        if args.all_devices:
            folder = Path(args.out)
            folder.mkdir(parents=True, exist_ok=True)
            bundles = usb.export_returns(args.village, folder)
        else:
            bundles = [
                usb.export_return(
                    args.village, _target(args.out, f"{args.village}-kembali{SUFFIX}"), device_id=args.device
                )
            ]
        for made in bundles:
            print(f"Berkas kembali / return bundle: {made.path}")
            print(
                f"  laptop {uuid.UUID(made.device_id)}: nomor {made.seq}, {made.changes} perubahan status / "
                f"status changes, {made.documents} dokumen / documents (sejak / since {made.after})"
            )
        return 0
    except BundleError as exc:
        print(f"{exc.message('id')}\n{exc.message('en')}\n[{exc.reason}] {exc.detail}", file=sys.stderr)
        return 2


def _enroll(args: argparse.Namespace, usb: UsbService, actor: str) -> int:
    out, raw = usb.create_enrollment(
        args.village, actor, device_name=args.device_name, server_url=args.server_url
    )
    path = _target(args.out, f"{args.village}{ENROLL_SUFFIX}")

    def write(fh: BinaryIO) -> None:
        fh.write(raw)

    def verify(tmp: Path) -> None:
        parse_enrollment(tmp.read_bytes(), office_sign_public=usb.keys.sign_public)

    try:
        write_atomic(path, write, verify)
    except OSError as exc:
        raise BundleError("write_failed", str(exc)) from exc
    print(f"Berkas pendaftaran / enrollment file: {path}")
    print("Cetak dan serahkan kepada kepala desa (JANGAN simpan di flashdisk):")
    print("Print and hand to the village head (do NOT keep it on the stick):")
    print(f"  Desa / village:            {out.village_code} {out.village_name}")
    print(f"  Kode pendaftaran / code:   {out.code}")
    print(f"  Sidik kunci kantor / office key: {out.office_key_id}")
    print(f"  Laptop / device id:        {out.device_id}")
    print(f"  Berlaku s.d. / valid until: {out.expires_at[:10]}")
    return 0


def _import(args: argparse.Namespace, usb: UsbService, actor: str) -> int:
    worst = 0
    for name in args.files:
        try:
            report = usb.import_bundle(
                Path(name),
                carrier=f"office:{actor}",
                accept_revoked_by=actor if args.accept_revoked else "",
            )
        except BundleError as exc:
            print(f"{name}: DITOLAK / REFUSED [{exc.reason}]", file=sys.stderr)
            print(f"  {exc.message('id')}\n  {exc.message('en')}", file=sys.stderr)
            worst = 2
            continue
        except ApiError as exc:
            print(f"{name}: {exc.body.message_id} / {exc.body.message_en}", file=sys.stderr)
            worst = 2
            continue
        state = "sudah pernah diimpor / already imported" if report.duplicate else "diimpor / imported"
        print(f"{name}: {state}; desa {report.village_code}, kiriman no. {report.seq}")
        if report.accepted_revoked_by:
            print(
                f"  laptop yang dicabut, diterima atas konfirmasi / revoked laptop, accepted on the "
                f"confirmation of {report.accepted_revoked_by}"
            )
        for b in report.batches:
            n = len((b.receipt or {}).get("applications", []))
            print(f"  batch {b.batch_id}: {b.status}" + (f" ({n} permohonan)" if b.receipt else ""))
            if b.error:
                print(f"    {b.error.get('message_id', '')}")
        applied = sum(1 for e in report.events if e.get("outcome") == "applied" and not e.get("duplicate"))
        if report.events:
            print(f"  peristiwa / events: {applied} baru / new of {len(report.events)}")
    return worst
