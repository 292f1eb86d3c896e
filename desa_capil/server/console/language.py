"""The console's language: Bahasa Indonesia by default, English selectable per browser.

As in the village app (``desa_capil.ui.i18n``), Indonesian is the source language of every
string: templates write ``{{ _("Antrean") }}``, Python code ``t("Antrean")``, with ``{name}``
fields filled by keyword (``t("Kirim ke {village}", village=...)``); a text translated later,
where it is shown (a flash message, a label table), is marked ``N_("...")``. English comes from the
catalogue ``i18n/en.json`` (Indonesian text -> English text). Bilingual domain data (service
names, status and urgency labels) is picked with ``lang()``; the office API's errors carry both
languages already (``message_id`` / ``message_en``). A text missing from the catalogue shows in
Indonesian; ``tests/console/test_i18n.py`` keeps the catalogue complete.

The choice is a cookie (``/console/bahasa/en`` or ``/console/bahasa/id``): a display
preference, not a security matter, and it works on the login page too.
"""

from __future__ import annotations

import json
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from fastapi import Request

LANGUAGES: tuple[tuple[str, str], ...] = (("id", "Bahasa Indonesia"), ("en", "English"))
COOKIE = "dc_lang"
CATALOGUE = Path(__file__).resolve().parent / "i18n" / "en.json"

_lang: ContextVar[str] = ContextVar("console_lang", default="id")


@cache
def catalogue() -> dict[str, str]:
    data = json.loads(CATALOGUE.read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}


def lang() -> str:
    """'id' or 'en' for the request being served."""
    return _lang.get()


def choose(code: str) -> str:
    return "en" if code == "en" else "id"


def use(code: str) -> None:
    _lang.set(choose(code))


def use_request(request: Request) -> None:
    use(request.cookies.get(COOKIE, "id"))


async def from_cookie(request: Request) -> None:
    """Router dependency: the request's language (async, so the choice reaches the endpoint
    and the thread-pool work it starts)."""
    use_request(request)


def N_(text: str) -> str:  # noqa: N802 - gettext's name for "mark for the catalogue only"
    """Mark a text for the catalogue; it is translated where it is shown (``t``, ``_``)."""
    return text


def t(text: str, **values: object) -> str:
    """``text`` (Indonesian) in the request's language, with ``{name}`` fields filled."""
    out = catalogue().get(text, text) if _lang.get() == "en" else text
    return out.format(**values) if values else out
