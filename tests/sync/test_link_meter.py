"""Chunk sizes that follow the measured rate and round trip (``LinkMeter``), checked with a fake
clock: no timing of real requests, only what the rule decides from given measurements."""

from __future__ import annotations

import contextlib
import random
import threading
from collections.abc import Callable

import pytest

from desa_capil.sync import tus
from desa_capil.sync.tus import LinkMeter


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def meter(rate: float | None = None) -> tuple[LinkMeter, FakeClock]:
    clock = FakeClock()
    return LinkMeter(rate, clock=clock), clock


def test_without_a_round_trip_a_chunk_is_the_target_time_at_the_measured_rate() -> None:
    m, _ = meter(4000)
    assert m.rtt is None
    assert m.chunk_seconds() == tus.TARGET_CHUNK_SECONDS
    assert m.chunk_size() == 4000 * tus.TARGET_CHUNK_SECONDS


@pytest.mark.parametrize(
    ("rtt", "seconds"),
    [
        (0.05, tus.TARGET_CHUNK_SECONDS),  # a short round trip: the target time is enough
        (0.6, 0.6 / tus.RTT_SHARE),  # 600 ms: 12 s chunks, the round trip costs 5 %
        (1.2, 1.2 / tus.RTT_SHARE),
        (5.0, tus.MAX_CHUNK_SECONDS),  # bounded: progress is still saved and shown
    ],
)
def test_a_long_round_trip_makes_chunks_longer_up_to_the_bound(rtt: float, seconds: float) -> None:
    m, _ = meter(4000)
    m.record_rtt(rtt)
    assert m.chunk_seconds() == pytest.approx(seconds)
    assert m.chunk_size() == int(4000 * seconds)
    # The round trip is then at most RTT_SHARE of a chunk's time, unless the bound applies.
    if seconds < tus.MAX_CHUNK_SECONDS:
        assert rtt / m.chunk_seconds() <= tus.RTT_SHARE + 1e-9


def test_the_shortest_recent_round_trip_counts_and_old_ones_expire() -> None:
    m, clock = meter(8000)
    m.record_rtt(0.7)
    m.record_rtt(0.6)
    m.record_rtt(0.9)  # a slow answer (the server was busy) does not lengthen chunks
    assert m.rtt == 0.6
    clock.now += tus.RTT_WINDOW / 2
    m.record_rtt(2.0)  # the link changed (another cell, a satellite hop)
    assert m.rtt == 0.6
    clock.now += tus.RTT_WINDOW / 2 + 1
    assert m.rtt == 2.0  # the old samples left the window
    assert m.chunk_seconds() == pytest.approx(min(tus.MAX_CHUNK_SECONDS, 2.0 / tus.RTT_SHARE))
    clock.now += tus.RTT_WINDOW + 1
    assert m.rtt is None
    assert m.chunk_seconds() == tus.TARGET_CHUNK_SECONDS


def test_chunks_follow_the_measured_rate_within_bounds() -> None:
    m, _ = meter()
    assert not m.measured
    # The assumed link shared by the governor's streams (two by default).
    assert m.chunk_size() == tus.INITIAL_RATE / m.streams.streams * tus.TARGET_CHUNK_SECONDS
    m.streams = tus.StreamGovernor(start=4)  # a remembered count of four: smaller first chunks
    assert m.chunk_size() == tus.INITIAL_RATE / 4 * tus.TARGET_CHUNK_SECONDS
    m.record(100, 1.0)  # too little to say anything
    assert not m.measured
    m.record(40_000, 10.0)  # 4 KB/s
    assert m.measured and m.rate == 4000
    m.record(80_000, 10.0)  # 8 KB/s, smoothed
    assert m.rate == pytest.approx(0.4 * 8000 + 0.6 * 4000)
    slow, _ = meter(10)
    assert slow.chunk_size() == tus.MIN_CHUNK
    fast, _ = meter(10_000_000)
    assert fast.chunk_size() == tus.MAX_CHUNK


def test_a_small_rest_of_a_file_goes_with_the_chunk_before_it() -> None:
    m, _ = meter(2048)  # 16 KB chunks
    chunk = m.chunk_size()
    assert chunk == 16 * 1024
    assert m.next_chunk(100) == 100
    assert m.next_chunk(chunk) == chunk
    limit = chunk + int(chunk * tus.MERGE_TAIL)
    assert m.next_chunk(limit) == limit  # one PATCH instead of a chunk and a small one
    assert m.next_chunk(limit + 1) == chunk


