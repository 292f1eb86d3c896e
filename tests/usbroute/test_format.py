"""The USB bundle and enrollment formats: round trip, and every damage refused with its reason."""

from __future__ import annotations

import json
import os
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from desa_capil.usbroute import (
    BundleError,
    Enrollment,
    KeySet,
    key_id,
    load_or_create,
    make_code,
    normalize_code,
    open_bundle,
    proof,
    read_enrollment,
    read_header,
    verify_file,
    write_bundle,
    write_enrollment,
)
from desa_capil.usbroute import enrollment as E

OFFICE = KeySet.generate()
DEVICE = KeySet.generate()
FIELDS = {"kind": "village", "village_code": "5314012001", "device_id": "dev-1", "seq": 3}


def make(tmp_path: Path, files: list[tuple[str, bytes | Path]] | None = None) -> Path:
    out = tmp_path / "trip.dcb"
    write_bundle(
        out,
        header_fields=FIELDS,
        files=files if files is not None else [("manifest.json", b'{"a": 1}'), ("p1.jpg", os.urandom(5000))],
        meta={"batches": ["b1"]},
        signing_key=DEVICE.signing,
        recipient_box_public=OFFICE.box_public,
    )
    return out


def reason(path: Path, *, box: KeySet = OFFICE, signer: str | None = DEVICE.sign_public) -> str:
    with pytest.raises(BundleError) as info:
        open_bundle(path, box_private=box.box, verify_key=signer).close()
    assert info.value.message("id") and info.value.message("en")
    return info.value.reason


def test_round_trip_with_bytes_and_paths(tmp_path: Path) -> None:
    big = tmp_path / "scan.jpg"
    big.write_bytes(os.urandom(3 * 1024 * 1024 + 17))  # crosses age's and our chunk sizes
    out = make(tmp_path, [("m.json", b"{}"), ("pages/scan.jpg", big), ("empty", b"")])
    header = read_header(out)
    assert header.kind == "village" and header.village_code == "5314012001" and header.seq == 3
    assert header.recipient == key_id(OFFICE.box_public) and header.signer_public == DEVICE.sign_public
    assert verify_file(out) == header
    with open_bundle(out, box_private=OFFICE.box, verify_key=DEVICE.sign_public) as b:
        assert b.header == header
        assert b.meta == {"batches": ["b1"]}
        assert b.names() == ["m.json", "pages/scan.jpg", "empty"]
        assert b.read("pages/scan.jpg") == big.read_bytes()
        assert b.read("empty") == b""
        dest = b.extract("pages/scan.jpg", tmp_path / "copy.jpg")
        assert dest.read_bytes() == big.read_bytes()
    # Nothing but the bundle (no temp names) stays in the folder.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy.jpg", "scan.jpg", "trip.dcb"]


def test_payload_is_not_readable_in_the_file(tmp_path: Path) -> None:
    secret = b"NIK 5314012345678901 SITI AMINAH " * 20
    out = make(tmp_path, [("m.json", secret)])
    raw = out.read_bytes()
    assert b"SITI AMINAH" not in raw and b"5314012345678901" not in raw


@pytest.mark.parametrize("seed", range(20))
def test_truncated_anywhere_is_refused(tmp_path: Path, seed: int) -> None:
    out = make(tmp_path)
    raw = out.read_bytes()
    cut = random.Random(seed).randrange(0, len(raw))
    out.write_bytes(raw[:cut])
    assert reason(out) == "truncated"
    with pytest.raises(BundleError) as info:
        read_header(out)
    assert info.value.reason == "truncated"


def test_one_flipped_bit_anywhere_is_refused(tmp_path: Path) -> None:
    out = make(tmp_path)
    raw = out.read_bytes()
    rng = random.Random(16)
    for pos in [*rng.sample(range(len(raw)), 40), len(raw) - 70, len(raw) - 1]:
        flipped = bytearray(raw)
        flipped[pos] ^= 1 << rng.randrange(8)
        out.write_bytes(bytes(flipped))
        # Header bits give bad JSON, a wrong length or a wrong key id; the rest a bad signature.
        assert reason(out) in {"format", "truncated", "bad_signature", "wrong_recipient"}, pos


def test_wrong_signer_key_is_refused(tmp_path: Path) -> None:
    out = make(tmp_path)
    assert reason(out, signer=KeySet.generate().sign_public) == "bad_signature"


def test_wrong_recipient_is_refused(tmp_path: Path) -> None:
    out = make(tmp_path)
    assert reason(out, box=KeySet.generate()) == "wrong_recipient"


def test_resigned_by_a_thief_does_not_pass_the_expected_key(tmp_path: Path) -> None:
    """Someone re-encrypting their own payload to the office cannot borrow the device's id."""
    thief = KeySet.generate()
    out = tmp_path / "fake.dcb"
    write_bundle(
        out,
        header_fields=FIELDS,
        files=[("m.json", b"{}")],
        meta={},
        signing_key=thief.signing,
        recipient_box_public=OFFICE.box_public,
    )
    assert read_header(out).device_id == "dev-1"
    assert reason(out, signer=DEVICE.sign_public) == "bad_signature"


