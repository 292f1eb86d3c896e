"""The wire contract v1: pydantic models shared by the client (sync/) and the server.

Models live in ``desa_capil.api.models`` (see its docstring for the compatibility rules).
HTTP-level rules, all under ``API_PREFIX`` (``/api/v1``):

* Auth: ``Authorization: Bearer <device token>`` on every call except ``GET /health`` and
  ``POST /enroll``. 401 = token unknown or revoked (re-enroll); a token only ever sees its own
  village, and other villages' ids answer 404.
* Errors: every 4xx/5xx JSON body is an ``ErrorBody`` (switch on ``error``). 429 carries
  ``Retry-After`` (seconds).
* ``POST /enroll`` (EnrollRequest -> 201 EnrollResponse; 400 enrollment_code_invalid).
* ``GET /health`` -> Health.
* tus 1.0 at ``/uploads/`` (core + creation, termination, expiration). Creation: ``POST /uploads/``
  with ``Upload-Length`` and ``Upload-Metadata`` (``filename``, ``sha256``, ``filetype``, values
  base64) -> 201 + ``Location: <base>/api/v1/uploads/<upload_id>``. The upload id for
  ``DocumentIn.upload_id`` is that last path segment. ``HEAD`` -> ``Upload-Offset``;
  ``PATCH`` (``Content-Type: application/offset+octet-stream``) keeps whatever part of the body
  arrived, even if the connection drops; 409 on offset mismatch, 423 while another PATCH of the
  same upload runs, 410 once expired, 413 when too large or the village quota is full.
* ``PUT /batches/{batch_id}`` (BatchManifest) -> 201 BatchReceipt new, 200 identical replay,
  409 same id other content (error=conflict) or an application already known and not in
  needs_fix (error=application_conflict, ``applications`` lists them), 422 with
  error=uploads_invalid (``uploads`` lists each bad document) or error=manifest_invalid
  (``applications``) or error=invalid_request (``fields``).
* ``GET /changes?after=N&limit=M`` -> ChangePage (limit <= MAX_CHANGES_PAGE).
* ``POST /events`` (EventsIn) -> 200 EventsResult, one result per event, idempotent by event id.
* ``GET /documents/{id}/file`` -> the signed PDF (``ETag`` is the quoted sha256; Range works).
"""

from desa_capil.api.models import API_PREFIX, API_VERSION, TUS_VERSION

__all__ = ["API_PREFIX", "API_VERSION", "TUS_VERSION"]
