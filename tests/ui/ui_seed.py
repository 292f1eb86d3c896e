"""Fast sample data for UI tests, screenshots and benchmarks.

`bulk_insert` writes applicants and applications with raw SQL executemany (100k rows in a
second or two), bypassing the repo on purpose: it is test data, and the repo's per-row
transactions would take minutes. Every value is a function of the row number, so tests can
compute what they expect instead of hard-coding it.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from desa_capil.domain.catalog import SERVICES, Urgency
from desa_capil.domain.status import Status
from desa_capil.store.db import Database

FIRST = ["Siti", "Ahmad", "Dewi", "Budi", "Nur", "Agus", "Sri", "Eko", "Rina", "Joko", "Wati", "Hendra"]
LAST = ["Aminah", "Santoso", "Lestari", "Hidayat", "Rahayu", "Wijaya", "Kurniawan", "Susanti", "Pratama"]
STATUSES = list(Status)
SERVICE_CODES = sorted(SERVICES)
BASE_TIME = datetime(2025, 1, 1, 8, 0, 0)
URGENT_EVERY = 50
# Size of the big-queue fixture (tests/ui/conftest.py).
BIG = 100_000


def name_for(i: int) -> str:
    return f"{FIRST[i % len(FIRST)]} {LAST[(i // len(FIRST)) % len(LAST)]} {i}"


def nik_for(i: int) -> str:
    return f"3201{i:012d}"


def kk_for(i: int) -> str:
    return f"3202{i:012d}"


def status_for(i: int) -> Status:
    return STATUSES[i % len(STATUSES)]


def service_for(i: int) -> str:
    return SERVICE_CODES[(i // 3) % len(SERVICE_CODES)]


def urgency_for(i: int) -> Urgency:
    return Urgency.HOSPITAL if i % URGENT_EVERY == 0 else Urgency.NORMAL


def _ts(dt: datetime) -> str:
    # SQLAlchemy's SQLite DateTime storage format (naive UTC).
    return dt.strftime("%Y-%m-%d %H:%M:%S.%f")


def _raw(db: Database) -> Any:
    # The engine's own DB-API connection: keyed like the app's (the file is encrypted).
    return db.engine.raw_connection()


def bulk_insert(db: Database, n: int, start: int = 0) -> list[str]:
    """Insert applications start..start+n-1 (one applicant each); returns their ids."""
    conn = _raw(db)
    try:
        applicants = []
        applications = []
        ids = []
        for i in range(start, start + n):
            when = _ts(BASE_TIME + timedelta(minutes=i))
            person = str(uuid.UUID(int=i + 1))
            app_id = str(uuid.UUID(int=(1 << 64) + i + 1))
            ids.append(app_id)
            applicants.append((person, nik_for(i), name_for(i), kk_for(i), "", "", when, when))
            status = status_for(i)
            message = "Foto KK kurang jelas, mohon dipindai ulang." if status is Status.NEEDS_FIX else ""
            applications.append(
                (
                    app_id,
                    person,
                    service_for(i),
                    status.value,
                    urgency_for(i).value,
                    "",
                    message,
                    when,
                    when,
                    when,
                )
            )
        cur = conn.cursor()
        cur.executemany(
            "INSERT INTO applicant (id, nik, name, kk_number, phone, address, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            applicants,
        )
        cur.executemany(
            "INSERT INTO application (id, applicant_id, service_code, status, urgency, notes,"
            " office_message, created_at, updated_at, status_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            applications,
        )
        conn.commit()
        return ids
    finally:
        conn.close()


SAMPLE = [
    # name, nik, service, status, urgency, office message, hours ago
    ("Siti Nurhaliza", "3201014507920003", "akta_lahir", Status.DRAFT, Urgency.HOSPITAL, "", 1),
    ("Ahmad Fauzi", "3201011203880001", "kk_ubah", Status.READY, Urgency.NORMAL, "", 2),
    (
        "Dewi Lestari",
        "3201015811950002",
        "ktp_cetak_ulang",
        Status.NEEDS_FIX,
        Urgency.BPJS,
        "Surat kehilangan dari kepolisian belum dilampirkan.",
        30,
    ),
    ("Budi Santoso", "3201010101700004", "akta_mati", Status.SENT, Urgency.NORMAL, "", 5),
    ("Rina Marlina", "3201016303990005", "kia", Status.PROCESSING, Urgency.SCHOOL, "", 50),
    ("Joko Susilo", "3201012208850006", "pindah_keluar", Status.IN_REVIEW, Urgency.NORMAL, "", 26),
    ("Sri Wahyuni", "3201014410800007", "kk_baru", Status.ARRIVED, Urgency.NORMAL, "", 120),
    ("Hendra Gunawan", "3201010509930008", "ktp_ubah", Status.FINISHED, Urgency.NORMAL, "", 72),
    ("Nur Aini", "3201016707010009", "akta_lahir", Status.HANDED_OVER, Urgency.NORMAL, "", 300),
    (
        "Agus Salim",
        "3201011111750010",
        "kk_hilang",
        Status.REJECTED,
        Urgency.NORMAL,
        "Pemohon bukan warga kabupaten ini.",
        200,
    ),
    ("Wati Rahayu", "3201015502900011", "akta_kawin", Status.DRAFT, Urgency.NORMAL, "", 3),
    ("Eko Prasetyo", "3201011909870012", "ktp_cetak_ulang", Status.READY, Urgency.TNI_POLRI, "", 4),
    ("Maria Ulfa", "3201014212940013", "kk_ubah", Status.DISPATCHED, Urgency.NORMAL, "", 90),
    (
        "Yusuf Hakim",
        "3201010306000014",
        "pindah_datang",
        Status.NEEDS_FIX,
        Urgency.NORMAL,
        "SKPWNI dari daerah asal belum ada.",
        40,
    ),
    ("Lina Marlina", "3201016001980015", "akta_lahir", Status.ARRIVED, Urgency.NORMAL, "", 100),
    ("Bambang Irawan", "3201011402760016", "kk_baru", Status.SENDING, Urgency.NORMAL, "", 6),
]


def seed_sample(db: Database, village: str = "Desa Sukamaju") -> None:
    """A small, realistic queue for screenshots."""
    conn = _raw(db)
    now = datetime.now(UTC).replace(tzinfo=None)
    try:
        for n, (name, nik, service, status, urgency, message, hours) in enumerate(SAMPLE):
            when = _ts(now - timedelta(hours=hours))
            person = str(uuid.uuid4())
            conn.cursor().execute(
                "INSERT INTO applicant (id, nik, name, kk_number, phone, address, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (person, nik, name, f"32010120{n:08d}", "0812345678", "", when, when),
            )
            conn.cursor().execute(
                "INSERT INTO application (id, applicant_id, service_code, status, urgency, notes,"
                " office_message, created_at, updated_at, status_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    str(uuid.uuid4()),
                    person,
                    service,
                    status.value,
                    urgency.value,
                    "",
                    message,
                    when,
                    when,
                    when,
                ),
            )
        for key, value in (
            ("village_name", village),
            ("village_code", "32.01.01.2001"),
            ("operator_name", "Ibu Yanti"),
        ):
            conn.cursor().execute("INSERT OR REPLACE INTO setting (key, value) VALUES (?, ?)", (key, value))
        conn.commit()
    finally:
        conn.close()
