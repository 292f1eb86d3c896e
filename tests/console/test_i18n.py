"""The console in English: Indonesian by default, English chosen per browser; the catalogue
holds every text the console marks, with the same {fields}."""

from __future__ import annotations

import json
import re
from pathlib import Path

from desa_capil.server.console import language, models, queries
from desa_capil.server.embedded import EmbeddedServer
from desa_capil.server.testing import enroll_device

from .conftest import Console
from .test_security import server_id, submit

CONSOLE = Path(language.__file__).resolve().parent
_TEMPLATE_TEXT = re.compile(r"""\b_\(\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')""")
_CODE_TEXT = re.compile(r"""\b(?:t|N_)\(\s*((?:"(?:[^"\\]|\\.)*"\s*)+)""")


def marked_texts() -> set[str]:
    texts: set[str] = set()
    for f in (CONSOLE / "templates").glob("*.html"):
        texts.update(m.group(1)[1:-1] for m in _TEMPLATE_TEXT.finditer(f.read_text(encoding="utf-8")))
    for f in CONSOLE.glob("*.py"):
        if f.name == "language.py":
            continue
        for m in _CODE_TEXT.finditer(f.read_text(encoding="utf-8")):
            texts.add("".join(re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(1))))
    # Label tables, translated where they are shown.
    texts.update(tab.title for tab in queries.TABS)
    texts.update(models.HOLD_LABELS.values())
    texts.update(label for label, _days in queries.AGE_FILTERS.values())
    texts.update(models.ROLE_LABELS.values())
    texts.update(queries.ACTION_LABELS.values())
    return texts


def test_catalogue_has_every_marked_text_with_the_same_fields() -> None:
    catalogue = language.catalogue()
    texts = marked_texts()
    assert len(texts) > 100
    assert sorted(texts - catalogue.keys()) == []  # missing English
    assert sorted(catalogue.keys() - texts) == []  # stale entries
    fields = re.compile(r"\{(\w*)\}")
    for source, english in catalogue.items():
        assert english.strip(), source
        assert sorted(fields.findall(source)) == sorted(fields.findall(english)), source
    raw = json.loads(language.CATALOGUE.read_text(encoding="utf-8"))
    assert set(raw) - set(catalogue) == {"_comment"}


def test_indonesian_by_default_english_when_chosen_and_back(central: EmbeddedServer) -> None:
    app_id = server_id(central, submit(enroll_device(central), name="Siti Aminah"))
    c = Console(central)
    login = c.get("/console/masuk")
    assert '<html lang="id">' in login.text and "Kata sandi" in login.text
    chosen = c.get("/console/bahasa/en", allow_redirects=False)
    assert chosen.status_code == 303 and chosen.headers["location"] == "/console/masuk"
    login = c.get("/console/masuk")
    assert '<html lang="en">' in login.text and "Password" in login.text and "Kata sandi" not in login.text
    failed = c.login("verif", "salah-sekali")
    assert "Wrong user name or password." in failed.text

    assert c.login("verif", "kata-sandi-uji-17").status_code == 303
    queue = c.get("/console/antrean").text
    for english in ("Queue", "Dispatch", "To check", "Applicant", "Service", "Sign out", "left"):
        assert english in queue, english
    for indonesian in ("Antrean", "Perlu diperiksa", "Pemohon", "Layanan", "Keluar", "sisa "):
        assert indonesian not in queue, indonesian
    assert "Siti Aminah" in queue and "Birth certificate" in queue  # data stays, names in English
    assert "Sent" in queue  # the status label from the domain's bilingual table

    # Flash messages: the console's own, and the office API's (its message_en).
    no_reason = c.post(f"/console/permohonan/{app_id}/tolak", {"reason": ""})
    assert no_reason.status_code == 303
    assert c.flash(f"/console/permohonan/{app_id}") == (
        "error: Write the reason for the rejection or choose a template."
    )
    assert c.post(f"/console/permohonan/{app_id}/selesai").status_code == 303
    assert c.flash(f"/console/permohonan/{app_id}") == (
        "ok: Application finished; ready to dispatch to the village."
    )
    assert c.post(f"/console/permohonan/{app_id}/selesai").status_code == 303  # finished already
    assert c.flash(f"/console/permohonan/{app_id}").startswith("error: The status cannot change")

    page = c.get(f"/console/permohonan/{app_id}").text
    for english in ("Requirements", "History", "Mark a possible duplicate", "Family card"):
        assert english in page, english
    for indonesian in ("Persyaratan", "Riwayat", "Tandai kemungkinan ganda", "Kartu Keluarga"):
        assert indonesian not in page, indonesian

    c.get("/console/bahasa/id")
    queue = c.get("/console/antrean").text
    assert '<html lang="id">' in queue and "Antrean" in queue and "Perlu diperiksa" in queue
