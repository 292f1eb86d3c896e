from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from desa_capil.domain.phone import display_phone, normalize_phone, wa_link


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("081234567890", "+6281234567890"),
        ("0812-3456-7890", "+6281234567890"),
        ("0812 3456 7890", "+6281234567890"),
        ("(0812) 3456.7890", "+6281234567890"),
        ("6281234567890", "+6281234567890"),
        ("+62 812-3456-7890", "+6281234567890"),
        ("+62 0812 3456 7890", "+6281234567890"),
        ("0062 812 3456 7890", "+6281234567890"),
        ("81234567890", "+6281234567890"),
        ("0857 1234 567", "+628571234567"),
        ("  +6285712345678 ", "+6285712345678"),
    ],
)
def test_mobile_numbers_are_normalised(raw: str, expected: str) -> None:
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "022-1234567",  # Bandung landline: no WhatsApp
        "0812",  # too short
        "08123456789012345",  # too long
        "+1 415 555 0100",  # another country
        "0812-abc-7890",
        "0800 1234 5678",  # 80x is not a mobile prefix
    ],
)
def test_non_mobile_numbers_are_refused(raw: str) -> None:
    assert normalize_phone(raw) is None


def test_wa_link_prefills_an_encoded_message() -> None:
    msg = "Yth. Ibu Siti, dokumen Kartu Keluarga & akta sudah tiba? Ya/tidak #1"
    url = wa_link("0812-3456-7890", msg)
    assert url is not None
    parts = urlparse(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "wa.me", "/6281234567890")
    assert " " not in url and "&" not in parts.query.removeprefix("text=")
    assert parse_qs(parts.query)["text"] == [msg]


def test_wa_link_without_valid_phone_is_none() -> None:
    assert wa_link("022 123", "halo") is None
    assert wa_link("081234567890") == "https://wa.me/6281234567890"


def test_display_phone() -> None:
    assert display_phone("081234567890") == "+62 812-3456-7890"
    assert display_phone("rumah") == "rumah"
