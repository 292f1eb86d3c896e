"""SIGKILL the sync process at random moments, again and again; then a normal run finishes the
job with nothing lost and nothing sent twice."""

from __future__ import annotations

import os
import random
import selectors
import signal
import subprocess
import time
from collections.abc import Iterator

import pytest
from sqlmodel import select

from desa_capil.domain.status import Status
from desa_capil.store.models import Application, Batch, BatchState, Outbox, OutboxState
from desa_capil.sync.client import ApiClient
from desa_capil.sync.worker import Backoff, SyncWorker, has_pending_work
from tests.forkserver import Child, ForkServer

from .conftest import Enrolled
from .helpers import Admin, assert_server_has, make_batch
from .proxy import FaultProxy

KILLS = 32


@pytest.fixture
def proxy(enrolled: Enrolled) -> Iterator[FaultProxy]:
    p = FaultProxy(enrolled.server.port, seed=99).start()
    yield p
    p.stop()


@pytest.fixture(scope="module")
def forks() -> Iterator[ForkServer]:
    # `python -m desa_capil.sync` in a new process each round, forked from one that imported
    # it once (tests/forkserver.py): the rounds are spent syncing and being killed, not importing.
    with ForkServer(["desa_capil.sync.__main__"]) as server:
        yield server


def start_child(forks: ForkServer, proxy: FaultProxy) -> Child:
    env = dict(os.environ)
    # Never the real credential store: the child reads the 0600 token file of the test home.
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    return forks.spawn(
        ["-m", "desa_capil.sync", "--server", proxy.url, "--row-backoff", "0.05", "-v"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def wait_started(child: Child, deadline_s: float = 20.0) -> bool:
    """Block until the child logs that it started syncing (or exits). False if it exited."""
    assert child.stderr is not None
    sel = selectors.DefaultSelector()
    sel.register(child.stderr, selectors.EVENT_READ)
    deadline = time.monotonic() + deadline_s
    seen = b""
    try:
        while time.monotonic() < deadline:
            if not sel.select(timeout=deadline - time.monotonic()):
                continue
            chunk = os.read(child.stderr.fileno(), 4096)
            if not chunk:
                return False
            seen += chunk
            if b"sync started" in seen:
                return True
    finally:
        sel.close()
    raise AssertionError(f"the sync process did not start: {seen[-500:]!r}")


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_sigkill_at_random_moments_loses_and_duplicates_nothing(
    enrolled: Enrolled, admin: Admin, proxy: FaultProxy, forks: ForkServer
) -> None:
    batches = [make_batch(enrolled.db, 2, pages_per_doc=2, page_bytes=6000) for _ in range(3)]
    all_ids = [i for _b, ids in batches for i in ids]
    proxy.rate = 24 * 1024  # slow enough that most kills land mid-upload
    proxy.latency = 0.01
    rng = random.Random(20240607)
    kills = 0
    kills_mid_work = 0
    for _ in range(KILLS):
        child = start_child(forks, proxy)
        try:
            if wait_started(child):
                time.sleep(rng.uniform(0.0, 0.6))  # the random moment of the power cut
        finally:
            if child.poll() is None:
                child.send_signal(signal.SIGKILL)
                kills += 1
            child.wait(10)
            kills_mid_work += has_pending_work(enrolled.db)
            if child.stderr is not None:
                child.stderr.close()
    # What the loop did is counted and reported, never asserted against the machine's speed:
    # on a loaded machine fewer kills land mid-upload, and the outcome must be the same.
    print(f"kills {kills}, of which mid-work {kills_mid_work}")  # noqa: T201 - test report
    # Power is back: a normal run finishes the job.
    token = enrolled.config.token
    worker = SyncWorker(
        enrolled.db,
        lambda: ApiClient(proxy.url, token, timeout=(5.0, 5.0)),
        backoff=Backoff(base=0.05, cap=0.5),
        row_backoff_base=0.05,
    )
    proxy.clean()
    worker.run_until_idle()
    worker.close()
    assert_server_has(enrolled, admin, all_ids)
    with enrolled.db.session() as s:
        assert {b.state for b in s.exec(select(Batch)).all()} == {BatchState.SENT}
        assert all(a.status == Status.SENT for a in s.exec(select(Application)).all())
        assert not s.exec(select(Outbox).where(Outbox.state != OutboxState.DONE)).all()
