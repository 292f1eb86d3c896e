"""Hostile JSON at the manifest parser: only pydantic.ValidationError, never anything else."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pydantic
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desa_capil.api.models import BatchManifest

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=40)
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=30,
)


def _parse_python(value: Any) -> None:
    try:
        BatchManifest.model_validate(value)
    except pydantic.ValidationError:
        pass


def _parse_json(text: str | bytes) -> None:
    try:
        BatchManifest.model_validate_json(text)
    except pydantic.ValidationError:
        pass


@SETTINGS
@given(json_values)
def test_any_json_value(value: Any) -> None:
    _parse_python(value)


@SETTINGS
@given(st.binary(max_size=300) | st.text(max_size=300))
def test_any_bytes_as_json(raw: bytes | str) -> None:
    _parse_json(raw)


# Near-valid manifests: the right shape with hostile values in every field.
field_values = json_values | st.sampled_from(
    ["", "0" * 16, "9" * 17, "x" * 5000, str(uuid.uuid4()), "a" * 64, "\x00", "../../etc", "１２３"]
)
applicant = st.fixed_dictionaries(
    {},
    optional=dict.fromkeys(("nik", "name", "kk_number", "phone", "address"), field_values),
)
document = st.fixed_dictionaries(
    {},
    optional=dict.fromkeys(
        ("id", "requirement_code", "upload_id", "sha256", "size", "page_count", "mime"), field_values
    ),
)
application = st.fixed_dictionaries(
    {},
    optional={
        "id": field_values,
        "service_code": field_values,
        "applicant": applicant | field_values,
        "urgency": field_values,
        "notes": field_values,
        "documents": st.lists(document | field_values, max_size=3) | field_values,
    },
)
manifest = st.fixed_dictionaries(
    {"applications": st.lists(application | field_values, max_size=3) | field_values},
    optional={"sealed_at": field_values, "extra": field_values},
)


@SETTINGS
@given(manifest)
def test_near_valid_manifests(value: dict[str, Any]) -> None:
    _parse_python(value)
    try:
        text = json.dumps(value)
    except ValueError:  # NaN is fine for json.dumps; this guards only exotic values
        return
    _parse_json(text)


def test_valid_manifest_still_parses() -> None:
    """The fuzz above must not pass only because everything is rejected."""
    good = {
        "applications": [
            {
                "id": str(uuid.uuid4()),
                "service_code": "kia",
                "applicant": {"nik": "3201014509900001", "name": "Ani", "kk_number": "3201010101200007"},
                "documents": [
                    {
                        "id": str(uuid.uuid4()),
                        "requirement_code": "kk",
                        "upload_id": "u1",
                        "sha256": "a" * 64,
                        "size": 10,
                    }
                ],
            }
        ]
    }
    assert len(BatchManifest.model_validate(good).applications) == 1
    assert len(BatchManifest.model_validate_json(json.dumps(good)).applications) == 1