def test_chunks_of_a_file_cover_it_exactly_in_order() -> None:
    """The sizes the uploader asks for add up to the file, whatever the measurements do."""
    m, clock = meter(3000)
    for length in (1, 5000, 16 * 1024, 16 * 1024 + 1, 100_000, 1_234_567):
        offset = 0
        sizes = []
        while offset < length:
            size = m.next_chunk(length - offset)
            assert 0 < size <= length - offset
            sizes.append(size)
            offset += size
            m.record(size, size / 3500)  # the rate moves between chunks
            m.record_rtt(0.4 + (len(sizes) % 3) * 0.3)
            clock.now += 5
        assert sum(sizes) == length


def test_the_wait_for_an_answer_follows_measured_waits_within_bounds() -> None:
    m, _ = meter(4000)
    m.record_rtt(0.6)
    assert m.read_timeout(30.0) == 30.0  # nothing measured yet: the client's read timeout
    for tail in (2.0, 3.0, 2.5):
        m.record_tail(tail)
    assert m.read_timeout(30.0) == 30.0  # still too few answers to judge by
    m.record_tail(1.0)
    expected = tus.TAIL_MARGIN * 3.0 + 2 * 0.6
    assert m.read_timeout(30.0) == pytest.approx(expected)
    # Each timeout in a row of the same file doubles it (the link may have become slower).
    assert m.read_timeout(30.0, 1) == pytest.approx(2 * expected)
    assert m.read_timeout(30.0, 5) == 30.0  # never more than the client's read timeout
    # Quick answers cannot make it shorter than the floor.
    for _ in range(tus.TAIL_SAMPLES):
        m.record_tail(0.01)
    assert m.read_timeout(30.0) == pytest.approx(max(tus.MIN_READ_TIMEOUT, tus.TAIL_MARGIN * 0.01 + 1.2))
    # Only the recent answers count: one slow answer lengthens it until it is old.
    m.record_tail(8.0)
    assert m.read_timeout(60.0) == pytest.approx(tus.TAIL_MARGIN * 8.0 + 1.2)
    for _ in range(tus.TAIL_SAMPLES):
        m.record_tail(2.0)
    assert m.read_timeout(60.0) == pytest.approx(tus.TAIL_MARGIN * 2.0 + 1.2)


# --- how many files at once (StreamGovernor) -------------------------------------------------


class LinkModel:
    """A fluid model of uploads on one link, stepped with the fake clock: ``link`` bytes/s
    shared by the streams sending at that moment, at most ``per_connection`` each; every
    stream sends chunks of ``chunk`` bytes, each followed by a ``gap`` (the answer's round trip
    and the next request) in which it sends nothing, varying +-30 % (seeded, so the streams do
    not run in lockstep). The number of streams follows the governor (one more starts after a
    gap; one less stops after its chunk)."""

    def __init__(
        self,
        gov: tus.StreamGovernor,
        clock: FakeClock,
        *,
        link: float = 8000.0,
        per_connection: float | None = None,
        chunk: int = 60_000,
        gap: float = 1.0,
    ) -> None:
        self.gov, self.clock = gov, clock
        self.link, self.cap = link, per_connection or link
        self.chunk, self.gap = chunk, gap
        # per stream: [seconds of gap left, bytes left of its chunk, token]
        self.streams: list[list[float]] = []
        self.acknowledged = 0.0
        self.rng = random.Random(5)

    def _gap(self) -> float:
        return self.gap * self.rng.uniform(0.7, 1.3)

    def run(self, seconds: float, dt: float = 0.1) -> None:
        for _ in range(int(seconds / dt)):
            while len(self.streams) < self.gov.streams:
                # Staggered: a new stream starts part of a chunk after the others.
                self.streams.append([self._gap() + 3.0 * len(self.streams), 0.0, 0.0])
            self.gov.active = min(len(self.streams), self.gov.streams)
            sending = [st for st in self.streams if st[0] <= 0]
            each = min(self.cap, self.link / len(sending)) * dt if sending else 0.0
            self.clock.now += dt
            for st in list(self.streams):
                if st[0] > 0:
                    st[0] -= dt
                    if st[0] <= 0:
                        st[1], st[2] = self.chunk, self.gov.begin()
                    continue
                st[1] -= each
                if st[1] <= 0:
                    self.gov.end(int(st[2]), self.chunk)
                    self.acknowledged += self.chunk
                    if len(self.streams) > self.gov.streams:
                        self.streams.remove(st)  # one less: this one stops after its chunk
                    else:
                        st[0] = self._gap()


