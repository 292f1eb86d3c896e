"""Known, environmental problems that the user can act on.

A ``UserError`` is not a bug: a bad file, a full disk, an offline server, a refused request.
It carries a plain message in Bahasa Indonesia (and English) that says what happened and
what to do next. The UI shows it in a message box; everything else is a bug and goes to the
crash dialog and the log.
"""

from __future__ import annotations


class UserError(Exception):
    """A problem to show the user, in both languages the app speaks."""

    def __init__(self, message_id: str, message_en: str, *, detail: str = "") -> None:
        super().__init__(message_en if not detail else f"{message_en} ({detail})")
        self.message_id = message_id
        self.message_en = message_en
        # Technical detail for the log and the "details" part of a dialog; never personal data.
        self.detail = detail

    def message(self, lang: str = "id") -> str:
        return self.message_en if lang.startswith("en") else self.message_id


class BadInputError(UserError):
    """A file or value the app cannot use (wrong type, corrupt, too large, encrypted)."""


class StorageError(UserError):
    """The local disk or database cannot do what was asked (full, locked, corrupt, read-only)."""


class NetworkError(UserError):
    """The server cannot be reached or answered with an error."""
