"""``desa-capil --update SOURCE``: install a signed update without opening the window (Qt-free).

For the technician who updates laptops one after another from a stick, and for the build's
end-to-end check of a real bundle. SOURCE is the central server's address (``http(s)://...``)
or a folder holding an update repository (``metadata/`` + ``targets/``). The same checks as
Pengaturan -> Pembaruan apply: signatures and hashes, the new version's own self-test, the
previous version kept. The new version is the one the app starts next time.
"""

from __future__ import annotations

from pathlib import Path

from desa_capil.errors import UserError
from desa_capil.update.client import Source, Updater, update_root

EXIT_UPDATED = 0
EXIT_NOTHING_NEW = 0
EXIT_FAILED = 7  # app.py's other exit codes are 1-6


def source_of(text: str) -> Source:
    if text.startswith(("http://", "https://")):
        return Source.server(text)
    return Source.folder(Path(text))


def run_update(text: str, current_version: str, trusted_root: Path, *, root: Path | None = None) -> int:
    """Check, download, verify and install; prints one line in Indonesian. Returns the exit code."""
    root = root or update_root()
    if not trusted_root.exists() and not (root / "metadata" / "root.json").exists():
        _say(
            "Pembaruan otomatis belum disiapkan untuk instalasi ini (tidak ada root.json dari "
            "Disdukcapil). Pasang ulang dari penginstal resmi."
        )
        return EXIT_FAILED
    try:
        updater = Updater(root, current_version, source_of(text), trusted_root=trusted_root)
        offer = updater.check()
        if offer is None:
            _say(f"Tidak ada versi yang lebih baru (versi {current_version}).")
            return EXIT_NOTHING_NEW
        _say(f"Versi {offer.version} tersedia: unduhan {offer.download_bytes / 1e6:.1f} MB. Mengunduh…")
        version = updater.download_and_install()
    except UserError as exc:
        _say(exc.message("id"))
        return EXIT_FAILED
    _say(f"Versi {version} sudah terpasang dan lolos uji. Versi itu dipakai saat aplikasi dibuka lagi.")
    return EXIT_UPDATED


def _say(text: str) -> None:
    print(text, flush=True)  # noqa: T201 - a command-line tool reports by printing
