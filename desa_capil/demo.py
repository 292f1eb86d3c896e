"""Demo mode: the whole loop on one laptop, with nothing real touched.

    home = prepare_home()                 # before anything opens the database
    demo = DemoSession.start(home)        # embedded server, village, enrollment, sample data
    ...                                   # the app runs against demo.base_url
    demo.close()                          # stops the server and the "office", removes home

``prepare_home`` points ``DESA_CAPIL_HOME`` at a fresh temporary folder and switches the
device-token store to its 0600 file inside that folder, so the demo never writes to the real
data folder or the OS credential store. ``DemoSession.start`` runs the reference server
in-process on a free loopback port, creates the village (Desa Cileunyi Kulon, Kabupaten
Bandung), enrolls this "laptop" over HTTP, and seeds residents and applications in every
status by doing the real round trip: papers uploaded with tus, batches PUT, the office's
decisions made through the admin API and pulled back through the changes feed.

Then an ``OfficeSimulator`` thread plays the Disdukcapil officer: every 20-40 s it moves one
application a step along sent -> in_review -> processing -> finished -> dispatched (now and
then asking for a fix), through the same admin HTTP API the office uses, so the app's own
sync engine sees the changes arrive.

No Qt here: the app shell wires this into the window (title marker, timers).
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import random
import shutil
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import img2pdf
import keyring
import keyring.backend
import keyring.backends.fail
import requests
from PIL import Image, ImageDraw, ImageFont

from desa_capil.domain.catalog import Urgency, get_service
from desa_capil.domain.nik import validate_kk, validate_nik
from desa_capil.domain.status import Status
from desa_capil.paths import HOME_ENV, AppPaths, app_paths
from desa_capil.store import repo, setting_keys
from desa_capil.store.db import Database, open_database
from desa_capil.store.distribution import HandOverInput, mark_arrived, record_handover
from desa_capil.store.models import (
    Application,
    Operator,
    Page,
    utcnow,
)
from desa_capil.store.pages import NewPage, add_pages
from desa_capil.sync.config import credential_store, enroll, load_config
from desa_capil.sync.worker import SyncWorker

if TYPE_CHECKING:
    from desa_capil.server.embedded import EmbeddedServer

log = logging.getLogger(__name__)

# A real village: Desa Cileunyi Kulon, Kecamatan Cileunyi, Kabupaten Bandung, Jawa Barat.
VILLAGE_CODE = "32.04.05.2001"
VILLAGE_NAME = "Desa Cileunyi Kulon"
REGION = "Kec. Cileunyi, Kab. Bandung, Jawa Barat 40622"
NIK_PREFIX = "320405"  # PP KK CC of Kabupaten Bandung / Kecamatan Cileunyi
OPERATORS = ("Siti Rahmawati", "Agus Setiawan")
DEVICE_NAME = "Laptop Kantor Desa (demo)"

# Settings the demo writes (the same keys the first-run wizard writes).
SETTING_VILLAGE_NAME = setting_keys.VILLAGE_NAME
SETTING_VILLAGE_CODE = setting_keys.VILLAGE_CODE
SETTING_SERVER_URL = "server_url"
SETTING_ENROLLMENT_CODE = "enrollment_code"
SETTING_DEVICE_ID = "device_id"
SETTING_DEMO = "demo"

# Office steps the simulator takes, one per tick: from -> to.
OFFICE_NEXT: dict[str, str] = {
    "sent": "in_review",
    "in_review": "processing",
    "processing": "finished",
    "finished": "dispatched",
}
FIX_MESSAGE = "Foto surat keterangan buram, mohon dipindai ulang dengan terang."
REJECT_MESSAGE = "Data pada surat pengantar tidak sesuai dengan KK. Silakan ajukan permohonan baru."

# --- sample residents ---------------------------------------------------------------------------

_MEN = (
    "Asep Sunandar", "Dedi Kurniawan", "Ujang Saepudin", "Budi Hartono", "Cecep Hidayat",
    "Yayan Sopyan", "Hendra Gunawan", "Rudi Permana", "Iwan Setiawan", "Dadang Suhendar",
    "Agus Salim", "Wawan Ruswandi", "Tatang Sutarman",
)  # fmt: skip
_WOMEN = (
    "Siti Nurhaliza", "Euis Komariah", "Neneng Hasanah", "Dewi Lestari", "Rina Marlina",
    "Yuyun Yuningsih", "Lilis Suryani", "Ai Nurjanah", "Tuti Alawiyah", "Enok Rohaeti",
    "Nining Kurniasih", "Popon Sopiah", "Wulan Sari",
)  # fmt: skip
_STREETS = (
    "Kp. Cikoneng", "Jl. Raya Cinunuk", "Kp. Babakan Sukamulya", "Perum Bumi Orange",
    "Kp. Cilengkrang", "Jl. Pandanwangi", "Kp. Cibangkonol",
)  # fmt: skip


@dataclass(frozen=True)
class Resident:
    nik: str
    name: str
    kk_number: str
    phone: str
    address: str
    female: bool


def make_residents(rng: random.Random, count: int = 26) -> list[Resident]:
    """Residents of the demo village with NIK/KK numbers that pass domain/nik.py."""
    out: list[Resident] = []
    used: set[str] = set()
    for i in range(count):
        female = i % 2 == 1
        name = (_WOMEN if female else _MEN)[(i // 2) % len(_MEN)]
        born = date(1958, 1, 1) + timedelta(days=rng.randrange(0, 365 * 45))
        day = born.day + (40 if female else 0)
        serial = 1 + i
        nik = f"{NIK_PREFIX}{day:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"
        issued = date(2012, 1, 1) + timedelta(days=rng.randrange(0, 365 * 12))
        kk = f"{NIK_PREFIX}{issued.day:02d}{issued.month:02d}{issued.year % 100:02d}{serial:04d}"
        assert validate_nik(nik).ok and validate_kk(kk).ok, (nik, kk)
        if nik in used:
            continue
        used.add(nik)
        phone = (
            "08" + rng.choice(("12", "13", "21", "52", "57", "77", "95")) + f"{rng.randrange(10**7, 10**8)}"
        )
        rt, rw = rng.randrange(1, 9), rng.randrange(1, 16)
        address = f"{rng.choice(_STREETS)} RT {rt:02d}/RW {rw:02d}, {VILLAGE_NAME}, {REGION}"
        out.append(Resident(nik, name, kk, phone, address, female))
    return out


# --- sample pages ----------------------------------------------------------------------------------

_PAGE_DPI = 100
_PAGE_SIZE = (827, 1169)  # A4 at 100 dpi: small, still readable for a demo


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for name in ("DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "arial.ttf"):
        with contextlib.suppress(OSError):
            return ImageFont.truetype(name, size)
    return ImageFont.load_default()


def make_page(title: str, resident: Resident, rng: random.Random) -> NewPage:
    """A plain bilevel 'scanned' paper with a heading and the resident's data (CCITT G4 TIFF)."""
    im = Image.new("L", _PAGE_SIZE, 255)
    d = ImageDraw.Draw(im)
    big, small = _font(26), _font(16)
    d.text((70, 70), "PEMERINTAH KABUPATEN BANDUNG", font=small, fill=0)
    d.text((70, 95), f"{VILLAGE_NAME.upper()} - KECAMATAN CILEUNYI", font=small, fill=0)
    d.line((70, 125, 757, 125), fill=0, width=3)
    d.text((70, 160), title.upper(), font=big, fill=0)
    y = 230
    for label, value in (("Nama", resident.name), ("NIK", resident.nik), ("No. KK", resident.kk_number)):
        d.text((70, y), f"{label:<8}: {value}", font=small, fill=0)
        y += 32
    d.text((70, y), f"Alamat  : {resident.address[:60]}", font=small, fill=0)
    y += 60
    for _ in range(14):
        # "Handwriting": lines of varying length.
        d.line((70, y, 70 + rng.randrange(300, 680), y), fill=0, width=2)
        y += 34
    d.rectangle((520, 980, 757, 1080), outline=0, width=2)
    d.text((540, 1090), "Kepala Desa", font=small, fill=0)
    bw = im.convert("1", dither=Image.Dither.NONE)
    buf = io.BytesIO()
    bw.save(buf, "TIFF", compression="group4", dpi=(_PAGE_DPI, _PAGE_DPI), strip_size=2**30)
    thumb = im.copy()
    thumb.thumbnail((170, 240))
    tbuf = io.BytesIO()
    thumb.save(tbuf, "JPEG", quality=70)
    return NewPage(
        data=buf.getvalue(),
        mime="image/tiff",
        width=_PAGE_SIZE[0],
        height=_PAGE_SIZE[1],
        dpi=_PAGE_DPI,
        mode="bilevel",
        thumb=tbuf.getvalue(),
        source="file",
    )


