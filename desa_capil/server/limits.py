"""Token buckets: in process memory, or in the database for what every server process and
host must agree on.

* Enrollment attempts always go through the database (``RateBucket`` rows): they are rare,
  and a guesser must not get N times the budget by spreading over N workers or hosts.
* The per-device request rate goes through the database on PostgreSQL (the multi-process,
  multi-host setup); on SQLite (one host) it stays in memory, where a shared bucket would
  cost a write transaction per request on the single writer. With ``--workers N`` on SQLite
  each worker then allows the rate on its own: N times the configured rate per device.

  Why that is fine: the per-device limit only stops a runaway or hostile laptop from
  monopolising the server, and N (2-4 workers on one SQLite host) times a rate of a few
  requests a second still does that; a laptop's keep-alive connection stays on one worker
  anyway. A shared bucket in SQLite, on the other hand, was measured at 33 takes/s on one
  thread and 170/s on four (median 29 ms, p95 56-105 ms; ``benchmarks/rate_bucket.py``,
  shared 2-core machine): below the ~140 polls/s of a province, so it would become the
  server's ceiling. A deployment that needs one exact limit across processes runs PostgreSQL.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol

from sqlalchemy import text

from desa_capil.server.db import Database


class Limiter(Protocol):
    def take(self, key: str) -> float:
        """Take one token; 0 when allowed, else the seconds until one is available."""
        ...

    def give_back(self, key: str) -> None:
        """Return a token taken by an attempt that turned out fine (a good enrollment code)."""
        ...


class MemoryBucket:
    """Per-key token bucket in this process."""

    def __init__(self, burst: float, per_second: float) -> None:
        self.burst = burst
        self.rate = per_second
        self._state: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        now = time.monotonic()
        with self._lock:
            tokens, last = self._state.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens >= 1:
                self._state[key] = (tokens - 1, now)
                if len(self._state) > 100_000:  # forget idle keys rather than grow forever
                    self._state.clear()
                return 0.0
            self._state[key] = (tokens, now)
            return (1 - tokens) / self.rate if self.rate > 0 else 60.0

    def give_back(self, key: str) -> None:
        with self._lock:
            if key in self._state:
                tokens, last = self._state[key]
                self._state[key] = (min(self.burst, tokens + 1), last)


class DatabaseBucket:
    """Per-key token bucket in the ``ratebucket`` table, shared by every process and host.
    One short write transaction per call; the row lock orders concurrent takers."""

    def __init__(self, db: Database, name: str, burst: float, per_second: float) -> None:
        self.db = db
        self.name = name
        self.burst = burst
        self.rate = per_second

    def _key(self, key: str) -> str:
        return f"{self.name}:{key}"[:80]

    def take(self, key: str) -> float:
        k = self._key(key)
        now = time.time()
        with self.db.write.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO ratebucket (key, tokens, at) VALUES (:k, :b, :now) ON CONFLICT (key) DO NOTHING"
                ),
                {"k": k, "b": self.burst, "now": now},
            )
            lock = "" if self.db.is_sqlite else " FOR UPDATE"
            tokens, last = conn.execute(
                text(f"SELECT tokens, at FROM ratebucket WHERE key = :k{lock}"), {"k": k}
            ).one()
            tokens = min(self.burst, float(tokens) + max(0.0, now - float(last)) * self.rate)
            allowed = tokens >= 1
            conn.execute(
                text("UPDATE ratebucket SET tokens = :t, at = :now WHERE key = :k"),
                {"t": tokens - 1 if allowed else tokens, "now": now, "k": k},
            )
        if allowed:
            return 0.0
        return (1 - tokens) / self.rate if self.rate > 0 else 60.0

    def give_back(self, key: str) -> None:
        with self.db.write.begin() as conn:
            conn.execute(
                text("UPDATE ratebucket SET tokens = MIN(tokens + 1, :b) WHERE key = :k")
                if self.db.is_sqlite
                else text("UPDATE ratebucket SET tokens = LEAST(tokens + 1, :b) WHERE key = :k"),
                {"b": self.burst, "k": self._key(key)},
            )

    def purge(self, older_than: float = 86_400) -> None:
        with self.db.write.begin() as conn:
            conn.execute(text("DELETE FROM ratebucket WHERE at < :t"), {"t": time.time() - older_than})
