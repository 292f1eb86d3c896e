"""Indonesian phone numbers: normalisation to +62 and WhatsApp click-to-chat links.

Residents give their number in every shape: ``0812-3456-7890``, ``62812...``, ``+62 812 ...``,
``(0812) 345 678``. Only mobile numbers (``8xx`` after the country code) can receive WhatsApp,
so a landline or a number of the wrong length is refused rather than turned into a link that
opens a chat with nobody.
"""

from __future__ import annotations

import re
from urllib.parse import quote

# Indonesian mobile subscriber numbers (after +62) start with 8 and have 9 to 12 digits
# (e.g. 812-3456-789 is 10, 812-3456-78901 is 12 with the newer 13-digit 08 numbers).
_MOBILE = re.compile(r"^8[1-9][0-9]{7,10}$")
# What a typed number may contain besides digits: spaces, dashes, dots, brackets, a leading +.
_SEPARATORS = re.compile(r"[\s\-.()/]")


def normalize_phone(raw: str) -> str | None:
    """The number as ``+628...``, or None when it is not an Indonesian mobile number.

    Accepts ``08xx``, ``8xx``, ``628xx``, ``+628xx``, ``0062 8xx`` with spaces, dashes, dots
    and brackets anywhere.
    """
    text = _SEPARATORS.sub("", raw or "")
    if not text:
        return None
    if text.startswith("+"):
        text = text[1:]
        if not text.startswith("62"):
            return None  # another country's number
    elif text.startswith("0062"):
        text = text[2:]
    if not text.isdigit():
        return None
    if text.startswith("62"):
        national = text[2:]
        # "+62 0812..." is a common mistake: the trunk zero after the country code.
        if national.startswith("0"):
            national = national[1:]
    elif text.startswith("0"):
        national = text[1:]
    else:
        national = text
    if not _MOBILE.match(national):
        return None
    return "+62" + national


def wa_link(raw_phone: str, message: str = "") -> str | None:
    """A ``https://wa.me/628...`` click-to-chat link with a prefilled, URL-encoded message."""
    phone = normalize_phone(raw_phone)
    if phone is None:
        return None
    url = "https://wa.me/" + phone[1:]
    if message:
        url += "?text=" + quote(message, safe="")
    return url


def display_phone(phone: str) -> str:
    """``+6281234567890`` as ``+62 812-3456-7890`` for reading aloud; input returned if invalid."""
    norm = normalize_phone(phone)
    if norm is None:
        return phone
    n = norm[3:]
    return f"+62 {n[:3]}-{n[3:7]}-{n[7:]}"