def assemble_pdf(db: Database) -> Callable[[list[Page]], bytes]:
    """The `assemble` of seal_batch: the app's own PDF assembly over the processed pages."""
    from desa_capil.scan.pdf import assemble_pdf as assemble_pages

    def assemble(pages: list[Page]) -> bytes:
        return assemble_pages([(db.blobs.get(p.processed_sha256), p.mime) for p in pages])

    return assemble


# --- the demo session -----------------------------------------------------------------------------

# Set to a folder to keep the demo's data there (and not delete it at exit): for looking at
# it afterwards, and for tests of the whole app in demo mode.
DEMO_HOME_ENV = "DESA_CAPIL_DEMO_HOME"

_saved_keyring: keyring.backend.KeyringBackend | None = None
_prepared: Path | None = None  # the home prepare_home() made for this process


def prepare_home(base: Path | None = None) -> Path:
    """Make a throw-away app home and point the app at it; call before the database opens.

    The device token goes to the 0600 file in that home (never the OS credential store, which
    would outlive the demo and could hold a real laptop's token).
    """
    global _saved_keyring, _prepared
    kept = base or os.environ.get(DEMO_HOME_ENV)
    home = Path(kept) if kept else Path(tempfile.mkdtemp(prefix="desa_capil-demo-"))
    home.mkdir(parents=True, exist_ok=True)
    os.environ[HOME_ENV] = str(home)
    _prepared = home
    if _saved_keyring is None:
        _saved_keyring = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    return home


