"""The USB route ("Kirim lewat flashdisk"): bundle and enrollment files, shared by laptop and office.

Qt-free and server-free: the village app, the office server and the tests all use it. The
format is described in docs/usb-route.md.
"""

from desa_capil.usbroute.bundle import (
    SUFFIX,
    BundleFile,
    BundleHeader,
    LazyFile,
    OpenedBundle,
    open_bundle,
    read_header,
    verify_file,
    write_bundle,
)
from desa_capil.usbroute.enrollment import (
    Enrollment,
    make_code,
    normalize_code,
    parse_enrollment,
    proof,
    read_enrollment,
    write_enrollment,
)
from desa_capil.usbroute.errors import MESSAGES, BundleError
from desa_capil.usbroute.keys import KeySet, key_id, load_or_create
from desa_capil.usbroute.payloads import BatchForBundle, open_return_bundle, write_village_bundle

__all__ = [
    "MESSAGES",
    "SUFFIX",
    "BatchForBundle",
    "BundleError",
    "BundleFile",
    "BundleHeader",
    "Enrollment",
    "KeySet",
    "LazyFile",
    "OpenedBundle",
    "key_id",
    "load_or_create",
    "make_code",
    "normalize_code",
    "open_bundle",
    "open_return_bundle",
    "parse_enrollment",
    "proof",
    "read_enrollment",
    "read_header",
    "verify_file",
    "write_bundle",
    "write_enrollment",
    "write_village_bundle",
]
