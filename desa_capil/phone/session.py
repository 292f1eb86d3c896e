"""One pairing of phones with one application's papers step: token, limits, photos, phones.

A session is shared by the HTTP handler threads (uploads, status polls) and the UI thread (which
processes photos and reports back), so every field is read and written under one lock. The
photo bytes live here only until the UI has turned them into pages; afterwards only the
pipeline's thumbnail is kept, for the phone to show, and it is dropped with the session.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

#: A photo larger than this is refused before its body is read. A 12 MP phone JPEG is 3-6 MB,
#: a 108 MP one ~20 MB.
MAX_PHOTO_BYTES = 25 * 1024 * 1024
#: Photos and bytes accepted per session (one resident's papers, several retakes).
MAX_PHOTOS = 60
MAX_SESSION_BYTES = 400 * 1024 * 1024
#: Idle minutes after which the QR code stops working (the papers step may still be open).
IDLE_SECONDS = 15 * 60
#: A phone counts as connected while it polled within this many seconds.
PHONE_SEEN_SECONDS = 20.0

PhotoStatus = Literal["processing", "done", "failed"]
Clock = Callable[[], float]


@dataclass(frozen=True)
class Paper:
    code: str
    name: str
    mandatory: bool


@dataclass
class Photo:
    """One photo a phone sent. ``data`` is emptied as soon as the pages are made."""

    id: str
    paper: str
    name: str
    size: int
    phone: str
    data: bytes = field(default=b"", repr=False)
    status: PhotoStatus = "processing"
    message: str = ""
    thumbs: list[bytes] = field(default_factory=list)


@dataclass
class Phone:
    """A browser that opened the page: its address and a short description of it."""

    id: str
    address: str
    agent: str
    last_seen: float
    photos: int = 0


class Refused(Exception):
    """An upload the session will not take; ``status`` is the HTTP answer, ``message`` for the phone."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def describe_agent(user_agent: str) -> str:
    """ "Android Chrome", "iPhone Safari"...: enough for staff to tell two phones apart."""
    ua = user_agent.lower()
    device = (
        "iPhone"
        if "iphone" in ua
        else "iPad"
        if "ipad" in ua
        else "Android"
        if "android" in ua
        else "Windows"
        if "windows" in ua
        else "Linux"
        if "linux" in ua
        else "HP"
    )
    if "samsungbrowser" in ua:
        browser = "Samsung Internet"
    elif "edg" in ua:
        browser = "Edge"
    elif "firefox" in ua or "fxios" in ua:
        browser = "Firefox"
    elif "chrome" in ua or "crios" in ua:
        browser = "Chrome"
    elif "safari" in ua:
        browser = "Safari"
    else:
        browser = "peramban"
    return f"{device} {browser}"