def _restore_keyring() -> None:
    global _saved_keyring
    if _saved_keyring is not None:
        keyring.set_keyring(_saved_keyring)
        _saved_keyring = None


class AdminApi:
    """The office side over the admin HTTP API (what an officer's tools would call)."""

    def __init__(self, base_url: str, token: str) -> None:
        self.base = f"{base_url}/api/v1/admin"
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def close(self) -> None:
        self.session.close()

    def _req(self, method: str, path: str, **kw: object) -> requests.Response:
        r = self.session.request(method, self.base + path, timeout=30, **kw)  # type: ignore[arg-type]
        r.raise_for_status()
        return r

    def applications(self, status: str | None = None) -> list[dict[str, object]]:
        params: dict[str, object] = {"limit": 500}
        if status:
            params["status"] = status
        body = self._req("GET", "/applications", params=params).json()
        return list(body["items"])

    def set_status(self, app_id: int, status: str, message: str = "") -> None:
        self._req("POST", f"/applications/{app_id}/status", json={"status": status, "message": message})

    def attach(self, app_id: int, title: str, pdf: bytes | None) -> None:
        self._req(
            "POST", f"/applications/{app_id}/finished-documents", params={"title": title}, data=pdf or b""
        )

    def dispatch(self, village_code: str, app_ids: Sequence[int], message: str = "") -> None:
        self._req(
            "POST",
            "/dispatches",
            json={"village_code": village_code, "application_ids": list(app_ids), "message": message},
        )

    def finish(self, app_id: int, service_code: str, *, signed_pdf: bool) -> None:
        """finished, with the issued document attached (a signed PDF or a printed card)."""
        self.set_status(app_id, "finished")
        title = get_service(service_code).name_id
        self.attach(app_id, title, signed_pdf_bytes(title) if signed_pdf else None)


def signed_pdf_bytes(title: str) -> bytes:
    """A one-page 'electronically signed' document, as the office would issue on A4 HVS."""
    im = Image.new("L", _PAGE_SIZE, 255)
    d = ImageDraw.Draw(im)
    d.text((70, 80), "DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL", font=_font(18), fill=0)
    d.text((70, 110), "KABUPATEN BANDUNG", font=_font(18), fill=0)
    d.text((70, 200), title.upper(), font=_font(28), fill=0)
    d.text((70, 1000), "Ditandatangani secara elektronik (TTE) - contoh demo", font=_font(14), fill=0)
    d.rectangle((600, 960, 740, 1100), outline=0, width=3)
    buf = io.BytesIO()
    im.convert("1").save(buf, "TIFF", compression="group4", dpi=(_PAGE_DPI, _PAGE_DPI), strip_size=2**30)
    return bytes(img2pdf.convert(buf.getvalue()))


