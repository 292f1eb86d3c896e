"""Why a USB bundle or an enrollment file was refused, in both languages the app speaks.

``BundleError`` is a ``BadInputError`` (desa_capil/errors.py): the UI and the office console show
``message()`` in Bahasa Indonesia (English second); ``reason`` is a stable code that the server's
API answers, tests assert and logs record. Nothing is ever half-written when one is raised.
"""

from __future__ import annotations

from desa_capil.errors import BadInputError

# reason code -> (Indonesian, English). Each says what happened and what to do next.
MESSAGES: dict[str, tuple[str, str]] = {
    "truncated": (
        "Berkas kiriman flashdisk terpotong (misalnya flashdisk dicabut saat menyalin). Tidak ada "
        "yang disimpan. Salin ulang berkas itu dari laptop pengirim, lalu coba lagi.",
        "The USB bundle file is cut short (e.g. the stick was pulled while copying). Nothing was "
        "saved. Copy the file again from the sending laptop and retry.",
    ),
    "bad_signature": (
        "Tanda tangan berkas kiriman tidak cocok: berkas ini rusak atau telah diubah. Tidak ada yang "
        "disimpan. Minta pengirim membuat berkas baru.",
        "The bundle's signature does not match: the file is damaged or was altered. Nothing was "
        "saved. Ask the sender to make a new file.",
    ),
    "format": (
        "Berkas ini bukan berkas kiriman flashdisk Desa Capil, atau dibuat oleh versi aplikasi yang "
        "tidak dikenal. Tidak ada yang disimpan. Periksa berkasnya atau perbarui aplikasi.",
        "This is not a Desa Capil USB bundle, or it was made by an unknown version of the app. "
        "Nothing was saved. Check the file or update the app.",
    ),
    "wrong_recipient": (
        "Berkas kiriman ini ditujukan untuk kantor atau laptop lain, sehingga tidak bisa dibuka di "
        "sini. Tidak ada yang disimpan. Bawa berkas ini ke tujuan yang benar.",
        "This bundle is addressed to another office or laptop and cannot be opened here. Nothing "
        "was saved. Take it to the right destination.",
    ),
    "other_laptop": (
        "Berkas dari kantor ini untuk laptop desa yang lain (desa ini punya lebih dari satu laptop "
        "terdaftar), bukan untuk laptop ini. Tidak ada yang diubah. Buka berkas ini di laptop desa "
        "yang satunya; untuk laptop ini minta kantor membuat berkas balasan tersendiri.",
        "This office bundle is for the village's other laptop (the village has more than one "
        "enrolled laptop), not for this one. Nothing was changed. Open it on the other village "
        "laptop; ask the office for a return bundle of this laptop's own.",
    ),
    "wrong_village": (
        "Berkas kiriman ini milik desa lain. Tidak ada yang disimpan. Periksa flashdisknya: berkas "
        "desa lain bisa dititipkan lewat menu 'Titip kirim'.",
        "This bundle belongs to another village. Nothing was saved. Check the stick: another "
        "village's bundle can be relayed through 'Titip kirim'.",
    ),
    "wrong_kind": (
        "Jenis berkas kiriman ini tidak sesuai (kiriman desa dibuka di kantor, kiriman kantor dibuka "
        "di desa). Tidak ada yang disimpan.",
        "This bundle is of the wrong kind (village bundles are opened at the office, office bundles "
        "in the village). Nothing was saved.",
    ),
    "unknown_device": (
        "Laptop pengirim berkas ini belum terdaftar di kantor. Tidak ada yang disimpan. Daftarkan "
        "laptop desa dulu (berkas pendaftaran dari kantor), lalu kirim ulang.",
        "The laptop that made this bundle is not registered at the office. Nothing was saved. "
        "Enroll the village laptop first (enrollment file from the office), then send again.",
    ),
    "revoked": (
        "Laptop pengirim berkas ini sudah dicabut pendaftarannya di kantor. Tidak ada yang disimpan. "
        "Bila berkas ini cadangan pekerjaan yang belum terkirim dari laptop yang dicabut, rusak atau "
        "diganti, admin kantor dapat menerimanya dengan tombol 'Terima cadangan dari laptop yang "
        "dicabut' di konsol (atau perintah 'usb import --accept-revoked').",
        "The laptop that made this bundle was revoked at the office. Nothing was saved. If this is "
        "the backup of unsent work of a revoked, broken or replaced laptop, an office admin can "
        "accept it with the console button 'Terima cadangan dari laptop yang dicabut' (or the "
        "command 'usb import --accept-revoked').",
    ),
    "replayed": (
        "Berkas kiriman ini sudah lama atau berasal dari laptop lain yang tidak berhak atas nomor "
        "kiriman ini. Tidak ada yang disimpan.",
        "This bundle is old, or comes from another laptop that has no right to this bundle "
        "number. Nothing was saved.",
    ),
    "bad_code": (
        "Kode pendaftaran yang diketik tidak cocok dengan berkas pendaftaran. Periksa lagi kode pada "
        "kertas dari kantor (kode itu tidak memakai angka 0 dan 1), lalu ketik ulang.",
        "The enrollment code typed does not match the enrollment file. Check the code on the paper "
        "from the office (it never uses the digits 0 and 1) and type it again.",
    ),
    "expired": (
        "Berkas pendaftaran ini sudah kedaluwarsa. Minta berkas pendaftaran baru ke kantor Disdukcapil.",
        "This enrollment file has expired. Ask the Disdukcapil office for a new one.",
    ),
    "enrollment_used": (
        "Pendaftaran ini sudah dipakai oleh laptop lain. Tidak ada yang disimpan. Minta berkas "
        "pendaftaran baru ke kantor bila laptop desa diganti.",
        "This enrollment was already used by another laptop. Nothing was saved. Ask the office for "
        "a new enrollment file if the village laptop was replaced.",
    ),
    "damaged_file": (
        "Salah satu berkas di dalam kiriman rusak (ukuran atau sidik jarinya tidak cocok). Tidak "
        "ada yang disimpan. Minta pengirim membuat berkas baru.",
        "A file inside the bundle is damaged (its size or fingerprint does not match). Nothing was "
        "saved. Ask the sender to make a new file.",
    ),
    "write_failed": (
        "Berkas kiriman tidak bisa ditulis atau diperiksa ulang di tujuan (flashdisk penuh, dicabut, "
        "atau rusak). Tidak ada berkas setengah jadi yang tertinggal. Data di laptop aman; coba lagi "
        "dengan flashdisk lain.",
        "The bundle could not be written or verified at the destination (stick full, pulled out or "
        "faulty). No half-written file was left. The data on the laptop is safe; try again with "
        "another stick.",
    ),
}


class BundleError(BadInputError):
    """A bundle or enrollment file that cannot be used; ``reason`` is one of ``MESSAGES``."""

    def __init__(self, reason: str, detail: str = "") -> None:
        if reason not in MESSAGES:
            raise ValueError(f"unknown bundle error reason {reason!r}")
        message_id, message_en = MESSAGES[reason]
        super().__init__(message_id, message_en, detail=detail)
        self.reason = reason