def governed(start: int = 2, high: int = 4, **kw: float) -> tuple[tus.StreamGovernor, FakeClock]:
    clock = FakeClock()
    return tus.StreamGovernor(start=start, high=high, clock=clock, **kw), clock  # type: ignore[arg-type]


def test_on_a_shared_link_a_third_stream_is_tried_and_given_up() -> None:
    gov, clock = governed()
    LinkModel(gov, clock).run(400)
    # Any one stream can fill this link: while one waits for its answer the other takes it all,
    # so a third adds nothing and the count goes back to two and stays.
    assert gov.history[:2] == [3, 2] and gov.streams == 2 and gov.settled
    assert gov.goodputs[3] == pytest.approx(gov.goodputs[2], rel=0.04)


def test_when_one_connection_gets_half_the_link_a_third_stream_covers_the_gaps() -> None:
    """The case the sum of stream rates cannot see: with two streams each gets its half, the
    same as with three, but two leave the link half idle while one waits for an answer."""
    gov, clock = governed()
    model = LinkModel(gov, clock, per_connection=4000.0)
    model.run(600)
    assert gov.goodputs[3] > gov.goodputs[2] * (1 + gov.gain)
    assert gov.history[:3] == [3, 4, 3]  # three paid, four did not (the link is full)
    assert gov.streams == 3 and gov.settled


def test_when_one_connection_gets_a_third_of_the_link_streams_are_added_while_they_pay() -> None:
    gov, clock = governed()
    LinkModel(gov, clock, per_connection=8000.0 / 3).run(600)
    assert gov.streams >= 3 and gov.settled
    assert gov.goodputs[3] > gov.goodputs[2] * 1.3  # two streams fill only two thirds


def test_the_count_never_leaves_its_bounds_and_is_tried_again_later() -> None:
    gov, clock = governed(high=2)
    LinkModel(gov, clock, per_connection=2000.0).run(300)
    assert gov.streams == 2 and set(gov.history) <= {2}  # parallel=2: two at most
    gov, clock = governed(reprobe_after=3)
    LinkModel(gov, clock).run(360)
    # Settled at two; after 3 settled windows three is tried again, and given up again.
    assert gov.history[:6] == [3, 2, 2, 2, 3, 2] and gov.streams == 2
    one = tus.StreamGovernor(start=2, low=1, high=1)
    assert one.streams == 1


def test_a_remembered_count_starts_settled() -> None:
    gov, clock = governed(start=3, settled=True)  # type: ignore[arg-type]
    assert gov.streams == 3 and gov.settled
    LinkModel(gov, clock, per_connection=4000.0).run(100)
    assert gov.streams == 3  # not probed again before ``reprobe_after`` windows


def test_a_window_where_the_uploads_ran_short_of_files_does_not_count() -> None:
    gov, clock = governed()
    with gov.slot():  # one file left: one stream sends, the other has nothing to do
        for _ in range(8):
            token = gov.begin()
            clock.now += 15.0
            gov.end(token, 60_000)
            clock.now += 1.0
    # 128 s of one stream sending: no decision was made from it (it would have been "more").
    assert gov.goodputs == {} and gov.history == [] and gov.streams == 2
    with gov.slot(), gov.slot():  # two files again: the count is measured afresh from here
        assert gov.goodput() is None
    assert gov.streams == 2


def test_uploads_beyond_the_allowed_streams_wait_for_a_slot() -> None:
    gov = tus.StreamGovernor(start=2, high=4)
    entered = threading.Event()

    def third() -> None:
        with gov.slot():
            entered.set()

    with contextlib.ExitStack() as held:
        held.enter_context(gov.slot())
        held.enter_context(gov.slot())
        t = threading.Thread(target=third)
        t.start()
        assert not entered.wait(0.3)  # two are sending: the third waits
        assert gov.active == 2
    t.join(10)
    assert entered.is_set() and gov.active == 0
    stop = threading.Event()
    stop.set()
    with gov.slot(), gov.slot(), pytest.raises(tus.Stopped):
        with gov.slot(stop):
            pass


