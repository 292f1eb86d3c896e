"""Resumable upload of one document file with tus 1.0 (core, creation, creation-with-upload).

Why not tuspy: its PATCH requests have no timeout (a link that stalls without closing hangs
the worker for good), it cannot verify TLS against an office CA file, and it keeps the upload
URL in its own storage instead of our outbox row. The protocol part we need is small, so it is
written here on the same ``requests`` session as the rest of the API.

Durability: the upload id is written to the outbox row as soon as the server made it, and the
offset before and after every chunk. Only the id is kept, never the URL, so a changed server address resumes
too; the ``Location`` is resolved against the creation URL (RFC 3986) and refused when it names
another origin. After a crash, a power cut or a dropped link the next try
asks the server (HEAD) how much it holds and continues from there; the server keeps every byte
of a PATCH that arrived, even when the connection died mid-body, so at most the bytes in
flight are sent again.

Chunk size adapts to the link (``LinkMeter``): each PATCH costs a round trip, so a chunk takes
at least ``TARGET_CHUNK_SECONDS`` at the measured speed, longer on a link with a long round trip
(the round trip is at most ``RTT_SHARE`` of a chunk's time), never longer than
``MAX_CHUNK_SECONDS``. The rest of a file that is smaller than ``MERGE_TAIL`` of a chunk goes
with the chunk before it instead of costing a round trip of its own. The round trip is the
shortest bodyless exchange (creation, HEAD) of the last ``RTT_WINDOW`` seconds.

A cut is not the end of a file: when the PATCH dies but the server still answers the HEAD that
follows, the upload goes on at once from the server's offset on a new connection (the link
works, it just dropped one connection; a 423 then means the server is still closing the cut
PATCH, and is waited out for a few seconds). Only cuts that got nothing through,
``MAX_FRUITLESS_CUTS`` in a row, hand the file back to the worker, whose back-off then applies.

The streams that start a batch together get staggered first chunks (``LinkMeter.stagger``), so
their chunks do not end, and wait for their answers, all at once. At a batch's end every file
left may get a stream of its own and send its rest in one PATCH (``StreamGovernor.widen``). A
creation carries the file's first chunk (creation-with-upload) where the server said it takes
it and the link is ``LinkMeter.proven``.

An upload may be paused between two chunks (``TusUploader.pause``: the worker gives the
stream to a file with more left to send) and resumed later in the same run from the offset
the last PATCH's answer gave, without a HEAD (a wrong offset would get a 409, which
re-synchronises).

A silent stall (the link stops carrying the PATCH without a FIN or RST) is seen by
``_StallWatch`` long before the read timeout: while a PATCH runs, once its body went to the
socket (or the socket has taken nothing for a while), a HEAD on another connection asks the
server how far it got; the server writes a PATCH's bytes as they arrive, so the offset grows
while the link carries them. No growth for ``LinkMeter.stall_seconds`` (a few times what the
link needs for a piece, or a few round trips) is a stall: the PATCH is cut and the upload goes
on at once from the offset the HEAD showed. The server lets the same device, resuming at its
offset, take the upload over from the silent request at once (no 423). A PATCH whose bytes all
arrived but whose answer is lost is seen the same way, and counts as done.
"""

from __future__ import annotations

import base64
import contextlib
import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from urllib3.util import SKIP_HEADER

from desa_capil.api.models import TUS_VERSION
from desa_capil.store import batches, outbox
from desa_capil.store.db import Database
from desa_capil.store.models import Outbox
from desa_capil.sync.client import (
    Aborted,
    ApiClient,
    BadAnswer,
    LinkStalled,
    OfflineError,
    SyncError,
    TokenRevoked,
)

log = logging.getLogger(__name__)
_T = TypeVar("_T")

TARGET_CHUNK_SECONDS = 8.0
MAX_CHUNK_SECONDS = 30.0  # progress shown and saved at least this often
RTT_SHARE = 0.05  # a chunk's round trip costs at most this share of its time
MERGE_TAIL = 0.5  # a file's rest up to this share of a chunk goes with the chunk before it
RTT_WINDOW = 120.0  # seconds a round-trip sample counts (the link may change)
MIN_CHUNK = 16 * 1024
# Streams that start together get staggered first chunks (``LinkMeter.stagger``), at least this.
MIN_STAGGERED_CHUNK = 8 * 1024
MAX_CHUNK = 8 * 1024 * 1024
INITIAL_RATE = 8 * 1024  # bytes/s assumed before anything was measured (a 64 kbit/s link)
# Cuts in a row after which a file is handed back to the worker (its back-off applies).
MAX_FRUITLESS_CUTS = 3
# 423s in a row (0.5 s, 1 s, 2 s apart) before a file is handed back to the worker.
MAX_LOCKED_WAITS = 3
# Waiting for a PATCH's answer once its last byte went out (see ``LinkMeter.read_timeout``).
TAIL_SAMPLES = 8
TAIL_MARGIN = 2.0
MIN_READ_TIMEOUT = 5.0
# Waiting for the answer of a creation or HEAD (see ``LinkMeter.bodyless_timeout``).
BODYLESS_SAMPLES = 8
BODYLESS_MARGIN = 3.0
BODYLESS_RTTS = 8.0
MIN_BODYLESS_TIMEOUT = 8.0
# Kernel send buffer of an upload connection (``LinkMeter.send_buffer``).
SEND_BUFFER_SECONDS = 1.0
MIN_SEND_BUFFER = 16 * 1024
MAX_SEND_BUFFER = 4 * 1024 * 1024
# Stall watch (``_StallWatch``): no growth of the server's offset for this long is a stall.
MIN_STALL_SECONDS = 4.0
STALL_RTTS = 4.0  # ... or this many round trips
STALL_PIECES = 2.0  # ... or the time the link needs for this many pieces of a stream
STALL_PIECE = 4 * 1024
# Where the server tells how long the running PATCH received nothing (``Look.idle``), a look
# that saw progress is followed by the next this many stall times later: one look then sees a
# stall (no second look needed), within this many stall times.
IDLE_LOOK_SPACING = 1.5
MIN_LOOK_GAP = 0.5  # seconds between two looks at least
_OFFSET_CT = "application/offset+octet-stream"
# creation-with-upload: a creation carries the file's first chunk once this many bytes went
# through on this link without a cut, a stall or a lost answer (``LinkMeter.proven``).
PROVEN_BYTES = 256 * 1024