def _announce_console(server: EmbeddedServer, base_url: str) -> None:
    """The office console runs in the same demo server: make its staff and say how to get in."""
    from desa_capil.server.console import DEMO_PASSWORD, create_demo_staff

    assert server.service is not None
    users = create_demo_staff(server.service)
    print(  # noqa: T201 - `python3 dev.py demo` shows the office side to the person running it
        f"\nKonsol Disdukcapil (demo): {base_url}/console\n"
        f"  masuk sebagai {' / '.join(users)}, kata sandi: {DEMO_PASSWORD}\n",
        flush=True,
    )
    log.info("office console at %s/console", base_url)


@dataclass
class DemoSession:
    """A running demo: where its files are, the server, and the office simulator."""

    home: Path
    paths: AppPaths
    server: object  # EmbeddedServer (imported lazily: the [server] extra)
    base_url: str
    admin: AdminApi
    office: OfficeSimulator | None = None
    operator_ids: list[int] = field(default_factory=list)
    remove_home: bool = True

    @classmethod
    def start(
        cls,
        home: Path | None = None,
        *,
        seed: bool = True,
        office_interval: tuple[float, float] | None = (20.0, 40.0),
        rng_seed: int = 17,
    ) -> DemoSession:
        """Start the server, enroll, seed. ``office_interval=None``: no office thread."""
        from desa_capil.server.config import Settings
        from desa_capil.server.embedded import EmbeddedServer

        if home is None:
            home = _prepared or prepare_home()
        paths = app_paths().ensure()
        if Path(os.environ.get(HOME_ENV, "")) != home:
            raise RuntimeError("prepare_home() must run first: DESA_CAPIL_HOME is not the demo home")
        # One laptop, one "office" on loopback: the per-device rate limit only slows the seed.
        settings = Settings(data_dir=home / "server", rate_burst=10_000.0, rate_per_second=10_000.0)
        server = EmbeddedServer(home / "server", port=0, settings=settings)
        base_url = server.start()
        admin = AdminApi(base_url, server.admin_token)
        session = cls(home, paths, server, base_url, admin)
        session.remove_home = not os.environ.get(DEMO_HOME_ENV)
        try:
            code = server.create_village(VILLAGE_CODE, VILLAGE_NAME)
            db = open_database(paths)
            try:
                session._enroll(db, code)
                session.operator_ids = _operators(db)
                if seed:
                    seed_data(db, session, random.Random(rng_seed))
            finally:
                db.close()
        except BaseException:
            session.close()
            raise
        if office_interval is not None:
            session.office = OfficeSimulator(admin, office_interval, random.Random(rng_seed + 1))
            session.office.start()
        _announce_console(server, base_url)
        log.info("demo ready: home %s, server %s", home, base_url)
        return session

    def _enroll(self, db: Database, code: str) -> None:
        enroll(db, credential_store(self.paths), self.base_url, code, device_name=DEVICE_NAME)
        repo.set_setting(db, SETTING_DEMO, "1")

    def token(self) -> str:
        token = credential_store(self.paths).get_token()
        assert token is not None
        return token

    def close(self) -> None:
        if self.office is not None:
            self.office.stop()
            self.office = None
        self.admin.close()
        stop = getattr(self.server, "stop", None)
        if stop is not None:
            stop()
        _restore_keyring()
        if self.remove_home:
            shutil.rmtree(self.home, ignore_errors=True)


def _operators(db: Database) -> list[int]:
    ids = []
    with db.session() as s:
        for name in OPERATORS:
            op = Operator(name=name)
            s.add(op)
            s.flush()
            assert op.id is not None
            ids.append(op.id)
        s.commit()
    return ids


# --- seeding -----------------------------------------------------------------------------------------