def test_not_a_bundle_and_extra_bytes(tmp_path: Path) -> None:
    junk = tmp_path / "x.dcb"
    junk.write_bytes(b"PK\x03\x04 zip file")
    assert reason(junk) == "format"
    out = make(tmp_path)
    out.write_bytes(out.read_bytes() + b"\0")
    assert reason(out) == "format"


def test_failed_write_leaves_no_file(tmp_path: Path) -> None:
    src = tmp_path / "page.jpg"
    src.write_bytes(b"x" * 100)
    folder = tmp_path / "stick"
    folder.mkdir()

    # A source that vanishes mid-write (a file deleted under the exporter): no file, no temp.
    with pytest.raises(FileNotFoundError):
        write_bundle(
            folder / "t.dcb",
            header_fields=FIELDS,
            files=[("a", src), ("b", tmp_path / "missing.jpg")],
            meta={},
            signing_key=DEVICE.signing,
            recipient_box_public=OFFICE.box_public,
        )
    assert list(folder.iterdir()) == []
    # A destination that cannot be written.
    with pytest.raises(BundleError) as info:
        write_bundle(
            tmp_path / "no-such-folder" / "t.dcb",
            header_fields=FIELDS,
            files=[("a", src)],
            meta={},
            signing_key=DEVICE.signing,
            recipient_box_public=OFFICE.box_public,
        )
    assert info.value.reason == "write_failed"


def test_key_file_is_private_and_stable(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "office.json"
    first = load_or_create(path)
    assert load_or_create(path) == first
    if os.name == "posix":
        assert path.stat().st_mode & 0o777 == 0o600
    path.write_text("{broken", encoding="utf-8")
    with pytest.raises(BundleError):
        load_or_create(path)


# --- enrollment ---------------------------------------------------------------------------------


def enrollment(**changes: str) -> Enrollment:
    now = datetime.now(UTC)
    base = {
        "enrollment_id": "e1",
        "village_code": "5314012001",
        "village_name": "Desa Oelaba",
        "office_name": "Disdukcapil Rote Ndao",
        "server_url": "https://capil.example.go.id",
        "office_sign_public": OFFICE.sign_public,
        "office_box_public": OFFICE.box_public,
        "device_id": "dev-1",
        "secret": E.new_secret(),
        "issued_at": now.isoformat(),
        "expires_at": (now + timedelta(days=30)).isoformat(),
    }
    base.update(changes)
    return Enrollment(**base)


def test_enrollment_round_trip_and_pinning(tmp_path: Path) -> None:
    e = enrollment()
    path = tmp_path / "desa.dcenroll"
    write_enrollment(path, e, office_signing_key=OFFICE.signing)
    assert read_enrollment(path) == e
    assert read_enrollment(path, office_sign_public=OFFICE.sign_public) == e
    assert not e.expired()
    with pytest.raises(BundleError) as info:
        read_enrollment(path, office_sign_public=KeySet.generate().sign_public)
    assert info.value.reason == "bad_signature"


def test_enrollment_tampered_or_cut(tmp_path: Path) -> None:
    path = tmp_path / "desa.dcenroll"
    write_enrollment(path, enrollment(), office_signing_key=OFFICE.signing)
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["body"]["village_code"] = "5314012002"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(BundleError) as info:
        read_enrollment(path)
    assert info.value.reason == "bad_signature"
    write_enrollment(path, enrollment(), office_signing_key=OFFICE.signing)
    raw = path.read_bytes()
    for cut in random.Random(3).sample(range(1, len(raw) - 2), 10):
        path.write_bytes(raw[:cut])
        with pytest.raises(BundleError) as info:
            read_enrollment(path)
        assert info.value.reason in {"truncated", "format"}


def test_paper_code_catches_typos_and_binds_the_device_keys() -> None:
    code = make_code()
    assert normalize_code(code.lower().replace("-", " ")) == normalize_code(code)
    typo = code.replace(code[0], "Z" if code[0] != "Z" else "Y", 1)
    with pytest.raises(BundleError) as info:
        normalize_code(typo)
    assert info.value.reason == "bad_code"
    e = enrollment()
    p = proof(secret=e.secret, code=code, device_id="dev-1", **DEVICE.public())
    assert E.proof_ok(
        p, secret=e.secret, normalized_code=normalize_code(code), device_id="dev-1", **DEVICE.public()
    )
    # Another laptop's keys, another code or another secret: the proof fails.
    other = KeySet.generate()
    assert not E.proof_ok(
        p, secret=e.secret, normalized_code=normalize_code(code), device_id="dev-1", **other.public()
    )
    assert not E.proof_ok(
        p, secret=e.secret, normalized_code=normalize_code(make_code()), device_id="dev-1", **DEVICE.public()
    )
    assert not E.proof_ok(
        p, secret=E.new_secret(), normalized_code=normalize_code(code), device_id="dev-1", **DEVICE.public()
    )
