"""``desa-capil-server usb ...`` from a terminal: enroll, import (twice), refuse, export-return."""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

import pytest

from desa_capil.server.cli import main
from desa_capil.server.testing import document_for, sample_application
from desa_capil.usbroute import BatchForBundle, KeySet, read_enrollment, write_village_bundle
from desa_capil.usbroute.payloads import open_return_bundle

VILLAGE = "53.14.01.2001"


def test_enroll_import_and_return_from_the_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = ["--data", str(tmp_path / "server")]
    stick = tmp_path / "stick"
    stick.mkdir()
    assert main([*data, "admin", "village", "add", VILLAGE, "Desa Oelaba"]) == 0
    assert main([*data, "usb", "enroll", "--village", VILLAGE, str(stick)]) == 0
    printed = capsys.readouterr().out
    code = re.search(r"Kode pendaftaran / code:\s+(\S+)", printed)
    assert code is not None
    (file,) = stick.iterdir()
    assert file.name == f"{VILLAGE}.dcenroll" and code.group(1) not in file.read_text(encoding="utf-8")
    enrollment = read_enrollment(file)
    assert enrollment.office_key_id in printed
    keys_file = tmp_path / "server" / "usb" / "office_keys.json"
    assert keys_file.stat().st_mode & 0o777 == 0o600 or os.name != "posix"

    laptop = KeySet.generate()
    pdf = b"%PDF-1.4\n" + os.urandom(800)
    upload_id = uuid.uuid4().hex
    batch = BatchForBundle(
        str(uuid.uuid4()),
        {"applications": [sample_application([document_for(upload_id, pdf)])]},
        {upload_id: pdf},
    )
    bundle = stick / "kirim-1.dcb"
    write_village_bundle(
        bundle,
        keys=laptop,
        device_id=enrollment.device_id,
        village_code=VILLAGE,
        seq=1,
        office_box_public=enrollment.office_box_public,
        batches=[batch],
        enrollment=enrollment,
        code=code.group(1),
    )
    assert main([*data, "usb", "import", str(bundle)]) == 0
    assert f"batch {batch.batch_id}: 201 (1 permohonan)" in capsys.readouterr().out
    assert main([*data, "usb", "import", str(bundle)]) == 0
    assert "already imported" in capsys.readouterr().out
    cut = stick / "cut.dcb"
    cut.write_bytes(bundle.read_bytes()[:-100])
    assert main([*data, "usb", "import", str(cut)]) == 2
    assert "[truncated]" in capsys.readouterr().err

    assert main([*data, "usb", "export-return", "--village", VILLAGE, str(stick)]) == 0
    back = stick / f"{VILLAGE}-kembali.dcb"
    with open_return_bundle(
        back,
        keys=laptop,
        office_sign_public=enrollment.office_sign_public,
        village_code=VILLAGE,
        device_id=enrollment.device_id,
    ) as b:
        changes = [c for p in b.meta["pages"] for c in p["changes"]]
        assert [(c["application_id"], c["status"]) for c in changes] == [
            (batch.manifest["applications"][0]["id"], "sent")
        ]
    # A village the office does not know: a clear message, exit 2.
    assert main([*data, "usb", "export-return", "--village", "11.11.11.1111", str(stick)]) == 2
    assert "belum terdaftar" in capsys.readouterr().err
