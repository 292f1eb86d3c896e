"""The UI language. Bahasa Indonesia is the source language of every UI string.

Widgets write their text in Indonesian through ``self.tr(...)`` (or
``QCoreApplication.translate(context, ...)``); English comes from resources/i18n/*.qm.
Bilingual data from the domain (service names, status labels) is picked with ``lang()``.
"""

from __future__ import annotations

_current = "id"


def lang() -> str:
    """'id' or 'en'."""
    return _current


def set_lang(code: str) -> None:
    global _current
    _current = "en" if code.startswith("en") else "id"