def test_at_a_batchs_end_more_uploads_may_send_each_its_whole_rest() -> None:
    m, clock = meter(2048)
    gov = m.streams = tus.StreamGovernor(start=2, high=4, clock=clock)
    entered = threading.Event()

    def third() -> None:
        with gov.slot():
            entered.set()

    with contextlib.ExitStack() as held:
        held.enter_context(gov.slot())
        held.enter_context(gov.slot())
        t = threading.Thread(target=third)
        t.start()
        assert not entered.wait(0.3)  # two are sending: the third waits
        gov.widen(1)  # the batch's end: one more
        assert entered.wait(10)
        t.join(10)
        # Each file's rest in one PATCH, however long; no rate is taken from it (the streams
        # share the link more ways than the count says).
        assert m.next_chunk(10 * m.chunk_size()) == 10 * m.chunk_size()
        m.record(100_000, 10.0)
        assert m.rate == 2048
        # ... nor a goodput for the count.
        for _ in range(8):
            token = gov.begin()
            clock.now += 15.0
            gov.end(token, 60_000)
        assert gov.goodputs == {} and gov.history == [] and gov.streams == 2
    gov.widen(0, ending=False)
    assert m.next_chunk(10 * m.chunk_size()) == m.chunk_size()
    m.record(100_000, 10.0)
    assert m.rate == pytest.approx(0.4 * 10_000 + 0.6 * 2048)  # taken again


# --- the stall watch (``tus._StallWatch``), driven tick by tick by the fake clock ---------------


def run_watch(
    m: LinkMeter,
    clock: FakeClock,
    probe: Callable[[], int | None],
    *,
    body_len: int = 60_000,
    sent_per_tick: int = 0,
    done_after: int = 1000,
    start: int = 0,
) -> tuple[tus._StallWatch, tus._CountingBody]:
    """Run a watch synchronously: each tick advances the clock by the watch's tick and hands
    ``sent_per_tick`` bytes of the body to the 'socket'; the PATCH ends after ``done_after``
    ticks unless the watch cut it first."""
    body = tus._CountingBody(memoryview(bytes(body_len)), clock)
    ticks = 0

    def wait(done: threading.Event, seconds: float) -> bool:
        nonlocal ticks
        ticks += 1
        clock.now += seconds
        if sent_per_tick:
            body.read(sent_per_tick)
            if body.pos >= body_len:
                body.read(1)  # asked for more: the whole body went to the socket
        if ticks >= done_after:
            done.set()
        return done.is_set()

    watch = tus._StallWatch(body, m, probe, wait=wait, start=start)
    watch.run()
    return watch, body


def test_stall_time_follows_round_trip_and_rate_within_a_floor() -> None:
    m, _ = meter(8192)
    assert m.stall_seconds() == tus.MIN_STALL_SECONDS
    m.record_rtt(2.0)
    assert m.stall_seconds() == tus.STALL_RTTS * 2.0
    slow, _ = meter(1000)  # 4 KB pieces at 1 KB/s: three of them
    assert slow.stall_seconds() == pytest.approx(tus.STALL_PIECES * tus.STALL_PIECE / 1000)


def test_a_patch_whose_body_moves_is_never_probed() -> None:
    m, clock = meter(8192)
    probes: list[int] = []
    watch, _ = run_watch(
        m, clock, lambda: probes.append(1) or 0, body_len=10**9, sent_per_tick=2000, done_after=400
    )
    assert not probes and not watch.cut.is_set()


def test_a_silent_server_offset_after_the_body_went_out_is_a_stall() -> None:
    m, clock = meter(8192)
    asked: list[float] = []

    def probe() -> int:
        asked.append(clock.now)
        return 25_000  # the server got this far and no further

    watch, body = run_watch(m, clock, probe, body_len=60_000, sent_per_tick=60_000)
    assert body.done_at is not None
    assert watch.cut.is_set() and watch.offset == 25_000
    stall = m.stall_seconds()
    # The first look half a stall time after the body went out, the next a whole stall time
    # later (the first saw a new offset), and the cut when it stood still: two looks, not a
    # probe per tick.
    assert asked[0] - body.done_at == pytest.approx(stall / 2, abs=0.3)
    assert asked[-1] - asked[0] == pytest.approx(stall, abs=0.3)
    assert len(asked) == 2


