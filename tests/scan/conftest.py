"""The JBIG2 coder (a C extension) for the scan tests.

``tests/conftest.py`` builds it next to its source once per session where it is missing or
older than its source (a checkout used through PYTHONPATH, a fresh clone), so the scan tests
always exercise the JBIG2 path where a C compiler exists. Without a compiler the coder's own
tests skip, except on CI (CI=true), where the coder must be there.
"""

from __future__ import annotations

import os

import pytest


@pytest.fixture(scope="session", autouse=True)
def jbig2_coder() -> bool:
    """Whether the JBIG2 coder is there. Imported here, not at the top: this conftest is
    loaded before ``tests/conftest.py``'s ``pytest_configure`` rebuilds a stale coder when
    the scan tests are named on the command line, and an extension module once loaded
    cannot be replaced in the process."""
    from desa_capil.scan import jbig2

    if not jbig2.available() and os.environ.get("CI") == "true":
        pytest.fail("the JBIG2 coder is not built on CI (no C compiler?)")
    return jbig2.available()


@pytest.fixture
def needs_jbig2(jbig2_coder: bool) -> None:
    if not jbig2_coder:
        pytest.skip("the JBIG2 coder is not built (no C compiler)")