class Stopped(Exception):
    """The worker was asked to stop between two chunks."""


class Paused(Exception):
    """The upload stopped between two chunks because ``TusUploader.pause`` asked it to (another
    file has more left to send); the row holds the offset the server acknowledged."""


class StreamGovernor:
    """How many files are uploaded at once, judged by goodput over time.

    Two streams by default: while one waits for an answer (a round trip, a creation) the other
    keeps the link busy. Whether one more stream pays is judged by what the server
    acknowledged per wall second across all streams (``goodput``), not by the sum of each
    stream's rate: on a link where one connection gets at most half of the pipe (per-connection
    shaping, a window that a long round trip keeps small), two streams fill it only while both
    send, and a third hides the gaps of the others' round trips; the sum of rates stays the
    same, the goodput grows. On a shared bottleneck extra streams only split the same link.

    Each chunk's acknowledged bytes (also the kept part of a cut one) are spread over its
    lifetime, from ``begin`` to ``end``; the goodput of a count is measured over a window that
    starts with the first chunk begun under it and ends where nothing is still unknown (the
    start of the oldest chunk still in flight), at least ``window`` seconds and ``min_chunks``
    chunks long. A count is kept when its goodput is at least ``gain`` above the one below it;
    else the count goes back and stays there (tried again after ``reprobe_after`` windows). A
    window during which the uploads ran short of files (fewer than ``streams`` sending for over
    a second: the batch's end) does not count.

    ``slot`` is what each upload holds while it sends (the uploads beyond ``streams`` wait for
    one). ``settled``: the count was decided (what the worker remembers per server address).
    ``clock`` is for tests (a fake clock).
    """

    def __init__(
        self,
        start: int = 2,
        *,
        low: int = 1,
        high: int = 4,
        gain: float = 0.04,
        window: float = 30.0,
        min_chunks: int = 4,
        reprobe_after: int = 10,
        settled: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.low = max(1, low)
        self.high = max(self.low, high)
        self.streams = min(self.high, max(self.low, start))
        self.gain = gain
        self.window = window
        self.min_chunks = min_chunks
        self.reprobe_after = reprobe_after
        self.clock = clock
        self.active = 0
        self.ending = False  # a batch's end (``widen``)
        self.extra = 0  # ... where this many uploads may send beyond ``streams``
        self.goodputs: dict[int, float] = {}  # streams -> measured goodput (bytes/s)
        self.history: list[int] = []  # the count after each decision (the benchmark shows it)
        self._open: dict[int, float] = {}  # chunk token -> when it began
        self._next_token = 0
        self._done: list[tuple[float, float, int]] = []  # (began, ended, bytes acknowledged)
        self._phase_since = clock()
        self._short_since: float | None = None  # fewer than ``streams`` sending since
        self._settled_for = 0 if settled else -1  # windows since settling (-1: still probing)
        self._cond = threading.Condition()

    @property
    def settled(self) -> bool:
        return self._settled_for >= 0

    # --- measurement ----------------------------------------------------------------------------

    def begin(self) -> int:
        """A chunk (PATCH) starts; the token goes to ``end``."""
        with self._cond:
            self._next_token += 1
            self._open[self._next_token] = self.clock()
            return self._next_token

    def end(self, token: int, acknowledged: int) -> None:
        """The chunk ended; the server acknowledged ``acknowledged`` bytes of it (0: none)."""
        with self._cond:
            began = self._open.pop(token, None)
            if began is None:
                return
            now = self.clock()
            if now > began:
                self._done.append((began, now, max(0, acknowledged)))
            self._decide()

    def goodput(self) -> float | None:
        """Acknowledged bytes per second of the current count's complete window (None: the
        window is not long enough yet)."""
        with self._cond:
            return self._measure()

    def _measure(self) -> float | None:
        starts = [b for b, _e, _n in self._done if b >= self._phase_since]
        if len(starts) < self.min_chunks:
            return None
        a = min(starts)
        b = min([self.clock(), *self._open.values()])
        if b - a < self.window:
            return None
        total = 0.0
        for began, ended, nbytes in self._done:
            overlap = min(ended, b) - max(began, a)
            if overlap > 0:
                total += nbytes * overlap / (ended - began)
        return total / (b - a)

    def _running_short(self) -> bool:
        return self._short_since is not None and self.clock() - self._short_since > 1.0

    def _decide(self) -> None:
        if self._running_short() or self.ending:
            return  # not the count's doing: the uploads ran short of files, or the batch's end
        g = self._measure()
        if g is None:
            return
        n = self.streams
        self.goodputs[n] = g
        if self._settled_for >= 0:
            self._settled_for += 1
            if self._settled_for >= self.reprobe_after and n < self.high:
                self._settled_for = -1  # the link may have changed: try one more again
                self._set(n + 1)
            else:
                self._new_phase()
            return
        fewer = self.goodputs.get(n - 1)
        if fewer is not None and g < fewer * (1 + self.gain):
            self._settled_for = 0  # this stream did not pay: one less, and stay there
            self._set(n - 1)
        elif n < self.high:
            self._set(n + 1)  # it paid (or nothing to compare yet): try one more
        else:
            self._settled_for = 0
            self._new_phase()

    def _new_phase(self, *, decided: bool = True) -> None:
        self._phase_since = self.clock()
        oldest_open = min(self._open.values(), default=self._phase_since)
        # Chunks that ended before anything still in flight began are no longer needed.
        self._done = [c for c in self._done if c[1] > min(oldest_open, self._phase_since)]
        if decided:
            self.history.append(self.streams)

    def _set(self, n: int) -> None:
        self.streams = n
        self._new_phase()
        self._cond.notify_all()

    def widen(self, extra: int, *, ending: bool = True) -> None:
        """A batch's end (``ending``): ``extra`` uploads may send beyond ``streams``, each file's
        rest goes as one PATCH (``LinkMeter.next_chunk``); ``ending=False``: back to the count.
        A window that saw an end does not count for the count's goodput."""
        with self._cond:
            extra = max(0, extra) if ending else 0
            if (extra, ending) == (self.extra, self.ending):
                return
            if self.ending and not ending:
                self._new_phase(decided=False)
            self.extra, self.ending = extra, ending
            self._cond.notify_all()

    # --- slots ----------------------------------------------------------------------------------

    @contextlib.contextmanager
    def slot(self, stop: threading.Event | None = None) -> Iterator[None]:
        """Held by an upload while it sends; waits while ``streams`` uploads already do."""
        with self._cond:
            while self.active >= self.streams + self.extra:
                if stop is not None and stop.is_set():
                    raise Stopped()
                self._cond.wait(0.5)
            self.active += 1
            if self.active >= self.streams:
                if self._running_short():
                    self._new_phase(decided=False)  # the uploads ran short of files: afresh
                self._short_since = None
            elif self._short_since is None:
                self._short_since = self.clock()
        try:
            yield
        finally:
            with self._cond:
                self.active -= 1
                if self.active < self.streams and self._short_since is None:
                    self._short_since = self.clock()
                self._cond.notify_all()


class LinkMeter:
    """Measured upload speed (bytes/s, per stream, smoothed) and round trip; shared by every
    upload of a worker. ``chunk_size`` follows both (see the module docstring).

    Also counts bytes handed to the socket and bytes the server did not keep (re-sent later),
    which the benchmark reports. ``clock`` is for tests (a fake clock); the default is
    ``time.monotonic``.
    """

    def __init__(
        self,
        rate: float | None = None,
        *,
        alpha: float = 0.4,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._lock = threading.Lock()
        self.streams = StreamGovernor()
        self.rate = float(rate) if rate and rate > 0 else float(INITIAL_RATE)
        self.alpha = alpha
        self.clock = clock
        self.bytes_offered = 0
        self.bytes_lost = 0
        self.stalls = 0  # PATCHes cut by the stall watch (``_StallWatch``)
        self.probes = 0  # its looks at the server (HEAD), each a few hundred bytes on the link
        # The server was seen reporting bytes of a PATCH still running (see ``_StallWatch``).
        self.inflight_progress = False
        self.measured = rate is not None and rate > 0
        self._rtts: deque[tuple[float, float]] = deque(maxlen=32)  # (when, seconds)
        # Seconds from a PATCH's last byte handed to the socket to its answer (recent ones).
        self._tails: deque[float] = deque(maxlen=TAIL_SAMPLES)
        self.min_read_timeout = MIN_READ_TIMEOUT
        self.min_bodyless_timeout = MIN_BODYLESS_TIMEOUT
        self.min_stall_seconds = MIN_STALL_SECONDS
        self._stagger: list[float] = []  # shares of a chunk for the next chunks (``stagger``)
        # An upload request of this link was cut, stalled or lost its answer, or a creation
        # with bytes failed (``proven``).
        self.troubled = False

    def proven(self) -> bool:
        """The link carried ``PROVEN_BYTES`` without a cut, a stall or a lost answer: a creation
        may carry the file's first chunk (creation-with-upload). Until the answer comes, the
        client does not know the upload's id: a cut creation's bytes are lost (the server lets
        that upload expire), and a silent one cannot be watched (see ``_StallWatch``), so on a
        link that ever cut, stalled or lost an answer, creations go without a body."""
        with self._lock:
            kept = self.bytes_offered - self.bytes_lost
            return not self.troubled and kept >= PROVEN_BYTES

    def stagger(self, streams: int) -> None:
        """The next ``streams`` chunks (the first ones of streams that start together) take
        1/n, 2/n, ... n/n of a chunk. Chunks of the same length begun together end together,
        and a chunk's end costs its stream a round trip (the answer, the next request's head):
        if all streams pause at once the link idles for that round trip, each time, all along
        the batch; staggered, the other streams keep it busy meanwhile. Later chunks keep the
        stagger (they last as long as each other)."""
        with self._lock:
            self._stagger = [(k + 1) / streams for k in range(streams - 1)] if streams > 1 else []

    def record(self, nbytes: int, seconds: float) -> None:
        if nbytes < 4096 or seconds <= 0:
            return  # too little to say anything about the link
        if self.streams.ending:
            return  # the batch's end runs more streams than the count: not one stream's rate
        sample = nbytes / seconds
        with self._lock:
            self.rate = sample if not self.measured else self.alpha * sample + (1 - self.alpha) * self.rate
            self.measured = True

    def record_rtt(self, seconds: float) -> None:
        """The time of an exchange without a body (creation, HEAD): one round trip plus the
        server's own time, which a chunk pays as well."""
        if seconds <= 0:
            return
        with self._lock:
            self._rtts.append((self.clock(), seconds))

    @property
    def rtt(self) -> float | None:
        """The shortest round trip of the last ``RTT_WINDOW`` seconds (None: not measured)."""
        with self._lock:
            now = self.clock()
            while self._rtts and now - self._rtts[0][0] > RTT_WINDOW:
                self._rtts.popleft()
            return min((s for _t, s in self._rtts), default=None)

    def bodyless_timeout(self, default: float) -> float:
        """How long a creation or a HEAD waits for its answer: ``default`` (the client's read
        timeout) until ``BODYLESS_SAMPLES`` exchanges were measured, then ``BODYLESS_MARGIN``
        times the longest of the recent ones or ``BODYLESS_RTTS`` round trips, at least
        ``min_bodyless_timeout`` (an answer may queue behind the other streams' bytes in the
        link's buffer), never more than ``default``. On a link that went silent such a request
        is then tried again within seconds instead of after the whole read timeout."""
        with self._lock:
            now = self.clock()
            recent = [s for t, s in list(self._rtts)[-BODYLESS_SAMPLES:] if now - t <= RTT_WINDOW]
        if len(recent) < BODYLESS_SAMPLES // 2:
            return default
        seconds = max(self.min_bodyless_timeout, BODYLESS_MARGIN * max(recent), BODYLESS_RTTS * min(recent))
        return float(min(default, seconds))

    def record_tail(self, seconds: float) -> None:
        """A PATCH answered ``seconds`` after its last byte went to the socket: the time the
        bytes still buffered on the way (socket buffers, the modem) took to drain, plus a
        round trip."""
        if seconds >= 0:
            with self._lock:
                self._tails.append(seconds)

    def read_timeout(self, default: float, timeouts_in_a_row: int = 0) -> float:
        """How long a PATCH waits for its answer after its last byte went out before the link is
        taken for stalled (silent, no FIN or RST). ``default`` (the client's read timeout) until
        ``TAIL_SAMPLES`` // 2 answers were measured; then ``TAIL_MARGIN`` times the longest
        recent wait plus two round trips, at least ``min_read_timeout``, doubled for each
        timeout in a row of the same file (the link may just have become slower: the next
        answer then shows it), never more than ``default``."""
        with self._lock:
            tails = list(self._tails)
        if len(tails) < TAIL_SAMPLES // 2:
            return default
        seconds = TAIL_MARGIN * max(tails) + 2 * (self.rtt or 0.0)
        seconds = max(self.min_read_timeout, seconds) * 2 ** min(timeouts_in_a_row, 8)
        return float(min(default, seconds))

    def count(self, offered: int, kept: int) -> None:
        with self._lock:
            self.bytes_offered += offered
            self.bytes_lost += max(0, offered - kept)

    def send_buffer(self) -> int:
        """Kernel send buffer for an upload connection: what the link sends in
        ``SEND_BUFFER_SECONDS`` or two round trips (at least the bytes in flight on the link,
        so a fast link stays full), within bounds."""
        seconds = max(SEND_BUFFER_SECONDS, 2 * (self.rtt or 0.0))
        return int(max(MIN_SEND_BUFFER, min(MAX_SEND_BUFFER, self.rate * seconds)))

    def stall_seconds(self) -> float:
        """How long a PATCH may go without the server's offset growing before it is taken for
        stalled: ``min_stall_seconds`` (``MIN_STALL_SECONDS``), or ``STALL_RTTS`` round trips, or the time one stream
        needs for ``STALL_PIECES`` pieces at the measured rate, whichever is longest."""
        piece_time = STALL_PIECE / self.rate if self.rate > 0 else 0.0
        return max(self.min_stall_seconds, STALL_RTTS * (self.rtt or 0.0), STALL_PIECES * piece_time)

    def chunk_seconds(self) -> float:
        """How long one chunk should take: long enough that its round trip is a small share."""
        rtt = self.rtt
        seconds = TARGET_CHUNK_SECONDS if rtt is None else max(TARGET_CHUNK_SECONDS, rtt / RTT_SHARE)
        return min(MAX_CHUNK_SECONDS, seconds)

    def stream_rate(self) -> float:
        """The measured rate of one stream; before anything was measured, ``INITIAL_RATE``
        (a whole 64 kbit/s link) shared by the streams the governor runs: a remembered count
        of four must not start with chunks sized as if each stream had the whole link."""
        if self.measured:
            return self.rate
        return self.rate / max(1, self.streams.streams)

    def chunk_size(self) -> int:
        size = int(self.stream_rate() * self.chunk_seconds())
        return max(MIN_CHUNK, min(MAX_CHUNK, size))

    def one_chunk(self, remaining: int) -> bool:
        """Whether ``remaining`` bytes of a file go as one PATCH (see ``next_chunk``)."""
        size = self.chunk_size()
        return remaining <= size + int(size * MERGE_TAIL)

    def next_chunk(self, remaining: int) -> int:
        """The size of the next PATCH when ``remaining`` bytes of the file are left: a chunk,
        or all that is left when the rest would be a small chunk of its own."""
        if self.streams.ending:
            return remaining  # the batch's end: every file's rest in one PATCH (``StreamGovernor.widen``)
        size = self.chunk_size()
        with self._lock:
            share = self._stagger.pop(0) if self._stagger else 1.0
        if share < 1.0:
            size = max(MIN_STAGGERED_CHUNK, int(size * share))
        if remaining <= size + int(size * MERGE_TAIL):
            return remaining
        return size


@dataclass(frozen=True)
class Look:
    """What one look at the server (HEAD) said: the offset it holds, and, where the server
    tells it (``Upload-Idle``, this project's server), for how many seconds the PATCH it is
    running for the upload, ours, has received nothing (None: not told)."""

    offset: int
    idle: float | None = None


class _CountingBody:
    """A request body that remembers how many bytes the HTTP stack read from it.

    Only ``read`` and ``__len__``: requests then sends it with a Content-Length and
    http.client reads it block by block, so ``pos`` is what went to the socket.
    """

    def __init__(self, data: memoryview, clock: Callable[[], float]) -> None:
        self._data = data
        self._clock = clock
        self.pos = 0
        self.done_at: float | None = None  # when the last byte was handed over

    def read(self, n: int = -1) -> bytes:
        if self.pos >= len(self._data) and self.done_at is None:
            self.done_at = self._clock()  # asked for more: the last block went out
        end = len(self._data) if n is None or n < 0 else min(len(self._data), self.pos + n)
        out = bytes(self._data[self.pos : end])
        self.pos = end
        return out

    def __len__(self) -> int:
        return len(self._data) - self.pos


class _StallWatch:
    """Watches one PATCH from a thread of its own and cuts it when the link went silent.

    Free while the PATCH visibly moves: the socket takes its body at the link's pace. Once the
    whole body went to the socket (its answer is awaited), or the socket took nothing for half
    of ``stall_seconds``, ``probe`` (a HEAD on another connection) asks the server's offset:
    a whole ``stall_seconds`` after a look that saw it grow, half of it after one that did not;
    an offset that did not grow over ``stall_seconds`` is a
    stall: ``cut`` is set (the PATCH's exchange ends with ``LinkStalled``) and ``offset``
    says where the server stands. ``clock`` and ``wait`` are for tests (a fake clock).

    A server that reports a PATCH's bytes only once the PATCH ends (object storage keeps a
    chunk as one part) shows the PATCH's start offset throughout: that is no stall. So an
    offset still at ``start`` counts only once this server was seen reporting bytes of a
    running PATCH (``LinkMeter.inflight_progress``); until then the read timeout decides."""

    def __init__(
        self,
        body: _CountingBody,
        meter: LinkMeter,
        probe: Callable[[], int | Look | None],
        *,
        start: int = 0,
        wait: Callable[[threading.Event, float], bool] | None = None,
        tick: float = 0.25,
        done: threading.Event | None = None,
    ) -> None:
        self.body = body
        self.meter = meter
        self.probe = probe
        self.start_offset = start
        self.clock = meter.clock
        self.wait = wait or (lambda ev, seconds: ev.wait(seconds))
        self.tick = tick
        self.cut = threading.Event()
        # Set when the PATCH ended; ``probe`` should cut its own exchange on it (see ``finish``).
        self.done = done or threading.Event()
        self.offset: int | None = None  # the server's offset when the stall was declared
        self.by_idle = False  # declared from the server's word (``Look.idle``), one look
        self.probes = 0
        self._thread: threading.Thread | None = None

    def start(self) -> _StallWatch:
        self._thread = threading.Thread(target=self.run, name="tus-stall-watch", daemon=True)
        self._thread.start()
        return self

    def finish(self) -> None:
        """The PATCH ended: the watch stops, and this returns once its thread did. A look still
        under way is cut by ``done`` (the uploader's probe passes it as the exchange's ``cut``),
        so it never outlives its PATCH: the next PATCH's watch, or the end of the upload
        (which closes the probe's connection), cannot meet it on the same connection."""
        self.done.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()

    def run(self) -> None:
        last_pos, moved_at = self.body.pos, self.clock()
        next_probe: float | None = None
        since: tuple[float, int] | None = None  # (first probe showing this offset, the offset)
        while not self.wait(self.done, self.tick):
            now = self.clock()
            if self.body.pos != last_pos:
                last_pos, moved_at = self.body.pos, now
            stall = self.meter.stall_seconds()
            if next_probe is None:
                if self.body.done_at is not None:
                    next_probe = self.body.done_at + stall / 2
                elif now - moved_at >= stall / 2:
                    next_probe = now
                else:
                    continue
            if now < next_probe:
                continue
            try:
                look = self.probe()
            except Exception as exc:  # noqa: BLE001 - a failed look says nothing either way
                log.debug("stall probe failed: %s", exc)
                look = None
            self.probes += 1
            now = self.clock()
            next_probe = now + stall / 2
            if self.done.is_set() or look is None:
                continue
            offset, idle = (look.offset, look.idle) if isinstance(look, Look) else (look, None)
            if offset > self.start_offset:
                self.meter.inflight_progress = True  # this server shows bytes as they arrive
            if idle is not None:
                # The server itself says how long our PATCH has received nothing: one look
                # decides, by the same rule as two looks (nothing for a stall time).
                if idle >= stall:
                    log.info("PATCH received nothing for %.1f s (server at %d): cutting it", idle, offset)
                    self.offset = offset
                    self.by_idle = True
                    self.cut.set()
                    return
                if since is None or offset > since[1]:
                    since = (now, offset)
                # The next look when a stall that began at its last byte would be one; while
                # bytes arrive, one look per IDLE_LOOK_SPACING stall times.
                next_probe = now + max(MIN_LOOK_GAP, min(stall - idle, IDLE_LOOK_SPACING * stall))
                if idle < MIN_LOOK_GAP:
                    next_probe = now + IDLE_LOOK_SPACING * stall
                continue
            if since is None or offset > since[1]:
                since = (now, offset)
                # It moves: look again a whole stall time later (each look costs link bytes;
                # a stall from now on is still seen within two stall times).
                next_probe = now + stall
            elif now - since[0] >= stall and (offset > self.start_offset or self.meter.inflight_progress):
                log.info(
                    "PATCH made no progress for %.1f s (server at %d): cutting it", now - since[0], offset
                )
                self.offset = offset
                self.cut.set()
                return


@dataclass
class ChunkReport:
    """Progress after a chunk: which outbox row, how far, what moved in this step."""

    row_id: int
    batch_id: str | None
    offset: int
    length: int
    sent: int  # bytes the server gained with this chunk
    seconds: float


def _encode_meta(meta: dict[str, str]) -> str:
    return ",".join(
        f"{k} {base64.b64encode(v.encode('utf-8')).decode('ascii')}" for k, v in meta.items() if v
    )


def upload_id_of(url: str) -> str:
    """The upload id is the last path segment of the tus Location (see api.models)."""
    return url.rstrip("/").rsplit("/", 1)[-1]


def upload_path(upload_id: str) -> str:
    """The API path of an upload. Only the id is stored, never the URL: the server's address
    may change (Settings, a tunnel, a new domain) while an upload waits to be resumed."""
    return f"/uploads/{upload_id}"


class _CreationWithUpload:
    """Per server address (its API URL), for every uploader of this process: whether the
    server's last creation answer listed ``creation-with-upload`` in ``Tus-Extension`` (this
    project's server says it there; an older one, or another tus server, does not: its
    creations then go without a body)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._known: dict[str, bool] = {}

    def allowed(self, api_url: str) -> bool:
        with self._lock:
            return self._known.get(api_url, False)

    def note(self, api_url: str, extensions: str | None) -> None:
        with self._lock:
            self._known[api_url] = "creation-with-upload" in {
                e.strip().lower() for e in (extensions or "").split(",")
            }


_creation_with_upload = _CreationWithUpload()


class TusUploader:
    """Uploads the file of one outbox row; its progress lives in that row."""

    def __init__(
        self,
        client: ApiClient,
        db: Database,
        meter: LinkMeter,
        *,
        stop: threading.Event | None = None,
        on_chunk: Callable[[ChunkReport], None] | None = None,
        patch_timeout: tuple[float, float] | None = None,
        watch_stalls: bool = True,
        pause: Callable[[int], bool] | None = None,
    ) -> None:
        self.client = client
        # Asked after each chunk with the bytes still to send: True stops the upload there
        # (``Paused``), to be resumed later by ``upload(..., known_offset=True)``.
        self.pause = pause
        self.db = db
        self.meter = meter
        self.stop = stop or threading.Event()
        self.on_chunk = on_chunk
        self.patch_timeout = patch_timeout
        self._timeouts_in_a_row = 0  # PATCHes of this file that waited in vain for an answer
        self.watch_stalls = watch_stalls
        self._probe_client: ApiClient | None = None  # HEAD while a PATCH waits (own connection)
        self.stalls = 0  # PATCHes cut by the stall watch
        self.idle_stalls = 0  # ... of which from the server's word (``Look.idle``)

    # --- outbox bookkeeping -------------------------------------------------------------------

    def _save(self, row_id: int, *, url: str | None = None, offset: int | None = None) -> None:
        with self.db.session() as s:
            batch_id, delta = outbox.save_upload(s, row_id, url=url, offset=offset)
            if batch_id:
                batches.add_bytes_sent(s, batch_id, delta)
            s.commit()

    # --- protocol -------------------------------------------------------------------------------

    def _again_once(self, call: Callable[[], _T]) -> _T:
        """A bodyless exchange (creation, HEAD) tried a second time at once when its connection
        died: on a link that drops connections every few seconds one cut is not a dead link.
        A second failure is (the file then waits for the worker's back-off)."""
        try:
            return call()
        except OfflineError as exc:
            log.info("tus: %s; trying once more", exc.detail)
            return call()

    def _bodyless_timeout(self) -> tuple[float, float]:
        connect, read = self.client.timeout
        return connect, self.meter.bodyless_timeout(read)

    def _body_deadline(self, size: int, read_timeout: float) -> float:
        """The total time a request carrying ``size`` bytes of the file may take: the bytes at
        a quarter of the measured rate (a stream's share may drop when more start) plus its
        answer, at least the client's own deadline."""
        return max(self.client.deadline, 4 * size / max(self.meter.stream_rate(), 1.0) + 2 * read_timeout)

    def _create(self, row: Outbox, meta: dict[str, str], view: memoryview) -> tuple[str, int]:
        """Create the upload; returns its id (what the row keeps, see ``upload_path``) and the
        offset the server holds. Where the server takes it (creation-with-upload) and the link
        is ``LinkMeter.proven``, the creation carries the file's first chunk: one request and
        one round trip less per file. (A creation whose answer was lost leaves an upload the
        server lets expire; a second try goes without a body.)"""
        return self._again_once(lambda: self._create_once(row, meta, view))

    def _create_once(self, row: Outbox, meta: dict[str, str], view: memoryview) -> tuple[str, int]:
        assert row.id is not None
        create_url = self.client.url("/uploads/")
        headers = {
            "Tus-Resumable": TUS_VERSION,
            "Upload-Length": str(row.upload_length),
            "Upload-Metadata": _encode_meta(meta),
        }
        size = 0
        if len(view) and _creation_with_upload.allowed(self.client.api_url) and self.meter.proven():
            size = self.meter.next_chunk(len(view))
        body = _CountingBody(view[:size], self.meter.clock) if size else None
        timeout = self._bodyless_timeout()
        deadline: float | None = None
        token = 0
        if body is not None:
            headers.update({"Content-Type": _OFFSET_CT, "Content-Length": str(size)})
            # As a PATCH that no watch looks after (the upload has no id yet).
            connect, read = self.client.timeout
            timeout = (connect, self.meter.read_timeout(read, self._timeouts_in_a_row))
            deadline = self._body_deadline(size, timeout[1])
            token = self.meter.streams.begin()
        started = self.meter.clock()
        offset = 0
        try:
            resp = self.client.request(
                "POST", "/uploads/", data=body, headers=headers, timeout=timeout, deadline=deadline, ok=(201,)
            )
            _creation_with_upload.note(self.client.api_url, resp.headers.get("Tus-Extension"))
            location = resp.headers.get("Location", "")
            if not location:
                raise BadAnswer("tus creation without Location", resp.status_code)
            # RFC 3986 resolution against the creation URL; another origin is refused there.
            upload_id = upload_id_of(self.client.resolve(location, create_url))
            if not upload_id or "?" in upload_id or "#" in upload_id:
                raise BadAnswer(f"tus Location without an upload id: {location[:100]}", resp.status_code)
            if body is not None and resp.headers.get("Upload-Offset") is not None:
                offset = _offset_header(resp.headers.get("Upload-Offset"), 0, size, resp.status_code)
        except SyncError as exc:
            if isinstance(exc, OfflineError) or body is not None:
                # The next creations go without a body: a creation that carried bytes and got
                # no 201 (cut, stopped, or a 5xx from a gateway after the server acted) may
                # have left an upload no answer named, counting against the village's quota
                # until it expires; one per retry, else.
                self.meter.troubled = True
            raise
        finally:
            if body is not None:
                self.meter.count(body.pos, offset)
                self.meter.streams.end(token, offset)
        elapsed = self.meter.clock() - started
        # Saved before the next byte goes out: a restart resumes this upload.
        self._save(row.id, url=upload_id, offset=offset)
        if body is None:
            self.meter.record_rtt(elapsed)
            return upload_id, 0
        if body.done_at is not None:
            self.meter.record_tail(self.meter.clock() - body.done_at)
        self.meter.record(offset, elapsed)
        if offset and self.on_chunk is not None:
            self.on_chunk(ChunkReport(row.id, row.batch_id, offset, len(view), offset, elapsed))
        return upload_id, offset

    def _head(self, upload_id: str, length: int) -> int | None:
        """The offset the server holds, or None when the upload is gone (404/410)."""
        return self._again_once(lambda: self._head_once(upload_id, length))

    def _head_once(self, upload_id: str, length: int) -> int | None:
        started = self.meter.clock()
        try:
            resp = self.client.request(
                "HEAD",
                upload_path(upload_id),
                headers={"Tus-Resumable": TUS_VERSION},
                timeout=self._bodyless_timeout(),
                ok=(200, 204),
            )
        except SyncError as exc:
            if exc.status in (404, 410):
                return None
            raise
        self.meter.record_rtt(self.meter.clock() - started)
        return _offset_header(resp.headers.get("Upload-Offset"), 0, length, resp.status_code)

    def upload(self, row: Outbox, data: bytes, meta: dict[str, str], *, known_offset: bool = False) -> str:
        """Upload `data` for `row` (resuming where the row says); returns the upload id.

        ``known_offset``: the row's offset is what the server acknowledged to a PATCH of this
        run (the upload was paused, see ``pause``), so it goes on from there without asking
        (HEAD) first; should the server hold another offset, the PATCH's 409 re-synchronises."""
        try:
            return self._upload(row, data, meta, known_offset=known_offset)
        finally:
            if self._probe_client is not None:
                self._probe_client.close()
                self._probe_client = None

    def _probe(
        self,
        upload_id: str,
        length: int,
        ended: threading.Event | None = None,
        patch_began: float | None = None,
    ) -> Look:
        """The server's offset, asked on a connection of its own (the PATCH's may be silent);
        cut at once when ``ended`` is set (the PATCH ended, see ``_StallWatch.finish``).

        With ``patch_began`` (the meter's clock when our PATCH was sent), the server's
        ``Upload-Idle`` is taken when the PATCH it runs is ours: one that began at the server
        no earlier than ours was sent (``Upload-Patch-Age`` within our PATCH's age). An older
        one still held there (a stalled PATCH of ours the server has not let go of yet) began
        seconds before and is not ours to judge."""
        if self._probe_client is None:
            self._probe_client = self.client.sibling()
            # Every look crosses the slow link (a few per second with several streams): only
            # what the server needs. A HEAD has no body (no Accept, no Accept-Encoding; the
            # HTTP stack's own "identity" skipped too), keep-alive is HTTP/1.1's default, and
            # the server checks the app's version on the PATCHes, which name it.
            headers = self._probe_client.session.headers
            for name in ("Accept", "Connection"):
                headers.pop(name, None)
            headers["Accept-Encoding"] = SKIP_HEADER
            headers["User-Agent"] = SKIP_HEADER
        client = self._probe_client
        with self.meter._lock:  # noqa: SLF001 - the meter's own counter
            self.meter.probes += 1
        rtt = self.meter.rtt or 1.0
        wait = max(3.0, 4 * rtt)
        started = self.meter.clock()
        resp = client.request(
            "HEAD",
            upload_path(upload_id),
            headers={"Tus-Resumable": TUS_VERSION},
            timeout=(wait, wait),
            deadline=2 * wait,
            ok=(200, 204),
            cut=ended,
        )
        now = self.meter.clock()
        self.meter.record_rtt(now - started)
        offset = _offset_header(resp.headers.get("Upload-Offset"), 0, length, resp.status_code)
        idle = _seconds_header(resp.headers.get("Upload-Idle"))
        age = _seconds_header(resp.headers.get("Upload-Patch-Age"))
        if idle is None or age is None or patch_began is None or age > now - patch_began:
            return Look(offset)
        return Look(offset, idle)

    def _upload(self, row: Outbox, data: bytes, meta: dict[str, str], *, known_offset: bool = False) -> str:
        assert row.id is not None
        if len(data) != row.upload_length:
            raise ValueError("file length differs from the outbox row")
        # Rows written before ids were kept hold the whole URL: its last segment is the id,
        # and the server asked is always the current one (the address may have changed).
        upload_id = upload_id_of(row.upload_url) if row.upload_url else ""
        offset = row.upload_offset
        restarts = 0
        ask = not known_offset
        while True:
            if upload_id and not ask:
                ask = True  # a restart (the upload vanished) asks again
            elif upload_id:
                server_offset = self._head(upload_id, len(data))
                if server_offset is None:
                    log.info("upload of outbox row %s unknown to the server; starting again", row.id)
                    upload_id, offset = "", 0
                    self._save(row.id, url="", offset=0)
                else:
                    offset = server_offset
                    self._save(row.id, url=upload_id, offset=offset)
            view = memoryview(data)
            if not upload_id:
                upload_id, offset = self._create(row, meta, view)  # saved in the row
                if 0 < offset < len(data) and self.pause is not None and self.pause(len(data) - offset):
                    raise Paused(upload_id)
            fruitless = 0  # cuts in a row that got nothing through
            locked = 0  # 423s in a row: the server still finishes the PATCH that was cut
            try:
                while offset < len(data):
                    if self.stop.is_set():
                        raise Stopped()
                    size = self.meter.next_chunk(len(data) - offset)
                    try:
                        offset = self._patch(row, upload_id, view, offset, size)
                        fruitless = locked = 0
                        if offset < len(data) and self.pause is not None and self.pause(len(data) - offset):
                            raise Paused(upload_id)
                    except _Resync as cut:
                        if cut.error.status == 423:
                            # Right after a cut the server may still be closing the cut PATCH
                            # (its disconnect, an fsync): a moment, not the worker's back-off.
                            locked += 1
                            if locked > MAX_LOCKED_WAITS:
                                raise cut.error from None
                            if self.stop.wait(0.5 * 2 ** (locked - 1)):
                                raise Stopped() from None
                            offset = cut.offset
                            continue
                        # The connection died but the server answered the HEAD after it: the
                        # link works, go on from what the server holds.
                        fruitless = 0 if cut.offset > offset else fruitless + 1
                        if fruitless >= MAX_FRUITLESS_CUTS:
                            raise cut.error from None
                        log.info("upload %s cut at %d; going on from there", upload_id, cut.offset)
                        offset = cut.offset
            except _Gone:
                restarts += 1
                if restarts > 2:
                    raise BadAnswer(f"upload {upload_id} keeps disappearing") from None
                log.info("upload %s vanished mid-way; starting again from zero", upload_id)
                upload_id, offset = "", 0
                self._save(row.id, url="", offset=0)
                continue
            return upload_id

    def _patch(self, row: Outbox, upload_id: str, view: memoryview, offset: int, size: int) -> int:
        assert row.id is not None
        body = _CountingBody(view[offset : offset + size], self.meter.clock)
        self._save(row.id, offset=offset)
        timeout = self.patch_timeout
        if timeout is None:
            connect, read = self.client.timeout
            if self.watch_stalls:
                # The watch sees a silent link from the server's offset within seconds. The
                # answer itself may take as long as the bytes buffered on the way need: over
                # half a minute where one connection gets a fraction of the link, and a live
                # PATCH given up would be taken over with those bytes lost. (A server that does
                # not show a running PATCH's bytes leaves it to this wait.)
                timeout = (connect, 2 * read)
            else:
                timeout = (connect, self.meter.read_timeout(read, self._timeouts_in_a_row))
        started = time.monotonic()
        patch_began = self.meter.clock()
        watch: _StallWatch | None = None
        token = self.meter.streams.begin()
        acked = 0  # bytes of this chunk the server acknowledged (goodput, ``StreamGovernor``)
        if self.watch_stalls:
            ended = threading.Event()
            watch = _StallWatch(
                body,
                self.meter,
                lambda: self._probe(upload_id, len(view), ended, patch_began),
                start=offset,
                done=ended,
            ).start()
        try:
            resp = self.client.request(
                "PATCH",
                upload_path(upload_id),
                data=body,
                headers={
                    "Tus-Resumable": TUS_VERSION,
                    "Upload-Offset": str(offset),
                    "Content-Type": _OFFSET_CT,
                    "Content-Length": str(size),
                },
                timeout=timeout,
                deadline=self._body_deadline(size, timeout[1]),
                ok=(204,),
                cut=watch.cut if watch is not None else None,
            )
            new_offset = _offset_header(resp.headers.get("Upload-Offset"), offset + 1, offset + size, 204)
            acked = new_offset - offset
        except SyncError as exc:
            stalled_at = watch.offset if watch is not None and isinstance(exc, LinkStalled) else None
            if isinstance(exc, OfflineError):
                self.meter.troubled = True  # cut, stalled or silent (``LinkMeter.proven``)
            if stalled_at is not None:
                self.stalls += 1
                if watch is not None and watch.by_idle:
                    self.idle_stalls += 1
                with self.meter._lock:  # noqa: SLF001 - the meter's own counter
                    self.meter.stalls += 1
            elif isinstance(exc, OfflineError) and body.done_at is not None:
                self._timeouts_in_a_row += 1  # all sent, no answer: the link went silent
            if exc.status in (404, 410):
                self.meter.count(body.pos, 0)
                raise _Gone() from exc
            # Ask what arrived, so the next try and the loss count are exact. If even that
            # fails, the next try starts with a HEAD anyway. After a stall the watch's HEAD
            # just said it.
            kept = 0
            server_offset: int | None = stalled_at
            if stalled_at is not None:
                kept = max(0, stalled_at - offset)
                self._save(row.id, offset=stalled_at)
            elif not isinstance(exc, Aborted | TokenRevoked) and (exc.retryable or exc.status == 409):
                try:
                    server_offset = self._head(upload_id, len(view))
                except SyncError:
                    server_offset = None
                if server_offset is None and exc.status == 409:
                    raise _Gone() from exc
                if server_offset is not None:
                    kept = max(0, server_offset - offset)
                    self._save(row.id, offset=server_offset)
            self.meter.count(body.pos, kept)
            acked = kept
            if exc.status == 409 and server_offset is not None:
                return server_offset  # offset mismatch: re-synchronised, carry on
            if server_offset is not None and (isinstance(exc, OfflineError) or exc.status == 423):
                raise _Resync(server_offset, exc) from exc
            raise
        finally:
            if watch is not None:
                watch.finish()
            self.meter.streams.end(token, acked)
        elapsed = time.monotonic() - started
        self._timeouts_in_a_row = 0
        if body.done_at is not None:
            self.meter.record_tail(self.meter.clock() - body.done_at)
        self.meter.count(body.pos, new_offset - offset)
        self.meter.record(new_offset - offset, elapsed)
        self._save(row.id, offset=new_offset)
        if self.on_chunk is not None:
            self.on_chunk(
                ChunkReport(row.id, row.batch_id, new_offset, len(view), new_offset - offset, elapsed)
            )
        return new_offset


class _Resync(Exception):
    """A PATCH was cut, but the server answered the HEAD after it: ``offset`` is what it holds."""

    def __init__(self, offset: int, error: SyncError) -> None:
        super().__init__(offset)
        self.offset = offset
        self.error = error


class _Gone(Exception):
    """The server no longer knows the upload (404/410): start it again from zero."""


def _seconds_header(value: str | None) -> float | None:
    """A header of seconds (``Upload-Idle``) as a float >= 0; None when absent or not one."""
    try:
        seconds = float((value or "").strip())
    except ValueError:
        return None
    return seconds if math.isfinite(seconds) and seconds >= 0 else None


def _offset_header(value: str | None, low: int, high: int, status: int) -> int:
    """``Upload-Offset`` as an int in [low, high]; anything else is not a tus answer."""
    raw = (value or "").strip()
    if not raw.isdigit():
        raise BadAnswer(f"bad Upload-Offset {raw[:40]!r}", status)
    offset = int(raw)
    if not low <= offset <= high:
        raise BadAnswer(f"Upload-Offset {offset} outside {low}..{high}", status)
    return offset