def test_a_growing_server_offset_is_not_a_stall() -> None:
    m, clock = meter(8192)
    offsets = iter(range(10_000, 60_000, 4000))
    watch, _ = run_watch(m, clock, lambda: next(offsets, 60_000 - 1), sent_per_tick=60_000, done_after=60)
    assert not watch.cut.is_set() and watch.offset is None
    # While it grows, one look per stall time (15 s here).
    assert watch.probes <= 15 / m.stall_seconds() + 1


def test_a_socket_that_takes_nothing_is_probed_and_cut_when_the_server_stands_still() -> None:
    m, clock = meter(8192)
    watch, body = run_watch(m, clock, lambda: 5000, sent_per_tick=0, start=1000)
    assert body.done_at is None  # the body never went out: the socket buffer is full
    assert watch.cut.is_set() and watch.offset == 5000


def test_an_offset_still_at_the_patch_start_is_a_stall_only_where_the_server_shows_progress() -> None:
    """Object storage reports a chunk only once its PATCH ended: the start offset throughout
    is then no stall. Once the server showed bytes of a running PATCH, it is one."""
    m, clock = meter(8192)
    watch, _ = run_watch(m, clock, lambda: 30_000, start=30_000, sent_per_tick=60_000, done_after=200)
    assert not watch.cut.is_set() and watch.probes > 3 and not m.inflight_progress
    offsets = iter([40_000, 50_000])
    run_watch(m, clock, lambda: next(offsets, 60_000), start=30_000, sent_per_tick=60_000, done_after=30)
    assert m.inflight_progress  # this server shows bytes as they arrive
    watch, _ = run_watch(m, clock, lambda: 30_000, start=30_000, sent_per_tick=60_000)
    assert watch.cut.is_set() and watch.offset == 30_000


def test_one_look_sees_a_stall_where_the_server_says_how_long_the_patch_received_nothing() -> None:
    """``Upload-Idle``: the server's own measure of our PATCH's silence. One look at or past
    the stall time cuts it; a shorter silence schedules the next look for when it would be."""
    m, clock = meter(8192)
    stall = m.stall_seconds()
    asked: list[float] = []
    silent_since: float | None = None

    def probe() -> tus.Look:
        nonlocal silent_since
        asked.append(clock.now)
        if len(asked) < 3:
            return tus.Look(10_000 * len(asked), idle=0.1)  # bytes arrive
        if silent_since is None:
            silent_since = clock.now - 1.0  # the link went silent a second before this look
        return tus.Look(20_000, idle=clock.now - silent_since)

    watch, _ = run_watch(m, clock, probe, sent_per_tick=60_000)
    assert watch.cut.is_set() and watch.offset == 20_000
    assert silent_since is not None
    # While bytes arrived, a look every IDLE_LOOK_SPACING stall times; then the look that cut
    # came when the silence reached the stall time (not a whole stall time after a look that
    # first saw the offset stand still).
    assert asked[1] - asked[0] == pytest.approx(tus.IDLE_LOOK_SPACING * stall, abs=0.3)
    assert asked[-1] - silent_since == pytest.approx(stall, abs=0.3)
    assert len(asked) == 4


def test_a_patch_receiving_bytes_by_the_servers_word_is_never_cut() -> None:
    m, clock = meter(8192)
    watch, _ = run_watch(m, clock, lambda: tus.Look(30_000, idle=0.2), sent_per_tick=60_000, done_after=400)
    assert not watch.cut.is_set() and watch.probes > 3  # the offset stood still, the bytes did not


