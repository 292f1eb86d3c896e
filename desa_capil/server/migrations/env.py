"""Alembic environment: runs on the connection handed over by ``migrations.upgrade``, or on
``DATABASE_URL`` when called from the ``alembic`` command line."""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool

from desa_capil.server import usb_models as _usb_models  # noqa: F401 - the USB route's tables
from desa_capil.server.console import models as _console_models  # noqa: F401 - its tables
from desa_capil.server.db import ServerTable

target_metadata = ServerTable.metadata


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(os.environ["DATABASE_URL"], poolclass=NullPool)
    with engine.begin() as conn:
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


run()