# (service, final status) for each sample application, oldest first.
_PLAN: tuple[tuple[str, Status], ...] = (
    ("akta_lahir", Status.HANDED_OVER),
    ("kk_ubah", Status.HANDED_OVER),
    ("ktp_cetak_ulang", Status.HANDED_OVER),
    ("akta_mati", Status.ARRIVED),
    ("kia", Status.ARRIVED),
    ("akta_lahir", Status.DISPATCHED),
    ("kk_hilang", Status.DISPATCHED),
    ("pindah_keluar", Status.DISPATCHED),
    ("kk_baru", Status.FINISHED),
    ("ktp_ubah", Status.REJECTED),
    ("akta_lahir", Status.NEEDS_FIX),
    ("kk_ubah", Status.FINISHED),
    ("akta_kawin", Status.PROCESSING),
    ("kia", Status.PROCESSING),
    ("kk_ubah", Status.IN_REVIEW),
    ("akta_mati", Status.IN_REVIEW),
    ("pindah_datang", Status.SENT),
    ("akta_lahir", Status.SENT),
    ("ktp_cetak_ulang", Status.SENDING),
    ("kk_ubah", Status.SENDING),
    ("akta_lahir", Status.READY),
    ("kk_hilang", Status.READY),
    ("akta_mati", Status.READY),
    ("kk_baru", Status.DRAFT),
    ("akta_lahir", Status.DRAFT),
    ("pindah_keluar", Status.DRAFT),
)
# Urgent ones (hospital, BPJS, school) go first at the office: a few of them.
_URGENT = {3: Urgency.HOSPITAL, 13: Urgency.BPJS, 17: Urgency.SCHOOL, 20: Urgency.HOSPITAL}
_NOTES = {
    0: "Bayi lahir di Puskesmas Cileunyi.",
    3: "Untuk klaim asuransi di RS.",
    13: "Untuk pendaftaran BPJS Kesehatan.",
    17: "Untuk pendaftaran sekolah (PPDB).",
}

# How far along the office road each final status is (for the admin steps).
_OFFICE_PATH: dict[Status, tuple[str, ...]] = {
    Status.SENT: (),
    Status.IN_REVIEW: ("in_review",),
    Status.PROCESSING: ("in_review", "processing"),
    Status.NEEDS_FIX: ("in_review", "needs_fix"),
    Status.REJECTED: ("in_review", "rejected"),
    Status.FINISHED: ("in_review", "processing", "finished"),
    Status.DISPATCHED: ("in_review", "processing", "finished", "dispatched"),
    Status.ARRIVED: ("in_review", "processing", "finished", "dispatched"),
    Status.HANDED_OVER: ("in_review", "processing", "finished", "dispatched"),
}


def _urgency(i: int) -> Urgency:
    return _URGENT.get(i, Urgency.NORMAL)


