"""The minimum app version the server still talks to (Qt-free, no TUF: the server uses it too).

When the wire contract changes, whoever runs the central server announces the oldest app
version that still speaks it (``publish.announce_minimum``, served at
``/api/v1/updates/announcement``). The server then answers an older app's requests (except
the update endpoint itself, so it can still fetch the update) with HTTP 426 and
``minimum_message``: what to do, in Indonesian; the app keeps its unsent work and retries.
"""

from __future__ import annotations

import re
from typing import Any

from packaging.version import InvalidVersion, Version

#: The desktop app's User-Agent (``sync.client.USER_AGENT``): "desa_capil/<version> (<system>)".
USER_AGENT_VERSION = re.compile(r"^desa_capil/(\S+)")


def below_minimum(current_version: str, announcement: dict[str, Any]) -> str | None:
    """The minimum version when ``current_version`` is older than it, else None."""
    minimum = str(announcement.get("minimum_version") or "")
    if not minimum:
        return None
    try:
        return minimum if Version(current_version) < Version(minimum) else None
    except InvalidVersion:
        return None


def minimum_message(minimum: str, lang: str = "id") -> str:
    if lang.startswith("en"):
        return (
            f"The office's server needs desa_capil {minimum} or newer. Install the update "
            "(Pengaturan -> Pembaruan, or from the update stick), then send again. Nothing unsent is lost."
        )
    return (
        f"Server Disdukcapil memerlukan desa_capil versi {minimum} atau lebih baru. Pasang "
        "pembaruan (Pengaturan -> Pembaruan, atau dari flashdisk pembaruan), lalu kirim lagi. "
        "Data yang belum terkirim tidak hilang."
    )


def app_version_of(user_agent: str) -> str | None:
    """The desktop app's version from its User-Agent; None for anything else (browsers, tools)."""
    m = USER_AGENT_VERSION.match(user_agent or "")
    if m is None:
        return None
    try:
        return str(Version(m.group(1)))
    except InvalidVersion:
        return None
