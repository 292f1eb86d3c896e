"""Release signing, for whoever signs desa_capil releases (see docs/updates.md).

python -m desa_capil.update init     --repo REPO --keys KEYS [--encrypt-root]
python -m desa_capil.update publish  --repo REPO --keys KEYS --bundle dist/desa-capil --version 0.2.0 [--no-patch]
python -m desa_capil.update refresh  --repo REPO --keys KEYS      # re-sign timestamp/snapshot before they expire
python -m desa_capil.update minimum  --repo REPO --version 0.2.0  # the server then answers older apps with 426
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from desa_capil.update import publish


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m desa_capil.update", description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("init", "publish", "refresh", "minimum"):
        p = sub.add_parser(name)
        p.add_argument("--repo", type=Path, required=True, help="the TUF repository (metadata/ + targets/)")
        if name != "minimum":
            p.add_argument("--keys", type=Path, required=True, help="the private keys folder")
        if name == "init":
            p.add_argument("--encrypt-root", action="store_true", help="ask a passphrase for the root key")
        if name == "publish":
            p.add_argument("--bundle", type=Path, required=True)
            p.add_argument("--version", required=True)
            p.add_argument("--no-patch", action="store_true", help="full archive only (no bsdiff patch)")
        if name == "minimum":
            p.add_argument("--version", required=True)
    args = ap.parse_args(argv)
    if args.cmd == "init":
        root = publish.init_repository(args.repo, args.keys, encrypt_root=args.encrypt_root)
        print(f"root metadata: {root} (ship it: build_installer.py --update-root {root})")  # noqa: T201
    elif args.cmd == "publish":
        done = publish.publish_bundle(
            args.repo, args.keys, args.bundle, args.version, patch=not args.no_patch
        )
        size = f"archive {done.archive_bytes / 1e6:.1f} MB"
        if done.patch_bytes is not None:
            size += f", patch {done.patch_bytes / 1e6:.2f} MB"
        print(f"published {done.version}: {size}")  # noqa: T201
    elif args.cmd == "refresh":
        publish.refresh_expiry(args.repo, args.keys)
        print("timestamp and snapshot re-signed")  # noqa: T201
    else:
        publish.announce_minimum(args.repo, args.version)
        print(f"minimum version {args.version} announced")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
