"""Rate-limited repeated log lines: a flood of the same event (hundreds of dropped
connections a second, a client retrying a broken request in a loop) must not fill the disk
with the same line; the first few of each kind per minute are kept, then a count."""

from __future__ import annotations

import copy
import logging
import threading
import time
from collections.abc import Callable
from typing import Any


class RepeatFilter(logging.Filter):
    """Lets through ``burst`` records per ``window`` seconds for each (logger, level, message
    template); the first one let through after a suppression says how many were dropped."""

    def __init__(
        self, burst: int = 10, window: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__()
        self.burst = burst
        self.window = window
        self.clock = clock
        self._seen: dict[tuple[str, int, str], tuple[float, int, int]] = {}
        self._lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        key = (record.name, record.levelno, str(record.msg))
        now = self.clock()
        with self._lock:
            start, count, dropped = self._seen.get(key, (now, 0, 0))
            if now - start >= self.window:
                start, count = now, 0
            if count >= self.burst:
                self._seen[key] = (start, count, dropped + 1)
                return False
            self._seen[key] = (start, count + 1, 0)
            if len(self._seen) > 10_000:
                self._seen.clear()
        if dropped:
            record.msg = f"({dropped} similar lines suppressed) {record.msg}"
        return True


def uvicorn_log_config(level: str = "info") -> dict[str, Any]:
    """uvicorn's logging configuration with the repeat filter on every handler, and the
    server's own loggers on the same output."""
    from uvicorn.config import LOGGING_CONFIG

    cfg = copy.deepcopy(LOGGING_CONFIG)
    cfg["filters"] = {"repeat": {"()": "desa_capil.server.logfilter.RepeatFilter"}}
    for handler in cfg["handlers"].values():
        handler["filters"] = ["repeat"]
    cfg["loggers"]["desa_capil"] = {"handlers": ["default"], "level": level.upper(), "propagate": False}
    return cfg
