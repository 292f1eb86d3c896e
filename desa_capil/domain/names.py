"""Names as Permendagri 73/2022 wants them on adminduk documents.

Latin letters, at most 60 characters including spaces, at least two words. These are warnings:
an existing KK may hold a one-word name, and the office decides; the app never refuses a name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_NAME_LENGTH = 60

# Latin letters (with the accents some names carry), spaces, and the punctuation names use.
_ALLOWED = re.compile(r"^[A-Za-z\u00c0-\u024f .,'\-]*$")


@dataclass(frozen=True)
class NameWarning:
    code: str  # "too_long" | "one_word" | "characters"
    message_id: str
    message_en: str

    def message(self, lang: str = "id") -> str:
        return self.message_en if lang.startswith("en") else self.message_id


def check_name(name: str) -> list[NameWarning]:
    """Warnings for a name typed at the counter (empty list when it follows the rule)."""
    clean = " ".join(name.split())
    out: list[NameWarning] = []
    if not clean:
        return out
    if len(clean) > MAX_NAME_LENGTH:
        out.append(
            NameWarning(
                "too_long",
                f"Nama {len(clean)} karakter; Permendagri 73/2022 membatasi 60 karakter termasuk spasi. "
                "Disdukcapil dapat meminta nama disingkat.",
                f"The name has {len(clean)} characters; Permendagri 73/2022 allows 60 including spaces. "
                "The office may ask for a shorter name.",
            )
        )
    if len(clean.split(" ")) < 2:
        out.append(
            NameWarning(
                "one_word",
                "Nama hanya satu kata; Permendagri 73/2022 meminta paling sedikit dua kata "
                "(untuk pencatatan baru). Nama yang sudah tercatat di KK tetap boleh.",
                "The name is one word; Permendagri 73/2022 asks for at least two words (for new "
                "records). A name already on the KK may stay.",
            )
        )
    if not _ALLOWED.match(clean):
        out.append(
            NameWarning(
                "characters",
                "Nama memuat angka atau tanda yang tidak lazim; gunakan huruf Latin.",
                "The name contains digits or unusual signs; use Latin letters.",
            )
        )
    return out
