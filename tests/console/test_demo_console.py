"""`python3 dev.py demo` runs the office console in its server and says how to get in."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
import requests

from desa_capil import demo
from desa_capil.paths import HOME_ENV


@pytest.fixture
def restore_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv(HOME_ENV, os.environ[HOME_ENV])
    old = keyring.get_keyring()
    yield
    keyring.set_keyring(old)


def test_demo_prints_the_console_address_and_a_login_that_works(
    tmp_path: Path, restore_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    home = demo.prepare_home(tmp_path / "demo-home")
    session = demo.DemoSession.start(home, seed=False, office_interval=None)
    try:
        out = capsys.readouterr().out
        m = re.search(r"Konsol Disdukcapil \(demo\): (http://127\.0\.0\.1:\d+/console)\n", out)
        assert m and m.group(1) == f"{session.base_url}/console"
        users = re.search(r"masuk sebagai ([\w /]+), kata sandi: (\S+)", out)
        assert users
        names = users.group(1).split(" / ")
        assert names == ["admin", "verifikator", "operator"]
        s = requests.Session()
        page = s.get(m.group(1) + "/masuk", timeout=30)
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert csrf
        r = s.post(
            m.group(1) + "/masuk",
            data={"csrf": csrf.group(1), "username": names[0], "password": users.group(2)},
            allow_redirects=False,
            timeout=30,
        )
        assert r.status_code == 303 and r.headers["location"] == "/console/antrean"
        assert demo.VILLAGE_NAME in s.get(m.group(1) + "/desa", timeout=30).text
    finally:
        session.close()
