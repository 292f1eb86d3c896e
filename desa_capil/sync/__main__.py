"""``python -m desa_capil.sync``: drain the outbox once from the command line.

Uses the app's data folder (``DESA_CAPIL_HOME`` to point elsewhere) and its enrollment. Exit
status 0 when nothing is left to send, 1 when the server could not be reached, 2 when the
laptop is not enrolled or its token was revoked.
"""

from __future__ import annotations

import argparse
import logging
import sys

from desa_capil.paths import app_paths
from desa_capil.store.db import open_database
from desa_capil.sync.client import SyncError, TokenRevoked
from desa_capil.sync.config import SyncConfig, credential_store, load_config
from desa_capil.sync.worker import Backoff, SyncWorker

log = logging.getLogger("desa_capil.sync")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m desa_capil.sync", description=__doc__)
    parser.add_argument("--parallel", type=int, default=2, help="files uploaded at once")
    parser.add_argument("--row-backoff", type=float, default=5.0, help="first wait after a server error (s)")
    parser.add_argument("--server", help="use this server address for this run (e.g. through a tunnel)")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING)
    paths = app_paths().ensure()
    db = open_database(paths)
    try:
        config = load_config(db, credential_store(paths))
        if config is None:
            sys.stderr.write("not enrolled: enroll this laptop in Settings first\n")
            return 2
        if args.server:
            config = SyncConfig(args.server, config.token, config.ca_file)
        log.info("sync started")
        worker = SyncWorker(
            db,
            config.client_factory(),
            parallel=args.parallel,
            backoff=Backoff(),
            row_backoff_base=args.row_backoff,
        )
        try:
            result = worker.run_until_idle()
        except TokenRevoked as exc:
            sys.stderr.write(exc.message_en + "\n")
            return 2
        except SyncError as exc:
            sys.stderr.write(f"{exc.message_en} ({exc.detail})\n")
            return 1
        finally:
            worker.close()
        sys.stdout.write(
            f"batches sent {len(result.batches_sent)}, set aside {len(result.batches_parked)}, "
            f"files {result.files_uploaded}, events {result.events_sent}, "
            f"status changes {len(result.office_changes)}\n"
        )
        return 0
    finally:
        db.close()


if __name__ == "__main__":
    sys.exit(main())