def seed_data(db: Database, session: DemoSession, rng: random.Random) -> None:
    """Residents and applications in every status, through the real round trip."""
    residents = make_residents(rng, len(_PLAN))
    ops = session.operator_ids or [None]  # type: ignore[list-item]
    created: list[tuple[str, Status, str]] = []  # (application id, target, service)
    today = utcnow()
    for i, ((service_code, target), person) in enumerate(zip(_PLAN, residents, strict=False)):
        operator = ops[i % len(ops)]
        app_id = repo.save_application(
            db,
            service_code=service_code,
            applicant=repo.ApplicantData(
                nik=person.nik,
                name=person.name,
                kk_number=person.kk_number,
                phone=person.phone,
                address=person.address,
            ),
            urgency=_urgency(i),
            notes=_NOTES.get(i, ""),
            operator_id=operator,
        )
        service = get_service(service_code)
        reqs = list(service.mandatory) if target is not Status.DRAFT else list(service.mandatory)[:-1]
        for req in reqs:
            pages = [make_page(req.name_id, person, rng) for _ in range(1 + (rng.random() < 0.3))]
            add_pages(db, app_id, req.code, pages)
        repo.refresh_readiness(db, app_id, operator_id=operator)
        # Spread the history over the last weeks so lists and reports look lived in.
        _backdate(db, app_id, today - timedelta(days=len(_PLAN) - i, hours=rng.randrange(0, 8)))
        created.append((app_id, target, service_code))

    assemble = assemble_pdf(db)
    to_office = [c for c in created if c[1] not in (Status.DRAFT, Status.READY, Status.SENDING)]
    waiting = [c for c in created if c[1] is Status.SENDING]
    # Two older batches the office has, one still waiting to be sent (the sync engine does it).
    half = len(to_office) // 2
    config = load_config(db, credential_store(session.paths))
    assert config is not None, "enrolled above"
    worker = SyncWorker(db, config.client_factory())
    try:
        # The app's own sync engine sends the batches and pulls the office's answers.
        for chunk in (to_office[:half], to_office[half:]):
            repo.seal_batch(db, [c[0] for c in chunk], assemble, operator_id=ops[0])
            worker.run_until_idle()

        # The office's decisions, through the admin API.
        by_client = {str(a["client_id"]): a for a in session.admin.applications()}
        dispatch_ids: list[int] = []
        for n, (app_id, target, service_code) in enumerate(to_office):
            server_id = int(str(by_client[app_id]["id"]))
            for step in _OFFICE_PATH[target]:
                if step == "finished":
                    session.admin.finish(server_id, service_code, signed_pdf=n % 2 == 0)
                elif step == "dispatched":
                    dispatch_ids.append(server_id)
                else:
                    msg = {"needs_fix": FIX_MESSAGE, "rejected": REJECT_MESSAGE}.get(step, "")
                    session.admin.set_status(server_id, step, msg)
        if dispatch_ids:
            session.admin.dispatch(VILLAGE_CODE, dispatch_ids, "Dikirim lewat kurir kecamatan.")
        worker.run_until_idle()
    finally:
        worker.close()
    if waiting:
        # Left for the running app to send: the Kiriman page shows it going out.
        repo.seal_batch(db, [c[0] for c in waiting], assemble, operator_id=ops[-1])

    arrived = [c[0] for c in to_office if c[1] in (Status.ARRIVED, Status.HANDED_OVER)]
    if arrived:
        mark_arrived(db, arrived, operator_id=ops[0])
    for app_id, target, _s in to_office:
        if target is Status.HANDED_OVER:
            record_handover(db, app_id, HandOverInput(id_checked=True), operator_id=ops[-1])


def _backdate(db: Database, app_id: str, when: object) -> None:
    with db.session() as s:
        app = s.get(Application, app_id)
        assert app is not None
        app.created_at = when  # type: ignore[assignment]
        s.add(app)
        s.commit()


# --- the office ----------------------------------------------------------------------------------------


class OfficeSimulator:
    """A thread playing the Disdukcapil officer: one step every ``interval`` seconds.

    Each tick takes the application that waited longest in sent/in_review/processing/finished
    and moves it one step (finished ones are dispatched to the village); about one in eight
    reviews asks for a fix instead. ``tick()`` does one step at once (tests call it).
    """

    def __init__(self, admin: AdminApi, interval: tuple[float, float], rng: random.Random) -> None:
        self.admin = admin
        self.interval = interval
        self.rng = rng
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.steps = 0

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="desa-capil-demo-office", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.wait(self.rng.uniform(*self.interval)):
            try:
                self.tick()
            except requests.RequestException as exc:
                # The demo server is going down, or busy: the next tick tries again.
                log.info("demo office step skipped: %s", exc)

    def tick(self) -> tuple[int, str] | None:
        """Move one application a step; returns (server id, new status) or None when idle."""
        items = [a for a in self.admin.applications() if str(a["status"]) in OFFICE_NEXT]
        if not items:
            return None
        items.sort(key=lambda a: (str(a["status"]) != "finished", str(a["updated_at"])))
        app = items[0]
        app_id, status = int(str(app["id"])), str(app["status"])
        target = OFFICE_NEXT[status]
        if target == "dispatched":
            self.admin.dispatch(str(app["village_code"]), [app_id], "Dikirim lewat kurir kecamatan.")
        elif target == "finished":
            self.admin.finish(app_id, str(app["service_code"]), signed_pdf=self.rng.random() < 0.5)
        elif target == "processing" and self.rng.random() < 0.125:
            target = "needs_fix"
            self.admin.set_status(app_id, target, FIX_MESSAGE)
        else:
            self.admin.set_status(app_id, target)
        self.steps += 1
        log.info("demo office: application %s -> %s", app_id, target)
        return app_id, target