class PhoneSession:
    """The state behind one QR code.

    Callbacks (all called on an HTTP handler thread, never under the lock):
        on_photo(Photo): a photo was accepted; the owner makes pages of ``photo.data``.
        on_paper(str): a phone switched to another paper.
        on_change(): anything the laptop shows changed (phones, counts).
    """

    def __init__(
        self,
        service_name: str,
        papers: list[Paper],
        *,
        clock: Clock = time.monotonic,
        idle_seconds: float = IDLE_SECONDS,
        max_photo_bytes: int = MAX_PHOTO_BYTES,
        max_photos: int = MAX_PHOTOS,
        max_session_bytes: int = MAX_SESSION_BYTES,
    ) -> None:
        if not papers:
            raise ValueError("a session needs at least one paper")
        # 128 random bits: guessing it on a LAN before the session ends is out of reach.
        self.token = secrets.token_urlsafe(16)
        self.service_name = service_name
        self.papers = list(papers)
        self.clock = clock
        self.idle_seconds = idle_seconds
        self.max_photo_bytes = max_photo_bytes
        self.max_photos = max_photos
        self.max_session_bytes = max_session_bytes
        self.on_photo: Callable[[Photo], None] | None = None
        self.on_paper: Callable[[str], None] | None = None
        self.on_change: Callable[[], None] | None = None
        self._lock = threading.Lock()
        self._last_active = clock()
        self._closed = False
        self._photos: dict[str, Photo] = {}
        self._order: list[str] = []
        self._phones: dict[str, Phone] = {}
        self._bytes = 0
        self._counts: dict[str, int] = {}
        self.current_paper = papers[0].code

    # --- life ---------------------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        with self._lock:
            return self._closed

    def expired(self) -> bool:
        """Closed by the laptop, or unused for longer than the idle limit."""
        with self._lock:
            return self._closed or self.clock() - self._last_active > self.idle_seconds

    def close(self) -> None:
        """End the session: nothing is accepted any more and the photos' bytes are dropped."""
        with self._lock:
            self._closed = True
            for p in self._photos.values():
                p.data = b""
                p.thumbs = []

    def touch(self, phone_id: str, address: str, agent: str) -> None:
        """A phone asked for something: the session is in use, the phone is connected."""
        changed = False
        with self._lock:
            now = self.clock()
            self._last_active = now
            ph = self._phones.get(phone_id)
            if ph is None:
                self._phones[phone_id] = Phone(phone_id, address, describe_agent(agent), now)
                changed = True
            else:
                ph.last_seen = now
        if changed:
            self._changed()

    # --- photos -------------------------------------------------------------------------------

    def check_upload(self, size: int) -> None:
        """Refuse before reading the body: too big, session full or over. Raises Refused."""
        with self._lock:
            if self._closed:
                raise Refused(410, MSG_CLOSED)
            if size <= 0:
                raise Refused(400, "Foto kosong. Ambil fotonya lagi.")
            if size > self.max_photo_bytes:
                raise Refused(
                    413,
                    f"Foto terlalu besar ({size / 2**20:.0f} MB; batas {self.max_photo_bytes / 2**20:.0f} MB). "
                    "Ambil ulang dengan kamera HP biasa (bukan mode resolusi tertinggi), lalu kirim lagi.",
                )
            if len(self._photos) >= self.max_photos:
                raise Refused(
                    429,
                    f"Sudah {self.max_photos} foto dalam sesi ini, batasnya. Tutup \u201cPakai HP\u201d di laptop, "
                    "buka lagi, lalu pindai kode QR yang baru untuk melanjutkan.",
                )
            if self._bytes + size > self.max_session_bytes:
                raise Refused(
                    429,
                    "Kiriman sesi ini sudah terlalu besar. Tutup \u201cPakai HP\u201d di laptop, buka lagi, "
                    "lalu pindai kode QR yang baru untuk melanjutkan.",
                )

    def add_photo(self, paper: str, name: str, data: bytes, phone_id: str) -> Photo:
        """Take a received photo (already checked for type); calls ``on_photo``. Raises Refused."""
        self.check_upload(len(data))
        with self._lock:
            if paper not in {p.code for p in self.papers}:
                raise Refused(400, "Kertas itu tidak ada di permohonan ini. Muat ulang halaman di HP.")
            photo = Photo(
                id=secrets.token_hex(6), paper=paper, name=name, size=len(data), phone=phone_id, data=data
            )
            self._photos[photo.id] = photo
            self._order.append(photo.id)
            self._bytes += len(data)
            self._last_active = self.clock()
            ph = self._phones.get(phone_id)
            if ph is not None:
                ph.photos += 1
        if self.on_photo is not None:
            self.on_photo(photo)
        self._changed()
        return photo

    def photo_done(self, photo_id: str, thumbs: list[bytes]) -> None:
        with self._lock:
            p = self._photos.get(photo_id)
            if p is None:
                return
            p.data = b""
            p.status = "done"
            if not self._closed:
                p.thumbs = list(thumbs)
        self._changed()

    def photo_failed(self, photo_id: str, message: str) -> None:
        with self._lock:
            p = self._photos.get(photo_id)
            if p is None:
                return
            p.data = b""
            p.status = "failed"
            p.message = message
        self._changed()

    def thumb(self, photo_id: str, index: int) -> bytes | None:
        with self._lock:
            p = self._photos.get(photo_id)
            if p is None or not 0 <= index < len(p.thumbs):
                return None
            return p.thumbs[index]

    # --- papers -------------------------------------------------------------------------------

    def select_paper(self, code: str) -> None:
        with self._lock:
            if code not in {p.code for p in self.papers}:
                raise Refused(400, "Kertas itu tidak ada di permohonan ini. Muat ulang halaman di HP.")
            self.current_paper = code
            self._last_active = self.clock()
        if self.on_paper is not None:
            self.on_paper(code)

    def set_counts(self, counts: dict[str, int]) -> None:
        """Pages each paper holds in the application (shown on the phone next to the paper)."""
        with self._lock:
            self._counts = dict(counts)

    # --- views --------------------------------------------------------------------------------

    def phones(self) -> list[Phone]:
        """Phones seen recently, first connected first."""
        with self._lock:
            now = self.clock()
            return [
                Phone(p.id, p.address, p.agent, p.last_seen, p.photos)
                for p in self._phones.values()
                if now - p.last_seen <= PHONE_SEEN_SECONDS
            ]

    def photos(self) -> list[Photo]:
        with self._lock:
            return [self._photos[i] for i in self._order]

    def state(self, phone_id: str) -> dict[str, object]:
        """What the phone page shows: the service, the papers, this phone's photos, the limits."""
        with self._lock:
            mine = [self._photos[i] for i in self._order if self._photos[i].phone == phone_id]
            return {
                "service": self.service_name,
                "papers": [
                    {
                        "code": p.code,
                        "name": p.name,
                        "mandatory": p.mandatory,
                        "pages": self._counts.get(p.code, 0),
                    }
                    for p in self.papers
                ],
                "current": self.current_paper,
                "photos": [
                    {
                        "id": p.id,
                        "paper": p.paper,
                        "name": p.name,
                        "status": p.status,
                        "message": p.message,
                        "thumbs": len(p.thumbs),
                    }
                    for p in mine
                ],
                "maxBytes": self.max_photo_bytes,
                "closed": self._closed,
            }

    def _changed(self) -> None:
        if self.on_change is not None:
            self.on_change()


MSG_CLOSED = (
    "Sesi sudah ditutup di laptop. Foto ini tidak diterima. Buka \u201cPakai HP\u201d lagi di laptop "
    "dan pindai kode QR yang baru."
)