def test_the_servers_idle_counts_only_for_a_patch_that_began_after_ours_was_sent() -> None:
    """An older PATCH of ours the server still holds (stalled, not yet taken over) began at the
    server before ours was sent: its silence is not ours to judge."""
    m, clock = meter(8192)
    answers: list[dict[str, str]] = []

    class Answer:
        status_code = 200

        def __init__(self, headers: dict[str, str]) -> None:
            self.headers = headers

    class Client:
        def request(self, *_a: object, **_kw: object) -> Answer:
            return Answer(answers.pop(0))

    uploader = tus.TusUploader(None, None, m)  # type: ignore[arg-type]
    uploader._probe_client = Client()  # type: ignore[assignment]
    began = clock.now
    clock.now += 10.0  # our PATCH was sent 10 s ago
    answers.append({"Upload-Offset": "500", "Upload-Idle": "6.0", "Upload-Patch-Age": "9.5"})
    assert uploader._probe("u", 1000, patch_began=began) == tus.Look(500, 6.0)
    answers.append({"Upload-Offset": "500", "Upload-Idle": "6.0", "Upload-Patch-Age": "25.0"})
    assert uploader._probe("u", 1000, patch_began=began) == tus.Look(500)  # an older one
    answers.append({"Upload-Offset": "500", "Upload-Idle": "soon", "Upload-Patch-Age": "1"})
    assert uploader._probe("u", 1000, patch_began=began) == tus.Look(500)  # not seconds
    answers.append({"Upload-Offset": "500"})
    assert uploader._probe("u", 1000, patch_began=began) == tus.Look(500)  # another server


def test_failed_looks_say_nothing() -> None:
    m, clock = meter(8192)

    def probe() -> int:
        raise OSError("the look itself went silent")

    watch, _ = run_watch(m, clock, probe, sent_per_tick=60_000, done_after=200)
    assert not watch.cut.is_set() and watch.probes > 3


def test_a_patch_that_ends_stops_its_watch() -> None:
    m, clock = meter(8192)
    watch, _ = run_watch(m, clock, lambda: 100, sent_per_tick=60_000, done_after=2)
    assert not watch.cut.is_set() and watch.probes == 0


def test_finish_returns_only_once_the_watch_and_its_look_ended() -> None:
    """A look under way when the PATCH ends is cut through ``done`` and joined: it never
    outlives its PATCH (the next PATCH's watch shares its connection)."""
    m = LinkMeter(1_000_000)  # real clock: a look almost at once after the body went out
    m.min_stall_seconds = 0.05
    body = tus._CountingBody(memoryview(bytes(100)), m.clock)
    body.read(100)
    body.read(1)  # the whole body went to the socket
    looking = threading.Event()
    looks_ended: list[bool] = []
    ended = threading.Event()

    def probe() -> int:
        looking.set()
        ended.wait(30)  # what the probe's exchange does with ``cut=ended``
        looks_ended.append(ended.is_set())
        return 0

    watch = tus._StallWatch(body, m, probe, tick=0.01, done=ended).start()
    assert looking.wait(30)
    watch.finish()
    assert looks_ended == [True]
    assert watch._thread is not None and not watch._thread.is_alive()


def test_a_creation_or_head_waits_from_measured_exchanges_within_floor_and_default() -> None:
    m, clock = meter(8192)
    for _ in range(tus.BODYLESS_SAMPLES // 2 - 1):
        m.record_rtt(0.7)
    assert m.bodyless_timeout(30.0) == 30.0  # too few measured: the client's own
    m.record_rtt(0.8)
    assert m.bodyless_timeout(30.0) == tus.MIN_BODYLESS_TIMEOUT  # a fast answer: the floor
    m.record_rtt(4.0)  # one answer queued behind other streams' bytes
    assert m.bodyless_timeout(30.0) == pytest.approx(tus.BODYLESS_MARGIN * 4.0)
    m.record_rtt(20.0)
    assert m.bodyless_timeout(30.0) == 30.0  # never more than the client's
    clock.now += tus.RTT_WINDOW + 1  # the link may have changed: old samples no longer count
    assert m.bodyless_timeout(30.0) == 30.0


def test_streams_that_start_together_get_staggered_first_chunks() -> None:
    m, _ = meter(4096)
    m.record_rtt(0.6)
    chunk = m.chunk_size()
    assert chunk == int(4096 * 0.6 / tus.RTT_SHARE)
    m.stagger(4)
    big = 10 * chunk  # a file far longer than a chunk: no rest is merged
    first = [m.next_chunk(big) for _ in range(4)]
    assert first == [chunk // 4, chunk // 2, chunk * 3 // 4, chunk]
    assert m.next_chunk(big) == chunk  # only the first chunks of the streams starting together
    m.stagger(1)  # one stream: nothing to stagger
    assert m.next_chunk(big) == chunk
    # Never below a floor (a round trip per tiny chunk), and a small file still goes whole.
    small, _ = meter(2048)
    small.stagger(4)
    assert small.next_chunk(big) == tus.MIN_STAGGERED_CHUNK
    assert small.next_chunk(5000) == 5000
