"""The published OpenAPI document, and a bounded schemathesis run against it: no 500s."""

from __future__ import annotations

from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from desa_capil.server.embedded import EmbeddedServer
from desa_capil.server.testing import EnrolledDevice, submit_batch

EXPECTED = {
    ("get", "/api/v1/health"),
    ("post", "/api/v1/enroll"),
    ("put", "/api/v1/batches/{batch_id}"),
    ("get", "/api/v1/changes"),
    ("post", "/api/v1/events"),
    ("get", "/api/v1/documents/{doc_id}/file"),
    ("options", "/api/v1/uploads/"),
    ("post", "/api/v1/uploads/"),
    ("head", "/api/v1/uploads/{upload_id}"),
    ("patch", "/api/v1/uploads/{upload_id}"),
    ("delete", "/api/v1/uploads/{upload_id}"),
    ("post", "/api/v1/admin/villages"),
    ("get", "/api/v1/admin/applications"),
    ("post", "/api/v1/admin/applications/{app_id}/status"),
    ("post", "/api/v1/admin/applications/{app_id}/finished-documents"),
    ("post", "/api/v1/admin/dispatches"),
    ("post", "/api/v1/admin/devices/{device_id}/revoke"),
}


def test_openapi_document_is_published(server: EmbeddedServer) -> None:
    r = requests.get(f"{server.base_url}/openapi.json", timeout=10)
    assert r.status_code == 200
    doc = r.json()
    assert doc["openapi"].startswith("3.")
    ops = {(m, p) for p, item in doc["paths"].items() for m in item}
    assert EXPECTED <= ops
    schemas = doc["components"]["schemas"]
    for name in ("BatchManifest", "BatchReceipt", "ChangePage", "ErrorBody", "EventsIn", "EnrollResponse"):
        assert name in schemas
    put = doc["paths"]["/api/v1/batches/{batch_id}"]["put"]["responses"]
    assert {"200", "201", "409", "422"} <= set(put)


@schemathesis.serializer("application/pdf")
def _pdf(_ctx: Any, value: Any) -> bytes:
    return value if isinstance(value, bytes) else str(value).encode()


def _fuzz(
    op: Any, base_url: str, session: requests.Session, headers: dict[str, str], failures: list[str]
) -> int:
    calls = 0
    strategy = st.one_of(
        op.as_strategy(generation_mode=GenerationMode.POSITIVE),
        op.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    )

    @settings(
        max_examples=8,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: Any) -> None:
        nonlocal calls
        calls += 1
        response = case.call(base_url=base_url, session=session, headers=headers, timeout=10)
        if response.status_code >= 500:
            failures.append(f"{op.method.upper()} {op.path}: {response.status_code} {response.text[:200]}")

    run()
    return calls


@pytest.fixture
def server_settings() -> dict[str, Any]:
    # The fuzzer makes hundreds of calls from one device: no rate limit here.
    return {"rate_burst": 1e9, "rate_per_second": 1e9, "enroll_burst": 1e9, "enroll_per_second": 1e9}


def test_schemathesis_finds_no_server_errors(server: EmbeddedServer, village: EnrolledDevice) -> None:
    submit_batch(village)  # something to find
    schema = schemathesis.openapi.from_url(f"{server.base_url}/openapi.json")
    session = requests.Session()
    failures: list[str] = []
    calls = 0
    for result in schema.get_all_operations():
        op = result.ok()
        token = server.admin_token if "/admin/" in op.path else village.token
        calls += _fuzz(
            op,
            server.base_url,
            session,
            {"Authorization": f"Bearer {token}", "Tus-Resumable": "1.0.0"},
            failures,
        )
    session.close()
    assert calls > 80
    assert not failures, failures
